//! One request in, one response out. Every decision is a library call: routing, `/time`,
//! health, CORS, 405/414 and malformed paths ([`dashkit::origin::route`]), the headers every
//! answer carries and HEAD ([`dashkit::origin::finish`]), static files' ranges, types and
//! caching ([`dashkit::origin::files::file_answer`]), and every rule of a live answer (which
//! asset and MPD, availability, status, Retry-After, caching, when each low-latency chunk is
//! due: [`dashkit::live::http`], [`dashkit::live::source::respond`]). This does the IO around
//! them: directory listings and file reads on blocking threads, off the async workers, and
//! timed chunks sent when due.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use dashkit::bmff::patch::Part;
use dashkit::live::http::{
    http_response_at, locate_asset, source_config, with_range, AssetLookup, DirMpd, HttpBody,
    HttpPolicy, HttpResponse, LivePath,
};
use dashkit::live::source::respond;
use dashkit::origin::files::{file_answer, FileAnswer, FileMeta, PathError};
use dashkit::origin::livesim::MAX_FILES_PER_ANSWER;
use dashkit::origin::{finish, revalidate, route, Config, RequestHead, Route};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::assets::Assets;
use super::body::Body;
use super::file_cache::Kept;

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
    /// How requests are routed and answered (dashlivesim's 404s, the `now` override).
    pub config: Config,
    /// What `/metrics` reports.
    pub metrics: Arc<super::metrics::Metrics>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A plain-text answer (`no-store`), for errors and small bodies.
pub fn text(status: StatusCode, msg: impl Into<String>) -> Response<Body> {
    to_hyper(HttpResponse::text(status.as_u16(), msg), &[])
}

/// The library's answer as a hyper response. A borrowed part is a slice of one of `owners`
/// (the buffers the answer was built from) and becomes a view of it, without copying; timed
/// chunks (low latency) are fed to the body by a task that sleeps until each is due.
pub fn to_hyper(r: HttpResponse<'_>, owners: &[Bytes]) -> Response<Body> {
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
    with_headers(r.status, r.headers, body)
}

/// Handles one request: routed by [`route`], answered by the part it names, finished by
/// [`finish`].
pub async fn handle<B>(state: Arc<State>, req: Request<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    let now = now_ms();
    let method = req.method().as_str().to_string();
    let head = RequestHead {
        method: &method,
        path: req.uri().path(),
        query: req.uri().query(),
        access_control_request_headers: req
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .and_then(|v| v.to_str().ok()),
    };
    let req_validators = (
        header_str(req.headers(), header::IF_NONE_MATCH),
        header_str(req.headers(), header::IF_MODIFIED_SINCE),
    );
    let started = std::time::Instant::now();
    let path = req.uri().path().to_string();
    let mut label = "other";
    let mut resp = match route(&head, now, &state.config) {
        Route::Answer(_) if path == "/metrics" && matches!(method.as_str(), "GET" | "HEAD") => {
            let text = state.metrics.render(state.ingest.gauges());
            with_headers(
                200,
                vec![
                    (
                        "content-type",
                        "text/plain; version=0.0.4; charset=utf-8".into(),
                    ),
                    ("cache-control", "no-store".into()),
                ],
                Body::parts(vec![Bytes::from(text)]),
            )
        }
        Route::Answer(r) => to_hyper(r, &[]),
        Route::Livesim { path, now_ms } => {
            label = "livesim";
            let pq = req.uri().path_and_query().map_or("/", |p| p.as_str());
            live(&state, &path, now_ms, req.headers(), pq).await
        }
        Route::VodFile(comps) => {
            label = "vod";
            match super::hls::vod_playlist(&state, &comps).await {
                Some(playlist) => playlist,
                None => static_file(&state, comps, req.headers()).await,
            }
        }
        Route::Live(path) => {
            label = "live";
            let range = req
                .headers()
                .get(header::RANGE)
                .and_then(|v| v.to_str().ok());
            state
                .ingest
                .read(&path, req.uri().query(), range, host(req.headers()))
                .await
        }
        Route::Ingest(path) => {
            label = "ingest";
            let (parts, body) = req.into_parts();
            state
                .ingest
                .upload(parts.method.as_str(), &path, body, &parts.headers)
                .await
        }
        Route::License => {
            label = "license";
            super::license::license(req.into_body()).await
        }
    };
    if matches!(method.as_str(), "GET" | "HEAD") {
        resp = revalidated(resp, req_validators);
    }
    let done = finish(&method, resp.status().as_u16(), resp.body().len(), now_ms());
    state.metrics.answered(
        label,
        &path,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0,
        resp.body().len().filter(|_| done.send_body),
    );
    let h = resp.headers_mut();
    for (name, value) in done.set {
        set(h, HeaderName::from_static(name), &value);
    }
    for (name, value) in done.set_if_absent {
        let name = HeaderName::from_static(name);
        if !h.contains_key(&name) {
            set(h, name, &value);
        }
    }
    if !done.send_body {
        let (parts, _) = resp.into_parts();
        return Response::from_parts(parts, Body::empty());
    }
    resp
}

fn header_str(h: &HeaderMap, name: HeaderName) -> Option<String> {
    h.get(name)?.to_str().ok().map(str::to_string)
}

/// `resp`, or the 304 for it when the request's validators match
/// ([`dashkit::origin::revalidate`]).
fn revalidated(
    resp: Response<Body>,
    (inm, ims): (Option<String>, Option<String>),
) -> Response<Body> {
    if inm.is_none() && ims.is_none() {
        return resp;
    }
    let h = resp.headers();
    let get = |n: HeaderName| h.get(n).and_then(|v| v.to_str().ok());
    if !revalidate::not_modified(
        resp.status().as_u16(),
        inm.as_deref(),
        ims.as_deref(),
        get(header::ETAG),
        get(header::LAST_MODIFIED),
    ) {
        return resp;
    }
    let kept = h
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)));
    to_hyper(revalidate::not_modified_response(kept), &[])
}

fn set(h: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

/// The request's `Host` header.
fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST)?.to_str().ok()
}

async fn live(
    state: &Arc<State>,
    path: &LivePath,
    now: i64,
    headers: &HeaderMap,
    path_and_query: &str,
) -> Response<Body> {
    // Directories the lookup asks about are listed on a blocking thread (and cached).
    let mut listed: Vec<(Vec<String>, DirMpd)> = Vec::new();
    let found = loop {
        let lookup = locate_asset(path, |dir| {
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
    let mut config = source_config(host(headers), path_and_query);
    config.early_hold_ms = state.config.early_hold_ms;
    let policy = HttpPolicy {
        dashlivesim_404: state.config.dashlivesim_404,
    };
    // The answer borrows the files it was built from: cached buffers (the asset, which this
    // request holds), or files over the cache budget. Those are not read here: the answer
    // names the file it lacks (MissingFile), which is read on a blocking thread, and the
    // question is asked again.
    let mut spilled: Vec<(String, Bytes)> = Vec::new();
    loop {
        let fetched: RefCell<Vec<Bytes>> = RefCell::new(Vec::new());
        let hits = std::cell::Cell::new(0u64);
        let fetch = |url: &str| -> Option<&[u8]> {
            if asset.files.contains_key(url) {
                hits.set(hits.get() + 1);
            }
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
        state.metrics.asset_files(hits.get(), spilled.len() as u64);
        let changes = dashkit::origin::livesim::mpd_changes(&asset.live, opts, now);
        // A Range applies to a media segment, also one whose chunks are still due (a
        // low-latency HLS part of the segment being produced).
        let range = answer
            .as_ref()
            .is_ok_and(|a| a.is_media_segment())
            .then(|| headers.get(header::RANGE).and_then(|v| v.to_str().ok()))
            .flatten();
        let r = with_range(http_response_at(answer, now, &policy, changes), range);
        return to_hyper(r, &fetched);
    }
}

async fn static_file(
    state: &Arc<State>,
    comps: Vec<String>,
    headers: &HeaderMap,
) -> Response<Body> {
    // A file kept in memory and checked within the last second is answered without IO;
    // otherwise resolving (canonicalize), stat-ing and reading touch the disk: on a blocking
    // thread, keeping the file when it fits (file_cache).
    let key = comps.join("/");
    let kept = state.assets.static_files().get(&key).filter(|k| k.fresh());
    let found = match kept {
        Some(k) => Ok(Ok(Found::Kept(k))),
        None => {
            let assets = Arc::clone(&state.assets);
            tokio::task::spawn_blocking(move || find_static(&assets, key, &comps)).await
        }
    };
    let found = match found {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return to_hyper(e.answer(), &[]),
        Err(_) => return text(StatusCode::INTERNAL_SERVER_ERROR, "lookup failed"),
    };
    let (path, len, modified) = match &found {
        Found::Kept(k) => (k.path.clone(), k.bytes.len() as u64, k.modified),
        Found::Disk(p, m) => (p.clone(), m.len(), m.modified().ok()),
    };
    let name = path.to_string_lossy();
    let modified_ms = modified
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok());
    let file = FileMeta {
        name: &name,
        len,
        modified_ms,
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, fields, start, count) = match file_answer(&file, range) {
        FileAnswer::Answer(r) => return to_hyper(r, &[]),
        FileAnswer::Send {
            status,
            headers,
            start,
            count,
        } => (status, headers, start, count),
    };
    let body = if let Found::Kept(k) = &found {
        // file_answer keeps start + count within len, which is the kept bytes' length.
        Body::full(k.bytes.slice(start as usize..(start + count) as usize))
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
    with_headers(status, fields, body)
}

/// A response of `status` with the library's `headers` and `body`.
pub fn with_headers(
    status: u16,
    headers: Vec<(&'static str, Cow<'static, str>)>,
    body: Body,
) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    for (name, value) in headers {
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
