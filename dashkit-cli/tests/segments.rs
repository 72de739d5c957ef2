//! `dashkit segments` as a user runs it: the binary on packager fixtures.

use std::process::Command;

fn dashkit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_lists_every_representation_and_segment() {
    let (code, out, err) = dashkit(&[
        "segments",
        "--json",
        "fixtures/dash/shaka_live/manifest.mpd",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let reps = v["representations"].as_array().unwrap();
    assert_eq!(reps.len(), 3);
    let audio = &reps[2];
    assert_eq!(audio["content_type"], "audio");
    assert_eq!(audio["timescale"], 48000);
    let segs = audio["segments"].as_array().unwrap();
    // Shaka's timeline: t=0 d=96256 r=2, then 95232, then 93600.
    let d: Vec<u64> = segs
        .iter()
        .map(|s| s["duration"].as_u64().unwrap())
        .collect();
    assert_eq!(d, [96256, 96256, 96256, 95232, 93600]);
    assert_eq!(segs[4]["url"], "audio/5.m4s");
    assert_eq!(segs[4]["start"], 384000);
}

#[test]
fn segment_base_reads_the_sidx_from_the_file() {
    let (code, out, err) = dashkit(&["segments", "fixtures/dash/shaka_ondemand/manifest.mpd"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("index\tvideo_144p.mp4\t832-887"), "{out}");
    assert!(out.contains("video_144p.mp4\t888-"), "{out}");
}

#[test]
fn errors_say_where_and_exit_2() {
    let (code, _, err) = dashkit(&["segments", "fixtures/mpd/invalid/bad_integer.mpd"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad_integer.mpd"), "{err}");
    assert!(err.contains("MPD/Period[0]"), "{err}");
    let (code, _, err) = dashkit(&["segments", "fixtures/no/such.mpd"]);
    assert_eq!(code, 2);
    assert!(err.contains("such.mpd"), "{err}");
}

/// Issue 19: one Representation that cannot be listed (its SegmentBase media file is missing)
/// does not empty the listing: the others are listed, that one reported, exit 1.
#[test]
fn one_unlistable_representation_does_not_hide_the_others() {
    let dir = std::env::temp_dir().join(format!("dashkit-segments-partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mpd = dir.join("m.mpd");
    std::fs::write(
        &mpd,
        r#"<MPD type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S"><Period>
        <AdaptationSet contentType="video">
        <Representation id="gone" bandwidth="1"><BaseURL>missing.webm</BaseURL><SegmentBase indexRange="100-199"/></Representation>
        <Representation id="ok" bandwidth="2"><SegmentTemplate media="ok$Number$.m4s" duration="2"/></Representation>
        </AdaptationSet></Period></MPD>"#,
    )
    .unwrap();
    let (code, out, err) = dashkit(&["segments", "--json", mpd.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["representations"].as_array().unwrap().len(), 1);
    assert_eq!(v["representations"][0]["id"], "ok");
    assert_eq!(v["failures"][0]["id"], "gone");
    assert!(
        err.contains("\"gone\"") && err.contains("missing.webm"),
        "{err}"
    );
}

/// Issue 19: an xlink Period whose href is a local file is resolved; one that is not is warned
/// about instead of dropped silently.
#[test]
fn xlink_periods_are_resolved_from_local_files_or_warned_about() {
    let dir = std::env::temp_dir().join(format!("dashkit-segments-xlink-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("p1.xml"),
        r#"<Period id="p1" duration="PT2S"><AdaptationSet><SegmentTemplate media="r$Number$.m4s" duration="2"/>
        <Representation id="remote" bandwidth="1"/></AdaptationSet></Period>"#,
    )
    .unwrap();
    let mpd = dir.join("m.mpd");
    std::fs::write(
        &mpd,
        r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xlink="http://www.w3.org/1999/xlink"
        type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S">
        <Period xlink:href="p1.xml" xlink:actuate="onLoad"/>
        <Period xlink:href="https://example.com/p2.xml" xlink:actuate="onLoad"/></MPD>"#,
    )
    .unwrap();
    let (code, out, err) = dashkit(&["segments", "--json", mpd.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["representations"][0]["id"], "remote");
    assert_eq!(v["representations"][0]["segments"][0]["url"], "r1.m4s");
    assert!(
        err.contains("warning: remote Period 1") && err.contains("p2.xml"),
        "{err}"
    );
}
