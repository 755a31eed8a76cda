//! [`MarketRead`]: the market data the terminal serves, as a trait so the pages and the API can
//! be tested with fixtures. [`market::Market`] (the indexer's store) implements it.

use std::sync::Arc;

use async_trait::async_trait;
use chain::{AccountId, BlockNumber, NetUid};
use market::analytics::{Holders, Predictability};
use market::backprop::{BackpropView, Window};
use market::{
    Candle, EventFilter, FeedEvent, Interval, Market, Overview, Portfolio, SubnetDetail, TapeRow,
    TradeFilter,
};
use tokio::sync::broadcast;

/// Read access to market data (object-safe; share as `Arc<dyn MarketRead>`).
#[async_trait]
pub trait MarketRead: Send + Sync {
    /// One row per subnet, as of the last stored block.
    async fn overview(&self) -> market::Result<Arc<Overview>>;
    /// A subnet's detail.
    async fn subnet(&self, netuid: NetUid) -> market::Result<SubnetDetail>;
    /// Candles over blocks `[from, to]`.
    async fn candles(
        &self,
        netuid: NetUid,
        interval: Interval,
        from: BlockNumber,
        to: BlockNumber,
    ) -> market::Result<Vec<Candle>>;
    /// The trades tape, newest first.
    async fn trades(&self, filter: &TradeFilter) -> market::Result<Vec<TapeRow>>;
    /// Holders and the top `limit`.
    async fn holders(&self, netuid: NetUid, limit: usize) -> market::Result<Holders>;
    /// Feed events, newest first.
    async fn events(&self, filter: &EventFilter) -> market::Result<Vec<FeedEvent>>;
    /// The predictability record over blocks `[from, to]`.
    async fn predictability(
        &self,
        netuid: NetUid,
        from: BlockNumber,
        to: BlockNumber,
    ) -> market::Result<Predictability>;
    /// A coldkey's positions with spot and exit values.
    async fn portfolio(&self, coldkey: AccountId) -> market::Result<Portfolio>;
    /// Where traders moved emissions over a window.
    async fn backprop(&self, window: Window) -> market::Result<BackpropView>;
    /// Live feed events.
    fn subscribe(&self) -> broadcast::Receiver<FeedEvent>;
}

#[async_trait]
impl MarketRead for Market {
    async fn overview(&self) -> market::Result<Arc<Overview>> {
        Market::overview(self).await
    }
    async fn subnet(&self, netuid: NetUid) -> market::Result<SubnetDetail> {
        Market::subnet(self, netuid).await
    }
    async fn candles(
        &self,
        netuid: NetUid,
        interval: Interval,
        from: BlockNumber,
        to: BlockNumber,
    ) -> market::Result<Vec<Candle>> {
        Market::candles(self, netuid, interval, from, to).await
    }
    async fn trades(&self, filter: &TradeFilter) -> market::Result<Vec<TapeRow>> {
        Market::trades(self, filter).await
    }
    async fn holders(&self, netuid: NetUid, limit: usize) -> market::Result<Holders> {
        Market::holders(self, netuid, limit).await
    }
    async fn events(&self, filter: &EventFilter) -> market::Result<Vec<FeedEvent>> {
        Market::events(self, filter).await
    }
    async fn predictability(
        &self,
        netuid: NetUid,
        from: BlockNumber,
        to: BlockNumber,
    ) -> market::Result<Predictability> {
        Market::predictability(self, netuid, from, to).await
    }
    async fn portfolio(&self, coldkey: AccountId) -> market::Result<Portfolio> {
        Market::portfolio(self, coldkey).await
    }
    async fn backprop(&self, window: Window) -> market::Result<BackpropView> {
        Market::backprop(self, window).await
    }
    fn subscribe(&self) -> broadcast::Receiver<FeedEvent> {
        Market::subscribe(self)
    }
}
