//! Typed messages: the whole catalogue of messages.md as Rust values.
//!
//! [`Bericht`] is one message: the envelope ([`Kop`]) and exactly one body
//! ([`Inhoud`]). Reading and writing XML is [`xml`]; deciding whether bytes are
//! an acceptable message at all is `codec`'s job, which runs before the typed
//! read. Money is [`Bedrag`] (a `Decimal`), dates are `chrono`, code lists are
//! enums ([`codes`]).

pub mod codes;
pub mod inkomend;
pub mod uitgaand;
pub mod waarden;
pub mod weigering;
pub mod xml;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub use codes::*;
pub use inkomend::*;
pub use uitgaand::*;
pub use waarden::*;
pub use weigering::{Adressering, Probleem, Weigering};

/// The one namespace of every message.
pub const NAMESPACE: &str = "urn:clearinghuis-regres:berichten:1";
/// The only message version there is.
pub const VERSIE: &str = "1";

/// One message: envelope and body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Bericht")]
pub struct Bericht {
    #[serde(rename = "@xmlns", default)]
    pub(crate) xmlns: Namespace,
    #[serde(rename = "@versie", default)]
    pub(crate) versie: Versie,
    #[serde(rename = "Kop")]
    pub kop: Kop,
    #[serde(rename = "$value")]
    pub inhoud: Inhoud,
}

impl Bericht {
    pub fn new(kop: Kop, inhoud: Inhoud) -> Bericht {
        Bericht {
            xmlns: Namespace,
            versie: Versie,
            kop,
            inhoud,
        }
    }
}

/// Writes the namespace declaration; reading ignores it (checked before the typed read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Namespace;

impl Serialize for Namespace {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(NAMESPACE)
    }
}

impl<'de> Deserialize<'de> for Namespace {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Namespace)
    }
}

/// The `versie` attribute, fixed to 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Versie;

impl Serialize for Versie {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(VERSIE)
    }
}

impl<'de> Deserialize<'de> for Versie {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == VERSIE {
            Ok(Versie)
        } else {
            Err(serde::de::Error::custom(format!("versie '{s}' is not 1")))
        }
    }
}

/// The envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Kop {
    pub bericht_id: BerichtId,
    pub afzender: Deelnemercode,
    pub ontvanger: Deelnemercode,
    /// Outbound only: the participant a forwarded message comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namens: Option<Deelnemercode>,
    #[serde(with = "waarden::tijdstip")]
    pub tijdstip: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimBlok>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_antwoord_op: Option<BerichtId>,
}

/// The `Claim` block: one of three forms (see clearinghuis.xsd, type `Claim`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ClaimDraad", into = "ClaimDraad")]
pub enum ClaimBlok {
    /// Inbound: the hub's id.
    Id(ClaimId),
    /// Inbound: the natural key (V's code and V's own claim number).
    Sleutel {
        verhaler: Deelnemercode,
        schadenummer_verhaler: Schadenummer,
    },
    /// Outbound: every id and the recipient's own status and work folder.
    Volledig(ClaimOverzicht),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimOverzicht {
    pub claim_id: ClaimId,
    pub ongeval_id: OngevalId,
    pub verhaler: Deelnemercode,
    /// `None` only on a counter-claim whose claimant has not set its number yet.
    pub schadenummer_verhaler: Option<Schadenummer>,
    pub aansprakelijke: Deelnemercode,
    pub schadenummer_aansprakelijke: Option<Schadenummer>,
    pub status: Status,
    pub werkmap: Werkmap,
}

/// The Claim block as it is on the wire: every element optional, in schema order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClaimDraad {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claim_id: Option<ClaimId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ongeval_id: Option<OngevalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verhaler: Option<Deelnemercode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    schadenummer_verhaler: Option<Schadenummer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aansprakelijke: Option<Deelnemercode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    schadenummer_aansprakelijke: Option<Schadenummer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    werkmap: Option<Werkmap>,
}

impl TryFrom<ClaimDraad> for ClaimBlok {
    type Error = String;
    fn try_from(d: ClaimDraad) -> Result<Self, String> {
        match d {
            ClaimDraad {
                claim_id: Some(id),
                ongeval_id: None,
                verhaler: None,
                schadenummer_verhaler: None,
                aansprakelijke: None,
                schadenummer_aansprakelijke: None,
                status: None,
                werkmap: None,
            } => Ok(ClaimBlok::Id(id)),
            ClaimDraad {
                claim_id: None,
                ongeval_id: None,
                verhaler: Some(verhaler),
                schadenummer_verhaler: Some(schadenummer_verhaler),
                aansprakelijke: None,
                schadenummer_aansprakelijke: None,
                status: None,
                werkmap: None,
            } => Ok(ClaimBlok::Sleutel {
                verhaler,
                schadenummer_verhaler,
            }),
            ClaimDraad {
                claim_id: Some(claim_id),
                ongeval_id: Some(ongeval_id),
                verhaler: Some(verhaler),
                schadenummer_verhaler,
                aansprakelijke: Some(aansprakelijke),
                schadenummer_aansprakelijke,
                status: Some(status),
                werkmap: Some(werkmap),
            } => Ok(ClaimBlok::Volledig(ClaimOverzicht {
                claim_id,
                ongeval_id,
                verhaler,
                schadenummer_verhaler,
                aansprakelijke,
                schadenummer_aansprakelijke,
                status,
                werkmap,
            })),
            _ => Err("Claim holds neither ClaimId alone, nor Verhaler with SchadenummerVerhaler, nor the full block".into()),
        }
    }
}

impl From<ClaimBlok> for ClaimDraad {
    fn from(b: ClaimBlok) -> ClaimDraad {
        match b {
            ClaimBlok::Id(id) => ClaimDraad {
                claim_id: Some(id),
                ..ClaimDraad::default()
            },
            ClaimBlok::Sleutel {
                verhaler,
                schadenummer_verhaler,
            } => ClaimDraad {
                verhaler: Some(verhaler),
                schadenummer_verhaler: Some(schadenummer_verhaler),
                ..ClaimDraad::default()
            },
            ClaimBlok::Volledig(o) => ClaimDraad {
                claim_id: Some(o.claim_id),
                ongeval_id: Some(o.ongeval_id),
                verhaler: Some(o.verhaler),
                schadenummer_verhaler: o.schadenummer_verhaler,
                aansprakelijke: Some(o.aansprakelijke),
                schadenummer_aansprakelijke: o.schadenummer_aansprakelijke,
                status: Some(o.status),
                werkmap: Some(o.werkmap),
            },
        }
    }
}

/// Which way a message type travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Richting {
    /// Participant to hub (the hub may also forward it with `Namens`).
    Inkomend,
    /// Hub to participant only.
    Uitgaand,
}

macro_rules! inhoud {
    ($($variant:ident($type:ty) => $richting:ident),+ $(,)?) => {
        /// The body: exactly one element of the catalogue.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum Inhoud { $($variant($type)),+ }

        /// Every body element name with its direction, in schema order.
        pub const BERICHTSOORTEN: &[(&str, Richting)] = &[$((stringify!($variant), Richting::$richting)),+];

        impl Inhoud {
            /// The body element's name.
            pub fn naam(&self) -> &'static str {
                match self { $(Inhoud::$variant(_) => stringify!($variant)),+ }
            }
        }
    };
}

inhoud! {
    Aanmelding(Aanmelding) => Inkomend,
    SchadenummerWijziging(SchadenummerWijziging) => Inkomend,
    Aansprakelijkstelling(Aansprakelijkstelling) => Inkomend,
    ReactieAansprakelijkheid(ReactieAansprakelijkheid) => Inkomend,
    ReactieTegenvoorstel(ReactieTegenvoorstel) => Inkomend,
    InformatieVerzoek(InformatieVerzoek) => Inkomend,
    InformatieAanlevering(InformatieAanlevering) => Inkomend,
    Schadespecificatie(Schadespecificatie) => Inkomend,
    Betaalverzoek(Leeg) => Inkomend,
    Betaalbevestiging(Betaalbevestiging) => Inkomend,
    NagekomenBetaalverzoek(NagekomenBetaalverzoek) => Inkomend,
    Afmelding(Afmelding) => Inkomend,
    Archivering(Leeg) => Inkomend,
    Ontvangstbevestiging(Ontvangstbevestiging) => Uitgaand,
    Foutbericht(Foutbericht) => Uitgaand,
    Overeenstemming(Overeenstemming) => Uitgaand,
    GeenOvereenstemming(GeenOvereenstemming) => Uitgaand,
    Eindafrekening(Eindafrekening) => Uitgaand,
    Rappel(Rappel) => Uitgaand,
    Systeemmelding(Systeemmelding) => Uitgaand,
}

/// The direction of a body element name, `None` when it is not in the catalogue.
pub fn richting_van(naam: &str) -> Option<Richting> {
    BERICHTSOORTEN
        .iter()
        .find(|(n, _)| *n == naam)
        .map(|(_, r)| *r)
}
