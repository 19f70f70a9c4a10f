//! Commits that fail, on both stores, against the real `serve`. A trigger
//! installed from the test makes every round holding one chosen message
//! (claim 40's) fail, first while it writes (the database rolls the whole
//! transaction back itself, as SQLite does on SQLITE_FULL or SQLITE_IOERR),
//! then at COMMIT (a deferred constraint, checked at COMMIT; SQLite leaves
//! the transaction open), a few times each; then it is dropped.
//!
//! On SQLite this is what a full disk did to a hub that went on with its
//! pool: after the first failure sqlx believed the connection was still in a
//! transaction (its ROLLBACK failed: there was none), so the next round's
//! BEGIN became a SAVEPOINT; when that round's RELEASE failed the
//! transaction stayed open, and every later "commit" on that connection was
//! the RELEASE of a savepoint inside it: files moved for rounds that were
//! never committed. Afterwards here: every message in the log exactly once,
//! every answer file exactly its log line, no identifier handed out twice,
//! exit status 0, and the export verifies.

mod common;

use std::time::{Duration, Instant};

use common::hub::{Hub, zet_neer};
use common::last::{A, V, aanmelding, akkoord};
use common::nagaan::{Waarnemer, tel};
use sqlx::{Connection, Executor};

/// The claim whose rounds fail while the trigger is there.
const GEWEIGERD: usize = 40;
const CLAIMS: usize = 60;

/// What the trigger does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fase {
    /// Fails the statement that logs the message; the database rolls the
    /// whole transaction back.
    Terugrollen,
    /// Fails the COMMIT (a deferred constraint).
    BijCommit,
    /// Gone.
    Weg,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Drops claims `van..tot` (Aanmelding by V, Akkoord by A) into the mailboxes.
fn zet_claims(hub: &Hub, van: usize, tot: usize, berichten: &mut Vec<String>) {
    for i in van..tot {
        let a = aanmelding(i);
        zet_neer(
            &hub.in_map(V),
            &format!("{i:04}-aanmelding.xml"),
            a.as_bytes(),
        );
        let b = akkoord(i);
        zet_neer(&hub.in_map(A), &format!("{i:04}-akkoord.xml"), b.as_bytes());
        berichten.push(a);
        berichten.push(b);
    }
}

fn log(hub: &Hub) -> String {
    std::fs::read_to_string(&hub.stderr).unwrap_or_default()
}

/// Runs SQL against the hub's database, trying again for up to 60 s while
/// the database is locked (as it stays when a connection is left inside a
/// transaction); whether it ran.
fn voer_uit<F, Fut>(rt: &tokio::runtime::Runtime, poging: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), sqlx::Error>>,
{
    let begin = Instant::now();
    loop {
        match rt.block_on(poging()) {
            Ok(()) => return true,
            Err(e) if begin.elapsed() < Duration::from_secs(60) => {
                eprintln!("changing the trigger: {e}; trying again");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => {
                eprintln!("the trigger cannot be changed for 60 s: {e}");
                return false;
            }
        }
    }
}

/// 20 claims; the trigger fails claim 40's rounds while they are written,
/// then at COMMIT, at least `keer` times each (or for 15 s); dropped; every
/// message processed; a clean stop; the figures.
fn verloop(hub: &mut Hub, zet: impl Fn(Fase) -> bool, meldingen: [&str; 2], naam: &str) {
    const KEER: usize = 4;
    let mut waarnemer = Waarnemer::start(hub.mailboxes());
    let mut berichten = Vec::new();
    zet_claims(hub, 0, 20, &mut berichten);
    assert!(
        hub.wacht(Duration::from_secs(60), |h| h.wachtend() == 0),
        "the first claims were not taken"
    );
    let begin = Instant::now();
    let mut mislukt = [0; 2];
    let mut gezet = true;
    for (i, fase) in [Fase::Terugrollen, Fase::BijCommit].into_iter().enumerate() {
        gezet &= zet(fase);
        if i == 0 {
            zet_claims(hub, 20, CLAIMS, &mut berichten);
        }
        hub.wacht(Duration::from_secs(15), |h| {
            log(h).matches(meldingen[i]).count() >= KEER
        });
        mislukt[i] = log(hub).matches(meldingen[i]).count();
    }
    gezet &= zet(Fase::Weg);
    let klaar = gezet
        && hub.wacht(Duration::from_secs(120), |h| {
            h.wachtend() == 0 && h.antwoorden().len() >= 5 * CLAIMS
        });
    // The last round's answers are delivered after its commit.
    std::thread::sleep(Duration::from_millis(500));
    let status = hub.stop();
    waarnemer.stop();
    if !gezet {
        // The hub held its database locked: with it stopped, the trigger
        // goes, so the export shows what the hub left behind.
        zet(Fase::Weg);
    }
    let t = tel(hub, &berichten, Some(&waarnemer));
    eprintln!(
        "{naam}: {} rounds rolled back while writing, {} failed at COMMIT, {:.1} s; {t}",
        mislukt[0],
        mislukt[1],
        begin.elapsed().as_secs_f64()
    );
    assert!(
        mislukt[0] >= 1 && mislukt[1] >= 1,
        "{naam}: the trigger did not fire: {mislukt:?}"
    );
    assert!(t.heel(), "{naam}: {t}\nhub log: {}", hub.stderr.display());
    assert!(gezet, "{naam}: the hub kept its database locked");
    assert!(
        klaar,
        "{naam}: the hub did not catch up after the trigger was dropped"
    );
    assert!(status.success(), "{naam}: exit status {status}");
    assert_eq!(t.antwoorden, 5 * CLAIMS, "{naam}: answers in the log");
    hub.export_verifieert(&[])
        .expect("the exported log verifies");
}

#[test]
fn sqlite_commit_die_mislukt_verliest_niets() {
    let mut hub = Hub::nieuw("commit-sqlite");
    hub.start();
    let db = format!(
        "sqlite://{}",
        hub.map.join("clearinghuis-data/clearinghuis.db").display()
    );
    let rt = runtime();
    let zet = |fase: Fase| {
        let sql = match fase {
            Fase::Terugrollen => format!(
                "CREATE TRIGGER proef_weiger AFTER INSERT ON berichtenlog
                 WHEN instr(CAST(NEW.xml AS TEXT), '>VS-C-{GEWEIGERD}<') > 0
                 BEGIN SELECT RAISE(ROLLBACK, 'proef: rolled back'); END;"
            ),
            Fase::BijCommit => format!(
                "DROP TRIGGER proef_weiger;
                 CREATE TABLE proef_ouder (id INTEGER PRIMARY KEY);
                 CREATE TABLE proef_kind (ouder INTEGER REFERENCES proef_ouder (id) DEFERRABLE INITIALLY DEFERRED);
                 CREATE TRIGGER proef_weiger AFTER INSERT ON berichtenlog
                 WHEN instr(CAST(NEW.xml AS TEXT), '>VS-C-{GEWEIGERD}<') > 0
                 BEGIN INSERT INTO proef_kind (ouder) VALUES (1); END;"
            ),
            Fase::Weg => "DROP TRIGGER IF EXISTS proef_weiger".to_string(),
        };
        voer_uit(&rt, || async {
            let mut c = sqlx::SqliteConnection::connect(&db).await?;
            let r = c.execute(sql.as_str()).await.map(|_| ());
            let _ = c.close().await;
            r
        })
    };
    verloop(
        &mut hub,
        zet,
        ["proef: rolled back", "FOREIGN KEY constraint failed"],
        "sqlite",
    );
    let _ = std::fs::remove_dir_all(&hub.map);
}

#[test]
fn postgres_commit_die_mislukt_verliest_niets() {
    let rt = runtime();
    let (url, _db) = rt.block_on(common::pg::verse_database());
    let mut hub = Hub::nieuw("commit-pg");
    hub.omgeving = vec![("CLEARINGHUIS_STORE_URL".into(), url.clone())];
    hub.start();
    let zet = |fase: Fase| {
        let wanneer = format!("WHEN (position('>VS-C-{GEWEIGERD}<'::bytea IN NEW.xml) > 0)");
        let sql = match fase {
            Fase::Terugrollen => format!(
                "CREATE FUNCTION proef_terug() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'proef: rolled back'; END $$;
                 CREATE TRIGGER proef_weiger AFTER INSERT ON berichtenlog
                 FOR EACH ROW {wanneer} EXECUTE FUNCTION proef_terug();"
            ),
            Fase::BijCommit => format!(
                "DROP TRIGGER proef_weiger ON berichtenlog;
                 CREATE FUNCTION proef_commit() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'proef: commit refused'; END $$;
                 CREATE CONSTRAINT TRIGGER proef_weiger AFTER INSERT ON berichtenlog
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {wanneer}
                 EXECUTE FUNCTION proef_commit();"
            ),
            Fase::Weg => "DROP TRIGGER IF EXISTS proef_weiger ON berichtenlog".to_string(),
        };
        voer_uit(&rt, || async {
            let mut c = sqlx::PgConnection::connect(&url).await?;
            let r = c.execute(sql.as_str()).await.map(|_| ());
            let _ = c.close().await;
            r
        })
    };
    verloop(
        &mut hub,
        zet,
        ["proef: rolled back", "proef: commit refused"],
        "postgres",
    );
    let _ = std::fs::remove_dir_all(&hub.map);
}
