//! Quote throughput of the pool: `cargo bench -p dtao --bench amm`.
#![allow(clippy::unwrap_used, missing_docs)]

use divan::{Bencher, black_box};
use dtao::amm::{Balancer, CurveKind, Pool, PriceLimit, Reserves, Side, Superellipse};

fn main() {
    divan::main();
}

use dtao::units::RAO_PER_TAO as E9;

fn reserves() -> Reserves {
    Reserves { tao: 25_000 * E9, alpha: 1_400_000 * E9 }
}

/// Deterministic trade sizes from 0.002 TAO to ~500 TAO, so the branch predictor sees variety.
fn sizes() -> Vec<u64> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..1024)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            2_000_000 + (state >> 34)
        })
        .collect()
}

fn bench_pool(bencher: Bencher, pool: Pool, side: Side) {
    let sizes = sizes();
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 1) & 1023;
        black_box(&pool).swap(side, black_box(sizes[i]), PriceLimit::None, false).unwrap()
    });
}

#[divan::bench(args = [Side::Buy, Side::Sell])]
fn quote_weighted_half(bencher: Bencher, side: Side) {
    bench_pool(bencher, Pool::balancer(reserves()), side);
}

#[divan::bench(args = [Side::Buy, Side::Sell])]
fn quote_weighted_exact_root(bencher: Bencher, side: Side) {
    // w2 = 0.6: exponents 3/2 and 2/3 take the exact integer root path.
    let curve = CurveKind::Balancer(Balancer::new(600_000_000_000_000_000).unwrap());
    bench_pool(bencher, Pool { reserves: reserves(), fee_rate: 33, curve }, side);
}

#[divan::bench(args = [Side::Buy, Side::Sell])]
fn quote_weighted_series(bencher: Bencher, side: Side) {
    // An irreducible weight: the ln/exp fallback at 384 bits.
    let curve = CurveKind::Balancer(Balancer::new(523_456_789_012_345_677).unwrap());
    bench_pool(bencher, Pool { reserves: reserves(), fee_rate: 33, curve }, side);
}

#[divan::bench(args = [Side::Buy, Side::Sell])]
fn quote_superellipse(bencher: Bencher, side: Side) {
    let curve =
        CurveKind::Superellipse(Superellipse::calibrate(reserves(), 500_000_000_000_000_000));
    bench_pool(bencher, Pool { reserves: reserves(), fee_rate: 33, curve }, side);
}

#[divan::bench]
fn limit_fill_weighted_half(bencher: Bencher) {
    let pool = Pool::balancer(reserves());
    let limit = pool.spot_price_rao() * 101 / 100;
    bencher.bench_local(|| {
        black_box(&pool).swap_with_limit(Side::Buy, 10_000 * E9, limit, true).unwrap()
    });
}
