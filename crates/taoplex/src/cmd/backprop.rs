//! `taoplex backprop counterfactual`: what one large buy did to emissions, replayed exactly
//! through the localnet runtime with and without it (`localnet::replay`).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use dtao::units::Tao;
use localnet::genesis::GenesisOptions;
use localnet::replay::{LargeBuy, counterfactual, record};
use localnet::sim::SimOptions;
use market::feed::fmt_tao;

use super::wallet::out;

/// `taoplex backprop` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum BackpropCommand {
    /// Replay simulated history with and without one large buy and show the emissions it moved.
    Counterfactual(CounterfactualArgs),
}

/// Arguments of `taoplex backprop counterfactual`.
#[derive(Debug, Args)]
pub(crate) struct CounterfactualArgs {
    /// Days of history (7,200 blocks each).
    #[arg(long, default_value_t = 7)]
    days: u64,
    /// Subnets in the generated genesis.
    #[arg(long, default_value_t = 128)]
    subnets: u16,
    /// Seed of the genesis and the simulation.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Subnet the large buy goes into.
    #[arg(long, default_value_t = 2)]
    netuid: u16,
    /// Size of the large buy, e.g. `5000` or `5000 TAO`.
    #[arg(long, default_value = "5000", value_parser = super::args::positive_tao)]
    buy: Tao,
    /// Blocks after genesis at which the buy lands.
    #[arg(long, default_value_t = 100)]
    after_blocks: u64,
}

pub(crate) fn run(command: BackpropCommand) -> ExitCode {
    match command {
        BackpropCommand::Counterfactual(args) => match counterfactual_cmd(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn counterfactual_cmd(args: &CounterfactualArgs) -> anyhow::Result<()> {
    let options =
        GenesisOptions { subnets: args.subnets, ..GenesisOptions::default() }.with_seed(args.seed);
    let genesis = localnet::Genesis::generate(&options);
    let buy = LargeBuy {
        buyer_uri: "//Ferdie".into(),
        netuid: args.netuid,
        tao: args.buy.rao(),
        after_blocks: args.after_blocks,
    };
    let blocks = args.days * 7_200;
    let started = std::time::Instant::now();
    let history = record(&genesis, SimOptions::default(), blocks, &buy)?;
    let c = counterfactual(&history)?;
    let n = args.netuid;
    let (with, without) = (c.with_buy.emitted_to(n), c.without_buy.emitted_to(n));
    out(&format!(
        "counterfactual — {} τ bought on SN{n} at block +{}, {} blocks of simulated history \
         ({} subnets, seed {}), replayed with and without it",
        Tao::from_rao(buy.tao),
        buy.after_blocks,
        c.blocks,
        args.subnets,
        args.seed
    ))?;
    out(&format!("  SN{n} emitted, with the buy     {}", fmt_tao(with)))?;
    out(&format!("  SN{n} emitted, without it       {}", fmt_tao(without)))?;
    let sign = if with >= without { "+" } else { "−" };
    out(&format!("  the buy's effect               {sign}{}", fmt_tao(with.abs_diff(without))))?;
    let pct = |ppb: u64| ppb as f64 / 1e7;
    out(&format!(
        "  SN{n} share at the end          {:.4} % with, {:.4} % without",
        pct(c.with_buy.final_share(n)),
        pct(c.without_buy.final_share(n))
    ))?;
    out(&format!(
        "  projected at the buy           {:.4} % with, {:.4} % without (prices held)",
        pct(c.projected_with_ppb),
        pct(c.projected_without_ppb)
    ))?;
    let mut moved: Vec<(u16, i128)> = c
        .with_buy
        .emitted
        .iter()
        .map(|(netuid, e)| {
            (*netuid, i128::from(*e) - i128::from(c.without_buy.emitted_to(*netuid)))
        })
        .filter(|(_, d)| *d != 0)
        .collect();
    moved.sort_by_key(|(_, d)| *d);
    for (netuid, d) in moved.iter().take(3) {
        let abs = u64::try_from(d.unsigned_abs()).unwrap_or(u64::MAX);
        out(&format!(
            "  SN{netuid:<4} emitted {}{} because of it",
            if *d < 0 { "−" } else { "+" },
            fmt_tao(abs)
        ))?;
    }
    out(&format!(
        "  state roots                    {} / {} ({:.1} s)",
        c.with_buy.state_root,
        c.without_buy.state_root,
        started.elapsed().as_secs_f64()
    ))
}
