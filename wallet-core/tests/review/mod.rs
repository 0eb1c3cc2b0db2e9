//! What someone with a copy of the wallet's files and an old PIN would do, written from the
//! file formats (not from wallet-core's code): derive the key from the PIN and the vault
//! file, unwrap the data key, and try it on everything stored.
#![allow(dead_code)]
use std::path::{Path, PathBuf};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use serde_json::Value;

/// The trees whose values are encrypted.
pub const SEALED_TREES: [&str; 4] = ["credentials", "summaries", "history", "sharing"];

pub fn vault(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("vault.json")).unwrap()).unwrap()
}

pub fn bytes(v: &Value) -> Vec<u8> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect()
}

/// The key Argon2id derives from `pin` with the vault's salt and parameters.
pub fn kek(vault: &Value, pin: &str) -> [u8; 32] {
    let kdf = &vault["kdf"];
    let params = argon2::Params::new(
        kdf["memory_kib"].as_u64().unwrap() as u32,
        kdf["iterations"].as_u64().unwrap() as u32,
        kdf["parallelism"].as_u64().unwrap() as u32,
        Some(32),
    )
    .unwrap();
    let mut out = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), &bytes(&vault["salt"]), &mut out)
        .unwrap();
    out
}

/// AES-256-GCM open of `nonce || ciphertext || tag`.
pub fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN + 16 {
        return None;
    }
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).unwrap());
    let nonce = Nonce::try_assume_unique_for_key(&sealed[..NONCE_LEN]).ok()?;
    let mut body = sealed[NONCE_LEN..].to_vec();
    let len = key
        .open_in_place(nonce, Aad::from(aad), &mut body)
        .ok()?
        .len();
    body.truncate(len);
    Some(body)
}

/// The raw data key the vault gives for `pin`, if it opens.
pub fn data_key(vault: &Value, pin: &str) -> Option<[u8; 32]> {
    let plain = open(
        &kek(vault, pin),
        b"regie-wallet data key v1",
        &bytes(&vault["wrapped_key"]),
    )?;
    plain.try_into().ok()
}

/// Every file under `dir`.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Whether any file under `dir` holds `needle`.
pub fn anywhere(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|f| {
            std::fs::read(f)
                .map(|b| b.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        })
        .collect()
}

/// The sled stores under `dir`.
pub fn stores(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect()
}

fn open_db(path: &Path) -> sled::Db {
    for _ in 0..100 {
        if let Ok(db) = sled::Config::new().path(path).open() {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("cannot open {}", path.display())
}

/// For every sealed value in every store under `dir`: whether `key` opens it.
pub fn try_key(dir: &Path, key: &[u8; 32]) -> (usize, usize) {
    let (mut opened, mut total) = (0, 0);
    for store in stores(dir) {
        let db = open_db(&store);
        for tree in SEALED_TREES {
            for item in db.open_tree(tree).unwrap().iter() {
                let (k, v) = item.unwrap();
                let mut aad = tree.as_bytes().to_vec();
                aad.push(b'/');
                aad.extend_from_slice(&k);
                total += 1;
                if open(key, &aad, &v).is_some() {
                    opened += 1;
                }
            }
        }
    }
    (opened, total)
}

/// The JSON text serde writes for bytes (as in the vault file).
pub fn json_bytes(b: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&b.to_vec()).unwrap()
}

/// The decrypted values of `tree` in the store at `store`, or `None` when `key` does not
/// open one of them.
pub fn open_tree(store: &Path, tree: &str, key: &[u8; 32]) -> Option<Vec<Vec<u8>>> {
    let db = open_db(store);
    let mut out = Vec::new();
    for item in db.open_tree(tree).unwrap().iter() {
        let (k, v) = item.unwrap();
        let mut aad = tree.as_bytes().to_vec();
        aad.push(b'/');
        aad.extend_from_slice(&k);
        out.push(open(key, &aad, &v)?);
    }
    Some(out)
}
