//! ISO-BMFF rewrite cost: set tfdt + mfhd of a real 2 s video segment (ffmpeg's DASH output,
//! `fixtures/dash/ffmpeg_number/chunk-0-00002.m4s`) versus copying the same segment's bytes.
//! Targets (issue 4): one rewrite under 1 % of the copy, over 1,000,000 rewrites/s on one core.
//! After the criterion groups, a plain timing loop prints the ratio and rewrites per second.
//! `DASHKIT_FIXTURES` may point at another fixtures directory.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::bmff::patch::{rewrite_segment, Edits, TfdtEdit, TfdtTarget};

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
    let data = segment(SEGMENT);
    let largest = segment(LARGEST);
    let mut c = Criterion::default().configure_from_args();
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
    for (name, seg) in [(SEGMENT, &data), (LARGEST, &largest)] {
        let copy = per_op_ns(20_000, || {
            black_box(black_box(&seg[..]).to_vec());
        });
        let rewrite = per_op_ns(500_000, || {
            let _ =
                black_box(rewrite_segment(black_box(seg), black_box(&e)).map(|r| r.parts.len()));
        });
        println!(
            "bmff summary {name}: {} bytes; copy {:.0} ns ({:.3} ns/byte); rewrite tfdt+mfhd {:.0} ns ({:.5} ns/byte) = {:.3} % of the copy; {:.0} rewrites/s; vs copy of 1 MiB ({:.0} ns): {:.3} %",
            seg.len(),
            copy,
            copy / seg.len() as f64,
            rewrite,
            rewrite / seg.len() as f64,
            100.0 * rewrite / copy,
            1e9 / rewrite,
            copy_1mb,
            100.0 * rewrite / copy_1mb,
        );
    }
}
