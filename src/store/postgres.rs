//! The PostgreSQL store of the production hub: the same tables, rows and
//! export as [`super::sqlite`]. A batch is one transaction of a few
//! statements whatever its size: the log, outbox, claims, timers, inbox, held
//! messages and files each go in as arrays (`UNNEST`), because a batch can
//! hold 500+ rows and every round trip costs. `synchronous_commit` is left as
//! the server has it (on by default, and never to be turned off: a commit
//! lost after an ack is a lost message).

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Row, Transaction};

use super::overzicht;
use super::rij::{
    claim_id, code, inboxregel, json, lees_claim, logregel, onleesbaar, tijd, vastgehouden,
};
use super::{Batch, Bestandsrij, Opgeslagen, Store, StoreFout, Uitgaand};
use crate::bericht::{Deelnemercode, tijdstip, xml};
use crate::engine::{
    Claim, Gevonden, Inboxregel, Tellers, Timersoort, Toestand, Vastgehouden, Vraag, Wijziging,
};
use crate::hub::{Logregel, Richting};

/// How long `open` waits for the first connection: a hub that cannot reach
/// its database should say so at start, not hang.
const VERBINDEN: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// `serve`: the backend pid of the session holding the store's lock
    /// for this hub ([`super::slot`]); every batch checks it still does.
    slot: Option<i32>,
}

/// The engine's u64 counters and seqs as `bigint`; they never come near 2^63.
fn groot(n: u64) -> i64 {
    n as i64
}

/// Upserts `claim_partijen` rows from one array per column.
static UPSERT_PARTIJ: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let k = overzicht::KOLOMMEN;
    format!(
        "INSERT INTO claim_partijen ({}) SELECT * FROM UNNEST({}) ON CONFLICT (deelnemer, claim_id) DO UPDATE SET {}",
        k.join(", "),
        (1..=k.len())
            .map(|i| format!("${i}::text[]"))
            .collect::<Vec<_>>()
            .join(", "),
        k[2..]
            .iter()
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
});

impl PgStore {
    /// Connects to `url` (`postgres://user@host/db`) and runs the migrations.
    pub async fn open(url: &str) -> Result<PgStore, StoreFout> {
        let opties = PgConnectOptions::from_str(url)?.application_name("clearinghuis");
        let verbinden = PgPoolOptions::new().max_connections(8).connect_with(opties);
        let pool = tokio::time::timeout(VERBINDEN, verbinden)
            .await
            .map_err(|_| {
                StoreFout::Database(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "no connection to PostgreSQL within {} s",
                        VERBINDEN.as_secs()
                    ),
                )))
            })??;
        // Server settings the store depends on, read in one round trip.
        let instellingen: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, setting FROM pg_settings \
             WHERE name IN ('synchronous_commit', 'autovacuum') ORDER BY name",
        )
        .fetch_all(&pool)
        .await?;
        for (naam, stand) in &instellingen {
            match (naam.as_str(), stand.as_str()) {
                // A server set to drop commits would lose acked messages.
                ("synchronous_commit", "off") => tracing::warn!(
                    "PostgreSQL has synchronous_commit = off: a crash can lose acked messages"
                ),
                // Every round rewrites claims and deletes timers and outbox
                // rows: without vacuuming, dead rows pile up and commits slow
                // down as the log grows (2.6 times the CPU per message over
                // 30,000 claims, PERFORMANCE.md).
                ("autovacuum", "off") => tracing::warn!(
                    "PostgreSQL has autovacuum = off: dead rows pile up and every commit gets slower as the log grows; turn it on (or VACUUM regularly)"
                ),
                _ => {}
            }
        }
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        let store = PgStore { pool, slot: None };
        store.vul_partijen_aan().await?;
        Ok(store)
    }

    /// The overview rows of `claims` ([`overzicht`]), in one statement.
    async fn schrijf_partijen(
        tx: &mut Transaction<'_, Postgres>,
        claims: impl Iterator<Item = &Claim>,
        gewijzigd: &DateTime<FixedOffset>,
    ) -> Result<(), StoreFout> {
        let mut k: [Vec<Option<String>>; 21] = Default::default();
        for c in claims {
            for r in overzicht::rijen(c, gewijzigd) {
                for (kolom, v) in k.iter_mut().zip(r.velden()) {
                    kolom.push(v);
                }
            }
        }
        if k[0].is_empty() {
            return Ok(());
        }
        let mut q = sqlx::query(&UPSERT_PARTIJ);
        for kolom in &k {
            q = q.bind(kolom);
        }
        q.execute(&mut **tx).await?;
        Ok(())
    }

    /// A database from before migration 0005 has claims but no overview
    /// rows: derive them once from the claims.
    async fn vul_partijen_aan(&self) -> Result<(), StoreFout> {
        let leeg: bool = sqlx::query_scalar(
            "SELECT NOT EXISTS (SELECT 1 FROM claim_partijen) AND EXISTS (SELECT 1 FROM claims)",
        )
        .fetch_one(&self.pool)
        .await?;
        if !leeg {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        let rijen: Vec<(String, String)> =
            sqlx::query_as("SELECT claim_id, data FROM claims ORDER BY claim_id")
                .fetch_all(&mut *tx)
                .await?;
        for (id, data) in rijen {
            let c = lees_claim(&id, &data)?;
            PgStore::schrijf_partijen(&mut tx, std::iter::once(&*c), &c.laatste_activiteit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes the net effect of the batch's changes, one statement per table.
    /// Within a batch a later change of the same row wins, as it would row by
    /// row; a claim's timers are replaced with those of its last state.
    async fn schrijf(
        tx: &mut Transaction<'_, Postgres>,
        wijzigingen: &[Wijziging],
        gewijzigd: &DateTime<FixedOffset>,
    ) -> Result<(), StoreFout> {
        let mut claims: BTreeMap<String, &Claim> = BTreeMap::new();
        // A claim's keys from every state it had in the batch, as the
        // in-memory indexes keep them (engine::Toestand): a claim that
        // counts takes the key, a withdrawn one leaves it.
        let mut sleutels: BTreeMap<(&str, &str), (String, bool)> = BTreeMap::new();
        let mut voertuigen: BTreeMap<String, (String, bool)> = BTreeMap::new();
        let mut tellers: Option<&Tellers> = None;
        let mut inbox: BTreeMap<(&str, &str), &Inboxregel> = BTreeMap::new();
        // Held messages: Some = to insert, None = released.
        let mut vastgehouden: BTreeMap<u64, Option<&Vastgehouden>> = BTreeMap::new();
        let mut vrijgegeven: Vec<i64> = Vec::new();
        for w in wijzigingen {
            match w {
                Wijziging::Claim(c) => {
                    // (claim, whether it takes the key from another claim)
                    let nieuw = (c.id.to_string(), !c.is_ingetrokken());
                    if let Some(n) = &c.schadenummer_verhaler {
                        zet_sleutel(
                            sleutels.entry((c.verhaler.as_str(), n.as_str())),
                            nieuw.clone(),
                        );
                    }
                    zet_sleutel(voertuigen.entry(c.voertuigsleutel().als_tekst()), nieuw);
                    claims.insert(c.id.to_string(), c);
                }
                Wijziging::Tellers(t) => tellers = Some(t),
                Wijziging::Inbox {
                    afzender,
                    bericht_id,
                    regel,
                } => {
                    inbox.insert((afzender.as_str(), bericht_id.as_str()), regel);
                }
                Wijziging::Vasthouden(h) => {
                    vastgehouden.insert(h.volgorde, Some(h));
                }
                Wijziging::Vrijgeven { volgorde } => {
                    vastgehouden.insert(*volgorde, None);
                    vrijgegeven.push(groot(*volgorde));
                }
            }
        }

        if !claims.is_empty() {
            let mut ids = Vec::with_capacity(claims.len());
            let mut data = Vec::with_capacity(claims.len());
            let mut t_volgorde = Vec::new();
            let mut t_tijd = Vec::new();
            let mut t_us = Vec::new();
            let mut t_claim = Vec::new();
            let mut t_soort = Vec::new();
            for (id, c) in &claims {
                ids.push(id.as_str());
                data.push(json(&**c)?);
                for t in &c.timers {
                    t_volgorde.push(groot(t.volgorde));
                    t_tijd.push(tijdstip::format(&t.tijd));
                    t_us.push(t.tijd.timestamp_micros());
                    t_claim.push(id.as_str());
                    t_soort.push(match &t.soort {
                        Timersoort::Rappel(_) => "rappel",
                        Timersoort::Betaaltermijn { .. } => "betaaltermijn",
                        Timersoort::Passief => "passief",
                    });
                }
            }
            sqlx::query(
                "INSERT INTO claims (claim_id, data) SELECT * FROM UNNEST($1::text[], $2::text[])
                 ON CONFLICT (claim_id) DO UPDATE SET data = EXCLUDED.data",
            )
            .bind(&ids)
            .bind(&data)
            .execute(&mut **tx)
            .await?;
            PgStore::schrijf_partijen(tx, claims.values().copied(), gewijzigd).await?;
            sqlx::query("DELETE FROM timers WHERE claim_id = ANY($1::text[])")
                .bind(&ids)
                .execute(&mut **tx)
                .await?;
            if !t_volgorde.is_empty() {
                sqlx::query(
                    "INSERT INTO timers (volgorde, tijd, tijd_us, claim_id, soort)
                     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[])",
                )
                .bind(&t_volgorde)
                .bind(&t_tijd)
                .bind(&t_us)
                .bind(&t_claim)
                .bind(&t_soort)
                .execute(&mut **tx)
                .await?;
            }
        }

        for vervang in [true, false] {
            let (mut v, mut n, mut id) = (Vec::new(), Vec::new(), Vec::new());
            for ((a, b), (c, neemt)) in &sleutels {
                if *neemt == vervang {
                    v.push(*a);
                    n.push(*b);
                    id.push(c.as_str());
                }
            }
            if !v.is_empty() {
                sqlx::query(if vervang {
                    "INSERT INTO sleutels (verhaler, nummer, claim_id)
                     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])
                     ON CONFLICT (verhaler, nummer) DO UPDATE SET claim_id = EXCLUDED.claim_id"
                } else {
                    "INSERT INTO sleutels (verhaler, nummer, claim_id)
                     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])
                     ON CONFLICT (verhaler, nummer) DO NOTHING"
                })
                .bind(&v)
                .bind(&n)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
            }
            let (mut k, mut id) = (Vec::new(), Vec::new());
            for (a, (c, neemt)) in &voertuigen {
                if *neemt == vervang {
                    k.push(a.as_str());
                    id.push(c.as_str());
                }
            }
            if !k.is_empty() {
                sqlx::query(if vervang {
                    "INSERT INTO voertuigen (sleutel, claim_id)
                     SELECT * FROM UNNEST($1::text[], $2::text[])
                     ON CONFLICT (sleutel) DO UPDATE SET claim_id = EXCLUDED.claim_id"
                } else {
                    "INSERT INTO voertuigen (sleutel, claim_id)
                     SELECT * FROM UNNEST($1::text[], $2::text[])
                     ON CONFLICT (sleutel) DO NOTHING"
                })
                .bind(&k)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
            }
        }

        if let Some(t) = tellers {
            sqlx::query(
                "UPDATE tellers SET claim = $1, ongeval = $2, bericht = $3, timer = $4 WHERE id = 1",
            )
            .bind(i64::from(t.claim))
            .bind(i64::from(t.ongeval))
            .bind(groot(t.bericht))
            .bind(groot(t.timer))
            .execute(&mut **tx)
            .await?;
        }

        if !inbox.is_empty() {
            let mut afzender = Vec::with_capacity(inbox.len());
            let mut bericht_id = Vec::with_capacity(inbox.len());
            let mut hash = Vec::with_capacity(inbox.len());
            let mut antwoord = Vec::with_capacity(inbox.len());
            for ((a, b), regel) in &inbox {
                afzender.push(*a);
                bericht_id.push(*b);
                hash.push(regel.hash.as_str());
                antwoord.push(regel.antwoord.as_ref().map(|(_, id, _)| id.as_str()));
            }
            sqlx::query(
                "INSERT INTO inbox (afzender, bericht_id, hash, antwoord)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[])
                 ON CONFLICT (afzender, bericht_id)
                 DO UPDATE SET hash = EXCLUDED.hash, antwoord = EXCLUDED.antwoord",
            )
            .bind(&afzender)
            .bind(&bericht_id)
            .bind(&hash)
            .bind(&antwoord)
            .execute(&mut **tx)
            .await?;
        }

        // Releases first: a message held and released within the batch is
        // then never written, and one released and held again is rewritten.
        if !vrijgegeven.is_empty() {
            sqlx::query("DELETE FROM vastgehouden WHERE volgorde = ANY($1::bigint[])")
                .bind(&vrijgegeven)
                .execute(&mut **tx)
                .await?;
        }
        let nieuw: Vec<&Vastgehouden> = vastgehouden.values().filter_map(|h| *h).collect();
        if !nieuw.is_empty() {
            let mut volgorde = Vec::with_capacity(nieuw.len());
            let mut tekst = Vec::with_capacity(nieuw.len());
            let mut mailbox = Vec::with_capacity(nieuw.len());
            let mut ontvangen = Vec::with_capacity(nieuw.len());
            let mut tot = Vec::with_capacity(nieuw.len());
            let mut hash = Vec::with_capacity(nieuw.len());
            let mut wacht_op = Vec::with_capacity(nieuw.len());
            for h in nieuw {
                volgorde.push(groot(h.volgorde));
                tekst.push(xml::schrijf(&h.bericht).map_err(|e| onleesbaar("a held message", e))?);
                mailbox.push(h.mailbox.as_str());
                ontvangen.push(tijdstip::format(&h.ontvangen));
                tot.push(tijdstip::format(&h.tot));
                hash.push(h.hash.as_str());
                wacht_op.push(json(&h.wacht_op)?);
            }
            sqlx::query(
                "INSERT INTO vastgehouden (volgorde, xml, mailbox, ontvangen, tot, hash, wacht_op)
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])",
            )
            .bind(&volgorde)
            .bind(&tekst)
            .bind(&mailbox)
            .bind(&ontvangen)
            .bind(&tot)
            .bind(&hash)
            .bind(&wacht_op)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Fences this store's batches with the lock session of `pid` (see
    /// [`super::slot`]): a hub that lost the store's lock commits nothing.
    pub fn met_slot(mut self, pid: i32) -> PgStore {
        self.slot = Some(pid);
        self
    }

    /// Closes every connection of the pool.
    pub async fn sluit(&self) {
        self.pool.close().await;
    }

    /// First thing in a batch's transaction: refuses it unless this hub's
    /// lock session still holds the store's lock, and holds the fence lock
    /// shared until it ends, so a hub taking over (which takes the fence
    /// lock exclusively once, before it reads the store) waits for a batch
    /// that checked just before the lock was lost.
    async fn bewaak(&self, tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreFout> {
        let Some(pid) = self.slot else {
            return Ok(());
        };
        let (klasse, slot, hek) = super::slot::PG_SLEUTELS;
        let houdt: bool = sqlx::query_scalar(
            "SELECT EXISTS (
                 SELECT 1 FROM pg_locks l
                 WHERE l.locktype = 'advisory' AND l.granted AND l.pid = $3
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2)
             FROM (SELECT pg_advisory_xact_lock_shared($1, $4)) AS hek",
        )
        .bind(klasse)
        .bind(slot)
        .bind(pid)
        .bind(hek)
        .fetch_one(&mut **tx)
        .await?;
        if houdt {
            Ok(())
        } else {
            Err(StoreFout::SlotKwijt)
        }
    }
}

impl Store for PgStore {
    async fn laad(&self) -> Result<Opgeslagen, StoreFout> {
        // One snapshot for all tables, so a batch committed meanwhile is
        // either wholly in the state or not at all.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let mut w = Vec::new();
        let t = sqlx::query("SELECT claim, ongeval, bericht, timer FROM tellers WHERE id = 1")
            .fetch_one(&mut *tx)
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
        .fetch_all(&mut *tx)
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
        let timers =
            sqlx::query("SELECT claim_id, tijd, volgorde FROM timers ORDER BY tijd_us, volgorde")
                .fetch_all(&mut *tx)
                .await?;
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM berichtenlog")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut toestand = Toestand::gedeeltelijk();
        toestand.pas_toe(w);
        for r in timers {
            toestand.laad_timer(
                claim_id(r.get::<&str, _>(0))?,
                tijd(r.get::<&str, _>(1))?,
                r.get::<i64, _>(2) as u64,
            );
        }
        Ok(Opgeslagen {
            toestand,
            seq: seq.unwrap_or(0) as u64,
        })
    }

    async fn zoek(&self, vragen: &[Vraag]) -> Result<Vec<Gevonden>, StoreFout> {
        // One statement per kind of lookup, however many there are.
        let mut ids: Vec<&str> = Vec::new();
        let (mut sv, mut sn): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        let mut vk: Vec<String> = Vec::new();
        let (mut ia, mut ib): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for v in vragen {
            match v {
                Vraag::Claim(id) => ids.push(id.as_str()),
                Vraag::Sleutel(a, n) => {
                    sv.push(a.as_str());
                    sn.push(n.as_str());
                }
                Vraag::Voertuigen(k) => vk.push(k.als_tekst()),
                Vraag::Inbox(a, b) => {
                    ia.push(a.as_str());
                    ib.push(b.as_str());
                }
            }
        }
        let mut conn = self.pool.acquire().await?;
        let mut gevonden = Vec::with_capacity(vragen.len() * 2);
        let mut claims: BTreeMap<String, Box<Claim>> = BTreeMap::new();
        if !ids.is_empty() {
            for r in
                sqlx::query("SELECT claim_id, data FROM claims WHERE claim_id = ANY($1::text[])")
                    .bind(&ids)
                    .fetch_all(&mut *conn)
                    .await?
            {
                let id = r.get::<String, _>(0);
                let c = lees_claim(&id, r.get::<&str, _>(1))?;
                claims.insert(id, c);
            }
        }
        let mut sleutels: BTreeMap<(String, String), String> = BTreeMap::new();
        if !sv.is_empty() {
            for r in sqlx::query(
                "SELECT s.verhaler, s.nummer, s.claim_id, c.data
                 FROM UNNEST($1::text[], $2::text[]) AS q (verhaler, nummer)
                 JOIN sleutels s ON s.verhaler = q.verhaler AND s.nummer = q.nummer
                 JOIN claims c ON c.claim_id = s.claim_id",
            )
            .bind(&sv)
            .bind(&sn)
            .fetch_all(&mut *conn)
            .await?
            {
                let id = r.get::<String, _>(2);
                let c = lees_claim(&id, r.get::<&str, _>(3))?;
                sleutels.insert((r.get::<String, _>(0), r.get::<String, _>(1)), id.clone());
                claims.insert(id, c);
            }
        }
        let mut voertuigen: BTreeMap<String, String> = BTreeMap::new();
        if !vk.is_empty() {
            for r in sqlx::query(
                "SELECT v.sleutel, v.claim_id, c.data FROM voertuigen v JOIN claims c ON c.claim_id = v.claim_id
                 WHERE v.sleutel = ANY($1::text[])",
            )
            .bind(&vk)
            .fetch_all(&mut *conn)
            .await?
            {
                let id = r.get::<String, _>(1);
                let c = lees_claim(&id, r.get::<&str, _>(2))?;
                voertuigen.insert(r.get::<String, _>(0), id.clone());
                claims.insert(id, c);
            }
        }
        let mut inbox: BTreeMap<(String, String), Inboxregel> = BTreeMap::new();
        if !ia.is_empty() {
            for r in sqlx::query(
                "SELECT i.afzender, i.bericht_id, i.hash, i.antwoord, a.mailbox, a.xml
                 FROM UNNEST($1::text[], $2::text[]) AS q (afzender, bericht_id)
                 JOIN inbox i ON i.afzender = q.afzender AND i.bericht_id = q.bericht_id
                 LEFT JOIN LATERAL (
                     SELECT l.mailbox, l.xml FROM berichtenlog l
                     WHERE l.richting = 'out' AND l.bericht_id = i.antwoord
                     ORDER BY l.seq LIMIT 1
                 ) a ON true",
            )
            .bind(&ia)
            .bind(&ib)
            .fetch_all(&mut *conn)
            .await?
            {
                let regel = inboxregel(
                    r.get::<String, _>(2),
                    r.get::<Option<&str>, _>(3),
                    r.get::<Option<&str>, _>(4),
                    r.get::<Option<Vec<u8>>, _>(5),
                )?;
                inbox.insert((r.get::<String, _>(0), r.get::<String, _>(1)), regel);
            }
        }
        for v in vragen {
            match v {
                Vraag::Claim(id) => gevonden.push(Gevonden::Claim(
                    id.clone(),
                    claims.get(id.as_str()).cloned(),
                )),
                Vraag::Sleutel(a, n) => {
                    let id = sleutels.get(&(a.to_string(), n.to_string()));
                    gevonden.push(Gevonden::Sleutel(
                        a.clone(),
                        n.clone(),
                        id.map(|i| claim_id(i)).transpose()?,
                    ));
                }
                Vraag::Voertuigen(k) => {
                    let id = voertuigen.get(&k.als_tekst());
                    gevonden.push(Gevonden::Voertuigen(
                        k.clone(),
                        id.map(|i| claim_id(i)).transpose()?,
                    ));
                }
                Vraag::Inbox(a, b) => {
                    let r = inbox.remove(&(a.to_string(), b.to_string()));
                    gevonden.push(Gevonden::Inbox(a.clone(), b.clone(), r));
                }
            }
        }
        // The claims behind the keys, too: the engine reads them next.
        for (id, c) in claims {
            if !ids.contains(&id.as_str()) {
                gevonden.push(Gevonden::Claim(claim_id(&id)?, Some(c)));
            }
        }
        Ok(gevonden)
    }

    async fn al_ontvangen(&self, mailbox: &Deelnemercode, hash: &str) -> Result<bool, StoreFout> {
        let r: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM berichtenlog WHERE richting = 'in' AND mailbox = $1 AND hash = $2 LIMIT 1",
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
        let mut tx = self.pool.begin().await?;
        self.bewaak(&mut tx).await?;
        if !batch.regels.is_empty() {
            let n = batch.regels.len();
            let mut seq = Vec::with_capacity(n);
            let mut at = Vec::with_capacity(n);
            let mut richting = Vec::with_capacity(n);
            let mut mailbox = Vec::with_capacity(n);
            let mut ruw = Vec::with_capacity(n);
            let mut hash = Vec::with_capacity(n);
            let mut uitslag = Vec::with_capacity(n);
            let mut bericht_id = Vec::with_capacity(n);
            let mut transport = Vec::with_capacity(n);
            let mut user_id = Vec::with_capacity(n);
            let mut grootte = Vec::with_capacity(n);
            let mut onleesbaar = Vec::with_capacity(n);
            let mut claim_id = Vec::with_capacity(n);
            let mut extern_id = Vec::with_capacity(n);
            let mut soort = Vec::with_capacity(n);
            let mut o_seq = Vec::new();
            let mut o_mailbox = Vec::new();
            let mut o_bericht_id = Vec::new();
            for r in &batch.regels {
                let s = groot(r.regel.seq.unwrap_or_default());
                seq.push(s);
                at.push(tijdstip::format(&r.regel.at));
                richting.push(match r.regel.direction {
                    Richting::In => "in",
                    Richting::Out => "out",
                });
                mailbox.push(r.regel.mailbox.as_str());
                ruw.push(r.regel.bytes());
                hash.push(r.hash.as_deref());
                uitslag.push(r.uitslag.as_deref());
                bericht_id.push(r.bericht_id.as_ref().map(|b| b.as_str()));
                transport.push(r.regel.herkomst.transport());
                user_id.push(r.regel.herkomst.user_id());
                grootte.push(r.regel.size.map(groot));
                onleesbaar.push(r.regel.unreadable.as_deref());
                claim_id.push(r.claim_id.as_deref());
                extern_id.push(r.extern_id.as_deref());
                soort.push(r.soort.as_deref());
                if let Some(id) = &r.bericht_id {
                    o_seq.push(s);
                    o_mailbox.push(r.regel.mailbox.as_str());
                    o_bericht_id.push(id.as_str());
                }
            }
            // at_utc is the logged text read by the server: the same instant,
            // to the microsecond the hub's clock keeps.
            sqlx::query(
                "INSERT INTO berichtenlog (seq, at, at_utc, richting, mailbox, xml, hash, uitslag, bericht_id, transport, user_id, grootte, onleesbaar, claim_id, extern_id, soort)
                 SELECT seq, at, at::timestamptz, richting, mailbox, xml, hash, uitslag, bericht_id, transport, user_id, grootte, onleesbaar, claim_id, extern_id, soort
                 FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[])
                      AS r (seq, at, richting, mailbox, xml, hash, uitslag, bericht_id, transport, user_id, grootte, onleesbaar, claim_id, extern_id, soort)",
            )
            .bind(&seq)
            .bind(&at)
            .bind(&richting)
            .bind(&mailbox)
            .bind(&ruw)
            .bind(&hash)
            .bind(&uitslag)
            .bind(&bericht_id)
            .bind(&transport)
            .bind(&user_id)
            .bind(&grootte)
            .bind(&onleesbaar)
            .bind(&claim_id)
            .bind(&extern_id)
            .bind(&soort)
            .execute(&mut *tx)
            .await?;
            if !o_seq.is_empty() {
                sqlx::query(
                    "INSERT INTO outbox (seq, mailbox, bericht_id)
                     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])",
                )
                .bind(&o_seq)
                .bind(&o_mailbox)
                .bind(&o_bericht_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        PgStore::schrijf(&mut tx, &batch.wijzigingen, &batch.tijd()).await?;
        if !batch.bestanden.is_empty() {
            // A later row for the same file wins, as INSERT OR REPLACE would.
            let mut bestanden = BTreeMap::new();
            for b in &batch.bestanden {
                bestanden.insert((b.mailbox.as_str(), b.naam.as_str()), b);
            }
            let mut mailbox = Vec::with_capacity(bestanden.len());
            let mut naam = Vec::with_capacity(bestanden.len());
            let mut hash = Vec::with_capacity(bestanden.len());
            let mut seq = Vec::with_capacity(bestanden.len());
            for ((m, n), b) in bestanden {
                mailbox.push(m);
                naam.push(n);
                hash.push(b.hash.as_str());
                seq.push(groot(b.seq));
            }
            sqlx::query(
                "INSERT INTO bestanden (mailbox, naam, hash, seq, verplaatst)
                 SELECT m, n, h, s, false FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[]) AS b (m, n, h, s)
                 ON CONFLICT (mailbox, naam)
                 DO UPDATE SET hash = EXCLUDED.hash, seq = EXCLUDED.seq, verplaatst = false",
            )
            .bind(&mailbox)
            .bind(&naam)
            .bind(&hash)
            .bind(&seq)
            .execute(&mut *tx)
            .await?;
        }
        if !batch.verzonden.is_empty() {
            let seqs: Vec<i64> = batch.verzonden.iter().map(|s| groot(*s)).collect();
            sqlx::query("UPDATE outbox SET verzonden = true WHERE seq = ANY($1::bigint[])")
                .bind(&seqs)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn onverzonden(&self, max: u32, na: u64) -> Result<Vec<Uitgaand>, StoreFout> {
        let rijen = sqlx::query(
            "SELECT o.seq, o.mailbox, o.bericht_id, l.xml FROM outbox o JOIN berichtenlog l ON l.seq = o.seq
             WHERE NOT o.verzonden AND o.seq > $1 ORDER BY o.seq LIMIT $2",
        )
        .bind(groot(na))
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
        if seqs.is_empty() {
            return Ok(());
        }
        let seqs: Vec<i64> = seqs.iter().map(|s| groot(*s)).collect();
        // One statement is one transaction.
        sqlx::query("UPDATE outbox SET verzonden = true WHERE seq = ANY($1::bigint[])")
            .bind(&seqs)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn bestand(
        &self,
        mailbox: &Deelnemercode,
        naam: &str,
    ) -> Result<Option<Bestandsrij>, StoreFout> {
        let r = sqlx::query(
            "SELECT hash, seq, verplaatst FROM bestanden WHERE mailbox = $1 AND naam = $2",
        )
        .bind(mailbox.as_str())
        .bind(naam)
        .fetch_optional(&self.pool)
        .await?;
        Ok(r.map(|r| Bestandsrij {
            hash: r.get::<String, _>(0),
            seq: r.get::<i64, _>(1) as u64,
            verplaatst: r.get::<bool, _>(2),
        }))
    }

    async fn verplaatst(&self, bestanden: &[(Deelnemercode, String)]) -> Result<(), StoreFout> {
        if bestanden.is_empty() {
            return Ok(());
        }
        let mailbox: Vec<&str> = bestanden.iter().map(|(m, _)| m.as_str()).collect();
        let naam: Vec<&str> = bestanden.iter().map(|(_, n)| n.as_str()).collect();
        sqlx::query(
            "UPDATE bestanden b SET verplaatst = true
             FROM UNNEST($1::text[], $2::text[]) AS v (mailbox, naam)
             WHERE b.mailbox = v.mailbox AND b.naam = v.naam",
        )
        .bind(&mailbox)
        .bind(&naam)
        .execute(&self.pool)
        .await?;
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
                "SELECT seq, at, richting, mailbox, xml, transport, user_id, grootte, hash, onleesbaar FROM berichtenlog WHERE seq > $1 ORDER BY seq LIMIT 1000",
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

/// A key's entry after a claim in the batch is written (engine::Toestand's
/// rule): a claim that counts takes it; a withdrawn one only fills an entry
/// the batch has not set, and then only where the table has none.
fn zet_sleutel<K: Ord>(
    plek: std::collections::btree_map::Entry<'_, K, (String, bool)>,
    nieuw: (String, bool),
) {
    use std::collections::btree_map::Entry;
    match plek {
        Entry::Vacant(e) => {
            e.insert(nieuw);
        }
        Entry::Occupied(mut e) => {
            if nieuw.1 {
                e.insert(nieuw);
            }
        }
    }
}
