//! `dashkit validate` on one file that is not an MPD: what the file is and what was checked
//! (issue 19). Inputs are made here with ffmpeg (needed; the tests fail, not skip, without it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn dashkit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "dashkit-validate-files-{}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs ffmpeg on 4 s of 25 fps test video (GOP 2 s) with `args` before the output `out`.
fn ffmpeg(out: &Path, args: &[&str]) {
    let o = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=25:duration=4",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "50",
        ])
        .args(args)
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("ffmpeg is needed by this test: {e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn validate(path: &Path) -> (i32, String) {
    let (code, out, err) = dashkit(&["validate", path.to_str().unwrap()]);
    (code, format!("{out}{err}"))
}

#[test]
fn lone_init_and_media_segments_say_what_they_are() {
    let d = scratch("lone");
    ffmpeg(
        &d.join("manifest.mpd"),
        &["-c:v", "libx264", "-f", "dash", "-seg_duration", "2"],
    );
    let (code, out) = validate(&d.join("init-stream0.m4s"));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("FILE-KIND") && out.contains("an initialization segment"),
        "{out}"
    );
    assert!(
        !out.contains("SEG-PARSE") && !out.contains("MPD\n"),
        "{out}"
    );
    assert!(out.starts_with("File init-stream0.m4s\n"), "{out}");
    let (code, out) = validate(&d.join("chunk-stream0-00001.m4s"));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("a media segment without its initialization segment"),
        "{out}"
    );
    assert!(!out.contains("INIT-PARSE"), "{out}");
}

#[test]
fn progressive_mp4_says_the_fragment_checks_do_not_apply() {
    let d = scratch("progressive");
    let f = d.join("p.mp4");
    ffmpeg(&f, &["-c:v", "libx264"]);
    let (code, out) = validate(&f);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("a progressive (unfragmented) MP4"), "{out}");
    assert!(out.starts_with("File p.mp4\n"), "{out}");
}

#[test]
fn chunked_cmaf_needs_a_sync_sample_only_where_the_segment_starts() {
    // One frame per moof (low-latency chunks): only the first moof starts with a sync sample.
    let d = scratch("chunked");
    let f = d.join("c.mp4");
    ffmpeg(
        &f,
        &[
            "-c:v",
            "libx264",
            "-movflags",
            "+frag_every_frame+empty_moov+default_base_moof",
        ],
    );
    let (code, out) = validate(&f);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("SEG-SAP"), "{out}");
}

#[test]
fn webm_and_mpeg_ts_are_named_not_parsed_as_boxes() {
    let d = scratch("notiso");
    for (name, args, kind) in [
        ("a.webm", vec!["-c:v", "libvpx", "-f", "webm"], "WebM"),
        (
            "a.ts",
            vec!["-c:v", "libx264", "-f", "mpegts"],
            "MPEG-2 transport stream",
        ),
    ] {
        let f = d.join(name);
        ffmpeg(&f, &args);
        let (code, out) = validate(&f);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("NOT-ISOBMFF") && out.contains(kind), "{out}");
        assert!(!out.contains("runs past"), "{out}");
        let (code, _, err) = dashkit(&["info", f.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert!(err.contains(kind) && !err.contains("runs past"), "{err}");
    }
}
