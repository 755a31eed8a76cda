//! The transaction pool: transactions by (signer, nonce), ready when their nonces follow the
//! account's next nonce without a gap, future ones queued, duplicates refused.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chain::{AccountId, BlockNumber, Hash, SignedTransaction, TxStatus, TxValidityError};
use tokio::sync::mpsc;

/// How far ahead of the account's next nonce the pool queues a transaction.
pub(crate) const MAX_FUTURE_NONCES: u64 = 64;

/// Receives a transaction's status updates.
pub(crate) type Watcher = mpsc::UnboundedSender<TxStatus>;

#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) tx: SignedTransaction,
    pub(crate) hash: Hash,
    seq: u64,
    pub(crate) watchers: Vec<Watcher>,
}

impl Entry {
    pub(crate) fn notify(&mut self, status: &TxStatus) {
        self.watchers.retain(|w| w.send(status.clone()).is_ok());
    }
}

#[derive(Default)]
pub(crate) struct Pool {
    by_signer: BTreeMap<AccountId, BTreeMap<u64, Entry>>,
    hashes: HashMap<Hash, (AccountId, u64)>,
    seq: u64,
    capacity: usize,
}

impl Pool {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { capacity, ..Self::default() }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    pub(crate) fn contains(&self, hash: &Hash) -> bool {
        self.hashes.contains_key(hash)
    }

    /// Adds a validated transaction. Returns the entry it replaced (a lower tip at the same
    /// nonce), which the caller reports as dropped.
    pub(crate) fn insert(
        &mut self,
        tx: SignedTransaction,
        hash: Hash,
        watcher: Option<Watcher>,
    ) -> Result<Option<Entry>, TxValidityError> {
        if self.hashes.contains_key(&hash) {
            return Err(TxValidityError::AlreadyImported);
        }
        let signer = tx.signer;
        let nonce = tx.nonce;
        let queue = self.by_signer.entry(signer).or_default();
        let replaced = match queue.get(&nonce) {
            Some(old) if tx.tip <= old.tx.tip => return Err(TxValidityError::AlreadyImported),
            Some(_) => queue.remove(&nonce),
            None => {
                if self.hashes.len() >= self.capacity {
                    return Err(TxValidityError::ExhaustsResources);
                }
                None
            }
        };
        if let Some(old) = &replaced {
            self.hashes.remove(&old.hash);
        }
        self.seq += 1;
        let watchers = watcher.into_iter().collect();
        queue.insert(nonce, Entry { tx, hash, seq: self.seq, watchers });
        self.hashes.insert(hash, (signer, nonce));
        Ok(replaced)
    }

    /// Picks up to `max` ready transactions: per signer the run of consecutive nonces from its
    /// next nonce; across signers the highest tip first, then the earliest arrival.
    pub(crate) fn select(
        &self,
        max: usize,
        next_nonce: impl Fn(&AccountId) -> u64,
    ) -> Vec<SignedTransaction> {
        // Heap of (tip, earliest arrival) per signer's next ready transaction.
        let mut heads = BinaryHeap::new();
        let mut cursors: HashMap<AccountId, u64> = HashMap::new();
        for (signer, queue) in &self.by_signer {
            let nonce = next_nonce(signer);
            if let Some(e) = queue.get(&nonce) {
                heads.push((e.tx.tip, Reverse(e.seq), *signer, nonce));
                cursors.insert(*signer, nonce);
            }
        }
        let mut picked = Vec::new();
        while picked.len() < max {
            let Some((_, _, signer, nonce)) = heads.pop() else { break };
            let Some(queue) = self.by_signer.get(&signer) else { continue };
            let Some(e) = queue.get(&nonce) else { continue };
            picked.push(e.tx.clone());
            let next = nonce.saturating_add(1);
            if let Some(n) = queue.get(&next) {
                heads.push((n.tx.tip, Reverse(n.seq), signer, next));
            }
        }
        picked
    }

    /// Removes a transaction (included or refused).
    pub(crate) fn remove(&mut self, hash: &Hash) -> Option<Entry> {
        let (signer, nonce) = self.hashes.remove(hash)?;
        let queue = self.by_signer.get_mut(&signer)?;
        let entry = queue.remove(&nonce);
        if queue.is_empty() {
            self.by_signer.remove(&signer);
        }
        entry
    }

    /// Removes transactions that can no longer be included in block `next`: nonces below
    /// the account's next nonce, expired mortality windows. Returns them with the reason.
    pub(crate) fn prune(
        &mut self,
        next: BlockNumber,
        next_nonce: impl Fn(&AccountId) -> u64,
    ) -> Vec<(Entry, String)> {
        let mut out = Vec::new();
        let mut doomed = Vec::new();
        for (signer, queue) in &self.by_signer {
            let expected = next_nonce(signer);
            for (nonce, e) in queue {
                if *nonce < expected {
                    doomed.push((e.hash, format!(
                        "Stale: nonce {nonce} was used by another transaction; the account's next nonce is {expected}"
                    )));
                } else if let Err(err) = e.tx.mortality.check(next) {
                    doomed.push((e.hash, err.to_string()));
                }
            }
        }
        for (hash, reason) in doomed {
            if let Some(e) = self.remove(&hash) {
                out.push((e, reason));
            }
        }
        out
    }

    /// Every pending transaction, by signer and nonce.
    pub(crate) fn pending(&self) -> Vec<SignedTransaction> {
        self.by_signer.values().flat_map(|q| q.values().map(|e| e.tx.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chain::{Call, Mortality, SigningContext};

    fn tx(uri: &str, nonce: u64, tip: u64) -> SignedTransaction {
        let pair = keys::Keypair::from_uri(uri).unwrap();
        let ctx = SigningContext { genesis_hash: Hash::of(b"g"), spec_version: 1 };
        let dest = AccountId::from(keys::Keypair::from_uri("//Dave").unwrap().public());
        SignedTransaction::sign(
            &pair,
            Call::Transfer { dest, amount: chain::Tao::from_rao(1) },
            nonce,
            Mortality::new(0, 10),
            tip,
            &ctx,
        )
    }

    #[test]
    fn ready_runs_follow_nonces_and_tips() {
        let mut pool = Pool::new(100);
        let a0 = tx("//Alice", 0, 0);
        let a1 = tx("//Alice", 1, 0);
        let a3 = tx("//Alice", 3, 0);
        let b0 = tx("//Bob", 0, 5);
        for t in [&a1, &a3, &a0, &b0] {
            pool.insert(t.clone(), t.hash(), None).unwrap();
        }
        let picked = pool.select(10, |_| 0);
        assert_eq!(picked, vec![b0.clone(), a0.clone(), a1.clone()]);
        assert_eq!(pool.select(2, |_| 0).len(), 2);
        assert_eq!(
            pool.insert(a0.clone(), a0.hash(), None).unwrap_err(),
            TxValidityError::AlreadyImported
        );
        // Same nonce, higher tip replaces.
        let a0b = tx("//Alice", 0, 9);
        let replaced = pool.insert(a0b.clone(), a0b.hash(), None).unwrap().unwrap();
        assert_eq!(replaced.hash, a0.hash());
        // Nonces below the account's are pruned; expired ones too.
        let dropped = pool.prune(5, |a| if *a == a0.signer { 2 } else { 0 });
        assert_eq!(dropped.len(), 2);
        let dropped = pool.prune(10, |_| 0);
        assert_eq!(dropped.len(), 2, "mortality 0..10 ends at block 9");
        assert_eq!(pool.len(), 0);
    }

    #[test]
    fn a_full_pool_refuses() {
        let mut pool = Pool::new(1);
        let a0 = tx("//Alice", 0, 0);
        let b0 = tx("//Bob", 0, 0);
        pool.insert(a0.clone(), a0.hash(), None).unwrap();
        assert_eq!(
            pool.insert(b0.clone(), b0.hash(), None).unwrap_err(),
            TxValidityError::ExhaustsResources
        );
    }
}
