//! `taoplex up`: the whole suite on this machine. For now the localnet with its market
//! simulation and the JSON-RPC server; later issues add the terminal and Dojo.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Args;

use super::node::{NodeArgs, init_tracing, serve, tokio_main};

/// Arguments of `taoplex up`.
#[derive(Debug, Clone, Args)]
pub(crate) struct UpArgs {
    /// The localnet's settings (the simulation is on unless `--no-sim`).
    #[command(flatten)]
    node: NodeArgs,
}

/// Runs `taoplex up`.
pub(crate) fn run(args: UpArgs) -> ExitCode {
    init_tracing();
    match tokio_main(serve(args.node, "taoplex up")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
