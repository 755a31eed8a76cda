//! A fresh PostgreSQL schema per test, on the server in `TAOPLEX_TEST_PG_URL`.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::tools::{Tool, require};

/// A schema no other test uses, on the configured server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgSchema {
    /// The server's URL.
    pub url: String,
    /// The schema name: `<prefix>_test_<pid>_<nanos>_<n>`.
    pub schema: String,
}

/// A fresh schema named after `prefix`, or `None` when PostgreSQL is not configured (see
/// [`require`]: under `CI=true` the test fails instead).
pub fn fresh_schema(prefix: &str) -> Option<PgSchema> {
    static N: AtomicU32 = AtomicU32::new(0);
    let url = require(Tool::Postgres)?;
    // pid + time + counter: parallel test binaries and reruns never share a schema.
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
    Some(PgSchema { url, schema })
}
