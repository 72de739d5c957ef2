//! Generated subtitles (`timesubsstpp_`, `timesubswvtt_`, `timesubsdur_`, `timesubsreg_`) on the
//! `ffmpeg_livesim` fixture: the MPD AdaptationSets, init segments and media segments at fixed
//! instants (golden files in `fixtures/golden/live/`, `DASHKIT_BLESS=1` rewrites them), and the
//! law that every listed subtitle segment tiles its interval with cues showing the wall clock
//! of their media time (docs/live-options.md#generated-subtitles).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dashkit::bmff::dump::{dump, render_text};
use dashkit::bmff::{codec::codec_string, Index};
use dashkit::bmff::{Mfhd, Tfdt, Trun};
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig};
use dashkit::live::timesubs::cues::utc_text;
use proptest::prelude::*;

mod support;
use support::{golden, livesim_asset as asset};

/// 2023-11-14T22:13:20Z: a fixed instant well past any wrap.
const NOW: i64 = 1_700_000_000_000;

fn answer(opts: &str, file: &str, now_ms: i64) -> Response<'static> {
    let a = asset();
    let o = LiveOptions::parse(opts).unwrap();
    respond(&a, &o, file, now_ms, &SourceConfig::default(), |_| None).unwrap()
}

fn bytes(opts: &str, file: &str, now_ms: i64) -> Vec<u8> {
    match answer(opts, file, now_ms) {
        Response::Segment { data, .. } => data.to_vec(),
        Response::GeneratedInit { bytes, .. } => bytes,
        other => panic!("{opts} {file}: {other:?}"),
    }
}

fn mpd(opts: &str, now_ms: i64) -> dashkit::mpd::Mpd {
    match answer(opts, "manifest.mpd", now_ms) {
        Response::Mpd { xml } => dashkit::mpd::parse(&xml).unwrap(),
        other => panic!("{other:?}"),
    }
}

/// One segment's fragment: sequence number, tfdt, and each sample's (duration, bytes).
struct Fragment {
    sequence: u32,
    tfdt: u64,
    samples: Vec<(u64, Vec<u8>)>,
    brands: Vec<u8>,
}

fn fragment(seg: &[u8]) -> Fragment {
    let idx = Index::parse(seg).unwrap();
    let find = |p: &str| &idx.boxes()[idx.find(p).unwrap_or_else(|| panic!("{p}"))];
    let mfhd = find("moof/mfhd");
    let tfdt = find("moof/traf/tfdt");
    let trun = find("moof/traf/trun");
    let moof = find("moof");
    let trun = Trun::parse(&seg[trun.range()], 0).unwrap();
    let mut at = moof.start + trun.data_offset.unwrap() as usize;
    let mut samples = Vec::new();
    for e in &trun.entries {
        let size = e.size.unwrap() as usize;
        samples.push((u64::from(e.duration.unwrap()), seg[at..at + size].to_vec()));
        at += size;
    }
    let mdat = find("mdat");
    assert_eq!(at, mdat.end(), "the samples fill the mdat");
    Fragment {
        sequence: Mfhd::parse(&seg[mfhd.range()], 0).unwrap().sequence_number,
        tfdt: Tfdt::parse(&seg[tfdt.range()], 0)
            .unwrap()
            .base_media_decode_time,
        samples,
        brands: seg[find("styp").payload_range()].to_vec(),
    }
}

/// The boxes of a WebVTT sample: `vtte`, or `vttc` with its `payl` text and `sttg` settings.
fn vtt_sample(b: &[u8]) -> Option<(String, Option<String>)> {
    let kind = &b[4..8];
    if kind == b"vtte" {
        assert_eq!(b.len(), 8);
        return None;
    }
    assert_eq!(kind, b"vttc");
    assert_eq!(
        u32::from_be_bytes(b[..4].try_into().unwrap()) as usize,
        b.len()
    );
    let (mut text, mut settings, mut at) = (None, None, 8);
    while at < b.len() {
        let size = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        let body = String::from_utf8(b[at + 8..at + size].to_vec()).unwrap();
        match &b[at + 4..at + 8] {
            b"payl" => text = Some(body),
            b"sttg" => settings = Some(body),
            k => panic!("{k:?} in vttc"),
        }
        at += size;
    }
    Some((text.expect("payl"), settings))
}

/// The (begin, end, text) of each `p` of a TTML document.
fn ttml_cues(doc: &str) -> Vec<(String, String, String)> {
    doc.split("<p ")
        .skip(1)
        .map(|p| {
            let attr = |name: &str| {
                let from = p.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                p[from..from + p[from..].find('"').unwrap()].to_string()
            };
            let text_from = p.find("<span style=\"s1\">").unwrap() + 17;
            let text = &p[text_from..text_from + p[text_from..].find("</span>").unwrap()];
            (attr("begin"), attr("end"), text.to_string())
        })
        .collect()
}

fn ttml_ms(t: &str) -> u64 {
    let (hms, ms) = t.split_once('.').unwrap();
    let p: Vec<u64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    ((p[0] * 60 + p[1]) * 60 + p[2]) * 1000 + ms.parse::<u64>().unwrap()
}

/// The MPD AdaptationSets at a fixed instant, with `$Number$`, the two SegmentTimeline modes
/// and Periods: one per language, ids 100 on, following the video's numbers.
#[test]
fn mpd_golden() {
    for (opts, name) in [
        ("timesubsstpp_en,sv/timesubswvtt_fr", "timesubs_number.mpd"),
        (
            "segtimeline_1/tsbd_10/timesubswvtt_en",
            "timesubs_timeline.mpd",
        ),
        (
            "segtimelinenr_1/tsbd_10/timesubsstpp_en",
            "timesubs_timelinenr.mpd",
        ),
        (
            "periods_60/tsbd_70/timesubsstpp_en",
            "timesubs_periods_60.mpd",
        ),
    ] {
        golden("live", name, &dashkit::mpd::write(&mpd(opts, NOW)));
    }
}

/// The init segments: box trees (our parser) and the codec strings our reader derives equal
/// the MPD's `@codecs`.
#[test]
fn init_segments() {
    let opts = "timesubsstpp_en/timesubswvtt_pt-BR";
    let m = mpd(opts, NOW);
    let sets = &m.periods[0].adaptation_sets;
    for (file, entry, name) in [
        ("timestpp-en/init.mp4", b"stpp", "timesubs_stpp_init.txt"),
        ("timewvtt-pt-BR/init.mp4", b"wvtt", "timesubs_wvtt_init.txt"),
    ] {
        let init = bytes(opts, file, NOW);
        let idx = Index::parse(&init).unwrap();
        let e = idx.all(entry).next().unwrap();
        let codec = codec_string(&init, &idx, e).unwrap();
        let rep = file.split('/').next().unwrap();
        let aset = sets
            .iter()
            .find(|a| a.representations[0].id.as_deref() == Some(rep))
            .unwrap();
        assert_eq!(aset.codecs.as_deref(), Some(codec.as_str()));
        golden("live", name, &render_text(&dump(&init).unwrap()));
    }
}

/// A segment's cues at a fixed instant: the TTML document of `stpp`, and the samples of
/// `wvtt` (vttc with payl, vtte for the gaps), with `timesubsdur_` and `timesubsreg_`.
#[test]
fn segment_golden() {
    // Segment 850 000 000 covers 1 700 000 000 – 1 700 000 002 s (AST 0, 2 s segments).
    let n = 849_999_998u64;
    let opts = "timesubsstpp_en/timesubswvtt_en";
    let stpp = fragment(&bytes(opts, &format!("timestpp-en/{n}.m4s"), NOW));
    assert_eq!((stpp.sequence, stpp.tfdt), (n as u32, n * 2000));
    assert_eq!(stpp.samples.len(), 1);
    assert_eq!(stpp.samples[0].0, 2000);
    let doc = String::from_utf8(stpp.samples[0].1.clone()).unwrap();
    golden("live", "timesubs_stpp_segment.xml", &doc);
    assert_eq!(
        ttml_cues(&doc),
        [
            (
                "472222:13:16.000".to_string(),
                "472222:13:16.900".to_string(),
                "2023-11-14T22:13:16Z<br/>en # 849999998".to_string()
            ),
            (
                "472222:13:17.000".into(),
                "472222:13:17.900".into(),
                "2023-11-14T22:13:17Z<br/>en # 849999998".into()
            ),
        ]
    );
    let wvtt = fragment(&bytes(opts, &format!("timewvtt-en/{n}.m4s"), NOW));
    let samples: Vec<_> = wvtt
        .samples
        .iter()
        .map(|(d, b)| (*d, vtt_sample(b)))
        .collect();
    let cue = |t: &str| Some((format!("{t}\nen # 849999998"), None));
    assert_eq!(
        samples,
        [
            (900, cue("2023-11-14T22:13:16Z")),
            (100, None),
            (900, cue("2023-11-14T22:13:17Z")),
            (100, None)
        ]
    );
    let opts = "timesubswvtt_en/timesubsdur_1000/timesubsreg_1";
    let wvtt = fragment(&bytes(opts, &format!("timewvtt-en/{n}.m4s"), NOW));
    let settings: Vec<_> = wvtt
        .samples
        .iter()
        .map(|(d, b)| (*d, vtt_sample(b).unwrap().1))
        .collect();
    assert_eq!(
        settings,
        [(1000, Some("line:2".into())), (1000, Some("line:2".into()))]
    );
    let opts = "timesubsstpp_en/timesubsreg_1";
    let doc = fragment(&bytes(opts, &format!("timestpp-en/{n}.m4s"), NOW)).samples[0]
        .1
        .clone();
    assert!(String::from_utf8(doc)
        .unwrap()
        .contains("<div region=\"r1\">"));
}

/// Availability and names: a segment not yet available is refused like the video's, an
/// unknown language or a malformed name is not found, the last segment of a `stop_` session
/// carries `lmsg`, and `$Time$` names only a segment's exact start.
#[test]
fn requests_follow_the_session() {
    let opts = "timesubsstpp_en";
    let n = 850_000_000u64; // ends at NOW + 2 s
    assert!(matches!(
        answer(opts, &format!("timestpp-en/{n}.m4s"), NOW),
        Response::Refused { .. }
    ));
    for bad in [
        "timestpp-sv/5.m4s",
        "timestpp-en/x.m4s",
        "timewvtt-en/init.mp4",
    ] {
        assert!(
            matches!(answer(opts, bad, NOW), Response::Refused { .. }),
            "{bad}"
        );
    }
    let stop = "start_1699999000/stop_1699999100/timesubswvtt_en";
    // Numbers count from 0 at the session's start: 50 segments, the last 49.
    let last = 49u64;
    let f = fragment(&bytes(stop, &format!("timewvtt-en/{last}.m4s"), NOW));
    assert!(f.brands.windows(4).any(|w| w == b"lmsg"));
    let f = fragment(&bytes(stop, &format!("timewvtt-en/{}.m4s", last - 1), NOW));
    assert!(!f.brands.windows(4).any(|w| w == b"lmsg"));
    let tl = "segtimeline_1/timesubsstpp_en";
    let t = 849_999_998u64 * 2000;
    assert!(matches!(
        answer(tl, &format!("timestpp-en/{t}.m4s"), NOW),
        Response::Segment {
            number: 849_999_998,
            ..
        }
    ));
    assert!(matches!(
        answer(tl, &format!("timestpp-en/{}.m4s", t + 1), NOW),
        Response::Refused { .. }
    ));
}

/// Every subtitle segment a SegmentTimeline MPD lists (any mode, with or without Periods, any
/// instant): the server answers it, its tfdt is the listed time, its samples tile the listed
/// duration, and each cue shows the wall clock of its media time (AST + Period start + media
/// time − presentationTimeOffset), in UTC, with the segment number.
fn check_listed(opts: &str, now_ms: i64) -> Result<(), TestCaseError> {
    let m = mpd(opts, now_ms);
    let ast_ms = m.availability_start_time.unwrap().unix_millis();
    let mut listed = 0;
    for p in &m.periods {
        let p_start_ms = (p.start.as_ref().unwrap().to_nanos().unwrap() / 1_000_000) as i64;
        for a in p
            .adaptation_sets
            .iter()
            .filter(|a| a.content_type.as_deref() == Some("text"))
        {
            let rep = a.representations[0].id.clone().unwrap();
            let tpl = a.segment_template.as_deref().unwrap();
            prop_assert_eq!(tpl.timescale, Some(1000));
            let pto = tpl.presentation_time_offset.unwrap_or(0) as i64;
            let media = tpl.media.clone().unwrap();
            let mut t = 0u64;
            let mut number = tpl.start_number.unwrap_or(1);
            for s in &tpl.segment_timeline.as_ref().unwrap().s {
                t = s.t.unwrap_or(t);
                for _ in 0..=s.r.unwrap_or(0) {
                    let d = s.d.unwrap();
                    let file = media
                        .replace("$RepresentationID$", &rep)
                        .replace("$Time$", &t.to_string())
                        .replace("$Number$", &number.to_string());
                    let f = fragment(&bytes(opts, &file, now_ms));
                    prop_assert_eq!(f.tfdt, t);
                    let nr = u64::from(f.sequence);
                    let mut at = t;
                    let mut cues = 0;
                    for (dur, data) in &f.samples {
                        let wall_ms = ast_ms + p_start_ms + (at as i64 - pto);
                        if rep.starts_with("timewvtt") {
                            if let Some((text, _)) = vtt_sample(data) {
                                prop_assert_eq!(wall_ms % 1000, 0);
                                prop_assert_eq!(
                                    text,
                                    format!("{}\nen # {nr}", utc_text(wall_ms / 1000).unwrap())
                                );
                                cues += 1;
                            }
                        } else {
                            for (b, e, text) in ttml_cues(std::str::from_utf8(data).unwrap()) {
                                let (b, e) = (ttml_ms(&b), ttml_ms(&e));
                                prop_assert!(t <= b && b < e && e <= t + d);
                                let wall_ms = ast_ms + p_start_ms + (b as i64 - pto);
                                prop_assert_eq!(
                                    text,
                                    format!("{}<br/>en # {nr}", utc_text(wall_ms / 1000).unwrap())
                                );
                                cues += 1;
                            }
                        }
                        at += dur;
                    }
                    prop_assert_eq!(at, t + d, "samples tile the segment");
                    prop_assert_eq!(cues, d / 1000);
                    listed += 1;
                    t += d;
                    number += 1;
                }
            }
        }
    }
    prop_assert!(listed > 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn listed_segments_show_the_wall_clock(now_s in 1_000_000_000i64..2_000_000_000, ms in 0i64..1000,
                                           mode in 0usize..3, periods in any::<bool>(),
                                           offset in proptest::option::of(0i64..1_000_000)) {
        let mut opts = String::from(["segtimeline_1", "segtimelinenr_1", "segtimeline_1/start_1000000000"][mode]);
        opts.push_str("/tsbd_20");
        if periods { opts.push_str("/periods_60"); }
        if let Some(o) = offset { opts.push_str(&format!("/timeoffset_{o}")); if mode != 2 { opts.push_str("/start_1000000000"); } }
        for kind in ["timesubsstpp_en", "timesubswvtt_en"] {
            check_listed(&format!("{opts}/{kind}"), now_s * 1000 + ms)?;
        }
    }
}

/// `live-shift` writes the generated subtitle files too, under the names the MPD gives them,
/// with the bytes the server answers.
#[test]
fn live_shift_writes_the_subtitle_files() {
    let a = asset();
    let dir = support::livesim_dir();
    let files: std::collections::HashMap<String, Vec<u8>> = ["0", "1"]
        .iter()
        .flat_map(|r| {
            ["init.mp4", "1.m4s", "2.m4s", "3.m4s", "4.m4s", "5.m4s"].map(|f| format!("{r}/{f}"))
        })
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect();
    for (opts, names) in [
        ("timesubswvtt_en", ["849999990.m4s", "849999991.m4s"]),
        (
            "segtimeline_1/timesubswvtt_en",
            ["1699999980000.m4s", "1699999982000.m4s"],
        ),
    ] {
        let o = LiveOptions::parse(opts).unwrap();
        let out = dashkit::live::shift::live_files(
            &a,
            &o,
            "manifest.mpd",
            NOW,
            Some(849_999_990..=849_999_991),
            |u| files.get(u).map(Vec::as_slice),
        )
        .unwrap();
        let mut want = vec!["timewvtt-en/init.mp4".to_string()];
        want.extend(names.iter().map(|n| format!("timewvtt-en/{n}")));
        let got: Vec<&str> = out
            .files
            .iter()
            .filter(|f| f.path.starts_with("timewvtt-en/"))
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(got, want, "{opts}");
        for f in out
            .files
            .iter()
            .filter(|f| f.path.starts_with("timewvtt-en/"))
        {
            let bytes: Vec<u8> = f.parts.iter().flat_map(|p| p.as_bytes().to_vec()).collect();
            assert_eq!(bytes, self::bytes(opts, &f.path, NOW), "{opts} {}", f.path);
        }
    }
}
