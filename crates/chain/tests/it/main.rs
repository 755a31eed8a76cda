//! chain integration tests: the public API from outside the crate.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fuzz;
