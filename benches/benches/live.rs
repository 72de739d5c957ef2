//! Live simulation cost on the `ffmpeg_livesim` fixture: one live segment built (options
//! parsed, segment chosen, headers rewritten, mdat borrowed) and the live MPD built and
//! written. Target (issue 6): under 5 µs per segment. After the criterion groups a plain
//! timing loop prints segments per second.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::live::asset::LiveAsset;
use dashkit::live::mpd::live_mpd;
use dashkit::live::mpd_cache::MpdCache;
use dashkit::live::options::LiveOptions;
use dashkit::live::segment::{live_segment, LiveSegmentResult, SegmentAddress};
use dashkit::live::source::{respond, Response, SourceConfig};
use dashkit::live::timing::Timing;

const NOW_MS: i64 = 1_356_998_460_000;

fn asset() -> LiveAsset {
    let text = String::from_utf8(dashkit_benches::fixture("dash/ffmpeg_livesim/manifest.mpd"))
        .unwrap_or_default();
    let mpd = dashkit::mpd::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    LiveAsset::from_vod(
        mpd,
        &mut dashkit::source::WholeFiles(|u: &str| {
            std::fs::read(dashkit_benches::fixture_path(&format!(
                "dash/ffmpeg_livesim/{u}"
            )))
            .ok()
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn one_segment(a: &LiveAsset, vod: &[u8]) -> usize {
    let o = LiveOptions::parse("tsbd_30").unwrap_or_default();
    let t = match Timing::from_options(&o, a.looping, a.default_tsbd_s, NOW_MS) {
        Ok(s) => s.timing,
        Err(e) => panic!("{e}"),
    };
    // 678499228 maps onto VoD 5 (0/5.m4s).
    match live_segment(
        a,
        &t,
        "0",
        SegmentAddress::Number(678_499_228),
        vod,
        NOW_MS,
        o.sidx,
    ) {
        Ok(LiveSegmentResult::Ready(rw)) => rw.len(),
        other => panic!("{other:?}"),
    }
}

fn main() {
    let a = asset();
    let vod = dashkit_benches::fixture("dash/ffmpeg_livesim/0/5.m4s");
    let opts = LiveOptions::parse("segtimeline_1/tsbd_30").unwrap_or_default();
    let mut c = Criterion::default().configure_from_args();
    c.bench_function("live_segment", |b| {
        b.iter(|| one_segment(black_box(&a), black_box(&vod)))
    });
    c.bench_function("live_mpd_number", |b| {
        b.iter(|| {
            let m = live_mpd(black_box(&a), &LiveOptions::default(), NOW_MS);
            m.map(|m| dashkit::mpd::write(&m).len()).unwrap_or(0)
        })
    });
    c.bench_function("live_mpd_timeline", |b| {
        b.iter(|| {
            let m = live_mpd(black_box(&a), &opts, NOW_MS);
            m.map(|m| dashkit::mpd::write(&m).len()).unwrap_or(0)
        })
    });
    // One live MPD at now as a server answers it (issue 15: SegmentTimeline, 5-minute window,
    // what benches/load/vs_nginx.sh asks for): built and written by `respond` for every
    // request, against the same answer from an MpdCache (a new `now` each iteration, within
    // one second, as requests arriving in that second).
    let tl300 = LiveOptions::parse("segtimeline_1/tsbd_300").unwrap_or_default();
    let cfg = SourceConfig {
        utc_timing_url: Some("http://127.0.0.1:8059/time".into()),
        request_url: None,
        ..SourceConfig::default()
    };
    let mut ms = 0i64;
    c.bench_function("live_mpd_at_now_timeline_tsbd300", |b| {
        b.iter(|| {
            ms = (ms + 1) % 1000;
            match respond(
                black_box(&a),
                &tl300,
                "manifest.mpd",
                NOW_MS + ms,
                &cfg,
                |_| None,
            ) {
                Ok(Response::Mpd { xml }) => xml.len(),
                other => panic!("{other:?}"),
            }
        })
    });
    let mut cache = MpdCache::default();
    c.bench_function("live_mpd_at_now_timeline_tsbd300_cached", |b| {
        b.iter(|| {
            ms = (ms + 1) % 1000;
            let now = NOW_MS + ms;
            let r = match cache.get(&tl300, "manifest.mpd", &cfg, now) {
                Some(r) => r,
                None => {
                    let r = respond(black_box(&a), &tl300, "manifest.mpd", now, &cfg, |_| None)
                        .unwrap_or_else(|e| panic!("{e}"));
                    cache.insert(&tl300, "manifest.mpd", &cfg, now, &r);
                    r
                }
            };
            match r {
                Response::Mpd { xml } => xml.len(),
                other => panic!("{other:?}"),
            }
        })
    });
    // Low-latency chunking (issue 10): the same VoD segment cut into 500 ms chunks.
    let init = dashkit_benches::fixture("dash/ffmpeg_livesim/0/init.mp4");
    let spec = dashkit::live::chunk::ChunkSpec {
        chunk_duration_ms: 500,
        timescale: 12_800,
        sequence_number: 678_499_228,
        tfdt_offset_ticks: 1 << 40,
    };
    c.bench_function("live_chunk_segment_500ms", |b| {
        b.iter(|| {
            dashkit::live::chunk::chunk_segment(black_box(&vod), Some(&init), &spec)
                .map(|c| c.len())
                .unwrap_or(0)
        })
    });
    c.final_summary();

    let n = 200_000;
    let start = Instant::now();
    let mut total = 0;
    for _ in 0..n {
        total += one_segment(black_box(&a), black_box(&vod));
    }
    let per = start.elapsed().as_nanos() as f64 / f64::from(n);
    println!(
        "live segment: {per:.0} ns each ({:.0}/s), {total} bytes",
        1e9 / per
    );
}
