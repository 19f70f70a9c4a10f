//! Management information (web.md §5), defined in
//! docs/managementinformatie.md so a manager can check every figure by hand.
//! Computed from the overview rows (one per party of a claim) and the
//! reminders in the message log; nothing here reads a claim's JSON.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::db::beide;
use super::probleem::Probleem;
use super::toegang::Gezag;
use super::{App, Vraag};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MiVraag {
    /// First day (YYYY-MM-DD); default 12 months before `tot`.
    pub van: Option<String>,
    /// Last day (YYYY-MM-DD); default today.
    pub tot: Option<String>,
    /// The participant (a participant's user: only its own; the operator: any, or none for the whole hub).
    pub deelnemer: Option<String>,
}

/// Median and 90th percentile (nearest rank) of a duration in days.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Doorlooptijd {
    pub aantal: usize,
    pub mediaan: Option<i64>,
    pub p90: Option<i64>,
}

/// The indicators for one role (V or A).
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Indicatoren {
    pub geregistreerd: usize,
    pub overeenstemming: usize,
    pub geen_overeenstemming: usize,
    /// Withdrawn per reason (M11–M20).
    pub ingetrokken: BTreeMap<String, usize>,
    pub passief_gesloten: usize,
    /// Per OVS code: claims with it, of them matched, and the share.
    pub overeenstemming_per_ovs: BTreeMap<String, (usize, usize, f64)>,
    pub dagen_aanmelding_tot_overeenstemming: Doorlooptijd,
    pub dagen_overeenstemming_tot_betaalverzoek: Doorlooptijd,
    pub dagen_afrekening_tot_betaling: Doorlooptijd,
    /// Settlements paid within their 14-day term, of those settled.
    pub betaald_binnen_termijn: (usize, usize),
    /// Open claims per work folder by age in days (0-21, 22-63, 64-150, >150).
    pub open_naar_leeftijd: BTreeMap<String, BTreeMap<String, usize>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Managementinformatie {
    pub van: String,
    pub tot: String,
    /// The participant, or none: the whole hub (each claim once, as V).
    pub deelnemer: Option<String>,
    /// As V (claimant) and as A (liable party).
    pub rollen: BTreeMap<String, Indicatoren>,
    /// Reminders the participant received in the period, per kind.
    pub rappels: BTreeMap<String, i64>,
}

fn datum(t: &str) -> Option<NaiveDate> {
    t.get(..10).and_then(|d| d.parse().ok())
}

fn doorloop(mut dagen: Vec<i64>) -> Doorlooptijd {
    dagen.sort_unstable();
    let rang = |q: f64| -> Option<i64> {
        if dagen.is_empty() {
            return None;
        }
        let i = ((q * dagen.len() as f64).ceil() as usize).clamp(1, dagen.len());
        Some(dagen[i - 1])
    };
    Doorlooptijd {
        aantal: dagen.len(),
        mediaan: rang(0.5),
        p90: rang(0.9),
    }
}

fn leeftijdsklasse(dagen: i64) -> &'static str {
    match dagen {
        ..=21 => "0-21",
        22..=63 => "22-63",
        64..=150 => "64-150",
        _ => ">150",
    }
}

/// `GET /api/v1/mi`: JSON, or CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/mi", params(MiVraag),
    responses((status = 200, body = Managementinformatie), (status = 400, body = Probleem), (status = 403, body = Probleem)))]
pub async fn mi(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    kop: HeaderMap,
    Vraag(v): Vraag<MiVraag>,
) -> Result<Response, Probleem> {
    let mi = bereken(&app, &g, &v).await?;
    let csv = kop
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    if csv {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"managementinformatie.csv\"",
                ),
            ],
            als_csv(&mi),
        )
            .into_response());
    }
    Ok(axum::Json(mi).into_response())
}

/// The indicators for the asker and period of `v` (the API and the screen).
pub async fn bereken(app: &App, g: &Gezag, v: &MiVraag) -> Result<Managementinformatie, Probleem> {
    let vandaag = chrono::Utc::now().date_naive();
    let lees = |t: &Option<String>, naam: &str| -> Result<Option<NaiveDate>, Probleem> {
        t.as_deref()
            .map(|d| {
                d.parse::<NaiveDate>()
                    .map_err(|_| Probleem::ongeldig(format!("{naam}: a date as YYYY-MM-DD")))
            })
            .transpose()
    };
    let tot = lees(&v.tot, "tot")?.unwrap_or(vandaag);
    let van = match lees(&v.van, "van")? {
        Some(d) => d,
        None => tot
            .checked_sub_months(Months::new(12))
            .and_then(|d| d.succ_opt())
            .unwrap_or(tot),
    };
    if van > tot || (tot - van).num_days() > 5 * 366 {
        return Err(Probleem::ongeldig(
            "the period runs from van to tot, at most five years",
        ));
    }
    let deelnemer = super::claims::eigen_of_gekozen(g, v.deelnemer.as_deref())?;
    let einde = tot.succ_opt().unwrap_or(tot).to_string();
    type Rij = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    // One statement per case, not `($3 IS NULL AND …) OR deelnemer = $3`:
    // a prepared statement's generic plan cannot use an index through
    // that OR, and PostgreSQL switches to the generic plan after five runs.
    let (wie, wie_open, wie_rappel) = match &deelnemer {
        Some(_) => ("deelnemer = $3", "deelnemer = $2", "mailbox = $3"),
        None => ("rol = 'V'", "rol = 'V'", "TRUE"),
    };
    let sql_rijen = format!(
        "SELECT rol, aangemaakt, werkmap, afmeldreden, ovs_code, overeenstemming, afgerekend, vervaldatum, betaald
         FROM claim_partijen WHERE {wie} AND aangemaakt >= $1 AND aangemaakt < $2"
    );
    let sql_open = format!(
        "SELECT rol, werkmap, aangemaakt FROM claim_partijen
         WHERE {wie_open} AND aangemaakt < $1 AND werkmap <> 'Archief'"
    );
    let sql_rappels = format!(
        "SELECT soort, COUNT(*) FROM berichtenlog
         WHERE soort LIKE 'Rappel%' AND richting = 'out' AND {wie_rappel} AND at >= $1 AND at < $2
         GROUP BY soort ORDER BY soort"
    );
    let van_tekst = van.to_string();
    let rijen: Vec<Rij> = beide!(&app.db, p => {
        let mut q = sqlx::query_as(&sql_rijen).bind(&van_tekst).bind(&einde);
        if let Some(d) = &deelnemer { q = q.bind(d); }
        q.fetch_all(p).await?
    });
    let open: Vec<(String, String, String)> = beide!(&app.db, p => {
        let mut q = sqlx::query_as(&sql_open).bind(&einde);
        if let Some(d) = &deelnemer { q = q.bind(d); }
        q.fetch_all(p).await?
    });
    let rappels: Vec<(String, i64)> = beide!(&app.db, p => {
        let mut q = sqlx::query_as(&sql_rappels).bind(&van_tekst).bind(&einde);
        if let Some(d) = &deelnemer { q = q.bind(d); }
        q.fetch_all(p).await?
    });
    let mut rollen: BTreeMap<String, Indicatoren> = BTreeMap::new();
    let mut duren: BTreeMap<String, [Vec<i64>; 3]> = BTreeMap::new();
    for (rol, aangemaakt, _werkmap, reden, ovs, match_, afgerekend, verval, betaald) in &rijen {
        let i = rollen.entry(rol.clone()).or_default();
        let d = duren.entry(rol.clone()).or_default();
        i.geregistreerd += 1;
        let gematcht = match_.is_some();
        if gematcht {
            i.overeenstemming += 1;
        }
        match reden.as_deref() {
            Some("M21") => i.geen_overeenstemming += 1,
            Some("M22") => i.passief_gesloten += 1,
            Some(r) => *i.ingetrokken.entry(r.to_string()).or_default() += 1,
            None => {}
        }
        if let Some(o) = ovs {
            let e = i.overeenstemming_per_ovs.entry(o.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(gematcht);
        }
        let (a, m, r, b, vv) = (
            datum(aangemaakt),
            match_.as_deref().and_then(datum),
            afgerekend.as_deref().and_then(datum),
            betaald.as_deref().and_then(datum),
            verval.as_deref().and_then(datum),
        );
        if let (Some(a), Some(m)) = (a, m) {
            d[0].push((m - a).num_days());
        }
        if let (Some(m), Some(r)) = (m, r) {
            d[1].push((r - m).num_days());
        }
        if let (Some(r), Some(b)) = (r, b) {
            d[2].push((b - r).num_days());
        }
        if r.is_some() {
            i.betaald_binnen_termijn.1 += 1;
            if let (Some(b), Some(vv)) = (b, vv)
                && b <= vv
            {
                i.betaald_binnen_termijn.0 += 1;
            }
        }
    }
    for (rol, [a, b, c]) in duren {
        let i = rollen.entry(rol).or_default();
        i.dagen_aanmelding_tot_overeenstemming = doorloop(a);
        i.dagen_overeenstemming_tot_betaalverzoek = doorloop(b);
        i.dagen_afrekening_tot_betaling = doorloop(c);
    }
    for (rol, werkmap, aangemaakt) in &open {
        let Some(a) = datum(aangemaakt) else { continue };
        let klasse = leeftijdsklasse((tot - a).num_days());
        *rollen
            .entry(rol.clone())
            .or_default()
            .open_naar_leeftijd
            .entry(werkmap.clone())
            .or_default()
            .entry(klasse.to_string())
            .or_default() += 1;
    }
    for i in rollen.values_mut() {
        for e in i.overeenstemming_per_ovs.values_mut() {
            e.2 = if e.0 == 0 {
                0.0
            } else {
                e.1 as f64 / e.0 as f64
            };
        }
    }
    let mi = Managementinformatie {
        van: van.to_string(),
        tot: tot.to_string(),
        deelnemer,
        rollen,
        rappels: rappels
            .into_iter()
            .map(|(s, n)| (s.trim_start_matches("Rappel:").to_string(), n))
            .collect(),
    };
    Ok(mi)
}

/// One CSV of every table, one figure per line: `tabel,rol,sleutel,waarde`.
pub fn als_csv(mi: &Managementinformatie) -> String {
    let mut s = String::from("tabel,rol,sleutel,waarde\n");
    let mut regel = |tabel: &str, rol: &str, sleutel: &str, waarde: String| {
        s.push_str(&format!("{tabel},{rol},{sleutel},{waarde}\n"));
    };
    let opt = |o: Option<i64>| o.map(|v| v.to_string()).unwrap_or_default();
    for (rol, i) in &mi.rollen {
        regel(
            "aantallen",
            rol,
            "geregistreerd",
            i.geregistreerd.to_string(),
        );
        regel(
            "aantallen",
            rol,
            "overeenstemming",
            i.overeenstemming.to_string(),
        );
        regel(
            "aantallen",
            rol,
            "geen_overeenstemming",
            i.geen_overeenstemming.to_string(),
        );
        regel(
            "aantallen",
            rol,
            "passief_gesloten",
            i.passief_gesloten.to_string(),
        );
        for (r, n) in &i.ingetrokken {
            regel("ingetrokken", rol, r, n.to_string());
        }
        for (o, (n, m, p)) in &i.overeenstemming_per_ovs {
            regel(
                "overeenstemming_per_ovs",
                rol,
                &format!("{o} ({m}/{n})"),
                format!("{p:.4}"),
            );
        }
        for (naam, d) in [
            (
                "aanmelding_tot_overeenstemming",
                &i.dagen_aanmelding_tot_overeenstemming,
            ),
            (
                "overeenstemming_tot_betaalverzoek",
                &i.dagen_overeenstemming_tot_betaalverzoek,
            ),
            ("afrekening_tot_betaling", &i.dagen_afrekening_tot_betaling),
        ] {
            regel("doorlooptijd_mediaan", rol, naam, opt(d.mediaan));
            regel("doorlooptijd_p90", rol, naam, opt(d.p90));
            regel("doorlooptijd_aantal", rol, naam, d.aantal.to_string());
        }
        regel(
            "betaald_binnen_termijn",
            rol,
            "binnen",
            i.betaald_binnen_termijn.0.to_string(),
        );
        regel(
            "betaald_binnen_termijn",
            rol,
            "afgerekend",
            i.betaald_binnen_termijn.1.to_string(),
        );
        for (map, klassen) in &i.open_naar_leeftijd {
            for (k, n) in klassen {
                regel(
                    "open_naar_leeftijd",
                    rol,
                    &format!("{map} {k}"),
                    n.to_string(),
                );
            }
        }
    }
    for (soort, n) in &mi.rappels {
        regel("rappels", "", soort, n.to_string());
    }
    s
}
