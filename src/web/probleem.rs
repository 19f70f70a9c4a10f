//! Errors as RFC 9457 problem documents (`application/problem+json`), in
//! the manual's Dutch, with the hub's code where one applies.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One problem; `type` is a relative URI naming its kind (docs/api.md).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Probleem {
    #[serde(rename = "type")]
    pub soort: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The hub's code, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip)]
    pub extra_kop: Option<(header::HeaderName, HeaderValue)>,
}

impl Probleem {
    pub fn nieuw(status: StatusCode, soort: &str, titel: &str) -> Probleem {
        Probleem {
            soort: format!("/problemen/{soort}"),
            title: titel.to_string(),
            status: status.as_u16(),
            detail: None,
            code: None,
            extra_kop: None,
        }
    }

    /// The kind without its path: `vergrendeld`, `code-nodig`, …
    pub fn soort_kort(&self) -> &str {
        self.soort.rsplit('/').next().unwrap_or_default()
    }

    pub fn met_detail(mut self, detail: impl Into<String>) -> Probleem {
        self.detail = Some(detail.into());
        self
    }

    pub fn niet_ingelogd() -> Probleem {
        Probleem::nieuw(StatusCode::UNAUTHORIZED, "niet-ingelogd", "Niet ingelogd")
            .met_detail("log in, or send a valid bearer token")
    }

    pub fn geen_recht() -> Probleem {
        Probleem::nieuw(
            StatusCode::FORBIDDEN,
            "geen-recht",
            "U heeft geen recht op dit onderdeel",
        )
    }

    /// A claim, message or page that is not there, or not this user's:
    /// the two answer alike (web.md).
    pub fn niet_gevonden() -> Probleem {
        Probleem::nieuw(StatusCode::NOT_FOUND, "niet-gevonden", "Niet gevonden")
    }

    pub fn ongeldig(detail: impl Into<String>) -> Probleem {
        Probleem::nieuw(
            StatusCode::BAD_REQUEST,
            "ongeldige-invoer",
            "Ongeldige invoer",
        )
        .met_detail(detail)
    }

    pub fn intern(e: impl std::fmt::Display) -> Probleem {
        tracing::error!("web: {e}");
        Probleem::nieuw(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storing",
            "Storing in het clearinghuis",
        )
    }
}

impl From<sqlx::Error> for Probleem {
    fn from(e: sqlx::Error) -> Probleem {
        Probleem::intern(e)
    }
}

impl IntoResponse for Probleem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kop = self.extra_kop.clone();
        let mut r = (status, axum::Json(self)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some((k, v)) = kop {
            r.headers_mut().insert(k, v);
        }
        r
    }
}
