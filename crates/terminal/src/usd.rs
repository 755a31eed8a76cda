//! The TAO/USD price: from configuration ([`FixedUsd`]) or polled from a price feed URL
//! ([`UsdFeed`]). Never a constant in the code: with no source, the $ view is disabled.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use tokio::sync::watch;

use crate::task::{StopSignal, TaskHandle, stopped};
use chain::Clock;

/// A TAO/USD price and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsdQuote {
    /// USD per TAO.
    pub usd_per_tao: f64,
    /// Where it came from ("configuration" or the feed URL).
    pub source: String,
    /// When it was set or fetched, Unix ms.
    pub as_of_ms: u64,
}

/// A source of the TAO/USD price.
pub trait UsdSource: Send + Sync {
    /// The current price, if any.
    fn quote(&self) -> Option<UsdQuote>;
}

/// No price: the $ view is disabled.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoUsd;

impl UsdSource for NoUsd {
    fn quote(&self) -> Option<UsdQuote> {
        None
    }
}

/// The source of a price given in configuration (pages word it in their language).
pub(crate) const CONFIGURED: &str = "configuration";

/// A price given in configuration (`--usd-price`).
#[derive(Debug, Clone)]
pub struct FixedUsd(UsdQuote);

impl FixedUsd {
    /// A configured price; `None` unless it is finite and positive.
    pub fn new(usd_per_tao: f64, as_of_ms: u64) -> Option<Self> {
        (usd_per_tao.is_finite() && usd_per_tao > 0.0)
            .then(|| Self(UsdQuote { usd_per_tao, source: CONFIGURED.to_string(), as_of_ms }))
    }
}

impl UsdSource for FixedUsd {
    fn quote(&self) -> Option<UsdQuote> {
        Some(self.0.clone())
    }
}

/// A price polled from an `http://` URL answering JSON: a bare number, or an object holding a
/// number under `usd`, `price` or `tao_usd` at any depth (CoinGecko's `{"bittensor":{"usd":…}}`
/// works). HTTPS feeds go through a local proxy: the terminal links no TLS stack.
#[derive(Debug)]
pub struct UsdFeed {
    latest: watch::Sender<Option<UsdQuote>>,
}

impl Default for UsdFeed {
    fn default() -> Self {
        Self { latest: watch::channel(None).0 }
    }
}

impl UsdSource for UsdFeed {
    fn quote(&self) -> Option<UsdQuote> {
        self.latest.borrow().clone()
    }
}

impl UsdFeed {
    /// Starts polling `url` every `every`; the handle owns the poller.
    pub fn spawn(url: String, every: Duration, clock: Arc<dyn Clock>) -> (Arc<Self>, TaskHandle) {
        let feed = Arc::new(Self::default());
        let owned = feed.clone();
        let handle = TaskHandle::spawn(move |stop| poll(owned, url, every, clock, stop));
        (feed, handle)
    }

    /// Sets the price (what a poll does).
    pub fn set(&self, quote: UsdQuote) {
        self.latest.send_replace(Some(quote));
    }

    /// Watches the price (each successful poll).
    pub fn subscribe(&self) -> watch::Receiver<Option<UsdQuote>> {
        self.latest.subscribe()
    }
}

async fn poll(
    feed: Arc<UsdFeed>,
    url: String,
    every: Duration,
    clock: Arc<dyn Clock>,
    mut stop: StopSignal,
) {
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut ticker = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => return,
            _ = ticker.tick() => {}
        }
        match fetch(&client, &url).await {
            Ok(usd_per_tao) => {
                feed.set(UsdQuote { usd_per_tao, source: url.clone(), as_of_ms: clock.now_ms() })
            }
            Err(e) => {
                tracing::warn!(%url, error = %e, "terminal: TAO/USD price feed failed; keeping the last price")
            }
        }
    }
}

async fn fetch(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Empty<Bytes>>,
    url: &str,
) -> Result<f64, String> {
    let uri: axum::http::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    let response = tokio::time::timeout(Duration::from_secs(10), client.get(uri))
        .await
        .map_err(|_| "timed out after 10 s".to_string())?
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))?;
    parse_price(&value).ok_or_else(|| "no positive number under usd/price/tao_usd".to_string())
}

/// Finds the price in a feed's JSON (see [`UsdFeed`]).
pub fn parse_price(value: &serde_json::Value) -> Option<f64> {
    let ok = |f: f64| (f.is_finite() && f > 0.0).then_some(f);
    match value {
        serde_json::Value::Number(n) => n.as_f64().and_then(ok),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok().and_then(ok),
        serde_json::Value::Object(map) => {
            for key in ["usd", "price", "tao_usd"] {
                if let Some(p) = map.get(key).and_then(parse_price) {
                    return Some(p);
                }
            }
            map.values().filter(|v| v.is_object()).find_map(parse_price)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_shapes_parse() {
        assert_eq!(parse_price(&serde_json::json!(431.5)), Some(431.5));
        assert_eq!(parse_price(&serde_json::json!({"bittensor": {"usd": 402.1}})), Some(402.1));
        assert_eq!(parse_price(&serde_json::json!({"price": "12.5"})), Some(12.5));
        assert_eq!(parse_price(&serde_json::json!({"usd": -1})), None);
        assert!(FixedUsd::new(0.0, 0).is_none());
    }
}
