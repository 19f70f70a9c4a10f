//! The claims of a participant (web.md "Overview", "Dossier"): the
//! overview per work folder, the dossier, its history, its message traffic
//! and its access records. A participant sees a claim only as V or A;
//! any other claim answers exactly as a missing one ([`claim_voor`]).

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::db::beide;
use super::probleem::Probleem;
use super::toegang::{Gezag, Rol};
use super::{App, Pagina, Vraag, nu_tekst};
use crate::bericht::inkomend::Bijlage;
use crate::bericht::{ClaimId, Inhoud, Werkmap};
use crate::engine::Claim;
use crate::engine::kenteken::Kenteken;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OverzichtVraag {
    /// ActieVerwacht (default), WachtOp or Archief.
    pub werkmap: Option<String>,
    /// Free text over ClaimId, OngevalId, schadenummer, status and both plates (any spelling).
    pub zoek: Option<String>,
    /// A column, `-` before it for descending: gewijzigd (default -gewijzigd),
    /// status, schadedatum, schadenummer, kenteken, tegenpartij, verzekeraar, claimer, claimid.
    pub sorteer: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    /// Per-column search fields (web.md §4.4).
    pub status: Option<String>,
    pub schadenummer: Option<String>,
    pub kenteken: Option<String>,
    pub tegenpartij: Option<String>,
    pub verzekeraar: Option<String>,
    pub schadedatum: Option<String>,
    /// `uitgaand` (the participant claims, V) or `inkomend` (A).
    pub claimer: Option<String>,
    /// Operator only: see the overview as this participant.
    pub deelnemer: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Overzichtregel {
    pub claim_id: String,
    /// Always "materieel" (the hub clears material damage).
    #[serde(rename = "type")]
    pub soort: &'static str,
    /// `uitgaand`: this participant is V; `inkomend`: A.
    pub claimer: &'static str,
    pub status: String,
    pub werkmap: String,
    pub schadedatum: String,
    pub schadenummer: Option<String>,
    pub kenteken: String,
    pub kenteken_tegenpartij: String,
    pub tegenpartij: String,
    pub verzekeraar_tegenpartij: String,
    pub gewijzigd: String,
    /// The blue dot: changed since a handler of this participant last opened it.
    pub nieuw: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Overzicht {
    pub totaal: i64,
    pub page: u32,
    pub per_page: u32,
    /// Claims per work folder (the tabs' counts).
    pub werkmappen: std::collections::BTreeMap<String, i64>,
    pub claims: Vec<Overzichtregel>,
}

/// `%tekst%` for LIKE, with the wildcards in `tekst` taken literally.
pub fn bevat(tekst: &str) -> String {
    let mut s = String::from("%");
    for c in tekst.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// A plate as typed, in the stored spelling (upper case, no dashes or spaces).
pub fn kenteken_compact(tekst: &str) -> String {
    tekst
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// WHERE clauses with their `$n` values, numbered as they are added.
#[derive(Default)]
pub struct Filter {
    pub delen: Vec<String>,
    pub waarden: Vec<String>,
}

impl Filter {
    /// Adds `sql` with `?` standing for the next value.
    pub fn voeg(&mut self, sql: &str, waarde: impl Into<String>) {
        self.waarden.push(waarde.into());
        self.delen
            .push(sql.replace('?', &format!("${}", self.waarden.len())));
    }

    pub fn voeg_vast(&mut self, sql: &str) {
        self.delen.push(sql.to_string());
    }

    pub fn sql(&self) -> String {
        if self.delen.is_empty() {
            String::from("1 = 1")
        } else {
            self.delen.join(" AND ")
        }
    }
}

const KOLOM_SORTERING: [(&str, &str); 9] = [
    ("gewijzigd", "p.gewijzigd"),
    ("status", "p.status"),
    ("schadedatum", "p.schadedatum"),
    ("schadenummer", "p.schadenummer"),
    ("kenteken", "p.kenteken"),
    ("tegenpartij", "p.kenteken_tegenpartij"),
    ("verzekeraar", "p.tegenpartij"),
    ("claimer", "p.rol"),
    ("claimid", "p.claim_id"),
];

/// The participant whose view is asked: the user's own; the operator's
/// chosen one, or none (then every claim once, as V sees it).
pub fn eigen_of_gekozen(g: &Gezag, gekozen: Option<&str>) -> Result<Option<String>, Probleem> {
    match (&g.deelnemer, gekozen) {
        (Some(d), None) => Ok(Some(d.to_string())),
        (Some(d), Some(k)) if k == d.as_str() => Ok(Some(d.to_string())),
        (Some(_), Some(_)) => Err(Probleem::geen_recht().met_detail("only your own participant")),
        (None, k) => Ok(k.map(str::to_string)),
    }
}

/// `GET /api/v1/claims`: the overview.
#[utoipa::path(get, path = "/api/v1/claims", params(OverzichtVraag),
    responses((status = 200, body = Overzicht), (status = 400, body = Probleem), (status = 401, body = Probleem), (status = 403, body = Probleem)))]
pub async fn overzicht(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Vraag(v): Vraag<OverzichtVraag>,
) -> Result<axum::Json<Overzicht>, Probleem> {
    let pagina = Pagina::van(v.page, v.per_page)?;
    let werkmap = match v.werkmap.as_deref() {
        None | Some("") => Werkmap::ActieVerwacht,
        Some(w) => w
            .parse::<Werkmap>()
            .map_err(|_| Probleem::ongeldig("werkmap must be ActieVerwacht, WachtOp or Archief"))?,
    };
    let deelnemer = eigen_of_gekozen(&g, v.deelnemer.as_deref())?;
    let mut basis = Filter::default();
    match &deelnemer {
        Some(d) => basis.voeg("p.deelnemer = ?", d.clone()),
        None => basis.voeg_vast("p.rol = 'V'"),
    }
    let mut f = Filter {
        delen: basis.delen.clone(),
        waarden: basis.waarden.clone(),
    };
    f.voeg("p.werkmap = ?", werkmap.to_string());
    if let Some(z) = v.zoek.as_deref().filter(|z| !z.trim().is_empty()) {
        let n = f.waarden.len();
        f.waarden.push(bevat(z));
        // Text without a letter or digit names no plate: match none by it.
        let plaat = kenteken_compact(z);
        f.waarden.push(if plaat.is_empty() {
            String::from("-")
        } else {
            bevat(&plaat).to_uppercase()
        });
        f.delen.push(format!(
            "(lower(p.claim_id) LIKE ${a} ESCAPE '\\' OR lower(p.ongeval_id) LIKE ${a} ESCAPE '\\' OR lower(coalesce(p.schadenummer, '')) LIKE ${a} ESCAPE '\\' OR lower(p.status) LIKE ${a} ESCAPE '\\' OR p.kenteken LIKE ${b} ESCAPE '\\' OR p.kenteken_tegenpartij LIKE ${b} ESCAPE '\\')",
            a = n + 1,
            b = n + 2
        ));
    }
    if let Some(s) = v.status.as_deref().filter(|s| !s.trim().is_empty()) {
        f.voeg("lower(p.status) LIKE ? ESCAPE '\\'", bevat(s));
    }
    if let Some(s) = v.schadenummer.as_deref().filter(|s| !s.trim().is_empty()) {
        f.voeg(
            "lower(coalesce(p.schadenummer, '')) LIKE ? ESCAPE '\\'",
            bevat(s),
        );
    }
    if let Some(s) = v.kenteken.as_deref().filter(|s| !s.trim().is_empty()) {
        f.voeg(
            "p.kenteken LIKE ? ESCAPE '\\'",
            bevat(&kenteken_compact(s)).to_uppercase(),
        );
    }
    if let Some(s) = v.tegenpartij.as_deref().filter(|s| !s.trim().is_empty()) {
        f.voeg(
            "p.kenteken_tegenpartij LIKE ? ESCAPE '\\'",
            bevat(&kenteken_compact(s)).to_uppercase(),
        );
    }
    if let Some(s) = v.verzekeraar.as_deref().filter(|s| !s.trim().is_empty()) {
        // By name or code: the names live in the participants file.
        let s = s.trim().to_lowercase();
        let codes: Vec<String> = app
            .deelnemers
            .iter()
            .filter(|d| {
                d.naam.to_lowercase().contains(&s) || d.code.as_str().to_lowercase().contains(&s)
            })
            .map(|d| d.code.to_string())
            .collect();
        if codes.is_empty() {
            f.voeg_vast("1 = 0");
        } else {
            let begin = f.waarden.len();
            f.waarden.extend(codes.iter().cloned());
            let plekken: Vec<String> = (begin + 1..=f.waarden.len())
                .map(|i| format!("${i}"))
                .collect();
            f.delen
                .push(format!("p.tegenpartij IN ({})", plekken.join(", ")));
        }
    }
    if let Some(s) = v.schadedatum.as_deref().filter(|s| !s.trim().is_empty()) {
        f.voeg("p.schadedatum LIKE ? ESCAPE '\\'", bevat(s));
    }
    match v.claimer.as_deref() {
        None | Some("") => {}
        Some("uitgaand") => f.voeg_vast("p.rol = 'V'"),
        Some("inkomend") => f.voeg_vast("p.rol = 'A'"),
        Some(_) => return Err(Probleem::ongeldig("claimer must be uitgaand or inkomend")),
    }
    let sorteer = v.sorteer.as_deref().unwrap_or("-gewijzigd");
    let (kolom, af) = match sorteer.strip_prefix('-') {
        Some(k) => (k, true),
        None => (sorteer, false),
    };
    let kolom = KOLOM_SORTERING
        .iter()
        .find(|(n, _)| *n == kolom)
        .map(|(_, k)| *k)
        .ok_or_else(|| Probleem::ongeldig(format!("sorteer: unknown column {kolom:?}")))?;
    let richting = if af { "DESC" } else { "ASC" };
    let dot = match &deelnemer {
        Some(_) => "CAST(CASE WHEN g.at IS NULL OR g.at < p.gewijzigd THEN 1 ELSE 0 END AS BIGINT)",
        None => "CAST(0 AS BIGINT)",
    };
    let sql = format!(
        "SELECT p.claim_id, p.rol, p.status, p.werkmap, p.schadedatum, p.schadenummer, p.kenteken, p.kenteken_tegenpartij, p.tegenpartij, p.gewijzigd, {dot}
         FROM claim_partijen p LEFT JOIN geopend g ON g.deelnemer = p.deelnemer AND g.claim_id = p.claim_id
         WHERE {} ORDER BY {kolom} {richting}, p.claim_id {richting} LIMIT {} OFFSET {}",
        f.sql(),
        pagina.per_page,
        pagina.offset()
    );
    let tel = format!("SELECT COUNT(*) FROM claim_partijen p WHERE {}", f.sql());
    let mappen_sql = format!(
        "SELECT p.werkmap, COUNT(*) FROM claim_partijen p WHERE {} GROUP BY p.werkmap",
        basis.sql()
    );
    type Rij = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        i64,
    );
    let (rijen, totaal, mappen): (Vec<Rij>, i64, Vec<(String, i64)>) = beide!(&app.db, p => {
        let mut q = sqlx::query_as(&sql);
        for w in &f.waarden { q = q.bind(w); }
        let rijen: Vec<Rij> = q.fetch_all(p).await?;
        // A page that is not full, and not past the end, gives the total
        // itself (most searches): the count's second pass is skipped.
        let totaal = if rijen.len() < pagina.per_page as usize && (!rijen.is_empty() || pagina.page == 1) {
            (pagina.offset() + rijen.len() as u64) as i64
        } else {
            let mut t = sqlx::query_scalar(&tel);
            for w in &f.waarden { t = t.bind(w); }
            t.fetch_one(p).await?
        };
        let mut m = sqlx::query_as(&mappen_sql);
        for w in &basis.waarden { m = m.bind(w); }
        (rijen, totaal, m.fetch_all(p).await?)
    });
    let mut werkmappen: std::collections::BTreeMap<String, i64> =
        ["ActieVerwacht", "WachtOp", "Archief"]
            .iter()
            .map(|w| (w.to_string(), 0))
            .collect();
    werkmappen.extend(mappen);
    let claims = rijen
        .into_iter()
        .map(|r| Overzichtregel {
            verzekeraar_tegenpartij: app.naam(&r.8),
            claim_id: r.0,
            soort: "materieel",
            claimer: if r.1 == "V" { "uitgaand" } else { "inkomend" },
            status: r.2,
            werkmap: r.3,
            schadedatum: r.4,
            schadenummer: r.5,
            kenteken: toon_kenteken(&r.6),
            kenteken_tegenpartij: toon_kenteken(&r.7),
            tegenpartij: r.8,
            gewijzigd: r.9,
            nieuw: r.10 != 0,
        })
        .collect();
    Ok(axum::Json(Overzicht {
        totaal,
        page: pagina.page,
        per_page: pagina.per_page,
        werkmappen,
        claims,
    }))
}

/// A stored plate with its sidecode's dashes.
pub fn toon_kenteken(compact: &str) -> String {
    Kenteken::normaliseer(compact).map_or_else(|| compact.to_string(), |k| k.to_string())
}

/// The claim `id` when the asker may see it; a claim of others answers as
/// a missing one.
pub async fn claim_voor(app: &App, g: &Gezag, id: &str) -> Result<Claim, Probleem> {
    let Ok(id) = ClaimId::new(id) else {
        return Err(Probleem::niet_gevonden());
    };
    let data: Option<String> = beide!(&app.db, p =>
        sqlx::query_scalar("SELECT data FROM claims WHERE claim_id = $1").bind(id.as_str()).fetch_optional(p).await?
    );
    let Some(data) = data else {
        return Err(Probleem::niet_gevonden());
    };
    let claim: Claim = serde_json::from_str(&data).map_err(Probleem::intern)?;
    match &g.deelnemer {
        None if g.is_operator() => Ok(claim),
        Some(d) if claim.rol_van(d).is_some() => Ok(claim),
        _ => Err(Probleem::niet_gevonden()),
    }
}

/// Stores who opened what (web.md); a handler's opening clears the blue dot.
pub async fn leg_inzage_vast(app: &App, g: &Gezag, claim: &str, wat: &str) -> Result<(), Probleem> {
    let nu = nu_tekst();
    beide!(&app.db, p => {
        sqlx::query("INSERT INTO inzage (at, wie, deelnemer, claim_id, wat) VALUES ($1, $2, $3, $4, $5)")
            .bind(&nu).bind(&g.wie).bind(g.deelnemer.as_ref().map(|d| d.to_string())).bind(claim).bind(wat)
            .execute(p).await?;
        if wat == "dossier" && let Some(d) = &g.deelnemer && g.rollen.contains(&Rol::Schadebehandeling) {
            sqlx::query("INSERT INTO geopend (deelnemer, claim_id, at) VALUES ($1, $2, $3)
                         ON CONFLICT (deelnemer, claim_id) DO UPDATE SET at = EXCLUDED.at")
                .bind(d.as_str()).bind(claim).bind(&nu).execute(p).await?;
        }
    });
    Ok(())
}

/// The bytes of log line `seq`, as received or sent.
pub async fn logbytes(app: &App, seq: i64) -> Result<Vec<u8>, Probleem> {
    Ok(beide!(&app.db, p =>
        sqlx::query_scalar("SELECT xml FROM berichtenlog WHERE seq = $1").bind(seq).fetch_one(p).await?
    ))
}

/// One line of a claim's message traffic.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Berichtregel {
    pub seq: i64,
    pub tijd: String,
    /// `in` (from a participant) or `uit` (from the hub).
    pub richting: &'static str,
    /// The participant it came from or went to.
    pub deelnemer: String,
    pub soort: Option<String>,
    /// The message's BerichtId (the sender's for `in`, the hub's for `uit`).
    pub bericht_id: Option<String>,
    /// Inbound: accepted, refused <code>, duplicate, held.
    pub uitslag: Option<String>,
    /// Outbound: delivered into the participant's mailbox.
    pub afgeleverd: Option<bool>,
}

/// The message traffic of `claim` the asker may see: a participant only
/// what went between the hub and the claim's two parties.
pub async fn berichten_van(
    app: &App,
    g: &Gezag,
    claim: &Claim,
) -> Result<Vec<Berichtregel>, Probleem> {
    type Rij = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let rijen: Vec<Rij> = beide!(&app.db, p =>
        sqlx::query_as(
            "SELECT l.seq, l.at, l.richting, l.mailbox, l.soort, l.bericht_id, l.extern_id, l.uitslag,
                    CAST(CASE WHEN o.seq IS NULL THEN NULL WHEN o.verzonden THEN 1 ELSE 0 END AS BIGINT)
             FROM berichtenlog l LEFT JOIN outbox o ON o.seq = l.seq
             WHERE l.claim_id = $1 ORDER BY l.seq",
        )
        .bind(claim.id.as_str())
        .fetch_all(p)
        .await?
    );
    Ok(rijen
        .into_iter()
        .filter(|r| {
            g.deelnemer.is_none()
                || r.3 == claim.verhaler.as_str()
                || r.3 == claim.aansprakelijke.as_str()
        })
        .map(|r| Berichtregel {
            seq: r.0,
            tijd: r.1,
            richting: if r.2 == "in" { "in" } else { "uit" },
            deelnemer: r.3,
            soort: r.4,
            bericht_id: if r.2 == "in" { r.6 } else { r.5 },
            uitslag: r.7,
            afgeleverd: if r.2 == "in" {
                None
            } else {
                Some(r.8.unwrap_or(1) != 0)
            },
        })
        .collect())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Partij {
    pub code: String,
    pub naam: String,
    pub schadenummer: Option<String>,
    pub kenteken: String,
    pub status: String,
    pub werkmap: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Lopendetimer {
    /// rappel, betaaltermijn or passief.
    pub soort: String,
    pub tijd: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Dossier {
    pub claim_id: String,
    pub ongeval_id: String,
    #[serde(rename = "type")]
    pub soort: &'static str,
    /// The asker's role: V or A (none for the operator).
    pub eigen_rol: Option<&'static str>,
    pub verhaler: Partij,
    pub aansprakelijke: Partij,
    pub schadedatum: String,
    pub aangemaakt: String,
    pub beperkt: bool,
    #[schema(value_type = Object)]
    pub voorval: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub standpunten: serde_json::Value,
    pub verhaalpercentage: Option<String>,
    pub ovs_code: Option<String>,
    pub afmeldreden: Option<String>,
    /// Information requests and deliveries (their attachments are in the message's XML).
    pub informatie: Vec<Berichtregel>,
    /// The damage specification at 100 %.
    #[schema(value_type = Object)]
    pub specificatie: serde_json::Value,
    /// Every specification V sent, oldest first (the XML on request).
    pub specificaties: Vec<Berichtregel>,
    /// Every settlement as the hub sent it (components, interest stretches,
    /// BGK, total, IBAN, betaalkenmerk, due date) and when it was paid.
    #[schema(value_type = Vec<Object>)]
    pub afrekeningen: Vec<serde_json::Value>,
    pub timers: Vec<Lopendetimer>,
    pub tegenclaim: Option<String>,
    pub tegenclaim_van: Option<String>,
}

fn json<T: Serialize>(t: &T) -> Result<serde_json::Value, Probleem> {
    serde_json::to_value(t).map_err(Probleem::intern)
}

/// `GET /api/v1/claims/{claimId}`: the dossier.
#[utoipa::path(get, path = "/api/v1/claims/{claimId}", params(("claimId" = String, Path)),
    responses((status = 200, body = Dossier), (status = 404, body = Probleem)))]
pub async fn dossier(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(id): Path<String>,
) -> Result<axum::Json<Dossier>, Probleem> {
    let c = claim_voor(&app, &g, &id).await?;
    leg_inzage_vast(&app, &g, c.id.as_str(), "dossier").await?;
    let berichten = berichten_van(&app, &g, &c).await?;
    Ok(axum::Json(bouw_dossier(&app, &g, &c, &berichten).await?))
}

/// Everything the dossier screen and the PDF show: the dossier, its
/// history and its message traffic, from one read of the claim and its log
/// lines, recorded as one access (`wat`: `dossier`, `afdruk`).
pub async fn volledig(
    app: &App,
    g: &Gezag,
    id: &str,
    wat: &str,
) -> Result<(Dossier, Vec<Historieregel>, Vec<Berichtregel>), Probleem> {
    let c = claim_voor(app, g, id).await?;
    leg_inzage_vast(app, g, c.id.as_str(), wat).await?;
    let berichten = berichten_van(app, g, &c).await?;
    let dossier = bouw_dossier(app, g, &c, &berichten).await?;
    let historie = historie_uit(app, berichten.clone());
    Ok((dossier, historie, berichten))
}

async fn bouw_dossier(
    app: &App,
    g: &Gezag,
    c: &Claim,
    berichten: &[Berichtregel],
) -> Result<Dossier, Probleem> {
    let partij = |rol: crate::engine::Rol| {
        let (status, werkmap) = c.fase.van(rol);
        let code = c.deelnemer(rol).to_string();
        Partij {
            naam: app.naam(&code),
            code,
            schadenummer: match rol {
                crate::engine::Rol::Verhaler => c.schadenummer_verhaler.as_ref(),
                crate::engine::Rol::Aansprakelijke => c.schadenummer_aansprakelijke.as_ref(),
            }
            .map(ToString::to_string),
            kenteken: match rol {
                crate::engine::Rol::Verhaler => c.kenteken_verhaler.to_string(),
                crate::engine::Rol::Aansprakelijke => c.kenteken_aansprakelijke.to_string(),
            },
            status: status.to_string(),
            werkmap: werkmap.to_string(),
        }
    };
    let eigen_rol = g
        .deelnemer
        .as_ref()
        .and_then(|d| c.rol_van(d))
        .map(|r| match r {
            crate::engine::Rol::Verhaler => "V",
            crate::engine::Rol::Aansprakelijke => "A",
        });
    // The settlements as sent: the hub's Eindafrekening messages, read back.
    let mut afrekeningen = Vec::new();
    let verzonden: Vec<i64> = berichten
        .iter()
        .filter(|b| b.richting == "uit" && b.soort.as_deref() == Some("Eindafrekening"))
        .map(|b| b.seq)
        .collect();
    let mut gezien = std::collections::BTreeSet::new();
    for seq in verzonden {
        let xml = logbytes(app, seq).await?;
        let Ok(b) = crate::bericht::xml::lees(&String::from_utf8_lossy(&xml)) else {
            continue;
        };
        if let Inhoud::Eindafrekening(e) = b.inhoud
            && gezien.insert(e.betaalkenmerk.to_string())
        {
            let betaald = c
                .afrekeningen
                .iter()
                .find(|a| a.betaalkenmerk == e.betaalkenmerk)
                .and_then(|a| a.betaald);
            let mut v = json(&e)?;
            if let serde_json::Value::Object(m) = &mut v {
                m.insert("Betaald".into(), json(&betaald)?);
                m.insert("Bericht".into(), json(&seq)?);
            }
            afrekeningen.push(v);
        }
    }
    // What was taken and what the hub sent on: not a refused message.
    let soort_in = |namen: &[&str]| -> Vec<Berichtregel> {
        berichten
            .iter()
            .filter(|b| b.soort.as_deref().is_some_and(|s| namen.contains(&s)))
            .filter(|b| b.richting == "uit" || b.uitslag.as_deref() == Some("accepted"))
            .cloned()
            .collect()
    };
    let timers = c
        .timers
        .iter()
        .map(|t| {
            Ok(Lopendetimer {
                soort: match &t.soort {
                    crate::engine::Timersoort::Rappel(_) => "rappel",
                    crate::engine::Timersoort::Betaaltermijn { .. } => "betaaltermijn",
                    crate::engine::Timersoort::Passief => "passief",
                }
                .to_string(),
                tijd: crate::bericht::tijdstip::format(&t.tijd),
                details: json(&t.soort)?,
            })
        })
        .collect::<Result<Vec<_>, Probleem>>()?;
    Ok(Dossier {
        claim_id: c.id.to_string(),
        ongeval_id: c.ongeval.to_string(),
        soort: "materieel",
        eigen_rol,
        verhaler: partij(crate::engine::Rol::Verhaler),
        aansprakelijke: partij(crate::engine::Rol::Aansprakelijke),
        schadedatum: c.schadedatum.to_string(),
        aangemaakt: crate::bericht::tijdstip::format(&c.aangemaakt),
        beperkt: c.beperkt,
        voorval: serde_json::json!({
            "schadedatum": c.schadedatum.to_string(),
            "dekking": json(&c.dekking)?,
            "documenten": json(&c.documenten)?,
            "polisnummer_verhaler": json(&c.polisnummer_verhaler)?,
            "bestuurder": json(&c.bestuurder)?,
        }),
        standpunten: json(&c.standpunten)?,
        verhaalpercentage: c.verhaalpercentage.map(|p| p.to_string()),
        ovs_code: c.ovs_code.map(|o| o.to_string()),
        afmeldreden: c.afmeldreden.map(|r| r.to_string()),
        informatie: soort_in(&["InformatieVerzoek", "InformatieAanlevering"]),
        specificatie: json(&c.specificatie)?,
        specificaties: soort_in(&["Schadespecificatie"]),
        afrekeningen,
        timers,
        tegenclaim: c.tegenclaim.as_ref().map(ToString::to_string),
        tegenclaim_van: c.tegenclaim_van.as_ref().map(ToString::to_string),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Historieregel {
    pub tijd: String,
    /// The participant that acted, or `clearinghuis` for the hub's own timers.
    pub partij: String,
    pub partij_naam: String,
    /// `berichtenkoppeling` for the message link.
    pub behandelaar: String,
    pub actie: Option<String>,
    pub uitslag: Option<String>,
    /// The log line of the message (`/berichten/{berichtId}` gives its XML).
    pub seq: i64,
    pub bericht_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Lijst<T> {
    pub totaal: usize,
    pub page: u32,
    pub per_page: u32,
    pub regels: Vec<T>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PaginaVraag {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// `GET /api/v1/claims/{claimId}/historie`: every action on the claim.
#[utoipa::path(get, path = "/api/v1/claims/{claimId}/historie", params(("claimId" = String, Path), PaginaVraag),
    responses((status = 200, body = Lijst<Historieregel>), (status = 404, body = Probleem)))]
pub async fn historie(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(id): Path<String>,
    Vraag(v): Vraag<PaginaVraag>,
) -> Result<axum::Json<Lijst<Historieregel>>, Probleem> {
    let pagina = Pagina::van(v.page, v.per_page)?;
    let c = claim_voor(&app, &g, &id).await?;
    leg_inzage_vast(&app, &g, c.id.as_str(), "historie").await?;
    let berichten = berichten_van(&app, &g, &c).await?;
    Ok(axum::Json(pagina.knip(historie_uit(&app, berichten))))
}

/// The history from the message traffic.
fn historie_uit(app: &App, berichten: Vec<Berichtregel>) -> Vec<Historieregel> {
    // An action is what a party sent; the hub's own acts are its timers'
    // messages (rappels, payment term, passive close): out lines that
    // answer no inbound line of the same moment.
    let mut regels = Vec::new();
    let mut vorige_in: Option<String> = None;
    for b in berichten {
        if b.richting == "in" {
            vorige_in = Some(b.tijd.clone());
            regels.push(Historieregel {
                partij_naam: app.naam(&b.deelnemer),
                partij: b.deelnemer,
                behandelaar: "berichtenkoppeling".into(),
                actie: b.soort,
                uitslag: b.uitslag,
                seq: b.seq,
                bericht_id: b.bericht_id,
                tijd: b.tijd,
            });
        } else if vorige_in.as_deref() != Some(b.tijd.as_str()) {
            regels.push(Historieregel {
                partij: "clearinghuis".into(),
                partij_naam: "Clearinghuis".into(),
                behandelaar: "clearinghuis".into(),
                actie: b.soort,
                uitslag: None,
                seq: b.seq,
                bericht_id: b.bericht_id,
                tijd: b.tijd,
            });
        }
    }
    regels
}

/// `GET /api/v1/claims/{claimId}/berichten`: the message traffic.
#[utoipa::path(get, path = "/api/v1/claims/{claimId}/berichten", params(("claimId" = String, Path), PaginaVraag),
    responses((status = 200, body = Lijst<Berichtregel>), (status = 404, body = Probleem)))]
pub async fn berichten(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(id): Path<String>,
    Vraag(v): Vraag<PaginaVraag>,
) -> Result<axum::Json<Lijst<Berichtregel>>, Probleem> {
    let pagina = Pagina::van(v.page, v.per_page)?;
    let c = claim_voor(&app, &g, &id).await?;
    leg_inzage_vast(&app, &g, c.id.as_str(), "berichtenverkeer").await?;
    Ok(axum::Json(pagina.knip(berichten_van(&app, &g, &c).await?)))
}

/// `GET /api/v1/claims/{claimId}/berichten/{berichtId}`: one message's XML.
#[utoipa::path(get, path = "/api/v1/claims/{claimId}/berichten/{berichtId}",
    params(("claimId" = String, Path), ("berichtId" = String, Path)),
    responses((status = 200, content_type = "application/xml", body = String), (status = 404, body = Probleem)))]
pub async fn bericht(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path((id, bericht_id)): Path<(String, String)>,
) -> Result<Response, Probleem> {
    let (claim, xml) = bericht_van(&app, &g, &id, &bericht_id).await?;
    leg_inzage_vast(&app, &g, &claim, &format!("bericht {bericht_id}")).await?;
    Ok(([(header::CONTENT_TYPE, "application/xml")], xml).into_response())
}

/// The ClaimId and the logged bytes of message `bericht_id` of claim `id`,
/// if the asker sees it in the claim's message traffic (the caller records
/// the access once it knows it shows something).
async fn bericht_van(
    app: &App,
    g: &Gezag,
    id: &str,
    bericht_id: &str,
) -> Result<(String, Vec<u8>), Probleem> {
    let c = claim_voor(app, g, id).await?;
    let Some(b) = berichten_van(app, g, &c)
        .await?
        .into_iter()
        .find(|b| b.bericht_id.as_deref() == Some(bericht_id))
    else {
        return Err(Probleem::niet_gevonden());
    };
    Ok((c.id.to_string(), logbytes(app, b.seq).await?))
}

/// The attachments of an `InformatieAanlevering` (V's own message, or the
/// one the hub forwarded to A), read by the typed message reader; any other
/// message has none.
pub fn bijlagen_uit(xml: &[u8]) -> Vec<Bijlage> {
    match crate::bericht::xml::lees(&String::from_utf8_lossy(xml)) {
        Ok(b) => match b.inhoud {
            Inhoud::InformatieAanlevering(a) => a.bijlage,
            _ => Vec::new(),
        },
        Err(_) => Vec::new(),
    }
}

/// The types a browser may be given as they are; anything else (HTML,
/// SVG, script) is sent as bytes to save, never to show on the hub's origin.
const VEILIGE_TYPES: [&str; 5] = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "text/plain",
];

/// `GET /api/v1/claims/{claimId}/berichten/{berichtId}/bijlagen/{nummer}`:
/// the attachment (from 1) of an information delivery, as a file.
#[utoipa::path(get, path = "/api/v1/claims/{claimId}/berichten/{berichtId}/bijlagen/{nummer}",
    params(("claimId" = String, Path), ("berichtId" = String, Path), ("nummer" = u32, Path, description = "1 for the first attachment")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Probleem)))]
pub async fn bijlage(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path((id, bericht_id, nummer)): Path<(String, String, String)>,
) -> Result<Response, Probleem> {
    let nummer: usize = nummer.parse().map_err(|_| Probleem::niet_gevonden())?;
    let (claim, xml) = bericht_van(&app, &g, &id, &bericht_id).await?;
    let Some(b) = nummer
        .checked_sub(1)
        .and_then(|i| bijlagen_uit(&xml).into_iter().nth(i))
    else {
        return Err(Probleem::niet_gevonden());
    };
    leg_inzage_vast(
        &app,
        &g,
        &claim,
        &format!("bijlage {nummer} van {bericht_id}"),
    )
    .await?;
    use base64::Engine as _;
    let schoon: String = b
        .inhoud
        .0
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(schoon)
        .map_err(Probleem::intern)?;
    let soort = if VEILIGE_TYPES.contains(&b.mime_type.as_str()) {
        b.mime_type.as_str()
    } else {
        "application/octet-stream"
    };
    // The name as sent, for the download only: ASCII with anything odd
    // replaced, and the exact name in RFC 5987 form.
    let ascii: String = b
        .bestandsnaam
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ._-()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let utf8: String = b
        .bestandsnaam
        .as_str()
        .bytes()
        .map(|x| {
            if x.is_ascii_alphanumeric() || b"._-".contains(&x) {
                (x as char).to_string()
            } else {
                format!("%{x:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, soort.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inzageregel {
    pub tijd: String,
    pub wie: String,
    pub deelnemer: Option<String>,
    pub wat: String,
}

/// `GET /api/v1/claims/{claimId}/inzage`: who opened the claim (audit, operator).
#[utoipa::path(get, path = "/api/v1/claims/{claimId}/inzage", params(("claimId" = String, Path), PaginaVraag),
    responses((status = 200, body = Lijst<Inzageregel>), (status = 404, body = Probleem)))]
pub async fn inzage(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(id): Path<String>,
    Vraag(v): Vraag<PaginaVraag>,
) -> Result<axum::Json<Lijst<Inzageregel>>, Probleem> {
    let pagina = Pagina::van(v.page, v.per_page)?;
    let c = claim_voor(&app, &g, &id).await?;
    let rijen: Vec<(String, String, Option<String>, String)> = beide!(&app.db, p =>
        // A participant's auditor sees its own participant's records, not
        // the names of the other party's staff; the operator sees all.
        sqlx::query_as("SELECT at, wie, deelnemer, wat FROM inzage WHERE claim_id = $1 AND ($2 IS NULL OR deelnemer = $2) ORDER BY id")
            .bind(c.id.as_str()).bind(g.deelnemer.as_ref().map(|d| d.to_string())).fetch_all(p).await?
    );
    Ok(axum::Json(
        pagina.knip(
            rijen
                .into_iter()
                .map(|r| Inzageregel {
                    tijd: r.0,
                    wie: r.1,
                    deelnemer: r.2,
                    wat: r.3,
                })
                .collect(),
        ),
    ))
}
