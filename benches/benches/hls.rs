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

/// Appends the digits of `n` (what a live origin formatting `$Number$` would do).
fn push_number(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

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
        let mut uri = String::with_capacity(24);
        uri.push_str("video/");
        push_number(&mut uri, n);
        uri.push_str(".m4s");
        let mut s = MediaSegment::new(
            uri,
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

/// Nanoseconds this thread has run on a CPU (Linux `schedstat`), if available: on a shared,
/// loaded machine the wall clock also counts the time other processes held the CPU.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Wall and CPU time per call of `f` over `n` calls, microseconds.
fn per_call(n: u64, f: &mut dyn FnMut(u64) -> usize) -> (f64, Option<f64>, usize) {
    let c0 = cpu_ns();
    let t = Instant::now();
    let mut bytes = 0usize;
    for k in 0..n {
        bytes += f(k);
    }
    let wall = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let cpu = match (c0, cpu_ns()) {
        (Some(a), Some(b)) => Some((b - a) as f64 / 1e3 / n as f64),
        _ => None,
    };
    (wall, cpu, bytes / n as usize)
}

fn summary() {
    let pdt = XsDateTime::parse("2026-12-07T18:00:00.000Z").unwrap_or_else(|e| panic!("{e}"));
    let n = 100_000u64;
    let kept = build(1_000_150, &pdt);
    let runs: [(&str, &mut dyn FnMut(u64) -> usize); 3] = [
        ("build", &mut |k| {
            build(black_box(1_000_150 + k % 1000), &pdt).segments.len()
        }),
        ("write", &mut |_| write_media(black_box(&kept)).len()),
        ("build_and_write", &mut |k| {
            write_media(&build(black_box(1_000_150 + k % 1000), &pdt)).len()
        }),
    ];
    for (name, f) in runs {
        let (wall, cpu, _) = per_call(n, f);
        let cpu = cpu.map_or("n/a".to_owned(), |c| format!("{c:.2} µs"));
        println!(
            "hls summary {name}: {wall:.2} µs wall, {cpu} CPU per media playlist of 150 segments"
        );
    }
    println!(
        "hls summary: playlist text {} bytes",
        write_media(&kept).len()
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
