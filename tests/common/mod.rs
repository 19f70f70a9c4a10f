//! Shared by the integration tests: one pipeline per test binary, paths to
//! the spec and fixtures, and proptest generators for every message type.
#![allow(dead_code)]

pub mod amqp;
pub mod genereer;
pub mod hub;
pub mod last;
pub mod nagaan;
pub mod pg;
pub mod tls;
pub mod web;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clearinghuis::bericht::{Bericht, Weigering};
use clearinghuis::codec::{Pipeline, Toegestaan};

pub fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::met_threads(2).expect("validator threads start"))
}

pub fn controleer(bytes: &[u8], toegestaan: Toegestaan) -> Result<Bericht, Weigering> {
    pipeline()
        .controleer(bytes, toegestaan)
        .expect("validator threads are running")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The normative examples of the specification, copied into fixtures/spec.
pub fn voorbeelden() -> Vec<PathBuf> {
    xml_in(&root().join("fixtures/spec"))
}

pub fn fixtures(map: &str) -> Vec<PathBuf> {
    xml_in(&root().join("fixtures").join(map))
}

pub fn xml_in(map: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(map)
        .unwrap_or_else(|e| panic!("{}: {e}", map.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no .xml files in {}", map.display());
    v
}
