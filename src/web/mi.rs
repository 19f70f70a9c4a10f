//! Management information (web.md §5), defined in
//! docs/managementinformatie.md so a manager can check every figure by hand.
//! Computed from the overview rows (one per party of a claim) and the
//! reminders in the message log; nothing here reads a claim's JSON.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
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
    /// With `Accept: text/csv`: only this table, with its own columns
    /// (`V-aantallen`, `A-doorlooptijden`, `rappels`, …; docs/managementinformatie.md).
    pub tabel: Option<String>,
}

/// Median and 90th percentile (nearest rank) of a duration in days.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Doorlooptijd {
    pub aantal: usize,
    pub mediaan: Option<i64>,
    pub p90: Option<i64>,
    /// The distribution: how many claims per class of days
    /// ([`DOORLOOPKLASSEN`], in that order, every class present).
    pub verdeling: Vec<Klasse>,
}

/// One class of a distribution and its count.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct Klasse {
    pub dagen: String,
    pub aantal: usize,
}

/// The classes of a lead time's distribution, in days (both ends included).
pub const DOORLOOPKLASSEN: [(i64, i64, &str); 7] = [
    (i64::MIN, 7, "0-7"),
    (8, 14, "8-14"),
    (15, 21, "15-21"),
    (22, 42, "22-42"),
    (43, 63, "43-63"),
    (64, 150, "64-150"),
    (151, i64::MAX, ">150"),
];

/// The claims registered in one calendar month of the period (UTC).
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct Maand {
    /// YYYY-MM.
    pub maand: String,
    pub geregistreerd: usize,
    /// Of those, with a settled percentage (as `overeenstemming`).
    pub overeenstemming: usize,
    /// Of those, closed (any afmeldreden: withdrawn, no match, passive).
    pub afgemeld: usize,
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
    /// Every calendar month of the period, oldest first.
    pub per_maand: Vec<Maand>,
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
    let verdeling = DOORLOOPKLASSEN
        .iter()
        .map(|(laag, hoog, naam)| Klasse {
            dagen: naam.to_string(),
            aantal: dagen
                .iter()
                .filter(|d| (*laag..=*hoog).contains(*d))
                .count(),
        })
        .collect();
    Doorlooptijd {
        aantal: dagen.len(),
        mediaan: rang(0.5),
        p90: rang(0.9),
        verdeling,
    }
}

/// The age class of an open claim of `dagen` days.
fn leeftijdsklasse(dagen: i64) -> &'static str {
    LEEFTIJDSKLASSEN
        .iter()
        .find(|(laag, hoog, _)| (*laag..=*hoog).contains(&dagen))
        .map_or(">150", |(_, _, naam)| naam)
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
    let (naam, inhoud) = match (csv, v.tabel.as_deref()) {
        (false, None) => return Ok(axum::Json(mi).into_response()),
        (false, Some(_)) => {
            return Err(Probleem::ongeldig(
                "tabel: only with Accept: text/csv (the JSON holds every table)",
            ));
        }
        (true, None) => ("managementinformatie".to_string(), als_csv(&mi)),
        (true, Some(t)) => {
            let tabellen = tabellen(&mi);
            let Some(tabel) = tabellen.iter().find(|x| x.naam() == t) else {
                let namen: Vec<String> = tabellen.iter().map(Tabel::naam).collect();
                return Err(Probleem::ongeldig(format!(
                    "tabel: one of {}",
                    namen.join(", ")
                )));
            };
            (
                format!("managementinformatie-{}", tabel.naam()),
                tabel.csv(),
            )
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{naam}-{}-{}.csv\"", mi.van, mi.tot),
            ),
        ],
        inhoud,
    )
        .into_response())
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
    // One statement per case, not `($3 IS NULL AND …) OR deelnemer = $3`:
    // a prepared statement's generic plan cannot use an index through
    // that OR, and PostgreSQL switches to the generic plan after five runs.
    let (wie, wie_open, wie_rappel) = match &deelnemer {
        Some(_) => ("deelnemer = $3", "deelnemer = $2", "mailbox = $3"),
        None => ("rol = 'V'", "rol = 'V'", "TRUE"),
    };
    let sql_rijen = format!(
        "SELECT rol, aangemaakt, afmeldreden, ovs_code, overeenstemming, afgerekend, vervaldatum, betaald
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
    let open: Vec<OpenRij> = beide!(&app.db, p => {
        let mut q = sqlx::query_as(&sql_open).bind(&einde);
        if let Some(d) = &deelnemer { q = q.bind(d); }
        q.fetch_all(p).await?
    });
    let rappels: Vec<(String, i64)> = beide!(&app.db, p => {
        let mut q = sqlx::query_as(&sql_rappels).bind(&van_tekst).bind(&einde);
        if let Some(d) = &deelnemer { q = q.bind(d); }
        q.fetch_all(p).await?
    });
    Ok(tel(van, tot, deelnemer, &rijen, &open, rappels))
}

/// A party's row of a claim registered in the period: role, registered
/// (UTC), afmeldreden, OVS code, match, first settlement, its due date,
/// paid (texts that start with a date, as the store keeps them).
pub type Rij = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// An open claim's row: role, work folder, registered.
pub type OpenRij = (String, String, String);

/// The indicators from the store's rows: pure, so that the worked example
/// of docs/managementinformatie.md is a unit test.
pub fn tel(
    van: NaiveDate,
    tot: NaiveDate,
    deelnemer: Option<String>,
    rijen: &[Rij],
    open: &[OpenRij],
    rappels: Vec<(String, i64)>,
) -> Managementinformatie {
    let maanden = maanden(van, tot);
    // Every role the asker has, also without claims: a table (and its CSV
    // name) does not come and go with the figures.
    let eigen_rollen: &[&str] = if deelnemer.is_some() {
        &["A", "V"]
    } else {
        &["V"]
    };
    let mut rollen: BTreeMap<String, Indicatoren> = eigen_rollen
        .iter()
        .map(|r| {
            (
                r.to_string(),
                Indicatoren {
                    per_maand: maanden.clone(),
                    ..Indicatoren::default()
                },
            )
        })
        .collect();
    let mut duren: BTreeMap<String, [Vec<i64>; 3]> = BTreeMap::new();
    for (rol, aangemaakt, reden, ovs, match_, afgerekend, verval, betaald) in rijen {
        let i = rollen.entry(rol.clone()).or_insert_with(|| Indicatoren {
            per_maand: maanden.clone(),
            ..Indicatoren::default()
        });
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
        if let Some(maand) = a
            .map(|a| a.format("%Y-%m").to_string())
            .and_then(|k| i.per_maand.iter_mut().find(|m| m.maand == k))
        {
            maand.geregistreerd += 1;
            maand.overeenstemming += usize::from(gematcht);
            maand.afgemeld += usize::from(reden.is_some());
        }
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
    for (rol, werkmap, aangemaakt) in open {
        let Some(a) = datum(aangemaakt) else { continue };
        let klasse = leeftijdsklasse((tot - a).num_days());
        *rollen
            .entry(rol.clone())
            .or_insert_with(|| Indicatoren {
                per_maand: maanden.clone(),
                ..Indicatoren::default()
            })
            .open_naar_leeftijd
            .entry(werkmap.clone())
            .or_default()
            .entry(klasse.to_string())
            .or_default() += 1;
    }
    for (rol, i) in rollen.iter_mut() {
        let [a, b, c] = duren.remove(rol).unwrap_or_default();
        i.dagen_aanmelding_tot_overeenstemming = doorloop(a);
        i.dagen_overeenstemming_tot_betaalverzoek = doorloop(b);
        i.dagen_afrekening_tot_betaling = doorloop(c);
        for e in i.overeenstemming_per_ovs.values_mut() {
            e.2 = if e.0 == 0 {
                0.0
            } else {
                e.1 as f64 / e.0 as f64
            };
        }
    }
    Managementinformatie {
        van: van.to_string(),
        tot: tot.to_string(),
        deelnemer,
        rollen,
        rappels: rappels
            .into_iter()
            .map(|(s, n)| (s.trim_start_matches("Rappel:").to_string(), n))
            .collect(),
    }
}

/// Every calendar month from `van`'s to `tot`'s, with nothing counted yet.
fn maanden(van: NaiveDate, tot: NaiveDate) -> Vec<Maand> {
    let mut uit = Vec::new();
    let mut m = van.with_day(1).unwrap_or(van);
    while m <= tot {
        uit.push(Maand {
            maand: m.format("%Y-%m").to_string(),
            ..Maand::default()
        });
        match m.checked_add_months(Months::new(1)) {
            Some(volgende) => m = volgende,
            None => break,
        }
    }
    uit
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

/// Which table of the screen: each has its own CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Soort {
    Aantallen,
    PerMaand,
    Doorlooptijden,
    Verdeling,
    PerOvs,
    Open,
    Rappels,
}

impl Soort {
    fn naam(self) -> &'static str {
        match self {
            Soort::Aantallen => "aantallen",
            Soort::PerMaand => "per-maand",
            Soort::Doorlooptijden => "doorlooptijden",
            Soort::Verdeling => "verdeling",
            Soort::PerOvs => "per-ovs",
            Soort::Open => "open",
            Soort::Rappels => "rappels",
        }
    }
}

/// One cell: the screen writes it the Dutch way, the CSV plainly.
#[derive(Debug, Clone, PartialEq)]
pub enum Cel {
    Tekst(String),
    /// YYYY-MM; on screen "mrt 2026".
    Maand(String),
    Aantal(usize),
    /// Days; none when there is nothing to take a median of.
    Dagen(Option<i64>),
    /// A share from 0 to 1; none when nothing was counted.
    Aandeel(Option<f64>),
}

impl Cel {
    /// As in the CSV: numbers without separators, a share with four decimals.
    pub fn csv(&self) -> String {
        match self {
            Cel::Tekst(t) | Cel::Maand(t) => t.clone(),
            Cel::Aantal(n) => n.to_string(),
            Cel::Dagen(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cel::Aandeel(a) => a.map(|a| format!("{a:.4}")).unwrap_or_default(),
        }
    }

    /// As on screen: "50 %", "–" for nothing.
    pub fn scherm(&self) -> String {
        match self {
            Cel::Tekst(t) => t.clone(),
            Cel::Maand(m) => {
                const NAMEN: [&str; 12] = [
                    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov",
                    "dec",
                ];
                match m.split_once('-').map(|(j, n)| (j, n.parse::<usize>())) {
                    Some((j, Ok(n @ 1..=12))) => format!("{} {j}", NAMEN[n - 1]),
                    _ => m.clone(),
                }
            }
            Cel::Aantal(n) => n.to_string(),
            Cel::Dagen(d) => d.map_or_else(|| "–".into(), |d| d.to_string()),
            Cel::Aandeel(a) => a.map_or_else(|| "–".into(), |a| format!("{:.0} %", a * 100.0)),
        }
    }

    /// The number a chart draws (0 for text or nothing).
    pub fn getal(&self) -> f64 {
        match self {
            Cel::Tekst(_) | Cel::Maand(_) => 0.0,
            Cel::Aantal(n) => *n as f64,
            Cel::Dagen(d) => d.unwrap_or(0) as f64,
            Cel::Aandeel(a) => a.unwrap_or(0.0),
        }
    }
}

/// A table as the screen shows it and its CSV holds it: one model for
/// both, so the download is what the manager sees.
#[derive(Debug, Clone)]
pub struct Tabel {
    pub soort: Soort,
    /// V or A; none for the rappels.
    pub rol: Option<String>,
    pub titel: String,
    pub kolommen: Vec<String>,
    /// The first cell of each row names it.
    pub rijen: Vec<Vec<Cel>>,
}

impl Tabel {
    /// Its name in `?tabel=`: `V-aantallen`, `rappels`, ….
    pub fn naam(&self) -> String {
        match &self.rol {
            Some(r) => format!("{r}-{}", self.soort.naam()),
            None => self.soort.naam().to_string(),
        }
    }

    /// RFC 4180: a header line, then a line per row; a field with a comma,
    /// a quote or a line break is quoted, and one that a spreadsheet would
    /// read as a formula gets a leading apostrophe.
    pub fn csv(&self) -> String {
        fn veld(t: &str) -> String {
            let t = if t.starts_with(['=', '+', '@', '\t', '\r']) {
                format!("'{t}")
            } else {
                t.to_string()
            };
            if t.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", t.replace('"', "\"\""))
            } else {
                t
            }
        }
        let mut s = self
            .kolommen
            .iter()
            .map(|k| veld(k))
            .collect::<Vec<_>>()
            .join(",");
        s.push('\n');
        for r in &self.rijen {
            s.push_str(
                &r.iter()
                    .map(|c| veld(&c.csv()))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            s.push('\n');
        }
        s
    }
}

/// The tables of the screen, in its order: per role (A before V, as in the
/// JSON), then the rappels.
pub fn tabellen(mi: &Managementinformatie) -> Vec<Tabel> {
    let mut uit = Vec::new();
    let k = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let t = |s: &str| Cel::Tekst(s.to_string());
    for (rol, i) in &mi.rollen {
        let tabel = |soort, titel: &str, kolommen, rijen| Tabel {
            soort,
            rol: Some(rol.clone()),
            titel: titel.to_string(),
            kolommen,
            rijen,
        };
        let (binnen, afgerekend) = i.betaald_binnen_termijn;
        let mut aantallen = vec![
            vec![t("Geregistreerd"), Cel::Aantal(i.geregistreerd)],
            vec![t("Overeenstemming"), Cel::Aantal(i.overeenstemming)],
            vec![
                t("Geen overeenstemming (M21)"),
                Cel::Aantal(i.geen_overeenstemming),
            ],
            vec![t("Passief gesloten (M22)"), Cel::Aantal(i.passief_gesloten)],
        ];
        for (reden, n) in &i.ingetrokken {
            aantallen.push(vec![
                Cel::Tekst(format!("Ingetrokken ({reden})")),
                Cel::Aantal(*n),
            ]);
        }
        aantallen.push(vec![t("Afgerekend"), Cel::Aantal(afgerekend)]);
        aantallen.push(vec![t("Betaald binnen de termijn"), Cel::Aantal(binnen)]);
        uit.push(tabel(
            Soort::Aantallen,
            "Aantallen",
            k(&["Cijfer", "Aantal"]),
            aantallen,
        ));
        uit.push(tabel(
            Soort::PerMaand,
            "Geregistreerd per maand",
            k(&["Maand", "Geregistreerd", "Overeenstemming", "Afgemeld"]),
            i.per_maand
                .iter()
                .map(|m| {
                    vec![
                        Cel::Maand(m.maand.clone()),
                        Cel::Aantal(m.geregistreerd),
                        Cel::Aantal(m.overeenstemming),
                        Cel::Aantal(m.afgemeld),
                    ]
                })
                .collect(),
        ));
        let duren = [
            (
                "Aanmelding tot overeenstemming",
                &i.dagen_aanmelding_tot_overeenstemming,
            ),
            (
                "Overeenstemming tot betaalverzoek",
                &i.dagen_overeenstemming_tot_betaalverzoek,
            ),
            (
                "Eindafrekening tot betaling",
                &i.dagen_afrekening_tot_betaling,
            ),
        ];
        uit.push(tabel(
            Soort::Doorlooptijden,
            "Doorlooptijden in dagen",
            k(&["Van – tot", "Aantal", "Mediaan", "90e percentiel"]),
            duren
                .iter()
                .map(|(naam, d)| {
                    vec![
                        t(naam),
                        Cel::Aantal(d.aantal),
                        Cel::Dagen(d.mediaan),
                        Cel::Dagen(d.p90),
                    ]
                })
                .collect(),
        ));
        let mut kolommen = k(&["Dagen"]);
        kolommen.extend(duren.iter().map(|(naam, _)| naam.to_string()));
        uit.push(tabel(
            Soort::Verdeling,
            "Verdeling van de doorlooptijden",
            kolommen,
            DOORLOOPKLASSEN
                .iter()
                .enumerate()
                .map(|(n, (_, _, klasse))| {
                    let mut r = vec![t(klasse)];
                    r.extend(
                        duren
                            .iter()
                            .map(|(_, d)| Cel::Aantal(d.verdeling.get(n).map_or(0, |k| k.aantal))),
                    );
                    r
                })
                .collect(),
        ));
        uit.push(tabel(
            Soort::PerOvs,
            "Overeenstemming per OVS-code",
            k(&["OVS-code", "Claims", "Met overeenstemming", "Aandeel"]),
            i.overeenstemming_per_ovs
                .iter()
                .map(|(ovs, (n, m, a))| {
                    vec![
                        t(ovs),
                        Cel::Aantal(*n),
                        Cel::Aantal(*m),
                        Cel::Aandeel(Some(*a)),
                    ]
                })
                .collect(),
        ));
        let mut kolommen = k(&["Werkmap"]);
        kolommen.extend(
            LEEFTIJDSKLASSEN
                .iter()
                .map(|(_, _, k)| format!("{k} dagen")),
        );
        uit.push(tabel(
            Soort::Open,
            "Open claims per werkmap naar leeftijd",
            kolommen,
            i.open_naar_leeftijd
                .iter()
                .map(|(map, klassen)| {
                    let mut r = vec![t(map)];
                    r.extend(
                        LEEFTIJDSKLASSEN
                            .iter()
                            .map(|(_, _, k)| Cel::Aantal(klassen.get(*k).copied().unwrap_or(0))),
                    );
                    r
                })
                .collect(),
        ));
    }
    uit.push(Tabel {
        soort: Soort::Rappels,
        rol: None,
        titel: "Rappels ontvangen".into(),
        kolommen: k(&["Soort", "Aantal"]),
        rijen: mi
            .rappels
            .iter()
            .map(|(s, n)| vec![t(s), Cel::Aantal(usize::try_from(*n).unwrap_or(0))])
            .collect(),
    });
    uit
}

/// The age classes of open claims in days (both ends included), in order,
/// as [`DOORLOOPKLASSEN`].
pub const LEEFTIJDSKLASSEN: [(i64, i64, &str); 4] = [
    (i64::MIN, 21, "0-21"),
    (22, 63, "22-63"),
    (64, 150, "64-150"),
    (151, i64::MAX, ">150"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn o(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    /// The worked example of docs/managementinformatie.md ("Rekenvoorbeeld"):
    /// P asks the default period on 31 March 2026.
    fn voorbeeld() -> Managementinformatie {
        let rijen: Vec<Rij> = vec![
            (
                "V".into(),
                "2025-05-02T09:00:00Z".into(),
                None,
                o("1"),
                o("2025-05-20T10:00:00+02:00"),
                o("2025-06-01"),
                o("2025-06-15"),
                o("2025-06-10"),
            ),
            (
                "V".into(),
                "2025-09-10T09:00:00Z".into(),
                None,
                o("3"),
                o("2025-10-30T10:00:00+01:00"),
                o("2025-11-03"),
                o("2025-11-17"),
                o("2025-11-25"),
            ),
            (
                "A".into(),
                "2026-02-20T09:00:00Z".into(),
                o("M13"),
                None,
                None,
                None,
                None,
                None,
            ),
        ];
        let open: Vec<OpenRij> = vec![
            (
                "V".into(),
                "ActieVerwacht".into(),
                "2025-09-10T09:00:00Z".into(),
            ),
            (
                "A".into(),
                "ActieVerwacht".into(),
                "2026-02-20T09:00:00Z".into(),
            ),
        ];
        tel(
            d("2025-04-01"),
            d("2026-03-31"),
            o("CR-00820000"),
            &rijen,
            &open,
            vec![("Rappel:Aansprakelijkheid".into(), 1)],
        )
    }

    #[test]
    fn het_rekenvoorbeeld() {
        let mi = voorbeeld();
        let v = &mi.rollen["V"];
        assert_eq!((v.geregistreerd, v.overeenstemming), (2, 2));
        let duur = |d: &Doorlooptijd| (d.aantal, d.mediaan, d.p90);
        assert_eq!(
            duur(&v.dagen_aanmelding_tot_overeenstemming),
            (2, Some(18), Some(50))
        );
        assert_eq!(
            duur(&v.dagen_overeenstemming_tot_betaalverzoek),
            (2, Some(4), Some(12))
        );
        assert_eq!(
            duur(&v.dagen_afrekening_tot_betaling),
            (2, Some(9), Some(22))
        );
        assert_eq!(v.betaald_binnen_termijn, (1, 2));
        assert_eq!(v.open_naar_leeftijd["ActieVerwacht"][">150"], 1);
        let a = &mi.rollen["A"];
        assert_eq!((a.geregistreerd, a.ingetrokken["M13"]), (1, 1));
        assert_eq!(a.open_naar_leeftijd["ActieVerwacht"]["22-63"], 1);
        assert_eq!(
            duur(&a.dagen_aanmelding_tot_overeenstemming),
            (0, None, None)
        );
        assert_eq!(mi.rappels["Aansprakelijkheid"], 1);
        // The long CSV as the document prints it.
        let csv = als_csv(&mi);
        assert!(
            csv.contains("\ndoorlooptijd_p90,V,aanmelding_tot_overeenstemming,50\n"),
            "{csv}"
        );
        assert!(csv.ends_with("\nrappels,,Aansprakelijkheid,1\n"), "{csv}");
    }

    #[test]
    fn verdeling_en_maanden() {
        let mi = voorbeeld();
        let v = &mi.rollen["V"];
        // 18 and 50 days; 12 and 4; 9 and 22.
        let telling = |d: &Doorlooptijd| d.verdeling.iter().map(|k| k.aantal).collect::<Vec<_>>();
        assert_eq!(
            telling(&v.dagen_aanmelding_tot_overeenstemming),
            [0, 0, 1, 0, 1, 0, 0]
        );
        assert_eq!(
            telling(&v.dagen_overeenstemming_tot_betaalverzoek),
            [1, 1, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            telling(&v.dagen_afrekening_tot_betaling),
            [0, 1, 0, 1, 0, 0, 0]
        );
        // A role with no lead time still has every class, at 0.
        assert_eq!(
            telling(&mi.rollen["A"].dagen_afrekening_tot_betaling),
            [0; 7]
        );
        // April 2025 to March 2026: twelve months, every one present.
        let maanden: Vec<_> = v.per_maand.iter().map(|m| m.maand.as_str()).collect();
        assert_eq!(maanden.len(), 12);
        assert_eq!((maanden[0], maanden[11]), ("2025-04", "2026-03"));
        let maand = |rol: &str, m: &str| {
            let x = mi.rollen[rol]
                .per_maand
                .iter()
                .find(|x| x.maand == m)
                .unwrap();
            (x.geregistreerd, x.overeenstemming, x.afgemeld)
        };
        assert_eq!(maand("V", "2025-05"), (1, 1, 0));
        assert_eq!(maand("V", "2025-09"), (1, 1, 0));
        assert_eq!(maand("V", "2025-06"), (0, 0, 0));
        assert_eq!(maand("A", "2026-02"), (1, 0, 1));
        let som: usize = v.per_maand.iter().map(|m| m.geregistreerd).sum();
        assert_eq!(som, v.geregistreerd);
    }

    #[test]
    fn een_csv_per_tabel() {
        let mi = voorbeeld();
        let tabellen = tabellen(&mi);
        let namen: Vec<String> = tabellen.iter().map(Tabel::naam).collect();
        assert_eq!(
            namen,
            [
                "A-aantallen",
                "A-per-maand",
                "A-doorlooptijden",
                "A-verdeling",
                "A-per-ovs",
                "A-open",
                "V-aantallen",
                "V-per-maand",
                "V-doorlooptijden",
                "V-verdeling",
                "V-per-ovs",
                "V-open",
                "rappels"
            ]
        );
        let csv = |naam: &str| tabellen.iter().find(|t| t.naam() == naam).unwrap().csv();
        assert_eq!(
            csv("V-doorlooptijden"),
            "Van – tot,Aantal,Mediaan,90e percentiel\n\
             Aanmelding tot overeenstemming,2,18,50\n\
             Overeenstemming tot betaalverzoek,2,4,12\n\
             Eindafrekening tot betaling,2,9,22\n"
        );
        assert_eq!(
            csv("A-doorlooptijden").lines().nth(1),
            Some("Aanmelding tot overeenstemming,0,,")
        );
        assert_eq!(
            csv("V-per-ovs"),
            "OVS-code,Claims,Met overeenstemming,Aandeel\n1,1,1,1.0000\n3,1,1,1.0000\n"
        );
        assert_eq!(
            csv("V-open"),
            "Werkmap,0-21 dagen,22-63 dagen,64-150 dagen,>150 dagen\nActieVerwacht,0,0,0,1\n"
        );
        assert!(csv("A-aantallen").contains("\nIngetrokken (M13),1\n"));
        assert!(csv("V-per-maand").contains("\n2025-05,1,1,0\n"));
        assert_eq!(Cel::Maand("2026-03".into()).scherm(), "mrt 2026");
        assert_eq!(csv("rappels"), "Soort,Aantal\nAansprakelijkheid,1\n");
    }

    #[test]
    fn elke_rol_ook_zonder_claims() {
        let leeg = tel(
            d("2026-01-01"),
            d("2026-03-31"),
            o("CR-00820000"),
            &[],
            &[],
            vec![],
        );
        assert_eq!(leeg.rollen.keys().collect::<Vec<_>>(), ["A", "V"]);
        let v = &leeg.rollen["V"];
        assert_eq!((v.geregistreerd, v.per_maand.len()), (0, 3));
        assert_eq!(v.dagen_afrekening_tot_betaling.verdeling.len(), 7);
        assert_eq!(tabellen(&leeg).len(), 13);
        let hub = tel(d("2026-01-01"), d("2026-03-31"), None, &[], &[], vec![]);
        assert_eq!(hub.rollen.keys().collect::<Vec<_>>(), ["V"]);
    }

    #[test]
    fn een_veld_wordt_geen_formule_en_blijft_een_veld() {
        let t = Tabel {
            soort: Soort::Rappels,
            rol: None,
            titel: String::new(),
            kolommen: vec!["a,b".into(), "c".into()],
            rijen: vec![vec![
                Cel::Tekst("=1+1".into()),
                Cel::Tekst("zei \"ja\"".into()),
            ]],
        };
        assert_eq!(t.csv(), "\"a,b\",c\n'=1+1,\"zei \"\"ja\"\"\"\n");
    }
}
