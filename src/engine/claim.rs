//! A claim's data: what a claim is made of, at the bottom of the engine.
//! Nothing here decides anything; the rule modules above read and change it,
//! and the state (`toestand`) keeps claims by these types.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use super::kenteken::Kenteken;
use super::levenscyclus::{Fase, Rol};
use crate::bericht::{
    Afmeldreden, Bestuurder, Betaalkenmerk, ClaimId, ClaimOverzicht, Component, Deelnemercode,
    Dekking, Document, Eindafrekeningsoort, OngevalId, OvsCode, Polisnummer, Rappelsoort,
    Schadecomponent, Schadenummer, Standpunt, Standpuntsoort, Verhaalpercentage,
};

/// One claim: one direction of recovery, V claims from A.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Claim {
    pub id: ClaimId,
    pub ongeval: OngevalId,
    pub verhaler: Deelnemercode,
    pub aansprakelijke: Deelnemercode,
    /// V's number: the natural key. `None` only on a counter-claim until set.
    pub schadenummer_verhaler: Option<Schadenummer>,
    pub schadenummer_aansprakelijke: Option<Schadenummer>,
    pub kenteken_verhaler: Kenteken,
    pub kenteken_aansprakelijke: Kenteken,
    pub schadedatum: NaiveDate,
    /// V's cover; unknown on a counter-claim.
    pub dekking: Option<Dekking>,
    /// V is a belangenbehartiger or claimservice (rules.md §1), fixed at creation.
    pub beperkt: bool,
    /// Documents V marked present (what A may ask for).
    pub documenten: Vec<Document>,
    pub polisnummer_verhaler: Option<Polisnummer>,
    pub bestuurder: Option<Bestuurder>,
    pub fase: Fase,
    /// The liability history, oldest first.
    pub standpunten: Vec<Standpunt>,
    pub verhaalpercentage: Option<Verhaalpercentage>,
    pub ovs_code: Option<OvsCode>,
    pub afmeldreden: Option<Afmeldreden>,
    pub tegenclaim_van: Option<ClaimId>,
    pub tegenclaim: Option<ClaimId>,
    /// V's last damage specification, at 100 %.
    pub specificatie: Option<Vec<Component>>,
    /// V's last specification or Aansprakelijkstelling asked for an automatic settlement.
    pub betaalbaar_stellen: bool,
    /// Every settlement sent, in order (the betaalkenmerk counts them).
    pub afrekeningen: Vec<Afrekening>,
    pub aangemaakt: DateTime<FixedOffset>,
    /// The last accepted inbound message (the passive timeout counts from here).
    pub laatste_activiteit: DateTime<FixedOffset>,
    /// The live timers (rules.md §7), in the order they were set. Set, moved
    /// and cancelled only by `termijn::plan` and the timer that fires.
    pub timers: Vec<Timer>,
}

impl Claim {
    pub fn deelnemer(&self, rol: Rol) -> &Deelnemercode {
        match rol {
            Rol::Verhaler => &self.verhaler,
            Rol::Aansprakelijke => &self.aansprakelijke,
        }
    }

    /// The role of a participant in this claim, if it is a party.
    pub fn rol_van(&self, code: &Deelnemercode) -> Option<Rol> {
        if *code == self.verhaler {
            Some(Rol::Verhaler)
        } else if *code == self.aansprakelijke {
            Some(Rol::Aansprakelijke)
        } else {
            None
        }
    }

    /// The Claim block for one party: every id and that party's own status.
    pub fn overzicht(&self, rol: Rol) -> ClaimOverzicht {
        let (status, werkmap) = self.fase.van(rol);
        ClaimOverzicht {
            claim_id: self.id.clone(),
            ongeval_id: self.ongeval.clone(),
            verhaler: self.verhaler.clone(),
            schadenummer_verhaler: self.schadenummer_verhaler.clone(),
            aansprakelijke: self.aansprakelijke.clone(),
            schadenummer_aansprakelijke: self.schadenummer_aansprakelijke.clone(),
            status,
            werkmap,
        }
    }

    /// Positions used (rules.md §3): the steps of the history, of which A's
    /// final answer after position 3 is not one.
    pub fn posities(&self) -> usize {
        self.standpunten.len().min(3)
    }

    /// The proposal on the table: the last step that is a proposal.
    pub fn open_voorstel(&self) -> Option<&Standpunt> {
        self.standpunten.last().filter(|s| {
            matches!(
                s.soort,
                Standpuntsoort::Aansprakelijkstelling
                    | Standpuntsoort::Tegenvoorstel
                    | Standpuntsoort::NieuwVoorstel
            )
        })
    }

    /// A party withdrew it (M11–M20), archived or not: it no longer counts
    /// for either duplicate check (rules.md §2, Decision 12). Claims that
    /// ended otherwise (paid, M21, M22) keep counting.
    pub fn is_ingetrokken(&self) -> bool {
        self.afmeldreden
            .is_some_and(|r| !matches!(r, Afmeldreden::M21 | Afmeldreden::M22))
    }

    pub fn voertuigsleutel(&self) -> Voertuigsleutel {
        Voertuigsleutel {
            verhaler: self.verhaler.clone(),
            kenteken_verhaler: self.kenteken_verhaler.clone(),
            kenteken_aansprakelijke: self.kenteken_aansprakelijke.clone(),
            schadedatum: self.schadedatum,
        }
    }
}

/// One claim per (V, V's plate, A's plate, damage date) (rules.md §2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Voertuigsleutel {
    pub verhaler: Deelnemercode,
    pub kenteken_verhaler: Kenteken,
    pub kenteken_aansprakelijke: Kenteken,
    pub schadedatum: NaiveDate,
}

impl Voertuigsleutel {
    /// The key as one string, how a store indexes it.
    pub fn als_tekst(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.verhaler, self.kenteken_verhaler, self.kenteken_aansprakelijke, self.schadedatum
        )
    }
}

/// One settlement the hub sent, and whether it was paid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Afrekening {
    pub betaalkenmerk: Betaalkenmerk,
    pub soort: Eindafrekeningsoort,
    pub datum: NaiveDate,
    /// Per component: code, claimed (100 %), to pay.
    pub componenten: Vec<(Schadecomponent, Decimal, Decimal)>,
    pub hoofdsom: Decimal,
    pub rente: Decimal,
    pub bgk: Decimal,
    pub totaal: Decimal,
    pub vervaldatum: NaiveDate,
    pub betaald: Option<NaiveDate>,
}

/// One live timer of a claim.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timer {
    pub soort: Timersoort,
    /// When it is due.
    pub tijd: DateTime<FixedOffset>,
    /// The set order (from `Tellers::timer`): ties in `tijd` fire in this order.
    pub volgorde: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Timersoort {
    /// The next reminder of a series.
    Rappel(Rappelreeks),
    /// The 14 days of one settlement.
    Betaaltermijn { betaalkenmerk: Betaalkenmerk },
    /// The passive timeout, counted from the last accepted inbound message.
    Passief,
}

/// A series of reminders to one party for one kind of step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rappelreeks {
    pub soort: Rappelsoort,
    /// The party that must act.
    pub aan: Rol,
    /// Since when that party is awaited (`SindsDatum`).
    pub sinds: NaiveDate,
    /// The `Volgnummer` of the next reminder.
    pub volgnummer: u32,
}
