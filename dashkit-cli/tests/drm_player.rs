//! Real players on encrypted live streams from `dashkit serve` (docs/encryption.md): dash.js and
//! Shaka Player in headless Chromium play `drm_eccp-cenc` and `drm_eccp-cbcs` livesim streams
//! for 30 s through Chromium's ClearKey EME, the keys fetched from the license URL the MPD
//! names; and a Shaka Packager raw-key asset served as live plays across the instant its video
//! tfdt grows from version 0 to version 1.
//!
//! Needs node, Debian's chromium and `npm ci` in tests/player (`bash .ci/install-player`), and
//! Shaka Packager for the pre-encrypted asset (`.ci/install-packager`); missing tools fail the
//! tests unless `DASHKIT_SKIP_PLAYER=1`. Run one at a time (`--test-threads=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "player/harness.rs"]
mod harness;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use harness::{play, player_tools, PlayOptions, PlayReport, Player};
use support::server::Server;

const KID: &str = "2880fe36e44bf9bf79d2752e234818a5";
const KEY: &str = "28463e36e44bf9bf79d2752e234818a5";

/// `serve` as a deployment for real players runs it: a segment asked up to 250 ms early
/// (a browser's clock estimate is off by that much on a loaded machine) is answered when it is
/// available rather than 425; what the player does with that stream is what is tested.
const PLAYER_SERVER: &[&str] = &["--early-hold-ms", "250"];

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-drm-player-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// 30 s of a live stream with ClearKey, the license from `license_url` (or the MPD's).
fn play_clearkey(
    server: &Server,
    path: &str,
    player: Player,
    license_url: Option<String>,
) -> PlayReport {
    let tools = player_tools().expect("player tools");
    play(
        &tools,
        &format!("http://{}{path}", server.addr),
        &PlayOptions {
            seconds: 30.0,
            startup_timeout_s: 30.0,
            player,
            clearkey: true,
            license_url,
            ..PlayOptions::default()
        },
    )
}

/// Stalls beyond the tolerance of [`assert_clean_run`].
fn stalls_beyond_tolerance(r: &PlayReport, startup_stalls: bool) -> Vec<(f64, String)> {
    let start = r.startup_s().unwrap_or(0.0);
    r.stalls()
        .into_iter()
        .filter(|(t, _)| !startup_stalls || *t > start + 5.0)
        .collect()
}

/// Runs `play` and, when the run was otherwise clean (no error, exit 0) but stalled beyond the
/// tolerance, once more: on this 2-core machine shared by several builds (load average 14
/// seen) a player now and then stalls mid-run on a clear stream as well. The second run must
/// pass every assertion; errors are never retried.
fn play_once_more_on_stalls(
    what: &str,
    startup_stalls: bool,
    play: impl Fn() -> PlayReport,
) -> PlayReport {
    let r = play();
    let stalls = stalls_beyond_tolerance(&r, startup_stalls);
    if r.exit_code == 0 && r.errors().is_empty() && !stalls.is_empty() {
        eprintln!("{what}: stalled {stalls:?} (machine load?); playing it once more");
        return play();
    }
    r
}

/// A clean 30 s with serve_player.rs's tolerances: no error, at most a few too-early answers,
/// and no stall at all, or (`startup_stalls`, its low-latency tolerance) none after the first
/// 5 s of playing.
fn assert_clean_run(r: &PlayReport, what: &str, startup_stalls: bool) {
    if !startup_stalls {
        r.assert_clean(what, 24.0, true);
        return;
    }
    r.assert_clean_allowing_stalls(what, 24.0, true);
    let start = r.startup_s().unwrap_or(0.0);
    let late: Vec<_> = r
        .stalls()
        .into_iter()
        .filter(|(t, _)| *t > start + 5.0)
        .collect();
    assert!(
        late.is_empty(),
        "{what}: stalls after the first 5 s: {late:?}"
    );
}

/// What every ClearKey run must show: the key system granted, license POSTs to `license`
/// only, and a clean 30 s ([`assert_clean_run`]).
fn assert_played_with_license(r: &PlayReport, what: &str, license: &str, startup_stalls: bool) {
    assert_clean_run(r, what, startup_stalls);
    assert!(
        r.key_systems()
            .iter()
            .any(|(ks, granted)| ks == "org.w3.clearkey" && *granted),
        "{what}: ClearKey not granted: {}",
        r.json
    );
    let licenses = r.license_requests();
    assert!(
        !licenses.is_empty(),
        "{what}: no license request: {}",
        r.json
    );
    assert!(
        licenses.iter().all(|u| u == license),
        "{what}: license requests {licenses:?}, expected {license}"
    );
    assert_eq!(r.json["video"]["dynamic"], true, "{what}");
}

#[test]
fn dashjs_and_shaka_play_eccp_cenc_and_cbcs_live_with_the_mpds_license() {
    let _alone = harness::one_test_at_a_time();
    if std::env::var("DASHKIT_SKIP_PLAYER").is_ok_and(|v| v == "1") {
        eprintln!("DASHKIT_SKIP_PLAYER=1: skipping a real-player test");
        return;
    }
    let server = Server::start(&repo().join("fixtures/dash"), PLAYER_SERVER);
    for scheme in ["cenc", "cbcs"] {
        for player in [Player::DashJs, Player::Shaka] {
            let path = format!("/livesim/drm_eccp-{scheme}/ffmpeg_livesim/manifest.mpd");
            let license = format!(
                "http://{}/livesim/drm_eccp-{scheme}/ffmpeg_livesim/eccp.json",
                server.addr
            );
            let what = format!("{} {path}", player.arg());
            let r = play_once_more_on_stalls(&what, false, || {
                play_clearkey(&server, &path, player, None)
            });
            assert_played_with_license(&r, &what, &license, false);
        }
    }
}

/// A Shaka Packager raw-key asset (the ECCP KID and key, `cbcs`) in `root/shaka_enc`, as
/// `drm_live.rs` makes it: Shaka's segments untouched, its audio SegmentTimeline replaced by
/// the nominal `@duration` the live simulator needs.
fn shaka_encrypted_asset(root: &Path, scheme: &str) {
    let out = Command::new("bash")
        .arg(repo().join(".ci/install-packager"))
        .output()
        .expect("bash .ci/install-packager");
    assert!(
        out.status.success(),
        "installing Shaka Packager failed (needs npm)"
    );
    let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let dir = root.join("shaka_enc");
    std::fs::create_dir_all(&dir).unwrap();
    let input = repo().join("fixtures/media/h264_aac.mp4");
    let status = Command::new(bin)
        .current_dir(&dir)
        .args([
            &format!(
                "in={},stream=video,init_segment=v/init.mp4,segment_template=v/$Number$.m4s",
                input.display()
            ),
            &format!(
                "in={},stream=audio,init_segment=a/init.mp4,segment_template=a/$Number$.m4s",
                input.display()
            ),
            "--quiet",
            "--segment_duration",
            "2",
            "--segment_template_constant_duration",
            "--generate_static_live_mpd",
            "--use_fake_clock_for_muxer",
            "--single_threaded",
            "--enable_raw_key_encryption",
            "--keys",
            &format!("label=:key_id={KID}:key={KEY}"),
            "--protection_scheme",
            scheme,
            "--protection_systems",
            "CommonSystem",
            "--clear_lead",
            "0",
            "--mpd_output",
            "manifest.mpd",
        ])
        .status()
        .expect("Shaka Packager");
    assert!(status.success(), "Shaka Packager failed");
    let path = dir.join("manifest.mpd");
    let mut mpd = dashkit::mpd::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for aset in &mut mpd.periods[0].adaptation_sets {
        for rep in &mut aset.representations {
            let t = rep.segment_template.as_mut().unwrap();
            if t.segment_timeline.take().is_some() {
                t.duration = Some(2 * u64::from(t.timescale.unwrap()));
            }
        }
    }
    std::fs::write(&path, dashkit::mpd::write(&mpd)).unwrap();
}

#[test]
fn dashjs_and_shaka_play_a_pre_encrypted_asset_across_tfdt_growth() {
    let _alone = harness::one_test_at_a_time();
    if std::env::var("DASHKIT_SKIP_PLAYER").is_ok_and(|v| v == "1") {
        eprintln!("DASHKIT_SKIP_PLAYER=1: skipping a real-player test");
        return;
    }
    let root = scratch("pre");
    shaka_encrypted_asset(&root, "cbcs");
    let server = Server::start(&root, PLAYER_SERVER);
    // Video at 12 800 ticks/s: its tfdt passes 2^32 at media time 335 544.32 s. With
    // start_S/timeoffset_T, media time is now − T and presentation (period) time is now − S:
    // the crossing comes 16 s after this instant, inside the 30 s each player plays from the
    // live edge (a few seconds behind now).
    let crossing_s = 4_294_967_296f64 / 12_800.0;
    // A path whose crossing comes 16 s after the instant it is made for: presentation time
    // 600 s at that instant (start_ 600 s before), the crossing at 616.32 s.
    let path_now = || {
        let now = now_s();
        let (start, t) = (now - 600, now - 335_544 + 16);
        format!("/livesim/start_{start}/timeoffset_{t}/shaka_enc/manifest.mpd")
    };
    let at = crossing_s - (335_544 - 616) as f64;
    for player in [Player::DashJs, Player::Shaka] {
        // The MPD keeps Shaka's ContentProtection (mp4protection with the KID, the W3C common
        // pssh) and names no license server. Shaka Player is given the ECCP license URL (the
        // KID is ECCP's). dash.js 5.2.1 given a ClearKey license URL for this MPD fails to
        // create its session ("DRM: unable to create session! --Error generating key request
        // -- TypeError", before any segment is decrypted or any license requested); with the
        // keys given directly it plays, so dash.js gets the keys.
        let mpd = server.get(&path_now());
        assert_eq!(mpd.status, 200);
        assert!(mpd
            .text()
            .contains("urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"));
        assert!(!mpd.text().contains("dashif:Laurl"));
        let license = format!("http://{}/livesim/shaka_enc/eccp.json", server.addr);
        let what = format!("{} pre-encrypted across tfdt growth", player.arg());
        let tools = player_tools().expect("player tools");
        let fixed = player == Player::DashJs;
        let r = play_once_more_on_stalls(&what, true, || {
            play(
                &tools,
                &format!("http://{}{}", server.addr, path_now()),
                &PlayOptions {
                    seconds: 30.0,
                    startup_timeout_s: 30.0,
                    player,
                    clearkey: true,
                    clearkey_keys: if fixed {
                        vec![(KID.to_string(), KEY.to_string())]
                    } else {
                        Vec::new()
                    },
                    license_url: (!fixed).then(|| license.clone()),
                    ..PlayOptions::default()
                },
            )
        });
        // Shaka Player stalled once about a second after it started playing this stream
        // (waiting for data at the live edge, 5.5 s behind), then never again: the
        // low-latency tolerance of serve_player.rs (no stall after the first 5 s) applies;
        // the tfdt growth comes about 16 s in.
        if fixed {
            assert_clean_run(&r, &what, true);
            assert!(r.license_requests().is_empty(), "{what}: {}", r.json);
            assert!(
                r.key_systems()
                    .iter()
                    .any(|(ks, granted)| ks == "org.w3.clearkey" && *granted),
                "{what}: {}",
                r.json
            );
        } else {
            assert_played_with_license(&r, &what, &license, true);
        }
        // The playhead (presentation time: media time − (S − T)) crossed the tfdt growth.
        let (a, b) = (
            r.json["playhead_start"].as_f64().unwrap(),
            r.json["playhead_end"].as_f64().unwrap(),
        );
        assert!(
            a < at && at < b,
            "{what}: played {a}..{b}, the tfdt grows at {at}: {}",
            r.json
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
