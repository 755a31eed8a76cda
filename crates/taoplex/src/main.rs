//! `taoplex`: the one binary of the suite. Thin: parse arguments, validate, wire, run.

// The binary is where output belongs; libraries never print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's malloc: during a fast-forward the block producer's two threads
/// allocate and free each other's memory thousands of times a second, and glibc made them wait
/// on each other's arena lock (a futex sleep and wake-up each time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
