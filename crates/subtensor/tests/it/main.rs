//! Integration tests of the live Subtensor client against recorded finney traffic (a
//! loopback replay server), answers encoded against the real runtime metadata, and offline
//! signing and MEV Shield checks. No test here reaches a real network.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod encode;
mod equivalence;
mod live;
mod parity;
mod recorded;
mod shield;
mod signing;
mod synthetic;
