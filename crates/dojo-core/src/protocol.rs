//! The wire contracts between Dojo's processes, in one place so each side is written against
//! the same types.
//!
//! ```text
//!             TaskSynapse / TaskResultSynapse / ScoreResultSynapse (axon/dendrite, signed)
//! validator ───────────────────────────────────────────────────────────────────────────> miner
//!    ^ external clients: /api/v1/external/* (bearer key), webhooks (HMAC)                  │
//!                                                   miner API: /api/v1/tasks* (X-API-Key) │
//!                                                                                          v
//!                         humans (browser pages, or /api/v1/worker/* with a bearer token) platform
//! ```
//!
//! - **Validator → miner** ([`synapses`]): a [`TaskRequest`] (the task as presented to that
//!   miner: outputs shuffled per miner, no models, no flaws, no ground truth) answered by a
//!   [`TaskAck`]; after the deadline a [`ResultsRequest`] answered by [`ResultsReply`] (the
//!   workers' results); once scored a [`ScoreNotice`] that also *reveals* the ground truth, so
//!   the miner's platform can tell its workers how often they rated flawed outputs above viable
//!   ones (nothing is revealed before the task expired and was scored).
//!   Each synapse travels as its JSON fields; the body hash covers [`synapses`]' hash fields.
//! - **Miner → its worker platform** ([`platform_api`]): `X-API-Key` authenticated JSON.
//! - **Workers → platform**: the web pages, or the same actions as JSON with a bearer session
//!   token ([`platform_api::worker`]) for scripted clients and load tests.
//!
//! Errors of every JSON API are `{"error": "<message>"}` with a meaningful status code.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ratings::WorkerResult;
use crate::task::{OutputId, PresentedTask};

/// Synapse names and the fields each one's body hash covers.
pub mod synapses {
    /// Validator → miner: rate this task.
    pub const TASK: &str = "TaskSynapse";
    /// Fields of [`TASK`] covered by the body hash.
    pub const TASK_HASH_FIELDS: &[&str] = &["task", "expire_at_ns", "max_results"];
    /// Validator → miner: the workers' results for a task.
    pub const RESULTS: &str = "TaskResultSynapse";
    /// Fields of [`RESULTS`] covered by the body hash.
    pub const RESULTS_HASH_FIELDS: &[&str] = &["task_id"];
    /// Validator → miner: the miner's score for a task, and the revealed ground truth.
    pub const SCORE: &str = "ScoreResultSynapse";
    /// Fields of [`SCORE`] covered by the body hash.
    pub const SCORE_HASH_FIELDS: &[&str] = &["task_id", "score", "ground_truth"];
}

/// A message that travels as a synapse's JSON fields.
pub trait SynapseFields: Serialize + DeserializeOwned {
    /// The message as synapse fields (a JSON object's members).
    fn to_fields(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            // Every implementor is a struct with named fields.
            _ => Map::new(),
        }
    }

    /// The message from synapse fields; unknown fields (the SDK's bookkeeping) are ignored.
    fn from_fields(fields: &Map<String, Value>) -> Result<Self, serde_json::Error> {
        serde_json::from_value(Value::Object(fields.clone()))
    }
}

/// Validator → miner: a task for the miner's humans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRequest {
    /// The task as this miner sees it (its own output order).
    pub task: PresentedTask,
    /// No result is accepted at or after this time, ns since the Unix epoch.
    pub expire_at_ns: u64,
    /// How many workers' results the validator wants at most.
    pub max_results: u32,
}
impl SynapseFields for TaskRequest {}

/// Miner → validator: whether the task was accepted (forwarded to the platform).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAck {
    /// True if the miner's platform has the task.
    pub ack: bool,
    /// Why not, when `ack` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
impl SynapseFields for TaskAck {}

/// Validator → miner: send the results of this task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsRequest {
    /// The validator's task id.
    pub task_id: String,
}
impl SynapseFields for ResultsRequest {}

/// Miner → validator: every worker result the platform holds for the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsReply {
    /// The validator's task id.
    pub task_id: String,
    /// One entry per worker (the validator averages them per output).
    pub results: Vec<WorkerResult>,
}
impl SynapseFields for ResultsReply {}

/// Validator → miner: the miner's score for a task, with the ground truth now revealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreNotice {
    /// The validator's task id.
    pub task_id: String,
    /// The miner's score for this task (0–1; the task's scores sum to 1 across miners).
    pub score: f64,
    /// Rank per output id (0 = the viable one); absent for tasks without one (external tasks).
    #[serde(default)]
    pub ground_truth: Option<BTreeMap<OutputId, u32>>,
}
impl SynapseFields for ScoreNotice {}

/// A JSON API's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, for a human.
    pub error: String,
}

/// The worker platform's JSON APIs.
pub mod platform_api {
    use super::*;

    /// Header carrying a miner's API key.
    pub const API_KEY_HEADER: &str = "x-api-key";

    /// `POST /api/v1/tasks` (miner, `X-API-Key`): put a validator's task on the platform.
    /// Answers 201 with [`CreatedTask`]; 401 for a bad key, 409 if `task.task_id` exists,
    /// 422 for an invalid task (fewer than two outputs, duplicate output ids, empty prompt,
    /// expiry in the past, `max_results` 0).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CreateTask {
        /// The task as the miner received it.
        pub task: PresentedTask,
        /// Expiry, ns since the Unix epoch.
        pub expire_at_ns: u64,
        /// Maximum number of worker results.
        pub max_results: u32,
    }

    /// Answer to [`CreateTask`].
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CreatedTask {
        /// The platform's id for the task (the miner keeps validator id → platform id).
        pub id: String,
    }

    /// `GET /api/v1/tasks/{id}/results` (miner, `X-API-Key`; only the key owner's tasks, 404
    /// otherwise): every result so far.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct TaskResults {
        /// Platform task id.
        pub id: String,
        /// Expiry, ns since the Unix epoch.
        pub expire_at_ns: u64,
        /// One per worker; `worker_id` is the platform's opaque id of the worker, scores are the
        /// worker's 1–100 values, `rationale` the sanitised explanation.
        pub results: Vec<WorkerResult>,
    }

    /// `POST /api/v1/tasks/{id}/ground-truth` (miner, `X-API-Key`): reveal the ground truth of
    /// an expired task so the platform can show its workers' quality. Answers 204; 409 before
    /// expiry; 422 if the ranks do not name exactly the task's outputs.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RevealGroundTruth {
        /// Rank per output id (0 = viable).
        pub ranks: BTreeMap<OutputId, u32>,
    }

    /// The workers' JSON API, authenticated by `Authorization: Bearer <token>` (no cookies,
    /// so no CSRF exposure).
    pub mod worker {
        use super::*;

        /// `POST /api/v1/worker/signup`: join a miner's team with an invite key. 201 with
        /// [`SessionToken`]; 409 username taken, 403 invite unknown or used, 422 weak password.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Signup {
            /// The invite key from the miner.
            pub invite: String,
            /// Login name.
            pub username: String,
            /// Password (at least `dojo_platform::MIN_PASSWORD_CHARS` characters).
            pub password: String,
        }

        /// `POST /api/v1/worker/login`: 200 with [`SessionToken`]; 401 on a bad name or
        /// password; 429 when rate-limited.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Login {
            /// Login name.
            pub username: String,
            /// Password.
            pub password: String,
        }

        /// A bearer token for the worker API.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct SessionToken {
            /// Send as `Authorization: Bearer <token>`.
            pub token: String,
        }

        /// One entry of `GET /api/v1/worker/tasks` (open tasks of the worker's team).
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct InboxEntry {
            /// Platform task id.
            pub id: String,
            /// The prompt.
            pub prompt: String,
            /// Expiry, ns since the Unix epoch.
            pub expire_at_ns: u64,
            /// Whether this worker already submitted.
            pub submitted: bool,
        }

        /// `POST /api/v1/worker/tasks/{id}/result`: 201; 409 already submitted or full, 410
        /// expired, 422 invalid scores or explanation, 404 not the worker's team's task.
        /// (`GET /api/v1/worker/tasks/{id}` returns the [`PresentedTask`] in this worker's
        /// order.)
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct SubmitResult {
            /// A whole-number score in the criterion's range for every output.
            pub scores: BTreeMap<OutputId, u32>,
            /// Why the best is best and the worst is worst.
            pub explanation: String,
        }
    }
}

/// The validator's external task API (keys issued by the validator's operator).
pub mod external {
    use super::*;
    use crate::task::{Criteria, Modality};

    /// Header of a webhook delivery's signature: `sha256=<hex HMAC-SHA256(K, body)>` where K is
    /// the 32-byte SHA-256 of the API key's secret (the validator stores only that hash; the
    /// client, knowing the secret, computes the same K).
    pub const SIGNATURE_HEADER: &str = "x-dojo-signature";

    /// One output of an external task.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ExternalOutput {
        /// Artefact kind.
        pub modality: Modality,
        /// HTML document, text, or a base64 `data:` URI for images (PNG, JPEG, WebP) and 3D
        /// models (GLB); the bytes are sniffed, the declared type is not trusted.
        pub content: String,
        /// Labelled boxes over an image ("is this box the ball?").
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub annotations: Vec<crate::task::Annotation>,
    }

    /// `POST /api/v1/external/tasks` (`Authorization: Bearer <key>`): 201 with
    /// [`ExternalTaskStatus`].
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SubmitExternalTask {
        /// What the outputs answer.
        pub prompt: String,
        /// Two to eight outputs.
        pub outputs: Vec<ExternalOutput>,
        /// Score range and ranking (default 1–100).
        #[serde(default)]
        pub criteria: Option<Criteria>,
        /// Results wanted per miner (default 4).
        #[serde(default)]
        pub max_results: Option<u32>,
        /// Seconds humans have (default: the validator's task deadline).
        #[serde(default)]
        pub deadline_secs: Option<u64>,
        /// `https://` or loopback `http://` URL POSTed the final status, signed.
        #[serde(default)]
        pub webhook_url: Option<String>,
    }

    /// Where an external task is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ExternalState {
        /// Accepted, not yet sent to miners.
        Pending,
        /// With the miners' humans until `expire_at_ns`.
        Dispatched,
        /// Results collected.
        Completed,
        /// No miner took it, or no human rated it.
        Failed,
    }

    /// The aggregated human judgement.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ExternalResult {
        /// Output ids, best first (by mean score).
        pub ranking: Vec<OutputId>,
        /// Mean score per output over every human result.
        pub mean_scores: BTreeMap<OutputId, f64>,
        /// Number of human results.
        pub ratings: u32,
        /// The humans' explanations (sanitised).
        pub rationales: Vec<String>,
    }

    /// `GET /api/v1/external/tasks/{id}` and the webhook body.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ExternalTaskStatus {
        /// Task id.
        pub id: String,
        /// State.
        pub state: ExternalState,
        /// Output ids in the order submitted.
        pub output_ids: Vec<OutputId>,
        /// Expiry once dispatched, ns since the Unix epoch.
        #[serde(default)]
        pub expire_at_ns: Option<u64>,
        /// Present once completed.
        #[serde(default)]
        pub result: Option<ExternalResult>,
        /// Why it failed.
        #[serde(default)]
        pub error: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Criteria, Modality, PresentedOutput};

    #[test]
    fn a_task_request_round_trips_through_synapse_fields() {
        let request = TaskRequest {
            task: PresentedTask {
                task_id: "t1".into(),
                prompt: "draw a cat".into(),
                outputs: vec![PresentedOutput {
                    id: "a".into(),
                    modality: Modality::Text,
                    content: "🐱".into(),
                    annotations: vec![],
                }],
                criteria: Criteria::default(),
            },
            expire_at_ns: 5,
            max_results: 4,
        };
        let mut fields = request.to_fields();
        assert_eq!(fields.len(), 3);
        for name in synapses::TASK_HASH_FIELDS {
            assert!(fields.contains_key(*name), "hash field {name} is a field");
        }
        fields.insert("timeout".into(), Value::from(12.0));
        assert_eq!(TaskRequest::from_fields(&fields).unwrap(), request);
    }
}
