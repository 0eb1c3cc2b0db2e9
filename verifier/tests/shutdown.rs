//! SIGTERM (how systemd stops a service) lets a request in flight finish: the verifier
//! answers an upload whose body was still arriving when the signal came, then exits cleanly.
#![cfg(unix)]
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::free_port;
use common::{repo_root, TempDir};

#[test]
fn sigterm_lets_a_request_in_flight_finish_and_the_service_exits_cleanly() {
    let dir = TempDir::new("shutdown");
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let root = repo_root();
    let mut verifier = Command::new(env!("CARGO_BIN_EXE_regie-verifier"))
        .current_dir(&root)
        .args(["serve", "--listen", &address, "--public-url"])
        .arg(format!("http://{address}"))
        .arg("--data-dir")
        .arg(dir.0.join("verifier"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut stream = loop {
        match TcpStream::connect(&address) {
            Ok(s) => break s,
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(e) => panic!("the verifier did not come up: {e}"),
        }
    };
    let body = r#"{"qr_text": "RG1:not-a-document"}"#;
    let (first, rest) = body.split_at(10);
    write!(
        stream,
        "POST /api/documents/verify HTTP/1.1\r\nHost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    // The request has begun (its headers and part of its body are in); now stop the service.
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &verifier.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        verifier.try_wait().unwrap().is_none(),
        "the service ended with a request in flight"
    );
    stream.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("onleesbaar") || answer.contains("verdict"),
        "{answer}"
    );
    let status = loop {
        if let Some(status) = verifier.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the service did not stop after its last request"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    // New connections are no longer taken.
    assert!(TcpStream::connect(&address).is_err());
}
