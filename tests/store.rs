//! The store interface against SQLite: what a round writes comes back the
//! same (claims, inbox with its answer, counters, held messages, timers), the
//! outbox drains once, files are remembered, and the export is the log.
//! Written against `Store` so the PostgreSQL store can run the same checks.

mod common;

use clearinghuis::deelnemers::Deelnemers;
use clearinghuis::engine::{Context, Instellingen, Zicht};
use clearinghuis::replay::{Hub, Logregel, Richting};
use clearinghuis::store::sqlite::SqliteStore;
use clearinghuis::store::{Batch, Bestand, Store, logrijen};

async fn suite(store: &impl Store) {
    let leeg = store.laad().await.expect("loads");
    assert_eq!(leeg.seq, 0);
    assert_eq!(leeg.toestand.claims().count(), 0);

    // Fixture 38 has held messages, a settlement and an archived claim.
    let deelnemers =
        Deelnemers::laad(&common::root().join("fixtures/conversations/participants.toml"))
            .expect("participants");
    let instellingen = Instellingen::default();
    let ctx = Context {
        deelnemers: &deelnemers,
        instellingen: &instellingen,
    };
    let mut hub = Hub::new(common::pipeline(), ctx);
    let mut log: Vec<Logregel> = Vec::new();
    let fixture = common::root().join("fixtures/conversations/38-vroege-betaalbevestiging.jsonl");
    let invoer: Vec<Logregel> = std::fs::read_to_string(fixture)
        .expect("readable")
        .lines()
        .map(|l| serde_json::from_str::<Logregel>(l).expect("line"))
        .filter(|r| r.direction == Richting::In)
        .collect();
    for (i, r) in invoer.iter().enumerate() {
        let code = clearinghuis::bericht::Deelnemercode::new(r.mailbox.as_str()).expect("code");
        let v = hub
            .ontvang(&code, r.at, r.xml.as_bytes())
            .expect("processes");
        let mut batch = Batch::default();
        for g in v.gewekt {
            batch.neem_gewekt(g);
        }
        let in_regel = Logregel {
            seq: Some(v.seq_in),
            ..r.clone()
        };
        batch.regels.extend(logrijen(
            Some((in_regel, v.hash.clone(), v.uitslag)),
            &v.uit,
        ));
        batch.wijzigingen.extend(v.wijzigingen);
        batch.bestanden.push(Bestand {
            mailbox: code,
            naam: format!("{i}.xml"),
            hash: v.hash,
            seq: v.seq_in,
        });
        log.extend(batch.regels.iter().map(|r| r.regel.clone()));
        store.bewaar(&batch).await.expect("commits");

        // After every round the stored state is the hub's state.
        let terug = store.laad().await.expect("loads");
        assert_eq!(terug.seq, log.last().and_then(|r| r.seq).expect("seq"));
        assert_eq!(terug.toestand.tellers(), hub.toestand.tellers());
        assert_eq!(
            terug.toestand.claims().cloned().collect::<Vec<_>>(),
            hub.toestand.claims().cloned().collect::<Vec<_>>()
        );
        assert_eq!(terug.toestand.vastgehouden(), hub.toestand.vastgehouden());
        assert_eq!(
            terug.toestand.wekkers().collect::<Vec<_>>(),
            hub.toestand.wekkers().collect::<Vec<_>>()
        );
        for r in &invoer[..=i] {
            let b = clearinghuis::bericht::xml::lees(&r.xml).expect("message");
            assert_eq!(
                terug.toestand.inbox(&b.kop.afzender, &b.kop.bericht_id),
                hub.toestand.inbox(&b.kop.afzender, &b.kop.bericht_id),
                "inbox entry of {}",
                b.kop.bericht_id
            );
        }
    }
    assert!(hub.toestand.vastgehouden().is_empty());

    // The outbox holds every out line once, in order, until marked sent.
    let open = store.onverzonden(1000).await.expect("outbox");
    let uit: Vec<&Logregel> = log
        .iter()
        .filter(|r| r.direction == Richting::Out)
        .collect();
    assert_eq!(open.len(), uit.len());
    for (o, r) in open.iter().zip(&uit) {
        assert_eq!(Some(o.seq), r.seq);
        assert_eq!(o.xml, r.xml.as_bytes());
    }
    let helft: Vec<u64> = open.iter().take(5).map(|o| o.seq).collect();
    store.verzonden(&helft).await.expect("marks");
    assert_eq!(
        store.onverzonden(1000).await.expect("outbox").len(),
        uit.len() - 5
    );

    // Files: known by name and hash until moved.
    let v = clearinghuis::bericht::Deelnemercode::new("CR-00510000").expect("code");
    let (_, verplaatst) = store
        .bestand(&v, "0.xml")
        .await
        .expect("query")
        .expect("known");
    assert!(!verplaatst);
    store
        .verplaatst(&[(v.clone(), "0.xml".into())])
        .await
        .expect("marks");
    assert!(
        store
            .bestand(&v, "0.xml")
            .await
            .expect("query")
            .expect("known")
            .1
    );
    assert!(
        store
            .bestand(&v, "nooit.xml")
            .await
            .expect("query")
            .is_none()
    );

    // The export is the log, line for line.
    let mut export = Vec::new();
    let n = store
        .exporteer(&mut |r| {
            export.push(r);
            Ok(())
        })
        .await
        .expect("exports");
    assert_eq!(n as usize, log.len());
    assert_eq!(export, log);
}

#[test]
fn sqlite() {
    let pad = std::env::temp_dir().join(format!("clearinghuis-store-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&pad);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = SqliteStore::open(&format!("sqlite://{}", pad.display()))
            .await
            .expect("opens");
        suite(&store).await;
    });
    let _ = std::fs::remove_file(&pad);
}
