//! A database made by the code before the `db` crate: Dojo's old runner recorded the
//! validator's and the external task API's migrations in `dojo_migrations`. Opened now, both
//! stores adopt it without re-running anything (the tables exist: a re-run would fail), their
//! data survives and they keep working.

use std::sync::Arc;

use chain::ManualClock;
use db::{Db, DbConfig};
use dojo_core::secret::sha256_hex;
use dojo_validator::external::{ExternalConfig, ExternalTasks};
use dojo_validator::{ValidatorStore, WeightsKind, WeightsRecord};

const VALIDATOR_V1: &str = include_str!("../../migrations/validator/sqlite/0001_validator.sql");
const VALIDATOR_V2: &str = include_str!("../../migrations/validator/sqlite/0002_penalties.sql");
const EXTERNAL_V1: &str = include_str!("../../migrations/external/sqlite/0001_init.sql");

/// Versions 1–2 of `validator` and 1 of `external`, as the old runner applied them (one text
/// for both engines), and rows as the old stores wrote them.
async fn make_old_database(db: &Db) {
    db::test_utils::dojo_old_runner(db, "validator", &[(1, VALIDATOR_V1), (2, VALIDATOR_V2)])
        .await
        .unwrap();
    db::test_utils::dojo_old_runner(db, "external", &[(1, EXTERNAL_V1)]).await.unwrap();
    db::on_db!(db, pool => {
        sqlx::query("INSERT INTO validator_weights (block, kind, uids_json, weights_json, version_key, at_ns) VALUES (10, 'set', '[0,1]', '[100,65435]', 3, 5000)")
            .execute(pool).await.unwrap();
        sqlx::query("INSERT INTO external_keys (id, label, secret_sha256, created_at_ns) VALUES ('k1', 'old client', $1, 42)")
            .bind(sha256_hex("old-secret"))
            .execute(pool).await.unwrap();
    });
}

async fn an_old_database_keeps_working(config: DbConfig) {
    let raw = Db::open(&config).await.unwrap();
    make_old_database(&raw).await;

    let db = Db::open(&config).await.unwrap();
    let store = ValidatorStore::open(db.clone()).await.unwrap();
    let old = WeightsRecord {
        block: 10,
        kind: WeightsKind::Set,
        uids: vec![0, 1],
        weights: vec![100, 65435],
        version_key: 3,
        at_ns: 5000,
    };
    assert_eq!(store.weights_history().await.unwrap(), vec![old.clone()]);
    let new = WeightsRecord { block: 20, at_ns: 9000, ..old.clone() };
    store.record_weights(&new).await.unwrap();
    assert_eq!(store.last_weights().await.unwrap(), Some(new));

    let clock = Arc::new(ManualClock::new(1_000));
    let external = ExternalTasks::open(db.clone(), ExternalConfig::default(), clock).await.unwrap();
    let key = external.authenticate("old-secret").await.unwrap();
    assert_eq!((key.id.as_str(), key.label.as_str(), key.created_at_ns), ("k1", "old client", 42));
    let issued = external.issue_key("new client").await.unwrap();
    assert_eq!(external.list_keys().await.unwrap().len(), 2);
    assert_eq!(external.authenticate(&issued.secret).await.unwrap().label, "new client");

    // sqlx now bookkeeps each component in its own table; the old ledger is left as it was.
    let counts: (i64, i64, i64) = db::on_db!(&raw, pool => (
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations_validator").fetch_one(pool).await.unwrap(),
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations_external").fetch_one(pool).await.unwrap(),
        sqlx::query_scalar("SELECT COUNT(*) FROM dojo_migrations").fetch_one(pool).await.unwrap(),
    ));
    assert_eq!(counts, (2, 1, 3));

    // Reopened, nothing changes.
    let again = ValidatorStore::open(Db::open(&config).await.unwrap()).await.unwrap();
    assert_eq!(again.weights_history().await.unwrap().len(), 2);
}

#[tokio::test]
async fn sqlite_database_made_by_the_old_runner_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    an_old_database_keeps_working(DbConfig::Sqlite(dir.path().join("dojo.sqlite"))).await;
}

#[tokio::test]
async fn pg_database_made_by_the_old_runner_keeps_working() {
    if let Some(config) = crate::pg_config("old_validator") {
        an_old_database_keeps_working(config).await;
    }
}
