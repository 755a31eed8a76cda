//! The script fonts taoplex's pages serve from the binary, so subnet glyphs (Greek, Hebrew,
//! Arabic, Runic, Devanagari, …) and the Chinese interface render on a machine with no fonts
//! for them (Chromium on a bare Debian has DejaVu only). One family, `Taoplex Scripts`, split
//! by script with each subset's `unicode-range`, so a browser downloads a file only when a page
//! shows one of its characters; for Chinese only the subsets holding characters of the
//! terminal's and the worker platform's catalogues (`build.rs` fails the build on a character
//! none covers).
//!
//! The terminal serves them under `/assets/`, the worker platform under `/static/`: both put
//! [`FONTS_CSS`] at `<prefix>fonts.css` and each file at `<prefix>fonts/<name>`, which is where
//! the rules point (they use relative URLs).
//!
//! ## Feature flags
//! None.
#![deny(missing_docs)]

include!(concat!(env!("OUT_DIR"), "/fonts.rs"));

/// The `@font-face` rules of [`FONTS`], relative to the stylesheet (`fonts/<name>`).
pub const FONTS_CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fonts.css"));

/// The WOFF2 bytes of font file `name`.
pub fn font(name: &str) -> Option<&'static [u8]> {
    FONTS.iter().find(|(n, _)| *n == name).map(|(_, bytes)| *bytes)
}

/// The `Cache-Control` a font file may carry: its name carries its package's subset and weight,
/// and its bytes change only with the pinned package version, so browsers may keep it a year.
pub const FONT_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
