//! Withdrawal (`Afmelding`) and archiving (`Archivering`), rules.md §6.

use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::toestand::Claim;
use super::{Afwijzing, Verwerking, buiten_fase, met, weigering};
use crate::bericht::{
    Afmelding, Afmeldreden, Foutcode, Inhoud, Systeemmelding, Systeemmeldingsoort, Toelichting,
};

pub fn afmelding(
    v: &mut Verwerking<'_>,
    claim: Claim,
    rol: Rol,
    a: &Afmelding,
) -> Result<(), Afwijzing> {
    let fout = |code, tekst: String| met(&claim, rol)(weigering(code, tekst));
    if !claim.fase.afmelding_mogelijk() {
        return Err(fout(
            Foutcode::F02,
            format!(
                "a withdrawal is not possible in status '{}' of claim {}",
                claim.fase.van(rol).0,
                claim.id
            ),
        ));
    }
    match a.reden {
        Afmeldreden::M21 | Afmeldreden::M22 => {
            return Err(fout(
                Foutcode::A02,
                format!("reason {} is given only by the hub", a.reden),
            ));
        }
        Afmeldreden::M19 if !(claim.tegenclaim_van.is_some() && rol == Rol::Verhaler) => {
            return Err(fout(
                Foutcode::A02,
                "reason M19 (geen tegenclaim) is given only by the claimant of a counter-claim"
                    .to_owned(),
            ));
        }
        Afmeldreden::M17 | Afmeldreden::M20 if a.toelichting.is_none() => {
            return Err(fout(
                Foutcode::F06,
                format!("reason {} needs a Toelichting", a.reden),
            ));
        }
        _ => {}
    }
    let mut nieuw = claim.clone();
    nieuw.afmeldreden = Some(a.reden);
    let door;
    (nieuw.fase, door) = match rol {
        Rol::Verhaler => (Fase::AfmeldingDoorV, Gebeurtenis::AfmeldingDoorV),
        Rol::Aansprakelijke => (Fase::AfmeldingDoorA, Gebeurtenis::AfmeldingDoorA),
    };
    let nieuw = v.zet(Some(claim.fase), door, nieuw, true);
    v.bevestig(&nieuw, rol);
    v.stuur_door(&nieuw, rol, Inhoud::Afmelding(a.clone()));
    Ok(())
}

/// Where `rol`'s archiving takes a claim in `fase`, if it may archive there.
fn archief_na(fase: Fase, rol: Rol) -> Option<Fase> {
    match (fase, rol) {
        (Fase::AfmeldingDoorV, Rol::Aansprakelijke)
        | (Fase::AfmeldingDoorA, Rol::Verhaler)
        | (Fase::GeenOvereenstemming, _) => Some(Fase::Afgemeld),
        (Fase::Afgerond | Fase::BetalingenOntvangen, Rol::Verhaler) => Some(Fase::Gearchiveerd),
        _ => None,
    }
}

pub fn archivering(v: &mut Verwerking<'_>, claim: Claim, rol: Rol) -> Result<(), Afwijzing> {
    let Some(naar) = archief_na(claim.fase, rol) else {
        let w = weigering(
            Foutcode::F02,
            format!(
                "{} cannot archive claim {} in its status '{}'",
                claim.deelnemer(rol),
                claim.id,
                claim.fase.van(rol).0
            ),
        );
        return Err(buiten_fase(&claim, rol, w, |f| {
            archief_na(f, rol).is_some()
        }));
    };
    let mut nieuw = claim.clone();
    nieuw.fase = naar;
    let nieuw = v.zet(Some(claim.fase), Gebeurtenis::Archivering, nieuw, true);
    v.bevestig(&nieuw, rol);
    let info = match naar {
        Fase::Gearchiveerd => format!(
            "Claim {} gearchiveerd door {} na betaling.",
            nieuw.id,
            nieuw.deelnemer(rol)
        ),
        _ => format!(
            "Claim {} afgemeld en gearchiveerd door {}{}.",
            nieuw.id,
            nieuw.deelnemer(rol),
            nieuw
                .afmeldreden
                .map(|r| format!(" (reden {r})"))
                .unwrap_or_default()
        ),
    };
    v.stuur_beide(
        &nieuw,
        Inhoud::Systeemmelding(Systeemmelding {
            soort: Systeemmeldingsoort::Gearchiveerd,
            extra_info: Toelichting::afgekapt(&info),
        }),
    );
    Ok(())
}

/// The passive timeout (rules.md §7): closed for both with reason M22.
pub fn passief(v: &mut Verwerking<'_>, claim: Claim) {
    let van = claim.fase;
    let mut nieuw = claim;
    nieuw.fase = Fase::Afgemeld;
    nieuw.afmeldreden = Some(Afmeldreden::M22);
    let nieuw = v.zet(Some(van), Gebeurtenis::Passief, nieuw, false);
    let info = format!(
        "Claim {} afgemeld (reden M22): geen geaccepteerd bericht sinds {} ({} dagen).",
        nieuw.id,
        crate::bericht::tijdstip::format(&nieuw.laatste_activiteit),
        v.ctx.instellingen.termijnen.passief_dagen
    );
    v.stuur_beide(
        &nieuw,
        Inhoud::Systeemmelding(Systeemmelding {
            soort: Systeemmeldingsoort::Passief,
            extra_info: Toelichting::afgekapt(&info),
        }),
    );
}
