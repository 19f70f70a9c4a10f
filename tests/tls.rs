//! `amqps://` against the real RabbitMQ TLS listener at 127.0.0.1:5671
//! (prepared by common::tls): the hub trusts the broker only through
//! `[mailbox] tls_ca` and only under the name in its certificate, and a
//! participant or the hub logs in with a company certificate (EXTERNAL,
//! CN = the user). Without root, RabbitMQ or rabbitmqctl the tests fail;
//! they never skip.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clearinghuis::transport::amqp::{AmqpFout, TlsSoort, Verbinding};
use common::tls::{self, Map, rabbitmqctl};
use futures_lite::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Connection, ErrorKind, ExchangeKind};

const GUEST: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const GUEST_TLS: &str = "amqps://guest:guest@localhost:5671/%2f";
const EXTERNAL: &str = "amqps://localhost:5671/%2f?auth_mechanism=external";

/// `n` codes no other run uses: `CR-99` and six digits from the clock and
/// the process id, one after another.
fn verse_codes(n: u32) -> Vec<String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let basis = (nanos / 1000 + u128::from(std::process::id()) * 7919) % 999_000;
    (0..n)
        .map(|i| format!("CR-99{:06}", basis + u128::from(i)))
        .collect()
}

/// Removes the broker users, queues and exchanges of a test when it ends,
/// also when it panics.
#[derive(Default)]
struct Opruimen {
    gebruikers: Vec<String>,
    queues: Vec<String>,
    exchanges: Vec<String>,
}

impl Drop for Opruimen {
    fn drop(&mut self) {
        // No panics here: this also runs while a failed assertion unwinds.
        for g in &self.gebruikers {
            let _ = Command::new("rabbitmqctl")
                .args(["delete_user", "--quiet", g])
                .output();
        }
        let queues = std::mem::take(&mut self.queues);
        let exchanges = std::mem::take(&mut self.exchanges);
        // A runtime of its own: this may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let Ok(conn) = Verbinding::new(GUEST, "tls test clean-up").open().await else {
                    return;
                };
                if let Ok(k) = conn.create_channel().await {
                    for q in queues {
                        let _ = k
                            .queue_delete(q.as_str().into(), QueueDeleteOptions::default())
                            .await;
                    }
                    for e in exchanges {
                        let _ = k
                            .exchange_delete(e.as_str().into(), ExchangeDeleteOptions::default())
                            .await;
                    }
                }
                let _ = conn.close(200, "done".into()).await;
            });
        })
        .join();
    }
}

/// A broker user without a password: it can log in by certificate only.
fn gebruiker_zonder_wachtwoord(naam: &str, rechten: [&str; 3], opruimen: &mut Opruimen) {
    opruimen.gebruikers.push(naam.to_string());
    // The password is cleared at once; it only exists because add_user wants one.
    for args in [
        vec!["add_user", "--quiet", naam, "tijdelijk"],
        vec!["clear_password", "--quiet", naam],
        vec![
            "set_permissions",
            "--quiet",
            "-p",
            "/",
            naam,
            rechten[0],
            rechten[1],
            rechten[2],
        ],
    ] {
        rabbitmqctl(&args).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn quorum() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        ShortString::from("x-queue-type"),
        AMQPValue::LongString("quorum".into()),
    );
    args
}

async fn guest() -> Connection {
    Verbinding::new(GUEST, "tls test guest")
        .open()
        .await
        .expect("the broker runs at 127.0.0.1:5672")
}

/// A participant's mailboxes as the hub lays them out: quorum queues
/// `cr.<code>.in` and `cr.<code>.out`, and the fanout exchange
/// `cr.<code>.in` into the in queue.
async fn postbussen(k: &Channel, code: &str, opruimen: &mut Opruimen) {
    let (inq, uit) = (format!("cr.{code}.in"), format!("cr.{code}.out"));
    opruimen.queues.extend([inq.clone(), uit.clone()]);
    opruimen.exchanges.push(inq.clone());
    for q in [&inq, &uit] {
        k.queue_declare(
            q.as_str().into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            quorum(),
        )
        .await
        .expect("queue declared");
    }
    k.exchange_declare(
        inq.as_str().into(),
        ExchangeKind::Fanout,
        ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        },
        FieldTable::default(),
    )
    .await
    .expect("exchange declared");
    k.queue_bind(
        inq.as_str().into(),
        inq.as_str().into(),
        "".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .expect("bound");
}

/// The CA file the hub is given as `[mailbox] tls_ca`.
fn ca_bestand(map: &Map) -> std::path::PathBuf {
    map.schrijf("ca.pem", &tls::broker().ca.pem)
}

async fn met_certificaat(
    url: &str,
    ca: &Path,
    cert: &Path,
    sleutel: &Path,
) -> Result<Connection, AmqpFout> {
    Verbinding::new(url, "tls test")
        .met_ca(Some(ca))?
        .met_identiteit(Some(cert), Some(sleutel))?
        .open()
        .await
}

/// The AMQP reply code of a refusal (403 ACCESS_REFUSED, 406 PRECONDITION_FAILED).
fn antwoordcode(e: &lapin::Error) -> Option<u16> {
    match e.kind() {
        ErrorKind::ProtocolError(p) => Some(p.get_id()),
        _ => None,
    }
}

fn tls_soort(e: &AmqpFout) -> Option<TlsSoort> {
    match e {
        AmqpFout::Tls(t) => Some(t.soort),
        _ => None,
    }
}

async fn publiceer(
    k: &Channel,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    user_id: Option<&str>,
) -> Result<bool, lapin::Error> {
    let mut p = BasicProperties::default().with_delivery_mode(2);
    if let Some(u) = user_id {
        p = p.with_user_id(u.into());
    }
    let bevestiging = k
        .basic_publish(
            exchange.into(),
            routing_key.into(),
            BasicPublishOptions::default(),
            body,
            p,
        )
        .await?
        .await?;
    Ok(bevestiging.is_ack())
}

async fn bevestigend(c: &Connection) -> Channel {
    let k = c.create_channel().await.expect("a channel");
    k.confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirm mode");
    k
}

async fn consumeer(k: &Channel, queue: &str) -> Result<lapin::Consumer, lapin::Error> {
    k.basic_consume(
        queue.into(),
        "tls-test".into(),
        BasicConsumeOptions::default(),
        FieldTable::default(),
    )
    .await
}

#[tokio::test]
async fn de_broker_met_de_eigen_ca_wordt_vertrouwd() {
    let map = Map::nieuw("vertrouwd");
    let ca = ca_bestand(&map);
    let conn = Verbinding::new(GUEST_TLS, "tls test")
        .met_ca(Some(&ca))
        .expect("the CA file")
        .open()
        .await
        .expect("amqps://localhost:5671 with the test CA connects");
    assert!(conn.status().connected());
    // Not just a handshake: the session carries AMQP.
    let k = conn.create_channel().await.expect("a channel over TLS");
    let q = k
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .expect("a server-named queue over TLS");
    assert!(q.name().as_str().starts_with("amq.gen-"), "{}", q.name());
    conn.close(200, "done".into()).await.expect("closed");
}

#[tokio::test]
async fn zonder_tls_ca_is_de_broker_niet_vertrouwd() {
    tls::broker();
    let e = Verbinding::new(GUEST_TLS, "tls test")
        .open()
        .await
        .expect_err("the test CA is in no system store");
    let tekst = e.to_string();
    assert_eq!(tls_soort(&e), Some(TlsSoort::NietVertrouwd), "{tekst}");
    assert!(
        tekst.contains("localhost:5671")
            && tekst.contains("not trusted")
            && tekst.contains("UnknownIssuer")
            && tekst.contains("tls_ca"),
        "{tekst}"
    );
    assert!(e.blijvend(), "{tekst}");
    assert!(!tekst.contains("guest:guest"), "{tekst}");

    // A CA, but not the one that signed the broker's certificate.
    let map = Map::nieuw("vreemde-ca");
    let vreemd = map.schrijf("vreemd.pem", &tls::broker().vreemd.pem);
    let e = Verbinding::new(GUEST_TLS, "tls test")
        .met_ca(Some(&vreemd))
        .expect("the CA file")
        .open()
        .await
        .expect_err("another CA does not vouch for the broker");
    assert_eq!(tls_soort(&e), Some(TlsSoort::NietVertrouwd), "{e}");
}

#[tokio::test]
async fn een_naam_buiten_het_certificaat_wordt_geweigerd() {
    let map = Map::nieuw("andere-host");
    let ca = ca_bestand(&map);
    // The same listener, reached by its address: the certificate names
    // `localhost` only.
    let e = Verbinding::new("amqps://guest:guest@127.0.0.1:5671/%2f", "tls test")
        .met_ca(Some(&ca))
        .expect("the CA file")
        .open()
        .await
        .expect_err("127.0.0.1 is not in the certificate");
    let tekst = e.to_string();
    assert_eq!(tls_soort(&e), Some(TlsSoort::AndereHost), "{tekst}");
    assert!(
        tekst.contains("127.0.0.1:5671")
            && tekst.contains("another host")
            && tekst.contains("NotValidForName")
            && tekst.contains("localhost"),
        "{tekst}"
    );
    assert!(e.blijvend(), "{tekst}");
}

#[tokio::test]
async fn deelnemer_logt_in_met_zijn_bedrijfscertificaat() {
    let tls = tls::broker();
    let codes = verse_codes(2);
    let (code, ander) = (&codes[0], &codes[1]);
    let mut opruimen = Opruimen::default();
    let guest = guest().await;
    let gk = bevestigend(&guest).await;
    postbussen(&gk, code, &mut opruimen).await;
    postbussen(&gk, ander, &mut opruimen).await;
    let esc = |c: &str| c.replace('-', "\\-");
    gebruiker_zonder_wachtwoord(
        code,
        [
            "^$",
            &format!("^cr\\.{}\\.in$", esc(code)),
            &format!("^cr\\.{}\\.out$", esc(code)),
        ],
        &mut opruimen,
    );
    let map = Map::nieuw("deelnemer");
    let ca = ca_bestand(&map);
    let (cert, sleutel) = map.identiteit(&tls.ca, code);

    let conn = met_certificaat(EXTERNAL, &ca, &cert, &sleutel)
        .await
        .expect("the participant logs in by certificate");

    // Publish into its own exchange, confirmed, as itself: the broker checks
    // user_id against the login, so the login name is the certificate's CN.
    let k = bevestigend(&conn).await;
    let inq = format!("cr.{code}.in");
    assert!(
        publiceer(&k, &inq, "", b"bericht over TLS", Some(code))
            .await
            .expect("publish to its own exchange"),
        "the broker acks the publish"
    );
    let binnen = gk
        .basic_get(inq.as_str().into(), BasicGetOptions { no_ack: true })
        .await
        .expect("basic.get")
        .expect("the message reached cr.<code>.in");
    assert_eq!(binnen.delivery.data, b"bericht over TLS");
    assert_eq!(
        binnen
            .delivery
            .properties
            .user_id()
            .as_ref()
            .map(|u| u.to_string()),
        Some(code.clone())
    );

    // Speaking as another participant: refused.
    let k2 = bevestigend(&conn).await;
    let e = publiceer(&k2, &inq, "", b"vals", Some(ander))
        .await
        .expect_err("user_id of another code");
    assert_eq!(antwoordcode(&e), Some(406), "{e}");

    // Its own out queue: consumed.
    let uit = format!("cr.{code}.out");
    assert!(
        publiceer(&gk, "", &uit, b"antwoord", None)
            .await
            .expect("the hub's answer")
    );
    let k3 = conn.create_channel().await.expect("a channel");
    let mut consumer = consumeer(&k3, &uit)
        .await
        .expect("consume its own out queue");
    let levering = tokio::time::timeout(Duration::from_secs(10), consumer.next())
        .await
        .expect("a delivery within 10 s")
        .expect("the consumer runs")
        .expect("a delivery");
    assert_eq!(levering.data, b"antwoord");
    levering
        .acker
        .ack(BasicAckOptions::default())
        .await
        .expect("acked");

    // Another participant's out queue: 403.
    let k4 = conn.create_channel().await.expect("a channel");
    let e = consumeer(&k4, &format!("cr.{ander}.out"))
        .await
        .expect_err("another participant's out queue");
    assert_eq!(antwoordcode(&e), Some(403), "{e}");
    let _ = conn.close(200, "done".into()).await;

    // The right CN signed by a CA the broker does not trust: refused in
    // the TLS handshake, before any login. Under TLS 1.3 the broker's alert
    // can be lost to the reset that follows it, so the broker's log is what
    // shows that the certificate was the reason.
    let log = tls::logbestand();
    const ALERT: &str = "SERVER ALERT: Fatal - Unknown CA";
    let voor = tls::in_log(&log, ALERT);
    let vreemd = Map::nieuw("vreemd");
    let (vcert, vsleutel) = vreemd.identiteit(&tls.vreemd, code);
    let std::result::Result::Err(e) = met_certificaat(EXTERNAL, &ca, &vcert, &vsleutel).await
    else {
        panic!("a certificate from a foreign CA logged in");
    };
    let tekst = e.to_string();
    match tls_soort(&e) {
        Some(TlsSoort::ClientGeweigerd) => {
            assert!(
                tekst.contains("refused the client certificate") && tekst.contains("UnknownCA"),
                "{tekst}"
            );
            assert!(e.blijvend(), "{tekst}");
        }
        Some(TlsSoort::Verbroken) => assert!(!e.blijvend(), "{tekst}"),
        _ => panic!("not a refused client certificate: {tekst}"),
    }
    assert!(
        tekst.contains("tls_cert") && tekst.contains("localhost:5671"),
        "{tekst}"
    );
    let begin = std::time::Instant::now();
    while tls::in_log(&log, ALERT) == voor {
        assert!(
            begin.elapsed() < Duration::from_secs(10),
            "the broker's log {} does not say it refused the foreign CA",
            log.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = guest.close(200, "done".into()).await;
}

#[tokio::test]
async fn certificaat_van_een_code_zonder_gebruiker_wordt_geweigerd() {
    let tls = tls::broker();
    let code = &verse_codes(1)[0];
    let map = Map::nieuw("zonder-gebruiker");
    let ca = ca_bestand(&map);
    // Signed by the trusted CA, so TLS succeeds; the broker has no user
    // by that name.
    let (cert, sleutel) = map.identiteit(&tls.ca, code);
    let std::result::Result::Err(e) = met_certificaat(EXTERNAL, &ca, &cert, &sleutel).await else {
        panic!("{code} has no broker user but logged in");
    };
    let tekst = e.to_string();
    assert!(
        matches!(&e, AmqpFout::CertificaatLogin(l) if antwoordcode(l) == Some(403)),
        "{tekst}"
    );
    assert!(
        tekst.contains("EXTERNAL") && tekst.contains("subject CN"),
        "{tekst}"
    );
    assert!(e.blijvend(), "{tekst}");
}

#[tokio::test]
async fn een_sleutel_van_een_ander_certificaat_wordt_geweigerd() {
    let tls = tls::broker();
    let map = Map::nieuw("sleutel");
    let ca = ca_bestand(&map);
    let (cert, _) = map.identiteit(&tls.ca, "CR-99000001");
    let (_, andere_sleutel) = map.identiteit(&tls.ca, "CR-99000002");
    let std::result::Result::Err(e) = met_certificaat(EXTERNAL, &ca, &cert, &andere_sleutel).await
    else {
        panic!("a key of another certificate was used");
    };
    let tekst = e.to_string();
    assert_eq!(tls_soort(&e), Some(TlsSoort::EigenSleutel), "{tekst}");
    assert!(e.blijvend(), "{tekst}");
    // Never the key itself in the message.
    let pem = std::fs::read_to_string(&andere_sleutel).expect("the key");
    let regel = pem.lines().nth(1).expect("a line of base64");
    assert!(!tekst.contains(regel), "{tekst}");
}

#[tokio::test]
async fn de_hub_logt_in_met_zijn_certificaat() {
    let tls = tls::broker();
    let hub = format!("clearinghuis-hub-test-{}", &verse_codes(1)[0][3..]);
    let mut opruimen = Opruimen::default();
    gebruiker_zonder_wachtwoord(&hub, [".*", ".*", ".*"], &mut opruimen);
    let map = Map::nieuw("hub");
    let ca = ca_bestand(&map);
    let (cert, sleutel) = map.identiteit(&tls.ca, &hub);

    // Without the certificate the hub cannot log in: no password exists.
    let e = Verbinding::new(
        &format!("amqps://{hub}:tijdelijk@localhost:5671/%2f"),
        "tls test",
    )
    .met_ca(Some(&ca))
    .expect("the CA file")
    .open()
    .await
    .expect_err("a user without a password");
    assert!(
        matches!(&e, AmqpFout::Lapin(l) if antwoordcode(l) == Some(403)),
        "{e}"
    );

    let conn = met_certificaat(EXTERNAL, &ca, &cert, &sleutel)
        .await
        .expect("the hub logs in by certificate");
    // What the hub does: declare, publish with confirms, consume.
    let k = bevestigend(&conn).await;
    let q = format!("cr.hubtest.{}", &hub[22..]);
    opruimen.queues.push(q.clone());
    k.queue_declare(
        q.as_str().into(),
        QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        },
        quorum(),
    )
    .await
    .expect("the hub declares");
    assert!(
        publiceer(&k, "", &q, b"van de hub", Some(&hub))
            .await
            .expect("the hub publishes"),
        "acked"
    );
    let terug = k
        .basic_get(q.as_str().into(), BasicGetOptions { no_ack: true })
        .await
        .expect("basic.get")
        .expect("the message is there");
    assert_eq!(terug.delivery.data, b"van de hub");
    let _ = conn.close(200, "done".into()).await;
}

#[test]
fn het_tls_blok_komt_er_een_keer_in() {
    let tcp = "listeners.tcp.local = 127.0.0.1:5672\n";
    let blok = tls::conf_blok();
    let eerste = tls::nieuwe_conf(tcp)
        .expect("no conflict")
        .expect("the block is missing");
    assert_eq!(eerste, format!("{tcp}{blok}"));
    assert_eq!(
        tls::nieuwe_conf(&eerste),
        Ok(None),
        "a second time: no change"
    );
    // An older version of the block is replaced.
    let oud = format!(
        "listeners.tcp.local = 127.0.0.1:5672\n{}",
        blok.replace("verify_peer", "verify_none")
    );
    assert_eq!(
        tls::nieuwe_conf(&oud).expect("no conflict"),
        Some(eerste.clone()),
        "the old block replaced"
    );
    // A file without a final newline.
    assert_eq!(
        tls::nieuwe_conf("listeners.tcp.local = 127.0.0.1:5672").expect("no conflict"),
        Some(eerste)
    );
    // Someone else's TLS set-up is left alone.
    let e = tls::nieuwe_conf("ssl_options.certfile = /etc/x.pem\n").expect_err("a conflict");
    assert!(e.contains("ssl_options.certfile"), "{e}");
}
