//! The ingest origin's IO: every rule is a call into [`dashkit::ingest::Origin`]; this module
//! reads request bodies and feeds them, reads the clock, wakes readers waiting on a channel
//! (one [`Notify`] per channel), maps the library's decisions to HTTP answers, and, with
//! `--store`, writes completed files to disk on a writer thread and reloads them at start.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use dashkit::ingest::{
    Admission, Config, Instant, Opened, Origin, Outcome, Read, Refusal, StoredFile, Upload,
};
use dashkit::live::http::{time_url, HttpResponse};
use dashkit::origin::ingest as answers;
use hyper::header::HeaderMap;
use hyper::Response;
use tokio::sync::Notify;

use super::body::Body;
use super::handler::{to_hyper, with_headers};

/// The ingest origin behind `serve`.
pub struct Ingest {
    origin: Mutex<Origin>,
    /// The monotonic clock's epoch: `now` is milliseconds since it.
    epoch: std::time::Instant,
    notifies: Mutex<HashMap<String, Arc<Notify>>>,
    store: Option<Store>,
    metrics: Arc<super::metrics::Metrics>,
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

fn refusal(r: &Refusal) -> Response<Body> {
    to_hyper(answers::refusal(r), &[])
}

fn outcome(o: &Outcome) -> Response<Body> {
    to_hyper(answers::outcome(o), &[])
}

/// Aborts the upload in the origin when the request future is dropped mid-body (hyper drops
/// it when the connection dies), so readers end cleanly and the path may be uploaded again.
struct AbortGuard<'a> {
    ingest: &'a Ingest,
    up: Option<Box<Upload>>,
}

impl AbortGuard<'_> {
    fn take(&mut self) -> Option<Box<Upload>> {
        self.up.take()
    }
}

impl Drop for AbortGuard<'_> {
    fn drop(&mut self) {
        if let Some(up) = self.up.take() {
            let channel = up.channel().to_string();
            let now = self.ingest.now();
            self.ingest.origin().abort(*up, now);
            self.ingest.wake(&channel);
        }
    }
}

impl Ingest {
    /// An origin; with a store, each channel's window is reloaded from it first.
    pub fn new(
        cfg: Config,
        store: Option<PathBuf>,
        metrics: Arc<super::metrics::Metrics>,
    ) -> std::io::Result<Ingest> {
        let epoch = std::time::Instant::now();
        let mut origin = Origin::new(cfg);
        let store = match store {
            Some(dir) => {
                std::fs::create_dir_all(&dir)?;
                let restored = restore(&mut origin, &dir, Instant::from_millis(0));
                for (channel, n) in restored {
                    eprintln!(
                        "dashkit serve: channel {channel}: {n} files restored from the store"
                    );
                }
                Some(Store::start(dir))
            }
            None => None,
        };
        Ok(Ingest {
            origin: Mutex::new(origin),
            epoch,
            notifies: Mutex::new(HashMap::new()),
            store,
            metrics,
        })
    }

    /// The ingest origin's channels and the bytes it holds, for `/metrics`.
    pub fn gauges(&self) -> super::metrics::IngestGauges {
        let o = self.origin();
        super::metrics::IngestGauges {
            channels: o.channels().len(),
            streams: o.streams(),
            held_bytes: o.held_bytes(),
        }
    }

    fn now(&self) -> Instant {
        Instant::from_millis(u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn origin(&self) -> MutexGuard<'_, Origin> {
        self.origin.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn notify(&self, channel: &str) -> Arc<Notify> {
        let mut m = self.notifies.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(m.entry(channel.to_string()).or_default())
    }

    fn wake(&self, channel: &str) {
        let m = self.notifies.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get(channel) {
            n.notify_waiters();
        }
    }

    /// Waits until the store has written everything queued (at shutdown, so a clean restart
    /// loses nothing accepted).
    pub fn close_store(&self) {
        if let Some(s) = &self.store {
            s.close();
        }
    }

    /// Store write failures so far.
    pub fn store_errors(&self) -> u64 {
        self.store
            .as_ref()
            .map_or(0, |s| s.errors.load(Ordering::Relaxed))
    }

    /// Drops channels idle for longer than the keep-alive.
    pub fn sweep(&self) -> Vec<String> {
        let now = self.now();
        let dropped = self.origin().sweep(now);
        let mut m = self.notifies.lock().unwrap_or_else(|e| e.into_inner());
        for c in &dropped {
            m.remove(c);
        }
        dropped
    }

    /// A request to `/ingest/<path>` (`path` as received, percent-encoded).
    pub async fn upload<B>(
        &self,
        method: &str,
        path: &str,
        body: B,
        headers: &HeaderMap,
    ) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes> + Unpin,
        B::Error: std::fmt::Display,
    {
        let admission = {
            let now = self.now();
            let header = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
            answers::admit(&mut self.origin(), method, path, header, now)
        };
        match admission {
            Admission::Refused(r) => {
                drain(body).await;
                refusal(&r)
            }
            Admission::Probe => outcome(&Outcome::Probe),
            Admission::Deleted { channel, path } => {
                self.wake(&channel); // its readers end
                if let Some(s) = &self.store {
                    s.send(Job::Delete { channel, path });
                }
                to_hyper(answers::deleted(), &[])
            }
            Admission::Upload(up) => self.receive(up, body).await,
        }
    }

    async fn receive<B>(&self, up: Box<Upload>, mut body: B) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes> + Unpin,
        B::Error: std::fmt::Display,
    {
        let channel = up.channel().to_string();
        let mut guard = AbortGuard {
            ingest: self,
            up: Some(up),
        };
        // A reader held for this file (the next segment) can open it now.
        self.wake(&channel);
        loop {
            let frame =
                std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
            let data = match frame {
                None => break,
                // The guard marks the upload incomplete: what was whole stays published.
                Some(Err(e)) => return to_hyper(answers::broken(&e.to_string()), &[]),
                Some(Ok(f)) => match f.into_data() {
                    Ok(d) => d,
                    Err(_) => continue, // trailers
                },
            };
            self.metrics.received(data.len());
            let fed = match guard.up.as_mut() {
                Some(up) => {
                    let now = self.now();
                    self.origin().feed(up, data, now)
                }
                None => break,
            };
            match fed {
                Ok(true) => self.wake(&channel),
                Ok(false) => {}
                Err(r) => return refusal(&r), // the guard aborts the upload
            }
        }
        let Some(up) = guard.take() else {
            return to_hyper(HttpResponse::text(500, "upload lost"), &[]);
        };
        let finished = {
            let now = self.now();
            self.origin().finish(*up, now)
        };
        self.wake(&channel);
        self.metrics.uploaded();
        if let (Some(s), Some(f)) = (&self.store, finished.store) {
            s.send(Job::Write(f));
        }
        outcome(&finished.outcome)
    }

    /// `GET`/`HEAD` of `/live/<path>` (decoded) with the request's `query` and `Range`, from a
    /// request whose `Host` is `host`. The next segment of a stream ([`Refusal::NotYet`]) and
    /// a low-latency playlist's blocking reload ([`Refusal::PartNotYet`]) are waited for,
    /// woken by the channel's uploads, up to the library's hold time; then 404 or 503. The
    /// range is applied by [`answers::read_range`]: a file still being uploaded sends its
    /// bytes as they arrive.
    pub async fn read(
        self: &Arc<Self>,
        path: &str,
        query: Option<&str>,
        range: Option<&str>,
        host: Option<&str>,
    ) -> Response<Body> {
        let time_url = time_url(host);
        let channel = path.split('/').next().unwrap_or(path);
        let mut deadline = None;
        let opened = loop {
            let notify = self.notify(channel);
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (opened, notes) = {
                let now = self.now();
                let mut origin = self.origin();
                let opened = origin.open_request(path, query, time_url.as_deref(), now);
                let lifetime = origin.cache_lifetime(path);
                (opened.map(|o| (o, lifetime)), origin.take_notes())
            };
            for n in notes {
                eprintln!("dashkit serve: {n}");
            }
            match opened {
                Err(Refusal::NotYet { hold_ms, .. } | Refusal::PartNotYet { hold_ms, .. }) => {
                    let until = *deadline.get_or_insert_with(|| {
                        tokio::time::Instant::now() + Duration::from_millis(hold_ms)
                    });
                    if tokio::time::Instant::now() >= until {
                        break opened;
                    }
                    let _ = tokio::time::timeout_at(until, notified).await;
                }
                other => break other,
            }
        };
        let mut headers = answers::read_headers(path);
        let (opened, content_range) = match opened {
            Err(r) => return refusal(&r),
            Ok((mut o, lifetime)) => {
                let max_len = self.origin().config().max_upload_bytes;
                match answers::read_range(&mut o, range, max_len) {
                    Ok(cr) => (Ok((o, lifetime)), cr),
                    Err(r) => {
                        if let Opened::Streaming(reader) = o {
                            let now = self.now();
                            self.origin().close(reader, now);
                        }
                        return to_hyper(r, &[]);
                    }
                }
            }
        };
        let body = match opened {
            Err(r) => return refusal(&r),
            Ok((Opened::Whole(parts), lifetime)) => {
                if let Some(lifetime) = lifetime {
                    headers = answers::segment_read_headers(path, lifetime);
                }
                Body::parts(parts)
            }
            Ok((Opened::Streaming(mut reader), _)) => {
                headers = answers::streaming_read_headers(path);
                let (tx, rx) = tokio::sync::mpsc::channel(8);
                let notify = self.notify(reader.channel());
                let me = Arc::clone(self);
                me.metrics.waiting(true);
                tokio::spawn(async move {
                    loop {
                        let notified = notify.notified();
                        tokio::pin!(notified);
                        notified.as_mut().enable();
                        let read = me.origin().read(&mut reader);
                        match read {
                            Read::Data { pieces, last } => {
                                let mut gone = false;
                                for b in pieces {
                                    // Bounded queue: a slow reader holds back only this task.
                                    if tx.send(Ok(b)).await.is_err() {
                                        gone = true;
                                        break;
                                    }
                                }
                                if gone || last {
                                    break;
                                }
                            }
                            Read::Wait => {
                                tokio::select! {
                                    _ = &mut notified => {}
                                    _ = tx.closed() => break,
                                }
                            }
                            Read::End => break,
                        }
                    }
                    let now = me.now();
                    me.origin().close(reader, now);
                    me.metrics.waiting(false);
                });
                Body::Stream { rx, len: None }
            }
        };
        match content_range {
            Some(cr) => {
                headers.push(("content-range", cr.into()));
                with_headers(206, headers, body)
            }
            None => with_headers(200, headers, body),
        }
    }
}

/// What the store's writer does.
enum Job {
    Write(StoredFile),
    Delete { channel: String, path: String },
}

/// `--store DIR`: completed files are written under `DIR/<channel>/<path>` by one writer
/// thread, in the order they completed, off the async workers. A failed write is logged and
/// counted; the file is still served from memory.
struct Store {
    /// `None` once closed.
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    errors: Arc<AtomicU64>,
}

impl Store {
    fn start(dir: PathBuf) -> Store {
        let (tx, rx) = mpsc::channel::<Job>();
        let errors = Arc::new(AtomicU64::new(0));
        let errs = Arc::clone(&errors);
        let spawned = std::thread::Builder::new()
            .name("ingest-store".into())
            .spawn(move || {
                for job in rx {
                    let (target, result) = match job {
                        Job::Write(f) => {
                            let target = dir.join(&f.channel).join(&f.path);
                            let r = write_file(&target, &f.pieces);
                            (target, r)
                        }
                        Job::Delete { channel, path } => {
                            let target = dir.join(channel).join(path);
                            let r = match std::fs::remove_file(&target) {
                                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                                r => r,
                            };
                            (target, r)
                        }
                    };
                    if let Err(e) = result {
                        let n = errs.fetch_add(1, Ordering::Relaxed) + 1;
                        eprintln!(
                            "dashkit serve: store error {n}: {}: {e} (still served from memory)",
                            target.display()
                        );
                    }
                }
            });
        let writer = match spawned {
            Ok(h) => Some(h),
            Err(e) => {
                errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("dashkit serve: store writer did not start: {e}");
                None
            }
        };
        Store {
            tx: Mutex::new(Some(tx)),
            writer: Mutex::new(writer),
            errors,
        }
    }

    /// Lets the writer finish what was queued, then stops it.
    fn close(&self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = writer {
            let _ = w.join();
        }
    }

    fn send(&self, job: Job) {
        let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        if tx.as_ref().is_none_or(|tx| tx.send(job).is_err()) {
            let n = self.errors.fetch_add(1, Ordering::Relaxed) + 1;
            eprintln!("dashkit serve: store error {n}: the writer is gone");
        }
    }
}

/// Writes `pieces` to `target` through a temporary file and a rename, so a reader of the
/// store (or a restart) never sees half a file.
fn write_file(target: &Path, pieces: &[Bytes]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.part"));
    let mut f = std::fs::File::create(&tmp)?;
    for p in pieces {
        f.write_all(p)?;
    }
    f.sync_data()?;
    drop(f);
    std::fs::rename(&tmp, target)
}

/// Deepest folder a channel's store is read from.
const MAX_STORE_DEPTH: usize = 8;
/// Most files listed per channel.
const MAX_STORE_FILES: usize = 100_000;

/// Reloads every channel folder under `dir`; returns (channel, files restored).
fn restore(origin: &mut Origin, dir: &Path, now: Instant) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut channels: Vec<_> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    channels.sort();
    for channel in channels {
        let mut paths = Vec::new();
        list(&dir.join(&channel), &mut Vec::new(), &mut paths);
        let keep = origin.restore_plan(&paths);
        let files: Vec<(String, Bytes)> = keep
            .into_iter()
            .filter_map(|p| {
                let b = std::fs::read(dir.join(&channel).join(&p)).ok()?;
                Some((p, Bytes::from(b)))
            })
            .collect();
        match origin.restore(&channel, files, now) {
            Ok(n) => out.push((channel, n)),
            Err(e) => eprintln!("dashkit serve: store folder {channel} not restored: {e}"),
        }
    }
    out
}

fn list(dir: &Path, rel: &mut Vec<String>, out: &mut Vec<String>) {
    if rel.len() > MAX_STORE_DEPTH || out.len() >= MAX_STORE_FILES {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // temporary files of interrupted writes
        }
        let Ok(t) = e.file_type() else { continue };
        rel.push(name);
        if t.is_dir() {
            list(&e.path(), rel, out);
        } else if t.is_file() && out.len() < MAX_STORE_FILES {
            out.push(rel.join("/"));
        }
        rel.pop();
    }
}
