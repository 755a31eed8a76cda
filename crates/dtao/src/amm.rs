//! Subnet pools: the AMM that prices alpha in TAO (reference §2).
//!
//! A [`Pool`] holds a subnet's reserves (`SubnetTAO`, `SubnetAlphaIn`), its fee rate and a
//! [`Curve`]: the weighted pool of spec 425 ([`Balancer`], the default) or the newest runtime's
//! [`Superellipse`]. [`Pool::swap`] runs the swap pallet's `do_swap` step by step, as a pure
//! function of the pool, and returns a [`SwapOutcome`] carrying every number a trader or the
//! runtime needs: what was paid in, the fee, what comes out, any refund, prices before and after
//! and the reserves to store. [`Pool::apply`] commits an outcome.
//!
//! The order of operations follows the chain:
//!
//! 1. the fee is taken from the input first: `fee = ⌊A · ⌊rate·2⁶⁴/65535⌋ / 2⁶⁴⌋`;
//! 2. guards, in order: net input ≤ 1000 × input reserve ([`SwapError::SwapInputTooLarge`]),
//!    output reserve ≥ 10⁶ ([`SwapError::ReservesTooLow`]), the price is on the right side of
//!    the limit ([`SwapError::PriceLimitExceeded`]);
//! 3. if the full input would carry the price past the limit, the input becomes what moves the
//!    price exactly to the limit and the fee is recomputed on it, `⌊Δin · rate/(65535−rate)⌋`;
//!    the rest is refunded;
//! 4. the output is computed and checked (nothing out for something in is
//!    [`SwapError::ReservesTooLow`]; more than the reserve is
//!    [`SwapError::InsufficientLiquidity`]);
//! 5. all of the fee goes to the block author: a buy's TAO fee never enters the pool; a sell's
//!    alpha fee is sold in a second, fee-free swap against the post-trade reserves and the TAO
//!    from it paid out, so a sell moves the pool twice.
//!
//! ```
//! use dtao::amm::{Pool, Reserves, Side, PriceLimit};
//! let pool = Pool::balancer(Reserves { tao: 1_000_000_000_000, alpha: 100_000_000_000_000 });
//! let buy = pool.swap(Side::Buy, 1_000_000_000, PriceLimit::None, false).unwrap();
//! assert_eq!(buy.fee, 503_547);
//! assert_eq!(buy.amount_out, 99_849_845_733);
//! ```

mod balancer;
mod pow;
mod superellipse;

pub use balancer::{Balancer, InvalidWeight, MIN_WEIGHT, PERQUINTILL};
pub use pow::{MAX_EXACT_EXPONENT, WORKING_BITS, pow_ratio_scaled};
pub use superellipse::Superellipse;

use serde::{Deserialize, Serialize};
use substrate_fixed::types::U64F64;

use crate::fixed::{MAX_PRICE_RAO, MIN_PRICE_RAO, price_from_rao, price_to_rao, safe_div_u64f64};

/// The default swap fee rate, 33/65535 ≈ 0.0504 %.
pub const DEFAULT_FEE_RATE: u16 = 33;

/// The largest fee rate the chain accepts.
pub const MAX_FEE_RATE: u16 = 10_000;

/// A pool's output reserve may not be drawn below this (the swap pallet's `MinimumReserve`).
pub const MINIMUM_RESERVE: u64 = 1_000_000;

/// A single swap's net input may be at most this many times the input reserve.
pub const MAX_INPUT_RESERVE_MULTIPLE: u64 = 1000;

/// A pool's two reserves, in rao.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reserves {
    /// `SubnetTAO`: TAO in the pool.
    pub tao: u64,
    /// `SubnetAlphaIn`: alpha in the pool.
    pub alpha: u64,
}

/// Direction of a swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// TAO in, alpha out (staking).
    Buy,
    /// Alpha in, TAO out (unstaking).
    Sell,
}

impl Side {
    /// The reserve that receives the input.
    pub fn input_reserve(self, reserves: Reserves) -> u64 {
        match self {
            Side::Buy => reserves.tao,
            Side::Sell => reserves.alpha,
        }
    }

    /// The reserve that pays the output.
    pub fn output_reserve(self, reserves: Reserves) -> u64 {
        match self {
            Side::Buy => reserves.alpha,
            Side::Sell => reserves.tao,
        }
    }
}

/// Why a swap cannot happen. Names are the chain's error names.
///
/// Deliberately exhaustive: a new variant must fail to compile where it is converted into the
/// chain's `SwapFailure`, instead of hiding behind a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum SwapError {
    /// The net input exceeds 1000 × the input reserve.
    #[error(
        "SwapInputTooLarge: the input exceeds 1000 times the pool's {reserve} rao reserve; split the trade"
    )]
    SwapInputTooLarge {
        /// The input-side reserve.
        reserve: u64,
    },
    /// The output reserve is below the minimum, or a swap would pay nothing for something.
    #[error("ReservesTooLow: the pool cannot pay out this trade; its output reserve is too small")]
    ReservesTooLow,
    /// The price is already past the limit.
    #[error("PriceLimitExceeded: the price is already past the limit {limit_rao} rao/α")]
    PriceLimitExceeded {
        /// The limit, rao per alpha.
        limit_rao: u64,
    },
    /// The output would exceed the output reserve.
    #[error("InsufficientLiquidity: the pool does not hold enough to pay this trade")]
    InsufficientLiquidity,
    /// A fill-or-kill order would only partially fill at its limit price.
    #[error(
        "SlippageTooHigh: only {max_input} of {requested} rao can trade before the price reaches the limit; allow a partial fill or raise the limit"
    )]
    SlippageTooHigh {
        /// What was asked to trade.
        requested: u64,
        /// The most that can trade within the limit.
        max_input: u64,
    },
    /// The trade would leave the superellipse curve's domain.
    #[error("OutsideDomain: the trade is too large for this pool's curve")]
    OutsideDomain,
}

/// A price curve: the rules that turn an input into an output.
///
/// Inputs here are *net* of the fee; [`Pool`] handles fees, limits and guards.
pub trait Curve {
    /// Spot price in TAO per alpha.
    fn spot_price(&self, reserves: Reserves) -> U64F64;
    /// What the pool pays for `net_in` (floored).
    fn amount_out(&self, reserves: Reserves, side: Side, net_in: u64) -> Result<u64, SwapError>;
    /// The net input that moves the spot price from `current` to `target`.
    fn input_to_price(
        &self,
        reserves: Reserves,
        side: Side,
        current: U64F64,
        target: U64F64,
    ) -> u64;
    /// Adds liquidity without moving the price, adjusting the curve; returns the accepted
    /// `(tao, alpha)`, `(0, 0)` if refused.
    fn inject(&mut self, reserves: Reserves, tao: u64, alpha: u64) -> (u64, u64);
}

/// The curves a pool can have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CurveKind {
    /// The weighted pool (spec 425 baseline).
    Balancer(Balancer),
    /// The superellipse (newest runtime).
    Superellipse(Superellipse),
}

impl Default for CurveKind {
    fn default() -> Self {
        CurveKind::Balancer(Balancer::default())
    }
}

impl Curve for CurveKind {
    fn spot_price(&self, reserves: Reserves) -> U64F64 {
        match self {
            CurveKind::Balancer(c) => c.spot_price(reserves),
            CurveKind::Superellipse(c) => c.spot_price(reserves),
        }
    }
    fn amount_out(&self, reserves: Reserves, side: Side, net_in: u64) -> Result<u64, SwapError> {
        match self {
            CurveKind::Balancer(c) => c.amount_out(reserves, side, net_in),
            CurveKind::Superellipse(c) => c.amount_out(reserves, side, net_in),
        }
    }
    fn input_to_price(
        &self,
        reserves: Reserves,
        side: Side,
        current: U64F64,
        target: U64F64,
    ) -> u64 {
        match self {
            CurveKind::Balancer(c) => c.input_to_price(reserves, side, current, target),
            CurveKind::Superellipse(c) => c.input_to_price(reserves, side, current, target),
        }
    }
    fn inject(&mut self, reserves: Reserves, tao: u64, alpha: u64) -> (u64, u64) {
        match self {
            CurveKind::Balancer(c) => c.inject(reserves, tao, alpha),
            CurveKind::Superellipse(c) => c.inject(reserves, tao, alpha),
        }
    }
}

/// A price bound for a swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PriceLimit {
    /// No bound: the chain's `max_price` for buys, `min_price` for sells.
    None,
    /// Rao per alpha: the highest price a buy may reach, or the lowest a sell may reach.
    Rao(u64),
}

impl PriceLimit {
    fn to_rao(self, side: Side) -> u64 {
        match (self, side) {
            (PriceLimit::Rao(p), _) => p,
            (PriceLimit::None, Side::Buy) => MAX_PRICE_RAO,
            (PriceLimit::None, Side::Sell) => MIN_PRICE_RAO,
        }
    }
}

/// Everything a swap did, or would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapOutcome {
    /// Direction.
    pub side: Side,
    /// Gross amount offered (TAO for a buy, alpha for a sell), rao.
    pub requested: u64,
    /// Net amount that entered the pool.
    pub delta_in: u64,
    /// Fee in the input token.
    pub fee: u64,
    /// Amount paid to the trader (alpha for a buy, TAO for a sell).
    pub amount_out: u64,
    /// Input returned because the limit price stopped the fill.
    pub refund: u64,
    /// True if the limit price stopped the fill.
    pub limit_reached: bool,
    /// TAO paid to the block author: the buy fee, or what the sell fee's second swap fetched.
    pub author_tao: u64,
    /// Alpha of a sell fee that could not be sold in the second swap (burned).
    pub fee_alpha_burned: u64,
    /// Spot price before, TAO per alpha (U64F64 bits; a decimal string in JSON).
    #[serde(with = "u128_string")]
    pub spot_before_bits: u128,
    /// Spot price after everything, TAO per alpha (U64F64 bits; a decimal string in JSON).
    #[serde(with = "u128_string")]
    pub spot_after_bits: u128,
    /// Reserves before.
    pub reserves_before: Reserves,
    /// Reserves after everything (including a sell's fee swap).
    pub reserves_after: Reserves,
}

impl SwapOutcome {
    /// Input actually consumed: net input plus fee.
    pub fn consumed(&self) -> u64 {
        self.delta_in.saturating_add(self.fee)
    }

    /// Spot price before, rao per alpha (floored).
    pub fn spot_before_rao(&self) -> u64 {
        price_to_rao(U64F64::from_bits(self.spot_before_bits))
    }

    /// Spot price after, rao per alpha (floored).
    pub fn spot_after_rao(&self) -> u64 {
        price_to_rao(U64F64::from_bits(self.spot_after_bits))
    }

    /// For display: the execution price net of the fee, TAO per alpha.
    pub fn execution_price(&self) -> f64 {
        let (tao, alpha) = match self.side {
            Side::Buy => (self.delta_in, self.amount_out),
            Side::Sell => (self.amount_out, self.delta_in),
        };
        if alpha == 0 { 0.0 } else { tao as f64 / alpha as f64 }
    }

    /// For display: how much worse than the spot price the trade executes, net of the fee, as a
    /// fraction (0.01 = 1 %). Always ≥ 0 for a buy or a sell on a healthy pool.
    pub fn price_impact(&self) -> f64 {
        let spot = U64F64::from_bits(self.spot_before_bits).to_num::<f64>();
        if spot == 0.0 || self.delta_in == 0 {
            return 0.0;
        }
        match self.side {
            Side::Buy => self.execution_price() / spot - 1.0,
            Side::Sell => 1.0 - self.execution_price() / spot,
        }
    }

    /// The least the trader accepts at a slippage tolerance in basis points (50 = 0.5 %):
    /// `⌊amount_out · (10000 − bps) / 10000⌋`.
    pub fn minimum_received(&self, tolerance_bps: u16) -> u64 {
        let keep = 10_000u128.saturating_sub(u128::from(tolerance_bps));
        (u128::from(self.amount_out) * keep / 10_000) as u64
    }
}

/// The limit price a trader sets for a slippage tolerance: spot × (1 ± bps/10000), rao per alpha.
/// Buys round down and sells round up, so the limit never loosens the tolerance.
pub fn limit_price_for_tolerance(side: Side, spot_rao: u64, tolerance_bps: u16) -> u64 {
    let bps = u128::from(tolerance_bps);
    let spot = u128::from(spot_rao);
    let limit = match side {
        Side::Buy => spot * (10_000 + bps) / 10_000,
        Side::Sell => (spot * 10_000u128.saturating_sub(bps)).div_ceil(10_000),
    };
    u64::try_from(limit).unwrap_or(u64::MAX)
}

/// What `swap_stake_limit` bounds: the origin subnet's price over the destination's, × 10⁹,
/// from `U64F64` price bits, floored as the chain computes it (`u64::MAX` for a zero
/// destination price).
pub fn swap_price_ratio(origin_bits: u128, destination_bits: u128) -> u64 {
    if destination_bits == 0 {
        return u64::MAX;
    }
    u64::try_from(origin_bits.saturating_mul(1_000_000_000) / destination_bits).unwrap_or(u64::MAX)
}

/// A subnet's pool: reserves, fee rate and curve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    /// The reserves.
    pub reserves: Reserves,
    /// Fee rate, parts of 65535 (`FeeRate`).
    pub fee_rate: u16,
    /// The price curve.
    pub curve: CurveKind,
}

impl Pool {
    /// A weighted pool at weight ½ with the default fee.
    pub fn balancer(reserves: Reserves) -> Self {
        Self { reserves, fee_rate: DEFAULT_FEE_RATE, curve: CurveKind::default() }
    }

    /// Spot price, TAO per alpha.
    pub fn spot_price(&self) -> U64F64 {
        self.curve.spot_price(self.reserves)
    }

    /// Spot price, rao per alpha (the chain's `current_alpha_price`, floored).
    pub fn spot_price_rao(&self) -> u64 {
        price_to_rao(self.spot_price())
    }

    /// The fee on a gross input: `⌊amount · ⌊rate·2⁶⁴/65535⌋ / 2⁶⁴⌋`.
    pub fn fee_on_gross(&self, amount: u64) -> u64 {
        let rate = safe_div_u64f64(
            U64F64::saturating_from_num(self.fee_rate),
            U64F64::saturating_from_num(u16::MAX),
        );
        U64F64::saturating_from_num(amount).saturating_mul(rate).saturating_to_num::<u64>()
    }

    /// The fee on a net input that stopped at a limit: `⌊Δin · (rate/(65535 − rate))⌋`.
    pub fn fee_on_net(&self, delta_in: u64) -> u64 {
        let rate = U64F64::saturating_from_num(self.fee_rate);
        let factor =
            safe_div_u64f64(rate, U64F64::saturating_from_num(u16::MAX).saturating_sub(rate));
        U64F64::saturating_from_num(delta_in).saturating_mul(factor).saturating_to_num::<u64>()
    }

    /// Simulates one swap of `amount` (gross) on this pool, as the swap pallet's `do_swap`
    /// (with `drop_fees` as the chain's flag of that name); the pool is not changed. For sells
    /// the author-fee swap is included. See the module docs for the order of steps.
    pub fn swap(
        &self,
        side: Side,
        amount: u64,
        limit: PriceLimit,
        drop_fees: bool,
    ) -> Result<SwapOutcome, SwapError> {
        let leg = self.swap_leg(self.reserves, side, amount, limit, drop_fees)?;
        let mut outcome = SwapOutcome {
            side,
            requested: amount,
            delta_in: leg.delta_in,
            fee: leg.fee,
            amount_out: leg.delta_out,
            refund: amount - leg.delta_in - leg.fee,
            limit_reached: leg.limit_reached,
            author_tao: 0,
            fee_alpha_burned: 0,
            spot_before_bits: self.spot_price().to_bits(),
            spot_after_bits: 0,
            reserves_before: self.reserves,
            reserves_after: leg.reserves_after,
        };
        match side {
            Side::Buy => outcome.author_tao = leg.fee,
            Side::Sell if leg.fee > 0 => {
                // The alpha fee is sold fee-free at the minimum price for the author. If the pool
                // cannot pay anything for it, the alpha is burned instead.
                match self.swap_leg(leg.reserves_after, Side::Sell, leg.fee, PriceLimit::None, true)
                {
                    Ok(fee_leg) => {
                        outcome.author_tao = fee_leg.delta_out;
                        outcome.reserves_after = fee_leg.reserves_after;
                    }
                    Err(_) => outcome.fee_alpha_burned = leg.fee,
                }
            }
            Side::Sell => {}
        }
        outcome.spot_after_bits = self.curve.spot_price(outcome.reserves_after).to_bits();
        Ok(outcome)
    }

    /// Commits a simulated outcome to the reserves. The outcome must come from this pool's
    /// current state.
    pub fn apply(&mut self, outcome: &SwapOutcome) {
        debug_assert_eq!(outcome.reserves_before, self.reserves, "stale swap outcome");
        self.reserves = outcome.reserves_after;
    }

    /// The most gross input that trades before the price reaches `limit`: what
    /// `add_stake_limit` and `remove_stake_limit` compute, by simulating an input of 1000 × the
    /// input reserve against the limit. Zero if the price is already past it.
    pub fn max_input_to_limit(&self, side: Side, limit: PriceLimit) -> u64 {
        let probe = side.input_reserve(self.reserves).saturating_mul(MAX_INPUT_RESERVE_MULTIPLE);
        match self.swap_leg(self.reserves, side, probe, limit, false) {
            Ok(leg) => leg.delta_in.saturating_add(leg.fee),
            Err(_) => 0,
        }
    }

    /// A limit order: fills `amount` in full if the price stays within `limit`; otherwise fills
    /// what reaches the limit if `allow_partial`, and fails with
    /// [`SwapError::SlippageTooHigh`] if not.
    pub fn swap_with_limit(
        &self,
        side: Side,
        amount: u64,
        limit_rao: u64,
        allow_partial: bool,
    ) -> Result<SwapOutcome, SwapError> {
        let limit = PriceLimit::Rao(limit_rao);
        let max_input = self.max_input_to_limit(side, limit);
        if max_input == 0 {
            // Surface the chain's own reason (usually PriceLimitExceeded).
            self.swap(side, amount, limit, false)?;
        }
        if amount > max_input && !allow_partial {
            return Err(SwapError::SlippageTooHigh { requested: amount, max_input });
        }
        let mut outcome = self.swap(side, amount.min(max_input), limit, false)?;
        // What the order did not use is the trader's refund, whatever capped it.
        outcome.requested = amount;
        outcome.refund = amount - outcome.consumed();
        outcome.limit_reached |= amount > max_input;
        Ok(outcome)
    }

    /// Adds liquidity without moving the price (emission injection). Returns the accepted
    /// amounts; `(0, 0)` if the curve refuses (a weight would fall below 0.01).
    pub fn inject(&mut self, tao: u64, alpha: u64) -> (u64, u64) {
        let (tao, alpha) = self.curve.inject(self.reserves, tao, alpha);
        self.reserves.tao = self.reserves.tao.saturating_add(tao);
        self.reserves.alpha = self.reserves.alpha.saturating_add(alpha);
        (tao, alpha)
    }

    /// One pass of the swap pallet's swap step against `reserves`.
    fn swap_leg(
        &self,
        reserves: Reserves,
        side: Side,
        amount: u64,
        limit: PriceLimit,
        drop_fees: bool,
    ) -> Result<Leg, SwapError> {
        let mut fee = if drop_fees { 0 } else { self.fee_on_gross(amount) };
        let requested_delta_in = amount - fee;

        let input_reserve = side.input_reserve(reserves);
        if requested_delta_in > input_reserve.saturating_mul(MAX_INPUT_RESERVE_MULTIPLE) {
            return Err(SwapError::SwapInputTooLarge { reserve: input_reserve });
        }
        if side.output_reserve(reserves) < MINIMUM_RESERVE {
            return Err(SwapError::ReservesTooLow);
        }
        let limit_rao = limit.to_rao(side);
        let limit_price = price_from_rao(limit_rao);
        let current = self.curve.spot_price(reserves);
        let on_the_right_side = match side {
            Side::Buy => current < limit_price,
            Side::Sell => current > limit_price,
        };
        if !on_the_right_side {
            return Err(SwapError::PriceLimitExceeded { limit_rao });
        }

        let full_out = self.curve.amount_out(reserves, side, requested_delta_in)?;
        let target = self.curve.spot_price(after(reserves, side, requested_delta_in, full_out));
        let within = match side {
            Side::Buy => target <= limit_price,
            Side::Sell => target >= limit_price,
        };
        let (delta_in, delta_out, limit_reached) = if within {
            (requested_delta_in, full_out, false)
        } else {
            let to_limit = self.curve.input_to_price(reserves, side, current, limit_price);
            // Never more than was offered, whatever the rounding of the limit path.
            let to_limit = to_limit.min(requested_delta_in);
            fee = if drop_fees { 0 } else { self.fee_on_net(to_limit) };
            if to_limit.saturating_add(fee) > amount {
                fee = amount - to_limit;
            }
            (to_limit, self.curve.amount_out(reserves, side, to_limit)?, true)
        };
        if delta_in > 0 && delta_out == 0 {
            return Err(SwapError::ReservesTooLow);
        }
        if delta_out > side.output_reserve(reserves) {
            return Err(SwapError::InsufficientLiquidity);
        }
        Ok(Leg {
            delta_in,
            delta_out,
            fee,
            limit_reached,
            reserves_after: after(reserves, side, delta_in, delta_out),
        })
    }
}

/// One swap step's result.
struct Leg {
    delta_in: u64,
    delta_out: u64,
    fee: u64,
    limit_reached: bool,
    reserves_after: Reserves,
}

/// Reserves after `delta_in` enters and `delta_out` leaves.
fn after(reserves: Reserves, side: Side, delta_in: u64, delta_out: u64) -> Reserves {
    match side {
        Side::Buy => Reserves {
            tao: reserves.tao.saturating_add(delta_in),
            alpha: reserves.alpha.saturating_sub(delta_out),
        },
        Side::Sell => Reserves {
            tao: reserves.tao.saturating_sub(delta_out),
            alpha: reserves.alpha.saturating_add(delta_in),
        },
    }
}

/// `u128` as a decimal string: JSON numbers cannot carry it exactly.
mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
