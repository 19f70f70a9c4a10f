//! Bounded cost per message (issue 15, item 5): the full inbound check
//! (`Pipeline::controleer`, one validator thread) on ordinary messages, the
//! normative examples in fixtures/spec, against hostile ones built as large as
//! allowed: just under the 1 MiB size limit and just under each cap of the
//! first pass (`codec::scan`). Prints µs per message, the ratio to the median
//! ordinary message, the worst ratio, and whether it is within 50×. The 10 MiB
//! `InformatieAanlevering` with a legitimate attachment is shown apart, per byte.
//!
//! Run: `cargo bench --bench kosten` (release build). Prints figures; it asserts
//! nothing about speed. Under `cargo test --all-targets` (no `--bench`
//! argument) it runs each case once or twice, so the harness stays tested; it
//! does assert that every hostile case is under every cap (not T03) and that
//! the issue's inputs are refused T03.

mod common;

use common::BASE64;
use common::aanlevering;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clearinghuis::bericht::Foutcode;
use clearinghuis::codec::scan::{
    BASE64_PER_WITRUIMTE, GEWICHT_CR, MAX_ATTRIBUTEN, MAX_ATTRIBUTEN_TOTAAL, MAX_ATTRIBUUTWAARDE,
    MAX_BYTES, MAX_BYTES_AANLEVERING, MAX_DIEPTE, MAX_ELEMENTEN, MAX_NAMESPACES,
    MAX_OVERIGE_KNOPEN, MAX_TEKENS, MAX_TEKST, MAX_TEKST_KORT,
};
use clearinghuis::codec::{Pipeline, Toegestaan};

/// The promise of operations.md, as issue 15 put it.
const GRENS_VERHOUDING: f64 = 50.0;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const KOP: &str = r#"<Kop><BerichtId>VS-2026-900001</BerichtId><Afzender>CR-00820000</Afzender><Ontvanger>CR-HUB</Ontvanger><Tijdstip>2026-03-02T09:15:00+01:00</Tijdstip><Claim><ClaimId>CL-00000007</ClaimId></Claim></Kop>"#;

fn bericht(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Bericht xmlns="urn:clearinghuis-regres:berichten:1" versie="1">{KOP}{body}</Bericht>
"#
    )
}

const BIJLAGE_VOOR: &str = "<InformatieAanlevering><Bijlage><Bestandsnaam>a.bin</Bestandsnaam><MimeType>application/octet-stream</MimeType><Inhoud>";
const BIJLAGE_NA: &str = "</Inhoud></Bijlage>";

/// An `InformatieAanlevering` of (nearly) 1 MiB: one valid attachment made of
/// `vulsel`, then `kern`, the hostile part, where the caps allow it: everything
/// outside the attachment's base64 is `kern` and this frame.
fn met_bijlage(kern: &str, vulsel: &str) -> String {
    let na = format!("{BIJLAGE_NA}{kern}</InformatieAanlevering>");
    let leeg = bericht(&format!("{BIJLAGE_VOOR}{na}")).len();
    let n = MAX_BYTES.saturating_sub(leeg) / vulsel.len();
    bericht(&format!("{BIJLAGE_VOOR}{}{na}", vulsel.repeat(n)))
}

/// Characters a hostile `kern` may use: [`MAX_TEKENS`] less the frame.
fn tekens_voor_kern() -> usize {
    let kader = bericht(&format!(
        "{BIJLAGE_VOOR}{BIJLAGE_NA}</InformatieAanlevering>"
    ));
    MAX_TEKENS - kader.chars().count() - 64
}

/// Elements a hostile `kern` may add: the frame has the root, the Kop (8) and
/// the InformatieAanlevering with one Bijlage (4).
const ELEMENTEN_VOOR_KERN: usize = MAX_ELEMENTEN - 13;
/// The root has two attributes, `xmlns` and `versie`.
const ATTRIBUTEN_VOOR_KERN: usize = MAX_ATTRIBUTEN_TOTAAL - 2;

/// An element name of `lengte` characters, distinct per `i`.
fn naam_van(lengte: usize, i: usize) -> String {
    let kern = format!("E{i}");
    format!("{kern}{}", "n".repeat(lengte.saturating_sub(kern.len())))
}

/// Text of `n` characters that costs libxml2's `Toelichting` pattern most:
/// one letter and then whitespace.
fn dure_tekst(n: usize) -> String {
    format!("x{}", " ".repeat(n - 1))
}

/// The normative examples.
fn gewone_berichten() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(root().join("fixtures/spec"))
        .expect("fixtures/spec")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| {
            let naam = p.file_name().expect("name").to_string_lossy().into_owned();
            (naam, std::fs::read(&p).expect("example"))
        })
        .collect();
    v.sort();
    v
}

/// Pathological messages, each as large as allowed and just under the caps.
fn vijandige_berichten() -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    let tekens = tekens_voor_kern();
    let toelichting = "<Toelichting>x</Toelichting>";

    // What an attachment may hold: base64 in any line layout, up to one
    // whitespace character per BASE64_PER_WITRUIMTE base64 characters (a
    // carriage return weighing GEWICHT_CR), all free of the caps but the size.
    let met_cr = format!(
        "{}\r\n",
        "QUJD".repeat((GEWICHT_CR + 1) * BASE64_PER_WITRUIMTE / 4)
    );
    let met_lf = format!("{}\n", "QUJD".repeat(BASE64_PER_WITRUIMTE / 4));
    let vulsels: [(&'static str, &str); 5] = [
        ("attachment: base64 in lines of 76 (legitimate)", BASE64),
        (
            "attachment: lines of 72, CR LF",
            "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n",
        ),
        (
            "attachment: indented lines, CR LF",
            "        QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n",
        ),
        ("attachment: LF as often as allowed", &met_lf),
        ("attachment: CR LF as often as allowed", &met_cr),
    ];
    for (naam, vulsel) in vulsels {
        v.push((naam, met_bijlage(toelichting, vulsel)));
    }
    let vul = VULSEL;

    // Elements up to the cap, on one line, with names as long as the
    // characters allow.
    let n = ELEMENTEN_VOOR_KERN - 1;
    let lengte = (tekens - toelichting.len()) / n - 3;
    let broers: String = (0..n)
        .map(|i| format!("<{}/>", naam_van(lengte, i)))
        .collect();
    v.push((
        "elements on one line, long names",
        met_bijlage(&format!("{broers}{toelichting}"), vul),
    ));
    // One per line, the characters left as newlines.
    let regels: String = (0..n).map(|_| "\n<a/>").collect();
    let rest = tekens - regels.len() - toelichting.len();
    v.push((
        "elements one per line, then newlines",
        met_bijlage(&format!("{regels}{}{toelichting}", "\n".repeat(rest)), vul),
    ));
    // Nesting just under the cap (the kern starts at depth 3), repeated.
    let diepte = MAX_DIEPTE - 2;
    let ketens = (ELEMENTEN_VOOR_KERN - 1) / diepte;
    let lengte = (tekens - toelichting.len()) / (ketens * diepte) / 2 - 3;
    let keten: String = (0..diepte)
        .map(|i| format!("<{}>", naam_van(lengte, i)))
        .chain(
            (0..diepte)
                .rev()
                .map(|i| format!("</{}>", naam_van(lengte, i))),
        )
        .collect();
    v.push((
        "nesting at the cap, repeated",
        met_bijlage(&format!("{}{toelichting}", keten.repeat(ketens)), vul),
    ));

    // Attributes up to both caps, values as long as the characters allow.
    let per = MAX_ATTRIBUTEN;
    let dragers = ATTRIBUTEN_VOOR_KERN / per;
    let waarde = ((tekens - toelichting.len()) / (dragers * per) - 8).min(MAX_ATTRIBUUTWAARDE);
    let attributen: String = (0..per)
        .map(|i| format!(" a{i:x}=\"{}\"", "v".repeat(waarde)))
        .collect();
    v.push((
        "attributes at the caps, long values",
        met_bijlage(
            &format!(
                "{}{toelichting}",
                format!("<a{attributen}/>").repeat(dragers)
            ),
            vul,
        ),
    ));
    // Unknown attributes on elements the schema checks, so libxml2 reports
    // every one: more valid attachments, every element carrying 16.
    let attr: String = (0..per).map(|i| format!(" a{i:x}=\"v\"")).collect();
    let bijlage = format!(
        "<Bijlage{attr}><Bestandsnaam{attr}>b.jpg</Bestandsnaam><MimeType{attr}>image/jpeg</MimeType><Inhoud{attr}>QUJD</Inhoud></Bijlage>"
    );
    v.push((
        "attributes on checked elements (errors)",
        met_bijlage(
            &format!(
                "{}{toelichting}",
                bijlage.repeat(ATTRIBUTEN_VOOR_KERN / (4 * per))
            ),
            vul,
        ),
    ));
    // Namespace declarations at the cap in scope, one per level of a deep
    // chain, and every other element bound to the outermost prefix, so each
    // lookup walks them all.
    // The first level declares as many as one element may, the next one each,
    // to MAX_NAMESPACES with the root's default namespace.
    let eerste: String = (0..MAX_ATTRIBUTEN)
        .map(|i| format!(" xmlns:p{i}=\"urn:n:{i}\""))
        .collect();
    let niveaus = MAX_NAMESPACES - MAX_ATTRIBUTEN;
    let open: String = std::iter::once(format!("<d{eerste}>"))
        .chain(
            (MAX_ATTRIBUTEN..MAX_NAMESPACES - 1)
                .map(|i| format!("<p0:d xmlns:p{i}=\"urn:n:{i}\">")),
        )
        .collect();
    let dicht: String = (1..niveaus).map(|_| "</p0:d>").chain(["</d>"]).collect();
    let bladeren = ELEMENTEN_VOOR_KERN - niveaus - 1;
    let blad = "<p0:b/>";
    let rest = tekens - open.len() - dicht.len() - toelichting.len() - blad.len() * bladeren;
    v.push((
        "namespace declarations at the cap in scope",
        met_bijlage(
            &format!(
                "{open}{}{dicht}{}{toelichting}",
                blad.repeat(bladeren),
                " ".repeat(rest)
            ),
            vul,
        ),
    ));

    // Text at the cap in every place the schema checks: 49 more attachments
    // with name and media type at the short cap, the driver's names, and the
    // explanation at the free-text cap, all in the pattern's costliest form.
    let kort = dure_tekst(MAX_TEKST_KORT);
    let mime = format!("image/{}", "j".repeat(MAX_TEKST_KORT - 6));
    let bijlagen = format!(
        "<Bijlage><Bestandsnaam>{}</Bestandsnaam><MimeType>{mime}</MimeType><Inhoud>QUJD</Inhoud></Bijlage>",
        "a".repeat(MAX_TEKST_KORT)
    )
    .repeat(49);
    v.push((
        "text at the caps in every checked place",
        met_bijlage(
            &format!(
                "{bijlagen}<Aanvulling><Bestuurder><Voorletters>{kort}</Voorletters><Voorvoegsels>{kort}</Voorvoegsels><Achternaam>{kort}</Achternaam></Bestuurder></Aanvulling><Toelichting>{}</Toelichting>",
                dure_tekst(MAX_TEKST)
            ),
            vul,
        ),
    ));
    // The same in an Aanmelding, which has no attachment to fill 1 MiB with.
    let codes = [
        "Voertuigschade",
        "Autohuur",
        "EigenRisico",
        "Waardevermindering",
        "Bedrijfsregelingen",
        "OverigePersoonlijk",
        "Expertisekosten",
        "OverigeKosten",
    ];
    let componenten: String = codes
        .iter()
        .map(|c| {
            format!(
                "<Component><Code>{c}</Code><Bedrag>1</Bedrag><Omschrijving>{kort}</Omschrijving></Component>"
            )
        })
        .collect();
    v.push((
        "text at the caps in an Aanmelding",
        bericht(&format!(
            "<Aanmelding><Voorval><Schadedatum>2026-02-27</Schadedatum><Locatie>{kort}</Locatie><Schadeformulier>NietAanwezig</Schadeformulier></Voorval><VerhalendePartij><Kenteken>12-ABC-3</Kenteken><Schadenummer>S-1</Schadenummer><Dekking>CASCO</Dekking></VerhalendePartij><AansprakelijkePartij><Deelnemer>CR-00510000</Deelnemer><Kenteken>GB-123-X</Kenteken><Bestuurder><Voorletters>{kort}</Voorletters><Voorvoegsels>{kort}</Voorvoegsels><Achternaam>{kort}</Achternaam></Bestuurder></AansprakelijkePartij><Aansprakelijkstelling><Toedracht><Code>Anders</Code><Omschrijving>{}</Omschrijving></Toedracht><OvsCode>0</OvsCode><Verhaalpercentage>50</Verhaalpercentage><Schadespecificatie>{componenten}</Schadespecificatie></Aansprakelijkstelling></Aanmelding>",
            dure_tekst(MAX_TEKST)
        )),
    ));

    // Comments, CDATA sections and references up to their cap.
    let lengte = (tekens - toelichting.len()) / MAX_OVERIGE_KNOPEN - 7;
    let commentaar = format!("<!--{}-->", "-x".repeat(lengte / 2));
    v.push((
        "comments at the cap",
        met_bijlage(
            &format!("{}{toelichting}", commentaar.repeat(MAX_OVERIGE_KNOPEN)),
            vul,
        ),
    ));
    let cdata = format!(
        "<Toelichting><![CDATA[{}]]></Toelichting>",
        dure_tekst(
            (tekens / MAX_OVERIGE_KNOPEN)
                .saturating_sub(40)
                .clamp(1, MAX_TEKST)
        )
    );
    v.push((
        "CDATA sections in free text",
        met_bijlage(&cdata.repeat(MAX_OVERIGE_KNOPEN), vul),
    ));
    v.push((
        "references in free text",
        met_bijlage(
            &format!(
                "<Toelichting>{}</Toelichting>",
                "&#x20AC;".repeat(MAX_OVERIGE_KNOPEN)
            ),
            vul,
        ),
    ));
    // Whitespace between elements, as much as the characters allow.
    v.push((
        "whitespace between elements",
        met_bijlage(
            &format!("{}{toelichting}", " ".repeat(tekens - toelichting.len())),
            vul,
        ),
    ));

    // A mix: chains of attribute-laden free-text elements with text and a
    // comment at every level, up to every cap at once.
    let attr: String = (0..per - 1).map(|i| format!(" a{i:x}=\"w\"")).collect();
    let diepte = MAX_DIEPTE - 3;
    let met_attributen = ATTRIBUTEN_VOOR_KERN / (per - 1);
    let ketens = (ELEMENTEN_VOOR_KERN - 1) / diepte;
    let per_element = (tekens / (ketens * diepte))
        .saturating_sub(attr.len() * met_attributen / (ketens * diepte) + 40);
    let tekst = dure_tekst(per_element.clamp(2, MAX_TEKST));
    let mut mix = String::new();
    let mut gedaan = 0;
    for _ in 0..ketens {
        for _ in 0..diepte {
            let a = if gedaan < met_attributen {
                attr.as_str()
            } else {
                ""
            };
            gedaan += 1;
            let c = if gedaan <= MAX_OVERIGE_KNOPEN {
                "<!---->"
            } else {
                ""
            };
            mix.push_str(&format!("<Toelichting{a}>{tekst}{c}"));
        }
        mix.push_str(&"</Toelichting>".repeat(diepte));
    }
    v.push((
        "mix: deep, attributes, text, comments",
        met_bijlage(&mix, vul),
    ));

    v
}

/// What fills the attachment of the hostile cases above: the costliest of
/// the attachment cases on this machine.
const VULSEL: &str = BASE64;

/// The inputs of issue 15: quadratic before the caps.
fn issue_berichten() -> Vec<(&'static str, String)> {
    let broers = bericht(&format!(
        "<Afmelding><Reden>M11</Reden>{}</Afmelding>",
        "<a/>".repeat(100_000)
    ));
    let attributen: String = (0..40_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let veel = bericht(&format!(
        "<Afmelding><Reden{attributen}>M11</Reden></Afmelding>"
    ));
    vec![
        ("issue: 100,000 siblings on one line", broers),
        ("issue: 40,000 attributes on one element", veel),
    ]
}

/// CPU time of the whole process (both threads: the caller's and the
/// validator's). The machine is shared, so wall time also counts waiting for a
/// core; CPU time is what a message costs.
fn cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    assert_eq!(r, 0, "clock_gettime");
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// One call of `controleer`: CPU time and wall time, in µs.
fn een_keer(pipeline: &Pipeline, bytes: &[u8]) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu());
    let r = pipeline
        .controleer(bytes, Toegestaan::Inkomend)
        .expect("validator");
    let uit = (
        cpu().saturating_sub(c).as_secs_f64() * 1e6,
        t.elapsed().as_secs_f64() * 1e6,
    );
    std::hint::black_box(r.is_ok());
    uit
}

/// The verdict on a message, and its code.
fn oordeel(pipeline: &Pipeline, bytes: &[u8]) -> (String, Option<Foutcode>) {
    match pipeline
        .controleer(bytes, Toegestaan::Inkomend)
        .expect("validator")
    {
        Ok(_) => ("accepted".to_string(), None),
        Err(w) if w.hoofdcode() == Foutcode::T03 => {
            (format!("T03 {}", w.problemen[0].tekst), Some(Foutcode::T03))
        }
        Err(w) => (format!("{:?}", w.hoofdcode()), Some(w.hoofdcode())),
    }
}

/// One measured message: its calls' CPU and wall µs, and per round its CPU
/// against the median ordinary message and against the legitimate 1 MiB
/// attachment of the same round.
#[derive(Default)]
struct Reeks {
    cpu: Vec<f64>,
    wand: Vec<f64>,
    tegen_gewoon: Vec<f64>,
    tegen_bijlage: Vec<f64>,
}

fn mediaan(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let volledig = std::env::args().any(|a| a == "--bench");
    // `cargo bench --bench kosten -- <text>` measures only the hostile cases
    // whose name contains the text.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_default();
    let pipeline = Pipeline::met_threads(1).expect("validator starts");
    // KOSTEN_PROFIEL=<text>: run only the matching hostile cases, 3 s each,
    // for `perf record`; with KOSTEN_SCHRIJF=<dir>, write them there instead.
    if let Ok(profiel) = std::env::var("KOSTEN_PROFIEL") {
        for (naam, x) in vijandige_berichten() {
            if !naam.contains(profiel.as_str()) {
                continue;
            }
            if let Some(map) = std::env::var_os("KOSTEN_SCHRIJF") {
                let bestand = format!("{}.xml", naam.replace([' ', ':', ','], "_"));
                std::fs::write(PathBuf::from(map).join(bestand), &x).expect("write");
                continue;
            }
            let begin = Instant::now();
            while begin.elapsed() < Duration::from_secs(3) {
                een_keer(&pipeline, x.as_bytes());
            }
        }
        return;
    }

    let gewoon = gewone_berichten();
    let vijandig: Vec<(&str, String)> = vijandige_berichten()
        .into_iter()
        .filter(|(naam, _)| naam.contains(filter.as_str()))
        .collect();
    let issue = issue_berichten();
    let legitiem = aanlevering(MAX_BYTES);
    let groot = aanlevering(MAX_BYTES_AANLEVERING);

    // Every case is under every cap, the issue's inputs are over one, and the
    // legitimate messages pass: checked once, before any timing.
    for (naam, bytes) in &gewoon {
        assert_eq!(oordeel(&pipeline, bytes).0, "accepted", "{naam} is valid");
    }
    let mut uitslagen = Vec::new();
    for (naam, x) in &vijandig {
        assert!(x.len() <= MAX_BYTES, "{naam}: {} bytes", x.len());
        let (uitslag, code) = oordeel(&pipeline, x.as_bytes());
        assert_ne!(code, Some(Foutcode::T03), "{naam}: {uitslag}");
        uitslagen.push(uitslag);
    }
    let mut issue_uitslagen = Vec::new();
    for (naam, x) in &issue {
        let (uitslag, code) = oordeel(&pipeline, x.as_bytes());
        assert_eq!(
            code,
            Some(Foutcode::T03),
            "{naam} must cross a cap: {uitslag}"
        );
        issue_uitslagen.push(uitslag);
    }
    for bytes in [&legitiem, &groot] {
        assert_eq!(
            oordeel(&pipeline, bytes).0,
            "accepted",
            "legitimate attachment"
        );
    }

    // Rounds: every message once per round, so that all of them see the same
    // drift in the speed of this shared machine, and each ratio is taken
    // within its round.
    let (duur, min_rondes) = if volledig {
        (Duration::from_secs(30), 5)
    } else {
        (Duration::ZERO, 1)
    };
    let mut gewone_reeksen: Vec<Vec<f64>> = vec![Vec::new(); gewoon.len()];
    let mut reeksen: Vec<Reeks> = (0..vijandig.len()).map(|_| Reeks::default()).collect();
    let mut issue_reeksen: Vec<Reeks> = (0..issue.len()).map(|_| Reeks::default()).collect();
    let mut legitiem_reeks = Reeks::default();
    let mut groot_reeks = Reeks::default();
    let mut rondes = 0;
    let begin = Instant::now();
    while rondes < min_rondes || begin.elapsed() < duur {
        rondes += 1;
        // The ordinary messages run warm, as they do in a hub where nearly
        // every message is one: passes to warm up after the large ones, then
        // the measured pass.
        for _ in 0..4 {
            for (_, b) in &gewoon {
                een_keer(&pipeline, b);
            }
        }
        let ronde: Vec<f64> = gewoon
            .iter()
            .zip(&mut gewone_reeksen)
            .map(|((_, b), r)| {
                let c = een_keer(&pipeline, b).0;
                r.push(c);
                c
            })
            .collect();
        let basis = mediaan(&ronde);
        let (bijlage, _) = een_keer(&pipeline, &legitiem);
        let noteer = |reeks: &mut Reeks, (c, w): (f64, f64)| {
            reeks.cpu.push(c);
            reeks.wand.push(w);
            reeks.tegen_gewoon.push(c / basis);
            reeks.tegen_bijlage.push(c / bijlage);
        };
        noteer(&mut legitiem_reeks, (bijlage, bijlage));
        for ((_, x), reeks) in vijandig.iter().zip(&mut reeksen) {
            noteer(reeks, een_keer(&pipeline, x.as_bytes()));
        }
        for ((_, x), reeks) in issue.iter().zip(&mut issue_reeksen) {
            noteer(reeks, een_keer(&pipeline, x.as_bytes()));
        }
        noteer(&mut groot_reeks, een_keer(&pipeline, &groot));
    }

    println!(
        "inbound check (Pipeline::controleer, 1 validator thread), {rondes} rounds; medians \
         per message of CPU µs (both threads) and wall µs; ratios of CPU within a round"
    );
    if !volledig {
        println!("(a test run: one round of an unoptimised build; the figures mean nothing)");
    }
    println!(
        "caps: {MAX_ELEMENTEN} elements, {MAX_DIEPTE} deep, {MAX_ATTRIBUTEN} attributes per \
         element and {MAX_ATTRIBUTEN_TOTAAL} in all, {MAX_NAMESPACES} namespaces in scope, \
         values {MAX_ATTRIBUUTWAARDE}, text {MAX_TEKST_KORT} ({MAX_TEKST} free text), \
         {MAX_TEKENS} characters outside attachments, {MAX_OVERIGE_KNOPEN} \
         comments/CDATA/references, attachments 1 whitespace per {BASE64_PER_WITRUIMTE} base64"
    );
    println!();
    println!(
        "{:<48} {:>8} {:>9}",
        "ordinary (fixtures/spec)", "bytes", "cpu µs"
    );
    let mut kosten = Vec::new();
    let mut per_byte = Vec::new();
    let mut groottes = Vec::new();
    for ((naam, bytes), r) in gewoon.iter().zip(&gewone_reeksen) {
        let c = mediaan(r);
        println!("{naam:<48} {:>8} {c:>9.1}", bytes.len());
        kosten.push(c);
        per_byte.push(c * 1000.0 / bytes.len() as f64);
        groottes.push(bytes.len() as f64);
    }
    println!("{:<48} {:>8} {:>9.1}", "median", "", mediaan(&kosten));

    let kop = |titel: &str| {
        println!(
            "{titel:<48} {:>8} {:>9} {:>9} {:>8} {:>8}  verdict",
            "bytes", "cpu µs", "wall µs", "×ordin.", "×attach."
        )
    };
    let regel = |naam: &str, bytes: usize, r: &Reeks, uitslag: &str| {
        println!(
            "{naam:<48} {bytes:>8} {:>9.1} {:>9.1} {:>7.1}× {:>7.2}×  {uitslag}",
            mediaan(&r.cpu),
            mediaan(&r.wand),
            mediaan(&r.tegen_gewoon),
            mediaan(&r.tegen_bijlage),
        )
    };
    println!();
    kop("hostile (≤ 1 MiB, under every cap)");
    let mut slechtste = (0.0f64, "");
    for (((naam, x), r), uitslag) in vijandig.iter().zip(&reeksen).zip(&uitslagen) {
        let v = mediaan(&r.tegen_gewoon);
        if v > slechtste.0 {
            slechtste = (v, naam);
        }
        regel(naam, x.len(), r, uitslag);
    }
    regel(
        "legitimate: InformatieAanlevering, 1 MiB attachment",
        legitiem.len(),
        &legitiem_reeks,
        "accepted",
    );
    println!();
    kop("issue 15 inputs (before: seconds, see the report)");
    for (((naam, x), r), uitslag) in issue.iter().zip(&issue_reeksen).zip(&issue_uitslagen) {
        regel(naam, x.len(), r, uitslag);
    }

    println!();
    println!(
        "largest legitimate: an InformatieAanlevering of {} bytes ({:.0}× the median ordinary \
         size): {:.0} cpu µs, {:.0}× the ordinary median. That is over 50× by design: the bound \
         is for messages under 1 MiB. Per byte: {:.2} ns, against {:.2} ns for an ordinary \
         message (median).",
        groot.len(),
        groot.len() as f64 / mediaan(&groottes),
        mediaan(&groot_reeks.cpu),
        mediaan(&groot_reeks.tegen_gewoon),
        mediaan(&groot_reeks.cpu) * 1000.0 / groot.len() as f64,
        mediaan(&per_byte),
    );
    println!();
    println!(
        "worst hostile case under 1 MiB: {:.1}× the ordinary median ({}); {}",
        slechtste.0,
        slechtste.1,
        if slechtste.0 <= GRENS_VERHOUDING {
            format!("within {GRENS_VERHOUDING:.0}×")
        } else {
            format!("NOT within {GRENS_VERHOUDING:.0}×")
        }
    );
}
