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

fn n(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "–".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `GET /managementinformatie`.
pub async fn mi(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<MiVraag>,
) -> Result<Response, Schermfout> {
    let r = api::mi(
        State(app.clone()),
        Extension(g.clone()),
        HeaderMap::new(),
        Vraag(vraag_van(&v)),
    )
    .await?;
    let bytes = axum::body::to_bytes(r.into_body(), 8 * 1024 * 1024)
        .await
        .map_err(crate::web::probleem::Probleem::intern)?;
    let mi: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(crate::web::probleem::Probleem::intern)?;
    let rollen = mi["rollen"].as_object().cloned().unwrap_or_default();
    let csv = format!(
        "/managementinformatie.csv?van={}&tot={}{}",
        n(&mi["van"]),
        n(&mi["tot"]),
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
    let m = html! {
        h1 { "Managementinformatie" }
        form.zoeken method="get" action="/managementinformatie" {
            div { label for="van" { "Van" } input id="van" name="van" type="date" value=(n(&mi["van"])); }
            div { label for="tot" { "Tot en met" } input id="tot" name="tot" type="date" value=(n(&mi["tot"])); }
            @if g.is_operator() {
                div { label for="deelnemer" { "Deelnemer (leeg: de hele hub)" } input id="deelnemer" name="deelnemer" value=(v.deelnemer.as_deref().unwrap_or_default()); }
            }
            button type="submit" { "Tonen" }
        }
        p { "Periode " (datum(&n(&mi["van"]))) " tot en met " (datum(&n(&mi["tot"]))) ". " a href=(csv) download { "Download als CSV" } }
        @for (rol, i) in &rollen {
            section {
                h2 { (rol_naam(rol)) }
                div.tabel { table {
                    caption.verborgen { "Aantallen " (rol_naam(rol)) }
                    tbody {
                        tr { th scope="row" { "Geregistreerd" } td { (n(&i["geregistreerd"])) } }
                        tr { th scope="row" { "Overeenstemming" } td { (n(&i["overeenstemming"])) } }
                        tr { th scope="row" { "Geen overeenstemming" } td { (n(&i["geen_overeenstemming"])) } }
                        tr { th scope="row" { "Passief gesloten" } td { (n(&i["passief_gesloten"])) } }
                        @for (reden, aantal) in i["ingetrokken"].as_object().cloned().unwrap_or_default() {
                            tr { th scope="row" { "Ingetrokken (" (reden) ")" } td { (n(&aantal)) } }
                        }
                        tr { th scope="row" { "Betaald binnen de termijn" } td { (n(&i["betaald_binnen_termijn"][0])) " van " (n(&i["betaald_binnen_termijn"][1])) } }
                    }
                } }
                h3 { "Doorlooptijden in dagen" }
                div.tabel { table {
                    thead { tr { th scope="col" { "Van – tot" } th scope="col" { "Aantal" } th scope="col" { "Mediaan" } th scope="col" { "90e percentiel" } } }
                    tbody {
                        @for (sleutel, naam) in [("dagen_aanmelding_tot_overeenstemming", "Aanmelding tot overeenstemming"), ("dagen_overeenstemming_tot_betaalverzoek", "Overeenstemming tot betaalverzoek"), ("dagen_afrekening_tot_betaling", "Eindafrekening tot betaling")] {
                            tr { th scope="row" { (naam) } td { (n(&i[sleutel]["aantal"])) } td { (n(&i[sleutel]["mediaan"])) } td { (n(&i[sleutel]["p90"])) } }
                        }
                    }
                } }
                h3 { "Overeenstemming per OVS-code" }
                @let per_ovs = i["overeenstemming_per_ovs"].as_object().cloned().unwrap_or_default();
                @if !per_ovs.is_empty() {
                    @let aandelen: Vec<f64> = per_ovs.values().map(|w| w[2].as_f64().unwrap_or(0.0)).collect();
                    figure.grafiek role="img" aria-label=(format!("Aandeel met overeenstemming per OVS-code: {}", per_ovs.iter().map(|(k, w)| format!("{k}: {:.0} %", w[2].as_f64().unwrap_or(0.0) * 100.0)).collect::<Vec<_>>().join(", "))) {
                        (PreEscaped(grafiek::staven(&aandelen, 1.0, 60 * aandelen.len() as u32 + 20, 120)))
                        figcaption { "OVS-code " (per_ovs.keys().cloned().collect::<Vec<_>>().join(" · ")) " (0–100 %)" }
                    }
                }
                div.tabel { table {
                    thead { tr { th scope="col" { "OVS-code" } th scope="col" { "Claims" } th scope="col" { "Met overeenstemming" } th scope="col" { "Aandeel" } } }
                    tbody {
                        @for (ovs, w) in i["overeenstemming_per_ovs"].as_object().cloned().unwrap_or_default() {
                            tr { td { (ovs) } td { (n(&w[0])) } td { (n(&w[1])) } td { (format!("{:.0} %", w[2].as_f64().unwrap_or(0.0) * 100.0)) } }
                        }
                    }
                } }
                h3 { "Open claims per werkmap naar leeftijd (dagen)" }
                @let open = i["open_naar_leeftijd"].as_object().cloned().unwrap_or_default();
                div.grafieken {
                    @for (map, klassen) in &open {
                        @let aantallen: Vec<f64> = ["0-21", "22-63", "64-150", ">150"].iter().map(|k| klassen.get(*k).and_then(|v| v.as_f64()).unwrap_or(0.0)).collect();
                        @let hoogste = aantallen.iter().cloned().fold(0.0, f64::max);
                        figure.grafiek role="img" aria-label=(format!("{map}: {}", ["0-21", "22-63", "64-150", ">150"].iter().zip(&aantallen).map(|(k, n)| format!("{k} dagen {n}")).collect::<Vec<_>>().join(", "))) {
                            (PreEscaped(grafiek::staven(&aantallen, hoogste, 260, 120)))
                            figcaption { (map) ": 0–21 · 22–63 · 64–150 · >150 dagen (hoogste " (hoogste) ")" }
                        }
                    }
                }
                div.tabel { table {
                    thead { tr { th scope="col" { "Werkmap" } @for k in ["0-21", "22-63", "64-150", ">150"] { th scope="col" { (k) } } } }
                    tbody {
                        @for (map, klassen) in i["open_naar_leeftijd"].as_object().cloned().unwrap_or_default() {
                            tr { th scope="row" { (map) } @for k in ["0-21", "22-63", "64-150", ">150"] { td { (n(&klassen.get(k).cloned().unwrap_or(serde_json::json!(0)))) } } }
                        }
                    }
                } }
            }
        }
        section {
            h2 { "Rappels ontvangen" }
            div.tabel { table {
                thead { tr { th scope="col" { "Soort" } th scope="col" { "Aantal" } } }
                tbody { @for (soort, aantal) in mi["rappels"].as_object().cloned().unwrap_or_default() { tr { td { (soort) } td { (n(&aantal)) } } } }
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
