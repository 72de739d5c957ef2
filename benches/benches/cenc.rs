//! Common Encryption cost: `dashkit::cenc::encrypt` of a typical 2 s 720p video segment
//! (`fixtures/dash/ffmpeg_720p`, 1280x720 H.264 at ~3.4 Mb/s, 861 KB, with its init) for both
//! schemes, against copying the same bytes (`to_vec`). After the criterion groups, a plain
//! timing loop prints the ratios and the encryption throughput.
//! `DASHKIT_FIXTURES` may point at another fixtures directory.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::cenc::{encrypt, EncryptOptions, Key, Scheme};

const INIT: &str = "dash/ffmpeg_720p/init-0.m4s";
const SEGMENT: &str = "dash/ffmpeg_720p/chunk-0-00001.m4s";

fn fixture(name: &str) -> Vec<u8> {
    match std::env::var_os("DASHKIT_FIXTURES") {
        Some(dir) => std::fs::read(std::path::Path::new(&dir).join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}")),
        None => dashkit_benches::fixture(name),
    }
}

fn opts(scheme: Scheme) -> EncryptOptions {
    EncryptOptions::new(scheme, Key::new([1; 16], [2; 16]), [3; 16])
}

fn per_iter(mut f: impl FnMut(), n: u32) -> f64 {
    for _ in 0..n / 10 + 1 {
        f();
    }
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() / f64::from(n)
}

fn main() {
    let init = fixture(INIT);
    let seg = fixture(SEGMENT);
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("cenc_720p_segment");
    g.bench_function("copy", |b| b.iter(|| black_box(black_box(&seg).to_vec())));
    for (name, scheme) in [
        ("encrypt_cenc", Scheme::Cenc),
        ("encrypt_cbcs", Scheme::Cbcs),
    ] {
        let o = opts(scheme);
        g.bench_function(name, |b| {
            b.iter(|| black_box(encrypt(black_box(&seg), Some(&init), &o).unwrap()))
        });
    }
    g.finish();
    c.final_summary();

    let copy = per_iter(|| drop(black_box(black_box(&seg).to_vec())), 2000);
    for (name, scheme) in [("cenc", Scheme::Cenc), ("cbcs", Scheme::Cbcs)] {
        let o = opts(scheme);
        let enc = per_iter(
            || {
                drop(black_box(
                    encrypt(black_box(&seg), Some(&init), &o).unwrap(),
                ))
            },
            200,
        );
        println!(
            "encrypt {name}: {:.0} us per {} KB segment, copy {:.1} us, ratio {:.0}x the copy, {:.2} GB/s",
            enc * 1e6,
            seg.len() / 1000,
            copy * 1e6,
            enc / copy,
            seg.len() as f64 / enc / 1e9
        );
    }
}
