//! The hub's face, server side (web.md): the HTTP API under `/api/v1/`,
//! health and metrics, served by `clearinghuis serve` beside the dispatcher.
//!
//! Every route is declared once in [`routes`] with what it needs
//! ([`Toegang`]); the router, the OpenAPI document's check and the
//! authorisation test are all built from that list. The web part reads the
//! store through its own pool ([`db`]) and writes only its own tables
//! (users, sessions, access records), plus the outbox flag of a re-delivery.

// A problem document is built only on the error path of a request, where
// its size (a few strings) costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod afdruk;
pub mod beheer;
pub mod claims;
pub mod db;
pub mod geheim;
pub mod informatie;
pub mod mi;
pub mod probleem;
pub mod schermen;
pub mod toegang;
pub mod voorrang;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::routing::{MethodRouter, delete, get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::bewaking::Bewaking;
use crate::deelnemers::Deelnemers;
use crate::metingen::Metingen;
use db::Db;
use probleem::Probleem;
use toegang::{Pogingen, Rol, Toegang};

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub deelnemers: Arc<Deelnemers>,
    pub bewaking: Arc<Bewaking>,
    pub metingen: Arc<Metingen>,
    /// Wakes the dispatcher to deliver what was put back in the outbox.
    pub heraanbod: Arc<tokio::sync::Notify>,
    pub pogingen: Arc<Pogingen>,
    /// Served over TLS: the session cookie is `Secure`.
    pub tls: bool,
    /// `[api] tweede_factor = "verplicht"`.
    pub tweede_factor_verplicht: bool,
    /// The dispatcher goes first ([`voorrang`]).
    pub voorrang: Arc<voorrang::Voorrang>,
}

impl App {
    /// A participant's name from the participants file (the code if unknown).
    pub fn naam(&self, code: &str) -> String {
        crate::bericht::Deelnemercode::new(code)
            .ok()
            .and_then(|c| self.deelnemers.get(&c).map(|d| d.naam.clone()))
            .unwrap_or_else(|| code.to_string())
    }
}

pub fn nu_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn nu_tekst() -> String {
    crate::store::overzicht::utc(&chrono::Utc::now().fixed_offset())
}

/// Largest request body (a login, an action's fields); more is refused 413.
pub const MAX_LICHAAM: usize = 64 * 1024;

/// Query parameters, refused with a problem document when malformed or unknown.
pub struct Vraag<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Vraag<T> {
    type Rejection = Probleem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Probleem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Vraag(q.0))
            .map_err(|e| Probleem::ongeldig(e.body_text()))
    }
}

/// A JSON body, refused with a problem document when malformed, unknown in
/// its fields or too large.
pub struct Lichaam<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Lichaam<T> {
    type Rejection = Probleem;
    async fn from_request(req: Request, state: &S) -> Result<Self, Probleem> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|j| Lichaam(j.0))
            .map_err(|e| {
                let status = e.status();
                let mut p = Probleem::ongeldig(e.body_text());
                p.status = status.as_u16();
                if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    p.soort = "/problemen/te-groot".into();
                    p.title = "Verzoek te groot".into();
                }
                p
            })
    }
}

/// `page` (from 1) and `per_page` (1–200, default 25) of a list.
#[derive(Debug, Clone, Copy)]
pub struct Pagina {
    pub page: u32,
    pub per_page: u32,
}

impl Pagina {
    pub fn van(page: Option<u32>, per_page: Option<u32>) -> Result<Pagina, Probleem> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(25);
        if page == 0 || page > 1_000_000 {
            return Err(Probleem::ongeldig("page counts from 1"));
        }
        if !(1..=200).contains(&per_page) {
            return Err(Probleem::ongeldig("per_page is 1 to 200"));
        }
        Ok(Pagina { page, per_page })
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }

    /// One page of a list held whole.
    pub fn knip<T: Serialize>(&self, alles: Vec<T>) -> claims::Lijst<T> {
        let totaal = alles.len();
        let regels = alles
            .into_iter()
            .skip(self.offset() as usize)
            .take(self.per_page as usize)
            .collect();
        claims::Lijst {
            totaal,
            page: self.page,
            per_page: self.per_page,
            regels,
        }
    }
}

/// One route: method, path (axum's syntax), who may, and the handler.
pub struct Route {
    pub methode: Method,
    pub pad: &'static str,
    pub toegang: Toegang,
    pub handler: MethodRouter<App>,
}

const BEHANDELEN: &[Rol] = &[Rol::Schadebehandeling, Rol::Audit];
const OPERATOR: &[Rol] = &[Rol::Operator];

/// Every route of the web part. Add a route here and it is served, checked
/// against the OpenAPI document and must be in the authorisation test.
pub fn routes() -> Vec<Route> {
    let r =
        |methode: Method, pad: &'static str, toegang: Toegang, handler: MethodRouter<App>| Route {
            methode,
            pad,
            toegang,
            handler,
        };
    use Toegang::{Publiek, Rollen};
    vec![
        r(Method::GET, "/healthz", Publiek, get(beheer::healthz)),
        r(Method::GET, "/readyz", Publiek, get(beheer::readyz)),
        r(Method::GET, "/metrics", Publiek, get(beheer::metrics)),
        r(Method::GET, "/api/v1/openapi.json", Publiek, get(openapi)),
        r(
            Method::POST,
            "/api/v1/sessie",
            Publiek,
            post(toegang::inloggen),
        ),
        r(Method::GET, "/api/v1/sessie", Publiek, get(toegang::wie)),
        r(
            Method::POST,
            "/api/v1/sessie/wachtwoord",
            Rollen(&Rol::ALLE),
            post(toegang::wachtwoord),
        ),
        r(
            Method::DELETE,
            "/api/v1/sessie",
            Publiek,
            delete(toegang::uitloggen),
        ),
        r(
            Method::GET,
            "/api/v1/claims",
            Rollen(&[Rol::Schadebehandeling]),
            get(claims::overzicht),
        ),
        r(
            Method::GET,
            "/api/v1/claims/{claimId}",
            Rollen(BEHANDELEN),
            get(claims::dossier),
        ),
        r(
            Method::GET,
            "/api/v1/claims/{claimId}/historie",
            Rollen(BEHANDELEN),
            get(claims::historie),
        ),
        r(
            Method::GET,
            "/api/v1/claims/{claimId}/berichten",
            Rollen(BEHANDELEN),
            get(claims::berichten),
        ),
        r(
            Method::GET,
            "/api/v1/claims/{claimId}/berichten/{berichtId}",
            Rollen(BEHANDELEN),
            get(claims::bericht),
        ),
        r(
            Method::GET,
            "/api/v1/claims/{claimId}/berichten/{berichtId}/bijlagen/{nummer}",
            Rollen(BEHANDELEN),
            get(claims::bijlage),
        ),
        r(
            Method::GET,
            "/api/v1/claims/{claimId}/pdf",
            Rollen(BEHANDELEN),
            get(afdruk::dossier_pdf),
        ),
        r(
            Method::GET,
            "/api/v1/claims/{claimId}/inzage",
            Rollen(&[Rol::Audit]),
            get(claims::inzage),
        ),
        r(
            Method::GET,
            "/api/v1/informatie",
            Rollen(&[Rol::Informatie]),
            get(informatie::informatie),
        ),
        r(
            Method::GET,
            "/api/v1/mi",
            Rollen(&[Rol::Management]),
            get(mi::mi),
        ),
        r(
            Method::GET,
            "/api/v1/log",
            Rollen(OPERATOR),
            get(beheer::log),
        ),
        r(
            Method::GET,
            "/api/v1/log/{seq}",
            Rollen(OPERATOR),
            get(beheer::logbericht),
        ),
        r(
            Method::GET,
            "/api/v1/geparkeerd",
            Rollen(OPERATOR),
            get(beheer::geparkeerd),
        ),
        r(
            Method::POST,
            "/api/v1/berichten/{berichtId}/opnieuw",
            Rollen(OPERATOR),
            post(beheer::opnieuw),
        ),
        // The screens (web.md "Screens"; not in the OpenAPI document).
        r(Method::GET, "/stijl.css", Publiek, get(schermen::stijl)),
        r(
            Method::GET,
            "/inloggen",
            Publiek,
            get(schermen::inloggen_scherm),
        ),
        r(Method::POST, "/inloggen", Publiek, post(schermen::inloggen)),
        r(
            Method::POST,
            "/uitloggen",
            Rollen(&Rol::ALLE),
            post(schermen::uitloggen),
        ),
        r(Method::GET, "/", Rollen(&Rol::ALLE), get(schermen::start)),
        r(
            Method::GET,
            "/wachtwoord",
            Rollen(&Rol::ALLE),
            get(schermen::wachtwoord),
        ),
        r(
            Method::POST,
            "/wachtwoord",
            Rollen(&Rol::ALLE),
            post(schermen::wachtwoord_wijzigen),
        ),
        r(
            Method::GET,
            "/werkmappen",
            Rollen(&[Rol::Schadebehandeling, Rol::Audit]),
            get(schermen::claims::werkmappen),
        ),
        r(
            Method::GET,
            "/dossier/{claimId}",
            Rollen(BEHANDELEN),
            get(schermen::claims::dossier),
        ),
        r(
            Method::GET,
            "/dossier/{claimId}/berichten/{berichtId}",
            Rollen(BEHANDELEN),
            get(schermen::claims::bericht),
        ),
        r(
            Method::GET,
            "/dossier/{claimId}/berichten/{berichtId}/bijlagen/{nummer}",
            Rollen(BEHANDELEN),
            get(schermen::claims::bijlage),
        ),
        r(
            Method::GET,
            "/informatie",
            Rollen(&[Rol::Informatie]),
            get(schermen::informatie::informatie),
        ),
        r(
            Method::GET,
            "/managementinformatie",
            Rollen(&[Rol::Management]),
            get(schermen::mi::mi),
        ),
        r(
            Method::GET,
            "/managementinformatie.csv",
            Rollen(&[Rol::Management]),
            get(schermen::mi::csv),
        ),
        r(
            Method::GET,
            "/beheer",
            Rollen(OPERATOR),
            get(schermen::beheer::beheer),
        ),
        r(
            Method::GET,
            "/beheer/opnieuw/{berichtId}",
            Rollen(OPERATOR),
            get(schermen::beheer::bevestig),
        ),
        r(
            Method::POST,
            "/beheer/opnieuw/{berichtId}",
            Rollen(OPERATOR),
            post(schermen::beheer::opnieuw),
        ),
    ]
}

/// Whether a route is a screen (HTML for a browser) rather than the API.
pub fn is_scherm(pad: &str) -> bool {
    !pad.starts_with("/api/") && !matches!(pad, "/healthz" | "/readyz" | "/metrics")
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Clearinghuis Regres API", description = "The hub's HTTP API (docs/api.md). Errors are RFC 9457 problem documents."),
    paths(
        beheer::healthz, beheer::readyz, beheer::metrics,
        toegang::inloggen, toegang::wie, toegang::uitloggen, toegang::wachtwoord,
        claims::overzicht, claims::dossier, claims::historie, claims::berichten, claims::bericht, claims::bijlage, claims::inzage,
        afdruk::dossier_pdf,
        informatie::informatie, mi::mi,
        beheer::log, beheer::logbericht, beheer::geparkeerd, beheer::opnieuw,
        openapi,
    ),
    components(schemas(Probleem)),
    modifiers(&Beveiliging)
)]
pub struct ApiDoc;

struct Beveiliging;

impl utoipa::Modify for Beveiliging {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "sessie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(toegang::COOKIE))),
        );
    }
}

/// `GET /api/v1/openapi.json`: this document, generated from the code.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "OpenAPI 3")))]
pub async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// The router: every route behind its check, problem documents for
/// unknown paths and methods, a body limit.
pub fn router(app: App) -> Router {
    let mut router: Router<App> = Router::new();
    let mut per_pad: std::collections::BTreeMap<&str, MethodRouter<App>> = Default::default();
    for r in routes() {
        let mut bewaakt = r.handler.route_layer(axum::middleware::from_fn_with_state(
            (app.clone(), r.toegang),
            toegang::bewaak,
        ));
        if r.pad.starts_with("/api/") {
            // Outside the check: a refused request waits its turn too, so
            // nobody can hammer the store past the lane.
            bewaakt = bewaakt.route_layer(axum::middleware::from_fn_with_state(
                (app.voorrang.clone(), app.metingen.clone()),
                voorrang::beurt,
            ));
        }
        let m = per_pad
            .remove(r.pad)
            .map_or(bewaakt.clone(), |m| m.merge(bewaakt));
        per_pad.insert(r.pad, m);
    }
    for (pad, m) in per_pad {
        router = router.route(
            pad,
            m.fallback(|| async {
                let mut p = Probleem::nieuw(
                    axum::http::StatusCode::METHOD_NOT_ALLOWED,
                    "methode",
                    "Methode niet toegestaan",
                );
                p.status = 405;
                p
            }),
        );
    }
    router
        .fallback(|| async { Probleem::niet_gevonden() })
        .layer(DefaultBodyLimit::max(MAX_LICHAAM))
        .layer(axum::middleware::map_response(veilige_koppen))
        .with_state(app)
}

/// The browser may load nothing from another host, run no script, frame
/// no page and guess no type (docs/schermen.md, "Choices"); a response that
/// set its own policy (an attachment: `sandbox`) keeps it.
async fn veilige_koppen(mut r: axum::response::Response) -> axum::response::Response {
    use axum::http::HeaderValue;
    use axum::http::header;
    let k = r.headers_mut();
    k.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ));
    k.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    k.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    k.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    r
}

#[derive(Debug, thiserror::Error)]
pub enum WebFout {
    #[error("[api] listen {0:?}: not an address and port (e.g. 127.0.0.1:8080)")]
    Adres(String),
    #[error(
        "[api] listen {0}: plain HTTP is only served on a loopback address; set [api] tls_cert and tls_key (PEM) to serve on {0}"
    )]
    TlsNodig(SocketAddr),
    #[error("[api] tls_cert/tls_key: {0}")]
    Tls(String),
    #[error("[api] listen {adres}: {bron}")]
    Binden {
        adres: SocketAddr,
        bron: std::io::Error,
    },
}

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct Luister {
    pub adres: SocketAddr,
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

impl Luister {
    /// `[api] listen` with its TLS files; `None` when the web part is off (`listen = ""`).
    pub fn van(
        listen: Option<&str>,
        cert: Option<&std::path::Path>,
        key: Option<&std::path::Path>,
    ) -> Result<Option<Luister>, WebFout> {
        let listen = listen.unwrap_or("127.0.0.1:8080").trim();
        if listen.is_empty() {
            return Ok(None);
        }
        let adres: SocketAddr = listen
            .parse()
            .map_err(|_| WebFout::Adres(listen.to_string()))?;
        let tls = match (cert, key) {
            (Some(c), Some(k)) => Some((c.to_owned(), k.to_owned())),
            (None, None) => None,
            _ => return Err(WebFout::Tls("give both tls_cert and tls_key".into())),
        };
        if tls.is_none() && !adres.ip().is_loopback() {
            return Err(WebFout::TlsNodig(adres));
        }
        // Unreadable files stop the hub at start, not when it becomes active.
        if let Some((c, k)) = &tls {
            for f in [c, k] {
                std::fs::read(f).map_err(|e| WebFout::Tls(format!("{}: {e}", f.display())))?;
            }
        }
        Ok(Some(Luister { adres, tls }))
    }

    /// Binds (so a taken port is an error at start) and loads the TLS files.
    pub async fn bind(&self) -> Result<Gebonden, WebFout> {
        let socket = std::net::TcpListener::bind(self.adres).map_err(|bron| WebFout::Binden {
            adres: self.adres,
            bron,
        })?;
        socket
            .set_nonblocking(true)
            .map_err(|bron| WebFout::Binden {
                adres: self.adres,
                bron,
            })?;
        let adres = socket.local_addr().map_err(|bron| WebFout::Binden {
            adres: self.adres,
            bron,
        })?;
        let tls = match &self.tls {
            None => None,
            Some((c, k)) => {
                crate::kies_crypto();
                Some(
                    axum_server::tls_rustls::RustlsConfig::from_pem_file(c, k)
                        .await
                        .map_err(|e| {
                            WebFout::Tls(format!("{} / {}: {e}", c.display(), k.display()))
                        })?,
                )
            }
        };
        Ok(Gebonden { socket, adres, tls })
    }
}

pub struct Gebonden {
    socket: std::net::TcpListener,
    pub adres: SocketAddr,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

impl Gebonden {
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until `stop` turns true, then lets open requests finish (at most 5 s).
    pub async fn serveer(
        self,
        app: App,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        let handle = axum_server::Handle::new();
        let h = handle.clone();
        tokio::spawn(async move {
            let _ = stop.wait_for(|s| *s).await;
            h.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
        });
        let dienst = router(app).into_make_service_with_connect_info::<SocketAddr>();
        match self.tls {
            None => {
                axum_server::from_tcp(self.socket)
                    .handle(handle)
                    .serve(dienst)
                    .await
            }
            Some(cfg) => {
                axum_server::from_tcp_rustls(self.socket, cfg)
                    .handle(handle)
                    .serve(dienst)
                    .await
            }
        }
    }
}
