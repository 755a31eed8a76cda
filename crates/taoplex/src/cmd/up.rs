//! `taoplex up`: the whole suite on this machine, on its embedded localnet — the chain with its
//! market simulation and JSON-RPC server (for `taoplex wallet`/`stake` and other tools), the
//! market indexer with the web terminal, and Dojo (a validator, two miners and their teams'
//! worker platforms on the chain's Dojo subnet), all over the same in-process chain.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::dojo::up as dojo_up;
use super::node::{
    GenesisExtension, NodeArgs, OlderChain, init_tracing, start, tokio_main, wait_for_signal,
};
use super::terminal::{TerminalArgs, run_with};
use localnet::node::DEFAULT_BLOCK_TIME;

/// Arguments of `taoplex up`.
#[derive(Debug, Clone, Args)]
pub(crate) struct UpArgs {
    /// The localnet's settings (the simulation is on unless `--no-sim`).
    #[command(flatten)]
    node: NodeArgs,
    /// Address of the web terminal.
    #[arg(long, default_value = "127.0.0.1:8080")]
    terminal_addr: SocketAddr,
    /// Store market data in PostgreSQL at this URL instead of SQLite under `<data-dir>/market`.
    #[arg(long, env = "TAOPLEX_DATABASE_URL")]
    database_url: Option<String>,
    /// TAO/USD price for the terminal's $ view (without it only τ is shown).
    #[arg(long)]
    usd_price: Option<f64>,
    /// Run without Dojo.
    #[arg(long)]
    no_dojo: bool,
    /// Address of team 1's worker platform; team 2's listens on the next port.
    #[arg(long, default_value = "127.0.0.1:8081")]
    dojo_platform_addr: SocketAddr,
    /// Address of the Dojo validator's API (status, external tasks, OpenAPI).
    #[arg(long, default_value = "127.0.0.1:8083")]
    dojo_validator_addr: SocketAddr,
    /// Simulated market history a fresh chain starts with, ending now: `7d`, `36h`, `90m`, or
    /// `0` for none (12-second blocks: a day is 7,200). Ignored on an existing data dir.
    #[arg(long, default_value = "7d", value_parser = parse_history)]
    history: u64,
}

/// Blocks (of 12 s) in a history length: `7d`, `36h`, `90m`, `0`.
fn parse_history(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(0);
    }
    let (digits, seconds) = match s.char_indices().last() {
        Some((i, 'd')) => (&s[..i], 86_400),
        Some((i, 'h')) => (&s[..i], 3_600),
        Some((i, 'm')) => (&s[..i], 60),
        _ => return Err(format!("{s:?} is not a history length: give e.g. 7d, 36h, 90m or 0")),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a history length: the number must be a whole number"))?;
    let blocks = n.saturating_mul(seconds) / DEFAULT_BLOCK_TIME.as_secs();
    if blocks > MAX_HISTORY_BLOCKS {
        return Err(format!("a history of {s} is too long: at most 30d"));
    }
    Ok(blocks)
}

/// Blocks produced beyond the history asked for (an hour).
const HISTORY_MARGIN: u64 = 300;

/// 30 days of blocks: the node keeps the history in memory until it is indexed.
const MAX_HISTORY_BLOCKS: u64 = 30 * 7_200;

/// Runs `taoplex up`.
pub(crate) fn run(args: UpArgs) -> ExitCode {
    init_tracing();
    match tokio_main(up(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn up(args: UpArgs) -> anyhow::Result<()> {
    let extension: Option<GenesisExtension> = if args.no_dojo { None } else { Some(add_dojo) };
    // An hour more than asked, so that the window's first block is there at the finalized
    // head too (the indexer stores finalized blocks): a day of history has its 24h changes.
    let history = if args.history > 0 { args.history + HISTORY_MARGIN } else { 0 };
    let running =
        start(args.node.clone(), "taoplex up", extension, history, OlderChain::SetAside).await?;
    let chain: Arc<dyn chain::Chain> = Arc::new(localnet::LocalChain::new(running.node.handle()));
    let mut terminal = TerminalArgs::for_up(
        args.terminal_addr,
        running.data_dir.clone(),
        args.database_url.clone(),
        args.usd_price,
    );
    // A new history is indexed before the first page, so that page is complete.
    terminal.index_first = args.history > 0 && running.fresh;
    // Dojo sets itself up (which takes a while) beside the terminal, once it serves.
    let (serving_tx, serving) = tokio::sync::oneshot::channel();
    let data_dir = running.data_dir.clone();
    let dojo_start = async {
        if args.no_dojo || serving.await.is_err() {
            return Ok(None);
        }
        dojo_up::start(&chain, &data_dir, args.dojo_platform_addr, args.dojo_validator_addr).await
    };
    let serve = run_with(&terminal, chain.clone(), &data_dir, wait_for_signal(), Some(serving_tx));
    // The Telegram bot, when a token is configured, runs beside the terminal and stops with it.
    let (bot, bot_stop) = match super::bot::for_up(&chain, &data_dir, args.terminal_addr) {
        Some((run, stop)) => (Some(run), Some(stop)),
        None => (None, None),
    };
    let bot = async {
        if let Some(bot) = bot {
            bot.await;
        }
    };
    let services = async {
        tokio::pin!(dojo_start, serve);
        let mut dojo = None;
        let result = tokio::select! {
            // Stopped before Dojo was up: its start-up is dropped with nothing to stop.
            result = &mut serve => result,
            started = &mut dojo_start => {
                match started {
                    Ok(d) => dojo = d,
                    Err(e) => tracing::error!("Dojo did not start: {e:#}"),
                }
                serve.await
            }
        };
        if let Some(stop) = bot_stop {
            let _ = stop.send(());
        }
        (result, dojo)
    };
    let ((result, dojo), ()) = tokio::join!(services, bot);
    if let Some(dojo) = dojo {
        dojo.stop().await;
    }
    running.stop().await;
    result
}

/// The Dojo subnet `up` adds to a fresh chain: tempo 100 (20 minutes at 12-second blocks).
fn add_dojo(genesis: &mut localnet::Genesis) -> anyhow::Result<()> {
    super::dojo::localnet::add_dojo_subnet(genesis, 100).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_lengths_parse_to_blocks() {
        assert_eq!(parse_history("7d"), Ok(50_400));
        assert_eq!(parse_history("1d"), Ok(7_200));
        assert_eq!(parse_history("36h"), Ok(10_800));
        assert_eq!(parse_history("90m"), Ok(450));
        assert_eq!(parse_history("0"), Ok(0));
        assert!(parse_history("31d").unwrap_err().contains("30d"));
        assert!(parse_history("week").is_err());
        assert!(parse_history("1.5d").is_err());
    }
}
