//! Properties of the engine over random conversations: messages of every
//! inbound type, from random parties, in random order, through the real
//! checks and engine (the in-memory hub).
//!
//! - nothing panics and the hub never reports an internal fault (which is how
//!   a phase change outside the lifecycle table would show);
//! - every outbound message is valid against the XSD, and the status and work
//!   folder in its Claim block are a row of rules.md §4 for the recipient's role;
//! - no claim uses more than 3 positions;
//! - the same log gives the same output, and the hub's own log replays with
//!   `--verify`;
//! - timers (rules.md §7), with pauses from seconds to half a year between
//!   messages: no timer fires twice, they fire in due-time order and before
//!   any message received at or after their due time, an archived claim has
//!   no live timer, a live claim has exactly its passive timeout and the
//!   rappel of the party it awaits, and firing the timers up to a moment in
//!   two steps gives the same output as in one.

mod common;

use chrono::{DateTime, Duration, FixedOffset};
use proptest::prelude::*;

use clearinghuis::bericht::{ClaimBlok, Deelnemercode, Standpuntsoort, xml};
use clearinghuis::codec::Toegestaan;
use clearinghuis::deelnemers::Deelnemers;
use clearinghuis::engine::termijn::wie_moet;
use clearinghuis::engine::{Context, Doel, Fase, Instellingen, Timersoort, Toestand};
use clearinghuis::hub::{Herkomst, Hub, Logregel};
use clearinghuis::replay::{Opties, speel};

const DEELNEMERS: &str = r#"
[[deelnemer]]
code = "CR-00820000"
naam = "Voorbeeld"
soort = "verzekeraar"
wettelijke_rente = true
bgk = true
iban = "NL91ABNA0417164300"
begunstigde = "Voorbeeld"

[[deelnemer]]
code = "CR-00510000"
naam = "Noordelijke"
soort = "verzekeraar"
iban = "NL44RABO0123456789"
begunstigde = "Noordelijke"

[[deelnemer]]
code = "CR-00930000"
naam = "Rechtshulp"
soort = "belangenbehartiger"
iban = "NL20INGB0001234567"
begunstigde = "Rechtshulp"

[[deelnemer]]
code = "CR-00770000"
naam = "Volmacht"
soort = "gevolmachtigde"
iban = "NL02ABNA0123456789"
begunstigde = "Volmacht"
actief = false
"#;

const CODES: [&str; 4] = ["CR-00820000", "CR-00510000", "CR-00930000", "CR-00770000"];
const KENTEKENS: [&str; 4] = ["12-ABC-3", "GB-123-X", "AB-12-34", "1-ABC-23"];

/// One step of a random conversation.
#[derive(Debug, Clone)]
enum Stap {
    Aanmelding {
        v: usize,
        a: usize,
        kv: usize,
        ka: usize,
        nummer: u8,
        stelling: Option<(u8, u8)>,
    },
    Schadenummer {
        nummer: u8,
    },
    Aansprakelijkstelling {
        ovs: u8,
        pct: u8,
    },
    ReactieA {
        keuze: u8,
        ovs: u8,
        pct: u8,
    },
    ReactieV {
        keuze: u8,
        ovs: u8,
        pct: u8,
    },
    InformatieVerzoek,
    InformatieAanlevering,
    Schadespecificatie {
        bedrag: u32,
    },
    Afmelding {
        reden: u8,
    },
    Archivering,
    Betaalverzoek,
    Betaalbevestiging {
        nummer: u8,
        dagen_later: u8,
    },
    Nagekomen {
        bedrag: u32,
        twee: bool,
    },
}

#[derive(Debug, Clone)]
struct Bericht {
    stap: Stap,
    /// Who sends it: mostly the party the message needs (0–5), sometimes
    /// the other party (6–7), sometimes a participant not on the claim (8–9).
    rol: u8,
    /// Sometimes another mailbox than the sender's (A01).
    mailbox: Option<usize>,
    /// Which existing claim (modulo their number); odd: named by natural key.
    claim: u8,
    /// Reuse an earlier BerichtId (duplicate or T05).
    hergebruik: Option<u8>,
    /// The pause before it, in seconds.
    pauze: i64,
}

/// Mostly a day or two; sometimes seconds (early messages, 100 s), weeks
/// (rappels, payment term) or months (the passive timeout).
fn pauze() -> impl Strategy<Value = i64> {
    const DAG: i64 = 86_400;
    prop_oneof![
        6 => 0..3 * DAG,
        2 => 0..150i64,
        2 => 14 * DAG..45 * DAG,
        1 => 100 * DAG..200 * DAG,
    ]
}

/// Mostly OVS 0 (which allows every percentage), sometimes any code.
fn ovs() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 1 => 0..7u8]
}

fn stap() -> impl Strategy<Value = Stap> {
    prop_oneof![
        3 => (prop_oneof![4 => Just(0usize), 1 => 0..4usize], prop_oneof![4 => Just(1usize), 1 => 0..4usize], 0..4usize, 0..4usize, 0..4u8, proptest::option::of((0..7u8, 0..3u8)))
            .prop_map(|(v, a, kv, ka, nummer, stelling)| Stap::Aanmelding { v, a, kv, ka, nummer, stelling }),
        1 => (0..4u8).prop_map(|nummer| Stap::Schadenummer { nummer }),
        3 => (ovs(), 0..3u8).prop_map(|(ovs, pct)| Stap::Aansprakelijkstelling { ovs, pct }),
        4 => (prop_oneof![2 => Just(0u8), 1 => 0..3u8], ovs(), 0..3u8).prop_map(|(keuze, ovs, pct)| Stap::ReactieA { keuze, ovs, pct }),
        3 => (0..3u8, ovs(), 0..3u8).prop_map(|(keuze, ovs, pct)| Stap::ReactieV { keuze, ovs, pct }),
        1 => Just(Stap::InformatieVerzoek),
        1 => Just(Stap::InformatieAanlevering),
        1 => (0..60_000u32).prop_map(|bedrag| Stap::Schadespecificatie { bedrag }),
        1 => (11..23u8).prop_map(|reden| Stap::Afmelding { reden }),
        1 => Just(Stap::Archivering),
        2 => Just(Stap::Betaalverzoek),
        2 => (1..3u8, 0..3u8).prop_map(|(nummer, dagen_later)| Stap::Betaalbevestiging { nummer, dagen_later }),
        1 => (0..3_000u32, proptest::bool::weighted(0.2)).prop_map(|(bedrag, twee)| Stap::Nagekomen { bedrag, twee }),
    ]
}

fn bericht() -> impl Strategy<Value = Bericht> {
    (
        stap(),
        0..10u8,
        proptest::option::weighted(0.05, 0..4usize),
        0..16u8,
        proptest::option::weighted(0.08, 0..20u8),
        pauze(),
    )
        .prop_map(|(stap, rol, mailbox, claim, hergebruik, pauze)| Bericht {
            stap,
            rol,
            mailbox,
            claim,
            hergebruik,
            pauze,
        })
}

const PCT: [&str; 3] = ["0", "50", "100"];

fn lichaam(stap: &Stap) -> String {
    match stap {
        Stap::Aanmelding {
            a,
            kv,
            ka,
            nummer,
            stelling,
            ..
        } => {
            let stelling = stelling.map_or(String::new(), |(ovs, pct)| {
                format!(
                    "<Aansprakelijkstelling><Toedracht><Code>Anders</Code><Omschrijving>x</Omschrijving></Toedracht><OvsCode>{ovs}</OvsCode><Verhaalpercentage>{}</Verhaalpercentage><BetaalbaarStellen>false</BetaalbaarStellen></Aansprakelijkstelling>",
                    PCT[pct as usize]
                )
            });
            format!(
                "<Aanmelding><Voorval><Schadedatum>2026-02-27</Schadedatum><Schadeformulier>BeidePartijenOndertekend</Schadeformulier><DocumentenAanwezig><Document>Fotos</Document></DocumentenAanwezig></Voorval><VerhalendePartij><Kenteken>{}</Kenteken><Schadenummer>S-{nummer}</Schadenummer><Dekking>CASCO</Dekking></VerhalendePartij><AansprakelijkePartij><Deelnemer>{}</Deelnemer><Kenteken>{}</Kenteken></AansprakelijkePartij>{stelling}</Aanmelding>",
                KENTEKENS[*kv], CODES[*a], KENTEKENS[*ka]
            )
        }
        Stap::Schadenummer { nummer } => format!(
            "<SchadenummerWijziging><Schadenummer>N-{nummer}</Schadenummer></SchadenummerWijziging>"
        ),
        Stap::Aansprakelijkstelling { ovs, pct } => format!(
            "<Aansprakelijkstelling><Toedracht><Code>Anders</Code><Omschrijving>x</Omschrijving></Toedracht><OvsCode>{ovs}</OvsCode><Verhaalpercentage>{}</Verhaalpercentage></Aansprakelijkstelling>",
            PCT[*pct as usize]
        ),
        Stap::ReactieA { keuze, ovs, pct } => format!(
            "<ReactieAansprakelijkheid>{}</ReactieAansprakelijkheid>",
            match keuze {
                0 => format!("<Akkoord><OvsCode>{ovs}</OvsCode></Akkoord>"),
                1 => format!(
                    "<Tegenvoorstel><OvsCode>{ovs}</OvsCode><Verhaalpercentage>{}</Verhaalpercentage><Toelichting>t</Toelichting><Schadenummer>A-1</Schadenummer></Tegenvoorstel>",
                    PCT[*pct as usize]
                ),
                _ => "<Afwijzing><Toelichting>nee</Toelichting></Afwijzing>".to_owned(),
            }
        ),
        Stap::ReactieV { keuze, ovs, pct } => format!(
            "<ReactieTegenvoorstel>{}</ReactieTegenvoorstel>",
            match keuze {
                0 => "<Akkoord/>".to_owned(),
                1 => format!(
                    "<NieuwVoorstel><OvsCode>{ovs}</OvsCode><Verhaalpercentage>{}</Verhaalpercentage><Toelichting>t</Toelichting></NieuwVoorstel>",
                    PCT[*pct as usize]
                ),
                _ => "<Afwijzing><Toelichting>nee</Toelichting></Afwijzing>".to_owned(),
            }
        ),
        Stap::InformatieVerzoek => "<InformatieVerzoek><Documenten><Document>Fotos</Document></Documenten><Reden>Anders</Reden><Toelichting>t</Toelichting></InformatieVerzoek>".to_owned(),
        Stap::InformatieAanlevering => "<InformatieAanlevering><Toelichting>hier</Toelichting></InformatieAanlevering>".to_owned(),
        Stap::Schadespecificatie { bedrag } => format!(
            "<Schadespecificatie><Component><Code>Voertuigschade</Code><Bedrag>{bedrag}.00</Bedrag></Component><BetaalbaarStellen>false</BetaalbaarStellen></Schadespecificatie>"
        ),
        Stap::Afmelding { reden } => format!(
            "<Afmelding><Reden>M{reden}</Reden></Afmelding>"
        ),
        Stap::Archivering => "<Archivering/>".to_owned(),
        Stap::Betaalverzoek => "<Betaalverzoek/>".to_owned(),
        Stap::Betaalbevestiging { nummer, .. } => format!(
            "<Betaalbevestiging><Betaalkenmerk>{{CLAIM}}-{nummer}</Betaalkenmerk><Betaaldatum>{{DATUM}}</Betaaldatum></Betaalbevestiging>"
        ),
        Stap::Nagekomen { bedrag, twee } => format!(
            "<NagekomenBetaalverzoek><Component><Code>EigenRisico</Code><Bedrag>{bedrag}.00</Bedrag></Component>{}<Toelichting>later</Toelichting></NagekomenBetaalverzoek>",
            if *twee { "<Component><Code>Autohuur</Code><Bedrag>10.00</Bedrag></Component>" } else { "" }
        ),
    }
}

/// Which party a step needs: true for V.
fn door_v(stap: &Stap) -> bool {
    !matches!(
        stap,
        Stap::Schadenummer { .. }
            | Stap::ReactieA { .. }
            | Stap::InformatieVerzoek
            | Stap::Betaalbevestiging { .. }
    )
}

/// Drives the hub message by message, aiming each step at a claim that
/// exists, and returns the `in` lines as a log.
fn invoer(berichten: &[Bericht]) -> String {
    let deelnemers = Deelnemers::lees(DEELNEMERS).expect("participants");
    let instellingen = Instellingen::default();
    let ctx = Context {
        deelnemers: &deelnemers,
        instellingen: &instellingen,
    };
    let mut hub = Hub::new(common::pipeline(), ctx);
    let mut t: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00+01:00").expect("time");
    let mut uit = String::new();
    let mut gevuurd = std::collections::BTreeSet::new();
    let mut laatste = None;
    for (i, b) in berichten.iter().enumerate() {
        t += Duration::seconds(b.pauze);
        let claims: Vec<_> = hub.toestand.claims().cloned().collect();
        let doel = (!claims.is_empty()).then(|| &claims[b.claim as usize % claims.len()]);
        let (afzender, claim) = match (&b.stap, doel) {
            (Stap::Aanmelding { v, .. }, _) => (CODES[*v].to_owned(), String::new()),
            (_, None) => (
                CODES[b.rol as usize % 4].to_owned(),
                "<Claim><ClaimId>CL-00000001</ClaimId></Claim>".to_owned(),
            ),
            (stap, Some(c)) => {
                let (nodig, ander) = if door_v(stap) {
                    (&c.verhaler, &c.aansprakelijke)
                } else {
                    (&c.aansprakelijke, &c.verhaler)
                };
                let afzender = match b.rol {
                    0..=5 => nodig.to_string(),
                    6 | 7 => ander.to_string(),
                    r => CODES[r as usize % 4].to_owned(),
                };
                let blok = match (&c.schadenummer_verhaler, b.claim % 2) {
                    (Some(n), 1) => format!(
                        "<Claim><Verhaler>{}</Verhaler><SchadenummerVerhaler>{n}</SchadenummerVerhaler></Claim>",
                        c.verhaler
                    ),
                    _ => format!("<Claim><ClaimId>{}</ClaimId></Claim>", c.id),
                };
                (afzender, blok)
            }
        };
        let id = b.hergebruik.map_or(i, |h| h as usize);
        let dagen_later = match b.stap {
            Stap::Betaalbevestiging { dagen_later, .. } => dagen_later as i64 - 1,
            _ => 0,
        };
        let lichaam = lichaam(&b.stap)
            .replace("{CLAIM}", doel.map_or("CL-00000001", |c| c.id.as_str()))
            .replace(
                "{DATUM}",
                &(t + Duration::days(dagen_later)).date_naive().to_string(),
            );
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bericht xmlns=\"urn:clearinghuis-regres:berichten:1\" versie=\"1\"><Kop><BerichtId>B-{id}</BerichtId><Afzender>{afzender}</Afzender><Ontvanger>CR-HUB</Ontvanger><Tijdstip>{}</Tijdstip>{claim}</Kop>{}</Bericht>\n",
            t.to_rfc3339(),
            lichaam
        );
        let mailbox = b.mailbox.map_or(afzender.clone(), |m| CODES[m].to_owned());
        let code = Deelnemercode::new(mailbox.as_str()).expect("code");
        let verwerkt = hub
            .ontvang(&code, t, xml.as_bytes())
            .expect("the hub processes");
        for g in &verwerkt.gewekt {
            assert!(
                g.wekker.tijd <= t,
                "a timer due after the message fired before it"
            );
            assert!(
                gevuurd.insert(g.wekker.volgorde),
                "timer {} fired twice",
                g.wekker.volgorde
            );
            assert!(
                laatste.is_none_or(|l| l <= g.wekker.tijd),
                "timers fired out of due-time order"
            );
            laatste = Some(g.wekker.tijd);
        }
        if let Some(w) = hub.toestand.volgende_wekker() {
            assert!(
                w.tijd > t,
                "a timer due at {} is still live after a message at {t}",
                w.tijd
            );
        }
        controleer_timers(&hub.toestand);
        let regel = Logregel::binnen(
            None,
            t,
            mailbox,
            Herkomst::Map,
            clearinghuis::codec::Ontvangen::Heel(xml.into_bytes()),
        );
        uit.push_str(&regel.als_json());
        uit.push('\n');
    }
    uit
}

/// The timers of every claim agree with its state, and the hub's index of
/// due timers holds exactly the live timers and held messages.
fn controleer_timers(toestand: &Toestand) {
    let mut verwacht = std::collections::BTreeSet::new();
    for c in toestand.claims() {
        if c.fase.is_archief() {
            assert!(
                c.timers.is_empty(),
                "archived claim {} has timers {:?}",
                c.id,
                c.timers
            );
            continue;
        }
        let passief: Vec<_> = c
            .timers
            .iter()
            .filter(|t| t.soort == Timersoort::Passief)
            .collect();
        assert_eq!(passief.len(), 1, "claim {}: {:?}", c.id, c.timers);
        assert_eq!(
            passief[0].tijd,
            c.laatste_activiteit + Duration::days(150),
            "claim {}: passive timeout not 150 days after the last activity",
            c.id
        );
        let rappels: Vec<_> = c
            .timers
            .iter()
            .filter_map(|t| match &t.soort {
                Timersoort::Rappel(r) => Some((r.soort, r.aan)),
                _ => None,
            })
            .collect();
        assert_eq!(
            rappels,
            wie_moet(c).into_iter().collect::<Vec<_>>(),
            "claim {} in {:?}",
            c.id,
            c.fase
        );
        for t in &c.timers {
            if let Timersoort::Betaaltermijn { betaalkenmerk } = &t.soort {
                assert!(
                    c.afrekeningen
                        .iter()
                        .any(|a| a.betaalkenmerk == *betaalkenmerk && a.betaald.is_none()),
                    "claim {}: a payment term for a paid or unknown settlement",
                    c.id
                );
            }
            verwacht.insert((t.tijd, t.volgorde, Doel::Claim(c.id.clone())));
        }
    }
    for h in clearinghuis::engine::Zicht::vastgehouden(toestand) {
        verwacht.insert((h.tot, h.volgorde, Doel::Vastgehouden));
    }
    let index: std::collections::BTreeSet<_> = toestand
        .wekkers()
        .map(|w| (w.tijd, w.volgorde, w.doel))
        .collect();
    assert_eq!(
        index, verwacht,
        "the index of due timers is out of step with the claims"
    );
}

fn speel_af(
    log: &str,
    opties: Opties,
) -> (Vec<u8>, Option<String>, Vec<clearinghuis::engine::Claim>) {
    let deelnemers = Deelnemers::lees(DEELNEMERS).expect("participants");
    let instellingen = Instellingen::default();
    let ctx = Context {
        deelnemers: &deelnemers,
        instellingen: &instellingen,
    };
    let mut hub = Hub::new(common::pipeline(), ctx);
    let mut uit = Vec::new();
    let verslag = speel(&mut hub, log.as_bytes(), &mut uit, opties, &mut |_| {})
        .unwrap_or_else(|e| panic!("the hub failed: {e}"));
    (
        uit,
        verslag.verschil.map(|v| v.beschrijving),
        hub.toestand.claims().cloned().collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn willekeurige_gesprekken(berichten in proptest::collection::vec(bericht(), 1..60)) {
        let log = invoer(&berichten);
        let (uit, _, claims) = speel_af(&log, Opties::default());
        let (nogmaals, _, _) = speel_af(&log, Opties::default());
        prop_assert_eq!(&uit, &nogmaals, "the same log gave different output");

        let paren: Vec<_> = Fase::ALLE.iter().map(|f| f.statussen()).collect();
        for regel in String::from_utf8(uit).expect("utf-8").lines() {
            let r: Logregel = serde_json::from_str(regel).expect("a log line");
            let b = common::controleer(r.xml.as_bytes(), Toegestaan::Alle)
                .unwrap_or_else(|w| panic!("invalid outbound message {w:?}\n{}", r.xml));
            prop_assert_eq!(xml::schrijf(&b).expect("writes"), r.xml.clone());
            if let Some(ClaimBlok::Volledig(c)) = &b.kop.claim {
                let rol = if c.verhaler == b.kop.ontvanger { 0 } else { 1 };
                prop_assert!(
                    paren.iter().any(|p| p[rol] == (c.status, c.werkmap)),
                    "{} / {} is not a row of §4 for {}", c.status, c.werkmap,
                    if rol == 0 { "V" } else { "A" }
                );
            }
        }
        for c in &claims {
            prop_assert!(c.posities() <= 3);
            prop_assert!(c.standpunten.len() <= 4, "{:?}", c.standpunten);
            if let Some(vierde) = c.standpunten.get(3) {
                prop_assert_eq!(&vierde.partij, &c.aansprakelijke);
                prop_assert!(matches!(vierde.soort, Standpuntsoort::Akkoord | Standpuntsoort::Afwijzing));
            }
            let inactief = Deelnemercode::new("CR-00770000").expect("code");
            prop_assert!(c.tegenclaim_van.is_some() || (c.verhaler != inactief && c.aansprakelijke != inactief),
                "a claim to or from an inactive participant was created");
        }

        // The hub's own log (in and out lines) replays and verifies.
        let (eigen, _, _) = speel_af(&log, Opties { verify: false, met_invoer: true, tot: None });
        let eigen = String::from_utf8(eigen).expect("utf-8");
        let (_, verschil, _) = speel_af(&eigen, Opties { verify: true, met_invoer: false, tot: None });
        prop_assert!(verschil.is_none(), "{:?}", verschil);
    }

    #[test]
    fn until_in_twee_stappen_is_als_in_een(
        berichten in proptest::collection::vec(bericht(), 1..40),
        eerste in 0..200i64,
        tweede in 0..200i64,
    ) {
        let log = invoer(&berichten);
        let einde = log
            .lines()
            .map(|l| serde_json::from_str::<Logregel>(l).expect("a log line").at)
            .max()
            .expect("a line");
        let t1 = einde + Duration::days(eerste);
        let t2 = t1 + Duration::days(tweede);
        let deelnemers = Deelnemers::lees(DEELNEMERS).expect("participants");
        let instellingen = Instellingen::default();
        let ctx = Context { deelnemers: &deelnemers, instellingen: &instellingen };

        let mut in_een = Vec::new();
        let mut hub = Hub::new(common::pipeline(), ctx);
        speel(&mut hub, log.as_bytes(), &mut in_een, Opties { tot: Some(t2), ..Opties::default() }, &mut |_| {})
            .expect("replays");

        let mut in_twee = Vec::new();
        let mut hub = Hub::new(common::pipeline(), ctx);
        speel(&mut hub, log.as_bytes(), &mut in_twee, Opties { tot: Some(t1), ..Opties::default() }, &mut |_| {})
            .expect("replays");
        for g in hub.wek_tot(t2).expect("fires") {
            for u in g.uit {
                in_twee.extend_from_slice(u.als_json().as_bytes());
                in_twee.push(b'\n');
            }
        }
        controleer_timers(&hub.toestand);
        prop_assert_eq!(String::from_utf8(in_een).expect("utf-8"), String::from_utf8(in_twee).expect("utf-8"));
    }
}
