//! Beheer (web.md screen 6), for the hub's operator: health, the
//! participants, the message log searchable by BerichtId, ClaimId,
//! participant, period and outcome or code, the parked messages with their
//! content, and re-delivery of an outbound message after a confirmation.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::{Formulier, Schermfout, datum, html_antwoord, pagina, voorgevormd};
use crate::bewaking::Fase;
use crate::web::beheer::{self as api, LogVraag};
use crate::web::claims::PaginaVraag;
use crate::web::toegang::Gezag;
use crate::web::{App, Vraag};

fn leeg_weg(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.trim().is_empty())
}

/// `GET /beheer`.
pub async fn beheer(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<LogVraag>,
) -> Result<Response, Schermfout> {
    let vraag = LogVraag {
        bericht_id: leeg_weg(&v.bericht_id),
        claim_id: leeg_weg(&v.claim_id),
        deelnemer: leeg_weg(&v.deelnemer),
        van: leeg_weg(&v.van),
        tot: leeg_weg(&v.tot),
        uitslag: leeg_weg(&v.uitslag),
        page: v.page,
        per_page: v.per_page,
    };
    let log = api::log(State(app.clone()), Vraag(vraag)).await?.0;
    let geparkeerd = api::geparkeerd(
        State(app.clone()),
        Vraag(PaginaVraag {
            page: Some(1),
            per_page: Some(50),
        }),
    )
    .await?
    .0;
    let store = app.db.bereikbaar().await;
    let stand = app.bewaking.stand();
    let binnen_een_dag = chrono::Utc::now().timestamp_micros() + 86_400_000_000;
    let (backlog, vast, binnen_dag) = api::wachtend(&app, binnen_een_dag).await?;
    let deelnemers = api::deelnemerstatus(&app).await?;
    let (laatste, laatste_werk) = app.metingen.laatste_rondes();
    let ronde = |r: Option<crate::metingen::Rondeverslag>| match r {
        None => "nog geen".to_string(),
        Some(r) => format!(
            "{}, {} bericht(en), {} termijn(en), {} afgeleverd, {} ms",
            chrono::DateTime::<chrono::Local>::from(r.eind).format("%d-%m-%Y %H:%M:%S"),
            r.berichten,
            r.timers,
            r.verzonden,
            r.duur.as_millis()
        ),
    };
    let postbussen = match stand.fase {
        Fase::Bedienen => "bereikbaar (de hub bedient ze)",
        Fase::Standby => "niet in gebruik: deze hub staat stand-by",
        _ => "NIET in gebruik: de hub bedient ze niet",
    };
    let veld = |naam: &str, label: &str, waarde: &Option<String>, soort: &str| {
        html! { div { label for=(naam) { (label) } input id=(naam) name=(naam) type=(soort) value=(waarde.as_deref().unwrap_or_default()); } }
    };
    let m = html! {
        h1 { "Beheer" }
        section {
            h2 { "Gezondheid" }
            dl.kern {
                dt { "Store" } dd { @if store { "bereikbaar" } @else { "NIET bereikbaar" } }
                dt { "Hub" } dd { (fase_in_woorden(stand.fase)) @if let Some(f) = &stand.laatste_fout { " (laatste storing: " (f) ")" } }
                dt { "Postbussen" } dd { (postbussen) }
                dt { "Laatste ronde" } dd id="laatste-ronde" { (ronde(laatste)) }
                dt { "Laatste ronde met werk" } dd { (ronde(laatste_werk)) }
                dt { "Nog af te leveren (outbox)" } dd { (backlog) }
                dt { "Geparkeerde berichten" } dd { (vast) }
                dt { "Termijnen die binnen 24 uur verlopen" } dd { (binnen_dag) }
                dt { "Deelnemers" } dd { (app.deelnemers.iter().count()) }
            }
        }
        section {
            h2 { "Deelnemers" }
            div.tabel { table {
                thead { tr { th scope="col" { "Code" } th scope="col" { "Naam" } th scope="col" { "Soort" } th scope="col" { "Status" } th scope="col" { "Laatste bericht ontvangen" } th scope="col" { "Nog af te leveren" } } }
                tbody { @for d in &deelnemers { tr {
                    td { (d.code) } td { (d.naam) } td { (d.soort) }
                    td { @if d.actief { "actief" } @else { "niet actief" } }
                    td { (d.laatst_ontvangen.as_deref().map(datum).unwrap_or_else(|| "nooit".into())) }
                    td.getal { (d.af_te_leveren) }
                } } }
            } }
        }
        section {
            h2 { "Berichtenlog" }
            form.zoeken method="get" action="/beheer" role="search" {
                (veld("bericht_id", "BerichtId", &v.bericht_id, "text"))
                (veld("claim_id", "ClaimId", &v.claim_id, "text"))
                (veld("deelnemer", "Deelnemer", &v.deelnemer, "text"))
                (veld("van", "Van", &v.van, "date"))
                (veld("tot", "Tot en met", &v.tot, "date"))
                (veld("uitslag", "Uitslag of code", &v.uitslag, "text"))
                button type="submit" { "Zoeken" }
            }
            p { (log.totaal) " regels" }
            div.tabel { table {
                thead { tr { th scope="col" { "Seq" } th scope="col" { "Tijd" } th scope="col" { "Richting" } th scope="col" { "Deelnemer" } th scope="col" { "Bericht" } th scope="col" { "BerichtId" } th scope="col" { "ClaimId" } th scope="col" { "Uitslag" } th scope="col" { span.verborgen { "Actie" } } } }
                tbody {
                    @for r in &log.regels {
                        tr {
                            td { (r.seq) }
                            td { (datum(&r.tijd)) }
                            td { (r.richting) }
                            td { (r.deelnemer) }
                            td { (r.soort.as_deref().unwrap_or("")) }
                            td { (r.bericht_id.as_deref().unwrap_or("")) }
                            td { @if let Some(c) = &r.claim_id { a href=(format!("/dossier/{c}")) { (c) } } }
                            td { (r.uitslag.as_deref().unwrap_or("")) }
                            td { @if r.richting == "out" { @if let Some(b) = &r.bericht_id { a href=(format!("/beheer/opnieuw/{b}")) { "Opnieuw aanbieden" } } } }
                        }
                    }
                }
            } }
        }
        section {
            h2 { "Geparkeerde berichten" }
            @if geparkeerd.regels.is_empty() { p { "Geen." } }
            @for p in &geparkeerd.regels {
                details {
                    summary { (p.deelnemer) ", ontvangen " (datum(&p.ontvangen)) ", geweigerd als nog te vroeg op " (datum(&p.tot)) }
                    (voorgevormd(&p.xml))
                }
            }
        }
    };
    Ok(html_antwoord(pagina(&g, &app, "Beheer", m)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gedaan {
    #[serde(default)]
    pub gedaan: Option<String>,
}

/// `GET /beheer/opnieuw/{berichtId}`: asks to confirm (or, after the
/// form, says it is done).
pub async fn bevestig(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(bericht_id): Path<String>,
    Vraag(v): Vraag<Gedaan>,
) -> Result<Response, Schermfout> {
    api::uitgaand(&app, &bericht_id).await?;
    if v.gedaan.is_some() {
        let m = html! {
            h1 { "Opnieuw aangeboden" }
            p role="status" { "Bericht " strong { (bericht_id) } " staat opnieuw in de outbox; de hub levert het af in de postbus van de ontvanger." }
            p { a href=(format!("/beheer?bericht_id={bericht_id}")) { "Terug naar het berichtenlog" } }
        };
        return Ok(html_antwoord(pagina(&g, &app, "Opnieuw aangeboden", m)));
    }
    let csrf = g.csrf.clone().unwrap_or_default();
    let m = html! {
        h1 { "Bericht opnieuw aanbieden" }
        p { "Bericht " strong { (bericht_id) } " wordt met dezelfde BerichtId en dezelfde inhoud opnieuw in de postbus van de ontvanger gezet. De heraanbieding wordt vastgelegd met uw naam." }
        form method="post" action=(format!("/beheer/opnieuw/{bericht_id}")) {
            input type="hidden" name="csrf" value=(csrf);
            button type="submit" { "Ja, opnieuw aanbieden" }
        }
        p { a href="/beheer" { "Annuleren" } }
    };
    Ok(html_antwoord(pagina(&g, &app, "Opnieuw aanbieden", m)))
}

#[derive(Deserialize)]
pub struct Leeg {}

/// `POST /beheer/opnieuw/{berichtId}`: the API's re-delivery, then the
/// page that says it is done.
pub async fn opnieuw(
    State(app): State<App>,
    Path(bericht_id): Path<String>,
    Formulier(g, Leeg {}): Formulier<Leeg>,
) -> Result<Response, Schermfout> {
    api::opnieuw(State(app), Extension(g), Path(bericht_id.clone())).await?;
    Ok(Redirect::to(&format!("/beheer/opnieuw/{bericht_id}?gedaan=ja")).into_response())
}

/// The hub's phase as the operator reads it (the API keeps the English
/// names of `/healthz`).
fn fase_in_woorden(f: Fase) -> &'static str {
    match f {
        Fase::Starten => "wordt gestart",
        Fase::Standby => "stand-by: een andere hub bedient de postbussen",
        Fase::Bedienen => "bedient de postbussen",
        Fase::Herstarten => "start opnieuw na een storing",
        Fase::SchijfVol => "schijf vol: neemt geen berichten aan",
    }
}
