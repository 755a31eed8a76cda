//! Telegram text: HTML escaping (the bot sends `parse_mode = HTML`), splitting long messages
//! at Telegram's 4096-character limit, and number formatting.

/// Telegram's limit on one message's text, in characters (UTF-16 units are close enough for
/// the text the bot writes; it splits well below the limit to be safe with surrogate pairs).
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// The part of `MAX_MESSAGE_CHARS` the bot fills, leaving room for astral characters that
/// count twice in UTF-16.
const SPLIT_AT: usize = 3800;

/// Escapes `s` for Telegram's HTML parse mode: `&`, `<`, `>` (and `"` for attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Splits `text` into messages Telegram accepts: at line breaks where possible, never inside
/// an HTML entity or tag (the bot's markup never spans lines), hard-cut lines only when one line
/// alone is too long.
pub fn split(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut current_len = 0usize;
    for line in text.split_inclusive('\n') {
        let len = line.chars().count();
        if current_len + len > SPLIT_AT && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            current_len = 0;
        }
        if len > SPLIT_AT {
            for piece in hard_cut(line) {
                let n = piece.chars().count();
                if current_len + n > SPLIT_AT && !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                    current_len = 0;
                }
                current.push_str(&piece);
                current_len += n;
            }
        } else {
            current.push_str(line);
            current_len += len;
        }
    }
    if !current.trim().is_empty() || parts.is_empty() {
        parts.push(current);
    }
    parts
}

/// Cuts one over-long line into pieces of at most `SPLIT_AT` characters, moving a cut that
/// would fall inside an entity (`&…;`) or a tag (`<…>`) to before it.
fn hard_cut(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut end = (start + SPLIT_AT).min(chars.len());
        if end < chars.len() {
            let window = &chars[start..end];
            let open = window.iter().rposition(|&c| c == '&' || c == '<');
            let close = window.iter().rposition(|&c| c == ';' || c == '>');
            if let Some(o) = open
                && close.is_none_or(|c| c < o)
                && o > 0
            {
                end = start + o;
            }
        }
        out.push(chars[start..end].iter().collect());
        start = end;
    }
    out
}

/// Rao as TAO with up to 4 decimals: `1_234_500_000` → `"1.2345"`.
pub fn tao(rao: u64) -> String {
    let whole = rao / 1_000_000_000;
    let frac = (rao % 1_000_000_000) / 100_000;
    if frac == 0 {
        group(whole)
    } else {
        let f = format!("{frac:04}");
        format!("{}.{}", group(whole), f.trim_end_matches('0'))
    }
}

/// A price in rao per alpha as TAO per alpha with 6 decimals.
pub fn price(rao_per_alpha: u64) -> String {
    let whole = rao_per_alpha / 1_000_000_000;
    let frac = (rao_per_alpha % 1_000_000_000) / 1_000;
    format!("{}.{frac:06}", group(whole))
}

/// `1234567` → `"1,234,567"`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed fraction as a percentage with sign, or "—" when unknown. Losses take the
/// typographic minus, as every signed number the bot writes does.
pub fn pct(change: Option<f64>) -> String {
    match change {
        Some(c) if c.is_finite() => format!("{:+.2} %", c * 100.0).replacen('-', "−", 1),
        _ => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(escape("<b>A&B</b> \"x\""), "&lt;b&gt;A&amp;B&lt;/b&gt; &quot;x&quot;");
    }

    #[test]
    fn splits_long_text_at_lines_and_keeps_everything() {
        let line = "x".repeat(100) + "\n";
        let text = line.repeat(100);
        let parts = split(&text);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS));
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.ends_with('\n')));
    }

    #[test]
    fn hard_cut_never_splits_an_entity() {
        let text = "a".repeat(SPLIT_AT - 2) + "&amp;" + &"b".repeat(10);
        let parts = split(&text);
        assert_eq!(parts.len(), 2);
        assert!(parts[1].starts_with("&amp;"));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(tao(1_234_500_000), "1.2345");
        assert_eq!(tao(5_000_000_000_000), "5,000");
        assert_eq!(price(12_345_678), "0.012345");
        assert_eq!(pct(Some(-0.0512)), "−5.12 %");
        assert_eq!(pct(None), "—");
    }
}
