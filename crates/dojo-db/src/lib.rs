//! Where Dojo's services keep their state: SQLite (a file, the default) or PostgreSQL (by URL),
//! behind one small handle that each store (platform, validator, external tasks) builds on.
//!
//! Each store names its *component* and lists its migrations; [`Db::migrate`] applies the ones
//! not yet recorded in `dojo_migrations(component, version)`, each in its own transaction, so
//! several components share one database without knowing about each other.
//!
//! SQL is written once for both engines where the dialects agree (`BIGINT`, `TEXT`, `$1`-style
//! placeholders, which SQLite also accepts); [`on_db!`](crate::on_db) runs a block against
//! whichever pool is open.
//!
#![doc = include_str!("../README.md")]

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Pool, Postgres, Sqlite};
use thiserror::Error;

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbConfig {
    /// A SQLite file (created if missing, with its directory).
    Sqlite(PathBuf),
    /// PostgreSQL at this URL; `schema`, if set, is created if missing and used as the search
    /// path (tests use a fresh schema per run).
    Postgres {
        /// `postgres://user@host:port/db`.
        url: String,
        /// Schema to use instead of `public`.
        schema: Option<String>,
    },
    /// A private in-memory SQLite database (tests, throwaway demos).
    Memory,
}

impl DbConfig {
    /// `postgres://…`/`postgresql://…` URLs are PostgreSQL; anything else is a SQLite path
    /// (`sqlite://` prefix optional); `:memory:` is [`DbConfig::Memory`].
    pub fn parse(s: &str) -> Self {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            DbConfig::Postgres { url: s.to_string(), schema: None }
        } else if s == ":memory:" || s == "sqlite::memory:" {
            DbConfig::Memory
        } else {
            DbConfig::Sqlite(PathBuf::from(s.strip_prefix("sqlite://").unwrap_or(s)))
        }
    }
}

/// Failures of the database layer.
#[derive(Debug, Error)]
pub enum DbError {
    /// The database driver failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// The database directory could not be created.
    #[error("cannot create {path}: {source}")]
    Dir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A configuration value is unusable.
    #[error("{0}")]
    Invalid(String),
    /// A stored row does not decode.
    #[error("bad row in {table}: {what}")]
    BadRow {
        /// Table.
        table: &'static str,
        /// What is wrong.
        what: String,
    },
}

/// Which engine is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// An open database: a connection pool of either engine. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite.
    Sqlite(Pool<Sqlite>),
    /// PostgreSQL.
    Postgres(Pool<Postgres>),
}

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds.
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
    /// Opens (creating if needed) the database.
    pub async fn open(config: &DbConfig) -> Result<Self, DbError> {
        match config {
            DbConfig::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| DbError::Dir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                Self::open_sqlite(path).await
            }
            DbConfig::Memory => {
                let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
                // One connection: every connection to `:memory:` is its own database.
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await?;
                Ok(Db::Sqlite(pool))
            }
            DbConfig::Postgres { url, schema } => Self::open_postgres(url, schema.as_deref()).await,
        }
    }

    async fn open_sqlite(path: &Path) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(Db::Sqlite(pool))
    }

    async fn open_postgres(url: &str, schema: Option<&str>) -> Result<Self, DbError> {
        let mut options = PgConnectOptions::from_str(url)?;
        if let Some(schema) = schema {
            if schema.is_empty() || !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(DbError::Invalid(format!(
                    "schema name {schema:?} must be letters, digits and underscores"
                )));
            }
            let admin =
                PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}")))
                .execute(&admin)
                .await?;
            admin.close().await;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new().max_connections(16).connect_with(options).await?;
        Ok(Db::Postgres(pool))
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies `component`'s migrations `(version, sql)` not yet applied, in version order,
    /// each (its SQL may hold several statements) with its record in one transaction.
    pub async fn migrate(
        &self,
        component: &str,
        migrations: &[(i64, &'static str)],
    ) -> Result<(), DbError> {
        const LEDGER: &str = "CREATE TABLE IF NOT EXISTS dojo_migrations (
            component TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (component, version))";
        on_db!(self, pool => {
            sqlx::raw_sql(LEDGER).execute(pool).await?;
            for &(version, sql) in migrations {
                let mut tx = pool.begin().await?;
                let done: Option<i64> = sqlx::query_scalar(
                    "SELECT version FROM dojo_migrations WHERE component = $1 AND version = $2",
                )
                .bind(component)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
                if done.is_none() {
                    sqlx::raw_sql(sql).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO dojo_migrations (component, version) VALUES ($1, $2)")
                        .bind(component)
                        .bind(version)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
            Ok(())
        })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// `u64` as the `BIGINT` both engines store (values ≥ 2⁶³ are refused, not wrapped).
pub fn to_i64(v: u64, what: &str) -> Result<i64, DbError> {
    i64::try_from(v).map_err(|_| DbError::Invalid(format!("{what} {v} does not fit a BIGINT")))
}

/// A stored `BIGINT` back to `u64`.
pub fn to_u64(v: i64, table: &'static str) -> Result<u64, DbError> {
    u64::try_from(v).map_err(|_| DbError::BadRow { table, what: format!("negative value {v}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_engine() {
        assert_eq!(
            DbConfig::parse("postgres://u@h/db"),
            DbConfig::Postgres { url: "postgres://u@h/db".into(), schema: None }
        );
        assert_eq!(DbConfig::parse("sqlite:///tmp/x.db"), DbConfig::Sqlite("/tmp/x.db".into()));
        assert_eq!(DbConfig::parse("dojo.sqlite"), DbConfig::Sqlite("dojo.sqlite".into()));
        assert_eq!(DbConfig::parse(":memory:"), DbConfig::Memory);
    }

    #[tokio::test]
    async fn migrations_apply_once_per_component() {
        let db = Db::open(&DbConfig::Memory).await.unwrap();
        let m: &[(i64, &str)] = &[(1, "CREATE TABLE a (x BIGINT); CREATE TABLE b (y TEXT);")];
        db.migrate("one", m).await.unwrap();
        db.migrate("one", m).await.unwrap();
        db.migrate("two", &[(1, "CREATE TABLE c (z BIGINT)")]).await.unwrap();
        let Db::Sqlite(pool) = &db else { panic!("sqlite") };
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dojo_migrations")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(n, 2);
    }
}
