//! The real service binaries as child processes on real data directories, for the fault
//! tests and the soak: start on a fixed port, wait until they answer, kill with SIGKILL,
//! start again on the same directory and port (credentials name the issuer's URL, so it must
//! stay), and read a process's memory (PSS). The issuer's fault test includes this file too.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The issuer's back-office token in every test and the soak.
pub const PROCESS_ADMIN: &str = "test-admin-token";

/// Where a service's standard error goes: under `REGIE_TEST_LOG_DIR` when the test command
/// set it (the services then log at debug level, and the run ends with a scan of those logs
/// for personal data), else beside its data directory.
fn log_path(name: &str, data_dir: &Path) -> (PathBuf, Vec<(String, String)>) {
    static N: AtomicU64 = AtomicU64::new(0);
    match std::env::var_os("REGIE_TEST_LOG_DIR") {
        Some(dir) => (
            PathBuf::from(dir).join(format!(
                "{name}-process-{}-{}.log",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            )),
            vec![(
                "REGIE_LOG".into(),
                "debug,hyper=info,h2=info,reqwest=info,rustls=info,sled=info".into(),
            )],
        ),
        None => (data_dir.with_extension("log"), Vec::new()),
    }
}

/// A port nobody listens on now (the service binds it a moment later; a clash shows as a
/// service that does not come up, with its log).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A service binary and how to start it; it can be started again after a kill.
pub struct Service {
    program: PathBuf,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    log: PathBuf,
    /// What answers once the service is up (a GET that needs no state).
    ready_path: String,
    pub url: String,
    child: Option<Child>,
}

impl Service {
    /// `regie-issuer serve` on `port` with `data_dir`, signing with the key in `key_file`
    /// (outside the data directory, so a full or read-only data directory is about the
    /// store only).
    pub fn issuer(program: &Path, data_dir: &Path, key_file: &Path, port: u16) -> Service {
        let url = format!("http://127.0.0.1:{port}");
        let (log, mut envs) = log_path("regie-issuer", data_dir);
        envs.push(("REGIE_ISSUER_ADMIN_TOKEN".into(), PROCESS_ADMIN.into()));
        Service {
            program: program.to_owned(),
            args: vec![
                "serve".into(),
                "--listen".into(),
                format!("127.0.0.1:{port}"),
                "--public-url".into(),
                url.clone(),
                "--data-dir".into(),
                data_dir.display().to_string(),
                "--key".into(),
                key_file.display().to_string(),
                "--batch-size".into(),
                "3".into(),
            ],
            envs,
            log,
            ready_path: "/.well-known/openid-credential-issuer".into(),
            url,
            child: None,
        }
    }

    /// `regie-verifier serve` on `port` with `data_dir`, the fixture relying parties, the
    /// demo trust anchor and the trust list in `trust_list`.
    pub fn verifier(
        program: &Path,
        repo: &Path,
        data_dir: &Path,
        trust_list: &Path,
        port: u16,
    ) -> Service {
        let url = format!("http://127.0.0.1:{port}");
        let (log, envs) = log_path("regie-verifier", data_dir);
        Service {
            program: program.to_owned(),
            args: vec![
                "serve".into(),
                "--listen".into(),
                format!("127.0.0.1:{port}"),
                "--public-url".into(),
                url.clone(),
                "--data-dir".into(),
                data_dir.display().to_string(),
                "--relying-parties".into(),
                repo.join("fixtures/relying-parties").display().to_string(),
                "--trust-anchor".into(),
                repo.join("fixtures/demo/trust-anchor.public.jwk")
                    .display()
                    .to_string(),
                "--trust-list".into(),
                trust_list.display().to_string(),
            ],
            envs,
            log,
            ready_path: "/api/openapi.json".into(),
            url,
            child: None,
        }
    }

    /// Starts the process (its standard error appended to the log beside the data
    /// directory) and waits until it answers, or fails with its log.
    pub async fn start(&mut self, timeout: Duration) -> Result<(), String> {
        self.spawn()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(code) = self.exited() {
                return Err(format!(
                    "exited with {code} before it answered:\n{}",
                    self.log()
                ));
            }
            let url = format!("{}{}", self.url, self.ready_path);
            if let Ok(r) = http.get(&url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("did not answer in {timeout:?}:\n{}", self.log()));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("{}: {e}", self.log.display()))?;
        let child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", self.program.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Runs the service to its end (for a start that must fail): exit code and log.
    pub fn run_to_exit(&mut self, timeout: Duration) -> Result<(i32, String), String> {
        self.spawn()?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(code) = self.exited() {
                return Ok((code, self.log()));
            }
            if Instant::now() > deadline {
                self.kill();
                return Err(format!("still running after {timeout:?}:\n{}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The exit code once the process has ended (-1 for a signal).
    fn exited(&mut self) -> Option<i32> {
        let status = self.child.as_mut()?.try_wait().ok()??;
        self.child = None;
        Some(status.code().unwrap_or(-1))
    }

    /// `kill -9`: no chance to flush or clean up.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // `Child::kill` is SIGKILL on Unix.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Proportional set size in KiB (`Pss:` of `/proc/PID/smaps_rollup`).
    pub fn pss_kib(&self) -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{}/smaps_rollup", self.pid()?)).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix("Pss:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Everything the process wrote to standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}
