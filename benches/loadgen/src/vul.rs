//! Filling a store with many claims quickly, for the API benchmarks (web.md
//! "Targets": a store with 100,000 claims): the model's conversations run
//! through the product's in-memory hub (`clearinghuis::hub::Hub`, the same
//! engine `serve` runs) on a clock that covers a year up to now, and every
//! processed message is written through the product's `Store` in large
//! batches, as the dispatcher would write it. No broker: a round trip per
//! message would make 100,000 claims take half an hour.
//!
//! The claims stop at different steps (half run to the archive), so the
//! three work folders, the timers (rappels, passive close) and management
//! information all have something to show. Every answer is marked delivered
//! in the same batch: the hub that serves the store later has no backlog.

use std::collections::VecDeque;
use std::time::Instant;

use chrono::{DateTime, Duration, FixedOffset};

use clearinghuis::codec::Pipeline;
use clearinghuis::deelnemers::Deelnemers;
use clearinghuis::engine::{Context, Instellingen};
use clearinghuis::hub::Hub;
use clearinghuis::hub::logregel::{Herkomst, Logregel};
use clearinghuis::store::{Batch, Inregel, Store, logrijen};

use crate::LoadgenFout;
use crate::deelnemers;
use crate::gesprek::{Kern, Model, Stap, Verzending};

/// Inbound messages per transaction.
const PER_BATCH: usize = 2_000;
/// Messages waiting to be sent at once: claims interleave a little.
const OPEN: usize = 40;

/// How far claim `claim` goes: half to the archive, the rest stop after
/// one of the earlier steps (a tenth each).
pub fn laatste_stap(claim: u64) -> Stap {
    match claim % 10 {
        5 => Stap::Aanmelding,
        6 => Stap::Akkoord,
        7 => Stap::Schadespecificatie,
        8 => Stap::Betaalverzoek,
        9 => Stap::Betaalbevestiging,
        _ => Stap::Archivering,
    }
}

/// Inbound messages of the fill of claims `claims` (see [`laatste_stap`]).
pub fn berichten(claims: std::ops::Range<u64>) -> u64 {
    claims.map(|c| laatste_stap(c) as u64).sum()
}

#[derive(Debug, Clone, Default)]
pub struct Verslag {
    pub claims: u64,
    pub berichten_in: u64,
    pub berichten_uit: u64,
    pub timers: u64,
    /// Answers the model did not expect (a timer's message in between):
    /// counted, not fatal.
    pub onverwacht: u64,
    pub foutberichten: u64,
    pub seconden: f64,
}

/// Runs claims `claims` of `model` through an in-memory hub with the clock
/// from `eind - 365 days` to `eind` and writes everything into `store`
/// (fresh: the hub's counters start at zero). `voortgang` is told the
/// inbound messages written so far after every batch.
pub async fn vul<S: Store>(
    store: &S,
    model: &Model,
    claims: std::ops::Range<u64>,
    eind: DateTime<FixedOffset>,
    voortgang: &mut dyn FnMut(u64),
) -> Result<Verslag, LoadgenFout> {
    let begin = Instant::now();
    let register = Deelnemers::lees(&deelnemers::toml(model.deelnemers()))
        .map_err(|e| LoadgenFout::Hub(format!("participants: {e}")))?;
    let instellingen = Instellingen::default();
    let ctx = Context {
        deelnemers: &register,
        instellingen: &instellingen,
    };
    let pipeline =
        Pipeline::met_threads(2).map_err(|e| LoadgenFout::Hub(format!("validator: {e}")))?;
    let mut hub = Hub::new(&pipeline, ctx);

    let totaal = berichten(claims.clone()).max(1);
    let stap = Duration::milliseconds(365 * 86_400_000 / totaal as i64);
    let mut klok = eind - Duration::days(365);
    let mut verslag = Verslag {
        claims: claims.end - claims.start,
        ..Verslag::default()
    };
    let mut wachtrij: VecDeque<Verzending> = VecDeque::new();
    let mut volgende = claims.start;
    let mut batch = Batch::default();
    let mut in_batch = 0usize;
    // A fixed walk through the queue (no randomness: the same fill each time).
    let mut kies = 0usize;
    loop {
        while wachtrij.len() < OPEN && volgende < claims.end {
            wachtrij.push_back(model.start(volgende, klok)?);
            volgende += 1;
        }
        if wachtrij.is_empty() {
            break;
        }
        kies = (kies + 7) % wachtrij.len();
        let Some(v) = wachtrij.remove(kies) else {
            break;
        };
        klok += stap;
        let verwerkt = hub
            .ontvang(&v.afzender, klok, v.xml.as_bytes())
            .map_err(|e| LoadgenFout::Hub(format!("claim {}: {e}", v.claim)))?;
        verslag.berichten_in += 1;
        let mut antwoorden: Vec<Logregel> = Vec::new();
        for g in verwerkt.gewekt.iter() {
            verslag.timers += 1;
            antwoorden.extend(g.uit.iter().cloned());
        }
        for g in verwerkt.gewekt.clone() {
            batch.neem_gewekt(g);
        }
        antwoorden.extend(verwerkt.uit.iter().cloned());
        let in_regel = Logregel::binnen(
            Some(verwerkt.seq_in),
            klok,
            v.afzender.to_string(),
            Herkomst::Map,
            clearinghuis::codec::ontvangen::Ontvangen::Heel(v.xml.into_bytes()),
        );
        batch.regels.extend(logrijen(
            Some(Inregel::van(in_regel, &verwerkt)),
            None,
            &verwerkt.uit,
        ));
        batch.wijzigingen.extend(verwerkt.wijzigingen);
        for regel in antwoorden {
            verslag.berichten_uit += 1;
            batch.verzonden.extend(regel.seq);
            let kern = Kern::lees(&regel.xml)?;
            if kern.soort == "Foutbericht" {
                verslag.foutberichten += 1;
            }
            match model.reageer(&kern, klok) {
                Ok(reactie) => wachtrij.extend(
                    reactie
                        .sturen
                        .into_iter()
                        .filter(|s| s.stap <= laatste_stap(s.claim)),
                ),
                Err(_) => verslag.onverwacht += 1,
            }
        }
        in_batch += 1;
        if in_batch >= PER_BATCH {
            store
                .bewaar(&batch)
                .await
                .map_err(|e| LoadgenFout::Hub(format!("store: {e}")))?;
            batch = Batch::default();
            in_batch = 0;
            voortgang(verslag.berichten_in);
        }
    }
    if !batch.is_leeg() {
        store
            .bewaar(&batch)
            .await
            .map_err(|e| LoadgenFout::Hub(format!("store: {e}")))?;
        voortgang(verslag.berichten_in);
    }
    verslag.seconden = begin.elapsed().as_secs_f64();
    Ok(verslag)
}
