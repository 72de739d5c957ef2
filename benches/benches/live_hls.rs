//! The live simulator's HLS media playlist (issue 16) on the `ffmpeg_livesim` fixture: a
//! 5-minute window (`tsbd_300`) of 2 s segments, 150 entries, as `serve` answers it.
//!
//! - `live_hls_media_from_scratch`: window, every segment's EXTINF, URI and
//!   PROGRAM-DATE-TIME built from the timing model, then written (what `respond` does);
//! - `live_hls_media_kept`: the answer through the per-asset cache `serve` uses
//!   (`MpdCache`), requests 1 ms apart: built once per segment (every 2000 requests), the kept
//!   text otherwise;
//! - `baseline_copy_text`: copying the playlist's text (~11 KB) once, the floor of any answer
//!   that hands out an owned body, for a ratio measured in the same run.
//!
//! After the criterion groups, a plain loop prints CPU time per answer (from
//! `/proc/thread-self/schedstat`, since shared machines inflate the wall clock).

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::live::asset::LiveAsset;
use dashkit::live::mpd_cache::MpdCache;
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig};

/// Mid-segment: 150 segments ended in the 300 s before it (at a segment boundary, 151).
const NOW_MS: i64 = 1_356_998_460_500;
const FILE: &str = "manifest_0.m3u8";

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

fn text_of(r: Response<'_>) -> usize {
    match r {
        Response::Playlist { text, .. } => text.len(),
        _ => panic!("not a playlist"),
    }
}

fn from_scratch(a: &LiveAsset, o: &LiveOptions, cfg: &SourceConfig, now: i64) -> usize {
    text_of(respond(a, o, FILE, now, cfg, |_| None).unwrap_or_else(|e| panic!("{e}")))
}

fn kept(a: &LiveAsset, o: &LiveOptions, cfg: &SourceConfig, c: &mut MpdCache, now: i64) -> usize {
    let r = match c.get(o, FILE, cfg, now) {
        Some(r) => r,
        None => {
            let r = respond(a, o, FILE, now, cfg, |_| None).unwrap_or_else(|e| panic!("{e}"));
            c.insert(o, FILE, cfg, now, &r);
            r
        }
    };
    text_of(r)
}

fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn per_answer(label: &str, n: u32, mut f: impl FnMut(i64) -> usize) {
    let (wall, cpu) = (Instant::now(), cpu_ns());
    let mut total = 0;
    for i in 0..n {
        total += f(NOW_MS + i64::from(i));
    }
    let wall_ns = wall.elapsed().as_nanos() as f64 / f64::from(n);
    let cpu = cpu
        .zip(cpu_ns())
        .map(|(a, b)| (b - a) as f64 / f64::from(n));
    println!(
        "{label}: {wall_ns:.0} ns wall, {} per answer ({total} bytes)",
        cpu.map_or("? ns CPU".into(), |c| format!("{c:.0} ns CPU"))
    );
}

fn main() {
    let a = asset();
    let o = LiveOptions::parse("tsbd_300").unwrap_or_default();
    let cfg = SourceConfig::default();
    let segments = match respond(&a, &o, FILE, NOW_MS, &cfg, |_| None) {
        Ok(Response::Playlist { text, .. }) => text.matches("#EXTINF").count(),
        _ => 0,
    };
    assert_eq!(segments, 150, "a 5-minute window of 2 s segments");
    let text = match respond(&a, &o, FILE, NOW_MS, &cfg, |_| None) {
        Ok(Response::Playlist { text, .. }) => text,
        _ => String::new(),
    };
    let mut c = Criterion::default().configure_from_args();
    let mut ms = 0i64;
    c.bench_function("live_hls_media_from_scratch", |b| {
        b.iter(|| {
            ms += 1;
            from_scratch(black_box(&a), &o, &cfg, NOW_MS + ms)
        })
    });
    let mut cache = MpdCache::default();
    c.bench_function("live_hls_media_kept", |b| {
        b.iter(|| {
            ms += 1;
            kept(black_box(&a), &o, &cfg, &mut cache, NOW_MS + ms)
        })
    });
    c.bench_function("baseline_copy_text", |b| {
        b.iter(|| black_box(&text).clone().len())
    });
    c.final_summary();
    per_answer("from scratch", 2_000, |now| from_scratch(&a, &o, &cfg, now));
    let mut cache = MpdCache::default();
    per_answer("kept (1 ms apart)", 200_000, |now| {
        kept(&a, &o, &cfg, &mut cache, now)
    });
    per_answer("baseline copy", 200_000, |_| black_box(&text).clone().len());
}
