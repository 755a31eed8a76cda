//! Integration tests of the `dojo-core` crate: one binary, a module per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

mod aggregate;
mod datasets;
mod export;
mod fuzz;
mod scoring;
