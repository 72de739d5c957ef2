//! What a server keeps of the assets below its root, as rules: which segment files stay in
//! memory under a byte budget, how many directories are remembered, and the fingerprint by
//! which a watcher sees that an MPD changed. The server holds the cache (with whatever locks
//! its workers need) and does the reads.

/// Most directories remembered (as holding an MPD, or none), so that random URLs cannot fill
/// memory: only directories that exist are remembered, and no more than this.
pub const MAX_DIR_ENTRIES: usize = 100_000;
/// Largest MPD a watcher reads to fingerprint on every check; a larger one is compared by
/// length (and modification time) only.
pub const MAX_WATCHED_MPD: u64 = 16 << 20;
/// Segment files whose sizes a watcher checks per asset (a segment rewritten in place shows
/// in its size; checking a few keeps the watch cheap on large assets).
pub const MAX_WATCHED_FILES: usize = 64;

/// Whether a file of `len` bytes is kept in memory when `left` bytes of the budget are unused
/// (files over the budget are read when a request needs them).
///
/// ```
/// use dashkit::origin::cache::keeps;
/// assert!(keeps(10, 10));
/// assert!(!keeps(11, 10));
/// ```
pub fn keeps(len: u64, left: u64) -> bool {
    len <= left
}

/// The FNV-1a hash of `bytes`: a rewrite within the file system's timestamp granularity still
/// changes it.
///
/// ```
/// assert_eq!(dashkit::origin::cache::fingerprint(b""), 0xcbf2_9ce4_8422_2325);
/// assert_ne!(dashkit::origin::cache::fingerprint(b"a"), dashkit::origin::cache::fingerprint(b"b"));
/// ```
pub fn fingerprint(bytes: &[u8]) -> u64 {
    crate::live::http::fnv1a(bytes)
}

/// The part of an MPD's stamp besides its modification time: the [`fingerprint`] of its bytes
/// (`read` gives them) when it is at most [`MAX_WATCHED_MPD`] long, else its length.
///
/// ```
/// use dashkit::origin::cache::{mpd_fingerprint, fingerprint, MAX_WATCHED_MPD};
/// assert_eq!(mpd_fingerprint(3, || Some(b"abc".to_vec())), Some(fingerprint(b"abc")));
/// assert_eq!(mpd_fingerprint(MAX_WATCHED_MPD + 1, || unreachable!()), Some(MAX_WATCHED_MPD + 1));
/// ```
pub fn mpd_fingerprint(len: u64, read: impl FnOnce() -> Option<Vec<u8>>) -> Option<u64> {
    if len > MAX_WATCHED_MPD {
        return Some(len);
    }
    read().map(|b| fingerprint(&b))
}
