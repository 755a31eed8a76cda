//! Integration tests of the bot: the real bot (`bot::run`) against the fake Telegram Bot API
//! (`test_support::telegram`) and an in-process localnet with the market indexer.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unreachable_pub)]

mod alerts;
mod automations;
mod harness;
mod manners;
mod market;
mod store;
mod trading;
