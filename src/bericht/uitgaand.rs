//! Outbound bodies (hub → participant), in the element order of the schemas.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::codes::*;
use super::waarden::*;

/// To the sender of an accepted message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ontvangstbevestiging {
    /// The sender's BerichtId that was accepted.
    pub bericht_id: BerichtId,
}

/// To the sender of a refused message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Foutbericht {
    /// The refused message's BerichtId, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bericht_id: Option<BerichtId>,
    pub fout: Vec<Fout>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Fout {
    pub code: Foutcode,
    pub omschrijving: Toelichting,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pad: Option<KorteTekst>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "getal::optie"
    )]
    pub regel: Option<u32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "getal::optie"
    )]
    pub kolom: Option<u32>,
}

/// To both: agreement on the verhaalpercentage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Overeenstemming {
    pub verhaalpercentage: Verhaalpercentage,
    pub ovs_code: OvsCode,
    #[serde(with = "datum")]
    pub datum: NaiveDate,
    pub standpunten: Standpunten,
}

/// To both: no agreement (M21).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GeenOvereenstemming {
    pub standpunten: Standpunten,
    pub reden: Afmeldreden,
}

/// The liability history, oldest first (1 to 4 steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standpunten {
    #[serde(rename = "Standpunt", default)]
    pub standpunt: Vec<Standpunt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Standpunt {
    #[serde(with = "getal")]
    pub volgnummer: u32,
    pub partij: Deelnemercode,
    pub soort: Standpuntsoort,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ovs_code: Option<OvsCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verhaalpercentage: Option<Verhaalpercentage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toelichting: Option<Toelichting>,
    #[serde(with = "tijdstip")]
    pub tijdstip: DateTime<FixedOffset>,
}

/// To both: the hub's computed settlement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Eindafrekening {
    pub soort: Eindafrekeningsoort,
    #[serde(with = "datum")]
    pub datum: NaiveDate,
    #[serde(default)]
    pub component: Vec<Afrekeningcomponent>,
    pub hoofdsom: Bedrag,
    pub wettelijke_rente: WettelijkeRente,
    #[serde(rename = "BGK")]
    pub bgk: Bedrag,
    pub totaal: Bedrag,
    #[serde(rename = "IBAN")]
    pub iban: Iban,
    pub begunstigde: KorteTekst,
    pub betaalkenmerk: Betaalkenmerk,
    #[serde(with = "datum")]
    pub vervaldatum: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Afrekeningcomponent {
    pub code: Schadecomponent,
    pub geclaimd: Bedrag,
    pub verhaalpercentage: Verhaalpercentage,
    pub te_betalen: Bedrag,
}

/// Statutory interest: the rounded amount and every stretch used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WettelijkeRente {
    pub bedrag: Bedrag,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periode: Vec<Renteperiode>,
}

/// One stretch with one rate, at full precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Renteperiode {
    #[serde(with = "datum")]
    pub van: NaiveDate,
    #[serde(with = "datum")]
    pub tot: NaiveDate,
    #[serde(with = "getal")]
    pub dagen: u32,
    pub percentage: Rentepercentage,
    pub grondslag: Rekenbedrag,
    pub rente: Rekenbedrag,
}

/// Reminder to the party that must act; a copy (`Kopie` true) to the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rappel {
    pub soort: Rappelsoort,
    #[serde(with = "datum")]
    pub sinds_datum: NaiveDate,
    #[serde(with = "getal")]
    pub volgnummer: u32,
    #[serde(with = "waarheid")]
    pub kopie: bool,
}

/// A notice from the hub itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Systeemmelding {
    pub soort: Systeemmeldingsoort,
    pub extra_info: Toelichting,
}
