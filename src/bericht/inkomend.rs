//! Inbound bodies (participant → hub), in the element order of the schemas.
//! The hub forwards the same bodies to the counterparty with `Namens`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::*;
use super::waarden::*;

/// V registers a claim, optionally holding A liable at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Aanmelding {
    pub voorval: Voorval,
    pub verhalende_partij: VerhalendePartij,
    pub aansprakelijke_partij: AansprakelijkePartij,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aansprakelijkstelling: Option<Aansprakelijkstelling>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Voorval {
    #[serde(with = "datum")]
    pub schadedatum: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locatie: Option<KorteTekst>,
    pub schadeformulier: Schadeformulier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documenten_aanwezig: Option<Documenten>,
}

/// A list of documents (1 to 5 in `DocumentenAanwezig`, 0 to 5 in an `InformatieVerzoek`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Documenten {
    #[serde(rename = "Document", default)]
    pub document: Vec<Document>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerhalendePartij {
    pub kenteken: KentekenInvoer,
    pub schadenummer: Schadenummer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polisnummer: Option<Polisnummer>,
    pub dekking: Dekking,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AansprakelijkePartij {
    pub deelnemer: Deelnemercode,
    pub kenteken: KentekenInvoer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polisnummer: Option<Polisnummer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bestuurder: Option<Bestuurder>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bestuurder {
    pub voorletters: KorteTekst,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voorvoegsels: Option<KorteTekst>,
    pub achternaam: KorteTekst,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telefoon: Option<Telefoon>,
}

/// A's own claim number, set or changed until agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchadenummerWijziging {
    pub schadenummer: Schadenummer,
}

/// V holds A liable (position 1, or a new proposal as position 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Aansprakelijkstelling {
    pub toedracht: Toedracht,
    pub ovs_code: OvsCode,
    pub verhaalpercentage: Verhaalpercentage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schadespecificatie: Option<Componenten>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "waarheid::optie"
    )]
    pub betaalbaar_stellen: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Toedracht {
    pub code: Toedrachtcode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omschrijving: Option<Toelichting>,
}

/// One `Component` per code (1 to 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Componenten {
    #[serde(rename = "Component", default)]
    pub component: Vec<Component>,
}

/// One claimed damage component, at 100 %.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Component {
    pub code: Schadecomponent,
    pub bedrag: Bedrag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omschrijving: Option<KorteTekst>,
}

/// A's answer to position 1 or 3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactieAansprakelijkheid {
    #[serde(rename = "$value")]
    pub keuze: ReactieA,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReactieA {
    Akkoord(AkkoordA),
    Tegenvoorstel(Tegenvoorstel),
    Afwijzing(Afwijzing),
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AkkoordA {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ovs_code: Option<OvsCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schadenummer: Option<Schadenummer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tegenvoorstel {
    pub ovs_code: OvsCode,
    pub verhaalpercentage: Verhaalpercentage,
    pub toelichting: Toelichting,
    pub schadenummer: Schadenummer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Afwijzing {
    pub toelichting: Toelichting,
}

/// V's answer to A's counter-proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReactieTegenvoorstel {
    #[serde(rename = "$value")]
    pub keuze: ReactieV,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReactieV {
    Akkoord(Leeg),
    NieuwVoorstel(NieuwVoorstel),
    Afwijzing(Afwijzing),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NieuwVoorstel {
    pub ovs_code: OvsCode,
    pub verhaalpercentage: Verhaalpercentage,
    pub toelichting: Toelichting,
}

/// An element without content (`Betaalverzoek`, `Archivering`, V's `Akkoord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Leeg {}

/// A asks V for documents or data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InformatieVerzoek {
    pub documenten: Documenten,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aanvullen: Option<Aanvullen>,
    pub reden: Reden,
    pub toelichting: Toelichting,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aanvullen {
    #[serde(rename = "Gegeven", default)]
    pub gegeven: Vec<Gegeven>,
}

/// V answers an information request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InformatieAanlevering {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bijlage: Vec<Bijlage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aanvulling: Option<Aanvulling>,
    pub toelichting: Toelichting,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bijlage {
    pub bestandsnaam: Bestandsnaam,
    pub mime_type: MimeType,
    /// Base64 as received (checked by the schema; the hub never decodes it).
    pub inhoud: Base64,
}

/// Base64 text of an attachment, kept as text: the hub stores and forwards it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Base64(pub String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Aanvulling {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polisnummer: Option<Polisnummer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bestuurder: Option<Bestuurder>,
}

/// V's claimed damage, replacing the previous specification whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Schadespecificatie {
    #[serde(default)]
    pub component: Vec<Component>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "waarheid::optie"
    )]
    pub betaalbaar_stellen: Option<bool>,
}

/// A confirms payment of a settlement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Betaalbevestiging {
    pub betaalkenmerk: Betaalkenmerk,
    #[serde(with = "datum")]
    pub betaaldatum: NaiveDate,
}

/// V's late payment request: exactly one component (F15) and a Toelichting (F06),
/// both checked by the engine so the refusal carries the business code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NagekomenBetaalverzoek {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub component: Vec<Component>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toelichting: Option<Toelichting>,
}

/// V or A withdraws the claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Afmelding {
    pub reden: Afmeldreden,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toelichting: Option<Toelichting>,
}
