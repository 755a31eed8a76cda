//! `taoplex calc`: the chain's swap and emission arithmetic, offline.
//!
//! Every number comes from `dtao`, the same code the localnet runs, so a quote here is what the
//! chain would do to the rao. Amounts parse exactly (`1.5`, `0.002 TAO`, `12.3α`, `250000rao`);
//! a bad argument is reported by clap with exit code 2. `--json` prints integers in rao as
//! decimal strings, because rao counts exceed what JSON numbers carry safely (2⁵³).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use dtao::amm::{
    Balancer, CurveKind, PERQUINTILL, Pool, PriceLimit, Reserves, Side, Superellipse, SwapOutcome,
};
use dtao::emission::{block_emission, emission_era, halving_threshold_rao};
use dtao::units::{Alpha, RAO_PER_TAO, TOTAL_SUPPLY_RAO, Tao};
use serde_json::json;

/// `taoplex calc` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CalcCommand {
    /// Quote a buy (stake) or sell (unstake) on a pool, with fee, prices and impact.
    Swap(SwapArgs),
    /// Block emission at a given total issuance, and where the next halving is.
    Emission(EmissionArgs),
}

/// Which curve the pool uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CurveArg {
    /// The weighted (Balancer) pool of spec 425, the default.
    Weighted,
    /// The superellipse of the newest runtime, calibrated at the given reserves.
    Superellipse,
}

/// Arguments of `taoplex calc swap`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("side").required(true).args(["buy", "sell"])))]
pub(crate) struct SwapArgs {
    /// TAO in the pool (`SubnetTAO`), e.g. `25000` or `25000 TAO`.
    #[arg(long, value_parser = super::args::tao, allow_negative_numbers = true)]
    tao_reserve: Tao,
    /// Alpha in the pool (`SubnetAlphaIn`), e.g. `1400000` or `1400000α`.
    #[arg(long, value_parser = super::args::alpha, allow_negative_numbers = true)]
    alpha_reserve: Alpha,
    /// TAO weight of the weighted pool, in (0.01, 0.99).
    #[arg(long, default_value = "0.5", value_parser = parse_weight)]
    quote_weight: u64,
    /// Swap fee in parts of 65535 (33 ≈ 0.05 %); at most 10000.
    #[arg(long, default_value_t = dtao::amm::DEFAULT_FEE_RATE, value_parser = clap::value_parser!(u16).range(0..=10_000))]
    fee_rate: u16,
    /// Curve of the pool.
    #[arg(long, value_enum, default_value_t = CurveArg::Weighted)]
    curve: CurveArg,
    /// Buy alpha with this much TAO.
    #[arg(long, value_parser = super::args::tao, allow_negative_numbers = true)]
    buy: Option<Tao>,
    /// Sell this much alpha for TAO.
    #[arg(long, value_parser = super::args::alpha, allow_negative_numbers = true)]
    sell: Option<Alpha>,
    /// Limit price in TAO per alpha: the highest a buy may pay, the lowest a sell may accept.
    #[arg(long, value_parser = parse_price, allow_negative_numbers = true)]
    limit_price: Option<u64>,
    /// With a limit price, fill what the limit allows instead of refusing the whole order.
    #[arg(long, requires = "limit_price")]
    partial: bool,
    /// Slippage tolerance in percent for the minimum received.
    #[arg(long, default_value = "0.5", value_parser = super::args::tolerance)]
    slippage: u16,
    /// Machine-readable output (rao integers as strings).
    #[arg(long)]
    json: bool,
}

/// Arguments of `taoplex calc emission`.
#[derive(Debug, Args)]
pub(crate) struct EmissionArgs {
    /// Total TAO issued so far (`TotalIssuance`), e.g. `10600000`.
    #[arg(long, value_parser = super::args::tao, allow_negative_numbers = true)]
    issuance: Tao,
    /// Machine-readable output (rao integers as strings).
    #[arg(long)]
    json: bool,
}

/// A price in TAO per alpha, exact to 9 decimals, as rao per alpha.
fn parse_price(s: &str) -> Result<u64, String> {
    let trimmed = s.trim().trim_end_matches("τ/α").trim_end_matches("TAO/alpha").trim();
    let rao = trimmed.parse::<Tao>().map_err(|e| e.to_string())?.rao();
    if rao == 0 {
        return Err("a limit price must be above zero".into());
    }
    Ok(rao)
}

/// A decimal fraction with up to 18 digits, as Perquintill parts.
fn parse_weight(s: &str) -> Result<u64, String> {
    let parts = parse_fraction(s, 18)?;
    Balancer::new(parts).map(|b| b.quote_weight()).map_err(|e| e.to_string())
}

fn parse_fraction(s: &str, decimals: usize) -> Result<u64, String> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} is not a decimal fraction such as 0.5"));
    }
    if frac.len() > decimals {
        return Err(format!("{s:?} has more than {decimals} decimals"));
    }
    let int: u64 =
        if int.is_empty() { 0 } else { int.parse().map_err(|_| format!("{s:?} is too large"))? };
    let frac_value: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<decimals$}").parse().map_err(|_| "bad digits".to_string())?
    };
    int.checked_mul(PERQUINTILL)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(|| format!("{s:?} is too large"))
}

pub(crate) fn run(command: CalcCommand) -> ExitCode {
    match command {
        CalcCommand::Swap(args) => swap(&args),
        CalcCommand::Emission(args) => emission(&args),
    }
}

fn swap(args: &SwapArgs) -> ExitCode {
    let reserves = Reserves { tao: args.tao_reserve.rao(), alpha: args.alpha_reserve.rao() };
    let curve = match args.curve {
        CurveArg::Weighted => match Balancer::new(args.quote_weight) {
            Ok(b) => CurveKind::Balancer(b),
            Err(e) => return usage_error(&e.to_string()),
        },
        CurveArg::Superellipse => {
            CurveKind::Superellipse(Superellipse::calibrate(reserves, args.quote_weight))
        }
    };
    let pool = Pool { reserves, fee_rate: args.fee_rate, curve };
    let (side, amount) = match (args.buy, args.sell) {
        (Some(tao), None) => (Side::Buy, tao.rao()),
        (None, Some(alpha)) => (Side::Sell, alpha.rao()),
        _ => return usage_error("give exactly one of --buy and --sell"),
    };
    let result = match args.limit_price {
        Some(limit) => pool.swap_with_limit(side, amount, limit, args.partial),
        None => pool.swap(side, amount, PriceLimit::None, false),
    };
    match result {
        Ok(outcome) => {
            if args.json {
                println!("{}", swap_json(&pool, &outcome, args.slippage));
            } else {
                print!("{}", swap_text(&pool, &outcome, args.slippage));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if args.json {
                println!("{}", json!({ "error": error_name(&e), "message": e.to_string() }));
            } else {
                eprintln!("the chain would reject this swap: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

fn error_name(e: &dtao::amm::SwapError) -> &'static str {
    use dtao::amm::SwapError::*;
    match e {
        SwapInputTooLarge { .. } => "SwapInputTooLarge",
        ReservesTooLow => "ReservesTooLow",
        PriceLimitExceeded { .. } => "PriceLimitExceeded",
        InsufficientLiquidity => "InsufficientLiquidity",
        SlippageTooHigh { .. } => "SlippageTooHigh",
        OutsideDomain => "OutsideDomain",
    }
}

fn swap_json(pool: &Pool, o: &SwapOutcome, slippage_bps: u16) -> serde_json::Value {
    let s = |v: u64| v.to_string();
    json!({
        "side": o.side,
        "fee_rate": pool.fee_rate,
        "requested_rao": s(o.requested),
        "consumed_rao": s(o.consumed()),
        "net_in_rao": s(o.delta_in),
        "fee_rao": s(o.fee),
        "fee_token": if o.side == Side::Buy { "tao" } else { "alpha" },
        "amount_out_rao": s(o.amount_out),
        "refund_rao": s(o.refund),
        "limit_reached": o.limit_reached,
        "author_tao_rao": s(o.author_tao),
        "spot_before_rao_per_alpha": s(o.spot_before_rao()),
        "spot_after_rao_per_alpha": s(o.spot_after_rao()),
        "price_impact": o.price_impact(),
        "slippage_bps": slippage_bps,
        "minimum_received_rao": s(o.minimum_received(slippage_bps)),
        "reserves_after": {
            "tao_rao": s(o.reserves_after.tao),
            "alpha_rao": s(o.reserves_after.alpha),
        },
    })
}

fn price(rao_per_alpha: u64) -> String {
    format!("{} τ/α", Tao::from_rao(rao_per_alpha).to_decimal_string())
}

fn swap_text(pool: &Pool, o: &SwapOutcome, slippage_bps: u16) -> String {
    let tao = |v: u64| Tao::from_rao(v).to_string();
    let alpha = |v: u64| Alpha::from_rao(v).to_string();
    // What the trader pays in and gets out, by side.
    let (pay, get) = match o.side {
        Side::Buy => (&tao as &dyn Fn(u64) -> String, &alpha as &dyn Fn(u64) -> String),
        Side::Sell => (&alpha as &dyn Fn(u64) -> String, &tao as &dyn Fn(u64) -> String),
    };
    let verb = if o.side == Side::Buy { "Buy with" } else { "Sell" };
    let mut out = format!(
        "{verb} {} on a pool of {} / {} (fee {}/65535)\n",
        pay(o.requested),
        Tao::from_rao(pool.reserves.tao),
        Alpha::from_rao(pool.reserves.alpha),
        pool.fee_rate,
    );
    let mut line = |k: &str, v: String| out.push_str(&format!("  {k:<24}{v}\n"));
    line("amount out", get(o.amount_out));
    line("fee", pay(o.fee));
    line("net into pool", pay(o.delta_in));
    if o.refund > 0 {
        line("refund (limit reached)", pay(o.refund));
    }
    line("spot price before", price(o.spot_before_rao()));
    line("spot price after", price(o.spot_after_rao()));
    line("execution price", format!("{:.9} τ/α", o.execution_price()));
    line("price impact", format!("{:.4} %", o.price_impact() * 100.0));
    line(
        &format!("minimum at {}.{:02} %", slippage_bps / 100, slippage_bps % 100),
        get(o.minimum_received(slippage_bps)),
    );
    if o.side == Side::Sell {
        line("fee swapped to author", Tao::from_rao(o.author_tao).to_string());
    }
    out
}

fn emission(args: &EmissionArgs) -> ExitCode {
    let issuance = args.issuance.rao();
    let emission = block_emission(issuance);
    let era = emission_era(issuance);
    let next = era.and_then(|k| halving_threshold_rao(k + 1));
    let blocks_to_next =
        next.map(|t| if emission == 0 { 0 } else { (t - issuance).div_ceil(emission) });
    if args.json {
        println!(
            "{}",
            json!({
                "issuance_rao": issuance.to_string(),
                "block_emission_rao": emission.to_string(),
                "era": era,
                "next_halving_issuance_rao": next.map(|v| v.to_string()),
                "blocks_to_next_halving": blocks_to_next,
                "remaining_supply_rao": TOTAL_SUPPLY_RAO.saturating_sub(issuance).to_string(),
            })
        );
        return ExitCode::SUCCESS;
    }
    println!("issuance                {}", Tao::from_rao(issuance));
    println!("block emission          {} per block", Tao::from_rao(emission));
    match (era, next, blocks_to_next) {
        (Some(era), Some(next), Some(blocks)) => {
            println!("halvings so far         {era}");
            println!("next halving at         {}", Tao::from_rao(next));
            // 12 s blocks: 7200 a day.
            println!(
                "blocks to next halving  {blocks} (≈ {:.1} days at 12 s per block, without recycling)",
                blocks as f64 / 7200.0
            );
        }
        _ => println!(
            "the supply cap of {} TAO is reached: nothing is emitted",
            TOTAL_SUPPLY_RAO / RAO_PER_TAO
        ),
    }
    ExitCode::SUCCESS
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_weights_prices_and_tolerances() {
        assert_eq!(parse_weight("0.5").unwrap(), PERQUINTILL / 2);
        assert_eq!(parse_weight("0.6").unwrap(), 600_000_000_000_000_000);
        assert!(parse_weight("0.995").is_err());
        assert!(parse_weight("half").is_err());
        assert_eq!(parse_price("0.0101").unwrap(), 10_100_000);
        assert!(parse_price("0").is_err());
        assert!(parse_price("-1").is_err());
    }
}
