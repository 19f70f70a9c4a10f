//! The settlement (rules.md §5): payment request, payment and late payment
//! requests. Issue 5 builds the arithmetic; until then these messages are
//! refused with F02 saying so, and no settlement is made automatically.

use super::levenscyclus::Rol;
use super::toestand::Claim;
use super::{Afwijzing, Verwerking, weigering};
use crate::bericht::{Betaalbevestiging, Foutcode, NagekomenBetaalverzoek};

fn nog_niet(claim: Claim, rol: Rol, wat: &str) -> Result<(), Afwijzing> {
    Err(Afwijzing {
        weigering: weigering(
            Foutcode::F02,
            format!("{wat} is not supported by this version of the hub yet"),
        ),
        claim: Some((Box::new(claim), rol)),
    })
}

pub fn betaalverzoek(_v: &mut Verwerking<'_>, claim: Claim) -> Result<(), Afwijzing> {
    nog_niet(claim, Rol::Verhaler, "Betaalverzoek")
}

pub fn betaalbevestiging(
    _v: &mut Verwerking<'_>,
    claim: Claim,
    _b: &Betaalbevestiging,
) -> Result<(), Afwijzing> {
    nog_niet(claim, Rol::Aansprakelijke, "Betaalbevestiging")
}

pub fn nagekomen(
    _v: &mut Verwerking<'_>,
    claim: Claim,
    _n: &NagekomenBetaalverzoek,
) -> Result<(), Afwijzing> {
    nog_niet(claim, Rol::Verhaler, "NagekomenBetaalverzoek")
}

pub fn kan_automatisch(_claim: &Claim) -> bool {
    false
}

pub fn automatisch(_v: &mut Verwerking<'_>, _claim: Claim) -> Result<(), Afwijzing> {
    Ok(())
}
