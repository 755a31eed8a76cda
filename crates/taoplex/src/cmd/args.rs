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
}
