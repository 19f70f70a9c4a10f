//! The clearing engine (pure): the hub's state as a [`Zicht`], one input and
//! the settings → the state changes and the outbound messages.
//!
//! It imports no tokio, sqlx, lapin or file I/O, reads no clock (the time is
//! the input's receive time) and uses no randomness; every identifier comes
//! from the counters in the state, so a replay reproduces every byte.
//!
//! One module per concept of the clearing process: [`aanmelding`],
//! [`aansprakelijkheid`], [`informatie`], [`schadespecificatie`],
//! [`afmelding`] (withdrawal and archiving), [`tegenclaim`]; the lifecycle table
//! is [`levenscyclus`], reference data [`referentie`].

pub mod aanmelding;
pub mod aansprakelijkheid;
pub mod afmelding;
pub mod bgk;
pub mod claim;
pub mod eindafrekening;
pub mod informatie;
pub mod instellingen;
pub mod kenteken;
pub mod levenscyclus;
pub mod rappel;
pub mod referentie;
pub mod schadespecificatie;
pub mod tegenclaim;
pub mod termijn;
pub mod toestand;
pub mod verwerking;
pub mod vroeg;
pub mod wettelijke_rente;

use chrono::{DateTime, FixedOffset};

use crate::bericht::{Bericht, ClaimBlok, ClaimId, Deelnemercode, Foutcode, Inhoud, Weigering};
pub use claim::{Afrekening, Claim, Rappelreeks, Timer, Timersoort, Voertuigsleutel};
pub use instellingen::{Instellingen, Termijnen};
pub use levenscyclus::{Fase, Gebeurtenis, Rol};
pub use referentie::{Plafonds, Toedrachtlijst};
pub use toestand::{
    Doel, Gevonden, Inboxregel, Peiling, Tellers, Toestand, Vastgehouden, Vraag, Wachtsleutel,
    Wekker, Wijziging, Zicht,
};
use verwerking::{Afwijzing, Poging, Verwerking, weigering};
pub use verwerking::{Context, EngineFout, Uitgaand, Uitkomst, Uitslag};

/// One input.
#[derive(Debug, Clone, Copy)]
pub enum Invoer<'a> {
    /// A message that passed the technical checks (codec), as it arrived.
    Bericht {
        /// Owner of the mailbox it arrived in.
        mailbox: &'a Deelnemercode,
        ontvangen: DateTime<FixedOffset>,
        /// Content hash of the raw bytes (see [`inhoud_hash`]).
        hash: &'a str,
        bericht: &'a Bericht,
    },
    /// A message the technical checks refused; the engine only numbers the
    /// `Foutbericht` (its BerichtId is not taken: the corrected message may reuse it).
    Geweigerd {
        /// Who is told: the mailbox's owner, or for a message published by
        /// another broker user that user (`None` when it is no participant).
        aan: Option<&'a Deelnemercode>,
        ontvangen: DateTime<FixedOffset>,
        weigering: &'a Weigering,
    },
    /// A timer or held message that is due (the first of
    /// [`Toestand::volgende_wekker`]); it fires at its own due time.
    Wekker(&'a Wekker),
}

impl Invoer<'_> {
    /// The engine's clock for this input.
    pub fn tijd(&self) -> DateTime<FixedOffset> {
        match self {
            Invoer::Bericht { ontvangen, .. } | Invoer::Geweigerd { ontvangen, .. } => *ontvangen,
            Invoer::Wekker(w) => w.tijd,
        }
    }
}

/// The content hash the inbox compares: SHA-256 of the raw bytes, in hex.
pub fn inhoud_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Processes one input against the state. Pure: the same state, input and
/// context give the same result.
///
/// After the input itself, held early messages that wait for a claim it
/// changed are retried ([`vroeg`]); their results are part of the same outcome.
pub fn verwerk(
    zicht: &dyn Zicht,
    ctx: Context<'_>,
    invoer: Invoer<'_>,
) -> Result<Uitkomst, EngineFout> {
    let nu = invoer.tijd();
    let mut uitkomst = match invoer {
        Invoer::Geweigerd {
            aan,
            ontvangen,
            weigering,
        } => {
            let mut v = Verwerking::new(zicht, ctx, ontvangen, weigering.bericht_id.clone());
            if let Some(aan) = aan {
                v.foutbericht(aan, None, weigering)?;
            }
            return Ok(v.klaar(Uitslag::Geweigerd(weigering.hoofdcode()), None));
        }
        Invoer::Bericht {
            mailbox,
            ontvangen,
            hash,
            bericht,
        } => verwerk_bericht(
            zicht,
            ctx,
            mailbox,
            ontvangen,
            hash,
            bericht,
            Poging::Eerste,
        )?
        .unwrap_or_else(|| unreachable!("a first attempt always has an outcome")),
        Invoer::Wekker(w) => wek(zicht, ctx, w)?,
    };
    vroeg::herkansingen(zicht, ctx, nu, &mut uitkomst, verwerk_bericht)?;
    Ok(uitkomst)
}

/// Fires a due timer, or refuses a held message whose time is up.
fn wek(zicht: &dyn Zicht, ctx: Context<'_>, w: &Wekker) -> Result<Uitkomst, EngineFout> {
    let leeg = |claim| Uitkomst {
        wijzigingen: Vec::new(),
        berichten: Vec::new(),
        uitslag: Uitslag::Gewekt,
        claim,
    };
    match &w.doel {
        Doel::Claim(id) => {
            let Some(claim) = zicht.claim(id) else {
                return Ok(leeg(None));
            };
            let mut v = Verwerking::new(zicht, ctx, w.tijd, None);
            vuur(&mut v, claim, w.volgorde)?;
            if let Some(e) = v.fout.take() {
                return Err(e);
            }
            // A timer that fired must be gone or moved, or it would fire forever.
            let blijft = v.wijzigingen.iter().any(|x| {
                matches!(x, Wijziging::Claim(c) if c.timers.iter().any(|t| t.volgorde == w.volgorde))
            });
            if blijft {
                return Err(EngineFout::Timer {
                    claim: id.clone(),
                    volgorde: w.volgorde,
                });
            }
            Ok(v.klaar(Uitslag::Gewekt, Some(id.clone())))
        }
        Doel::Vastgehouden => {
            let Some(h) = zicht
                .vastgehouden()
                .into_iter()
                .find(|h| h.volgorde == w.volgorde)
            else {
                return Ok(leeg(None));
            };
            let poging = Poging::Laatste(h.volgorde);
            Ok(
                verwerk_bericht(zicht, ctx, &h.mailbox, w.tijd, &h.hash, &h.bericht, poging)?
                    .unwrap_or_else(|| unreachable!("a last attempt always has an outcome")),
            )
        }
    }
}

/// One message through authentication, duplicate check and the rules.
/// `None` only for a retry that is still early.
pub(crate) fn verwerk_bericht(
    zicht: &dyn Zicht,
    ctx: Context<'_>,
    mailbox: &Deelnemercode,
    ontvangen: DateTime<FixedOffset>,
    hash: &str,
    bericht: &Bericht,
    poging: Poging,
) -> Result<Option<Uitkomst>, EngineFout> {
    let kop = &bericht.kop;
    let mut v = Verwerking::new(zicht, ctx, ontvangen, Some(kop.bericht_id.clone()));
    v.afzender = Some(kop.afzender.clone());
    if let Poging::Herkansing(volgorde) | Poging::Laatste(volgorde) = poging {
        v.wijzigingen.push(Wijziging::Vrijgeven { volgorde });
    }
    // Authentication comes first, and a message that fails it takes no BerichtId.
    if let Some(code) = niet_van_de_afzender(&mut v, mailbox, bericht)? {
        return Ok(Some(v.klaar(Uitslag::Geweigerd(code), None)));
    }
    if poging == Poging::Eerste {
        match al_ontvangen(&mut v, mailbox, hash, bericht)? {
            Some(AlOntvangen::Duplicaat(uitkomst)) => return Ok(Some(uitkomst)),
            Some(AlOntvangen::AnderBericht(claim)) => {
                return Ok(Some(v.klaar(Uitslag::Geweigerd(Foutcode::T05), claim)));
            }
            None => {}
        }
    }
    let (uitslag, claim) = match behandel(&mut v, bericht) {
        Ok(claim) => {
            if let Some(e) = v.fout.take() {
                return Err(e);
            }
            (Uitslag::Geaccepteerd, claim)
        }
        Err(afwijzing) => match afgewezen(&mut v, mailbox, hash, bericht, poging, afwijzing)? {
            Afgewezen::Vastgehouden(claim) => {
                return Ok(Some(v.klaar(Uitslag::Vastgehouden, claim)));
            }
            Afgewezen::NogTeVroeg => return Ok(None),
            Afgewezen::Geweigerd(uitslag, claim) => (uitslag, claim),
        },
    };
    onthoud(&mut v, mailbox, hash, bericht);
    Ok(Some(v.klaar(uitslag, claim)))
}

/// A refusal carrying the message's BerichtId.
fn weiger(bericht: &Bericht, code: Foutcode, tekst: String) -> Weigering {
    Weigering {
        bericht_id: Some(bericht.kop.bericht_id.clone()),
        ..Weigering::code(code, tekst)
    }
}

/// A01 when the `Afzender` is not the owner of the mailbox the message came
/// in, A03 when it is no registered participant: refused to the mailbox.
fn niet_van_de_afzender(
    v: &mut Verwerking<'_>,
    mailbox: &Deelnemercode,
    bericht: &Bericht,
) -> Result<Option<Foutcode>, EngineFout> {
    let afzender = &bericht.kop.afzender;
    let w = if afzender != mailbox {
        weiger(
            bericht,
            Foutcode::A01,
            format!(
                "Afzender {afzender} is not the owner of mailbox {mailbox} the message arrived in"
            ),
        )
    } else if v.ctx.deelnemers.get(afzender).is_none() {
        weiger(
            bericht,
            Foutcode::A03,
            format!("{afzender} is not a registered participant"),
        )
    } else {
        return Ok(None);
    };
    v.foutbericht(mailbox, None, &w)?;
    Ok(Some(w.hoofdcode()))
}

/// A BerichtId the sender used before.
enum AlOntvangen {
    /// The same content: the same response again, nothing else.
    Duplicaat(Uitkomst),
    /// Other content: refused T05 (the `Foutbericht` is written).
    AnderBericht(Option<ClaimId>),
}

/// Duplicates (messages.md): the same BerichtId with the same content gets
/// the same response again (a copy of a message still held gets its
/// response when the first is done); with other content it is T05.
fn al_ontvangen(
    v: &mut Verwerking<'_>,
    mailbox: &Deelnemercode,
    hash: &str,
    bericht: &Bericht,
) -> Result<Option<AlOntvangen>, EngineFout> {
    let kop = &bericht.kop;
    let zicht = v.zicht;
    let eerder = zicht.inbox(&kop.afzender, &kop.bericht_id).or_else(|| {
        zicht
            .vastgehouden()
            .into_iter()
            .find(|h| {
                h.bericht.kop.afzender == kop.afzender && h.bericht.kop.bericht_id == kop.bericht_id
            })
            .map(|h| Inboxregel {
                hash: h.hash,
                antwoord: None,
            })
    });
    let Some(eerder) = eerder else {
        return Ok(None);
    };
    if eerder.hash == hash {
        let berichten = eerder
            .antwoord
            .map(|(mailbox, bericht_id, xml)| Uitgaand {
                mailbox,
                bericht_id,
                xml,
            })
            .into_iter()
            .collect();
        return Ok(Some(AlOntvangen::Duplicaat(Uitkomst {
            wijzigingen: Vec::new(),
            berichten,
            uitslag: Uitslag::Duplicaat,
            claim: None,
        })));
    }
    let w = weiger(
        bericht,
        Foutcode::T05,
        format!(
            "BerichtId {} was already used by {} for a different message",
            kop.bericht_id, kop.afzender
        ),
    );
    let claim = zoek_claim(zicht, kop.claim.as_ref())
        .ok()
        .and_then(|c| c.rol_van(&kop.afzender).map(|rol| c.overzicht(rol)));
    let id = claim.as_ref().map(|c| c.claim_id.clone());
    v.foutbericht(mailbox, claim, &w)?;
    Ok(Some(AlOntvangen::AnderBericht(id)))
}

/// What became of a message its handler refused.
enum Afgewezen {
    /// Early (rules.md §7): held until its claim or state is there.
    Vastgehouden(Option<ClaimId>),
    /// A held message that is still early: nothing happens (yet).
    NogTeVroeg,
    /// Refused with a `Foutbericht`.
    Geweigerd(Uitslag, Option<ClaimId>),
}

/// Undoes the handler's work and holds an early message, or refuses it.
fn afgewezen(
    v: &mut Verwerking<'_>,
    mailbox: &Deelnemercode,
    hash: &str,
    bericht: &Bericht,
    poging: Poging,
    afwijzing: Afwijzing,
) -> Result<Afgewezen, EngineFout> {
    let Afwijzing {
        weigering,
        claim,
        vroeg,
    } = afwijzing;
    let mut weigering = Weigering {
        bericht_id: Some(bericht.kop.bericht_id.clone()),
        ..weigering
    };
    v.herstel();
    v.fout = None;
    let seconden = v.ctx.instellingen.termijnen.vroege_berichten_seconden;
    match (vroeg, poging) {
        (Some(wacht_op), Poging::Eerste) => {
            let volgorde = v.volgende_timer();
            let tot = v.nu + chrono::Duration::seconds(i64::from(seconden));
            v.wijzigingen
                .push(Wijziging::Vasthouden(Box::new(Vastgehouden {
                    volgorde,
                    mailbox: mailbox.clone(),
                    ontvangen: v.nu,
                    tot,
                    hash: hash.to_owned(),
                    bericht: bericht.clone(),
                    wacht_op,
                })));
            return Ok(Afgewezen::Vastgehouden(claim.map(|(c, _)| c.id)));
        }
        (Some(_), Poging::Herkansing(_)) => return Ok(Afgewezen::NogTeVroeg),
        (Some(_), Poging::Laatste(_)) => {
            if let Some(p) = weigering.problemen.first_mut() {
                p.tekst.push_str(&format!(
                    " (held {seconden} s for a message it depends on, which did not arrive)"
                ));
            }
        }
        (None, _) => {}
    }
    let blok = claim.as_ref().map(|(c, rol)| c.overzicht(*rol));
    v.foutbericht(mailbox, blok, &weigering)?;
    Ok(Afgewezen::Geweigerd(
        Uitslag::Geweigerd(weigering.hoofdcode()),
        claim.map(|(c, _)| c.id),
    ))
}

/// Remembers the message and the sender's response, to answer a duplicate.
fn onthoud(v: &mut Verwerking<'_>, mailbox: &Deelnemercode, hash: &str, bericht: &Bericht) {
    let antwoord = v
        .berichten
        .iter()
        .find(|u| u.mailbox == *mailbox)
        .map(|u| (u.mailbox.clone(), u.bericht_id.clone(), u.xml.clone()));
    v.wijzigingen.push(Wijziging::Inbox {
        afzender: bericht.kop.afzender.clone(),
        bericht_id: bericht.kop.bericht_id.clone(),
        regel: Inboxregel {
            hash: hash.to_owned(),
            antwoord,
        },
    });
}

/// Which party a message type needs (messages.md "sent by").
fn vereiste_rol(inhoud: &Inhoud) -> Option<Rol> {
    match inhoud {
        Inhoud::Aansprakelijkstelling(_)
        | Inhoud::ReactieTegenvoorstel(_)
        | Inhoud::InformatieAanlevering(_)
        | Inhoud::Schadespecificatie(_)
        | Inhoud::Betaalverzoek(_)
        | Inhoud::NagekomenBetaalverzoek(_) => Some(Rol::Verhaler),
        Inhoud::SchadenummerWijziging(_)
        | Inhoud::ReactieAansprakelijkheid(_)
        | Inhoud::InformatieVerzoek(_)
        | Inhoud::Betaalbevestiging(_) => Some(Rol::Aansprakelijke),
        _ => None,
    }
}

/// Fires the claim timer with set order `volgorde` (`v.nu` is its due time):
/// one match from the kind of timer to the rule that handles it. A timer
/// that is no longer live (cancelled since) does nothing.
fn vuur(v: &mut Verwerking<'_>, claim: Claim, volgorde: u64) -> Result<(), EngineFout> {
    let Some(i) = claim.timers.iter().position(|t| t.volgorde == volgorde) else {
        return Ok(());
    };
    let timer = claim.timers[i].clone();
    match timer.soort {
        Timersoort::Rappel(reeks) => rappel::stuur(v, claim, i, &reeks),
        Timersoort::Betaaltermijn { betaalkenmerk } => {
            let mut nieuw = claim;
            nieuw.timers.remove(i);
            eindafrekening::termijn_verstreken(v, nieuw, &betaalkenmerk);
        }
        Timersoort::Passief => afmelding::passief(v, claim),
    }
    Ok(())
}

/// Finds the claim the message names.
/// A claim that is not there (yet) is early: held until it is created.
fn zoek_claim(zicht: &dyn Zicht, blok: Option<&ClaimBlok>) -> Result<Claim, Afwijzing> {
    let onbekend = |tekst: String, wacht: Wachtsleutel| Afwijzing {
        weigering: weigering(Foutcode::F01, tekst),
        claim: None,
        vroeg: Some(wacht),
    };
    match blok {
        Some(ClaimBlok::Id(id)) => zicht.claim(id).ok_or_else(|| {
            onbekend(
                format!("unknown claim {id}"),
                Wachtsleutel::Claim(id.clone()),
            )
        }),
        Some(ClaimBlok::Sleutel {
            verhaler,
            schadenummer_verhaler,
        }) => zicht
            .claim_op_sleutel(verhaler, schadenummer_verhaler)
            .and_then(|id| zicht.claim(&id))
            .ok_or_else(|| {
                onbekend(
                    format!("no claim of {verhaler} with schadenummer {schadenummer_verhaler}"),
                    Wachtsleutel::Sleutel {
                        verhaler: verhaler.clone(),
                        schadenummer: schadenummer_verhaler.clone(),
                    },
                )
            }),
        // The inbound checks require a Claim block on everything but an Aanmelding.
        Some(ClaimBlok::Volledig(_)) | None => {
            Err(weigering(Foutcode::F01, "the message does not name a claim").into())
        }
    }
}

/// Dispatches an authenticated, new message. Returns the claim it concerned.
fn behandel(v: &mut Verwerking<'_>, bericht: &Bericht) -> Result<Option<ClaimId>, Afwijzing> {
    if let Inhoud::Aanmelding(a) = &bericht.inhoud {
        return aanmelding::behandel(v, bericht, a).map(Some);
    }
    let afzender = &bericht.kop.afzender;
    let claim = zoek_claim(v.zicht, bericht.kop.claim.as_ref())?;
    let Some(rol) = claim.rol_van(afzender) else {
        return Err(weigering(
            Foutcode::A02,
            format!("{afzender} is not a party of claim {}", claim.id),
        )
        .into());
    };
    let met_claim = |w: Weigering| Afwijzing {
        weigering: w,
        claim: Some((Box::new(claim.clone()), rol)),
        vroeg: None,
    };
    let tegenclaim_zonder_nummer = claim.tegenclaim_van.is_some()
        && claim.schadenummer_verhaler.is_none()
        && rol == Rol::Verhaler;
    let vereist = vereiste_rol(&bericht.inhoud);
    let uitzondering =
        tegenclaim_zonder_nummer && matches!(bericht.inhoud, Inhoud::SchadenummerWijziging(_));
    if let Some(vereist) = vereist
        && vereist != rol
        && !uitzondering
    {
        return Err(met_claim(weigering(
            Foutcode::A02,
            format!(
                "{} is sent by {} ({}); {afzender} is {} of claim {}",
                bericht.inhoud.naam(),
                vereist.letter(),
                match vereist {
                    Rol::Verhaler => "the claimant",
                    Rol::Aansprakelijke => "the party held liable",
                },
                rol.letter(),
                claim.id
            ),
        )));
    }
    if tegenclaim_zonder_nummer && !uitzondering {
        return Err(met_claim(weigering(
            Foutcode::F10,
            format!(
                "counter-claim {}: set your schadenummer first (SchadenummerWijziging)",
                claim.id
            ),
        )));
    }
    let id = claim.id.clone();
    let resultaat = match &bericht.inhoud {
        Inhoud::SchadenummerWijziging(s) => aansprakelijkheid::schadenummer(v, claim, rol, s),
        Inhoud::Aansprakelijkstelling(a) => aansprakelijkheid::aansprakelijkstelling(v, claim, a),
        Inhoud::ReactieAansprakelijkheid(r) => aansprakelijkheid::reactie_a(v, claim, r),
        Inhoud::ReactieTegenvoorstel(r) => aansprakelijkheid::reactie_v(v, claim, r),
        Inhoud::InformatieVerzoek(i) => informatie::verzoek(v, claim, i),
        Inhoud::InformatieAanlevering(i) => informatie::aanlevering(v, claim, i),
        Inhoud::Schadespecificatie(s) => schadespecificatie::behandel(v, claim, s),
        Inhoud::Betaalverzoek(_) => eindafrekening::betaalverzoek(v, claim),
        Inhoud::Betaalbevestiging(b) => eindafrekening::betaalbevestiging(v, claim, b),
        Inhoud::NagekomenBetaalverzoek(n) => eindafrekening::nagekomen(v, claim, n),
        Inhoud::Afmelding(a) => afmelding::afmelding(v, claim, rol, a),
        Inhoud::Archivering(_) => afmelding::archivering(v, claim, rol),
        Inhoud::Aanmelding(_)
        | Inhoud::Ontvangstbevestiging(_)
        | Inhoud::Foutbericht(_)
        | Inhoud::Overeenstemming(_)
        | Inhoud::GeenOvereenstemming(_)
        | Inhoud::Eindafrekening(_)
        | Inhoud::Rappel(_)
        | Inhoud::Systeemmelding(_) => Err(Afwijzing::from(weigering(
            Foutcode::T04,
            format!("'{}' is a message of the hub", bericht.inhoud.naam()),
        ))),
    };
    resultaat.map(|()| Some(id))
}
