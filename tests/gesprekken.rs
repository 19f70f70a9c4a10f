//! The conversation fixtures (fixtures/conversations/*.jsonl): each is a whole
//! message log recorded by the hub and reviewed by hand. The real binary
//! replays each with `--verify`; every outbound message in them is valid
//! against the project's XSD; and the output is byte-identical run after run.

mod common;

use std::path::PathBuf;
use std::process::Command;

use clearinghuis::bericht::{ClaimBlok, Inhoud, xml};
use clearinghuis::codec::Toegestaan;
use clearinghuis::hub::{Logregel, Richting};

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

/// `NN-name.until` beside a fixture holds the `--until` it was recorded with.
fn tot(log: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(log.with_extension("until"))
        .ok()
        .map(|s| s.trim().to_owned())
}

fn replay(log: &PathBuf, extra: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clearinghuis"));
    c.arg("replay")
        .arg("--participants")
        .arg(deelnemers())
        .arg("--input")
        .arg(log)
        .args(extra);
    if let Some(t) = tot(log) {
        c.arg("--until").arg(t);
    }
    c.output().expect("clearinghuis runs")
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
        "timers",
    ] {
        assert!(claims[0].get(veld).is_some(), "field {veld} missing");
    }
}

/// Every timer of rules.md §7 has a fixture that shows it (issue 6).
#[test]
fn elke_timer_heeft_een_gesprek() {
    let pad = |naam: &str| common::root().join("fixtures/conversations").join(naam);
    let uit = |naam: &str| -> Vec<(Logregel, clearinghuis::bericht::Bericht)> {
        regels(&pad(naam))
            .into_iter()
            .filter(|r| r.direction == Richting::Out)
            .map(|r| {
                let b = xml::lees(&r.xml).expect("readable");
                (r, b)
            })
            .collect()
    };
    let rappels = |naam: &str| -> Vec<(String, u32, bool)> {
        uit(naam)
            .into_iter()
            .filter_map(|(r, b)| match b.inhoud {
                Inhoud::Rappel(x) => Some((r.mailbox, x.volgnummer, x.kopie)),
                _ => None,
            })
            .collect()
    };
    // A rappel repeated three times to V (with a copy to A), then A's series from 1.
    let r = rappels("34-rappel-drie-keer.jsonl");
    let v: Vec<u32> = r
        .iter()
        .filter(|x| x.0 == "CR-00820000" && !x.2)
        .map(|x| x.1)
        .collect();
    assert_eq!(v, [1, 2, 3]);
    assert_eq!(r.iter().filter(|x| x.2).count(), 4, "a copy of each");
    assert!(r.contains(&("CR-00510000".to_owned(), 1, false)));
    // Stopped by the action it asked for: one liability rappel only.
    let r = rappels("35-rappel-gestopt-door-actie.jsonl");
    assert_eq!(r.iter().filter(|x| !x.2).count(), 2, "{r:?}");
    let soort = |naam: &str, s: clearinghuis::bericht::Systeemmeldingsoort| {
        uit(naam)
            .iter()
            .filter(|(_, b)| matches!(&b.inhoud, Inhoud::Systeemmelding(m) if m.soort == s))
            .count()
    };
    use clearinghuis::bericht::Systeemmeldingsoort as S;
    assert_eq!(
        soort(
            "36-betaaltermijn-verstreken.jsonl",
            S::BetaaltermijnVerstreken
        ),
        2
    );
    assert_eq!(soort("37-passief-na-150-dagen.jsonl", S::Passief), 2);
    assert_eq!(
        rappels("37-passief-na-150-dagen.jsonl").len(),
        14,
        "7 rappels, then the close"
    );
    // The early Betaalbevestiging is answered after the Eindafrekening.
    let o = uit("38-vroege-betaalbevestiging.jsonl");
    let eind = o
        .iter()
        .position(|(_, b)| matches!(b.inhoud, Inhoud::Eindafrekening(_)));
    let betaald = o
        .iter()
        .position(|(_, b)| matches!(b.inhoud, Inhoud::Betaalbevestiging(_)));
    assert!(eind.is_some() && eind < betaald, "{eind:?} {betaald:?}");
    // Early messages that expire: refused 100 s after they arrived.
    let geweigerd: Vec<_> = uit("39-vroeg-bericht-verloopt.jsonl")
        .into_iter()
        .filter(|(_, b)| matches!(b.inhoud, Inhoud::Foutbericht(_)))
        .map(|(r, _)| clearinghuis::bericht::tijdstip::format(&r.at))
        .collect();
    assert_eq!(
        geweigerd,
        ["2026-01-05T10:01:40+01:00", "2026-01-05T11:01:40+01:00"]
    );
}

/// The durations are settings: a shorter rappel term moves the first rappel.
#[test]
fn termijnen_komen_uit_de_instellingen() {
    let log = common::root().join("fixtures/conversations/34-rappel-drie-keer.jsonl");
    let uit = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .args([
            "replay",
            "--until",
            "2026-01-20T00:00:00+01:00",
            "--participants",
        ])
        .arg(deelnemers())
        .arg("--input")
        .arg(&log)
        .env("CLEARINGHUIS_TERMIJNEN_RAPPEL_AANSPRAKELIJKHEID", "7")
        .output()
        .expect("clearinghuis runs");
    assert!(
        uit.status.success(),
        "{}",
        String::from_utf8_lossy(&uit.stderr)
    );
    let tijden: Vec<String> = String::from_utf8_lossy(&uit.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Logregel>(l).expect("a log line"))
        .filter(|r| r.xml.contains("<Rappel>"))
        .map(|r| clearinghuis::bericht::tijdstip::format(&r.at))
        .collect();
    // Every 7 days until V acts on 03-12: 9 rappels, each with its copy.
    assert_eq!(tijden.len(), 18, "{tijden:?}");
    assert_eq!(
        tijden[..4],
        [
            "2026-01-12T09:00:00+01:00",
            "2026-01-12T09:00:00+01:00",
            "2026-01-19T09:00:00+01:00",
            "2026-01-19T09:00:00+01:00"
        ]
    );
}

/// The store keeps a claim as JSON: every claim of every fixture survives the
/// round trip unchanged (timers, settlements and money included).
#[test]
fn claims_overleven_json() {
    use clearinghuis::deelnemers::Deelnemers;
    use clearinghuis::engine::{Claim, Context, Instellingen};
    use clearinghuis::hub::Hub;
    use clearinghuis::replay::{Opties, speel};
    let deelnemers = Deelnemers::laad(&deelnemers()).expect("participants");
    let instellingen = Instellingen::default();
    let ctx = Context {
        deelnemers: &deelnemers,
        instellingen: &instellingen,
    };
    let mut aantal = 0;
    for log in gesprekken() {
        let mut hub = Hub::new(common::pipeline(), ctx);
        let tekst = std::fs::read_to_string(&log).expect("readable");
        speel(
            &mut hub,
            tekst.as_bytes(),
            &mut std::io::sink(),
            Opties::default(),
            &mut |_| {},
        )
        .expect("replays");
        for c in hub.toestand.claims() {
            let json = serde_json::to_string(c).expect("serialises");
            let terug: Claim = serde_json::from_str(&json).expect("deserialises");
            assert_eq!(&terug, c, "{}", log.display());
            aantal += 1;
        }
    }
    assert!(aantal > 50, "{aantal}");
}
