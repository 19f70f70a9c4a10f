//! `clearinghuis serve`: the hub on its embedded default (SQLite and
//! directory mailboxes under `./clearinghuis-data/`), or as configured.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::bericht::Deelnemercode;
use crate::codec::Pipeline;
use crate::config::Configuratie;
use crate::deelnemers::Deelnemers;
use crate::dispatcher::{Dispatcher, Postbus};
use crate::engine::Context;
use crate::replay::{Hub, Logregel, Richting};
use crate::store::Store;
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;
use crate::transport::amqp::Verbinding;
use crate::transport::amqp::postbus::AmqpPostbus;
use crate::transport::directory::{Mappen, zet_neer};

/// The participants the hub starts with when none are given.
const VOORBEELD_DEELNEMERS: &str = include_str!("../../fixtures/conversations/participants.toml");
/// The conversation `--demo` plays into the mailboxes.
const VOORBEELD_GESPREK: &str =
    include_str!("../../fixtures/conversations/02-tegenvoorstel-50-tegenclaim.jsonl");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// clearinghuis.toml; CLEARINGHUIS_* variables apply too.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The participants file (default: [deelnemers] file, else a sample
    /// written to <data>/participants.toml).
    #[arg(long)]
    participants: Option<PathBuf>,
    /// Where the embedded default keeps its database and mailboxes.
    #[arg(long, default_value = "clearinghuis-data")]
    data: PathBuf,
    /// Most messages committed in one transaction (a bigger round spreads
    /// the commit's cost; see docs/PERFORMANCE.md).
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Most unacknowledged AMQP deliveries per participant queue.
    #[arg(long, default_value_t = 256)]
    prefetch: u16,
    /// Most claims, keys and inbox entries kept in memory between rounds
    /// (the rest is read from the store when needed).
    #[arg(long, default_value_t = 50_000)]
    cache: usize,
    /// After start, play a sample conversation into the mailboxes and show the answers.
    #[arg(long)]
    demo: bool,
}

fn fout(tekst: impl std::fmt::Display) -> ExitCode {
    eprintln!("clearinghuis serve: {tekst}");
    ExitCode::from(2)
}

/// Which mailboxes the hub serves.
pub enum Soort {
    Mappen(PathBuf),
    Amqp(Verbinding),
}

/// The store's URL and the mailboxes, from the configuration or the defaults.
pub fn plaatsen(config: &Configuratie, data: &Path) -> Result<(String, Soort), String> {
    let url = config
        .store
        .url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data.join("clearinghuis.db").display()));
    if !url.starts_with("sqlite:")
        && !url.starts_with("postgres:")
        && !url.starts_with("postgresql:")
    {
        return Err(format!(
            "store {url}: the URL must start with sqlite:// or postgres://"
        ));
    }
    let soort = match config.mailbox.kind.as_deref() {
        None | Some("directory") => Soort::Mappen(
            config
                .mailbox
                .root
                .clone()
                .unwrap_or_else(|| data.join("mailboxes")),
        ),
        Some("amqp") => {
            let url = config
                .mailbox
                .url
                .clone()
                .unwrap_or_else(|| "amqp://guest:guest@127.0.0.1:5672/%2f".to_string());
            let v = Verbinding::new(&url, "clearinghuis hub")
                .met_ca(config.mailbox.tls_ca.as_deref())
                .map_err(|e| e.to_string())?;
            Soort::Amqp(v)
        }
        Some(k) => return Err(format!("[mailbox] kind {k}: must be directory or amqp")),
    };
    Ok((url, soort))
}

pub fn run(args: Args) -> ExitCode {
    let config = match Configuratie::laad(args.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => return fout(e),
    };
    init_tracing(config.log.format.as_deref());
    let instellingen = match config.instellingen() {
        Ok(i) => i,
        Err(e) => return fout(e),
    };
    if let Err(e) = std::fs::create_dir_all(&args.data) {
        return fout(format!("{}: {e}", args.data.display()));
    }
    let deelnemers_pad = match args.participants.clone().or(config.deelnemers.file.clone()) {
        Some(p) => p,
        None => {
            let p = args.data.join("participants.toml");
            if !p.exists()
                && let Err(e) = std::fs::write(&p, VOORBEELD_DEELNEMERS)
            {
                return fout(format!("{}: {e}", p.display()));
            }
            p
        }
    };
    let deelnemers = match Deelnemers::laad(&deelnemers_pad) {
        Ok(d) => d,
        Err(e) => return fout(e),
    };
    let (url, soort) = match plaatsen(&config, &args.data) {
        Ok(p) => p,
        Err(e) => return fout(e),
    };
    let pipeline = match Pipeline::start() {
        Ok(p) => p,
        Err(e) => return fout(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fout(e),
    };
    let ctx = Context {
        deelnemers: &deelnemers,
        instellingen: &instellingen,
    };
    let codes: Vec<Deelnemercode> = deelnemers.iter().map(|d| d.code.clone()).collect();
    let omgeving = Omgeving {
        pipeline: &pipeline,
        ctx,
        codes,
        batch: args.batch,
        prefetch: args.prefetch,
        cache: args.cache,
        demo: args.demo,
    };
    let resultaat = runtime.block_on(async {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stop_signaal().await;
            let _ = stop_tx.send(true);
        });
        if url.starts_with("sqlite:") {
            let store = SqliteStore::open(&url).await.map_err(|e| e.to_string())?;
            bedien(store, &url, &soort, &omgeving, stop_rx).await
        } else {
            let store = open_met_herhaling(&url, stop_rx.clone()).await?;
            match store {
                Some(store) => bedien(store, &url, &soort, &omgeving, stop_rx).await,
                None => Ok(()),
            }
        }
    });
    match resultaat {
        Ok(()) => {
            eprintln!("clearinghuis serve: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fout(e),
    }
}

/// Opens PostgreSQL, trying again with backoff while it is not there yet
/// (`None`: stopped while waiting).
async fn open_met_herhaling(
    url: &str,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Option<PgStore>, String> {
    let mut wacht = Duration::from_millis(500);
    loop {
        match PgStore::open(url).await {
            Ok(s) => return Ok(Some(s)),
            Err(e) => {
                tracing::warn!("store {url}: {e}; trying again in {wacht:?}");
            }
        }
        tokio::select! {
            _ = stop.changed() => return Ok(None),
            _ = tokio::time::sleep(wacht) => {}
        }
        wacht = (wacht * 2).min(Duration::from_secs(10));
    }
}

/// What every attempt of the serving loop needs.
struct Omgeving<'a> {
    pipeline: &'a Pipeline,
    ctx: Context<'a>,
    codes: Vec<Deelnemercode>,
    batch: usize,
    prefetch: u16,
    cache: usize,
    demo: bool,
}

/// Serves until stopped. Any failure (broker or database gone, a commit that
/// failed) ends the attempt; the next one starts again from the store, after
/// a backoff: the in-memory state may have run ahead of the store, and a
/// restart is the recovery path that is always correct.
async fn bedien<S: Store + Clone>(
    store: S,
    url: &str,
    soort: &Soort,
    o: &Omgeving<'_>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    let mut wacht = Duration::from_millis(200);
    let mut eerste = true;
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let begin = std::time::Instant::now();
        match poging(store.clone(), url, soort, o, stop.clone(), eerste).await {
            Ok(()) => return Ok(()),
            Err(e) => {
                if begin.elapsed() > Duration::from_secs(30) {
                    wacht = Duration::from_millis(200);
                }
                tracing::error!("{e}; starting again from the store in {wacht:?}");
            }
        }
        eerste = false;
        let mut stop2 = stop.clone();
        tokio::select! {
            _ = stop2.changed() => {}
            _ = tokio::time::sleep(wacht) => {}
        }
        wacht = (wacht * 2).min(Duration::from_secs(5));
    }
}

/// One attempt: load the state, open the mailboxes, run the dispatcher.
async fn poging<S: Store>(
    store: S,
    url: &str,
    soort: &Soort,
    o: &Omgeving<'_>,
    stop: tokio::sync::watch::Receiver<bool>,
    eerste: bool,
) -> Result<(), String> {
    let opgeslagen = store.laad().await.map_err(|e| e.to_string())?;
    let (wek_tx, wek_rx) = tokio::sync::mpsc::channel(1);
    let mut watcher = None;
    let postbus = match soort {
        Soort::Mappen(root) => {
            let mappen = Mappen::maak(root, o.codes.clone())
                .map_err(|e| format!("{}: {e}", root.display()))?;
            watcher = kijk(&mappen, &o.codes, wek_tx);
            if eerste {
                eprintln!(
                    "clearinghuis serve: drop messages into {}/<code>/in/ (write a temporary name, then rename to *.xml); answers appear in {}/<code>/out/; participants: {}",
                    root.display(),
                    root.display(),
                    o.codes
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if o.demo {
                    let mappen = mappen.clone();
                    std::thread::spawn(move || demo(&mappen));
                }
            }
            Postbus::Mappen(mappen)
        }
        Soort::Amqp(v) => {
            let postbus = AmqpPostbus::open(v, &o.codes, o.prefetch)
                .await
                .map_err(|e| e.to_string())?;
            if eerste {
                eprintln!(
                    "clearinghuis serve: consuming cr.<code>.in and publishing to cr.<code>.out on {} for {} participants",
                    zonder_wachtwoord(&v.url),
                    o.codes.len()
                );
            }
            Postbus::Amqp(Box::new(postbus))
        }
    };
    eprintln!(
        "clearinghuis serve: log at seq {}, {} timers, store {}",
        opgeslagen.seq,
        opgeslagen.toestand.wekkers().count(),
        zonder_wachtwoord(url)
    );
    let hub = Hub::met_toestand(o.pipeline, o.ctx, opgeslagen.toestand, opgeslagen.seq);
    let mut dispatcher = Dispatcher::new(hub, store, postbus, o.batch).met_cache(o.cache);
    let r = dispatcher
        .draai(stop, wek_rx, Duration::from_millis(250))
        .await
        .map_err(|e| e.to_string());
    drop(watcher);
    if let Postbus::Amqp(a) = dispatcher.postbus() {
        a.sluit().await;
    }
    r
}

/// A URL as it may be logged.
fn zonder_wachtwoord(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(a)) if a > s => format!("{}***{}", &url[..s + 3], &url[a..]),
        _ => url.to_string(),
    }
}

/// File-system notifications wake the loop; it also looks every 250 ms.
fn kijk(
    mappen: &Mappen,
    codes: &[Deelnemercode],
    tx: tokio::sync::mpsc::Sender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    match notify::recommended_watcher(move |_| {
        let _ = tx.try_send(());
    }) {
        Ok(mut w) => {
            for c in codes {
                if let Err(e) = w.watch(&mappen.in_map(c), notify::RecursiveMode::NonRecursive) {
                    tracing::warn!("no notifications for {c}: {e}; polling");
                }
            }
            Some(w)
        }
        Err(e) => {
            tracing::warn!("no file-system notifications ({e}); polling");
            None
        }
    }
}

async fn stop_signaal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

fn init_tracing(format: Option<&str>) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file gets plain `key=value` fields.
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = if format == Some("json") {
        b.json().try_init()
    } else {
        b.try_init()
    };
}

/// Plays the sample conversation into the mailboxes, one message after the
/// hub has taken the previous one, and prints every answer that appears.
fn demo(mappen: &Mappen) {
    let mut gezien = std::collections::BTreeSet::new();
    let toon = |gezien: &mut std::collections::BTreeSet<std::path::PathBuf>| {
        let Ok(mappen_lijst) = std::fs::read_dir(mappen.root()) else {
            return;
        };
        let mut nieuw: Vec<std::path::PathBuf> = mappen_lijst
            .flatten()
            .flat_map(|m| {
                std::fs::read_dir(m.path().join("out"))
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml") && !gezien.contains(p))
            .collect();
        nieuw.sort();
        for p in nieuw {
            let tekst = std::fs::read_to_string(&p).unwrap_or_default();
            let soort = crate::bericht::xml::lees(&tekst)
                .map(|b| b.inhoud.naam().to_owned())
                .unwrap_or_default();
            println!("  answer  {}  {soort}", p.display());
            gezien.insert(p);
        }
    };
    for (i, regel) in VOORBEELD_GESPREK.lines().enumerate() {
        let Ok(r) = serde_json::from_str::<Logregel>(regel) else {
            continue;
        };
        if r.direction != Richting::In {
            continue;
        }
        let Ok(code) = Deelnemercode::new(r.mailbox.as_str()) else {
            continue;
        };
        let naam = format!("demo-{:02}.xml", i + 1);
        match zet_neer(&mappen.in_map(&code), &naam, r.xml.as_bytes()) {
            Ok(p) => {
                println!("dropped {}", p.display());
                // Wait until the hub has taken it (moved to verwerkt/), then for its answers.
                for _ in 0..200 {
                    if !p.exists() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                std::thread::sleep(Duration::from_millis(300));
                toon(&mut gezien);
            }
            Err(e) => eprintln!("demo: {e}"),
        }
    }
    println!(
        "demo done: the hub keeps serving; drop your own messages into {}/<code>/in/ (Ctrl-C stops it)",
        mappen.root().display()
    );
}
