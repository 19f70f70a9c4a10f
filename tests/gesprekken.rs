//! The conversation fixtures (fixtures/conversations/*.jsonl): each is a whole
//! message log recorded by the hub and reviewed by hand. The real binary
//! replays each with `--verify`; every outbound message in them is valid
//! against the project's XSD; and the output is byte-identical run after run.

mod common;

use std::path::PathBuf;
use std::process::Command;

use clearinghuis::bericht::{ClaimBlok, Inhoud, xml};
use clearinghuis::codec::Toegestaan;
use clearinghuis::replay::{Logregel, Richting};

fn gesprekken() -> Vec<PathBuf> {
    let map = common::root().join("fixtures/conversations");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&map)
        .unwrap_or_else(|e| panic!("{}: {e}", map.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    v.sort();
    v
}

fn deelnemers() -> PathBuf {
    common::root().join("fixtures/conversations/participants.toml")
}

fn replay(log: &PathBuf, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .arg("replay")
        .arg("--participants")
        .arg(deelnemers())
        .arg("--input")
        .arg(log)
        .args(extra)
        .output()
        .expect("clearinghuis runs")
}

fn regels(log: &PathBuf) -> Vec<Logregel> {
    std::fs::read_to_string(log)
        .expect("readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", log.display())))
        .collect()
}

#[test]
fn er_zijn_minstens_twaalf_gesprekken() {
    assert!(gesprekken().len() >= 12, "{:?}", gesprekken());
}

#[test]
fn elk_gesprek_verifieert_met_replay() {
    for log in gesprekken() {
        let uit = replay(&log, &["--verify", "--output", "/dev/null"]);
        assert!(
            uit.status.success(),
            "{}: {}",
            log.display(),
            String::from_utf8_lossy(&uit.stderr)
        );
        let aantal_uit = regels(&log)
            .iter()
            .filter(|r| r.direction == Richting::Out)
            .count();
        assert!(aantal_uit > 0, "{} has no out lines", log.display());
    }
}

#[test]
fn elk_uitgaand_bericht_is_geldig_en_draagt_het_claimblok_van_de_ontvanger() {
    for log in gesprekken() {
        for r in regels(&log).iter().filter(|r| r.direction == Richting::Out) {
            let b = common::controleer(r.xml.as_bytes(), Toegestaan::Alle).unwrap_or_else(|w| {
                panic!("{} seq {:?} is not valid: {w:?}", log.display(), r.seq)
            });
            assert_eq!(b.kop.ontvanger.as_str(), r.mailbox, "{}", log.display());
            assert!(b.kop.afzender.is_hub());
            assert_eq!(xml::schrijf(&b).expect("writes"), r.xml, "canonical form");
            match (&b.inhoud, &b.kop.claim) {
                // A refusal of a message that named no known claim has no block.
                (Inhoud::Foutbericht(_), None) => {}
                (_, Some(ClaimBlok::Volledig(c))) => {
                    assert!(
                        c.verhaler == b.kop.ontvanger || c.aansprakelijke == b.kop.ontvanger,
                        "{}: the Claim block names a claim of the recipient",
                        log.display()
                    );
                }
                (inhoud, blok) => panic!(
                    "{} seq {:?}: {} with Claim block {blok:?}",
                    log.display(),
                    r.seq,
                    inhoud.naam()
                ),
            }
        }
    }
}

#[test]
fn replay_is_byte_voor_byte_herhaalbaar() {
    for log in gesprekken() {
        let a = replay(&log, &["--with-input"]);
        let b = replay(&log, &["--with-input"]);
        assert!(a.status.success() && b.status.success());
        assert_eq!(a.stdout, b.stdout, "{}", log.display());
        // Recording the recording gives the recording: the file is the hub's own output.
        assert_eq!(
            String::from_utf8_lossy(&a.stdout),
            std::fs::read_to_string(&log).expect("readable"),
            "{} is not exactly what the hub records",
            log.display()
        );
    }
}

#[test]
fn verify_noemt_het_eerste_verschil() {
    let log = gesprekken().into_iter().next().expect("a fixture");
    let mut r = regels(&log);
    let i = r
        .iter()
        .position(|r| r.direction == Richting::Out)
        .expect("an out line");
    r[i].xml = r[i].xml.replace("<Werkmap>", "<Werkmap> ");
    let pad = std::env::temp_dir().join(format!("verschil-{}.jsonl", std::process::id()));
    let tekst: String = r.iter().map(|r| r.als_json() + "\n").collect();
    std::fs::write(&pad, tekst).expect("writes");
    let uit = replay(&pad, &["--verify", "--output", "/dev/null"]);
    let _ = std::fs::remove_file(&pad);
    assert_eq!(uit.status.code(), Some(1));
    let fout = String::from_utf8_lossy(&uit.stderr);
    assert!(
        fout.contains(&format!("line {}", i + 1)) && fout.contains("Werkmap"),
        "{fout}"
    );
}

#[test]
fn state_heeft_de_velden_van_operations_md() {
    let log = gesprekken().into_iter().next().expect("a fixture");
    let pad = std::env::temp_dir().join(format!("state-{}.json", std::process::id()));
    let uit = replay(
        &log,
        &[
            "--output",
            "/dev/null",
            "--state",
            pad.to_str().expect("utf-8"),
        ],
    );
    assert!(uit.status.success());
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pad).expect("written")).expect("json");
    let _ = std::fs::remove_file(&pad);
    let claims = state.as_array().expect("an array");
    assert!(!claims.is_empty());
    for veld in [
        "claimId",
        "ongevalId",
        "verhaler",
        "aansprakelijke",
        "schadenummerVerhaler",
        "schadenummerAansprakelijke",
        "statusVerhaler",
        "werkmapVerhaler",
        "statusAansprakelijke",
        "werkmapAansprakelijke",
        "verhaalpercentage",
        "ovsCode",
        "posities",
        "afmeldreden",
        "tegenclaimVan",
    ] {
        assert!(claims[0].get(veld).is_some(), "field {veld} missing");
    }
}
