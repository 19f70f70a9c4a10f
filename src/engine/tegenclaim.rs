//! The counter-claim (rules.md §6, Decision 6): at a 50-50 match between two
//! insurers the hub creates, at once, the claim in the other direction.

use super::claim::{Claim, Voertuigsleutel};
use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::verwerking::Verwerking;
use crate::bericht::{Inhoud, Systeemmelding, Systeemmeldingsoort, Toelichting, Verhaalpercentage};

/// Whether a participant may have a counter-claim (not a belangenbehartiger
/// or claimservice: they are not the insurer of the other vehicle).
fn is_verzekeraar(v: &Verwerking<'_>, claim: &Claim, rol: Rol) -> bool {
    match rol {
        Rol::Verhaler => !claim.beperkt,
        Rol::Aansprakelijke => v
            .ctx
            .deelnemers
            .get(&claim.aansprakelijke)
            .is_some_and(|d| !d.soort.is_beperkt()),
    }
}

/// Creates the counter-claim of `claim` when the rules ask for it, and
/// returns `claim` (with the link to its counter-claim when one was made).
pub fn maak(v: &mut Verwerking<'_>, claim: Claim) -> Claim {
    let twee_verzekeraars =
        is_verzekeraar(v, &claim, Rol::Verhaler) && is_verzekeraar(v, &claim, Rol::Aansprakelijke);
    if claim.verhaalpercentage != Some(Verhaalpercentage::Vijftig)
        || !twee_verzekeraars
        || claim.tegenclaim_van.is_some()
        || claim.tegenclaim.is_some()
    {
        return claim;
    }
    let sleutel = Voertuigsleutel {
        verhaler: claim.aansprakelijke.clone(),
        kenteken_verhaler: claim.kenteken_aansprakelijke.clone(),
        kenteken_aansprakelijke: claim.kenteken_verhaler.clone(),
        schadedatum: claim.schadedatum,
    };
    // A's own claim on the same accident, unless it was withdrawn.
    if let Some(bestaand) =
        super::toestand::telt_mee(v.zicht, v.zicht.claim_op_voertuigen(&sleutel))
            .and_then(|id| v.zicht.claim(&id))
    {
        return adopteer(v, claim, bestaand);
    }
    let id = v.nieuwe_claim_id();
    // A's number becomes the natural key, unless A already uses it as a claimant.
    let nummer = claim.schadenummer_aansprakelijke.clone().filter(|n| {
        super::toestand::telt_mee(v.zicht, v.zicht.claim_op_sleutel(&claim.aansprakelijke, n))
            .is_none()
    });
    let tegen = Claim {
        id: id.clone(),
        ongeval: claim.ongeval.clone(),
        verhaler: claim.aansprakelijke.clone(),
        aansprakelijke: claim.verhaler.clone(),
        schadenummer_verhaler: nummer,
        schadenummer_aansprakelijke: claim.schadenummer_verhaler.clone(),
        kenteken_verhaler: claim.kenteken_aansprakelijke.clone(),
        kenteken_aansprakelijke: claim.kenteken_verhaler.clone(),
        schadedatum: claim.schadedatum,
        dekking: None,
        beperkt: false,
        documenten: Vec::new(),
        polisnummer_verhaler: None,
        bestuurder: None,
        fase: Fase::NieuweClaim,
        standpunten: Vec::new(),
        verhaalpercentage: Some(Verhaalpercentage::Vijftig),
        ovs_code: claim.ovs_code,
        afmeldreden: None,
        tegenclaim_van: Some(claim.id.clone()),
        tegenclaim: None,
        specificatie: None,
        betaalbaar_stellen: false,
        afrekeningen: Vec::new(),
        aangemaakt: v.nu,
        laatste_activiteit: v.nu,
        timers: Vec::new(),
    };
    let tegen = v.zet(None, Gebeurtenis::Tegenclaim, tegen, true);
    let nummer_nodig = if tegen.schadenummer_verhaler.is_none() {
        format!(
            " {} stelt eerst zijn schadenummer in (SchadenummerWijziging).",
            tegen.verhaler
        )
    } else {
        String::new()
    };
    let info = format!(
        "Overeenstemming op 50-50 over claim {}: tegenclaim {id} aangemaakt op ongeval {}, {} verhaalt op {} tegen 50 procent.{nummer_nodig}",
        claim.id, tegen.ongeval, tegen.verhaler, tegen.aansprakelijke
    );
    koppel(v, claim, &tegen, &info)
}

/// Links the original claim to its counter-claim and tells both parties.
fn koppel(v: &mut Verwerking<'_>, claim: Claim, tegen: &Claim, info: &str) -> Claim {
    let van = claim.fase;
    let mut origineel = claim;
    origineel.tegenclaim = Some(tegen.id.clone());
    let origineel = v.zet(Some(van), Gebeurtenis::Tegenclaim, origineel, false);
    v.stuur_beide(
        tegen,
        Inhoud::Systeemmelding(Systeemmelding {
            soort: Systeemmeldingsoort::TegenclaimAangemaakt,
            extra_info: Toelichting::afgekapt(info),
        }),
    );
    origineel
}

/// A already registered its own claim on the same two vehicles and date: that
/// claim is the other direction. While its liability is still open it becomes
/// the counter-claim (same accident, agreed at 50); otherwise it is left as it
/// is (docs/clearingregels.md).
fn adopteer(v: &mut Verwerking<'_>, claim: Claim, bestaand: Claim) -> Claim {
    if !bestaand.fase.is_aansprakelijkheid_open()
        || bestaand.tegenclaim_van.is_some()
        || bestaand.tegenclaim.is_some()
    {
        return claim;
    }
    let van = bestaand.fase;
    let mut tegen = bestaand;
    let eigen_ongeval = tegen.ongeval.clone();
    tegen.ongeval = claim.ongeval.clone();
    tegen.fase = Fase::NieuweClaim;
    tegen.verhaalpercentage = Some(Verhaalpercentage::Vijftig);
    tegen.ovs_code = claim.ovs_code;
    tegen.tegenclaim_van = Some(claim.id.clone());
    if tegen.schadenummer_aansprakelijke.is_none() {
        tegen.schadenummer_aansprakelijke = claim.schadenummer_verhaler.clone();
    }
    let tegen = v.zet(Some(van), Gebeurtenis::Tegenclaim, tegen, false);
    let info = format!(
        "Overeenstemming op 50-50 over claim {}: de eigen claim {} van {} op dezelfde voertuigen en schadedatum is nu de tegenclaim, op ongeval {} (was {eigen_ongeval}), aansprakelijkheid overeengekomen op 50 procent.",
        claim.id, tegen.id, tegen.verhaler, tegen.ongeval
    );
    koppel(v, claim, &tegen, &info)
}
