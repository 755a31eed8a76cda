//! Fetches the front-end libraries from npm (pinned in `web/package-lock.json`) when they are
//! missing and copies the files the terminal embeds into `OUT_DIR`.
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
    let missing = VENDORED.iter().any(|(src, _)| !modules.join(src).is_file());
    if missing {
        npm_ci(&web)?;
    }
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
