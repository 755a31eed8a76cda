//! The node: a [`Runtime`] with a transaction pool, block production, finality, persistence
//! and subscriptions.
//!
//! ```text
//!  submit ──validate──▶ pool ──select──▶ producer thread ──produce_block──▶ Runtime
//!                                             │   (simulation adds its txs to the pool first)
//!                                             ├─▶ block log (fsync) ─▶ snapshots
//!                                             └─▶ announce: history, new heads, events,
//!                                                 tx statuses, finality (head − depth)
//! ```
//!
//! One thread, owned by [`Node`], produces every block; it takes the runtime's write lock only
//! while it produces a block, so queries (read lock) wait at most one block. A block is
//! announced (subscribers, statuses, queries by number) only after its log record is fsync'd:
//! nothing a client has seen is ever lost by a crash.
//!
//! Block production ([`BlockProduction`]):
//! - `Interval`: a block every `block_time` of wall time (12 s by default);
//! - `Instant`: a block as soon as a ready transaction arrives (tests, demos);
//! - `Manual`: blocks only when asked ([`NodeHandle::produce_block`],
//!   [`NodeHandle::fast_forward`]).
//!
//! In every mode [`NodeHandle::fast_forward`] produces blocks as fast as the runtime can, with
//! the simulation (if any) taking its turn each block. Block timestamps are
//! `max(clock, previous + block_time)` with an injected [`Clock`] (`chain`'s, read in
//! milliseconds), so tests with a fixed clock are deterministic; a fast-forward of `n` blocks
//! stamps block `i` with `max(clock − (n − i)·block_time, previous + block_time)`: on a chain
//! behind the wall clock the run ends at the present (a simulated week of history ends now),
//! on one that is not, the blocks are `block_time` apart.

mod local;
mod pool;
mod shield;
mod store;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use chain::{
    AccountId, AccountInfo, Block, BlockNumber, Call, ChainInfo, Clock, Hash, Header, NetUid,
    NeuronInfo, Phase, Side, SignedTransaction, SigningContext, StakeInfo, SubnetInfo, SwapOutcome,
    TxStatus, TxValidityError,
};
use tokio::sync::{broadcast, mpsc, oneshot};

pub use chain::rpc::BlockRef;
pub use local::LocalChain;

use crate::genesis::Genesis;
use crate::runtime::{GenesisError, Runtime};
use pool::{Entry, MAX_FUTURE_NONCES, Pool, Watcher};
use store::{LogRecord, Store};

/// Default block time, as on Subtensor.
pub const DEFAULT_BLOCK_TIME: Duration = Duration::from_secs(12);

/// During a fast-forward, blocks are synced and announced in batches: at most this many...
const SYNC_BATCH: usize = 1_024;

/// ...or whatever was produced in this long, so subscribers see steady progress.
const SYNC_INTERVAL: Duration = Duration::from_millis(100);

/// Subscribers that fall this many blocks behind miss the oldest.
const BROADCAST_CAPACITY: usize = 4096;

/// Something that adds transactions before each block (the market simulation).
pub trait TxSource: Send + 'static {
    /// Transactions to submit to the pool before the next block, given the current state.
    fn transactions_for_block(&mut self, runtime: &Runtime) -> Vec<SignedTransaction>;

    /// The source's state, saved with each snapshot so that a restart resumes it (none by
    /// default: the source starts afresh).
    fn save(&self) -> Option<Vec<u8>> {
        None
    }

    /// Takes up a state [`TxSource::save`] returned; false if it cannot.
    fn resume(&mut self, _state: &[u8]) -> bool {
        false
    }
}

impl TxSource for crate::sim::Simulation {
    fn transactions_for_block(&mut self, runtime: &Runtime) -> Vec<SignedTransaction> {
        crate::sim::Simulation::transactions_for_block(self, runtime)
    }

    fn save(&self) -> Option<Vec<u8>> {
        Some(crate::sim::Simulation::save(self))
    }

    fn resume(&mut self, state: &[u8]) -> bool {
        match crate::sim::Simulation::resume(self, state) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("the simulation starts afresh: {e}");
                false
            }
        }
    }
}

/// When blocks are produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockProduction {
    /// Every `block_time` of wall time.
    Interval,
    /// As soon as a ready transaction arrives.
    Instant,
    /// Only on [`NodeHandle::produce_block`] / [`NodeHandle::fast_forward`].
    Manual,
}

/// How a node runs.
pub struct NodeConfig {
    /// When blocks are produced.
    pub production: BlockProduction,
    /// Block interval in `Interval` mode, and the timestamp step everywhere.
    pub block_time: Duration,
    /// Where the chain persists; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Blocks finality trails the head by; `None` takes the genesis parameter.
    pub finality_depth: Option<u64>,
    /// Blocks between runtime snapshots.
    pub snapshot_every: u64,
    /// During a fast-forward, snapshots also fall at least this far apart in wall time: a
    /// crash then replays a few seconds of blocks, and a snapshot every `snapshot_every`
    /// blocks would cost more than producing them.
    pub fast_forward_snapshot_gap: Duration,
    /// Blocks kept in memory for `chain_getBlock` and friends.
    pub history_blocks: usize,
    /// Transactions the pool holds at most.
    pub pool_capacity: usize,
    /// Transactions per block at most.
    pub max_block_txs: usize,
    /// Wall clock for block timestamps.
    pub clock: Arc<dyn Clock>,
    /// Extra transactions each block (the market simulation).
    pub tx_source: Option<Box<dyn TxSource>>,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            production: BlockProduction::Interval,
            block_time: DEFAULT_BLOCK_TIME,
            data_dir: None,
            finality_depth: None,
            snapshot_every: 1_000,
            fast_forward_snapshot_gap: Duration::from_secs(2),
            history_blocks: 10_000,
            pool_capacity: 8_192,
            max_block_txs: 1_024,
            clock: Arc::new(chain::SystemClock),
            tx_source: None,
        }
    }
}

impl std::fmt::Debug for NodeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeConfig")
            .field("production", &self.production)
            .field("block_time", &self.block_time)
            .field("data_dir", &self.data_dir)
            .field("finality_depth", &self.finality_depth)
            .field("snapshot_every", &self.snapshot_every)
            .field("fast_forward_snapshot_gap", &self.fast_forward_snapshot_gap)
            .field("history_blocks", &self.history_blocks)
            .field("pool_capacity", &self.pool_capacity)
            .field("max_block_txs", &self.max_block_txs)
            .field("tx_source", &self.tx_source.is_some())
            .finish()
    }
}

/// What can go wrong running a node.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// Reading or writing the data directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The genesis cannot start a chain.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// The data directory holds another chain.
    #[error(
        "{} holds a chain with a different genesis; use another --data-dir, or remove it to start over",
        dir.display()
    )]
    GenesisMismatch {
        /// The data directory.
        dir: PathBuf,
    },
    /// Another node runs on the data directory.
    #[error("{} is in use by another node; stop it or use another --data-dir", dir.display())]
    Locked {
        /// The data directory.
        dir: PathBuf,
    },
    /// A file in the data directory is damaged beyond the torn-tail repair.
    #[error("{}: {what}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The data directory was written by a localnet whose blocks hash differently (before block
    /// hashes were Substrate header hashes).
    #[error(
        "{}: {what}; the chain was written by an older localnet — start a new --data-dir",
        path.display()
    )]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// What differs.
        what: String,
    },
    /// Replaying the block log did not reproduce the logged state root.
    #[error(
        "replaying block {number} gave state root {got}, but the log recorded {expected}; the runtime changed since this chain was written — start a new --data-dir"
    )]
    ReplayDiverged {
        /// Block number.
        number: BlockNumber,
        /// Logged root.
        expected: Hash,
        /// Computed root.
        got: Hash,
    },
    /// The transaction was refused.
    #[error(transparent)]
    Invalid(#[from] TxValidityError),
    /// Not there (or no longer kept).
    #[error("{0}")]
    NotFound(String),
    /// A quote failed.
    #[error(transparent)]
    Swap(chain::DispatchError),
    /// The node has stopped.
    #[error("the node has stopped")]
    Stopped,
}

enum Command {
    Wake,
    Produce { blocks: u64, reply: oneshot::Sender<Result<Header, String>> },
    Stop,
}

struct ChainState {
    /// Contiguous recent blocks; the last is the head.
    blocks: VecDeque<Arc<Block>>,
    by_hash: HashMap<Hash, BlockNumber>,
    finalized: BlockNumber,
    awaiting_finality: BTreeMap<BlockNumber, Vec<(Hash, Vec<Watcher>)>>,
}

impl ChainState {
    fn head(&self) -> Option<&Arc<Block>> {
        self.blocks.back()
    }

    fn by_number(&self, n: BlockNumber) -> Option<&Arc<Block>> {
        let first = self.blocks.front()?.header.number;
        let index = usize::try_from(n.checked_sub(first)?).ok()?;
        self.blocks.get(index)
    }
}

/// How many blocks back state queries are answered (besides the head's): a client that pins
/// the head and then reads at it (the Python SDK does, for every read) still finds the state
/// after a block or two more arrived. Kept as whole runtimes, cloned once a block outside
/// fast-forward.
pub const RECENT_STATES: usize = 16;

struct Shared {
    runtime: tokio::sync::RwLock<Runtime>,
    /// The runtimes after the last [`RECENT_STATES`] blocks before the head, oldest first.
    recent: Mutex<VecDeque<Arc<Runtime>>>,
    pool: Mutex<Pool>,
    chain: std::sync::RwLock<ChainState>,
    blocks_tx: broadcast::Sender<Arc<Block>>,
    finalized_tx: broadcast::Sender<Header>,
    commands: std::sync::mpsc::Sender<Command>,
    info: ChainInfo,
    production: BlockProduction,
    history_blocks: usize,
    start_block: BlockNumber,
    stopped: AtomicBool,
    /// The block author's MEV Shield keys.
    shield: Mutex<shield::ShieldKeys>,
}

impl Shared {
    fn chain(&self) -> std::sync::RwLockReadGuard<'_, ChainState> {
        self.chain.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn chain_mut(&self) -> std::sync::RwLockWriteGuard<'_, ChainState> {
        self.chain.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn pool(&self) -> std::sync::MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running node. Owns the block producer; dropping it stops production (use
/// [`Node::shutdown`] to wait for the last block and snapshot to be written).
pub struct Node {
    handle: NodeHandle,
    producer: Option<std::thread::JoinHandle<()>>,
}

/// A cheap, cloneable handle on a running node: queries, submission, subscriptions.
#[derive(Clone)]
pub struct NodeHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for NodeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeHandle").field("chain", &self.shared.info.name).finish()
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node").field("handle", &self.handle).finish()
    }
}

impl Node {
    /// The genesis a data directory was started with, if it holds a chain.
    pub fn stored_genesis(data_dir: &Path) -> Result<Option<Genesis>, NodeError> {
        Store::stored_genesis(data_dir)
    }

    /// Starts a node. With a data directory, it resumes the chain stored there (latest
    /// snapshot, then the block log replayed and checked root by root) or starts a new one.
    /// Blocking: recovery replays blocks; call it from `spawn_blocking` in async code.
    pub fn start(genesis: &Genesis, mut config: NodeConfig) -> Result<Node, NodeError> {
        let mut store = match &config.data_dir {
            Some(dir) => Some(Store::open(dir, genesis)?),
            None => None,
        };
        let history_blocks = config.history_blocks.max(16);
        let finality_depth = config.finality_depth.unwrap_or(genesis.params.finality_depth);
        let pool = producer_pool();
        let source = config.tx_source.as_mut();
        let replay = || recover(genesis, store.as_mut(), history_blocks, source);
        let (runtime, history, log_offset, snapshot_at) = match &pool {
            Some(pool) => pool.install(replay)?,
            None => replay()?,
        };
        let head = runtime.head().header.clone();
        let finalized = head.number.saturating_sub(finality_depth).max(genesis.start_block);
        let info = ChainInfo {
            name: genesis.chain_name.clone(),
            signing: runtime.signing_context(),
            block_time_ms: u64::try_from(config.block_time.as_millis()).unwrap_or(u64::MAX),
            finality_depth,
            ss58_prefix: 42,
            token_symbol: "TAO".into(),
        };
        let mut by_hash = HashMap::new();
        for b in &history {
            by_hash.insert(b.header.hash, b.header.number);
        }
        let (commands, rx) = std::sync::mpsc::channel();
        let shared = Arc::new(Shared {
            runtime: tokio::sync::RwLock::new(runtime),
            recent: Mutex::new(VecDeque::with_capacity(RECENT_STATES)),
            pool: Mutex::new(Pool::new(config.pool_capacity)),
            chain: std::sync::RwLock::new(ChainState {
                blocks: history,
                by_hash,
                finalized,
                awaiting_finality: BTreeMap::new(),
            }),
            blocks_tx: broadcast::channel(BROADCAST_CAPACITY).0,
            finalized_tx: broadcast::channel(BROADCAST_CAPACITY).0,
            commands,
            info,
            production: config.production,
            history_blocks,
            start_block: genesis.start_block,
            stopped: AtomicBool::new(false),
            shield: Mutex::new(shield::ShieldKeys::default()),
        });
        tracing::info!(
            chain = %genesis.chain_name,
            head = head.number,
            state_root = %head.state_root,
            "node started"
        );
        let producer = Producer {
            shared: shared.clone(),
            store,
            source: config.tx_source.take(),
            clock: config.clock.clone(),
            block_time_ms: u64::try_from(config.block_time.as_millis()).unwrap_or(u64::MAX).max(1),
            block_time: config.block_time,
            finality_depth,
            max_block_txs: config.max_block_txs.max(1),
            snapshot_every: config.snapshot_every.max(1),
            fast_forward_snapshot_gap: config.fast_forward_snapshot_gap,
            last_snapshot: snapshot_at,
            last_snapshot_at: Instant::now(),
            log_offset,
            last_timestamp: head.timestamp_ms,
            unannounced: Vec::new(),
            decided: None,
            fast_forwarding: false,
            pool,
        };
        let thread = std::thread::Builder::new()
            .name("localnet-producer".into())
            .spawn(move || producer.run(rx))
            .map_err(|source| NodeError::Io { path: PathBuf::from("<producer thread>"), source })?;
        Ok(Node { handle: NodeHandle { shared }, producer: Some(thread) })
    }

    /// A handle for queries and submissions.
    pub fn handle(&self) -> NodeHandle {
        self.handle.clone()
    }

    /// Stops block production, writes a final snapshot and waits for the producer.
    pub async fn shutdown(mut self) {
        let _ = self.handle.shared.commands.send(Command::Stop);
        if let Some(thread) = self.producer.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    /// [`Node::shutdown`] for synchronous code.
    pub fn shutdown_blocking(mut self) {
        let _ = self.handle.shared.commands.send(Command::Stop);
        if let Some(thread) = self.producer.take() {
            let _ = thread.join();
        }
    }
}

impl std::ops::Deref for Node {
    type Target = NodeHandle;
    fn deref(&self) -> &NodeHandle {
        &self.handle
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // The producer finishes its current block, syncs and exits on its own.
        let _ = self.handle.shared.commands.send(Command::Stop);
    }
}

type Recovered = (Runtime, VecDeque<Arc<Block>>, u64, BlockNumber);

/// The runtime from the newest usable snapshot and the log after it. A transaction source is
/// resumed from the state saved with that snapshot (or, from genesis, as it starts) and asked
/// again for every replayed block, so that it continues as if the node had not stopped.
fn recover(
    genesis: &Genesis,
    store: Option<&mut Store>,
    history_blocks: usize,
    mut source: Option<&mut Box<dyn TxSource>>,
) -> Result<Recovered, NodeError> {
    let Some(store) = store else {
        let runtime = Runtime::new(genesis)?;
        let history = VecDeque::from([Arc::new(runtime.head().clone())]);
        return Ok((runtime, history, 0, genesis.start_block));
    };
    // Newest usable snapshot first, then the genesis.
    let mut start = None;
    for snap in store.snapshots()? {
        match Runtime::restore(&snap.runtime) {
            Ok(rt) if rt.state_root() == snap.state_root && rt.block_number() == snap.number => {
                match store.read_log_from(snap.log_offset) {
                    Ok(records) => {
                        start = Some((rt, snap.log_offset, snap.number, records));
                        break;
                    }
                    Err(e) => tracing::warn!(snapshot = snap.number, "snapshot unusable: {e}"),
                }
            }
            Ok(_) => tracing::warn!(snapshot = snap.number, "snapshot does not match its root"),
            Err(e) => tracing::warn!(snapshot = snap.number, "snapshot does not restore: {e}"),
        }
    }
    let (mut runtime, mut offset, snapshot_at, records) = match start {
        Some(s) => s,
        None => {
            let rt = Runtime::new(genesis)?;
            let records = store.read_log_from(Store::log_start())?;
            if records.is_empty() {
                // A new chain: the genesis block opens the archive.
                store.archive(std::iter::once(&store::archive_line(rt.head())))?;
                store.sync()?;
            }
            (rt, Store::log_start(), genesis.start_block, records)
        }
    };
    let source_follows = match source.as_deref_mut() {
        Some(_) if snapshot_at == genesis.start_block => true,
        Some(source) => store.source_state(snapshot_at).is_some_and(|state| source.resume(&state)),
        None => false,
    };
    if !source_follows {
        source = None;
    }
    // Blocks before the restored state come from the archive, when it links up.
    let mut history: VecDeque<Arc<Block>> = store
        .archived_chain(runtime.head(), history_blocks.saturating_sub(records.len() + 1))
        .into_iter()
        .map(Arc::new)
        .collect();
    history.push_back(Arc::new(runtime.head().clone()));
    let replayed = records.len();
    let mut records = records.into_iter().peekable();
    if let Some(source) = source.as_deref_mut()
        && records.peek().is_some()
    {
        // Its transactions are in the record already; only its memory moves on (for the
        // blocks after the first, beside the previous block's state root).
        let _ = source.transactions_for_block(&runtime);
    }
    while let Some((record, end)) = records.next() {
        let expected_number = runtime.block_number().saturating_add(1);
        if record.number != expected_number {
            return Err(NodeError::Corrupt {
                path: PathBuf::from("blocks.log"),
                what: format!(
                    "the log has block {} where block {expected_number} should be",
                    record.number
                ),
            });
        }
        let next = source.as_deref_mut().filter(|_| records.peek().is_some());
        let (produced, ()) =
            runtime.produce_block_beside(record.txs, record.timestamp_ms, |runtime| {
                if let Some(source) = next {
                    let _ = source.transactions_for_block(runtime);
                }
            });
        let header = &produced.block.header;
        if header.state_root == record.state_root && header.hash != record.block_hash {
            // Same state, another hash: the log predates block hashes being Substrate header
            // hashes (see `crate::substrate`).
            return Err(NodeError::Incompatible {
                path: PathBuf::from("blocks.log"),
                what: format!(
                    "block {} replays to the logged state but hashes to {} where the log has {} \
                     (another block-hash scheme)",
                    record.number, header.hash, record.block_hash
                ),
            });
        }
        if header.state_root != record.state_root || header.hash != record.block_hash {
            return Err(NodeError::ReplayDiverged {
                number: record.number,
                expected: record.state_root,
                got: header.state_root,
            });
        }
        history.push_back(Arc::new(produced.block));
        if history.len() > history_blocks {
            history.pop_front();
        }
        offset = end;
    }
    if replayed > 0 {
        tracing::info!(
            from = snapshot_at,
            blocks = replayed,
            head = runtime.block_number(),
            "replayed the block log"
        );
    }
    Ok((runtime, history, offset, snapshot_at))
}

/// A produced block waiting for its log record to be synced before it is announced.
struct Produced {
    block: Arc<Block>,
    included: Vec<(u32, Entry)>,
    dropped: Vec<(Entry, String)>,
    /// The block's line in the archive, serialised beside the next block's initialisation
    /// when there is one before the group is flushed, by the flush otherwise.
    archived: OnceLock<Result<Vec<u8>, String>>,
}

struct Producer {
    shared: Arc<Shared>,
    store: Option<Store>,
    source: Option<Box<dyn TxSource>>,
    clock: Arc<dyn Clock>,
    block_time: Duration,
    block_time_ms: u64,
    finality_depth: u64,
    max_block_txs: usize,
    snapshot_every: u64,
    fast_forward_snapshot_gap: Duration,
    last_snapshot: BlockNumber,
    last_snapshot_at: Instant,
    log_offset: u64,
    last_timestamp: u64,
    unannounced: Vec<Produced>,
    /// The source's transactions for the next block, decided during the fast-forward while
    /// the last block's state root was computed (what it would decide at the block's start:
    /// the state is the same).
    decided: Option<Vec<SignedTransaction>>,
    fast_forwarding: bool,
    /// Where blocks are produced: the runtime's fork-join work (signature checks beside the
    /// block's initialisation, the state root beside the next block's decisions) runs on its
    /// threads, which live as long as the producer.
    pool: Option<Arc<rayon::ThreadPool>>,
}

/// Runs the pool's work offered to this thread until `done`: on a thread of the pool, the
/// halves the producer's forks offer, taken at once instead of by a worker woken for them.
/// Outside a pool it returns at once.
fn keep_busy(done: &AtomicBool) {
    crate::fork::poll_until(|| done.load(Ordering::Acquire));
}

/// Sets the flag when dropped: on return or unwinding alike.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The producer's thread pool: one thread per core, two to four (none if the system will
/// not give threads; the runtime then runs its fork-join work on the producer thread).
fn producer_pool() -> Option<Arc<rayon::ThreadPool>> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("localnet-block-{i}"))
        .build()
    {
        Ok(pool) => Some(Arc::new(pool)),
        Err(e) => {
            tracing::warn!("no thread pool for block production, producing on one thread: {e}");
            None
        }
    }
}

impl Producer {
    fn run(mut self, rx: std::sync::mpsc::Receiver<Command>) {
        let mut next_at = Instant::now() + self.block_time;
        let result: Result<(), NodeError> = loop {
            let command = if self.shared.production == BlockProduction::Interval {
                let now = Instant::now();
                if now >= next_at {
                    let ts = self.clock.now_ms().max(self.last_timestamp + self.block_time_ms);
                    if let Err(e) =
                        self.in_pool(|p| p.produce(ts, true, false).and_then(|()| p.flush()))
                    {
                        break Err(e);
                    }
                    next_at = Instant::now() + self.block_time;
                    continue;
                }
                match rx.recv_timeout(next_at - now) {
                    Ok(c) => c,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break Ok(()),
                }
            } else {
                match rx.recv() {
                    Ok(c) => c,
                    Err(_) => break Ok(()),
                }
            };
            match command {
                Command::Stop => break Ok(()),
                Command::Wake => {
                    if self.shared.production == BlockProduction::Instant && self.has_ready() {
                        let ts = self.clock.now_ms().max(self.last_timestamp + self.block_time_ms);
                        if let Err(e) =
                            self.in_pool(|p| p.produce(ts, true, false).and_then(|()| p.flush()))
                        {
                            break Err(e);
                        }
                    }
                }
                Command::Produce { blocks, reply } => {
                    match self.in_pool_busy(|p| p.fast_forward(blocks)) {
                        Ok(header) => {
                            let _ = reply.send(Ok(header));
                        }
                        Err(e) => {
                            let _ = reply.send(Err(e.to_string()));
                            break Err(e);
                        }
                    }
                    next_at = Instant::now() + self.block_time;
                }
            }
        };
        let result = result.and_then(|()| self.flush()).and_then(|()| self.snapshot(true));
        if let Err(e) = result {
            tracing::error!("block production stopped: {e}");
        }
        self.shared.stopped.store(true, Ordering::SeqCst);
        // Watchers of transactions that will never be included learn it.
        let mut pool = self.shared.pool();
        let hashes: Vec<Hash> = pool.pending().iter().map(SignedTransaction::hash).collect();
        for h in hashes {
            if let Some(mut e) = pool.remove(&h) {
                e.notify(&TxStatus::Dropped { reason: "the node stopped".into() });
            }
        }
    }

    /// Runs `f` on the producer's pool (on this thread if there is none).
    fn in_pool<R: Send>(&mut self, f: impl FnOnce(&mut Self) -> R + Send) -> R {
        match self.pool.clone() {
            Some(pool) => pool.install(|| f(self)),
            None => f(self),
        }
    }

    /// [`Producer::in_pool`] with a second thread of the pool kept awake meanwhile, taking
    /// the fork-join halves as soon as they are offered. A block is a few hundred
    /// microseconds: between two of its forks an idle worker falls asleep, and waking it
    /// costs a system call and its wake-up latency at every fork; for a fast-forward, one
    /// polling core is the cheaper price (it yields to anything else runnable, so a busy
    /// machine loses nothing). The poller stops when `f` returns or unwinds.
    fn in_pool_busy<R: Send>(&mut self, f: impl FnOnce(&mut Self) -> R + Send) -> R {
        if self.pool.is_none() {
            return f(self);
        }
        let done = AtomicBool::new(false);
        self.in_pool(|p| {
            let (result, ()) = rayon::join(
                || {
                    let _stop = SetOnDrop(&done);
                    f(p)
                },
                || keep_busy(&done),
            );
            result
        })
    }

    fn has_ready(&self) -> bool {
        let rt = self.shared.runtime.blocking_read();
        !self.shared.pool().select(1, |a| rt.account(a).nonce).is_empty()
    }

    fn fast_forward(&mut self, blocks: u64) -> Result<Header, NodeError> {
        self.fast_forwarding = true;
        let result = self.fast_forward_blocks(blocks);
        self.fast_forwarding = false;
        result
    }

    fn fast_forward_blocks(&mut self, blocks: u64) -> Result<Header, NodeError> {
        let mut batch_start = Instant::now();
        for remaining in (0..blocks).rev() {
            // A chain behind the wall clock catches up to it: the last block of the run is
            // stamped now and the ones before it a block time apart, so a simulated history
            // ends at the present (and "24h ago" is a day of blocks back).
            let caught_up =
                self.clock.now_ms().saturating_sub(remaining.saturating_mul(self.block_time_ms));
            let ts = self.last_timestamp.saturating_add(self.block_time_ms).max(caught_up);
            let number = self.shared.runtime.blocking_read().block_number().saturating_add(1);
            let snapshot_due = self.snapshot_due(number);
            // Blocks made faster than anyone reads them: no copies of their states. The next
            // block's transactions are decided beside this one's state root, unless this is
            // the last block or a snapshot (which saves the source's state) follows it.
            self.produce(ts, false, remaining > 0 && !snapshot_due)?;
            // A due snapshot ends the group too, so that it is written at once.
            if snapshot_due
                || self.unannounced.len() >= SYNC_BATCH
                || batch_start.elapsed() >= SYNC_INTERVAL
            {
                self.flush()?;
                batch_start = Instant::now();
            }
        }
        self.flush()?;
        let chain = self.shared.chain();
        chain.head().map(|b| b.header.clone()).ok_or(NodeError::Stopped)
    }

    /// Whether a snapshot is due after block `number`: every `snapshot_every` blocks, and in a
    /// fast-forward no sooner than `fast_forward_snapshot_gap` after the last one.
    fn snapshot_due(&self, number: BlockNumber) -> bool {
        number >= self.last_snapshot.saturating_add(self.snapshot_every)
            && (!self.fast_forwarding
                || self.last_snapshot_at.elapsed() >= self.fast_forward_snapshot_gap)
    }

    /// Produces one block and appends it to the log (not yet synced or announced). With
    /// `keep_previous`, the state before it joins the recent states clients may still query;
    /// with `decide_next`, the source decides the next block's transactions beside the state
    /// root.
    fn produce(
        &mut self,
        timestamp_ms: u64,
        keep_previous: bool,
        decide_next: bool,
    ) -> Result<(), NodeError> {
        if keep_previous {
            // Copied under the read lock (this thread is the only writer), so queries go on
            // meanwhile.
            let previous = Arc::new(self.shared.runtime.blocking_read().clone());
            let mut recent = self.shared.recent.lock().unwrap_or_else(PoisonError::into_inner);
            if recent.len() >= RECENT_STATES {
                recent.pop_front();
            }
            recent.push_back(previous);
        }
        let mut rt = self.shared.runtime.blocking_write();
        let decided = match self.decided.take() {
            Some(txs) => Some(txs),
            None => self.source.as_mut().map(|source| source.transactions_for_block(&rt)),
        };
        if let Some(txs) = decided {
            let mut pool = self.shared.pool();
            for tx in txs {
                // Trusted source: no signature check here; the runtime checks every
                // transaction at inclusion anyway and refused ones are dropped.
                let hash = tx.hash();
                if tx.nonce < rt.account(&tx.signer).nonce {
                    continue;
                }
                if let Err(e) = pool.insert(tx, hash, None) {
                    tracing::debug!(%hash, "simulation transaction refused: {e}");
                }
            }
        }
        let mut txs = self.shared.pool().select(self.max_block_txs, |a| rt.account(a).nonce);
        if shield::has_wrapper(&txs) {
            txs = self.unshield(txs, rt.block_number().saturating_add(1));
        }
        // The log keeps exactly what was offered, so a replay is the same call.
        let logged = if self.store.is_some() { txs.clone() } else { Vec::new() };
        let source = self.source.as_mut().filter(|_| decide_next);
        // The thread beside the initialisation has time to spare once it has checked the
        // signatures: it writes the previous block's archive line.
        let previous = self
            .unannounced
            .last()
            .filter(|_| self.store.is_some())
            .map(|p| (&p.block, &p.archived));
        let (produced, decided) = rt.produce_block_with(
            txs,
            timestamp_ms,
            || {
                if let Some((block, line)) = previous {
                    line.get_or_init(|| store::archive_line(block));
                }
            },
            |rt| source.map(|source| source.transactions_for_block(rt)),
        );
        self.decided = decided;
        let block = Arc::new(produced.block);
        let next = rt.block_number().saturating_add(1);
        let mut included = Vec::new();
        let mut dropped = Vec::new();
        {
            let mut pool = self.shared.pool();
            for ext in &block.extrinsics {
                if let Some(e) = pool.remove(&ext.hash) {
                    included.push((ext.index, e));
                }
            }
            for (hash, err) in produced.rejected {
                if let Some(e) = pool.remove(&hash) {
                    dropped.push((e, err.to_string()));
                }
            }
            dropped.extend(pool.prune(next, |a| rt.account(a).nonce));
        }
        drop(rt);
        if let Some(store) = self.store.as_mut() {
            self.log_offset = store.append(&LogRecord {
                number: block.header.number,
                timestamp_ms,
                txs: logged,
                state_root: block.header.state_root,
                block_hash: block.header.hash,
            })?;
        }
        self.last_timestamp = timestamp_ms;
        self.unannounced.push(Produced { block, included, dropped, archived: OnceLock::new() });
        Ok(())
    }

    /// `txs` with each MEV Shield wrapper followed by the transaction it carries, opened with
    /// this author's keys for block `number`. A wrapper that does not open still goes in, as
    /// on Subtensor: it is a valid transaction that pays its fee, but carries nothing.
    fn unshield(&self, txs: Vec<SignedTransaction>, number: BlockNumber) -> Vec<SignedTransaction> {
        let keys = self.shared.shield.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::with_capacity(txs.len() + 1);
        for tx in txs {
            let inner = match &tx.call {
                Call::SubmitEncrypted { ciphertext } => {
                    Some(keys.open(ciphertext).and_then(|bytes| {
                        let chain = self.shared.chain();
                        crate::substrate::extrinsic::submitted(
                            &bytes,
                            number,
                            self.shared.info.signing.genesis_hash,
                            |n| chain.by_number(n).map(|b| b.header.hash),
                        )
                        .map_err(|e| e.to_string())
                    }))
                }
                _ => None,
            };
            let wrapper = tx.hash();
            out.push(tx);
            match inner {
                Some(Ok(inner)) => out.push(inner),
                Some(Err(why)) => {
                    tracing::info!(%wrapper, "MEV Shield wrapper carries nothing usable: {why}");
                }
                None => {}
            }
        }
        out
    }

    /// Syncs the log, then announces every produced block, then snapshots if due.
    fn flush(&mut self) -> Result<(), NodeError> {
        if self.unannounced.is_empty() {
            return Ok(());
        }
        if let Some(store) = self.store.as_mut() {
            store.archive(
                self.unannounced
                    .iter()
                    .map(|p| p.archived.get_or_init(|| store::archive_line(&p.block))),
            )?;
            store.sync()?;
        }
        for produced in std::mem::take(&mut self.unannounced) {
            self.announce(produced);
        }
        self.snapshot(false)
    }

    fn announce(&self, produced: Produced) {
        let Produced { block, included, dropped, .. } = produced;
        let header = block.header.clone();
        let mut chain = self.shared.chain_mut();
        chain.blocks.push_back(block.clone());
        chain.by_hash.insert(header.hash, header.number);
        while chain.blocks.len() > self.shared.history_blocks {
            if let Some(old) = chain.blocks.pop_front() {
                chain.by_hash.remove(&old.header.hash);
            }
        }
        for (index, mut entry) in included {
            let result = block
                .extrinsics
                .iter()
                .find(|x| x.index == index)
                .map(|x| x.result.clone())
                .unwrap_or(Ok(()));
            let events = block
                .events
                .iter()
                .filter(|r| r.phase == Phase::ApplyExtrinsic(index))
                .cloned()
                .collect();
            entry.notify(&TxStatus::InBlock {
                number: header.number,
                block_hash: header.hash,
                index,
                result,
                events,
            });
            if !entry.watchers.is_empty() {
                chain
                    .awaiting_finality
                    .entry(header.number)
                    .or_default()
                    .push((header.hash, entry.watchers));
            }
        }
        for (mut entry, reason) in dropped {
            entry.notify(&TxStatus::Dropped { reason });
        }
        let _ = self.shared.blocks_tx.send(block);
        let target = header.number.saturating_sub(self.finality_depth).max(self.shared.start_block);
        while chain.finalized < target {
            chain.finalized += 1;
            let number = chain.finalized;
            if let Some(b) = chain.by_number(number) {
                let _ = self.shared.finalized_tx.send(b.header.clone());
            }
            if let Some(waiting) = chain.awaiting_finality.remove(&number) {
                for (block_hash, watchers) in waiting {
                    let status = TxStatus::Finalized { number, block_hash };
                    for w in watchers {
                        let _ = w.send(status.clone());
                    }
                }
            }
        }
    }

    fn snapshot(&mut self, force: bool) -> Result<(), NodeError> {
        let rt = self.shared.runtime.blocking_read();
        let number = rt.block_number();
        // Never between a block and the next one's decided transactions: the source's saved
        // state would have decided them, and a restart from it would not have them.
        let due = self.snapshot_due(number) && self.decided.is_none();
        if number == self.last_snapshot || !(due || force) {
            return Ok(());
        }
        let Some(store) = self.store.as_mut() else { return Ok(()) };
        let bytes = rt.snapshot();
        let root = rt.state_root();
        drop(rt);
        match bytes {
            Ok(bytes) => {
                let source = self.source.as_ref().and_then(|s| s.save());
                store.write_snapshot(number, root, self.log_offset, bytes, source)?;
                tracing::debug!(block = number, "snapshot written");
            }
            // A snapshot only shortens recovery: the synced block log stays authoritative, so
            // production goes on and recovery replays from the previous snapshot. Nothing is
            // written: an empty file would be a snapshot that never restores. The next try
            // waits for the next interval rather than failing again on every block.
            Err(e) => tracing::error!(block = number, "snapshot skipped: {e}"),
        }
        self.last_snapshot = number;
        self.last_snapshot_at = Instant::now();
        Ok(())
    }
}

/// Validates a transaction against the state and puts it into the pool.
fn admit(
    rt: &Runtime,
    pool: &mut Pool,
    tx: SignedTransaction,
    hash: Hash,
    watcher: Option<Watcher>,
) -> Result<(), TxValidityError> {
    if pool.contains(&hash) {
        return Err(TxValidityError::AlreadyImported);
    }
    let expected = rt.account(&tx.signer).nonce;
    match rt.validate(&tx) {
        Ok(()) => {}
        Err(TxValidityError::Future { .. }) => {}
        Err(e) => return Err(e),
    }
    if tx.nonce > expected.saturating_add(MAX_FUTURE_NONCES) {
        return Err(TxValidityError::Future { got: tx.nonce, expected });
    }
    if let Some(mut old) = pool.insert(tx, hash, watcher)? {
        old.notify(&TxStatus::Dropped {
            reason: "replaced by a transaction with the same nonce and a higher tip".into(),
        });
    }
    Ok(())
}

impl NodeHandle {
    fn ensure_running(&self) -> Result<(), NodeError> {
        if self.shared.stopped.load(Ordering::SeqCst) { Err(NodeError::Stopped) } else { Ok(()) }
    }

    /// Name, signing context, block time, finality depth.
    pub fn info(&self) -> ChainInfo {
        self.shared.info.clone()
    }

    /// What transactions must be signed for.
    pub fn signing_context(&self) -> SigningContext {
        self.shared.info.signing
    }

    /// The announced head.
    pub fn head(&self) -> Header {
        let chain = self.shared.chain();
        chain.head().map(|b| b.header.clone()).unwrap_or_else(|| Header {
            number: 0,
            hash: Hash::default(),
            parent_hash: Hash::default(),
            state_root: Hash::default(),
            extrinsics_root: Hash::default(),
            timestamp_ms: 0,
        })
    }

    /// The last finalized block number.
    pub fn finalized_number(&self) -> BlockNumber {
        self.shared.chain().finalized
    }

    /// A block by reference. Only the last `history_blocks` blocks are kept.
    pub fn block(&self, at: BlockRef) -> Result<Arc<Block>, NodeError> {
        let chain = self.shared.chain();
        let found = match at {
            BlockRef::Head => chain.head(),
            BlockRef::Finalized => chain.by_number(chain.finalized),
            BlockRef::Number(n) => chain.by_number(n),
            BlockRef::Hash(h) => chain.by_hash.get(&h).and_then(|n| chain.by_number(*n)),
        };
        if let Some(b) = found {
            return Ok(b.clone());
        }
        let head = chain.head().map(|b| b.header.number).unwrap_or(0);
        let oldest = chain.blocks.front().map(|b| b.header.number).unwrap_or(0);
        Err(NodeError::NotFound(match at {
            BlockRef::Number(n) if n > head => {
                format!("block {n} does not exist yet; the head is {head}")
            }
            BlockRef::Number(n) => format!(
                "block {n} is no longer kept in memory; this node serves blocks {oldest}..={head}"
            ),
            BlockRef::Hash(h) => format!(
                "no block with hash {h} among the blocks this node keeps ({oldest}..={head})"
            ),
            _ => "no block yet".into(),
        }))
    }

    /// A header by reference.
    pub fn header(&self, at: BlockRef) -> Result<Header, NodeError> {
        self.block(at).map(|b| b.header.clone())
    }

    /// `MevShield.NextKey`: the ML-KEM-768 key this node, as block author, decrypts MEV Shield
    /// wrappers with (see `node::shield`).
    pub fn shield_next_key(&self) -> Vec<u8> {
        let head = self.head().number;
        self.shared.shield.lock().unwrap_or_else(PoisonError::into_inner).next_key(head)
    }

    /// A submitted Subtensor v4 extrinsic (length-prefixed) as the transaction the pool takes,
    /// checked as Substrate checks it: in the block being built, on top of the head.
    pub fn read_extrinsic(&self, bytes: &[u8]) -> Result<SignedTransaction, TxValidityError> {
        let current = self.head().number.saturating_add(1);
        crate::substrate::extrinsic::submitted(
            bytes,
            current,
            self.signing_context().genesis_hash,
            |n| self.header(BlockRef::Number(n)).ok().map(|h| h.hash),
        )
    }

    /// The state root after the last produced block.
    pub async fn state_root(&self) -> Hash {
        self.shared.runtime.read().await.state_root()
    }

    /// Free TAO and next nonce.
    pub async fn account(&self, who: &AccountId) -> AccountInfo {
        self.shared.runtime.read().await.account(who)
    }

    /// Every subnet, root included.
    pub async fn subnets(&self) -> Vec<SubnetInfo> {
        self.shared.runtime.read().await.subnets()
    }

    /// One subnet.
    pub async fn subnet(&self, netuid: NetUid) -> Result<SubnetInfo, NodeError> {
        self.shared
            .runtime
            .read()
            .await
            .subnet(netuid)
            .ok_or_else(|| NodeError::NotFound(format!("subnet {netuid} does not exist")))
    }

    /// A subnet's neurons.
    pub async fn neurons(&self, netuid: NetUid) -> Result<Vec<NeuronInfo>, NodeError> {
        self.shared
            .runtime
            .read()
            .await
            .neurons(netuid)
            .ok_or_else(|| NodeError::NotFound(format!("subnet {netuid} does not exist")))
    }

    /// A coldkey's stakes.
    pub async fn stakes(&self, coldkey: &AccountId) -> Vec<StakeInfo> {
        self.shared.runtime.read().await.stakes(coldkey)
    }

    /// What a swap would do now.
    pub async fn quote(
        &self,
        netuid: NetUid,
        side: Side,
        amount: u64,
    ) -> Result<SwapOutcome, NodeError> {
        self.shared.runtime.read().await.quote(netuid, side, amount).map_err(NodeError::Swap)
    }

    /// The fee `call` would pay.
    pub async fn estimate_fee(&self, call: &Call) -> u64 {
        self.shared.runtime.read().await.estimate_fee(call)
    }

    /// Runs `f` on the runtime under its read lock (keep it short).
    pub async fn with_runtime<R>(&self, f: impl FnOnce(&Runtime) -> R) -> R {
        let rt = self.shared.runtime.read().await;
        f(&rt)
    }

    /// Runs `f` on the state whose root is `state_root`: the head's (also for `None`), or one
    /// of the [`RECENT_STATES`] before it; `None` when the node no longer keeps that state.
    pub async fn with_state<R>(
        &self,
        state_root: Option<Hash>,
        f: impl FnOnce(&Runtime) -> R,
    ) -> Option<R> {
        let rt = self.shared.runtime.read().await;
        if state_root.is_none_or(|root| root == rt.state_root()) {
            return Some(f(&rt));
        }
        drop(rt);
        let root = state_root?;
        let recent = self.shared.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let old = recent.iter().rev().find(|r| r.state_root() == root).cloned();
        drop(recent);
        old.map(|rt| f(&rt))
    }

    /// Transactions waiting in the pool.
    pub fn pending(&self) -> Vec<SignedTransaction> {
        self.shared.pool().pending()
    }

    /// Submits a transaction: validated against the state, then pooled.
    pub async fn submit(&self, tx: SignedTransaction) -> Result<Hash, NodeError> {
        self.admit(tx, None).await
    }

    /// Submits a transaction and follows it: `Ready`, `InBlock`, `Finalized`, or `Dropped`.
    pub async fn submit_and_watch(
        &self,
        tx: SignedTransaction,
    ) -> Result<(Hash, mpsc::UnboundedReceiver<TxStatus>), NodeError> {
        let (watcher, statuses) = mpsc::unbounded_channel();
        let hash = tx.hash();
        // Queued before the transaction can be included, so it always comes first.
        let _ = watcher.send(TxStatus::Ready { hash });
        self.admit(tx, Some(watcher)).await?;
        Ok((hash, statuses))
    }

    async fn admit(
        &self,
        tx: SignedTransaction,
        watcher: Option<Watcher>,
    ) -> Result<Hash, NodeError> {
        self.ensure_running()?;
        let hash = tx.hash();
        {
            let rt = self.shared.runtime.read().await;
            let mut pool = self.shared.pool();
            admit(&rt, &mut pool, tx, hash, watcher)?;
        }
        if self.shared.production == BlockProduction::Instant {
            let _ = self.shared.commands.send(Command::Wake);
        }
        Ok(hash)
    }

    /// New blocks as they are announced.
    pub fn subscribe_blocks(&self) -> broadcast::Receiver<Arc<Block>> {
        self.shared.blocks_tx.subscribe()
    }

    /// Finalized headers as finality advances.
    pub fn subscribe_finalized(&self) -> broadcast::Receiver<Header> {
        self.shared.finalized_tx.subscribe()
    }

    /// Produces one block now (any mode) and returns its header.
    pub async fn produce_block(&self) -> Result<Header, NodeError> {
        self.fast_forward(1).await
    }

    /// Produces `blocks` blocks as fast as possible, timestamps `block_time` apart, and
    /// returns the new head.
    pub async fn fast_forward(&self, blocks: u64) -> Result<Header, NodeError> {
        self.ensure_running()?;
        let (reply, answer) = oneshot::channel();
        self.shared
            .commands
            .send(Command::Produce { blocks, reply })
            .map_err(|_| NodeError::Stopped)?;
        match answer.await {
            Ok(Ok(h)) => Ok(h),
            Ok(Err(message)) => {
                Err(NodeError::Corrupt { path: PathBuf::from("<node>"), what: message })
            }
            Err(_) => Err(NodeError::Stopped),
        }
    }
}
