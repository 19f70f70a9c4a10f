//! The running hub keeps only a cache of the state and reads the rest from
//! the store when the engine looks it up (engine::Toestand partial). This
//! plays every conversation fixture through that path, emptying the cache
//! after every message, and requires the same out lines, byte for byte, as
//! the fixture (which the whole in-memory state recorded), on both stores.

mod common;

use clearinghuis::bericht::Deelnemercode;
use clearinghuis::deelnemers::Deelnemers;
use clearinghuis::dispatcher::opgezocht;
use clearinghuis::engine::{Context, Instellingen};
use clearinghuis::hub::{Hub, HubFout, Logregel, Richting};
use clearinghuis::store::postgres::PgStore;
use clearinghuis::store::sqlite::SqliteStore;
use clearinghuis::store::{Batch, Inregel, Store, logrijen};

fn regels(pad: &std::path::Path) -> Vec<Logregel> {
    std::fs::read_to_string(pad)
        .expect("readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a log line"))
        .collect()
}

async fn speel_gedeeltelijk<S: Store>(
    store: S,
    pad: &std::path::Path,
    deelnemers: &Deelnemers,
) -> Vec<Logregel> {
    let instellingen = Instellingen::default();
    let ctx = Context {
        deelnemers,
        instellingen: &instellingen,
    };
    let opgeslagen = store.laad().await.expect("loads");
    assert!(opgeslagen.toestand.is_gedeeltelijk());
    let mut hub = Hub::met_toestand(common::pipeline(), ctx, opgeslagen.toestand, 0);
    let mut uit = Vec::new();
    let mut missers = 0usize;
    for r in regels(pad)
        .into_iter()
        .filter(|r| r.direction == Richting::In)
    {
        let code = Deelnemercode::new(r.mailbox.as_str()).expect("code");
        let mut batch = Batch::default();
        let mut vuur = Vec::new();
        opgezocht(&store, &mut hub, |h| h.wek_tot_in(r.at, &mut vuur))
            .await
            .expect("timers");
        for g in vuur {
            uit.extend(g.uit.clone());
            batch.neem_gewekt(g);
        }
        let controle = Hub::controleer(common::pipeline(), &r.ontvangen()).expect("checks");
        let hash = clearinghuis::engine::inhoud_hash(r.xml.as_bytes());
        // The dry run (which writes no XML) must find every lookup the real
        // run needs: a lookup found only via a key found earlier takes one
        // more dry run, never more than three.
        for _ in 0..3 {
            let vragen = hub.peil(&code, &r.herkomst, r.at, &hash, &controle);
            if vragen.is_empty() {
                break;
            }
            missers += vragen.len();
            hub.toestand
                .vul(store.zoek(&vragen).await.expect("looks up"));
        }
        assert!(
            hub.peil(&code, &r.herkomst, r.at, &hash, &controle)
                .is_empty()
        );
        let v = match hub.verwerk(&code, &r.herkomst, r.at, &hash, &controle) {
            Err(HubFout::Ontbreekt(v)) => {
                panic!("{}: the dry run missed {v:?}", pad.display())
            }
            v => v.expect("processes"),
        };
        let in_regel = Logregel {
            seq: Some(v.seq_in),
            ..r.clone()
        };
        batch
            .regels
            .extend(logrijen(Some(Inregel::van(in_regel, &v)), None, &v.uit));
        batch.wijzigingen.extend(v.wijzigingen);
        uit.extend(v.uit);
        store.bewaar(&batch).await.expect("commits");
        // Everything committed: forget it all, so the next message reads
        // every claim, key and inbox entry back from the store.
        hub.toestand.vergeet_boven(0);
        assert_eq!(hub.toestand.omvang(), 0);
    }
    if let Ok(t) = std::fs::read_to_string(pad.with_extension("until")) {
        let t = clearinghuis::bericht::tijdstip::parse(t.trim()).expect("until");
        let mut vuur = Vec::new();
        opgezocht(&store, &mut hub, |h| h.wek_tot_in(t, &mut vuur))
            .await
            .expect("timers");
        uit.extend(vuur.into_iter().flat_map(|g| g.uit));
    }
    assert!(missers > 0, "{}: the cache was never missed", pad.display());
    uit
}

fn tempdir(pad: &std::path::Path) -> std::path::PathBuf {
    let naam = pad.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
    let map = std::env::temp_dir().join(format!("ch-opzoeken-{}-{naam}", std::process::id()));
    let _ = std::fs::remove_dir_all(&map);
    std::fs::create_dir_all(&map).expect("tempdir");
    map
}

#[derive(Clone, Copy)]
enum Soort {
    Sqlite,
    Postgres,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_elk_gesprek_gelijk_met_een_lege_cache_na_elk_bericht() {
    elk_gesprek(Soort::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_elk_gesprek_gelijk_met_een_lege_cache_na_elk_bericht() {
    elk_gesprek(Soort::Postgres).await;
}

async fn elk_gesprek(soort: Soort) {
    let map = common::root().join("fixtures/conversations");
    let deelnemers = Deelnemers::laad(&map.join("participants.toml")).expect("participants");
    let mut paden: Vec<_> = std::fs::read_dir(&map)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paden.sort();
    assert!(paden.len() >= 39);
    for pad in paden {
        let verwacht: Vec<Logregel> = regels(&pad)
            .into_iter()
            .filter(|r| r.direction == Richting::Out)
            .collect();
        let gemaakt = match soort {
            Soort::Sqlite => {
                let map = tempdir(&pad);
                let url = format!("sqlite://{}", map.join("s.db").display());
                let store = SqliteStore::open(&url).await.expect("store");
                let uit = speel_gedeeltelijk(store, &pad, &deelnemers).await;
                let _ = std::fs::remove_dir_all(&map);
                uit
            }
            Soort::Postgres => {
                let (url, _db) = common::pg::verse_database().await;
                let store = PgStore::open(&url).await.expect("store");
                speel_gedeeltelijk(store, &pad, &deelnemers).await
            }
        };
        assert_eq!(
            gemaakt.len(),
            verwacht.len(),
            "{}: number of out lines",
            pad.display()
        );
        for (g, v) in gemaakt.iter().zip(&verwacht) {
            assert_eq!(g, v, "{}", pad.display());
        }
    }
}
