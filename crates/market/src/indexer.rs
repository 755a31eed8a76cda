//! The indexer: chain → store, through `Arc<dyn Chain>` only.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, RwLock};

use chain::{AccountId, Block, BlockId, BlockNumber, Chain, Hash, NetUid, SubnetInfo};
use dtao::amm::{CurveKind, Pool, Reserves};
use futures::StreamExt;
use tokio::sync::{Mutex, broadcast, watch};

use crate::decode::decode_block;
use crate::error::{MarketError, Result};
use crate::feed::{self, FeedConfig};
use crate::store::{Batch, Store};
use crate::types::{BlockRow, Candle, FeedEvent, Interval, PoolState, Trade, TradeKind};

/// Indexer settings.
#[derive(Debug, Clone)]
pub struct IndexerConfig {
    /// Blocks per write transaction during backfill (default 2048).
    pub batch_blocks: usize,
    /// Blocks fetched from the chain concurrently (default 64).
    pub fetch_concurrency: usize,
    /// Feed thresholds.
    pub feed: FeedConfig,
    /// On a fresh store, read every subnet's neurons once to learn holder coldkeys whose
    /// stakes predate the index (default true).
    pub discover_holders: bool,
    /// First block to index into an empty store (default: the oldest block the chain serves).
    pub start_block: Option<BlockNumber>,
}

impl Default for IndexerConfig {
    fn default() -> Self {
        Self {
            batch_blocks: 2048,
            fetch_concurrency: 64,
            feed: FeedConfig::default(),
            discover_holders: true,
            start_block: None,
        }
    }
}

/// How far the indexer is. `done`/`total` count blocks of the current catch-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Blocks stored in the current catch-up.
    pub done: u64,
    /// Blocks the current catch-up has to store.
    pub total: u64,
    /// Highest stored (finalized) block.
    pub last_stored: Option<BlockNumber>,
    /// Highest finalized block seen.
    pub finalized: BlockNumber,
    /// True once caught up and following new finalized heads.
    pub following: bool,
}

/// The unfinalized head as last read from the chain: "live" numbers that may still change.
/// Never stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TipView {
    /// Head block number.
    pub block: BlockNumber,
    /// Head block hash.
    pub hash: Hash,
    /// Timestamp of the head, Unix ms.
    pub timestamp_ms: u64,
    /// Every subnet's pool at the head.
    pub states: Vec<PoolState>,
    /// Always false: the tip is not final.
    pub finalized: bool,
}

/// Shared handle to the live tip.
pub type SharedTip = Arc<RwLock<Option<TipView>>>;

struct Snapshot {
    hash: Hash,
    infos: Vec<SubnetInfo>,
}

/// (price, emission share) per subnet at one block.
type PriceShares = BTreeMap<NetUid, (u64, u64)>;

#[derive(Default)]
struct Tracker {
    loaded: bool,
    last: Option<(BlockNumber, Hash)>,
    states: BTreeMap<NetUid, PoolState>,
    pools: BTreeMap<NetUid, (u16, CurveKind)>,
    names: BTreeMap<NetUid, String>,
    window: VecDeque<(BlockNumber, PriceShares)>,
    last_burn: BTreeMap<NetUid, u64>,
    snapshots: BTreeMap<BlockNumber, Snapshot>,
    dirty: BTreeSet<AccountId>,
    discovered: bool,
}

/// Converts a chain view into a stored state.
pub fn state_of(info: &SubnetInfo) -> PoolState {
    PoolState {
        netuid: info.netuid,
        tao_reserve: info.pool.tao_reserve,
        alpha_in: info.pool.alpha_in,
        alpha_out: info.pool.alpha_out,
        price: info.pool.price,
        moving_price: info.pool.moving_price,
        emission_share_ppb: info.emission_share_ppb,
        tao_emission: info.tao_emission,
        exact: true,
    }
}

/// Derives a subnet's state at the end of a block the indexer did not see the chain's state
/// for: the previous state with the block's trades applied to the reserves (the price moves by
/// the curve's response to them) and the last known per-block TAO emission injected at the
/// current price. Marked `exact: false`.
pub fn derive_state(
    prev: &PoolState,
    pool: Option<&(u16, CurveKind)>,
    trades: &[&Trade],
) -> PoolState {
    let mut s = PoolState { exact: false, ..*prev };
    let mut r = Reserves { tao: s.tao_reserve, alpha: s.alpha_in };
    let before = r;
    for t in trades {
        for (netuid, flow) in t.flows() {
            if netuid != s.netuid {
                continue;
            }
            let (alpha_in, alpha_out) = if t.kind == TradeKind::Buy {
                (t.alpha, 0)
            } else if t.kind == TradeKind::Sell || netuid == t.netuid {
                (0, t.alpha)
            } else {
                (t.alpha_dest, 0)
            };
            if flow > 0 {
                let net_tao = if t.kind == TradeKind::Buy || netuid != t.netuid {
                    t.tao.saturating_sub(t.fee_tao)
                } else {
                    t.tao
                };
                r.tao = r.tao.saturating_add(net_tao);
                r.alpha = r.alpha.saturating_sub(alpha_in);
                s.alpha_out = s.alpha_out.saturating_add(alpha_in);
            } else {
                r.tao = r.tao.saturating_sub(t.tao);
                r.alpha = r.alpha.saturating_add(alpha_out);
                s.alpha_out = s.alpha_out.saturating_sub(alpha_out);
            }
        }
    }
    if r != before {
        let curve = pool.map(|p| p.1.clone()).unwrap_or_default();
        let fee_rate = pool.map_or(dtao::amm::DEFAULT_FEE_RATE, |p| p.0);
        let p0 = Pool { reserves: before, fee_rate, curve: curve.clone() }.spot_price_rao();
        let p1 = Pool { reserves: r, fee_rate, curve }.spot_price_rao();
        if p0 > 0 {
            let scaled = u128::from(s.price) * u128::from(p1) / u128::from(p0);
            s.price = u64::try_from(scaled).unwrap_or(u64::MAX);
        } else {
            s.price = p1;
        }
    }
    if s.tao_emission > 0 && r.tao > 0 {
        let alpha_add = u128::from(s.tao_emission) * u128::from(r.alpha) / u128::from(r.tao);
        r.tao = r.tao.saturating_add(s.tao_emission);
        r.alpha = r.alpha.saturating_add(u64::try_from(alpha_add).unwrap_or(0));
    }
    s.tao_reserve = r.tao;
    s.alpha_in = r.alpha;
    s
}

/// Follows a chain into a store.
pub struct Indexer {
    chain: Arc<dyn Chain>,
    store: Store,
    config: IndexerConfig,
    progress: watch::Sender<Progress>,
    feed: broadcast::Sender<FeedEvent>,
    tip: SharedTip,
    tracker: Mutex<Tracker>,
}

impl Indexer {
    /// A new indexer. Nothing runs until [`Indexer::sync`] or [`Indexer::run`].
    pub fn new(chain: Arc<dyn Chain>, store: Store, config: IndexerConfig) -> Self {
        let (progress, _) = watch::channel(Progress::default());
        let (feed, _) = broadcast::channel(4096);
        Self {
            chain,
            store,
            config,
            progress,
            feed,
            tip: Arc::new(RwLock::new(None)),
            tracker: Mutex::new(Tracker::default()),
        }
    }

    /// Progress updates (for a progress bar).
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// Live feed events, pushed as blocks are stored.
    pub fn subscribe(&self) -> broadcast::Receiver<FeedEvent> {
        self.feed.subscribe()
    }

    /// The sender behind [`Indexer::subscribe`], for the read API to hand out receivers.
    pub fn feed_sender(&self) -> broadcast::Sender<FeedEvent> {
        self.feed.clone()
    }

    /// The live (unfinalized) tip view.
    pub fn tip(&self) -> SharedTip {
        self.tip.clone()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Reads every subnet's state at the current head, if the head does not move while it is
    /// read, and keeps it until that block is finalized and stored (the exact per-block state).
    pub async fn observe_head(&self) -> Result<()> {
        let h1 = self.chain.header(BlockId::Head).await?;
        let infos = self.chain.subnets().await?;
        let h2 = self.chain.header(BlockId::Head).await?;
        if h1.hash != h2.hash {
            return Ok(());
        }
        let mut states: Vec<PoolState> = infos.iter().map(state_of).collect();
        states.sort_by_key(|s| s.netuid);
        if let Ok(mut tip) = self.tip.write() {
            *tip = Some(TipView {
                block: h1.number,
                hash: h1.hash,
                timestamp_ms: h1.timestamp_ms,
                states,
                finalized: false,
            });
        }
        let mut t = self.tracker.lock().await;
        if t.last.is_none_or(|(n, _)| h1.number > n) {
            t.snapshots.insert(h1.number, Snapshot { hash: h1.hash, infos });
        }
        Ok(())
    }

    async fn load(&self, t: &mut Tracker) -> Result<()> {
        if t.loaded {
            return Ok(());
        }
        let snapshots = std::mem::take(&mut t.snapshots);
        let dirty = std::mem::take(&mut t.dirty);
        *t = Tracker { snapshots, dirty, ..Tracker::default() };
        for (info, _) in self.store.subnets().await? {
            t.pools.insert(info.netuid, (info.pool.fee_rate, info.pool.curve.clone()));
            t.names.insert(info.netuid, info.identity.name.clone());
        }
        if let Some(last) = self.store.last_block().await? {
            let row = self.store.block(last).await?.ok_or_else(|| {
                MarketError::Db(db::row::bad_row("blocks", format!("block {last} missing")))
            })?;
            t.last = Some((last, row.hash));
            let window = self.config.feed.window_blocks;
            for (n, states) in self.store.states_range(last.saturating_sub(window), last).await? {
                t.window.push_back((
                    n,
                    states.iter().map(|s| (s.netuid, (s.price, s.emission_share_ppb))).collect(),
                ));
                if n == last {
                    t.states = states.into_iter().map(|s| (s.netuid, s)).collect();
                }
            }
            t.last_burn = self.store.last_burns().await?;
            t.discovered = true;
        }
        t.loaded = true;
        Ok(())
    }

    /// Stores every finalized block not yet stored (from the last stored block, or genesis),
    /// in batches. Returns the number of blocks stored.
    pub async fn sync(&self) -> Result<u64> {
        let finalized = self.chain.header(BlockId::Finalized).await?.number;
        let mut t = self.tracker.lock().await;
        if let Err(e) = self.load(&mut t).await {
            t.loaded = false;
            return Err(e);
        }
        let start = match t.last {
            Some((n, _)) => n + 1,
            None => self.first_available(finalized).await?,
        };
        let total = (finalized + 1).saturating_sub(start);
        self.progress.send_modify(|p| {
            p.done = 0;
            p.total = total;
            p.finalized = finalized;
            p.last_stored = t.last.map(|l| l.0);
        });
        let mut done = 0u64;
        let mut next = start;
        let batch_blocks = self.config.batch_blocks.max(1) as u64;
        // Pipelined: while one batch is written (SQLite works on its own thread), the next is
        // fetched and built. The tracker runs ahead of the store by at most one batch; any
        // failure makes the next call reload it from the store.
        let mut pending: Option<(Batch, Vec<FeedEvent>, BlockNumber, u64)> = None;
        while next <= finalized || pending.is_some() {
            let tracker = &mut *t;
            let build = async {
                if next > finalized {
                    return Ok(None);
                }
                let end = finalized.min(next + batch_blocks - 1);
                let chain = self.chain.clone();
                let blocks: Vec<chain::ChainResult<Block>> = futures::stream::iter(next..=end)
                    .map(|n| {
                        let chain = chain.clone();
                        async move { chain.block(BlockId::Number(n)).await }
                    })
                    .buffered(self.config.fetch_concurrency.max(1))
                    .collect()
                    .await;
                let blocks = blocks.into_iter().collect::<chain::ChainResult<Vec<_>>>()?;
                let (batch, feed) = self.build_batch(tracker, &blocks)?;
                Ok::<_, MarketError>(Some((batch, feed, end, end + 1 - next)))
            };
            let write = async {
                match &pending {
                    Some((batch, ..)) => self.store.write_batch(batch).await,
                    None => Ok(()),
                }
            };
            let (built, written) = tokio::join!(build, write);
            if let Err(e) = written {
                t.loaded = false;
                return Err(e);
            }
            if let Some((_, feed, end, count)) = pending.take() {
                t.snapshots = t.snapshots.split_off(&(end + 1));
                for ev in feed {
                    let _ = self.feed.send(ev);
                }
                done += count;
                self.progress.send_modify(|p| {
                    p.done = done;
                    p.last_stored = Some(end);
                });
            }
            match built {
                Ok(Some(b)) => {
                    next = b.2 + 1;
                    pending = Some(b);
                }
                Ok(None) => {}
                Err(e) => {
                    t.loaded = false;
                    return Err(e);
                }
            }
        }
        self.refresh_stakes(&mut t).await?;
        Ok(done)
    }

    /// The first block to index into an empty store: the configured start, else the oldest
    /// block the chain serves (genesis on a young chain; a node may keep only recent history,
    /// and a localnet's genesis need not be block 0). A configured start before the oldest
    /// served block (a day back on a chain younger than a day) starts at that block instead.
    async fn first_available(&self, finalized: BlockNumber) -> Result<BlockNumber> {
        let serves = |n: BlockNumber| async move {
            match self.chain.header(BlockId::Number(n)).await {
                Ok(_) => Ok(true),
                Err(chain::ChainError::NotFound(_)) => Ok(false),
                Err(e) => Err(MarketError::from(e)),
            }
        };
        let from = self.config.start_block.unwrap_or(0);
        // A start not reached yet waits for the chain to get there.
        if from > finalized || serves(from).await? {
            return Ok(from);
        }
        // Served blocks are a suffix [first, finalized]: binary search for its start.
        let (mut lo, mut hi) = (from, finalized);
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2;
            if serves(mid).await? {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        if self.config.start_block.is_some() {
            tracing::info!(asked = from, first = hi, "the chain serves nothing before block {hi}");
        }
        Ok(hi)
    }

    async fn refresh_stakes(&self, t: &mut Tracker) -> Result<()> {
        if !t.discovered && self.config.discover_holders {
            if let Some(snap) = t.snapshots.values().next_back().or(None) {
                let netuids: Vec<NetUid> = snap.infos.iter().map(|i| i.netuid).collect();
                for netuid in netuids {
                    for n in self.chain.neurons(netuid).await? {
                        t.dirty.insert(n.coldkey);
                    }
                }
            } else {
                for info in self.chain.subnets().await? {
                    for n in self.chain.neurons(info.netuid).await? {
                        t.dirty.insert(n.coldkey);
                    }
                }
            }
            t.discovered = true;
        }
        if t.dirty.is_empty() {
            return Ok(());
        }
        let head = self.chain.header(BlockId::Head).await?.number;
        let dirty = std::mem::take(&mut t.dirty);
        let mut all = Vec::with_capacity(dirty.len());
        for coldkey in dirty {
            all.push((coldkey, self.chain.stakes(coldkey).await?));
        }
        self.store.replace_stakes_many(&all, head).await
    }

    fn build_batch(&self, t: &mut Tracker, blocks: &[Block]) -> Result<(Batch, Vec<FeedEvent>)> {
        let cfg = &self.config.feed;
        let mut batch = Batch::default();
        let mut candles: BTreeMap<(NetUid, BlockNumber), Candle> = BTreeMap::new();
        let mut feed_out = Vec::new();
        for block in blocks {
            let h = &block.header;
            if let Some((n, hash)) = t.last {
                if h.number != n + 1 {
                    return Err(MarketError::NotContiguous { got: h.number, expected: n + 1 });
                }
                if h.parent_hash != hash {
                    return Err(MarketError::ChainMismatch {
                        block: h.number,
                        got: h.parent_hash.to_hex(),
                        expected: hash.to_hex(),
                    });
                }
            }
            let decoded = decode_block(block);
            for c in &decoded.changes {
                if c.kind == crate::types::ChangeKind::Deregistered {
                    t.states.remove(&c.netuid);
                    batch.removed_subnets.push(c.netuid);
                }
                if c.kind == crate::types::ChangeKind::Identity
                    && let Some(name) = c.value.get("name").and_then(|v| v.as_str())
                {
                    t.names.insert(c.netuid, name.to_string());
                }
            }
            // Pool states: exact if the head was read at this very block, else derived.
            let exact = t.snapshots.get(&h.number).filter(|s| s.hash == h.hash);
            if let Some(snap) = exact {
                let mut fresh = BTreeMap::new();
                for info in &snap.infos {
                    fresh.insert(info.netuid, state_of(info));
                    t.pools.insert(info.netuid, (info.pool.fee_rate, info.pool.curve.clone()));
                    t.names.insert(info.netuid, info.identity.name.clone());
                    batch.add_subnet(info.clone(), h.number);
                }
                t.states = fresh;
            } else if t.states.is_empty()
                && let Some(later) =
                    t.snapshots.range(h.number..).next().map(|(_, s)| s.infos.clone())
            {
                // Nothing known before this block (the first blocks of a fresh index, produced
                // before the indexer first read the head): start from the nearest later head,
                // marked derived, rather than store an empty market for them.
                let mut seeded = BTreeMap::new();
                for info in &later {
                    seeded.insert(info.netuid, PoolState { exact: false, ..state_of(info) });
                    t.pools.insert(info.netuid, (info.pool.fee_rate, info.pool.curve.clone()));
                    t.names.insert(info.netuid, info.identity.name.clone());
                    batch.add_subnet(info.clone(), h.number);
                }
                t.states = seeded;
            } else {
                let mut by_net: BTreeMap<NetUid, Vec<&Trade>> = BTreeMap::new();
                for tr in &decoded.trades {
                    for (netuid, _) in tr.flows() {
                        by_net.entry(netuid).or_default().push(tr);
                    }
                }
                for (netuid, s) in t.states.iter_mut() {
                    let trades = by_net.get(netuid).map(Vec::as_slice).unwrap_or(&[]);
                    *s = derive_state(s, t.pools.get(netuid), trades);
                }
            }
            let states: Vec<PoolState> = t.states.values().copied().collect();
            // Candles.
            let bucket = Interval::H1.bucket_start(h.number);
            for s in &states {
                candles
                    .entry((s.netuid, bucket))
                    .and_modify(|c| c.push_price(s.price))
                    .or_insert_with(|| Candle::flat(bucket, s.price));
            }
            for tr in &decoded.trades {
                for (netuid, flow) in tr.flows() {
                    let c = candles
                        .entry((netuid, bucket))
                        .or_insert_with(|| Candle::flat(bucket, tr.price));
                    let v = u64::try_from(flow.unsigned_abs()).unwrap_or(u64::MAX);
                    if flow > 0 {
                        c.buy_volume = c.buy_volume.saturating_add(v);
                    } else {
                        c.sell_volume = c.sell_volume.saturating_add(v);
                    }
                    c.trades = c.trades.saturating_add(1);
                }
                t.dirty.insert(tr.coldkey);
                if let Some(d) = tr.dest_coldkey {
                    t.dirty.insert(d);
                }
            }
            // Feed.
            let mut drafts = feed::whale_trades(&decoded.trades, cfg, &t.names);
            let now: BTreeMap<NetUid, (u64, u64)> =
                states.iter().map(|s| (s.netuid, (s.price, s.emission_share_ppb))).collect();
            if cfg.window_blocks > 0
                && h.number.is_multiple_of(cfg.window_blocks)
                && h.number >= cfg.window_blocks
            {
                let then_block = h.number - cfg.window_blocks;
                if let Some((_, then)) = t.window.iter().find(|(n, _)| *n == then_block) {
                    for (netuid, (price, share)) in &now {
                        if let Some((p0, s0)) = then.get(netuid) {
                            drafts.extend(feed::price_move(*netuid, *p0, *price, cfg, &t.names));
                            drafts.extend(feed::share_jump(*netuid, *s0, *share, cfg, &t.names));
                        }
                    }
                }
            }
            for e in &decoded.emissions {
                drafts.extend(feed::burn_change(t.last_burn.get(&e.netuid).copied(), e, &t.names));
                t.last_burn.insert(e.netuid, e.owner_miner_burned);
            }
            for c in &decoded.changes {
                drafts.extend(feed::change_event(c, &t.names));
            }
            for (seq, d) in drafts.into_iter().enumerate() {
                let ev = d.finish(h.number, u32::try_from(seq).unwrap_or(u32::MAX), h.timestamp_ms);
                feed_out.push(ev);
            }
            t.window.push_back((h.number, now));
            while t.window.front().is_some_and(|(n, _)| *n + cfg.window_blocks < h.number) {
                t.window.pop_front();
            }
            batch.blocks.push(BlockRow {
                number: h.number,
                hash: h.hash,
                parent_hash: h.parent_hash,
                timestamp_ms: h.timestamp_ms,
                extrinsic_count: u32::try_from(block.extrinsics.len()).unwrap_or(u32::MAX),
                event_count: u32::try_from(block.events.len()).unwrap_or(u32::MAX),
            });
            batch.states.push(states);
            batch.trades.extend(decoded.trades);
            batch.emissions.extend(decoded.emissions);
            batch.changes.extend(decoded.changes);
            t.last = Some((h.number, h.hash));
        }
        batch.candles_h1 = candles.into_iter().map(|((n, _), c)| (n, c)).collect();
        batch.feed = feed_out.clone();
        Ok((batch, feed_out))
    }

    /// Catches up, then follows: every new best head is read for its exact state, every new
    /// finalized head triggers storing what became final (filling skipped numbers). Returns
    /// when `shutdown` turns true or the chain's subscriptions end.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> Result<()> {
        let mut heads = self.chain.subscribe_heads().await?;
        let mut finalized = self.chain.subscribe_finalized().await?;
        self.observe_head().await?;
        self.sync().await?;
        self.progress.send_modify(|p| p.following = true);
        loop {
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return Ok(());
                    }
                }
                head = heads.next() => match head {
                    Some(Ok(_)) => self.observe_head().await?,
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
                fin = finalized.next() => match fin {
                    Some(Ok(_)) => {
                        self.sync().await?;
                        self.progress.send_modify(|p| p.following = true);
                    }
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
            }
        }
    }
}
