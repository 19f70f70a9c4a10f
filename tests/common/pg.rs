//! A fresh PostgreSQL database per test: cargo runs tests in parallel, and
//! each must start from an empty store. The server is the one named by
//! `CLEARINGHUIS_TEST_PG` (a URL with a database to connect to for the
//! `CREATE DATABASE`), by default the local test server. A server that cannot
//! be reached fails the test: the PostgreSQL store is never silently skipped.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sqlx::{Connection, Executor, PgConnection};

pub const STANDAARD: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The server's URL for tests.
pub fn beheer_url() -> String {
    std::env::var("CLEARINGHUIS_TEST_PG").unwrap_or_else(|_| STANDAARD.to_string())
}

/// Drops its database when it goes out of scope (best effort).
pub struct Guard {
    beheer: String,
    pub naam: String,
}

/// Creates `ch_t_<pid>_<n>` and returns its URL and the guard that drops it.
pub async fn verse_database() -> (String, Guard) {
    static TELLER: AtomicU32 = AtomicU32::new(0);
    let naam = format!(
        "ch_t_{}_{}",
        std::process::id(),
        TELLER.fetch_add(1, Ordering::Relaxed)
    );
    let beheer = beheer_url();
    let mut c = verbind(&beheer).await;
    // A database of an earlier run whose pid came back is stale.
    c.execute(format!("DROP DATABASE IF EXISTS {naam}").as_str())
        .await
        .unwrap_or_else(|e| panic!("dropping {naam}: {e}"));
    c.execute(format!("CREATE DATABASE {naam}").as_str())
        .await
        .unwrap_or_else(|e| panic!("creating {naam} on {beheer}: {e}"));
    let _ = c.close().await;
    let url = met_database(&beheer, &naam);
    (url, Guard { beheer, naam })
}

async fn verbind(url: &str) -> PgConnection {
    match tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(url)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            panic!("PostgreSQL at {url} is needed for this test (set CLEARINGHUIS_TEST_PG): {e}")
        }
        Err(_) => panic!("PostgreSQL at {url} did not answer within 10 s"),
    }
}

/// `url` with its database replaced by `naam`, query string kept.
pub fn met_database(url: &str, naam: &str) -> String {
    let (basis, query) = match url.find('?') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let host_begin = basis.find("://").map_or(0, |i| i + 3);
    let basis = match basis[host_begin..].find('/') {
        Some(i) => &basis[..host_begin + i],
        None => basis,
    };
    format!("{basis}/{naam}{query}")
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on: a
        // thread with its own runtime does the DROP, and is waited for.
        let beheer = self.beheer.clone();
        let naam = self.naam.clone();
        let draad = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let verbinden = PgConnection::connect(&beheer);
                let Ok(Ok(mut c)) = tokio::time::timeout(Duration::from_secs(10), verbinden).await
                else {
                    return;
                };
                // FORCE ends the store's pool connections that are still closing.
                let _ = c
                    .execute(format!("DROP DATABASE IF EXISTS {naam} WITH (FORCE)").as_str())
                    .await;
                let _ = c.close().await;
            });
        });
        let _ = draad.join();
    }
}
