//! Information requests (Decision 10): only by A, only while a position of V
//! awaits A's answer; V answers with `InformatieAanlevering`, whose data is
//! merged into the claim.

use super::claim::Claim;
use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::verwerking::{Afwijzing, Verwerking, buiten_fase, met, weigering};
use crate::bericht::{Foutcode, InformatieAanlevering, InformatieVerzoek, Inhoud};

pub fn verzoek(
    v: &mut Verwerking<'_>,
    claim: Claim,
    i: &InformatieVerzoek,
) -> Result<(), Afwijzing> {
    let rol = Rol::Aansprakelijke;
    let fout = |tekst: String| met(&claim, rol)(weigering(Foutcode::F02, tekst));
    let past = |f| {
        matches!(
            f,
            Fase::AansprakelijkheidIngediend | Fase::InformatieVerstuurd
        )
    };
    if !past(claim.fase) {
        let w = weigering(
            Foutcode::F02,
            format!(
                "an InformatieVerzoek is allowed only while V's position awaits A's answer; claim {} is in status '{}'",
                claim.id,
                claim.fase.van(rol).0
            ),
        );
        return Err(buiten_fase(&claim, rol, w, past));
    }
    if let Some(d) = i
        .documenten
        .document
        .iter()
        .find(|d| !claim.documenten.contains(d))
    {
        return Err(fout(format!(
            "document {d} is not among the documents V marked present (DocumentenAanwezig) on claim {}",
            claim.id
        )));
    }
    let mut nieuw = claim.clone();
    nieuw.fase = Fase::InformatieVerzoek;
    let nieuw = v.zet(
        Some(claim.fase),
        Gebeurtenis::InformatieVerzoek,
        nieuw,
        true,
    );
    v.bevestig(&nieuw, rol);
    v.stuur_door(&nieuw, rol, Inhoud::InformatieVerzoek(i.clone()));
    Ok(())
}

pub fn aanlevering(
    v: &mut Verwerking<'_>,
    claim: Claim,
    i: &InformatieAanlevering,
) -> Result<(), Afwijzing> {
    let rol = Rol::Verhaler;
    if claim.fase != Fase::InformatieVerzoek {
        let w = weigering(
            Foutcode::F02,
            format!(
                "an InformatieAanlevering answers an InformatieVerzoek; claim {} is in status '{}'",
                claim.id,
                claim.fase.van(rol).0
            ),
        );
        return Err(buiten_fase(&claim, rol, w, |f| {
            f == Fase::InformatieVerzoek
        }));
    }
    let mut nieuw = claim.clone();
    if let Some(a) = &i.aanvulling {
        if let Some(p) = &a.polisnummer {
            nieuw.polisnummer_verhaler = Some(p.clone());
        }
        if let Some(b) = &a.bestuurder {
            nieuw.bestuurder = Some(b.clone());
        }
    }
    nieuw.fase = Fase::InformatieVerstuurd;
    let nieuw = v.zet(
        Some(claim.fase),
        Gebeurtenis::InformatieAanlevering,
        nieuw,
        true,
    );
    v.bevestig(&nieuw, rol);
    v.stuur_door(&nieuw, rol, Inhoud::InformatieAanlevering(i.clone()));
    Ok(())
}
