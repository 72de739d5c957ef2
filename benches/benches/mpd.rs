//! MPD parse and write: dashkit against dash-mpd-core (the model behind the dash-mpd crate)
//! on (a) a three-Representation VoD MPD from Shaka Packager and (b) a generated 24-hour
//! SegmentTimeline MPD with 43,200 `<S>` entries.
//!
//! After the criterion groups, a summary times dashkit and dash-mpd-core in alternating
//! batches (so both see the same machine load) and prints the median and best-batch speedups;
//! quote those. It is skipped under `--list`, `--test` and `--profile-time`.

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A 24-hour live-style MPD: 2 s segments at 90 kHz with encoder jitter, so `@r` runs are
/// short (as real timelines are), 43,200 `<S>` in all.
fn timeline_24h() -> String {
    let mut s = String::with_capacity(2 << 20);
    s.push_str(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z" publishTime="2024-01-02T00:00:00Z" minimumUpdatePeriod="PT2S" minBufferTime="PT2S" timeShiftBufferDepth="PT24H">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">
      <SegmentTemplate timescale="90000" media="$RepresentationID$/$Time$.m4s" initialization="$RepresentationID$/init.mp4">
        <SegmentTimeline>
"#,
    );
    let mut t: u64 = 0;
    let mut seed: u32 = 0x1234_5678;
    let mut next = || {
        // xorshift32: deterministic jitter.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut written = 0;
    let mut first = true;
    while written < 43_200 {
        let x = next();
        let d = 180_000 + u64::from(x % 7) * 1_500 - 4_500;
        let r = if x % 5 == 0 { 1 + (x >> 8) % 2 } else { 0 };
        s.push_str("          <S ");
        if first {
            s.push_str(&format!("t=\"{t}\" "));
            first = false;
        }
        s.push_str(&format!("d=\"{d}\""));
        if r > 0 {
            s.push_str(&format!(" r=\"{r}\""));
        }
        s.push_str("/>\n");
        t += d * (u64::from(r) + 1);
        written += 1;
    }
    s.push_str(
        r#"        </SegmentTimeline>
      </SegmentTemplate>
      <Representation id="v1" bandwidth="1000000" width="1280" height="720" codecs="avc1.64001f"/>
      <Representation id="v2" bandwidth="3000000" width="1920" height="1080" codecs="avc1.640028"/>
    </AdaptationSet>
  </Period>
</MPD>
"#,
    );
    s
}

fn bench(c: &mut Criterion) {
    let vod = String::from_utf8(dashkit_benches::fixture("dash/shaka_live/manifest.mpd"))
        .expect("fixture is UTF-8");
    let long = timeline_24h();
    let inputs = [("vod_3rep", vod), ("timeline_24h", long)];

    let mut parse = c.benchmark_group("mpd_parse");
    parse.sample_size(20);
    for (name, text) in &inputs {
        parse.throughput(Throughput::Bytes(text.len() as u64));
        parse.bench_with_input(BenchmarkId::new("dashkit", name), text, |b, t| {
            b.iter(|| dashkit::mpd::parse(black_box(t)).expect("parses"))
        });
        parse.bench_with_input(BenchmarkId::new("dash-mpd-core", name), text, |b, t| {
            b.iter(|| dash_mpd_core::parse(black_box(t)).expect("parses"))
        });
    }
    parse.finish();

    let mut write = c.benchmark_group("mpd_write");
    write.sample_size(20);
    for (name, text) in &inputs {
        let ours = dashkit::mpd::parse(text).expect("parses");
        let theirs = dash_mpd_core::parse(text).expect("parses");
        write.throughput(Throughput::Bytes(text.len() as u64));
        write.bench_function(BenchmarkId::new("dashkit", name), |b| {
            b.iter(|| dashkit::mpd::write(black_box(&ours)))
        });
        write.bench_function(BenchmarkId::new("dash-mpd-core", name), |b| {
            b.iter(|| black_box(&theirs).to_string())
        });
    }
    write.finish();
}

/// Time of one call of `f`, averaged over a batch of `n` calls.
fn batch(n: u32, f: &mut dyn FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed() / n
}

/// Runs `ours` and `theirs` in alternating batches of about `target` each and returns
/// (median of the per-round ratios theirs/ours, ratio of the best batches).
fn speedup(ours: &mut dyn FnMut(), theirs: &mut dyn FnMut(), target: Duration) -> (f64, f64) {
    // Size the batches from one warm-up call each.
    ours();
    theirs();
    let n_ours = (target.as_nanos() / batch(3, ours).as_nanos().max(1)).clamp(1, 100_000) as u32;
    let n_theirs =
        (target.as_nanos() / batch(3, theirs).as_nanos().max(1)).clamp(1, 100_000) as u32;
    let mut ratios = Vec::new();
    let (mut best_ours, mut best_theirs) = (Duration::MAX, Duration::MAX);
    for _ in 0..15 {
        let a = batch(n_ours, ours);
        let b = batch(n_theirs, theirs);
        best_ours = best_ours.min(a);
        best_theirs = best_theirs.min(b);
        ratios.push(b.as_secs_f64() / a.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    (
        ratios[ratios.len() / 2],
        best_theirs.as_secs_f64() / best_ours.as_secs_f64(),
    )
}

fn summary() {
    let vod = String::from_utf8(dashkit_benches::fixture("dash/shaka_live/manifest.mpd"))
        .expect("fixture is UTF-8");
    let long = timeline_24h();
    let target = Duration::from_millis(30);
    for (name, text) in [("vod_3rep", &vod), ("timeline_24h", &long)] {
        let (median, best) = speedup(
            &mut || {
                black_box(dashkit::mpd::parse(black_box(text)).expect("parses"));
            },
            &mut || {
                black_box(dash_mpd_core::parse(black_box(text)).expect("parses"));
            },
            target,
        );
        println!("mpd summary parse {name}: dashkit is {median:.2}x faster than dash-mpd-core (median of 15 alternating batches; best batches {best:.2}x)");
        let ours = dashkit::mpd::parse(text).expect("parses");
        let theirs = dash_mpd_core::parse(text).expect("parses");
        let (median, best) = speedup(
            &mut || {
                black_box(dashkit::mpd::write(black_box(&ours)));
            },
            &mut || {
                black_box(black_box(&theirs).to_string());
            },
            target,
        );
        println!("mpd summary write {name}: dashkit is {median:.2}x faster than dash-mpd-core (median of 15 alternating batches; best batches {best:.2}x)");
    }
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
