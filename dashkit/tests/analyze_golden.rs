//! `analyze` against DASH-IF dashlivesim's vodanalyzer, byte for byte, and its rejection rules
//! on deliberately broken copies of a fixture. The references under `fixtures/golden/analyze/`
//! were made by vodanalyzer itself (`fixtures/golden/analyze/make.sh` says how).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use dashkit::analyze::{self, Error};
use dashkit::mpd::segments::ByteRange;
use dashkit::source::{slice, Source};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Files under a directory, with listing (vodanalyzer's way of finding segments).
struct Dir(PathBuf);

impl Source for Dir {
    fn read(&mut self, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
        let all = std::fs::read(self.0.join(url)).ok()?;
        Some(slice(&all, range).to_vec())
    }
    fn list(&mut self, dir: &str) -> Option<Vec<String>> {
        let names = std::fs::read_dir(self.0.join(dir)).ok()?;
        Some(
            names
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect(),
        )
    }
}

fn golden(asset: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fixtures/golden/analyze").join(asset);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".cfg") || n.ends_with(".dat"))
        .map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap()))
        .collect();
    files.sort();
    files
}

fn sorted(mut v: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    v.sort();
    v
}

/// Assets with vodanalyzer references (see fixtures/golden/analyze/make.sh).
const GOLDEN_ASSETS: &[&str] = &["ffmpeg_livesim"];

#[test]
fn byte_identical_to_vodanalyzer() {
    for asset in GOLDEN_ASSETS {
        let expect = golden(asset);
        assert_eq!(expect.len(), 3, "{asset}: a .cfg and two .dat");
        let dir = root().join("fixtures/dash").join(asset);
        // The packager's own MPD (Representation-level templates: vodanalyzer fails on it) ...
        let text = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
        let a = analyze::analyze(&text, asset, &mut Dir(dir.clone())).unwrap();
        assert_eq!(sorted(a.files()), expect, "{asset} from manifest.mpd");
        assert!(a.warnings.is_empty());
        // ... and the reshaped MPD vodanalyzer read give the same bytes.
        let shaped = std::fs::read_to_string(
            root()
                .join("fixtures/golden/analyze")
                .join(asset)
                .join("livesim.mpd"),
        )
        .unwrap();
        let b = analyze::analyze(&shaped, asset, &mut Dir(dir)).unwrap();
        assert_eq!(sorted(b.files()), expect, "{asset} from livesim.mpd");
    }
}

#[test]
fn reshaped_mpd_is_what_write_mpd_writes() {
    let dir = root().join("fixtures/dash/ffmpeg_livesim");
    let mpd =
        dashkit::mpd::parse(&std::fs::read_to_string(dir.join("manifest.mpd")).unwrap()).unwrap();
    let shaped = dashkit::mpd::write(&analyze::dashlivesim_mpd(&mpd).unwrap());
    let kept =
        std::fs::read_to_string(root().join("fixtures/golden/analyze/ffmpeg_livesim/livesim.mpd"))
            .unwrap();
    assert_eq!(shaped, kept);
}

/// A scratch copy of the dashlivesim-layout fixture to break.
fn scratch(name: &str) -> PathBuf {
    let src = root().join("fixtures/dash/ffmpeg_livesim");
    let dst = std::env::temp_dir().join(format!("dashkit-analyze-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    for rep in ["0", "1"] {
        std::fs::create_dir_all(dst.join(rep)).unwrap();
        for e in std::fs::read_dir(src.join(rep)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dst.join(rep).join(e.file_name())).unwrap();
        }
    }
    std::fs::copy(src.join("manifest.mpd"), dst.join("manifest.mpd")).unwrap();
    dst
}

fn run(dir: &Path) -> Result<analyze::Analysis, Error> {
    let text = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
    analyze::analyze(&text, "x", &mut Dir(dir.to_path_buf()))
}

#[test]
fn a_missing_segment_is_a_gap_with_its_numbers() {
    let d = scratch("gap");
    std::fs::remove_file(d.join("0/3.m4s")).unwrap();
    let e = run(&d).unwrap_err();
    assert_eq!(
        e,
        Error::SegmentGap {
            representation: "0".into(),
            after: 2,
            before: 4
        }
    );
    assert_eq!(
        e.to_string(),
        "Representation 0: segments missing between 2 and 4"
    );
}

#[test]
fn drift_names_the_segment_and_the_amounts() {
    let d = scratch("drift");
    // Shift video segment 3's tfdt by half a second (6400 ticks at 12.8 kHz).
    let path = d.join("0/3.m4s");
    let bytes = std::fs::read(&path).unwrap();
    let idx = dashkit::bmff::Index::parse(&bytes).unwrap();
    let at = &idx.boxes()[idx.find("moof/traf/tfdt").unwrap()];
    let tfdt = dashkit::bmff::Tfdt::parse(&bytes[at.range()], at.offset)
        .unwrap()
        .base_media_decode_time;
    let edits = dashkit::bmff::patch::Edits {
        tfdt: vec![dashkit::bmff::patch::TfdtEdit {
            track_id: None,
            target: dashkit::bmff::patch::TfdtTarget::Set(tfdt + 6400),
        }],
        ..Default::default()
    };
    let out = dashkit::bmff::patch::rewrite_segment(&bytes, &edits)
        .unwrap()
        .to_vec();
    std::fs::write(&path, out).unwrap();
    match run(&d).unwrap_err() {
        Error::Drift {
            representation,
            number,
            drift,
            max_drift,
            timescale,
            ..
        } => {
            assert_eq!(
                (representation.as_str(), number, timescale),
                ("0", 3, 12_800)
            );
            assert_eq!(max_drift, 1280);
            assert!(drift >= 6400 - 1280, "drift {drift}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn no_content_type_anywhere_is_an_error() {
    let d = scratch("ct");
    let text = std::fs::read_to_string(d.join("manifest.mpd")).unwrap();
    let text = text
        .replace("contentType=\"video\"", "")
        .replace("mimeType=\"video/mp4\"", "")
        .replace("codecs=\"avc1.4d400c\"", "");
    std::fs::write(d.join("manifest.mpd"), text).unwrap();
    assert_eq!(
        run(&d).unwrap_err(),
        Error::NoContentType {
            adaptation_set_index: 0
        }
    );
}

#[test]
fn content_type_is_inferred_from_mime_type() {
    let d = scratch("mime");
    let text = std::fs::read_to_string(d.join("manifest.mpd")).unwrap();
    std::fs::write(
        d.join("manifest.mpd"),
        text.replace(" contentType=\"audio\"", ""),
    )
    .unwrap();
    let a = run(&d).unwrap();
    assert_eq!(a.adaptation_sets[1].content_type, "audio");
}

#[test]
fn an_init_segment_with_two_tracks_is_refused() {
    let d = scratch("tracks");
    // A progressive file with video and audio stands in for the init segment.
    std::fs::copy(
        root().join("fixtures/media/h264_aac.mp4"),
        d.join("0/init.mp4"),
    )
    .unwrap();
    match run(&d).unwrap_err() {
        Error::TrackCount { url, count } => assert_eq!((url.as_str(), count), ("0/init.mp4", 2)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn segment_durations_must_agree_across_adaptation_sets() {
    let d = scratch("dur");
    let text = std::fs::read_to_string(d.join("manifest.mpd")).unwrap();
    // Make the audio AdaptationSet claim 4 s segments.
    let i = text.find("contentType=\"audio\"").unwrap();
    let (a, b) = text.split_at(i);
    std::fs::write(
        d.join("manifest.mpd"),
        format!(
            "{a}{}",
            b.replacen("duration=\"2000000\"", "duration=\"4000000\"", 1)
        ),
    )
    .unwrap();
    assert!(matches!(
        run(&d).unwrap_err(),
        Error::SegmentDurationMismatch {
            expected_s: 2,
            found_s: 4,
            ..
        }
    ));
}

#[test]
fn a_missing_init_segment_names_the_file() {
    let d = scratch("init");
    std::fs::remove_file(d.join("1/init.mp4")).unwrap();
    assert_eq!(
        run(&d).unwrap_err(),
        Error::MissingFile {
            representation: "1".into(),
            url: "1/init.mp4".into()
        }
    );
}
