//! Integration tests of the market crate: the store suite on SQLite and PostgreSQL, and the
//! indexer against a scripted in-test chain.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub)]

mod backprop;
mod indexer;
mod localnet;
mod mock;
mod store;

use market::{Store, StoreConfig};

/// A fresh SQLite store in a temporary directory (kept alive by the returned guard).
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::SqliteDir(dir.path().to_path_buf())).await.unwrap();
    (store, dir)
}

/// A fresh PostgreSQL schema per call, or `None` after a notice when `TAOPLEX_TEST_PG_URL` is
/// unset (under `CI=true` the test fails instead).
pub async fn pg_store() -> Option<Store> {
    Some(Store::open(&pg_config()?).await.unwrap())
}

/// The configuration of a fresh PostgreSQL schema, or `None` after a notice when
/// `TAOPLEX_TEST_PG_URL` is unset (under `CI=true` the test fails instead).
pub fn pg_config() -> Option<StoreConfig> {
    let pg = test_support::pg::fresh_schema("market")?;
    Some(StoreConfig::Postgres { url: pg.url, schema: Some(pg.schema) })
}

/// Runs an async test body on SQLite and, when configured, on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($sqlite:ident, $pg:ident, $body:path) => {
        #[tokio::test]
        async fn $sqlite() {
            let (store, _dir) = $crate::sqlite_store().await;
            $body(store).await;
        }
        #[tokio::test]
        async fn $pg() {
            if let Some(store) = $crate::pg_store().await {
                $body(store).await;
            }
        }
    };
}
