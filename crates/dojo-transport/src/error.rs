//! Transport errors.

/// Why an axon refused a request; each maps to the SDK's HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Headers or body did not parse (400, the SDK's `SynapseParsingError`).
    #[error("{0}")]
    Parse(String),
    /// Body hash, signature or nonce check failed (401, `NotVerifiedException`).
    #[error("{0}")]
    NotVerified(String),
    /// The caller is not allowed (403, `BlacklistedException`).
    #[error("{0}")]
    Blacklisted(String),
    /// No synapse of that name is served (404, `UnknownSynapseError`).
    #[error("{0}")]
    UnknownSynapse(String),
    /// The handler did not answer within the request's timeout (408).
    #[error("{0}")]
    Timeout(String),
    /// Too many requests in flight (503, `PriorityException`).
    #[error("{0}")]
    Priority(String),
    /// The handler failed (500).
    #[error("{0}")]
    Internal(String),
}

impl Refusal {
    /// The HTTP status the SDK answers with.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Parse(_) => 400,
            Refusal::NotVerified(_) => 401,
            Refusal::Blacklisted(_) => 403,
            Refusal::UnknownSynapse(_) => 404,
            Refusal::Timeout(_) => 408,
            Refusal::Priority(_) => 503,
            Refusal::Internal(_) => 500,
        }
    }
}

/// Why a dendrite call produced no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The HTTP exchange failed (connection refused, timeout, broken response).
    #[error("request to {url} failed: {reason}; check that the axon is serving there")]
    Http {
        /// Where.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The answer was not a JSON object.
    #[error("{url} answered a body that is not a JSON object: {reason}")]
    Decode {
        /// Where.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The blocking HTTP worker failed.
    #[error("the HTTP worker thread failed: {0}")]
    Worker(String),
    /// Could not bind or serve.
    #[error("cannot serve the axon: {0}")]
    Serve(String),
}
