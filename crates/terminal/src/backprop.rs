//! `/backprop` and `GET /api/v1/backprop`: where traders moved TAO emissions over a window
//! ([`market::backprop`]), as a summary sentence, diverging bars drawn server-side as inline
//! SVG (gains right in the up colour, losses left in the down colour; no script), the
//! per-subnet table and the top teachers.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use market::backprop::{BackpropView, SubnetShift, Window};
use maud::{Markup, html};

use crate::error::{ApiError, ApiResult};
use crate::explorer::{account_link, block_link};
use crate::fmt;
use crate::i18n::{Catalogue, Lang};
use crate::pages::{ctx, layout, respond};
use crate::params::Params;
use crate::state::AppState;

/// Bars per side of the chart.
const BARS: usize = 10;
const CHART_W: f64 = 760.0;
const ROW_H: f64 = 22.0;
/// Room on each side for the subnet label and the value.
const LABEL_W: f64 = 150.0;

fn window(p: &Params) -> ApiResult<Window> {
    match p.str("window") {
        None => Ok(Window::default()),
        Some(w) => w.parse().map_err(|_| ApiError::param("window", "use 24h, 7d or 30d")),
    }
}

/// `GET /api/v1/backprop?window=24h|7d|30d`.
pub(crate) async fn api(State(s): State<AppState>, uri: Uri) -> ApiResult<Json<BackpropView>> {
    let p = Params::parse(&uri, &["window"])?;
    Ok(Json(s.market.backprop(window(&p)?).await?))
}

fn label(s: &SubnetShift) -> String {
    if s.name.is_empty() { format!("SN{}", s.netuid) } else { format!("SN{} {}", s.netuid, s.name) }
}

fn pct(ppb: i64) -> String {
    fmt::change(Some(ppb as f64 / 1e9))
}

/// The diverging bars: the largest gains, then the largest losses, around a centre line.
pub(crate) fn chart(t: &Catalogue, view: &BackpropView) -> Markup {
    let mut rows: Vec<&SubnetShift> = view.pushed_to().take(BARS).collect();
    let mut losses: Vec<&SubnetShift> = view.pulled_from().take(BARS).collect();
    losses.reverse();
    rows.extend(losses);
    let max = rows.iter().map(|s| s.share_change_ppb.unsigned_abs()).max().unwrap_or(0).max(1);
    let mid = CHART_W / 2.0;
    let half = mid - LABEL_W;
    let height = ROW_H * rows.len().max(1) as f64 + 8.0;
    html! {
        svg.backprop #backprop-chart viewBox=(format!("0 0 {CHART_W} {height}")) role="img"
            aria-label=(t.bp_chart_label) {
            line.axis x1=(mid) y1="0" x2=(mid) y2=(height) {}
            @for (i, s) in rows.iter().enumerate() {
                @let y = 4.0 + ROW_H * i as f64;
                @let w = (s.share_change_ppb.unsigned_abs() as f64 / max as f64 * half).max(1.0);
                @let gain = s.share_change_ppb > 0;
                @let x = if gain { mid } else { mid - w };
                g {
                    title { (label(s)) ": " (pct(s.share_change_ppb)) " " (t.bp_of_emissions) " " (fmt::tao_signed(&s.net_flow.to_string())) }
                    rect class=(if gain { "gain" } else { "loss" }) x=(format!("{x:.1}")) y=(format!("{:.1}", y + 3.0)) width=(format!("{w:.1}")) height=(ROW_H - 6.0) rx="2" {}
                    @if gain {
                        text.name x=(mid - 6.0) y=(y + 15.0) text-anchor="end" { (label(s)) }
                        text.val x=(format!("{:.1}", mid + w + 6.0)) y=(y + 15.0) { (pct(s.share_change_ppb)) }
                    } @else {
                        text.name x=(mid + 6.0) y=(y + 15.0) { (label(s)) }
                        text.val x=(format!("{:.1}", mid - w - 6.0)) y=(y + 15.0) text-anchor="end" { (pct(s.share_change_ppb)) }
                    }
                }
            }
        }
    }
}

/// `GET /backprop?window=`: the network view page.
pub(crate) async fn page(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(None, &headers);
    let p = match Params::parse(&uri, &["lang", "window"]) {
        Ok(p) => p,
        Err(e) => return e.into_page(lang),
    };
    let w = match window(&p) {
        Ok(w) => w,
        Err(e) => return e.into_page(lang),
    };
    let (o, view) = match tokio::join!(s.market.overview(), s.market.backprop(w)) {
        (Ok(o), Ok(v)) => (o, v),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).into_page(lang),
    };
    let c = ctx(&s, &uri, &headers, "backprop", Some(&o));
    let t = c.t();
    let moved: Vec<&SubnetShift> =
        view.subnets.iter().filter(|s| s.share_change_ppb != 0 || s.net_flow != 0).collect();
    let main = html! {
        section.hero {
            div {
                h1 { (t.bp_title) }
                p.sub { (t.bp_sub) " " (block_link(view.from_block)) " " (t.bp_to) " " (block_link(view.to_block)) "." }
            }
            nav.seg.windows aria-label=(t.bp_window) {
                @for win in Window::ALL {
                    a href=(format!("/backprop?window={win}")) class=[(win == w).then_some("on")] { (win) }
                }
            }
        }
        section.card.summary {
            p #backprop-summary { (view.summary) }
        }
        section.card {
            h2 { (t.bp_moved) }
            p.muted { (t.bp_moved_note.replace("{}", &BARS.to_string())) }
            (chart(t, &view))
        }
        section.card {
            h2 { (t.bp_per_subnet) }
            table.tape #backprop-table {
                thead { tr { th { (t.subnet) } th { (t.bp_share_then) } th { (t.bp_share_now) } th { (t.bp_change) } th { (t.bp_tao_day) } th { (t.bp_net_flow) } th { (t.trades) } } }
                tbody {
                    @for s in &moved {
                        tr {
                            td { a href=(format!("/subnets/{}", s.netuid)) { (label(s)) } }
                            td { (fmt::share(s.share_before_ppb as f64 / 1e9)) }
                            td { (fmt::share(s.share_after_ppb as f64 / 1e9)) }
                            td class=(fmt::change_class(Some(s.share_change_ppb as f64))) { (pct(s.share_change_ppb)) }
                            td class=(fmt::change_class(Some(s.tao_per_day_change as f64))) { (fmt::tao_signed(&s.tao_per_day_change.to_string())) }
                            td class=(fmt::change_class(Some(s.net_flow as f64))) { (fmt::tao_signed(&s.net_flow.to_string())) }
                            td { (s.trades) }
                        }
                    }
                }
            }
        }
        section.card {
            h2 { (t.bp_teachers) }
            p.muted { (t.bp_teachers_note) }
            table.tape #backprop-teachers {
                thead { tr { th { (t.bp_address) } th { (t.bp_moved_col) } th { (t.bp_pushed) } th { (t.bp_pulled) } th { (t.trades) } } }
                tbody {
                    @for tc in &view.teachers {
                        tr {
                            td {
                                (account_link(&tc.coldkey))
                                @if let Some(i) = &tc.identity { " · " span.muted { (i) } }
                            }
                            td { (fmt::tao_compact(tc.gross_flow)) }
                            td.up { @if let Some((n, f)) = &tc.pushed { a href=(format!("/subnets/{n}")) { "SN" (n) } " " (fmt::tao_signed(f)) } }
                            td.down { @if let Some((n, f)) = &tc.pulled { a href=(format!("/subnets/{n}")) { "SN" (n) } " " (fmt::tao_signed(f)) } }
                            td { (tc.trades) }
                        }
                    }
                }
            }
        }
    };
    respond(&c, StatusCode::OK, layout(&c, t.bp_title, &[], main))
}
