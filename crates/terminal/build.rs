//! Fetches the front-end libraries from npm (pinned in `web/package-lock.json`) when they are
//! missing and copies the files the terminal embeds into `OUT_DIR`; builds the browser wallet's
//! WebAssembly (`crates/keys-wasm`, the project's own `keys` crate) with a nested cargo for
//! `wasm32-unknown-unknown` and copies it there too.
//!
//! `npm ci --ignore-scripts` installs exactly the locked versions into `web/node_modules`
//! (git-ignored); no install script of any package runs. A fresh `cargo build` therefore needs
//! no manual step, only `npm` on the PATH and access to the npm registry once.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Files embedded in the binary: (path under `web/node_modules`, name in `OUT_DIR`).
const VENDORED: &[(&str, &str)] = &[(
    "lightweight-charts/dist/lightweight-charts.standalone.production.js",
    "lightweight-charts.standalone.production.js",
)];

fn main() {
    if let Err(message) = run() {
        // A build script reports failure by exiting non-zero; the message is what the user sees.
        eprintln!("\nerror: terminal build script: {message}\n");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let web = manifest.join("web");
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    println!("cargo:rerun-if-changed=web/package.json");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    let modules = web.join("node_modules");
    let missing = VENDORED.iter().any(|(src, _)| !modules.join(src).is_file())
        || SCRIPT_FONTS
            .iter()
            .map(|(p, _)| *p)
            .chain(CJK_FONTS.iter().map(|f| f.package))
            .any(|p| !modules.join("@fontsource").join(p).join("unicode.json").is_file());
    if missing {
        npm_ci(&web)?;
    }
    build_keys_wasm(&manifest, &out)?;
    fonts(&manifest, &modules, &out)?;
    for (src, name) in VENDORED {
        let from = modules.join(src);
        println!("cargo:rerun-if-changed={}", from.display());
        std::fs::copy(&from, out.join(name)).map_err(|e| {
            format!(
                "cannot copy {} after `npm ci`: {e}; delete {} and build again",
                from.display(),
                modules.display()
            )
        })?;
    }
    Ok(())
}

fn npm_ci(web: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(web)
        .status()
        .map_err(|e| {
            format!(
                "cannot run `{npm}` ({e}). The terminal embeds its charting library from npm: \
                 install Node.js and npm (Debian: `apt-get install -y npm`), then build again. \
                 The packages are pinned in {}/package-lock.json.",
                web.display()
            )
        })?;
    if !status.success() {
        return Err(format!(
            "`npm ci --ignore-scripts` failed in {} ({status}); check network access to the npm registry and build again",
            web.display()
        ));
    }
    Ok(())
}

/// Builds `crates/keys-wasm` for the browser (release: Argon2i is unbearably slow otherwise)
/// into a target directory of its own beside the workspace's, so the nested cargo never waits
/// for the outer one's lock and every profile of the terminal shares one wasm build.
fn build_keys_wasm(manifest: &Path, out: &Path) -> Result<(), String> {
    let workspace = manifest.join("../..");
    for watched in [
        "../keys/src",
        "../keys/Cargo.toml",
        "../keys-wasm/src",
        "../keys-wasm/Cargo.toml",
        "../../Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    // OUT_DIR is <target>/<profile>/build/<pkg>/out.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| out.ancestors().nth(4).map(Path::to_path_buf))
        .ok_or("cannot tell the target directory from OUT_DIR")?
        .join("keys-wasm");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&workspace)
        .args(["build", "--locked", "--release", "-p", "keys-wasm", "--lib"])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(&target)
        // The outer build's flags are for the host; the wasm is small and stripped.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true")
        .status()
        .map_err(|e| format!("cannot run cargo to build the browser wallet ({e})"))?;
    if !status.success() {
        return Err(format!(
            "building crates/keys-wasm for wasm32-unknown-unknown failed ({status}); if the target \
             is missing, `rustup target add wasm32-unknown-unknown` (rust-toolchain.toml lists it)"
        ));
    }
    let wasm = target.join("wasm32-unknown-unknown/release/keys_wasm.wasm");
    std::fs::copy(&wasm, out.join("keys.wasm"))
        .map_err(|e| format!("cannot copy {}: {e}", wasm.display()))?;
    Ok(())
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

/// Catalogues whose CJK characters the Chinese font must cover.
const CATALOGUES: &[&str] = &["src/i18n.rs", "../dojo-platform/src/i18n.rs"];

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
    table.push_str("pub(crate) static FONTS: &[(&str, &[u8])] = &[\n");
    for (package, file, ranges) in &faces {
        let from = modules.join("@fontsource").join(package).join("files").join(file);
        std::fs::copy(&from, dir.join(file))
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
        css.push_str(&format!(
            "@font-face{{font-family:\"Taoplex Scripts\";font-style:normal;font-weight:400;font-display:swap;src:url(/assets/fonts/{file}) format(\"woff2\");unicode-range:{ranges}}}\n"
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
