//! A real player on `dashkit serve`'s multi-Period live stream (issue 17,
//! docs/live-options.md#periods): dash.js in headless Chromium plays `periods_60` (60 s
//! Periods, the shortest livesim2's grammar allows) for 150 s, across at least two Period
//! boundaries, without a stall.
//!
//! Needs node, Debian's chromium and `npm ci` in tests/player (`bash .ci/install-player`);
//! missing tools fail the test unless `DASHKIT_SKIP_PLAYER=1`.

#[path = "player/harness.rs"]
mod harness;
mod support;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use harness::{play, player_tools, PlayOptions};
use support::server::Server;

/// `serve` as a deployment for real players runs it: a segment asked up to 250 ms early
/// (a browser's clock estimate is off by that much on a loaded machine) is answered when it is
/// available rather than 425; what the player does with that stream is what is tested.
const PLAYER_SERVER: &[&str] = &["--early-hold-ms", "250"];

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

/// Where in a 60 s Period the player starts: `DASHKIT_PERIODS_START_S` seconds after a
/// boundary (0 to 59; default 6, just after one, the start that once got Too Early answers).
fn start_offset_s() -> u64 {
    std::env::var("DASHKIT_PERIODS_START_S")
        .ok()
        .map(|v| {
            v.parse::<u64>()
                .ok()
                .filter(|s| *s < 60)
                .expect("DASHKIT_PERIODS_START_S: 0 to 59")
        })
        .unwrap_or(6)
}

/// Sleeps until the wall clock is `offset_s` seconds past a minute (a `periods_60` boundary).
fn wait_until_past_boundary(offset_s: u64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let into = now.as_millis() % 60_000;
    let target = u128::from(offset_s) * 1000;
    let wait = (target + 60_000 - into) % 60_000;
    std::thread::sleep(Duration::from_millis(u64::try_from(wait).unwrap()));
}

#[test]
fn dashjs_plays_periods_60_across_two_boundaries() {
    if std::env::var_os("DASHKIT_SKIP_PLAYER").is_some() {
        eprintln!("DASHKIT_SKIP_PLAYER set: skipping the real-player test");
        return;
    }
    let server = Server::start(&fixtures(), PLAYER_SERVER);
    let tools = player_tools().expect("player tools");
    let path = "/livesim/periods_60/continuous_1/ffmpeg_livesim/manifest.mpd";
    let url = format!("http://{}{path}", server.addr);
    let offset = start_offset_s();
    wait_until_past_boundary(offset);
    eprintln!(
        "starting {offset} s after a Period boundary, at {:?}",
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
    );
    let r = play(
        &tools,
        &url,
        &PlayOptions {
            seconds: 150.0,
            startup_timeout_s: 30.0,
            ..PlayOptions::default()
        },
    );
    eprintln!(
        "startup {:?} s, HTTP failures {}, dash.js clock offsets {}, Periods {}, stalls after \
         start {}",
        r.startup_s(),
        r.json["http_failures"],
        r.json["clock_offsets"],
        r.json["period_switches"],
        r.json["stalls_after_start"]
    );
    // 150 s of wall time: at least 140 s of media, so the playhead crossed two 60 s Periods.
    r.assert_clean(path, 140.0, true);
    // Boundaries crossed while playing: dash.js reports the Period it starts in, then one
    // PERIOD_SWITCH_COMPLETED per boundary (its `fromStreamInfo` is not filled in, so the
    // boundaries are the consecutive pairs), each from P<k> to P<k+1> (k = the minute).
    let switches = r.json["period_switches"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids: Vec<String> = switches
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect();
    assert!(
        ids.len() >= 3,
        "{path}: dash.js went through Periods {ids:?}, expected at least two boundaries: {}",
        r.json
    );
    let k = |id: &str| id.strip_prefix('P').and_then(|k| k.parse::<u64>().ok());
    for w in ids.windows(2) {
        assert_eq!(k(&w[1]), k(&w[0]).map(|f| f + 1), "{ids:?}");
    }
}
