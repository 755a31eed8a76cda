//! Dataset export as JSON Lines that Hugging Face `datasets` loads as is
//! (`load_dataset("json", data_files=...)`): every row of a format has the same flat columns
//! (lists and structs only where their shape is fixed), no maps keyed by data.
//!
//! - **DPO**: `task_id, prompt, chosen, rejected, chosen_id, rejected_id, score_chosen,
//!   score_rejected, rationale`. Per task the chosen output is the one with the highest mean
//!   human score (ties: better ground-truth rank, then id); one row for every other output whose
//!   mean is at least `margin` points lower. `rationale` joins the task's valid written feedback.
//! - **SFT**: `task_id, prompt, completion, output_id, score`: the best output of each task.
//! - **Raw**: the task with full provenance: outputs with model, flaws, ground-truth rank and
//!   mean score; every miner response with every worker result; the defended task scores.
//!
//! Input is streamed: one [`CompletedTask`] per line; output is written row by row.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::defence::{DefencePolicy, score_with_defences};
use crate::error::DojoError;
use crate::ratings::CompletedTask;

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Preference pairs.
    Dpo,
    /// Best output per prompt.
    Sft,
    /// Everything.
    Raw,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dpo" => Ok(ExportFormat::Dpo),
            "sft" => Ok(ExportFormat::Sft),
            "raw" => Ok(ExportFormat::Raw),
            other => Err(format!("unknown format {other:?}; use dpo, sft or raw")),
        }
    }
}

/// Export options.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// Minimum gap between chosen and rejected mean scores (points on the 1–100 scale).
    pub margin: f64,
    /// Defences used to score raw rows.
    pub policy: DefencePolicy,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions { margin: 10.0, policy: DefencePolicy::default() }
    }
}

/// A DPO row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DpoRow {
    /// Task id.
    pub task_id: String,
    /// Prompt.
    pub prompt: String,
    /// Preferred output.
    pub chosen: String,
    /// Dispreferred output.
    pub rejected: String,
    /// Id of the preferred output.
    pub chosen_id: String,
    /// Id of the dispreferred output.
    pub rejected_id: String,
    /// Mean human score of `chosen`.
    pub score_chosen: f64,
    /// Mean human score of `rejected`.
    pub score_rejected: f64,
    /// The valid written feedback of the task, joined by newlines.
    pub rationale: String,
}

/// An SFT row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SftRow {
    /// Task id.
    pub task_id: String,
    /// Prompt.
    pub prompt: String,
    /// The best output.
    pub completion: String,
    /// Its id.
    pub output_id: String,
    /// Its mean human score.
    pub score: f64,
}

#[derive(Serialize)]
struct RawFlaw<'a> {
    kind: String,
    severity: u8,
    description: &'a str,
    interaction: String,
}

#[derive(Serialize)]
struct RawOutput<'a> {
    id: &'a str,
    model: &'a str,
    modality: String,
    content: &'a str,
    flaws: Vec<RawFlaw<'a>>,
    ground_truth_rank: Option<u32>,
    mean_score: Option<f64>,
}

#[derive(Serialize)]
struct RawScore<'a> {
    output_id: &'a str,
    score: f64,
}

#[derive(Serialize)]
struct RawResult<'a> {
    worker_id: &'a str,
    elapsed_secs: f64,
    rationale: &'a str,
    ranking: &'a [String],
    scores: Vec<RawScore<'a>>,
}

#[derive(Serialize)]
struct RawResponse<'a> {
    hotkey: &'a str,
    coldkey: Option<&'a str>,
    received_at: u64,
    results: Vec<RawResult<'a>>,
}

#[derive(Serialize)]
struct RawMinerScore {
    hotkey: String,
    score: f64,
}

#[derive(Serialize)]
struct RawRow<'a> {
    task_id: &'a str,
    prompt: &'a str,
    shape: String,
    created_at: u64,
    expire_at: u64,
    outputs: Vec<RawOutput<'a>>,
    responses: Vec<RawResponse<'a>>,
    miner_scores: Vec<RawMinerScore>,
}

fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Outputs of a task ranked by mean human score, best first: (id, mean).
fn ranked(t: &CompletedTask) -> Vec<(String, f64)> {
    let means = t.output_means();
    let rank = |id: &str| {
        t.task.ground_truth.as_ref().and_then(|g| g.ranks.get(id).copied()).unwrap_or(u32::MAX)
    };
    let mut v: Vec<(String, f64)> = means.into_iter().collect();
    v.sort_by(|a, b| {
        b.1.total_cmp(&a.1).then_with(|| rank(&a.0).cmp(&rank(&b.0))).then_with(|| a.0.cmp(&b.0))
    });
    v
}

fn rationale(t: &CompletedTask) -> String {
    t.responses
        .iter()
        .flat_map(|r| &r.results)
        .map(|w| w.rationale.as_str())
        .filter(|r| !r.is_empty() && *r != "invalid")
        .collect::<Vec<_>>()
        .join("\n")
}

/// DPO rows of one task (feedback must already be sanitised).
pub fn dpo_rows(t: &CompletedTask, margin: f64) -> Vec<DpoRow> {
    let r = ranked(t);
    let Some((best_id, best)) = r.first() else { return Vec::new() };
    let Some(chosen) = t.task.output(best_id) else { return Vec::new() };
    let why = rationale(t);
    r.iter()
        .skip(1)
        .filter(|(_, s)| best - s >= margin)
        .filter_map(|(id, s)| {
            t.task.output(id).map(|rej| DpoRow {
                task_id: t.task.id.clone(),
                prompt: t.task.prompt.clone(),
                chosen: chosen.content.clone(),
                rejected: rej.content.clone(),
                chosen_id: best_id.clone(),
                rejected_id: id.clone(),
                score_chosen: *best,
                score_rejected: *s,
                rationale: why.clone(),
            })
        })
        .collect()
}

/// The SFT row of one task, if any output was rated.
pub fn sft_row(t: &CompletedTask) -> Option<SftRow> {
    let r = ranked(t);
    let (id, score) = r.first()?;
    let o = t.task.output(id)?;
    Some(SftRow {
        task_id: t.task.id.clone(),
        prompt: t.task.prompt.clone(),
        completion: o.content.clone(),
        output_id: id.clone(),
        score: *score,
    })
}

fn write_raw<W: Write>(
    t: &CompletedTask,
    policy: &DefencePolicy,
    out: &mut W,
) -> Result<(), DojoError> {
    let means = t.output_means();
    // Empty scores would read as "nobody earned anything": a failure is the caller's to see.
    let scores = score_with_defences(&t.task, &t.responses, policy)
        .map_err(|e| DojoError::Unscoreable { task_id: t.task.id.clone(), source: Box::new(e) })?
        .scores;
    let row = RawRow {
        task_id: &t.task.id,
        prompt: &t.task.prompt,
        shape: enum_name(&t.task.shape),
        created_at: t.created_at,
        expire_at: t.expire_at,
        outputs: t
            .task
            .outputs
            .iter()
            .map(|o| RawOutput {
                id: &o.id,
                model: &o.model,
                modality: enum_name(&o.modality),
                content: &o.content,
                flaws: o
                    .flaws
                    .iter()
                    .map(|f| RawFlaw {
                        kind: enum_name(&f.kind),
                        severity: f.severity,
                        description: &f.description,
                        interaction: f
                            .interaction
                            .as_ref()
                            .map(|i| format!("{} {}", i.event, i.selector))
                            .unwrap_or_default(),
                    })
                    .collect(),
                ground_truth_rank: t
                    .task
                    .ground_truth
                    .as_ref()
                    .and_then(|g| g.ranks.get(&o.id).copied()),
                mean_score: means.get(&o.id).copied(),
            })
            .collect(),
        responses: t
            .responses
            .iter()
            .map(|r| RawResponse {
                hotkey: &r.hotkey,
                coldkey: r.coldkey.as_deref(),
                received_at: r.received_at,
                results: r
                    .results
                    .iter()
                    .map(|w| RawResult {
                        worker_id: &w.worker_id,
                        elapsed_secs: w.elapsed_secs,
                        rationale: &w.rationale,
                        ranking: &w.ranking,
                        scores: w
                            .scores
                            .iter()
                            .map(|(k, v)| RawScore { output_id: k, score: *v })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        miner_scores: scores
            .into_iter()
            .map(|(hotkey, score)| RawMinerScore { hotkey, score })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &row)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes the rows of one task in `format`; returns the number of rows written.
/// Sanitises the task's feedback first.
pub fn write_task<W: Write>(
    task: &CompletedTask,
    format: ExportFormat,
    opts: &ExportOptions,
    out: &mut W,
) -> Result<usize, DojoError> {
    let mut t = task.clone();
    t.sanitise_feedback();
    match format {
        ExportFormat::Dpo => {
            let rows = dpo_rows(&t, opts.margin);
            for r in &rows {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
            Ok(rows.len())
        }
        ExportFormat::Sft => match sft_row(&t) {
            Some(r) => {
                serde_json::to_writer(&mut *out, &r)?;
                out.write_all(b"\n")?;
                Ok(1)
            }
            None => Ok(0),
        },
        ExportFormat::Raw => {
            write_raw(&t, &opts.policy, out)?;
            Ok(1)
        }
    }
}

/// Counts of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportStats {
    /// Tasks read.
    pub tasks: usize,
    /// Rows written.
    pub rows: usize,
}

/// Streams a JSON Lines ratings store (one [`CompletedTask`] per line; blank lines skipped)
/// into JSON Lines rows of `format`.
pub fn export_jsonl<R: BufRead, W: Write>(
    input: R,
    format: ExportFormat,
    opts: &ExportOptions,
    mut out: W,
) -> Result<ExportStats, DojoError> {
    let mut stats = ExportStats::default();
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let task: CompletedTask = serde_json::from_str(&line)
            .map_err(|e| DojoError::Rating(format!("line {}: not a completed task: {e}", n + 1)))?;
        stats.tasks += 1;
        stats.rows += write_task(&task, format, opts, &mut out)?;
    }
    out.flush()?;
    Ok(stats)
}
