//! The Dojo miner: a thin, verified relay between the subnet's validators and the miner's
//! worker platform, where its humans do the rating.
//!
//! ```text
//! validator ──TaskSynapse──────> axon ── POST /api/v1/tasks ─────────────> platform
//!           <──TaskAck──────────       (validator+task id → platform id, in the db)
//!           ──TaskResultSynapse─>      ── GET /api/v1/tasks/{id}/results ─>
//!           <──ResultsReply──────
//!           ──ScoreResultSynapse>      ── POST /api/v1/tasks/{id}/ground-truth (if revealed)
//! ```
//!
//! [`Miner::start`] checks that the hotkey is registered on the subnet (and refuses to start
//! otherwise), publishes the axon's address on chain with `serve_axon` when
//! [`MinerConfig::serve_on_chain`] is set and the chain's `AxonInfo` differs, keeps a
//! [`MetagraphWatcher`] so the axon's blacklist follows registrations, and serves:
//!
//! - the [`Axon`] with the three synapses of [`dojo_core::protocol::synapses`];
//! - a status page on [`MinerConfig::status_addr`]: HTML at `/` (no scripts, strict CSP) and
//!   the same facts as JSON at `/status.json` ([`MinerStatus`]).
//!
//! # Design decisions
//!
//! - **Tasks are keyed by (validator hotkey, validator task id).** A validator can only ask
//!   for results of, and score, tasks it sent itself; asking about another validator's task
//!   gets an empty [`ResultsReply`], exactly as for a task never received, so nothing leaks
//!   about other validators' tasks. The mapping is in the database (component `miner`), so a
//!   restarted miner still answers for tasks sent before the restart.
//! - **Acks tell the truth.** `ack: true` only once the platform has created the task;
//!   otherwise `ack: false` with the reason (the platform's own error message, or that it is
//!   unreachable). A task resent by the same validator is acknowledged again without a
//!   second platform task.
//! - **The answer does not echo the task.** The axon returns the request's fields updated by
//!   the handler; the miner clears `task` in its [`TaskAck`] answer so a large task is not sent
//!   back (as Dojo v1 stripped the completions).
//! - **Scores are kept even when the reveal fails**; the failure is recorded with the score
//!   and counted on the status page.
//!
#![doc = include_str!("../README.md")]

mod platform_client;
mod status;
mod store;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chain::{
    AccountId, AxonInfo, BlockId, Call, Chain, ChainError, Clock, DispatchError, NetUid, TxOptions,
    TxStatus,
};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use platform_client::{PlatformClient, PlatformError};
pub use status::STATUS_CSP;
pub use store::{COMPONENT, ScoreRecord};

use self::store::MinerStore;
use db::{Db, DbError};
use dojo_core::protocol::platform_api::{CreateTask, RevealGroundTruth};
use dojo_core::protocol::{
    ResultsReply, ResultsRequest, ScoreNotice, SynapseFields, TaskAck, TaskRequest, synapses,
};
use dojo_transport::{
    Axon, AxonConfig, AxonServer, BlacklistPolicy, HandlerResult, MetagraphWatcher, SynapseRequest,
    TransportError, version_as_int,
};

/// Blocks between metagraph reloads for the blacklist.
pub const METAGRAPH_REFRESH_BLOCKS: u64 = 10;
/// Timeout of one platform request; below the dendrite's default 12 s so a slow platform
/// becomes an `ack: false` rather than a 408.
pub const PLATFORM_TIMEOUT: Duration = Duration::from_secs(8);
/// Scores listed as "recent" on the status page.
pub const RECENT_SCORES: u32 = 20;

/// How a miner runs. Its `Debug` output leaves out the platform key.
#[derive(Clone)]
pub struct MinerConfig {
    /// The subnet.
    pub netuid: NetUid,
    /// Where the axon listens (port 0 picks one).
    pub axon_addr: SocketAddr,
    /// The IP validators reach the axon at (published on chain).
    pub external_ip: String,
    /// Where the status page listens.
    pub status_addr: SocketAddr,
    /// The worker platform's base URL, e.g. `http://127.0.0.1:8080`.
    pub platform_url: String,
    /// The miner's API key on the platform (sent as `x-api-key`; never logged or shown).
    pub platform_api_key: String,
    /// Who may call the axon.
    pub blacklist: BlacklistPolicy,
    /// Publish the axon's address on chain when it differs from the chain's record.
    pub serve_on_chain: bool,
}

impl std::fmt::Debug for MinerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MinerConfig")
            .field("netuid", &self.netuid)
            .field("axon_addr", &self.axon_addr)
            .field("external_ip", &self.external_ip)
            .field("status_addr", &self.status_addr)
            .field("platform_url", &self.platform_url)
            .field("platform_api_key", &"<redacted>")
            .field("blacklist", &self.blacklist)
            .field("serve_on_chain", &self.serve_on_chain)
            .finish()
    }
}

/// Why the miner could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MinerError {
    /// The hotkey has no UID on the subnet.
    #[error(
        "hotkey {hotkey} is not registered on subnet {netuid}; register it first (btcli subnet register)"
    )]
    NotRegistered {
        /// The hotkey.
        hotkey: AccountId,
        /// The subnet.
        netuid: NetUid,
    },
    /// A configuration value is unusable.
    #[error("invalid miner configuration: {0}")]
    Config(String),
    /// Reading from or submitting to the chain failed.
    #[error("chain: {0}")]
    Chain(#[from] ChainError),
    /// `serve_axon` was included but failed.
    #[error("serve_axon failed in block {block}: {error}")]
    ServeAxon {
        /// The block.
        block: u64,
        /// The chain's error.
        error: DispatchError,
    },
    /// `serve_axon` left the pool without being included.
    #[error("serve_axon was dropped before inclusion: {0}")]
    Dropped(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// The axon could not be served.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// Counters since start.
#[derive(Debug, Default)]
struct Counters {
    tasks_received: AtomicU64,
    tasks_forwarded: AtomicU64,
    tasks_refused: AtomicU64,
    result_requests: AtomicU64,
    results_returned: AtomicU64,
    unknown_task_requests: AtomicU64,
    scores_received: AtomicU64,
    ground_truths_revealed: AtomicU64,
    ground_truth_failures: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

/// The relay behind the axon's handlers.
struct Service {
    store: MinerStore,
    platform: PlatformClient,
    clock: Arc<dyn Clock>,
    counters: Counters,
    last_platform_error: Mutex<Option<String>>,
}

impl Service {
    fn platform_failed(&self, e: &PlatformError) {
        if let Ok(mut slot) = self.last_platform_error.lock() {
            *slot = Some(e.to_string());
        }
    }

    async fn on_task(&self, req: SynapseRequest) -> HandlerResult {
        bump(&self.counters.tasks_received);
        let refuse = |reason: String| {
            bump(&self.counters.tasks_refused);
            ack_fields(false, Some(reason))
        };
        let request = match TaskRequest::from_fields(&req.fields) {
            Ok(r) => r,
            Err(e) => return refuse(format!("the task does not parse: {e}")),
        };
        let validator = req.caller.to_ss58();
        let task_id = request.task.task_id.clone();
        match self.store.platform_id(&validator, &task_id).await {
            Ok(Some(_)) => return ack_fields(true, None),
            Ok(None) => {}
            Err(e) => return refuse(format!("the miner's database failed: {e}")),
        }
        let now = self.clock.now_ns();
        if request.expire_at_ns <= now {
            return refuse(format!(
                "the task expired at {} ns, before it arrived ({now} ns)",
                request.expire_at_ns
            ));
        }
        let create = CreateTask {
            task: request.task,
            expire_at_ns: request.expire_at_ns,
            max_results: request.max_results,
        };
        let created = match self.platform.create_task(&create).await {
            Ok(c) => c,
            Err(e) => {
                self.platform_failed(&e);
                return refuse(e.to_string());
            }
        };
        if let Err(e) = self
            .store
            .insert_task(&validator, &task_id, &created.id, now, create.expire_at_ns)
            .await
        {
            return refuse(format!("the miner could not record the task: {e}"));
        }
        bump(&self.counters.tasks_forwarded);
        ack_fields(true, None)
    }

    async fn on_results(&self, req: SynapseRequest) -> HandlerResult {
        bump(&self.counters.result_requests);
        let request = ResultsRequest::from_fields(&req.fields)
            .map_err(|e| format!("the results request does not parse: {e}"))?;
        let validator = req.caller.to_ss58();
        let platform_id = self
            .store
            .platform_id(&validator, &request.task_id)
            .await
            .map_err(|e| format!("the miner's database failed: {e}"))?;
        let Some(platform_id) = platform_id else {
            bump(&self.counters.unknown_task_requests);
            return Ok(ResultsReply { task_id: request.task_id, results: vec![] }.to_fields());
        };
        let results = self.platform.results(&platform_id).await.map_err(|e| {
            self.platform_failed(&e);
            format!("cannot fetch the results: {e}")
        })?;
        let n = u64::try_from(results.results.len()).unwrap_or(u64::MAX);
        self.counters.results_returned.fetch_add(n, Ordering::Relaxed);
        Ok(ResultsReply { task_id: request.task_id, results: results.results }.to_fields())
    }

    async fn on_score(&self, req: SynapseRequest) -> HandlerResult {
        let notice = ScoreNotice::from_fields(&req.fields)
            .map_err(|e| format!("the score notice does not parse: {e}"))?;
        if !notice.score.is_finite() || !(0.0..=1.0).contains(&notice.score) {
            return Err(format!("score {} is not within 0 to 1", notice.score));
        }
        let validator = req.caller.to_ss58();
        let platform_id = self
            .store
            .platform_id(&validator, &notice.task_id)
            .await
            .map_err(|e| format!("the miner's database failed: {e}"))?
            .ok_or_else(|| {
                format!("this miner never received task {} from {validator}", notice.task_id)
            })?;
        bump(&self.counters.scores_received);
        let mut record = ScoreRecord {
            validator_hotkey: validator,
            task_id: notice.task_id,
            score: notice.score,
            received_at_ns: self.clock.now_ns(),
            ground_truth_revealed: false,
            reveal_error: None,
        };
        if let Some(ranks) = notice.ground_truth {
            match self
                .platform
                .reveal_ground_truth(&platform_id, &RevealGroundTruth { ranks })
                .await
            {
                Ok(()) => {
                    record.ground_truth_revealed = true;
                    bump(&self.counters.ground_truths_revealed);
                }
                Err(e) => {
                    self.platform_failed(&e);
                    bump(&self.counters.ground_truth_failures);
                    record.reveal_error = Some(e.to_string());
                }
            }
        }
        self.store
            .record_score(&record)
            .await
            .map_err(|e| format!("the miner could not record the score: {e}"))?;
        Ok(Map::new())
    }
}

fn ack_fields(ack: bool, reason: Option<String>) -> HandlerResult {
    let mut fields = TaskAck { ack, reason }.to_fields();
    fields.insert("task".into(), Value::Null);
    Ok(fields)
}

/// The miner's axon entry as published on chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedAxon {
    /// IP.
    pub ip: String,
    /// Port.
    pub port: u16,
}

/// Task, result and score counters since start, and persisted totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinerCounts {
    /// TaskSynapses received.
    pub tasks_received: u64,
    /// Tasks the platform accepted.
    pub tasks_forwarded: u64,
    /// Tasks answered `ack: false`.
    pub tasks_refused: u64,
    /// Tasks forwarded ever (persisted).
    pub tasks_forwarded_total: u64,
    /// TaskResultSynapses received.
    pub result_requests: u64,
    /// Worker results returned to validators.
    pub results_returned: u64,
    /// Result requests for a task the caller never sent.
    pub unknown_task_requests: u64,
    /// Score notices recorded since start.
    pub scores_received: u64,
    /// Ground truths the platform accepted.
    pub ground_truths_revealed: u64,
    /// Ground truths the platform did not take.
    pub ground_truth_failures: u64,
}

/// The miner's standing on chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainStanding {
    /// Head block read.
    pub block: u64,
    /// UID (it can change if the hotkey was deregistered and registered again).
    pub uid: Option<u16>,
    /// Incentive last epoch, parts of 65535.
    pub incentive: u16,
    /// Incentive as a fraction.
    pub incentive_fraction: f64,
    /// Alpha earned last epoch, rao.
    pub emission_rao: u64,
    /// The axon the chain has.
    pub axon: Option<PublishedAxon>,
}

/// Everything the status page shows (also `/status.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinerStatus {
    /// Hotkey (SS58).
    pub hotkey: String,
    /// Subnet.
    pub netuid: NetUid,
    /// UID at start.
    pub uid: u16,
    /// Where the axon listens.
    pub axon_addr: String,
    /// The address published for validators.
    pub external_ip: String,
    /// The platform's base URL.
    pub platform_url: String,
    /// Whether the platform answers HTTP now.
    pub platform_reachable: bool,
    /// The last platform failure, if any.
    pub last_platform_error: Option<String>,
    /// Counters.
    pub counts: MinerCounts,
    /// Scores ever received.
    pub scores_total: u64,
    /// Mean of every score ever received.
    pub mean_score: Option<f64>,
    /// The most recent scores, newest first.
    pub recent_scores: Vec<ScoreRecord>,
    /// The chain's view, if it could be read.
    pub chain: Option<ChainStanding>,
    /// Why the chain could not be read.
    pub chain_error: Option<String>,
    /// Why the miner's store could not be read; the stored facts (`scores_total`, `mean_score`,
    /// `recent_scores`, `counts.tasks_forwarded_total`) are then unknown, not zero.
    #[serde(default)]
    pub store_error: Option<String>,
}

/// Starts miners (see the module docs).
#[derive(Debug)]
pub struct Miner;

/// A running miner. Dropping it without [`MinerHandle::shutdown`] aborts its tasks.
pub struct MinerHandle {
    axon_addr: SocketAddr,
    status_addr: SocketAddr,
    inner: Arc<StatusSource>,
    axon: Option<AxonServer>,
    watcher: Option<MetagraphWatcher>,
    status_stop: Option<oneshot::Sender<()>>,
    status_task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MinerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MinerHandle")
            .field("hotkey", &self.inner.hotkey.to_ss58())
            .field("axon_addr", &self.axon_addr)
            .field("status_addr", &self.status_addr)
            .finish()
    }
}

/// What the status page reads.
struct StatusSource {
    service: Arc<Service>,
    chain: Arc<dyn Chain>,
    hotkey: AccountId,
    netuid: NetUid,
    uid: u16,
    axon_addr: SocketAddr,
    external_ip: String,
}

impl StatusSource {
    async fn status(&self) -> MinerStatus {
        let s = &self.service;
        let c = &s.counters;
        // A store that cannot be read is reported, not shown as a miner with no scores.
        let stored = async {
            let (total, mean) = s.store.score_summary().await?;
            let recent = s.store.recent_scores(RECENT_SCORES).await?;
            let forwarded = s.store.task_count().await?;
            Ok::<_, DbError>((total, mean, recent, forwarded))
        }
        .await;
        let ((scores_total, mean_score, recent_scores, tasks_forwarded_total), store_error) =
            match stored {
                Ok(v) => (v, None),
                Err(e) => ((0, None, Vec::new(), 0), Some(e.to_string())),
            };
        let (chain, chain_error) = match self.standing().await {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e.to_string())),
        };
        MinerStatus {
            hotkey: self.hotkey.to_ss58(),
            netuid: self.netuid,
            uid: self.uid,
            axon_addr: self.axon_addr.to_string(),
            external_ip: self.external_ip.clone(),
            platform_url: s.platform.base_url().to_string(),
            platform_reachable: s.platform.reachable().await,
            // The slot is replaced whole: a poisoned lock still holds a valid value.
            last_platform_error: s
                .last_platform_error
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
            counts: MinerCounts {
                tasks_received: get(&c.tasks_received),
                tasks_forwarded: get(&c.tasks_forwarded),
                tasks_refused: get(&c.tasks_refused),
                tasks_forwarded_total,
                result_requests: get(&c.result_requests),
                results_returned: get(&c.results_returned),
                unknown_task_requests: get(&c.unknown_task_requests),
                scores_received: get(&c.scores_received),
                ground_truths_revealed: get(&c.ground_truths_revealed),
                ground_truth_failures: get(&c.ground_truth_failures),
            },
            scores_total,
            mean_score,
            recent_scores,
            chain,
            chain_error,
            store_error,
        }
    }

    async fn standing(&self) -> Result<ChainStanding, ChainError> {
        let head = self.chain.header(BlockId::Head).await?;
        let neurons = self.chain.neurons(self.netuid).await?;
        let me = neurons.iter().find(|n| n.hotkey == self.hotkey);
        Ok(ChainStanding {
            block: head.number,
            uid: me.map(|n| n.uid),
            incentive: me.map_or(0, |n| n.incentive),
            incentive_fraction: f64::from(me.map_or(0, |n| n.incentive)) / f64::from(u16::MAX),
            emission_rao: me.map_or(0, |n| n.emission),
            axon: me
                .and_then(|n| n.axon.as_ref())
                .map(|a| PublishedAxon { ip: a.ip.clone(), port: a.port }),
        })
    }
}

/// The neuron software version published in `AxonInfo::version` (this crate's version).
pub fn axon_version() -> u32 {
    let mut parts = env!("CARGO_PKG_VERSION").split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let (a, b, c) =
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    u32::try_from(version_as_int(a, b, c)).unwrap_or(u32::MAX)
}

impl Miner {
    /// Checks registration, publishes the axon if asked, and serves the axon and the status
    /// page (see the module docs).
    pub async fn start(
        config: MinerConfig,
        chain: Arc<dyn Chain>,
        hotkey: keys::Keypair,
        db: Db,
        clock: Arc<dyn Clock>,
    ) -> Result<MinerHandle, MinerError> {
        let account = AccountId::from(hotkey.public());
        let ip: IpAddr = config.external_ip.parse().map_err(|_| {
            MinerError::Config(format!(
                "external_ip {:?} is not an IPv4 or IPv6 address",
                config.external_ip
            ))
        })?;
        if config.platform_url.trim().is_empty() {
            return Err(MinerError::Config("platform_url is empty".into()));
        }
        let neurons = chain.neurons(config.netuid).await?;
        let Some(me) = neurons.iter().find(|n| n.hotkey == account).cloned() else {
            return Err(MinerError::NotRegistered { hotkey: account, netuid: config.netuid });
        };
        let store = MinerStore::open(db).await?;

        let bind = |addr: SocketAddr| async move {
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| MinerError::Bind { addr, reason: e.to_string() })
        };
        let axon_listener = bind(config.axon_addr).await?;
        let status_listener = bind(config.status_addr).await?;
        let axon_addr = axon_listener
            .local_addr()
            .map_err(|e| MinerError::Bind { addr: config.axon_addr, reason: e.to_string() })?;
        let status_addr = status_listener
            .local_addr()
            .map_err(|e| MinerError::Bind { addr: config.status_addr, reason: e.to_string() })?;

        if config.serve_on_chain {
            let wanted = AxonInfo {
                ip: config.external_ip.clone(),
                port: axon_addr.port(),
                ip_type: if ip.is_ipv4() { 4 } else { 6 },
                protocol: 0,
                version: axon_version(),
            };
            if me.axon.as_ref() != Some(&wanted) {
                serve_axon(chain.as_ref(), &hotkey, config.netuid, wanted).await?;
            }
        }

        let watcher =
            MetagraphWatcher::spawn(chain.clone(), config.netuid, METAGRAPH_REFRESH_BLOCKS).await?;
        let service = Arc::new(Service {
            store,
            platform: PlatformClient::new(
                &config.platform_url,
                &config.platform_api_key,
                PLATFORM_TIMEOUT,
            ),
            clock: clock.clone(),
            counters: Counters::default(),
            last_platform_error: Mutex::new(None),
        });
        let axon_config = AxonConfig {
            external_ip: config.external_ip.clone(),
            external_port: axon_addr.port(),
            blacklist: config.blacklist,
            ..AxonConfig::new(hotkey)
        };
        let (s1, s2, s3) = (service.clone(), service.clone(), service.clone());
        let axon = Axon::new(axon_config, watcher.snapshot(), clock)
            .route(synapses::TASK, synapses::TASK_HASH_FIELDS.iter().copied(), move |r| {
                let s = s1.clone();
                async move { s.on_task(r).await }
            })
            .route(synapses::RESULTS, synapses::RESULTS_HASH_FIELDS.iter().copied(), move |r| {
                let s = s2.clone();
                async move { s.on_results(r).await }
            })
            .route(synapses::SCORE, synapses::SCORE_HASH_FIELDS.iter().copied(), move |r| {
                let s = s3.clone();
                async move { s.on_score(r).await }
            });
        let axon = axon.serve(axon_listener)?;

        let source = Arc::new(StatusSource {
            service,
            chain,
            hotkey: account,
            netuid: config.netuid,
            uid: me.uid,
            axon_addr,
            external_ip: config.external_ip,
        });
        let router = status::router(source.clone());
        let (status_stop, stopped) = oneshot::channel::<()>();
        let status_task = tokio::spawn(async move {
            let _ = axum::serve(status_listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(MinerHandle {
            axon_addr,
            status_addr,
            inner: source,
            axon: Some(axon),
            watcher: Some(watcher),
            status_stop: Some(status_stop),
            status_task: Some(status_task),
        })
    }
}

/// Signs `serve_axon` with the hotkey and follows it into a block.
async fn serve_axon(
    chain: &dyn Chain,
    hotkey: &keys::Keypair,
    netuid: NetUid,
    axon: AxonInfo,
) -> Result<u64, MinerError> {
    let call = Call::ServeAxon { netuid, axon };
    let mut statuses = chain::sign_and_submit(chain, hotkey, call, TxOptions::default()).await?;
    while let Some(status) = statuses.next().await {
        match status? {
            TxStatus::Ready { .. } | TxStatus::Finalized { .. } => {}
            TxStatus::InBlock { number, result, .. } => {
                return match result {
                    Ok(()) => Ok(number),
                    Err(error) => Err(MinerError::ServeAxon { block: number, error }),
                };
            }
            TxStatus::Dropped { reason } => return Err(MinerError::Dropped(reason)),
        }
    }
    Err(MinerError::Dropped("the status stream ended".into()))
}

impl MinerHandle {
    /// Where the axon listens.
    pub fn axon_addr(&self) -> SocketAddr {
        self.axon_addr
    }

    /// Where the status page listens.
    pub fn status_addr(&self) -> SocketAddr {
        self.status_addr
    }

    /// The status page's facts, read now (the platform is probed, the chain read).
    pub async fn status(&self) -> MinerStatus {
        self.inner.status().await
    }

    /// Stops the axon (letting requests in progress finish), the status page and the
    /// metagraph watcher, and waits for them.
    pub async fn shutdown(mut self) {
        if let Some(axon) = self.axon.take() {
            axon.shutdown().await;
        }
        if let Some(stop) = self.status_stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.status_task.take() {
            let _ = task.await;
        }
        if let Some(watcher) = self.watcher.take() {
            watcher.shutdown().await;
        }
    }
}

impl Drop for MinerHandle {
    fn drop(&mut self) {
        if let Some(task) = self.status_task.take() {
            task.abort();
        }
    }
}
