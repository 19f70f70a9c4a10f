//! The timers of rules.md §7 as part of a claim's state.
//!
//! A claim carries its live timers ([`Claim::timers`]). [`plan`] sets, moves
//! and cancels them inside `Verwerking::zet`, so every state change
//! brings its timers with it and a store or a replay reproduces them exactly.
//! The shell asks the state for the first due timer ([`Wekker`]) and hands it
//! to the engine as an input; `rappel` and the rule modules fire it
//! at its own due time (dispatched by `engine::wek`), so the
//! outbound messages do not depend on when the shell got round to it.
//!
//! Durations are whole days of 24 hours (and seconds for early messages),
//! added to the instant in the offset it was received in.

use chrono::{DateTime, Duration, FixedOffset};

use super::claim::{Claim, Rappelreeks, Timer, Timersoort};
use super::instellingen::Termijnen;
use super::levenscyclus::{Fase, Rol};
use super::toestand::Tellers;
use crate::bericht::{Betaalkenmerk, Rappelsoort, Verhaalpercentage};

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

pub(super) fn rappeltermijn(t: &Termijnen, soort: Rappelsoort) -> Duration {
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
///
/// `nu` is the engine's clock; `tellers` gives each new timer its set order.
pub(super) fn plan(
    termijnen: &Termijnen,
    nu: DateTime<FixedOffset>,
    tellers: &mut Tellers,
    claim: &mut Claim,
    acteur: Option<Rol>,
) {
    if claim.fase.is_archief() {
        claim.timers.clear();
        return;
    }
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
            let volgorde = tellers.volgende_timer();
            claim.timers.push(Timer {
                soort: Timersoort::Rappel(Rappelreeks {
                    soort,
                    aan,
                    sinds: nu.date_naive(),
                    volgnummer: 1,
                }),
                tijd: nu + rappeltermijn(termijnen, soort),
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
        let volgorde = tellers.volgende_timer();
        claim.timers.push(Timer {
            soort: Timersoort::Passief,
            tijd: passief,
            volgorde,
        });
    }
}

/// Sets the payment term of a settlement just sent (the same change that sends it).
pub(super) fn betaaltermijn(
    termijnen: &Termijnen,
    nu: DateTime<FixedOffset>,
    tellers: &mut Tellers,
    claim: &mut Claim,
    kenmerk: &Betaalkenmerk,
) {
    let volgorde = tellers.volgende_timer();
    claim.timers.push(Timer {
        soort: Timersoort::Betaaltermijn {
            betaalkenmerk: kenmerk.clone(),
        },
        tijd: nu + dagen(termijnen.betaaltermijn_dagen),
        volgorde,
    });
}
