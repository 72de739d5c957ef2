//! Segment addressing: template expansion, URL resolution, and enumerating a 24-hour
//! SegmentTimeline (43,200 two-second segments written as 43,200 `S` elements, the shape of
//! the large-MPD bench) and the same day as one `@duration`.
//!
//! Inputs are synthetic addressing values (no MPD parsing here; that bench lives with the
//! parser). Baseline in the same run: `format!`-based expansion of the same template, the
//! obvious way to write it.

use criterion::{criterion_group, criterion_main, Criterion};
use dashkit::mpd::segments::{
    enumerate, plan, Addressing, RepresentationContext, TemplateAddressing, Timing, S,
};
use dashkit::mpd::template::{Template, TemplateValues};
use dashkit::mpd::url::resolve;
use dashkit::timeline::Timescale;
use std::hint::black_box;

fn day_timeline() -> Vec<S> {
    (0..43_200u64)
        .map(|i| S {
            t: Some(i * 180_000),
            d: 180_000,
            ..S::default()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let t = Template::parse("$RepresentationID$/seg-$Number%05d$-$Time$.m4s").unwrap();
    let values = TemplateValues {
        representation_id: Some("video-1080p"),
        number: Some(12_345),
        time: Some(2_222_100_000),
        ..Default::default()
    };
    let mut buf = String::new();
    c.bench_function("template/expand_into", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&t)
                .expand_into(black_box(&values), &mut buf)
                .unwrap();
            black_box(buf.len())
        })
    });
    c.bench_function("template/format_baseline", |b| {
        b.iter(|| {
            let v = black_box(&values);
            black_box(format!(
                "{}/seg-{:05}-{}.m4s",
                v.representation_id.unwrap(),
                v.number.unwrap(),
                v.time.unwrap()
            ))
        })
    });
    c.bench_function("url/resolve", |b| {
        b.iter(|| {
            black_box(resolve(
                black_box("https://cdn.example/vod/asset/manifest.mpd"),
                black_box("../video/seg-00042.m4s"),
            ))
        })
    });

    let tl = day_timeline();
    let ctx = RepresentationContext {
        representation_id: "video-1080p".into(),
        bandwidth: Some(5_000_000),
        base_url: "https://cdn.example/vod/asset/".into(),
        period_duration_ns: Some(86_400_000_000_000),
        ..Default::default()
    };
    let timeline = Addressing::Template(TemplateAddressing {
        timescale: Timescale::new(90_000).unwrap(),
        presentation_time_offset: 0,
        start_number: 1,
        end_number: None,
        timing: Timing::Timeline(&tl),
        media: &t,
        initialization: None,
        index: None,
    });
    let mut duration = timeline.clone();
    if let Addressing::Template(a) = &mut duration {
        a.timing = Timing::Duration(180_000);
    }
    let mut g = c.benchmark_group("segments/day_43200");
    g.sample_size(20);
    g.bench_function("timeline_plan", |b| {
        b.iter(|| black_box(plan(black_box(&timeline), &ctx).unwrap().len()))
    });
    g.bench_function("timeline_enumerate", |b| {
        b.iter(|| {
            black_box(
                enumerate(black_box(&timeline), &ctx)
                    .unwrap()
                    .segments
                    .len(),
            )
        })
    });
    g.bench_function("duration_enumerate", |b| {
        b.iter(|| {
            black_box(
                enumerate(black_box(&duration), &ctx)
                    .unwrap()
                    .segments
                    .len(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
