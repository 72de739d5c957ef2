//! The live simulator's HLS twin: for every `/livesim/<options>/<asset>/<stem>.mpd` the
//! multivariant playlist `<stem>.m3u8` and one media playlist `<stem>_<Representation@id>.m3u8`
//! per Representation, over the very same live segments (docs/hls.md#live-playlists).
//!
//! Everything comes from the one timing model ([`Timing::from_options`]), in integers:
//! - the window: the complete segments ([`Timing::segment`]`.available_at_ms ≤ now`) that
//!   [`Timing::available_numbers`] makes fetchable and that ended within the timeShiftBufferDepth
//!   (`tsbd_`) before `now` (before the session's end with `stop_`); before the first segment
//!   is complete the answer is too early (425), as for a segment;
//! - `EXTINF`: the VoD segment's duration from the asset's timing runs (ticks of the track
//!   timescale), else the loop's nominal duration; `EXT-X-TARGETDURATION` the largest over the
//!   whole loop, so it never changes while the window moves;
//! - `EXT-X-PROGRAM-DATE-TIME`: the segment's live media time on the availability clock
//!   (`AST + t − mediaTimeAtAST`, `timeoffset_`), to the nanosecond;
//! - `EXT-X-MEDIA-SEQUENCE`: the live number of the first segment; `EXT-X-DISCONTINUITY` where
//!   a segment starts a new Period (`periods_`), `EXT-X-DISCONTINUITY-SEQUENCE` the Period grid
//!   index of the first segment (it grows by one per Period that leaves the window);
//! - `EXT-X-ENDLIST` once the last segment of a session with an end (`stop_`, `dur_`) is
//!   complete.
//!
//! Segment URIs are the live segment URLs [`super::source::respond`] answers, relative to the
//! asset's directory, where the playlists are too.

use crate::hls::build::{channels, media_name};
use crate::hls::{
    ByteSpan, Decimal, Map, MediaPlaylist, MediaSegment, MediaType, MultivariantPlaylist,
    PartialSegment, PreloadHint, PreloadHintType, Rendition, RenditionReport, ServerControl,
    Variant,
};
use crate::mpd::template::TemplateValues;
use crate::mpd::XsDateTime;

use super::asset::{LiveAdaptationSet, LiveAsset, LiveRepresentation};
use super::availability::{Availability, Unavailable as Refusal};
use super::options::TimelineMode;
use super::source::{live_media_template, Response};
use super::timing::Timing;
use super::Error;

/// What a `.m3u8` file name below an asset's directory names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaylistName<'a> {
    /// `<stem>.m3u8`: the multivariant playlist.
    Multivariant {
        /// The stem (`manifest`).
        stem: &'a str,
    },
    /// `<stem>_<Representation@id>.m3u8`: a media playlist.
    Media {
        /// The stem.
        stem: &'a str,
        /// The Representation.
        id: &'a str,
    },
}

/// Classifies `file` (below the asset's directory): `None` when it is not a playlist name
/// (no `.m3u8` suffix, or a path with `/`).
///
/// ```
/// use dashkit::live::{asset::LiveAsset, hls::{playlist_name, PlaylistName}};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// assert_eq!(playlist_name(&asset, "manifest.m3u8"), Some(PlaylistName::Multivariant { stem: "manifest" }));
/// assert_eq!(playlist_name(&asset, "manifest_V300.m3u8"),
///            Some(PlaylistName::Media { stem: "manifest", id: "V300" }));
/// assert_eq!(playlist_name(&asset, "V300/1.m4s"), None);
/// ```
pub fn playlist_name<'a>(asset: &'a LiveAsset, file: &'a str) -> Option<PlaylistName<'a>> {
    let base = file.strip_suffix(".m3u8").filter(|b| !b.contains('/'))?;
    for las in &asset.adaptation_sets {
        for rep in &las.representations {
            let name = media_name("", &rep.id);
            // media_name("", id) is "_<safe id>.m3u8".
            let tail = &name[..name.len() - ".m3u8".len()];
            if let Some(stem) = base.strip_suffix(tail).filter(|s| !s.is_empty()) {
                return Some(PlaylistName::Media { stem, id: &rep.id });
            }
        }
    }
    Some(PlaylistName::Multivariant { stem: base })
}

/// The multivariant playlist of `asset` with media playlists named after `stem`, from its VoD
/// MPD's first Period: video Representations are variants (`BANDWIDTH` from `@bandwidth` plus
/// the audio group's largest, `CODECS`, `RESOLUTION`, `FRAME-RATE`), audio Representations
/// `EXT-X-MEDIA` renditions in one group per codec (`CHANNELS` from
/// `AudioChannelConfiguration`), text Representations `SUBTITLES` renditions in group `subs`.
/// Without video each audio Representation is a variant.
pub fn multivariant(asset: &LiveAsset, stem: &str) -> MultivariantPlaylist {
    let sets: Vec<(usize, &str)> = asset
        .adaptation_sets
        .iter()
        .map(|l| (l.adaptation_set_index, l.content_type.as_str()))
        .collect();
    match asset.mpd.periods.first() {
        Some(period) => multivariant_of(period, &sets, stem),
        None => MultivariantPlaylist::default(),
    }
}

/// [`multivariant`] for the AdaptationSets `sets` (index in `period`, content type) of any
/// MPD Period: the live simulator's VoD MPD or an ingested channel's MPD.
pub(crate) fn multivariant_of(
    period: &crate::mpd::model::Period,
    sets: &[(usize, &str)],
    stem: &str,
) -> MultivariantPlaylist {
    struct Group {
        id: String,
        codec: String,
        bandwidth: u64,
    }
    let mut out = MultivariantPlaylist {
        independent_segments: true,
        ..MultivariantPlaylist::default()
    };
    let reps = || {
        sets.iter().flat_map(|&(ai, ct)| {
            period
                .adaptation_sets
                .get(ai)
                .into_iter()
                .flat_map(move |a| {
                    a.representations.iter().filter_map(move |r| {
                        let id = r.id.as_deref()?;
                        Some((ct, id, a, r))
                    })
                })
        })
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut subs_codec: Option<String> = None;
    for (ct, id, a, r) in reps() {
        let codec = r
            .codecs
            .clone()
            .or_else(|| a.codecs.clone())
            .unwrap_or_default();
        let name_of = |kind: &str| match &a.lang {
            Some(l) => format!("{l} {id}"),
            None => format!("{kind} {id}"),
        };
        match ct {
            "audio" => {
                let gi = match groups.iter().position(|g| g.codec == codec) {
                    Some(i) => i,
                    None => {
                        let id = if groups.is_empty() {
                            "audio".to_owned()
                        } else {
                            format!("audio-{}", groups.len() + 1)
                        };
                        groups.push(Group {
                            id,
                            codec: codec.clone(),
                            bandwidth: 0,
                        });
                        groups.len() - 1
                    }
                };
                let g = &mut groups[gi];
                let first = !out.renditions.iter().any(|x| x.group_id == g.id);
                g.bandwidth = g.bandwidth.max(r.bandwidth.unwrap_or(0));
                out.renditions.push(Rendition {
                    media_type: MediaType::Audio,
                    uri: Some(media_name(stem, id)),
                    group_id: g.id.clone(),
                    language: a.lang.clone(),
                    name: name_of("audio"),
                    default: first,
                    autoselect: true,
                    forced: false,
                    channels: channels(a, r, None),
                    other: Vec::new(),
                });
            }
            "text" => {
                subs_codec.get_or_insert(codec);
                out.renditions.push(Rendition {
                    media_type: MediaType::Subtitles,
                    uri: Some(media_name(stem, id)),
                    group_id: "subs".to_owned(),
                    language: a.lang.clone(),
                    name: name_of("subtitles"),
                    default: false,
                    autoselect: true,
                    forced: false,
                    channels: None,
                    other: Vec::new(),
                });
            }
            _ => {}
        }
    }
    let has_video = sets.iter().any(|&(_, ct)| ct == "video");
    let variant_kind = if has_video { "video" } else { "audio" };
    for (ct, id, a, r) in reps() {
        if ct != variant_kind {
            continue;
        }
        let codec = r
            .codecs
            .clone()
            .or_else(|| a.codecs.clone())
            .unwrap_or_default();
        let with_groups: Vec<Option<&Group>> = if has_video && !groups.is_empty() {
            groups.iter().map(Some).collect()
        } else {
            vec![None]
        };
        for g in with_groups {
            let mut codecs = vec![codec.clone()];
            codecs.extend(g.map(|g| g.codec.clone()));
            codecs.extend(subs_codec.clone());
            codecs.retain(|c| !c.is_empty());
            let resolution = match (r.width.or(a.width), r.height.or(a.height)) {
                (Some(w), Some(h)) if has_video => Some((w, h)),
                _ => None,
            };
            out.variants.push(Variant {
                uri: media_name(stem, id),
                bandwidth: r
                    .bandwidth
                    .unwrap_or(0)
                    .saturating_add(g.map_or(0, |g| g.bandwidth)),
                average_bandwidth: None,
                codecs: (!codecs.is_empty()).then(|| codecs.join(",")),
                resolution,
                frame_rate: r
                    .frame_rate
                    .or(a.frame_rate)
                    .filter(|_| has_video)
                    .and_then(|f| Decimal::from_ticks(u64::from(f.num), f.den))
                    .map(|d| d.round_to_digits(3)),
                audio: g.map(|g| g.id.clone()),
                subtitles: subs_codec.as_ref().map(|_| "subs".to_owned()),
                other: Vec::new(),
            });
        }
    }
    out
}

/// A live media playlist and when its text changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePlaylist {
    /// The playlist.
    pub playlist: MediaPlaylist,
    /// When it last changed (epoch ms): its newest segment became complete.
    pub last_change_ms: i64,
    /// When it next changes (epoch ms): the next segment completes or the oldest leaves the
    /// window; `None` once it has `EXT-X-ENDLIST` and never changes again.
    pub next_change_ms: Option<i64>,
}

/// The live segments a media playlist lists at `now_ms`: first and last number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Oldest listed number (`EXT-X-MEDIA-SEQUENCE`).
    pub first: u64,
    /// Newest listed (complete) number.
    pub last: u64,
    /// The last segment of the session is listed: `EXT-X-ENDLIST`.
    pub ended: bool,
}

fn ms(s: i64) -> Result<i64, Error> {
    s.checked_mul(1000).ok_or(Error::Overflow)
}

/// The playlist window at `now_ms` (see the module docs), or how long until the first
/// segment is complete.
///
/// ```
/// use dashkit::live::{hls::window, options::LiveOptions, timing::*, availability::Availability};
/// let l = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
/// let t = Timing::from_options(&LiveOptions::parse("tsbd_10").unwrap(), l, 300, 1_001_500).unwrap().timing;
/// let Availability::Ready(w) = window(&t, 1_001_500).unwrap() else { panic!() };
/// // Segment 499 ended at 1000 s; the window holds the 10 s before now.
/// assert_eq!((w.first, w.last, w.ended), (495, 499, false));
/// ```
pub fn window(timing: &Timing, now_ms: i64) -> Result<Availability<Window>, Error> {
    let d_ms = ms(i64::try_from(timing.looping.segment_duration_s).map_err(|_| Error::Overflow)?)?;
    if d_ms <= 0 {
        return Err(Error::EmptyLoop);
    }
    let ast_ms = ms(timing.ast_s)?;
    let s = timing.start_number;
    let avail = timing.available_numbers(now_ms)?;
    let first_end = ast_ms.checked_add(d_ms).ok_or(Error::Overflow)?;
    if avail.is_empty() || now_ms < first_end {
        let by_ms = (first_end - now_ms).max(1);
        return Ok(Availability::TooEarly { by_ms });
    }
    // Newest complete: (n − S + 1)·d ≤ now − AST.
    let mut newest = (now_ms - ast_ms).div_euclid(d_ms) - 1 + s;
    let stop = timing.stop_number();
    if let Some(stop) = stop {
        newest = newest.min(stop - 1);
    }
    newest = newest.min(i64::try_from(*avail.end()).map_err(|_| Error::Overflow)?);
    // Oldest: ended within tsbd before now (or before the session's end).
    let reference = match timing.stop_s {
        Some(stop_s) => now_ms.min(ms(stop_s)?),
        None => now_ms,
    };
    let tsbd_ms = ms(i64::try_from(timing.tsbd_s).map_err(|_| Error::Overflow)?)?;
    // (rel + 1)·d ≥ reference − AST − tsbd.
    let lower = reference - ast_ms - tsbd_ms;
    let rel = (lower + d_ms - 1).div_euclid(d_ms) - 1;
    let oldest = (rel + s)
        .max(i64::try_from(*avail.start()).map_err(|_| Error::Overflow)?)
        .min(newest);
    if newest < 0 || oldest < 0 {
        return Ok(Availability::NotFound);
    }
    Ok(Availability::Ready(Window {
        first: oldest as u64,
        last: newest as u64,
        ended: stop.is_some_and(|stop| newest == stop - 1),
    }))
}

/// The duration of VoD segment `vod_number` of `las` in ticks (its timing run), or the loop's
/// nominal duration when the asset has no runs for it.
fn vod_duration_ticks(las: &LiveAdaptationSet, timing: &Timing, vod_number: u64) -> u64 {
    las.runs
        .iter()
        .find(|r| {
            vod_number
                .checked_sub(u64::from(r.start_nr))
                .is_some_and(|k| k <= u64::from(r.repeats))
        })
        .map(|r| u64::from(r.duration))
        .unwrap_or_else(|| {
            timing
                .looping
                .segment_duration_s
                .saturating_mul(u64::from(las.timescale))
        })
}

/// `EXT-X-TARGETDURATION` for `las`: its longest segment over the loop, rounded (RFC 8216
/// §4.3.3.1), so it stays the same whichever segments the window holds.
fn target_duration(las: &LiveAdaptationSet, timing: &Timing) -> u64 {
    let longest = las
        .runs
        .iter()
        .map(|r| u64::from(r.duration))
        .max()
        .unwrap_or_else(|| {
            timing
                .looping
                .segment_duration_s
                .saturating_mul(u64::from(las.timescale))
        });
    Decimal::from_ticks(longest, las.timescale.get())
        .map_or(timing.looping.segment_duration_s, Decimal::round_to_integer)
        .max(1)
}

/// Where live segment `number` of `las` starts in its track: its tfdt (ticks) and the wall
/// clock instant that is (epoch nanoseconds).
fn segment_start(
    las: &LiveAdaptationSet,
    timing: &Timing,
    number: u64,
) -> Result<(super::timing::LiveSegment, u64, i128), Error> {
    let live = timing.segment(number)?;
    let ts = u64::from(las.timescale.get());
    let tfdt = match las.vod_start_ticks(live.vod_number) {
        Some(v) => v
            .checked_add(live.tfdt_offset_ticks(las.timescale)?)
            .ok_or(Error::Overflow)?,
        None => u64::try_from(live.media_time_s)
            .map_err(|_| Error::Overflow)?
            .checked_mul(ts)
            .ok_or(Error::Overflow)?,
    };
    let wall_ns = i128::from(timing.ast_s) * 1_000_000_000
        + i128::from(tfdt) * 1_000_000_000 / i128::from(ts)
        - i128::from(timing.media_time_at_ast_s) * 1_000_000_000;
    Ok((live, tfdt, wall_ns))
}

fn date_time(wall_ns: i128) -> Result<XsDateTime, Error> {
    let s = i64::try_from(wall_ns.div_euclid(1_000_000_000)).map_err(|_| Error::Overflow)?;
    let n = u32::try_from(wall_ns.rem_euclid(1_000_000_000)).map_err(|_| Error::Overflow)?;
    XsDateTime::from_unix(s, n).ok_or(Error::Overflow)
}

/// The live URL of segment `number` (tfdt `time`) of `rep`, as [`super::source::respond`]
/// answers it.
fn segment_uri(
    rep: &LiveRepresentation,
    mode: TimelineMode,
    number: u64,
    time: u64,
) -> Result<String, Error> {
    let template = live_media_template(rep, mode).ok_or(Error::NotLiveable {
        reason: "SegmentTimeline with $Time$ needs a plain $Number$ in @media",
    })?;
    template
        .expand(&TemplateValues {
            representation_id: Some(&rep.id),
            number: Some(number),
            time: (mode == TimelineMode::Time).then_some(time),
            bandwidth: rep.bandwidth,
            ..TemplateValues::default()
        })
        .map_err(|e| Error::Mpd(Box::new(e)))
}

/// The Period grid index of live segment `number` with `periods_` (`None` without).
fn period_index(
    options: &super::options::LiveOptions,
    timing: &Timing,
    number: u64,
) -> Result<Option<i64>, Error> {
    let Some(per_hour) = options.periods_per_hour else {
        return Ok(None);
    };
    let d = timing.looping.segment_duration_s;
    let p = i64::try_from(super::periods::period_duration_s(per_hour, d)?)
        .map_err(|_| Error::Overflow)?;
    let d = i64::try_from(d).map_err(|_| Error::Overflow)?;
    let rel = i64::try_from(number)
        .map_err(|_| Error::Overflow)?
        .checked_sub(timing.start_number)
        .and_then(|r| r.checked_mul(d))
        .ok_or(Error::Overflow)?;
    Ok(Some((timing.ast_s + rel).div_euclid(p)))
}

/// The media playlist of Representation `rep_id` at `now_ms` with `options`, or why there is
/// none yet (too early: no segment complete; see the module docs for every tag's source).
///
/// ```
/// use dashkit::live::{asset::LiveAsset, hls::media_playlist, options::LiveOptions};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// let opts = LiveOptions::parse("tsbd_6").unwrap();
/// let p = media_playlist(&asset, &opts, "V300", 1_001_000).unwrap().ready().unwrap();
/// let text = dashkit::hls::write_media(&p.playlist);
/// assert!(text.contains("#EXT-X-MEDIA-SEQUENCE:497\n"));
/// assert!(text.contains("#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:16:36Z\n#EXTINF:2.000,\nV300/498.m4s\n"));
/// assert_eq!(p.next_change_ms, Some(1_002_000));
/// ```
pub fn media_playlist(
    asset: &LiveAsset,
    options: &super::options::LiveOptions,
    rep_id: &str,
    now_ms: i64,
) -> Result<Availability<LivePlaylist>, Error> {
    let (las, rep) = asset.representation(rep_id).ok_or(Error::NotLiveable {
        reason: "no such Representation",
    })?;
    let timing = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?.timing;
    let w = match window(&timing, now_ms)? {
        Availability::Ready(w) => w,
        Availability::TooEarly { by_ms } => return Ok(Availability::TooEarly { by_ms }),
        Availability::TooLate { by_ms } => return Ok(Availability::TooLate { by_ms }),
        Availability::NotFound => return Ok(Availability::NotFound),
    };
    let map = rep.init_url()?.map(|uri| Map {
        uri,
        byte_range: None,
    });
    let count = usize::try_from(w.last - w.first + 1).map_err(|_| Error::Overflow)?;
    if count > crate::limits::MAX_HLS_LIVE_WINDOW_SEGMENTS {
        return Err(Error::OptionConflict {
            message: format!(
                "an HLS window of {count} segments (tsbd_ over segment duration) is more than {}",
                crate::limits::MAX_HLS_LIVE_WINDOW_SEGMENTS
            ),
        });
    }
    let mut p = MediaPlaylist {
        target_duration: target_duration(las, &timing),
        media_sequence: w.first,
        independent_segments: true,
        end_list: w.ended,
        ..MediaPlaylist::default()
    };
    p.segments.reserve(count);
    let mut period = period_index(options, &timing, w.first)?;
    p.discontinuity_sequence = period.map_or(0, |k| k.max(0) as u64);
    for n in w.first..=w.last {
        let (live, tfdt, wall_ns) = segment_start(las, &timing, n)?;
        let ticks = vod_duration_ticks(las, &timing, live.vod_number);
        let duration = Decimal::from_ticks(ticks, las.timescale.get()).ok_or(Error::Overflow)?;
        let mut seg = MediaSegment::new(segment_uri(rep, options.timeline, n, tfdt)?, duration);
        seg.program_date_time = Some(date_time(wall_ns)?);
        let k = period_index(options, &timing, n)?;
        if n == w.first {
            seg.map = map.clone();
        } else if k != period {
            seg.discontinuity = true;
            seg.map = map.clone();
        }
        period = k;
        p.segments.push(seg);
    }
    p.version = Some(p.required_version());
    let last_change_ms = timing.segment(w.last)?.available_at_ms;
    let next_change_ms = if w.ended {
        None
    } else {
        let next = timing.segment(w.last.saturating_add(1))?.available_at_ms;
        let tsbd_ms = ms(i64::try_from(timing.tsbd_s).map_err(|_| Error::Overflow)?)?;
        let drop = timing.segment(w.first)?.available_at_ms + tsbd_ms + 1;
        Some(if timing.stop_s.is_some() {
            next
        } else {
            next.min(drop)
        })
    };
    Ok(Availability::Ready(LivePlaylist {
        playlist: p,
        last_change_ms,
        next_change_ms,
    }))
}

/// One chunk of a live segment as [`super::source::respond`] serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ServedChunk {
    /// Where its bytes end in the segment.
    end: u64,
    /// Its duration in ticks of the track timescale.
    ticks: u64,
    /// When it is sent (epoch ms): the segment's start plus its end offset.
    due_ms: i64,
    /// It starts with a sync sample.
    independent: bool,
}

/// The chunks of live segment `number` (URL `uri`) as the simulator serves them: the very
/// answer [`super::source::respond`] gives for it once it is complete (so byte offsets are
/// those of the bytes sent, `scte35_` events and `drm_` boxes included); `None` when that
/// answer is not a chunked segment (`statuscode_`, a refusal).
fn served_chunks<'a>(
    asset: &LiveAsset,
    options: &super::options::LiveOptions,
    timing: &Timing,
    uri: &str,
    number: u64,
    fetch: &mut dyn FnMut(&str) -> Option<&'a [u8]>,
) -> Result<Option<Vec<ServedChunk>>, Error> {
    let complete_ms = timing.segment(number)?.available_at_ms;
    let cfg = super::source::SourceConfig::default();
    let answer = super::source::respond_file(asset, options, uri, complete_ms, &cfg, &mut *fetch)?;
    let Response::Chunked {
        chunks, start_ms, ..
    } = answer
    else {
        return Ok(None);
    };
    let mut end = 0u64;
    let mut out = Vec::with_capacity(chunks.len());
    for c in &chunks {
        end = end
            .checked_add(u64::try_from(c.len()).map_err(|_| Error::Overflow)?)
            .ok_or(Error::Overflow)?;
        let due_ms = i64::try_from(c.end_offset_ms)
            .ok()
            .and_then(|o| start_ms.checked_add(o))
            .ok_or(Error::Overflow)?;
        out.push(ServedChunk {
            end,
            ticks: c.duration_ticks,
            due_ms,
            independent: c.independent,
        });
    }
    Ok(Some(out))
}

/// `chunks` as `EXT-X-PART`s of `uri`: byte ranges from the end of the previous chunk.
fn parts_of(
    uri: &str,
    chunks: &[ServedChunk],
    timescale: u32,
) -> Result<Vec<PartialSegment>, Error> {
    let mut start = 0u64;
    chunks
        .iter()
        .map(|c| {
            let p = PartialSegment {
                uri: uri.to_string(),
                duration: Decimal::from_ticks(c.ticks, timescale).ok_or(Error::Overflow)?,
                independent: c.independent,
                byte_range: Some(ByteSpan {
                    length: c.end.checked_sub(start).ok_or(Error::Overflow)?,
                    offset: Some(start),
                }),
                gap: false,
            };
            start = c.end;
            Ok(p)
        })
        .collect()
}

/// What a blocking reload of a low-latency playlist needs to know of it.
#[derive(Debug, Clone)]
struct LowLatencyState {
    /// The newest complete segment and its part count.
    last_complete: (u64, usize),
    /// The segment being produced, with all its chunks (due or not).
    building: (u64, Vec<ServedChunk>),
    /// Parts of `building` listed (due at `now`).
    listed: usize,
    /// `PART-TARGET` in milliseconds.
    part_target_ms: u64,
}

/// A low-latency media playlist (`chunkdur_`) at `now_ms`: [`media_playlist`] with each chunk
/// of the segments within three target durations of the end as an `EXT-X-PART` (a byte range
/// of the segment's own URL, exactly the bytes the simulator sends for that chunk), the
/// segment being produced by the chunks due at `now_ms`, `EXT-X-PRELOAD-HINT` for the next
/// part, `EXT-X-PART-INF` (the longest part, rounded up to the millisecond) and
/// `EXT-X-SERVER-CONTROL` (`CAN-BLOCK-RELOAD`, `PART-HOLD-BACK` three part targets). The
/// plain playlist without `chunkdur_` or once it has `EXT-X-ENDLIST`.
fn low_latency_playlist<'a>(
    asset: &LiveAsset,
    options: &super::options::LiveOptions,
    rep_id: &str,
    now_ms: i64,
    fetch: &mut dyn FnMut(&str) -> Option<&'a [u8]>,
) -> Result<Availability<(LivePlaylist, Option<LowLatencyState>)>, Error> {
    let lp = match media_playlist(asset, options, rep_id, now_ms)? {
        Availability::Ready(lp) => lp,
        Availability::TooEarly { by_ms } => return Ok(Availability::TooEarly { by_ms }),
        Availability::TooLate { by_ms } => return Ok(Availability::TooLate { by_ms }),
        Availability::NotFound => return Ok(Availability::NotFound),
    };
    if options.chunk_duration_ms.is_none() || lp.playlist.end_list {
        return Ok(Availability::Ready((lp, None)));
    }
    let (las, rep) = asset.representation(rep_id).ok_or(Error::NotLiveable {
        reason: "no such Representation",
    })?;
    let timing = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?.timing;
    let mut lp = lp;
    let p = &mut lp.playlist;
    let Some(last) = (p.segments.len() as u64)
        .checked_sub(1)
        .and_then(|k| p.media_sequence.checked_add(k))
    else {
        return Ok(Availability::Ready((lp, None)));
    };
    let ts = las.timescale.get();
    // The segment being produced.
    let b = last.checked_add(1).ok_or(Error::Overflow)?;
    let (_, b_tfdt, _) = segment_start(las, &timing, b)?;
    let b_uri = segment_uri(rep, options.timeline, b, b_tfdt)?;
    let Some(b_chunks) = served_chunks(asset, options, &timing, &b_uri, b, fetch)? else {
        return Ok(Availability::Ready((lp, None)));
    };
    let listed = b_chunks.iter().take_while(|c| c.due_ms <= now_ms).count();
    let trailing = parts_of(&b_uri, &b_chunks[..listed], ts)?;
    // Parts of complete segments within three target durations of the end.
    let keep_ms = p.target_duration.saturating_mul(3000);
    let ms_of = |d: Decimal| d.ticks().saturating_mul(1000) / u64::from(d.timescale()).max(1);
    let mut from_end_ms: u64 = trailing.iter().map(|t| ms_of(t.duration)).sum();
    let mut longest = b_chunks.iter().map(|c| c.ticks).max().unwrap_or(0);
    let mut last_complete_parts = 0usize;
    let first = p.media_sequence;
    for (i, seg) in p.segments.iter_mut().enumerate().rev() {
        if from_end_ms >= keep_ms {
            break;
        }
        from_end_ms = from_end_ms.saturating_add(ms_of(seg.duration));
        let n = first.checked_add(i as u64).ok_or(Error::Overflow)?;
        let Some(chunks) = served_chunks(asset, options, &timing, &seg.uri, n, fetch)? else {
            continue;
        };
        longest = longest.max(chunks.iter().map(|c| c.ticks).max().unwrap_or(0));
        if n == last {
            last_complete_parts = chunks.len();
        }
        seg.parts = parts_of(&seg.uri, &chunks, ts)?;
    }
    // PART-TARGET: the longest part, rounded up to the millisecond.
    let part_target_ms =
        u64::try_from((u128::from(longest) * 1000).div_ceil(u128::from(ts.max(1))))
            .map_err(|_| Error::Overflow)?
            .max(1);
    let hint = match b_chunks.get(listed) {
        Some(_) => PreloadHint {
            hint_type: PreloadHintType::Part,
            uri: b_uri.clone(),
            byte_range_start: Some(listed.checked_sub(1).map_or(0, |i| b_chunks[i].end)),
            byte_range_length: None,
        },
        None => {
            let next = b.checked_add(1).ok_or(Error::Overflow)?;
            let (_, tfdt, _) = segment_start(las, &timing, next)?;
            PreloadHint {
                hint_type: PreloadHintType::Part,
                uri: segment_uri(rep, options.timeline, next, tfdt)?,
                byte_range_start: Some(0),
                byte_range_length: None,
            }
        }
    };
    p.trailing_parts = trailing;
    p.preload_hints = vec![hint];
    p.part_target = Decimal::from_ticks(part_target_ms, 1000);
    p.server_control = Some(ServerControl {
        can_block_reload: true,
        part_hold_back: Decimal::from_ticks(part_target_ms.saturating_mul(3), 1000),
        ..ServerControl::default()
    });
    p.version = Some(p.required_version());
    // It changes with each part.
    if let Some(c) = listed.checked_sub(1).map(|i| b_chunks[i]) {
        lp.last_change_ms = lp.last_change_ms.max(c.due_ms);
    }
    if let Some(c) = b_chunks.get(listed) {
        lp.next_change_ms = Some(lp.next_change_ms.map_or(c.due_ms, |n| n.min(c.due_ms)));
    }
    Ok(Availability::Ready((
        lp,
        Some(LowLatencyState {
            last_complete: (last, last_complete_parts),
            building: (b, b_chunks),
            listed,
            part_target_ms,
        }),
    )))
}

/// What a blocking reload gets.
enum Blocked {
    /// The playlist now.
    Now,
    /// The playlist at this instant (epoch ms), when the part asked for is due.
    At(i64),
    /// Refused: the status (400: too far ahead; 503: not within the hold limit) and why.
    Refused(u16, String),
}

/// The decision on a blocking reload `b` of a low-latency playlist at `now_ms` (rfc8216bis
/// §6.2.5.2, the rules of the ingested channels' twin): now once the playlist holds part
/// `_HLS_part` of segment `_HLS_msn` or anything later (without `_HLS_part`: segment
/// `_HLS_msn` complete), a part index past a segment's last part being the next segment's
/// first part; 400 for `_HLS_msn` more than two segments after the newest complete one, or a
/// part more than the Advance Part Limit (3 s of parts, at least 3) after the newest part;
/// otherwise held until the instant it is due, as the simulator knows it, when that is
/// within three target durations ([`crate::limits::MAX_HLS_BLOCKING_RELOAD_MS`]), else 503.
#[allow(clippy::too_many_arguments)]
fn blocked<'a>(
    asset: &LiveAsset,
    options: &super::options::LiveOptions,
    rep_id: &str,
    target_duration: u64,
    ll: &LowLatencyState,
    b: crate::ingest::hls::Blocking,
    now_ms: i64,
    fetch: &mut dyn FnMut(&str) -> Option<&'a [u8]>,
) -> Result<Blocked, Error> {
    let (complete, complete_parts) = ll.last_complete;
    if b.msn > complete.saturating_add(2) {
        return Ok(Blocked::Refused(
            400,
            format!(
                "_HLS_msn={} is more than two segments after the last one ({complete})",
                b.msn
            ),
        ));
    }
    let (las, rep) = asset.representation(rep_id).ok_or(Error::NotLiveable {
        reason: "no such Representation",
    })?;
    let timing = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?.timing;
    let hold_ms = target_duration
        .saturating_mul(3000)
        .min(crate::limits::MAX_HLS_BLOCKING_RELOAD_MS);
    let due = match b.part {
        None => {
            if b.msn <= complete {
                return Ok(Blocked::Now);
            }
            timing.segment(b.msn)?.available_at_ms
        }
        Some(part) => {
            let (msn, part) = if b.msn <= complete {
                if b.msn < complete || part < complete_parts as u64 {
                    return Ok(Blocked::Now);
                }
                (complete.saturating_add(1), 0)
            } else {
                (b.msn, part)
            };
            let (building, chunks) = (&ll.building.0, &ll.building.1);
            let (last_msn, last_part) = match ll.listed.checked_sub(1) {
                Some(i) => (*building, i as u64),
                None => (complete, (complete_parts as u64).saturating_sub(1)),
            };
            if (last_msn, last_part) >= (msn, part) {
                return Ok(Blocked::Now);
            }
            let ahead = if msn == last_msn {
                part - last_part
            } else {
                part.saturating_add(1)
            };
            let limit = 3000u64.div_ceil(ll.part_target_ms.max(1)).max(3);
            if ahead > limit {
                return Ok(Blocked::Refused(
                    400,
                    format!(
                        "_HLS_part={part} of segment {msn} is {ahead} parts after the last one \
                         ({last_msn}.{last_part}); at most {limit}"
                    ),
                ));
            }
            // When that part is due: a part index past the segment's last part is the next
            // segment's first part.
            let mut at = None;
            let (mut m, mut k) = (msn, part);
            for _ in 0..3 {
                let owned;
                let cs: &[ServedChunk] = if m == *building {
                    chunks
                } else {
                    let (_, tfdt, _) = segment_start(las, &timing, m)?;
                    let uri = segment_uri(rep, options.timeline, m, tfdt)?;
                    owned = served_chunks(asset, options, &timing, &uri, m, fetch)?;
                    owned.as_deref().unwrap_or(&[])
                };
                match usize::try_from(k).ok().and_then(|k| cs.get(k)) {
                    Some(c) => {
                        at = Some(c.due_ms);
                        break;
                    }
                    None if cs.is_empty() => break,
                    None => (m, k) = (m.saturating_add(1), 0),
                }
            }
            match at {
                Some(t) => t,
                None => timing.segment(msn)?.available_at_ms,
            }
        }
    };
    let wait = due.saturating_sub(now_ms);
    if wait <= 0 {
        return Ok(Blocked::Now);
    }
    if u64::try_from(wait).is_ok_and(|w| w > hold_ms) {
        return Ok(Blocked::Refused(
            503,
            format!("the part asked for is due in {wait} ms, past the {hold_ms} ms hold limit"),
        ));
    }
    Ok(Blocked::At(due))
}

/// `EXT-X-RENDITION-REPORT` for every Representation but `rep_id` at `now_ms`, in the asset's
/// order: `LAST-MSN` the segment holding its newest part (the one being produced once its
/// first chunk is out, else the newest complete one), `LAST-PART` that part's index. A
/// Representation whose segments are not served chunked is left out.
fn rendition_reports<'a>(
    asset: &LiveAsset,
    options: &super::options::LiveOptions,
    rep_id: &str,
    stem: &str,
    now_ms: i64,
    fetch: &mut dyn FnMut(&str) -> Option<&'a [u8]>,
) -> Result<Vec<RenditionReport>, Error> {
    let timing = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?.timing;
    let Availability::Ready(w) = window(&timing, now_ms)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for las in &asset.adaptation_sets {
        for rep in las.representations.iter().filter(|r| r.id != rep_id) {
            let chunks_of = |n: u64, fetch: &mut dyn FnMut(&str) -> Option<&'a [u8]>| {
                let (_, tfdt, _) = segment_start(las, &timing, n)?;
                let uri = segment_uri(rep, options.timeline, n, tfdt)?;
                served_chunks(asset, options, &timing, &uri, n, fetch)
            };
            let b = w.last.checked_add(1).ok_or(Error::Overflow)?;
            let Some(building) = chunks_of(b, fetch)? else {
                continue;
            };
            let due = building.iter().take_while(|c| c.due_ms <= now_ms).count();
            let (msn, part) = match due.checked_sub(1) {
                Some(i) => (b, i),
                None => match chunks_of(w.last, fetch)? {
                    Some(c) if !c.is_empty() => (w.last, c.len() - 1),
                    _ => continue,
                },
            };
            out.push(RenditionReport {
                uri: media_name(stem, &rep.id),
                last_msn: Some(msn),
                last_part: Some(part as u64),
            });
        }
    }
    Ok(out)
}

/// The answer to a request for playlist `name` at `now_ms`: [`Response::Playlist`] (the
/// multivariant playlist never changes; a media playlist changes with its window, and with
/// each part with `chunkdur_`), or the refusal when no segment is complete yet. A blocking
/// reload (`config.query` with `_HLS_msn`/`_HLS_part`) of a low-latency playlist is held
/// until the part is due ([`Response::Delayed`] with the playlist at that instant) or refused
/// ([`Response::Injected`] 400 or 503).
pub(crate) fn answer<'a>(
    asset: &LiveAsset,
    options: &super::options::LiveOptions,
    name: PlaylistName<'_>,
    now_ms: i64,
    config: &super::source::SourceConfig,
    fetch: &mut dyn FnMut(&str) -> Option<&'a [u8]>,
) -> Result<Result<Response<'static>, Refusal>, Error> {
    Ok(match name {
        PlaylistName::Multivariant { stem } => {
            let text = crate::hls::write_multivariant(&multivariant(asset, stem));
            Ok(Response::Playlist {
                etag: super::http::strong_etag(text.as_bytes()),
                text,
                last_change_ms: None,
                next_change_ms: None,
            })
        }
        PlaylistName::Media { id, stem } => {
            let (mut p, ll) = match low_latency_playlist(asset, options, id, now_ms, fetch)? {
                Availability::Ready(x) => x,
                Availability::TooEarly { by_ms } => return Ok(Err(Refusal::TooEarly { by_ms })),
                Availability::TooLate { by_ms } => return Ok(Err(Refusal::TooLate { by_ms })),
                Availability::NotFound => return Ok(Err(Refusal::NotFound)),
            };
            if let Some(ll) = &ll {
                let blocking = match crate::ingest::hls::blocking_request(config.query.as_deref()) {
                    Ok(b) => b,
                    Err(message) => {
                        return Ok(Ok(Response::Injected {
                            status: 400,
                            delay_ms: 0,
                            message,
                        }))
                    }
                };
                if let Some(b) = blocking {
                    let target = p.playlist.target_duration;
                    match blocked(asset, options, id, target, ll, b, now_ms, fetch)? {
                        Blocked::Now => {}
                        Blocked::Refused(status, message) => {
                            return Ok(Ok(Response::Injected {
                                status,
                                delay_ms: 0,
                                message,
                            }))
                        }
                        Blocked::At(at) => {
                            let plain = super::source::SourceConfig {
                                query: None,
                                ..config.clone()
                            };
                            return Ok(answer(asset, options, name, at, &plain, fetch)?.map(|r| {
                                Response::Delayed {
                                    delay_ms: u64::try_from(at - now_ms).unwrap_or(0),
                                    answer: Box::new(r),
                                }
                            }));
                        }
                    }
                }
            }
            if ll.is_some() {
                p.playlist.rendition_reports =
                    rendition_reports(asset, options, id, stem, now_ms, fetch)?;
            }
            let text = crate::hls::write_media(&p.playlist);
            Ok(Response::Playlist {
                etag: super::http::strong_etag(text.as_bytes()),
                text,
                last_change_ms: Some(p.last_change_ms),
                next_change_ms: p.next_change_ms,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::live::options::LiveOptions;
    use crate::live::timing::LoopSpec;

    fn timing(opts: &str, now_ms: i64) -> Timing {
        let l = LoopSpec {
            segment_duration_s: 2,
            first_segment_in_loop: 1,
            nr_segments_in_loop: 4,
        };
        Timing::from_options(&LiveOptions::parse(opts).unwrap(), l, 300, now_ms)
            .unwrap()
            .timing
    }

    #[test]
    fn window_is_complete_segments_within_tsbd() {
        // At 1000.000 s segment 499 is just complete; at 999.999 it is not.
        let w = |opts: &str, now| window(&timing(opts, now), now).unwrap();
        assert_eq!(
            w("tsbd_10", 1_000_000).ready().map(|w| (w.first, w.last)),
            Some((494, 499))
        );
        assert_eq!(
            w("tsbd_10", 999_999).ready().map(|w| (w.first, w.last)),
            Some((494, 498))
        );
        // Before the first segment of a session is complete: too early, by the time left.
        assert_eq!(
            w("start_1000/tsbd_10", 1_001_500),
            Availability::TooEarly { by_ms: 500 }
        );
        // A session with a stop ends with its last segment, and keeps its last tsbd.
        let ended = w("start_1000/stop_1010/tsbd_4", 1_050_000).ready().unwrap();
        assert_eq!((ended.first, ended.last, ended.ended), (2, 4, true));
        let running = w("start_1000/stop_1010/tsbd_4", 1_009_000).ready().unwrap();
        assert_eq!((running.last, running.ended), (3, false));
        // A chunked session still lists only complete segments.
        let ll = w("chunkdur_0.5/tsbd_10", 1_001_900).ready().unwrap();
        assert_eq!(ll.last, 499);
    }

    #[test]
    fn periods_index_moves_on_the_grid() {
        let t = timing("periods_60", 1_000_000);
        let opts = LiveOptions::parse("periods_60").unwrap();
        // 60 s Periods: segment 29 starts at 58 s (Period 0), 30 at 60 s (Period 1).
        assert_eq!(period_index(&opts, &t, 29).unwrap(), Some(0));
        assert_eq!(period_index(&opts, &t, 30).unwrap(), Some(1));
    }
}
