//! Withdrawal (`Afmelding`) and archiving (`Archivering`), rules.md §6.

use super::claim::Claim;
use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::verwerking::{Afwijzing, Verwerking, buiten_fase, met, weigering};
use crate::bericht::{
    Afmelding, Afmeldreden, Foutcode, Inhoud, Systeemmelding, Systeemmeldingsoort, Toelichting,
    Verhaalpercentage,
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

/// Where `rol`'s archiving takes a claim in `fase` (agreed at `pct`), if it
/// may archive there: after a withdrawal or no match to "Dossier afgemeld";
/// after payment, or after a match at 0 (nothing to pay), V only, to
/// "Dossier gearchiveerd".
fn archief_na(fase: Fase, rol: Rol, pct: Option<Verhaalpercentage>) -> Option<Fase> {
    match (fase, rol) {
        (Fase::AfmeldingDoorV, Rol::Aansprakelijke)
        | (Fase::AfmeldingDoorA, Rol::Verhaler)
        | (Fase::GeenOvereenstemming, _) => Some(Fase::Afgemeld),
        (Fase::Afgerond | Fase::BetalingenOntvangen, Rol::Verhaler) => Some(Fase::Gearchiveerd),
        (Fase::Overeenstemming, Rol::Verhaler) if pct == Some(Verhaalpercentage::Nul) => {
            Some(Fase::Gearchiveerd)
        }
        _ => None,
    }
}

/// Every settlement paid (and at least one): what V archives "na betaling".
fn alles_betaald(claim: &Claim) -> bool {
    !claim.afrekeningen.is_empty() && claim.afrekeningen.iter().all(|a| a.betaald.is_some())
}

pub fn archivering(v: &mut Verwerking<'_>, claim: Claim, rol: Rol) -> Result<(), Afwijzing> {
    let pct = claim.verhaalpercentage;
    let Some(naar) = archief_na(claim.fase, rol, pct) else {
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
            archief_na(f, rol, pct).is_some()
        }));
    };
    let mut nieuw = claim.clone();
    nieuw.fase = naar;
    let nieuw = v.zet(Some(claim.fase), Gebeurtenis::Archivering, nieuw, true);
    v.bevestig(&nieuw, rol);
    let info = match naar {
        Fase::Gearchiveerd if !alles_betaald(&nieuw) => format!(
            "Claim {} gearchiveerd door {} na overeenstemming op 0 %: er wordt niets betaald.",
            nieuw.id,
            nieuw.deelnemer(rol)
        ),
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

/// The passive timeout (rules.md §7, Decision 7): a claim whose settlements
/// are all paid and that V could archive is archived as V's `Archivering`
/// would ("Dossier gearchiveerd", so a late payment request stays
/// possible); any other claim is closed for both with reason M22.
pub fn passief(v: &mut Verwerking<'_>, claim: Claim) {
    let van = claim.fase;
    let dagen = v.ctx.instellingen.termijnen.passief_dagen;
    let sinds = crate::bericht::tijdstip::format(&claim.laatste_activiteit);
    let mut nieuw = claim;
    let gearchiveerd = alles_betaald(&nieuw)
        && archief_na(van, Rol::Verhaler, nieuw.verhaalpercentage) == Some(Fase::Gearchiveerd);
    let info = if gearchiveerd {
        nieuw.fase = Fase::Gearchiveerd;
        format!(
            "Claim {} gearchiveerd: alle eindafrekeningen zijn betaald en er is geen geaccepteerd bericht sinds {sinds} ({dagen} dagen).",
            nieuw.id
        )
    } else {
        nieuw.fase = Fase::Afgemeld;
        nieuw.afmeldreden = Some(Afmeldreden::M22);
        format!(
            "Claim {} afgemeld (reden M22): geen geaccepteerd bericht sinds {sinds} ({dagen} dagen).",
            nieuw.id
        )
    };
    let nieuw = v.zet(Some(van), Gebeurtenis::Passief, nieuw, false);
    v.stuur_beide(
        &nieuw,
        Inhoud::Systeemmelding(Systeemmelding {
            soort: Systeemmeldingsoort::Passief,
            extra_info: Toelichting::afgekapt(&info),
        }),
    );
}
