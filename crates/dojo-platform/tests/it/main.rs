//! Integration tests of the `dojo-platform` crate: one binary, a module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

mod old_db;
mod platform;
mod platform_api;
mod platform_browser;
mod platform_media_browser;
mod platform_pages;
mod platform_store;
mod platform_ui_browser;

// ---- Databases for the store suites ----

use db::{Db, DbConfig};

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
