//! Structured-input fuzzing inside `cargo test`: proptest configuration from the environment,
//! arbitrary inputs, mutations of valid inputs and boundary numbers.
//!
//! cargo-fuzz needs a nightly toolchain; these harnesses run on stable, inside each crate's test
//! binary, as proptest properties named `fuzz_*`. A target feeds a boundary (a parser, a decoder,
//! a request handler) three kinds of input:
//!
//! - arbitrary bytes or strings ([`bytes`], [`text`]),
//! - mutations of valid inputs ([`mutated`], [`mutated_text`]): bit flips, truncation,
//!   insertion of boundary bytes, splicing two valid inputs, duplicating a range,
//! - boundary numbers ([`boundary_number`]) spliced into valid inputs by the targets.
//!
//! It asserts that the boundary never panics, that accepted inputs round-trip or re-validate,
//! and that refusals are the typed errors. A crash found becomes a named regression test.
//!
//! ## Running
//!
//! [`config`] reads `TAOPLEX_FUZZ_CASES` (cases per target; default [`DEFAULT_CASES`]) and
//! `TAOPLEX_FUZZ_SEED` (a `u64`: the same seed replays the same inputs). See `docs/fuzzing.md`.
//!
//! ```
//! use test_support::fuzz::{config, mutated};
//! use proptest::test_runner::TestRunner;
//!
//! // In a crate's tests this is a `proptest!` block with `#![proptest_config(config())]`.
//! let mut runner = TestRunner::new(config());
//! runner
//!     .run(&mutated(vec![b"hello".to_vec()]), |input| {
//!         let _ = std::str::from_utf8(&input); // must not panic, whatever the bytes
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};

/// Cases per target when `TAOPLEX_FUZZ_CASES` is unset: every target of the workspace together
/// stays well under a minute of CI time.
pub const DEFAULT_CASES: u32 = 2_000;

/// The proptest configuration of a fuzz target: cases from `TAOPLEX_FUZZ_CASES`, a fixed seed
/// from `TAOPLEX_FUZZ_SEED` if set, no failure files (a failure becomes a named regression test
/// instead), and shrinking bounded so a failure reports quickly.
///
/// An unparsable variable is a mistake in the command line, so it panics (this runs in tests).
pub fn config() -> Config {
    #[allow(clippy::expect_used)]
    let cases = std::env::var("TAOPLEX_FUZZ_CASES").map_or(DEFAULT_CASES, |v| {
        v.trim().parse().expect("TAOPLEX_FUZZ_CASES must be a whole number of cases")
    });
    #[allow(clippy::expect_used)]
    let rng_seed = std::env::var("TAOPLEX_FUZZ_SEED").map_or(RngSeed::Random, |v| {
        RngSeed::Fixed(v.trim().parse().expect("TAOPLEX_FUZZ_SEED must be a u64"))
    });
    Config {
        cases,
        rng_seed,
        failure_persistence: None,
        max_shrink_iters: 2_048,
        ..Config::default()
    }
}

/// Arbitrary bytes, up to `max_len` of them.
///
/// Expanded from a length and a 64-bit seed (splitmix64) rather than drawn byte by byte: an
/// unoptimised proptest spends milliseconds per case on a vector of element trees, which
/// would dominate every target. Shrinking still shortens the input.
pub fn bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    (0..=max_len, any::<u64>()).prop_map(|(len, seed)| {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&next().to_le_bytes());
        }
        out.truncate(len);
        out
    })
}

/// Arbitrary text: any Unicode, up to `max_chars` characters.
pub fn text(max_chars: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..=max_chars).prop_map(|c| c.into_iter().collect())
}

/// Bytes that parsers treat specially: structure (JSON, hex, decimals), signs, NUL, high bits.
const INTERESTING_BYTES: &[u8] = b"\x00\x01\x7f\x80\xff\"\\{}[],:.-+eE0x9 \n";

/// One edit of an input.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip one bit.
    FlipBit(Index, u8),
    /// Cut the input at a point.
    Truncate(Index),
    /// Insert bytes at a point.
    Insert(Index, Vec<u8>),
    /// Overwrite a byte with an interesting one.
    Overwrite(Index, Index),
    /// Replace the tail with the tail of another valid input.
    Splice(Index, Index, Index),
    /// Repeat a range (grows lengths and counts).
    Duplicate(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), bytes(8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, b)| Mutation::Overwrite(i, b)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(s, a, b)| Mutation::Splice(s, a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
    ]
}

fn apply(mut input: Vec<u8>, m: &Mutation, seeds: &[Vec<u8>]) -> Vec<u8> {
    // Positions are taken in 0..=len so that ends are reachable; `Index::index` needs len > 0.
    let at = |i: &Index, len: usize| i.index(len + 1);
    match m {
        Mutation::FlipBit(i, bit) => {
            if !input.is_empty() {
                let p = i.index(input.len());
                if let Some(b) = input.get_mut(p) {
                    *b ^= 1 << bit;
                }
            }
        }
        Mutation::Truncate(i) => input.truncate(at(i, input.len())),
        Mutation::Insert(i, b) => {
            let p = at(i, input.len());
            input.splice(p..p, b.iter().copied());
        }
        Mutation::Overwrite(i, b) => {
            if !input.is_empty() {
                let p = i.index(input.len());
                let v = INTERESTING_BYTES.get(b.index(INTERESTING_BYTES.len())).copied();
                if let (Some(slot), Some(v)) = (input.get_mut(p), v) {
                    *slot = v;
                }
            }
        }
        Mutation::Splice(s, a, b) => {
            if !seeds.is_empty()
                && let Some(other) = seeds.get(s.index(seeds.len()))
            {
                input.truncate(at(a, input.len()));
                let from = at(b, other.len());
                input.extend_from_slice(other.get(from..).unwrap_or_default());
            }
        }
        Mutation::Duplicate(a, b) => {
            let (x, y) = (at(a, input.len()), at(b, input.len()));
            let (lo, hi) = (x.min(y), x.max(y));
            let range: Vec<u8> = input.get(lo..hi).unwrap_or_default().to_vec();
            input.splice(hi..hi, range);
        }
    }
    input
}

/// One of `seeds` (valid inputs) with one to four mutations applied. Panics if `seeds` is empty.
pub fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    assert!(!seeds.is_empty(), "mutated() needs at least one valid input");
    let pick = any::<Index>();
    (pick, proptest::collection::vec(mutation(), 1..=4)).prop_map(move |(i, ms)| {
        let start = seeds.get(i.index(seeds.len())).cloned().unwrap_or_default();
        ms.iter().fold(start, |input, m| apply(input, m, &seeds))
    })
}

/// [`mutated`] for text inputs: the mutated bytes, read as UTF-8 with invalid sequences
/// replaced (text boundaries receive `&str`).
pub fn mutated_text(seeds: Vec<String>) -> impl Strategy<Value = String> {
    mutated(seeds.into_iter().map(String::into_bytes).collect())
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Numbers at the edges of the integer types, as decimal text: 0, 1, 2⁵³ ± 1, `u64::MAX`
/// ± 1, `i64` edges, `u128::MAX`, negatives, long digit runs, exponents and decimals.
pub fn boundary_number() -> impl Strategy<Value = String> {
    let fixed: Vec<String> = [
        "0",
        "1",
        "-1",
        "-0",
        "9007199254740991",
        "9007199254740992",
        "9007199254740993",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "340282366920938463463374607431768211455",
        "340282366920938463463374607431768211456",
        "1e309",
        "1e-9",
        "0.000000001",
        "0.0000000001",
        "18446744073.709551615",
        "18446744073.709551616",
        "00000000000000000000000001",
        "1.",
        ".1",
        "NaN",
        "inf",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    prop_oneof![
        3 => proptest::sample::select(fixed),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => "[0-9]{1,40}(\\.[0-9]{0,12})?",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn mutations_reach_truncation_growth_and_change() {
        let seeds = vec![b"{\"a\":1}".to_vec(), b"[1,2,3]".to_vec()];
        let strategy = mutated(seeds.clone());
        let mut runner = TestRunner::deterministic();
        let (mut shorter, mut longer, mut changed) = (0, 0, 0);
        for _ in 0..500 {
            let v = strategy.new_tree(&mut runner).unwrap().current();
            shorter += usize::from(v.len() < 7);
            longer += usize::from(v.len() > 7);
            changed += usize::from(!seeds.contains(&v));
        }
        assert!(shorter > 50 && longer > 50 && changed > 400, "{shorter} {longer} {changed}");
    }

    #[test]
    fn the_environment_sets_cases_and_seed() {
        // Read only: the variables may be set by whoever runs the tests.
        let c = config();
        assert!(c.cases > 0);
        assert!(c.failure_persistence.is_none());
    }
}
