//! Submitting with a key at hand: MEV-shielded for coldkey trades by default.

use chain::{BlockId, Call, ChainResult, Signer, TxOptions, TxStatus};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::client::Subtensor;
use crate::error::{Result, SubtensorError};
use crate::shield::{self, MAX_SHIELD_PERIOD, ShieldError};
use crate::tx::{Era, TxParts, signed_extrinsic, signer_payload};

impl Subtensor {
    /// Prepares, signs with `signer` and submits `call`. Trades
    /// ([`shield::shielded_by_default`]) go through MEV Shield unless the client was built
    /// `with_shield(false)`; everything else is submitted as is.
    pub async fn sign_and_submit(
        &self,
        signer: &dyn Signer,
        call: Call,
        options: TxOptions,
    ) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>> {
        if self.shield && shield::shielded_by_default(&call) {
            let (outer, inner) = self.shielded_extrinsics(signer, call, options).await?;
            let inner_hash = chain::Hash(sp_crypto_hashing::blake2_256(&inner));
            let statuses = self.submit_extrinsic(outer).await?;
            let this = self.clone();
            return Ok(statuses
                .then(move |status| {
                    let this = this.clone();
                    async move {
                        match status? {
                            TxStatus::InBlock { block_hash, .. } => {
                                Ok(this.inner_status(block_hash, inner_hash).await?)
                            }
                            other => Ok(other),
                        }
                    }
                })
                .boxed());
        }
        chain::sign_and_submit(self, signer, call, options).await
    }

    /// The receipt of a shielded trade: the decrypted inner extrinsic's result and events in
    /// the block that included the wrapper (the proposer puts it in the same block; a
    /// wrapper included without it is reported as dropped, since its trade did not run).
    async fn inner_status(
        &self,
        block_hash: chain::Hash,
        inner_hash: chain::Hash,
    ) -> Result<TxStatus> {
        match self.extrinsic_index(block_hash, inner_hash).await {
            Ok(index) => self.in_block(block_hash, index).await,
            Err(SubtensorError::NotFound(_)) => Ok(TxStatus::Dropped {
                reason: format!(
                    "MEV Shield: the encrypted wrapper was included in block {block_hash} but the trade inside it was not; nothing was traded, submit again"
                ),
            }),
            Err(e) => Err(e),
        }
    }

    /// The `MevShield.submit_encrypted` extrinsic carrying `call` signed by `signer`: the
    /// inner extrinsic with nonce `n + 1` encrypted to `MevShield.NextKey` at the best block,
    /// the wrapper with nonce `n`, both mortal for at most [`MAX_SHIELD_PERIOD`] blocks.
    /// Refuses hotkey calls ([`ShieldError::HotkeyCall`]). Returns the wrapper and the inner
    /// extrinsic (whose hash identifies the trade in its block).
    pub async fn shielded_extrinsics(
        &self,
        signer: &dyn Signer,
        call: Call,
        options: TxOptions,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        shield::check_shieldable(&call)?;
        let head = self.resolve(BlockId::Head).await?;
        let runtime = self.runtime_of(&head).await?;
        let account = signer.account();
        let nonce = match options.nonce {
            Some(n) => n,
            None => self.nonce(account).await?,
        };
        let period = options.mortality_period.unwrap_or(MAX_SHIELD_PERIOD).min(MAX_SHIELD_PERIOD);
        let era = Era::Mortal { period, birth: head.number, birth_hash: head.hash.0 };
        let next_key = self.next_shield_key(&head).await?;

        let inner = TxParts { signer: account, call, nonce: nonce + 1, era, tip: options.tip };
        let inner_signature = signer.sign(&signer_payload(&runtime, &inner)?);
        let inner = signed_extrinsic(&runtime, &inner, &inner_signature.0)?;
        let ciphertext = shield::seal(&next_key, &inner, &mut rand::rngs::OsRng)?;

        let outer = TxParts {
            signer: account,
            call: Call::SubmitEncrypted { ciphertext },
            nonce,
            era,
            tip: 0,
        };
        let outer_signature = signer.sign(&signer_payload(&runtime, &outer)?);
        Ok((signed_extrinsic(&runtime, &outer, &outer_signature.0)?, inner))
    }

    /// `MevShield.NextKey` at block `at` (read at the best block: the key rotates every block).
    pub async fn next_shield_key(&self, at: &crate::BlockRef) -> Result<Vec<u8>> {
        let runtime = self.runtime_of(at).await?;
        let ty = runtime.storage_type("MevShield", "NextKey").map_err(|_| ShieldError::NoKey)?;
        let key = runtime.storage_key("MevShield", "NextKey", &[])?;
        let bytes = self.storage_raw(&key, at.hash).await?.ok_or(ShieldError::NoKey)?;
        let next: Vec<u8> = runtime.read(&bytes, ty, "MevShield.NextKey")?;
        if next.is_empty() {
            return Err(SubtensorError::Shield(ShieldError::NoKey));
        }
        Ok(next)
    }
}
