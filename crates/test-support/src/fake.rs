//! The one scripted [`Chain`] fake for the faces' tests and benches: blocks appended by the
//! test (or built up front and revealed by moving the head), subnets, stakes and neurons set
//! by the test, heads and finalized heads broadcast as blocks are added. It refuses to quote
//! and to take transactions: tests that need those run an in-process localnet.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chain::{
    AccountId, AccountInfo, Block, BlockId, Call, Chain, ChainError, ChainInfo, ChainResult, Event,
    EventRecord, Hash, Header, NetUid, NeuronInfo, Phase, Side, SigningContext, StakeInfo,
    SubnetInfo, SwapOutcome, TxStatus,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::broadcast;

/// The timestamp of block 0, Unix ms; each block is 12 s later.
pub const GENESIS_TS_MS: u64 = 1_700_000_000_000;

/// The fake's header of block `number`: its hash is the hash of the number, so a block's
/// parent hash is known without the parent.
pub fn header(number: u64) -> Header {
    let hash_of = |n: u64| Hash::of(&n.to_le_bytes());
    Header {
        number,
        hash: hash_of(number),
        parent_hash: number.checked_sub(1).map(hash_of).unwrap_or_default(),
        state_root: Hash::default(),
        extrinsics_root: Hash::default(),
        timestamp_ms: GENESIS_TS_MS + number * 12_000,
    }
}

#[derive(Debug, Default)]
struct State {
    blocks: Vec<Block>,
    /// When set, the head is this block (clamped to the last one) rather than the last.
    head: Option<u64>,
    subnets: Vec<SubnetInfo>,
    stakes: BTreeMap<AccountId, Vec<StakeInfo>>,
    neurons: BTreeMap<NetUid, Vec<NeuronInfo>>,
    /// Neurons of every subnet without its own list (their `netuid` set on the way out).
    neurons_everywhere: Vec<NeuronInfo>,
}

impl State {
    fn head(&self) -> u64 {
        let last = u64::try_from(self.blocks.len()).unwrap_or(u64::MAX).saturating_sub(1);
        self.head.map_or(last, |h| h.min(last))
    }
}

/// A scripted chain (see the module docs).
#[derive(Debug)]
pub struct FakeChain {
    state: Mutex<State>,
    /// New heads to subscribers (tests may also send on it directly).
    pub heads: broadcast::Sender<Header>,
    /// Newly finalized heads to subscribers.
    pub finalized: broadcast::Sender<Header>,
    finality_depth: u64,
}

impl FakeChain {
    /// A chain at genesis block 0 with these subnets; finality two blocks behind the head.
    pub fn new(subnets: Vec<SubnetInfo>) -> Self {
        let genesis = Block { header: header(0), extrinsics: vec![], events: vec![] };
        Self {
            state: Mutex::new(State { blocks: vec![genesis], subnets, ..State::default() }),
            heads: broadcast::channel(1 << 16).0,
            finalized: broadcast::channel(1 << 16).0,
            finality_depth: 2,
        }
    }

    /// Finality `depth` blocks behind the head.
    pub fn with_finality_depth(mut self, depth: u64) -> Self {
        self.finality_depth = depth;
        self
    }

    /// Appends a block with these (extrinsic index, event) pairs, sets the subnets' state at it,
    /// broadcasts it (and the block that became final); returns its number.
    pub fn produce(&self, events: Vec<(Option<u32>, Event)>, subnets: Vec<SubnetInfo>) -> u64 {
        let number = self.next_number();
        let records = events
            .into_iter()
            .map(|(i, event)| EventRecord {
                block: number,
                phase: i.map_or(Phase::Initialization, Phase::ApplyExtrinsic),
                event,
            })
            .collect();
        self.append(records, Some(subnets))
    }

    /// Appends a block with these event records, subnets unchanged; returns its number.
    pub fn push_block(&self, events: Vec<EventRecord>) -> u64 {
        self.append(events, None)
    }

    /// The number the next block will have.
    pub fn next_number(&self) -> u64 {
        u64::try_from(self.lock().blocks.len()).unwrap_or(u64::MAX)
    }

    fn append(&self, events: Vec<EventRecord>, subnets: Option<Vec<SubnetInfo>>) -> u64 {
        let (h, fin) = {
            let mut state = self.lock();
            let number = u64::try_from(state.blocks.len()).unwrap_or(u64::MAX);
            let h = header(number);
            state.blocks.push(Block { header: h.clone(), extrinsics: vec![], events });
            if let Some(subnets) = subnets {
                state.subnets = subnets;
            }
            let fin = number
                .checked_sub(self.finality_depth)
                .and_then(|f| state.blocks.get(usize::try_from(f).ok()?))
                .map(|b| b.header.clone());
            (h, fin)
        };
        // Nobody listening is fine: subscribers come and go.
        let _ = self.heads.send(h.clone());
        if let Some(f) = fin {
            let _ = self.finalized.send(f);
        }
        h.number
    }

    /// Pins the head at block `head` (blocks after it exist but are not announced as the head),
    /// or back to the last block with `None`.
    pub fn set_head(&self, head: Option<u64>) {
        self.lock().head = head;
    }

    /// Sets a coldkey's stakes.
    pub fn set_stakes(&self, coldkey: AccountId, stakes: Vec<StakeInfo>) {
        self.lock().stakes.insert(coldkey, stakes);
    }

    /// Sets a subnet's neurons.
    pub fn set_neurons(&self, netuid: NetUid, neurons: Vec<NeuronInfo>) {
        self.lock().neurons.insert(netuid, neurons);
    }

    /// Sets the neurons of every subnet that has no list of its own.
    pub fn set_neurons_everywhere(&self, neurons: Vec<NeuronInfo>) {
        self.lock().neurons_everywhere = neurons;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A test that panicked while holding the lock has failed already.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn stream(rx: broadcast::Receiver<Header>) -> BoxStream<'static, ChainResult<Header>> {
    futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(h) => return Some((Ok(h), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .boxed()
}

#[async_trait::async_trait]
impl Chain for FakeChain {
    async fn info(&self) -> ChainResult<ChainInfo> {
        Ok(ChainInfo {
            name: "fake".into(),
            signing: SigningContext { genesis_hash: Hash::default(), spec_version: 1 },
            block_time_ms: 12_000,
            finality_depth: self.finality_depth,
            ss58_prefix: 42,
            token_symbol: "TAO".into(),
        })
    }

    async fn header(&self, at: BlockId) -> ChainResult<Header> {
        Ok(self.block(at).await?.header)
    }

    async fn block(&self, at: BlockId) -> ChainResult<Block> {
        let state = self.lock();
        let head = state.head();
        let n = match at {
            BlockId::Number(n) => n,
            BlockId::Head => head,
            BlockId::Finalized => head.saturating_sub(self.finality_depth),
            BlockId::Hash(h) => state
                .blocks
                .iter()
                .find(|b| b.header.hash == h)
                .map(|b| b.header.number)
                .ok_or_else(|| ChainError::NotFound(h.to_hex()))?,
        };
        usize::try_from(n)
            .ok()
            .and_then(|i| state.blocks.get(i))
            .cloned()
            .ok_or_else(|| ChainError::NotFound(format!("block {n}")))
    }

    async fn account(&self, _who: AccountId) -> ChainResult<AccountInfo> {
        Ok(AccountInfo::default())
    }

    async fn subnets(&self) -> ChainResult<Vec<SubnetInfo>> {
        Ok(self.lock().subnets.clone())
    }

    async fn subnet(&self, netuid: NetUid) -> ChainResult<SubnetInfo> {
        self.lock()
            .subnets
            .iter()
            .find(|s| s.netuid == netuid)
            .cloned()
            .ok_or_else(|| ChainError::NotFound(format!("subnet {netuid}")))
    }

    async fn neurons(&self, netuid: NetUid) -> ChainResult<Vec<NeuronInfo>> {
        let state = self.lock();
        Ok(match state.neurons.get(&netuid) {
            Some(own) => own.clone(),
            None => state
                .neurons_everywhere
                .iter()
                .map(|n| NeuronInfo { netuid, ..n.clone() })
                .collect(),
        })
    }

    async fn stakes(&self, coldkey: AccountId) -> ChainResult<Vec<StakeInfo>> {
        Ok(self.lock().stakes.get(&coldkey).cloned().unwrap_or_default())
    }

    async fn quote(&self, _netuid: NetUid, _side: Side, _amount: u64) -> ChainResult<SwapOutcome> {
        Err(ChainError::NotFound("quote".into()))
    }

    async fn estimate_fee(&self, _signer: AccountId, _call: Call) -> ChainResult<u64> {
        Ok(0)
    }

    async fn prepare(
        &self,
        _signer: AccountId,
        _call: Call,
        _options: chain::TxOptions,
    ) -> ChainResult<chain::Prepared> {
        Err(ChainError::Closed)
    }

    async fn submit(
        &self,
        _prepared: chain::Prepared,
        _signature: chain::Signature,
    ) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>> {
        Err(ChainError::Closed)
    }

    async fn subscribe_heads(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>> {
        Ok(stream(self.heads.subscribe()))
    }

    async fn subscribe_finalized(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>> {
        Ok(stream(self.finalized.subscribe()))
    }

    async fn subscribe_events(
        &self,
    ) -> ChainResult<BoxStream<'static, ChainResult<Vec<EventRecord>>>> {
        Ok(futures::stream::empty().boxed())
    }
}
