//! Managementinformatie (web.md screen 5): the indicators of
//! docs/managementinformatie.md for a period, as V and as A, in tables,
//! with the API's CSV as download.

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use maud::{PreEscaped, html};

use super::{Schermfout, datum, grafiek, html_antwoord, pagina};
use crate::web::mi::{self as api, MiVraag};
use crate::web::toegang::Gezag;
use crate::web::{App, Vraag};

fn vraag_van(v: &MiVraag) -> MiVraag {
    MiVraag {
        van: v.van.clone().filter(|s| !s.is_empty()),
        tot: v.tot.clone().filter(|s| !s.is_empty()),
        deelnemer: v.deelnemer.clone().filter(|s| !s.is_empty()),
    }
}

fn getal(n: Option<i64>) -> String {
    n.map_or_else(|| "–".into(), |n| n.to_string())
}

/// `GET /managementinformatie`.
pub async fn mi(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<MiVraag>,
) -> Result<Response, Schermfout> {
    let mi = api::bereken(&app, &g, &vraag_van(&v)).await?;
    let csv = format!(
        "/managementinformatie.csv?van={}&tot={}{}",
        mi.van,
        mi.tot,
        v.deelnemer
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| format!("&deelnemer={d}"))
            .unwrap_or_default()
    );
    let rol_naam = |r: &str| {
        if r == "V" {
            "Als verhaler (V)"
        } else {
            "Als aansprakelijke (A)"
        }
    };
    const KLASSEN: [&str; 4] = ["0-21", "22-63", "64-150", ">150"];
    let m = html! {
        h1 { "Managementinformatie" }
        form.zoeken method="get" action="/managementinformatie" {
            div { label for="van" { "Van" } input id="van" name="van" type="date" value=(mi.van); }
            div { label for="tot" { "Tot en met" } input id="tot" name="tot" type="date" value=(mi.tot); }
            @if g.is_operator() {
                div { label for="deelnemer" { "Deelnemer (leeg: de hele hub)" } input id="deelnemer" name="deelnemer" value=(v.deelnemer.as_deref().unwrap_or_default()); }
            }
            button type="submit" { "Tonen" }
        }
        p { "Periode " (datum(&mi.van)) " tot en met " (datum(&mi.tot)) ". " a href=(csv) download { "Download als CSV" } }
        @for (rol, i) in &mi.rollen {
            section {
                h2 { (rol_naam(rol)) }
                div.tabel { table {
                    caption.verborgen { "Aantallen " (rol_naam(rol)) }
                    tbody {
                        tr { th scope="row" { "Geregistreerd" } td { (i.geregistreerd) } }
                        tr { th scope="row" { "Overeenstemming" } td { (i.overeenstemming) } }
                        tr { th scope="row" { "Geen overeenstemming" } td { (i.geen_overeenstemming) } }
                        tr { th scope="row" { "Passief gesloten" } td { (i.passief_gesloten) } }
                        @for (reden, aantal) in &i.ingetrokken {
                            tr { th scope="row" { "Ingetrokken (" (reden) ")" } td { (aantal) } }
                        }
                        tr { th scope="row" { "Betaald binnen de termijn" } td { (i.betaald_binnen_termijn.0) " van " (i.betaald_binnen_termijn.1) } }
                    }
                } }
                h3 { "Doorlooptijden in dagen" }
                div.tabel { table {
                    thead { tr { th scope="col" { "Van – tot" } th scope="col" { "Aantal" } th scope="col" { "Mediaan" } th scope="col" { "90e percentiel" } } }
                    tbody {
                        @for (d, naam) in [(&i.dagen_aanmelding_tot_overeenstemming, "Aanmelding tot overeenstemming"), (&i.dagen_overeenstemming_tot_betaalverzoek, "Overeenstemming tot betaalverzoek"), (&i.dagen_afrekening_tot_betaling, "Eindafrekening tot betaling")] {
                            tr { th scope="row" { (naam) } td { (d.aantal) } td { (getal(d.mediaan)) } td { (getal(d.p90)) } }
                        }
                    }
                } }
                h3 { "Overeenstemming per OVS-code" }
                @if !i.overeenstemming_per_ovs.is_empty() {
                    @let aandelen: Vec<f64> = i.overeenstemming_per_ovs.values().map(|w| w.2).collect();
                    figure.grafiek role="img" aria-label=(format!("Aandeel met overeenstemming per OVS-code: {}", i.overeenstemming_per_ovs.iter().map(|(k, w)| format!("{k}: {:.0} %", w.2 * 100.0)).collect::<Vec<_>>().join(", "))) {
                        (PreEscaped(grafiek::staven(&aandelen, 1.0, 60 * aandelen.len() as u32 + 20, 120)))
                        figcaption { "OVS-code " (i.overeenstemming_per_ovs.keys().cloned().collect::<Vec<_>>().join(" · ")) " (0–100 %)" }
                    }
                }
                div.tabel { table {
                    thead { tr { th scope="col" { "OVS-code" } th scope="col" { "Claims" } th scope="col" { "Met overeenstemming" } th scope="col" { "Aandeel" } } }
                    tbody {
                        @for (ovs, w) in &i.overeenstemming_per_ovs {
                            tr { td { (ovs) } td { (w.0) } td { (w.1) } td { (format!("{:.0} %", w.2 * 100.0)) } }
                        }
                    }
                } }
                h3 { "Open claims per werkmap naar leeftijd (dagen)" }
                div.grafieken {
                    @for (map, klassen) in &i.open_naar_leeftijd {
                        @let aantallen: Vec<f64> = KLASSEN.iter().map(|k| klassen.get(*k).copied().unwrap_or(0) as f64).collect();
                        @let hoogste = aantallen.iter().cloned().fold(0.0, f64::max);
                        figure.grafiek role="img" aria-label=(format!("{map}: {}", KLASSEN.iter().zip(&aantallen).map(|(k, n)| format!("{k} dagen {n}")).collect::<Vec<_>>().join(", "))) {
                            (PreEscaped(grafiek::staven(&aantallen, hoogste, 260, 120)))
                            figcaption { (map) ": 0–21 · 22–63 · 64–150 · >150 dagen (hoogste " (hoogste) ")" }
                        }
                    }
                }
                div.tabel { table {
                    thead { tr { th scope="col" { "Werkmap" } @for k in KLASSEN { th scope="col" { (k) } } } }
                    tbody {
                        @for (map, klassen) in &i.open_naar_leeftijd {
                            tr { th scope="row" { (map) } @for k in KLASSEN { td { (klassen.get(k).copied().unwrap_or(0)) } } }
                        }
                    }
                } }
            }
        }
        section {
            h2 { "Rappels ontvangen" }
            div.tabel { table {
                thead { tr { th scope="col" { "Soort" } th scope="col" { "Aantal" } } }
                tbody { @for (soort, aantal) in &mi.rappels { tr { td { (soort) } td { (aantal) } } } }
            } }
        }
    };
    Ok(html_antwoord(pagina(&g, &app, "Managementinformatie", m)))
}

/// `GET /managementinformatie.csv`: the API's CSV, as a download.
pub async fn csv(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<MiVraag>,
) -> Result<Response, Schermfout> {
    let mut kop = HeaderMap::new();
    kop.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
    let mut r = api::mi(State(app), Extension(g), kop, Vraag(vraag_van(&v))).await?;
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"managementinformatie.csv\""),
    );
    Ok(r)
}
