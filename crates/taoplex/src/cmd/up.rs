//! `taoplex up`: the whole suite on this machine, on its embedded localnet — the chain with its
//! market simulation and JSON-RPC server (for `taoplex wallet`/`stake` and other tools), and the
//! market indexer with the web terminal over the same in-process chain. Dojo joins in a later
//! issue.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::node::{NodeArgs, init_tracing, start, tokio_main, wait_for_signal};
use super::terminal::{TerminalArgs, run_with};

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
}

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
    let running = start(args.node.clone(), "taoplex up").await?;
    let chain: Arc<dyn chain::Chain> = Arc::new(localnet::LocalChain::new(running.node.handle()));
    let terminal = TerminalArgs::for_up(
        args.terminal_addr,
        running.data_dir.clone(),
        args.database_url.clone(),
        args.usd_price,
    );
    let result = run_with(&terminal, chain, &running.data_dir, wait_for_signal()).await;
    running.stop().await;
    result
}
