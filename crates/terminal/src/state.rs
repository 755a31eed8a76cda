//! [`AppState`]: what every handler shares, and [`Config`].

use std::sync::Arc;

use chain::Chain;

use crate::limit::RateLimiter;
use crate::live::Live;
use crate::read::MarketRead;
use crate::usd::UsdSource;
use chain::Clock;

/// Per-client rate limit: a token bucket per IP address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Bucket size: requests allowed in a burst.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self { per_second: 20.0, burst: 100 }
    }
}

/// Terminal configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// API rate limit per client IP; `None` disables it (benchmarks, trusted networks).
    pub rate_limit: Option<RateLimit>,
    /// Take the client IP from the first `X-Forwarded-For` entry (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    /// Largest page the list endpoints return.
    pub max_page: u32,
    /// Most WebSocket clients at once.
    pub max_stream_clients: usize,
    /// How long a prepared transaction may be submitted, ms.
    pub tx_ttl_ms: u64,
    /// The network the pages show, named in every page's status line (`localnet`, `finney`…).
    pub network: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rate_limit: Some(RateLimit::default()),
            trust_forwarded_for: false,
            max_page: 500,
            max_stream_clients: 10_000,
            tx_ttl_ms: crate::tx::DEFAULT_TX_TTL_MS,
            network: "localnet".into(),
        }
    }
}

/// Shared state of the router: trait objects for everything outside the terminal.
#[derive(Clone)]
pub struct AppState {
    /// Market data.
    pub market: Arc<dyn MarketRead>,
    /// The chain (validators, live heads).
    pub chain: Arc<dyn Chain>,
    /// Wall-clock time for freshness and rate limits.
    pub clock: Arc<dyn Clock>,
    /// TAO/USD price source.
    pub usd: Arc<dyn UsdSource>,
    /// Configuration.
    pub config: Arc<Config>,
    /// The live channel pages and stream clients listen to.
    pub live: Live,
    pub(crate) limiter: Arc<RateLimiter>,
    pub(crate) overview_cache: crate::api::SharedOverviewCache,
    pub(crate) page_cache: Arc<crate::pages::PageCache>,
    pub(crate) tx: crate::tx::SharedTxBook,
}

impl AppState {
    /// State from its parts.
    pub fn new(
        market: Arc<dyn MarketRead>,
        chain: Arc<dyn Chain>,
        clock: Arc<dyn Clock>,
        usd: Arc<dyn UsdSource>,
        config: Config,
    ) -> Self {
        let limiter = Arc::new(RateLimiter::new(config.rate_limit));
        Self {
            market,
            chain,
            clock,
            usd,
            config: Arc::new(config),
            live: Live::new(),
            limiter,
            overview_cache: Default::default(),
            page_cache: Default::default(),
            tx: Default::default(),
        }
    }
}
