//! Server-rendered pages (maud escapes every interpolated string) and security headers.
//!
//! The pages share the terminal's visual language: its stylesheet is served as the base
//! (`/static/app.css`, the terminal's own file embedded at build time, so there is one source
//! of the design tokens) and `/static/platform.css` adds the platform's components on the same
//! CSS variables. The one script, `/static/platform.js`, only enhances: every form works
//! without it (the review step, sliders, countdowns and shortcuts are its additions).

use axum::http::{HeaderMap, HeaderValue, header};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::i18n::{Catalogue, Ui};
use super::store::{Invite, PlatformTask};
use super::{TeamStats, WorkerStats};
use dojo_core::media::{decode_data_uri, png_size, sniff};
use dojo_core::task::{Modality, PresentedOutput, PresentedTask};

/// CSP of the platform's own pages: scripts, styles and fonts only from our own files (no
/// inline script, no inline style), images from `data:` and our routes, frames only from our
/// own frame route, forms post only to us.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     font-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// CSP of an output's frame content: inline script and style run, nothing reaches the network.
pub const FRAME_CSP: &str =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/// Letters of the outputs as shown to a worker, in presentation order.
pub(super) fn letter(i: usize) -> char {
    char::from(b'A' + u8::try_from(i % 26).unwrap_or(0))
}

/// Adds the page security headers.
pub(super) fn security_headers(h: &mut HeaderMap) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// CSP of the 3D viewer's frame: our viewer script and three.js only, the model's textures
/// as blob/data images, no network.
pub(super) const MODEL_FRAME_CSP: &str = "default-src 'none'; script-src 'self'; \
     style-src 'unsafe-inline'; img-src blob: data:; connect-src blob: data:; \
     sandbox allow-scripts; frame-ancestors 'self'";

/// The 3D viewer document of a GLB output: a canvas, the model's data URI in an attribute,
/// and the orbit viewer module (three.js, served from the binary).
pub(super) fn model_document(data_uri: &str) -> String {
    html! {
        (DOCTYPE)
        html {
            head {
                meta charset="utf-8";
                style { "html,body{margin:0;height:100%;overflow:hidden;background:#1b2130}canvas{display:block;width:100%;height:100%;outline:none}" }
                script type="module" src="/static/viewer3d.js" {}
            }
            body {
                canvas #view tabindex="0" aria-label="3D model: drag to orbit, scroll to zoom" {}
                div #model data-src=(data_uri) hidden {}
            }
        }
    }
    .into_string()
}

/// The document of an HTML output, with the frame CSP injected as the first element.
pub(super) fn frame_document(content: &str) -> String {
    format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{FRAME_CSP}\">{content}")
}

/// Which navigation a page shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Nav {
    /// Logged out: no navigation.
    None,
    /// A worker on its inbox (or a task).
    Tasks,
    /// A worker on its progress page.
    Me,
    /// A miner on its team page.
    Team,
}

/// What the header needs: the CSRF token of the logout form when logged in.
pub(super) struct Chrome<'a> {
    pub(super) ui: Ui,
    pub(super) nav: Nav,
    pub(super) logout_csrf: Option<&'a str>,
}

fn layout(c: &Chrome<'_>, title: &str, body: Markup) -> Markup {
    let t = c.ui.t();
    let nav_link = |href: &str, label: &str, on: bool| {
        html! { a href=(href) class=[on.then_some("on")] aria-current=[on.then_some("page")] { (label) } }
    };
    html! {
        (DOCTYPE)
        html lang=(c.ui.lang.code()) data-theme=(if c.ui.light { "light" } else { "dark" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="dark light";
                title { (title) " · Dojo" }
                link rel="stylesheet" href="/static/fonts.css";
                link rel="stylesheet" href="/static/app.css";
                link rel="stylesheet" href="/static/platform.css";
                script type="module" src="/static/platform.js" {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    div.bar {
                        a.brand href="/" {
                            span.logo aria-hidden="true" { "D" }
                            (t.brand) small { (t.brand_sub) }
                        }
                        @if c.nav != Nav::None {
                            nav aria-label=(t.brand_sub) {
                                @if c.nav == Nav::Team {
                                    (nav_link("/team", t.nav_team, true))
                                } @else {
                                    (nav_link("/tasks", t.nav_tasks, c.nav == Nav::Tasks))
                                    (nav_link("/me", t.nav_me, c.nav == Nav::Me))
                                }
                            }
                        }
                        div.tools {
                            div.langs {
                                a href="?lang=en" lang="en" class=[(c.ui.lang.code() == "en").then_some("on")] { "EN" }
                                a href="?lang=zh" lang="zh" class=[(c.ui.lang.code() == "zh").then_some("on")] { "中文" }
                            }
                            button #theme type="button" aria-label=(t.theme_toggle) title=(t.theme_toggle) {
                                span.moon aria-hidden="true" { "☾" } span.sun aria-hidden="true" { "☀" }
                            }
                            @if let Some(csrf) = c.logout_csrf {
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button.ghost #logout type="submit" { (t.log_out) }
                                }
                            }
                        }
                    }
                }
                main #main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page with a single message.
pub(super) fn message_page(
    c: &Chrome<'_>,
    title: &str,
    message: &str,
    back: (&str, &str),
) -> Markup {
    layout(
        c,
        title,
        html! {
            section.card.panel {
                p #message role="status" { (message) }
                p { a.button href=(back.0) { (back.1) } }
            }
        },
    )
}

/// The login form.
pub(super) fn login_page(c: &Chrome<'_>, csrf: &str) -> Markup {
    let t = c.ui.t();
    layout(
        c,
        t.log_in,
        html! {
            form.card.panel.narrow method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                label.field for="username" { (t.username) }
                input #username name="username" autocomplete="username" required;
                label.field for="password" { (t.password) }
                input #password type="password" name="password" autocomplete="current-password" required;
                button.primary #login type="submit" { (t.log_in) }
                p.muted { (t.new_here) " " a.link href="/signup" { (t.sign_up_link) } }
            }
        },
    )
}

/// The sign-up form.
pub(super) fn signup_page(c: &Chrome<'_>, csrf: &str, invite: &str) -> Markup {
    let t = c.ui.t();
    layout(
        c,
        t.sign_up,
        html! {
            form.card.panel.narrow method="post" action="/signup" {
                input type="hidden" name="csrf" value=(csrf);
                label.field for="invite" { (t.invite_key) }
                input #invite name="invite" value=(invite) required;
                label.field for="username" { (t.username) }
                input #username name="username" autocomplete="username" required;
                label.field for="password" { (t.password) " (" (t.password_hint) ")" }
                input #password type="password" name="password" autocomplete="new-password" required minlength="10";
                button.primary #signup type="submit" { (t.sign_up) }
            }
        },
    )
}

/// The state of a task for one worker.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RowState {
    /// Open for this worker.
    Open,
    /// This worker submitted; not scored yet.
    Submitted,
    /// This worker submitted and the feedback page is available.
    Scored,
    /// Closed by its deadline.
    Expired,
    /// Closed by its result count.
    Full,
}

impl RowState {
    fn label(self, t: &Catalogue) -> &'static str {
        match self {
            RowState::Open => t.state_open,
            RowState::Submitted => t.state_submitted,
            RowState::Scored => t.state_scored,
            RowState::Expired => t.state_expired,
            RowState::Full => t.state_full,
        }
    }

    fn class(self) -> &'static str {
        match self {
            RowState::Open => "state open",
            RowState::Submitted => "state submitted",
            RowState::Scored => "state scored",
            RowState::Expired | RowState::Full => "state closed",
        }
    }
}

/// One task in a worker's inbox.
pub(super) struct InboxRow {
    /// The task.
    pub(super) task: PlatformTask,
    /// Results so far (the whole team).
    pub(super) results: usize,
    /// Its state for this worker.
    pub(super) state: RowState,
}

/// The inbox's summary cards.
pub(super) struct InboxSummary {
    /// Tasks the team can still work on.
    pub(super) team_open: usize,
    /// Results the team still needs for them.
    pub(super) team_needed: u64,
    /// Tasks this worker submitted.
    pub(super) done: usize,
    /// This worker's accuracy, when anything was scored.
    pub(super) accuracy: Option<f64>,
}

fn modality_label(t: &Catalogue, m: Modality) -> &'static str {
    match m {
        Modality::Html => t.modality_html,
        Modality::Text => t.modality_text,
        Modality::Image => t.modality_image,
        Modality::Model3d => t.modality_3d,
    }
}

/// The countdown text of a deadline `left_ns` from now (rendered again every second by the
/// script).
fn countdown(t: &Catalogue, left_ns: u64) -> String {
    if left_ns == 0 {
        return t.ended.to_string();
    }
    let s = left_ns / 1_000_000_000;
    let (d, h, m) = (s / 86_400, s / 3600 % 24, s / 60 % 60);
    let span = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else {
        format!("{m}m {:02}s", s % 60)
    };
    format!("{span} {}", t.left)
}

fn deadline(t: &Catalogue, expires_at_ns: u64, now_ns: u64) -> Markup {
    let left = expires_at_ns.saturating_sub(now_ns);
    html! {
        time.countdown data-deadline-ms=(expires_at_ns / 1_000_000) data-left=(t.left)
            data-ended=(t.ended) class=[(left > 0 && left < 600_000_000_000).then_some("soon")] {
            (countdown(t, left))
        }
    }
}

/// At most `n` characters of `s`, with an ellipsis when cut.
fn preview(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{:.0}%", x * 100.0))
}

/// The task inbox.
pub(super) fn inbox_page(
    c: &Chrome<'_>,
    username: &str,
    now_ns: u64,
    sum: &InboxSummary,
    rows: &[InboxRow],
) -> Markup {
    let t = c.ui.t();
    layout(
        c,
        t.inbox_title,
        html! {
            p.sub { (t.signed_in_as) " " strong #who { (username) } }
            div.cards.summary {
                div.card { span.k { (t.team_open) } b #team-open { (sum.team_open) } }
                div.card { span.k { (t.team_needed) } b #team-needed { (sum.team_needed) } }
                div.card { span.k { (t.my_done) } b { (sum.done) } }
                div.card { span.k { (t.my_accuracy) } b { (pct(sum.accuracy)) } }
            }
            @if rows.is_empty() { p.empty.card { (t.inbox_empty) } }
            @else {
                table.list #inbox {
                    thead { tr {
                        th scope="col" { (t.col_task) } th scope="col" { (t.col_modality) }
                        th scope="col" { (t.col_deadline) } th.num scope="col" { (t.col_results) }
                        th scope="col" { (t.col_state) }
                    } }
                    tbody {
                        @for r in rows {
                            @let task = &r.task.task;
                            @let href = if r.state == RowState::Scored {
                                format!("/tasks/{}/feedback", task.id)
                            } else {
                                format!("/tasks/{}", task.id)
                            };
                            tr data-task=(task.id) {
                                td.prompt data-label=(t.col_task) {
                                    a href=(href) { (preview(&task.prompt, 110)) }
                                }
                                td data-label=(t.col_modality) {
                                    @for m in modalities(task) { span.tag { (modality_label(t, m)) } " " }
                                }
                                td data-label=(t.col_deadline) { (deadline(t, r.task.expires_at_ns, now_ns)) }
                                td.num data-label=(t.col_results) { (r.results) "/" (r.task.max_results) }
                                td data-label=(t.col_state) { span class=(r.state.class()) { (r.state.label(t)) } }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn modalities(task: &dojo_core::Task) -> Vec<Modality> {
    let mut m: Vec<Modality> = task.outputs.iter().map(|o| o.modality).collect();
    m.sort();
    m.dedup();
    m
}

fn output_view(t: &Catalogue, task_id: &str, l: char, o: &PresentedOutput) -> Markup {
    html! {
        @match o.modality {
            Modality::Html => {
                div.viewer.app {
                    iframe sandbox="allow-scripts" title={ (t.output) " " (l) }
                        src={ "/tasks/" (task_id) "/frames/" (o.id) } {}
                }
            }
            Modality::Text => { div.viewer.text tabindex="0" aria-label={ (t.output) " " (l) } { (o.content) } }
            Modality::Image => {
                @if sniff(Modality::Image, &o.content).is_ok() {
                    div.viewer.image tabindex="0" aria-label={ (t.output) " " (l) } {
                        div.zoom {
                            img alt={ (t.output) " " (l) } src=(o.content);
                            @if !o.annotations.is_empty() { (overlay(o)) }
                        }
                    }
                } @else {
                    p.error { "This image is not shown: only data: images are allowed (PNG, JPEG \
                        or WebP, checked by their content)." }
                }
            }
            Modality::Model3d => {
                @if sniff(Modality::Model3d, &o.content).is_ok() {
                    div.viewer.app.model {
                        iframe sandbox="allow-scripts" title={ (t.output) " " (l) " (3D)" }
                            src={ "/tasks/" (task_id) "/frames/" (o.id) } {}
                    }
                } @else {
                    p.error { "This model is not shown: only binary glTF (GLB) data: URIs are allowed." }
                }
            }
        }
    }
}

/// The labelled boxes over an image, as SVG in the image's own proportions (PNG) so labels
/// are not stretched; boxes come in thousandths of the width and height.
fn overlay(o: &PresentedOutput) -> Markup {
    let size = decode_data_uri(&o.content).ok().and_then(|b| png_size(&b));
    let (w, h) = size.unwrap_or((1000, 1000));
    let sx = |v: u16| f64::from(v) * f64::from(w) / 1000.0;
    let sy = |v: u16| f64::from(v) * f64::from(h) / 1000.0;
    let font = f64::from(h.min(w)) / 14.0;
    html! {
        svg.overlay viewBox={ "0 0 " (w) " " (h) } preserveAspectRatio="none" aria-hidden="true" {
            @for a in &o.annotations {
                rect.box x=(sx(a.x)) y=(sy(a.y)) width=(sx(a.w)) height=(sy(a.h)) {}
                text.boxlabel x=(sx(a.x)) y=((sy(a.y) - font * 0.25).max(font)) font-size=(font) { (a.label) }
            }
        }
        ul.boxes {
            @for a in &o.annotations {
                li { (a.label) ": " (a.x / 10) "–" ((a.x + a.w) / 10) "% × " (a.y / 10) "–" ((a.y + a.h) / 10) "%" }
            }
        }
    }
}

fn output_card(t: &Catalogue, task: &PresentedTask, i: usize, o: &PresentedOutput) -> Markup {
    let c = &task.criteria;
    let l = letter(i);
    html! {
        section.output.card data-output=(o.id) data-letter=(l) aria-labelledby={ "h-" (l) } {
            div.ohead {
                h2 id={ "h-" (l) } { span.letter aria-hidden="true" { (l) } " " (t.output) " " (l) }
                div.otools {
                    @if o.modality == Modality::Html {
                        div.seg role="group" aria-label={ (t.output) " " (l) } {
                            button.view-desktop type="button" aria-pressed="true" { (t.desktop) }
                            button.view-phone type="button" aria-pressed="false" { (t.phone) }
                        }
                    }
                    @if o.modality == Modality::Image {
                        div.seg role="group" aria-label={ (t.output) " " (l) } {
                            button.zoom-out type="button" aria-label={ (t.zoom_out) " " (l) } { "−" }
                            button.zoom-in type="button" aria-label={ (t.zoom_in) " " (l) } { "+" }
                        }
                    }
                    button.expand.ghost type="button" aria-expanded="false" data-close=(t.close) { (t.expand) }
                }
            }
            (output_view(t, &task.task_id, l, o))
            div.scorebar {
                label for={ "n-" (l) } { (t.score) " " (l) }
                input.slider type="range" id={ "r-" (l) } data-for={ "n-" (l) } min=(c.score_min)
                    max=(c.score_max) step="1" aria-label={ (t.score) " " (l) };
                input type="number" name={ "score:" (o.id) } min=(c.score_min) max=(c.score_max)
                    step="1" required id={ "n-" (l) } class="num";
            }
        }
    }
}

/// The rating page: prompt, outputs A–D side by side, a slider and a number per output, the
/// explanation with its counter and hints, and the review step before submitting.
pub(super) fn task_page(
    c: &Chrome<'_>,
    task: &PresentedTask,
    expires_at_ns: u64,
    now_ns: u64,
    notice: Option<&str>,
) -> Markup {
    let t = c.ui.t();
    let action = format!("/tasks/{}", task.task_id);
    layout(
        c,
        t.rate_title,
        html! {
            @if let Some(n) = notice { p.error #notice role="alert" { (n) } }
            section.card.panel.promptcard {
                div.cardhead {
                    h2 { (t.prompt) }
                    (deadline(t, expires_at_ns, now_ns))
                }
                p.text #prompt { (task.prompt) }
            }
            details.card.panel.keys {
                summary { (t.shortcuts) }
                dl { @for (k, what) in t.shortcut_list { div { dt { kbd { (k) } } dd { (what) } } } }
            }
            form #rate method="post" action=(action) {
                input type="hidden" name="csrf" value=(csrf_of(c));
                div.outputs {
                    @for (i, o) in task.outputs.iter().enumerate() { (output_card(t, task, i, o)) }
                }
                section.card.panel.explain {
                    label.field for="explanation" { (t.explanation) }
                    p.muted #explanation-hint { (t.explanation_hint) }
                    textarea #explanation name="explanation" required maxlength="300"
                        aria-describedby="explanation-hint explanation-count" {}
                    p.counter { output #explanation-count for="explanation" { "0" } " / 300 " (t.chars) }
                    ul.hints { @for h in t.hints { li { (h) } } }
                    button.primary #review type="button" hidden { (t.review) }
                }
                section.card.panel #review-panel aria-labelledby="review-title" {
                    h2 #review-title tabindex="-1" { (t.review_title) }
                    p.muted { (t.review_intro) }
                    ol #review-list {}
                    blockquote #review-explanation {}
                    div.actions {
                        button.ghost #edit type="button" hidden { (t.edit) }
                        button.primary #submit type="submit" { (t.submit) }
                    }
                }
            }
        },
    )
}

fn csrf_of<'a>(c: &Chrome<'a>) -> &'a str {
    c.logout_csrf.unwrap_or("")
}

/// One output on the feedback page.
pub(super) struct FeedbackRow {
    /// Its letter as this worker saw it.
    pub(super) letter: char,
    /// The worker's score.
    pub(super) score: u32,
    /// The worker's rank (1 = best; ties share).
    pub(super) your_rank: usize,
    /// The ground-truth rank (1 = best).
    pub(super) true_rank: u32,
    /// What was deliberately done to it (empty: viable, or flawed without a description).
    pub(super) flaws: Vec<String>,
}

/// The per-task feedback: the worker's ranking against the ground truth and the flawed outputs.
pub(super) fn feedback_page(
    c: &Chrome<'_>,
    prompt: &str,
    rows: &[FeedbackRow],
    right: (u64, u64),
    explanation: &str,
) -> Markup {
    let t = c.ui.t();
    layout(
        c,
        t.feedback_title,
        html! {
            section.card.panel.promptcard {
                h2 { (t.prompt) }
                p.text #prompt { (prompt) }
            }
            p.sub #intro { (t.feedback_intro) }
            div.cards.summary {
                div.card { span.k { (t.pairs_right) } b #pairs-right { (right.0) " / " (right.1) } }
            }
            table.list #feedback {
                thead { tr {
                    th scope="col" { (t.output) } th.num scope="col" { (t.col_your_score) }
                    th.num scope="col" { (t.col_your_rank) } th.num scope="col" { (t.col_true_rank) }
                    th scope="col" { (t.col_flaws) }
                } }
                tbody {
                    @for r in rows {
                        @let flawed = r.true_rank > 1;
                        tr data-letter=(r.letter) class=[flawed.then_some("flawed")] {
                            td data-label=(t.output) { span.letter { (r.letter) } }
                            td.num data-label=(t.col_your_score) { (r.score) }
                            td.num data-label=(t.col_your_rank) {
                                (r.your_rank)
                                @if (r.your_rank as u32) == r.true_rank { " ✓" }
                            }
                            td.num data-label=(t.col_true_rank) { (r.true_rank) }
                            td data-label=(t.col_flaws) {
                                @if !flawed { span.state.open { (t.viable) } }
                                @else if r.flaws.is_empty() { span.state.closed { (t.flawed_unknown) } }
                                @else {
                                    span.state.closed { (t.flawed) } " "
                                    @for f in &r.flaws { span.flaw { (f) } " " }
                                }
                            }
                        }
                    }
                }
            }
            section.card.panel {
                h2 { (t.your_explanation) }
                blockquote { (explanation) }
            }
            p { a.button href="/tasks" { (t.next_task) } }
        },
    )
}

/// One scored task on the personal page.
pub(super) struct ScoredTask {
    /// Task id (for the feedback link).
    pub(super) id: String,
    /// Prompt.
    pub(super) prompt: String,
    /// Pairs right / pairs compared.
    pub(super) right: u64,
    /// Pairs compared.
    pub(super) pairs: u64,
}

/// The worker's progress: tasks done, accuracy over time, recent scored tasks.
pub(super) fn me_page(c: &Chrome<'_>, done: usize, scored: &[ScoredTask]) -> Markup {
    let t = c.ui.t();
    let (right, pairs) = scored.iter().fold((0, 0), |(r, p), s| (r + s.right, p + s.pairs));
    let overall = (pairs > 0).then(|| right as f64 / pairs as f64);
    layout(
        c,
        t.me_title,
        html! {
            div.cards.summary {
                div.card { span.k { (t.tasks_done) } b #done { (done) } }
                div.card { span.k { (t.scored_tasks) } b { (scored.len()) } }
                div.card { span.k { (t.accuracy) } b #accuracy { (pct(overall)) } }
            }
            section.card.panel {
                h2 { (t.accuracy_over_time) }
                @if scored.is_empty() { p.empty { (t.no_scored) } }
                @else { (accuracy_chart(scored)) }
                p.muted { (t.accuracy_note) }
            }
            @if !scored.is_empty() {
                section.card.panel {
                    h2 { (t.recent) }
                    ul.recent {
                        @for s in scored.iter().rev().take(20) {
                            li {
                                a.link href={ "/tasks/" (s.id) "/feedback" } { (preview(&s.prompt, 80)) }
                                span.mono { (s.right) "/" (s.pairs) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// Bars of accuracy per scored task, and the running accuracy as a line (SVG attributes, no
/// inline style, so the page CSP holds).
fn accuracy_chart(scored: &[ScoredTask]) -> Markup {
    // At least 12 slots, so a few tasks make bars, not a wall.
    let n = scored.len().max(12) as f64;
    let w = 600.0;
    let h = 120.0;
    let bw = w / n;
    let mut run = (0u64, 0u64);
    let mut line = String::new();
    let mut bars = String::new();
    for (i, s) in scored.iter().enumerate() {
        let acc = if s.pairs == 0 { 0.0 } else { s.right as f64 / s.pairs as f64 };
        run = (run.0 + s.right, run.1 + s.pairs);
        let cum = if run.1 == 0 { 0.0 } else { run.0 as f64 / run.1 as f64 };
        let x = i as f64 * bw;
        bars.push_str(&format!(
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{:.0}%</title></rect>",
            x + bw * 0.15,
            h - acc * h,
            bw * 0.7,
            acc * h,
            acc * 100.0
        ));
        line.push_str(&format!("{:.1},{:.1} ", x + bw / 2.0, h - cum * h));
    }
    let label = format!("{} tasks", scored.len());
    html! {
        svg.acc #accuracy-chart viewBox={ "0 0 " (w) " " (h) } preserveAspectRatio="none" role="img" aria-label=(label) {
            (PreEscaped(bars))
            polyline.cum points=(line.trim_end()) {}
        }
    }
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

/// The organisation's page: members with per-worker quality, invites, API keys, exports.
pub(super) fn team_page(c: &Chrome<'_>, username: &str, v: &TeamView<'_>) -> Markup {
    let t = c.ui.t();
    let stats = v.stats;
    let csrf = csrf_of(c);
    layout(
        c,
        t.team_title,
        html! {
            p.sub { strong { (username) } }
            div.cards.summary {
                div.card { span.k { (t.members) } b { (stats.workers.len()) } }
                div.card { span.k { (t.col_submissions) } b { (stats.submissions) } }
            }
            section.card.panel {
                h2 { (t.members) }
                div.tablewrap {
                    table.list #workers {
                        thead { tr {
                            th scope="col" { (t.col_worker) } th.num scope="col" { (t.col_submissions) }
                            th.num scope="col" { (t.col_inversions) } th.num scope="col" { (t.col_pairs) }
                            th.num scope="col" { (t.col_ties) } th.num scope="col" { (t.col_rate) }
                        } }
                        tbody { @for w in &stats.workers { (worker_row(t, w)) } }
                    }
                }
            }
            div.grid2 {
                section.card.panel {
                    h2 { (t.invites) }
                    form method="post" action="/team/invites" {
                        input type="hidden" name="csrf" value=(csrf);
                        button.primary #new-invite type="submit" { (t.issue_invite) }
                    }
                    ul #invites {
                        @for i in v.invites {
                            li { code.invite { (i.key) } " "
                                span.tag { @if i.used_by.is_some() { (t.used) } @else { (t.unused) } } }
                        }
                    }
                }
                section.card.panel {
                    h2 { (t.api_keys) }
                    p { (v.api_keys) " " (t.api_keys_note) }
                    @if let Some(k) = v.new_api_key {
                        p #new-api-key-notice { (t.new_api_key) " " code #new-api-key { (k) } }
                    }
                    form method="post" action="/team/api-keys" {
                        input type="hidden" name="csrf" value=(csrf);
                        button.primary #new-api-key-button type="submit" { (t.issue_api_key) }
                    }
                    h2 { (t.exports) }
                    ul.exports {
                        li { a.link #export-workers href="/team/export/workers.csv" download { (t.export_workers) } }
                        li { a.link #export-results href="/team/export/results.csv" download { (t.export_results) } }
                    }
                }
            }
        },
    )
}

fn worker_row(t: &Catalogue, w: &WorkerStats) -> Markup {
    html! {
        tr data-worker=(w.username) {
            td data-label=(t.col_worker) { (w.username) }
            td.num data-label=(t.col_submissions) { (w.submissions) }
            td.num.inversions data-label=(t.col_inversions) { (w.quality.inversions) }
            td.num data-label=(t.col_pairs) { (w.quality.pairs) }
            td.num data-label=(t.col_ties) { (w.quality.ties) }
            td.num.rate data-label=(t.col_rate) { (rate(w.quality.inversions, w.quality.pairs)) }
        }
    }
}

/// `n / d` as a percentage with one decimal, `—` when `d` is 0.
pub(super) fn rate(n: u64, d: u64) -> String {
    if d == 0 { "—".to_string() } else { format!("{:.1}%", n as f64 * 100.0 / d as f64) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_read_naturally() {
        let t = super::super::i18n::Lang::En.t();
        let s = 1_000_000_000;
        assert_eq!(countdown(t, 0), "ended");
        assert_eq!(countdown(t, 75 * s), "1m 15s left");
        assert_eq!(countdown(t, (3600 + 5 * 60) * s), "1h 05m left");
        assert_eq!(countdown(t, (2 * 86_400 + 3 * 3600) * s), "2d 3h left");
    }

    #[test]
    fn previews_cut_on_characters() {
        assert_eq!(preview("你好世界", 2), "你好…");
        assert_eq!(preview("abc", 3), "abc");
    }
}
