//! The overview's cells, formatted once for both the page and the live updates, so a live
//! number looks exactly like the server-rendered one.

use market::OverviewRow;
use serde::Serialize;

use crate::fmt;

/// The sortable columns, in display order (after name), with their API sort keys.
pub const COLUMNS: [&str; 9] = [
    "price",
    "change_1h",
    "change_24h",
    "change_7d",
    "market_cap",
    "volume_24h",
    "tao_in_pool",
    "emission_share",
    "net_flow_24h",
];

/// One formatted cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Column key (one of [`COLUMNS`]).
    pub key: &'static str,
    /// Value to sort by.
    pub sort: f64,
    /// Text in τ.
    pub tao: String,
    /// Text in $, when a price is configured and the cell is an amount.
    pub usd: Option<String>,
    /// CSS class (`up`, `down`, `flat` or empty).
    pub class: &'static str,
}

/// The sort value of a row's column (for the API's `sort` parameter too).
pub(crate) fn sort_value(row: &OverviewRow, key: &str) -> f64 {
    match key {
        "netuid" => f64::from(row.netuid),
        "price" => fmt::tokens(row.price),
        "change_1h" => row.change_1h.unwrap_or(f64::NEG_INFINITY),
        "change_24h" => row.change_24h.unwrap_or(f64::NEG_INFINITY),
        "change_7d" => row.change_7d.unwrap_or(f64::NEG_INFINITY),
        "market_cap" => fmt::tokens(row.market_cap),
        "volume_24h" => fmt::tokens(row.volume_24h),
        "tao_in_pool" => fmt::tokens(row.tao_in_pool),
        "emission_share" => row.emission_share,
        "net_flow_24h" => fmt::tokens_signed(&row.net_flow_24h),
        _ => 0.0,
    }
}

/// The cells of a row.
pub fn row_cells(row: &OverviewRow, usd: Option<f64>) -> Vec<Cell> {
    let money = |key: &'static str, rao: u64, compact: bool| Cell {
        key,
        sort: sort_value(row, key),
        tao: if compact { fmt::tao_compact(rao) } else { fmt::tao_price(rao) },
        usd: usd.map(|u| if compact { fmt::usd_compact(rao, u) } else { fmt::usd_price(rao, u) }),
        class: "",
    };
    let change = |key: &'static str, v: Option<f64>| Cell {
        key,
        sort: sort_value(row, key),
        tao: fmt::change(v),
        usd: None,
        class: fmt::change_class(v),
    };
    let flow = fmt::tokens_signed(&row.net_flow_24h);
    vec![
        money("price", row.price, false),
        change("change_1h", row.change_1h),
        change("change_24h", row.change_24h),
        change("change_7d", row.change_7d),
        money("market_cap", row.market_cap, true),
        money("volume_24h", row.volume_24h, true),
        money("tao_in_pool", row.tao_in_pool, true),
        Cell {
            key: "emission_share",
            sort: row.emission_share,
            tao: fmt::share(row.emission_share),
            usd: None,
            class: "",
        },
        Cell {
            key: "net_flow_24h",
            sort: flow,
            tao: fmt::tao_signed(&row.net_flow_24h),
            usd: usd.map(|u| fmt::usd_signed(&row.net_flow_24h, u)),
            class: fmt::change_class(Some(flow)),
        },
    ]
}

/// A 7-day sparkline as an inline SVG polyline's points (viewBox 0 0 120 32).
pub fn sparkline_points(prices: &[u64]) -> String {
    if prices.len() < 2 {
        return String::new();
    }
    let vals: Vec<f64> = prices.iter().map(|p| fmt::tokens(*p)).collect();
    let (lo, hi) =
        vals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = 120.0 / (vals.len() - 1) as f64;
    vals.iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", i as f64 * step, 30.0 - (v - lo) / span * 28.0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `up` if the sparkline ends above its start, `down` if below.
pub(crate) fn sparkline_class(prices: &[u64]) -> &'static str {
    match (prices.first(), prices.last()) {
        (Some(a), Some(b)) if b > a => "up",
        (Some(a), Some(b)) if b < a => "down",
        _ => "flat",
    }
}
