//! The one wall clock every service reads, injected so that tests can fix it.
//!
//! One unit for everyone: nanoseconds since the Unix epoch. Dojo's request nonces are
//! nanoseconds (as the Python SDK's `time.time_ns()`); block timestamps, rate limits and
//! freshness checks read milliseconds through [`Clock::now_ms`], which truncates.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds in one millisecond.
pub const NANOS_PER_MILLI: u64 = 1_000_000;

/// Wall time, injected so that tests can fix it.
pub trait Clock: Send + Sync + 'static {
    /// Nanoseconds since the Unix epoch.
    fn now_ns(&self) -> u64;

    /// Milliseconds since the Unix epoch (truncated from [`Clock::now_ns`]).
    fn now_ms(&self) -> u64 {
        self.now_ns() / NANOS_PER_MILLI
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ns(&self) -> u64 {
        // Before 1970 reads as 0 and past 2554 as u64::MAX: neither is a time a service runs at.
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
    }
}

/// A clock that moves only when told to (tests).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock at `now_ns` nanoseconds since the Unix epoch.
    pub fn new(now_ns: u64) -> Self {
        Self(AtomicU64::new(now_ns))
    }

    /// A clock at `now_ms` milliseconds since the Unix epoch (saturating past year 2554).
    pub fn from_ms(now_ms: u64) -> Self {
        Self::new(now_ms.saturating_mul(NANOS_PER_MILLI))
    }

    /// Sets the time, in nanoseconds since the Unix epoch.
    pub fn set_ns(&self, now_ns: u64) {
        self.0.store(now_ns, Ordering::SeqCst);
    }

    /// Sets the time, in milliseconds since the Unix epoch.
    pub fn set_ms(&self, now_ms: u64) {
        self.set_ns(now_ms.saturating_mul(NANOS_PER_MILLI));
    }

    /// Moves the time forward by `ns` nanoseconds.
    pub fn advance_ns(&self, ns: u64) {
        self.0.fetch_add(ns, Ordering::SeqCst);
    }

    /// Moves the time forward by `ms` milliseconds.
    pub fn advance_ms(&self, ms: u64) {
        self.advance_ns(ms.saturating_mul(NANOS_PER_MILLI));
    }
}

impl Clock for ManualClock {
    fn now_ns(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_truncate_nanoseconds() {
        let clock = ManualClock::new(1_999_999);
        assert_eq!(clock.now_ms(), 1);
        clock.advance_ns(1);
        assert_eq!(clock.now_ms(), 2);
        assert_eq!(clock.now_ns(), 2_000_000);
    }

    #[test]
    fn millisecond_setters_round_trip() {
        let clock = ManualClock::from_ms(1_700_000_000_123);
        assert_eq!(clock.now_ms(), 1_700_000_000_123);
        assert_eq!(clock.now_ns(), 1_700_000_000_123_000_000);
        clock.advance_ms(877);
        assert_eq!(clock.now_ms(), 1_700_000_001_000);
        clock.set_ms(5);
        assert_eq!(clock.now_ns(), 5_000_000);
        clock.set_ns(7);
        assert_eq!(clock.now_ms(), 0);
    }

    #[test]
    fn system_clock_agrees_with_itself_in_both_units() {
        let clock = SystemClock;
        let before_ms = clock.now_ms();
        let ns = clock.now_ns();
        let after_ms = clock.now_ms();
        assert!(before_ms <= ns / NANOS_PER_MILLI && ns / NANOS_PER_MILLI <= after_ms);
        // After 2020-01-01: a clock reading 0 or a seconds value would fail here.
        assert!(ns > 1_577_836_800 * 1_000 * NANOS_PER_MILLI);
    }

    #[test]
    fn usable_as_a_trait_object() {
        let clock: std::sync::Arc<dyn Clock> = std::sync::Arc::new(ManualClock::from_ms(42));
        assert_eq!(clock.now_ms(), 42);
    }
}
