//! VoD assets loaded once and kept: the analysed [`LiveAsset`] and the bytes of its init and
//! media segments (read while analysing), so a live request touches no disk. A reload (SIGHUP
//! or `--watch`) drops what changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use bytes::Bytes;
use dashkit::live::asset::LiveAsset;
use dashkit::live::http::{default_mpd, DirMpd};
use dashkit::live::mpd_cache::MpdCache;
use dashkit::origin::cache::{keeps, mpd_fingerprint, MAX_DIR_ENTRIES, MAX_WATCHED_FILES};
use dashkit::source::WholeFiles;
use tokio::sync::OnceCell;

use super::file_cache::FileCache;
use super::files::Root;

/// One loaded asset.
pub struct Asset {
    /// The analysed VoD.
    pub live: LiveAsset,
    /// The MPD's directory as components below the root.
    pub dir: Vec<String>,
    /// The MPD file.
    pub mpd_path: PathBuf,
    /// File bytes by URL relative to the MPD.
    pub files: HashMap<String, Bytes>,
    /// The MPD's modification time and a hash of its bytes, taken before it was read (for
    /// `--watch`: a change during the load is seen on the next check).
    pub stamp: Option<(SystemTime, u64)>,
    /// Its live MPDs at their latest second, so each is written once a second, not once a
    /// request ([`dashkit::live::mpd_cache`]).
    pub mpds: Mutex<MpdCache>,
}

/// Why an asset could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// No such MPD below the root.
    NoMpd(String),
    /// The MPD or its segments could not be read or analysed.
    Failed(String),
}

impl LoadError {
    /// The HTTP status: 404 for a missing MPD, 500 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            LoadError::NoMpd(_) => 404,
            LoadError::Failed(_) => 500,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NoMpd(m) | LoadError::Failed(m) => f.write_str(m),
        }
    }
}

type Slot = Arc<OnceCell<Result<Arc<Asset>, LoadError>>>;

/// The cache: `<dir>/<mpd name>` → the asset (or why it could not be loaded), plus each
/// directory's default MPD name.
pub struct Assets {
    root: Root,
    by_key: RwLock<HashMap<String, Slot>>,
    default_mpd: RwLock<HashMap<String, Option<String>>>,
    /// Cap on cached file bytes across assets.
    cache_limit: u64,
    cached: AtomicU64,
    /// Keys of slots that failed, so they can be retried after a reload.
    reload_lock: Mutex<()>,
    /// Static files under `/dash/vod/` kept in memory (a budget of their own, `cache_limit`).
    static_files: FileCache,
}

impl Assets {
    /// An empty cache over `root`, keeping at most `cache_limit` bytes of files in memory.
    pub fn new(root: Root, cache_limit: u64) -> Assets {
        Assets {
            root,
            by_key: RwLock::new(HashMap::new()),
            default_mpd: RwLock::new(HashMap::new()),
            cache_limit,
            cached: AtomicU64::new(0),
            reload_lock: Mutex::new(()),
            static_files: FileCache::new(cache_limit),
        }
    }

    /// The static files kept in memory.
    pub fn static_files(&self) -> &FileCache {
        &self.static_files
    }

    /// The root.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// What is known of the MPD `dir` serves by default, from the cache alone (no IO).
    pub fn known_mpd(&self, dir: &[String]) -> DirMpd {
        let key = dir.join("/");
        match self
            .default_mpd
            .read()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            Some(Some(name)) => DirMpd::Name(name),
            Some(None) => DirMpd::Absent,
            None => DirMpd::Unknown,
        }
    }

    /// Lists `dir` on a blocking thread and answers which MPD it serves by default
    /// ([`dashkit::live::http::default_mpd`]); directories that exist are remembered.
    pub async fn list(self: &Arc<Self>, dir: &[String]) -> DirMpd {
        let me = Arc::clone(self);
        let comps = dir.to_vec();
        let listing = tokio::task::spawn_blocking(move || me.mpd_names(&comps))
            .await
            .ok()
            .flatten();
        let Some(names) = listing else {
            return DirMpd::NotADirectory;
        };
        let found = default_mpd(&names).map(str::to_string);
        // Only directories that exist are remembered, so random URLs do not fill the map.
        if let Ok(mut m) = self.default_mpd.write() {
            if m.len() < MAX_DIR_ENTRIES {
                m.insert(dir.join("/"), found.clone());
            }
        }
        found.map_or(DirMpd::Absent, DirMpd::Name)
    }

    /// The `.mpd` files in `dir` (blocking); `None` when it is not a directory below the root.
    fn mpd_names(&self, dir: &[String]) -> Option<Vec<String>> {
        let path = self.root.resolve(dir).ok()?;
        if !path.is_dir() {
            return None;
        }
        let names = std::fs::read_dir(&path)
            .ok()?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".mpd") && path.join(n).is_file())
            .collect();
        Some(names)
    }

    /// The asset of MPD `mpd` in directory `dir`, loading it on first use (on a blocking
    /// thread). Concurrent first requests wait for one load.
    pub async fn get(self: &Arc<Self>, dir: &[String], mpd: &str) -> Result<Arc<Asset>, LoadError> {
        let key = format!("{}/{mpd}", dir.join("/"));
        let existing = self.by_key.read().ok().and_then(|m| m.get(&key).cloned());
        let slot = match existing {
            Some(s) => s,
            None => {
                let mut m = self
                    .by_key
                    .write()
                    .map_err(|_| LoadError::Failed("lock poisoned".into()))?;
                m.entry(key).or_default().clone()
            }
        };
        let me = Arc::clone(self);
        let dir = dir.to_vec();
        let mpd = mpd.to_string();
        slot.get_or_init(|| async move {
            tokio::task::spawn_blocking(move || me.load(&dir, &mpd))
                .await
                .unwrap_or_else(|e| Err(LoadError::Failed(format!("loading failed: {e}"))))
                .map(Arc::new)
        })
        .await
        .clone()
    }

    fn load(&self, dir: &[String], mpd: &str) -> Result<Asset, LoadError> {
        let mut comps = dir.to_vec();
        comps.push(mpd.to_string());
        let mpd_path = self
            .root
            .resolve(&comps)
            .map_err(|_| LoadError::NoMpd(format!("no MPD {}", comps.join("/"))))?;
        let stamp = mpd_stamp(&mpd_path);
        let vod =
            crate::input::load_mpd(&mpd_path).map_err(|e| LoadError::Failed(e.to_string()))?;
        let mut files: HashMap<String, Bytes> = HashMap::new();
        let mut budget = self
            .cache_limit
            .saturating_sub(self.cached.load(Ordering::Relaxed));
        let mut added = 0u64;
        let live = LiveAsset::from_vod(
            vod,
            &mut WholeFiles(|url: &str| {
                let path = self.root.resolve_relative(dir, url).ok()?;
                let bytes = std::fs::read(path).ok()?;
                let len = bytes.len() as u64;
                if keeps(len, budget) {
                    budget -= len;
                    added += len;
                    files.insert(url.to_string(), Bytes::from(bytes.clone()));
                }
                Some(bytes)
            }),
        )
        .map_err(|e| LoadError::Failed(format!("{}: {e}", mpd_path.display())))?;
        self.cached.fetch_add(added, Ordering::Relaxed);
        Ok(Asset {
            live,
            dir: dir.to_vec(),
            mpd_path,
            files,
            stamp,
            mpds: Mutex::new(MpdCache::default()),
        })
    }

    /// Forgets everything (SIGHUP): assets load again on their next request.
    pub fn clear(&self) {
        let _g = self.reload_lock.lock();
        if let Ok(mut m) = self.by_key.write() {
            m.clear();
        }
        if let Ok(mut m) = self.default_mpd.write() {
            m.clear();
        }
        self.cached.store(0, Ordering::Relaxed);
        self.static_files.clear();
    }

    /// Drops the assets whose MPD or segment files changed since they were loaded, and
    /// failed loads; returns the MPD paths dropped.
    pub fn drop_changed(&self) -> Vec<PathBuf> {
        let _g = self.reload_lock.lock();
        let slots: Vec<(String, Slot)> = match self.by_key.read() {
            Ok(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(_) => return Vec::new(),
        };
        let mut stale = Vec::new();
        for (key, slot) in slots {
            let changed = match slot.get() {
                None => false, // still loading
                Some(Err(_)) => true,
                Some(Ok(a)) => asset_changed(a),
            };
            if changed {
                if let Some(Ok(a)) = slot.get() {
                    stale.push(a.mpd_path.clone());
                    let bytes: u64 = a.files.values().map(|b| b.len() as u64).sum();
                    let _ = self
                        .cached
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                            Some(c.saturating_sub(bytes))
                        });
                }
                if let Ok(mut m) = self.by_key.write() {
                    m.remove(&key);
                }
            }
        }
        if !stale.is_empty() {
            if let Ok(mut m) = self.default_mpd.write() {
                m.clear();
            }
        }
        stale
    }
}

/// The MPD's mtime and [`mpd_fingerprint`].
fn mpd_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let print = mpd_fingerprint(meta.len(), || std::fs::read(path).ok())?;
    Some((meta.modified().ok()?, print))
}

fn asset_changed(a: &Asset) -> bool {
    if mpd_stamp(&a.mpd_path) != a.stamp {
        return true;
    }
    // A segment rewritten in place shows in its size.
    let dir = a.mpd_path.parent().unwrap_or(Path::new("."));
    a.files.iter().take(MAX_WATCHED_FILES).any(|(url, b)| {
        std::fs::metadata(dir.join(url)).map(|m| m.len()).ok() != Some(b.len() as u64)
    })
}
