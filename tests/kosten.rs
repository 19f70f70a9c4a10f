//! Bounded cost per message (issue 15, item 5): the caps of the first pass.
//!
//! Each hostile shape just over a cap is refused T03 with a text that names
//! the limit and the line and column where it was crossed; the same shape
//! just under the cap gets its ordinary verdict; every normative example and
//! valid fixture, and the largest valid inbound messages, stay under every
//! cap; the issue's own inputs are refused T03; and the lists of free-text
//! elements and the attachment's place agree with the XSD. No timing here:
//! `benches/kosten.rs` measures the costs.

mod common;

use std::collections::BTreeMap;

use clearinghuis::bericht::{Foutcode, Weigering};
use clearinghuis::codec::Toegestaan;
use clearinghuis::codec::scan::{
    BASE64_PER_WITRUIMTE, BIJLAGE, GEWICHT_CR, MAX_ATTRIBUTEN, MAX_ATTRIBUTEN_TOTAAL,
    MAX_ATTRIBUUTWAARDE, MAX_BYTES, MAX_DIEPTE, MAX_ELEMENTEN, MAX_NAMESPACES, MAX_OVERIGE_KNOPEN,
    MAX_TEKENS, MAX_TEKST, MAX_TEKST_KORT, Positie, VRIJE_TEKST, positie_van,
};
use quick_xml::events::Event;

const KOP: &str = "<Kop><BerichtId>KOSTEN-1</BerichtId><Afzender>CR-00820000</Afzender><Ontvanger>CR-HUB</Ontvanger><Tijdstip>2026-03-02T09:15:00+01:00</Tijdstip><Claim><ClaimId>CL-00000007</ClaimId></Claim></Kop>";
/// The root and the Kop's elements.
const KOP_ELEMENTEN: usize = 8;

fn bericht_met(wortel_attributen: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bericht xmlns=\"urn:clearinghuis-regres:berichten:1\" versie=\"1\"{wortel_attributen}>\n{KOP}\n{body}\n</Bericht>\n"
    )
}

fn bericht(body: &str) -> String {
    bericht_met("", body)
}

/// An Afmelding whose explanation is `toelichting` (valid up to 2000 characters).
fn afmelding(toelichting: &str) -> String {
    bericht(&format!(
        "<Afmelding><Reden>M17</Reden><Toelichting>{toelichting}</Toelichting></Afmelding>"
    ))
}

fn controleer(x: &str) -> Result<(), Weigering> {
    common::controleer(x.as_bytes(), Toegestaan::Inkomend).map(|_| ())
}

/// Refused T03, one problem, naming `grens` (the text) and at the position of
/// byte `offset`; the BerichtId is read when the cap lies past the Kop.
fn verwacht_t03(x: &str, grens: &str, offset: usize) {
    let w = controleer(x).expect_err("must be refused");
    assert_eq!(w.problemen.len(), 1, "{w:?}");
    let p = &w.problemen[0];
    assert_eq!(p.code, Foutcode::T03, "{w:?}");
    assert!(
        p.tekst.contains(grens) && p.tekst.contains("the maximum is"),
        "the text names the limit ({grens}): {}",
        p.tekst
    );
    let Positie { regel, kolom } = positie_van(x.as_bytes(), offset);
    assert_eq!(
        (p.regel, p.kolom),
        (Some(regel), Some(kolom)),
        "{}",
        p.tekst
    );
    let na_kop = x.find("</Kop>").is_some_and(|k| offset > k);
    assert_eq!(
        w.bericht_id.as_ref().map(|b| b.as_str()),
        na_kop.then_some("KOSTEN-1"),
        "the BerichtId is read when the scan got past the Kop"
    );
}

/// Not refused for a cap: accepted, or refused with `code`.
fn verwacht(x: &str, code: Option<Foutcode>) {
    match (controleer(x), code) {
        (Ok(()), None) => {}
        (Err(w), Some(c)) => assert_eq!(w.hoofdcode(), c, "{w:?}"),
        (uitslag, _) => panic!("expected {code:?}, got {uitslag:?}"),
    }
}

/// Byte offset of the `n`-th (0-based) occurrence of `naald`.
fn plek(x: &str, naald: &str, n: usize) -> usize {
    x.match_indices(naald)
        .nth(n)
        .unwrap_or_else(|| panic!("no {naald} #{n}"))
        .0
}

#[test]
fn elementen() {
    // The Afmelding and its Reden, then unknown siblings up to the cap.
    let broers = |n: usize| {
        bericht(&format!(
            "<Afmelding><Reden>M11</Reden>{}</Afmelding>",
            "<a/>".repeat(n)
        ))
    };
    let vrij = MAX_ELEMENTEN - KOP_ELEMENTEN - 2;
    verwacht(&broers(vrij), Some(Foutcode::T02));
    let x = broers(vrij + 1);
    verwacht_t03(
        &x,
        &format!("more than {MAX_ELEMENTEN} elements"),
        plek(&x, "<a/>", vrij),
    );
}

#[test]
fn nesting() {
    // Body at depth 2; a chain below it to exactly the cap, then one more.
    let keten = |diepte: usize| {
        bericht(&format!(
            "<Afmelding>{}{}</Afmelding>",
            "<a>".repeat(diepte - 2),
            "</a>".repeat(diepte - 2)
        ))
    };
    verwacht(&keten(MAX_DIEPTE), Some(Foutcode::T02));
    let x = keten(MAX_DIEPTE + 1);
    verwacht_t03(
        &x,
        &format!("more than {MAX_DIEPTE} nested elements"),
        plek(&x, "<a>", MAX_DIEPTE - 2),
    );
}

#[test]
fn attributen_per_element() {
    let met = |n: usize| {
        let a: String = (0..n).map(|i| format!(" a{i}=\"x\"")).collect();
        bericht(&format!("<Afmelding><Reden{a}>M11</Reden></Afmelding>"))
    };
    verwacht(&met(MAX_ATTRIBUTEN), Some(Foutcode::T02));
    let x = met(MAX_ATTRIBUTEN + 1);
    verwacht_t03(
        &x,
        &format!("more than {MAX_ATTRIBUTEN} attributes on element 'Reden'"),
        plek(&x, &format!(" a{MAX_ATTRIBUTEN}="), 0) + 1,
    );
}

#[test]
fn attributen_in_het_bericht() {
    // The root has two; the rest one per element.
    let met = |n: usize| {
        bericht(&format!(
            "<Afmelding><Reden>M11</Reden>{}</Afmelding>",
            "<a b=\"c\"/>".repeat(n)
        ))
    };
    verwacht(&met(MAX_ATTRIBUTEN_TOTAAL - 2), Some(Foutcode::T02));
    let x = met(MAX_ATTRIBUTEN_TOTAAL - 1);
    verwacht_t03(
        &x,
        &format!("more than {MAX_ATTRIBUTEN_TOTAAL} attributes in the message"),
        plek(&x, " b=", MAX_ATTRIBUTEN_TOTAAL - 2) + 1,
    );
}

#[test]
fn namespaces_in_scope() {
    // Unused declarations are valid. In scope at Reden: the root's default
    // and 14 more, the Afmelding's 16, and Reden's own.
    let met = |op_reden: usize| {
        let decl = |p: &str, n: usize| -> String {
            (0..n)
                .map(|i| format!(" xmlns:{p}{i}=\"urn:{p}:{i}\""))
                .collect()
        };
        bericht_met(
            &decl("w", MAX_ATTRIBUTEN - 2),
            &format!(
                "<Afmelding{}><Reden{}>M11</Reden></Afmelding>",
                decl("a", MAX_ATTRIBUTEN),
                decl("r", op_reden)
            ),
        )
    };
    let in_scope = 1 + (MAX_ATTRIBUTEN - 2) + MAX_ATTRIBUTEN;
    verwacht(&met(MAX_NAMESPACES - in_scope), None);
    let x = met(MAX_NAMESPACES - in_scope + 1);
    verwacht_t03(
        &x,
        &format!("more than {MAX_NAMESPACES} namespace declarations in scope"),
        plek(&x, "<Reden", 0),
    );
}

#[test]
fn attribuutwaarde() {
    // An unused namespace declaration: valid at any length under the cap.
    // A reference counts as one character.
    let met = |n: usize| {
        let waarde = format!("urn:&amp;{}", "x".repeat(n - 5));
        bericht_met(
            &format!(" xmlns:lang=\"{waarde}\""),
            "<Afmelding><Reden>M11</Reden></Afmelding>",
        )
    };
    verwacht(&met(MAX_ATTRIBUUTWAARDE), None);
    let x = met(MAX_ATTRIBUUTWAARDE + 1);
    // The character past the cap is the value's last.
    verwacht_t03(
        &x,
        &format!("has more than {MAX_ATTRIBUUTWAARDE} characters"),
        plek(&x, "x\">", 0),
    );
}

#[test]
fn korte_tekst() {
    // Locatie allows 200 characters: T02 up to the cap of 256, then T03.
    // A reference counts as one character, CR LF as one.
    let met = |n: usize| {
        let tekst = format!("&amp;\r\n{}", "é".repeat(n - 2));
        bericht(&format!(
            "<Aanmelding><Voorval><Schadedatum>2026-02-27</Schadedatum><Locatie>{tekst}</Locatie><Schadeformulier>NietAanwezig</Schadeformulier></Voorval><VerhalendePartij><Kenteken>12-ABC-3</Kenteken><Schadenummer>S-1</Schadenummer><Dekking>CASCO</Dekking></VerhalendePartij><AansprakelijkePartij><Deelnemer>CR-00510000</Deelnemer><Kenteken>GB-123-X</Kenteken></AansprakelijkePartij></Aanmelding>"
        ))
    };
    verwacht(&met(MAX_TEKST_KORT), Some(Foutcode::T02));
    let x = met(MAX_TEKST_KORT + 1);
    verwacht_t03(
        &x,
        &format!("more than {MAX_TEKST_KORT} characters of text in element 'Locatie'"),
        plek(&x, "é</Locatie>", 0),
    );
}

#[test]
fn vrije_tekst() {
    // 2000 characters is valid, also with CR LF line ends (one character
    // each) and references; up to the cap it is T02, past it T03.
    verwacht(&afmelding(&"x\r\n".repeat(1000)), None);
    verwacht(
        &afmelding(&format!("{}{}", "&#233;".repeat(100), "y".repeat(1900))),
        None,
    );
    verwacht(&afmelding(&"x".repeat(MAX_TEKST)), Some(Foutcode::T02));
    let x = afmelding(&"x".repeat(MAX_TEKST + 1));
    verwacht_t03(
        &x,
        &format!("more than {MAX_TEKST} characters of text in element 'Toelichting'"),
        plek(&x, "x</Toelichting>", 0),
    );
    // CDATA and text together form one value, comments do not split it.
    let x = afmelding(&format!(
        "{}<!-- -->{}<![CDATA[{}]]>",
        "x".repeat(1000),
        "y".repeat(1000),
        "z".repeat(MAX_TEKST - 1999)
    ));
    verwacht_t03(&x, &format!("more than {MAX_TEKST}"), plek(&x, "z]]>", 0));
}

#[test]
fn witruimte_tussen_elementen_is_vrij_maar_niet_in_een_waarde() {
    let inspringing = " ".repeat(MAX_TEKST * 2);
    verwacht(
        &bericht(&format!(
            "<Afmelding>{inspringing}<Reden>M17</Reden>{inspringing}<Toelichting>x</Toelichting>{inspringing}</Afmelding>"
        )),
        None,
    );
    // Inside an element without children it is part of the value.
    let x = bericht(&format!(
        "<Afmelding><Reden>M11</Reden><Toelichting>{}</Toelichting></Afmelding>",
        " ".repeat(MAX_TEKST + 1)
    ));
    verwacht_t03(
        &x,
        "characters of text in element 'Toelichting'",
        plek(&x, " </Toelichting>", 0),
    );
}

#[test]
fn tekens_buiten_bijlagen() {
    // The whole message, a comment filling it to exactly the cap, then one more.
    let met = |n: usize| {
        let x = afmelding("x");
        let leeg = x.chars().count() + "<!---->".len();
        let plek = x.find("</Bericht>").expect("end");
        format!(
            "{}<!--{}-->{}",
            &x[..plek],
            "€".repeat(n - leeg),
            &x[plek..]
        )
    };
    verwacht(&met(MAX_TEKENS), None);
    let x = met(MAX_TEKENS + 1);
    // Every character counts, markup included: the one past the cap is the last.
    let (voorbij, _) = x.char_indices().nth(MAX_TEKENS).expect("long enough");
    verwacht_t03(
        &x,
        &format!("more than {MAX_TEKENS} characters outside attachments"),
        voorbij,
    );
}

#[test]
fn commentaar_cdata_en_verwijzingen() {
    let met = |commentaar: usize, cdata: usize, refs: usize| {
        afmelding(&format!(
            "{}{}{}",
            "<!--c-->".repeat(commentaar),
            "<![CDATA[d]]>".repeat(cdata),
            "&lt;".repeat(refs)
        ))
    };
    let derde = MAX_OVERIGE_KNOPEN / 3;
    verwacht(&met(derde, derde, MAX_OVERIGE_KNOPEN - 2 * derde), None);
    let x = met(derde, derde, MAX_OVERIGE_KNOPEN - 2 * derde + 1);
    verwacht_t03(
        &x,
        &format!("more than {MAX_OVERIGE_KNOPEN} comments, CDATA sections and references"),
        plek(&x, "&lt;</Toelichting>", 0),
    );
}

/// An InformatieAanlevering with one attachment whose base64 is `inhoud`.
fn aanlevering(inhoud: &str) -> String {
    bericht(&format!(
        "<InformatieAanlevering><Bijlage><Bestandsnaam>a.bin</Bestandsnaam><MimeType>application/octet-stream</MimeType><Inhoud>{inhoud}</Inhoud></Bijlage><Toelichting>x</Toelichting></InformatieAanlevering>"
    ))
}

#[test]
fn bijlagen() {
    // Base64 in lines of any common form passes, up to the size limit (here
    // just under 1 MiB: the other test binaries already hold the 10 MiB case).
    let regel = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx";
    for einde in ["\n", "\r\n"] {
        let lijn = format!("        {regel}{einde}");
        let x = aanlevering(&lijn.repeat((MAX_BYTES - 2000) / lijn.len()));
        verwacht(&x, None);
    }
    // The most whitespace allowed: one per four base64 characters, a carriage
    // return counting as GEWICHT_CR.
    verwacht(&aanlevering(&"QUJD\n".repeat(10_000)), None);
    let per_cr = (GEWICHT_CR + 1) * BASE64_PER_WITRUIMTE / 4;
    verwacht(
        &aanlevering(&format!("{}\r\n", "QUJD".repeat(per_cr)).repeat(5000)),
        None,
    );
    // Beyond that, or anything that is not base64, counts against the short
    // text cap.
    let x = aanlevering(&" ".repeat(MAX_TEKST_KORT + 1));
    verwacht_t03(
        &x,
        "in attachment 'Inhoud' that are not base64",
        plek(&x, " </Inhoud>", 0),
    );
    let x = aanlevering(&format!("QUJD{}", "QU\r\n".repeat(MAX_BYTES / 8)));
    let w = controleer(&x).expect_err("refused");
    assert_eq!(w.hoofdcode(), Foutcode::T03, "{w:?}");
    assert!(w.problemen[0].tekst.contains("not base64"), "{w:?}");
    let x = aanlevering(&format!("QUJD{}", "€".repeat(MAX_TEKST_KORT + 1)));
    verwacht_t03(
        &x,
        "in attachment 'Inhoud' that are not base64",
        plek(&x, "€</Inhoud>", 0),
    );
    // Only at its own place: an Inhoud elsewhere is ordinary text.
    let x = bericht(&format!(
        "<Afmelding><Reden>M11</Reden><Inhoud>{}</Inhoud></Afmelding>",
        "QUJD".repeat(MAX_TEKST_KORT)
    ));
    verwacht_t03(
        &x,
        "characters of text in element 'Inhoud'",
        plek(&x, "<Inhoud>", 0) + "<Inhoud>".len() + MAX_TEKST_KORT,
    );
}

#[test]
fn de_volgorde_t03_voor_t06_en_t01() {
    // A DOCTYPE is T06, but the caps come first: right after the size.
    let x = bericht(&format!(
        "<Afmelding><Reden>M11</Reden>{}</Afmelding>",
        "<a/>".repeat(MAX_ELEMENTEN)
    ))
    .replacen("?>\n", "?>\n<!DOCTYPE Bericht>\n", 1);
    let w = controleer(&x).expect_err("refused");
    assert_eq!(w.hoofdcode(), Foutcode::T03, "{w:?}");
    // Not well-formed after the cap: still T03, the scan stopped at the cap.
    let x = bericht(&format!(
        "<Afmelding><Reden>M11</Reden>{}</Afmelding><oeps>",
        "<a/>".repeat(MAX_ELEMENTEN)
    ));
    let w = controleer(&x).expect_err("refused");
    assert_eq!(w.hoofdcode(), Foutcode::T03, "{w:?}");
    // Before the cap: the ordinary order.
    let x = bericht("<Afmelding><Reden>M11</Reden></Afmelding><oeps>");
    verwacht(&x, Some(Foutcode::T01));
}

#[test]
fn voorbeelden_en_geldige_fixtures_blijven_onder_de_grenzen() {
    for pad in common::voorbeelden() {
        let bytes = std::fs::read(&pad).expect("example");
        common::controleer(&bytes, Toegestaan::Inkomend)
            .unwrap_or_else(|w| panic!("{}: {w:?}", pad.display()));
    }
    for pad in common::fixtures("valid") {
        let bytes = std::fs::read(&pad).expect("fixture");
        common::controleer(&bytes, Toegestaan::Alle)
            .unwrap_or_else(|w| panic!("{}: {w:?}", pad.display()));
    }
}

/// The largest valid inbound message the schema allows without attachments'
/// weight: 50 attachments whose names and media types are as long as allowed
/// (in multi-byte characters), a complete Aanvulling, and 2000 characters of
/// explanation, with a namespace declaration on every element.
#[test]
fn het_grootste_geldige_bericht_blijft_onder_de_grenzen() {
    let naam = "é".repeat(200);
    let mime = format!("application/{}", "x".repeat(255 - 12));
    let ns = " xmlns=\"urn:clearinghuis-regres:berichten:1\"";
    let bijlage = format!(
        "<Bijlage{ns}><Bestandsnaam{ns}>{naam}</Bestandsnaam><MimeType{ns}>{mime}</MimeType><Inhoud{ns}>QUJD</Inhoud></Bijlage>\n"
    );
    let kort = "ë".repeat(200);
    let x = bericht(&format!(
        "<InformatieAanlevering{ns}>\n{}<Aanvulling{ns}><Polisnummer{ns}>{}</Polisnummer><Bestuurder{ns}><Voorletters{ns}>{kort}</Voorletters><Voorvoegsels{ns}>{kort}</Voorvoegsels><Achternaam{ns}>{kort}</Achternaam><Telefoon{ns}>+31612345678</Telefoon></Bestuurder></Aanvulling><Toelichting{ns}>{}</Toelichting></InformatieAanlevering>",
        bijlage.repeat(50),
        "P".repeat(64),
        "ü".repeat(2000)
    ));
    verwacht(&x, None);
}

#[test]
fn de_invoer_van_issue_15_wordt_t03() {
    let broers = bericht(&format!(
        "<Afmelding><Reden>M11</Reden>{}</Afmelding>",
        "<a/>".repeat(100_000)
    ));
    let w = controleer(&broers).expect_err("refused");
    assert_eq!(w.hoofdcode(), Foutcode::T03, "{w:?}");
    assert!(w.problemen[0].tekst.contains("elements"), "{w:?}");
    let attributen: String = (0..40_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let veel = bericht(&format!(
        "<Afmelding><Reden{attributen}>M11</Reden></Afmelding>"
    ));
    let w = controleer(&veel).expect_err("refused");
    assert_eq!(w.hoofdcode(), Foutcode::T03, "{w:?}");
    assert!(w.problemen[0].tekst.contains("attributes"), "{w:?}");
    // The same with namespace declarations, which quick-xml counts first.
    let ns: String = (0..40_000).map(|i| format!(" xmlns:p{i}=\"u\"")).collect();
    let veel = bericht(&format!("<Afmelding{ns}><Reden>M11</Reden></Afmelding>"));
    let w = controleer(&veel).expect_err("refused");
    assert_eq!(w.hoofdcode(), Foutcode::T03, "{w:?}");
}

/// Complex type → its child elements (name, type).
type Typen = BTreeMap<String, Vec<(String, String)>>;

/// For every XSD file: complex type → its child elements (name, type), and
/// every element declaration (name, type).
fn schema() -> (Typen, Vec<(String, String)>) {
    let mut typen = Typen::new();
    let mut elementen = Vec::new();
    for pad in std::fs::read_dir(common::root().join("schemas")).expect("schemas") {
        let pad = pad.expect("entry").path();
        if pad.extension().is_none_or(|x| x != "xsd") {
            continue;
        }
        let tekst = std::fs::read_to_string(&pad).expect("xsd");
        let mut reader = quick_xml::Reader::from_str(&tekst);
        let mut type_naam: Option<String> = None;
        let mut diepte = 0usize;
        loop {
            let event = reader.read_event().expect("xsd is well-formed");
            let attr = |e: &quick_xml::events::BytesStart, n: &str| {
                e.try_get_attribute(n)
                    .ok()
                    .flatten()
                    .map(|a| a.value.into_owned())
            };
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let naam = e.local_name();
                    let naam: &str = naam.as_ref();
                    if naam == "complexType" && diepte == 1 {
                        type_naam = attr(e, "name");
                    }
                    if naam == "element"
                        && let (Some(n), Some(t)) = (attr(e, "name"), attr(e, "type"))
                    {
                        if let Some(c) = &type_naam {
                            typen
                                .entry(c.clone())
                                .or_default()
                                .push((n.clone(), t.clone()));
                        }
                        elementen.push((n, t));
                    }
                    if matches!(event, Event::Start(_)) {
                        diepte += 1;
                    }
                }
                Event::End(e) => {
                    diepte -= 1;
                    let naam = e.local_name();
                    let naam: &str = naam.as_ref();
                    if naam == "complexType" && diepte == 1 {
                        type_naam = None;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    (typen, elementen)
}

/// The (parent element, element) pairs whose element has type `soort`.
fn plaatsen_van(soort: &str) -> Vec<(String, String)> {
    let (typen, elementen) = schema();
    let mut uit = Vec::new();
    for (c, kinderen) in &typen {
        for (kind, t) in kinderen {
            if t == soort {
                for (ouder, ot) in &elementen {
                    if ot == c {
                        uit.push((ouder.clone(), kind.clone()));
                    }
                }
            }
        }
    }
    uit.sort();
    uit.dedup();
    uit
}

#[test]
fn vrije_tekst_en_bijlage_volgen_het_schema() {
    let plaatsen = plaatsen_van("Toelichting");
    assert!(plaatsen.len() >= 10, "{plaatsen:?}");
    for (ouder, kind) in &plaatsen {
        assert!(
            VRIJE_TEKST
                .iter()
                .any(|&(o, n)| n == kind && (o == "*" || o == ouder)),
            "{ouder}/{kind} is a Toelichting but not in VRIJE_TEKST"
        );
    }
    for &(o, n) in &VRIJE_TEKST {
        assert!(
            plaatsen
                .iter()
                .any(|(ouder, kind)| kind == n && (o == "*" || o == ouder)),
            "VRIJE_TEKST names {o}/{n}, which the schema does not have"
        );
    }
    // The only base64 element is the attachment's Inhoud.
    assert_eq!(
        plaatsen_van("xs:base64Binary"),
        vec![(BIJLAGE[2].to_string(), BIJLAGE[3].to_string())]
    );
    assert_eq!(
        plaatsen_van("Bijlage"),
        vec![(BIJLAGE[1].to_string(), BIJLAGE[2].to_string())]
    );
}

/// Every length the schema sets is under the text caps.
#[test]
fn lengtes_in_het_schema_passen_onder_de_grenzen() {
    let mut gezien = 0;
    for pad in std::fs::read_dir(common::root().join("schemas")).expect("schemas") {
        let tekst = std::fs::read_to_string(pad.expect("entry").path()).expect("xsd");
        for (i, _) in tekst.match_indices("<xs:maxLength value=\"") {
            let rest = &tekst[i + "<xs:maxLength value=\"".len()..];
            let lengte: usize = rest[..rest.find('"').expect("quote")]
                .parse()
                .expect("number");
            let type_begin = tekst[..i].rfind("<xs:simpleType name=\"").expect("type");
            let type_naam = &tekst[type_begin + 21..];
            let type_naam = &type_naam[..type_naam.find('"').expect("quote")];
            let grens = if type_naam == "Toelichting" {
                MAX_TEKST
            } else {
                MAX_TEKST_KORT
            };
            assert!(lengte <= grens, "{type_naam}: maxLength {lengte} > {grens}");
            gezien += 1;
        }
    }
    assert!(gezien >= 3);
}
