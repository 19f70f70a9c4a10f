//! `clearinghuis broker setup` against the real RabbitMQ at 127.0.0.1:5672
//! (guest/guest) and the real `rabbitmqctl` on this host: what a
//! participant's user may and may not do, as an attacker would try it (a
//! matrix generated over every action and every queue and exchange the
//! broker lists), moving an existing broker to the topology, and the hub
//! refusing a broker that does not keep participants apart. A missing
//! broker or rabbitmqctl fails these tests; they never skip.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clearinghuis::bericht::Deelnemercode;
use clearinghuis::transport::amqp::Verbinding;
use clearinghuis::transport::amqp::beheer::{
    MAX_BERICHT, Rabbitmqctl, WACHTWOORD_LENGTE, lees_wachtwoord, rechten,
};
use clearinghuis::transport::amqp::topologie::{GEPARKEERD, in_exchange, in_queue, out_queue};
use futures_lite::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions,
    ConfirmSelectOptions, ExchangeBindOptions, ExchangeDeclareOptions, ExchangeDeleteOptions,
    QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions, QueuePurgeOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ErrorKind, ExchangeKind};

const GUEST: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Publishes as a participant does: through `code`'s own exchange.
async fn publiceer(
    kanaal: &Channel,
    code: &Deelnemercode,
    body: &[u8],
    user_id: Option<&Deelnemercode>,
) -> Result<bool, lapin::Error> {
    publiceer_via(
        kanaal,
        &in_exchange(code),
        "",
        body,
        user_id.map(|u| u.as_str()),
    )
    .await
}

/// Two codes no other run uses: `CR-9` and seven digits from the clock and
/// the process id, the second one above the first.
fn verse_codes() -> (Deelnemercode, Deelnemercode) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let n = (nanos / 1000 + u128::from(std::process::id()) * 7919) % 9_999_999;
    let code = |n: u128| Deelnemercode::new(format!("CR-9{n:07}")).expect("a valid code");
    (code(n), code(n + 1))
}

fn deelnemer(code: &Deelnemercode) -> String {
    format!(
        "[[deelnemer]]\ncode = \"{code}\"\nnaam = \"Test {code}\"\nsoort = \"verzekeraar\"\n\
         iban = \"NL91ABNA0417164300\"\nbegunstigde = \"Test {code}\"\n\n"
    )
}

/// Removes the users, the queues and the folder when the test ends, also
/// when it panics.
struct Opruimen {
    codes: Vec<Deelnemercode>,
    map: PathBuf,
}

impl Drop for Opruimen {
    fn drop(&mut self) {
        // No panics here: this also runs while a failed assertion unwinds.
        for code in &self.codes {
            let _ = Command::new("rabbitmqctl")
                .args(["delete_user", "--quiet", code.as_str()])
                .output();
        }
        // The queues go as guest through AMQP, so they go even when
        // rabbitmqctl is missing; on a thread of its own because this may
        // run inside the test's runtime.
        let queues: Vec<String> = self
            .codes
            .iter()
            .flat_map(|c| [in_queue(c), out_queue(c)])
            .collect();
        let exchanges: Vec<String> = self.codes.iter().map(in_exchange).collect();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let Ok(conn) = Verbinding::new(GUEST, "broker test clean-up").open().await else {
                    return;
                };
                if let Ok(k) = conn.create_channel().await {
                    for q in queues {
                        let _ = k
                            .queue_delete(q.as_str().into(), QueueDeleteOptions::default())
                            .await;
                    }
                    for x in exchanges {
                        let _ = k
                            .exchange_delete(x.as_str().into(), ExchangeDeleteOptions::default())
                            .await;
                    }
                }
                let _ = conn.close(200, "done".into()).await;
            });
        })
        .join();
        let _ = std::fs::remove_dir_all(&self.map);
    }
}

/// A fresh folder for one test, named by `naam` and the first code, with a
/// participants file of `codes`; the guard removes the users, queues,
/// exchanges and the folder when the test ends.
fn werkplaats(naam: &str, codes: &[&Deelnemercode]) -> (PathBuf, Opruimen) {
    let eerste = codes.first().map(|c| c.as_str()).unwrap_or("leeg");
    let map = std::env::temp_dir().join(format!("{naam}-{eerste}"));
    let _ = std::fs::remove_dir_all(&map);
    std::fs::create_dir_all(&map).expect("temp folder");
    let opruimen = Opruimen {
        codes: codes.iter().map(|c| (*c).clone()).collect(),
        map: map.clone(),
    };
    let inhoud: String = codes.iter().map(|c| deelnemer(c)).collect();
    std::fs::write(map.join("participants.toml"), inhoud).expect("participants file");
    (map, opruimen)
}

fn setup(map: &Path, extra: &[&str]) -> String {
    let uit = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .current_dir(map)
        .args([
            "broker",
            "setup",
            "--participants",
            "participants.toml",
            "--passwords",
            "wachtwoorden",
        ])
        .args(extra)
        .env("CLEARINGHUIS_MAILBOX_URL", GUEST)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&uit.stdout).into_owned();
    assert!(
        uit.status.success(),
        "broker setup failed ({}): {stdout}{}",
        uit.status,
        String::from_utf8_lossy(&uit.stderr)
    );
    stdout
}

/// The line `broker setup` printed for `code`.
fn regel_van<'a>(uit: &'a str, code: &Deelnemercode) -> &'a str {
    uit.lines()
        .find(|r| r.starts_with(&format!("{code}: ")))
        .unwrap_or_else(|| panic!("no line for {code} in: {uit}"))
}

async fn verbind(code: &Deelnemercode, wachtwoord: &str) -> Result<Connection, String> {
    let url = format!("amqp://{code}:{wachtwoord}@127.0.0.1:5672/%2f");
    Verbinding::new(&url, "broker test")
        .open()
        .await
        .map_err(|e| e.to_string())
}

/// The AMQP reply code of a refusal (403 ACCESS_REFUSED, 406 PRECONDITION_FAILED).
fn antwoordcode(e: &lapin::Error) -> Option<u16> {
    match e.kind() {
        ErrorKind::ProtocolError(p) => Some(p.get_id()),
        _ => None,
    }
}

/// Publishes through `exchange` with `routing_key` and waits for the confirm.
async fn publiceer_via(
    kanaal: &Channel,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    user_id: Option<&str>,
) -> Result<bool, lapin::Error> {
    let mut eigenschappen = BasicProperties::default().with_delivery_mode(2);
    if let Some(u) = user_id {
        eigenschappen = eigenschappen.with_user_id(u.into());
    }
    let bevestiging = kanaal
        .basic_publish(
            exchange.into(),
            routing_key.into(),
            BasicPublishOptions::default(),
            body,
            eigenschappen,
        )
        .await?
        .await?;
    Ok(bevestiging.is_ack())
}

async fn bevestigend(conn: &Connection) -> Channel {
    let k = conn.create_channel().await.expect("a channel");
    k.confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirm mode");
    k
}

async fn consumeer(kanaal: &Channel, queue: &str) -> Result<lapin::Consumer, lapin::Error> {
    kanaal
        .basic_consume(
            queue.into(),
            "broker-test".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
}

async fn passief(kanaal: &Channel, queue: &str) -> Result<u32, lapin::Error> {
    kanaal
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .map(|q| q.message_count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deelnemer_mag_alleen_bij_de_eigen_queues() {
    let _een = EEN_TEGELIJK.lock().await;
    let (een, twee) = verse_codes();
    let (map, _opruimen) = werkplaats("clearinghuis-broker", &[&een, &twee]);

    // First run: both users made, passwords in 0600 files.
    let uit = setup(&map, &[]);
    for code in [&een, &twee] {
        let regel = regel_van(&uit, code);
        assert!(
            regel.contains("user created") && regel.ends_with("; permissions set"),
            "{uit}"
        );
    }
    let pad = |c: &Deelnemercode| map.join("wachtwoorden").join(format!("{c}.password"));
    let ww1 = lees_wachtwoord(&pad(&een)).expect("password file 1");
    let ww2 = lees_wachtwoord(&pad(&twee)).expect("password file 2");
    assert!(ww1.len() >= 24 && ww1.len() == WACHTWOORD_LENGTE);
    assert_ne!(ww1, ww2);
    let mapmodus = std::fs::metadata(map.join("wachtwoorden"))
        .expect("password folder")
        .permissions()
        .mode();
    assert_eq!(mapmodus & 0o777, 0o700);
    for c in [&een, &twee] {
        let modus = std::fs::metadata(pad(c))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(modus & 0o777, 0o600, "{}", pad(c).display());
    }

    let guest = Verbinding::new(GUEST, "broker test guest")
        .open()
        .await
        .expect("the broker runs at 127.0.0.1:5672");
    let guest_kanaal = bevestigend(&guest).await;
    let conn = verbind(&een, &ww1).await.expect("participant 1 logs in");

    // Its own in queue: publish with confirms, with its own user_id.
    let k = bevestigend(&conn).await;
    assert!(
        publiceer(&k, &een, b"bericht 1", Some(&een))
            .await
            .expect("publish to its own in queue"),
        "the broker acks the publish"
    );
    let binnen = guest_kanaal
        .basic_get(
            in_queue(&een).as_str().into(),
            BasicGetOptions { no_ack: true },
        )
        .await
        .expect("basic.get")
        .expect("the message is in cr.<code>.in");
    assert_eq!(binnen.delivery.data, b"bericht 1");
    assert_eq!(
        binnen
            .delivery
            .properties
            .user_id()
            .as_ref()
            .map(|u| u.as_str()),
        Some(een.as_str())
    );

    // Its own out queue: consume and ack what the hub (here guest) put there.
    assert!(
        publiceer_via(&guest_kanaal, "", &out_queue(&een), b"antwoord 1", None)
            .await
            .expect("guest publishes to out")
    );
    let mut consument = consumeer(&k, &out_queue(&een))
        .await
        .expect("consume its own out queue");
    let levering = tokio::time::timeout(Duration::from_secs(10), consument.next())
        .await
        .expect("a delivery within 10 s")
        .expect("a delivery")
        .expect("no error");
    assert_eq!(levering.data, b"antwoord 1");
    assert!(
        levering
            .ack(BasicAckOptions::default())
            .await
            .expect("ack sent")
    );

    // Checking its own two queues (passive declare) works; declaring one does not.
    let kp = conn.create_channel().await.expect("a channel");
    passief(&kp, &in_queue(&een))
        .await
        .expect("passive declare of its own in queue");
    passief(&kp, &out_queue(&een))
        .await
        .expect("passive declare of its own out queue");
    let e = kp
        .queue_declare(
            in_queue(&een).as_str().into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .expect_err("participant 1 may not declare a queue");
    assert_eq!(antwoordcode(&e), Some(403), "{e}");

    // The other participant's out queue: 403 ACCESS_REFUSED.
    let k2 = conn.create_channel().await.expect("a channel");
    let e = consumeer(&k2, &out_queue(&twee))
        .await
        .expect_err("participant 1 may not consume participant 2's out queue");
    assert_eq!(antwoordcode(&e), Some(403), "{e}");

    // Publishing as someone else: 406 PRECONDITION_FAILED, and the channel closes.
    let k3 = bevestigend(&conn).await;
    let e = publiceer(&k3, &een, b"vervalst", Some(&twee))
        .await
        .expect_err("the broker refuses a user_id that is not the connection's user");
    assert_eq!(antwoordcode(&e), Some(406), "{e}");
    assert!(!k3.status().connected(), "the channel is closed");
    let weg = guest_kanaal
        .basic_get(
            in_queue(&een).as_str().into(),
            BasicGetOptions { no_ack: true },
        )
        .await
        .expect("basic.get");
    assert!(weg.is_none(), "the refused message is not in the queue");

    // The default exchange, which reaches every queue, is closed to it
    // (the whole matrix of such attempts is `aanvalsmatrix_met_wachtwoord`).
    let k4 = bevestigend(&conn).await;
    let e = publiceer_via(
        &k4,
        "",
        &in_queue(&twee),
        b"in een andere bus",
        Some(een.as_str()),
    )
    .await
    .expect_err("the default exchange is closed to participants");
    assert_eq!(antwoordcode(&e), Some(403), "{e}");
    drop(consument);
    let _ = guest.close(200, "done".into()).await;
    let _ = conn.close(200, "done".into()).await;

    // Second run: nothing changes.
    let uit = setup(&map, &[]);
    for code in [&een, &twee] {
        assert_eq!(
            regel_van(&uit, code),
            format!("{code}: user already there, password kept; permissions already set"),
            "{uit}"
        );
    }
    assert_eq!(lees_wachtwoord(&pad(&een)).expect("file"), ww1);
    assert_eq!(lees_wachtwoord(&pad(&twee)).expect("file"), ww2);

    // --new-passwords: new files, the old password no longer logs in.
    let uit = setup(&map, &["--new-passwords"]);
    assert!(
        uit.contains(&format!("{een}: user already there, new password in")),
        "{uit}"
    );
    let nieuw = lees_wachtwoord(&pad(&een)).expect("file");
    assert_ne!(nieuw, ww1);
    assert!(
        verbind(&een, &ww1).await.is_err(),
        "the old password is refused"
    );
    let conn = verbind(&een, &nieuw)
        .await
        .expect("the new password logs in");
    let _ = conn.close(200, "done".into()).await;
}

/// `broker setup` sets the broker's largest message to the hub's (10 MiB):
/// a participant's message of that size is taken, one byte more is refused
/// by the broker at publish (406), so no one can make the broker or the hub
/// hold more (issue 15, item 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_weigert_berichten_boven_de_grootste_toegestane() {
    let _een = EEN_TEGELIJK.lock().await;
    let (een, _) = verse_codes();
    let (map, _opruimen) = werkplaats("clearinghuis-broker-grens", &[&een]);
    let uit = setup(&map, &[]);
    assert!(uit.contains("max_message_size"), "{uit}");
    assert_eq!(
        Rabbitmqctl::default()
            .max_berichtgrootte()
            .expect("rabbitmqctl"),
        MAX_BERICHT
    );
    let ww = lees_wachtwoord(&map.join("wachtwoorden").join(format!("{een}.password")))
        .expect("password");
    let conn = verbind(&een, &ww).await.expect("the participant connects");
    let k = bevestigend(&conn).await;
    let grootste = vec![b'x'; MAX_BERICHT as usize];
    assert!(
        publiceer(&k, &een, &grootste, Some(&een))
            .await
            .expect("10 MiB is taken"),
        "nacked"
    );
    let te_groot = vec![b'x'; MAX_BERICHT as usize + 1];
    let e = publiceer(&k, &een, &te_groot, Some(&een))
        .await
        .expect_err("one byte more is refused by the broker");
    assert_eq!(antwoordcode(&e), Some(406), "{e}");
    // Run again: nothing to change.
    let uit = setup(&map, &[]);
    assert!(uit.contains("max_message_size already"), "{uit}");
    let _ = conn.close(200, "done".into()).await;
}

/// The tests of this file change the broker's users and queues and list
/// them: one at a time (each test has its own runtime, so a tokio lock).
static EEN_TEGELIJK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The names of every queue or exchange (`soort`) on the vhost `/`, as the
/// broker lists them (the default exchange is the empty name).
fn namen(soort: &str) -> Vec<String> {
    let uit = Command::new("rabbitmqctl")
        .args([soort, "--quiet", "--formatter", "json", "name"])
        .output()
        .expect("rabbitmqctl runs");
    assert!(uit.status.success(), "rabbitmqctl {soort}: {uit:?}");
    let rijen: Vec<serde_json::Value> =
        serde_json::from_slice(&uit.stdout).expect("rabbitmqctl's JSON");
    let mut namen: Vec<String> = rijen
        .iter()
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect();
    namen.sort();
    namen
}

/// Every binding on `/`: (source, destination, routing key).
fn bindingen() -> Vec<(String, String, String)> {
    let uit = Command::new("rabbitmqctl")
        .args([
            "list_bindings",
            "--quiet",
            "--formatter",
            "json",
            "source_name",
            "destination_name",
            "routing_key",
        ])
        .output()
        .expect("rabbitmqctl runs");
    assert!(uit.status.success(), "rabbitmqctl list_bindings: {uit:?}");
    let rijen: Vec<serde_json::Value> =
        serde_json::from_slice(&uit.stdout).expect("rabbitmqctl's JSON");
    let mut b: Vec<(String, String, String)> = rijen
        .iter()
        .map(|r| {
            let veld = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (
                veld("source_name"),
                veld("destination_name"),
                veld("routing_key"),
            )
        })
        .collect();
    b.sort();
    b
}

/// What the broker made of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Afloop {
    /// Done (a publish confirmed).
    Gedaan,
    /// A passive declare answered with the queue's counts (RabbitMQ 3.10
    /// checks no permission there); it changes nothing.
    Beantwoord,
    /// Refused with this AMQP reply code (403 ACCESS_REFUSED, 406
    /// PRECONDITION_FAILED, …); 0 for a failure without one.
    Geweigerd(u16),
}

/// One thing an attacker can ask of the broker.
#[derive(Debug, Clone)]
enum Actie {
    Publiceer {
        exchange: String,
        sleutel: String,
        user_id: Option<String>,
    },
    Consumeer(String),
    Haal(String),
    Leeg(String),
    Passief(String),
    DeclareerQueue(String),
    VerwijderQueue(String),
    DeclareerExchange(String),
    VerwijderExchange(String),
    Bind {
        queue: String,
        exchange: String,
    },
    Ontbind {
        queue: String,
        exchange: String,
    },
    BindExchange {
        doel: String,
        bron: String,
    },
}

impl Actie {
    fn soort(&self) -> &'static str {
        match self {
            Actie::Publiceer { .. } => "publish",
            Actie::Consumeer(_) => "consume",
            Actie::Haal(_) => "basic.get",
            Actie::Leeg(_) => "purge",
            Actie::Passief(_) => "passive declare",
            Actie::DeclareerQueue(_) => "declare queue",
            Actie::VerwijderQueue(_) => "delete queue",
            Actie::DeclareerExchange(_) => "declare exchange",
            Actie::VerwijderExchange(_) => "delete exchange",
            Actie::Bind { .. } => "bind queue",
            Actie::Ontbind { .. } => "unbind queue",
            Actie::BindExchange { .. } => "bind exchange",
        }
    }

    /// On a channel of its own: a refusal closes the channel.
    async fn probeer(&self, conn: &Connection) -> Afloop {
        let k = match conn.create_channel().await {
            Ok(k) => k,
            Err(e) => return Afloop::Geweigerd(antwoordcode(&e).unwrap_or(0)),
        };
        let r: Result<Afloop, lapin::Error> = async {
            match self {
                Actie::Publiceer {
                    exchange,
                    sleutel,
                    user_id,
                } => {
                    k.confirm_select(ConfirmSelectOptions::default()).await?;
                    let ack =
                        publiceer_via(&k, exchange, sleutel, b"aanval", user_id.as_deref()).await?;
                    Ok(if ack {
                        Afloop::Gedaan
                    } else {
                        Afloop::Geweigerd(0)
                    })
                }
                Actie::Consumeer(q) => consumeer(&k, q).await.map(|_| Afloop::Gedaan),
                Actie::Haal(q) => k
                    .basic_get(q.as_str().into(), BasicGetOptions { no_ack: true })
                    .await
                    .map(|_| Afloop::Gedaan),
                Actie::Leeg(q) => k
                    .queue_purge(q.as_str().into(), QueuePurgeOptions::default())
                    .await
                    .map(|_| Afloop::Gedaan),
                Actie::Passief(q) => passief(&k, q).await.map(|_| Afloop::Beantwoord),
                Actie::DeclareerQueue(q) => {
                    let mut args = FieldTable::default();
                    args.insert(
                        "x-queue-type".into(),
                        lapin::types::AMQPValue::LongString("quorum".into()),
                    );
                    k.queue_declare(
                        q.as_str().into(),
                        QueueDeclareOptions {
                            durable: true,
                            ..QueueDeclareOptions::default()
                        },
                        args,
                    )
                    .await
                    .map(|_| Afloop::Gedaan)
                }
                Actie::VerwijderQueue(q) => k
                    .queue_delete(q.as_str().into(), QueueDeleteOptions::default())
                    .await
                    .map(|_| Afloop::Gedaan),
                Actie::DeclareerExchange(x) => k
                    .exchange_declare(
                        x.as_str().into(),
                        ExchangeKind::Fanout,
                        ExchangeDeclareOptions {
                            durable: true,
                            ..ExchangeDeclareOptions::default()
                        },
                        FieldTable::default(),
                    )
                    .await
                    .map(|_| Afloop::Gedaan),
                Actie::VerwijderExchange(x) => k
                    .exchange_delete(x.as_str().into(), ExchangeDeleteOptions::default())
                    .await
                    .map(|_| Afloop::Gedaan),
                Actie::Bind { queue, exchange } => k
                    .queue_bind(
                        queue.as_str().into(),
                        exchange.as_str().into(),
                        queue.as_str().into(),
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await
                    .map(|_| Afloop::Gedaan),
                Actie::Ontbind { queue, exchange } => k
                    .queue_unbind(
                        queue.as_str().into(),
                        exchange.as_str().into(),
                        "".into(),
                        FieldTable::default(),
                    )
                    .await
                    .map(|_| Afloop::Gedaan),
                Actie::BindExchange { doel, bron } => k
                    .exchange_bind(
                        doel.as_str().into(),
                        bron.as_str().into(),
                        "".into(),
                        ExchangeBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await
                    .map(|_| Afloop::Gedaan),
            }
        }
        .await;
        let afloop = match tokio::time::timeout(Duration::from_secs(10), async { r }).await {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => Afloop::Geweigerd(antwoordcode(&e).unwrap_or(0)),
            Err(_) => Afloop::Geweigerd(0),
        };
        let _ = k.close(200, "done".into()).await;
        afloop
    }
}

/// Every attempt participant `a` can make on the broker's queues and
/// exchanges (as listed now), and whether the broker must allow it: only a
/// publish through its own exchange with its own or no `user_id` (that one
/// reaches its own in queue only; the hub refuses the one without
/// `user_id`). Consuming, getting and purging its own out queue is its
/// right and not an attack, so not in the list.
fn aanvallen(a: &Deelnemercode, b: &Deelnemercode) -> Vec<(Actie, bool)> {
    let queues = namen("list_queues");
    let exchanges = namen("list_exchanges");
    let eigen_exchange = in_exchange(a);
    let nieuw = format!("cr.{a}.nieuw");
    let mut uit = Vec::new();
    for x in &exchanges {
        for sleutel in queues.iter().map(String::as_str).chain([""]) {
            for user_id in [Some(a.as_str()), Some(b.as_str()), None] {
                let mag = *x == eigen_exchange && user_id != Some(b.as_str());
                uit.push((
                    Actie::Publiceer {
                        exchange: x.clone(),
                        sleutel: sleutel.to_string(),
                        user_id: user_id.map(str::to_string),
                    },
                    mag,
                ));
            }
        }
    }
    for q in queues.iter().filter(|q| **q != out_queue(a)) {
        uit.push((Actie::Consumeer(q.clone()), false));
        uit.push((Actie::Haal(q.clone()), false));
        uit.push((Actie::Leeg(q.clone()), false));
    }
    for q in queues.iter().chain([&nieuw]) {
        uit.push((Actie::Passief(q.clone()), false));
        uit.push((Actie::DeclareerQueue(q.clone()), false));
        uit.push((Actie::VerwijderQueue(q.clone()), false));
        for x in &exchanges {
            uit.push((
                Actie::Bind {
                    queue: q.clone(),
                    exchange: x.clone(),
                },
                false,
            ));
            uit.push((
                Actie::Ontbind {
                    queue: q.clone(),
                    exchange: x.clone(),
                },
                false,
            ));
        }
    }
    for x in exchanges.iter().filter(|x| !x.is_empty()).chain([&nieuw]) {
        uit.push((Actie::DeclareerExchange(x.clone()), false));
        uit.push((Actie::VerwijderExchange(x.clone()), false));
        for bron in exchanges.iter().filter(|x| !x.is_empty()) {
            uit.push((
                Actie::BindExchange {
                    doel: x.clone(),
                    bron: bron.clone(),
                },
                false,
            ));
        }
    }
    uit
}

/// How many messages each queue holds, read by guest (passive declares).
async fn standen(guest: &Connection, queues: &[String]) -> Vec<(String, u32)> {
    let k = guest.create_channel().await.expect("a channel");
    let mut uit = Vec::new();
    for q in queues {
        uit.push((q.clone(), passief(&k, q).await.expect("guest reads counts")));
    }
    uit
}

/// Runs every attempt of [`aanvallen`] with `a`'s connection (made anew by
/// `verbind_a` when a refusal closed it) and checks that each was refused
/// unless allowed, and that nothing of anyone else changed: every queue
/// but `a`'s in queue keeps its messages, no queue, exchange or binding
/// came or went. Returns the results per kind of action, for the report.
async fn speel_matrix<F, Fut>(
    a: &Deelnemercode,
    b: &Deelnemercode,
    verbind_a: F,
) -> std::collections::BTreeMap<(&'static str, Afloop), usize>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Connection>,
{
    let guest = Verbinding::new(GUEST, "broker test guest")
        .open()
        .await
        .expect("the broker runs at 127.0.0.1:5672");
    // Something of b's to lose: one message in each of its queues.
    let gk = bevestigend(&guest).await;
    for q in [in_queue(b), out_queue(b)] {
        assert!(
            publiceer_via(&gk, "", &q, b"van b", None)
                .await
                .expect("guest fills b's queues")
        );
    }
    let queues = namen("list_queues");
    let voor_queues = standen(&guest, &queues).await;
    let voor_exchanges = namen("list_exchanges");
    let voor_bindingen = bindingen();

    let aanvallen = aanvallen(a, b);
    assert!(aanvallen.len() > 100, "a thin matrix: {}", aanvallen.len());
    let mut conn = verbind_a().await;
    let mut verslag = std::collections::BTreeMap::new();
    let mut fouten = Vec::new();
    let mut toegelaten = 0u32;
    for (actie, mag) in &aanvallen {
        if !conn.status().connected() {
            conn = verbind_a().await;
        }
        let afloop = actie.probeer(&conn).await;
        *verslag.entry((actie.soort(), afloop)).or_insert(0) += 1;
        let goed = match afloop {
            Afloop::Gedaan => *mag,
            Afloop::Beantwoord => matches!(actie, Actie::Passief(_)),
            Afloop::Geweigerd(code) => !*mag && code != 0,
        };
        if matches!(afloop, Afloop::Gedaan) && matches!(actie, Actie::Publiceer { .. }) {
            toegelaten += 1;
        }
        if !goed {
            fouten.push(format!("{actie:?}: {afloop:?}"));
        }
    }
    let _ = conn.close(200, "done".into()).await;
    assert!(
        fouten.is_empty(),
        "the broker let through:\n{}",
        fouten.join("\n")
    );

    // Nothing of anyone else changed.
    assert_eq!(namen("list_queues"), queues, "queues came or went");
    assert_eq!(
        namen("list_exchanges"),
        voor_exchanges,
        "exchanges came or went"
    );
    assert_eq!(bindingen(), voor_bindingen, "bindings changed");
    let na = standen(&guest, &queues).await;
    for ((q, voor), (_, nu)) in voor_queues.iter().zip(&na) {
        if *q == in_queue(a) {
            assert_eq!(*nu, voor + toegelaten, "{q}: only a's own publishes arrive");
        } else {
            assert_eq!(nu, voor, "{q} changed");
        }
    }
    let _ = guest.close(200, "done".into()).await;
    verslag
}

/// Makes the participants of `map`'s file with `broker setup`; returns
/// `a`'s password.
fn twee_deelnemers(map: &Path, a: &Deelnemercode) -> String {
    setup(map, &[]);
    lees_wachtwoord(&map.join("wachtwoorden").join(format!("{a}.password"))).expect("password")
}

fn druk_af(naam: &str, verslag: &std::collections::BTreeMap<(&'static str, Afloop), usize>) {
    eprintln!("attack matrix ({naam}):");
    for ((soort, afloop), n) in verslag {
        eprintln!("  {soort:<17} {afloop:?}: {n}");
    }
}

/// With nothing but its password, participant `a` tries everything the
/// broker lists against `b`, the parking queue and the topology: all
/// refused but its own publishes, and nothing of anyone else changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aanvalsmatrix_met_wachtwoord() {
    let _een = EEN_TEGELIJK.lock().await;
    let (a, b) = verse_codes();
    let (map, _opruimen) = werkplaats("clearinghuis-matrix", &[&a, &b]);
    let ww = twee_deelnemers(&map, &a);
    assert!(namen("list_queues").contains(&GEPARKEERD.to_string()));
    let verslag = speel_matrix(&a, &b, || async {
        verbind(&a, &ww).await.expect("a logs in with its password")
    })
    .await;
    druk_af("password", &verslag);
}

/// `clearinghuis serve` on the broker with participants `codes` (SQLite in
/// `map`): its exit status and output when it ends by itself within
/// `grens`, else `None` (still running: stopped here with SIGTERM after
/// `klaar` appeared in its output).
fn serve_op_de_broker(map: &Path, grens: Duration, klaar: &str) -> (Option<i32>, String) {
    serve_met(
        map,
        &[("CLEARINGHUIS_MAILBOX_URL", GUEST.into())],
        grens,
        |uit| uit.contains(klaar),
    )
}

/// [`serve_op_de_broker`] with `omgeving` for the hub's mailbox settings.
fn serve_met(
    map: &Path,
    omgeving: &[(&str, String)],
    grens: Duration,
    klaar: impl Fn(&str) -> bool,
) -> (Option<i32>, String) {
    let log = map.join("serve.log");
    let uit = std::fs::File::create(&log).expect("log");
    let mut kind = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
        .current_dir(map)
        .args(["serve", "--participants", "participants.toml"])
        // Many hubs run at once: the web part only where a test asks for it.
        .env("CLEARINGHUIS_API_LISTEN", "")
        .env("CLEARINGHUIS_MAILBOX_KIND", "amqp")
        .envs(omgeving.iter().map(|(k, v)| (*k, v.as_str())))
        .env("RUST_LOG", "info")
        .stdout(uit.try_clone().expect("log"))
        .stderr(uit)
        .spawn()
        .expect("serve starts");
    let begin = std::time::Instant::now();
    let lees = || std::fs::read_to_string(&log).unwrap_or_default();
    loop {
        if let Some(s) = kind.try_wait().expect("wait") {
            return (s.code(), lees());
        }
        if klaar(&lees()) {
            // SIGTERM: a clean stop.
            let _ = Command::new("kill")
                .args(["-TERM", &kind.id().to_string()])
                .status();
            let s = kind.wait().expect("wait");
            assert_eq!(s.code(), Some(0), "serve stops cleanly: {}", lees());
            return (None, lees());
        }
        if begin.elapsed() > grens {
            let _ = kind.kill();
            let _ = kind.wait();
            panic!(
                "serve neither ended nor was done within {grens:?}: {}",
                lees()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn rabbitmqctl(args: &[&str]) {
    let uit = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .expect("rabbitmqctl runs");
    assert!(uit.status.success(), "rabbitmqctl {args:?}: {uit:?}");
}

/// A broker set up before issue 16 (participants write to the default
/// exchange, no exchanges of their own): the hub refuses to start on it,
/// naming the hole; `broker setup` moves it to the topology, replacing the
/// permissions and keeping the queues and their messages; then the old
/// way to publish is refused, the new one works, and the hub starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn een_oude_broker_wordt_omgezet_en_de_hub_weigert_hem_daarvoor() {
    let _een = EEN_TEGELIJK.lock().await;
    let (a, b) = verse_codes();
    let (map, _opruimen) = werkplaats("clearinghuis-omzetten", &[&a, &b]);

    // The old state: queues only, a message waiting, the old permissions.
    let guest = Verbinding::new(GUEST, "broker test guest")
        .open()
        .await
        .expect("the broker runs");
    let gk = bevestigend(&guest).await;
    for code in [&a, &b] {
        for q in [in_queue(code), out_queue(code)] {
            let mut args = FieldTable::default();
            args.insert(
                "x-queue-type".into(),
                lapin::types::AMQPValue::LongString("quorum".into()),
            );
            args.insert(
                "x-dead-letter-exchange".into(),
                lapin::types::AMQPValue::LongString("".into()),
            );
            args.insert(
                "x-dead-letter-routing-key".into(),
                lapin::types::AMQPValue::LongString(GEPARKEERD.into()),
            );
            args.insert(
                "x-delivery-limit".into(),
                lapin::types::AMQPValue::LongLongInt(1000),
            );
            gk.queue_declare(
                q.as_str().into(),
                QueueDeclareOptions {
                    durable: true,
                    ..QueueDeclareOptions::default()
                },
                args,
            )
            .await
            .expect("the old queues");
        }
        rabbitmqctl(&["add_user", "--quiet", code.as_str(), "oud-wachtwoord-1"]);
        let write = format!(
            r"^(amq\.default|cr\.{}\.in)$",
            code.as_str().replace('.', r"\.")
        );
        let read = format!(r"^cr\.{code}\.out$");
        rabbitmqctl(&[
            "set_permissions",
            "--quiet",
            "-p",
            "/",
            code.as_str(),
            "^$",
            &write,
            &read,
        ]);
    }
    let oud = verbind(&a, "oud-wachtwoord-1").await.expect("a logs in");
    let k = bevestigend(&oud).await;
    assert!(
        publiceer_via(&k, "", &in_queue(&b), b"oud", Some(a.as_str()))
            .await
            .expect("the old permissions let a write into b's queue"),
        "the hole this issue closes"
    );
    assert!(
        publiceer_via(&k, "", &in_queue(&a), b"wacht op de hub", Some(a.as_str()))
            .await
            .expect("a's own message, the old way")
    );
    let _ = oud.close(200, "done".into()).await;

    // The hub refuses this broker, and says why.
    let (status, uitvoer) = serve_op_de_broker(&map, Duration::from_secs(60), "consuming");
    assert_eq!(status, Some(2), "{uitvoer}");
    assert!(
        uitvoer.contains("does not keep participants apart"),
        "{uitvoer}"
    );
    assert!(uitvoer.contains("default exchange"), "{uitvoer}");
    assert!(
        uitvoer.contains(a.as_str()) && uitvoer.contains(b.as_str()),
        "{uitvoer}"
    );
    assert!(uitvoer.contains("broker setup"), "{uitvoer}");

    // broker setup moves it: permissions replaced, messages kept.
    let uit = setup(&map, &[]);
    for code in [&a, &b] {
        assert!(
            regel_van(&uit, code).ends_with("; permissions set"),
            "{uit}"
        );
    }
    let p = Rabbitmqctl::default()
        .alle_rechten("/")
        .expect("permissions");
    assert_eq!(p.get(a.as_str()), Some(&rechten(&a)));
    assert_eq!(p.get(b.as_str()), Some(&rechten(&b)));
    let kp = guest.create_channel().await.expect("channel");
    assert_eq!(
        passief(&kp, &in_queue(&a)).await.expect("count"),
        1,
        "a's message kept"
    );
    assert_eq!(
        passief(&kp, &in_queue(&b)).await.expect("count"),
        1,
        "b's queue kept"
    );
    assert!(
        bindingen().contains(&(in_exchange(&a), in_queue(&a), String::new())),
        "a's exchange is bound to its in queue"
    );
    // A second run changes nothing.
    let uit = setup(&map, &[]);
    assert!(
        regel_van(&uit, &a).ends_with("; permissions already set"),
        "{uit}"
    );

    // The old way is closed, the new one open.
    let conn = verbind(&a, "oud-wachtwoord-1")
        .await
        .expect("password kept");
    let k = bevestigend(&conn).await;
    let e = publiceer_via(&k, "", &in_queue(&a), b"oude weg", Some(a.as_str()))
        .await
        .expect_err("the default exchange is closed");
    assert_eq!(antwoordcode(&e), Some(403), "{e}");
    let k = bevestigend(&conn).await;
    assert!(
        publiceer(&k, &a, b"nieuwe weg", Some(&a))
            .await
            .expect("its own exchange")
    );
    let _ = conn.close(200, "done".into()).await;
    let _ = guest.close(200, "done".into()).await;

    // Now the hub starts (and stops cleanly on SIGTERM).
    let (status, uitvoer) = serve_op_de_broker(
        &map,
        Duration::from_secs(60),
        "broker keeps participants apart",
    );
    assert_eq!(status, None, "{uitvoer}");
}

/// Certificate login over TLS (docs/tls.md): the test broker's listener at
/// localhost:5671, with the CA the test made.
const EXTERN: &str = "amqps://localhost:5671/%2f?auth_mechanism=external";

async fn met_certificaat(ca: &Path, cert: &Path, sleutel: &Path) -> Connection {
    Verbinding::new(EXTERN, "broker test")
        .met_ca(Some(ca))
        .and_then(|v| v.met_identiteit(Some(cert), Some(sleutel)))
        .expect("CA, certificate and key")
        .open()
        .await
        .expect("logs in with its certificate")
}

/// `broker setup --certificates` makes users without a password; with its
/// company certificate (CN = its code) participant `a` tries everything the
/// password matrix tries: all refused but its own publishes, nothing of
/// anyone else changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aanvalsmatrix_met_bedrijfscertificaat() {
    let _een = EEN_TEGELIJK.lock().await;
    let tls = common::tls::broker();
    let (a, b) = verse_codes();
    let (map, _opruimen) = werkplaats("clearinghuis-matrix-cert", &[&a, &b]);
    let uit = setup(&map, &["--certificates"]);
    for code in [&a, &b] {
        assert_eq!(
            regel_van(&uit, code),
            format!(
                "{code}: user created for certificate login (common name {code}), no password; permissions set"
            ),
            "{uit}"
        );
    }
    assert!(!map.join("wachtwoorden").exists(), "no password files");
    // Idempotent.
    let uit = setup(&map, &["--certificates"]);
    assert!(regel_van(&uit, &a).contains("already there"), "{uit}");
    assert!(
        regel_van(&uit, &a).ends_with("permissions already set"),
        "{uit}"
    );

    let bestanden = common::tls::Map::nieuw("matrix");
    let ca = bestanden.schrijf("ca.pem", &tls.ca.pem);
    let (cert, sleutel) = bestanden.identiteit(&tls.ca, a.as_str());
    let verslag = speel_matrix(&a, &b, || met_certificaat(&ca, &cert, &sleutel)).await;
    druk_af("company certificate", &verslag);

    // b's code on a certificate from another authority gets nowhere.
    let (vreemd_cert, vreemd_sleutel) = bestanden.identiteit(&tls.vreemd, b.as_str());
    let e = Verbinding::new(EXTERN, "broker test")
        .met_ca(Some(&ca))
        .and_then(|v| v.met_identiteit(Some(&vreemd_cert), Some(&vreemd_sleutel)))
        .expect("files")
        .open()
        .await
        .expect_err("a certificate from another authority");
    eprintln!("foreign certificate: {e}");
}

/// The production path end to end: the hub logs in with its own
/// certificate over TLS, checks the broker, and answers a participant that
/// logged in with its company certificate; the answer's `user_id` is the
/// hub's certificate name, which the broker vouched for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_en_deelnemer_met_certificaten() {
    let _een = EEN_TEGELIJK.lock().await;
    let tls = common::tls::broker();
    let (a, b) = verse_codes();
    let hub = format!("clearinghuis-hub-{a}");
    let (map, _opruimen) = werkplaats("clearinghuis-cert-hub", &[&a, &b]);
    struct HubWeg(String);
    impl Drop for HubWeg {
        fn drop(&mut self) {
            let _ = Command::new("rabbitmqctl")
                .args(["delete_user", "--quiet", &self.0])
                .output();
        }
    }
    let _hub_weg = HubWeg(hub.clone());
    rabbitmqctl(&["add_user", "--quiet", &hub, "tijdelijk-wachtwoord-1"]);
    rabbitmqctl(&["clear_password", "--quiet", &hub]);
    rabbitmqctl(&[
        "set_permissions",
        "--quiet",
        "-p",
        "/",
        &hub,
        ".*",
        ".*",
        ".*",
    ]);
    setup(&map, &["--certificates"]);

    let bestanden = common::tls::Map::nieuw("hub");
    let ca = bestanden.schrijf("ca.pem", &tls.ca.pem);
    let (hub_cert, hub_sleutel) = bestanden.identiteit(&tls.ca, &hub);
    let (cert, sleutel) = bestanden.identiteit(&tls.ca, a.as_str());

    // a sends an Aanmelding against b before the hub starts: it waits.
    let xml = common::last::aanmelding(1)
        .replace(common::last::V, a.as_str())
        .replace(common::last::A, b.as_str());
    let conn = met_certificaat(&ca, &cert, &sleutel).await;
    let k = bevestigend(&conn).await;
    assert!(
        publiceer(&k, &a, xml.as_bytes(), Some(&a))
            .await
            .expect("published")
    );

    let omgeving = [
        ("CLEARINGHUIS_MAILBOX_URL", EXTERN.to_string()),
        ("CLEARINGHUIS_MAILBOX_TLS_CA", ca.display().to_string()),
        (
            "CLEARINGHUIS_MAILBOX_TLS_CERT",
            hub_cert.display().to_string(),
        ),
        (
            "CLEARINGHUIS_MAILBOX_TLS_KEY",
            hub_sleutel.display().to_string(),
        ),
    ];
    let beantwoord = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let draad = {
        let map = map.clone();
        let beantwoord = beantwoord.clone();
        std::thread::spawn(move || {
            serve_met(&map, &omgeving, Duration::from_secs(90), |_| {
                beantwoord.load(std::sync::atomic::Ordering::SeqCst)
            })
        })
    };
    let mut consument = consumeer(&k, &out_queue(&a)).await.expect("its out queue");
    let antwoord = tokio::time::timeout(Duration::from_secs(60), consument.next())
        .await
        .expect("an answer within 60 s")
        .expect("a delivery")
        .expect("no error");
    beantwoord.store(true, std::sync::atomic::Ordering::SeqCst);
    let tekst = String::from_utf8_lossy(&antwoord.data).into_owned();
    assert!(tekst.contains("Ontvangstbevestiging"), "{tekst}");
    assert_eq!(
        antwoord.properties.user_id().as_ref().map(|u| u.as_str()),
        Some(hub.as_str()),
        "the hub signs with its certificate's name"
    );
    let (status, uitvoer) = draad.join().expect("serve thread");
    assert_eq!(status, None, "{uitvoer}");
    assert!(
        uitvoer.contains("broker keeps participants apart"),
        "{uitvoer}"
    );
    let _ = conn.close(200, "done".into()).await;
}
