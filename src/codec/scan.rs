//! The pre-parse checks: size, forbidden constructs, encoding, and one
//! non-expanding pass over the document's structure.
//!
//! That pass is linear in the input and capped (the `MAX_*` constants): it
//! stops at the first cap crossed, so that libxml2 never sees a message that
//! would cost more than a bounded multiple of an ordinary one.
//!
//! Nothing here expands an entity or fetches anything: the byte checks run on
//! raw input and quick-xml only tokenises (it never resolves entities unless
//! asked to unescape, which the scan does only for the short Kop texts, and then
//! with the predefined entities alone).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{NamespaceError, ResolveResult};

use crate::bericht::NAMESPACE;

/// Largest message in bytes (1 MiB), except `InformatieAanlevering`.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Largest `InformatieAanlevering` in bytes (10 MiB).
pub const MAX_BYTES_AANLEVERING: usize = 10 * 1024 * 1024;

// The caps of the first pass. Each is well above what a message valid against
// the XSD needs as any usual writer writes it (docs/berichtcontract.md has the
// table with the reason for each value, and names the odd valid shapes that
// do cross one), and together they bound what libxml2 and the typed read can
// be made to do, so that no message under the size limit costs more than a
// bounded multiple of an ordinary one (benches/kosten.rs measures it).
// Crossing one is T03, at the place where it was crossed.

/// Most elements in one message. The largest valid inbound message (an
/// `InformatieAanlevering` with 50 attachments) has 219, a `Foutbericht` with
/// its 100 errors 619.
pub const MAX_ELEMENTEN: usize = 1024;
/// Deepest nesting, the root counting as 1. The schema nests 6 deep.
pub const MAX_DIEPTE: usize = 32;
/// Most attributes on one element, namespace declarations included. A valid
/// message needs `versie` and `xmlns`, perhaps `xmlns:xsi` and `xsi:schemaLocation`.
pub const MAX_ATTRIBUTEN: usize = 16;
/// Most attributes in the whole message: enough for a namespace declaration
/// on every element of the largest valid inbound message (219), as some
/// writers do. Each unknown attribute costs libxml2 an error message.
pub const MAX_ATTRIBUTEN_TOTAAL: usize = 256;
/// Most namespace declarations in scope at once (quick-xml walks them for
/// every element, and so does libxml2).
pub const MAX_NAMESPACES: usize = 32;
/// Longest attribute value, in characters (a reference counts as one).
pub const MAX_ATTRIBUUTWAARDE: usize = 1024;
/// Longest text of a free-text element ([`VRIJE_TEKST`], type `Toelichting`:
/// at most 2000 characters), counted as libxml2 counts for `maxLength`.
pub const MAX_TEKST: usize = 2048;
/// Longest text of any other element outside an attachment: the schema
/// allows at most 200 (names, `Locatie`, `Bestandsnaam`), and an RFC 6838
/// media type has at most 255.
pub const MAX_TEKST_KORT: usize = 256;
/// Most characters of the message outside its attachments' base64: markup,
/// text, whitespace and comments together. An attachment is the only reason
/// for a large message; without them the largest valid inbound message has
/// about 30,500 (39,700 with a namespace declaration on every element).
pub const MAX_TEKENS: usize = 65_536;
/// Most comments, CDATA sections and references (`&amp;`, `&#233;`) together:
/// a writer that puts every text of the largest valid inbound message in
/// CDATA needs about 160.
pub const MAX_OVERIGE_KNOPEN: usize = 256;
/// The elements of type `Toelichting`, as (parent, name); `*` is any parent.
pub const VRIJE_TEKST: [(&str, &str); 4] = [
    ("*", "Toelichting"),
    ("Toedracht", "Omschrijving"),
    ("Fout", "Omschrijving"),
    ("Systeemmelding", "ExtraInfo"),
];
/// Base64 characters an attachment needs per whitespace character, a carriage
/// return counting as [`GEWICHT_CR`] (MIME writes CR LF per 76, weighing 9;
/// PEM LF per 64; indented CR LF lines of 72 weigh 17). Whitespace beyond
/// that, and anything that is not base64, counts against [`MAX_TEKST_KORT`]:
/// libxml2 and the typed read spend several times more on a line break, most
/// on a carriage return, or on a multi-byte character than on a base64 letter.
pub const BASE64_PER_WITRUIMTE: usize = 4;
/// What a carriage return in an attachment weighs, in whitespace characters.
pub const GEWICHT_CR: usize = 8;
/// The one place where text may run to the size limit: an attachment's base64.
pub const BIJLAGE: [&str; 4] = ["Bericht", "InformatieAanlevering", "Bijlage", "Inhoud"];

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
    /// The namespace of the root and of its children, the only ones the
    /// checks look at (T04, `Kop`); `None` deeper down, where keeping it
    /// would cost a copy of a possibly long namespace per element.
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
    /// The first cap of the pass the message crossed: where, and a text that
    /// names the limit. The scan stopped there (T03).
    pub overschreden: Option<(Positie, String)>,
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
    tel(bytes, |b| [u8::from((b as i8) >= -0x40), 0, 0, 0])[0]
}

/// Sums `f` over the bytes, four counters at once, without branches: in
/// lanes of 32 byte-wide counters that empty before they can overflow, so the
/// loop runs on vectors (an attachment may be 10 MiB).
#[inline(always)]
fn tel(bytes: &[u8], f: impl Fn(u8) -> [u8; 4]) -> [usize; 4] {
    const BAAN: usize = 32;
    let mut totaal = [0usize; 4];
    for blok in bytes.chunks(BAAN * usize::from(u8::MAX)) {
        let mut banen = [[0u8; BAAN]; 4];
        let mut stukken = blok.chunks_exact(BAAN);
        for stuk in &mut stukken {
            for i in 0..BAAN {
                let v = f(stuk[i]);
                for (baan, w) in banen.iter_mut().zip(v) {
                    baan[i] += w;
                }
            }
        }
        for (t, baan) in totaal.iter_mut().zip(&banen) {
            *t += baan.iter().map(|&n| usize::from(n)).sum::<usize>();
        }
        for &b in stukken.remainder() {
            for (t, w) in totaal.iter_mut().zip(f(b)) {
                *t += usize::from(w);
            }
        }
    }
    totaal
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
    /// What its text may hold.
    tekst: Tekstsoort,
    /// Per child name: how many so far, and the first one's index (it gets
    /// `[1]` in paths once a second one comes).
    kinderen: HashMap<String, (u32, usize)>,
}

/// Which text cap applies inside an element.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Tekstsoort {
    /// Any other element: [`MAX_TEKST_KORT`].
    #[default]
    Kort,
    /// Free text: [`MAX_TEKST`].
    Vrij,
    /// An attachment's base64: only the size limit.
    Bijlage,
    /// Outside the root: libxml2 refuses any text there at once.
    Buiten,
}

impl Tekstsoort {
    fn grens(self) -> Option<usize> {
        match self {
            Tekstsoort::Kort => Some(MAX_TEKST_KORT),
            Tekstsoort::Vrij => Some(MAX_TEKST),
            Tekstsoort::Bijlage | Tekstsoort::Buiten => None,
        }
    }
}

fn lokale_naam(naam: &str) -> String {
    naam.to_owned()
}

/// The running counts of the caps that span the whole message.
#[derive(Default)]
struct Tellers {
    attributen: usize,
    tekens: usize,
    overige_knopen: usize,
}

/// One pass over the document's tokens. Stops at the first tokenising error
/// (recorded in [`Structuur::fout`]) and at the first cap crossed (recorded in
/// [`Structuur::overschreden`]).
///
/// The pass is linear in the input: every event is looked at once, positions
/// are counted on from the previous one, and nothing is searched per element.
pub fn structuur(bytes: &[u8]) -> Structuur {
    let mut s = Structuur::default();
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    reader.config_mut().expand_empty_elements = false;
    reader
        .resolver_mut()
        .set_max_namespace_bindings(MAX_NAMESPACES);
    let mut teller = Regelteller::new(bytes);
    let mut stapel: Vec<Open> = Vec::new();
    // Children of the document itself (a second root gets [2]).
    let mut buiten = Open {
        tekst: Tekstsoort::Buiten,
        ..Open::default()
    };
    let mut tellers = Tellers::default();
    let mut tekst = Tekstloop::default();
    let mut tekst_doel: Option<&'static str> = None;
    let mut eerste_event = true;
    loop {
        let begin = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (ns, event) = match reader.read_resolved_event() {
            Ok(r) => r,
            Err(e) => {
                let pos = usize::try_from(reader.error_position()).unwrap_or(begin);
                if let quick_xml::Error::Namespace(NamespaceError::TooManyBindings(_)) = e {
                    // Raised while reading the start tag that begins at `begin`.
                    s.overschreden = Some((
                        teller.positie(begin),
                        format!(
                            "more than {MAX_NAMESPACES} namespace declarations in scope; the maximum is {MAX_NAMESPACES}"
                        ),
                    ));
                } else {
                    s.fout = Some((teller.positie(pos), e.to_string()));
                }
                return s;
            }
        };
        // Only the root's and its children's namespaces are kept (see
        // Element::namespace); an XInclude one is noted wherever it is.
        let (xinclude, namespace) = match (&ns, &event) {
            (ResolveResult::Bound(n), Event::Start(_) | Event::Empty(_)) => {
                let n: &str = n.as_ref();
                let bewaar = (stapel.len() < 2).then(|| Arc::<str>::from(n));
                (XINCLUDE_NAMESPACES.contains(&n), bewaar)
            }
            _ => (false, None),
        };
        let eind = usize::try_from(reader.buffer_position())
            .unwrap_or(bytes.len())
            .min(bytes.len());
        let ouder = stapel.last().map(|o| o.element);
        let soort = stapel.last().map_or(Tekstsoort::Buiten, |o| o.tekst);

        // An element tag ends a run of text; whitespace between elements is
        // indentation, any other text counts against the run's cap.
        if matches!(event, Event::Start(_) | Event::Empty(_) | Event::End(_)) {
            let tussen_elementen = match event {
                Event::End(_) => stapel.last().is_none_or(|o| !o.kinderen.is_empty()),
                _ => true,
            };
            let loop_ = std::mem::take(&mut tekst);
            if let Some(offset) = loop_.overschreden(tussen_elementen) {
                let tekst = te_lange_tekst(naam_van(&s, ouder), soort);
                s.overschreden = Some((teller.positie(offset), tekst));
                return s;
            }
        }
        if let Event::Start(ref e) | Event::Empty(ref e) = event {
            let naam = e.local_name();
            let naam: &str = naam.as_ref();
            let grens = grens_van_element(&s, stapel.len(), naam)
                .map(|t| (begin, t))
                .or_else(|| grens_van_attributen(bytes, begin, e, naam, &mut tellers));
            if let Some((offset, tekst)) = grens {
                s.overschreden = Some((teller.positie(offset), tekst));
                return s;
            }
        }
        if let Event::Comment(_) | Event::CData(_) | Event::GeneralRef(_) = event {
            tellers.overige_knopen += 1;
            if tellers.overige_knopen > MAX_OVERIGE_KNOPEN {
                s.overschreden = Some((
                    teller.positie(begin),
                    format!(
                        "more than {MAX_OVERIGE_KNOPEN} comments, CDATA sections and references; the maximum is {MAX_OVERIGE_KNOPEN}"
                    ),
                ));
                return s;
            }
        }
        // Everything but an attachment's base64 counts towards MAX_TEKENS.
        if !(soort == Tekstsoort::Bijlage && matches!(event, Event::Text(_))) {
            let stuk = &bytes[begin.min(eind)..eind];
            let n = tekens(stuk, false);
            if tellers.tekens + n > MAX_TEKENS {
                let offset = begin + byte_van_teken(stuk, MAX_TEKENS - tellers.tekens, false);
                s.overschreden = Some((
                    teller.positie(offset),
                    format!(
                        "more than {MAX_TEKENS} characters outside attachments; the maximum is {MAX_TEKENS}"
                    ),
                ));
                return s;
            }
            tellers.tekens += n;
        }

        let is_eerste = std::mem::replace(&mut eerste_event, false);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let positie = teller.positie(begin);
                let naam = lokale_naam(e.local_name().as_ref());
                if xinclude {
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
                let tekstsoort = tekstsoort_van(&s, &stapel, &naam);
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
                        tekst: tekstsoort,
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
                if soort == Tekstsoort::Bijlage
                    && let Some(offset) = tekst.bijlage(t.as_bytes(), begin)
                {
                    let naam = naam_van(&s, ouder);
                    s.overschreden = Some((
                        teller.positie(offset),
                        format!(
                            "more than {MAX_TEKST_KORT} characters in attachment '{}' that are not base64 (letters, digits, +, / and =, and one whitespace character per {BASE64_PER_WITRUIMTE} of those, a carriage return counting as {GEWICHT_CR}); the maximum is {MAX_TEKST_KORT}",
                            kort(naam)
                        ),
                    ));
                    return s;
                }
                tekst.voeg_toe(t.as_bytes(), begin, soort.grens(), false);
                if let Some(doel) = tekst_doel {
                    let tekst = Some(t.xml10_content().trim().to_owned());
                    match doel {
                        "BerichtId" => s.bericht_id = tekst,
                        _ => s.afzender = tekst,
                    }
                }
            }
            Event::CData(ref c) => {
                let inhoud = begin + "<![CDATA[".len();
                tekst.voeg_toe(c.as_bytes(), inhoud, soort.grens(), false);
            }
            // One character, and not whitespace as far as the caps go.
            Event::GeneralRef(_) => tekst.voeg_toe(b"&", begin, soort.grens(), false),
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
            Event::Comment(_) => {}
        }
        // Text that is more than whitespace cannot be indentation: stop at once.
        if let Some(offset) = tekst.overschreden(true) {
            let tekst = te_lange_tekst(naam_van(&s, ouder), soort);
            s.overschreden = Some((teller.positie(offset), tekst));
            return s;
        }
    }
}

/// The element caps: how many, and how deep (`diepte` open elements above it).
fn grens_van_element(s: &Structuur, diepte: usize, naam: &str) -> Option<String> {
    if s.elementen.len() >= MAX_ELEMENTEN {
        return Some(format!(
            "more than {MAX_ELEMENTEN} elements; the maximum is {MAX_ELEMENTEN}"
        ));
    }
    if diepte >= MAX_DIEPTE {
        return Some(format!(
            "more than {MAX_DIEPTE} nested elements (at '{}'); the maximum is {MAX_DIEPTE}",
            kort(naam)
        ));
    }
    None
}

/// The attribute caps of one start tag: how many on it and in the message
/// (namespace declarations included), and how long each value is. Returns the
/// byte offset where a cap was crossed.
fn grens_van_attributen(
    bytes: &[u8],
    begin: usize,
    e: &BytesStart,
    naam: &str,
    tellers: &mut Tellers,
) -> Option<(usize, String)> {
    for (n, a) in e.attributes().with_checks(false).enumerate() {
        // A malformed attribute is libxml2's to report (T01).
        let Ok(a) = a else { break };
        let sleutel: &str = a.key.as_ref();
        let plek = binnen(bytes, sleutel.as_bytes()).unwrap_or(begin);
        if n >= MAX_ATTRIBUTEN {
            return Some((
                plek,
                format!(
                    "more than {MAX_ATTRIBUTEN} attributes on element '{}' (namespace declarations included); the maximum is {MAX_ATTRIBUTEN}",
                    kort(naam)
                ),
            ));
        }
        tellers.attributen += 1;
        if tellers.attributen > MAX_ATTRIBUTEN_TOTAAL {
            return Some((
                plek,
                format!(
                    "more than {MAX_ATTRIBUTEN_TOTAAL} attributes in the message (namespace declarations included); the maximum is {MAX_ATTRIBUTEN_TOTAAL}"
                ),
            ));
        }
        let waarde = a.value.as_bytes();
        if tekens(waarde, true) > MAX_ATTRIBUUTWAARDE {
            let offset = binnen(bytes, waarde).map_or(plek, |w| {
                w + byte_van_teken(waarde, MAX_ATTRIBUUTWAARDE, true)
            });
            return Some((
                offset,
                format!(
                    "the value of attribute '{}' on element '{}' has more than {MAX_ATTRIBUUTWAARDE} characters; the maximum is {MAX_ATTRIBUUTWAARDE}",
                    kort(sleutel),
                    kort(naam)
                ),
            ));
        }
    }
    None
}

fn naam_van(s: &Structuur, i: Option<usize>) -> &str {
    i.map_or("", |i| s.elementen[i].naam.as_str())
}

fn te_lange_tekst(naam: &str, soort: Tekstsoort) -> String {
    let grens = soort.grens().unwrap_or(usize::MAX);
    format!(
        "more than {grens} characters of text in element '{}'; the maximum is {grens}",
        kort(naam)
    )
}

/// A name as far as a refusal text needs it.
fn kort(naam: &str) -> String {
    const MAX: usize = 64;
    match naam.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &naam[..i]),
        None => naam.to_owned(),
    }
}

/// The text cap of a new element `naam` under the open ones in `stapel`.
fn tekstsoort_van(s: &Structuur, stapel: &[Open], naam: &str) -> Tekstsoort {
    let ouder = stapel
        .last()
        .map_or("", |o| s.elementen[o.element].naam.as_str());
    if VRIJE_TEKST
        .iter()
        .any(|&(o, n)| n == naam && (o == "*" || o == ouder))
    {
        return Tekstsoort::Vrij;
    }
    let pad = stapel.iter().map(|o| s.elementen[o.element].naam.as_str());
    if pad.chain([naam]).eq(BIJLAGE) {
        return Tekstsoort::Bijlage;
    }
    Tekstsoort::Kort
}

/// Where `deel` starts in `geheel`, when it is a slice of it (an attribute of
/// the input, not an unescaped copy).
fn binnen(geheel: &[u8], deel: &[u8]) -> Option<usize> {
    let begin = (deel.as_ptr() as usize).checked_sub(geheel.as_ptr() as usize)?;
    (begin + deel.len() <= geheel.len()).then_some(begin)
}

/// Characters as libxml2 will see them: a CR LF pair is one (line ends are
/// normalised) and, with `refs`, a reference `&…;` is one.
fn tekens(raw: &[u8], refs: bool) -> usize {
    // memchr for the rare CR: a memmem finder costs more to build than most
    // pieces take to count.
    let crlf = memchr::memchr_iter(b'\r', raw)
        .filter(|&i| raw.get(i + 1) == Some(&b'\n'))
        .count();
    let mut n = tekens_utf8(raw).saturating_sub(crlf);
    if refs {
        let mut vanaf = 0;
        while let Some(i) = memchr::memchr(b'&', &raw[vanaf..]) {
            let amp = vanaf + i;
            let Some(j) = memchr::memchr(b';', &raw[amp..]) else {
                break;
            };
            n = n.saturating_sub(j);
            vanaf = amp + j + 1;
        }
    }
    n
}

/// The byte index in `raw` where character `n` (0-based, counted as
/// [`tekens`] counts) begins, or the end.
fn byte_van_teken(raw: &[u8], n: usize, refs: bool) -> usize {
    let mut geteld = 0;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        let vervolg = (b & 0xC0) == 0x80 || (b == b'\n' && i > 0 && raw[i - 1] == b'\r');
        if !vervolg {
            if geteld == n {
                return i;
            }
            geteld += 1;
        }
        if refs
            && b == b'&'
            && let Some(j) = memchr::memchr(b';', &raw[i..])
        {
            i += j + 1;
            continue;
        }
        i += 1;
    }
    raw.len()
}

/// The text since the last element tag: text, CDATA and references
/// together. A comment does not split it, as it does not split libxml2's value.
#[derive(Default)]
struct Tekstloop {
    /// In an attachment: base64 characters, whitespace, anything else.
    base64: usize,
    wit: usize,
    ander: usize,
    tekens: usize,
    /// More than whitespace was seen.
    inhoud: bool,
    /// Byte offset of the first character past the cap, once crossed.
    voorbij: Option<usize>,
}

impl Tekstloop {
    fn voeg_toe(&mut self, raw: &[u8], begin: usize, grens: Option<usize>, refs: bool) {
        let Some(grens) = grens else {
            return;
        };
        if !self.inhoud
            && !raw
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            self.inhoud = true;
        }
        if self.voorbij.is_some() {
            return;
        }
        let n = tekens(raw, refs);
        if self.tekens + n > grens {
            self.voorbij = Some(begin + byte_van_teken(raw, grens - self.tekens, refs));
        }
        self.tekens += n;
    }

    /// Text in an attachment: where more than [`MAX_TEKST_KORT`] characters
    /// are not base64 or its line breaks, when they are.
    fn bijlage(&mut self, raw: &[u8], begin: usize) -> Option<usize> {
        let is_base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
        let wit_gewicht = |b: &u8| match b {
            b'\r' => GEWICHT_CR,
            b' ' | b'\t' | b'\n' => 1,
            _ => 0,
        };
        let (base64, wit, cr, tekens) = base64_en_wit(raw);
        let wit = wit + cr * (GEWICHT_CR - 1);
        let ander = tekens.saturating_sub(base64 + wit - cr * (GEWICHT_CR - 1));
        let over = |l: &Tekstloop| l.ander + l.wit.saturating_sub(l.base64 / BASE64_PER_WITRUIMTE);
        let voor = (self.base64, self.wit, self.ander);
        (self.base64, self.wit, self.ander) = (voor.0 + base64, voor.1 + wit, voor.2 + ander);
        if over(self) <= MAX_TEKST_KORT {
            return None;
        }
        // Crossed in this piece: walk it again to say where.
        (self.base64, self.wit, self.ander) = voor;
        for (i, b) in raw.iter().enumerate() {
            match b {
                b if is_base64(b) => self.base64 += 1,
                b if wit_gewicht(b) > 0 => self.wit += wit_gewicht(b),
                b if (b & 0xC0) != 0x80 => self.ander += 1,
                _ => {}
            }
            if over(self) > MAX_TEKST_KORT {
                return Some(begin + i);
            }
        }
        Some(begin + raw.len())
    }

    /// Where the cap was crossed, unless the run is whitespace between elements.
    fn overschreden(&self, tussen_elementen: bool) -> Option<usize> {
        self.voorbij.filter(|_| self.inhoud || !tussen_elementen)
    }
}

/// Base64 characters, whitespace, carriage returns (also in the whitespace)
/// and characters in `raw`.
fn base64_en_wit(raw: &[u8]) -> (usize, usize, usize, usize) {
    let [base64, wit, cr, tekens] = tel(raw, |c| {
        let letter = (c | 0x20).wrapping_sub(b'a') < 26;
        let cijfer = c.wrapping_sub(b'0') < 10;
        [
            u8::from(letter | cijfer | (c == b'+') | (c == b'/') | (c == b'=')),
            u8::from((c == b' ') | (c == b'\t') | (c == b'\r') | (c == b'\n')),
            u8::from(c == b'\r'),
            u8::from((c as i8) >= -0x40),
        ]
    });
    (base64, wit, cr, tekens)
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
        for i in 0..500 {
            let a = if i % 10 == 0 { " x='ß'" } else { "" };
            x.push_str(&format!("<b>é€😀{i}</b><c{a}/>"));
            if i % 200 == 199 {
                x.push_str("\r\n  ");
            }
        }
        x.push_str("</a>");
        let bytes = x.as_bytes();
        let s = structuur(bytes);
        assert!(s.fout.is_none() && s.overschreden.is_none());
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
    fn tekens_zoals_libxml2_ze_telt() {
        assert_eq!(tekens(b"a\r\nb", false), 3);
        assert_eq!(tekens("é&amp;x".as_bytes(), true), 3);
        assert_eq!(tekens("é&amp;x".as_bytes(), false), 7);
        assert_eq!(tekens(b"&#x0000000041;", true), 1);
        let raw = "ab\r\ncé&lt;d".as_bytes();
        assert_eq!(tekens(raw, true), 7);
        assert_eq!(byte_van_teken(raw, 3, true), 4);
        assert_eq!(byte_van_teken(raw, 4, true), 5);
        assert_eq!(byte_van_teken(raw, 5, true), 7);
        assert_eq!(byte_van_teken(raw, 6, true), 11);
        assert_eq!(byte_van_teken(raw, 7, true), raw.len());
    }

    #[test]
    fn base64_telling_klopt_met_de_eenvoudige() {
        let x: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let base64 = x
            .iter()
            .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            .count();
        let wit = x
            .iter()
            .filter(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        let cr = x.iter().filter(|b| **b == b'\r').count();
        let tekens = x.iter().filter(|b| (**b & 0xC0) != 0x80).count();
        assert_eq!(base64_en_wit(&x), (base64, wit, cr, tekens));
        assert_eq!(tekens_utf8(&x), tekens);
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
