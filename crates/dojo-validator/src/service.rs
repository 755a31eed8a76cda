//! The running validator: four owned loops over one shared state.
//!
//! - **metagraph**: reads the subnet's neurons every `metagraph_refresh` (who serves an axon,
//!   UIDs, stakes, permits);
//! - **rounds**: every `task_interval`, one task (the queue's, else a generated one) is sent
//!   to every active miner, each with its own output order, `dispatch_concurrency` at a time;
//! - **collection**: tasks whose expiry plus `results_grace` has passed are collected from the
//!   miners that took them, validated, scored (generated) or handed to the queue (queued),
//!   and persisted with the new EMA in one transaction; the miners then get a score notice
//!   revealing the ground truth;
//! - **weights**: every `weights_check`, [`WeightSetter::step`] with the EMA (it decides
//!   whether weights are due and whether to set or commit/reveal).
//!
//! Schedules are compared with the injected [`Clock`] on a short tick, so a manual clock
//! drives the validator in tests. Every failure of a miner (unreachable, slow, refusing,
//! answering garbage) is recorded with its reason and never stops a loop; failures of the
//! validator itself (chain, store) become status events and the loop tries again later.
//!
//! Events are kept for the status and streamed to subscribers
//! ([`ValidatorHandle::subscribe`]: the binary logs them); [`ValidatorHandle::changes`] moves
//! with every change a reader could see, so waiting for one (a test, a live page) needs no
//! polling on a timer.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chain::{AccountId, BlockId, Chain, NetUid};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinHandle;

use super::config::ValidatorConfig;
use super::store::{
    Collection, DispatchRecord, MinerResult, MinerTaskScore, ResultOutcome, StoredTask, TaskCounts,
    TaskSource, TaskState, TaskSummary, ValidatorStore, WeightsKind, WeightsRecord,
};
use super::{TaskQueue, ValidatorError};
use crate::chain_weights::{WeightSetter, WeightsOutcome};
use chain::Clock;
use dojo_core::aggregate::{DEFAULT_QUALITY_WEIGHT, MovingScores, aggregate_run};
use dojo_core::defence::{Penalty, score_with_defences};
use dojo_core::error::DojoError;
use dojo_core::protocol::{
    ApiError, ResultsReply, ResultsRequest, ScoreNotice, SynapseFields, TaskAck, TaskRequest,
    synapses,
};
use dojo_core::ratings::{MinerResponse, WorkerResult, mean_of};
use dojo_core::scoring::{MinerSteps, score_task};
use dojo_core::task::{GroundTruth, Task, derive_seed};
use dojo_gen::ProceduralGenerator;
use dojo_gen::media::{MediaGenerator, MediaTask};
use dojo_transport::{AxonTarget, Dendrite, Metagraph, Synapse};

/// Longest reason kept from a miner's answer (a hostile miner chooses its text).
const MAX_REASON_CHARS: usize = 300;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep serving it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_REASON_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_REASON_CHARS).collect();
        t.push('…');
        t
    }
}

/// A neuron that serves an axon.
#[derive(Debug, Clone)]
struct Served {
    uid: u16,
    hotkey: String,
    coldkey: String,
    target: AxonTarget,
    /// Not this validator, and not another validator (permit and enough stake).
    miner: bool,
}

/// The subnet as last read.
#[derive(Debug, Clone, Default)]
struct View {
    block: u64,
    my_uid: Option<u16>,
    /// Hotkey (SS58) at each UID.
    hotkeys_by_uid: Vec<String>,
    /// Neurons serving an axon, by hotkey (SS58).
    served: BTreeMap<String, Served>,
}

impl View {
    fn miners(&self) -> impl Iterator<Item = &Served> {
        self.served.values().filter(|s| s.miner)
    }
}

async fn load_view(
    chain: &dyn Chain,
    netuid: NetUid,
    me: &AccountId,
    min_validator_stake: u64,
) -> Result<View, chain::ChainError> {
    let head = chain.header(BlockId::Head).await?;
    let neurons = chain.neurons(netuid).await?;
    let metagraph = Metagraph::from_neurons(netuid, head.number, &neurons);
    let size = neurons.iter().map(|n| usize::from(n.uid) + 1).max().unwrap_or(0);
    let mut hotkeys_by_uid = vec![String::new(); size];
    let mut served = BTreeMap::new();
    for n in &neurons {
        let hotkey = n.hotkey.to_ss58();
        if let Some(slot) = hotkeys_by_uid.get_mut(usize::from(n.uid)) {
            slot.clone_from(&hotkey);
        }
        let Some(axon) = n.axon.as_ref() else { continue };
        let unspecified = axon.ip.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_unspecified());
        if axon.port == 0 || axon.ip.is_empty() || unspecified {
            continue;
        }
        let entry = metagraph.get(&n.hotkey);
        let validator = entry.is_some_and(|e| e.validator_permit && e.stake >= min_validator_stake);
        served.insert(
            hotkey.clone(),
            Served {
                uid: n.uid,
                coldkey: n.coldkey.to_ss58(),
                target: AxonTarget { ip: axon.ip.clone(), port: axon.port, hotkey: n.hotkey },
                miner: n.hotkey != *me && !validator,
                hotkey,
            },
        );
    }
    let my_uid = metagraph.get(me).map(|e| e.uid);
    Ok(View { block: head.number, my_uid, hotkeys_by_uid, served })
}

/// How serious an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventLevel {
    /// Normal progress.
    Info,
    /// Something a miner or the chain did wrong; the validator carried on.
    Warn,
    /// The validator's own failure (store, chain); the step is retried later.
    Error,
}

/// Something that happened, kept for the status (the crate does not log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidatorEvent {
    /// When, ns since the Unix epoch.
    pub at_ns: u64,
    /// How serious.
    pub level: EventLevel,
    /// What happened.
    pub message: String,
}

/// One miner (or scored UID) in the status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinerStatus {
    /// UID.
    pub uid: u16,
    /// Hotkey (SS58).
    pub hotkey: String,
    /// EMA score.
    pub ema: f64,
    /// Serves an axon and gets tasks.
    pub active: bool,
}

/// What `GET /status` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidatorStatus {
    /// The validator's hotkey (SS58).
    pub hotkey: String,
    /// Its UID.
    pub uid: Option<u16>,
    /// The subnet.
    pub netuid: NetUid,
    /// Block of the last metagraph read.
    pub metagraph_block: u64,
    /// The clock now, ns since the Unix epoch.
    pub now_ns: u64,
    /// When the next round is due, ns since the Unix epoch.
    pub next_task_at_ns: u64,
    /// Miners getting tasks.
    pub active_miners: usize,
    /// Tasks per state.
    pub counts: TaskCounts,
    /// Active miners and every UID with a score, by UID.
    pub miners: Vec<MinerStatus>,
    /// Block of the last weights the chain accepted.
    pub last_weights_block: Option<u64>,
    /// The last weights the chain accepted.
    pub last_weights: Option<WeightsRecord>,
    /// What the last weights check did.
    pub weights_note: Option<String>,
    /// The latest tasks, newest first.
    pub recent_tasks: Vec<TaskSummary>,
    /// The latest events, newest last.
    pub events: Vec<ValidatorEvent>,
}

/// One generated task's scoring, with or without the defences.
struct Scored {
    /// Score per miner that took part.
    scores: BTreeMap<String, f64>,
    /// The §4.1 steps per scored miner.
    steps: BTreeMap<String, MinerSteps>,
    /// Why a miner has no score.
    excluded: BTreeMap<String, String>,
    /// Penalties per miner.
    penalties: BTreeMap<String, Vec<Penalty>>,
}

#[derive(Debug, Default)]
struct Progress {
    next_task_at_ns: u64,
    last_weights: Option<WeightsRecord>,
    weights_note: Option<String>,
    /// Queued tasks already reported as waiting for a queue.
    waiting_for_queue: BTreeSet<String>,
}

struct Shared {
    config: ValidatorConfig,
    chain: Arc<dyn Chain>,
    account: AccountId,
    hotkey_ss58: String,
    store: ValidatorStore,
    queue: Option<Arc<dyn TaskQueue>>,
    clock: Arc<dyn Clock>,
    dendrite: Dendrite,
    /// One lock per axon (by hotkey): the axon requires each dendrite's nonces to arrive in
    /// increasing order, so two loops must not race requests to the same miner.
    axon_locks: Mutex<BTreeMap<String, Arc<tokio::sync::Mutex<()>>>>,
    generator: ProceduralGenerator,
    generated: AtomicU64,
    view: Mutex<Arc<View>>,
    ema: tokio::sync::Mutex<MovingScores>,
    setter: tokio::sync::Mutex<WeightSetter>,
    progress: Mutex<Progress>,
    events: Mutex<VecDeque<ValidatorEvent>>,
    /// Every event as it is recorded (sent under the `events` lock, so a subscriber's
    /// backlog and stream neither overlap nor leave a gap).
    event_stream: broadcast::Sender<ValidatorEvent>,
    /// Moves whenever the state others can read may have changed (see
    /// [`ValidatorHandle::changes`]).
    changes: watch::Sender<u64>,
    wake: Notify,
}

/// The validator service.
#[derive(Debug)]
pub struct Validator;

impl Validator {
    /// Reads the subnet, resumes from `store` (interrupted dispatches settled, uncollected
    /// tasks collected when due, the EMA reloaded) and spawns the loops.
    ///
    /// Fails on an invalid configuration, an unreachable chain, a hotkey not registered on
    /// the subnet, or a store that cannot be read.
    pub async fn start(
        config: ValidatorConfig,
        chain: Arc<dyn Chain>,
        hotkey: keys::Keypair,
        store: ValidatorStore,
        queue: Option<Arc<dyn TaskQueue>>,
        clock: Arc<dyn Clock>,
    ) -> Result<ValidatorHandle, ValidatorError> {
        config.validate()?;
        let account = AccountId::from(hotkey.public());
        let view =
            load_view(chain.as_ref(), config.netuid, &account, config.min_validator_stake).await?;
        if view.my_uid.is_none() {
            return Err(ValidatorError::NotRegistered {
                hotkey: account.to_ss58(),
                netuid: config.netuid,
            });
        }

        // A dispatch cut short: whoever took the task has it; nobody → failed.
        for t in store.tasks_in_state(TaskState::Pending).await? {
            let acked = store.acked_hotkeys(&t.task.id).await?;
            if acked.is_empty() {
                store
                    .set_state(
                        &t.task.id,
                        TaskState::Failed,
                        Some("interrupted before any miner took it"),
                    )
                    .await?;
                if let (TaskSource::Queued, Some(q)) = (t.source, &queue) {
                    q.dispatched(&t.task.id, t.expire_at_ns, 0).await;
                }
            } else {
                store
                    .set_state(
                        &t.task.id,
                        TaskState::Dispatched,
                        Some("dispatch interrupted; resumed"),
                    )
                    .await?;
                if let (TaskSource::Queued, Some(q)) = (t.source, &queue) {
                    q.dispatched(&t.task.id, t.expire_at_ns, acked.len()).await;
                }
            }
        }
        let mut ema = store.load_ema(config.ema_alpha).await?;
        ema.alpha = config.ema_alpha;
        ema.sync_metagraph(&view.hotkeys_by_uid);
        let generated = store.count_source(TaskSource::Generated).await?;
        let now = clock.now_ns();
        let next_task_at_ns = store
            .last_created_at()
            .await?
            .map_or(now, |t| t.saturating_add(ns(config.timings.task_interval)).max(now));
        let last_weights = store.last_weights().await?;

        let setter = WeightSetter::new(chain.clone(), hotkey.clone(), config.netuid);
        let dendrite = Dendrite::new(hotkey).with_clock(clock.clone());
        let shared = Arc::new(Shared {
            hotkey_ss58: account.to_ss58(),
            account,
            chain,
            store,
            queue,
            clock,
            dendrite,
            axon_locks: Mutex::new(BTreeMap::new()),
            generator: ProceduralGenerator::default(),
            generated: AtomicU64::new(generated),
            view: Mutex::new(Arc::new(view)),
            ema: tokio::sync::Mutex::new(ema),
            setter: tokio::sync::Mutex::new(setter),
            progress: Mutex::new(Progress { next_task_at_ns, last_weights, ..Progress::default() }),
            events: Mutex::new(VecDeque::new()),
            event_stream: broadcast::channel(config.status_events.max(1)).0,
            changes: watch::Sender::new(0),
            wake: Notify::new(),
            config,
        });
        shared.event(
            EventLevel::Info,
            format!(
                "validator {} started on subnet {} (uid {:?}), {} active miners",
                shared.hotkey_ss58,
                shared.config.netuid,
                shared.view().my_uid,
                shared.view().miners().count()
            ),
        );

        let (stop, stopped) = watch::channel(false);
        let t = shared.config.timings;
        let tasks = vec![
            spawn_loop(
                shared.clone(),
                stopped.clone(),
                t.metagraph_refresh,
                false,
                |s| async move { s.refresh_metagraph().await },
            ),
            spawn_rounds(shared.clone(), stopped.clone()),
            spawn_loop(shared.clone(), stopped.clone(), Duration::ZERO, true, |s| async move {
                s.collect_due().await
            }),
            spawn_loop(shared.clone(), stopped, t.weights_check, true, |s| async move {
                s.check_weights().await
            }),
        ];
        Ok(ValidatorHandle { shared, owner: Arc::new(Owner { stop, tasks: Mutex::new(tasks) }) })
    }
}

/// Waits one tick (or a wake-up); false once asked to stop.
async fn tick(shared: &Shared, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return false;
    }
    tokio::select! {
        r = stop.changed() => r.is_ok() && !*stop.borrow(),
        _ = shared.wake.notified() => true,
        _ = tokio::time::sleep(shared.config.timings.tick()) => true,
    }
}

/// Runs `work` unless a stop arrives first (the store's transactions make a cut-short step
/// safe: it is redone or settled on restart).
async fn until_stopped<F: Future<Output = ()>>(stop: &mut watch::Receiver<bool>, work: F) {
    tokio::select! {
        _ = work => {}
        _ = stop.changed() => {}
    }
}

fn spawn_loop<F, Fut>(
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    period: Duration,
    run_first: bool,
    step: F,
) -> JoinHandle<()>
where
    F: Fn(Arc<Shared>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let period = ns(period);
        let now = shared.now();
        let mut next = if run_first { now } else { now.saturating_add(period) };
        while tick(&shared, &mut stop).await {
            let now = shared.now();
            if now < next {
                continue;
            }
            next = now.saturating_add(period);
            until_stopped(&mut stop, step(shared.clone())).await;
        }
    })
}

fn spawn_rounds(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let period = ns(shared.config.timings.task_interval);
        while tick(&shared, &mut stop).await {
            let now = shared.now();
            {
                let mut p = lock(&shared.progress);
                if now < p.next_task_at_ns {
                    continue;
                }
                p.next_task_at_ns = now.saturating_add(period);
            }
            until_stopped(&mut stop, shared.round()).await;
        }
    })
}

/// Outcome of one synapse call: the answer's fields, or why there is none.
type CallResult = Result<Map<String, Value>, String>;

impl Shared {
    fn now(&self) -> u64 {
        self.clock.now_ns()
    }

    fn view(&self) -> Arc<View> {
        lock(&self.view).clone()
    }

    fn event(&self, level: EventLevel, message: String) {
        let event = ValidatorEvent { at_ns: self.now(), level, message };
        {
            let mut events = lock(&self.events);
            // No subscriber is not an error: the status keeps the event.
            let _ = self.event_stream.send(event.clone());
            events.push_back(event);
            while events.len() > self.config.status_events.max(1) {
                events.pop_front();
            }
        }
        self.changed();
    }

    /// Tells the waiters on [`ValidatorHandle::changes`] to look again.
    fn changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    async fn refresh_metagraph(&self) {
        match load_view(
            self.chain.as_ref(),
            self.config.netuid,
            &self.account,
            self.config.min_validator_stake,
        )
        .await
        {
            Ok(view) => {
                *lock(&self.view) = Arc::new(view);
                self.changed();
            }
            Err(e) => self.event(
                EventLevel::Error,
                format!("metagraph refresh failed (keeping the previous one): {e}"),
            ),
        }
    }

    /// Signs and sends `synapse`; a refusal, an error status, a transport failure or an
    /// answer not signed by the miner's hotkey is a reason, not an answer.
    async fn call(&self, target: &AxonTarget, synapse: &Synapse) -> CallResult {
        let axon_lock = lock(&self.axon_locks).entry(target.hotkey.to_ss58()).or_default().clone();
        let _one_at_a_time = axon_lock.lock().await;
        let response =
            self.dendrite.call(target, synapse).await.map_err(|e| clip(&e.to_string()))?;
        if !response.is_success() {
            let message = response
                .body
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or(response.axon.status_message.clone())
                .unwrap_or_default();
            return Err(clip(&format!("HTTP {}: {message}", response.status)));
        }
        if !response.verify_axon_signature(&self.account, &target.hotkey) {
            return Err("the answer is not signed by the miner's hotkey".into());
        }
        Ok(response.body)
    }

    fn synapse(&self, name: &str, hash_fields: &[&str], fields: Map<String, Value>) -> Synapse {
        Synapse {
            name: name.to_string(),
            fields,
            required_hash_fields: hash_fields.iter().map(|s| s.to_string()).collect(),
            timeout_secs: self.config.timings.request_timeout.as_secs_f64(),
        }
    }

    /// The round's task: the queue's next, else a generated one.
    async fn next_task(&self) -> Result<(Task, TaskSource, u64, u32), String> {
        if let Some(queue) = &self.queue
            && let Some(q) = queue.next_task().await
        {
            let deadline = if q.deadline_secs == 0 {
                ns(self.config.timings.task_deadline)
            } else {
                q.deadline_secs.saturating_mul(1_000_000_000)
            };
            let max_results =
                if q.max_results == 0 { self.config.max_results } else { q.max_results };
            return Ok((q.task, TaskSource::Queued, deadline, max_results));
        }
        let n = self.generated.fetch_add(1, Ordering::SeqCst);
        // The time is mixed in so that a validator restarted with an empty store and the same
        // seed never re-sends a task whose ground truth it already revealed.
        let seed = derive_seed(
            self.config.seed,
            &["validator-task", &n.to_string(), &self.now().to_string()],
        );
        let generator = self.generator.clone();
        let every = self.config.media_every;
        let media = (every > 0 && n % every == every - 1).then(|| {
            if (n / every).is_multiple_of(2) { MediaTask::Image } else { MediaTask::Model3d }
        });
        let task = tokio::task::spawn_blocking(move || match media {
            Some(kind) => MediaGenerator { kind, shape: generator.shape }.generate(seed),
            None => generator.generate(seed),
        })
        .await
        .map_err(|e| format!("the generator thread failed: {e}"))?
        .map_err(|e| format!("generating task {n} failed: {e}"))?;
        Ok((
            task,
            TaskSource::Generated,
            ns(self.config.timings.task_deadline),
            self.config.max_results,
        ))
    }

    async fn round(&self) {
        let view = self.view();
        let miners: Vec<Served> = view.miners().cloned().collect();
        if miners.is_empty() {
            self.event(EventLevel::Info, "no active miner serves an axon; round skipped".into());
            return;
        }
        let (task, source, deadline_ns, max_results) = match self.next_task().await {
            Ok(t) => t,
            Err(e) => {
                self.event(EventLevel::Error, e);
                return;
            }
        };
        let created = self.now();
        let expire = created.saturating_add(deadline_ns);
        if let Err(e) = self.store.insert_task(&task, source, created, expire, max_results).await {
            self.event(EventLevel::Error, format!("storing task {} failed: {e}", task.id));
            if let (TaskSource::Queued, Some(q)) = (source, &self.queue) {
                q.dispatched(&task.id, expire, 0).await;
            }
            return;
        }
        let dispatches = self.send_task(&task, &miners, expire, max_results).await;
        let acks = dispatches.iter().filter(|d| d.ack).count();
        let (state, note) = if acks > 0 {
            (TaskState::Dispatched, None)
        } else {
            (TaskState::Failed, Some("no miner took the task"))
        };
        if let Err(e) = self.store.record_dispatches(&task.id, &dispatches, state, note).await {
            self.event(
                EventLevel::Error,
                format!("recording dispatches of {} failed: {e}", task.id),
            );
            // Left pending: the next start settles it from whatever was recorded.
            return;
        }
        if let (TaskSource::Queued, Some(q)) = (source, &self.queue) {
            q.dispatched(&task.id, expire, acks).await;
        }
        let refused: Vec<String> = dispatches
            .iter()
            .filter(|d| !d.ack)
            .map(|d| format!("uid {}: {}", d.uid, d.reason.as_deref().unwrap_or("refused")))
            .collect();
        self.event(
            if refused.is_empty() { EventLevel::Info } else { EventLevel::Warn },
            format!(
                "task {} ({}) sent to {} miners, {} took it{}",
                task.id,
                match source {
                    TaskSource::Generated => "generated",
                    TaskSource::Queued => "queued",
                },
                dispatches.len(),
                acks,
                if refused.is_empty() {
                    String::new()
                } else {
                    format!("; {}", refused.join("; "))
                }
            ),
        );
    }

    async fn send_task(
        &self,
        task: &Task,
        miners: &[Served],
        expire_at_ns: u64,
        max_results: u32,
    ) -> Vec<DispatchRecord> {
        let calls: Vec<BoxFuture<'_, DispatchRecord>> = miners
            .iter()
            .map(|m| {
                async move {
                    let request = TaskRequest {
                        task: task.present(self.config.seed, &m.hotkey),
                        expire_at_ns,
                        max_results,
                    };
                    let synapse = self.synapse(
                        synapses::TASK,
                        synapses::TASK_HASH_FIELDS,
                        request.to_fields(),
                    );
                    let sent_at_ns = self.now();
                    let (ack, reason) = match self.call(&m.target, &synapse).await {
                        Ok(fields) => match TaskAck::from_fields(&fields) {
                            Ok(TaskAck { ack: true, .. }) => (true, None),
                            Ok(TaskAck { ack: false, reason }) => (
                                false,
                                Some(clip(reason.as_deref().unwrap_or("refused without a reason"))),
                            ),
                            Err(e) => (false, Some(clip(&format!("not an acknowledgement: {e}")))),
                        },
                        Err(reason) => (false, Some(reason)),
                    };
                    DispatchRecord {
                        hotkey: m.hotkey.clone(),
                        uid: m.uid,
                        coldkey: Some(m.coldkey.clone()),
                        ack,
                        reason,
                        sent_at_ns,
                    }
                }
                .boxed()
            })
            .collect();
        let mut out: Vec<DispatchRecord> = futures::stream::iter(calls)
            .buffer_unordered(self.config.dispatch_concurrency)
            .collect()
            .await;
        out.sort_by_key(|a| a.uid);
        out
    }

    async fn collect_due(&self) {
        let now = self.now();
        let grace = ns(self.config.timings.results_grace);
        let due = match self.store.tasks_in_state(TaskState::Dispatched).await {
            Ok(tasks) => tasks,
            Err(e) => {
                self.event(EventLevel::Error, format!("reading dispatched tasks failed: {e}"));
                return;
            }
        };
        for t in due.into_iter().filter(|t| t.expire_at_ns.saturating_add(grace) <= now) {
            if t.source == TaskSource::Queued && self.queue.is_none() {
                // Its results belong to the queue; collect when one is attached.
                if lock(&self.progress).waiting_for_queue.insert(t.task.id.clone()) {
                    self.event(
                        EventLevel::Warn,
                        format!("queued task {} is due but no task queue is attached", t.task.id),
                    );
                }
                continue;
            }
            self.collect(t).await;
            // After the score notices, which record no event when all arrive.
            self.changed();
        }
    }

    async fn fetch_results(&self, view: &View, t: &StoredTask, d: &DispatchRecord) -> MinerResult {
        let mut r = MinerResult {
            hotkey: d.hotkey.clone(),
            uid: d.uid,
            outcome: ResultOutcome::Unreachable,
            reason: None,
            results: Vec::new(),
            rejected: 0,
            received_at_ns: 0,
        };
        let Some(served) = view.served.get(&d.hotkey) else {
            r.reason = Some("the miner no longer serves an axon on the subnet".into());
            r.received_at_ns = self.now();
            return r;
        };
        let request = ResultsRequest { task_id: t.task.id.clone() };
        let synapse =
            self.synapse(synapses::RESULTS, synapses::RESULTS_HASH_FIELDS, request.to_fields());
        let answer = self.call(&served.target, &synapse).await;
        r.received_at_ns = self.now();
        match answer {
            Err(reason) => r.reason = Some(reason),
            Ok(fields) => match ResultsReply::from_fields(&fields) {
                Err(e) => {
                    r.outcome = ResultOutcome::Invalid;
                    r.reason = Some(clip(&format!("not a results reply: {e}")));
                }
                Ok(reply) if reply.task_id != t.task.id => {
                    r.outcome = ResultOutcome::Invalid;
                    r.reason = Some(clip(&format!(
                        "results for task {:?}, asked for {}",
                        reply.task_id, t.task.id
                    )));
                }
                Ok(reply) => {
                    let (valid, rejected, reason) =
                        validate_results(&t.task, t.max_results, reply.results);
                    r.outcome =
                        if valid.is_empty() { ResultOutcome::Empty } else { ResultOutcome::Ok };
                    r.reason = reason.or_else(|| {
                        valid.is_empty().then(|| "the miner returned no result".to_string())
                    });
                    r.results = valid;
                    r.rejected = rejected;
                }
            },
        }
        r
    }

    async fn collect(&self, t: StoredTask) {
        let id = t.task.id.clone();
        let acked: Vec<DispatchRecord> = match self.store.dispatches(&id).await {
            Ok(d) => d.into_iter().filter(|d| d.ack).collect(),
            Err(e) => {
                self.event(EventLevel::Error, format!("reading dispatches of {id} failed: {e}"));
                return;
            }
        };
        let view = self.view();
        let fetches: Vec<BoxFuture<'_, MinerResult>> =
            acked.iter().map(|d| self.fetch_results(&view, &t, d).boxed()).collect();
        let mut results: Vec<MinerResult> = futures::stream::iter(fetches)
            .buffer_unordered(self.config.dispatch_concurrency)
            .collect()
            .await;
        results.sort_by(|a, b| a.uid.cmp(&b.uid).then_with(|| a.hotkey.cmp(&b.hotkey)));
        let answered = results.iter().filter(|r| r.outcome == ResultOutcome::Ok).count();
        let problems: Vec<String> = results
            .iter()
            .filter(|r| r.outcome != ResultOutcome::Ok || r.rejected > 0)
            .map(|r| {
                format!(
                    "uid {} {:?} ({} dropped): {}",
                    r.uid,
                    r.outcome,
                    r.rejected,
                    r.reason.as_deref().unwrap_or("")
                )
            })
            .collect();
        let problems =
            if problems.is_empty() { String::new() } else { format!("; {}", problems.join("; ")) };

        match t.source {
            TaskSource::Queued => {
                let responses: Vec<MinerResponse> = results
                    .iter()
                    .filter(|r| !r.results.is_empty())
                    .map(|r| MinerResponse {
                        hotkey: r.hotkey.clone(),
                        coldkey: acked
                            .iter()
                            .find(|d| d.hotkey == r.hotkey)
                            .and_then(|d| d.coldkey.clone()),
                        results: r.results.clone(),
                        received_at: r.received_at_ns / 1_000_000_000,
                    })
                    .collect();
                // Hand over first: a crash before the save collects and hands over again
                // (at least once), rather than never.
                if let Some(q) = &self.queue {
                    q.completed(&id, &responses).await;
                }
                let collection = Collection {
                    task_id: id.clone(),
                    results,
                    scores: Vec::new(),
                    ema: None,
                    state: TaskState::Completed,
                    note: (answered == 0).then(|| "no miner returned a valid result".to_string()),
                };
                match self.store.save_collection(&collection).await {
                    Ok(()) => self.event(
                        if problems.is_empty() { EventLevel::Info } else { EventLevel::Warn },
                        format!(
                            "queued task {id} collected: {answered} of {} miners answered{problems}",
                            acked.len()
                        ),
                    ),
                    Err(e) => self
                        .event(EventLevel::Error, format!("saving results of {id} failed: {e}")),
                }
            }
            TaskSource::Generated => self.score(t, results, answered, problems).await,
        }
    }

    /// Scores a generated task's valid results: with the configured defences, or exactly as
    /// Dojo v1 (§4.1) without them.
    fn score_results(
        &self,
        task: &Task,
        gt: &GroundTruth,
        results: &[MinerResult],
    ) -> Result<Scored, DojoError> {
        let answered = results.iter().filter(|r| !r.results.is_empty());
        match &self.config.defences {
            Some(policy) => {
                let responses: Vec<MinerResponse> = answered
                    .map(|r| MinerResponse {
                        hotkey: r.hotkey.clone(),
                        coldkey: None,
                        results: r.results.clone(),
                        received_at: r.received_at_ns / 1_000_000_000,
                    })
                    .collect();
                let defended = score_with_defences(task, &responses, policy)?;
                Ok(Scored {
                    steps: defended.ground_truth.map(|g| g.miners).unwrap_or_default(),
                    excluded: defended
                        .excluded
                        .iter()
                        .map(|(h, e)| (h.clone(), e.to_string()))
                        .collect(),
                    scores: defended.scores,
                    penalties: defended.penalties,
                })
            }
            None => {
                let ratings: BTreeMap<String, _> =
                    answered.map(|r| (r.hotkey.clone(), mean_of(r.results.iter()))).collect();
                let plain = score_task(gt, &ratings)?;
                Ok(Scored {
                    scores: plain.scores(),
                    excluded: plain
                        .excluded
                        .iter()
                        .map(|(h, e)| (h.clone(), e.to_string()))
                        .collect(),
                    steps: plain.miners,
                    penalties: BTreeMap::new(),
                })
            }
        }
    }

    async fn score(
        &self,
        t: StoredTask,
        results: Vec<MinerResult>,
        answered: usize,
        problems: String,
    ) {
        let id = t.task.id.clone();
        let Some(gt) = t.task.ground_truth.clone() else {
            self.fail(&id, results, "the generated task has no ground truth").await;
            return;
        };
        let scored = match self.score_results(&t.task, &gt, &results) {
            Ok(s) => s,
            Err(e) => {
                self.fail(&id, results, &format!("scoring failed: {e}")).await;
                return;
            }
        };
        let scores: Vec<MinerTaskScore> = results
            .iter()
            .map(|r| {
                let mut s = MinerTaskScore {
                    hotkey: r.hotkey.clone(),
                    uid: r.uid,
                    score: scored.scores.get(&r.hotkey).copied(),
                    steps: scored.steps.get(&r.hotkey).cloned(),
                    excluded: None,
                    penalties: scored.penalties.get(&r.hotkey).cloned().unwrap_or_default(),
                };
                if s.score.is_none() {
                    s.excluded = Some(match scored.excluded.get(&r.hotkey) {
                        Some(ex) => ex.clone(),
                        None => format!(
                            "no valid results: {}",
                            r.reason.as_deref().unwrap_or("none returned")
                        ),
                    });
                }
                s
            })
            .collect();
        let run = aggregate_run(std::slice::from_ref(&scored.scores), DEFAULT_QUALITY_WEIGHT);
        let view = self.view();
        {
            // Held across the save so the weights loop never sees an EMA the store lacks.
            let mut ema = self.ema.lock().await;
            let mut next = ema.clone();
            next.sync_metagraph(&view.hotkeys_by_uid);
            next.update(&run);
            let collection = Collection {
                task_id: id.clone(),
                results: results.clone(),
                scores: scores.clone(),
                ema: Some(next.clone()),
                state: if run.is_empty() { TaskState::Failed } else { TaskState::Scored },
                note: run.is_empty().then(|| "no miner returned a valid result".to_string()),
            };
            if let Err(e) = self.store.save_collection(&collection).await {
                self.event(EventLevel::Error, format!("saving scores of {id} failed: {e}"));
                return;
            }
            *ema = next;
        }
        let summary: Vec<String> = scores
            .iter()
            .filter_map(|s| s.score.map(|v| format!("uid {} {v:.3}", s.uid)))
            .collect();
        self.event(
            if problems.is_empty() { EventLevel::Info } else { EventLevel::Warn },
            if summary.is_empty() {
                format!(
                    "task {id} failed: {answered} of {} miners answered, none with a score{problems}",
                    results.len()
                )
            } else {
                format!(
                    "task {id} scored: {answered} of {} miners answered [{}]{problems}",
                    results.len(),
                    summary.join(", ")
                )
            },
        );
        self.send_notices(&id, &gt.ranks, &scores, &view).await;
    }

    async fn fail(&self, id: &str, results: Vec<MinerResult>, why: &str) {
        let collection = Collection {
            task_id: id.to_string(),
            results,
            scores: Vec::new(),
            ema: None,
            state: TaskState::Failed,
            note: Some(why.to_string()),
        };
        match self.store.save_collection(&collection).await {
            Ok(()) => self.event(EventLevel::Error, format!("task {id} failed: {why}")),
            Err(e) => {
                self.event(EventLevel::Error, format!("task {id} failed ({why}); saving: {e}"))
            }
        }
    }

    /// Tells every miner that took the task its score and the ground truth.
    async fn send_notices(
        &self,
        id: &str,
        ranks: &BTreeMap<String, u32>,
        scores: &[MinerTaskScore],
        view: &View,
    ) {
        let calls: Vec<BoxFuture<'_, Result<(), String>>> = scores
            .iter()
            .map(|s| {
                async move {
                    let served = view
                        .served
                        .get(&s.hotkey)
                        .ok_or_else(|| format!("uid {}: no longer serves an axon", s.uid))?;
                    let notice = ScoreNotice {
                        task_id: id.to_string(),
                        score: s.score.unwrap_or(0.0),
                        ground_truth: Some(ranks.clone()),
                    };
                    let synapse = self.synapse(
                        synapses::SCORE,
                        synapses::SCORE_HASH_FIELDS,
                        notice.to_fields(),
                    );
                    self.call(&served.target, &synapse)
                        .await
                        .map(|_| ())
                        .map_err(|e| format!("uid {}: {e}", s.uid))
                }
                .boxed()
            })
            .collect();
        let outcomes: Vec<Result<(), String>> = futures::stream::iter(calls)
            .buffer_unordered(self.config.dispatch_concurrency)
            .collect()
            .await;
        let failures: Vec<String> = outcomes.into_iter().filter_map(Result::err).collect();
        if !failures.is_empty() {
            self.event(
                EventLevel::Warn,
                format!("score notices for {id} not delivered: {}", failures.join("; ")),
            );
        }
    }

    async fn check_weights(&self) {
        let view = self.view();
        let scores: BTreeMap<AccountId, f64> = {
            let mut ema = self.ema.lock().await;
            ema.sync_metagraph(&view.hotkeys_by_uid);
            ema.hotkeys
                .iter()
                .zip(&ema.scores)
                .filter(|(_, s)| s.is_finite() && **s > 0.0)
                .filter_map(|(h, s)| h.parse::<AccountId>().ok().map(|a| (a, *s)))
                .collect()
        };
        if scores.is_empty() {
            lock(&self.progress).weights_note = Some("no miner has a score yet".into());
            self.changed();
            return;
        }
        let outcome = self.setter.lock().await.step(&scores).await;
        let (record, note) = match outcome {
            Ok(WeightsOutcome::Set { block, submission }) => {
                (Some((block, WeightsKind::Set, submission)), format!("set in block {block}"))
            }
            Ok(WeightsOutcome::Committed { block, commit }) => (
                Some((block, WeightsKind::Committed, commit.submission)),
                format!("committed in block {block}, reveal from block {}", commit.reveal_from),
            ),
            Ok(WeightsOutcome::Revealed { block, submission }) => (
                Some((block, WeightsKind::Revealed, submission)),
                format!("revealed in block {block}"),
            ),
            Ok(WeightsOutcome::AwaitingReveal { reveal_from }) => {
                (None, format!("awaiting the reveal window (block {reveal_from})"))
            }
            Ok(WeightsOutcome::NotDue { next_block }) => {
                (None, format!("not due until block {next_block}"))
            }
            Err(e) => {
                self.event(EventLevel::Warn, format!("weights: {e}"));
                (None, format!("failed: {e}"))
            }
        };
        if let Some((block, kind, submission)) = record {
            let w = WeightsRecord {
                block,
                kind,
                uids: submission.uids,
                weights: submission.weights,
                version_key: submission.version_key,
                at_ns: self.now(),
            };
            if let Err(e) = self.store.record_weights(&w).await {
                self.event(EventLevel::Error, format!("recording weights failed: {e}"));
            }
            self.event(
                EventLevel::Info,
                format!("weights {note}: uids {:?} weights {:?}", w.uids, w.weights),
            );
            lock(&self.progress).last_weights = Some(w);
        }
        lock(&self.progress).weights_note = Some(note);
        self.changed();
    }
}

/// Drops worker results that are invalid (out of range, not exactly the task's outputs,
/// inconsistent ranking, non-finite time, a worker twice, beyond `max_results`) and sanitises
/// the rest. Returns the kept results, how many were dropped and the first reason.
fn validate_results(
    task: &Task,
    max_results: u32,
    results: Vec<WorkerResult>,
) -> (Vec<WorkerResult>, u32, Option<String>) {
    let ids: BTreeSet<&str> = task.outputs.iter().map(|o| o.id.as_str()).collect();
    let mut kept: Vec<WorkerResult> = Vec::new();
    let mut workers = BTreeSet::new();
    let mut rejected = 0u32;
    let mut first: Option<String> = None;
    for mut r in results {
        let problem = if kept.len() >= usize::try_from(max_results).unwrap_or(usize::MAX) {
            Some(format!("more than the {max_results} results asked for"))
        } else if workers.contains(&r.worker_id) {
            Some(format!("worker {:?} answered twice", r.worker_id))
        } else if let Some(unknown) = r.scores.keys().find(|k| !ids.contains(k.as_str())) {
            Some(format!("worker {:?} scored unknown output {unknown:?}", r.worker_id))
        } else if let Some(missing) = ids.iter().find(|id| !r.scores.contains_key(**id)) {
            Some(format!("worker {:?} did not score output {missing}", r.worker_id))
        } else if !(r.elapsed_secs.is_finite() && r.elapsed_secs >= 0.0) {
            Some(format!("worker {:?} reported time {}", r.worker_id, r.elapsed_secs))
        } else {
            r.validate(&task.criteria).err().map(|e| e.to_string())
        };
        match problem {
            Some(p) => {
                rejected = rejected.saturating_add(1);
                first.get_or_insert_with(|| clip(&p));
            }
            None => {
                r.sanitise();
                workers.insert(r.worker_id.clone());
                kept.push(r);
            }
        }
    }
    (kept, rejected, first)
}

struct Owner {
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        for t in lock(&self.tasks).drain(..) {
            t.abort();
        }
    }
}

/// A running validator. Clones share it; when the last clone is dropped without
/// [`ValidatorHandle::shutdown`], the loops are aborted.
#[derive(Clone)]
pub struct ValidatorHandle {
    shared: Arc<Shared>,
    owner: Arc<Owner>,
}

impl std::fmt::Debug for ValidatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidatorHandle")
            .field("hotkey", &self.shared.hotkey_ss58)
            .field("netuid", &self.shared.config.netuid)
            .finish()
    }
}

impl ValidatorHandle {
    /// The validator's hotkey (SS58).
    pub fn hotkey(&self) -> &str {
        &self.shared.hotkey_ss58
    }

    /// The store it writes to.
    pub fn store(&self) -> &ValidatorStore {
        &self.shared.store
    }

    /// Makes every loop look at the clock now rather than at its next tick (after a manual
    /// clock moved, or to hurry a demo).
    pub fn wake(&self) {
        self.shared.wake.notify_waiters();
    }

    /// The latest events, oldest first.
    pub fn events(&self) -> Vec<ValidatorEvent> {
        lock(&self.shared.events).iter().cloned().collect()
    }

    /// The events kept so far (oldest first, as [`ValidatorHandle::events`]) and a receiver
    /// of every event recorded after them: no event is in both, none is missed in between.
    ///
    /// The receiver buffers [`ValidatorConfig::status_events`] events; one that falls further
    /// behind gets [`broadcast::error::RecvError::Lagged`] with the number it missed, then
    /// the newer events. It closes when the validator is dropped.
    pub fn subscribe(&self) -> (Vec<ValidatorEvent>, broadcast::Receiver<ValidatorEvent>) {
        let events = lock(&self.shared.events);
        (events.iter().cloned().collect(), self.shared.event_stream.subscribe())
    }

    /// A counter that moves whenever what [`ValidatorHandle::status`] and the store show may
    /// have changed: an event recorded, a due task collected (its score notices sent), a
    /// weights check done, the metagraph read. Await `changed()` on it and look again,
    /// rather than polling on a timer; it stays put while nothing happens.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.shared.changes.subscribe()
    }

    /// The validator's state: identity, task counts, per-miner EMA, weights, recent tasks.
    pub async fn status(&self) -> Result<ValidatorStatus, ValidatorError> {
        let s = &self.shared;
        let view = s.view();
        let ema = s.ema.lock().await.clone();
        let ema_of = |uid: usize, hotkey: &str| {
            (ema.hotkeys.get(uid).map(String::as_str) == Some(hotkey))
                .then(|| ema.scores.get(uid).copied())
                .flatten()
                .unwrap_or(0.0)
        };
        let active: BTreeSet<&str> = view.miners().map(|m| m.hotkey.as_str()).collect();
        let miners = view
            .hotkeys_by_uid
            .iter()
            .enumerate()
            .filter_map(|(uid, hotkey)| {
                let score = ema_of(uid, hotkey);
                let is_active = active.contains(hotkey.as_str());
                (is_active || score > 0.0).then(|| MinerStatus {
                    uid: u16::try_from(uid).unwrap_or(u16::MAX),
                    hotkey: hotkey.clone(),
                    ema: score,
                    active: is_active,
                })
            })
            .collect();
        let counts = s.store.counts().await?;
        let recent_tasks = s.store.recent_tasks(s.config.status_tasks).await?;
        let (next_task_at_ns, last_weights, weights_note) = {
            let p = lock(&s.progress);
            (p.next_task_at_ns, p.last_weights.clone(), p.weights_note.clone())
        };
        Ok(ValidatorStatus {
            hotkey: s.hotkey_ss58.clone(),
            uid: view.my_uid,
            netuid: s.config.netuid,
            metagraph_block: view.block,
            now_ns: s.now(),
            next_task_at_ns,
            active_miners: active.len(),
            counts,
            miners,
            last_weights_block: last_weights.as_ref().map(|w| w.block),
            last_weights,
            weights_note,
            recent_tasks,
            events: self.events(),
        })
    }

    /// Stops the loops (a step in progress is cut short; the store keeps it consistent) and
    /// waits for them to end.
    pub async fn shutdown(&self) {
        let _ = self.owner.stop.send(true);
        let tasks: Vec<JoinHandle<()>> = lock(&self.owner.tasks).drain(..).collect();
        for t in tasks {
            let _ = t.await;
        }
    }
}

/// `GET /status`: the [`ValidatorStatus`] as JSON (500 with `{"error": …}` if the store
/// cannot be read); `GET /`: the same as a readable page (with `/static/app.css`).
pub fn status_router(handle: ValidatorHandle) -> Router {
    Router::new()
        .route("/status", get(status_handler))
        .route("/", get(crate::status_page::page))
        .route("/static/app.css", get(crate::status_page::css))
        .with_state(handle)
}

async fn status_handler(State(handle): State<ValidatorHandle>) -> Response {
    match handle.status().await {
        Ok(status) => axum::Json(status).into_response(),
        Err(e) => {
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(ApiError { error: e.to_string() }))
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timings;

    fn worker(id: &str, scores: &[(&str, f64)]) -> WorkerResult {
        WorkerResult {
            worker_id: id.into(),
            scores: scores.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ranking: vec![],
            rationale: "good; <script>".into(),
            elapsed_secs: 60.0,
        }
    }

    fn task() -> Task {
        let mut t = ProceduralGenerator::default().generate(3).unwrap();
        t.outputs.truncate(2);
        t.outputs[0].id = "a".into();
        t.outputs[1].id = "b".into();
        t
    }

    #[test]
    fn invalid_worker_results_are_dropped_with_the_first_reason() {
        let ok = worker("w1", &[("a", 90.0), ("b", 10.0)]);
        let mut slow_clock = worker("w6", &[("a", 90.0), ("b", 10.0)]);
        slow_clock.elapsed_secs = f64::INFINITY;
        let results = vec![
            worker("w0", &[("a", 101.0), ("b", 10.0)]),
            ok.clone(),
            worker("w1", &[("a", 80.0), ("b", 20.0)]),
            worker("w2", &[("a", 80.0), ("b", 20.0), ("x", 5.0)]),
            worker("w3", &[("a", 80.0)]),
            slow_clock,
            worker("w4", &[("a", 70.0), ("b", 30.0)]),
            worker("w5", &[("a", 60.0), ("b", 40.0)]),
        ];
        let (kept, rejected, reason) = validate_results(&task(), 2, results);
        assert_eq!(kept.iter().map(|w| w.worker_id.as_str()).collect::<Vec<_>>(), ["w1", "w4"]);
        assert_eq!(rejected, 6);
        assert!(reason.unwrap().contains("outside [1, 100]"));
        assert_eq!(kept[0].rationale, "invalid", "rationales are sanitised");
        assert_eq!(kept[0].scores, ok.scores);

        let (_, _, reason) =
            validate_results(&task(), 4, vec![worker("w", &[("a", 1.0), ("c", 1.0)])]);
        assert!(reason.unwrap().contains("unknown output \"c\""));
        let (_, _, reason) = validate_results(&task(), 4, vec![worker("w", &[("a", 1.0)])]);
        assert!(reason.unwrap().contains("did not score output b"));
    }

    #[test]
    fn long_reasons_are_clipped() {
        let long = "x".repeat(1000);
        assert_eq!(clip(&long).chars().count(), MAX_REASON_CHARS + 1);
        assert_eq!(clip("short"), "short");
    }

    #[test]
    fn timings_and_config_checks() {
        assert_eq!(Timings::production().task_interval, Duration::from_secs(900));
        assert_eq!(Timings::production().tick(), Duration::from_secs(1));
        assert_eq!(Timings::fast().tick(), Duration::from_millis(100));
        let c = ValidatorConfig::new(1);
        assert!(c.validate().is_ok());
        let mut bad = c.clone();
        bad.timings.task_deadline = Duration::ZERO;
        assert!(bad.validate().unwrap_err().to_string().contains("task_deadline"));
        let bad = ValidatorConfig { ema_alpha: 0.0, ..c.clone() };
        assert!(bad.validate().is_err());
        let bad = ValidatorConfig { max_results: 0, ..c };
        assert!(bad.validate().is_err());
    }
}
