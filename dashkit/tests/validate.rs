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

// ---------------------------------------------------------------------------------------
// Mutation suite: one small break per finding code. Each test starts from a clean packager
// fixture and asserts which codes the break adds, so a check that stops firing (or starts
// firing elsewhere) fails here.

/// Distinct (code, severity) pairs of `mutated` that `clean` does not have, in order.
fn added(clean: &Report, mutated: &Report) -> Vec<(&'static str, Severity)> {
    let mut out: Vec<(&'static str, Severity)> = Vec::new();
    for f in &mutated.findings {
        let pair = (f.code, f.severity);
        let in_clean = clean
            .findings
            .iter()
            .any(|c| c.code == f.code && c.severity == f.severity);
        if !in_clean && !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

/// Rewrites one file of a mutated fixture copy through `f`.
fn mutate_file(root: &Path, rel: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let p = root.join(rel);
    let mut bytes = std::fs::read(&p).unwrap();
    f(&mut bytes);
    std::fs::write(&p, bytes).unwrap();
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn set_be32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// Start of the first box of `kind` (found with dashkit's index, not a fixed offset).
fn box_start(bytes: &[u8], kind: &[u8; 4]) -> usize {
    let idx = dashkit::bmff::Index::parse(bytes).unwrap();
    let i = idx.all(kind).next().unwrap();
    let b = &idx.boxes()[i];
    assert_eq!(b.header_len, 8, "plain 8-byte header");
    b.start
}

/// Applies `edit_mpd` pairs to a fresh copy of `dir` and validates it.
fn mutated_mpd(dir: &str, tag: &str, edits: &[(&str, &str)]) -> Report {
    let root = copy_fixture(dir, tag);
    for (from, to) in edits {
        edit_mpd(&root, from, to);
    }
    run_dir(&root)
}

#[test]
fn mutation_no_presentation_duration_is_mpd_static_duration() {
    let r = mutated_mpd(
        "shaka_live",
        "mpd-dur",
        &[(r#" mediaPresentationDuration="PT10S""#, "")],
    );
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_STATIC_DURATION, Severity::Error)],
        "{}",
        show(&r)
    );
}

#[test]
fn mutation_dynamic_without_ast_is_mpd_dynamic_ast() {
    let r = mutated_mpd(
        "shaka_live",
        "ast",
        &[(
            r#"type="static""#,
            r#"type="dynamic" minimumUpdatePeriod="PT2S""#,
        )],
    );
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_DYNAMIC_AST, Severity::Error)],
        "{}",
        show(&r)
    );
}

#[test]
fn mutation_dynamic_without_mup_or_end_is_mpd_dynamic_mup() {
    let r = mutated_mpd(
        "shaka_live",
        "mup",
        &[
            (
                r#"type="static""#,
                r#"type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z""#,
            ),
            (r#" mediaPresentationDuration="PT10S""#, ""),
        ],
    );
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_DYNAMIC_MUP, Severity::Warning)],
        "{}",
        show(&r)
    );
}

#[test]
fn mutation_no_min_buffer_time_is_mpd_min_buffer_time() {
    let r = mutated_mpd("shaka_live", "mbt", &[(r#" minBufferTime="PT2S""#, "")]);
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_MIN_BUFFER_TIME, Severity::Error)],
        "{}",
        show(&r)
    );
}

#[test]
fn mutation_unlistable_template_is_mpd_addressing() {
    // A SegmentTemplate with neither @duration nor a SegmentTimeline cannot list segments.
    let r = mutated_mpd(
        "ffmpeg_number",
        "addressing",
        &[(r#" duration="2000000""#, "")],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_ADDRESSING], "{}", show(&r));
    assert_eq!(r.findings.len(), 1, "listing stops the run: {}", show(&r));
}

#[test]
fn mutation_short_max_segment_duration_is_mpd_max_segment_duration() {
    let r = mutated_mpd(
        "shaka_live",
        "maxseg",
        &[(
            r#"minBufferTime="PT2S""#,
            r#"minBufferTime="PT2S" maxSegmentDuration="PT1.9S""#,
        )],
    );
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_MAX_SEGMENT_DURATION, Severity::Warning)],
        "{}",
        show(&r)
    );
    // 5 video segments in each of 2 Representations and 5 audio ones (the shortest 1.95 s).
    let n = r
        .findings
        .iter()
        .filter(|f| f.code == codes::MPD_MAX_SEGMENT_DURATION)
        .count();
    assert_eq!(n, 15, "{}", show(&r));
}

#[test]
fn mutation_wrong_width_is_mpd_dimensions() {
    let r = mutated_mpd(
        "shaka_live",
        "dims",
        &[(r#"width="256" height="144""#, r#"width="320" height="144""#)],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_DIMENSIONS], "{}", show(&r));
    assert_eq!(e[0].expected.as_deref(), Some("256x144"));
    assert_eq!(e[0].found.as_deref(), Some("320x144"));
    assert_eq!(e[0].representation.as_deref(), Some("0"));
}

#[test]
fn mutation_wrong_sampling_rate_is_mpd_sampling_rate() {
    let r = mutated_mpd(
        "shaka_live",
        "rate",
        &[(
            r#"audioSamplingRate="48000""#,
            r#"audioSamplingRate="44100""#,
        )],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_SAMPLING_RATE], "{}", show(&r));
    assert_eq!(e[0].expected.as_deref(), Some("48000"));
}

#[test]
fn mutation_wrong_frame_rate_is_mpd_frame_rate() {
    let r = mutated_mpd(
        "shaka_live",
        "fps",
        &[(r#"frameRate="12800/512""#, r#"frameRate="30""#)],
    );
    let e = errors(&r);
    // Both Representations inherit the AdaptationSet's @frameRate.
    assert_eq!(codes_of(&e), [codes::MPD_FRAME_RATE], "{}", show(&r));
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].expected.as_deref(), Some("12800/512"));
    assert_eq!(e[0].found.as_deref(), Some("30/1"));
}

#[test]
fn mutation_time_template_timescale_is_mpd_timescale() {
    // The video timeline restated at timescale 25600 (every value doubled) and the files
    // renamed to match: segments are found and timed right, but $Time$ no longer names
    // media time.
    let root = copy_fixture("ffmpeg_timeline", "timescale");
    edit_mpd(
        &root,
        r#"<SegmentTemplate timescale="12800""#,
        r#"<SegmentTemplate timescale="25600""#,
    );
    edit_mpd(
        &root,
        r#"<S t="0" d="25874" />"#,
        r#"<S t="0" d="51748" />"#,
    );
    edit_mpd(
        &root,
        r#"<S d="25600" r="3" />"#,
        r#"<S d="51200" r="3" />"#,
    );
    for t in [25874u64, 51474, 77074, 102674] {
        std::fs::rename(
            root.join(format!("chunk-0-{t}.m4s")),
            root.join(format!("chunk-0-{}.m4s", 2 * t)),
        )
        .unwrap();
    }
    let r = run_dir(&root);
    assert_eq!(
        added(&run("ffmpeg_timeline"), &r),
        [(codes::MPD_TIMESCALE, Severity::Warning)],
        "{}",
        show(&r)
    );
}

#[test]
fn mutation_misaligned_representation_is_mpd_segment_alignment() {
    // ffmpeg's video Representation (first segment 25874 ticks) moved into Shaka's video
    // AdaptationSet (segments of 25600), which claims segmentAlignment: each
    // Representation is consistent on its own, their segment starts are not.
    let root = copy_fixture("shaka_live", "align");
    copy_dir(&fixtures().join("ffmpeg_timeline"), &root.join("ff"));
    edit_mpd(
        &root,
        "    </AdaptationSet>\n    <AdaptationSet id=\"1\"",
        r#"      <Representation id="ff" bandwidth="154600" codecs="avc1.4d400c" mimeType="video/mp4" width="320" height="180">
        <SegmentTemplate timescale="12800" initialization="ff/init-0.m4s" media="ff/chunk-0-$Time$.m4s">
          <SegmentTimeline><S t="0" d="25874"/><S d="25600" r="3"/></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
    <AdaptationSet id="1""#,
    );
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_SEGMENT_ALIGNMENT], "{}", show(&r));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].representation.as_deref(), Some("ff"));
    assert_eq!(e[0].found.as_deref(), Some("t=25874 (timescale 12800)"));
}

#[test]
fn mutation_deleted_init_is_init_missing() {
    let root = copy_fixture("shaka_live", "noinit");
    std::fs::remove_file(root.join("audio/init.mp4")).unwrap();
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::INIT_MISSING], "{}", show(&r));
    assert_eq!(e[0].location, "audio/init.mp4");
}

#[test]
fn mutation_truncated_init_is_init_parse() {
    let root = copy_fixture("shaka_live", "badinit");
    mutate_file(&root, "audio/init.mp4", |b| b.truncate(b.len() / 2));
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::INIT_PARSE], "{}", show(&r));
    assert_eq!(e[0].representation.as_deref(), Some("2"));
}

#[test]
fn mutation_oversized_moof_is_seg_parse() {
    let root = copy_fixture("shaka_live", "segparse");
    mutate_file(&root, "video_144p/3.m4s", |b| {
        let at = box_start(b, b"moof");
        set_be32(b, at, 0x00ff_ffff); // runs past the end of the segment
    });
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_PARSE], "{}", show(&r));
    assert_eq!(e[0].location, "video_144p/3.m4s");
}

/// Sets the tfdt of one segment of a fixture copy (through dashkit's patcher).
fn set_tfdt(root: &Path, rel: &str, tfdt: u64) {
    mutate_file(root, rel, |b| {
        let edits = dashkit::bmff::patch::Edits {
            tfdt: vec![dashkit::bmff::patch::TfdtEdit {
                track_id: None,
                target: dashkit::bmff::patch::TfdtTarget::Set(tfdt),
            }],
            ..Default::default()
        };
        *b = dashkit::bmff::patch::rewrite_segment(b, &edits)
            .unwrap()
            .to_vec();
    });
}

#[test]
fn mutation_late_last_segment_is_seg_gap() {
    // Last video segment (t=102400) one frame (512 ticks) late: within the SEG-TFDT
    // tolerance (a warning), but a one-frame hole in the media is an error.
    let root = copy_fixture("shaka_live", "gap");
    set_tfdt(&root, "video_144p/5.m4s", 102_400 + 512);
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_GAP], "{}", show(&r));
    assert!(
        e[0].message.contains("gap of 512 ticks (40.00 ms)"),
        "{}",
        e[0].message
    );
}

#[test]
fn mutation_early_last_segment_is_seg_overlap() {
    let root = copy_fixture("shaka_live", "overlap");
    set_tfdt(&root, "video_144p/5.m4s", 102_400 - 512);
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_OVERLAP], "{}", show(&r));
    assert!(
        e[0].message.contains("overlap of 512 ticks (40.00 ms)"),
        "{}",
        e[0].message
    );
}

#[test]
fn mutation_short_last_timeline_entry_is_seg_duration() {
    // The MPD says the last audio segment lasts 80000 ticks; its media lasts 93600.
    let r = mutated_mpd(
        "shaka_live",
        "lastdur",
        &[(
            r#"<S t="384000" d="93600"/>"#,
            r#"<S t="384000" d="80000"/>"#,
        )],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_DURATION], "{}", show(&r));
    assert!(e[0].message.contains("13600 ticks"), "{}", e[0].message);
}

#[test]
fn mutation_repeated_sequence_number_is_seg_sequence() {
    let root = copy_fixture("shaka_live", "seq");
    mutate_file(&root, "video_144p/3.m4s", |b| {
        let edits = dashkit::bmff::patch::Edits {
            sequence_number: Some(1),
            ..Default::default()
        };
        *b = dashkit::bmff::patch::rewrite_segment(b, &edits)
            .unwrap()
            .to_vec();
    });
    let r = run_dir(&root);
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::SEG_SEQUENCE, Severity::Warning)],
        "{}",
        show(&r)
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == codes::SEG_SEQUENCE)
        .unwrap();
    assert_eq!(f.expected.as_deref(), Some("> 2"));
    assert_eq!(f.found.as_deref(), Some("1"));
}

/// Moves the first trun's data_offset of a fixture copy's segment by `delta` bytes.
fn shift_data_offset(root: &Path, rel: &str, delta: i32) {
    mutate_file(root, rel, |b| {
        let trun = box_start(b, b"trun");
        assert_eq!(be32(b, trun + 8) & 1, 1, "data_offset present");
        let old = be32(b, trun + 16);
        set_be32(b, trun + 16, old.wrapping_add_signed(delta));
    });
}

#[test]
fn mutation_trun_data_offset_into_moof_is_seg_data_offset() {
    // 400 bytes earlier: the samples now start inside the moof, still within the file.
    let root = copy_fixture("shaka_live", "dataoff");
    shift_data_offset(&root, "video_144p/2.m4s", -400);
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_DATA_OFFSET], "{}", show(&r));
    assert_eq!(e.len(), 1, "one finding per segment");
    assert_eq!(e[0].location, "video_144p/2.m4s moof[0]/traf/trun");
    // moof at 84, data_offset 500 - 400: the first sample now starts at byte 184.
    assert!(
        e[0].found.as_deref().unwrap().starts_with("184.."),
        "{}",
        show(&r)
    );
}

#[test]
fn trun_data_offset_past_the_segment_end_is_seg_parse() {
    // Sample bytes past the end of the segment cannot be read at all: a parse error.
    let root = copy_fixture("shaka_live", "dataoff-end");
    shift_data_offset(&root, "video_144p/2.m4s", 4096);
    let r = run_dir(&root);
    assert_eq!(codes_of(&errors(&r)), [codes::SEG_PARSE], "{}", show(&r));
}

#[test]
fn mutation_sidx_duration_is_sidx_mismatch() {
    let root = copy_fixture("shaka_live", "sidx");
    mutate_file(&root, "video_144p/2.m4s", |b| {
        let sidx = box_start(b, b"sidx");
        assert_eq!(b[sidx + 8], 0, "sidx version 0");
        // v0: header 8, version/flags 4, reference_ID 4, timescale 4, EPT 4, first_offset 4,
        // reserved 2, reference_count 2; then per reference: size 4, duration 4, SAP 4.
        let at = sidx + 36;
        assert_eq!(be32(b, at), 25600);
        set_be32(b, at, 25000);
    });
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SIDX_MISMATCH], "{}", show(&r));
    assert_eq!(e[0].found.as_deref(), Some("subsegment_duration 25000"));
}

#[test]
fn mutation_audio_template_duration_is_av_drift() {
    // ffmpeg_number's audio @duration raised from 2 s to 2.012 s (and @maxSegmentDuration to
    // match): the MPD places the last audio segment at 8.048 s while its media starts at
    // tfdt 384000/48000 = 8.000 s (48 ms early; each segment is a SEG-TFDT warning, under
    // the 50 ms tolerance). Video goes from 0 to 274/12800 s = 21.4 ms late over the same
    // span: audio drifts -48 - 21.4 = -69.4 ms against video.
    let root = copy_fixture("ffmpeg_number", "drift");
    let p = root.join("manifest.mpd");
    let text = std::fs::read_to_string(&p).unwrap();
    let audio = text.find(r#"contentType="audio""#).unwrap();
    let (head, tail) = text.split_at(audio);
    let tail = tail.replacen(r#"duration="2000000""#, r#"duration="2012000""#, 1);
    let head = head.replacen(
        r#"maxSegmentDuration="PT2.0S""#,
        r#"maxSegmentDuration="PT2.1S""#,
        1,
    );
    std::fs::write(&p, format!("{head}{tail}")).unwrap();
    let r = run_dir(&root);
    assert_eq!(
        added(&run("ffmpeg_number"), &r),
        [(codes::AV_DRIFT, Severity::Warning)],
        "{}",
        show(&r)
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == codes::AV_DRIFT)
        .unwrap();
    assert_eq!(f.found.as_deref(), Some("-69 ms"), "{}", show(&r));
}

#[test]
fn mutation_avc3_declared_for_avc1_is_mpd_codecs_equivalent() {
    let r = mutated_mpd(
        "shaka_live",
        "avc3",
        &[(r#"codecs="avc1.4d400c""#, r#"codecs="avc3.4d400c""#)],
    );
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_CODECS_EQUIVALENT, Severity::Warning)],
        "{}",
        show(&r)
    );
    let f = &r.findings[0];
    assert_eq!(f.expected.as_deref(), Some("avc1.4d400c"));
    assert_eq!(f.found.as_deref(), Some("avc3.4d400c"));
}

#[test]
fn mutation_avc3_sample_entry_under_avc1_codecs_is_mpd_codecs_equivalent() {
    // The init's sample entry renamed avc1 -> avc3 (same avcC): the MPD still says avc1.
    let root = copy_fixture("shaka_live", "avc3-entry");
    mutate_file(&root, "video_144p/init.mp4", |b| {
        let at = box_start(b, b"avc1");
        b[at + 4..at + 8].copy_from_slice(b"avc3");
    });
    let r = run_dir(&root);
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_CODECS_EQUIVALENT, Severity::Warning)],
        "{}",
        show(&r)
    );
    assert_eq!(r.findings[0].expected.as_deref(), Some("avc3.4d400c"));
}

/// Sets sbrPresentFlag in the audio init's AudioSpecificConfig `11 90 56 E5 00` (AAC LC,
/// then sync extension 0x2B7 with extension AOT 5 in `56 E5`, sbrPresentFlag the next bit).
fn set_sbr_present(root: &Path, rel: &str) {
    mutate_file(root, rel, |b| {
        let esds = box_start(b, b"esds");
        let size = be32(b, esds) as usize;
        let asc = b[esds..esds + size]
            .windows(5)
            .position(|w| w == [0x11, 0x90, 0x56, 0xE5, 0x00])
            .expect("the corpus ASC");
        b[esds + asc + 4] |= 0x80;
    });
}

#[test]
fn mutation_sbr_present_under_lc_codecs_is_mpd_codecs_equivalent() {
    let root = copy_fixture("shaka_live", "sbr");
    set_sbr_present(&root, "audio/init.mp4");
    let r = run_dir(&root);
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_CODECS_EQUIVALENT, Severity::Warning)],
        "{}",
        show(&r)
    );
    assert_eq!(r.findings[0].expected.as_deref(), Some("mp4a.40.5"));
    assert_eq!(r.findings[0].found.as_deref(), Some("mp4a.40.2"));
}

#[test]
fn he_aac_declared_where_the_asc_says_no_sbr_is_mpd_codecs() {
    // The corpus ASC states sbrPresentFlag 0 explicitly: calling it HE-AAC is wrong.
    let r = mutated_mpd(
        "shaka_live",
        "he-aac",
        &[(r#"codecs="mp4a.40.2""#, r#"codecs="mp4a.40.5""#)],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_CODECS], "{}", show(&r));
    assert_eq!(e[0].found.as_deref(), Some("mp4a.40.5"));
}

const LIVE: &str = "urn:mpeg:dash:profile:isoff-live:2011";
const ON_DEMAND: &str = "urn:mpeg:dash:profile:isoff-on-demand:2011";
const LOW_LATENCY: &str = "http://www.dashif.org/guidelines/low-latency-live-v5";
const CMAF: &str = "urn:mpeg:dash:profile:cmaf:2019";

fn profiles(p: &str) -> String {
    format!(r#"profiles="{p}""#)
}

#[test]
fn mutation_on_demand_mpd_claiming_live_is_mpd_profile_live() {
    let r = mutated_mpd(
        "shaka_ondemand",
        "claims-live",
        &[(&profiles(ON_DEMAND), &profiles(LIVE))],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_PROFILE_LIVE], "{}", show(&r));
    assert_eq!(e.len(), 3, "each SegmentBase Representation: {}", show(&r));
    assert_eq!(e[0].found.as_deref(), Some("SegmentBase"));
}

#[test]
fn mutation_live_mpd_claiming_on_demand_is_mpd_profile_on_demand() {
    let r = mutated_mpd(
        "shaka_live",
        "claims-ondemand",
        &[(&profiles(LIVE), &profiles(ON_DEMAND))],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_PROFILE_ON_DEMAND], "{}", show(&r));
    assert_eq!(e.len(), 3, "{}", show(&r));
    assert_eq!(e[0].found.as_deref(), Some("SegmentTemplate"));
}

#[test]
fn mutation_static_mpd_claiming_low_latency_is_mpd_profile_low_latency() {
    let r = mutated_mpd(
        "shaka_live",
        "claims-ll",
        &[(&profiles(LIVE), &profiles(&format!("{LIVE},{LOW_LATENCY}")))],
    );
    assert_eq!(
        added(&run("shaka_live"), &r),
        [
            (codes::MPD_PROFILE_LOW_LATENCY, Severity::Error),
            (codes::MPD_PROFILE_LOW_LATENCY, Severity::Warning)
        ],
        "{}",
        show(&r)
    );
    let at: Vec<&str> = r.findings.iter().map(|f| f.location.as_str()).collect();
    assert_eq!(
        at,
        [
            "MPD/@type",
            "MPD/UTCTiming",
            "MPD/ServiceDescription/Latency/@target",
            "MPD/Period[0]/AdaptationSet[0]/ProducerReferenceTime",
            "MPD/Period[0]/AdaptationSet[1]/ProducerReferenceTime",
        ],
        "{}",
        show(&r)
    );
}

#[test]
fn low_latency_mpd_with_its_elements_has_no_profile_finding() {
    // dashlivesim's chunked low-latency output (docs/live-timing.md#low-latency-signalling).
    let prt = r#"<ProducerReferenceTime id="0" type="encoder" wallClockTime="1970-01-01T00:00:00Z" presentationTime="0"/>
      <Representation id="0""#;
    let r = mutated_mpd(
        "shaka_live",
        "ll-ok",
        &[
            (&profiles(LIVE), &profiles(&format!("{LIVE},{LOW_LATENCY}"))),
            (
                r#"type="static""#,
                r#"type="dynamic" availabilityStartTime="1970-01-01T00:00:00Z" minimumUpdatePeriod="PT2S""#,
            ),
            (
                "  <Period id=\"0\">",
                r#"  <ServiceDescription id="0"><Latency min="2000" max="6000" target="4000" referenceId="0"/></ServiceDescription>
  <Period id="0">"#,
            ),
            ("<Representation id=\"0\"", prt),
            (
                r#"<Representation id="2""#,
                r#"<ProducerReferenceTime id="0" type="encoder" wallClockTime="1970-01-01T00:00:00Z" presentationTime="0"/>
      <Representation id="2""#,
            ),
            (
                "</Period>",
                r#"</Period>
  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="https://time.akamai.com/?iso"/>"#,
            ),
        ],
    );
    assert!(!r.has(codes::MPD_PROFILE_LOW_LATENCY), "{}", show(&r));
}

#[test]
fn mutation_ffmpeg_output_claiming_cmaf_is_mpd_profile_cmaf() {
    // ffmpeg's init brands are iso5,iso6,mp41 and its styp msdh,msix: not CMAF.
    let r = mutated_mpd(
        "ffmpeg_timeline",
        "claims-cmaf",
        &[(&profiles(LIVE), &profiles(&format!("{LIVE},{CMAF}")))],
    );
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_PROFILE_CMAF], "{}", show(&r));
    let found: Vec<(&str, Option<&str>)> = e
        .iter()
        .map(|f| (f.location.as_str(), f.found.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            ("init-0.m4s ftyp", Some("iso5,iso6,mp41")),
            ("chunk-0-0.m4s styp", Some("msdh,msix")),
            ("init-1.m4s ftyp", Some("iso5,iso6,mp41")),
            ("chunk-1-0.m4s styp", Some("msdh,msix")),
        ]
    );
}

#[test]
fn mutation_cmaf_brand_removed_from_shaka_init_is_mpd_profile_cmaf() {
    // Shaka's output is CMAF (init cmfc, segments cmfs): the claim alone is clean.
    let claim = [(profiles(LIVE), profiles(&format!("{LIVE},{CMAF}")))];
    let claim: Vec<(&str, &str)> = claim
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let clean = mutated_mpd("shaka_live", "cmaf-ok", &claim);
    assert!(clean.findings.is_empty(), "{}", show(&clean));
    let root = copy_fixture("shaka_live", "cmaf-brand");
    edit_mpd(&root, claim[0].0, claim[0].1);
    mutate_file(&root, "audio/init.mp4", |b| {
        let ftyp = box_start(b, b"ftyp");
        let size = be32(b, ftyp) as usize;
        let at = b[ftyp..ftyp + size]
            .windows(4)
            .position(|w| w == b"cmfc")
            .unwrap();
        b[ftyp + at..ftyp + at + 4].copy_from_slice(b"iso9");
    });
    let r = run_dir(&root);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::MPD_PROFILE_CMAF], "{}", show(&r));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].location, "audio/init.mp4 ftyp");
}

#[test]
fn mutation_high_bandwidth_is_mpd_bandwidth_info() {
    let r = mutated_mpd(
        "shaka_live",
        "bw-high",
        &[(r#"bandwidth="111324""#, r#"bandwidth="1113240""#)],
    );
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_BANDWIDTH, Severity::Info)],
        "{}",
        show(&r)
    );
}

#[test]
fn mutation_no_codecs_is_mpd_codecs_warning() {
    let r = mutated_mpd("shaka_live", "no-codecs", &[(r#" codecs="mp4a.40.2""#, "")]);
    assert_eq!(
        added(&run("shaka_live"), &r),
        [(codes::MPD_CODECS, Severity::Warning)],
        "{}",
        show(&r)
    );
    assert_eq!(r.findings[0].expected.as_deref(), Some("mp4a.40.2"));
}

#[test]
fn mutation_single_file_fragment_without_sync_start_is_seg_sap() {
    // validate_fragmented_file requires a sync sample at every video fragment start.
    let path = fixtures().join("shaka_ondemand/video_144p.mp4");
    let mut bytes = std::fs::read(path).unwrap();
    let idx = dashkit::bmff::Index::parse(&bytes).unwrap();
    let trun = &idx.boxes()[idx.all(b"trun").nth(1).unwrap()];
    let flags = be32(&bytes, trun.start + 8);
    assert_eq!(flags & 0x5, 0x1, "data_offset, no first_sample_flags");
    // sample_count, data_offset, then per sample [duration?, size?, flags, cto?] as the
    // trun flags say (ISO/IEC 14496-12 §8.8.8); Shaka writes per-sample flags (0x400).
    assert!(flags & 0x400 != 0);
    let before_flags = [0x100u32, 0x200]
        .iter()
        .filter(|&&f| flags & f != 0)
        .count();
    let at = trun.start + 20 + 4 * before_flags;
    assert_eq!(
        be32(&bytes, at) & 0x0001_0000,
        0,
        "sync before the mutation"
    );
    let old = be32(&bytes, at);
    set_be32(&mut bytes, at, old | 0x0001_0000);
    let r = dashkit::validate::validate_fragmented_file(&bytes);
    let e = errors(&r);
    assert_eq!(codes_of(&e), [codes::SEG_SAP], "{}", show(&r));
    assert_eq!(e[0].location, "moof[1]/traf/trun sample 1");
}
