//! ISO-BMFF rewrite cost: set tfdt + mfhd of a real 2 s video segment versus copying the same
//! segment's bytes, for a typical ABR-rung segment (`fixtures/dash/ffmpeg_720p`, 1280x720 at
//! ~3.4 Mb/s, 861 KB) and for the small 320x180 fixture segments (ffmpeg's and Shaka Packager's).
//! Targets (issue 4): one rewrite under 1 % of the copy, over 1,000,000 rewrites/s on one core.
//! After the criterion groups, a plain timing loop prints the ratio and rewrites per second.
//! `DASHKIT_FIXTURES` may point at another fixtures directory.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::bmff::patch::{rewrite_segment, Edits, TfdtEdit, TfdtTarget};

/// A typical 2 s video segment: 1280x720 H.264 at ~3.4 Mb/s (ffmpeg, `fixtures/make.sh`).
const TYPICAL: &str = "dash/ffmpeg_720p/chunk-0-00001.m4s";
/// A small 2 s video segment (320x180 at 150 kb/s, ffmpeg's DASH output).
const SEGMENT: &str = "dash/ffmpeg_number/chunk-0-00002.m4s";
/// The largest fixture video segment (Shaka Packager live, 180p, 2 s).
const LARGEST: &str = "dash/shaka_live/video_180p/4.m4s";
/// A realistic 2 s video segment size: 4 Mb/s x 2 s.
const REALISTIC: usize = 1 << 20;

fn segment(name: &str) -> Vec<u8> {
    match std::env::var_os("DASHKIT_FIXTURES") {
        Some(dir) => std::fs::read(std::path::Path::new(&dir).join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}")),
        None => dashkit_benches::fixture(name),
    }
}

fn edits(tfdt: u64, seq: u32) -> Edits {
    Edits {
        tfdt: vec![TfdtEdit {
            track_id: None,
            target: TfdtTarget::Set(tfdt),
        }],
        sequence_number: Some(seq),
        ..Edits::default()
    }
}

fn benches(c: &mut Criterion, group: &str, data: &[u8]) {
    let mut g = c.benchmark_group(group);
    g.throughput(criterion::Throughput::Bytes(data.len() as u64));
    g.bench_function("copy_segment", |b| {
        b.iter(|| black_box(black_box(data).to_vec()))
    });
    let e = edits(123_456_789, 42);
    g.bench_function("rewrite_tfdt_mfhd", |b| {
        b.iter(|| black_box(rewrite_segment(black_box(data), black_box(&e)).map(|r| r.parts.len())))
    });
    let grow = edits(1 << 40, 42);
    g.bench_function("rewrite_tfdt_mfhd_grow_v1", |b| {
        b.iter(|| {
            black_box(rewrite_segment(black_box(data), black_box(&grow)).map(|r| r.parts.len()))
        })
    });
    g.finish();
}

fn per_op_ns(iters: u32, mut f: impl FnMut()) -> f64 {
    // A tenth as warm-up.
    for _ in 0..iters / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    t.elapsed().as_nanos() as f64 / f64::from(iters)
}

fn main() {
    let typical = segment(TYPICAL);
    let data = segment(SEGMENT);
    let largest = segment(LARGEST);
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, "bmff_rewrite_720p", &typical);
    benches(&mut c, "bmff_rewrite", &data);
    benches(&mut c, "bmff_rewrite_largest", &largest);
    let big = vec![0x5Au8; REALISTIC];
    let mut g = c.benchmark_group("bmff_copy_1mb");
    g.throughput(criterion::Throughput::Bytes(big.len() as u64));
    g.bench_function("copy_1mb", |b| {
        b.iter(|| black_box(black_box(&big[..]).to_vec()))
    });
    g.finish();
    c.final_summary();
    let copy_1mb = per_op_ns(2_000, || {
        black_box(black_box(&big[..]).to_vec());
    });
    let e = edits(123_456_789, 42);
    for (name, seg) in [(TYPICAL, &typical), (SEGMENT, &data), (LARGEST, &largest)] {
        // Alternating batches (about 20 ms each) so both see the same machine load; medians
        // of the per-round figures.
        let mut copy_batch = || {
            black_box(black_box(&seg[..]).to_vec());
        };
        let mut rewrite_batch = || {
            let _ =
                black_box(rewrite_segment(black_box(seg), black_box(&e)).map(|r| r.parts.len()));
        };
        let n_copy = (20e6 / per_op_ns(20, &mut copy_batch)).clamp(10.0, 1e6) as u32;
        let n_rewrite = (20e6 / per_op_ns(2_000, &mut rewrite_batch)).clamp(10.0, 1e7) as u32;
        let mut rounds: Vec<(f64, f64)> = (0..15)
            .map(|_| {
                (
                    per_op_ns(n_copy, &mut copy_batch),
                    per_op_ns(n_rewrite, &mut rewrite_batch),
                )
            })
            .collect();
        let mut ratios: Vec<f64> = rounds.iter().map(|(c, r)| r / c).collect();
        ratios.sort_by(f64::total_cmp);
        rounds.sort_by(|a, b| a.1.total_cmp(&b.1));
        let rewrite = rounds[rounds.len() / 2].1;
        rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
        let copy = rounds[rounds.len() / 2].0;
        println!(
            "bmff summary {name}: {} bytes; copy {:.0} ns ({:.3} ns/byte); rewrite tfdt+mfhd {:.0} ns ({:.5} ns/byte) = {:.3} % of the copy (median of 15 alternating rounds); {:.0} rewrites/s; vs copy of 1 MiB ({:.0} ns): {:.3} %",
            seg.len(),
            copy,
            copy / seg.len() as f64,
            rewrite,
            rewrite / seg.len() as f64,
            100.0 * ratios[ratios.len() / 2],
            1e9 / rewrite,
            copy_1mb,
            100.0 * rewrite / copy_1mb,
        );
    }
}
