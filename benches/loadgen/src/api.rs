//! The HTTP side of the benchmarks: bearer tokens made by the product's own
//! `clearinghuis token nieuw`, timed requests, and readers that read the
//! overview as fast as they can (web.md "Targets").

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::LoadgenFout;
use crate::meting::Histogram;

/// A bearer token for participant `code` with every participant role, made
/// by `<hub> token nieuw` on the store of `config`.
pub fn token(hub: &Path, config: &Path, code: &str) -> Result<String, LoadgenFout> {
    let uit = Command::new(hub)
        .args(["token", "nieuw", "--config"])
        .arg(config)
        .args([
            code,
            "--rollen",
            "schadebehandeling,informatie,management,audit",
            "--omschrijving",
            "benchmark",
        ])
        .output()
        .map_err(|bron| LoadgenFout::Bestand {
            pad: hub.display().to_string(),
            bron,
        })?;
    if !uit.status.success() {
        return Err(LoadgenFout::Hub(format!(
            "token nieuw {code}: {}",
            String::from_utf8_lossy(&uit.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&uit.stdout).trim().to_owned())
}

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

/// Waits until `basis/readyz` answers 200.
pub fn wacht_tot_klaar(basis: &str, geduld: Duration) -> Result<(), LoadgenFout> {
    let agent = agent();
    let eind = Instant::now() + geduld;
    loop {
        if let Ok(r) = agent.get(&format!("{basis}/readyz")).call()
            && r.status() == 200
        {
            return Ok(());
        }
        if Instant::now() > eind {
            return Err(LoadgenFout::Hub(format!(
                "{basis}/readyz not 200 within {} s",
                geduld.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One GET with the token: the body, or an error naming the status.
pub fn haal(agent: &ureq::Agent, url: &str, token: &str) -> Result<String, LoadgenFout> {
    match agent
        .get(url)
        .set("Authorization", &format!("Bearer {token}"))
        .call()
    {
        Ok(r) => r
            .into_string()
            .map_err(|e| LoadgenFout::Hub(format!("{url}: {e}"))),
        Err(ureq::Error::Status(s, r)) => Err(LoadgenFout::Hub(format!(
            "{url}: {s} {}",
            r.into_string().unwrap_or_default()
        ))),
        Err(e) => Err(LoadgenFout::Hub(format!("{url}: {e}"))),
    }
}

/// Times `haal` of every url in turn (sequentially, one connection); a
/// failed request stops the measurement.
pub fn meet(
    agent: &ureq::Agent,
    urls: &[String],
    token: &dyn Fn(usize) -> String,
) -> Result<Histogram, LoadgenFout> {
    let mut h = Histogram::default();
    for (i, url) in urls.iter().enumerate() {
        let t = token(i);
        let begin = Instant::now();
        haal(agent, url, &t)?;
        h.neem_op(begin.elapsed().as_micros() as u64);
    }
    Ok(h)
}

/// Threads that read `urls` round-robin as fast as they can until stopped.
pub struct Lezers {
    stop: Arc<AtomicBool>,
    pub gelezen: Arc<AtomicU64>,
    pub fouten: Arc<AtomicU64>,
    draden: Vec<JoinHandle<()>>,
}

impl Lezers {
    /// `n` readers; reader `i` uses `tokens[i % len]` and reads
    /// `urls[(i + k) % len]` on its k-th request.
    pub fn start(n: usize, urls: Vec<String>, tokens: Vec<String>) -> Lezers {
        let stop = Arc::new(AtomicBool::new(false));
        let gelezen = Arc::new(AtomicU64::new(0));
        let fouten = Arc::new(AtomicU64::new(0));
        let urls = Arc::new(urls);
        let draden = (0..n)
            .map(|i| {
                let (stop, gelezen, fouten, urls) = (
                    Arc::clone(&stop),
                    Arc::clone(&gelezen),
                    Arc::clone(&fouten),
                    Arc::clone(&urls),
                );
                let token = tokens[i % tokens.len()].clone();
                std::thread::spawn(move || {
                    let agent = agent();
                    let mut k = i;
                    while !stop.load(Ordering::Relaxed) {
                        match haal(&agent, &urls[k % urls.len()], &token) {
                            Ok(_) => gelezen.fetch_add(1, Ordering::Relaxed),
                            Err(_) => fouten.fetch_add(1, Ordering::Relaxed),
                        };
                        k += 1;
                    }
                })
            })
            .collect();
        Lezers {
            stop,
            gelezen,
            fouten,
            draden,
        }
    }

    /// Stops the readers; gives (requests answered, failed).
    pub fn stop(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        for d in self.draden {
            let _ = d.join();
        }
        (
            self.gelezen.load(Ordering::Relaxed),
            self.fouten.load(Ordering::Relaxed),
        )
    }
}
