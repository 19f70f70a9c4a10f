//! The dispatcher: the imperative shell that runs the hub (operations.md
//! "Shape").
//!
//! One loop, so one claim's messages are handled strictly in order:
//!
//! 1. fire the timers due by now (the scheduler), then take up to
//!    `batch` waiting files, oldest first; each goes through the in-memory
//!    [`Hub`] (checks, engine, the timers due before it);
//! 2. write everything of the round (log lines with the raw bytes, the
//!    engine's changes, the outbox, which file it was) in **one** transaction;
//! 3. only then move the files to `.done/`;
//! 4. deliver the committed outbox (the relay) and mark it sent.
//!
//! A crash anywhere leaves either an uncommitted round (the files are still
//! there and are read again) or a committed one (the store knows each file by
//! name and hash: it is moved, not processed again; unsent answers are
//! written again under the same name). The hub's state in memory runs ahead
//! of the store within a round, so a failed commit stops the hub: restarting
//! from the store is the recovery.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Local, SubsecRound};
use tokio::sync::{mpsc, watch};

use crate::bericht::Deelnemercode;
use crate::replay::Hub;
use crate::replay::{Gewekt, HubFout, Logregel, Richting};
use crate::store::{Batch, Bestand, Logrij, Store, StoreFout, logrijen};
use crate::transport::directory::{Binnen, Mappen};

#[derive(Debug, thiserror::Error)]
pub enum DispatcherFout {
    #[error(transparent)]
    Store(#[from] StoreFout),
    #[error(transparent)]
    Hub(#[from] HubFout),
    #[error("mailbox: {0}")]
    Mailbox(#[from] std::io::Error),
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

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ronde {
    pub berichten: usize,
    pub timers: usize,
    pub verzonden: usize,
}

pub struct Dispatcher<'a, S: Store> {
    pub hub: Hub<'a>,
    store: S,
    mappen: Mappen,
    klok: Klok,
    /// Most files in one transaction.
    batch: usize,
}

impl<'a, S: Store> Dispatcher<'a, S> {
    pub fn new(hub: Hub<'a>, store: S, mappen: Mappen, batch: usize) -> Dispatcher<'a, S> {
        Dispatcher {
            hub,
            store,
            mappen,
            klok: Klok::new(),
            batch: batch.max(1),
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Runs until `stop` turns true; `wek` wakes it when a file arrives (it
    /// also looks every `interval`, in case a notification is missed).
    pub async fn draai(
        &mut self,
        mut stop: watch::Receiver<bool>,
        mut wek: mpsc::Receiver<()>,
        interval: Duration,
    ) -> Result<(), DispatcherFout> {
        // Answers committed before a crash but not yet delivered go first.
        self.relay().await?;
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            let ronde = self.ronde().await?;
            if ronde.berichten > 0 || ronde.timers > 0 {
                continue;
            }
            let wacht = match self.hub.toestand.volgende_wekker() {
                Some(w) => {
                    let tot = (w.tijd - self.klok.nu()).to_std().unwrap_or(Duration::ZERO);
                    tot.min(interval)
                }
                None => interval,
            };
            tokio::select! {
                _ = stop.changed() => {}
                _ = wek.recv() => {}
                _ = tokio::time::sleep(wacht) => {}
            }
        }
    }

    /// One round: due timers, up to `batch` files, one commit, moves, relay.
    pub async fn ronde(&mut self) -> Result<Ronde, DispatcherFout> {
        let mut ronde = Ronde::default();
        let mut batch = Batch::default();
        let mut klaar: Vec<Binnen> = Vec::new();
        let mut al_verwerkt: Vec<Binnen> = Vec::new();

        let nu = self.klok.nu();
        for g in self.hub.wek_tot(nu)? {
            gewekt(&mut ronde, &mut batch, g);
        }

        for b in self.mappen.nieuwe()?.into_iter().take(self.batch) {
            let bytes = match std::fs::read(&b.pad) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            let hash = crate::engine::inhoud_hash(&bytes);
            if let Some((h, verplaatst)) = self.store.bestand(&b.mailbox, &b.naam).await?
                && h == hash
                && !verplaatst
            {
                // Committed before a crash cut off its move.
                tracing::info!(mailbox = %b.mailbox, file = %b.naam, "already committed; moved to .done");
                al_verwerkt.push(b);
                continue;
            }
            let at = self.klok.nu();
            let v = self.hub.ontvang(&b.mailbox, at, &bytes)?;
            for g in v.gewekt {
                gewekt(&mut ronde, &mut batch, g);
            }
            tracing::info!(
                mailbox = %b.mailbox,
                file = %b.naam,
                seq = v.seq_in,
                bericht_id = v.bericht_id.as_ref().map(|b| b.to_string()).unwrap_or_default(),
                claim_id = v.claim.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                outcome = %v.uitslag,
                out = v.uit.len(),
                "message processed"
            );
            let in_regel = Logregel {
                seq: Some(v.seq_in),
                at,
                direction: Richting::In,
                mailbox: b.mailbox.to_string(),
                xml: String::from_utf8_lossy(&bytes).into_owned(),
            };
            let mut rijen = logrijen(Some((in_regel, v.hash.clone(), v.uitslag)), &v.uit);
            if let Some(Logrij { ruw, .. }) = rijen.first_mut() {
                *ruw = Some(bytes);
            }
            batch.regels.extend(rijen);
            batch.wijzigingen.extend(v.wijzigingen);
            batch.bestanden.push(Bestand {
                mailbox: b.mailbox.clone(),
                naam: b.naam.clone(),
                hash: v.hash,
                seq: v.seq_in,
            });
            ronde.berichten += 1;
            klaar.push(b);
        }

        if !batch.is_leeg() {
            self.store.bewaar(&batch).await?;
        }
        klaar.extend(al_verwerkt);
        for b in &klaar {
            self.mappen.klaar(b)?;
        }
        if !klaar.is_empty() {
            let namen: Vec<(Deelnemercode, String)> = klaar
                .iter()
                .map(|b| (b.mailbox.clone(), b.naam.clone()))
                .collect();
            self.store.verplaatst(&namen).await?;
        }
        ronde.verzonden = self.relay().await?;
        Ok(ronde)
    }

    /// Delivers every committed, unsent outbound message and marks it sent.
    async fn relay(&mut self) -> Result<usize, DispatcherFout> {
        let mut aantal = 0;
        loop {
            let open = self.store.onverzonden(500).await?;
            if open.is_empty() {
                return Ok(aantal);
            }
            for u in &open {
                self.mappen.lever(&u.mailbox, &u.bericht_id, &u.xml)?;
            }
            self.mappen.bevestig()?;
            let seqs: Vec<u64> = open.iter().map(|u| u.seq).collect();
            self.store.verzonden(&seqs).await?;
            aantal += open.len();
        }
    }
}
