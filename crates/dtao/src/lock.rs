//! Subnet registration lock cost (reference §2.5, `get_network_lock_cost`).
//!
//! Registering a subnet locks TAO. The cost doubles with each registration and decays
//! linearly back over `NetworkLockReductionInterval` blocks, never below the minimum:
//!
//! cost = max(min_lock, mult·last_lock − ⌊last_lock / interval⌋ · (now − last_lock_block))
//!
//! with mult = 2, or 1 if there has never been a lock. Integer rao throughout, with the
//! chain's saturating arithmetic (the decay saturates at 0 before the minimum applies).

/// `NetworkMinLockCost` default: 1000 TAO in rao.
pub const MIN_LOCK_RAO: u64 = 1_000 * crate::units::RAO_PER_TAO;

/// `NetworkLockReductionInterval` runtime default, in blocks (14 days).
pub const DEFAULT_LOCK_REDUCTION_INTERVAL: u64 = 100_800;

/// The interval a mainnet migration set, in blocks (8 days).
pub const MAINNET_LOCK_REDUCTION_INTERVAL: u64 = 57_600;

/// `NetworkRateLimit` runtime default: blocks between two subnet registrations.
pub const DEFAULT_NETWORK_RATE_LIMIT: u64 = 7_200;

/// The rate limit a mainnet migration set, in blocks.
pub const MAINNET_NETWORK_RATE_LIMIT: u64 = 28_800;

/// The chain state the lock cost depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockState {
    /// `NetworkLastLockCost`: the previous registration's lock, in rao.
    pub last_lock_rao: u64,
    /// `NetworkLastLockBlock`: block of the previous registration; 0 means never.
    pub last_lock_block: u64,
}

/// The lock-cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockParams {
    /// `NetworkMinLockCost` in rao.
    pub min_lock_rao: u64,
    /// `NetworkLockReductionInterval` in blocks. 0 disables the decay (the chain's `safe_div`
    /// by zero yields 0).
    pub reduction_interval: u64,
}

impl Default for LockParams {
    fn default() -> Self {
        Self { min_lock_rao: MIN_LOCK_RAO, reduction_interval: DEFAULT_LOCK_REDUCTION_INTERVAL }
    }
}

/// Lock cost in rao to register a subnet at `current_block`.
///
/// "Never locked" is recognised the chain's way, by `last_lock_block == 0`; then the factor is 1
/// and the cost is just the decayed last lock (the genesis value of `NetworkLastLockCost`). A
/// `current_block` before `last_lock_block` counts as no time elapsed.
pub fn lock_cost_rao(state: LockState, params: LockParams, current_block: u64) -> u64 {
    let mult = if state.last_lock_block == 0 { 1 } else { 2 };
    let decay_per_block = state.last_lock_rao.checked_div(params.reduction_interval).unwrap_or(0);
    let elapsed = current_block.saturating_sub(state.last_lock_block);
    let cost = state
        .last_lock_rao
        .saturating_mul(mult)
        .saturating_sub(decay_per_block.saturating_mul(elapsed));
    cost.max(params.min_lock_rao)
}

/// The state after a registration at `current_block` that paid `lock_rao`.
pub fn after_registration(lock_rao: u64, current_block: u64) -> LockState {
    LockState { last_lock_rao: lock_rao, last_lock_block: current_block }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::units::RAO_PER_TAO as TAO;

    fn state(last_lock_tao: u64, block: u64) -> LockState {
        LockState { last_lock_rao: last_lock_tao * TAO, last_lock_block: block }
    }

    #[test]
    fn doubles_right_after_a_registration() {
        let s = state(1_250, 1_000);
        assert_eq!(lock_cost_rao(s, LockParams::default(), 1_000), 2_500 * TAO);
    }

    #[test]
    fn never_locked_uses_factor_one() {
        let s = state(1_500, 0);
        assert_eq!(lock_cost_rao(s, LockParams::default(), 0), 1_500 * TAO);
        // Still decays from block 0.
        let decayed = lock_cost_rao(s, LockParams::default(), 100_800 / 2);
        assert!((MIN_LOCK_RAO..1_500 * TAO).contains(&decayed));
    }

    #[test]
    fn exactly_one_interval_later_is_back_to_last_lock() {
        // 2L − (L/I)·I = L when I divides L.
        let params = LockParams { min_lock_rao: MIN_LOCK_RAO, reduction_interval: 100_000 };
        let s = state(5_000, 10);
        assert_eq!(lock_cost_rao(s, params, 10 + 100_000), 5_000 * TAO);
        // When it does not, the floor leaves the remainder: L/I rounds down.
        let last = 5_000 * TAO + 99_999;
        let s = LockState { last_lock_rao: last, last_lock_block: 10 };
        let per_block = last / 100_000;
        assert_eq!(lock_cost_rao(s, params, 10 + 100_000), 2 * last - per_block * 100_000);
    }

    #[test]
    fn long_after_falls_to_the_minimum() {
        let s = state(5_000, 10);
        assert_eq!(lock_cost_rao(s, LockParams::default(), 10_000_000), MIN_LOCK_RAO);
        assert_eq!(lock_cost_rao(s, LockParams::default(), u64::MAX), MIN_LOCK_RAO);
    }

    #[test]
    fn saturations() {
        // Doubling a huge lock saturates at u64::MAX rather than wrapping.
        let s = LockState { last_lock_rao: u64::MAX, last_lock_block: 5 };
        assert_eq!(lock_cost_rao(s, LockParams::default(), 5), u64::MAX);
        // A clock before the last lock counts as no time elapsed.
        let s = state(2_000, 1_000);
        assert_eq!(lock_cost_rao(s, LockParams::default(), 10), 4_000 * TAO);
        // Interval 0 disables the decay.
        let params = LockParams { min_lock_rao: MIN_LOCK_RAO, reduction_interval: 0 };
        assert_eq!(lock_cost_rao(s, params, 1_000_000), 4_000 * TAO);
        // Interval larger than the lock: per-block decay rounds to 0.
        let params = LockParams { min_lock_rao: 0, reduction_interval: u64::MAX };
        assert_eq!(lock_cost_rao(state(1, 1), params, u64::MAX), 2 * TAO);
    }

    #[test]
    fn registration_updates_state() {
        let s = after_registration(2_500 * TAO, 42);
        assert_eq!(s, state(2_500, 42));
        assert_eq!(lock_cost_rao(s, LockParams::default(), 42), 5_000 * TAO);
    }

    proptest! {
        #[test]
        fn cost_is_at_least_min_lock(
            last in any::<u64>(),
            last_block in any::<u64>(),
            now in any::<u64>(),
            min in any::<u64>(),
            interval in any::<u64>(),
        ) {
            let params = LockParams { min_lock_rao: min, reduction_interval: interval };
            let cost = lock_cost_rao(LockState { last_lock_rao: last, last_lock_block: last_block }, params, now);
            prop_assert!(cost >= min);
        }

        #[test]
        fn cost_never_rises_with_time(
            last in 0_u64..1_000_000 * TAO,
            last_block in 1_u64..1_000_000,
            dt in 0_u64..1_000_000,
            extra in 0_u64..1_000_000,
        ) {
            let s = LockState { last_lock_rao: last, last_lock_block: last_block };
            let p = LockParams::default();
            prop_assert!(lock_cost_rao(s, p, last_block + dt + extra) <= lock_cost_rao(s, p, last_block + dt));
        }
    }
}
