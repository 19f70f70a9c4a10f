//! Documents per second through the full inbound pipeline (size and construct
//! checks, libxml2 parse and XSD, typed read), one validator thread, beside
//! `xmllint --noout --schema` on the same files, and the ratio.
//!
//! Run: `cargo bench --bench pipeline` (release build). Prints figures; it
//! asserts nothing about speed. Under `cargo test --all-targets` (no `--bench`
//! argument) it runs each case briefly, so the harness itself stays tested.

mod common;

use common::aanlevering;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clearinghuis::codec::{Pipeline, Toegestaan};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn meet_pipeline(pipeline: &Pipeline, bytes: &[u8], minimaal: Duration) -> (u64, Duration) {
    // Warm up, and prove the document is accepted.
    pipeline
        .controleer(bytes, Toegestaan::Inkomend)
        .expect("validator")
        .expect("the benchmark document is valid");
    let begin = Instant::now();
    let mut n = 0u64;
    while begin.elapsed() < minimaal {
        for _ in 0..10 {
            let b = pipeline
                .controleer(bytes, Toegestaan::Inkomend)
                .expect("validator");
            std::hint::black_box(b.is_ok());
            n += 1;
        }
    }
    (n, begin.elapsed())
}

/// xmllint validating `n` copies in one process, minus one copy's run, so the
/// schema compile and process start are not counted.
fn meet_xmllint(bestand: &Path, n: usize) -> Option<f64> {
    let schema = root().join("schemas/clearinghuis.xsd");
    let run = |k: usize| -> Option<Duration> {
        let begin = Instant::now();
        let status = Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(&schema)
            .args(std::iter::repeat_n(bestand, k))
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| begin.elapsed())
    };
    let een = (0..3).filter_map(|_| run(1)).min()?;
    let veel = (0..3).filter_map(|_| run(n)).min()?;
    Some((n - 1) as f64 / (veel.saturating_sub(een)).as_secs_f64())
}

fn main() {
    let volledig = std::env::args().any(|a| a == "--bench");
    let meettijd = if volledig {
        Duration::from_secs(3)
    } else {
        Duration::from_millis(50)
    };
    let pipeline = Pipeline::met_threads(1).expect("validator starts");
    let tmp = std::env::temp_dir().join(format!("clearinghuis-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let aanmelding =
        std::fs::read(root().join("fixtures/spec/01-aanmelding.xml")).expect("example");
    let groot = aanlevering(1024 * 1024);
    let groot_pad = tmp.join("aanlevering-1mib.xml");
    std::fs::write(&groot_pad, &groot).expect("write");
    let gevallen: [(&str, Vec<u8>, PathBuf, usize); 2] = [
        (
            "Aanmelding (example, 1.2 KB)",
            aanmelding,
            root().join("fixtures/spec/01-aanmelding.xml"),
            4000,
        ),
        ("InformatieAanlevering (1 MiB)", groot, groot_pad, 60),
    ];
    println!("full inbound pipeline, 1 validator thread, vs xmllint --noout --schema (same files)");
    println!(
        "{:<32} {:>14} {:>14} {:>8}",
        "document", "hub docs/s", "xmllint docs/s", "ratio"
    );
    for (naam, bytes, pad, n_xmllint) in gevallen {
        let (n, tijd) = meet_pipeline(&pipeline, &bytes, meettijd);
        let hub = n as f64 / tijd.as_secs_f64();
        match meet_xmllint(&pad, n_xmllint) {
            Some(x) => println!("{naam:<32} {hub:>14.1} {x:>14.1} {:>8.2}", hub / x),
            None => println!("{naam:<32} {hub:>14.1} {:>14} {:>8}", "(no xmllint)", "-"),
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
