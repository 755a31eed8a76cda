//! The superellipse pool of the newest runtime (reference §2.6).
//!
//! In Q32 fixed point (values × 2³²), with centres `Cx`, `Cy` and semi-axes `a`, `b`, the pool
//! state `(x, y)` maps to `X = Cx − x·2³²`, `Y = Cy − y·2³²`, and trades keep
//! `X²b² + Y²a²` constant. Calibrated at reserves `(x0, y0)` and weights, it starts with the
//! weighted pool's price and slope, but it is bounded: with `w = ½` a single buy must be smaller
//! than the TAO reserve, else [`SwapError::OutsideDomain`]. Injection shifts the centres, which
//! leaves price and slope unchanged.

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};
use substrate_fixed::types::U64F64;

use super::balancer::PERQUINTILL;
use super::{Curve, Reserves, Side, SwapError};

const Q32: u32 = 32;

/// Calibrated superellipse parameters, all in Q32.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Superellipse {
    a: u128,
    b: u128,
    cx: u128,
    cy: u128,
}

impl Superellipse {
    /// The calibrated parameters `[a, b, Cx, Cy]`, all Q32: what identifies the curve exactly
    /// (a state digest hashes them).
    pub fn parameters_q32(&self) -> [u128; 4] {
        [self.a, self.b, self.cx, self.cy]
    }

    /// Calibrates the curve at reserves `(alpha, tao)` with quote weight `quote_weight`
    /// (Perquintill parts; ½ for a pool migrated from the default weighted pool).
    pub fn calibrate(reserves: Reserves, quote_weight: u64) -> Self {
        let w2 = u128::from(quote_weight.min(PERQUINTILL));
        let w1 = u128::from(PERQUINTILL) - w2;
        let q33 = |reserve: u64, w: u128| {
            // reserve · w · 2^33 / 1e18 ≤ 2^97: the intermediate needs more than u128.
            ((BigUint::from(reserve) * BigUint::from(w)) << 33u32) / BigUint::from(PERQUINTILL)
        };
        let a = q33(reserves.alpha, w2).to_u128().unwrap_or(u128::MAX);
        let b = q33(reserves.tao, w1).to_u128().unwrap_or(u128::MAX);
        let cx = (u128::from(reserves.alpha) << Q32).saturating_add(a);
        let cy = (u128::from(reserves.tao) << Q32).saturating_add(b);
        Self { a, b, cx, cy }
    }

    fn coordinates(&self, reserves: Reserves) -> Result<(u128, u128), SwapError> {
        let x = self.cx.checked_sub(u128::from(reserves.alpha) << Q32).filter(|v| *v > 0);
        let y = self.cy.checked_sub(u128::from(reserves.tao) << Q32).filter(|v| *v > 0);
        x.zip(y).ok_or(SwapError::OutsideDomain)
    }

    /// Moves along the curve: the paying side's coordinate drops from `from` to `to`; returns
    /// the other coordinate's new value given its old one `other`.
    /// `other′ = isqrt(other² + ⌊(from² − to²)·k_num²/k_den²⌋)`.
    fn slide(from: u128, to: u128, other: u128, k_num: u128, k_den: u128) -> Option<BigUint> {
        if k_den == 0 {
            return None;
        }
        let (from, to, other) = (BigUint::from(from), BigUint::from(to), BigUint::from(other));
        let (k_num, k_den) = (BigUint::from(k_num), BigUint::from(k_den));
        let gain = (&from * &from - &to * &to) * &k_num * &k_num / (&k_den * &k_den);
        Some((&other * &other + gain).sqrt())
    }
}

impl Curve for Superellipse {
    fn spot_price(&self, reserves: Reserves) -> U64F64 {
        let Ok((x, y)) = self.coordinates(reserves) else { return U64F64::from_bits(0) };
        let (a, b) = (BigUint::from(self.a), BigUint::from(self.b));
        let den = &a * &a * BigUint::from(y);
        if den.is_zero() {
            return U64F64::from_bits(0);
        }
        let bits = ((&b * &b * BigUint::from(x)) << 64u32) / den;
        U64F64::from_bits(bits.to_u128().unwrap_or(u128::MAX))
    }

    fn amount_out(&self, reserves: Reserves, side: Side, net_in: u64) -> Result<u64, SwapError> {
        if net_in == 0 {
            return Ok(0);
        }
        let (x, y) = self.coordinates(reserves)?;
        let step = u128::from(net_in) << Q32;
        let (from, other, k_num, k_den) = match side {
            Side::Buy => (y, x, self.a, self.b),
            Side::Sell => (x, y, self.b, self.a),
        };
        let to = from.checked_sub(step).filter(|v| *v > 0).ok_or(SwapError::OutsideDomain)?;
        let moved = Self::slide(from, to, other, k_num, k_den).ok_or(SwapError::OutsideDomain)?;
        let out = (moved - BigUint::from(other)) >> Q32;
        Ok(out.to_u64().unwrap_or(u64::MAX))
    }

    fn input_to_price(
        &self,
        reserves: Reserves,
        side: Side,
        _current: U64F64,
        target: U64F64,
    ) -> u64 {
        // The largest net input whose resulting price stays within the target.
        let Ok((x, y)) = self.coordinates(reserves) else { return 0 };
        let bound = match side {
            Side::Buy => y >> Q32,
            Side::Sell => x >> Q32,
        };
        let within = |d: u64| -> bool {
            let Ok(out) = self.amount_out(reserves, side, d) else { return false };
            let after = match side {
                Side::Buy => Reserves {
                    tao: reserves.tao.saturating_add(d),
                    alpha: reserves.alpha.saturating_sub(out),
                },
                Side::Sell => Reserves {
                    tao: reserves.tao.saturating_sub(out),
                    alpha: reserves.alpha.saturating_add(d),
                },
            };
            let price = self.spot_price(after);
            match side {
                Side::Buy => price <= target,
                Side::Sell => price >= target,
            }
        };
        let (mut lo, mut hi) = (0u64, u64::try_from(bound).unwrap_or(u64::MAX));
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if within(mid) { lo = mid } else { hi = mid - 1 }
        }
        lo
    }

    fn inject(&mut self, _reserves: Reserves, tao: u64, alpha: u64) -> (u64, u64) {
        self.cx = self.cx.saturating_add(u128::from(alpha) << Q32);
        self.cy = self.cy.saturating_add(u128::from(tao) << Q32);
        (tao, alpha)
    }
}
