//! The reminder (rules.md §7): a due rappel goes to the party that must act,
//! with a copy to the other, and the series moves on. Planned by
//! [`super::termijn`]; fired from `engine::wek`.

use super::claim::{Claim, Rappelreeks, Timer, Timersoort};
use super::levenscyclus::Gebeurtenis;
use super::termijn;
use super::verwerking::Verwerking;
use crate::bericht::{Inhoud, Rappel};

/// Sends reminder `reeks.volgnummer` to the party that must act and a copy to
/// the other, and sets the next one of the series.
pub fn stuur(v: &mut Verwerking<'_>, claim: Claim, i: usize, reeks: &Rappelreeks) {
    let mut nieuw = claim;
    let volgorde = v.volgende_timer();
    let tijd = v.nu + termijn::rappeltermijn(&v.ctx.instellingen.termijnen, reeks.soort);
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
