//! HLS twins of static VoD assets (`/dash/vod/<dir>/<stem>.m3u8`): the IO around
//! [`dashkit::origin::hls`]. Which MPD a name belongs to, how its playlists are built and what
//! the answer carries are library calls; this reads the MPD and its segments on a blocking
//! thread (confined to the root) and keeps the built playlists until the MPD changes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use dashkit::origin::hls::{is_playlist, vod_mpd_candidates, VodPlaylists};
use hyper::Response;

use super::body::Body;
use super::files::Root;
use super::handler::{to_hyper, State};

/// Most VoD assets whose built playlists are kept (each holds only playlist text).
const MAX_KEPT_VOD_PLAYLISTS: usize = 64;

/// Built playlists by MPD path, with the MPD's modification time and length when built.
type Kept = Vec<(PathBuf, Option<SystemTime>, u64, Arc<VodPlaylists>)>;

static KEPT: Mutex<Kept> = Mutex::new(Vec::new());

/// The answer to `/dash/vod/<comps>` when it names an HLS twin of an MPD there and no file
/// of that name exists; `None` otherwise (the request is a plain static file).
pub async fn vod_playlist(state: &Arc<State>, comps: &[String]) -> Option<Response<Body>> {
    if !is_playlist(comps) {
        return None;
    }
    let root = state.assets.root().clone();
    let comps = comps.to_vec();
    let now = now_ms();
    let answer = tokio::task::spawn_blocking(move || answer(&root, &comps, now))
        .await
        .ok()
        .flatten()?;
    Some(to_hyper(answer, &[]))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn answer(
    root: &Root,
    comps: &[String],
    now: i64,
) -> Option<dashkit::live::http::HttpResponse<'static>> {
    if root.resolve(comps).is_ok_and(|p| p.is_file()) {
        return None;
    }
    let (name, dir) = comps.split_last()?;
    for (mpd, stem) in vod_mpd_candidates(name) {
        let mut mpd_comps = dir.to_vec();
        mpd_comps.push(mpd);
        let Ok(path) = root.resolve(&mpd_comps) else {
            continue;
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let stamp = (meta.modified().ok(), meta.len());
        let kept = KEPT.lock().ok().and_then(|k| {
            k.iter()
                .find(|(p, m, l, _)| *p == path && (*m, *l) == stamp)
                .map(|(.., v)| Arc::clone(v))
        });
        let playlists = match kept {
            Some(p) => p,
            None => {
                let text = std::fs::read_to_string(&path).ok()?;
                let built =
                    VodPlaylists::build(&text, &stem, |url, range| read(root, dir, url, range));
                let built = match built {
                    Ok(b) => Arc::new(b),
                    Err(refusal) => return Some(refusal),
                };
                if let Ok(mut k) = KEPT.lock() {
                    k.retain(|(p, ..)| *p != path);
                    if k.len() >= MAX_KEPT_VOD_PLAYLISTS {
                        k.remove(0);
                    }
                    k.push((path.clone(), stamp.0, stamp.1, Arc::clone(&built)));
                }
                built
            }
        };
        if let Some(r) = playlists.answer(name, now) {
            return Some(r);
        }
    }
    None
}

/// The bytes of `url` (relative to the MPD's directory `dir`, confined to the root): all of
/// them, or the inclusive `range`.
fn read(
    root: &Root,
    dir: &[String],
    url: &str,
    range: Option<dashkit::mpd::segments::ByteRange>,
) -> Option<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let path = root.resolve_relative(dir, url).ok()?;
    match range {
        None => std::fs::read(path).ok(),
        Some(r) => {
            let mut f = std::fs::File::open(path).ok()?;
            f.seek(SeekFrom::Start(r.first())).ok()?;
            let mut buf = Vec::new();
            f.take(r.size_bytes()).read_to_end(&mut buf).ok()?;
            Some(buf)
        }
    }
}
