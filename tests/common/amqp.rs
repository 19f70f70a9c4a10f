//! A participant's side of the RabbitMQ mailboxes for the tests: unique
//! participant codes per test (queues are the broker's, shared by every test
//! on this machine), publishing with confirms, and consumers that collect
//! every answer. Needs the broker at CLEARINGHUIS_TEST_AMQP (default the
//! local guest account); without it the test fails.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_lite::stream::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions,
    ExchangeDeleteOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};

pub fn url() -> String {
    std::env::var("CLEARINGHUIS_TEST_AMQP")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_string())
}

/// The hub's settings for RabbitMQ mailboxes on the test broker and the
/// PostgreSQL store at `db_url`.
pub fn omgeving(db_url: String) -> Vec<(String, String)> {
    vec![
        ("CLEARINGHUIS_MAILBOX_KIND".into(), "amqp".into()),
        ("CLEARINGHUIS_MAILBOX_URL".into(), url()),
        ("CLEARINGHUIS_STORE_URL".into(), db_url),
    ]
}

pub async fn verbind() -> Connection {
    let begin = Instant::now();
    loop {
        match tokio::time::timeout(
            Duration::from_secs(5),
            Connection::connect(&url(), ConnectionProperties::default()),
        )
        .await
        {
            Ok(Ok(c)) => return c,
            r if begin.elapsed() > Duration::from_secs(60) => {
                panic!("RabbitMQ at {} is not reachable: {r:?}", url())
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

/// The fixtures' participant codes mapped to codes of this test run only.
pub fn codes(test: u32) -> Vec<(String, String)> {
    let tekst =
        std::fs::read_to_string(super::root().join("fixtures/conversations/participants.toml"))
            .expect("participants");
    let oud: Vec<&str> = tekst
        .lines()
        .filter_map(|l| l.strip_prefix("code = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    let pid = std::process::id() % 100_000;
    oud.iter()
        .enumerate()
        .map(|(i, o)| (o.to_string(), format!("CR-6{pid:05}{}{i}", test % 10)))
        .collect()
}

pub fn vertaal(tekst: &str, codes: &[(String, String)]) -> String {
    let mut t = tekst.to_string();
    for (oud, nieuw) in codes {
        t = t.replace(oud.as_str(), nieuw);
    }
    t
}

/// The fixtures' participants file with this run's codes, in `map`.
pub fn deelnemers(map: &std::path::Path, codes: &[(String, String)]) {
    let tekst =
        std::fs::read_to_string(super::root().join("fixtures/conversations/participants.toml"))
            .expect("participants");
    std::fs::write(map.join("participants.toml"), vertaal(&tekst, codes)).expect("written");
}

pub async fn publiceerkanaal(c: &Connection) -> Channel {
    let k = c.create_channel().await.expect("channel");
    k.confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirms");
    k
}

/// Publishes persistently through `code`'s exchange into `cr.<code>.in` and
/// waits for the confirm. The tests publish for every participant as the
/// test broker's `guest`, which `.ci/setup` tags `impersonator` so it may
/// set any `user_id`; participants' own users cannot.
pub async fn publiceer(k: &Channel, code: &str, xml: &[u8], user_id: Option<&str>) {
    let mut p = BasicProperties::default().with_delivery_mode(2);
    if let Some(u) = user_id {
        p = p.with_user_id(u.into());
    }
    let bevestiging = k
        .basic_publish(
            format!("cr.{code}.in").as_str().into(),
            "".into(),
            BasicPublishOptions::default(),
            xml,
            p,
        )
        .await
        .expect("publish")
        .await
        .expect("confirm");
    assert!(
        bevestiging.is_ack(),
        "the broker refused a publish to {code}"
    );
}

/// Every answer received, per hub BerichtId: (mailbox, xml, times received).
#[derive(Default)]
pub struct Ontvangen {
    pub per_id: BTreeMap<String, (String, String, usize)>,
    /// Every `user_id` the answers carried.
    pub user_ids: std::collections::BTreeSet<Option<String>>,
}

impl Ontvangen {
    pub fn aantal(&self) -> usize {
        self.per_id.len()
    }
    pub fn dubbel(&self) -> usize {
        self.per_id.values().map(|(_, _, n)| n - 1).sum()
    }
}

fn bericht_id(xml: &str) -> String {
    let b = xml.find("<BerichtId>").map(|i| i + 11).unwrap_or(0);
    let e = xml[b..].find("</BerichtId>").map(|i| b + i).unwrap_or(b);
    xml[b..e].to_string()
}

/// Consumes every participant's `out` queue on a new connection, acking
/// each answer after recording it. Returns the connection to close it.
pub async fn verzamel(codes: &[String], ontvangen: Arc<Mutex<Ontvangen>>) -> Connection {
    let c = verbind().await;
    let k = c.create_channel().await.expect("channel");
    for code in codes {
        let q = format!("cr.{code}.out");
        // The hub declares the queues; wait until it has.
        let begin = Instant::now();
        let mut consumer = loop {
            let k2 = c.create_channel().await.expect("channel");
            match k2
                .basic_consume(
                    q.as_str().into(),
                    format!("test-{code}").as_str().into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await
            {
                Ok(consumer) => break consumer,
                Err(e) if begin.elapsed() < Duration::from_secs(60) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot consume {q}: {e}"),
            }
        };
        let ontvangen = ontvangen.clone();
        let code = code.clone();
        tokio::spawn(async move {
            while let Some(Ok(d)) = consumer.next().await {
                let xml = String::from_utf8_lossy(&d.data).into_owned();
                {
                    let mut o = ontvangen.lock().expect("lock");
                    let e = o
                        .per_id
                        .entry(bericht_id(&xml))
                        .or_insert((code.clone(), xml, 0));
                    e.2 += 1;
                    o.user_ids
                        .insert(d.properties.user_id().as_ref().map(|u| u.to_string()));
                }
                let _ = d.acker.ack(BasicAckOptions::default()).await;
            }
        });
    }
    drop(k);
    c
}

/// Deletes this run's queues (as the broker's admin account).
pub async fn ruim_op(codes: &[String]) {
    let c = verbind().await;
    let k = c.create_channel().await.expect("channel");
    for code in codes {
        for q in [format!("cr.{code}.in"), format!("cr.{code}.out")] {
            let _ = k
                .queue_delete(q.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
        // The participant's exchange (it has its in queue's name).
        let _ = k
            .exchange_delete(
                format!("cr.{code}.in").as_str().into(),
                ExchangeDeleteOptions::default(),
            )
            .await;
    }
    let _ = c.close(200, "done".into()).await;
}
