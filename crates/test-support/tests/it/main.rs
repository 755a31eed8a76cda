//! Tests of the shared test scaffolding: the external-tool policy, run as a child test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub)]

mod fake;
mod policy;
