//! `periods_N` and `continuous_1` on the `ffmpeg_livesim` fixture (2 s segments): golden MPDs
//! at fixed instants (`fixtures/golden/live/periods_*.mpd`, `DASHKIT_BLESS=1` rewrites them),
//! livesim2's Period ids, starts, presentationTimeOffsets and startNumbers, and the law that the
//! Periods tile the timeline of the single-Period MPD without gaps or overlaps at any instant
//! (docs/live-options.md#periods).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use dashkit::live::asset::LiveAsset;
use dashkit::live::mpd::live_mpd;
use dashkit::live::options::LiveOptions;
use dashkit::mpd::Mpd;
use proptest::prelude::*;

mod support;
use support::{golden, livesim_asset};

fn asset() -> &'static LiveAsset {
    static A: OnceLock<LiveAsset> = OnceLock::new();
    A.get_or_init(livesim_asset)
}

fn mpd(opts: &str, now_ms: i64) -> Mpd {
    live_mpd(asset(), &LiveOptions::parse(opts).unwrap(), now_ms).unwrap()
}

fn secs(d: &dashkit::mpd::XsDuration) -> i64 {
    let s = d.to_string();
    // Whole seconds only (what duration_s writes): PnDTnHnMnS.
    let mut total = 0i64;
    let mut num = 0i64;
    let mut in_time = false;
    for c in s.chars() {
        match c {
            '0'..='9' => num = num * 10 + i64::from(c as u8 - b'0'),
            'T' => in_time = true,
            'D' => (total, num) = (total + num * 86_400, 0),
            'H' => (total, num) = (total + num * 3600, 0),
            'M' if in_time => (total, num) = (total + num * 60, 0),
            'S' => (total, num) = (total + num, 0),
            _ => {}
        }
    }
    total
}

#[test]
fn golden_period_mpds() {
    for (name, opts, now_ms) in [
        ("periods_60_number.mpd", "periods_60/tsbd_100", 1_001_000),
        (
            "periods_60_continuous.mpd",
            "periods_60/continuous_1/tsbd_70",
            1_001_000,
        ),
        (
            "periods_60_timeline.mpd",
            "periods_60/segtimeline_1/tsbd_70",
            1_001_000,
        ),
        (
            "periods_60_timelinenr.mpd",
            "periods_60/segtimelinenr_1/tsbd_70",
            1_001_000,
        ),
        (
            "periods_60_chunkdur.mpd",
            "periods_60/chunkdur_0.5/segtimeline_1/tsbd_70",
            1_001_000,
        ),
        (
            "periods_2_start.mpd",
            "periods_2/start_1790/tsbd_60",
            1_830_500,
        ),
    ] {
        golden("live", name, &dashkit::mpd::write(&mpd(opts, now_ms)));
    }
}

/// livesim2's numbers for `periods_60` at 1001 s, AST 0, a 300 s window: Periods `P11`…`P16`
/// starting at 660…960 s, startNumbers 330…480 (2 s segments), presentationTimeOffset 660 s…
/// in each track's timescale.
#[test]
fn livesim2_period_vector() {
    let m = mpd("periods_60/tsbd_300", 1_001_000);
    let ids: Vec<_> = m.periods.iter().map(|p| p.id.clone().unwrap()).collect();
    assert_eq!(ids, ["P11", "P12", "P13", "P14", "P15", "P16"]);
    for (i, p) in m.periods.iter().enumerate() {
        let k = 11 + i as u64;
        assert_eq!(secs(p.start.as_ref().unwrap()), 60 * k as i64);
        for a in &p.adaptation_sets {
            let t = a.segment_template.as_ref().unwrap();
            assert_eq!(t.start_number, Some(30 * k));
            let ts = u64::from(t.timescale.unwrap_or(1));
            assert_eq!(t.presentation_time_offset, Some(60 * k * ts));
            assert!(a.supplemental_properties.is_empty());
        }
    }
    // continuous_1: from the second Period on, each AdaptationSet names its predecessor.
    let m = mpd("periods_60/continuous_1/tsbd_300", 1_001_000);
    for (i, p) in m.periods.iter().enumerate() {
        for a in &p.adaptation_sets {
            let props: Vec<_> = a
                .supplemental_properties
                .iter()
                .map(|d| (d.scheme_id_uri.clone().unwrap(), d.value.clone().unwrap()))
                .collect();
            if i == 0 {
                assert!(props.is_empty());
            } else {
                assert_eq!(
                    props,
                    [(
                        "urn:mpeg:dash:period-continuity:2015".to_string(),
                        format!("P{}", 10 + i)
                    )]
                );
            }
        }
    }
}

#[test]
fn period_not_a_whole_number_of_segments_is_refused() {
    // 3600 / 60 = 60 s; a 7 s loop would not fit, but the fixture's 2 s does; periods_7 itself
    // is malformed (3600 is not a multiple of 7).
    assert!(LiveOptions::parse("periods_7").is_err());
    assert!(LiveOptions::parse("continuous_1").is_err());
}

/// (t, d) of every segment of every template, AdaptationSet by AdaptationSet, and the number
/// of the first, over all Periods.
fn timeline_segments(m: &Mpd, aset: usize) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for p in &m.periods {
        let tpl = p.adaptation_sets[aset].segment_template.as_ref().unwrap();
        let mut t = 0;
        for s in &tpl.segment_timeline.as_ref().unwrap().s {
            t = s.t.unwrap_or(t);
            for _ in 0..=s.r.unwrap_or(0) {
                out.push((t, s.d.unwrap()));
                t += s.d.unwrap();
            }
        }
    }
    out
}

const PER_HOUR: [u32; 12] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// At any instant the Periods follow each other on the grid (each starts where the previous
    /// one's P seconds end, the first possibly clipped to the window), and the segments they
    /// list together are exactly those of the single-Period MPD: in number mode consecutive
    /// startNumbers differ by the segments between the starts; in timeline modes the
    /// concatenated timelines equal the single timeline, each segment in the Period holding its
    /// start.
    #[test]
    fn periods_tile_the_timeline(now_s in 100i64..20_000_000, tsbd in 10u64..900,
                                 per in 0usize..12, mode in 0usize..3, start in 0i64..50) {
        let per_hour = PER_HOUR[per];
        let p = 3600 / i64::from(per_hour);
        let mode_opt = ["", "/segtimeline_1", "/segtimelinenr_1"][mode];
        let base = format!("tsbd_{tsbd}/start_{}{mode_opt}", start * 2);
        let single = mpd(&base, now_s * 1000);
        let multi = mpd(&format!("{base}/periods_{per_hour}"), now_s * 1000);
        prop_assert!(!multi.periods.is_empty());
        let starts: Vec<i64> = multi.periods.iter().map(|q| secs(q.start.as_ref().unwrap())).collect();
        for w in starts.windows(2) {
            prop_assert!(w[1] > w[0]);
            prop_assert_eq!((w[1] + start * 2) % p, 0, "not on the grid: {:?}", starts);
        }
        if mode == 0 {
            for w in starts.windows(2).zip(multi.periods.windows(2)) {
                let (s, q) = w;
                for a in 0..q[0].adaptation_sets.len() {
                    let t0 = q[0].adaptation_sets[a].segment_template.as_ref().unwrap();
                    let t1 = q[1].adaptation_sets[a].segment_template.as_ref().unwrap();
                    prop_assert_eq!(
                        t1.start_number.unwrap() - t0.start_number.unwrap(),
                        ((s[1] - s[0]) / 2) as u64
                    );
                }
            }
            // The last Period holds now.
            let last = *starts.last().unwrap();
            prop_assert!(last <= now_s - start * 2 && now_s - start * 2 < last + p);
        } else {
            // A Period is listed once every AdaptationSet has a segment in it (a
            // SegmentTimeline needs one S), so at either end of the window at most one segment
            // of the single-Period MPD may be missing, never one in the middle.
            for a in 0..single.periods[0].adaptation_sets.len() {
                let all = timeline_segments(&single, a);
                let listed = timeline_segments(&multi, a);
                let at = all.iter().position(|s| Some(s) == listed.first());
                prop_assert!(at.is_some_and(|i| i <= 1), "head missing: {:?} vs {:?}", listed.first(), all.first());
                let at = at.unwrap();
                prop_assert!(all.len() - at - listed.len() <= 1);
                prop_assert_eq!(&all[at..at + listed.len()], listed.as_slice());
                // Every Period but the first and the last holds P / d segments.
                for q in multi.periods.iter().skip(1).rev().skip(1) {
                    let tpl = q.adaptation_sets[a].segment_template.as_ref().unwrap();
                    let n: i64 = tpl.segment_timeline.as_ref().unwrap().s.iter()
                        .map(|s| 1 + s.r.unwrap_or(0)).sum();
                    prop_assert_eq!(n, p / 2);
                }
            }
        }
    }
}
