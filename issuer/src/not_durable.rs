//! What a failed flush left in memory only. sled applies a write in memory before it
//! reaches the disk; when the disk then refuses it (full, read-only) the request is answered
//! 503, but the in-memory value would still be read, and be gone after the next start: a
//! revocation shown in the status list and then undone, a credential listed that never
//! existed. So the writer of such a value records here the version that is on disk, and
//! reads return that one: what is served never goes back across a restart.
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A key in a named tree.
type TreeKey = (&'static str, Vec<u8>);

/// Durable versions of keys whose last write did not reach the disk, by tree and key.
#[derive(Default)]
pub struct NotDurable {
    /// Set once anything is recorded, so reads skip the lock until a flush has failed.
    any: AtomicBool,
    /// `None`: the key did not exist on disk.
    versions: Mutex<HashMap<TreeKey, Option<Vec<u8>>>>,
}

/// A read through the record: the durable version, or `Live` to read the tree.
pub enum Durable {
    Live,
    Version(Option<Vec<u8>>),
}

impl NotDurable {
    /// Records that `key` in `tree` is on disk as `durable`, unless an earlier failed
    /// write already recorded the older, durable version.
    pub fn record(&self, tree: &'static str, key: &[u8], durable: Option<&[u8]>) {
        let mut versions = self.versions.lock().unwrap_or_else(|p| p.into_inner());
        versions
            .entry((tree, key.to_vec()))
            .or_insert_with(|| durable.map(<[u8]>::to_vec));
        self.any.store(true, Ordering::SeqCst);
    }

    /// What a read of `key` in `tree` must return.
    pub fn read(&self, tree: &'static str, key: &[u8]) -> Durable {
        if !self.any.load(Ordering::SeqCst) {
            return Durable::Live;
        }
        let versions = self.versions.lock().unwrap_or_else(|p| p.into_inner());
        match versions.get(&(tree, key.to_vec())) {
            Some(v) => Durable::Version(v.clone()),
            None => Durable::Live,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_durable_version_is_kept() {
        let n = NotDurable::default();
        assert!(matches!(n.read("t", b"k"), Durable::Live));
        n.record("t", b"k", Some(b"on disk"));
        n.record("t", b"k", Some(b"never on disk either"));
        assert!(matches!(n.read("t", b"k"), Durable::Version(Some(v)) if v == b"on disk"));
        n.record("t", b"new", None);
        assert!(matches!(n.read("t", b"new"), Durable::Version(None)));
        assert!(matches!(n.read("u", b"k"), Durable::Live));
    }
}
