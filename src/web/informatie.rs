//! CR Informatie (web.md §4): look up an accident by plate (any spelling)
//! or OngevalId. A participant finds only accidents it is a party of.

use axum::Extension;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::claims::{
    Berichtregel, berichten_van, claim_voor, kenteken_compact, leg_inzage_vast, logbytes,
};
use super::db::beide;
use super::probleem::Probleem;
use super::toegang::Gezag;
use super::{App, Vraag};
use crate::engine::kenteken::Kenteken;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InformatieVraag {
    pub kenteken: Option<String>,
    pub ongeval_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Positie {
    pub datum: String,
    pub partij: String,
    pub soort: String,
    pub verhaalpercentage: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verloopregel {
    #[serde(flatten)]
    pub bericht: Berichtregel,
    /// The hub's notice text (`ExtraInfo`), where the message has one.
    pub extra_info: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ongevalclaim {
    pub claim_id: String,
    pub ongeval_id: String,
    pub kenteken_verhaler: String,
    pub kenteken_aansprakelijke: String,
    pub verhaler: String,
    pub verhaler_naam: String,
    pub schadenummer_verhaler: Option<String>,
    pub aansprakelijke: String,
    pub aansprakelijke_naam: String,
    pub schadenummer_aansprakelijke: Option<String>,
    pub status_verhaler: String,
    pub status_aansprakelijke: String,
    pub posities: Vec<Positie>,
    pub verloop: Vec<Verloopregel>,
}

/// Most claims one lookup shows.
const MAX_CLAIMS: i64 = 50;

/// `GET /api/v1/informatie?kenteken=` or `?ongevalId=`.
#[utoipa::path(get, path = "/api/v1/informatie", params(InformatieVraag),
    responses((status = 200, body = Vec<Ongevalclaim>), (status = 400, body = Probleem)))]
pub async fn informatie(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<InformatieVraag>,
) -> Result<axum::Json<Vec<Ongevalclaim>>, Probleem> {
    let eigen = g.deelnemer.as_ref().map(|d| d.to_string());
    let (voorwaarde, waarde) = match (&v.kenteken, &v.ongeval_id) {
        (Some(k), None) => {
            let compact = kenteken_compact(k);
            Kenteken::normaliseer(&compact)
                .ok_or_else(|| Probleem::ongeldig(format!("{k:?} is not a Dutch licence plate")))?;
            ("(kenteken = $1 OR kenteken_tegenpartij = $1)", compact)
        }
        (None, Some(o)) => ("ongeval_id = $1", o.trim().to_string()),
        _ => {
            return Err(Probleem::ongeldig(
                "give exactly one of kenteken and ongevalId",
            ));
        }
    };
    let sql = format!(
        "SELECT DISTINCT claim_id FROM claim_partijen WHERE {voorwaarde} AND ($2 IS NULL OR deelnemer = $2) ORDER BY claim_id LIMIT {MAX_CLAIMS}"
    );
    let ids: Vec<String> = beide!(&app.db, p =>
        sqlx::query_scalar(&sql).bind(&waarde).bind(&eigen).fetch_all(p).await?
    );
    let mut uit = Vec::new();
    for id in ids {
        let c = claim_voor(&app, &g, &id).await?;
        leg_inzage_vast(&app, &g, c.id.as_str(), "informatie").await?;
        let mut verloop = Vec::new();
        for b in berichten_van(&app, &g, &c).await? {
            let extra_info = if b.richting == "uit" {
                let xml = logbytes(&app, b.seq).await?;
                crate::store::element(&String::from_utf8_lossy(&xml), "ExtraInfo")
                    .map(str::to_string)
            } else {
                None
            };
            verloop.push(Verloopregel {
                bericht: b,
                extra_info,
            });
        }
        let (sv, _) = c.fase.van(crate::engine::Rol::Verhaler);
        let (sa, _) = c.fase.van(crate::engine::Rol::Aansprakelijke);
        uit.push(Ongevalclaim {
            claim_id: c.id.to_string(),
            ongeval_id: c.ongeval.to_string(),
            kenteken_verhaler: c.kenteken_verhaler.to_string(),
            kenteken_aansprakelijke: c.kenteken_aansprakelijke.to_string(),
            verhaler_naam: app.naam(c.verhaler.as_str()),
            verhaler: c.verhaler.to_string(),
            schadenummer_verhaler: c.schadenummer_verhaler.as_ref().map(ToString::to_string),
            aansprakelijke_naam: app.naam(c.aansprakelijke.as_str()),
            aansprakelijke: c.aansprakelijke.to_string(),
            schadenummer_aansprakelijke: c
                .schadenummer_aansprakelijke
                .as_ref()
                .map(ToString::to_string),
            status_verhaler: sv.to_string(),
            status_aansprakelijke: sa.to_string(),
            posities: c
                .standpunten
                .iter()
                .map(|s| Positie {
                    datum: s.tijdstip.date_naive().to_string(),
                    partij: s.partij.to_string(),
                    soort: s.soort.to_string(),
                    verhaalpercentage: s.verhaalpercentage.map(|p| p.to_string()),
                })
                .collect(),
            verloop,
        });
    }
    Ok(axum::Json(uit))
}
