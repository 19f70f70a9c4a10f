//! One active hub per store, against the real `serve`: a second hub on the
//! same store waits as a standby and says who holds it; under a load of
//! claims through the directory mailboxes the active hub is killed with
//! SIGKILL, and the standby takes over within 10 s (from the kill to its
//! "serving" line). Afterwards every message is in the log exactly once,
//! every answer file is its log line, no identifier was handed out twice
//! and the export verifies. For SQLite (a flock beside the database) and
//! PostgreSQL (a session advisory lock).

mod common;

use std::time::{Duration, Instant};

use common::hub::Hub;
use common::last::{self, A, V};
use common::nagaan::{Waarnemer, tel};

const CLAIMS: usize = 500;
/// The takeover the issue asks for, from the kill to the standby serving.
const OVERNAME: Duration = Duration::from_secs(10);

fn overname(naam: &str, omgeving: Vec<(String, String)>) {
    let mut actief = Hub::nieuw(naam);
    actief.omgeving = omgeving;
    actief.start();
    let actief_pid = actief.pid().expect("running");
    let mut standby = actief.naast("standby.log");
    standby.start_zonder_wachten();
    assert!(
        standby.wacht(Duration::from_secs(30), |h| h.log().contains("standby:")),
        "{naam}: the second hub did not say it waits: {}",
        standby.log()
    );
    let melding = standby
        .log()
        .lines()
        .find(|l| l.contains("standby:"))
        .unwrap_or_default()
        .to_string();
    assert!(
        melding.contains(&format!("pid {actief_pid} ")),
        "{naam}: the standby does not name the active hub's pid {actief_pid}: {melding}"
    );

    let mut waarnemer = Waarnemer::start(actief.mailboxes());
    let (in_v, in_a) = (actief.in_map(V), actief.in_map(A));
    let dropper = last::laat_vallen(in_v, in_a, CLAIMS);
    assert!(
        actief.wacht(Duration::from_secs(60), |h| h.antwoorden().len()
            >= 5 * CLAIMS / 4),
        "{naam}: the active hub does not get going"
    );
    assert!(
        !standby.log().contains("serving:"),
        "{naam}: the standby served beside the active hub"
    );
    let wachtend = actief.wachtend();
    let kill = Instant::now();
    actief.kill();
    assert!(
        standby.wacht(Duration::from_secs(60), |h| h.log().contains("serving:")),
        "{naam}: the standby did not take over: {}",
        standby.log()
    );
    let duur = kill.elapsed();
    let berichten = dropper.join().expect("dropper");
    let klaar = standby.wacht(Duration::from_secs(120), |h| {
        h.wachtend() == 0 && h.antwoorden().len() >= 5 * CLAIMS
    });
    std::thread::sleep(Duration::from_millis(500));
    let status = standby.stop();
    waarnemer.stop();
    let t = tel(&standby, &berichten, Some(&waarnemer));
    eprintln!(
        "{naam}: takeover {:.2} s after the SIGKILL ({wachtend} files waiting at the kill); {t}",
        duur.as_secs_f64()
    );
    assert!(
        duur < OVERNAME,
        "{naam}: takeover took {:.1} s",
        duur.as_secs_f64()
    );
    assert!(klaar, "{naam}: the standby did not catch up");
    assert!(status.success(), "{naam}: exit status {status}");
    assert!(t.heel(), "{naam}: {t}");
    assert_eq!(t.antwoorden, 5 * CLAIMS, "{naam}: answers in the log");
    standby
        .export_verifieert(&[])
        .expect("the exported log verifies");
    let _ = std::fs::remove_dir_all(&standby.map);
}

#[test]
fn sqlite_standby_neemt_over_na_sigkill() {
    overname("standby-sqlite", Vec::new());
}

#[test]
fn postgres_standby_neemt_over_na_sigkill() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (url, _db) = rt.block_on(common::pg::verse_database());
    overname("standby-pg", vec![("CLEARINGHUIS_STORE_URL".into(), url)]);
}

/// PostgreSQL: the active hub's lock session is ended by the server
/// (`pg_terminate_backend`) under load while a standby waits. The standby
/// takes the lock at once; the first hub may still be in a round, but the
/// fence refuses its commits, it notices the loss within seconds and
/// becomes the standby. Nothing is lost, nothing doubled, no identifier is
/// handed out by both.
#[test]
fn postgres_een_hub_die_zijn_slot_verliest_legt_niets_meer_vast() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (url, _db) = rt.block_on(common::pg::verse_database());
    let mut eerste = Hub::nieuw("slot-kwijt");
    eerste.omgeving = vec![("CLEARINGHUIS_STORE_URL".into(), url.clone())];
    eerste.start();
    let eerste_pid = eerste.pid().expect("running");
    let mut tweede = eerste.naast("tweede.log");
    tweede.start_zonder_wachten();
    assert!(
        tweede.wacht(Duration::from_secs(30), |h| h.log().contains("standby:")),
        "the second hub did not wait"
    );
    let mut waarnemer = Waarnemer::start(eerste.mailboxes());
    let (in_v, in_a) = (eerste.in_map(V), eerste.in_map(A));
    let dropper = last::laat_vallen(in_v, in_a, CLAIMS);
    assert!(
        eerste.wacht(Duration::from_secs(60), |h| h.antwoorden().len()
            >= 5 * CLAIMS / 4),
        "the first hub does not get going"
    );
    // End the first hub's lock session from the server's side.
    let beeindigd: Vec<i32> = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.expect("database");
        let r = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity
             WHERE application_name LIKE $1 AND pg_terminate_backend(pid)",
        )
        .bind(format!("clearinghuis serve pid {eerste_pid} %"))
        .fetch_all(&mut c)
        .await
        .expect("terminated");
        let _ = c.close().await;
        r
    });
    assert_eq!(beeindigd.len(), 1, "the first hub's lock session");
    let verlies = Instant::now();
    assert!(
        tweede.wacht(Duration::from_secs(30), |h| h.log().contains("serving:")),
        "the second hub did not take over: {}",
        tweede.log()
    );
    let overname = verlies.elapsed();
    assert!(
        eerste.wacht(Duration::from_secs(30), |h| h
            .log()
            .contains("lost the store's lock")),
        "the first hub did not notice: {}",
        eerste.log()
    );
    let gemerkt = verlies.elapsed();
    let berichten = dropper.join().expect("dropper");
    let klaar = tweede.wacht(Duration::from_secs(120), |h| {
        h.wachtend() == 0 && h.antwoorden().len() >= 5 * CLAIMS
    });
    assert!(
        eerste.wacht(Duration::from_secs(30), |h| h.log().contains("standby:")),
        "the first hub did not become the standby: {}",
        eerste.log()
    );
    std::thread::sleep(Duration::from_millis(500));
    let status_tweede = tweede.stop();
    let status_eerste = eerste.stop();
    waarnemer.stop();
    let geweigerd = eerste
        .log()
        .matches("no longer holds the store's lock")
        .count();
    let t = tel(&tweede, &berichten, Some(&waarnemer));
    eprintln!(
        "slot-kwijt: the second hub served {:.2} s after the first hub's lock session ended, \
         the first noticed after {:.2} s, commits the fence refused {geweigerd}; {t}",
        overname.as_secs_f64(),
        gemerkt.as_secs_f64()
    );
    assert!(overname < OVERNAME, "takeover took {overname:?}");
    assert!(klaar, "the second hub did not catch up");
    assert!(status_eerste.success() && status_tweede.success());
    assert!(t.heel(), "{t}");
    assert_eq!(t.antwoorden, 5 * CLAIMS, "answers in the log");
    tweede
        .export_verifieert(&[])
        .expect("the exported log verifies");
    let _ = std::fs::remove_dir_all(&tweede.map);
}
