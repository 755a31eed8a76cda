//! Dojo's pure core: a human-preference subnet that turns human taste into miner scores,
//! on-chain weights and training datasets.
//!
//! A validator sends each miner a **task**: a prompt and several outputs, some viable and some
//! deliberately flawed. The miner's human workers score every output from 1 to 100, rank them
//! and say why. Because the validator knows which outputs it broke and how badly (the hidden
//! **ground truth**), it can tell a careful team from a careless or automated one without
//! knowing the right answer itself. This crate is that loop's model and arithmetic, with no
//! I/O: tasks, ratings, scoring, defences, aggregation, weights, feedback, datasets, and the
//! messages the Dojo processes exchange ([`protocol`]). Generation is in `dojo-gen`, the
//! transport in `dojo-transport`, and the services in `dojo-validator`, `dojo-miner` and
//! `dojo-platform`.
//!
//! # Principal types
//!
//! - [`Task`], [`Output`], [`GroundTruth`], [`Criteria`]: the task model. Outputs carry a
//!   [`Modality`] (HTML app, text, image, 3D model) and hidden [`Flaw`]s with a severity.
//!   [`Task::present`] gives a miner its copy: outputs shuffled by a per-miner seeded
//!   permutation, model names and flaws removed.
//! - [`CompletedTask`], [`MinerResponse`], [`WorkerResult`]: ratings as they come back, with
//!   sanitised written feedback ([`feedback`]).
//! - [`score_task`] (ground-truth scoring), [`score_with_defences`] (with the anti-abuse rules),
//!   [`agreement_scores`] (tasks without ground truth), [`aggregate_run`] and [`MovingScores`]
//!   (per-run aggregation and the EMA), [`scores_to_weights`] (u16 weights).
//! - [`export_jsonl`]: DPO, SFT and raw JSON Lines for Hugging Face `datasets`.
//! - [`protocol`]: every message between the validator, the miner and the worker platform.
//! - [`simulate`]: simulated miners for offline runs; [`secret`]: the services' random
//!   secrets and their SHA-256.
//!
//! # Scoring
//!
//! Per task, exactly Dojo v1 (reference §4.1), for miners with a finite rating of every output
//! (the others are excluded, not zeroed):
//!
//! 1. Sort the outputs by ground-truth rank (ties by id). With `r_max` the largest rank, the
//!    ground-truth vector is `g_j = (r_max − r_j) / r_max`; for a strict order of four this is
//!    `[1, 2/3, 1/3, 0]`.
//! 2. Each miner's raw ratings `x_i` in that order are min-max normalised,
//!    `m_i = (x_i − min) / (max − min)`, and a constant vector becomes all ones.
//! 3. `c_i = cos(m_i, g)`; NaN → −1; values within 1e-12 of 1 are snapped to 1.
//! 4. `n_i = (c_i + 1) / 2`, then `n_i /= Σ n`.
//! 5. `cubic_i = 0.006 · (n_i − 7)³ + 2`.
//! 6. `p = minmax(cubic)` across miners (all equal → ones), and the score is `p_i / Σ p`.
//!
//! Scores of a task sum to 1, the worst miner gets 0, a lone miner 1, identical miners share.
//!
//! ## Partial orders with ties
//!
//! A ground truth is a map output → rank where **equal ranks tie** (the outputs are equally
//! good) and ranks are dense (`0..=r_max` all used, at least two levels). Viable outputs have
//! rank 0; flawed outputs are ranked by total flaw severity, equal severities tying. The 2 + 2
//! shape is thus `{0, 0, 1, 1}` or `{0, 0, 1, 2}`. The generalisation changes only step 1:
//! `g_j = (r_max − r_j) / r_max` on dense ranks, i.e. the ground-truth vector places each
//! output at its level, tied outputs at the same value (`[1, 1, 0, 0]`, `[1, 1, 0.5, 0]`).
//! Everything else is unchanged. Because the cosine pairs each output's rating with its own
//! level, the order in which tied outputs are listed does not matter, and a rater whose ratings
//! are an increasing affine image of `g` (equal scores for tied outputs) has cosine exactly 1.
//! On a strict order the dense rank of the `j`-th best output is `j`, so `g` is
//! `reverse(minmax(ranks))` and the whole computation is §4.1 bit for bit (tested in
//! `tests/it/scoring.rs`).
//!
//! ## Defences
//!
//! [`score_with_defences`] adds four rules the original lacked (reference §8): answers faster
//! than a human are discarded; constant rating vectors score 0; identical vectors across
//! miners share one score; fewer than a quorum of distinct raters scale the task down. See
//! [`defence`] for the exact definitions.
//!
//! ## Runs, EMA and weights
//!
//! A scoring run aggregates per hotkey `q · mean(s) + (1 − q) · Σs / N` over its task scores
//! `s` (`N` = tasks in the run, `q` = 0.8 by default); [`MovingScores`] keeps
//! `S ← 0.3 · R + 0.7 · S` per uid, where miners absent from a non-empty run decay by 0.7 and a
//! uid whose hotkey changed restarts at 0. [`scores_to_weights`] then follows the Bittensor SDK
//! (`process_weights_for_netuid`, max-upscaling to `u16::MAX`, round half to even, zeros
//! dropped, uids sorted) and checks the subnet's limits and version key.
//!
//! # The network
//!
//! ```text
//! validator ──TaskSynapse/TaskResultSynapse/ScoreResultSynapse (signed)──> miner ──x-api-key──> platform <── humans
//!     │  ^ external clients: /api/v1/external/* (bearer keys), signed webhooks
//!     └──set_weights──> Chain ──Yuma──> miner incentive and emission
//! ```
//!
//! - [`protocol`] (this crate): every message between the processes, in one file.
//! - `dojo-transport`: the axon/dendrite protocol of the Bittensor SDK (signed synapses,
//!   metagraph blacklist).
//! - `dojo-validator`: rounds (a generated or external task, shuffled per miner, sent to
//!   every active miner), collection after expiry, scoring, EMA, weights on chain through
//!   `chain::Chain`; its store keeps tasks with their ground truth; a restart resumes.
//! - `dojo-miner`: an axon that relays tasks to its team's platform, returns the humans'
//!   results and forwards the ground truth revealed with each score, so the platform can tell
//!   workers how often they rated flawed outputs above viable ones.
//! - `dojo-platform`: the web app and JSON APIs for humans and for the miner.
//! - `db` (the workspace's database layer): SQLite by default, PostgreSQL by URL, for all three.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//! use dojo_core::{GroundTruth, score_task};
//!
//! # fn main() -> Result<(), dojo_core::DojoError> {
//! // Score two miners against a strict ground truth.
//! let gt = GroundTruth::new(BTreeMap::from([
//!     ("a".to_string(), 0), ("b".to_string(), 1), ("c".to_string(), 2), ("d".to_string(), 3),
//! ]))?;
//! let rate = |v: [f64; 4]| -> BTreeMap<String, f64> {
//!     ["a", "b", "c", "d"].iter().map(|s| s.to_string()).zip(v).collect()
//! };
//! let ratings = BTreeMap::from([
//!     ("careful".to_string(), rate([100.0, 70.0, 40.0, 10.0])),
//!     ("careless".to_string(), rate([10.0, 40.0, 70.0, 100.0])),
//! ]);
//! let scores = score_task(&gt, &ratings)?;
//! assert_eq!(scores.miners["careful"].score, 1.0);
//! assert_eq!(scores.miners["careless"].score, 0.0);
//! # Ok(())
//! # }
//! ```
//!
//! # Feature flags
//!
//! None.
//!
#![doc = include_str!("../README.md")]

pub mod aggregate;
pub mod agreement;
pub mod defence;
pub mod error;
pub mod export;
pub mod feedback;
pub mod media;
pub mod protocol;
pub mod ratings;
pub mod scoring;
pub mod secret;
pub mod simulate;
pub mod task;
pub mod weights;

pub use aggregate::{
    DEFAULT_EMA_ALPHA, DEFAULT_QUALITY_WEIGHT, MovingScores, RunScores, aggregate_run, score_run,
};
pub use agreement::{AgreementScores, agreement_scores, icc_2_1, spearman};
pub use defence::{DefencePolicy, DefendedScores, Penalty, score_with_defences};
pub use error::DojoError;
pub use export::{ExportFormat, ExportOptions, export_jsonl};
pub use feedback::{Feedback, sanitise_feedback};
pub use ratings::{CompletedTask, MinerResponse, WorkerResult};
pub use scoring::{Exclusion, MinerSteps, TaskScores, score_task};
pub use task::{
    Criteria, Flaw, FlawKind, GroundTruth, Interaction, Modality, Output, OutputId,
    PresentedOutput, PresentedTask, Task, TaskShape,
};
pub use weights::{
    WeightLimits, WeightsSubmission, scores_to_weights, validate_weights, version_key,
};
