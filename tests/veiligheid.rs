//! Hostile input: entity expansion, external entities, XInclude and
//! processing instructions are refused with T06 before libxml2 sees the bytes,
//! nothing is expanded or fetched, and no input makes the pipeline panic.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;

use clearinghuis::bericht::Foutcode;
use clearinghuis::codec::{Oordeel, Pipeline, Toegestaan};

/// A fresh pipeline per test, so the libxml2 counter belongs to this test alone.
fn eigen_pipeline() -> Pipeline {
    Pipeline::met_threads(1).expect("validator starts")
}

/// A named pipe: opening it for reading would unblock the writer thread.
/// Returns the path and a receiver that gets a message if anyone opened it.
fn valstrik(naam: &str) -> (PathBuf, mpsc::Receiver<()>) {
    let dir = std::env::temp_dir().join(format!(
        "clearinghuis-valstrik-{}-{naam}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pad = dir.join("geheim");
    let status = Command::new("mkfifo")
        .arg(&pad)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo failed");
    let (tx, rx) = mpsc::channel();
    let schrijf_pad = pad.clone();
    std::thread::spawn(move || {
        // Blocks until a reader opens the FIFO.
        if std::fs::OpenOptions::new()
            .write(true)
            .open(&schrijf_pad)
            .is_ok()
        {
            let _ = tx.send(());
        }
    });
    (pad, rx)
}

/// Releases the writer thread of a FIFO nobody opened.
fn sluit_valstrik(pad: &PathBuf) {
    let _ = std::fs::OpenOptions::new()
        .read(true)
        .open(pad)
        .map(|mut f| {
            let mut v = Vec::new();
            let _ = f.read_to_end(&mut v);
        });
    let _ = std::fs::remove_dir_all(pad.parent().expect("dir"));
}

fn aanmelding_met(doctype: &str, locatie: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<Bericht xmlns="urn:clearinghuis-regres:berichten:1" versie="1">
  <Kop>
    <BerichtId>AANVAL-1</BerichtId>
    <Afzender>CR-00820000</Afzender>
    <Ontvanger>CR-HUB</Ontvanger>
    <Tijdstip>2026-03-02T09:15:00+01:00</Tijdstip>
  </Kop>
  <Aanmelding>
    <Voorval>
      <Schadedatum>2026-02-27</Schadedatum>
      <Locatie>{locatie}</Locatie>
      <Schadeformulier>BeidePartijenOndertekend</Schadeformulier>
    </Voorval>
    <VerhalendePartij><Kenteken>12-ABC-3</Kenteken><Schadenummer>S-1</Schadenummer><Dekking>CASCO</Dekking></VerhalendePartij>
    <AansprakelijkePartij><Deelnemer>CR-00510000</Deelnemer><Kenteken>GB-123-X</Kenteken></AansprakelijkePartij>
  </Aanmelding>
</Bericht>
"#
    )
}

fn verwacht_t06(pipeline: &Pipeline, bytes: &[u8]) {
    let w = pipeline
        .controleer(bytes, Toegestaan::Inkomend)
        .expect("validator running")
        .expect_err("must be refused");
    assert!(
        w.problemen.iter().all(|p| p.code == Foutcode::T06),
        "expected T06 only: {w:?}"
    );
    assert_eq!(
        w.bericht_id.as_ref().map(|b| b.as_str()),
        Some("AANVAL-1"),
        "the BerichtId is still read, without expanding"
    );
    assert_eq!(
        pipeline.validator().beoordeeld(),
        0,
        "the document reached libxml2"
    );
}

#[test]
fn billion_laughs_wordt_niet_uitgebreid() {
    let mut dtd = String::from("<!DOCTYPE Bericht [\n  <!ENTITY lol \"lol\">\n");
    dtd.push_str("  <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let vorige = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("  <!ENTITY lol{i} \"{vorige}\">\n"));
    }
    dtd.push(']');
    dtd.push('>');
    let bericht = aanmelding_met(&dtd, "&lol9;");
    let pipeline = eigen_pipeline();
    let begin = std::time::Instant::now();
    verwacht_t06(&pipeline, bericht.as_bytes());
    // Not a performance target: a refusal that expanded 10^9 entities would take
    // minutes and gigabytes; this bound only catches that.
    assert!(begin.elapsed() < Duration::from_secs(5));
}

#[test]
fn externe_entiteit_wordt_niet_gelezen() {
    let (pad, geopend) = valstrik("xxe");
    let dtd = format!(
        "<!DOCTYPE Bericht [<!ENTITY xxe SYSTEM \"file://{}\">]>",
        pad.display()
    );
    let pipeline = eigen_pipeline();
    verwacht_t06(&pipeline, aanmelding_met(&dtd, "&xxe;").as_bytes());
    assert!(
        geopend.recv_timeout(Duration::from_millis(300)).is_err(),
        "the external entity was opened"
    );
    sluit_valstrik(&pad);
}

#[test]
fn externe_dtd_over_het_net_wordt_niet_opgehaald() {
    let luisteraar = TcpListener::bind("127.0.0.1:0").expect("bind");
    luisteraar.set_nonblocking(true).expect("nonblocking");
    let poort = luisteraar.local_addr().expect("addr").port();
    let dtd = format!("<!DOCTYPE Bericht SYSTEM \"http://127.0.0.1:{poort}/kwaad.dtd\">");
    let pipeline = eigen_pipeline();
    verwacht_t06(&pipeline, aanmelding_met(&dtd, "Utrecht").as_bytes());
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        luisteraar.accept().is_err(),
        "someone connected to fetch the DTD"
    );
}

#[test]
fn xinclude_wordt_niet_uitgevoerd() {
    let (pad, geopend) = valstrik("xinclude");
    let locatie = format!(
        r#"<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{}" parse="text"/>"#,
        pad.display()
    );
    let pipeline = eigen_pipeline();
    verwacht_t06(&pipeline, aanmelding_met("", &locatie).as_bytes());
    assert!(
        geopend.recv_timeout(Duration::from_millis(300)).is_err(),
        "the XInclude target was opened"
    );
    sluit_valstrik(&pad);
}

#[test]
fn verwerkingsinstructie_en_kleine_letters_doctype() {
    let pipeline = eigen_pipeline();
    verwacht_t06(
        &pipeline,
        aanmelding_met(
            "<?xml-stylesheet href=\"x.xsl\" type=\"text/xsl\"?>",
            "Utrecht",
        )
        .as_bytes(),
    );
    verwacht_t06(
        &pipeline,
        aanmelding_met("<!doctype Bericht>", "Utrecht").as_bytes(),
    );
    verwacht_t06(
        &pipeline,
        aanmelding_met("", "Utrecht<?php echo 1; ?>").as_bytes(),
    );
}

/// Defence in depth: even if a DOCTYPE slipped past the pre-parse check,
/// libxml2 itself loads no external entity or DTD (no NOENT, no DTDLOAD, and
/// the hub's entity loader refuses everything).
#[test]
fn libxml2_zelf_haalt_niets_op() {
    let (pad, geopend) = valstrik("libxml");
    let pipeline = eigen_pipeline();
    let bericht = aanmelding_met(
        &format!(
            "<!DOCTYPE Bericht SYSTEM \"file://{0}\" [<!ENTITY xxe SYSTEM \"file://{0}\">]>",
            pad.display()
        ),
        "&xxe;",
    );
    let oordeel = pipeline
        .validator()
        .beoordeel(Arc::from(bericht.as_bytes()), true)
        .expect("validator running");
    assert_ne!(oordeel, Oordeel::Geldig);
    assert!(
        geopend.recv_timeout(Duration::from_millis(300)).is_err(),
        "libxml2 opened the external entity or DTD"
    );
    sluit_valstrik(&pad);
}

fn mutaties() -> impl Strategy<Value = Vec<u8>> {
    let voorbeelden: Vec<Vec<u8>> = common::voorbeelden()
        .iter()
        .map(|p| std::fs::read(p).expect("example"))
        .collect();
    (
        proptest::sample::select(voorbeelden),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
    )
        .prop_map(|(mut bytes, wijzigingen)| {
            for (plek, byte, soort) in wijzigingen {
                if bytes.is_empty() {
                    break;
                }
                let i = plek.index(bytes.len());
                match soort {
                    0 => bytes[i] = byte,
                    1 => {
                        bytes.remove(i);
                    }
                    2 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// No byte sequence makes the pipeline panic, and every refusal says why.
    #[test]
    fn verminkte_berichten_laten_niets_vallen(bytes in mutaties()) {
        match common::controleer(&bytes, Toegestaan::Inkomend) {
            Ok(_) => {}
            Err(w) => {
                prop_assert!(!w.problemen.is_empty());
                let code = w.problemen[0].code;
                prop_assert!(w.problemen.iter().all(|p| p.code == code), "mixed codes: {:?}", w);
                prop_assert!(w.problemen.iter().all(|p| !p.tekst.trim().is_empty()));
            }
        }
    }

    #[test]
    fn willekeurige_bytes_laten_niets_vallen(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let uitslag = common::controleer(&bytes, Toegestaan::Alle);
        prop_assert!(uitslag.is_err());
    }
}
