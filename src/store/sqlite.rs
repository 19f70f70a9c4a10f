//! The SQLite store of the embedded hub: one file, WAL, `synchronous = FULL`
//! (a commit that returned is on disk before a file is moved or acked).

use std::str::FromStr;

use chrono::{DateTime, FixedOffset};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use super::overzicht;
use super::rij::{
    claim_id, code, inboxregel, json, lees_claim, logregel, onleesbaar, tijd, vastgehouden,
};
use super::{Batch, Bestandsrij, Opgeslagen, Store, StoreFout, Uitgaand};
use crate::bericht::{ClaimId, Deelnemercode, tijdstip, xml};
use crate::engine::{Gevonden, Tellers, Timersoort, Toestand, Vraag, Wijziging};
use crate::hub::{Logregel, Richting};

/// `INSERT OR REPLACE INTO claim_partijen` with every column.
static INSERT_PARTIJ: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT OR REPLACE INTO claim_partijen ({}) VALUES ({})",
        overzicht::KOLOMMEN.join(", "),
        vec!["?"; overzicht::KOLOMMEN.len()].join(", ")
    )
});

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

/// How every write transaction begins. sqlx turns a plain `begin()` on a
/// connection it believes is inside a transaction into a SAVEPOINT, and it
/// can believe so wrongly: when SQLite has rolled a transaction back itself
/// (SQLITE_FULL, SQLITE_IOERR), sqlx's own ROLLBACK fails and its count stays
/// at one. The RELEASE of such a savepoint commits nothing if a transaction
/// is still open, yet returns success. A statement of our own is refused
/// unless sqlx counts no transaction, and `BEGIN IMMEDIATE` is refused by
/// SQLite inside one, so a write that begins is a real transaction whose
/// COMMIT is real; it also takes the write lock up front.
const BEGIN: &str = "BEGIN IMMEDIATE";

impl SqliteStore {
    /// Opens (and creates) the database at `url` (`sqlite://path`) and runs the migrations.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreFout> {
        let opties = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opties)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        let store = SqliteStore { pool };
        store.vul_sleutels_aan().await?;
        Ok(store)
    }

    /// A database from before migration 0002 (0005) has claims but no key
    /// tables (overview rows): derive them once from the claims.
    async fn vul_sleutels_aan(&self) -> Result<(), StoreFout> {
        let leeg: i64 = sqlx::query_scalar(
            "SELECT ((SELECT COUNT(*) FROM voertuigen) = 0 OR (SELECT COUNT(*) FROM claim_partijen) = 0)
                    AND (SELECT COUNT(*) FROM claims) > 0",
        )
        .fetch_one(&self.pool)
        .await?;
        if leeg == 0 {
            return Ok(());
        }
        let mut tx = self.pool.begin_with(BEGIN).await?;
        let rijen = sqlx::query("SELECT claim_id, data FROM claims ORDER BY claim_id")
            .fetch_all(&mut *tx)
            .await?;
        for r in rijen {
            let c = lees_claim(r.get::<&str, _>(0), r.get::<&str, _>(1))?;
            let t = c.laatste_activiteit;
            SqliteStore::schrijf(&mut tx, &Wijziging::Claim(c), &t).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn schrijf(
        tx: &mut Transaction<'_, Sqlite>,
        w: &Wijziging,
        gewijzigd: &DateTime<FixedOffset>,
    ) -> Result<(), StoreFout> {
        match w {
            Wijziging::Claim(c) => {
                let id = c.id.to_string();
                for r in overzicht::rijen(c, gewijzigd) {
                    let mut q = sqlx::query(&INSERT_PARTIJ);
                    for v in r.velden() {
                        q = q.bind(v);
                    }
                    q.execute(&mut **tx).await?;
                }
                sqlx::query("INSERT OR REPLACE INTO claims (claim_id, data) VALUES (?, ?)")
                    .bind(&id)
                    .bind(json(&**c)?)
                    .execute(&mut **tx)
                    .await?;
                if let Some(n) = &c.schadenummer_verhaler {
                    // As engine::Toestand keeps its index: a claim that
                    // counts takes the key, a withdrawn one leaves it.
                    sqlx::query(if c.is_ingetrokken() {
                        "INSERT OR IGNORE INTO sleutels (verhaler, nummer, claim_id) VALUES (?, ?, ?)"
                    } else {
                        "INSERT OR REPLACE INTO sleutels (verhaler, nummer, claim_id) VALUES (?, ?, ?)"
                    })
                    .bind(c.verhaler.as_str())
                    .bind(n.as_str())
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
                }
                sqlx::query(if c.is_ingetrokken() {
                    "INSERT OR IGNORE INTO voertuigen (sleutel, claim_id) VALUES (?, ?)"
                } else {
                    "INSERT OR REPLACE INTO voertuigen (sleutel, claim_id) VALUES (?, ?)"
                })
                .bind(c.voertuigsleutel().als_tekst())
                .bind(&id)
                .execute(&mut **tx)
                .await?;
                sqlx::query("DELETE FROM timers WHERE claim_id = ?")
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
                for t in &c.timers {
                    let soort = match &t.soort {
                        Timersoort::Rappel(_) => "rappel",
                        Timersoort::Betaaltermijn { .. } => "betaaltermijn",
                        Timersoort::Passief => "passief",
                    };
                    sqlx::query(
                        "INSERT INTO timers (volgorde, tijd, tijd_us, claim_id, soort) VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(t.volgorde as i64)
                    .bind(tijdstip::format(&t.tijd))
                    .bind(t.tijd.timestamp_micros())
                    .bind(&id)
                    .bind(soort)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            Wijziging::Tellers(t) => {
                sqlx::query("UPDATE tellers SET claim = ?, ongeval = ?, bericht = ?, timer = ? WHERE id = 1")
                    .bind(i64::from(t.claim))
                    .bind(i64::from(t.ongeval))
                    .bind(t.bericht as i64)
                    .bind(t.timer as i64)
                    .execute(&mut **tx)
                    .await?;
            }
            Wijziging::Inbox {
                afzender,
                bericht_id,
                regel,
            } => {
                sqlx::query(
                    "INSERT OR REPLACE INTO inbox (afzender, bericht_id, hash, antwoord) VALUES (?, ?, ?, ?)",
                )
                .bind(afzender.as_str())
                .bind(bericht_id.as_str())
                .bind(&regel.hash)
                .bind(regel.antwoord.as_ref().map(|(_, id, _)| id.to_string()))
                .execute(&mut **tx)
                .await?;
            }
            Wijziging::Vasthouden(h) => {
                let tekst =
                    xml::schrijf(&h.bericht).map_err(|e| onleesbaar("a held message", e))?;
                sqlx::query(
                    "INSERT INTO vastgehouden (volgorde, xml, mailbox, ontvangen, tot, hash, wacht_op) VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(h.volgorde as i64)
                .bind(tekst)
                .bind(h.mailbox.as_str())
                .bind(tijdstip::format(&h.ontvangen))
                .bind(tijdstip::format(&h.tot))
                .bind(&h.hash)
                .bind(json(&h.wacht_op)?)
                .execute(&mut **tx)
                .await?;
            }
            Wijziging::Vrijgeven { volgorde } => {
                sqlx::query("DELETE FROM vastgehouden WHERE volgorde = ?")
                    .bind(*volgorde as i64)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// Closes every connection of the pool (after a failure the hub opens
    /// a new store rather than go on with a connection in an unknown state).
    pub async fn sluit(&self) {
        self.pool.close().await;
    }
}

/// The claim a key row points at (claim_id, data): added to `gevonden`,
/// since the engine reads it next.
fn claim_achter(
    rij: Option<sqlx::sqlite::SqliteRow>,
    gevonden: &mut Vec<Gevonden>,
) -> Result<Option<ClaimId>, StoreFout> {
    let Some(r) = rij else {
        return Ok(None);
    };
    let id = claim_id(r.get::<&str, _>(0))?;
    let c = lees_claim(id.as_str(), r.get::<&str, _>(1))?;
    gevonden.push(Gevonden::Claim(id.clone(), Some(c)));
    Ok(Some(id))
}

impl Store for SqliteStore {
    async fn laad(&self) -> Result<Opgeslagen, StoreFout> {
        let mut w = Vec::new();
        let t = sqlx::query("SELECT claim, ongeval, bericht, timer FROM tellers WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        w.push(Wijziging::Tellers(Tellers {
            claim: t.get::<i64, _>(0) as u32,
            ongeval: t.get::<i64, _>(1) as u32,
            bericht: t.get::<i64, _>(2) as u64,
            timer: t.get::<i64, _>(3) as u64,
        }));
        for r in sqlx::query(
            "SELECT volgorde, xml, mailbox, ontvangen, tot, hash, wacht_op FROM vastgehouden ORDER BY volgorde",
        )
        .fetch_all(&self.pool)
        .await?
        {
            w.push(Wijziging::Vasthouden(vastgehouden(
                r.get::<i64, _>(0),
                r.get::<&str, _>(1),
                r.get::<&str, _>(2),
                r.get::<&str, _>(3),
                r.get::<&str, _>(4),
                r.get::<String, _>(5),
                r.get::<&str, _>(6),
            )?));
        }
        let mut toestand = Toestand::gedeeltelijk();
        toestand.pas_toe(w);
        for r in
            sqlx::query("SELECT claim_id, tijd, volgorde FROM timers ORDER BY tijd_us, volgorde")
                .fetch_all(&self.pool)
                .await?
        {
            toestand.laad_timer(
                claim_id(r.get::<&str, _>(0))?,
                tijd(r.get::<&str, _>(1))?,
                r.get::<i64, _>(2) as u64,
            );
        }
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM berichtenlog")
            .fetch_one(&self.pool)
            .await?;
        Ok(Opgeslagen {
            toestand,
            seq: seq.unwrap_or(0) as u64,
        })
    }

    async fn zoek(&self, vragen: &[Vraag]) -> Result<Vec<Gevonden>, StoreFout> {
        let mut conn = self.pool.acquire().await?;
        let mut gevonden = Vec::with_capacity(vragen.len() * 2);
        for v in vragen {
            match v {
                Vraag::Claim(id) => {
                    let data: Option<String> =
                        sqlx::query_scalar("SELECT data FROM claims WHERE claim_id = ?")
                            .bind(id.as_str())
                            .fetch_optional(&mut *conn)
                            .await?;
                    let claim = data.map(|d| lees_claim(id.as_str(), &d)).transpose()?;
                    gevonden.push(Gevonden::Claim(id.clone(), claim));
                }
                Vraag::Sleutel(verhaler, nummer) => {
                    let r = sqlx::query(
                        "SELECT s.claim_id, c.data FROM sleutels s JOIN claims c ON c.claim_id = s.claim_id
                         WHERE s.verhaler = ? AND s.nummer = ?",
                    )
                    .bind(verhaler.as_str())
                    .bind(nummer.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
                    let id = claim_achter(r, &mut gevonden)?;
                    gevonden.push(Gevonden::Sleutel(verhaler.clone(), nummer.clone(), id));
                }
                Vraag::Voertuigen(sleutel) => {
                    let r = sqlx::query(
                        "SELECT v.claim_id, c.data FROM voertuigen v JOIN claims c ON c.claim_id = v.claim_id
                         WHERE v.sleutel = ?",
                    )
                    .bind(sleutel.als_tekst())
                    .fetch_optional(&mut *conn)
                    .await?;
                    let id = claim_achter(r, &mut gevonden)?;
                    gevonden.push(Gevonden::Voertuigen(sleutel.clone(), id));
                }
                Vraag::Inbox(afzender, bericht_id) => {
                    let r = sqlx::query(
                        "SELECT i.hash, i.antwoord, l.mailbox, l.xml FROM inbox i
                         LEFT JOIN berichtenlog l ON l.richting = 'out' AND l.bericht_id = i.antwoord
                         WHERE i.afzender = ? AND i.bericht_id = ?",
                    )
                    .bind(afzender.as_str())
                    .bind(bericht_id.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
                    let regel = match r {
                        Some(r) => Some(inboxregel(
                            r.get::<String, _>(0),
                            r.get::<Option<&str>, _>(1),
                            r.get::<Option<&str>, _>(2),
                            r.get::<Option<Vec<u8>>, _>(3),
                        )?),
                        None => None,
                    };
                    gevonden.push(Gevonden::Inbox(afzender.clone(), bericht_id.clone(), regel));
                }
            }
        }
        Ok(gevonden)
    }

    async fn al_ontvangen(&self, mailbox: &Deelnemercode, hash: &str) -> Result<bool, StoreFout> {
        let r: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM berichtenlog WHERE richting = 'in' AND mailbox = ? AND hash = ? LIMIT 1",
        )
        .bind(mailbox.as_str())
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.is_some())
    }

    fn bewaar_los(&self, batch: Batch) -> tokio::task::JoinHandle<Result<Batch, StoreFout>> {
        let store = self.clone();
        tokio::spawn(async move { store.bewaar(&batch).await.map(|()| batch) })
    }

    async fn bewaar(&self, batch: &Batch) -> Result<(), StoreFout> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        for r in &batch.regels {
            let seq = r.regel.seq.unwrap_or_default() as i64;
            let richting = match r.regel.direction {
                Richting::In => "in",
                Richting::Out => "out",
            };
            sqlx::query(
                "INSERT INTO berichtenlog (seq, at, richting, mailbox, xml, hash, uitslag, bericht_id, transport, user_id, grootte, onleesbaar, claim_id, extern_id, soort) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(seq)
            .bind(tijdstip::format(&r.regel.at))
            .bind(richting)
            .bind(&r.regel.mailbox)
            .bind(r.regel.bytes())
            .bind(&r.hash)
            .bind(&r.uitslag)
            .bind(r.bericht_id.as_ref().map(|b| b.to_string()))
            .bind(r.regel.herkomst.transport())
            .bind(r.regel.herkomst.user_id())
            .bind(r.regel.size.map(|g| g as i64))
            .bind(&r.regel.unreadable)
            .bind(&r.claim_id)
            .bind(&r.extern_id)
            .bind(&r.soort)
            .execute(&mut *tx)
            .await?;
            if let Some(id) = &r.bericht_id {
                sqlx::query("INSERT INTO outbox (seq, mailbox, bericht_id) VALUES (?, ?, ?)")
                    .bind(seq)
                    .bind(&r.regel.mailbox)
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let gewijzigd = batch.tijd();
        for w in &batch.wijzigingen {
            SqliteStore::schrijf(&mut tx, w, &gewijzigd).await?;
        }
        for b in &batch.bestanden {
            sqlx::query(
                "INSERT OR REPLACE INTO bestanden (mailbox, naam, hash, seq, verplaatst) VALUES (?, ?, ?, ?, 0)",
            )
            .bind(b.mailbox.as_str())
            .bind(&b.naam)
            .bind(&b.hash)
            .bind(b.seq as i64)
            .execute(&mut *tx)
            .await?;
        }
        for s in &batch.verzonden {
            sqlx::query("UPDATE outbox SET verzonden = 1 WHERE seq = ?")
                .bind(*s as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn onverzonden(&self, max: u32, na: u64) -> Result<Vec<Uitgaand>, StoreFout> {
        let rijen = sqlx::query(
            "SELECT o.seq, o.mailbox, o.bericht_id, l.xml FROM outbox o JOIN berichtenlog l ON l.seq = o.seq
             WHERE o.verzonden = 0 AND o.seq > ? ORDER BY o.seq LIMIT ?",
        )
        .bind(na as i64)
        .bind(i64::from(max))
        .fetch_all(&self.pool)
        .await?;
        rijen
            .into_iter()
            .map(|r| {
                Ok(Uitgaand {
                    seq: r.get::<i64, _>(0) as u64,
                    mailbox: code(r.get::<&str, _>(1))?,
                    bericht_id: r.get::<String, _>(2),
                    xml: r.get::<Vec<u8>, _>(3),
                })
            })
            .collect()
    }

    async fn verzonden(&self, seqs: &[u64]) -> Result<(), StoreFout> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        for s in seqs {
            sqlx::query("UPDATE outbox SET verzonden = 1 WHERE seq = ?")
                .bind(*s as i64)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn bestand(
        &self,
        mailbox: &Deelnemercode,
        naam: &str,
    ) -> Result<Option<Bestandsrij>, StoreFout> {
        let r = sqlx::query(
            "SELECT hash, seq, verplaatst FROM bestanden WHERE mailbox = ? AND naam = ?",
        )
        .bind(mailbox.as_str())
        .bind(naam)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.map(|r| Bestandsrij {
            hash: r.get::<String, _>(0),
            seq: r.get::<i64, _>(1) as u64,
            verplaatst: r.get::<i64, _>(2) != 0,
        }))
    }

    async fn verplaatst(&self, bestanden: &[(Deelnemercode, String)]) -> Result<(), StoreFout> {
        let mut tx = self.pool.begin_with(BEGIN).await?;
        for (mailbox, naam) in bestanden {
            sqlx::query("UPDATE bestanden SET verplaatst = 1 WHERE mailbox = ? AND naam = ?")
                .bind(mailbox.as_str())
                .bind(naam)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn exporteer(
        &self,
        regel: &mut (dyn FnMut(Logregel) -> Result<(), StoreFout> + Send),
    ) -> Result<u64, StoreFout> {
        let mut vanaf = 0i64;
        let mut aantal = 0u64;
        loop {
            let rijen = sqlx::query(
                "SELECT seq, at, richting, mailbox, xml, transport, user_id, grootte, hash, onleesbaar FROM berichtenlog WHERE seq > ? ORDER BY seq LIMIT 1000",
            )
            .bind(vanaf)
            .fetch_all(&self.pool)
            .await?;
            if rijen.is_empty() {
                return Ok(aantal);
            }
            for r in rijen {
                vanaf = r.get::<i64, _>(0);
                regel(logregel(
                    vanaf,
                    r.get::<&str, _>(1),
                    r.get::<&str, _>(2),
                    r.get::<String, _>(3),
                    r.get::<Vec<u8>, _>(4),
                    r.get::<Option<String>, _>(5),
                    r.get::<Option<String>, _>(6),
                    r.get::<Option<i64>, _>(7),
                    r.get::<Option<String>, _>(8),
                    r.get::<Option<String>, _>(9),
                )?)?;
                aantal += 1;
            }
        }
    }
}
