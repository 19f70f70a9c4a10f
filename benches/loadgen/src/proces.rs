//! The hub under test as a child process: a fresh PostgreSQL database, its
//! configuration and participants in a temporary folder, `<hub> serve
//! --config …` with its output in a log file, readiness by passive queue
//! declares, its memory from `/proc/<pid>/status`, and a SIGTERM at the end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lapin::options::{QueueDeclareOptions, QueuePurgeOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use sqlx::Connection as _;

use super::LoadgenFout;
use clearinghuis::bericht::Deelnemercode;
use clearinghuis::transport::amqp::topologie;

/// The database the hub phase creates afresh (and the only one it drops).
pub const DATABASE: &str = "ch_loadgen";

/// `url` with its database replaced by [`DATABASE`] (query kept).
pub fn store_url(url: &str) -> Result<String, LoadgenFout> {
    let (basis, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let na_schema = basis
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| LoadgenFout::Hub(format!("{url} is not a postgres:// URL")))?;
    let host_eind = basis[na_schema..]
        .find('/')
        .map_or(basis.len(), |i| na_schema + i);
    let mut uit = format!("{}/{DATABASE}", &basis[..host_eind]);
    if let Some(q) = query {
        uit.push('?');
        uit.push_str(q);
    }
    Ok(uit)
}

/// Drops and creates [`DATABASE`] through the server `pg_url` points at;
/// returns the hub's store URL.
pub async fn verse_database(pg_url: &str) -> Result<String, LoadgenFout> {
    verse_database_als(pg_url, DATABASE).await
}

/// [`DATABASE`] afresh as a copy of database `bron` (which nobody may be
/// connected to).
pub async fn kopie_database(pg_url: &str, bron: &str) -> Result<String, LoadgenFout> {
    if !bron.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(LoadgenFout::Hub(format!(
            "{bron:?} is not a plain database name"
        )));
    }
    let mut verbinding = sqlx::PgConnection::connect(pg_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {DATABASE}"))
        .execute(&mut verbinding)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {DATABASE} TEMPLATE {bron}"))
        .execute(&mut verbinding)
        .await?;
    verbinding.close().await?;
    store_url(pg_url)
}

/// [`verse_database`] with another name (the API benchmark keeps its own).
pub async fn verse_database_als(pg_url: &str, naam: &str) -> Result<String, LoadgenFout> {
    let mut verbinding = sqlx::PgConnection::connect(pg_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {naam}"))
        .execute(&mut verbinding)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {naam}"))
        .execute(&mut verbinding)
        .await?;
    verbinding.close().await?;
    Ok(store_url(pg_url)?.replace(&format!("/{DATABASE}"), &format!("/{naam}")))
}

/// Whether the server vacuums by itself: without it the store slows down as
/// it grows, which a long run shows as a falling rate.
pub async fn autovacuum(pg_url: &str) -> Result<bool, LoadgenFout> {
    let mut verbinding = sqlx::PgConnection::connect(pg_url).await?;
    let stand: String = sqlx::query_scalar("SHOW autovacuum")
        .fetch_one(&mut verbinding)
        .await?;
    verbinding.close().await?;
    Ok(stand == "on")
}

/// Writes `participants.toml` and `clearinghuis.toml` into `map` for a hub
/// on RabbitMQ; returns the config path.
pub fn schrijf_config(
    map: &Path,
    deelnemers_toml: &str,
    store_url: &str,
    amqp_url: &str,
) -> Result<PathBuf, LoadgenFout> {
    schrijf_config_met(
        map,
        deelnemers_toml,
        store_url,
        &format!("kind = \"amqp\"\nurl = {}", toml_tekst(amqp_url)),
    )
}

/// [`schrijf_config`] with the `[mailbox]` section's lines given.
pub fn schrijf_config_met(
    map: &Path,
    deelnemers_toml: &str,
    store_url: &str,
    postbus: &str,
) -> Result<PathBuf, LoadgenFout> {
    let schrijf = |pad: PathBuf, tekst: &str| {
        std::fs::write(&pad, tekst).map_err(|bron| LoadgenFout::Bestand {
            pad: pad.display().to_string(),
            bron,
        })
    };
    let deelnemers = map.join("participants.toml");
    schrijf(deelnemers.clone(), deelnemers_toml)?;
    let config = map.join("clearinghuis.toml");
    schrijf(
        config.clone(),
        &format!(
            "[store]\nurl = {}\n\n[mailbox]\n{postbus}\n\n[deelnemers]\nfile = {}\n",
            toml_tekst(store_url),
            toml_tekst(&deelnemers.display().to_string()),
        ),
    )?;
    Ok(config)
}

/// A TOML string literal of `s`.
pub fn toml_tekst(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Purges the participants' queues that exist already (from an earlier run),
/// so the hub starts on empty mailboxes. A missing queue closes the channel
/// it was asked on, so each question gets its own.
pub async fn leeg_bestaande(
    verbinding: &Connection,
    codes: &[Deelnemercode],
) -> Result<u64, LoadgenFout> {
    let mut weg = 0u64;
    for code in codes {
        for q in [topologie::in_queue(code), topologie::out_queue(code)] {
            let kanaal = verbinding.create_channel().await?;
            if passief(&kanaal, &q).await.is_ok() {
                weg += u64::from(
                    kanaal
                        .queue_purge(q.as_str().into(), QueuePurgeOptions::default())
                        .await?,
                );
                let _ = kanaal.close(200, "purged".into()).await;
            }
        }
    }
    Ok(weg)
}

async fn passief(kanaal: &Channel, q: &str) -> Result<lapin::Queue, lapin::Error> {
    kanaal
        .queue_declare(
            q.into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
}

/// The hub process.
pub struct HubProces {
    kind: Option<Child>,
    pub pid: u32,
    pub log: PathBuf,
}

impl HubProces {
    /// `<hub> serve --config <config>`, working directory `map`, output to
    /// `map/hub.log`; the web part on `api` (`""`: off).
    pub fn start(
        hub: &Path,
        config: &Path,
        map: &Path,
        api: &str,
    ) -> Result<HubProces, LoadgenFout> {
        let log = map.join("hub.log");
        let bestand = |pad: &Path| {
            std::fs::File::create(pad).map_err(|bron| LoadgenFout::Bestand {
                pad: pad.display().to_string(),
                bron,
            })
        };
        let uit = bestand(&log)?;
        let fout = uit.try_clone().map_err(|bron| LoadgenFout::Bestand {
            pad: log.display().to_string(),
            bron,
        })?;
        let kind = Command::new(hub)
            .arg("serve")
            .arg("--config")
            .arg(config)
            // The web part only when the run asks for it (API readers).
            .env("CLEARINGHUIS_API_LISTEN", api)
            .current_dir(map)
            .stdin(Stdio::null())
            .stdout(Stdio::from(uit))
            .stderr(Stdio::from(fout))
            .spawn()
            .map_err(|bron| LoadgenFout::Bestand {
                pad: hub.display().to_string(),
                bron,
            })?;
        Ok(HubProces {
            pid: kind.id(),
            kind: Some(kind),
            log,
        })
    }

    /// An error when the hub has exited, with the end of its log.
    pub fn leeft(&mut self) -> Result<(), LoadgenFout> {
        let Some(kind) = self.kind.as_mut() else {
            return Err(LoadgenFout::Hub("not running".into()));
        };
        match kind.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => {
                self.kind = None;
                Err(LoadgenFout::Hub(format!(
                    "exited with {status}; the end of {}:\n{}",
                    self.log.display(),
                    staart(&self.log, 15)
                )))
            }
            Err(e) => Err(LoadgenFout::Hub(format!("cannot query the process: {e}"))),
        }
    }

    /// SIGTERM, then up to `geduld` for a clean stop; SIGKILL after that.
    pub fn stop(&mut self, geduld: Duration) -> Result<ExitStatus, LoadgenFout> {
        let Some(mut kind) = self.kind.take() else {
            return Err(LoadgenFout::Hub("not running".into()));
        };
        let pid = libc::pid_t::try_from(kind.id())
            .map_err(|_| LoadgenFout::Hub("pid out of range".into()))?;
        // SAFETY: kill(2) on our own child's pid, which we have not reaped yet.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let begin = Instant::now();
        loop {
            match kind.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if begin.elapsed() < geduld => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => {
                    let _ = kind.kill();
                    return kind.wait().map_err(|e| LoadgenFout::Hub(e.to_string()));
                }
            }
        }
    }

    /// Waits until every participant's queues exist and each `in` queue has
    /// a consumer (the hub's), polling with passive declares.
    pub async fn wacht_op_queues(
        &mut self,
        verbinding: &Connection,
        codes: &[Deelnemercode],
        max: Duration,
    ) -> Result<(), LoadgenFout> {
        let begin = Instant::now();
        let mut ontbreekt = String::new();
        while begin.elapsed() < max {
            self.leeft()?;
            match klaar(verbinding, codes).await? {
                None => return Ok(()),
                Some(q) => ontbreekt = q,
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(LoadgenFout::Hub(format!(
            "not ready after {} s: {ontbreekt}; see {}",
            max.as_secs(),
            self.log.display()
        )))
    }
}

/// `None` when ready, else what is missing.
async fn klaar(
    verbinding: &Connection,
    codes: &[Deelnemercode],
) -> Result<Option<String>, LoadgenFout> {
    let kanaal = verbinding.create_channel().await?;
    for code in codes {
        for (q, consument_nodig) in [
            (topologie::in_queue(code), true),
            (topologie::out_queue(code), false),
        ] {
            match passief(&kanaal, &q).await {
                Ok(stand) if consument_nodig && stand.consumer_count() == 0 => {
                    let _ = kanaal.close(200, "not yet".into()).await;
                    return Ok(Some(format!("{q} has no consumer yet")));
                }
                Ok(_) => {}
                Err(_) => {
                    // The broker closed this channel; the next poll opens another.
                    return Ok(Some(format!("{q} is not declared yet")));
                }
            }
        }
    }
    let _ = kanaal.close(200, "ready".into()).await;
    Ok(None)
}

impl Drop for HubProces {
    fn drop(&mut self) {
        // Never leave a hub running behind an aborted run.
        if let Some(mut kind) = self.kind.take() {
            let _ = kind.kill();
            let _ = kind.wait();
        }
    }
}

/// The last `n` lines of a file (for an error message).
pub fn staart(pad: &Path, n: usize) -> String {
    let tekst = std::fs::read_to_string(pad).unwrap_or_default();
    let regels: Vec<&str> = tekst.lines().collect();
    regels[regels.len().saturating_sub(n)..].join("\n")
}

/// VmRSS and VmHWM of a process, in KiB.
pub fn geheugen(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let veld = |naam: &str| {
        status
            .lines()
            .find_map(|r| r.strip_prefix(naam))
            .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((veld("VmRSS:")?, veld("VmHWM:")?))
}

/// CPU time (user + system) a process has used so far, in seconds; `None`
/// for this process itself.
pub fn cpu_seconden(pid: Option<u32>) -> Option<f64> {
    let pad = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(pad).ok()?;
    Some(Stat::lees(&stat)?.eigen as f64 / klok_tikken()?)
}

/// CPU seconds of the services the benchmark shares the machine with, read
/// from `/proc` (only when they run on this machine): RabbitMQ's `beam.smp`,
/// every `postgres` process (with its exited backends, which the kernel adds
/// to their parent), and all cores together from `/proc/stat`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Verbruik {
    pub broker_s: Option<f64>,
    pub database_s: Option<f64>,
    /// This process: the loadgen itself.
    pub loadgen_s: Option<f64>,
    /// Busy time of all cores (everything but idle and I/O wait).
    pub machine_s: Option<f64>,
}

impl Verbruik {
    pub fn nu() -> Verbruik {
        let tik = klok_tikken();
        let mut broker = None::<u64>;
        let mut database = None::<u64>;
        if let Ok(mappen) = std::fs::read_dir("/proc") {
            for m in mappen.flatten() {
                let naam = m.file_name();
                let Some(pid) = naam
                    .to_str()
                    .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                else {
                    continue;
                };
                let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                    continue;
                };
                let Some(st) = Stat::lees(&stat) else {
                    continue;
                };
                // The children's part holds exited PostgreSQL backends.
                match st.comm {
                    "beam.smp" => *broker.get_or_insert(0) += st.eigen + st.kinderen,
                    "postgres" => *database.get_or_insert(0) += st.eigen + st.kinderen,
                    _ => {}
                }
            }
        }
        let machine = std::fs::read_to_string("/proc/stat").ok().and_then(|s| {
            let velden: Vec<u64> = s
                .lines()
                .next()?
                .strip_prefix("cpu ")?
                .split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect();
            // user nice system idle iowait irq softirq steal …
            let totaal: u64 = velden.iter().take(8).sum();
            Some(totaal - velden.get(3)? - velden.get(4)?)
        });
        let s = |t: Option<u64>| Some(t? as f64 / tik?);
        Verbruik {
            broker_s: s(broker),
            database_s: s(database),
            loadgen_s: cpu_seconden(None),
            machine_s: s(machine),
        }
    }

    /// What was used between `begin` and `self`.
    pub fn sinds(&self, begin: &Verbruik) -> Verbruik {
        let d = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
        Verbruik {
            broker_s: d(self.broker_s, begin.broker_s),
            database_s: d(self.database_s, begin.database_s),
            loadgen_s: d(self.loadgen_s, begin.loadgen_s),
            machine_s: d(self.machine_s, begin.machine_s),
        }
    }
}

/// Clock ticks per second (`_SC_CLK_TCK`).
fn klok_tikken() -> Option<f64> {
    // SAFETY: sysconf only reads a system constant.
    let per_seconde = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_seconde > 0).then_some(per_seconde as f64)
}

/// The CPU fields of a `/proc/<pid>/stat` line, in clock ticks.
struct Stat<'a> {
    comm: &'a str,
    /// utime + stime.
    eigen: u64,
    /// cutime + cstime: the children it has waited for.
    kinderen: u64,
}

impl Stat<'_> {
    fn lees(stat: &str) -> Option<Stat<'_>> {
        // The command name (which may hold spaces) is in parentheses; utime,
        // stime, cutime and cstime are the 12th to 15th fields after it.
        let comm = &stat[stat.find('(')? + 1..stat.rfind(')')?];
        let rest = &stat[stat.rfind(')')? + 1..];
        let velden: Vec<&str> = rest.split_whitespace().collect();
        let veld = |i: usize| velden.get(i)?.parse::<u64>().ok();
        Some(Stat {
            comm,
            eigen: veld(11)? + veld(12)?,
            kinderen: veld(13)? + veld(14)?,
        })
    }
}

/// The hub's memory, sampled every 100 ms by a background task.
#[derive(Debug, Default)]
pub struct Geheugen {
    pub rss_kib: AtomicU64,
    pub piek_rss_kib: AtomicU64,
    pub hwm_kib: AtomicU64,
}

impl Geheugen {
    /// Starts sampling `pid`; the task ends when the process is gone.
    pub fn volg(pid: u32) -> Arc<Geheugen> {
        let g = Arc::new(Geheugen::default());
        let taak = Arc::clone(&g);
        tokio::spawn(async move {
            let mut tik = tokio::time::interval(Duration::from_millis(100));
            loop {
                tik.tick().await;
                let Some((rss, hwm)) = geheugen(pid) else {
                    return;
                };
                taak.neem_op(rss, hwm);
            }
        });
        g
    }

    pub fn neem_op(&self, rss: u64, hwm: u64) {
        self.rss_kib.store(rss, Ordering::Relaxed);
        self.piek_rss_kib.fetch_max(rss, Ordering::Relaxed);
        self.hwm_kib.fetch_max(hwm, Ordering::Relaxed);
    }
}

/// The product's binary beside this one: cargo puts every binary of the
/// workspace in the same `target/<profile>/`. A path dependency builds only
/// the product's library, so `cargo run -p clearinghuis-loadgen` alone does
/// not build (or rebuild) the hub: `cargo build --release` at the root does.
pub fn naast_mij() -> Result<PathBuf, LoadgenFout> {
    let mij = std::env::current_exe().map_err(|bron| LoadgenFout::Bestand {
        pad: "the current executable".into(),
        bron,
    })?;
    let hub = mij.with_file_name(format!("clearinghuis{}", std::env::consts::EXE_SUFFIX));
    if hub.is_file() {
        Ok(hub)
    } else {
        Err(LoadgenFout::Hub(format!(
            "{} not found: build the hub first (`cargo build --release` at the workspace root), \
             or name the binary with --hub",
            hub.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_url_vervangt_de_database() {
        assert_eq!(
            store_url("postgres://postgres@127.0.0.1:5432/test").expect("url"),
            "postgres://postgres@127.0.0.1:5432/ch_loadgen"
        );
        assert_eq!(
            store_url("postgres://u:p@h/test?sslmode=disable").expect("url"),
            "postgres://u:p@h/ch_loadgen?sslmode=disable"
        );
        assert_eq!(
            store_url("postgres://h:5432").expect("url"),
            "postgres://h:5432/ch_loadgen"
        );
        assert!(store_url("nonsense").is_err());
    }

    #[test]
    fn eigen_cpu_is_leesbaar() {
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1);
        let s = cpu_seconden(None).expect("/proc/self/stat");
        assert!(s >= 0.0, "{s}");
        assert_eq!(
            cpu_seconden(Some(std::process::id())).map(|t| t >= 0.0),
            Some(true)
        );
    }

    #[test]
    fn stat_regel_met_spaties_in_de_naam() {
        let regel = "4242 (beam smp) S 1 2 3 4 5 6 7 8 9 10 100 20 3 4 20 0 1 0";
        let st = Stat::lees(regel).expect("readable");
        assert_eq!((st.comm, st.eigen, st.kinderen), ("beam smp", 120, 7));
        assert!(Stat::lees("kapot").is_none());
    }

    #[test]
    fn machine_verbruik_loopt_op() {
        let begin = Verbruik::nu();
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1);
        let d = Verbruik::nu().sinds(&begin);
        assert!(d.machine_s.is_some_and(|s| s > 0.0), "{d:?}");
    }

    #[test]
    fn eigen_geheugen_is_leesbaar() {
        let (rss, hwm) = geheugen(std::process::id()).expect("/proc");
        assert!(rss > 0 && hwm >= rss, "{rss} {hwm}");
    }

    #[test]
    fn config_is_geldige_toml() {
        let map = std::env::temp_dir().join(format!("loadgen-config-{}", std::process::id()));
        std::fs::create_dir_all(&map).expect("dir");
        let pad = schrijf_config(
            &map,
            "",
            "postgres://postgres@127.0.0.1:5432/ch_loadgen",
            "amqp://guest:guest@127.0.0.1:5672/%2f",
        )
        .expect("written");
        let config = clearinghuis::config::Configuratie::laad(Some(&pad), std::iter::empty())
            .expect("the hub reads it");
        assert_eq!(config.mailbox.kind.as_deref(), Some("amqp"));
        assert_eq!(
            config.store.url.as_deref(),
            Some("postgres://postgres@127.0.0.1:5432/ch_loadgen")
        );
        let _ = std::fs::remove_dir_all(&map);
    }
}
