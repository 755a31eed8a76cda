//! Integration tests of the `dojo-miner` crate: one binary, a module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

mod miner;
mod node;

// ---- Databases for the store suites ----

use db::DbConfig;

/// The configuration of a fresh PostgreSQL schema (opened again, it is the same database), or
/// `None` after a notice when `TAOPLEX_TEST_PG_URL` is unset (under `CI=true` the test fails).
pub(crate) fn pg_config(prefix: &str) -> Option<DbConfig> {
    let pg = test_support::pg::fresh_schema(prefix)?;
    Some(DbConfig::Postgres { url: pg.url, schema: Some(pg.schema) })
}
