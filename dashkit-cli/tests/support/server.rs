//! A `dashkit serve` process for tests, and a raw HTTP/1.1 client that can send what a
//! browser never would (traversal attempts, malformed and oversized requests).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server, killed on drop.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub banner: String,
    /// What the server wrote to stderr so far.
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts `dashkit serve --root ROOT --bind 127.0.0.1:0 EXTRA...` and waits for its banner.
    pub fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dashkit"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--bind", "127.0.0.1:0", "--access-log", "off"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dashkit serve");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let err_pipe = child.stderr.take().unwrap();
        let sink = std::sync::Arc::clone(&stderr);
        std::thread::spawn(move || {
            for l in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&l);
                s.push('\n');
            }
        });
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("banner").expect("banner line");
        let addr = first
            .split("http://")
            .nth(1)
            .expect("address in banner")
            .trim()
            .to_string();
        let mut banner = first.clone();
        // Read the rest of the banner without blocking the server later: a thread drains it.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        std::thread::sleep(Duration::from_millis(100));
        while let Ok(l) = rx.try_recv() {
            banner.push('\n');
            banner.push_str(&l);
        }
        let s = Server {
            child,
            addr,
            banner,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while s.get("/healthz").status != 200 {
            assert!(Instant::now() < deadline, "server did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    /// Sends raw bytes and reads the whole answer (the server closes after `Connection:
    /// close`, or the read times out).
    pub fn raw(&self, request: &[u8]) -> Reply {
        let mut c = TcpStream::connect(&self.addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        // The server may answer and close before a huge request is fully written.
        let _ = c.write_all(request);
        let mut buf = Vec::new();
        let _ = c.read_to_end(&mut buf);
        Reply::parse(&buf)
    }

    /// A GET with `Connection: close`.
    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[])
    }

    /// A request with extra header lines.
    pub fn request(&self, method: &str, target: &str, headers: &[&str]) -> Reply {
        let mut r = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for h in headers {
            r.push_str(h);
            r.push_str("\r\n");
        }
        r.push_str("Connection: close\r\n\r\n");
        self.raw(r.as_bytes())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP/1.1 response.
#[derive(Debug, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn parse(buf: &[u8]) -> Reply {
        let Some(split) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Reply::default();
        };
        let head = String::from_utf8_lossy(&buf[..split]);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = buf[split + 4..].to_vec();
        let chunked = headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        if chunked {
            body = dechunk(&body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..eol])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 || b.len() < eol + 2 + size {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[(eol + 4 + size).min(b.len())..];
    }
}
