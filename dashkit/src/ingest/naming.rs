//! What an ingest path names: the channel (the publishing point), and within it either a file
//! of a DASH upload (interface 2 style: a name per segment, as ffmpeg's dash muxer PUTs them)
//! or a CMAF track (DASH-IF Live Media Ingest interface 1: every segment of the track POSTed to
//! one URL, `Streams(name)` or a `.cmfv`/`.cmfa`/`.cmft`/`.cmfm` path without a segment number).
//!
//! The naming guesses of an origin that reads no MPD live here: the stream a numbered segment
//! belongs to ([`stream_key`]), which names hold media ([`is_media_name`]) or an init segment
//! ([`is_init_name`]), and which init segment a media segment uses ([`init_for`]).

use std::collections::HashMap;

use bytes::Bytes;

/// Longest channel name.
pub(crate) const MAX_CHANNEL_NAME: usize = 64;
/// Longest path inside a channel (bytes, decoded).
pub(crate) const MAX_PATH_LEN: usize = 1024;

/// What an upload path (after the `/ingest/` prefix) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IngestPath {
    /// The channel: the first component, `[A-Za-z0-9._-]{1,64}`.
    pub channel: String,
    /// What inside the channel; `None` for the publishing point itself (`/ingest/<channel>`).
    pub target: Option<Target>,
}

/// A file of the channel or a CMAF track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A named file: the MPD, an init segment, a numbered media segment, anything else.
    File(String),
    /// A CMAF track whose segments all arrive at one URL (interface 1). Its files are read back
    /// as `<name>/init.mp4` and `<name>/<tfdt>.m4s` (the track's `$Time$`).
    Track(String),
}

/// Why a path is refused (answered 403: "incorrect path", DASH-IF ingest §4.3 item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NamingError {
    /// A bad percent escape or non-UTF-8 bytes.
    #[error("malformed percent-encoding")]
    Encoding,
    /// Control characters or a backslash.
    #[error("control characters or backslash in the path")]
    Characters,
    /// A `..` component (outside the channel).
    #[error("`..` leaves the channel")]
    Parent,
    /// The channel name is not `[A-Za-z0-9._-]{1,64}`.
    #[error("channel names are [A-Za-z0-9._-]{{1,64}}")]
    Channel,
    /// The path is longer than `MAX_PATH_LEN`.
    #[error("path longer than {MAX_PATH_LEN} bytes")]
    TooLong,
}

/// CMAF track file extensions (ISO/IEC 23000-19 Annex: video, audio, text, metadata).
const TRACK_EXTENSIONS: [&str; 4] = ["cmfv", "cmfa", "cmft", "cmfm"];

/// Decodes a percent-encoded path into its components: empty and `.` components are dropped,
/// `..` is refused.
pub(crate) fn decode_components(path: &str) -> Result<Vec<String>, NamingError> {
    decode_path(path, MAX_PATH_LEN)
}

/// The one path decoder of the origin (ingest paths here, every request path in
/// [`crate::origin::files::decode_components`]): percent-decoded once, at most `max_len`
/// bytes decoded, no control characters or backslashes, empty and `.` components dropped,
/// `..` refused.
pub(crate) fn decode_path(path: &str, max_len: usize) -> Result<Vec<String>, NamingError> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(NamingError::Encoding)?;
            let s = std::str::from_utf8(hex).map_err(|_| NamingError::Encoding)?;
            out.push(u8::from_str_radix(s, 16).map_err(|_| NamingError::Encoding)?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    let text = String::from_utf8(out).map_err(|_| NamingError::Encoding)?;
    if text.len() > max_len {
        return Err(NamingError::TooLong);
    }
    if text.chars().any(|c| c.is_control() || c == '\\') {
        return Err(NamingError::Characters);
    }
    let mut comps = Vec::new();
    for c in text.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(NamingError::Parent),
            _ => comps.push(c.to_string()),
        }
    }
    Ok(comps)
}

/// Whether `c` is a valid channel name.
pub(crate) fn valid_channel(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= MAX_CHANNEL_NAME
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Parses an upload path (percent-encoded, after `/ingest/`).
pub(crate) fn parse_ingest_path(raw: &str) -> Result<IngestPath, NamingError> {
    let comps = decode_components(raw)?;
    let Some((channel, rest)) = comps.split_first() else {
        return Err(NamingError::Channel);
    };
    if !valid_channel(channel) {
        return Err(NamingError::Channel);
    }
    let target = if rest.is_empty() {
        None
    } else {
        Some(classify(rest))
    };
    Ok(IngestPath {
        channel: channel.clone(),
        target,
    })
}

/// `Streams(name)` anywhere in the path names a track (folders before it are kept in its
/// name); a CMAF track extension on a name without a segment number names a track; anything
/// else is a file.
fn classify(rest: &[String]) -> Target {
    let mut prefix = Vec::new();
    for c in rest {
        if let Some(name) = c
            .strip_prefix("Streams(")
            .and_then(|s| s.strip_suffix(')'))
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        {
            prefix.push(name.to_string());
            return Target::Track(prefix.join("/"));
        }
        prefix.push(c.clone());
    }
    let path = rest.join("/");
    let ext = path.rsplit('.').next().unwrap_or("");
    if TRACK_EXTENSIONS.contains(&ext) && !is_init_name(&path) && stream_key(&path).is_none() {
        return Target::Track(path);
    }
    Target::File(path)
}

/// The stream a segment belongs to and its number: the path with its last run of digits
/// taken out (`chunk-stream0-00042.m4s` → `chunk-stream0-.m4s`, 42). The extension (`.m4s`,
/// `.mp4`) may hold digits of its own, so the run is looked for before it.
pub(crate) fn stream_key(path: &str) -> Option<(String, u64)> {
    let stem_end = path
        .rfind('.')
        .filter(|d| !path[*d..].contains('/'))
        .unwrap_or(path.len());
    let b = path.as_bytes().get(..stem_end)?;
    let end = b.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = b[..end]
        .iter()
        .rposition(|c| !c.is_ascii_digit())
        .map_or(0, |p| p + 1);
    let n = path.get(start..end)?.parse().ok()?;
    Some((format!("{}{}", &path[..start], &path[end..]), n))
}

/// Whether the name's extension is one of ISO-BMFF media (`m4s`, `mp4`, `cmf?`, `m4v`, `m4a`).
pub(crate) fn is_media_name(path: &str) -> bool {
    let ext = path.rsplit('.').next().unwrap_or("");
    matches!(
        ext,
        "m4s" | "mp4" | "cmfv" | "cmfa" | "cmft" | "cmfm" | "m4v" | "m4a" | "cmfi"
    )
}

/// An init segment by its name (`init.mp4`, ffmpeg's `init-stream0.m4s`, GPAC's
/// `video_init.mp4`): the file name contains "init". Init segments take no part in the
/// numbering rule (the digit in `init-stream1.m4s` names a stream).
pub(crate) fn is_init_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.to_ascii_lowercase().contains("init")
}

/// Whether the name is an MPD.
pub(crate) fn is_mpd_name(path: &str) -> bool {
    path.ends_with(".mpd")
}

/// A media segment's stream: numbered, media, and not an init segment.
pub(crate) fn media_key(path: &str) -> Option<(String, u64)> {
    (is_media_name(path) && !is_init_name(path))
        .then(|| stream_key(path))
        .flatten()
}

/// The runs of digits in a name (`chunk-stream0-00042.m4s` → ["0", "00042"]).
fn digit_runs(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect()
}

/// The path without its extension (`.m4s` holds a digit of its own).
fn stem(p: &str) -> &str {
    match p.rfind('.') {
        Some(d) if !p[d..].contains('/') => &p[..d],
        _ => p,
    }
}

fn dir(p: &str) -> &str {
    p.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The init segment (its `moov`) of a media segment: in the same folder, named with the same
/// digit runs but the last (ffmpeg's `init-stream0.m4s` for `chunk-stream0-00042.m4s`;
/// `V300/init.mp4` for `V300/5.m4s`).
pub(crate) fn init_for<'a>(media: &str, inits: &'a HashMap<String, Bytes>) -> Option<&'a Bytes> {
    let mut runs = digit_runs(stem(media));
    runs.pop();
    let mut found: Vec<(&String, &Bytes)> = inits
        .iter()
        .filter(|(p, _)| dir(p) == dir(media) && digit_runs(stem(p)) == runs)
        .collect();
    // Deterministic when several match (HashMap order is not).
    found.sort_by(|a, b| a.0.cmp(b.0));
    found.first().map(|(_, m)| *m)
}

/// A track's init segment as readers see it.
pub(crate) fn track_init_path(track: &str) -> String {
    format!("{track}/init.mp4")
}

/// A track's segment as readers see it: its decode time, as `$Time$`.
pub(crate) fn track_segment_path(track: &str, decode_time: u64) -> String {
    format!("{track}/{decode_time}.m4s")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn stream_keys() {
        assert_eq!(
            stream_key("chunk-stream0-00042.m4s"),
            Some(("chunk-stream0-.m4s".to_string(), 42))
        );
        assert_eq!(stream_key("v/7.m4s"), Some(("v/.m4s".to_string(), 7)));
        assert_eq!(stream_key("init.mp4"), None);
        assert_eq!(
            stream_key("v1/init.m4s"),
            Some(("v/init.m4s".to_string(), 1))
        );
        assert_eq!(stream_key("a.b/7"), Some(("a.b/".to_string(), 7)));
    }

    #[test]
    fn inits_are_not_numbered_media() {
        assert_eq!(media_key("init-stream1.m4s"), None);
        assert_eq!(media_key("manifest.mpd"), None);
        assert_eq!(
            media_key("chunk-stream1-00003.m4s"),
            Some(("chunk-stream1-.m4s".into(), 3))
        );
    }

    #[test]
    fn init_for_matches_digit_runs_in_the_same_folder() {
        let mut inits = HashMap::new();
        inits.insert("init-stream0.m4s".to_string(), Bytes::from_static(b"0"));
        inits.insert("init-stream1.m4s".to_string(), Bytes::from_static(b"1"));
        inits.insert("V300/init.mp4".to_string(), Bytes::from_static(b"v"));
        assert_eq!(
            init_for("chunk-stream1-00042.m4s", &inits)
                .unwrap()
                .as_ref(),
            b"1"
        );
        assert_eq!(init_for("V300/5.m4s", &inits).unwrap().as_ref(), b"v");
        assert_eq!(init_for("V400/5.m4s", &inits), None);
    }

    #[test]
    fn paths_are_classified() {
        let t = |raw: &str| parse_ingest_path(raw).unwrap().target;
        assert_eq!(t("ch"), None);
        assert_eq!(t("ch/"), None);
        assert_eq!(t("ch/Streams(a)"), Some(Target::Track("a".into())));
        assert_eq!(
            t("ch/sub/Streams(a.cmfa)"),
            Some(Target::Track("sub/a.cmfa".into()))
        );
        assert_eq!(t("ch/video.cmfv"), Some(Target::Track("video.cmfv".into())));
        // A numbered .cmfv is a segment of its own (a SegmentTemplate name).
        assert_eq!(t("ch/v/5.cmfv"), Some(Target::File("v/5.cmfv".into())));
        assert_eq!(t("ch/init.cmfv"), Some(Target::File("init.cmfv".into())));
        assert_eq!(t("ch/Streams()"), Some(Target::File("Streams()".into())));
    }

    #[test]
    fn bad_paths_are_refused() {
        assert_eq!(
            parse_ingest_path("bad%20name/x.mpd"),
            Err(NamingError::Channel)
        );
        assert_eq!(parse_ingest_path("ch/../x.mpd"), Err(NamingError::Parent));
        assert_eq!(parse_ingest_path("ch/%zz"), Err(NamingError::Encoding));
        assert_eq!(parse_ingest_path("ch/a%0Ab"), Err(NamingError::Characters));
        assert_eq!(parse_ingest_path(""), Err(NamingError::Channel));
        let long = format!("ch/{}", "a".repeat(MAX_PATH_LEN));
        assert_eq!(parse_ingest_path(&long), Err(NamingError::TooLong));
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn decode_components() {
        use crate::ingest::naming::decode_components;
        assert_eq!(
            decode_components("ch/a%20b//./c.m4s").unwrap(),
            ["ch", "a b", "c.m4s"]
        );
        assert!(decode_components("ch/../x").is_err());
    }

    #[test]
    fn parse_ingest_path() {
        use crate::ingest::naming::{parse_ingest_path, Target};
        let p = parse_ingest_path("live/Streams(video-720p.cmfv)").unwrap();
        assert_eq!(p.channel, "live");
        assert_eq!(p.target, Some(Target::Track("video-720p.cmfv".into())));
        let p = parse_ingest_path("ch/chunk-stream0-00001.m4s").unwrap();
        assert_eq!(
            p.target,
            Some(Target::File("chunk-stream0-00001.m4s".into()))
        );
    }

    #[test]
    fn stream_key() {
        use crate::ingest::naming::stream_key;
        assert_eq!(
            stream_key("chunk-stream0-00042.m4s"),
            Some(("chunk-stream0-.m4s".into(), 42))
        );
        assert_eq!(stream_key("init.mp4"), None);
    }
}
