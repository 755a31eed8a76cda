//! Integration tests of `keys`: interoperability with the real Python `bittensor-wallet`, and
//! fuzzing of keyfile parsing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fuzz;
mod python;
