//! A real player on `dashkit serve`: dash.js in headless Chromium plays the live stream made
//! from a VoD fixture for 30 s, across loop wrap-arounds, with `$Number$` and with
//! SegmentTimeline output, and with a VoD whose templates are not dashlivesim's layout.
//!
//! Needs node, Debian's chromium and `npm ci` in tests/player (`bash .ci/install-player`);
//! missing tools fail the tests unless `DASHKIT_SKIP_PLAYER=1`.

#[path = "player/harness.rs"]
mod harness;
mod support;

use std::path::PathBuf;

use harness::{play, player_tools, PlayOptions};
use support::server::Server;

/// `serve` as a deployment for real players runs it: a segment asked up to 250 ms early
/// (a browser's clock estimate is off by that much on a loaded machine) is answered when it is
/// available rather than 425; what the player does with that stream is what is tested.
const PLAYER_SERVER: &[&str] = &["--early-hold-ms", "250"];

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

/// The VoD loop of `asset` in seconds, from its MPD's mediaPresentationDuration (`PT10.0S`
/// and the like; whole and fractional seconds only).
fn loop_seconds(asset: &str) -> f64 {
    let mpd = std::fs::read_to_string(fixtures().join(asset).join("manifest.mpd")).unwrap();
    let v = mpd
        .split("mediaPresentationDuration=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let mut secs = 0.0;
    let mut num = String::new();
    for c in v.trim_start_matches("PT").chars() {
        match c {
            'H' => secs += num.parse::<f64>().unwrap() * 3600.0,
            'M' => secs += num.parse::<f64>().unwrap() * 60.0,
            'S' => secs += num.parse::<f64>().unwrap(),
            _ => {
                num.push(c);
                continue;
            }
        }
        num.clear();
    }
    secs
}

fn play_live(server: &Server, path: &str, seconds: f64) -> harness::PlayReport {
    let tools = player_tools().expect("player tools");
    let url = format!("http://{}{path}", server.addr);
    play(
        &tools,
        &url,
        &PlayOptions {
            seconds,
            startup_timeout_s: 30.0,
            ..PlayOptions::default()
        },
    )
}

#[test]
fn dashjs_plays_live_number_and_timeline_across_wraps() {
    if std::env::var_os("DASHKIT_SKIP_PLAYER").is_some() {
        eprintln!("DASHKIT_SKIP_PLAYER set: skipping the real-player test");
        return;
    }
    let server = Server::start(&fixtures(), PLAYER_SERVER);
    let looped = loop_seconds("ffmpeg_livesim");
    assert!(looped > 0.0 && looped < 15.0, "{looped}");
    for path in [
        "/livesim/ffmpeg_livesim/manifest.mpd",
        "/livesim/segtimeline_1/ffmpeg_livesim/manifest.mpd",
    ] {
        let r = play_live(&server, path, 30.0);
        // 30 s of wall time; startup and the live edge take a little: at least 24 s of
        // media, more than two loops, so the playhead crossed at least two wrap-arounds.
        let min = 24.0f64.max(2.0 * looped + 1.0);
        r.assert_clean(path, min, true);
        assert_eq!(r.json["video"]["dynamic"], true, "{path}: {}", r.json);
    }
}

#[test]
fn dashjs_plays_live_from_a_vod_with_its_own_templates() {
    if std::env::var_os("DASHKIT_SKIP_PLAYER").is_some() {
        return;
    }
    // ffmpeg's default names (`chunk-stream$RepresentationID$-$Number%05d$.m4s`): the
    // requests are matched against the asset's templates, not dashlivesim's layout.
    let server = Server::start(&fixtures(), PLAYER_SERVER);
    let path = "/livesim/tsbd_30/ffmpeg_number/manifest.mpd";
    let r = play_live(&server, path, 12.0);
    r.assert_clean(path, 9.0, true);
}

/// An ffmpeg test source pushed in real time, and read back by dash.js in low-latency mode.
fn push_ffmpeg(addr: &str, channel: &str, seconds: u32) -> std::process::Child {
    std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re"])
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
        .args(["-c:a", "aac", "-b:a", "64k"])
        .args([
            "-f",
            "dash",
            "-method",
            "PUT",
            "-streaming",
            "1",
            "-ldash",
            "1",
        ])
        .args([
            "-seg_duration",
            "1",
            "-use_template",
            "1",
            "-use_timeline",
            "0",
        ])
        .args([
            "-window_size",
            "10",
            "-extra_window_size",
            "5",
            "-target_latency",
            "1.5",
        ])
        .args(["-utc_timing_url", &format!("http://{addr}/time")])
        .args(["-http_opts", "auth_type=basic"])
        .arg(format!(
            "http://enc:ll-token@{addr}/ingest/{channel}/manifest.mpd"
        ))
        .stdin(std::process::Stdio::null())
        .spawn()
        .expect("ffmpeg (Debian's package) on PATH")
}

fn assert_low_latency(r: &harness::PlayReport, what: &str, max_latency_s: f64) {
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
    assert!(worst < max_latency_s, "{what}: latency {lat:?}");
}

#[test]
fn dashjs_low_latency_plays_ingested_ffmpeg_and_chunked_vod_as_live() {
    if std::env::var_os("DASHKIT_SKIP_PLAYER").is_some() {
        return;
    }
    let server = Server::start(&fixtures(), &["--ingest-token", "ll-token"]);
    let tools = player_tools().expect("player tools");
    let ll = PlayOptions {
        seconds: 30.0,
        low_latency: true,
        target_latency_s: 1.5,
        startup_timeout_s: 30.0,
        ..PlayOptions::default()
    };
    // 1. ffmpeg's chunked CMAF pushed into the origin, read back under /live.
    // 120 s: the harness plays one browser at a time, so this may wait for another test's
    // player before its own starts; ffmpeg is killed when the test is done.
    let mut ffmpeg = push_ffmpeg(&server.addr, "ffll", 120);
    let mpd = format!("http://{}/live/ffll/manifest.mpd", server.addr);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while server.get("/live/ffll/chunk-stream0-00003.m4s").status != 200 {
        assert!(std::time::Instant::now() < deadline, "no segments ingested");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let r = play(&tools, &mpd, &ll);
    let _ = ffmpeg.kill();
    let _ = ffmpeg.wait();
    assert_low_latency(&r, "ingested ffmpeg", 3.0);
    // 2. VoD as live in 500 ms chunks sent along their availability.
    let url = format!(
        "http://{}/livesim/chunkdur_0.5/ffmpeg_livesim/manifest.mpd",
        server.addr
    );
    let r = play(&tools, &url, &ll);
    assert_low_latency(&r, "chunkdur_0.5 VoD as live", 3.0);
    // 3. The same with a SegmentTimeline, which lists the segment in progress (livesim2), at
    // the MPD's own target latency (3.5 s): a timeline player learns of each segment from an
    // MPD update, so it cannot sit within one segment of the edge as a $Number$ player can.
    let url = format!(
        "http://{}/livesim/chunkdur_0.5/segtimeline_1/ffmpeg_livesim/manifest.mpd",
        server.addr
    );
    let tl = PlayOptions {
        target_latency_s: 3.5,
        ..ll
    };
    let r = play(&tools, &url, &tl);
    assert_low_latency(&r, "chunkdur_0.5 SegmentTimeline VoD as live", 5.0);
}
