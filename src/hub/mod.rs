//! The hub: what happens to one message. [`Hub`] is the imperative shell
//! around the pure engine, in memory: the checks (codec pipeline), the engine
//! and a [`Toestand`], numbering what goes out. Its drivers stand beside one
//! another above it: `replay` (a message-log file), `simulatie` (a typed
//! session), and the `dispatcher` (the running hub: mailboxes and store).
//!
//! [`logregel`] is the message-log line all of them read and write.

pub mod logregel;

use chrono::{DateTime, FixedOffset};

use crate::bericht::{BerichtId, ClaimId, Deelnemercode, Foutcode, Weigering};
use crate::codec::{Ontvangen, Pipeline, Toegestaan, ValidatorFout};
use crate::engine::{
    self, Context, EngineFout, Invoer, Toestand, Uitslag, Wekker, Wijziging, Zicht,
};

pub use logregel::{Herkomst, Logregel, Richting};

/// A fault of the hub itself while processing a message (never the sender's).
#[derive(Debug, thiserror::Error)]
pub enum HubFout {
    #[error(transparent)]
    Validator(#[from] ValidatorFout),
    #[error(transparent)]
    Engine(#[from] EngineFout),
    #[error("timer {0} is still due after it fired")]
    Timer(u64),
    /// A partial state lacked what the engine looked up: the shell loads it
    /// from the store and tries again (nothing was applied).
    #[error("{} lookups to load from the store", .0.len())]
    Ontbreekt(Vec<engine::Vraag>),
}

/// What the checks made of an inbound message: the message, or its refusal.
pub type Controle = Result<crate::bericht::Bericht, crate::bericht::Weigering>;

/// The in-memory hub: checks, engine and state.
pub struct Hub<'a> {
    pipeline: &'a Pipeline,
    ctx: Context<'a>,
    pub toestand: Toestand,
    seq: u64,
}

/// The result of one inbound message.
#[derive(Debug, Clone, PartialEq)]
pub struct Verwerkt {
    /// The timers that were due before it (rules.md §7), in firing order.
    pub gewekt: Vec<Gewekt>,
    pub seq_in: u64,
    /// SHA-256 of the bytes (the inbox compares it).
    pub hash: String,
    /// The message's BerichtId, when it could be read.
    pub bericht_id: Option<BerichtId>,
    pub claim: Option<ClaimId>,
    pub uitslag: Uitslag,
    pub uit: Vec<Logregel>,
    /// The state changes, as applied (a store writes the same).
    pub wijzigingen: Vec<Wijziging>,
}

/// One timer or held message that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Gewekt {
    pub wekker: Wekker,
    pub uitslag: Uitslag,
    pub uit: Vec<Logregel>,
    pub wijzigingen: Vec<Wijziging>,
}

impl<'a> Hub<'a> {
    pub fn new(pipeline: &'a Pipeline, ctx: Context<'a>) -> Hub<'a> {
        Hub::met_toestand(pipeline, ctx, Toestand::default(), 0)
    }

    /// A hub that goes on from a stored state whose log ends at `seq`.
    pub fn met_toestand(
        pipeline: &'a Pipeline,
        ctx: Context<'a>,
        toestand: Toestand,
        seq: u64,
    ) -> Hub<'a> {
        Hub {
            pipeline,
            ctx,
            toestand,
            seq,
        }
    }

    /// Fires every timer and held message due at or before `tot`, in due-time
    /// order (ties in set order), each at its own due time.
    pub fn wek_tot(&mut self, tot: DateTime<FixedOffset>) -> Result<Vec<Gewekt>, HubFout> {
        let mut gewekt: Vec<Gewekt> = Vec::new();
        self.wek_tot_in(tot, &mut gewekt)?;
        Ok(gewekt)
    }

    /// [`Hub::wek_tot`] into `gewekt`: on [`HubFout::Ontbreekt`] the timers
    /// fired so far are in it, and a second call goes on after them.
    pub fn wek_tot_in(
        &mut self,
        tot: DateTime<FixedOffset>,
        gewekt: &mut Vec<Gewekt>,
    ) -> Result<(), HubFout> {
        while let Some(wekker) = self.toestand.volgende_wekker() {
            if wekker.tijd > tot {
                break;
            }
            // The same timer again means firing did not remove it: stop, not loop.
            if gewekt.last().is_some_and(|g| g.wekker == wekker) {
                return Err(HubFout::Timer(wekker.volgorde));
            }
            let uitkomst = engine::verwerk(
                &self.toestand as &dyn Zicht,
                self.ctx,
                Invoer::Wekker(&wekker),
            );
            self.compleet()?;
            let uitkomst = uitkomst?;
            self.toestand.pas_toe(uitkomst.wijzigingen.clone());
            let uit = self.nummer(wekker.tijd, uitkomst.berichten);
            gewekt.push(Gewekt {
                wekker,
                uitslag: uitkomst.uitslag,
                uit,
                wijzigingen: uitkomst.wijzigingen,
            });
        }
        Ok(())
    }

    /// Fails with what the engine's last run could not look up (partial state).
    fn compleet(&self) -> Result<(), HubFout> {
        let missers = self.toestand.neem_missers();
        if missers.is_empty() {
            Ok(())
        } else {
            Err(HubFout::Ontbreekt(missers))
        }
    }

    fn nummer(
        &mut self,
        at: DateTime<FixedOffset>,
        berichten: Vec<engine::Uitgaand>,
    ) -> Vec<Logregel> {
        berichten
            .into_iter()
            .map(|u| {
                self.seq += 1;
                Logregel::uit(self.seq, at, u.mailbox.to_string(), u.xml)
            })
            .collect()
    }

    /// One inbound message as it arrived in directory mailbox `mailbox` at
    /// `at`; the timers due at or before `at` fire first. For a whole state
    /// (replay, tests).
    pub fn ontvang(
        &mut self,
        mailbox: &Deelnemercode,
        at: DateTime<FixedOffset>,
        bytes: &[u8],
    ) -> Result<Verwerkt, HubFout> {
        self.ontvang_als(mailbox, &Herkomst::Map, at, bytes)
    }

    /// [`Hub::ontvang`] of a message that came as `herkomst` says.
    pub fn ontvang_als(
        &mut self,
        mailbox: &Deelnemercode,
        herkomst: &Herkomst,
        at: DateTime<FixedOffset>,
        bytes: &[u8],
    ) -> Result<Verwerkt, HubFout> {
        self.ontvang_ontvangen(mailbox, herkomst, at, &Ontvangen::Heel(bytes.to_vec()))
    }

    /// [`Hub::ontvang_als`] of a message as the hub read it (too large, or
    /// a file it could not read: how replay sees a logged line).
    pub fn ontvang_ontvangen(
        &mut self,
        mailbox: &Deelnemercode,
        herkomst: &Herkomst,
        at: DateTime<FixedOffset>,
        ontvangen: &Ontvangen,
    ) -> Result<Verwerkt, HubFout> {
        let gewekt = self.wek_tot(at)?;
        let oordeel = Hub::controleer(self.pipeline, ontvangen)?;
        let hash = ontvangen.hash();
        let mut v = self.verwerk(mailbox, herkomst, at, &hash, &oordeel)?;
        v.gewekt = gewekt;
        Ok(v)
    }

    pub fn pipeline(&self) -> &'a Pipeline {
        self.pipeline
    }

    /// What the engine would look up for this message that a partial state
    /// lacks: a dry run, nothing applied (the shell loads these in one go).
    pub fn peil(
        &self,
        mailbox: &Deelnemercode,
        herkomst: &Herkomst,
        at: DateTime<FixedOffset>,
        hash: &str,
        oordeel: &Controle,
    ) -> Vec<engine::Vraag> {
        // A message refused for who published it looks nothing up.
        if !self.toestand.is_gedeeltelijk()
            || self.niet_van_eigenaar(mailbox, herkomst, oordeel).is_some()
        {
            return Vec::new();
        }
        // A dry run: the lookups it misses are what `verwerk` will need.
        let _ = engine::verwerk(
            &engine::Peiling(&self.toestand),
            self.ctx,
            invoer(mailbox, at, hash, oordeel),
        );
        self.toestand.neem_missers()
    }

    /// The checks of [`Hub::ontvang`] alone: the slow, stateless part, which
    /// the dispatcher runs for many messages at once.
    pub fn controleer(pipeline: &Pipeline, ontvangen: &Ontvangen) -> Result<Controle, HubFout> {
        Ok(pipeline.controleer_ontvangen(ontvangen, Toegestaan::Inkomend)?)
    }

    /// An AMQP message that its mailbox's owner did not publish, or that
    /// does not say who did: the A01 refusal and who is told of it.
    ///
    /// The broker vouches for `user_id` (it equals the connection's user, and
    /// no participant may impersonate), so a `user_id` names the publisher,
    /// who gets the `Foutbericht` when it is a participant; the mailbox's
    /// owner never hears of a message another put into its queue. Without
    /// `user_id` the owner is told: on the topology the hub checks at start
    /// (docs/broker.md) only the owner's user can publish into its queue.
    fn niet_van_eigenaar(
        &self,
        mailbox: &Deelnemercode,
        herkomst: &Herkomst,
        oordeel: &Controle,
    ) -> Option<(Weigering, Option<Deelnemercode>)> {
        let Herkomst::Amqp { user_id } = herkomst else {
            return None;
        };
        let bericht_id = match oordeel {
            Ok(b) => Some(b.kop.bericht_id.clone()),
            Err(w) => w.bericht_id.clone(),
        };
        let (tekst, aan) = match user_id.as_deref() {
            Some(u) if u == mailbox.as_str() => return None,
            Some(u) => (
                format!(
                    "the message was published by broker user {u}, not by the owner of mailbox {mailbox}"
                ),
                Deelnemercode::new(u)
                    .ok()
                    .filter(|c| self.ctx.deelnemers.get(c).is_some()),
            ),
            None => (
                format!(
                    "the message has no AMQP user_id property: publish with user_id {mailbox}, your broker user"
                ),
                Some(mailbox.clone()),
            ),
        };
        let w = Weigering {
            bericht_id,
            ..Weigering::code(Foutcode::A01, tekst)
        };
        Some((w, aan))
    }

    /// The engine part of [`Hub::ontvang`] for a checked message, without
    /// firing timers. On [`HubFout::Ontbreekt`] nothing changed: load and
    /// call again.
    pub fn verwerk(
        &mut self,
        mailbox: &Deelnemercode,
        herkomst: &Herkomst,
        at: DateTime<FixedOffset>,
        hash: &str,
        oordeel: &Controle,
    ) -> Result<Verwerkt, HubFout> {
        let bericht_id = match oordeel {
            Ok(b) => Some(b.kop.bericht_id.clone()),
            Err(w) => w.bericht_id.clone(),
        };
        let vreemd = self.niet_van_eigenaar(mailbox, herkomst, oordeel);
        let invoer = match &vreemd {
            Some((weigering, aan)) => Invoer::Geweigerd {
                aan: aan.as_ref(),
                ontvangen: at,
                weigering,
            },
            None => invoer(mailbox, at, hash, oordeel),
        };
        let uitkomst = engine::verwerk(&self.toestand as &dyn Zicht, self.ctx, invoer);
        self.compleet()?;
        let uitkomst = uitkomst?;
        self.toestand.pas_toe(uitkomst.wijzigingen.clone());
        self.seq += 1;
        let seq_in = self.seq;
        let uit = self.nummer(at, uitkomst.berichten);
        Ok(Verwerkt {
            gewekt: Vec::new(),
            seq_in,
            hash: hash.to_string(),
            bericht_id,
            claim: uitkomst.claim,
            wijzigingen: uitkomst.wijzigingen,
            uitslag: uitkomst.uitslag,
            uit,
        })
    }
}

/// The engine's input for a checked inbound message.
fn invoer<'b>(
    mailbox: &'b Deelnemercode,
    at: DateTime<FixedOffset>,
    hash: &'b str,
    oordeel: &'b Controle,
) -> Invoer<'b> {
    match oordeel {
        Ok(bericht) => Invoer::Bericht {
            mailbox,
            ontvangen: at,
            hash,
            bericht,
        },
        Err(weigering) => Invoer::Geweigerd {
            aan: Some(mailbox),
            ontvangen: at,
            weigering,
        },
    }
}
