//! Server-rendered pages (maud escapes every interpolated string) and security headers.

use axum::http::{HeaderMap, HeaderValue, header};
use maud::{DOCTYPE, Markup, html};

use super::store::{Invite, PlatformTask};
use super::{TeamStats, WorkerStats};
use dojo_core::task::{Modality, PresentedOutput, PresentedTask};

/// CSP of the platform's own pages: no scripts at all, styles from our stylesheet only,
/// frames only from our own frame route, forms post only to us.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src data:; \
     frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// CSP of an output's frame content: inline script and style run, nothing reaches the network.
pub const FRAME_CSP: &str =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/// The stylesheet served at `/static/platform.css`.
pub(super) const CSS: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111}\
.outputs{display:flex;gap:1rem;flex-wrap:wrap}.output{flex:1 1 22rem;border:1px solid #ccc;\
padding:.5rem}.output iframe{width:100%;height:22rem;border:0;background:#fff}\
.text{white-space:pre-wrap}.error{color:#a00}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.25rem .5rem}textarea{width:100%;min-height:6rem}";

/// Adds the page security headers.
pub(super) fn security_headers(h: &mut HeaderMap) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The document of an HTML output, with the frame CSP injected as the first element.
pub(super) fn frame_document(content: &str) -> String {
    format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{FRAME_CSP}\">{content}")
}

fn layout(title: &str, logout_csrf: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " · Dojo" }
                link rel="stylesheet" href="/static/platform.css";
            }
            body {
                header {
                    strong { "Dojo worker platform" }
                    @if let Some(csrf) = logout_csrf {
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            " " button type="submit" id="logout" { "Log out" }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page with a single message.
pub(super) fn message_page(title: &str, message: &str) -> Markup {
    layout(title, None, html! { p.error #message { (message) } p { a href="/" { "Back" } } })
}

/// The login form.
pub(super) fn login_page(csrf: &str) -> Markup {
    layout(
        "Log in",
        None,
        html! {
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                p { label { "Username " input #username name="username" required; } }
                p { label { "Password " input #password type="password" name="password" required; } }
                button #login type="submit" { "Log in" }
            }
            p { "New here? " a href="/signup" { "Sign up with an invite key" } }
        },
    )
}

/// The sign-up form.
pub(super) fn signup_page(csrf: &str, invite: &str) -> Markup {
    layout(
        "Sign up",
        None,
        html! {
            form method="post" action="/signup" {
                input type="hidden" name="csrf" value=(csrf);
                p { label { "Invite key " input #invite name="invite" value=(invite) required; } }
                p { label { "Username " input #username name="username" required; } }
                p { label { "Password (at least 10 characters) "
                    input #password type="password" name="password" required minlength="10"; } }
                button #signup type="submit" { "Sign up" }
            }
        },
    )
}

/// State of a task in a worker's inbox.
pub(super) struct InboxRow {
    /// The task.
    pub(super) task: PlatformTask,
    /// Whether this worker submitted.
    pub(super) submitted: bool,
    /// Human-readable state.
    pub(super) state: &'static str,
}

/// The task inbox.
pub(super) fn inbox_page(csrf: &str, username: &str, rows: &[InboxRow]) -> Markup {
    layout(
        "Your tasks",
        Some(csrf),
        html! {
            p { "Signed in as " strong #who { (username) } }
            @if rows.is_empty() { p { "No tasks yet." } }
            ul #inbox {
                @for r in rows {
                    li {
                        a href={ "/tasks/" (r.task.task.id) } { (r.task.task.id) }
                        " — " (r.state)
                        @if r.submitted { " (submitted)" }
                    }
                }
            }
        },
    )
}

fn output_view(task_id: &str, o: &PresentedOutput) -> Markup {
    html! {
        @match o.modality {
            Modality::Html => {
                iframe sandbox="allow-scripts" title={ "output " (o.id) }
                    src={ "/tasks/" (task_id) "/frames/" (o.id) } {}
            }
            Modality::Text => { div.text { (o.content) } }
            Modality::Image => {
                @if o.content.starts_with("data:image/") {
                    img alt={ "output " (o.id) } src=(o.content);
                } @else {
                    p.error { "This image is not shown: only data: images are allowed." }
                }
            }
            Modality::Model3d => {
                p { "3D viewer not available yet. Model: " code { (o.content) } }
            }
        }
    }
}

/// The task page: prompt, outputs side by side, a score per output and the explanation.
pub(super) fn task_page(csrf: &str, task: &PresentedTask, notice: Option<&str>) -> Markup {
    let c = &task.criteria;
    layout(
        "Rate the outputs",
        Some(csrf),
        html! {
            @if let Some(n) = notice { p.error #notice { (n) } }
            h2 { "Prompt" }
            p.text #prompt { (task.prompt) }
            form method="post" action={ "/tasks/" (task.task_id) } {
                input type="hidden" name="csrf" value=(csrf);
                div.outputs {
                    @for o in &task.outputs {
                        section.output data-output=(o.id) {
                            h3 { "Output " (o.id) }
                            (output_view(&task.task_id, o))
                            label { "Score (" (c.score_min) "–" (c.score_max) ") "
                                input type="number" name={ "score:" (o.id) } min=(c.score_min)
                                    max=(c.score_max) step="1" required;
                            }
                        }
                    }
                }
                p { label { "Explain what makes the best output best and the worst output worst "
                    "(required, plain words, at most 300 characters)"
                    textarea #explanation name="explanation" required maxlength="300" {} } }
                button #submit type="submit" { "Submit" }
            }
        },
    )
}

fn pct(n: u64, d: u64) -> String {
    if d == 0 { "—".to_string() } else { format!("{:.1}%", n as f64 * 100.0 / d as f64) }
}

/// What the miner's team page shows.
pub(super) struct TeamView<'a> {
    /// Invite keys issued.
    pub(super) invites: &'a [Invite],
    /// Per-worker stats.
    pub(super) stats: &'a TeamStats,
    /// Number of API keys issued.
    pub(super) api_keys: usize,
    /// A key just issued, shown this once.
    pub(super) new_api_key: Option<&'a str>,
}

/// The miner's team page: invites, API keys and per-worker stats with quality feedback.
pub(super) fn team_page(csrf: &str, username: &str, v: &TeamView<'_>) -> Markup {
    let stats = v.stats;
    layout(
        "Your team",
        Some(csrf),
        html! {
            p { "Miner " strong { (username) } ": " (stats.workers.len()) " workers, "
                (stats.submissions) " submissions." }
            h2 { "Workers" }
            table #workers {
                tr { th { "Worker" } th { "Submissions" } th { "Flawed rated above viable" }
                     th { "Pairs" } th { "Ties" } th { "Rate" } }
                @for w in &stats.workers { (worker_row(w)) }
            }
            h2 { "Invite keys" }
            form method="post" action="/team/invites" {
                input type="hidden" name="csrf" value=(csrf);
                button #new-invite type="submit" { "Issue an invite key" }
            }
            ul #invites {
                @for i in v.invites {
                    li { code.invite { (i.key) } @if i.used_by.is_some() { " (used)" } }
                }
            }
            h2 { "API keys" }
            p { (v.api_keys) " issued. The miner sends one in the " code { "x-api-key" }
                " header of the miner API." }
            @if let Some(k) = v.new_api_key {
                p #new-api-key-notice { "Your new API key (shown only this once; copy it now): "
                    code #new-api-key { (k) } }
            }
            form method="post" action="/team/api-keys" {
                input type="hidden" name="csrf" value=(csrf);
                button #new-api-key-button type="submit" { "Issue an API key" }
            }
        },
    )
}

fn worker_row(w: &WorkerStats) -> Markup {
    html! {
        tr data-worker=(w.username) {
            td { (w.username) } td { (w.submissions) } td.inversions { (w.quality.inversions) }
            td { (w.quality.pairs) } td { (w.quality.ties) }
            td.rate { (pct(w.quality.inversions, w.quality.pairs)) }
        }
    }
}
