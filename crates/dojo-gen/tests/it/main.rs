//! Integration tests of the `dojo-gen` crate: one binary, a module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

mod browser;
mod generator;
mod llm;
