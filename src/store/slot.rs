//! One hub serves a store at a time (operations.md "Mailboxes"): a second
//! `serve` on the same store waits as a standby and takes over when the
//! first stops or dies. Only `serve` takes the lock; `log export` and
//! `replay` read the store while a hub runs.
//!
//! - SQLite: an exclusive `flock` on `<database>.lock` beside the database.
//!   The kernel releases it when the process ends, whatever the signal. The
//!   holder writes its pid and host into the file, for the standby's message.
//! - PostgreSQL: a session advisory lock, taken with `pg_try_advisory_lock`
//!   on a connection of its own (not from the pool) that lives as long as the
//!   hub holds the store. The server drops it with the session: a killed
//!   hub's socket is closed by its kernel, and TCP keepalives on the session
//!   (set as connection options) find a dead host within seconds. The hub
//!   checks every second that its session still holds the lock; every batch
//!   checks it too, inside its transaction (the fence in
//!   `PgStore::bewaar`), so a hub that lost the lock commits nothing. A hub
//!   taking over takes the fence lock exclusively once before it reads the
//!   store: a batch of the old holder that passed its check just before the
//!   lock went has committed or rolled back by then.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use super::StoreFout;

/// The advisory lock keys (two-int form): a class of our own, the store's
/// lock and the fence lock. sqlx's migrator uses the one-bigint form, which
/// never meets these.
pub const PG_SLEUTELS: (i32, i32, i32) = (0x4348, 1, 2);

/// How long a check of the lock session may take before it counts as lost.
const CONTROLE: Duration = Duration::from_secs(5);

/// Who holds the store, as far as this hub can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Houder {
    /// The holder's process id, where it is known.
    pub pid: Option<u32>,
    /// What the holder wrote about itself (pid, host, since when).
    pub beschrijving: String,
}

impl std::fmt::Display for Houder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.beschrijving.is_empty() {
            f.write_str("another hub")
        } else {
            write!(f, "another hub ({})", self.beschrijving)
        }
    }
}

/// This process, as it describes itself to a standby.
fn wie() -> String {
    format!(
        "pid {} on {} since {}",
        std::process::id(),
        hostnaam(),
        chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
    )
}

fn hostnaam() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `len` bytes into the buffer.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return "?".to_string();
    }
    let eind = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..eind]).into_owned()
}

/// The pid in a description written by [`wie`].
fn pid_in(tekst: &str) -> Option<u32> {
    let na = &tekst[tekst.find("pid ")? + 4..];
    na.split_whitespace().next()?.parse().ok()
}

/// The flock of a SQLite store, held while the value lives (and released by
/// the kernel when the process ends).
#[derive(Debug)]
pub struct Bestandsslot {
    _bestand: File,
    pub pad: PathBuf,
}

impl Bestandsslot {
    /// The lock file of the database at `database`.
    pub fn pad_voor(database: &Path) -> PathBuf {
        let mut naam = database.as_os_str().to_owned();
        naam.push(".lock");
        PathBuf::from(naam)
    }

    /// Takes the lock if it is free; otherwise says who holds it.
    pub fn probeer(pad: &Path) -> Result<Result<Bestandsslot, Houder>, StoreFout> {
        let fout = |bron: std::io::Error| StoreFout::Slotbestand {
            pad: pad.display().to_string(),
            bron,
        };
        // A lock file removed and made again between our open and our
        // flock is another file: try once more on the new one.
        for _ in 0..10 {
            let mut bestand = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(pad)
                .map_err(fout)?;
            // SAFETY: flock on a descriptor `bestand` keeps open.
            if unsafe { libc::flock(bestand.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                let e = std::io::Error::last_os_error();
                if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
                    return Err(fout(e));
                }
                let mut tekst = String::new();
                let _ = bestand.read_to_string(&mut tekst);
                let beschrijving = tekst.trim().to_string();
                return Ok(Err(Houder {
                    pid: pid_in(&beschrijving),
                    beschrijving,
                }));
            }
            use std::os::unix::fs::MetadataExt;
            let open = bestand.metadata().map_err(fout)?;
            match std::fs::metadata(pad) {
                Ok(m) if m.ino() == open.ino() && m.dev() == open.dev() => {}
                _ => continue,
            }
            // Who holds it, for the standby's message; the lock does not
            // depend on it (a full disk may refuse the write).
            let _ = bestand
                .set_len(0)
                .and_then(|()| bestand.rewind())
                .and_then(|()| writeln!(bestand, "{}", wie()));
            return Ok(Ok(Bestandsslot {
                _bestand: bestand,
                pad: pad.to_owned(),
            }));
        }
        Err(fout(std::io::Error::other(
            "the lock file keeps being replaced",
        )))
    }
}

/// The PostgreSQL lock session of a hub (see the module doc).
pub struct PgSlot {
    verbinding: PgConnection,
    /// The session's backend pid, which the fence checks.
    pub pid: i32,
}

impl PgSlot {
    /// Opens the lock session: a connection of its own, with TCP keepalives
    /// the server uses to find a dead hub within seconds, named after this
    /// process so a standby can say who holds the store.
    pub async fn verbind(url: &str) -> Result<PgSlot, StoreFout> {
        let naam = format!("clearinghuis serve {}", wie());
        let opties = PgConnectOptions::from_str(url)?
            .application_name(&naam[..naam.len().min(63)])
            .options([
                ("tcp_keepalives_idle", "5"),
                ("tcp_keepalives_interval", "2"),
                ("tcp_keepalives_count", "3"),
                ("tcp_user_timeout", "10000"),
            ]);
        let mut verbinding = tokio::time::timeout(Duration::from_secs(10), opties.connect())
            .await
            .map_err(|_| {
                StoreFout::Database(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no connection to PostgreSQL within 10 s",
                )))
            })??;
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut verbinding)
            .await?;
        Ok(PgSlot { verbinding, pid })
    }

    /// Takes the store's lock if it is free (then waits once for any batch
    /// of an earlier holder still committing); otherwise says who holds it.
    pub async fn probeer(&mut self) -> Result<Option<Houder>, StoreFout> {
        let (klasse, slot, hek) = PG_SLEUTELS;
        let genomen: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(klasse)
            .bind(slot)
            .fetch_one(&mut self.verbinding)
            .await?;
        if genomen {
            sqlx::query("SELECT pg_advisory_lock($1, $2), pg_advisory_unlock($1, $2)")
                .bind(klasse)
                .bind(hek)
                .execute(&mut self.verbinding)
                .await?;
            return Ok(None);
        }
        let houder: Option<(i32, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT l.pid, a.application_name, host(a.client_addr)
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
             LIMIT 1",
        )
        .bind(klasse)
        .bind(slot)
        .fetch_optional(&mut self.verbinding)
        .await?;
        Ok(Some(match houder {
            Some((backend, naam, adres)) => {
                let naam = naam.unwrap_or_default();
                let wie = naam.strip_prefix("clearinghuis serve ").unwrap_or(&naam);
                Houder {
                    pid: pid_in(wie),
                    beschrijving: format!(
                        "{wie}; database session {backend}{}",
                        adres.map(|a| format!(" from {a}")).unwrap_or_default()
                    ),
                }
            }
            // Released between the two queries: the next try takes it.
            None => Houder {
                pid: None,
                beschrijving: String::new(),
            },
        }))
    }

    /// Whether this session still holds the lock (an error or no answer
    /// within a few seconds counts as no).
    pub async fn houdt(&mut self) -> bool {
        let (klasse, slot, _) = PG_SLEUTELS;
        let vraag = sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_locks l
                 WHERE l.locktype = 'advisory' AND l.granted AND l.pid = pg_backend_pid()
                   AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2)",
        )
        .bind(klasse)
        .bind(slot)
        .fetch_one(&mut self.verbinding);
        matches!(tokio::time::timeout(CONTROLE, vraag).await, Ok(Ok(true)))
    }

    /// Watches the lock every second until it is lost (then `verloren`
    /// turns true and the session is closed) or the task is aborted.
    pub fn bewaak(
        mut self,
    ) -> (
        tokio::task::JoinHandle<()>,
        tokio::sync::watch::Receiver<bool>,
    ) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let taak = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if !self.houdt().await {
                    let _ = tx.send(true);
                    let _ = tokio::time::timeout(CONTROLE, self.verbinding.close()).await;
                    return;
                }
            }
        });
        (taak, rx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn een_tweede_slot_op_hetzelfde_bestand_ziet_de_houder() {
        let map = std::env::temp_dir().join(format!("clearinghuis-slot-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&map);
        std::fs::create_dir_all(&map).expect("folder");
        let pad = Bestandsslot::pad_voor(&map.join("clearinghuis.db"));
        assert!(pad.ends_with("clearinghuis.db.lock"));
        let eerste = Bestandsslot::probeer(&pad)
            .expect("no error")
            .expect("free");
        // flock locks belong to the open file description: a second open in
        // the same process is refused like another process would be.
        let houder = Bestandsslot::probeer(&pad)
            .expect("no error")
            .expect_err("held");
        assert_eq!(houder.pid, Some(std::process::id()));
        drop(eerste);
        assert!(Bestandsslot::probeer(&pad).expect("no error").is_ok());
        let _ = std::fs::remove_dir_all(&map);
    }

    #[test]
    fn pid_uit_een_beschrijving() {
        assert_eq!(pid_in("pid 4242 on hub-1 since 2026-01-01"), Some(4242));
        assert_eq!(pid_in("onbekend"), None);
    }
}
