//! Fetches the front-end libraries from npm (pinned in `web/package-lock.json`) when they are
//! missing and copies the files the platform embeds into `OUT_DIR`.
//!
//! `npm ci --ignore-scripts` installs exactly the locked versions into `web/node_modules`
//! (git-ignored); no install script of any package runs. three.js's example modules import
//! `'three'` by bare name, which a browser resolves only through an import map (an inline
//! script the page CSP forbids), so the copies import the sibling file instead. axe-core is
//! installed here too but only read by the browser tests, from `web/node_modules`.

include!("../../build-support/npm.rs");

/// Files embedded in the binary: (path under `web/node_modules`, name in `OUT_DIR`).
const VENDORED: &[(&str, &str)] = &[
    ("three/build/three.module.min.js", "three.module.min.js"),
    ("three/examples/jsm/loaders/GLTFLoader.js", "GLTFLoader.js"),
    ("three/examples/jsm/controls/OrbitControls.js", "OrbitControls.js"),
    ("three/examples/jsm/utils/BufferGeometryUtils.js", "BufferGeometryUtils.js"),
];

/// Installed for the tests only.
const TEST_ONLY: &[&str] = &["axe-core/axe.min.js"];

fn main() {
    main_reporting("dojo-platform", run);
}

fn run() -> Result<(), String> {
    let WebDirs { web, modules, out, .. } = web_dirs()?;
    let missing = VENDORED.iter().map(|(src, _)| *src).chain(TEST_ONLY.iter().copied());
    if missing.into_iter().any(|src| !modules.join(src).is_file()) {
        npm_ci(&web, "three.js and axe-core")?;
    }
    for (src, name) in VENDORED {
        let from = modules.join(src);
        println!("cargo:rerun-if-changed={}", from.display());
        let text = std::fs::read_to_string(&from).map_err(|e| {
            format!(
                "cannot read {} after `npm ci`: {e}; delete {} and build again",
                from.display(),
                modules.display()
            )
        })?;
        let text = text
            .replace("from 'three';", "from './three.module.min.js';")
            .replace("from '../utils/BufferGeometryUtils.js';", "from './BufferGeometryUtils.js';");
        std::fs::write(out.join(name), text).map_err(|e| e.to_string())?;
    }
    Ok(())
}
