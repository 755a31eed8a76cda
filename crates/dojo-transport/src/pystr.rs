//! Python's `str()` of JSON values, as the Bittensor SDK feeds them to the body hash.
//!
//! - strings: as is at the top level; inside lists and dicts, `repr()` — single quotes unless
//!   the string holds a `'` and no `"`, backslash escapes for `\\`, the quote, `\n`, `\r`,
//!   `\t`, and `\xNN` / `\uNNNN` / `\UNNNNNNNN` for characters Python does not print;
//! - `true`/`false` → `True`/`False`, `null` → `None`;
//! - integers in decimal; floats as Python's `repr` (shortest round-trip digits, scientific
//!   form when the decimal exponent is below −4 or above 15: `0.1`, `1e-07`, `1e+16`, `1.0`);
//! - lists `[a, b]`, dicts `{'k': v}` with `", "` and `": "` separators, keys in the JSON
//!   object's order (serde_json keeps them sorted).
//!
//! What a JSON value cannot say is taken from its form: `1` is an int and `1.0` a float, so a
//! float field must travel with a decimal point (serde_json writes `f64` that way). Python's
//! notion of printable characters is approximated by the Unicode categories it escapes in
//! practice (controls, format characters, separators other than the space, private use);
//! unassigned code points are printed as is.

use serde_json::Value;

/// Python `str(value)` of a JSON value.
pub fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            python_repr_into(other, &mut out);
            out
        }
    }
}

/// Python `repr(value)` of a JSON value (strings quoted).
pub fn python_repr(value: &Value) -> String {
    let mut out = String::new();
    python_repr_into(value, &mut out);
    out
}

fn python_repr_into(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else if let Some(f) = n.as_f64() {
                out.push_str(&python_float_repr(f));
            }
        }
        Value::String(s) => out.push_str(&python_str_repr(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_repr_into(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&python_str_repr(k));
                out.push_str(": ");
                python_repr_into(v, out);
            }
            out.push('}');
        }
    }
}

/// Python `repr()` of a float.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, as Python's repr does.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    let decpt = exp + 1;
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs());
    }
    let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if decpt <= 0 {
        let zeros = "0".repeat(usize::try_from(-decpt).unwrap_or(0));
        format!("{sign}0.{zeros}{digits}")
    } else if decpt >= n {
        let zeros = "0".repeat(usize::try_from(decpt - n).unwrap_or(0));
        format!("{sign}{digits}{zeros}.0")
    } else {
        let (int, frac) = digits.split_at(usize::try_from(decpt).unwrap_or(0));
        format!("{sign}{int}.{frac}")
    }
}

/// Python `repr()` of a string.
pub fn python_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character, approximated (see the module docs).
fn is_printable(c: char) -> bool {
    let code = u32::from(c);
    if c == ' ' {
        return true;
    }
    !matches!(code,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad
        | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2 | 0x1680 | 0x180e
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f | 0x3000
        | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a
        | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_like_python() {
        for (f, want) in [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (1e-7, "1e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (-2.5, "-2.5"),
            (12.0, "12.0"),
            (1.5e300, "1.5e+300"),
            (-0.0, "-0.0"),
            (0.30000000000000004, "0.30000000000000004"),
        ] {
            assert_eq!(python_float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn containers_and_strings() {
        assert_eq!(python_str(&json!("hello")), "hello");
        assert_eq!(python_str(&json!(["a", "b"])), "['a', 'b']");
        assert_eq!(python_str(&json!([true, false, null, 1, 1.5])), "[True, False, None, 1, 1.5]");
        assert_eq!(python_str(&json!(["it's"])), "[\"it's\"]");
        assert_eq!(python_str(&json!(["it's \"x\""])), "['it\\'s \"x\"']");
        assert_eq!(python_str(&json!(["a\\b\n"])), "['a\\\\b\\n']");
        assert_eq!(python_str(&json!({"k": [1, [2]]})), "{'k': [1, [2]]}");
        assert_eq!(python_str(&json!(["\u{7f}é\u{a0}"])), "['\\x7fé\\xa0']");
    }
}
