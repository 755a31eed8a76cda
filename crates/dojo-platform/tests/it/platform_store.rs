//! One store suite for every `PlatformStore`: `MemoryStore`, `SqlStore` on SQLite and (when
//! `TAOPLEX_TEST_PG_URL` is set) on PostgreSQL in a fresh schema, including the atomicity of
//! invite redemption and submission under 50 concurrent callers.

use std::collections::BTreeMap;
use std::sync::Arc;

use dojo_core::task::GroundTruth;
use dojo_db::{Db, DbConfig};
use dojo_platform::{
    ApiKey, Invite, PlatformError, PlatformStore, PlatformTask, Role, Session, SqlStore, Submission,
};

use crate::platform::text_task;

const T0: u64 = 1_700_000_000_000_000_000;
const HOUR: u64 = 3_600_000_000_000;

/// A fresh SQLite-backed store (the directory guard keeps the file alive).
pub(crate) async fn sqlite_store() -> (Arc<dyn PlatformStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&DbConfig::Sqlite(dir.path().join("platform.sqlite"))).await.unwrap();
    (Arc::new(SqlStore::open(db).await.unwrap()), dir)
}

/// A fresh PostgreSQL schema per call, or `None` (with a loud notice) without
/// `TAOPLEX_TEST_PG_URL`.
pub(crate) async fn pg_store() -> Option<Arc<dyn PlatformStore>> {
    let db = crate::pg_db("platform").await?;
    Some(Arc::new(SqlStore::open(db).await.unwrap()))
}

/// Runs a suite body against the memory store, SQLite and, when configured, PostgreSQL.
macro_rules! every_store {
    ($name:ident, $body:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn memory() {
                $body(std::sync::Arc::new(dojo_platform::MemoryStore::new())).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (store, _dir) = $crate::platform_store::sqlite_store().await;
                $body(store).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(store) = $crate::platform_store::pg_store().await {
                    $body(store).await;
                }
            }
        }
    };
}
pub(crate) use every_store;

fn ptask(id: &str, miner: u64, max_results: u32) -> PlatformTask {
    PlatformTask { task: text_task(id), miner, expires_at_ns: T0 + HOUR, max_results }
}

fn sub(task: &str, worker: u64, at: u64) -> Submission {
    let scores: BTreeMap<String, u32> = [("a", 90), ("b", 80), ("c", 40), ("d", 10)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    Submission {
        task_id: task.into(),
        worker,
        scores,
        explanation: "A is clear and D misses the point".into(),
        submitted_at_ns: at,
        shown_at_ns: Some(1), // ignored: the store fills it in
    }
}

async fn invite(s: &Arc<dyn PlatformStore>, key: &str, miner: u64, at: u64) {
    s.add_invite(Invite { key: key.into(), miner, used_by: None, issued_at_ns: at }).await.unwrap();
}

async fn accounts_and_invites(s: Arc<dyn PlatformStore>) {
    let m = s.create_miner("Acme", "hash-m".into()).await.unwrap();
    assert_eq!(m.role, Role::Miner);
    assert_eq!(s.create_miner("acme", "h".into()).await.unwrap_err(), PlatformError::UsernameTaken);
    assert_eq!(s.account(m.id).await.unwrap().unwrap(), m);
    assert_eq!(s.account_by_username("ACME").await.unwrap().unwrap(), m);
    assert!(s.account_by_username("nobody").await.unwrap().is_none());
    assert!(s.account(9_999).await.unwrap().is_none());

    invite(&s, "k2", m.id, T0 + 2).await;
    invite(&s, "k1", m.id, T0 + 1).await;
    assert_eq!(
        s.redeem_invite("nope", "w1", "h".into()).await.unwrap_err(),
        PlatformError::InviteUnknown
    );
    // A taken username leaves the key unused.
    assert_eq!(
        s.redeem_invite("k1", "ACME", "h".into()).await.unwrap_err(),
        PlatformError::UsernameTaken
    );
    let w = s.redeem_invite("k1", "worker.one", "hash-w".into()).await.unwrap();
    assert_eq!(w.role, Role::Worker { miner: m.id });
    assert_eq!(w.password_hash, "hash-w");
    assert_eq!(
        s.redeem_invite("k1", "worker.two", "h".into()).await.unwrap_err(),
        PlatformError::InviteUsed
    );
    let inv = s.invites(m.id).await.unwrap();
    assert_eq!(inv.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(), ["k1", "k2"]);
    assert_eq!(inv[0].used_by, Some(w.id));
    assert_eq!(inv[1].used_by, None);
    assert_eq!(s.members(m.id).await.unwrap(), vec![w.clone()]);
    let other = s.create_miner("other", "h".into()).await.unwrap();
    assert!(s.members(other.id).await.unwrap().is_empty());
    assert!(s.invites(other.id).await.unwrap().is_empty());
}
every_store!(accounts_and_invites_on, super::accounts_and_invites);

async fn sessions_and_api_keys(s: Arc<dyn PlatformStore>) {
    let m = s.create_miner("acme", "h".into()).await.unwrap();
    let anon = Session { id: "s1".into(), csrf: "c1".into(), account: None, last_seen_ns: T0 };
    s.put_session(anon.clone()).await.unwrap();
    assert_eq!(s.session("s1").await.unwrap().unwrap(), anon);
    let logged = Session { account: Some(m.id), csrf: "c2".into(), ..anon.clone() };
    s.put_session(logged.clone()).await.unwrap();
    assert_eq!(s.session("s1").await.unwrap().unwrap(), logged);
    s.touch_session("s1", T0 + 10).await.unwrap();
    s.touch_session("s1", T0 + 5).await.unwrap(); // never goes back
    assert_eq!(s.session("s1").await.unwrap().unwrap().last_seen_ns, T0 + 10);
    s.put_session(Session { id: "s2".into(), last_seen_ns: T0 + 100, ..anon.clone() })
        .await
        .unwrap();
    assert_eq!(s.purge_sessions(T0 + 50).await.unwrap(), 1);
    assert!(s.session("s1").await.unwrap().is_none());
    assert!(s.session("s2").await.unwrap().is_some());
    s.delete_session("s2").await.unwrap();
    assert!(s.session("s2").await.unwrap().is_none());

    let k = ApiKey { key_hash: "ab".repeat(32), miner: m.id, created_at_ns: T0 };
    s.add_api_key(k.clone()).await.unwrap();
    assert!(s.add_api_key(k.clone()).await.is_err());
    assert_eq!(s.api_key(&k.key_hash).await.unwrap().unwrap(), k);
    assert!(s.api_key("cd").await.unwrap().is_none());
    assert_eq!(s.api_keys(m.id).await.unwrap(), vec![k]);
}
every_store!(sessions_and_api_keys_on, super::sessions_and_api_keys);

async fn tasks_views_and_submissions(s: Arc<dyn PlatformStore>) {
    let m = s.create_miner("acme", "h".into()).await.unwrap();
    let m2 = s.create_miner("other", "h".into()).await.unwrap();
    invite(&s, "k1", m.id, T0).await;
    invite(&s, "k2", m.id, T0).await;
    let w1 = s.redeem_invite("k1", "w1", "h".into()).await.unwrap();
    let w2 = s.redeem_invite("k2", "w2", "h".into()).await.unwrap();

    let mut t1 = ptask("t1", m.id, 2);
    t1.task.ground_truth = None;
    s.add_task(t1.clone(), None).await.unwrap();
    assert_eq!(
        s.add_task(t1.clone(), None).await.unwrap_err(),
        PlatformError::TaskExists("t1".into())
    );
    s.add_task(ptask("p1", m.id, 4), Some("validator-7".into())).await.unwrap();
    assert!(matches!(
        s.add_task(ptask("p2", m.id, 4), Some("validator-7".into())).await,
        Err(PlatformError::TaskExists(_))
    ));
    // Another miner may hold the same validator task.
    s.add_task(ptask("p3", m2.id, 4), Some("validator-7".into())).await.unwrap();
    assert_eq!(s.task("t1").await.unwrap().unwrap(), t1);
    assert!(s.task("zz").await.unwrap().is_none());
    assert_eq!(s.task_source("p1").await.unwrap().as_deref(), Some("validator-7"));
    assert_eq!(s.task_source("t1").await.unwrap(), None);
    let ids: Vec<String> = s.tasks(m.id).await.unwrap().into_iter().map(|t| t.task.id).collect();
    assert_eq!(ids, ["p1", "t1"]);

    // Reveal a ground truth.
    let ranks: BTreeMap<String, u32> =
        [("a", 1), ("b", 0), ("c", 2), ("d", 3)].iter().map(|(k, r)| (k.to_string(), *r)).collect();
    let gt = GroundTruth::new(ranks).unwrap();
    s.reveal_ground_truth("t1", gt.clone()).await.unwrap();
    assert_eq!(s.task("t1").await.unwrap().unwrap().task.ground_truth, Some(gt.clone()));
    assert_eq!(s.reveal_ground_truth("zz", gt).await.unwrap_err(), PlatformError::NotFound);

    // Views: the first one counts.
    s.record_view("t1", w1.id, T0 + 10).await.unwrap();
    s.record_view("t1", w1.id, T0 + 20).await.unwrap();
    s.submit(sub("t1", w1.id, T0 + 30), T0 + 30).await.unwrap();
    s.submit(sub("t1", w2.id, T0 + 31), T0 + 31).await.unwrap();
    let subs = s.submissions("t1").await.unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!((subs[0].worker, subs[0].shown_at_ns), (w1.id, Some(T0 + 10)));
    assert_eq!((subs[1].worker, subs[1].shown_at_ns), (w2.id, None));
    assert_eq!(subs[0].scores["a"], 90);
    assert_eq!(subs[0].explanation, "A is clear and D misses the point");
    assert_eq!(subs[0].submitted_at_ns, T0 + 30);

    // Rules, in order: already submitted, expired, full, unknown task.
    assert_eq!(
        s.submit(sub("t1", w1.id, T0 + 40), T0 + 40).await.unwrap_err(),
        PlatformError::AlreadySubmitted
    );
    assert_eq!(
        s.submit(sub("t1", w1.id, T0 + HOUR), T0 + HOUR).await.unwrap_err(),
        PlatformError::AlreadySubmitted
    );
    let w3 = {
        invite(&s, "k3", m.id, T0).await;
        s.redeem_invite("k3", "w3", "h".into()).await.unwrap()
    };
    assert_eq!(
        s.submit(sub("t1", w3.id, T0 + HOUR), T0 + HOUR).await.unwrap_err(),
        PlatformError::Expired
    );
    assert_eq!(
        s.submit(sub("t1", w3.id, T0 + 50), T0 + 50).await.unwrap_err(),
        PlatformError::Full { max_results: 2 }
    );
    assert_eq!(
        s.submit(sub("zz", w3.id, T0 + 50), T0 + 50).await.unwrap_err(),
        PlatformError::NotFound
    );
    assert_eq!(s.submissions("t1").await.unwrap().len(), 2);
    s.submit(sub("p1", w3.id, T0 + 60), T0 + 60).await.unwrap();
    let team = s.team_submissions(m.id).await.unwrap();
    assert_eq!(
        team.iter().map(|x| (x.task_id.as_str(), x.worker)).collect::<Vec<_>>(),
        [("p1", w3.id), ("t1", w1.id), ("t1", w2.id)]
    );
    assert!(s.team_submissions(m2.id).await.unwrap().is_empty());
}
every_store!(tasks_views_and_submissions_on, super::tasks_views_and_submissions);

/// 50 workers race for a task capped at 10 results, each also sending a duplicate; and 50
/// sign-ups race for one invite key.
async fn concurrent_callers_cannot_break_the_caps(s: Arc<dyn PlatformStore>) {
    let m = s.create_miner("acme", "h".into()).await.unwrap();
    let mut workers = Vec::new();
    for i in 0..50 {
        invite(&s, &format!("k{i}"), m.id, T0).await;
        workers
            .push(s.redeem_invite(&format!("k{i}"), &format!("w{i}"), "h".into()).await.unwrap());
    }
    s.add_task(ptask("hot", m.id, 10), None).await.unwrap();
    s.add_task(ptask("roomy", m.id, 100), None).await.unwrap();
    let mut joins = Vec::new();
    for w in &workers {
        for task in ["hot", "roomy", "roomy"] {
            let s = s.clone();
            let id = w.id;
            joins.push(tokio::spawn(async move {
                (task, s.submit(sub(task, id, T0 + 1), T0 + 1).await)
            }));
        }
    }
    let mut outcomes: BTreeMap<(&str, String), u32> = BTreeMap::new();
    for j in joins {
        let (task, r) = j.await.unwrap();
        let k = match r {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("{e:?}"),
        };
        *outcomes.entry((task, k)).or_default() += 1;
    }
    let hot_ok = outcomes.get(&("hot", "ok".to_string())).copied().unwrap_or(0);
    assert_eq!(hot_ok, 10, "{outcomes:?}");
    assert_eq!(outcomes[&("hot", "Full { max_results: 10 }".to_string())], 40, "{outcomes:?}");
    assert_eq!(outcomes[&("roomy", "ok".to_string())], 50, "{outcomes:?}");
    assert_eq!(outcomes[&("roomy", "AlreadySubmitted".to_string())], 50, "{outcomes:?}");
    assert_eq!(s.submissions("hot").await.unwrap().len(), 10);
    let roomy = s.submissions("roomy").await.unwrap();
    assert_eq!(roomy.len(), 50);
    let distinct: std::collections::BTreeSet<u64> = roomy.iter().map(|x| x.worker).collect();
    assert_eq!(distinct.len(), 50);

    invite(&s, "contested", m.id, T0).await;
    let mut joins = Vec::new();
    for i in 0..50 {
        let s = s.clone();
        joins.push(tokio::spawn(async move {
            s.redeem_invite("contested", &format!("racer{i}"), "h".into()).await
        }));
    }
    let mut ok = 0;
    for j in joins {
        match j.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e, PlatformError::InviteUsed),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(s.members(m.id).await.unwrap().len(), 51);
}
every_store!(concurrent_callers_on, super::concurrent_callers_cannot_break_the_caps);

#[tokio::test]
async fn reopening_a_sqlite_store_keeps_its_state_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.sqlite");
    let db = Db::open(&DbConfig::Sqlite(path.clone())).await.unwrap();
    let s = SqlStore::open(db.clone()).await.unwrap();
    let m = s.create_miner("acme", "h".into()).await.unwrap();
    s.add_task(ptask("t1", m.id, 4), Some("v1".into())).await.unwrap();
    db.close().await;
    let s = SqlStore::open(Db::open(&DbConfig::Sqlite(path)).await.unwrap()).await.unwrap();
    assert_eq!(s.account_by_username("acme").await.unwrap().unwrap(), m);
    assert_eq!(s.task("t1").await.unwrap().unwrap(), ptask("t1", m.id, 4));
}
