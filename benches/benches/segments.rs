//! Segment addressing: template expansion, URL resolution, and enumerating a 24-hour
//! SegmentTimeline (43,200 two-second segments written as 43,200 `S` elements, the shape of
//! the issue's large-MPD bench) and the same day as one `@duration`.
//!
//! The day is listed as an embedder lists it: a parsed MPD through
//! `mpd::listing::list_segments` (parsing is outside the timed loop; that bench lives with
//! the parser). Baseline in the same run: `format!`-based expansion of the same template, the
//! obvious way to write it.

use criterion::{criterion_group, criterion_main, Criterion};
use dashkit::mpd::listing::list_segments;
use dashkit::mpd::template::{Template, TemplateValues};
use dashkit::mpd::url::resolve;
use dashkit::mpd::{parse, Mpd};
use std::hint::black_box;

/// `SegmentTimeline` with 43,200 `S` elements of 2 s at 90 kHz: a day.
fn day_timeline_xml() -> String {
    let mut x = String::from("><SegmentTimeline>");
    for i in 0..43_200u64 {
        x.push_str(&format!(r#"<S t="{}" d="180000"/>"#, i * 180_000));
    }
    x.push_str("</SegmentTimeline></SegmentTemplate");
    x
}

/// A static day-long MPD whose one Representation's SegmentTemplate carries `template_tail`
/// after `media` (attributes, or the rest of the element with its timeline).
fn day_mpd(template_tail: &str) -> String {
    let close = if template_tail.ends_with("</SegmentTemplate") {
        ">"
    } else {
        "/>"
    };
    format!(
        r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT24H" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011"><Period id="p0" start="PT0S"><AdaptationSet mimeType="video/mp4"><Representation id="video-1080p" bandwidth="5000000"><SegmentTemplate timescale="90000" media="$RepresentationID$/seg-$Number%05d$-$Time$.m4s" {template_tail}{close}</Representation></AdaptationSet></Period></MPD>"#
    )
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

    // The day as an embedder has it: an MPD, listed through `mpd::listing::list_segments`
    // (the enumeration underneath is internal).
    let timeline_mpd = parse(&day_mpd(&day_timeline_xml())).unwrap();
    let duration_mpd = parse(&day_mpd(r#"duration="180000""#)).unwrap();
    let url = "https://cdn.example/vod/asset/manifest.mpd";
    let count = |mpd: &Mpd| -> usize {
        list_segments(mpd, url, |_| None).unwrap()[0]
            .segments
            .segments
            .len()
    };
    assert_eq!(count(&timeline_mpd), 43_200);
    assert_eq!(count(&duration_mpd), 43_200);
    let mut g = c.benchmark_group("segments/day_43200");
    g.sample_size(20);
    g.bench_function("timeline_list", |b| {
        b.iter(|| black_box(count(black_box(&timeline_mpd))))
    });
    g.bench_function("duration_list", |b| {
        b.iter(|| black_box(count(black_box(&duration_mpd))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
