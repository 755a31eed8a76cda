//! What the simulated traders know about the market: a snapshot of the pools, refreshed every
//! few blocks, and a short price history for momentum.

use std::collections::{BTreeMap, VecDeque};

use chain::{BlockNumber, NetUid};
use parity_scale_codec::{Decode, Encode};
use rand::Rng;

use crate::genesis::TAO;
use crate::genesis::dmath::weighted_index;
use crate::runtime::Runtime;

/// TAO worth, rao, of `alpha` rao of alpha at `price` rao per alpha, floored.
///
/// Saturates at `u64::MAX` (a worth above all TAO there is): callers only compare it with trade
/// thresholds, where "more than anything" is the exact answer.
pub(super) fn tao_worth_floor(alpha: u64, price: u64) -> u64 {
    u64::try_from(u128::from(alpha) * u128::from(price) / u128::from(TAO)).unwrap_or(u64::MAX)
}

/// Alpha, rao, that `tao` rao buys at `price` rao per alpha, floored.
///
/// Saturates at `u64::MAX` (also for a price of 0): callers clamp it to the position they sell
/// from, so the saturated value never reaches a transaction.
pub(super) fn alpha_for_tao_floor(tao: u64, price: u64) -> u64 {
    (u128::from(tao) * u128::from(TAO))
        .checked_div(u128::from(price))
        .and_then(|alpha| u64::try_from(alpha).ok())
        .unwrap_or(u64::MAX)
}

/// Blocks between snapshots (and price samples).
pub(super) const SAMPLE_EVERY: u64 = 10;

/// Price samples kept per subnet.
const HISTORY: usize = 64;

/// [`Market`] as saved with the simulation.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub(super) struct SavedMarket {
    pools: Vec<PoolView>,
    history: Vec<(NetUid, Vec<u64>)>,
    refreshed_at: Option<BlockNumber>,
}

/// One pool as last seen.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub(super) struct PoolView {
    pub(super) netuid: NetUid,
    /// TAO reserve, rao.
    pub(super) tao: u64,
    /// Spot price, rao per alpha.
    pub(super) price: u64,
    /// Emission started (tradeable).
    pub(super) started: bool,
}

/// The market as the agents see it.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Market {
    pools: Vec<PoolView>,
    /// Pool TAO of tradeable pools, aligned with `pools` (0 for the others).
    weights: Vec<f64>,
    history: BTreeMap<NetUid, VecDeque<u64>>,
    refreshed_at: Option<BlockNumber>,
}

impl Market {
    /// Refreshes the snapshot if it is older than [`SAMPLE_EVERY`] blocks.
    pub(super) fn refresh(&mut self, runtime: &Runtime, now: BlockNumber) {
        if self.refreshed_at.is_some_and(|at| now >= at && now < at + SAMPLE_EVERY) {
            return;
        }
        self.refreshed_at = Some(now);
        self.pools.clear();
        self.weights.clear();
        for s in runtime.pool_summaries() {
            if s.stable {
                continue;
            }
            let history = self.history.entry(s.netuid).or_default();
            history.push_back(s.price);
            if history.len() > HISTORY {
                history.pop_front();
            }
            self.weights.push(if s.started && s.price > 0 { s.tao_reserve as f64 } else { 0.0 });
            self.pools.push(PoolView {
                netuid: s.netuid,
                tao: s.tao_reserve,
                price: s.price,
                started: s.started,
            });
        }
    }

    /// A tradeable pool, chosen with probability proportional to its TAO.
    pub(super) fn pick_by_size<R: Rng>(&self, rng: &mut R) -> Option<&PoolView> {
        weighted_index(rng, &self.weights).and_then(|i| self.pools.get(i))
    }

    /// A tradeable pool among the `n` largest, by size.
    pub(super) fn pick_large<R: Rng>(&self, rng: &mut R, n: usize) -> Option<&PoolView> {
        let mut sizes: Vec<f64> = self.weights.iter().copied().filter(|w| *w > 0.0).collect();
        sizes.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
        let cutoff = sizes.get(n.saturating_sub(1)).copied().unwrap_or(0.0);
        let w: Vec<f64> =
            self.weights.iter().map(|x| if *x >= cutoff && *x > 0.0 { *x } else { 0.0 }).collect();
        weighted_index(rng, &w).and_then(|i| self.pools.get(i))
    }

    /// A pool by netuid.
    pub(super) fn pool(&self, netuid: NetUid) -> Option<&PoolView> {
        self.pools.iter().find(|p| p.netuid == netuid)
    }

    /// Tradeable pools.
    pub(super) fn tradeable(&self) -> impl Iterator<Item = &PoolView> {
        self.pools.iter().filter(|p| p.started && p.price > 0)
    }

    /// What the agents remember of the market, to resume after a restart.
    pub(super) fn save(&self) -> SavedMarket {
        SavedMarket {
            pools: self.pools.clone(),
            history: self.history.iter().map(|(n, h)| (*n, h.iter().copied().collect())).collect(),
            refreshed_at: self.refreshed_at,
        }
    }

    /// The market as saved by [`Market::save`].
    pub(super) fn restore(saved: SavedMarket) -> Market {
        // The draw weights follow from the pools (tradeable pools by their TAO).
        let weights = saved
            .pools
            .iter()
            .map(|p| if p.started && p.price > 0 { p.tao as f64 } else { 0.0 })
            .collect();
        Market {
            pools: saved.pools,
            weights,
            history: saved.history.into_iter().map(|(n, h)| (n, h.into())).collect(),
            refreshed_at: saved.refreshed_at,
        }
    }

    /// Relative price change over the last `samples` samples (None without enough history).
    pub(super) fn change(&self, netuid: NetUid, samples: usize) -> Option<f64> {
        let h = self.history.get(&netuid)?;
        if h.len() <= samples {
            return None;
        }
        let now = *h.back()? as f64;
        let then = *h.get(h.len() - 1 - samples)? as f64;
        (then > 0.0).then(|| now / then - 1.0)
    }
}

#[cfg(test)]
mod conversion_tests {
    use super::*;

    #[test]
    fn worth_and_amounts_are_floored_and_saturate_instead_of_wrapping() {
        assert_eq!(tao_worth_floor(3 * TAO, TAO / 2), 3 * TAO / 2);
        assert_eq!(tao_worth_floor(1, TAO - 1), 0);
        // 2^64 rao of TAO worth used to wrap to a small number with `as u64`.
        assert_eq!(tao_worth_floor(u64::MAX, 2 * TAO), u64::MAX);
        assert_eq!(alpha_for_tao_floor(TAO, TAO / 4), 4 * TAO);
        assert_eq!(alpha_for_tao_floor(u64::MAX, 1), u64::MAX);
        assert_eq!(alpha_for_tao_floor(TAO, 0), u64::MAX);
    }
}
