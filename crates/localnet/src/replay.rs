//! The counterfactual: what one large buy did to emissions, measured by replaying history
//! through the runtime with and without it.
//!
//! [`record`] runs the market simulation on a genesis for a number of blocks and slips one large
//! buy (signed by a development account that trades nothing else, so no other transaction's
//! nonce depends on it) into one block. [`counterfactual`] then replays exactly the recorded
//! blocks twice from the genesis — as they were, and with the buy left out — and sums what
//! every subnet was emitted. Everything else in the history is the same transactions at the
//! same timestamps; whatever they do differently in the second world (a limit order that no
//! longer fills) is part of the buy's effect. The runtime is deterministic, so the figures are
//! too.
//!
//! At the buy's block the report also keeps what [`Runtime::project_trade`] projected for the
//! end of the run, the evidence that the quote's projection says what the chain then does.

use chain::{Call, Mortality, Side, SignedTransaction};
use dtao::emission::{Horizon, PoolImpact};
use dtao::fixed::U64F64;
use dtao::units::Tao;

use crate::genesis::Genesis;
use crate::runtime::{GenesisError, Runtime};
use crate::sim::{SimOptions, Simulation};

/// Block time of the recorded history, ms.
const BLOCK_MS: u64 = 12_000;

/// The buy to record and later remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargeBuy {
    /// Secret URI of the buyer, a funded development account (e.g. `//Alice`).
    pub buyer_uri: String,
    /// Subnet bought.
    pub netuid: u16,
    /// TAO paid, rao.
    pub tao: u64,
    /// Blocks after genesis at which it lands.
    pub after_blocks: u64,
}

/// A recorded history: the transactions handed to every block, in order.
#[derive(Debug, Clone)]
pub struct History {
    genesis: Genesis,
    blocks: Vec<Vec<SignedTransaction>>,
    buy: SignedTransaction,
    buy_block: usize,
    projected_share_with: U64F64,
    projected_share_without: U64F64,
}

/// What went wrong building the history.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The genesis does not load.
    #[error("the genesis does not load: {0}")]
    Genesis(#[from] GenesisError),
    /// The buyer URI is not a key.
    #[error("the buyer {uri:?} is not a secret URI: {reason}")]
    Buyer {
        /// The URI given.
        uri: String,
        /// Why it is refused.
        reason: String,
    },
    /// The buy cannot be quoted or projected (no such subnet, not emitting, too large).
    #[error("the large buy cannot be made: {0}")]
    Buy(String),
    /// The buy block is past the end of the history.
    #[error("the buy at block {after} is past the {blocks}-block history; buy earlier")]
    BuyOutside {
        /// When the buy was asked for.
        after: u64,
        /// Length of the history.
        blocks: u64,
    },
}

/// Runs `blocks` blocks of the market simulation on `genesis` with `buy` slipped in.
pub fn record(
    genesis: &Genesis,
    options: SimOptions,
    blocks: u64,
    buy: &LargeBuy,
) -> Result<History, ReplayError> {
    if buy.after_blocks == 0 || buy.after_blocks > blocks {
        return Err(ReplayError::BuyOutside { after: buy.after_blocks, blocks });
    }
    let key = keys::Keypair::from_uri(&buy.buyer_uri)
        .map_err(|e| ReplayError::Buyer { uri: buy.buyer_uri.clone(), reason: e.to_string() })?;
    let buyer = chain::AccountId::from(key.public());
    let mut rt = Runtime::new(genesis)?;
    let mut sim = Simulation::with_options(genesis, options);
    let start_ms = rt.head().header.timestamp_ms;
    let mut recorded = Vec::new();
    let mut the_buy = None;
    let mut projected = (U64F64::from_bits(0), U64F64::from_bits(0));
    for k in 1..=blocks {
        let mut txs = sim.transactions_for_block(&rt);
        if k == buy.after_blocks {
            let hotkey = rt
                .subnet(buy.netuid)
                .ok_or_else(|| ReplayError::Buy(format!("no subnet {}", buy.netuid)))?
                .owner_hotkey;
            let quote = rt
                .quote(buy.netuid, Side::Buy, buy.tao)
                .map_err(|e| ReplayError::Buy(e.to_string()))?;
            let impact = PoolImpact {
                netuid: buy.netuid,
                spot_after: U64F64::from_bits(quote.spot_after_bits),
                flow_rao: i64::try_from(buy.tao).unwrap_or(i64::MAX),
            };
            let remaining = blocks - k + 1;
            let projection = rt
                .project_trade(&[impact], &[Horizon::Blocks(remaining)])
                .map_err(|e| ReplayError::Buy(e.to_string()))?;
            if let Some(o) = projection.outlooks.first() {
                projected = (
                    o.with_trade.first().map_or(projected.0, |s| s.share),
                    o.without_trade.first().map_or(projected.1, |s| s.share),
                );
            }
            let call = Call::AddStake {
                hotkey,
                netuid: buy.netuid,
                amount_staked: Tao::from_rao(buy.tao),
            };
            let nonce = rt.account(&buyer).nonce;
            let tx = SignedTransaction::sign(
                &key,
                call,
                nonce,
                Mortality::new(rt.block_number(), 64),
                0,
                &rt.signing_context(),
            );
            txs.push(tx.clone());
            the_buy = Some(tx);
        }
        let produced = rt.produce_block(txs.clone(), start_ms + k * BLOCK_MS);
        for (hash, _) in &produced.rejected {
            sim.on_rejected(hash);
        }
        recorded.push(txs);
    }
    let buy_tx = the_buy.ok_or(ReplayError::BuyOutside { after: buy.after_blocks, blocks })?;
    Ok(History {
        genesis: genesis.clone(),
        blocks: recorded,
        buy: buy_tx,
        buy_block: usize::try_from(buy.after_blocks - 1).unwrap_or(usize::MAX),
        projected_share_with: projected.0,
        projected_share_without: projected.1,
    })
}

/// One world's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// Per subnet (netuid order): TAO emitted into it over the run, rao.
    pub emitted: Vec<(u16, u64)>,
    /// Per subnet: its share of the last block's emission, ppb.
    pub final_share_ppb: Vec<(u16, u64)>,
    /// State root after the last block.
    pub state_root: chain::Hash,
}

impl World {
    /// TAO emitted into `netuid` over the run, rao.
    pub fn emitted_to(&self, netuid: u16) -> u64 {
        self.emitted.iter().find(|(n, _)| *n == netuid).map_or(0, |(_, e)| *e)
    }

    /// `netuid`'s share of the last block, ppb.
    pub fn final_share(&self, netuid: u16) -> u64 {
        self.final_share_ppb.iter().find(|(n, _)| *n == netuid).map_or(0, |(_, s)| *s)
    }
}

/// Both worlds and the projection made at the buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterfactual {
    /// Blocks replayed.
    pub blocks: u64,
    /// The history as it was.
    pub with_buy: World,
    /// The same history without the buy.
    pub without_buy: World,
    /// The bought subnet's share of the last block, ppb, as projected at the buy: with it.
    pub projected_with_ppb: u64,
    /// … and without it.
    pub projected_without_ppb: u64,
}

fn replay(history: &History, skip_buy: bool) -> Result<World, ReplayError> {
    let mut rt = Runtime::new(&history.genesis)?;
    let start_ms = rt.head().header.timestamp_ms;
    let mut emitted: std::collections::BTreeMap<u16, u64> = std::collections::BTreeMap::new();
    let buy_hash = history.buy.hash();
    for (k, txs) in history.blocks.iter().enumerate() {
        let txs: Vec<SignedTransaction> = if skip_buy && k == history.buy_block {
            txs.iter().filter(|t| t.hash() != buy_hash).cloned().collect()
        } else {
            txs.clone()
        };
        rt.produce_block(txs, start_ms + (k as u64 + 1) * BLOCK_MS);
        for s in rt.subnets() {
            *emitted.entry(s.netuid).or_default() += s.tao_emission;
        }
    }
    Ok(World {
        emitted: emitted.into_iter().collect(),
        final_share_ppb: rt.subnets().iter().map(|s| (s.netuid, s.emission_share_ppb)).collect(),
        state_root: rt.state_root(),
    })
}

fn ppb(share: U64F64) -> u64 {
    (share.to_num::<f64>() * 1e9).round() as u64
}

/// Replays `history` as it was and without its large buy.
pub fn counterfactual(history: &History) -> Result<Counterfactual, ReplayError> {
    Ok(Counterfactual {
        blocks: history.blocks.len() as u64,
        with_buy: replay(history, false)?,
        without_buy: replay(history, true)?,
        projected_with_ppb: ppb(history.projected_share_with),
        projected_without_ppb: ppb(history.projected_share_without),
    })
}
