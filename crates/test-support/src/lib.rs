#![doc = include_str!("../README.md")]
//!
//! # Modules
//! - [`tools`] — [`Tool`], [`require`], [`notice`].
//! - [`fuzz`] — [`fuzz::config`], [`fuzz::bytes`], [`fuzz::mutated`], [`fuzz::boundary_number`]:
//!   structured-input fuzzing inside `cargo test` (`docs/fuzzing.md`).
//! - [`pg`] — [`pg::fresh_schema`].
//! - [`process`] — [`process::Process`].
//! - `browser` (feature `browser`) — `browser::browser`, `browser::Chromedriver`,
//!   `browser::screenshot`, `browser::dump_dom`.
//! - `fake` (feature `chain`) — `fake::FakeChain`: the one scripted `Chain` fake of the faces'
//!   tests and benches.
//! - `genesis` (feature `localnet`) — `genesis::treasury_genesis`, `genesis::pool_subnet`,
//!   `genesis::hyperparameters`.
//! - `node` (feature `localnet`) — `node::start_node`, `node::simulated_node`: an in-process
//!   localnet on a manual clock, bare or with its market simulation, and its `Chain`.
//! - `dojo` (feature `localnet`) — `dojo::dojo_genesis`, `dojo::start_node`: an in-process
//!   localnet with a Dojo subnet.
//! - `replay` (feature `replay`) — `replay::Replay`: a loopback JSON-RPC server answering
//!   from the recorded finney traffic in `../shared/fixtures/finney`.
//! - `terminal` (feature `terminal`) — the terminal's fixture market and chain: 24 subnets
//!   of hand-made data behind `MarketRead` and `Chain`, for its tests and its load bench.
//! - `telegram` (feature `telegram`) — `telegram::FakeTelegram`: a loopback Bot API server
//!   speaking Telegram's JSON (long polling, sends, edits, callback answers, multipart photos,
//!   429 with `retry_after`), recording every call.
//!
//! # Feature flags
//! Without features the crate depends on no crate of the workspace (only `proptest`), so
//! `dtao`, `keys` and `chain` take it as a dev-dependency without a cycle and without building
//! `localnet` in their tests. The heavy parts are opt-in:
//! - `browser`: the `browser` module (pulls in `fantoccini` and `hyper-util`).
//! - `chain`: the `fake` module (pulls in `chain` and `tokio`).
//! - `localnet`: the `genesis`, `node` and `dojo` modules; implies `chain` (pulls in `localnet`,
//!   `keys`, `dtao`).
//! - `replay`: the `replay` module (pulls in `tokio` and `tokio-tungstenite`).
//! - `terminal`: the `terminal` module; implies `localnet` (pulls in `terminal` and `market`).
//! - `telegram`: the `telegram` module (pulls in `axum` and `tokio`).
// Test scaffolding fails a test by panicking: that is its error path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "browser")]
pub mod browser;
#[cfg(feature = "chain")]
pub mod calls;
#[cfg(feature = "localnet")]
pub mod dojo;
#[cfg(feature = "chain")]
pub mod fake;
pub mod fuzz;
#[cfg(feature = "localnet")]
pub mod genesis;
#[cfg(feature = "localnet")]
pub mod node;
pub mod pg;
pub mod process;
#[cfg(feature = "replay")]
pub mod replay;
#[cfg(feature = "telegram")]
pub mod telegram;
#[cfg(feature = "terminal")]
pub mod terminal;
pub mod tools;

pub use tools::{Missing, Tool, notice, polkadot_js, require, require_all, under_ci};
