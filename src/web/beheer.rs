//! The operator's endpoints (web.md §6): the message log, the parked
//! (held) messages, re-delivery of an outbound message, health and metrics.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::claims::{Filter, Lijst, PaginaVraag, bevat};
use super::db::beide;
use super::probleem::Probleem;
use super::toegang::Gezag;
use super::{App, Pagina, Vraag, nu_tekst};
use crate::bewaking::Fase;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogVraag {
    /// The hub's BerichtId or a sender's.
    pub bericht_id: Option<String>,
    pub claim_id: Option<String>,
    /// The mailbox (participant).
    pub deelnemer: Option<String>,
    /// From this day (YYYY-MM-DD), inclusive.
    pub van: Option<String>,
    /// Up to this day, inclusive.
    pub tot: Option<String>,
    /// Outcome or code, e.g. `refused`, `F01`.
    pub uitslag: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Logregel {
    pub seq: i64,
    pub tijd: String,
    pub richting: String,
    pub deelnemer: String,
    pub soort: Option<String>,
    pub bericht_id: Option<String>,
    pub claim_id: Option<String>,
    pub uitslag: Option<String>,
}

fn dag(t: &str, naam: &str) -> Result<chrono::NaiveDate, Probleem> {
    t.parse()
        .map_err(|_| Probleem::ongeldig(format!("{naam}: a date as YYYY-MM-DD")))
}

/// `GET /api/v1/log`: the message log, newest first.
#[utoipa::path(get, path = "/api/v1/log", params(LogVraag),
    responses((status = 200, body = Lijst<Logregel>), (status = 400, body = Probleem), (status = 403, body = Probleem)))]
pub async fn log(
    State(app): State<App>,
    Vraag(v): Vraag<LogVraag>,
) -> Result<axum::Json<Lijst<Logregel>>, Probleem> {
    let pagina = Pagina::van(v.page, v.per_page)?;
    let mut f = Filter::default();
    if let Some(b) = v.bericht_id.as_deref().filter(|b| !b.is_empty()) {
        let n = f.waarden.len() + 1;
        f.waarden.push(b.to_string());
        f.delen
            .push(format!("(bericht_id = ${n} OR extern_id = ${n})"));
    }
    if let Some(c) = v.claim_id.as_deref().filter(|b| !b.is_empty()) {
        f.voeg("claim_id = ?", c);
    }
    if let Some(d) = v.deelnemer.as_deref().filter(|b| !b.is_empty()) {
        f.voeg("mailbox = ?", d);
    }
    if let Some(d) = v.van.as_deref() {
        f.voeg("at >= ?", dag(d, "van")?.to_string());
    }
    if let Some(d) = v.tot.as_deref() {
        let d = dag(d, "tot")?;
        f.voeg("at < ?", d.succ_opt().unwrap_or(d).to_string());
    }
    if let Some(u) = v.uitslag.as_deref().filter(|b| !b.is_empty()) {
        f.voeg("lower(coalesce(uitslag, '')) LIKE ? ESCAPE '\\'", bevat(u));
    }
    let sql = format!(
        "SELECT seq, at, richting, mailbox, soort, CASE WHEN richting = 'in' THEN extern_id ELSE bericht_id END, claim_id, uitslag
         FROM berichtenlog WHERE {} ORDER BY seq DESC LIMIT {} OFFSET {}",
        f.sql(),
        pagina.per_page,
        pagina.offset()
    );
    let tel = format!("SELECT COUNT(*) FROM berichtenlog WHERE {}", f.sql());
    type Rij = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let (rijen, totaal): (Vec<Rij>, i64) = beide!(&app.db, p => {
        let mut q = sqlx::query_as(&sql);
        for w in &f.waarden { q = q.bind(w); }
        let mut t = sqlx::query_scalar(&tel);
        for w in &f.waarden { t = t.bind(w); }
        (q.fetch_all(p).await?, t.fetch_one(p).await?)
    });
    Ok(axum::Json(Lijst {
        totaal: totaal as usize,
        page: pagina.page,
        per_page: pagina.per_page,
        regels: rijen
            .into_iter()
            .map(|r| Logregel {
                seq: r.0,
                tijd: r.1,
                richting: r.2,
                deelnemer: r.3,
                soort: r.4,
                bericht_id: r.5,
                claim_id: r.6,
                uitslag: r.7,
            })
            .collect(),
    }))
}

/// `GET /api/v1/log/{seq}`: one logged message's bytes, as received or sent.
#[utoipa::path(get, path = "/api/v1/log/{seq}", params(("seq" = i64, Path)),
    responses((status = 200, content_type = "application/xml", body = String), (status = 404, body = Probleem)))]
pub async fn logbericht(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(seq): Path<i64>,
) -> Result<Response, Probleem> {
    let rij: Option<(Vec<u8>, Option<String>)> = beide!(&app.db, p =>
        sqlx::query_as("SELECT xml, claim_id FROM berichtenlog WHERE seq = $1").bind(seq).fetch_optional(p).await?
    );
    let (xml, claim) = rij.ok_or_else(Probleem::niet_gevonden)?;
    if let Some(c) = claim {
        super::claims::leg_inzage_vast(&app, &g, &c, &format!("logregel {seq}")).await?;
    }
    Ok(([(header::CONTENT_TYPE, "application/xml")], xml).into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Geparkeerd {
    pub volgorde: i64,
    pub deelnemer: String,
    pub ontvangen: String,
    /// Refused if still early then.
    pub tot: String,
    #[schema(value_type = Object)]
    pub wacht_op: serde_json::Value,
    pub xml: String,
}

/// `GET /api/v1/geparkeerd`: early messages the hub holds (rules.md §7).
#[utoipa::path(get, path = "/api/v1/geparkeerd", params(PaginaVraag),
    responses((status = 200, body = Lijst<Geparkeerd>)))]
pub async fn geparkeerd(
    State(app): State<App>,
    Vraag(v): Vraag<PaginaVraag>,
) -> Result<axum::Json<Lijst<Geparkeerd>>, Probleem> {
    let pagina = Pagina::van(v.page, v.per_page)?;
    let rijen: Vec<(i64, String, String, String, String, String)> = beide!(&app.db, p =>
        sqlx::query_as("SELECT volgorde, mailbox, ontvangen, tot, wacht_op, xml FROM vastgehouden ORDER BY volgorde")
            .fetch_all(p).await?
    );
    Ok(axum::Json(
        pagina.knip(
            rijen
                .into_iter()
                .map(|r| Geparkeerd {
                    volgorde: r.0,
                    deelnemer: r.1,
                    ontvangen: r.2,
                    tot: r.3,
                    wacht_op: serde_json::from_str(&r.4).unwrap_or(serde_json::Value::Null),
                    xml: r.5,
                })
                .collect(),
        ),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Heraanbieding {
    pub seq: i64,
    pub bericht_id: String,
    pub deelnemer: String,
    pub door: String,
}

/// `POST /api/v1/berichten/{berichtId}/opnieuw`: the same outbound message
/// (BerichtId and bytes) into the outbox again; the dispatcher delivers it.
#[utoipa::path(post, path = "/api/v1/berichten/{berichtId}/opnieuw", params(("berichtId" = String, Path)),
    responses((status = 202, body = Heraanbieding), (status = 404, body = Probleem), (status = 403, body = Probleem)))]
pub async fn opnieuw(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(bericht_id): Path<String>,
) -> Result<Response, Probleem> {
    let (seq, mailbox) = uitgaand(&app, &bericht_id).await?;
    beide!(&app.db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("UPDATE outbox SET verzonden = false WHERE seq = $1").bind(seq).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO heraanbiedingen (at, seq, bericht_id, door) VALUES ($1, $2, $3, $4)")
            .bind(nu_tekst()).bind(seq).bind(&bericht_id).bind(&g.wie).execute(&mut *tx).await?;
        tx.commit().await?;
    });
    tracing::info!(seq, bericht_id = %bericht_id, by = %g.wie, "re-delivery asked");
    app.heraanbod.notify_one();
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(Heraanbieding {
            seq,
            bericht_id,
            deelnemer: mailbox,
            door: g.wie,
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Gezondheid {
    pub status: &'static str,
    pub store: bool,
    /// The dispatcher's phase: serving, standby, restarting, disk full, starting.
    pub hub: String,
}

/// `GET /healthz`: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Gezondheid)))]
pub async fn healthz(State(app): State<App>) -> axum::Json<Gezondheid> {
    axum::Json(Gezondheid {
        status: "ok",
        store: true,
        hub: app.bewaking.stand().fase.naam().to_string(),
    })
}

/// `GET /readyz`: the store answers and the dispatcher serves its mailboxes.
#[utoipa::path(get, path = "/readyz", responses((status = 200, body = Gezondheid), (status = 503, body = Gezondheid)))]
pub async fn readyz(State(app): State<App>) -> Response {
    let store = app.db.bereikbaar().await;
    let fase = app.bewaking.stand().fase;
    let klaar = store && fase == Fase::Bedienen;
    let g = Gezondheid {
        status: if klaar { "ok" } else { "niet gereed" },
        store,
        hub: fase.naam().to_string(),
    };
    let status = if klaar {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(g)).into_response()
}

/// The outbound message with the hub's BerichtId `bericht_id`: its log
/// line and mailbox (what a re-delivery puts back), or 404.
pub async fn uitgaand(app: &App, bericht_id: &str) -> Result<(i64, String), Probleem> {
    let rij: Option<(i64, String)> = beide!(&app.db, p =>
        sqlx::query_as("SELECT seq, mailbox FROM outbox WHERE bericht_id = $1 ORDER BY seq LIMIT 1")
            .bind(bericht_id).fetch_optional(p).await?
    );
    rij.ok_or_else(Probleem::niet_gevonden)
}

/// What waits in the store: outbound messages not yet delivered, held
/// messages, and timers due by `tot_us` (UTC microseconds).
pub async fn wachtend(app: &App, tot_us: i64) -> Result<(i64, i64, i64), Probleem> {
    Ok(beide!(&app.db, p => (
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE NOT verzonden").fetch_one(p).await?,
        sqlx::query_scalar("SELECT COUNT(*) FROM vastgehouden").fetch_one(p).await?,
        sqlx::query_scalar("SELECT COUNT(*) FROM timers WHERE tijd_us <= $1").bind(tot_us).fetch_one(p).await?,
    )))
}

/// A participant as Beheer shows it: from the participants file, with
/// when its last message came in and how many answers wait for it.
#[derive(Debug, Clone)]
pub struct Deelnemerstatus {
    pub code: String,
    pub naam: String,
    pub soort: &'static str,
    pub actief: bool,
    /// The log time of its last inbound message, if any.
    pub laatst_ontvangen: Option<String>,
    /// Outbound messages to it not yet delivered.
    pub af_te_leveren: i64,
}

/// Every participant of the file, in code order, with its traffic.
pub async fn deelnemerstatus(app: &App) -> Result<Vec<Deelnemerstatus>, Probleem> {
    let wacht: Vec<(String, i64)> = beide!(&app.db, p =>
        sqlx::query_as("SELECT mailbox, COUNT(*) FROM outbox WHERE NOT verzonden GROUP BY mailbox")
            .fetch_all(p).await?
    );
    let wacht: std::collections::BTreeMap<String, i64> = wacht.into_iter().collect();
    let mut uit = Vec::new();
    for d in app.deelnemers.iter() {
        let code = d.code.to_string();
        // One probe of berichtenlog_laatst_in (migration 0007).
        let laatst: Option<String> = beide!(&app.db, p =>
            sqlx::query_scalar("SELECT at FROM berichtenlog WHERE richting = 'in' AND mailbox = $1 ORDER BY seq DESC LIMIT 1")
                .bind(&code).fetch_optional(p).await?
        );
        uit.push(Deelnemerstatus {
            af_te_leveren: wacht.get(&code).copied().unwrap_or(0),
            code,
            naam: d.naam.clone(),
            soort: d.soort.naam(),
            actief: d.actief,
            laatst_ontvangen: laatst,
        });
    }
    Ok(uit)
}

/// `GET /metrics`: Prometheus text format.
#[utoipa::path(get, path = "/metrics", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(app): State<App>) -> Result<Response, Probleem> {
    let nu_us = chrono::Utc::now().timestamp_micros();
    let (outbox, vast, due) = wachtend(&app, nu_us).await?;
    let fasen: Vec<(String, i64)> = beide!(&app.db, p =>
        sqlx::query_as("SELECT fase, COUNT(*) FROM claim_partijen WHERE rol = 'V' GROUP BY fase").fetch_all(p).await?
    );
    let m = &app.metingen;
    m.outbox.set(outbox);
    m.vastgehouden.set(vast);
    m.timers_verlopen.set(due);
    m.claims.clear();
    for (fase, n) in fasen {
        m.claims
            .get_or_create(&crate::metingen::Faselabels { phase: fase })
            .set(n);
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.tekst(),
    )
        .into_response())
}
