#![doc = include_str!("../README.md")]
//!
//! # Modules
//! - [`tools`] — [`Tool`], [`require`], [`notice`].
//! - [`browser`] — [`browser::browser`], [`browser::Chromedriver`], [`browser::screenshot`],
//!   [`browser::dump_dom`].
//! - [`pg`] — [`pg::fresh_schema`].
//! - [`process`] — [`process::Process`].
//! - [`dojo`] — [`dojo::dojo_genesis`], [`dojo::start_node`]: an in-process localnet with a
//!   Dojo subnet.
//! - [`fake`] — [`fake::FakeChain`]: the one scripted `Chain` fake of the faces' tests and
//!   benches.
//! - [`genesis`] — [`genesis::treasury_genesis`], [`genesis::pool_subnet`],
//!   [`genesis::hyperparameters`].
//! - `terminal` (feature `terminal`) — the terminal's fixture market and chain: 24 subnets
//!   of hand-made data behind `MarketRead` and `Chain`, for its tests and its load bench.
//!
//! # Feature flags
//! - `terminal`: the `terminal` module (pulls in `terminal` and `market`).
// Test scaffolding fails a test by panicking: that is its error path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod dojo;
pub mod fake;
pub mod genesis;
pub mod pg;
pub mod process;
#[cfg(feature = "terminal")]
pub mod terminal;
pub mod tools;

pub use tools::{Missing, Tool, notice, require, require_all, under_ci};
