//! dash.js (headless Chromium) plays 30 s of a channel across a failover: two real-time ffmpeg
//! encoders push it as `enc-a` and `enc-b` (the standby 6 s later, so its numbers and times
//! lag by 6 segments); `enc-a` is killed about 8 s into playback. The player must move across
//! the switch without an error and without stalling for more than 1 s in all (so no stall
//! is longer than that). The same when it is frozen (SIGSTOP), and when the standby has
//! another codec configuration (another picture size: a new Period). Uses the harness of `tests/player` (one browser at a time).

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

/// How the active encoder fails.
enum Fail {
    Kill,
    Stop,
}

/// Plays 30 s across the failure of `enc-a`; `b_extra` are the standby's own options.
fn across(channel: &str, fail: Fail, b_extra: &[&str]) {
    let _alone = harness::one_test_at_a_time();
    let Some(tools) = player_tools() else {
        return;
    };
    let server = Server::start(&fixtures(), &["--ingest-token", TOKEN, "--failover-s", "2"]);
    let push = |user, extra| {
        encoder::push(&encoder::Push {
            addr: &server.addr,
            user,
            token: TOKEN,
            channel,
            size: "320x180",
            kbps: 300,
            gop: 25,
            seconds: 70,
            extra,
        })
    };
    let mut a = push("enc-a", &[]);
    std::thread::sleep(Duration::from_secs(6));
    let mut b = push("enc-b", b_extra);
    let deadline = Instant::now() + Duration::from_secs(15);
    while server
        .get(&format!("/live/{channel}/chunk-stream0-00008.m4s"))
        .status
        != 200
    {
        assert!(Instant::now() < deadline, "no segments ingested");
        std::thread::sleep(Duration::from_millis(200));
    }
    let url = format!("http://{}/live/{channel}/manifest.mpd", server.addr);
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
    // About 8 s into playback (startup included), the active encoder dies.
    std::thread::sleep(Duration::from_secs(12));
    match fail {
        Fail::Kill => {
            a.kill().unwrap();
            a.wait().unwrap();
        }
        Fail::Stop => {
            let stopped = std::process::Command::new("kill")
                .args(["-STOP", &a.id().to_string()])
                .status()
                .unwrap();
            assert!(stopped.success(), "SIGSTOP");
        }
    }
    let r = player.join().unwrap();
    let _ = a.kill();
    let _ = a.wait();
    let _ = b.kill();
    let _ = b.wait();
    let what = format!("dash.js across a failover ({channel})");
    // The harness's clean-run check, except that the segment after the switch may be asked
    // for a moment before the standby's copy is published: the origin answers 404 (it does
    // not know yet that it will come) and dash.js retries. At most two such answers.
    assert_eq!(r.errors(), Vec::<String>::new(), "{what}: {}", r.json);
    assert_eq!(r.exit_code, 0, "{what}: {}\n{}", r.json, r.stderr);
    let failures = r.http_failures();
    let (early, other): (Vec<_>, Vec<_>) = failures
        .iter()
        .partition(|f| f.starts_with("404 ") && f.contains("/chunk-stream"));
    assert!(other.is_empty() && early.len() <= 2, "{what}: {failures:?}");
    assert!(r.playhead_advance() >= 28.0, "{what}: {}", r.json);
    assert!(r.video_size().is_some(), "{what}: no video: {}", r.json);
    let periods = dashkit::mpd::parse(&server.get(&format!("/live/{channel}/manifest.mpd")).text())
        .unwrap()
        .periods
        .len();
    assert_eq!(periods, if b_extra.is_empty() { 1 } else { 2 });
    if !b_extra.is_empty() {
        // dash.js moved on into the new Period: it shows the standby's pictures.
        assert_eq!(r.video_size(), Some((256, 144)), "{}", r.json);
    }
    let stalled = r.seconds_played() - r.playhead_advance();
    eprintln!(
        "played {:.1} s, playhead moved {:.1} s, stalls {:?}",
        r.seconds_played(),
        r.playhead_advance(),
        r.stalls()
    );
    // And between any two playhead samples (one a second) it fell behind the clock by 1 s at
    // most.
    let samples: Vec<(f64, f64)> = r.json["playhead"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
        .collect();
    assert!(samples.len() >= 25, "{}", r.json);
    let worst = samples
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) - (w[1].1 - w[0].1))
        .fold(0.0, f64::max);
    assert!(
        worst <= 1.0,
        "the playhead fell {worst:.2} s behind: {}",
        r.json
    );
    assert!(
        stalled <= 1.0,
        "stalled {stalled:.2} s in all across the switch: {}",
        r.json
    );
}

#[test]
fn dashjs_plays_across_a_failover() {
    across("fp-kill", Fail::Kill, &[]);
}

#[test]
fn dashjs_plays_across_a_frozen_encoder() {
    across("fp-stop", Fail::Stop, &[]);
}

#[test]
fn dashjs_plays_into_the_new_period_of_a_standby_with_another_codec_configuration() {
    across("fp-codec", Fail::Kill, &["-s", "256x144"]);
}
