//! Load test of the worker platform on loopback: 1,000 concurrent workers (each on its own
//! keep-alive connection) submit results through the worker JSON API
//! (`POST /api/v1/worker/tasks/{id}/result`, bearer session) to many tasks, against each
//! store: `MemoryStore`, `SqlStore` on SQLite (a file, WAL) and, when `TAOPLEX_TEST_PG_URL` is
//! set, `SqlStore` on PostgreSQL (a fresh schema).
//!
//! Two timed phases per store, each every worker × 20 tasks:
//!
//! 1. **paced**: the workers together offer 2,000 submissions/s (each worker one every
//!    0.5 s, phases spread evenly), latency counted from each request's scheduled time. This is
//!    the goal: the platform keeps up with 2,000/s from 1,000 workers with p99 < 50 ms.
//! 2. **flood**: every worker sends its next submission as soon as the last is answered, so
//!    1,000 requests are always in flight. This measures capacity; its latency is queueing
//!    (latency ≈ 1,000 / throughput), not a service time.
//!
//! Each submission is a full request: bearer session and account lookup, the task (cached by
//! the SQL store), score and explanation validation, and the store's atomic accept (one SQL
//! statement). Not measured: signing the workers up (done beforehand through the JSON sign-up
//! with deliberately cheap argon2 parameters: argon2's cost is a security setting, not a
//! throughput figure) and creating the tasks. Afterwards the benchmark checks that nothing was
//! lost: every request answered 201 and the store holds exactly that many results.
//!
//! `cargo bench -p dojo-platform --bench platform_load` runs 1,000 workers; `-- --test` (what CI runs)
//! 50 workers × 4 tasks. Client and server share the machine's cores, so the numbers are a
//! lower bound for the server alone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use chain::{Clock, SystemClock};
use db::{Db, DbConfig};
use dojo_core::task::{Criteria, GroundTruth, Modality, Output, Task, TaskShape};
use dojo_platform::{
    self as platform, MemoryStore, PlatformState, PlatformStore, PlatformTask, SqlStore,
};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

const DAY_NS: u64 = 86_400_000_000_000;

type Http = Client<HttpConnector, Full<Bytes>>;

/// Offered load of the paced phase, submissions per second over all workers.
const TARGET_RATE: f64 = 2_000.0;

/// Every worker submits once to each of `tasks` (in its own order). Paced (`Some(rate)`): each
/// worker sends on its own schedule so that all together offer `rate` per second, and latency
/// counts from the scheduled time (a late send is not hidden). Flood (`None`): every worker
/// sends its next request as soon as the last one is answered, so 1,000 requests are always in
/// flight: the server's capacity, with latency dominated by queueing (Little's law: latency ≈
/// in flight / throughput). Returns whether the paced phase met the goal.
async fn phase(
    name: &str,
    http: &Http,
    addr: std::net::SocketAddr,
    tokens: &Arc<Vec<String>>,
    tasks: &[String],
    rate: Option<f64>,
) -> bool {
    let workers = tokens.len();
    let gate = Arc::new(tokio::sync::Barrier::new(workers + 1));
    // Each worker's interval between its own submissions, and its phase offset within it.
    let interval = rate.map(|r| Duration::from_secs_f64(workers as f64 / r));
    let mut joins = Vec::with_capacity(workers);
    for n in 0..workers {
        let http = http.clone();
        let gate = gate.clone();
        let tokens = tokens.clone();
        let uris: Vec<String> = (0..tasks.len())
            .map(|i| {
                let id = &tasks[(i + n) % tasks.len()];
                format!("http://{addr}/api/v1/worker/tasks/{id}/result")
            })
            .collect();
        let offset = interval.map(|iv| iv.mul_f64(n as f64 / workers as f64));
        joins.push(tokio::spawn(async move {
            let body = serde_json::json!({
                "scores": {"a": 90, "b": 80, "c": 40, "d": 10},
                "explanation": "A is warm and complete; D sounds like a robot and misses the tone.",
            })
            .to_string();
            let mut lat = Vec::with_capacity(uris.len());
            let mut errors = Vec::new();
            gate.wait().await;
            let t0 = tokio::time::Instant::now();
            for (i, uri) in uris.iter().enumerate() {
                let t = match (interval, offset) {
                    (Some(iv), Some(off)) => {
                        let at = t0 + off + iv.mul_f64(i as f64);
                        tokio::time::sleep_until(at).await;
                        at
                    }
                    _ => tokio::time::Instant::now(),
                };
                let (status, resp) =
                    request(&http, "POST", uri, Some(&tokens[n]), body.clone()).await;
                lat.push(t.elapsed());
                if status != 201 {
                    errors.push(format!("{status}: {}", String::from_utf8_lossy(&resp)));
                }
            }
            (lat, errors)
        }));
    }
    gate.wait().await;
    let start = Instant::now();
    let mut lat = Vec::with_capacity(workers * tasks.len());
    let mut errors = Vec::new();
    for j in joins {
        let (l, e) = j.await.unwrap();
        lat.extend(l);
        errors.extend(e);
    }
    let elapsed = start.elapsed();
    lat.sort();
    let achieved = lat.len() as f64 / elapsed.as_secs_f64();
    let p50 = percentile(&lat, 0.5).as_secs_f64() * 1e3;
    let p99 = percentile(&lat, 0.99).as_secs_f64() * 1e3;
    let label = match rate {
        Some(r) => format!("paced {r:.0}/s"),
        None => "flood".to_string(),
    };
    println!(
        "{name:<9} {label:<13} {workers} workers x {} tasks = {} submissions in {:.2} s: {achieved:>6.0}/s, p50 {p50:>7.2} ms, p99 {p99:>7.2} ms, max {:>7.2} ms, errors {}",
        tasks.len(),
        lat.len(),
        elapsed.as_secs_f64(),
        lat.last().unwrap().as_secs_f64() * 1e3,
        errors.len(),
    );
    assert!(errors.is_empty(), "{} failed submissions, e.g. {:?}", errors.len(), &errors[..1]);
    // The paced phase lasts at least tasks x interval; it keeps up if it finishes within 5 %.
    let kept_up = rate.is_some_and(|r| achieved >= 0.95 * r);
    kept_up && p99 < 50.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn task(id: &str) -> Task {
    let out = |id: &str, text: &str| Output {
        id: id.into(),
        modality: Modality::Text,
        content: text.into(),
        model: "m".into(),
        flaws: vec![],
        interactions: vec![],
        annotations: vec![],
    };
    Task {
        id: id.into(),
        prompt: "Write a short greeting for a new colleague".into(),
        outputs: vec![
            out("a", "Welcome aboard, glad to have you with us!"),
            out("b", "Hi and welcome, let us know if you need anything."),
            out("c", "welcome"),
            out("d", "Greetings, colleague. Commence work."),
        ],
        ground_truth: Some(
            GroundTruth::new(
                [("a", 0), ("b", 0), ("c", 1), ("d", 2)]
                    .iter()
                    .map(|(k, r)| (k.to_string(), *r))
                    .collect(),
            )
            .unwrap(),
        ),
        criteria: Criteria::default(),
        shape: TaskShape::TwoViableTwoFlawed,
        seed: None,
    }
}

async fn request(
    http: &Http,
    method: &str,
    uri: &str,
    bearer: Option<&str>,
    body: String,
) -> (u16, Bytes) {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(t) = bearer {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let resp = http.request(b.body(Full::new(Bytes::from(body))).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.into_body().collect().await.unwrap().to_bytes())
}

async fn run(name: &str, store: Arc<dyn PlatformStore>, workers: usize, tasks: usize) {
    let clock = Arc::new(SystemClock);
    let state = PlatformState::new(store.clone(), clock.clone())
        // Cheap hashing for the sign-ups, which are not what is measured.
        .with_argon2_params(argon2::Params::new(8, 1, 1, None).unwrap());
    let miner = state.create_miner("bench-miner", "bench miner password").await.unwrap();
    // Half the tasks for the paced phase, half for the flood.
    let task_ids: Vec<String> = (0..2 * tasks).map(|i| format!("task-{i:03}")).collect();
    for id in &task_ids {
        state
            .add_task(PlatformTask {
                task: task(id),
                miner: miner.id,
                expires_at_ns: clock.now_ns() + DAY_NS,
                max_results: u32::try_from(workers).unwrap(),
            })
            .await
            .unwrap();
    }
    let mut invites = Vec::with_capacity(workers);
    for _ in 0..workers {
        invites.push(state.issue_invite(miner.id).await.unwrap());
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(platform::serve(listener, state.clone(), async move {
        let _ = stop_rx.await;
    }));
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(workers)
        .build(HttpConnector::new());

    // Sign-up (not timed), 50 at a time.
    let signup = format!("http://{addr}/api/v1/worker/signup");
    let mut tokens = Vec::with_capacity(workers);
    for chunk in invites.chunks(50) {
        let mut joins = Vec::new();
        for key in chunk {
            let http = http.clone();
            let uri = signup.clone();
            let body = serde_json::json!({
                "invite": key,
                "username": format!("w{}", &key[..16]),
                "password": "a worker password",
            })
            .to_string();
            joins.push(tokio::spawn(async move {
                let (status, body) = request(&http, "POST", &uri, None, body).await;
                assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                v["token"].as_str().unwrap().to_string()
            }));
        }
        for j in joins {
            tokens.push(j.await.unwrap());
        }
    }

    let (paced, flood) = task_ids.split_at(tasks);
    let tokens = Arc::new(tokens);
    let paced_ok = phase(name, &http, addr, &tokens, paced, Some(TARGET_RATE)).await;
    phase(name, &http, addr, &tokens, flood, None).await;

    let mut stored = 0;
    for id in &task_ids {
        stored += store.submissions(id).await.unwrap().len();
    }
    assert_eq!(stored, 2 * workers * tasks, "every accepted submission is stored");
    println!(
        "{name:<9} nothing lost: {stored} results stored = {} accepted; goal (>= 2,000/s, p99 < 50 ms) {}",
        2 * workers * tasks,
        if paced_ok { "met" } else { "MISSED" }
    );

    let _ = stop_tx.send(());
    server.await.unwrap().unwrap();
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let (workers, tasks) = if quick { (50, 4) } else { (1_000, 20) };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        println!(
            "worker platform load test on loopback, {} cores",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        run("memory", Arc::new(MemoryStore::new()), workers, tasks).await;

        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&DbConfig::Sqlite(dir.path().join("platform.sqlite"))).await.unwrap();
        run("sqlite", Arc::new(SqlStore::open(db.clone()).await.unwrap()), workers, tasks).await;
        db.close().await;

        // The one tool policy: under CI=true a missing PostgreSQL fails the run.
        if let Some(pg) = test_support::pg::fresh_schema("platform_bench") {
            let config = DbConfig::Postgres { url: pg.url, schema: Some(pg.schema) };
            let db = Db::open(&config).await.unwrap();
            run("postgres", Arc::new(SqlStore::open(db.clone()).await.unwrap()), workers, tasks)
                .await;
            db.close().await;
        }
    });
}
