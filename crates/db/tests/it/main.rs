//! Integration tests of the `db` crate: migrations, component isolation and the baseline of
//! databases made by the old runners, on a SQLite file and (with `TAOPLEX_TEST_PG_URL`) on
//! PostgreSQL in a fresh schema.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub)]

use db::{Db, DbConfig, DbError, Legacy, Migrations, on_db};

/// A fresh PostgreSQL schema's configuration, or `None` after a notice when
/// `TAOPLEX_TEST_PG_URL` is unset (under `CI=true` the test fails instead).
fn pg_config(prefix: &str) -> Option<DbConfig> {
    let pg = test_support::pg::fresh_schema(prefix)?;
    Some(DbConfig::parse(&pg.url).with_schema(pg.schema))
}

fn alpha() -> Migrations {
    Migrations::new(
        "alpha",
        sqlx::migrate!("tests/migrations/alpha/sqlite"),
        sqlx::migrate!("tests/migrations/alpha/postgres"),
    )
    .with_legacy(Legacy::dojo("alpha"))
}

fn beta() -> Migrations {
    Migrations::new(
        "beta",
        sqlx::migrate!("tests/migrations/beta/sqlite"),
        sqlx::migrate!("tests/migrations/beta/postgres"),
    )
    .with_legacy(Legacy::Versions { table: "schema_migrations" })
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap())
}

async fn exec(db: &Db, sql: &'static str) {
    on_db!(db, pool => { sqlx::raw_sql(sql).execute(pool).await.unwrap(); });
}

/// Runs `$body(db)` on a fresh SQLite file and, when configured, a fresh PostgreSQL schema.
macro_rules! both_engines {
    ($sqlite:ident, $pg:ident, $body:path) => {
        #[tokio::test]
        async fn $sqlite() {
            let dir = tempfile::tempdir().unwrap();
            let db = Db::open(&DbConfig::Sqlite(dir.path().join("x/db.sqlite"))).await.unwrap();
            $body(db).await;
        }
        #[tokio::test]
        async fn $pg() {
            if let Some(config) = pg_config("db") {
                $body(Db::open(&config).await.unwrap()).await;
            }
        }
    };
}

both_engines!(fresh_sqlite, fresh_pg, fresh);
async fn fresh(db: Db) {
    db.migrate(&alpha()).await.unwrap();
    db.migrate(&alpha()).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM alpha_items").await, 1, "seed inserted once");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM _sqlx_migrations_alpha").await, 2);
    assert!(!db.table_exists("dojo_migrations").await.unwrap(), "no legacy table is made");
}

both_engines!(components_do_not_collide_sqlite, components_do_not_collide_pg, components);
async fn components(db: Db) {
    // Both number their migrations 1, 2: each has its own bookkeeping table.
    db.migrate(&alpha()).await.unwrap();
    db.migrate(&beta()).await.unwrap();
    db.migrate(&alpha()).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM _sqlx_migrations_alpha").await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM _sqlx_migrations_beta").await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM beta_blobs").await, 0);
    assert_eq!(alpha().versions(&db), vec![1, 2]);
}

both_engines!(dojo_baseline_sqlite, dojo_baseline_pg, dojo_baseline);
async fn dojo_baseline(db: Db) {
    // What Dojo's old runner left after applying version 1 of `alpha` (and another component).
    exec(
        &db,
        "CREATE TABLE dojo_migrations (
            component TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (component, version));
         CREATE TABLE alpha_items (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
         INSERT INTO alpha_items (id, name) VALUES (7, 'kept');
         INSERT INTO dojo_migrations (component, version) VALUES ('alpha', 1), ('other', 1), ('other', 2);",
    )
    .await;
    // Re-running version 1 would fail (the table exists); version 2 must run.
    db.migrate(&alpha()).await.unwrap();
    let names: Vec<String> = on_db!(&db, pool => {
        sqlx::query_scalar("SELECT name FROM alpha_items ORDER BY id").fetch_all(pool).await.unwrap()
    });
    assert_eq!(names, vec!["seed".to_string(), "kept".to_string()]);
    let recorded: Vec<i64> = on_db!(&db, pool => {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations_alpha ORDER BY version")
            .fetch_all(pool).await.unwrap()
    });
    assert_eq!(recorded, vec![1, 2]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM dojo_migrations").await, 3, "left as it was");
    db.migrate(&alpha()).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM alpha_items").await, 2);
}

both_engines!(versions_baseline_sqlite, versions_baseline_pg, versions_baseline);
async fn versions_baseline(db: Db) {
    // The market's old runner: `schema_migrations(version)`, everything applied.
    exec(
        &db,
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY);
         CREATE TABLE beta_items (id BIGINT PRIMARY KEY);
         CREATE TABLE beta_blobs (id BIGINT PRIMARY KEY, data TEXT NOT NULL);
         INSERT INTO beta_items (id) VALUES (1), (2);
         INSERT INTO schema_migrations (version) VALUES (1), (2);",
    )
    .await;
    db.migrate(&beta()).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM beta_items").await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM _sqlx_migrations_beta").await, 2);
}

both_engines!(unknown_legacy_versions_sqlite, unknown_legacy_versions_pg, unknown_legacy);
async fn unknown_legacy(db: Db) {
    exec(
        &db,
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY);
         INSERT INTO schema_migrations (version) VALUES (1), (3);",
    )
    .await;
    let err = db.migrate(&beta()).await.unwrap_err();
    match &err {
        DbError::Baseline { component, table, recorded, expected } => {
            assert_eq!((*component, *table), ("beta", "schema_migrations"));
            assert_eq!((recorded.as_slice(), expected.as_slice()), (&[1, 3][..], &[1, 2][..]));
        }
        other => panic!("expected a baseline error, got {other}"),
    }
    assert!(!db.table_exists("beta_items").await.unwrap(), "nothing ran");
}

both_engines!(failed_migration_sqlite, failed_migration_pg, failed_migration);
async fn failed_migration(db: Db) {
    // Version 1 of `alpha` cannot run over a conflicting table: the error names the component.
    exec(&db, "CREATE TABLE alpha_items (id BIGINT PRIMARY KEY)").await;
    let err = db.migrate(&alpha()).await.unwrap_err();
    assert!(matches!(err, DbError::Migrate { component: "alpha", .. }), "{err}");
    assert!(err.to_string().contains("left at the previous version"), "{err}");
}

#[tokio::test]
async fn component_names_are_identifiers() {
    let db = Db::open(&DbConfig::Memory).await.unwrap();
    let bad = Migrations::new(
        "no-dashes",
        sqlx::migrate!("tests/migrations/beta/sqlite"),
        sqlx::migrate!("tests/migrations/beta/postgres"),
    );
    assert!(matches!(db.migrate(&bad).await, Err(DbError::Invalid(_))));
    assert_eq!(bad.table(), "_sqlx_migrations_no-dashes");
}

#[tokio::test]
async fn reopening_a_sqlite_file_keeps_its_data_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let config = DbConfig::parse(dir.path().join("a.sqlite").to_str().unwrap());
    let db = Db::open(&config).await.unwrap();
    db.migrate(&alpha()).await.unwrap();
    db.close().await;
    let db = Db::open(&config).await.unwrap();
    db.migrate(&alpha()).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM alpha_items").await, 1);
}
