//! Messages per second that `clearinghuis serve` sustains on its embedded
//! default (SQLite, directory mailboxes): N claims (an Aanmelding with
//! liability and A's Akkoord each, 5 answers) are waiting in the mailboxes
//! when the hub starts; the clock runs until every message is taken and every
//! answer is written. Once with the default batch (one transaction for up to
//! 64 messages) and once with one transaction per message.
//!
//! Run: `cargo bench --bench serve` (release build, 2,500 claims). Prints
//! figures; asserts only that everything was answered. Under
//! `cargo test --all-targets` it runs 25 claims so the harness stays tested.

// The bench drops its own load; the tests' dropper is unused here.
#[allow(dead_code)]
#[path = "../tests/common/last.rs"]
mod last;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn aantal_bestanden(map: &Path) -> usize {
    std::fs::read_dir(map)
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.ends_with(".xml") && !n.starts_with('.')
                })
                .count()
        })
        .unwrap_or(0)
}

fn meet(claims: usize, batch: usize) -> (f64, f64) {
    let map = std::env::temp_dir().join(format!(
        "clearinghuis-bench-serve-{}-{batch}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&map);
    let mailboxes = map.join("clearinghuis-data/mailboxes");
    for code in [last::V, last::A] {
        std::fs::create_dir_all(mailboxes.join(code).join("in")).expect("folders");
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/conversations/participants.toml"),
        map.join("participants.toml"),
    )
    .expect("participants");
    for i in 0..claims {
        std::fs::write(
            mailboxes
                .join(last::V)
                .join("in")
                .join(format!("{i:05}-a.xml")),
            last::aanmelding(i),
        )
        .expect("writes");
        std::fs::write(
            mailboxes
                .join(last::A)
                .join("in")
                .join(format!("{i:05}-b.xml")),
            last::akkoord(i),
        )
        .expect("writes");
    }
    let begin = Instant::now();
    let mut hub = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .current_dir(&map)
        .args([
            "serve",
            "--participants",
            "participants.toml",
            "--batch",
            &batch.to_string(),
        ])
        .env("RUST_LOG", "warn")
        .env("CLEARINGHUIS_API_LISTEN", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the hub starts");
    let verwacht = 5 * claims;
    loop {
        let wachtend = aantal_bestanden(&mailboxes.join(last::V).join("in"))
            + aantal_bestanden(&mailboxes.join(last::A).join("in"));
        let antwoorden = aantal_bestanden(&mailboxes.join(last::V).join("out"))
            + aantal_bestanden(&mailboxes.join(last::A).join("out"));
        if wachtend == 0 && antwoorden == verwacht {
            break;
        }
        assert!(
            begin.elapsed() < Duration::from_secs(900),
            "not done: {wachtend} waiting, {antwoorden} answers"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let tijd = begin.elapsed().as_secs_f64();
    let _ = Command::new("kill")
        .args(["-TERM", &hub.id().to_string()])
        .status();
    let _ = hub.wait();
    let _ = std::fs::remove_dir_all(&map);
    ((2 * claims) as f64 / tijd, verwacht as f64 / tijd)
}

fn main() {
    let volledig = std::env::args().any(|a| a == "--bench");
    let claims = if volledig { 2500 } else { 25 };
    println!(
        "clearinghuis serve, embedded default (SQLite WAL, synchronous=FULL, directory mailboxes)"
    );
    println!(
        "{claims} claims = {} inbound messages, {} answers; time from start to the last answer",
        2 * claims,
        5 * claims
    );
    println!("{:<32} {:>12} {:>12}", "batch", "in msgs/s", "answers/s");
    for batch in [64, 1] {
        let (binnen, uit) = meet(claims, batch);
        println!(
            "{:<32} {binnen:>12.0} {uit:>12.0}",
            format!("--batch {batch}")
        );
    }
}
