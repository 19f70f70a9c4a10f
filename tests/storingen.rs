//! Fault tests against the real services on this machine (issue 8): under
//! load over RabbitMQ with the PostgreSQL store,
//!
//! - the hub is killed with SIGKILL at several moments and started again;
//! - RabbitMQ is stopped and started;
//! - PostgreSQL is stopped and started;
//!
//! and each ends in the same check: every inbound message is in the log
//! exactly once and was processed (a receipt, no Foutbericht), every out
//! line of the log reached its participant (by BerichtId; copies sent again
//! after a lost confirm are counted and reported), nothing reached a
//! participant that is not in the log, and the exported log verifies with
//! replay. The hub must also answer new messages after the fault (the load's
//! second half), which catches a consumer that silently stopped.
//!
//! One test function runs the three in turn: they stop services every other
//! test uses. `cargo test` runs test binaries one after another.

mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clearinghuis::hub::Richting;
use common::amqp;
use common::last;

/// Claims per scenario; each is an Aanmelding and an Akkoord.
const CLAIMS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Storing {
    Kill,
    RabbitMq,
    Postgres,
}

fn ontvangstbevestigingen(o: &Arc<Mutex<amqp::Ontvangen>>) -> usize {
    o.lock()
        .expect("lock")
        .per_id
        .values()
        .filter(|(_, x, _)| x.contains("<Ontvangstbevestiging"))
        .count()
}

fn sh(cmd: &str) {
    let s = Command::new("sh")
        .args(["-c", cmd])
        .status()
        .expect("shell");
    assert!(s.success(), "`{cmd}` failed");
}

fn poort_open(poort: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", poort)).is_ok()
}

fn wacht_op_poort(poort: u16, open: bool) {
    let begin = Instant::now();
    while poort_open(poort) != open {
        assert!(
            begin.elapsed() < Duration::from_secs(120),
            "port {poort} stays {}",
            !open
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn rabbitmq_stop() {
    sh("rabbitmqctl stop >/dev/null 2>&1");
    wacht_op_poort(5672, false);
}

fn rabbitmq_start() {
    sh("rabbitmq-server -detached >/dev/null 2>&1");
    wacht_op_poort(5672, true);
    // Listening is not yet serving: wait until the node answers.
    sh("rabbitmqctl await_startup >/dev/null 2>&1");
}

fn postgres(actie: &str) {
    sh(&format!(
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n1) main {actie} >/dev/null 2>&1"
    ));
    wacht_op_poort(5432, actie == "start");
}

struct Verslag {
    in_regels: usize,
    uit_regels: usize,
    dubbel_bezorgd: usize,
    herbezorgd: usize,
    herstarts: usize,
    gemerkt: usize,
    duur: Duration,
}

async fn scenario(storing: Storing, nummer: u32) -> Verslag {
    let begin = Instant::now();
    let codes = amqp::codes(nummer);
    let nieuw: Vec<String> = codes.iter().map(|(_, n)| n.clone()).collect();
    let v = amqp::vertaal(last::V, &codes);
    let a = amqp::vertaal(last::A, &codes);
    let mut hub = common::hub::Hub::nieuw(&format!("storing-{nummer}"));
    amqp::deelnemers(&hub.map, &codes);
    let (db_url, _db) = common::pg::verse_database().await;
    hub.omgeving = amqp::omgeving(db_url);
    hub.omgeving.push(("RUST_LOG".into(), "info".into()));
    hub.start_amqp();
    let ontvangen = Arc::new(Mutex::new(amqp::Ontvangen::default()));
    let mut verzamelaar = Some(amqp::verzamel(&nieuw, ontvangen.clone()).await);
    let mut herstarts = 0;

    // Two halves: all Aanmeldingen, then all Akkoorden; the fault strikes
    // while the hub works through the first half's backlog, and (SIGKILL) again
    // in the second.
    for helft in 0..2 {
        {
            let c = amqp::verbind().await;
            let k = amqp::publiceerkanaal(&c).await;
            for i in 0..CLAIMS {
                if storing == Storing::Postgres && helft == 0 && i == CLAIMS / 4 {
                    // The database goes away under a running hub, and the
                    // rest of the half arrives while it is away.
                    let o = ontvangen.clone();
                    assert!(
                        hub.wacht(Duration::from_secs(60), |_| ontvangstbevestigingen(&o) >= i),
                        "Postgres: the hub does not get going"
                    );
                    postgres("stop");
                }
                let (code, xml) = if helft == 0 {
                    (&v, amqp::vertaal(&last::aanmelding(i), &codes))
                } else {
                    (&a, amqp::vertaal(&last::akkoord(i), &codes))
                };
                amqp::publiceer(&k, code, xml.as_bytes(), Some(code)).await;
            }
            let _ = c.close(200, "published".into()).await;
        }
        let doel = (helft + 1) * CLAIMS;
        // At the first receipts, while most of the half is still waiting
        // or unacked.
        let bij = helft * CLAIMS + 1;
        let o = ontvangen.clone();
        assert!(
            storing == Storing::Postgres
                || hub.wacht(Duration::from_secs(120), |_| ontvangstbevestigingen(&o)
                    >= bij),
            "{storing:?}: the hub does not get going"
        );
        match (storing, helft) {
            (Storing::Kill, _) => {
                // Four kills in the backlog, each soon after a restart.
                for p in [0u64, 60, 150, 300] {
                    std::thread::sleep(Duration::from_millis(p));
                    hub.kill();
                    herstarts += 1;
                    hub.start_amqp();
                }
            }
            (Storing::RabbitMq, 0) => {
                rabbitmq_stop();
                std::thread::sleep(Duration::from_secs(2));
                rabbitmq_start();
                // Our own consumers went with the broker.
                if let Some(c) = verzamelaar.take() {
                    drop(c);
                }
                verzamelaar = Some(amqp::verzamel(&nieuw, ontvangen.clone()).await);
            }
            (Storing::Postgres, 0) => {
                std::thread::sleep(Duration::from_secs(2));
                postgres("start");
            }
            _ => {}
        }
        let o = ontvangen.clone();
        assert!(
            hub.wacht(Duration::from_secs(180), |_| ontvangstbevestigingen(&o)
                >= doel),
            "{storing:?}: receipts {} of {doel} after the fault; hub log {}",
            ontvangstbevestigingen(&ontvangen),
            hub.stderr.display()
        );
    }
    // Let the last answers arrive, then stop cleanly.
    std::thread::sleep(Duration::from_secs(2));
    assert!(hub.stop().success(), "{storing:?}: clean stop");
    let export = hub.export();

    // Every inbound message exactly once in the log, none refused.
    let mut in_per_id: BTreeMap<String, usize> = BTreeMap::new();
    for r in export.iter().filter(|r| r.direction == Richting::In) {
        let b = clearinghuis::bericht::xml::lees(&r.xml).expect("logged message reads");
        *in_per_id.entry(b.kop.bericht_id.to_string()).or_default() += 1;
    }
    assert_eq!(
        in_per_id.len(),
        2 * CLAIMS,
        "{storing:?}: distinct inbound messages"
    );
    let dubbel: Vec<_> = in_per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        dubbel.is_empty(),
        "{storing:?}: processed twice: {dubbel:?}"
    );
    let uit: Vec<_> = export
        .iter()
        .filter(|r| r.direction == Richting::Out)
        .collect();
    assert!(
        uit.iter().all(|r| !r.xml.contains("<Foutbericht")),
        "{storing:?}: a Foutbericht in the log"
    );

    // Every out line reached its participant; nothing else did.
    let dubbel_bezorgd = {
        let o = ontvangen.lock().expect("lock");
        let mut log_ids = BTreeMap::new();
        for r in &uit {
            let b = clearinghuis::bericht::xml::lees(&r.xml).expect("out line reads");
            assert!(
                log_ids
                    .insert(b.kop.bericht_id.to_string(), r.mailbox.clone())
                    .is_none(),
                "{storing:?}: a BerichtId twice in the log"
            );
        }
        for (id, mailbox) in &log_ids {
            let (m, _, _) = o
                .per_id
                .get(id)
                .unwrap_or_else(|| panic!("{storing:?}: {id} never arrived"));
            assert_eq!(m, mailbox, "{storing:?}: {id} in the wrong mailbox");
        }
        assert_eq!(
            o.aantal(),
            log_ids.len(),
            "{storing:?}: answers not in the log"
        );
        o.dubbel()
    };

    hub.export_verifieert(&[])
        .unwrap_or_else(|e| panic!("{storing:?}: the export does not verify: {e}"));

    let log = std::fs::read_to_string(&hub.stderr).unwrap_or_default();
    let herbezorgd = log.matches("redelivered=true").count()
        + log.matches("committed before; confirmed").count();
    // The hub noticed the fault: it started again from the store, or (the
    // database) its pool waited for the server to come back.
    herstarts += log.matches("starting again from the store").count();
    let gemerkt = log.matches("starting again from the store").count()
        + log.matches("terminating connection").count()
        + log.matches("exceeded slow threshold").count();
    if let Some(c) = verzamelaar.take() {
        let _ = c.close(200, "done".into()).await;
    }
    amqp::ruim_op(&nieuw).await;
    Verslag {
        in_regels: in_per_id.len(),
        uit_regels: uit.len(),
        dubbel_bezorgd,
        herbezorgd,
        herstarts,
        gemerkt,
        duur: begin.elapsed(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storingen_onder_last() {
    for (storing, nummer) in [
        (Storing::Postgres, 5),
        (Storing::Kill, 3),
        (Storing::RabbitMq, 4),
    ] {
        let v = scenario(storing, nummer).await;
        eprintln!(
            "{storing:?}: {} in, {} out, lost 0, processed twice 0, answers delivered twice (participant dedupes by BerichtId) {}, redelivered to the hub {}, hub restarts (killed, or recovering in-process) {}, fault lines in the hub log {}, {:.1} s",
            v.in_regels,
            v.uit_regels,
            v.dubbel_bezorgd,
            v.herbezorgd,
            v.herstarts,
            v.gemerkt,
            v.duur.as_secs_f64()
        );
        if storing == Storing::Kill {
            assert!(
                v.herbezorgd > 0,
                "no redelivery: the kills did not exercise recovery"
            );
        }
        assert!(
            v.herstarts + v.gemerkt > 0,
            "{storing:?}: the fault did not reach the hub"
        );
    }
}
