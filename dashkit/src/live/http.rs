//! The live simulator over HTTP, transport-free: which asset and MPD a `/livesim/` URL names,
//! the `now` a request asks for, and an answer of [`respond`](super::source::respond) as a status, headers and body
//! (refusals as 425, 410 or 404 with `Retry-After`; cache lifetimes as `Cache-Control` and
//! `Expires`; a low-latency segment as chunks each due at its own instant).
//!
//! A server (`dashkit serve`, or any Rust HTTP stack) does the IO around these calls: it
//! lists the directories [`locate_asset`] asks about, loads the asset, reads the VoD files
//! [`respond`](super::source::respond) fetches, and maps an [`HttpResponse`] onto its own types, sleeping until each
//! [`TimedChunk`] is due. No socket, clock or file here.

use std::borrow::Cow;

use crate::bmff::patch::Part;

use super::options::{split_path, LiveOptions};
use super::source::{MediaKind, Response, SourceConfig, Unavailable};
use super::Error;

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse<'a> {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values, in order (fixed values borrowed, so a server
    /// can send them without copying).
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// The body.
    pub body: HttpBody<'a>,
}

/// The body of an [`HttpResponse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpBody<'a> {
    /// All of it now: the parts in order.
    Parts(Vec<Part<'a>>),
    /// Low latency: chunks to send in order, each once its delay (from the request's `now`)
    /// has passed; the length is not known in advance.
    Timed(Vec<TimedChunk<'a>>),
}

/// One chunk of a low-latency segment and when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedChunk<'a> {
    /// Milliseconds after the request's `now` at which it may be sent (0: at once).
    pub delay_ms: u64,
    /// Its bytes.
    pub parts: Vec<Part<'a>>,
}

impl HttpResponse<'_> {
    /// A plain-text answer that is not cached (errors, refusals): `message` and a newline.
    ///
    /// ```
    /// let r = dashkit::live::http::HttpResponse::text(404, "not found");
    /// assert_eq!(r.header("cache-control"), Some("no-store"));
    /// ```
    pub fn text(status: u16, message: impl Into<String>) -> HttpResponse<'static> {
        let mut m = message.into();
        m.push('\n');
        HttpResponse {
            status,
            headers: vec![
                ("content-type", "text/plain; charset=utf-8".into()),
                ("cache-control", "no-store".into()),
            ],
            body: HttpBody::Parts(vec![Part::Owned(m.into_bytes())]),
        }
    }

    /// The value of header `name` (lower case), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }
}

/// Server settings that change answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HttpPolicy {
    /// Answer every refusal with 404, as dashlivesim does, instead of 425 Too Early and
    /// 410 Gone (livesim2).
    pub dashlivesim_404: bool,
}

/// The MPD a directory serves by default, from its file names: `Manifest.mpd`, else
/// `manifest.mpd`, else the first `.mpd` by name.
///
/// ```
/// use dashkit::live::http::default_mpd;
/// let names = ["b.mpd", "a.mpd", "0"].map(String::from);
/// assert_eq!(default_mpd(&names), Some("a.mpd"));
/// assert_eq!(default_mpd(&["manifest.mpd".into(), "a.mpd".into()]), Some("manifest.mpd"));
/// assert_eq!(default_mpd(&["0".to_string()]), None);
/// ```
pub fn default_mpd(names: &[String]) -> Option<&str> {
    for want in ["Manifest.mpd", "manifest.mpd"] {
        if let Some(n) = names.iter().find(|n| *n == want) {
            return Some(n);
        }
    }
    names
        .iter()
        .filter(|n| n.ends_with(".mpd"))
        .min()
        .map(String::as_str)
}

/// A `/livesim/` request path: its options and the components after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePath {
    /// The options.
    pub options: LiveOptions,
    /// The asset path and file, as components.
    pub rest: Vec<String>,
    /// The whole path below the prefix, for messages.
    pub joined: String,
}

/// Splits the decoded path components below `/livesim/` into options and the rest; malformed
/// or unsupported options are a 400.
///
/// ```
/// use dashkit::live::http::parse_live_path;
/// let p = parse_live_path(&["tsbd_30".into(), "asset".into(), "0".into(), "5.m4s".into()]).unwrap();
/// assert_eq!(p.options.tsbd_s, Some(30));
/// assert_eq!(p.rest, ["asset", "0", "5.m4s"]);
/// assert_eq!(parse_live_path(&["tsbd_x".into(), "a.mpd".into()]).unwrap_err().status, 400);
/// ```
pub fn parse_live_path(components: &[String]) -> Result<LivePath, HttpResponse<'static>> {
    let joined = components.join("/");
    let with_slash = format!("{joined}/");
    let (options, rest) =
        split_path(&with_slash).map_err(|e| HttpResponse::text(400, e.to_string()))?;
    let rest = rest
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    Ok(LivePath {
        options,
        rest,
        joined,
    })
}

/// What the caller knows of a directory's default MPD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirMpd {
    /// Not known yet: [`locate_asset`] asks for it.
    Unknown,
    /// A directory without an MPD.
    Absent,
    /// Not a directory (so no deeper one either).
    NotADirectory,
    /// Its default MPD ([`default_mpd`] of its listing).
    Name(String),
}

/// Where an asset request points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPath {
    /// The asset's directory, as components below the root.
    pub dir: Vec<String>,
    /// The MPD whose asset answers: the file itself when it is an MPD in that directory,
    /// else the directory's default.
    pub mpd: String,
    /// The file below the asset's directory (`manifest.mpd`, `0/500.m4s`).
    pub file: String,
}

/// The outcome of [`locate_asset`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetLookup {
    /// The asset.
    Found(AssetPath),
    /// List this directory (components below the root), then ask again.
    List(Vec<String>),
    /// No asset: the answer to send.
    Refused(HttpResponse<'static>),
}

/// Finds the asset a path names: its directory is the shortest leading run of components
/// holding an MPD (the search ends at a component that is not a directory). `mpd_of` says what is known of each directory; when it does not know one,
/// the answer is [`AssetLookup::List`] and the caller, once it has listed that directory,
/// asks again.
///
/// ```
/// use dashkit::live::http::{locate_asset, parse_live_path, AssetLookup, DirMpd};
/// let p = parse_live_path(&["a".into(), "0".into(), "5.m4s".into()]).unwrap();
/// assert_eq!(locate_asset(&p, |_| DirMpd::Unknown), AssetLookup::List(vec!["a".into()]));
/// match locate_asset(&p, |d| if d == ["a"] { DirMpd::Name("m.mpd".into()) } else { DirMpd::Absent }) {
///     AssetLookup::Found(a) => assert_eq!((a.dir, a.mpd, a.file), (vec!["a".into()], "m.mpd".into(), "0/5.m4s".into())),
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn locate_asset(path: &LivePath, mut mpd_of: impl FnMut(&[String]) -> DirMpd) -> AssetLookup {
    for k in 1..path.rest.len() {
        let dir = &path.rest[..k];
        match mpd_of(dir) {
            DirMpd::Unknown => return AssetLookup::List(dir.to_vec()),
            DirMpd::Absent => {}
            DirMpd::NotADirectory => break,
            DirMpd::Name(default) => {
                let file = path.rest[k..].join("/");
                let mpd = if file.ends_with(".mpd") && !file.contains('/') {
                    file.clone()
                } else {
                    default
                };
                return AssetLookup::Found(AssetPath {
                    dir: dir.to_vec(),
                    mpd,
                    file,
                });
            }
        }
    }
    AssetLookup::Refused(HttpResponse::text(
        404,
        format!("no asset in {}", path.joined),
    ))
}

/// The instant a request asks for with livesim2's testing hook, `?nowMS=<epoch ms>` or
/// `?nowDate=<xs:dateTime with zone>`; `Ok(None)` when it asks for none, a 400 when the value
/// is malformed.
pub(crate) fn now_from_query(query: Option<&str>) -> Result<Option<i64>, HttpResponse<'static>> {
    let param = |key: &str| {
        query?
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    };
    if let Some(v) = param("nowMS") {
        return v
            .parse()
            .map(Some)
            .map_err(|_| HttpResponse::text(400, format!("bad nowMS {v:?}")));
    }
    if let Some(v) = param("nowDate") {
        return crate::mpd::XsDateTime::parse(v)
            .ok()
            .filter(|d| d.has_zone())
            .map(|d| Some(d.unix_millis()))
            .ok_or_else(|| HttpResponse::text(400, format!("bad nowDate {v:?}")));
    }
    Ok(None)
}

/// The request's `Host` when it is a plain printable value.
fn plain_host(host: Option<&str>) -> Option<&str> {
    host.filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
}

/// The server's own time URL (`http://<host>/time`) for UTCTiming, from the request's `Host`.
///
/// ```
/// use dashkit::live::http::time_url;
/// assert_eq!(time_url(Some("localhost:8059")).as_deref(), Some("http://localhost:8059/time"));
/// assert_eq!(time_url(Some("bad host")), None);
/// ```
pub fn time_url(host: Option<&str>) -> Option<String> {
    Some(format!("http://{}/time", plain_host(host)?))
}

/// The source settings for one request: UTCTiming pointed at this server's `/time`, and the
/// request's absolute URL (for the `Location` of a relative session).
pub fn source_config(host: Option<&str>, path_and_query: &str) -> SourceConfig {
    SourceConfig {
        utc_timing_url: time_url(host),
        request_url: plain_host(host).map(|h| format!("http://{h}{path_and_query}")),
        query: path_and_query
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .filter(|q| !q.is_empty()),
        ..SourceConfig::default()
    }
}

/// An HTTP-date (RFC 9110 §5.6.7, IMF-fixdate) for epoch milliseconds.
pub(crate) fn http_date(ms: i64) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    // Written field by field: a `format` string is parsed again on every call, and this runs
    // for every segment answer (Expires) and every MPD.
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some(t) = chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0) else {
        return String::new();
    };
    let day = DAYS[t.weekday().num_days_from_monday() as usize % 7];
    let month = MONTHS[t.month0() as usize % 12];
    let mut out = String::with_capacity(29);
    let year = t.year();
    let _ = if (0..10_000).contains(&year) {
        write!(out, "{day}, {:02} {month} {year:04} ", t.day())
    } else {
        write!(out, "{day}, {:02} {month} {year:+05} ", t.day())
    };
    let _ = write!(
        out,
        "{:02}:{:02}:{:02} GMT",
        t.hour(),
        t.minute(),
        t.second()
    );
    out
}

/// The status of a refusal: 425 Too Early, 410 Gone, 404 (all 404 for dashlivesim).
pub(crate) fn refusal_status(refusal: Unavailable, policy: &HttpPolicy) -> u16 {
    match refusal {
        _ if policy.dashlivesim_404 => 404,
        Unavailable::TooEarly { .. } => 425,
        Unavailable::TooLate { .. } => 410,
        Unavailable::NotFound => 404,
    }
}

/// `Retry-After` in whole seconds (rounded up) for a refusal that time will cure.
pub(crate) fn retry_after_s(refusal: Unavailable) -> Option<i64> {
    match refusal {
        Unavailable::TooEarly { by_ms } => Some((by_ms.max(0) + 999) / 1000),
        _ => None,
    }
}

/// Caching of a live media segment: until it leaves the timeshift window (`fetch_until_ms`),
/// or a day when it never does.
fn segment_headers(
    kind: MediaKind,
    fetch_until_ms: Option<i64>,
    now_ms: i64,
) -> Vec<(&'static str, Cow<'static, str>)> {
    let mut h = vec![("content-type", Cow::Borrowed(kind.mime()))];
    match fetch_until_ms {
        Some(until) => {
            let age = (until - now_ms).max(0) / 1000;
            h.push(("cache-control", format!("public, max-age={age}").into()));
            h.push(("expires", http_date(until).into()));
        }
        None => h.push(("cache-control", "public, max-age=86400".into())),
    }
    h
}

/// When a live MPD's content last changed and next can change, in epoch milliseconds: for
/// the live simulator, when the newest listed segment became available and when the next one
/// does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MpdChanges {
    /// The last change (`Last-Modified`).
    pub last_ms: i64,
    /// The next change: no cache may keep the MPD past it.
    pub next_ms: i64,
}

/// The MPD's `minimumUpdatePeriod` in milliseconds, read from its root element's attribute
/// (`None` when absent or unreadable; a static MPD has none).
pub(crate) fn minimum_update_period_ms(xml: &str) -> Option<i64> {
    // The root element's attributes only: the first `>` ends its start tag (after any
    // declaration and comments, which hold no such attribute text in written MPDs).
    let head = &xml[..xml
        .find("<MPD")
        .and_then(|i| xml[i..].find('>').map(|j| i + j))?];
    let start = head.find("minimumUpdatePeriod=\"")? + "minimumUpdatePeriod=\"".len();
    let value = &head[start..start + head[start..].find('"')?];
    let nanos = crate::mpd::XsDuration::parse(value).ok()?.to_nanos().ok()?;
    i64::try_from(nanos.div_euclid(1_000_000)).ok()
}

/// The 64-bit FNV-1a hash of `bytes`: the ETag's and the origin's file fingerprint
/// (`origin::cache::fingerprint`).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A strong entity tag for `bytes` (RFC 9110 §8.8.3): their FNV-1a hash and length, so any
/// change of the bytes changes it.
pub(crate) fn strong_etag(bytes: &[u8]) -> String {
    format!("\"{:016x}-{:x}\"", fnv1a(bytes), bytes.len())
}

/// How long a shared cache may keep a live MPD answered at `now_ms`, in whole seconds (rounded
/// down, so never past the change): until `next_change_ms` (by default the next whole second,
/// where the text's publishTime moves), and never longer than `minimum_update_period_ms`.
pub(crate) fn mpd_max_age_s(
    now_ms: i64,
    next_change_ms: Option<i64>,
    minimum_update_period_ms: Option<i64>,
) -> i64 {
    let mut until = next_change_ms.unwrap_or(now_ms.saturating_add(1000));
    if let Some(mup) = minimum_update_period_ms {
        until = until.min(now_ms.saturating_add(mup.max(0)));
    }
    until.saturating_sub(now_ms).max(0) / 1000
}

/// The headers of a live MPD answered at `now_ms`: its type, `Cache-Control`/`Expires` for
/// [`mpd_max_age_s`], `Last-Modified` (the last change, by default `now`'s second) and a
/// [`strong_etag`] for revalidation.
pub(crate) fn mpd_headers(
    xml: &str,
    now_ms: i64,
    changes: Option<MpdChanges>,
) -> Vec<(&'static str, Cow<'static, str>)> {
    let age = mpd_max_age_s(
        now_ms,
        changes.map(|c| c.next_ms),
        minimum_update_period_ms(xml),
    );
    let last = changes.map_or(now_ms, |c| c.last_ms.min(now_ms));
    vec![
        ("content-type", "application/dash+xml".into()),
        ("cache-control", format!("public, max-age={age}").into()),
        (
            "expires",
            http_date(now_ms.saturating_add(age.saturating_mul(1000))).into(),
        ),
        ("last-modified", http_date(last).into()),
        ("etag", strong_etag(xml.as_bytes()).into()),
    ]
}

/// The content type of HLS playlists (RFC 8216 §4).
pub const HLS_CONTENT_TYPE: &str = "application/vnd.apple.mpegurl";

/// The headers of an HLS playlist answered at `now_ms` (docs/hls.md#caching): its type, and a
/// cache lifetime by playlist type: a live media playlist until it next changes
/// (`next_change_ms`, its next segment), rounded down to whole seconds; one that never changes
/// (multivariant, VoD, ended live) a day. `Last-Modified` (the last change, else `now`) and its
/// `etag` (the strong entity tag of its text, computed when it was built) let a cache revalidate.
///
/// ```
/// use dashkit::live::http::playlist_headers;
/// let etag = "\"5f1c2a\"";
/// let h = playlist_headers(&etag, 10_500, Some(10_000), Some(12_000));
/// assert!(h.contains(&("cache-control", "public, max-age=1".into())));
/// assert!(h.contains(&("content-type", "application/vnd.apple.mpegurl".into())));
/// let vod = playlist_headers(&etag, 10_500, None, None);
/// assert!(vod.contains(&("cache-control", "public, max-age=86400".into())));
/// ```
pub fn playlist_headers(
    etag: &str,
    now_ms: i64,
    last_change_ms: Option<i64>,
    next_change_ms: Option<i64>,
) -> Vec<(&'static str, Cow<'static, str>)> {
    let age = match next_change_ms {
        Some(next) => next.saturating_sub(now_ms).max(0) / 1000,
        None => 86_400,
    };
    let last = last_change_ms.map_or(now_ms, |l| l.min(now_ms));
    vec![
        ("content-type", HLS_CONTENT_TYPE.into()),
        ("cache-control", format!("public, max-age={age}").into()),
        (
            "expires",
            http_date(now_ms.saturating_add(age.saturating_mul(1000))).into(),
        ),
        ("last-modified", http_date(last).into()),
        ("etag", etag.to_owned().into()),
    ]
}

/// Marks an answer whose body is still being produced (low-latency chunks sent as they are
/// due, an upload relayed as it arrives): `no-cache`, so no cache serves it as complete without
/// asking again (nginx does not store such answers at all), and a proxy must pass its chunks
/// through as they come (`X-Accel-Buffering: no` for nginx). Not `no-store`: with it
/// Chromium's dash.js abandoned every such download in flight (net::ERR_ABORTED on each
/// segment of a `chunkdur_` stream and of an ingested ABR group, in the player tests).
pub(crate) fn in_progress(headers: &mut Vec<(&'static str, Cow<'static, str>)>) {
    headers.retain(|(n, _)| !matches!(*n, "cache-control" | "expires" | "x-accel-buffering"));
    headers.push(("cache-control", "no-cache".into()));
    headers.push(("x-accel-buffering", "no".into()));
}

/// `r` with its body `delay_ms` late (error injection, docs/live-options.md#error-injection):
/// the status and headers go out at once, the body after the delay.
fn delayed(mut r: HttpResponse<'_>, delay_ms: u64) -> HttpResponse<'_> {
    if delay_ms == 0 {
        return r;
    }
    r.body = match r.body {
        HttpBody::Parts(parts) => HttpBody::Timed(vec![TimedChunk { delay_ms, parts }]),
        HttpBody::Timed(chunks) => HttpBody::Timed(
            chunks
                .into_iter()
                .map(|c| TimedChunk {
                    delay_ms: c.delay_ms.saturating_add(delay_ms),
                    parts: c.parts,
                })
                .collect(),
        ),
    };
    r
}

/// `parts` cut to the bytes `[start, end]` of their concatenation, `at` being where they
/// begin in it (borrowed bytes stay borrowed); `at` is moved past them.
fn cut<'a>(parts: Vec<Part<'a>>, at: &mut u64, start: u64, end: u64) -> Vec<Part<'a>> {
    let mut out = Vec::new();
    for p in parts {
        let len = p.as_bytes().len() as u64;
        let (a, z) = (*at, *at + len);
        *at = z;
        if z <= start || a > end {
            continue;
        }
        let from = start.saturating_sub(a) as usize;
        let to = (end + 1 - a).min(len) as usize;
        out.push(match p {
            Part::Borrowed(b) => Part::Borrowed(&b[from..to]),
            Part::Owned(v) if from == 0 && to == v.len() => Part::Owned(v),
            Part::Owned(v) => Part::Owned(v[from..to].to_vec()),
        });
    }
    out
}

/// A live media segment's answer `r` for a request with the `Range` header `range` (RFC 9110
/// §14): its whole length is known even while its chunks are still due (`chunkdur_`), so a
/// range is `206` with `Content-Range: bytes a-b/len` and only those bytes, each chunk's
/// share sent when that chunk is due (a low-latency HLS part, a byte range of the segment
/// being produced, arrives as its chunk does); `416` past the end; anything but a `200` with
/// a body, a multipart or a malformed range as it is.
///
/// ```
/// use dashkit::bmff::patch::Part;
/// use dashkit::live::http::{with_range, HttpBody, HttpResponse, TimedChunk};
/// let r = HttpResponse { status: 200, headers: vec![], body: HttpBody::Timed(vec![
///     TimedChunk { delay_ms: 0, parts: vec![Part::Borrowed(b"abcd")] },
///     TimedChunk { delay_ms: 500, parts: vec![Part::Borrowed(b"efgh")] },
/// ]) };
/// let r = with_range(r, Some("bytes=4-5"));
/// assert_eq!((r.status, r.header("content-range")), (206, Some("bytes 4-5/8")));
/// let HttpBody::Timed(chunks) = r.body else { panic!() };
/// assert_eq!((chunks.len(), chunks[0].delay_ms, chunks[0].parts[0].as_bytes()), (1, 500, &b"ef"[..]));
/// ```
pub fn with_range<'a>(mut r: HttpResponse<'a>, range: Option<&str>) -> HttpResponse<'a> {
    use crate::origin::files::{parse_range, RangeRequest};
    if r.status != 200 || range.is_none() {
        return r;
    }
    let len: u64 = match &r.body {
        HttpBody::Parts(p) => p.iter().map(|p| p.as_bytes().len() as u64).sum(),
        HttpBody::Timed(c) => c
            .iter()
            .flat_map(|c| &c.parts)
            .map(|p| p.as_bytes().len() as u64)
            .sum(),
    };
    let (start, end) = match parse_range(range, len) {
        RangeRequest::Full => return r,
        RangeRequest::Unsatisfiable => {
            let mut e = HttpResponse::text(416, "range not satisfiable");
            e.headers
                .push(("content-range", format!("bytes */{len}").into()));
            return e;
        }
        RangeRequest::Part { start, end } => (start, end),
    };
    let mut at = 0u64;
    r.body = match r.body {
        HttpBody::Parts(p) => HttpBody::Parts(cut(p, &mut at, start, end)),
        HttpBody::Timed(chunks) => HttpBody::Timed(
            chunks
                .into_iter()
                .map(|c| TimedChunk {
                    delay_ms: c.delay_ms,
                    parts: cut(c.parts, &mut at, start, end),
                })
                .filter(|c| !c.parts.is_empty())
                .collect(),
        ),
    };
    r.status = 206;
    r.headers
        .push(("content-range", format!("bytes {start}-{end}/{len}").into()));
    r
}

/// The HTTP answer for [`respond`](super::source::respond)'s answer at `now_ms` (the same instant it was asked at).
/// Errors: a missing VoD file is a 404, a bad option a 400, anything else a 500.
///
/// ```
/// use dashkit::live::http::{http_response, HttpPolicy};
/// use dashkit::live::source::{Unavailable, Response};
/// let r = http_response(Ok(Response::Refused {
///     refusal: Unavailable::TooEarly { by_ms: 1500 },
///     message: "Request for 500.m4s was 1.5s too early".into(),
/// }), 1_000_500, &HttpPolicy::default());
/// assert_eq!((r.status, r.header("retry-after")), (425, Some("2")));
/// ```
pub fn http_response<'a>(
    answer: Result<Response<'a>, Error>,
    now_ms: i64,
    policy: &HttpPolicy,
) -> HttpResponse<'a> {
    http_response_at(answer, now_ms, policy, None)
}

/// [`http_response`] for a server that knows when the live MPD's segment list last changed
/// and next changes ([`MpdChanges`], `dashkit::origin::livesim::mpd_changes` for the live
/// simulator): the MPD is then cacheable until that change (never past its
/// minimumUpdatePeriod) and `Last-Modified` is the last one (docs/caching.md).
///
/// ```
/// use dashkit::live::http::{http_response_at, HttpPolicy, MpdChanges};
/// use dashkit::live::source::Response;
/// let xml = r#"<MPD type="dynamic" minimumUpdatePeriod="PT10S"/>"#.to_string();
/// let changes = MpdChanges { last_ms: 1_000_000, next_ms: 1_004_000 };
/// let r = http_response_at(Ok(Response::Mpd { xml }), 1_000_500, &HttpPolicy::default(), Some(changes));
/// assert_eq!(r.header("cache-control"), Some("public, max-age=3"));
/// assert_eq!(r.header("last-modified"), Some("Thu, 01 Jan 1970 00:16:40 GMT"));
/// ```
pub fn http_response_at<'a>(
    answer: Result<Response<'a>, Error>,
    now_ms: i64,
    policy: &HttpPolicy,
    mpd_changes: Option<MpdChanges>,
) -> HttpResponse<'a> {
    let answer = match answer {
        Ok(a) => a,
        Err(Error::MissingFile { url }) => {
            return HttpResponse::text(404, format!("missing VoD file {url}"))
        }
        Err(
            e @ (Error::UnsupportedOption { .. }
            | Error::OptionConflict { .. }
            | Error::BadOption { .. }
            | Error::UnknownOption { .. }),
        ) => return HttpResponse::text(400, e.to_string()),
        Err(e) => return HttpResponse::text(500, e.to_string()),
    };
    match answer {
        Response::Injected {
            status,
            delay_ms,
            message,
        } => delayed(HttpResponse::text(status, message), delay_ms),
        Response::Delayed { delay_ms, answer } => delayed(
            http_response_at(Ok(*answer), now_ms, policy, mpd_changes),
            delay_ms,
        ),
        Response::Mpd { xml } => HttpResponse {
            status: 200,
            headers: mpd_headers(&xml, now_ms, mpd_changes),
            body: HttpBody::Parts(vec![Part::Owned(xml.into_bytes())]),
        },
        Response::Playlist {
            text,
            etag,
            last_change_ms,
            next_change_ms,
        } => HttpResponse {
            status: 200,
            headers: playlist_headers(&etag, now_ms, last_change_ms, next_change_ms),
            body: HttpBody::Parts(vec![Part::Owned(text.into_bytes())]),
        },
        Response::Init { bytes, kind } => HttpResponse {
            status: 200,
            headers: vec![
                ("content-type", kind.mime().into()),
                ("cache-control", "public, max-age=3600".into()),
            ],
            body: HttpBody::Parts(vec![Part::Borrowed(bytes)]),
        },
        Response::MpdPatch { xml, expires_ms } => HttpResponse {
            status: 200,
            headers: vec![
                ("content-type", crate::live::patch::CONTENT_TYPE.into()),
                ("cache-control", "no-cache".into()),
                ("expires", http_date(expires_ms).into()),
            ],
            body: HttpBody::Parts(vec![Part::Owned(xml.into_bytes())]),
        },
        Response::GeneratedInit { bytes, kind } | Response::ProtectedInit { bytes, kind } => {
            HttpResponse {
                status: 200,
                headers: vec![
                    ("content-type", kind.mime().into()),
                    ("cache-control", "public, max-age=3600".into()),
                ],
                body: HttpBody::Parts(vec![Part::Owned(bytes)]),
            }
        }
        Response::Segment {
            data,
            kind,
            fetch_until_ms,
            ..
        } => HttpResponse {
            status: 200,
            headers: segment_headers(kind, fetch_until_ms, now_ms),
            body: HttpBody::Parts(data.parts),
        },
        Response::Chunked {
            chunks,
            kind,
            start_ms,
            fetch_until_ms,
            ..
        } => {
            // Chunk i is due at the segment's start plus its end offset; those already due
            // go out at once.
            let timed: Vec<TimedChunk<'a>> = chunks
                .into_iter()
                .map(|c| {
                    let due = i64::try_from(c.end_offset_ms)
                        .ok()
                        .and_then(|o| start_ms.checked_add(o))
                        .unwrap_or(i64::MAX);
                    TimedChunk {
                        delay_ms: u64::try_from(due.saturating_sub(now_ms)).unwrap_or(0),
                        parts: c.parts,
                    }
                })
                .collect();
            let body = if timed.iter().all(|c| c.delay_ms == 0) {
                HttpBody::Parts(timed.into_iter().flat_map(|c| c.parts).collect())
            } else {
                HttpBody::Timed(timed)
            };
            let mut headers = segment_headers(kind, fetch_until_ms, now_ms);
            if matches!(body, HttpBody::Timed(_)) {
                in_progress(&mut headers);
            }
            HttpResponse {
                status: 200,
                headers,
                body,
            }
        }
        Response::Refused { refusal, message } => {
            let mut r = HttpResponse::text(refusal_status(refusal, policy), message);
            if let Some(s) = retry_after_s(refusal) {
                r.headers.push(("retry-after", s.to_string().into()));
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    proptest::proptest! {
        /// The field-by-field HTTP-date is chrono's `%a, %d %b %Y %H:%M:%S GMT`.
        #[test]
        fn http_date_is_the_strftime_form(ms in -100_000_000_000_000i64..300_000_000_000_000) {
            let want = chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0)
                .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
                .unwrap_or_default();
            proptest::prop_assert_eq!(http_date(ms), want);
        }
    }

    #[test]
    fn refusals_map_to_statuses() {
        let p = HttpPolicy::default();
        let old = HttpPolicy {
            dashlivesim_404: true,
        };
        for (r, status, old_status, retry) in [
            (Unavailable::TooEarly { by_ms: 1 }, 425, 404, Some(1)),
            (Unavailable::TooEarly { by_ms: 2000 }, 425, 404, Some(2)),
            (Unavailable::TooLate { by_ms: 5 }, 410, 404, None),
            (Unavailable::NotFound, 404, 404, None),
        ] {
            assert_eq!(refusal_status(r, &p), status);
            assert_eq!(refusal_status(r, &old), old_status);
            assert_eq!(retry_after_s(r), retry);
        }
    }

    #[test]
    fn segment_cache_lifetime() {
        let h = segment_headers(MediaKind::Video, Some(1_302_000), 1_000_000);
        assert_eq!(
            h,
            [
                ("content-type", Cow::Borrowed("video/mp4")),
                ("cache-control", "public, max-age=302".into()),
                ("expires", "Thu, 01 Jan 1970 00:21:42 GMT".into()),
            ]
        );
        let h = segment_headers(MediaKind::Audio, None, 0);
        assert_eq!(h[1].1, "public, max-age=86400");
    }

    /// docs/caching.md, at fixed instants: a live MPD is kept until its next segment is listed,
    /// never past minimumUpdatePeriod, with validators.
    #[test]
    fn live_mpd_cache_lifetime() {
        let xml = r#"<MPD type="dynamic" minimumUpdatePeriod="PT4S"><Period/></MPD>"#;
        let at = |now, next| {
            let c = MpdChanges {
                last_ms: 1_000_000,
                next_ms: next,
            };
            let r = http_response_at(
                Ok(Response::Mpd { xml: xml.into() }),
                now,
                &HttpPolicy::default(),
                Some(c),
            );
            (
                r.header("cache-control").unwrap().to_string(),
                r.header("expires").unwrap().to_string(),
                r.header("last-modified").unwrap().to_string(),
                r.header("etag").unwrap().to_string(),
            )
        };
        // 1.5 s before the next segment: 1 s (rounded down, so never past it).
        let (cc, exp, lm, etag) = at(1_000_500, 1_002_000);
        assert_eq!(cc, "public, max-age=1");
        assert_eq!(exp, http_date(1_001_500));
        assert_eq!(lm, "Thu, 01 Jan 1970 00:16:40 GMT");
        assert_eq!(etag, strong_etag(xml.as_bytes()));
        // Less than a second before it: not cacheable.
        assert_eq!(at(1_001_100, 1_002_000).0, "public, max-age=0");
        // A far change is capped by minimumUpdatePeriod (4 s).
        assert_eq!(at(1_000_000, 1_010_000).0, "public, max-age=4");
        // Without known changes: a second, as before, capped by minimumUpdatePeriod.
        let r = http_response(
            Ok(Response::Mpd { xml: xml.into() }),
            7_300,
            &HttpPolicy::default(),
        );
        assert_eq!(r.header("cache-control"), Some("public, max-age=1"));
        assert_eq!(r.header("last-modified"), Some(http_date(7_300).as_str()));
        let zero = r#"<MPD minimumUpdatePeriod="PT0S">"#;
        let r = http_response(
            Ok(Response::Mpd { xml: zero.into() }),
            7_300,
            &HttpPolicy::default(),
        );
        assert_eq!(r.header("cache-control"), Some("public, max-age=0"));
    }

    /// Refusals (404, 410, 425) and errors are never stored, so a cache cannot answer "too
    /// early" once the segment exists.
    #[test]
    fn refusals_are_not_stored() {
        for refusal in [
            Unavailable::TooEarly { by_ms: 1500 },
            Unavailable::TooLate { by_ms: 1 },
            Unavailable::NotFound,
        ] {
            let r = http_response(
                Ok(Response::Refused {
                    refusal,
                    message: "x".into(),
                }),
                1_000_000,
                &HttpPolicy::default(),
            );
            assert_eq!(r.header("cache-control"), Some("no-store"), "{}", r.status);
        }
    }

    /// A low-latency segment whose chunks are still due is `no-cache` with
    /// `X-Accel-Buffering: no`; once every chunk is due it is a complete, cacheable segment.
    #[test]
    fn in_progress_segments_are_not_stored() {
        use crate::live::chunk::LiveChunk;
        let chunk = |end_offset_ms| LiveChunk {
            parts: vec![Part::Borrowed(b"a")],
            decode_time: 0,
            duration_ticks: 1,
            sample_count: 1,
            end_offset_ticks: 1,
            end_offset_ms,
            independent: true,
        };
        let chunks = || vec![chunk(500), chunk(1000)];
        let answer = |now| {
            http_response(
                Ok(Response::Chunked {
                    chunks: chunks(),
                    kind: MediaKind::Video,
                    start_ms: 10_000,
                    fetch_until_ms: Some(50_000),
                    number: 5,
                }),
                now,
                &HttpPolicy::default(),
            )
        };
        let growing = answer(10_600);
        assert!(matches!(growing.body, HttpBody::Timed(_)));
        assert_eq!(growing.header("cache-control"), Some("no-cache"));
        assert_eq!(growing.header("x-accel-buffering"), Some("no"));
        assert_eq!(growing.header("expires"), None);
        let done = answer(11_000);
        assert!(matches!(done.body, HttpBody::Parts(_)));
        assert_eq!(done.header("cache-control"), Some("public, max-age=39"));
        assert_eq!(done.header("x-accel-buffering"), None);
    }

    #[test]
    fn mpd_is_chosen_by_name_then_listing() {
        let p = parse_live_path(&["a".into(), "b".into(), "other.mpd".into()]).unwrap();
        let found = locate_asset(&p, |d| match d.len() {
            1 => DirMpd::Absent,
            _ => DirMpd::Name("manifest.mpd".into()),
        });
        let AssetLookup::Found(a) = found else {
            panic!("{found:?}")
        };
        assert_eq!(
            (a.mpd.as_str(), a.file.as_str()),
            ("other.mpd", "other.mpd")
        );
        let none = locate_asset(&p, |_| DirMpd::Absent);
        assert!(matches!(none, AssetLookup::Refused(r) if r.status == 404));
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn now_from_query() {
        use crate::live::http::now_from_query;
        assert_eq!(
            now_from_query(Some("a=1&nowMS=1000500")).unwrap(),
            Some(1_000_500)
        );
        assert_eq!(
            now_from_query(Some("nowDate=1970-01-01T00:16:40Z")).unwrap(),
            Some(1_000_000)
        );
        assert_eq!(now_from_query(None).unwrap(), None);
        assert_eq!(now_from_query(Some("nowMS=soon")).unwrap_err().status, 400);
    }

    #[test]
    fn http_date() {
        assert_eq!(
            crate::live::http::http_date(1_302_000),
            "Thu, 01 Jan 1970 00:21:42 GMT"
        );
    }

    #[test]
    fn minimum_update_period_ms() {
        use crate::live::http::minimum_update_period_ms;
        assert_eq!(
            minimum_update_period_ms(r#"<MPD minimumUpdatePeriod="PT2.5S">"#),
            Some(2500)
        );
        assert_eq!(minimum_update_period_ms("<MPD type=\"static\">"), None);
    }

    #[test]
    fn strong_etag() {
        use crate::live::http::strong_etag;
        assert_eq!(strong_etag(b"abc"), strong_etag(b"abc"));
        assert_ne!(strong_etag(b"abc"), strong_etag(b"abd"));
        assert!(strong_etag(b"").starts_with('"') && !strong_etag(b"").starts_with("W/"));
    }

    #[test]
    fn mpd_max_age_s() {
        use crate::live::http::mpd_max_age_s;
        assert_eq!(mpd_max_age_s(10_000, Some(13_999), Some(60_000)), 3);
        assert_eq!(mpd_max_age_s(10_000, Some(30_000), Some(2_000)), 2);
        assert_eq!(mpd_max_age_s(10_000, Some(10_500), None), 0);
        assert_eq!(mpd_max_age_s(10_000, None, None), 1);
    }

    #[test]
    fn in_progress() {
        let mut h = vec![("cache-control", "public, max-age=30".into())];
        crate::live::http::in_progress(&mut h);
        assert_eq!(
            h,
            [
                ("cache-control", "no-cache".into()),
                ("x-accel-buffering", "no".into())
            ]
        );
    }
}
