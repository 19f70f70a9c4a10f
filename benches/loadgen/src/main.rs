//! `clearinghuis-loadgen`: the load generator and benchmark of issue 8, a
//! binary of its own beside the product (crate `clearinghuis-loadgen` in
//! benches/loadgen). The raw broker phase first (the hub must not run then),
//! then the hub phase against a fresh PostgreSQL database and a hub started
//! as a child: the product's `clearinghuis serve`, by default the
//! `clearinghuis` binary next to this one (`target/<profile>/`), else `--hub`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use clearinghuis::transport::amqp::Verbinding;
use clearinghuis_loadgen as loadgen;
use loadgen::deelnemers::{self, EERSTE_CODE};
use loadgen::gesprek::Model;
use loadgen::meting::{Meting, Rss, duizendtallen, ms};
use loadgen::proces::{self, Geheugen, HubProces};
use loadgen::{LoadgenFout, Opzet, raw};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Fase {
    Raw,
    Hub,
    Both,
}

/// Load generator and benchmark: N synthetic participants run whole
/// conversations over AMQP against a hub (and the bare broker for
/// comparison); prints messages per second, latency and the hub's memory.
#[derive(Debug, Parser)]
#[command(name = "clearinghuis-loadgen", version)]
struct Args {
    /// Synthetic participants (codes from --first-code on); each is V on some claims, A on others.
    #[arg(long, default_value_t = 10)]
    participants_count: usize,
    /// Claims, each a whole conversation of 6 inbound messages.
    #[arg(long, default_value_t = 1000)]
    claims: u64,
    /// Inbound messages in flight (published, not yet answered) at most.
    #[arg(long, default_value_t = 100)]
    window: usize,
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f")]
    amqp: String,
    /// A PostgreSQL database to connect to; the hub gets a fresh `ch_loadgen` on that server.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg: String,
    /// The hub binary, run as `HUB serve --config …` (default: `clearinghuis`
    /// next to this binary, i.e. the workspace's `target/<profile>/clearinghuis`;
    /// build it first with `cargo build --release`).
    #[arg(long)]
    hub: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "both")]
    only: Fase,
    /// Also write the figures as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Print the hub's RSS every K archived claims.
    #[arg(long, default_value_t = 10_000)]
    rss_every: u64,
    /// Seed for amounts and dates: the same seed gives the same messages.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The first participant code's number (CR-7… is far from real codes).
    #[arg(long, default_value_t = EERSTE_CODE)]
    first_code: u32,
    /// Give up when no answer arrives for this many seconds.
    #[arg(long, default_value_t = 60)]
    stall_seconds: u64,
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn cpu(m: &Meting) -> String {
    let s = |x: Option<f64>| x.map_or("?".into(), |s| format!("{s:.1} s"));
    match m.hub_cpu_s {
        Some(_) => format!("CPU loadgen {}, hub {}", s(m.loadgen_cpu_s), s(m.hub_cpu_s)),
        None => format!("CPU loadgen {}", s(m.loadgen_cpu_s)),
    }
}

/// Where the cores went in a phase, per message of that phase.
fn regel_verbruik(m: &Meting) -> String {
    let us = |s: Option<f64>| {
        m.per_bericht_us(s).map_or("-".into(), |u| {
            format!("{} µs", duizendtallen(u.round() as u64))
        })
    };
    let bezet = match (m.machine_cpu_s, m.seconden > 0.0) {
        (Some(s), true) => format!("{:.2}", s / m.seconden),
        _ => "?".into(),
    };
    format!(
        "  CPU per message: broker {}, database {}, hub {}, loadgen {}; all {}; cores busy {bezet} of {}",
        us(m.broker_cpu_s),
        us(m.database_cpu_s),
        us(m.hub_cpu_s),
        us(m.loadgen_cpu_s),
        us(m.machine_cpu_s),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    )
}

/// The hub phase's rate if the hub and the database cost no CPU at all: the
/// cores divided by what the broker and the participants alone used per
/// inbound message. An estimate (cost per message taken as constant), which
/// tells how much of the ratio the machine leaves to the hub.
fn plafond(m: &Meting) -> Option<f64> {
    let zonder_hub = m.per_bericht_us(Some(m.broker_cpu_s? + m.loadgen_cpu_s?))?;
    let kernen = std::thread::available_parallelism().ok()?.get() as f64;
    (zonder_hub > 0.0).then(|| kernen * 1e6 / zonder_hub)
}

fn regel_raw(m: &Meting) -> String {
    format!(
        "raw broker: {} msg/s  p50 {}  p99 {}  max {}  (window {}, {} B avg, {} messages in {:.1} s, {})",
        duizendtallen(m.berichten_per_seconde.round() as u64),
        ms(m.p50_ms),
        ms(m.p99_ms),
        ms(m.max_ms),
        m.window,
        duizendtallen(m.gemiddelde_bytes.round() as u64),
        duizendtallen(m.berichten),
        m.seconden,
        cpu(m)
    )
}

fn regel_hub(m: &Meting) -> String {
    format!(
        "hub:        {} msg/s  p50 {}  p99 {}  max {}  peak RSS {}  duplicates {}  Foutberichten {}  \
         ({} of {} claims archived, {} stopped, {} of {} answers, {} unexpected, {:.1} s, {})",
        duizendtallen(m.berichten_per_seconde.round() as u64),
        ms(m.p50_ms),
        ms(m.p99_ms),
        ms(m.max_ms),
        m.vm_hwm_kib.or(m.piek_rss_kib).map_or("?".into(), mib),
        m.duplicaten,
        m.foutberichten,
        duizendtallen(m.claims_klaar),
        duizendtallen(m.claims),
        duizendtallen(m.claims_afgebroken),
        duizendtallen(m.antwoorden),
        duizendtallen(m.antwoorden_verwacht),
        m.onverwacht,
        m.seconden,
        cpu(m)
    )
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("clearinghuis-loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(voer_uit(&args)) {
        Ok(goed) if goed => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("clearinghuis-loadgen: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the phases asked for; `Ok(false)` when the hub phase ran but not
/// cleanly (Foutberichten, surprises, claims not archived).
async fn voer_uit(args: &Args) -> Result<bool, LoadgenFout> {
    let codes = deelnemers::codes(args.participants_count, args.first_code)?;
    let model = Model::new(codes.clone(), args.seed)?;
    let opzet = Opzet {
        verbinding: Verbinding::new(&args.amqp, "clearinghuis-loadgen"),
        model,
        claims: args.claims,
        window: args.window.max(1),
        stil_na: Duration::from_secs(args.stall_seconds.max(1)),
    };
    println!(
        "loadgen: {} participants ({} … {}), {} claims, window {}, seed {}",
        codes.len(),
        codes[0],
        codes[codes.len() - 1],
        duizendtallen(args.claims),
        opzet.window,
        args.seed
    );
    // Before the raw phase: a missing hub binary should not cost a run first.
    let hub_bin = match (args.only, &args.hub) {
        (Fase::Raw, _) => None,
        (_, Some(p)) => Some(p.clone()),
        (_, None) => Some(naast_mij()?),
    };
    let mut figuren = serde_json::Map::new();
    let mut goed = true;
    let raw = if matches!(args.only, Fase::Raw | Fase::Both) {
        let m = raw::raw_fase(&opzet).await?;
        println!("{}", regel_raw(&m));
        println!("{}", regel_verbruik(&m));
        figuren.insert("raw".into(), serde_json::to_value(&m).unwrap_or_default());
        Some(m)
    } else {
        None
    };
    if let Some(hub_bin) = &hub_bin {
        let m = hub_fase(args, &opzet, hub_bin).await?;
        println!("{}", regel_hub(&m));
        println!("{}", regel_verbruik(&m));
        for v in &m.voorbeelden {
            println!("  {v}");
        }
        goed = m.foutberichten == 0 && m.onverwacht == 0 && m.claims_klaar == m.claims;
        if let Some(r) = &raw {
            let ratio =
                100.0 * m.berichten_per_seconde / r.berichten_per_seconde.max(f64::MIN_POSITIVE);
            println!("ratio hub/raw: {ratio:.1} %");
            figuren.insert("ratio_procent".into(), serde_json::json!(ratio));
            if let Some(p) = plafond(&m) {
                let procent = 100.0 * p / r.berichten_per_seconde.max(f64::MIN_POSITIVE);
                println!(
                    "ceiling on this machine: with a hub and database costing no CPU, the broker and \
                     the participants alone would allow {} msg/s, {procent:.1} % of raw",
                    duizendtallen(p.round() as u64)
                );
                figuren.insert("plafond_procent".into(), serde_json::json!(procent));
            }
        }
        figuren.insert("hub".into(), serde_json::to_value(&m).unwrap_or_default());
    }
    if let Some(pad) = &args.json {
        let tekst = serde_json::to_string_pretty(&figuren).unwrap_or_default();
        std::fs::write(pad, tekst + "\n").map_err(|bron| LoadgenFout::Bestand {
            pad: pad.display().to_string(),
            bron,
        })?;
    }
    Ok(goed)
}

async fn hub_fase(args: &Args, opzet: &Opzet, hub_bin: &Path) -> Result<Meting, LoadgenFout> {
    let codes = opzet.model.deelnemers();
    let map = std::env::temp_dir().join(format!("clearinghuis-loadgen-{}", std::process::id()));
    std::fs::create_dir_all(&map).map_err(|bron| LoadgenFout::Bestand {
        pad: map.display().to_string(),
        bron,
    })?;
    let store = proces::verse_database(&args.pg).await?;
    let autovacuum = proces::autovacuum(&args.pg).await?;
    if !autovacuum {
        println!(
            "database: autovacuum is off on this server; dead rows pile up and the hub slows down as the store grows (docs/PERFORMANCE.md)"
        );
    }
    let config = proces::schrijf_config(&map, &deelnemers::toml(codes), &store, &args.amqp)?;
    let verbinding = opzet.verbinding.open().await?;
    proces::leeg_bestaande(&verbinding, codes).await?;
    let mut hub = HubProces::start(hub_bin, &config, &map, "")?;
    println!(
        "hub: {} serve --config {} (pid {}, log {})",
        hub_bin.display(),
        config.display(),
        hub.pid,
        hub.log.display()
    );
    hub.wacht_op_queues(&verbinding, codes, Duration::from_secs(60))
        .await?;
    let _ = verbinding.close(200, "hub ready".into()).await;
    let hub_cpu_begin = proces::cpu_seconden(Some(hub.pid));
    let geheugen = Geheugen::volg(hub.pid);
    let rss: Arc<Mutex<Vec<Rss>>> = Arc::default();
    let voortgang: loadgen::Voortgang = {
        let rss = Arc::clone(&rss);
        let pid = hub.pid;
        Arc::new(move |claims| {
            if let Some((kib, _)) = proces::geheugen(pid) {
                println!(
                    "  {} claims archived: hub RSS {}",
                    duizendtallen(claims),
                    mib(kib)
                );
                if let Ok(mut v) = rss.lock() {
                    v.push(Rss {
                        claims,
                        rss_kib: kib,
                    });
                }
            }
        })
    };
    let uitkomst = tokio::select! {
        m = loadgen::hub_fase(opzet, args.rss_every, voortgang) => m,
        e = bewaak(&mut hub) => Err(e),
    };
    if let Some((rss, hwm)) = proces::geheugen(hub.pid) {
        geheugen.neem_op(rss, hwm);
    }
    let hub_cpu_eind = proces::cpu_seconden(Some(hub.pid));
    let gestopt = hub.stop(Duration::from_secs(30));
    let mut m = uitkomst?;
    let status = gestopt?;
    if !status.success() {
        m.voorbeelden
            .push(format!("the hub exited with {status} after SIGTERM"));
    }
    m.piek_rss_kib = Some(
        geheugen
            .piek_rss_kib
            .load(std::sync::atomic::Ordering::Relaxed),
    );
    m.vm_hwm_kib = Some(geheugen.hwm_kib.load(std::sync::atomic::Ordering::Relaxed));
    m.rss = rss.lock().map(|v| v.clone()).unwrap_or_default();
    m.hub_cpu_s = hub_cpu_eind.zip(hub_cpu_begin).map(|(e, b)| e - b);
    m.autovacuum = Some(autovacuum);
    // The hub logs a line per message (hundreds of MB for 100,000 claims):
    // kept only when something went wrong.
    if m.foutberichten == 0 && m.onverwacht == 0 && m.claims_klaar == m.claims {
        let _ = std::fs::remove_dir_all(&map);
    } else {
        println!("hub log kept: {}", hub.log.display());
    }
    Ok(m)
}

/// The product's binary beside this one: cargo puts every binary of the
/// workspace in the same `target/<profile>/`. A path dependency builds only
/// the product's library, so `cargo run -p clearinghuis-loadgen` alone does
/// not build (or rebuild) the hub: `cargo build --release` at the root does.
fn naast_mij() -> Result<PathBuf, LoadgenFout> {
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

/// Ends with an error as soon as the hub process exits during the load.
async fn bewaak(hub: &mut HubProces) -> LoadgenFout {
    loop {
        if let Err(e) = hub.leeft() {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The options of the old `clearinghuis loadgen`, unchanged.
    #[test]
    fn opties() {
        Args::command().debug_assert();
        let a = Args::try_parse_from([
            "clearinghuis-loadgen",
            "--participants-count",
            "4",
            "--claims",
            "2000",
            "--window",
            "100",
            "--hub",
            "/elders/clearinghuis",
            "--only",
            "hub",
        ])
        .expect("parses");
        assert_eq!((a.participants_count, a.claims, a.window), (4, 2000, 100));
        assert_eq!(a.hub.as_deref(), Some(Path::new("/elders/clearinghuis")));
        assert_eq!(a.only, Fase::Hub);
        let standaard = Args::try_parse_from(["clearinghuis-loadgen"]).expect("parses");
        assert_eq!(standaard.hub, None);
        assert_eq!(standaard.only, Fase::Both);
        assert_eq!(standaard.first_code, EERSTE_CODE);
    }
}
