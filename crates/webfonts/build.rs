//! Fetches the Noto Sans script fonts from npm (Fontsource, pinned in `web/package-lock.json`)
//! when they are missing, picks the subsets the pages need, and writes them with their
//! `@font-face` rules and a table of the files into `OUT_DIR`.
//!
//! `npm ci --ignore-scripts` installs exactly the locked versions into `web/node_modules`
//! (git-ignored); no install script of any package runs.

use std::path::Path;

include!("../../build-support/npm.rs");

fn main() {
    main_reporting("webfonts", run);
}

fn run() -> Result<(), String> {
    let WebDirs { manifest, web, modules, out } = web_dirs()?;
    let missing = SCRIPT_FONTS
        .iter()
        .map(|(p, _)| *p)
        .chain(CJK_FONTS.iter().map(|f| f.package))
        .any(|p| !modules.join("@fontsource").join(p).join("unicode.json").is_file());
    if missing {
        npm_ci(&web, "The script fonts (Fontsource)")?;
    }
    fonts(&manifest, &modules, &out)
}

/// Script fonts served from the binary, so subnet glyphs and the Chinese interface render on a
/// machine with no fonts for them (Chromium on a bare Debian has DejaVu only): one Fontsource
/// package per script (Noto Sans, regular weight, WOFF2), each subset with the `unicode-range`
/// Fontsource publishes for it, so a browser downloads a file only when a page shows one of its
/// characters. The scripts are those of the subnet symbols Subtensor assigns on mainnet and of
/// localnet's genesis.
const SCRIPT_FONTS: &[(&str, &[&str])] = &[
    ("noto-sans", &["greek", "greek-ext", "cyrillic", "cyrillic-ext", "devanagari"]),
    ("noto-sans-hebrew", &["hebrew"]),
    ("noto-sans-arabic", &["arabic"]),
    ("noto-sans-runic", &["runic"]),
    ("noto-sans-ogham", &["ogham"]),
    ("noto-sans-georgian", &["georgian"]),
    ("noto-sans-armenian", &["armenian"]),
    ("noto-sans-coptic", &["coptic"]),
    ("noto-sans-brahmi", &["brahmi"]),
    ("noto-sans-glagolitic", &["glagolitic"]),
    ("noto-sans-thai", &["thai"]),
    ("noto-sans-ethiopic", &["ethiopic"]),
];

/// CJK fonts are ~100 files each (74 MB for Chinese): only the subsets holding characters we
/// show are embedded. Chinese: every CJK character of the interface's catalogues and the
/// katakana letters of mainnet symbols; Korean: the Hangul compatibility jamo of mainnet symbols.
const CJK_FONTS: &[CjkFont] = &[
    CjkFont { package: "noto-sans-sc", catalogues: true, extra: &[(0x30A1, 0x30F6)] },
    CjkFont { package: "noto-sans-kr", catalogues: false, extra: &[(0x3131, 0x318E)] },
];

/// A chunked CJK font and the characters it must cover.
struct CjkFont {
    package: &'static str,
    /// Every CJK character of the catalogues.
    catalogues: bool,
    /// Code point ranges besides (inclusive).
    extra: &'static [(u32, u32)],
}

/// Catalogues whose CJK characters the Chinese font must cover (the platform's error
/// messages have their Chinese beside the error type).
const CATALOGUES: &[&str] = &[
    "../terminal/src/i18n.rs",
    "../terminal/src/describe.rs",
    "../dojo-platform/src/i18n.rs",
    "../dojo-platform/src/error.rs",
];

fn fonts(manifest: &Path, modules: &Path, out: &Path) -> Result<(), String> {
    let dir = out.join("fonts");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut faces: Vec<(&str, String, String)> = Vec::new(); // (package, file, unicode-range)
    for (package, subsets) in SCRIPT_FONTS {
        let table = unicode_table(modules, package)?;
        for subset in *subsets {
            let ranges = table.iter().find(|(k, _)| k == subset).map(|(_, v)| v.clone()).ok_or(
                format!("@fontsource/{package} has no subset {subset:?} in its unicode.json"),
            )?;
            faces.push((package, format!("{package}-{subset}-400-normal.woff2"), ranges));
        }
    }
    let mut chinese: Vec<u32> = Vec::new();
    for catalogue in CATALOGUES {
        let path = manifest.join(catalogue);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        chinese.extend(text.chars().map(u32::from).filter(|c| *c >= 0x2E80));
    }
    chinese.sort_unstable();
    chinese.dedup();
    for CjkFont { package, catalogues, extra } in CJK_FONTS {
        let ours: &[u32] = if *catalogues { &chinese } else { &[] };
        let mut needed: Vec<u32> = ours.to_vec();
        needed.extend(extra.iter().flat_map(|(a, b)| *a..=*b));
        let mut covered: Vec<(u32, u32)> = Vec::new();
        for (subset, ranges) in unicode_table(modules, package)? {
            let Some(n) = subset.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
                continue;
            };
            let parsed = parse_ranges(&ranges)?;
            if needed.iter().any(|c| parsed.iter().any(|(a, b)| a <= c && c <= b)) {
                covered.extend(&parsed);
                faces.push((package, format!("{package}-{n}-400-normal.woff2"), ranges));
            }
        }
        // The interface's own text must render: a catalogue character the font lacks is a
        // build error, not a box on the page.
        let missing: String = ours
            .iter()
            .filter(|c| !covered.iter().any(|(a, b)| a <= *c && *c <= b))
            .filter_map(|c| char::from_u32(*c))
            .collect();
        if !missing.is_empty() {
            return Err(format!("@fontsource/{package} has no glyph for {missing:?}"));
        }
    }
    let mut css = String::from(
        "/* Script fonts (Noto Sans via Fontsource, SIL Open Font License 1.1), generated by build.rs. */\n",
    );
    let mut table =
        String::from("/// Script fonts embedded by `build.rs`: (file name, WOFF2 bytes).\n");
    table.push_str("pub static FONTS: &[(&str, &[u8])] = &[\n");
    for (package, file, ranges) in &faces {
        let from = modules.join("@fontsource").join(package).join("files").join(file);
        std::fs::copy(&from, dir.join(file))
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
        css.push_str(&format!(
            "@font-face{{font-family:\"Taoplex Scripts\";font-style:normal;font-weight:400;font-display:swap;src:url(fonts/{file}) format(\"woff2\");unicode-range:{ranges}}}\n"
        ));
        table.push_str(&format!(
            "    ({file:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/fonts/{file}\"))),\n"
        ));
    }
    table.push_str("];\n");
    std::fs::write(out.join("fonts.css"), css)
        .map_err(|e| format!("cannot write fonts.css: {e}"))?;
    std::fs::write(out.join("fonts.rs"), table)
        .map_err(|e| format!("cannot write fonts.rs: {e}"))?;
    Ok(())
}

/// A Fontsource package's `unicode.json`: `{ "subset": "U+0000-00FF,U+0131,…", … }`, one pair
/// a line (read by hand: the build script has no JSON parser).
fn unicode_table(modules: &Path, package: &str) -> Result<Vec<(String, String)>, String> {
    let path = modules.join("@fontsource").join(package).join("unicode.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {} ({e}); delete {} and build again",
            path.display(),
            modules.display()
        )
    })?;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_end_matches(',');
        if let Some((k, v)) = line.split_once("\": \"") {
            out.push((k.trim_start_matches('"').to_string(), v.trim_end_matches('"').to_string()));
        }
    }
    Ok(out)
}

/// `U+0370-03FF,U+1F00` → inclusive code point ranges.
fn parse_ranges(text: &str) -> Result<Vec<(u32, u32)>, String> {
    let hex = |h: &str| u32::from_str_radix(h, 16).map_err(|e| format!("bad range {text:?}: {e}"));
    text.split(',')
        .map(|part| {
            let part = part.trim().trim_start_matches("U+");
            match part.split_once('-') {
                Some((a, b)) => Ok((hex(a)?, hex(b)?)),
                None => hex(part).map(|c| (c, c)),
            }
        })
        .collect()
}
