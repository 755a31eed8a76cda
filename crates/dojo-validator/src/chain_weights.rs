//! Dojo scores → weights on chain, through the [`chain::Chain`] trait.
//!
//! A [`WeightSetter`] holds the validator's hotkey and a subnet. Each [`WeightSetter::step`]
//! reads the head, the subnet and its neurons, and then does at most one thing:
//!
//! - a commit is pending and its reveal window is open → `reveal_weights`;
//! - a commit is pending and its window has not opened → nothing ([`WeightsOutcome::AwaitingReveal`]);
//! - weights are due → scores keyed by hotkey are mapped to UIDs, converted by
//!   [`dojo_core::weights::scores_to_weights`], and sent with `set_weights` when the subnet's
//!   `commit_reveal_enabled` is false, otherwise with `commit_weights` (hash by
//!   [`chain::weights_commit_hash`] with a random salt kept until the reveal);
//! - not due → nothing is sent ([`WeightsOutcome::NotDue`]).
//!
//! **Due** means: the validator has never set weights on the subnet, or at least
//! `max(tempo, weights_rate_limit)` blocks have passed since its last update as the chain
//! reports it (`NeuronInfo::last_update`) and since this setter's last submission. So a second
//! submission inside the rate limit is *not sent*, rather than sent and refused; an operator
//! who wants the chain's verdict anyway calls [`WeightSetter::submit_now`], which reports
//! `SettingWeightsTooFast` as [`WeightsError::Dispatch`].
//!
//! Every submission is signed with the hotkey at its account nonce, mortal for
//! [`chain::DEFAULT_MORTALITY`] blocks, and followed until it is in a block: success, or the
//! chain's named [`chain::DispatchError`]. The reveal window is the one
//! `Hyperparameters::commit_reveal_period` describes: blocks `[commit + period,
//! commit + 2·period]`, counted for the block the reveal will land in (head + 1).
//!
//! [`WeightSetter::spawn`] runs the setter as an owned task that steps on every new head with
//! the latest scores from a `watch` channel and reports each outcome; it stops on
//! [`WeightSetterTask::shutdown`].

use std::collections::BTreeMap;
use std::sync::Arc;

use chain::{
    AccountId, BlockId, BlockNumber, Call, Chain, ChainError, DEFAULT_MORTALITY, DispatchError,
    Hash, Mortality, NetUid, NeuronInfo, SignedTransaction, SubnetInfo, TxStatus,
};
use futures::StreamExt;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use dojo_core::error::DojoError;
use dojo_core::weights::{WeightLimits, WeightsSubmission, scores_to_weights};

/// Number of u16 words in a commit's salt.
pub const SALT_LEN: usize = 8;

/// Why weights could not be submitted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WeightsError {
    /// Reading from or submitting to the chain failed (including a transaction refused
    /// before inclusion).
    #[error("chain: {0}")]
    Chain(#[from] ChainError),
    /// The validator's hotkey has no UID on the subnet.
    #[error("hotkey {hotkey} is not registered on subnet {netuid}; register it first")]
    NotRegistered {
        /// The hotkey.
        hotkey: AccountId,
        /// The subnet.
        netuid: NetUid,
    },
    /// The scores do not make valid weights.
    #[error(transparent)]
    Weights(#[from] DojoError),
    /// The call was included but failed; the chain's error by name.
    #[error("{call} failed in block {block}: {error}")]
    Dispatch {
        /// `set_weights`, `commit_weights` or `reveal_weights`.
        call: &'static str,
        /// The block it failed in.
        block: BlockNumber,
        /// The chain's error.
        error: DispatchError,
    },
    /// The transaction left the pool without being included.
    #[error("{call} was dropped before inclusion: {reason}")]
    Dropped {
        /// The call.
        call: &'static str,
        /// Why.
        reason: String,
    },
}

/// A commit awaiting its reveal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCommit {
    /// The committed weights.
    pub submission: WeightsSubmission,
    /// The salt, revealed with them.
    pub salt: Vec<u16>,
    /// The commit hash.
    pub hash: Hash,
    /// Block the commit was included in.
    pub committed_at: BlockNumber,
    /// First block a reveal may land in.
    pub reveal_from: BlockNumber,
    /// Last block a reveal may land in.
    pub reveal_until: BlockNumber,
}

/// What a step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightsOutcome {
    /// `set_weights` succeeded.
    Set {
        /// Inclusion block.
        block: BlockNumber,
        /// What was set.
        submission: WeightsSubmission,
    },
    /// `commit_weights` succeeded; the reveal is pending.
    Committed {
        /// Inclusion block.
        block: BlockNumber,
        /// The pending commit.
        commit: PendingCommit,
    },
    /// `reveal_weights` succeeded.
    Revealed {
        /// Inclusion block.
        block: BlockNumber,
        /// What was revealed.
        submission: WeightsSubmission,
    },
    /// A commit is pending and its reveal window opens later; nothing sent.
    AwaitingReveal {
        /// First block the reveal may land in.
        reveal_from: BlockNumber,
    },
    /// Weights are not due; nothing sent.
    NotDue {
        /// The first head at which they are due.
        next_block: BlockNumber,
    },
}

struct View {
    head: BlockNumber,
    subnet: SubnetInfo,
    neurons: Vec<NeuronInfo>,
    me: NeuronInfo,
}

/// Submits Dojo scores as a validator's weights, once per tempo (see the module docs).
pub struct WeightSetter {
    chain: Arc<dyn Chain>,
    hotkey: keys::Keypair,
    account: AccountId,
    netuid: NetUid,
    version_key: Option<u64>,
    min_allowed_weights: u16,
    max_weight_limit: u16,
    pending: Option<PendingCommit>,
    last_submitted: Option<BlockNumber>,
    rng: ChaCha20Rng,
}

impl std::fmt::Debug for WeightSetter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeightSetter")
            .field("hotkey", &self.account)
            .field("netuid", &self.netuid)
            .field("pending", &self.pending)
            .finish()
    }
}

impl WeightSetter {
    /// A setter for `hotkey` on `netuid`: the subnet's own version key, at least one weight,
    /// no max-weight cap, salts from the OS RNG.
    pub fn new(chain: Arc<dyn Chain>, hotkey: keys::Keypair, netuid: NetUid) -> Self {
        Self {
            chain,
            account: AccountId::from(hotkey.public()),
            hotkey,
            netuid,
            version_key: None,
            min_allowed_weights: 1,
            max_weight_limit: u16::MAX,
            pending: None,
            last_submitted: None,
            rng: ChaCha20Rng::from_entropy(),
        }
    }

    /// Sends `version_key` instead of the subnet's `weights_version_key`.
    pub fn with_version_key(mut self, version_key: u64) -> Self {
        self.version_key = Some(version_key);
        self
    }

    /// Weight limits the subnet imposes (the chain's `min_allowed_weights`, `max_weights_limit`).
    pub fn with_limits(mut self, min_allowed_weights: u16, max_weight_limit: u16) -> Self {
        self.min_allowed_weights = min_allowed_weights;
        self.max_weight_limit = max_weight_limit;
        self
    }

    /// Seeds the salt generator (reproducible tests).
    pub fn with_salt_seed(mut self, seed: u64) -> Self {
        self.rng = ChaCha20Rng::seed_from_u64(seed);
        self
    }

    /// The pending commit, if any.
    pub fn pending_commit(&self) -> Option<&PendingCommit> {
        self.pending.as_ref()
    }

    /// The validator's hotkey.
    pub fn hotkey(&self) -> AccountId {
        self.account
    }

    async fn view(&self) -> Result<View, WeightsError> {
        let head = self.chain.header(BlockId::Head).await?.number;
        let subnet = self.chain.subnet(self.netuid).await?;
        let neurons = self.chain.neurons(self.netuid).await?;
        let me = neurons
            .iter()
            .find(|n| n.hotkey == self.account)
            .cloned()
            .ok_or(WeightsError::NotRegistered { hotkey: self.account, netuid: self.netuid })?;
        Ok(View { head, subnet, neurons, me })
    }

    /// The weights `scores` (keyed by hotkey; hotkeys not on the subnet are ignored) make on
    /// the subnet as it is now.
    pub async fn weights_for(
        &self,
        scores: &BTreeMap<AccountId, f64>,
    ) -> Result<WeightsSubmission, WeightsError> {
        let view = self.view().await?;
        self.convert(&view, scores)
    }

    fn convert(
        &self,
        view: &View,
        scores: &BTreeMap<AccountId, f64>,
    ) -> Result<WeightsSubmission, WeightsError> {
        let n = view.neurons.len();
        let mut by_uid = vec![0.0; n];
        for neuron in &view.neurons {
            if let (Some(score), Some(slot)) =
                (scores.get(&neuron.hotkey), by_uid.get_mut(usize::from(neuron.uid)))
            {
                *slot = *score;
            }
        }
        let hp = &view.subnet.hyperparameters;
        let limits = WeightLimits {
            n: u16::try_from(n).unwrap_or(u16::MAX),
            min_allowed_weights: self.min_allowed_weights,
            max_weight_limit: self.max_weight_limit,
            weights_version_key: hp.weights_version_key,
        };
        let version_key = self.version_key.unwrap_or(hp.weights_version_key);
        Ok(scores_to_weights(&by_uid, &limits, version_key)?)
    }

    /// Does what is due now (see the module docs).
    pub async fn step(
        &mut self,
        scores: &BTreeMap<AccountId, f64>,
    ) -> Result<WeightsOutcome, WeightsError> {
        let view = self.view().await?;
        let landing = view.head.saturating_add(1);
        if let Some(pending) = self.pending.clone() {
            if landing < pending.reveal_from {
                return Ok(WeightsOutcome::AwaitingReveal { reveal_from: pending.reveal_from });
            }
            if landing <= pending.reveal_until {
                let sub = pending.submission.clone();
                let call = Call::RevealWeights {
                    netuid: self.netuid,
                    uids: sub.uids.clone(),
                    values: sub.weights.clone(),
                    salt: pending.salt.clone(),
                    version_key: sub.version_key,
                };
                let result = self.submit("reveal_weights", call, view.head).await;
                // Whatever happened, this commit cannot be revealed again.
                self.pending = None;
                let block = result?;
                self.last_submitted = Some(block);
                return Ok(WeightsOutcome::Revealed { block, submission: sub });
            }
            // The window passed: the commit is lost; commit afresh below.
            self.pending = None;
        }
        let hp = &view.subnet.hyperparameters;
        let interval = u64::from(hp.tempo).max(hp.weights_rate_limit).max(1);
        let chain_last =
            (view.me.last_update > view.me.registered_at).then_some(view.me.last_update);
        let last = chain_last.max(self.last_submitted);
        if let Some(last) = last {
            let next_block = last.saturating_add(interval);
            if view.head < next_block {
                return Ok(WeightsOutcome::NotDue { next_block });
            }
        }
        self.send_weights(&view, scores).await
    }

    /// Sends weights now, due or not, and reports the chain's verdict (a submission inside
    /// the rate limit fails with `SettingWeightsTooFast`). A pending commit is abandoned.
    pub async fn submit_now(
        &mut self,
        scores: &BTreeMap<AccountId, f64>,
    ) -> Result<WeightsOutcome, WeightsError> {
        let view = self.view().await?;
        self.pending = None;
        self.send_weights(&view, scores).await
    }

    async fn send_weights(
        &mut self,
        view: &View,
        scores: &BTreeMap<AccountId, f64>,
    ) -> Result<WeightsOutcome, WeightsError> {
        let submission = self.convert(view, scores)?;
        let hp = &view.subnet.hyperparameters;
        if !hp.commit_reveal_enabled {
            let call = Call::SetWeights {
                netuid: self.netuid,
                dests: submission.uids.clone(),
                weights: submission.weights.clone(),
                version_key: submission.version_key,
            };
            let block = self.submit("set_weights", call, view.head).await?;
            self.last_submitted = Some(block);
            return Ok(WeightsOutcome::Set { block, submission });
        }
        let salt: Vec<u16> = (0..SALT_LEN).map(|_| self.rng.r#gen()).collect();
        let hash = chain::weights_commit_hash(
            &self.account,
            self.netuid,
            &submission.uids,
            &submission.weights,
            &salt,
            submission.version_key,
        );
        let call = Call::CommitWeights { netuid: self.netuid, commit_hash: hash };
        let block = self.submit("commit_weights", call, view.head).await?;
        self.last_submitted = Some(block);
        let period = hp.commit_reveal_period;
        let commit = PendingCommit {
            submission,
            salt,
            hash,
            committed_at: block,
            reveal_from: block.saturating_add(period),
            reveal_until: block.saturating_add(period.saturating_mul(2)),
        };
        self.pending = Some(commit.clone());
        Ok(WeightsOutcome::Committed { block, commit })
    }

    /// Signs `call`, submits it and follows it into a block; returns the block number.
    async fn submit(
        &self,
        name: &'static str,
        call: Call,
        head: BlockNumber,
    ) -> Result<BlockNumber, WeightsError> {
        let info = self.chain.info().await?;
        let nonce = self.chain.account(self.account).await?.nonce;
        let tx = SignedTransaction::sign(
            &self.hotkey,
            call,
            nonce,
            Mortality::new(head, DEFAULT_MORTALITY),
            0,
            &info.signing,
        );
        let mut statuses = self.chain.submit_and_watch(tx).await?;
        while let Some(status) = statuses.next().await {
            match status? {
                TxStatus::Ready { .. } | TxStatus::Finalized { .. } => {}
                TxStatus::InBlock { number, result, .. } => {
                    return match result {
                        Ok(()) => Ok(number),
                        Err(error) => {
                            Err(WeightsError::Dispatch { call: name, block: number, error })
                        }
                    };
                }
                TxStatus::Dropped { reason } => {
                    return Err(WeightsError::Dropped { call: name, reason });
                }
            }
        }
        Err(WeightsError::Dropped { call: name, reason: "the status stream ended".into() })
    }

    /// Runs the setter as an owned task: a step on every new head with the latest `scores`;
    /// each step's result goes to the returned task's `outcomes` channel (dropped
    /// when nobody reads). Ends on [`WeightSetterTask::shutdown`] or when the head stream ends.
    pub async fn spawn(
        mut self,
        scores: watch::Receiver<BTreeMap<AccountId, f64>>,
    ) -> Result<WeightSetterTask, WeightsError> {
        let mut heads = self.chain.subscribe_heads().await?;
        let (stop, mut stopped) = oneshot::channel::<()>();
        let (out, outcomes) = mpsc::channel(64);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    head = heads.next() => {
                        let Some(Ok(_)) = head else { break };
                        let current = scores.borrow().clone();
                        let result = self.step(&current).await;
                        let _ = out.try_send(result);
                    }
                }
            }
        });
        Ok(WeightSetterTask { outcomes, stop: Some(stop), task: Some(task) })
    }
}

/// A running [`WeightSetter`]. Dropping it without [`WeightSetterTask::shutdown`] aborts the
/// task.
#[derive(Debug)]
pub struct WeightSetterTask {
    outcomes: mpsc::Receiver<Result<WeightsOutcome, WeightsError>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl WeightSetterTask {
    /// The next step's result (`None` once the task has ended).
    pub async fn next_outcome(&mut self) -> Option<Result<WeightsOutcome, WeightsError>> {
        self.outcomes.recv().await
    }

    /// Stops the task and waits for it to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WeightSetterTask {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
