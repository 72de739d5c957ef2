//! HLS media playlist cost: a live-sized window (5 minutes of 2 s segments, 150 entries, as
//! `tsbd_300` would serve) built from integer timing into the model and written as text.
//! Target (issue 16): under 5 µs per playlist. After the criterion groups, a plain timing loop
//! prints playlists per second.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::hls::{
    write_media, Decimal, Map, MediaPlaylist, MediaSegment, PlaylistType, ServerControl,
};
use dashkit::mpd::XsDateTime;

const SEGMENTS: u64 = 150;
const TIMESCALE: u32 = 90_000;
/// 2 s at 90 kHz.
const SEGMENT_TICKS: u64 = 180_000;

/// The window of a live stream whose newest segment is `last_number`: what a live origin
/// knows (numbers, durations in ticks, the wall-clock time of the first segment).
fn build(last_number: u64, first_pdt: &XsDateTime) -> MediaPlaylist {
    let first = last_number + 1 - SEGMENTS;
    let mut segments = Vec::with_capacity(SEGMENTS as usize);
    for n in first..=last_number {
        // 1 in 7 segments is a frame (3600 ticks at 25 fps) longer or shorter, as encoders do.
        let ticks = match n % 7 {
            0 => SEGMENT_TICKS + 3_600,
            3 => SEGMENT_TICKS - 3_600,
            _ => SEGMENT_TICKS,
        };
        let mut s = MediaSegment::new(
            format!("video/{n}.m4s"),
            Decimal::from_ticks(ticks, TIMESCALE).unwrap_or(Decimal::ZERO),
        );
        if n == first {
            s.map = Some(Map {
                uri: "video/init.mp4".to_owned(),
                byte_range: None,
            });
            s.program_date_time = Some(first_pdt.clone());
        }
        segments.push(s);
    }
    let mut p = MediaPlaylist {
        media_sequence: first,
        segments,
        server_control: Some(ServerControl {
            hold_back: Some(Decimal::from_int(6)),
            ..ServerControl::default()
        }),
        playlist_type: None::<PlaylistType>,
        ..MediaPlaylist::default()
    };
    p.target_duration = p.required_target_duration();
    p.version = Some(p.required_version());
    p
}

fn bench(c: &mut Criterion) {
    let pdt = XsDateTime::parse("2026-12-07T18:00:00.000Z").unwrap_or_else(|e| panic!("{e}"));
    let mut g = c.benchmark_group("hls_media_playlist_150");
    g.bench_function("build", |b| b.iter(|| build(black_box(1_000_150), &pdt)));
    let p = build(1_000_150, &pdt);
    g.bench_function("write", |b| b.iter(|| write_media(black_box(&p))));
    g.bench_function("build_and_write", |b| {
        b.iter(|| write_media(&build(black_box(1_000_150), &pdt)))
    });
    g.finish();
}

fn summary() {
    let pdt = XsDateTime::parse("2026-12-07T18:00:00.000Z").unwrap_or_else(|e| panic!("{e}"));
    let n = 200_000u64;
    let t = Instant::now();
    let mut bytes = 0usize;
    for k in 0..n {
        bytes += write_media(&build(black_box(1_000_150 + k % 1000), &pdt)).len();
    }
    let e = t.elapsed();
    println!(
        "hls summary: {:.0} media playlists of 150 segments built and written per second ({:.2} µs each, {} bytes each)",
        n as f64 / e.as_secs_f64(),
        e.as_secs_f64() * 1e6 / n as f64,
        bytes / n as usize
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    let skip =
        std::env::args().any(|a| matches!(a.as_str(), "--list" | "--test" | "--profile-time"));
    if !skip {
        summary();
    }
}
