//! Fan-out of a channel being ingested (issue 15): starts `dashkit serve --ingest-token T`,
//! uploads a CMAF stream in real time as a low-latency encoder does (each segment one PUT with
//! chunked transfer encoding, one 500 ms CMAF chunk at a time: the `ffmpeg_livesim` fixture's
//! video segments cut by `dashkit::live::chunk::chunk_segment`), and has N readers fetch each
//! segment from `/live/<channel>/` while it is being uploaded. For every chunk it measures the
//! delay from the chunk's last byte being written by the encoder to each reader having it, and
//! reads the server's memory (`/proc/<pid>/status`) before the readers connect, while they all
//! wait, and at the end. Relayed chunks are those uploaded while the reader's answer was
//! already under way (the delay the origin adds); a chunk uploaded before the reader's GET
//! was answered comes in the first burst (request time included) and is counted apart.
//!
//!   bash benches/load/fanout.sh 1000 10000
//!
//! Prints one `RESULT` line per run. Plain HTTP/1.1 over tokio sockets (no client library), so
//! the measuring side stays small next to the server.

use std::io::{Error, ErrorKind};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashkit::bmff::patch::Part;
use dashkit::live::chunk::{chunk_segment, ChunkSpec};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;

const TOKEN: &str = "fanout-token";
const CHANNEL: &str = "fan";
const CHUNK_MS: u64 = 500;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The server's memory in kB: (VmRSS, VmHWM).
fn memory_kb(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The segments to upload: each a list of CMAF chunks (bytes), and the init segment.
fn stream(segments: u32) -> (Vec<u8>, Vec<Vec<Vec<u8>>>) {
    let init = dashkit_benches::fixture("dash/ffmpeg_livesim/0/init.mp4");
    let mut out = Vec::new();
    for k in 0..segments {
        let vod_nr = 2 + k % 4; // the four 2 s segments of the loop
        let vod = dashkit_benches::fixture(&format!("dash/ffmpeg_livesim/0/{vod_nr}.m4s"));
        let spec = ChunkSpec {
            chunk_duration_ms: CHUNK_MS,
            timescale: 12_800,
            sequence_number: k + 1,
            tfdt_offset_ticks: u64::from(k) * 25_600 + 10 * 12_800,
        };
        let chunks = chunk_segment(&vod, Some(&init), &spec).unwrap_or_else(|e| panic!("{e}"));
        out.push(
            chunks
                .into_iter()
                .map(|c| {
                    c.parts
                        .iter()
                        .flat_map(|p| match p {
                            Part::Owned(v) => v.clone(),
                            Part::Borrowed(s) => s.to_vec(),
                        })
                        .collect()
                })
                .collect(),
        );
    }
    (init, out)
}

async fn read_head<R: AsyncBufReadExt + Unpin>(
    r: &mut R,
) -> std::io::Result<(u16, Option<u64>, bool)> {
    let mut line = String::new();
    let (mut status, mut len, mut chunked) = (0, None, false);
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Err(Error::new(ErrorKind::UnexpectedEof, "connection closed"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            return Ok((status, len, chunked));
        }
        if let Some(rest) = l.strip_prefix("HTTP/1.1 ") {
            status = rest.get(..3).and_then(|s| s.parse().ok()).unwrap_or(0);
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().ok();
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
}

/// Reads a body, calling `got(total)` after each piece arrives.
async fn read_body<R: AsyncBufReadExt + Unpin>(
    r: &mut R,
    len: Option<u64>,
    chunked: bool,
    mut got: impl FnMut(u64),
) -> std::io::Result<u64> {
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    if !chunked {
        let mut left = len.unwrap_or(0);
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let n = r.read(&mut buf[..want]).await?;
            if n == 0 {
                return Err(Error::new(ErrorKind::UnexpectedEof, "body cut off"));
            }
            left -= n as u64;
            total += n as u64;
            got(total);
        }
        return Ok(total);
    }
    let mut line = String::new();
    loop {
        line.clear();
        r.read_line(&mut line).await?;
        let size = u64::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| Error::new(ErrorKind::InvalidData, "bad chunk size"))?;
        if size == 0 {
            line.clear();
            r.read_line(&mut line).await?; // the final CRLF
            return Ok(total);
        }
        let mut left = size;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let n = r.read(&mut buf[..want]).await?;
            if n == 0 {
                return Err(Error::new(ErrorKind::UnexpectedEof, "chunk cut off"));
            }
            left -= n as u64;
            total += n as u64;
        }
        got(total);
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf).await?;
    }
}

async fn put_whole(addr: SocketAddr, path: &str, body: &[u8]) -> std::io::Result<u16> {
    let s = TcpStream::connect(addr).await?;
    let mut r = BufReader::new(s);
    let head = format!(
        "PUT /ingest/{CHANNEL}/{path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    r.get_mut().write_all(head.as_bytes()).await?;
    r.get_mut().write_all(body).await?;
    let (status, len, chunked) = read_head(&mut r).await?;
    read_body(&mut r, len, chunked, |_| {}).await?;
    Ok(status)
}

/// A chunk a reader received: segment, chunk index, when it arrived, and when the reader's
/// answer started (chunks uploaded before that came in the first burst, not relayed).
type Got = (u32, usize, Instant, Instant);

/// What readers are told: the segment now being uploaded (1-based; 0 none yet, u32::MAX done).
type Live = watch::Receiver<u32>;

/// One reader: for each segment announced, GET it (again after a 404: the upload may not be
/// visible yet) and note when the end of each chunk arrived.
async fn reader(
    addr: SocketAddr,
    mut live: Live,
    ends: Arc<Vec<Vec<u64>>>,
) -> std::io::Result<Vec<Got>> {
    let s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut r = BufReader::new(s);
    let mut seen = Vec::new();
    let mut last = 0;
    loop {
        let seg = loop {
            let v = *live.borrow_and_update();
            if v != last {
                break v;
            }
            if live.changed().await.is_err() {
                return Ok(seen);
            }
        };
        if seg == u32::MAX {
            return Ok(seen);
        }
        last = seg;
        let idx = (seg - 1) as usize;
        loop {
            let req = format!(
                "GET /live/{CHANNEL}/chunk-stream0-{seg:05}.m4s HTTP/1.1\r\nHost: x\r\n\r\n"
            );
            r.get_mut().write_all(req.as_bytes()).await?;
            let (status, len, chunked) = read_head(&mut r).await?;
            if status != 200 {
                read_body(&mut r, len, chunked, |_| {}).await?;
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            let attached = Instant::now();
            let seg_ends = &ends[idx];
            let mut next = 0;
            read_body(&mut r, len, chunked, |total| {
                while next < seg_ends.len() && total >= seg_ends[next] {
                    seen.push((seg, next, Instant::now(), attached));
                    next += 1;
                }
            })
            .await?;
            break;
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let readers: usize = arg("--readers")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let segments: u32 = arg("--segments").and_then(|v| v.parse().ok()).unwrap_or(4);
    let port: u16 = arg("--port").and_then(|v| v.parse().ok()).unwrap_or(18071);
    let bin = arg("--dashkit").unwrap_or_else(|| "target/release/dashkit".into());
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let server = Server(
        Command::new(&bin)
            .args(["serve", "--root", "fixtures/dash", "--access-log", "off"])
            .args(["--bind", &addr.to_string(), "--ingest-token", TOKEN])
            .stdout(Stdio::null())
            .spawn()?,
    );
    let pid = server.0.id();
    let mut up = false;
    for _ in 0..100 {
        if TcpStream::connect(addr).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !up {
        return Err(Error::other("dashkit serve did not start"));
    }
    let (init, segs) = stream(segments);
    // End offset (in the segment body) of each chunk.
    let ends: Arc<Vec<Vec<u64>>> = Arc::new(
        segs.iter()
            .map(|chunks| {
                let mut at = 0u64;
                chunks
                    .iter()
                    .map(|c| {
                        at += c.len() as u64;
                        at
                    })
                    .collect()
            })
            .collect(),
    );
    let status = put_whole(addr, "init-stream0.m4s", &init).await?;
    assert_eq!(status, 201, "init upload");
    let base = memory_kb(pid);

    let (tx, rx) = watch::channel(0u32);
    let mut tasks = Vec::with_capacity(readers);
    for _ in 0..readers {
        let (rx, ends) = (rx.clone(), Arc::clone(&ends));
        tasks.push(tokio::spawn(reader(addr, rx, ends)));
    }
    // Let every reader connect (idle keep-alive connections) before the stream starts.
    tokio::time::sleep(Duration::from_millis(500 + readers as u64 / 5)).await;

    let mut uploaded: Vec<Vec<Instant>> = Vec::new();
    let mut waiting = (0, 0);
    for (k, chunks) in segs.iter().enumerate() {
        let seg = k as u32 + 1;
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        let mut w = BufReader::new(s);
        let head = format!(
            "PUT /ingest/{CHANNEL}/chunk-stream0-{seg:05}.m4s HTTP/1.1\r\nHost: x\r\n\
             Authorization: Bearer {TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        w.get_mut().write_all(head.as_bytes()).await?;
        let start = Instant::now();
        let mut times = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            tokio::time::sleep_until((start + Duration::from_millis(CHUNK_MS * i as u64)).into())
                .await;
            let mut frame = format!("{:x}\r\n", c.len()).into_bytes();
            frame.extend_from_slice(c);
            frame.extend_from_slice(b"\r\n");
            times.push(Instant::now());
            w.get_mut().write_all(&frame).await?;
            if i == 0 {
                tx.send_replace(seg); // readers come for it
            }
            if i == chunks.len() / 2 && k == 0 {
                // Mid-segment: every reader is waiting for the next chunk.
                waiting = memory_kb(pid);
            }
        }
        w.get_mut().write_all(b"0\r\n\r\n").await?;
        let (status, len, chunked) = read_head(&mut w).await?;
        read_body(&mut w, len, chunked, |_| {}).await?;
        assert!(status == 201 || status == 200, "segment {seg}: {status}");
        uploaded.push(times);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    tx.send_replace(u32::MAX);
    let mut first = Vec::new();
    let mut later = Vec::new();
    let mut failed = 0;
    let mut missing = 0usize;
    let expected: usize = segs.iter().map(Vec::len).sum();
    for t in tasks {
        match tokio::time::timeout(Duration::from_secs(30), t).await {
            Ok(Ok(Ok(seen))) => {
                missing += expected.saturating_sub(seen.len());
                for (seg, i, at, attached) in seen {
                    let sent = uploaded[(seg - 1) as usize][i];
                    let ms = at.saturating_duration_since(sent).as_secs_f64() * 1000.0;
                    if sent >= attached {
                        later.push(ms)
                    } else {
                        first.push(ms)
                    }
                }
            }
            _ => failed += 1,
        }
    }
    let end = memory_kb(pid);
    first.sort_by(f64::total_cmp);
    later.sort_by(f64::total_cmp);
    let per_reader = (waiting.0.saturating_sub(base.0) as f64) / readers.max(1) as f64;
    println!(
        "RESULT readers={readers} segments={segments} chunks_per_reader={expected} \
         relayed_chunks={} relay_ms(p50/p99/max)={:.2}/{:.2}/{:.2} \
         burst_chunks={} burst_ms(p50/p99)={:.2}/{:.2} \
         failed_readers={failed} missing_chunks={missing} rss_kb(before/waiting/end)={}/{}/{} \
         hwm_kb={} rss_per_waiting_reader_kb={per_reader:.1}",
        later.len(),
        percentile(&later, 0.5),
        percentile(&later, 0.99),
        later.last().copied().unwrap_or(f64::NAN),
        first.len(),
        percentile(&first, 0.5),
        percentile(&first, 0.99),
        base.0,
        waiting.0,
        end.0,
        end.1,
    );
    drop(server);
    Ok(())
}
