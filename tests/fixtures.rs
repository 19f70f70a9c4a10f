//! The fixture set through the real `clearinghuis validate` binary: every
//! invalid fixture gets exactly its expected code, every valid one passes, and
//! the verdict equals `xmllint --noout --schema` on every fixture except the
//! policy refusals listed (with reasons) in fixtures/invalid/beleid.txt, which
//! xmllint must then really accept.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const T05: &str = "T05-berichtid-hergebruikt.xml";
const T05_PARTNER: &str = "valid/14-schadespecificatie.xml";

fn validate(bestanden: &[&Path]) -> Output {
    let uit = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .arg("validate")
        .args(bestanden)
        .output()
        .expect("clearinghuis runs");
    let stderr = String::from_utf8_lossy(&uit.stderr);
    assert!(
        !stderr.contains("panicked"),
        "panic on {bestanden:?}: {stderr}"
    );
    uit
}

fn regels(uit: &Output) -> Vec<String> {
    String::from_utf8_lossy(&uit.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn xmllint_accepteert(pad: &Path) -> bool {
    let status = Command::new("xmllint")
        .args(["--nonet", "--noout", "--schema"])
        .arg(common::root().join("schemas/clearinghuis.xsd"))
        .arg(pad)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("xmllint is installed (libxml2-utils); .ci/run installs it");
    status.success()
}

fn partner() -> PathBuf {
    common::root().join("fixtures").join(T05_PARTNER)
}

fn naam(p: &Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// Our verdict on one fixture: refused or not (T05 judged next to its partner).
fn wij_weigeren(pad: &Path) -> bool {
    if naam(pad) == T05 {
        let uit = validate(&[&partner(), pad]);
        return uit.status.code() == Some(1);
    }
    match validate(&[pad]).status.code() {
        Some(0) => false,
        Some(1) => true,
        other => panic!("{}: unexpected exit status {other:?}", pad.display()),
    }
}

#[test]
fn ongeldige_fixtures_krijgen_precies_hun_code() {
    let bestanden = common::fixtures("invalid");
    assert!(
        bestanden.len() >= 40,
        "at least 40 invalid fixtures, found {}",
        bestanden.len()
    );
    let mut codes = std::collections::BTreeMap::<String, usize>::new();
    for pad in &bestanden {
        let n = naam(pad);
        let code = &n[..3];
        *codes.entry(code.to_owned()).or_default() += 1;
        let uit = if n == T05 {
            validate(&[&partner(), pad])
        } else {
            validate(&[pad])
        };
        assert_eq!(uit.status.code(), Some(1), "{n}: exit status");
        let r = regels(&uit);
        assert!(!r.is_empty(), "{n}: no problem printed");
        for regel in &r {
            let (plek, rest) = regel
                .split_once(": ")
                .unwrap_or_else(|| panic!("{n}: bad line {regel}"));
            assert!(
                plek.starts_with(&pad.display().to_string()),
                "{n}: line names another file: {regel}"
            );
            let mut delen = plek.rsplitn(3, ':');
            let kolom: u32 = delen
                .next()
                .and_then(|k| k.parse().ok())
                .unwrap_or_else(|| panic!("{n}: column in {regel}"));
            let lijn: u32 = delen
                .next()
                .and_then(|k| k.parse().ok())
                .unwrap_or_else(|| panic!("{n}: line in {regel}"));
            assert!(lijn >= 1 && kolom >= 1, "{n}: {regel}");
            assert!(
                rest.starts_with(&format!("{code} ")),
                "{n}: expected only {code}, got: {regel}"
            );
        }
    }
    for code in ["T01", "T02", "T03", "T04", "T05", "T06"] {
        assert!(codes.contains_key(code), "no invalid fixture for {code}");
    }
}

#[test]
fn geldige_fixtures_en_voorbeelden_slagen() {
    let mut alle = common::fixtures("valid");
    alle.extend(common::voorbeelden());
    let refs: Vec<&Path> = alle.iter().map(PathBuf::as_path).collect();
    let uit = validate(&refs);
    assert_eq!(regels(&uit), Vec::<String>::new());
    assert_eq!(uit.status.code(), Some(0));
}

fn beleid() -> Vec<String> {
    std::fs::read_to_string(common::root().join("fixtures/invalid/beleid.txt"))
        .expect("beleid.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn zelfde_oordeel_als_xmllint() {
    let beleid = beleid();
    let mut alle = common::voorbeelden();
    alle.extend(common::fixtures("valid"));
    alle.extend(common::fixtures("invalid"));
    let mut gelijk = 0;
    for pad in &alle {
        let n = naam(pad);
        let xmllint = xmllint_accepteert(pad);
        let wij = !wij_weigeren(pad);
        if beleid.contains(&n) {
            assert!(
                xmllint,
                "{n} is listed in beleid.txt but xmllint refuses it: remove it from the list"
            );
            assert!(!wij, "{n} is listed in beleid.txt but we accept it");
        } else {
            assert_eq!(
                wij,
                xmllint,
                "{n}: we {} it, xmllint {} it",
                if wij { "accept" } else { "refuse" },
                if xmllint { "accepts" } else { "refuses" }
            );
            gelijk += 1;
        }
    }
    for b in &beleid {
        assert!(
            alle.iter().any(|p| naam(p) == *b),
            "beleid.txt names {b}, which does not exist"
        );
    }
    eprintln!(
        "{gelijk} files: same verdict as xmllint; {} policy refusals xmllint cannot see",
        beleid.len()
    );
}

#[test]
fn standaardinvoer_en_uitvoervorm() {
    let mut kind = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let fout = std::fs::read(common::root().join("fixtures/invalid/T02-bedrag-drie-decimalen.xml"))
        .expect("fixture");
    kind.stdin
        .take()
        .expect("stdin")
        .write_all(&fout)
        .expect("write");
    let uit = kind.wait_with_output().expect("waits");
    assert_eq!(uit.status.code(), Some(1));
    let r = regels(&uit);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(r[0].starts_with("-:"), "{}", r[0]);
    assert!(r[0].contains(": T02 Element 'Bedrag'"), "{}", r[0]);
    assert!(
        r[0].contains("/Bedrag]"),
        "the element path is shown: {}",
        r[0]
    );

    let ontbreekt = validate(&[Path::new("/nonexistent/bericht.xml")]);
    assert_eq!(
        ontbreekt.status.code(),
        Some(2),
        "an unreadable file is not a verdict"
    );
}
