//! Integration tests of the `dojo-validator` crate: one binary, a module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

mod chain_weights;
mod external;
mod node;
mod validator;

// ---- Databases for the store suites ----

use std::sync::atomic::{AtomicU32, Ordering};

use dojo_db::{Db, DbConfig};

/// A fresh SQLite database in a temporary directory.
pub(crate) async fn sqlite_db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&DbConfig::Sqlite(dir.path().join("dojo.sqlite"))).await.unwrap();
    (db, dir)
}

/// A fresh PostgreSQL schema, or `None` (loudly) when `TAOPLEX_TEST_PG_URL` is unset.
pub(crate) async fn pg_db(prefix: &str) -> Option<Db> {
    Some(Db::open(&pg_config(prefix)?).await.unwrap())
}

/// The configuration of a fresh PostgreSQL schema (opened again, it is the same database).
pub(crate) fn pg_config(prefix: &str) -> Option<DbConfig> {
    static N: AtomicU32 = AtomicU32::new(0);
    let Ok(url) = std::env::var("TAOPLEX_TEST_PG_URL") else {
        eprintln!(
            "\n!!! TAOPLEX_TEST_PG_URL is not set: SKIPPING the PostgreSQL {prefix} tests.\n"
        );
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!(
        "{prefix}_test_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    );
    Some(DbConfig::Postgres { url, schema: Some(schema) })
}
