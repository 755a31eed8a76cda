//! The terminal's fixture market and chain live in `test-support` (shared with the load bench).

pub use test_support::terminal::*;
