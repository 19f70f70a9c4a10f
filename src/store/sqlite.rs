//! The SQLite store of the embedded hub: one file, WAL, `synchronous = FULL`
//! (a commit that returned is on disk before a file is moved or acked).

use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use super::{Batch, Opgeslagen, Store, StoreFout, Uitgaand};
use crate::bericht::{BerichtId, Deelnemercode, tijdstip, xml};
use crate::engine::{
    Claim, Inboxregel, Tellers, Timersoort, Toestand, Vastgehouden, Wachtsleutel, Wijziging,
};
use crate::replay::{Logregel, Richting};

pub struct SqliteStore {
    pool: SqlitePool,
}

fn onleesbaar(wat: impl Into<String>, reden: impl std::fmt::Display) -> StoreFout {
    StoreFout::Onleesbaar {
        wat: wat.into(),
        reden: reden.to_string(),
    }
}

fn json<T: serde::Serialize>(w: &T) -> Result<String, StoreFout> {
    serde_json::to_string(w).map_err(|e| onleesbaar("a value to store", e))
}

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
        Ok(SqliteStore { pool })
    }

    async fn schrijf(tx: &mut Transaction<'_, Sqlite>, w: &Wijziging) -> Result<(), StoreFout> {
        match w {
            Wijziging::Claim(c) => {
                let id = c.id.to_string();
                sqlx::query("INSERT OR REPLACE INTO claims (claim_id, data) VALUES (?, ?)")
                    .bind(&id)
                    .bind(json(&**c)?)
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
}

fn tijd(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, StoreFout> {
    tijdstip::parse(s).map_err(|e| onleesbaar(format!("time {s}"), e))
}

fn code(s: &str) -> Result<Deelnemercode, StoreFout> {
    Deelnemercode::new(s).map_err(|e| onleesbaar(format!("participant {s}"), e))
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
        for r in sqlx::query("SELECT claim_id, data FROM claims ORDER BY claim_id")
            .fetch_all(&self.pool)
            .await?
        {
            let c: Claim = serde_json::from_str(r.get::<&str, _>(1))
                .map_err(|e| onleesbaar(format!("claim {}", r.get::<&str, _>(0)), e))?;
            w.push(Wijziging::Claim(Box::new(c)));
        }
        let inbox = sqlx::query(
            "SELECT i.afzender, i.bericht_id, i.hash, i.antwoord,
                    (SELECT l.mailbox FROM berichtenlog l WHERE l.richting = 'out' AND l.bericht_id = i.antwoord LIMIT 1),
                    (SELECT l.xml FROM berichtenlog l WHERE l.richting = 'out' AND l.bericht_id = i.antwoord LIMIT 1)
             FROM inbox i",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in inbox {
            let antwoord = match (
                r.get::<Option<&str>, _>(3),
                r.get::<Option<&str>, _>(4),
                r.get::<Option<Vec<u8>>, _>(5),
            ) {
                (Some(id), Some(mailbox), Some(xml)) => Some((
                    code(mailbox)?,
                    BerichtId::new(id).map_err(|e| onleesbaar(format!("BerichtId {id}"), e))?,
                    String::from_utf8(xml).map_err(|e| onleesbaar("an answer", e))?,
                )),
                _ => None,
            };
            let bericht_id = r.get::<&str, _>(1);
            w.push(Wijziging::Inbox {
                afzender: code(r.get::<&str, _>(0))?,
                bericht_id: BerichtId::new(bericht_id)
                    .map_err(|e| onleesbaar(format!("BerichtId {bericht_id}"), e))?,
                regel: Inboxregel {
                    hash: r.get::<String, _>(2),
                    antwoord,
                },
            });
        }
        for r in sqlx::query(
            "SELECT volgorde, xml, mailbox, ontvangen, tot, hash, wacht_op FROM vastgehouden ORDER BY volgorde",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let bericht = xml::lees(r.get::<&str, _>(1)).map_err(|e| onleesbaar("a held message", e))?;
            let wacht_op: Wachtsleutel = serde_json::from_str(r.get::<&str, _>(6))
                .map_err(|e| onleesbaar("a held message's key", e))?;
            w.push(Wijziging::Vasthouden(Box::new(Vastgehouden {
                volgorde: r.get::<i64, _>(0) as u64,
                mailbox: code(r.get::<&str, _>(2))?,
                ontvangen: tijd(r.get::<&str, _>(3))?,
                tot: tijd(r.get::<&str, _>(4))?,
                hash: r.get::<String, _>(5),
                bericht,
                wacht_op,
            })));
        }
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM berichtenlog")
            .fetch_one(&self.pool)
            .await?;
        let mut toestand = Toestand::default();
        toestand.pas_toe(w);
        Ok(Opgeslagen {
            toestand,
            seq: seq.unwrap_or(0) as u64,
        })
    }

    async fn bewaar(&self, batch: &Batch) -> Result<(), StoreFout> {
        let mut tx = self.pool.begin().await?;
        for r in &batch.regels {
            let seq = r.regel.seq.unwrap_or_default() as i64;
            let richting = match r.regel.direction {
                Richting::In => "in",
                Richting::Out => "out",
            };
            sqlx::query(
                "INSERT INTO berichtenlog (seq, at, richting, mailbox, xml, hash, uitslag, bericht_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(seq)
            .bind(tijdstip::format(&r.regel.at))
            .bind(richting)
            .bind(&r.regel.mailbox)
            .bind(r.ruw.as_deref().unwrap_or(r.regel.xml.as_bytes()))
            .bind(&r.hash)
            .bind(&r.uitslag)
            .bind(r.bericht_id.as_ref().map(|b| b.to_string()))
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
        for w in &batch.wijzigingen {
            SqliteStore::schrijf(&mut tx, w).await?;
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
        tx.commit().await?;
        Ok(())
    }

    async fn onverzonden(&self, max: u32) -> Result<Vec<Uitgaand>, StoreFout> {
        let rijen = sqlx::query(
            "SELECT o.seq, o.mailbox, o.bericht_id, l.xml FROM outbox o JOIN berichtenlog l ON l.seq = o.seq
             WHERE o.verzonden = 0 ORDER BY o.seq LIMIT ?",
        )
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
        let mut tx = self.pool.begin().await?;
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
    ) -> Result<Option<(String, bool)>, StoreFout> {
        let r =
            sqlx::query("SELECT hash, verplaatst FROM bestanden WHERE mailbox = ? AND naam = ?")
                .bind(mailbox.as_str())
                .bind(naam)
                .fetch_optional(&self.pool)
                .await?;
        Ok(r.map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) != 0)))
    }

    async fn verplaatst(&self, bestanden: &[(Deelnemercode, String)]) -> Result<(), StoreFout> {
        let mut tx = self.pool.begin().await?;
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
                "SELECT seq, at, richting, mailbox, xml FROM berichtenlog WHERE seq > ? ORDER BY seq LIMIT 1000",
            )
            .bind(vanaf)
            .fetch_all(&self.pool)
            .await?;
            if rijen.is_empty() {
                return Ok(aantal);
            }
            for r in rijen {
                vanaf = r.get::<i64, _>(0);
                let richting = match r.get::<&str, _>(2) {
                    "in" => Richting::In,
                    _ => Richting::Out,
                };
                regel(Logregel {
                    seq: Some(vanaf as u64),
                    at: tijd(r.get::<&str, _>(1))?,
                    direction: richting,
                    mailbox: r.get::<String, _>(3),
                    xml: String::from_utf8_lossy(&r.get::<Vec<u8>, _>(4)).into_owned(),
                })?;
                aantal += 1;
            }
        }
    }
}
