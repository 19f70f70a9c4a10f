//! The screens of web.md ("Screens"), rendered on the server with maud over
//! the same handlers as the API (a screen calls the API's handler and lays
//! out its answer), in Dutch with the manual's words. Nothing is fetched
//! from another host: the one style sheet is served by the hub
//! (`/stijl.css`), and the pages need no script.
//!
//! Screens are routes in `web::routes()` like the API's, behind the same
//! check (`toegang::bewaak`): without a session a screen sends the browser
//! to `/inloggen`, and a refusal or a missing claim is a page in words
//! (the same "Niet gevonden" for another's claim as for a missing one).
//! A form that changes something carries the session's CSRF token in a
//! hidden field, checked by [`Formulier`].

pub mod afrekening;
pub mod beheer;
pub mod claims;
pub mod grafiek;
pub mod informatie;
pub mod mi;

use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use std::net::SocketAddr;

use super::probleem::Probleem;
use super::toegang::{self, Gezag, Rol};
use super::{App, geheim};

/// The style sheet, compiled in.
pub const STIJL: &str = include_str!("stijl.css");

pub async fn stijl() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STIJL,
    )
        .into_response()
}

/// A screen's error: the problem of the API, shown as a page.
pub struct Schermfout(pub Probleem);

impl From<Probleem> for Schermfout {
    fn from(p: Probleem) -> Self {
        Schermfout(p)
    }
}

impl IntoResponse for Schermfout {
    fn into_response(self) -> Response {
        foutpagina(&self.0)
    }
}

/// The page for a refusal, in the manual's words.
pub fn foutpagina(p: &Probleem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let uitleg = match p.status {
        404 => {
            "Deze claim, dit bericht of deze pagina bestaat niet, of hoort niet bij uw organisatie."
        }
        403 => "Uw gebruikersrol geeft geen toegang tot dit onderdeel.",
        401 => "U bent niet (meer) ingelogd.",
        400 => "De gegevens in het verzoek zijn niet juist.",
        _ => {
            "Er ging iets mis. Probeer het later opnieuw; blijft het misgaan, meld het dan aan de beheerder."
        }
    };
    let body = kaal(
        &p.title,
        html! {
            main.smal {
                h1 { (p.title) }
                p { (uitleg) }
                @if p.status == 400 { @if let Some(d) = &p.detail { p.detail { (d) } } }
                p { a href="/" { "Naar de startpagina" } }
            }
        },
    );
    let mut r = (status, body.into_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// Every page's `<head>`: the title and the hub's own style sheet.
fn hoofd(titel: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (titel) " – Clearinghuis Regres" }
            link rel="stylesheet" href="/stijl.css";
        }
    }
}

/// A page without the menu (login, errors).
fn kaal(titel: &str, inhoud: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            (hoofd(titel))
            body {
                header.kop { span.merk { "Clearinghuis Regres" } }
                (inhoud)
            }
        }
    }
}

/// A page with the top bar: the participant, the user, log out.
pub fn pagina(g: &Gezag, app: &App, titel: &str, inhoud: Markup) -> Markup {
    let organisatie = g
        .deelnemer
        .as_ref()
        .map(|d| format!("{} ({d})", app.naam(d.as_str())))
        .unwrap_or_else(|| "Clearinghuis (beheer)".into());
    html! {
        (DOCTYPE)
        html lang="nl" {
            (hoofd(titel))
            body {
                a.overslaan href="#inhoud" { "Naar de inhoud" }
                header.kop {
                    a.merk href="/" { "Clearinghuis Regres" }
                    nav aria-label="Menu" {
                        @if g.mag(&[Rol::Schadebehandeling]) { a href="/werkmappen" { "Schadebehandeling" } }
                        @if g.mag(&[Rol::Informatie]) { a href="/informatie" { "CR Informatie" } }
                        @if g.mag(&[Rol::Management]) { a href="/managementinformatie" { "Managementinformatie" } }
                        @if g.is_operator() { a href="/beheer" { "Beheer" } }
                    }
                    div.wie {
                        span.organisatie { (organisatie) }
                        span.gebruiker { (g.naam) }
                        @if g.sessie.is_some() { a.wachtwoord href="/wachtwoord" { "Wachtwoord wijzigen" } }
                        @if let Some(csrf) = &g.csrf {
                            form method="post" action="/uitloggen" {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" { "Uitloggen" }
                            }
                        }
                    }
                }
                main id="inhoud" { (inhoud) }
            }
        }
    }
}

/// An HTML response.
pub fn html_antwoord(m: Markup) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        m.into_string(),
    )
        .into_response()
}

// ---- formats on screen (the API keeps ISO dates and dot decimals) ----

/// `2026-03-02` → `02-03-2026`; an RFC 3339 time → `02-03-2026 14:05`.
pub fn datum(tekst: &str) -> String {
    let d = tekst.get(..10).unwrap_or(tekst);
    let delen: Vec<&str> = d.split('-').collect();
    let dag = match delen.as_slice() {
        [j, m, d] if j.len() == 4 => format!("{d}-{m}-{j}"),
        _ => return tekst.to_string(),
    };
    match tekst.get(11..16) {
        Some(tijd) if tekst.len() > 10 => format!("{dag} {tijd}"),
        _ => dag,
    }
}

/// `3715.2` → `€ 3.715,20`.
pub fn bedrag(tekst: &str) -> String {
    let Ok(d) = tekst.trim().parse::<rust_decimal::Decimal>() else {
        return tekst.to_string();
    };
    let d = d.round_dp(2);
    let negatief = d.is_sign_negative() && !d.is_zero();
    let s = format!("{:.2}", d.abs());
    let (heel, cent) = s.split_once('.').unwrap_or((&s, "00"));
    let mut groepen = String::new();
    for (i, c) in heel.chars().enumerate() {
        if i > 0 && (heel.len() - i) % 3 == 0 {
            groepen.push('.');
        }
        groepen.push(c);
    }
    format!("{}€ {groepen},{cent}", if negatief { "-" } else { "" })
}

/// A JSON value's text (strings without quotes, nothing for null).
pub fn json_tekst(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A message field's value as on screen and in print: dates and amounts
/// known by their field's name (the dossier's sections and the PDF).
pub fn veldwaarde(sleutel: &str, tekst: &str) -> String {
    let l = sleutel.to_lowercase();
    if l.contains("datum") || matches!(l.as_str(), "betaald" | "van" | "tot") {
        datum(tekst)
    } else if l.contains("bedrag")
        || l.contains("totaal")
        || l.contains("rente") && !l.contains("percentage")
        || matches!(
            l.as_str(),
            "bgk" | "geclaimd" | "tebetalen" | "hoofdsom" | "grondslag"
        )
    {
        // bedrag() leaves what is no number as it is.
        bedrag(tekst)
    } else {
        tekst.to_string()
    }
}

// ---- login, start page, log out ----

#[derive(Debug, Deserialize)]
pub struct InlogVraag {
    #[serde(default)]
    pub terug: Option<String>,
}

fn inlogscherm(melding: Option<&str>, email: &str, terug: &str, code_nodig: bool) -> Markup {
    kaal(
        "Inloggen",
        html! {
            main.smal id="inhoud" {
                h1 { "Inloggen" }
                @if let Some(m) = melding { p.melding role="alert" { (m) } }
                form method="post" action="/inloggen" {
                    input type="hidden" name="terug" value=(terug);
                    label for="email" { "E-mailadres" }
                    input id="email" name="email" type="email" autocomplete="username" required value=(email) autofocus[!code_nodig];
                    label for="wachtwoord" { "Wachtwoord" }
                    input id="wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required;
                    @if code_nodig {
                        label for="code" { "Code uit uw authenticator-app" }
                        input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus;
                    }
                    button type="submit" { "Inloggen" }
                }
            }
        },
    )
}

pub async fn inloggen_scherm(
    axum::extract::Query(v): axum::extract::Query<InlogVraag>,
) -> Response {
    html_antwoord(inlogscherm(
        None,
        "",
        &veilig_terug(v.terug.as_deref()),
        false,
    ))
}

#[derive(Debug, Deserialize)]
pub struct InlogFormulier {
    pub email: String,
    pub wachtwoord: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub terug: Option<String>,
}

/// Only a path of this site: a login never sends a user to another host.
fn veilig_terug(terug: Option<&str>) -> String {
    match terug {
        Some(t) if t.starts_with('/') && !t.starts_with("//") && !t.contains('\\') => t.to_string(),
        _ => "/".to_string(),
    }
}

/// `POST /inloggen`: the login of the API, answered as a page.
pub async fn inloggen(
    State(app): State<App>,
    verbinding: ConnectInfo<SocketAddr>,
    axum::Form(f): axum::Form<InlogFormulier>,
) -> Response {
    let terug = veilig_terug(f.terug.as_deref());
    let invoer = toegang::Inloggen {
        email: f.email.clone(),
        wachtwoord: f.wachtwoord,
        code: f.code.filter(|c| !c.trim().is_empty()),
    };
    let code_gegeven = invoer.code.is_some();
    match toegang::log_in(&app, verbinding.0.ip(), invoer).await {
        Ok((cookie, _)) => {
            let mut r = Redirect::to(&terug).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(p) => {
            let (melding, code_nodig) = match p.soort_kort() {
                "code-nodig" => ("Voer de code in uit uw authenticator-app.", true),
                "te-veel-pogingen" => (
                    "Te veel mislukte pogingen vanaf dit adres. Wacht een minuut.",
                    false,
                ),
                "tweede-factor-verplicht" => (
                    "Inloggen kan alleen met een tweede factor. Vraag die aan bij de beheerder.",
                    false,
                ),
                _ => (
                    "De combinatie van e-mailadres, wachtwoord en code is niet juist, of uw account is na vijf mislukte pogingen 15 minuten geblokkeerd.",
                    code_gegeven,
                ),
            };
            let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::UNAUTHORIZED);
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                inlogscherm(Some(melding), &f.email, &terug, code_nodig).into_string(),
            )
                .into_response()
        }
    }
}

/// A form that changes something: its fields and the session's CSRF token
/// in the hidden field `csrf`, checked before the handler runs.
pub struct Formulier<T>(pub Gezag, pub T);

#[derive(Deserialize)]
struct MetCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    velden: T,
}

impl<T: serde::de::DeserializeOwned + Send + 'static> FromRequest<App> for Formulier<T> {
    type Rejection = Schermfout;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let g = req
            .extensions()
            .get::<Gezag>()
            .cloned()
            .ok_or_else(Probleem::niet_ingelogd)?;
        let axum::Form(f) = axum::Form::<MetCsrf<T>>::from_request(req, app)
            .await
            .map_err(|e| Probleem::ongeldig(e.body_text()))?;
        match &g.csrf {
            // A bearer token is no browser: it needs no CSRF token.
            None => Ok(Formulier(g, f.velden)),
            Some(c) if geheim::gelijk(&f.csrf, c) => Ok(Formulier(g, f.velden)),
            Some(_) => Err(Schermfout(Probleem::nieuw(
                StatusCode::FORBIDDEN,
                "csrf",
                "Het formulier is verlopen",
            ))),
        }
    }
}

#[derive(Deserialize)]
pub struct Leeg {}

#[derive(Debug, Deserialize)]
pub struct WachtwoordFormulier {
    #[serde(default)]
    pub huidig: String,
    #[serde(default)]
    pub nieuw: String,
    #[serde(default)]
    pub herhaling: String,
    #[serde(default)]
    pub terug: Option<String>,
}

fn wachtwoordscherm(g: &Gezag, app: &App, melding: Option<&str>, terug: &str) -> Markup {
    let inhoud = html! {
        div.smal {
            h1 { "Wachtwoord wijzigen" }
            @if g.wachtwoord_wijzigen {
                p { "U bent ingelogd met een eenmalig wachtwoord. Kies een eigen wachtwoord voordat u verder gaat." }
            }
            @if let Some(m) = melding { p.melding role="alert" { (m) } }
            form method="post" action="/wachtwoord" {
                input type="hidden" name="csrf" value=(g.csrf.as_deref().unwrap_or_default());
                input type="hidden" name="terug" value=(terug);
                label for="huidig" { "Huidig wachtwoord" }
                input id="huidig" name="huidig" type="password" autocomplete="current-password" required autofocus;
                label for="nieuw" { "Nieuw wachtwoord (minstens " (toegang::MIN_WACHTWOORD) " tekens)" }
                input id="nieuw" name="nieuw" type="password" autocomplete="new-password" minlength=(toegang::MIN_WACHTWOORD) required;
                label for="herhaling" { "Nieuw wachtwoord nogmaals" }
                input id="herhaling" name="herhaling" type="password" autocomplete="new-password" required;
                button type="submit" { "Wachtwoord opslaan" }
            }
        }
    };
    pagina(g, app, "Wachtwoord wijzigen", inhoud)
}

/// `GET /wachtwoord`: the form; after a one-time password every screen
/// sends the browser here first.
pub async fn wachtwoord(
    State(app): State<App>,
    axum::Extension(g): axum::Extension<Gezag>,
    axum::extract::Query(v): axum::extract::Query<InlogVraag>,
) -> Response {
    html_antwoord(wachtwoordscherm(
        &g,
        &app,
        None,
        &veilig_terug(v.terug.as_deref()),
    ))
}

/// `POST /wachtwoord`: the change, then on to where the user was going.
pub async fn wachtwoord_wijzigen(
    State(app): State<App>,
    Formulier(g, f): Formulier<WachtwoordFormulier>,
) -> Response {
    let terug = veilig_terug(f.terug.as_deref());
    let fout = |status: StatusCode, melding: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            wachtwoordscherm(&g, &app, Some(melding), &terug).into_string(),
        )
            .into_response()
    };
    if f.nieuw != f.herhaling {
        return fout(
            StatusCode::BAD_REQUEST,
            "De twee nieuwe wachtwoorden zijn niet gelijk.",
        );
    }
    let w = toegang::Wachtwoordwijziging {
        huidig: f.huidig,
        nieuw: f.nieuw,
    };
    match toegang::wijzig_wachtwoord(&app, &g, &w).await {
        Ok(Ok(())) => Redirect::to(&terug).into_response(),
        Ok(Err(weigering)) => fout(StatusCode::BAD_REQUEST, &weigering.zin()),
        Err(p) => Schermfout(p).into_response(),
    }
}

/// `POST /uitloggen`.
pub async fn uitloggen(
    State(app): State<App>,
    kop: axum::http::HeaderMap,
    Formulier(_, Leeg {}): Formulier<Leeg>,
) -> Response {
    toegang::beeindig_sessie(&app, &kop).await;
    let mut r = Redirect::to("/inloggen").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("ch_sessie=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
    );
    r
}

/// `GET /`: the start page, a tile per role (manual §4).
pub async fn start(State(app): State<App>, axum::Extension(g): axum::Extension<Gezag>) -> Response {
    let tegels: [(Rol, &str, &str, &str); 5] = [
        (
            Rol::Schadebehandeling,
            "/werkmappen",
            "Schadebehandeling",
            "Uw claims in de werkmappen Actie verwacht, Wacht op en Archief.",
        ),
        (
            Rol::Informatie,
            "/informatie",
            "CR Informatie",
            "Een regres opzoeken op kenteken of OngevalId.",
        ),
        (
            Rol::Management,
            "/managementinformatie",
            "Managementinformatie",
            "Aantallen, doorlooptijden en rappels per periode.",
        ),
        (
            Rol::Audit,
            "/werkmappen",
            "Audit",
            "Historie en inzage van de dossiers van uw organisatie.",
        ),
        (
            Rol::Operator,
            "/beheer",
            "Beheer",
            "Gezondheid, berichtenlog, geparkeerde berichten en heraanbieden.",
        ),
    ];
    let m = html! {
        h1 { "Welkom, " (g.naam) }
        ul.tegels {
            @for (rol, href, naam, uitleg) in tegels {
                @if g.rollen.contains(&rol) || (g.is_operator() && rol == Rol::Operator) {
                    li { a.tegel href=(href) { strong { (naam) } span { (uitleg) } } }
                }
            }
        }
    };
    html_antwoord(pagina(&g, &app, "Start", m))
}

/// Escaped text as a `<pre>` block (a message's XML).
pub fn voorgevormd(tekst: &str) -> Markup {
    html! { pre.xml { (tekst) } }
}

/// Not escaped: only for markup this module made itself.
pub fn rauw(s: String) -> PreEscaped<String> {
    PreEscaped(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datums_en_bedragen_zoals_op_het_scherm() {
        assert_eq!(datum("2026-03-02"), "02-03-2026");
        assert_eq!(datum("2026-03-02T14:05:09.123+01:00"), "02-03-2026 14:05");
        assert_eq!(bedrag("3715.2"), "€ 3.715,20");
        assert_eq!(bedrag("1234567.891"), "€ 1.234.567,89");
        assert_eq!(bedrag("0.5"), "€ 0,50");
        assert_eq!(bedrag("-12"), "-€ 12,00");
        assert_eq!(bedrag("geen"), "geen");
    }

    #[test]
    fn velden_naar_hun_naam() {
        assert_eq!(veldwaarde("Vervaldatum", "2026-12-15"), "15-12-2026");
        assert_eq!(veldwaarde("Tot", "2026-01-01"), "01-01-2026");
        assert_eq!(veldwaarde("Totaal", "5722.84"), "€ 5.722,84");
        assert_eq!(veldwaarde("Hoofdsom", "4862.70"), "€ 4.862,70");
        assert_eq!(veldwaarde("Rente", "69.54"), "€ 69,54");
        assert_eq!(veldwaarde("Rentepercentage", "6"), "6");
        assert_eq!(
            veldwaarde("Betaalkenmerk", "CL-00000001-1"),
            "CL-00000001-1"
        );
    }

    #[test]
    fn een_login_stuurt_nooit_naar_een_andere_host() {
        assert_eq!(
            veilig_terug(Some("/werkmappen?werkmap=Archief")),
            "/werkmappen?werkmap=Archief"
        );
        for slecht in [
            "//elders.example/",
            "https://elders.example/",
            "/\\elders",
            "",
        ] {
            assert_eq!(veilig_terug(Some(slecht)), "/", "{slecht}");
        }
    }
}
