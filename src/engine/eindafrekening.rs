//! The settlement (rules.md §5): `Betaalverzoek` (or automatically at the
//! match with `BetaalbaarStellen`), `Betaalbevestiging`, and the late payment
//! request. All arithmetic in `Decimal`; `round2` half away from zero per
//! component, interest rounded once, BGK rounded once.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::claim::{Afrekening, Claim};
use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::termijn;
use super::verwerking::{Afwijzing, Verwerking, buiten_fase, met, weigering};
use super::wettelijke_rente::rond_af;
use crate::bericht::{
    Afrekeningcomponent, Bedrag, Betaalbevestiging, Betaalkenmerk, Component, Eindafrekening,
    Eindafrekeningsoort, Foutcode, Inhoud, NagekomenBetaalverzoek, Rekenbedrag, Rentepercentage,
    Renteperiode, Schadecomponent, Systeemmelding, Systeemmeldingsoort, Toelichting,
    Verhaalpercentage, Weigering, WettelijkeRente,
};

fn bedrag(d: Decimal) -> Result<Bedrag, Weigering> {
    Bedrag::afgerond(d).map_err(|e| {
        weigering(
            Foutcode::F05,
            format!("the settlement amount {d} cannot be written: {e}"),
        )
    })
}

fn rekenbedrag(d: Decimal) -> Result<Rekenbedrag, Weigering> {
    Rekenbedrag::new(d).map_err(|e| {
        weigering(
            Foutcode::F05,
            format!("an interest amount {d} cannot be written: {e}"),
        )
    })
}

/// Computes a settlement of `componenten` (claimed at 100 %) on `claim`.
/// `bgk_eerder` is the BGK already settled (a late request adds the difference).
fn bereken(
    v: &Verwerking<'_>,
    claim: &Claim,
    soort: Eindafrekeningsoort,
    componenten: &[Component],
    hoofdsom_eerder: Decimal,
    bgk_eerder: Decimal,
) -> Result<(Afrekening, Eindafrekening), Weigering> {
    let pct = claim.verhaalpercentage.unwrap_or(Verhaalpercentage::Nul);
    let instellingen = v.ctx.instellingen;
    let Some(profiel) = v.ctx.deelnemers.get(&claim.verhaler) else {
        return Err(weigering(
            Foutcode::A03,
            format!("{} is no longer registered", claim.verhaler),
        ));
    };
    let datum = v.nu.date_naive();
    let invoer: Vec<(Schadecomponent, Decimal)> = componenten
        .iter()
        .map(|c| (c.code, c.bedrag.waarde()))
        .collect();
    let b = bedragen(
        instellingen,
        &Grondslag {
            componenten: &invoer,
            verhaalpercentage: pct,
            met_rente: profiel.wettelijke_rente,
            met_bgk: profiel.bgk,
            schadedatum: claim.schadedatum,
            datum,
            hoofdsom_eerder,
            bgk_eerder,
        },
    )
    .map_err(|e| weigering(Foutcode::F08, e.to_string()))?;
    let mut regels = Vec::new();
    for (c, (_, _, te_betalen)) in componenten.iter().zip(&b.componenten) {
        regels.push(Afrekeningcomponent {
            code: c.code,
            geclaimd: c.bedrag,
            verhaalpercentage: pct,
            te_betalen: bedrag(*te_betalen)?,
        });
    }
    let mut periodes = Vec::new();
    for s in &b.stukken {
        periodes.push(Renteperiode {
            van: s.van,
            tot: s.tot,
            dagen: s.dagen,
            percentage: Rentepercentage::new(s.procent).map_err(|e| {
                weigering(Foutcode::F08, format!("interest rate {}: {e}", s.procent))
            })?,
            grondslag: rekenbedrag(s.grondslag)?,
            rente: rekenbedrag(s.rente)?,
        });
    }
    let (hoofdsom, rente, bgk, totaal) = (b.hoofdsom, b.rente, b.bgk, b.totaal);
    let berekend = b.componenten;
    let betaalkenmerk = Betaalkenmerk::new_voor(&claim.id, claim.afrekeningen.len() as u32 + 1);
    let vervaldatum = datum
        .checked_add_days(Days::new(instellingen.termijnen.betaaltermijn_dagen.into()))
        .unwrap_or(datum);
    let bericht = Eindafrekening {
        soort,
        datum,
        component: regels,
        hoofdsom: bedrag(hoofdsom)?,
        wettelijke_rente: WettelijkeRente {
            bedrag: bedrag(rente)?,
            periode: periodes,
        },
        bgk: bedrag(bgk)?,
        totaal: bedrag(totaal)?,
        iban: profiel.iban.clone(),
        begunstigde: profiel.begunstigde.clone(),
        betaalkenmerk: betaalkenmerk.clone(),
        vervaldatum,
    };
    let afrekening = Afrekening {
        betaalkenmerk,
        soort,
        datum,
        componenten: berekend,
        hoofdsom,
        rente,
        bgk,
        totaal,
        vervaldatum,
        betaald: None,
    };
    Ok((afrekening, bericht))
}

/// What a settlement is computed from.
#[derive(Debug, Clone)]
pub struct Grondslag<'a> {
    /// Per component: code and amount claimed at 100 %.
    pub componenten: &'a [(Schadecomponent, Decimal)],
    pub verhaalpercentage: Verhaalpercentage,
    /// V's profile: statutory interest and BGK.
    pub met_rente: bool,
    pub met_bgk: bool,
    pub schadedatum: NaiveDate,
    /// The settlement date (interest runs to it, exclusive).
    pub datum: NaiveDate,
    /// Hoofdsom and BGK of earlier settlements (a late request adds the BGK difference).
    pub hoofdsom_eerder: Decimal,
    pub bgk_eerder: Decimal,
}

/// The amounts of a settlement (rules.md §5 steps 1–5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bedragen {
    /// Per component: code, claimed, to pay (`round2` of claimed × percentage / 100).
    pub componenten: Vec<(Schadecomponent, Decimal, Decimal)>,
    pub hoofdsom: Decimal,
    pub stukken: Vec<super::wettelijke_rente::Stuk>,
    pub rente: Decimal,
    pub bgk: Decimal,
    pub totaal: Decimal,
}

/// The arithmetic of a settlement, pure and in `Decimal` throughout.
pub fn bedragen(
    instellingen: &super::instellingen::Instellingen,
    g: &Grondslag<'_>,
) -> Result<Bedragen, super::wettelijke_rente::RenteFout> {
    let procent = Decimal::from(g.verhaalpercentage.procent());
    let mut componenten = Vec::new();
    let mut hoofdsom = Decimal::ZERO;
    for (code, geclaimd) in g.componenten {
        let te_betalen = rond_af(geclaimd * procent / Decimal::ONE_HUNDRED);
        hoofdsom += te_betalen;
        componenten.push((*code, *geclaimd, te_betalen));
    }
    let (stukken, rente) = if g.met_rente {
        let r = instellingen
            .rente
            .bereken(hoofdsom, g.schadedatum, g.datum)?;
        (r.stukken, r.bedrag)
    } else {
        (Vec::new(), Decimal::ZERO)
    };
    let bgk = if g.met_bgk {
        let nieuw = instellingen.bgk.bereken(g.hoofdsom_eerder + hoofdsom);
        (nieuw - g.bgk_eerder).max(Decimal::ZERO)
    } else {
        Decimal::ZERO
    };
    Ok(Bedragen {
        componenten,
        hoofdsom,
        stukken,
        rente,
        bgk,
        totaal: hoofdsom + rente + bgk,
    })
}

/// Checks that the claim can be settled now (F11, F12).
fn te_verrekenen(claim: &Claim) -> Result<&[Component], Weigering> {
    let Some(spec) = claim.specificatie.as_deref().filter(|s| !s.is_empty()) else {
        return Err(weigering(
            Foutcode::F11,
            format!("claim {} has no damage specification to settle", claim.id),
        ));
    };
    if claim
        .verhaalpercentage
        .is_none_or(|p| p == Verhaalpercentage::Nul)
    {
        return Err(weigering(
            Foutcode::F12,
            format!(
                "claim {} was agreed at verhaalpercentage 0: nothing to pay",
                claim.id
            ),
        ));
    }
    Ok(spec)
}

/// Settles and sends the `Eindafrekening` to both.
fn verstuur(
    v: &mut Verwerking<'_>,
    claim: Claim,
    door: Gebeurtenis,
    naar: Fase,
    afrekening: Afrekening,
    bericht: Eindafrekening,
    bevestig: bool,
) -> Claim {
    let van = claim.fase;
    let mut nieuw = claim;
    termijn::betaaltermijn(
        &v.ctx.instellingen.termijnen,
        v.nu,
        &mut v.tellers,
        &mut nieuw,
        &afrekening.betaalkenmerk,
    );
    nieuw.afrekeningen.push(afrekening);
    nieuw.fase = naar;
    let nieuw = v.zet(Some(van), door, nieuw, bevestig);
    if bevestig {
        v.bevestig(&nieuw, Rol::Verhaler);
    }
    v.stuur_beide(&nieuw, Inhoud::Eindafrekening(bericht));
    nieuw
}

pub fn betaalverzoek(v: &mut Verwerking<'_>, claim: Claim) -> Result<(), Afwijzing> {
    let rol = Rol::Verhaler;
    let fout = met(&claim, rol);
    let past = |f| matches!(f, Fase::Overeenstemming | Fase::NieuweClaim);
    if !past(claim.fase) {
        let w = weigering(
            Foutcode::F02,
            format!(
                "a Betaalverzoek is allowed in 'Overeenstemming bereikt' (or 'Nieuwe claim'); claim {} is in status '{}'",
                claim.id,
                claim.fase.van(rol).0
            ),
        );
        return Err(buiten_fase(&claim, rol, w, past));
    }
    let spec = te_verrekenen(&claim).map_err(&fout)?.to_vec();
    let (afrekening, bericht) = bereken(
        v,
        &claim,
        Eindafrekeningsoort::Regulier,
        &spec,
        Decimal::ZERO,
        Decimal::ZERO,
    )
    .map_err(&fout)?;
    verstuur(
        v,
        claim.clone(),
        Gebeurtenis::Betaalverzoek,
        Fase::EindafrekeningVerstuurd,
        afrekening,
        bericht,
        true,
    );
    Ok(())
}

/// Whether the match can settle at once (BetaalbaarStellen): a specification
/// and something to pay.
pub fn kan_automatisch(claim: &Claim) -> bool {
    te_verrekenen(claim).is_ok()
}

/// The settlement right after a match; returns the claim as it ends. When it
/// cannot be computed (a damage date before the rate table) the match stands
/// and V asks with a Betaalverzoek.
pub fn automatisch(v: &mut Verwerking<'_>, claim: Claim) -> Claim {
    let Ok(spec) = te_verrekenen(&claim).map(<[Component]>::to_vec) else {
        return claim;
    };
    match bereken(
        v,
        &claim,
        Eindafrekeningsoort::Regulier,
        &spec,
        Decimal::ZERO,
        Decimal::ZERO,
    ) {
        Ok((afrekening, bericht)) => verstuur(
            v,
            claim,
            Gebeurtenis::Betaalverzoek,
            Fase::EindafrekeningVerstuurd,
            afrekening,
            bericht,
            false,
        ),
        Err(_) => claim,
    }
}

pub fn betaalbevestiging(
    v: &mut Verwerking<'_>,
    claim: Claim,
    b: &Betaalbevestiging,
) -> Result<(), Afwijzing> {
    let rol = Rol::Aansprakelijke;
    let fout = met(&claim, rol);
    let Some(i) = claim
        .afrekeningen
        .iter()
        .position(|a| a.betaalkenmerk == b.betaalkenmerk && a.betaald.is_none())
    else {
        let betaald = claim
            .afrekeningen
            .iter()
            .any(|a| a.betaalkenmerk == b.betaalkenmerk);
        let w = weigering(
            Foutcode::F13,
            format!(
                "betaalkenmerk {} is {} on claim {}",
                b.betaalkenmerk,
                if betaald { "already paid" } else { "unknown" },
                claim.id
            ),
        );
        // Early only when it names the next settlement, while one may still be sent.
        let volgende = Betaalkenmerk::new_voor(&claim.id, claim.afrekeningen.len() as u32 + 1);
        return Err(if betaald || b.betaalkenmerk != volgende {
            fout(w)
        } else {
            buiten_fase(&claim, rol, w, |f| {
                matches!(f, Fase::EindafrekeningVerstuurd | Fase::Nagekomen)
            })
        });
    };
    let afrekening = &claim.afrekeningen[i];
    if b.betaaldatum < afrekening.datum {
        return Err(fout(weigering(
            Foutcode::F08,
            format!(
                "Betaaldatum {} is before the settlement of {}",
                b.betaaldatum, afrekening.datum
            ),
        )));
    }
    let naar = match claim.fase {
        Fase::EindafrekeningVerstuurd => Fase::Afgerond,
        Fase::Nagekomen => Fase::BetalingenOntvangen,
        _ => {
            let w = weigering(
                Foutcode::F02,
                format!(
                    "a Betaalbevestiging is not expected in status '{}' of claim {}",
                    claim.fase.van(rol).0,
                    claim.id
                ),
            );
            return Err(buiten_fase(&claim, rol, w, |f| {
                matches!(f, Fase::EindafrekeningVerstuurd | Fase::Nagekomen)
            }));
        }
    };
    let mut nieuw = claim.clone();
    nieuw.afrekeningen[i].betaald = Some(b.betaaldatum);
    nieuw.fase = naar;
    let nieuw = v.zet(
        Some(claim.fase),
        Gebeurtenis::Betaalbevestiging,
        nieuw,
        true,
    );
    v.bevestig(&nieuw, rol);
    v.stuur_door(&nieuw, rol, Inhoud::Betaalbevestiging(b.clone()));
    Ok(())
}

pub fn nagekomen(
    v: &mut Verwerking<'_>,
    claim: Claim,
    n: &NagekomenBetaalverzoek,
) -> Result<(), Afwijzing> {
    let rol = Rol::Verhaler;
    let fout = met(&claim, rol);
    let betaald =
        !claim.afrekeningen.is_empty() && claim.afrekeningen.iter().all(|a| a.betaald.is_some());
    if claim.fase != Fase::Gearchiveerd || !betaald {
        let w = weigering(
            Foutcode::F02,
            format!(
                "a NagekomenBetaalverzoek is allowed only on a paid and archived claim; claim {} is in status '{}'",
                claim.id,
                claim.fase.van(rol).0
            ),
        );
        return Err(buiten_fase(&claim, rol, w, |f| f == Fase::Gearchiveerd));
    }
    let [component] = n.component.as_slice() else {
        return Err(fout(weigering(
            Foutcode::F15,
            format!(
                "a late payment request names exactly one component, not {}",
                n.component.len()
            ),
        )));
    };
    if n.toelichting.is_none() {
        return Err(fout(weigering(
            Foutcode::F06,
            "a late payment request needs a Toelichting",
        )));
    }
    // The caps apply to what was claimed in all settlements together.
    let eerder_component: Decimal = claim
        .afrekeningen
        .iter()
        .flat_map(|a| &a.componenten)
        .filter(|(code, _, _)| *code == component.code)
        .map(|(_, geclaimd, _)| *geclaimd)
        .sum();
    let eerder_totaal: Decimal = claim
        .afrekeningen
        .iter()
        .flat_map(|a| &a.componenten)
        .map(|(_, geclaimd, _)| *geclaimd)
        .sum();
    let plafonds = &v.ctx.instellingen.plafonds;
    let samen = eerder_component + component.bedrag.waarde();
    if let Some(cap) = plafonds.component.get(&component.code)
        && samen > cap.waarde()
    {
        return Err(fout(weigering(
            Foutcode::F05,
            format!(
                "component {}: {samen:.2} claimed in all (earlier {eerder_component:.2} + late {}) is above its cap of {cap}",
                component.code, component.bedrag
            ),
        )));
    }
    let alles = eerder_totaal + component.bedrag.waarde();
    if alles > plafonds.totaal.waarde() {
        return Err(fout(weigering(
            Foutcode::F05,
            format!(
                "the total claimed {alles:.2} (earlier {eerder_totaal:.2} + late {}) is above the cap of {} on the total",
                component.bedrag, plafonds.totaal
            ),
        )));
    }
    let hoofdsom_eerder: Decimal = claim.afrekeningen.iter().map(|a| a.hoofdsom).sum();
    let bgk_eerder: Decimal = claim.afrekeningen.iter().map(|a| a.bgk).sum();
    let (afrekening, bericht) = bereken(
        v,
        &claim,
        Eindafrekeningsoort::Nagekomen,
        std::slice::from_ref(component),
        hoofdsom_eerder,
        bgk_eerder,
    )
    .map_err(&fout)?;
    verstuur(
        v,
        claim.clone(),
        Gebeurtenis::NagekomenBetaalverzoek,
        Fase::Nagekomen,
        afrekening,
        bericht,
        true,
    );
    Ok(())
}

/// The payment term of settlement `kenmerk` ran out unpaid (rules.md §7): a
/// notice to both; the claim stays as it is.
pub fn termijn_verstreken(v: &mut Verwerking<'_>, claim: Claim, kenmerk: &Betaalkenmerk) {
    let fase = claim.fase;
    let nieuw = v.zet(Some(fase), Gebeurtenis::Termijn, claim, false);
    let Some(a) = nieuw
        .afrekeningen
        .iter()
        .find(|a| a.betaalkenmerk == *kenmerk)
    else {
        return;
    };
    let info = format!(
        "Eindafrekening {} van {} (totaal {}) is niet betaald binnen {} dagen; vervaldatum {}.",
        a.betaalkenmerk,
        a.datum,
        a.totaal,
        v.ctx.instellingen.termijnen.betaaltermijn_dagen,
        a.vervaldatum
    );
    v.stuur_beide(
        &nieuw,
        Inhoud::Systeemmelding(Systeemmelding {
            soort: Systeemmeldingsoort::BetaaltermijnVerstreken,
            extra_info: Toelichting::afgekapt(&info),
        }),
    );
}
