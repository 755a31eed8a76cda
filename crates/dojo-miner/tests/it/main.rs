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

use std::sync::atomic::{AtomicU32, Ordering};

use dojo_db::DbConfig;

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
