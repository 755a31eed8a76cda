//! Validator ↔ miner transport, wire-compatible with Bittensor's axon/dendrite (SDK 10.2).
//!
//! A request is a [`Synapse`]: a name (the route and the Python class name), JSON fields and
//! the fields its body hash covers. The [`Dendrite`] signs
//! `{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}` with its hotkey (sr25519,
//! context `substrate`, sent as `0x` + 128 hex) and posts the body to
//! `http://{ip}:{port}/{name}` with the SDK's headers. The [`Axon`] runs the SDK's pipeline —
//! unknown synapse 404, parse 400, body hash / signature / nonce 401, blacklist 403, busy 503,
//! timeout 408 — and signs its answer with its own hotkey. The blacklist reads a [`Metagraph`]
//! loaded through [`chain::Chain`] and kept fresh by a [`MetagraphWatcher`].
//!
//! The body hash is the SDK's: sha3-256 hex over the concatenated sha3-256 hex of Python
//! `str(value)` of each hash field ([`pystr::python_str`]). Time comes from an injected
//! [`Clock`].
//!
//! Differences from the SDK, all stricter: the axon takes the hash fields from its own route,
//! never from the body; the nonce time window applies to every dendrite version; a nonce is
//! checked and recorded atomically after the signature verifies, so concurrent replays fail.
//! The `timeout` header is not signed, so the axon caps it ([`AxonConfig::max_timeout_secs`])
//! before it widens the first-nonce window.
//!
#![doc = include_str!("../README.md")]

mod axon;
mod dendrite;
mod error;
mod metagraph;
pub mod pystr;
mod synapse;

pub use axon::{Axon, AxonConfig, AxonServer, BlacklistPolicy, HandlerResult, SynapseRequest};
pub use dendrite::{
    AxonTarget, AxonTerminal, CLIENT_GRACE, Dendrite, PreparedRequest, SynapseResponse,
};
pub use error::{Refusal, TransportError};
pub use metagraph::{
    Metagraph, MetagraphEntry, MetagraphWatcher, SharedMetagraph, fixed_metagraph,
};
pub use synapse::{
    ALLOWED_DELTA_NS, Clock, DEFAULT_TIMEOUT_SECS, ManualClock, SDK_VERSION, Synapse, SystemClock,
    body_hash, headers, parse_signature, request_message, response_message, sdk_version_int,
    sha3_hex, signature_hex, uuid4, version_as_int,
};
