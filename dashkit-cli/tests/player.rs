//! Real players and a second parser on dashkit's output: dash.js in headless Chromium plays the
//! static DASH fixtures and `dashkit fragment`'s `--index` and `--segments` outputs (issue #8's
//! browser requirement), and mp4box.js parses every fragment output and sees the same samples as
//! in the progressive input. The harness (`tests/player/harness.rs`, `play.mjs`,
//! `mp4check.mjs`) is shared with the serve tests.
//!
//! Needs node, Debian's chromium and `npm ci` in tests/player (`bash .ci/install-player`); missing
//! tools fail the tests unless `DASHKIT_SKIP_PLAYER=1`.

#[path = "player/harness.rs"]
mod harness;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness::{mp4check, play, player_tools, PlayOptions, StaticServer};
use serde_json::Value;

/// Media seconds the playhead must cover in an 8 s run of a 10 s clip (startup and sampling
/// take the rest).
const MIN_ADVANCE_S: f64 = 6.0;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-player-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    let _ = std::fs::remove_dir_all(&p);
    p
}

fn dashkit(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dashkit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `dashkit fragment --segments DIR` of a media fixture.
fn fragment_segments(name: &str, dir: &Path) {
    let input = format!("fixtures/media/{name}.mp4");
    dashkit(&[
        "fragment",
        "--quiet",
        &input,
        "--segments",
        dir.to_str().unwrap(),
    ]);
}

/// `dashkit fragment --index [--track T]` of a media fixture into `out`.
fn fragment_index(name: &str, track: Option<&str>, out: &Path) {
    let input = format!("fixtures/media/{name}.mp4");
    let mut args = vec![
        "fragment",
        "--quiet",
        &input,
        out.to_str().unwrap(),
        "--index",
    ];
    if let Some(t) = track {
        args.extend(["--track", t]);
    }
    dashkit(&args);
}

/// A SegmentBase AdaptationSet for one single-track `--index` file: Initialization covers
/// ftyp + moov, indexRange the sidx; codecs and duration come from the file itself.
fn segment_base_adaptation_set(file: &Path, url: &str) -> (String, f64) {
    let data = std::fs::read(file).unwrap();
    let idx = dashkit::bmff::Index::parse(&data).unwrap();
    let moov = &idx.boxes()[idx.find("moov").unwrap()];
    let sidx_i = idx.find("sidx").unwrap();
    let sidx_b = &idx.boxes()[sidx_i];
    let sidx = dashkit::bmff::Sidx::parse(&data[sidx_b.range()], sidx_b.offset).unwrap();
    let ticks: u64 = sidx
        .references
        .iter()
        .map(|r| u64::from(r.subsegment_duration))
        .sum();
    let seconds = ticks as f64 / f64::from(sidx.timescale);
    let stsd = idx.all(b"stsd").next().unwrap();
    let entry = idx.children(stsd).next().unwrap();
    let codecs = dashkit::bmff::codec::codec_string(&data, &idx, entry).unwrap();
    let hdlr = idx.all(b"hdlr").next().unwrap();
    let handler = &data[idx.boxes()[hdlr].payload_range()][8..12];
    let (content, extra) = if handler == b"vide" {
        let tkhd = idx.all(b"tkhd").next().unwrap();
        let p = &data[idx.boxes()[tkhd].payload_range()];
        // tkhd width and height are the last 8 bytes, 16.16 fixed point.
        let w = u32::from_be_bytes(p[p.len() - 8..p.len() - 4].try_into().unwrap()) >> 16;
        let h = u32::from_be_bytes(p[p.len() - 4..].try_into().unwrap()) >> 16;
        ("video", format!(r#" width="{w}" height="{h}""#))
    } else {
        ("audio", String::new())
    };
    let set = format!(
        r#"    <AdaptationSet contentType="{content}" mimeType="{content}/mp4" segmentAlignment="true" startWithSAP="1">
      <Representation id="{content}" bandwidth="200000" codecs="{codecs}"{extra}>
        <BaseURL>{url}</BaseURL>
        <SegmentBase indexRange="{}-{}">
          <Initialization range="0-{}"/>
        </SegmentBase>
      </Representation>
    </AdaptationSet>
"#,
        sidx_b.offset,
        sidx_b.offset + sidx_b.size - 1,
        moov.offset + moov.size - 1,
    );
    (set, seconds)
}

fn on_demand_mpd(sets: &[String], seconds: f64) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" minBufferTime="PT2S" mediaPresentationDuration="PT{seconds:.3}S">
  <Period id="0" start="PT0S">
{}  </Period>
</MPD>
"#,
        sets.concat()
    )
}

#[test]
fn static_server_serves_ranges_head_and_cors_and_stays_in_its_root() {
    let dir = scratch("server");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("a/x.m4s"), b"0123456789").unwrap();
    std::fs::write(dir.parent().unwrap().join("outside.txt"), b"secret").unwrap();
    let server = StaticServer::start(&dir.join("a"));
    let ask = |req: &str| {
        let mut s = TcpStream::connect(server.base_url().trim_start_matches("http://")).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        let mut v = String::new();
        s.read_to_string(&mut v).unwrap();
        v
    };
    let full = ask("GET /x.m4s HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(full.starts_with("HTTP/1.1 200"), "{full}");
    assert!(full.contains("Access-Control-Allow-Origin: *"), "{full}");
    assert!(full.contains("Content-Type: video/mp4"), "{full}");
    assert!(full.ends_with("\r\n\r\n0123456789"), "{full}");
    let part = ask("GET /x.m4s HTTP/1.1\r\nRange: bytes=2-4\r\nConnection: close\r\n\r\n");
    assert!(part.starts_with("HTTP/1.1 206"), "{part}");
    assert!(part.contains("Content-Range: bytes 2-4/10"), "{part}");
    assert!(part.ends_with("\r\n\r\n234"), "{part}");
    let tail = ask("GET /x.m4s HTTP/1.1\r\nRange: bytes=-3\r\nConnection: close\r\n\r\n");
    assert!(tail.ends_with("\r\n\r\n789"), "{tail}");
    let bad = ask("GET /x.m4s HTTP/1.1\r\nRange: bytes=20-30\r\nConnection: close\r\n\r\n");
    assert!(bad.starts_with("HTTP/1.1 416"), "{bad}");
    let head = ask("HEAD /x.m4s HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(
        head.contains("Content-Length: 10") && head.ends_with("\r\n\r\n"),
        "{head}"
    );
    for escape in [
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/a/../../outside.txt",
    ] {
        let r = ask(&format!(
            "GET {escape} HTTP/1.1\r\nConnection: close\r\n\r\n"
        ));
        assert!(r.starts_with("HTTP/1.1 404"), "{escape}: {r}");
    }
}

#[test]
fn static_dash_fixtures_play_in_dashjs() {
    let Some(tools) = player_tools() else { return };
    let server = StaticServer::start(&root().join("fixtures/dash"));
    for name in ["ffmpeg_number", "shaka_ondemand"] {
        let r = play(
            &tools,
            &server.url(&format!("{name}/manifest.mpd")),
            &PlayOptions::default(),
        );
        r.assert_clean(name, MIN_ADVANCE_S, true);
        assert_eq!(r.video_size(), Some((320, 180)), "{name}: {}", r.json);
        assert_eq!(r.json["video"]["dynamic"], false, "{name}");
    }
}

/// Fixtures a browser can decode: Chromium has no software HEVC decoder (dash.js drops the
/// hvc1 AdaptationSet and plays the audio only), so hevc_aac is checked by mp4box.js alone.
const PLAYABLE: [(&str, bool); 3] = [
    ("h264_aac", true),
    ("h264_bframes", true),
    ("aac_only", false),
];

#[test]
fn fragment_segments_output_plays_in_dashjs() {
    let Some(tools) = player_tools() else { return };
    let dir = scratch("segments");
    for (name, _) in PLAYABLE {
        fragment_segments(name, &dir.join(name));
    }
    let server = StaticServer::start(&dir);
    for (name, video) in PLAYABLE {
        let r = play(
            &tools,
            &server.url(&format!("{name}/manifest.mpd")),
            &PlayOptions::default(),
        );
        r.assert_clean(&format!("{name} --segments"), MIN_ADVANCE_S, video);
    }
}

#[test]
fn fragment_index_output_plays_in_dashjs() {
    let Some(tools) = player_tools() else { return };
    let dir = scratch("index");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, video) in PLAYABLE {
        let mut sets = Vec::new();
        let mut seconds: f64 = 0.0;
        let tracks: &[&str] = if video {
            &["video", "audio"]
        } else {
            &["audio"]
        };
        for t in tracks {
            let file = format!("{name}-{t}.mp4");
            fragment_index(name, Some(t), &dir.join(&file));
            let (set, s) = segment_base_adaptation_set(&dir.join(&file), &file);
            sets.push(set);
            seconds = seconds.max(s);
        }
        std::fs::write(
            dir.join(format!("{name}.mpd")),
            on_demand_mpd(&sets, seconds),
        )
        .unwrap();
    }
    let server = StaticServer::start(&dir);
    for (name, video) in PLAYABLE {
        let r = play(
            &tools,
            &server.url(&format!("{name}.mpd")),
            &PlayOptions::default(),
        );
        r.assert_clean(&format!("{name} --index"), MIN_ADVANCE_S, video);
    }
}

/// Per track id: (type, samples, bytes, digest) as mp4box.js reports them.
fn tracks(report: &Value) -> Vec<(u64, String, u64, u64, String)> {
    report["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_u64().unwrap(),
                t["type"].as_str().unwrap().to_string(),
                t["samples"].as_u64().unwrap(),
                t["bytes"].as_u64().unwrap(),
                t["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_mp4box_clean(what: &str, code: i32, reports: &[Value]) {
    assert_eq!(code, 0, "{what}: {reports:?}");
    for r in reports {
        assert_eq!(r["errors"], Value::Array(vec![]), "{what}: {r}");
        assert_eq!(r["warnings"], Value::Array(vec![]), "{what}: {r}");
        assert_eq!(r["fragmented"], true, "{what}: {r}");
    }
}

#[test]
fn fragment_outputs_parse_cleanly_in_mp4box_with_the_input_samples() {
    let Some(tools) = player_tools() else { return };
    let dir = scratch("mp4box");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["h264_aac", "hevc_aac", "h264_bframes", "aac_only"] {
        let input = root().join(format!("fixtures/media/{name}.mp4"));
        let (code, inp) = mp4check(&tools, &[&input]);
        assert_eq!(code, 0, "{name} input: {inp:?}");
        assert_eq!(inp[0]["fragmented"], false, "{name}");
        let want = tracks(&inp[0]);
        assert!(!want.is_empty(), "{name}");

        // Plain and --index outputs: every track, same samples.
        for extra in [None, Some("--index")] {
            let out = dir.join(format!("{name}{}.mp4", extra.unwrap_or("")));
            let input_rel = format!("fixtures/media/{name}.mp4");
            let mut args = vec!["fragment", "--quiet", &input_rel, out.to_str().unwrap()];
            args.extend(extra);
            dashkit(&args);
            let (code, rep) = mp4check(&tools, &[&out]);
            let what = format!("{name} {extra:?}");
            assert_mp4box_clean(&what, code, &rep);
            assert_eq!(tracks(&rep[0]), want, "{what}");
        }

        // --segments: each track's init + media segments as one stream, as a player appends them.
        let seg = dir.join(format!("{name}-segments"));
        fragment_segments(name, &seg);
        let mut seen = Vec::new();
        let mut track_dirs: Vec<PathBuf> = std::fs::read_dir(&seg)
            .unwrap()
            .map(|d| d.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        track_dirs.sort();
        for td in track_dirs {
            let mut media: Vec<(u64, PathBuf)> = std::fs::read_dir(&td)
                .unwrap()
                .map(|d| d.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "m4s"))
                .map(|p| (p.file_stem().unwrap().to_str().unwrap().parse().unwrap(), p))
                .collect();
            media.sort();
            let init = td.join("init.mp4");
            let concat = PathBuf::from("--concat");
            let mut args: Vec<&Path> = vec![&concat, &init];
            args.extend(media.iter().map(|(_, p)| p.as_path()));
            let (code, rep) = mp4check(&tools, &args);
            let what = format!("{name} --segments {}", td.display());
            assert_mp4box_clean(&what, code, &rep);
            seen.extend(tracks(&rep[0]));
        }
        seen.sort();
        assert_eq!(seen, want, "{name} --segments");
    }
}
