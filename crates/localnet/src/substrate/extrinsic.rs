//! Subtensor's signed v4 extrinsic, both ways: read back into localnet's [`chain::Call`] (to
//! quote a fee, and to take a submitted extrinsic into the pool as a [`SignedTransaction`]
//! whose signature covers exactly its bytes), and written from any transaction in a block
//! (what `chain_getBlock` serves).
//!
//! Layout: compact length, `0x84` (signed, version 4), `MultiAddress` signer, `MultiSignature`,
//! the extension values in the metadata's order (`Era`, `Compact<u32>` nonce, `Compact<u64>`
//! tip, the metadata hash `Mode` byte; the other extensions carry no bytes), then the
//! `RuntimeCall`.

use chain::{
    AccountId, Alpha, AxonInfo, BlockNumber, Call, Envelope, Hash, Hyperparameter, Mortality,
    Prepared, ProxyType, RecycleOrBurn, SignedTransaction, SubstrateForm, SubstrateParts, Tao,
    TxValidityError,
};
use parity_scale_codec::{Compact, Decode, DecodeLimit, Encode};

use super::pallets::{
    RuntimeCall, admin_utils, balances, mev_shield, proxy, subtensor_module as sm, swap, utility,
};
use super::types::{AccountId32, MultiAddress, MultiSignature};

/// A signed extrinsic's signer, nonce, tip and call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedExtrinsic {
    /// Signer.
    pub signer: AccountId,
    /// Nonce.
    pub nonce: u32,
    /// Tip, rao.
    pub tip: u64,
    /// The call.
    pub call: RuntimeCall,
}

/// A transaction's era: immortal, or mortal for `period` blocks (a power of two, 4 to 65,536)
/// from the first block at or before the current one whose number is `phase` modulo `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// Valid at any block.
    Immortal,
    /// Valid for `period` blocks.
    Mortal {
        /// Length of the window, a power of two.
        period: u64,
        /// Its birth block's number modulo `period`.
        phase: u64,
    },
}

impl Era {
    /// The era that covers localnet's `mortality` (widened to a power-of-two period).
    pub fn covering(m: &Mortality) -> Self {
        if m.period > 1 << 16 {
            return Self::Immortal;
        }
        let period = m.period.next_power_of_two().clamp(4, 1 << 16);
        let quantum = (period >> 12).max(1);
        Self::Mortal { period, phase: m.birth % period / quantum * quantum }
    }

    /// The era's first block, for a transaction checked at block `current`.
    pub fn birth(&self, current: BlockNumber) -> BlockNumber {
        match *self {
            Self::Immortal => 0,
            Self::Mortal { period, phase } => {
                (current.max(phase) - phase) / period * period + phase
            }
        }
    }

    /// localnet's window for a transaction checked at block `current`.
    pub fn mortality(&self, current: BlockNumber) -> Mortality {
        match *self {
            Self::Immortal => Mortality::new(0, u64::MAX),
            Self::Mortal { period, .. } => Mortality::new(self.birth(current), period),
        }
    }
}

impl Encode for Era {
    fn encode_to<W: parity_scale_codec::Output + ?Sized>(&self, out: &mut W) {
        match *self {
            Self::Immortal => out.push_byte(0),
            Self::Mortal { period, phase } => {
                let quantum = (period >> 12).max(1);
                let low = u64::from(period.trailing_zeros()).saturating_sub(1).clamp(1, 15);
                let encoded = (low | ((phase / quantum) << 4)) as u16;
                encoded.encode_to(out);
            }
        }
    }
}

impl Decode for Era {
    fn decode<I: parity_scale_codec::Input>(
        input: &mut I,
    ) -> Result<Self, parity_scale_codec::Error> {
        let first = input.read_byte()?;
        if first == 0 {
            return Ok(Self::Immortal);
        }
        let encoded = u64::from(first) + (u64::from(input.read_byte()?) << 8);
        let period = 2u64 << (encoded % 16);
        let quantum = (period >> 12).max(1);
        let phase = (encoded >> 4) * quantum;
        if period >= 4 && phase < period {
            Ok(Self::Mortal { period, phase })
        } else {
            Err("invalid period and phase".into())
        }
    }
}

/// A signed extrinsic taken apart: the values, and the byte ranges its signature covers.
struct Parsed {
    signer: AccountId,
    signature: MultiSignature,
    era: Era,
    nonce: u32,
    tip: u64,
    mode: u8,
    extra: Vec<u8>,
    call_bytes: Vec<u8>,
    call: RuntimeCall,
}

fn read<T: Decode>(input: &mut &[u8], what: &str) -> Result<T, String> {
    T::decode(input).map_err(|e| format!("bad {what}: {e}"))
}

/// How deeply a submitted call may nest (proxies and batches hold calls), as
/// [`chain::MAX_DECODE_DEPTH`] for localnet's own encoding.
const MAX_CALL_DEPTH: u32 = chain::MAX_DECODE_DEPTH;

/// Takes a signed v4 extrinsic (without its length prefix) apart.
fn parse(body: &[u8]) -> Result<Parsed, String> {
    let input = &mut &body[..];
    let version: u8 = read(input, "version byte")?;
    match version {
        0x84 => {}
        0x04 => return Err("an unsigned extrinsic: localnet takes signed ones only".into()),
        other => {
            return Err(format!(
                "version byte 0x{other:02x}: localnet takes signed v4 extrinsics (0x84)"
            ));
        }
    }
    let MultiAddress::Id(signer) = read::<MultiAddress>(input, "signer")? else {
        return Err("the signer must be an account id (MultiAddress::Id)".into());
    };
    let signature = read::<MultiSignature>(input, "signature")?;
    let extra_start = body.len() - input.len();
    let era = read::<Era>(input, "era")?;
    let nonce = read::<Compact<u32>>(input, "nonce")?.0;
    let tip = read::<Compact<u64>>(input, "tip")?.0;
    let mode = read::<u8>(input, "metadata hash mode")?;
    let call_start = body.len() - input.len();
    let call = RuntimeCall::decode_with_depth_limit(MAX_CALL_DEPTH, input)
        .map_err(|e| format!("bad call (at most {MAX_CALL_DEPTH} levels of nesting): {e}"))?;
    if !input.is_empty() {
        return Err(format!("{} bytes after the call", input.len()));
    }
    Ok(Parsed {
        signer: AccountId(signer.0),
        signature,
        era,
        nonce,
        tip,
        mode,
        extra: body[extra_start..call_start].to_vec(),
        call_bytes: body[call_start..].to_vec(),
        call,
    })
}

/// Decodes a signed v4 extrinsic (without its length prefix).
pub fn decode_signed(body: &[u8]) -> Result<SignedExtrinsic, String> {
    let p = parse(body)?;
    Ok(SignedExtrinsic { signer: p.signer, nonce: p.nonce, tip: p.tip, call: p.call })
}

/// Whether `bytes` are framed as a Substrate extrinsic: a compact length equal to the rest,
/// then a v4 version byte. localnet's own transaction encoding starts with the signer's
/// 32-byte account id instead, so the two are told apart before either is decoded.
pub fn is_extrinsic(bytes: &[u8]) -> bool {
    let mut input = bytes;
    match Compact::<u32>::decode(&mut input) {
        Ok(Compact(len)) => {
            len as usize == input.len() && matches!(input.first(), Some(0x84 | 0x04))
        }
        Err(_) => false,
    }
}

/// A submitted extrinsic (length-prefixed) as the transaction the pool takes, checked at
/// block `current` (the block being built): its era's birth block must be one `hash_of`
/// knows, whose hash the signature then covers, as on Substrate. Its signature is verified by
/// the pool like any other ([`SignedTransaction::verify_signature`]).
pub fn submitted(
    bytes: &[u8],
    current: BlockNumber,
    genesis_hash: Hash,
    hash_of: impl Fn(BlockNumber) -> Option<Hash>,
) -> Result<SignedTransaction, TxValidityError> {
    let malformed = |why: String| TxValidityError::Malformed(why);
    let mut input = bytes;
    let Compact(len) = Compact::<u32>::decode(&mut input)
        .map_err(|e| malformed(format!("bad length prefix: {e}")))?;
    if len as usize != input.len() {
        return Err(malformed(format!(
            "the length prefix says {len} bytes but {} follow",
            input.len()
        )));
    }
    let p = parse(input).map_err(malformed)?;
    let MultiSignature::Sr25519(signature) = p.signature else {
        return Err(malformed("localnet verifies sr25519 signatures only".into()));
    };
    if p.mode != 0 {
        return Err(malformed(
            "CheckMetadataHash mode 1 commits to the metadata digest (RFC-0078), which localnet \
             does not compute; sign with the mode disabled"
                .into(),
        ));
    }
    let call = chain_call(&p.call).map_err(malformed)?;
    let (mortality, era_hash) = match p.era {
        Era::Immortal => (p.era.mortality(current), genesis_hash),
        Era::Mortal { .. } => {
            let birth = p.era.birth(current);
            let hash = if birth == 0 { Some(genesis_hash) } else { hash_of(birth) };
            let hash = hash.ok_or(TxValidityError::AncientBirthBlock { birth })?;
            (p.era.mortality(current), hash)
        }
    };
    Ok(SignedTransaction {
        signer: p.signer,
        nonce: u64::from(p.nonce),
        mortality,
        tip: p.tip,
        call,
        signature,
        envelope: Envelope::Substrate(SubstrateParts {
            call: p.call_bytes,
            extra: p.extra,
            era_hash,
        }),
    })
}

/// `prepared` (in localnet's own format) made over as a Subtensor v4 extrinsic, for signers that
/// sign the v4 payload only (browser extensions): its call in Subtensor's encoding, its window
/// as the era covering it from its birth block (whose hash `hash_of` gives), and
/// [`Prepared::payload`] the v4 signing payload. Submitted, it reads back through [`submitted`]
/// into the same call, nonce and tip.
pub fn prepared_as_extrinsic(
    prepared: Prepared,
    hash_of: impl Fn(BlockNumber) -> Option<Hash>,
) -> Result<Prepared, TxValidityError> {
    let call = runtime_call(&prepared.call).ok_or_else(|| {
        TxValidityError::Malformed(format!(
            "{} has no Subtensor extrinsic form; sign it in localnet's own format",
            prepared.description
        ))
    })?;
    let nonce = u32::try_from(prepared.nonce).map_err(|_| {
        TxValidityError::Malformed(format!(
            "nonce {} does not fit a v4 extrinsic's u32",
            prepared.nonce
        ))
    })?;
    let era = Era::covering(&prepared.mortality);
    let birth = era.birth(prepared.mortality.birth);
    // As `submitted` reads it back: block 0's hash is the genesis hash.
    let birth_hash = if birth == 0 { Some(prepared.context.genesis_hash) } else { hash_of(birth) };
    let birth_hash = birth_hash.ok_or(TxValidityError::AncientBirthBlock { birth })?;
    let mut extra = era.encode();
    Compact(nonce).encode_to(&mut extra);
    Compact(prepared.tip).encode_to(&mut extra);
    extra.push(0); // CheckMetadataHash: disabled
    let form = SubstrateForm {
        call: call.encode(),
        extra,
        era: era.encode(),
        birth,
        birth_hash,
        transaction_version: chain::SUBSTRATE_TRANSACTION_VERSION,
        extensions: super::metadata::extension_names(),
    };
    Ok(Prepared {
        mortality: era.mortality(prepared.mortality.birth),
        payload: form.parts().signing_payload(&prepared.context),
        substrate: Some(form),
        ..prepared
    })
}

/// The extrinsic `chain_getBlock` serves for `tx`: its own bytes when it came as one;
/// otherwise localnet's transaction written as a v4 extrinsic (its call in Subtensor's
/// encoding, its window as the covering era). The signature of such a transaction covers
/// localnet's payload, not Substrate's, so it decodes everywhere but verifies only in localnet.
/// Empty for a call without a Subtensor counterpart ([`runtime_call`]).
pub fn encoded(tx: &SignedTransaction) -> Vec<u8> {
    if let Some(bytes) = tx.substrate_extrinsic() {
        return bytes;
    }
    let Some(call) = runtime_call(&tx.call) else { return Vec::new() };
    let mut extra = Era::covering(&tx.mortality).encode();
    Compact(u32::try_from(tx.nonce).unwrap_or(u32::MAX)).encode_to(&mut extra);
    Compact(tx.tip).encode_to(&mut extra);
    extra.push(0);
    let parts = SubstrateParts { call: call.encode(), extra, era_hash: Hash::default() };
    parts.extrinsic(&tx.signer, &tx.signature)
}

fn account(a: super::types::AccountId32) -> AccountId {
    AccountId(a.0)
}

fn proxy_type(t: proxy::ProxyType) -> ProxyType {
    match t {
        proxy::ProxyType::Any => ProxyType::Any,
        proxy::ProxyType::Staking => ProxyType::Staking,
        proxy::ProxyType::NonTransfer => ProxyType::NonTransfer,
    }
}

fn address(a: MultiAddress) -> Result<AccountId, String> {
    match a {
        MultiAddress::Id(id) => Ok(account(id)),
        other => Err(format!("localnet takes accounts as MultiAddress::Id (got {other:?})")),
    }
}

/// The address text of an axon's integer IP (4: the low 32 bits; otherwise IPv6).
fn ip_text(ip: u128, ip_type: u8) -> String {
    if ip_type == 4 {
        std::net::Ipv4Addr::from(u32::try_from(ip).unwrap_or(0)).to_string()
    } else {
        std::net::Ipv6Addr::from(ip).to_string()
    }
}

/// The localnet call of a Subtensor call. Subnet registration and identity calls (whose
/// identity fields differ from localnet's) are named in the error.
pub fn chain_call(call: &RuntimeCall) -> Result<Call, String> {
    use sm::Call as S;
    Ok(match call.clone() {
        RuntimeCall::Balances(
            balances::Call::transfer_keep_alive { dest: MultiAddress::Id(dest), value }
            | balances::Call::transfer_allow_death { dest: MultiAddress::Id(dest), value },
        ) => Call::Transfer { dest: account(dest), amount: Tao::from_rao(value) },
        RuntimeCall::SubtensorModule(c) => match c {
            S::add_stake { hotkey, netuid, amount_staked } => Call::AddStake {
                hotkey: account(hotkey),
                netuid,
                amount_staked: Tao::from_rao(amount_staked),
            },
            S::remove_stake { hotkey, netuid, amount_unstaked } => Call::RemoveStake {
                hotkey: account(hotkey),
                netuid,
                amount_unstaked: Alpha::from_rao(amount_unstaked),
            },
            S::add_stake_limit { hotkey, netuid, amount_staked, limit_price, allow_partial } => {
                Call::AddStakeLimit {
                    hotkey: account(hotkey),
                    netuid,
                    amount_staked: Tao::from_rao(amount_staked),
                    limit_price,
                    allow_partial,
                }
            }
            S::remove_stake_limit {
                hotkey,
                netuid,
                amount_unstaked,
                limit_price,
                allow_partial,
            } => Call::RemoveStakeLimit {
                hotkey: account(hotkey),
                netuid,
                amount_unstaked: Alpha::from_rao(amount_unstaked),
                limit_price,
                allow_partial,
            },
            S::remove_stake_full_limit { hotkey, netuid, limit_price } => {
                Call::RemoveStakeFullLimit { hotkey: account(hotkey), netuid, limit_price }
            }
            S::move_stake {
                origin_hotkey,
                destination_hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => Call::MoveStake {
                origin_hotkey: account(origin_hotkey),
                destination_hotkey: account(destination_hotkey),
                origin_netuid,
                destination_netuid,
                alpha_amount: Alpha::from_rao(alpha_amount),
            },
            S::transfer_stake {
                destination_coldkey,
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => Call::TransferStake {
                destination_coldkey: account(destination_coldkey),
                hotkey: account(hotkey),
                origin_netuid,
                destination_netuid,
                alpha_amount: Alpha::from_rao(alpha_amount),
            },
            S::swap_stake { hotkey, origin_netuid, destination_netuid, alpha_amount } => {
                Call::SwapStake {
                    hotkey: account(hotkey),
                    origin_netuid,
                    destination_netuid,
                    alpha_amount: Alpha::from_rao(alpha_amount),
                }
            }
            S::unstake_all { hotkey } => Call::UnstakeAll { hotkey: account(hotkey) },
            S::start_call { netuid } => Call::StartCall { netuid },
            S::register_network { hotkey }
            | S::register_network_with_identity { hotkey, identity: None } => {
                Call::RegisterNetwork { hotkey: account(hotkey), identity: None }
            }
            S::register_network_with_identity { hotkey, identity: Some(v3) } => {
                Call::RegisterNetwork { hotkey: account(hotkey), identity: Some(from_v3(v3)?) }
            }
            S::set_subnet_identity {
                netuid,
                subnet_name,
                github_repo,
                subnet_contact,
                subnet_url,
                discord,
                description,
                logo_url,
                additional,
            } => Call::SetSubnetIdentity {
                netuid,
                identity: from_v3(super::types::SubnetIdentityV3 {
                    subnet_name,
                    github_repo,
                    subnet_contact,
                    subnet_url,
                    discord,
                    description,
                    logo_url,
                    additional,
                })?,
            },
            S::burned_register { netuid, hotkey } => {
                Call::BurnedRegister { netuid, hotkey: account(hotkey) }
            }
            S::swap_stake_limit {
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
                limit_price,
                allow_partial,
            } => Call::SwapStakeLimit {
                hotkey: account(hotkey),
                origin_netuid,
                destination_netuid,
                alpha_amount: Alpha::from_rao(alpha_amount),
                limit_price,
                allow_partial,
            },
            S::set_weights { netuid, dests, weights, version_key } => {
                Call::SetWeights { netuid, dests, weights, version_key }
            }
            S::commit_weights { netuid, commit_hash } => {
                Call::CommitWeights { netuid, commit_hash: Hash(commit_hash.0) }
            }
            S::reveal_weights { netuid, uids, values, salt, version_key } => {
                Call::RevealWeights { netuid, uids, values, salt, version_key }
            }
            S::serve_axon { netuid, version, ip, port, ip_type, protocol, .. } => Call::ServeAxon {
                netuid,
                axon: AxonInfo { ip: ip_text(ip, ip_type), port, ip_type, protocol, version },
            },
            other => return Err(format!("localnet does not implement {other:?} yet")),
        },
        RuntimeCall::Proxy(c) => match c {
            proxy::Call::proxy { real, call, .. } => {
                Call::Proxy { real: address(real)?, call: Box::new(chain_call(&call)?) }
            }
            proxy::Call::add_proxy { delegate, proxy_type: t, .. } => {
                Call::AddProxy { delegate: address(delegate)?, proxy_type: proxy_type(t) }
            }
            proxy::Call::remove_proxy { delegate, proxy_type: t, .. } => {
                Call::RemoveProxy { delegate: address(delegate)?, proxy_type: proxy_type(t) }
            }
        },
        RuntimeCall::Utility(utility::Call::batch_all { calls }) => {
            Call::BatchAll { calls: calls.iter().map(chain_call).collect::<Result<_, _>>()? }
        }
        RuntimeCall::AdminUtils(c) => {
            let (netuid, param) = hyperparameter(c);
            Call::SetHyperparameter { netuid, param }
        }
        RuntimeCall::Swap(swap::Call::set_fee_rate { netuid, rate }) => {
            Call::SetHyperparameter { netuid, param: Hyperparameter::FeeRate(rate) }
        }
        RuntimeCall::MevShield(mev_shield::Call::submit_encrypted { ciphertext }) => {
            Call::SubmitEncrypted { ciphertext: ciphertext.0 }
        }
        other => return Err(format!("localnet does not implement {other:?} yet")),
    })
}

/// The subnet and hyperparameter an `AdminUtils` call sets.
fn hyperparameter(c: admin_utils::Call) -> (u16, Hyperparameter) {
    use Hyperparameter as H;
    use admin_utils::Call as A;
    match c {
        A::sudo_set_weights_set_rate_limit { netuid, weights_set_rate_limit: v } => {
            (netuid, H::WeightsRateLimit(v))
        }
        A::sudo_set_immunity_period { netuid, immunity_period: v } => {
            (netuid, H::ImmunityPeriod(v))
        }
        A::sudo_set_max_allowed_uids { netuid, max_allowed_uids: v } => {
            (netuid, H::MaxAllowedUids(v))
        }
        A::sudo_set_kappa { netuid, kappa: v } => (netuid, H::Kappa(v)),
        A::sudo_set_activity_cutoff { netuid, activity_cutoff: v } => {
            (netuid, H::ActivityCutoff(v))
        }
        A::sudo_set_network_registration_allowed { netuid, registration_allowed: v } => {
            (netuid, H::RegistrationAllowed(v))
        }
        A::sudo_set_min_burn { netuid, min_burn: v } => (netuid, H::MinBurn(v)),
        A::sudo_set_max_burn { netuid, max_burn: v } => (netuid, H::MaxBurn(v)),
        A::sudo_set_max_allowed_validators { netuid, max_allowed_validators: v } => {
            (netuid, H::MaxAllowedValidators(v))
        }
        A::sudo_set_bonds_moving_average { netuid, bonds_moving_average: v } => {
            (netuid, H::BondsMovingAverage(v))
        }
        A::sudo_set_tempo { netuid, tempo: v } => (netuid, H::Tempo(v)),
        A::sudo_set_commit_reveal_weights_enabled { netuid, enabled: v } => {
            (netuid, H::CommitRevealEnabled(v))
        }
        A::sudo_set_commit_reveal_weights_interval { netuid, interval: v } => {
            (netuid, H::CommitRevealPeriod(v))
        }
        A::sudo_set_toggle_transfer { netuid, toggle: v } => (netuid, H::TransferEnabled(v)),
        A::sudo_set_recycle_or_burn { netuid, recycle_or_burn } => (
            netuid,
            H::RecycleOrBurn(match recycle_or_burn {
                admin_utils::RecycleOrBurnEnum::Burn => RecycleOrBurn::Burn,
                admin_utils::RecycleOrBurnEnum::Recycle => RecycleOrBurn::Recycle,
            }),
        ),
    }
}

/// The `AdminUtils` (or `Swap`) call that sets `param` on `netuid`.
fn admin_call(netuid: u16, param: Hyperparameter) -> RuntimeCall {
    use Hyperparameter as H;
    use admin_utils::Call as A;
    RuntimeCall::AdminUtils(match param {
        H::FeeRate(rate) => return RuntimeCall::Swap(swap::Call::set_fee_rate { netuid, rate }),
        H::Tempo(tempo) => A::sudo_set_tempo { netuid, tempo },
        H::WeightsRateLimit(v) => {
            A::sudo_set_weights_set_rate_limit { netuid, weights_set_rate_limit: v }
        }
        H::CommitRevealEnabled(enabled) => {
            A::sudo_set_commit_reveal_weights_enabled { netuid, enabled }
        }
        H::CommitRevealPeriod(interval) => {
            A::sudo_set_commit_reveal_weights_interval { netuid, interval }
        }
        H::MaxAllowedValidators(v) => {
            A::sudo_set_max_allowed_validators { netuid, max_allowed_validators: v }
        }
        H::MaxAllowedUids(v) => A::sudo_set_max_allowed_uids { netuid, max_allowed_uids: v },
        H::ImmunityPeriod(v) => A::sudo_set_immunity_period { netuid, immunity_period: v },
        H::ActivityCutoff(v) => A::sudo_set_activity_cutoff { netuid, activity_cutoff: v },
        H::Kappa(kappa) => A::sudo_set_kappa { netuid, kappa },
        H::BondsMovingAverage(v) => {
            A::sudo_set_bonds_moving_average { netuid, bonds_moving_average: v }
        }
        H::MinBurn(min_burn) => A::sudo_set_min_burn { netuid, min_burn },
        H::MaxBurn(max_burn) => A::sudo_set_max_burn { netuid, max_burn },
        H::RecycleOrBurn(r) => A::sudo_set_recycle_or_burn {
            netuid,
            recycle_or_burn: match r {
                RecycleOrBurn::Burn => admin_utils::RecycleOrBurnEnum::Burn,
                RecycleOrBurn::Recycle => admin_utils::RecycleOrBurnEnum::Recycle,
            },
        },
        H::TransferEnabled(toggle) => A::sudo_set_toggle_transfer { netuid, toggle },
        H::RegistrationAllowed(v) => {
            A::sudo_set_network_registration_allowed { netuid, registration_allowed: v }
        }
    })
}

fn id32(a: &AccountId) -> AccountId32 {
    AccountId32(a.0)
}

fn runtime_proxy_type(t: ProxyType) -> proxy::ProxyType {
    match t {
        ProxyType::Any => proxy::ProxyType::Any,
        ProxyType::Staking => proxy::ProxyType::Staking,
        ProxyType::NonTransfer => proxy::ProxyType::NonTransfer,
    }
}

/// An axon's address text as the integer the chain stores (0 for text that is no address).
fn ip_number(ip: &str) -> u128 {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => u128::from(u32::from(v4)),
        Ok(std::net::IpAddr::V6(v6)) => u128::from(v6),
        Err(_) => 0,
    }
}

/// localnet's identity for Subtensor's `SubnetIdentityV3`, with no symbol (the chain assigns a
/// subnet's symbol at registration and an identity without one keeps it). The fields localnet
/// does not keep (contact, Discord, additional) must be empty: refused rather than dropped.
fn from_v3(v3: super::types::SubnetIdentityV3) -> Result<chain::SubnetIdentity, String> {
    for (field, value) in [
        ("subnet_contact", &v3.subnet_contact),
        ("discord", &v3.discord),
        ("additional", &v3.additional),
    ] {
        if !value.is_empty() {
            return Err(format!(
                "localnet keeps no {field} in a subnet identity yet; send it empty"
            ));
        }
    }
    let text = |field: &str, bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| format!("the identity's {field} is not UTF-8"))
    };
    Ok(chain::SubnetIdentity {
        name: text("subnet_name", v3.subnet_name)?,
        symbol: String::new(),
        description: text("description", v3.description)?,
        url: text("subnet_url", v3.subnet_url)?,
        github: text("github_repo", v3.github_repo)?,
        logo_url: text("logo_url", v3.logo_url)?,
    })
}

/// A subnet identity in Subtensor's `SubnetIdentityV3` (which has no symbol: the chain assigns
/// a subnet's token symbol itself).
fn identity_v3(i: &chain::SubnetIdentity) -> super::types::SubnetIdentityV3 {
    super::types::SubnetIdentityV3 {
        subnet_name: i.name.clone().into_bytes(),
        github_repo: i.github.clone().into_bytes(),
        subnet_contact: Vec::new(),
        subnet_url: i.url.clone().into_bytes(),
        discord: Vec::new(),
        description: i.description.clone().into_bytes(),
        logo_url: i.logo_url.clone().into_bytes(),
        additional: Vec::new(),
    }
}

/// Subtensor's call for a localnet call: the inverse of [`chain_call`]. Every call localnet
/// has today has its counterpart; `None` is for a call added to [`Call`] before it gets one.
pub fn runtime_call(call: &Call) -> Option<RuntimeCall> {
    use sm::Call as S;
    let sm = RuntimeCall::SubtensorModule;
    Some(match call.clone() {
        Call::Transfer { dest, amount } => {
            RuntimeCall::Balances(balances::Call::transfer_keep_alive {
                dest: MultiAddress::Id(id32(&dest)),
                value: amount.rao(),
            })
        }
        Call::AddStake { hotkey, netuid, amount_staked } => {
            sm(S::add_stake { hotkey: id32(&hotkey), netuid, amount_staked: amount_staked.rao() })
        }
        Call::AddStakeLimit { hotkey, netuid, amount_staked, limit_price, allow_partial } => {
            sm(S::add_stake_limit {
                hotkey: id32(&hotkey),
                netuid,
                amount_staked: amount_staked.rao(),
                limit_price,
                allow_partial,
            })
        }
        Call::RemoveStake { hotkey, netuid, amount_unstaked } => sm(S::remove_stake {
            hotkey: id32(&hotkey),
            netuid,
            amount_unstaked: amount_unstaked.rao(),
        }),
        Call::RemoveStakeLimit { hotkey, netuid, amount_unstaked, limit_price, allow_partial } => {
            sm(S::remove_stake_limit {
                hotkey: id32(&hotkey),
                netuid,
                amount_unstaked: amount_unstaked.rao(),
                limit_price,
                allow_partial,
            })
        }
        Call::RemoveStakeFullLimit { hotkey, netuid, limit_price } => {
            sm(S::remove_stake_full_limit { hotkey: id32(&hotkey), netuid, limit_price })
        }
        Call::SwapStake { hotkey, origin_netuid, destination_netuid, alpha_amount } => {
            sm(S::swap_stake {
                hotkey: id32(&hotkey),
                origin_netuid,
                destination_netuid,
                alpha_amount: alpha_amount.rao(),
            })
        }
        Call::SwapStakeLimit {
            hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
            limit_price,
            allow_partial,
        } => sm(S::swap_stake_limit {
            hotkey: id32(&hotkey),
            origin_netuid,
            destination_netuid,
            alpha_amount: alpha_amount.rao(),
            limit_price,
            allow_partial,
        }),
        Call::MoveStake {
            origin_hotkey,
            destination_hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
        } => sm(S::move_stake {
            origin_hotkey: id32(&origin_hotkey),
            destination_hotkey: id32(&destination_hotkey),
            origin_netuid,
            destination_netuid,
            alpha_amount: alpha_amount.rao(),
        }),
        Call::TransferStake {
            destination_coldkey,
            hotkey,
            origin_netuid,
            destination_netuid,
            alpha_amount,
        } => sm(S::transfer_stake {
            destination_coldkey: id32(&destination_coldkey),
            hotkey: id32(&hotkey),
            origin_netuid,
            destination_netuid,
            alpha_amount: alpha_amount.rao(),
        }),
        Call::UnstakeAll { hotkey } => sm(S::unstake_all { hotkey: id32(&hotkey) }),
        Call::RegisterNetwork { hotkey, identity: None } => {
            sm(S::register_network { hotkey: id32(&hotkey) })
        }
        Call::RegisterNetwork { hotkey, identity: Some(identity) } => {
            sm(S::register_network_with_identity {
                hotkey: id32(&hotkey),
                identity: Some(identity_v3(&identity)),
            })
        }
        Call::StartCall { netuid } => sm(S::start_call { netuid }),
        Call::SetSubnetIdentity { netuid, identity } => {
            let v3 = identity_v3(&identity);
            sm(S::set_subnet_identity {
                netuid,
                subnet_name: v3.subnet_name,
                github_repo: v3.github_repo,
                subnet_contact: v3.subnet_contact,
                subnet_url: v3.subnet_url,
                discord: v3.discord,
                description: v3.description,
                logo_url: v3.logo_url,
                additional: v3.additional,
            })
        }
        Call::SetHyperparameter { netuid, param } => admin_call(netuid, param),
        Call::BurnedRegister { netuid, hotkey } => {
            sm(S::burned_register { netuid, hotkey: id32(&hotkey) })
        }
        Call::ServeAxon { netuid, axon } => sm(S::serve_axon {
            netuid,
            version: axon.version,
            ip: ip_number(&axon.ip),
            port: axon.port,
            ip_type: axon.ip_type,
            protocol: axon.protocol,
            placeholder1: 0,
            placeholder2: 0,
        }),
        Call::SetWeights { netuid, dests, weights, version_key } => {
            sm(S::set_weights { netuid, dests, weights, version_key })
        }
        Call::CommitWeights { netuid, commit_hash } => {
            sm(S::commit_weights { netuid, commit_hash: super::types::H256(commit_hash.0) })
        }
        Call::RevealWeights { netuid, uids, values, salt, version_key } => {
            sm(S::reveal_weights { netuid, uids, values, salt, version_key })
        }
        Call::AddProxy { delegate, proxy_type } => RuntimeCall::Proxy(proxy::Call::add_proxy {
            delegate: MultiAddress::Id(id32(&delegate)),
            proxy_type: runtime_proxy_type(proxy_type),
            delay: 0,
        }),
        Call::RemoveProxy { delegate, proxy_type } => {
            RuntimeCall::Proxy(proxy::Call::remove_proxy {
                delegate: MultiAddress::Id(id32(&delegate)),
                proxy_type: runtime_proxy_type(proxy_type),
                delay: 0,
            })
        }
        Call::Proxy { real, call } => RuntimeCall::Proxy(proxy::Call::proxy {
            real: MultiAddress::Id(id32(&real)),
            force_proxy_type: None,
            call: Box::new(runtime_call(&call)?),
        }),
        Call::BatchAll { calls } => RuntimeCall::Utility(utility::Call::batch_all {
            calls: calls.iter().map(runtime_call).collect::<Option<_>>()?,
        }),
        Call::SubmitEncrypted { ciphertext } => {
            RuntimeCall::MevShield(mev_shield::Call::submit_encrypted {
                ciphertext: super::pallets::BoundedVec(ciphertext.clone()),
            })
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use chain::SigningContext;

    use super::*;

    /// Vectors from `bittensor-core` 0.1.5's `Runtime.encode_era` (the Python SDK's codec).
    #[test]
    fn eras_encode_as_substrate_does() {
        for (birth, period, bytes) in
            [(42, 64, "a502"), (7, 4, "3100"), (1_000_000, 65_536, "4f42"), (12_345, 100, "9603")]
        {
            let era = Era::covering(&Mortality::new(birth, period));
            assert_eq!(hex::encode(era.encode()), bytes, "{birth} {period}");
            assert_eq!(Era::decode(&mut &era.encode()[..]).unwrap(), era);
        }
        assert_eq!(Era::Immortal.encode(), [0]);
        // A window read back covers the block it was made at and the period after it.
        let era = Era::covering(&Mortality::new(1_000, 64));
        for current in 1_000..1_064 {
            assert_eq!(era.mortality(current), Mortality::new(1_000, 64), "at {current}");
        }
        assert_eq!(era.birth(1_064), 1_064);
        assert!(Era::decode(&mut &[0x01, 0xff][..]).is_err(), "a phase beyond its period");
    }

    #[test]
    fn every_call_has_its_subtensor_counterpart_and_back() {
        for call in test_support::calls::every_call() {
            let runtime = runtime_call(&call).unwrap_or_else(|| panic!("{call:?}"));
            let bytes = runtime.encode();
            let decoded = RuntimeCall::decode(&mut &bytes[..]).unwrap();
            assert_eq!(chain_call(&decoded).unwrap(), call);
        }
        // Written in Subtensor's form, identities lose their symbol: read back, refused.
        let identity = chain::SubnetIdentity {
            name: "Apex".into(),
            symbol: "α".into(),
            description: "d".into(),
            url: "https://apex".into(),
            github: "https://github.com/apex".into(),
            logo_url: String::new(),
        };
        let register =
            Call::RegisterNetwork { hotkey: AccountId([2; 32]), identity: Some(identity.clone()) };
        let set = Call::SetSubnetIdentity { netuid: 4, identity: identity.clone() };
        // Read back without the symbol, which Subtensor's form does not carry (the chain keeps
        // the subnet's), every other field intact.
        let unsymbolled = chain::SubnetIdentity { symbol: String::new(), ..identity };
        let back = chain_call(&runtime_call(&register).unwrap()).unwrap();
        let expected = Call::RegisterNetwork {
            hotkey: AccountId([2; 32]),
            identity: Some(unsymbolled.clone()),
        };
        assert_eq!(back, expected);
        let back = chain_call(&runtime_call(&set).unwrap()).unwrap();
        assert_eq!(back, Call::SetSubnetIdentity { netuid: 4, identity: unsymbolled });
        // Fields localnet does not keep are refused, not dropped.
        let mut v3 = identity_v3(&chain::SubnetIdentity::default());
        v3.discord = b"apex#1".to_vec();
        let with_discord = RuntimeCall::SubtensorModule(sm::Call::register_network_with_identity {
            hotkey: AccountId32([2; 32]),
            identity: Some(v3),
        });
        let refused = chain_call(&with_discord).unwrap_err();
        assert!(refused.contains("discord"), "{refused}");
    }

    fn context() -> SigningContext {
        SigningContext { genesis_hash: Hash([7; 32]), spec_version: 393 }
    }

    /// A v4 extrinsic signed by `pair` over Substrate's payload at birth block 100.
    fn extrinsic(pair: &keys::Keypair, call: &Call, nonce: u32) -> Vec<u8> {
        let era = Era::covering(&Mortality::new(100, 64));
        let mut extra = era.encode();
        Compact(nonce).encode_to(&mut extra);
        Compact(0u64).encode_to(&mut extra);
        extra.push(0);
        let parts = SubstrateParts {
            call: runtime_call(call).unwrap().encode(),
            extra,
            era_hash: Hash([100; 32]),
        };
        let signature = pair.sign(&parts.signing_payload(&context())).0;
        parts.extrinsic(&AccountId::from(pair.public()), &signature)
    }

    fn known(n: BlockNumber) -> Option<Hash> {
        (n <= 105).then_some(Hash([n as u8; 32]))
    }

    #[test]
    fn a_submitted_extrinsic_verifies_and_keeps_its_bytes_and_hash() {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        let call = Call::Transfer { dest: AccountId([2; 32]), amount: Tao::from_rao(9) };
        let bytes = extrinsic(&alice, &call, 3);
        assert!(is_extrinsic(&bytes));
        let tx = submitted(&bytes, 106, Hash([7; 32]), known).unwrap();
        assert_eq!((tx.nonce, &tx.call, tx.mortality), (3, &call, Mortality::new(100, 64)));
        assert_eq!(tx.verify_signature(&context()), Ok(()));
        assert_eq!(tx.substrate_extrinsic().unwrap(), bytes);
        assert_eq!(tx.hash(), Hash::of(&bytes), "the hash Substrate's clients compute");
        assert_eq!(encoded(&tx), bytes, "served in blocks as submitted");
        // Another runtime version, or a call changed after signing: a bad proof.
        let other = SigningContext { spec_version: 394, ..context() };
        assert_eq!(tx.verify_signature(&other), Err(TxValidityError::BadProof));
        let mut tampered = bytes.clone();
        // A byte of the destination account, near the end of the call.
        let at = tampered.len() - 3;
        tampered[at] ^= 1;
        let tx = submitted(&tampered, 106, Hash([7; 32]), known).unwrap();
        assert_eq!(tx.verify_signature(&context()), Err(TxValidityError::BadProof));
    }

    #[test]
    fn submitted_extrinsics_are_refused_with_reasons() {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        let call = Call::UnstakeAll { hotkey: AccountId([2; 32]) };
        let bytes = extrinsic(&alice, &call, 0);
        // The era's birth block is unknown to the node.
        assert_eq!(
            submitted(&bytes, 106, Hash([7; 32]), |_| None),
            Err(TxValidityError::AncientBirthBlock { birth: 100 })
        );
        // A length prefix that lies, and an unsigned extrinsic.
        let mut cut = bytes.clone();
        cut.pop();
        assert!(!is_extrinsic(&cut));
        assert!(matches!(
            submitted(&cut, 106, Hash([7; 32]), known),
            Err(TxValidityError::Malformed(m)) if m.contains("length prefix")
        ));
        let unsigned = {
            let body = [&[0x04u8][..], &runtime_call(&call).unwrap().encode()].concat();
            [Compact(body.len() as u32).encode(), body].concat()
        };
        assert!(matches!(
            submitted(&unsigned, 106, Hash([7; 32]), known),
            Err(TxValidityError::Malformed(m)) if m.contains("unsigned")
        ));
    }

    #[test]
    fn localnet_transactions_are_served_as_decodable_extrinsics() {
        let alice = keys::Keypair::from_uri("//Alice").unwrap();
        for (i, call) in test_support::calls::every_call().into_iter().enumerate() {
            let tx = SignedTransaction::sign(
                &alice,
                call.clone(),
                i as u64,
                Mortality::new(500, 64),
                3,
                &context(),
            );
            let bytes = encoded(&tx);
            assert!(is_extrinsic(&bytes));
            let mut body = &bytes[..];
            Compact::<u32>::decode(&mut body).unwrap();
            let back = decode_signed(body).unwrap_or_else(|e| panic!("{call:?}: {e}"));
            assert_eq!((back.signer, u64::from(back.nonce), back.tip), (tx.signer, tx.nonce, 3));
            assert_eq!(chain_call(&back.call).unwrap(), call);
        }
    }
}
