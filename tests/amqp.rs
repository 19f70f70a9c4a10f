//! The hub on RabbitMQ, end to end against the real broker: a whole
//! conversation through `cr.<code>.in` / `cr.<code>.out`, a message whose
//! AMQP `user_id` is not the mailbox's owner refused A01, and the exported
//! log verifies with replay.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clearinghuis::replay::Richting;
use common::amqp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn een_gesprek_over_rabbitmq() {
    let codes = amqp::codes(1);
    let nieuw: Vec<String> = codes.iter().map(|(_, n)| n.clone()).collect();
    let mut hub = common::hub::Hub::nieuw("amqp-gesprek");
    amqp::deelnemers(&hub.map, &codes);
    let (db_url, _db) = common::pg::verse_database().await;
    hub.omgeving = amqp::omgeving(db_url);
    hub.start_amqp();

    let ontvangen = Arc::new(Mutex::new(amqp::Ontvangen::default()));
    let verzamelaar = amqp::verzamel(&nieuw, ontvangen.clone()).await;
    let c = amqp::verbind().await;
    let k = amqp::publiceerkanaal(&c).await;

    let fixture =
        common::root().join("fixtures/conversations/02-tegenvoorstel-50-tegenclaim.jsonl");
    let regels = common::hub::invoer(&fixture);
    let verwacht_uit = std::fs::read_to_string(&fixture)
        .expect("fixture")
        .lines()
        .filter(|l| l.contains("\"direction\":\"out\""))
        .count();
    let mut verwacht = 0;
    for r in regels.iter().filter(|r| r.direction == Richting::In) {
        let xml = amqp::vertaal(&r.xml, &codes);
        let mailbox = amqp::vertaal(&r.mailbox, &codes);
        amqp::publiceer(&k, &mailbox, xml.as_bytes(), None).await;
        // One at a time, as the fixture was recorded: wait for the receipt.
        verwacht += 1;
        let o = ontvangen.clone();
        assert!(
            hub.wacht(Duration::from_secs(20), |_| {
                o.lock()
                    .expect("lock")
                    .per_id
                    .values()
                    .filter(|(_, x, _)| x.contains("Ontvangstbevestiging"))
                    .count()
                    >= verwacht
            }),
            "no receipt for message {verwacht}"
        );
    }
    let o = ontvangen.clone();
    assert!(
        hub.wacht(Duration::from_secs(20), |_| o
            .lock()
            .expect("lock")
            .aantal()
            >= verwacht_uit),
        "answers: {} of {verwacht_uit}",
        ontvangen.lock().expect("lock").aantal()
    );

    // A message published with the broker user `guest` into a participant's
    // queue: the broker vouches for user_id, the hub refuses it (A01).
    let vreemd = amqp::vertaal(&regels[0].xml, &codes).replace("</BerichtId>", "-X</BerichtId>");
    amqp::publiceer(&k, &nieuw[0], vreemd.as_bytes(), Some("guest")).await;
    let o = ontvangen.clone();
    assert!(
        hub.wacht(Duration::from_secs(20), |_| {
            o.lock()
                .expect("lock")
                .per_id
                .values()
                .any(|(_, x, _)| x.contains("A01") && x.contains("broker user guest"))
        }),
        "no A01 for a foreign user_id"
    );

    assert!(hub.stop().success(), "clean stop");
    let export = hub.export();
    let uit = export
        .iter()
        .filter(|r| r.direction == Richting::Out)
        .count();
    assert_eq!(uit, verwacht_uit + 1);
    assert_eq!(
        ontvangen.lock().expect("lock").aantal(),
        uit,
        "every out line arrived"
    );
    assert_eq!(ontvangen.lock().expect("lock").dubbel(), 0);
    // The hub signs its answers with its broker user (the broker vouches).
    assert_eq!(
        ontvangen.lock().expect("lock").user_ids,
        [Some("guest".to_string())].into_iter().collect()
    );
    assert!(
        export.iter().any(|r| r.user_id.as_deref() == Some("guest")),
        "the log keeps user_id"
    );
    hub.export_verifieert(&[])
        .expect("the exported log verifies");
    let _ = verzamelaar.close(200, "done".into()).await;
    amqp::ruim_op(&nieuw).await;
}
