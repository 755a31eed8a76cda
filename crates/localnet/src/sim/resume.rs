//! What the simulation remembers between blocks, saved beside the node's snapshots so that a
//! restarted node resumes it where it was: the node restores the state saved with the snapshot
//! it restarts from, then lets the simulation decide again for each block it replays from the
//! log (discarding the transactions), so the next block's actions are those an uninterrupted
//! run would have taken.

use chain::{AccountId, BlockNumber, Hash, NetUid};
use parity_scale_codec::{Decode, Encode};

use super::agents::AgentState;
use super::market::{Market, SavedMarket};
use super::{SimStats, Simulation};

/// Bumped when the saved layout changes (an older state is then not resumed).
const VERSION: u32 = 1;

#[derive(Encode, Decode)]
struct Saved {
    version: u32,
    seed: u64,
    /// Per signer: next nonce, last submission, block it last acted in.
    signers: Vec<(Option<u64>, BlockNumber, Option<BlockNumber>)>,
    owners_last_attempt: Vec<Option<BlockNumber>>,
    burning: bool,
    weights_queue: Vec<(BlockNumber, NetUid, u64, u16)>,
    weights_due: Vec<((NetUid, u64), (BlockNumber, u16))>,
    last_weights: Vec<((NetUid, u64), BlockNumber)>,
    market: SavedMarket,
    baselines: Vec<((u64, AccountId, NetUid), u64)>,
    recent: Vec<(BlockNumber, Hash, u64)>,
    stats: SimStats,
    agents: AgentState,
}

/// Why a saved state was not resumed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResumeError {
    /// The bytes are not a saved simulation (or one of an older layout).
    #[error("the saved simulation state does not decode (written by another version?)")]
    Undecodable,
    /// The state belongs to another simulation.
    #[error("the saved simulation state is of another genesis or participant set")]
    Mismatch,
}

fn index(i: usize) -> u64 {
    u64::try_from(i).unwrap_or(u64::MAX)
}

fn position(i: u64) -> usize {
    usize::try_from(i).unwrap_or(usize::MAX)
}

impl Simulation {
    /// Everything the agents remember, to [`Simulation::resume`] after a restart.
    pub fn save(&self) -> Vec<u8> {
        Saved {
            version: VERSION,
            seed: self.seed,
            signers: self
                .signers
                .iter()
                .map(|s| (s.next_nonce, s.last_submit, s.acted_at))
                .collect(),
            owners_last_attempt: self.owners.iter().map(|o| o.last_attempt).collect(),
            burning: self.burning,
            weights_queue: self
                .weights_queue
                .iter()
                .map(|(b, n, v, u)| (*b, *n, index(*v), *u))
                .collect(),
            weights_due: self.weights_due.iter().map(|((n, v), d)| ((*n, index(*v)), *d)).collect(),
            last_weights: self
                .last_weights
                .iter()
                .map(|((n, v), b)| ((*n, index(*v)), *b))
                .collect(),
            market: self.market.save(),
            baselines: self
                .baselines
                .iter()
                .map(|((i, h, n), a)| ((index(*i), *h, *n), *a))
                .collect(),
            recent: self.recent.iter().map(|(b, h, i)| (*b, *h, index(*i))).collect(),
            stats: self.stats,
            agents: self.agents.clone(),
        }
        .encode()
    }

    /// Takes up the state [`Simulation::save`] wrote, for the same genesis.
    pub fn resume(&mut self, bytes: &[u8]) -> Result<(), ResumeError> {
        let saved = Saved::decode(&mut &bytes[..]).map_err(|_| ResumeError::Undecodable)?;
        if saved.version != VERSION {
            return Err(ResumeError::Undecodable);
        }
        if saved.seed != self.seed
            || saved.signers.len() != self.signers.len()
            || saved.owners_last_attempt.len() != self.owners.len()
        {
            return Err(ResumeError::Mismatch);
        }
        for (s, (next_nonce, last_submit, acted_at)) in self.signers.iter_mut().zip(saved.signers) {
            s.next_nonce = next_nonce;
            s.last_submit = last_submit;
            s.acted_at = acted_at;
        }
        for (o, last) in self.owners.iter_mut().zip(saved.owners_last_attempt) {
            o.last_attempt = last;
        }
        self.burning = saved.burning;
        self.weights_queue =
            saved.weights_queue.into_iter().map(|(b, n, v, u)| (b, n, position(v), u)).collect();
        self.weights_due =
            saved.weights_due.into_iter().map(|((n, v), d)| ((n, position(v)), d)).collect();
        self.last_weights =
            saved.last_weights.into_iter().map(|((n, v), b)| ((n, position(v)), b)).collect();
        self.market = Market::restore(saved.market);
        self.baselines =
            saved.baselines.into_iter().map(|((i, h, n), a)| ((position(i), h, n), a)).collect();
        self.recent = saved.recent.into_iter().map(|(b, h, i)| (b, h, position(i))).collect();
        self.stats = saved.stats;
        self.agents = saved.agents;
        Ok(())
    }
}
