//! The crate's error type.

use thiserror::Error;

/// Everything that can go wrong in Dojo's core and its task generation (`dojo-gen`).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DojoError {
    /// The ground truth is unusable (not dense, too few outputs, all tied).
    #[error("invalid ground truth: {0}")]
    GroundTruth(String),
    /// A rating is unusable (not finite, out of range, unknown output).
    #[error("invalid rating: {0}")]
    Rating(String),
    /// Weights violate a subnet limit or are malformed.
    #[error("invalid weights: {0}")]
    Weights(String),
    /// Task generation failed (e.g. a flaw could not be made different from its original).
    #[error("task generation failed: {0}")]
    Generation(String),
    /// The chat-completions endpoint failed or answered something unusable.
    #[error("llm endpoint: {0}")]
    Llm(String),
    /// Reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// JSON (de)serialisation failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A task's responses could not be scored, so its raw export row would have no miner
    /// scores to show.
    #[error(
        "task {task_id} cannot be scored for the raw export: {source}; fix or drop the task, or \
         export dpo/sft, which need no miner scores"
    )]
    Unscoreable {
        /// The task.
        task_id: String,
        /// Why scoring failed.
        source: Box<DojoError>,
    },
}
