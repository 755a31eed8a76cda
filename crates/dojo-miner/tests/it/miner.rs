//! The miner on an in-process localnet, with a small fake worker platform (axum, in the test)
//! that follows `protocol::platform_api`: tasks in, results out, scores and ground truths
//! back, refusals, restarts, the axon on chain and the status page.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chain::{AxonInfo, Chain, ManualClock, NeuronInfo};
use db::{Db, DbConfig};
use dojo_core::protocol::platform_api::{
    API_KEY_HEADER, CreateTask, CreatedTask, RevealGroundTruth, TaskResults,
};
use dojo_core::protocol::{
    ResultsReply, ResultsRequest, ScoreNotice, SynapseFields, TaskAck, TaskRequest, synapses,
};
use dojo_core::ratings::WorkerResult;
use dojo_core::task::{Criteria, Modality, PresentedOutput, PresentedTask};
use dojo_miner::{Miner, MinerConfig, MinerError, MinerHandle, MinerStatus, STATUS_CSP};
use dojo_transport::{AxonTarget, BlacklistPolicy, Dendrite, Synapse, SynapseResponse};
use localnet::node::BlockProduction;
use serde_json::{Value, json};

use crate::node::{MINER1, MINER2, NETUID, VALIDATOR, dojo_genesis, id, kp, start_node};

const NOW: u64 = 1_800_000_000_000_000_000;
const HOUR: u64 = 3_600_000_000_000;
const API_KEY: &str = "miner-api-key-123";

// ---------------------------------------------------------------- the fake platform

#[derive(Default)]
struct FakeState {
    /// Platform id → the task as created.
    tasks: BTreeMap<String, CreateTask>,
    /// Platform id → results the "workers" submitted.
    results: BTreeMap<String, Vec<WorkerResult>>,
    /// Platform id → revealed ranks.
    ground_truths: BTreeMap<String, BTreeMap<String, u32>>,
}

type Shared = Arc<Mutex<FakeState>>;

struct FakePlatform {
    state: Shared,
    url: String,
    server: tokio::task::JoinHandle<()>,
}

fn api_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// The 401 answer, unless the request carries the miner's key.
fn unauthorised(headers: &HeaderMap) -> Option<Response> {
    match headers.get(API_KEY_HEADER).and_then(|v| v.to_str().ok()) {
        Some(API_KEY) => None,
        _ => Some(api_error(StatusCode::UNAUTHORIZED, "invalid API key")),
    }
}

async fn create(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = unauthorised(&headers) {
        return r;
    }
    let Ok(task) = serde_json::from_slice::<CreateTask>(&body) else {
        return api_error(StatusCode::UNPROCESSABLE_ENTITY, "the body is not a CreateTask");
    };
    if task.task.outputs.len() < 2 {
        return api_error(StatusCode::UNPROCESSABLE_ENTITY, "a task needs at least two outputs");
    }
    let mut s = s.lock().unwrap();
    if s.tasks.values().any(|t| t.task.task_id == task.task.task_id) {
        return api_error(StatusCode::CONFLICT, "task exists");
    }
    let id = format!("plat-{}", s.tasks.len() + 1);
    s.tasks.insert(id.clone(), task);
    (StatusCode::CREATED, axum::Json(CreatedTask { id })).into_response()
}

async fn results(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = unauthorised(&headers) {
        return r;
    }
    let s = s.lock().unwrap();
    let Some(task) = s.tasks.get(&id) else {
        return api_error(StatusCode::NOT_FOUND, "no such task");
    };
    let results = s.results.get(&id).cloned().unwrap_or_default();
    axum::Json(TaskResults { id, expire_at_ns: task.expire_at_ns, results }).into_response()
}

async fn ground_truth(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorised(&headers) {
        return r;
    }
    let Ok(reveal) = serde_json::from_slice::<RevealGroundTruth>(&body) else {
        return api_error(StatusCode::UNPROCESSABLE_ENTITY, "the body is not a RevealGroundTruth");
    };
    let mut s = s.lock().unwrap();
    let Some(task) = s.tasks.get(&id) else {
        return api_error(StatusCode::NOT_FOUND, "no such task");
    };
    let mut outputs: Vec<&String> = task.task.outputs.iter().map(|o| &o.id).collect();
    outputs.sort();
    if reveal.ranks.keys().collect::<Vec<_>>() != outputs {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the ranks must name the task's outputs",
        );
    }
    s.ground_truths.insert(id, reveal.ranks);
    StatusCode::NO_CONTENT.into_response()
}

async fn fake_platform() -> FakePlatform {
    let state = Shared::default();
    let app = Router::new()
        .route("/api/v1/tasks", post(create))
        .route("/api/v1/tasks/{id}/results", get(results))
        .route("/api/v1/tasks/{id}/ground-truth", post(ground_truth))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    FakePlatform { state, url, server }
}

// ---------------------------------------------------------------- helpers

fn config(platform_url: &str, serve_on_chain: bool) -> MinerConfig {
    MinerConfig {
        netuid: NETUID,
        axon_addr: "127.0.0.1:0".parse().unwrap(),
        external_ip: "127.0.0.1".into(),
        status_addr: "127.0.0.1:0".parse().unwrap(),
        platform_url: platform_url.into(),
        platform_api_key: API_KEY.into(),
        blacklist: BlacklistPolicy::default(),
        serve_on_chain,
    }
}

fn presented(task_id: &str, outputs: usize) -> PresentedTask {
    PresentedTask {
        task_id: task_id.into(),
        prompt: "Build a to-do list app".into(),
        outputs: (0..outputs)
            .map(|i| PresentedOutput {
                id: format!("out{i}"),
                modality: Modality::Html,
                content: format!("<p>app {i}</p>"),
                annotations: vec![],
            })
            .collect(),
        criteria: Criteria::default(),
    }
}

fn synapse<M: SynapseFields>(name: &str, hash_fields: &[&str], message: &M) -> Synapse {
    let mut s = Synapse::new(name).hash_fields(hash_fields.iter().copied());
    s.fields = message.to_fields();
    s
}

fn task_synapse(task: PresentedTask, expire_at_ns: u64) -> Synapse {
    let request = TaskRequest { task, expire_at_ns, max_results: 3 };
    synapse(synapses::TASK, synapses::TASK_HASH_FIELDS, &request)
}

fn results_synapse(task_id: &str) -> Synapse {
    let request = ResultsRequest { task_id: task_id.into() };
    synapse(synapses::RESULTS, synapses::RESULTS_HASH_FIELDS, &request)
}

fn score_synapse(notice: &ScoreNotice) -> Synapse {
    synapse(synapses::SCORE, synapses::SCORE_HASH_FIELDS, notice)
}

fn target(miner: &MinerHandle, uri: &str) -> AxonTarget {
    AxonTarget { ip: "127.0.0.1".into(), port: miner.axon_addr().port(), hotkey: id(uri) }
}

fn ack(r: &SynapseResponse) -> TaskAck {
    assert_eq!(r.status, 200, "{r:?}");
    TaskAck::from_fields(&r.body).unwrap()
}

fn worker(id: &str, scores: [f64; 3]) -> WorkerResult {
    WorkerResult {
        worker_id: id.into(),
        scores: scores.iter().enumerate().map(|(i, s)| (format!("out{i}"), *s)).collect(),
        ranking: vec![],
        rationale: "out0 works, out2 is broken".into(),
        elapsed_secs: 95.0,
    }
}

async fn neuron(chain: &Arc<dyn Chain>, uri: &str) -> NeuronInfo {
    chain.neurons(NETUID).await.unwrap().into_iter().find(|n| n.hotkey == id(uri)).unwrap()
}

/// GET over real HTTP: (status, headers as (name, value), body).
async fn http_get(addr: SocketAddr, path: &str) -> (u16, Vec<(String, String)>, String) {
    let url = format!("http://{addr}{path}");
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut r = agent.get(&url).call().unwrap();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        (r.status().as_u16(), headers, r.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap()
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_miner_relays_tasks_results_and_scores() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let platform = fake_platform().await;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("miner.sqlite");
    let db = Db::open(&DbConfig::Sqlite(db_path.clone())).await.unwrap();
    let clock = Arc::new(ManualClock::new(NOW));
    let miner =
        Miner::start(config(&platform.url, true), chain.clone(), kp(MINER1), db, clock.clone())
            .await
            .unwrap();

    // The axon is on chain, signed by the hotkey.
    let published = neuron(&chain, MINER1).await.axon.unwrap();
    assert_eq!(
        published,
        AxonInfo {
            ip: "127.0.0.1".into(),
            port: miner.axon_addr().port(),
            ip_type: 4,
            protocol: 0,
            version: dojo_miner::axon_version(),
        }
    );

    let to_miner = target(&miner, MINER1);
    let validator = Dendrite::new(kp(VALIDATOR)).with_clock(clock.clone());

    // A task reaches the platform exactly as presented; the answer does not echo it.
    let task = presented("vt-1", 3);
    let r = validator.call(&to_miner, &task_synapse(task.clone(), NOW + HOUR)).await.unwrap();
    assert!(r.verify_axon_signature(&id(VALIDATOR), &id(MINER1)));
    assert_eq!(ack(&r), TaskAck { ack: true, reason: None });
    assert_eq!(r.body["task"], Value::Null);
    let platform_id = {
        let s = platform.state.lock().unwrap();
        assert_eq!(s.tasks.len(), 1);
        let (pid, created) = s.tasks.iter().next().unwrap();
        assert_eq!(created.task, task);
        assert_eq!(created.expire_at_ns, NOW + HOUR);
        assert_eq!(created.max_results, 3);
        pid.clone()
    };
    // Resent by the same validator: acknowledged, not created twice.
    let r = validator.call(&to_miner, &task_synapse(task.clone(), NOW + HOUR)).await.unwrap();
    assert!(ack(&r).ack);
    assert_eq!(platform.state.lock().unwrap().tasks.len(), 1);

    // The platform refuses an invalid task: ack false with the platform's own message.
    let r =
        validator.call(&to_miner, &task_synapse(presented("vt-bad", 1), NOW + HOUR)).await.unwrap();
    let refused = ack(&r);
    assert!(!refused.ack);
    let reason = refused.reason.unwrap();
    assert!(
        reason.contains("422") && reason.contains("a task needs at least two outputs"),
        "{reason}"
    );
    // An already expired task is refused before it reaches the platform.
    let r =
        validator.call(&to_miner, &task_synapse(presented("vt-old", 2), NOW - 1)).await.unwrap();
    let expired = ack(&r);
    assert!(!expired.ack && expired.reason.unwrap().contains("expired"));

    // Results flow back to the validator that sent the task.
    let results = vec![worker("w1", [90.0, 50.0, 10.0]), worker("w2", [80.0, 60.0, 20.0])];
    platform.state.lock().unwrap().results.insert(platform_id.clone(), results.clone());
    let r = validator.call(&to_miner, &results_synapse("vt-1")).await.unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    let reply = ResultsReply::from_fields(&r.body).unwrap();
    assert_eq!(reply, ResultsReply { task_id: "vt-1".into(), results: results.clone() });

    // Another registered hotkey asking for that task gets nothing, as for an unknown task.
    let other = Dendrite::new(kp(MINER2)).with_clock(clock.clone());
    let r = other.call(&to_miner, &results_synapse("vt-1")).await.unwrap();
    assert_eq!(r.status, 200);
    assert!(ResultsReply::from_fields(&r.body).unwrap().results.is_empty());
    // ... and cannot score it.
    let notice = ScoreNotice { task_id: "vt-1".into(), score: 0.1, ground_truth: None };
    let r = other.call(&to_miner, &score_synapse(&notice)).await.unwrap();
    assert_eq!(r.status, 500);
    assert!(r.axon.status_message.unwrap().contains("never received task vt-1"));

    // The score with the revealed ground truth reaches the platform.
    let ranks =
        BTreeMap::from([("out0".to_string(), 0), ("out1".to_string(), 1), ("out2".to_string(), 2)]);
    let notice =
        ScoreNotice { task_id: "vt-1".into(), score: 1.0 / 3.0, ground_truth: Some(ranks.clone()) };
    let r = validator.call(&to_miner, &score_synapse(&notice)).await.unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(platform.state.lock().unwrap().ground_truths[&platform_id], ranks);

    // A caller not registered on the subnet is refused by the axon.
    let eve = Dendrite::new(kp("//Eve")).with_clock(clock.clone());
    let r = eve.call(&to_miner, &results_synapse("vt-1")).await.unwrap();
    assert_eq!(r.status, 403);

    // The status, in memory and over HTTP.
    let status = miner.status().await;
    assert_eq!(status.hotkey, id(MINER1).to_ss58());
    assert_eq!(status.uid, neuron(&chain, MINER1).await.uid);
    assert!(status.platform_reachable);
    assert_eq!(status.counts.tasks_received, 4);
    assert_eq!(status.counts.tasks_forwarded, 1);
    assert_eq!(status.counts.tasks_refused, 2);
    assert_eq!(status.counts.tasks_forwarded_total, 1);
    assert_eq!(status.counts.result_requests, 2);
    assert_eq!(status.counts.results_returned, 2);
    assert_eq!(status.counts.unknown_task_requests, 1);
    assert_eq!(status.counts.scores_received, 1);
    assert_eq!(status.counts.ground_truths_revealed, 1);
    assert_eq!(status.scores_total, 1);
    assert!((status.mean_score.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(status.recent_scores[0].task_id, "vt-1");
    assert!(status.recent_scores[0].ground_truth_revealed);
    let standing = status.chain.clone().unwrap();
    assert_eq!(standing.axon.unwrap().port, miner.axon_addr().port());
    assert_eq!(standing.incentive, neuron(&chain, MINER1).await.incentive);

    let (code, headers, body) = http_get(miner.status_addr(), "/status.json").await;
    assert_eq!(code, 200);
    let over_http: MinerStatus = serde_json::from_str(&body).unwrap();
    assert_eq!(over_http.counts, status.counts);
    assert!(!body.contains(API_KEY), "the platform key never appears");
    let (code, headers_html, html) = http_get(miner.status_addr(), "/").await;
    assert_eq!(code, 200);
    let csp = |h: &[(String, String)]| {
        h.iter().find(|(k, _)| k == "content-security-policy").map(|(_, v)| v.clone())
    };
    assert_eq!(csp(&headers_html).as_deref(), Some(STATUS_CSP));
    assert_eq!(csp(&headers).as_deref(), Some(STATUS_CSP));
    assert!(html.contains(&id(MINER1).to_ss58()));
    assert!(html.contains("reachable") && !html.contains("<script"));
    assert!(!html.contains(API_KEY));
    miner.shutdown().await;

    // After a restart on the same database, the task is still answered for.
    let db = Db::open(&DbConfig::Sqlite(db_path)).await.unwrap();
    let miner =
        Miner::start(config(&platform.url, true), chain.clone(), kp(MINER1), db, clock.clone())
            .await
            .unwrap();
    assert_eq!(neuron(&chain, MINER1).await.axon.unwrap().port, miner.axon_addr().port());
    let r = validator.call(&target(&miner, MINER1), &results_synapse("vt-1")).await.unwrap();
    assert_eq!(ResultsReply::from_fields(&r.body).unwrap().results, results);
    let status = miner.status().await;
    assert_eq!(status.counts.tasks_forwarded_total, 1);
    assert_eq!(status.scores_total, 1);
    miner.shutdown().await;
    platform.server.abort();
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_down_means_ack_false_with_a_reason() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let db = Db::open(&DbConfig::Memory).await.unwrap();
    let clock = Arc::new(ManualClock::new(NOW));
    let miner = Miner::start(config(&url, false), chain.clone(), kp(MINER2), db, clock.clone())
        .await
        .unwrap();
    // Not asked to serve: the chain still has no axon for it.
    assert!(neuron(&chain, MINER2).await.axon.is_none());

    let validator = Dendrite::new(kp(VALIDATOR)).with_clock(clock.clone());
    let r = validator
        .call(&target(&miner, MINER2), &task_synapse(presented("vt-1", 2), NOW + HOUR))
        .await
        .unwrap();
    let a = ack(&r);
    assert!(!a.ack);
    let reason = a.reason.unwrap();
    assert!(reason.contains("unreachable") && reason.contains(&url), "{reason}");
    // Nothing was recorded: a results request finds no task.
    let r = validator.call(&target(&miner, MINER2), &results_synapse("vt-1")).await.unwrap();
    assert!(ResultsReply::from_fields(&r.body).unwrap().results.is_empty());

    let status = miner.status().await;
    assert!(!status.platform_reachable);
    assert_eq!(status.counts.tasks_refused, 1);
    assert!(status.last_platform_error.unwrap().contains("unreachable"));
    miner.shutdown().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_reports_a_store_it_cannot_read() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let db = Db::open(&DbConfig::Memory).await.unwrap();
    let clock = Arc::new(ManualClock::new(NOW));
    let miner = Miner::start(
        config("http://127.0.0.1:9", false),
        chain.clone(),
        kp(MINER2),
        db.clone(),
        clock.clone(),
    )
    .await
    .unwrap();
    assert_eq!(miner.status().await.store_error, None);
    // A closed pool: every store read fails. The page used to show "0 scores" as a fact.
    db.close().await;
    let status = miner.status().await;
    let error = status.store_error.clone().expect("the store error is reported");
    assert!(error.contains("closed"), "{error}");
    let (code, _, html) = http_get(miner.status_addr(), "/").await;
    assert_eq!(code, 200);
    assert!(html.contains("store-error") && html.contains("could not be read"), "{html}");
    assert!(!html.contains("0 scores, mean"), "{html}");
    let (_, _, body) = http_get(miner.status_addr(), "/status.json").await;
    let over_http: MinerStatus = serde_json::from_str(&body).unwrap();
    assert_eq!(over_http.store_error, Some(error));
    miner.shutdown().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_hotkey_cannot_start() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let db = Db::open(&DbConfig::Memory).await.unwrap();
    let clock = Arc::new(ManualClock::new(NOW));
    let err = Miner::start(
        config("http://127.0.0.1:9", true),
        chain.clone(),
        kp("//Nobody"),
        db.clone(),
        clock.clone(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, MinerError::NotRegistered { .. }), "{err}");
    assert!(err.to_string().contains("not registered on subnet 1"), "{err}");
    let bad_ip =
        MinerConfig { external_ip: "my-host".into(), ..config("http://127.0.0.1:9", true) };
    let err = Miner::start(bad_ip, chain, kp(MINER1), db, clock).await.unwrap_err();
    assert!(matches!(err, MinerError::Config(_)), "{err}");
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_platform_key_is_reported_to_the_validator() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let platform = fake_platform().await;
    let clock = Arc::new(ManualClock::new(NOW));
    let config =
        MinerConfig { platform_api_key: "not-the-key".into(), ..config(&platform.url, false) };
    let db = Db::open(&DbConfig::Memory).await.unwrap();
    let miner = Miner::start(config, chain, kp(MINER1), db, clock.clone()).await.unwrap();
    let validator = Dendrite::new(kp(VALIDATOR)).with_clock(clock);
    let r = validator
        .call(&target(&miner, MINER1), &task_synapse(presented("vt-1", 2), NOW + HOUR))
        .await
        .unwrap();
    let a = ack(&r);
    assert!(!a.ack);
    let reason = a.reason.unwrap();
    assert!(reason.contains("401") && reason.contains("invalid API key"), "{reason}");
    assert!(!reason.contains("not-the-key"));
    assert!(platform.state.lock().unwrap().tasks.is_empty());
    miner.shutdown().await;
    platform.server.abort();
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_mapping_and_scores_live_in_postgres() {
    let Some(pg) = crate::pg_config("miner") else { return };
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Instant);
    let platform = fake_platform().await;
    let clock = Arc::new(ManualClock::new(NOW));
    let validator = Dendrite::new(kp(VALIDATOR)).with_clock(clock.clone());
    let start = |db: Db| {
        Miner::start(config(&platform.url, false), chain.clone(), kp(MINER1), db, clock.clone())
    };
    let miner = start(Db::open(&pg).await.unwrap()).await.unwrap();
    let r = validator
        .call(&target(&miner, MINER1), &task_synapse(presented("vt-pg", 3), NOW + HOUR))
        .await
        .unwrap();
    assert!(ack(&r).ack);
    let pid = platform.state.lock().unwrap().tasks.keys().next().unwrap().clone();
    let results = vec![worker("w1", [70.0, 20.0, 5.0])];
    platform.state.lock().unwrap().results.insert(pid, results.clone());
    let notice = ScoreNotice { task_id: "vt-pg".into(), score: 0.25, ground_truth: None };
    let r = validator.call(&target(&miner, MINER1), &score_synapse(&notice)).await.unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    // A repeated notice replaces the score rather than counting twice.
    let notice = ScoreNotice { score: 0.5, ..notice };
    let r = validator.call(&target(&miner, MINER1), &score_synapse(&notice)).await.unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    miner.shutdown().await;

    let miner = start(Db::open(&pg).await.unwrap()).await.unwrap();
    let r = validator.call(&target(&miner, MINER1), &results_synapse("vt-pg")).await.unwrap();
    assert_eq!(ResultsReply::from_fields(&r.body).unwrap().results, results);
    let status = miner.status().await;
    assert_eq!(status.scores_total, 1);
    assert_eq!(status.mean_score, Some(0.5));
    assert!(!status.recent_scores[0].ground_truth_revealed);
    assert_eq!(status.counts.tasks_forwarded_total, 1);
    miner.shutdown().await;
    platform.server.abort();
    node.shutdown().await;
}
