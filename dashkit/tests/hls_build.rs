//! HLS playlists built from the DASH fixtures (`hls::build::from_mpd`), read back by the parser,
//! and checked by `validate_playlist`, unchanged and mutated.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dashkit::hls::build::{from_mpd, Options, Playlists};
use dashkit::hls::{
    parse, write_media, write_multivariant, Decimal, MediaPlaylist, MediaType, PartialSegment,
    Playlist,
};
use dashkit::mpd::segments::ByteRange;
use dashkit::validate::{codes, validate_playlist, Report};

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/dash")
        .join(name)
}

fn read(dir: &Path, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
    let bytes = std::fs::read(dir.join(url)).ok()?;
    match range {
        None => Some(bytes),
        Some(r) => bytes
            .get(r.first() as usize..=r.last() as usize)
            .map(<[u8]>::to_vec),
    }
}

fn build_text(mpd_text: &str, dir: &Path) -> Playlists {
    let mpd = dashkit::mpd::parse(mpd_text).unwrap();
    let opts = Options {
        mpd_url: "manifest.mpd",
        stem: "manifest",
    };
    from_mpd(&mpd, &opts, &mut |url: &str, range: Option<ByteRange>| {
        read(dir, url, range)
    })
    .unwrap()
}

fn build(name: &str) -> Playlists {
    let dir = fixture_dir(name);
    build_text(
        &std::fs::read_to_string(dir.join("manifest.mpd")).unwrap(),
        &dir,
    )
}

fn media<'a>(p: &'a Playlists, id: &str) -> &'a MediaPlaylist {
    &p.media
        .iter()
        .find(|m| m.representation_id == id)
        .unwrap()
        .playlist
}

fn extinf_ticks(p: &MediaPlaylist, timescale: u32) -> Vec<u64> {
    p.segments
        .iter()
        .map(|s| s.duration.to_ticks(timescale).unwrap())
        .collect()
}

/// Validates written playlists: `files` are the playlists by name, the rest comes from `dir`.
fn validate(top: &str, files: &HashMap<String, String>, dir: &Path) -> Report {
    let mut source = |url: &str, range: Option<ByteRange>| match files.get(url) {
        Some(t) => Some(t.clone().into_bytes()),
        None => read(dir, url, range),
    };
    validate_playlist(&files[top], &mut source).unwrap()
}

fn written(p: &Playlists) -> HashMap<String, String> {
    let mut files: HashMap<String, String> = p
        .media
        .iter()
        .map(|m| (m.name.clone(), write_media(&m.playlist)))
        .collect();
    files.insert(
        p.multivariant_name.clone(),
        write_multivariant(&p.multivariant),
    );
    files
}

#[test]
fn shaka_live_multivariant_has_an_audio_group_and_measured_attributes() {
    let p = build("shaka_live");
    assert_eq!(p.multivariant_name, "manifest.m3u8");
    let names: Vec<&str> = p.media.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["manifest_0.m3u8", "manifest_1.m3u8", "manifest_2.m3u8"]
    );
    let m = &p.multivariant;
    assert!(m.independent_segments);
    assert_eq!(m.renditions.len(), 1);
    let a = &m.renditions[0];
    assert_eq!(a.media_type, MediaType::Audio);
    assert_eq!(
        (a.group_id.as_str(), a.uri.as_deref(), a.channels.as_deref()),
        ("audio", Some("manifest_2.m3u8"), Some("2"))
    );
    assert!(a.default);
    assert_eq!(m.variants.len(), 2);
    for (v, res) in m.variants.iter().zip([(256, 144), (320, 180)]) {
        assert_eq!(v.codecs.as_deref(), Some("avc1.4d400c,mp4a.40.2"));
        assert_eq!(v.resolution, Some(res));
        assert_eq!(v.frame_rate, Some(Decimal::from_int(25)));
        assert_eq!(v.audio.as_deref(), Some("audio"));
        let avg = v.average_bandwidth.unwrap();
        assert!(avg <= v.bandwidth, "{avg} > {}", v.bandwidth);
    }
    // Measured on the segments: the 320x180 rendition needs more bits than the 256x144 one.
    assert!(m.variants[1].bandwidth > m.variants[0].bandwidth);
}

#[test]
fn extinf_is_the_media_duration_exactly() {
    // SegmentTimeline addressing: Shaka's audio timeline says 96256 for the first segment; its
    // media holds 95 AAC frames (97280 ticks, the priming frame included).
    let p = build("shaka_live");
    let audio = media(&p, "2");
    assert_eq!(
        extinf_ticks(audio, 48_000),
        [97_280, 96_256, 96_256, 95_232, 93_600]
    );
    assert_eq!(audio.segments[0].duration.to_string(), "2.026666667");
    assert_eq!(audio.target_duration, 2);
    // Number addressing with a nominal @duration of 2 s: EXTINF comes from trun, not @duration.
    let p = build("ffmpeg_number");
    let audio = media(&p, "1");
    assert_eq!(
        extinf_ticks(audio, 48_000),
        [96_256, 96_256, 96_256, 95_232, 94_624]
    );
    let video = media(&p, "0");
    assert_eq!(
        extinf_ticks(video, 12_800),
        [25_874, 25_600, 25_600, 25_600, 25_600]
    );
    assert_eq!(video.segments[1].duration.to_string(), "2.000");
    // ffmpeg's timeline: the first video segment is 25874 ticks of 1/12800 s, written exactly.
    let p = build("ffmpeg_timeline");
    let video = media(&p, "0");
    assert_eq!(video.segments[0].duration.to_string(), "2.02140625");
    assert_eq!(
        video.segments[0].duration,
        Decimal::from_ticks(25_874, 12_800).unwrap()
    );
}

#[test]
fn segment_base_becomes_byte_ranges_and_a_map_with_a_byte_range() {
    let p = build("shaka_ondemand");
    let v = media(&p, "0");
    let map = v.segments[0].map.as_ref().unwrap();
    assert_eq!(map.uri, "video_144p.mp4");
    let r = map.byte_range.unwrap();
    assert_eq!((r.length, r.offset), (832, Some(0)));
    let first = v.segments[0].byte_range.unwrap();
    assert_eq!(first.offset, Some(888), "right after the sidx (832-887)");
    // Ranges are contiguous and the file's subsegments are all there.
    for w in v.segments.windows(2) {
        let (a, b) = (w[0].byte_range.unwrap(), w[1].byte_range.unwrap());
        assert_eq!(a.offset.unwrap() + a.length, b.offset.unwrap());
        assert_eq!(w[1].uri, "video_144p.mp4");
    }
    assert!(v.version.unwrap() >= 6);
    let text = write_media(v);
    assert!(text.contains("#EXT-X-MAP:URI=\"video_144p.mp4\",BYTERANGE=\"832@0\"\n"));
    assert!(text.contains("#EXT-X-BYTERANGE:"));
}

#[test]
fn periods_become_discontinuities_with_a_new_map() {
    // ffmpeg_number's audio twice: two Periods of 10 s over the same files.
    let dir = fixture_dir("ffmpeg_number");
    let period = |id: &str, start: &str| {
        format!(
            r#"<Period id="{id}" start="{start}" duration="PT10S"><AdaptationSet contentType="audio">
            <SegmentTemplate timescale="1000000" duration="2000000" initialization="init-1.m4s"
             media="chunk-1-$Number%05d$.m4s" startNumber="1"/>
            <Representation id="a" bandwidth="48000" codecs="mp4a.40.2"/></AdaptationSet></Period>"#
        )
    };
    let mpd = format!(
        r#"<MPD type="static" mediaPresentationDuration="PT20S" minBufferTime="PT2S">{}{}</MPD>"#,
        period("p0", "PT0S"),
        period("p1", "PT10S")
    );
    let p = build_text(&mpd, &dir);
    let a = media(&p, "a");
    assert_eq!(a.segments.len(), 10);
    let flags: Vec<(bool, bool)> = a
        .segments
        .iter()
        .map(|s| (s.discontinuity, s.map.is_some()))
        .collect();
    assert_eq!(flags[0], (false, true));
    assert_eq!(flags[5], (true, true));
    assert!(flags
        .iter()
        .enumerate()
        .all(|(i, f)| i == 0 || i == 5 || *f == (false, false)));
    let text = write_media(a);
    assert_eq!(text.matches("#EXT-X-DISCONTINUITY\n").count(), 1);
    // Without video, the audio Representation is a variant of its own.
    assert_eq!(p.multivariant.variants.len(), 1);
    assert_eq!(p.multivariant.variants[0].audio, None);
}

#[test]
fn every_built_playlist_round_trips_through_the_parser() {
    for name in [
        "ffmpeg_number",
        "ffmpeg_timeline",
        "shaka_live",
        "shaka_ondemand",
    ] {
        let p = build(name);
        for m in &p.media {
            let text = write_media(&m.playlist);
            let mut want = m.playlist.clone();
            for s in &mut want.segments {
                s.duration = s.duration.as_written();
            }
            match parse(&text) {
                Ok(Playlist::Media(back)) => assert_eq!(back, want, "{name} {}", m.name),
                other => panic!("{name} {}: {other:?}", m.name),
            }
        }
        let text = write_multivariant(&p.multivariant);
        assert_eq!(
            parse(&text).unwrap(),
            Playlist::Multivariant(p.multivariant.clone()),
            "{name}"
        );
    }
}

#[test]
fn built_playlists_validate_clean() {
    for name in [
        "ffmpeg_number",
        "ffmpeg_timeline",
        "shaka_live",
        "shaka_ondemand",
    ] {
        let p = build(name);
        let report = validate("manifest.m3u8", &written(&p), &fixture_dir(name));
        assert!(report.findings.is_empty(), "{name}: {:#?}", report.findings);
    }
}

/// Builds shaka_live, lets `mutate` change the audio playlist, and validates the result.
fn mutated(mutate: impl FnOnce(&mut MediaPlaylist)) -> Report {
    let mut p = build("shaka_live");
    let audio = p
        .media
        .iter_mut()
        .find(|m| m.representation_id == "2")
        .unwrap();
    mutate(&mut audio.playlist);
    validate("manifest.m3u8", &written(&p), &fixture_dir("shaka_live"))
}

fn codes_of(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.code).collect()
}

#[test]
fn validate_catches_a_wrong_extinf() {
    let r = mutated(|p| {
        p.segments[2].duration = Decimal::from_ticks(97_256, 48_000).unwrap();
    });
    assert_eq!(codes_of(&r), [codes::HLS_EXTINF], "{:#?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.representation.as_deref(), Some("manifest_2.m3u8"));
    assert!(
        f.location.contains("segment[2] audio/3.m4s"),
        "{}",
        f.location
    );
    assert_eq!(f.expected.as_deref(), Some("2.005333333"));
    assert_eq!(f.found.as_deref(), Some("2.026166667"));
    // Rounding of the decimal text (and anything up to 1 ms) is not a finding.
    let r = mutated(|p| {
        p.segments[2].duration = Decimal::parse("2.0063").unwrap();
    });
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
}

#[test]
fn validate_catches_a_missing_map() {
    let r = mutated(|p| p.segments[0].map = None);
    assert!(r.has(codes::HLS_MAP), "{:#?}", r.findings);
    assert!(r.findings[0].location.contains("segment[0]"));
}

#[test]
fn validate_catches_a_target_duration_too_small() {
    // 1.984 s rounds to 2: a target of 2 is right; of 1 too small.
    let r = mutated(|p| p.target_duration = 1);
    assert_eq!(codes_of(&r), [codes::HLS_TARGETDURATION]);
    assert_eq!(r.findings[0].expected.as_deref(), Some("2"));
    // A segment of 2.5 s needs a target of 3 (rounded half up), not 2.
    let r = mutated(|p| p.segments[4].duration = Decimal::parse("2.5").unwrap());
    assert!(r.has(codes::HLS_TARGETDURATION), "{:#?}", r.findings);
}

#[test]
fn validate_catches_codecs_and_misaligned_media_sequences() {
    let mut p = build("shaka_live");
    p.multivariant.variants[0].codecs = Some("avc1.640028,mp4a.40.2".into());
    p.media[2].playlist.media_sequence = 2; // audio numbered one ahead of video
    let r = validate("manifest.m3u8", &written(&p), &fixture_dir("shaka_live"));
    assert_eq!(
        codes_of(&r),
        [codes::HLS_CODECS, codes::HLS_MEDIA_SEQUENCE],
        "{:#?}",
        r.findings
    );
    assert_eq!(
        r.findings[0].found.as_deref(),
        Some("avc1.640028,mp4a.40.2")
    );
}

#[test]
fn validate_checks_parts() {
    let r = mutated(|p| {
        let d = p.segments[0].duration;
        let half = Decimal::from_ticks(d.ticks(), d.timescale() * 2).unwrap();
        let part = |k: u32| PartialSegment {
            uri: format!("audio/1.{k}.m4s"),
            duration: half,
            independent: true,
            byte_range: None,
            gap: false,
        };
        p.segments[0].parts = vec![part(0), part(1)];
        p.part_target = Some(Decimal::from_int(1));
    });
    // Each part is 1.013 s: longer than the 1 s target, though they add up to the EXTINF.
    assert_eq!(
        codes_of(&r),
        [codes::HLS_PART, codes::HLS_PART],
        "{:#?}",
        r.findings
    );
    let r = mutated(|p| {
        p.segments[0].parts = vec![PartialSegment {
            uri: "audio/1.0.m4s".into(),
            duration: Decimal::from_int(1),
            independent: true,
            byte_range: None,
            gap: false,
        }];
        p.part_target = None;
    });
    assert_eq!(codes_of(&r), [codes::HLS_PART]);
    assert!(r.findings[0].message.contains("PART-INF"));
}

#[test]
fn validate_checks_that_byte_range_parts_are_contiguous() {
    // Two byte-range parts of one segment: the second starts 10 bytes after the first ended.
    let r = mutated(|p| {
        let d = p.segments[0].duration;
        let half = Decimal::from_ticks(d.ticks(), d.timescale() * 2).unwrap();
        let uri = p.segments[0].uri.clone();
        let part = |offset: u64| PartialSegment {
            uri: uri.clone(),
            duration: half,
            independent: true,
            byte_range: Some(dashkit::hls::ByteSpan {
                length: 100,
                offset: Some(offset),
            }),
            gap: false,
        };
        p.segments[0].parts = vec![part(0), part(110)];
        p.part_target = Some(Decimal::from_int(2));
    });
    assert_eq!(codes_of(&r), [codes::HLS_PART], "{:#?}", r.findings);
    assert_eq!(
        (
            r.findings[0].expected.as_deref(),
            r.findings[0].found.as_deref()
        ),
        (Some("100"), Some("110"))
    );
}
