//! The web part's own connections to the store (web.md "Serving"): a pool
//! of its own, so a page never waits for a connection the dispatcher holds,
//! and SQL written once with `$n` placeholders, which both SQLite and
//! PostgreSQL read. The store's migrations have run before this opens.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

#[derive(Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$e` with `$p` bound to whichever pool `$db` holds: the same query
/// text and row types serve both databases.
macro_rules! beide {
    ($db:expr, $p:ident => $e:expr) => {
        match $db {
            $crate::web::db::Db::Sqlite($p) => $e,
            $crate::web::db::Db::Postgres($p) => $e,
        }
    };
}
pub(crate) use beide;

impl Db {
    /// Opens a pool of at most `max` connections on the store at `url`.
    pub async fn open(url: &str, max: u32) -> Result<Db, sqlx::Error> {
        if url.starts_with("sqlite:") {
            // WAL: readers never wait for the dispatcher's write and it never
            // waits for them; the web part's few writes wait their turn.
            let opties = SqliteConnectOptions::from_str(url)?
                .create_if_missing(false)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opties)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            // No JIT: the web part's statements are short, and compiling
            // one took longer than running it (tens of ms on a year's MI).
            let opties = PgConnectOptions::from_str(url)?
                .application_name("clearinghuis web")
                .options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opties)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    pub async fn sluit(&self) {
        beide!(self, p => p.close().await)
    }

    /// The store answers.
    pub async fn bereikbaar(&self) -> bool {
        beide!(self, p => sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)").fetch_one(p).await.is_ok())
    }
}
