//! The pre-parse checks: size, forbidden constructs, encoding, and one
//! non-expanding pass over the document's structure.
//!
//! Nothing here expands an entity or fetches anything: the byte checks run on
//! raw input and quick-xml only tokenises (it never resolves entities unless
//! asked to unescape, which the scan does only for the short Kop texts, and then
//! with the predefined entities alone).

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::bericht::NAMESPACE;

/// Largest message in bytes (1 MiB), except `InformatieAanlevering`.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Largest `InformatieAanlevering` in bytes (10 MiB).
pub const MAX_BYTES_AANLEVERING: usize = 10 * 1024 * 1024;

const XINCLUDE_NAMESPACES: [&str; 2] = [
    "http://www.w3.org/2001/XInclude",
    "http://www.w3.org/2003/XInclude",
];

/// Position of something in the document: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Positie {
    pub regel: u32,
    pub kolom: u32,
}

/// One element seen by the scan.
#[derive(Debug, Clone)]
pub struct Element {
    pub naam: String,
    pub namespace: Option<String>,
    pub positie: Positie,
    ouder: Option<usize>,
    /// 1-based index among the parent's children with the same name.
    index: u32,
}

/// What the structure pass found.
#[derive(Debug, Default)]
pub struct Structuur {
    /// Every element in document order.
    pub elementen: Vec<Element>,
    /// The `versie` attribute of the root, when present.
    pub versie: Option<String>,
    /// `Kop/BerichtId` and `Kop/Afzender` as text, when readable.
    pub bericht_id: Option<String>,
    pub afzender: Option<String>,
    /// Processing instructions other than the XML declaration.
    pub verwerkingsinstructies: Vec<Positie>,
    /// Elements in an XInclude namespace.
    pub xincludes: Vec<Positie>,
    /// A DOCTYPE seen as a token (the byte check catches it first).
    pub doctype: Option<Positie>,
    /// The encoding named in the XML declaration.
    pub encoding: Option<String>,
    /// Where the tokeniser gave up, when it did: the document is then not well-formed.
    pub fout: Option<(Positie, String)>,
}

impl Structuur {
    pub fn wortel(&self) -> Option<&Element> {
        self.elementen.first()
    }

    /// The root's child elements (the envelope and the body or bodies).
    pub fn kinderen_van_wortel(&self) -> impl Iterator<Item = &Element> {
        self.elementen.iter().filter(|e| e.ouder == Some(0))
    }

    /// XPath of element `i`, with `[n]` where a parent has more than one child of that name.
    pub fn pad(&self, i: usize) -> String {
        let mut delen = Vec::new();
        let mut huidig = Some(i);
        while let Some(j) = huidig {
            let e = &self.elementen[j];
            let meer = e.index > 1
                || self.elementen[j + 1..]
                    .iter()
                    .any(|x| x.ouder == e.ouder && x.naam == e.naam);
            delen.push(if meer {
                format!("{}[{}]", e.naam, e.index)
            } else {
                e.naam.clone()
            });
            huidig = e.ouder;
        }
        delen.reverse();
        format!("/{}", delen.join("/"))
    }

    /// The element a schema error on `regel` is about: the first on that line
    /// with `naam` (when the error names one), else the first on that line.
    pub fn element_op(&self, regel: u32, naam: Option<&str>) -> Option<usize> {
        let op_regel = || self.elementen.iter().position(|e| e.positie.regel == regel);
        match naam {
            Some(n) => self
                .elementen
                .iter()
                .position(|e| e.positie.regel == regel && e.naam == n)
                .or_else(op_regel),
            None => op_regel(),
        }
    }
}

/// Finds `naald` in `hooiberg`, ASCII case-insensitively.
fn bevat_zonder_hoofdletters(hooiberg: &[u8], naald: &[u8]) -> Option<usize> {
    hooiberg
        .windows(naald.len())
        .position(|w| w.eq_ignore_ascii_case(naald))
}

/// A DOCTYPE or ENTITY declaration in the prolog, found in the raw bytes
/// before any parser runs.
///
/// The prolog is everything before the first `<` that starts an element name:
/// a DTD can only take effect there, so the check looks nowhere else (a CDATA
/// section or comment in the body may quote `<!DOCTYPE html>` harmlessly).
/// Inside the prolog it matches anywhere, comments included, without parsing
/// them: it must not depend on a tokeniser agreeing with libxml2.
pub fn verboden_constructie(bytes: &[u8]) -> Option<(usize, &'static str)> {
    let wortel = bytes
        .windows(2)
        .position(|w| {
            w[0] == b'<'
                && (w[1].is_ascii_alphabetic() || w[1] == b'_' || w[1] == b':' || w[1] >= 0x80)
        })
        .unwrap_or(bytes.len());
    let proloog = &bytes[..wortel];
    if let Some(i) = bevat_zonder_hoofdletters(proloog, b"<!DOCTYPE") {
        return Some((i, "a DOCTYPE declaration is not allowed"));
    }
    if let Some(i) = bevat_zonder_hoofdletters(proloog, b"<!ENTITY") {
        return Some((i, "an ENTITY declaration is not allowed"));
    }
    None
}

/// Line and column (1-based, column in characters) of a byte offset.
pub fn positie_van(bytes: &[u8], offset: usize) -> Positie {
    let offset = offset.min(bytes.len());
    let voor = &bytes[..offset];
    let regel = voor.iter().filter(|b| **b == b'\n').count() + 1;
    let begin = voor.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    Positie {
        regel: u32::try_from(regel).unwrap_or(u32::MAX),
        kolom: kolom(&voor[begin..]),
    }
}

/// 1-based column after `regel_tot_hier`, the bytes from the line's start.
/// Counts characters, not bytes: continuation bytes of UTF-8 do not start one.
fn kolom(regel_tot_hier: &[u8]) -> u32 {
    let tekens = regel_tot_hier
        .iter()
        .filter(|b| (**b & 0xC0) != 0x80)
        .count()
        + 1;
    u32::try_from(tekens).unwrap_or(u32::MAX)
}

/// Incremental line counting for the scan: byte offsets only grow.
struct Regelteller<'a> {
    bytes: &'a [u8],
    offset: usize,
    regel: u32,
    regelbegin: usize,
}

impl<'a> Regelteller<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Regelteller {
            bytes,
            offset: 0,
            regel: 1,
            regelbegin: 0,
        }
    }

    fn positie(&mut self, offset: usize) -> Positie {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            return positie_van(self.bytes, offset);
        }
        for i in memchr::memchr_iter(b'\n', &self.bytes[self.offset..offset]) {
            self.regel = self.regel.saturating_add(1);
            self.regelbegin = self.offset + i + 1;
        }
        self.offset = offset;
        Positie {
            regel: self.regel,
            kolom: kolom(&self.bytes[self.regelbegin..offset]),
        }
    }
}

fn lokale_naam(naam: &str) -> String {
    naam.to_owned()
}

/// One pass over the document's tokens. Stops at the first tokenising error
/// (recorded in [`Structuur::fout`]).
pub fn structuur(bytes: &[u8]) -> Structuur {
    let mut s = Structuur::default();
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    reader.config_mut().expand_empty_elements = false;
    let mut teller = Regelteller::new(bytes);
    let mut stapel: Vec<usize> = Vec::new();
    // Per open element: (child name, count) for sibling indices.
    let mut tellingen: Vec<Vec<(String, u32)>> = vec![Vec::new()];
    let mut tekst_doel: Option<&'static str> = None;
    let mut eerste_event = true;
    loop {
        let begin = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (ns, event) = match reader.read_resolved_event() {
            Ok(r) => r,
            Err(e) => {
                let pos = usize::try_from(reader.error_position()).unwrap_or(begin);
                s.fout = Some((teller.positie(pos), e.to_string()));
                return s;
            }
        };
        let namespace = match ns {
            ResolveResult::Bound(n) => Some(n.as_ref().to_owned()),
            _ => None,
        };
        let is_eerste = std::mem::replace(&mut eerste_event, false);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let positie = teller.positie(begin);
                let naam = lokale_naam(e.local_name().as_ref());
                if namespace
                    .as_deref()
                    .is_some_and(|n| XINCLUDE_NAMESPACES.contains(&n))
                {
                    s.xincludes.push(positie);
                }
                let ouder = stapel.last().copied();
                let broers = tellingen.last_mut().map(|t| {
                    if let Some(t) = t.iter_mut().find(|(n, _)| *n == naam) {
                        t.1 += 1;
                        t.1
                    } else {
                        t.push((naam.clone(), 1));
                        1
                    }
                });
                let i = s.elementen.len();
                if i == 0 {
                    s.versie = e.try_get_attribute("versie").ok().flatten().and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(|v| v.into_owned())
                    });
                }
                // Kop/BerichtId and Kop/Afzender, for the Foutbericht of a refusal.
                tekst_doel = match (stapel.len(), naam.as_str()) {
                    (2, "BerichtId") if is_kop(&s, ouder) => Some("BerichtId"),
                    (2, "Afzender") if is_kop(&s, ouder) => Some("Afzender"),
                    _ => None,
                };
                s.elementen.push(Element {
                    naam,
                    namespace,
                    positie,
                    ouder,
                    index: broers.unwrap_or(1),
                });
                if matches!(event, Event::Start(_)) {
                    stapel.push(i);
                    tellingen.push(Vec::new());
                } else {
                    tekst_doel = None;
                }
            }
            Event::End(_) => {
                stapel.pop();
                tellingen.pop();
                tekst_doel = None;
            }
            Event::Text(ref t) => {
                if let Some(doel) = tekst_doel {
                    let tekst = Some(t.xml10_content().trim().to_owned());
                    match doel {
                        "BerichtId" => s.bericht_id = tekst,
                        _ => s.afzender = tekst,
                    }
                }
            }
            Event::Decl(ref d) => {
                if !is_eerste {
                    // Allowed only at the very start: not well-formed (libxml2 says T01).
                    s.fout = Some((
                        teller.positie(begin),
                        "the XML declaration is allowed only at the very start".into(),
                    ));
                    return s;
                }
                s.encoding = d.encoding().and_then(|r| r.ok()).map(|c| c.into_owned());
            }
            Event::PI(_) => s.verwerkingsinstructies.push(teller.positie(begin)),
            Event::DocType(_) => s.doctype = Some(teller.positie(begin)),
            Event::Eof => return s,
            Event::CData(_) | Event::Comment(_) | Event::GeneralRef(_) => {}
        }
    }
}

fn is_kop(s: &Structuur, ouder: Option<usize>) -> bool {
    ouder.is_some_and(|o| {
        let e = &s.elementen[o];
        e.naam == "Kop" && e.ouder == Some(0) && e.namespace.as_deref() == Some(NAMESPACE)
    })
}

/// The body element's name as far as a cheap look tells: the first child of the
/// root after `Kop`. Used only to pick the size limit.
pub fn berichtsoort_bij_benadering(bytes: &[u8]) -> Option<String> {
    let mut reader = NsReader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut diepte = 0usize;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if diepte == 1 => {
                let naam = lokale_naam(e.local_name().as_ref());
                if naam != "Kop" {
                    return Some(naam);
                }
                if reader.read_to_end_into(e.name(), &mut Vec::new()).is_err() {
                    return None;
                }
            }
            Event::Start(_) => diepte += 1,
            Event::End(_) => diepte = diepte.saturating_sub(1),
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posities_tellen_tekens() {
        let b = "ab\néé<x>".as_bytes();
        assert_eq!(positie_van(b, 0), Positie { regel: 1, kolom: 1 });
        let i = b.iter().position(|c| *c == b'<').unwrap();
        assert_eq!(positie_van(b, i), Positie { regel: 2, kolom: 3 });
    }

    #[test]
    fn paden_met_index_alleen_bij_herhaling() {
        let x = br#"<Bericht xmlns="urn:clearinghuis-regres:berichten:1"><Kop><BerichtId>A1</BerichtId></Kop><S><Component><Code/></Component><Component><Code/></Component></S></Bericht>"#;
        let s = structuur(x);
        assert!(s.fout.is_none());
        let paden: Vec<String> = (0..s.elementen.len()).map(|i| s.pad(i)).collect();
        assert!(paden.contains(&"/Bericht/Kop/BerichtId".to_string()));
        assert!(paden.contains(&"/Bericht/S/Component[1]/Code".to_string()));
        assert!(paden.contains(&"/Bericht/S/Component[2]/Code".to_string()));
        assert_eq!(s.bericht_id.as_deref(), Some("A1"));
    }

    #[test]
    fn verboden_constructies_in_de_proloog() {
        assert!(verboden_constructie(b"<!doctype x>").is_some());
        assert!(
            verboden_constructie(b"<?xml version='1.0'?><!-- <!ENTITY x 'y'> --><a/>").is_some()
        );
        assert!(verboden_constructie(b"<!DOCTYPE x [<!ENTITY a '<b>'>]><x/>").is_some());
        // In the body these are text, not declarations.
        assert!(verboden_constructie(b"<a><![CDATA[<!DOCTYPE html>]]></a>").is_none());
        assert!(verboden_constructie(b"<a><!-- <!ENTITY x 'y'> --></a>").is_none());
        assert!(verboden_constructie(b"<a>DOCTYPE</a>").is_none());
    }

    #[test]
    fn soort_bij_benadering() {
        let x = br#"<Bericht><Kop><A><B/></A></Kop><InformatieAanlevering/></Bericht>"#;
        assert_eq!(
            berichtsoort_bij_benadering(x).as_deref(),
            Some("InformatieAanlevering")
        );
    }
}
