//! `clearinghuis-apibench`: the API's targets of web.md ("Targets") on a
//! store with 100,000 claims: the overview, search and the dossier at p99
//! ≤ 50 ms, a year of management information ≤ 500 ms; and the overview's
//! screen (HTML, rendered on the server) ≤ 100 ms.
//!
//! It fills a fresh store (PostgreSQL database `ch_api`, or a SQLite file
//! with `--sqlite`) through the in-memory hub (`loadgen::vul`), starts the
//! product's `clearinghuis serve` on it with the API on `--listen`, makes a
//! bearer token per participant with `clearinghuis token nieuw`, and times
//! `--requests` sequential requests of each kind over one keep-alive
//! connection, as a back office or a browser would send them. Prints the
//! figures; exits 1 when a request fails (a figure missing its target is
//! printed, not an error: this is a benchmark, not a test).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use clearinghuis_loadgen as loadgen;
use loadgen::api;
use loadgen::deelnemers::{self, EERSTE_CODE};
use loadgen::gesprek::{Model, kenteken};
use loadgen::meting::{Histogram, duizendtallen};
use loadgen::proces::{self, HubProces};
use loadgen::{LoadgenFout, vul};

#[derive(Debug, Parser)]
#[command(name = "clearinghuis-apibench", version)]
struct Args {
    /// Claims in the store.
    #[arg(long, default_value_t = 100_000)]
    claims: u64,
    #[arg(long, default_value_t = 10)]
    participants_count: usize,
    /// The PostgreSQL server; the store is a fresh database `ch_api` on it.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg: String,
    /// A SQLite store at this path instead of PostgreSQL.
    #[arg(long)]
    sqlite: Option<PathBuf>,
    /// Keep the store of an earlier run when it holds `--claims` claims.
    #[arg(long)]
    reuse: bool,
    /// Timed requests per kind.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// The hub binary (default: `clearinghuis` next to this one).
    #[arg(long)]
    hub: Option<PathBuf>,
    #[arg(long, default_value = "127.0.0.1:8181")]
    listen: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

const DATABASE: &str = "ch_api";

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(voer_uit(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("apibench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Claims in the store (a party row each side; the fill makes no counter-claims).
async fn aantal_claims(url: &str) -> Option<i64> {
    let sql = "SELECT COUNT(DISTINCT claim_id) FROM claim_partijen";
    if url.starts_with("sqlite:") {
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(url)
            .await
            .ok()?;
        sqlx::query_scalar(sql).fetch_one(&mut c).await.ok()
    } else {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
            .await
            .ok()?;
        sqlx::query_scalar(sql).fetch_one(&mut c).await.ok()
    }
}

/// What a running store's server does by itself (autovacuum) or its
/// operator schedules: the planner's statistics and the visibility map
/// after 2 million rows were written in minutes. Without them PostgreSQL
/// plans the overview on an empty table's estimates.
async fn onderhoud(url: &str) -> Result<(), LoadgenFout> {
    let begin = std::time::Instant::now();
    if url.starts_with("sqlite:") {
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(url).await?;
        sqlx::query("ANALYZE").execute(&mut c).await?;
    } else {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url).await?;
        sqlx::query("VACUUM ANALYZE").execute(&mut c).await?;
    }
    println!(
        "store: {} in {:.1} s",
        if url.starts_with("sqlite:") {
            "ANALYZE"
        } else {
            "VACUUM ANALYZE"
        },
        begin.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn vul_store(args: &Args, url: &str, model: &Model) -> Result<(), LoadgenFout> {
    let totaal = vul::berichten(0..args.claims);
    let mut voortgang = |n: u64| {
        if n % 100_000 < 2_000 || n == totaal {
            println!(
                "  fill: {} of {} inbound messages",
                duizendtallen(n),
                duizendtallen(totaal)
            );
        }
    };
    let eind = loadgen::nu();
    let verslag = if url.starts_with("sqlite:") {
        let store = clearinghuis::store::sqlite::SqliteStore::open(url)
            .await
            .map_err(|e| LoadgenFout::Hub(format!("store: {e}")))?;
        let v = vul::vul(&store, model, 0..args.claims, eind, &mut voortgang).await;
        store.sluit().await;
        v?
    } else {
        let store = clearinghuis::store::postgres::PgStore::open(url)
            .await
            .map_err(|e| LoadgenFout::Hub(format!("store: {e}")))?;
        let v = vul::vul(&store, model, 0..args.claims, eind, &mut voortgang).await;
        store.sluit().await;
        v?
    };
    println!(
        "fill: {} claims, {} inbound and {} outbound messages, {} timers fired, {} Foutberichten, {} unexpected, in {:.1} s ({} inbound msg/s)",
        duizendtallen(verslag.claims),
        duizendtallen(verslag.berichten_in),
        duizendtallen(verslag.berichten_uit),
        duizendtallen(verslag.timers),
        verslag.foutberichten,
        verslag.onverwacht,
        verslag.seconden,
        duizendtallen((verslag.berichten_in as f64 / verslag.seconden.max(1e-9)) as u64)
    );
    if verslag.foutberichten > 0 {
        return Err(LoadgenFout::Hub(format!(
            "{} Foutberichten while filling",
            verslag.foutberichten
        )));
    }
    Ok(())
}

fn regel(naam: &str, h: &Histogram, doel_ms: f64) {
    let ms = |us: u64| us as f64 / 1000.0;
    let p99 = ms(h.kwantiel_us(0.99));
    println!(
        "  {naam:<28} n {:>5}  p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  target p99 ≤ {doel_ms} ms: {}",
        h.aantal(),
        ms(h.kwantiel_us(0.50)),
        p99,
        ms(h.max_us()),
        if p99 <= doel_ms { "met" } else { "MISSED" }
    );
}

fn claim_ids(body: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("claims")?.as_array().map(|a| {
                a.iter()
                    .filter_map(|c| c.get("claim_id")?.as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

async fn voer_uit(args: &Args) -> Result<(), LoadgenFout> {
    let hub = match &args.hub {
        Some(h) => h.clone(),
        None => proces::naast_mij()?,
    };
    let codes = deelnemers::codes(args.participants_count, EERSTE_CODE)?;
    let model = Model::new(codes.clone(), args.seed)?;
    let url = match &args.sqlite {
        Some(pad) => format!("sqlite://{}", pad.display()),
        None => proces::store_url(&args.pg)?
            .replace(&format!("/{}", proces::DATABASE), &format!("/{DATABASE}")),
    };
    let bestaand = if args.reuse {
        aantal_claims(&url).await
    } else {
        None
    };
    if bestaand == Some(args.claims as i64) {
        println!("store: {url} kept ({} claims)", duizendtallen(args.claims));
        onderhoud(&url).await?;
    } else {
        match &args.sqlite {
            Some(pad) => {
                for p in [
                    pad.clone(),
                    PathBuf::from(format!("{}-wal", pad.display())),
                    PathBuf::from(format!("{}-shm", pad.display())),
                ] {
                    let _ = std::fs::remove_file(p);
                }
                if let Some(d) = pad.parent() {
                    let _ = std::fs::create_dir_all(d);
                }
                // The store creates the file: mode=rwc.
                let _ = std::fs::File::create(pad);
            }
            None => {
                proces::verse_database_als(&args.pg, DATABASE).await?;
            }
        }
        println!(
            "store: {url}, filling with {} claims",
            duizendtallen(args.claims)
        );
        vul_store(args, &url, &model).await?;
    }

    let map = std::env::temp_dir().join(format!("clearinghuis-apibench-{}", std::process::id()));
    std::fs::create_dir_all(map.join("mailboxes")).map_err(|bron| LoadgenFout::Bestand {
        pad: map.display().to_string(),
        bron,
    })?;
    let postbus = format!(
        "kind = \"directory\"\nroot = {}",
        proces::toml_tekst(&map.join("mailboxes").display().to_string())
    );
    let config = proces::schrijf_config_met(&map, &deelnemers::toml(&codes), &url, &postbus)?;
    let tokens: Vec<String> = codes
        .iter()
        .map(|c| api::token(&hub, &config, c.as_str()))
        .collect::<Result<_, _>>()?;
    let mut proces = HubProces::start(&hub, &config, &map, &args.listen)?;
    let basis = format!("http://{}", args.listen);
    let klaar = api::wacht_tot_klaar(&basis, Duration::from_secs(120));
    if let Err(e) = klaar {
        let _ = proces.stop(Duration::from_secs(10));
        return Err(LoadgenFout::Hub(format!(
            "{e}\n{}",
            proces::staart(&proces.log, 20)
        )));
    }
    println!("hub: pid {}, API on {basis}", proces.pid);
    let uitkomst = tokio::task::block_in_place(|| meet(args, &basis, &codes, &tokens));
    let _ = proces.stop(Duration::from_secs(30));
    uitkomst?;
    let _ = std::fs::remove_dir_all(&map);
    Ok(())
}

fn meet(
    args: &Args,
    basis: &str,
    codes: &[clearinghuis::bericht::Deelnemercode],
    tokens: &[String],
) -> Result<(), LoadgenFout> {
    let agent = api::agent();
    let n = args.requests.max(10);
    let p = codes.len();
    let token = |i: usize| tokens[i % p].clone();
    let mappen = ["ActieVerwacht", "WachtOp", "Archief"];
    let sorteringen = [
        "-gewijzigd",
        "schadedatum",
        "-kenteken",
        "status",
        "tegenpartij",
        "-schadenummer",
        "claimid",
    ];

    // Claims of each participant for the dossier, read from its overview.
    let mut ids: Vec<Vec<String>> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let mut eigen = Vec::new();
        for m in mappen {
            let body = api::haal(
                &agent,
                &format!("{basis}/api/v1/claims?werkmap={m}&per_page=200"),
                t,
            )?;
            eigen.extend(claim_ids(&body));
        }
        if eigen.is_empty() {
            return Err(LoadgenFout::Hub(format!("participant {i} sees no claims")));
        }
        ids.push(eigen);
    }
    let totalen = api::haal(&agent, &format!("{basis}/api/v1/claims"), &tokens[0])?;
    println!(
        "overview of {}: {}",
        codes[0],
        &totalen[..totalen.find("\"claims\"").unwrap_or(80).min(totalen.len())]
    );

    let overzicht: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{basis}/api/v1/claims?werkmap={}&page={}",
                mappen[i % 3],
                1 + (i / 3) % 4
            )
        })
        .collect();
    let gesorteerd: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{basis}/api/v1/claims?werkmap={}&sorteer={}&page={}",
                mappen[i % 3],
                sorteringen[i % sorteringen.len()],
                1 + i % 5
            )
        })
        .collect();
    // Searches a handler types: part of a plate in any spelling, a
    // schadenummer, a ClaimId; in the search box and in a column's field.
    let zoeken: Vec<String> = (0..n)
        .map(|i| {
            let claim = (i as u64 * 7_919) % args.claims;
            let plaat = kenteken(2 * claim);
            match i % 4 {
                0 => format!(
                    "{basis}/api/v1/claims?zoek={}",
                    plaat.replace('-', "").to_lowercase()
                ),
                1 => format!(
                    "{basis}/api/v1/claims?werkmap=Archief&kenteken={}",
                    &plaat[3..]
                ),
                2 => format!("{basis}/api/v1/claims?zoek=LGV-{claim:08}"),
                _ => format!(
                    "{basis}/api/v1/claims?werkmap={}&zoek=overeenstemming",
                    mappen[i % 3]
                ),
            }
        })
        .collect();
    let dossier: Vec<String> = (0..n)
        .map(|i| {
            let eigen = &ids[i % p];
            format!(
                "{basis}/api/v1/claims/{}",
                eigen[(i / p * 13) % eigen.len()]
            )
        })
        .collect();
    let historie: Vec<String> = dossier.iter().map(|u| format!("{u}/historie")).collect();
    // The screen of the overview (issue 20: ≤ 100 ms p99 server-side), the
    // same folders and pages as the API's overview, rendered as HTML.
    let scherm: Vec<String> = overzicht
        .iter()
        .map(|u| u.replace("/api/v1/claims?", "/werkmappen?"))
        .collect();
    let berichten: Vec<String> = dossier.iter().map(|u| format!("{u}/berichten")).collect();
    let informatie: Vec<String> = (0..n)
        .map(|i| {
            let claim = (i as u64 * 104_729) % args.claims;
            format!(
                "{basis}/api/v1/informatie?kenteken={}",
                kenteken(2 * claim + 1)
            )
        })
        .collect();
    let mi: Vec<String> = (0..(n / 10).max(20))
        .map(|_| format!("{basis}/api/v1/mi"))
        .collect();

    // Warm up: the first requests of each kind open connections and read
    // the indexes into the caches (printed apart, not in the figures).
    let mut traagst = 0u64;
    for lijst in [
        &overzicht,
        &gesorteerd,
        &zoeken,
        &dossier,
        &historie,
        &berichten,
        &informatie,
        &mi,
        &scherm,
    ] {
        let n = 30.min(lijst.len());
        traagst = traagst.max(api::meet(&agent, &lijst[lijst.len() - n..], &token)?.max_us());
    }
    println!(
        "warm-up: 30 requests of each kind (the last ones of each list), slowest {:.1} ms",
        traagst as f64 / 1000.0
    );
    println!(
        "timed, sequential, one connection ({} requests a kind):",
        duizendtallen(n as u64)
    );
    regel(
        "overview (3 folders, pages)",
        &api::meet(&agent, &overzicht, &token)?,
        50.0,
    );
    regel(
        "overview, sorted per column",
        &api::meet(&agent, &gesorteerd, &token)?,
        50.0,
    );
    regel("search", &api::meet(&agent, &zoeken, &token)?, 50.0);
    regel("dossier", &api::meet(&agent, &dossier, &token)?, 50.0);
    regel("historie", &api::meet(&agent, &historie, &token)?, 50.0);
    regel(
        "berichtenverkeer",
        &api::meet(&agent, &berichten, &token)?,
        50.0,
    );
    regel(
        "CR Informatie (kenteken)",
        &api::meet(&agent, &informatie, &token)?,
        50.0,
    );
    regel(
        "management information, year",
        &api::meet(&agent, &mi, &token)?,
        500.0,
    );
    regel(
        "overview screen (HTML)",
        &api::meet(&agent, &scherm, &token)?,
        100.0,
    );
    Ok(())
}
