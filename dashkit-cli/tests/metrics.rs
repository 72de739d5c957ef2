//! `/metrics`: the Prometheus text parses with `prometheus-parse`, and its counters move as
//! requests are made (livesim2's names: `mpd_requests_total`, `segment_requests_total`, ...).

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use prometheus_parse::{Scrape, Value};
use support::server::Server;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash")
}

fn scrape(server: &Server) -> Scrape {
    let r = server.get("/metrics");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let text = String::from_utf8(r.body).unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format")
}

/// The sum of `name`'s samples whose labels include every `(key, value)` of `want`.
fn value(s: &Scrape, name: &str, want: &[(&str, &str)]) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == name)
        .filter(|x| want.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match &x.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(b) => b.last().map_or(0.0, |b| b.count),
            Value::Summary(_) => 0.0,
        })
        .sum()
}

#[test]
fn counters_move_with_requests() {
    let server = Server::start(&fixtures(), &["--ingest-token", "T"]);
    let before = scrape(&server);
    assert_eq!(value(&before, "segment_requests_total", &[]), 0.0);
    assert_eq!(value(&before, "ingest_last_upload_age_seconds", &[]), -1.0);

    for _ in 0..3 {
        let r = server.get("/livesim/ffmpeg_livesim/0/499.m4s?nowMS=1000000");
        assert_eq!(r.status, 200);
    }
    assert_eq!(
        server
            .get("/livesim/ffmpeg_livesim/manifest.mpd?nowMS=1000000")
            .status,
        200
    );
    assert_eq!(
        server
            .get("/livesim/ffmpeg_livesim/0/600.m4s?nowMS=1000000")
            .status,
        425
    );
    assert_eq!(
        server
            .get("/livesim/ffmpeg_livesim/0/1.m4s?nowMS=1000000")
            .status,
        410
    );
    let mpd = b"<MPD type=\"dynamic\"/>";
    let mut put = format!(
        "PUT /ingest/ch/manifest.mpd HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer T\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        mpd.len()
    )
    .into_bytes();
    put.extend_from_slice(mpd);
    let up = server.raw(&put);
    assert!(matches!(up.status, 200 | 201), "{}", up.status);

    let after = scrape(&server);
    let seg = |code: &str| {
        value(
            &after,
            "segment_requests_total",
            &[("route", "livesim"), ("code", code), ("service", "dashkit")],
        )
    };
    assert_eq!(seg("200"), 3.0);
    assert_eq!(seg("425"), 1.0);
    assert_eq!(seg("410"), 1.0);
    assert_eq!(value(&after, "mpd_requests_total", &[("code", "200")]), 1.0);
    assert_eq!(value(&after, "refused_too_early_total", &[]), 1.0);
    assert_eq!(value(&after, "refused_too_late_total", &[]), 1.0);
    // Five segment answers were timed (the histogram's +Inf bucket counts them all).
    assert_eq!(
        value(&after, "segment_request_duration_milliseconds", &[]),
        5.0
    );
    assert!(value(&after, "response_bytes_total", &[("route", "livesim")]) > 3.0 * 1000.0);
    assert_eq!(
        value(&after, "ingest_received_bytes_total", &[]),
        mpd.len() as f64
    );
    assert_eq!(value(&after, "ingest_uploads_total", &[]), 1.0);
    assert_eq!(value(&after, "ingest_channels", &[]), 1.0);
    assert!(value(&after, "ingest_last_upload_age_seconds", &[]) >= 0.0);
    assert_eq!(value(&after, "ingest_waiting_readers", &[]), 0.0);
    // Each segment answer read its segment file; the fixture fits the in-memory cache.
    assert!(value(&after, "asset_cache_hits_total", &[]) >= 3.0);
    // The first scrape was itself counted as an "other" request.
    assert!(value(&after, "other_requests_total", &[("code", "200")]) >= 1.0);
    // An MPD alone publishes no stream.
    assert_eq!(value(&after, "ingest_streams", &[]), 0.0);
}

/// The ingest gauges move: a media segment upload still arriving makes a stream, a reader of
/// it waits, and both settle when the upload ends.
#[test]
fn ingest_streams_and_waiting_readers_move() {
    let server = Server::start(&fixtures(), &["--ingest-token", "T"]);
    let before = scrape(&server);
    assert_eq!(value(&before, "ingest_streams", &[]), 0.0);
    assert_eq!(value(&before, "ingest_waiting_readers", &[]), 0.0);

    // A chunked PUT whose body has begun (a box header): the segment exists, still being
    // written.
    let mut up = TcpStream::connect(&server.addr).unwrap();
    write!(
        up,
        "PUT /ingest/ch/chunk-stream0-00001.m4s HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer T\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.addr
    )
    .unwrap();
    up.write_all(b"4\r\n\0\0\0\x18\r\n").unwrap();
    up.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while value(&scrape(&server), "ingest_streams", &[]) != 1.0 {
        assert!(Instant::now() < deadline, "the upload made no stream");
        std::thread::sleep(Duration::from_millis(50));
    }
    // A reader of that segment: it gets its head and waits for the body.
    let mut reader = TcpStream::connect(&server.addr).unwrap();
    reader
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        reader,
        "GET /live/ch/chunk-stream0-00001.m4s HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    )
    .unwrap();
    while value(&scrape(&server), "ingest_waiting_readers", &[]) != 1.0 {
        assert!(Instant::now() < deadline, "no reader waiting");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The upload ends (empty): the reader's answer ends and it stops waiting.
    up.write_all(b"0\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = reader.read_to_end(&mut answer);
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    while value(&scrape(&server), "ingest_waiting_readers", &[]) != 0.0 {
        assert!(
            Instant::now() < deadline,
            "the reader still counts as waiting"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = scrape(&server);
    assert_eq!(value(&after, "ingest_streams", &[]), 1.0);
    assert_eq!(value(&after, "ingest_channels", &[]), 1.0);
}
