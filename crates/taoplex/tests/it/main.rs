//! End-to-end tests of the `taoplex` binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod bot;
mod calc;
mod chain;
mod dojo_network;
mod dojo_platform;
mod node;
mod process;
mod stake;
mod up;
mod wallet;
