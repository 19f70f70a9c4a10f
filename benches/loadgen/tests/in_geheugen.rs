//! The load generator's conversations are valid: 200 generated claims between
//! seven generated participants, interleaved in a seeded order, run through
//! the product's in-memory hub (`clearinghuis::hub::Hub`) with the model
//! answering every outbound message, as the AMQP driver does. No Foutbericht,
//! one receipt per inbound message to its sender, every claim archived, and
//! the message counts the model announces.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::OnceLock;

use chrono::Duration;
use clearinghuis::bericht::{self, Deelnemercode, Werkmap, tijdstip};
use clearinghuis::codec::Pipeline;
use clearinghuis::deelnemers::Deelnemers;
use clearinghuis::engine::{Context, Fase, Instellingen};
use clearinghuis::hub::Hub;
use clearinghuis_loadgen::deelnemers;
use clearinghuis_loadgen::gesprek::{
    ANTWOORDEN_PER_CLAIM, BERICHTEN_PER_CLAIM, Kern, Model, Stap, Verzending,
    claim_van_schadenummer,
};

/// The validator threads, started once for the tests of this file.
fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::met_threads(2).expect("validator threads start"))
}

const CLAIMS: u64 = 200;
const DEELNEMERS: usize = 7;
/// Messages waiting to be sent at once: claims start while others run.
const OPEN: usize = 30;

/// A small seeded generator (xorshift64*) for the order messages arrive in.
struct Volgorde(u64);

impl Volgorde {
    fn kies(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

#[test]
fn tweehonderd_claims_lopen_het_hele_pad_door_de_hub() {
    let codes = deelnemers::codes(DEELNEMERS, deelnemers::EERSTE_CODE).expect("codes");
    let register = Deelnemers::lees(&deelnemers::toml(&codes)).expect("the hub loads the file");
    let instellingen = Instellingen::default();
    let ctx = Context {
        deelnemers: &register,
        instellingen: &instellingen,
    };
    let mut hub = Hub::new(pipeline(), ctx);
    let model = Model::new(codes.clone(), 42).expect("model");
    let mut klok = tijdstip::parse("2026-03-02T09:00:00+01:00").expect("time");
    let begin = klok;
    let mut volgorde = Volgorde(0x5EED_1234_ABCD_0001);

    let mut wachtrij: VecDeque<Verzending> = VecDeque::new();
    let mut volgende = 0u64;
    // Per inbound BerichtId: its sender, and the receipts it got.
    let mut verzonden: HashMap<String, Deelnemercode> = HashMap::new();
    let mut bevestigd: HashMap<String, usize> = HashMap::new();
    let mut in_per_claim: HashMap<u64, usize> = HashMap::new();
    let mut uit_per_claim: HashMap<u64, usize> = HashMap::new();
    let mut bytes_per_claim: HashMap<u64, usize> = HashMap::new();
    let mut klaar: BTreeSet<u64> = BTreeSet::new();
    let mut max_open_claims = 0usize;

    loop {
        while wachtrij.len() < OPEN && volgende < CLAIMS {
            wachtrij.push_back(model.start(volgende, klok).expect("start"));
            volgende += 1;
        }
        if wachtrij.is_empty() {
            break;
        }
        let open = volgende as usize - klaar.len();
        max_open_claims = max_open_claims.max(open);
        let i = volgorde.kies(wachtrij.len());
        let v = wachtrij.remove(i).expect("in range");
        // A little time per message: minutes in all, no timer of §7 falls due.
        klok += Duration::seconds(2);
        let verwerkt = hub
            .ontvang(&v.afzender, klok, v.xml.as_bytes())
            .expect("the hub processes it");
        assert!(verwerkt.gewekt.is_empty(), "no timer fires");
        assert!(
            verzonden
                .insert(v.bericht_id.to_string(), v.afzender.clone())
                .is_none(),
            "BerichtId {} used twice",
            v.bericht_id
        );
        *in_per_claim.entry(v.claim).or_default() += 1;
        *bytes_per_claim.entry(v.claim).or_default() += v.xml.len();
        for regel in verwerkt.uit {
            let getypt = bericht::xml::lees(&regel.xml).expect("the hub's output reads");
            let kern = Kern::lees(&regel.xml).expect("the loadgen reads it");
            assert_eq!(kern, Kern::van_bericht(&getypt), "{}", regel.xml);
            assert_eq!(kern.ontvanger, regel.mailbox);
            assert_ne!(kern.soort, "Foutbericht", "{}\nafter\n{}", regel.xml, v.xml);
            if kern.soort == "Ontvangstbevestiging" {
                let id = kern.bevestigd.clone().expect("names the message");
                assert_eq!(
                    verzonden.get(&id).map(|d| d.as_str()),
                    Some(regel.mailbox.as_str()),
                    "the receipt of {id} goes to its sender"
                );
                *bevestigd.entry(id).or_default() += 1;
            }
            let claim = kern
                .schadenummer_verhaler
                .as_deref()
                .and_then(claim_van_schadenummer)
                .expect("every answer names a load claim");
            *uit_per_claim.entry(claim).or_default() += 1;
            let reactie = model
                .reageer(&kern, klok)
                .expect("the path goes as planned");
            wachtrij.extend(reactie.sturen);
            if let Some(c) = reactie.klaar {
                assert!(klaar.insert(c), "claim {c} completed twice");
            }
        }
    }

    let totaal = CLAIMS as usize * BERICHTEN_PER_CLAIM;
    assert_eq!(verzonden.len(), totaal);
    assert_eq!(
        bevestigd.len(),
        totaal,
        "every inbound message got a receipt"
    );
    assert!(
        bevestigd.values().all(|n| *n == 1),
        "exactly one receipt each"
    );
    assert_eq!(klaar.len(), CLAIMS as usize);
    assert!(
        max_open_claims > 20,
        "claims interleave ({max_open_claims} open at most)"
    );
    assert!(klok - begin < Duration::days(1));

    let claims: Vec<_> = hub.toestand.claims().collect();
    assert_eq!(
        claims.len(),
        CLAIMS as usize,
        "no counter-claims, no extras"
    );
    let mut gezien = BTreeSet::new();
    for c in claims {
        let nummer = c
            .schadenummer_verhaler
            .as_ref()
            .and_then(|s| claim_van_schadenummer(s.as_str()))
            .expect("a load claim");
        assert!(gezien.insert(nummer));
        assert_eq!(c.fase, Fase::Gearchiveerd, "claim {nummer} ({})", c.id);
        assert_eq!(
            c.fase.van(clearinghuis::engine::Rol::Verhaler).1,
            Werkmap::Archief
        );
        assert_eq!(c.afrekeningen.len(), 1);
        assert!(c.afrekeningen[0].betaald.is_some());
        assert!(c.timers.is_empty(), "an archived claim has no timers");
        let (v, a) = model.partijen(nummer);
        assert_eq!((&c.verhaler, &c.aansprakelijke), (v, a));
    }

    // Raw-phase bytes: the conversation the model gives without a hub has
    // the same messages, byte for byte in size, as the one that ran.
    for claim in 0..CLAIMS {
        assert_eq!(
            in_per_claim[&claim], BERICHTEN_PER_CLAIM,
            "claim {claim} in"
        );
        assert_eq!(
            uit_per_claim[&claim], ANTWOORDEN_PER_CLAIM,
            "claim {claim} out"
        );
        let gesprek = model.gesprek(claim, klok).expect("conversation");
        assert_eq!(gesprek.len(), BERICHTEN_PER_CLAIM);
        assert_eq!(gesprek[5].stap, Stap::Archivering);
        let bytes: usize = gesprek.iter().map(|v| v.xml.len()).sum();
        assert_eq!(bytes, bytes_per_claim[&claim], "claim {claim} bytes");
    }
}

/// Every participant is both V and A, and the claims' plates and numbers are
/// distinct across the run (the hub would refuse a second claim on the same
/// vehicles with F09).
#[test]
fn elke_deelnemer_is_v_en_a() {
    let codes = deelnemers::codes(DEELNEMERS, deelnemers::EERSTE_CODE).expect("codes");
    let model = Model::new(codes.clone(), 1).expect("model");
    let mut rollen: HashMap<&Deelnemercode, (u32, u32)> = HashMap::new();
    for claim in 0..CLAIMS {
        let (v, a) = model.partijen(claim);
        rollen.entry(v).or_default().0 += 1;
        rollen.entry(a).or_default().1 += 1;
    }
    assert_eq!(rollen.len(), DEELNEMERS);
    assert!(rollen.values().all(|(v, a)| *v > 0 && *a > 0), "{rollen:?}");
}
