//! The HLS twin of a static VoD asset served under `/dash/vod/` (or `/vod/`): for
//! `<dir>/<stem>.mpd`, the multivariant playlist `<dir>/<stem>.m3u8` and its media playlists
//! `<dir>/<stem>_<Representation@id>.m3u8`, built by [`crate::hls::build::from_mpd`] over the
//! same segment files (what `dashkit hls` writes to disk, answered without writing it). A
//! playlist file that exists on disk is served as the file it is; these names are answered
//! only when it does not.
//!
//! The server reads: [`vod_mpd_candidates`] names the MPDs a playlist name can belong to;
//! [`VodPlaylists::build`] takes that MPD's text and a `fetch` of its segment files; the
//! result is kept (building reads every segment once, for `EXTINF` and `BANDWIDTH`) and
//! answers every playlist of the asset with [`VodPlaylists::answer`].
//! The live simulator's twins (`/livesim/...m3u8`) are [`crate::live::hls`].

use crate::hls::build::{from_mpd, Options};
use crate::live::http::{playlist_headers, HttpBody, HttpResponse};
use crate::mpd::segments::ByteRange;

use crate::bmff::patch::Part;

use super::files::relative_components;
use super::livesim::Source;

/// Whether the last component names an HLS playlist (`.m3u8`).
///
/// ```
/// assert!(dashkit::origin::hls::is_playlist(&["a".into(), "manifest.m3u8".into()]));
/// assert!(!dashkit::origin::hls::is_playlist(&["a".into(), "manifest.mpd".into()]));
/// ```
pub fn is_playlist(comps: &[String]) -> bool {
    comps.last().is_some_and(|c| c.ends_with(".m3u8"))
}

/// The MPDs (file name, playlist stem) the playlist `name` may belong to, most specific first:
/// `<stem>.m3u8` is `<stem>.mpd`'s multivariant playlist; `a_b_c.m3u8` may be a media
/// playlist of `a_b.mpd` (Representation `c`) or of `a.mpd` (Representation `b_c`).
///
/// ```
/// use dashkit::origin::hls::vod_mpd_candidates;
/// assert_eq!(vod_mpd_candidates("manifest_v1.m3u8"), [
///     ("manifest_v1.mpd".to_string(), "manifest_v1".to_string()),
///     ("manifest.mpd".to_string(), "manifest".to_string()),
/// ]);
/// assert!(vod_mpd_candidates("x.mpd").is_empty());
/// ```
pub fn vod_mpd_candidates(name: &str) -> Vec<(String, String)> {
    let Some(base) = name.strip_suffix(".m3u8").filter(|b| !b.is_empty()) else {
        return Vec::new();
    };
    let mut out = vec![(format!("{base}.mpd"), base.to_owned())];
    for (i, _) in base.rmatch_indices('_') {
        if i > 0 {
            let stem = &base[..i];
            out.push((format!("{stem}.mpd"), stem.to_owned()));
        }
    }
    out
}

/// Every playlist of one static MPD, written: (file name, text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VodPlaylists {
    /// The playlists by name: the multivariant playlist first.
    pub files: Vec<(String, String)>,
}

impl VodPlaylists {
    /// Builds the playlists of the static MPD `mpd_text` (whose playlists are named after
    /// `stem` and sit next to it). `fetch(url, range)` reads a file by its URL relative to the
    /// MPD (all of it, or the inclusive range). A dynamic MPD, or one whose segments cannot be
    /// read, is an answer to send instead (404 for a dynamic MPD: it has no static twin; 500
    /// otherwise).
    pub fn build<F>(
        mpd_text: &str,
        stem: &str,
        mut fetch: F,
    ) -> Result<VodPlaylists, HttpResponse<'static>>
    where
        F: FnMut(&str, Option<ByteRange>) -> Option<Vec<u8>>,
    {
        let mpd = crate::mpd::parse(mpd_text)
            .map_err(|e| HttpResponse::text(500, format!("{stem}.mpd: {e}")))?;
        let built = from_mpd(&mpd, &Options { mpd_url: "", stem }, &mut fetch);
        let built = match built {
            Ok(b) => b,
            Err(e @ crate::hls::build::Error::Dynamic) => {
                return Err(HttpResponse::text(404, format!("{stem}.mpd: {e}")))
            }
            Err(e) => return Err(HttpResponse::text(500, format!("{stem}.mpd: {e}"))),
        };
        let mut files = vec![(
            built.multivariant_name.clone(),
            crate::hls::write_multivariant(&built.multivariant),
        )];
        files.extend(
            built
                .media
                .iter()
                .map(|m| (m.name.clone(), crate::hls::write_media(&m.playlist))),
        );
        Ok(VodPlaylists { files })
    }

    /// The answer for playlist `name` at `now_ms`: `application/vnd.apple.mpegurl`, cacheable
    /// for a day (a VoD playlist does not change while its MPD does not), with an ETag; `None`
    /// when this MPD has no playlist of that name.
    ///
    /// ```
    /// use dashkit::origin::hls::VodPlaylists;
    /// let p = VodPlaylists { files: vec![("m.m3u8".into(), "#EXTM3U\n".into())] };
    /// let r = p.answer("m.m3u8", 0).unwrap();
    /// assert_eq!(r.header("content-type"), Some("application/vnd.apple.mpegurl"));
    /// assert_eq!(r.header("cache-control"), Some("public, max-age=86400"));
    /// assert!(p.answer("other.m3u8", 0).is_none());
    /// ```
    pub fn answer(&self, name: &str, now_ms: i64) -> Option<HttpResponse<'static>> {
        let (_, text) = self.files.iter().find(|(n, _)| n == name)?;
        Some(HttpResponse {
            status: 200,
            headers: playlist_headers(
                &crate::live::http::strong_etag(text.as_bytes()),
                now_ms,
                None,
                None,
            ),
            body: HttpBody::Parts(vec![Part::Owned(text.clone().into_bytes())]),
        })
    }
}

/// The whole decision over a [`Source`]: the answer to `/dash/vod/<comps>` at `now_ms` when it
/// names an HLS twin of an MPD there and `source` has no file of that name; `None` otherwise
/// (answer it as a static file). Builds the playlists on every call: a server keeps the
/// [`VodPlaylists`] instead (as `dashkit serve` does, until the MPD changes).
///
/// ```no_run
/// # fn demo(source: &mut dyn dashkit::origin::livesim::Source) {
/// let comps = ["asset".to_string(), "manifest.m3u8".to_string()];
/// let r = dashkit::origin::hls::vod_answer(source, &comps, 0).unwrap();
/// assert_eq!(r.header("content-type"), Some("application/vnd.apple.mpegurl"));
/// # }
/// ```
pub fn vod_answer(
    source: &mut dyn Source,
    comps: &[String],
    now_ms: i64,
) -> Option<HttpResponse<'static>> {
    if !is_playlist(comps) || source.read(comps).is_some() {
        return None;
    }
    let (name, dir) = comps.split_last()?;
    for (mpd, stem) in vod_mpd_candidates(name) {
        let mut mpd_comps = dir.to_vec();
        mpd_comps.push(mpd);
        let Some(text) = source.read(&mpd_comps) else {
            continue;
        };
        let Ok(text) = String::from_utf8(text) else {
            continue;
        };
        let built = VodPlaylists::build(&text, &stem, |url, range| {
            let bytes = source.read(&relative_components(dir, url).ok()?)?;
            match range {
                None => Some(bytes),
                Some(r) => {
                    let first = usize::try_from(r.first()).ok()?;
                    let last = usize::try_from(r.last()).ok()?;
                    bytes.get(first..=last).map(<[u8]>::to_vec)
                }
            }
        });
        match built {
            Ok(p) => {
                if let Some(r) = p.answer(name, now_ms) {
                    return Some(r);
                }
            }
            Err(refusal) => return Some(refusal),
        }
    }
    None
}
