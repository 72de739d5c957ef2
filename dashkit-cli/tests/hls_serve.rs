//! `dashkit serve`'s HLS twins over real sockets: every DASH manifest URL has a `.m3u8` beside
//! it (livesim at fixed instants through `?nowMS=`, and in real time; static VoD assets under
//! `/dash/vod/`), whose playlists name only segments the server answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use dashkit::hls::{parse, Playlist};
use support::server::Server;

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn fixtures() -> PathBuf {
    repo().join("fixtures/dash")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-hls-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn media(text: &str) -> dashkit::hls::MediaPlaylist {
    match parse(text).unwrap() {
        Playlist::Media(m) => m,
        Playlist::Multivariant(_) => panic!("not a media playlist: {text}"),
    }
}

/// Follows a multivariant playlist at `base` + `name` (query `q` on every request): every
/// media playlist it names and every segment and init those list answer 200. Returns the
/// media playlists.
fn follow(s: &Server, base: &str, name: &str, q: &str) -> Vec<dashkit::hls::MediaPlaylist> {
    let top = s.get(&format!("{base}{name}{q}"));
    assert_eq!(top.status, 200, "{base}{name}: {}", top.text());
    assert_eq!(
        top.header("content-type"),
        Some("application/vnd.apple.mpegurl")
    );
    let Playlist::Multivariant(m) = parse(&top.text()).unwrap() else {
        panic!("not multivariant: {}", top.text())
    };
    let mut uris: Vec<String> = m.variants.iter().map(|v| v.uri.clone()).collect();
    uris.extend(m.renditions.iter().filter_map(|r| r.uri.clone()));
    uris.dedup();
    assert!(uris.len() >= 2, "{}", top.text());
    let mut out = Vec::new();
    for uri in uris {
        let r = s.get(&format!("{base}{uri}{q}"));
        assert_eq!(r.status, 200, "{base}{uri}: {}", r.text());
        assert_eq!(
            r.header("content-type"),
            Some("application/vnd.apple.mpegurl")
        );
        let p = media(&r.text());
        assert!(!p.segments.is_empty());
        let map = p.segments[0].map.as_ref().expect("EXT-X-MAP");
        assert_eq!(
            s.get(&format!("{base}{}{q}", map.uri)).status,
            200,
            "{}",
            map.uri
        );
        for seg in &p.segments {
            let got = s.get(&format!("{base}{}{q}", seg.uri));
            assert_eq!(got.status, 200, "{base}{}", seg.uri);
            assert!(!got.body.is_empty());
        }
        out.push(p);
    }
    out
}

#[test]
fn livesim_playlists_at_a_fixed_instant_name_only_served_segments() {
    let s = Server::start(&fixtures(), &[]);
    let now = 1_700_000_001_500i64;
    let q = format!("?nowMS={now}");
    let base = "/livesim/tsbd_20/ffmpeg_livesim/";
    let playlists = follow(&s, base, "manifest.m3u8", &q);
    for p in &playlists {
        // The 2 s segments that ended in the 20 s before now: 1_699_999_982 s to
        // 1_700_000_000 s.
        assert_eq!(p.segments.len(), 10);
        assert_eq!(p.media_sequence, 850_000_000 - 10);
        assert!(!p.end_list);
    }
    // Live: cacheable until the next segment (at ..._002.000 s: 0.5 s, rounded down).
    let r = s.get(&format!("{base}manifest_0.m3u8{q}"));
    assert_eq!(r.header("cache-control"), Some("public, max-age=0"));
    assert!(r.header("etag").is_some());
    // The segment after the newest listed one is too early (425), the DASH side's rule.
    let next = s.get(&format!("{base}0/850000000.m4s{q}"));
    assert_eq!(next.status, 425);
    // The multivariant playlist does not change: a day.
    let top = s.get(&format!("{base}manifest.m3u8{q}"));
    assert_eq!(top.header("cache-control"), Some("public, max-age=86400"));
}

#[test]
fn livesim_sessions_start_late_and_end_with_endlist() {
    let s = Server::start(&fixtures(), &[]);
    let base = "/livesim/start_1000/stop_1010/ffmpeg_livesim/";
    let early = s.get(&format!("{base}manifest_0.m3u8?nowMS=1001000"));
    assert_eq!(early.status, 425, "{}", early.text());
    assert_eq!(early.header("retry-after"), Some("1"));
    let playlists = follow(&s, base, "manifest.m3u8", "?nowMS=1060000");
    for p in &playlists {
        assert!(p.end_list);
        assert_eq!((p.media_sequence, p.segments.len()), (0, 5));
    }
    let ended = s.get(&format!("{base}manifest_1.m3u8?nowMS=1060000"));
    assert_eq!(ended.header("cache-control"), Some("public, max-age=86400"));
}

#[test]
fn livesim_playlists_in_real_time() {
    // No fixed instant: the server's clock. Every listed segment is there right away.
    let s = Server::start(&fixtures(), &[]);
    let playlists = follow(&s, "/livesim/tsbd_10/ffmpeg_livesim/", "manifest.m3u8", "");
    for p in playlists {
        assert!((5..=6).contains(&p.segments.len()), "{}", p.segments.len());
    }
}

fn dashkit(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `/dash/vod/<asset>/<stem>.m3u8` answers what `dashkit hls` writes next to that MPD, byte
/// for byte, for every playlist.
fn same_as_cli(s: &Server, fixture: &str) {
    let copy = tmp(&format!("cli-{fixture}"));
    copy_dir(&fixtures().join(fixture), &copy);
    dashkit(&["hls", copy.join("manifest.mpd").to_str().unwrap()]);
    let mut names: Vec<String> = std::fs::read_dir(&copy)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".m3u8"))
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let want = std::fs::read_to_string(copy.join(&name)).unwrap();
        let got = s.get(&format!("/dash/vod/{fixture}/{name}"));
        assert_eq!(got.status, 200, "{name}: {}", got.text());
        assert_eq!(
            got.header("content-type"),
            Some("application/vnd.apple.mpegurl")
        );
        assert_eq!(got.header("cache-control"), Some("public, max-age=86400"));
        assert_eq!(got.text(), want, "{fixture}/{name}");
    }
    let _ = std::fs::remove_dir_all(&copy);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

#[test]
fn vod_playlists_are_what_the_cli_writes() {
    let s = Server::start(&fixtures(), &[]);
    for fixture in ["ffmpeg_number", "shaka_live", "shaka_ondemand"] {
        let pl = follow(&s, &format!("/dash/vod/{fixture}/"), "manifest.m3u8", "");
        for p in &pl {
            assert!(p.end_list);
        }
    }
    for fixture in ["ffmpeg_number", "shaka_live", "shaka_ondemand"] {
        same_as_cli(&s, fixture);
    }
    // Unknown playlist names and playlists of no MPD are 404s.
    assert_eq!(s.get("/dash/vod/ffmpeg_number/other.m3u8").status, 404);
    assert_eq!(
        s.get("/dash/vod/ffmpeg_number/manifest_zz.m3u8").status,
        404
    );
}

#[test]
fn a_playlist_file_on_disk_is_served_as_it_is() {
    let root = tmp("on-disk");
    let dir = root.join("a");
    std::fs::create_dir_all(&dir).unwrap();
    copy_dir(&fixtures().join("ffmpeg_number"), &dir);
    std::fs::write(dir.join("manifest.m3u8"), "#EXTM3U\n# mine\n").unwrap();
    let s = Server::start(&root, &[]);
    assert_eq!(
        s.get("/dash/vod/a/manifest.m3u8").text(),
        "#EXTM3U\n# mine\n"
    );
    // Its media playlists, not on disk, are still the MPD's twins.
    let r = s.get("/dash/vod/a/manifest_0.m3u8");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(media(&r.text()).end_list);
    drop(s);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_ingested_channel_has_an_hls_twin() {
    // ffmpeg pushes 1 s segments for 8 s; its MPD's playlists list the segments received.
    let s = Server::start(&fixtures(), &["--ingest-token", "t0ken"]);
    let mut enc = support::encoder::push(&support::encoder::Push {
        addr: &s.addr,
        user: "enc",
        token: "t0ken",
        channel: "hlsch",
        size: "320x180",
        kbps: 300,
        gop: 25,
        seconds: 8,
        extra: &[],
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen = None;
    while std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let r = s.get("/live/hlsch/manifest_0.m3u8");
        if r.status == 200 && media(&r.text()).segments.len() >= 3 {
            seen = Some(r);
            break;
        }
    }
    let r = seen.expect("a media playlist with 3 segments within 20 s");
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.apple.mpegurl")
    );
    let playlists = follow(&s, "/live/hlsch/", "manifest.m3u8", "");
    for p in &playlists {
        for seg in &p.segments {
            // 1 s segments (25 frames; AAC frames end near the second).
            let ms = seg.duration.ticks() * 1000 / u64::from(seg.duration.timescale());
            assert!((900..=1100).contains(&ms), "{}: {ms} ms", seg.uri);
            assert!(seg.program_date_time.is_some());
        }
        assert!(p.target_duration >= 1);
    }
    let _ = enc.wait();
    // Unknown names stay 404.
    assert_eq!(s.get("/live/hlsch/nothing.m3u8").status, 404);
}

#[test]
fn livesim_chunkdur_is_low_latency_hls_with_blocking_reload_and_part_ranges() {
    let s = Server::start(&fixtures(), &[]);
    let base = "/livesim/chunkdur_0.5/tsbd_10/ffmpeg_livesim/";
    // Segment 850000000 runs from 1_700_000_000 s; its first two 0.5 s chunks are out.
    let q = "?nowMS=1700000001300";
    let r = s.get(&format!("{base}manifest_0.m3u8{q}"));
    assert_eq!(r.status, 200, "{}", r.text());
    let p = media(&r.text());
    assert!(p
        .server_control
        .as_ref()
        .is_some_and(|c| c.can_block_reload));
    assert_eq!(p.trailing_parts.len(), 2, "{}", r.text());
    let uri = &p.trailing_parts[0].uri;
    assert_eq!(uri, "0/850000000.m4s");
    // The whole segment, once all its chunks are out.
    let whole = s.get(&format!("{base}{uri}?nowMS=1700000003000"));
    assert_eq!(whole.status, 200);
    // Each part by its byte range, at the instant of the playlist: exactly those bytes.
    for part in &p.trailing_parts {
        let b = part.byte_range.unwrap();
        let (a, z) = (b.offset.unwrap(), b.offset.unwrap() + b.length - 1);
        let got = s.request(
            "GET",
            &format!("{base}{uri}{q}"),
            &[&format!("Range: bytes={a}-{z}")],
        );
        assert_eq!(got.status, 206, "{a}-{z}: {}", got.text());
        assert_eq!(
            got.header("content-range"),
            Some(format!("bytes {a}-{z}/{}", whole.body.len()).as_str())
        );
        assert_eq!(got.body, whole.body[a as usize..=z as usize]);
    }
    // A blocking reload for the next part is held until it is due (~0.2 s), then lists it.
    let t0 = std::time::Instant::now();
    let held = s.get(&format!(
        "{base}manifest_0.m3u8{q}&_HLS_msn=850000000&_HLS_part=2"
    ));
    assert_eq!(held.status, 200, "{}", held.text());
    assert!(
        t0.elapsed() >= std::time::Duration::from_millis(150),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(media(&held.text()).trailing_parts.len(), 3);
    // Too far ahead: 400.
    let far = s.get(&format!("{base}manifest_0.m3u8{q}&_HLS_msn=850000003"));
    assert_eq!(far.status, 400, "{}", far.text());
}
