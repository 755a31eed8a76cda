//! Fuzzing the amount parser (`Tao`/`Alpha` `FromStr`): arbitrary text, mutations of the
//! documented forms, and boundary numbers with units. See `docs/fuzzing.md`.

use dtao::units::{Alpha, AmountError, Tao};
use proptest::prelude::*;
use test_support::fuzz::{boundary_number, config, mutated_text, text};

const RAO_PER_TAO: u128 = 1_000_000_000;

fn seeds() -> Vec<String> {
    [
        "1.5",
        "0.002 TAO",
        "12.3α",
        "1τ",
        "250000rao",
        "5 alpha",
        "18446744073.709551615",
        "0.000000001",
        "+1_000.25 tao",
        "  7 ALPHA ",
        "1.000rao",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

fn units() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "", " ", "rao", " rao", "tao", " TAO", "τ", "α", " alpha", "Alpha",
    ])
}

/// Checks one input against both amount types: no panic; an accepted amount round-trips through
/// its decimal and display forms; a refusal is an `AmountError` that quotes the input as given.
fn check(input: &str) -> Result<(), TestCaseError> {
    for (parsed, decimal, display) in [
        input.parse::<Tao>().map(|t| (t.rao(), t.to_decimal_string(), t.to_string())),
        input.parse::<Alpha>().map(|a| (a.rao(), a.to_decimal_string(), a.to_string())),
    ]
    .map(|r| match r {
        Ok((rao, d, s)) => (Ok(rao), d, s),
        Err(e) => (Err(e), String::new(), String::new()),
    }) {
        match parsed {
            Ok(rao) => {
                prop_assert_eq!(decimal.parse::<Tao>().map(Tao::rao), Ok(rao), "{:?}", input);
                prop_assert_eq!(decimal.parse::<Alpha>().map(Alpha::rao), Ok(rao), "{:?}", input);
                let (d, a) = (display.parse::<Tao>(), display.parse::<Alpha>());
                let back = d.map(Tao::rao).or(a.map(Alpha::rao));
                prop_assert_eq!(back, Ok(rao), "display {:?} of {:?}", display, input);
            }
            Err(e) => {
                let quoted = match &e {
                    AmountError::Negative { input: i }
                    | AmountError::TooManyDecimals { input: i, .. }
                    | AmountError::FractionalRao { input: i }
                    | AmountError::Overflow { input: i }
                    | AmountError::WrongUnit { input: i, .. }
                    | AmountError::Invalid { input: i, .. } => Some(i.as_str()),
                    _ => None,
                };
                if let Some(q) = quoted {
                    prop_assert_eq!(q, input, "the error quotes another text: {}", e);
                }
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
    Ok(())
}

/// The exact value of a plain decimal (digits, at most one '.'), in rao, by a second method.
fn reference_rao(number: &str) -> Option<u128> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if frac.len() > 9 || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_rao: u128 = format!("{frac:0<9}").parse().ok()?;
    let rao = int.checked_mul(RAO_PER_TAO)?.checked_add(frac_rao)?;
    (rao <= u128::from(u64::MAX)).then_some(rao)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_amount_arbitrary_text(input in text(40)) {
        check(&input)?;
    }

    #[test]
    fn fuzz_amount_mutated_forms(input in mutated_text(seeds())) {
        check(&input)?;
    }

    #[test]
    fn fuzz_amount_boundary_numbers(n in boundary_number(), unit in units()) {
        check(&format!("{n}{unit}"))?;
    }

    #[test]
    fn fuzz_amount_matches_a_reference(number in "[0-9]{0,25}(\\.[0-9]{0,12})?") {
        let got = number.parse::<Tao>().map(|t| u128::from(t.rao()));
        match reference_rao(&number) {
            Some(rao) => prop_assert_eq!(got, Ok(rao), "{:?}", number),
            None => prop_assert!(got.is_err(), "{:?} accepted as {:?}", number, got),
        }
    }
}
