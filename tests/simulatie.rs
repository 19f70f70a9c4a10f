//! `clearinghuis simulate`: the shipped example script through the real
//! binary shows every rappel and notice at its time, and its session log is
//! a message log that `replay --until --verify` reproduces.

mod common;

use std::process::Command;

fn simulate(args: &[&str], script: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .arg("simulate")
        .arg("--participants")
        .arg(common::root().join("fixtures/conversations/participants.toml"))
        .args(args)
        .arg(script)
        .output()
        .expect("clearinghuis runs")
}

#[test]
fn het_voorbeeld_toont_rappels_en_termijnen_en_de_log_verifieert() {
    let script = common::root().join("fixtures/simulatie/voorbeeld.sim");
    let log = std::env::temp_dir().join(format!("simulatie-{}.jsonl", std::process::id()));
    let uit = simulate(&["--log", log.to_str().expect("utf-8")], &script);
    assert!(
        uit.status.success(),
        "{}",
        String::from_utf8_lossy(&uit.stderr)
    );
    let tekst = String::from_utf8_lossy(&uit.stdout);
    let regel = |begin: &str, bevat: &str| {
        tekst
            .lines()
            .any(|l| l.starts_with(begin) && l.contains(bevat))
    };
    assert!(
        regel(
            "2026-01-26T09:00:00+01:00 out CR-00510000",
            "Rappel CR-HUB-0000000003 [Aansprakelijkheid nr 1, since 2026-01-05]"
        ),
        "{tekst}"
    );
    assert!(
        regel("2026-01-26T09:00:00+01:00 out CR-00820000", "nr 1, copy"),
        "{tekst}"
    );
    assert!(
        regel(
            "2026-02-10T09:00:00+01:00 out CR-00510000",
            "[BetaaltermijnVerstreken]"
        ),
        "{tekst}"
    );
    assert!(
        regel(
            "2026-02-17T09:00:00+01:00 out CR-00510000",
            "[Betaling nr 1"
        ),
        "{tekst}"
    );
    // `timers` after the first rappel lists the next one and the passive timeout.
    assert!(
        regel(
            "2026-02-16T09:00:00+01:00  CL-00000001",
            "rappel Aansprakelijkheid nr 2 to A"
        ),
        "{tekst}"
    );
    assert!(
        regel("2026-06-04T09:00:00+01:00  CL-00000001", "passive timeout"),
        "{tekst}"
    );
    // Archived at the end: nothing live.
    assert!(tekst.contains("no live timers"), "{tekst}");

    let replay = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .arg("replay")
        .arg("--participants")
        .arg(common::root().join("fixtures/conversations/participants.toml"))
        .arg("--input")
        .arg(&log)
        .args([
            "--until",
            "2026-02-18T09:00:00+01:00",
            "--verify",
            "--output",
            "/dev/null",
        ])
        .output()
        .expect("clearinghuis runs");
    let _ = std::fs::remove_file(&log);
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
}

#[test]
fn een_fout_in_het_script_noemt_de_regel() {
    let script = std::env::temp_dir().join(format!("terug-{}.sim", std::process::id()));
    std::fs::write(
        &script,
        "klok 2026-01-05T09:00:00+01:00\n# comment\nklok 2026-01-04T09:00:00+01:00\n",
    )
    .expect("writes");
    let uit = simulate(&[], &script);
    let _ = std::fs::remove_file(&script);
    assert_eq!(uit.status.code(), Some(2));
    let fout = String::from_utf8_lossy(&uit.stderr);
    assert!(
        fout.contains("line 3") && fout.contains("only moves forward"),
        "{fout}"
    );
}
