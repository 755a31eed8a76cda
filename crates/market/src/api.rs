//! The read API the terminal serves: overview, subnet detail, candles, trades tape, holders,
//! events, portfolio, predictability. Everything is read from the store (finalized data),
//! except the portfolio's stakes (read from the chain's head) and the live tip.

use std::collections::BTreeMap;
use std::sync::Arc;

use chain::{AccountId, BlockNumber, Chain, NetUid, SubnetInfo};
use dtao::amm::{Pool, Reserves, Side};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, broadcast};

use crate::analytics::{self, Holders, Predictability};
use crate::error::{MarketError, Result};
use crate::feed::FeedConfig;
use crate::indexer::{Indexer, SharedTip, TipView};
use crate::store::{EventFilter, Store, TradeFilter};
use crate::types::{
    BLOCKS_PER_30D, BLOCKS_PER_DAY, BLOCKS_PER_HOUR, BLOCKS_PER_WEEK, Candle, FeedEvent, Interval,
    PoolState, Trade,
};
use chain::u64_string;

/// Points in the overview's 7-day sparkline (one per 1200 blocks = 4h).
pub const SPARKLINE_POINTS: u64 = 42;

/// Most candles one request returns.
pub const MAX_CANDLES: u64 = 5_000;

/// One overview row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewRow {
    /// Subnet.
    pub netuid: NetUid,
    /// Name.
    pub name: String,
    /// Token glyph.
    pub symbol: String,
    /// Price, rao per alpha.
    #[serde(with = "u64_string")]
    pub price: u64,
    /// Change over 300 blocks (1h).
    pub change_1h: Option<f64>,
    /// Change over 7200 blocks (24h).
    pub change_24h: Option<f64>,
    /// Change over 50,400 blocks (7d).
    pub change_7d: Option<f64>,
    /// Alpha outstanding × price, rao.
    #[serde(with = "u64_string")]
    pub market_cap: u64,
    /// 21M alpha × price, rao.
    #[serde(with = "u64_string")]
    pub fdv: u64,
    /// Buy + sell TAO volume of the hourly buckets of the last 7200 blocks, rao.
    #[serde(with = "u64_string")]
    pub volume_24h: u64,
    /// Buy part of `volume_24h`, rao.
    #[serde(with = "u64_string")]
    pub buy_volume_24h: u64,
    /// Sell part of `volume_24h`, rao.
    #[serde(with = "u64_string")]
    pub sell_volume_24h: u64,
    /// TAO in the pool, rao.
    #[serde(with = "u64_string")]
    pub tao_in_pool: u64,
    /// Emission share, fraction of 1.
    pub emission_share: f64,
    /// Net TAO flow over the same 24h buckets, rao (signed, as a string).
    pub net_flow_24h: String,
    /// Net TAO flow over the 7d buckets, rao (signed, as a string).
    pub net_flow_7d: String,
    /// Prices over 7 days, oldest first, rao per alpha (up to 42 points, 1 per 1200 blocks).
    pub sparkline_7d: Vec<u64>,
    /// Whether the state at `as_of_block` was read from the chain (true) or derived.
    pub exact: bool,
    /// The block these numbers are as of.
    pub as_of_block: BlockNumber,
}

/// The overview: one row per registered subnet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Last stored (finalized) block.
    pub as_of_block: BlockNumber,
    /// Its timestamp, Unix ms.
    pub as_of_timestamp_ms: u64,
    /// Rows by netuid.
    pub rows: Vec<OverviewRow>,
}

/// A subnet page's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetDetail {
    /// The overview row.
    pub row: OverviewRow,
    /// The last metadata read from the chain.
    pub info: Option<SubnetInfo>,
    /// The pool state.
    pub state: PoolState,
    /// Change over 216,000 blocks (30d).
    pub change_30d: Option<f64>,
    /// EMA of net flow (chain factor), rao per block, over the stored hourly flows (30d).
    pub flow_ema: f64,
    /// Largest buy (TAO) before the spot price moves 1 %, 2 %, 5 %.
    pub max_buy_for_impact: Vec<(u16, String)>,
    /// Largest sell (alpha) before the spot price moves 1 %, 2 %, 5 %.
    pub max_sell_for_impact: Vec<(u16, String)>,
}

/// A trade on the tape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TapeRow {
    /// The trade.
    #[serde(flatten)]
    pub trade: Trade,
    /// At or above the whale threshold of its subnet.
    pub whale: bool,
}

/// One position with its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Hotkey.
    pub hotkey: AccountId,
    /// Subnet.
    pub netuid: NetUid,
    /// Alpha, rao.
    #[serde(with = "u64_string")]
    pub alpha: u64,
    /// Alpha × spot price, rao.
    #[serde(with = "u64_string")]
    pub spot_value: u64,
    /// What selling it all now returns (fee included), rao; `None` if the pool cannot take it.
    pub exit_value: Option<String>,
    /// The exit's price impact, fraction.
    pub exit_impact: Option<f64>,
}

/// A coldkey's portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// Coldkey.
    pub coldkey: AccountId,
    /// Positions.
    pub positions: Vec<Position>,
    /// Sum of spot values, rao.
    #[serde(with = "u64_string")]
    pub spot_total: u64,
    /// Sum of exit values, rao.
    #[serde(with = "u64_string")]
    pub exit_total: u64,
    /// Pools are as of this stored block.
    pub as_of_block: BlockNumber,
}

/// The read API.
pub struct Market {
    store: Store,
    chain: Arc<dyn Chain>,
    feed: broadcast::Sender<FeedEvent>,
    tip: SharedTip,
    config: FeedConfig,
    cache: Mutex<Option<(BlockNumber, Arc<Overview>)>>,
    backprop: crate::backprop::Slides,
}

fn at_or_none(last: BlockNumber, back: u64) -> Option<BlockNumber> {
    last.checked_sub(back)
}

impl Market {
    /// A read API over an indexer's store, feed and tip.
    pub fn new(indexer: &Indexer, chain: Arc<dyn Chain>, config: FeedConfig) -> Self {
        Self::from_parts(
            indexer.store().clone(),
            chain,
            indexer.feed_sender(),
            indexer.tip(),
            config,
        )
    }

    /// A read API from its parts (a store another process indexes, say).
    pub fn from_parts(
        store: Store,
        chain: Arc<dyn Chain>,
        feed: broadcast::Sender<FeedEvent>,
        tip: SharedTip,
        config: FeedConfig,
    ) -> Self {
        Self {
            store,
            chain,
            feed,
            tip,
            config,
            cache: Mutex::new(None),
            backprop: crate::backprop::Slides::default(),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The backprop windows' running totals.
    pub(crate) fn backprop_slides(&self) -> &crate::backprop::Slides {
        &self.backprop
    }

    /// Live feed events.
    pub fn subscribe(&self) -> broadcast::Receiver<FeedEvent> {
        self.feed.subscribe()
    }

    /// The unfinalized head's numbers (not final; may change).
    pub fn tip(&self) -> Option<TipView> {
        self.tip.read().ok().and_then(|t| t.clone())
    }

    async fn last(&self) -> Result<BlockNumber> {
        self.store.last_block().await?.ok_or(MarketError::NothingIndexed)
    }

    async fn prices_at(&self, block: Option<BlockNumber>) -> Result<BTreeMap<NetUid, u64>> {
        let Some(b) = block else { return Ok(BTreeMap::new()) };
        Ok(self
            .store
            .states_at(b)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.netuid, s.price))
            .collect())
    }

    /// The overview (cached per stored block).
    pub async fn overview(&self) -> Result<Arc<Overview>> {
        let last = self.last().await?;
        let mut cache = self.cache.lock().await;
        if let Some((b, o)) = cache.as_ref()
            && *b == last
        {
            return Ok(o.clone());
        }
        let o = Arc::new(self.build_overview(last).await?);
        *cache = Some((last, o.clone()));
        Ok(o)
    }

    async fn build_overview(&self, last: BlockNumber) -> Result<Overview> {
        let states = self.store.states_at(last).await?.unwrap_or_default();
        let p1h = self.prices_at(at_or_none(last, BLOCKS_PER_HOUR)).await?;
        let p24 = self.prices_at(at_or_none(last, BLOCKS_PER_DAY)).await?;
        let p7d = self.prices_at(at_or_none(last, BLOCKS_PER_WEEK)).await?;
        let mut spark: BTreeMap<NetUid, Vec<u64>> = BTreeMap::new();
        let step = BLOCKS_PER_WEEK / SPARKLINE_POINTS;
        for i in (1..SPARKLINE_POINTS).rev() {
            if let Some(b) = at_or_none(last, i * step) {
                for (n, p) in self.prices_at(Some(b)).await? {
                    spark.entry(n).or_default().push(p);
                }
            }
        }
        let hourly = self
            .store
            .candles_h1_since(Interval::H1.bucket_start(last.saturating_sub(BLOCKS_PER_WEEK - 1)))
            .await?;
        let day_from = Interval::H1.bucket_start(last.saturating_sub(BLOCKS_PER_DAY - 1));
        let mut vol: BTreeMap<NetUid, (u64, u64, i128, i128)> = BTreeMap::new();
        for (n, c) in &hourly {
            let e = vol.entry(*n).or_default();
            let flow = i128::from(c.buy_volume) - i128::from(c.sell_volume);
            e.3 += flow;
            if c.start_block >= day_from {
                e.0 = e.0.saturating_add(c.buy_volume);
                e.1 = e.1.saturating_add(c.sell_volume);
                e.2 += flow;
            }
        }
        let subnets: BTreeMap<NetUid, (SubnetInfo, bool)> =
            self.store.subnets().await?.into_iter().map(|(i, a)| (i.netuid, (i, a))).collect();
        let timestamp = self.store.block(last).await?.map_or(0, |b| b.timestamp_ms);
        let mut rows = Vec::with_capacity(states.len());
        for s in states {
            if subnets.get(&s.netuid).is_some_and(|(_, active)| !active) {
                continue;
            }
            let (name, symbol) = subnets
                .get(&s.netuid)
                .map(|(i, _)| (i.identity.name.clone(), i.identity.symbol.clone()))
                .unwrap_or_default();
            let (buy, sell, flow24, flow7) = vol.get(&s.netuid).copied().unwrap_or_default();
            let mut sparkline = spark.remove(&s.netuid).unwrap_or_default();
            sparkline.push(s.price);
            rows.push(OverviewRow {
                netuid: s.netuid,
                name,
                symbol,
                price: s.price,
                change_1h: analytics::change(p1h.get(&s.netuid).copied(), s.price),
                change_24h: analytics::change(p24.get(&s.netuid).copied(), s.price),
                change_7d: analytics::change(p7d.get(&s.netuid).copied(), s.price),
                market_cap: s.market_cap(),
                fdv: s.fdv(),
                volume_24h: buy.saturating_add(sell),
                buy_volume_24h: buy,
                sell_volume_24h: sell,
                tao_in_pool: s.tao_reserve,
                emission_share: s.emission_share_ppb as f64 / 1e9,
                net_flow_24h: flow24.to_string(),
                net_flow_7d: flow7.to_string(),
                sparkline_7d: sparkline,
                exact: s.exact,
                as_of_block: last,
            });
        }
        Ok(Overview { as_of_block: last, as_of_timestamp_ms: timestamp, rows })
    }

    fn pool_of(info: Option<&SubnetInfo>, s: &PoolState) -> Pool {
        let mut pool = Pool::balancer(Reserves { tao: s.tao_reserve, alpha: s.alpha_in });
        if let Some(i) = info {
            pool.fee_rate = i.pool.fee_rate;
            pool.curve = i.pool.curve.clone();
        }
        pool
    }

    /// A subnet's page data.
    pub async fn subnet(&self, netuid: NetUid) -> Result<SubnetDetail> {
        let overview = self.overview().await?;
        let row = overview
            .rows
            .iter()
            .find(|r| r.netuid == netuid)
            .cloned()
            .ok_or(MarketError::UnknownSubnet(netuid))?;
        let last = overview.as_of_block;
        let state = self
            .store
            .states_at(last)
            .await?
            .unwrap_or_default()
            .into_iter()
            .find(|s| s.netuid == netuid)
            .ok_or(MarketError::UnknownSubnet(netuid))?;
        let info = self
            .store
            .subnets()
            .await?
            .into_iter()
            .find(|(i, _)| i.netuid == netuid)
            .map(|(i, _)| i);
        let p30 = self.prices_at(at_or_none(last, BLOCKS_PER_30D)).await?;
        let hourly =
            self.store.candles_h1(netuid, last.saturating_sub(BLOCKS_PER_30D), last).await?;
        let flows: Vec<i128> =
            hourly.iter().map(|c| i128::from(c.buy_volume) - i128::from(c.sell_volume)).collect();
        let pool = Self::pool_of(info.as_ref(), &state);
        let impacts = [100u16, 200, 500];
        Ok(SubnetDetail {
            change_30d: analytics::change(p30.get(&netuid).copied(), state.price),
            flow_ema: analytics::flow_ema(&flows, BLOCKS_PER_HOUR),
            max_buy_for_impact: impacts
                .iter()
                .map(|b| (*b, analytics::max_trade_for_impact(&pool, Side::Buy, *b).to_string()))
                .collect(),
            max_sell_for_impact: impacts
                .iter()
                .map(|b| (*b, analytics::max_trade_for_impact(&pool, Side::Sell, *b).to_string()))
                .collect(),
            row,
            info,
            state,
        })
    }

    /// Candles of `interval` over blocks `[from, to]` (at most [`MAX_CANDLES`]).
    pub async fn candles(
        &self,
        netuid: NetUid,
        interval: Interval,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Vec<Candle>> {
        if from > to {
            return Err(MarketError::Invalid(format!("range start {from} is after its end {to}")));
        }
        let span = (to - from) / interval.blocks() + 1;
        if span > MAX_CANDLES {
            return Err(MarketError::Invalid(format!(
                "{span} candles requested; at most {MAX_CANDLES} per request, narrow the range or widen the interval"
            )));
        }
        let from = interval.bucket_start(from);
        if interval.blocks() >= Interval::H1.blocks() {
            let hourly = self.store.candles_h1(netuid, from, to).await?;
            return Ok(analytics::rollup(&hourly, interval));
        }
        let prices: Vec<(BlockNumber, u64)> = self
            .store
            .states_range(from, to)
            .await?
            .into_iter()
            .filter_map(|(b, states)| {
                states.into_iter().find(|s| s.netuid == netuid).map(|s| (b, s.price))
            })
            .collect();
        let trades = self.store.trades_range(Some(netuid), from, to).await?;
        Ok(analytics::candles_from_prices(interval, netuid, &prices, &trades))
    }

    /// The trades tape, newest first, each flagged whale or not (`filter.min_tao` keeps only
    /// trades of at least that size).
    pub async fn trades(&self, filter: &TradeFilter) -> Result<Vec<TapeRow>> {
        Ok(self
            .store
            .trades(filter)
            .await?
            .into_iter()
            .map(|trade| {
                let threshold = match trade.dest_netuid {
                    Some(d) => self
                        .config
                        .whale_threshold(trade.netuid)
                        .min(self.config.whale_threshold(d)),
                    None => self.config.whale_threshold(trade.netuid),
                };
                TapeRow { whale: trade.tao >= threshold, trade }
            })
            .collect())
    }

    /// A subnet's holders and the top `limit`.
    pub async fn holders(&self, netuid: NetUid, limit: usize) -> Result<Holders> {
        let stakes = self.store.stakes_on(netuid).await?;
        Ok(analytics::holders(netuid, &stakes, limit))
    }

    /// Feed events, newest first.
    pub async fn events(&self, filter: &EventFilter) -> Result<Vec<FeedEvent>> {
        self.store.feed(filter).await
    }

    /// The predictability record of a subnet over blocks `[from, to]`.
    pub async fn predictability(
        &self,
        netuid: NetUid,
        from: BlockNumber,
        to: BlockNumber,
    ) -> Result<Predictability> {
        let changes = self.store.changes(Some(netuid), from, to).await?;
        let emissions = self.store.emissions(Some(netuid), from, to).await?;
        Ok(analytics::predictability(netuid, &changes, &emissions))
    }

    /// A coldkey's positions (read from the chain's head) valued against the last stored pools:
    /// spot value and exit value (selling everything now through the pool, fee included).
    pub async fn portfolio(&self, coldkey: AccountId) -> Result<Portfolio> {
        let last = self.last().await?;
        let states: BTreeMap<NetUid, PoolState> = self
            .store
            .states_at(last)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.netuid, s))
            .collect();
        let infos: BTreeMap<NetUid, SubnetInfo> =
            self.store.subnets().await?.into_iter().map(|(i, _)| (i.netuid, i)).collect();
        let mut positions = Vec::new();
        let (mut spot_total, mut exit_total) = (0u64, 0u64);
        for s in self.chain.stakes(coldkey).await? {
            if s.alpha == 0 {
                continue;
            }
            let (spot_value, exit) = match states.get(&s.netuid) {
                Some(_) if infos.get(&s.netuid).is_some_and(|i| i.mechanism == 0) => {
                    (s.alpha, Some((s.alpha, 0.0)))
                }
                Some(st) => {
                    let pool = Self::pool_of(infos.get(&s.netuid), st);
                    let exit = analytics::exit_value(&pool, s.alpha)
                        .ok()
                        .map(|o| (o.amount_out, o.price_impact()));
                    (crate::types::mul_price(s.alpha, st.price), exit)
                }
                None => (0, None),
            };
            spot_total = spot_total.saturating_add(spot_value);
            exit_total = exit_total.saturating_add(exit.map_or(0, |e| e.0));
            positions.push(Position {
                hotkey: s.hotkey,
                netuid: s.netuid,
                alpha: s.alpha,
                spot_value,
                exit_value: exit.map(|e| e.0.to_string()),
                exit_impact: exit.map(|e| e.1),
            });
        }
        Ok(Portfolio { coldkey, positions, spot_total, exit_total, as_of_block: last })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terminal shares these across axum handlers and tasks.
    #[test]
    fn handles_are_shareable_and_their_futures_send() {
        fn shareable<T: Send + Sync>() {}
        fn send<T: Send>(_: &T) {}
        shareable::<Market>();
        shareable::<Indexer>();
        shareable::<Store>();
        let _ = |m: &Market| {
            send(&m.overview());
            send(&m.subnet(1));
            send(&m.candles(1, Interval::H1, 0, 1));
            send(&m.trades(&TradeFilter::default()));
            send(&m.events(&EventFilter::default()));
            send(&m.portfolio(AccountId([0; 32])));
        };
        let _ = |i: &Indexer| {
            send(&i.sync());
            send(&i.run(tokio::sync::watch::channel(false).1));
        };
    }
}
