//! What goes wrong talking to a live Subtensor node, said so a user can act on it, and how it
//! maps onto [`chain::ChainError`].

use chain::ChainError;

/// An error of the live client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubtensorError {
    /// The node cannot be reached (connection refused, DNS, TLS, closed socket).
    #[error(
        "cannot reach the Subtensor node at {endpoint}: {reason}; check the URL and your connection, or pick another --network"
    )]
    Unreachable {
        /// The endpoint.
        endpoint: String,
        /// What failed.
        reason: String,
    },
    /// The node keeps refusing requests for exceeding its rate limit (public endpoints allow
    /// about 100 requests a minute).
    #[error(
        "{endpoint} is rate-limiting us and still refused after backing off {waited_ms} ms; wait a minute or use your own node (--network ws://…)"
    )]
    RateLimited {
        /// The endpoint.
        endpoint: String,
        /// How long we backed off in total.
        waited_ms: u64,
    },
    /// The node answered a request with a JSON-RPC error.
    #[error("the node refused {method} ({code}): {message}")]
    Rpc {
        /// The method called.
        method: String,
        /// JSON-RPC error code.
        code: i64,
        /// The node's message.
        message: String,
    },
    /// A value of the runtime does not have the shape taoplex reads (a runtime upgrade changed
    /// it): names the runtime version and the field.
    #[error(
        "runtime spec {spec_version}: cannot decode {what}: {reason}; this runtime changed a type taoplex reads, update taoplex"
    )]
    Undecodable {
        /// The runtime's spec version.
        spec_version: u32,
        /// What was being decoded (pallet/storage/API and field).
        what: String,
        /// The decoder's error, which names the field.
        reason: String,
    },
    /// The runtime lacks a pallet, call, storage item or runtime API taoplex needs.
    #[error("runtime spec {spec_version} has no {what}; this network's runtime is not supported")]
    Missing {
        /// The runtime's spec version.
        spec_version: u32,
        /// What is missing.
        what: String,
    },
    /// The node's answer is not what the protocol promises (bad hex, missing field).
    #[error("unexpected answer to {method}: {reason}")]
    BadAnswer {
        /// The method called.
        method: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Something asked for does not exist on chain (a block, a subnet).
    #[error("not found: {0}")]
    NotFound(String),
    /// Building the transaction failed.
    #[error("cannot build the transaction: {0}")]
    Transaction(String),
    /// MEV Shield refused or failed to seal a transaction.
    #[error(transparent)]
    Shield(#[from] crate::shield::ShieldError),
}

impl SubtensorError {
    pub(crate) fn bad_answer(method: &str, reason: impl std::fmt::Display) -> Self {
        SubtensorError::BadAnswer { method: method.to_string(), reason: reason.to_string() }
    }
}

impl From<SubtensorError> for ChainError {
    fn from(e: SubtensorError) -> Self {
        match e {
            SubtensorError::Unreachable { endpoint, reason } => {
                ChainError::Transport { endpoint, reason }
            }
            SubtensorError::Rpc { code, message, method } => {
                ChainError::Rpc { code, message: format!("{method}: {message}") }
            }
            SubtensorError::NotFound(what) => ChainError::NotFound(what),
            SubtensorError::RateLimited { endpoint, waited_ms } => {
                let reason = SubtensorError::RateLimited { endpoint: endpoint.clone(), waited_ms }
                    .to_string();
                ChainError::Transport { endpoint, reason }
            }
            e @ (SubtensorError::Transaction(_) | SubtensorError::Shield(_)) => {
                ChainError::Invalid(chain::TxValidityError::Malformed(e.to_string()))
            }
            other => ChainError::Decode(other.to_string()),
        }
    }
}

/// Result of the live client.
pub type Result<T, E = SubtensorError> = std::result::Result<T, E>;
