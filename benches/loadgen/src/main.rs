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
    /// Before the hub phase, fill its store with this many claims through
    /// the in-memory hub (web.md "Targets": a store with 100,000 claims).
    #[arg(long, default_value_t = 0)]
    prefill: u64,
    /// Instead of --prefill: start the hub's store as a copy of this
    /// PostgreSQL database (one `clearinghuis-apibench` filled, `ch_api`),
    /// made by the same participants.
    #[arg(long)]
    prefill_from: Option<String>,
    /// Run the hub phase twice on the same hub: without, then with this
    /// many API clients reading the overview as fast as they can.
    #[arg(long, default_value_t = 0)]
    api_readers: usize,
    /// Where the hub's API listens when --api-readers is set.
    #[arg(long, default_value = "127.0.0.1:8182")]
    api_listen: String,
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
        // After a prefill (claims 0, 1, …) the run's own claims are numbered
        // from VUL_EERSTE, so no plate or schadenummer collides.
        eerste: if args.prefill > 0 || args.prefill_from.is_some() {
            VUL_EERSTE
        } else {
            0
        },
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
        (_, None) => Some(proces::naast_mij()?),
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
        let (m, met_lezers) = hub_fase(args, &opzet, hub_bin).await?;
        if met_lezers.is_some() {
            println!("without API readers:");
        }
        println!("{}", regel_hub(&m));
        println!("{}", regel_verbruik(&m));
        for v in &m.voorbeelden {
            println!("  {v}");
        }
        goed = m.foutberichten == 0 && m.onverwacht == 0 && m.claims_klaar == m.claims;
        if let Some((b, gelezen, fouten)) = &met_lezers {
            println!(
                "with {} API readers ({} overview pages read, {:.0} a second, {} failed):",
                args.api_readers,
                duizendtallen(*gelezen),
                *gelezen as f64 / b.seconden.max(1e-9),
                fouten
            );
            println!("{}", regel_hub(b));
            println!("{}", regel_verbruik(b));
            for v in &b.voorbeelden {
                println!("  {v}");
            }
            let daling = 100.0
                * (1.0 - b.berichten_per_seconde / m.berichten_per_seconde.max(f64::MIN_POSITIVE));
            println!(
                "rate drop with {} API readers: {daling:.1} % (target ≤ 10 %)",
                args.api_readers
            );
            goed &= b.foutberichten == 0
                && b.onverwacht == 0
                && b.claims_klaar == b.claims
                && *fouten == 0;
            figuren.insert(
                "hub_met_lezers".into(),
                serde_json::to_value(b).unwrap_or_default(),
            );
            figuren.insert("daling_procent".into(), serde_json::json!(daling));
            figuren.insert("gelezen".into(), serde_json::json!(gelezen));
        }
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

/// What the hub phase measured: without readers, and with them (pages read, failed).
type HubFiguren = (Meting, Option<(Meting, u64, u64)>);

/// Fills the fresh store with `args.prefill` claims (model numbers 0, 1, …;
/// the run's own then start at [`VUL_EERSTE`]).
async fn vul_voor(args: &Args, model: &Model, store: &str) -> Result<(), LoadgenFout> {
    let store = clearinghuis::store::postgres::PgStore::open(store)
        .await
        .map_err(|e| LoadgenFout::Hub(format!("store: {e}")))?;
    let mut voortgang = |_| {};
    let v = loadgen::vul::vul(
        &store,
        model,
        0..args.prefill,
        loadgen::nu(),
        &mut voortgang,
    )
    .await;
    store.sluit().await;
    let v = v?;
    println!(
        "prefill: {} claims ({} inbound messages, {} Foutberichten) in {:.1} s",
        duizendtallen(v.claims),
        duizendtallen(v.berichten_in),
        v.foutberichten,
        v.seconden
    );
    Ok(())
}

const VUL_EERSTE: u64 = 1_000_000;

async fn hub_fase(args: &Args, opzet: &Opzet, hub_bin: &Path) -> Result<HubFiguren, LoadgenFout> {
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
    if args.prefill > VUL_EERSTE {
        return Err(LoadgenFout::Hub(format!("--prefill: at most {VUL_EERSTE}")));
    }
    if let Some(bron) = &args.prefill_from {
        proces::kopie_database(&args.pg, bron).await?;
        println!("prefill: the store is a copy of database {bron}");
    } else if args.prefill > 0 {
        vul_voor(args, &opzet.model, &store).await?;
    }
    let tokens: Vec<String> = if args.api_readers > 0 {
        codes
            .iter()
            .map(|c| loadgen::api::token(hub_bin, &config, c.as_str()))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let api = if args.api_readers > 0 {
        args.api_listen.as_str()
    } else {
        ""
    };
    let verbinding = opzet.verbinding.open().await?;
    proces::leeg_bestaande(&verbinding, codes).await?;
    let mut hub = HubProces::start(hub_bin, &config, &map, api)?;
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
        m = twee_fasen(args, opzet, voortgang, tokens) => m,
        e = bewaak(&mut hub) => Err(e),
    };
    if let Some((rss, hwm)) = proces::geheugen(hub.pid) {
        geheugen.neem_op(rss, hwm);
    }
    let hub_cpu_eind = proces::cpu_seconden(Some(hub.pid));
    let gestopt = hub.stop(Duration::from_secs(30));
    let (mut m, met_lezers) = uitkomst?;
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
    // The hub's CPU covers the whole process: one figure only for one phase.
    m.hub_cpu_s = hub_cpu_eind
        .zip(hub_cpu_begin)
        .map(|(e, b)| e - b)
        .filter(|_| met_lezers.is_none());
    m.autovacuum = Some(autovacuum);
    // The hub logs a line per message (hundreds of MB for 100,000 claims):
    // kept only when something went wrong.
    let schoon =
        |m: &Meting| m.foutberichten == 0 && m.onverwacht == 0 && m.claims_klaar == m.claims;
    if schoon(&m) && met_lezers.as_ref().is_none_or(|(b, _, _)| schoon(b)) {
        let _ = std::fs::remove_dir_all(&map);
    } else {
        println!("hub log kept: {}", hub.log.display());
    }
    Ok((m, met_lezers))
}

/// The conversations; with API readers twice on the same hub: first
/// without readers, then the next `claims` claims while they read. (The
/// second runs on a store larger by the first's claims, which if anything
/// counts against the readers.)
async fn twee_fasen(
    args: &Args,
    opzet: &Opzet,
    voortgang: loadgen::Voortgang,
    tokens: Vec<String>,
) -> Result<HubFiguren, LoadgenFout> {
    let zonder = loadgen::hub_fase(opzet, args.rss_every, Arc::clone(&voortgang)).await?;
    if args.api_readers == 0 {
        return Ok((zonder, None));
    }
    let basis = format!("http://{}", args.api_listen);
    tokio::task::block_in_place(|| loadgen::api::wacht_tot_klaar(&basis, Duration::from_secs(30)))?;
    let mut urls: Vec<String> = Vec::new();
    for m in ["ActieVerwacht", "WachtOp", "Archief"] {
        for p in 1..=4 {
            urls.push(format!("{basis}/api/v1/claims?werkmap={m}&page={p}"));
        }
    }
    let lezers = loadgen::api::Lezers::start(args.api_readers, urls, tokens);
    let tweede = Opzet {
        eerste: opzet.eerste + opzet.claims,
        ..opzet.clone()
    };
    let met = loadgen::hub_fase(&tweede, args.rss_every, voortgang).await;
    let (gelezen, fouten) = tokio::task::block_in_place(|| lezers.stop());
    Ok((zonder, Some((met?, gelezen, fouten))))
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
