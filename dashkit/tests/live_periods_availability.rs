//! The multi-Period live MPD (`periods_N`) read as a DASH client reads it agrees with the
//! server at every instant, above all just after a Period boundary
//! (docs/live-options.md#periods).
//!
//! At each instant the test takes the MPD the server answers, works out from it alone, by
//! ISO/IEC 23009-1 §5.3.9.5 and §A.3, which segments of which Period a client may request
//! (`$Number$`: segment `k` of a Period is available once
//! `AST + Period@start + (k − startNumber + 1)·d/timescale − ato ≤ now`, up to the next
//! Period's start and back to the time-shift buffer; SegmentTimeline: the listed `S` entries,
//! which must be available by the same rule), and asks the server for every one of them: each
//! must be a 200 whose `tfdt` is the media time the MPD gives it
//! (`presentationTimeOffset` + offset in the Period). The latest of them is what the MPD calls
//! the live edge.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::OnceLock;

use dashkit::live::asset::LiveAsset;
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig};
use dashkit::mpd::Mpd;

mod support;
use support::{livesim_asset, livesim_dir};

fn asset() -> &'static LiveAsset {
    static A: OnceLock<LiveAsset> = OnceLock::new();
    A.get_or_init(livesim_asset)
}

/// Every file of the fixture, by its URL relative to the MPD.
fn files() -> &'static HashMap<String, Vec<u8>> {
    static F: OnceLock<HashMap<String, Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        let dir = livesim_dir();
        let mut m = HashMap::new();
        for sub in ["0", "1"] {
            for e in std::fs::read_dir(dir.join(sub)).unwrap() {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_str().unwrap().to_string();
                m.insert(format!("{sub}/{name}"), std::fs::read(&p).unwrap());
            }
        }
        m
    })
}

/// A big-endian integer of `n` bytes at `at`.
fn be(b: &[u8], at: usize, n: usize) -> u64 {
    b[at..at + n]
        .iter()
        .fold(0u64, |acc, x| (acc << 8) | u64::from(*x))
}

/// The first `tfdt`'s baseMediaDecodeTime of a media segment.
fn tfdt(seg: &[u8]) -> u64 {
    let at = seg.windows(4).position(|w| w == b"tfdt").expect("tfdt") + 4;
    if seg[at] == 1 {
        be(seg, at + 4, 8)
    } else {
        be(seg, at + 4, 4)
    }
}

/// The `mdhd` timescale of an init segment.
fn track_timescale(init: &[u8]) -> u64 {
    let at = init.windows(4).position(|w| w == b"mdhd").expect("mdhd") + 4;
    let skip = if init[at] == 1 { 16 } else { 8 };
    be(init, at + 4 + skip, 4)
}

const NS: i128 = 1_000_000_000;

fn nanos(d: &dashkit::mpd::XsDuration) -> i128 {
    d.to_nanos().unwrap()
}

/// One segment a client may request, by the MPD.
#[derive(Debug, Clone)]
struct Wanted {
    url: String,
    period: String,
    /// Media time in the template's timescale.
    media_time: u64,
    timescale: u64,
    /// Instant (epoch ns) it becomes available by the MPD.
    available_ns: i128,
}

/// `$RepresentationID$`, `$Number$`, `$Time$` (the fixture uses no widths).
fn expand(media: &str, rep: &str, number: u64, time: u64) -> String {
    media
        .replace("$RepresentationID$", rep)
        .replace("$Number$", &number.to_string())
        .replace("$Time$", &time.to_string())
}

/// The segments a client may request at `now_ns` from `mpd`, and those the MPD lists although
/// they are not available yet by its own numbers (a timeline entry listed early).
fn requestable(mpd: &Mpd, now_ns: i128) -> (Vec<Wanted>, Vec<Wanted>) {
    let ast = mpd.availability_start_time.as_ref().unwrap().unix_nanos();
    let tsbd = mpd.time_shift_buffer_depth.as_ref().map(nanos);
    let mut ok = Vec::new();
    let mut early = Vec::new();
    let starts: Vec<i128> = mpd
        .periods
        .iter()
        .map(|p| nanos(p.start.as_ref().unwrap()))
        .collect();
    for (pi, period) in mpd.periods.iter().enumerate() {
        let p_start = starts[pi];
        let p_end = starts
            .get(pi + 1)
            .copied()
            .or(mpd.media_presentation_duration.as_ref().map(nanos));
        let id = period.id.clone().unwrap();
        for aset in &period.adaptation_sets {
            let tpl = aset.segment_template.as_ref().unwrap();
            let ts = u64::from(tpl.timescale.unwrap_or(1));
            let pto = tpl.presentation_time_offset.unwrap_or(0);
            let ato_ns = tpl
                .availability_time_offset
                .as_deref()
                .map_or(0, |a| (a.parse::<f64>().unwrap() * 1e9).round() as i128);
            let media = tpl.media.clone().unwrap();
            // (media time, duration, number) of each segment in the Period by the MPD.
            let mut segs: Vec<(u64, u64, u64)> = Vec::new();
            if let Some(tl) = &tpl.segment_timeline {
                let mut t = 0u64;
                let mut n = tpl.start_number.unwrap_or(1);
                for s in &tl.s {
                    t = s.t.unwrap_or(t);
                    let d = s.d.unwrap();
                    for _ in 0..=s.r.unwrap_or(0) {
                        segs.push((t, d, n));
                        t += d;
                        n += 1;
                    }
                }
            } else {
                let d = tpl.duration.unwrap();
                let sn = tpl.start_number.unwrap_or(1);
                // Every segment starting inside the Period whose end is not in the future.
                let mut k = sn;
                loop {
                    let start = p_start + i128::from((k - sn) * d) * NS / i128::from(ts);
                    if p_end.is_some_and(|e| start >= e) {
                        break;
                    }
                    let avail = ast + start + i128::from(d) * NS / i128::from(ts) - ato_ns;
                    if avail > now_ns {
                        break;
                    }
                    segs.push((pto + (k - sn) * d, d, k));
                    k += 1;
                }
            }
            for rep in &aset.representations {
                let rid = rep.id.clone().unwrap();
                for &(t, d, n) in &segs {
                    let end = p_start + i128::from(t + d - pto) * NS / i128::from(ts);
                    // Out of the time-shift buffer: not requestable any more.
                    if tsbd.is_some_and(|b| ast + end < now_ns - b) {
                        continue;
                    }
                    let w = Wanted {
                        url: expand(&media, &rid, n, t),
                        period: id.clone(),
                        media_time: t,
                        timescale: ts,
                        available_ns: ast + end - ato_ns,
                    };
                    if w.available_ns <= now_ns {
                        ok.push(w);
                    } else {
                        early.push(w);
                    }
                }
            }
        }
    }
    (ok, early)
}

/// The MPD the server answers at `now_ms`.
fn served_mpd(o: &LiveOptions, now_ms: i64) -> Mpd {
    let Response::Mpd { xml } = respond(
        asset(),
        o,
        "manifest.mpd",
        now_ms,
        &SourceConfig::default(),
        |_| None,
    )
    .unwrap_or_else(|e| panic!("{o:?} at {now_ms}: {e}")) else {
        panic!("no MPD")
    };
    dashkit::mpd::parse(&xml).unwrap()
}

/// Checks every requestable segment of the MPD served at `now_ms`; returns the faults.
///
/// In the timeline modes the listed times are compared with those of the single-Period MPD
/// at the same instant rather than with the `tfdt`: the fixture's loop is 21 ms longer than
/// its nominal 10 s, and a SegmentTimeline that (as dashlivesim's) writes `@t` only on its
/// first entry drifts from the media by that much per wrap, with or without Periods
/// (docs/live-timing.md#timeline-entries). The same drift moves the availability the MPD
/// implies for its newest entry; what matters to a client is that every listed entry is
/// served, which is checked in every mode.
fn check(opts: &str, now_ms: i64) -> Vec<String> {
    let o = LiveOptions::parse(opts).unwrap();
    let timeline = opts.contains("segtimeline");
    let cfg = SourceConfig::default();
    let f = files();
    let mpd = served_mpd(&o, now_ms);
    let now_ns = i128::from(now_ms) * 1_000_000;
    let (ok, early) = requestable(&mpd, now_ns);
    let mut faults = Vec::new();
    let single: HashMap<String, u64> = if timeline {
        let base: Vec<&str> = opts
            .split('/')
            .filter(|c| !c.starts_with("periods_") && !c.starts_with("continuous_"))
            .collect();
        let so = LiveOptions::parse(&base.join("/")).unwrap();
        let (a, b) = requestable(&served_mpd(&so, now_ms), now_ns);
        a.into_iter()
            .chain(b)
            .map(|w| (w.url, w.media_time))
            .collect()
    } else {
        HashMap::new()
    };
    if !timeline {
        for w in &early {
            faults.push(format!(
                "{opts} at {now_ms}: {} ({}) listed {} ms before it is available",
                w.url,
                w.period,
                (w.available_ns - now_ns) / 1_000_000
            ));
        }
    }
    if ok.is_empty() {
        faults.push(format!("{opts} at {now_ms}: nothing requestable"));
    }
    for w in ok
        .iter()
        .chain(if timeline { early.iter() } else { [].iter() })
    {
        let r = respond(asset(), &o, &w.url, now_ms, &cfg, |u| {
            f.get(u).map(Vec::as_slice)
        })
        .unwrap();
        let decode = match &r {
            Response::Segment { data, .. } => tfdt(&data.to_vec()),
            Response::Chunked { chunks, .. } => chunks[0].decode_time,
            other => {
                faults.push(format!(
                    "{opts} at {now_ms}: {} ({}) available by the MPD since {} ms, server: {other:?}",
                    w.url,
                    w.period,
                    (now_ns - w.available_ns) / 1_000_000
                ));
                continue;
            }
        };
        if timeline {
            if single.get(&w.url) != Some(&w.media_time) {
                faults.push(format!(
                    "{opts} at {now_ms}: {} ({}) at {} is not in the single-Period timeline",
                    w.url, w.period, w.media_time
                ));
            }
            continue;
        }
        let rep = w.url.split('/').next().unwrap();
        let track_ts = track_timescale(&f[&format!("{rep}/init.mp4")]);
        // The media time the MPD gives the segment against the one it carries (ms): equal up
        // to the drift of the fixture's real durations from the nominal grid (< 100 ms).
        let by_mpd = i128::from(w.media_time) * 1000 / i128::from(w.timescale);
        let by_tfdt = i128::from(decode) * 1000 / i128::from(track_ts);
        if (by_mpd - by_tfdt).abs() > 100 {
            faults.push(format!(
                "{opts} at {now_ms}: {} ({}) starts at {by_mpd} ms by the MPD, tfdt {by_tfdt} ms",
                w.url, w.period
            ));
        }
    }
    faults
}

/// A boundary of 60 s Periods in 2026 (Period `P29944506` starts there) and an early one.
const BOUNDARIES_S: [i64; 2] = [1_796_670_360, 1_020];

const MODES: [&str; 3] = ["", "/segtimeline_1", "/segtimelinenr_1"];

#[test]
fn every_segment_the_mpd_offers_is_served_around_boundaries() {
    let mut faults = Vec::new();
    for base in ["periods_60/continuous_1", "periods_60/continuous_1/tsbd_70"] {
        for mode in MODES {
            for chunk in ["", "/chunkdur_0.5"] {
                let opts = format!("{base}{mode}{chunk}");
                for b in BOUNDARIES_S {
                    // From 3 s before the boundary to 20 s after, every 0.5 s.
                    for step in -6..=40 {
                        faults.extend(check(&opts, (b * 1000) + step * 500));
                    }
                }
            }
        }
    }
    if let Some(path) = std::env::var_os("DASHKIT_FAULTS") {
        std::fs::write(path, faults.join("\n")).unwrap();
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults[..faults.len().min(40)].join("\n")
    );
}

#[test]
fn every_segment_the_mpd_offers_is_served_at_odd_instants() {
    let mut faults = Vec::new();
    for mode in MODES {
        for opts in [
            format!("periods_60/start_1790/tsbd_40{mode}"),
            format!("periods_2/start_1790/stop_1900/tsbd_60{mode}"),
            format!("periods_30/timeoffset_0/snr_5/tsbd_200{mode}"),
            format!("periods_60/ato_1/tsbd_100{mode}"),
        ] {
            for now_ms in (1_795_000..1_905_000).step_by(1_250) {
                faults.extend(check(&opts, now_ms));
            }
        }
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults[..faults.len().min(40)].join("\n")
    );
}
