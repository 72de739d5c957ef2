//! Segment addressing against what real packagers wrote.
//!
//! Until the fixture corpus lands (`fixtures/`, made by `fixtures/make.sh`), each case here
//! transcribes one output of ffmpeg 5.1.9 (Debian 12, `-f dash` and `-f mp4`, 160x90 testsrc
//! at 25 fps, 9.3 s, GOP 50, 2 s segments): the MPD's addressing values as inputs, and as
//! expectations the file names the muxer wrote to disk, or the box offsets in its output.
//! The expectations come from the tool, not from this code. Once the fixtures exist, the
//! glue from the parsed model replaces the hand-copied inputs.

use crate::mpd::segments::{
    enumerate, Addressing, BaseAddressing, ByteRange, ListAddressing, ListEntry,
    RepresentationContext, SegmentDurations, SidxInput, SubsegmentRef, TemplateAddressing,
    TimelineEntry, UrlType,
};
use crate::mpd::template::Template;
use crate::mpd::url::resolve_chain;
use crate::mpd::Location;
use crate::timeline::Timescale;

fn ctx(id: &str, base_url: String, period_duration_ns: u64) -> RepresentationContext {
    RepresentationContext {
        representation_id: id.into(),
        bandwidth: Some(36_931),
        base_url,
        period_start_ns: 0,
        period_duration_ns: Some(period_duration_ns),
        at: Location {
            line: 0,
            column: 0,
            path: "MPD/Period[0]/AdaptationSet[0]/Representation[0]/SegmentTemplate".into(),
        },
        window_ns: None,
    }
}

/// `ffmpeg -f dash -seg_duration 2 -use_timeline 0 -use_template 1` wrote
/// `mediaPresentationDuration="PT9.3S"`, `timescale="1000000" duration="2000000"`,
/// `media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1"`, and these files.
#[test]
fn ffmpeg_dash_number_template_lists_the_files_it_wrote() {
    let media = Template::parse("chunk-stream$RepresentationID$-$Number%05d$.m4s").unwrap();
    let init = Template::parse("init-stream$RepresentationID$.m4s").unwrap();
    let a = Addressing::Template(TemplateAddressing {
        timescale: Timescale::new(1_000_000).unwrap(),
        presentation_time_offset: 0,
        start_number: 1,
        end_number: None,
        timing: SegmentDurations::Duration(2_000_000),
        media: &media,
        initialization: Some(&init),
        index: None,
    });
    let c = ctx("0", resolve_chain(&["dash/manifest.mpd"]), 9_300_000_000);
    let reps = enumerate(&a, &c).unwrap();
    let urls: Vec<_> = reps.segments.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "dash/chunk-stream0-00001.m4s",
            "dash/chunk-stream0-00002.m4s",
            "dash/chunk-stream0-00003.m4s",
            "dash/chunk-stream0-00004.m4s",
            "dash/chunk-stream0-00005.m4s",
        ]
    );
    assert_eq!(reps.initialization.unwrap().url, "dash/init-stream0.m4s");
    // 9.3 s: four whole segments and a 1.3 s tail.
    let last = reps.segments.last().unwrap();
    assert_eq!((last.start, last.duration), (8_000_000, 1_300_000));
}

/// `ffmpeg -f dash -use_timeline 1 -media_seg_name 'chunk-$RepresentationID$-$Time$.m4s'`
/// wrote `timescale="12800"`, `<S t="0" d="25600" r="3"/><S d="16896"/>` for video and these
/// files.
#[test]
fn ffmpeg_dash_time_timeline_lists_the_files_it_wrote() {
    let media = Template::parse("chunk-$RepresentationID$-$Time$.m4s").unwrap();
    let tl = [
        TimelineEntry {
            t: Some(0),
            d: 25_600,
            r: 3,
            ..TimelineEntry::default()
        },
        TimelineEntry {
            d: 16_896,
            ..TimelineEntry::default()
        },
    ];
    let a = Addressing::Template(TemplateAddressing {
        timescale: Timescale::new(12_800).unwrap(),
        presentation_time_offset: 0,
        start_number: 1,
        end_number: None,
        timing: SegmentDurations::Timeline(&tl),
        media: &media,
        initialization: None,
        index: None,
    });
    let reps = enumerate(&a, &ctx("0", String::new(), 9_300_000_000)).unwrap();
    let mut urls: Vec<_> = reps.segments.iter().map(|s| s.url.clone()).collect();
    urls.sort();
    // `ls` order of the directory.
    assert_eq!(
        urls,
        [
            "chunk-0-0.m4s",
            "chunk-0-102400.m4s",
            "chunk-0-25600.m4s",
            "chunk-0-51200.m4s",
            "chunk-0-76800.m4s",
        ]
    );
    let numbers: Vec<_> = reps.segments.iter().map(|s| s.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
}

/// The audio of the same run: `timescale="48000"`,
/// `<S t="0" d="92160"/><S d="96256" r="2"/><S d="65472"/>`. ffmpeg 5.1 named the files
/// `chunk-1--1024.m4s`, `chunk-1-92160.m4s`, `chunk-1-188416.m4s`, `chunk-1-284672.m4s`,
/// `chunk-1-380928.m4s`: the first name carries the AAC priming (-1024) that its MPD
/// (`t="0"`) does not, so a player following the MPD asks for `chunk-1-0.m4s`. The MPD is
/// what we address; the four later names match.
#[test]
fn ffmpeg_dash_audio_timeline_matches_all_but_the_primed_first_file() {
    let media = Template::parse("chunk-$RepresentationID$-$Time$.m4s").unwrap();
    let s = |t: Option<u64>, d: u64, r: i64| TimelineEntry {
        t,
        d,
        r,
        ..TimelineEntry::default()
    };
    let tl = [
        s(Some(0), 92_160, 0),
        s(None, 96_256, 2),
        s(None, 65_472, 0),
    ];
    let a = Addressing::Template(TemplateAddressing {
        timescale: Timescale::new(48_000).unwrap(),
        presentation_time_offset: 0,
        start_number: 1,
        end_number: None,
        timing: SegmentDurations::Timeline(&tl),
        media: &media,
        initialization: None,
        index: None,
    });
    let reps = enumerate(&a, &ctx("1", String::new(), 9_300_000_000)).unwrap();
    let urls: Vec<_> = reps.segments.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(
        urls[1..],
        [
            "chunk-1-92160.m4s",
            "chunk-1-188416.m4s",
            "chunk-1-284672.m4s",
            "chunk-1-380928.m4s"
        ]
    );
    assert_eq!(urls[0], "chunk-1-0.m4s");
}

/// `ffmpeg -f dash -single_file 1 -use_template 0 -use_timeline 0` wrote one file,
/// `<BaseURL>manifest-stream0.mp4</BaseURL>`, `<SegmentList timescale="1000000"
/// duration="2000000" startNumber="1">`, `<Initialization range="0-814"/>` and five
/// `SegmentURL@mediaRange`s ending at byte 42904 of a 42905-byte file.
#[test]
fn ffmpeg_dash_single_file_segment_list() {
    let ranges = [
        (815, 10_043),
        (10_044, 19_250),
        (19_251, 28_046),
        (28_047, 36_714),
        (36_715, 42_904),
    ];
    let urls: Vec<_> = ranges
        .iter()
        .map(|&(a, b)| ListEntry {
            media: None,
            media_range: ByteRange::new(a, b),
        })
        .collect();
    let init = UrlType {
        source_url: None,
        range: ByteRange::new(0, 814),
    };
    let a = Addressing::List(ListAddressing {
        timescale: Timescale::new(1_000_000).unwrap(),
        presentation_time_offset: 0,
        start_number: 1,
        timing: Some(SegmentDurations::Duration(2_000_000)),
        segment_urls: &urls,
        initialization: Some(&init),
        representation_index: None,
    });
    let base = resolve_chain(&["out/manifest.mpd", "manifest-stream0.mp4"]);
    let reps = enumerate(&a, &ctx("0", base, 9_300_000_000)).unwrap();
    let init = reps.initialization.unwrap();
    assert_eq!(init.url, "out/manifest-stream0.mp4");
    assert_eq!(init.byte_range, ByteRange::new(0, 814));
    assert_eq!(reps.segments.len(), 5);
    // The ranges tile the file from the end of the init segment to its last byte.
    let mut next = 815;
    for s in &reps.segments {
        assert_eq!(s.url, "out/manifest-stream0.mp4");
        let r = s.byte_range.unwrap();
        assert_eq!(r.first(), next);
        next = r.last() + 1;
    }
    assert_eq!(next, 42_905);
    assert_eq!(reps.segments[4].duration, 1_300_000);
}

/// `ffmpeg -f mp4 -movflags +frag_keyframe+empty_moov+default_base_moof+global_sidx` wrote
/// ftyp@0, moov@28 (751 bytes), sidx@779 (100 bytes, v1, timescale 12800, ept 0,
/// first_offset 0, five media references of sizes 9177, 9155, 8744, 8616, 6138 and
/// durations 25600 x4, 16896), then moof boxes at 879, 10056, 19211, 27955, 36571 and an mfra
/// at 42709. Each segment's range must start at a moof and end just before the next one.
#[test]
fn ffmpeg_global_sidx_ranges_start_at_each_moof() {
    let refs = [
        (9177, 25_600),
        (9155, 25_600),
        (8744, 25_600),
        (8616, 25_600),
        (6138, 16_896),
    ];
    let sidx = SidxInput {
        timescale: Timescale::new(12_800).unwrap(),
        earliest_presentation_time: 0,
        first_offset: 0,
        anchor_offset: 879,
        references: refs
            .iter()
            .map(|&(size, dur)| SubsegmentRef {
                reference_type_is_index: false,
                referenced_size: size,
                subsegment_duration: dur,
            })
            .collect(),
    };
    let a = Addressing::Base(BaseAddressing {
        timescale: Timescale::ONE,
        presentation_time_offset: 0,
        index_range: ByteRange::new(779, 878),
        initialization: None,
        representation_index: None,
        sidx: Some(&sidx),
    });
    let reps = enumerate(&a, &ctx("0", "sb.mp4".into(), 9_300_000_000)).unwrap();
    let moofs = [879u64, 10_056, 19_211, 27_955, 36_571, 42_709];
    for (s, w) in reps.segments.iter().zip(moofs.windows(2)) {
        let r = s.byte_range.unwrap();
        assert_eq!((r.first(), r.last() + 1), (w[0], w[1]));
        assert_eq!(s.url, "sb.mp4");
    }
    assert_eq!(reps.segments.len(), 5);
    assert_eq!(reps.timescale.get(), 12_800);
    // 4 x 2 s + 1.32 s of video frames.
    let end = reps.segments.last().map(|s| s.start + s.duration).unwrap();
    assert_eq!(end, 4 * 25_600 + 16_896);
    assert_eq!(reps.index.unwrap().byte_range, ByteRange::new(779, 878));
}
