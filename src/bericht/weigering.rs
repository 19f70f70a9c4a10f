//! A refusal ([`Weigering`]) and the `Foutbericht` built from it.
//!
//! Every layer that can refuse a message (the inbound checks, later the engine)
//! produces a `Weigering`; only [`Weigering::foutbericht`] turns it into a
//! message, so every refusal reaches the sender in the same, valid form.

use chrono::{DateTime, FixedOffset};

use super::*;

/// One problem with a message: an error code of messages.md with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probleem {
    pub code: Foutcode,
    pub tekst: String,
    /// XPath of the offending element, e.g. `/Bericht/Kop/Tijdstip`.
    pub pad: Option<String>,
    pub regel: Option<u32>,
    pub kolom: Option<u32>,
}

impl Probleem {
    pub fn new(code: Foutcode, tekst: impl Into<String>) -> Probleem {
        Probleem {
            code,
            tekst: tekst.into(),
            pad: None,
            regel: None,
            kolom: None,
        }
    }

    pub fn op(mut self, regel: Option<u32>, kolom: Option<u32>) -> Probleem {
        self.regel = regel;
        self.kolom = kolom;
        self
    }

    pub fn met_pad(mut self, pad: Option<String>) -> Probleem {
        self.pad = pad;
        self
    }
}

/// A refused message: one or more problems, and its BerichtId when it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weigering {
    pub bericht_id: Option<BerichtId>,
    /// Never empty.
    pub problemen: Vec<Probleem>,
}

/// The most `Fout` elements one `Foutbericht` carries (the schema's limit).
pub const MAX_FOUTEN: usize = 100;

/// Where a hub message goes and which ids it carries; the caller assigns them.
#[derive(Debug, Clone, PartialEq)]
pub struct Adressering {
    pub bericht_id: BerichtId,
    pub ontvanger: Deelnemercode,
    pub tijdstip: DateTime<FixedOffset>,
    pub claim: Option<ClaimOverzicht>,
}

impl Weigering {
    pub fn new(probleem: Probleem) -> Weigering {
        Weigering {
            bericht_id: None,
            problemen: vec![probleem],
        }
    }

    pub fn code(code: Foutcode, tekst: impl Into<String>) -> Weigering {
        Weigering::new(Probleem::new(code, tekst))
    }

    /// The code of the first problem: the one the refusal is known by.
    pub fn hoofdcode(&self) -> Foutcode {
        self.problemen.first().map_or(Foutcode::T02, |p| p.code)
    }

    /// The `Foutbericht` to the sender. It answers the refused BerichtId when known.
    pub fn foutbericht(&self, adres: Adressering) -> Bericht {
        let fout = self
            .problemen
            .iter()
            .take(MAX_FOUTEN)
            .map(|p| Fout {
                code: p.code,
                omschrijving: Toelichting::afgekapt(&p.tekst),
                pad: p.pad.as_deref().map(KorteTekst::afgekapt),
                regel: p.regel.filter(|r| *r > 0),
                kolom: p.kolom.filter(|k| *k > 0),
            })
            .collect();
        Bericht::new(
            Kop {
                bericht_id: adres.bericht_id,
                afzender: Deelnemercode::hub(),
                ontvanger: adres.ontvanger,
                namens: None,
                tijdstip: adres.tijdstip,
                claim: adres.claim.map(ClaimBlok::Volledig),
                in_antwoord_op: self.bericht_id.clone(),
            },
            Inhoud::Foutbericht(Foutbericht {
                bericht_id: self.bericht_id.clone(),
                fout,
            }),
        )
    }
}
