//! Real players on `dashkit serve`'s HLS twins (issue 16): hls.js and Shaka Player in headless
//! Chromium play the live simulator's HLS for 30 s across loop wrap-arounds (the
//! ffmpeg_livesim loop is 10 s), a VoD asset's HLS twin to its end, and hls.js switches levels
//! on request in a multivariant playlist with an audio group, and both play a low-latency
//! ingested channel's twin in low-latency mode (parts, blocking reload) under 3 s of latency,
//! and both play the live simulator's `chunkdur_0.25` twin in low-latency mode under 3 s.
//!
//! Needs node, Debian's chromium and `npm ci` in tests/player (`bash .ci/install-player`);
//! missing tools fail the tests unless `DASHKIT_SKIP_PLAYER=1`. Run one at a time
//! (`-- --test-threads=1`): they are timing-sensitive.

#[path = "player/harness.rs"]
mod harness;
mod support;

use std::path::PathBuf;

use harness::{play, play_switching, player_tools, PlayOptions, Player};
use support::server::Server;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

#[test]
fn hlsjs_and_shaka_play_livesim_hls_across_loop_wraps() {
    let _alone = harness::one_test_at_a_time();
    let Some(tools) = player_tools() else { return };
    let server = Server::start(&fixtures(), &[]);
    let url = format!(
        "http://{}/livesim/tsbd_30/ffmpeg_livesim/manifest.m3u8",
        server.addr
    );
    for player in [Player::HlsJs, Player::Shaka] {
        let what = format!("{} on livesim HLS", player.arg());
        let r = play(
            &tools,
            &url,
            &PlayOptions {
                player,
                seconds: 30.0,
                startup_timeout_s: 30.0,
                ..PlayOptions::default()
            },
        );
        // 30 s of a 10 s loop: at least two wraps, played without a stall after startup.
        r.assert_clean(&what, 26.0, true);
        assert_eq!(r.player().0, player.arg(), "{}", r.json);
        assert_eq!(r.json["video"]["dynamic"], true, "{what}: {}", r.json);
        assert_eq!(r.video_size(), Some((320, 180)), "{what}: {}", r.json);
        assert_eq!(
            r.codecs(),
            (
                Some("avc1.4d400c".to_string()),
                Some("mp4a.40.2".to_string())
            ),
            "{what}: {}",
            r.json
        );
        // Live: the playlist is reloaded as it moves, and the latency stays inside the window.
        assert!(
            r.json["requests"]["manifest"].as_u64().unwrap_or(0) >= 6,
            "{what}: {}",
            r.json
        );
        let lat = r.latency();
        assert!(lat.len() >= 20, "{what}: {}", r.json);
        assert!(
            lat.iter().all(|&(_, l)| l > 0.0 && l < 30.0),
            "{what}: {lat:?}"
        );
        assert_eq!(r.hls_blocking_requests(), 0, "{what}: not low-latency");
    }
}

#[test]
fn hlsjs_and_shaka_play_a_vod_twin_to_the_end() {
    let _alone = harness::one_test_at_a_time();
    let Some(tools) = player_tools() else { return };
    let server = Server::start(&fixtures(), &[]);
    let url = format!(
        "http://{}/dash/vod/ffmpeg_number/manifest.m3u8",
        server.addr
    );
    for player in [Player::HlsJs, Player::Shaka] {
        let what = format!("{} on the VoD twin", player.arg());
        let r = play(
            &tools,
            &url,
            &PlayOptions {
                player,
                // 10 s of VoD: 13 s of wall time plays it to the end.
                seconds: 13.0,
                ..PlayOptions::default()
            },
        );
        r.assert_clean(&what, 8.0, true);
        assert_eq!(r.json["video"]["dynamic"], false, "{what}: {}", r.json);
        let end = r.json["playhead_end"].as_f64().unwrap_or(0.0);
        assert!(end >= 9.5, "{what}: playhead ended at {end}: {}", r.json);
    }
}

#[test]
fn hlsjs_switches_levels_with_an_audio_group() {
    let _alone = harness::one_test_at_a_time();
    // shaka_live: two video Representations (144p, 180p) and an audio one: two variants in
    // the twin's multivariant playlist, both naming the audio group.
    let Some(tools) = player_tools() else { return };
    let server = Server::start(&fixtures(), &[]);
    let top = server.get("/dash/vod/shaka_live/manifest.m3u8").text();
    assert_eq!(top.matches("#EXT-X-STREAM-INF:").count(), 2, "{top}");
    assert!(
        top.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\""),
        "{top}"
    );
    let url = format!("http://{}/dash/vod/shaka_live/manifest.m3u8", server.addr);
    let r = play_switching(
        &tools,
        &url,
        &PlayOptions {
            player: Player::HlsJs,
            seconds: 9.0,
            ..PlayOptions::default()
        },
        3.0,
    );
    r.assert_clean("hls.js switching", 6.0, true);
    let (asked, shown) = r.quality_switches();
    assert!(!asked.is_empty(), "{}", r.json);
    assert!(
        asked.iter().any(|a| shown.contains(a)),
        "asked {asked:?}, shown {shown:?}: {}",
        r.json
    );
}

#[test]
fn hlsjs_and_shaka_play_an_ingested_channels_twin() {
    let _alone = harness::one_test_at_a_time();
    // ffmpeg pushes 1 s segments (chunked uploads, -ldash 1) into the ingest origin; the
    // players read the channel's HLS twin, in normal (not low-latency) mode. Its chunks are
    // single frames (ffmpeg's streaming default), shorter than limits::MIN_HLS_PART_MS, so the
    // twin is the plain one (no parts, no blocking reload); the low-latency twin is played
    // below with 0.2 s chunks.
    let Some(tools) = player_tools() else { return };
    let server = Server::start(&fixtures(), &["--ingest-token", "t0ken"]);
    let mut enc = support::encoder::push(&support::encoder::Push {
        addr: &server.addr,
        user: "enc",
        token: "t0ken",
        channel: "hlsplay",
        size: "320x180",
        kbps: 300,
        gop: 25,
        seconds: 75,
        extra: &["-ldash", "1"],
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = server.get("/live/hlsplay/manifest_0.m3u8");
        if r.status == 200 && r.text().matches("#EXTINF").count() >= 4 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no playlist: {}",
            r.text()
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let url = format!("http://{}/live/hlsplay/manifest.m3u8", server.addr);
    for player in [Player::HlsJs, Player::Shaka] {
        let what = format!("{} on an ingested channel's HLS", player.arg());
        let r = play(
            &tools,
            &url,
            &PlayOptions {
                player,
                seconds: 20.0,
                startup_timeout_s: 20.0,
                ..PlayOptions::default()
            },
        );
        r.assert_clean(&what, 16.0, true);
        assert_eq!(r.json["video"]["dynamic"], true, "{what}: {}", r.json);
        assert_eq!(r.video_size(), Some((320, 180)), "{what}: {}", r.json);
        let lat = r.latency();
        assert!(lat.len() >= 10, "{what}: {}", r.json);
        assert!(
            lat.iter().all(|&(_, l)| l > 0.0 && l < 15.0),
            "{what}: {lat:?}"
        );
    }
    let _ = enc.kill();
    let _ = enc.wait();
}

#[test]
fn hlsjs_and_shaka_play_a_low_latency_channels_twin_under_3_s() {
    let _alone = harness::one_test_at_a_time();
    // ffmpeg pushes 1 s segments in 0.2 s CMAF chunks (-ldash 1 -streaming 1, fragments by
    // duration) into the ingest origin; the twin lists each chunk as an EXT-X-PART (a byte range
    // of the segment being uploaded) and answers blocking reloads. hls.js and Shaka play it in
    // their low-latency modes with a 1.5 s target; the issue asks for under 3 s.
    let Some(tools) = player_tools() else { return };
    let server = Server::start(&fixtures(), &["--ingest-token", "t0ken"]);
    let mut enc = support::encoder::push(&support::encoder::Push {
        addr: &server.addr,
        user: "enc",
        token: "t0ken",
        channel: "llhls",
        size: "320x180",
        kbps: 300,
        gop: 25,
        seconds: 120,
        extra: &[
            "-ldash",
            "1",
            "-frag_type",
            "duration",
            "-frag_duration",
            "0.2",
        ],
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let text = loop {
        let r = server.get("/live/llhls/manifest_0.m3u8");
        let t = r.text();
        if r.status == 200 && t.matches("#EXTINF").count() >= 3 && t.contains("#EXT-X-PART:") {
            break t;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no low-latency playlist: {t}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    // What the players get: parts of at most PART-TARGET, a hint, reports, blocking reload;
    // and it reads back through dashkit's parser to the same text.
    let parsed = dashkit::hls::parse(&text).unwrap();
    assert_eq!(dashkit::hls::write(&parsed), text);
    let dashkit::hls::Playlist::Media(m) = parsed else {
        panic!("{text}")
    };
    let target = m.part_target.expect("PART-INF");
    assert!(
        target <= dashkit::hls::Decimal::from_ticks(250, 1000).unwrap(),
        "{text}"
    );
    let sc = m.server_control.clone().expect("SERVER-CONTROL");
    assert!(sc.can_block_reload, "{text}");
    assert!(
        sc.part_hold_back.unwrap()
            >= target
                .checked_add(target)
                .unwrap()
                .checked_add(target)
                .unwrap()
    );
    for p in m
        .segments
        .iter()
        .flat_map(|s| &s.parts)
        .chain(&m.trailing_parts)
    {
        assert!(p.duration <= target, "{text}");
        assert!(p.byte_range.is_some(), "{text}");
    }
    assert_eq!(m.preload_hints.len(), 1, "{text}");
    assert_eq!(m.rendition_reports.len(), 1, "{text}");
    // A blocking reload far ahead is refused.
    let far = m.segments.len() as u64 + m.media_sequence + 5;
    assert_eq!(
        server
            .get(&format!("/live/llhls/manifest_0.m3u8?_HLS_msn={far}"))
            .status,
        400
    );
    let url = format!("http://{}/live/llhls/manifest.m3u8", server.addr);
    for player in [Player::HlsJs, Player::Shaka] {
        let what = format!("{} low-latency on an ingested channel's HLS", player.arg());
        let r = play(
            &tools,
            &url,
            &PlayOptions {
                player,
                seconds: 20.0,
                low_latency: true,
                target_latency_s: 1.5,
                startup_timeout_s: 20.0,
                ..PlayOptions::default()
            },
        );
        r.assert_clean(&what, 16.0, true);
        assert_eq!(r.json["video"]["dynamic"], true, "{what}: {}", r.json);
        assert_eq!(r.video_size(), Some((320, 180)), "{what}: {}", r.json);
        // Low-latency HLS in use: the playlist is reloaded blocking on the next part.
        assert!(
            r.hls_blocking_requests() >= 10,
            "{what}: {} blocking reloads: {}",
            r.hls_blocking_requests(),
            r.json
        );
        // The latency once the player has settled (5 s after it started playing).
        let start = r.startup_s().unwrap_or(0.0);
        let lat: Vec<f64> = r
            .latency()
            .into_iter()
            .filter(|(t, _)| *t > start + 5.0)
            .map(|(_, l)| l)
            .collect();
        assert!(lat.len() >= 10, "{what}: {}", r.json);
        let worst = lat.iter().cloned().fold(0.0, f64::max);
        let mean = lat.iter().sum::<f64>() / lat.len() as f64;
        eprintln!("{what}: live latency after 5 s: mean {mean:.2} s, max {worst:.2} s");
        assert!(lat.iter().all(|&l| l > 0.0), "{what}: {lat:?}");
        assert!(worst < 3.0, "{what}: latency {lat:?}");
    }
    let _ = enc.kill();
    let _ = enc.wait();
}

#[test]
fn hlsjs_and_shaka_play_livesim_chunkdur_in_low_latency_mode_under_3_s() {
    let _alone = harness::one_test_at_a_time();
    let Some(tools) = player_tools() else { return };
    // The live simulator cuts each 2 s segment into 0.25 s chunks (chunkdur_0.25): its media
    // playlists list them as parts, byte ranges of the segment being produced, with blocking
    // reload. hls.js (lowLatencyMode) and Shaka (streaming.lowLatencyMode) with a 1.5 s
    // target; the issue asks for under 3 s.
    let server = Server::start(&fixtures(), &[]);
    let base = "/livesim/chunkdur_0.25/tsbd_30/ffmpeg_livesim";
    let t = server.get(&format!("{base}/manifest_0.m3u8")).text();
    assert!(
        t.contains("#EXT-X-PART-INF:PART-TARGET=") && t.contains("CAN-BLOCK-RELOAD=YES"),
        "no low-latency playlist: {t}"
    );
    let url = format!("http://{}{base}/manifest.m3u8", server.addr);
    for player in [Player::HlsJs, Player::Shaka] {
        let what = format!("{} low-latency on livesim chunkdur_0.25 HLS", player.arg());
        let r = play(
            &tools,
            &url,
            &PlayOptions {
                player,
                seconds: 20.0,
                low_latency: true,
                target_latency_s: 1.5,
                startup_timeout_s: 20.0,
                ..PlayOptions::default()
            },
        );
        r.assert_clean(&what, 16.0, true);
        assert_eq!(r.json["video"]["dynamic"], true, "{what}: {}", r.json);
        assert_eq!(r.video_size(), Some((320, 180)), "{what}: {}", r.json);
        // Low-latency HLS in use: the playlist is reloaded blocking on the next part.
        assert!(
            r.hls_blocking_requests() >= 10,
            "{what}: {} blocking reloads: {}",
            r.hls_blocking_requests(),
            r.json
        );
        // The latency once the player has settled (5 s after it started playing).
        let start = r.startup_s().unwrap_or(0.0);
        let lat: Vec<f64> = r
            .latency()
            .into_iter()
            .filter(|(t, _)| *t > start + 5.0)
            .map(|(_, l)| l)
            .collect();
        assert!(lat.len() >= 10, "{what}: {}", r.json);
        let worst = lat.iter().cloned().fold(0.0, f64::max);
        let mean = lat.iter().sum::<f64>() / lat.len() as f64;
        eprintln!("{what}: live latency after 5 s: mean {mean:.2} s, max {worst:.2} s");
        assert!(lat.iter().all(|&l| l > 0.0), "{what}: {lat:?}");
        assert!(worst < 3.0, "{what}: latency {lat:?}");
    }
}
