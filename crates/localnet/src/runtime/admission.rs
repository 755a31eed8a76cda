//! Refusing calls that would certainly fail, before they cost anything.
//!
//! Subtensor's transaction extension (`SubtensorTransactionExtension::validate`) checks staking
//! calls when they enter the pool and again when a block includes them; a call that fails the
//! check is never included, so the signer pays no fee and its nonce is not used. We do the same
//! for the check that matters most to traders: a fill-or-kill limit order (`allow_partial =
//! false`) whose whole amount cannot trade before the price reaches the limit is refused with
//! `SlippageTooHigh`. Everything else is left to dispatch, which fails with the same error names
//! but charges the fee, as the chain does for the checks its extension does not make.

use std::collections::BTreeMap;

use chain::{
    Call, DispatchError, NetUid, SHIELD_MAX_CIPHERTEXT, SHIELD_MAX_PERIOD, Side, SignedTransaction,
    SwapFailure, TxValidityError,
};
use dtao::amm::{Pool, PriceLimit};

use super::Runtime;

impl Runtime {
    /// Checks `call` against `pools` (the pools the next block will trade against).
    pub(super) fn admission_check(
        &self,
        call: &Call,
        pools: &BTreeMap<NetUid, Pool>,
    ) -> Result<(), TxValidityError> {
        let pool = |netuid: &NetUid| {
            pools.get(netuid).or_else(|| self.state.subnets.get(netuid).map(|s| &s.pool))
        };
        let fill_or_kill = |netuid: &NetUid, side: Side, amount: u64, limit: u64| {
            let stable = self.state.subnets.get(netuid).is_some_and(|s| s.is_stable());
            match pool(netuid) {
                Some(pool) if !stable => {
                    let max_input = pool.max_input_to_limit(side, PriceLimit::Rao(limit));
                    if amount > max_input {
                        return Err(TxValidityError::Custom(DispatchError::Swap(
                            SwapFailure::SlippageTooHigh,
                        )));
                    }
                    Ok(())
                }
                // A missing subnet or the root's 1:1 mechanism: dispatch decides.
                _ => Ok(()),
            }
        };
        match call {
            Call::AddStakeLimit {
                netuid,
                amount_staked,
                limit_price,
                allow_partial: false,
                ..
            } => fill_or_kill(netuid, Side::Buy, amount_staked.rao(), *limit_price),
            Call::RemoveStakeLimit {
                netuid,
                amount_unstaked,
                limit_price,
                allow_partial: false,
                ..
            } => fill_or_kill(netuid, Side::Sell, amount_unstaked.rao(), *limit_price),
            Call::Proxy { call, .. } => self.admission_check(call, pools),
            // Legs on distinct subnets trade against pools no other leg moves, so each can be
            // checked alone; legs sharing a subnet move each other's price, so dispatch decides.
            Call::BatchAll { calls } => {
                let mut subnets = std::collections::BTreeSet::new();
                let independent = calls.iter().all(|leg| match single_subnet(leg) {
                    Some(netuid) => subnets.insert(netuid),
                    None => false,
                });
                if independent {
                    calls.iter().try_for_each(|leg| self.admission_check(leg, pools))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }
}

/// Bytes of an ML-KEM-768 ciphertext, the envelope's KEM part.
pub(crate) const SHIELD_KEM_CIPHERTEXT: usize = 1088;
/// The envelope around the inner extrinsic: key hash 16, KEM length 2, KEM ciphertext, XChaCha20
/// nonce 24, Poly1305 tag 16.
const SHIELD_OVERHEAD: usize = 16 + 2 + SHIELD_KEM_CIPHERTEXT + 24 + 16;

/// MEV Shield's rules for its wrapper, checked in the pool and at inclusion as Subtensor's
/// `CheckMortality` and `CheckShieldedTxValidity` do: mortal for at most
/// [`SHIELD_MAX_PERIOD`] blocks, and a ciphertext that parses as the v1 envelope.
pub(super) fn shield_check(tx: &SignedTransaction) -> Result<(), TxValidityError> {
    let Call::SubmitEncrypted { ciphertext } = &tx.call else { return Ok(()) };
    if tx.mortality.period > SHIELD_MAX_PERIOD {
        return Err(TxValidityError::Malformed(format!(
            "an MEV Shield wrapper must be mortal for at most {SHIELD_MAX_PERIOD} blocks; sign it \
             with a period of {SHIELD_MAX_PERIOD} or less"
        )));
    }
    shield_envelope_error(ciphertext).map_or(Ok(()), |why| Err(TxValidityError::Malformed(why)))
}

/// Why `ciphertext` is not a v1 MEV Shield envelope, if it is not.
pub(crate) fn shield_envelope_error(ciphertext: &[u8]) -> Option<String> {
    if ciphertext.len() > SHIELD_MAX_CIPHERTEXT {
        return Some(format!(
            "the MEV Shield ciphertext is {} bytes, more than the chain's {SHIELD_MAX_CIPHERTEXT}",
            ciphertext.len()
        ));
    }
    if ciphertext.len() <= SHIELD_OVERHEAD {
        return Some(format!(
            "the MEV Shield ciphertext is {} bytes, too short for an envelope ({SHIELD_OVERHEAD} \
             bytes around the transaction)",
            ciphertext.len()
        ));
    }
    let kem_len = usize::from(u16::from_le_bytes([ciphertext[16], ciphertext[17]]));
    (kem_len != SHIELD_KEM_CIPHERTEXT).then(|| {
        format!(
            "the MEV Shield envelope's KEM ciphertext is {kem_len} bytes; ML-KEM-768's is \
             {SHIELD_KEM_CIPHERTEXT}"
        )
    })
}

/// The one subnet whose pool a plain stake or unstake trades against.
fn single_subnet(call: &Call) -> Option<NetUid> {
    match call {
        Call::AddStake { netuid, .. }
        | Call::AddStakeLimit { netuid, .. }
        | Call::RemoveStake { netuid, .. }
        | Call::RemoveStakeLimit { netuid, .. } => Some(*netuid),
        _ => None,
    }
}
