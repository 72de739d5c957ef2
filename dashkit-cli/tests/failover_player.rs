//! dash.js (headless Chromium) plays 30 s of a channel across a failover: two real-time ffmpeg
//! encoders push it as `enc-a` and `enc-b` (the standby 6 s later, so its numbers and times
//! lag by 6 segments); `enc-a` is killed about 8 s into playback. The player must move across
//! the switch without an error and without stalling for more than 1 s in all (so no stall
//! is longer than that). Uses the harness of `tests/player` (one browser at a time).

#[path = "player/harness.rs"]
mod harness;
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use harness::{play, player_tools, PlayOptions};
use support::encoder;
use support::server::Server;

const TOKEN: &str = "fp-token";

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

#[test]
fn dashjs_plays_across_a_failover() {
    let Some(tools) = player_tools() else {
        return;
    };
    let server = Server::start(&fixtures(), &["--ingest-token", TOKEN, "--failover-s", "2"]);
    let push = |user| {
        encoder::push(&encoder::Push {
            addr: &server.addr,
            user,
            token: TOKEN,
            channel: "fp",
            size: "320x180",
            kbps: 300,
            gop: 25,
            seconds: 70,
            extra: &[],
        })
    };
    let mut a = push("enc-a");
    std::thread::sleep(Duration::from_secs(6));
    let mut b = push("enc-b");
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.get("/live/fp/chunk-stream0-00008.m4s").status != 200 {
        assert!(Instant::now() < deadline, "no segments ingested");
        std::thread::sleep(Duration::from_millis(200));
    }
    let url = format!("http://{}/live/fp/manifest.mpd", server.addr);
    let opts = PlayOptions {
        seconds: 30.0,
        low_latency: false,
        target_latency_s: 3.0,
        startup_timeout_s: 30.0,
    };
    let player = {
        let (tools, url, opts) = (tools.clone(), url.clone(), opts.clone());
        std::thread::spawn(move || play(&tools, &url, &opts))
    };
    // About 8 s into playback (startup included), the active encoder dies.
    std::thread::sleep(Duration::from_secs(12));
    a.kill().unwrap();
    a.wait().unwrap();
    let r = player.join().unwrap();
    let _ = b.kill();
    let _ = b.wait();
    r.assert_clean_allowing_stalls("dash.js across a failover", 28.0, true);
    let stalled = r.seconds_played() - r.playhead_advance();
    eprintln!(
        "played {:.1} s, playhead moved {:.1} s, stalls {:?}",
        r.seconds_played(),
        r.playhead_advance(),
        r.stalls()
    );
    assert!(
        stalled <= 1.0,
        "stalled {stalled:.2} s in all across the switch: {}",
        r.json
    );
}
