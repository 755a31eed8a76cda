//! A scripted in-test `Chain`: blocks and head states are pushed by the test.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chain::{
    AccountId, AccountInfo, Block, BlockId, Call, Chain, ChainError, ChainInfo, ChainResult, Event,
    EventRecord, Hash, Header, Hyperparameters, NetUid, NeuronInfo, Phase, PoolInfo, Side,
    SigningContext, StakeInfo, SubnetIdentity, SubnetInfo, SwapOutcome, TxStatus,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::broadcast;

/// localnet's defaults with commit-reveal off, as the market tests have always had.
pub fn hyper() -> Hyperparameters {
    Hyperparameters {
        commit_reveal_enabled: false,
        commit_reveal_period: 1,
        min_burn: 1_000_000,
        ..test_support::genesis::hyperparameters()
    }
}

pub fn subnet_info(netuid: NetUid, price: u64) -> SubnetInfo {
    let alpha_in = 1_000_000 * 1_000_000_000u64;
    let tao = u64::try_from(u128::from(alpha_in) * u128::from(price) / 1_000_000_000).unwrap();
    SubnetInfo {
        netuid,
        identity: SubnetIdentity {
            name: format!("Net{netuid}"),
            symbol: "α".into(),
            ..SubnetIdentity::default()
        },
        owner_coldkey: AccountId([200; 32]),
        owner_hotkey: AccountId([201; 32]),
        registered_at: 0,
        mechanism: u16::from(netuid != 0),
        first_emission_block: Some(0),
        pool: PoolInfo {
            tao_reserve: tao,
            alpha_in,
            alpha_out: 500_000 * 1_000_000_000,
            price,
            moving_price: price,
            curve: dtao::amm::CurveKind::default(),
            fee_rate: 33,
            volume: 0,
        },
        hyperparameters: hyper(),
        emission_share_ppb: 1_000_000_000 / 4,
        tao_emission: 1_000_000,
        miner_burned_ppb: 0,
        last_epoch_block: 0,
        neuron_count: 1,
    }
}

struct Inner {
    blocks: Vec<Block>,
    subnets: Vec<SubnetInfo>,
    stakes: BTreeMap<AccountId, Vec<StakeInfo>>,
}

pub struct MockChain {
    inner: Mutex<Inner>,
    heads: broadcast::Sender<Header>,
    finalized: broadcast::Sender<Header>,
    pub finality_depth: u64,
}

fn header(number: u64, parent: Hash) -> Header {
    Header {
        number,
        hash: Hash::of(&number.to_le_bytes()),
        parent_hash: parent,
        state_root: Hash::default(),
        extrinsics_root: Hash::default(),
        timestamp_ms: 1_700_000_000_000 + number * 12_000,
    }
}

impl MockChain {
    /// Genesis block 0 with these subnets.
    pub fn new(subnets: Vec<SubnetInfo>) -> Self {
        let genesis =
            Block { header: header(0, Hash::default()), extrinsics: vec![], events: vec![] };
        let (heads, _) = broadcast::channel(1 << 16);
        let (finalized, _) = broadcast::channel(1 << 16);
        Self {
            inner: Mutex::new(Inner { blocks: vec![genesis], subnets, stakes: BTreeMap::new() }),
            heads,
            finalized,
            finality_depth: 2,
        }
    }

    /// Appends a block with these (extrinsic index, event) pairs and sets the head state.
    pub fn produce(&self, events: Vec<(Option<u32>, Event)>, subnets: Vec<SubnetInfo>) -> u64 {
        let (h, fin) = {
            let mut inner = self.inner.lock().unwrap();
            let parent = inner.blocks.last().unwrap().header.hash;
            let number = inner.blocks.len() as u64;
            let h = header(number, parent);
            let events = events
                .into_iter()
                .map(|(i, event)| EventRecord {
                    block: number,
                    phase: i.map_or(Phase::Initialization, Phase::ApplyExtrinsic),
                    event,
                })
                .collect();
            inner.blocks.push(Block { header: h.clone(), extrinsics: vec![], events });
            inner.subnets = subnets;
            let fin = number
                .checked_sub(self.finality_depth)
                .map(|f| inner.blocks[f as usize].header.clone());
            (h, fin)
        };
        let _ = self.heads.send(h.clone());
        if let Some(f) = fin {
            let _ = self.finalized.send(f);
        }
        h.number
    }

    /// Sets a coldkey's stakes.
    pub fn set_stakes(&self, coldkey: AccountId, stakes: Vec<StakeInfo>) {
        self.inner.lock().unwrap().stakes.insert(coldkey, stakes);
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
impl Chain for MockChain {
    async fn info(&self) -> ChainResult<ChainInfo> {
        Ok(ChainInfo {
            name: "mock".into(),
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
        let inner = self.inner.lock().unwrap();
        let head = inner.blocks.len() as u64 - 1;
        let n = match at {
            BlockId::Number(n) => n,
            BlockId::Head => head,
            BlockId::Finalized => head.saturating_sub(self.finality_depth),
            BlockId::Hash(h) => inner
                .blocks
                .iter()
                .find(|b| b.header.hash == h)
                .map(|b| b.header.number)
                .ok_or_else(|| ChainError::NotFound(h.to_hex()))?,
        };
        inner
            .blocks
            .get(n as usize)
            .cloned()
            .ok_or_else(|| ChainError::NotFound(format!("block {n}")))
    }

    async fn account(&self, _who: AccountId) -> ChainResult<AccountInfo> {
        Ok(AccountInfo::default())
    }

    async fn subnets(&self) -> ChainResult<Vec<SubnetInfo>> {
        Ok(self.inner.lock().unwrap().subnets.clone())
    }

    async fn subnet(&self, netuid: NetUid) -> ChainResult<SubnetInfo> {
        self.subnets()
            .await?
            .into_iter()
            .find(|s| s.netuid == netuid)
            .ok_or_else(|| ChainError::NotFound(format!("subnet {netuid}")))
    }

    async fn neurons(&self, _netuid: NetUid) -> ChainResult<Vec<NeuronInfo>> {
        Ok(Vec::new())
    }

    async fn stakes(&self, coldkey: AccountId) -> ChainResult<Vec<StakeInfo>> {
        Ok(self.inner.lock().unwrap().stakes.get(&coldkey).cloned().unwrap_or_default())
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

pub fn acct(b: u8) -> AccountId {
    AccountId([b; 32])
}

pub fn buy(coldkey: u8, netuid: NetUid, tao: u64, price: u64) -> Event {
    let fee = tao * 33 / 65535;
    Event::StakeAdded {
        coldkey: acct(coldkey),
        hotkey: acct(100),
        tao,
        alpha: u64::try_from(u128::from(tao - fee) * 1_000_000_000 / u128::from(price)).unwrap(),
        netuid,
        fee,
    }
}

pub fn sell(coldkey: u8, netuid: NetUid, alpha: u64, price: u64) -> Event {
    let fee = alpha * 33 / 65535;
    Event::StakeRemoved {
        coldkey: acct(coldkey),
        hotkey: acct(100),
        tao: u64::try_from(u128::from(alpha - fee) * u128::from(price) / 1_000_000_000).unwrap(),
        alpha: alpha - fee,
        netuid,
        fee,
    }
}
