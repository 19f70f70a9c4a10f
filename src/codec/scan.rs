//! The pre-parse checks: size, forbidden constructs, encoding, and one
//! non-expanding pass over the document's structure.
//!
//! Nothing here expands an entity or fetches anything: the byte checks run on
//! raw input and quick-xml only tokenises (it never resolves entities unless
//! asked to unescape, which the scan does only for the short Kop texts, and then
//! with the predefined entities alone).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

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
    /// Shared with the parent when it is the same, so a long namespace is
    /// copied once, not once per element.
    pub namespace: Option<Arc<str>>,
    pub positie: Positie,
    ouder: Option<usize>,
    /// 1-based index among the parent's children with the same name.
    index: u32,
    /// A later sibling has the same name (so the path shows `[1]`).
    meer: bool,
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
    /// Element indices by (line, name, index), built on the first
    /// [`Structuur::element_op`] so that each schema error costs a search, not a pass.
    op_regel: OnceLock<Vec<usize>>,
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
            delen.push(if e.index > 1 || e.meer {
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
        // Elements are in document order, so their lines never decrease.
        let op_regel = || {
            let i = self.elementen.partition_point(|e| e.positie.regel < regel);
            (self.elementen.get(i)?.positie.regel == regel).then_some(i)
        };
        let Some(n) = naam else {
            return op_regel();
        };
        let index = self.op_regel.get_or_init(|| {
            let mut v: Vec<usize> = (0..self.elementen.len()).collect();
            v.sort_by(|&a, &b| self.sleutel(a).cmp(&self.sleutel(b)));
            v
        });
        let k = index.partition_point(|&j| self.sleutel(j) < (regel, n, 0));
        index
            .get(k)
            .copied()
            .filter(|&j| self.sleutel(j).0 == regel && self.elementen[j].naam == n)
            .or_else(op_regel)
    }

    fn sleutel(&self, i: usize) -> (u32, &str, usize) {
        let e = &self.elementen[i];
        (e.positie.regel, e.naam.as_str(), i)
    }
}

/// Finds `naald` (which starts with `<`) in `hooiberg`, ASCII case-insensitively.
/// Jumps from `<` to `<`, so a long prolog costs one fast pass.
fn bevat_zonder_hoofdletters(hooiberg: &[u8], naald: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'<', hooiberg).find(|&i| {
        hooiberg
            .get(i..i + naald.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(naald))
    })
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
    let wortel = memchr::memchr_iter(b'<', bytes)
        .find(|&i| {
            bytes
                .get(i + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80)
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
fn kolom(regel_tot_hier: &[u8]) -> u32 {
    u32::try_from(tekens_utf8(regel_tot_hier) + 1).unwrap_or(u32::MAX)
}

/// Characters in UTF-8 bytes: continuation bytes do not start one.
fn tekens_utf8(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// Incremental line and column counting for the scan: byte offsets only grow,
/// and each call counts only the bytes since the previous one, so the whole
/// pass stays linear even when every element is on one line.
struct Regelteller<'a> {
    bytes: &'a [u8],
    offset: usize,
    regel: u32,
    kolom: u32,
}

impl<'a> Regelteller<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Regelteller {
            bytes,
            offset: 0,
            regel: 1,
            kolom: 1,
        }
    }

    fn positie(&mut self, offset: usize) -> Positie {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            return positie_van(self.bytes, offset);
        }
        let stuk = &self.bytes[self.offset..offset];
        match memchr::memrchr(b'\n', stuk) {
            Some(laatste) => {
                let regels = memchr::memchr_iter(b'\n', stuk).count();
                self.regel = self
                    .regel
                    .saturating_add(u32::try_from(regels).unwrap_or(u32::MAX));
                self.kolom = kolom(&stuk[laatste + 1..]);
            }
            None => {
                let erbij = u32::try_from(tekens_utf8(stuk)).unwrap_or(u32::MAX);
                self.kolom = self.kolom.saturating_add(erbij);
            }
        }
        self.offset = offset;
        Positie {
            regel: self.regel,
            kolom: self.kolom,
        }
    }
}

/// An open element during the scan.
#[derive(Default)]
struct Open {
    element: usize,
    /// Per child name: how many so far, and the first one's index (it gets
    /// `[1]` in paths once a second one comes).
    kinderen: HashMap<String, (u32, usize)>,
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
    let mut stapel: Vec<Open> = Vec::new();
    // Children of the document itself (a second root gets [2]).
    let mut buiten = Open::default();
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
        let ouder = stapel.last().map(|o| o.element);
        let namespace = match ns {
            ResolveResult::Bound(n) => {
                let n: &str = n.as_ref();
                // Most elements inherit their parent's namespace: share it.
                match ouder.and_then(|o| s.elementen[o].namespace.as_ref()) {
                    Some(van_ouder) if **van_ouder == *n => Some(Arc::clone(van_ouder)),
                    _ => Some(Arc::from(n)),
                }
            }
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
                let i = s.elementen.len();
                let open = stapel.last_mut().unwrap_or(&mut buiten);
                let index = match open.kinderen.get_mut(naam.as_str()) {
                    Some((aantal, eerste)) => {
                        *aantal += 1;
                        s.elementen[*eerste].meer = true;
                        *aantal
                    }
                    None => {
                        open.kinderen.insert(naam.clone(), (1, i));
                        1
                    }
                };
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
                    index,
                    meer: false,
                });
                if matches!(event, Event::Start(_)) {
                    stapel.push(Open {
                        element: i,
                        ..Open::default()
                    });
                } else {
                    tekst_doel = None;
                }
            }
            Event::End(_) => {
                stapel.pop();
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

    /// Elements on very long lines with multi-byte characters between them:
    /// every position equals the direct count from the document's start.
    #[test]
    fn posities_op_lange_regels_met_utf8() {
        let mut x = String::from("<a>");
        for i in 0..2000 {
            x.push_str(&format!("<b>é€😀{i}</b><c x='ß'/>"));
            if i % 700 == 699 {
                x.push_str("\r\n  ");
            }
        }
        x.push_str("</a>");
        let bytes = x.as_bytes();
        let s = structuur(bytes);
        assert!(s.fout.is_none());
        let begins: Vec<usize> = memchr::memchr_iter(b'<', bytes)
            .filter(|&i| bytes[i + 1] != b'/')
            .collect();
        assert_eq!(begins.len(), s.elementen.len());
        for (e, b) in s.elementen.iter().zip(begins) {
            assert_eq!(e.positie, positie_van(bytes, b), "at byte {b}");
        }
        assert_eq!(s.elementen.last().map(|e| e.positie.regel), Some(3));
    }

    #[test]
    fn regelteller_telt_zoals_positie_van() {
        let x = "één\ntwee 😀 drie\r\n\nvier€€€ vijf\nzes".repeat(50);
        let bytes = x.as_bytes();
        let mut teller = Regelteller::new(bytes);
        for offset in (0..=bytes.len()).step_by(7) {
            assert_eq!(teller.positie(offset), positie_van(bytes, offset));
        }
        // Going back falls back to counting from the start.
        assert_eq!(teller.positie(3), positie_van(bytes, 3));
    }

    #[test]
    fn element_op_vindt_het_eerste_op_de_regel() {
        let x = b"<a>\n<b/><c/><b/>\n<c/><b/>\n</a>";
        let s = structuur(x);
        let naam =
            |i: Option<usize>| i.map(|i| (s.elementen[i].naam.clone(), s.elementen[i].positie));
        assert_eq!(s.element_op(2, Some("b")), Some(1));
        assert_eq!(s.element_op(2, Some("c")), Some(2));
        assert_eq!(s.element_op(3, Some("b")), Some(5));
        assert_eq!(
            s.element_op(3, Some("x")),
            Some(4),
            "no such name: the first on the line"
        );
        assert_eq!(s.element_op(3, None), Some(4));
        assert_eq!(s.element_op(1, None), Some(0));
        assert_eq!(
            naam(s.element_op(4, None)),
            None,
            "no element starts on line 4"
        );
        assert_eq!(s.element_op(9, Some("b")), None);
        assert_eq!(s.pad(1), "/a/b[1]");
        assert_eq!(s.pad(3), "/a/b[2]");
        assert_eq!(s.pad(4), "/a/c[2]");
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
