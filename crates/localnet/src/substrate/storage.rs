//! Storage keys in Subtensor's layout: `twox128(pallet) ++ twox128(item)`, then each key part
//! hashed by the item's hasher (`Blake2_128Concat` = blake2_128 ++ the encoded part,
//! `Twox64Concat` = twox64 ++ part, `Identity` = the part).

use sp_crypto_hashing::{blake2_128, twox_64, twox_128};

/// The 32-byte prefix of a storage item.
pub fn prefix(pallet: &str, item: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(&twox_128(pallet.as_bytes()));
    key[16..].copy_from_slice(&twox_128(item.as_bytes()));
    key
}

/// `Blake2_128Concat` of an encoded key part.
pub fn blake2_128_concat(encoded: &[u8]) -> Vec<u8> {
    let mut out = blake2_128(encoded).to_vec();
    out.extend_from_slice(encoded);
    out
}

/// `Twox64Concat` of an encoded key part.
pub fn twox_64_concat(encoded: &[u8]) -> Vec<u8> {
    let mut out = twox_64(encoded).to_vec();
    out.extend_from_slice(encoded);
    out
}

/// The per-subnet items of `SubtensorModule` localnet serves: maps with an `Identity(u16)` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubnetItem {
    /// `SubnetTAO`: TAO in the pool.
    SubnetTao,
    /// `SubnetAlphaIn`: alpha in the pool.
    SubnetAlphaIn,
    /// `SubnetAlphaOut`: alpha outside the pool.
    SubnetAlphaOut,
    /// `SubnetMovingPrice` (I96F32 bits).
    SubnetMovingPrice,
    /// `SubnetVolume`.
    SubnetVolume,
    /// `SubnetTaoInEmission`.
    SubnetTaoInEmission,
    /// `SubnetAlphaInEmission`.
    SubnetAlphaInEmission,
    /// `SubnetAlphaOutEmission`.
    SubnetAlphaOutEmission,
    /// `Tempo`.
    Tempo,
    /// `SubnetMechanism`.
    SubnetMechanism,
    /// `NetworksAdded`.
    NetworksAdded,
    /// `NetworkRegisteredAt`.
    NetworkRegisteredAt,
    /// `SubnetOwner` (coldkey).
    SubnetOwner,
    /// `SubnetOwnerHotkey`.
    SubnetOwnerHotkey,
    /// `TokenSymbol`.
    TokenSymbol,
    /// `SubnetworkN`: registered neurons.
    SubnetworkN,
    /// `Burn`: the neuron registration burn now, rao.
    Burn,
}

impl SubnetItem {
    /// Every item, with its storage name.
    pub const ALL: [(SubnetItem, &'static str); 17] = [
        (SubnetItem::SubnetTao, "SubnetTAO"),
        (SubnetItem::SubnetAlphaIn, "SubnetAlphaIn"),
        (SubnetItem::SubnetAlphaOut, "SubnetAlphaOut"),
        (SubnetItem::SubnetMovingPrice, "SubnetMovingPrice"),
        (SubnetItem::SubnetVolume, "SubnetVolume"),
        (SubnetItem::SubnetTaoInEmission, "SubnetTaoInEmission"),
        (SubnetItem::SubnetAlphaInEmission, "SubnetAlphaInEmission"),
        (SubnetItem::SubnetAlphaOutEmission, "SubnetAlphaOutEmission"),
        (SubnetItem::Tempo, "Tempo"),
        (SubnetItem::SubnetMechanism, "SubnetMechanism"),
        (SubnetItem::NetworksAdded, "NetworksAdded"),
        (SubnetItem::NetworkRegisteredAt, "NetworkRegisteredAt"),
        (SubnetItem::SubnetOwner, "SubnetOwner"),
        (SubnetItem::SubnetOwnerHotkey, "SubnetOwnerHotkey"),
        (SubnetItem::TokenSymbol, "TokenSymbol"),
        (SubnetItem::SubnetworkN, "SubnetworkN"),
        (SubnetItem::Burn, "Burn"),
    ];
}

/// A storage item localnet serves, recognised from its full key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageItem {
    /// `System.Account(account)`.
    SystemAccount([u8; 32]),
    /// `System.Number`.
    SystemNumber,
    /// `System.Events`: the block's events (kept with the block, not in the state).
    SystemEvents,
    /// `Timestamp.Now`.
    TimestampNow,
    /// `SubtensorModule.TotalIssuance`.
    SubtensorTotalIssuance,
    /// `Balances.TotalIssuance`.
    BalancesTotalIssuance,
    /// `SubtensorModule.TotalNetworks`.
    TotalNetworks,
    /// `MevShield.NextKey`: the key the block author decrypts with (the node's, not state).
    MevShieldNextKey,
    /// A per-subnet `SubtensorModule` item.
    Subnet(SubnetItem, u16),
    /// `SubtensorModule.SubnetIdentitiesV3(netuid)` (a `Blake2_128Concat` key, unlike the
    /// per-subnet items above).
    SubnetIdentity(u16),
    /// `Swap.FeeRate(netuid)`: the pool's fee, parts of 65535 (a `Twox64Concat` key).
    SwapFeeRate(u16),
    /// A `Commitments` map's entry for (netuid, hotkey): `Identity(u16) ++ Twox64Concat`.
    /// localnet holds no commitments, so every such key reads as absent.
    Commitment(CommitmentItem, u16, [u8; 32]),
}

/// The `Commitments` maps localnet declares (the SDK's metagraph reads both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentItem {
    /// `CommitmentOf`.
    CommitmentOf,
    /// `RevealedCommitments`.
    RevealedCommitments,
}

impl CommitmentItem {
    /// Every item, with its storage name.
    pub const ALL: [(CommitmentItem, &'static str); 2] = [
        (CommitmentItem::CommitmentOf, "CommitmentOf"),
        (CommitmentItem::RevealedCommitments, "RevealedCommitments"),
    ];
}

/// Parses a full storage key. `None` for keys of items localnet does not serve.
pub fn parse(key: &[u8]) -> Option<StorageItem> {
    let (head, rest) = key.split_at_checked(32)?;
    if head == prefix("System", "Account") {
        let (hash, account) = rest.split_at_checked(16)?;
        let account: [u8; 32] = account.try_into().ok()?;
        return (hash == blake2_128(&account)).then_some(StorageItem::SystemAccount(account));
    }
    if head == prefix("SubtensorModule", "SubnetIdentitiesV3") {
        let (hash, netuid) = rest.split_at_checked(16)?;
        let netuid = <[u8; 2]>::try_from(netuid).ok()?;
        return (hash == blake2_128(&netuid))
            .then_some(StorageItem::SubnetIdentity(u16::from_le_bytes(netuid)));
    }
    if head == prefix("Swap", "FeeRate") {
        let (hash, netuid) = rest.split_at_checked(8)?;
        let netuid = <[u8; 2]>::try_from(netuid).ok()?;
        return (hash == sp_crypto_hashing::twox_64(&netuid))
            .then_some(StorageItem::SwapFeeRate(u16::from_le_bytes(netuid)));
    }
    if let Some((item, _)) =
        CommitmentItem::ALL.iter().find(|(_, name)| head == prefix("Commitments", name))
    {
        let (netuid, rest) = rest.split_at_checked(2)?;
        let (hash, hotkey) = rest.split_at_checked(8)?;
        let hotkey: [u8; 32] = hotkey.try_into().ok()?;
        let netuid = u16::from_le_bytes(netuid.try_into().ok()?);
        return (hash == sp_crypto_hashing::twox_64(&hotkey))
            .then_some(StorageItem::Commitment(*item, netuid, hotkey));
    }
    if let Ok(netuid) = <[u8; 2]>::try_from(rest) {
        return SubnetItem::ALL
            .iter()
            .find(|(_, name)| head == prefix("SubtensorModule", name))
            .map(|(item, _)| StorageItem::Subnet(*item, u16::from_le_bytes(netuid)));
    }
    if !rest.is_empty() {
        return None;
    }
    if head == prefix("System", "Number") {
        Some(StorageItem::SystemNumber)
    } else if head == prefix("System", "Events") {
        Some(StorageItem::SystemEvents)
    } else if head == prefix("Timestamp", "Now") {
        Some(StorageItem::TimestampNow)
    } else if head == prefix("Balances", "TotalIssuance") {
        Some(StorageItem::BalancesTotalIssuance)
    } else if head == prefix("SubtensorModule", "TotalIssuance") {
        Some(StorageItem::SubtensorTotalIssuance)
    } else if head == prefix("SubtensorModule", "TotalNetworks") {
        Some(StorageItem::TotalNetworks)
    } else if head == prefix("MevShield", "NextKey") {
        Some(StorageItem::MevShieldNextKey)
    } else {
        None
    }
}

/// The full key of `item`.
pub fn key(item: StorageItem) -> Vec<u8> {
    match item {
        StorageItem::SystemAccount(account) => system_account(&account),
        StorageItem::SystemNumber => prefix("System", "Number").to_vec(),
        StorageItem::SystemEvents => prefix("System", "Events").to_vec(),
        StorageItem::TimestampNow => prefix("Timestamp", "Now").to_vec(),
        StorageItem::SubtensorTotalIssuance => prefix("SubtensorModule", "TotalIssuance").to_vec(),
        StorageItem::BalancesTotalIssuance => prefix("Balances", "TotalIssuance").to_vec(),
        StorageItem::TotalNetworks => prefix("SubtensorModule", "TotalNetworks").to_vec(),
        StorageItem::MevShieldNextKey => prefix("MevShield", "NextKey").to_vec(),
        StorageItem::Subnet(item, netuid) => {
            let name = SubnetItem::ALL.iter().find(|(i, _)| *i == item).map_or("", |(_, n)| n);
            let mut key = prefix("SubtensorModule", name).to_vec();
            key.extend_from_slice(&netuid.to_le_bytes());
            key
        }
        StorageItem::SubnetIdentity(netuid) => {
            let mut key = prefix("SubtensorModule", "SubnetIdentitiesV3").to_vec();
            key.extend_from_slice(&blake2_128_concat(&netuid.to_le_bytes()));
            key
        }
        StorageItem::SwapFeeRate(netuid) => {
            let mut key = prefix("Swap", "FeeRate").to_vec();
            key.extend_from_slice(&twox_64_concat(&netuid.to_le_bytes()));
            key
        }
        StorageItem::Commitment(item, netuid, hotkey) => {
            let name = CommitmentItem::ALL.iter().find(|(i, _)| *i == item).map_or("", |(_, n)| n);
            let mut key = prefix("Commitments", name).to_vec();
            key.extend_from_slice(&netuid.to_le_bytes());
            key.extend_from_slice(&twox_64_concat(&hotkey));
            key
        }
    }
}

/// How the keys of a served storage item are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// A plain item: its one key is its prefix.
    Plain(StorageItem),
    /// `System.Account`: one key per account.
    Account,
    /// A per-subnet item: one key per subnet.
    Subnet(SubnetItem),
    /// `SubnetIdentitiesV3`: one key per subnet with an identity.
    SubnetIdentity,
    /// A `Commitments` map: no keys (localnet holds no commitments).
    Commitment(CommitmentItem),
    /// `Swap.FeeRate`: one key per subnet.
    SwapFeeRate,
}

/// Every storage item localnet serves: (pallet, item, how its keys are formed).
pub fn served() -> impl Iterator<Item = (&'static str, &'static str, Served)> {
    [
        ("System", "Account", Served::Account),
        ("System", "Number", Served::Plain(StorageItem::SystemNumber)),
        ("System", "Events", Served::Plain(StorageItem::SystemEvents)),
        ("Timestamp", "Now", Served::Plain(StorageItem::TimestampNow)),
        ("Balances", "TotalIssuance", Served::Plain(StorageItem::BalancesTotalIssuance)),
        ("SubtensorModule", "TotalIssuance", Served::Plain(StorageItem::SubtensorTotalIssuance)),
        ("SubtensorModule", "TotalNetworks", Served::Plain(StorageItem::TotalNetworks)),
        ("SubtensorModule", "SubnetIdentitiesV3", Served::SubnetIdentity),
        ("MevShield", "NextKey", Served::Plain(StorageItem::MevShieldNextKey)),
        ("Swap", "FeeRate", Served::SwapFeeRate),
    ]
    .into_iter()
    .chain(
        CommitmentItem::ALL
            .iter()
            .map(|(item, name)| ("Commitments", *name, Served::Commitment(*item))),
    )
    .chain(
        SubnetItem::ALL
            .iter()
            .map(|(item, name)| ("SubtensorModule", *name, Served::Subnet(*item))),
    )
}

/// The key of `System.Account(account)`.
pub fn system_account(account: &[u8; 32]) -> Vec<u8> {
    let mut key = prefix("System", "Account").to_vec();
    key.extend_from_slice(&blake2_128_concat(account));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_account_key_has_the_known_prefix_and_round_trips() {
        // The well-known prefix of System.Account on every Substrate chain.
        let known = "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9";
        let key = system_account(&[7; 32]);
        assert_eq!(hex::encode(&key[..32]), known);
        assert_eq!(key.len(), 32 + 16 + 32);
        assert_eq!(parse(&key), Some(StorageItem::SystemAccount([7; 32])));
        let mut wrong = key.clone();
        wrong[40] ^= 1;
        assert_eq!(parse(&wrong), None, "a bad blake2_128 part is not the account's key");
        assert_eq!(parse(&key[..40]), None);
    }

    #[test]
    fn plain_items_parse_and_unknown_keys_do_not() {
        assert_eq!(parse(&prefix("System", "Number")), Some(StorageItem::SystemNumber));
        assert_eq!(parse(&prefix("Timestamp", "Now")), Some(StorageItem::TimestampNow));
        assert_eq!(parse(&prefix("System", "Events")), Some(StorageItem::SystemEvents));
        assert_eq!(parse(&prefix("System", "BlockHash")), None);
        assert_eq!(parse(b"short"), None);
        let mut tao = prefix("SubtensorModule", "SubnetTAO").to_vec();
        tao.extend_from_slice(&7u16.to_le_bytes());
        assert_eq!(parse(&tao), Some(StorageItem::Subnet(SubnetItem::SubnetTao, 7)));
        tao.push(0);
        assert_eq!(parse(&tao), None, "an Identity(u16) key is two bytes");
    }

    #[test]
    fn every_served_item_has_its_key_parsed_back() {
        for (pallet, name, served) in served() {
            let item = match served {
                Served::Plain(item) => item,
                Served::Account => StorageItem::SystemAccount([3; 32]),
                Served::Subnet(item) => StorageItem::Subnet(item, 300),
                Served::SubnetIdentity => StorageItem::SubnetIdentity(300),
                Served::Commitment(item) => StorageItem::Commitment(item, 300, [3; 32]),
                Served::SwapFeeRate => StorageItem::SwapFeeRate(300),
            };
            let key = key(item);
            assert_eq!(&key[..32], prefix(pallet, name), "{pallet}.{name}");
            assert_eq!(parse(&key), Some(item), "{pallet}.{name}");
        }
    }
}
