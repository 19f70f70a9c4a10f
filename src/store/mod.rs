//! The store (operations.md "Store"): message log, claims, timers, held
//! messages, inbox, outbox and the counters, written in one transaction per
//! batch of inputs. The engine never sees it: the dispatcher loads the state
//! into an [`engine::Toestand`] at start, and after every batch hands the
//! store the log lines and the [`Wijziging`]s the engine returned.
//!
//! The running hub keeps only a cache of the state ([`Toestand`] partial):
//! [`Store::laad`] gives the counters, held messages and the due-timer index,
//! and [`Store::zoek`] answers the lookups the engine makes (claims, keys,
//! inbox entries with their answers) on demand, so memory does not grow with
//! the number of claims.
//!
//! One implementation per database behind the same methods: [`sqlite`] for
//! the embedded hub, [`postgres`] for production, with the same rows, order
//! and export (tests/store.rs runs one suite on both). sqlx's `Any` driver
//! carries neither decimals nor times, so each store speaks its own driver,
//! and money stays text inside the claim's JSON.

pub mod bewaakt;
pub mod overzicht;
pub mod postgres;
mod rij;
pub mod slot;
pub mod sqlite;

use crate::bericht::{BerichtId, ClaimId, Deelnemercode};
use crate::engine::{self, Gevonden, Toestand, Vraag, Wijziging};
use crate::hub::{Gewekt, Logregel, Richting};

#[derive(Debug, thiserror::Error)]
pub enum StoreFout {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migratie(#[from] sqlx::migrate::MigrateError),
    #[error("stored {wat} is not readable: {reden}")]
    Onleesbaar { wat: String, reden: String },
    #[error("writing the export: {0}")]
    Schrijven(#[from] std::io::Error),
    /// PostgreSQL: this hub's lock session no longer holds the store's lock,
    /// so another hub may serve it: nothing is committed.
    #[error("this hub no longer holds the store's lock (another hub may serve it); not committed")]
    SlotKwijt,
    /// The lock file of a SQLite store ([`slot`]).
    #[error("the lock file {pad}: {bron}")]
    Slotbestand { pad: String, bron: std::io::Error },
}

impl StoreFout {
    /// The database has no room to write: SQLite's SQLITE_FULL or an I/O
    /// error (a full quota shows as one), PostgreSQL's disk_full (53100),
    /// or ENOSPC/EDQUOT from the file system.
    pub fn schijf_vol(&self) -> bool {
        match self {
            StoreFout::Database(e) => sqlx_schijf_vol(e),
            StoreFout::Migratie(sqlx::migrate::MigrateError::Execute(e)) => sqlx_schijf_vol(e),
            StoreFout::Schrijven(e) | StoreFout::Slotbestand { bron: e, .. } => {
                crate::bewaking::schijf_vol_io(e)
            }
            _ => false,
        }
    }

    /// A failure that trying again will not mend: a login or database that
    /// does not exist, a bad URL, a certificate, a database this binary
    /// does not know. Connection refused or timed out is not one: the
    /// server may still be starting.
    pub fn blijvend(&self) -> bool {
        match self {
            StoreFout::Database(e) => sqlx_blijvend(e),
            StoreFout::Migratie(sqlx::migrate::MigrateError::Execute(e)) => sqlx_blijvend(e),
            StoreFout::Migratie(_) | StoreFout::Onleesbaar { .. } => true,
            StoreFout::Slotbestand { bron, .. } => {
                bron.kind() == std::io::ErrorKind::PermissionDenied
            }
            StoreFout::Schrijven(_) | StoreFout::SlotKwijt => false,
        }
    }
}

fn sqlx_schijf_vol(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(e) => crate::bewaking::schijf_vol_io(e),
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("53100") => true,
            // SQLite: the primary result code is the low byte of an
            // extended one; 13 is SQLITE_FULL, 10 SQLITE_IOERR.
            Some(c) => c.parse::<i32>().is_ok_and(|n| {
                d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
                    && matches!(n & 0xff, 10 | 13)
            }),
            None => false,
        },
        _ => false,
    }
}

fn sqlx_blijvend(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Configuration(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Io(e) => e.kind() == std::io::ErrorKind::PermissionDenied,
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLITE_PERM, READONLY, CORRUPT, CANTOPEN, AUTH, NOTADB.
                code.parse::<i32>()
                    .is_ok_and(|n| matches!(n & 0xff, 3 | 8 | 11 | 14 | 23 | 26))
            } else {
                // invalid_authorization_specification (an unknown role),
                // invalid_password, invalid_catalog_name (no such
                // database), insufficient_privilege.
                matches!(&*code, "28000" | "28P01" | "3D000" | "42501")
            }
        }
        _ => false,
    }
}

/// One line of the message log as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Logrij {
    /// The line; inbound, with the bytes exactly as received
    /// ([`Logregel::bytes`]), or the start and size of a message too large.
    pub regel: Logregel,
    /// Inbound: the content hash and the outcome.
    pub hash: Option<String>,
    pub uitslag: Option<String>,
    /// Outbound: the hub's BerichtId (also put in the outbox).
    pub bericht_id: Option<BerichtId>,
    /// The claim the line belongs to, when there is one (the message traffic
    /// of a dossier reads it).
    pub claim_id: Option<String>,
    /// Inbound: the sender's own BerichtId, when it could be read.
    pub extern_id: Option<String>,
    /// The message's kind ([`soort_van`]).
    pub soort: Option<String>,
}

/// A file of a directory mailbox, committed with the batch that logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bestand {
    pub mailbox: Deelnemercode,
    pub naam: String,
    pub hash: String,
    pub seq: u64,
}

/// A committed file as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bestandsrij {
    pub hash: String,
    /// The log line of the message it held.
    pub seq: u64,
    /// Moved out of the `in` folder already.
    pub verplaatst: bool,
}

/// Everything one transaction writes.
#[derive(Debug, Default)]
pub struct Batch {
    pub regels: Vec<Logrij>,
    pub wijzigingen: Vec<Wijziging>,
    pub bestanden: Vec<Bestand>,
    /// Outbound messages of earlier batches the broker has confirmed since:
    /// marked sent in the same transaction (one commit less per round).
    pub verzonden: Vec<u64>,
}

impl Batch {
    /// Adds what a fired timer wrote: its out lines and its changes.
    pub fn neem_gewekt(&mut self, g: Gewekt) {
        let claim = match &g.wekker.doel {
            engine::Doel::Claim(c) => Some(c),
            engine::Doel::Vastgehouden => None,
        };
        self.regels.extend(logrijen(None, claim, &g.uit));
        self.wijzigingen.extend(g.wijzigingen);
    }

    /// When the batch happened: its latest log line (a claim's row in the
    /// overview is "changed" then); the clock only for a batch without one.
    pub fn tijd(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.regels
            .iter()
            .map(|r| r.regel.at)
            .max()
            .unwrap_or_else(|| chrono::Utc::now().fixed_offset())
    }

    pub fn is_leeg(&self) -> bool {
        self.regels.is_empty()
            && self.wijzigingen.is_empty()
            && self.bestanden.is_empty()
            && self.verzonden.is_empty()
    }
}

/// An outbound message committed but not yet delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uitgaand {
    pub seq: u64,
    pub mailbox: Deelnemercode,
    pub bericht_id: String,
    pub xml: Vec<u8>,
}

/// The state as stored, partial (see the module doc), and where the log ends.
pub struct Opgeslagen {
    pub toestand: Toestand,
    pub seq: u64,
}

/// What every store does. Each method is one transaction.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// The state to go on from: a partial [`Toestand`] with the counters,
    /// the held messages and every live timer.
    async fn laad(&self) -> Result<Opgeslagen, StoreFout>;
    /// Answers lookups of the engine, each with what is committed (or `None`).
    async fn zoek(&self, vragen: &[Vraag]) -> Result<Vec<Gevonden>, StoreFout>;
    /// Whether an inbound message with these bytes was committed from this
    /// mailbox (a redelivery after a crash between commit and ack).
    async fn al_ontvangen(&self, mailbox: &Deelnemercode, hash: &str) -> Result<bool, StoreFout>;
    /// Writes a batch, all or nothing.
    async fn bewaar(&self, batch: &Batch) -> Result<(), StoreFout>;
    /// [`Store::bewaar`] on a task of its own, so the dispatcher can prepare
    /// the next round meanwhile; gives the batch back once committed.
    fn bewaar_los(&self, batch: Batch) -> tokio::task::JoinHandle<Result<Batch, StoreFout>>;
    /// Outbound messages not yet delivered, oldest first, at most `max`
    /// of those after seq `na` (so a caller pages past a mailbox whose
    /// answers cannot be delivered now).
    async fn onverzonden(&self, max: u32, na: u64) -> Result<Vec<Uitgaand>, StoreFout>;
    async fn verzonden(&self, seqs: &[u64]) -> Result<(), StoreFout>;
    /// The committed file of a directory mailbox by name.
    async fn bestand(
        &self,
        mailbox: &Deelnemercode,
        naam: &str,
    ) -> Result<Option<Bestandsrij>, StoreFout>;
    async fn verplaatst(&self, bestanden: &[(Deelnemercode, String)]) -> Result<(), StoreFout>;
    /// Calls `regel` with every log line in seq order.
    async fn exporteer(
        &self,
        regel: &mut (dyn FnMut(Logregel) -> Result<(), StoreFout> + Send),
    ) -> Result<u64, StoreFout>;
}

/// An inbound message as the dispatcher logs it.
pub struct Inregel {
    pub regel: Logregel,
    pub hash: String,
    pub uitslag: engine::Uitslag,
    /// The claim the engine found or made for it.
    pub claim: Option<ClaimId>,
    pub bericht_id: Option<BerichtId>,
}

impl Inregel {
    /// The in line of a message the hub processed as `v`.
    pub fn van(regel: Logregel, v: &crate::hub::Verwerkt) -> Inregel {
        Inregel {
            regel,
            hash: v.hash.clone(),
            uitslag: v.uitslag,
            claim: v.claim.clone(),
            bericht_id: v.bericht_id.clone(),
        }
    }
}

/// The log rows of one processed inbound message or fired timer. An
/// outbound line belongs to the claim its XML names (a counter-claim's
/// notice names the new one), else to the claim of what caused it.
pub fn logrijen(
    in_regel: Option<Inregel>,
    claim: Option<&ClaimId>,
    uit: &[Logregel],
) -> Vec<Logrij> {
    let mut rijen = Vec::with_capacity(uit.len() + 1);
    let mut claim = claim.map(ToString::to_string);
    if let Some(i) = in_regel {
        claim = i.claim.as_ref().map(ToString::to_string).or(claim);
        rijen.push(Logrij {
            hash: Some(i.hash),
            uitslag: Some(i.uitslag.to_string()),
            bericht_id: None,
            claim_id: claim.clone(),
            extern_id: i.bericht_id.map(|b| b.to_string()),
            soort: {
                let b = i.regel.bytes();
                soort_van(&String::from_utf8_lossy(&b[..b.len().min(1 << 16)]))
            },
            regel: i.regel,
        });
    }
    for u in uit {
        debug_assert_eq!(u.direction, Richting::Out);
        rijen.push(Logrij {
            regel: u.clone(),
            hash: None,
            uitslag: None,
            bericht_id: element(&u.xml, "BerichtId").and_then(|t| BerichtId::new(t).ok()),
            claim_id: element(&u.xml, "ClaimId")
                .map(ToString::to_string)
                .or_else(|| claim.clone()),
            extern_id: None,
            soort: soort_van(&u.xml),
        });
    }
    rijen
}

/// A message's kind as the log keeps it: its body element (the first after
/// the `Kop`), and for a `Rappel` its `Rappelsoort` (`Rappel:Schadebedrag`).
/// Read by searching the text, since a refused message may not parse.
pub fn soort_van(xml: &str) -> Option<String> {
    let na_kop = &xml[xml.find("</Kop>")? + "</Kop>".len()..];
    let begin = na_kop.find('<')? + 1;
    let naam: String = na_kop[begin..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if naam.is_empty() {
        return None;
    }
    Some(match element(na_kop, "Rappelsoort") {
        Some(s) if naam == "Rappel" => format!("Rappel:{s}"),
        _ => naam,
    })
}

/// The text of the first `<naam>` element of a hub message (its Kop comes
/// first, so `BerichtId` is the message's own).
pub fn element<'x>(xml: &'x str, naam: &str) -> Option<&'x str> {
    let open = format!("<{naam}>");
    let begin = xml.find(&open)? + open.len();
    let eind = begin + xml[begin..].find(&format!("</{naam}>"))?;
    Some(&xml[begin..eind])
}
