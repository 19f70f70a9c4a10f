//! `clearinghuis serve`: the hub on its embedded default (SQLite and
//! directory mailboxes under `./clearinghuis-data/`), or as configured.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::SqliteConnectOptions;

use crate::bericht::Deelnemercode;
use crate::bewaking::{Bewaking, Fase};
use crate::codec::Pipeline;
use crate::config::Configuratie;
use crate::deelnemers::Deelnemers;
use crate::dispatcher::{Dispatcher, DispatcherFout, Postbus};
use crate::engine::Context;
use crate::hub::{Hub, Logregel, Richting};
use crate::metingen::Metingen;
use crate::store::bewaakt::BewaakteStore;
use crate::store::slot::{Bestandsslot, Houder, PgSlot};
use crate::store::{Store, StoreFout};
use crate::storing::Storingen;
use crate::transport::amqp::beheer::{self, Rabbitmqctl};
use crate::transport::amqp::postbus::AmqpPostbus;
use crate::transport::amqp::{AmqpFout, Verbinding};
use crate::transport::directory::{Mappen, zet_neer};
use crate::verbergen::{self, Geheimen};
use crate::web::db::Db;
use crate::web::{App, Luister};

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
            "store {}: the URL must start with sqlite:// or postgres://",
            verbergen::url(&url)
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
                .and_then(|v| v.met_identiteit_van(&config.mailbox))
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
    let luister = match Luister::van(
        config.api.listen.as_deref(),
        config.api.tls_cert.as_deref(),
        config.api.tls_key.as_deref(),
    ) {
        Ok(l) => l,
        Err(e) => return fout(e),
    };
    let tweede_factor_verplicht = match config.api.tweede_factor.as_deref() {
        None | Some("") | Some("vrij") => false,
        Some("verplicht") => true,
        Some(a) => {
            return fout(format!(
                "[api] tweede_factor {a:?}: must be verplicht or vrij"
            ));
        }
    };
    if let Soort::Amqp(v) = &soort {
        let codes: Vec<Deelnemercode> = deelnemers.iter().map(|d| d.code.clone()).collect();
        if let Err(e) = broker_houdt_apart(&config, v, &codes) {
            return fout(verbergen::url(&e));
        }
    }
    // Every secret the hub was given, to scrub whatever it prints.
    let geheimen = Geheimen::van(
        [
            Some(url.as_str()),
            match &soort {
                Soort::Amqp(v) => Some(v.url.as_str()),
                Soort::Mappen(_) => None,
            },
        ]
        .into_iter()
        .flatten(),
    );
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
        // Bound when this hub becomes the active one (a standby on the
        // same host must not hold the port).
        let web = luister.map(|l| WebStart {
            luister: l,
            deelnemers: Arc::new(deelnemers.clone()),
            tweede_factor_verplicht,
            demo: args.demo,
            data: args.data.clone(),
        });
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stop_signaal().await;
            let _ = stop_tx.send(true);
        });
        // Shared with the web part's /readyz and /metrics.
        let bewaking = Arc::new(Bewaking::new());
        let mut leiding =
            Leiding::new(&url, &soort, &omgeving, stop_rx, geheimen.clone(), bewaking);
        leiding.web = web;
        let r = leiding.bedien().await;
        if let Some(taak) = leiding.web_taak.take() {
            let _ = tokio::time::timeout(Duration::from_secs(6), taak).await;
        }
        r
    });
    match resultaat {
        Ok(()) => {
            eprintln!("clearinghuis serve: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => fout(geheimen.verberg(&e)),
    }
}

/// The broker keeps participants apart, or the hub does not start
/// (operations.md "Mailboxes", docs/broker.md): no participant's user may
/// write beyond its own exchange or speak as another. Read from the
/// broker's own permission table with `rabbitmqctl`: a probe would need a
/// participant's credentials, which the hub must not hold (and cannot, for
/// a certificate login), and the management API is a plugin the hub does
/// not assume.
fn broker_houdt_apart(
    config: &Configuratie,
    v: &Verbinding,
    codes: &[Deelnemercode],
) -> Result<(), String> {
    let ctl = Rabbitmqctl {
        programma: config
            .mailbox
            .rabbitmqctl
            .clone()
            .unwrap_or_else(|| PathBuf::from("rabbitmqctl")),
    };
    let vhost = beheer::vhost(&v.url).map_err(|e| e.to_string())?;
    let gaten = beheer::controleer_isolatie(&ctl, &vhost, codes).map_err(|e| {
        format!(
            "cannot check that the broker keeps participants apart: {e}. The hub reads the \
             broker's permissions with rabbitmqctl at start; on another host than the broker \
             set [mailbox] rabbitmqctl to a program that reaches it (docs/broker.md)"
        )
    })?;
    if gaten.is_empty() {
        tracing::info!(vhost = %vhost, participants = codes.len(), "broker keeps participants apart");
        return Ok(());
    }
    let lijst: Vec<String> = gaten.iter().map(ToString::to_string).collect();
    Err(format!(
        "the broker does not keep participants apart on vhost {vhost}: {}. Run `clearinghuis broker setup` (docs/broker.md)",
        lijst.join("; ")
    ))
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

/// What can end an attempt, as the supervisor sees it.
#[derive(Debug, thiserror::Error)]
enum ServeFout {
    /// `url` is shown without its password.
    #[error("store {url}: {bron}")]
    Store { url: String, bron: StoreFout },
    #[error("broker {url}: {bron}")]
    Broker { url: String, bron: AmqpFout },
    #[error("mailboxes {pad}: {bron}")]
    Mappen { pad: String, bron: std::io::Error },
    #[error(transparent)]
    Dispatcher(#[from] DispatcherFout),
}

/// Which service a failure belongs to: a service that has worked once in
/// this process is configured right, and is waited for however long it is
/// away; one that never worked ends the process soon (see [`Leiding::na_fout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dienst {
    Store,
    Broker,
    Mappen,
}

impl ServeFout {
    fn dienst(&self) -> Dienst {
        match self {
            ServeFout::Store { .. } | ServeFout::Dispatcher(DispatcherFout::Store(_)) => {
                Dienst::Store
            }
            ServeFout::Broker { .. } | ServeFout::Dispatcher(DispatcherFout::Amqp(_)) => {
                Dienst::Broker
            }
            ServeFout::Mappen { .. } | ServeFout::Dispatcher(_) => Dienst::Mappen,
        }
    }

    fn slot_kwijt(&self) -> bool {
        matches!(
            self,
            ServeFout::Store {
                bron: StoreFout::SlotKwijt,
                ..
            } | ServeFout::Dispatcher(DispatcherFout::Store(StoreFout::SlotKwijt))
        )
    }

    fn schijf_vol(&self) -> bool {
        match self {
            ServeFout::Store { bron, .. } => bron.schijf_vol(),
            ServeFout::Mappen { bron, .. } => crate::bewaking::schijf_vol_io(bron),
            ServeFout::Dispatcher(e) => e.schijf_vol(),
            ServeFout::Broker { .. } => false,
        }
    }

    fn blijvend(&self) -> bool {
        match self {
            ServeFout::Store { bron, .. } => bron.blijvend(),
            ServeFout::Broker { bron, .. } => bron.blijvend(),
            ServeFout::Mappen { bron, .. } => bron.kind() == std::io::ErrorKind::PermissionDenied,
            ServeFout::Dispatcher(e) => e.blijvend(),
        }
    }
}

/// The first wait after a failure, doubled after each one up to [`MAX_WACHT`].
const BEGIN_WACHT: Duration = Duration::from_millis(200);
const MAX_WACHT: Duration = Duration::from_secs(5);
/// How long a service that never worked is tried at start before the hub
/// gives up (a configuration error; connection refused may be a service
/// still starting).
const START_GEDULD: Duration = Duration::from_secs(10);
/// How often a standby looks whether the store's lock is free.
const STANDBY_KIJKEN: Duration = Duration::from_millis(500);
/// How long a hub that lost the store's lock waits before it tries to
/// take it again (several times [`STANDBY_KIJKEN`]).
const NA_VERLIES: Duration = Duration::from_secs(2);
/// How much a folder must take before a hub waiting for disk space tries again.
const RUIMTE_PROEF: usize = 1 << 20;

/// The store's lock while this hub holds it ([`crate::store::slot`]).
enum Slot {
    /// SQLite: the flock, released when the value or the process goes.
    Bestand(#[allow(dead_code)] Bestandsslot),
    /// PostgreSQL: the lock session's backend pid (for the fence) and the
    /// task watching it, which says when the lock is lost.
    Postgres {
        pid: i32,
        wacht: tokio::task::JoinHandle<()>,
        verloren: tokio::sync::watch::Receiver<bool>,
    },
    /// An in-memory SQLite database: nobody else can open it.
    Geen,
}

impl Slot {
    fn verloren(&self) -> bool {
        match self {
            Slot::Postgres { verloren, .. } => *verloren.borrow(),
            _ => false,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Slot::Postgres { wacht, .. } = self {
            // Ends the watch, which closes the lock session.
            wacht.abort();
        }
    }
}

/// The supervisor of `serve`: takes the store's lock (waiting as a standby
/// while another hub holds it), opens a fresh store for every attempt, runs
/// the dispatcher, and after any failure closes the store and starts again
/// from what is committed, after a backoff, or after disk space is back.
struct Leiding<'a> {
    url: &'a str,
    soort: &'a Soort,
    o: &'a Omgeving<'a>,
    stop: tokio::sync::watch::Receiver<bool>,
    geheimen: Geheimen,
    bewaking: Arc<Bewaking>,
    /// Faults of single mailboxes and files, kept across attempts (and
    /// shared, so that a later metrics endpoint can read them).
    storingen: Storingen,
    /// Which services have worked once (see [`Dienst`]).
    gewerkt: Vec<Dienst>,
    /// When the first failure of a service that never worked happened.
    eerste_fout: Option<Instant>,
    wacht: Duration,
    /// PostgreSQL with a full disk: the wait before the next attempt.
    vol_wacht: Duration,
    /// The first attempt prints how to use the hub (and starts the demo).
    eerste: bool,
    /// The web part, started once the store is open (so its migrations ran).
    web: Option<WebStart>,
    web_taak: Option<tokio::task::JoinHandle<()>>,
    metingen: Arc<Metingen>,
    heraanbod: Arc<tokio::sync::Notify>,
}

/// The web part before it serves: its bound socket and what it shows.
struct WebStart {
    luister: Luister,
    deelnemers: Arc<Deelnemers>,
    tweede_factor_verplicht: bool,
    demo: bool,
    data: PathBuf,
}

impl<'a> Leiding<'a> {
    fn new(
        url: &'a str,
        soort: &'a Soort,
        o: &'a Omgeving<'a>,
        stop: tokio::sync::watch::Receiver<bool>,
        geheimen: Geheimen,
        bewaking: Arc<Bewaking>,
    ) -> Leiding<'a> {
        Leiding {
            url,
            soort,
            o,
            stop,
            geheimen,
            bewaking,
            storingen: Storingen::default(),
            gewerkt: Vec::new(),
            eerste_fout: None,
            wacht: BEGIN_WACHT,
            vol_wacht: Duration::from_secs(2),
            eerste: true,
            web: None,
            web_taak: None,
            metingen: Arc::new(Metingen::new()),
            heraanbod: Arc::new(tokio::sync::Notify::new()),
        }
    }

    fn gestopt(&self) -> bool {
        *self.stop.borrow()
    }

    fn store_fout(&self, bron: StoreFout) -> ServeFout {
        ServeFout::Store {
            url: verbergen::url(self.url),
            bron,
        }
    }

    fn werkt(&mut self, d: Dienst) {
        if !self.gewerkt.contains(&d) {
            self.gewerkt.push(d);
        }
    }

    /// Serves until stopped (`Ok`), or ends with a failure that will not heal
    /// (`Err`, the message to exit with).
    async fn bedien(&mut self) -> Result<(), String> {
        let mut slot: Option<Slot> = None;
        // The fence refused a commit: the lock is gone, whether or not the
        // watch has seen it yet.
        let mut kwijt = false;
        loop {
            if self.gestopt() {
                return Ok(());
            }
            if std::mem::take(&mut kwijt) || slot.as_ref().is_none_or(Slot::verloren) {
                if slot.take().is_some() {
                    eprintln!(
                        "clearinghuis serve: this hub lost the store's lock; it takes no messages until it holds the lock again"
                    );
                    // A standby, if there is one, looks more often than
                    // this: it takes over from a hub that lost its session.
                    let mut stop = self.stop.clone();
                    tokio::select! {
                        _ = stop.changed() => {}
                        _ = tokio::time::sleep(NA_VERLIES) => {}
                    }
                    continue;
                }
                match self.neem_slot().await {
                    Ok(Some(s)) => slot = Some(s),
                    Ok(None) => return Ok(()),
                    Err(e) => {
                        self.na_fout(e).await?;
                        continue;
                    }
                }
            }
            let pid = match &slot {
                Some(Slot::Postgres { pid, .. }) => Some(*pid),
                _ => None,
            };
            // A fresh pool for every attempt: a connection whose transaction
            // failed may be left in any state (see store::sqlite's BEGIN).
            let store = match BewaakteStore::open(self.url, pid, self.bewaking.clone()).await {
                Ok(s) => s,
                Err(e) => {
                    let e = self.store_fout(e);
                    self.na_fout(e).await?;
                    continue;
                }
            };
            self.werkt(Dienst::Store);
            self.start_web().await;
            let verloren = match &slot {
                Some(Slot::Postgres { verloren, .. }) => Some(verloren.clone()),
                _ => None,
            };
            let begin = Instant::now();
            let r = self.poging(store.clone(), verloren).await;
            store.sluit().await;
            match r {
                Ok(()) => {
                    if self.gestopt() {
                        return Ok(());
                    }
                    // Ended because the lock was lost: the loop takes it again.
                }
                Err(e) => {
                    if begin.elapsed() > Duration::from_secs(30) {
                        self.wacht = BEGIN_WACHT;
                    }
                    kwijt = e.slot_kwijt();
                    self.na_fout(e).await?;
                }
            }
        }
    }

    /// Starts the web part once, beside the dispatcher, on its own pool.
    async fn start_web(&mut self) {
        let Some(w) = self.web.take() else {
            return;
        };
        // A port in use or an unreadable certificate: the message link goes
        // on without the web part, and says why.
        let gebonden = match w.luister.bind().await {
            Ok(g) => g,
            Err(e) => {
                tracing::error!("web part: {e}; it does not start (the message link goes on)");
                eprintln!("clearinghuis serve: web part not started: {e}");
                return;
            }
        };
        let db = match Db::open(self.url, 8).await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(
                    "web part: {}; it does not start",
                    self.geheimen.verberg(&e.to_string())
                );
                return;
            }
        };
        let schema = if gebonden.is_tls() { "https" } else { "http" };
        eprintln!(
            "clearinghuis serve: web and API on {schema}://{}/ (docs/api.md)",
            gebonden.adres
        );
        if w.demo {
            match super::gebruiker::demo(&db, &w.deelnemers, &w.data).await {
                Ok(regels) => {
                    println!(
                        "demo users (log in at {schema}://{}/api/v1/sessie):",
                        gebonden.adres
                    );
                    for r in regels {
                        println!("{r}");
                    }
                    println!(
                        "try: curl -H \"Authorization: Bearer $(cat {})\" '{schema}://{}/api/v1/claims?werkmap=WachtOp'",
                        w.data.join("demo-token").display(),
                        gebonden.adres
                    );
                }
                Err(e) => tracing::error!("demo users: {e}"),
            }
        }
        let app = App {
            db,
            deelnemers: w.deelnemers,
            bewaking: self.bewaking.clone(),
            metingen: self.metingen.clone(),
            heraanbod: self.heraanbod.clone(),
            pogingen: Arc::default(),
            tls: gebonden.is_tls(),
            tweede_factor_verplicht: w.tweede_factor_verplicht,
            voorrang: Arc::default(),
        };
        let stop = self.stop.clone();
        self.web_taak = Some(tokio::spawn(async move {
            let db = app.db.clone();
            if let Err(e) = gebonden.serveer(app, stop).await {
                tracing::error!("web part stopped: {e}");
            }
            db.sluit().await;
        }));
    }

    /// After a failed attempt: says so (without secrets) and waits, for the
    /// backoff or for disk space; or gives up, when a service that never
    /// worked fails in a way that will not heal, or for [`START_GEDULD`].
    async fn na_fout(&mut self, e: ServeFout) -> Result<(), String> {
        let tekst = self.geheimen.verberg(&e.to_string());
        self.bewaking.mislukt(&tekst);
        if e.schijf_vol() {
            let nieuw = self.bewaking.meld_schijf_vol(&tekst);
            self.wacht_op_ruimte(nieuw).await;
            return Ok(());
        }
        if !self.gewerkt.contains(&e.dienst()) {
            if e.blijvend() {
                return Err(format!("{tekst} (a configuration error: not trying again)"));
            }
            let sinds = *self.eerste_fout.get_or_insert_with(Instant::now);
            if sinds.elapsed() + self.wacht > START_GEDULD {
                return Err(format!(
                    "{tekst} (tried for {:.0} s since start; giving up)",
                    sinds.elapsed().as_secs_f64()
                ));
            }
            tracing::warn!("{tekst}; trying again in {:?}", self.wacht);
        } else {
            tracing::error!("{tekst}; starting again from the store in {:?}", self.wacht);
        }
        self.bewaking.zet(Fase::Herstarten);
        let mut stop = self.stop.clone();
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(self.wacht) => {}
        }
        self.wacht = (self.wacht * 2).min(MAX_WACHT);
        Ok(())
    }

    /// Waits while the disk is full, taking no messages: every second a
    /// local folder the hub writes (the SQLite database's, the mailbox
    /// root) must take a test file of [`RUIMTE_PROEF`] bytes. PostgreSQL's
    /// own disk cannot be looked at from here: then the next attempt is
    /// the test, after a wait that grows while it keeps failing.
    async fn wacht_op_ruimte(&mut self, nieuw: bool) {
        let mappen = self.lokale_mappen();
        let minimaal = if self.url.starts_with("sqlite:") {
            Duration::from_secs(1)
        } else {
            self.vol_wacht = if nieuw {
                Duration::from_secs(2)
            } else {
                (self.vol_wacht * 2).min(Duration::from_secs(30))
            };
            self.vol_wacht
        };
        let begin = Instant::now();
        let mut stop = self.stop.clone();
        loop {
            tokio::select! {
                _ = stop.changed() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            if begin.elapsed() >= minimaal && mappen.iter().all(|m| ruimte_in(m)) {
                return;
            }
        }
    }

    /// The local folders where a full disk would stop the hub.
    fn lokale_mappen(&self) -> Vec<PathBuf> {
        let mut mappen = Vec::new();
        if self.url.starts_with("sqlite:")
            && let Ok(o) = SqliteConnectOptions::from_str(self.url)
            && let Some(map) = o.get_filename().parent()
        {
            mappen.push(if map.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                map.to_owned()
            });
        }
        if let Soort::Mappen(root) = self.soort {
            mappen.push(root.clone());
        }
        mappen
    }

    /// Takes the store's lock, waiting as a standby while another hub holds
    /// it (`None`: stopped while waiting). Nothing of the store or the
    /// mailboxes is touched before.
    async fn neem_slot(&mut self) -> Result<Option<Slot>, ServeFout> {
        let mut gemeld: Option<Houder> = None;
        let mut stop = self.stop.clone();
        if self.url.starts_with("sqlite:") {
            let opties = SqliteConnectOptions::from_str(self.url)
                .map_err(|e| self.store_fout(StoreFout::Database(e)))?;
            let database = opties.get_filename();
            if database.as_os_str() == ":memory:" {
                return Ok(Some(Slot::Geen));
            }
            let pad = Bestandsslot::pad_voor(database);
            loop {
                match Bestandsslot::probeer(&pad).map_err(|e| self.store_fout(e))? {
                    Ok(s) => {
                        self.overgenomen(gemeld.is_some());
                        return Ok(Some(Slot::Bestand(s)));
                    }
                    Err(houder) => self.standby(&mut gemeld, houder),
                }
                if !self.standby_wacht(&mut stop).await {
                    return Ok(None);
                }
            }
        }
        let mut sessie = PgSlot::verbind(self.url)
            .await
            .map_err(|e| self.store_fout(e))?;
        self.werkt(Dienst::Store);
        loop {
            match sessie.probeer().await.map_err(|e| self.store_fout(e))? {
                None => {
                    self.overgenomen(gemeld.is_some());
                    let pid = sessie.pid;
                    let (wacht, verloren) = sessie.bewaak();
                    return Ok(Some(Slot::Postgres {
                        pid,
                        wacht,
                        verloren,
                    }));
                }
                Some(houder) => self.standby(&mut gemeld, houder),
            }
            if !self.standby_wacht(&mut stop).await {
                return Ok(None);
            }
        }
    }

    /// A standby's wait before it looks at the lock again; false when the
    /// hub was stopped meanwhile.
    async fn standby_wacht(&self, stop: &mut tokio::sync::watch::Receiver<bool>) -> bool {
        tokio::select! {
            _ = stop.changed() => return false,
            _ = tokio::time::sleep(STANDBY_KIJKEN) => {}
        }
        !self.gestopt()
    }

    /// Says once (and again when the holder changes) that this hub waits.
    fn standby(&self, gemeld: &mut Option<Houder>, houder: Houder) {
        if gemeld.as_ref().is_some_and(|g| g.pid == houder.pid) {
            return;
        }
        eprintln!(
            "clearinghuis serve: standby: {houder} holds the store {}; this hub takes over when it stops or dies",
            verbergen::url(self.url)
        );
        self.bewaking.zet(Fase::Standby);
        *gemeld = Some(houder);
    }

    fn overgenomen(&self, na_standby: bool) {
        if na_standby {
            eprintln!("clearinghuis serve: the other hub is gone; this hub holds the store now");
        }
        self.bewaking.zet(Fase::Starten);
    }

    /// One attempt: load the state, open the mailboxes, run the dispatcher
    /// until stopped, or until the store's lock is lost (`verloren`).
    async fn poging(
        &mut self,
        store: BewaakteStore,
        verloren: Option<tokio::sync::watch::Receiver<bool>>,
    ) -> Result<(), ServeFout> {
        let o = self.o;
        let opgeslagen = store.laad().await.map_err(|e| self.store_fout(e))?;
        let (wek_tx, wek_rx) = tokio::sync::mpsc::channel(1);
        let mut watcher = None;
        let postbus = match self.soort {
            Soort::Mappen(root) => {
                let mappen =
                    Mappen::maak(root, o.codes.clone()).map_err(|bron| ServeFout::Mappen {
                        pad: root.display().to_string(),
                        bron,
                    })?;
                self.werkt(Dienst::Mappen);
                watcher = kijk(&mappen, &o.codes, wek_tx);
                if self.eerste {
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
                    .map_err(|bron| ServeFout::Broker {
                        url: verbergen::url(&v.url),
                        bron,
                    })?;
                self.werkt(Dienst::Broker);
                if self.eerste {
                    eprintln!(
                        "clearinghuis serve: consuming cr.<code>.in and publishing to cr.<code>.out on {} for {} participants",
                        verbergen::url(&v.url),
                        o.codes.len()
                    );
                }
                Postbus::Amqp(Box::new(postbus))
            }
        };
        self.eerste = false;
        eprintln!(
            "clearinghuis serve: serving: log at seq {}, {} timers, store {}",
            opgeslagen.seq,
            opgeslagen.toestand.wekkers().count(),
            verbergen::url(self.url)
        );
        self.bewaking.zet(Fase::Bedienen);
        // This attempt stops when the hub stops or the lock is lost.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut stop = self.stop.clone();
        let wachter = tokio::spawn(async move {
            let verlies = async {
                match verloren {
                    Some(mut v) => {
                        let _ = v.wait_for(|v| *v).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = stop.wait_for(|s| *s) => {}
                _ = verlies => {}
            }
            let _ = stop_tx.send(true);
        });
        let hub = Hub::met_toestand(o.pipeline, o.ctx, opgeslagen.toestand, opgeslagen.seq);
        let mut dispatcher = Dispatcher::new(hub, store, postbus, o.batch)
            .met_cache(o.cache)
            .met_metingen(self.metingen.clone())
            .met_heraanbod(self.heraanbod.clone())
            .met_storingen(self.storingen.clone());
        let r = dispatcher
            .draai(stop_rx, wek_rx, Duration::from_millis(250))
            .await;
        wachter.abort();
        drop(watcher);
        if let Postbus::Amqp(a) = dispatcher.postbus() {
            a.sluit().await;
        }
        Ok(r?)
    }
}

/// Whether `map` takes a test file of [`RUIMTE_PROEF`] bytes (written,
/// synced, removed). Only a full disk or quota counts as no: anything else
/// is for the next attempt to find.
fn ruimte_in(map: &Path) -> bool {
    use std::io::Write as _;
    let pad = map.join(format!(".clearinghuis-ruimte-{}", std::process::id()));
    let r = std::fs::File::create(&pad).and_then(|mut f| {
        f.write_all(&vec![0u8; RUIMTE_PROEF])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&pad);
    match r {
        Ok(()) => true,
        Err(e) => !crate::bewaking::schijf_vol_io(&e),
    }
}

/// File-system notifications wake the loop; it also looks every 250 ms.
/// Only a new or changed name wakes it: the loop's own listing and opening
/// of the folder are events too (notify reports `Access`), and waking on
/// them made an idle hub list its folders in a busy loop.
fn kijk(
    mappen: &Mappen,
    codes: &[Deelnemercode],
    tx: tokio::sync::mpsc::Sender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    match notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        if e.as_ref().is_ok_and(|e| !wekt(&e.kind)) {
            return;
        }
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

/// Whether a file-system event can mean a message to take.
fn wekt(soort: &notify::EventKind) -> bool {
    use notify::EventKind;
    matches!(
        soort,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any | EventKind::Other
    )
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
