//! Per-client rate limits (a token bucket per IP) and the security headers every response
//! carries.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::{AppState, RateLimit};

const SHARDS: usize = 16;
/// Above this many tracked clients in a shard, full buckets are forgotten.
const PRUNE_AT: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_ms: u64,
}

/// Token buckets by client IP, sharded to keep lock contention low.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: Option<RateLimit>,
    shards: Vec<Mutex<HashMap<IpAddr, Bucket>>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self { limit, shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }

    /// Takes a token for `ip` at `now_ms`; `Err(seconds)` to wait if none is left.
    pub(crate) fn check(&self, ip: IpAddr, now_ms: u64) -> Result<(), u64> {
        let Some(limit) = self.limit else { return Ok(()) };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        ip.hash(&mut h);
        let shard = usize::try_from(h.finish() % SHARDS as u64).unwrap_or(0);
        // `shard < SHARDS` by construction; were it not, refusing is the safe side.
        let Some(lock) = self.shards.get(shard) else { return Err(1) };
        // A panic while the lock was held leaves at worst one bucket half-updated, and every
        // (tokens, last_ms) pair is a valid bucket: no invariant spans entries. So the map is
        // taken back and limiting goes on; failing open here would lift the limit for every
        // client of the shard for the life of the process.
        let mut map = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let cap = f64::from(limit.burst.max(1));
        let rate = limit.per_second.max(1e-6);
        if map.len() > PRUNE_AT {
            map.retain(|_, b| {
                b.tokens + (now_ms.saturating_sub(b.last_ms) as f64) * rate / 1000.0 < cap
            });
        }
        let b = map.entry(ip).or_insert(Bucket { tokens: cap, last_ms: now_ms });
        let elapsed = now_ms.saturating_sub(b.last_ms) as f64;
        b.tokens = (b.tokens + elapsed * rate / 1000.0).min(cap);
        b.last_ms = now_ms.max(b.last_ms);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - b.tokens) / rate).ceil().max(1.0);
            Err(wait as u64)
        }
    }
}

/// The client's IP: the socket peer, or the first `X-Forwarded-For` hop when configured.
fn client_ip(state: &AppState, req: &Request) -> IpAddr {
    if state.config.trust_forwarded_for
        && let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return ip;
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// Middleware: 429 with `Retry-After` when the client's bucket is empty.
pub(crate) async fn rate_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let ip = client_ip(&state, &req);
    match state.limiter.check(ip, state.clock.now_ms()) {
        Ok(()) => next.run(req).await,
        Err(retry_after_secs) => ApiError::RateLimited { retry_after_secs }.into_response(),
    }
}

/// The Content-Security-Policy: only our own scripts, styles, images and connections; no
/// inline scripts; never framed. `'wasm-unsafe-eval'` lets the wallet compile its own
/// WebAssembly (the keys crate), served from `/assets` like every script.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Middleware: security headers on every response.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

/// Middleware for the public API: any origin may read it (no credentials are involved).
pub(crate) async fn public_api(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_at_the_configured_rate() {
        let l = RateLimiter::new(Some(RateLimit { per_second: 2.0, burst: 2 }));
        let ip: IpAddr = "127.0.0.1".parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(l.check(ip, 0).is_ok());
        assert!(l.check(ip, 0).is_ok());
        assert_eq!(l.check(ip, 0), Err(1));
        assert!(l.check(ip, 500).is_ok());
        assert_eq!(l.check(ip, 500), Err(1));
        let other: IpAddr = "127.0.0.2".parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert!(l.check(other, 500).is_ok());
        assert!(RateLimiter::new(None).check(ip, 0).is_ok());
    }

    #[test]
    fn a_poisoned_shard_still_limits() {
        let l = RateLimiter::new(Some(RateLimit { per_second: 1.0, burst: 1 }));
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert!(l.check(ip, 0).is_ok());
        std::thread::scope(|s| {
            let poisoner = s.spawn(|| {
                let _guards: Vec<_> = l.shards.iter().map(|m| m.lock()).collect();
                panic!("poison every shard");
            });
            assert!(poisoner.join().is_err());
        });
        assert!(l.shards.iter().all(Mutex::is_poisoned));
        assert_eq!(l.check(ip, 0), Err(1), "the empty bucket survived the poisoning");
        assert!(l.check(ip, 1_000).is_ok());
    }
}
