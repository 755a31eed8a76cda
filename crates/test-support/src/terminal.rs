//! Fixture market data and a fixture chain: 24 subnets with prices, flows, sparklines, trades,
//! holders, events and candles, all deterministic. Shared by the tests and the benches.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use chain::ManualClock;
use chain::{
    AccountId, BlockNumber, Hash, Header, Hyperparameters, NetUid, NeuronInfo, PoolInfo,
    SubnetIdentity, SubnetInfo,
};
use market::analytics::{BurnPoint, Holder, Holders, Predictability};
use market::backprop::{BackpropView, FlowTotals, Window, build_view};
use market::{
    Candle, ChangeKind, EventFilter, FeedEvent, FeedKind, FlowSum, Interval, Overview, OverviewRow,
    PoolState, Portfolio, Position, SubnetChange, SubnetDetail, TapeRow, Trade, TradeFilter,
    TradeKind,
};
use terminal::{AppState, Config, FixedUsd, MarketRead, NoUsd, UsdSource};
use tokio::sync::broadcast;

use crate::fake::FakeChain;

/// Rao per TAO.
pub use dtao::units::RAO_PER_TAO as RAO;
/// The fixture's last block and its timestamp.
pub const LAST_BLOCK: BlockNumber = 1_000_000;
/// The timestamp of [`LAST_BLOCK`], Unix ms.
pub const LAST_TS_MS: u64 = 1_780_000_000_000;
/// The fixture clock runs 12 s after the last block.
pub const NOW_MS: u64 = LAST_TS_MS + 12_000;

/// The 24 subnets' names, netuid 1 first.
pub const NAMES: [&str; 24] = [
    "Root",
    "Apex",
    "Omron",
    "Templar",
    "Targon",
    "Kaito",
    "Infinite",
    "Subvortex",
    "Proprietary",
    "Pretrain",
    "Sturdy",
    "Dippy",
    "Compute",
    "Dataverse",
    "Palaidn",
    "Deval",
    "Bitagent",
    "Three Gen",
    "Cortex",
    "Vision",
    "Bitmind",
    "Omega",
    "Dojo",
    "Nova",
];
/// The 24 subnets' symbols, netuid 1 first.
pub const SYMBOLS: [&str; 24] = [
    "τ", "α", "β", "γ", "δ", "ε", "ζ", "η", "θ", "ι", "κ", "λ", "μ", "ν", "ξ", "ο", "π", "ρ", "σ",
    "t", "υ", "φ", "χ", "ψ",
];

/// A distinct fixture account per `i`.
pub fn account(i: u8) -> AccountId {
    let mut b = [0u8; 32];
    b[0] = i;
    b[31] = 7;
    AccountId(b)
}

fn row(n: u16, block: BlockNumber) -> OverviewRow {
    let i = u64::from(n);
    // Prices between ~0.003 τ and ~0.4 τ, a power-law-ish market.
    let price = 400_000_000 / (i + 1) + 3_000_000 + (i * 7_919 % 1_000) * 10_000;
    let alpha_out = (3_000_000 + (i * 104_729 % 2_000_000)) * RAO;
    let tao_in_pool = (price as u128 * u128::from(alpha_out / 3) / u128::from(RAO)) as u64;
    let sign = |k: u64| if (i + k).is_multiple_of(3) { -1.0 } else { 1.0 };
    let spark: Vec<u64> = (0..42u64)
        .map(|k| {
            let wobble = ((k * (i + 3)) % 17) as f64 / 17.0 - 0.5;
            let trend = (k as f64 / 41.0 - 1.0) * 0.1 * sign(1);
            ((price as f64) * (1.0 + trend + wobble * 0.06)) as u64
        })
        .chain(std::iter::once(price))
        .collect();
    let vol = (tao_in_pool / 20) + i * 13 * RAO;
    let flow = (vol as i128 / 7) * if (i % 4) == 1 { -1 } else { 1 };
    OverviewRow {
        netuid: n,
        name: NAMES[usize::from(n) % NAMES.len()].to_string(),
        symbol: SYMBOLS[usize::from(n) % SYMBOLS.len()].to_string(),
        price,
        change_1h: Some(0.004 * sign(0) * ((i % 5) as f64 + 1.0)),
        change_24h: Some(0.021 * sign(1) * ((i % 7) as f64 + 1.0)),
        change_7d: if n == 23 { None } else { Some(0.05 * sign(2) * ((i % 4) as f64 + 1.0)) },
        market_cap: (u128::from(alpha_out) * u128::from(price) / u128::from(RAO)) as u64,
        fdv: (u128::from(21_000_000 * RAO) * u128::from(price) / u128::from(RAO)) as u64,
        volume_24h: vol,
        buy_volume_24h: vol / 2 + vol / 10,
        sell_volume_24h: vol - (vol / 2 + vol / 10),
        tao_in_pool,
        emission_share: 1.0 / (i as f64 + 2.0) / 3.0,
        net_flow_24h: flow.to_string(),
        net_flow_7d: (flow * 5).to_string(),
        sparkline_7d: spark,
        exact: true,
        as_of_block: block,
    }
}

/// The fixture data; tests may change it and publish.
pub struct FixtureData {
    /// The overview served.
    pub overview: Arc<Overview>,
    /// The recent trades served.
    pub trades: Vec<Trade>,
    /// The events feed's history.
    pub events: Vec<FeedEvent>,
}

/// The overview at `block` (timestamp `ts`, Unix ms): 23 subnets plus root.
pub fn overview(block: BlockNumber, ts: u64) -> Overview {
    Overview {
        as_of_block: block,
        as_of_timestamp_ms: ts,
        rows: (1..24u16).map(|n| row(n, block)).collect(),
    }
}

fn trades() -> Vec<Trade> {
    let mut v = Vec::new();
    for k in 0..120u64 {
        let n = (k % 23 + 1) as u16;
        let kind = match k % 5 {
            0 | 1 => TradeKind::Buy,
            2 | 3 => TradeKind::Sell,
            _ => TradeKind::Move,
        };
        let tao = if k % 11 == 0 { 1_250 * RAO } else { (k * 37 % 90 + 1) * RAO / 2 };
        v.push(Trade {
            block: LAST_BLOCK - k * 3,
            extrinsic: (k % 4) as u32,
            seq: 0,
            kind,
            netuid: n,
            dest_netuid: (kind == TradeKind::Move).then_some((n % 23) + 1),
            coldkey: account((k % 9) as u8 + 1),
            hotkey: account(100),
            dest_coldkey: None,
            dest_hotkey: None,
            tao,
            alpha: tao * 20,
            alpha_dest: 0,
            fee_tao: tao / 1000,
            fee_alpha: 0,
            price: 50_000_000,
        });
    }
    v
}

fn events() -> Vec<FeedEvent> {
    let mut v = Vec::new();
    for k in 0..60u64 {
        let n = (k % 23 + 1) as u16;
        let kind = FeedKind::ALL[(k % 9) as usize];
        let tao = (k * 97 % 3000 + 500) * RAO;
        v.push(FeedEvent {
            block: LAST_BLOCK - k * 50,
            seq: 0,
            kind,
            netuid: Some(n),
            sentence: match kind {
                FeedKind::WhaleTrade => {
                    format!("Whale buy: {} τ into SN{n} ({})", tao / RAO, NAMES[usize::from(n)])
                }
                FeedKind::PriceMove => format!("SN{n} price moved +6.2% in 300 blocks"),
                _ => format!("{} on SN{n}", kind.as_str().replace('_', " ")),
            },
            data: if kind == FeedKind::WhaleTrade {
                serde_json::json!({ "trade": "buy", "tao": tao.to_string() })
            } else {
                serde_json::json!({})
            },
            timestamp_ms: LAST_TS_MS - k * 600_000,
        });
    }
    v
}

/// The chain's view of subnet `n` from its overview row.
pub fn subnet_info(n: NetUid, r: &OverviewRow) -> SubnetInfo {
    SubnetInfo {
        netuid: n,
        identity: SubnetIdentity {
            name: r.name.clone(),
            symbol: r.symbol.clone(),
            description: format!("{} — decentralised intelligence on subnet {n}.", r.name),
            url: String::new(),
            github: String::new(),
            logo_url: "https://example.invalid/logo.png".into(),
        },
        owner_coldkey: account(200),
        owner_hotkey: account(201),
        registered_at: 120_000 + u64::from(n) * 9_000,
        mechanism: 1,
        first_emission_block: Some(130_000),
        pool: PoolInfo {
            tao_reserve: r.tao_in_pool,
            alpha_in: r.tao_in_pool / r.price.max(1) * RAO,
            alpha_out: r.market_cap / r.price.max(1) * RAO,
            price: r.price,
            moving_price: r.price - r.price / 50,
            curve: Default::default(),
            fee_rate: 33,
            volume: 0,
        },
        // localnet's defaults but for these two, which the fixture has always had.
        hyperparameters: Hyperparameters {
            commit_reveal_period: 1,
            min_burn: RAO / 2,
            ..crate::genesis::hyperparameters()
        },
        emission_share_ppb: (r.emission_share * 1e9) as u64,
        tao_emission: (r.emission_share * 1e9) as u64,
        miner_burned_ppb: 0,
        last_epoch_block: LAST_BLOCK - 100,
        neuron_count: 256,
    }
}

/// The fixture market.
pub struct FixtureMarket {
    /// The data served.
    pub data: RwLock<FixtureData>,
    /// Live events to subscribers.
    pub feed: broadcast::Sender<FeedEvent>,
}

impl FixtureMarket {
    /// The fixture market at [`LAST_BLOCK`].
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            data: RwLock::new(FixtureData {
                overview: Arc::new(overview(LAST_BLOCK, LAST_TS_MS)),
                trades: trades(),
                events: events(),
            }),
            feed: broadcast::channel(64).0,
        })
    }

    /// Replaces the overview with `n` subnets (1..=n), e.g. 128 like the localnet genesis.
    pub fn set_subnets(&self, n: u16) {
        let mut d = self.data.write().unwrap();
        let mut o = (*d.overview).clone();
        o.rows = (1..=n).map(|k| row(k, o.as_of_block)).collect();
        d.overview = Arc::new(o);
    }

    /// Moves to the next block with every subnet's price, market cap and pool times `factor`
    /// (the worst case for live deltas). Returns the overview.
    pub fn next_block_all(&self, factor: f64) -> Arc<Overview> {
        let mut d = self.data.write().unwrap();
        let mut o = (*d.overview).clone();
        o.as_of_block += 1;
        o.as_of_timestamp_ms += 12_000;
        for r in &mut o.rows {
            r.as_of_block = o.as_of_block;
            r.price = (r.price as f64 * factor) as u64;
            r.market_cap = (r.market_cap as f64 * factor) as u64;
            r.tao_in_pool = (r.tao_in_pool as f64 * factor) as u64;
            r.change_1h = r.change_1h.map(|c| c + factor - 1.0);
        }
        d.overview = Arc::new(o);
        d.overview.clone()
    }

    /// Moves to the next block: subnet `netuid`'s price times `factor`. Returns the overview.
    pub fn next_block(&self, netuid: NetUid, factor: f64) -> Arc<Overview> {
        let mut d = self.data.write().unwrap();
        let mut o = (*d.overview).clone();
        o.as_of_block += 1;
        o.as_of_timestamp_ms += 12_000;
        for r in &mut o.rows {
            r.as_of_block = o.as_of_block;
            if r.netuid == netuid {
                r.price = (r.price as f64 * factor) as u64;
                r.change_1h = r.change_1h.map(|c| c + factor - 1.0);
            }
        }
        d.overview = Arc::new(o);
        d.overview.clone()
    }
}

fn candles_for(
    n: NetUid,
    interval: Interval,
    from: BlockNumber,
    to: BlockNumber,
    price: u64,
) -> Vec<Candle> {
    let len = interval.blocks();
    let mut out = Vec::new();
    let mut b = interval.bucket_start(from);
    let mut p = price as f64 * 0.8;
    let mut k = 0u64;
    while b <= to {
        let wob = (((k * 7 + u64::from(n)) % 13) as f64 - 6.0) / 100.0;
        let open = p;
        let close = (p * (1.0 + wob + 0.003)).max(1.0);
        let high = open.max(close) * 1.01;
        let low = open.min(close) * 0.99;
        out.push(Candle {
            start_block: b,
            open: open as u64,
            high: high as u64,
            low: low as u64,
            close: close as u64,
            buy_volume: (k % 9 + 1) * 40 * RAO,
            sell_volume: (k % 7 + 1) * 35 * RAO,
            trades: (k % 5 + 1) as u32,
        });
        p = close;
        b += len;
        k += 1;
    }
    out
}

#[async_trait]
impl MarketRead for FixtureMarket {
    async fn overview(&self) -> market::Result<Arc<Overview>> {
        Ok(self.data.read().unwrap().overview.clone())
    }
    async fn subnet(&self, netuid: NetUid) -> market::Result<SubnetDetail> {
        let o = self.overview().await?;
        let r = o
            .rows
            .iter()
            .find(|r| r.netuid == netuid)
            .cloned()
            .ok_or(market::MarketError::UnknownSubnet(netuid))?;
        let info = subnet_info(netuid, &r);
        Ok(SubnetDetail {
            state: PoolState {
                netuid,
                tao_reserve: r.tao_in_pool,
                alpha_in: info.pool.alpha_in,
                alpha_out: info.pool.alpha_out,
                price: r.price,
                moving_price: info.pool.moving_price,
                emission_share_ppb: info.emission_share_ppb,
                tao_emission: info.tao_emission,
                exact: true,
            },
            info: Some(info),
            change_30d: Some(0.12),
            flow_ema: 2.5e9,
            max_buy_for_impact: vec![
                (100, (40 * RAO).to_string()),
                (200, (81 * RAO).to_string()),
                (500, (205 * RAO).to_string()),
            ],
            max_sell_for_impact: vec![
                (100, (800 * RAO).to_string()),
                (200, (1610 * RAO).to_string()),
                (500, (4100 * RAO).to_string()),
            ],
            row: r,
        })
    }
    async fn candles(
        &self,
        netuid: NetUid,
        interval: Interval,
        from: BlockNumber,
        to: BlockNumber,
    ) -> market::Result<Vec<Candle>> {
        let o = self.overview().await?;
        let price = o
            .rows
            .iter()
            .find(|r| r.netuid == netuid)
            .map(|r| r.price)
            .ok_or(market::MarketError::UnknownSubnet(netuid))?;
        Ok(candles_for(netuid, interval, from, to, price))
    }
    async fn trades(&self, f: &TradeFilter) -> market::Result<Vec<TapeRow>> {
        let d = self.data.read().unwrap();
        Ok(d.trades
            .iter()
            .filter(|t| f.netuid.is_none_or(|n| t.netuid == n || t.dest_netuid == Some(n)))
            .filter(|t| f.coldkey.is_none_or(|c| t.coldkey == c))
            .filter(|t| f.min_tao.is_none_or(|m| t.tao >= m))
            .filter(|t| f.before.is_none_or(|b| (t.block, t.extrinsic, t.seq) < b))
            .filter(|t| f.from_block.is_none_or(|b| t.block >= b))
            .take(f.limit as usize)
            .map(|t| TapeRow { whale: t.tao >= 500 * RAO, trade: t.clone() })
            .collect())
    }
    async fn holders(&self, netuid: NetUid, limit: usize) -> market::Result<Holders> {
        let top: Vec<Holder> = (0..12u8)
            .map(|k| Holder {
                coldkey: account(k + 10),
                alpha: (12 - u64::from(k)) * 10_000 * RAO,
                share: f64::from(12 - k) / 78.0,
            })
            .take(limit)
            .collect();
        Ok(Holders {
            netuid,
            count: 340,
            total_alpha: 780_000 * RAO,
            top,
            as_of_block: Some(LAST_BLOCK),
        })
    }
    async fn events(&self, f: &EventFilter) -> market::Result<Vec<FeedEvent>> {
        let d = self.data.read().unwrap();
        Ok(d.events
            .iter()
            .filter(|e| f.kinds.is_empty() || f.kinds.contains(&e.kind))
            .filter(|e| f.netuid.is_none_or(|n| e.netuid == Some(n)))
            .filter(|e| f.from_block.is_none_or(|b| e.block >= b))
            .filter(|e| f.before.is_none_or(|b| (e.block, e.seq) < b))
            .take(f.limit as usize)
            .cloned()
            .collect())
    }
    async fn predictability(
        &self,
        netuid: NetUid,
        from: BlockNumber,
        to: BlockNumber,
    ) -> market::Result<Predictability> {
        let burns: Vec<BurnPoint> = (0..30u64)
            .map(|k| {
                let burned = if k > 18 { 400 * RAO } else { 0 };
                BurnPoint {
                    block: from + k * 360,
                    incentive: 1_000 * RAO - burned,
                    burned,
                    fraction: burned as f64 / (1_000 * RAO) as f64,
                }
            })
            .filter(|b| b.block <= to)
            .collect();
        Ok(Predictability {
            netuid,
            rule_changes: vec![SubnetChange {
                block: to - 5_000,
                seq: 0,
                netuid,
                kind: ChangeKind::Hyperparameter,
                name: "max_allowed_validators".into(),
                value: serde_json::json!(64),
            }],
            burned_total: burns.iter().map(|b| b.burned).sum(),
            burned_fraction: 0.16,
            burning_epochs: burns.iter().filter(|b| b.burned > 0).count() as u64,
            burns,
        })
    }
    async fn backprop(&self, window: Window) -> market::Result<BackpropView> {
        // The fixture keeps no history: the window's start is the overview with each share
        // nudged against its 7-day price change, and the flows are the fixture's trades.
        let d = self.data.read().unwrap();
        let state = |r: &OverviewRow, ppb: u64| PoolState {
            netuid: r.netuid,
            tao_reserve: r.tao_in_pool,
            alpha_in: 0,
            alpha_out: 0,
            price: r.price,
            moving_price: r.price,
            emission_share_ppb: ppb,
            tao_emission: ppb / 2,
            exact: true,
        };
        let now = |r: &OverviewRow| (r.emission_share * 1e9) as u64;
        let after: Vec<PoolState> = d.overview.rows.iter().map(|r| state(r, now(r))).collect();
        let before: Vec<PoolState> = d
            .overview
            .rows
            .iter()
            .map(|r| state(r, (now(r) as f64 * (1.0 - r.change_7d.unwrap_or(0.0) / 3.0)) as u64))
            .collect();
        let sums: Vec<FlowSum> = d
            .trades
            .iter()
            .map(|t| FlowSum {
                coldkey: Some(t.coldkey),
                kind: t.kind,
                netuid: t.netuid,
                dest_netuid: t.dest_netuid,
                tao: t.tao,
                trades: 1,
            })
            .collect();
        let names = d.overview.rows.iter().map(|r| (r.netuid, r.name.clone())).collect();
        let last = d.overview.as_of_block;
        Ok(build_view(
            window,
            (last - window.blocks(), &before),
            (last, &after),
            &FlowTotals::from_sums(&sums),
            &names,
            &BTreeMap::new(),
        ))
    }
    async fn portfolio(&self, coldkey: AccountId) -> market::Result<Portfolio> {
        Ok(Portfolio {
            coldkey,
            positions: vec![Position {
                hotkey: account(100),
                netuid: 3,
                alpha: 1_000 * RAO,
                spot_value: 50 * RAO,
                exit_value: Some((49 * RAO).to_string()),
                exit_impact: Some(0.02),
            }],
            spot_total: 50 * RAO,
            exit_total: 49 * RAO,
            as_of_block: LAST_BLOCK,
        })
    }
    fn subscribe(&self) -> broadcast::Receiver<FeedEvent> {
        self.feed.subscribe()
    }
}

/// The fixture chain: the shared fake with 20 neurons on every subnet; tests announce heads
/// by sending on its `heads`.
pub fn fixture_chain() -> Arc<FakeChain> {
    let chain = FakeChain::new(Vec::new());
    chain.set_neurons_everywhere(
        (0..20u16)
            .map(|uid| NeuronInfo {
                netuid: 0,
                uid,
                hotkey: account(u8::try_from(uid).unwrap() + 50),
                coldkey: account(u8::try_from(uid).unwrap() + 80),
                axon: None,
                validator_permit: uid % 3 == 0,
                stake: (20 - u64::from(uid)) * 5_000 * RAO,
                incentive: 0,
                dividends: 3000 + uid * 100,
                consensus: 0,
                emission: RAO,
                registered_at: 200_000,
                last_update: LAST_BLOCK - 50,
            })
            .collect(),
    );
    Arc::new(chain)
}

/// A fixture app and handles on its parts.
pub struct Fixture {
    /// The state to build the router from.
    pub state: AppState,
    /// The market behind it.
    pub market: Arc<FixtureMarket>,
    /// The chain behind it.
    pub chain: Arc<FakeChain>,
    /// The clock, at [`NOW_MS`].
    pub clock: Arc<ManualClock>,
}

/// The fixture with `config` and, when given, a fixed USD price per TAO.
pub fn fixture_with(config: Config, usd: Option<f64>) -> Fixture {
    let market = FixtureMarket::new();
    let chain = fixture_chain();
    let clock = Arc::new(ManualClock::from_ms(NOW_MS));
    let usd: Arc<dyn UsdSource> = match usd.and_then(|u| FixedUsd::new(u, NOW_MS)) {
        Some(f) => Arc::new(f),
        None => Arc::new(NoUsd),
    };
    let state = AppState::new(market.clone(), chain.clone(), clock.clone(), usd, config);
    Fixture { state, market, chain, clock }
}

/// The fixture with the default configuration and no USD price.
pub fn fixture() -> Fixture {
    fixture_with(Config::default(), Some(412.35))
}

#[allow(dead_code)]
/// The fixture header of block `number`.
pub fn header(number: BlockNumber) -> Header {
    Header {
        number,
        hash: Hash::of(&number.to_le_bytes()),
        parent_hash: Hash::default(),
        state_root: Hash::default(),
        extrinsics_root: Hash::default(),
        timestamp_ms: LAST_TS_MS,
    }
}

/// A terminal over a real localnet to trade on: blocks as soon as a transaction arrives, final
/// at once (so a submitted trade reaches `finalized` without the test producing blocks), the
/// fixture market for the read pages, and the terminal's own clock (manual, at [`NOW_MS`]) to
/// expire prepared transactions.
pub struct TradingNet {
    /// The node (shut it down at the end).
    pub node: localnet::Node,
    /// The chain the terminal trades on.
    pub chain: Arc<dyn chain::Chain>,
    /// The terminal's state.
    pub state: AppState,
    /// The terminal's clock.
    pub clock: Arc<ManualClock>,
    /// The terminal's market (fixture data; tests add the trades they index from the chain).
    pub market: Arc<FixtureMarket>,
}

/// //Alice and //Bob hold 1,000 τ each; subnets 1 and 2 have pools (owner hotkeys
/// `//Owner1//hot`, `//Owner2//hot`); a treasury holds the rest of the supply, so blocks emit
/// nothing and a quote is exactly what the next block does.
pub fn trading_net() -> TradingNet {
    use crate::genesis::{TAO, pool_subnet};
    trading_net_over(vec![
        pool_subnet(1, "Apex", "α", 1_000 * TAO, 100_000 * TAO),
        pool_subnet(2, "Omron", "β", 400 * TAO, 80_000 * TAO),
    ])
}

/// [`trading_net`] with pools on subnets 1–6 (owner hotkeys `//Owner<n>//hot`) and the fixture
/// market's overview cut to those six, so every subnet a basket picks by market cap trades.
pub fn basket_net() -> TradingNet {
    use crate::genesis::{TAO, pool_subnet};
    let subnets = (1..=6u16)
        .map(|n| {
            let tao = u64::from(n) * 300 * TAO;
            pool_subnet(n, NAMES[usize::from(n) % NAMES.len()], "α", tao, 100_000 * TAO)
        })
        .collect();
    let net = trading_net_over(subnets);
    net.market.set_subnets(6);
    net
}

fn trading_net_over(subnets: Vec<localnet::genesis::GenesisSubnet>) -> TradingNet {
    use crate::genesis::{TAO, treasury_genesis};
    let genesis = treasury_genesis(
        "terminal trading",
        5,
        100,
        LAST_TS_MS,
        &[("//Alice", 1_000 * TAO), ("//Bob", 1_000 * TAO)],
        subnets,
    );
    let node = localnet::Node::start(
        &genesis,
        localnet::NodeConfig {
            production: localnet::node::BlockProduction::Instant,
            finality_depth: Some(0),
            clock: Arc::new(ManualClock::from_ms(LAST_TS_MS)),
            ..localnet::NodeConfig::default()
        },
    )
    .unwrap_or_else(|e| panic!("the trading node did not start: {e}"));
    let chain: Arc<dyn chain::Chain> = Arc::new(localnet::LocalChain::new(node.handle()));
    let clock = Arc::new(ManualClock::from_ms(NOW_MS));
    let market = FixtureMarket::new();
    let state = AppState::new(
        market.clone(),
        chain.clone(),
        clock.clone(),
        Arc::new(NoUsd),
        Config { rate_limit: None, ..Config::default() },
    );
    TradingNet { node, chain, state, clock, market }
}
