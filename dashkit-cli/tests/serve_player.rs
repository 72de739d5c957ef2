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
    let server = Server::start(&fixtures(), &[]);
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
        let http_failures = r.http_failures();
        assert!(http_failures.is_empty(), "{path}: {http_failures:?}");
    }
}

#[test]
fn dashjs_plays_live_from_a_vod_with_its_own_templates() {
    if std::env::var_os("DASHKIT_SKIP_PLAYER").is_some() {
        return;
    }
    // ffmpeg's default names (`chunk-stream$RepresentationID$-$Number%05d$.m4s`): the
    // requests are matched against the asset's templates, not dashlivesim's layout.
    let server = Server::start(&fixtures(), &[]);
    let path = "/livesim/tsbd_30/ffmpeg_number/manifest.mpd";
    let r = play_live(&server, path, 12.0);
    r.assert_clean(path, 9.0, true);
}
