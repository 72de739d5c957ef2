//! `mpd::listing` on packager-made fixtures: the segments it lists are exactly the files the
//! packager wrote, and SegmentBase ranges tile the media file after its index.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dashkit::mpd::listing::{list_segments, IndexRequest, RepresentationListing};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash")
}

fn listing(dir: &str) -> Vec<RepresentationListing> {
    let root = fixtures().join(dir);
    let text = std::fs::read_to_string(root.join("manifest.mpd")).unwrap();
    let mpd = dashkit::mpd::parse(&text).unwrap();
    list_segments(&mpd, "", |req: &IndexRequest| {
        let bytes = std::fs::read(root.join(&req.url)).ok()?;
        let (a, b) = (req.range.first() as usize, req.range.last() as usize + 1);
        bytes.get(a..b).map(<[u8]>::to_vec)
    })
    .unwrap()
}

/// Every file under `dir`, relative, except the MPD.
fn files_on_disk(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            files_on_disk(&e.path(), &format!("{name}/"), out);
        } else if !name.ends_with(".mpd") {
            out.insert(name);
        }
    }
}

fn listed_urls(reps: &[RepresentationListing]) -> BTreeSet<String> {
    let mut urls = BTreeSet::new();
    for r in reps {
        if let Some(i) = &r.segments.initialization {
            urls.insert(i.url.clone());
        }
        for s in &r.segments.segments {
            urls.insert(s.url.clone());
        }
    }
    urls
}

#[test]
fn segment_files_match_what_each_packager_wrote() {
    for dir in [
        "ffmpeg_number",
        "ffmpeg_timeline",
        "ffmpeg_livesim",
        "shaka_live",
    ] {
        let reps = listing(dir);
        let mut disk = BTreeSet::new();
        files_on_disk(&fixtures().join(dir), "", &mut disk);
        assert_eq!(listed_urls(&reps), disk, "{dir}");
        for r in &reps {
            assert_eq!(r.segments.segments.len(), 5, "{dir} {}", r.id);
        }
    }
}

#[test]
fn segment_base_ranges_tile_each_file_after_its_sidx() {
    let root = fixtures().join("shaka_ondemand");
    let reps = listing("shaka_ondemand");
    assert_eq!(reps.len(), 3);
    for r in &reps {
        let s = &r.segments;
        let file = &s.segments[0].url;
        let size = std::fs::metadata(root.join(file)).unwrap().len();
        let index = s.index.as_ref().unwrap().byte_range.unwrap();
        let mut next = index.last() + 1;
        let mut time = s.segments[0].start;
        for seg in &s.segments {
            assert_eq!(&seg.url, file);
            let range = seg.byte_range.unwrap();
            assert_eq!(range.first(), next, "{} segment {}", r.id, seg.number);
            assert_eq!(seg.start, time);
            next = range.last() + 1;
            time += seg.duration;
        }
        assert_eq!(next, size, "{}: ranges end at the end of the file", r.id);
        // Each listed range starts with a moof (or styp) box.
        let bytes = std::fs::read(root.join(file)).unwrap();
        for seg in &s.segments {
            let at = seg.byte_range.unwrap().first() as usize;
            let kind = &bytes[at + 4..at + 8];
            assert!(kind == b"moof" || kind == b"styp", "{}: {:?}", r.id, kind);
        }
    }
}
