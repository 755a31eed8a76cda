//! A database made by the code before the `db` crate: Dojo's old runner recorded the
//! platform's three migrations (engine-specific 1 and 3) in `dojo_migrations`. Opened now, the
//! store adopts it without re-running anything, its data survives and it keeps working
//! (account ids continue after the old rows, invites are redeemed).

use db::{Backend, Db, DbConfig};
use dojo_platform::{ApiKey, Invite, PlatformStore, Role, SqlStore};

const SQLITE_V1: &str = include_str!("../../migrations/sqlite/0001_accounts.sql");
const PG_V1: &str = include_str!("../../migrations/postgres/0001_accounts.sql");
const V2: &str = include_str!("../../migrations/sqlite/0002_schema.sql");
const SQLITE_V3: &str = include_str!("../../migrations/sqlite/0003_submission_count.sql");

async fn make_old_database(db: &Db) {
    // The old store passed (accounts, schema, trigger) on SQLite and (accounts, schema,
    // `SELECT 1`) on PostgreSQL.
    let (v1, v3) = match db.backend() {
        Backend::Sqlite => (SQLITE_V1, SQLITE_V3),
        Backend::Postgres => (PG_V1, "SELECT 1"),
    };
    db::test_utils::dojo_old_runner(db, "platform", &[(1, v1), (2, V2), (3, v3)]).await.unwrap();
    db::on_db!(db, pool => {
        sqlx::query("INSERT INTO platform_accounts (username, username_key, password_hash) VALUES ('Alice', 'alice', 'phc')")
            .execute(pool).await.unwrap();
        sqlx::query("INSERT INTO platform_api_keys (key_hash, miner_id, created_at_ns) VALUES ('kh', 1, 7)")
            .execute(pool).await.unwrap();
    });
}

async fn an_old_database_keeps_working(config: DbConfig) {
    let raw = Db::open(&config).await.unwrap();
    make_old_database(&raw).await;

    let store = SqlStore::open(Db::open(&config).await.unwrap()).await.unwrap();
    let alice = store.account_by_username("alice").await.unwrap().unwrap();
    assert_eq!((alice.id, alice.username.as_str(), alice.role), (1, "Alice", Role::Miner));
    assert_eq!(
        store.api_key("kh").await.unwrap(),
        Some(ApiKey { key_hash: "kh".into(), miner: 1, created_at_ns: 7 })
    );
    let bob = store.create_miner("bob", "phc2".into()).await.unwrap();
    assert_eq!(bob.id, 2, "ids continue after the old rows");
    let invite = Invite { key: "inv".into(), miner: 1, used_by: None, issued_at_ns: 9 };
    store.add_invite(invite.clone()).await.unwrap();
    assert_eq!(store.invites(1).await.unwrap(), vec![invite]);
    let carol = store.redeem_invite("inv", "carol", "phc3".into()).await.unwrap();
    assert_eq!((carol.id, carol.role), (3, Role::Worker { miner: 1 }));

    let counts: (i64, i64) = db::on_db!(&raw, pool => (
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations_platform").fetch_one(pool).await.unwrap(),
        sqlx::query_scalar("SELECT COUNT(*) FROM dojo_migrations").fetch_one(pool).await.unwrap(),
    ));
    assert_eq!(counts, (3, 3));
    let again = SqlStore::open(Db::open(&config).await.unwrap()).await.unwrap();
    assert_eq!(again.members(1).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_database_made_by_the_old_runner_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    an_old_database_keeps_working(DbConfig::Sqlite(dir.path().join("platform.sqlite"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_database_made_by_the_old_runner_keeps_working() {
    if let Some(config) = crate::pg_config("old_platform") {
        an_old_database_keeps_working(config).await;
    }
}
