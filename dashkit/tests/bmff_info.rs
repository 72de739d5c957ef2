//! `info` on the init segments of every packager's DASH fixture gives the codec strings the
//! packager wrote into its MPD (`@codecs`, read with a plain string search).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dashkit::bmff::info::describe;

fn fixtures_dir() -> PathBuf {
    std::env::var_os("DASHKIT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures"))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Files that carry a moov: `init*` segments and self-initializing `.mp4` files.
fn init_segments(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    files(dir, &mut all);
    all.retain(|p| {
        let name = p.file_name().unwrap().to_str().unwrap();
        name.starts_with("init") || name.ends_with(".mp4")
    });
    all.sort();
    all
}

fn mpd_codecs(mpd: &str) -> BTreeSet<String> {
    mpd.split("codecs=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn codec_strings_match_the_packagers_mpd() {
    let dash = fixtures_dir().join("dash");
    let mut checked = 0;
    for e in std::fs::read_dir(&dash).unwrap() {
        let dir = e.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        if !(name.starts_with("ffmpeg") || name.starts_with("shaka")) {
            continue;
        }
        let mpd_path = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "mpd"))
            .unwrap();
        let expected = mpd_codecs(&std::fs::read_to_string(&mpd_path).unwrap());
        assert!(!expected.is_empty(), "{name}");
        let mut derived = BTreeSet::new();
        for init in init_segments(&dir) {
            let info = describe(&std::fs::read(&init).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", init.display()));
            assert_eq!(info.tracks.len(), 1, "{}", init.display());
            let t = &info.tracks[0];
            assert!(t.timescale > 0);
            derived.insert(t.codec.to_ascii_lowercase());
        }
        let expected: BTreeSet<String> = expected.iter().map(|c| c.to_ascii_lowercase()).collect();
        assert_eq!(derived, expected, "{name}");
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} packager directories");
}

#[test]
fn progressive_file_summary() {
    let data = std::fs::read(fixtures_dir().join("media/h264_aac.mp4")).unwrap();
    let info = describe(&data).unwrap();
    assert!(!info.fragmented);
    assert_eq!(info.fragment_count, 0);
    let handlers: Vec<&str> = info.tracks.iter().map(|t| t.handler.as_str()).collect();
    assert_eq!(handlers, ["vide", "soun"]);
    for t in &info.tracks {
        assert!(t.sample_count > 0);
        // The sample durations add up to the mdhd duration of a progressive file.
        assert_eq!(t.sample_duration, t.duration, "track {}", t.track_id);
    }
}
