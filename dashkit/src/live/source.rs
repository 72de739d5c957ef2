//! A live source's answer to one request, transport-free: what dashlivesim's WSGI handler does
//! for `/livesim/<options>/<asset>/<file>` (docs/live-timing.md#urls-and-options), as a value a
//! server turns into an HTTP response.
//!
//! The caller resolved the URL's options ([`super::options::split_path`]) and the asset
//! directory, and passes the file path below that directory and "now". [`respond`] then
//! classifies the file against the asset's templates (the MPD, an init segment, or a media
//! segment by `$Number$` or `$Time$`), checks availability, and builds the live MPD or the
//! shifted segment. Media bytes come from the caller's `fetch` closure and stay borrowed: a
//! segment answer is a few new header bytes plus slices of the VoD file.

use std::borrow::Cow;

use crate::bmff::patch::Rewritten;
use crate::mpd::template::{Template, TemplateValues};

use super::asset::{LiveAdaptationSet, LiveAsset, LiveRepresentation};
pub use super::availability::Unavailable;
use super::chunk::{chunk_live_segment, LiveChunk};
use super::mpd::live_mpd_with;
use super::options::{LiveOptions, TimelineMode};
use super::segment::{shift_segment_with_events, SegmentAddress};
use super::timing::Timing;
use super::Error;

/// Server-side settings that are not URL options.
///
/// ```
/// use dashkit::live::{options::LiveOptions, source::{respond, Response, SourceConfig}};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim (5 x 2 s) with its vodanalyzer .cfg and .dat files.
/// let opts = LiveOptions::parse("startrel_-20").unwrap();
/// let config = SourceConfig {
///     request_url: Some("http://origin/livesim/startrel_-20/a/manifest.mpd".into()),
///     utc_timing_url: Some("http://origin/time".into()),
///     ..SourceConfig::default()
/// };
/// let Response::Mpd { xml } =
///     respond(&asset, &opts, "manifest.mpd", 1_000_000, &config, |_| None).unwrap()
/// else { panic!() };
/// // The session's absolute start (now - 20 s, floored to 2 s) replaces the relative one.
/// assert!(xml.contains("<Location>http://origin/livesim/start_980/a/manifest.mpd</Location>"));
/// assert!(xml.contains("http://origin/time"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceConfig {
    /// Replaces the value of every HTTP UTCTiming (`http-xsdate`, `http-iso`, `http-head`) in
    /// the live MPD, e.g. the server's own time endpoint, so players need no outside host.
    pub utc_timing_url: Option<String>,
    /// The absolute URL of this request (`http://host/livesim/startrel_-20/asset/x.mpd`).
    /// With `startrel_`/`stoprel_`, the live MPD gets a `Location`: this URL with the session's
    /// absolute `start_`/`stop_` values in place of the relative ones, as dashlivesim writes,
    /// so that a player's MPD updates stay in the session instead of starting a new one.
    pub request_url: Option<String>,
    /// Holds a media request that comes at most this many milliseconds before its segment may
    /// be fetched, and answers it when it may ([`Response::Delayed`]), instead of refusing it
    /// as too early (livesim2's and dashlivesim's answer, kept by the default 0). A player
    /// whose clock runs a few milliseconds ahead of the server's then gets the segment at the
    /// earliest instant instead of a 425 and a retry a second later. At most
    /// [`crate::limits::MAX_EARLY_HOLD_MS`].
    pub early_hold_ms: u64,
    /// The request's query string (after `?`), read by a low-latency HLS media playlist
    /// (`chunkdur_`) for a blocking reload (`_HLS_msn`, `_HLS_part`; docs/hls.md).
    pub query: Option<String>,
}

/// What kind of media an answer carries, for its `Content-Type`.
///
/// ```
/// use dashkit::live::{options::LiveOptions, source::{respond, MediaKind, Response, SourceConfig}};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim (5 x 2 s) with its vodanalyzer .cfg and .dat files.
/// let audio_init = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/1/init.mp4");
/// let video_1 = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/1.m4s");
/// let fetch = |url: &str| match url {
///     "1/init.mp4" => Some(&audio_init[..]),
///     "0/1.m4s" => Some(&video_1[..]),
///     _ => None,
/// };
/// let r = respond(&asset, &LiveOptions::default(), "1/init.mp4", 1_000_000,
///     &SourceConfig::default(), fetch).unwrap();
/// assert!(matches!(r, Response::Init { kind: MediaKind::Audio, .. }));
/// assert_eq!(MediaKind::Audio.mime(), "audio/mp4");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// A video track (`video/mp4`).
    Video,
    /// An audio track (`audio/mp4`).
    Audio,
    /// Anything else in ISO-BMFF (`application/mp4`).
    Other,
}

impl MediaKind {
    /// The MIME type.
    ///
    /// ```
    /// assert_eq!(dashkit::live::source::MediaKind::Audio.mime(), "audio/mp4");
    /// ```
    pub fn mime(self) -> &'static str {
        match self {
            MediaKind::Video => "video/mp4",
            MediaKind::Audio => "audio/mp4",
            MediaKind::Other => "application/mp4",
        }
    }

    fn of(content_type: &str) -> MediaKind {
        match content_type {
            "video" => MediaKind::Video,
            "audio" => MediaKind::Audio,
            _ => MediaKind::Other,
        }
    }
}

/// The answer to one request.
///
/// ```
/// use dashkit::live::{options::LiveOptions, source::{respond, MediaKind, Response, SourceConfig}};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim (5 x 2 s) with its vodanalyzer .cfg and .dat files.
/// let audio_init = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/1/init.mp4");
/// let video_1 = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/1.m4s");
/// let fetch = |url: &str| match url {
///     "1/init.mp4" => Some(&audio_init[..]),
///     "0/1.m4s" => Some(&video_1[..]),
///     _ => None,
/// };
/// // Live segment 500 covers media time 1000..1002 s: loop 100, VoD segment 1.
/// let r = respond(&asset, &LiveOptions::default(), "0/500.m4s", 1_002_000,
///     &SourceConfig::default(), fetch).unwrap();
/// let Response::Segment { data, kind, number, fetch_until_ms } = r else { panic!("{r:?}") };
/// assert_eq!((kind, number), (MediaKind::Video, 500));
/// // tfdt and sequence number rewritten in place, the VoD's 52-byte sidx left out.
/// assert_eq!(data.len(), video_1.len() - 52);
/// assert_eq!(fetch_until_ms, Some(1_002_000 + 2_000 + 300_000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response<'a> {
    /// The live MPD (`application/dash+xml`).
    Mpd {
        /// The XML text.
        xml: String,
    },
    /// An init segment, as the VoD has it.
    Init {
        /// The bytes (from `fetch`).
        bytes: &'a [u8],
        /// Its track's kind.
        kind: MediaKind,
    },
    /// An MPD patch (`patch_`, [`super::patch`]): `application/dash-patch+xml`.
    MpdPatch {
        /// The Patch document.
        xml: String,
        /// When it expires (epoch ms): its publishTime plus the ttl and livesim2's margin.
        expires_ms: i64,
    },
    /// A generated init segment (`timesubs*_`, [`super::timesubs`]).
    GeneratedInit {
        /// The bytes.
        bytes: Vec<u8>,
        /// Its track's kind.
        kind: MediaKind,
    },
    /// An init segment rewritten for on-the-fly encryption (`drm_eccp-*`, [`super::eccp`]):
    /// `encv`/`enca` with `sinf`, and a ClearKey `pssh`.
    ProtectedInit {
        /// The new bytes.
        bytes: Vec<u8>,
        /// Its track's kind.
        kind: MediaKind,
    },
    /// A live media segment: new headers and borrowed VoD bytes.
    Segment {
        /// The parts, in order.
        data: Rewritten<'a>,
        /// Its track's kind.
        kind: MediaKind,
        /// The live segment number.
        number: u64,
        /// The last instant (epoch ms) it may be fetched; `None` when it never expires.
        fetch_until_ms: Option<i64>,
    },
    /// A live media segment in low-latency chunks (`chunkdur_`): chunk `i` may be sent at
    /// `start_ms + chunks[i].end_offset_ms` (epoch ms); those already due go out at once.
    Chunked {
        /// The chunks, in order: new headers and borrowed VoD bytes.
        chunks: Vec<LiveChunk<'a>>,
        /// Its track's kind.
        kind: MediaKind,
        /// The live segment number.
        number: u64,
        /// The segment's media start on the availability clock (epoch ms): its end, when it
        /// becomes complete, minus its duration.
        start_ms: i64,
        /// The last instant (epoch ms) it may be fetched; `None` when it never expires.
        fetch_until_ms: Option<i64>,
    },
    /// An HLS playlist of the live simulator's HLS twin ([`super::hls`]):
    /// `application/vnd.apple.mpegurl`, cacheable until it changes.
    Playlist {
        /// The text.
        text: String,
        /// Its strong entity tag (a hash of the text), computed once
        /// when it is built, not on every answer.
        etag: String,
        /// When its content last changed (epoch ms); `None` for one that never changes.
        last_change_ms: Option<i64>,
        /// When it next changes (epoch ms), so no cache keeps it longer; `None`: never.
        next_change_ms: Option<i64>,
    },
    /// An injected error (`statuscode_`, `traffic_` down or hang,
    /// docs/live-options.md#error-injection), or a refused low-latency HLS blocking reload
    /// (400 too far ahead, 503 past the hold limit; docs/hls.md): `status` with a short text,
    /// sent `delay_ms` after the request.
    Injected {
        /// The status.
        status: u16,
        /// Milliseconds before it is sent.
        delay_ms: u64,
        /// The text of the body.
        message: String,
    },
    /// The answer, `delay_ms` late (`traffic_` slow).
    Delayed {
        /// Milliseconds before it is sent.
        delay_ms: u64,
        /// The answer.
        answer: Box<Response<'a>>,
    },
    /// Refused, with dashlivesim's message (e.g. `Request for 5.m4s was 1.5s too
    /// early`).
    Refused {
        /// Why.
        refusal: Unavailable,
        /// The message for the body.
        message: String,
    },
}

impl Response<'_> {
    /// A live media segment (whole or chunked, held or not): the answer a `Range` applies to
    /// ([`super::http::with_range`]).
    ///
    /// ```
    /// use dashkit::live::source::Response;
    /// assert!(!Response::Mpd { xml: String::new() }.is_media_segment());
    /// ```
    pub fn is_media_segment(&self) -> bool {
        match self {
            Response::Segment { .. } | Response::Chunked { .. } => true,
            Response::Delayed { answer, .. } => answer.is_media_segment(),
            _ => false,
        }
    }
}

/// Seconds with one decimal from milliseconds, as dashlivesim prints amounts (`1.5`).
fn tenths(ms: i64) -> String {
    let t = (ms.unsigned_abs() + 50) / 100;
    let sign = if ms < 0 && t > 0 { "-" } else { "" };
    format!("{sign}{}.{}", t / 10, t % 10)
}

/// dashlivesim's message for a refused request (docs/live-timing.md#availability) for `name` (the file name,
/// `500.m4s`), live media segment `number` (`None` for an init segment or an unknown file):
/// "Request for 500.m4s was 1.5s too early" (the amount leaves the ato out),
/// "Request 0.m4s before first seg AST. 1.0s too early", "... was 96.0s too late",
/// "Request for segment 5 before first 10", "Beyond last segment 610", "Unknown file x".
pub(crate) fn refusal_message(
    timing: &Timing,
    name: &str,
    number: Option<u64>,
    refusal: Unavailable,
    now_ms: i64,
) -> Result<String, Error> {
    Ok(match (refusal, number) {
        (Unavailable::TooEarly { by_ms }, Some(_))
            if now_ms < timing.first_segment_gate_ms()? =>
        {
            format!(
                "Request {name} before first seg AST. {}s too early",
                tenths(by_ms)
            )
        }
        (Unavailable::TooEarly { .. }, Some(n)) => {
            let report_ms = timing.segment(n)?.available_at_ms - now_ms;
            format!("Request for {name} was {}s too early", tenths(report_ms))
        }
        (Unavailable::TooEarly { by_ms }, None) => {
            format!("Request for {name} was {}s too early", tenths(by_ms))
        }
        (Unavailable::TooLate { by_ms }, _) => {
            format!("Request for {name} was {}s too late", tenths(by_ms))
        }
        (Unavailable::NotFound, Some(n)) => match timing.stop_number() {
            _ if i64::try_from(n).is_ok_and(|n| n < timing.start_number) => format!(
                "Request for segment {n} before first {}",
                timing.start_number
            ),
            Some(stop) => format!("Beyond last segment {stop}"),
            None => format!("Unknown file {name}"),
        },
        (Unavailable::NotFound, _) => format!("Unknown file {name}"),
    })
}

fn refused<'a>(
    timing: &Timing,
    name: &str,
    number: Option<u64>,
    refusal: Unavailable,
    now_ms: i64,
) -> Result<Response<'a>, Error> {
    Ok(Response::Refused {
        refusal,
        message: refusal_message(timing, name, number, refusal, now_ms)?,
    })
}

/// The media template a live `file` of `rep` is named by: the VoD's `@media` (`$Number$`
/// addressing), or for `segtimeline_1` dashlivesim's `t$Time$` in place of `$Number$`
/// (`None` when that is not a template).
pub(crate) fn live_media_template(
    rep: &LiveRepresentation,
    mode: TimelineMode,
) -> Option<Cow<'_, Template>> {
    if mode == TimelineMode::Time {
        Template::parse(&rep.media_template.as_str().replace("$Number$", "t$Time$"))
            .ok()
            .map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(&rep.media_template))
    }
}

/// What a request names, before availability.
enum Target<'s> {
    /// The live MPD.
    Mpd,
    /// An init segment.
    Init(&'s LiveAdaptationSet),
    /// A live media segment by number.
    Media(&'s LiveAdaptationSet, &'s LiveRepresentation, u64),
    /// Nothing the asset has.
    Unknown,
}

/// Classifies `file` against the asset's templates: the MPD, an init segment, or a media
/// segment by `$Number$` or `$Time$` (mapped to its number).
fn target<'s>(
    asset: &'s LiveAsset,
    options: &LiveOptions,
    timing: &Timing,
    file: &str,
) -> Result<Target<'s>, Error> {
    if file.ends_with(".mpd") {
        return Ok(Target::Mpd);
    }
    for las in &asset.adaptation_sets {
        for rep in &las.representations {
            if rep.init_url()?.as_deref() == Some(file) {
                return Ok(Target::Init(las));
            }
            let known = TemplateValues {
                representation_id: Some(&rep.id),
                bandwidth: rep.bandwidth,
                ..TemplateValues::default()
            };
            let Some(template) = live_media_template(rep, options.timeline) else {
                continue;
            };
            let Some(m) = template.match_url(file, &known) else {
                continue;
            };
            let address = if options.timeline == TimelineMode::Time {
                m.time.map(SegmentAddress::Time)
            } else {
                m.number.map(SegmentAddress::Number)
            };
            let number = match address {
                None => continue,
                Some(SegmentAddress::Number(n)) => n,
                Some(SegmentAddress::Time(t)) => timing.number_for_time(t, las.timescale)?,
            };
            return Ok(Target::Media(las, rep, number));
        }
    }
    Ok(Target::Unknown)
}

/// The Representation and live number a media segment `file` names at `now_ms` (as
/// [`respond`] classifies it), or `None` when it names no media segment.
pub(crate) fn media_segment_of(
    asset: &LiveAsset,
    options: &LiveOptions,
    file: &str,
    now_ms: i64,
) -> Result<Option<(String, u64)>, Error> {
    let timing = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?.timing;
    Ok(match target(asset, options, &timing, file)? {
        Target::Media(_, rep, number) => Some((rep.id.clone(), number)),
        _ => None,
    })
}

/// The live URL (relative to the MPD) of media segment `number` of Representation `rep_id`:
/// the name [`respond`] answers that segment under. With `segtimeline_1` the name carries the
/// segment's live media time (from the asset's `.dat` runs).
///
/// ```
/// use dashkit::live::{asset::LiveAsset, options::LiveOptions, source::segment_url};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// let url = segment_url(&asset, &LiveOptions::default(), "V300", 500, 1_003_000).unwrap();
/// assert_eq!(url, "V300/500.m4s");
/// ```
pub fn segment_url(
    asset: &LiveAsset,
    options: &LiveOptions,
    rep_id: &str,
    number: u64,
    now_ms: i64,
) -> Result<String, Error> {
    let (las, rep) = asset.representation(rep_id).ok_or(Error::NotLiveable {
        reason: "no such Representation",
    })?;
    let template = live_media_template(rep, options.timeline).ok_or(Error::NotLiveable {
        reason: "SegmentTimeline with $Time$ needs a plain $Number$ in @media",
    })?;
    let time = if options.timeline == TimelineMode::Time {
        let timing =
            Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?.timing;
        let live = timing.segment(number)?;
        let vod = las
            .vod_start_ticks(live.vod_number)
            .ok_or(Error::NotLiveable {
                reason: "no .dat segment timing runs for a SegmentTimeline",
            })?;
        Some(
            vod.checked_add(live.tfdt_offset_ticks(las.timescale)?)
                .ok_or(Error::Overflow)?,
        )
    } else {
        None
    };
    template
        .expand(&TemplateValues {
            representation_id: Some(&rep.id),
            number: Some(number),
            time,
            bandwidth: rep.bandwidth,
            ..TemplateValues::default()
        })
        .map_err(|e| Error::Mpd(Box::new(e)))
}

/// `url` with its `startrel_X` / `stoprel_Y` path components replaced by the session's
/// absolute `start_<AST>` / `stop_<stop>` (seconds, already rounded to whole segments, so the
/// same session comes back from the new URL); the query and fragment are kept.
fn session_location(url: &str, timing: &Timing) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let (path, tail) = url.split_at(cut);
    let mut out = String::with_capacity(url.len() + 8);
    for (i, c) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match (
            c.strip_prefix("startrel_"),
            c.strip_prefix("stoprel_"),
            timing.stop_s,
        ) {
            (Some(_), _, _) => out.push_str(&format!("start_{}", timing.ast_s)),
            (_, Some(_), Some(stop)) => out.push_str(&format!("stop_{stop}")),
            _ => out.push_str(c),
        }
    }
    out.push_str(tail);
    out
}

/// Answers a request for `file` (the path below the asset's directory, e.g. `Manifest.mpd`,
/// `V300/init.mp4`, `V300/1000.m4s` or `A48/t96000.m4s`) at `now_ms` (epoch milliseconds).
///
/// A name ending in `.mpd` gets the live MPD; a file an init template expands to gets the
/// init segment (available from AST minus `init_`); a file the live media template matches
/// for a Representation gets that live segment. `fetch` reads a file by its URL relative to
/// the asset's MPD; a media file it cannot read is [`Error::MissingFile`], a server error.
///
/// ```
/// use dashkit::live::{asset::LiveAsset, options::LiveOptions, source::*};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// let opts = LiveOptions::default();
/// let cfg = SourceConfig::default();
/// // Segment 500 ends at 1002 s: at 1001 s it is a second too early.
/// let r = respond(&asset, &opts, "V300/500.m4s", 1_001_000, &cfg, |_| None).unwrap();
/// assert_eq!(r, Response::Refused {
///     refusal: Unavailable::TooEarly { by_ms: 1000 },
///     message: "Request for 500.m4s was 1.0s too early".into(),
/// });
/// let r = respond(&asset, &opts, "Manifest.mpd", 1_001_000, &cfg, |_| None).unwrap();
/// assert!(matches!(r, Response::Mpd { ref xml } if xml.contains(r#"type="dynamic""#)));
/// ```
pub fn respond<'a, F>(
    asset: &LiveAsset,
    options: &LiveOptions,
    file: &str,
    now_ms: i64,
    config: &SourceConfig,
    fetch: F,
) -> Result<Response<'a>, Error>
where
    F: FnMut(&str) -> Option<&'a [u8]>,
{
    // traffic_: a media request through BaseURL bu<i>/ takes that BaseURL's state at now.
    let playlist = file.ends_with(".mpd") || file.ends_with(".m3u8");
    let (bu, file) = if options.traffic.is_empty() || playlist {
        (None, file)
    } else {
        super::inject::split_base_url(file)
    };
    let traffic = super::inject::traffic_injection(&options.traffic, bu, now_ms);
    if let Some(super::inject::Injection::Status { status, delay_ms }) = traffic {
        return Ok(Response::Injected {
            status,
            delay_ms,
            message: if status == 404 { "Not Found" } else { "Hang" }.into(),
        });
    }
    let answer = respond_file(asset, options, file, now_ms, config, fetch)?;
    Ok(match traffic {
        Some(super::inject::Injection::Slow { delay_ms }) => Response::Delayed {
            delay_ms,
            answer: Box::new(answer),
        },
        _ => answer,
    })
}

/// [`respond`] below the `traffic_` BaseURL.
pub(crate) fn respond_file<'a, F>(
    asset: &LiveAsset,
    options: &LiveOptions,
    file: &str,
    now_ms: i64,
    config: &SourceConfig,
    mut fetch: F,
) -> Result<Response<'a>, Error>
where
    F: FnMut(&str) -> Option<&'a [u8]>,
{
    let session = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?;
    let timing = session.timing;
    let name = file.rsplit('/').next().unwrap_or(file);
    if let Some(playlist) = super::hls::playlist_name(asset, file) {
        return match super::hls::answer(asset, options, playlist, now_ms, config, &mut fetch)? {
            Ok(r) => Ok(r),
            Err(refusal) => refused(&timing, name, None, refusal, now_ms),
        };
    }
    // patch_: MPD patches (docs/live-options.md#mpd-patches).
    if file.ends_with(".mpp") && options.patch_ttl_s.is_some() {
        return super::patch::respond(asset, options, file, now_ms, config);
    }
    // timesubs*_: generated subtitle files (docs/live-options.md#generated-subtitles).
    if let Some(answer) =
        super::timesubs::respond(options, &timing, file, now_ms, config.early_hold_ms)?
    {
        return Ok(answer);
    }
    let (las, rep, number) = match target(asset, options, &timing, file)? {
        Target::Mpd => {
            return Ok(Response::Mpd {
                xml: mpd_text(asset, options, &session, now_ms, config, file)?,
            });
        }
        Target::Init(las) => {
            let kind = MediaKind::of(&las.content_type);
            return match timing.check_init(now_ms)?.into_result() {
                Err(r) => refused(&timing, name, None, r, now_ms),
                Ok(()) => match (fetch(file), options.drm) {
                    (Some(bytes), Some(scheme)) if kind != MediaKind::Other => {
                        Ok(Response::ProtectedInit {
                            bytes: super::eccp::protect_init(bytes, scheme)?,
                            kind,
                        })
                    }
                    (Some(bytes), _) => Ok(Response::Init { bytes, kind }),
                    (None, _) => Err(Error::MissingFile { url: file.into() }),
                },
            };
        }
        Target::Unknown => return refused(&timing, file, None, Unavailable::NotFound, now_ms),
        Target::Media(las, rep, number) => (las, rep, number),
    };
    // statuscode_: the cyclic status of this segment, whatever its availability (livesim2).
    let status = super::inject::status_code_for(
        &options.status_codes,
        &rep.id,
        &las.content_type,
        number,
        timing.start_number,
        timing.media_time_at_ast_s,
        timing.looping.segment_duration_s,
    );
    if let Some(status) = status {
        return Ok(Response::Injected {
            status,
            delay_ms: 0,
            message: format!("statuscode_ {status} for segment {number}"),
        });
    }
    let live = match timing.check_media(number, now_ms)?.into_result() {
        Ok(live) => live,
        Err(Unavailable::TooEarly { by_ms })
            if by_ms > 0
                && u64::try_from(by_ms).is_ok_and(|b| {
                    b <= config.early_hold_ms.min(crate::limits::MAX_EARLY_HOLD_MS)
                }) =>
        {
            // Held: the answer at the instant it may be fetched, sent then (once: no hold
            // inside).
            let at = now_ms.checked_add(by_ms).ok_or(Error::Overflow)?;
            let inner = SourceConfig {
                early_hold_ms: 0,
                ..config.clone()
            };
            let answer = respond_file(asset, options, file, at, &inner, fetch)?;
            return Ok(Response::Delayed {
                delay_ms: u64::try_from(by_ms).map_err(|_| Error::Overflow)?,
                answer: Box::new(answer),
            });
        }
        Err(r) => return refused(&timing, name, Some(number), r, now_ms),
    };
    let kind = MediaKind::of(&las.content_type);
    let vod_url = rep.media_url(live.vod_number)?;
    let bytes = fetch(&vod_url).ok_or(Error::MissingFile {
        url: vod_url.clone(),
    })?;
    let offset = live.tfdt_offset_ticks(las.timescale)?;
    // In-band events of the segment (scte35_: docs/live-options.md#scte-35).
    let events =
        super::scte35::segment_events(options, &las.content_type, bytes, las.timescale, offset)?;
    // drm_eccp-*: video and audio are encrypted after the live rewrite, with the clear init.
    let protect = match options.drm {
        Some(scheme) if kind != MediaKind::Other => {
            let u = rep.init_url()?.ok_or(Error::NotLiveable {
                reason: "drm_eccp- needs an init segment",
            })?;
            Some((scheme, fetch(&u).ok_or(Error::MissingFile { url: u })?))
        }
        _ => None,
    };
    if let Some(chunk_ms) = options.chunk_duration_ms {
        let init = match rep.init_url()? {
            Some(u) => Some(fetch(&u).ok_or(Error::MissingFile { url: u })?),
            None => None,
        };
        let d_ms = i64::try_from(timing.looping.segment_duration_s)
            .ok()
            .and_then(|d| d.checked_mul(1000))
            .ok_or(Error::Overflow)?;
        let mut chunks = chunk_live_segment(
            bytes,
            init,
            &vod_url,
            &live,
            las.timescale,
            offset,
            chunk_ms,
        )?;
        super::scte35::insert_in_first_chunk(&mut chunks, &events)?;
        if let Some((scheme, init)) = protect {
            // Each chunk its own moof with its own senc/saiz/saio.
            for c in &mut chunks {
                let parts = std::mem::take(&mut c.parts);
                c.parts = super::eccp::protect_media(parts, init, scheme, &rep.id)?;
            }
        }
        return Ok(Response::Chunked {
            chunks,
            kind,
            number,
            start_ms: live.available_at_ms - d_ms,
            fetch_until_ms: live.fetch_until_ms,
        });
    }
    let mut data = shift_segment_with_events(
        bytes,
        &vod_url,
        &live,
        las.timescale,
        offset,
        options.sidx,
        events,
    )?;
    if let Some((scheme, init)) = protect {
        data.parts = super::eccp::protect_media(data.parts, init, scheme, &rep.id)?;
    }
    Ok(Response::Segment {
        data,
        kind,
        number,
        fetch_until_ms: live.fetch_until_ms,
    })
}

/// The live MPD's text as the server sends it for `file` at `now_ms`: [`live_mpd_with`] with
/// the server-side touches ([`mpd_for`]), the encryption signalling (`drm_`, [`super::eccp`])
/// and the patch signalling ([`super::patch`]).
pub(crate) fn mpd_text(
    asset: &LiveAsset,
    options: &LiveOptions,
    session: &super::timing::Session,
    now_ms: i64,
    config: &SourceConfig,
    file: &str,
) -> Result<String, Error> {
    let mpd = live_mpd_with(asset, options, session, now_ms)?;
    let mut mpd = mpd_for(mpd, options, &session.timing, config);
    if let Some(scheme) = options.drm {
        // Without the request's URL (no Host), relative to the MPD.
        let url = config.request_url.as_deref().map_or_else(
            || super::eccp::LICENSE_FILE.to_string(),
            super::eccp::license_url,
        );
        super::eccp::protect_mpd(&mut mpd, scheme, &url)?;
    }
    super::patch::signal_in_mpd(&mut mpd, options, file, config);
    Ok(crate::mpd::write(&mpd))
}

/// The server-side touches on the live MPD: UTCTiming (and ProducerReferenceTime) URLs
/// pointed at `config.utc_timing_url`, and a `Location` naming the absolute session for
/// `startrel_`/`stoprel_`.
fn mpd_for(
    mut mpd: crate::mpd::Mpd,
    options: &LiveOptions,
    timing: &Timing,
    config: &SourceConfig,
) -> crate::mpd::Mpd {
    if let Some(url) = &config.utc_timing_url {
        let point = |u: &mut crate::mpd::model::Descriptor| {
            let http = u
                .scheme_id_uri
                .as_deref()
                .is_some_and(|s| s.starts_with("urn:mpeg:dash:utc:http-"));
            if http {
                u.value = Some(url.clone());
            }
        };
        mpd.utc_timings.iter_mut().for_each(point);
        // ProducerReferenceTime (low latency) names its clock too.
        for p in &mut mpd.periods {
            for a in &mut p.adaptation_sets {
                for prt in &mut a.producer_reference_times {
                    if let Some(u) = prt.utc_timing.as_mut() {
                        point(u);
                    }
                }
            }
        }
    }
    let relative = options.startrel_s.is_some() || options.stoprel_s.is_some();
    if let (true, Some(url)) = (relative, &config.request_url) {
        mpd.locations = vec![crate::mpd::model::Location {
            url: session_location(url, timing),
            ..Default::default()
        }];
    }
    mpd
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tenths_round_half_up() {
        assert_eq!(tenths(1500), "1.5");
        assert_eq!(tenths(1449), "1.4");
        assert_eq!(tenths(1450), "1.5");
        assert_eq!(tenths(0), "0.0");
        assert_eq!(tenths(99_999), "100.0");
        assert_eq!(tenths(-1500), "-1.5");
    }
}
