//! Argument parsers shared by subcommands: exact amounts and slippage tolerances. Errors are
//! the messages clap prints before exiting with code 2.

use dtao::units::{Alpha, Tao};

/// Any TAO amount, e.g. `1.5`, `0.002 TAO`, `250000rao`.
pub(crate) fn tao(s: &str) -> Result<Tao, String> {
    s.parse::<Tao>().map_err(|e| e.to_string())
}

/// Any alpha amount, e.g. `12.3α`, `5 alpha`.
pub(crate) fn alpha(s: &str) -> Result<Alpha, String> {
    s.parse::<Alpha>().map_err(|e| e.to_string())
}

/// A TAO amount above zero (what a trade or transfer moves).
pub(crate) fn positive_tao(s: &str) -> Result<Tao, String> {
    tao(s).and_then(|t| if t.is_zero() { Err(ZERO.into()) } else { Ok(t) })
}

/// An alpha amount above zero.
pub(crate) fn positive_alpha(s: &str) -> Result<Alpha, String> {
    alpha(s).and_then(|a| if a.is_zero() { Err(ZERO.into()) } else { Ok(a) })
}

const ZERO: &str = "the amount must be above zero";

/// A percentage with up to two decimals (`0.5`, `2%`), as basis points, at most 100 %.
pub(crate) fn tolerance(s: &str) -> Result<u16, String> {
    let s = s.trim().trim_end_matches('%');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 2 || (int.is_empty() && frac.is_empty()) {
        return Err(format!("{s:?}: give a percentage with at most two decimals, e.g. 0.5"));
    }
    // Digits only: `u32::from_str` takes a leading '+', which let "+" and ".+1" through.
    if !(int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("{s:?} is not a percentage: use digits and one '.', e.g. 0.5"));
    }
    let bps: u32 =
        format!("{int}{frac:0<2}").parse().map_err(|_| format!("{s:?} is not a percentage"))?;
    u16::try_from(bps).ok().filter(|b| *b <= 10_000).ok_or_else(|| format!("{s}% is above 100%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_tolerances() {
        assert_eq!(tao("0.002 TAO").unwrap().rao(), 2_000_000);
        assert!(tao("0").is_ok());
        assert!(positive_tao("0").unwrap_err().contains("above zero"));
        assert!(positive_alpha("-1").unwrap_err().contains("negative"));
        assert_eq!(tolerance("0.5").unwrap(), 50);
        assert_eq!(tolerance("2%").unwrap(), 200);
        assert!(tolerance("0.125").is_err());
        assert!(tolerance("101").is_err());
    }

    #[test]
    fn fuzz_regression_signs_are_not_percentages() {
        // Found by fuzz_tolerance_*: these were accepted as 0 %, 0.5 % and 0.01 %.
        for s in ["+", "+.5", ".+1", "+1"] {
            assert!(tolerance(s).unwrap_err().contains("not a percentage"), "{s}");
        }
    }

    /// Fuzzing the CLI's own parsers (amounts go to `dtao::units`, fuzzed there).
    mod fuzz {
        use proptest::prelude::*;
        use test_support::fuzz::{boundary_number, config, mutated_text, text};

        use super::super::tolerance;

        /// Accepted tolerances re-parse from their canonical form; refusals quote the input.
        fn check(input: &str) -> Result<(), TestCaseError> {
            match tolerance(input) {
                Ok(bps) => {
                    prop_assert!(bps <= 10_000);
                    let canonical = format!("{}.{:02}", bps / 100, bps % 100);
                    prop_assert_eq!(tolerance(&canonical), Ok(bps), "{:?}", input);
                    let s = input.trim().trim_end_matches('%');
                    let plain = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
                    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
                    prop_assert!(plain(int) && plain(frac), "{:?} accepted as {} bps", input, bps);
                }
                Err(e) => prop_assert!(!e.is_empty()),
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn fuzz_tolerance_arbitrary_text(input in text(12)) {
                check(&input)?;
            }

            #[test]
            fn fuzz_tolerance_mutated_forms(
                input in mutated_text(["0.5", "2%", "100", "0.01", " 12.5 %"].map(String::from).to_vec()),
            ) {
                check(&input)?;
            }

            #[test]
            fn fuzz_tolerance_boundary_numbers(n in boundary_number(), pct in any::<bool>()) {
                check(&format!("{n}{}", if pct { "%" } else { "" }))?;
            }
        }
    }
}
