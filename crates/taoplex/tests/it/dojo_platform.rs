//! `taoplex dojo worker-platform`: serves the sign-up page for its invite links, keeps its state
//! in its database across restarts, and keeps the miner's API key in a 0600 file.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use crate::process::{Process, taoplex};

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Starts the platform on `db` and returns it with its startup lines (up to the invite).
fn start(db: &std::path::Path, key_file: &std::path::Path) -> (Process, Vec<String>) {
    let (db, key_file) = (db.to_str().unwrap(), key_file.to_str().unwrap());
    let args = [
        "dojo",
        "worker-platform",
        "--addr",
        "127.0.0.1:0",
        "--tasks",
        "2",
        "--invites",
        "1",
        "--db",
        db,
        "--api-key-file",
        key_file,
    ];
    let logs = std::path::Path::new(db).parent().unwrap();
    let server = Process::start(taoplex(), "platform", logs, &args, |lines| {
        lines.last().is_some_and(|l| l.contains("invite:"))
    });
    let lines = server.lines.clone();
    (server, lines)
}

#[test]
fn the_platform_serves_its_invite_links_and_keeps_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key_file) = (dir.path().join("platform.sqlite"), dir.path().join("miner.key"));
    let (server, lines) = start(&db, &key_file);
    let url = lines[0].split_whitespace().find(|w| w.starts_with("http://")).unwrap();
    let addr = url.trim_start_matches("http://");
    assert!(lines[1].contains("organisation login: demo-miner"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("miner API key in")), "{lines:?}");
    let invite =
        lines.last().unwrap().split_whitespace().find(|w| w.starts_with("http://")).unwrap();
    let path = invite.trim_start_matches(url);
    let signup = get(addr, path);
    assert!(signup.starts_with("HTTP/1.1 200"), "{signup}");
    assert!(signup.contains("<form"), "{signup}");
    assert!(
        signup.contains("Content-Security-Policy") || signup.contains("content-security-policy")
    );
    // The inbox is for signed-in workers only.
    assert!(get(addr, "/tasks").starts_with("HTTP/1.1 401"));

    // The miner's API key is in a file only its owner can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key = std::fs::read_to_string(&key_file).unwrap();
    drop(server);

    // Restarted on the same database: the organisation exists (no new password), the key file
    // is reused, and the demo tasks are not added twice.
    let (_server, lines) = start(&db, &key_file);
    assert!(!lines.iter().any(|l| l.contains("organisation login")), "{lines:?}");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);

    // A key file that belongs to another database is refused, not silently used.
    let out = Command::new(taoplex())
        .args([
            "dojo",
            "worker-platform",
            "--addr",
            "127.0.0.1:0",
            "--tasks",
            "0",
            "--invites",
            "0",
        ])
        .arg("--db")
        .arg(dir.path().join("other.sqlite"))
        .arg("--api-key-file")
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("remove the file to issue a new one"), "{stderr}");
}
