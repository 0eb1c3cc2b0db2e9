//! `regie-wallet` run as a real process by the tests: one run to its end, or killed with
//! SIGKILL after a delay or at a moment seen from outside (in the data directory).
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Scheme, TempDir, TestIssuer, PIN};

pub struct Cli {
    pub data_dir: PathBuf,
    pub anchor: PathBuf,
    pub trust_list: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|_| panic!("not JSON: {} / {}", self.stdout, self.stderr))
    }
}

impl Cli {
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_regie-wallet"));
        c.arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--trust-anchor")
            .arg(&self.anchor)
            .arg("--trust-list")
            .arg(&self.trust_list)
            .arg("--pin-stdin")
            .args(args)
            .env_remove("REGIE_WALLET_LANG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn spawn(&self, args: &[&str], stdin: &str) -> Child {
        let mut child = self.command(args).spawn().unwrap();
        let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        // A command refused before it reads its PIN (a bad argument, a missing wallet)
        // may exit before the pipe is written; its exit code and message are what the
        // test checks, so only other write errors fail here.
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        child
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Run {
        let out = self.spawn(args, stdin).wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts a command and kills it with SIGKILL after `after`.
    pub fn run_killed(&self, args: &[&str], stdin: &str, after: Duration) {
        let mut child = self.spawn(args, stdin);
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts a command and kills it with SIGKILL as soon as `moment()` holds (polled as
    /// fast as the test can), or after `limit`. Returns whether it was killed at the moment
    /// (`false`: it had ended first, or the limit passed).
    pub fn run_killed_when(
        &self,
        args: &[&str],
        stdin: &str,
        limit: Duration,
        mut moment: impl FnMut() -> bool,
    ) -> bool {
        let mut child = self.spawn(args, stdin);
        let start = Instant::now();
        let hit = loop {
            if moment() {
                break true;
            }
            if start.elapsed() > limit || matches!(child.try_wait(), Ok(Some(_))) {
                break false;
            }
            std::thread::yield_now();
        };
        let _ = child.kill();
        let _ = child.wait();
        hit
    }
}

pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// The issuer, the scheme, a directory for the wallet, and the CLI on it.
pub async fn setup() -> (TestIssuer, Scheme, TempDir, std::sync::Arc<Cli>) {
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let dir = TempDir::new("cli");
    let (anchor, trust_list) = scheme.write_files(&issuer, &dir.0);
    let cli = std::sync::Arc::new(Cli {
        data_dir: dir.0.join("wallet"),
        anchor,
        trust_list,
    });
    (issuer, scheme, dir, cli)
}

pub fn pin_line() -> String {
    format!("{PIN}\n")
}

/// A small deterministic generator for kill moments; the seed is printed so a failure can
/// be replayed.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_ms(&mut self, max: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % max
    }
}

/// A number from the environment variable `name`, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
