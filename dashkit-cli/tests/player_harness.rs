//! The real-player harness itself, on content dashkit already makes: Shaka Player plays a
//! livesim DASH stream from `dashkit serve`; Shaka and hls.js play the static HLS that
//! `dashkit hls` writes for a DASH fixture; dash.js and Shaka play `dashkit encrypt` output
//! through Chromium's ClearKey EME, with fixed keys and with the license server the MPD names.
//!
//! Needs node, Debian's chromium and `npm ci` in tests/player (`bash .ci/install-player`);
//! missing tools fail the tests unless `DASHKIT_SKIP_PLAYER=1`.

#[path = "player/harness.rs"]
mod harness;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use harness::{play, player_tools, PlayOptions, Player, StaticServer};
use support::server::Server;

const KID: &str = "0123456789abcdef0123456789abcdef";
const KEY: &str = "fedcba9876543210fedcba9876543210";

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "dashkit-player-harness-{}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn dashkit(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .output()
        .expect("running dashkit");
    assert!(
        out.status.success(),
        "dashkit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies the files (not directories) of `from` into `to`.
fn copy_files(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn shaka_plays_livesim_dash_from_dashkit_serve() {
    let Some(tools) = player_tools() else { return };
    let server = Server::start(&fixtures(), &[]);
    let url = format!("http://{}/livesim/ffmpeg_livesim/manifest.mpd", server.addr);
    let r = play(
        &tools,
        &url,
        &PlayOptions {
            player: Player::Shaka,
            seconds: 12.0,
            startup_timeout_s: 30.0,
            ..PlayOptions::default()
        },
    );
    // Shaka's 'buffering' events are stalls here: judged like dash.js's, none after startup.
    r.assert_clean("shaka livesim", 8.0, true);
    let (player, version) = r.player();
    assert_eq!(player, "shaka", "{}", r.json);
    assert!(version.starts_with("v5."), "{}", r.json);
    assert_eq!(r.json["video"]["dynamic"], true, "{}", r.json);
    assert_eq!(r.video_size(), Some((320, 180)), "{}", r.json);
    // Live latency sampled every second: present, positive and below the window.
    let lat = r.latency();
    assert!(lat.len() >= 8, "{}", r.json);
    assert!(
        lat.iter().all(|&(_, l)| l > 0.0 && l < 60.0),
        "{lat:?}: {}",
        r.json
    );
}

#[test]
fn shaka_and_hlsjs_play_dashkit_hls_of_a_fixture() {
    let Some(tools) = player_tools() else { return };
    let dir = scratch("hls");
    copy_files(&fixtures().join("ffmpeg_number"), &dir);
    dashkit(&["hls", dir.join("manifest.mpd").to_str().unwrap()]);
    assert!(dir.join("manifest.m3u8").is_file());
    let server = StaticServer::start(&dir);
    let url = server.url("manifest.m3u8");
    for player in [Player::HlsJs, Player::Shaka] {
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
        let what = format!("{} on dashkit hls", player.arg());
        r.assert_clean(&what, 8.0, true);
        assert_eq!(r.player().0, player.arg(), "{}", r.json);
        assert_eq!(r.json["video"]["dynamic"], false, "{what}: {}", r.json);
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
        // Played to the end of the 10 s presentation.
        let end = r.json["playhead_end"].as_f64().unwrap_or(0.0);
        assert!(end >= 9.5, "{what}: playhead ended at {end}: {}", r.json);
        assert!(
            r.json["requests"]["manifest"].as_u64().unwrap_or(0) >= 3,
            "{what}"
        );
        assert_eq!(r.hls_blocking_requests(), 0, "{what}: VoD");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `ffmpeg_number` encrypted by `dashkit encrypt` (cenc, one key for both tracks) beside an MPD
/// carrying the DASH-IF ClearKey signalling: mp4protection with the default KID, and the
/// ClearKey ContentProtection whose `dashif:Laurl` is `license_url` (absolute, as livesim2
/// writes it: dash.js resolves a relative one against the page, not the MPD), there
/// `license.json`, a static license.
fn encrypted_fixture(dir: &Path, license_url: &str) {
    let src = fixtures().join("ffmpeg_number");
    let key = format!("{KID}:{KEY}");
    for rep in ["0", "1"] {
        let init = src.join(format!("init-{rep}.m4s"));
        let out = dir.join(format!("init-{rep}.m4s"));
        dashkit(&[
            "encrypt",
            init.to_str().unwrap(),
            out.to_str().unwrap(),
            "--scheme",
            "cenc",
            "--key",
            &key,
        ]);
        for n in 1..=5 {
            let name = format!("chunk-{rep}-{n:05}.m4s");
            let (clear, enc) = (src.join(&name), dir.join(&name));
            dashkit(&[
                "encrypt",
                clear.to_str().unwrap(),
                enc.to_str().unwrap(),
                "--init",
                init.to_str().unwrap(),
                "--scheme",
                "cenc",
                "--key",
                &key,
            ]);
            assert_ne!(std::fs::read(&clear).unwrap(), std::fs::read(&enc).unwrap());
        }
    }
    let kid_uuid = format!(
        "{}-{}-{}-{}-{}",
        &KID[0..8],
        &KID[8..12],
        &KID[12..16],
        &KID[16..20],
        &KID[20..32]
    );
    let protection = format!(
        r#"
			<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="{kid_uuid}"/>
			<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0">
				<dashif:Laurl>{license_url}</dashif:Laurl>
			</ContentProtection>"#
    );
    let mpd = std::fs::read_to_string(src.join("manifest.mpd")).unwrap();
    let mut out = String::new();
    for line in mpd.lines() {
        let line = line.replace(
            r#"xmlns="urn:mpeg:dash:schema:mpd:2011""#,
            r#"xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" xmlns:dashif="https://dashif.org/CPS""#,
        );
        out.push_str(&line);
        if line.trim_start().starts_with("<AdaptationSet ") {
            out.push_str(&protection);
        }
        out.push('\n');
    }
    assert_eq!(out.matches("<ContentProtection ").count(), 4, "{out}");
    std::fs::write(dir.join("manifest.mpd"), out).unwrap();
    // The ClearKey license (W3C EME JSON Web Key set): base64url KID and key, no padding.
    let b64url = |hex: &str| {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        base64url(&bytes)
    };
    let license = format!(
        r#"{{"keys":[{{"kty":"oct","kid":"{}","k":"{}"}}],"type":"temporary"}}"#,
        b64url(KID),
        b64url(KEY)
    );
    std::fs::write(dir.join("license.json"), license).unwrap();
}

fn base64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    s
}

#[test]
fn dashjs_and_shaka_play_dashkit_encrypt_output_through_clearkey() {
    let Some(tools) = player_tools() else { return };
    let dir = scratch("clearkey");
    let server = StaticServer::start(&dir);
    encrypted_fixture(&dir, &server.url("license.json"));
    let url = server.url("manifest.mpd");
    for player in [Player::DashJs, Player::Shaka] {
        // Fixed keys (`--clearkey-keys`), then the license server the MPD names (`--clearkey`).
        for fixed in [true, false] {
            let what = format!(
                "{} clearkey {}",
                player.arg(),
                if fixed { "keys" } else { "laurl" }
            );
            let r = play(
                &tools,
                &url,
                &PlayOptions {
                    player,
                    seconds: 5.0,
                    clearkey: !fixed,
                    clearkey_keys: if fixed {
                        vec![(KID.to_string(), KEY.to_string())]
                    } else {
                        Vec::new()
                    },
                    ..PlayOptions::default()
                },
            );
            r.assert_clean(&what, 3.0, true);
            assert!(
                r.key_systems()
                    .iter()
                    .any(|(ks, granted)| ks == "org.w3.clearkey" && *granted),
                "{what}: {}",
                r.json
            );
            assert_eq!(r.json["video"]["media_keys"], true, "{what}: {}", r.json);
            let decoded = r.json["video"]["decoded_frames"].as_u64().unwrap_or(0);
            assert!(decoded >= 50, "{what}: {decoded} frames: {}", r.json);
            let licenses = r.license_requests();
            if fixed {
                assert_eq!(licenses, Vec::<String>::new(), "{what}: {}", r.json);
            } else {
                assert!(!licenses.is_empty(), "{what}: {}", r.json);
                assert!(
                    licenses.iter().all(|u| u == &server.url("license.json")),
                    "{what}: {licenses:?}"
                );
            }
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

const VTT: &str = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nFirst cue from dashkit\n\n\
                   00:00:02.500 --> 00:00:04.000\nSecond cue\n\n\
                   00:00:04.500 --> 00:00:06.000\nThird cue\n";

#[test]
fn text_tracks_report_sidecar_webvtt_cues_in_each_player() {
    let Some(tools) = player_tools() else { return };
    let dir = scratch("text");
    copy_files(&fixtures().join("ffmpeg_number"), &dir);
    dashkit(&["hls", dir.join("manifest.mpd").to_str().unwrap()]);
    // One English WebVTT file beside the media: a text AdaptationSet in the MPD, a SUBTITLES
    // rendition in the multivariant playlist.
    std::fs::write(dir.join("subs_en.vtt"), VTT).unwrap();
    std::fs::write(
        dir.join("subs_en.m3u8"),
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:1\n\
         #EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:10.000,\nsubs_en.vtt\n#EXT-X-ENDLIST\n",
    )
    .unwrap();
    let m3u8 = std::fs::read_to_string(dir.join("manifest.m3u8")).unwrap();
    let m3u8 = m3u8
        .replacen(
            "#EXT-X-STREAM-INF:",
            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",\
             DEFAULT=YES,AUTOSELECT=YES,URI=\"subs_en.m3u8\"\n#EXT-X-STREAM-INF:",
            1,
        )
        .replace("AUDIO=\"audio\"", "AUDIO=\"audio\",SUBTITLES=\"subs\"");
    assert!(m3u8.contains("SUBTITLES=\"subs\""), "{m3u8}");
    std::fs::write(dir.join("subs.m3u8"), m3u8).unwrap();
    let mpd = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
    let mpd = mpd.replace(
        "</Period>",
        "<AdaptationSet id=\"2\" contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\">\n\
         <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"subtitle\"/>\n\
         <Representation id=\"subs_en\" bandwidth=\"256\"><BaseURL>subs_en.vtt</BaseURL>\
         </Representation>\n</AdaptationSet>\n</Period>",
    );
    std::fs::write(dir.join("subs.mpd"), mpd).unwrap();
    let server = StaticServer::start(&dir);
    for (player, manifest) in [
        (Player::DashJs, "subs.mpd"),
        (Player::Shaka, "subs.mpd"),
        (Player::HlsJs, "subs.m3u8"),
    ] {
        let what = format!("{} text tracks of {manifest}", player.arg());
        let r = play(
            &tools,
            &server.url(manifest),
            &PlayOptions {
                player,
                seconds: 7.0,
                text_lang: Some("en".to_string()),
                ..PlayOptions::default()
            },
        );
        r.assert_clean(&what, 5.0, true);
        let tracks = r.text_tracks();
        assert_eq!(tracks.len(), 1, "{what}: {}", r.json);
        assert_eq!(tracks[0].0.as_deref(), Some("en"), "{what}: {}", r.json);
        let cues: Vec<(f64, f64, String)> = r
            .cues()
            .into_iter()
            .map(|c| {
                assert_eq!(c.language.as_deref(), Some("en"), "{what}: {}", r.json);
                (c.start, c.end, c.text)
            })
            .collect();
        assert_eq!(
            cues,
            vec![
                (0.5, 2.0, "First cue from dashkit".to_string()),
                (2.5, 4.0, "Second cue".to_string()),
                (4.5, 6.0, "Third cue".to_string()),
            ],
            "{what}: {}",
            r.json
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn events_report_mpd_event_streams_in_dashjs_and_shaka() {
    let Some(tools) = player_tools() else { return };
    let dir = scratch("events");
    copy_files(&fixtures().join("ffmpeg_number"), &dir);
    // Two MPD EventStreams: SCTE-35 (a splice_insert, base64 as the Event's text) and one of
    // this test's own scheme, subscribed with `event_schemes`.
    let mpd = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
    let period = r#"<Period id="0" start="PT0.0S">"#;
    assert!(mpd.contains(period));
    let mpd = mpd.replace(
        period,
        &format!(
            "{period}\n<EventStream schemeIdUri=\"urn:scte:scte35:2013:bin\" timescale=\"1000\">\
             <Event presentationTime=\"1500\" duration=\"2000\" id=\"7\">\
             /DAlAAAAAAAAAP/wFAUAAAABf+/+AAAAAH4AKTLgAAEAAAAAbWtM4A==</Event></EventStream>\n\
             <EventStream schemeIdUri=\"urn:dashkit:test:2026\" value=\"v1\" timescale=\"10\">\
             <Event presentationTime=\"40\" duration=\"10\" id=\"42\">hello</Event>\
             </EventStream>"
        ),
    );
    std::fs::write(dir.join("events.mpd"), mpd).unwrap();
    let server = StaticServer::start(&dir);
    for player in [Player::DashJs, Player::Shaka] {
        let what = format!("{} events", player.arg());
        let r = play(
            &tools,
            &server.url("events.mpd"),
            &PlayOptions {
                player,
                seconds: 6.0,
                events: true,
                event_schemes: vec!["urn:dashkit:test:2026".to_string()],
                ..PlayOptions::default()
            },
        );
        r.assert_clean(&what, 4.5, true);
        let events = r.events();
        for (scheme, id, start, duration) in [
            ("urn:scte:scte35:2013:bin", "7", 1.5, 2.0),
            ("urn:dashkit:test:2026", "42", 4.0, 1.0),
        ] {
            let hits: Vec<_> = events
                .iter()
                .filter(|e| e.scheme_id_uri.as_deref() == Some(scheme))
                .collect();
            assert_eq!(hits.len(), 1, "{what}: {scheme}: {}", r.json);
            let e = hits[0];
            assert_eq!(e.id.as_deref(), Some(id), "{what}: {}", r.json);
            assert_eq!(e.presentation_time, Some(start), "{what}: {}", r.json);
            assert_eq!(e.duration, Some(duration), "{what}: {}", r.json);
            // Fired when the playhead reached it (sampled a little later on a loaded machine).
            let at = e.playhead.unwrap_or(-1.0);
            assert!(
                at >= start - 0.5 && at < start + duration,
                "{what}: {scheme} fired at {at}: {}",
                r.json
            );
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
