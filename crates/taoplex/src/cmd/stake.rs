//! `taoplex stake`: stake, unstake, swap, move and transfer stake — safely.
//!
//! Every trade that goes through a pool shows the chain's own quote first (amount out, fee,
//! price impact, the minimum received at the slippage tolerance), is sent as the chain's *limit*
//! variant with the price that tolerance allows beyond the quoted trade's own price move, asks for confirmation unless `--yes`, and then
//! reports submitted → in block → finalized, or the chain's error in plain words. A limit order
//! that cannot fill within the tolerance fails with `SlippageTooHigh` and costs only the
//! transaction fee; `--partial` fills what the limit allows instead.

use std::process::ExitCode;

use anyhow::{Context, bail};
use chain::{AccountId, Call, Chain, Event, NetUid, Side, SwapOutcome};
use clap::{Args, Subcommand};
use dtao::amm::limit_price_for_tolerance;
use dtao::units::{Alpha, Tao};
use keys::{KdfParams, Wallet};
use market::lesson;

use super::submit::{ChainArgs, Inclusion, confirm, sign_and_watch};
use super::wallet::{HotkeyArg, WalletArgs, open_coldkey, out};

/// `taoplex stake` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum StakeCommand {
    /// Your stakes with their value if sold now.
    List(ListArgs),
    /// Buy alpha with TAO and stake it to a hotkey on a subnet.
    Add(AddArgs),
    /// Unstake alpha and sell it for TAO.
    Remove(RemoveArgs),
    /// Move stake from one subnet to another on the same hotkey (sell, then buy).
    Swap(SwapArgs),
    /// Move stake to another hotkey (and subnet), same coldkey.
    Move(MoveArgs),
    /// Give stake to another coldkey.
    Transfer(TransferArgs),
    /// Unstake everything on a hotkey, on every subnet.
    UnstakeAll(UnstakeAllArgs),
}

/// Options every trade shares.
#[derive(Debug, Args)]
pub(crate) struct TradeArgs {
    #[command(flatten)]
    wallet: WalletArgs,
    #[command(flatten)]
    chain: ChainArgs,
    /// Slippage tolerance in percent: the limit price and the minimum received.
    #[arg(long, default_value = "0.5", value_parser = super::args::tolerance)]
    slippage: u16,
    /// Fill what the limit price allows instead of failing the whole order.
    #[arg(long)]
    partial: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
}

/// A hotkey by SS58 address or by the name of one of the wallet's hotkeys.
#[derive(Debug, Args)]
pub(crate) struct HotkeyTarget {
    /// Hotkey: an SS58 address or a hotkey name of the wallet.
    #[arg(long, env = "BT_WALLET_HOTKEY", default_value = "default")]
    hotkey: String,
}

/// `stake list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    wallet: WalletArgs,
    #[command(flatten)]
    chain: ChainArgs,
    /// Any coldkey address instead of the wallet's.
    #[arg(long)]
    address: Option<String>,
}

/// `stake add`.
#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// Subnet.
    #[arg(long)]
    netuid: NetUid,
    #[command(flatten)]
    hotkey: HotkeyTarget,
    /// TAO to stake, including the swap fee (e.g. `10`, `0.5 TAO`).
    #[arg(long, value_parser = super::args::positive_tao, allow_negative_numbers = true)]
    amount: Tao,
    #[command(flatten)]
    trade: TradeArgs,
}

/// `stake remove`.
#[derive(Debug, Args)]
pub(crate) struct RemoveArgs {
    /// Subnet.
    #[arg(long)]
    netuid: NetUid,
    #[command(flatten)]
    hotkey: HotkeyTarget,
    /// Alpha to unstake (e.g. `12.5`); or `--all`.
    #[arg(long, value_parser = super::args::positive_alpha, allow_negative_numbers = true, required_unless_present = "all")]
    amount: Option<Alpha>,
    /// Exit the whole position.
    #[arg(long, conflicts_with = "amount")]
    all: bool,
    #[command(flatten)]
    trade: TradeArgs,
}

/// `stake swap`.
#[derive(Debug, Args)]
pub(crate) struct SwapArgs {
    #[command(flatten)]
    hotkey: HotkeyTarget,
    /// Subnet to leave.
    #[arg(long)]
    from: NetUid,
    /// Subnet to enter.
    #[arg(long)]
    to: NetUid,
    /// Alpha of the origin subnet.
    #[arg(long, value_parser = super::args::positive_alpha, allow_negative_numbers = true)]
    amount: Alpha,
    #[command(flatten)]
    trade: TradeArgs,
}

/// `stake move`.
#[derive(Debug, Args)]
pub(crate) struct MoveArgs {
    /// Hotkey to leave (SS58 or wallet hotkey name).
    #[arg(long)]
    from_hotkey: String,
    /// Hotkey to enter (SS58 or wallet hotkey name).
    #[arg(long)]
    to_hotkey: String,
    /// Subnet to leave.
    #[arg(long)]
    from: NetUid,
    /// Subnet to enter (default: the same).
    #[arg(long)]
    to: Option<NetUid>,
    /// Alpha of the origin subnet.
    #[arg(long, value_parser = super::args::positive_alpha, allow_negative_numbers = true)]
    amount: Alpha,
    #[command(flatten)]
    trade: TradeArgs,
}

/// `stake transfer`.
#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    /// Receiving coldkey (SS58).
    #[arg(long)]
    dest: String,
    #[command(flatten)]
    hotkey: HotkeyTarget,
    /// Subnet to leave.
    #[arg(long)]
    from: NetUid,
    /// Subnet to enter (default: the same).
    #[arg(long)]
    to: Option<NetUid>,
    /// Alpha of the origin subnet.
    #[arg(long, value_parser = super::args::positive_alpha, allow_negative_numbers = true)]
    amount: Alpha,
    #[command(flatten)]
    trade: TradeArgs,
}

/// `stake unstake-all`.
#[derive(Debug, Args)]
pub(crate) struct UnstakeAllArgs {
    #[command(flatten)]
    hotkey: HotkeyTarget,
    #[command(flatten)]
    trade: TradeArgs,
}

/// Runs `taoplex stake`.
pub(crate) fn run(command: StakeCommand) -> ExitCode {
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                return ExitCode::FAILURE;
            }
        };
    match runtime.block_on(execute(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: StakeCommand) -> anyhow::Result<()> {
    match command {
        StakeCommand::List(args) => list(args).await,
        StakeCommand::Add(args) => add(args).await,
        StakeCommand::Remove(args) => remove(args).await,
        StakeCommand::Swap(args) => swap(args).await,
        StakeCommand::Move(args) => move_stake(args).await,
        StakeCommand::Transfer(args) => transfer(args).await,
        StakeCommand::UnstakeAll(args) => unstake_all(args).await,
    }
}

/// Resolves `--hotkey`: an SS58 address, or a hotkey name in the wallet (its public file).
fn resolve_hotkey(wallet: &WalletArgs, hotkey: &str) -> anyhow::Result<AccountId> {
    if let Ok(account) = hotkey.parse::<AccountId>() {
        return Ok(account);
    }
    let w = wallet.wallet(Some(&HotkeyArg { hotkey: hotkey.to_string() }));
    let public = w.hotkeypub().with_context(|| {
        format!("{hotkey:?} is neither an SS58 address nor a hotkey of wallet {:?}", w.name())
    })?;
    Ok(AccountId::from(public))
}

fn coldkey_address(wallet: &Wallet) -> anyhow::Result<AccountId> {
    Ok(AccountId::from(wallet.coldkeypub()?))
}

async fn signer(trade: &TradeArgs) -> anyhow::Result<keys::Keypair> {
    let w = trade.wallet.wallet(None);
    tokio::task::block_in_place(|| open_coldkey(&w, &KdfParams::default()))
}

fn tao(v: u64) -> String {
    Tao::from_rao(v).to_string()
}

fn alpha(v: u64) -> String {
    Alpha::from_rao(v).to_string()
}

fn price(rao_per_alpha: u64) -> String {
    format!("{} τ/α", Tao::from_rao(rao_per_alpha).to_decimal_string())
}

/// Prints a quote the way a trader reads it.
fn show_quote(
    netuid: NetUid,
    q: &SwapOutcome,
    slippage_bps: u16,
    limit: u64,
) -> anyhow::Result<()> {
    type Format = fn(u64) -> String;
    let (pay, get): (Format, Format) = match q.side {
        Side::Buy => (tao, alpha),
        Side::Sell => (alpha, tao),
    };
    let verb = if q.side == Side::Buy { "stake" } else { "unstake" };
    out(&format!("quote — {verb} on subnet {netuid}"))?;
    out(&format!("  you pay               {}", pay(q.requested)))?;
    out(&format!("  you receive           {}", get(q.amount_out)))?;
    out(&format!("  swap fee              {}", pay(q.fee)))?;
    out(&format!(
        "  price                 {} → {}",
        price(q.spot_before_rao()),
        price(q.spot_after_rao())
    ))?;
    out(&format!("  price impact          {:.4} %", q.price_impact() * 100.0))?;
    out(&format!(
        "  minimum received      {} (slippage {}.{:02} %, limit price {})",
        get(q.minimum_received(slippage_bps)),
        slippage_bps / 100,
        slippage_bps % 100,
        price(limit)
    ))
}

/// The quote's "what this trade teaches the network" lines: the traded subnets' emission
/// shares now and projected with the chain's rule (`market::lesson`). A projection that cannot
/// be made is said, not fatal: the quote itself stands.
async fn teaches(chain: &dyn Chain, impacts: &[dtao::emission::PoolImpact]) -> anyhow::Result<()> {
    match lesson::project_trade(chain, impacts).await {
        Ok(p) => lesson::lesson_lines(&p).iter().try_for_each(|l| out(l)),
        Err(e) => out(&format!("what this trade teaches the network: not projected ({e})")),
    }
}

fn report(inclusion: &Inclusion) -> anyhow::Result<()> {
    if let Err(e) = &inclusion.result {
        bail!("the chain refused the call: {e}");
    }
    for record in &inclusion.events {
        match &record.event {
            Event::StakeAdded { tao: t, alpha: a, netuid, .. } => {
                out(&format!("staked      {} → {} on subnet {netuid}", tao(*t), alpha(*a)))?
            }
            Event::StakeRemoved { tao: t, alpha: a, fee, netuid, .. } => out(&format!(
                "unstaked    {} → {} on subnet {netuid}",
                alpha(a.saturating_add(*fee)),
                tao(*t)
            ))?,
            Event::StakeMoved { tao: t, origin_netuid, destination_netuid, .. }
            | Event::StakeSwapped { tao: t, origin_netuid, destination_netuid, .. }
            | Event::StakeTransferred { tao: t, origin_netuid, destination_netuid, .. } => {
                out(&format!(
                    "moved       {} of value from subnet {origin_netuid} to {destination_netuid}",
                    tao(*t)
                ))?
            }
            _ => {}
        }
    }
    Ok(())
}

async fn list(args: ListArgs) -> anyhow::Result<()> {
    let coldkey = match &args.address {
        Some(a) => {
            a.parse::<AccountId>().with_context(|| format!("{a:?} is not an SS58 address"))?
        }
        None => coldkey_address(&args.wallet.wallet(None))?,
    };
    let chain = args.chain.connect().await?;
    let account = chain.account(coldkey).await?;
    out(&format!("coldkey {coldkey}\n  free        {}", tao(account.free)))?;
    let stakes = chain.stakes(coldkey).await?;
    if stakes.is_empty() {
        return out("  no stake");
    }
    let mut total = 0u64;
    for stake in stakes {
        let value = match chain.quote(stake.netuid, Side::Sell, stake.alpha).await {
            Ok(q) => {
                total = total.saturating_add(q.amount_out);
                tao(q.amount_out)
            }
            Err(_) => "—".to_string(),
        };
        out(&format!(
            "  subnet {:>3}  hotkey {}  {}  worth {} if sold now",
            stake.netuid,
            stake.hotkey,
            alpha(stake.alpha),
            value
        ))?;
    }
    out(&format!("  total exit value {}", tao(total)))
}

async fn quoted_trade(
    chain: &dyn Chain,
    netuid: NetUid,
    side: Side,
    amount: u64,
    trade: &TradeArgs,
) -> anyhow::Result<u64> {
    let quote = chain
        .quote(netuid, side, amount)
        .await
        .with_context(|| format!("cannot quote this trade on subnet {netuid}"))?;
    // The limit allows the trade's own price move plus the tolerance for the market moving
    // against us before inclusion: quoted as is, the order fills.
    let limit = limit_price_for_tolerance(side, quote.spot_after_rao(), trade.slippage);
    show_quote(netuid, &quote, trade.slippage, limit)?;
    teaches(chain, &[lesson::impact(netuid, &quote)]).await?;
    confirm(trade.yes)?;
    Ok(limit)
}

async fn add(args: AddArgs) -> anyhow::Result<()> {
    let hotkey = resolve_hotkey(&args.trade.wallet, &args.hotkey.hotkey)?;
    let chain = args.trade.chain.connect_signing().await?;
    let amount = args.amount.rao();
    let limit = quoted_trade(chain.as_ref(), args.netuid, Side::Buy, amount, &args.trade).await?;
    let pair = signer(&args.trade).await?;
    let call = Call::AddStakeLimit {
        hotkey,
        netuid: args.netuid,
        amount_staked: args.amount,
        limit_price: limit,
        allow_partial: args.trade.partial,
    };
    report(&sign_and_watch(&chain, &pair, call).await?)
}

async fn remove(args: RemoveArgs) -> anyhow::Result<()> {
    let hotkey = resolve_hotkey(&args.trade.wallet, &args.hotkey.hotkey)?;
    let coldkey = coldkey_address(&args.trade.wallet.wallet(None))?;
    let chain = args.trade.chain.connect_signing().await?;
    let held = chain
        .stakes(coldkey)
        .await?
        .into_iter()
        .find(|s| s.hotkey == hotkey && s.netuid == args.netuid)
        .map_or(0, |s| s.alpha);
    let amount = if args.all { held } else { args.amount.map_or(0, Alpha::rao) };
    if held == 0 {
        bail!("no stake on hotkey {hotkey} in subnet {}", args.netuid);
    }
    if amount > held {
        bail!(
            "you hold {} on that hotkey and subnet; cannot unstake {}",
            alpha(held),
            alpha(amount)
        );
    }
    let limit = quoted_trade(chain.as_ref(), args.netuid, Side::Sell, amount, &args.trade).await?;
    let pair = signer(&args.trade).await?;
    let call = if args.all {
        Call::RemoveStakeFullLimit { hotkey, netuid: args.netuid, limit_price: Some(limit) }
    } else {
        Call::RemoveStakeLimit {
            hotkey,
            netuid: args.netuid,
            amount_unstaked: chain::Alpha::from_rao(amount),
            limit_price: limit,
            allow_partial: args.trade.partial,
        }
    };
    report(&sign_and_watch(&chain, &pair, call).await?)
}

async fn swap(args: SwapArgs) -> anyhow::Result<()> {
    if args.from == args.to {
        bail!("--from and --to are the same subnet; nothing to swap");
    }
    let hotkey = resolve_hotkey(&args.trade.wallet, &args.hotkey.hotkey)?;
    let chain = args.trade.chain.connect_signing().await?;
    let amount = args.amount.rao();
    let sell =
        chain.quote(args.from, Side::Sell, amount).await.context("cannot quote the sell leg")?;
    let buy = chain
        .quote(args.to, Side::Buy, sell.amount_out)
        .await
        .context("cannot quote the buy leg")?;
    // The chain limits a swap by the origin/destination price ratio (× 1e9).
    let ratio = dtao::amm::swap_price_ratio(sell.spot_after_bits, buy.spot_after_bits);
    let limit = limit_price_for_tolerance(Side::Sell, ratio, args.trade.slippage);
    out(&format!("quote — swap subnet {} → {}", args.from, args.to))?;
    out(&format!("  you move              {}", alpha(amount)))?;
    out(&format!("  sold for              {} (fee {})", tao(sell.amount_out), alpha(sell.fee)))?;
    out(&format!("  you receive about     {} on subnet {}", alpha(buy.amount_out), args.to))?;
    out(&format!("  minimum price ratio   {}", Tao::from_rao(limit).to_decimal_string()))?;
    teaches(chain.as_ref(), &[lesson::impact(args.from, &sell), lesson::impact(args.to, &buy)])
        .await?;
    confirm(args.trade.yes)?;
    let pair = signer(&args.trade).await?;
    let call = Call::SwapStakeLimit {
        hotkey,
        origin_netuid: args.from,
        destination_netuid: args.to,
        alpha_amount: args.amount,
        limit_price: limit,
        allow_partial: args.trade.partial,
    };
    report(&sign_and_watch(&chain, &pair, call).await?)
}

async fn move_stake(args: MoveArgs) -> anyhow::Result<()> {
    let origin = resolve_hotkey(&args.trade.wallet, &args.from_hotkey)?;
    let destination = resolve_hotkey(&args.trade.wallet, &args.to_hotkey)?;
    let to = args.to.unwrap_or(args.from);
    let chain = args.trade.chain.connect_signing().await?;
    out(&format!(
        "move {} from hotkey {origin} (subnet {}) to hotkey {destination} (subnet {to})",
        alpha(args.amount.rao()),
        args.from
    ))?;
    confirm(args.trade.yes)?;
    let pair = signer(&args.trade).await?;
    let call = Call::MoveStake {
        origin_hotkey: origin,
        destination_hotkey: destination,
        origin_netuid: args.from,
        destination_netuid: to,
        alpha_amount: args.amount,
    };
    report(&sign_and_watch(&chain, &pair, call).await?)
}

async fn transfer(args: TransferArgs) -> anyhow::Result<()> {
    let dest: AccountId =
        args.dest.parse().with_context(|| format!("{:?} is not an SS58 address", args.dest))?;
    let hotkey = resolve_hotkey(&args.trade.wallet, &args.hotkey.hotkey)?;
    let to = args.to.unwrap_or(args.from);
    let chain = args.trade.chain.connect_signing().await?;
    out(&format!(
        "give {} staked to {hotkey} (subnet {} → {to}) to coldkey {dest}",
        alpha(args.amount.rao()),
        args.from
    ))?;
    confirm(args.trade.yes)?;
    let pair = signer(&args.trade).await?;
    let call = Call::TransferStake {
        destination_coldkey: dest,
        hotkey,
        origin_netuid: args.from,
        destination_netuid: to,
        alpha_amount: args.amount,
    };
    report(&sign_and_watch(&chain, &pair, call).await?)
}

async fn unstake_all(args: UnstakeAllArgs) -> anyhow::Result<()> {
    let hotkey = resolve_hotkey(&args.trade.wallet, &args.hotkey.hotkey)?;
    let coldkey = coldkey_address(&args.trade.wallet.wallet(None))?;
    let chain = args.trade.chain.connect_signing().await?;
    let stakes: Vec<_> =
        chain.stakes(coldkey).await?.into_iter().filter(|s| s.hotkey == hotkey).collect();
    if stakes.is_empty() {
        bail!("no stake on hotkey {hotkey}");
    }
    let mut total = 0u64;
    for s in &stakes {
        let q = chain.quote(s.netuid, Side::Sell, s.alpha).await?;
        total = total.saturating_add(q.amount_out);
        out(&format!(
            "  subnet {:>3}: {} → about {}",
            s.netuid,
            alpha(s.alpha),
            tao(q.amount_out)
        ))?;
    }
    out(&format!(
        "unstake everything on {hotkey}: about {} at current prices, no price limit",
        tao(total)
    ))?;
    confirm(args.trade.yes)?;
    let pair = signer(&args.trade).await?;
    report(&sign_and_watch(&chain, &pair, Call::UnstakeAll { hotkey }).await?)
}
