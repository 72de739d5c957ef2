//! `live-shift`: every file of a live session that can be had at one instant (the live MPD,
//! the init segments, each media segment of the timeshift window) with its bytes, ready to be
//! written to a folder that can then be served as it is.
//!
//! Each file is [`respond`]'s answer to its own path at that instant, so the folder holds
//! exactly what a server answering with [`respond`] (`dashkit serve`) sends then: the same
//! MPD, and the same segments under the same names with the same bytes (`chunkdur_` segments
//! as the concatenation of their chunks). The candidate numbers are
//! [`super::timing::Timing::available_numbers`], the set the availability rule makes ready.
//! A segment the MPD lists is written under the URL the MPD gives it (with `segtimeline_1` a
//! `t$Time$` the timeline accumulates, which after a wrap-around may differ from the segment's
//! own media time by the loop's excess; [`respond`] answers both names); the others under
//! [`segment_url`].

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::bmff::patch::Part;

use super::asset::LiveAsset;
use super::mpd::MAX_TIMELINE_SEGMENTS;
use super::options::{LiveOptions, TimelineMode};
use super::source::{media_segment_of, respond, segment_url, Response, SourceConfig, Unavailable};
use super::timing::Timing;
use super::Error;

/// One file of the live session.
///
/// ```
/// use dashkit::live::{options::LiveOptions, shift::live_files};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # fn fetch(url: &str) -> Option<&'static [u8]> {
/// #     macro_rules! files { ($($f:literal)*) => { match url { $($f => &include_bytes!(concat!(
/// #         "../../../fixtures/dash/ffmpeg_livesim/", $f))[..],)* _ => return None } } }
/// #     Some(files!("0/init.mp4" "0/1.m4s" "0/2.m4s" "0/3.m4s" "0/4.m4s" "0/5.m4s"
/// #                 "1/init.mp4" "1/1.m4s" "1/2.m4s" "1/3.m4s" "1/4.m4s" "1/5.m4s"))
/// # }
/// # let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim with its .cfg and .dat; `fetch` reads its files.
/// // Segments 500 and 501 at 1002.5 s: 500 has just become available, 501 not yet.
/// let out = live_files(&asset, &LiveOptions::default(), "live.mpd", 1_002_500, Some(500..=501), fetch)
///     .unwrap();
/// let seg = out.files.iter().find(|f| f.path == "0/500.m4s").unwrap();
/// assert_eq!((seg.representation_id.as_deref(), seg.number), (Some("0"), Some(500)));
/// assert_eq!(seg.len(), seg.to_vec().len());
/// // Live 500 is VoD segment 1 of the 10 s loop, without its 52-byte sidx.
/// assert_eq!(seg.len(), fetch("0/1.m4s").unwrap().len() - 52);
/// let init = out.files.iter().find(|f| f.path == "1/init.mp4").unwrap();
/// assert_eq!(init.to_vec(), fetch("1/init.mp4").unwrap()); // as the VoD has it
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFile<'a> {
    /// Its path relative to the MPD (the URL below the asset), e.g. `0/500.m4s`.
    pub path: String,
    /// The Representation of a segment (`None` for the MPD).
    pub representation_id: Option<String>,
    /// The live segment number of a media segment; `None` for the MPD and init segments.
    pub number: Option<u64>,
    /// The bytes, in order: new bytes and slices of the VoD files.
    pub parts: Vec<Part<'a>>,
}

impl LiveFile<'_> {
    /// Total length in bytes.
    ///
    /// ```
    /// use dashkit::bmff::patch::Part;
    /// use dashkit::live::shift::LiveFile;
    /// let f = LiveFile {
    ///     path: "0/500.m4s".into(),
    ///     representation_id: Some("0".into()),
    ///     number: Some(500),
    ///     parts: vec![Part::Owned(b"moof".to_vec()), Part::Borrowed(b"mdat")],
    /// };
    /// assert_eq!(f.len(), 8);
    /// ```
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.as_bytes().len()).sum()
    }

    /// True when the file is empty.
    ///
    /// ```
    /// use dashkit::bmff::patch::Part;
    /// use dashkit::live::shift::LiveFile;
    /// let f = LiveFile {
    ///     path: "0/500.m4s".into(),
    ///     representation_id: Some("0".into()),
    ///     number: Some(500),
    ///     parts: vec![Part::Owned(b"moof".to_vec()), Part::Borrowed(b"mdat")],
    /// };
    /// assert!(!f.is_empty());
    /// assert!(LiveFile { parts: vec![], ..f }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes as one vector (copies).
    ///
    /// ```
    /// use dashkit::bmff::patch::Part;
    /// use dashkit::live::shift::LiveFile;
    /// let f = LiveFile {
    ///     path: "0/500.m4s".into(),
    ///     representation_id: Some("0".into()),
    ///     number: Some(500),
    ///     parts: vec![Part::Owned(b"moof".to_vec()), Part::Borrowed(b"mdat")],
    /// };
    /// assert_eq!(f.to_vec(), b"moofmdat");
    /// ```
    pub fn to_vec(&self) -> Vec<u8> {
        self.parts
            .iter()
            .flat_map(|p| p.as_bytes())
            .copied()
            .collect()
    }
}

/// A file asked for but refused at the instant.
///
/// ```
/// use dashkit::live::source::Unavailable;
/// use dashkit::live::{options::LiveOptions, shift::live_files};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # fn fetch(url: &str) -> Option<&'static [u8]> {
/// #     macro_rules! files { ($($f:literal)*) => { match url { $($f => &include_bytes!(concat!(
/// #         "../../../fixtures/dash/ffmpeg_livesim/", $f))[..],)* _ => return None } } }
/// #     Some(files!("0/init.mp4" "0/1.m4s" "0/2.m4s" "0/3.m4s" "0/4.m4s" "0/5.m4s"
/// #                 "1/init.mp4" "1/1.m4s" "1/2.m4s" "1/3.m4s" "1/4.m4s" "1/5.m4s"))
/// # }
/// # let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim with its .cfg and .dat; `fetch` reads its files.
/// // Segments 500 and 501 at 1002.5 s: 500 has just become available, 501 not yet.
/// let out = live_files(&asset, &LiveOptions::default(), "live.mpd", 1_002_500, Some(500..=501), fetch)
///     .unwrap();
/// let early: Vec<&str> = out.skipped.iter().map(|s| s.path.as_str()).collect();
/// assert_eq!(early, ["0/501.m4s", "1/501.m4s"]);
/// assert_eq!(out.skipped[0].refusal, Unavailable::TooEarly { by_ms: 1_500 });
/// assert_eq!(out.skipped[0].message, "Request for 501.m4s was 1.5s too early");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its path relative to the MPD.
    pub path: String,
    /// Why.
    pub refusal: Unavailable,
    /// dashlivesim's message.
    pub message: String,
}

/// The files of a live session at one instant.
///
/// ```
/// use dashkit::live::{options::LiveOptions, shift::live_files};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # fn fetch(url: &str) -> Option<&'static [u8]> {
/// #     macro_rules! files { ($($f:literal)*) => { match url { $($f => &include_bytes!(concat!(
/// #         "../../../fixtures/dash/ffmpeg_livesim/", $f))[..],)* _ => return None } } }
/// #     Some(files!("0/init.mp4" "0/1.m4s" "0/2.m4s" "0/3.m4s" "0/4.m4s" "0/5.m4s"
/// #                 "1/init.mp4" "1/1.m4s" "1/2.m4s" "1/3.m4s" "1/4.m4s" "1/5.m4s"))
/// # }
/// # let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim with its .cfg and .dat; `fetch` reads its files.
/// // Segments 500 and 501 at 1002.5 s: 500 has just become available, 501 not yet.
/// let out = live_files(&asset, &LiveOptions::default(), "live.mpd", 1_002_500, Some(500..=501), fetch)
///     .unwrap();
/// let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
/// assert_eq!(paths, ["live.mpd", "0/init.mp4", "0/500.m4s", "1/init.mp4", "1/500.m4s"]);
/// assert_eq!(out.skipped.len(), 2); // 501 of each Representation
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFiles<'a> {
    /// The MPD first, then per Representation its init segment and its media segments, oldest
    /// first.
    pub files: Vec<LiveFile<'a>>,
    /// Files asked for (init segments, and numbers of an explicit range) that were refused.
    pub skipped: Vec<Skipped>,
}

/// Whether `path` stays below the folder it is written to: relative, no `..`.
fn stays_below(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains("://")
        && path.split('/').all(|c| c != "..")
}

/// The live MPD (named `mpd_name`), the init segments and the media segments of `asset` with
/// `options` at `now_ms`: numbers `numbers` when given, else the timeshift window. `fetch`
/// reads a VoD file by its URL relative to the MPD, as for [`respond`].
///
/// ```
/// use dashkit::live::{asset::LiveAsset, options::LiveOptions, shift::live_files};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 4\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// // No media can be read here: the MPD alone, for a window that is not there yet.
/// let f = live_files(&asset, &LiveOptions::default(), "x.mpd", 1_000, None, |_| None).unwrap();
/// assert_eq!(f.files.len(), 1);
/// assert_eq!(f.files[0].path, "x.mpd");
/// ```
pub fn live_files<'a, F>(
    asset: &LiveAsset,
    options: &LiveOptions,
    mpd_name: &str,
    now_ms: i64,
    numbers: Option<RangeInclusive<u64>>,
    mut fetch: F,
) -> Result<LiveFiles<'a>, Error>
where
    F: FnMut(&str) -> Option<&'a [u8]>,
{
    let config = SourceConfig::default();
    let mut out = LiveFiles {
        files: Vec::new(),
        skipped: Vec::new(),
    };
    let explicit = numbers.is_some();
    let numbers = match numbers {
        Some(r) => r,
        None => Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?
            .timing
            .available_numbers(now_ms)?,
    };
    let count = numbers
        .end()
        .checked_sub(*numbers.start())
        .map_or(0, |c| c.saturating_add(1));
    if count > MAX_TIMELINE_SEGMENTS {
        return Err(Error::NotLiveable {
            reason: "more than MAX_TIMELINE_SEGMENTS live segments asked for",
        });
    }
    let mut answer = |path: &str,
                      rep: Option<&str>,
                      number: Option<u64>,
                      out: &mut LiveFiles<'a>|
     -> Result<Option<String>, Error> {
        if !stays_below(path) {
            return Err(Error::NotLiveable {
                reason: "a file's URL leaves the asset's folder",
            });
        }
        let mut mpd = None;
        let parts = match respond(asset, options, path, now_ms, &config, &mut fetch)? {
            Response::Mpd { xml } => {
                mpd = Some(xml.clone());
                vec![Part::Owned(xml.into_bytes())]
            }
            Response::Playlist { text, .. } => vec![Part::Owned(text.into_bytes())],
            Response::Init { bytes, .. } => vec![Part::Borrowed(bytes)],
            Response::GeneratedInit { bytes, .. } => vec![Part::Owned(bytes)],
            Response::MpdPatch { xml, .. } => vec![Part::Owned(xml.into_bytes())],
            Response::ProtectedInit { bytes, .. } => vec![Part::Owned(bytes)],
            Response::Segment { data, .. } => data.parts,
            Response::Chunked { chunks, .. } => chunks.into_iter().flat_map(|c| c.parts).collect(),
            Response::Injected { .. } | Response::Delayed { .. } => {
                return Err(Error::OptionConflict {
                    message:
                        "live-shift writes files: statuscode_ and traffic_ are HTTP behaviours"
                            .into(),
                })
            }
            Response::Refused { refusal, message } => {
                if explicit || number.is_none() {
                    out.skipped.push(Skipped {
                        path: path.to_string(),
                        refusal,
                        message,
                    });
                }
                return Ok(None);
            }
        };
        out.files.push(LiveFile {
            path: path.to_string(),
            representation_id: rep.map(str::to_string),
            number,
            parts,
        });
        Ok(mpd)
    };
    let xml = answer(mpd_name, None, None, &mut out)?.unwrap_or_default();
    // The URLs the MPD gives its segments, by Representation and number.
    let mut listed: HashMap<(String, u64), String> = HashMap::new();
    if options.timeline != TimelineMode::Number {
        let mpd = crate::mpd::parse(&xml).map_err(|e| Error::Mpd(Box::new(e)))?;
        let reps = crate::mpd::listing::list_segments(&mpd, "", |_| None)
            .map_err(|e| Error::Mpd(Box::new(e)))?;
        for rep in reps {
            for s in rep.segments.segments {
                if let Some(key) = media_segment_of(asset, options, &s.url, now_ms)? {
                    listed.insert(key, s.url);
                }
            }
        }
    }
    for las in &asset.adaptation_sets {
        for rep in &las.representations {
            if let Some(init) = rep.init_url()? {
                if !out.files.iter().any(|f| f.path == init) {
                    answer(&init, Some(&rep.id), None, &mut out)?;
                }
            }
            for n in numbers.clone() {
                let path = match listed.remove(&(rep.id.clone(), n)) {
                    Some(url) => url,
                    None => segment_url(asset, options, &rep.id, n, now_ms)?,
                };
                answer(&path, Some(&rep.id), Some(n), &mut out)?;
            }
        }
    }
    // timesubs*_: the generated subtitle files, under the names the MPD gives them.
    let timing = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?.timing;
    for (kind, lang) in options.timesubs.tracks() {
        let rep = format!("{}-{lang}", kind.prefix());
        answer(&format!("{rep}/init.mp4"), Some(&rep), None, &mut out)?;
        for n in numbers.clone() {
            let name = super::timesubs::media_name(options, &timing, n)?;
            answer(&format!("{rep}/{name}"), Some(&rep), Some(n), &mut out)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_below_the_folder() {
        assert!(stays_below("0/500.m4s") && stays_below("manifest.mpd"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "http://x/y", "a\\..\\b"] {
            assert!(!stays_below(bad), "{bad}");
        }
    }
}
