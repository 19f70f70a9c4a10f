//! The exported message log is faithful (issue 15, item 6): the real
//! `clearinghuis serve` takes every kind of input the hub refuses (every
//! file of `fixtures/invalid/`, bytes that are not UTF-8, a message over
//! 10 MiB, a FIFO and a link, a foreign Afzender, a reused BerichtId, a
//! duplicate), between valid messages, on both stores; `log export` writes
//! each as the hub saw it (`xml_base64`, `size`/`sha256`, `unreadable`) and
//! `replay --verify` of the export reproduces every answer, so the claims
//! after the refusals get the same numbers as they did live.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use clearinghuis::hub::{Logregel, Richting};
use common::hub::{Hub, zet_neer};
use common::last::{A, V, aanmelding};

/// An InformatieAanlevering of `bytes` bytes (the example's attachment made larger).
fn grote_aanlevering(bytes: usize) -> Vec<u8> {
    let voorbeeld =
        std::fs::read_to_string(common::root().join("fixtures/spec/07-informatieaanlevering.xml"))
            .expect("example");
    let begin = voorbeeld.find("<Inhoud>").expect("Inhoud") + "<Inhoud>".len();
    let eind = voorbeeld.find("</Inhoud>").expect("/Inhoud");
    let rest = voorbeeld.len() - (eind - begin);
    let mut uit = voorbeeld.as_bytes()[..begin].to_vec();
    uit.resize(bytes - (voorbeeld.len() - eind), b'Q');
    uit.extend_from_slice(&voorbeeld.as_bytes()[eind..]);
    assert_eq!(uit.len(), bytes);
    assert!(rest < bytes);
    uit
}

/// Drops one file and waits until the hub took it.
fn neer(hub: &Hub, code: &str, naam: &str, bytes: &[u8]) {
    zet_neer(&hub.in_map(code), naam, bytes);
    wacht_tot_genomen(hub, naam);
}

fn wacht_tot_genomen(hub: &Hub, naam: &str) {
    assert!(
        hub.wacht(Duration::from_secs(30), |h| h.wachtend() == 0),
        "{naam} was not taken"
    );
}

fn speel_alles(hub: &Hub) {
    neer(hub, V, "begin.xml", aanmelding(1).as_bytes());
    let mut ongeldig: Vec<PathBuf> = common::xml_in(&common::root().join("fixtures/invalid"));
    ongeldig.sort();
    for (i, pad) in ongeldig.iter().enumerate() {
        let bytes = std::fs::read(pad).expect("fixture");
        neer(hub, V, &format!("ongeldig-{i:02}.xml"), &bytes);
    }
    // Over 10 MiB: only its start is kept.
    neer(hub, V, "groot.xml", &grote_aanlevering(12 * 1024 * 1024));
    // Over 1 MiB and not an InformatieAanlevering.
    let mut aanmelding_2mib = aanmelding(5).into_bytes();
    aanmelding_2mib.resize(2 * 1024 * 1024, b'\n');
    neer(hub, V, "aanmelding-2mib.xml", &aanmelding_2mib);
    // Not readable as a file: a FIFO and a link.
    let in_v = hub.in_map(V);
    let status = std::process::Command::new("mkfifo")
        .arg(hub.map.join("pijp.xml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    std::fs::rename(hub.map.join("pijp.xml"), in_v.join("pijp.xml")).expect("moved");
    wacht_tot_genomen(hub, "pijp.xml");
    std::os::unix::fs::symlink("/etc/hostname", hub.map.join("link.xml")).expect("link");
    std::fs::rename(hub.map.join("link.xml"), in_v.join("link.xml")).expect("moved");
    wacht_tot_genomen(hub, "link.xml");
    // V's message in A's folder (A01), a duplicate, a reused BerichtId (T05).
    neer(hub, A, "vreemd.xml", aanmelding(6).as_bytes());
    neer(hub, V, "dubbel.xml", aanmelding(1).as_bytes());
    let anders = aanmelding(1).replace("2026-11-02", "2026-11-03");
    neer(hub, V, "t05.xml", anders.as_bytes());
    // A valid claim after all that: numbered as it was live.
    neer(hub, V, "eind.xml", aanmelding(2).as_bytes());
}

fn controleer(hub: &mut Hub) {
    assert!(
        hub.wacht(Duration::from_secs(20), |h| {
            h.antwoorden()
                .iter()
                .any(|(_, _, x)| x.contains("<InAntwoordOp>VS-C-2</InAntwoordOp>"))
        }),
        "the last claim was not answered"
    );
    assert!(hub.stop().success());
    let log: Vec<Logregel> = hub.export();
    let binnen: Vec<&Logregel> = log.iter().filter(|r| r.direction == Richting::In).collect();
    assert!(
        binnen.iter().filter(|r| r.ruw.is_some()).count() >= 3,
        "bytes that are not UTF-8 are kept as they are"
    );
    let tekst = std::fs::read_to_string(hub.map.join("export.jsonl")).expect("export");
    assert!(tekst.contains("\"xml_base64\":"));
    let groot: Vec<&&Logregel> = binnen.iter().filter(|r| r.size.is_some()).collect();
    assert!(groot.len() >= 3, "{}", groot.len());
    assert!(
        groot
            .iter()
            .all(|r| r.bytes().len() <= 64 * 1024 && r.sha256.is_some())
    );
    assert!(groot.iter().any(|r| r.size == Some(12 * 1024 * 1024)));
    let onleesbaar: Vec<&str> = binnen
        .iter()
        .filter_map(|r| r.unreadable.as_deref())
        .collect();
    assert_eq!(onleesbaar.len(), 2, "{onleesbaar:?}");
    // Each line reads back as written.
    for l in tekst.lines() {
        let r: Logregel = serde_json::from_str(l).expect("a log line");
        assert_eq!(r.als_json(), l);
    }
    hub.export_verifieert(&["--state", "staat.json"])
        .expect("the export of every refused input verifies");
    let staat: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(hub.map.join("staat.json")).expect("state"))
            .expect("json");
    let claims: Vec<&str> = staat
        .as_array()
        .expect("claims")
        .iter()
        .map(|c| c["schadenummerVerhaler"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(claims, ["VS-C-1", "VS-C-2"], "only the valid claims exist");
}

#[test]
fn elke_weigering_exporteert_en_speelt_opnieuw_af_sqlite() {
    let mut hub = Hub::nieuw("export-sqlite");
    hub.start();
    speel_alles(&hub);
    controleer(&mut hub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elke_weigering_exporteert_en_speelt_opnieuw_af_postgres() {
    let (url, _db) = common::pg::verse_database().await;
    tokio::task::spawn_blocking(move || {
        let mut hub = Hub::nieuw("export-pg");
        hub.omgeving.push(("CLEARINGHUIS_STORE_URL".into(), url));
        hub.start();
        speel_alles(&hub);
        controleer(&mut hub);
    })
    .await
    .expect("the test ran");
}
