//! Low-latency HLS of the live simulator (`chunkdur_`), in-process at fixed instants on the
//! ffmpeg_livesim fixture (5 × 2 s, video `0`, audio `1`): the parts a media playlist lists
//! are exactly the chunks the simulator sends for that segment, they appear as time passes,
//! and blocking reloads are held until the part is due or refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use dashkit::hls::{parse, write_media, MediaPlaylist, PartialSegment, Playlist};
use dashkit::live::asset::LiveAsset;
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig};

fn files() -> impl Fn(&str) -> Option<&'static [u8]> {
    let dir = support::livesim_dir();
    move |u: &str| -> Option<&'static [u8]> {
        std::fs::read(dir.join(u))
            .ok()
            .map(|v| &*Box::leak(v.into_boxed_slice()))
    }
}

fn ask(
    asset: &LiveAsset,
    opts: &str,
    file: &str,
    now: i64,
    query: Option<&str>,
) -> Response<'static> {
    let o = LiveOptions::parse(opts).unwrap();
    let cfg = SourceConfig {
        query: query.map(str::to_string),
        ..SourceConfig::default()
    };
    respond(asset, &o, file, now, &cfg, files()).unwrap()
}

/// The media playlist at `now`, checked to round-trip through the parser.
fn playlist(asset: &LiveAsset, opts: &str, rep: &str, now: i64) -> MediaPlaylist {
    let r = ask(asset, opts, &format!("manifest_{rep}.m3u8"), now, None);
    let Response::Playlist { text, .. } = r else {
        panic!("{r:?}")
    };
    let Playlist::Media(p) = parse(&text).unwrap() else {
        panic!("{text}")
    };
    assert_eq!(write_media(&p), text, "write(parse(text)) is the text");
    p
}

/// The chunks of `uri` as the simulator sends them (asked at `at`, once all are due).
fn served_chunks(asset: &LiveAsset, opts: &str, uri: &str, at: i64) -> Vec<Vec<u8>> {
    match ask(asset, opts, uri, at, None) {
        Response::Chunked { chunks, .. } => chunks.iter().map(|c| c.to_vec()).collect(),
        other => panic!("{uri} at {at}: {other:?}"),
    }
}

/// Each part of `uri` is exactly one served chunk: its byte range cuts the segment the
/// simulator sends at the chunk's boundaries, and holds one moof + mdat (plus the styp for
/// the first).
fn check_parts(asset: &LiveAsset, opts: &str, uri: &str, parts: &[&PartialSegment], at: i64) {
    let chunks = served_chunks(asset, opts, uri, at);
    assert!(parts.len() <= chunks.len());
    let whole: Vec<u8> = chunks.concat();
    let mut offset = 0u64;
    for (i, (p, chunk)) in parts.iter().zip(&chunks).enumerate() {
        let r = p.byte_range.unwrap();
        assert_eq!(
            r.offset,
            Some(offset),
            "{uri} part {i} starts where the last ended"
        );
        let bytes = &whole[r.offset.unwrap() as usize..(r.offset.unwrap() + r.length) as usize];
        assert_eq!(bytes, &chunk[..], "{uri} part {i} is chunk {i}");
        let kinds = top_boxes(bytes);
        let expected: &[&str] = if i == 0 {
            &["styp", "moof", "mdat"]
        } else {
            &["moof", "mdat"]
        };
        assert_eq!(kinds, expected, "{uri} part {i}");
        offset += r.length;
    }
}

/// The top-level box types of `bytes`, which they must cover exactly.
fn top_boxes(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        assert!(
            size >= 8 && at + size <= bytes.len(),
            "a box at {at} of {size} bytes"
        );
        out.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        at += size;
    }
    out
}

#[test]
fn parts_are_the_served_chunks_and_appear_as_time_passes() {
    let asset = support::livesim_asset();
    let opts = "chunkdur_0.5/tsbd_10";
    // Segment 500 runs from 1000 s to 1002 s; its 0.5 s chunks are due at 1000.5, 1001, ...
    for rep in ["0", "1"] {
        let mut previous = 0;
        for now in [1_000_400, 1_000_600, 1_001_300, 1_001_999] {
            let p = playlist(&asset, opts, rep, now);
            let last = p.media_sequence + p.segments.len() as u64 - 1;
            assert_eq!(last, 499, "{rep} at {now}");
            // Parts of the segment being produced: one per 0.5 s passed (video: 25 fps;
            // audio: the chunk holding a frame that ends past the grid point waits for it).
            let n = p.trailing_parts.len();
            assert!(
                n >= previous && n <= ((now - 1_000_000) / 500) as usize,
                "{rep} {now}: {n}"
            );
            previous = n;
            let sc = p.server_control.as_ref().unwrap();
            assert!(sc.can_block_reload);
            let target = p.part_target.unwrap();
            assert_eq!(sc.part_hold_back.unwrap(), {
                dashkit::hls::Decimal::from_ticks(target.ticks() * 3, target.timescale()).unwrap()
            });
            // Every part within PART-TARGET; the complete segments' parts add up to EXTINF.
            for s in &p.segments {
                assert!(s.parts.iter().all(|x| x.duration <= target));
                if !s.parts.is_empty() {
                    let sum: u128 = s
                        .parts
                        .iter()
                        .map(|x| {
                            u128::from(x.duration.ticks()) * 1_000_000_000
                                / u128::from(x.duration.timescale())
                        })
                        .sum();
                    let extinf = u128::from(s.duration.ticks()) * 1_000_000_000
                        / u128::from(s.duration.timescale());
                    assert!(
                        sum.abs_diff(extinf) < 1000,
                        "{rep} {}: {sum} vs {extinf}",
                        s.uri
                    );
                    assert!(
                        s.parts[0].independent,
                        "a segment starts with a sync sample"
                    );
                }
            }
            // Parts only within three target durations of the end.
            assert!(p.segments.first().unwrap().parts.is_empty());
            assert!(!p.segments.last().unwrap().parts.is_empty());
            // Parts are the bytes served, checked at an instant all chunks are due.
            for s in p.segments.iter().filter(|s| !s.parts.is_empty()) {
                check_parts(
                    &asset,
                    opts,
                    &s.uri,
                    &s.parts.iter().collect::<Vec<_>>(),
                    1_002_500,
                );
            }
            let building = format!("{rep}/500.m4s");
            assert!(p.trailing_parts.iter().all(|x| x.uri == building));
            check_parts(
                &asset,
                opts,
                &building,
                &p.trailing_parts.iter().collect::<Vec<_>>(),
                1_002_500,
            );
            // The preload hint: the next part, where the last one ends.
            let hint = &p.preload_hints[0];
            assert_eq!(hint.uri, building);
            let end = p.trailing_parts.last().map_or(0, |x| {
                x.byte_range.unwrap().offset.unwrap() + x.byte_range.unwrap().length
            });
            assert_eq!(hint.byte_range_start, Some(end));
        }
        assert!(previous >= 3, "{rep}: parts appeared");
    }
    // Video chunks of 0.5 s at 25 fps: four per segment, only the first independent.
    let p = playlist(&asset, opts, "0", 1_001_999);
    let last = p.segments.last().unwrap();
    assert_eq!(
        last.parts.iter().map(|x| x.independent).collect::<Vec<_>>(),
        [true, false, false, false]
    );
    assert_eq!(p.trailing_parts.len(), 3);
}

#[test]
fn playlists_without_chunkdur_have_no_parts() {
    let asset = support::livesim_asset();
    let p = playlist(&asset, "tsbd_10", "0", 1_001_300);
    assert!(p.part_target.is_none() && p.server_control.is_none());
    assert!(p.trailing_parts.is_empty() && p.preload_hints.is_empty());
    assert!(p.segments.iter().all(|s| s.parts.is_empty()));
}

#[test]
fn blocking_reloads_are_held_until_the_part_is_due_or_refused() {
    let asset = support::livesim_asset();
    let opts = "chunkdur_0.5/tsbd_10";
    let now = 1_001_300; // parts 0 and 1 of segment 500 are out; part 2 is due at 1001.5 s.
    let file = "manifest_0.m3u8";
    let at = |q: &str| ask(&asset, opts, file, now, Some(q));
    // When chunk `i` of segment `n` is sent, as the simulator says.
    let due = |n: u64, i: usize| match ask(&asset, opts, &format!("0/{n}.m4s"), 1_004_000, None) {
        Response::Chunked {
            chunks, start_ms, ..
        } => start_ms + chunks[i].end_offset_ms as i64,
        other => panic!("{other:?}"),
    };
    // Already there: answered now.
    for q in [
        "_HLS_msn=499",
        "_HLS_msn=500&_HLS_part=1",
        "_HLS_msn=498&_HLS_part=7",
    ] {
        assert!(matches!(at(q), Response::Playlist { .. }), "{q}");
    }
    // The next part: held until it is due, then the playlist that lists it.
    let Response::Delayed { delay_ms, answer } = at("_HLS_msn=500&_HLS_part=2") else {
        panic!()
    };
    assert_eq!(delay_ms as i64, due(500, 2) - now);
    assert!((200..=210).contains(&delay_ms), "{delay_ms}");
    let Response::Playlist { text, .. } = *answer else {
        panic!()
    };
    let Playlist::Media(p) = parse(&text).unwrap() else {
        panic!()
    };
    assert_eq!(p.trailing_parts.len(), 3);
    // A part past segment 499's last one is segment 500's first: there already.
    assert!(matches!(
        at("_HLS_msn=499&_HLS_part=4"),
        Response::Playlist { .. }
    ));
    // A whole segment: held until it is complete.
    let Response::Delayed { delay_ms, .. } = at("_HLS_msn=500") else {
        panic!()
    };
    assert_eq!(delay_ms, 700);
    // The first part of the next segment: 1002.5 s.
    let Response::Delayed { delay_ms, .. } = at("_HLS_msn=501&_HLS_part=0") else {
        panic!()
    };
    assert_eq!(delay_ms as i64, due(501, 0) - now);
    // Too far ahead: 400.
    for q in [
        "_HLS_msn=502",
        "_HLS_msn=501&_HLS_part=9",
        "_HLS_part=1",
        "_HLS_msn=x",
    ] {
        assert!(
            matches!(at(q), Response::Injected { status: 400, .. }),
            "{q}: {:?}",
            at(q)
        );
    }
    // Without chunkdur_ the query is ignored.
    let plain = ask(
        &asset,
        "tsbd_10",
        file,
        now,
        Some("_HLS_msn=500&_HLS_part=2"),
    );
    assert!(matches!(plain, Response::Playlist { .. }));
}

#[test]
fn ranges_of_the_segment_being_produced_come_as_its_chunks_do() {
    use dashkit::live::http::{http_response, with_range, HttpBody, HttpPolicy};
    let asset = support::livesim_asset();
    let opts = "chunkdur_0.5/tsbd_10";
    let now = 1_001_300;
    let p = playlist(&asset, opts, "0", now);
    let whole: Vec<u8> = served_chunks(&asset, opts, "0/500.m4s", 1_002_500).concat();
    let body = |b: &HttpBody<'_>| -> Vec<(u64, Vec<u8>)> {
        match b {
            HttpBody::Parts(p) => vec![(0, p.iter().flat_map(|x| x.as_bytes().to_vec()).collect())],
            HttpBody::Timed(c) => c
                .iter()
                .map(|c| {
                    (
                        c.delay_ms,
                        c.parts.iter().flat_map(|x| x.as_bytes().to_vec()).collect(),
                    )
                })
                .collect(),
        }
    };
    let ranged = |range: &str| {
        let r = ask(&asset, opts, "0/500.m4s", now, None);
        assert!(r.is_media_segment());
        with_range(
            http_response(Ok(r), now, &HttpPolicy::default()),
            Some(range),
        )
    };
    // Each listed part: its bytes, at once (its chunk is out).
    for part in &p.trailing_parts {
        let b = part.byte_range.unwrap();
        let (a, z) = (b.offset.unwrap(), b.offset.unwrap() + b.length - 1);
        let r = ranged(&format!("bytes={a}-{z}"));
        assert_eq!(r.status, 206);
        assert_eq!(
            r.header("content-range"),
            Some(format!("bytes {a}-{z}/{}", whole.len()).as_str())
        );
        let got = body(&r.body);
        assert!(got.iter().all(|(d, _)| *d == 0), "{got:?}");
        let bytes: Vec<u8> = got.into_iter().flat_map(|(_, b)| b).collect();
        assert_eq!(bytes, whole[a as usize..=z as usize]);
    }
    // The preload hint's open range: the rest, each chunk when it is due.
    let start = p.preload_hints[0].byte_range_start.unwrap();
    let r = ranged(&format!("bytes={start}-"));
    assert_eq!(r.status, 206);
    let got = body(&r.body);
    assert!(got.len() >= 2 && got.iter().all(|(d, _)| *d > 0), "{got:?}");
    let bytes: Vec<u8> = got.into_iter().flat_map(|(_, b)| b).collect();
    assert_eq!(bytes, whole[start as usize..]);
    // Past the end: 416.
    assert_eq!(ranged(&format!("bytes={}-", whole.len())).status, 416);
}

#[test]
fn rendition_reports_name_the_other_renditions_newest_part() {
    let asset = support::livesim_asset();
    let opts = "chunkdur_0.5/tsbd_10";
    for now in [1_000_100, 1_001_300, 1_001_999] {
        let video = playlist(&asset, opts, "0", now);
        let audio = playlist(&asset, opts, "1", now);
        let newest = |p: &MediaPlaylist| match p.trailing_parts.len() {
            0 => (
                p.media_sequence + p.segments.len() as u64 - 1,
                p.segments.last().unwrap().parts.len() as u64 - 1,
            ),
            n => (p.media_sequence + p.segments.len() as u64, n as u64 - 1),
        };
        for (p, other, uri) in [
            (&video, &audio, "manifest_1.m3u8"),
            (&audio, &video, "manifest_0.m3u8"),
        ] {
            assert_eq!(p.rendition_reports.len(), 1, "{now}");
            let r = &p.rendition_reports[0];
            assert_eq!(r.uri, uri);
            assert_eq!(
                (r.last_msn.unwrap(), r.last_part.unwrap()),
                newest(other),
                "{now} {uri}"
            );
        }
    }
}

#[test]
fn part_target_stays_the_same_as_the_window_moves() {
    // rfc8216bis: PART-TARGET does not change. The longest part is the same in every window
    // of this asset (video 7 frames of 40 ms, audio 12 AAC frames of 1024/48000 s).
    let asset = support::livesim_asset();
    for (rep, ms) in [("0", 280), ("1", 256)] {
        let mut seen = std::collections::BTreeSet::new();
        for k in 0..40 {
            let p = playlist(&asset, "chunkdur_0.25/tsbd_10", rep, 1_000_000 + k * 730);
            let t = p.part_target.unwrap();
            seen.insert(t.ticks() * 1000 / u64::from(t.timescale()));
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), [ms], "{rep}");
    }
}
