//! Common Encryption cost: `dashkit::cenc::encrypt` of a typical 2 s 720p video segment
//! (`fixtures/dash/ffmpeg_720p`, 1280x720 H.264 at ~3.4 Mb/s, 861 KB, with its init) for both
//! schemes, against copying the same bytes (`to_vec`). After the criterion groups, a plain
//! timing loop prints the ratios and the encryption throughput.
//! Then the same segment served live (`dashkit::live::source::respond` on the 720p asset, one
//! segment looped): clear, and encrypted on the fly with `drm_eccp-cenc` / `drm_eccp-cbcs`.
//! `DASHKIT_FIXTURES` may point at another fixtures directory.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use dashkit::cenc::{encrypt, EncryptOptions, Key, Scheme};
use dashkit::live::asset::LiveAsset;
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, segment_url, Response, SourceConfig};

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

/// An instant, and a live segment available then.
const NOW_MS: i64 = 1_356_998_460_000;
const LIVE_NUMBER: u64 = 678_499_228;

/// The live answer's length for `opts` (the segment's bytes are built, encrypted or not).
fn live_answer(
    asset: &LiveAsset,
    opts: &LiveOptions,
    file: &str,
    init: &[u8],
    seg: &[u8],
) -> usize {
    let cfg = SourceConfig::default();
    let r = respond(asset, opts, file, NOW_MS, &cfg, |u| match u {
        "init-0.m4s" => Some(init),
        "chunk-0-00001.m4s" => Some(seg),
        _ => None,
    });
    match r {
        Ok(Response::Segment { data, .. }) => data.len(),
        other => panic!("{other:?}"),
    }
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

    // On the fly: the live simulator's answer for the same segment.
    let text = String::from_utf8(fixture("dash/ffmpeg_720p/manifest.mpd")).unwrap_or_default();
    let mpd = dashkit::mpd::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    // The analysis reads the segments it finds (only the first exists).
    let asset = LiveAsset::from_vod(mpd, |u| {
        let name = format!("dash/ffmpeg_720p/{u}");
        std::fs::read(match std::env::var_os("DASHKIT_FIXTURES") {
            Some(dir) => std::path::Path::new(&dir).join(&name),
            None => dashkit_benches::fixture_path(&name),
        })
        .ok()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let clear = LiveOptions::default();
    let file = segment_url(&asset, &clear, "0", LIVE_NUMBER, NOW_MS).unwrap_or_default();
    let mut g = c.benchmark_group("live_720p_segment");
    let mut times = Vec::new();
    for name in ["clear", "drm_eccp-cenc", "drm_eccp-cbcs"] {
        let o = LiveOptions::parse(if name == "clear" { "" } else { name }).unwrap_or_default();
        g.bench_function(name, |b| {
            b.iter(|| live_answer(black_box(&asset), &o, &file, &init, &seg))
        });
        times.push((
            name,
            per_iter(
                || {
                    black_box(live_answer(&asset, &o, &file, &init, &seg));
                },
                200,
            ),
        ));
    }
    g.finish();
    let base = times[0].1;
    for (name, t) in &times {
        println!(
            "live {name}: {:.0} us per {} KB segment, {:.0}x the clear live answer, {:.1}x a copy",
            t * 1e6,
            seg.len() / 1000,
            t / base,
            t / copy
        );
    }
}
