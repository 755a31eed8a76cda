//! Integration tests of `keys`: interoperability with the real Python `bittensor-wallet`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod python;
