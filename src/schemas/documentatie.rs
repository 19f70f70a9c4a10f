//! The integrator documentation (docs/berichten.md), generated from the XSD
//! files themselves so that it cannot drift from the contract.
//!
//! Reads the small subset of XSD the project's schemas use: named complex
//! types with nested `sequence`/`choice`, local elements with `type`,
//! `minOccurs`/`maxOccurs`, and named simple types restricting a built-in
//! type with patterns, lengths and enumerations.

use std::collections::BTreeMap;
use std::fmt::Write;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{BESTANDEN, SchemaFout};

#[derive(Debug, Clone)]
enum Deeltje {
    Element {
        naam: String,
        type_naam: String,
        min: u32,
        max: Option<u32>,
        uitleg: String,
    },
    Groep {
        keuze: bool,
        min: u32,
        deeltjes: Vec<Deeltje>,
    },
}

#[derive(Debug, Default)]
struct Enkelvoudig {
    basis: String,
    patronen: Vec<String>,
    waarden: Vec<String>,
    min_lengte: Option<String>,
    max_lengte: Option<String>,
    uitleg: String,
}

#[derive(Debug, Default)]
struct Model {
    samengesteld: BTreeMap<String, (String, Vec<Deeltje>)>,
    enkelvoudig: BTreeMap<String, Enkelvoudig>,
    /// Bericht's body choice: (element, type), in schema order.
    berichten: Vec<(String, String)>,
}

fn attr(e: &BytesStart<'_>, naam: &str) -> Option<String> {
    e.try_get_attribute(naam).ok().flatten().and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    })
}

fn occurs(e: &BytesStart<'_>) -> (u32, Option<u32>) {
    let min = attr(e, "minOccurs")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1);
    let max = match attr(e, "maxOccurs").as_deref() {
        Some("unbounded") => None,
        Some(m) => m.parse().ok(),
        None => Some(1),
    };
    (min, max)
}

fn lees_model() -> Result<Model, SchemaFout> {
    let mut model = Model::default();
    for (bestand, tekst) in BESTANDEN {
        lees_bestand(bestand, tekst, &mut model)?;
    }
    Ok(model)
}

/// What is open while reading one file.
enum Open {
    Samengesteld(String, Vec<Deeltje>),
    Enkelvoudig(String, Enkelvoudig),
    Groep(bool, u32, Vec<Deeltje>),
    Element(Option<Deeltje>),
    Anders,
}

fn voeg_toe(stapel: &mut [Open], d: Deeltje) {
    for open in stapel.iter_mut().rev() {
        match open {
            Open::Groep(_, _, v) | Open::Samengesteld(_, v) => {
                v.push(d);
                return;
            }
            Open::Element(_) | Open::Anders | Open::Enkelvoudig(..) => {}
        }
    }
}

fn lees_bestand(bestand: &str, tekst: &str, model: &mut Model) -> Result<(), SchemaFout> {
    let fout = |e: &dyn std::fmt::Display| SchemaFout::Lezen(bestand.to_owned(), e.to_string());
    let mut reader = Reader::from_str(tekst);
    let mut stapel: Vec<Open> = Vec::new();
    let mut in_documentatie = false;
    loop {
        let event = reader.read_event().map_err(|e| fout(&e))?;
        let leeg = matches!(event, Event::Empty(_));
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let open = match e.name().as_ref() {
                    "xs:complexType" => match attr(e, "name") {
                        Some(n) => Open::Samengesteld(n, Vec::new()),
                        None => Open::Anders,
                    },
                    "xs:simpleType" => match attr(e, "name") {
                        Some(n) => Open::Enkelvoudig(n, Enkelvoudig::default()),
                        None => Open::Anders,
                    },
                    "xs:sequence" | "xs:choice" => {
                        let (min, _) = occurs(e);
                        Open::Groep(e.name().as_ref() == "xs:choice", min, Vec::new())
                    }
                    "xs:element" => {
                        let naam = attr(e, "name").unwrap_or_default();
                        let (min, max) = occurs(e);
                        match attr(e, "type") {
                            Some(type_naam) => {
                                // Only Bericht is declared without a type: its choice is the body.
                                let in_bericht =
                                    stapel.iter().any(|o| matches!(o, Open::Element(None)));
                                let in_keuze = stapel.iter().rev().find_map(|o| match o {
                                    Open::Groep(keuze, ..) => Some(*keuze),
                                    _ => None,
                                });
                                if in_bericht && in_keuze == Some(true) {
                                    model.berichten.push((naam.clone(), type_naam.clone()));
                                }
                                Open::Element(Some(Deeltje::Element {
                                    naam,
                                    type_naam,
                                    min,
                                    max,
                                    uitleg: String::new(),
                                }))
                            }
                            None => Open::Element(None),
                        }
                    }
                    "xs:restriction" => {
                        if let Some(Open::Enkelvoudig(_, ev)) = stapel.last_mut() {
                            ev.basis = attr(e, "base").unwrap_or_default();
                        }
                        Open::Anders
                    }
                    "xs:pattern" | "xs:enumeration" | "xs:minLength" | "xs:maxLength" => {
                        let waarde = attr(e, "value").unwrap_or_default();
                        if let Some(Open::Enkelvoudig(_, ev)) = stapel
                            .iter_mut()
                            .rev()
                            .find(|o| matches!(o, Open::Enkelvoudig(..)))
                        {
                            match e.name().as_ref() {
                                "xs:pattern" => ev.patronen.push(waarde),
                                "xs:enumeration" => ev.waarden.push(waarde),
                                "xs:minLength" => ev.min_lengte = Some(waarde),
                                _ => ev.max_lengte = Some(waarde),
                            }
                        }
                        Open::Anders
                    }
                    "xs:documentation" => {
                        in_documentatie = !leeg;
                        Open::Anders
                    }
                    _ => Open::Anders,
                };
                if leeg {
                    sluit(open, &mut stapel, model);
                } else {
                    stapel.push(open);
                }
            }
            Event::Text(t) if in_documentatie => {
                let t = t.xml10_content().trim().to_owned();
                for open in stapel.iter_mut().rev() {
                    match open {
                        Open::Element(Some(Deeltje::Element { uitleg, .. })) => {
                            *uitleg = t;
                            break;
                        }
                        Open::Enkelvoudig(_, ev) => {
                            ev.uitleg = t;
                            break;
                        }
                        Open::Samengesteld(..) => {
                            break;
                        }
                        _ => {}
                    }
                }
            }
            Event::End(ref e) => {
                if e.name().as_ref() == "xs:documentation" {
                    in_documentatie = false;
                }
                if let Some(open) = stapel.pop() {
                    sluit(open, &mut stapel, model);
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn sluit(open: Open, stapel: &mut [Open], model: &mut Model) {
    match open {
        Open::Samengesteld(naam, deeltjes) => {
            model.samengesteld.insert(naam, (String::new(), deeltjes));
        }
        Open::Enkelvoudig(naam, ev) => {
            model.enkelvoudig.insert(naam, ev);
        }
        Open::Groep(keuze, min, deeltjes) => voeg_toe(
            stapel,
            Deeltje::Groep {
                keuze,
                min,
                deeltjes,
            },
        ),
        Open::Element(Some(d)) => voeg_toe(stapel, d),
        Open::Element(None) | Open::Anders => {}
    }
}

fn aantal(min: u32, max: Option<u32>) -> String {
    match (min, max) {
        (1, Some(1)) => "1".into(),
        (0, Some(1)) => "0..1".into(),
        (a, None) => format!("{a}..n"),
        (a, Some(b)) => format!("{a}..{b}"),
    }
}

fn type_omschrijving(model: &Model, naam: &str) -> String {
    match model.enkelvoudig.get(naam) {
        Some(ev) if !ev.waarden.is_empty() => {
            let w: Vec<String> = ev.waarden.iter().map(|w| format!("`{w}`")).collect();
            format!("{naam}: one of {}", w.join(", "))
        }
        Some(ev) => {
            let mut delen = vec![ev.basis.trim_start_matches("xs:").to_owned()];
            if let Some(p) = ev.patronen.first() {
                delen.push(format!("pattern `{p}`"));
            }
            if let Some(m) = &ev.max_lengte {
                delen.push(format!(
                    "{}..{m} characters",
                    ev.min_lengte.as_deref().unwrap_or("0")
                ));
            }
            format!("{naam} ({})", delen.join(", "))
        }
        None if naam.starts_with("xs:") => naam.trim_start_matches("xs:").to_owned(),
        None => naam.to_owned(),
    }
}

fn uitleg_van(model: &Model, type_naam: &str, eigen: &str) -> String {
    if !eigen.is_empty() {
        return eigen.to_owned();
    }
    model
        .enkelvoudig
        .get(type_naam)
        .map(|e| e.uitleg.clone())
        .unwrap_or_default()
}

fn rijen(
    model: &Model,
    pad: &str,
    deeltjes: &[Deeltje],
    label: Option<&str>,
    uit: &mut String,
    diepte: usize,
) -> Result<(), SchemaFout> {
    if diepte > 12 {
        return Ok(());
    }
    for d in deeltjes {
        match d {
            Deeltje::Element {
                naam,
                type_naam,
                min,
                max,
                uitleg,
            } => {
                let p = format!("{pad}{naam}");
                let samengesteld = model.samengesteld.get(type_naam);
                if samengesteld.is_none()
                    && !model.enkelvoudig.contains_key(type_naam)
                    && !type_naam.starts_with("xs:")
                {
                    return Err(SchemaFout::OnbekendType(type_naam.clone()));
                }
                let soort = match samengesteld {
                    Some((_, d)) if is_leeg(d) => "empty element".to_owned(),
                    Some(_) => "group".to_owned(),
                    None => type_omschrijving(model, type_naam),
                };
                let u = uitleg_van(model, type_naam, uitleg);
                let u = match label {
                    Some(l) if u.is_empty() => format!("*{l}*"),
                    Some(l) => format!("*{l}*: {u}"),
                    None => u,
                };
                // A `|` inside a cell (patterns) would end the cell.
                let _ = writeln!(
                    uit,
                    "| `{}` | {} | {} | {} |",
                    cel(&p),
                    aantal(*min, *max),
                    cel(&soort),
                    cel(&u)
                );
                if let Some((_, kinderen)) = samengesteld {
                    rijen(model, &format!("{p}/"), kinderen, None, uit, diepte + 1)?;
                }
            }
            Deeltje::Groep {
                keuze: true,
                min,
                deeltjes,
            } => {
                for (i, d) in deeltjes.iter().enumerate() {
                    let l = format!(
                        "{}option {} of {}{}",
                        label.map(|l| format!("{l}, ")).unwrap_or_default(),
                        i + 1,
                        deeltjes.len(),
                        if *min == 0 { " (or none)" } else { "" }
                    );
                    rijen(
                        model,
                        pad,
                        std::slice::from_ref(d),
                        Some(&l),
                        uit,
                        diepte + 1,
                    )?;
                }
            }
            Deeltje::Groep {
                keuze: false,
                min: 0,
                deeltjes,
            } => {
                let l = format!(
                    "{}optional group, all or none",
                    label.map(|l| format!("{l}, ")).unwrap_or_default()
                );
                rijen(model, pad, deeltjes, Some(&l), uit, diepte + 1)?;
            }
            Deeltje::Groep { deeltjes, .. } => rijen(model, pad, deeltjes, label, uit, diepte + 1)?,
        }
    }
    Ok(())
}

fn cel(tekst: &str) -> String {
    tekst.replace('|', "\\|")
}

fn is_leeg(deeltjes: &[Deeltje]) -> bool {
    deeltjes.is_empty()
        || matches!(deeltjes, [Deeltje::Groep { deeltjes, .. }] if deeltjes.is_empty())
}

/// docs/berichten.md: one table per message body, the envelope, and the code lists.
pub fn documentatie() -> Result<String, SchemaFout> {
    let model = lees_model()?;
    let mut uit = String::new();
    uit.push_str("# Message reference (generated from `schemas/`)\n\n");
    uit.push_str("<!-- Generated by `clearinghuis schema docs`; do not edit. A test fails when this file and the XSD differ. -->\n\n");
    uit.push_str("Every message is a `Bericht` in namespace `urn:clearinghuis-regres:berichten:1` with `versie=\"1\"`, ");
    uit.push_str("a `Kop` and exactly one body element. Validate with `xmllint --noout --schema schemas/clearinghuis.xsd FILE` ");
    uit.push_str("or `clearinghuis validate FILE`. Elements appear in the order of the tables. ");
    uit.push_str("Occurrence `0..1` is optional, `1..n` repeats.\n\n");
    uit.push_str("Columns: element path below the body, occurrence, type (with its pattern or values), meaning.\n\n");
    let tabel = |uit: &mut String, titel: &str, type_naam: &str| -> Result<(), SchemaFout> {
        let (_, deeltjes) = model
            .samengesteld
            .get(type_naam)
            .ok_or_else(|| SchemaFout::OnbekendType(type_naam.to_owned()))?;
        let _ = writeln!(uit, "## {titel}\n");
        if deeltjes.is_empty()
            || matches!(deeltjes.as_slice(), [Deeltje::Groep { deeltjes, .. }] if deeltjes.is_empty())
        {
            uit.push_str("No content: the element is empty, e.g. `<");
            uit.push_str(titel.split_whitespace().next().unwrap_or(titel));
            uit.push_str("/>`.\n\n");
            return Ok(());
        }
        uit.push_str("| element | occurs | type | meaning |\n| --- | --- | --- | --- |\n");
        rijen(&model, "", deeltjes, None, uit, 0)?;
        uit.push('\n');
        Ok(())
    };
    tabel(&mut uit, "Kop (envelope)", "Kop")?;
    uit.push_str("# Inbound messages (participant → hub)\n\n");
    let uitgaand = [
        "Ontvangstbevestiging",
        "Foutbericht",
        "Overeenstemming",
        "GeenOvereenstemming",
        "Eindafrekening",
        "Rappel",
        "Systeemmelding",
    ];
    for (naam, type_naam) in model
        .berichten
        .iter()
        .filter(|(n, _)| !uitgaand.contains(&n.as_str()))
    {
        tabel(&mut uit, naam, type_naam)?;
    }
    uit.push_str("# Outbound messages (hub → participant)\n\n");
    uit.push_str("The hub also forwards each inbound body above to the counterparty, with `Kop/Namens` set to the sender.\n\n");
    for (naam, type_naam) in model
        .berichten
        .iter()
        .filter(|(n, _)| uitgaand.contains(&n.as_str()))
    {
        tabel(&mut uit, naam, type_naam)?;
    }
    uit.push_str("# Code lists\n\n| type | values |\n| --- | --- |\n");
    for (naam, ev) in model
        .enkelvoudig
        .iter()
        .filter(|(_, e)| !e.waarden.is_empty())
    {
        let w: Vec<String> = ev.waarden.iter().map(|w| format!("`{w}`")).collect();
        let _ = writeln!(uit, "| {naam} | {} |", w.join(", "));
    }
    Ok(uit)
}

/// The enumeration values of every simple type that has them, for the drift test.
pub fn enumeraties() -> Result<BTreeMap<String, Vec<String>>, SchemaFout> {
    Ok(lees_model()?
        .enkelvoudig
        .into_iter()
        .filter(|(_, e)| !e.waarden.is_empty())
        .map(|(n, e)| (n, e.waarden))
        .collect())
}
