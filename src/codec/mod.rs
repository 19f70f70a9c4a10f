//! The inbound pipeline: from raw bytes to a typed [`Bericht`], or a
//! [`Weigering`] with the error codes of messages.md.
//!
//! The checks run in a fixed order and the first that fails decides the code:
//!
//! 1. size: T03 (1 MiB; 10 MiB for `InformatieAanlevering`), then the caps of
//!    the first pass (elements, nesting, attributes, text length): T03;
//! 2. forbidden constructs, on the raw prolog and a non-expanding token pass,
//!    before any parser sees the input: DOCTYPE, ENTITY, XInclude elements,
//!    processing instructions other than the XML declaration: T06;
//! 3. well-formed UTF-8 XML (libxml2): T01;
//! 4. namespace, `versie` and body type known: T04;
//! 5. valid against the XSD (libxml2), with line, column and element path: T02;
//! 6. the typed read (quick-xml + serde), and for inbound messages the envelope
//!    rules a schema cannot express (`Ontvanger` is CR-HUB, no `Namens`, no
//!    outbound Claim block): T02.

pub mod ontvangen;
pub mod scan;
pub mod validator;

use std::sync::Arc;

use crate::bericht::Bericht;
use crate::bericht::{
    BerichtId, ClaimBlok, Foutcode, NAMESPACE, Probleem, Richting, VERSIE, Weigering, richting_van,
    xml,
};
pub use ontvangen::Ontvangen;
use scan::{MAX_BYTES, Positie, Structuur};
pub use validator::{Melding, Oordeel, Validator, ValidatorFout};

/// Which body types a caller accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toegestaan {
    /// Only what participants may send to the hub (the hub's inbound mailboxes).
    Inkomend,
    /// Any message of the catalogue (`clearinghuis validate`).
    Alle,
}

/// The pipeline; holds the validator threads. Share it through an `Arc`.
pub struct Pipeline {
    validator: Validator,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn op(p: Positie) -> (Option<u32>, Option<u32>) {
    (Some(p.regel), Some(p.kolom))
}

fn weiger(s: &Structuur, problemen: Vec<Probleem>) -> Weigering {
    Weigering {
        bericht_id: s.bericht_id.as_deref().and_then(|b| BerichtId::new(b).ok()),
        problemen,
    }
}

fn een(code: Foutcode, tekst: impl Into<String>, positie: Option<Positie>) -> Vec<Probleem> {
    let (regel, kolom) = positie.map_or((None, None), op);
    vec![Probleem::new(code, tekst).op(regel, kolom)]
}

/// Removes the namespace from libxml2's `{urn:…}Name` so texts read as the
/// integrator wrote the message.
fn zonder_namespace(tekst: &str) -> String {
    tekst.replace(&format!("{{{NAMESPACE}}}"), "")
}

/// The element name a libxml2 schema message is about (`Element 'X': …`).
fn genoemd_element(tekst: &str) -> Option<&str> {
    let na = tekst.split_once("Element '")?.1;
    let naam = &na[..na.find('\'')?];
    Some(naam.rsplit_once('}').map_or(naam, |(_, n)| n))
}

fn tekstcodering_probleem(bytes: &[u8], s: &Structuur) -> Option<Vec<Probleem>> {
    let bom_16_32: [(&[u8], &str); 4] = [
        (b"\x00\x00\xFE\xFF", "UTF-32"),
        (b"\xFF\xFE\x00\x00", "UTF-32"),
        (b"\xFE\xFF", "UTF-16"),
        (b"\xFF\xFE", "UTF-16"),
    ];
    for (bom, naam) in bom_16_32 {
        if bytes.starts_with(bom) {
            return Some(een(
                Foutcode::T01,
                format!(
                    "the message is encoded in {naam} (byte order mark); only UTF-8 is accepted"
                ),
                Some(Positie { regel: 1, kolom: 1 }),
            ));
        }
    }
    if bytes.starts_with(b"\x00<") || bytes.starts_with(b"<\x00") {
        return Some(een(
            Foutcode::T01,
            "the message is encoded in UTF-16; only UTF-8 is accepted",
            Some(Positie { regel: 1, kolom: 1 }),
        ));
    }
    if let Some(enc) = &s.encoding
        && !enc.eq_ignore_ascii_case("UTF-8")
    {
        return Some(een(
            Foutcode::T01,
            format!("the XML declaration names encoding '{enc}'; only UTF-8 is accepted"),
            Some(Positie { regel: 1, kolom: 1 }),
        ));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Some(een(
            Foutcode::T01,
            "the message is not valid UTF-8; only UTF-8 is accepted",
            Some(scan::positie_van(bytes, e.valid_up_to())),
        ));
    }
    None
}

/// T04: the root must be `Bericht` in the namespace with `versie` 1, and every
/// body element a known message type (for `Inkomend`: one participants send).
fn onbekend(s: &Structuur, toegestaan: Toegestaan) -> Vec<Probleem> {
    let Some(wortel) = s.wortel() else {
        return Vec::new();
    };
    let p = Some(wortel.positie);
    match wortel.namespace.as_deref() {
        None => {
            return een(
                Foutcode::T04,
                format!(
                    "the root element '{}' has no namespace; expected {NAMESPACE}",
                    wortel.naam
                ),
                p,
            );
        }
        Some(ns) if ns != NAMESPACE => {
            return een(
                Foutcode::T04,
                format!("unknown namespace '{ns}'; expected {NAMESPACE}"),
                p,
            );
        }
        Some(_) => {}
    }
    if wortel.naam != "Bericht" {
        return een(
            Foutcode::T04,
            format!(
                "unknown root element '{}'; every message is a Bericht",
                wortel.naam
            ),
            p,
        );
    }
    match s.versie.as_deref() {
        Some(VERSIE) => {}
        Some(v) => {
            return een(
                Foutcode::T04,
                format!("unknown versie '{v}'; the only version is 1"),
                p,
            );
        }
        None => {
            return een(
                Foutcode::T04,
                "the versie attribute is missing; the only version is 1",
                p,
            );
        }
    }
    let mut problemen = Vec::new();
    for kind in s.kinderen_van_wortel().filter(|k| k.naam != "Kop") {
        let p = Some(kind.positie);
        let bekend = (kind.namespace.as_deref() == Some(NAMESPACE))
            .then(|| richting_van(&kind.naam))
            .flatten();
        match (bekend, toegestaan) {
            (None, _) => problemen.extend(een(
                Foutcode::T04,
                format!("unknown message type '{}'", kind.naam),
                p,
            )),
            (Some(Richting::Uitgaand), Toegestaan::Inkomend) => problemen.extend(een(
                Foutcode::T04,
                format!(
                    "'{}' is a message of the hub; participants cannot send it",
                    kind.naam
                ),
                p,
            )),
            _ => {}
        }
    }
    problemen
}

impl Pipeline {
    /// Starts the pipeline with one validator thread per core.
    pub fn start() -> Result<Pipeline, ValidatorFout> {
        Ok(Pipeline {
            validator: Validator::start()?,
        })
    }

    /// Starts the pipeline with `n` validator threads.
    pub fn met_threads(n: usize) -> Result<Pipeline, ValidatorFout> {
        Ok(Pipeline {
            validator: Validator::met_threads(n)?,
        })
    }

    /// How many validator threads check messages side by side.
    pub fn threads(&self) -> usize {
        self.validator.threads()
    }

    /// Runs every check on `bytes`. The outer error is an infrastructure
    /// failure (the validator threads are gone), never the sender's fault.
    pub fn controleer(
        &self,
        bytes: &[u8],
        toegestaan: Toegestaan,
    ) -> Result<Result<Bericht, Weigering>, ValidatorFout> {
        // 1. Size. Between the two limits only an InformatieAanlevering may pass.
        if let Some(grens) = ontvangen::te_groot(bytes, bytes.len() as u64) {
            return Ok(Err(weigering_te_groot(bytes, bytes.len() as u64, grens)));
        }
        let inhoud = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        // The token pass expands nothing; it gives the T06 findings, the
        // structure for T04 and the element positions for T02 paths.
        let s = scan::structuur(inhoud);

        // 1b. The caps of the first pass, so that libxml2 never sees a message
        // that costs more than a bounded multiple of an ordinary one.
        if let Some((positie, tekst)) = &s.overschreden {
            let problemen = een(Foutcode::T03, tekst.clone(), Some(*positie));
            return Ok(Err(weiger(&s, problemen)));
        }

        // 2. Forbidden constructs.
        if let Some((offset, tekst)) = scan::verboden_constructie(bytes) {
            let positie = scan::positie_van(bytes, offset);
            return Ok(Err(weiger(&s, een(Foutcode::T06, tekst, Some(positie)))));
        }
        if let Some(p) = s.doctype {
            return Ok(Err(weiger(
                &s,
                een(
                    Foutcode::T06,
                    "a DOCTYPE declaration is not allowed",
                    Some(p),
                ),
            )));
        }
        if let Some(p) = s.verwerkingsinstructies.first() {
            return Ok(Err(weiger(
                &s,
                een(
                    Foutcode::T06,
                    "processing instructions are not allowed (only the XML declaration at the start)",
                    Some(*p),
                ),
            )));
        }
        if let Some(p) = s.xincludes.first() {
            return Ok(Err(weiger(
                &s,
                een(Foutcode::T06, "XInclude is not allowed", Some(*p)),
            )));
        }

        // 3. Well-formed UTF-8.
        if let Some(problemen) = tekstcodering_probleem(bytes, &s) {
            return Ok(Err(weiger(&s, problemen)));
        }
        let t04 = if s.fout.is_none() {
            onbekend(&s, toegestaan)
        } else {
            Vec::new()
        };
        let met_schema = s.fout.is_none() && t04.is_empty();
        let oordeel = self.validator.beoordeel(Arc::from(bytes), met_schema)?;
        if let Oordeel::NietWelgevormd(meldingen) = &oordeel {
            let problemen = meldingen
                .iter()
                .map(|m| {
                    Probleem::new(Foutcode::T01, zonder_namespace(&m.tekst)).op(m.regel, m.kolom)
                })
                .collect();
            return Ok(Err(weiger(&s, problemen)));
        }
        if let Some((p, tekst)) = &s.fout {
            // libxml2 accepted what the tokeniser could not read: refuse rather
            // than pass a document whose structure was not checked.
            return Ok(Err(weiger(
                &s,
                een(Foutcode::T01, format!("not well-formed: {tekst}"), Some(*p)),
            )));
        }

        // 4. Known namespace, version and message type.
        if !t04.is_empty() {
            return Ok(Err(weiger(&s, t04)));
        }

        // 5. The schema.
        if let Oordeel::Ongeldig(meldingen) = oordeel {
            let problemen = meldingen
                .iter()
                .map(|m| {
                    let element = m
                        .regel
                        .and_then(|r| s.element_op(r, genoemd_element(&m.tekst)));
                    let kolom = element.map(|i| s.elementen[i].positie.kolom).or(m.kolom);
                    Probleem::new(Foutcode::T02, zonder_namespace(&m.tekst))
                        .op(m.regel, kolom)
                        .met_pad(element.map(|i| s.pad(i)))
                })
                .collect();
            return Ok(Err(weiger(&s, problemen)));
        }

        // 6. The typed read and the inbound envelope rules.
        let tekst = std::str::from_utf8(inhoud).unwrap_or_default();
        let bericht = match xml::lees(tekst) {
            Ok(b) => b,
            Err(e) => return Ok(Err(weiger(&s, een(Foutcode::T02, e.to_string(), None)))),
        };
        if toegestaan == Toegestaan::Inkomend {
            let problemen = envelop_inkomend(&bericht, &s);
            if !problemen.is_empty() {
                return Ok(Err(weiger(&s, problemen)));
            }
        }
        Ok(Ok(bericht))
    }

    /// [`Pipeline::controleer`] of a message as the hub read it: one that
    /// was too large is refused T03 from its first bytes, a file the hub
    /// could not read is refused T01 with the reason.
    pub fn controleer_ontvangen(
        &self,
        ontvangen: &Ontvangen,
        toegestaan: Toegestaan,
    ) -> Result<Result<Bericht, Weigering>, ValidatorFout> {
        match ontvangen {
            Ontvangen::Heel(bytes) => self.controleer(bytes, toegestaan),
            Ontvangen::TeGroot { begin, grootte, .. } => {
                let grens = ontvangen::te_groot(begin, *grootte).unwrap_or(MAX_BYTES);
                Ok(Err(weigering_te_groot(begin, *grootte, grens)))
            }
            Ontvangen::Onleesbaar { reden } => Ok(Err(onleesbaar(reden))),
        }
    }

    pub fn validator_threads(&self) -> usize {
        self.validator.threads()
    }

    /// The validator threads themselves, for tests that bypass the pre-parse checks.
    pub fn validator(&self) -> &Validator {
        &self.validator
    }
}

/// T03 for a message of `grootte` bytes over its limit `grens`; `begin` is
/// the message or its start, searched for the BerichtId only as far as
/// [`ontvangen::BEGIN_BIJ_TE_GROOT`] (the hub keeps no more of it).
fn weigering_te_groot(begin: &[u8], grootte: u64, grens: usize) -> Weigering {
    let s = scan::structuur(&begin[..begin.len().min(ontvangen::BEGIN_BIJ_TE_GROOT)]);
    weiger(
        &s,
        een(
            Foutcode::T03,
            format!(
                "the message is {grootte} bytes; the maximum is {grens} bytes{}",
                if grens == MAX_BYTES {
                    " (10 MiB for InformatieAanlevering only)"
                } else {
                    ""
                }
            ),
            None,
        ),
    )
}

/// T01 for a file the hub could not read (its sender is the owner of the
/// mailbox it was in; its BerichtId is unknown).
fn onleesbaar(reden: &str) -> Weigering {
    Weigering::code(
        Foutcode::T01,
        format!(
            "the hub could not read the file: {reden}; a message must be a regular file the hub may read"
        ),
    )
}

/// The rules of the inbound envelope that the shared schema cannot express,
/// because the same `Kop` type serves the hub's outbound messages.
fn envelop_inkomend(b: &Bericht, s: &Structuur) -> Vec<Probleem> {
    let plek = |naam: &str| {
        let i = s.elementen.iter().position(|e| e.naam == naam)?;
        Some((s.pad(i), s.elementen[i].positie))
    };
    let probleem = |naam: &str, tekst: String| {
        let (pad, positie) = plek(naam).map_or((None, None), |(pad, p)| (Some(pad), Some(p)));
        let (regel, kolom) = positie.map_or((None, None), op);
        Probleem::new(Foutcode::T02, tekst)
            .op(regel, kolom)
            .met_pad(pad)
    };
    let mut problemen = Vec::new();
    if !b.kop.ontvanger.is_hub() {
        problemen.push(probleem(
            "Ontvanger",
            format!(
                "Ontvanger is '{}'; a message to the hub is addressed to CR-HUB",
                b.kop.ontvanger
            ),
        ));
    }
    if b.kop.namens.is_some() {
        problemen.push(probleem(
            "Namens",
            "Namens is only used by the hub on forwarded messages".into(),
        ));
    }
    if let Some(ClaimBlok::Volledig(_)) = b.kop.claim {
        problemen.push(probleem(
            "OngevalId",
            "a participant names a claim by ClaimId alone or by Verhaler and SchadenummerVerhaler"
                .into(),
        ));
    }
    match (&b.inhoud, &b.kop.claim) {
        (crate::bericht::Inhoud::Aanmelding(_), Some(_)) => problemen.push(probleem(
            "Claim",
            "an Aanmelding has no Claim block: the hub assigns the ClaimId".into(),
        )),
        (crate::bericht::Inhoud::Aanmelding(_), None) => {}
        (_, None) => problemen.push(probleem(
            "Kop",
            format!("a {} must name its claim in a Claim block", b.inhoud.naam()),
        )),
        _ => {}
    }
    problemen
}
