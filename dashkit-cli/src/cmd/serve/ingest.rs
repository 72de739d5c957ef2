//! The low-latency origin: encoders `PUT`/`POST` the MPD, init and media segments under
//! `/ingest/<channel>/...` (chunked transfer encoding or plain bodies), players `GET` them
//! under `/live/<channel>/...`. A segment still being uploaded is sent with chunked transfer
//! encoding as its CMAF chunks (moof + mdat) complete, recognised by
//! [`dashkit::cmaf::Parser`]; a complete one is sent whole.
//!
//! Memory is bounded: each stream of a channel keeps a window of segments (older ones are
//! dropped; `DELETE` is honoured), each upload is capped, readers share the stored bytes and
//! are fed through a small bounded queue, and a channel without uploads or readers for the
//! keep-alive time is dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use dashkit::cmaf::{Event, Parser};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};
use tokio::sync::Notify;

use super::body::Body;
use super::handler::text;

/// Ingest settings.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// The encoder's token; `None` turns ingest off.
    pub token: Option<String>,
    /// A standby encoder's token: its uploads are stored only while the primary is silent.
    pub standby_token: Option<String>,
    /// Segments kept per stream of a channel.
    pub window: usize,
    /// A channel without uploads or readers for this long is dropped.
    pub keepalive: Duration,
    /// Largest upload accepted.
    pub max_upload: u64,
    /// The primary counts as silent after this long without an upload (standby takes over).
    pub failover: Duration,
}

/// Where an upload is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Bytes are still arriving.
    Writing,
    /// The upload finished.
    Complete,
    /// The encoder went away mid-upload: what arrived is all there is.
    Incomplete,
}

struct FileData {
    /// Published pieces: readers see these (whole CMAF boxes or chunks, or the whole file).
    pieces: Vec<Bytes>,
    status: Status,
}

/// One stored file.
pub struct LiveFile {
    data: Mutex<FileData>,
    notify: Notify,
    /// When the upload started.
    pub started: Instant,
    /// When each published piece arrived, relative to `started` (for latency figures).
    pub piece_times: Mutex<Vec<Duration>>,
}

impl LiveFile {
    fn new() -> LiveFile {
        LiveFile {
            data: Mutex::new(FileData {
                pieces: Vec::new(),
                status: Status::Writing,
            }),
            notify: Notify::new(),
            started: Instant::now(),
            piece_times: Mutex::new(Vec::new()),
        }
    }

    fn publish(&self, piece: Bytes) {
        if piece.is_empty() {
            return;
        }
        if let Ok(mut d) = self.data.lock() {
            d.pieces.push(piece);
        }
        if let Ok(mut t) = self.piece_times.lock() {
            t.push(self.started.elapsed());
        }
        self.notify.notify_waiters();
    }

    fn end(&self, status: Status) {
        if let Ok(mut d) = self.data.lock() {
            d.status = status;
        }
        self.notify.notify_waiters();
    }

    /// The status now.
    pub fn status(&self) -> Status {
        self.data
            .lock()
            .map(|d| d.status)
            .unwrap_or(Status::Incomplete)
    }

    fn snapshot_from(&self, from: usize) -> (Vec<Bytes>, Status) {
        match self.data.lock() {
            Ok(d) => (d.pieces.get(from..).unwrap_or(&[]).to_vec(), d.status),
            Err(_) => (Vec::new(), Status::Incomplete),
        }
    }

    fn all(&self) -> Vec<Bytes> {
        self.snapshot_from(0).0
    }
}

/// Reads and drops a refused upload's first bytes (up to 64 KiB, for at most a second), so
/// the client reads the refusal instead of a reset from unread data; larger bodies are cut off.
async fn drain<B>(mut body: B)
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let mut left: usize = 64 << 10;
    let read = async {
        while left > 0 {
            match std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
                Some(Ok(f)) => {
                    let n = f.data_ref().map_or(0, Bytes::len);
                    left = left.saturating_sub(n.max(1));
                }
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), read).await;
}

/// Marks an upload incomplete when dropped before it finished.
struct EndGuard<'a>(&'a LiveFile);

impl Drop for EndGuard<'_> {
    fn drop(&mut self) {
        self.0.end(Status::Incomplete);
    }
}

/// Which encoder an upload comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Primary,
    Standby,
}

#[derive(Default)]
struct ChannelState {
    files: HashMap<String, Arc<LiveFile>>,
    /// Media segments per stream key, oldest first.
    windows: HashMap<String, VecDeque<String>>,
    /// Highest segment number seen per stream key.
    highest: HashMap<String, u64>,
    /// The moov of each stream's init segment, for the chunk parser.
    inits: HashMap<String, Bytes>,
    /// Duration of the last chunk seen, in ms (for the MPD's low-latency signalling).
    chunk_ms: Option<u64>,
    last_primary: Option<Instant>,
    last_activity: Option<Instant>,
    readers: usize,
}

/// A channel.
#[derive(Default)]
pub struct Channel {
    state: Mutex<ChannelState>,
}

/// All channels.
pub struct Ingest {
    cfg: IngestConfig,
    channels: Mutex<HashMap<String, Arc<Channel>>>,
}

/// Most channels at once.
const MAX_CHANNELS: usize = 1000;

fn valid_channel(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 64
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// The stream a segment belongs to and its number: the path with its last run of digits
/// taken out (`chunk-stream0-00042.m4s` → `chunk-stream0-.m4s`, 42).
fn stream_key(path: &str) -> Option<(String, u64)> {
    // The extension (`.m4s`, `.mp4`) may hold digits of its own: look before it.
    let stem_end = path
        .rfind('.')
        .filter(|d| !path[*d..].contains('/'))
        .unwrap_or(path.len());
    let b = path.as_bytes().get(..stem_end)?;
    let end = b.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = b[..end]
        .iter()
        .rposition(|c| !c.is_ascii_digit())
        .map_or(0, |p| p + 1);
    let n = path.get(start..end)?.parse().ok()?;
    Some((format!("{}{}", &path[..start], &path[end..]), n))
}

fn is_media_name(path: &str) -> bool {
    let ext = path.rsplit('.').next().unwrap_or("");
    matches!(
        ext,
        "m4s" | "mp4" | "cmfv" | "cmfa" | "m4v" | "m4a" | "cmfi"
    )
}

/// An init segment by its name (`init.mp4`, ffmpeg's `init-stream0.m4s`, GPAC's
/// `video_init.mp4`): the file name contains "init".
fn is_init_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.to_ascii_lowercase().contains("init")
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The token a request carries: `Authorization: Bearer T`, `Authorization: Basic` with T as
/// the password (ffmpeg: `http://user:T@host/...` with `-http_opts auth_type=basic`), or
/// `X-Ingest-Token: T`.
fn request_token(headers: &HeaderMap) -> Option<String> {
    if let Some(t) = headers.get("x-ingest-token").and_then(|v| v.to_str().ok()) {
        return Some(t.to_string());
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    if let Some(t) = auth.strip_prefix("Bearer ") {
        return Some(t.trim().to_string());
    }
    let creds = base64_decode(auth.strip_prefix("Basic ")?.trim())?;
    let creds = String::from_utf8(creds).ok()?;
    Some(
        creds
            .split_once(':')
            .map_or(creds.clone(), |(_, p)| p.to_string()),
    )
}

/// Constant-time comparison, so a token cannot be guessed byte by byte from timings.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Ingest {
    /// An empty origin.
    pub fn new(cfg: IngestConfig) -> Ingest {
        Ingest {
            cfg,
            channels: Mutex::new(HashMap::new()),
        }
    }

    /// Whether uploads are accepted at all.
    pub fn enabled(&self) -> bool {
        self.cfg.token.is_some()
    }

    fn role(&self, headers: &HeaderMap) -> Option<Role> {
        let given = request_token(headers)?;
        if self.cfg.token.as_deref().is_some_and(|t| same(t, &given)) {
            return Some(Role::Primary);
        }
        if self
            .cfg
            .standby_token
            .as_deref()
            .is_some_and(|t| same(t, &given))
        {
            return Some(Role::Standby);
        }
        None
    }

    fn channel(&self, name: &str, create: bool) -> Option<Arc<Channel>> {
        let mut m = self.channels.lock().ok()?;
        if let Some(c) = m.get(name) {
            return Some(Arc::clone(c));
        }
        if !create || m.len() >= MAX_CHANNELS {
            return None;
        }
        let c = Arc::new(Channel::default());
        m.insert(name.to_string(), Arc::clone(&c));
        Some(c)
    }

    /// Drops channels idle for longer than the keep-alive (no uploads, no open readers).
    pub fn sweep(&self) -> Vec<String> {
        let Ok(mut m) = self.channels.lock() else {
            return Vec::new();
        };
        let keep = self.cfg.keepalive;
        let mut dropped = Vec::new();
        m.retain(|name, c| {
            let alive = c.state.lock().is_ok_and(|s| {
                s.readers > 0 || s.last_activity.is_some_and(|t| t.elapsed() < keep)
            });
            if !alive {
                dropped.push(name.clone());
            }
            alive
        });
        dropped
    }

    /// `PUT`/`POST` (upload) or `DELETE` of `/ingest/<channel>/<path>`.
    pub async fn upload<B>(
        &self,
        method: &hyper::Method,
        comps: &[String],
        req: B,
        headers: &HeaderMap,
    ) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes> + Unpin,
        B::Error: std::fmt::Display,
    {
        if !self.enabled() {
            drain(req).await;
            return text(
                StatusCode::FORBIDDEN,
                "ingest is off (start with --ingest-token)",
            );
        }
        let Some(role) = self.role(headers) else {
            drain(req).await;
            let mut r = text(StatusCode::UNAUTHORIZED, "missing or wrong ingest token");
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dashkit ingest\""),
            );
            return r;
        };
        let (Some(channel), true) = (comps.first(), comps.len() >= 2) else {
            return text(StatusCode::BAD_REQUEST, "want /ingest/<channel>/<file>");
        };
        if !valid_channel(channel) {
            return text(
                StatusCode::BAD_REQUEST,
                "channel names are [A-Za-z0-9._-]{1,64}",
            );
        }
        let path = comps[1..].join("/");
        if *method == hyper::Method::DELETE {
            let Some(ch) = self.channel(channel, false) else {
                return text(StatusCode::NOT_FOUND, "no such channel");
            };
            let Ok(mut s) = ch.state.lock() else {
                return text(StatusCode::INTERNAL_SERVER_ERROR, "lock");
            };
            return match s.files.remove(&path) {
                Some(_) => {
                    for w in s.windows.values_mut() {
                        w.retain(|p| p != &path);
                    }
                    let mut r = Response::new(Body::empty());
                    *r.status_mut() = StatusCode::NO_CONTENT;
                    r
                }
                None => text(StatusCode::NOT_FOUND, "no such file"),
            };
        }
        if let Some(len) = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            if len > self.cfg.max_upload {
                return text(StatusCode::PAYLOAD_TOO_LARGE, "upload too large");
            }
        }
        let Some(ch) = self.channel(channel, true) else {
            return text(StatusCode::SERVICE_UNAVAILABLE, "too many channels");
        };
        // Admission: who may write this path now.
        let file = Arc::new(LiveFile::new());
        // Init segments are not numbered: the digits in `init-stream1.m4s` name a stream, so
        // they take no part in the numbering rule or the window.
        let media_key = (is_media_name(&path) && !is_init_name(&path))
            .then(|| stream_key(&path))
            .flatten();
        let mut store = true;
        {
            let Ok(mut s) = ch.state.lock() else {
                return text(StatusCode::INTERNAL_SERVER_ERROR, "lock");
            };
            let primary_live = s
                .last_primary
                .is_some_and(|t| t.elapsed() < self.cfg.failover);
            if role == Role::Standby && primary_live {
                store = false; // a hot standby: accepted and dropped while the primary runs
            } else {
                if let Some(old) = s.files.get(&path) {
                    if old.status() == Status::Writing {
                        return text(
                            StatusCode::CONFLICT,
                            format!("{path} is being uploaded by another encoder"),
                        );
                    }
                }
                if let Some((key, n)) = &media_key {
                    let active = s
                        .last_activity
                        .is_some_and(|t| t.elapsed() < self.cfg.keepalive);
                    let replaced_incomplete = s
                        .files
                        .get(&path)
                        .is_some_and(|f| f.status() == Status::Incomplete);
                    if role == Role::Primary
                        && active
                        && !replaced_incomplete
                        && s.highest.get(key).is_some_and(|h| *n <= *h)
                    {
                        return text(
                            StatusCode::CONFLICT,
                            format!(
                                "{path}: segment {n} is not after {} on this channel: a second \
                                 encoder? (configure it with --standby-token)",
                                s.highest.get(key).copied().unwrap_or(0)
                            ),
                        );
                    }
                    let h = s.highest.entry(key.clone()).or_insert(*n);
                    *h = (*h).max(*n);
                }
                if role == Role::Standby {
                    // Taking over: numbering restarts with the standby's.
                    s.highest.clear();
                }
                s.files.insert(path.clone(), Arc::clone(&file));
            }
            let now = Instant::now();
            s.last_activity = Some(now);
            if role == Role::Primary {
                s.last_primary = Some(now);
            }
        }
        let init_moov = media_key
            .as_ref()
            .and_then(|_| ch.state.lock().ok())
            .and_then(|s| init_for(&path, &s.inits));
        // If the connection dies, hyper drops this future mid-upload: the guard then marks
        // the file incomplete, so readers end cleanly and the next upload may replace it.
        let guard = EndGuard(&file);
        let outcome = self.receive(req, &file, &path, init_moov, &ch).await;
        std::mem::forget(guard);
        let status = match &outcome {
            Ok(()) => Status::Complete,
            Err(_) => Status::Incomplete,
        };
        file.end(status);
        if store {
            if let Ok(mut s) = ch.state.lock() {
                s.last_activity = Some(Instant::now());
                if role == Role::Primary {
                    s.last_primary = Some(Instant::now());
                }
                if let Some((key, _)) = &media_key {
                    let is_init = s.inits.contains_key(&path);
                    if !is_init {
                        let w = s.windows.entry(key.clone()).or_default();
                        w.retain(|p| p != &path);
                        w.push_back(path.clone());
                        let mut evict = Vec::new();
                        while w.len() > self.cfg.window {
                            if let Some(old) = w.pop_front() {
                                evict.push(old);
                            }
                        }
                        for old in evict {
                            s.files.remove(&old);
                        }
                    }
                }
            }
        } else if let Ok(mut s) = ch.state.lock() {
            s.last_activity = Some(Instant::now());
        }
        match outcome {
            Ok(()) if store => text(StatusCode::CREATED, ""),
            Ok(()) => text(
                StatusCode::ACCEPTED,
                "standby: not stored while the primary is live",
            ),
            Err((code, m)) => text(code, m),
        }
    }

    /// Reads the body, publishing whole CMAF boxes and chunks as they complete.
    async fn receive<B>(
        &self,
        mut body: B,
        file: &LiveFile,
        path: &str,
        init_moov: Option<Bytes>,
        ch: &Channel,
    ) -> Result<(), (StatusCode, String)>
    where
        B: hyper::body::Body<Data = Bytes> + Unpin,
        B::Error: std::fmt::Display,
    {
        let bmff = is_media_name(path);
        let mut parser = Parser::new();
        if let Some(m) = &init_moov {
            let _ = parser.set_init(m);
        }
        // Bytes received but not yet published (the box or chunk being completed).
        let mut pending: Vec<Bytes> = Vec::new();
        let mut pending_len = 0u64;
        let mut total = 0u64;
        let mut whole: Vec<u8> = Vec::new(); // init segments and non-media files, for parsing
        let mut parse_ok = bmff;
        let mut seen_chunk = false;
        loop {
            let frame =
                std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
            let data = match frame {
                None => break,
                Some(Err(e)) => {
                    // Publish what is whole; the rest is lost with the connection.
                    return Err((StatusCode::BAD_REQUEST, format!("upload broken: {e}")));
                }
                Some(Ok(f)) => match f.into_data() {
                    Ok(d) => d,
                    Err(_) => continue, // trailers
                },
            };
            total += data.len() as u64;
            if total > self.cfg.max_upload {
                return Err((StatusCode::PAYLOAD_TOO_LARGE, "upload too large".into()));
            }
            if !bmff {
                whole.extend_from_slice(&data);
                continue;
            }
            // Only the bytes up to the first chunk can hold an init segment's moov: a media
            // upload keeps no second copy of its chunks.
            if !seen_chunk && whole.len() < (8 << 20) {
                whole.extend_from_slice(&data);
            }
            pending_len += data.len() as u64;
            pending.push(data.clone());
            if parse_ok && parser.push(&data).is_err() {
                parse_ok = false; // not CMAF after all: published on completion
            }
            let mut publish_to = None;
            while let Some(ev) = parser.next_event() {
                let end = match &ev {
                    Event::Box(b) => b.range.end,
                    Event::Chunk(c) => {
                        seen_chunk = true;
                        let ts = c.tracks.first().and_then(|t| t.timescale).unwrap_or(0);
                        if ts > 0 {
                            if let Ok(mut s) = ch.state.lock() {
                                s.chunk_ms = Some(c.duration.saturating_mul(1000) / u64::from(ts));
                            }
                        }
                        c.range.end
                    }
                };
                publish_to = Some(end);
            }
            if let Some(end) = publish_to {
                // Publish bytes [published .. end): whole pieces, splitting the last one.
                let published = total - pending_len;
                let mut want = end.saturating_sub(published);
                let mut out = Vec::new();
                while want > 0 {
                    let Some(first) = pending.first_mut() else {
                        break;
                    };
                    let take = (first.len() as u64).min(want) as usize;
                    out.push(first.split_to(take));
                    if first.is_empty() {
                        pending.remove(0);
                    }
                    want -= take as u64;
                    pending_len -= take as u64;
                }
                let piece = if out.len() == 1 {
                    out.pop().unwrap_or_default()
                } else {
                    let mut v = Vec::with_capacity(out.iter().map(Bytes::len).sum());
                    for b in out {
                        v.extend_from_slice(&b);
                    }
                    Bytes::from(v)
                };
                file.publish(piece);
            }
        }
        if bmff {
            let _ = parser.finish();
            let mut rest = Vec::with_capacity(pending_len as usize);
            for b in pending {
                rest.extend_from_slice(&b);
            }
            file.publish(Bytes::from(rest));
            // An init segment: keep its moov for the chunk parser of later uploads.
            if let Some(moov) = find_moov(&whole) {
                if let Ok(mut s) = ch.state.lock() {
                    s.inits
                        .insert(path.to_string(), Bytes::copy_from_slice(moov));
                }
            }
        } else {
            file.publish(Bytes::from(whole));
        }
        Ok(())
    }

    /// `GET`/`HEAD` of `/live/<channel>/<path>`.
    pub fn read(&self, comps: &[String], time_url: Option<String>) -> Response<Body> {
        let (Some(channel), true) = (comps.first(), comps.len() >= 2) else {
            return text(StatusCode::NOT_FOUND, "want /live/<channel>/<file>");
        };
        let Some(ch) = self.channel(channel, false) else {
            return text(StatusCode::NOT_FOUND, "no such channel");
        };
        let path = comps[1..].join("/");
        let (file, chunk_ms) = match ch.state.lock() {
            Ok(s) => (s.files.get(&path).cloned(), s.chunk_ms),
            Err(_) => (None, None),
        };
        let Some(file) = file else {
            return text(StatusCode::NOT_FOUND, "no such file");
        };
        let ctype = super::files::content_type(std::path::Path::new(&path));
        if path.ends_with(".mpd") && file.status() == Status::Complete {
            let bytes: Vec<u8> = file.all().concat();
            let mut r = Response::new(Body::full(signal_mpd(&bytes, chunk_ms, time_url)));
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            return r;
        }
        let body = match file.status() {
            Status::Complete | Status::Incomplete => Body::parts(file.all()),
            Status::Writing => {
                let (tx, rx) = tokio::sync::mpsc::channel(8);
                if let Ok(mut s) = ch.state.lock() {
                    s.readers += 1;
                }
                let ch2 = Arc::clone(&ch);
                tokio::spawn(async move {
                    let mut sent = 0usize;
                    loop {
                        let notified = file.notify.notified();
                        tokio::pin!(notified);
                        notified.as_mut().enable();
                        let (new, status) = file.snapshot_from(sent);
                        sent += new.len();
                        for b in new {
                            // Bounded queue: a slow reader holds back only this task.
                            if tx.send(Ok(b)).await.is_err() {
                                break;
                            }
                        }
                        if tx.is_closed() || status != Status::Writing {
                            let (rest, _) = file.snapshot_from(sent);
                            for b in rest {
                                if tx.send(Ok(b)).await.is_err() {
                                    break;
                                }
                            }
                            break;
                        }
                        notified.await;
                    }
                    if let Ok(mut s) = ch2.state.lock() {
                        s.readers = s.readers.saturating_sub(1);
                        s.last_activity = Some(Instant::now());
                    }
                });
                Body::Stream { rx, len: None }
            }
        };
        let mut r = Response::new(body);
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        r
    }
}

/// The runs of digits in a name (`chunk-stream0-00042.m4s` → ["0", "00042"]).
fn digit_runs(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect()
}

/// The init segment of a media segment: in the same folder, named with the same digit runs
/// but the last (ffmpeg's `init-stream0.m4s` for `chunk-stream0-00042.m4s`; `V300/init.mp4`
/// for `V300/5.m4s`).
fn init_for(media: &str, inits: &HashMap<String, Bytes>) -> Option<Bytes> {
    let dir = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let mut runs = digit_runs(media);
    runs.pop();
    inits
        .iter()
        .find(|(p, _)| dir(p) == dir(media) && digit_runs(p) == runs)
        .map(|(_, m)| m.clone())
}

fn find_moov(bytes: &[u8]) -> Option<&[u8]> {
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        if size < 8 || at + size > bytes.len() {
            return None;
        }
        if &bytes[at + 4..at + 8] == b"moov" {
            return bytes.get(at..at + size);
        }
        at += size;
    }
    None
}

/// The ingested MPD with low-latency signalling completed (dashkit's time endpoint as
/// UTCTiming when it has none), or as uploaded when it is not a dynamic MPD dashkit parses.
fn signal_mpd(bytes: &[u8], chunk_ms: Option<u64>, time_url: Option<String>) -> Bytes {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Bytes::copy_from_slice(bytes);
    };
    let Ok(mut mpd) = dashkit::mpd::parse(text) else {
        return Bytes::copy_from_slice(bytes);
    };
    let Some(url) = time_url else {
        return Bytes::copy_from_slice(bytes);
    };
    let ll = dashkit::live::lowlatency::LowLatency::new(chunk_ms.unwrap_or(500).max(1), &url);
    match dashkit::live::lowlatency::signal_low_latency(&mut mpd, &ll) {
        Ok(()) => Bytes::from(dashkit::mpd::write(&mpd)),
        Err(_) => Bytes::copy_from_slice(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_keys() {
        assert_eq!(
            stream_key("chunk-stream0-00042.m4s"),
            Some(("chunk-stream0-.m4s".to_string(), 42))
        );
        assert_eq!(stream_key("v/7.m4s"), Some(("v/.m4s".to_string(), 7)));
        assert_eq!(stream_key("init.mp4"), None);
        assert_eq!(
            stream_key("v1/init.m4s"),
            Some(("v/init.m4s".to_string(), 1))
        );
        assert_eq!(stream_key("a.b/7"), Some(("a.b/".to_string(), 7)));
    }

    #[test]
    fn tokens() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret"),
        );
        assert_eq!(request_token(&h).as_deref(), Some("s3cret"));
        // "enc:s3cret"
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic ZW5jOnMzY3JldA=="),
        );
        assert_eq!(request_token(&h).as_deref(), Some("s3cret"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
