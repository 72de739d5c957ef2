//! Golden box dumps of a few fixtures (`fixtures/golden/bmff/*.dump.txt`).
//! `DASHKIT_BLESS=1 cargo test -p dashkit --test bmff_dump` rewrites them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::PathBuf;

use dashkit::bmff::dump::{dump, render_text};

mod support;

fn fixtures_dir() -> PathBuf {
    std::env::var_os("DASHKIT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures"))
}

fn check(rel: &str, golden: &str) {
    let data = std::fs::read(fixtures_dir().join(rel)).unwrap();
    support::golden("bmff", golden, &render_text(&dump(&data).unwrap()));
}

#[test]
fn ffmpeg_init_video() {
    check(
        "dash/ffmpeg_number/init-0.m4s",
        "ffmpeg_number_init-0.dump.txt",
    );
}

#[test]
fn ffmpeg_media_segment_audio() {
    check(
        "dash/ffmpeg_number/chunk-1-00002.m4s",
        "ffmpeg_number_chunk-1-00002.dump.txt",
    );
}

#[test]
fn shaka_init_audio() {
    check(
        "dash/shaka_live/audio/init.mp4",
        "shaka_live_audio_init.dump.txt",
    );
}

#[test]
fn shaka_media_segment_video() {
    check(
        "dash/shaka_live/video_144p/2.m4s",
        "shaka_live_video_144p_2.dump.txt",
    );
}

#[test]
fn progressive_file() {
    check("media/h264_aac.mp4", "media_h264_aac.dump.txt");
}

#[test]
fn a_corrupt_box_inside_is_reported_with_its_path() {
    let mut data = std::fs::read(fixtures_dir().join("dash/shaka_live/video_144p/2.m4s")).unwrap();
    let idx = dashkit::bmff::Index::parse(&data).unwrap();
    let trun = idx.all(b"trun").next().unwrap();
    let b = idx.boxes()[trun].clone();
    data[b.start..b.start + 4].copy_from_slice(&0xFFFFu32.to_be_bytes());
    let e = dump(&data).unwrap_err();
    assert_eq!(e.offset, b.offset);
    assert_eq!(e.path, "moof/traf[0]/trun[0]");
}
