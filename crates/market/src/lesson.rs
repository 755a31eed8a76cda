//! What one trade teaches the network, from a chain's public views: the emission projection
//! ([`dtao::emission::project`]) fed with what [`chain::Chain`] reports, for quotes in the
//! CLI, the terminal's trade panel and the bot.
//!
//! The views are not the chain's storage: moving prices come floored to whole rao per alpha
//! (the chain keeps 32 fractional bits of a τ), burn fractions to parts per billion, and
//! neither the share rule nor its gate bar θ is published. So the rule is the one localnet
//! and Subtensor HEAD run ([`dtao::emission::default_share_rule`]) with θ recomputed from the
//! current shares, and the block emission is what the subnets received in the head block. On
//! localnet, `localnet::Runtime::project_trade` computes the same from the exact state.

use chain::{Chain, NetUid, SubnetInfo, SwapOutcome};
use dtao::amm::{Curve, Reserves};
use dtao::emission::{
    EmaParams, Horizon, Outlook, PoolImpact, ProjectedSubnet, Projection, ShareAt,
    SubnetShareInput, default_share_rule, project,
};
use dtao::fixed::{I64F64, I96F32, U64F64, U96F32};

use crate::backprop::{BLOCKS_PER_DAY, PPB};
use crate::error::{MarketError, Result};
use crate::feed::fmt_tao;

/// The horizons a quote shows: a day, a week, convergence.
pub const QUOTE_HORIZONS: [Horizon; 3] =
    [Horizon::Blocks(BLOCKS_PER_DAY), Horizon::Blocks(7 * BLOCKS_PER_DAY), Horizon::Convergence];

/// The projection's starting point for one subnet, from its view.
pub fn projected_subnet(s: &SubnetInfo) -> ProjectedSubnet {
    let per_rao = |v: u64| U64F64::saturating_from_num(v) / U64F64::saturating_from_num(PPB);
    ProjectedSubnet {
        input: SubnetShareInput {
            netuid: s.netuid,
            moving_price: I96F32::saturating_from_num(per_rao(s.pool.moving_price)),
            miner_burned: U96F32::saturating_from_num(per_rao(s.miner_burned_ppb)),
            tao_flow_ema: I64F64::saturating_from_num(0),
            emission_enabled: true,
            eligible: s.netuid != 0,
        },
        spot_price: s
            .pool
            .curve
            .spot_price(Reserves { tao: s.pool.tao_reserve, alpha: s.pool.alpha_in }),
        first_emission_block: s.first_emission_block,
    }
}

/// A pool's change from a quote: its spot after, and the TAO that went in (a buy) or came out
/// (a sell).
pub fn impact(netuid: NetUid, quote: &SwapOutcome) -> PoolImpact {
    let tao = i64::try_from(match quote.side {
        chain::Side::Buy => quote.requested,
        chain::Side::Sell => quote.amount_out,
    })
    .unwrap_or(i64::MAX);
    PoolImpact {
        netuid,
        spot_after: U64F64::from_bits(quote.spot_after_bits),
        flow_rao: if quote.side == chain::Side::Buy { tao } else { -tao },
    }
}

/// Projects a trade (one or two pool impacts, from its quotes) over [`QUOTE_HORIZONS`] on the
/// chain as it is at its head.
pub async fn project_trade(chain: &dyn Chain, impacts: &[PoolImpact]) -> Result<Projection> {
    let (head, subnets) = tokio::try_join!(chain.header(chain::BlockId::Head), chain.subnets())?;
    let inputs: Vec<ProjectedSubnet> = subnets.iter().map(projected_subnet).collect();
    let emission = subnets.iter().map(|s| s.tao_emission).sum::<u64>();
    let projection = tokio::task::spawn_blocking({
        let impacts = impacts.to_vec();
        move || {
            project(
                &default_share_rule(),
                head.number,
                &inputs,
                &impacts,
                &QUOTE_HORIZONS,
                &EmaParams::default(),
                emission,
            )
        }
    })
    .await
    .map_err(|e| MarketError::Invalid(format!("the projection did not finish: {e}")))?;
    projection.map_err(|e| MarketError::Invalid(e.to_string()))
}

fn horizon_name(h: Horizon) -> String {
    match h {
        Horizon::Blocks(b) if b == BLOCKS_PER_DAY => "in 1 day".into(),
        Horizon::Blocks(b) if b % BLOCKS_PER_DAY == 0 => format!("in {} days", b / BLOCKS_PER_DAY),
        Horizon::Blocks(b) => format!("in {b} blocks"),
        Horizon::Convergence => "converged".into(),
    }
}

fn share_text(s: &ShareAt) -> String {
    format!("{:.4} % · {}/day", s.percent(), fmt_tao(s.tao_per_day_rao(BLOCKS_PER_DAY)))
}

fn outlook_lines(o: &Outlook) -> Vec<String> {
    let mut lines =
        vec![format!("  SN{:<4} emission share now   {}", o.netuid, share_text(&o.now))];
    for (w, wo) in o.with_trade.iter().zip(&o.without_trade) {
        let pts = w.percent() - wo.percent();
        let per_day = i128::from(w.tao_per_day_rao(BLOCKS_PER_DAY))
            - i128::from(wo.tao_per_day_rao(BLOCKS_PER_DAY));
        let sign = if per_day < 0 { "−" } else { "+" };
        let day = fmt_tao(u64::try_from(per_day.unsigned_abs()).unwrap_or(u64::MAX));
        lines.push(format!(
            "        {:<20} {}  ({}{:.4} pts, {sign}{day}/day from this trade)",
            horizon_name(w.horizon),
            share_text(w),
            if pts < 0.0 { "−" } else { "+" },
            pts.abs(),
        ));
    }
    lines
}

/// The quote's "what this trade teaches the network" lines.
pub fn lesson_lines(p: &Projection) -> Vec<String> {
    let mut lines = vec![format!(
        "what this trade teaches the network (rule {}, if prices then hold):",
        p.rule
    )];
    for o in &p.outlooks {
        lines.extend(outlook_lines(o));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use dtao::emission::{PoolImpact, PriceEmaRule};

    #[test]
    fn lines_name_the_rule_and_every_horizon() {
        let subnets: Vec<ProjectedSubnet> = (1..=3)
            .map(|n| ProjectedSubnet {
                input: SubnetShareInput {
                    netuid: n,
                    moving_price: I96F32::saturating_from_num(0.01),
                    emission_enabled: true,
                    eligible: true,
                    ..SubnetShareInput::default()
                },
                spot_price: U64F64::saturating_from_num(0.01),
                first_emission_block: Some(0),
            })
            .collect();
        let buy =
            PoolImpact { netuid: 2, spot_after: U64F64::saturating_from_num(0.02), flow_rao: 1 };
        let p = project(
            &PriceEmaRule,
            100,
            &subnets,
            &[buy],
            &QUOTE_HORIZONS,
            &EmaParams::default(),
            500_000_000,
        )
        .unwrap();
        let lines = lesson_lines(&p);
        assert_eq!(
            lines[0],
            "what this trade teaches the network (rule price-ema, if prices then hold):"
        );
        assert!(
            lines[1].starts_with("  SN2    emission share now   33.3333 % · 1,200.00 τ/day"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains("in 1 day") && lines[3].contains("in 7 days"));
        // At convergence the pool at twice the price holds half the emission.
        assert!(
            lines[4].contains("converged") && lines[4].contains(" 50.0000 % · 1,800.00 τ/day"),
            "{}",
            lines[4]
        );
        assert!(lines[4].contains("(+16.6667 pts, +600.00 τ/day from this trade)"), "{}", lines[4]);
    }
}
