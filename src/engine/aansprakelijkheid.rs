//! Liability (rules.md §3): at most three positions, the OVS table, the
//! toedracht list, the role restrictions of §1, the match and the end
//! without one. A's schadenummer lives here too: it is fixed at agreement.

use super::claim::Claim;
use super::levenscyclus::{Fase, Gebeurtenis, Rol};
use super::verwerking::{Afwijzing, Verwerking, buiten_fase, met, weigering};
use super::{eindafrekening, tegenclaim};
use crate::bericht::{
    Aansprakelijkstelling, Afmeldreden, Foutcode, GeenOvereenstemming, Inhoud, Overeenstemming,
    OvsCode, ReactieA, ReactieAansprakelijkheid, ReactieTegenvoorstel, ReactieV, Schadenummer,
    SchadenummerWijziging, Standpunt, Standpunten, Standpuntsoort, Toelichting, Verhaalpercentage,
    Weigering,
};

/// The OVS table of rules.md §3.
pub fn past_bij_ovs(ovs: OvsCode, pct: Verhaalpercentage) -> bool {
    use Verhaalpercentage::*;
    match ovs {
        OvsCode::Nul => true,
        OvsCode::Een | OvsCode::Twee | OvsCode::Drie | OvsCode::Vier | OvsCode::Vijf => {
            matches!(pct, Nul | Honderd)
        }
        OvsCode::Zes => pct == Vijftig,
    }
}

fn f03(tekst: String) -> Weigering {
    weigering(Foutcode::F03, tekst)
}

/// Checks a proposal by V (position 1 or 3) and returns the OVS code recorded.
pub fn voorstel_v(
    beperkt: bool,
    ovs: OvsCode,
    pct: Verhaalpercentage,
) -> Result<OvsCode, Weigering> {
    if beperkt && ovs != OvsCode::Nul {
        return Err(weigering(
            Foutcode::F14,
            format!(
                "a belangenbehartiger or claimservice claims under general law: OvsCode is 0, not {ovs}"
            ),
        ));
    }
    if pct == Verhaalpercentage::Nul {
        return Err(f03(
            "V proposes verhaalpercentage 100 or 50, never 0".to_owned()
        ));
    }
    if !past_bij_ovs(ovs, pct) {
        return Err(f03(format!(
            "verhaalpercentage {pct} is not allowed with OVS-code {ovs}"
        )));
    }
    Ok(ovs)
}

/// Checks V's Aansprakelijkstelling against the toedracht list.
pub fn controleer_toedracht(
    v: &Verwerking<'_>,
    beperkt: bool,
    a: &Aansprakelijkstelling,
) -> Result<OvsCode, Weigering> {
    let ovs = voorstel_v(beperkt, a.ovs_code, a.verhaalpercentage)?;
    let code = a.toedracht.code;
    let Some(regel) = v.ctx.instellingen.toedracht.regel(code) else {
        return Err(f03(format!(
            "toedracht {code} is not in the toedracht list"
        )));
    };
    if regel.omschrijving_verplicht && a.toedracht.omschrijving.is_none() {
        return Err(weigering(
            Foutcode::F06,
            format!("toedracht {code} needs an Omschrijving"),
        ));
    }
    // A belangenbehartiger's OVS-code is always 0 (the hub fills it in), so only
    // the percentage has to fit the toedracht.
    let past = regel
        .paren
        .iter()
        .any(|(o, p)| *p == a.verhaalpercentage && (beperkt || *o == a.ovs_code));
    if !past {
        let paren: Vec<String> = regel
            .paren
            .iter()
            .map(|(o, p)| format!("OVS {o} with {p}"))
            .collect();
        return Err(f03(format!(
            "toedracht {code} allows {}; the message has OVS {} with {}",
            paren.join(", "),
            a.ovs_code,
            a.verhaalpercentage
        )));
    }
    Ok(ovs)
}

fn standpunt(
    v: &Verwerking<'_>,
    claim: &Claim,
    rol: Rol,
    soort: Standpuntsoort,
    ovs: Option<OvsCode>,
    pct: Option<Verhaalpercentage>,
    toelichting: Option<Toelichting>,
) -> Standpunt {
    Standpunt {
        volgnummer: claim.standpunten.len() as u32 + 1,
        partij: claim.deelnemer(rol).clone(),
        soort,
        ovs_code: ovs,
        verhaalpercentage: pct,
        toelichting,
        tijdstip: v.nu,
    }
}

/// F02 for a message that fits only phases where `past` holds (early when
/// one of them can still come).
fn niet_in_status(claim: &Claim, rol: Rol, wat: &str, past: impl Fn(Fase) -> bool) -> Afwijzing {
    let (status, _) = claim.fase.van(rol);
    let w = weigering(
        Foutcode::F02,
        format!(
            "{wat} is not allowed in status '{status}' of claim {}",
            claim.id
        ),
    );
    buiten_fase(claim, rol, w, past)
}

/// Sets A's schadenummer (checked for being allowed by the caller).
fn zet_nummer_a(claim: &mut Claim, nummer: Option<&Schadenummer>) {
    if let Some(n) = nummer {
        claim.schadenummer_aansprakelijke = Some(n.clone());
    }
}

/// `SchadenummerWijziging`: A's number until agreement; on a counter-claim,
/// the claimant's own number once (it becomes the natural key).
pub fn schadenummer(
    v: &mut Verwerking<'_>,
    claim: Claim,
    rol: Rol,
    s: &SchadenummerWijziging,
) -> Result<(), Afwijzing> {
    let fout = met(&claim, rol);
    let van = claim.fase;
    let mut nieuw = claim.clone();
    let door = Gebeurtenis::SchadenummerWijziging;
    match rol {
        Rol::Verhaler => {
            // Only a counter-claim's claimant without a number gets here.
            if let Some(ander) = super::toestand::telt_mee(
                v.zicht,
                v.zicht.claim_op_sleutel(&claim.verhaler, &s.schadenummer),
            ) {
                return Err(fout(weigering(
                    Foutcode::F09,
                    format!(
                        "{} already has claim {ander} with schadenummer {}",
                        claim.verhaler, s.schadenummer
                    ),
                )));
            }
            nieuw.schadenummer_verhaler = Some(s.schadenummer.clone());
        }
        Rol::Aansprakelijke => {
            if !claim.fase.is_aansprakelijkheid_open() {
                return Err(fout(weigering(
                    Foutcode::F02,
                    format!(
                        "A's schadenummer is fixed once liability is settled; claim {} is in status '{}'",
                        claim.id,
                        claim.fase.van(rol).0
                    ),
                )));
            }
            nieuw.schadenummer_aansprakelijke = Some(s.schadenummer.clone());
            if van == Fase::Aangemeld {
                nieuw.fase = Fase::OpvoerenAansprakelijkheid;
            }
        }
    }
    let nieuw = v.zet(Some(van), door, nieuw, true);
    v.bevestig(&nieuw, rol);
    v.stuur_door(&nieuw, rol, Inhoud::SchadenummerWijziging(s.clone()));
    Ok(())
}

/// V's `Aansprakelijkstelling`: position 1, or a new proposal as position 3.
pub fn aansprakelijkstelling(
    v: &mut Verwerking<'_>,
    claim: Claim,
    a: &Aansprakelijkstelling,
) -> Result<(), Afwijzing> {
    let rol = Rol::Verhaler;
    let fout = met(&claim, rol);
    let (soort, door) = match claim.fase {
        Fase::Aangemeld | Fase::OpvoerenAansprakelijkheid => (
            Standpuntsoort::Aansprakelijkstelling,
            Gebeurtenis::Aansprakelijkstelling,
        ),
        Fase::Tegenvoorstel => (Standpuntsoort::NieuwVoorstel, Gebeurtenis::NieuwVoorstel),
        _ => {
            return Err(niet_in_status(
                &claim,
                rol,
                "an Aansprakelijkstelling",
                |f| {
                    matches!(
                        f,
                        Fase::Aangemeld | Fase::OpvoerenAansprakelijkheid | Fase::Tegenvoorstel
                    )
                },
            ));
        }
    };
    let ovs = controleer_toedracht(v, claim.beperkt, a).map_err(&fout)?;
    if soort == Standpuntsoort::NieuwVoorstel {
        nieuw_voorstel_past(&claim, a.verhaalpercentage).map_err(&fout)?;
    }
    if let Some(spec) = &a.schadespecificatie {
        super::schadespecificatie::controleer(v, &spec.component).map_err(&fout)?;
    }
    let mut nieuw = claim.clone();
    let toelichting = a.toedracht.omschrijving.clone();
    nieuw.standpunten.push(standpunt(
        v,
        &claim,
        rol,
        soort,
        Some(ovs),
        Some(a.verhaalpercentage),
        toelichting,
    ));
    if let Some(spec) = &a.schadespecificatie {
        nieuw.specificatie = Some(spec.component.clone());
    }
    // messages.md: BetaalbaarStellen defaults to false; the last message decides.
    nieuw.betaalbaar_stellen = a.betaalbaar_stellen.unwrap_or(false);
    nieuw.fase = Fase::AansprakelijkheidIngediend;
    let nieuw = v.zet(Some(claim.fase), door, nieuw, true);
    v.bevestig(&nieuw, rol);
    v.stuur_door(&nieuw, rol, Inhoud::Aansprakelijkstelling(a.clone()));
    Ok(())
}

/// A new proposal must differ from A's counter-proposal (equal is an acceptance).
fn nieuw_voorstel_past(claim: &Claim, pct: Verhaalpercentage) -> Result<(), Weigering> {
    if claim.posities() >= 3 {
        return Err(weigering(
            Foutcode::F04,
            format!("claim {} has used all 3 liability positions", claim.id),
        ));
    }
    if claim.open_voorstel().and_then(|s| s.verhaalpercentage) == Some(pct) {
        return Err(f03(format!(
            "a new proposal of {pct} equals A's counter-proposal; accept it with Akkoord"
        )));
    }
    Ok(())
}

/// A's `ReactieAansprakelijkheid` on position 1 or 3.
pub fn reactie_a(
    v: &mut Verwerking<'_>,
    claim: Claim,
    r: &ReactieAansprakelijkheid,
) -> Result<(), Afwijzing> {
    let rol = Rol::Aansprakelijke;
    let fout = met(&claim, rol);
    let open = |f| {
        matches!(
            f,
            Fase::AansprakelijkheidIngediend | Fase::InformatieVerzoek | Fase::InformatieVerstuurd
        )
    };
    let voorstel = claim.open_voorstel().cloned();
    let (true, Some(voorstel)) = (open(claim.fase), voorstel) else {
        return Err(niet_in_status(
            &claim,
            rol,
            "a ReactieAansprakelijkheid",
            open,
        ));
    };
    let voorgesteld = voorstel
        .verhaalpercentage
        .unwrap_or(Verhaalpercentage::Honderd);
    let mut nieuw = claim.clone();
    match &r.keuze {
        ReactieA::Akkoord(akkoord) => {
            // On a belangenbehartiger's claim A's acceptance is recorded with OVS 0.
            let ovs = if claim.beperkt {
                OvsCode::Nul
            } else {
                akkoord
                    .ovs_code
                    .or(voorstel.ovs_code)
                    .unwrap_or(OvsCode::Nul)
            };
            if !past_bij_ovs(ovs, voorgesteld) {
                return Err(fout(f03(format!(
                    "accepting {voorgesteld} with OVS-code {ovs} does not fit the OVS table"
                ))));
            }
            zet_nummer_a(&mut nieuw, akkoord.schadenummer.as_ref());
            nieuw.standpunten.push(standpunt(
                v,
                &claim,
                rol,
                Standpuntsoort::Akkoord,
                Some(ovs),
                Some(voorgesteld),
                None,
            ));
            overeenstemming(v, claim.fase, nieuw, rol, voorgesteld, ovs)
        }
        ReactieA::Tegenvoorstel(t) => {
            if claim.posities() >= 3 {
                return Err(fout(weigering(
                    Foutcode::F04,
                    format!(
                        "claim {} has used all 3 liability positions: accept or reject",
                        claim.id
                    ),
                )));
            }
            let ovs =
                tegenvoorstel_a(claim.beperkt, t.ovs_code, t.verhaalpercentage).map_err(&fout)?;
            if t.verhaalpercentage == voorgesteld {
                return Err(fout(f03(format!(
                    "a counter-proposal of {voorgesteld} equals the proposal; accept it with Akkoord"
                ))));
            }
            zet_nummer_a(&mut nieuw, Some(&t.schadenummer));
            nieuw.standpunten.push(standpunt(
                v,
                &claim,
                rol,
                Standpuntsoort::Tegenvoorstel,
                Some(ovs),
                Some(t.verhaalpercentage),
                Some(t.toelichting.clone()),
            ));
            nieuw.fase = Fase::Tegenvoorstel;
            let nieuw = v.zet(Some(claim.fase), Gebeurtenis::Tegenvoorstel, nieuw, true);
            v.bevestig(&nieuw, rol);
            // Forwarded as accepted: with the OVS-code recorded (0 on a
            // belangenbehartiger's claim).
            let mut doorgestuurd = t.clone();
            doorgestuurd.ovs_code = ovs;
            v.stuur_door(
                &nieuw,
                rol,
                Inhoud::ReactieAansprakelijkheid(ReactieAansprakelijkheid {
                    keuze: ReactieA::Tegenvoorstel(doorgestuurd),
                }),
            );
            Ok(())
        }
        ReactieA::Afwijzing(afw) => {
            if claim.posities() < 3 {
                return Err(fout(weigering(
                    Foutcode::F02,
                    format!(
                        "A may reject only V's position 3; on position {} A accepts or makes a counter-proposal (claim {}, status '{}')",
                        claim.posities(),
                        claim.id,
                        claim.fase.van(rol).0
                    ),
                )));
            }
            nieuw.standpunten.push(standpunt(
                v,
                &claim,
                rol,
                Standpuntsoort::Afwijzing,
                None,
                None,
                Some(afw.toelichting.clone()),
            ));
            geen_overeenstemming(v, claim.fase, nieuw, rol);
            Ok(())
        }
    }
}

/// Checks A's counter-proposal and returns the OVS code recorded.
fn tegenvoorstel_a(
    beperkt: bool,
    ovs: OvsCode,
    pct: Verhaalpercentage,
) -> Result<OvsCode, Weigering> {
    if pct == Verhaalpercentage::Honderd {
        return Err(f03(
            "a counter-proposal of 100 is an acceptance; send Akkoord".to_owned(),
        ));
    }
    if beperkt {
        // The 0 %/50 % limit restricts V's own proposals only (rules.md §1):
        // A's counter-proposal is recorded with OVS 0, which allows 0 and 50.
        return Ok(OvsCode::Nul);
    }
    if !past_bij_ovs(ovs, pct) {
        return Err(f03(format!(
            "verhaalpercentage {pct} is not allowed with OVS-code {ovs}"
        )));
    }
    Ok(ovs)
}

/// V's `ReactieTegenvoorstel` on A's counter-proposal (position 3).
pub fn reactie_v(
    v: &mut Verwerking<'_>,
    claim: Claim,
    r: &ReactieTegenvoorstel,
) -> Result<(), Afwijzing> {
    let rol = Rol::Verhaler;
    let fout = met(&claim, rol);
    let voorstel = claim.open_voorstel().cloned();
    let (Fase::Tegenvoorstel, Some(tegen)) = (claim.fase, voorstel) else {
        return Err(niet_in_status(&claim, rol, "a ReactieTegenvoorstel", |f| {
            f == Fase::Tegenvoorstel
        }));
    };
    let mut nieuw = claim.clone();
    match &r.keuze {
        ReactieV::Akkoord(_) => {
            let pct = tegen
                .verhaalpercentage
                .unwrap_or(Verhaalpercentage::Vijftig);
            let ovs = tegen.ovs_code.unwrap_or(OvsCode::Nul);
            nieuw.standpunten.push(standpunt(
                v,
                &claim,
                rol,
                Standpuntsoort::Akkoord,
                Some(ovs),
                Some(pct),
                None,
            ));
            overeenstemming(v, claim.fase, nieuw, rol, pct, ovs)
        }
        ReactieV::NieuwVoorstel(n) => {
            let ovs = voorstel_v(claim.beperkt, n.ovs_code, n.verhaalpercentage)
                .and_then(|ovs| nieuw_voorstel_past(&claim, n.verhaalpercentage).map(|()| ovs))
                .map_err(&fout)?;
            nieuw.standpunten.push(standpunt(
                v,
                &claim,
                rol,
                Standpuntsoort::NieuwVoorstel,
                Some(ovs),
                Some(n.verhaalpercentage),
                Some(n.toelichting.clone()),
            ));
            nieuw.fase = Fase::AansprakelijkheidIngediend;
            let nieuw = v.zet(Some(claim.fase), Gebeurtenis::NieuwVoorstel, nieuw, true);
            v.bevestig(&nieuw, rol);
            v.stuur_door(&nieuw, rol, Inhoud::ReactieTegenvoorstel(r.clone()));
            Ok(())
        }
        ReactieV::Afwijzing(afw) => {
            nieuw.standpunten.push(standpunt(
                v,
                &claim,
                rol,
                Standpuntsoort::Afwijzing,
                None,
                None,
                Some(afw.toelichting.clone()),
            ));
            geen_overeenstemming(v, claim.fase, nieuw, rol);
            Ok(())
        }
    }
}

/// The match: both get `Overeenstemming`; at 50-50 between two insurers the
/// counter-claim is created; with BetaalbaarStellen the settlement follows.
fn overeenstemming(
    v: &mut Verwerking<'_>,
    van: Fase,
    mut nieuw: Claim,
    rol: Rol,
    pct: Verhaalpercentage,
    ovs: OvsCode,
) -> Result<(), Afwijzing> {
    nieuw.verhaalpercentage = Some(pct);
    nieuw.ovs_code = Some(ovs);
    nieuw.fase = Fase::Overeenstemming;
    let body = Overeenstemming {
        verhaalpercentage: pct,
        ovs_code: ovs,
        datum: v.nu.date_naive(),
        standpunten: Standpunten {
            standpunt: nieuw.standpunten.clone(),
        },
    };
    let automatisch = nieuw.betaalbaar_stellen && eindafrekening::kan_automatisch(&nieuw);
    let nieuw = v.zet(Some(van), Gebeurtenis::Akkoord, nieuw, true);
    // The receipt comes first but carries the sender's status after everything
    // this message causes (an automatic settlement moves it on).
    let plek = v.reserveer();
    v.stuur_beide(&nieuw, Inhoud::Overeenstemming(body));
    let nieuw = if pct == Verhaalpercentage::Vijftig {
        tegenclaim::maak(v, nieuw)
    } else {
        nieuw
    };
    let nieuw = if automatisch {
        eindafrekening::automatisch(v, nieuw)
    } else {
        nieuw
    };
    v.bevestig_op(plek, &nieuw, rol);
    Ok(())
}

/// No match (M21): both must archive.
fn geen_overeenstemming(v: &mut Verwerking<'_>, van: Fase, mut nieuw: Claim, rol: Rol) {
    nieuw.fase = Fase::GeenOvereenstemming;
    nieuw.afmeldreden = Some(Afmeldreden::M21);
    let body = GeenOvereenstemming {
        standpunten: Standpunten {
            standpunt: nieuw.standpunten.clone(),
        },
        reden: Afmeldreden::M21,
    };
    let nieuw = v.zet(Some(van), Gebeurtenis::Afwijzing, nieuw, true);
    v.bevestig(&nieuw, rol);
    v.stuur_beide(&nieuw, Inhoud::GeenOvereenstemming(body));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bericht::Codelijst;

    #[test]
    fn de_ovs_tabel_van_paragraaf_3() {
        use Verhaalpercentage::*;
        let mut toegestaan = Vec::new();
        for ovs in OvsCode::ALLE {
            for pct in Verhaalpercentage::ALLE {
                if past_bij_ovs(*ovs, *pct) {
                    toegestaan.push(format!("{ovs}:{pct}"));
                }
            }
        }
        assert_eq!(
            toegestaan.join(" "),
            "0:0 0:50 0:100 1:0 1:100 2:0 2:100 3:0 3:100 4:0 4:100 5:0 5:100 6:50"
        );
        assert!(voorstel_v(false, OvsCode::Nul, Nul).is_err());
        assert!(
            voorstel_v(true, OvsCode::Een, Honderd).is_err_and(|w| w.hoofdcode() == Foutcode::F14)
        );
        assert!(
            tegenvoorstel_a(false, OvsCode::Een, Honderd)
                .is_err_and(|w| w.hoofdcode() == Foutcode::F03)
        );
        assert_eq!(
            tegenvoorstel_a(true, OvsCode::Zes, Vijftig).ok(),
            Some(OvsCode::Nul)
        );
        // An insurer may deny a legal-aid insurer's claim (issue 17).
        assert_eq!(
            tegenvoorstel_a(true, OvsCode::Nul, Nul).ok(),
            Some(OvsCode::Nul)
        );
        assert_eq!(
            tegenvoorstel_a(true, OvsCode::Een, Nul).ok(),
            Some(OvsCode::Nul)
        );
    }
}
