//! `taoplex dojo worker-platform`: serves the sign-up page for its invite links.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn the_platform_serves_its_invite_links() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taoplex"))
        .args([
            "dojo",
            "worker-platform",
            "--addr",
            "127.0.0.1:0",
            "--tasks",
            "2",
            "--invites",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines: Vec<String> =
        BufReader::new(child.stdout.take().unwrap()).lines().take(3).map(|l| l.unwrap()).collect();
    let _server = Server(child);
    let url = lines[0].split_whitespace().find(|w| w.starts_with("http://")).unwrap();
    let addr = url.trim_start_matches("http://");
    assert!(lines[1].contains("demo-miner"), "{lines:?}");
    let invite = lines[2].split_whitespace().find(|w| w.starts_with("http://")).unwrap();
    let path = invite.trim_start_matches(url);
    let signup = get(addr, path);
    assert!(signup.starts_with("HTTP/1.1 200"), "{signup}");
    assert!(signup.contains("<form"), "{signup}");
    assert!(
        signup.contains("Content-Security-Policy") || signup.contains("content-security-policy")
    );
    // The inbox is for signed-in workers only.
    assert!(get(addr, "/tasks").starts_with("HTTP/1.1 401"));
}
