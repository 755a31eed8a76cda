// The npm step the build scripts share (`include!`d by `crates/terminal/build.rs`,
// `crates/dojo-platform/build.rs` and `crates/webfonts/build.rs`; a build script cannot share a
// module otherwise without a crate of its own).

/// Where a build script works: its crate (`manifest`), the crate's `web` folder with the npm
/// lockfile, that folder's `node_modules`, and `OUT_DIR`. Cargo is told to rerun the script when
/// the lockfile changes.
struct WebDirs {
    // Not every build script reads its own crate's folder (the platform's does not).
    #[allow(dead_code)]
    manifest: std::path::PathBuf,
    web: std::path::PathBuf,
    modules: std::path::PathBuf,
    out: std::path::PathBuf,
}

fn web_dirs() -> Result<WebDirs, String> {
    let manifest =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    println!("cargo:rerun-if-changed=web/package.json");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    let web = manifest.join("web");
    Ok(WebDirs { modules: web.join("node_modules"), manifest, web, out })
}

/// Runs `run`, reporting its error the way a build script must: a message, then a non-zero exit.
fn main_reporting(crate_name: &str, run: fn() -> Result<(), String>) {
    if let Err(message) = run() {
        eprintln!("\nerror: {crate_name} build script: {message}\n");
        std::process::exit(1);
    }
}

/// `npm ci --ignore-scripts` in `web`: exactly the locked versions into `web/node_modules`
/// (git-ignored), no install script of any package run. `what` says what the packages are for,
/// in the message shown when npm is missing.
fn npm_ci(web: &std::path::Path, what: &str) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = std::process::Command::new(npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(web)
        .status()
        .map_err(|e| {
            format!(
                "cannot run `{npm}` ({e}). {what} come from npm: install Node.js and npm \
                 (Debian: `apt-get install -y npm`), then build again. The packages are pinned \
                 in {}/package-lock.json.",
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
