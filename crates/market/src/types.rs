//! Rows and values: what the indexer stores and the read API returns. Amounts are integer rao
//! (`u64`, JSON strings); floats appear only as display ratios (changes, shares).

use std::fmt;
use std::str::FromStr;

use chain::{AccountId, BlockNumber, Hash, NetUid, u64_string};
use serde::{Deserialize, Serialize};

/// Blocks per hour at the chain's 12 s target block time. All windows count blocks, not
/// wall-clock time: "1h" is 300 blocks, whatever the timestamps say.
pub const BLOCKS_PER_HOUR: u64 = 300;
/// Blocks per day (24h window): 7200.
pub const BLOCKS_PER_DAY: u64 = 7_200;
/// Blocks per week (7d window): 50,400.
pub const BLOCKS_PER_WEEK: u64 = 50_400;
/// Blocks per 30 days (30d window): 216,000.
pub const BLOCKS_PER_30D: u64 = 216_000;
/// Rao per whole token (TAO or alpha): the one constant, [`dtao::units::RAO_PER_TAO`].
pub use dtao::units::RAO_PER_TAO as RAO;
/// Alpha maximum supply used for FDV: 21M alpha, in rao.
pub const ALPHA_MAX_SUPPLY: u64 = 21_000_000 * RAO;

/// A stored (finalized) block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRow {
    /// Height.
    pub number: BlockNumber,
    /// Hash.
    pub hash: Hash,
    /// Parent hash.
    pub parent_hash: Hash,
    /// Producer's timestamp, Unix ms.
    pub timestamp_ms: u64,
    /// Extrinsics in the block.
    pub extrinsic_count: u32,
    /// Events in the block.
    pub event_count: u32,
}

/// One subnet's pool at the end of one block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolState {
    /// Subnet.
    pub netuid: NetUid,
    /// `SubnetTAO`, rao.
    #[serde(with = "u64_string")]
    pub tao_reserve: u64,
    /// `SubnetAlphaIn`, rao.
    #[serde(with = "u64_string")]
    pub alpha_in: u64,
    /// `SubnetAlphaOut` (alpha outstanding), rao.
    #[serde(with = "u64_string")]
    pub alpha_out: u64,
    /// Spot price, rao per alpha.
    #[serde(with = "u64_string")]
    pub price: u64,
    /// Moving (EMA) price, rao per alpha.
    #[serde(with = "u64_string")]
    pub moving_price: u64,
    /// Share of the block's TAO emission, parts per billion.
    pub emission_share_ppb: u64,
    /// TAO emitted to this subnet in the block, rao.
    #[serde(with = "u64_string")]
    pub tao_emission: u64,
    /// True if read from the chain at this block; false if derived by the indexer from the
    /// last exact state and the block's trades (see the crate docs).
    pub exact: bool,
}

impl PoolState {
    /// Market cap: alpha outstanding × price, TAO rao (floored).
    pub fn market_cap(&self) -> u64 {
        mul_price(self.alpha_out, self.price)
    }

    /// Fully diluted value: 21M alpha × price, TAO rao (floored).
    pub fn fdv(&self) -> u64 {
        mul_price(ALPHA_MAX_SUPPLY, self.price)
    }
}

/// `alpha × price / 1e9`, floored, saturating at `u64::MAX`.
pub fn mul_price(alpha: u64, price: u64) -> u64 {
    let v = u128::from(alpha) * u128::from(price) / u128::from(RAO);
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// What a trade did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeKind {
    /// TAO in, alpha out (`StakeAdded`).
    Buy,
    /// Alpha in, TAO out (`StakeRemoved`).
    Sell,
    /// `move_stake`: hotkey and/or subnet change, same coldkey.
    Move,
    /// `swap_stake`: subnet change on one hotkey.
    Swap,
    /// `transfer_stake`: to another coldkey (and possibly subnet).
    Transfer,
}

impl TradeKind {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TradeKind::Buy => "buy",
            TradeKind::Sell => "sell",
            TradeKind::Move => "move",
            TradeKind::Swap => "swap",
            TradeKind::Transfer => "transfer",
        }
    }
}

impl TradeKind {
    /// Signed TAO flow per subnet of `tao` rao traded this way (see [`Trade::flows`]).
    pub fn flows(
        self,
        netuid: NetUid,
        dest_netuid: Option<NetUid>,
        tao: u64,
    ) -> Vec<(NetUid, i128)> {
        let tao = i128::from(tao);
        match self {
            TradeKind::Buy => vec![(netuid, tao)],
            TradeKind::Sell => vec![(netuid, -tao)],
            TradeKind::Move | TradeKind::Swap | TradeKind::Transfer => match dest_netuid {
                Some(dest) if dest != netuid => vec![(netuid, -tao), (dest, tao)],
                _ => Vec::new(),
            },
        }
    }
}

impl fmt::Display for TradeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TradeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "buy" => TradeKind::Buy,
            "sell" => TradeKind::Sell,
            "move" => TradeKind::Move,
            "swap" => TradeKind::Swap,
            "transfer" => TradeKind::Transfer,
            other => return Err(format!("unknown trade kind {other:?}")),
        })
    }
}

/// One decoded trade: one row per extrinsic (an `unstake_all` gives one sell per subnet).
///
/// Conventions: a buy's `tao` is the gross TAO paid (fee included, `fee_tao` of it went to the
/// block author) and `alpha` the alpha credited; a sell's `alpha` is the stake debited (net
/// alpha into the pool plus `fee_alpha`) and `tao` what the seller received. A cross-subnet
/// move/swap/transfer is one row: `alpha` left `netuid`, `alpha_dest` arrived on `dest_netuid`,
/// `tao` is the TAO value moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    /// Block.
    pub block: BlockNumber,
    /// Extrinsic index in the block.
    pub extrinsic: u32,
    /// Position among this extrinsic's trades (0 except for `unstake_all`).
    pub seq: u32,
    /// What it did.
    pub kind: TradeKind,
    /// Subnet traded (origin subnet for moves).
    pub netuid: NetUid,
    /// Destination subnet for moves, swaps, transfers.
    pub dest_netuid: Option<NetUid>,
    /// Coldkey (origin coldkey for transfers).
    pub coldkey: AccountId,
    /// Hotkey (origin hotkey for moves).
    pub hotkey: AccountId,
    /// Receiving coldkey of a transfer.
    pub dest_coldkey: Option<AccountId>,
    /// Destination hotkey of a move.
    pub dest_hotkey: Option<AccountId>,
    /// TAO, rao (see the type docs).
    #[serde(with = "u64_string")]
    pub tao: u64,
    /// Alpha on `netuid`, rao.
    #[serde(with = "u64_string")]
    pub alpha: u64,
    /// Alpha credited on `dest_netuid`, rao (moves only; 0 otherwise).
    #[serde(with = "u64_string")]
    pub alpha_dest: u64,
    /// Swap fee paid in TAO, rao.
    #[serde(with = "u64_string")]
    pub fee_tao: u64,
    /// Swap fee paid in alpha, rao.
    #[serde(with = "u64_string")]
    pub fee_alpha: u64,
    /// Execution price net of fees on `netuid`, rao per alpha (0 if no alpha changed hands).
    #[serde(with = "u64_string")]
    pub price: u64,
}

impl Trade {
    /// Signed TAO flow per subnet, rao: a buy `+tao`, a sell `−tao`, a cross-subnet move `−tao`
    /// on its origin and `+tao` on its destination; a same-subnet move (hotkey change) none.
    /// Candle volumes and net flows are built from this.
    pub fn flows(&self) -> Vec<(NetUid, i128)> {
        self.kind.flows(self.netuid, self.dest_netuid, self.tao)
    }
}

/// Alpha distributed by one epoch of one subnet (`EpochCompleted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emission {
    /// Block of the epoch.
    pub block: BlockNumber,
    /// Subnet.
    pub netuid: NetUid,
    /// Alpha to miners, rao.
    #[serde(with = "u64_string")]
    pub incentive: u64,
    /// Alpha to validators and nominators, rao.
    #[serde(with = "u64_string")]
    pub dividends: u64,
    /// Owner cut, rao.
    #[serde(with = "u64_string")]
    pub owner_cut: u64,
    /// Miner incentive the owner's own hotkeys took and burned/recycled, rao.
    #[serde(with = "u64_string")]
    pub owner_miner_burned: u64,
}

/// Kinds of subnet lifecycle and rule changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A hyperparameter changed (`name` is the parameter).
    Hyperparameter,
    /// The identity changed.
    Identity,
    /// The subnet was registered.
    Registered,
    /// The subnet was dissolved.
    Deregistered,
    /// Emission started (`start_call`).
    EmissionStarted,
    /// A neuron registered.
    NeuronRegistered,
    /// A neuron was pruned.
    NeuronDeregistered,
}

impl ChangeKind {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Hyperparameter => "hyperparameter",
            ChangeKind::Identity => "identity",
            ChangeKind::Registered => "registered",
            ChangeKind::Deregistered => "deregistered",
            ChangeKind::EmissionStarted => "emission_started",
            ChangeKind::NeuronRegistered => "neuron_registered",
            ChangeKind::NeuronDeregistered => "neuron_deregistered",
        }
    }

    /// Whether this is a rule change an owner made (for the predictability record).
    pub fn is_rule_change(self) -> bool {
        matches!(self, ChangeKind::Hyperparameter | ChangeKind::Identity)
    }
}

impl FromStr for ChangeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "hyperparameter" => ChangeKind::Hyperparameter,
            "identity" => ChangeKind::Identity,
            "registered" => ChangeKind::Registered,
            "deregistered" => ChangeKind::Deregistered,
            "emission_started" => ChangeKind::EmissionStarted,
            "neuron_registered" => ChangeKind::NeuronRegistered,
            "neuron_deregistered" => ChangeKind::NeuronDeregistered,
            other => return Err(format!("unknown change kind {other:?}")),
        })
    }
}

/// A subnet lifecycle or rule change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetChange {
    /// Block.
    pub block: BlockNumber,
    /// Position among the block's changes.
    pub seq: u32,
    /// Subnet.
    pub netuid: NetUid,
    /// What changed.
    pub kind: ChangeKind,
    /// Parameter name (hyperparameters), hotkey (neurons), or empty.
    pub name: String,
    /// The new value as JSON (hyperparameter value, identity, owner and lock cost, ...).
    pub value: serde_json::Value,
}

/// Kinds of feed events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// A trade at or above the whale threshold.
    WhaleTrade,
    /// The price moved by at least the threshold over the window.
    PriceMove,
    /// The emission share changed by at least the threshold over the window.
    EmissionShareJump,
    /// An owner's hotkeys started taking (burning) miner emission.
    OwnerBurnStarted,
    /// An owner's hotkeys stopped taking miner emission.
    OwnerBurnStopped,
    /// An owner changed a hyperparameter.
    HyperparameterChanged,
    /// An owner changed the subnet identity.
    IdentityChanged,
    /// A subnet was registered.
    SubnetRegistered,
    /// A subnet was dissolved.
    SubnetDeregistered,
}

impl FeedKind {
    /// Every kind, for filters and docs.
    pub const ALL: [FeedKind; 9] = [
        FeedKind::WhaleTrade,
        FeedKind::PriceMove,
        FeedKind::EmissionShareJump,
        FeedKind::OwnerBurnStarted,
        FeedKind::OwnerBurnStopped,
        FeedKind::HyperparameterChanged,
        FeedKind::IdentityChanged,
        FeedKind::SubnetRegistered,
        FeedKind::SubnetDeregistered,
    ];

    /// Stable snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::WhaleTrade => "whale_trade",
            FeedKind::PriceMove => "price_move",
            FeedKind::EmissionShareJump => "emission_share_jump",
            FeedKind::OwnerBurnStarted => "owner_burn_started",
            FeedKind::OwnerBurnStopped => "owner_burn_stopped",
            FeedKind::HyperparameterChanged => "hyperparameter_changed",
            FeedKind::IdentityChanged => "identity_changed",
            FeedKind::SubnetRegistered => "subnet_registered",
            FeedKind::SubnetDeregistered => "subnet_deregistered",
        }
    }
}

impl FromStr for FeedKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FeedKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event kind {s:?}"))
    }
}

/// A market-moving event, stored and pushed live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEvent {
    /// Block it happened in (the link target).
    pub block: BlockNumber,
    /// Position among the block's feed events; (block, seq) is the event's id and cursor.
    pub seq: u32,
    /// What happened.
    pub kind: FeedKind,
    /// Subnet, if any.
    pub netuid: Option<NetUid>,
    /// A sentence for people, e.g. "Whale buy: 1,250 τ into SN12 (Apex)".
    pub sentence: String,
    /// The numbers behind it (amounts as strings of rao).
    pub data: serde_json::Value,
    /// The block's timestamp, Unix ms.
    pub timestamp_ms: u64,
}

/// Candle intervals. Lengths are in blocks (12 s each): 1m is 5 blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Interval {
    /// 5 blocks.
    #[serde(rename = "1m")]
    M1,
    /// 25 blocks.
    #[serde(rename = "5m")]
    M5,
    /// 75 blocks.
    #[serde(rename = "15m")]
    M15,
    /// 300 blocks.
    #[serde(rename = "1h")]
    H1,
    /// 1200 blocks.
    #[serde(rename = "4h")]
    H4,
    /// 7200 blocks.
    #[serde(rename = "1d")]
    D1,
    /// 50,400 blocks.
    #[serde(rename = "1w")]
    W1,
}

impl Interval {
    /// Every interval, shortest first.
    pub const ALL: [Interval; 7] = [
        Interval::M1,
        Interval::M5,
        Interval::M15,
        Interval::H1,
        Interval::H4,
        Interval::D1,
        Interval::W1,
    ];

    /// Length in blocks.
    pub fn blocks(self) -> u64 {
        match self {
            Interval::M1 => 5,
            Interval::M5 => 25,
            Interval::M15 => 75,
            Interval::H1 => 300,
            Interval::H4 => 1_200,
            Interval::D1 => 7_200,
            Interval::W1 => 50_400,
        }
    }

    /// The name, e.g. `"1m"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::M1 => "1m",
            Interval::M5 => "5m",
            Interval::M15 => "15m",
            Interval::H1 => "1h",
            Interval::H4 => "4h",
            Interval::D1 => "1d",
            Interval::W1 => "1w",
        }
    }

    /// The first block of the bucket holding `block` (buckets align to multiples of the length).
    pub fn bucket_start(self, block: BlockNumber) -> BlockNumber {
        block - block % self.blocks()
    }
}

impl FromStr for Interval {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Interval::ALL.into_iter().find(|i| i.as_str() == s).ok_or_else(|| {
            format!("unknown interval {s:?}; use one of 1m, 5m, 15m, 1h, 4h, 1d, 1w")
        })
    }
}

/// One OHLC candle of the per-block spot price, with volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    /// First block of the bucket.
    pub start_block: BlockNumber,
    /// Open: the price at the end of the first indexed block in the bucket, rao per alpha.
    #[serde(with = "u64_string")]
    pub open: u64,
    /// High, rao per alpha.
    #[serde(with = "u64_string")]
    pub high: u64,
    /// Low, rao per alpha.
    #[serde(with = "u64_string")]
    pub low: u64,
    /// Close: the price at the end of the last indexed block in the bucket, rao per alpha.
    #[serde(with = "u64_string")]
    pub close: u64,
    /// TAO into the pool by buys (and move destinations), rao.
    #[serde(with = "u64_string")]
    pub buy_volume: u64,
    /// TAO out of the pool by sells (and move origins), rao.
    #[serde(with = "u64_string")]
    pub sell_volume: u64,
    /// Trades touching this subnet.
    pub trades: u32,
}

impl Candle {
    /// A candle of one price with no volume.
    pub fn flat(start_block: BlockNumber, price: u64) -> Self {
        Self {
            start_block,
            open: price,
            high: price,
            low: price,
            close: price,
            buy_volume: 0,
            sell_volume: 0,
            trades: 0,
        }
    }

    /// Extends this candle with a later price.
    pub fn push_price(&mut self, price: u64) {
        self.high = self.high.max(price);
        self.low = self.low.min(price);
        self.close = price;
    }

    /// Merges a later candle of the same bucket (or a later bucket into a longer interval).
    pub fn merge(&mut self, later: &Candle) {
        self.high = self.high.max(later.high);
        self.low = self.low.min(later.low);
        self.close = later.close;
        self.buy_volume = self.buy_volume.saturating_add(later.buy_volume);
        self.sell_volume = self.sell_volume.saturating_add(later.sell_volume);
        self.trades = self.trades.saturating_add(later.trades);
    }
}

/// A coldkey's stake on one hotkey and subnet, as last read from the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeRow {
    /// Coldkey.
    pub coldkey: AccountId,
    /// Hotkey.
    pub hotkey: AccountId,
    /// Subnet.
    pub netuid: NetUid,
    /// Alpha, rao.
    #[serde(with = "u64_string")]
    pub alpha: u64,
    /// Head block when it was read.
    pub as_of_block: BlockNumber,
}
