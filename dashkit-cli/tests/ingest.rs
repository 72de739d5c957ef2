//! The low-latency origin of `dashkit serve` over real sockets: tokens, chunk-by-chunk relay
//! of a segment still being uploaded (with the measured delay), encoder faults, a second
//! encoder, windows and DELETE, and a reader slower than the encoder.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::server::Server;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

const TOKEN: &str = "t0ken";

fn start(extra: &[&str]) -> Server {
    let mut args = vec!["--ingest-token", TOKEN];
    args.extend_from_slice(extra);
    Server::start(&fixtures(), &args)
}

/// A real multi-chunk CMAF segment: the VoD fixture's segment cut into 500 ms chunks by the
/// server's own `chunkdur_` output (at an instant when it is complete), and its init.
fn chunked_segment(server: &Server) -> (Vec<u8>, Vec<u8>) {
    let r = server.get("/livesim/chunkdur_0.5/ffmpeg_livesim/0/500.m4s?nowMS=1004000");
    assert_eq!(r.status, 200, "{}", r.text());
    let init = std::fs::read(fixtures().join("ffmpeg_livesim/0/init.mp4")).unwrap();
    (r.body, init)
}

/// Top-level box ranges of `b`.
fn boxes(b: &[u8]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= b.len() {
        let size = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        out.push((
            String::from_utf8_lossy(&b[at + 4..at + 8]).into(),
            at,
            at + size,
        ));
        at += size;
    }
    out
}

/// The segment's chunks as byte ranges: styp with the first moof + mdat, then each moof + mdat.
fn chunk_ranges(seg: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut v = Vec::new();
    let mut start = 0;
    for (kind, _, end) in boxes(seg) {
        if kind == "mdat" {
            v.push(start..end);
            start = end;
        }
    }
    v
}

/// An upload in progress with chunked transfer encoding.
struct Upload(TcpStream);

impl Upload {
    fn start(server: &Server, path: &str, token: &str) -> Upload {
        let mut c = TcpStream::connect(&server.addr).unwrap();
        c.set_nodelay(true).unwrap();
        write!(
            c,
            "PUT /ingest/{path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        Upload(c)
    }
    /// Sends a chunk; a server that already refused the upload may have closed the socket.
    fn send(&mut self, b: &[u8]) {
        let mut msg = format!("{:x}\r\n", b.len()).into_bytes();
        msg.extend_from_slice(b);
        msg.extend_from_slice(b"\r\n");
        let _ = self.0.write_all(&msg);
    }
    fn finish(mut self) -> u16 {
        let _ = self.0.write_all(b"0\r\n\r\n");
        self.0
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = Vec::new();
        let _ = self.0.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf)
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

fn put(server: &Server, path: &str, token: &str, body: &[u8]) -> u16 {
    let mut u = Upload::start(server, path, token);
    u.send(body);
    u.finish()
}

/// A reader of `/live/...` that records when each byte arrived.
struct Reader {
    c: TcpStream,
    head_done: bool,
    raw: Vec<u8>,
}

impl Reader {
    fn open(server: &Server, path: &str) -> Reader {
        let mut c = TcpStream::connect(&server.addr).unwrap();
        write!(
            c,
            "GET /live/{path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        c.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        Reader {
            c,
            head_done: false,
            raw: Vec::new(),
        }
    }
    /// Reads until `want` body bytes (de-chunked) arrived or `limit` passed; returns the body.
    fn until(&mut self, want: usize, limit: Duration) -> Vec<u8> {
        let t = Instant::now();
        loop {
            let body = self.body();
            if body.len() >= want || t.elapsed() > limit {
                return body;
            }
            let mut buf = [0u8; 65536];
            match self.c.read(&mut buf) {
                Ok(0) => return self.body(),
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
        }
    }
    fn body(&mut self) -> Vec<u8> {
        let Some(split) = self.raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Vec::new();
        };
        self.head_done = true;
        let mut b = &self.raw[split + 4..];
        let mut out = Vec::new();
        while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16)
                .unwrap_or(0);
            if size == 0 || b.len() < eol + 2 + size + 2 {
                break;
            }
            out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
            b = &b[eol + 4 + size..];
        }
        out
    }
    /// Whether the chunked body ended with its terminator (a clean end).
    fn ended_cleanly(&self) -> bool {
        self.raw.ends_with(b"0\r\n\r\n")
    }
}

/// Waits until the server has taken an upload in (its admission runs as the request arrives).
fn wait_for(server: &Server, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.request("HEAD", path, &[]).status != 200 {
        assert!(Instant::now() < deadline, "{path} never appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn tokens_gate_the_ingest() {
    let off = Server::start(&fixtures(), &[]);
    assert_eq!(put(&off, "ch/a.mpd", "x", b"<MPD/>"), 403);
    let server = start(&[]);
    // DASH-IF Live Media Ingest §4.3 item 4: wrong credentials are 403; without any, 401
    // with a challenge lets clients that authenticate on one (ffmpeg) answer it.
    assert_eq!(put(&server, "ch/manifest.mpd", "wrong", b"<MPD/>"), 403);
    assert_eq!(put(&server, "ch/manifest.mpd", "", b"<MPD/>"), 401);
    // Nothing was stored: not even the channel exists.
    assert_eq!(server.get("/live/ch/manifest.mpd").status, 404);
    assert_eq!(put(&server, "ch/manifest.mpd", TOKEN, b"<MPD/>"), 201);
    assert_eq!(server.get("/live/ch/manifest.mpd").text(), "<MPD/>");
    // An incorrect path is 403 (DASH-IF Live Media Ingest §4.3 item 4).
    assert_eq!(put(&server, "bad%20name/x.mpd", TOKEN, b"<MPD/>"), 403);
    assert_eq!(put(&server, "ch/../x.mpd", TOKEN, b"<MPD/>"), 403);
}

/// A GET of a segment being uploaded gets each chunk as it completes: the delay from the
/// chunk's last byte leaving the encoder to its arrival at the reader is measured.
#[test]
fn readers_get_each_chunk_as_it_arrives() {
    let server = start(&[]);
    let (seg, init) = chunked_segment(&server);
    let chunks = chunk_ranges(&seg);
    assert!(chunks.len() >= 3, "{}", chunks.len());
    assert_eq!(put(&server, "ll/init-stream0.m4s", TOKEN, &init), 201);
    let mut up = Upload::start(&server, "ll/chunk-stream0-00001.m4s", TOKEN);
    up.send(&seg[chunks[0].clone()]);
    wait_for(&server, "/live/ll/chunk-stream0-00001.m4s");
    let mut reader = Reader::open(&server, "ll/chunk-stream0-00001.m4s");
    let got = reader.until(chunks[0].end, Duration::from_secs(2));
    assert_eq!(got, seg[..chunks[0].end], "first chunk");
    let mut delays = Vec::new();
    for r in &chunks[1..] {
        // Half a chunk first: the reader must not see it before the chunk is whole.
        let mid = r.start + (r.end - r.start) / 2;
        up.send(&seg[r.start..mid]);
        let partial = reader.until(mid, Duration::from_millis(150));
        assert_eq!(partial.len(), r.start, "a half chunk was relayed");
        let sent = Instant::now();
        up.send(&seg[mid..r.end]);
        let got = reader.until(r.end, Duration::from_secs(2));
        delays.push(sent.elapsed());
        assert_eq!(got, seg[..r.end]);
    }
    assert_eq!(up.finish(), 201);
    let all = reader.until(seg.len() + 1, Duration::from_secs(2));
    assert_eq!(all, seg);
    assert!(reader.ended_cleanly());
    let worst = delays.iter().max().unwrap();
    eprintln!(
        "chunk relay delay (upload of the chunk's last byte -> reader has it): max {:.2} ms over {} chunks",
        worst.as_secs_f64() * 1000.0,
        delays.len()
    );
    // One chunk duration is 500 ms; the relay must take a small part of it.
    assert!(*worst < Duration::from_millis(500), "{delays:?}");
    // A complete segment is sent whole, with its length.
    let r = server.get("/live/ll/chunk-stream0-00001.m4s");
    assert_eq!(r.body, seg);
    assert_eq!(
        r.header("content-length"),
        Some(seg.len().to_string().as_str())
    );
}

#[test]
fn encoder_disconnect_mid_segment_leaves_it_incomplete() {
    let server = start(&[]);
    let (seg, _) = chunked_segment(&server);
    let chunks = chunk_ranges(&seg);
    let mut up = Upload::start(&server, "f/seg-00001.m4s", TOKEN);
    up.send(&seg[..chunks[1].end]);
    up.send(&seg[chunks[2].start..chunks[2].start + 100]); // a piece of chunk 3
    wait_for(&server, "/live/f/seg-00001.m4s");
    let mut reader = Reader::open(&server, "f/seg-00001.m4s");
    assert_eq!(
        reader.until(chunks[1].end, Duration::from_secs(2)).len(),
        chunks[1].end
    );
    drop(up); // the encoder goes away
    let got = reader.until(usize::MAX, Duration::from_secs(3));
    assert_eq!(got, seg[..chunks[1].end], "what arrived, whole chunks only");
    assert!(reader.ended_cleanly(), "a clean end for the reader");
    // Later readers get the same; the encoder carries on with the next segment, and may
    // also upload the broken one again.
    assert_eq!(
        server.get("/live/f/seg-00001.m4s").body,
        seg[..chunks[1].end]
    );
    assert_eq!(put(&server, "f/seg-00002.m4s", TOKEN, &seg), 201);
    assert_eq!(put(&server, "f/seg-00001.m4s", TOKEN, &seg), 201);
    assert_eq!(server.get("/live/f/seg-00001.m4s").body, seg);
}

#[test]
fn a_second_encoder_is_refused_unless_standby() {
    let server = start(&["--standby-token", "backup", "--failover-s", "2"]);
    let (seg, _) = chunked_segment(&server);
    assert_eq!(put(&server, "c/seg-00005.m4s", TOKEN, &seg), 201);
    // Another encoder on the same channel starts over at 1: refused, nothing stored.
    assert_eq!(put(&server, "c/seg-00001.m4s", TOKEN, &seg), 409);
    assert_eq!(server.get("/live/c/seg-00001.m4s").status, 404);
    // Two uploads of one file at once: the second is refused.
    let mut a = Upload::start(&server, "c/seg-00006.m4s", TOKEN);
    a.send(&seg[..100]);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(put(&server, "c/seg-00006.m4s", TOKEN, &seg), 409);
    a.send(&seg[100..]);
    assert_eq!(a.finish(), 201);
    // The standby is accepted but not stored while the primary is live...
    assert_eq!(put(&server, "c/seg-00001.m4s", "backup", &seg), 202);
    assert_eq!(server.get("/live/c/seg-00001.m4s").status, 404);
    // ...and takes over once the primary has been silent for the failover time.
    std::thread::sleep(Duration::from_millis(2300));
    assert_eq!(put(&server, "c/seg-00001.m4s", "backup", &seg), 201);
    assert_eq!(server.get("/live/c/seg-00001.m4s").body, seg);
}

#[test]
fn window_and_delete_bound_a_channel() {
    let server = start(&["--window", "2"]);
    let (seg, init) = chunked_segment(&server);
    assert_eq!(put(&server, "w/init.mp4", TOKEN, &init), 201);
    // Per-stream inits in any order (ffmpeg uploads them at once): their digits name streams.
    assert_eq!(put(&server, "w/init-stream1.m4s", TOKEN, &init), 201);
    assert_eq!(put(&server, "w/init-stream0.m4s", TOKEN, &init), 201);
    for n in 1..=4 {
        assert_eq!(put(&server, &format!("w/seg-{n:05}.m4s"), TOKEN, &seg), 201);
    }
    assert_eq!(server.get("/live/w/seg-00001.m4s").status, 404);
    assert_eq!(server.get("/live/w/seg-00002.m4s").status, 404);
    assert_eq!(server.get("/live/w/seg-00003.m4s").status, 200);
    assert_eq!(server.get("/live/w/init.mp4").status, 200, "init is kept");
    assert_eq!(server.get("/live/w/init-stream0.m4s").status, 200);
    // Complete segments a shared cache may keep until they leave the window (window 2: the
    // newest for one more 2 s segment, the other not at all); inits and MPDs are no-cache.
    let cc = |p: &str| server.get(p).header("cache-control").map(str::to_owned);
    assert_eq!(
        cc("/live/w/seg-00004.m4s").as_deref(),
        Some("public, max-age=2")
    );
    assert_eq!(cc("/live/w/seg-00003.m4s").as_deref(), Some("no-cache"));
    assert_eq!(cc("/live/w/init-stream0.m4s").as_deref(), Some("no-cache"));
    let r = server.request(
        "DELETE",
        "/ingest/w/seg-00003.m4s",
        &[&format!("Authorization: Bearer {TOKEN}")],
    );
    assert_eq!(r.status, 204);
    assert_eq!(server.get("/live/w/seg-00003.m4s").status, 404);
    let r = server.request(
        "DELETE",
        "/ingest/w/seg-00003.m4s",
        &["Authorization: Bearer no"],
    );
    assert_eq!(r.status, 403);
    // Oversized uploads are refused.
    let small = start(&["--ingest-max-mb", "1"]);
    let big = vec![0u8; 3 << 20];
    assert_eq!(put(&small, "b/seg-00001.m4s", TOKEN, &big), 413);
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// A reader that does not read while the encoder uploads 40 MB: the server keeps one copy
/// of the segment (bounded by the upload cap), not a growing queue per reader.
#[test]
fn a_slow_reader_does_not_grow_memory() {
    let server = start(&["--ingest-max-mb", "64"]);
    let (seg, _) = chunked_segment(&server);
    let chunks = chunk_ranges(&seg);
    let body: Vec<u8> = seg[chunks[1].clone()].to_vec(); // one moof + mdat
    let before = rss_kb(server.child.id());
    let mut up = Upload::start(&server, "s/seg-00001.m4s", TOKEN);
    up.send(&seg[..chunks[0].end]);
    wait_for(&server, "/live/s/seg-00001.m4s");
    // Several readers that never read past their socket buffers.
    let stalled: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut c = TcpStream::connect(&server.addr).unwrap();
            write!(c, "GET /live/s/seg-00001.m4s HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            c
        })
        .collect();
    let mut sent = 0usize;
    while sent < 40 << 20 {
        up.send(&body);
        sent += body.len();
    }
    assert_eq!(up.finish(), 201);
    std::thread::sleep(Duration::from_millis(300));
    let after = rss_kb(server.child.id());
    let grown_mb = after.saturating_sub(before) / 1024;
    eprintln!("server RSS grew by {grown_mb} MB for a 40 MB upload with 4 stalled readers");
    // One stored copy (40 MB) plus parsing slack; four readers' queues would add 160 MB.
    assert!(grown_mb < 80, "{grown_mb} MB");
    drop(stalled);
}

/// A POST with a Content-Length (DASH-IF Live Media Ingest sources POST as often as PUT).
fn post(server: &Server, path: &str, headers: &[&str], body: &[u8]) -> u16 {
    let mut r = format!(
        "POST /ingest/{path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        r.push_str(h);
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    let mut msg = r.into_bytes();
    msg.extend_from_slice(body);
    server.raw(&msg).status
}

/// The init segment's bytes up to the end of its moov (the CMAF header), and the segment
/// with the given top-level box types removed.
fn header_of(init: &[u8]) -> Vec<u8> {
    let end = boxes(init)
        .into_iter()
        .find(|(k, _, _)| k == "moov")
        .map(|(_, _, e)| e)
        .unwrap();
    init[..end].to_vec()
}

/// DASH-IF Live Media Ingest interface 1 over HTTP: a probe, the CMAF header first, one
/// segment per request at the track's URL (`Streams(name)`), and the spec's error codes.
#[test]
fn cmaf_ingest_tracks_and_error_codes() {
    let server = start(&["--ingest-channel", "live"]);
    let (seg, init) = chunked_segment(&server);
    let header = header_of(&init);
    // The source's probe: an empty POST to the publishing point.
    assert_eq!(post(&server, "live", &[], b""), 200);
    // 404: not a publishing point.
    assert_eq!(post(&server, "other/Streams(v)", &[], &header), 404);
    // 412: media before the track's CMAF header.
    assert_eq!(post(&server, "live/Streams(video)", &[], &seg), 412);
    assert_eq!(post(&server, "live/Streams(video)", &[], &header), 201);
    // 415: not media.
    assert_eq!(
        post(
            &server,
            "live/Streams(video)",
            &["Content-Type: text/html"],
            &seg
        ),
        415
    );
    assert_eq!(
        post(&server, "live/Streams(video)", &[], b"<html></html>"),
        415
    );
    // 400: broken CMAF (cut inside its last box).
    assert_eq!(
        post(&server, "live/Streams(video)", &[], &seg[..seg.len() - 3]),
        400
    );
    // One segment per request, chunked or not; read back by its decode time.
    let mut up = Upload::start(&server, "live/Streams(video)", TOKEN);
    up.send(&seg);
    assert_eq!(up.finish(), 201);
    let tfdt = {
        let events = dashkit::cmaf::parse_all(&seg).unwrap();
        events
            .iter()
            .find_map(|e| match e {
                dashkit::cmaf::StreamEvent::Chunk(c) => c.decode_time,
                _ => None,
            })
            .unwrap()
    };
    let r = server.get(&format!("/live/live/video/{tfdt}.m4s"));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, seg);
    assert_eq!(server.get("/live/live/video/init.mp4").body, header);
    // A restarted source re-posting the same segment: tolerated.
    assert_eq!(post(&server, "live/Streams(video)", &[], &seg), 200);
    // 403: wrong credentials, and a path outside the channel.
    let mut r = format!(
        "POST /ingest/live/Streams(video) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        seg.len()
    )
    .into_bytes();
    r.extend_from_slice(&seg);
    assert_eq!(server.raw(&r).status, 403);
    assert_eq!(post(&server, "live/../x/Streams(v)", &[], &header), 403);
}

/// `--store`: what was ingested survives a restart of the origin (killed, not even stopped).
#[test]
fn the_store_reloads_channels_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("dashkit-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.to_str().unwrap().to_string();
    let server = start(&["--store", &store]);
    let (seg, init) = chunked_segment(&server);
    assert_eq!(put(&server, "st/init-stream0.m4s", TOKEN, &init), 201);
    assert_eq!(put(&server, "st/chunk-stream0-00001.m4s", TOKEN, &seg), 201);
    assert_eq!(put(&server, "st/manifest.mpd", TOKEN, b"<MPD/>"), 201);
    let on_disk = dir.join("st/chunk-stream0-00001.m4s");
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read(&on_disk).ok().as_deref() != Some(&seg[..]) {
        assert!(Instant::now() < deadline, "never written to the store");
        std::thread::sleep(Duration::from_millis(20));
    }
    while !dir.join("st/manifest.mpd").exists() {
        assert!(Instant::now() < deadline, "MPD never written to the store");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(server);
    let server = start(&["--store", &store]);
    let r = server.get("/live/st/chunk-stream0-00001.m4s");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, seg);
    assert_eq!(server.get("/live/st/init-stream0.m4s").body, init);
    // The encoder carries on where it was: its numbering is remembered.
    assert_eq!(put(&server, "st/chunk-stream0-00002.m4s", TOKEN, &seg), 201);
    // A clean stop right after an upload: the store is flushed before the process exits.
    let mut server = server;
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(server.child.wait().unwrap().success());
    drop(server);
    let server = start(&["--store", &store]);
    assert_eq!(server.get("/live/st/chunk-stream0-00002.m4s").body, seg);
    drop(server);
    // An unwritable store (a file where the channel's folder should be): a logged, counted
    // error, never a crash, and readers still get the segment from memory.
    let server = start(&["--store", &store]);
    std::fs::remove_dir_all(dir.join("st")).unwrap();
    std::fs::write(dir.join("st"), b"not a folder").unwrap();
    assert_eq!(put(&server, "st/chunk-stream0-00003.m4s", TOKEN, &seg), 201);
    assert_eq!(server.get("/live/st/chunk-stream0-00003.m4s").body, seg);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !server.stderr.lock().unwrap().contains("store error 1:") {
        assert!(
            Instant::now() < deadline,
            "{}",
            server.stderr.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(put(&server, "st/chunk-stream0-00004.m4s", TOKEN, &seg), 201);
    assert_eq!(server.get("/healthz").status, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A low-latency channel's HLS twin over HTTP: a blocking reload for the next part is held
/// until that chunk is uploaded, one too far ahead is 400, and a range of the segment being
/// uploaded (the preload hint's) is sent as its bytes arrive, until the upload ends.
#[test]
fn low_latency_hls_blocks_on_parts_and_streams_ranges() {
    let server = start(&[]);
    let (seg, init) = chunked_segment(&server);
    let chunks = chunk_ranges(&seg);
    assert!(chunks.len() >= 3, "{}", chunks.len());
    let mpd = r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" profiles="urn:mpeg:dash:profile:isoff-live:2011"
     availabilityStartTime="2026-12-08T00:00:00Z" minimumUpdatePeriod="PT500S" minBufferTime="PT2S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" mimeType="video/mp4" contentType="video">
      <Representation id="0" codecs="avc1.4d400c" bandwidth="300000" width="320" height="180">
        <SegmentTemplate timescale="1000" duration="2000" startNumber="1"
          initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>"#;
    assert_eq!(put(&server, "llh/manifest.mpd", TOKEN, mpd.as_bytes()), 201);
    assert_eq!(put(&server, "llh/init-stream0.m4s", TOKEN, &init), 201);
    assert_eq!(
        put(&server, "llh/chunk-stream0-00001.m4s", TOKEN, &seg),
        201
    );
    let playlist = server.get("/live/llh/manifest_0.m3u8").text();
    assert!(playlist.contains("CAN-BLOCK-RELOAD=YES"), "{playlist}");
    assert!(
        playlist.contains(
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"chunk-stream0-00002.m4s\",BYTERANGE-START=0"
        ),
        "{playlist}"
    );
    assert_eq!(
        server.get("/live/llh/manifest_0.m3u8?_HLS_msn=9").status,
        400
    );
    // Segment 2's first part, asked for before its upload began: held.
    let addr = server.addr.clone();
    let blocked = std::thread::spawn(move || {
        let t = Instant::now();
        let mut c = TcpStream::connect(&addr).unwrap();
        write!(
            c,
            "GET /live/llh/manifest_0.m3u8?_HLS_msn=2&_HLS_part=0 HTTP/1.1\r\nHost: x\r\n\
             Connection: close\r\n\r\n"
        )
        .unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = Vec::new();
        let _ = c.read_to_end(&mut buf);
        (t.elapsed(), String::from_utf8_lossy(&buf).into_owned())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !blocked.is_finished(),
        "a blocking reload was answered before its part"
    );
    let mut up = Upload::start(&server, "llh/chunk-stream0-00002.m4s", TOKEN);
    up.send(&seg[chunks[0].clone()]);
    let (waited, reply) = blocked.join().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let part = format!(
        ",URI=\"chunk-stream0-00002.m4s\",INDEPENDENT=YES,BYTERANGE=\"{}@0\"\n",
        chunks[0].end
    );
    assert!(reply.contains(&part), "{reply}");
    assert!(waited >= Duration::from_millis(500), "{waited:?}");
    // The preload hint now: the rest of segment 2, open-ended, sent as it arrives.
    let mut c = TcpStream::connect(&server.addr).unwrap();
    write!(
        c,
        "GET /live/llh/chunk-stream0-00002.m4s HTTP/1.1\r\nHost: x\r\nRange: bytes={}-\r\n\
         Connection: close\r\n\r\n",
        chunks[0].end
    )
    .unwrap();
    let mut reader = Reader {
        c,
        head_done: false,
        raw: Vec::new(),
    };
    reader
        .c
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    assert!(reader.until(1, Duration::from_millis(300)).is_empty());
    let head = String::from_utf8_lossy(&reader.raw).into_owned();
    assert!(head.starts_with("HTTP/1.1 206"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("content-range: bytes {}-", chunks[0].end)),
        "{head}"
    );
    for r in &chunks[1..] {
        up.send(&seg[r.clone()]);
        let got = reader.until(r.end - chunks[0].end, Duration::from_secs(2));
        assert_eq!(got, seg[chunks[0].end..r.end]);
    }
    assert_eq!(up.finish(), 201);
    let all = reader.until(seg.len(), Duration::from_secs(2));
    assert_eq!(all, seg[chunks[0].end..]);
    assert!(reader.ended_cleanly());
    // Complete: a range is a static file's.
    let r = server.request(
        "GET",
        "/live/llh/chunk-stream0-00002.m4s",
        &["Range: bytes=0-99"],
    );
    assert_eq!(r.status, 206);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes 0-99/{}", seg.len()).as_str())
    );
    assert_eq!(r.body, seg[..100]);
}
