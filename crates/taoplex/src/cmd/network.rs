//! `--network finney|test|local|<ws url>`: which chain a command talks to, the way btcli
//! names them. `local` (the default) is taoplex's localnet, `finney`, `test` and any other
//! `ws://`/`wss://` URL a real Subtensor node: all through the one live client
//! (`subtensor::Subtensor`), over Substrate's JSON-RPC, which localnet speaks too.

use std::ops::Deref;
use std::sync::Arc;

use anyhow::{Context, bail};
use chain::{Call, Chain, ChainResult, TxOptions, TxStatus};
use clap::Args;
use futures::stream::BoxStream;
use subtensor::Subtensor;

/// The localnet's default endpoint.
const LOCAL_URL: &str = "ws://127.0.0.1:9944";

/// Where the chain is.
#[derive(Debug, Clone, Args)]
pub(crate) struct NetworkArgs {
    /// The chain: `local` (taoplex's localnet), `finney` (Bittensor mainnet), `test`
    /// (testnet), or a node's ws:// / wss:// URL.
    #[arg(long, env = "TAOPLEX_NETWORK", default_value = "local")]
    pub(crate) network: String,
    /// The localnet's JSON-RPC endpoint, for `--network local` (an older name for the same
    /// thing: a ws:// URL here is used as is).
    #[arg(long, env = "TAOPLEX_RPC", default_value = LOCAL_URL)]
    pub(crate) rpc: String,
    /// Submit coldkey trades in the clear instead of through MEV Shield (live networks).
    #[arg(long)]
    pub(crate) no_shield: bool,
}

/// A network resolved to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// taoplex's localnet.
    Local(String),
    /// A Subtensor node.
    Live(String),
}

impl NetworkArgs {
    /// The endpoint `--network` names.
    pub(crate) fn endpoint(&self) -> anyhow::Result<Endpoint> {
        match self.network.as_str() {
            "local" | "localnet" => Ok(Endpoint::Local(self.rpc.clone())),
            name => {
                if let Some(url) = subtensor::endpoint_of(name) {
                    return Ok(Endpoint::Live(url.to_string()));
                }
                if name.starts_with("ws://") || name.starts_with("wss://") {
                    return Ok(Endpoint::Live(name.to_string()));
                }
                bail!("--network {name:?} is none of local, finney, test or a ws:// / wss:// URL")
            }
        }
    }

    /// The network's name as pages and outputs show it.
    pub(crate) fn label(&self) -> String {
        match self.endpoint() {
            Ok(Endpoint::Local(url)) => format!("local ({url})"),
            Ok(Endpoint::Live(url)) => match self.network.as_str() {
                "finney" | "test" => format!("{} ({url})", self.network),
                _ => url,
            },
            Err(_) => self.network.clone(),
        }
    }

    /// Connects, with an error that says what to do when nothing listens.
    pub(crate) async fn connect(&self) -> anyhow::Result<Arc<dyn Chain>> {
        Ok(self.connect_signing().await?.chain)
    }

    /// Connects for submitting with a key at hand: on a live network, coldkey trades go
    /// through MEV Shield unless `--no-shield`.
    /// On localnet trades go in the clear: it has no one to front-run them (it takes shielded
    /// ones too, as Subtensor does, when a client sends them).
    pub(crate) async fn connect_signing(&self) -> anyhow::Result<Connection> {
        let live = Arc::new(self.live_client().await?);
        Ok(Connection { chain: live.clone(), live })
    }

    /// The live client on the network's node (localnet's too), with an error that says what
    /// to do when nothing listens.
    pub(crate) async fn live_client(&self) -> anyhow::Result<Subtensor> {
        Ok(match self.endpoint()? {
            Endpoint::Local(url) => Subtensor::connect(&url)
                .await
                .with_context(|| {
                    format!("no chain at {url}; start one with `taoplex node` or pass --rpc")
                })?
                .with_shield(false),
            Endpoint::Live(url) => Subtensor::connect(&url)
                .await
                .with_context(|| format!("cannot connect to {}", self.label()))?
                .with_shield(!self.no_shield),
        })
    }
}

/// A connected chain, and the live client behind it, which shields trades where asked to.
pub(crate) struct Connection {
    /// The chain.
    pub(crate) chain: Arc<dyn Chain>,
    live: Arc<Subtensor>,
}

impl Deref for Connection {
    type Target = Arc<dyn Chain>;

    fn deref(&self) -> &Self::Target {
        &self.chain
    }
}

impl Connection {
    /// Prepares, signs with `pair` and submits `call`: MEV-shielded on a live network for
    /// trades (unless `--no-shield`), in the clear on localnet.
    pub(crate) async fn sign_and_submit(
        &self,
        pair: &keys::Keypair,
        call: Call,
    ) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>> {
        self.live.sign_and_submit(pair, call, TxOptions::default()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(network: &str) -> NetworkArgs {
        NetworkArgs { network: network.into(), rpc: LOCAL_URL.into(), no_shield: false }
    }

    #[test]
    fn networks_resolve_like_btcli() {
        assert_eq!(args("local").endpoint().unwrap(), Endpoint::Local(LOCAL_URL.into()));
        assert!(
            matches!(args("finney").endpoint().unwrap(), Endpoint::Live(u) if u.starts_with("wss://entrypoint-finney"))
        );
        assert!(
            matches!(args("test").endpoint().unwrap(), Endpoint::Live(u) if u.starts_with("wss://test.finney"))
        );
        assert_eq!(
            args("ws://10.0.0.1:9944").endpoint().unwrap(),
            Endpoint::Live("ws://10.0.0.1:9944".into())
        );
        let err = args("mainnet").endpoint().unwrap_err().to_string();
        assert!(err.contains("none of local, finney, test"), "{err}");
    }
}

/// The market store's folder for `network` (the `--network` value): one per network, so that a
/// chain's blocks never meet another's (the indexer would refuse them as a chain mismatch).
/// `market` for the localnet, `market-<network>` for a live one.
pub(crate) fn market_dir(network: &str) -> String {
    if matches!(network, "local" | "localnet") {
        return "market".into();
    }
    let name: String = network
        .trim_start_matches("wss://")
        .trim_start_matches("ws://")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
        .collect();
    format!("market-{name}")
}

/// Where an empty market store starts indexing (`--from-block`): a block number, or `-N` for N
/// blocks before the finalized head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FromBlock {
    /// This block.
    At(chain::BlockNumber),
    /// This many blocks before the finalized head.
    Back(u64),
}

/// A day of 12-second blocks: what a live network's market store starts with by default.
const DAY: u64 = 7_200;

/// Parses `--from-block`: `7959000` or `-7200`.
pub(crate) fn parse_from_block(s: &str) -> Result<FromBlock, String> {
    let bad = |e: std::num::ParseIntError| {
        format!("{s:?} is not a block number (or -N for N blocks before the finalized head): {e}")
    };
    match s.strip_prefix('-') {
        Some(back) => back.parse().map(FromBlock::Back).map_err(bad),
        None => s.parse().map(FromBlock::At).map_err(bad),
    }
}

/// The first block an empty market store indexes: as asked, else on a live network the last day
/// (a public node serves history slowly and rate-limits: backfilling all of it from one would
/// take weeks), else everything the localnet holds.
pub(crate) async fn start_block(
    from: Option<FromBlock>,
    live: bool,
    chain: &dyn Chain,
) -> anyhow::Result<Option<chain::BlockNumber>> {
    let from = from.or(live.then_some(FromBlock::Back(DAY)));
    Ok(match from {
        None => None,
        Some(FromBlock::At(n)) => Some(n),
        Some(FromBlock::Back(n)) => {
            let head = chain
                .header(chain::BlockId::Finalized)
                .await
                .context("cannot read the finalized head to start indexing from")?;
            Some(head.number.saturating_sub(n))
        }
    })
}

#[cfg(test)]
mod from_block_tests {
    use super::*;

    #[test]
    fn from_block_takes_a_number_or_a_distance() {
        assert_eq!(parse_from_block("7959000"), Ok(FromBlock::At(7_959_000)));
        assert_eq!(parse_from_block("-7200"), Ok(FromBlock::Back(7_200)));
        for bad in ["", "-", "x", "1.5", "--3"] {
            assert!(parse_from_block(bad).is_err(), "{bad:?}");
        }
    }
}
