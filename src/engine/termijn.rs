//! The timers of rules.md §7 as part of a claim's state.
//!
//! A claim carries its live timers ([`Claim::timers`]). [`plan`] sets, moves
//! and cancels them inside [`super::Verwerking::zet`], so every state change
//! brings its timers with it and a store or a replay reproduces them exactly.
//! The shell asks the state for the first due timer ([`Wekker`]) and hands it
//! to the engine as an input; [`vuur`] fires it at its own due time, so the
//! outbound messages do not depend on when the shell got round to it.
//!
//! Durations are whole days of 24 hours (and seconds for early messages),
//! added to the instant in the offset it was received in.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::toestand::Claim;
use super::{EngineFout, Termijnen, Verwerking, afmelding, eindafrekening};
use crate::bericht::{Betaalkenmerk, ClaimId, Inhoud, Rappel, Rappelsoort, Verhaalpercentage};

/// One live timer of a claim.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timer {
    pub soort: Timersoort,
    /// When it is due.
    pub tijd: DateTime<FixedOffset>,
    /// The set order (from [`super::Tellers::timer`]): ties in `tijd` fire in this order.
    pub volgorde: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Timersoort {
    /// The next reminder of a series.
    Rappel(Rappelreeks),
    /// The 14 days of one settlement.
    Betaaltermijn { betaalkenmerk: Betaalkenmerk },
    /// The passive timeout, counted from the last accepted inbound message.
    Passief,
}

/// A series of reminders to one party for one kind of step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rappelreeks {
    pub soort: Rappelsoort,
    /// The party that must act.
    pub aan: Rol,
    /// Since when that party is awaited (`SindsDatum`).
    pub sinds: NaiveDate,
    /// The `Volgnummer` of the next reminder.
    pub volgnummer: u32,
}

/// What a due timer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Doel {
    Claim(ClaimId),
    /// A held early message ([`super::vroeg`]) whose time is up.
    Vastgehouden,
}

/// A timer or held message as the shell sees it: due time, set order, owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wekker {
    pub tijd: DateTime<FixedOffset>,
    pub volgorde: u64,
    pub doel: Doel,
}

/// Which party a claim awaits and for what (rules.md §7): the liability steps
/// (also an information request and its answer: the same talks), the damage
/// amount from V after a match above 0 (at 0 nothing is paid: V only
/// archives), and payment from A after a settlement.
pub fn wie_moet(claim: &Claim) -> Option<(Rappelsoort, Rol)> {
    use Rappelsoort as S;
    match claim.fase {
        Fase::Aangemeld
        | Fase::OpvoerenAansprakelijkheid
        | Fase::Tegenvoorstel
        | Fase::InformatieVerzoek => Some((S::Aansprakelijkheid, Rol::Verhaler)),
        Fase::AansprakelijkheidIngediend | Fase::InformatieVerstuurd => {
            Some((S::Aansprakelijkheid, Rol::Aansprakelijke))
        }
        Fase::Overeenstemming if claim.verhaalpercentage == Some(Verhaalpercentage::Nul) => None,
        Fase::Overeenstemming | Fase::NieuweClaim => Some((S::Schadebedrag, Rol::Verhaler)),
        Fase::EindafrekeningVerstuurd | Fase::Nagekomen => Some((S::Betaling, Rol::Aansprakelijke)),
        Fase::Afgerond
        | Fase::Gearchiveerd
        | Fase::BetalingenOntvangen
        | Fase::AfmeldingDoorV
        | Fase::AfmeldingDoorA
        | Fase::GeenOvereenstemming
        | Fase::Afgemeld => None,
    }
}

fn dagen(n: u32) -> Duration {
    Duration::days(i64::from(n))
}

fn rappeltermijn(t: &Termijnen, soort: Rappelsoort) -> Duration {
    match soort {
        Rappelsoort::Aansprakelijkheid => dagen(t.rappel_aansprakelijkheid_dagen),
        Rappelsoort::Schadebedrag | Rappelsoort::Betaling => dagen(t.rappel_schadebedrag_dagen),
    }
}

/// Brings a changed claim's timers in line with its new state. `acteur` is
/// the role of the sender whose accepted message changed the claim (`None`
/// for a timer or a change made on behalf of another claim).
///
/// - archived: no timers at all;
/// - a settlement's payment term goes once it is paid;
/// - the rappel series follows [`wie_moet`]: kept while the same party is
///   awaited for the same step and has not acted; any accepted message of that
///   party (or a different step) starts a new series at 1;
/// - the passive timeout is `laatste_activiteit` + 150 days, moved on activity.
pub(super) fn plan(v: &mut Verwerking<'_>, claim: &mut Claim, acteur: Option<Rol>) {
    if claim.fase.is_archief() {
        claim.timers.clear();
        return;
    }
    let termijnen = v.ctx.instellingen.termijnen;
    let afrekeningen = &claim.afrekeningen;
    claim.timers.retain(|t| match &t.soort {
        Timersoort::Betaaltermijn { betaalkenmerk } => afrekeningen
            .iter()
            .any(|a| a.betaalkenmerk == *betaalkenmerk && a.betaald.is_none()),
        _ => true,
    });

    let huidig = claim.timers.iter().position(|t| match &t.soort {
        Timersoort::Rappel(r) => wie_moet(claim) == Some((r.soort, r.aan)) && acteur != Some(r.aan),
        _ => false,
    });
    if huidig.is_none() {
        claim
            .timers
            .retain(|t| !matches!(t.soort, Timersoort::Rappel(_)));
        if let Some((soort, aan)) = wie_moet(claim) {
            let volgorde = v.volgende_timer();
            claim.timers.push(Timer {
                soort: Timersoort::Rappel(Rappelreeks {
                    soort,
                    aan,
                    sinds: v.nu.date_naive(),
                    volgnummer: 1,
                }),
                tijd: v.nu + rappeltermijn(&termijnen, soort),
                volgorde,
            });
        }
    }

    let passief = claim.laatste_activiteit + dagen(termijnen.passief_dagen);
    let bestaand = claim
        .timers
        .iter()
        .position(|t| t.soort == Timersoort::Passief);
    if bestaand.is_none_or(|i| claim.timers[i].tijd != passief) {
        claim.timers.retain(|t| t.soort != Timersoort::Passief);
        let volgorde = v.volgende_timer();
        claim.timers.push(Timer {
            soort: Timersoort::Passief,
            tijd: passief,
            volgorde,
        });
    }
}

/// Sets the payment term of a settlement just sent (the same change that sends it).
pub(super) fn betaaltermijn(v: &mut Verwerking<'_>, claim: &mut Claim, kenmerk: &Betaalkenmerk) {
    let volgorde = v.volgende_timer();
    claim.timers.push(Timer {
        soort: Timersoort::Betaaltermijn {
            betaalkenmerk: kenmerk.clone(),
        },
        tijd: v.nu + dagen(v.ctx.instellingen.termijnen.betaaltermijn_dagen),
        volgorde,
    });
}

/// Fires the claim timer with set order `volgorde`; `v.nu` is its due time.
/// A timer that is no longer live (cancelled since) does nothing.
pub(super) fn vuur(v: &mut Verwerking<'_>, claim: Claim, volgorde: u64) -> Result<(), EngineFout> {
    let Some(i) = claim.timers.iter().position(|t| t.volgorde == volgorde) else {
        return Ok(());
    };
    let timer = claim.timers[i].clone();
    match timer.soort {
        Timersoort::Rappel(reeks) => rappel(v, claim, i, &reeks),
        Timersoort::Betaaltermijn { betaalkenmerk } => {
            let mut nieuw = claim;
            nieuw.timers.remove(i);
            eindafrekening::termijn_verstreken(v, nieuw, &betaalkenmerk);
        }
        Timersoort::Passief => afmelding::passief(v, claim),
    }
    Ok(())
}

/// Sends reminder `reeks.volgnummer` to the party that must act and a copy to
/// the other, and sets the next one of the series.
fn rappel(v: &mut Verwerking<'_>, claim: Claim, i: usize, reeks: &Rappelreeks) {
    let mut nieuw = claim;
    let volgorde = v.volgende_timer();
    let tijd = v.nu + rappeltermijn(&v.ctx.instellingen.termijnen, reeks.soort);
    nieuw.timers[i] = Timer {
        soort: Timersoort::Rappel(Rappelreeks {
            volgnummer: reeks.volgnummer + 1,
            ..reeks.clone()
        }),
        tijd,
        volgorde,
    };
    let fase = nieuw.fase;
    let nieuw = v.zet(Some(fase), Gebeurtenis::Termijn, nieuw, false);
    for (rol, kopie) in [(reeks.aan, false), (reeks.aan.ander(), true)] {
        v.stuur(
            nieuw.deelnemer(rol),
            Some(nieuw.overzicht(rol)),
            None,
            Inhoud::Rappel(Rappel {
                soort: reeks.soort,
                sinds_datum: reeks.sinds,
                volgnummer: reeks.volgnummer,
                kopie,
            }),
        );
    }
}
