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
use super::node::{GenesisExtension, NodeArgs, init_tracing, start, tokio_main, wait_for_signal};
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
    /// Run without Dojo.
    #[arg(long)]
    no_dojo: bool,
    /// Address of team 1's worker platform; team 2's listens on the next port.
    #[arg(long, default_value = "127.0.0.1:8081")]
    dojo_platform_addr: SocketAddr,
    /// Address of the Dojo validator's API (status, external tasks, OpenAPI).
    #[arg(long, default_value = "127.0.0.1:8083")]
    dojo_validator_addr: SocketAddr,
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
    let extension: Option<GenesisExtension> = if args.no_dojo { None } else { Some(add_dojo) };
    let running = start(args.node.clone(), "taoplex up", extension).await?;
    let chain: Arc<dyn chain::Chain> = Arc::new(localnet::LocalChain::new(running.node.handle()));
    let dojo = if args.no_dojo {
        None
    } else {
        match dojo_up::start(
            &chain,
            &running.data_dir,
            args.dojo_platform_addr,
            args.dojo_validator_addr,
        )
        .await
        {
            Ok(d) => d,
            Err(e) => {
                running.stop().await;
                return Err(e);
            }
        }
    };
    let terminal = TerminalArgs::for_up(
        args.terminal_addr,
        running.data_dir.clone(),
        args.database_url.clone(),
        args.usd_price,
    );
    let result = match super::bot::for_up(&chain, &running.data_dir, args.terminal_addr) {
        Some((bot, stop)) => {
            let terminal = async {
                let r = run_with(&terminal, chain, &running.data_dir, wait_for_signal()).await;
                let _ = stop.send(());
                r
            };
            tokio::join!(terminal, bot).0
        }
        None => run_with(&terminal, chain, &running.data_dir, wait_for_signal()).await,
    };
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
