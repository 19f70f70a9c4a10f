//! Typed messages: every example and fixture reads, writes and reads back to
//! the same value; everything written is valid against the project's own XSD;
//! generated values of every message type do the same (proptest).

mod common;

use chrono::{FixedOffset, TimeZone};
use proptest::prelude::*;

use clearinghuis::bericht::{self, xml, *};
use clearinghuis::codec::Toegestaan;
use common::{controleer, genereer};

fn rondreis(naam: &str, bytes: &[u8]) {
    let gelezen =
        controleer(bytes, Toegestaan::Alle).unwrap_or_else(|w| panic!("{naam} refused: {w:?}"));
    let geschreven = xml::schrijf(&gelezen).expect("writes");
    let opnieuw = controleer(geschreven.as_bytes(), Toegestaan::Alle)
        .unwrap_or_else(|w| panic!("{naam}: what we wrote is refused: {w:?}\n{geschreven}"));
    assert_eq!(
        gelezen, opnieuw,
        "{naam}: read → write → read changed the value"
    );
    assert_eq!(
        xml::schrijf(&opnieuw).expect("writes"),
        geschreven,
        "{naam}: writing is not stable"
    );
}

#[test]
fn voorbeelden_uit_de_spec_lezen_schrijven_lezen() {
    let bestanden = common::voorbeelden();
    assert_eq!(bestanden.len(), 21);
    for pad in bestanden {
        let bytes = std::fs::read(&pad).expect("readable");
        rondreis(&pad.display().to_string(), &bytes);
        // The normative examples are inbound messages and must pass the inbound rules too.
        controleer(&bytes, Toegestaan::Inkomend)
            .unwrap_or_else(|w| panic!("{}: {w:?}", pad.display()));
    }
}

#[test]
fn geldige_fixtures_lezen_schrijven_lezen() {
    let bestanden = common::fixtures("valid");
    let mut soorten = std::collections::BTreeSet::new();
    for pad in bestanden {
        let bytes = std::fs::read(&pad).expect("readable");
        rondreis(&pad.display().to_string(), &bytes);
        let b = controleer(&bytes, Toegestaan::Alle).expect("valid");
        soorten.insert(b.inhoud.naam());
    }
    for (soort, _) in BERICHTSOORTEN {
        assert!(soorten.contains(soort), "fixtures/valid has no {soort}");
    }
}

#[test]
fn waarden_uit_het_voorbeeld_zijn_getypeerd() {
    let bytes = std::fs::read(common::root().join("fixtures/spec/03-aansprakelijkstelling.xml"))
        .expect("example");
    let b = controleer(&bytes, Toegestaan::Inkomend).expect("valid");
    assert_eq!(b.kop.bericht_id.as_str(), "VS-2026-000102");
    assert_eq!(
        b.kop.tijdstip,
        FixedOffset::east_opt(3600)
            .and_then(|o| o.with_ymd_and_hms(2026, 3, 3, 14, 30, 0).single())
            .expect("time")
    );
    let Inhoud::Aansprakelijkstelling(a) = b.inhoud else {
        panic!("wrong body")
    };
    assert_eq!(a.ovs_code, OvsCode::Een);
    assert_eq!(a.verhaalpercentage, Verhaalpercentage::Honderd);
    let spec = a.schadespecificatie.expect("specification");
    let totaal: rust_decimal::Decimal = spec.component.iter().map(|c| c.bedrag.waarde()).sum();
    assert_eq!(totaal.to_string(), "3715.20");
    assert_eq!(a.betaalbaar_stellen, Some(false));
    assert!(matches!(b.kop.claim, Some(ClaimBlok::Sleutel { .. })));
}

#[test]
fn codelijsten_gelijk_aan_xsd_enumeraties() {
    let xsd = clearinghuis::schemas::enumeraties().expect("schemas read");
    let rust = bericht::alle_codelijsten();
    for (naam, waarden) in &rust {
        let in_xsd = xsd
            .get(*naam)
            .unwrap_or_else(|| panic!("XSD has no enumeration {naam}"));
        assert_eq!(
            in_xsd, waarden,
            "code list {naam} differs between Rust and XSD"
        );
    }
    let behandeld: Vec<&str> = rust.iter().map(|(n, _)| *n).collect();
    for naam in xsd.keys() {
        assert!(
            naam == "Versie" || behandeld.contains(&naam.as_str()),
            "XSD enumeration {naam} has no Rust enum"
        );
    }
}

#[test]
fn berichtsoorten_gelijk_aan_xsd() {
    // The generated docs list the body choice of the XSD; the Rust enum must have the same.
    let docs = clearinghuis::schemas::documentatie().expect("docs");
    for (soort, _) in BERICHTSOORTEN {
        assert!(
            docs.contains(&format!("## {soort}\n")),
            "{soort} missing from the XSD body choice"
        );
    }
    assert_eq!(
        docs.matches("\n## ").count(),
        BERICHTSOORTEN.len() + 1,
        "XSD has body types the Rust enum lacks"
    );
}

#[test]
fn documentatie_is_actueel() {
    let verwacht = clearinghuis::schemas::documentatie().expect("docs");
    let pad = common::root().join("docs/berichten.md");
    let huidig = std::fs::read_to_string(&pad).unwrap_or_default();
    assert!(
        huidig == verwacht,
        "docs/berichten.md is out of date with schemas/: run `cargo run -- schema docs > docs/berichten.md`"
    );
}

#[test]
fn foutbericht_uit_weigering_is_geldig() {
    let fout = controleer(b"<Bericht xmlns=\"urn:clearinghuis-regres:berichten:1\" versie=\"1\"><Kop><BerichtId>X-1</BerichtId></Kop></Bericht>", Toegestaan::Inkomend)
        .expect_err("incomplete Kop is refused");
    assert_eq!(fout.bericht_id.as_ref().map(|b| b.as_str()), Some("X-1"));
    let mut weigering = fout.clone();
    // Long and awkward texts are cut to fit the schema, never refused by it.
    weigering.problemen.push(
        Probleem::new(Foutcode::F05, "€".repeat(5000))
            .met_pad(Some("/a".repeat(300)))
            .op(Some(0), Some(3)),
    );
    let tijd = FixedOffset::east_opt(3600)
        .and_then(|o| o.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single())
        .expect("time");
    let b = weigering.foutbericht(Adressering {
        bericht_id: BerichtId::hub(42),
        ontvanger: Deelnemercode::new("CR-00820000").expect("code"),
        tijdstip: tijd,
        claim: None,
    });
    let tekst = xml::schrijf(&b).expect("writes");
    let terug = controleer(tekst.as_bytes(), Toegestaan::Alle)
        .unwrap_or_else(|w| panic!("Foutbericht invalid: {w:?}\n{tekst}"));
    assert_eq!(
        terug.kop.in_antwoord_op.as_ref().map(|b| b.as_str()),
        Some("X-1")
    );
    assert_eq!(terug.kop.bericht_id.as_str(), "CR-HUB-0000000042");
    let Inhoud::Foutbericht(f) = terug.inhoud else {
        panic!("not a Foutbericht")
    };
    assert_eq!(f.bericht_id.as_ref().map(|b| b.as_str()), Some("X-1"));
    assert_eq!(f.fout.len(), weigering.problemen.len());
    assert!(
        f.fout
            .iter()
            .take(fout.problemen.len())
            .all(|x| x.code == Foutcode::T02)
    );
    let laatste = f.fout.last().expect("one");
    assert_eq!(laatste.code, Foutcode::F05);
    assert_eq!(laatste.omschrijving.as_str().chars().count(), 2000);
    assert_eq!(laatste.regel, None, "line 0 is not a line");
    assert_eq!(laatste.kolom, Some(3));
}

#[test]
fn foutbericht_met_meer_dan_honderd_fouten_blijft_geldig() {
    let w = Weigering {
        bericht_id: None,
        problemen: (0..250)
            .map(|i| Probleem::new(Foutcode::T02, format!("problem {i}")))
            .collect(),
    };
    let tijd = FixedOffset::east_opt(0)
        .and_then(|o| o.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single())
        .expect("time");
    let b = w.foutbericht(Adressering {
        bericht_id: BerichtId::hub(1),
        ontvanger: Deelnemercode::new("CR-00510000").expect("code"),
        tijdstip: tijd,
        claim: None,
    });
    let tekst = xml::schrijf(&b).expect("writes");
    let terug = controleer(tekst.as_bytes(), Toegestaan::Alle).expect("valid");
    let Inhoud::Foutbericht(f) = terug.inhoud else {
        panic!("not a Foutbericht")
    };
    assert_eq!(f.fout.len(), 100);
    assert_eq!(terug.kop.in_antwoord_op, None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn gegenereerde_berichten_zijn_geldig_en_lezen_terug(b in genereer::bericht()) {
        let tekst = xml::schrijf(&b).expect("writes");
        let terug = controleer(tekst.as_bytes(), Toegestaan::Alle);
        prop_assert!(terug.is_ok(), "written message refused by our XSD: {:?}\n{}", terug.err(), tekst);
        prop_assert_eq!(terug.expect("checked"), b);
    }
}
