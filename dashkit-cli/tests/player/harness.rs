//! Real-player test harness, shared by integration tests: find node + Debian's chromium + the
//! npm packages of `tests/player`, serve a directory over loopback HTTP (CORS, HEAD, byte
//! ranges, POST answered with the file as a static license server), play a manifest in dash.js,
//! Shaka Player or hls.js (`play.mjs`) and parse mp4box.js reports (`mp4check.mjs`).
//!
//! A test file in `dashkit-cli/tests/` uses it with `#[path = "player/harness.rs"] mod harness;`.
//!
//! Missing tools fail the test: CI installs them (`.ci/install-player`). Only
//! `DASHKIT_SKIP_PLAYER=1` turns the browser tests into a skip with a message.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// Where the Node project lives: `dashkit-cli/tests/player`.
pub fn harness_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/player"))
}

/// The tools a browser test needs.
#[derive(Debug, Clone)]
pub struct PlayerTools {
    /// `node` (Node 18 or later).
    pub node: PathBuf,
    /// The Chromium binary (`$CHROMIUM`, default `/usr/bin/chromium`).
    pub chromium: PathBuf,
    /// `dashkit-cli/tests/player`, with `node_modules` installed.
    pub dir: PathBuf,
}

/// The player tools, or `None` (after an `eprintln`) when `DASHKIT_SKIP_PLAYER=1`.
/// Panics with the install command when something is missing: CI installs them.
pub fn player_tools() -> Option<PlayerTools> {
    if std::env::var("DASHKIT_SKIP_PLAYER").is_ok_and(|v| v == "1") {
        eprintln!("DASHKIT_SKIP_PLAYER=1: skipping a real-player test");
        return None;
    }
    let dir = harness_dir();
    let node = find_in_path("node").unwrap_or_else(|| {
        panic!("node is needed by the player tests (Node 18+; or set DASHKIT_SKIP_PLAYER=1)")
    });
    let chromium = PathBuf::from(
        std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string()),
    );
    assert!(
        chromium.is_file(),
        "{} is missing: run `bash .ci/install-player` (or set DASHKIT_SKIP_PLAYER=1)",
        chromium.display()
    );
    for pkg in [
        "dashjs",
        "playwright-core",
        "mp4box",
        "shaka-player",
        "hls.js",
    ] {
        assert!(
            dir.join("node_modules").join(pkg).is_dir(),
            "{}/node_modules/{pkg} is missing: run `bash .ci/install-player` (or set \
             DASHKIT_SKIP_PLAYER=1)",
            dir.display()
        );
    }
    Some(PlayerTools {
        node,
        chromium,
        dir,
    })
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Seconds after Shaka Player first plays in which its stalls are startup, not playback
/// ([`PlayReport::assert_clean`]).
pub const SHAKA_STARTUP_GRACE_S: f64 = 3.0;

/// Holds a test for its whole length so that only one test of a binary runs at a time. A test
/// that sets up something timed before it plays (an encoder pushing for N seconds, a session
/// whose event comes N seconds in) takes it first: [`play`] lets one browser run at a time, so
/// otherwise its player could start long after its setup, behind another test's players. A
/// lock of its own, not the browser's, which `play` takes inside it.
pub fn one_test_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Browser runs take most of the machine (2 cores): one at a time across a test binary.
fn browser_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Which player `play.mjs` runs (`--player`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Player {
    /// dash.js 5 (DASH).
    #[default]
    DashJs,
    /// Shaka Player 5 (DASH and HLS).
    Shaka,
    /// hls.js 1.7 (HLS).
    HlsJs,
}

impl Player {
    /// The `--player` value.
    pub fn arg(self) -> &'static str {
        match self {
            Player::DashJs => "dashjs",
            Player::Shaka => "shaka",
            Player::HlsJs => "hlsjs",
        }
    }
}

/// How to play (the flags of `play.mjs`).
#[derive(Debug, Clone)]
pub struct PlayOptions {
    /// Seconds to play, counted from the first `playing` event.
    pub seconds: f64,
    /// The player's low-latency mode holding `target_latency_s` (dash.js liveDelay + liveCatchup,
    /// Shaka lowLatencyMode + liveSync, hls.js lowLatencyMode + liveSyncDuration).
    pub low_latency: bool,
    /// Target live latency in seconds with `low_latency`.
    pub target_latency_s: f64,
    /// Give up when nothing plays by then.
    pub startup_timeout_s: f64,
    /// The player (`--player`, default dash.js).
    pub player: Player,
    /// Use the ClearKey license server the manifest names (`--clearkey`: a DASH-IF
    /// `dashif:Laurl` / `clearkey:Laurl` in the ClearKey ContentProtection).
    pub clearkey: bool,
    /// Fixed ClearKey keys as (KID, KEY), 32 hex digits each (`--clearkey-keys`); implies
    /// ClearKey. dash.js and Shaka only.
    pub clearkey_keys: Vec<(String, String)>,
    /// A ClearKey license server URL overriding the manifest's (`--license-url`).
    pub license_url: Option<String>,
    /// Report the in-band and MPD events the player surfaces (`--events`: SCTE-35
    /// `urn:scte:scte35:2013:bin` and `event_schemes`).
    pub events: bool,
    /// More event schemes to subscribe to (`--event-scheme`, repeatable; implies `events`).
    pub event_schemes: Vec<String>,
    /// Enable a text track and report the cues rendered (`--text-tracks`).
    pub text_tracks: bool,
    /// The text track's language (`--text-lang`; implies `text_tracks`); default the first.
    pub text_lang: Option<String>,
    /// Once playing, ask for the next video quality every so many seconds with ABR off
    /// (`--switch-quality`); [`play_switching`] sets it too.
    pub switch_quality_s: Option<f64>,
}

impl Default for PlayOptions {
    fn default() -> Self {
        PlayOptions {
            seconds: 8.0,
            low_latency: false,
            target_latency_s: 2.0,
            startup_timeout_s: 20.0,
            player: Player::DashJs,
            clearkey: false,
            clearkey_keys: Vec::new(),
            license_url: None,
            events: false,
            event_schemes: Vec::new(),
            text_tracks: false,
            text_lang: None,
            switch_quality_s: None,
        }
    }
}

/// What `play.mjs` printed (its one JSON line) and its exit code (0 played, 1 played badly,
/// 2 the harness failed). The JSON fields are listed in `play.mjs`; accessors cover the usual
/// ones, `json` has the rest.
#[derive(Debug, Clone)]
pub struct PlayReport {
    /// `play.mjs`'s exit code.
    pub exit_code: i32,
    /// The whole JSON line.
    pub json: Value,
    /// What `play.mjs` wrote to stderr.
    pub stderr: String,
}

impl PlayReport {
    /// Wall-clock seconds played after the first `playing`.
    pub fn seconds_played(&self) -> f64 {
        self.json["seconds_played"].as_f64().unwrap_or(0.0)
    }
    /// How far the playhead moved (media seconds) while playing.
    pub fn playhead_advance(&self) -> f64 {
        match (
            self.json["playhead_start"].as_f64(),
            self.json["playhead_end"].as_f64(),
        ) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        }
    }
    /// The player's ERROR events (dash.js ERROR, Shaka CRITICAL errors, hls.js fatal errors),
    /// media element errors and page errors, as text.
    pub fn errors(&self) -> Vec<String> {
        let mut v = Vec::new();
        for key in ["errors", "media_errors"] {
            for e in self.json[key].as_array().into_iter().flatten() {
                v.push(format!("{key}: code {} {}", e["code"], e["message"]));
            }
        }
        for e in self.json["page_errors"].as_array().into_iter().flatten() {
            v.push(format!("page: {e}"));
        }
        if let Some(h) = self.json["harness_error"].as_str() {
            v.push(format!("harness: {h}"));
        }
        v
    }
    /// Stall events (`waiting`, dash.js BUFFER_EMPTY) as (seconds since page start, kind),
    /// compare with `startup_s`.
    pub fn stalls(&self) -> Vec<(f64, String)> {
        self.json["stalls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                (
                    s["t"].as_f64().unwrap_or(0.0),
                    s["kind"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
    /// Seconds from page start to the first `playing` event.
    pub fn startup_s(&self) -> Option<f64> {
        self.json["startup_s"].as_f64()
    }
    /// Live latency samples (seconds since page start, latency seconds); empty for static.
    pub fn latency(&self) -> Vec<(f64, f64)> {
        self.json["latency"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
            .collect()
    }
    /// Segment (non-MPD) requests to the media origin.
    pub fn segment_requests(&self) -> u64 {
        self.json["requests"]["segments"].as_u64().unwrap_or(0)
    }
    /// Responses with status >= 400 and requests that failed, as text.
    pub fn http_failures(&self) -> Vec<String> {
        let mut v: Vec<String> = self.json["http_failures"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!("{} {}", f["status"], f["url"]))
            .collect();
        v.extend(
            self.json["request_failures"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| format!("{} {}", f["error"], f["url"])),
        );
        v
    }
    /// Decoded video size, when video played.
    pub fn video_size(&self) -> Option<(u64, u64)> {
        Some((
            self.json["video"]["video_width"].as_u64()?,
            self.json["video"]["video_height"].as_u64()?,
        ))
    }
    /// Codec strings of the representations dash.js played: (video, audio).
    pub fn codecs(&self) -> (Option<String>, Option<String>) {
        let c = |t: &str| {
            self.json["video"][format!("{t}_representation")]["codecs"]
                .as_str()
                .map(str::to_string)
        };
        (c("video"), c("audio"))
    }

    /// The player's non-fatal problems (Shaka RECOVERABLE errors, hls.js non-fatal ERROR
    /// events), as text: reported, not judged.
    pub fn warnings(&self) -> Vec<String> {
        self.json["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| match w["details"].as_str() {
                Some(d) => format!("{d}: {}", w["message"]),
                None => format!("code {} {}", w["code"], w["message"]),
            })
            .collect()
    }
    /// The player that ran (`dashjs`, `shaka`, `hlsjs`) and its version.
    pub fn player(&self) -> (String, String) {
        let s = |k: &str| self.json[k].as_str().unwrap_or("").to_string();
        (s("player"), s("player_version"))
    }
    /// Events the player surfaced (`--events`).
    pub fn events(&self) -> Vec<PlayerEvent> {
        self.json["events"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| PlayerEvent {
                source: e["source"].as_str().unwrap_or("").to_string(),
                scheme_id_uri: e["scheme_id_uri"].as_str().map(str::to_string),
                value: e["value"].as_str().map(str::to_string),
                id: match &e["id"] {
                    Value::Null => None,
                    Value::String(s) => Some(s.clone()),
                    v => Some(v.to_string()),
                },
                presentation_time: e["presentation_time"].as_f64(),
                duration: e["duration"].as_f64(),
                t: e["t"].as_f64().unwrap_or(0.0),
                wall: e["wall"].as_f64().unwrap_or(0.0),
                playhead: e["playhead"].as_f64(),
                message: e["message"].as_str().map(str::to_string),
            })
            .collect()
    }
    /// Text cues the browser made active while playing (`--text-tracks`), once each.
    pub fn cues(&self) -> Vec<Cue> {
        self.json["cues"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| Cue {
                start: c["start"].as_f64().unwrap_or(f64::NAN),
                end: c["end"].as_f64().unwrap_or(f64::NAN),
                text: c["text"].as_str().unwrap_or("").to_string(),
                language: c["language"].as_str().map(str::to_string),
                kind: c["kind"].as_str().map(str::to_string),
                t: c["t"].as_f64().unwrap_or(0.0),
            })
            .collect()
    }
    /// The text tracks the player listed (`--text-tracks`): (language, kind, mime type).
    pub fn text_tracks(&self) -> Vec<(Option<String>, Option<String>, Option<String>)> {
        let s = |v: &Value| v.as_str().map(str::to_string);
        self.json["text_tracks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| (s(&t["language"]), s(&t["kind"]), s(&t["mime_type"])))
            .collect()
    }
    /// URLs of the EME license requests (POSTs) the player made.
    pub fn license_requests(&self) -> Vec<String> {
        self.json["license_requests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["url"].as_str().map(str::to_string))
            .collect()
    }
    /// Key systems the page asked EME for, with whether the browser granted them.
    pub fn key_systems(&self) -> Vec<(String, bool)> {
        self.json["key_systems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| {
                Some((
                    k["key_system"].as_str()?.to_string(),
                    k["granted"].as_bool().unwrap_or(false),
                ))
            })
            .collect()
    }
    /// Requests to the media origin with an `_HLS_msn` or `_HLS_part` query (LL-HLS blocking
    /// playlist reloads and preload hints).
    pub fn hls_blocking_requests(&self) -> u64 {
        self.json["hls_blocking_requests"].as_u64().unwrap_or(0)
    }
    /// Quality switches asked for (`switch_quality_s`) and rendered, as ids.
    pub fn quality_switches(&self) -> (Vec<String>, Vec<String>) {
        let ids = |k: &str| {
            self.json[k]
                .as_array()
                .into_iter()
                .flatten()
                .map(|q| match &q["id"] {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                })
                .collect::<Vec<_>>()
        };
        (ids("quality_requests"), ids("quality_rendered"))
    }

    /// Asserts a clean run: exit 0, no error, no HTTP failure, played at least `min_advance_s`
    /// of media, no stall after startup, and video decoded when `expect_video`.
    ///
    /// Shaka Player alone gets [`SHAKA_STARTUP_GRACE_S`]: it starts a live stream at the live
    /// edge with a minimal buffer and may wait once within its first second of playing (seen in
    /// 1 of 2 to 1 of 4 runs on the loaded 2-core machine, on livesim and on ClearKey streams
    /// alike); any stall after that fails, and dash.js and hls.js get no grace at all.
    pub fn assert_clean(&self, what: &str, min_advance_s: f64, expect_video: bool) {
        self.assert_clean_allowing_stalls(what, min_advance_s, expect_video);
        if self.player().0 == "shaka" {
            let from = self.startup_s().unwrap_or(0.0) + SHAKA_STARTUP_GRACE_S;
            let late: Vec<_> = self
                .stalls()
                .into_iter()
                .filter(|(t, _)| *t > from)
                .collect();
            assert!(
                late.is_empty(),
                "stalls after {from} s {late:?}; {what}: {}",
                self.json
            );
        } else {
            assert_eq!(
                self.json["stalls_after_start"],
                0,
                "stalls after start {:?}; {what}: {}",
                self.stalls(),
                self.json
            );
        }
    }

    /// [`PlayReport::assert_clean`] without the stall check (the caller judges stalls, e.g.
    /// only those after the first seconds of a low-latency run).
    pub fn assert_clean_allowing_stalls(&self, what: &str, min_advance_s: f64, expect_video: bool) {
        self.assert_clean_allowing_stalls_and(what, min_advance_s, expect_video, &|_| false);
    }

    /// [`PlayReport::assert_clean_allowing_stalls`], where the request failures for which
    /// `players_own` is true are the player's own doing (e.g. dash.js abandoning the download
    /// of the rendition it switches away from) and not counted; the caller bounds them.
    pub fn assert_clean_allowing_stalls_and(
        &self,
        what: &str,
        min_advance_s: f64,
        expect_video: bool,
        players_own: &dyn Fn(&str) -> bool,
    ) {
        // The finding leads each message, the whole report follows: CI shows a message's head.
        let ctx = || format!("{what}: {}", self.json);
        let errors = self.errors();
        assert!(errors.is_empty(), "player errors {errors:?}; {}", ctx());
        assert_eq!(
            self.exit_code,
            0,
            "player exit {}: {}\nstderr: {}",
            self.exit_code,
            ctx(),
            self.stderr
        );
        // A live server answers a request made before the segment is available with 425 Too
        // Early, which dash.js retries: a player whose clock is a little ahead may hit it once
        // or twice in a run. More than that, or any other failure, is a fault.
        let failures: Vec<String> = self
            .http_failures()
            .into_iter()
            .filter(|f| !players_own(f))
            .collect();
        let (early, other): (Vec<_>, Vec<_>) =
            failures.into_iter().partition(|f| f.starts_with("425 "));
        assert!(other.is_empty(), "request failures {other:?}; {}", ctx());
        assert!(
            early.len() <= 3,
            "{} too-early answers {early:?}; {}",
            early.len(),
            ctx()
        );
        assert!(
            self.playhead_advance() >= min_advance_s,
            "playhead moved {:.2} s < {min_advance_s} s: {}",
            self.playhead_advance(),
            ctx()
        );
        assert!(
            self.segment_requests() > 0,
            "no segment requests: {}",
            ctx()
        );
        if expect_video {
            assert!(self.video_size().is_some(), "no video decoded: {}", ctx());
            assert!(self.codecs().0.is_some(), "no video codec: {}", ctx());
        }
    }
}

/// An event the player surfaced (`PlayOptions::events`).
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerEvent {
    /// Which API reported it: `dashjs`, `shaka-emsg`, `shaka-timelineregionenter`, `hlsjs-id3`.
    pub source: String,
    /// The event stream's scheme.
    pub scheme_id_uri: Option<String>,
    /// The event stream's value.
    pub value: Option<String>,
    /// The event's id.
    pub id: Option<String>,
    /// Its presentation time, seconds on the player's timeline.
    pub presentation_time: Option<f64>,
    /// Its duration in seconds.
    pub duration: Option<f64>,
    /// When it fired: seconds since page start.
    pub t: f64,
    /// When it fired: wall clock, epoch seconds.
    pub wall: f64,
    /// The playhead when it fired.
    pub playhead: Option<f64>,
    /// The message: text, or the first 100 bytes in hex.
    pub message: Option<String>,
}

/// A text cue the browser made active (`PlayOptions::text_tracks`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Start, media seconds.
    pub start: f64,
    /// End, media seconds.
    pub end: f64,
    /// The text (first 100 characters).
    pub text: String,
    /// The track's language.
    pub language: Option<String>,
    /// The track's kind (`subtitles`, `captions`, ...).
    pub kind: Option<String>,
    /// When it became active: seconds since page start.
    pub t: f64,
}

/// Plays `url` with `play.mjs` (one browser at a time) and returns its report.
/// Panics when `play.mjs` printed no JSON line.
pub fn play(tools: &PlayerTools, url: &str, opts: &PlayOptions) -> PlayReport {
    play_with(tools, url, opts, &[])
}

/// [`play`] asking the player, once playing, for the next video Representation every
/// `every_s` seconds with its ABR off (`--switch-quality`): the report's `quality_requests`
/// and `quality_rendered` list what was asked and what was shown.
pub fn play_switching(
    tools: &PlayerTools,
    url: &str,
    opts: &PlayOptions,
    every_s: f64,
) -> PlayReport {
    play_with(
        tools,
        url,
        opts,
        &["--switch-quality".to_string(), every_s.to_string()],
    )
}

/// Plays each `(url, options)` in its own browser, all at once (e.g. one player per edge
/// cache, so that they share the live window's timing), and returns their reports in order.
/// Still one such group at a time across a test binary.
pub fn play_together(tools: &PlayerTools, runs: &[(String, PlayOptions)]) -> Vec<PlayReport> {
    let _one_group_at_a_time = browser_lock();
    std::thread::scope(|s| {
        let players: Vec<_> = runs
            .iter()
            .map(|(url, opts)| s.spawn(move || run_play(tools, url, opts, &[])))
            .collect();
        players
            .into_iter()
            .map(|p| p.join().expect("a player thread"))
            .collect()
    })
}

fn play_with(tools: &PlayerTools, url: &str, opts: &PlayOptions, extra: &[String]) -> PlayReport {
    let _one_at_a_time = browser_lock();
    run_play(tools, url, opts, extra)
}

fn run_play(tools: &PlayerTools, url: &str, opts: &PlayOptions, extra: &[String]) -> PlayReport {
    let mut cmd = Command::new(&tools.node);
    cmd.arg(tools.dir.join("play.mjs"))
        .args(["--url", url])
        .args(["--seconds", &opts.seconds.to_string()])
        .args(["--startup-timeout", &opts.startup_timeout_s.to_string()])
        .arg("--chromium")
        .arg(&tools.chromium)
        .args(extra)
        .current_dir(&tools.dir)
        .stdin(Stdio::null());
    if opts.low_latency {
        cmd.arg("--low-latency")
            .args(["--target-latency", &opts.target_latency_s.to_string()]);
    }
    if opts.player != Player::DashJs {
        cmd.args(["--player", opts.player.arg()]);
    }
    if opts.clearkey {
        cmd.arg("--clearkey");
    }
    if !opts.clearkey_keys.is_empty() {
        let keys: Vec<String> = opts
            .clearkey_keys
            .iter()
            .map(|(kid, key)| format!("{kid}:{key}"))
            .collect();
        cmd.args(["--clearkey-keys", &keys.join(",")]);
    }
    if let Some(u) = &opts.license_url {
        cmd.args(["--license-url", u]);
    }
    if opts.events {
        cmd.arg("--events");
    }
    for s in &opts.event_schemes {
        cmd.args(["--event-scheme", s]);
    }
    if opts.text_tracks {
        cmd.arg("--text-tracks");
    }
    if let Some(l) = &opts.text_lang {
        cmd.args(["--text-lang", l]);
    }
    if let (Some(s), false) = (
        opts.switch_quality_s,
        extra.iter().any(|a| a == "--switch-quality"),
    ) {
        cmd.args(["--switch-quality", &s.to_string()]);
    }
    let out = cmd.output().expect("running node play.mjs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().rev().find(|l| l.starts_with('{'));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json: Value = match line.map(serde_json::from_str) {
        Some(Ok(v)) => v,
        _ => panic!("play.mjs printed no JSON line for {url}\nstdout: {stdout}\nstderr: {stderr}"),
    };
    PlayReport {
        exit_code: out.status.code().unwrap_or(-1),
        json,
        stderr,
    }
}

/// Runs `mp4check.mjs` with `args` (files, or `--concat INIT SEG...`): one JSON report per
/// input, plus the exit code (0 when every input parsed without error or warning).
pub fn mp4check(tools: &PlayerTools, args: &[&Path]) -> (i32, Vec<Value>) {
    let out = Command::new(&tools.node)
        .arg(tools.dir.join("mp4check.mjs"))
        .args(args)
        .current_dir(&tools.dir)
        .stdin(Stdio::null())
        .output()
        .expect("running node mp4check.mjs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let reports: Vec<Value> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| {
                panic!(
                    "mp4check.mjs printed {l:?} ({e}); stderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        })
        .collect();
    (out.status.code().unwrap_or(-1), reports)
}

// ---------------------------------------------------------------------------------------------
// A small static file server for tests: GET, HEAD and OPTIONS, single byte ranges, CORS on
// every answer, one thread per connection, keep-alive. Files outside `root` are never served.

/// A static HTTP server on 127.0.0.1 (free port), stopped on drop.
pub struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves the files under `root`.
    pub fn start(root: &Path) -> StaticServer {
        let root = root.canonicalize().expect("server root");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = serve_connection(conn, &root);
                });
            }
        });
        StaticServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `rel` (a path relative to the root, `/`-separated).
    pub fn url(&self, rel: &str) -> String {
        format!("{}/{}", self.base_url(), rel.trim_start_matches('/'))
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wake the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("mpd") => "application/dash+xml",
        Some("mp4") | Some("m4s") | Some("m4v") | Some("cmfv") => "video/mp4",
        Some("m4a") | Some("cmfa") => "audio/mp4",
        Some("json") => "application/json",
        Some("m3u8") => "application/vnd.apple.mpegurl",
        Some("vtt") => "text/vtt",
        Some("ttml") => "application/ttml+xml",
        Some("html") => "text/html",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` against `len` -> inclusive (start, end); `None` when
/// unsatisfiable or not a single range.
fn parse_range(v: &str, len: u64) -> Option<(u64, u64)> {
    let spec = v.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len - 1
        } else {
            b.parse::<u64>().ok()?.min(len - 1)
        };
        (start, end)
    };
    (start <= end && start < len).then_some((start, end))
}

fn serve_connection(conn: TcpStream, root: &Path) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, target) = match (parts.next(), parts.next()) {
            (Some(m), Some(t)) => (m.to_string(), t.to_string()),
            _ => return Ok(()),
        };
        let mut range = None;
        let mut close = false;
        let mut body_len: u64 = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "range" => range = Some(v.trim().to_string()),
                    "content-length" => body_len = v.trim().parse().unwrap_or(u64::MAX),
                    "connection" => close = v.trim().eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        // A request body (a POST's license challenge) is read and dropped; bounded.
        if body_len > MAX_REQUEST_BODY {
            return Ok(());
        }
        std::io::copy(&mut (&mut reader).take(body_len), &mut std::io::sink())?;
        respond(&mut out, &method, &target, range.as_deref(), root)?;
        out.flush()?;
        if close {
            let _ = out.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

/// The largest request body the static server reads (a ClearKey license request is a few
/// hundred bytes); a larger one closes the connection.
const MAX_REQUEST_BODY: u64 = 64 * 1024;

/// Answers one request (the connection loop handles keep-alive). A POST to an existing file
/// answers with the file, whatever the body: a static ClearKey license server when the file is
/// the license JSON (`{"keys":[{"kty":"oct","kid":..,"k":..}],"type":"temporary"}`).
fn respond(
    out: &mut TcpStream,
    method: &str,
    target: &str,
    range: Option<&str>,
    root: &Path,
) -> std::io::Result<()> {
    let cors = "Access-Control-Allow-Origin: *\r\n\
                Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS\r\n\
                Access-Control-Allow-Headers: *\r\n\
                Access-Control-Expose-Headers: Content-Length, Content-Range, Date\r\n";
    let reply = |out: &mut TcpStream, status: &str, extra: &str, body: &[u8]| {
        write!(
            out,
            "HTTP/1.1 {status}\r\n{cors}{extra}Content-Length: {}\r\n\r\n",
            body.len()
        )?;
        out.write_all(body)
    };
    if method == "OPTIONS" {
        reply(out, "204 No Content", "", b"")?;
        return Ok(());
    }
    if method != "GET" && method != "HEAD" && method != "POST" {
        reply(out, "405 Method Not Allowed", "", b"")?;
        return Ok(());
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let file = percent_decode(path).and_then(|p| {
        let rel = Path::new(p.trim_start_matches('/'));
        rel.components()
            .all(|c| matches!(c, Component::Normal(_)))
            .then(|| root.join(rel))
    });
    let file = file
        .and_then(|f| f.canonicalize().ok())
        .filter(|f| f.starts_with(root) && f.is_file());
    let Some(file) = file else {
        reply(
            out,
            "404 Not Found",
            "Content-Type: text/plain\r\n",
            b"not found\n",
        )?;
        return Ok(());
    };
    let mut f = std::fs::File::open(&file)?;
    let len = f.metadata()?.len();
    let ctype = content_type(&file);
    let range = if method == "POST" { None } else { range };
    let (status, start, end) = match range {
        None => ("200 OK", 0, len.saturating_sub(1)),
        Some(r) => match parse_range(r, len) {
            Some((s, e)) => ("206 Partial Content", s, e),
            None => {
                let extra = format!("Content-Range: bytes */{len}\r\n");
                reply(out, "416 Range Not Satisfiable", &extra, b"")?;
                return Ok(());
            }
        },
    };
    let count = if len == 0 { 0 } else { end - start + 1 };
    let mut head = format!(
        "HTTP/1.1 {status}\r\n{cors}Content-Type: {ctype}\r\nAccept-Ranges: bytes\r\n\
         Cache-Control: no-cache\r\nContent-Length: {count}\r\n"
    );
    if status.starts_with("206") {
        head.push_str(&format!("Content-Range: bytes {start}-{end}/{len}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if method != "HEAD" && count > 0 {
        f.seek(SeekFrom::Start(start))?;
        std::io::copy(&mut (&mut f).take(count), out)?;
    }
    Ok(())
}
