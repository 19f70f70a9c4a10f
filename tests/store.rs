//! One suite for every store, run on SQLite and on PostgreSQL: what a round
//! writes comes back the same (claims, inbox with its answer, counters, held
//! messages, timers), a failed batch leaves nothing, the outbox drains once,
//! files are remembered, the state survives a reopen, and the export is the
//! log. The rounds are computed once by an in-memory hub; each test hands
//! them to a store. Every PostgreSQL test gets its own database
//! (`common::pg`); a server that cannot be reached fails it.

mod common;

use std::sync::OnceLock;

use chrono::{DateTime, Duration, FixedOffset};
use clearinghuis::bericht::{ClaimId, Deelnemercode, tijdstip, xml};
use clearinghuis::codec::Ontvangen;
use clearinghuis::deelnemers::Deelnemers;
use clearinghuis::engine::{Context, Instellingen, Toestand, Vraag, Wijziging, Zicht};
use clearinghuis::hub::{Herkomst, Hub, Logregel, Richting};
use clearinghuis::store::postgres::PgStore;
use clearinghuis::store::sqlite::SqliteStore;
use clearinghuis::store::{Batch, Bestand, Bestandsrij, Inregel, Store, logrijen};
use sqlx::Row;

// ---------------------------------------------------------------------------
// The rounds

/// One round as the dispatcher commits it, and the hub's state after it.
struct Ronde {
    batch: Batch,
    toestand: Toestand,
    /// Inbound messages read so far (a prefix of `Draaiboek::invoer`).
    gelezen: usize,
    /// The last log seq after the round.
    seq: u64,
}

/// A conversation cut into rounds, with the log it writes.
struct Draaiboek {
    rondes: Vec<Ronde>,
    invoer: Vec<Logregel>,
    log: Vec<Logregel>,
}

fn ctx() -> Context<'static> {
    static DEELNEMERS: OnceLock<Deelnemers> = OnceLock::new();
    static INSTELLINGEN: OnceLock<Instellingen> = OnceLock::new();
    Context {
        deelnemers: DEELNEMERS.get_or_init(|| {
            Deelnemers::laad(&common::root().join("fixtures/conversations/participants.toml"))
                .expect("participants")
        }),
        instellingen: INSTELLINGEN.get_or_init(Instellingen::default),
    }
}

struct Speler {
    hub: Hub<'static>,
    d: Draaiboek,
}

impl Speler {
    fn new() -> Speler {
        Speler {
            hub: Hub::new(common::pipeline(), ctx()),
            d: Draaiboek {
                rondes: Vec::new(),
                invoer: Vec::new(),
                log: Vec::new(),
            },
        }
    }

    /// Processes `invoer`, `per_ronde` messages to a round, each with its file.
    fn ontvang(&mut self, invoer: &[Logregel], per_ronde: usize) {
        for stuk in invoer.chunks(per_ronde) {
            let mut batch = Batch::default();
            for r in stuk {
                let code = Deelnemercode::new(r.mailbox.as_str()).expect("code");
                let mut v = self
                    .hub
                    .ontvang(&code, r.at, r.xml.as_bytes())
                    .expect("processes");
                for g in std::mem::take(&mut v.gewekt) {
                    batch.neem_gewekt(g);
                }
                let in_regel = Logregel {
                    seq: Some(v.seq_in),
                    ..r.clone()
                };
                let rijen = logrijen(Some(Inregel::van(in_regel, &v)), None, &v.uit);
                batch.regels.extend(rijen);
                batch.wijzigingen.extend(v.wijzigingen);
                batch.bestanden.push(Bestand {
                    mailbox: code,
                    naam: format!("{}.xml", self.d.invoer.len()),
                    hash: v.hash,
                    seq: v.seq_in,
                });
                self.d.invoer.push(r.clone());
            }
            self.rond_af(batch);
        }
    }

    /// Fires the timers due up to `tot`, as one round.
    fn wek_tot(&mut self, tot: DateTime<FixedOffset>) {
        let mut batch = Batch::default();
        for g in self.hub.wek_tot(tot).expect("timers fire") {
            batch.neem_gewekt(g);
        }
        assert!(!batch.is_leeg(), "no timer was due before {tot}");
        self.rond_af(batch);
    }

    fn rond_af(&mut self, batch: Batch) {
        self.d
            .log
            .extend(batch.regels.iter().map(|r| r.regel.clone()));
        self.d.rondes.push(Ronde {
            batch,
            toestand: self.hub.toestand.clone(),
            gelezen: self.d.invoer.len(),
            seq: self.d.log.last().and_then(|r| r.seq).unwrap_or(0),
        });
    }
}

fn fixture(naam: &str) -> Vec<Logregel> {
    let pad = common::root().join("fixtures/conversations").join(naam);
    std::fs::read_to_string(pad)
        .expect("readable")
        .lines()
        .map(|l| serde_json::from_str::<Logregel>(l).expect("line"))
        .filter(|r| r.direction == Richting::In)
        .collect()
}

fn t(s: &str) -> DateTime<FixedOffset> {
    tijdstip::parse(s).expect("time")
}

/// Fixture 38 (held messages, a settlement and an archived claim), one
/// message a round.
fn fixture_38() -> &'static Draaiboek {
    static D: OnceLock<Draaiboek> = OnceLock::new();
    D.get_or_init(|| {
        let mut s = Speler::new();
        s.ontvang(&fixture("38-vroege-betaalbevestiging.jsonl"), 1);
        s.d
    })
}

/// Fixture 38, then 150 synthetic claims in one round of 300 messages (the
/// timers fixture 38 left fire first, in the same batch), then every timer
/// up to the end of 2027. Times carry microseconds and several offsets.
fn groot() -> &'static Draaiboek {
    static D: OnceLock<Draaiboek> = OnceLock::new();
    D.get_or_init(|| {
        let mut s = Speler::new();
        s.ontvang(&fixture("38-vroege-betaalbevestiging.jsonl"), 1);
        let begin = t("2026-11-20T14:00:00.000001+05:30");
        let mut last = Vec::new();
        for i in 0..150 {
            let at = begin + Duration::microseconds(2_000_123 * i as i64);
            last.push(Logregel::binnen(
                None,
                at,
                common::last::V.into(),
                Herkomst::Map,
                Ontvangen::Heel(common::last::aanmelding(i).into_bytes()),
            ));
            let offset =
                FixedOffset::east_opt(if i % 2 == 0 { 3600 } else { -3 * 3600 }).expect("offset");
            last.push(Logregel::binnen(
                None,
                (at + Duration::microseconds(1_000_001)).with_timezone(&offset),
                common::last::A.into(),
                // Both ways a message comes, so the store keeps `transport`.
                Herkomst::Amqp {
                    user_id: Some(common::last::A.into()),
                },
                Ontvangen::Heel(common::last::akkoord(i).into_bytes()),
            ));
        }
        s.ontvang(&last, last.len());
        s.wek_tot(t("2027-12-31T00:00:00+01:00"));
        s.d
    })
}

// ---------------------------------------------------------------------------
// Checks

/// The stored state is the round's: `laad` gives the counters, held
/// messages and due timers; every claim, key and inbox entry comes back
/// through `zoek`, and a lookup of something that is not there says so.
async fn zelfde_staat(store: &impl Store, r: &Ronde, d: &Draaiboek) {
    let mut terug = store.laad().await.expect("loads");
    assert!(terug.toestand.is_gedeeltelijk());
    assert_eq!(terug.seq, r.seq);
    assert_eq!(terug.toestand.tellers(), r.toestand.tellers());
    assert_eq!(terug.toestand.vastgehouden(), r.toestand.vastgehouden());
    assert_eq!(
        terug.toestand.wekkers().collect::<Vec<_>>(),
        r.toestand.wekkers().collect::<Vec<_>>()
    );
    let mut vragen = vec![Vraag::Claim(ClaimId::van_volgnummer(99_999_999))];
    for c in r.toestand.claims() {
        vragen.push(Vraag::Claim(c.id.clone()));
        if let Some(n) = &c.schadenummer_verhaler {
            vragen.push(Vraag::Sleutel(c.verhaler.clone(), n.clone()));
        }
        vragen.push(Vraag::Voertuigen(c.voertuigsleutel()));
    }
    for m in &d.invoer[..r.gelezen] {
        let b = xml::lees(&m.xml).expect("message");
        vragen.push(Vraag::Inbox(
            b.kop.afzender.clone(),
            b.kop.bericht_id.clone(),
        ));
    }
    let gevonden = store.zoek(&vragen).await.expect("looks up");
    terug.toestand.vul(gevonden);
    assert_eq!(
        terug.toestand.claims().cloned().collect::<Vec<_>>(),
        r.toestand.claims().cloned().collect::<Vec<_>>()
    );
    for c in r.toestand.claims() {
        if let Some(n) = &c.schadenummer_verhaler {
            assert_eq!(
                terug.toestand.claim_op_sleutel(&c.verhaler, n),
                r.toestand.claim_op_sleutel(&c.verhaler, n)
            );
        }
        assert_eq!(
            terug.toestand.claim_op_voertuigen(&c.voertuigsleutel()),
            r.toestand.claim_op_voertuigen(&c.voertuigsleutel())
        );
    }
    for m in &d.invoer[..r.gelezen] {
        let b = xml::lees(&m.xml).expect("message");
        assert_eq!(
            terug.toestand.inbox(&b.kop.afzender, &b.kop.bericht_id),
            r.toestand.inbox(&b.kop.afzender, &b.kop.bericht_id),
            "inbox entry of {}",
            b.kop.bericht_id
        );
    }
    assert_eq!(
        terug.toestand.claim(&ClaimId::van_volgnummer(99_999_999)),
        None
    );
    // Every lookup above was answered: nothing left to load.
    assert_eq!(terug.toestand.neem_missers(), Vec::new());
}

async fn export_van(store: &impl Store) -> Vec<Logregel> {
    let mut export = Vec::new();
    let n = store
        .exporteer(&mut |r| {
            export.push(r);
            Ok(())
        })
        .await
        .expect("exports");
    assert_eq!(n as usize, export.len());
    export
}

/// The export as `clearinghuis log export` writes it.
fn als_bestand(regels: &[Logregel]) -> String {
    regels.iter().map(|r| r.als_json() + "\n").collect()
}

async fn speel_alles(store: &impl Store, d: &Draaiboek) {
    for r in &d.rondes {
        store.bewaar(&r.batch).await.expect("commits");
    }
}

// ---------------------------------------------------------------------------
// The suite, generic over the store

/// After every round the stored state is the hub's; the export is the log.
async fn elke_ronde<S: Store>(store: S, d: &Draaiboek) {
    let leeg = store.laad().await.expect("loads");
    assert_eq!(leeg.seq, 0);
    assert_eq!(leeg.toestand.claims().count(), 0);
    assert_eq!(export_van(&store).await, Vec::new());
    for r in &d.rondes {
        store.bewaar(&r.batch).await.expect("commits");
        zelfde_staat(&store, r, d).await;
    }
    assert!(
        d.rondes
            .iter()
            .any(|r| !r.toestand.vastgehouden().is_empty()),
        "the rounds hold a message somewhere"
    );
    assert_eq!(export_van(&store).await, d.log);
}

/// The outbox holds every out line once, in order, until marked sent.
async fn outbox<S: Store>(store: S, d: &Draaiboek) {
    assert!(store.onverzonden(10, 0).await.expect("outbox").is_empty());
    speel_alles(&store, d).await;
    let uit: Vec<&Logregel> = d
        .log
        .iter()
        .filter(|r| r.direction == Richting::Out)
        .collect();
    let open = store.onverzonden(100_000, 0).await.expect("outbox");
    assert_eq!(open.len(), uit.len());
    for (o, r) in open.iter().zip(&uit) {
        assert_eq!(Some(o.seq), r.seq);
        assert_eq!(o.mailbox.as_str(), r.mailbox);
        assert_eq!(o.xml, r.xml.as_bytes());
        assert!(
            r.xml
                .contains(&format!("<BerichtId>{}</BerichtId>", o.bericht_id))
        );
    }
    assert_eq!(store.onverzonden(3, 0).await.expect("outbox"), open[..3]);

    let eerste: Vec<u64> = open.iter().take(5).map(|o| o.seq).collect();
    store.verzonden(&eerste).await.expect("marks");
    store.verzonden(&eerste).await.expect("marks again");
    store.verzonden(&[]).await.expect("marks nothing");
    assert_eq!(
        store.onverzonden(100_000, 0).await.expect("outbox"),
        open[5..]
    );
    // A batch marks earlier answers sent in its own transaction.
    let volgende: Vec<u64> = open[5..8].iter().map(|o| o.seq).collect();
    let batch = Batch {
        verzonden: volgende,
        ..Batch::default()
    };
    store.bewaar(&batch).await.expect("commits");
    assert_eq!(
        store.onverzonden(100_000, 0).await.expect("outbox"),
        open[8..]
    );
    let rest: Vec<u64> = open[8..].iter().map(|o| o.seq).collect();
    store.verzonden(&rest).await.expect("marks");
    assert!(
        store
            .onverzonden(100_000, 0)
            .await
            .expect("outbox")
            .is_empty()
    );
}

/// Files: known by name and hash until moved; registered again, not moved.
async fn bestanden<S: Store>(store: S, d: &Draaiboek) {
    speel_alles(&store, d).await;
    let v = Deelnemercode::new("CR-00510000").expect("code");
    let eerste = d.rondes[0].batch.bestanden[0].clone();
    assert_eq!(eerste.mailbox, v);
    let rij = store
        .bestand(&v, "0.xml")
        .await
        .expect("query")
        .expect("known");
    assert_eq!(rij.hash, eerste.hash);
    assert_eq!(rij.seq, eerste.seq);
    assert!(!rij.verplaatst);
    store
        .verplaatst(&[(v.clone(), "0.xml".into()), (v.clone(), "nooit.xml".into())])
        .await
        .expect("marks");
    store.verplaatst(&[]).await.expect("marks nothing");
    assert_eq!(
        store.bestand(&v, "0.xml").await.expect("query"),
        Some(Bestandsrij {
            hash: eerste.hash.clone(),
            seq: eerste.seq,
            verplaatst: true,
        })
    );
    assert!(
        store
            .bestand(&v, "nooit.xml")
            .await
            .expect("query")
            .is_none()
    );

    // The same name committed again replaces the row, as a new file.
    let opnieuw = Batch {
        bestanden: vec![Bestand {
            hash: "ander".into(),
            seq: 7,
            ..eerste
        }],
        ..Batch::default()
    };
    store.bewaar(&opnieuw).await.expect("commits");
    assert_eq!(
        store.bestand(&v, "0.xml").await.expect("query"),
        Some(Bestandsrij {
            hash: "ander".into(),
            seq: 7,
            verplaatst: false,
        })
    );
}

/// A batch that fails half-way leaves nothing behind: not its log lines, not
/// its outbox rows, claims, counters or files. The round then commits.
async fn alles_of_niets<S: Store>(store: S, d: &Draaiboek) {
    // The first round after which a message is held that the next round
    // keeps: holding it again in that round breaks the held table's key,
    // after the log, outbox, claims and inbox were written.
    let k = (0..d.rondes.len() - 1)
        .find(|&k| {
            d.rondes[k].toestand.vastgehouden().iter().any(|h| {
                d.rondes[k + 1]
                    .toestand
                    .vastgehouden()
                    .iter()
                    .any(|h2| h2.volgorde == h.volgorde)
            }) && !d.rondes[k + 1].batch.regels.is_empty()
        })
        .expect("a message held over two rounds");
    for r in &d.rondes[..=k] {
        store.bewaar(&r.batch).await.expect("commits");
    }
    let volgende = &d.rondes[k + 1];
    let gehouden = d.rondes[k]
        .toestand
        .vastgehouden()
        .into_iter()
        .find(|h| {
            volgende
                .toestand
                .vastgehouden()
                .iter()
                .any(|h2| h2.volgorde == h.volgorde)
        })
        .expect("held");
    let mut wijzigingen = volgende.batch.wijzigingen.clone();
    wijzigingen.push(Wijziging::Vasthouden(Box::new(gehouden)));
    let kapot = Batch {
        regels: volgende.batch.regels.clone(),
        wijzigingen,
        bestanden: volgende.batch.bestanden.clone(),
        verzonden: Vec::new(),
    };
    let voor_export = export_van(&store).await;
    let voor_outbox = store.onverzonden(100_000, 0).await.expect("outbox");
    assert!(store.bewaar(&kapot).await.is_err(), "the batch must fail");

    zelfde_staat(&store, &d.rondes[k], d).await;
    assert_eq!(export_van(&store).await, voor_export);
    assert_eq!(
        store.onverzonden(100_000, 0).await.expect("outbox"),
        voor_outbox
    );
    for b in &volgende.batch.bestanden {
        assert_eq!(
            store.bestand(&b.mailbox, &b.naam).await.expect("query"),
            None
        );
    }

    for r in &d.rondes[k + 1..] {
        store.bewaar(&r.batch).await.expect("commits");
    }
    zelfde_staat(&store, d.rondes.last().expect("rounds"), d).await;
    assert_eq!(export_van(&store).await, d.log);
}

/// A store opened again on the same database (migrations run again) goes on
/// from the state the first one committed.
async fn herstart<S: Store>(open: impl AsyncFn() -> S, d: &Draaiboek) {
    let helft = d.rondes.len() / 2;
    {
        let eerste = open().await;
        for r in &d.rondes[..helft] {
            eerste.bewaar(&r.batch).await.expect("commits");
        }
    }
    let tweede = open().await;
    zelfde_staat(&tweede, &d.rondes[helft - 1], d).await;
    for r in &d.rondes[helft..] {
        tweede.bewaar(&r.batch).await.expect("commits");
    }
    zelfde_staat(&tweede, d.rondes.last().expect("rounds"), d).await;
    assert_eq!(export_van(&tweede).await, d.log);
}

// ---------------------------------------------------------------------------
// The stores

/// A SQLite file of its own, removed (with its WAL) when dropped.
struct Sqlitebestand(std::path::PathBuf);

impl Sqlitebestand {
    fn nieuw(naam: &str) -> Sqlitebestand {
        let pad = std::env::temp_dir().join(format!(
            "clearinghuis-store-{}-{naam}.db",
            std::process::id()
        ));
        let b = Sqlitebestand(pad);
        b.weg();
        b
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }

    fn weg(&self) {
        for eind in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(eind);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for Sqlitebestand {
    fn drop(&mut self) {
        self.weg();
    }
}

async fn sqlite(naam: &str) -> (SqliteStore, Sqlitebestand) {
    let b = Sqlitebestand::nieuw(naam);
    let store = SqliteStore::open(&b.url()).await.expect("opens");
    (store, b)
}

async fn pg() -> (PgStore, common::pg::Guard) {
    let (url, guard) = common::pg::verse_database().await;
    let store = PgStore::open(&url).await.expect("opens");
    (store, guard)
}

/// Each test of the suite, once per store.
macro_rules! beide {
    ($naam:ident, $sqlite:ident, $pg:ident, $draaiboek:expr) => {
        #[tokio::test]
        async fn $sqlite() {
            let (store, _b) = sqlite(stringify!($sqlite)).await;
            $naam(store, $draaiboek).await;
        }

        #[tokio::test]
        async fn $pg() {
            let (store, _g) = pg().await;
            $naam(store, $draaiboek).await;
        }
    };
}

beide!(elke_ronde, elke_ronde_sqlite, elke_ronde_pg, fixture_38());
beide!(elke_ronde, grote_batch_sqlite, grote_batch_pg, groot());
beide!(outbox, outbox_sqlite, outbox_pg, groot());
beide!(bestanden, bestanden_sqlite, bestanden_pg, fixture_38());
beide!(
    alles_of_niets,
    alles_of_niets_sqlite,
    alles_of_niets_pg,
    fixture_38()
);

#[tokio::test]
async fn herstart_sqlite() {
    let b = Sqlitebestand::nieuw("herstart");
    let url = b.url();
    herstart(
        async || SqliteStore::open(&url).await.expect("opens"),
        groot(),
    )
    .await;
}

#[tokio::test]
async fn herstart_pg() {
    let (url, _g) = common::pg::verse_database().await;
    herstart(async || PgStore::open(&url).await.expect("opens"), groot()).await;
}

/// The big round really is big: it is what the array inserts are for.
#[test]
fn grote_batch_is_groot() {
    let d = groot();
    let max = d.rondes.iter().map(|r| r.batch.regels.len()).max();
    assert!(max.is_some_and(|n| n >= 500), "largest batch {max:?}");
    assert!(
        d.rondes.iter().any(|r| r
            .batch
            .wijzigingen
            .iter()
            .any(|w| matches!(w, Wijziging::Vrijgeven { .. }))),
        "a held message is released"
    );
}

/// The same rounds into both stores give byte-identical exports, the same
/// outbox and the same state.
#[tokio::test]
async fn beide_stores_zelfde_export() {
    let d = groot();
    let (lite, _b) = sqlite("zelfde").await;
    let (pg, _g) = pg().await;
    speel_alles(&lite, d).await;
    speel_alles(&pg, d).await;

    let uit_lite = als_bestand(&export_van(&lite).await);
    let uit_pg = als_bestand(&export_van(&pg).await);
    assert!(uit_lite == uit_pg, "the exports differ");
    assert_eq!(uit_pg, als_bestand(&d.log));

    assert_eq!(
        lite.onverzonden(100_000, 0).await.expect("outbox"),
        pg.onverzonden(100_000, 0).await.expect("outbox")
    );
    let laatste = d.rondes.last().expect("rounds");
    zelfde_staat(&lite, laatste, d).await;
    zelfde_staat(&pg, laatste, d).await;
}

/// PostgreSQL keeps each logged time as text, offset and all, and beside it
/// the same instant as timestamptz, to the microsecond.
#[tokio::test]
async fn pg_at_utc() {
    let d = groot();
    let (url, _g) = common::pg::verse_database().await;
    let store = PgStore::open(&url).await.expect("opens");
    speel_alles(&store, d).await;
    let pool = sqlx::PgPool::connect(&url).await.expect("connects");
    let rijen = sqlx::query(
        "SELECT seq, at, (extract(epoch FROM at_utc) * 1000000)::bigint FROM berichtenlog ORDER BY seq",
    )
    .fetch_all(&pool)
    .await
    .expect("query");
    assert_eq!(rijen.len(), d.log.len());
    for (r, l) in rijen.iter().zip(&d.log) {
        assert_eq!(Some(r.get::<i64, _>(0) as u64), l.seq);
        assert_eq!(r.get::<String, _>(1), tijdstip::format(&l.at));
        assert_eq!(
            r.get::<i64, _>(2),
            l.at.timestamp_micros(),
            "seq {:?}",
            l.seq
        );
    }
    let offsets: std::collections::BTreeSet<String> = rijen
        .iter()
        .map(|r| r.get::<String, _>(1)[r.get::<String, _>(1).len() - 6..].to_string())
        .collect();
    assert!(offsets.len() >= 3, "offsets {offsets:?}");
    assert!(
        rijen
            .iter()
            .any(|r| r.get::<String, _>(1).contains(".000001")),
        "microseconds kept"
    );
    pool.close().await;
}

/// A server that is not there is an error at open, not a hang.
#[tokio::test]
async fn pg_niet_bereikbaar() {
    let begin = std::time::Instant::now();
    let fout = PgStore::open("postgres://postgres@127.0.0.1:1/geen").await;
    assert!(fout.is_err());
    assert!(begin.elapsed() < std::time::Duration::from_secs(15));
}
