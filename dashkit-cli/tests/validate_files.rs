//! `dashkit validate` on one file that is not an MPD: what the file is and what was checked
//! (issue 19). Inputs are made here with ffmpeg (needed; the tests fail, not skip, without it).

mod support;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::cli::dashkit;

fn scratch(tag: &str) -> PathBuf {
    support::cli::scratch("validate-files", tag)
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

/// Issue 19: ffmpeg's `global_sidx` writes one sidx per track (reference_ID 1 for the video,
/// 2 for the 44.1 kHz audio, whose subsegments do not last exactly 2 s); each is checked
/// against its own track, not the first one.
#[test]
fn one_sidx_per_track_is_checked_against_its_reference_id() {
    let d = scratch("sidx");
    let f = d.join("s.mp4");
    let o = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=25:duration=6",
            "-f",
            "lavfi",
            "-i",
            "sine=sample_rate=44100:duration=6",
            "-c:v",
            "libx264",
            "-g",
            "50",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-movflags",
            "+frag_keyframe+empty_moov+global_sidx+default_base_moof",
        ])
        .arg(&f)
        .output()
        .unwrap_or_else(|e| panic!("ffmpeg is needed by this test: {e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, out) = validate(&f);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("SIDX-MISMATCH"), "{out}");
    // The mutation is still caught: the audio sidx's first duration made one tick longer.
    let mut bytes = std::fs::read(&f).unwrap();
    let sidx: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w == b"sidx")
        .map(|(i, _)| i - 4)
        .collect();
    assert_eq!(sidx.len(), 2);
    // sidx v0/v1 header: size 4, type 4, version+flags 4, reference_ID 4, timescale 4, then
    // ept + first_offset (4+4 or 8+8), reserved 2, count 2, then reference 0: size 4, duration 4.
    let s = sidx[1];
    let v1 = bytes[s + 8] == 1;
    let dur_at = s + 20 + if v1 { 16 } else { 8 } + 4 + 4;
    let d0 = u32::from_be_bytes(bytes[dur_at..dur_at + 4].try_into().unwrap());
    bytes[dur_at..dur_at + 4].copy_from_slice(&(d0 + 1).to_be_bytes());
    let g = d.join("s_bad.mp4");
    std::fs::write(&g, bytes).unwrap();
    let (code, out) = validate(&g);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("SIDX-MISMATCH"), "{out}");
}

/// Issue 19: ffmpeg's `webm_dash_manifest` MPD (upper-case draft namespace, SegmentBase over
/// Matroska Cues) is listed and its MPD checks run; the segment checks say they do not apply.
#[test]
fn webm_dash_manifest_is_handled_at_the_mpd_level() {
    let d = scratch("webmdash");
    ffmpeg(
        &d.join("v.webm"),
        &["-c:v", "libvpx", "-dash", "1", "-f", "webm"],
    );
    let o = Command::new("ffmpeg")
        .current_dir(&d)
        .args([
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "webm_dash_manifest",
            "-i",
            "v.webm",
            "-c",
            "copy",
            "-map",
            "0",
            "-f",
            "webm_dash_manifest",
            "-adaptation_sets",
            "id=0,streams=0",
            "manifest.mpd",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mpd = d.join("manifest.mpd");
    let (code, out) = validate(&mpd);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("SEG-NOT-APPLICABLE"), "{out}");
    let (code, out, err) = dashkit(&["segments", "--json", mpd.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["representations"][0]["segments"][0]["url"], "v.webm");
}

/// Issue 19: a fragment whose trun data runs past the file (here the mdat of a real ffmpeg
/// segment declared 1000 bytes long and cut there) is named as such, not as a "box size" that
/// is not the trun's; `info` still shows the tracks from the moov and exits 1 with the problem.
#[test]
fn info_shows_what_it_can_when_sample_data_runs_past_the_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash/ffmpeg_number");
    let mut data = std::fs::read(root.join("init-0.m4s")).unwrap();
    data.extend(std::fs::read(root.join("chunk-0-00001.m4s")).unwrap());
    let mdat = data.windows(4).position(|w| w == b"mdat").unwrap() - 4;
    data[mdat..mdat + 4].copy_from_slice(&1008u32.to_be_bytes());
    data.truncate(mdat + 1008);
    let d = scratch("trun-past-end");
    let f = d.join("short.mp4");
    std::fs::write(&f, &data).unwrap();
    let (code, out, err) = dashkit(&["info", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("codecs: avc1.") && out.contains("dimensions: 320x180"),
        "{out}"
    );
    assert!(
        out.contains("samples: not readable:")
            && out.contains("moof/traf[0]/trun[0]")
            && out.contains("past the end of the data"),
        "{out}"
    );
    assert!(!out.contains("box size"), "{out}");
    let (code, json, _) = dashkit(&["info", "--json", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["samples_error"]
            .as_str()
            .unwrap()
            .contains("past the end"),
        "{json}"
    );
    assert_eq!(
        v["tracks"][0]["codecs"].as_str().unwrap().get(..5),
        Some("avc1.")
    );
}
