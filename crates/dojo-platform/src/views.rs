//! The pages that look back: a worker's per-task feedback and progress, and the miner's
//! exports.
//!
//! Feedback is shown only once a task is closed (expired or full) and its ground truth is
//! known: before that, a worker who saw which outputs were flawed could tell teammates who have
//! not rated yet.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::i18n::Ui;
use super::pages::{self, FeedbackRow, Nav, ScoredTask};
use super::{
    Account, PRESENT_SEED, PlatformError, PlatformState, PlatformTask, Quality, Role, chrome,
    logged_in, page, worker_miner,
};
use dojo_core::task::{Flaw, FlawKind};

/// Whether a worker who submitted may see the task's feedback.
pub(super) fn feedback_ready(t: &PlatformTask, results: usize, now_ns: u64) -> bool {
    t.task.ground_truth.is_some()
        && (now_ns >= t.expires_at_ns || results >= t.max_results as usize)
}

/// The worker's scored tasks, oldest submission first.
pub(super) async fn scored_tasks(
    st: &PlatformState,
    a: &Account,
    now_ns: u64,
) -> Result<Vec<ScoredTask>, PlatformError> {
    let miner = worker_miner(a)?;
    let tasks = st.tasks_by_id(miner).await?;
    let subs = st.store.team_submissions(miner).await?;
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for s in &subs {
        *counts.entry(s.task_id.as_str()).or_default() += 1;
    }
    let mut mine: Vec<_> = subs.iter().filter(|s| s.worker == a.id).collect();
    mine.sort_by_key(|s| s.submitted_at_ns);
    Ok(mine
        .into_iter()
        .filter_map(|s| {
            let t = tasks.get(&s.task_id)?;
            let n = counts.get(s.task_id.as_str()).copied().unwrap_or(0);
            if !feedback_ready(t, n, now_ns) {
                return None;
            }
            let mut q = Quality::default();
            q.add(t, s);
            Some(ScoredTask {
                id: t.task.id.clone(),
                prompt: t.task.prompt.clone(),
                right: q.pairs - q.inversions - q.ties,
                pairs: q.pairs,
            })
        })
        .collect())
}

/// Pairs ordered right over pairs compared, `None` when nothing was compared.
pub(super) fn accuracy(scored: &[ScoredTask]) -> Option<f64> {
    let (r, p) = scored.iter().fold((0, 0), |(r, p), s| (r + s.right, p + s.pairs));
    (p > 0).then(|| r as f64 / p as f64)
}

fn flaw_kind(k: FlawKind) -> &'static str {
    match k {
        FlawKind::DropRequirement => "a requirement was dropped",
        FlawKind::AddUnrequestedFeature => "an unrequested feature was added",
        FlawKind::BreakStyle => "colours and fonts unrelated to the request",
        FlawKind::ThrowOnInteraction => "an interaction throws an error",
        FlawKind::Lag => "interactions lag",
        FlawKind::Jank => "the animation stutters",
        FlawKind::VisualGlitch => "a visual glitch",
        FlawKind::SwappedTexture => "textures or colours swapped",
        FlawKind::MissingTexture => "a texture is missing",
        FlawKind::MissingPart => "a part is missing",
        FlawKind::WrongLabel => "a label is on the wrong object",
    }
}

fn flaw_text(f: &Flaw) -> String {
    if f.description.trim().is_empty() {
        flaw_kind(f.kind).to_string()
    } else {
        format!("{} — {}", flaw_kind(f.kind), f.description)
    }
}

/// `GET /tasks/{id}/feedback`: the worker's ranking against the ground truth.
pub(super) async fn feedback(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    let t = st.team_task(&a, &id).await?;
    let subs = st.store.submissions(&id).await?;
    let c = chrome(ui, Nav::Tasks, Some(&s.csrf));
    let tr = ui.t();
    let (Some(sub), Some(gt)) = (subs.iter().find(|x| x.worker == a.id), &t.task.ground_truth)
    else {
        let m = pages::message_page(&c, tr.feedback_title, tr.feedback_wait, ("/tasks", tr.back));
        return Ok(page(&st, ui, m, None));
    };
    if !feedback_ready(&t, subs.len(), st.clock.now_ns()) {
        let m = pages::message_page(&c, tr.feedback_title, tr.feedback_wait, ("/tasks", tr.back));
        return Ok(page(&st, ui, m, None));
    }
    let presented = t.task.present(PRESENT_SEED, &a.username);
    let rows: Vec<FeedbackRow> = presented
        .outputs
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let score = sub.scores.get(&o.id).copied().unwrap_or(0);
            FeedbackRow {
                letter: pages::letter(i),
                score,
                your_rank: 1 + sub.scores.values().filter(|v| **v > score).count(),
                true_rank: gt.ranks.get(&o.id).copied().unwrap_or(0) + 1,
                flaws: t
                    .task
                    .output(&o.id)
                    .map(|x| x.flaws.iter().map(flaw_text).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mut q = Quality::default();
    q.add(&t, sub);
    let right = (q.pairs - q.inversions - q.ties, q.pairs);
    let m = pages::feedback_page(&c, &t.task.prompt, &rows, right, &sub.explanation);
    Ok(page(&st, ui, m, None))
}

/// `GET /me`: the worker's progress.
pub(super) async fn me(
    State(st): State<PlatformState>,
    ui: Ui,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let (s, a) = logged_in(&st, &headers).await?;
    let miner = worker_miner(&a)?;
    let done = st.store.team_submissions(miner).await?.iter().filter(|x| x.worker == a.id).count();
    let scored = scored_tasks(&st, &a, st.clock.now_ns()).await?;
    let c = chrome(ui, Nav::Me, Some(&s.csrf));
    Ok(page(&st, ui, pages::me_page(&c, done, &scored), None))
}

/// One CSV field: quoted, quotes doubled, and a leading `= + - @` defused so a spreadsheet
/// never evaluates a worker's text as a formula.
fn csv_field(s: &str) -> String {
    let s =
        if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.into() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn csv(name: &str, body: String) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

async fn miner_of(st: &PlatformState, headers: &HeaderMap) -> Result<u64, PlatformError> {
    let (_, a) = logged_in(st, headers).await?;
    if a.role != Role::Miner {
        return Err(PlatformError::Forbidden);
    }
    Ok(a.id)
}

/// `GET /team/export/workers.csv`: per-worker quality.
pub(super) async fn export_workers(
    State(st): State<PlatformState>,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let miner = miner_of(&st, &headers).await?;
    let stats = st.team_stats(miner).await?;
    let mut out = String::from("worker,submissions,scored_tasks,pairs,inversions,ties\n");
    for w in &stats.workers {
        let q = w.quality;
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_field(&w.username),
            w.submissions,
            q.tasks,
            q.pairs,
            q.inversions,
            q.ties
        ));
    }
    Ok(csv("workers.csv", out))
}

/// `GET /team/export/results.csv`: every result, one row per (result, output).
pub(super) async fn export_results(
    State(st): State<PlatformState>,
    headers: HeaderMap,
) -> Result<Response, PlatformError> {
    let miner = miner_of(&st, &headers).await?;
    let names: std::collections::BTreeMap<u64, String> =
        st.store.members(miner).await?.into_iter().map(|m| (m.id, m.username)).collect();
    let mut out =
        String::from("task,source_task,worker,submitted_at_ns,output,score,explanation\n");
    for s in st.store.team_submissions(miner).await? {
        let source = st.store.task_source(&s.task_id).await?.unwrap_or_default();
        let who = names.get(&s.worker).map_or("", String::as_str);
        for (output, score) in &s.scores {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                csv_field(&s.task_id),
                csv_field(&source),
                csv_field(who),
                s.submitted_at_ns,
                csv_field(output),
                score,
                csv_field(&s.explanation)
            ));
        }
    }
    Ok(csv("results.csv", out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("a \"b\", c"), "\"a \"\"b\"\", c\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
    }
}
