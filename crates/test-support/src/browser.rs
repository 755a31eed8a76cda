//! Headless Chromium for page tests: chromedriver on a loopback port, a WebDriver client
//! (fantoccini), screenshots into `target/screenshots/`, and Chromium's own `--dump-dom`.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::tools::{Tool, require, require_all, workspace_dir};

/// A chromedriver process, killed when dropped.
#[derive(Debug)]
pub struct Chromedriver {
    child: Child,
    /// Its loopback port.
    pub port: u16,
}

impl Chromedriver {
    /// Starts chromedriver at `path` on a free loopback port and waits for its "started" line.
    pub fn start(path: &str) -> Self {
        let port = free_port();
        let mut child = Command::new(path)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver at {path}: {e}"));
        let stdout = child.stdout.take().expect("chromedriver's stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            let line = lines.next().expect("chromedriver exited before it started").unwrap();
            if line.contains("started successfully") {
                break;
            }
        }
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, port }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session: the driver, the WebDriver client and its profile directory
/// (all three live as long as the session).
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    /// The driver process.
    pub driver: Chromedriver,
    /// Chromium's throwaway profile.
    pub profile: tempfile::TempDir,
}

/// Chromium through chromedriver at 1440×1000, or `None` when either is missing (see
/// [`require`]: under `CI=true` the test fails instead). `extra_args` go to Chromium.
pub async fn browser(extra_args: &[&str]) -> Option<Browser> {
    let [chromium, chromedriver] = require_all([Tool::Chromium, Tool::Chromedriver])?;
    let driver = Chromedriver::start(&chromedriver);
    let profile = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1440,1000",
    ]
    .iter()
    .chain(extra_args)
    .map(|a| a.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), json!({ "binary": chromium, "args": args }));
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver");
    Some(Browser { client, driver, profile })
}

/// `target/screenshots/`, created.
pub fn screenshots_dir() -> PathBuf {
    let dir = workspace_dir().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Saves a screenshot of the client's window as `target/screenshots/<name>.png`.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.unwrap();
    let path = screenshots_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("browser: screenshot {}", path.display());
    path
}

/// Chromium for `--dump-dom` runs, or `None` when it is missing (see [`require`]).
pub fn chromium() -> Option<String> {
    require(Tool::Chromium)
}

/// Loads `page` in headless Chromium with a virtual-time budget of 60 s and returns the DOM it
/// dumps; fails the test past `limit` of wall time.
pub fn dump_dom(chromium: &str, page: &Path, profile: &Path, limit: Duration) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--mute-audio",
            "--virtual-time-budget=60000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromium at {chromium}: {e}"));
    let mut stdout = child.stdout.take().expect("chromium's stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).unwrap();
        s
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than {limit:?} on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// A free loopback port (bound, then released for the caller's process to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// What [`glyphs`] found on a page.
#[derive(Debug, Clone)]
pub struct Glyphs {
    /// The characters drawn as the missing-glyph box (empty when every one renders).
    pub missing: String,
    /// How many distinct CJK characters the page's text holds.
    pub cjk: usize,
    /// How many faces of the served `Taoplex Scripts` family the page loaded.
    pub faces: usize,
}

/// Draws `sample` and every CJK character of the current page's text in the page's own font
/// stack (after loading the fonts they need) and compares each drawing with that of an
/// unassigned code point, the missing-glyph box: a bare machine's Chromium has no fonts for
/// most scripts, so a character renders only through the fonts the page serves.
pub async fn glyphs(client: &Client, sample: &str) -> Glyphs {
    let script = r#"const [sample, done] = [arguments[0], arguments[arguments.length - 1]];
        (async () => {
          const cjk = [...new Set([...document.body.innerText].filter((ch) => ch.codePointAt(0) >= 0x2e80))];
          const chars = [...sample, ...cjk];
          const family = getComputedStyle(document.body).fontFamily;
          await document.fonts.load(`40px ${family}`, chars.join(""));
          await document.fonts.ready;
          const canvas = document.createElement("canvas");
          canvas.width = 64; canvas.height = 64;
          const ctx = canvas.getContext("2d", { willReadFrequently: true });
          const draw = (ch) => {
            ctx.clearRect(0, 0, 64, 64);
            ctx.font = `40px ${family}`;
            ctx.fillText(ch, 8, 48);
            return ctx.getImageData(0, 0, 64, 64).data.join(",");
          };
          const box = draw("\u0378");
          const missing = chars.filter((ch) => draw(ch) === box);
          const faces = [...document.fonts].filter((f) => f.family.includes("Taoplex Scripts") && f.status === "loaded").length;
          // Two frames, so a screenshot shows the page repainted with the loaded fonts.
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          done({ missing: missing.join(""), cjk: cjk.length, faces });
        })();"#;
    let found = client.execute_async(script, vec![json!(sample)]).await.unwrap();
    let count = |k: &str| found[k].as_u64().unwrap() as usize;
    Glyphs {
        missing: found["missing"].as_str().unwrap().to_string(),
        cjk: count("cjk"),
        faces: count("faces"),
    }
}
