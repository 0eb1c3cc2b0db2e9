//! After lock, no copy of the data key, of the key derived from the PIN, or of the PIN is
//! left in the process's memory (issue 18, item 7). Searched for as the review did: every
//! readable mapping of the process (heap, every thread's stack, the rest) read through
//! `/proc/self/mem`, after the wallet was locked and dropped.
//!
//! Two processes, so that the one searched never held the keys for the search: this test
//! runs the wallet in a child (this test binary again, running only `memory_child`), gives
//! it random PINs, derives the keys itself from copies of the vault files (as `review`
//! does) and sends them masked; the child compares its memory with the masked bytes and
//! never unmasks them. The wallet runs on a thread of its own that has ended before the
//! last search, as the app's calls do; the stack of an ended thread stays mapped (glibc
//! keeps it for the next thread), so it is searched too.
//!
//! Out of reach of this test: CPU registers (the AES-NI code keeps round keys in XMM
//! registers, which later code overwrites but nothing wipes), the kernel's copies (pipe
//! buffers of the PINs sent here, the page cache of the files), and swap (nothing is
//! locked into RAM).
#![cfg(target_os = "linux")]
mod common;
mod review;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use serde_json::{json, Value};
use wallet_core::pin::Pin;
use wallet_core::{Wallet, WalletConfig};
use zeroize::{Zeroize, Zeroizing};

/// Set (to the wallet's directory) in the child only.
const CHILD: &str = "REGIE_KEY_MEMORY_TEST_CHILD";
/// Lines of the child that are meant for the parent.
const TAG: &str = "MEM ";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    wallet_core::crypto::fill_random(&mut out).unwrap();
    out
}

/// The files mapped into this process: the test binary and the libraries it loads, which
/// the child (the same binary) maps too.
fn mapped_files() -> Vec<Vec<u8>> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let paths: BTreeSet<&str> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|name| name.starts_with('/'))
        .collect();
    paths
        .into_iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

/// A random PIN the rules accept that is not in `program`'s files: six digits are short
/// enough to occur in a binary of tens of megabytes (about one PIN in twenty did), and the
/// search reads the mapped files too, so such a PIN would be found after lock although the
/// wallet left no copy of it.
fn random_pin(program: &[Vec<u8>]) -> String {
    loop {
        let pin: String = random_bytes(6)
            .iter()
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        if wallet_core::pin::check_new_pin(&Pin::new(&pin)).is_ok()
            && !program
                .iter()
                .any(|file| file.windows(6).any(|w| w == pin.as_bytes()))
        {
            return pin;
        }
    }
}

#[test]
fn keys_are_gone_from_memory_after_lock() {
    let tmp = TempDir::new("memory");
    let program = mapped_files();
    let pins = [random_pin(&program), random_pin(&program)];
    drop(program);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "memory_child", "--ignored", "--nocapture"])
        .arg("--test-threads=1")
        .env(CHILD, &tmp.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut to_child = child.stdin.take().unwrap();
    writeln!(to_child, "{}\n{}", pins[0], pins[1]).unwrap();
    let mut from_child = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || loop {
        let line = from_child.next().expect("the child ended early").unwrap();
        // libtest may have begun the line ("test memory_child ... ").
        if let Some((_, message)) = line.split_once(TAG) {
            return message.to_owned();
        }
    };
    assert_eq!(next(), "unlocked");

    // The keys, from the vault files as they were before and after the PIN change.
    let before = review::vault(&tmp.0.join("before"));
    let after = review::vault(&tmp.0.join("after"));
    let needles: Vec<(&str, Vec<u8>)> = vec![
        (
            "data key before the change",
            review::data_key(&before, &pins[0]).unwrap().to_vec(),
        ),
        (
            "data key",
            review::data_key(&after, &pins[1]).unwrap().to_vec(),
        ),
        ("old PIN key", review::kek(&before, &pins[0]).to_vec()),
        ("PIN key", review::kek(&after, &pins[1]).to_vec()),
        ("old PIN", pins[0].as_bytes().to_vec()),
        ("PIN", pins[1].as_bytes().to_vec()),
    ];
    for (name, needle) in &needles {
        let mask = random_bytes(needle.len());
        let masked: Vec<u8> = needle.iter().zip(&mask).map(|(n, m)| n ^ m).collect();
        writeln!(to_child, "{} {} {}", hex(&masked), hex(&mask), name).unwrap();
    }
    writeln!(to_child).unwrap();
    let unlocked: Value = serde_json::from_str(&next()).unwrap();
    let locked: Value = serde_json::from_str(&next()).unwrap();
    assert!(child.wait().unwrap().success());
    eprintln!("unlocked: {unlocked:#}\nlocked: {locked:#}");

    let hits = |report: &Value, name: &str| report["hits"][name].as_array().unwrap().len();
    // The search sees what is there: the live data key (the AES key schedule starts with
    // it) and the PINs the caller still holds.
    assert!(hits(&unlocked, "data key") >= 1, "the search is blind");
    assert!(hits(&unlocked, "PIN") >= 1, "the search is blind");
    // Keys no longer needed are gone at once, even while the wallet is unlocked.
    for name in ["data key before the change", "old PIN key", "PIN key"] {
        assert_eq!(hits(&unlocked, name), 0, "{name} while unlocked");
    }
    // After lock: nothing at all.
    for (name, _) in &needles {
        assert_eq!(hits(&locked, name), 0, "{name} after lock");
    }
    assert!(locked["bytes"].as_u64().unwrap() > 1 << 20);
    assert_eq!(
        locked["unreadable"],
        json!([]),
        "memory the search could not read"
    );
}

/// Reads stdin without std's buffer, which would keep a copy of every line.
struct Input(File);

impl Input {
    fn stdin() -> Input {
        Input(File::from(
            std::io::stdin().as_fd().try_clone_to_owned().unwrap(),
        ))
    }

    /// One line, a byte at a time into memory that is wiped when dropped.
    fn line(&mut self) -> Zeroizing<Vec<u8>> {
        let mut line = Zeroizing::new(Vec::with_capacity(256));
        let mut byte = [0u8; 1];
        while matches!(self.0.read(&mut byte), Ok(1)) && byte[0] != b'\n' {
            assert!(line.len() < line.capacity(), "line too long");
            line.push(byte[0]);
        }
        byte.zeroize();
        line
    }

    fn pin(&mut self) -> Pin {
        let line = self.line();
        Pin::new(std::str::from_utf8(&line).unwrap())
    }
}

/// Bytes compared with `masked` XOR `mask`, so the child never holds them in the clear.
struct Needle {
    name: String,
    masked: Vec<u8>,
    mask: Vec<u8>,
}

impl Needle {
    fn at(&self, bytes: &[u8]) -> bool {
        bytes.len() >= self.masked.len()
            && self
                .masked
                .iter()
                .zip(&self.mask)
                .zip(bytes)
                .all(|((n, m), b)| b ^ m == *n)
    }
}

/// The readable mappings of this process: start, end, and the line of `/proc/self/maps`.
fn mappings() -> Vec<(u64, u64, String)> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = fields.get(5).copied().unwrap_or("");
            if !fields[1].starts_with('r') || name.starts_with("[vvar") || name == "[vsyscall]" {
                return None;
            }
            let (start, end) = fields[0].split_once('-')?;
            let start = u64::from_str_radix(start, 16).ok()?;
            let end = u64::from_str_radix(end, 16).ok()?;
            Some((start, end, line.to_owned()))
        })
        .collect()
}

/// Every place in the readable mappings of this process that holds one of `needles`.
fn search(needles: &[Needle]) -> Value {
    const CHUNK: usize = 1 << 22;
    let longest = needles.iter().map(|n| n.masked.len()).max().unwrap_or(1);
    // Which needles may start with a byte: one look-up per byte, not one per needle (a
    // debug build compares slowly). Needs fewer than 64 needles.
    let mut starts = [0u64; 256];
    for (i, needle) in needles.iter().enumerate() {
        starts[usize::from(needle.masked[0] ^ needle.mask[0])] |= 1 << i;
    }
    let mem = File::open("/proc/self/mem").unwrap();
    let mut buf = vec![0u8; CHUNK];
    // The buffer holds copies of what it read: it is not searched itself.
    let own = buf.as_ptr() as u64..buf.as_ptr() as u64 + CHUNK as u64;
    let mut hits: Vec<BTreeSet<(u64, String)>> = vec![BTreeSet::new(); needles.len()];
    let (mut bytes, mut failed) = (0u64, Vec::new());
    for (start, end, line) in mappings() {
        let name = line
            .split_whitespace()
            .nth(5)
            .unwrap_or("[anonymous]")
            .to_owned();
        let mut at = start;
        while at < end {
            let len = (end - at).min(CHUNK as u64) as usize;
            let Ok(n) = mem.read_at(&mut buf[..len], at) else {
                failed.push((start, end, line.clone()));
                break;
            };
            bytes += n as u64;
            for (i, byte) in buf[..n].iter().enumerate() {
                let mut candidates = starts[usize::from(*byte)];
                if candidates == 0 || own.contains(&(at + i as u64)) {
                    continue;
                }
                while candidates != 0 {
                    let k = candidates.trailing_zeros() as usize;
                    candidates &= candidates - 1;
                    if needles[k].at(&buf[i..n]) {
                        let address = at + i as u64;
                        hits[k].insert((address, format!("{name} +{:#x}", address - start)));
                    }
                }
            }
            if at + len as u64 >= end {
                break;
            }
            // Overlap the chunks so a needle across their border is found.
            at += (len - (longest - 1)) as u64;
        }
    }
    buf.zeroize();
    // A mapping that could not be read is fine only if it is gone now (unmapped between
    // reading the list and reading it: a thread's stack, a freed allocation).
    let now = mappings();
    let unreadable: Vec<String> = failed
        .into_iter()
        .filter(|(s, e, _)| now.iter().any(|(s2, e2, _)| s2 < e && s < e2))
        .map(|(_, _, line)| line)
        .collect();
    let hits: serde_json::Map<String, Value> = needles
        .iter()
        .zip(hits)
        .map(|(needle, found)| {
            let places = found
                .into_iter()
                .map(|(address, place)| json!(format!("{address:#x} {place}")))
                .collect();
            (needle.name.clone(), Value::Array(places))
        })
        .collect();
    json!({"bytes": bytes, "unreadable": unreadable, "hits": hits})
}

fn snapshot(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir.join(name)).unwrap();
    std::fs::copy(
        dir.join("wallet/vault.json"),
        dir.join(name).join("vault.json"),
    )
    .unwrap();
}

fn say(message: &str) {
    println!("{TAG}{message}");
    std::io::stdout().flush().unwrap();
}

/// The wallet's part: set up, take credentials, unlock, confirm, change the PIN, lock and
/// unlock again, and wait unlocked until the parent's first search is done.
async fn use_wallet(
    config: WalletConfig,
    dir: &Path,
    pins: [Pin; 2],
    offers: [String; 2],
    searched: std::sync::mpsc::Receiver<()>,
    unlocked_now: std::sync::mpsc::Sender<()>,
) {
    let wallet = Wallet::open(config).unwrap();
    let unlocked = wallet.init(&pins[0]).unwrap();
    unlocked.accept_offer(&offers[0], None).await.unwrap();
    drop(unlocked);
    snapshot(dir, "before");
    let mut unlocked = wallet.unlock(&pins[0]).unwrap();
    let id = unlocked.credentials(None, 10).unwrap()[0].id.clone();
    unlocked.credential(&id).unwrap();
    unlocked.confirm_pin(&pins[0]).unwrap();
    unlocked.change_pin(&pins[0], &pins[1]).unwrap();
    snapshot(dir, "after");
    unlocked.history(None, 10).unwrap();
    drop(unlocked);
    let unlocked = wallet.unlock(&pins[1]).unwrap();
    unlocked.accept_offer(&offers[1], None).await.unwrap();
    unlocked.export().unwrap();
    unlocked_now.send(()).unwrap();
    searched.recv().unwrap();
    drop(unlocked);
    drop(wallet);
    drop(pins);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "the child process of keys_are_gone_from_memory_after_lock"]
async fn memory_child() {
    let Some(dir) = std::env::var_os(CHILD).map(PathBuf::from) else {
        return;
    };
    let mut input = Input::stdin();
    let pins = [input.pin(), input.pin()];
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let offers = [
        issuer.offer("woonhistorie", false).await.0,
        issuer.offer("uittreksel-brp", false).await.0,
    ];
    let config = WalletConfig::new(dir.join("wallet"), scheme.trust.clone());
    let (unlocked_now, unlocked) = std::sync::mpsc::channel();
    let (searched, search_done) = std::sync::mpsc::channel();
    let wallet_dir = dir.clone();
    let wallet_thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(use_wallet(
            config,
            &wallet_dir,
            pins,
            offers,
            search_done,
            unlocked_now,
        ));
    });
    unlocked.recv().unwrap();
    say("unlocked");
    let mut needles = Vec::new();
    loop {
        let line = input.line();
        let line = std::str::from_utf8(&line).unwrap();
        if line.is_empty() {
            break;
        }
        let mut parts = line.splitn(3, ' ');
        let (masked, mask, name) = (
            unhex(parts.next().unwrap()),
            unhex(parts.next().unwrap()),
            parts.next().unwrap().to_owned(),
        );
        needles.push(Needle { name, masked, mask });
    }
    say(&search(&needles).to_string());
    searched.send(()).unwrap();
    wallet_thread.join().unwrap();
    say(&search(&needles).to_string());
    drop(issuer);
}
