//! Sessions with an end (`stop_`, `dur_`) on the `ffmpeg_livesim` fixture (2 s segments):
//! the last segment carries the `lmsg` brand, later numbers do not exist, and the MPD turns
//! static once the session is over (docs/live-options.md#the-last-segment). Golden MPDs at fixed
//! instants in `fixtures/golden/live/` (`DASHKIT_BLESS=1` rewrites them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig, Unavailable};
use dashkit::live::timing::{LoopSpec, Timing};
use proptest::prelude::*;

mod support;
use support::{golden, livesim_asset as asset, livesim_dir as dir};

/// The answer to `file` with `opts` at `now_ms`, as bytes of the segment (or the refusal).
fn get(opts: &str, file: &str, now_ms: i64) -> Result<Vec<u8>, Unavailable> {
    let a = asset();
    let o = LiveOptions::parse(opts).unwrap();
    let files: Vec<(String, Vec<u8>)> = ["0/1.m4s", "0/2.m4s", "0/3.m4s", "0/4.m4s", "0/5.m4s"]
        .iter()
        .chain(["1/1.m4s", "1/2.m4s", "1/3.m4s", "1/4.m4s", "1/5.m4s"].iter())
        .chain(["0/init.mp4", "1/init.mp4"].iter())
        .filter_map(|f| {
            std::fs::read(dir().join(f))
                .ok()
                .map(|b| (f.to_string(), b))
        })
        .collect();
    let r = respond(&a, &o, file, now_ms, &SourceConfig::default(), |u| {
        files
            .iter()
            .find(|(n, _)| n == u)
            .map(|(_, b)| b.as_slice())
    })
    .unwrap();
    match r {
        Response::Segment { data, .. } => Ok(data.to_vec()),
        Response::Chunked { chunks, .. } => Ok(chunks.iter().flat_map(|c| c.to_vec()).collect()),
        Response::Refused { refusal, .. } => Err(refusal),
        other => panic!("unexpected answer {other:?}"),
    }
}

/// The compatible brands of the segment's leading styp.
fn styp_brands(seg: &[u8]) -> Vec<String> {
    assert_eq!(&seg[4..8], b"styp");
    let size = u32::from_be_bytes(seg[..4].try_into().unwrap()) as usize;
    seg[16..size]
        .chunks(4)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

/// `start_100/stop_120`: numbers 0..=9; 9 is the last and carries `lmsg`, 10 does not exist.
/// The last segment is the same bytes as without a stop except for the 4 bytes of the brand.
#[test]
fn stop_session_last_segment_has_lmsg() {
    let now = 125_000;
    let last = get("start_100/stop_120", "0/9.m4s", now).unwrap();
    assert_eq!(styp_brands(&last), ["msdh", "msix", "lmsg"]);
    let before = get("start_100/stop_120", "0/8.m4s", now).unwrap();
    assert_eq!(styp_brands(&before), ["msdh", "msix"]);
    let plain = get("start_100", "0/9.m4s", now).unwrap();
    assert_eq!(last.len(), plain.len() + 4);
    assert_eq!(&last[28..], &plain[24..]);
    assert_eq!(&last[8..24], &plain[8..24]);
    assert_eq!(
        get("start_100/stop_120", "0/10.m4s", now),
        Err(Unavailable::NotFound)
    );
    // Audio too, and the chunked (low-latency) form.
    let audio = get("start_100/stop_120", "1/9.m4s", now).unwrap();
    assert_eq!(styp_brands(&audio), ["msdh", "msix", "lmsg"]);
    let chunked = get("start_100/stop_120/chunkdur_0.5", "0/9.m4s", now).unwrap();
    assert_eq!(styp_brands(&chunked), ["msdh", "msix", "lmsg"]);
    let chunked = get("start_100/stop_120/chunkdur_0.5", "0/8.m4s", now).unwrap();
    assert_eq!(styp_brands(&chunked), ["msdh", "msix"]);
}

/// `dur_` (dashlivesim): the session ends at `floor((start + ΣD) / d)·d`: 100 + 15 + 6 = 121,
/// floored to 120, the same session as `stop_120`.
#[test]
fn dur_session_ends_like_stop() {
    let now = 125_000;
    assert_eq!(
        get("start_100/dur_15/dur_6", "0/9.m4s", now),
        get("start_100/stop_120", "0/9.m4s", now)
    );
    assert_eq!(
        get("start_100/dur_15/dur_6", "0/10.m4s", now),
        Err(Unavailable::NotFound)
    );
}

fn mpd_xml(opts: &str, now_ms: i64) -> String {
    let o = LiveOptions::parse(opts).unwrap();
    dashkit::mpd::write(&dashkit::live::mpd::live_mpd(&asset(), &o, now_ms).unwrap())
}

/// The MPD is dynamic up to the stop and static after it, as livesim2's: no
/// minimumUpdatePeriod, timeShiftBufferDepth or suggestedPresentationDelay, a
/// mediaPresentationDuration of the session (stop − AST).
#[test]
fn golden_mpds_around_the_stop() {
    for (name, opts, now_ms) in [
        ("stop_before.mpd", "start_100/stop_120/spd_4", 119_500),
        ("stop_after.mpd", "start_100/stop_120/spd_4", 120_001),
        (
            "dur_after.mpd",
            "start_100/dur_15/dur_6/segtimeline_1",
            130_000,
        ),
    ] {
        golden("live", name, &mpd_xml(opts, now_ms));
    }
    let before = mpd_xml("start_100/stop_120/spd_4", 120_000);
    assert!(before.contains(r#"type="dynamic""#));
    assert!(before.contains("suggestedPresentationDelay"));
    let after = mpd_xml("start_100/stop_120/spd_4", 120_001);
    assert!(after.contains(r#"type="static""#));
    assert!(after.contains(r#"mediaPresentationDuration="PT20S""#));
    for gone in [
        "minimumUpdatePeriod",
        "timeShiftBufferDepth",
        "suggestedPresentationDelay",
    ] {
        assert!(!after.contains(gone), "{gone} in a static MPD");
    }
}

proptest! {
    /// Exactly one number of a session with a stop is the last: `stop_number − 1`, and it is
    /// the last one that exists.
    #[test]
    fn exactly_one_last_segment(start in 0i64..100_000, len in 1i64..5_000, d in 1u64..10,
                                snr in 0i64..1000, now in 0i64..200_000) {
        let l = LoopSpec { segment_duration_s: d, first_segment_in_loop: 1, nr_segments_in_loop: 5 };
        let o = LiveOptions::parse(&format!("start_{start}/stop_{}/snr_{snr}", start + len)).unwrap();
        let t = Timing::from_options(&o, l, 60, now * 1000).unwrap().timing;
        let stop = u64::try_from(t.stop_number().unwrap()).unwrap();
        let first = u64::try_from(t.start_number).unwrap();
        let lasts: Vec<u64> = (first..stop + 3)
            .filter(|n| t.segment(*n).unwrap().last)
            .collect();
        prop_assert_eq!(lasts, vec![stop - 1]);
    }
}
