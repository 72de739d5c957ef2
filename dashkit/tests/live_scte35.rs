//! `scte35_1|2|3` on the `ffmpeg_livesim` fixture (video `0` at 12 800 Hz, 2 s segments): the
//! cues in the video segments at livesim2's cadence, their emsg and splice_info_section bytes,
//! and the MPD's InbandEventStream (docs/live-options.md#scte-35). Golden files in
//! `fixtures/golden/live/` (`DASHKIT_BLESS=1` rewrites them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use dashkit::bmff::Emsg;
use dashkit::bmff::Index;
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig};

mod support;
use support::{golden, livesim_asset as asset, livesim_dir as dir};

/// The MPEG-2 CRC-32 (ISO/IEC 13818-1 Annex A: polynomial 0x04C11DB7, initial value
/// 0xFFFFFFFF, no reflection, no final XOR), written here apart from the library's so the check
/// does not trust the code it checks. Over a section including its CRC it is 0.
fn crc32_mpeg2(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn files() -> HashMap<String, Vec<u8>> {
    let mut m = HashMap::new();
    for rep in ["0", "1"] {
        for f in ["init.mp4", "1.m4s", "2.m4s", "3.m4s", "4.m4s", "5.m4s"] {
            let name = format!("{rep}/{f}");
            m.insert(name.clone(), std::fs::read(dir().join(&name)).unwrap());
        }
    }
    m
}

/// The segment bytes of `file` with `opts` at `now_ms`.
fn segment(opts: &str, file: &str, now_ms: i64, files: &HashMap<String, Vec<u8>>) -> Vec<u8> {
    let a = asset();
    let o = LiveOptions::parse(opts).unwrap();
    match respond(&a, &o, file, now_ms, &SourceConfig::default(), |u| {
        files.get(u).map(Vec::as_slice)
    })
    .unwrap()
    {
        Response::Segment { data, .. } => data.to_vec(),
        Response::Chunked { chunks, .. } => chunks.iter().flat_map(|c| c.to_vec()).collect(),
        other => panic!("{file}: {other:?}"),
    }
}

/// The emsg boxes of a segment, and the top-level box order.
fn emsgs(seg: &[u8]) -> (Vec<Emsg>, Vec<String>) {
    let idx = Index::parse(seg).unwrap();
    let mut out = Vec::new();
    let mut top = Vec::new();
    for i in idx.top() {
        let b = &idx.boxes()[i];
        top.push(String::from_utf8_lossy(&seg[b.start + 4..b.start + 8]).into_owned());
        if b.is(b"emsg") {
            out.push(Emsg::parse(&seg[b.range()], 0).unwrap());
        }
    }
    (out, top)
}

/// Over three minutes of video segments, `scte35_<n>` sends each splice of livesim2's schedule
/// exactly once, 7 s ahead (in the segment whose media interval holds splice − 7 s), as a v1
/// emsg whose message is a splice_insert with a valid CRC; audio carries none.
#[test]
fn cues_follow_livesim2_cadence() {
    let files = files();
    let now = 200_000;
    for (n, splices, break_s) in [
        (1u8, vec![10u64], 20u64),
        (2, vec![10, 40], 10),
        (3, vec![10, 36, 46], 10),
    ] {
        let opts = format!("scte35_{n}");
        let mut seen = Vec::new();
        for number in 0..90u64 {
            let seg = segment(&opts, &format!("0/{number}.m4s"), now, &files);
            let (cues, top) = emsgs(&seg);
            for e in &cues {
                assert_eq!(e.version, 1);
                assert_eq!(e.scheme_id_uri, "urn:scte:scte35:2013:bin");
                assert_eq!(e.value, "");
                assert_eq!(e.timescale, 12_800);
                assert_eq!(u64::from(e.event_duration), break_s * 12_800);
                assert_eq!(e.presentation_time, u64::from(e.id) * 12_800);
                // Announced 7 s ahead: the segment (2 s, ±drift) holds splice − 7 s.
                let splice_s = u64::from(e.id);
                assert!(
                    (splice_s - 9..=splice_s - 7).contains(&(number * 2)),
                    "{opts}: segment {number} carries the splice at {splice_s}"
                );
                let s = &e.message_data;
                assert_eq!(crc32_mpeg2(s), 0, "CRC");
                assert_eq!((s[0], s[13]), (0xFC, 0x05), "splice_insert");
                assert_eq!(u32::from_be_bytes(s[14..18].try_into().unwrap()), e.id);
                let pts = (u64::from(s[20] & 1) << 32)
                    | u64::from(u32::from_be_bytes(s[21..25].try_into().unwrap()));
                assert_eq!(pts, splice_s * 90_000);
                seen.push(e.id);
            }
            if !cues.is_empty() {
                assert_eq!(&top[..2], ["styp", "emsg"], "emsg after styp");
            }
            let audio = segment(&opts, &format!("1/{number}.m4s"), now, &files);
            assert!(emsgs(&audio).0.is_empty(), "audio carries no cue");
        }
        let want: Vec<u32> = (0..3)
            .flat_map(|m| splices.iter().map(move |s| (m * 60 + s) as u32))
            .filter(|s| *s - 7 < 180)
            .collect();
        assert_eq!(seen, want, "{opts}");
    }
}

/// Golden: the emsg of `scte35_1` announcing the splice at 70 s (in segment 31, 62–64 s), as
/// hex, and the MPD with its InbandEventStream; the chunked form carries the same emsg.
#[test]
fn golden_cue_and_mpd() {
    let files = files();
    let seg = segment("scte35_1", "0/31.m4s", 100_000, &files);
    let idx = Index::parse(&seg).unwrap();
    let b = &idx.boxes()[idx.find("emsg").unwrap()];
    let hex: String = seg[b.range()]
        .chunks(16)
        .map(|l| {
            l.iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
                + "\n"
        })
        .collect();
    golden("live", "scte35_1_emsg_70s.hex", &hex);
    let chunked = segment("scte35_1/chunkdur_0.5", "0/31.m4s", 100_000, &files);
    let idx2 = Index::parse(&chunked).unwrap();
    let b2 = &idx2.boxes()[idx2.find("emsg").unwrap()];
    assert_eq!(&chunked[b2.range()], &seg[b.range()]);
    let o = LiveOptions::parse("scte35_1").unwrap();
    let m = dashkit::live::mpd::live_mpd(&asset(), &o, 100_000).unwrap();
    golden("live", "scte35_1.mpd", &dashkit::mpd::write(&m));
    let xml = dashkit::mpd::write(&m);
    assert_eq!(
        xml.matches(r#"<InbandEventStream schemeIdUri="urn:scte:scte35:2013:bin"/>"#)
            .count(),
        1
    );
}
