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

include!("../../build-support/npm.rs");

/// Files embedded in the binary: (path under `web/node_modules`, name in `OUT_DIR`).
const VENDORED: &[(&str, &str)] = &[(
    "lightweight-charts/dist/lightweight-charts.standalone.production.js",
    "lightweight-charts.standalone.production.js",
)];

fn main() {
    main_reporting("terminal", run);
}

fn run() -> Result<(), String> {
    let WebDirs { manifest, web, modules, out } = web_dirs()?;
    let missing = VENDORED.iter().any(|(src, _)| !modules.join(src).is_file());
    if missing {
        npm_ci(&web, "The charting library")?;
    }
    build_keys_wasm(&manifest, &out)?;
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
