//! dTAO chain economics, exactly as Subtensor computes them.
//!
//! Everything taoplex shows or trades on — a quote, a price, an emission share, a miner's
//! reward — comes from here, and must match the chain to the last rao. This crate is pure: no
//! I/O, no async, no clock, no randomness; time is a block number.
//!
//! # A tour, in the order the chain works
//!
//! - [`units`]: money. [`units::Tao`] and [`units::Alpha`] count rao (10⁻⁹) in `u64`, parse
//!   decimal text exactly (`"1.5"`, `"0.002 TAO"`, `"12.3α"`, `"250000rao"`) and refuse what
//!   they cannot represent with an [`units::AmountError`] that says why.
//! - [`fixed`]: the chain's fixed-point types (`U64F64`, `I96F32`, …) from `substrate-fixed`,
//!   so every multiplication and division truncates where the runtime's does.
//! - [`amm`]: a subnet's pool. [`amm::Pool::swap`] runs the swap pallet step by step — fee from
//!   the input, the guards in the chain's order with its error names, limit fills that stop at
//!   the limit price, the sell path's second fee swap — over a pluggable [`amm::Curve`]: the
//!   weighted pool (exact integer roots for small exponents, a 384-bit ln/exp otherwise) or the
//!   superellipse.
//! - [`emission`]: block emission and halvings from issuance; the share of each subnet under
//!   pluggable rules (TAO flow, price EMA, price × (1 − MinerBurned), and with the Hill gate);
//!   moving prices; the TAO/alpha injected into each pool; the alpha split between owner,
//!   miners, validators and root.
//! - [`yuma`]: the epoch: validator permits, stake-weighted consensus, clipping, incentive,
//!   bonds and dividends (Yuma 3).
//! - [`lock`]: the subnet registration lock cost.
//!
//! # Example
//!
//! ```
//! use dtao::amm::{Pool, PriceLimit, Reserves, Side};
//! use dtao::units::{Alpha, Tao};
//!
//! // A pool holding 1,000 TAO and 100,000 alpha: price 0.01 TAO per alpha.
//! let pool = Pool::balancer(Reserves { tao: 1_000_000_000_000, alpha: 100_000_000_000_000 });
//! let stake: Tao = "1 TAO".parse()?;
//! let quote = pool.swap(Side::Buy, stake.rao(), PriceLimit::None, false)?;
//! assert_eq!(Alpha::from_rao(quote.amount_out).to_string(), "99.849845733 α");
//! assert_eq!(quote.fee, 503_547); // 33/65535 of the input, to the block author
//!
//! // 1 TAO per block until half the supply is issued.
//! assert_eq!(dtao::emission::block_emission(0), 1_000_000_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Design decisions
//!
//! - Bit-exactness over elegance: where Subtensor truncates, we truncate, in the same type.
//!   Reference vectors are unit tests; invariants (no profit from a round trip, no rao created
//!   or lost, limits never crossed, supply never exceeded) are property tests.
//! - The weight-½ pool never leaves `u128` (≈ 130 ns a quote); general weights use big integers.
//! - Results that feed state are ordered by netuid or uid, never by hash-map order.
//!
//! ## Feature flags
//! None.
#![deny(missing_docs)]

pub mod amm;
pub mod emission;
pub mod fixed;
pub mod lock;
pub mod units;
pub mod yuma;
