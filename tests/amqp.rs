//! The hub on RabbitMQ, end to end against the real broker: a whole
//! conversation through `cr.<code>.in` / `cr.<code>.out`, messages whose
//! AMQP `user_id` is missing or not the mailbox's owner refused A01 (told to
//! the publisher, never to the owner), and the exported log verifies with
//! replay.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clearinghuis::hub::{Herkomst, Richting};
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
        amqp::publiceer(&k, &mailbox, xml.as_bytes(), Some(&mailbox)).await;
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

    // Who published is what `user_id` says (the broker vouches for it), and
    // the hub takes a message only from its mailbox's owner (A01 otherwise);
    // the Foutbericht goes to the publisher when it is a participant, never
    // to the owner of the mailbox it was put in. `guest` may set any
    // user_id here (impersonator, .ci/setup); participants cannot.
    let eigenaar = &nieuw[0];
    let ander = &nieuw[1];
    let variant = |n: &str| {
        amqp::vertaal(&regels[0].xml, &codes).replace("</BerichtId>", &format!("-{n}</BerichtId>"))
    };
    let a01 = |o: &amqp::Ontvangen, aan: &str, tekst: &str| {
        o.per_id
            .values()
            .filter(|(m, x, _)| m == aan && x.contains("<Code>A01</Code>") && x.contains(tekst))
            .count()
    };
    // 1. By a broker user that is no participant: refused, nobody told.
    amqp::publiceer(&k, eigenaar, variant("G").as_bytes(), Some("guest")).await;
    assert!(
        hub.wacht(Duration::from_secs(20), |h| h
            .log()
            .contains("outcome=refused A01")),
        "no A01 for a foreign user_id"
    );
    // 2. By another participant (its user_id): refused, that one is told.
    amqp::publiceer(&k, eigenaar, variant("P").as_bytes(), Some(ander)).await;
    let o = ontvangen.clone();
    assert!(
        hub.wacht(Duration::from_secs(20), |_| a01(
            &o.lock().expect("lock"),
            ander,
            &format!("published by broker user {ander}")
        ) == 1),
        "the publishing participant was not told"
    );
    // 3. Without user_id: refused; the owner is told (only its user can
    // publish into its exchange).
    amqp::publiceer(&k, eigenaar, variant("Z").as_bytes(), None).await;
    let o = ontvangen.clone();
    assert!(
        hub.wacht(Duration::from_secs(20), |_| a01(
            &o.lock().expect("lock"),
            eigenaar,
            "no AMQP user_id"
        ) == 1),
        "no A01 for a message without user_id"
    );
    assert_eq!(
        a01(&ontvangen.lock().expect("lock"), eigenaar, "published by"),
        0,
        "the owner heard of messages others put into its queue"
    );

    assert!(hub.stop().success(), "clean stop");
    let export = hub.export();
    let uit = export
        .iter()
        .filter(|r| r.direction == Richting::Out)
        .count();
    assert_eq!(uit, verwacht_uit + 2);
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
    // The log keeps how each came, so replay refuses them the same way.
    let binnen: Vec<_> = export
        .iter()
        .filter(|r| r.direction == Richting::In)
        .collect();
    assert!(
        binnen
            .iter()
            .all(|r| matches!(r.herkomst, Herkomst::Amqp { .. }))
    );
    for u in [Some("guest"), Some(ander.as_str()), None] {
        assert!(
            binnen.iter().any(|r| r.herkomst.user_id() == u),
            "the log lacks the message with user_id {u:?}"
        );
    }
    hub.export_verifieert(&[])
        .expect("the exported log verifies");
    let _ = verzamelaar.close(200, "done".into()).await;
    amqp::ruim_op(&nieuw).await;
}
