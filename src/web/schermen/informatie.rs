//! CR Informatie (seed FAQ "opzoeken van een regres"): by kenteken or
//! OngevalId, the accident's claims as the API gives them.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::{Schermfout, datum, html_antwoord, pagina};
use crate::web::informatie::{self as api, InformatieVraag};
use crate::web::toegang::Gezag;
use crate::web::{App, Vraag};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zoekvraag {
    #[serde(default)]
    pub kenteken: Option<String>,
    #[serde(default, rename = "ongevalId")]
    pub ongeval_id: Option<String>,
}

/// `GET /informatie`.
pub async fn informatie(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<Zoekvraag>,
) -> Result<Response, Schermfout> {
    let kenteken = v.kenteken.clone().filter(|k| !k.trim().is_empty());
    let ongeval = v.ongeval_id.clone().filter(|k| !k.trim().is_empty());
    let gezocht = kenteken.is_some() || ongeval.is_some();
    // A wrong plate is said beside the form, not as an error page.
    let (claims, fout) = if gezocht {
        let vraag = InformatieVraag {
            kenteken: kenteken.clone(),
            ongeval_id: if kenteken.is_some() {
                None
            } else {
                ongeval.clone()
            },
        };
        match api::informatie(State(app.clone()), Extension(g.clone()), Vraag(vraag)).await {
            Ok(j) => (j.0, None),
            Err(p) if p.status == 400 => (
                Vec::new(),
                Some("Dit is geen geldig Nederlands kenteken of OngevalId."),
            ),
            Err(p) => return Err(p.into()),
        }
    } else {
        (Vec::new(), None)
    };
    let m = html! {
        h1 { "CR Informatie" }
        form.zoeken method="get" action="/informatie" role="search" {
            div { label for="kenteken" { "Kenteken" } input id="kenteken" name="kenteken" value=(kenteken.as_deref().unwrap_or_default()) placeholder="bijvoorbeeld 12-ABC-3"; }
            div { label for="ongevalId" { "OngevalId" } input id="ongevalId" name="ongevalId" value=(ongeval.as_deref().unwrap_or_default()); }
            button type="submit" { "Opzoeken" }
        }
        @if let Some(f) = fout { p.melding role="alert" { (f) } }
        @if gezocht && fout.is_none() && claims.is_empty() { p { "Geen regres gevonden waarbij uw organisatie partij is." } }
        @for c in &claims {
            section.ongeval {
                h2 { "Ongeval " (c.ongeval_id) " – claim " (c.claim_id) }
                div.partijen {
                    section.partij.v { h3 { "Verhaler" } dl {
                        dt { "Verzekeraar" } dd { (c.verhaler_naam) " (" (c.verhaler) ")" }
                        dt { "Schadenummer" } dd { (c.schadenummer_verhaler.as_deref().unwrap_or("–")) }
                        dt { "Kenteken" } dd.kenteken { (c.kenteken_verhaler) }
                        dt { "Status" } dd { (c.status_verhaler) }
                    } }
                    section.partij.a { h3 { "Aansprakelijke" } dl {
                        dt { "Verzekeraar" } dd { (c.aansprakelijke_naam) " (" (c.aansprakelijke) ")" }
                        dt { "Schadenummer" } dd { (c.schadenummer_aansprakelijke.as_deref().unwrap_or("–")) }
                        dt { "Kenteken" } dd.kenteken { (c.kenteken_aansprakelijke) }
                        dt { "Status" } dd { (c.status_aansprakelijke) }
                    } }
                }
                h3 { "Standpunten" }
                div.tabel { table {
                    thead { tr { th scope="col" { "Datum" } th scope="col" { "Partij" } th scope="col" { "Soort" } th scope="col" { "Percentage" } } }
                    tbody { @for p in &c.posities { tr { td { (datum(&p.datum)) } td { (app.naam(&p.partij)) } td { (p.soort) } td { (p.verhaalpercentage.as_deref().unwrap_or("")) @if p.verhaalpercentage.is_some() { " %" } } } } }
                } }
                h3 { "Verloop" }
                div.tabel { table {
                    thead { tr { th scope="col" { "Tijd" } th scope="col" { "Richting" } th scope="col" { "Partij" } th scope="col" { "Bericht" } th scope="col" { "Toelichting" } } }
                    tbody { @for r in &c.verloop { tr { td { (datum(&r.bericht.tijd)) } td { @if r.bericht.richting == "in" { "Ontvangen van" } @else { "Verzonden aan" } } td { (app.naam(&r.bericht.deelnemer)) } td { (r.bericht.soort.as_deref().unwrap_or("")) } td { (r.extra_info.as_deref().unwrap_or("")) } } } }
                } }
            }
        }
    };
    Ok(html_antwoord(pagina(&g, &app, "CR Informatie", m)))
}
