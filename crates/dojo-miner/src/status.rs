//! The miner's status page: server-rendered HTML (maud escapes every value; no scripts, a
//! strict CSP) and the same facts as JSON. The page wears the terminal's visual language: its
//! stylesheet (`crates/terminal/assets/app.css`) is embedded by path, one source of the tokens.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};

use super::{MinerStatus, StatusSource};

/// CSP of the status page: no scripts, styles only from our stylesheet, no frames, no forms.
pub const STATUS_CSP: &str = "default-src 'none'; style-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

const CSS: &str = include_str!("../../terminal/assets/app.css");

pub(super) fn router(source: Arc<StatusSource>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/status.json", get(json))
        .route("/static/miner.css", get(css))
        .with_state(source)
}

fn secure(mut response: Response) -> Response {
    let h: &mut HeaderMap = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(STATUS_CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn json(State(source): State<Arc<StatusSource>>) -> Response {
    secure(Json(source.status().await).into_response())
}

async fn css() -> Response {
    secure(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response())
}

async fn page(State(source): State<Arc<StatusSource>>) -> Response {
    secure(axum::response::Html(render(&source.status().await).into_string()).into_response())
}

fn fmt_score(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.4}"))
}

fn render(s: &MinerStatus) -> Markup {
    let c = &s.counts;
    html! {
        (DOCTYPE)
        html lang="en" data-theme="dark" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Dojo miner · " (s.hotkey) }
                link rel="stylesheet" href="/static/miner.css";
            }
            body {
                header.top { div.bar { span.brand { span.logo aria-hidden="true" { "D" } "Dojo miner" } } }
                main {
                h1 { "Miner status" }
                div.cards {
                    div.card { span.k { "Tasks received" } b { (c.tasks_received) } }
                    div.card { span.k { "Forwarded to the platform" } b { (c.tasks_forwarded) } }
                    div.card { span.k { "Worker results returned" } b { (c.results_returned) } }
                    div.card { span.k { "Mean score" } b { (fmt_score(s.mean_score)) } }
                }
                section.card {
                h2 { "Identity" }
                table #identity {
                    tr { th { "Hotkey" } td { code { (s.hotkey) } } }
                    tr { th { "Subnet / UID" } td { (s.netuid) " / " (s.uid) } }
                    tr { th { "Axon" } td { (s.axon_addr) " (published as " (s.external_ip) ")" } }
                    tr {
                        th { "Worker platform" }
                        td {
                            (s.platform_url) " "
                            @if s.platform_reachable { span.up #platform { "reachable" } }
                            @else { span.down #platform { "unreachable" } }
                        }
                    }
                    @if let Some(e) = &s.last_platform_error {
                        tr { th { "Last platform error" } td.down { (e) } }
                    }
                }
                }
                section.card {
                h2 { "Chain" }
                @if let Some(ch) = &s.chain {
                    table #chain {
                        tr { th { "Block" } td { (ch.block) } }
                        tr { th { "Incentive" } td { (format!("{:.4}", ch.incentive_fraction)) " (" (ch.incentive) "/65535)" } }
                        tr { th { "Emission" } td { (ch.emission_rao) " rao α last epoch" } }
                        tr {
                            th { "Axon on chain" }
                            td {
                                @if let Some(a) = &ch.axon { (a.ip) ":" (a.port) } @else { "not served" }
                            }
                        }
                    }
                } @else {
                    p.down { "The chain could not be read: " (s.chain_error.as_deref().unwrap_or("unknown error")) }
                }
                }
                section.card {
                h2 { "Tasks since start" }
                table #counts {
                    tr { th { "Received" } td { (c.tasks_received) } }
                    tr { th { "Forwarded to the platform" } td { (c.tasks_forwarded) } }
                    tr { th { "Refused (ack false)" } td { (c.tasks_refused) } }
                    tr { th { "Forwarded, all time" } td { (c.tasks_forwarded_total) } }
                    tr { th { "Result requests" } td { (c.result_requests) } }
                    tr { th { "Worker results returned" } td { (c.results_returned) } }
                    tr { th { "Requests for unknown tasks" } td { (c.unknown_task_requests) } }
                    tr { th { "Scores received" } td { (c.scores_received) } }
                    tr { th { "Ground truths revealed / failed" } td { (c.ground_truths_revealed) " / " (c.ground_truth_failures) } }
                }
                }
                section.card {
                h2 { "Scores" }
                @if let Some(e) = &s.store_error {
                    p.down #store-error { "The miner's store could not be read (scores and the all-time count are unknown): " (e) }
                } @else {
                    p { (s.scores_total) " scores, mean " (fmt_score(s.mean_score)) }
                }
                table #scores {
                    tr { th { "Validator" } th { "Task" } th { "Score" } th { "Ground truth" } }
                    @for r in &s.recent_scores {
                        tr {
                            td { code { (r.validator_hotkey) } }
                            td { (r.task_id) }
                            td { (format!("{:.4}", r.score)) }
                            td {
                                @if r.ground_truth_revealed { "revealed" }
                                @else if let Some(e) = &r.reveal_error { span.down { (e) } }
                                @else { "–" }
                            }
                        }
                    }
                }
                }
                p { a href="/status.json" { "The same as JSON" } }
                }
            }
        }
    }
}
