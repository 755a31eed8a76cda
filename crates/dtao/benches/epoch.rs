//! One Yuma epoch at the new-subnet shape: 64 validators setting weights on 256 miners
//! (320 uids), with bonds carried over from a previous epoch.
#![allow(clippy::unwrap_used, missing_docs)]

use divan::Bencher;
use dtao::yuma::{EpochInput, Matrix, YumaParams, run_epoch};
use substrate_fixed::types::I64F64;

const VALIDATORS: usize = 64;
const MINERS: usize = 256;

/// Tiny deterministic LCG (Knuth's MMIX constants); no RNG crate in benches.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

struct Subnet {
    stake: Vec<I64F64>,
    weights: Matrix<u16>,
    bonds: Matrix<u16>,
    active: Vec<bool>,
    permits: Vec<bool>,
}

impl Subnet {
    fn input(&self) -> EpochInput<'_> {
        EpochInput {
            stake: &self.stake,
            weights: &self.weights,
            bonds: &self.bonds,
            active: &self.active,
            validator_permits: Some(&self.permits),
            owner_uid: None,
            registration: None,
        }
    }
}

fn subnet() -> Subnet {
    let n = VALIDATORS + MINERS;
    let mut rng = Lcg(0x7a0_9e3);
    let stake = (0..n)
        .map(|uid| {
            let rao = if uid < VALIDATORS { 1_000_000_000_000 + rng.next() * 1_000 } else { 0 };
            I64F64::saturating_from_num(rao)
        })
        .collect();
    let mut weights = Matrix::zeros(n, n).unwrap();
    for v in 0..VALIDATORS {
        for (m, w) in weights.row_mut(v).iter_mut().enumerate().skip(VALIDATORS) {
            // Most validators agree on a base score; each adds its own noise.
            let base = u64::try_from(m).unwrap() * 2_654_435_761 % 40_000;
            *w = u16::try_from(base + rng.next() % 25_535).unwrap();
        }
    }
    let mut net = Subnet {
        stake,
        weights,
        bonds: Matrix::zeros(n, n).unwrap(),
        active: vec![true; n],
        permits: vec![true; n],
    };
    // One warm-up epoch so the benchmarked one starts from real bonds and permits.
    let out = run_epoch(&net.input(), &YumaParams::default()).unwrap();
    net.permits = out.validator_permits;
    net.bonds = out.bonds;
    net
}

#[divan::bench]
fn epoch_64_validators_256_miners(bencher: Bencher) {
    let net = subnet();
    let params = YumaParams::default();
    bencher.bench_local(|| run_epoch(divan::black_box(&net.input()), &params).unwrap());
}

fn main() {
    divan::main();
}
