//! Managementinformatie (web.md screen 5): the indicators of
//! docs/managementinformatie.md for a period, as V and as A. Every table
//! comes from `mi::tabellen`, the model its CSV is written from, and every
//! chart is drawn from the numbers of the table beside it.

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use maud::{Markup, PreEscaped, html};

use super::{Schermfout, datum, grafiek, html_antwoord, pagina};
use crate::web::mi::{self as api, Cel, MiVraag, Soort, Tabel};
use crate::web::toegang::Gezag;
use crate::web::{App, Vraag};

fn vraag_van(v: &MiVraag) -> MiVraag {
    let leeg_weg = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    MiVraag {
        van: leeg_weg(&v.van),
        tot: leeg_weg(&v.tot),
        deelnemer: leeg_weg(&v.deelnemer),
        tabel: leeg_weg(&v.tabel),
    }
}

fn rol_naam(r: &str) -> &'static str {
    if r == "V" {
        "Als verhaler (V)"
    } else {
        "Als aansprakelijke (A)"
    }
}

/// A chart with its text alternative (the numbers it shows, in words).
fn figuur(reeksen: &[&[f64]], max: f64, breed: u32, alt: String, onderschrift: Markup) -> Markup {
    html! {
        figure.grafiek role="img" aria-label=(alt) {
            (PreEscaped(grafiek::staven(reeksen, max, breed, 130)))
            figcaption { (onderschrift) }
        }
    }
}

/// Column `k` of a table as numbers.
fn kolom(t: &Tabel, k: usize) -> Vec<f64> {
    t.rijen
        .iter()
        .map(|r| r.get(k).map_or(0.0, Cel::getal))
        .collect()
}

/// The names of the rows (first cells), for captions and alternatives.
fn rijnamen(t: &Tabel) -> Vec<String> {
    t.rijen
        .iter()
        .map(|r| r.first().map(Cel::scherm).unwrap_or_default())
        .collect()
}

/// "name: value, …" for a text alternative.
fn opsomming(namen: &[String], waarden: &[f64]) -> String {
    namen
        .iter()
        .zip(waarden)
        .map(|(n, w)| format!("{n}: {w}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The charts drawn from a table, if it has any.
fn grafieken(t: &Tabel) -> Markup {
    let namen = rijnamen(t);
    let breed = |plaatsen: usize, per: u32| (per * plaatsen as u32 + 20).clamp(160, 900);
    match t.soort {
        Soort::PerMaand if !t.rijen.is_empty() => {
            let (g, o) = (kolom(t, 1), kolom(t, 2));
            html! { div.grafieken {
                (figuur(&[&g, &o], 0.0, breed(g.len(), 40),
                    format!("Geregistreerd per maand: {}; met overeenstemming: {}", opsomming(&namen, &g), opsomming(&namen, &o)),
                    html! { "Per maand, " (namen.first().cloned().unwrap_or_default()) " tot en met " (namen.last().cloned().unwrap_or_default()) ": " span.reeks1 { "geregistreerd" } ", " span.reeks2 { "met overeenstemming" } }))
            } }
        }
        Soort::Verdeling => html! { div.grafieken {
            @for k in 1..t.kolommen.len() {
                @let w = kolom(t, k);
                (figuur(&[&w], 0.0, breed(w.len(), 36),
                    format!("{} (dagen): {}", t.kolommen[k], opsomming(&namen, &w)),
                    html! { (t.kolommen[k]) ": " (namen.join(" · ")) " dagen" }))
            }
        } },
        Soort::PerOvs if !t.rijen.is_empty() => {
            let a = kolom(t, 3);
            let procent: Vec<f64> = a.iter().map(|x| (x * 100.0).round()).collect();
            html! { div.grafieken {
                (figuur(&[&a], 1.0, breed(a.len(), 60),
                    format!("Aandeel met overeenstemming per OVS-code (%): {}", opsomming(&namen, &procent)),
                    html! { "OVS-code " (namen.join(" · ")) " (0–100 %)" }))
            } }
        }
        Soort::Open => html! { div.grafieken {
            @for r in &t.rijen {
                @let w: Vec<f64> = r.iter().skip(1).map(Cel::getal).collect();
                @let map = r.first().map(Cel::scherm).unwrap_or_default();
                (figuur(&[&w], 0.0, 260,
                    format!("{map}: {}", opsomming(&t.kolommen[1..], &w)),
                    html! { (map) ": 0–21 · 22–63 · 64–150 · >150 dagen" }))
            }
        } },
        _ => html! {},
    }
}

/// `GET /managementinformatie`.
pub async fn mi(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<MiVraag>,
) -> Result<Response, Schermfout> {
    let vraag = vraag_van(&v);
    let mi = api::bereken(&app, &g, &vraag).await?;
    let csv = |tabel: Option<&str>| {
        let mut s = format!("/managementinformatie.csv?van={}&tot={}", mi.van, mi.tot);
        // The checked code (a participant's code has no character to escape).
        if let Some(d) = &mi.deelnemer {
            s.push_str(&format!("&deelnemer={d}"));
        }
        if let Some(t) = tabel {
            s.push_str(&format!("&tabel={t}"));
        }
        s
    };
    let tabellen = api::tabellen(&mi);
    let m = html! {
        h1 { "Managementinformatie" }
        form.zoeken method="get" action="/managementinformatie" {
            div { label for="van" { "Van" } input id="van" name="van" type="date" value=(mi.van); }
            div { label for="tot" { "Tot en met" } input id="tot" name="tot" type="date" value=(mi.tot); }
            @if g.is_operator() {
                div { label for="deelnemer" { "Deelnemer (leeg: de hele hub)" } input id="deelnemer" name="deelnemer" value=(vraag.deelnemer.as_deref().unwrap_or_default()); }
            }
            button type="submit" { "Tonen" }
        }
        p { "Periode " (datum(&mi.van)) " tot en met " (datum(&mi.tot)) ". " a href=(csv(None)) download { "Alle tabellen in één CSV" } }
        @for (n, t) in tabellen.iter().enumerate() {
            @if t.rol.is_some() && tabellen.get(n.wrapping_sub(1)).map(|v| &v.rol) != Some(&t.rol) {
                h2 { (t.rol.as_deref().map(rol_naam).unwrap_or_default()) }
            }
            @if t.soort == Soort::Rappels { h2 id=(t.naam()) { (t.titel) } } @else { h3 id=(t.naam()) { (t.titel) } }
            (grafieken(t))
            div.tabel.passend { table {
                caption.verborgen { (t.titel) @if let Some(r) = &t.rol { " " (rol_naam(r)) } }
                thead { tr { @for k in &t.kolommen { th scope="col" { (k) } } } }
                tbody {
                    @for r in &t.rijen {
                        tr {
                            @for (i, c) in r.iter().enumerate() {
                                @if i == 0 { th scope="row" { (c.scherm()) } } @else { td.getal { (c.scherm()) } }
                            }
                        }
                    }
                    @if t.rijen.is_empty() { tr { td colspan=(t.kolommen.len()) { "Geen." } } }
                }
            } }
            p.csv { a href=(csv(Some(&t.naam()))) download aria-label=(format!("{} {} als CSV", t.titel, t.rol.as_deref().map(rol_naam).unwrap_or_default())) { "Download als CSV" } }
        }
    };
    Ok(html_antwoord(pagina(&g, &app, "Managementinformatie", m)))
}

/// `GET /managementinformatie.csv`: the API's CSV (one table with
/// `tabel=`, or all of them), as a download.
pub async fn csv(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<MiVraag>,
) -> Result<Response, Schermfout> {
    let mut kop = HeaderMap::new();
    kop.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
    Ok(api::mi(State(app), Extension(g), kop, Vraag(vraag_van(&v))).await?)
}
