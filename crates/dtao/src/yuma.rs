//! The Yuma consensus epoch on dense matrices (reference §5 and §3.5; subtensor
//! `epoch/run_epoch.rs`, `epoch/math.rs`), with Yuma 3 bonds as on new subnets.
//!
//! One epoch, in the chain's order and in its I32F32 arithmetic:
//!
//! 1. Stake weight (α + τ·root, see [`stake_weight`]) below the stake threshold is zeroed, then
//!    normalised in I64F64 and narrowed to I32F32. New validator permits go to the top
//!    `max_validators` non-zero stakes.
//! 2. Active stake: stake of active uids holding a permit (the permits in force when the epoch
//!    starts), renormalised.
//! 3. Weights: rows of non-permitted uids dropped, self-weight dropped (the subnet owner's is
//!    kept), weights set before a target re-registered dropped, rows normalised.
//! 4. Consensus per column: the stake-weighted κ-quantile of the weights (κ = ½ by default).
//!    Weights above consensus are clipped to it.
//! 5. Ranks r_j = Σ_i s_i·clipped_ij; incentive = normalised ranks.
//! 6. Bonds (Yuma 3): B ← α·W_b + (1 − α)·B with α = 1 − BondsMovingAverage/1e6 and
//!    W_b = clipped weights (bonds penalty 1). Dividends d_i ∝ s_i · Σ_j B̂_ij·I_j with B̂
//!    column-normalised.
//!
//! Performance: only rows that carry weights or bonds are materialised (validators), so an
//! epoch costs O(validators × uids); divisions whose operands are known to be small use 64-bit
//! integer division that gives exactly substrate-fixed's truncated quotient.
//!
//! Not modelled: liquid alpha (off by default), commit-reveal column masking, and the legacy
//! (pre-Yuma 3) bond update.

use substrate_fixed::types::{I32F32, I64F64};

use crate::emission::tao_weight_fraction;

/// `Kappa` default: 32767/65535 ≈ 0.5, the consensus majority.
pub const DEFAULT_KAPPA: u16 = 32_767;

/// `MaxAllowedValidators` default for new subnets.
pub const DEFAULT_MAX_ALLOWED_VALIDATORS: u16 = 64;

/// `BondsMovingAverage` default: 900,000 per million, i.e. α = 0.1 per epoch.
pub const DEFAULT_BONDS_MOVING_AVERAGE: u64 = 900_000;

/// `BondsPenalty` default: 65535 (bonds follow clipped weights).
pub const DEFAULT_BONDS_PENALTY: u16 = u16::MAX;

/// What can be wrong with epoch input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum YumaError {
    /// A per-uid vector has the wrong length.
    #[error("{what} has {got} entries, expected {expected} (one per uid)")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The number of uids (length of `stake`).
        expected: usize,
    },
    /// A uid × uid matrix has the wrong shape.
    #[error("{what} is {rows}×{cols}, expected {expected}×{expected} (uids × uids)")]
    NotSquare {
        /// Which input.
        what: &'static str,
        /// Its row count.
        rows: usize,
        /// Its column count.
        cols: usize,
        /// The number of uids.
        expected: usize,
    },
    /// Rows passed to [`Matrix::from_rows`] differ in length.
    #[error("row {row} has {got} entries but row 0 has {expected}; rows must have equal length")]
    RaggedRows {
        /// The first offending row.
        row: usize,
        /// Its length.
        got: usize,
        /// The length of row 0.
        expected: usize,
    },
    /// A matrix would have more cells than fit in memory.
    #[error("a {rows}×{cols} matrix is too large")]
    TooLarge {
        /// Requested rows.
        rows: usize,
        /// Requested columns.
        cols: usize,
    },
    /// The subnet owner uid does not exist.
    #[error("owner uid {uid} is out of range for {n} uids")]
    OwnerOutOfRange {
        /// The given owner uid.
        uid: usize,
        /// The number of uids.
        n: usize,
    },
}

/// A dense row-major matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix<T> {
    rows: usize,
    cols: usize,
    data: Vec<T>,
}

impl<T: Copy + Default> Matrix<T> {
    /// A `rows × cols` matrix of `T::default()` (zero).
    pub fn zeros(rows: usize, cols: usize) -> Result<Self, YumaError> {
        let len = rows.checked_mul(cols).ok_or(YumaError::TooLarge { rows, cols })?;
        Ok(Self { rows, cols, data: vec![T::default(); len] })
    }

    /// Build from equal-length rows.
    pub fn from_rows(rows: &[Vec<T>]) -> Result<Self, YumaError> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len().saturating_mul(cols));
        for (row, values) in rows.iter().enumerate() {
            if values.len() != cols {
                return Err(YumaError::RaggedRows { row, got: values.len(), expected: cols });
            }
            data.extend_from_slice(values);
        }
        Ok(Self { rows: rows.len(), cols, data })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Cell (row, col), if inside the matrix.
    pub fn get(&self, row: usize, col: usize) -> Option<T> {
        if col >= self.cols {
            return None;
        }
        self.data.get(row.checked_mul(self.cols)?.checked_add(col)?).copied()
    }

    /// Mutable cell (row, col), if inside the matrix.
    pub fn get_mut(&mut self, row: usize, col: usize) -> Option<&mut T> {
        if col >= self.cols {
            return None;
        }
        self.data.get_mut(row.checked_mul(self.cols)?.checked_add(col)?)
    }

    /// Row `row` (empty if out of range).
    pub fn row(&self, row: usize) -> &[T] {
        let start = row.saturating_mul(self.cols);
        self.data.get(start..start.saturating_add(self.cols)).unwrap_or(&[])
    }

    /// Mutable row `row` (empty if out of range).
    pub fn row_mut(&mut self, row: usize) -> &mut [T] {
        let start = row.saturating_mul(self.cols);
        self.data.get_mut(start..start.saturating_add(self.cols)).unwrap_or(&mut [])
    }

    /// The rows as owned vectors.
    pub fn to_rows(&self) -> Vec<Vec<T>> {
        if self.cols == 0 {
            return vec![Vec::new(); self.rows];
        }
        self.data.chunks_exact(self.cols).map(<[T]>::to_vec).collect()
    }
}

/// Subnet hyperparameters the epoch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YumaParams {
    /// `Kappa`, the consensus majority, as u16/65535.
    pub kappa: u16,
    /// `MaxAllowedValidators`: permits go to this many top stakes.
    pub max_validators: u16,
    /// `BondsPenalty` as u16/65535: 0 builds bonds from raw weights, 1 from clipped weights.
    pub bonds_penalty: u16,
    /// `BondsMovingAverage` per million; bonds move by 1 − this/1e6 per epoch.
    pub bonds_moving_average: u64,
    /// Stake threshold (`StakeThreshold`) in rao; smaller stake weights count as 0 (the
    /// subnet owner is exempt).
    pub min_stake_rao: u64,
}

impl Default for YumaParams {
    fn default() -> Self {
        Self {
            kappa: DEFAULT_KAPPA,
            max_validators: DEFAULT_MAX_ALLOWED_VALIDATORS,
            bonds_penalty: DEFAULT_BONDS_PENALTY,
            bonds_moving_average: DEFAULT_BONDS_MOVING_AVERAGE,
            min_stake_rao: 0,
        }
    }
}

/// Registration timing, for the chain's masks of stale weights and fresh bonds.
#[derive(Debug, Clone, Copy)]
pub struct RegistrationMasks<'a> {
    /// Block each uid last set weights (`LastUpdate`).
    pub last_update: &'a [u64],
    /// Block each uid was last registered (`BlockAtRegistration`).
    pub block_at_registration: &'a [u64],
    /// First block of the current epoch window (`LastMechansimStepBlock + 1`, or now − tempo on
    /// a subnet's first epoch); bonds to uids registered at or after it are dropped.
    pub last_tempo_block: u64,
}

/// One subnet's state at epoch time. All per-uid inputs have one entry per uid.
#[derive(Debug, Clone, Copy)]
pub struct EpochInput<'a> {
    /// Stake weight per uid: α_stake + τ·root_stake (see [`stake_weight`]).
    pub stake: &'a [I64F64],
    /// `Weights`: row i holds the u16 weights uid i set (unnormalised).
    pub weights: &'a Matrix<u16>,
    /// `Bonds` from the previous epoch (u16 proportions of 65535), uid × uid.
    pub bonds: &'a Matrix<u16>,
    /// Active mask (last update within the activity cutoff).
    pub active: &'a [bool],
    /// `ValidatorPermit` from the previous epoch; `None` uses this epoch's top-k by stake.
    pub validator_permits: Option<&'a [bool]>,
    /// The subnet owner's uid: always permitted, exempt from the stake threshold, and its
    /// self-weight is kept.
    pub owner_uid: Option<usize>,
    /// Registration timing; `None` skips the stale-weight and fresh-bond masks.
    pub registration: Option<RegistrationMasks<'a>>,
}

/// Everything one epoch computes. Vectors have one entry per uid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochOutput {
    /// Normalised stake (after the threshold).
    pub stake: Vec<I32F32>,
    /// Normalised active, permitted stake.
    pub active_stake: Vec<I32F32>,
    /// New validator permits: top `max_validators` non-zero stakes (plus the owner).
    pub validator_permits: Vec<bool>,
    /// Consensus weight per uid (column).
    pub consensus: Vec<I32F32>,
    /// Uids whose weight and bond rows were materialised: those with a permit in force or
    /// holding bonds. Every other uid's row is zero throughout the epoch.
    pub weight_rows: Vec<usize>,
    /// Masked, row-normalised weights clipped at consensus: row r belongs to uid
    /// `weight_rows[r]` (use [`EpochOutput::clipped_weight`] to look up by uid).
    pub clipped_weights: Matrix<I32F32>,
    /// Validator trust: sum of each row of clipped weights.
    pub validator_trust: Vec<I32F32>,
    /// Ranks r_j = Σ_i s_i·clipped_ij (before normalisation).
    pub ranks: Vec<I32F32>,
    /// Incentive: normalised ranks.
    pub incentive: Vec<I32F32>,
    /// Dividends, normalised.
    pub dividends: Vec<I32F32>,
    /// Bonds to store for the next epoch (u16 proportions), rows only for new permits.
    pub bonds: Matrix<u16>,
}

/// A pending emission divided among uids, in rao.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmissionSplit {
    /// Miner incentive per uid.
    pub incentive_rao: Vec<u64>,
    /// Validator dividends per uid.
    pub dividend_rao: Vec<u64>,
    /// Validator alpha no uid could take (no dividends, no active stake, no stake at all).
    pub undistributed_rao: u64,
}

/// Yuma stake weight of a hotkey: α_stake + τ·root_stake, with τ = `TaoWeight`/u64::MAX, in
/// I64F64 as `get_stake_weights_for_network` computes it.
pub fn stake_weight(alpha_stake_rao: u64, root_stake_rao: u64, tao_weight: u64) -> I64F64 {
    let tau = I64F64::saturating_from_num(tao_weight_fraction(tao_weight));
    I64F64::saturating_from_num(alpha_stake_rao)
        .saturating_add(I64F64::saturating_from_num(root_stake_rao).saturating_mul(tau))
}

fn zero() -> I32F32 {
    I32F32::from_bits(0)
}

const ONE_BITS: i64 = 1 << 32;

/// a / b for a ≥ 0, as substrate-fixed's truncating `checked_div`, 0 when b ≤ 0 (the chain's
/// `safe_div`). For a < 1 the quotient is ⌊a·2^32 / b⌋ in 64-bit integers, which is the same
/// number computed without the 128-bit division.
fn div_fixed(a: I32F32, b: I32F32) -> I32F32 {
    let (a_bits, b_bits) = (a.to_bits(), b.to_bits());
    if b_bits <= 0 {
        return zero();
    }
    if let (Ok(a_u), Ok(b_u)) = (u64::try_from(a_bits), u64::try_from(b_bits))
        && a_bits < ONE_BITS
        && let Ok(q) = i64::try_from((a_u << 32) / b_u)
    {
        return I32F32::from_bits(q);
    }
    a.checked_div(b).unwrap_or_default()
}

fn sum(values: &[I32F32]) -> I32F32 {
    values.iter().fold(zero(), |acc, v| acc.saturating_add(*v))
}

/// The chain's `inplace_normalize`: divide by the sum unless it is 0.
fn normalize(values: &mut [I32F32]) {
    let total = sum(values);
    if total == zero() {
        return;
    }
    for v in values.iter_mut() {
        *v = div_fixed(*v, total);
    }
}

/// x/65535 for a u16, exactly as `I32F32::from_num(x).safe_div(I32F32::from_num(65535))`.
fn u16_proportion(x: u16) -> I32F32 {
    I32F32::from_bits(i64::from(x) * ONE_BITS / i64::from(u16::MAX))
}

/// x·65535 floored to u16 (`fixed_proportion_to_u16`).
fn proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(I32F32::from_bits(i64::from(u16::MAX) * ONE_BITS)).saturating_to_num::<u16>()
}

/// The chain's `is_topk_nonzero`: non-zero entries, minus the n − k smallest (stable ascending
/// sort, so among equal stakes the lower uid loses first).
fn top_k_nonzero(values: &[I32F32], k: usize) -> Vec<bool> {
    let mut result: Vec<bool> = values.iter().map(|v| *v != zero()).collect();
    let n = values.len();
    if n < k {
        return result;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| values.get(i).copied().unwrap_or_default());
    for &i in order.iter().take(n - k) {
        if let Some(cell) = result.get_mut(i) {
            *cell = false;
        }
    }
    result
}

/// Stake-weighted κ-quantile of one column: the smallest score v whose cumulative stake
/// (scores ≤ v) exceeds `minority` = Σstake − κ; the largest score if none does.
///
/// That value is unique, so it is what the chain's mid-pivot search returns; the search is
/// reproduced here (3-way partition around the middle element, recurse into the side that
/// holds the quantile) because it runs in expected linear time. Fixed-point sums are exact,
/// so reordering the pairs cannot change the result.
fn weighted_quantile(pairs: &mut [(I32F32, I32F32)], minority: I32F32) -> I32F32 {
    let mut lo = zero();
    let mut hi = pairs.iter().fold(zero(), |acc, (_, s)| acc.saturating_add(*s));
    let mut part = pairs;
    loop {
        let len = part.len();
        let Some(&(pivot, _)) = part.get(len / 2) else { return zero() };
        if len == 1 {
            return pivot;
        }
        // Dutch-flag partition: [< pivot | == pivot | > pivot].
        let (mut lt, mut i, mut gt) = (0, 0, len);
        let (mut lo_stake, mut hi_stake) = (zero(), zero());
        while i < gt {
            let Some(&(score, stake)) = part.get(i) else { break };
            if score < pivot {
                lo_stake = lo_stake.saturating_add(stake);
                part.swap(lt, i);
                lt += 1;
                i += 1;
            } else if score > pivot {
                hi_stake = hi_stake.saturating_add(stake);
                gt -= 1;
                part.swap(i, gt);
            } else {
                i += 1;
            }
        }
        let whole = std::mem::take(&mut part);
        if minority < lo.saturating_add(lo_stake) && lt > 0 {
            hi = lo.saturating_add(lo_stake);
            part = whole.get_mut(..lt).unwrap_or_default();
        } else if hi.saturating_sub(hi_stake) <= minority && gt < len {
            lo = hi.saturating_sub(hi_stake);
            part = whole.get_mut(gt..).unwrap_or_default();
        } else {
            return pivot;
        }
    }
}

fn check_len<T>(what: &'static str, v: &[T], n: usize) -> Result<(), YumaError> {
    if v.len() == n {
        Ok(())
    } else {
        Err(YumaError::LengthMismatch { what, got: v.len(), expected: n })
    }
}

fn check_square<T>(what: &'static str, m: &Matrix<T>, n: usize) -> Result<(), YumaError> {
    if m.rows == n && m.cols == n {
        Ok(())
    } else {
        Err(YumaError::NotSquare { what, rows: m.rows, cols: m.cols, expected: n })
    }
}

fn validate(input: &EpochInput<'_>) -> Result<usize, YumaError> {
    let n = input.stake.len();
    check_square("weights", input.weights, n)?;
    check_square("bonds", input.bonds, n)?;
    check_len("active", input.active, n)?;
    if let Some(p) = input.validator_permits {
        check_len("validator_permits", p, n)?;
    }
    if let Some(r) = input.registration {
        check_len("last_update", r.last_update, n)?;
        check_len("block_at_registration", r.block_at_registration, n)?;
    }
    if let Some(uid) = input.owner_uid
        && uid >= n
    {
        return Err(YumaError::OwnerOutOfRange { uid, n });
    }
    Ok(n)
}

/// Normalised stake after the threshold, in I64F64 then narrowed to I32F32 (truncating).
fn normalized_stake(input: &EpochInput<'_>, min_stake_rao: u64) -> Vec<I32F32> {
    let zero64 = I64F64::from_bits(0);
    let filtered: Vec<I64F64> = input
        .stake
        .iter()
        .enumerate()
        .map(|(uid, s)| {
            let exempt = input.owner_uid == Some(uid);
            if !exempt && s.saturating_to_num::<u64>() < min_stake_rao { zero64 } else { *s }
        })
        .collect();
    let total = filtered.iter().fold(zero64, |acc, s| acc.saturating_add(*s));
    filtered
        .iter()
        .map(|s| {
            let share = if total == zero64 { *s } else { s.checked_div(total).unwrap_or_default() };
            I32F32::saturating_from_num(share)
        })
        .collect()
}

/// Run one Yuma epoch. See the module docs for the steps.
pub fn run_epoch(input: &EpochInput<'_>, params: &YumaParams) -> Result<EpochOutput, YumaError> {
    let n = validate(input)?;
    let owner = input.owner_uid;

    // == Stake and permits ==
    let stake = normalized_stake(input, params.min_stake_rao);
    let mut new_permits = top_k_nonzero(&stake, usize::from(params.max_validators));
    let mut permits: Vec<bool> =
        input.validator_permits.map_or_else(|| new_permits.clone(), <[bool]>::to_vec);
    if let Some(uid) = owner {
        for p in [&mut new_permits, &mut permits] {
            if let Some(cell) = p.get_mut(uid) {
                *cell = true;
            }
        }
    }
    let mut active_stake: Vec<I32F32> = stake
        .iter()
        .zip(input.active)
        .zip(&permits)
        .map(|((s, active), permit)| if *active && *permit { *s } else { zero() })
        .collect();
    normalize(&mut active_stake);

    // Rows that carry anything: permitted (weights count) or holding old bonds (they decay
    // and still share in column normalisation). Every other row is zero throughout.
    let rows: Vec<usize> = (0..n)
        .filter(|&i| {
            permits.get(i).copied().unwrap_or(false) || input.bonds.row(i).iter().any(|b| *b != 0)
        })
        .collect();
    let k = rows.len();
    let cells = k.checked_mul(n).ok_or(YumaError::TooLarge { rows: k, cols: n })?;

    // == Weights: mask, then normalise each row ==
    let mut weights = vec![zero(); cells];
    let mut raw: Vec<u16> = vec![0; n];
    for (out, &i) in weights.chunks_exact_mut(n.max(1)).zip(&rows) {
        if !permits.get(i).copied().unwrap_or(false) {
            continue;
        }
        raw.copy_from_slice(input.weights.row(i));
        if owner != Some(i)
            && let Some(cell) = raw.get_mut(i)
        {
            *cell = 0;
        }
        if let Some(reg) = input.registration {
            let updated = reg.last_update.get(i).copied().unwrap_or(0);
            for (w, registered) in raw.iter_mut().zip(reg.block_at_registration) {
                if updated <= *registered {
                    *w = 0;
                }
            }
        }
        let row_sum: u64 = raw.iter().map(|w| u64::from(*w)).sum();
        if row_sum == 0 {
            continue;
        }
        // The row holds integers, so w·2^32 / Σw in u64 is exactly the fixed-point quotient.
        for (o, w) in out.iter_mut().zip(&raw) {
            if let Ok(bits) = i64::try_from((u64::from(*w) << 32) / row_sum) {
                *o = I32F32::from_bits(bits);
            }
        }
    }

    // == Consensus ==
    let kappa = div_fixed(
        I32F32::from_bits(i64::from(params.kappa) * ONE_BITS),
        I32F32::from_bits(i64::from(u16::MAX) * ONE_BITS),
    );
    // The chain renormalises the positive active stakes once more before the median.
    let mut voters: Vec<(usize, I32F32)> = rows
        .iter()
        .enumerate()
        .filter_map(|(r, &uid)| {
            active_stake.get(uid).copied().filter(|s| *s > zero()).map(|s| (r, s))
        })
        .collect();
    let voter_total = voters.iter().fold(zero(), |acc, (_, s)| acc.saturating_add(*s));
    for (_, s) in voters.iter_mut() {
        *s = div_fixed(*s, voter_total);
    }
    let minority =
        voters.iter().fold(zero(), |acc, (_, s)| acc.saturating_add(*s)).saturating_sub(kappa);
    let mut consensus = vec![zero(); n];
    if !voters.is_empty() {
        let mut column: Vec<(I32F32, I32F32)> = Vec::with_capacity(voters.len());
        for (j, c) in consensus.iter_mut().enumerate() {
            column.clear();
            let mut any = false;
            for &(r, s) in &voters {
                let w = weights.get(r * n + j).copied().unwrap_or_default();
                any |= w != zero();
                column.push((w, s));
            }
            if any {
                *c = weighted_quantile(&mut column, minority);
            }
        }
    }

    // == Clipping, trust, ranks, incentive ==
    let mut clipped = weights.clone();
    for row in clipped.chunks_exact_mut(n.max(1)) {
        for (w, c) in row.iter_mut().zip(&consensus) {
            *w = (*w).min(*c);
        }
    }
    let mut validator_trust = vec![zero(); n];
    let mut ranks = vec![zero(); n];
    for (row, &uid) in clipped.chunks_exact(n.max(1)).zip(&rows) {
        if let Some(t) = validator_trust.get_mut(uid) {
            *t = sum(row);
        }
        let s = active_stake.get(uid).copied().unwrap_or_default();
        if s == zero() {
            continue;
        }
        for (r, w) in ranks.iter_mut().zip(row) {
            *r = r.saturating_add(s.saturating_mul(*w));
        }
    }
    let mut incentive = ranks.clone();
    normalize(&mut incentive);

    // == Bonds (Yuma 3) and dividends ==
    let penalty = u16_proportion(params.bonds_penalty);
    let one = I32F32::from_bits(ONE_BITS);
    let average = I64F64::saturating_from_num(params.bonds_moving_average)
        .checked_div(I64F64::saturating_from_num(1_000_000))
        .unwrap_or_default();
    let alpha = one.saturating_sub(I32F32::saturating_from_num(average));
    let keep = one.saturating_sub(alpha);

    // B ← α·W_b + (1 − α)·B, written over the weights buffer, which is not needed again:
    // W_b is the weights (penalty 0), the clipped weights (penalty 1) or between the two.
    let mut ema = weights;
    for ((out, c_row), &uid) in
        ema.chunks_exact_mut(n.max(1)).zip(clipped.chunks_exact(n.max(1))).zip(&rows)
    {
        let old = input.bonds.row(uid);
        for (j, ((e, c), b)) in out.iter_mut().zip(c_row).zip(old).enumerate() {
            let w = *e;
            let bond_weight = if penalty == zero() {
                w
            } else if penalty == one {
                *c
            } else {
                w.saturating_add(penalty.saturating_mul(c.saturating_sub(w)))
            };
            let fresh = input.registration.is_some_and(|reg| {
                reg.block_at_registration.get(j).is_some_and(|r| reg.last_tempo_block <= *r)
            });
            let b = if fresh { zero() } else { u16_proportion(*b) };
            *e = alpha.saturating_mul(bond_weight).saturating_add(keep.saturating_mul(b));
        }
    }
    let mut col_sums = vec![zero(); n];
    for row in ema.chunks_exact(n.max(1)) {
        for (s, e) in col_sums.iter_mut().zip(row) {
            *s = s.saturating_add(*e);
        }
    }
    let mut dividends = vec![zero(); n];
    for (row, &uid) in ema.chunks_exact(n.max(1)).zip(&rows) {
        let s = active_stake.get(uid).copied().unwrap_or_default();
        if s == zero() {
            continue;
        }
        let mut bonded = zero();
        for ((e, total), inc) in row.iter().zip(&col_sums).zip(&incentive) {
            let normalized = if *total == zero() { *e } else { div_fixed(*e, *total) };
            bonded = bonded.saturating_add(normalized.checked_mul(*inc).unwrap_or_default());
        }
        if let Some(d) = dividends.get_mut(uid) {
            *d = bonded.checked_mul(s).unwrap_or_default();
        }
    }
    normalize(&mut dividends);

    // == Outputs ==
    let mut bonds = Matrix::zeros(n, n)?;
    for (e_row, &uid) in ema.chunks_exact(n.max(1)).zip(&rows) {
        if new_permits.get(uid).copied().unwrap_or(false) {
            for (b, e) in bonds.row_mut(uid).iter_mut().zip(e_row) {
                *b = proportion_to_u16(*e);
            }
        }
    }
    let clipped_weights = Matrix { rows: k, cols: n, data: clipped };

    Ok(EpochOutput {
        stake,
        active_stake,
        validator_permits: new_permits,
        consensus,
        weight_rows: rows,
        clipped_weights,
        validator_trust,
        ranks,
        incentive,
        dividends,
        bonds,
    })
}

/// Split `total` rao in proportion to non-negative fixed-point weights, exactly: each uid gets
/// ⌊total·w_i/Σw⌋, and the rao left over go one each to the largest remainders (ties to the
/// lower uid). Returns `None` if every weight is 0.
fn apportion(total: u64, weights: &[I32F32]) -> Option<Vec<u64>> {
    let w: Vec<u128> = weights.iter().map(|x| u128::try_from(x.to_bits()).unwrap_or(0)).collect();
    let sum: u128 = w.iter().sum();
    if sum == 0 {
        return None;
    }
    let total_wide = u128::from(total);
    let mut amounts = Vec::with_capacity(w.len());
    let mut remainders = Vec::with_capacity(w.len());
    for (uid, wi) in w.iter().enumerate() {
        // total < 2^64 and w_i ≤ Σw < 2^64·n, so the product fits in u128 for n < 2^64.
        let product = total_wide * wi;
        amounts.push(u64::try_from(product / sum).unwrap_or(u64::MAX));
        remainders.push((product % sum, uid));
    }
    let given: u64 = amounts.iter().fold(0_u64, |acc, a| acc.saturating_add(*a));
    let left = usize::try_from(total.saturating_sub(given)).unwrap_or(usize::MAX);
    if left > 0 {
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, uid) in remainders.iter().take(left) {
            if let Some(a) = amounts.get_mut(uid) {
                *a += 1;
            }
        }
    }
    Some(amounts)
}

impl EpochOutput {
    /// Clipped weight uid `i` gives uid `j` (0 for rows that were not materialised).
    pub fn clipped_weight(&self, i: usize, j: usize) -> I32F32 {
        self.weight_rows
            .iter()
            .position(|&uid| uid == i)
            .and_then(|r| self.clipped_weights.get(r, j))
            .unwrap_or_default()
    }

    /// Divide a drained pending emission: `server_alpha_rao` to miners by incentive and
    /// `validator_alpha_rao` to validators by dividends, each summing to exactly its pot.
    ///
    /// Follows the chain's fallbacks: with no incentive at all, validators take the server
    /// pot too; with no dividends, validator alpha goes by active stake, then by stake. What
    /// no uid can take is `undistributed_rao`, so incentive + dividends + undistributed always
    /// equals server + validator.
    ///
    /// Rounding: the chain floors each uid's fixed-point amount and drops the dust; here the
    /// same proportions are apportioned exactly in integers (largest remainder), so a uid may
    /// receive one rao more than the chain would credit it.
    pub fn split_emission(&self, server_alpha_rao: u64, validator_alpha_rao: u64) -> EmissionSplit {
        let n = self.incentive.len();
        let (server, validator) = if sum(&self.incentive) == zero() {
            (0, validator_alpha_rao.saturating_add(server_alpha_rao))
        } else {
            (server_alpha_rao, validator_alpha_rao)
        };
        let incentive_rao = apportion(server, &self.incentive).unwrap_or_else(|| vec![0; n]);
        let by = [&self.dividends, &self.active_stake, &self.stake];
        let dividend_rao = by.iter().find_map(|w| apportion(validator, w));
        let undistributed_rao = if dividend_rao.is_some() { 0 } else { validator };
        EmissionSplit {
            incentive_rao,
            dividend_rao: dividend_rao.unwrap_or_else(|| vec![0; n]),
            undistributed_rao,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(x: I32F32) -> f64 {
        x.to_num::<f64>()
    }

    fn stakes(values: &[u64]) -> Vec<I64F64> {
        values.iter().map(|s| I64F64::saturating_from_num(*s)).collect()
    }

    struct Net {
        stake: Vec<I64F64>,
        weights: Matrix<u16>,
        bonds: Matrix<u16>,
        active: Vec<bool>,
    }

    impl Net {
        fn new(stake: &[u64], weight_rows: &[(usize, Vec<u16>)]) -> Self {
            let n = stake.len();
            let mut weights = Matrix::zeros(n, n).unwrap();
            for (uid, row) in weight_rows {
                weights.row_mut(*uid).copy_from_slice(row);
            }
            Self {
                stake: stakes(stake),
                weights,
                bonds: Matrix::zeros(n, n).unwrap(),
                active: vec![true; n],
            }
        }

        fn input(&self) -> EpochInput<'_> {
            EpochInput {
                stake: &self.stake,
                weights: &self.weights,
                bonds: &self.bonds,
                active: &self.active,
                validator_permits: None,
                owner_uid: None,
                registration: None,
            }
        }

        fn epoch(&mut self, params: &YumaParams) -> EpochOutput {
            let out = run_epoch(&self.input(), params).unwrap();
            self.bonds = out.bonds.clone();
            out
        }
    }

    fn params(max_validators: u16) -> YumaParams {
        YumaParams { max_validators, ..YumaParams::default() }
    }

    #[test]
    fn lone_dissenter_is_clipped_to_consensus() {
        // uids 0–2 validate, 3–4 mine. 0 and 1 (70% of stake) split evenly; 2 puts all on 4.
        let mut net = Net::new(
            &[350, 350, 300, 0, 0],
            &[(0, vec![0, 0, 0, 1, 1]), (1, vec![0, 0, 0, 1, 1]), (2, vec![0, 0, 0, 0, 1])],
        );
        let out = net.epoch(&params(3));
        assert_eq!(out.validator_permits, vec![true, true, true, false, false]);
        assert!((f(out.consensus[3]) - 0.5).abs() < 1e-9);
        assert!((f(out.consensus[4]) - 0.5).abs() < 1e-9);
        // The dissenter's 1.0 on uid 4 is clipped to 0.5.
        assert!((f(out.clipped_weight(2, 4)) - 0.5).abs() < 1e-9);
        assert!((f(out.validator_trust[2]) - 0.5).abs() < 1e-9);
        assert!((f(out.validator_trust[0]) - 1.0).abs() < 1e-9);
        // Ranks: r3 = 0.7·0.5 = 0.35, r4 = 0.35 + 0.3·0.5 = 0.5.
        assert!((f(out.ranks[3]) - 0.35).abs() < 1e-8);
        assert!((f(out.ranks[4]) - 0.5).abs() < 1e-8);
        assert!((f(out.incentive[3]) - 0.35 / 0.85).abs() < 1e-8);
        assert!((f(out.incentive[4]) - 0.5 / 0.85).abs() < 1e-8);
    }

    #[test]
    fn honest_majority_starves_the_colluder() {
        // Three honest validators (80%) back miner 4; one (20%) backs its own miner 5.
        let honest = vec![0, 0, 0, 0, 1, 0];
        let mut net = Net::new(
            &[300, 300, 200, 200, 0, 0],
            &[(0, honest.clone()), (1, honest.clone()), (2, honest), (3, vec![0, 0, 0, 0, 0, 1])],
        );
        let out = net.epoch(&params(4));
        assert_eq!(f(out.consensus[5]), 0.0);
        assert_eq!(f(out.incentive[5]), 0.0);
        assert!((f(out.incentive[4]) - 1.0).abs() < 1e-8);
        assert_eq!(f(out.dividends[3]), 0.0, "the colluder earns no dividends");
        assert!((f(out.dividends[0]) - 0.375).abs() < 1e-6);
        assert!((f(out.dividends[2]) - 0.25).abs() < 1e-6);
        // Its bond on miner 5 is nothing either (bonds follow clipped weights).
        assert_eq!(out.bonds.get(3, 5), Some(0));
    }

    #[test]
    fn bonds_accumulate_over_epochs() {
        let mut net = Net::new(&[500, 500, 0, 0], &[(0, vec![0, 0, 1, 1]), (1, vec![0, 0, 1, 1])]);
        let p = params(2);
        let mut history = Vec::new();
        for _ in 0..30 {
            net.epoch(&p);
            history.push(net.bonds.get(0, 2).unwrap());
        }
        // First epoch: 0.1 · 0.5 of 65535, floored.
        assert_eq!(history[0], 3_276);
        assert!(history.windows(2).all(|w| w[0] <= w[1]), "{history:?}");
        // After t epochs ≈ 0.5·(1 − 0.9^t).
        let expected = 0.5 * (1.0 - 0.9_f64.powi(30)) * 65_535.0;
        assert!((f64::from(history[29]) - expected).abs() < 40.0, "{history:?}");
        // Miners hold no bonds; validators hold none on each other.
        assert_eq!(net.bonds.row(2), &[0, 0, 0, 0]);
        assert_eq!(net.bonds.get(0, 1), Some(0));
    }

    #[test]
    fn validator_permits_by_stake() {
        let net = Net::new(&[5, 1, 4, 2, 3], &[]);
        let out = run_epoch(&net.input(), &params(3)).unwrap();
        assert_eq!(out.validator_permits, vec![true, false, true, false, true]);
        // More slots than stakers: zero stake still gets no permit.
        let net = Net::new(&[5, 0, 4], &[]);
        let out = run_epoch(&net.input(), &params(64)).unwrap();
        assert_eq!(out.validator_permits, vec![true, false, true]);
        // Ties: the stable sort drops the lower uid first.
        let net = Net::new(&[1, 1, 1], &[]);
        let out = run_epoch(&net.input(), &params(2)).unwrap();
        assert_eq!(out.validator_permits, vec![false, true, true]);
    }

    #[test]
    fn previous_permits_gate_this_epoch() {
        // uid 1 has the stake for a new permit but did not hold one: its weights do not count.
        let net = Net::new(&[100, 900, 0], &[(0, vec![0, 0, 1]), (1, vec![1, 0, 0])]);
        let old = [true, false, false];
        let input = EpochInput { validator_permits: Some(&old), ..net.input() };
        let out = run_epoch(&input, &params(2)).unwrap();
        assert_eq!(out.validator_permits, vec![true, true, false]);
        assert_eq!(f(out.active_stake[1]), 0.0);
        assert!((f(out.incentive[2]) - 1.0).abs() < 1e-9);
        assert_eq!(f(out.incentive[0]), 0.0);
    }

    #[test]
    fn self_weight_and_stale_weights_are_dropped() {
        let mut net = Net::new(&[100, 100, 0], &[(0, vec![9, 0, 1]), (1, vec![0, 0, 1])]);
        let out = net.epoch(&params(2));
        assert_eq!(f(out.clipped_weight(0, 0)), 0.0);
        assert!((f(out.incentive[2]) - 1.0).abs() < 1e-9);
        // The owner keeps its self-weight.
        let input = EpochInput { owner_uid: Some(0), ..net.input() };
        let out = run_epoch(&input, &params(2)).unwrap();
        // Equal stakes and κ just under ½: the owner's 0.9 is the consensus for its column.
        assert!((f(out.clipped_weight(0, 0)) - 0.9).abs() < 1e-9);
        // uid 2 re-registered after uid 0 last set weights: that weight is stale.
        let reg = RegistrationMasks {
            last_update: &[10, 10, 10],
            block_at_registration: &[0, 0, 20],
            last_tempo_block: 0,
        };
        let input = EpochInput { registration: Some(reg), ..net.input() };
        let out = run_epoch(&input, &params(2)).unwrap();
        assert_eq!(f(out.incentive[2]), 0.0);
    }

    #[test]
    fn zero_weights_send_everything_to_validators() {
        let net = Net::new(&[300, 100, 0], &[]);
        let out = run_epoch(&net.input(), &params(2)).unwrap();
        assert!(out.incentive.iter().all(|i| *i == zero()));
        assert!(out.dividends.iter().all(|d| *d == zero()));
        let split = out.split_emission(1_000, 1_000);
        assert_eq!(split.incentive_rao, vec![0, 0, 0]);
        assert_eq!(split.dividend_rao, vec![1_500, 500, 0]);
        assert_eq!(split.undistributed_rao, 0);
    }

    #[test]
    fn zero_stake_distributes_nothing_and_says_so() {
        let net = Net::new(&[0, 0, 0], &[(0, vec![0, 1, 1])]);
        let out = run_epoch(&net.input(), &params(2)).unwrap();
        assert!(out.validator_permits.iter().all(|p| !p));
        assert!(out.consensus.iter().all(|c| *c == zero()));
        let split = out.split_emission(7, 5);
        assert_eq!(split.undistributed_rao, 12);
        assert_eq!(split.dividend_rao, vec![0, 0, 0]);
    }

    #[test]
    fn stake_threshold_zeroes_small_stakes() {
        let net = Net::new(&[5_000, 10, 0], &[(0, vec![0, 0, 1]), (1, vec![0, 0, 1])]);
        let p = YumaParams { min_stake_rao: 1_000, ..params(3) };
        let out = run_epoch(&net.input(), &p).unwrap();
        assert_eq!(out.validator_permits, vec![true, false, false]);
        assert_eq!(f(out.stake[1]), 0.0);
    }

    #[test]
    fn split_is_exact() {
        let mut net = Net::new(
            &[350, 350, 300, 0, 0],
            &[(0, vec![0, 0, 0, 1, 2]), (1, vec![0, 0, 0, 3, 1]), (2, vec![0, 0, 0, 0, 1])],
        );
        let out = net.epoch(&params(3));
        let split = out.split_emission(500_000_001, 333_333_333);
        assert_eq!(split.incentive_rao.iter().sum::<u64>(), 500_000_001);
        assert_eq!(split.dividend_rao.iter().sum::<u64>(), 333_333_333);
        assert_eq!(&split.incentive_rao[..3], &[0, 0, 0]);
        assert_eq!(&split.dividend_rao[3..], &[0, 0]);
    }

    #[test]
    fn shape_errors() {
        let net = Net::new(&[1, 2], &[]);
        let short = [true];
        let input = EpochInput { active: &short, ..net.input() };
        assert_eq!(
            run_epoch(&input, &YumaParams::default()),
            Err(YumaError::LengthMismatch { what: "active", got: 1, expected: 2 })
        );
        let wide = Matrix::<u16>::zeros(2, 3).unwrap();
        let input = EpochInput { weights: &wide, ..net.input() };
        assert!(matches!(
            run_epoch(&input, &YumaParams::default()),
            Err(YumaError::NotSquare { what: "weights", .. })
        ));
        let input = EpochInput { owner_uid: Some(2), ..net.input() };
        assert_eq!(
            run_epoch(&input, &YumaParams::default()),
            Err(YumaError::OwnerOutOfRange { uid: 2, n: 2 })
        );
        assert_eq!(
            Matrix::from_rows(&[vec![1_u16, 2], vec![3]]),
            Err(YumaError::RaggedRows { row: 1, got: 1, expected: 2 })
        );
        let empty = Net::new(&[], &[]);
        let out = run_epoch(&empty.input(), &YumaParams::default()).unwrap();
        assert!(out.incentive.is_empty());
    }

    #[test]
    fn weighted_quantile_matches_definition() {
        let fx = |x: f64| I32F32::saturating_from_num(x);
        let mut pairs = vec![(fx(0.5), fx(0.35)), (fx(0.5), fx(0.35)), (fx(0.0), fx(0.3))];
        assert_eq!(weighted_quantile(&mut pairs, fx(0.5)), fx(0.5));
        // Minority above everything: the largest score.
        let mut pairs = vec![(fx(0.2), fx(0.5)), (fx(0.7), fx(0.5))];
        assert_eq!(weighted_quantile(&mut pairs, fx(1.5)), fx(0.7));
        // Negative minority (κ above the stake sum): the smallest score.
        assert_eq!(weighted_quantile(&mut pairs, fx(-0.1)), fx(0.2));
    }

    #[test]
    fn stake_weight_adds_weighted_root() {
        let w = stake_weight(1_000, 2_000, u64::MAX / 2);
        assert!((w.to_num::<f64>() - 2_000.0).abs() < 1e-6);
        assert_eq!(stake_weight(5, 0, 0), I64F64::saturating_from_num(5));
    }

    proptest! {
        #[test]
        fn fast_division_matches_substrate_fixed(a in 0_i64..=(1_i64 << 40), b in 1_i64..=(1_i64 << 45)) {
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            prop_assert_eq!(div_fixed(a, b), a.checked_div(b).unwrap_or_default());
        }

        #[test]
        fn u16_helpers_match_substrate_fixed(x in any::<u16>()) {
            let expected = I32F32::saturating_from_num(x).checked_div(I32F32::saturating_from_num(u16::MAX)).unwrap_or_default();
            prop_assert_eq!(u16_proportion(x), expected);
        }

        #[test]
        fn split_sums_exactly(
            incentive in prop::collection::vec(0_i64..(1 << 32), 1..50),
            server in any::<u64>(),
            validator in any::<u64>(),
        ) {
            let n = incentive.len();
            let fx: Vec<I32F32> = incentive.iter().map(|b| I32F32::from_bits(*b)).collect();
            let out = EpochOutput {
                stake: fx.clone(),
                active_stake: fx.clone(),
                validator_permits: vec![true; n],
                consensus: vec![zero(); n],
                weight_rows: Vec::new(),
                clipped_weights: Matrix::zeros(0, 0).unwrap(),
                validator_trust: vec![zero(); n],
                ranks: fx.clone(),
                incentive: fx.clone(),
                dividends: fx.iter().rev().copied().collect(),
                bonds: Matrix::zeros(0, 0).unwrap(),
            };
            let split = out.split_emission(server, validator);
            let total = u128::from(server) + u128::from(validator);
            let got: u128 = split.incentive_rao.iter().chain(&split.dividend_rao).map(|x| u128::from(*x)).sum::<u128>()
                + u128::from(split.undistributed_rao);
            prop_assert_eq!(got, total);
        }

        #[test]
        fn epoch_outputs_are_normalised(
            seed_stake in prop::collection::vec(0_u64..1_000_000, 2..12),
            seed_weights in prop::collection::vec(any::<u16>(), 144),
        ) {
            let n = seed_stake.len();
            let rows: Vec<Vec<u16>> = (0..n).map(|i| seed_weights[i * 12..i * 12 + n].to_vec()).collect();
            let weights = Matrix::from_rows(&rows).unwrap();
            let bonds = Matrix::zeros(n, n).unwrap();
            let stake = stakes(&seed_stake);
            let active = vec![true; n];
            let input = EpochInput { stake: &stake, weights: &weights, bonds: &bonds, active: &active, validator_permits: None, owner_uid: None, registration: None };
            let out = run_epoch(&input, &params(4)).unwrap();
            let one = I32F32::from_num(1);
            for v in [&out.incentive, &out.dividends, &out.active_stake] {
                let s = sum(v);
                prop_assert!(s <= one);
                prop_assert!(s == zero() || s >= one - I32F32::from_bits(64));
            }
            for j in 0..n {
                for i in 0..n {
                    prop_assert!(out.clipped_weight(i, j) <= out.consensus[j]);
                }
            }
        }
    }
}
