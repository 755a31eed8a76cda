//! The validator service on an in-process localnet with real miners' axons on loopback: a
//! careful miner (rates by the ground truth it reads from the validator's store, as an
//! oracle), a random one, one answering garbage and one unreachable. The validator's clock is
//! manual: the tests move it past deadlines and wait for the validator to act.
//! Also: restart from the store, queued tasks, and the store itself on SQLite and PostgreSQL.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chain::{AxonInfo, Call, Chain, Clock, ManualClock};
use chain::{NeuronInfo, TxStatus};
use db::{Db, DbConfig};
use dojo_core::MovingScores;
use dojo_core::defence::{DefencePolicy, Penalty};
use dojo_core::protocol::{
    ResultsReply, ResultsRequest, ScoreNotice, SynapseFields, TaskAck, TaskRequest, synapses,
};
use dojo_core::ratings::{MinerResponse, WorkerResult};
use dojo_core::scoring::MinerSteps;
use dojo_core::simulate::truthful_score;
use dojo_core::task::{Modality, derive_seed};
use dojo_gen::ProceduralGenerator;
use dojo_transport::{Axon, AxonConfig, AxonServer, Metagraph, SynapseRequest, fixed_metagraph};
use dojo_validator::{
    Collection, DispatchRecord, MinerResult, MinerTaskScore, QueuedTask, ResultOutcome, TaskQueue,
    TaskSource, TaskState, Timings, Validator, ValidatorConfig, ValidatorError, ValidatorHandle,
    ValidatorStore, WeightsKind, WeightsRecord, status_router,
};
use futures::StreamExt;
use localnet::node::{BlockProduction, Node};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::broadcast::error::TryRecvError;

use crate::node::{MINER1, MINER2, NETUID, VALIDATOR, dojo_genesis, id, kp, start_node};

const NOW: u64 = 1_800_000_000_000_000_000;
const SMALL: &str = "//Dojo//small";
/// The subnet owner's hotkey: 1,000 α and a validator permit, so a validator, not a miner.
const OWNER_HOT: &str = "//Dojo//owner";
const SEC: u64 = 1_000_000_000;

/// How a fake miner's humans rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Exactly by the ground truth (an affine image of it).
    Careful,
    /// Uniformly at random.
    Random,
    /// Out-of-range scores, unknown and missing outputs.
    Garbage,
    /// Takes tasks, but never answers a results request.
    Slow,
    /// Refuses every task.
    Refusing,
    /// Rates every output the same.
    Constant,
}

#[derive(Default)]
struct Seen {
    tasks: Vec<TaskRequest>,
    results_asked: Vec<String>,
    notices: Vec<ScoreNotice>,
}

struct FakeMiner {
    server: AxonServer,
    seen: Arc<Mutex<Seen>>,
}

/// Signs `call` with `uri` and waits for it to be in a block.
async fn submit(chain: &Arc<dyn Chain>, uri: &str, call: Call) {
    let mut statuses =
        chain::sign_and_submit(chain.as_ref(), &kp(uri), call, chain::TxOptions::default())
            .await
            .unwrap();
    while let Some(status) = statuses.next().await {
        match status.unwrap() {
            TxStatus::InBlock { result, .. } => {
                result.unwrap();
                return;
            }
            TxStatus::Dropped { reason } => panic!("dropped: {reason}"),
            _ => {}
        }
    }
    panic!("status stream ended");
}

async fn serve_axon(chain: &Arc<dyn Chain>, uri: &str, port: u16) {
    let axon = AxonInfo { ip: "127.0.0.1".into(), port, ip_type: 4, protocol: 0, version: 1 };
    submit(chain, uri, Call::ServeAxon { netuid: NETUID, axon }).await;
}

fn results_for(kind: Kind, task: &dojo_core::Task, hotkey: &str) -> Vec<WorkerResult> {
    let gt = task.ground_truth.as_ref().expect("generated tasks have a ground truth");
    let max = gt.ranks.values().copied().max().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(derive_seed(1, &[&task.id, hotkey]));
    (0..3)
        .map(|w| {
            let mut scores: BTreeMap<String, f64> = task
                .outputs
                .iter()
                .map(|o| {
                    let v = match kind {
                        Kind::Careful => truthful_score(gt.ranks[&o.id], max),
                        Kind::Constant => 50.0,
                        Kind::Random | Kind::Garbage | Kind::Slow | Kind::Refusing => {
                            f64::from(rng.gen_range(1u32..=100))
                        }
                    };
                    (o.id.clone(), v)
                })
                .collect();
            if kind == Kind::Garbage {
                match w {
                    0 => {
                        *scores.values_mut().next().unwrap() = 500.0;
                    }
                    1 => {
                        scores.insert("not-an-output".into(), 50.0);
                    }
                    _ => {
                        let first = scores.keys().next().unwrap().clone();
                        scores.remove(&first);
                    }
                }
            }
            WorkerResult {
                worker_id: format!("{hotkey}-w{w}"),
                scores,
                ranking: vec![],
                rationale: "The first one follows the prompt; the <b>last</b> breaks on click."
                    .into(),
                elapsed_secs: 120.0,
            }
        })
        .collect()
}

/// A miner's axon serving the three synapses; results come from the validator's store (the
/// oracle), so the test controls how well the miner rates.
async fn fake_miner(
    chain: &Arc<dyn Chain>,
    uri: &'static str,
    kind: Kind,
    listener: TcpListener,
    oracle: ValidatorStore,
    clock: Arc<ManualClock>,
) -> FakeMiner {
    let metagraph = Metagraph::load(chain.as_ref(), NETUID).await.unwrap();
    // The snapshot outlives its sender: the axon keeps the last value.
    let (_sender, snapshot) = fixed_metagraph(metagraph);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let port = listener.local_addr().unwrap().port();
    let config = AxonConfig { external_port: port, ..AxonConfig::new(kp(uri)) };
    let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
    let axon = Axon::new(config, snapshot, clock)
        .route(
            synapses::TASK,
            synapses::TASK_HASH_FIELDS.iter().copied(),
            move |r: SynapseRequest| {
                let seen = s1.clone();
                async move {
                    let request = TaskRequest::from_fields(&r.fields).map_err(|e| e.to_string())?;
                    seen.lock().unwrap().tasks.push(request);
                    let ack = if kind == Kind::Refusing {
                        TaskAck { ack: false, reason: Some("the platform is full".into()) }
                    } else {
                        TaskAck { ack: true, reason: None }
                    };
                    Ok(ack.to_fields())
                }
            },
        )
        .route(
            synapses::RESULTS,
            synapses::RESULTS_HASH_FIELDS.iter().copied(),
            move |r: SynapseRequest| {
                let (seen, oracle) = (s2.clone(), oracle.clone());
                async move {
                    let request =
                        ResultsRequest::from_fields(&r.fields).map_err(|e| e.to_string())?;
                    seen.lock().unwrap().results_asked.push(request.task_id.clone());
                    if kind == Kind::Slow {
                        // Never answers: the validator's request timeout cuts the call.
                        std::future::pending::<()>().await;
                    }
                    let stored = oracle
                        .task(&request.task_id)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or("unknown task")?;
                    let hotkey = kp(uri).ss58_address();
                    let reply = ResultsReply {
                        task_id: request.task_id,
                        results: results_for(kind, &stored.task, &hotkey),
                    };
                    Ok(reply.to_fields())
                }
            },
        )
        .route(
            synapses::SCORE,
            synapses::SCORE_HASH_FIELDS.iter().copied(),
            move |r: SynapseRequest| {
                let seen = s3.clone();
                async move {
                    let notice = ScoreNotice::from_fields(&r.fields).map_err(|e| e.to_string())?;
                    seen.lock().unwrap().notices.push(notice);
                    Ok(Map::new())
                }
            },
        );
    FakeMiner { server: axon.serve(listener).unwrap(), seen }
}

struct Net {
    node: Node,
    chain: Arc<dyn Chain>,
    clock: Arc<ManualClock>,
}

/// A localnet (instant blocks) where each `(uri, port)` serves an axon.
async fn net(axons: &[(&str, u16)]) -> Net {
    net_with(false, axons).await
}

/// [`net`] with commit–reveal on or off.
async fn net_with(commit_reveal: bool, axons: &[(&str, u16)]) -> Net {
    let (node, chain) = start_node(&dojo_genesis(commit_reveal), BlockProduction::Instant);
    for (uri, port) in axons {
        if chain.account(id(uri)).await.unwrap().free == 0 {
            // The owner's hotkey holds no TAO for the fee.
            let amount = 10 * crate::node::TAO;
            submit(
                &chain,
                "//Alice",
                Call::Transfer { dest: id(uri), amount: chain::Tao::from_rao(amount) },
            )
            .await;
        }
        serve_axon(&chain, uri, *port).await;
    }
    Net { node, chain, clock: Arc::new(ManualClock::new(NOW)) }
}

async fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// Fast timings and v1's exact scoring (the defences have their own test).
fn config() -> ValidatorConfig {
    ValidatorConfig {
        timings: Timings::fast(),
        seed: 42,
        defences: None,
        ..ValidatorConfig::new(NETUID)
    }
}

async fn start(
    net: &Net,
    store: &ValidatorStore,
    queue: Option<Arc<dyn TaskQueue>>,
) -> ValidatorHandle {
    start_with(config(), net, store, queue).await
}

async fn start_with(
    config: ValidatorConfig,
    net: &Net,
    store: &ValidatorStore,
    queue: Option<Arc<dyn TaskQueue>>,
) -> ValidatorHandle {
    let clock: Arc<dyn Clock> = net.clock.clone();
    Validator::start(config, net.chain.clone(), kp(VALIDATOR), store.clone(), queue, clock)
        .await
        .unwrap()
}

async fn memory_store() -> ValidatorStore {
    ValidatorStore::open(Db::open(&DbConfig::Memory).await.unwrap()).await.unwrap()
}

/// The longest a test waits for the validator: generous, so a slow machine only slows a test,
/// and a validator that never gets there fails it instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(60);

/// Checks `check` whenever the validator's state changes (waking it after each miss, so it
/// looks at a clock the test moved) until it holds; fails after [`PATIENCE`] with the events.
async fn until<F, Fut>(what: &str, handle: &ValidatorHandle, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let mut changes = handle.changes();
    let holds = async {
        loop {
            // Marked seen before the check: a change during the check is not missed.
            changes.borrow_and_update();
            if check().await {
                return;
            }
            handle.wake();
            changes.changed().await.expect("the validator outlives its handle");
        }
    };
    if tokio::time::timeout(PATIENCE, holds).await.is_err() {
        panic!("timed out waiting for {what}; events: {:#?}", handle.events());
    }
}

async fn count(store: &ValidatorStore, state: TaskState) -> u64 {
    let c = store.counts().await.unwrap();
    match state {
        TaskState::Pending => c.pending,
        TaskState::Dispatched => c.dispatched,
        TaskState::Scored => c.scored,
        TaskState::Completed => c.completed,
        TaskState::Failed => c.failed,
    }
}

/// Moves the clock past the current task's deadline and grace (the next round is due too).
fn past_deadline(clock: &ManualClock) {
    let t = Timings::fast();
    clock.advance_ns((t.task_deadline + t.results_grace).as_nanos() as u64);
}

async fn neuron(chain: &Arc<dyn Chain>, uri: &str) -> NeuronInfo {
    chain.neurons(NETUID).await.unwrap().into_iter().find(|n| n.hotkey == id(uri)).unwrap()
}

fn ss58(uri: &str) -> String {
    kp(uri).ss58_address()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_careful_miner_earns_the_higher_ema_weight_and_incentive() {
    let ((l1, p1), (l2, p2)) = (listener().await, listener().await);
    let net = net(&[(MINER1, p1), (MINER2, p2)]).await;
    let store = memory_store().await;
    let careful =
        fake_miner(&net.chain, MINER1, Kind::Careful, l1, store.clone(), net.clock.clone()).await;
    let random =
        fake_miner(&net.chain, MINER2, Kind::Random, l2, store.clone(), net.clock.clone()).await;
    let v = start(&net, &store, None).await;

    // The first round goes out at once, to both miners, each in its own order.
    until("the first dispatch", &v, || async { count(&store, TaskState::Dispatched).await == 1 })
        .await;
    let first = store.tasks_in_state(TaskState::Dispatched).await.unwrap().remove(0);
    assert_eq!(first.source, TaskSource::Generated);
    assert!(first.task.ground_truth.is_some(), "the store keeps the ground truth");
    assert_eq!(first.expire_at_ns - first.created_at_ns, 3 * SEC);
    let dispatches = store.dispatches(&first.task.id).await.unwrap();
    assert_eq!(dispatches.len(), 2);
    assert!(dispatches.iter().all(|d| d.ack && d.reason.is_none()), "{dispatches:?}");
    {
        let (a, b) = (careful.seen.lock().unwrap(), random.seen.lock().unwrap());
        let (ta, tb) = (&a.tasks[0], &b.tasks[0]);
        assert_eq!(ta.task.task_id, first.task.id);
        assert_eq!(ta.expire_at_ns, first.expire_at_ns);
        assert_eq!(ta.max_results, 4);
        assert_eq!(ta.task, first.task.present(42, &ss58(MINER1)));
        assert_eq!(tb.task, first.task.present(42, &ss58(MINER2)));
        let json = serde_json::to_string(&ta.task).unwrap();
        assert!(!json.contains("ground_truth") && !json.contains("flaws"));
        assert!(a.results_asked.is_empty(), "no results request before the deadline");
    }

    // Three tasks collected and scored.
    for k in 1..=3u64 {
        past_deadline(&net.clock);
        until("a task scored", &v, || async { count(&store, TaskState::Scored).await == k }).await;
    }
    let scored = store.tasks_in_state(TaskState::Scored).await.unwrap();
    assert_eq!(scored.len(), 3);
    for t in &scored {
        let scores = store.scores(&t.task.id).await.unwrap();
        let by: BTreeMap<&str, &MinerTaskScore> =
            scores.iter().map(|s| (s.hotkey.as_str(), s)).collect();
        let results = store.results(&t.task.id).await.unwrap();
        assert_eq!(by.len(), 2, "{scores:#?} {results:#?} {:#?}", v.events());
        let c = by[ss58(MINER1).as_str()];
        let r = by[ss58(MINER2).as_str()];
        assert_eq!(c.steps.as_ref().unwrap().cosine, 1.0, "careful ratings follow the truth");
        assert!(c.score.unwrap() > r.score.unwrap(), "{c:?} vs {r:?}");
        assert!((c.score.unwrap() + r.score.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(results.len(), 2);
        for res in &results {
            assert_eq!(res.outcome, ResultOutcome::Ok);
            assert_eq!(res.results.len(), 3);
            assert!(!res.results[0].rationale.contains('<'), "rationales are sanitised");
        }
    }
    let ema = store.ema_scores().await.unwrap();
    assert!(ema[&ss58(MINER1)] > ema[&ss58(MINER2)], "{ema:?}");
    // Three updates of α = 0.3 with score 1: 1 − 0.7³.
    assert!((ema[&ss58(MINER1)] - (1.0 - 0.7f64.powi(3))).abs() < 1e-9, "{ema:?}");

    // Each miner was told its score with the ground truth, once per scored task.
    until("the score notices", &v, || async {
        careful.seen.lock().unwrap().notices.len() == 3
            && random.seen.lock().unwrap().notices.len() == 3
    })
    .await;
    {
        let a = careful.seen.lock().unwrap();
        let t = &scored[0];
        let n = a.notices.iter().find(|n| n.task_id == t.task.id).unwrap();
        assert_eq!(n.ground_truth.as_ref(), Some(&t.task.ground_truth.as_ref().unwrap().ranks));
        assert_eq!(n.score, 1.0);
    }

    // Weights on chain, then an epoch pays the careful miner more.
    until("weights set", &v, || async { !store.weights_history().await.unwrap().is_empty() }).await;
    let w = store.last_weights().await.unwrap().unwrap();
    assert_eq!(w.kind, WeightsKind::Set);
    let (u1, u2) = (neuron(&net.chain, MINER1).await.uid, neuron(&net.chain, MINER2).await.uid);
    let weight = |uid: u16| w.uids.iter().position(|&u| u == uid).map_or(0, |i| w.weights[i]);
    assert_eq!(weight(u1), u16::MAX);
    assert!(weight(u1) > weight(u2));
    assert_eq!(neuron(&net.chain, VALIDATOR).await.last_update, w.block);
    net.node.handle().fast_forward(25).await.unwrap();
    let (m1, m2) = (neuron(&net.chain, MINER1).await, neuron(&net.chain, MINER2).await);
    assert!(m1.incentive > m2.incentive, "incentive {} vs {}", m1.incentive, m2.incentive);

    // The status, over HTTP.
    use tower::ServiceExt;
    let response = status_router(v.clone())
        .oneshot(axum::http::Request::get("/status").body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let status: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status["hotkey"], json!(ss58(VALIDATOR)));
    assert_eq!(status["uid"], json!(neuron(&net.chain, VALIDATOR).await.uid));
    assert_eq!(status["active_miners"], json!(2));
    assert_eq!(status["counts"]["scored"], json!(3));
    assert_eq!(status["last_weights_block"], json!(w.block));
    let miners = status["miners"].as_array().unwrap();
    let ema_of =
        |h: &str| miners.iter().find(|m| m["hotkey"] == json!(h)).unwrap()["ema"].as_f64().unwrap();
    assert!(ema_of(&ss58(MINER1)) > ema_of(&ss58(MINER2)));
    let recent = status["recent_tasks"].as_array().unwrap();
    assert!(recent.iter().any(|t| t["state"] == json!("scored") && t["scored"] == json!(2)));
    // The same facts as a readable page.
    let response = status_router(v.clone())
        .oneshot(axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.starts_with("default-src 'none'") && !csp.contains("script"), "{csp}");
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let page = String::from_utf8(body.to_vec()).unwrap();
    assert!(page.contains(&ss58(MINER1)) && page.contains("<table id=\"miners\">"), "{page}");
    assert!(page.contains(&format!("block {}", w.block)));
    assert!(page.contains("<link rel=\"stylesheet\" href=\"/static/app.css\">"));

    v.shutdown().await;
    careful.server.shutdown().await;
    random.server.shutdown().await;
    net.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_commit_reveal_the_weights_are_committed_then_revealed() {
    let ((l1, p1), (l2, p2)) = (listener().await, listener().await);
    let net = net_with(true, &[(MINER1, p1), (MINER2, p2)]).await;
    let store = memory_store().await;
    let careful =
        fake_miner(&net.chain, MINER1, Kind::Careful, l1, store.clone(), net.clock.clone()).await;
    let random =
        fake_miner(&net.chain, MINER2, Kind::Random, l2, store.clone(), net.clock.clone()).await;
    let v = start(&net, &store, None).await;
    until("the first dispatch", &v, || async { count(&store, TaskState::Dispatched).await == 1 })
        .await;
    past_deadline(&net.clock);
    until("a committed weight", &v, || async {
        net.clock.advance_ns(Timings::fast().weights_check.as_nanos() as u64);
        store.weights_history().await.unwrap().iter().any(|w| w.kind == WeightsKind::Committed)
    })
    .await;
    let committed = store.last_weights().await.unwrap().unwrap();
    assert_eq!(committed.kind, WeightsKind::Committed);
    let status = v.status().await.unwrap();
    let note = status.weights_note.unwrap();
    assert!(note.starts_with("committed") || note.starts_with("awaiting the reveal"), "{note}");

    // The reveal period is 3 blocks: once the chain is there, the next check reveals.
    net.node.handle().fast_forward(3).await.unwrap();
    until("the reveal", &v, || async {
        net.clock.advance_ns(Timings::fast().weights_check.as_nanos() as u64);
        store.weights_history().await.unwrap().iter().any(|w| w.kind == WeightsKind::Revealed)
    })
    .await;
    let revealed = store.last_weights().await.unwrap().unwrap();
    assert_eq!(revealed.kind, WeightsKind::Revealed);
    assert!(revealed.block >= committed.block + 3);
    assert_eq!(
        (revealed.uids.clone(), revealed.weights.clone()),
        (committed.uids, committed.weights)
    );
    assert_eq!(neuron(&net.chain, VALIDATOR).await.last_update, revealed.block);

    v.shutdown().await;
    careful.server.shutdown().await;
    random.server.shutdown().await;
    net.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn garbage_and_unreachable_miners_are_recorded_and_the_round_goes_on() {
    let ((l1, p1), (l2, p2), (dead, p3)) = (listener().await, listener().await, listener().await);
    drop(dead); // nothing listens on p3
    let net = net(&[(MINER1, p1), (MINER2, p2), (SMALL, p3), (OWNER_HOT, p3)]).await;
    let owner = neuron(&net.chain, OWNER_HOT).await;
    assert!(owner.validator_permit && owner.stake >= config().min_validator_stake, "{owner:?}");
    let store = memory_store().await;
    let careful =
        fake_miner(&net.chain, MINER1, Kind::Careful, l1, store.clone(), net.clock.clone()).await;
    let garbage =
        fake_miner(&net.chain, MINER2, Kind::Garbage, l2, store.clone(), net.clock.clone()).await;
    let v = start(&net, &store, None).await;

    until("the first dispatch", &v, || async { count(&store, TaskState::Dispatched).await == 1 })
        .await;
    let t = store.tasks_in_state(TaskState::Dispatched).await.unwrap().remove(0);
    let dispatches: BTreeMap<String, DispatchRecord> = store
        .dispatches(&t.task.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.hotkey.clone(), d))
        .collect();
    assert_eq!(dispatches.len(), 3, "the small-stake hotkey is a miner, the owner is not");
    assert!(!dispatches.contains_key(&ss58(OWNER_HOT)));
    let unreachable = &dispatches[&ss58(SMALL)];
    assert!(!unreachable.ack);
    assert!(unreachable.reason.as_deref().unwrap().contains("failed"), "{unreachable:?}");

    past_deadline(&net.clock);
    until("the task scored", &v, || async { count(&store, TaskState::Scored).await == 1 }).await;
    let results: BTreeMap<String, MinerResult> = store
        .results(&t.task.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.hotkey.clone(), r))
        .collect();
    assert_eq!(results.len(), 2, "only miners that took the task are asked");
    let g = &results[&ss58(MINER2)];
    assert_eq!(g.outcome, ResultOutcome::Empty);
    assert_eq!(g.rejected, 3);
    assert!(g.reason.as_deref().unwrap().contains("outside"), "{g:?}");
    let scores: BTreeMap<String, MinerTaskScore> = store
        .scores(&t.task.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.hotkey.clone(), s))
        .collect();
    assert_eq!(scores[&ss58(MINER1)].score, Some(1.0), "a lone valid miner takes the task");
    assert_eq!(scores[&ss58(MINER2)].score, None);
    assert!(scores[&ss58(MINER2)].excluded.as_deref().unwrap().starts_with("no valid results"));
    let ema = store.ema_scores().await.unwrap();
    assert_eq!(ema[&ss58(MINER2)], 0.0);
    assert!(ema[&ss58(MINER1)] > 0.0);
    // The garbage miner still learns its (zero) score and the truth.
    until("the score notices", &v, || async {
        !garbage.seen.lock().unwrap().notices.is_empty()
            && !careful.seen.lock().unwrap().notices.is_empty()
    })
    .await;
    assert_eq!(garbage.seen.lock().unwrap().notices[0].score, 0.0);
    assert_eq!(careful.seen.lock().unwrap().notices[0].score, 1.0);
    assert!(garbage.seen.lock().unwrap().notices[0].ground_truth.is_some());

    // The next round went out regardless.
    until("the next round", &v, || async { count(&store, TaskState::Dispatched).await == 1 }).await;
    let status = v.status().await.unwrap();
    assert_eq!(status.active_miners, 3);
    assert!(status.events.iter().any(|e| e.message.contains("outside")), "{:?}", status.events);

    v.shutdown().await;
    careful.server.shutdown().await;
    garbage.server.shutdown().await;
    net.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restarted_validator_collects_what_its_predecessor_sent_and_keeps_the_ema() {
    let ((l1, p1), (l2, p2)) = (listener().await, listener().await);
    let net = net(&[(MINER1, p1), (MINER2, p2)]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = DbConfig::Sqlite(dir.path().join("validator.sqlite"));
    let store = ValidatorStore::open(Db::open(&file).await.unwrap()).await.unwrap();
    // The miners' oracle has its own connection: the validator's is closed at the restart.
    let oracle = ValidatorStore::open(Db::open(&file).await.unwrap()).await.unwrap();
    let careful =
        fake_miner(&net.chain, MINER1, Kind::Careful, l1, oracle.clone(), net.clock.clone()).await;
    let random =
        fake_miner(&net.chain, MINER2, Kind::Random, l2, oracle.clone(), net.clock.clone()).await;

    let a = start(&net, &store, None).await;
    until("the first dispatch", &a, || async { count(&store, TaskState::Dispatched).await == 1 })
        .await;
    past_deadline(&net.clock);
    until("task 1 scored and task 2 sent", &a, || async {
        count(&store, TaskState::Scored).await == 1
            && count(&store, TaskState::Dispatched).await == 1
    })
    .await;
    let second = store.tasks_in_state(TaskState::Dispatched).await.unwrap().remove(0);
    let ema_before = store.ema_scores().await.unwrap();
    a.shutdown().await;
    store.db().close().await;

    // A new process: the same file, a clock past the second task's deadline.
    past_deadline(&net.clock);
    let reopened = ValidatorStore::open(Db::open(&file).await.unwrap()).await.unwrap();
    let b = start(&net, &reopened, None).await;
    let status = b.status().await.unwrap();
    let m1 = status.miners.iter().find(|m| m.hotkey == ss58(MINER1)).unwrap();
    // Reloaded (and possibly already updated by the predecessor's task, never lower).
    assert!(m1.ema >= ema_before[&ss58(MINER1)] && m1.ema > 0.0, "{m1:?}");
    until("the predecessor's task scored", &b, || async {
        reopened.task(&second.task.id).await.unwrap().unwrap().state == TaskState::Scored
    })
    .await;
    let scores = reopened.scores(&second.task.id).await.unwrap();
    assert_eq!(scores.iter().filter(|s| s.score.is_some()).count(), 2);
    let ema = reopened.ema_scores().await.unwrap();
    assert!(
        (ema[&ss58(MINER1)] - (0.3 + 0.7 * ema_before[&ss58(MINER1)])).abs() < 1e-9,
        "the EMA continues: {ema:?} after {ema_before:?}"
    );
    // The round counter continues: the new process's task is a new one.
    until("a round of the new process", &b, || async {
        count(&reopened, TaskState::Dispatched).await == 1
    })
    .await;
    let third = reopened.tasks_in_state(TaskState::Dispatched).await.unwrap().remove(0);
    assert_ne!(third.task.id, second.task.id);
    assert_eq!(careful.seen.lock().unwrap().tasks.len(), 3);

    b.shutdown().await;
    careful.server.shutdown().await;
    random.server.shutdown().await;
    net.node.shutdown().await;
}

#[derive(Default)]
struct MemoryQueue {
    waiting: Mutex<VecDeque<QueuedTask>>,
    dispatched: Mutex<Vec<(String, u64, usize)>>,
    completed: Mutex<Vec<(String, Vec<MinerResponse>)>>,
}

#[async_trait::async_trait]
impl TaskQueue for MemoryQueue {
    async fn next_task(&self) -> Option<QueuedTask> {
        self.waiting.lock().unwrap().pop_front()
    }
    async fn dispatched(&self, task_id: &str, expire_at_ns: u64, miners: usize) {
        self.dispatched.lock().unwrap().push((task_id.into(), expire_at_ns, miners));
    }
    async fn completed(&self, task_id: &str, responses: &[MinerResponse]) {
        self.completed.lock().unwrap().push((task_id.into(), responses.to_vec()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_queued_task_goes_out_first_and_its_results_go_back_to_the_queue_without_the_slow_and_the_refusing_miner()
 {
    let ((l1, p1), (l2, p2), (l3, p3)) = (listener().await, listener().await, listener().await);
    let net = net(&[(MINER1, p1), (MINER2, p2), (SMALL, p3)]).await;
    let store = memory_store().await;
    let careful =
        fake_miner(&net.chain, MINER1, Kind::Careful, l1, store.clone(), net.clock.clone()).await;
    let slow =
        fake_miner(&net.chain, MINER2, Kind::Slow, l2, store.clone(), net.clock.clone()).await;
    // An external task (the fake miners rate it by its generated ranks; the validator does
    // not score queued tasks whatever they carry).
    let refusing =
        fake_miner(&net.chain, SMALL, Kind::Refusing, l3, store.clone(), net.clock.clone()).await;
    let mut task = ProceduralGenerator::default().generate(7).unwrap();
    task.id = "ext-1".into();
    let queue = Arc::new(MemoryQueue::default());
    queue.waiting.lock().unwrap().push_back(QueuedTask {
        task: task.clone(),
        deadline_secs: 2,
        max_results: 2,
    });
    let mut config = config();
    config.timings.request_timeout = Duration::from_secs(1);
    let v = start_with(config, &net, &store, Some(queue.clone())).await;

    until("the queued dispatch", &v, || async { !queue.dispatched.lock().unwrap().is_empty() })
        .await;
    let (id0, expire, miners) = queue.dispatched.lock().unwrap()[0].clone();
    assert_eq!((id0.as_str(), expire, miners), ("ext-1", NOW + 2 * SEC, 2));
    let stored = store.task("ext-1").await.unwrap().unwrap();
    assert_eq!(stored.source, TaskSource::Queued);
    assert_eq!(careful.seen.lock().unwrap().tasks[0].max_results, 2);
    let refused = store.dispatches("ext-1").await.unwrap();
    let refused = refused.iter().find(|d| d.hotkey == ss58(SMALL)).unwrap();
    assert!(!refused.ack);
    assert_eq!(refused.reason.as_deref(), Some("the platform is full"));

    past_deadline(&net.clock);
    until("the queued task completed", &v, || async {
        !queue.completed.lock().unwrap().is_empty()
    })
    .await;
    let (id1, responses) = queue.completed.lock().unwrap()[0].clone();
    assert_eq!(id1, "ext-1");
    assert_eq!(responses.len(), 1, "the slow miner has no response");
    assert_eq!(responses[0].hotkey, ss58(MINER1));
    assert_eq!(responses[0].results.len(), 2, "max_results caps each miner");
    assert_eq!(slow.seen.lock().unwrap().results_asked, vec!["ext-1".to_string()]);
    assert!(refusing.seen.lock().unwrap().results_asked.is_empty(), "it did not take the task");
    let results = store.results("ext-1").await.unwrap();
    let late = results.iter().find(|r| r.hotkey == ss58(MINER2)).unwrap();
    assert_eq!(late.outcome, ResultOutcome::Unreachable);
    assert!(late.reason.as_deref().unwrap().starts_with("HTTP 408"), "{late:?}");
    let capped = results.iter().find(|r| r.hotkey == ss58(MINER1)).unwrap();
    assert_eq!(capped.rejected, 1);
    assert_eq!(store.task("ext-1").await.unwrap().unwrap().state, TaskState::Completed);
    assert!(store.scores("ext-1").await.unwrap().is_empty(), "queued tasks are not scored");
    assert!(careful.seen.lock().unwrap().notices.iter().all(|n| n.task_id != "ext-1"));

    v.shutdown().await;
    careful.server.shutdown().await;
    slow.server.shutdown().await;
    refusing.server.shutdown().await;
    net.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatch_cut_short_is_settled_on_start() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Manual);
    let store = memory_store().await;
    let g = ProceduralGenerator::default();
    let (taken, untaken) = (g.generate(100).unwrap(), g.generate(101).unwrap());
    for t in [&taken, &untaken] {
        store
            .insert_task(t, TaskSource::Generated, NOW - 10 * SEC, NOW + 100 * SEC, 4)
            .await
            .unwrap();
    }
    let record = DispatchRecord {
        hotkey: ss58(MINER1),
        uid: 2,
        coldkey: None,
        ack: true,
        reason: None,
        sent_at_ns: NOW - SEC,
    };
    // The crash came after one miner's answer was recorded, before the state moved on.
    store.record_dispatches(&taken.id, &[record], TaskState::Pending, None).await.unwrap();

    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(NOW));
    let v =
        Validator::start(config(), chain, kp(VALIDATOR), store.clone(), None, clock).await.unwrap();
    let t = store.task(&taken.id).await.unwrap().unwrap();
    assert_eq!(t.state, TaskState::Dispatched, "collected when due");
    let t = store.task(&untaken.id).await.unwrap().unwrap();
    assert_eq!(t.state, TaskState::Failed);
    assert_eq!(t.note.as_deref(), Some("interrupted before any miner took it"));
    // No miner serves an axon: rounds are skipped, and the status says so.
    until("a skipped round", &v, || async {
        v.events().iter().any(|e| e.message.contains("round skipped"))
    })
    .await;
    assert_eq!(v.status().await.unwrap().active_miners, 0);
    v.shutdown().await;
    node.shutdown().await;
}

/// Moves the clock one round on and waits for that round's event (skipped: no miner serves).
async fn next_skipped_round(v: &ValidatorHandle, clock: &ManualClock) {
    clock.advance_ns(Timings::fast().task_interval.as_nanos() as u64);
    let now = clock.now_ns();
    until("the next skipped round", v, || async {
        v.events().iter().any(|e| e.at_ns == now && e.message.contains("round skipped"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_gets_the_backlog_then_every_later_event_and_changes_follow_them() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Manual);
    let clock = Arc::new(ManualClock::new(NOW));
    let v =
        Validator::start(config(), chain, kp(VALIDATOR), memory_store().await, None, clock.clone())
            .await
            .unwrap();
    let (mut seen, mut stream) = v.subscribe();
    assert!(seen[0].message.contains("started on subnet 1"), "{seen:?}");
    let mut changes = v.changes();

    // The next round's event comes down the stream, after whatever the backlog held.
    clock.advance_ns(Timings::fast().task_interval.as_nanos() as u64);
    v.wake();
    tokio::time::timeout(PATIENCE, changes.changed())
        .await
        .expect("the validator acted on the moved clock")
        .unwrap();
    let now = clock.now_ns();
    while !seen.iter().any(|e| e.at_ns == now && e.message.contains("round skipped")) {
        let event = tokio::time::timeout(PATIENCE, stream.recv()).await.expect("an event");
        seen.push(event.unwrap());
    }
    assert_eq!(seen, v.events(), "backlog and stream: no event twice, none missed");
    v.shutdown().await;
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_falls_behind_learns_how_many_events_it_missed() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Manual);
    let clock = Arc::new(ManualClock::new(NOW));
    // The stream buffers as many events as the status keeps.
    let config = ValidatorConfig { status_events: 1, ..config() };
    let v =
        Validator::start(config, chain, kp(VALIDATOR), memory_store().await, None, clock.clone())
            .await
            .unwrap();
    let (_, mut stream) = v.subscribe();
    for _ in 0..3 {
        next_skipped_round(&v, &clock).await;
    }
    match stream.try_recv() {
        Err(TryRecvError::Lagged(missed)) => assert!(missed >= 2, "missed {missed}"),
        other => panic!("expected a lag, got {other:?}"),
    }
    assert_eq!(stream.try_recv().unwrap(), v.events()[0], "then the newest event");
    v.shutdown().await;
    node.shutdown().await;
}

#[tokio::test]
async fn start_refuses_an_unregistered_hotkey_and_a_bad_config() {
    let (node, chain) = start_node(&dojo_genesis(false), BlockProduction::Manual);
    let store = memory_store().await;
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(NOW));
    let err =
        Validator::start(config(), chain.clone(), kp("//Eve"), store.clone(), None, clock.clone())
            .await
            .unwrap_err();
    assert!(
        matches!(&err, ValidatorError::NotRegistered { netuid: 1, hotkey } if *hotkey == kp("//Eve").public().to_ss58()),
        "{err}"
    );
    let bad = ValidatorConfig { dispatch_concurrency: 0, ..config() };
    let err = Validator::start(bad, chain, kp(VALIDATOR), store, None, clock).await.unwrap_err();
    assert!(
        matches!(&err, ValidatorError::Config(what) if what.contains("dispatch_concurrency")),
        "{err}"
    );
    node.shutdown().await;
}

// ---- The store on both engines ----

fn steps(score: f64) -> MinerSteps {
    MinerSteps {
        raw: vec![90.0, 10.0],
        normalised: vec![1.0, 0.0],
        cosine: 1.0,
        normalised_cosine: 0.6,
        cubic: 0.9,
        score,
    }
}

async fn store_suite(db: Db) {
    let store = ValidatorStore::open(db.clone()).await.unwrap();
    // Migrations apply once.
    let store = {
        drop(store);
        ValidatorStore::open(db).await.unwrap()
    };
    let g = ProceduralGenerator::default();
    let t1 = g.generate(1).unwrap();
    let t2 = g.generate(2).unwrap();
    store.insert_task(&t1, TaskSource::Generated, 10 * SEC, 20 * SEC, 4).await.unwrap();
    store.insert_task(&t2, TaskSource::Queued, 11 * SEC, 21 * SEC, 2).await.unwrap();
    assert!(
        store.insert_task(&t1, TaskSource::Generated, 12 * SEC, 22 * SEC, 4).await.is_err(),
        "task ids are unique"
    );
    assert_eq!(store.count_source(TaskSource::Generated).await.unwrap(), 1);
    assert_eq!(store.last_created_at().await.unwrap(), Some(11 * SEC));
    let got = store.task(&t1.id).await.unwrap().unwrap();
    assert_eq!(got.task, t1, "the full task, ground truth included");
    assert_eq!(got.state, TaskState::Pending);
    assert_eq!((got.created_at_ns, got.expire_at_ns, got.max_results), (10 * SEC, 20 * SEC, 4));
    assert!(store.task("nope").await.unwrap().is_none());

    let d = |hotkey: &str, uid: u16, ack: bool| DispatchRecord {
        hotkey: hotkey.into(),
        uid,
        coldkey: Some(format!("cold-{uid}")),
        ack,
        reason: (!ack).then(|| "HTTP 503: busy".to_string()),
        sent_at_ns: 10 * SEC,
    };
    store
        .record_dispatches(
            &t1.id,
            &[d("a", 2, true), d("b", 3, true), d("c", 4, false)],
            TaskState::Dispatched,
            None,
        )
        .await
        .unwrap();
    store.record_dispatches(&t2.id, &[d("a", 2, true)], TaskState::Dispatched, None).await.unwrap();
    assert_eq!(store.dispatches(&t1.id).await.unwrap()[2], d("c", 4, false));
    assert_eq!(store.acked_hotkeys(&t1.id).await.unwrap().len(), 2);
    assert_eq!(store.tasks_in_state(TaskState::Dispatched).await.unwrap().len(), 2);

    let worker = |v: f64| WorkerResult {
        worker_id: "w".into(),
        scores: t1.outputs.iter().map(|o| (o.id.clone(), v)).collect(),
        ranking: vec![],
        rationale: "fine".into(),
        elapsed_secs: 60.5,
    };
    let results = vec![
        MinerResult {
            hotkey: "a".into(),
            uid: 2,
            outcome: ResultOutcome::Ok,
            reason: None,
            results: vec![worker(50.0)],
            rejected: 0,
            received_at_ns: 25 * SEC,
        },
        MinerResult {
            hotkey: "b".into(),
            uid: 3,
            outcome: ResultOutcome::Empty,
            reason: Some("worker \"w\" scored output x 500, outside [1, 100]".into()),
            results: vec![],
            rejected: 1,
            received_at_ns: 25 * SEC,
        },
    ];
    let scores = vec![
        MinerTaskScore {
            hotkey: "a".into(),
            uid: 2,
            score: Some(1.0),
            steps: Some(steps(1.0)),
            excluded: None,
            penalties: vec![],
        },
        MinerTaskScore {
            hotkey: "b".into(),
            uid: 3,
            score: None,
            steps: None,
            excluded: Some("no valid results".into()),
            penalties: vec![],
        },
    ];
    let mut ema = MovingScores::new(0.3);
    ema.sync_metagraph(&["o", "v", "a", "b"].map(String::from));
    ema.update(&BTreeMap::from([("a".to_string(), 1.0)]));
    store
        .save_collection(&Collection {
            task_id: t1.id.clone(),
            results: results.clone(),
            scores: scores.clone(),
            ema: Some(ema.clone()),
            state: TaskState::Scored,
            note: None,
        })
        .await
        .unwrap();
    assert_eq!(store.results(&t1.id).await.unwrap(), results);
    assert_eq!(store.scores(&t1.id).await.unwrap(), scores);
    assert_eq!(store.load_ema(0.3).await.unwrap(), ema);
    let by_hotkey = store.ema_scores().await.unwrap();
    assert_eq!(by_hotkey.len(), 4);
    assert!((by_hotkey["a"] - 0.3).abs() < 1e-12);

    // A collection without EMA leaves it alone.
    store
        .save_collection(&Collection {
            task_id: t2.id.clone(),
            results: results[..1].to_vec(),
            scores: vec![],
            ema: None,
            state: TaskState::Completed,
            note: Some("handed over".into()),
        })
        .await
        .unwrap();
    assert_eq!(store.load_ema(0.3).await.unwrap(), ema);

    let counts = store.counts().await.unwrap();
    assert_eq!((counts.scored, counts.completed, counts.dispatched, counts.pending), (1, 1, 0, 0));
    let recent = store.recent_tasks(10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].id, t2.id, "newest first");
    assert_eq!(recent[0].note.as_deref(), Some("handed over"));
    assert_eq!(
        (recent[1].sent, recent[1].acked, recent[1].answered, recent[1].scored),
        (3, 2, 1, 1)
    );

    // Export: only responses with results, times in seconds, coldkeys from the dispatches.
    let done = store.completed_tasks(0).await.unwrap();
    assert_eq!(done.len(), 2);
    assert_eq!(done[0].task, t1);
    assert_eq!((done[0].created_at, done[0].expire_at), (10, 20));
    assert_eq!(done[0].responses.len(), 1);
    assert_eq!(done[0].responses[0].coldkey.as_deref(), Some("cold-2"));
    assert_eq!(done[0].responses[0].received_at, 25);
    assert_eq!(store.completed_tasks(11 * SEC).await.unwrap().len(), 1);
    let mut out = Vec::new();
    let rows = dojo_core::export::write_task(
        &done[0],
        dojo_core::ExportFormat::Raw,
        &dojo_core::ExportOptions::default(),
        &mut out,
    )
    .unwrap();
    assert_eq!(rows, 1);

    // Weights.
    assert!(store.last_weights().await.unwrap().is_none());
    let w = |block: u64, kind| WeightsRecord {
        block,
        kind,
        uids: vec![2, 3],
        weights: vec![65535, 100],
        version_key: 7,
        at_ns: block * SEC,
    };
    store.record_weights(&w(1010, WeightsKind::Committed)).await.unwrap();
    store.record_weights(&w(1013, WeightsKind::Revealed)).await.unwrap();
    store.record_weights(&w(1013, WeightsKind::Revealed)).await.unwrap();
    assert_eq!(store.weights_history().await.unwrap().len(), 2);
    assert_eq!(store.last_weights().await.unwrap(), Some(w(1013, WeightsKind::Revealed)));

    store.set_state(&t1.id, TaskState::Failed, Some("why")).await.unwrap();
    let t = store.task(&t1.id).await.unwrap().unwrap();
    assert_eq!((t.state, t.note.as_deref()), (TaskState::Failed, Some("why")));
}

#[tokio::test]
async fn the_store_on_sqlite_in_memory() {
    store_suite(Db::open(&DbConfig::Memory).await.unwrap()).await;
}

#[tokio::test]
async fn the_store_on_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    store_suite(Db::open(&DbConfig::Sqlite(dir.path().join("v.sqlite"))).await.unwrap()).await;
}

#[tokio::test]
async fn the_store_on_postgresql() {
    if let Some(db) = crate::pg_db("validator").await {
        store_suite(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_the_defences_a_constant_rater_gets_nothing_and_the_penalty_is_stored() {
    let ((l1, p1), (l2, p2)) = (listener().await, listener().await);
    let net = net(&[(MINER1, p1), (MINER2, p2)]).await;
    let store = memory_store().await;
    let _careful =
        fake_miner(&net.chain, MINER1, Kind::Careful, l1, store.clone(), net.clock.clone()).await;
    let _constant =
        fake_miner(&net.chain, MINER2, Kind::Constant, l2, store.clone(), net.clock.clone()).await;
    let config = ValidatorConfig { defences: Some(DefencePolicy::default()), ..config() };
    let v = start_with(config, &net, &store, None).await;

    until("the first dispatch", &v, || async { count(&store, TaskState::Dispatched).await == 1 })
        .await;
    let t = store.tasks_in_state(TaskState::Dispatched).await.unwrap().remove(0);
    past_deadline(&net.clock);
    until("the task scored", &v, || async { count(&store, TaskState::Scored).await >= 1 }).await;
    let scores: BTreeMap<String, MinerTaskScore> = store
        .scores(&t.task.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.hotkey.clone(), s))
        .collect();
    let constant = &scores[&ss58(MINER2)];
    assert_eq!(constant.score, Some(0.0), "{constant:?}");
    assert!(constant.penalties.contains(&Penalty::Constant), "{constant:?}");
    // Alone in the pool, the careful rater is below the quorum of 3: a third of a full score,
    // scaled by its quality (1 for ratings that are an affine image of the ground truth).
    let careful = &scores[&ss58(MINER1)];
    let score = careful.score.unwrap();
    assert!((score - 1.0 / 3.0).abs() < 1e-9, "{careful:?}");
    assert!(
        careful.penalties.iter().any(|p| matches!(p, Penalty::BelowQuorum { raters: 1, .. })),
        "{careful:?}"
    );
    v.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn generated_rounds_include_image_and_3d_tasks_scored_like_apps() {
    let ((l1, p1), (l2, p2)) = (listener().await, listener().await);
    let net = net(&[(MINER1, p1), (MINER2, p2)]).await;
    let store = memory_store().await;
    let careful =
        fake_miner(&net.chain, MINER1, Kind::Careful, l1, store.clone(), net.clock.clone()).await;
    let random =
        fake_miner(&net.chain, MINER2, Kind::Random, l2, store.clone(), net.clock.clone()).await;
    let config = ValidatorConfig { media_every: 1, ..config() };
    let v = start_with(config, &net, &store, None).await;
    until("the first dispatch", &v, || async { count(&store, TaskState::Dispatched).await == 1 })
        .await;
    past_deadline(&net.clock);
    until("task 1 scored and task 2 sent", &v, || async {
        count(&store, TaskState::Scored).await == 1
            && count(&store, TaskState::Dispatched).await == 1
    })
    .await;
    let first = store.tasks_in_state(TaskState::Scored).await.unwrap().remove(0);
    let second = store.tasks_in_state(TaskState::Dispatched).await.unwrap().remove(0);
    assert!(first.task.outputs.iter().all(|o| o.modality == Modality::Image));
    assert!(first.task.outputs.iter().any(|o| !o.annotations.is_empty()));
    assert!(second.task.outputs.iter().all(|o| o.modality == Modality::Model3d));
    // Scored by the same rules: the careful miner beats the random one.
    let scores = store.scores(&first.task.id).await.unwrap();
    let of = |h: &str| scores.iter().find(|s| s.hotkey == h).and_then(|s| s.score).unwrap_or(0.0);
    assert!(of(&ss58(MINER1)) > of(&ss58(MINER2)), "{scores:?}");

    v.shutdown().await;
    careful.server.shutdown().await;
    random.server.shutdown().await;
    net.node.shutdown().await;
}
