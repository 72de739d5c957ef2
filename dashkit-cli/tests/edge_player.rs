//! dash.js (headless Chromium) plays through nginx edges rendered from
//! `deploy/nginx/edge.conf.template`, on loopback:
//!
//! - livesim through each of two edges at once for 30 s: the origin's access log shows each
//!   segment fetched at most once per edge, and each edge fetched the MPD at most once per the
//!   `max-age` the origin gave it;
//! - a low-latency channel ingested from ffmpeg (`-ldash 1 -streaming 1`) in dash.js's
//!   low-latency mode through an edge, with a live latency under 3.5 s;
//! - two origins fed by one ffmpeg through its `tee` muxer publish the same MPDs and the same
//!   segment names and bytes; dash.js plays through an edge whose upstream has the second as
//!   `backup`, the primary is killed, and the player goes on without a stall longer than 2 s.
//!
//! Needs nginx, envsubst, ffmpeg, node, Debian's chromium and `npm ci` in tests/player
//! (`bash .ci/test`, `bash .ci/install-player`); missing tools fail the tests unless
//! `DASHKIT_SKIP_PLAYER=1`. The tests take turns (one lock), whatever `--test-threads` says.

#[path = "player/harness.rs"]
mod harness;
mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::{play, play_together, player_tools, PlayOptions, PlayReport};
use support::edge::{
    edge_log, free_addr, origin_log, start_edge, start_origin, EdgeLine, OriginLine, Proc,
};

/// A scratch directory removed on drop.
struct Work(PathBuf);

impl Work {
    fn new(name: &str) -> Work {
        let p = std::env::temp_dir().join(format!("dashkit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Work(p)
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// `GET target` from `addr` with `Host: host`, the whole answer (chunked bodies decoded).
fn get_as(addr: &str, host: &str, target: &str) -> Reply {
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        c,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{target} from {addr}: no response head"));
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let raw = &buf[split + 4..];
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        dechunk(raw)
    } else {
        raw.to_vec()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn get(addr: &str, target: &str) -> Reply {
    get_as(addr, addr, target)
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&raw[..eol]);
        let Ok(n) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16) else {
            break;
        };
        if n == 0 || raw.len() < eol + 2 + n {
            break;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + n]);
        raw = &raw[(eol + 4 + n).min(raw.len())..];
    }
    out
}

fn is_segment(target: &str) -> bool {
    let path = target.split('?').next().unwrap_or("");
    path.ends_with(".m4s") || path.ends_with(".mp4")
}

fn is_mpd(target: &str) -> bool {
    target.split('?').next().unwrap_or("").ends_with(".mpd")
}

/// Each edge's MPD fetches from the origin (per the edge's log) came no sooner than the
/// `max-age` of the copy fetched before (the copy is good from when its answer began, at the
/// latest from when the request was made, so a later request starting before that instant plus
/// `max-age` would be an early fetch); and the origin's log agrees on how many there were.
fn assert_mpd_fetches_per_max_age(what: &str, edge: &[EdgeLine], origin: &[&OriginLine]) {
    let mut by_target: HashMap<&str, Vec<&EdgeLine>> = HashMap::new();
    for l in edge
        .iter()
        .filter(|l| is_mpd(&l.target) && l.upstream_status.is_some())
    {
        by_target.entry(l.target.as_str()).or_default().push(l);
    }
    assert!(!by_target.is_empty(), "{what}: no MPD reached the origin");
    for (target, mut fetches) in by_target {
        fetches.sort_by(|a, b| a.start_s().total_cmp(&b.start_s()));
        for w in fetches.windows(2) {
            let age = w[0].upstream_max_age.unwrap_or(0) as f64;
            // $msec and $request_time are in milliseconds: 2 ms for their rounding.
            assert!(
                w[1].start_s() + 0.002 >= w[0].start_s() + age,
                "{what}: {target} fetched again {:.3} s after a copy good for {age} s: {:?}",
                w[1].start_s() - w[0].start_s(),
                w
            );
        }
        eprintln!(
            "{what}: {target} from the origin {} times, max-ages {:?}",
            fetches.len(),
            fetches
                .iter()
                .map(|l| l.upstream_max_age)
                .collect::<Vec<_>>()
        );
        // A player that refreshes every second for 30 s: many fetches, and some of them
        // cacheable, or the check above checked nothing.
        assert!(
            fetches.len() >= 5 && fetches.iter().any(|l| l.upstream_max_age.unwrap_or(0) > 0),
            "{what}: {target}: {fetches:?}"
        );
        let at_origin = origin.iter().filter(|l| l.target == target).count();
        assert_eq!(
            at_origin,
            fetches.len(),
            "{what}: {target}: the origin's log and the edge's disagree"
        );
    }
}

/// Every segment the origin answered `host` (an edge) with 200, at most once.
fn assert_segments_once(what: &str, origin: &[&OriginLine]) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for l in origin
        .iter()
        .filter(|l| is_segment(&l.target) && l.status == 200)
    {
        *count.entry(l.target.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "{what}: fetched more than once: {twice:?}"
    );
    let mut v: Vec<String> = count.keys().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The player's 425s: each at most 0.2 s early (the player's clock, not the origin's rule), and
/// each segment later fetched from the origin with 200 through the same edge (`listen`), so the
/// edge kept no "too early" once the segment existed. A 425 in the run's last seconds has no
/// later fetch by the player: that segment is asked through the edge here, and must be a 200.
fn assert_too_early_not_kept(what: &str, listen: &str, r: &PlayReport, origin: &[&OriginLine]) {
    for f in r.json["http_failures"].as_array().into_iter().flatten() {
        if f["status"] != 425 {
            continue;
        }
        let body = f["body"].as_str().unwrap_or("");
        let early: f64 = body
            .split(" was ")
            .nth(1)
            .and_then(|b| b.split('s').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::MAX);
        assert!(early <= 0.2, "{what}: {f}");
        let url = f["url"].as_str().unwrap_or("");
        let target = &url[url.find("/livesim/").unwrap_or(0)..];
        let got = origin
            .iter()
            .filter(|l| l.target == target)
            .map(|l| l.status)
            .collect::<Vec<_>>();
        assert_eq!(
            got.first(),
            Some(&425),
            "{what}: {target}: the origin answered {got:?}"
        );
        if got.last() != Some(&200) {
            // Asked too early as the run ended: the edge must not answer from a kept 425.
            let now = get(listen, target);
            assert_eq!(
                now.status, 200,
                "{what}: {target}: the origin answered {got:?}, the edge now {}",
                now.status
            );
        }
    }
}

#[test]
fn dashjs_plays_livesim_through_two_edges_each_object_fetched_once() {
    let Some(tools) = player_tools() else {
        return;
    };
    let _alone = harness::one_test_at_a_time();
    let work = Work::new("edge-play");
    let log = work.0.join("origin-access.log");
    let origin = free_addr();
    let _origin = start_origin(&origin, &log, &[]);
    let backup = free_addr(); // nothing listens there
    let edges: Vec<(String, PathBuf, Proc)> = ["a", "b"]
        .iter()
        .map(|name| {
            let listen = free_addr();
            let dir = work.0.join(format!("edge-{name}"));
            let p = start_edge(&dir, &listen, &origin, &backup);
            (listen, dir, p)
        })
        .collect();
    // `mup_1`: dash.js refreshes the MPD every second (the default, a century, would have it
    // read once), so the MPD's max-age (0 or 1 s with 2 s segments) is put to the test.
    let path = "/livesim/mup_1/ffmpeg_livesim/manifest.mpd";
    let opts = PlayOptions {
        seconds: 30.0,
        startup_timeout_s: 30.0,
        ..PlayOptions::default()
    };
    let runs: Vec<(String, PlayOptions)> = edges
        .iter()
        .map(|(listen, _, _)| (format!("http://{listen}{path}"), opts.clone()))
        .collect();
    let reports = play_together(&tools, &runs);
    std::thread::sleep(Duration::from_millis(600)); // the origin's log writer
    let lines = origin_log(&log);
    for ((listen, dir, _), r) in edges.iter().zip(&reports) {
        let what = format!("dash.js through the edge on {listen}");
        // A clean run, but for 425s: two browsers on a loaded machine time their /time probes
        // badly, and dash.js, its clock estimate a tenth of a second ahead, asks for the newest
        // segment that much too early every 2 s. Each is bounded below and must not have been
        // kept by the edge (checked against the origin's log).
        r.assert_clean_allowing_stalls_and(&what, 24.0, true, &|f| f.starts_with("425 "));
        assert_eq!(r.json["stalls_after_start"], 0, "{what}: {}", r.json);
        assert_eq!(r.json["video"]["dynamic"], true, "{what}: {}", r.json);
        let mine: Vec<&OriginLine> = lines.iter().filter(|l| l.host == *listen).collect();
        assert_too_early_not_kept(&what, listen, r, &mine);
        let fetched = assert_segments_once(&what, &mine);
        // The player's segments all came through this edge: 30 s of 2 s segments, two
        // Representations.
        assert!(fetched.len() >= 24, "{what}: {fetched:?}");
        assert_mpd_fetches_per_max_age(&what, &edge_log(dir), &mine);
        // The edge keeps them: asked again, each is a hit and the origin sees nothing.
        // Counted afresh: the check of the 425s above may have asked the origin once more.
        std::thread::sleep(Duration::from_millis(600));
        let before = origin_log(&log)
            .into_iter()
            .filter(|l| l.host == *listen)
            .count();
        for s in &fetched {
            let again = get(listen, s);
            assert_eq!(again.status, 200, "{what}: {s}");
            assert_eq!(
                again.headers.get("x-cache-status").map(String::as_str),
                Some("HIT"),
                "{what}: {s}"
            );
        }
        std::thread::sleep(Duration::from_millis(600));
        let after = origin_log(&log)
            .into_iter()
            .filter(|l| l.host == *listen)
            .count();
        assert_eq!(after, before, "{what}: the hits reached the origin");
        eprintln!(
            "{what}: {} segments from the origin, {} origin requests in all, the player's MPD \
             requests {}; stalls {:?}",
            fetched.len(),
            before,
            r.json["requests"]["manifest"],
            r.stalls()
        );
    }
}

/// ffmpeg's dash muxer in low-latency mode (`-ldash 1 -streaming 1`, 1 s segments, chunked
/// uploads) pushing a test source in real time to `urls` (one: a plain dash output; several:
/// the same encode to each through the `tee` muxer).
fn push_low_latency(urls: &[String], token: &str, seconds: u32) -> Child {
    let dash = [
        ("method", "PUT"),
        ("streaming", "1"),
        ("ldash", "1"),
        ("seg_duration", "1"),
        ("use_template", "1"),
        ("use_timeline", "0"),
        ("window_size", "10"),
        ("extra_window_size", "5"),
        ("target_latency", "1.5"),
    ];
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-hide_banner", "-loglevel", "error", "-re"])
        .args(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-t", &seconds.to_string()])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
        ])
        .args([
            "-g",
            "25",
            "-keyint_min",
            "25",
            "-sc_threshold",
            "0",
            "-b:v",
            "300k",
        ])
        .args(["-c:a", "aac", "-b:a", "64k"]);
    let authed = |u: &str| u.replacen("http://", &format!("http://enc:{token}@"), 1);
    if let [url] = urls {
        cmd.args(["-f", "dash"]);
        for (k, v) in dash {
            cmd.arg(format!("-{k}")).arg(v);
        }
        cmd.args(["-http_opts", "auth_type=basic"]).arg(authed(url));
    } else {
        // tee: `[f=dash:key=value:...]url|[...]url`; the dictionary option's own `=` escaped.
        let opts: Vec<String> = dash.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let slaves: Vec<String> = urls
            .iter()
            .map(|u| {
                format!(
                    "[f=dash:{}:http_opts=auth_type\\=basic]{}",
                    opts.join(":"),
                    authed(u)
                )
            })
            .collect();
        // tee does not ask the encoders for global headers as the dash muxer does: without
        // them the MPD's codecs say only `avc1`, which no player takes.
        cmd.args(["-flags:v", "+global_header", "-flags:a", "+global_header"])
            .args(["-map", "0:v", "-map", "1:a", "-f", "tee"])
            .arg(slaves.join("|"));
    }
    cmd.stdin(Stdio::null())
        .spawn()
        .expect("ffmpeg (Debian's package) on PATH")
}

/// `GET target` from `addr`, read as it comes: the response head (lower case), when its first
/// body bytes arrived and when it ended.
fn timed_get(addr: &str, target: &str) -> (String, Duration, Duration) {
    let asked = Instant::now();
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        c,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    let mut first = None;
    let mut piece = [0u8; 65536];
    loop {
        let k = c.read(&mut piece).unwrap();
        if k == 0 {
            break;
        }
        buf.extend_from_slice(&piece[..k]);
        if first.is_none() {
            if let Some(h) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                if buf.len() > h + 4 {
                    first = Some(asked.elapsed());
                }
            }
        }
    }
    let done = asked.elapsed();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..split]).to_ascii_lowercase();
    (head, first.unwrap_or(done), done)
}

fn wait_for(addr: &str, target: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while get(addr, target).status != 200 {
        assert!(Instant::now() < deadline, "{addr}{target}: never published");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The playhead samples (seconds since page start, media seconds).
fn playhead(r: &PlayReport) -> Vec<(f64, f64)> {
    r.json["playhead"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
        .collect()
}

/// The longest stall in playhead samples (one a second, playback rate 1): a stall is a run of
/// consecutive sample intervals in which the playhead fell behind the wall clock, and lasts as
/// long as it fell behind over the run.
fn longest_stall(samples: &[(f64, f64)]) -> f64 {
    let mut worst = 0.0f64;
    let mut run = 0.0;
    for w in samples.windows(2) {
        let behind = (w[1].0 - w[0].0) - (w[1].1 - w[0].1);
        // Samples are taken at a page evaluation's pace: 50 ms of jitter is not a stall.
        if behind > 0.05 {
            run += behind;
            worst = worst.max(run);
        } else {
            run = 0.0;
        }
    }
    worst
}

#[test]
fn dashjs_low_latency_plays_an_ingested_channel_through_an_edge() {
    let Some(tools) = player_tools() else {
        return;
    };
    let _alone = harness::one_test_at_a_time();
    let work = Work::new("edge-ll");
    let origin = free_addr();
    let _origin = start_origin(
        &origin,
        &work.0.join("origin-access.log"),
        &["--ingest-token", "ll-token"],
    );
    let listen = free_addr();
    let dir = work.0.join("edge");
    let _edge = start_edge(&dir, &listen, &origin, &free_addr());
    // The encoder pushes to the origin (the edge refuses /ingest/).
    let mut ffmpeg = push_low_latency(
        &[format!("http://{origin}/ingest/edgell/manifest.mpd")],
        "ll-token",
        70,
    );
    wait_for(
        &origin,
        "/live/edgell/chunk-stream0-00003.m4s",
        Duration::from_secs(20),
    );
    let r = play(
        &tools,
        &format!("http://{listen}/live/edgell/manifest.mpd"),
        &PlayOptions {
            seconds: 30.0,
            low_latency: true,
            target_latency_s: 1.5,
            startup_timeout_s: 30.0,
            ..PlayOptions::default()
        },
    );
    // While ffmpeg still pushes: the segment after the one in progress, asked through the edge,
    // comes chunk by chunk as it is uploaded (its first bytes well before its end), not
    // buffered by nginx until complete.
    let mpd = dashkit::mpd::parse(&String::from_utf8_lossy(
        &get(&origin, "/live/edgell/manifest.mpd").body,
    ))
    .unwrap();
    let ast_ms = mpd.availability_start_time.unwrap().unix_millis();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // 1 s segments numbered from 1: segment n is produced from AST + n - 1 s.
    let next = (now_ms - ast_ms).div_euclid(1000) + 2;
    let (head, first, done) = timed_get(
        &listen,
        &format!("/live/edgell/chunk-stream0-{next:05}.m4s"),
    );
    let _ = ffmpeg.kill();
    let _ = ffmpeg.wait();
    let what = "low-latency ingested channel through an edge";
    eprintln!("{what}: segment {next}: first body bytes after {first:?}, complete after {done:?}");
    assert!(head.starts_with("http/1.1 200"), "{what}: {head}");
    assert!(head.contains("cache-control: no-cache"), "{what}: {head}");
    assert!(
        done >= first + Duration::from_millis(500),
        "{what}: segment {next}: first body bytes after {first:?}, complete after {done:?}"
    );
    r.assert_clean_allowing_stalls(what, 20.0, true);
    let start = r.startup_s().unwrap_or(0.0);
    let late_stalls: Vec<_> = r
        .stalls()
        .into_iter()
        .filter(|(t, _)| *t > start + 5.0)
        .collect();
    assert!(
        late_stalls.is_empty(),
        "{what}: stalls after the first 5 s: {late_stalls:?}"
    );
    let lat: Vec<f64> = r
        .latency()
        .into_iter()
        .filter(|(t, _)| *t > start + 10.0)
        .map(|(_, l)| l)
        .collect();
    assert!(lat.len() >= 10, "{what}: {}", r.json);
    let worst = lat.iter().cloned().fold(0.0, f64::max);
    let mean = lat.iter().sum::<f64>() / lat.len() as f64;
    eprintln!("{what}: live latency after 10 s: mean {mean:.2} s, max {worst:.2} s");
    assert!(worst < 3.5, "{what}: latency {lat:?}");
    // The segments did come through the edge, chunk by chunk as uploaded: answers still being
    // produced went to the origin and were passed on, not stored.
    let through: Vec<EdgeLine> = edge_log(&dir)
        .into_iter()
        .filter(|l| l.target.starts_with("/live/edgell/chunk-stream"))
        .collect();
    assert!(through.len() >= 40, "{what}: {through:?}");
    assert!(
        through.iter().all(|l| l.cache != "HIT"),
        "{what}: an in-progress segment was stored: {through:?}"
    );
}

/// What `origin` publishes for `channel`: the MPD and every segment it lists as available,
/// asked with the same `Host` (the edge's) from each.
fn published(
    origin: &str,
    host: &str,
    channel: &str,
    numbers: std::ops::RangeInclusive<u64>,
) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for name in ["init-stream0.m4s", "init-stream1.m4s"] {
        let t = format!("/live/{channel}/{name}");
        let r = get_as(origin, host, &t);
        assert_eq!(r.status, 200, "{origin}{t}");
        v.push((t, r.body));
    }
    for n in numbers {
        for s in [0, 1] {
            let t = format!("/live/{channel}/chunk-stream{s}-{n:05}.m4s");
            let r = get_as(origin, host, &t);
            assert_eq!(r.status, 200, "{origin}{t}");
            v.push((t, r.body));
        }
    }
    v
}

#[test]
fn two_origins_fed_by_one_tee_publish_the_same_and_an_edge_fails_over() {
    let Some(tools) = player_tools() else {
        return;
    };
    let _alone = harness::one_test_at_a_time();
    let work = Work::new("edge-tee");
    let (a, b) = (free_addr(), free_addr());
    let token = "tee-token";
    // Both origins put the times ffmpeg's muxers read from their own clocks on one grid.
    let args = ["--ingest-token", token, "--mpd-time-step-ms", "1000"];
    let mut origin_a = start_origin(&a, &work.0.join("a-access.log"), &args);
    let _origin_b = start_origin(&b, &work.0.join("b-access.log"), &args);
    let listen = free_addr();
    let edge_dir = work.0.join("edge");
    let _edge = start_edge(&edge_dir, &listen, &a, &b);
    let channel = "tee";
    let mut ffmpeg = push_low_latency(
        &[
            format!("http://{a}/ingest/{channel}/manifest.mpd"),
            format!("http://{b}/ingest/{channel}/manifest.mpd"),
        ],
        token,
        80,
    );
    for o in [&a, &b] {
        wait_for(
            o,
            &format!("/live/{channel}/chunk-stream0-00006.m4s"),
            Duration::from_secs(25),
        );
    }
    // The same MPD and the same segments, byte for byte, from both.
    let mpd = format!("/live/{channel}/manifest.mpd");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // Both are rewritten with each segment: compare a pair read between two uploads.
        let (ma, mb) = (get_as(&a, &listen, &mpd), get_as(&b, &listen, &mpd));
        assert_eq!((ma.status, mb.status), (200, 200));
        if ma.body == mb.body {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the origins publish different MPDs:\n{}\n---\n{}",
            String::from_utf8_lossy(&ma.body),
            String::from_utf8_lossy(&mb.body)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let from_a = published(&a, &listen, channel, 1..=5);
    let from_b = published(&b, &listen, channel, 1..=5);
    for ((ta, ba), (tb, bb)) in from_a.iter().zip(&from_b) {
        assert_eq!(ta, tb);
        assert!(
            ba == bb,
            "{ta}: {} bytes from a, {} from b",
            ba.len(),
            bb.len()
        );
    }

    // dash.js through the edge; the primary origin dies about 10 s into playback.
    let url = format!("http://{listen}{mpd}");
    let opts = PlayOptions {
        seconds: 30.0,
        low_latency: false,
        target_latency_s: 3.0,
        startup_timeout_s: 30.0,
        ..PlayOptions::default()
    };
    let player = {
        let (tools, url, opts) = (tools.clone(), url.clone(), opts.clone());
        std::thread::spawn(move || play(&tools, &url, &opts))
    };
    std::thread::sleep(Duration::from_secs(14));
    origin_a.crash();
    let killed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let r = player.join().unwrap();
    let _ = ffmpeg.kill();
    let _ = ffmpeg.wait();
    let what = "dash.js through an edge across the primary origin's death";
    eprintln!(
        "{what}: played {:.1} s, playhead moved {:.1} s, stalls {:?}, failures {:?}",
        r.seconds_played(),
        r.playhead_advance(),
        r.stalls(),
        r.http_failures()
    );
    assert_eq!(r.errors(), Vec::<String>::new(), "{what}: {}", r.json);
    assert_eq!(r.exit_code, 0, "{what}: {}\n{}", r.json, r.stderr);
    assert!(r.video_size().is_some(), "{what}: no video: {}", r.json);
    assert!(r.playhead_advance() >= 26.0, "{what}: {}", r.json);
    // The edge did move to the backup: the segments asked after the kill came from it.
    let after: Vec<EdgeLine> = edge_log(&edge_dir)
        .into_iter()
        .filter(|l| l.start_s() > killed_at + 1.0 && l.target.contains("/chunk-stream"))
        .collect();
    let from_b = after
        .iter()
        .filter(|l| l.status == 200 && l.upstream.ends_with(&b))
        .count();
    assert!(
        from_b >= 20
            && after
                .iter()
                .all(|l| l.status < 500 && !l.upstream.ends_with(&a)),
        "{what}: after the kill: {after:?}"
    );
    // What failed was in flight when the primary died (its answers cut short, which dash.js
    // asks again), or a segment asked a moment before it was published (404, retried).
    let failures = r.http_failures();
    let cut = r.json["request_failures"].as_array().map_or(0, Vec::len);
    let early = failures.iter().filter(|f| f.starts_with("404 ")).count();
    assert!(
        cut <= 4 && early <= 2 && failures.len() == cut + early,
        "{what}: {failures:?}"
    );
    // No stall longer than 2 s.
    let samples = playhead(&r);
    assert!(samples.len() >= 25, "{what}: {}", r.json);
    let worst = longest_stall(&samples);
    assert!(worst <= 2.0, "{what}: stalled {worst:.2} s: {}", r.json);
}
