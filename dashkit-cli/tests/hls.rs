//! `dashkit hls` as a user runs it: playlists for the packager fixtures, read by ffmpeg, whose
//! packets must equal those ffmpeg reads from the DASH asset; and `dashkit validate` on them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn dashkit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-hls-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One packet as ffmpeg's framemd5 prints it: (pts, duration, size, hash).
type Packet = (i64, i64, u64, String);

/// ffmpeg's packets of `input` (stream copy, framemd5), with `extra` input/map options.
fn packets(before_input: &[&str], input: &Path, map: &[&str]) -> Vec<Packet> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin"])
        .args(before_input)
        .arg("-i")
        .arg(input)
        .args(map)
        .args(["-c", "copy", "-f", "framemd5", "-"])
        .output()
        .unwrap_or_else(|e| panic!("ffmpeg is needed for this test and could not run: {e}"));
    assert!(out.status.success(), "ffmpeg failed on {}", input.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            (
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
                f[4].parse().unwrap(),
                f[5].to_owned(),
            )
        })
        .collect()
}

/// Writes `files` (relative to the fixture) one after the other into `out`: an init segment
/// and media segments make one fragmented MP4 that ffmpeg reads without any manifest.
fn concat(fixture: &str, files: &[&str], out: &Path) {
    let dir = root().join("fixtures/dash").join(fixture);
    let mut bytes = Vec::new();
    for f in files {
        bytes.extend(std::fs::read(dir.join(f)).unwrap());
    }
    std::fs::write(out, bytes).unwrap();
}

/// Equal payloads (MD5), sizes and durations, and the same timeline up to a constant offset.
fn assert_same(what: &str, a: &[Packet], b: &[Packet]) {
    assert_eq!(a.len(), b.len(), "{what}: packet count");
    let offset = a[0].0 - b[0].0;
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!((&x.1, &x.2, &x.3), (&y.1, &y.2, &y.3), "{what}: packet {k}");
        assert_eq!(x.0 - y.0, offset, "{what}: pts of packet {k}");
    }
}

/// One Representation of a fixture: its media playlist, ffmpeg's map of it in the MPD, and
/// (where ffmpeg's DASH demuxer cannot be the reference) its init and media segment files.
struct Rep<'a> {
    playlist: &'a str,
    map: &'a str,
    /// ffmpeg 5.1's DASH demuxer starts a `$Time$` SegmentTimeline (ffmpeg_timeline) at its
    /// second segment ("Failed to open an initialization section", then the packets from
    /// segment 2 on). For those, the packets are compared with the segment files
    /// concatenated in MPD order, and the DASH demuxer's with the HLS ones after segment 1.
    files: &'a [&'a str],
}

fn rep<'a>(playlist: &'a str, map: &'a str) -> Rep<'a> {
    Rep {
        playlist,
        map,
        files: &[],
    }
}

/// The playlists of `fixture` read by ffmpeg give the packets of the DASH asset's
/// Representations (ffmpeg's DASH demuxer timestamps differ by a constant: it shifts them by
/// its own start-time rule).
fn same_packets_as_dash(fixture: &str, reps: &[Rep<'_>]) {
    let out_dir = scratch(fixture);
    let mpd = root()
        .join("fixtures/dash")
        .join(fixture)
        .join("manifest.mpd");
    let (code, stdout, err) = dashkit(&[
        "hls",
        mpd.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("manifest.m3u8"), "{stdout}");
    for r in reps {
        let what = format!("{fixture} {}", r.playlist);
        let hls = packets(
            &["-allowed_extensions", "ALL"],
            &out_dir.join(r.playlist),
            &[],
        );
        let min = if r.map.contains(":a") { 400 } else { 240 };
        assert!(hls.len() >= min, "{what}: only {} packets", hls.len());
        let dash = packets(&[], &mpd, &["-map", r.map]);
        if r.files.is_empty() {
            assert_same(&what, &hls, &dash);
            continue;
        }
        let whole = out_dir.join("whole.mp4");
        concat(fixture, r.files, &whole);
        assert_same(
            &format!("{what} vs its files"),
            &hls,
            &packets(&[], &whole, &[]),
        );
        concat(fixture, &r.files[..2], &whole);
        let first = packets(&[], &whole, &[]).len();
        assert_same(
            &format!("{what} vs DASH after segment 1"),
            &hls[first..],
            &dash,
        );
    }
    // The playlists pass dashkit's own checks.
    let top = out_dir.join("manifest.m3u8");
    let (code, out, err) = dashkit(&["validate", top.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 error(s), 0 warning(s), 0 info"), "{out}");
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn ffmpeg_number_plays_the_same_packets() {
    same_packets_as_dash(
        "ffmpeg_number",
        &[
            rep("manifest_0.m3u8", "0:v:0"),
            rep("manifest_1.m3u8", "0:a:0"),
        ],
    );
}

#[test]
fn ffmpeg_timeline_plays_the_same_packets() {
    same_packets_as_dash(
        "ffmpeg_timeline",
        &[
            Rep {
                files: &[
                    "init-0.m4s",
                    "chunk-0-0.m4s",
                    "chunk-0-25874.m4s",
                    "chunk-0-51474.m4s",
                    "chunk-0-77074.m4s",
                    "chunk-0-102674.m4s",
                ],
                ..rep("manifest_0.m3u8", "0:v:0")
            },
            Rep {
                files: &[
                    "init-1.m4s",
                    "chunk-1-0.m4s",
                    "chunk-1-96256.m4s",
                    "chunk-1-192512.m4s",
                    "chunk-1-288768.m4s",
                    "chunk-1-385024.m4s",
                ],
                ..rep("manifest_1.m3u8", "0:a:0")
            },
        ],
    );
}

#[test]
fn shaka_live_plays_the_same_packets() {
    same_packets_as_dash(
        "shaka_live",
        &[
            rep("manifest_0.m3u8", "0:v:0"),
            rep("manifest_1.m3u8", "0:v:1"),
            rep("manifest_2.m3u8", "0:a:0"),
        ],
    );
}

#[test]
fn shaka_ondemand_plays_the_same_packets() {
    same_packets_as_dash(
        "shaka_ondemand",
        &[
            rep("manifest_0.m3u8", "0:v:0"),
            rep("manifest_1.m3u8", "0:v:1"),
            rep("manifest_2.m3u8", "0:a:0"),
        ],
    );
}

#[test]
fn without_output_dir_the_playlists_sit_next_to_the_mpd() {
    let dir = scratch("next-to");
    let src = root().join("fixtures/dash/shaka_live");
    for sub in ["", "audio", "video_144p", "video_180p"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    std::fs::rename(dir.join("manifest.mpd"), dir.join("show.mpd")).unwrap();
    let (code, _, err) = dashkit(&["hls", dir.join("show.mpd").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let top = std::fs::read_to_string(dir.join("show.m3u8")).unwrap();
    assert!(top.contains("\nshow_0.m3u8\n"), "{top}");
    assert!(top.contains("URI=\"show_2.m3u8\""), "{top}");
    let audio = std::fs::read_to_string(dir.join("show_2.m3u8")).unwrap();
    assert!(
        audio.contains("#EXT-X-MAP:URI=\"audio/init.mp4\"\n"),
        "{audio}"
    );
    assert!(audio.contains("\naudio/1.m4s\n"), "{audio}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_reports_a_wrong_extinf_and_exits_1() {
    let dir = scratch("validate");
    let mpd = root().join("fixtures/dash/ffmpeg_timeline/manifest.mpd");
    let (code, _, err) = dashkit(&["hls", mpd.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let p = dir.join("manifest_1.m3u8");
    let text = std::fs::read_to_string(&p).unwrap();
    let bad = text.replacen("#EXTINF:2.005333333,", "#EXTINF:2.105333333,", 1);
    assert_ne!(bad, text);
    std::fs::write(&p, bad).unwrap();
    let (code, out, _) = dashkit(&[
        "validate",
        "--json",
        dir.join("manifest.m3u8").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "HLS-EXTINF");
    assert_eq!(f["representation"], "manifest_1.m3u8");
    assert_eq!(f["found"], "2.105333333");
    // A playlist that does not parse is an error (exit 2) that names its line.
    std::fs::write(&p, "#EXTM3U\n#EXT-X-TARGETDURATION:x\n").unwrap();
    let (code, _, err) = dashkit(&["validate", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 2"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
