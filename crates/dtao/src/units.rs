//! Money: [`Tao`] and [`Alpha`] amounts as integer rao, with exact decimal parsing and formatting.
//!
//! One TAO is 10⁹ rao, and subnet alpha uses the same nine decimals. Amounts are `u64` counts of
//! rao, as on the chain (`TaoBalance`, `AlphaBalance`); no float ever holds a balance. Parsing is
//! exact: `"1.5"`, `"0.002 TAO"`, `"12.3α"` and `"250000rao"` are all accepted, and anything that
//! cannot be represented exactly (a tenth decimal, a negative sign, more than `u64::MAX` rao) is
//! an [`AmountError`] that names the problem instead of being rounded. SCALE-encoded, an amount
//! is exactly its `u64` of rao, so wrapping a field changes no encoding.

use std::fmt;
use std::str::FromStr;

use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Rao per whole TAO (or per whole alpha): 10⁹.
pub const RAO_PER_TAO: u64 = 1_000_000_000;

/// Decimal places of TAO and alpha.
pub const DECIMALS: u32 = 9;

/// Total TAO supply cap in rao: 21 million TAO.
pub const TOTAL_SUPPLY_RAO: u64 = 21_000_000 * RAO_PER_TAO;

/// A subnet identifier (`NetUid` on chain). Subnet 0 is the root network.
pub type NetUid = u16;

/// A block height. Chain logic measures time in blocks, never in wall-clock time.
pub type BlockNumber = u64;

/// Why a string is not a valid amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Nothing but whitespace or a unit was given.
    #[error("empty amount: give a number such as 1.5 or 250000rao")]
    Empty,
    /// Amounts are never negative.
    #[error("negative amount {input:?}: amounts must be zero or more")]
    Negative {
        /// The text as given.
        input: String,
    },
    /// More than nine decimals cannot be represented in rao.
    #[error("{input:?} has {decimals} decimals; at most 9 are allowed (1 rao = 0.000000001)")]
    TooManyDecimals {
        /// The text as given.
        input: String,
        /// How many decimals it had.
        decimals: usize,
    },
    /// A rao count cannot have a fractional part.
    #[error("{input:?}: a rao amount must be a whole number")]
    FractionalRao {
        /// The text as given.
        input: String,
    },
    /// Larger than `u64::MAX` rao.
    #[error("{input:?} is too large: the maximum is 18446744073.709551615")]
    Overflow {
        /// The text as given.
        input: String,
    },
    /// The unit belongs to the other token.
    #[error("{input:?} is an amount of {got}, but an amount of {expected} is needed")]
    WrongUnit {
        /// The text as given.
        input: String,
        /// The token the caller wanted.
        expected: &'static str,
        /// The token the text named.
        got: &'static str,
    },
    /// Not a number at all.
    #[error("{input:?} is not an amount: {reason}")]
    Invalid {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Which token a unit suffix names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Tao,
    Alpha,
    Rao,
    None,
}

/// Splits a trailing unit off an amount string.
fn split_unit(s: &str) -> (&str, Unit) {
    let lower = s.to_ascii_lowercase();
    // Longest suffixes first, so "alpha" is not read as "a" + "lpha".
    const SUFFIXES: &[(&str, Unit)] = &[
        ("alpha", Unit::Alpha),
        ("tao", Unit::Tao),
        ("rao", Unit::Rao),
        ("τ", Unit::Tao),
        ("α", Unit::Alpha),
    ];
    for (suffix, unit) in SUFFIXES {
        if lower.ends_with(suffix) {
            // Suffixes are ASCII or single chars whose lowercase has the same byte length.
            let cut = s.len() - suffix.len();
            if s.is_char_boundary(cut) {
                return (s[..cut].trim_end(), *unit);
            }
        }
    }
    (s, Unit::None)
}

/// Parses a decimal number of whole tokens (or, with the `rao` unit, a count of rao) into rao.
fn parse_rao(input: &str, expected: Unit) -> Result<u64, AmountError> {
    let owned = || input.to_string();
    let trimmed = input.trim();
    let (number, unit) = split_unit(trimmed);
    let name = |u: Unit| if u == Unit::Alpha { "alpha" } else { "TAO" };
    if unit != Unit::None && unit != Unit::Rao && unit != expected {
        return Err(AmountError::WrongUnit {
            input: owned(),
            expected: name(expected),
            got: name(unit),
        });
    }
    let number = number.trim().replace('_', "");
    if number.is_empty() {
        return Err(AmountError::Empty);
    }
    if number.starts_with('-') {
        return Err(AmountError::Negative { input: owned() });
    }
    let number = number.strip_prefix('+').unwrap_or(&number);
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (number, None),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(int_part) || !frac_part.is_none_or(digits_only) {
        return Err(AmountError::Invalid { input: owned(), reason: "expected digits and one '.'" });
    }
    if int_part.is_empty() && frac_part.is_none_or(str::is_empty) {
        return Err(AmountError::Invalid { input: owned(), reason: "no digits" });
    }
    let overflow = || AmountError::Overflow { input: owned() };
    let int_value: u64 =
        if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| overflow())? };
    if unit == Unit::Rao {
        if frac_part.is_some_and(|f| f.bytes().any(|b| b != b'0')) {
            return Err(AmountError::FractionalRao { input: owned() });
        }
        return Ok(int_value);
    }
    let frac = frac_part.unwrap_or("");
    if frac.len() > DECIMALS as usize {
        return Err(AmountError::TooManyDecimals { input: owned(), decimals: frac.len() });
    }
    let mut frac_value: u64 = 0;
    for b in frac.bytes() {
        frac_value = frac_value * 10 + u64::from(b - b'0');
    }
    frac_value *= 10u64.pow(DECIMALS - frac.len() as u32);
    int_value.checked_mul(RAO_PER_TAO).and_then(|r| r.checked_add(frac_value)).ok_or_else(overflow)
}

/// Formats rao as a decimal number of whole tokens with trailing zeros removed ("1.5", "0").
fn format_rao(rao: u64) -> String {
    let whole = rao / RAO_PER_TAO;
    let frac = rao % RAO_PER_TAO;
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:09}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

macro_rules! amount_type {
    ($name:ident, $unit:expr, $symbol:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Debug,
            Clone,
            Copy,
            Default,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            Serialize,
            Deserialize,
            Encode,
            Decode,
        )]
        #[serde(transparent)]
        pub struct $name(u64);

        impl $name {
            /// Zero.
            pub const ZERO: Self = Self(0);
            /// The largest representable amount.
            pub const MAX: Self = Self(u64::MAX);

            /// An amount of `rao` indivisible units.
            pub const fn from_rao(rao: u64) -> Self {
                Self(rao)
            }

            /// A whole number of tokens; `None` if it does not fit in `u64` rao.
            pub const fn from_whole(tokens: u64) -> Option<Self> {
                match tokens.checked_mul(RAO_PER_TAO) {
                    Some(r) => Some(Self(r)),
                    None => None,
                }
            }

            /// The amount in rao.
            pub const fn rao(self) -> u64 {
                self.0
            }

            /// True for zero.
            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }

            /// Sum, or `None` on overflow.
            pub const fn checked_add(self, other: Self) -> Option<Self> {
                match self.0.checked_add(other.0) {
                    Some(r) => Some(Self(r)),
                    None => None,
                }
            }

            /// Difference, or `None` if `other` is larger.
            pub const fn checked_sub(self, other: Self) -> Option<Self> {
                match self.0.checked_sub(other.0) {
                    Some(r) => Some(Self(r)),
                    None => None,
                }
            }

            /// Sum, clamped at the maximum (only where the chain saturates).
            pub const fn saturating_add(self, other: Self) -> Self {
                Self(self.0.saturating_add(other.0))
            }

            /// Difference, clamped at zero (only where the chain saturates).
            pub const fn saturating_sub(self, other: Self) -> Self {
                Self(self.0.saturating_sub(other.0))
            }

            /// The amount as a plain decimal number of tokens, e.g. `"1.5"`.
            pub fn to_decimal_string(self) -> String {
                format_rao(self.0)
            }

            /// For display and analytics only: the amount in whole tokens as a float.
            pub fn as_f64(self) -> f64 {
                self.0 as f64 / RAO_PER_TAO as f64
            }
        }

        impl fmt::Display for $name {
            /// `1.5 τ` / `12.3 α`: the exact decimal amount and the token's symbol.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", format_rao(self.0), $symbol)
            }
        }

        impl FromStr for $name {
            type Err = AmountError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_rao(s, $unit).map(Self)
            }
        }
    };
}

amount_type!(
    Tao,
    Unit::Tao,
    "τ",
    "An amount of TAO, counted in rao (10⁻⁹ TAO). Parses `\"1.5\"`, `\"0.002 TAO\"`, `\"1τ\"`, `\"250000rao\"`."
);
amount_type!(
    Alpha,
    Unit::Alpha,
    "α",
    "An amount of a subnet's alpha token, counted in its smallest unit (10⁻⁹ alpha). Parses `\"12.3α\"`, `\"5 alpha\"`, `\"250000rao\"`."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!("1.5".parse::<Tao>().unwrap().rao(), 1_500_000_000);
        assert_eq!("0.002 TAO".parse::<Tao>().unwrap().rao(), 2_000_000);
        assert_eq!("12.3α".parse::<Alpha>().unwrap().rao(), 12_300_000_000);
        assert_eq!("250000rao".parse::<Tao>().unwrap().rao(), 250_000);
        assert_eq!("250000 rao".parse::<Alpha>().unwrap().rao(), 250_000);
        assert_eq!("1τ".parse::<Tao>().unwrap().rao(), RAO_PER_TAO);
        assert_eq!(".5".parse::<Tao>().unwrap().rao(), 500_000_000);
        assert_eq!("7.".parse::<Tao>().unwrap().rao(), 7 * RAO_PER_TAO);
        assert_eq!("1_000 tao".parse::<Tao>().unwrap().rao(), 1000 * RAO_PER_TAO);
        assert_eq!("0.000000001".parse::<Tao>().unwrap().rao(), 1);
        assert_eq!("5 Alpha".parse::<Alpha>().unwrap().rao(), 5 * RAO_PER_TAO);
        assert_eq!("18446744073.709551615".parse::<Tao>().unwrap(), Tao::MAX);
    }

    #[test]
    fn rejects_bad_amounts_with_the_reason() {
        assert!(matches!("-1".parse::<Tao>(), Err(AmountError::Negative { .. })));
        assert!(matches!(
            "0.0000000001".parse::<Tao>(),
            Err(AmountError::TooManyDecimals { decimals: 10, .. })
        ));
        assert!(matches!(
            "18446744073.709551616".parse::<Tao>(),
            Err(AmountError::Overflow { .. })
        ));
        assert!(matches!("99999999999999999999".parse::<Tao>(), Err(AmountError::Overflow { .. })));
        assert!(matches!("abc".parse::<Tao>(), Err(AmountError::Invalid { .. })));
        assert!(matches!("1.2.3".parse::<Tao>(), Err(AmountError::Invalid { .. })));
        assert!(matches!("1e9".parse::<Tao>(), Err(AmountError::Invalid { .. })));
        assert!(matches!(" ".parse::<Tao>(), Err(AmountError::Empty)));
        assert!(matches!("TAO".parse::<Tao>(), Err(AmountError::Empty)));
        assert!(matches!(".".parse::<Tao>(), Err(AmountError::Invalid { .. })));
        assert!(matches!("1.5rao".parse::<Tao>(), Err(AmountError::FractionalRao { .. })));
        assert!(matches!("3α".parse::<Tao>(), Err(AmountError::WrongUnit { .. })));
        assert!(matches!("3 TAO".parse::<Alpha>(), Err(AmountError::WrongUnit { .. })));
        let message = "-1".parse::<Tao>().unwrap_err().to_string();
        assert!(message.contains("negative"), "{message}");
    }

    #[test]
    fn formats_exactly() {
        assert_eq!(Tao::from_rao(1_500_000_000).to_string(), "1.5 τ");
        assert_eq!(Alpha::from_rao(1).to_string(), "0.000000001 α");
        assert_eq!(Tao::ZERO.to_decimal_string(), "0");
        assert_eq!(Tao::MAX.to_decimal_string(), "18446744073.709551615");
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_round_trips(rao in proptest::num::u64::ANY) {
            let tao = Tao::from_rao(rao);
            proptest::prop_assert_eq!(tao.to_decimal_string().parse::<Tao>().unwrap(), tao);
            proptest::prop_assert_eq!(tao.to_string().parse::<Tao>().unwrap(), tao);
            let alpha = Alpha::from_rao(rao);
            proptest::prop_assert_eq!(alpha.to_string().parse::<Alpha>().unwrap(), alpha);
        }
    }
}
