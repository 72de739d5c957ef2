//! A real-time ffmpeg encoder pushing a test source (lavfi `testsrc2` + `sine`, H.264 + AAC) to
//! `dashkit serve`'s ingest with its dash muxer, as `user` with Basic auth.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};

/// What to push.
#[derive(Debug, Clone)]
pub struct Push<'a> {
    /// The server's address.
    pub addr: &'a str,
    /// The Basic-auth user name (names the source).
    pub user: &'a str,
    /// The ingest token (Basic-auth password).
    pub token: &'a str,
    /// The channel.
    pub channel: &'a str,
    /// Picture size, `WxH`.
    pub size: &'a str,
    /// Video bitrate in kbit/s.
    pub kbps: u32,
    /// Frames per GOP (25 fps).
    pub gop: u32,
    /// Seconds to run.
    pub seconds: u32,
    /// More output options (before the muxer's), e.g. `["-profile:v", "high"]`.
    pub extra: &'a [&'a str],
}

/// Starts ffmpeg (`-re`, 1 s segments, `$Number$` templates without a timeline, chunked
/// uploads). Panics, with the install command, when ffmpeg is missing.
pub fn push(p: &Push<'_>) -> Child {
    Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re"])
        .args([
            "-f",
            "lavfi",
            "-i",
            &format!("testsrc2=size={}:rate=25", p.size),
        ])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-t", &p.seconds.to_string()])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
        ])
        .args(["-g", &p.gop.to_string(), "-keyint_min", &p.gop.to_string()])
        .args(["-sc_threshold", "0", "-b:v", &format!("{}k", p.kbps)])
        .args(p.extra)
        .args(["-c:a", "aac", "-b:a", "48k"])
        .args(["-f", "dash", "-method", "PUT", "-streaming", "1"])
        .args([
            "-seg_duration",
            "1",
            "-use_template",
            "1",
            "-use_timeline",
            "0",
        ])
        .args(["-http_opts", "auth_type=basic"])
        .arg(format!(
            "http://{}:{}@{}/ingest/{}/manifest.mpd",
            p.user, p.token, p.addr, p.channel
        ))
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("ffmpeg is needed by this test (apt-get install -y ffmpeg): {e}")
        })
}
