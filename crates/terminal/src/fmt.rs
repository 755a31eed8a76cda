//! Numbers for people: τ with sensible decimals, compact market caps ("1.2M τ"), dollars,
//! signed percentages. Amounts arrive as integer rao; floats are used only for display here.

/// Rao per TAO.
const RAO: f64 = 1e9;

/// A rao amount as a float of whole tokens, for display only.
pub fn tokens(rao: u64) -> f64 {
    // Display conversion: precision loss beyond 2^53 rao (9M τ) is invisible at 4 significant digits.
    rao as f64 / RAO
}

/// A signed rao amount (a flow, as a decimal string) as whole tokens, for display only.
pub fn tokens_signed(rao: &str) -> f64 {
    rao.parse::<i128>().map(|v| v as f64 / RAO).unwrap_or(0.0)
}

fn group(int_part: &str) -> String {
    let bytes = int_part.as_bytes();
    let mut out = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (i, c) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(char::from(*c));
    }
    out
}

/// `v` with `decimals` decimals and thousands separators.
pub fn grouped(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let sign = if v < 0.0 && s.chars().any(|c| c != '0' && c != '.') { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{}", group(int))
    } else {
        format!("{sign}{}.{frac}", group(int))
    }
}

/// A price-like number: 4 significant digits below 1, 4 decimals below 100, 2 above.
pub fn precise(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if a < 1.0 {
        // Significant digits: decimals = 3 - floor(log10(a)), capped for tiny values.
        let decimals =
            usize::try_from((3.0 - a.log10().floor()).clamp(0.0, 12.0) as i64).unwrap_or(6);
        grouped(v, decimals)
    } else if a < 100.0 {
        grouped(v, 4)
    } else {
        grouped(v, 2)
    }
}

/// A large number with K/M/B suffixes: 1.23K, 45.6M, 7.89B.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    let (div, suffix) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "K")
    } else {
        return format!(
            "{sign}{}",
            if a >= 100.0 {
                grouped(a, 0)
            } else if a >= 10.0 {
                grouped(a, 1)
            } else {
                precise(a)
            }
        );
    };
    let x = a / div;
    let s = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    format!("{sign}{s}{suffix}")
}

/// A price in τ: "0.004231 τ".
pub fn tao_price(rao: u64) -> String {
    format!("{} τ", precise(tokens(rao)))
}

/// A price in $: "$1.7325".
pub fn usd_price(rao: u64, usd_per_tao: f64) -> String {
    format!("${}", precise(tokens(rao) * usd_per_tao))
}

/// A large τ amount: "1.2M τ".
pub fn tao_compact(rao: u64) -> String {
    format!("{} τ", compact(tokens(rao)))
}

/// A large $ amount: "$1.2M".
pub fn usd_compact(rao: u64, usd_per_tao: f64) -> String {
    format!("${}", compact(tokens(rao) * usd_per_tao))
}

/// A signed τ amount (string of rao): "+1.2K τ", "-310 τ".
pub fn tao_signed(rao: &str) -> String {
    let v = tokens_signed(rao);
    let plus = if v > 0.0 { "+" } else { "" };
    format!("{plus}{} τ", compact(v))
}

/// A signed $ amount: "+$1.2K".
pub fn usd_signed(rao: &str, usd_per_tao: f64) -> String {
    let v = tokens_signed(rao) * usd_per_tao;
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "-"
    } else {
        ""
    };
    format!("{sign}${}", compact(v.abs()))
}

/// A change (fraction) as a signed percentage: "+1.23%", "−4.50%", "—" when unknown.
pub fn change(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let pct = x * 100.0;
            if pct > 0.0 {
                format!("+{pct:.2}%")
            } else if pct < 0.0 {
                format!("−{:.2}%", pct.abs())
            } else {
                "0.00%".to_string()
            }
        }
        _ => "—".to_string(),
    }
}

/// The CSS class of a change: `up`, `down` or `flat`.
pub fn change_class(v: Option<f64>) -> &'static str {
    match v {
        Some(x) if x > 0.0 => "up",
        Some(x) if x < 0.0 => "down",
        _ => "flat",
    }
}

/// A share (fraction) as a percentage: "1.23%".
pub fn share(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

/// An age in seconds for people: "12 s", "4 min", "3 h", "12 d".
pub fn age(ms: u64) -> String {
    let s = ms / 1000;
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else if s < 172_800 {
        format!("{} h", s / 3600)
    } else {
        format!("{} d", s / 86_400)
    }
}

/// Unix milliseconds as a UTC time: "2026-12-03 14:18:23 UTC" (proleptic Gregorian, from
/// Hinnant's days-to-civil, so no date crate is needed for one format).
pub fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// An exact amount of TAO from rao, every digit kept: "1.000000001 τ".
pub fn tao_exact(rao: u64) -> String {
    format!("{} τ", chain::Tao::from_rao(rao).to_decimal_string())
}

/// An exact amount of alpha from its rao (9 decimals, like TAO): "2.5 α".
pub fn alpha_exact(rao: u64) -> String {
    format!("{} α", chain::Tao::from_rao(rao).to_decimal_string())
}

/// A short address: "5Grw…utQY".
pub fn short_address(ss58: &str) -> String {
    let chars: Vec<char> = ss58.chars().collect();
    if chars.len() <= 12 {
        return ss58.to_string();
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        assert_eq!(tao_price(4_231_000), "0.004231 τ");
        assert_eq!(tao_price(1_500_000_000), "1.5000 τ");
        assert_eq!(tao_compact(1_234_000_000_000_000), "1.23M τ");
        assert_eq!(tao_compact(512_000_000_000), "512 τ");
        assert_eq!(tao_compact(0), "0 τ");
        assert_eq!(usd_compact(1_000_000_000_000, 400.0), "$400K");
        assert_eq!(tao_signed("-310000000000"), "-310 τ");
        assert_eq!(tao_signed("1200000000000"), "+1.20K τ");
        assert_eq!(change(Some(0.0123)), "+1.23%");
        assert_eq!(change(Some(-0.045)), "−4.50%");
        assert_eq!(change(None), "—");
        assert_eq!(grouped(1234567.891, 2), "1,234,567.89");
        assert_eq!(age(12_000), "12 s");
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_796_307_503_000), "2026-12-03 14:18:23 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(short_address("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), "5Grw…utQY");
    }
}
