//! Integration tests of the localnet: one binary, a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fuzz;
mod genesis;
mod node;
mod polkadot_js;
mod projection;
mod runtime;
mod sdk;
mod substrate;
