//! `taoplex`: the one binary of the suite. Thin: parse arguments, validate, wire, run.

// The binary is where output belongs; libraries never print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// Command-line interface of `taoplex`.
#[derive(Debug, Parser)]
#[command(
    name = "taoplex",
    version,
    about = "The dTAO market terminal, bot, Dojo subnet and localnet"
)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cmd::run(cli.command)
}
