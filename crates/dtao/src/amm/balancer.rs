//! The weighted (Balancer) pool of spec 425 (reference §2.2).
//!
//! Invariant `x^w1 · y^w2 = const` with `x` the alpha reserve, `y` the TAO reserve and
//! `w1 + w2 = 1`; only the quote (TAO) weight `w2` is stored, as Perquintill parts (10¹⁸ = 1).
//! Spot price `p = (w1/w2)·(y/x)`: with `w2 ≠ ½` the price is *not* `y/x`.

use num_bigint::BigUint;
use num_traits::ToPrimitive;
use substrate_fixed::types::U64F64;

use super::pow::{pow_ratio_scaled, ratio_times_scale_floor_u128};
use super::{Curve, Reserves, Side, SwapError};
use crate::fixed::safe_div_u64f64;

/// One in Perquintill parts.
pub const PERQUINTILL: u64 = 1_000_000_000_000_000_000;

/// Neither weight may fall below 0.01, so exponentiation stays stable.
pub const MIN_WEIGHT: u64 = PERQUINTILL / 100;

/// A weighted pool's parameters: its quote (TAO) weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Balancer {
    quote_weight: u64,
}

/// A quote weight outside `[0.01, 0.99]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("quote weight {parts}e-18 is outside [0.01, 0.99]")]
pub struct InvalidWeight {
    /// The rejected weight in Perquintill parts.
    pub parts: u64,
}

impl Default for Balancer {
    /// Weight ½, how every pool starts.
    fn default() -> Self {
        Self { quote_weight: PERQUINTILL / 2 }
    }
}

impl Balancer {
    /// A pool with quote weight `quote_weight` (Perquintill parts).
    pub fn new(quote_weight: u64) -> Result<Self, InvalidWeight> {
        let base = PERQUINTILL.saturating_sub(quote_weight);
        if quote_weight >= MIN_WEIGHT && base >= MIN_WEIGHT {
            Ok(Self { quote_weight })
        } else {
            Err(InvalidWeight { parts: quote_weight })
        }
    }

    /// The TAO weight `w2`, Perquintill parts.
    pub fn quote_weight(&self) -> u64 {
        self.quote_weight
    }

    /// The alpha weight `w1 = 1 − w2`, Perquintill parts.
    pub fn base_weight(&self) -> u64 {
        PERQUINTILL - self.quote_weight
    }

    fn is_half(&self) -> bool {
        self.quote_weight == PERQUINTILL / 2
    }

    /// `(r / (r + d))^(exp_num/exp_den)` as `U64F64`, capped at 1: the chain's `exp_scaled`.
    fn exp_scaled(&self, reserve: u64, delta: u64, exp_num: u64, exp_den: u64) -> U64F64 {
        let denominator = reserve.saturating_add(delta);
        if denominator == 0 {
            return U64F64::from_bits(0);
        }
        let scaled = if self.is_half() {
            ratio_times_scale_floor_u128(reserve, denominator, PERQUINTILL)
                .and_then(|v| u64::try_from(v).ok())
        } else {
            pow_ratio_scaled(
                u128::from(reserve),
                u128::from(denominator),
                u128::from(exp_num),
                u128::from(exp_den),
                u128::from(PERQUINTILL),
            )
            .and_then(|v| v.to_u64())
        };
        let Some(scaled) = scaled else { return U64F64::from_bits(0) };
        let e = if self.is_half() {
            // (E << 64) / 1e18 is exactly U64F64(E) / U64F64(1e18); E ≤ 1e18 keeps it in u128.
            U64F64::from_bits((u128::from(scaled) << 64) / u128::from(PERQUINTILL))
        } else {
            safe_div_u64f64(
                U64F64::saturating_from_num(scaled),
                U64F64::saturating_from_num(PERQUINTILL),
            )
        };
        e.min(U64F64::from_num(1))
    }

    /// `reserve · (1 − e)`, floored, as the chain's `convert_deltas`.
    fn take_fraction(reserve: u64, e: U64F64) -> u64 {
        let one_minus = U64F64::from_num(1).saturating_sub(e);
        // (reserve · 2^64 · f) >> 64 >> 64 in the chain's U64F64 — the product fits u128.
        ((u128::from(reserve) * one_minus.to_bits()) >> 64) as u64
    }

    /// `reserve · (E/1e18 − 1)` for the input that moves the price to a target: the chain's
    /// `calculate_quote_delta_in` / `calculate_base_delta_in`.
    fn delta_to_price(num: U64F64, den: U64F64, weight: u64, reserve: u64) -> u64 {
        let Some(e) = pow_ratio_scaled(
            num.to_bits(),
            den.to_bits(),
            u128::from(weight),
            u128::from(PERQUINTILL),
            u128::from(PERQUINTILL),
        ) else {
            return 0;
        };
        let e = e.to_u64().unwrap_or(if e > BigUint::from(u64::MAX) { u64::MAX } else { 0 });
        let ratio = safe_div_u64f64(
            U64F64::saturating_from_num(e),
            U64F64::saturating_from_num(PERQUINTILL),
        );
        U64F64::saturating_from_num(reserve)
            .saturating_mul(ratio.saturating_sub(U64F64::from_num(1)))
            .saturating_to_num::<u64>()
    }

    /// Perquintill × value, rounded half up, saturating (the chain's `mul_perquintill_round`).
    fn mul_perquintill_round(parts: u64, value: u128) -> u128 {
        let num = BigUint::from(value) * BigUint::from(parts) + BigUint::from(PERQUINTILL / 2);
        (num / BigUint::from(PERQUINTILL)).to_u128().unwrap_or(u128::MAX)
    }
}

impl Curve for Balancer {
    fn spot_price(&self, reserves: Reserves) -> U64F64 {
        let x = U64F64::saturating_from_num(reserves.alpha);
        let y = U64F64::saturating_from_num(reserves.tao);
        if self.quote_weight() == self.base_weight() {
            // w1/w2 is exactly 1, and multiplying by 1 is exact: skip both.
            return safe_div_u64f64(y, x);
        }
        let w2 = U64F64::saturating_from_num(self.quote_weight());
        let w1 = U64F64::saturating_from_num(self.base_weight());
        safe_div_u64f64(w1, w2).saturating_mul(safe_div_u64f64(y, x))
    }

    fn amount_out(&self, reserves: Reserves, side: Side, net_in: u64) -> Result<u64, SwapError> {
        if net_in == 0 {
            return Ok(0);
        }
        Ok(match side {
            // Δx = x·(1 − (y/(y+Δy))^(w2/w1))
            Side::Buy => {
                let e =
                    self.exp_scaled(reserves.tao, net_in, self.quote_weight(), self.base_weight());
                Self::take_fraction(reserves.alpha, e)
            }
            // Δy = y·(1 − (x/(x+Δx))^(w1/w2))
            Side::Sell => {
                let e = self.exp_scaled(
                    reserves.alpha,
                    net_in,
                    self.base_weight(),
                    self.quote_weight(),
                );
                Self::take_fraction(reserves.tao, e)
            }
        })
    }

    fn input_to_price(
        &self,
        reserves: Reserves,
        side: Side,
        current: U64F64,
        target: U64F64,
    ) -> u64 {
        match side {
            // Δy = y·((p′/p)^w1 − 1)
            Side::Buy => Self::delta_to_price(target, current, self.base_weight(), reserves.tao),
            // Δx = x·((p/p′)^w2 − 1)
            Side::Sell => {
                Self::delta_to_price(current, target, self.quote_weight(), reserves.alpha)
            }
        }
    }

    fn inject(&mut self, reserves: Reserves, tao: u64, alpha: u64) -> (u64, u64) {
        let (y, x) = (u128::from(reserves.tao), u128::from(reserves.alpha));
        let new_y = y.saturating_add(u128::from(tao));
        let new_x = x.saturating_add(u128::from(alpha));
        let q1 = Self::mul_perquintill_round(self.base_weight(), y.saturating_mul(new_x));
        let q2 = Self::mul_perquintill_round(self.quote_weight(), x.saturating_mul(new_y));
        let sum = q1.saturating_add(q2);
        let new_weight = if sum == 0 {
            PERQUINTILL / 2
        } else {
            // Perquintill::from_rational rounds down.
            (BigUint::from(q2) * BigUint::from(PERQUINTILL) / BigUint::from(sum))
                .to_u64()
                .unwrap_or(PERQUINTILL)
        };
        match Self::new(new_weight) {
            Ok(updated) => {
                *self = updated;
                (tao, alpha)
            }
            Err(_) => (0, 0),
        }
    }
}
