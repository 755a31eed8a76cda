//! Subcommands. Each module owns one subcommand's arguments and its run function.

pub(crate) mod args;
pub(crate) mod backprop;
pub(crate) mod bot;
pub(crate) mod calc;
pub(crate) mod chain;
pub(crate) mod dojo;
pub(crate) mod network;
pub(crate) mod node;
pub(crate) mod stake;
pub(crate) mod submit;
pub(crate) mod terminal;
pub(crate) mod up;
pub(crate) mod wallet;
pub(crate) mod wallet_online;

use std::process::ExitCode;

use clap::Subcommand;

/// Every subcommand of `taoplex`.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Quote swaps and emissions with the chain's exact arithmetic (offline).
    #[command(subcommand)]
    Calc(calc::CalcCommand),
    /// Create, import and use Bittensor wallets (compatible with btcli).
    #[command(subcommand)]
    Wallet(wallet::WalletCommand),
    /// Dojo human-preference subnet tools: score ratings, export datasets, generate tasks.
    #[command(subcommand)]
    Dojo(dojo::DojoCommand),
    /// Stake, unstake, swap, move and transfer stake, with quotes and limit prices.
    #[command(subcommand)]
    Stake(stake::StakeCommand),
    /// Run the localnet: a local dTAO chain with a JSON-RPC server on 127.0.0.1:9944.
    Node(node::NodeArgs),
    /// Start the suite on this machine: the localnet with its market simulation.
    Up(up::UpArgs),
    /// Inspect a chain (localnet, finney, testnet): runtime, heads, a block's events, a subnet.
    #[command(subcommand)]
    Chain(chain::ChainCommand),
    /// Run the web terminal (market pages, REST + WebSocket API) on 127.0.0.1:8080.
    Terminal(terminal::TerminalArgs),
    /// What trades teach the network: emission counterfactuals on the localnet.
    #[command(subcommand)]
    Backprop(backprop::BackpropCommand),
    /// Run the Telegram bot: prices, alerts, whale watching, trading by Staking proxy or sign link.
    Bot(bot::BotArgs),
}

/// Runs a subcommand. Usage errors exit with 2, runtime failures with 1.
pub(crate) fn run(command: Command) -> ExitCode {
    match command {
        Command::Calc(c) => calc::run(c),
        Command::Wallet(c) => wallet::run(c),
        Command::Dojo(c) => dojo::run(c),
        Command::Stake(c) => stake::run(c),
        Command::Node(a) => node::run(a),
        Command::Up(a) => up::run(a),
        Command::Terminal(a) => terminal::run(a),
        Command::Chain(c) => chain::run(c),
        Command::Backprop(c) => backprop::run(c),
        Command::Bot(a) => bot::run(a),
    }
}
