//! Calls: what a signed transaction asks the chain to do.
//!
//! The set and the semantics follow Subtensor (reference §2.3, §2.5, §5): amounts are `u64` rao
//! (TAO for `*_staked`/`amount`, alpha for `*_unstaked`/`alpha_amount`), limit prices are rao
//! per alpha (TAO-per-alpha × 10⁹). Calls are SCALE-encoded for signing and JSON-encoded (amounts
//! as strings) for people.

use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Serialize};

use std::fmt;

use dtao::units::{Alpha, Tao};

use crate::primitives::{AccountId, NetUid, u64_string};

/// Proxy permissions, as Subtensor's `ProxyType` (the subset taoplex uses).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProxyType {
    /// May do anything the real account may.
    Any,
    /// May stake, unstake, move and swap stake — never transfer TAO or stake to another coldkey.
    Staking,
    /// May do nothing that moves funds: weights, axon, identity.
    NonTransfer,
}

impl ProxyType {
    /// The type's name in plain words: "any", "staking", "non-transfer".
    pub fn name(self) -> &'static str {
        match self {
            ProxyType::Any => "any",
            ProxyType::Staking => "staking",
            ProxyType::NonTransfer => "non-transfer",
        }
    }

    /// Whether a proxy of this type may dispatch `call` on behalf of the real account.
    pub fn allows(self, call: &Call) -> bool {
        match self {
            ProxyType::Any => true,
            ProxyType::Staking => call.is_stake_management(),
            ProxyType::NonTransfer => !call.moves_funds(),
        }
    }
}

/// A subnet's public identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct SubnetIdentity {
    /// Display name, e.g. "Apex".
    pub name: String,
    /// Token glyph, e.g. "α" or "ב".
    pub symbol: String,
    /// What the subnet does.
    pub description: String,
    /// Website.
    pub url: String,
    /// Source repository.
    pub github: String,
    /// Logo URL (may be empty; the terminal falls back to the glyph).
    pub logo_url: String,
}

/// What happens to miner incentive that lands on the subnet owner's own hotkeys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecycleOrBurn {
    /// Burned: alpha issuance keeps counting it (the chain's default).
    #[default]
    Burn,
    /// Recycled: alpha issuance falls by the amount.
    Recycle,
}

/// An owner-settable hyperparameter and its new value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "name", content = "value", rename_all = "snake_case")]
pub enum Hyperparameter {
    /// Blocks between epochs (360–50,400).
    Tempo(u16),
    /// Swap fee rate, parts of 65535 (≤ 10,000).
    FeeRate(u16),
    /// Blocks a validator must wait between `set_weights`.
    WeightsRateLimit(u64),
    /// Whether weights must be committed and revealed.
    CommitRevealEnabled(bool),
    /// Blocks between a commit and its reveal window.
    CommitRevealPeriod(u64),
    /// Validator permits (top stakers).
    MaxAllowedValidators(u16),
    /// UIDs on the subnet.
    MaxAllowedUids(u16),
    /// Blocks a new neuron cannot be pruned.
    ImmunityPeriod(u16),
    /// Blocks of inactivity after which a validator's weights no longer count.
    ActivityCutoff(u16),
    /// Consensus quantile κ, parts of 65535.
    Kappa(u16),
    /// Bonds EMA factor, parts of 1,000,000.
    BondsMovingAverage(u64),
    /// Minimum neuron registration burn, rao.
    MinBurn(#[codec(compact)] u64),
    /// Maximum neuron registration burn, rao.
    MaxBurn(#[codec(compact)] u64),
    /// Burn or recycle the incentive on the owner's own hotkeys.
    RecycleOrBurn(RecycleOrBurn),
    /// Whether stake may be transferred to another coldkey.
    TransferEnabled(bool),
    /// Whether new neurons may register.
    RegistrationAllowed(bool),
}

impl Hyperparameter {
    /// The snake-case name of the parameter.
    pub fn name(&self) -> &'static str {
        match self {
            Hyperparameter::Tempo(_) => "tempo",
            Hyperparameter::FeeRate(_) => "fee_rate",
            Hyperparameter::WeightsRateLimit(_) => "weights_rate_limit",
            Hyperparameter::CommitRevealEnabled(_) => "commit_reveal_enabled",
            Hyperparameter::CommitRevealPeriod(_) => "commit_reveal_period",
            Hyperparameter::MaxAllowedValidators(_) => "max_allowed_validators",
            Hyperparameter::MaxAllowedUids(_) => "max_allowed_uids",
            Hyperparameter::ImmunityPeriod(_) => "immunity_period",
            Hyperparameter::ActivityCutoff(_) => "activity_cutoff",
            Hyperparameter::Kappa(_) => "kappa",
            Hyperparameter::BondsMovingAverage(_) => "bonds_moving_average",
            Hyperparameter::MinBurn(_) => "min_burn",
            Hyperparameter::MaxBurn(_) => "max_burn",
            Hyperparameter::RecycleOrBurn(_) => "recycle_or_burn",
            Hyperparameter::TransferEnabled(_) => "transfer_enabled",
            Hyperparameter::RegistrationAllowed(_) => "registration_allowed",
        }
    }
}

/// A neuron's served endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct AxonInfo {
    /// IPv4 or IPv6 address as text.
    pub ip: String,
    /// TCP port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// Protocol number (0 = HTTP, as the SDK serves).
    pub protocol: u8,
    /// The neuron software's version.
    pub version: u32,
}

/// Everything a transaction can ask for.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Call {
    /// Send free TAO (`Balances::transfer_keep_alive`).
    Transfer {
        /// Recipient coldkey.
        dest: AccountId,
        /// TAO, rao.
        #[serde(with = "crate::primitives::tao_string")]
        amount: Tao,
    },
    /// Buy alpha with TAO and stake it to `hotkey` on `netuid`, at any price.
    AddStake {
        /// Hotkey to stake to.
        hotkey: AccountId,
        /// Subnet.
        netuid: NetUid,
        /// TAO, rao, including the swap fee.
        #[serde(with = "crate::primitives::tao_string")]
        amount_staked: Tao,
    },
    /// `AddStake`, but never above `limit_price`.
    AddStakeLimit {
        /// Hotkey to stake to.
        hotkey: AccountId,
        /// Subnet.
        netuid: NetUid,
        /// TAO, rao.
        #[serde(with = "crate::primitives::tao_string")]
        amount_staked: Tao,
        /// Highest price, rao per alpha.
        #[serde(with = "u64_string")]
        limit_price: u64,
        /// Fill what the limit allows instead of failing with `SlippageTooHigh`.
        allow_partial: bool,
    },
    /// Unstake alpha from `hotkey` on `netuid` and sell it for TAO, at any price.
    RemoveStake {
        /// Hotkey to unstake from.
        hotkey: AccountId,
        /// Subnet.
        netuid: NetUid,
        /// Alpha, rao.
        #[serde(with = "crate::primitives::alpha_string")]
        amount_unstaked: Alpha,
    },
    /// `RemoveStake`, but never below `limit_price`.
    RemoveStakeLimit {
        /// Hotkey to unstake from.
        hotkey: AccountId,
        /// Subnet.
        netuid: NetUid,
        /// Alpha, rao.
        #[serde(with = "crate::primitives::alpha_string")]
        amount_unstaked: Alpha,
        /// Lowest price, rao per alpha.
        #[serde(with = "u64_string")]
        limit_price: u64,
        /// Fill what the limit allows instead of failing with `SlippageTooHigh`.
        allow_partial: bool,
    },
    /// Exit a whole position, optionally with a price floor.
    RemoveStakeFullLimit {
        /// Hotkey to unstake from.
        hotkey: AccountId,
        /// Subnet.
        netuid: NetUid,
        /// Lowest price, rao per alpha.
        limit_price: Option<u64>,
    },
    /// Move stake between subnets on the same hotkey (sell on one, buy on the other).
    SwapStake {
        /// Hotkey.
        hotkey: AccountId,
        /// Subnet to leave.
        origin_netuid: NetUid,
        /// Subnet to enter.
        destination_netuid: NetUid,
        /// Alpha of the origin subnet, rao.
        #[serde(with = "crate::primitives::alpha_string")]
        alpha_amount: Alpha,
    },
    /// `SwapStake` with a limit on the origin/destination price ratio (× 10⁹).
    SwapStakeLimit {
        /// Hotkey.
        hotkey: AccountId,
        /// Subnet to leave.
        origin_netuid: NetUid,
        /// Subnet to enter.
        destination_netuid: NetUid,
        /// Alpha of the origin subnet, rao.
        #[serde(with = "crate::primitives::alpha_string")]
        alpha_amount: Alpha,
        /// Lowest origin/destination price ratio, × 10⁹.
        #[serde(with = "u64_string")]
        limit_price: u64,
        /// Fill what the limit allows.
        allow_partial: bool,
    },
    /// Move stake to another hotkey (and possibly subnet), same coldkey.
    MoveStake {
        /// Hotkey to leave.
        origin_hotkey: AccountId,
        /// Hotkey to enter.
        destination_hotkey: AccountId,
        /// Subnet to leave.
        origin_netuid: NetUid,
        /// Subnet to enter.
        destination_netuid: NetUid,
        /// Alpha of the origin subnet, rao.
        #[serde(with = "crate::primitives::alpha_string")]
        alpha_amount: Alpha,
    },
    /// Give stake to another coldkey (and possibly move subnet).
    TransferStake {
        /// Receiving coldkey.
        destination_coldkey: AccountId,
        /// Hotkey.
        hotkey: AccountId,
        /// Subnet to leave.
        origin_netuid: NetUid,
        /// Subnet to enter.
        destination_netuid: NetUid,
        /// Alpha of the origin subnet, rao.
        #[serde(with = "crate::primitives::alpha_string")]
        alpha_amount: Alpha,
    },
    /// Unstake everything staked to `hotkey`, on every subnet including root.
    UnstakeAll {
        /// Hotkey.
        hotkey: AccountId,
    },
    /// Register a new subnet, paying the lock cost; the signer becomes its owner.
    RegisterNetwork {
        /// The owner's hotkey.
        hotkey: AccountId,
        /// Identity to set at registration.
        identity: Option<SubnetIdentity>,
    },
    /// The owner starts emission on their subnet.
    StartCall {
        /// Subnet.
        netuid: NetUid,
    },
    /// The owner sets the subnet's identity.
    SetSubnetIdentity {
        /// Subnet.
        netuid: NetUid,
        /// New identity.
        identity: SubnetIdentity,
    },
    /// The owner changes a hyperparameter.
    SetHyperparameter {
        /// Subnet.
        netuid: NetUid,
        /// The parameter and its value.
        param: Hyperparameter,
    },
    /// Register a neuron (UID) on a subnet by burning TAO.
    BurnedRegister {
        /// Subnet.
        netuid: NetUid,
        /// The neuron's hotkey.
        hotkey: AccountId,
    },
    /// Publish a neuron's endpoint. Signed by the hotkey.
    ServeAxon {
        /// Subnet.
        netuid: NetUid,
        /// Endpoint.
        axon: AxonInfo,
    },
    /// Set a validator's weights. Signed by the hotkey.
    SetWeights {
        /// Subnet.
        netuid: NetUid,
        /// Target UIDs.
        dests: Vec<u16>,
        /// Weights, parts of 65535, same length as `dests`.
        weights: Vec<u16>,
        /// Must match the subnet's weights version key.
        version_key: u64,
    },
    /// Commit a hash of weights (commit–reveal). Signed by the hotkey.
    CommitWeights {
        /// Subnet.
        netuid: NetUid,
        /// BLAKE2b-256 of SCALE(account, netuid, uids, values, salt, version_key).
        commit_hash: crate::Hash,
    },
    /// Reveal committed weights.
    RevealWeights {
        /// Subnet.
        netuid: NetUid,
        /// Target UIDs.
        uids: Vec<u16>,
        /// Weights.
        values: Vec<u16>,
        /// The salt of the commit.
        salt: Vec<u16>,
        /// Weights version key.
        version_key: u64,
    },
    /// Let `delegate` act for the signer within `proxy_type`.
    AddProxy {
        /// The proxy account.
        delegate: AccountId,
        /// Its permissions.
        proxy_type: ProxyType,
    },
    /// Revoke a proxy.
    RemoveProxy {
        /// The proxy account.
        delegate: AccountId,
        /// Its permissions.
        proxy_type: ProxyType,
    },
    /// Dispatch `call` as `real`, which must have made the signer its proxy.
    Proxy {
        /// The account acted for.
        real: AccountId,
        /// The call.
        call: Box<Call>,
    },
    /// Dispatch `calls` in order, all or nothing (`Utility::batch_all`): the first leg that
    /// fails undoes the legs before it, and the transaction fails with that leg's error. One
    /// transaction fee for the whole batch.
    ///
    /// Nesting: a batch never holds a batch, at any depth (not even inside a `Proxy` leg) —
    /// a batch of batches is one flat batch, and refusing it keeps "leg n" meaning one thing.
    /// A batch may sit inside a `Proxy`; the proxy filter then applies to every leg (a Staking
    /// proxy may dispatch it only if every leg is stake management). See [`Call::batch_error`].
    BatchAll {
        /// The legs, at least one and at most [`MAX_BATCH_LEGS`].
        calls: Vec<Call>,
    },
    /// MEV Shield's wrapper (`MevShield::submit_encrypted`): another transaction of the same
    /// signer (nonce + 1), encrypted to the key the block author announces
    /// (`MevShield.NextKey`). The author decrypts it and includes it right after this one, so
    /// nobody sees the trade before it is in a block. Dispatching the wrapper itself only
    /// records [`crate::Event::EncryptedSubmitted`].
    SubmitEncrypted {
        /// The envelope: key hash, ML-KEM-768 ciphertext, nonce, XChaCha20-Poly1305 ciphertext
        /// of the signed inner extrinsic ([`SHIELD_MAX_CIPHERTEXT`] bytes at most).
        #[serde(with = "crate::primitives::hex_bytes")]
        ciphertext: Vec<u8>,
    },
}

/// The chain's bound on MEV Shield's ciphertext (`BoundedVec<u8, 8192>`).
pub const SHIELD_MAX_CIPHERTEXT: usize = 8192;

/// The longest lifetime, blocks, of a MEV Shield wrapper (Subtensor refuses a longer era).
pub const SHIELD_MAX_PERIOD: u64 = 8;

/// Most legs one batch may hold: enough for a basket over every subnet a page offers, few
/// enough that one transaction's weight and encoded size stay small.
pub const MAX_BATCH_LEGS: usize = 64;

impl Call {
    /// Staking within the signer's own coldkey: stake, unstake, move and swap stake. Never a
    /// transfer of TAO or of stake to another coldkey.
    pub fn is_stake_management(&self) -> bool {
        if let Call::BatchAll { calls } = self {
            return !calls.is_empty() && calls.iter().all(Call::is_stake_management);
        }
        matches!(
            self,
            Call::AddStake { .. }
                | Call::AddStakeLimit { .. }
                | Call::RemoveStake { .. }
                | Call::RemoveStakeLimit { .. }
                | Call::RemoveStakeFullLimit { .. }
                | Call::SwapStake { .. }
                | Call::SwapStakeLimit { .. }
                | Call::MoveStake { .. }
                | Call::UnstakeAll { .. }
        )
    }

    /// Anything that moves TAO or stake, spends on registration, or manages proxies.
    pub fn moves_funds(&self) -> bool {
        if let Call::BatchAll { calls } = self {
            return calls.iter().any(Call::moves_funds);
        }
        self.is_stake_management()
            || matches!(
                self,
                Call::Transfer { .. }
                    | Call::TransferStake { .. }
                    | Call::RegisterNetwork { .. }
                    | Call::BurnedRegister { .. }
                    | Call::Proxy { .. }
                    | Call::AddProxy { .. }
                    | Call::RemoveProxy { .. }
            )
    }

    /// The call's snake-case name, as in events and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Transfer { .. } => "transfer",
            Call::AddStake { .. } => "add_stake",
            Call::AddStakeLimit { .. } => "add_stake_limit",
            Call::RemoveStake { .. } => "remove_stake",
            Call::RemoveStakeLimit { .. } => "remove_stake_limit",
            Call::RemoveStakeFullLimit { .. } => "remove_stake_full_limit",
            Call::SwapStake { .. } => "swap_stake",
            Call::SwapStakeLimit { .. } => "swap_stake_limit",
            Call::MoveStake { .. } => "move_stake",
            Call::TransferStake { .. } => "transfer_stake",
            Call::UnstakeAll { .. } => "unstake_all",
            Call::RegisterNetwork { .. } => "register_network",
            Call::StartCall { .. } => "start_call",
            Call::SetSubnetIdentity { .. } => "set_subnet_identity",
            Call::SetHyperparameter { .. } => "set_hyperparameter",
            Call::BurnedRegister { .. } => "burned_register",
            Call::ServeAxon { .. } => "serve_axon",
            Call::SetWeights { .. } => "set_weights",
            Call::CommitWeights { .. } => "commit_weights",
            Call::RevealWeights { .. } => "reveal_weights",
            Call::AddProxy { .. } => "add_proxy",
            Call::RemoveProxy { .. } => "remove_proxy",
            Call::Proxy { .. } => "proxy",
            Call::BatchAll { .. } => "batch_all",
            Call::SubmitEncrypted { .. } => "submit_encrypted",
        }
    }

    /// Why this call breaks the batch rules, if it does: an empty batch, more than
    /// [`MAX_BATCH_LEGS`] legs, or a batch anywhere inside a batch's legs.
    pub fn batch_error(&self) -> Option<String> {
        match self {
            Call::BatchAll { calls } => {
                if calls.is_empty() {
                    return Some("a batch needs at least one call".into());
                }
                if calls.len() > MAX_BATCH_LEGS {
                    return Some(format!(
                        "a batch holds at most {MAX_BATCH_LEGS} calls, this one has {}",
                        calls.len()
                    ));
                }
                calls.iter().position(Call::contains_batch).map(|i| {
                    format!("leg {} is itself a batch; a batch cannot hold a batch", i + 1)
                })
            }
            Call::Proxy { call, .. } => call.batch_error(),
            _ => None,
        }
    }

    fn contains_batch(&self) -> bool {
        match self {
            Call::BatchAll { .. } => true,
            Call::Proxy { call, .. } => call.contains_batch(),
            _ => false,
        }
    }
}

impl Call {
    /// `call` dispatched as `real` by the signer, a proxy of `real` (`Proxy::proxy` with no
    /// forced proxy type: the chain picks the proxy relation that permits the call).
    pub fn proxied(real: AccountId, call: Call) -> Call {
        Call::Proxy { real, call: Box::new(call) }
    }

    /// The call in plain words, for a confirm card: "stake 10 τ on subnet 1 to 5F1g…, price
    /// no higher than 0.0057 τ/α, fill or kill". Amounts are exact (`dtao` units); accounts
    /// are shortened to their first four SS58 characters.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

/// An account as a confirm card shows it: its first four SS58 characters.
fn short(account: &AccountId) -> String {
    let ss58 = account.to_ss58();
    let head: String = ss58.chars().take(4).collect();
    format!("{head}…")
}

fn tao(rao: u64) -> Tao {
    Tao::from_rao(rao)
}

/// A limit price (rao per alpha) as "0.0057 τ/α".
fn price(rao_per_alpha: u64) -> String {
    format!("{} τ/α", Tao::from_rao(rao_per_alpha).to_decimal_string())
}

fn fill(allow_partial: bool) -> &'static str {
    if allow_partial { "partial fill allowed" } else { "fill or kill" }
}

impl fmt::Display for Hyperparameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            Hyperparameter::Tempo(v)
            | Hyperparameter::FeeRate(v)
            | Hyperparameter::MaxAllowedValidators(v)
            | Hyperparameter::MaxAllowedUids(v)
            | Hyperparameter::ImmunityPeriod(v)
            | Hyperparameter::ActivityCutoff(v)
            | Hyperparameter::Kappa(v) => write!(f, "{name} to {v}"),
            Hyperparameter::WeightsRateLimit(v)
            | Hyperparameter::CommitRevealPeriod(v)
            | Hyperparameter::BondsMovingAverage(v) => write!(f, "{name} to {v}"),
            Hyperparameter::MinBurn(v) | Hyperparameter::MaxBurn(v) => {
                write!(f, "{name} to {}", tao(*v))
            }
            Hyperparameter::CommitRevealEnabled(v)
            | Hyperparameter::TransferEnabled(v)
            | Hyperparameter::RegistrationAllowed(v) => write!(f, "{name} to {v}"),
            Hyperparameter::RecycleOrBurn(RecycleOrBurn::Burn) => write!(f, "{name} to burn"),
            Hyperparameter::RecycleOrBurn(RecycleOrBurn::Recycle) => {
                write!(f, "{name} to recycle")
            }
        }
    }
}

impl fmt::Display for Call {
    /// [`Call::describe`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::Transfer { dest, amount } => {
                write!(f, "send {} to {}", amount, short(dest))
            }
            Call::AddStake { hotkey, netuid, amount_staked } => write!(
                f,
                "stake {} on subnet {netuid} to {}, at any price",
                amount_staked,
                short(hotkey)
            ),
            Call::AddStakeLimit { hotkey, netuid, amount_staked, limit_price, allow_partial } => {
                write!(
                    f,
                    "stake {} on subnet {netuid} to {}, price no higher than {}, {}",
                    amount_staked,
                    short(hotkey),
                    price(*limit_price),
                    fill(*allow_partial)
                )
            }
            Call::RemoveStake { hotkey, netuid, amount_unstaked } => write!(
                f,
                "unstake {} on subnet {netuid} from {}, at any price",
                amount_unstaked,
                short(hotkey)
            ),
            Call::RemoveStakeLimit {
                hotkey,
                netuid,
                amount_unstaked,
                limit_price,
                allow_partial,
            } => write!(
                f,
                "unstake {} on subnet {netuid} from {}, price no lower than {}, {}",
                amount_unstaked,
                short(hotkey),
                price(*limit_price),
                fill(*allow_partial)
            ),
            Call::RemoveStakeFullLimit { hotkey, netuid, limit_price } => match limit_price {
                Some(limit) => write!(
                    f,
                    "unstake everything on subnet {netuid} from {}, price no lower than {}",
                    short(hotkey),
                    price(*limit)
                ),
                None => write!(
                    f,
                    "unstake everything on subnet {netuid} from {}, at any price",
                    short(hotkey)
                ),
            },
            Call::SwapStake { hotkey, origin_netuid, destination_netuid, alpha_amount } => write!(
                f,
                "swap {} staked to {} from subnet {origin_netuid} into subnet {destination_netuid}",
                alpha_amount,
                short(hotkey)
            ),
            Call::SwapStakeLimit {
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
                limit_price,
                allow_partial,
            } => write!(
                f,
                "swap {} staked to {} from subnet {origin_netuid} into subnet {destination_netuid}, price ratio no lower than {}, {}",
                alpha_amount,
                short(hotkey),
                Tao::from_rao(*limit_price).to_decimal_string(),
                fill(*allow_partial)
            ),
            Call::MoveStake {
                origin_hotkey,
                destination_hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => write!(
                f,
                "move {} from {} on subnet {origin_netuid} to {} on subnet {destination_netuid}",
                alpha_amount,
                short(origin_hotkey),
                short(destination_hotkey)
            ),
            Call::TransferStake {
                destination_coldkey,
                hotkey,
                origin_netuid,
                destination_netuid,
                alpha_amount,
            } => write!(
                f,
                "give {} staked to {} on subnet {origin_netuid} to coldkey {} on subnet {destination_netuid}",
                alpha_amount,
                short(hotkey),
                short(destination_coldkey)
            ),
            Call::UnstakeAll { hotkey } => {
                write!(f, "unstake everything staked to {} on every subnet", short(hotkey))
            }
            Call::RegisterNetwork { hotkey, identity } => match identity {
                Some(id) => write!(
                    f,
                    "register subnet {:?} with owner hotkey {}, paying the lock cost",
                    id.name,
                    short(hotkey)
                ),
                None => write!(
                    f,
                    "register a subnet with owner hotkey {}, paying the lock cost",
                    short(hotkey)
                ),
            },
            Call::StartCall { netuid } => write!(f, "start emission on subnet {netuid}"),
            Call::SetSubnetIdentity { netuid, identity } => {
                write!(f, "name subnet {netuid} {:?}", identity.name)
            }
            Call::SetHyperparameter { netuid, param } => {
                write!(f, "set {param} on subnet {netuid}")
            }
            Call::BurnedRegister { netuid, hotkey } => write!(
                f,
                "register hotkey {} on subnet {netuid}, burning the registration cost",
                short(hotkey)
            ),
            Call::ServeAxon { netuid, axon } => {
                write!(f, "serve an axon at {}:{} on subnet {netuid}", axon.ip, axon.port)
            }
            Call::SetWeights { netuid, dests, .. } => {
                write!(f, "set weights for {} UIDs on subnet {netuid}", dests.len())
            }
            Call::CommitWeights { netuid, .. } => write!(f, "commit weights on subnet {netuid}"),
            Call::RevealWeights { netuid, uids, .. } => {
                write!(f, "reveal weights for {} UIDs on subnet {netuid}", uids.len())
            }
            Call::AddProxy { delegate, proxy_type } => {
                write!(f, "make {} a {} proxy of this account", short(delegate), proxy_type.name())
            }
            Call::RemoveProxy { delegate, proxy_type } => write!(
                f,
                "revoke {} as a {} proxy of this account",
                short(delegate),
                proxy_type.name()
            ),
            Call::Proxy { real, call } => write!(f, "as proxy for {}: {call}", short(real)),
            Call::BatchAll { calls } => {
                write!(f, "all or nothing, {} calls:", calls.len())?;
                for (i, call) in calls.iter().enumerate() {
                    let sep = if i == 0 { " " } else { "; " };
                    write!(f, "{sep}({}) {call}", i + 1)?;
                }
                Ok(())
            }
            Call::SubmitEncrypted { ciphertext } => write!(
                f,
                "an MEV-shielded transaction ({} encrypted bytes), decrypted by the block author",
                ciphertext.len()
            ),
        }
    }
}

/// The commit hash of `CommitWeights`: BLAKE2b-256 of SCALE(account, netuid, uids, values,
/// salt, version_key), as Subtensor's commit–reveal v2.
pub fn weights_commit_hash(
    account: &AccountId,
    netuid: NetUid,
    uids: &[u16],
    values: &[u16],
    salt: &[u16],
    version_key: u64,
) -> crate::Hash {
    crate::Hash::of_encoded(&(account, netuid, uids, values, salt, version_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone() -> AccountId {
        AccountId([7; 32])
    }

    #[test]
    fn a_staking_proxy_may_stake_but_never_transfer() {
        let stake =
            Call::AddStake { hotkey: someone(), netuid: 1, amount_staked: Tao::from_rao(1) };
        let transfer = Call::Transfer { dest: someone(), amount: Tao::from_rao(1) };
        let give_stake = Call::TransferStake {
            destination_coldkey: someone(),
            hotkey: someone(),
            origin_netuid: 1,
            destination_netuid: 1,
            alpha_amount: Alpha::from_rao(1),
        };
        let weights =
            Call::SetWeights { netuid: 1, dests: vec![], weights: vec![], version_key: 0 };
        assert!(ProxyType::Staking.allows(&stake));
        assert!(!ProxyType::Staking.allows(&transfer));
        assert!(!ProxyType::Staking.allows(&give_stake));
        assert!(!ProxyType::NonTransfer.allows(&stake));
        assert!(ProxyType::NonTransfer.allows(&weights));
        assert!(ProxyType::Any.allows(&transfer));
    }

    #[test]
    fn calls_describe_themselves_for_a_confirm_card() {
        let alice: AccountId = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".parse().unwrap();
        let bob: AccountId = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".parse().unwrap();
        let stake = Call::AddStakeLimit {
            hotkey: bob,
            netuid: 1,
            amount_staked: Tao::from_rao(10_000_000_000),
            limit_price: 5_700_000,
            allow_partial: false,
        };
        assert_eq!(
            stake.describe(),
            "stake 10 τ on subnet 1 to 5FHn…, price no higher than 0.0057 τ/α, fill or kill"
        );
        assert_eq!(
            Call::proxied(alice, stake).describe(),
            "as proxy for 5Grw…: stake 10 τ on subnet 1 to 5FHn…, price no higher than 0.0057 τ/α, fill or kill"
        );
        let cases = [
            (
                Call::Transfer { dest: bob, amount: Tao::from_rao(1_500_000_000) },
                "send 1.5 τ to 5FHn…",
            ),
            (
                Call::RemoveStakeLimit {
                    hotkey: bob,
                    netuid: 3,
                    amount_unstaked: Alpha::from_rao(2_000_000_001),
                    limit_price: 1_000_000,
                    allow_partial: true,
                },
                "unstake 2.000000001 α on subnet 3 from 5FHn…, price no lower than 0.001 τ/α, partial fill allowed",
            ),
            (
                Call::RemoveStakeFullLimit { hotkey: bob, netuid: 3, limit_price: None },
                "unstake everything on subnet 3 from 5FHn…, at any price",
            ),
            (
                Call::AddProxy { delegate: bob, proxy_type: ProxyType::Staking },
                "make 5FHn… a staking proxy of this account",
            ),
            (
                Call::SetHyperparameter { netuid: 2, param: Hyperparameter::MinBurn(500_000_000) },
                "set min_burn to 0.5 τ on subnet 2",
            ),
            (
                Call::SetWeights {
                    netuid: 2,
                    dests: vec![0, 1],
                    weights: vec![1, 2],
                    version_key: 0,
                },
                "set weights for 2 UIDs on subnet 2",
            ),
        ];
        for (call, text) in cases {
            assert_eq!(call.describe(), text);
            assert_eq!(call.to_string(), text);
        }
    }

    fn leg(netuid: NetUid) -> Call {
        Call::AddStakeLimit {
            hotkey: someone(),
            netuid,
            amount_staked: Tao::from_rao(1_000_000_000),
            limit_price: 2_000_000_000,
            allow_partial: false,
        }
    }

    #[test]
    fn a_batch_lists_its_legs_and_round_trips() {
        let batch = Call::BatchAll { calls: vec![leg(1), leg(2)] };
        assert_eq!(
            batch.describe(),
            "all or nothing, 2 calls: (1) stake 1 τ on subnet 1 to 5CDv…, price no higher than 2 τ/α, fill or kill; \
             (2) stake 1 τ on subnet 2 to 5CDv…, price no higher than 2 τ/α, fill or kill"
        );
        let json = serde_json::to_string(&batch).unwrap();
        assert!(
            json.starts_with("{\"name\":\"batch_all\",\"calls\":[{\"name\":\"add_stake_limit\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Call>(&json).unwrap(), batch);
        let bytes = batch.encode();
        assert_eq!(Call::decode(&mut bytes.as_slice()).unwrap(), batch);
        assert_eq!(batch.name(), "batch_all");
        assert_eq!(batch.batch_error(), None);
    }

    #[test]
    fn batches_do_not_nest_and_proxies_filter_every_leg() {
        let nested = Call::BatchAll { calls: vec![leg(1), Call::BatchAll { calls: vec![leg(2)] }] };
        assert_eq!(
            nested.batch_error().as_deref(),
            Some("leg 2 is itself a batch; a batch cannot hold a batch")
        );
        let hidden = Call::BatchAll {
            calls: vec![Call::proxied(someone(), Call::BatchAll { calls: vec![leg(2)] })],
        };
        assert!(hidden.batch_error().is_some());
        assert!(Call::BatchAll { calls: vec![] }.batch_error().is_some());
        let too_many = Call::BatchAll { calls: vec![leg(1); MAX_BATCH_LEGS + 1] };
        assert!(too_many.batch_error().is_some());
        // A batch inside a proxy is fine, and is checked like any batch.
        let proxied = Call::proxied(someone(), Call::BatchAll { calls: vec![leg(1), leg(2)] });
        assert_eq!(proxied.batch_error(), None);
        assert!(Call::proxied(someone(), nested).batch_error().is_some());

        let stakes = Call::BatchAll { calls: vec![leg(1), leg(2)] };
        let with_transfer = Call::BatchAll {
            calls: vec![leg(1), Call::Transfer { dest: someone(), amount: Tao::from_rao(1) }],
        };
        assert!(ProxyType::Staking.allows(&stakes));
        assert!(!ProxyType::Staking.allows(&with_transfer));
        assert!(!ProxyType::Staking.allows(&Call::BatchAll { calls: vec![] }));
        assert!(!ProxyType::NonTransfer.allows(&stakes));
        let weights =
            Call::SetWeights { netuid: 1, dests: vec![], weights: vec![], version_key: 0 };
        assert!(ProxyType::NonTransfer.allows(&Call::BatchAll { calls: vec![weights] }));
    }

    #[test]
    fn proxied_is_the_proxy_call() {
        let call = Call::UnstakeAll { hotkey: someone() };
        assert_eq!(
            Call::proxied(AccountId([1; 32]), call.clone()),
            Call::Proxy { real: AccountId([1; 32]), call: Box::new(call) }
        );
    }

    #[test]
    fn calls_round_trip_through_json_and_scale() {
        let call = Call::AddStakeLimit {
            hotkey: someone(),
            netuid: 3,
            amount_staked: Tao::from_rao(18_446_744_073_709_551_615),
            limit_price: 10_000_000,
            allow_partial: true,
        };
        let json = serde_json::to_string(&call).unwrap();
        assert!(json.contains("\"name\":\"add_stake_limit\""), "{json}");
        assert!(json.contains("\"18446744073709551615\""), "amounts travel as strings: {json}");
        assert_eq!(serde_json::from_str::<Call>(&json).unwrap(), call);
        let bytes = parity_scale_codec::Encode::encode(&call);
        assert_eq!(
            <Call as parity_scale_codec::Decode>::decode(&mut bytes.as_slice()).unwrap(),
            call
        );
    }
}
