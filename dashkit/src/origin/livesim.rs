//! The live simulator's answer to a `/livesim/` request, with its files asked of a [`Source`]:
//! the directory listings [`locate_asset`] needs, the MPD and segments an asset is analysed
//! from, and the files [`respond`] reads. The analysed assets and directory listings are kept
//! (a bounded number of each) so a request after the first reads only the files it sends.
//!
//! This is the whole decision for a server that reads files synchronously (on a blocking
//! thread). `dashkit serve` makes the same calls ([`locate_asset`], `load_asset`,
//! [`respond`], [`http_response`](crate::live::http::http_response)) itself so that its cache can be shared by many workers
//! without a lock around a load.

use std::collections::HashMap;
use std::sync::Arc;

use crate::bmff::patch::Part;
use crate::live::asset::LiveAsset;
use crate::live::http::{
    default_mpd, http_response_at, locate_asset, source_config, with_range, AssetLookup, DirMpd,
    HttpBody, HttpPolicy, HttpResponse, LivePath, MpdChanges, TimedChunk,
};
use crate::live::options::LiveOptions;
use crate::live::source::respond;
use crate::live::timing::{Ato, Timing};
use crate::mpd::segments::ByteRange;
use crate::source::{slice, Source as AssetSource};

use super::files::{file_answer, relative_components, FileMeta, PathError};
use super::route::{Config, Route};

/// Most VoD files one live answer reads beyond what is cached (the media segment, and the
/// init segment for low-latency chunks).
pub const MAX_FILES_PER_ANSWER: usize = 8;
/// Most analysed assets a [`Livesim`] keeps.
pub(crate) const MAX_ASSETS: usize = 1_000;

/// Where the origin's files come from: the folder below the served root, or anything else
/// that can list a directory and read a file. Paths are components below the root, already
/// checked ([`super::files::check_components`]): an implementation over a file system joins
/// them onto its root and refuses what is not [`super::files::confined`] in it.
///
/// The asset readers elsewhere in the crate take MPD-relative URLs through
/// [`crate::source::Source`] (analysis, validation), `LiveAsset::from_vod`'s
/// `FnMut(&str) -> Option<Vec<u8>>`, `respond`'s `FnMut(&str) -> Option<&[u8]>`. Each is
/// this trait seen from one directory: [`AssetDir`] makes any `Source` a
/// [`crate::source::Source`] for the asset in a directory.
pub trait Source {
    /// The names of the entries of directory `dir`; `None` when it is not a directory.
    fn list(&mut self, dir: &[String]) -> Option<Vec<String>>;
    /// The bytes of the file at `path`; `None` when there is none.
    fn read(&mut self, path: &[String]) -> Option<Vec<u8>>;
}

/// A [`Source`] seen from the directory `dir`: the [`crate::source::Source`] of the asset there, its
/// URLs resolved with [`relative_components`] (never above the root).
pub struct AssetDir<'a> {
    /// Where the files are.
    pub source: &'a mut dyn Source,
    /// The asset's directory, as components below the root.
    pub dir: &'a [String],
}

impl AssetSource for AssetDir<'_> {
    fn read(&mut self, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
        let all = self
            .source
            .read(&relative_components(self.dir, url).ok()?)?;
        Some(match range {
            None => all,
            Some(_) => slice(&all, range).to_vec(),
        })
    }

    fn list(&mut self, dir: &str) -> Option<Vec<String>> {
        self.source.list(&relative_components(self.dir, dir).ok()?)
    }
}

/// When the live simulator's MPD for `asset` with `options` last changed and next changes
/// around `now_ms`: the instants at which its newest listed segment became and the next one
/// becomes listed (a segment is listed once `now` passes its end less the
/// availabilityTimeOffset, plus any `hold`). `None` before the first segment or when the
/// options give no timing; the MPD is then cacheable for a second at most.
///
/// ```
/// use dashkit::live::{asset::LiveAsset, options::LiveOptions};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// let c = dashkit::origin::livesim::mpd_changes(&asset, &LiveOptions::default(), 1_001_500).unwrap();
/// assert_eq!((c.last_ms, c.next_ms), (1_000_000, 1_002_000));
/// ```
pub fn mpd_changes(asset: &LiveAsset, options: &LiveOptions, now_ms: i64) -> Option<MpdChanges> {
    let timing = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)
        .ok()?
        .timing;
    let newest = *timing.available_numbers(now_ms).ok()?.end();
    // Listed once now ≥ end − ato + hold (Timing::available_numbers); ato = INF lists the
    // segment being produced, i.e. one duration early.
    let d_ms = i64::try_from(timing.looping.segment_duration_s)
        .ok()?
        .checked_mul(1000)?;
    let early_ms = match timing.ato {
        Ato::Zero => 0,
        Ato::Millis(a) => i64::try_from(a).ok()?,
        Ato::Infinite => d_ms,
    } - i64::try_from(timing.hold_ms).ok()?;
    let listed = |n: u64| Some(timing.segment(n).ok()?.available_at_ms - early_ms);
    Some(MpdChanges {
        last_ms: listed(newest)?,
        next_ms: listed(newest.checked_add(1)?)?,
    })
}

/// Why an asset could not be loaded, as the answer to give: 404 when its MPD is missing, 500
/// when it or its segments cannot be read or analysed.
pub(crate) fn load_asset(
    source: &mut dyn Source,
    dir: &[String],
    mpd: &str,
) -> Result<LiveAsset, HttpResponse<'static>> {
    let mut comps = dir.to_vec();
    comps.push(mpd.to_string());
    let bytes = source
        .read(&comps)
        .ok_or_else(|| HttpResponse::text(404, format!("no MPD {}", comps.join("/"))))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| HttpResponse::text(500, format!("{}: invalid UTF-8", comps.join("/"))))?;
    let vod = crate::mpd::parse(text)
        .map_err(|e| HttpResponse::text(500, format!("{}: {e}", comps.join("/"))))?;
    let mut files = AssetDir { source, dir };
    LiveAsset::from_vod(vod, &mut files)
        .map_err(|e| HttpResponse::text(500, format!("{}: {e}", comps.join("/"))))
}

/// An answer whose body owns its bytes.
pub(crate) fn into_owned(r: HttpResponse<'_>) -> HttpResponse<'static> {
    let own = |parts: Vec<Part<'_>>| -> Vec<Part<'static>> {
        parts
            .into_iter()
            .map(|p| match p {
                Part::Owned(v) => Part::Owned(v),
                Part::Borrowed(s) => Part::Owned(s.to_vec()),
            })
            .collect()
    };
    HttpResponse {
        status: r.status,
        headers: r.headers,
        body: match r.body {
            HttpBody::Parts(p) => HttpBody::Parts(own(p)),
            HttpBody::Timed(chunks) => HttpBody::Timed(
                chunks
                    .into_iter()
                    .map(|c| TimedChunk {
                        delay_ms: c.delay_ms,
                        parts: own(c.parts),
                    })
                    .collect(),
            ),
        },
    }
}

/// The live simulator over a [`Source`], keeping analysed assets and directory listings.
#[derive(Debug, Default)]
pub struct Livesim {
    assets: HashMap<String, Arc<LiveAsset>>,
    dirs: HashMap<String, Option<String>>,
}

/// The request facts a live answer depends on besides its path and instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveRequest<'a> {
    /// The `Host` header (for UTCTiming and a relative session's `Location`).
    pub host: Option<&'a str>,
    /// The request target (path and query), as sent.
    pub path_and_query: &'a str,
}

impl<'a> LiveRequest<'a> {
    /// The facts of a request with this `Host` and target.
    pub fn new(host: Option<&'a str>, path_and_query: &'a str) -> LiveRequest<'a> {
        LiveRequest {
            host,
            path_and_query,
        }
    }
}

impl Livesim {
    /// Nothing kept yet.
    pub fn new() -> Livesim {
        Livesim::default()
    }

    /// Forgets what was kept (the files changed): assets load again on their next request.
    pub fn clear(&mut self) {
        self.assets.clear();
        self.dirs.clear();
    }

    /// The answer to a routed request that needs only files: [`Route::Answer`] as it is,
    /// [`Route::Livesim`] by [`Livesim::answer`], and [`Route::VodFile`] read whole through
    /// `source` and answered by [`file_answer`] with the request's `Range` header. The ingest
    /// routes need the ingest origin: [`Route::Ingest`] and [`Route::Live`] are given back.
    ///
    /// ```no_run
    /// # use dashkit::origin::{livesim::{Livesim, LiveRequest, Source}, route, Config, RequestHead};
    /// # fn demo(source: &mut dyn Source) {
    /// let head = RequestHead::new("GET", "/dash/vod/asset/0/1.m4s", None, None);
    /// let routed = route(&head, 0, &Config::default());
    /// let req = LiveRequest::new(Some("localhost"), head.path);
    /// let answer = Livesim::new().answer_route(source, routed, &req, Some("bytes=0-99"), &Config::default());
    /// assert_eq!(answer.map(|r| r.status).ok(), Some(206));
    /// # }
    /// ```
    pub fn answer_route(
        &mut self,
        source: &mut dyn Source,
        route: Route,
        req: &LiveRequest<'_>,
        range: Option<&str>,
        config: &Config,
    ) -> Result<HttpResponse<'static>, Route> {
        match route {
            Route::Answer(r) => Ok(r),
            Route::Livesim { path, now_ms } => {
                Ok(self.answer_with_range(source, &path, now_ms, req, range, config))
            }
            Route::VodFile(comps) => {
                let Some(bytes) = source.read(&comps) else {
                    return Ok(PathError::NotFound.answer());
                };
                let name = comps.last().map_or("", String::as_str);
                let meta = FileMeta::new(name, bytes.len() as u64);
                Ok(file_answer(&meta, range).respond(|start, count| {
                    let start = usize::try_from(start).ok()?;
                    let count = usize::try_from(count).ok()?;
                    Some(bytes.get(start..start.checked_add(count)?)?.to_vec())
                }))
            }
            other => Err(other),
        }
    }

    /// The answer to the `/livesim/` request `path` at `now_ms` (from
    /// [`route`](super::route())), reading what it needs from `source`.
    ///
    /// ```no_run
    /// # use dashkit::origin::{livesim::{Livesim, LiveRequest, Source}, route, Config, RequestHead, Route};
    /// # fn demo(source: &mut dyn Source) {
    /// let head = RequestHead { method: "GET", path: "/livesim/asset/manifest.mpd", query: None,
    ///     access_control_request_headers: None };
    /// let mut live = Livesim::new();
    /// if let Route::Livesim { path, now_ms } = route(&head, 1_000_000, &Config::default()) {
    ///     let req = LiveRequest { host: Some("localhost"), path_and_query: head.path };
    ///     let answer = live.answer(source, &path, now_ms, &req, &Config::default());
    ///     assert_eq!(answer.status, 200);
    /// }
    /// # }
    /// ```
    pub fn answer(
        &mut self,
        source: &mut dyn Source,
        path: &LivePath,
        now_ms: i64,
        req: &LiveRequest<'_>,
        config: &Config,
    ) -> HttpResponse<'static> {
        self.answer_with_range(source, path, now_ms, req, None, config)
    }

    /// [`Livesim::answer`] for a request with the `Range` header `range`, applied to a media
    /// segment as `serve` does ([`crate::live::http::with_range`]).
    fn answer_with_range(
        &mut self,
        source: &mut dyn Source,
        path: &LivePath,
        now_ms: i64,
        req: &LiveRequest<'_>,
        range: Option<&str>,
        config: &Config,
    ) -> HttpResponse<'static> {
        // Listings made for this request; only directories that exist are kept beyond it,
        // so random URLs do not fill the map.
        let mut listed: Vec<(Vec<String>, DirMpd)> = Vec::new();
        let found = loop {
            let dirs = &self.dirs;
            let lookup = locate_asset(path, |dir| {
                if let Some((_, m)) = listed.iter().find(|(d, _)| d.as_slice() == dir) {
                    return m.clone();
                }
                match dirs.get(&dir.join("/")) {
                    Some(Some(m)) => DirMpd::Name(m.clone()),
                    Some(None) => DirMpd::Absent,
                    None => DirMpd::Unknown,
                }
            });
            match lookup {
                AssetLookup::Found(a) => break a,
                AssetLookup::Refused(r) => return r,
                AssetLookup::List(dir) => {
                    let Some(names) = source.list(&dir) else {
                        listed.push((dir, DirMpd::NotADirectory));
                        continue;
                    };
                    let found = default_mpd(&names).map(str::to_string);
                    if self.dirs.len() >= super::cache::MAX_DIR_ENTRIES {
                        self.dirs.clear();
                    }
                    self.dirs.insert(dir.join("/"), found.clone());
                    listed.push((dir, found.map_or(DirMpd::Absent, DirMpd::Name)));
                }
            }
        };
        let key = format!("{}/{}", found.dir.join("/"), found.mpd);
        let asset = match self.assets.get(&key) {
            Some(a) => Arc::clone(a),
            None => match load_asset(source, &found.dir, &found.mpd) {
                Ok(a) => {
                    let a = Arc::new(a);
                    if self.assets.len() >= MAX_ASSETS {
                        self.assets.clear();
                    }
                    self.assets.insert(key, Arc::clone(&a));
                    a
                }
                Err(r) => return r,
            },
        };
        let mut source_cfg = source_config(req.host, req.path_and_query);
        source_cfg.early_hold_ms = config.early_hold_ms;
        let policy = HttpPolicy {
            dashlivesim_404: config.dashlivesim_404,
        };
        // Files are read when the answer asks for them, then the question is asked again.
        let mut read: Vec<(String, Vec<u8>)> = Vec::new();
        loop {
            let answer = respond(
                &asset,
                &path.options,
                &found.file,
                now_ms,
                &source_cfg,
                |url| {
                    read.iter()
                        .find(|(u, _)| u.as_str() == url)
                        .map(|(_, b)| b.as_slice())
                },
            );
            if let Err(crate::live::Error::MissingFile { url }) = &answer {
                if read.len() < MAX_FILES_PER_ANSWER && !read.iter().any(|(u, _)| u == url) {
                    let bytes = relative_components(&found.dir, url)
                        .ok()
                        .and_then(|p| source.read(&p));
                    if let Some(bytes) = bytes {
                        read.push((url.clone(), bytes));
                        continue;
                    }
                }
            }
            let changes = mpd_changes(&asset, &path.options, now_ms);
            let range = range.filter(|_| answer.as_ref().is_ok_and(|a| a.is_media_segment()));
            let r = with_range(http_response_at(answer, now_ms, &policy, changes), range);
            return into_owned(r);
        }
    }
}
