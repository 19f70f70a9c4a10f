//! `clearinghuis gebruiker …` and `clearinghuis token …` (web.md "Users,
//! roles, sessions"): the web part's users and the back offices' bearer
//! tokens, managed on the hub's host. Passwords and tokens are printed once;
//! the store keeps an argon2id hash and a SHA-256.

#![allow(clippy::type_complexity)] // rows read as tuples, one per query
#![allow(clippy::result_large_err)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::bericht::Deelnemercode;
use crate::bewaking::Bewaking;
use crate::config::Configuratie;
use crate::store::bewaakt::BewaakteStore;
use crate::web::db::{Db, beide};
use crate::web::geheim;
use crate::web::toegang::{Rol, lees_rollen, schrijf_rollen};

#[derive(Debug, clap::Args)]
pub struct Plek {
    /// clearinghuis.toml ([store] url); CLEARINGHUIS_* variables apply too.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The embedded default's folder (as `serve --data`).
    #[arg(long, default_value = "clearinghuis-data")]
    data: PathBuf,
}

#[derive(Debug, clap::Subcommand)]
pub enum Gebruiker {
    /// Add a user; prints a one-time password (and the TOTP secret with --totp).
    Toevoegen {
        #[command(flatten)]
        plek: Plek,
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: String,
        /// The participant's code, or `hub` for the hub's operator.
        #[arg(long)]
        deelnemer: String,
        /// Comma-separated: schadebehandeling, informatie, management, audit, operator.
        #[arg(long)]
        rollen: String,
        /// Give the user a second factor (TOTP).
        #[arg(long)]
        totp: bool,
    },
    /// Change a user's name or roles, set a new password, add or remove the second factor.
    Wijzigen {
        #[command(flatten)]
        plek: Plek,
        #[arg(long)]
        email: String,
        #[arg(long)]
        naam: Option<String>,
        #[arg(long)]
        rollen: Option<String>,
        /// A new one-time password (printed), which also lifts a lock.
        #[arg(long)]
        nieuw_wachtwoord: bool,
        #[arg(long)]
        totp: bool,
        #[arg(long, conflicts_with = "totp")]
        geen_totp: bool,
    },
    /// Block a user (ends the user's sessions), or lift the block.
    Blokkeren {
        #[command(flatten)]
        plek: Plek,
        #[arg(long)]
        email: String,
        #[arg(long)]
        opheffen: bool,
    },
    /// List the users.
    Lijst {
        #[command(flatten)]
        plek: Plek,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum Token {
    /// Make a bearer token for a participant's back office (or `hub` for the operator); printed once.
    Nieuw {
        #[command(flatten)]
        plek: Plek,
        deelnemer: String,
        #[arg(long)]
        rollen: String,
        #[arg(long, default_value = "")]
        omschrijving: String,
        /// Valid this many days (default: until revoked).
        #[arg(long)]
        dagen: Option<u32>,
    },
    Lijst {
        #[command(flatten)]
        plek: Plek,
    },
    Intrekken {
        #[command(flatten)]
        plek: Plek,
        id: i64,
    },
}

/// The store's URL as `serve` would use it.
fn url(plek: &Plek) -> Result<String, String> {
    let config =
        Configuratie::laad(plek.config.as_deref(), std::env::vars()).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&plek.data).map_err(|e| format!("{}: {e}", plek.data.display()))?;
    super::serve::plaatsen(&config, &plek.data).map(|(u, _)| u)
}

/// Opens the store (migrating it, as `serve` does) and a pool on it.
async fn open(plek: &Plek) -> Result<Db, String> {
    let url = url(plek)?;
    let store = BewaakteStore::open(&url, None, Arc::new(Bewaking::new()))
        .await
        .map_err(|e| crate::verbergen::url(&e.to_string()))?;
    store.sluit().await;
    Db::open(&url, 2).await.map_err(|e| e.to_string())
}

fn deelnemer(tekst: &str) -> Result<Option<String>, String> {
    if tekst == "hub" {
        return Ok(None);
    }
    Deelnemercode::new(tekst)
        .map(|c| Some(c.to_string()))
        .map_err(|_| format!("{tekst:?} is not a participant code (CR-…) or `hub`"))
}

/// Roles that fit who they are for: `operator` only for the hub.
fn rollen_voor(tekst: &str, deelnemer: &Option<String>) -> Result<Vec<Rol>, String> {
    let rollen = lees_rollen(tekst)?;
    if rollen.is_empty() {
        return Err("give at least one role".into());
    }
    match deelnemer {
        Some(_) if rollen.contains(&Rol::Operator) => {
            Err("operator is a role of the hub (--deelnemer hub), not of a participant".into())
        }
        None if rollen != [Rol::Operator] => Err("a hub user has the role operator only".into()),
        _ => Ok(rollen),
    }
}

pub async fn voeg_toe(
    db: &Db,
    email: &str,
    naam: &str,
    deelnemer: &Option<String>,
    rollen: &[Rol],
    totp: bool,
    eenmalig: bool,
) -> Result<(String, Option<String>), String> {
    let wachtwoord = geheim::eenmalig_wachtwoord();
    let hash = geheim::hash_wachtwoord(&wachtwoord)?;
    let geheim_totp = totp.then(geheim::totp_geheim);
    let email = email.trim().to_lowercase();
    if !email.contains('@') {
        return Err(format!("{email:?} is not an e-mail address"));
    }
    let r = beide!(db, p => sqlx::query(
        "INSERT INTO gebruikers (email, naam, deelnemer, rollen, wachtwoord, totp, aangemaakt, eenmalig) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&email).bind(naam).bind(deelnemer).bind(schrijf_rollen(rollen)).bind(&hash).bind(&geheim_totp).bind(crate::web::nu_tekst()).bind(i64::from(eenmalig))
        .execute(p).await.map(|_| ()));
    r.map_err(|e| {
        if e.to_string().to_lowercase().contains("unique") {
            format!("a user {email} exists already")
        } else {
            e.to_string()
        }
    })?;
    Ok((wachtwoord, geheim_totp))
}

fn toon_totp(email: &str, geheim: &str) {
    println!("second factor (TOTP) secret: {geheim}");
    println!("  otpauth://totp/Clearinghuis:{email}?secret={geheim}&issuer=Clearinghuis");
}

pub fn gebruiker(o: Gebruiker) -> ExitCode {
    runtime(async move {
        match o {
            Gebruiker::Toevoegen {
                plek,
                email,
                naam,
                deelnemer: d,
                rollen,
                totp,
            } => {
                let d = deelnemer(&d)?;
                let rollen = rollen_voor(&rollen, &d)?;
                let db = open(&plek).await?;
                let (w, t) = voeg_toe(&db, &email, &naam, &d, &rollen, totp, true).await?;
                println!(
                    "user {} added; one-time password: {w}",
                    email.to_lowercase()
                );
                eprintln!("the user changes it at the first login");
                if let Some(t) = t {
                    toon_totp(&email, &t);
                }
                Ok(())
            }
            Gebruiker::Wijzigen {
                plek,
                email,
                naam,
                rollen,
                nieuw_wachtwoord,
                totp,
                geen_totp,
            } => {
                let db = open(&plek).await?;
                let email = email.trim().to_lowercase();
                let d: Option<Option<String>> = beide!(&db, p => sqlx::query_scalar("SELECT deelnemer FROM gebruikers WHERE email = $1").bind(&email).fetch_optional(p).await).map_err(|e| e.to_string())?;
                let Some(d) = d else {
                    return Err(format!("no user {email}"));
                };
                if let Some(n) = naam {
                    beide!(&db, p => sqlx::query("UPDATE gebruikers SET naam = $1 WHERE email = $2").bind(n).bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
                }
                if let Some(r) = rollen {
                    let r = rollen_voor(&r, &d)?;
                    beide!(&db, p => sqlx::query("UPDATE gebruikers SET rollen = $1 WHERE email = $2").bind(schrijf_rollen(&r)).bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
                }
                if nieuw_wachtwoord {
                    let w = geheim::eenmalig_wachtwoord();
                    let h = geheim::hash_wachtwoord(&w)?;
                    // A new one-time password ends the user's sessions and
                    // must be changed at the next login.
                    beide!(&db, p => sqlx::query("UPDATE gebruikers SET wachtwoord = $1, mislukt = 0, vergrendeld_tot = NULL, eenmalig = 1 WHERE email = $2").bind(h).bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
                    beide!(&db, p => sqlx::query("DELETE FROM sessies WHERE gebruiker IN (SELECT id FROM gebruikers WHERE email = $1)").bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
                    println!("one-time password: {w}");
                }
                if totp || geen_totp {
                    let t = totp.then(geheim::totp_geheim);
                    beide!(&db, p => sqlx::query("UPDATE gebruikers SET totp = $1 WHERE email = $2").bind(&t).bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
                    if let Some(t) = t {
                        toon_totp(&email, &t);
                    }
                }
                println!("user {email} changed");
                Ok(())
            }
            Gebruiker::Blokkeren {
                plek,
                email,
                opheffen,
            } => {
                let db = open(&plek).await?;
                let email = email.trim().to_lowercase();
                let n = beide!(&db, p => sqlx::query("UPDATE gebruikers SET geblokkeerd = $1 WHERE email = $2").bind(i64::from(!opheffen)).bind(&email).execute(p).await.map(|r| r.rows_affected())).map_err(|e| e.to_string())?;
                if n == 0 {
                    return Err(format!("no user {email}"));
                }
                if !opheffen {
                    beide!(&db, p => sqlx::query("DELETE FROM sessies WHERE gebruiker = (SELECT id FROM gebruikers WHERE email = $1)").bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
                }
                println!(
                    "user {email} {}",
                    if opheffen {
                        "unblocked"
                    } else {
                        "blocked; its sessions ended"
                    }
                );
                Ok(())
            }
            Gebruiker::Lijst { plek } => {
                let db = open(&plek).await?;
                let rijen: Vec<(String, String, Option<String>, String, Option<String>, i64)> = beide!(&db, p => sqlx::query_as("SELECT email, naam, deelnemer, rollen, totp, geblokkeerd FROM gebruikers ORDER BY email").fetch_all(p).await).map_err(|e| e.to_string())?;
                for (e, n, d, r, t, b) in rijen {
                    println!(
                        "{e}\t{n}\t{}\t{r}\t{}{}",
                        d.unwrap_or_else(|| "hub".into()),
                        if t.is_some() { "totp" } else { "-" },
                        if b != 0 { "\tgeblokkeerd" } else { "" }
                    );
                }
                Ok(())
            }
        }
    })
}

pub async fn nieuw_token(
    db: &Db,
    deelnemer: &Option<String>,
    rollen: &[Rol],
    omschrijving: &str,
    dagen: Option<u32>,
) -> Result<(i64, String), String> {
    let token = format!("chr_{}", geheim::token());
    let verloopt = dagen.map(|d| crate::web::nu_unix() + i64::from(d) * 86_400);
    beide!(db, p => sqlx::query("INSERT INTO tokens (hash, deelnemer, rollen, omschrijving, aangemaakt, verloopt) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(geheim::hash(&token)).bind(deelnemer).bind(schrijf_rollen(rollen)).bind(omschrijving).bind(crate::web::nu_tekst()).bind(verloopt)
        .execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
    let id: i64 = beide!(db, p => sqlx::query_scalar("SELECT id FROM tokens WHERE hash = $1").bind(geheim::hash(&token)).fetch_one(p).await).map_err(|e| e.to_string())?;
    Ok((id, token))
}

pub fn token(o: Token) -> ExitCode {
    runtime(async move {
        match o {
            Token::Nieuw {
                plek,
                deelnemer: d,
                rollen,
                omschrijving,
                dagen,
            } => {
                let d = deelnemer(&d)?;
                let rollen = rollen_voor(&rollen, &d)?;
                let db = open(&plek).await?;
                let (id, t) = nieuw_token(&db, &d, &rollen, &omschrijving, dagen).await?;
                eprintln!(
                    "token {id} for {} ({}); shown once, keep it safe:",
                    d.as_deref().unwrap_or("hub"),
                    schrijf_rollen(&rollen)
                );
                println!("{t}");
                Ok(())
            }
            Token::Lijst { plek } => {
                let db = open(&plek).await?;
                let rijen: Vec<(i64, Option<String>, String, String, String, Option<i64>, Option<String>)> = beide!(&db, p => sqlx::query_as("SELECT id, deelnemer, rollen, omschrijving, aangemaakt, verloopt, ingetrokken FROM tokens ORDER BY id").fetch_all(p).await).map_err(|e| e.to_string())?;
                for (id, d, r, o, a, v, i) in rijen {
                    let stand = match (i, v) {
                        (Some(i), _) => format!("ingetrokken {i}"),
                        (None, Some(v)) if v <= crate::web::nu_unix() => "verlopen".into(),
                        _ => "geldig".into(),
                    };
                    println!(
                        "{id}\t{}\t{r}\t{a}\t{stand}\t{o}",
                        d.unwrap_or_else(|| "hub".into())
                    );
                }
                Ok(())
            }
            Token::Intrekken { plek, id } => {
                let db = open(&plek).await?;
                let n = beide!(&db, p => sqlx::query("UPDATE tokens SET ingetrokken = $1 WHERE id = $2 AND ingetrokken IS NULL").bind(crate::web::nu_tekst()).bind(id).execute(p).await.map(|r| r.rows_affected())).map_err(|e| e.to_string())?;
                if n == 0 {
                    return Err(format!("no valid token {id}"));
                }
                println!("token {id} revoked");
                Ok(())
            }
        }
    })
}

fn runtime(f: impl std::future::Future<Output = Result<(), String>>) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("clearinghuis: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(f) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("clearinghuis: {e}");
            ExitCode::from(2)
        }
    }
}

/// `serve --demo`: a user per participant (every participant role) and an
/// operator, with fresh passwords each start, and a token for the first
/// participant in `<data>/demo-token`, so the README's `curl` works.
pub async fn demo(
    db: &Db,
    deelnemers: &crate::deelnemers::Deelnemers,
    data: &std::path::Path,
) -> Result<Vec<String>, String> {
    let mut regels = Vec::new();
    let alle = [
        Rol::Schadebehandeling,
        Rol::Informatie,
        Rol::Management,
        Rol::Audit,
    ];
    let mut gebruikers: Vec<(String, String, Option<String>, Vec<Rol>)> = deelnemers
        .iter()
        .map(|d| {
            (
                format!("demo@{}.example", d.code.as_str().to_lowercase()),
                format!("Demo {}", d.naam),
                Some(d.code.to_string()),
                alle.to_vec(),
            )
        })
        .collect();
    gebruikers.push((
        "operator@clearinghuis.example".into(),
        "Demo operator".into(),
        None,
        vec![Rol::Operator],
    ));
    for (email, naam, d, rollen) in gebruikers {
        beide!(db, p => sqlx::query("DELETE FROM sessies WHERE gebruiker IN (SELECT id FROM gebruikers WHERE email = $1)").bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
        beide!(db, p => sqlx::query("DELETE FROM gebruikers WHERE email = $1").bind(&email).execute(p).await.map(|_| ())).map_err(|e| e.to_string())?;
        // Demo users keep their printed password: the demo leads straight
        // to the screens (docs/schermen.md).
        let (w, _) = voeg_toe(db, &email, &naam, &d, &rollen, false, false).await?;
        regels.push(format!(
            "  {email}  password {w}  ({})",
            d.as_deref().unwrap_or("hub operator")
        ));
    }
    if let Some(eerste) = deelnemers.iter().next() {
        let (_, t) = nieuw_token(
            db,
            &Some(eerste.code.to_string()),
            &alle,
            "serve --demo",
            Some(1),
        )
        .await?;
        let pad = data.join("demo-token");
        std::fs::write(&pad, format!("{t}\n")).map_err(|e| format!("{}: {e}", pad.display()))?;
        regels.push(format!(
            "  a bearer token for {} is in {}",
            eerste.code,
            pad.display()
        ));
    }
    Ok(regels)
}
