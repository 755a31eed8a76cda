//! Replicas of the migration runners that existed before this crate, for compatibility tests:
//! they leave a database exactly as the old code did, so a test can check that the stores
//! adopt it (feature `test-utils`; never used outside tests).

use crate::error::DbError;
use crate::on_db;
use crate::pool::Db;

/// Dojo's old runner (`dojo::db::Db::migrate`): the ledger `dojo_migrations(component,
/// version)`, then each `(version, sql)` not yet recorded for `component`, its SQL and its
/// ledger row in one transaction.
pub async fn dojo_old_runner(
    db: &Db,
    component: &str,
    migrations: &[(i64, &'static str)],
) -> Result<(), DbError> {
    const LEDGER: &str = "CREATE TABLE IF NOT EXISTS dojo_migrations (
        component TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (component, version))";
    on_db!(db, pool => {
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
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
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

/// The market store's old runner (`market::Store::migrate`): `schema_migrations(version)`,
/// then each `(version, sql)` not yet recorded, on PostgreSQL rewritten by its three string
/// replacements, with its version row in one transaction.
pub async fn market_old_runner(db: &Db, migrations: &[(i64, &'static str)]) -> Result<(), DbError> {
    let postgres = matches!(db, Db::Postgres(_));
    on_db!(db, pool => {
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
            .execute(pool)
            .await?;
        for &(version, sql) in migrations {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(pool)
                    .await?;
            if done.is_some() {
                continue;
            }
            let text = if postgres {
                sql.replace("BLOB", "BYTEA")
                    .replace("INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY")
                    .replace(") WITHOUT ROWID;", ");")
            } else {
                sql.to_string()
            };
            let mut tx = pool.begin().await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(text)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
                .bind(version)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    })
}
