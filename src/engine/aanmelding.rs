//! `Aanmelding`: the eligibility of a claim (rules.md §2) and its creation,
//! with position 1 at once when it embeds an `Aansprakelijkstelling`.

use super::claim::{Claim, Voertuigsleutel};
use super::kenteken::Kenteken;
use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::toestand;
use super::verwerking::{Afwijzing, Verwerking, weigering};
use super::{aansprakelijkheid, schadespecificatie};
use crate::bericht::{
    Aanmelding, Bericht, ClaimId, Dekking, Foutcode, Inhoud, KentekenInvoer, Standpunt,
    Standpuntsoort, Weigering,
};

fn kenteken(invoer: &KentekenInvoer, wie: &str) -> Result<Kenteken, Weigering> {
    Kenteken::normaliseer(invoer.as_str()).ok_or_else(|| {
        weigering(
            Foutcode::F07,
            format!(
                "kenteken {wie} '{}' is not a valid Dutch licence plate (no sidecode fits)",
                invoer.as_str()
            ),
        )
    })
}

/// Checks and creates the claim. V is the sender.
pub fn behandel(
    v: &mut Verwerking<'_>,
    bericht: &Bericht,
    a: &Aanmelding,
) -> Result<ClaimId, Afwijzing> {
    let verhaler = &bericht.kop.afzender;
    let aansprakelijke = &a.aansprakelijke_partij.deelnemer;
    let deelnemers = v.ctx.deelnemers;
    let Some(dv) = deelnemers.get(verhaler) else {
        return Err(weigering(Foutcode::A03, format!("{verhaler} is not registered")).into());
    };
    if !dv.actief {
        return Err(weigering(
            Foutcode::A03,
            format!("{verhaler} is not active: it cannot register new claims"),
        )
        .into());
    }
    match deelnemers.get(aansprakelijke) {
        None => {
            return Err(weigering(
                Foutcode::A03,
                format!("the liable party {aansprakelijke} is not a registered participant"),
            )
            .into());
        }
        Some(d) if !d.actief => {
            return Err(weigering(
                Foutcode::A03,
                format!("the liable party {aansprakelijke} is not active: no new claims to it"),
            )
            .into());
        }
        // The liable party is an insurer (rules.md §1).
        Some(d) if d.soort.is_beperkt() => {
            return Err(weigering(
                Foutcode::F14,
                format!(
                    "the liable party {aansprakelijke} is a {}: only an insurer (verzekeraar or gevolmachtigde) can be held liable",
                    d.soort.naam()
                ),
            )
            .into());
        }
        Some(_) => {}
    }
    if aansprakelijke == verhaler {
        return Err(weigering(
            Foutcode::A02,
            format!("{verhaler} cannot hold itself liable"),
        )
        .into());
    }
    let kenteken_v = kenteken(&a.verhalende_partij.kenteken, "V")?;
    let kenteken_a = kenteken(&a.aansprakelijke_partij.kenteken, "A")?;
    if kenteken_v == kenteken_a {
        return Err(weigering(
            Foutcode::F07,
            format!("both vehicles have kenteken {kenteken_v}: a claim is between two vehicles"),
        )
        .into());
    }
    let schadedatum = a.voorval.schadedatum;
    let ontvangen = v.nu.date_naive();
    if schadedatum > ontvangen {
        return Err(weigering(
            Foutcode::F08,
            format!("Schadedatum {schadedatum} is after the day of receipt {ontvangen}"),
        )
        .into());
    }
    let beperkt = dv.soort.is_beperkt();
    if beperkt && a.verhalende_partij.dekking != Dekking::Casco {
        return Err(weigering(
            Foutcode::F14,
            "a belangenbehartiger or claimservice claims under Dekking CASCO",
        )
        .into());
    }
    let nummer = &a.verhalende_partij.schadenummer;
    if let Some(id) = toestand::telt_mee(v.zicht, v.zicht.claim_op_sleutel(verhaler, nummer)) {
        return Err(weigering(
            Foutcode::F09,
            format!("{verhaler} already has claim {id} with schadenummer {nummer}"),
        )
        .into());
    }
    let sleutel = Voertuigsleutel {
        verhaler: verhaler.clone(),
        kenteken_verhaler: kenteken_v.clone(),
        kenteken_aansprakelijke: kenteken_a.clone(),
        schadedatum,
    };
    if let Some(id) = toestand::telt_mee(v.zicht, v.zicht.claim_op_voertuigen(&sleutel)) {
        return Err(weigering(
            Foutcode::F09,
            format!(
                "claim {id} already recovers the damage of {kenteken_v} from {kenteken_a} of {schadedatum} (withdraw with M13 if this one is the duplicate)"
            ),
        )
        .into());
    }
    let mut standpunten = Vec::new();
    let mut specificatie = None;
    let mut betaalbaar_stellen = false;
    if let Some(st) = &a.aansprakelijkstelling {
        if let Some(spec) = &st.schadespecificatie {
            schadespecificatie::controleer(v, &spec.component)?;
            specificatie = Some(spec.component.clone());
        }
        let ovs = aansprakelijkheid::controleer_toedracht(v, beperkt, st)?;
        betaalbaar_stellen = st.betaalbaar_stellen.unwrap_or(false);
        standpunten.push(Standpunt {
            volgnummer: 1,
            partij: verhaler.clone(),
            soort: Standpuntsoort::Aansprakelijkstelling,
            ovs_code: Some(ovs),
            verhaalpercentage: Some(st.verhaalpercentage),
            toelichting: st.toedracht.omschrijving.clone(),
            tijdstip: v.nu,
        });
    }
    let (fase, door) = if standpunten.is_empty() {
        (Fase::Aangemeld, Gebeurtenis::Aanmelding)
    } else {
        (
            Fase::AansprakelijkheidIngediend,
            Gebeurtenis::AanmeldingMetAansprakelijkstelling,
        )
    };
    let id = v.nieuwe_claim_id();
    let ongeval = v.nieuwe_ongeval_id();
    let claim = Claim {
        id: id.clone(),
        ongeval,
        verhaler: verhaler.clone(),
        aansprakelijke: aansprakelijke.clone(),
        schadenummer_verhaler: Some(nummer.clone()),
        schadenummer_aansprakelijke: None,
        kenteken_verhaler: kenteken_v,
        kenteken_aansprakelijke: kenteken_a,
        schadedatum,
        dekking: Some(a.verhalende_partij.dekking),
        beperkt,
        documenten: a
            .voorval
            .documenten_aanwezig
            .as_ref()
            .map(|d| d.document.clone())
            .unwrap_or_default(),
        polisnummer_verhaler: a.verhalende_partij.polisnummer.clone(),
        bestuurder: a.aansprakelijke_partij.bestuurder.clone(),
        fase,
        standpunten,
        verhaalpercentage: None,
        ovs_code: None,
        afmeldreden: None,
        tegenclaim_van: None,
        tegenclaim: None,
        specificatie,
        betaalbaar_stellen,
        afrekeningen: Vec::new(),
        aangemaakt: v.nu,
        laatste_activiteit: v.nu,
        timers: Vec::new(),
    };
    let claim = v.zet(None, door, claim, true);
    v.bevestig(&claim, Rol::Verhaler);
    v.stuur_door(&claim, Rol::Verhaler, Inhoud::Aanmelding(a.clone()));
    Ok(id)
}
