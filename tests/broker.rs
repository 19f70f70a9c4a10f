//! `clearinghuis broker setup` against the real RabbitMQ at 127.0.0.1:5672
//! (guest/guest) and the real `rabbitmqctl` on this host: what a
//! participant's user may and may not do. A missing broker or rabbitmqctl
//! fails this test; it never skips.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clearinghuis::bericht::Deelnemercode;
use clearinghuis::transport::amqp::Verbinding;
use clearinghuis::transport::amqp::beheer::{
    MAX_BERICHT, Rabbitmqctl, WACHTWOORD_LENGTE, lees_wachtwoord,
};
use clearinghuis::transport::amqp::topologie::{in_queue, out_queue};
use futures_lite::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions,
    ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ErrorKind};

const GUEST: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

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
                }
                let _ = conn.close(200, "done".into()).await;
            });
        })
        .join();
        let _ = std::fs::remove_dir_all(&self.map);
    }
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

async fn publiceer(
    kanaal: &Channel,
    queue: &str,
    body: &[u8],
    user_id: Option<&Deelnemercode>,
) -> Result<bool, lapin::Error> {
    let mut eigenschappen = BasicProperties::default().with_delivery_mode(2);
    if let Some(u) = user_id {
        eigenschappen = eigenschappen.with_user_id(u.as_str().into());
    }
    let bevestiging = kanaal
        .basic_publish(
            "".into(),
            queue.into(),
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
    let (een, twee) = verse_codes();
    let map = std::env::temp_dir().join(format!("clearinghuis-broker-{een}"));
    let _ = std::fs::remove_dir_all(&map);
    std::fs::create_dir_all(&map).expect("temp folder");
    let _opruimen = Opruimen {
        codes: vec![een.clone(), twee.clone()],
        map: map.clone(),
    };
    std::fs::write(
        map.join("participants.toml"),
        deelnemer(&een) + &deelnemer(&twee),
    )
    .expect("participants file");

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
        publiceer(&k, &in_queue(&een), b"bericht 1", Some(&een))
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
        publiceer(&guest_kanaal, &out_queue(&een), b"antwoord 1", None)
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
    let e = publiceer(&k3, &in_queue(&een), b"vervalst", Some(&twee))
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

    // The default-exchange caveat (docs/broker.md): write on amq.default
    // reaches every queue. Into participant 2's in queue it arrives with
    // participant 1's user_id (the hub refuses that with A01); into its out
    // queue it arrives too, without the hub's user_id.
    let k4 = bevestigend(&conn).await;
    assert!(
        publiceer(&k4, &in_queue(&twee), b"in een andere bus", Some(&een))
            .await
            .expect("the broker takes it")
    );
    assert!(
        publiceer(&k4, &out_queue(&twee), b"namens de hub?", None)
            .await
            .expect("the broker takes it")
    );
    let vreemd = guest_kanaal
        .basic_get(
            in_queue(&twee).as_str().into(),
            BasicGetOptions { no_ack: true },
        )
        .await
        .expect("basic.get")
        .expect("the message is in participant 2's in queue");
    assert_eq!(
        vreemd
            .delivery
            .properties
            .user_id()
            .as_ref()
            .map(|u| u.as_str()),
        Some(een.as_str()),
        "user_id names the real publisher"
    );
    let vreemd = guest_kanaal
        .basic_get(
            out_queue(&twee).as_str().into(),
            BasicGetOptions { no_ack: true },
        )
        .await
        .expect("basic.get")
        .expect("the message is in participant 2's out queue");
    assert_eq!(vreemd.delivery.properties.user_id(), &None);
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
    let (een, _) = verse_codes();
    let map = std::env::temp_dir().join(format!("clearinghuis-broker-grens-{een}"));
    let _ = std::fs::remove_dir_all(&map);
    std::fs::create_dir_all(&map).expect("temp folder");
    let _opruimen = Opruimen {
        codes: vec![een.clone()],
        map: map.clone(),
    };
    std::fs::write(map.join("participants.toml"), deelnemer(&een)).expect("participants file");
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
        publiceer(&k, &in_queue(&een), &grootste, Some(&een))
            .await
            .expect("10 MiB is taken"),
        "nacked"
    );
    let te_groot = vec![b'x'; MAX_BERICHT as usize + 1];
    let e = publiceer(&k, &in_queue(&een), &te_groot, Some(&een))
        .await
        .expect_err("one byte more is refused by the broker");
    assert_eq!(antwoordcode(&e), Some(406), "{e}");
    // Run again: nothing to change.
    let uit = setup(&map, &[]);
    assert!(uit.contains("max_message_size already"), "{uit}");
    let _ = conn.close(200, "done".into()).await;
}
