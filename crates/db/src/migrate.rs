//! Per-component migrations through sqlx, and the baseline that adopts databases made by the
//! old hand-made runners.
//!
//! # Several components in one database
//!
//! Each component (`market`, `platform`, `validator`, …) keeps its own sqlx bookkeeping table,
//! `_sqlx_migrations_<component>` (sqlx 0.9's `Migrator::dangerous_set_table_name`), so
//! every component numbers its migrations from 1 and no two can collide, however many share
//! one SQLite file or PostgreSQL schema. (One shared table with version ranges per component
//! would also work, but sqlx refuses a table holding versions it does not know unless told to
//! ignore missing ones, which would also hide real mistakes.)
//!
//! # Baseline
//!
//! The old runners recorded applied versions in their own tables: the market store in
//! `schema_migrations(version)`, Dojo in `dojo_migrations(component, version)`. When a
//! component's sqlx table is empty but the old table records versions for it, those versions
//! are recorded as applied for sqlx without running them (`Migrator::skip` up to the highest
//! one), after checking that they are exactly this build's first migrations; later
//! migrations then run normally. The old table is left as it was.

use std::collections::BTreeSet;

use sqlx::migrate::Migrator;

use crate::error::DbError;
use crate::on_db;
use crate::pool::{Db, check_identifier};

/// Where an old hand-made runner recorded a component's applied migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    /// `table(version BIGINT PRIMARY KEY)`, one row per applied version (the market store's
    /// `schema_migrations`).
    Versions {
        /// The table.
        table: &'static str,
    },
    /// `table(component TEXT, version BIGINT)`, rows of this component (Dojo's
    /// `dojo_migrations`).
    ComponentVersions {
        /// The table.
        table: &'static str,
        /// The component's name in it.
        component: &'static str,
    },
}

impl Legacy {
    /// Dojo's old runner: `dojo_migrations(component, version)`.
    pub const fn dojo(component: &'static str) -> Legacy {
        Legacy::ComponentVersions { table: "dojo_migrations", component }
    }

    fn table(&self) -> &'static str {
        match self {
            Legacy::Versions { table } | Legacy::ComponentVersions { table, .. } => table,
        }
    }
}

/// One component's migrations: a folder per engine, embedded with `sqlx::migrate!`. As the
/// consuming crate writes it (the folders are resolved relative to that crate, so this sketch is
/// not compiled here; the crate README's example is):
///
/// ```text
/// let migrations = db::Migrations::new(
///     "market",
///     sqlx::migrate!("migrations/sqlite"),
///     sqlx::migrate!("migrations/postgres"),
/// )
/// .with_legacy(db::Legacy::Versions { table: "schema_migrations" });
/// db.migrate(&migrations).await?;
/// ```
#[derive(Debug)]
pub struct Migrations {
    component: &'static str,
    sqlite: Migrator,
    postgres: Migrator,
    legacy: Option<Legacy>,
}

impl Migrations {
    /// `component`'s migrations for each engine. The two folders should hold the same
    /// versions (one schema, two dialects); a version missing on one engine is simply not
    /// applied there.
    pub fn new(component: &'static str, mut sqlite: Migrator, mut postgres: Migrator) -> Self {
        let table = Self::table_for(component);
        sqlite.dangerous_set_table_name(table.clone());
        postgres.dangerous_set_table_name(table);
        Migrations { component, sqlite, postgres, legacy: None }
    }

    /// Adopts databases whose applied migrations an old runner recorded in `legacy`.
    pub fn with_legacy(mut self, legacy: Legacy) -> Self {
        self.legacy = Some(legacy);
        self
    }

    /// The component.
    pub fn component(&self) -> &'static str {
        self.component
    }

    /// The sqlx bookkeeping table of this component: `_sqlx_migrations_<component>`.
    pub fn table(&self) -> String {
        Self::table_for(self.component)
    }

    fn table_for(component: &str) -> String {
        format!("_sqlx_migrations_{component}")
    }

    /// Versions of the migrations for `db`'s engine, ascending.
    pub fn versions(&self, db: &Db) -> Vec<i64> {
        let migrator = match db {
            Db::Sqlite(_) => &self.sqlite,
            Db::Postgres(_) => &self.postgres,
        };
        migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| m.version)
            .collect()
    }
}

impl Db {
    /// Brings `migrations.component()` up to date: adopts a database made by the old runner
    /// (see the [module docs](crate::migrate)), then applies the pending migrations in
    /// version order, each in its own transaction. Applied migrations whose text changed are
    /// refused (sqlx checks their checksums).
    pub async fn migrate(&self, migrations: &Migrations) -> Result<(), DbError> {
        let component = migrations.component;
        check_identifier(component, "component name")?;
        let table = migrations.table();
        if let Some(legacy) = migrations.legacy
            && self.count_rows(&table).await?.unwrap_or(0) == 0
        {
            let recorded = self.legacy_versions(&legacy).await?;
            if let Some(&highest) = recorded.last() {
                let expected: Vec<i64> =
                    migrations.versions(self).into_iter().filter(|v| *v <= highest).collect();
                if recorded != expected {
                    return Err(DbError::Baseline {
                        component,
                        table: legacy.table(),
                        recorded,
                        expected,
                    });
                }
                self.run(migrations, Some(highest)).await?;
            }
        }
        self.run(migrations, None).await
    }

    /// Applies the pending migrations, or with `skip_to`, records those up to that version
    /// as applied without running them.
    async fn run(&self, migrations: &Migrations, skip_to: Option<i64>) -> Result<(), DbError> {
        let component = migrations.component;
        let done = match self {
            Db::Sqlite(pool) => match skip_to {
                Some(version) => migrations.sqlite.skip(pool, Some(version)).await,
                None => migrations.sqlite.run(pool).await,
            },
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let done = match skip_to {
                    Some(version) => migrations.postgres.skip(&mut *conn, Some(version)).await,
                    None => migrations.postgres.run(&mut *conn).await,
                };
                if done.is_err() {
                    // sqlx returns early without releasing its session-level advisory lock;
                    // left held, the next migration on this pooled connection's database
                    // (any component, any process) would wait forever.
                    let _ =
                        sqlx::query("SELECT pg_advisory_unlock_all()").execute(&mut *conn).await;
                }
                done
            }
        };
        done.map_err(|source| DbError::Migrate { component, source })
    }

    /// Whether `table` exists (in the search path, on PostgreSQL).
    pub async fn table_exists(&self, table: &str) -> Result<bool, DbError> {
        Ok(match self {
            Db::Sqlite(pool) => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                )
                .bind(table)
                .fetch_one(pool)
                .await?;
                n > 0
            }
            Db::Postgres(pool) => {
                // to_regclass follows the search path, like the unqualified names in queries.
                sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                    .bind(table)
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    /// Rows in `table`, or `None` if it does not exist.
    async fn count_rows(&self, table: &str) -> Result<Option<i64>, DbError> {
        check_identifier(table, "table name")?;
        if !self.table_exists(table).await? {
            return Ok(None);
        }
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        let n: i64 = on_db!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await?);
        Ok(Some(n))
    }

    /// Versions the old runner recorded, ascending (empty if its table does not exist).
    async fn legacy_versions(&self, legacy: &Legacy) -> Result<Vec<i64>, DbError> {
        let table = legacy.table();
        check_identifier(table, "table name")?;
        if !self.table_exists(table).await? {
            return Ok(Vec::new());
        }
        let versions: Vec<i64> = match legacy {
            Legacy::Versions { .. } => {
                let sql = sqlx::AssertSqlSafe(format!("SELECT version FROM {table}"));
                on_db!(self, pool => sqlx::query_scalar(sql).fetch_all(pool).await?)
            }
            Legacy::ComponentVersions { component, .. } => {
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT version FROM {table} WHERE component = $1"
                ));
                on_db!(self, pool => sqlx::query_scalar(sql).bind(*component).fetch_all(pool).await?)
            }
        };
        Ok(versions.into_iter().collect::<BTreeSet<_>>().into_iter().collect())
    }
}
