//! `Schadespecificatie` (rules.md §5): V's claimed damage at 100 %, one
//! component per code (the schema's unique constraint), caps per component and
//! on the total, replaced whole, allowed until the claim is archived.

use rust_decimal::Decimal;

use super::claim::Claim;
use super::levenscyclus::Rol;
use super::verwerking::{Afwijzing, Verwerking, met, weigering};
use crate::bericht::{Component, Foutcode, Inhoud, Schadespecificatie, Weigering};

/// The caps of the reference data (F05, naming the cap and the amount).
pub fn controleer(v: &Verwerking<'_>, componenten: &[Component]) -> Result<(), Weigering> {
    let plafonds = &v.ctx.instellingen.plafonds;
    let mut totaal = Decimal::ZERO;
    for c in componenten {
        if let Some(cap) = plafonds.component.get(&c.code)
            && c.bedrag > *cap
        {
            return Err(weigering(
                Foutcode::F05,
                format!(
                    "component {}: {} is above its cap of {cap}",
                    c.code, c.bedrag
                ),
            ));
        }
        totaal += c.bedrag.waarde();
    }
    if totaal > plafonds.totaal.waarde() {
        return Err(weigering(
            Foutcode::F05,
            format!(
                "the total claimed {totaal:.2} is above the cap of {} on the total",
                plafonds.totaal
            ),
        ));
    }
    Ok(())
}

pub fn behandel(
    v: &mut Verwerking<'_>,
    claim: Claim,
    s: &Schadespecificatie,
) -> Result<(), Afwijzing> {
    let rol = Rol::Verhaler;
    let fout = met(&claim, rol);
    if claim.fase.ooit_gearchiveerd() {
        return Err(fout(weigering(
            Foutcode::F02,
            format!(
                "a Schadespecificatie is allowed until archiving; claim {} is in status '{}'",
                claim.id,
                claim.fase.van(rol).0
            ),
        )));
    }
    controleer(v, &s.component).map_err(fout)?;
    let mut nieuw = claim.clone();
    nieuw.specificatie = Some(s.component.clone());
    nieuw.betaalbaar_stellen = s.betaalbaar_stellen.unwrap_or(false);
    let nieuw = v.zet(
        Some(claim.fase),
        super::levenscyclus::Gebeurtenis::Schadespecificatie,
        nieuw,
        true,
    );
    v.bevestig(&nieuw, rol);
    v.stuur_door(&nieuw, rol, Inhoud::Schadespecificatie(s.clone()));
    Ok(())
}
