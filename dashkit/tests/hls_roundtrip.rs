//! The HLS round-trip law: every playlist the writer produces parses back to the same model
//! (durations as written), and writing that again gives the same text.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use dashkit::hls::{
    parse, write, write_media, write_multivariant, ByteSpan, Decimal, Map, MediaPlaylist,
    MediaSegment, MediaType, MultivariantPlaylist, PartialSegment, Playlist, PlaylistType,
    PreloadHint, PreloadHintType, Rendition, RenditionReport, ServerControl, Skip, Variant,
};
use dashkit::mpd::XsDateTime;
use proptest::prelude::*;

fn decimal() -> impl Strategy<Value = Decimal> {
    (0u64..(1 << 36), 1u32..=1_000_000_000)
        .prop_map(|(t, ts)| Decimal::from_ticks(t, ts).unwrap_or(Decimal::ZERO))
}

fn uri() -> impl Strategy<Value = String> {
    "[a-z0-9_][a-z0-9/_.?=&-]{0,24}"
}

fn byte_range() -> impl Strategy<Value = ByteSpan> {
    (any::<u64>(), proptest::option::of(any::<u64>()))
        .prop_map(|(length, offset)| ByteSpan { length, offset })
}

fn unknown_tag() -> impl Strategy<Value = String> {
    // Lines carry no surrounding whitespace (the parser trims it).
    "#EXT-X-UNK-[A-Z]{1,6}(:([A-Za-z0-9=,\" .-]{0,15}[A-Za-z0-9=,\".-])?)?"
}

fn part() -> impl Strategy<Value = PartialSegment> {
    (
        uri(),
        decimal(),
        any::<bool>(),
        proptest::option::of(byte_range()),
        any::<bool>(),
    )
        .prop_map(
            |(uri, duration, independent, byte_range, gap)| PartialSegment {
                uri,
                duration,
                independent,
                byte_range,
                gap,
            },
        )
}

fn date_time() -> impl Strategy<Value = XsDateTime> {
    prop::sample::select(vec![
        "2024-01-01T00:00:00Z",
        "2024-02-29T12:34:56.789Z",
        "2026-12-07T18:00:00.123456+01:00",
        "1999-12-31T23:59:59-05:00",
    ])
    .prop_map(|s| XsDateTime::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")))
}

fn segment() -> impl Strategy<Value = MediaSegment> {
    (
        (
            uri(),
            decimal(),
            "([A-Za-z0-9,]([A-Za-z0-9 ,]{0,6}[A-Za-z0-9,])?)?",
        ),
        proptest::option::of(byte_range()),
        any::<bool>(),
        proptest::option::of(date_time()),
        proptest::option::of(
            (uri(), proptest::option::of(byte_range()))
                .prop_map(|(uri, byte_range)| Map { uri, byte_range }),
        ),
        prop::collection::vec(part(), 0..3),
        prop::collection::vec(unknown_tag(), 0..3),
    )
        .prop_map(
            |((uri, duration, title), byte_range, discontinuity, pdt, map, parts, unknown)| {
                let mut s = MediaSegment::new(uri, duration);
                s.title = title;
                s.byte_range = byte_range;
                s.discontinuity = discontinuity;
                s.program_date_time = pdt;
                s.map = map;
                s.parts = parts;
                s.unknown_tags = unknown;
                s
            },
        )
}

fn media_playlist() -> impl Strategy<Value = MediaPlaylist> {
    let header = (
        proptest::option::of(1u32..12),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        proptest::option::of(prop::sample::select(vec![
            PlaylistType::Vod,
            PlaylistType::Event,
        ])),
        any::<bool>(),
        proptest::option::of(decimal()),
        proptest::option::of(
            (
                proptest::option::of(decimal()),
                any::<bool>(),
                proptest::option::of(decimal()),
                proptest::option::of(decimal()),
                any::<bool>(),
            )
                .prop_map(|(a, b, c, d, e)| ServerControl {
                    can_skip_until: a,
                    can_skip_dateranges: b,
                    hold_back: c,
                    part_hold_back: d,
                    can_block_reload: e,
                }),
        ),
        proptest::option::of(
            (any::<u64>(), proptest::option::of("[a-z0-9\t]{0,10}")).prop_map(|(n, r)| Skip {
                skipped_segments: n,
                recently_removed_dateranges: r,
            }),
        ),
    );
    let body = (
        prop::collection::vec(segment(), 0..12),
        prop::collection::vec(part(), 0..3),
        prop::collection::vec(
            (
                any::<bool>(),
                uri(),
                proptest::option::of(any::<u64>()),
                proptest::option::of(any::<u64>()),
            )
                .prop_map(|(p, uri, s, l)| PreloadHint {
                    hint_type: if p {
                        PreloadHintType::Part
                    } else {
                        PreloadHintType::Map
                    },
                    uri,
                    byte_range_start: s,
                    byte_range_length: l,
                }),
            0..2,
        ),
        prop::collection::vec(
            (
                uri(),
                proptest::option::of(any::<u64>()),
                proptest::option::of(any::<u64>()),
            )
                .prop_map(|(uri, last_msn, last_part)| RenditionReport {
                    uri,
                    last_msn,
                    last_part,
                }),
            0..3,
        ),
        any::<bool>(),
        prop::collection::vec(unknown_tag(), 0..3),
        prop::collection::vec(unknown_tag(), 0..3),
    );
    (header, body).prop_map(
        |(
            (version, target, seq, dseq, ptype, indep, part_target, sc, skip),
            (segments, trailing_parts, hints, reports, end, unknown, mut trailing),
        )| {
            // Unknown tags after the last segment exist only after a segment or a part (before
            // any, they are header tags).
            if segments.is_empty() && trailing_parts.is_empty() {
                trailing.clear();
            }
            MediaPlaylist {
                version,
                target_duration: target,
                media_sequence: seq,
                discontinuity_sequence: dseq,
                playlist_type: ptype,
                independent_segments: indep,
                part_target,
                server_control: sc,
                skip,
                segments,
                trailing_parts,
                preload_hints: hints,
                rendition_reports: reports,
                end_list: end,
                unknown_tags: unknown,
                trailing_tags: trailing,
            }
        },
    )
}

fn other_attrs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        ("X-[A-Z0-9-]{1,8}", "(\"[a-z0-9 ,=]{0,6}\"|[A-Z0-9.]{1,6})"),
        0..3,
    )
}

fn multivariant_playlist() -> impl Strategy<Value = MultivariantPlaylist> {
    let rendition = (
        prop::sample::select(vec![
            MediaType::Audio,
            MediaType::Video,
            MediaType::Subtitles,
            MediaType::ClosedCaptions,
        ]),
        proptest::option::of(uri()),
        "[a-z0-9-]{1,8}",
        proptest::option::of("[a-z]{2}(-[A-Z]{2})?"),
        "[A-Za-z0-9 ,]{1,10}",
        (any::<bool>(), any::<bool>(), any::<bool>()),
        proptest::option::of("[0-9]{1,2}(/JOC)?"),
        other_attrs(),
    )
        .prop_map(
            |(media_type, uri, group_id, language, name, (d, a, f), channels, other)| Rendition {
                media_type,
                uri,
                group_id,
                language,
                name,
                default: d,
                autoselect: a,
                forced: f,
                channels,
                other,
            },
        );
    let variant = (
        uri(),
        any::<u64>(),
        proptest::option::of(any::<u64>()),
        proptest::option::of("[a-z0-9.]{1,12}(,[a-z0-9.]{1,12})?"),
        proptest::option::of((any::<u32>(), any::<u32>())),
        proptest::option::of((1u32..200_000, 1u32..10_000)),
        (
            proptest::option::of("[a-z0-9-]{1,8}"),
            proptest::option::of("[a-z0-9-]{1,8}"),
        ),
        other_attrs(),
    )
        .prop_map(
            |(uri, bandwidth, avg, codecs, resolution, fr, (audio, subtitles), other)| Variant {
                uri,
                bandwidth,
                average_bandwidth: avg,
                codecs,
                resolution,
                frame_rate: fr.and_then(|(n, d)| Decimal::from_ticks(u64::from(n), d)),
                audio,
                subtitles,
                other,
            },
        );
    (
        proptest::option::of(1u32..12),
        any::<bool>(),
        prop::collection::vec(rendition, 0..4),
        prop::collection::vec(variant, 1..4),
        prop::collection::vec(unknown_tag(), 0..3),
    )
        .prop_map(
            |(version, independent_segments, renditions, variants, unknown_tags)| {
                MultivariantPlaylist {
                    version,
                    independent_segments,
                    renditions,
                    variants,
                    unknown_tags,
                }
            },
        )
}

/// What the parser gives back for a duration: the written value.
fn written(d: Decimal) -> Decimal {
    Decimal::parse(&d.to_string()).unwrap_or_else(|| panic!("{d} does not parse"))
}

fn media_as_written(mut p: MediaPlaylist) -> MediaPlaylist {
    let fix_part = |x: &mut PartialSegment| x.duration = written(x.duration);
    for s in &mut p.segments {
        s.duration = written(s.duration);
        s.parts.iter_mut().for_each(fix_part);
    }
    p.trailing_parts.iter_mut().for_each(fix_part);
    p.part_target = p.part_target.map(written);
    if let Some(sc) = &mut p.server_control {
        sc.can_skip_until = sc.can_skip_until.map(written);
        sc.hold_back = sc.hold_back.map(written);
        sc.part_hold_back = sc.part_hold_back.map(written);
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn media_playlists_round_trip(p in media_playlist()) {
        let text = write_media(&p);
        let back = match parse(&text) {
            Ok(Playlist::Media(m)) => m,
            other => panic!("{other:?}\n{text}"),
        };
        prop_assert_eq!(&back, &media_as_written(p), "{}", text);
        prop_assert_eq!(write(&Playlist::Media(back)), text);
    }

    #[test]
    fn multivariant_playlists_round_trip(p in multivariant_playlist()) {
        let text = write_multivariant(&p);
        let back = match parse(&text) {
            Ok(Playlist::Multivariant(m)) => m,
            other => panic!("{other:?}\n{text}"),
        };
        let mut want = p.clone();
        for v in &mut want.variants {
            v.frame_rate = v.frame_rate.map(written);
        }
        prop_assert_eq!(&back, &want, "{}", text);
        prop_assert_eq!(write(&Playlist::Multivariant(back)), text);
    }

    #[test]
    fn parse_never_panics_on_mutated_playlists(p in media_playlist(), cut in any::<prop::sample::Index>(), junk in "\\PC{0,12}") {
        let text = write_media(&p);
        let at = cut.index(text.len() + 1);
        let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let mutated = format!("{}{}{}", &text[..at], junk, &text[at..]);
        let _ = parse(&mutated);
    }
}

fn corpus() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hls");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "m3u8"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_playlists_round_trip() {
    let files = corpus();
    assert!(files.len() >= 4);
    for (name, text) in files {
        let p = parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = write(&p);
        assert_eq!(parse(&out).as_ref(), Ok(&p), "{name}:\n{out}");
        assert_eq!(write(&parse(&out).unwrap()), out, "{name}");
    }
}

#[test]
fn corpus_playlists_read_as_written() {
    let files: std::collections::HashMap<String, String> = corpus().into_iter().collect();
    let media = |name: &str| match parse(&files[name]) {
        Ok(Playlist::Media(m)) => m,
        other => panic!("{name}: {other:?}"),
    };
    let ll = media("ll_media.m3u8");
    assert_eq!(ll.media_sequence, 1800);
    assert_eq!(ll.segments[1].parts.len(), 4);
    assert_eq!(
        ll.segments[1].parts[3].byte_range.unwrap().offset,
        Some(82_440)
    );
    assert_eq!(ll.trailing_parts.len(), 2);
    assert_eq!(ll.preload_hints[0].byte_range_start, Some(61_100));
    assert_eq!(ll.rendition_reports.len(), 2);
    let br = media("byterange_discontinuity.m3u8");
    assert_eq!(br.discontinuity_sequence, 3);
    assert_eq!(br.segments[1].byte_range.unwrap().offset, None);
    assert!(br.segments[2].discontinuity);
    assert_eq!(br.segments[2].title, "ad break");
    assert_eq!(
        br.segments[2].unknown_tags,
        [
            "#EXT-X-KEY:METHOD=NONE",
            "#EXT-X-DATERANGE:ID=\"ad-1\",START-DATE=\"2026-12-07T18:00:10.010Z\",DURATION=5.005"
        ]
    );
    let delta = media("delta_update.m3u8");
    assert_eq!(delta.skip.as_ref().unwrap().skipped_segments, 3);
    assert_eq!(
        delta.segments[0].duration,
        Decimal::from_ticks(400_008, 100_000).unwrap()
    );
    let Ok(Playlist::Multivariant(m)) = parse(&files["multivariant_renditions.m3u8"]) else {
        panic!("multivariant expected")
    };
    assert_eq!(m.renditions.len(), 4);
    assert_eq!(m.renditions[1].name, "Français");
    assert_eq!(m.renditions[2].channels.as_deref(), Some("6"));
    assert_eq!(m.variants.len(), 2);
    assert_eq!(m.variants[0].frame_rate, Decimal::from_ticks(29_970, 1_000));
    assert_eq!(m.unknown_tags.len(), 2, "{:?}", m.unknown_tags);
}
