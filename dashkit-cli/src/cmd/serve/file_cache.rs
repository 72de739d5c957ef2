//! Static VoD files kept in memory, as nginx's `open_file_cache` keeps descriptors: a file
//! served under `/dash/vod/` is read once and answered from memory while its size and
//! modification time stay the same, checked again (on a blocking thread) at most once per
//! [`REVALIDATE`]. A file modified in the last [`SETTLE`] is not kept (it may still be being
//! written). Bounded in bytes; past the bound files are read per request as before.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;

/// How long a kept file is answered without looking at the disk again.
pub const REVALIDATE: Duration = Duration::from_secs(1);
/// A file modified more recently than this is not kept.
pub const SETTLE: Duration = Duration::from_secs(2);
/// Largest file kept.
pub const MAX_KEPT_FILE: u64 = 4 << 20;
/// Most files kept.
const MAX_KEPT_FILES: usize = 100_000;

/// A file in memory.
pub struct Kept {
    /// Its canonical path.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Bytes,
    /// Its modification time.
    pub modified: Option<SystemTime>,
    /// When its size and time were last seen to match the disk.
    checked: Mutex<Instant>,
}

impl Kept {
    /// Whether it was checked against the disk within [`REVALIDATE`].
    pub fn fresh(&self) -> bool {
        self.checked
            .lock()
            .map(|c| c.elapsed() < REVALIDATE)
            .unwrap_or(false)
    }

    /// Whether `meta` (of `path`, just read) is the kept file's; marks it checked if so.
    pub fn still(&self, path: &PathBuf, meta: &std::fs::Metadata) -> bool {
        let same = *path == self.path
            && meta.len() == self.bytes.len() as u64
            && meta.modified().ok() == self.modified;
        if same {
            if let Ok(mut c) = self.checked.lock() {
                *c = Instant::now();
            }
        }
        same
    }
}

/// The kept files by URL path below `/dash/vod/`.
pub struct FileCache {
    by_path: RwLock<HashMap<String, Arc<Kept>>>,
    bytes: AtomicU64,
    limit: u64,
}

impl FileCache {
    /// An empty cache holding at most `limit` bytes.
    pub fn new(limit: u64) -> FileCache {
        FileCache {
            by_path: RwLock::new(HashMap::new()),
            bytes: AtomicU64::new(0),
            limit,
        }
    }

    /// The kept file for `key`, if any (checked or not).
    pub fn get(&self, key: &str) -> Option<Arc<Kept>> {
        self.by_path.read().ok()?.get(key).cloned()
    }

    /// Whether a file of `len` bytes modified at `modified` may be kept now.
    pub fn wants(&self, len: u64, modified: Option<SystemTime>) -> bool {
        let settled = modified
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= SETTLE);
        settled
            && len <= MAX_KEPT_FILE
            && self.bytes.load(Ordering::Relaxed).saturating_add(len) <= self.limit
    }

    /// Keeps `bytes` of `path` (modified at `modified`) for `key`; returns the kept file.
    pub fn put(
        &self,
        key: String,
        path: PathBuf,
        bytes: Bytes,
        modified: Option<SystemTime>,
    ) -> Arc<Kept> {
        let kept = Arc::new(Kept {
            path,
            bytes,
            modified,
            checked: Mutex::new(Instant::now()),
        });
        if let Ok(mut m) = self.by_path.write() {
            if m.len() < MAX_KEPT_FILES || m.contains_key(&key) {
                let len = kept.bytes.len() as u64;
                if let Some(old) = m.insert(key, Arc::clone(&kept)) {
                    self.bytes
                        .fetch_sub(old.bytes.len() as u64, Ordering::Relaxed);
                }
                self.bytes.fetch_add(len, Ordering::Relaxed);
            }
        }
        kept
    }

    /// Forgets `key` (its file changed or went away).
    pub fn forget(&self, key: &str) {
        if let Ok(mut m) = self.by_path.write() {
            if let Some(old) = m.remove(key) {
                self.bytes
                    .fetch_sub(old.bytes.len() as u64, Ordering::Relaxed);
            }
        }
    }

    /// Forgets everything (SIGHUP).
    pub fn clear(&self) {
        if let Ok(mut m) = self.by_path.write() {
            m.clear();
            self.bytes.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> (PathBuf, std::fs::Metadata) {
        let dir = std::env::temp_dir().join(format!("dashkit-file-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let m = std::fs::metadata(&p).unwrap();
        (p, m)
    }

    #[test]
    fn keeps_settled_files_within_budget_and_sees_changes() {
        let c = FileCache::new(10);
        let old = SystemTime::now() - SETTLE - Duration::from_secs(1);
        assert!(c.wants(10, Some(old)));
        assert!(!c.wants(11, Some(old)), "over the budget");
        assert!(!c.wants(1, Some(SystemTime::now())), "still being written");
        assert!(!c.wants(1, None), "no modification time");

        let (p, m) = file("a", b"abcd");
        let k = c.put(
            "a".into(),
            p.clone(),
            Bytes::from_static(b"abcd"),
            m.modified().ok(),
        );
        assert!(k.fresh());
        assert!(k.still(&p, &m));
        assert!(c.get("a").is_some());
        assert!(!c.wants(7, Some(old)), "4 of 10 bytes used");
        // Rewritten with another size: no longer the kept file.
        let (p, m2) = file("a", b"abcdef");
        assert!(!k.still(&p, &m2));
        c.forget("a");
        assert!(c.get("a").is_none());
        assert!(c.wants(10, Some(old)), "bytes given back");
        c.put(
            "b".into(),
            p,
            Bytes::from_static(b"abcdef"),
            m2.modified().ok(),
        );
        c.clear();
        assert!(c.get("b").is_none());
        assert!(c.wants(10, Some(old)));
    }
}
