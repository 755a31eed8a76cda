//! Submitting with a key at hand: MEV-shielded for coldkey trades by default.

use chain::{BlockId, Call, ChainResult, Signer, TxOptions, TxStatus};
use futures::stream::BoxStream;

use crate::client::Subtensor;
use crate::error::{Result, SubtensorError};
use crate::shield::{self, MAX_SHIELD_PERIOD, ShieldError};
use crate::tx::{Era, TxCall, TxParts, signed_extrinsic, signer_payload};

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
            let extrinsic = self.shielded_extrinsic(signer, call, options).await?;
            return self.submit_extrinsic(extrinsic).await;
        }
        chain::sign_and_submit(self, signer, call, options).await
    }

    /// The `MevShield.submit_encrypted` extrinsic carrying `call` signed by `signer`: the
    /// inner extrinsic with nonce `n + 1` encrypted to `MevShield.NextKey` at the best block,
    /// the wrapper with nonce `n`, both mortal for at most [`MAX_SHIELD_PERIOD`] blocks.
    /// Refuses hotkey calls ([`ShieldError::HotkeyCall`]).
    pub async fn shielded_extrinsic(
        &self,
        signer: &dyn Signer,
        call: Call,
        options: TxOptions,
    ) -> Result<Vec<u8>> {
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

        let inner = TxParts {
            signer: account,
            call: TxCall::Chain(call),
            nonce: nonce + 1,
            era,
            tip: options.tip,
        };
        let inner_signature = signer.sign(&signer_payload(&runtime, &inner)?);
        let inner = signed_extrinsic(&runtime, &inner, &inner_signature.0)?;
        let ciphertext = shield::seal(&next_key, &inner, &mut rand::rngs::OsRng)?;

        let outer = TxParts {
            signer: account,
            call: TxCall::SubmitEncrypted(ciphertext),
            nonce,
            era,
            tip: 0,
        };
        let outer_signature = signer.sign(&signer_payload(&runtime, &outer)?);
        signed_extrinsic(&runtime, &outer, &outer_signature.0)
    }

    /// `MevShield.NextKey` at block `at` (read at the best block: the key rotates every block).
    pub async fn next_shield_key(&self, at: &crate::BlockRef) -> Result<Vec<u8>> {
        let runtime = self.runtime_of(at).await?;
        let ty = runtime.storage_type("MevShield", "NextKey").map_err(|_| ShieldError::NoKey)?;
        let key = runtime.storage_key("MevShield", "NextKey", &[])?;
        let bytes = self.storage_raw(&key, at.hash).await?.ok_or(ShieldError::NoKey)?;
        let next: Vec<u8> = runtime.decode(&bytes, ty, "MevShield.NextKey")?;
        if next.is_empty() {
            return Err(SubtensorError::Shield(ShieldError::NoKey));
        }
        Ok(next)
    }
}
