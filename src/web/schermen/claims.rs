//! Schadebehandeling: the work folders (manual §4.1–4.4) and the dossier
//! with Historie and Berichtenverkeer (§4.5, §17, §18), laid out from the
//! API's own answers.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};

use super::json_tekst as tekst;
use super::{Schermfout, afrekening, datum, html_antwoord, pagina, veldwaarde, voorgevormd};
use crate::web::claims::{self as api, OverzichtVraag};
use crate::web::toegang::Gezag;
use crate::web::{App, Vraag};

/// The work folders as the manual names them.
const MAPPEN: [(&str, &str); 3] = [
    ("ActieVerwacht", "Actie verwacht"),
    ("WachtOp", "Wacht op"),
    ("Archief", "Archief"),
];

/// The overview's columns: (sort key, heading, search field).
const KOLOMMEN: [(&str, &str, Option<&str>); 9] = [
    ("", "Type", None),
    ("claimer", "Claimer", Some("claimer")),
    ("status", "Status", Some("status")),
    ("schadedatum", "Schadedatum", Some("schadedatum")),
    ("schadenummer", "Schadenummer", Some("schadenummer")),
    ("kenteken", "Kenteken", Some("kenteken")),
    ("tegenpartij", "Tegenpartij", Some("tegenpartij")),
    (
        "verzekeraar",
        "Verzekeraar tegenpartij",
        Some("verzekeraar"),
    ),
    ("gewijzigd", "Gewijzigd", None),
];

fn veld<'a>(v: &'a OverzichtVraag, naam: &str) -> &'a str {
    match naam {
        "claimer" => v.claimer.as_deref(),
        "status" => v.status.as_deref(),
        "schadedatum" => v.schadedatum.as_deref(),
        "schadenummer" => v.schadenummer.as_deref(),
        "kenteken" => v.kenteken.as_deref(),
        "tegenpartij" => v.tegenpartij.as_deref(),
        "verzekeraar" => v.verzekeraar.as_deref(),
        _ => None,
    }
    .unwrap_or_default()
}

/// The query string of the overview with `wijzig` applied.
fn adres(v: &OverzichtVraag, wijzig: &[(&str, String)]) -> String {
    let mut delen: Vec<(String, String)> = Vec::new();
    let mut zet = |k: &str, w: Option<&str>| {
        if let Some(w) = wijzig
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, w)| w.as_str())
            .or(w)
            && !w.is_empty()
        {
            delen.push((k.to_string(), w.to_string()));
        }
    };
    zet("werkmap", v.werkmap.as_deref());
    zet("zoek", v.zoek.as_deref());
    zet("sorteer", v.sorteer.as_deref());
    let page = v.page.map(|p| p.to_string());
    zet("page", page.as_deref());
    let per_page = v.per_page.map(|p| p.to_string());
    zet("per_page", per_page.as_deref());
    for (_, _, f) in KOLOMMEN {
        if let Some(f) = f {
            zet(f, Some(veld(v, f)));
        }
    }
    let q: Vec<String> = delen
        .iter()
        .map(|(k, w)| format!("{k}={}", form_urlencoded(w)))
        .collect();
    format!("/werkmappen?{}", q.join("&"))
}

fn form_urlencoded(w: &str) -> String {
    let mut uit = String::new();
    for b in w.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                uit.push(b as char)
            }
            b' ' => uit.push('+'),
            _ => uit.push_str(&format!("%{b:02X}")),
        }
    }
    uit
}

/// `GET /werkmappen`: the overview.
pub async fn werkmappen(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<OverzichtVraag>,
) -> Result<Response, Schermfout> {
    let herhaal = OverzichtVraag {
        werkmap: v.werkmap.clone(),
        zoek: v.zoek.clone(),
        sorteer: v.sorteer.clone(),
        page: v.page,
        per_page: v.per_page,
        status: v.status.clone(),
        schadenummer: v.schadenummer.clone(),
        kenteken: v.kenteken.clone(),
        tegenpartij: v.tegenpartij.clone(),
        verzekeraar: v.verzekeraar.clone(),
        schadedatum: v.schadedatum.clone(),
        claimer: v.claimer.clone(),
        deelnemer: v.deelnemer.clone(),
    };
    let o = api::overzicht(State(app.clone()), Extension(g.clone()), Vraag(herhaal))
        .await?
        .0;
    let map = v.werkmap.clone().unwrap_or_else(|| "ActieVerwacht".into());
    let sorteer = v.sorteer.clone().unwrap_or_else(|| "-gewijzigd".into());
    let paginas = ((o.totaal.max(1) as u64).div_ceil(u64::from(o.per_page))).max(1) as u32;
    let m = html! {
        h1 { "Schadebehandeling" }
        nav.tabs aria-label="Werkmappen" {
            @for (code, naam) in MAPPEN {
                a href=(adres(&v, &[("werkmap", code.into()), ("page", String::new())]))
                    aria-current=[(code == map).then_some("page")] {
                    (naam) " " span.aantal { "(" (o.werkmappen.get(code).copied().unwrap_or(0)) ")" }
                }
            }
        }
        form.zoeken method="get" action="/werkmappen" role="search" {
            input type="hidden" name="werkmap" value=(map);
            input type="hidden" name="sorteer" value=(sorteer);
            label for="zoek" { "Zoeken in deze werkmap" }
            input id="zoek" name="zoek" type="search" value=(v.zoek.as_deref().unwrap_or_default()) placeholder="ClaimId, kenteken, schadenummer, status";
            details open[KOLOMMEN.iter().any(|(_, _, f)| f.is_some_and(|f| !veld(&v, f).is_empty()))] {
                summary { "Zoeken per kolom" }
                div.kolomvelden {
                    @for (_, kop, f) in KOLOMMEN {
                        @if let Some(f) = f {
                            div {
                                label for=(format!("z-{f}")) { (kop) }
                                @if f == "claimer" {
                                    select id="z-claimer" name="claimer" {
                                        option value="" selected[veld(&v, f).is_empty()] { "Alle" }
                                        option value="uitgaand" selected[veld(&v, f) == "uitgaand"] { "Uitgaand (verhaler)" }
                                        option value="inkomend" selected[veld(&v, f) == "inkomend"] { "Inkomend (aansprakelijke)" }
                                    }
                                } @else {
                                    input id=(format!("z-{f}")) name=(f) value=(veld(&v, f));
                                }
                            }
                        }
                    }
                }
            }
            label for="per_page" { "Per pagina" }
            select id="per_page" name="per_page" {
                @for n in [25u32, 50, 100, 200] {
                    option value=(n) selected[o.per_page == n] { (n) }
                }
            }
            button type="submit" { "Zoeken" }
        }
        p.totaal { (o.totaal) " claims" }
        div.tabel {
            table.overzicht {
                caption.verborgen { "Claims in de werkmap " (MAPPEN.iter().find(|(c, _)| *c == map).map_or(map.as_str(), |(_, n)| n)) }
                thead {
                    tr {
                        th scope="col" { span.verborgen { "Nieuw" } }
                        th scope="col" { "ClaimId" }
                        @for (sleutel, kop, _) in KOLOMMEN {
                            th scope="col" aria-sort=[sorteer_aria(&sorteer, sleutel)] {
                                @if sleutel.is_empty() { (kop) } @else {
                                    a href=(adres(&v, &[("sorteer", volgende_sortering(&sorteer, sleutel)), ("page", String::new())])) {
                                        (kop) (pijl(&sorteer, sleutel))
                                    }
                                }
                            }
                        }
                    }
                }
                tbody {
                    @for c in &o.claims {
                        tr {
                            td { @if c.nieuw { span.stip title="Gewijzigd sinds u de claim het laatst opende" { span.verborgen { "nieuw" } } } }
                            td { a href=(format!("/dossier/{}", c.claim_id)) { (c.claim_id) } }
                            td { "Materieel" }
                            td { @if c.claimer == "uitgaand" { "Uitgaand" } @else { "Inkomend" } }
                            td { (c.status) }
                            td { (datum(&c.schadedatum)) }
                            td { (c.schadenummer.as_deref().unwrap_or("")) }
                            td.kenteken { (c.kenteken) }
                            td.kenteken { (c.kenteken_tegenpartij) }
                            td { (c.verzekeraar_tegenpartij) }
                            td { (datum(&c.gewijzigd)) }
                        }
                    }
                    @if o.claims.is_empty() { tr { td colspan="11" { "Geen claims gevonden." } } }
                }
            }
        }
        nav.paginas aria-label="Pagina's" {
            @if o.page > 1 { a href=(adres(&v, &[("page", (o.page - 1).to_string())])) rel="prev" { "Vorige" } }
            span { "Pagina " (o.page) " van " (paginas) }
            @if o.page < paginas { a href=(adres(&v, &[("page", (o.page + 1).to_string())])) rel="next" { "Volgende" } }
        }
    };
    Ok(html_antwoord(pagina(&g, &app, "Schadebehandeling", m)))
}

fn volgende_sortering(nu: &str, kolom: &str) -> String {
    if nu == kolom {
        format!("-{kolom}")
    } else {
        kolom.to_string()
    }
}

fn sorteer_aria(nu: &str, kolom: &str) -> Option<&'static str> {
    if kolom.is_empty() {
        None
    } else if nu == kolom {
        Some("ascending")
    } else if nu.strip_prefix('-') == Some(kolom) {
        Some("descending")
    } else {
        None
    }
}

fn pijl(nu: &str, kolom: &str) -> &'static str {
    match sorteer_aria(nu, kolom) {
        Some("ascending") => " ▲",
        Some("descending") => " ▼",
        _ => "",
    }
}

/// A table of display rows (the first cell names the row).
fn tabel<const N: usize>(koppen: &[&str; N], rijen: &[[String; N]]) -> Markup {
    html! {
        div.tabel { table {
            thead { tr { @for k in koppen { th scope="col" { (k) } } } }
            tbody { @for r in rijen { tr { @for (i, c) in r.iter().enumerate() {
                @if i == 0 { th scope="row" { (c) } } @else { td { (c) } }
            } } } }
        } }
    }
}

/// An object as a list of its fields; amounts and dates formatted.
fn velden(v: &serde_json::Value) -> Markup {
    html! {
        @if let Some(o) = v.as_object() {
            dl.velden {
                @for (k, w) in o {
                    @if !w.is_object() && !w.is_array() && !w.is_null() {
                        dt { (k) }
                        dd { (veldwaarde(k, &tekst(w))) }
                    }
                }
            }
        }
    }
}

/// `GET /dossier/{claimId}`.
pub async fn dossier(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(id): Path<String>,
) -> Result<Response, Schermfout> {
    // One read, one access record for everything on the page.
    let (d, historie, berichten) = api::volledig(&app, &g, &id, "dossier").await?;
    let eigen = d.eigen_rol;
    let kleur = |code: &str| {
        if code == d.verhaler.code {
            "v"
        } else if code == d.aansprakelijke.code {
            "a"
        } else {
            "hub"
        }
    };
    let m = html! {
        p.terug { a href="/werkmappen" { "← Werkmappen" } " · " a href=(format!("/api/v1/claims/{}/pdf", d.claim_id)) { "Afdrukken (PDF)" } }
        h1 { "Dossier " (d.claim_id) }
        dl.kern {
            dt { "ClaimId" } dd { (d.claim_id) }
            dt { "OngevalId" } dd { (d.ongeval_id) }
            dt { "Schadedatum" } dd { (datum(&d.schadedatum)) }
            dt { "Type" } dd { "Materieel" }
            @if let Some(p) = &d.verhaalpercentage { dt { "Verhaalpercentage" } dd { (p) " %" } }
            @if let Some(o) = &d.ovs_code { dt { "OVS-code" } dd { (o) } }
            @if let Some(t) = &d.tegenclaim { dt { "Tegenclaim" } dd { a href=(format!("/dossier/{t}")) { (t) } } }
            @if let Some(t) = &d.tegenclaim_van { dt { "Tegenclaim van" } dd { a href=(format!("/dossier/{t}")) { (t) } } }
        }
        div.partijen {
            @for (rol, p) in [("V", &d.verhaler), ("A", &d.aansprakelijke)] {
                section class=(format!("partij {}", rol.to_lowercase())) {
                    h2 { @if rol == "V" { "Verhaler" } @else { "Aansprakelijke" } @if eigen == Some(rol) { " (uw organisatie)" } }
                    dl {
                        dt { "Verzekeraar" } dd { (p.naam) " (" (p.code) ")" }
                        dt { "Schadenummer" } dd { (p.schadenummer.as_deref().unwrap_or("–")) }
                        dt { "Kenteken" } dd.kenteken { (p.kenteken) }
                        dt { "Status" } dd { (p.status) }
                        dt { "Werkmap" } dd { (MAPPEN.iter().find(|(c, _)| *c == p.werkmap).map_or(p.werkmap.as_str(), |(_, n)| n)) }
                    }
                }
            }
        }
        section {
            h2 { "Voorval" }
            (velden(&d.voorval))
        }
        section {
            h2 { "Standpunten" }
            div.tabel { table {
                thead { tr { th scope="col" { "Nr" } th scope="col" { "Soort" } th scope="col" { "Partij" } th scope="col" { "Datum" } th scope="col" { "OVS" } th scope="col" { "Percentage" } th scope="col" { "Toelichting" } } }
                tbody {
                    @for s in d.standpunten.as_array().into_iter().flatten().filter_map(afrekening::standpunt) {
                        @let [nr, tijd, partij, soort, ovs, procent, toelichting] = s;
                        tr {
                            td { (nr) }
                            td { (soort) }
                            td { (app.naam(&partij)) }
                            td { (tijd) }
                            td { (ovs) }
                            td { (procent) }
                            td { (toelichting) }
                        }
                    }
                }
            } }
        }
        section {
            h2 { "Informatieverzoeken en -leveringen" }
            @if d.informatie.is_empty() { p { "Geen." } }
            ul { @for b in &d.informatie { li { (datum(&b.tijd)) " " (b.soort.as_deref().unwrap_or("")) " " @if let Some(bid) = &b.bericht_id { a href=(format!("/dossier/{}/berichten/{bid}", d.claim_id)) { "bericht en bijlagen" } } } } }
        }
        section {
            h2 { "Schadespecificatie" }
            @let specificatie = afrekening::specificatie(&d.specificatie);
            @if specificatie.is_empty() { p { "Nog niet gespecificeerd." } } @else {
                (tabel(&afrekening::SPECIFICATIEKOPPEN, &specificatie))
            }
            @if d.specificaties.len() > 1 {
                details { summary { "Eerdere versies" }
                    ul { @for b in &d.specificaties { li { (datum(&b.tijd)) " " @if let Some(bid) = &b.bericht_id { a href=(format!("/dossier/{}/berichten/{bid}", d.claim_id)) { (bid) } } } } }
                }
            }
        }
        section {
            h2 { "Eindafrekeningen" }
            @if d.afrekeningen.is_empty() { p { "Nog geen eindafrekening." } }
            @for a in d.afrekeningen.iter().filter_map(afrekening::afrekening) {
                article.afrekening {
                    h3 { "Eindafrekening " (a.gegevens[0].1) }
                    dl.velden { @for (k, w) in &a.gegevens { dt { (k) } dd { (w) } } }
                    (tabel(&afrekening::COMPONENTKOPPEN, &a.componenten))
                    @if !a.perioden.is_empty() {
                        h4 { "Wettelijke rente per periode" }
                        (tabel(&afrekening::PERIODEKOPPEN, &a.perioden))
                    }
                    dl.velden.bedragen { @for (k, w) in &a.bedragen { dt { (k) } dd { (w) } } }
                }
            }
        }
        section {
            h2 { "Lopende termijnen" }
            @if d.timers.is_empty() { p { "Geen." } }
            ul { @for t in &d.timers { li { (t.soort) ": " (datum(&t.tijd)) } } }
        }
        section id="historie" {
            h2 { "Historie" }
            div.tabel { table {
                thead { tr { th scope="col" { "Tijd" } th scope="col" { "Partij" } th scope="col" { "Behandelaar" } th scope="col" { "Actie" } th scope="col" { "Uitslag" } } }
                tbody {
                    @for r in &historie {
                        tr class=(kleur(&r.partij)) {
                            td { (datum(&r.tijd)) }
                            td { (r.partij_naam) }
                            td { (r.behandelaar) }
                            td { @if let Some(b) = &r.bericht_id { a href=(format!("/dossier/{}/berichten/{b}", d.claim_id)) { (r.actie.as_deref().unwrap_or("")) } } @else { (r.actie.as_deref().unwrap_or("")) } }
                            td { (r.uitslag.as_deref().unwrap_or("")) }
                        }
                    }
                }
            } }
        }
        section id="berichtenverkeer" {
            h2 { "Berichtenverkeer" }
            div.tabel { table {
                thead { tr { th scope="col" { "Tijd" } th scope="col" { "Richting" } th scope="col" { "Partij" } th scope="col" { "Bericht" } th scope="col" { "BerichtId" } th scope="col" { "Afgeleverd" } } }
                tbody {
                    @for b in &berichten {
                        tr class=(kleur(&b.deelnemer)) {
                            td { (datum(&b.tijd)) }
                            td { @if b.richting == "in" { "Ontvangen van" } @else { "Verzonden aan" } }
                            td { (app.naam(&b.deelnemer)) }
                            td { (b.soort.as_deref().unwrap_or("")) }
                            td { @if let Some(bid) = &b.bericht_id { a href=(format!("/dossier/{}/berichten/{bid}", d.claim_id)) { (bid) } } }
                            td { @match b.afgeleverd { Some(true) => span.vink title="Afgeleverd" { "✓" span.verborgen { " afgeleverd" } }, Some(false) => "nog niet", None => "" } }
                        }
                    }
                }
            } }
        }
    };
    Ok(html_antwoord(pagina(
        &g,
        &app,
        &format!("Dossier {}", d.claim_id),
        m,
    )))
}

/// `GET /dossier/{claimId}/berichten/{berichtId}`: the XML on request.
pub async fn bericht(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path((id, bericht_id)): Path<(String, String)>,
) -> Result<Response, Schermfout> {
    let r = api::bericht(
        State(app.clone()),
        Extension(g.clone()),
        Path((id.clone(), bericht_id.clone())),
    )
    .await?;
    let bytes = axum::body::to_bytes(r.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(crate::web::probleem::Probleem::intern)?;
    let bijlagen = api::bijlagen_uit(&bytes);
    let xml = String::from_utf8_lossy(&bytes);
    let m = html! {
        p.terug { a href=(format!("/dossier/{id}#berichtenverkeer")) { "← Dossier " (id) } }
        h1 { "Bericht " (bericht_id) }
        @if !bijlagen.is_empty() {
            h2 { "Bijlagen" }
            ul.bijlagen { @for (n, b) in bijlagen.iter().enumerate() {
                li { a href=(format!("/dossier/{id}/berichten/{bericht_id}/bijlagen/{}", n + 1)) download { (b.bestandsnaam.as_str()) } " (" (b.mime_type.as_str()) ", " (grootte(&b.inhoud.0)) ")" }
            } }
        }
        (voorgevormd(&xml))
    };
    Ok(html_antwoord(pagina(
        &g,
        &app,
        &format!("Bericht {bericht_id}"),
        m,
    )))
}

/// The size of base64 content once decoded, in words ("12 kB").
fn grootte(base64: &str) -> String {
    let tekens = base64.bytes().filter(|b| !b.is_ascii_whitespace()).count();
    let opvulling = base64
        .bytes()
        .rev()
        .take_while(|b| *b == b'=' || b.is_ascii_whitespace())
        .filter(|b| *b == b'=')
        .count();
    let bytes = (tekens / 4 * 3).saturating_sub(opvulling);
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

/// `GET /dossier/{claimId}/berichten/{berichtId}/bijlagen/{nummer}`: the
/// API's attachment, as a download.
pub async fn bijlage(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(pad): Path<(String, String, String)>,
) -> Result<Response, Schermfout> {
    Ok(api::bijlage(State(app), Extension(g), Path(pad)).await?)
}
