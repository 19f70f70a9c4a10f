//! The work of one input, beneath the rules: [`Verwerking`] holds the counters
//! as they advance, the claims changed and the messages written, and offers
//! the rule modules the few ways to change anything (`zet`, `stuur`, …).
//! The outcome types ([`Uitkomst`], [`Uitslag`], [`EngineFout`]) and the
//! refusal helpers live here too, so every rule module stands above this one.

use chrono::{DateTime, FixedOffset};

use super::claim::Claim;
use super::instellingen::Instellingen;
use super::levenscyclus::{self, Fase, Gebeurtenis, Rol};
use super::termijn;
use super::toestand::{Tellers, Wachtsleutel, Wijziging, Zicht};
use crate::bericht::{
    Adressering, Bericht, BerichtId, ClaimBlok, ClaimId, ClaimOverzicht, Deelnemercode, Foutcode,
    Inhoud, Kop, Ontvangstbevestiging, Weigering, xml,
};
use crate::deelnemers::Deelnemers;

/// Everything the engine reads besides the state: participants and settings.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub deelnemers: &'a Deelnemers,
    pub instellingen: &'a Instellingen,
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

/// The work of one input: the counters as they advance, the claims changed
/// and the messages written. All of it is dropped on a refusal.
pub struct Verwerking<'a> {
    pub zicht: &'a dyn Zicht,
    pub ctx: Context<'a>,
    /// The receive time: the engine's only clock.
    pub nu: DateTime<FixedOffset>,
    pub(super) in_antwoord_op: Option<BerichtId>,
    /// The sender of the message being processed (none for a timer).
    pub(super) afzender: Option<Deelnemercode>,
    pub(super) begin: Tellers,
    pub tellers: Tellers,
    pub(super) wijzigingen: Vec<Wijziging>,
    pub(super) berichten: Vec<Uitgaand>,
    pub(super) fout: Option<EngineFout>,
}

impl<'a> Verwerking<'a> {
    pub(super) fn new(
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
    pub(super) fn herstel(&mut self) {
        self.tellers = self.begin;
        self.wijzigingen
            .retain(|w| matches!(w, Wijziging::Vrijgeven { .. }));
        self.berichten.clear();
    }

    pub(super) fn klaar(mut self, uitslag: Uitslag, claim: Option<ClaimId>) -> Uitkomst {
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
        self.tellers.volgende_timer()
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
        termijn::plan(
            &self.ctx.instellingen.termijnen,
            self.nu,
            &mut self.tellers,
            &mut claim,
            acteur,
        );
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
    pub(super) fn schrijf(
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

    pub(super) fn ontvangstbevestiging(&self) -> Inhoud {
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

    pub(super) fn foutbericht(
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
