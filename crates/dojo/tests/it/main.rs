//! Integration tests of the `dojo` crate: one binary, a module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

mod browser;
mod chain_weights;
mod datasets;
mod export;
mod external;
mod generator;
mod llm;
mod miner;
mod platform;
mod platform_api;
mod platform_browser;
mod platform_store;
mod scoring;
mod transport;
mod validator;
