//! `taoplex chain`: inspect a chain — localnet, finney, testnet or any node — through the
//! same `Chain` the other commands use: `info` (name, genesis, runtime, head, finalized),
//! `events --at <block>`, `subnet <netuid> [--at <block>]`. Every subcommand has `--json`.

use std::process::ExitCode;

use anyhow::Context;
use chain::BlockId;
use clap::{Args, Subcommand};
use serde_json::json;

use super::network::NetworkArgs;
use super::wallet::out;

/// `taoplex chain …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ChainCommand {
    /// The chain's name, genesis hash, runtime version, head and finalized head.
    Info(InfoArgs),
    /// The events of a block that taoplex knows (trades, transfers, weights, MEV Shield…).
    Events(EventsArgs),
    /// A subnet's pool, identity and hyperparameters (at a past block on a live network).
    Subnet(SubnetArgs),
}

/// `taoplex chain info`.
#[derive(Debug, Args)]
pub(crate) struct InfoArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `taoplex chain events`.
#[derive(Debug, Args)]
pub(crate) struct EventsArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// The block: a number or a 0x hash.
    #[arg(long)]
    at: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `taoplex chain subnet`.
#[derive(Debug, Args)]
pub(crate) struct SubnetArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// The subnet.
    netuid: u16,
    /// The block (number or 0x hash); the head when left out. A localnet keeps the state of
    /// its last 16 blocks; a public node's depends on its pruning (archive nodes: all).
    #[arg(long)]
    at: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `taoplex chain`.
pub(crate) fn run(command: ChainCommand) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            ChainCommand::Info(a) => info(a).await,
            ChainCommand::Events(a) => events(a).await,
            ChainCommand::Subnet(a) => subnet(a).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn block_id(at: &str) -> anyhow::Result<BlockId> {
    if at.starts_with("0x") {
        return Ok(BlockId::Hash(
            at.parse().with_context(|| format!("{at:?} is not a block hash"))?,
        ));
    }
    at.parse()
        .map(BlockId::Number)
        .with_context(|| format!("--at {at:?} is neither a block number nor a 0x hash"))
}

fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    out(&serde_json::to_string_pretty(value).context("cannot print JSON")?)
}

async fn info(args: InfoArgs) -> anyhow::Result<()> {
    let chain = args.network.connect().await?;
    let info = chain.info().await?;
    let head = chain.header(BlockId::Head).await?;
    let finalized = chain.header(BlockId::Finalized).await?;
    if args.json {
        return print_json(&json!({
            "network": args.network.label(),
            "name": info.name,
            "genesis": info.signing.genesis_hash,
            "spec_version": info.signing.spec_version,
            "head": {"number": head.number, "hash": head.hash},
            "finalized": {"number": finalized.number, "hash": finalized.hash},
            "ss58_prefix": info.ss58_prefix,
            "token_symbol": info.token_symbol,
        }));
    }
    out(&format!("network     {}", args.network.label()))?;
    out(&format!("chain       {}", info.name))?;
    out(&format!("genesis     {}", info.signing.genesis_hash))?;
    out(&format!("runtime     spec {}", info.signing.spec_version))?;
    out(&format!("head        #{} {}", head.number, head.hash))?;
    out(&format!("finalized   #{} {}", finalized.number, finalized.hash))
}

async fn events(args: EventsArgs) -> anyhow::Result<()> {
    let at = block_id(&args.at)?;
    let chain = args.network.connect().await?;
    let (header, events) = chain.block_events(at).await?;
    if args.json {
        return print_json(&json!({
            "network": args.network.label(),
            "block": header.number,
            "hash": header.hash,
            "events": events,
        }));
    }
    out(&format!("block #{} {} ({})", header.number, header.hash, args.network.label()))?;
    for record in &events {
        let fields = serde_json::to_value(&record.event).context("cannot show an event")?;
        out(&format!("{:?}  {}  {}", record.phase, record.event.name(), fields))?;
    }
    Ok(())
}

async fn subnet(args: SubnetArgs) -> anyhow::Result<()> {
    let subnet = match &args.at {
        None => args.network.connect().await?.subnet(args.netuid).await?,
        Some(at) => {
            let at = block_id(at)?;
            args.network.live_client().await?.subnet_at(args.netuid, at).await?
        }
    };
    if args.json {
        let mut value = serde_json::to_value(&subnet).context("cannot show the subnet")?;
        value["network"] = json!(args.network.label());
        return print_json(&value);
    }
    out(&format!(
        "subnet {} {} {} ({})",
        subnet.netuid,
        subnet.identity.symbol,
        subnet.identity.name,
        args.network.label()
    ))?;
    out(&format!(
        "  pool    {} TAO / {} alpha in, price {} rao/α",
        subnet.pool.tao_reserve, subnet.pool.alpha_in, subnet.pool.price
    ))?;
    out(&format!("  owner   {} (hotkey {})", subnet.owner_coldkey, subnet.owner_hotkey))?;
    out(&format!("  tempo   {}, neurons {}", subnet.hyperparameters.tempo, subnet.neuron_count))
}
