//! `GET /`: the validator's status as a readable page, in the terminal's visual language
//! (its stylesheet, `crates/terminal/assets/app.css`, embedded by path: one source of the
//! design tokens). No script; maud escapes every value. `GET /status` stays the JSON.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use crate::service::{EventLevel, ValidatorHandle, ValidatorStatus};

/// CSP of the page: no script, our stylesheet only.
const CSP: &str = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const APP_CSS: &str = include_str!("../../terminal/assets/app.css");

pub(crate) async fn css() -> Response {
    let mut r = APP_CSS.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

pub(crate) async fn page(State(handle): State<ValidatorHandle>) -> Response {
    let (status, body) = match handle.status().await {
        Ok(s) => (StatusCode::OK, render(&s)),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, error_page(&e.to_string())),
    };
    let mut r = (status, axum::response::Html(body.into_string())).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn shell(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" data-theme="dark" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header.top { div.bar { span.brand { span.logo aria-hidden="true" { "D" } "Dojo validator" } } }
                main { (body) }
            }
        }
    }
}

fn error_page(e: &str) -> Markup {
    shell("Dojo validator", html! { h1 { "Status unavailable" } p.down { (e) } })
}

/// Seconds from `now` to `at` as "in 3m 20s" / "4m 10s ago".
fn relative(now_ns: u64, at_ns: u64) -> String {
    let (d, future) =
        if at_ns >= now_ns { (at_ns - now_ns, true) } else { (now_ns - at_ns, false) };
    let s = d / 1_000_000_000;
    let span = if s >= 3600 {
        format!("{}h {:02}m", s / 3600, s / 60 % 60)
    } else {
        format!("{}m {:02}s", s / 60, s % 60)
    };
    if future { format!("in {span}") } else { format!("{span} ago") }
}

fn render(s: &ValidatorStatus) -> Markup {
    let c = &s.counts;
    shell(
        &format!("Dojo validator · {}", s.hotkey),
        html! {
            h1 { "Validator status" }
            p.sub { code { (s.hotkey) } " · netuid " (s.netuid) " · UID "
                @if let Some(u) = s.uid { (u) } @else { "not registered" } }
            div.cards #summary {
                div.card { span.k { "Metagraph block" } b { (s.metagraph_block) } }
                div.card { span.k { "Active miners" } b { (s.active_miners) } }
                div.card { span.k { "Next round" } b { (relative(s.now_ns, s.next_task_at_ns)) } }
                div.card { span.k { "Last weights" } b {
                    @if let Some(b) = s.last_weights_block { "block " (b) } @else { "none yet" } } }
            }
            @if let Some(n) = &s.weights_note { p.muted { "Weights: " (n) } }
            section.card {
                h2 { "Tasks" }
                table #counts {
                    thead { tr { th { "Pending" } th { "Dispatched" } th { "Scored" } th { "Completed" } th { "Failed" } } }
                    tbody { tr { td { (c.pending) } td { (c.dispatched) } td { (c.scored) } td { (c.completed) } td { (c.failed) } } }
                }
            }
            section.card {
                h2 { "Miners" }
                table #miners {
                    thead { tr { th { "UID" } th { "Hotkey" } th.num { "EMA score" } th { "Getting tasks" } } }
                    tbody {
                        @for m in &s.miners {
                            tr { td { (m.uid) } td { code { (m.hotkey) } } td.num { (format!("{:.4}", m.ema)) }
                                 td { @if m.active { span.up { "yes" } } @else { span.muted { "no" } } } }
                        }
                    }
                }
            }
            section.card {
                h2 { "Recent tasks" }
                table #tasks {
                    thead { tr { th { "Task" } th { "Source" } th { "State" } th { "Expires" }
                        th.num { "Sent" } th.num { "Took it" } th.num { "Answered" } th.num { "Scored" } th { "Note" } } }
                    tbody {
                        @for t in &s.recent_tasks {
                            tr {
                                td { code { (t.id) } }
                                td { (format!("{:?}", t.source).to_lowercase()) }
                                td { (format!("{:?}", t.state).to_lowercase()) }
                                td { (relative(s.now_ns, t.expire_at_ns)) }
                                td.num { (t.sent) } td.num { (t.acked) } td.num { (t.answered) } td.num { (t.scored) }
                                td { (t.note.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { "Events" }
                ul.changes #events {
                    @for e in s.events.iter().rev() {
                        li { span.muted { (relative(s.now_ns, e.at_ns)) } " "
                            @match e.level {
                                EventLevel::Info => span { (e.message) },
                                EventLevel::Warn => span.flat { "warning: " (e.message) },
                                EventLevel::Error => span.down { "error: " (e.message) },
                            }
                        }
                    }
                }
            }
            p { a href="/status" { "The same as JSON" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_relative_to_now() {
        let s = 1_000_000_000;
        assert_eq!(relative(100 * s, 300 * s), "in 3m 20s");
        assert_eq!(relative(4000 * s, 100 * s), "1h 05m ago");
    }
}
