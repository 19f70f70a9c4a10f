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
pub mod eindafrekening;
pub mod informatie;
pub mod kenteken;
pub mod levenscyclus;
pub mod referentie;
pub mod schadespecificatie;
pub mod tegenclaim;
pub mod termijn;
pub mod toestand;
pub mod vroeg;
pub mod wettelijke_rente;

use chrono::{DateTime, FixedOffset};

use crate::bericht::{
    Adressering, Bericht, BerichtId, ClaimBlok, ClaimId, ClaimOverzicht, Deelnemercode, Foutcode,
    Inhoud, Kop, Ontvangstbevestiging, Weigering, xml,
};
use crate::deelnemers::Deelnemers;
pub use levenscyclus::{Fase, Gebeurtenis, Rol};
pub use referentie::{Plafonds, Toedrachtlijst};
pub use termijn::{Doel, Timer, Timersoort, Wekker};
pub use toestand::{
    Claim, Gevonden, Inboxregel, Peiling, Tellers, Toestand, Voertuigsleutel, Vraag, Wijziging,
    Zicht,
};
pub use vroeg::{Vastgehouden, Wachtsleutel};

/// The settings the rules depend on (operations.md "Configuration").
#[derive(Debug, Clone, PartialEq)]
pub struct Instellingen {
    pub toedracht: Toedrachtlijst,
    pub plafonds: Plafonds,
    pub rente: wettelijke_rente::Rentetabel,
    pub bgk: bgk::Bgkstaffel,
    pub termijnen: Termijnen,
}

impl Default for Instellingen {
    fn default() -> Self {
        Instellingen {
            toedracht: Toedrachtlijst::standaard(),
            plafonds: Plafonds::standaard(),
            rente: wettelijke_rente::Rentetabel::standaard(),
            bgk: bgk::Bgkstaffel::standaard(),
            termijnen: Termijnen::default(),
        }
    }
}

/// The durations of rules.md §7 (used by the timers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Termijnen {
    pub rappel_aansprakelijkheid_dagen: u32,
    pub rappel_schadebedrag_dagen: u32,
    pub betaaltermijn_dagen: u32,
    pub passief_dagen: u32,
    pub vroege_berichten_seconden: u32,
}

impl Default for Termijnen {
    fn default() -> Self {
        Termijnen {
            rappel_aansprakelijkheid_dagen: 21,
            rappel_schadebedrag_dagen: 21,
            betaaltermijn_dagen: 14,
            passief_dagen: 150,
            vroege_berichten_seconden: 100,
        }
    }
}

/// Everything the engine reads besides the state: participants and settings.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub deelnemers: &'a Deelnemers,
    pub instellingen: &'a Instellingen,
}

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

/// One outbound message, written and numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uitgaand {
    /// The recipient, whose `out` mailbox it goes to.
    pub mailbox: Deelnemercode,
    pub bericht_id: BerichtId,
    pub xml: String,
}

/// How the input ended, for the log line and the message log's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uitslag {
    Geaccepteerd,
    Geweigerd(Foutcode),
    /// The same message again: the earlier response was sent again (nothing,
    /// while the first one is still held).
    Duplicaat,
    /// An early message, held until the message it depends on arrives.
    Vastgehouden,
    /// A timer fired.
    Gewekt,
}

impl std::fmt::Display for Uitslag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Uitslag::Geaccepteerd => f.write_str("accepted"),
            Uitslag::Geweigerd(code) => write!(f, "refused {code}"),
            Uitslag::Duplicaat => f.write_str("duplicate"),
            Uitslag::Vastgehouden => f.write_str("held"),
            Uitslag::Gewekt => f.write_str("timer"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Uitkomst {
    pub wijzigingen: Vec<Wijziging>,
    pub berichten: Vec<Uitgaand>,
    pub uitslag: Uitslag,
    pub claim: Option<ClaimId>,
}

/// A fault in the hub itself, never in a participant's message.
#[derive(Debug, thiserror::Error)]
pub enum EngineFout {
    #[error("cannot write an outbound message: {0}")]
    Schrijven(#[from] xml::XmlFout),
    #[error("claim {claim}: change {van:?} --{door:?}--> {naar:?} is not in the lifecycle table")]
    Overgang {
        claim: ClaimId,
        van: Option<Fase>,
        door: Gebeurtenis,
        naar: Fase,
    },
    #[error("claim {claim}: timer {volgorde} fired but is still live")]
    Timer { claim: ClaimId, volgorde: u64 },
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
    vroeg::herkansingen(zicht, ctx, nu, &mut uitkomst)?;
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
            termijn::vuur(&mut v, claim, w.volgorde)?;
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

/// Which attempt at a message this is (rules.md §7, early messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Poging {
    /// As it arrives: an early message is held.
    Eerste,
    /// A retry of held message `volgorde` after a change: still early → no outcome.
    Herkansing(u64),
    /// Its time is up: refused as usual when it still does not fit.
    Laatste(u64),
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
    let id = kop.bericht_id.clone();
    let mut v = Verwerking::new(zicht, ctx, ontvangen, Some(id.clone()));
    v.afzender = Some(kop.afzender.clone());
    if let Poging::Herkansing(volgorde) | Poging::Laatste(volgorde) = poging {
        v.wijzigingen.push(Wijziging::Vrijgeven { volgorde });
    }
    let weiger = |code, tekst: String| Weigering {
        bericht_id: Some(id.clone()),
        ..Weigering::code(code, tekst)
    };

    // Authentication comes first, and a message that fails it takes no BerichtId.
    if kop.afzender != *mailbox {
        let w = weiger(
            Foutcode::A01,
            format!(
                "Afzender {} is not the owner of mailbox {mailbox} the message arrived in",
                kop.afzender
            ),
        );
        v.foutbericht(mailbox, None, &w)?;
        return Ok(Some(v.klaar(Uitslag::Geweigerd(Foutcode::A01), None)));
    }
    if ctx.deelnemers.get(&kop.afzender).is_none() {
        let w = weiger(
            Foutcode::A03,
            format!("{} is not a registered participant", kop.afzender),
        );
        v.foutbericht(mailbox, None, &w)?;
        return Ok(Some(v.klaar(Uitslag::Geweigerd(Foutcode::A03), None)));
    }

    // Duplicates (messages.md): same content → the same response again; a
    // copy of a message still held gets its response when the first is done.
    let eerder = if poging == Poging::Eerste {
        zicht.inbox(&kop.afzender, &id).or_else(|| {
            zicht
                .vastgehouden()
                .into_iter()
                .find(|h| h.bericht.kop.afzender == kop.afzender && h.bericht.kop.bericht_id == id)
                .map(|h| Inboxregel {
                    hash: h.hash,
                    antwoord: None,
                })
        })
    } else {
        None
    };
    if let Some(eerder) = eerder {
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
            return Ok(Some(Uitkomst {
                wijzigingen: Vec::new(),
                berichten,
                uitslag: Uitslag::Duplicaat,
                claim: None,
            }));
        }
        let w = weiger(
            Foutcode::T05,
            format!(
                "BerichtId {id} was already used by {} for a different message",
                kop.afzender
            ),
        );
        let claim = zoek_claim(zicht, kop.claim.as_ref())
            .ok()
            .and_then(|c| c.rol_van(&kop.afzender).map(|rol| c.overzicht(rol)));
        let id = claim.as_ref().map(|c| c.claim_id.clone());
        v.foutbericht(mailbox, claim, &w)?;
        return Ok(Some(v.klaar(Uitslag::Geweigerd(Foutcode::T05), id)));
    }

    let (uitslag, claim) = match behandel(&mut v, bericht) {
        Ok(claim) => {
            if let Some(e) = v.fout.take() {
                return Err(e);
            }
            (Uitslag::Geaccepteerd, claim)
        }
        Err(Afwijzing {
            weigering,
            claim,
            vroeg,
        }) => {
            let mut weigering = Weigering {
                bericht_id: Some(id.clone()),
                ..weigering
            };
            v.herstel();
            v.fout = None;
            match (vroeg, poging) {
                (Some(wacht_op), Poging::Eerste) => {
                    let volgorde = v.volgende_timer();
                    let tot = ontvangen
                        + chrono::Duration::seconds(i64::from(
                            ctx.instellingen.termijnen.vroege_berichten_seconden,
                        ));
                    v.wijzigingen
                        .push(Wijziging::Vasthouden(Box::new(Vastgehouden {
                            volgorde,
                            mailbox: mailbox.clone(),
                            ontvangen,
                            tot,
                            hash: hash.to_owned(),
                            bericht: bericht.clone(),
                            wacht_op,
                        })));
                    let claim = claim.map(|(c, _)| c.id);
                    return Ok(Some(v.klaar(Uitslag::Vastgehouden, claim)));
                }
                (Some(_), Poging::Herkansing(_)) => return Ok(None),
                (Some(_), Poging::Laatste(_)) => {
                    if let Some(p) = weigering.problemen.first_mut() {
                        p.tekst.push_str(&format!(
                            " (held {} s for a message it depends on, which did not arrive)",
                            ctx.instellingen.termijnen.vroege_berichten_seconden
                        ));
                    }
                }
                (None, _) => {}
            }
            let blok = claim.as_ref().map(|(c, rol)| c.overzicht(*rol));
            v.foutbericht(mailbox, blok, &weigering)?;
            (
                Uitslag::Geweigerd(weigering.hoofdcode()),
                claim.map(|(c, _)| c.id),
            )
        }
    };
    // Remember the message and the sender's response for a duplicate.
    let antwoord = v
        .berichten
        .iter()
        .find(|u| u.mailbox == *mailbox)
        .map(|u| (u.mailbox.clone(), u.bericht_id.clone(), u.xml.clone()));
    v.wijzigingen.push(Wijziging::Inbox {
        afzender: kop.afzender.clone(),
        bericht_id: id,
        regel: Inboxregel {
            hash: hash.to_owned(),
            antwoord,
        },
    });
    Ok(Some(v.klaar(uitslag, claim)))
}

/// A reserved place in the output (see [`Verwerking::reserveer`]).
#[derive(Debug, Clone, Copy)]
pub struct Plek {
    index: usize,
    nummer: u64,
}

/// A refusal, with the claim and the sender's role when they were found (so
/// the `Foutbericht` carries the sender's own status).
pub struct Afwijzing {
    pub weigering: Weigering,
    pub claim: Option<(Box<Claim>, Rol)>,
    /// Set when the message is early (rules.md §7): held, waiting for this.
    pub vroeg: Option<Wachtsleutel>,
}

impl From<Weigering> for Afwijzing {
    fn from(weigering: Weigering) -> Self {
        Afwijzing {
            weigering,
            claim: None,
            vroeg: None,
        }
    }
}

/// Turns a refusal on a found claim into an `Afwijzing` that keeps the claim
/// and the sender's role (for the Claim block of the `Foutbericht`).
pub fn met(claim: &Claim, rol: Rol) -> impl Fn(Weigering) -> Afwijzing + '_ {
    move |w| Afwijzing {
        weigering: w,
        claim: Some((Box::new(claim.clone()), rol)),
        vroeg: None,
    }
}

/// A refusal for the claim's status: early (held, rules.md §7) when the
/// normal flow can still bring the claim to a phase where `past` holds.
pub fn buiten_fase(
    claim: &Claim,
    rol: Rol,
    weigering: Weigering,
    past: impl Fn(Fase) -> bool,
) -> Afwijzing {
    let vroeg = levenscyclus::later_mogelijk(claim.fase, past)
        .then(|| Wachtsleutel::Claim(claim.id.clone()));
    Afwijzing {
        weigering,
        claim: Some((Box::new(claim.clone()), rol)),
        vroeg,
    }
}

/// A refusal with one code.
pub fn weigering(code: Foutcode, tekst: impl Into<String>) -> Weigering {
    Weigering::code(code, tekst)
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

/// The work of one input: the counters as they advance, the claims changed
/// and the messages written. All of it is dropped on a refusal.
pub struct Verwerking<'a> {
    pub zicht: &'a dyn Zicht,
    pub ctx: Context<'a>,
    /// The receive time: the engine's only clock.
    pub nu: DateTime<FixedOffset>,
    in_antwoord_op: Option<BerichtId>,
    /// The sender of the message being processed (none for a timer).
    afzender: Option<Deelnemercode>,
    begin: Tellers,
    pub tellers: Tellers,
    wijzigingen: Vec<Wijziging>,
    berichten: Vec<Uitgaand>,
    fout: Option<EngineFout>,
}

impl<'a> Verwerking<'a> {
    fn new(
        zicht: &'a dyn Zicht,
        ctx: Context<'a>,
        nu: DateTime<FixedOffset>,
        in_antwoord_op: Option<BerichtId>,
    ) -> Verwerking<'a> {
        let tellers = zicht.tellers();
        Verwerking {
            zicht,
            ctx,
            nu,
            in_antwoord_op,
            afzender: None,
            begin: tellers,
            tellers,
            wijzigingen: Vec::new(),
            berichten: Vec::new(),
            fout: None,
        }
    }

    /// Forgets everything done so far (the message is refused), but for the
    /// release of a held message.
    fn herstel(&mut self) {
        self.tellers = self.begin;
        self.wijzigingen
            .retain(|w| matches!(w, Wijziging::Vrijgeven { .. }));
        self.berichten.clear();
    }

    fn klaar(mut self, uitslag: Uitslag, claim: Option<ClaimId>) -> Uitkomst {
        if self.tellers != self.begin {
            self.wijzigingen.insert(0, Wijziging::Tellers(self.tellers));
        }
        Uitkomst {
            wijzigingen: self.wijzigingen,
            berichten: self.berichten,
            uitslag,
            claim,
        }
    }

    pub fn nieuwe_claim_id(&mut self) -> ClaimId {
        self.tellers.claim += 1;
        ClaimId::van_volgnummer(self.tellers.claim)
    }

    /// The next set order for a timer or held message.
    pub fn volgende_timer(&mut self) -> u64 {
        self.tellers.timer += 1;
        self.tellers.timer
    }

    pub fn nieuwe_ongeval_id(&mut self) -> crate::bericht::OngevalId {
        self.tellers.ongeval += 1;
        crate::bericht::OngevalId::van_volgnummer(self.tellers.ongeval)
    }

    /// Records a claim's new state after checking the change against the
    /// lifecycle table. `van` is the phase before (`None`: a new claim).
    pub fn zet(
        &mut self,
        van: Option<Fase>,
        door: Gebeurtenis,
        mut claim: Claim,
        activiteit: bool,
    ) -> Claim {
        if !levenscyclus::toegestaan(van, door, claim.fase) && self.fout.is_none() {
            self.fout = Some(EngineFout::Overgang {
                claim: claim.id.clone(),
                van,
                door,
                naar: claim.fase,
            });
        }
        if activiteit {
            claim.laatste_activiteit = self.nu;
        }
        let acteur = self
            .afzender
            .as_ref()
            .filter(|_| activiteit)
            .and_then(|a| claim.rol_van(a));
        termijn::plan(self, &mut claim, acteur);
        self.wijzigingen
            .push(Wijziging::Claim(Box::new(claim.clone())));
        claim
    }

    /// Writes one outbound message with the next hub BerichtId.
    pub fn stuur(
        &mut self,
        aan: &Deelnemercode,
        claim: Option<ClaimOverzicht>,
        namens: Option<Deelnemercode>,
        inhoud: Inhoud,
    ) {
        self.tellers.bericht += 1;
        if let Some(u) = self.schrijf(self.tellers.bericht, aan, claim, namens, inhoud) {
            self.berichten.push(u);
        }
    }

    /// Writes a hub message with BerichtId number `nummer`; a write failure is
    /// recorded as the input's internal fault.
    fn schrijf(
        &mut self,
        nummer: u64,
        aan: &Deelnemercode,
        claim: Option<ClaimOverzicht>,
        namens: Option<Deelnemercode>,
        inhoud: Inhoud,
    ) -> Option<Uitgaand> {
        let bericht_id = BerichtId::hub(nummer);
        let bericht = Bericht::new(
            Kop {
                bericht_id: bericht_id.clone(),
                afzender: Deelnemercode::hub(),
                ontvanger: aan.clone(),
                namens,
                tijdstip: self.nu,
                claim: claim.map(ClaimBlok::Volledig),
                in_antwoord_op: self.in_antwoord_op.clone(),
            },
            inhoud,
        );
        if self.zicht.peilen() {
            return Some(Uitgaand {
                mailbox: aan.clone(),
                bericht_id,
                xml: String::new(),
            });
        }
        match xml::schrijf(&bericht) {
            Ok(xml) => Some(Uitgaand {
                mailbox: aan.clone(),
                bericht_id,
                xml,
            }),
            Err(e) => {
                self.fout.get_or_insert(e.into());
                None
            }
        }
    }

    /// The `Ontvangstbevestiging` to the sender of an accepted message.
    pub fn bevestig(&mut self, claim: &Claim, rol: Rol) {
        let inhoud = self.ontvangstbevestiging();
        self.stuur(
            claim.deelnemer(rol),
            Some(claim.overzicht(rol)),
            None,
            inhoud,
        );
    }

    /// Takes the next hub BerichtId and the next place in the output for a
    /// receipt that is written later, with the status the message ends in.
    pub fn reserveer(&mut self) -> Plek {
        self.tellers.bericht += 1;
        self.berichten.push(Uitgaand {
            mailbox: Deelnemercode::hub(),
            bericht_id: BerichtId::hub(self.tellers.bericht),
            xml: String::new(),
        });
        Plek {
            index: self.berichten.len() - 1,
            nummer: self.tellers.bericht,
        }
    }

    /// Writes the receipt into its reserved place, under the reserved BerichtId.
    pub fn bevestig_op(&mut self, plek: Plek, claim: &Claim, rol: Rol) {
        let inhoud = self.ontvangstbevestiging();
        if let Some(u) = self.schrijf(
            plek.nummer,
            claim.deelnemer(rol),
            Some(claim.overzicht(rol)),
            None,
            inhoud,
        ) {
            self.berichten[plek.index] = u;
        }
    }

    fn ontvangstbevestiging(&self) -> Inhoud {
        let bericht_id = self
            .in_antwoord_op
            .clone()
            .unwrap_or_else(|| BerichtId::hub(0));
        Inhoud::Ontvangstbevestiging(Ontvangstbevestiging { bericht_id })
    }

    /// The inbound body, forwarded to the other party with `Namens`.
    pub fn stuur_door(&mut self, claim: &Claim, van: Rol, inhoud: Inhoud) {
        let ander = van.ander();
        self.stuur(
            claim.deelnemer(ander),
            Some(claim.overzicht(ander)),
            Some(claim.deelnemer(van).clone()),
            inhoud,
        );
    }

    /// The same body to V and then to A, each with its own Claim block.
    pub fn stuur_beide(&mut self, claim: &Claim, inhoud: Inhoud) {
        for rol in [Rol::Verhaler, Rol::Aansprakelijke] {
            self.stuur(
                claim.deelnemer(rol),
                Some(claim.overzicht(rol)),
                None,
                inhoud.clone(),
            );
        }
    }

    fn foutbericht(
        &mut self,
        aan: &Deelnemercode,
        claim: Option<ClaimOverzicht>,
        w: &Weigering,
    ) -> Result<(), EngineFout> {
        self.tellers.bericht += 1;
        let bericht = w.foutbericht(Adressering {
            bericht_id: BerichtId::hub(self.tellers.bericht),
            ontvanger: aan.clone(),
            tijdstip: self.nu,
            claim,
        });
        let xml = xml::schrijf(&bericht)?;
        self.berichten.push(Uitgaand {
            mailbox: aan.clone(),
            bericht_id: bericht.kop.bericht_id,
            xml,
        });
        Ok(())
    }
}
