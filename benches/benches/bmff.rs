//! ISO-BMFF rewrite cost: set tfdt + mfhd of a real 2 s video segment (ffmpeg's DASH output,
//! `fixtures/dash/ffmpeg_number/chunk-0-00002.m4s`) versus copying the same segment's bytes.
//! Targets (issue 4): one rewrite under 1 % of the copy, over 1,000,000 rewrites/s on one core.
//! After the criterion groups, a plain timing loop prints the ratio and rewrites per second.
//! `DASHKIT_FIXTURES` may point at another fixtures directory.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::bmff::patch::{rewrite_segment, Edits, TfdtEdit};

const SEGMENT: &str = "dash/ffmpeg_number/chunk-0-00002.m4s";

fn segment() -> Vec<u8> {
    match std::env::var_os("DASHKIT_FIXTURES") {
        Some(dir) => std::fs::read(std::path::Path::new(&dir).join(SEGMENT))
            .unwrap_or_else(|e| panic!("{SEGMENT}: {e}")),
        None => dashkit_benches::fixture(SEGMENT),
    }
}

fn edits(tfdt: u64, seq: u32) -> Edits {
    Edits {
        tfdt: vec![TfdtEdit {
            track_id: None,
            base_media_decode_time: tfdt,
        }],
        sequence_number: Some(seq),
        ..Edits::default()
    }
}

fn benches(c: &mut Criterion, data: &[u8]) {
    let mut g = c.benchmark_group("bmff_rewrite");
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
    let data = segment();
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &data);
    c.final_summary();
    let copy = per_op_ns(20_000, || {
        black_box(black_box(&data[..]).to_vec());
    });
    let e = edits(123_456_789, 42);
    let rewrite = per_op_ns(500_000, || {
        let _ = black_box(rewrite_segment(black_box(&data), black_box(&e)).map(|r| r.parts.len()));
    });
    println!(
        "bmff summary: segment {} bytes; copy {:.0} ns; rewrite tfdt+mfhd {:.0} ns = {:.3} % of the copy; {:.0} rewrites/s",
        data.len(),
        copy,
        rewrite,
        100.0 * rewrite / copy,
        1e9 / rewrite
    );
}
