//! Login rate limiting: a fixed window of attempts per key (a username, a client address).

use std::collections::HashMap;
use std::sync::Mutex;

/// How many login attempts are allowed, per username and per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    /// Attempts per window for one username (any letter case).
    pub per_username: u32,
    /// Attempts per window from one client IP address.
    pub per_ip: u32,
    /// Window length, seconds.
    pub window_secs: u64,
}

impl Default for LoginLimit {
    /// 10 attempts a minute per username and per address.
    fn default() -> Self {
        LoginLimit { per_username: 10, per_ip: 10, window_secs: 60 }
    }
}

/// Entries beyond which expired windows are dropped (bounds memory under a flood of names).
const PRUNE_AT: usize = 10_000;

/// Counts attempts per key in fixed windows.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    windows: Mutex<HashMap<String, (u64, u32)>>,
}

impl Limiter {
    /// Counts an attempt for every key; `Err(seconds to wait)` if any key is over its limit
    /// (the attempt is still counted, so hammering does not open the window early).
    pub(crate) fn attempt(
        &self,
        keys: &[(String, u32)],
        window_ns: u64,
        now_ns: u64,
    ) -> Result<(), u64> {
        let mut w = match self.windows.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if w.len() > PRUNE_AT {
            w.retain(|_, (start, _)| now_ns.saturating_sub(*start) < window_ns);
        }
        let mut wait_ns = 0u64;
        for (key, limit) in keys {
            let e = w.entry(key.clone()).or_insert((now_ns, 0));
            if now_ns.saturating_sub(e.0) >= window_ns {
                *e = (now_ns, 0);
            }
            e.1 = e.1.saturating_add(1);
            if e.1 > *limit {
                wait_ns = wait_ns.max((e.0 + window_ns).saturating_sub(now_ns));
            }
        }
        if wait_ns == 0 { Ok(()) } else { Err(wait_ns.div_ceil(1_000_000_000).max(1)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_in_a_window_waits_for_the_next() {
        let l = Limiter::default();
        let keys = [("u:alice".to_string(), 10)];
        let s = 1_000_000_000u64;
        for i in 0..10 {
            assert_eq!(l.attempt(&keys, 60 * s, i * s), Ok(()));
        }
        assert_eq!(l.attempt(&keys, 60 * s, 15 * s), Err(45));
        assert_eq!(l.attempt(&[("u:bob".to_string(), 10)], 60 * s, 15 * s), Ok(()));
        assert_eq!(l.attempt(&keys, 60 * s, 60 * s), Ok(()));
    }
}
