//! [`Db`]: an open connection pool of either engine, and [`on_db!`](crate::on_db).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Pool, Postgres, Sqlite};

use crate::config::{Backend, DbConfig, Settings};
use crate::error::DbError;

/// An open database: a connection pool of either engine. Cheap to clone.
///
/// Stores write each query once (`$N` placeholders, which SQLite accepts too) and run it with
/// [`on_db!`](crate::on_db); the variants are public for the few places that need one engine
/// (a SQLite-only checkpoint, an engine-specific statement).
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite.
    Sqlite(Pool<Sqlite>),
    /// PostgreSQL.
    Postgres(Pool<Postgres>),
}

/// Runs `$body` with `$pool` bound to whichever pool `$db` (a `&Db`) holds: the body is
/// compiled once per engine, so one query text serves both.
///
/// ```
/// # async fn demo() -> Result<(), db::DbError> {
/// let db = db::Db::open(&db::DbConfig::Memory).await?;
/// let one: i64 = db::on_db!(&db, pool => sqlx::query_scalar("SELECT 1").fetch_one(pool).await?);
/// assert_eq!(one, 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// Opens (creating if needed) the database with the default [`Settings`].
    pub async fn open(config: &DbConfig) -> Result<Self, DbError> {
        Self::open_with(config, &Settings::default()).await
    }

    /// Opens (creating if needed) the database: a SQLite file and its directory, or a
    /// PostgreSQL schema when one is named.
    pub async fn open_with(config: &DbConfig, settings: &Settings) -> Result<Self, DbError> {
        match config {
            DbConfig::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| DbError::Dir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                Self::open_sqlite(path, settings).await
            }
            DbConfig::Memory => {
                let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
                // One connection that never closes: every connection to `:memory:` is its own
                // database.
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await?;
                Ok(Db::Sqlite(pool))
            }
            DbConfig::Postgres { url, schema } => {
                Self::open_postgres(url, schema.as_deref(), settings).await
            }
        }
    }

    async fn open_sqlite(path: &Path, settings: &Settings) -> Result<Self, DbError> {
        let mut options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode loses at most the last commits on power loss, never integrity.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            // Statement journals of multi-row inserts stay in memory instead of temp files.
            .pragma("temp_store", "memory");
        if let Some(kib) = settings.sqlite_cache_kib {
            // A negative cache_size is in KiB rather than pages.
            options = options.pragma("cache_size", format!("-{kib}"));
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.sqlite_connections.max(1))
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    async fn open_postgres(
        url: &str,
        schema: Option<&str>,
        settings: &Settings,
    ) -> Result<Self, DbError> {
        let mut options = PgConnectOptions::from_str(url)?;
        if let Some(schema) = schema {
            check_identifier(schema, "schema name")?;
            let admin =
                PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}")))
                .execute(&admin)
                .await?;
            admin.close().await;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(settings.postgres_connections.max(1))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes the pool (waits for checked-out connections to return).
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// Refuses anything but a plain identifier: schema and component names are spliced into SQL.
pub(crate) fn check_identifier(name: &str, what: &str) -> Result<(), DbError> {
    let plain = !name.is_empty()
        && name.len() <= 48
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        Ok(())
    } else {
        Err(DbError::Invalid(format!(
            "{what} {name:?} must be 1 to 48 letters, digits and underscores, not starting with a digit"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_plain() {
        assert!(check_identifier("market_test_1", "schema").is_ok());
        for bad in ["", "a-b", "a;DROP", "1abc", "a b", "ä"] {
            assert!(check_identifier(bad, "schema").is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn memory_databases_are_sqlite_and_private() {
        let a = Db::open(&DbConfig::Memory).await.unwrap();
        let b = Db::open(&DbConfig::Memory).await.unwrap();
        assert_eq!(a.backend(), Backend::Sqlite);
        on_db!(&a, pool => {
            sqlx::raw_sql("CREATE TABLE t (x BIGINT)").execute(pool).await.unwrap();
        });
        let seen: i64 = on_db!(&b, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 't'")
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert_eq!(seen, 0);
    }

    #[tokio::test]
    async fn a_sqlite_file_is_created_with_its_directory_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.sqlite");
        let db = Db::open(&DbConfig::Sqlite(path.clone())).await.unwrap();
        assert!(path.exists());
        let Db::Sqlite(pool) = &db else { panic!("sqlite expected") };
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(pool).await.unwrap();
        assert_eq!(sync, 1, "NORMAL");
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(pool).await.unwrap();
        assert_eq!(timeout, 30_000);
    }

    #[tokio::test]
    async fn a_bad_schema_name_is_refused_before_connecting() {
        let config = DbConfig::parse("postgres://nobody@127.0.0.1:1/x").with_schema("a;b");
        let err = Db::open(&config).await.unwrap_err();
        assert!(matches!(err, DbError::Invalid(ref m) if m.contains("a;b")), "{err}");
    }
}
