//! [`LocalChain`]: the [`Chain`] trait straight over a [`NodeHandle`], for the embedded case
//! (no sockets, no serialisation).

use async_trait::async_trait;
use chain::{
    AccountId, AccountInfo, Block, BlockId, Call, Chain, ChainError, ChainInfo, ChainResult,
    EventRecord, Header, NetUid, NeuronInfo, NodeFailure, PayloadFormat, Prepared, Side, StakeInfo,
    SubnetInfo, SwapOutcome, TxOptions, TxStatus, TxValidityError,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::broadcast;

use super::{NodeError, NodeHandle};

/// The [`Chain`] of an in-process node.
#[derive(Debug, Clone)]
pub struct LocalChain {
    node: NodeHandle,
}

impl LocalChain {
    /// A chain over `node`.
    pub fn new(node: NodeHandle) -> Self {
        Self { node }
    }

    /// The node underneath (for development operations such as fast-forward).
    pub fn node(&self) -> &NodeHandle {
        &self.node
    }
}

impl From<NodeError> for ChainError {
    /// Every variant named, so a new `NodeError` must decide its typed `ChainError` here.
    fn from(e: NodeError) -> Self {
        let path = |p: &std::path::Path| p.display().to_string();
        match e {
            NodeError::Invalid(e) => ChainError::Invalid(e),
            NodeError::NotFound(what) => ChainError::NotFound(what),
            NodeError::Stopped => ChainError::Closed,
            NodeError::Swap(e) => ChainError::Quote(e),
            NodeError::Io { path: p, source } => {
                ChainError::Node(NodeFailure::Io { path: path(&p), reason: source.to_string() })
            }
            NodeError::Genesis(e) => {
                ChainError::Node(NodeFailure::Genesis { reason: e.to_string() })
            }
            NodeError::GenesisMismatch { dir } => {
                ChainError::Node(NodeFailure::GenesisMismatch { dir: path(&dir) })
            }
            NodeError::Locked { dir } => ChainError::Node(NodeFailure::Locked { dir: path(&dir) }),
            NodeError::Corrupt { path: p, what } | NodeError::Incompatible { path: p, what } => {
                ChainError::Node(NodeFailure::Corrupt { path: path(&p), what })
            }
            NodeError::ReplayDiverged { number, expected, got } => {
                ChainError::Node(NodeFailure::ReplayDiverged { number, expected, got })
            }
        }
    }
}

/// A broadcast receiver as a stream; lagging skips what was missed (with a warning).
fn broadcast_stream<T: Clone + Send + 'static, U: Send + 'static>(
    rx: broadcast::Receiver<T>,
    map: impl Fn(T) -> U + Send + 'static,
) -> BoxStream<'static, ChainResult<U>> {
    futures::stream::unfold((rx, map), |(mut rx, map)| async move {
        loop {
            match rx.recv().await {
                Ok(item) => return Some((Ok(map(item)), (rx, map))),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "a local subscriber fell behind");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .boxed()
}

#[async_trait]
impl Chain for LocalChain {
    async fn info(&self) -> ChainResult<ChainInfo> {
        Ok(self.node.info())
    }

    async fn header(&self, at: BlockId) -> ChainResult<Header> {
        Ok(self.node.header(at.into())?)
    }

    async fn block(&self, at: BlockId) -> ChainResult<Block> {
        Ok(self.node.block(at.into())?.as_ref().clone())
    }

    async fn account(&self, who: AccountId) -> ChainResult<AccountInfo> {
        Ok(self.node.account(&who).await)
    }

    async fn subnets(&self) -> ChainResult<Vec<SubnetInfo>> {
        Ok(self.node.subnets().await)
    }

    async fn subnet(&self, netuid: NetUid) -> ChainResult<SubnetInfo> {
        Ok(self.node.subnet(netuid).await?)
    }

    async fn neurons(&self, netuid: NetUid) -> ChainResult<Vec<NeuronInfo>> {
        Ok(self.node.neurons(netuid).await?)
    }

    async fn stakes(&self, coldkey: AccountId) -> ChainResult<Vec<StakeInfo>> {
        Ok(self.node.stakes(&coldkey).await)
    }

    async fn quote(&self, netuid: NetUid, side: Side, amount: u64) -> ChainResult<SwapOutcome> {
        Ok(self.node.quote(netuid, side, amount).await?)
    }

    async fn estimate_fee(&self, _signer: AccountId, call: Call) -> ChainResult<u64> {
        Ok(self.node.estimate_fee(&call).await)
    }

    async fn prepare(
        &self,
        signer: AccountId,
        call: Call,
        options: TxOptions,
    ) -> ChainResult<Prepared> {
        let prepared = chain::prepare_localnet(self, signer, call, options).await?;
        match options.format {
            PayloadFormat::Native => Ok(prepared),
            PayloadFormat::Substrate => {
                let hash_of = |n| self.node.header(super::BlockRef::Number(n)).ok().map(|h| h.hash);
                Ok(crate::substrate::extrinsic::prepared_as_extrinsic(prepared, hash_of)?)
            }
        }
    }

    async fn submit(
        &self,
        prepared: Prepared,
        signature: keys::Signature,
    ) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>> {
        let tx = match &prepared.substrate {
            None => prepared.into_localnet_transaction(&self.node.info().signing, signature)?,
            Some(form) => {
                // Submitted as the v4 extrinsic it is, read back as any submitted one is.
                if prepared.context != self.node.signing_context() {
                    return Err(TxValidityError::BadSigningContext.into());
                }
                let parts = form.parts();
                if parts.signing_payload(&prepared.context) != prepared.payload {
                    return Err(TxValidityError::Malformed(
                        "the prepared payload does not match its extrinsic parts; prepare the \
                         transaction again"
                            .into(),
                    )
                    .into());
                }
                let tx =
                    self.node.read_extrinsic(&parts.extrinsic(&prepared.signer, &signature.0))?;
                if tx.call != prepared.call {
                    return Err(TxValidityError::Malformed(
                        "the extrinsic's call is not the prepared call".into(),
                    )
                    .into());
                }
                tx
            }
        };
        let (_, statuses) = self.node.submit_and_watch(tx).await?;
        let stream = futures::stream::unfold(statuses, |mut rx| async move {
            rx.recv().await.map(|s| (Ok(s), rx))
        });
        Ok(stream.boxed())
    }

    async fn subscribe_heads(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>> {
        Ok(broadcast_stream(self.node.subscribe_blocks(), |b| b.header.clone()))
    }

    async fn subscribe_finalized(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>> {
        Ok(broadcast_stream(self.node.subscribe_finalized(), |h| h))
    }

    async fn subscribe_events(
        &self,
    ) -> ChainResult<BoxStream<'static, ChainResult<Vec<EventRecord>>>> {
        Ok(broadcast_stream(self.node.subscribe_blocks(), |b| b.events.clone()))
    }
}
