//! `validate` on packager-made fixtures (clean except real packager defects, asserted exactly)
//! and a mutation suite: each small break of a clean fixture fires exactly its finding code.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};

use dashkit::mpd::segments::ByteRange;
use dashkit::validate::{codes, validate, Finding, Report, Severity};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash")
}

fn read(root: &Path, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
    let bytes = std::fs::read(root.join(url)).ok()?;
    match range {
        None => Some(bytes),
        Some(r) => bytes
            .get(r.first() as usize..r.last() as usize + 1)
            .map(<[u8]>::to_vec),
    }
}

fn run_dir(root: &Path) -> Report {
    let text = std::fs::read_to_string(root.join("manifest.mpd")).unwrap();
    let mut source = |url: &str, range: Option<ByteRange>| read(root, url, range);
    validate(&text, &mut source).unwrap()
}

fn run(dir: &str) -> Report {
    run_dir(&fixtures().join(dir))
}

fn show(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {} [{}] {}\n",
                f.code,
                f.severity,
                f.location,
                f.representation.as_deref().unwrap_or(""),
                f.message
            )
        })
        .collect()
}

fn errors(r: &Report) -> Vec<&Finding> {
    r.at_least(Severity::Error).collect()
}

fn codes_of(fs: &[&Finding]) -> Vec<&'static str> {
    let mut c: Vec<_> = fs.iter().map(|f| f.code).collect();
    c.dedup();
    c
}

/// A fresh copy of a fixture directory in the temp dir, for mutation.
fn copy_fixture(dir: &str, tag: &str) -> PathBuf {
    let dst = std::env::temp_dir().join(format!(
        "dashkit-validate-{}-{dir}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(&fixtures().join(dir), &dst);
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

fn edit_mpd(root: &Path, from: &str, to: &str) {
    let p = root.join("manifest.mpd");
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from} not in {}", p.display());
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn packager_fixtures_have_no_errors() {
    for d in [
        "ffmpeg_number",
        "ffmpeg_livesim",
        "shaka_live",
        "shaka_ondemand",
    ] {
        let r = run(d);
        assert!(errors(&r).is_empty(), "{d}:\n{}", show(&r));
    }
}

#[test]
fn shaka_fixtures_are_entirely_clean() {
    // Shaka's audio MPD timeline and sidx are edit-list adjusted (S@t = tfdt - 1024): with
    // the edit applied they match the media exactly, so not even a warning.
    for d in ["shaka_live", "shaka_ondemand"] {
        let r = run(d);
        assert!(r.findings.is_empty(), "{d}:\n{}", show(&r));
    }
}

#[test]
fn ffmpeg_number_template_drift_is_warned_with_amounts() {
    // $Number$ with @duration=2 s: the video's first segment is 25874 ticks (2.0214 s) and
    // each audio segment 96256 ticks (2.0053 s), so the media runs ahead of the nominal
    // grid: constant 274 ticks for video, growing by 256 ticks a segment for audio.
    let r = run("ffmpeg_number");
    let audio: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == codes::SEG_TFDT && f.representation.as_deref() == Some("1"))
        .map(|f| f.found.clone().unwrap())
        .collect();
    assert_eq!(
        audio,
        [
            "EPT 96256 (tfdt 96256)",
            "EPT 192512 (tfdt 192512)",
            "EPT 288768 (tfdt 288768)"
        ]
    );
    assert!(r.findings.iter().all(|f| f.severity == Severity::Warning));
}

/// ffmpeg 5.1's SegmentTimeline output: the MPD timeline equals the tfdt values exactly, but
/// `@maxSegmentDuration="PT2.0S"` is the requested `-seg_duration`, not the real maximum:
/// the first video segment lasts 25874 ticks at 12800 (2021.40 ms, 274 ticks too long:
/// ffmpeg stretched the first frame from 512 to 786 ticks when `make_zero` moved the video
/// start by the AAC priming) and the first four audio segments 96256 ticks at 48000
/// (2005.33 ms, 256 ticks too long: 94 AAC frames). Players that size their fetch-ahead or
/// live edge by @maxSegmentDuration are told less than the truth.
#[test]
fn ffmpeg_timeline_understates_max_segment_duration() {
    let r = run("ffmpeg_timeline");
    let got: Vec<(&str, Option<&str>, Option<&str>)> = r
        .findings
        .iter()
        .map(|f| (f.code, f.representation.as_deref(), f.found.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (codes::MPD_MAX_SEGMENT_DURATION, Some("0"), Some("d=25874")),
            (codes::MPD_MAX_SEGMENT_DURATION, Some("1"), Some("d=96256")),
            (codes::MPD_MAX_SEGMENT_DURATION, Some("1"), Some("d=96256")),
            (codes::MPD_MAX_SEGMENT_DURATION, Some("1"), Some("d=96256")),
            (codes::MPD_MAX_SEGMENT_DURATION, Some("1"), Some("d=96256")),
        ],
        "{}",
        show(&r)
    );
    assert_eq!(r.findings[0].expected.as_deref(), Some("d <= 25600"));
    assert!(r.findings[0].message.contains("274 ticks (21.40 ms)"));
    assert!(r.findings[1].message.contains("256 ticks (5.33 ms)"));
}

#[test]
fn mutation_dropped_segment_is_seg_missing() {
    let root = copy_fixture("shaka_live", "drop");
    std::fs::remove_file(root.join("video_144p/3.m4s")).unwrap();
    let r = run_dir(&root);
    assert_eq!(codes_of(&errors(&r)), [codes::SEG_MISSING], "{}", show(&r));
    assert_eq!(r.findings[0].location, "video_144p/3.m4s");
}

#[test]
fn mutation_shifted_tfdt_is_seg_tfdt() {
    let root = copy_fixture("ffmpeg_timeline", "tfdt");
    let p = root.join("chunk-0-51474.m4s");
    let bytes = std::fs::read(&p).unwrap();
    let edits = dashkit::bmff::patch::Edits {
        tfdt: vec![dashkit::bmff::patch::TfdtEdit {
            track_id: None,
            target: dashkit::bmff::patch::TfdtTarget::Set(51474 + 2560), // +200 ms
        }],
        ..Default::default()
    };
    let out = dashkit::bmff::patch::rewrite_segment(&bytes, &edits)
        .unwrap()
        .to_vec();
    std::fs::write(&p, out).unwrap();
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_TFDT], "{}", show(&r));
    assert_eq!(e[0].expected.as_deref(), Some("EPT 51474"));
    assert_eq!(e[0].found.as_deref(), Some("EPT 54034 (tfdt 54034)"));
    assert!(e[0].message.contains("2560 ticks (200.00 ms) after"));
}

#[test]
fn mutation_cleared_sync_flag_is_seg_sap() {
    let root = copy_fixture("ffmpeg_timeline", "sap");
    let p = root.join("chunk-0-25874.m4s");
    let mut bytes = std::fs::read(&p).unwrap();
    let idx = dashkit::bmff::Index::parse(&bytes).unwrap();
    let trun = &idx.boxes()[idx.all(b"trun").next().unwrap()];
    let flags = u32::from_be_bytes(bytes[trun.start + 8..trun.start + 12].try_into().unwrap());
    assert_eq!(
        flags & 0x5,
        0x5,
        "data_offset and first_sample_flags present"
    );
    let at = trun.start + 20; // header, version/flags, sample_count, data_offset
    let old = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(
        old & 0x0001_0000,
        0,
        "first sample is sync before the mutation"
    );
    bytes[at..at + 4].copy_from_slice(&(old | 0x0001_0000).to_be_bytes());
    std::fs::write(&p, bytes).unwrap();
    let r = run_dir(&root);
    assert_eq!(codes_of(&errors(&r)), [codes::SEG_SAP], "{}", show(&r));
}

#[test]
fn mutation_wrong_codecs_is_mpd_codecs() {
    let root = copy_fixture("ffmpeg_timeline", "codecs");
    edit_mpd(&root, r#"codecs="avc1.4d400c""#, r#"codecs="avc1.64001f""#);
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_CODECS], "{}", show(&r));
    assert_eq!(e[0].expected.as_deref(), Some("avc1.4d400c"));
    assert_eq!(e[0].found.as_deref(), Some("avc1.64001f"));
}

#[test]
fn codecs_hex_case_is_not_a_finding() {
    let root = copy_fixture("ffmpeg_timeline", "codecs-case");
    edit_mpd(&root, r#"codecs="avc1.4d400c""#, r#"codecs="avc1.4D400C""#);
    assert!(!run_dir(&root).has(codes::MPD_CODECS));
}

#[test]
fn mutation_low_bandwidth_is_mpd_bandwidth() {
    let root = copy_fixture("shaka_live", "bandwidth");
    edit_mpd(&root, r#"bandwidth="111324""#, r#"bandwidth="20000""#);
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_BANDWIDTH], "{}", show(&r));
    assert_eq!(e[0].found.as_deref(), Some("20000"));
}

#[test]
fn mutation_timeline_hole_is_mpd_timeline_gap() {
    let root = copy_fixture("shaka_live", "hole");
    edit_mpd(
        &root,
        r#"<S t="288768" d="95232"/>"#,
        r#"<S t="288768" d="94208"/>"#,
    );
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_TIMELINE_GAP], "{}", show(&r));
    assert!(
        e[0].message.contains("hole of 1024 ticks (21.33 ms)"),
        "{}",
        e[0].message
    );
}

#[test]
fn single_fragmented_file_is_clean() {
    let media = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/dash/shaka_ondemand/video_144p.mp4");
    let r = dashkit::validate::validate_fragmented_file(&std::fs::read(media).unwrap());
    assert!(r.findings.is_empty(), "{}", show(&r));
}

/// The ffmpeg 5.1 defect that makes players fail (fixture made without
/// `-avoid_negative_ts make_zero`): the first segment is written as `chunk-0--1024.m4s`
/// (its decode time, the AAC priming) while the MPD says `S t="0"`, so the URL a player
/// builds, `chunk-0-0.m4s`, does not exist. Exactly one error: that segment is missing.
#[test]
fn ffmpeg_timeline_negative_ts_first_segment_is_a_404() {
    let root = fixtures().join("ffmpeg_timeline_negts");
    assert!(root.join("chunk-0--1024.m4s").exists());
    let r = run("ffmpeg_timeline_negts");
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_MISSING], "{}", show(&r));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].location, "chunk-0-0.m4s");
    assert_eq!(e[0].expected.as_deref(), Some("segment 1 at t=0"));
}
