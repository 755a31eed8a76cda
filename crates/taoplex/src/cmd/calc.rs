//! `taoplex calc`: offline swap and emission calculator.

use std::process::ExitCode;

use clap::Subcommand;

/// `taoplex calc` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CalcCommand {
    /// Block emission at a given total issuance.
    Emission,
}

pub(crate) fn run(_command: CalcCommand) -> ExitCode {
    ExitCode::SUCCESS
}
