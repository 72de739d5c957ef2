//! The `.cfg` file of dashlivesim's vodanalyzer: an INI file (Python `configparser` dialect)
//! describing a VoD asset's loop for the live simulator.
//!
//! [`write_cfg`] produces vodanalyzer's exact layout: sections and keys in a fixed order,
//! `key = value`, LF line ends and one empty line after every section. [`parse_cfg`] reads any
//! order and spacing, as dashlivesim's reader does.

use super::Error;

/// Media sections dashlivesim's live server recognises, in the order they are written.
pub const MEDIA_SECTIONS: [&str; 4] = ["video", "audio", "subtitles", "image"];

/// How long each segment of the loop is (`[Setup] segment_duration_s` or `segment_duration_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentDuration {
    /// Whole seconds (`segment_duration_s`), what vodanalyzer writes.
    Seconds(u64),
    /// Milliseconds (`segment_duration_ms`): accepted by dashlivesim's reader, which then
    /// cannot use it; kept so a file can be read and written back.
    Millis(u64),
}

/// One media section (`[video]`, `[audio]`, `[subtitles]` or `[image]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaConfig {
    /// The section name: the content type.
    pub content_type: String,
    /// Representation ids, in MPD order (`representations`, comma-separated).
    pub representations: Vec<String>,
    /// Media timescale of the tracks (`timescale`, from mdhd).
    pub timescale: u32,
    /// End of the last segment minus tfdt of the first, first Representation (`total_duration`,
    /// version 1.1).
    pub total_duration: Option<u64>,
    /// Name of the `.dat` file with the segment timing runs (`dat_file`, version 1.1).
    pub dat_file: Option<String>,
}

/// The whole `.cfg` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VodConfig {
    /// `[General] version`: `1.0` or `1.1`.
    pub version: String,
    /// `[Setup] default_tsbd_secs`: default timeShiftBufferDepth in seconds.
    pub default_tsbd_secs: u64,
    /// `[Setup] segment_duration_s` (or `_ms`).
    pub segment_duration: SegmentDuration,
    /// `[Setup] nr_segments_in_loop`.
    pub nr_segments_in_loop: u64,
    /// `[Setup] first_segment_in_loop`.
    pub first_segment_in_loop: u64,
    /// Media sections, in [`MEDIA_SECTIONS`] order when written.
    pub media: Vec<MediaConfig>,
}

impl VodConfig {
    /// The media section for a content type, if present.
    pub fn media(&self, content_type: &str) -> Option<&MediaConfig> {
        self.media.iter().find(|m| m.content_type == content_type)
    }
}

/// Writes the `.cfg` text exactly as vodanalyzer (Python `configparser`) does.
pub fn write_cfg(cfg: &VodConfig) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(512);
    let _ = write!(s, "[General]\nversion = {}\n\n[Setup]\n", cfg.version);
    let _ = writeln!(s, "default_tsbd_secs = {}", cfg.default_tsbd_secs);
    match cfg.segment_duration {
        SegmentDuration::Seconds(v) => {
            let _ = writeln!(s, "segment_duration_s = {v}");
        }
        SegmentDuration::Millis(v) => {
            let _ = writeln!(s, "segment_duration_ms = {v}");
        }
    }
    let _ = writeln!(s, "nr_segments_in_loop = {}", cfg.nr_segments_in_loop);
    let _ = writeln!(s, "first_segment_in_loop = {}\n", cfg.first_segment_in_loop);
    for name in MEDIA_SECTIONS {
        if let Some(m) = cfg.media(name) {
            let _ = writeln!(s, "[{name}]");
            let _ = writeln!(s, "representations = {}", m.representations.join(","));
            let _ = writeln!(s, "timescale = {}", m.timescale);
            if let Some(t) = m.total_duration {
                let _ = writeln!(s, "total_duration = {t}");
            }
            if let Some(d) = &m.dat_file {
                let _ = writeln!(s, "dat_file = {d}");
            }
            s.push('\n');
        }
    }
    s
}

/// One parsed INI section: its name, the line it starts on, and its `(key, value, line)`s.
struct Section<'a> {
    name: &'a str,
    line: usize,
    entries: Vec<(String, String, usize)>,
}

impl Section<'_> {
    fn get(&self, key: &str) -> Option<(&str, usize)> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }
}

fn sections(text: &str) -> Result<Vec<Section<'_>>, Error> {
    let mut out: Vec<Section<'_>> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or_else(|| Error::Cfg {
                line: line_no,
                message: format!("malformed section header {trimmed:?}"),
            })?;
            if out.iter().any(|s| s.name == name) {
                return Err(Error::Cfg {
                    line: line_no,
                    message: format!("section [{name}] appears twice"),
                });
            }
            out.push(Section {
                name,
                line: line_no,
                entries: Vec::new(),
            });
            continue;
        }
        let Some(section) = out.last_mut() else {
            return Err(Error::Cfg {
                line: line_no,
                message: "key before the first section header".into(),
            });
        };
        if line.starts_with([' ', '\t']) {
            // configparser continuation line: appended to the previous value.
            if let Some(last) = section.entries.last_mut() {
                last.1.push('\n');
                last.1.push_str(trimmed);
                continue;
            }
        }
        let split = trimmed.find(['=', ':']).ok_or_else(|| Error::Cfg {
            line: line_no,
            message: format!("expected `key = value`, found {trimmed:?}"),
        })?;
        let key = trimmed[..split].trim().to_ascii_lowercase();
        let value = trimmed[split + 1..].trim().to_string();
        section.entries.push((key, value, line_no));
    }
    Ok(out)
}

fn int<T: std::str::FromStr>(sec: &Section<'_>, key: &str) -> Result<Option<T>, Error> {
    match sec.get(key) {
        None => Ok(None),
        Some((v, line)) => v.parse::<T>().map(Some).map_err(|_| Error::Cfg {
            line,
            message: format!(
                "[{}] {key} = {v:?} is not a whole number in range",
                sec.name
            ),
        }),
    }
}

fn required<T>(sec: &Section<'_>, key: &str, v: Option<T>) -> Result<T, Error> {
    v.ok_or_else(|| Error::Cfg {
        line: sec.line,
        message: format!("[{}] lacks the required key {key}", sec.name),
    })
}

/// Reads a `.cfg` file with dashlivesim's rules: order and blank lines do not matter,
/// `version` must be `1.0` or `1.1`, `[Setup]` must hold `first_segment_in_loop`,
/// `nr_segments_in_loop`, `default_tsbd_secs` and one of `segment_duration_s`/`_ms`; each media
/// section needs `representations` and `timescale`, and in version 1.1 `total_duration` and
/// `dat_file` too. Errors give the line.
pub fn parse_cfg(text: &str) -> Result<VodConfig, Error> {
    let secs = sections(text)?;
    let find = |name: &str| secs.iter().find(|s| s.name == name);
    let general = find("General").ok_or_else(|| Error::Cfg {
        line: 0,
        message: "no [General] section".into(),
    })?;
    let (version, vline) = general.get("version").ok_or_else(|| Error::Cfg {
        line: general.line,
        message: "[General] lacks version".into(),
    })?;
    if version != "1.0" && version != "1.1" {
        return Err(Error::Cfg {
            line: vline,
            message: format!("bad config version {version:?} (should be 1.0 or 1.1)"),
        });
    }
    let setup = find("Setup").ok_or_else(|| Error::Cfg {
        line: 0,
        message: "no [Setup] section".into(),
    })?;
    // Malformed values are reported before missing ones, each at its own line.
    let first_segment_in_loop: Option<u64> = int(setup, "first_segment_in_loop")?;
    let nr_segments_in_loop: Option<u64> = int(setup, "nr_segments_in_loop")?;
    let default_tsbd_secs: Option<u64> = int(setup, "default_tsbd_secs")?;
    let seg_s: Option<u64> = int(setup, "segment_duration_s")?;
    let seg_ms: Option<u64> = int(setup, "segment_duration_ms")?;
    let segment_duration = match (seg_s, seg_ms) {
        (_, Some(ms)) if ms > 0 => SegmentDuration::Millis(ms),
        (Some(s), _) if s > 0 => SegmentDuration::Seconds(s),
        _ => {
            return Err(Error::Cfg {
                line: setup.line,
                message: "neither segment_duration_s nor segment_duration_ms is set (above 0)"
                    .into(),
            })
        }
    };
    let mut media = Vec::new();
    for name in MEDIA_SECTIONS {
        let Some(sec) = find(name) else { continue };
        let reps = required(sec, "representations", sec.get("representations"))?.0;
        let representations = reps
            .split(',')
            .map(|r| r.trim().to_string())
            .collect::<Vec<_>>();
        let timescale: u32 = required(sec, "timescale", int(sec, "timescale")?)?;
        let (total_duration, dat_file) = if version == "1.1" {
            (
                Some(required(
                    sec,
                    "total_duration",
                    int(sec, "total_duration")?,
                )?),
                Some(
                    required(sec, "dat_file", sec.get("dat_file"))?
                        .0
                        .to_string(),
                ),
            )
        } else {
            (
                int(sec, "total_duration")?,
                sec.get("dat_file").map(|v| v.0.to_string()),
            )
        };
        media.push(MediaConfig {
            content_type: name.to_string(),
            representations,
            timescale,
            total_duration,
            dat_file,
        });
    }
    Ok(VodConfig {
        version: version.to_string(),
        default_tsbd_secs: required(setup, "default_tsbd_secs", default_tsbd_secs)?,
        segment_duration,
        nr_segments_in_loop: required(setup, "nr_segments_in_loop", nr_segments_in_loop)?,
        first_segment_in_loop: required(setup, "first_segment_in_loop", first_segment_in_loop)?,
        media,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// dashlivesim's hand-made test configs use another order and blank lines
    /// (docs/live-timing.md#the-cfg-file); the reader must not care.
    #[test]
    fn reads_hand_made_order() {
        let text = "[General]\nversion = 1.0\n\n\n[Setup]\nfirst_segment_in_loop = 0\n\
                    default_tsbd_secs = 30\nnr_segments_in_loop = 600\nsegment_duration_s = 6\n\n\n\
                    [audio]\nrepresentations = A1 , A2\ntimescale: 48000\n\n[subtitles]\n\
                    representations = S1\ntimescale = 1000\n";
        let cfg = parse_cfg(text).unwrap();
        assert_eq!(cfg.first_segment_in_loop, 0);
        assert_eq!(cfg.segment_duration, SegmentDuration::Seconds(6));
        assert_eq!(cfg.media("audio").unwrap().representations, ["A1", "A2"]);
        assert_eq!(cfg.media("subtitles").unwrap().timescale, 1000);
        assert_eq!(cfg.media("audio").unwrap().dat_file, None);
    }

    #[test]
    fn errors_name_the_line() {
        let text = "[General]\nversion = 1.1\n[Setup]\nfirst_segment_in_loop = x\n";
        match parse_cfg(text) {
            Err(Error::Cfg { line, message }) => {
                assert_eq!(line, 4);
                assert!(message.contains("first_segment_in_loop"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let text = "[General]\nversion = 2.0\n";
        assert!(matches!(parse_cfg(text), Err(Error::Cfg { line: 2, .. })));
        // Version 1.1 requires dat_file in each media section.
        let text = "[General]\nversion = 1.1\n[Setup]\nfirst_segment_in_loop = 1\n\
                    nr_segments_in_loop = 2\ndefault_tsbd_secs = 3\nsegment_duration_s = 2\n\
                    [video]\nrepresentations = V\ntimescale = 90000\ntotal_duration = 4\n";
        match parse_cfg(text) {
            Err(Error::Cfg { line: 8, message }) => assert!(message.contains("dat_file")),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn arb_media(name: &'static str) -> impl Strategy<Value = MediaConfig> {
        (
            proptest::collection::vec("[A-Za-z0-9_]{1,8}", 1..4),
            1u32..,
            any::<u64>(),
            "[a-z0-9_]{1,12}\\.dat",
        )
            .prop_map(move |(reps, ts, total, dat)| MediaConfig {
                content_type: name.to_string(),
                representations: reps,
                timescale: ts,
                total_duration: Some(total),
                dat_file: Some(dat),
            })
    }

    proptest! {
        #[test]
        fn cfg_round_trip(
            tsbd in any::<u64>(), seg in 1u64.., nr in any::<u64>(), first in any::<u64>(),
            video in proptest::option::of(arb_media("video")),
            audio in proptest::option::of(arb_media("audio")),
        ) {
            let cfg = VodConfig {
                version: "1.1".into(),
                default_tsbd_secs: tsbd,
                segment_duration: SegmentDuration::Seconds(seg),
                nr_segments_in_loop: nr,
                first_segment_in_loop: first,
                media: video.into_iter().chain(audio).collect(),
            };
            let text = write_cfg(&cfg);
            prop_assert!(text.ends_with("\n\n"));
            prop_assert_eq!(parse_cfg(&text).unwrap(), cfg);
        }
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn vod_config_example() {
        use crate::analyze::cfg::{parse_cfg, write_cfg};
        let text = "[General]\nversion = 1.1\n\n[Setup]\ndefault_tsbd_secs = 300\n\
            segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
            [video]\nrepresentations = V300\ntimescale = 90000\ntotal_duration = 720000\n\
            dat_file = testpic_2s_video.dat\n\n";
        let cfg = parse_cfg(text).unwrap();
        assert_eq!(cfg.nr_segments_in_loop, 4);
        assert_eq!(write_cfg(&cfg), text);
    }
}
