//! A subnet's registry as the axon's blacklist sees it: loaded through [`chain::Chain`] and
//! refreshed by an owned task as new blocks arrive.

use std::collections::BTreeMap;
use std::sync::Arc;

use chain::{AccountId, BlockId, BlockNumber, Chain, ChainError, NetUid, NeuronInfo};
use futures::StreamExt;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// One registered hotkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetagraphEntry {
    /// UID on the subnet.
    pub uid: u16,
    /// Owning coldkey.
    pub coldkey: AccountId,
    /// Alpha staked to the hotkey on the subnet, rao.
    pub stake: u64,
    /// Holds a validator permit.
    pub validator_permit: bool,
}

/// A snapshot of a subnet's neurons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metagraph {
    /// Subnet.
    pub netuid: NetUid,
    /// Head block the snapshot was read at.
    pub block: BlockNumber,
    /// Every registered hotkey.
    pub neurons: BTreeMap<AccountId, MetagraphEntry>,
}

impl Metagraph {
    /// Builds a snapshot from `neurons(netuid)`.
    pub fn from_neurons(netuid: NetUid, block: BlockNumber, neurons: &[NeuronInfo]) -> Self {
        let neurons = neurons
            .iter()
            .map(|n| {
                (
                    n.hotkey,
                    MetagraphEntry {
                        uid: n.uid,
                        coldkey: n.coldkey,
                        stake: n.stake,
                        validator_permit: n.validator_permit,
                    },
                )
            })
            .collect();
        Self { netuid, block, neurons }
    }

    /// Reads the subnet's neurons at the head.
    pub async fn load(chain: &dyn Chain, netuid: NetUid) -> Result<Self, ChainError> {
        let head = chain.header(BlockId::Head).await?;
        let neurons = chain.neurons(netuid).await?;
        Ok(Self::from_neurons(netuid, head.number, &neurons))
    }

    /// The entry of `hotkey`, if registered.
    pub fn get(&self, hotkey: &AccountId) -> Option<&MetagraphEntry> {
        self.neurons.get(hotkey)
    }
}

/// A shared, swappable snapshot.
pub type SharedMetagraph = watch::Receiver<Arc<Metagraph>>;

/// A snapshot that never changes (tests, or callers that refresh it themselves).
pub fn fixed_metagraph(m: Metagraph) -> (watch::Sender<Arc<Metagraph>>, SharedMetagraph) {
    watch::channel(Arc::new(m))
}

/// The task that keeps a [`Metagraph`] fresh: it reloads the subnet every `every_blocks` new
/// heads. Dropping the handle without [`MetagraphWatcher::shutdown`] aborts the task.
#[derive(Debug)]
pub struct MetagraphWatcher {
    snapshot: SharedMetagraph,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MetagraphWatcher {
    /// Loads the subnet once (so the snapshot is ready on return), then follows new heads.
    pub async fn spawn(
        chain: Arc<dyn Chain>,
        netuid: NetUid,
        every_blocks: u64,
    ) -> Result<Self, ChainError> {
        let first = Metagraph::load(chain.as_ref(), netuid).await?;
        let mut heads = chain.subscribe_heads().await?;
        let (tx, rx) = watch::channel(Arc::new(first));
        let (stop, mut stopped) = oneshot::channel();
        let every = every_blocks.max(1);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    head = heads.next() => {
                        let Some(Ok(head)) = head else { break };
                        let last = tx.borrow().block;
                        if head.number < last.saturating_add(every) {
                            continue;
                        }
                        // A failed read keeps the previous snapshot; the next head retries.
                        if let Ok(neurons) = chain.neurons(netuid).await {
                            let m = Metagraph::from_neurons(netuid, head.number, &neurons);
                            if tx.send(Arc::new(m)).is_err() {
                                break;
                            }
                        }
                    }
                }
            }
        });
        Ok(Self { snapshot: rx, stop: Some(stop), task: Some(task) })
    }

    /// A receiver of the current snapshot.
    pub fn snapshot(&self) -> SharedMetagraph {
        self.snapshot.clone()
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

impl Drop for MetagraphWatcher {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
