//! Low-latency MPD signalling (docs/live-timing.md#low-latency): golden live MPDs with `chunkdur_`
//! (`fixtures/golden/live/ll_*.mpd`, `DASHKIT_BLESS=1 cargo test -p dashkit --test
//! live_lowlatency` rewrites them) and the ingest-side signalling of encoder MPDs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dashkit::live::lowlatency::{signal_low_latency, LowLatency, LOW_LATENCY_PROFILE};
use dashkit::live::mpd::live_mpd;
use dashkit::live::options::LiveOptions;

mod support;
use support::{golden, livesim_asset as asset, livesim_dir};

#[test]
fn golden_low_latency_live_mpds() {
    let a = asset();
    for (name, opts, now) in [
        ("ll_number.mpd", "chunkdur_0.5", 1_000),
        (
            "ll_number_ato_ltgt.mpd",
            "ato_1.5/chunkdur_0.5/ltgt_2500",
            1_000,
        ),
        ("ll_timeline.mpd", "segtimeline_1/tsbd_12/chunkdur_0.5", 25),
    ] {
        let m = live_mpd(&a, &LiveOptions::parse(opts).unwrap(), now * 1000).unwrap();
        golden("live", name, &dashkit::mpd::write(&m));
    }
}

#[test]
fn low_latency_values_follow_livesim2() {
    let a = asset();
    let m = live_mpd(
        &a,
        &LiveOptions::parse("ato_1/chunkdur_0.25/ltgt_2500").unwrap(),
        1_000_000,
    )
    .unwrap();
    // docs/live-timing.md#low-latency-signalling:
    // ltgt_2500/ato_1/chunkdur_0.25 -> target 2500, max 5000, min 1875.
    let l = &m.service_descriptions[0].latencies[0];
    assert_eq!(
        (l.reference_id, l.target, l.max, l.min),
        (Some(0), Some(2500), Some(5000), Some(1875))
    );
    assert!(m.profiles.as_deref().unwrap().contains(LOW_LATENCY_PROFILE));
    for aset in &m.periods[0].adaptation_sets {
        let t = aset.segment_template.as_ref().unwrap();
        assert_eq!(t.availability_time_offset.as_deref(), Some("1"));
        assert_eq!(t.availability_time_complete, Some(false));
        assert_eq!(aset.producer_reference_times.len(), 1);
    }
    // Without ltgt: 3500/7000/2625; without ato: segment duration (2 s) minus the chunk.
    let m = live_mpd(&a, &LiveOptions::parse("chunkdur_0.5").unwrap(), 1_000_000).unwrap();
    let l = &m.service_descriptions[0].latencies[0];
    assert_eq!(
        (l.target, l.max, l.min),
        (Some(3500), Some(7000), Some(2625))
    );
    let t = m.periods[0].adaptation_sets[0]
        .segment_template
        .as_ref()
        .unwrap();
    assert_eq!(t.availability_time_offset.as_deref(), Some("1.5"));
    // Timeline: S@k = segment duration / chunk duration, rounded.
    let m = live_mpd(
        &a,
        &LiveOptions::parse("segtimeline_1/chunkdur_0.5").unwrap(),
        25_000,
    )
    .unwrap();
    let video = m.periods[0].adaptation_sets[0]
        .segment_template
        .as_ref()
        .unwrap();
    for s in &video.segment_timeline.as_ref().unwrap().s {
        assert_eq!(s.k, Some(4));
    }
    // A chunk longer than the segment is refused.
    assert!(live_mpd(&a, &LiveOptions::parse("chunkdur_3").unwrap(), 1_000_000).is_err());
}

#[test]
fn ingest_mpds_get_consistent_signalling_and_keep_theirs() {
    let ll = LowLatency::new(500, "https://origin.example/time");
    for (name, src) in [
        ("ll_ingest_dynamic_number.mpd", "mpd/dynamic_number.mpd"),
        ("ll_ingest_dynamic_timeline.mpd", "mpd/dynamic_timeline.mpd"),
        ("ll_ingest_low_latency.mpd", "mpd/low_latency.mpd"),
    ] {
        let text = std::fs::read_to_string(support::fixtures().join(src)).unwrap();
        let mut m = dashkit::mpd::parse(&text).unwrap();
        let before = m.clone();
        signal_low_latency(&mut m, &ll).unwrap();
        assert!(!m.service_descriptions.is_empty(), "{src}");
        assert!(!m.utc_timings.is_empty(), "{src}");
        // What the encoder said is kept.
        if !before.utc_timings.is_empty() {
            assert_eq!(m.utc_timings, before.utc_timings, "{src}");
        }
        if !before.service_descriptions.is_empty() {
            assert_eq!(m.service_descriptions, before.service_descriptions, "{src}");
        }
        // Applying twice changes nothing more.
        let once = m.clone();
        signal_low_latency(&mut m, &ll).unwrap();
        assert_eq!(m, once, "{src}");
        golden("live", name, &dashkit::mpd::write(&m));
    }
    // Static MPDs are refused.
    let mut s = dashkit::mpd::parse(r#"<MPD type="static"><Period/></MPD>"#).unwrap();
    assert!(signal_low_latency(&mut s, &ll).is_err());
}

/// The low-latency timeline (livesim2's rule): over 12 s of instants, the newest segment each
/// Representation's timeline lists is one the server hands out at that instant (never "too
/// early"), and often one still being produced (its chunks not all due); a plain timeline lists
/// only complete segments.
#[test]
fn low_latency_timeline_lists_what_can_be_fetched_including_the_segment_in_progress() {
    use dashkit::live::source::{respond, Response, SourceConfig};
    let a = asset();
    // Every file of the asset, read once: the VoD segments the answers borrow from.
    let dir = livesim_dir();
    let mut files = std::collections::HashMap::new();
    for rep in std::fs::read_dir(&dir).unwrap() {
        let rep = rep.unwrap().path();
        for f in std::fs::read_dir(&rep).into_iter().flatten() {
            let f = f.unwrap().path();
            let url = f.strip_prefix(&dir).unwrap().to_str().unwrap().to_string();
            files.insert(url, std::fs::read(&f).unwrap());
        }
    }
    let cfg = SourceConfig::default();
    let mut in_progress = 0;
    for (opts, low_latency) in [
        ("chunkdur_0.5/segtimeline_1", true),
        ("chunkdur_0.5/segtimelinenr_1", true),
        ("segtimeline_1", false),
    ] {
        let o = LiveOptions::parse(opts).unwrap();
        for step in 0..120 {
            let now = 1_000_000 + step * 100;
            let Response::Mpd { xml } =
                respond(&a, &o, "manifest.mpd", now, &cfg, |_| None).unwrap()
            else {
                panic!("no MPD")
            };
            let mpd = dashkit::mpd::parse(&xml).unwrap();
            for rep in dashkit::mpd::listing::list_segments(&mpd, "", |_| None).unwrap() {
                let last = rep.segments.segments.last().unwrap();
                let r = respond(&a, &o, &last.url, now, &cfg, |u| {
                    files.get(u).map(Vec::as_slice)
                })
                .unwrap();
                match r {
                    Response::Chunked {
                        chunks, start_ms, ..
                    } => {
                        assert!(low_latency, "{opts}");
                        let last_due = start_ms + chunks.last().unwrap().end_offset_ms as i64;
                        in_progress += usize::from(last_due > now);
                    }
                    Response::Segment { .. } => assert!(!low_latency, "{opts}"),
                    other => panic!("{opts} at {now}: {} listed but {other:?}", last.url),
                }
            }
        }
    }
    // 2 Representations x 240 low-latency instants: a segment is in progress for 1.4 s
    // (ato − the 100 ms drift margin) of every 2 s, less where its media end lies past the
    // nominal grid.
    let share = in_progress as f64 / 480.0;
    assert!(
        share >= 0.5,
        "a segment in progress listed at {in_progress} of 480"
    );
}
