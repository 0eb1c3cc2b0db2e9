//! The soak (issue 14, item 7): the real `regie-issuer` and `regie-verifier` release
//! binaries together on loopback for a bounded time, while wallets keep collecting
//! credentials from the issuer and answering the housing corporation's sessions at the
//! verifier, each answer read back and checked against the person who gave it. Prints
//! sessions and collections per second, their p50/p99 latency, each service's memory (PSS
//! from `/proc/PID/smaps_rollup`) after start, after a warm-up and at the end, the machine's
//! load, and the error count; exits non-zero on any error.
//!
//! The session steps and the process helpers are `tests/common/`, shared with the loopback
//! load benchmark and the fault tests.
//!
//! Run: `scripts/soak.sh [SECONDS]` (default 600; it builds both release binaries first).
//! `REGIE_SOAK_SECONDS`, `REGIE_SOAK_SESSIONS_AT_ONCE` (default 16) and
//! `REGIE_SOAK_COLLECTORS` (default 2) change the run.
/// The allocator `regie-verifier` runs with (src/main.rs), so that these figures are the service's.
#[global_allocator]
static ALLOCATOR: regie_ops::allocator::ServiceAllocator = regie_ops::allocator::ServiceAllocator;

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use common::load::{one_session, Latencies, PERSONS};
use common::process::{free_port, Service, PROCESS_ADMIN};
use common::vci_client::collect;
use common::*;
use protocol::jose::SigningKey;

/// Credentials the sessions are answered with, refreshed by the collectors.
const POOL_SIZE: usize = 60;

type Pool = RwLock<Vec<((String, SigningKey), &'static str)>>;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What every client reports.
#[derive(Default)]
struct Tally {
    sessions: Latencies,
    collections: Latencies,
    errors: u64,
    first_errors: Vec<String>,
}

impl Tally {
    fn error(&mut self, e: String) {
        self.errors += 1;
        if self.first_errors.len() < 5 {
            self.first_errors.push(e);
        }
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

/// Memory of both services now: (issuer, verifier) in KiB.
fn memory(issuer: &Service, verifier: &Service) -> (Option<u64>, Option<u64>) {
    (issuer.pss_kib(), verifier.pss_kib())
}

/// Keeps collecting credentials (3 copies, from a new offer each time) for the test persons
/// in turn, putting them into the pool the sessions are answered from.
async fn collector(
    n: usize,
    http: reqwest::Client,
    issuer: String,
    pool: Arc<Pool>,
    tally: Arc<Mutex<Tally>>,
    stop: Arc<AtomicBool>,
) {
    let mut round = n;
    while !stop.load(Ordering::SeqCst) {
        let (bsn, family) = PERSONS[round % PERSONS.len()];
        let started = Instant::now();
        match collect(&http, &issuer, PROCESS_ADMIN, bsn, "woonhistorie", 3).await {
            Ok(got) => {
                tally.lock().unwrap().collections.push(started.elapsed());
                let mut pool = pool.write().unwrap();
                for (i, (sd_jwt, key, _)) in got.credentials.into_iter().enumerate() {
                    let slot = (round * 3 + i) % POOL_SIZE;
                    pool[slot] = ((sd_jwt, key), family);
                }
            }
            Err(e) => tally.lock().unwrap().error(format!("collection: {e}")),
        }
        round += 2;
    }
}

/// Keeps running sessions: created, answered with a pooled credential, read back.
async fn answerer(
    n: usize,
    http: reqwest::Client,
    verifier: String,
    pool: Arc<Pool>,
    tally: Arc<Mutex<Tally>>,
    stop: Arc<AtomicBool>,
) {
    let mut i = n;
    while !stop.load(Ordering::SeqCst) {
        let (credential, family) = pool.read().unwrap()[i % POOL_SIZE].clone();
        i += 7;
        let started = Instant::now();
        match one_session(&http, &verifier, &credential, family).await {
            Ok(true) => tally.lock().unwrap().sessions.push(started.elapsed()),
            Ok(false) => tally
                .lock()
                .unwrap()
                .error("a session answered with someone else's name".into()),
            Err(e) => tally.lock().unwrap().error(format!("session: {e}")),
        }
    }
}

/// The release binaries: the verifier's as cargo built it for this bench, the issuer's
/// beside it (`scripts/soak.sh` builds it).
fn binaries() -> (PathBuf, PathBuf) {
    let verifier = PathBuf::from(env!("CARGO_BIN_EXE_regie-verifier"));
    let issuer = verifier.with_file_name("regie-issuer");
    assert!(
        issuer.exists(),
        "{} is missing: build it first (scripts/soak.sh does)",
        issuer.display()
    );
    (issuer, verifier)
}

async fn soak(seconds: u64) -> u64 {
    let (issuer_bin, verifier_bin) = binaries();
    let dir = TempDir::new("soak");
    let key = SigningKey::generate().with_kid("soak-issuer");
    let key_file = dir.0.join("issuer-key.jwk");
    std::fs::write(&key_file, key.to_private_jwk().as_bytes()).expect("key file");
    let mut issuer = Service::issuer(&issuer_bin, &dir.0.join("issuer"), &key_file, free_port());
    let trust_list = dir.0.join("trust-list.jwt");
    std::fs::write(&trust_list, trust_list_for(&issuer.url, &key)).expect("trust list");
    let mut verifier = Service::verifier(
        &verifier_bin,
        &repo_root(),
        &dir.0.join("verifier"),
        &trust_list,
        free_port(),
    );
    issuer.start(Duration::from_secs(30)).await.expect("issuer");
    verifier
        .start(Duration::from_secs(30))
        .await
        .expect("verifier");
    let at_start = memory(&issuer, &verifier);
    let load_at_start = load_average();

    let at_once = env_number("REGIE_SOAK_SESSIONS_AT_ONCE", 16) as usize;
    let collectors = env_number("REGIE_SOAK_COLLECTORS", 2) as usize;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(at_once + collectors)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    // A first pool, so sessions start at once.
    let mut first = Vec::new();
    while first.len() < POOL_SIZE {
        let (bsn, family) = PERSONS[first.len() / 3 % PERSONS.len()];
        let got = collect(&http, &issuer.url, PROCESS_ADMIN, bsn, "woonhistorie", 3)
            .await
            .expect("first credentials");
        for (sd_jwt, key, _) in got.credentials {
            first.push(((sd_jwt, key), family));
        }
    }
    first.truncate(POOL_SIZE);
    let pool = Arc::new(RwLock::new(first));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for n in 0..collectors {
        tasks.push(tokio::spawn(collector(
            n,
            http.clone(),
            issuer.url.clone(),
            pool.clone(),
            tally.clone(),
            stop.clone(),
        )));
    }
    for n in 0..at_once {
        tasks.push(tokio::spawn(answerer(
            n,
            http.clone(),
            verifier.url.clone(),
            pool.clone(),
            tally.clone(),
            stop.clone(),
        )));
    }

    println!(
        "soak: {seconds} s, {at_once} sessions at a time, {collectors} collectors, {} cores, load average {load_at_start}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let started = Instant::now();
    let warm_up = Duration::from_secs((seconds / 10).clamp(1, 60));
    let mut after_warm_up = None;
    let mut next_report = Duration::from_secs(60);
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if after_warm_up.is_none() && started.elapsed() >= warm_up {
            after_warm_up = Some(memory(&issuer, &verifier));
        }
        if started.elapsed() >= next_report {
            next_report += Duration::from_secs(60);
            let (i, v) = memory(&issuer, &verifier);
            let t = tally.lock().unwrap();
            println!(
                "  {:>4} s: {} sessions, {} collections, {} errors; PSS issuer {}, verifier {}",
                started.elapsed().as_secs(),
                t.sessions.len(),
                t.collections.len(),
                t.errors,
                mib(i),
                mib(v)
            );
        }
        // A service that died ends the soak with an error, not with a wait.
        if issuer.pss_kib().is_none() || verifier.pss_kib().is_none() {
            tally.lock().unwrap().error("a service is gone".into());
            break;
        }
    }
    let at_end = memory(&issuer, &verifier);
    let load_at_end = load_average();
    stop.store(true, Ordering::SeqCst);
    for task in tasks {
        task.await.expect("client task");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after_warm_up = after_warm_up.unwrap_or(at_start);
    let mut t = std::mem::take(&mut *tally.lock().unwrap());
    println!("result after {elapsed:.0} s (load average at the end {load_at_end}):");
    println!(
        "  sessions verified and correct: {} ({:.1}/s); per session p50 {:.1} ms, p99 {:.1} ms",
        t.sessions.len(),
        t.sessions.len() as f64 / elapsed,
        t.sessions.percentile_ms(0.5),
        t.sessions.percentile_ms(0.99)
    );
    println!(
        "  credential collections (3 copies each): {} ({:.1}/s); p50 {:.1} ms, p99 {:.1} ms",
        t.collections.len(),
        t.collections.len() as f64 / elapsed,
        t.collections.percentile_ms(0.5),
        t.collections.percentile_ms(0.99)
    );
    for (name, start, warm, end) in [
        ("issuer", at_start.0, after_warm_up.0, at_end.0),
        ("verifier", at_start.1, after_warm_up.1, at_end.1),
    ] {
        let growth = match (warm, end) {
            (Some(w), Some(e)) => format!("{:+.1} MiB", (e as f64 - w as f64) / 1024.0),
            _ => "?".into(),
        };
        println!(
            "  PSS {name:<8}: at start {}, after {} s warm-up {}, at the end {} (growth since warm-up {growth})",
            mib(start),
            warm_up.as_secs(),
            mib(warm),
            mib(end)
        );
    }
    println!("  errors: {}", t.errors);
    for e in &t.first_errors {
        println!("    {e}");
    }
    if t.errors > 0 {
        println!("  issuer log:\n{}", tail(&issuer.log()));
        println!("  verifier log:\n{}", tail(&verifier.log()));
    }
    issuer.kill();
    verifier.kill();
    t.errors
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

fn main() {
    let seconds = env_number("REGIE_SOAK_SECONDS", 600);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let errors = runtime.block_on(soak(seconds));
    if errors > 0 {
        std::process::exit(1);
    }
}
