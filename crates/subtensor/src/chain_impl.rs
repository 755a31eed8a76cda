//! [`chain::Chain`] for a live Subtensor node.

use std::time::Duration;

use chain::{
    AccountId, AccountInfo, Block, BlockId, Call, ChainError, ChainInfo, ChainResult, EventRecord,
    Header, Mortality, NetUid, NeuronInfo, Phase, Prepared, Side, Signature, SigningContext,
    StakeInfo, SubnetInfo, SwapOutcome, TxOptions, TxStatus, TxValidityError,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use parity_scale_codec::{Compact, Encode};
use serde_json::{Value, json};

use crate::client::{BLOCK_TIME_MS, BlockRef, Subtensor, parse_hash};
use crate::error::{Result, SubtensorError};
use crate::rpc::to_hex;
use crate::tx::{Era, TxParts, signed_extrinsic, signer_payload, substrate_form};
use crate::views::{
    DynamicInfo, HyperparamsV2, METAGRAPH_ALL_FIELDS, NeuronLite, SelectiveMetagraph, SimSwap,
    StakeLite, SubnetExtras, SubnetPrice, SystemAccount,
};

/// How long to wait before resubscribing after a subscription drops, doubling up to
/// [`RESUBSCRIBE_MAX`].
const RESUBSCRIBE_START: Duration = Duration::from_millis(500);
const RESUBSCRIBE_MAX: Duration = Duration::from_secs(30);

impl Subtensor {
    /// Subnet `netuid` at `at`: pool, identity and hyperparameters from one
    /// `get_selective_mechagraph`, plus its fee rate (`Swap.FeeRate`), spot price
    /// (`current_alpha_price`) and `transfers_enabled` (`get_subnet_hyperparams_v2`) when the
    /// runtime has them.
    pub async fn subnet_at(&self, netuid: NetUid, at: BlockId) -> Result<SubnetInfo> {
        let block = self.resolve(at).await?;
        let metagraph = self.metagraph_at(netuid, &block).await?;
        let runtime = self.runtime_of(&block).await?;
        let fee_rate = self.fee_rate(netuid, &block).await?;
        let price = if runtime.api_output_type("SwapRuntimeApi", "current_alpha_price").is_ok() {
            let price: u64 = self
                .runtime_api("SwapRuntimeApi", "current_alpha_price", &netuid.encode(), &block)
                .await?;
            Some(price)
        } else {
            None
        };
        let transfer_enabled =
            if runtime.api_output_type("SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2").is_ok()
            {
                let hyper: Option<HyperparamsV2> = self
                    .runtime_api(
                        "SubnetInfoRuntimeApi",
                        "get_subnet_hyperparams_v2",
                        &netuid.encode(),
                        &block,
                    )
                    .await?;
                hyper.is_none_or(|h| h.transfers_enabled)
            } else {
                true
            };
        metagraph.into_subnet(SubnetExtras { fee_rate, price, transfer_enabled }).map_err(|field| {
            runtime.undecodable("get_selective_mechagraph", format!("the answer has no {field}"))
        })
    }

    /// The raw metagraph of subnet `netuid` at block `at` (`get_selective_mechagraph`, every
    /// field up to the per-neuron lists, mechanism 0).
    pub async fn metagraph_at(&self, netuid: NetUid, at: &BlockRef) -> Result<SelectiveMetagraph> {
        let indexes: Vec<u16> = METAGRAPH_ALL_FIELDS.collect();
        let args = (netuid, 0u8, indexes).encode();
        let found: Option<SelectiveMetagraph> =
            self.runtime_api("SubnetInfoRuntimeApi", "get_selective_mechagraph", &args, at).await?;
        found.ok_or_else(|| SubtensorError::NotFound(format!("subnet {netuid}")))
    }

    /// The neurons of subnet `netuid` at `at` (`get_neurons_lite`), by UID.
    pub async fn neurons_at(&self, netuid: NetUid, at: BlockId) -> Result<Vec<NeuronInfo>> {
        let block = self.resolve(at).await?;
        let neurons: Vec<NeuronLite> = self
            .runtime_api("NeuronInfoRuntimeApi", "get_neurons_lite", &netuid.encode(), &block)
            .await?;
        let mut neurons: Vec<NeuronInfo> =
            neurons.into_iter().map(NeuronLite::into_neuron).collect();
        neurons.sort_by_key(|n| n.uid);
        Ok(neurons)
    }

    /// A `u16` storage map over subnets (`SubnetworkN`, `Swap.FeeRate`) for every one of
    /// `netuids`, in one request: the runtime's default where unset, all 0 on a runtime without
    /// the item.
    async fn per_subnet(
        &self,
        pallet: &str,
        item: &str,
        netuids: &[NetUid],
        at: &BlockRef,
    ) -> Result<Vec<u16>> {
        let runtime = self.runtime_of(at).await?;
        let Ok(ty) = runtime.storage_type(pallet, item) else {
            return Ok(vec![0; netuids.len()]);
        };
        let keys = netuids
            .iter()
            .map(|n| runtime.storage_key(pallet, item, &[&n.encode()]))
            .collect::<Result<Vec<_>>>()?;
        let default = runtime.storage_default(pallet, item).unwrap_or_default();
        let what = format!("{pallet}.{item}");
        self.storage_many(&keys, at.hash)
            .await?
            .into_iter()
            .map(|v| runtime.read(v.as_deref().unwrap_or(&default), ty, &what))
            .collect()
    }

    /// `Swap.FeeRate` of `netuid` (the runtime's default when unset; 0 on a runtime without it).
    async fn fee_rate(&self, netuid: NetUid, at: &BlockRef) -> Result<u16> {
        let rates = self.per_subnet("Swap", "FeeRate", &[netuid], at).await?;
        Ok(rates.first().copied().unwrap_or(0))
    }

    async fn head(&self) -> Result<BlockRef> {
        self.resolve(BlockId::Head).await
    }

    /// The parts of `prepared`'s extrinsic, with its era's birth hash read back from the chain.
    async fn parts_of(&self, prepared: &Prepared) -> Result<TxParts> {
        let birth = self.resolve(BlockId::Number(prepared.mortality.birth)).await?;
        Ok(TxParts {
            signer: prepared.signer,
            call: prepared.call.clone(),
            nonce: prepared.nonce,
            era: Era::Mortal {
                period: prepared.mortality.period,
                birth: birth.number,
                birth_hash: birth.hash.0,
            },
            tip: prepared.tip,
        })
    }

    /// Sends a signed extrinsic and follows it (`author_submitAndWatchExtrinsic`), mapping a
    /// pool refusal to [`TxValidityError`] with the node's reason.
    pub async fn submit_extrinsic(
        &self,
        extrinsic: Vec<u8>,
    ) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>> {
        let hash = chain::Hash(sp_crypto_hashing::blake2_256(&extrinsic));
        let sub = self
            .rpc
            .subscribe::<Value>(
                "author_submitAndWatchExtrinsic",
                vec![json!(to_hex(&extrinsic))],
                "author_unwatchExtrinsic",
            )
            .await
            .map_err(refusal)?;
        let this = self.clone_handle();
        let stream = sub.then(move |update| {
            let this = this.clone();
            async move {
                let update = update.map_err(|e| ChainError::Decode(e.to_string()))?;
                this.status(hash, &update).await
            }
        });
        Ok(stream.boxed())
    }

    async fn status(&self, tx_hash: chain::Hash, update: &Value) -> ChainResult<TxStatus> {
        if update == "ready" || update == "future" || update.get("broadcast").is_some() {
            return Ok(TxStatus::Ready { hash: tx_hash });
        }
        if let Some(block) = update.get("inBlock").and_then(Value::as_str) {
            let block_hash = parse_hash("author_extrinsicUpdate", block)?;
            let index = self.extrinsic_index(block_hash, tx_hash).await?;
            return Ok(self.in_block(block_hash, index).await?);
        }
        if let Some(block) = update.get("finalized").and_then(Value::as_str) {
            let block_hash = parse_hash("author_extrinsicUpdate", block)?;
            let header = self.header_at(block_hash).await?;
            return Ok(TxStatus::Finalized { number: header.number, block_hash });
        }
        let reason = match update {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Ok(TxStatus::Dropped { reason })
    }

    /// [`TxStatus::InBlock`] of the extrinsic at `index` of block `block_hash`: its result
    /// and its events.
    pub(crate) async fn in_block(&self, block_hash: chain::Hash, index: u32) -> Result<TxStatus> {
        let header = self.header_at(block_hash).await?;
        let events: Vec<EventRecord> = self
            .events_at(BlockId::Hash(block_hash))
            .await?
            .into_iter()
            .filter(|r| r.phase == chain::Phase::ApplyExtrinsic(index))
            .collect();
        let result = events
            .iter()
            .find_map(|r| match &r.event {
                chain::Event::ExtrinsicFailed { error, .. } => Some(Err(error.clone())),
                _ => None,
            })
            .unwrap_or(Ok(()));
        Ok(TxStatus::InBlock { number: header.number, block_hash, index, result, events })
    }

    /// The extrinsics of block `block_hash` (its body, `chain_getBlock`), each as the
    /// length-prefixed bytes the node serves.
    pub async fn extrinsics(&self, block_hash: chain::Hash) -> Result<Vec<Vec<u8>>> {
        let block: Value =
            self.rpc.call("chain_getBlock", vec![json!(block_hash.to_hex())]).await?;
        if block.is_null() {
            return Err(SubtensorError::NotFound(format!("block {block_hash}")));
        }
        let extrinsics = block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
        extrinsics
            .iter()
            .map(|x| {
                x.as_str()
                    .and_then(|h| hex::decode(h.strip_prefix("0x").unwrap_or(h)).ok())
                    .ok_or_else(|| SubtensorError::BadAnswer {
                        method: "chain_getBlock".into(),
                        reason: format!("block {block_hash}: an extrinsic that is not 0x-hex: {x}"),
                    })
            })
            .collect()
    }

    /// The index of the extrinsic with hash `tx_hash` in block `block_hash`.
    pub(crate) async fn extrinsic_index(
        &self,
        block_hash: chain::Hash,
        tx_hash: chain::Hash,
    ) -> Result<u32> {
        self.extrinsics(block_hash)
            .await?
            .iter()
            .position(|bytes| sp_crypto_hashing::blake2_256(bytes) == tx_hash.0)
            .map(|i| i as u32)
            .ok_or_else(|| {
                SubtensorError::NotFound(format!("transaction {tx_hash} in block {block_hash}"))
            })
    }

    fn clone_handle(&self) -> std::sync::Arc<Subtensor> {
        std::sync::Arc::new(self.clone())
    }

    /// Heads from `method`, resubscribing with back-off when the subscription ends.
    async fn heads(
        &self,
        method: &'static str,
        unsubscribe: &'static str,
    ) -> ChainResult<BoxStream<'static, ChainResult<Header>>> {
        let this = self.clone_handle();
        let stream = futures::stream::unfold(
            (this, None::<subxt::rpcs::client::RpcSubscription<Value>>, RESUBSCRIBE_START),
            move |(this, sub, wait)| async move {
                let mut sub = sub;
                let mut wait = wait;
                loop {
                    if sub.is_none() {
                        match this.rpc.subscribe::<Value>(method, vec![], unsubscribe).await {
                            Ok(s) => sub = Some(s),
                            Err(e) => {
                                tracing::warn!(error = %e, "cannot subscribe to heads; retrying");
                                tokio::time::sleep(wait).await;
                                wait = (wait * 2).min(RESUBSCRIBE_MAX);
                                continue;
                            }
                        }
                    }
                    let next = match sub.as_mut() {
                        Some(s) => s.next().await,
                        None => None,
                    };
                    match next {
                        Some(Ok(raw)) => {
                            let header = header_of(&raw);
                            return Some((header, (this, sub, RESUBSCRIBE_START)));
                        }
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "the head subscription failed; resubscribing");
                            sub = None;
                        }
                        None => sub = None,
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(RESUBSCRIBE_MAX);
                }
            },
        );
        Ok(stream.boxed())
    }
}

/// A header from a subscription, hashed as the chain does (BLAKE2-256 of its SCALE form)
/// — the JSON carries no hash, so it is recomputed from the fields.
fn header_of(raw: &Value) -> ChainResult<Header> {
    let hex32 = |field: &str| -> ChainResult<[u8; 32]> {
        let h: chain::Hash = parse_hash("header", raw[field].as_str().unwrap_or_default())?;
        Ok(h.0)
    };
    let number =
        u64::from_str_radix(raw["number"].as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)
            .map_err(|e| ChainError::Decode(format!("header number: {e}")))?;
    let logs: Vec<Vec<u8>> = raw["digest"]["logs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|l| hex::decode(l.trim_start_matches("0x")).ok())
        .collect();
    let mut scale = hex32("parentHash")?.to_vec();
    Compact(u32::try_from(number).unwrap_or(u32::MAX)).encode_to(&mut scale);
    scale.extend_from_slice(&hex32("stateRoot")?);
    scale.extend_from_slice(&hex32("extrinsicsRoot")?);
    Compact(logs.len() as u32).encode_to(&mut scale);
    for log in &logs {
        scale.extend_from_slice(log);
    }
    let hash = chain::Hash(sp_crypto_hashing::blake2_256(&scale));
    Ok(crate::client::parse_header(hash, raw)?)
}

/// A pool refusal (`1010 Invalid Transaction`, `1012 Transaction is temporarily banned`, …)
/// with the node's reason.
fn refusal(e: SubtensorError) -> ChainError {
    let SubtensorError::Rpc { code, message, method } = e else { return e.into() };
    let lower = message.to_lowercase();
    let invalid = |v: TxValidityError| ChainError::Invalid(v);
    match code {
        1010..=1014 => {
            if lower.contains("bad signature") || lower.contains("badproof") {
                invalid(TxValidityError::BadProof)
            } else if lower.contains("outdated") || lower.contains("stale") {
                invalid(TxValidityError::Malformed(format!(
                    "the nonce or era is outdated: {message}"
                )))
            } else if lower.contains("pay") {
                invalid(TxValidityError::Malformed(format!("cannot pay the fee: {message}")))
            } else if lower.contains("already imported") || code == 1013 {
                invalid(TxValidityError::AlreadyImported)
            } else if lower.contains("exhausts") || lower.contains("full") {
                invalid(TxValidityError::ExhaustsResources)
            } else {
                invalid(TxValidityError::Malformed(format!(
                    "the pool refused it ({code}): {message}"
                )))
            }
        }
        _ => SubtensorError::Rpc { code, message, method }.into(),
    }
}

#[async_trait::async_trait]
impl chain::Chain for Subtensor {
    async fn info(&self) -> ChainResult<ChainInfo> {
        let head = self.head().await?;
        let finalized = self.resolve(BlockId::Finalized).await?;
        let runtime = self.runtime_of(&head).await?;
        let ss58_prefix = runtime
            .metadata()
            .pallet_by_name("System")
            .and_then(|p| p.constant_by_name("SS58Prefix"))
            .and_then(|c| <u16 as parity_scale_codec::Decode>::decode(&mut c.value()).ok())
            .unwrap_or(42);
        Ok(ChainInfo {
            name: self.chain_name().await?,
            signing: SigningContext {
                genesis_hash: self.genesis,
                spec_version: runtime.version.spec_version,
            },
            block_time_ms: runtime
                .metadata()
                .pallet_by_name("Aura")
                .and_then(|p| p.constant_by_name("SlotDuration"))
                .and_then(|c| <u64 as parity_scale_codec::Decode>::decode(&mut c.value()).ok())
                .unwrap_or(BLOCK_TIME_MS),
            finality_depth: head.number.saturating_sub(finalized.number),
            ss58_prefix,
            token_symbol: "TAO".into(),
        })
    }

    async fn header(&self, at: BlockId) -> ChainResult<Header> {
        Ok(self.resolve_with_header(at).await?.1)
    }

    /// The header, the signed extrinsics whose calls taoplex knows (read from the body with
    /// the block's metadata, [`crate::body`]; each with the fee and result its events report)
    /// and the events taoplex knows.
    async fn block(&self, at: BlockId) -> ChainResult<Block> {
        let (block, header) = self.resolve_with_header(at).await?;
        let runtime = self.runtime_of(&block).await?;
        let events = self.events_of(&block, &runtime).await?;
        let body = self.extrinsics(block.hash).await?;
        let mut extrinsics = crate::body::read_body(&runtime, block.number, body).await?;
        for x in &mut extrinsics {
            let outcome = events.iter().filter(|r| r.phase == Phase::ApplyExtrinsic(x.index));
            for record in outcome {
                match &record.event {
                    chain::Event::ExtrinsicSuccess { fee } => x.fee = *fee,
                    chain::Event::ExtrinsicFailed { error, fee } => {
                        x.fee = *fee;
                        x.result = Err(error.clone());
                    }
                    _ => {}
                }
            }
        }
        Ok(Block { header, extrinsics, events })
    }

    async fn block_events(&self, at: BlockId) -> ChainResult<(Header, Vec<EventRecord>)> {
        let (block, header) = self.resolve_with_header(at).await?;
        let runtime = self.runtime_of(&block).await?;
        Ok((header, self.events_of(&block, &runtime).await?))
    }

    async fn account(&self, who: AccountId) -> ChainResult<AccountInfo> {
        let head = self.head().await?;
        let runtime = self.runtime_of(&head).await?;
        let key = runtime.storage_key("System", "Account", &[&who.0])?;
        let ty = runtime.storage_type("System", "Account")?;
        let bytes = match self.storage_raw(&key, head.hash).await? {
            Some(bytes) => bytes,
            None => runtime.storage_default("System", "Account").unwrap_or_default(),
        };
        let account: SystemAccount = runtime.read(&bytes, ty, "System.Account")?;
        let nonce = self.nonce(who).await?;
        Ok(AccountInfo {
            free: account.data.free,
            reserved: account.data.reserved,
            nonce: nonce.max(account.nonce),
        })
    }

    /// Every subnet from one `get_all_dynamic_info`, one `current_alpha_price_all` and one
    /// storage query each for every subnet's `SubnetworkN` and `Swap.FeeRate`: pools, prices,
    /// fee rates, identities, owners, tempo, neuron counts. The emission share is the subnet's part
    /// of the TAO injected into the pools this block (`tao_in_emission` over their sum). The
    /// other hyperparameters are not in these answers and are zero here: read one subnet with
    /// `subnet` for them (128 more calls would trip a public node's rate limit).
    async fn subnets(&self) -> ChainResult<Vec<SubnetInfo>> {
        let head = self.head().await?;
        let all: Vec<Option<DynamicInfo>> =
            self.runtime_api("SubnetInfoRuntimeApi", "get_all_dynamic_info", &[], &head).await?;
        let prices: Vec<SubnetPrice> =
            self.runtime_api("SwapRuntimeApi", "current_alpha_price_all", &[], &head).await?;
        let all: Vec<DynamicInfo> = all.into_iter().flatten().collect();
        let netuids: Vec<NetUid> = all.iter().map(|i| i.netuid).collect();
        let counts = self.per_subnet("SubtensorModule", "SubnetworkN", &netuids, &head).await?;
        let fees = self.per_subnet("Swap", "FeeRate", &netuids, &head).await?;
        let injected: u128 = all.iter().map(|i| u128::from(i.tao_in_emission)).sum();
        let mut out = Vec::new();
        for (i, info) in all.into_iter().enumerate() {
            let price = prices.iter().find(|p| p.netuid == info.netuid).map(|p| p.price);
            let fee_rate = fees.get(i).copied().unwrap_or(0);
            let share = (u128::from(info.tao_in_emission) * 1_000_000_000)
                .checked_div(injected)
                .unwrap_or(0);
            out.push(SubnetInfo {
                netuid: info.netuid,
                identity: info.identity(),
                owner_coldkey: info.owner_coldkey.into(),
                owner_hotkey: info.owner_hotkey.into(),
                registered_at: info.network_registered_at,
                mechanism: u16::from(info.netuid != 0),
                first_emission_block: None,
                pool: info.pool(fee_rate, price),
                hyperparameters: chain::Hyperparameters {
                    tempo: info.tempo,
                    fee_rate,
                    ..tempo_only()
                },
                emission_share_ppb: u64::try_from(share).unwrap_or(0),
                tao_emission: info.tao_in_emission,
                miner_burned_ppb: 0,
                last_epoch_block: info.last_step,
                neuron_count: counts.get(i).copied().unwrap_or(0),
            });
        }
        out.sort_by_key(|s| s.netuid);
        Ok(out)
    }

    async fn subnet(&self, netuid: NetUid) -> ChainResult<SubnetInfo> {
        Ok(self.subnet_at(netuid, BlockId::Head).await?)
    }

    async fn neurons(&self, netuid: NetUid) -> ChainResult<Vec<NeuronInfo>> {
        Ok(self.neurons_at(netuid, BlockId::Head).await?)
    }

    async fn stakes(&self, coldkey: AccountId) -> ChainResult<Vec<StakeInfo>> {
        let head = self.head().await?;
        let stakes: Vec<StakeLite> = self
            .runtime_api(
                "StakeInfoRuntimeApi",
                "get_stake_info_for_coldkey",
                &coldkey.0.encode(),
                &head,
            )
            .await?;
        let mut stakes: Vec<StakeInfo> =
            stakes.into_iter().map(StakeLite::into_stake).filter(|s| s.alpha > 0).collect();
        stakes.sort_by_key(|s| (s.netuid, s.hotkey));
        Ok(stakes)
    }

    /// `sim_swap_tao_for_alpha` / `sim_swap_alpha_for_tao` at the head, with the pool's
    /// reserves from `get_dynamic_info`. The runtime does not report the price after the
    /// trade, so `spot_after_bits` is the reserves' ratio after it.
    async fn quote(&self, netuid: NetUid, side: Side, amount: u64) -> ChainResult<SwapOutcome> {
        let head = self.head().await?;
        let method = match side {
            Side::Buy => "sim_swap_tao_for_alpha",
            Side::Sell => "sim_swap_alpha_for_tao",
        };
        let sim: SimSwap =
            self.runtime_api("SwapRuntimeApi", method, &(netuid, amount).encode(), &head).await?;
        let info: Option<DynamicInfo> = self
            .runtime_api("SubnetInfoRuntimeApi", "get_dynamic_info", &netuid.encode(), &head)
            .await?;
        let info =
            info.ok_or(ChainError::Quote(chain::DispatchError::SubnetNotExists { netuid }))?;
        Ok(crate::quote::outcome(side, amount, sim, info.tao_in, info.alpha_in))
    }

    async fn estimate_fee(&self, signer: AccountId, call: Call) -> ChainResult<u64> {
        Ok(self.fee(signer, call).await?)
    }

    async fn prepare(
        &self,
        signer: AccountId,
        call: Call,
        options: TxOptions,
    ) -> ChainResult<Prepared> {
        let head = self.head().await?;
        let runtime = self.runtime_of(&head).await?;
        let nonce = match options.nonce {
            Some(n) => n,
            None => self.nonce(signer).await?,
        };
        let period = options.mortality_period.unwrap_or(chain::DEFAULT_MORTALITY);
        let parts = TxParts {
            signer,
            call: call.clone(),
            nonce,
            era: Era::Mortal { period, birth: head.number, birth_hash: head.hash.0 },
            tip: options.tip,
        };
        let payload = signer_payload(&runtime, &parts)?;
        let substrate = substrate_form(&runtime, self.genesis.0, &parts)?;
        let fee = self.fee(signer, call.clone()).await?;
        Ok(Prepared {
            signer,
            description: call.describe(),
            call,
            nonce,
            mortality: Mortality::new(head.number, period),
            tip: options.tip,
            context: SigningContext {
                genesis_hash: self.genesis,
                spec_version: runtime.version.spec_version,
            },
            payload,
            fee_estimate: fee,
            substrate: Some(substrate),
        })
    }

    async fn submit(
        &self,
        prepared: Prepared,
        signature: Signature,
    ) -> ChainResult<BoxStream<'static, ChainResult<TxStatus>>> {
        let head = self.head().await?;
        let runtime = self.runtime_of(&head).await?;
        let context = SigningContext {
            genesis_hash: self.genesis,
            spec_version: runtime.version.spec_version,
        };
        if prepared.context != context {
            return Err(TxValidityError::BadSigningContext.into());
        }
        let parts = self.parts_of(&prepared).await?;
        if signer_payload(&runtime, &parts)? != prepared.payload {
            return Err(TxValidityError::Malformed(
                "the prepared payload does not match its call, nonce, era and tip; prepare the transaction again".into(),
            )
            .into());
        }
        if !prepared.signer.public_key().verify(&prepared.payload, &signature) {
            return Err(TxValidityError::BadProof.into());
        }
        let extrinsic = signed_extrinsic(&runtime, &parts, &signature.0)?;
        self.submit_extrinsic(extrinsic).await
    }

    async fn subscribe_heads(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>> {
        self.heads("chain_subscribeNewHeads", "chain_unsubscribeNewHeads").await
    }

    async fn subscribe_finalized(&self) -> ChainResult<BoxStream<'static, ChainResult<Header>>> {
        self.heads("chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads").await
    }

    async fn subscribe_events(
        &self,
    ) -> ChainResult<BoxStream<'static, ChainResult<Vec<EventRecord>>>> {
        let heads = self.subscribe_heads().await?;
        let this = self.clone_handle();
        Ok(heads
            .then(move |header| {
                let this = this.clone();
                async move {
                    let header = header?;
                    Ok(this.events_at(BlockId::Hash(header.hash)).await?)
                }
            })
            .boxed())
    }
}

impl Subtensor {
    /// The fee `call` would pay (`TransactionPaymentApi_query_info` on the extrinsic signed
    /// with a zero signature, immortal, at the signer's next nonce), at the best block.
    pub(crate) async fn fee(&self, signer: AccountId, call: Call) -> Result<u64> {
        let nonce = self.nonce_latest(signer).await?;
        let head = self.head().await?;
        let runtime = self.runtime_of(&head).await?;
        let parts = TxParts { signer, call, nonce, era: Era::Immortal, tip: 0 };
        let extrinsic = signed_extrinsic(&runtime, &parts, &[0u8; 64])?;
        let mut args = extrinsic.clone();
        (extrinsic.len() as u32).encode_to(&mut args);
        crate::layout::partial_struct! {
            struct FeeInfo {
                partial_fee: u64,
            }
        }
        let answer: String = self
            .rpc
            .call(
                "state_call",
                vec![
                    json!("TransactionPaymentApi_query_info"),
                    json!(hex::encode(&args)),
                    Value::Null,
                ],
            )
            .await?;
        let bytes = crate::rpc::unhex("state_call", &answer)?;
        let info: FeeInfo = runtime.decode_api("TransactionPaymentApi", "query_info", &bytes)?;
        Ok(info.partial_fee)
    }

    /// `AccountNonceApi_account_nonce` at the node's best block (no block pinned).
    async fn nonce_latest(&self, who: AccountId) -> Result<u64> {
        let answer: String = self
            .rpc
            .call(
                "state_call",
                vec![
                    json!("AccountNonceApi_account_nonce"),
                    json!(hex::encode(who.0)),
                    Value::Null,
                ],
            )
            .await?;
        let bytes = crate::rpc::unhex("state_call", &answer)?;
        let nonce = <u32 as parity_scale_codec::Decode>::decode(&mut &bytes[..])
            .map_err(|e| SubtensorError::bad_answer("AccountNonceApi_account_nonce", e))?;
        Ok(u64::from(nonce))
    }
}

/// Hyperparameters the all-subnets answer does not carry (all zero/false but the tempo, which
/// the caller sets): read one subnet with [`chain::Chain::subnet`] for the rest.
fn tempo_only() -> chain::Hyperparameters {
    chain::Hyperparameters {
        tempo: 0,
        fee_rate: 0,
        weights_rate_limit: 0,
        commit_reveal_enabled: false,
        commit_reveal_period: 0,
        max_allowed_validators: 0,
        max_allowed_uids: 0,
        immunity_period: 0,
        activity_cutoff: 0,
        kappa: 0,
        bonds_moving_average: 0,
        burn: 0,
        min_burn: 0,
        max_burn: 0,
        recycle_or_burn: chain::RecycleOrBurn::default(),
        transfer_enabled: false,
        registration_allowed: false,
        weights_version_key: 0,
    }
}
