//! A process under test (the `taoplex` binary, a service): started with its stdout read up to a startup line, killed
//! when dropped, its stderr in a log file that is printed when the test fails.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a process may take to print its startup lines.
const START: Duration = Duration::from_secs(120);

/// A process under test, killed when dropped; its stderr goes to a log shown on failure.
#[derive(Debug)]
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    /// The stdout lines read at startup.
    pub lines: Vec<String>,
}

impl Process {
    /// Starts `program <args>` (`RUST_LOG=info`, stderr into `dir/<name>.<pid>.log`) and
    /// collects stdout lines until `done` says the startup output is complete.
    pub fn start(
        program: &Path,
        name: &str,
        dir: &Path,
        args: &[&str],
        done: impl Fn(&[String]) -> bool,
    ) -> Self {
        let log = dir.join(format!("{name}.{}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).unwrap();
        let mut child = Command::new(program)
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut service = Process { name: name.to_string(), child, log, lines: Vec::new() };
        let deadline = Instant::now() + START;
        while !done(&service.lines) {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => service.lines.push(line),
                Err(e) => panic!(
                    "{name} did not start ({e}); stdout so far {:?}; log:\n{}",
                    service.lines,
                    std::fs::read_to_string(&service.log).unwrap_or_default()
                ),
            }
        }
        service
    }

    /// The first `http://` URL (or bare `host:port` after `prefix`) in the startup output.
    pub fn url(&self, scheme: &str) -> String {
        self.lines
            .iter()
            .flat_map(|l| l.split_whitespace())
            .find(|w| w.starts_with(scheme))
            .unwrap_or_else(|| panic!("{}: no {scheme} URL in {:?}", self.name, self.lines))
            .trim_end_matches([',', ')', ';'])
            .to_string()
    }
}

impl Process {
    /// SIGKILL: no shutdown path runs.
    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- {} log ({}):\n{}",
                self.name,
                self.log.display(),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}
