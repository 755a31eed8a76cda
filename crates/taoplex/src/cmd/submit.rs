//! Talking to a chain from the command line: connect, sign, submit, and follow a transaction
//! from the pool to finality, printing each step.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::{Context, bail};
use chain::{Call, DispatchError, EventRecord, TxStatus};
use futures::StreamExt;
use keys::Keypair;

use super::network::Connection;
use super::wallet::out;

/// How long to follow a transaction before giving up on seeing it finalized.
const WATCH_TIMEOUT: Duration = Duration::from_secs(600);

/// Where the chain is: `--network` (and the localnet's `--rpc`), see [`super::network`].
pub(crate) use super::network::NetworkArgs as ChainArgs;

/// What happened to a submitted transaction.
#[derive(Debug)]
pub(crate) struct Inclusion {
    /// The call's result in its block.
    pub(crate) result: Result<(), DispatchError>,
    /// The extrinsic's events.
    pub(crate) events: Vec<EventRecord>,
}

/// Asks "Proceed? [y/N]" unless `yes`; refuses without a terminal to ask on.
pub(crate) fn confirm(yes: bool) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!("confirmation needed and there is no terminal to ask on; run again with --yes");
    }
    let mut stderr = std::io::stderr().lock();
    write!(stderr, "Proceed? [y/N] ").context("cannot write to stderr")?;
    stderr.flush().context("cannot write to stderr")?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).context("cannot read the answer")?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES") {
        Ok(())
    } else {
        bail!("cancelled; nothing was submitted")
    }
}

/// Prepares `call` on the chain (nonce and mortality from the chain), signs the payload with
/// `pair`, submits it (through MEV Shield for trades on a live network, unless
/// `--no-shield`), and prints `submitted` → `in block` → `finalized`. Returns once the block
/// is final.
pub(crate) async fn sign_and_watch(
    chain: &Connection,
    pair: &Keypair,
    call: Call,
) -> anyhow::Result<Inclusion> {
    let mut statuses =
        chain.sign_and_submit(pair, call).await.context("the node refused the transaction")?;
    let mut inclusion = None;
    let watch = async {
        while let Some(status) = statuses.next().await {
            match status.context("lost the transaction's status stream")? {
                TxStatus::Ready { hash } => out(&format!("submitted   {hash}"))?,
                TxStatus::InBlock { number, block_hash, index, result, events } => {
                    match &result {
                        Ok(()) => out(&format!(
                            "in block    #{number} ({block_hash}), extrinsic {index}"
                        ))?,
                        Err(e) => {
                            out(&format!("in block    #{number}, extrinsic {index}: FAILED — {e}"))?
                        }
                    }
                    inclusion = Some(Inclusion { result, events });
                }
                TxStatus::Finalized { number, .. } => {
                    out(&format!("finalized   #{number}"))?;
                    return Ok(());
                }
                TxStatus::Dropped { reason } => bail!("the transaction was dropped: {reason}"),
            }
        }
        bail!("the node closed the status stream before finality")
    };
    tokio::time::timeout(WATCH_TIMEOUT, watch)
        .await
        .context("no finality within 10 minutes; check `taoplex wallet show` later")??;
    inclusion.context("finalized without an in-block status")
}
