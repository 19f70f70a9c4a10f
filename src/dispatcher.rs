//! The dispatcher: the imperative shell that runs the hub (operations.md
//! "Shape"), the same for both mailbox kinds and both stores.
//!
//! One round:
//!
//! 1. take up to `batch` inbound messages (files, oldest first, or AMQP
//!    deliveries in arrival order); a file or redelivery the store already
//!    committed is only confirmed, not processed again;
//! 2. check them all at once on the validator threads (the slow, stateless
//!    part, so different claims' messages are handled concurrently);
//! 3. ask the store, in one go, for what the engine will look up (a dry run
//!    of the pure engine names it), then run the engine over the messages
//!    one by one in arrival order, each after the timers due before it (so
//!    one claim's messages are handled strictly in order);
//! 4. write everything of the round (log lines with the raw bytes, the
//!    engine's changes, the outbox, which file it was) in **one** transaction;
//! 5. only then move the files to the hub's `verwerkt/` or ack the deliveries;
//! 6. deliver the round's outbox (publisher confirms, or one `syncfs`) and
//!    mark it sent.
//!
//! With AMQP mailboxes the rounds overlap by one: while a round's
//! transaction runs on its own task, the next round is taken, checked and
//! processed in memory. Its commit starts only after the previous one
//! ended, and a round's acks and answers only follow its own commit.
//!
//! A crash anywhere leaves either an uncommitted round (the files are still
//! there, the deliveries come back) or a committed one (the store knows each
//! file by name and hash, and each redelivered message by mailbox and hash:
//! it is confirmed, not processed again; unsent answers are sent again with
//! the same BerichtId). The hub's state in memory runs ahead of the store by
//! up to two rounds, so any failure ends [`Dispatcher::draai`] (after the
//! commit in flight has ended); the caller starts again from the store (see
//! `cli::serve`).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Local, SubsecRound};
use tokio::sync::{mpsc, watch};

use crate::bericht::Deelnemercode;
use crate::codec::{Ontvangen, Pipeline};
use crate::engine::Vraag;
use crate::hub::{Controle, Gewekt, Herkomst, Hub, HubFout, Logregel};
use crate::store::{Batch, Bestand, Inregel, Store, StoreFout, Uitgaand, logrijen};
use crate::storing::{Plek, Storingen};
use crate::transport::amqp::AmqpFout;
use crate::transport::amqp::postbus::{AmqpPostbus, Levering, Onderweg, TeVerzenden};
use crate::transport::directory::{Binnen, Identiteit, Mappen, Verplaatsing};

#[derive(Debug, thiserror::Error)]
pub enum DispatcherFout {
    #[error(transparent)]
    Store(#[from] StoreFout),
    #[error(transparent)]
    Hub(#[from] HubFout),
    #[error("mailbox: {0}")]
    Mailbox(#[from] std::io::Error),
    #[error(transparent)]
    Amqp(#[from] AmqpFout),
    /// The task of a round's commit panicked or was cancelled.
    #[error("the commit of a round ended: {0}")]
    Commit(#[from] tokio::task::JoinError),
}

impl DispatcherFout {
    /// No room to write: in the store, or for an answer in a mailbox folder.
    pub fn schijf_vol(&self) -> bool {
        match self {
            DispatcherFout::Store(e) => e.schijf_vol(),
            DispatcherFout::Mailbox(e) => crate::bewaking::schijf_vol_io(e),
            _ => false,
        }
    }

    /// A failure that trying again will not mend (see [`StoreFout::blijvend`]
    /// and [`AmqpFout::blijvend`]).
    pub fn blijvend(&self) -> bool {
        match self {
            DispatcherFout::Store(e) => e.blijvend(),
            DispatcherFout::Amqp(e) => e.blijvend(),
            _ => false,
        }
    }
}

/// The hub's clock: wall time to the microsecond (what both stores keep),
/// never going back.
pub struct Klok {
    laatste: Option<DateTime<FixedOffset>>,
}

impl Klok {
    pub fn new() -> Klok {
        Klok { laatste: None }
    }

    pub fn nu(&mut self) -> DateTime<FixedOffset> {
        let nu = Local::now().fixed_offset().trunc_subsecs(6);
        let nu = match self.laatste {
            Some(l) if l > nu => l,
            _ => nu,
        };
        self.laatste = Some(nu);
        nu
    }
}

impl Default for Klok {
    fn default() -> Self {
        Klok::new()
    }
}

/// Where the messages come from and go to.
pub enum Postbus {
    Mappen(Mappen),
    Amqp(Box<AmqpPostbus>),
}

/// Where an inbound message came from.
enum Bron {
    /// A file, and what was read of it (only that file is moved).
    Bestand(Binnen, Identiteit),
    Levering(Levering),
}

/// How an inbound message is confirmed once committed.
enum Bevestiging {
    /// Move the file to `verwerkt/` under the seq of its log line.
    Bestand(Binnen, Identiteit, u64),
    Levering(Levering),
}

/// One inbound message of a round.
struct Binnenkomst {
    mailbox: Deelnemercode,
    ontvangen: Ontvangen,
    herkomst: Herkomst,
    hash: String,
    bron: Bron,
}

/// Most bytes of inbound messages one round holds (at least one message is
/// always taken): with messages of up to 10 MiB, the batch size alone would
/// not bound a round's memory.
pub const MAX_RONDE_BYTES: usize = 64 * 1024 * 1024;

/// How long a file that could not be read (for a reason that may pass) is
/// left alone before it is tried again.
const LEES_OPNIEUW: Duration = Duration::from_secs(5);
/// How long a processed file that could not be moved is left alone.
const VERPLAATS_OPNIEUW: Duration = Duration::from_secs(60);
/// How often answers waiting for a failing `out` folder are tried again.
const LEVER_OPNIEUW: Duration = Duration::from_secs(10);

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ronde {
    pub berichten: usize,
    pub timers: usize,
    pub verzonden: usize,
    /// Redeliveries and files the store had committed already.
    pub al_verwerkt: usize,
}

/// A round processed in memory, not yet committed.
struct Voorbereid {
    ronde: Ronde,
    batch: Batch,
    bevestig: Vec<Bevestiging>,
    fasen: Fasen,
}

/// A round whose transaction is running (`Err`: nothing to write).
struct Lopend {
    ronde: Ronde,
    commit: Result<tokio::task::JoinHandle<Result<Batch, StoreFout>>, Batch>,
    bevestig: Vec<Bevestiging>,
    fasen: Fasen,
}

/// How long each phase of a round took (logged at debug level).
struct Fasen {
    begin: std::time::Instant,
    fasen: Vec<(&'static str, Duration)>,
}

impl Fasen {
    fn new() -> Fasen {
        Fasen {
            begin: std::time::Instant::now(),
            fasen: Vec::new(),
        }
    }

    fn klaar(&mut self, naam: &'static str) {
        let nu = std::time::Instant::now();
        self.fasen.push((naam, nu - self.begin));
        self.begin = nu;
    }
}

impl std::fmt::Display for Fasen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (naam, d)) in self.fasen.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{naam}={:.1}ms", d.as_secs_f64() * 1000.0)?;
        }
        Ok(())
    }
}

/// Runs `stap` on the hub until the engine found everything it looked up,
/// loading what it missed from the store in between.
pub async fn opgezocht<S: Store, T>(
    store: &S,
    hub: &mut Hub<'_>,
    mut stap: impl FnMut(&mut Hub<'_>) -> Result<T, HubFout>,
) -> Result<T, DispatcherFout> {
    loop {
        match stap(hub) {
            Err(HubFout::Ontbreekt(vragen)) => {
                let gevonden = store.zoek(&vragen).await?;
                hub.toestand.vul(gevonden);
            }
            r => return Ok(r?),
        }
    }
}

/// A timer that fired in this round: logged, and added to its transaction.
fn gewekt(ronde: &mut Ronde, batch: &mut Batch, g: Gewekt) {
    ronde.timers += 1;
    tracing::info!(
        timer = g.wekker.volgorde,
        due = %crate::bericht::tijdstip::format(&g.wekker.tijd),
        outcome = %g.uitslag,
        out = g.uit.len(),
        "timer fired"
    );
    batch.neem_gewekt(g);
}

/// Checks every message of a round at once: one thread per validator.
fn controleer_allemaal(
    pipeline: &Pipeline,
    binnen: &[Binnenkomst],
) -> Vec<Result<Controle, HubFout>> {
    let draden = pipeline.threads().clamp(1, binnen.len().max(1));
    if draden == 1 {
        return binnen
            .iter()
            .map(|b| Hub::controleer(pipeline, &b.ontvangen))
            .collect();
    }
    let deel = binnen.len().div_ceil(draden);
    std::thread::scope(|s| {
        let handen: Vec<_> = binnen
            .chunks(deel)
            .map(|stuk| {
                s.spawn(move || {
                    stuk.iter()
                        .map(|b| Hub::controleer(pipeline, &b.ontvangen))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handen
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    })
}

pub struct Dispatcher<'a, S: Store> {
    pub hub: Hub<'a>,
    store: S,
    postbus: Postbus,
    klok: Klok,
    /// Most messages in one transaction.
    batch: usize,
    /// Most entries the state cache keeps between rounds.
    cache: usize,
    /// AMQP: earlier rounds' answers, published, confirms still to come;
    /// marked sent in a later round's transaction once confirmed.
    onderweg: VecDeque<(Onderweg, Vec<u64>)>,
    /// Faults of single mailboxes and files (the round goes on without them).
    storingen: Storingen,
    /// Files left alone until then: a read that may work later, or a
    /// processed file that could not be moved.
    later: BTreeMap<(Deelnemercode, String, Identiteit), Instant>,
    /// When answers held back by a failing `out` folder are tried again.
    lever_opnieuw: Option<Instant>,
    metingen: Option<std::sync::Arc<crate::metingen::Metingen>>,
    heraanbod: Option<std::sync::Arc<tokio::sync::Notify>>,
}

/// Most rounds of answers waiting for their confirms at once.
const MAX_ONDERWEG: usize = 16;

impl<'a, S: Store> Dispatcher<'a, S> {
    pub fn new(hub: Hub<'a>, store: S, postbus: Postbus, batch: usize) -> Dispatcher<'a, S> {
        Dispatcher {
            hub,
            store,
            postbus,
            klok: Klok::new(),
            batch: batch.max(1),
            cache: 50_000,
            onderweg: VecDeque::new(),
            storingen: Storingen::default(),
            later: BTreeMap::new(),
            lever_opnieuw: None,
            metingen: None,
            heraanbod: None,
        }
    }

    /// Sets how many claims, keys and inbox entries stay cached between rounds.
    pub fn met_cache(mut self, max: usize) -> Self {
        self.cache = max;
        self
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The faults of single mailboxes and files open now.
    pub fn storingen(&self) -> &Storingen {
        &self.storingen
    }

    /// Counts messages and times rounds into `metingen` (the `/metrics` endpoint).
    pub fn met_metingen(mut self, metingen: std::sync::Arc<crate::metingen::Metingen>) -> Self {
        self.metingen = Some(metingen);
        self
    }

    /// `heraanbod` wakes the dispatcher to deliver what the operator put
    /// back in the outbox (a re-delivery).
    pub fn met_heraanbod(mut self, heraanbod: std::sync::Arc<tokio::sync::Notify>) -> Self {
        self.heraanbod = Some(heraanbod);
        self
    }

    /// Reports mailbox faults into `storingen` (shared with the caller, and
    /// kept across the supervisor's attempts) instead of a fresh set.
    pub fn met_storingen(mut self, storingen: Storingen) -> Self {
        self.storingen = storingen;
        self
    }

    /// Gives the mailbox back (to close an AMQP connection cleanly).
    pub fn postbus(self) -> Postbus {
        self.postbus
    }

    /// How long to wait for mail before the next due timer, at most `interval`.
    fn wachttijd(&mut self, interval: Duration) -> Duration {
        match self.hub.toestand.volgende_wekker() {
            Some(w) => (w.tijd - self.klok.nu())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(interval),
            None => interval,
        }
    }

    /// Runs until `stop` turns true. Directory mailboxes: `wek` wakes it when
    /// a file arrives (it also looks every `interval`). AMQP: deliveries wake it.
    pub async fn draai(
        &mut self,
        mut stop: watch::Receiver<bool>,
        mut wek: mpsc::Receiver<()>,
        interval: Duration,
    ) -> Result<(), DispatcherFout> {
        // Answers committed before a crash but not yet delivered go first.
        self.relay().await?;
        // AMQP: the round whose transaction is running while the next one is
        // prepared. Its messages are acked and its answers published only
        // after that commit, and the next round's commit starts only then, so
        // the store still sees rounds one after another, all or nothing. The
        // cache is emptied only with no round in flight: it holds the
        // changes the store does not have yet.
        let mut lopend: Option<Lopend> = None;
        loop {
            if *stop.borrow() {
                if let Some(l) = lopend.take() {
                    self.rond(l).await?;
                }
                return self.rond_af().await;
            }
            if let Postbus::Amqp(_) = self.postbus {
                // With a round in flight, take only what has arrived already.
                let wacht = match lopend {
                    Some(_) => Duration::ZERO,
                    None => self.wachttijd(interval),
                };
                let v = tokio::select! {
                    _ = stop.changed() => continue,
                    v = self.bereid(wacht) => v,
                };
                let v = match v {
                    Ok(v) => v,
                    Err(e) => {
                        // The caller starts again from the store: not before
                        // the commit in flight has ended, one way or the other.
                        if let Some(Lopend { commit: Ok(t), .. }) = lopend.take() {
                            let _ = t.await;
                        }
                        return Err(e);
                    }
                };
                if let Some(l) = lopend.take() {
                    self.rond(l).await?;
                }
                let l = self.begin_commit(v);
                if l.ronde.berichten == 0 || self.hub.toestand.omvang() > self.cache {
                    self.rond(l).await?;
                    self.hub.toestand.vergeet_boven(self.cache);
                } else {
                    lopend = Some(l);
                }
                continue;
            }
            let wacht = self.wachttijd(interval);
            if self.lever_opnieuw.is_some_and(|t| Instant::now() >= t) {
                self.lever_opnieuw = None;
                self.relay().await?;
            }
            let ronde = self.ronde(Duration::ZERO).await?;
            if ronde.berichten > 0 || ronde.timers > 0 || ronde.al_verwerkt > 0 {
                continue;
            }
            let heraanbod = self.heraanbod.clone();
            let heraanbod = async {
                match heraanbod {
                    Some(h) => h.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop.changed() => {}
                _ = wek.recv() => {}
                _ = tokio::time::sleep(wacht) => {}
                _ = heraanbod => self.lever_opnieuw = Some(Instant::now()),
            }
        }
    }

    /// Takes up to `batch` inbound messages, and at most [`MAX_RONDE_BYTES`]
    /// (AMQP: waiting at most `wacht` for the first). A file or mailbox
    /// that cannot be read is reported and left; the rest are taken.
    async fn haal(&mut self, wacht: Duration) -> Result<Vec<Binnenkomst>, DispatcherFout> {
        let mut uit = Vec::new();
        let mut omvang = 0usize;
        match &mut self.postbus {
            Postbus::Mappen(m) => {
                let lijst = m.nieuwe();
                for c in m.codes() {
                    match lijst.fouten.iter().find(|(f, _)| f == c) {
                        Some((_, e)) => self.storingen.meld(
                            c,
                            Plek::In,
                            format!("{} cannot be listed: {e}", m.in_map(c).display()),
                        ),
                        None => self.storingen.hersteld(c, Plek::In),
                    }
                }
                let nu = Instant::now();
                self.later.retain(|_, t| *t > nu);
                for b in lijst.binnen {
                    if uit.len() >= self.batch || omvang >= MAX_RONDE_BYTES {
                        break;
                    }
                    let sleutel = (b.mailbox.clone(), b.naam.clone(), b.identiteit);
                    if self.later.contains_key(&sleutel) {
                        continue;
                    }
                    let plek = Plek::Bestand(b.naam.clone());
                    let gelezen = match m.lees(&b) {
                        Ok(g) => g,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(e) => {
                            // Not the sender's fault (I/O, no descriptors
                            // left): the file stays and is tried again.
                            self.storingen.meld(
                                &b.mailbox,
                                plek,
                                format!("cannot be read now: {e}"),
                            );
                            self.later.insert(sleutel, nu + LEES_OPNIEUW);
                            continue;
                        }
                    };
                    self.storingen.hersteld(&b.mailbox, plek);
                    omvang += gelezen.ontvangen.omvang();
                    uit.push(Binnenkomst {
                        mailbox: b.mailbox.clone(),
                        hash: gelezen.ontvangen.hash(),
                        ontvangen: gelezen.ontvangen,
                        herkomst: Herkomst::Map,
                        bron: Bron::Bestand(b, gelezen.identiteit),
                    });
                }
            }
            Postbus::Amqp(a) => {
                for mut l in a.haal(self.batch, wacht).await? {
                    let ontvangen = Ontvangen::van_bytes(std::mem::take(&mut l.bytes));
                    omvang += ontvangen.omvang();
                    uit.push(Binnenkomst {
                        mailbox: l.mailbox.clone(),
                        hash: ontvangen.hash(),
                        ontvangen,
                        herkomst: Herkomst::Amqp {
                            user_id: l.user_id.take(),
                        },
                        bron: Bron::Levering(l),
                    });
                    if omvang >= MAX_RONDE_BYTES {
                        break;
                    }
                }
            }
        }
        Ok(uit)
    }

    /// The seq of this message's log line when the store committed it
    /// already (a crash cut off its move or ack); it is then only confirmed.
    async fn al_verwerkt(&self, b: &Binnenkomst) -> Result<Option<u64>, DispatcherFout> {
        Ok(match &b.bron {
            Bron::Bestand(f, _) => match self.store.bestand(&b.mailbox, &f.naam).await? {
                Some(rij) if rij.hash == b.hash && !rij.verplaatst => Some(rij.seq),
                _ => None,
            },
            Bron::Levering(l) => {
                (l.herbezorgd && self.store.al_ontvangen(&b.mailbox, &b.hash).await?).then_some(0)
            }
        })
    }

    /// One round (see the module doc), start to end.
    pub async fn ronde(&mut self, wacht: Duration) -> Result<Ronde, DispatcherFout> {
        let v = self.bereid(wacht).await?;
        let l = self.begin_commit(v);
        let ronde = self.rond(l).await?;
        // Everything is committed: the cache may shrink.
        self.hub.toestand.vergeet_boven(self.cache);
        Ok(ronde)
    }

    /// Steps 1–3 of a round: its messages processed in memory (the hub's
    /// state runs ahead of the store until [`Dispatcher::rond`]).
    async fn bereid(&mut self, wacht: Duration) -> Result<Voorbereid, DispatcherFout> {
        let mut ronde = Ronde::default();
        let mut batch = Batch::default();

        let nu = self.klok.nu();
        self.wek(nu, &mut ronde, &mut batch).await?;

        let mut fasen = Fasen::new();
        let binnen = self.haal(wacht).await?;
        fasen.klaar("take");
        let mut nieuw = Vec::new();
        let mut bevestig = Vec::new();
        for b in binnen {
            if let Some(seq) = self.al_verwerkt(&b).await? {
                tracing::info!(mailbox = %b.mailbox, seq, "committed before; confirmed, not processed again");
                ronde.al_verwerkt += 1;
                bevestig.push(match b.bron {
                    Bron::Bestand(f, i) => Bevestiging::Bestand(f, i, seq),
                    Bron::Levering(l) => Bevestiging::Levering(l),
                });
            } else {
                nieuw.push(b);
            }
        }

        let pipeline = self.hub.pipeline();
        let controles = match &self.postbus {
            // Only AMQP runs on a multi-threaded runtime worker that may block.
            Postbus::Amqp(_) if nieuw.len() > 1 => {
                tokio::task::block_in_place(|| controleer_allemaal(pipeline, &nieuw))
            }
            _ => controleer_allemaal(pipeline, &nieuw),
        };
        let controles: Vec<Controle> = controles.into_iter().collect::<Result<_, _>>()?;
        fasen.klaar("check");

        // One store round trip for what the engine will look up.
        let nu = self.klok.nu();
        let mut vragen: Vec<Vraag> = Vec::new();
        for (b, c) in nieuw.iter().zip(&controles) {
            vragen.extend(self.hub.peil(&b.mailbox, &b.herkomst, nu, &b.hash, c));
        }
        vragen.sort();
        vragen.dedup();
        if !vragen.is_empty() {
            let gevonden = self.store.zoek(&vragen).await?;
            self.hub.toestand.vul(gevonden);
        }
        fasen.klaar("lookup");

        for (b, controle) in nieuw.into_iter().zip(controles) {
            let at = self.klok.nu();
            self.wek(at, &mut ronde, &mut batch).await?;
            let herkomst = &b.herkomst;
            let v = opgezocht(&self.store, &mut self.hub, |h| {
                h.verwerk(&b.mailbox, herkomst, at, &b.hash, &controle)
            })
            .await?;
            let (bestand, herbezorgd) = match &b.bron {
                Bron::Bestand(f, _) => (Some(f.naam.as_str()), false),
                Bron::Levering(l) => (None, l.herbezorgd),
            };
            tracing::info!(
                mailbox = %b.mailbox,
                file = bestand.unwrap_or_default(),
                redelivered = herbezorgd,
                seq = v.seq_in,
                bericht_id = v.bericht_id.as_ref().map(|b| b.to_string()).unwrap_or_default(),
                claim_id = v.claim.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                outcome = %v.uitslag,
                out = v.uit.len(),
                "message processed"
            );
            if let Some(naam) = bestand {
                batch.bestanden.push(Bestand {
                    mailbox: b.mailbox.clone(),
                    naam: naam.to_string(),
                    hash: v.hash.clone(),
                    seq: v.seq_in,
                });
            }
            // The bytes move into the log line: the store keeps them exactly.
            let in_regel = Logregel::binnen(
                Some(v.seq_in),
                at,
                b.mailbox.to_string(),
                b.herkomst,
                b.ontvangen,
            );
            let uitslag_tekst = v.uitslag.to_string();
            batch.regels.extend(logrijen(
                Some(Inregel {
                    regel: in_regel,
                    hash: v.hash,
                    uitslag: v.uitslag,
                    claim: v.claim.clone(),
                    bericht_id: v.bericht_id,
                }),
                None,
                &v.uit,
            ));
            batch.wijzigingen.extend(v.wijzigingen);
            ronde.berichten += 1;
            if let Some(m) = &self.metingen {
                m.uitslag(&uitslag_tekst);
            }
            bevestig.push(match b.bron {
                Bron::Bestand(f, i) => Bevestiging::Bestand(f, i, v.seq_in),
                Bron::Levering(l) => Bevestiging::Levering(l),
            });
        }

        fasen.klaar("engine");
        // Earlier answers the broker has confirmed meanwhile are marked sent
        // in this transaction; the rest wait for a later one.
        while let Some((onderweg, _)) = self.onderweg.front_mut() {
            if !onderweg.binnen().await? && self.onderweg.len() < MAX_ONDERWEG {
                break;
            }
            if let Some((onderweg, seqs)) = self.onderweg.pop_front() {
                onderweg.bevestigd().await?;
                batch.verzonden.extend(seqs);
            }
        }
        fasen.klaar("confirm-out");
        Ok(Voorbereid {
            ronde,
            batch,
            bevestig,
            fasen,
        })
    }

    /// Step 4 begins: the round's transaction runs on a task of its own.
    fn begin_commit(&self, v: Voorbereid) -> Lopend {
        let commit = if v.batch.is_leeg() {
            Err(v.batch)
        } else {
            Ok(self.store.bewaar_los(v.batch))
        };
        Lopend {
            ronde: v.ronde,
            commit,
            bevestig: v.bevestig,
            fasen: v.fasen,
        }
    }

    /// Steps 4–6 end: waits for the round's commit, then confirms its
    /// inbound messages and delivers its answers.
    async fn rond(&mut self, l: Lopend) -> Result<Ronde, DispatcherFout> {
        let Lopend {
            mut ronde,
            commit,
            bevestig,
            mut fasen,
        } = l;
        let batch = match commit {
            Err(leeg) => leeg,
            Ok(taak) => taak.await??,
        };
        fasen.klaar("commit");
        self.bevestig(bevestig).await?;
        fasen.klaar("confirm-in");
        let uit: Vec<Uitgaand> = batch
            .regels
            .into_iter()
            .filter_map(|r| {
                Some(Uitgaand {
                    seq: r.regel.seq?,
                    mailbox: Deelnemercode::new(r.regel.mailbox.as_str()).ok()?,
                    bericht_id: r.bericht_id?.to_string(),
                    xml: r.regel.xml.into_bytes(),
                })
            })
            .collect();
        ronde.verzonden = self.lever(&uit).await?;
        if ronde.berichten == 0 && ronde.timers == 0 {
            self.rond_af().await?;
        }
        fasen.klaar("deliver");
        if let Some(m) = &self.metingen
            && (ronde.berichten > 0 || ronde.timers > 0 || ronde.verzonden > 0)
        {
            m.werk_gedaan();
        }
        if let Some(m) = &self.metingen {
            let totaal: Duration = fasen.fasen.iter().map(|(_, d)| *d).sum();
            if ronde.berichten > 0 || ronde.timers > 0 {
                m.ronde.observe(totaal.as_secs_f64());
            }
            m.ronde_klaar(crate::metingen::Rondeverslag {
                eind: std::time::SystemTime::now(),
                duur: totaal,
                berichten: ronde.berichten,
                timers: ronde.timers,
                verzonden: ronde.verzonden,
            });
        }
        if ronde.berichten > 0 {
            tracing::debug!(messages = ronde.berichten, out = ronde.verzonden, phases = %fasen, "round");
        }
        Ok(ronde)
    }

    /// Fires the timers due by `tot` into the round's transaction.
    async fn wek(
        &mut self,
        tot: DateTime<FixedOffset>,
        ronde: &mut Ronde,
        batch: &mut Batch,
    ) -> Result<(), DispatcherFout> {
        let mut vuur = Vec::new();
        opgezocht(&self.store, &mut self.hub, |h| h.wek_tot_in(tot, &mut vuur)).await?;
        for g in vuur {
            gewekt(ronde, batch, g);
        }
        Ok(())
    }

    /// Moves committed files to `verwerkt/` (and records it) or acks
    /// deliveries. A file that cannot be moved is that file's fault: it is
    /// reported and left, and the store knows it was committed, so it is
    /// never processed twice. A full disk is the hub's, and ends the round.
    async fn bevestig(&mut self, bevestig: Vec<Bevestiging>) -> Result<(), DispatcherFout> {
        let mut namen: Vec<(Deelnemercode, String)> = Vec::new();
        let mut leveringen = Vec::new();
        for h in bevestig {
            match h {
                Bevestiging::Bestand(f, identiteit, seq) => {
                    let Postbus::Mappen(m) = &self.postbus else {
                        continue;
                    };
                    let plek = Plek::Bestand(f.naam.clone());
                    match m.klaar(&f, identiteit, seq) {
                        Ok(v) => {
                            if v == Verplaatsing::Vervangen {
                                tracing::info!(mailbox = %f.mailbox, file = %f.naam, seq, "the name holds a new file; the processed one was replaced by the participant");
                            }
                            self.storingen.hersteld(&f.mailbox, plek);
                            namen.push((f.mailbox, f.naam));
                        }
                        Err(e) if crate::bewaking::schijf_vol_io(&e) => return Err(e.into()),
                        Err(e) => {
                            self.storingen.meld(
                                &f.mailbox,
                                plek,
                                format!(
                                    "processed (log seq {seq}) but cannot be moved to {}: {e}",
                                    m.verwerkt_map(&f.mailbox).display()
                                ),
                            );
                            self.later.insert(
                                (f.mailbox.clone(), f.naam.clone(), f.identiteit),
                                Instant::now() + VERPLAATS_OPNIEUW,
                            );
                        }
                    }
                }
                Bevestiging::Levering(l) => leveringen.push(l),
            }
        }
        if !namen.is_empty() {
            self.store.verplaatst(&namen).await?;
        }
        if let Postbus::Amqp(a) = &self.postbus
            && !leveringen.is_empty()
        {
            a.ack(leveringen).await?;
        }
        Ok(())
    }

    /// Delivers outbound messages durably, then marks them sent. Directory:
    /// an `out` folder that takes no answers is that mailbox's fault: its
    /// answers stay in the outbox (tried again every [`LEVER_OPNIEUW`]) and
    /// the others are delivered; a full disk ends the round. AMQP: the
    /// round's answers are published and the dispatcher goes on; a later
    /// round marks them sent once their confirms are in (or
    /// [`Dispatcher::rond_af`] when the hub is idle or stops).
    async fn lever(&mut self, uit: &[Uitgaand]) -> Result<usize, DispatcherFout> {
        if uit.is_empty() {
            return Ok(0);
        }
        match &self.postbus {
            Postbus::Mappen(m) => {
                let mut geleverd = Vec::with_capacity(uit.len());
                let mut mislukt: BTreeMap<&Deelnemercode, std::io::Error> = BTreeMap::new();
                for u in uit {
                    match m.lever(&u.mailbox, &u.bericht_id, &u.xml) {
                        Ok(()) => geleverd.push(u.seq),
                        Err(e) if crate::bewaking::schijf_vol_io(&e) => return Err(e.into()),
                        Err(e) => {
                            mislukt.insert(&u.mailbox, e);
                        }
                    }
                }
                m.bevestig()?;
                for u in uit {
                    match mislukt.get(&u.mailbox) {
                        Some(e) => self.storingen.meld(
                            &u.mailbox,
                            Plek::Uit,
                            format!(
                                "answers cannot be written to {}: {e}; they wait in the outbox",
                                m.out_map(&u.mailbox).display()
                            ),
                        ),
                        None => self.storingen.hersteld(&u.mailbox, Plek::Uit),
                    }
                }
                if !mislukt.is_empty() && self.lever_opnieuw.is_none() {
                    self.lever_opnieuw = Some(Instant::now() + LEVER_OPNIEUW);
                }
                if !geleverd.is_empty() {
                    self.store.verzonden(&geleverd).await?;
                }
                Ok(geleverd.len())
            }
            Postbus::Amqp(a) => {
                let seqs: Vec<u64> = uit.iter().map(|u| u.seq).collect();
                let berichten: Vec<TeVerzenden<'_>> = uit
                    .iter()
                    .map(|u| TeVerzenden {
                        mailbox: &u.mailbox,
                        bericht_id: &u.bericht_id,
                        xml: &u.xml,
                    })
                    .collect();
                let onderweg = a.publiceer(&berichten).await?;
                self.onderweg.push_back((onderweg, seqs));
                Ok(uit.len())
            }
        }
    }

    /// Waits for the confirms of what is still on its way and marks it sent.
    async fn rond_af(&mut self) -> Result<(), DispatcherFout> {
        let mut seqs = Vec::new();
        while let Some((onderweg, s)) = self.onderweg.pop_front() {
            onderweg.bevestigd().await?;
            seqs.extend(s);
        }
        if !seqs.is_empty() {
            self.store.verzonden(&seqs).await?;
        }
        Ok(())
    }

    /// Delivers every committed, unsent outbound message (after a restart,
    /// and again while an `out` folder fails), page by page in seq order, so
    /// answers a failing mailbox cannot take do not hold up the others.
    async fn relay(&mut self) -> Result<usize, DispatcherFout> {
        let mut aantal = 0;
        let mut na = 0u64;
        loop {
            let open = self.store.onverzonden(500, na).await?;
            let Some(laatste) = open.last() else {
                return Ok(aantal);
            };
            na = laatste.seq;
            aantal += self.lever(&open).await?;
            self.rond_af().await?;
        }
    }
}
