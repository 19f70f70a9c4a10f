//! The store as `serve` uses it: SQLite or PostgreSQL behind one type,
//! opened afresh for every attempt of the supervisor and closed after it
//! (a connection whose transaction failed is never used again), and
//! reporting every durable write to the [`Bewaking`], which ends a
//! disk-full spell.

use std::sync::Arc;

use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::{Batch, Bestandsrij, Opgeslagen, Store, StoreFout, Uitgaand};
use crate::bericht::Deelnemercode;
use crate::bewaking::Bewaking;
use crate::engine::{Gevonden, Vraag};
use crate::hub::Logregel;

#[derive(Clone)]
enum Soort {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

#[derive(Clone)]
pub struct BewaakteStore {
    soort: Soort,
    bewaking: Arc<Bewaking>,
}

/// The same call on whichever store it is.
macro_rules! beide {
    ($self:ident, $s:ident => $e:expr) => {
        match &$self.soort {
            Soort::Sqlite($s) => $e,
            Soort::Postgres($s) => $e,
        }
    };
}

impl BewaakteStore {
    /// Opens the store at `url` (and runs the migrations). PostgreSQL:
    /// `slot` is the backend pid of this hub's lock session, which fences
    /// every batch.
    pub async fn open(
        url: &str,
        slot: Option<i32>,
        bewaking: Arc<Bewaking>,
    ) -> Result<BewaakteStore, StoreFout> {
        let soort = if url.starts_with("sqlite:") {
            Soort::Sqlite(SqliteStore::open(url).await?)
        } else {
            let s = PgStore::open(url).await?;
            Soort::Postgres(match slot {
                Some(pid) => s.met_slot(pid),
                None => s,
            })
        };
        Ok(BewaakteStore { soort, bewaking })
    }

    /// Closes the pool, waiting a few seconds at most for connections still
    /// out (a server that went away does not answer a goodbye).
    pub async fn sluit(&self) {
        let sluiten = async { beide!(self, s => s.sluit().await) };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), sluiten).await;
    }
}

impl Store for BewaakteStore {
    async fn laad(&self) -> Result<Opgeslagen, StoreFout> {
        beide!(self, s => s.laad().await)
    }

    async fn zoek(&self, vragen: &[Vraag]) -> Result<Vec<Gevonden>, StoreFout> {
        beide!(self, s => s.zoek(vragen).await)
    }

    async fn al_ontvangen(&self, mailbox: &Deelnemercode, hash: &str) -> Result<bool, StoreFout> {
        beide!(self, s => s.al_ontvangen(mailbox, hash).await)
    }

    async fn bewaar(&self, batch: &Batch) -> Result<(), StoreFout> {
        beide!(self, s => s.bewaar(batch).await)?;
        self.bewaking.meld_vastgelegd();
        Ok(())
    }

    fn bewaar_los(&self, batch: Batch) -> tokio::task::JoinHandle<Result<Batch, StoreFout>> {
        let store = self.clone();
        tokio::spawn(async move { store.bewaar(&batch).await.map(|()| batch) })
    }

    async fn onverzonden(&self, max: u32, na: u64) -> Result<Vec<Uitgaand>, StoreFout> {
        beide!(self, s => s.onverzonden(max, na).await)
    }

    async fn verzonden(&self, seqs: &[u64]) -> Result<(), StoreFout> {
        beide!(self, s => s.verzonden(seqs).await)?;
        // Answers were written and synced (or confirmed) before this.
        self.bewaking.meld_vastgelegd();
        Ok(())
    }

    async fn bestand(
        &self,
        mailbox: &Deelnemercode,
        naam: &str,
    ) -> Result<Option<Bestandsrij>, StoreFout> {
        beide!(self, s => s.bestand(mailbox, naam).await)
    }

    async fn verplaatst(&self, bestanden: &[(Deelnemercode, String)]) -> Result<(), StoreFout> {
        beide!(self, s => s.verplaatst(bestanden).await)
    }

    async fn exporteer(
        &self,
        regel: &mut (dyn FnMut(Logregel) -> Result<(), StoreFout> + Send),
    ) -> Result<u64, StoreFout> {
        beide!(self, s => s.exporteer(regel).await)
    }
}
