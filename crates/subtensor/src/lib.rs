//! The live Subtensor client: [`chain::Chain`] for a real Bittensor node (finney, testnet or
//! your own) over its WebSocket JSON-RPC.
//!
//! # How it reads
//! Metadata is fetched from the node at run time and cached per runtime version
//! ([`runtime::Runtime`]); every value is decoded with the metadata's own types into partial
//! structs that name only the fields taoplex uses ([`views`]), so a runtime upgrade that adds
//! or reorders fields changes nothing, and one that removes a field taoplex reads is reported
//! with the runtime version and the field ([`SubtensorError::Undecodable`]). Runtime-API
//! answers are read by readers compiled once per answer from the runtime's types ([`layout`]),
//! which step over unread fields by size instead of decoding them. Each view is one
//! runtime-API call where the runtime has one (`get_all_dynamic_info`,
//! `get_selective_mechagraph`, `get_neurons_lite`, `get_stake_info_for_coldkey`,
//! `sim_swap_*`), which matters on public endpoints limited to about 100 requests a minute;
//! rate-limit refusals are retried with back-off.
//!
//! # How it writes
//! Transactions are real v4 extrinsics with Subtensor's transaction extensions, mortal by
//! default ([`tx`]), built with subxt offline from the metadata: [`chain::Chain::prepare`]
//! returns the exact signing payload, so the key can be anywhere, and
//! [`chain::Chain::submit`] attaches the signature and follows the transaction to
//! finalization. With a key at hand, [`Subtensor::sign_and_submit`] sends coldkey trades
//! through MEV Shield ([`shield`]) unless switched off.
//!
//! ## Feature flags
//! None.
#![deny(missing_docs)]

pub mod body;
mod chain_impl;
mod client;
mod dispatch;
mod error;
pub mod events;
pub mod layout;
pub mod quote;
mod rpc;
pub mod runtime;
pub mod shield;
mod submit;
pub mod tx;
pub mod views;

pub use client::{BLOCK_TIME_MS, BlockRef, Subtensor};
pub use error::{Result, SubtensorError};

/// Well-known networks and their public endpoints.
pub fn endpoint_of(network: &str) -> Option<&'static str> {
    match network {
        "finney" => Some("wss://entrypoint-finney.opentensor.ai:443"),
        "test" => Some("wss://test.finney.opentensor.ai:443"),
        _ => None,
    }
}
