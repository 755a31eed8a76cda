//! The in-process localnet with a Dojo subnet lives in `test-support` (shared with the
//! transport, miner and validator tests).

pub(crate) use test_support::dojo::*;
