//! Error injection on the `ffmpeg_livesim` fixture (2 s segments), in-process and through the
//! HTTP mapping (docs/live-options.md#error-injection): `statuscode_` follows its documented
//! cycle for every segment number whatever the instant, `traffic_` answers by the BaseURL's
//! state at `now`, and the MPD lists one BaseURL per pattern.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use dashkit::live::http::{http_response, HttpBody, HttpPolicy};
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig};

mod support;
use support::{livesim_asset as asset, livesim_dir as dir};

fn files() -> HashMap<String, Vec<u8>> {
    let mut m = HashMap::new();
    for rep in ["0", "1"] {
        for f in ["init.mp4", "1.m4s", "2.m4s", "3.m4s", "4.m4s", "5.m4s"] {
            let name = format!("{rep}/{f}");
            m.insert(name.clone(), std::fs::read(dir().join(&name)).unwrap());
        }
    }
    m
}

/// (status, body delay in ms) of the HTTP answer to `file` with `opts` at `now_ms`.
fn answer(opts: &str, file: &str, now_ms: i64, files: &HashMap<String, Vec<u8>>) -> (u16, u64) {
    let a = asset();
    let o = LiveOptions::parse(opts).unwrap();
    let r = respond(&a, &o, file, now_ms, &SourceConfig::default(), |u| {
        files.get(u).map(Vec::as_slice)
    });
    let h = http_response(r, now_ms, &HttpPolicy::default());
    let delay = match &h.body {
        HttpBody::Parts(_) => 0,
        HttpBody::Timed(c) => c[0].delay_ms,
    };
    (h.status, delay)
}

/// `[{cycle:10,rsq:1,code:503,rep:video},{cycle:20,rsq:0,code:404,rep:1}]`: video segments
/// 1, 6, 11, … (the second of every 10 s) are 503, audio segments 0, 10, 20, … (the first of
/// every 20 s) are 404, everything else is served, at two different instants alike.
#[test]
fn status_codes_follow_the_cycle() {
    let files = files();
    let opts = "statuscode_[{cycle:10,rsq:1,code:503,rep:video},{cycle:20,rsq:0,code:404,rep:1}]";
    for now in [100_000, 150_500] {
        for n in 0..40u64 {
            let (v, _) = answer(opts, &format!("0/{n}.m4s"), now, &files);
            let (a, _) = answer(opts, &format!("1/{n}.m4s"), now, &files);
            let available = 2 * n + 2 <= now as u64 / 1000;
            let ok = if available { 200 } else { 425 };
            assert_eq!(v, if n % 5 == 1 { 503 } else { ok }, "video {n} at {now}");
            assert_eq!(a, if n % 10 == 0 { 404 } else { ok }, "audio {n} at {now}");
        }
    }
    // Init segments and the MPD are never injected.
    assert_eq!(answer(opts, "0/init.mp4", 100_000, &files).0, 200);
    assert_eq!(answer(opts, "manifest.mpd", 100_000, &files).0, 200);
}

/// `traffic_u20s5h5d10,d10u50`: BaseURL 0 is up 20 s, slow 5 s, hanging 5 s, down 10 s in every
/// 40 s; BaseURL 1 down the first 10 s of every minute. A request without a BaseURL prefix is
/// never injected.
#[test]
fn traffic_patterns_by_base_url() {
    let files = files();
    let opts = "traffic_u20s5h5d10,d10u50";
    let at = |s: i64, file: &str| answer(opts, file, s * 1000, &files);
    // 1000 s = 25 cycles of 40 s: second 0 of BaseURL 0's cycle; second 40 of BaseURL 1's.
    assert_eq!(at(1000, "bu0/0/495.m4s"), (200, 0));
    assert_eq!(at(1021, "bu0/0/505.m4s"), (200, 2_000));
    assert_eq!(at(1026, "bu0/0/505.m4s"), (503, 10_000));
    assert_eq!(at(1031, "bu0/0/505.m4s"), (404, 0));
    assert_eq!(at(1031, "0/505.m4s"), (200, 0));
    assert_eq!(at(1020, "bu1/0/505.m4s"), (404, 0));
    assert_eq!(at(1031, "bu1/1/505.m4s"), (200, 0));
    // A slow answer is the normal one, late.
    let o = LiveOptions::parse(opts).unwrap();
    let r = respond(
        &asset(),
        &o,
        "bu0/0/505.m4s",
        1_021_000,
        &SourceConfig::default(),
        |u| files.get(u).map(Vec::as_slice),
    )
    .unwrap();
    assert!(
        matches!(r, Response::Delayed { delay_ms: 2_000, ref answer } if matches!(**answer, Response::Segment { number: 505, .. }))
    );
    // The MPD: one BaseURL per pattern in the Period.
    let m = dashkit::live::mpd::live_mpd(&asset(), &o, 1_000_000).unwrap();
    let urls: Vec<_> = m.periods[0]
        .base_urls
        .iter()
        .map(|b| b.url.clone())
        .collect();
    assert_eq!(urls, ["bu0/", "bu1/"]);
}
