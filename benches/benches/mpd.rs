//! MPD parse and write: dashkit against dash-mpd-core (the model behind the dash-mpd crate)
//! on (a) a three-Representation VoD MPD from Shaka Packager and (b) a generated 24-hour
//! SegmentTimeline MPD with 43,200 `<S>` entries.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

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

criterion_group!(benches, bench);
criterion_main!(benches);
