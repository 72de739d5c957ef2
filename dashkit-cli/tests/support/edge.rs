//! nginx edges rendered from `deploy/nginx/edge.conf.template` as its header says, `dashkit
//! serve` origins on chosen loopback ports, and the two access logs a test reads: the origin's
//! (`--access-log FILE`, one line per request, ending with the `Host` asked for, which is the
//! edge's own address behind an edge) and each edge's (`logs/access.log`, which says when each
//! answer went to the origin, at what millisecond and with what `Cache-Control`).
//!
//! Needs nginx (Debian's `nginx-light`) and `envsubst` (`gettext-base`): `.ci/test` installs
//! them.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's top.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A system tool by name, or a panic saying how to install it.
pub fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("{name} is missing: run `bash .ci/test` (it installs nginx-light, gettext-base and systemd)");
}

/// A child process stopped on drop: SIGTERM first (nginx's master then stops its workers;
/// SIGKILL would leave them running), SIGKILL after 5 s.
pub struct Proc(pub Child);

impl Proc {
    /// Kills it at once (SIGKILL), as a crash would.
    pub fn crash(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.0.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh `127.0.0.1:<port>`.
pub fn free_addr() -> String {
    format!("127.0.0.1:{}", free_port())
}

/// The status of `GET target` (0 when nothing answered).
pub fn status(addr: &str, target: &str) -> u16 {
    let Ok(mut c) = TcpStream::connect(addr) else {
        return 0;
    };
    let _ = c.set_read_timeout(Some(Duration::from_secs(10)));
    if write!(
        c,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return 0;
    }
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Waits until `addr` answers `/healthz` with 200.
pub fn wait_ready(addr: &str) {
    let until = Instant::now() + Duration::from_secs(15);
    while Instant::now() < until {
        if status(addr, "/healthz") == 200 {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{addr} did not come up");
}

/// Starts `dashkit serve --root fixtures/dash --bind ADDR --access-log LOG EXTRA...` and waits
/// until it answers.
pub fn start_origin(addr: &str, log: &Path, extra: &[&str]) -> Proc {
    let p = Proc(
        Command::new(env!("CARGO_BIN_EXE_dashkit"))
            .arg("serve")
            .arg("--root")
            .arg(repo().join("fixtures/dash"))
            .args(["--bind", addr, "--access-log"])
            .arg(log)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(addr);
    p
}

/// Renders the template as its header says (`envsubst` with the four names only) and starts
/// nginx on it (`nginx -p EDGE_DIR -c edge.conf`), without root.
pub fn start_edge(dir: &Path, listen: &str, origin: &str, backup: &str) -> Proc {
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    let template = std::fs::read(repo().join("deploy/nginx/edge.conf.template")).unwrap();
    let mut envsubst = Command::new(tool("envsubst"))
        .arg("$EDGE_LISTEN $ORIGIN $BACKUP_ORIGIN $EDGE_DIR")
        .env("EDGE_LISTEN", listen)
        .env("ORIGIN", origin)
        .env("BACKUP_ORIGIN", backup)
        .env("EDGE_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    envsubst.stdin.take().unwrap().write_all(&template).unwrap();
    let out = envsubst.wait_with_output().unwrap();
    assert!(out.status.success());
    let conf = String::from_utf8(out.stdout).unwrap();
    assert!(
        conf.contains("$upstream_cache_status"),
        "nginx's own variables survive"
    );
    assert!(!conf.contains("$EDGE_DIR") && !conf.contains("$ORIGIN"));
    std::fs::write(dir.join("edge.conf"), conf).unwrap();
    let child = Command::new(tool("nginx"))
        .arg("-p")
        .arg(dir)
        .args(["-c", "edge.conf"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let p = Proc(child);
    wait_ready(listen);
    p
}

/// One line of the origin's access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginLine {
    /// The request target (path and query).
    pub target: String,
    /// The status answered.
    pub status: u16,
    /// The `Host` asked for (`-` without one).
    pub host: String,
}

/// The origin's access log so far. Its writer flushes within 200 ms: wait that long after the
/// last request of interest.
pub fn origin_log(log: &Path) -> Vec<OriginLine> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut q = l.split('"');
            let request = q.nth(1)?;
            let after = q.next()?;
            let host = q.next()?;
            Some(OriginLine {
                target: request.split(' ').nth(1)?.to_string(),
                status: after.split_whitespace().next()?.parse().ok()?,
                host: host.to_string(),
            })
        })
        .collect()
}

/// One line of an edge's access log (the template's `edge` format).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeLine {
    /// The request target.
    pub target: String,
    /// The status the edge answered.
    pub status: u16,
    /// `$upstream_cache_status`: `MISS`, `HIT`, `EXPIRED`, `REVALIDATED`, `UPDATING`, `-`...
    pub cache: String,
    /// The origin's status when the edge asked it (`None`: answered from the cache alone).
    pub upstream_status: Option<u16>,
    /// The origins asked (`$upstream_addr`: `host:port`, several when it moved on to the
    /// next); empty when none was.
    pub upstream: String,
    /// When the edge's answer ended, seconds since the Unix epoch (`$msec`).
    pub end_s: f64,
    /// How long the edge's answer took (`$request_time`), seconds.
    pub took_s: f64,
    /// The `max-age` of the origin's `Cache-Control`, when the edge asked it.
    pub upstream_max_age: Option<u64>,
}

impl EdgeLine {
    /// When the request reached the edge, seconds since the Unix epoch.
    pub fn start_s(&self) -> f64 {
        self.end_s - self.took_s
    }
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(&format!(" {key}="))? + key.len() + 2;
    let rest = &line[at..];
    if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next()
    } else {
        rest.split(' ').next()
    }
}

/// An edge's access log so far (`EDGE_DIR/logs/access.log`; nginx writes each line as the
/// answer ends).
pub fn edge_log(edge_dir: &Path) -> Vec<EdgeLine> {
    let text = std::fs::read_to_string(edge_dir.join("logs/access.log")).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut q = l.split('"');
            let request = q.nth(1)?;
            let after = q.next()?;
            let upstream_status = field(l, "upstream_status")
                .and_then(|s| s.split([',', ':', ' ']).rfind(|x| !x.is_empty()))
                .and_then(|s| s.trim().parse().ok());
            Some(EdgeLine {
                target: request.split(' ').nth(1)?.to_string(),
                status: after.split_whitespace().next()?.parse().ok()?,
                cache: field(l, "cache")?.to_string(),
                upstream_status,
                upstream: field(l, "upstream")
                    .filter(|u| *u != "-")
                    .unwrap_or("")
                    .to_string(),
                end_s: field(l, "t")?.parse().ok()?,
                took_s: field(l, "rt")?.parse().ok()?,
                upstream_max_age: field(l, "upstream_cc").and_then(|cc| {
                    cc.split("max-age=")
                        .nth(1)?
                        .split(',')
                        .next()?
                        .trim()
                        .parse()
                        .ok()
                }),
            })
        })
        .collect()
}
