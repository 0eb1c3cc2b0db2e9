//! The wallet's sled database: one plaintext tree for what must be read before the PIN is
//! known (the wrong-PIN counter, where ids continue), and encrypted trees for everything
//! else. Every change goes through one [`Batch`] applied in a single transaction and
//! flushed, so a process killed at any moment leaves either the old or the new state. The
//! wrapped data key is *not* here: sled keeps old versions of values in its log, so it lives
//! in the vault file (see `vault`), and a store belongs to exactly one data key.
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;
use zeroize::Zeroizing;

use crate::crypto::{CryptoError, DataKey};

/// The trees of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeId {
    /// Plaintext: the PIN attempt counter and where ids continue.
    Meta,
    /// Full credential records (copies and holder keys), by credential id.
    Credentials,
    /// What lists and matching need of a credential, by credential id.
    Summaries,
    /// Keyed tag of the credential type followed by the credential id: no value.
    ByType,
    /// Activity events by sequence number.
    History,
    /// Per relying party (keyed tag of its client id): what it has received.
    Sharing,
}

impl TreeId {
    const ALL: [TreeId; 6] = [
        TreeId::Meta,
        TreeId::Credentials,
        TreeId::Summaries,
        TreeId::ByType,
        TreeId::History,
        TreeId::Sharing,
    ];

    fn name(self) -> &'static str {
        match self {
            TreeId::Meta => "meta",
            TreeId::Credentials => "credentials",
            TreeId::Summaries => "summaries",
            TreeId::ByType => "by_type",
            TreeId::History => "history",
            TreeId::Sharing => "sharing",
        }
    }

    fn index(self) -> usize {
        TreeId::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the wallet's database cannot be opened or written: {0}")]
    Db(#[from] sled::Error),
    #[error("stored data is damaged or was encrypted with another key")]
    Damaged,
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    #[error("the wallet's files cannot be read or written: {0}")]
    Io(#[from] std::io::Error),
    #[error("the wallet is open in another program: close it there first")]
    InUse,
}

/// The open database.
pub struct Store {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    /// Added to sled's ids: a store that replaces another continues after its ids, so
    /// history stays in order.
    id_base: AtomicU64,
}

const ID_BASE: &str = "id_base";

/// The authenticated context of a sealed value: its tree and key.
fn context(tree: TreeId, key: &[u8]) -> Vec<u8> {
    let mut c = tree.name().as_bytes().to_vec();
    c.push(b'/');
    c.extend_from_slice(key);
    c
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, readable by its owner only.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        crate::files::create_private_dir(dir)?;
        let db = open_db(dir)?;
        // sled creates its files with the process's umask; the directory already keeps
        // them from other users, and the files are made owner-only as well.
        crate::files::repair_modes(dir)?;
        let trees = TreeId::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()?;
        let store = Store {
            db,
            trees,
            id_base: AtomicU64::new(0),
        };
        let base = store.meta::<u64>(ID_BASE)?.unwrap_or(0);
        store.id_base.store(base, Ordering::SeqCst);
        Ok(store)
    }

    fn tree(&self, id: TreeId) -> &sled::Tree {
        &self.trees[id.index()]
    }

    /// A fresh id, increasing across restarts and across the stores that replace this one.
    pub fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.id_base.load(Ordering::SeqCst) + self.db.generate_id()?)
    }

    /// Makes this (new, empty) store's ids continue after every id `previous` gave out.
    pub(crate) fn continue_ids_after(&self, previous: &Store) -> Result<(), StoreError> {
        let base = previous.next_id()?;
        let mut batch = Batch::new();
        batch.put_meta(ID_BASE, &base)?;
        self.apply(batch)?;
        self.id_base.store(base, Ordering::SeqCst);
        Ok(())
    }

    /// The raw bytes of a meta value.
    pub(crate) fn meta_raw(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree(TreeId::Meta).get(key)?.map(|v| v.to_vec()))
    }

    /// Replaces the meta value `key` with `new` only if it is still `expected` (`None`:
    /// absent), durably; `false` when it was not.
    pub(crate) fn swap_meta(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let swapped = self
            .tree(TreeId::Meta)
            .compare_and_swap(key, expected, Some(new))?
            .is_ok();
        if swapped {
            self.db.flush()?;
        }
        Ok(swapped)
    }

    /// Calls `f` with every key and decrypted value of `tree`, lowest key first.
    pub(crate) fn for_each_plain(
        &self,
        key: &DataKey,
        tree: TreeId,
        mut f: impl FnMut(&[u8], &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for item in self.tree(tree).iter() {
            let (k, v) = item?;
            let plain: Zeroizing<Vec<u8>> = key
                .open(&context(tree, &k), &v)
                .map_err(|_| StoreError::Damaged)?;
            f(&k, &plain)?;
        }
        Ok(())
    }

    /// Reads a plaintext JSON value from the meta tree.
    pub fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        match self.tree(TreeId::Meta).get(key)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|_| StoreError::Damaged),
        }
    }

    /// Reads and decrypts one value.
    pub fn get_sealed<T: DeserializeOwned>(
        &self,
        key: &DataKey,
        tree: TreeId,
        id: &[u8],
    ) -> Result<Option<T>, StoreError> {
        match self.tree(tree).get(id)? {
            None => Ok(None),
            Some(bytes) => open_value(key, tree, id, &bytes).map(Some),
        }
    }

    /// Decrypts up to `limit` values of `tree`, newest (highest key) first, starting below
    /// `before` when given.
    pub fn page_sealed<T: DeserializeOwned>(
        &self,
        key: &DataKey,
        tree: TreeId,
        before: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, T)>, StoreError> {
        let iter = match before {
            Some(b) => self.tree(tree).range(..b.to_vec()),
            None => self.tree(tree).iter(),
        };
        iter.rev()
            .take(limit)
            .map(|item| {
                let (k, v) = item?;
                Ok((k.to_vec(), open_value(key, tree, &k, &v)?))
            })
            .collect()
    }

    /// Keys of `tree` that start with `prefix`, highest first, read lazily so a caller
    /// that needs a few of many stops early.
    pub fn keys_with_prefix<'a>(
        &'a self,
        tree: TreeId,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<Vec<u8>, StoreError>> + 'a {
        self.tree(tree)
            .scan_prefix(prefix)
            .rev()
            .map(|item| Ok(item?.0.to_vec()))
    }

    /// All keys of `tree`, lowest first (for whole-wallet passes such as status refresh).
    pub fn keys(&self, tree: TreeId) -> Result<Vec<Vec<u8>>, StoreError> {
        self.tree(tree)
            .iter()
            .keys()
            .map(|k| Ok(k?.to_vec()))
            .collect()
    }

    /// Number of entries in `tree`.
    pub fn count(&self, tree: TreeId) -> usize {
        self.tree(tree).len()
    }

    /// Applies every change of `batch` atomically and makes it durable.
    pub fn apply(&self, batch: Batch) -> Result<(), StoreError> {
        let t = &self.trees;
        let result: Result<(), TransactionError<()>> = (&t[0], &t[1], &t[2], &t[3], &t[4], &t[5])
            .transaction(|(t0, t1, t2, t3, t4, t5)| {
                let trees = [t0, t1, t2, t3, t4, t5];
                for (tree, key, value) in &batch.ops {
                    let tx = trees[tree.index()];
                    match value {
                        Some(v) => tx.insert(key.as_slice(), v.as_slice())?,
                        None => tx.remove(key.as_slice())?,
                    };
                }
                Ok::<(), ConflictableTransactionError<()>>(())
            });
        match result {
            Ok(()) => {}
            Err(TransactionError::Storage(e)) => return Err(StoreError::Db(e)),
            Err(TransactionError::Abort(())) => return Err(StoreError::Damaged),
        }
        self.db.flush()?;
        Ok(())
    }
}

/// Opens the database, waiting briefly for the file lock: a wallet closed a moment ago
/// (an app restart) may still be releasing it from sled's background flusher.
fn open_db(dir: &Path) -> Result<sled::Db, StoreError> {
    let mut tries = 0;
    loop {
        match sled::Config::new()
            .path(dir)
            .mode(sled::Mode::LowSpace)
            .open()
        {
            Err(sled::Error::Io(e))
                if e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("lock") =>
            {
                tries += 1;
                if tries >= 50 {
                    return Err(StoreError::Db(sled::Error::Io(e)));
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => return Ok(other?),
        }
    }
}

fn open_value<T: DeserializeOwned>(
    key: &DataKey,
    tree: TreeId,
    id: &[u8],
    sealed: &[u8],
) -> Result<T, StoreError> {
    let plain: Zeroizing<Vec<u8>> = key
        .open(&context(tree, id), sealed)
        .map_err(|_| StoreError::Damaged)?;
    serde_json::from_slice(&plain).map_err(|_| StoreError::Damaged)
}

/// Changes to apply together.
#[derive(Default)]
pub struct Batch {
    ops: Vec<(TreeId, Vec<u8>, Option<Vec<u8>>)>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Stores a plaintext JSON value in the meta tree.
    pub fn put_meta<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(value).map_err(|_| StoreError::Damaged)?;
        self.ops
            .push((TreeId::Meta, key.as_bytes().to_vec(), Some(bytes)));
        Ok(())
    }

    /// Encrypts and stores bytes that are already a JSON value (re-encrypting under a new
    /// key).
    pub(crate) fn put_sealed_bytes(
        &mut self,
        key: &DataKey,
        tree: TreeId,
        id: &[u8],
        plain: &[u8],
    ) -> Result<(), StoreError> {
        let sealed = key.seal(&context(tree, id), plain)?;
        self.ops.push((tree, id.to_vec(), Some(sealed)));
        Ok(())
    }

    /// Number of changes so far.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Encrypts and stores a JSON value.
    pub fn put_sealed<T: Serialize>(
        &mut self,
        key: &DataKey,
        tree: TreeId,
        id: &[u8],
        value: &T,
    ) -> Result<(), StoreError> {
        let plain = Zeroizing::new(serde_json::to_vec(value).map_err(|_| StoreError::Damaged)?);
        let sealed = key.seal(&context(tree, id), &plain)?;
        self.ops.push((tree, id.to_vec(), Some(sealed)));
        Ok(())
    }

    /// Stores a key with an empty value (index entries).
    pub fn put_marker(&mut self, tree: TreeId, id: &[u8]) {
        self.ops.push((tree, id.to_vec(), Some(Vec::new())));
    }

    /// Removes a key.
    pub fn remove(&mut self, tree: TreeId, id: &[u8]) {
        self.ops.push((tree, id.to_vec(), None));
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}
