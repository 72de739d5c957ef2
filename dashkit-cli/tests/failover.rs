//! Failover with real encoders: two real-time ffmpeg processes push one channel as `enc-a` and
//! `enc-b` (same token); the first is killed (or frozen with SIGSTOP) and the second takes
//! over. The published edge must not stop for more than 5 s, and every published segment
//! across the switch must continue the previous one exactly: tfdt = previous tfdt + previous
//! duration (no gap, no overlap), consecutive numbers, consecutive mfhd sequence numbers.
//! A standby with another codec configuration (here another picture size) continues the
//! timeline in a second Period of the published MPD.
//!
//! Timing is shortened for CI (2 cores): 1 s segments, 160x90 video, and the standby starts
//! 6 s after the first instead of the 16 s. ffmpeg's dash muxer starts every run at
//! tfdt 0 and number 1, so the standby's numbers and times still lag the active one's by
//! several (6) segments, which is what the test is about.
//! These tests need ffmpeg and fail, not skip, without it.

mod support;

use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashkit::cmaf::{parse_all, Parser, StreamEvent};
use support::encoder;
use support::server::Server;

const TOKEN: &str = "fo-token";
/// The standby starts this long after the first encoder.
const LAG_S: u64 = 6;
/// The first encoder fails this long after it started.
const FAIL_S: u64 = 13;
/// The test watches the published edge until then.
const END_S: u64 = 22;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

fn push(addr: &str, user: &str, channel: &str, extra: &[&str]) -> Child {
    encoder::push(&encoder::Push {
        addr,
        user,
        token: TOKEN,
        channel,
        size: "160x90",
        kbps: 100,
        gop: 25,
        seconds: (END_S + 5) as u32,
        extra,
    })
}

fn seg_path(channel: &str, stream: u32, n: u64) -> String {
    format!("/live/{channel}/chunk-stream{stream}-{n:05}.m4s")
}

/// Watches stream 0's published edge: when each segment number was first read whole.
fn watch(server: Arc<Server>, channel: String, stop: Instant) -> Vec<(u64, Instant)> {
    let mut seen = Vec::new();
    let mut n = 1u64;
    while Instant::now() < stop {
        let r = server.get(&seg_path(&channel, 0, n));
        if r.status == 200 {
            seen.push((n, Instant::now()));
            n += 1;
        } else {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    seen
}

/// (first tfdt, total duration, first mfhd, last mfhd) of a segment.
fn timing(moov: &[u8], seg: &[u8]) -> (u64, u64, u32, u32) {
    let mut p = Parser::new();
    p.set_init(moov).unwrap();
    p.push(seg).unwrap();
    p.finish().unwrap();
    let chunks: Vec<_> = p
        .drain()
        .filter_map(|e| match e {
            StreamEvent::Chunk(c) => Some(c),
            StreamEvent::Box(_) => None,
        })
        .collect();
    assert!(!chunks.is_empty(), "a segment without chunks");
    (
        chunks[0].decode_time.unwrap(),
        chunks.iter().map(|c| c.duration).sum(),
        chunks[0].sequence_number,
        chunks[chunks.len() - 1].sequence_number,
    )
}

fn moov_of(init: &[u8]) -> Vec<u8> {
    parse_all(init)
        .unwrap()
        .into_iter()
        .find_map(|e| match e {
            StreamEvent::Box(b) if &b.kind.0 == b"moov" => {
                Some(init[b.range.start as usize..b.range.end as usize].to_vec())
            }
            _ => None,
        })
        .expect("a moov in the init segment")
}

/// Runs the scenario; `fail` makes the first encoder fail.
/// `b_extra`: the standby's own encoder options (another codec configuration starts a new
/// Period).
fn failover(channel: &str, b_extra: &[&str], fail: impl FnOnce(&mut Child)) {
    let server = Arc::new(Server::start(
        &fixtures(),
        &[
            "--ingest-token",
            TOKEN,
            "--failover-s",
            "2",
            "--window",
            "60",
        ],
    ));
    let t0 = Instant::now();
    let mut a = push(&server.addr, "enc-a", channel, &[]);
    let watcher = {
        let (s, c) = (Arc::clone(&server), channel.to_string());
        std::thread::spawn(move || watch(s, c, t0 + Duration::from_secs(END_S)))
    };
    std::thread::sleep(Duration::from_secs(LAG_S));
    let mut b = push(&server.addr, "enc-b", channel, b_extra);
    std::thread::sleep(
        (t0 + Duration::from_secs(FAIL_S)).saturating_duration_since(Instant::now()),
    );
    let failed_at = Instant::now();
    fail(&mut a);
    let edge = watcher.join().unwrap();

    // The edge never stopped for more than 5 s, and went on well past the failure.
    let at_failure = edge.iter().filter(|(_, t)| *t <= failed_at).count() as u64;
    let last = edge.last().map_or(0, |e| e.0);
    assert!(
        last >= at_failure + 5,
        "the edge stopped at the failure: {at_failure} segments before it, {last} in all\n{}",
        server.stderr.lock().unwrap()
    );
    let longest = edge
        .windows(2)
        .map(|w| w[1].1 - w[0].1)
        .max()
        .unwrap_or_default();
    println!("{channel}: {last} segments published, {at_failure} before the failure, longest wait {longest:?}");
    assert!(
        longest <= Duration::from_secs(5),
        "the edge stopped for {longest:?}"
    );

    // Every published segment from before the failure to the end continues the previous one.
    for stream in [0, 1] {
        let init = server.get(&format!("/live/{channel}/init-stream{stream}.m4s"));
        assert_eq!(init.status, 200);
        let moov = moov_of(&init.body);
        let from = at_failure.saturating_sub(4).max(1);
        let mut prev: Option<(u64, (u64, u64, u32, u32))> = None;
        for n in from..=last.saturating_sub(1) {
            let r = server.get(&seg_path(channel, stream, n));
            assert_eq!(r.status, 200, "stream {stream} segment {n} is missing");
            let t = timing(&moov, &r.body);
            if let Some((pn, (pt, pd, _, pseq))) = prev {
                assert_eq!(
                    t.0,
                    pt + pd,
                    "stream {stream}: segment {n} starts at {} but {pn} ended at {}",
                    t.0,
                    pt + pd
                );
                assert_eq!(t.2, pseq + 1, "stream {stream}: mfhd of segment {n}");
            }
            prev = Some((n, t));
        }
    }
    // One Period, or a second one from the switch when the standby's codec configuration
    // differs.
    let mpd =
        dashkit::mpd::parse(&server.get(&format!("/live/{channel}/manifest.mpd")).text()).unwrap();
    let periods = if b_extra.is_empty() { 1 } else { 2 };
    assert_eq!(mpd.periods.len(), periods);
    let _ = b.kill();
    let _ = b.wait();
    let _ = a.kill();
    let _ = a.wait();
}

#[test]
fn the_standby_continues_the_timeline_when_the_active_encoder_is_killed() {
    failover("fo-kill", &[], |a| {
        a.kill().unwrap();
        a.wait().unwrap();
    });
}

#[test]
fn the_standby_continues_the_timeline_when_the_active_encoder_freezes() {
    failover("fo-stop", &[], |a| {
        let ok = Command::new("kill")
            .args(["-STOP", &a.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "SIGSTOP");
    });
}

#[test]
fn a_standby_with_another_codec_configuration_continues_in_a_new_period() {
    failover("fo-codec", &["-s", "192x108"], |a| {
        a.kill().unwrap();
        a.wait().unwrap();
    });
}
