//! Who asks, and what they may (web.md "Users, roles, sessions"): a session
//! cookie or a bearer token becomes a [`Gezag`]; every route declares the
//! roles it needs ([`Toegang`]) and [`bewaak`] checks them, and the CSRF
//! token of a session, before the handler runs.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::db::beide;
use super::probleem::Probleem;
use super::{App, Lichaam, geheim, nu_unix};
use crate::bericht::Deelnemercode;

/// The roles of web.md.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Rol {
    Schadebehandeling,
    Informatie,
    Management,
    Audit,
    Operator,
}

impl Rol {
    pub const ALLE: [Rol; 5] = [
        Rol::Schadebehandeling,
        Rol::Informatie,
        Rol::Management,
        Rol::Audit,
        Rol::Operator,
    ];

    pub fn naam(self) -> &'static str {
        match self {
            Rol::Schadebehandeling => "schadebehandeling",
            Rol::Informatie => "informatie",
            Rol::Management => "management",
            Rol::Audit => "audit",
            Rol::Operator => "operator",
        }
    }

    pub fn lees(tekst: &str) -> Option<Rol> {
        Rol::ALLE.into_iter().find(|r| r.naam() == tekst.trim())
    }
}

/// Roles as stored: comma-separated names.
pub fn lees_rollen(tekst: &str) -> Result<Vec<Rol>, String> {
    let mut rollen = Vec::new();
    for deel in tekst.split(',').filter(|d| !d.trim().is_empty()) {
        let r = Rol::lees(deel).ok_or_else(|| {
            format!(
                "unknown role {deel:?}: the roles are schadebehandeling, informatie, management, audit, operator"
            )
        })?;
        if !rollen.contains(&r) {
            rollen.push(r);
        }
    }
    rollen.sort();
    Ok(rollen)
}

pub fn schrijf_rollen(rollen: &[Rol]) -> String {
    rollen
        .iter()
        .map(|r| r.naam())
        .collect::<Vec<_>>()
        .join(",")
}

/// What a route needs.
#[derive(Debug, Clone, Copy)]
pub enum Toegang {
    /// Anybody (health, metrics, the OpenAPI document, login).
    Publiek,
    /// Logged in, with one of these roles (the operator may everything).
    Rollen(&'static [Rol]),
}

/// The one asking, as established for this request.
#[derive(Debug, Clone)]
pub struct Gezag {
    /// For access records: `gebruiker:<e-mail>` or `token:<id>`.
    pub wie: String,
    pub naam: String,
    /// The participant; `None` for the hub's operator.
    pub deelnemer: Option<Deelnemercode>,
    pub rollen: Vec<Rol>,
    /// A session's CSRF token (a bearer token needs none: no browser sends it by itself).
    pub csrf: Option<String>,
    /// A session's user id and the hash of its cookie (a token has neither).
    pub sessie: Option<(i64, String)>,
    /// Logged in with a one-time password: only the change form is open.
    pub wachtwoord_wijzigen: bool,
}

impl Gezag {
    pub fn is_operator(&self) -> bool {
        self.rollen.contains(&Rol::Operator)
    }

    pub fn mag(&self, rollen: &[Rol]) -> bool {
        self.is_operator() || rollen.iter().any(|r| self.rollen.contains(r))
    }
}

pub const COOKIE: &str = "ch_sessie";
/// A session ends after this long without use (web.md).
pub const SESSIE_IDLE: i64 = 30 * 60;
/// Five failed logins lock the account this long.
pub const VERGRENDELING: i64 = 15 * 60;
pub const MAX_MISLUKT: i64 = 5;
/// Failed logins one address may make per minute before it is told to wait.
pub const MAX_PER_ADRES: u32 = 20;

/// Failed logins per address in the current minute.
#[derive(Default)]
pub struct Pogingen(Mutex<BTreeMap<IpAddr, (u32, Instant)>>);

impl Pogingen {
    fn te_veel(&self, ip: IpAddr) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let nu = Instant::now();
        m.retain(|_, (_, t)| nu.duration_since(*t) < Duration::from_secs(60));
        m.get(&ip).is_some_and(|(n, _)| *n >= MAX_PER_ADRES)
    }

    fn mislukt(&self, ip: IpAddr) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(ip).or_insert((0, Instant::now())).0 += 1;
    }
}

fn cookie_waarde(kop: &HeaderMap) -> Option<String> {
    kop.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|deel| {
            let (k, v) = deel.trim().split_once('=')?;
            (k == COOKIE).then(|| v.to_string())
        })
}

/// The [`Gezag`] of a request: `Ok(None)` when it carries no credentials.
pub async fn gezag_van(app: &App, kop: &HeaderMap) -> Result<Option<Gezag>, Probleem> {
    let nu = nu_unix();
    if let Some(a) = kop.get(header::AUTHORIZATION) {
        let token = a
            .to_str()
            .ok()
            .and_then(|t| t.strip_prefix("Bearer "))
            .ok_or_else(|| {
                Probleem::niet_ingelogd().met_detail("Authorization must be `Bearer <token>`")
            })?;
        let rij: Option<(i64, Option<String>, String, Option<i64>)> = beide!(&app.db, p =>
            sqlx::query_as("SELECT id, deelnemer, rollen, verloopt FROM tokens WHERE hash = $1 AND ingetrokken IS NULL")
                .bind(geheim::hash(token.trim()))
                .fetch_optional(p)
                .await?
        );
        let Some((id, deelnemer, rollen, verloopt)) = rij else {
            return Err(Probleem::niet_ingelogd().met_detail("the token is unknown or revoked"));
        };
        if verloopt.is_some_and(|v| v <= nu) {
            return Err(Probleem::niet_ingelogd().met_detail("the token has expired"));
        }
        return Ok(Some(Gezag {
            wie: format!("token:{id}"),
            naam: format!("token {id}"),
            deelnemer: deelnemer.and_then(|d| Deelnemercode::new(&d).ok()),
            rollen: lees_rollen(&rollen).map_err(Probleem::intern)?,
            csrf: None,
            sessie: None,
            wachtwoord_wijzigen: false,
        }));
    }
    let Some(waarde) = cookie_waarde(kop) else {
        return Ok(None);
    };
    let hash = geheim::hash(&waarde);
    type Rij = (
        String,
        i64,
        String,
        String,
        Option<String>,
        String,
        i64,
        i64,
        i64,
    );
    let rij: Option<Rij> = beide!(&app.db, p =>
        sqlx::query_as(
            "SELECT s.csrf, s.laatst, g.email, g.naam, g.deelnemer, g.rollen, g.geblokkeerd, g.id, g.eenmalig
             FROM sessies s JOIN gebruikers g ON g.id = s.gebruiker WHERE s.hash = $1",
        )
        .bind(&hash)
        .fetch_optional(p)
        .await?
    );
    let Some((csrf, laatst, email, naam, deelnemer, rollen, geblokkeerd, id, eenmalig)) = rij
    else {
        return Err(Probleem::niet_ingelogd().met_detail("the session is unknown or has ended"));
    };
    if laatst + SESSIE_IDLE <= nu || geblokkeerd != 0 {
        beide!(&app.db, p => sqlx::query("DELETE FROM sessies WHERE hash = $1").bind(&hash).execute(p).await.map(|_| ())?);
        return Err(Probleem::niet_ingelogd().met_detail("the session has expired: log in again"));
    }
    // The idle clock is written at most once a minute, not on every request.
    if nu - laatst >= 60 {
        beide!(&app.db, p => sqlx::query("UPDATE sessies SET laatst = $1 WHERE hash = $2").bind(nu).bind(&hash).execute(p).await.map(|_| ())?);
    }
    Ok(Some(Gezag {
        wie: format!("gebruiker:{email}"),
        naam,
        deelnemer: deelnemer.and_then(|d| Deelnemercode::new(&d).ok()),
        rollen: lees_rollen(&rollen).map_err(Probleem::intern)?,
        csrf: Some(csrf),
        sessie: Some((id, hash)),
        wachtwoord_wijzigen: eenmalig != 0,
    }))
}

/// What a session with a one-time password may reach: the change form and
/// logging out (the session's own routes are public and check themselves).
const VRIJ_BIJ_EENMALIG: [&str; 3] = ["/wachtwoord", "/api/v1/sessie/wachtwoord", "/uitloggen"];

fn wachtwoord_eerst() -> Probleem {
    Probleem::nieuw(
        StatusCode::FORBIDDEN,
        "wachtwoord-wijzigen",
        "Wijzig eerst uw wachtwoord",
    )
    .met_detail(
        "logged in with a one-time password: change it first (POST /api/v1/sessie/wachtwoord)",
    )
}

/// `tekst` for a query string's value.
fn urlencode(tekst: &str) -> String {
    let mut uit = String::new();
    for b in tekst.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            uit.push(b as char);
        } else {
            uit.push_str(&format!("%{b:02X}"));
        }
    }
    uit
}

/// Sends a browser to the screen `pad`, and back to where it was going after.
fn stuur_naar(pad: &str, req: &Request) -> Response {
    let terug = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    axum::response::Redirect::to(&format!("{pad}?terug={}", urlencode(terug))).into_response()
}

/// The check in front of every route: credentials, role, CSRF.
pub async fn bewaak(
    State((app, toegang)): State<(App, Toegang)>,
    mut req: Request,
    next: Next,
) -> Response {
    let Toegang::Rollen(rollen) = toegang else {
        return next.run(req).await;
    };
    // A screen answers a browser: to the login page when nobody is logged
    // in, a page in words for a refusal. Its forms check their own CSRF
    // field (`schermen::Formulier`).
    let scherm = super::is_scherm(req.uri().path());
    let weiger = |p: Probleem, req: &Request| -> Response {
        if !scherm {
            return p.into_response();
        }
        if p.status == 401 {
            return stuur_naar("/inloggen", req);
        }
        super::schermen::foutpagina(&p)
    };
    let gezag = match gezag_van(&app, req.headers()).await {
        Ok(Some(g)) => g,
        Ok(None) => return weiger(Probleem::niet_ingelogd(), &req),
        Err(p) => return weiger(p, &req),
    };
    if gezag.wachtwoord_wijzigen && !VRIJ_BIJ_EENMALIG.contains(&req.uri().path()) {
        if scherm {
            return stuur_naar("/wachtwoord", &req);
        }
        return wachtwoord_eerst().into_response();
    }
    if !gezag.mag(rollen) {
        return weiger(Probleem::geen_recht(), &req);
    }
    if !scherm
        && !matches!(*req.method(), Method::GET | Method::HEAD)
        && let Some(csrf) = &gezag.csrf
    {
        let gegeven = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !geheim::gelijk(gegeven, csrf) {
            return Probleem::nieuw(StatusCode::FORBIDDEN, "csrf", "Het formulier is verlopen")
                .met_detail(
                    "a request that changes something needs the session's token in X-CSRF-Token",
                )
                .into_response();
        }
    }
    req.extensions_mut().insert(gezag);
    next.run(req).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Inloggen {
    pub email: String,
    pub wachtwoord: String,
    /// The TOTP code, when the user has a second factor.
    #[serde(default)]
    pub code: Option<String>,
}

/// Who is logged in, and the token every changing request must carry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Sessie {
    pub naam: String,
    pub deelnemer: Option<String>,
    pub rollen: Vec<Rol>,
    pub csrf: Option<String>,
    /// Logged in with a one-time password: change it first
    /// (`POST /api/v1/sessie/wachtwoord`); until then every other route answers 403.
    pub wachtwoord_wijzigen: bool,
}

/// Checks a password against its argon2id hash on a blocking thread:
/// the check costs tens of milliseconds of CPU on purpose, and the runtime's
/// two workers also drive the dispatcher.
async fn controleer(wachtwoord: &str, hash: Option<String>) -> bool {
    let Some(hash) = hash else {
        return false;
    };
    let wachtwoord = wachtwoord.to_string();
    tokio::task::spawn_blocking(move || geheim::controleer_wachtwoord(&wachtwoord, &hash))
        .await
        .unwrap_or(false)
}

/// One more failed attempt of user `id` (a login or the current password
/// of a change): the fifth in a row locks the account for 15 minutes and
/// starts the count again. One statement, so racing attempts all count.
async fn mislukte_poging(app: &App, id: i64, nu: i64) -> Result<(), Probleem> {
    beide!(&app.db, p => sqlx::query(
        "UPDATE gebruikers SET mislukt = CASE WHEN mislukt + 1 >= $1 THEN 0 ELSE mislukt + 1 END,
                vergrendeld_tot = CASE WHEN mislukt + 1 >= $1 THEN $2 ELSE vergrendeld_tot END
         WHERE id = $3")
        .bind(MAX_MISLUKT).bind(nu + VERGRENDELING).bind(id).execute(p).await.map(|_| ())?);
    Ok(())
}

fn mislukt_probleem() -> Probleem {
    Probleem::nieuw(
        StatusCode::UNAUTHORIZED,
        "inloggen-mislukt",
        "Inloggen mislukt",
    )
    .met_detail("e-mail address, password or code is not right, or the account is locked for 15 minutes after five failed attempts")
}

/// `POST /api/v1/sessie`: log in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/sessie", request_body = Inloggen,
    responses((status = 200, body = Sessie), (status = 401, body = Probleem), (status = 429, body = Probleem)))]
pub async fn inloggen(
    State(app): State<App>,
    ConnectInfo(adres): ConnectInfo<SocketAddr>,
    Lichaam(invoer): Lichaam<Inloggen>,
) -> Result<Response, Probleem> {
    let (cookie, sessie) = log_in(&app, adres.ip(), invoer).await?;
    let mut r = axum::Json(sessie).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(Probleem::intern)?,
    );
    Ok(r)
}

/// The login itself, for the API and the login screen: the session's
/// cookie (a `Set-Cookie` value) and who logged in.
pub async fn log_in(app: &App, ip: IpAddr, invoer: Inloggen) -> Result<(String, Sessie), Probleem> {
    if app.pogingen.te_veel(ip) {
        let mut p = Probleem::nieuw(
            StatusCode::TOO_MANY_REQUESTS,
            "te-veel-pogingen",
            "Te veel mislukte pogingen vanaf dit adres",
        )
        .met_detail("wait a minute before trying again");
        p.extra_kop = Some((header::RETRY_AFTER, HeaderValue::from_static("60")));
        return Err(p);
    }
    let nu = nu_unix();
    type Rij = (
        i64,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        i64,
        Option<i64>,
        i64,
        Option<i64>,
    );
    let rij: Option<Rij> = beide!(&app.db, p =>
        sqlx::query_as(
            "SELECT id, naam, deelnemer, rollen, wachtwoord, totp, geblokkeerd, vergrendeld_tot, eenmalig, totp_stap
             FROM gebruikers WHERE email = $1",
        )
        .bind(invoer.email.trim().to_lowercase())
        .fetch_optional(p)
        .await?
    );
    let Some((
        id,
        naam,
        deelnemer,
        rollen,
        wachtwoord,
        totp,
        geblokkeerd,
        tot,
        eenmalig,
        laatste_stap,
    )) = rij
    else {
        // As long as a wrong password: the answer tells nobody which e-mails exist.
        let _ = controleer(&invoer.wachtwoord, Some(geheim::schijnhash().to_string())).await;
        app.pogingen.mislukt(ip);
        return Err(mislukt_probleem());
    };
    if tot.is_some_and(|t| t > nu) {
        // The same answer, in the same time, as a wrong password or an
        // unknown e-mail: a lock tells nobody that the account exists, and
        // no password is checked while it lasts.
        let _ = controleer(&invoer.wachtwoord, Some(geheim::schijnhash().to_string())).await;
        app.pogingen.mislukt(ip);
        return Err(mislukt_probleem());
    }
    let wachtwoord_goed = controleer(&invoer.wachtwoord, wachtwoord).await;
    // A code is good once: its step must be later than the last one used
    // (RFC 6238 §5.2); a replayed code counts as a wrong one.
    let stap = match (&totp, &invoer.code) {
        (Some(g), Some(c)) => geheim::totp_stap(g, c, nu as u64)
            .and_then(|s| i64::try_from(s).ok())
            .filter(|s| laatste_stap.is_none_or(|l| *s > l)),
        _ => None,
    };
    let code_goed = totp.is_none() || stap.is_some();
    if wachtwoord_goed && totp.is_some() && invoer.code.is_none() {
        // Not a failure: the second step of the login.
        return Err(
            Probleem::nieuw(StatusCode::UNAUTHORIZED, "code-nodig", "Voer de code in")
                .met_detail("this user has a second factor: send the TOTP code in `code`"),
        );
    }
    if !wachtwoord_goed || !code_goed || geblokkeerd != 0 {
        app.pogingen.mislukt(ip);
        if geblokkeerd == 0 {
            mislukte_poging(app, id, nu).await?;
        }
        return Err(mislukt_probleem());
    }
    if app.tweede_factor_verplicht && totp.is_none() {
        return Err(Probleem::nieuw(StatusCode::FORBIDDEN, "tweede-factor-verplicht", "Tweede factor verplicht")
            .met_detail("the operator requires a second factor: ask for one (clearinghuis gebruiker wijzigen --totp)"));
    }
    if let Some(s) = stap {
        // Taken in one statement: of two logins with the same code at the
        // same moment, one gets the step and the other fails.
        let genomen = beide!(&app.db, p => sqlx::query("UPDATE gebruikers SET totp_stap = $2 WHERE id = $1 AND (totp_stap IS NULL OR totp_stap < $2)")
            .bind(id).bind(s).execute(p).await.map(|r| r.rows_affected())?);
        if genomen == 0 {
            app.pogingen.mislukt(ip);
            return Err(mislukt_probleem());
        }
    }
    let waarde = geheim::token();
    let csrf = geheim::token();
    beide!(&app.db, p => {
        sqlx::query("UPDATE gebruikers SET mislukt = 0, vergrendeld_tot = NULL WHERE id = $1").bind(id).execute(p).await?;
        sqlx::query("INSERT INTO sessies (hash, gebruiker, csrf, aangemaakt, laatst) VALUES ($1, $2, $3, $4, $4)")
            .bind(geheim::hash(&waarde)).bind(id).bind(&csrf).bind(nu).execute(p).await?;
    });
    // A browser-session cookie: the store ends it after 30 idle minutes
    // (a Max-Age would end it 30 minutes after login, even while in use).
    let cookie = format!(
        "{COOKIE}={waarde}; Path=/; HttpOnly; SameSite=Strict{}",
        if app.tls { "; Secure" } else { "" }
    );
    let sessie = Sessie {
        naam,
        deelnemer,
        rollen: lees_rollen(&rollen).map_err(Probleem::intern)?,
        csrf: Some(csrf),
        wachtwoord_wijzigen: eenmalig != 0,
    };
    Ok((cookie, sessie))
}

/// `GET /api/v1/sessie`: who is asking.
#[utoipa::path(get, path = "/api/v1/sessie", responses((status = 200, body = Sessie), (status = 401, body = Probleem)))]
pub async fn wie(State(app): State<App>, kop: HeaderMap) -> Result<axum::Json<Sessie>, Probleem> {
    let g = gezag_van(&app, &kop)
        .await?
        .ok_or_else(Probleem::niet_ingelogd)?;
    Ok(axum::Json(Sessie {
        naam: g.naam,
        deelnemer: g.deelnemer.map(|d| d.to_string()),
        rollen: g.rollen,
        csrf: g.csrf,
        wachtwoord_wijzigen: g.wachtwoord_wijzigen,
    }))
}

/// Ends the session of the request's cookie, if any (the screen's log out,
/// after its form's CSRF check).
pub async fn beeindig_sessie(app: &App, kop: &HeaderMap) {
    if let Some(w) = cookie_waarde(kop) {
        let r = beide!(&app.db, p => sqlx::query("DELETE FROM sessies WHERE hash = $1").bind(geheim::hash(&w)).execute(p).await.map(|_| ()));
        if let Err(e) = r {
            tracing::warn!("log out: {e}");
        }
    }
}

/// `DELETE /api/v1/sessie`: log out (needs the CSRF token).
#[utoipa::path(delete, path = "/api/v1/sessie", responses((status = 204), (status = 401, body = Probleem), (status = 403, body = Probleem)))]
pub async fn uitloggen(State(app): State<App>, kop: HeaderMap) -> Result<Response, Probleem> {
    let g = gezag_van(&app, &kop)
        .await?
        .ok_or_else(Probleem::niet_ingelogd)?;
    let Some(csrf) = g.csrf else {
        return Err(Probleem::ongeldig(
            "a bearer token has no session to end; revoke it with `clearinghuis token intrekken`",
        ));
    };
    let gegeven = kop
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !geheim::gelijk(gegeven, &csrf) {
        return Err(Probleem::nieuw(
            StatusCode::FORBIDDEN,
            "csrf",
            "Het formulier is verlopen",
        ));
    }
    if let Some(w) = cookie_waarde(&kop) {
        beide!(&app.db, p => sqlx::query("DELETE FROM sessies WHERE hash = $1").bind(geheim::hash(&w)).execute(p).await.map(|_| ())?);
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("ch_sessie=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(r)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Wachtwoordwijziging {
    pub huidig: String,
    pub nieuw: String,
}

/// The shortest password a user may choose.
pub const MIN_WACHTWOORD: usize = 12;
/// The longest.
pub const MAX_WACHTWOORD: usize = 200;

/// Why a password change is refused: the API says it as a problem, the
/// screen in a sentence; both from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weigering {
    /// A bearer token has no password.
    GeenGebruiker,
    Geblokkeerd,
    Onjuist,
    TeKort,
    TeLang,
    Hetzelfde,
}

impl Weigering {
    /// The API's problem (400, the field and the reason).
    pub fn probleem(self) -> Probleem {
        Probleem::ongeldig(match self {
            Weigering::GeenGebruiker => {
                "a bearer token has no password: log in as a user".to_string()
            }
            Weigering::Geblokkeerd => {
                "huidig: het account is na vijf mislukte pogingen 15 minuten geblokkeerd"
                    .to_string()
            }
            Weigering::Onjuist => "huidig: het huidige wachtwoord klopt niet".to_string(),
            Weigering::TeKort | Weigering::TeLang => {
                format!("nieuw: een wachtwoord heeft {MIN_WACHTWOORD} tot {MAX_WACHTWOORD} tekens")
            }
            Weigering::Hetzelfde => "nieuw: kies een ander wachtwoord dan het huidige".to_string(),
        })
    }

    /// The screen's sentence.
    pub fn zin(self) -> String {
        match self {
            Weigering::GeenGebruiker => {
                "Een token heeft geen wachtwoord: log in als gebruiker.".to_string()
            }
            Weigering::Geblokkeerd => {
                "Uw account is na vijf mislukte pogingen 15 minuten geblokkeerd.".to_string()
            }
            Weigering::Onjuist => "Het huidige wachtwoord klopt niet.".to_string(),
            Weigering::TeKort => format!("Een wachtwoord heeft minstens {MIN_WACHTWOORD} tekens."),
            Weigering::TeLang => format!("Een wachtwoord heeft hoogstens {MAX_WACHTWOORD} tekens."),
            Weigering::Hetzelfde => "Kies een ander wachtwoord dan het huidige.".to_string(),
        }
    }
}

/// Changes the password of the session's user (the API and the screen):
/// the current one must be right (a wrong one counts as a failed login),
/// the new one 12 to 200 characters and another; the user's other sessions
/// end, this one goes on without the one-time restriction. The outer error
/// is a fault, the inner one the refusal.
pub async fn wijzig_wachtwoord(
    app: &App,
    g: &Gezag,
    w: &Wachtwoordwijziging,
) -> Result<Result<(), Weigering>, Probleem> {
    let Some((id, sessie)) = &g.sessie else {
        return Ok(Err(Weigering::GeenGebruiker));
    };
    let (hash, tot): (Option<String>, Option<i64>) = beide!(&app.db, p =>
        sqlx::query_as("SELECT wachtwoord, vergrendeld_tot FROM gebruikers WHERE id = $1").bind(id).fetch_one(p).await?
    );
    let nu = nu_unix();
    // A locked account checks no password, here neither: a session cannot
    // go on guessing its user's password through this form.
    if tot.is_some_and(|t| t > nu) {
        return Ok(Err(Weigering::Geblokkeerd));
    }
    if !controleer(&w.huidig, hash).await {
        mislukte_poging(app, *id, nu).await?;
        return Ok(Err(Weigering::Onjuist));
    }
    let lengte = w.nieuw.chars().count();
    if lengte < MIN_WACHTWOORD {
        return Ok(Err(Weigering::TeKort));
    }
    if lengte > MAX_WACHTWOORD {
        return Ok(Err(Weigering::TeLang));
    }
    if w.nieuw == w.huidig {
        return Ok(Err(Weigering::Hetzelfde));
    }
    let nieuw = w.nieuw.clone();
    let nieuwe_hash = tokio::task::spawn_blocking(move || geheim::hash_wachtwoord(&nieuw))
        .await
        .map_err(Probleem::intern)?
        .map_err(Probleem::intern)?;
    beide!(&app.db, p => {
        sqlx::query("UPDATE gebruikers SET wachtwoord = $1, eenmalig = 0, mislukt = 0, vergrendeld_tot = NULL WHERE id = $2")
            .bind(&nieuwe_hash).bind(id).execute(p).await?;
        sqlx::query("DELETE FROM sessies WHERE gebruiker = $1 AND hash <> $2")
            .bind(id).bind(sessie).execute(p).await?;
    });
    tracing::info!(user = %g.wie, "password changed");
    Ok(Ok(()))
}

/// `POST /api/v1/sessie/wachtwoord`: the session's user sets a new
/// password (needs the CSRF token); after a one-time password, the only
/// route besides logging out.
#[utoipa::path(post, path = "/api/v1/sessie/wachtwoord", request_body = Wachtwoordwijziging,
    responses((status = 204), (status = 400, body = Probleem), (status = 401, body = Probleem), (status = 403, body = Probleem)))]
pub async fn wachtwoord(
    State(app): State<App>,
    axum::Extension(g): axum::Extension<Gezag>,
    Lichaam(w): Lichaam<Wachtwoordwijziging>,
) -> Result<StatusCode, Probleem> {
    wijzig_wachtwoord(&app, &g, &w)
        .await?
        .map_err(Weigering::probleem)?;
    Ok(StatusCode::NO_CONTENT)
}
