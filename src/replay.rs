//! Replay of a message log (operations.md "Replay"): the `in` lines of a JSON
//! Lines file, in file order, through the same checks and engine as the live
//! hub, with the clock set to each line's `at`. The produced `out` lines are
//! written in order and, with verify, compared with the file's own.
//!
//! [`Hub`] is the in-memory hub: the pipeline, the engine and a [`Toestand`].
//! It is the imperative shell around the engine for replay and tests.

use std::collections::VecDeque;
use std::io::{BufRead, Write};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::bericht::{
    BerichtId, ClaimId, Codelijst as _, Deelnemercode, Foutcode, Weigering, tijdstip,
};
use crate::codec::{Ontvangen, Pipeline, Toegestaan, ValidatorFout};
use crate::engine::{
    self, Context, EngineFout, Invoer, Toestand, Uitslag, Wekker, Wijziging, Zicht,
};

#[derive(Debug, thiserror::Error)]
pub enum ReplayFout {
    #[error("line {regel}: {reden}")]
    Regel { regel: u64, reden: String },
    #[error("reading the log: {0}")]
    Lezen(#[from] std::io::Error),
    #[error("line {regel}: {bron}")]
    Hub { regel: u64, bron: HubFout },
}

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

/// Direction of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Richting {
    In,
    Out,
}

/// How an inbound message reached the hub, as far as it decides who sent it.
///
/// A directory mailbox is its owner's by the file system's permissions. On
/// AMQP only the `user_id` property says who published, because the broker
/// compares it with the connection's user (operations.md "Mailboxes"): a
/// message without it, or with another user's, is refused A01.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Herkomst {
    Map,
    Amqp { user_id: Option<String> },
}

impl Herkomst {
    /// From a stored or logged line: `transport` (`"amqp"` or absent) and
    /// `user_id`. A `user_id` without `transport` is from a hub before
    /// `transport` was kept: only AMQP carries a user_id.
    pub fn van(transport: Option<&str>, user_id: Option<String>) -> Herkomst {
        if transport == Some("amqp") || user_id.is_some() {
            Herkomst::Amqp { user_id }
        } else {
            Herkomst::Map
        }
    }

    /// The `transport` a line records: `"amqp"`, or nothing for a directory.
    pub fn transport(&self) -> Option<&'static str> {
        match self {
            Herkomst::Map => None,
            Herkomst::Amqp { .. } => Some("amqp"),
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match self {
            Herkomst::Map => None,
            Herkomst::Amqp { user_id } => user_id.as_deref(),
        }
    }
}

/// One line of the message-log file.
///
/// The message is `xml` when its bytes are UTF-8 (every outbound message is),
/// else `xml_base64`: the bytes exactly as received. A message that was too
/// large keeps only its start there, with `size` and `sha256`; a file the hub
/// could not read has no bytes and says why in `unreadable`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "LogregelVeld")]
pub struct Logregel {
    pub seq: Option<u64>,
    pub at: DateTime<FixedOffset>,
    pub direction: Richting,
    pub mailbox: String,
    /// Inbound: from a directory, or over AMQP with the message's `user_id`
    /// (written as `"transport":"amqp"` and `user_id` when it had one).
    pub herkomst: Herkomst,
    /// The message as text; empty when [`Logregel::ruw`] holds it.
    pub xml: String,
    /// Inbound bytes that are not UTF-8 (written as `xml_base64`).
    pub ruw: Option<Vec<u8>>,
    /// Inbound and too large: the message's size (the bytes are its start).
    pub size: Option<u64>,
    /// With `size`: the SHA-256 the hub computed of what it read.
    pub sha256: Option<String>,
    /// Inbound and not readable by the hub: why.
    pub unreadable: Option<String>,
}

/// A log line's fields as written; [`Logregel`] checks they fit together.
#[derive(Deserialize)]
struct LogregelVeld {
    #[serde(default)]
    seq: Option<u64>,
    #[serde(with = "at")]
    at: DateTime<FixedOffset>,
    direction: Richting,
    mailbox: String,
    #[serde(default)]
    transport: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    xml: Option<String>,
    #[serde(default)]
    xml_base64: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    unreadable: Option<String>,
}

impl TryFrom<LogregelVeld> for Logregel {
    type Error = String;

    fn try_from(v: LogregelVeld) -> Result<Logregel, String> {
        use base64::Engine as _;
        let (xml, ruw) = match (v.xml, v.xml_base64) {
            (Some(x), None) => (x, None),
            (None, Some(b)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b.as_bytes())
                    .map_err(|e| format!("xml_base64: {e}"))?;
                (String::new(), Some(bytes))
            }
            (None, None) => return Err("a line needs xml or xml_base64".into()),
            (Some(_), Some(_)) => return Err("a line has xml or xml_base64, not both".into()),
        };
        if let Some(t) = v.transport.as_deref().filter(|t| *t != "amqp") {
            return Err(format!("transport `{t}`: only \"amqp\" is written"));
        }
        if v.size.is_some() != v.sha256.is_some() {
            return Err("size and sha256 come together".into());
        }
        if v.direction == Richting::Out
            && (ruw.is_some() || v.size.is_some() || v.unreadable.is_some())
        {
            return Err("an out line has xml only".into());
        }
        let herkomst = Herkomst::van(v.transport.as_deref(), v.user_id);
        if v.direction == Richting::Out && herkomst != Herkomst::Map {
            return Err("an out line has no transport or user_id".into());
        }
        Ok(Logregel {
            seq: v.seq,
            at: v.at,
            direction: v.direction,
            mailbox: v.mailbox,
            herkomst,
            xml,
            ruw,
            size: v.size,
            sha256: v.sha256,
            unreadable: v.unreadable,
        })
    }
}

impl Serialize for Logregel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Logregel", 10)?;
        if let Some(seq) = self.seq {
            m.serialize_field("seq", &seq)?;
        }
        m.serialize_field("at", &tijdstip::format(&self.at))?;
        m.serialize_field("direction", &self.direction)?;
        m.serialize_field("mailbox", &self.mailbox)?;
        if let Some(t) = self.herkomst.transport() {
            m.serialize_field("transport", t)?;
        }
        if let Some(u) = self.herkomst.user_id() {
            m.serialize_field("user_id", u)?;
        }
        match &self.ruw {
            Some(b) => m.serialize_field(
                "xml_base64",
                &base64::engine::general_purpose::STANDARD.encode(b),
            )?,
            None => m.serialize_field("xml", &self.xml)?,
        }
        if let (Some(size), Some(sha)) = (self.size, &self.sha256) {
            m.serialize_field("size", &size)?;
            m.serialize_field("sha256", sha)?;
        }
        if let Some(r) = &self.unreadable {
            m.serialize_field("unreadable", r)?;
        }
        m.end()
    }
}

mod at {
    use super::*;
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = String::deserialize(d)?;
        tijdstip::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Logregel {
    /// The line as written: one JSON object, fields in a fixed order.
    pub fn als_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| unreachable!("a log line always serialises: {e}"))
    }

    /// An outbound message.
    pub fn uit(seq: u64, at: DateTime<FixedOffset>, mailbox: String, xml: String) -> Logregel {
        Logregel {
            seq: Some(seq),
            at,
            direction: Richting::Out,
            mailbox,
            herkomst: Herkomst::Map,
            xml,
            ruw: None,
            size: None,
            sha256: None,
            unreadable: None,
        }
    }

    /// An inbound message as the hub received it (its bytes move into the line).
    pub fn binnen(
        seq: Option<u64>,
        at: DateTime<FixedOffset>,
        mailbox: String,
        herkomst: Herkomst,
        ontvangen: Ontvangen,
    ) -> Logregel {
        let (bytes, size, sha256, unreadable) = match ontvangen {
            Ontvangen::Heel(b) => (b, None, None, None),
            Ontvangen::TeGroot {
                begin,
                grootte,
                hash,
            } => (begin, Some(grootte), Some(hash), None),
            Ontvangen::Onleesbaar { reden } => (Vec::new(), None, None, Some(reden)),
        };
        let (xml, ruw) = match String::from_utf8(bytes) {
            Ok(x) => (x, None),
            Err(e) => (String::new(), Some(e.into_bytes())),
        };
        Logregel {
            seq,
            at,
            direction: Richting::In,
            mailbox,
            herkomst,
            xml,
            ruw,
            size,
            sha256,
            unreadable,
        }
    }

    /// The message's bytes as logged (for a message too large, its start).
    pub fn bytes(&self) -> &[u8] {
        self.ruw.as_deref().unwrap_or(self.xml.as_bytes())
    }

    /// An inbound line as the hub received it, for replay.
    pub fn ontvangen(&self) -> Ontvangen {
        if let Some(reden) = &self.unreadable {
            return Ontvangen::Onleesbaar {
                reden: reden.clone(),
            };
        }
        match (self.size, &self.sha256) {
            (Some(grootte), Some(hash)) => Ontvangen::TeGroot {
                begin: self.bytes().to_vec(),
                grootte,
                hash: hash.clone(),
            },
            _ => Ontvangen::Heel(self.bytes().to_vec()),
        }
    }
}

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

/// The first place where the produced output and the file's `out` lines differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verschil {
    /// Line number in the input file of the expected `out` line (if any).
    pub regel: Option<u64>,
    pub beschrijving: String,
}

/// What a replay did.
#[derive(Debug, Default)]
pub struct Verslag {
    pub in_regels: u64,
    pub uit_regels: u64,
    pub verschil: Option<Verschil>,
}

fn eerste_verschil(verwacht: &str, gemaakt: &str) -> String {
    for (i, (a, b)) in verwacht.lines().zip(gemaakt.lines()).enumerate() {
        if a != b {
            return format!(
                "XML line {}: expected `{}`, produced `{}`",
                i + 1,
                a.trim(),
                b.trim()
            );
        }
    }
    format!(
        "XML of {} lines expected, {} produced",
        verwacht.lines().count(),
        gemaakt.lines().count()
    )
}

fn vergelijk(regel: u64, verwacht: &Logregel, gemaakt: &Logregel) -> Option<Verschil> {
    let wat = if verwacht.mailbox != gemaakt.mailbox {
        format!(
            "mailbox: expected {}, produced {}",
            verwacht.mailbox, gemaakt.mailbox
        )
    } else if verwacht.at != gemaakt.at || verwacht.at.offset() != gemaakt.at.offset() {
        format!(
            "at: expected {}, produced {}",
            tijdstip::format(&verwacht.at),
            tijdstip::format(&gemaakt.at)
        )
    } else if verwacht.seq.is_some() && verwacht.seq != gemaakt.seq {
        format!(
            "seq: expected {:?}, produced {:?}",
            verwacht.seq, gemaakt.seq
        )
    } else if verwacht.xml != gemaakt.xml {
        eerste_verschil(&verwacht.xml, &gemaakt.xml)
    } else {
        return None;
    };
    Some(Verschil {
        regel: Some(regel),
        beschrijving: format!(
            "out line at line {regel} (to {}) differs: {wat}",
            verwacht.mailbox
        ),
    })
}

/// How to replay.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opties {
    /// Compare with the file's own `out` lines and stop at the first difference.
    pub verify: bool,
    /// Also write the `in` lines (numbered), so the output is a whole message
    /// log as `log export` gives it: how conversation fixtures are recorded.
    pub met_invoer: bool,
    /// After the last line, fire every timer due up to this moment (`--until`).
    pub tot: Option<DateTime<FixedOffset>>,
}

/// Replays `invoer` into `hub`, writing the produced `out` lines to `uit`.
/// `voortgang` is told the number of bytes read after every line.
pub fn speel(
    hub: &mut Hub<'_>,
    invoer: impl BufRead,
    uit: &mut dyn Write,
    opties: Opties,
    voortgang: &mut dyn FnMut(u64),
) -> Result<Verslag, ReplayFout> {
    let verify = opties.verify;
    let mut verslag = Verslag::default();
    let mut verwacht: VecDeque<(u64, Logregel)> = VecDeque::new();
    let mut gemaakt: VecDeque<Logregel> = VecDeque::new();
    let mut gelezen = 0u64;
    for (i, regel) in invoer.lines().enumerate() {
        let nummer = i as u64 + 1;
        let regel = regel?;
        gelezen += regel.len() as u64 + 1;
        if regel.trim().is_empty() {
            continue;
        }
        let log: Logregel = serde_json::from_str(&regel).map_err(|e| ReplayFout::Regel {
            regel: nummer,
            reden: format!("not a message-log line: {e}"),
        })?;
        match log.direction {
            Richting::Out => {
                if verify {
                    verwacht.push_back((nummer, log));
                }
            }
            Richting::In => {
                let mailbox =
                    Deelnemercode::new(log.mailbox.as_str()).map_err(|e| ReplayFout::Regel {
                        regel: nummer,
                        reden: format!("mailbox: {e}"),
                    })?;
                let v = hub
                    .ontvang_ontvangen(&mailbox, &log.herkomst, log.at, &log.ontvangen())
                    .map_err(|bron| ReplayFout::Hub {
                        regel: nummer,
                        bron,
                    })?;
                verslag.in_regels += 1;
                for g in v.gewekt {
                    schrijf_uit(uit, &mut verslag, &mut gemaakt, verify, g.uit)?;
                }
                if opties.met_invoer {
                    let in_regel = Logregel {
                        seq: Some(v.seq_in),
                        ..log
                    };
                    writeln!(uit, "{}", in_regel.als_json())?;
                }
                schrijf_uit(uit, &mut verslag, &mut gemaakt, verify, v.uit)?;
            }
        }
        if let Some(d) = vergelijk_rij(&mut verwacht, &mut gemaakt) {
            verslag.verschil = Some(d);
            return Ok(verslag);
        }
        voortgang(gelezen);
    }
    if let Some(tot) = opties.tot {
        let gewekt = hub.wek_tot(tot).map_err(|bron| ReplayFout::Hub {
            regel: verslag.in_regels,
            bron,
        })?;
        for g in gewekt {
            schrijf_uit(uit, &mut verslag, &mut gemaakt, verify, g.uit)?;
        }
        if let Some(d) = vergelijk_rij(&mut verwacht, &mut gemaakt) {
            verslag.verschil = Some(d);
            return Ok(verslag);
        }
    }
    if verify {
        if let Some((r, v)) = verwacht.pop_front() {
            verslag.verschil = Some(Verschil {
                regel: Some(r),
                beschrijving: format!("out line at line {r} (to {}) was not produced", v.mailbox),
            });
        } else if let Some(g) = gemaakt.pop_front() {
            verslag.verschil = Some(Verschil {
                regel: None,
                beschrijving: format!(
                    "produced out line seq {} (to {}) is not in the file",
                    g.seq.unwrap_or_default(),
                    g.mailbox
                ),
            });
        }
    }
    uit.flush()?;
    Ok(verslag)
}

fn schrijf_uit(
    uit: &mut dyn Write,
    verslag: &mut Verslag,
    gemaakt: &mut VecDeque<Logregel>,
    verify: bool,
    regels: Vec<Logregel>,
) -> std::io::Result<()> {
    for u in regels {
        writeln!(uit, "{}", u.als_json())?;
        verslag.uit_regels += 1;
        if verify {
            gemaakt.push_back(u);
        }
    }
    Ok(())
}

/// Compares produced and expected `out` lines as far as both go.
fn vergelijk_rij(
    verwacht: &mut VecDeque<(u64, Logregel)>,
    gemaakt: &mut VecDeque<Logregel>,
) -> Option<Verschil> {
    while let (Some(_), Some(_)) = (verwacht.front(), gemaakt.front()) {
        if let (Some((r, v)), Some(g)) = (verwacht.pop_front(), gemaakt.pop_front())
            && let Some(d) = vergelijk(r, &v, &g)
        {
            return Some(d);
        }
    }
    None
}

/// The final state of every claim, as `--state` writes it (operations.md).
pub fn toestand_json(toestand: &Toestand) -> serde_json::Value {
    use serde_json::{Value, json};
    let tekst = |s: Option<String>| s.map_or(Value::Null, Value::String);
    let claims: Vec<Value> = toestand
        .claims()
        .map(|c| {
            let (sv, wv) = c.fase.van(engine::Rol::Verhaler);
            let (sa, wa) = c.fase.van(engine::Rol::Aansprakelijke);
            json!({
                "claimId": c.id.to_string(),
                "ongevalId": c.ongeval.to_string(),
                "verhaler": c.verhaler.to_string(),
                "aansprakelijke": c.aansprakelijke.to_string(),
                "schadenummerVerhaler": tekst(c.schadenummer_verhaler.as_ref().map(|s| s.to_string())),
                "schadenummerAansprakelijke": tekst(c.schadenummer_aansprakelijke.as_ref().map(|s| s.to_string())),
                "statusVerhaler": sv.to_string(),
                "werkmapVerhaler": wv.to_string(),
                "statusAansprakelijke": sa.to_string(),
                "werkmapAansprakelijke": wa.to_string(),
                "verhaalpercentage": c.verhaalpercentage.map_or(Value::Null, |p| json!(p.procent())),
                "ovsCode": c.ovs_code.map_or(Value::Null, |o| json!(o.als_tekst().parse::<u8>().unwrap_or_default())),
                "posities": c.posities(),
                "afmeldreden": tekst(c.afmeldreden.map(|r| r.to_string())),
                "tegenclaimVan": tekst(c.tegenclaim_van.as_ref().map(|s| s.to_string())),
                "tegenclaim": tekst(c.tegenclaim.as_ref().map(|s| s.to_string())),
                "kentekenVerhaler": c.kenteken_verhaler.to_string(),
                "kentekenAansprakelijke": c.kenteken_aansprakelijke.to_string(),
                "schadedatum": c.schadedatum.to_string(),
                "timers": c.timers.iter().map(|t| {
                    let tijd = tijdstip::format(&t.tijd);
                    match &t.soort {
                        engine::Timersoort::Rappel(r) => json!({
                            "soort": "rappel",
                            "tijd": tijd,
                            "rappelsoort": r.soort.to_string(),
                            "aan": c.deelnemer(r.aan).to_string(),
                            "volgnummer": r.volgnummer,
                            "sindsDatum": r.sinds.to_string(),
                        }),
                        engine::Timersoort::Betaaltermijn { betaalkenmerk } => json!({
                            "soort": "betaaltermijn",
                            "tijd": tijd,
                            "betaalkenmerk": betaalkenmerk.to_string(),
                        }),
                        engine::Timersoort::Passief => json!({ "soort": "passief", "tijd": tijd }),
                    }
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lees(json: &str) -> Result<Logregel, serde_json::Error> {
        serde_json::from_str(json)
    }

    const BEGIN: &str =
        r#"{"seq":1,"at":"2026-03-02T09:15:00+01:00","direction":"in","mailbox":"CR-00820000""#;

    #[test]
    fn herkomst_heen_en_terug() {
        for (h, verwacht) in [
            (Herkomst::Map, r#""mailbox":"CR-00820000","xml""#),
            (
                Herkomst::Amqp { user_id: None },
                r#""mailbox":"CR-00820000","transport":"amqp","xml""#,
            ),
            (
                Herkomst::Amqp {
                    user_id: Some("CR-00770000".into()),
                },
                r#""transport":"amqp","user_id":"CR-00770000","xml""#,
            ),
        ] {
            let r = lees(&format!(r#"{BEGIN},"xml":"<a/>"}}"#)).expect("a line");
            let r = Logregel {
                herkomst: h.clone(),
                ..r
            };
            let json = r.als_json();
            assert!(json.contains(verwacht), "{json}");
            assert_eq!(lees(&json).expect("reads back").herkomst, h);
        }
    }

    /// Lines exported before `transport` was written: a `user_id` came over
    /// AMQP, a line without one from a directory (as that hub treated it).
    #[test]
    fn oude_regels() {
        let r = lees(&format!(r#"{BEGIN},"user_id":"guest","xml":"<a/>"}}"#)).expect("a line");
        assert_eq!(
            r.herkomst,
            Herkomst::Amqp {
                user_id: Some("guest".into())
            }
        );
        let r = lees(&format!(r#"{BEGIN},"xml":"<a/>"}}"#)).expect("a line");
        assert_eq!(r.herkomst, Herkomst::Map);
    }

    #[test]
    fn onbekend_transport_en_uit_met_herkomst_geweigerd() {
        assert!(lees(&format!(r#"{BEGIN},"transport":"smtp","xml":"<a/>"}}"#)).is_err());
        let uit = BEGIN.replace(r#""direction":"in""#, r#""direction":"out""#);
        assert!(lees(&format!(r#"{uit},"transport":"amqp","xml":"<a/>"}}"#)).is_err());
    }
}
