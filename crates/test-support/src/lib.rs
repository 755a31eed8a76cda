#![doc = include_str!("../README.md")]
//!
//! # Modules
//! - [`tools`] — [`Tool`], [`require`], [`notice`].
//! - [`browser`] — [`browser::browser`], [`browser::Chromedriver`], [`browser::screenshot`],
//!   [`browser::dump_dom`].
//! - [`pg`] — [`pg::fresh_schema`].
//! - [`process`] — [`process::Process`].
//! - [`genesis`] — [`genesis::treasury_genesis`], [`genesis::pool_subnet`],
//!   [`genesis::hyperparameters`].
// Test scaffolding fails a test by panicking: that is its error path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod genesis;
pub mod pg;
pub mod process;
pub mod tools;

pub use tools::{Missing, Tool, notice, require, require_all, under_ci};
