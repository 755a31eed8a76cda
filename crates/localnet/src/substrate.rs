//! Subtensor's wire format: the SCALE types, pallets and runtime metadata that Substrate
//! clients (subxt, polkadot.js, the `bittensor` SDK) expect, generated from localnet's own
//! type definitions, and the storage keys they read.
//!
//! - [`types`]: the mirrored SCALE types (`AccountInfo`, `Header`, `DynamicInfo`, …).
//! - [`pallets`]: pallet `Call`/`Event`/`Error` enums and the outer enums, at Subtensor's
//!   indices.
//! - [`metadata`]: V14 and V15 metadata built from those, cached as bytes.
//! - [`events`]: a block's events as `System.Events` records.
//! - [`extrinsic`]: a signed v4 extrinsic read back into a localnet call (for fee quotes).
//! - [`storage`]: storage keys (`twox128(pallet) ++ twox128(item) ++ hashed keys`).
//!
//! # Block hashes
//!
//! A localnet block hash *is* the Substrate header hash: blake2_256 of the SCALE header
//! `{parent_hash, number (compact), state_root, extrinsics_root, digest}`, where the digest
//! carries one `PreRuntime` log with engine id `tplx` and the block's timestamp (u64 LE,
//! milliseconds). So a client that hashes the headers it receives (subxt does) gets the hashes
//! localnet answers to.

pub mod events;
pub mod extrinsic;
pub mod metadata;
pub mod pallets;
pub mod storage;
pub mod types;

use parity_scale_codec::Encode;

/// Engine id of the digest log that carries a localnet block's timestamp.
pub const TIMESTAMP_ENGINE: [u8; 4] = *b"tplx";

/// The Substrate header of a localnet header. Subtensor numbers blocks with `u32`; a localnet
/// number beyond it (never reached: 2^32 blocks) would saturate.
pub fn header(h: &chain::Header) -> types::Header {
    types::Header {
        parent_hash: types::H256(h.parent_hash.0),
        number: u32::try_from(h.number).unwrap_or(u32::MAX),
        state_root: types::H256(h.state_root.0),
        extrinsics_root: types::H256(h.extrinsics_root.0),
        digest: types::Digest {
            logs: vec![types::DigestItem::PreRuntime(
                TIMESTAMP_ENGINE,
                h.timestamp_ms.to_le_bytes().to_vec(),
            )],
        },
    }
}

/// A block's hash: blake2_256 of its SCALE Substrate header.
pub fn header_hash(h: &chain::Header) -> chain::Hash {
    chain::Hash(sp_crypto_hashing::blake2_256(&header(h).encode()))
}
