//! One request in, one response out: routing, the live source (one library call), static VoD
//! files with HEAD and byte ranges, and the HTTP details (Content-Type, CORS, Cache-Control,
//! Expires, 425/410 or dashlivesim's 404).

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use dashkit::bmff::patch::Part;
use dashkit::live::options::split_path;
use dashkit::live::source::{respond, Refusal, Response as LiveResponse, SourceConfig};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::assets::Assets;
use super::body::Body;
use super::files::{content_type, decode_components, parse_range, PathError, RangeRequest};

/// Longest request target accepted (414 beyond).
pub const MAX_URI_LEN: usize = 4096;
/// Files up to this size are sent from one read; larger ones are streamed.
const WHOLE_FILE_LIMIT: u64 = 4 << 20;
/// Piece size when streaming a large file.
const STREAM_PIECE: usize = 256 << 10;

/// Server settings the handler needs.
pub struct State {
    /// The low-latency origin (`/ingest/`, `/live/`).
    pub ingest: Arc<super::ingest::Ingest>,
    /// The assets below the root.
    pub assets: Arc<Assets>,
    /// Answer too-early and too-late with 404, as dashlivesim does, instead of 425 and 410.
    pub dashlivesim_404: bool,
    /// Honour `?nowMS=` / `?nowDate=` (livesim2's testing hook).
    pub allow_now_override: bool,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// An HTTP-date (RFC 9110 §5.6.7) for epoch milliseconds.
pub fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0)
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

fn iso_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// A plain-text answer (`no-store`), for errors and small bodies.
pub fn text(status: StatusCode, msg: impl Into<String>) -> Response<Body> {
    let mut m = msg.into();
    m.push('\n');
    let mut r = Response::new(Body::full(m));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn set(h: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

fn add_cors(h: &mut HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Content-Length, Content-Range, Date, Expires, Retry-After"),
    );
}

/// The query parameter `key`.
fn query_param<'q>(query: Option<&'q str>, key: &str) -> Option<&'q str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// Handles one request.
pub async fn handle<B>(state: Arc<State>, req: Request<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    let method = req.method().clone();
    let ingest = req.uri().path().starts_with("/ingest/");
    let mut resp = if ingest && req.uri().to_string().len() <= MAX_URI_LEN {
        let path = req.uri().path()["/ingest/".len()..].to_string();
        let (parts, body) = req.into_parts();
        state
            .ingest
            .upload(&parts.method, &path, body, &parts.headers)
            .await
    } else {
        route(&state, &req).await
    };
    add_cors(resp.headers_mut());
    let h = resp.headers_mut();
    if !h.contains_key(header::DATE) {
        set(h, header::DATE, &http_date(now_ms()));
    }
    let bodiless = matches!(
        resp.status(),
        StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
    );
    if let Some(len) = resp.body().len().filter(|_| !bodiless) {
        if !resp.headers().contains_key(header::CONTENT_LENGTH) {
            set(resp.headers_mut(), header::CONTENT_LENGTH, &len.to_string());
        }
    }
    if method == Method::HEAD {
        let (parts, _) = resp.into_parts();
        return Response::from_parts(parts, Body::empty());
    }
    resp
}

async fn route<B>(state: &Arc<State>, req: &Request<B>) -> Response<Body> {
    let uri = req.uri();
    if uri.to_string().len() > MAX_URI_LEN {
        return text(StatusCode::URI_TOO_LONG, "URI too long");
    }
    match *req.method() {
        Method::GET | Method::HEAD => {}
        Method::OPTIONS => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NO_CONTENT;
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD, OPTIONS"),
            );
            let asked = req
                .headers()
                .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                .cloned()
                .unwrap_or(HeaderValue::from_static("Range"));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
            return r;
        }
        _ => {
            let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
            r.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, HEAD, OPTIONS"),
            );
            return r;
        }
    }
    let path = uri.path();
    let query = uri.query();
    if path == "/healthz" {
        return text(StatusCode::OK, "ok");
    }
    if path == "/time" {
        return text(StatusCode::OK, iso_time(now_ms()).as_str());
    }
    let comps = match decode_components(path) {
        Ok(c) => c,
        Err(_) => return text(StatusCode::BAD_REQUEST, "malformed path"),
    };
    match comps.first().map(String::as_str) {
        Some("livesim") | Some("livesim2") => {
            let now = match now_for(state, query) {
                Ok(n) => n,
                Err(m) => return text(StatusCode::BAD_REQUEST, m),
            };
            live(
                state,
                &comps[1..],
                now,
                req.headers(),
                req.uri().path_and_query().map_or("/", |p| p.as_str()),
            )
            .await
        }
        Some("dash") if comps.get(1).map(String::as_str) == Some("vod") => {
            static_file(state, &comps[2..], req.headers()).await
        }
        Some("vod") => static_file(state, &comps[1..], req.headers()).await,
        Some("live") => state.ingest.read(&comps[1..], host_url(req.headers())),
        None => text(
            StatusCode::OK,
            "dashkit serve: /livesim/<options>/<asset>/<mpd or segment>, /dash/vod/<file>, \
             /time, /healthz",
        ),
        _ => text(StatusCode::NOT_FOUND, "not found"),
    }
}

fn now_for(state: &State, query: Option<&str>) -> Result<i64, String> {
    if !state.allow_now_override {
        return Ok(now_ms());
    }
    if let Some(v) = query_param(query, "nowMS") {
        return v.parse().map_err(|_| format!("bad nowMS {v:?}"));
    }
    if let Some(v) = query_param(query, "nowDate") {
        return dashkit::mpd::XsDateTime::parse(v)
            .ok()
            .filter(|d| d.has_zone())
            .map(|d| d.unix_millis())
            .ok_or_else(|| format!("bad nowDate {v:?}"));
    }
    Ok(now_ms())
}

/// The request's `Host`, when it is a plain printable value.
fn host(headers: &HeaderMap) -> Option<&str> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    (!host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic())).then_some(host)
}

fn host_url(headers: &HeaderMap) -> Option<String> {
    Some(format!("http://{}/time", host(headers)?))
}

async fn live(
    state: &Arc<State>,
    comps: &[String],
    now: i64,
    headers: &HeaderMap,
    path_and_query: &str,
) -> Response<Body> {
    let joined = comps.join("/");
    let with_slash = format!("{joined}/");
    let (options, rest) = match split_path(&with_slash) {
        Ok(v) => v,
        Err(e) => return text(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let rest: Vec<String> = rest
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    // The asset is the shortest leading run of components naming a directory with an MPD.
    let mut found = None;
    for k in 1..rest.len() {
        let dir = &rest[..k];
        if let Some(mpd) = state.assets.default_mpd(dir) {
            found = Some((k, mpd));
            break;
        }
    }
    let Some((k, default_mpd)) = found else {
        return text(StatusCode::NOT_FOUND, format!("no asset in {joined}"));
    };
    let dir = &rest[..k];
    let file = rest[k..].join("/");
    let mpd_name = if file.ends_with(".mpd") && !file.contains('/') {
        file.clone()
    } else {
        default_mpd
    };
    let asset = match state.assets.get(dir, &mpd_name).await {
        Ok(a) => a,
        Err(e) if e.starts_with("no MPD") => return text(StatusCode::NOT_FOUND, e),
        Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let config = SourceConfig {
        utc_timing_url: host_url(headers),
        request_url: host(headers).map(|h| format!("http://{h}{path_and_query}")),
    };
    // The files the answer borrows from: cached buffers (borrowed from the asset, which this
    // request holds), or files over the cache budget read now and kept in `spills`. Each
    // fetched buffer is also noted in `fetched`, so borrowed slices become views of it.
    let spills: [OnceCell<Bytes>; 2] = [OnceCell::new(), OnceCell::new()];
    let fetched: std::cell::RefCell<Vec<Bytes>> = std::cell::RefCell::new(Vec::new());
    let fetch = |url: &str| -> Option<&[u8]> {
        if let Some(b) = asset.files.get(url) {
            fetched.borrow_mut().push(b.clone());
            return Some(b.as_ref());
        }
        let p = state.assets.root().resolve_relative(&asset.dir, url).ok()?;
        let b = Bytes::from(std::fs::read(p).ok()?);
        let cell = spills.iter().find(|c| c.get().is_none())?;
        fetched.borrow_mut().push(b.clone());
        Some(cell.get_or_init(|| b).as_ref())
    };
    let answer = respond(&asset.live, &options, &file, now, &config, fetch);
    let answer = match answer {
        Ok(a) => a,
        Err(dashkit::live::Error::MissingFile { url }) => {
            return text(StatusCode::NOT_FOUND, format!("missing VoD file {url}"))
        }
        Err(
            e @ (dashkit::live::Error::UnsupportedOption { .. }
            | dashkit::live::Error::OptionConflict { .. }
            | dashkit::live::Error::BadOption { .. }
            | dashkit::live::Error::UnknownOption { .. }),
        ) => return text(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    // A borrowed slice of a fetched buffer becomes a view of it, without copying.
    let fetched = fetched.into_inner();
    let owner = |slice: &[u8]| -> Bytes {
        for b in &fetched {
            let (s, e) = (b.as_ptr() as usize, b.as_ptr() as usize + b.len());
            let p = slice.as_ptr() as usize;
            if p >= s && p + slice.len() <= e {
                return b.slice_ref(slice);
            }
        }
        Bytes::copy_from_slice(slice)
    };
    let to_bytes = |parts: Vec<Part<'_>>| -> Vec<Bytes> {
        parts
            .into_iter()
            .map(|p| match p {
                Part::Owned(v) => Bytes::from(v),
                Part::Borrowed(s) => owner(s),
            })
            .collect()
    };
    match answer {
        LiveResponse::Mpd { xml } => {
            let mut r = Response::new(Body::full(xml));
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/dash+xml"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=1"),
            );
            set(h, header::EXPIRES, &http_date(now + 1000));
            r
        }
        LiveResponse::Init { bytes, kind } => {
            let mut r = Response::new(Body::full(owner(bytes)));
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        LiveResponse::Segment {
            data,
            kind,
            fetch_until_ms,
            ..
        } => {
            let mut r = Response::new(Body::parts(to_bytes(data.parts)));
            segment_headers(r.headers_mut(), kind.mime(), fetch_until_ms, now);
            r
        }
        LiveResponse::Chunked {
            chunks,
            kind,
            start_ms,
            fetch_until_ms,
            ..
        } => {
            // Chunks already due go out at once; the others each at its media end time,
            // counted from this request's "now" (which may be a test's nowMS).
            let timed: Vec<(i64, Vec<Bytes>)> = chunks
                .into_iter()
                .map(|c| {
                    let due = start_ms.saturating_add(c.end_offset_ms as i64) - now;
                    (due, to_bytes(c.parts))
                })
                .collect();
            let body = if timed.iter().all(|(due, _)| *due <= 0) {
                Body::parts(timed.into_iter().flat_map(|(_, b)| b).collect())
            } else {
                let (tx, rx) = tokio::sync::mpsc::channel(64);
                let t0 = tokio::time::Instant::now();
                tokio::spawn(async move {
                    for (due, parts) in timed {
                        if due > 0 {
                            tokio::time::sleep_until(t0 + Duration::from_millis(due as u64)).await;
                        }
                        for p in parts {
                            if tx.send(Ok(p)).await.is_err() {
                                return; // the client went away
                            }
                        }
                    }
                });
                Body::Stream { rx, len: None }
            };
            let mut r = Response::new(body);
            segment_headers(r.headers_mut(), kind.mime(), fetch_until_ms, now);
            r
        }
        LiveResponse::Refused { refusal, message } => {
            let status = match refusal {
                _ if state.dashlivesim_404 => StatusCode::NOT_FOUND,
                Refusal::TooEarly { .. } => {
                    StatusCode::from_u16(425).unwrap_or(StatusCode::NOT_FOUND)
                }
                Refusal::TooLate { .. } => StatusCode::GONE,
                Refusal::NotFound => StatusCode::NOT_FOUND,
            };
            let mut r = text(status, message);
            if let Refusal::TooEarly { by_ms } = refusal {
                let secs = (by_ms.max(0) + 999) / 1000;
                set(r.headers_mut(), header::RETRY_AFTER, &secs.to_string());
            }
            r
        }
    }
}

/// Content-Type and caching of a live segment: cacheable until it leaves the window.
fn segment_headers(h: &mut HeaderMap, mime: &'static str, fetch_until_ms: Option<i64>, now: i64) {
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    match fetch_until_ms {
        Some(until) => {
            let age = (until - now).max(0) / 1000;
            set(h, header::CACHE_CONTROL, &format!("public, max-age={age}"));
            set(h, header::EXPIRES, &http_date(until));
        }
        None => {
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
        }
    }
}

async fn static_file(state: &Arc<State>, comps: &[String], headers: &HeaderMap) -> Response<Body> {
    let path = match state.assets.root().resolve(comps) {
        Ok(p) => p,
        Err(PathError::Bad) => return text(StatusCode::BAD_REQUEST, "malformed path"),
        Err(PathError::NotFound) => return text(StatusCode::NOT_FOUND, "not found"),
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        _ => return text(StatusCode::NOT_FOUND, "not found"),
    };
    let len = meta.len();
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, start, end) = match parse_range(range, len) {
        RangeRequest::Full => (StatusCode::OK, 0, len),
        RangeRequest::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end + 1),
        RangeRequest::Unsatisfiable => {
            let mut r = text(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable");
            set(
                r.headers_mut(),
                header::CONTENT_RANGE,
                &format!("bytes */{len}"),
            );
            return r;
        }
    };
    let count = end - start;
    let body = if count <= WHOLE_FILE_LIMIT {
        let p = path.clone();
        match tokio::task::spawn_blocking(move || read_span(&p, start, count)).await {
            Ok(Ok(b)) => Body::full(b),
            _ => return text(StatusCode::INTERNAL_SERVER_ERROR, "read failed"),
        }
    } else {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let p = path.clone();
        tokio::task::spawn_blocking(move || stream_span(&p, start, count, &tx));
        Body::Stream {
            rx,
            len: Some(count),
        }
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&path)),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        set(
            h,
            header::CONTENT_RANGE,
            &format!("bytes {start}-{}/{len}", end - 1),
        );
    }
    if let Ok(m) = meta.modified() {
        if let Ok(d) = m.duration_since(UNIX_EPOCH) {
            set(
                h,
                header::LAST_MODIFIED,
                &http_date(d.as_secs() as i64 * 1000),
            );
        }
    }
    r
}

fn read_span(path: &std::path::Path, start: u64, count: u64) -> std::io::Result<Bytes> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity(count as usize);
    f.take(count).read_to_end(&mut buf)?;
    Ok(Bytes::from(buf))
}

fn stream_span(
    path: &std::path::Path,
    start: u64,
    count: u64,
    tx: &tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
) {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = match std::fs::File::open(path).and_then(|mut f| {
        f.seek(SeekFrom::Start(start))?;
        Ok(f)
    }) {
        Ok(f) => f,
        Err(e) => {
            let _ = tx.blocking_send(Err(e));
            return;
        }
    };
    let mut left = count;
    while left > 0 {
        let n = left.min(STREAM_PIECE as u64) as usize;
        let mut buf = vec![0u8; n];
        if let Err(e) = f.read_exact(&mut buf) {
            let _ = tx.blocking_send(Err(e));
            return;
        }
        left -= n as u64;
        if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
            return; // the client went away
        }
    }
}
