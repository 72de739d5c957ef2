//! The access log: one line per request in the Combined Log Format's first fields plus the
//! time taken and the `Host` asked for (`"-"` without one: behind several edges, each passes its
//! own, so the origin's log says which edge fetched what), written by a thread from a bounded queue so a slow disk never stalls a
//! response (lines beyond the queue are counted and reported as dropped).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use hyper::{Request, Response};

use super::body::Body;
use crate::error::CliError;

/// The request half of a log line, taken before the request is consumed.
pub struct RequestLine {
    peer: SocketAddr,
    method: String,
    target: String,
    version: &'static str,
    host: String,
}

impl RequestLine {
    /// Captures what the log needs from `req`.
    pub fn of<B>(req: &Request<B>, peer: SocketAddr) -> RequestLine {
        let target = req.uri().to_string();
        RequestLine {
            peer,
            method: req.method().to_string(),
            target: target.chars().take(512).collect(),
            host: req
                .headers()
                .get(hyper::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "-".to_string(), |h| h.chars().take(256).collect()),
            version: match req.version() {
                hyper::Version::HTTP_10 => "HTTP/1.0",
                hyper::Version::HTTP_2 => "HTTP/2",
                _ => "HTTP/1.1",
            },
        }
    }
}

/// A cheap handle to the log writer.
#[derive(Clone)]
pub struct AccessLog {
    tx: Option<SyncSender<String>>,
    dropped: Arc<AtomicU64>,
}

impl AccessLog {
    /// Opens the log: `-` is stderr, `off` disables it, anything else is a file appended to.
    pub fn open(spec: &str) -> Result<AccessLog, CliError> {
        let dropped = Arc::new(AtomicU64::new(0));
        let mut sink: Box<dyn Write + Send> = match spec {
            "off" => return Ok(AccessLog { tx: None, dropped }),
            "-" => Box::new(std::io::stderr()),
            path => Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|source| CliError::Io {
                        path: path.into(),
                        source,
                    })?,
            ),
        };
        let (tx, rx) = sync_channel::<String>(16_384);
        let d = Arc::clone(&dropped);
        std::thread::spawn(move || {
            let mut buf = std::io::BufWriter::with_capacity(64 << 10, &mut sink);
            loop {
                match rx.recv_timeout(Duration::from_millis(200)) {
                    Ok(line) => {
                        let _ = buf.write_all(line.as_bytes());
                        // Drain what is queued, then flush once.
                        while let Ok(l) = rx.try_recv() {
                            let _ = buf.write_all(l.as_bytes());
                        }
                        let n = d.swap(0, Ordering::Relaxed);
                        if n > 0 {
                            let _ = writeln!(buf, "dashkit serve: {n} access log lines dropped");
                        }
                        let _ = buf.flush();
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            let _ = buf.flush();
        });
        Ok(AccessLog {
            tx: Some(tx),
            dropped,
        })
    }

    /// Whether lines are written at all.
    pub fn enabled(&self) -> bool {
        self.tx.is_some()
    }

    /// Queues one line.
    pub fn log(&self, r: RequestLine, status: u16, resp: &Response<Body>, took: Duration) {
        let Some(tx) = &self.tx else { return };
        let time = chrono::DateTime::from_timestamp(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            0,
        )
        .map(|t| t.format("%d/%b/%Y:%H:%M:%S +0000").to_string())
        .unwrap_or_default();
        let size = resp
            .body()
            .len()
            .map_or_else(|| "-".to_string(), |n| n.to_string());
        let line = format!(
            "{} - - [{time}] \"{} {} {}\" {status} {size} {:.3}ms \"{}\"\n",
            r.peer.ip(),
            r.method,
            r.target.escape_debug(),
            r.version,
            took.as_secs_f64() * 1000.0,
            r.host.escape_debug()
        );
        if let Err(TrySendError::Full(_)) = tx.try_send(line) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
