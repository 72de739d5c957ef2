//! One request in, one response out: routing, the live source, static VoD files with HEAD and
//! byte ranges, CORS. Every rule of a live answer (which asset and MPD, availability, status,
//! Retry-After, caching, when each low-latency chunk is due) is a library call
//! ([`dashkit::live::http`], [`dashkit::live::source::respond`]); this does the IO around them,
//! with directory listings and file reads on blocking threads, off the async workers.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use dashkit::bmff::patch::Part;
use dashkit::live::http::{
    http_date, http_response, locate_asset, now_from_query, parse_live_path, source_config,
    time_url, AssetLookup, DirMpd, HttpBody, HttpPolicy, HttpResponse,
};
use dashkit::live::source::respond;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::assets::Assets;
use super::body::Body;
use super::file_cache::Kept;
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

/// The `Date` header value for now, formatted once a second per worker thread.
fn date_now() -> HeaderValue {
    thread_local! {
        static DATE: RefCell<(i64, HeaderValue)> =
            const { RefCell::new((i64::MIN, HeaderValue::from_static(""))) };
    }
    let s = now_ms().div_euclid(1000);
    DATE.with(|d| {
        let mut d = d.borrow_mut();
        if d.0 != s {
            if let Ok(v) = HeaderValue::try_from(http_date(s * 1000)) {
                *d = (s, v);
            }
        }
        d.1.clone()
    })
}

fn iso_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// A plain-text answer (`no-store`), for errors and small bodies.
pub fn text(status: StatusCode, msg: impl Into<String>) -> Response<Body> {
    to_hyper(HttpResponse::text(status.as_u16(), msg), &[])
}

/// The library's answer as a hyper response. A borrowed part is a slice of one of `owners`
/// (the buffers the answer was built from) and becomes a view of it, without copying; timed
/// chunks (low latency) are fed to the body by a task that sleeps until each is due.
fn to_hyper(r: HttpResponse<'_>, owners: &[Bytes]) -> Response<Body> {
    let owner = |slice: &[u8]| -> Bytes {
        for b in owners {
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
    let body = match r.body {
        HttpBody::Parts(parts) => Body::parts(to_bytes(parts)),
        HttpBody::Timed(chunks) => {
            let timed: Vec<(u64, Vec<Bytes>)> = chunks
                .into_iter()
                .map(|c| (c.delay_ms, to_bytes(c.parts)))
                .collect();
            let (tx, rx) = tokio::sync::mpsc::channel(64);
            let t0 = tokio::time::Instant::now();
            tokio::spawn(async move {
                for (delay_ms, parts) in timed {
                    if delay_ms > 0 {
                        tokio::time::sleep_until(t0 + Duration::from_millis(delay_ms)).await;
                    }
                    for p in parts {
                        if tx.send(Ok(p)).await.is_err() {
                            return; // the client went away
                        }
                    }
                }
            });
            Body::Stream { rx, len: None }
        }
    };
    let mut resp = Response::new(body);
    *resp.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    for (name, value) in r.headers {
        let value = match value {
            Cow::Borrowed(v) => Ok(HeaderValue::from_static(v)),
            Cow::Owned(v) => HeaderValue::try_from(v),
        };
        if let Ok(v) = value {
            h.insert(HeaderName::from_static(name), v);
        }
    }
    resp
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
        h.insert(header::DATE, date_now());
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
                Err(r) => return to_hyper(r, &[]),
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

fn now_for(state: &State, query: Option<&str>) -> Result<i64, HttpResponse<'static>> {
    if !state.allow_now_override {
        return Ok(now_ms());
    }
    Ok(now_from_query(query)?.unwrap_or_else(now_ms))
}

/// The request's `Host` header.
fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST)?.to_str().ok()
}

fn host_url(headers: &HeaderMap) -> Option<String> {
    time_url(host(headers))
}

/// Most VoD files one live answer reads (the media segment, and the init segment for chunks).
const MAX_FILES_PER_ANSWER: usize = 2;

async fn live(
    state: &Arc<State>,
    comps: &[String],
    now: i64,
    headers: &HeaderMap,
    path_and_query: &str,
) -> Response<Body> {
    let path = match parse_live_path(comps) {
        Ok(p) => p,
        Err(r) => return to_hyper(r, &[]),
    };
    // Directories the lookup asks about are listed on a blocking thread (and cached).
    let mut listed: Vec<(Vec<String>, DirMpd)> = Vec::new();
    let found = loop {
        let lookup = locate_asset(&path, |dir| {
            match listed.iter().find(|(d, _)| d.as_slice() == dir) {
                Some((_, m)) => m.clone(),
                None => state.assets.known_mpd(dir),
            }
        });
        match lookup {
            AssetLookup::Found(a) => break a,
            AssetLookup::Refused(r) => return to_hyper(r, &[]),
            AssetLookup::List(dir) => {
                let m = state.assets.list(&dir).await;
                listed.push((dir, m));
            }
        }
    };
    let asset = match state.assets.get(&found.dir, &found.mpd).await {
        Ok(a) => a,
        Err(e) => return to_hyper(HttpResponse::text(e.status(), e.to_string()), &[]),
    };
    let config = source_config(host(headers), path_and_query);
    let policy = HttpPolicy {
        dashlivesim_404: state.dashlivesim_404,
    };
    // The answer borrows the files it was built from: cached buffers (the asset, which this
    // request holds), or files over the cache budget. Those are not read here: the answer
    // names the file it lacks (MissingFile), which is read on a blocking thread, and the
    // question is asked again.
    let mut spilled: Vec<(String, Bytes)> = Vec::new();
    loop {
        let fetched: RefCell<Vec<Bytes>> = RefCell::new(Vec::new());
        let fetch = |url: &str| -> Option<&[u8]> {
            let b = asset.files.get(url).or_else(|| {
                spilled
                    .iter()
                    .find(|(u, _)| u.as_str() == url)
                    .map(|(_, b)| b)
            })?;
            fetched.borrow_mut().push(b.clone());
            Some(b.as_ref())
        };
        let (opts, file) = (&path.options, found.file.as_str());
        let cached = asset
            .mpds
            .lock()
            .ok()
            .and_then(|c| c.get(opts, file, &config, now));
        let answer = match cached {
            Some(mpd) => Ok(mpd),
            None => {
                let answer = respond(&asset.live, opts, file, now, &config, fetch);
                if let (Ok(a), Ok(mut c)) = (&answer, asset.mpds.lock()) {
                    c.insert(opts, file, &config, now, a);
                }
                answer
            }
        };
        if let Err(dashkit::live::Error::MissingFile { url }) = &answer {
            if spilled.len() < MAX_FILES_PER_ANSWER && !spilled.iter().any(|(u, _)| u == url) {
                let (root, dir, u) = (state.assets.root().clone(), asset.dir.clone(), url.clone());
                let read = tokio::task::spawn_blocking(move || {
                    std::fs::read(root.resolve_relative(&dir, &u).ok()?).ok()
                })
                .await
                .ok()
                .flatten();
                if let Some(bytes) = read {
                    spilled.push((url.clone(), Bytes::from(bytes)));
                    continue;
                }
            }
        }
        let fetched = fetched.into_inner();
        return to_hyper(http_response(answer, now, &policy), &fetched);
    }
}

async fn static_file(state: &Arc<State>, comps: &[String], headers: &HeaderMap) -> Response<Body> {
    // A file kept in memory and checked within the last second is answered without IO;
    // otherwise resolving (canonicalize), stat-ing and reading touch the disk: on a blocking
    // thread, keeping the file when it fits (file_cache).
    let key = comps.join("/");
    let kept = state.assets.static_files().get(&key).filter(|k| k.fresh());
    let found = match kept {
        Some(k) => Ok(Ok(Found::Kept(k))),
        None => {
            let assets = Arc::clone(&state.assets);
            let comps = comps.to_vec();
            tokio::task::spawn_blocking(move || find_static(&assets, key, &comps)).await
        }
    };
    let found = match found {
        Ok(Ok(v)) => v,
        Ok(Err(PathError::Bad)) => return text(StatusCode::BAD_REQUEST, "malformed path"),
        Ok(Err(PathError::NotFound)) => return text(StatusCode::NOT_FOUND, "not found"),
        Err(_) => return text(StatusCode::INTERNAL_SERVER_ERROR, "lookup failed"),
    };
    let (path, len, modified) = match &found {
        Found::Kept(k) => (k.path.clone(), k.bytes.len() as u64, k.modified),
        Found::Disk(p, m) => (p.clone(), m.len(), m.modified().ok()),
    };
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
    let body = if let Found::Kept(k) = &found {
        Body::full(k.bytes.slice(start as usize..end as usize))
    } else if count <= WHOLE_FILE_LIMIT {
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
    if let Some(m) = modified {
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

/// A static file: kept in memory, or on disk.
enum Found {
    Kept(Arc<Kept>),
    Disk(std::path::PathBuf, std::fs::Metadata),
}

/// Resolves `comps` below the root and stats it (blocking); a kept file still the same on
/// disk is marked checked, a changed one forgotten, and a file that fits is read and kept.
fn find_static(assets: &Assets, key: String, comps: &[String]) -> Result<Found, PathError> {
    let cache = assets.static_files();
    let path = match assets.root().resolve(comps) {
        Ok(p) => p,
        Err(e) => {
            cache.forget(&key);
            return Err(e);
        }
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        _ => {
            cache.forget(&key);
            return Err(PathError::NotFound);
        }
    };
    if let Some(k) = cache.get(&key) {
        if k.still(&path, &meta) {
            return Ok(Found::Kept(k));
        }
        cache.forget(&key);
    }
    let modified = meta.modified().ok();
    if cache.wants(meta.len(), modified) {
        if let Ok(bytes) = std::fs::read(&path) {
            if bytes.len() as u64 == meta.len() {
                return Ok(Found::Kept(cache.put(
                    key,
                    path,
                    Bytes::from(bytes),
                    modified,
                )));
            }
        }
    }
    Ok(Found::Disk(path, meta))
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
