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
mod old_db;
mod validator;

// ---- Databases for the store suites ----

use db::{Db, DbConfig};

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

/// The configuration of a fresh PostgreSQL schema (opened again, it is the same database), or
/// `None` after a notice when `TAOPLEX_TEST_PG_URL` is unset (under `CI=true` the test fails).
pub(crate) fn pg_config(prefix: &str) -> Option<DbConfig> {
    let pg = test_support::pg::fresh_schema(prefix)?;
    Some(DbConfig::Postgres { url: pg.url, schema: Some(pg.schema) })
}
