//! Generated subtitles showing the wall clock (`timesubsstpp_<langs>`, `timesubswvtt_<langs>`,
//! `timesubsdur_<ms>`, `timesubsreg_<0|1>`), as livesim2 generates them
//! (docs/live-options.md#generated-subtitles): one text AdaptationSet per language, id 100 on,
//! Representation `timestpp-<lang>` or `timewvtt-<lang>`, timescale 1000, its segments aligned
//! with the video's (same numbers, same start times on the session's grid), each carrying one
//! cue per wall-clock second that shows that second in UTC (RFC 3339), the language and the
//! segment number. `stpp` segments carry one TTML document; `wvtt` segments one `vttc` sample
//! per cue and `vtte` samples for the gaps, so their samples tile the segment.
//!
//! Init segments are `<rep>/init.mp4`, media segments `<rep>/<number>.m4s` (or `<time>.m4s`,
//! media time in ms, with `segtimeline_1`), answered by the session's availability rule.

pub mod cues;
pub(crate) mod mp4;

use crate::bmff::patch::{Part, Rewritten};
use crate::mpd::model::{
    AdaptationSet, ConditionalUint, Descriptor, Mpd, Representation, SegmentTemplate,
    SegmentTimeline, S,
};

use super::asset::LiveAsset;
use super::options::{LiveOptions, TimelineMode};
use super::source::{MediaKind, Response, Unavailable as Refusal};
use super::timing::Timing;
use super::Error;

/// The kind of generated subtitles.
///
/// ```
/// use dashkit::live::options::LiveOptions;
/// use dashkit::live::timesubs::{media_segment, Kind};
/// use dashkit::live::timing::{LoopSpec, Timing};
/// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
/// let t = Timing::from_options(&LiveOptions::default(), testpic, 300, 0).unwrap().timing;
/// assert_eq!((Kind::Stpp.prefix(), Kind::Stpp.codecs()), ("timestpp", "stpp"));
/// assert_eq!((Kind::Wvtt.prefix(), Kind::Wvtt.codecs()), ("timewvtt", "wvtt"));
/// // An stpp segment carries a TTML document, a wvtt one WebVTT cue boxes.
/// let o = LiveOptions::default();
/// let ttml = media_segment(&o, &t, Kind::Stpp, "en", 500, false).unwrap();
/// let vtt = media_segment(&o, &t, Kind::Wvtt, "en", 500, false).unwrap();
/// assert!(String::from_utf8_lossy(&ttml).contains("<tt "));
/// assert!(vtt.windows(4).any(|w| w == b"vttc"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// TTML in ISO-BMFF (`stpp`).
    Stpp,
    /// WebVTT in ISO-BMFF (`wvtt`).
    Wvtt,
}

impl Kind {
    /// The Representation id prefix (`timestpp`, `timewvtt`).
    ///
    /// ```
    /// use dashkit::live::timesubs::Kind;
    /// // Representation ids are `<prefix>-<lang>`.
    /// assert_eq!(format!("{}-en", Kind::Wvtt.prefix()), "timewvtt-en");
    /// ```
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Stpp => "timestpp",
            Kind::Wvtt => "timewvtt",
        }
    }

    /// The `@codecs` (livesim2's: the sample entry's 4CC; the `stpp` entry names no profile,
    /// so `bmff::codec` derives the same string from the init segment).
    ///
    /// ```
    /// assert_eq!(dashkit::live::timesubs::Kind::Stpp.codecs(), "stpp");
    /// ```
    pub fn codecs(self) -> &'static str {
        match self {
            Kind::Stpp => "stpp",
            Kind::Wvtt => "wvtt",
        }
    }

    /// livesim2's nominal segment size for `@bandwidth`, in bytes (2 kB TTML, 200 B WebVTT).
    fn typical_segment_bytes(self) -> u64 {
        match self {
            Kind::Stpp => 2000,
            Kind::Wvtt => 200,
        }
    }
}

/// Default cue duration (livesim2's `timesubsdur_` default).
///
/// ```
/// use dashkit::live::timesubs::{cues::cues, DEFAULT_CUE_MS};
/// // Without `timesubsdur_`, a cue covers 900 ms of its second.
/// let c = cues(0, 2_000, 1_000_000, DEFAULT_CUE_MS).unwrap();
/// assert_eq!((c[0].start_ms, c[0].end_ms), (0, 900));
/// ```
pub const DEFAULT_CUE_MS: u64 = 900;
/// Longest cue `timesubsdur_` accepts (an hour).
///
/// ```
/// use dashkit::live::{options::LiveOptions, timesubs::MAX_CUE_MS};
/// assert!(LiveOptions::parse(&format!("timesubsstpp_en/timesubsdur_{MAX_CUE_MS}")).is_ok());
/// assert!(LiveOptions::parse(&format!("timesubsstpp_en/timesubsdur_{}", MAX_CUE_MS + 1)).is_err());
/// ```
pub const MAX_CUE_MS: u64 = 3_600_000;
/// Id of the first generated AdaptationSet (livesim2's).
const FIRST_ID: u32 = 100;

/// The generated-subtitle options.
///
/// ```
/// use dashkit::live::options::LiveOptions;
/// let o = LiveOptions::parse("timesubsstpp_en,sv/timesubsdur_1000/timesubsreg_1").unwrap();
/// assert_eq!(o.timesubs.stpp, ["en", "sv"]);
/// assert_eq!((o.timesubs.dur_ms, o.timesubs.region), (Some(1000), Some(1)));
/// assert!(LiveOptions::parse("timesubsreg_2").is_err());
/// assert!(LiveOptions::parse("timesubswvtt_en,en").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimeSubsOptions {
    /// `timesubsstpp_<l1>,<l2>…`: TTML languages.
    pub stpp: Vec<String>,
    /// `timesubswvtt_<l1>,<l2>…`: WebVTT languages.
    pub wvtt: Vec<String>,
    /// `timesubsdur_<ms>`: cue duration (default 900).
    pub dur_ms: Option<u64>,
    /// `timesubsreg_<0|1>`: region (0 bottom, the default; 1 top).
    pub region: Option<u8>,
}

/// A language tag: 1 to 35 ASCII letters, digits and hyphens (it names a URL path component
/// and an XML attribute, so nothing else may pass).
fn valid_lang(l: &str) -> bool {
    (1..=35).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl TimeSubsOptions {
    /// Whether `key` is one of these options.
    pub(crate) fn is_key(key: &str) -> bool {
        matches!(
            key,
            "timesubsstpp" | "timesubswvtt" | "timesubsdur" | "timesubsreg"
        )
    }

    /// Applies `key_value`; `None` when the value is malformed.
    pub(crate) fn apply(&mut self, key: &str, value: &str) -> Option<()> {
        match key {
            "timesubsstpp" | "timesubswvtt" => {
                let langs: Vec<String> = value.split(',').map(str::to_string).collect();
                if langs.len() > crate::limits::MAX_TIMESUBS_LANGUAGES
                    || !langs.iter().all(|l| valid_lang(l))
                    || langs
                        .iter()
                        .enumerate()
                        .any(|(i, l)| langs[..i].contains(l))
                {
                    return None;
                }
                if key == "timesubsstpp" {
                    self.stpp = langs;
                } else {
                    self.wvtt = langs;
                }
            }
            "timesubsdur" => {
                let v: u64 = value.parse().ok()?;
                if v == 0 || v > MAX_CUE_MS {
                    return None;
                }
                self.dur_ms = Some(v);
            }
            "timesubsreg" => {
                self.region = Some(match value {
                    "0" => 0,
                    "1" => 1,
                    _ => return None,
                })
            }
            _ => return None,
        }
        Some(())
    }

    /// The options as `(key, value)` path components, in a canonical order.
    pub(crate) fn components(&self) -> Vec<(&'static str, String)> {
        let mut c = Vec::new();
        if !self.stpp.is_empty() {
            c.push(("timesubsstpp", self.stpp.join(",")));
        }
        if !self.wvtt.is_empty() {
            c.push(("timesubswvtt", self.wvtt.join(",")));
        }
        if let Some(d) = self.dur_ms {
            c.push(("timesubsdur", d.to_string()));
        }
        if let Some(r) = self.region {
            c.push(("timesubsreg", r.to_string()));
        }
        c
    }

    /// The generated tracks, in MPD order: `(kind, language)`.
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timesubs::Kind};
    /// let o = LiveOptions::parse("timesubsstpp_en,sv/timesubswvtt_fi").unwrap();
    /// let tracks: Vec<(Kind, &str)> = o.timesubs.tracks().collect();
    /// assert_eq!(tracks, [(Kind::Stpp, "en"), (Kind::Stpp, "sv"), (Kind::Wvtt, "fi")]);
    /// ```
    pub fn tracks(&self) -> impl Iterator<Item = (Kind, &str)> {
        self.stpp
            .iter()
            .map(|l| (Kind::Stpp, l.as_str()))
            .chain(self.wvtt.iter().map(|l| (Kind::Wvtt, l.as_str())))
    }

    /// The cue duration in ms.
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timesubs::DEFAULT_CUE_MS};
    /// assert_eq!(LiveOptions::parse("timesubsstpp_en").unwrap().timesubs.cue_ms(), DEFAULT_CUE_MS);
    /// assert_eq!(LiveOptions::parse("timesubsstpp_en/timesubsdur_1500").unwrap().timesubs.cue_ms(), 1500);
    /// ```
    pub fn cue_ms(&self) -> u64 {
        self.dur_ms.unwrap_or(DEFAULT_CUE_MS)
    }
}

/// The nominal media start of live segment `number` in ms.
fn start_ms(timing: &Timing, number: u64) -> Result<u64, Error> {
    let seg = timing.segment(number)?;
    u64::try_from(seg.media_time_s)
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .ok_or(Error::Overflow)
}

fn d_ms(timing: &Timing) -> Result<u64, Error> {
    timing
        .looping
        .segment_duration_s
        .checked_mul(1000)
        .ok_or(Error::Overflow)
}

/// Adds the generated subtitle AdaptationSets to the live MPD's one Period (before
/// `periods_` splits it), their templates following the reference (first video, else first)
/// AdaptationSet's: the same `@startNumber`, or the same segment numbers in the timeline.
pub(crate) fn signal_in_mpd(
    mpd: &mut Mpd,
    asset: &LiveAsset,
    options: &LiveOptions,
    timing: &Timing,
) -> Result<(), Error> {
    let subs = &options.timesubs;
    if subs.stpp.is_empty() && subs.wvtt.is_empty() {
        return Ok(());
    }
    let reference = asset
        .adaptation_sets
        .iter()
        .find(|a| a.content_type == "video")
        .or_else(|| asset.adaptation_sets.first())
        .ok_or(Error::NotLiveable {
            reason: "generated subtitles need a media AdaptationSet to follow",
        })?;
    let Some(period) = mpd.periods.first_mut() else {
        return Ok(());
    };
    let ref_tpl = period
        .adaptation_sets
        .get(reference.adaptation_set_index)
        .and_then(|a| a.segment_template.as_deref())
        .cloned()
        .unwrap_or_default();
    let d = d_ms(timing)?;
    let pto = u64::try_from(timing.media_time_at_ast_s)
        .ok()
        .and_then(|v| v.checked_mul(1000))
        .ok_or(Error::Overflow)?;
    let mut tpl = SegmentTemplate {
        initialization: Some("$RepresentationID$/init.mp4".into()),
        media: Some(if options.timeline == TimelineMode::Time {
            "$RepresentationID$/$Time$.m4s".into()
        } else {
            "$RepresentationID$/$Number$.m4s".into()
        }),
        timescale: Some(mp4::TIMESCALE),
        presentation_time_offset: (pto != 0).then_some(pto),
        availability_time_offset: ref_tpl.availability_time_offset.clone(),
        ..SegmentTemplate::default()
    };
    if options.timeline == TimelineMode::Number {
        tpl.duration = Some(d);
        tpl.start_number = ref_tpl.start_number;
    } else {
        let numbers: Vec<u64> = super::periods::expand(&ref_tpl, options.timeline, timing)?
            .iter()
            .map(|s| s.number)
            .collect();
        let mut s = Vec::new();
        if let Some(&first) = numbers.first() {
            s.push(S {
                t: Some(start_ms(timing, first)?),
                d: Some(d),
                r: (numbers.len() > 1).then(|| numbers.len() as i64 - 1),
                ..S::default()
            });
        }
        if options.timeline == TimelineMode::TimelineNumber {
            tpl.start_number = numbers.first().copied().or(ref_tpl.start_number);
        }
        tpl.segment_timeline = Some(SegmentTimeline {
            s,
            ..SegmentTimeline::default()
        });
    }
    let d_s = timing.looping.segment_duration_s.max(1);
    for (i, (kind, lang)) in subs.tracks().enumerate() {
        let rep = Representation {
            id: Some(format!("{}-{lang}", kind.prefix())),
            bandwidth: Some(kind.typical_segment_bytes() * 8 / d_s),
            start_with_sap: Some(1),
            ..Representation::default()
        };
        period.adaptation_sets.push(AdaptationSet {
            id: Some(FIRST_ID + u32::try_from(i).map_err(|_| Error::Overflow)?),
            lang: Some(lang.to_string()),
            content_type: Some("text".into()),
            mime_type: Some("application/mp4".into()),
            segment_alignment: Some(ConditionalUint::Bool(true)),
            codecs: Some(kind.codecs().into()),
            roles: vec![Descriptor {
                scheme_id_uri: Some("urn:mpeg:dash:role:2011".into()),
                value: Some("subtitle".into()),
                ..Descriptor::default()
            }],
            segment_template: Some(Box::new(tpl.clone())),
            representations: vec![rep],
            ..AdaptationSet::default()
        });
    }
    Ok(())
}

/// The file name of generated subtitle segment `number` below its Representation's folder:
/// `<number>.m4s`, or with `segtimeline_1` `<media time in ms>.m4s`.
pub(crate) fn media_name(
    options: &LiveOptions,
    timing: &Timing,
    number: u64,
) -> Result<String, Error> {
    Ok(if options.timeline == TimelineMode::Time {
        format!("{}.m4s", start_ms(timing, number)?)
    } else {
        format!("{number}.m4s")
    })
}

/// What a request below the asset names among the generated subtitles.
enum Request<'f> {
    Init(Kind, &'f str),
    Media(Kind, &'f str, u64),
}

/// Classifies `file` (`timestpp-en/init.mp4`, `timewvtt-sv/500.m4s`): `None` when it is not a
/// generated-subtitle name of these options, `Some(Err(()))` when it is malformed or not in them.
fn request<'f>(options: &LiveOptions, file: &'f str) -> Option<Result<Request<'f>, ()>> {
    let (rep, seg) = file.split_once('/')?;
    let (prefix, lang) = rep.split_once('-')?;
    let (kind, langs) = match prefix {
        "timestpp" => (Kind::Stpp, &options.timesubs.stpp),
        "timewvtt" => (Kind::Wvtt, &options.timesubs.wvtt),
        _ => return None,
    };
    if options.timesubs.stpp.is_empty() && options.timesubs.wvtt.is_empty() {
        return None;
    }
    if !langs.iter().any(|l| l == lang) {
        return Some(Err(()));
    }
    if seg == "init.mp4" {
        return Some(Ok(Request::Init(kind, lang)));
    }
    let v = seg
        .strip_suffix(".m4s")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u64>().ok());
    Some(v.map(|v| Request::Media(kind, lang, v)).ok_or(()))
}

/// The answer to `file` when it names a generated subtitle file of `options`; `None` when it
/// does not (the asset's own files then answer).
pub(crate) fn respond<'a>(
    options: &LiveOptions,
    timing: &Timing,
    file: &str,
    now_ms: i64,
    early_hold_ms: u64,
) -> Result<Option<Response<'a>>, Error> {
    let name = file.rsplit('/').next().unwrap_or(file);
    let refused = |refusal: Refusal, number: Option<u64>| -> Result<Option<Response<'a>>, Error> {
        Ok(Some(Response::Refused {
            refusal,
            message: super::source::refusal_message(timing, name, number, refusal, now_ms)?,
        }))
    };
    let req = match request(options, file) {
        None => return Ok(None),
        Some(Err(())) => return refused(Refusal::NotFound, None),
        Some(Ok(r)) => r,
    };
    let (kind, lang, v) = match req {
        Request::Init(kind, lang) => {
            return match timing.check_init(now_ms)?.into_result() {
                Err(r) => refused(r, None),
                Ok(()) => Ok(Some(Response::GeneratedInit {
                    bytes: mp4::init_segment(kind, lang)?,
                    kind: MediaKind::Other,
                })),
            };
        }
        Request::Media(kind, lang, v) => (kind, lang, v),
    };
    let number = if options.timeline == TimelineMode::Time {
        let n = timing.number_for_time(v, mp4::timescale())?;
        // Only a segment's exact start names it.
        if timing
            .segment(n)
            .ok()
            .map(|_| start_ms(timing, n))
            .transpose()?
            != Some(v)
        {
            return refused(Refusal::NotFound, None);
        }
        n
    } else {
        v
    };
    let (live, delay_ms) = match timing.check_media(number, now_ms)?.into_result() {
        Ok(live) => (live, 0),
        // Held (`SourceConfig::early_hold_ms`), as the asset's own segments are.
        Err(Refusal::TooEarly { by_ms })
            if by_ms > 0
                && u64::try_from(by_ms)
                    .is_ok_and(|b| b <= early_hold_ms.min(crate::limits::MAX_EARLY_HOLD_MS)) =>
        {
            let at = now_ms.checked_add(by_ms).ok_or(Error::Overflow)?;
            match timing.check_media(number, at)?.into_result() {
                Ok(live) => (live, u64::try_from(by_ms).map_err(|_| Error::Overflow)?),
                Err(r) => return refused(r, Some(number)),
            }
        }
        Err(r) => return refused(r, Some(number)),
    };
    let bytes = media_segment(options, timing, kind, lang, number, live.last)?;
    let answer = Response::Segment {
        data: Rewritten {
            parts: vec![Part::Owned(bytes)],
        },
        kind: MediaKind::Other,
        number,
        fetch_until_ms: live.fetch_until_ms,
    };
    Ok(Some(if delay_ms > 0 {
        Response::Delayed {
            delay_ms,
            answer: Box::new(answer),
        }
    } else {
        answer
    }))
}

/// The media segment `number` of the generated `kind` track in `lang`: its cues for the wall
/// clock of its interval.
///
/// ```
/// use dashkit::live::options::LiveOptions;
/// use dashkit::live::timesubs::{media_segment, Kind};
/// use dashkit::live::timing::{Ato, LoopSpec, Timing};
/// let t = Timing { ast_s: 0, start_number: 0, media_time_at_ast_s: 0, tsbd_s: 300,
///     ato: Ato::Zero, init_offset_s: 0, stop_s: None, hold_ms: 0,
///     looping: LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 } };
/// let seg = media_segment(&LiveOptions::default(), &t, Kind::Wvtt, "en", 500, false).unwrap();
/// let text = String::from_utf8_lossy(&seg);
/// assert!(text.contains("1970-01-01T00:16:40Z\nen # 500"));
/// ```
pub fn media_segment(
    options: &LiveOptions,
    timing: &Timing,
    kind: Kind,
    lang: &str,
    number: u64,
    last: bool,
) -> Result<Vec<u8>, Error> {
    let start = start_ms(timing, number)?;
    let dur = d_ms(timing)?;
    let seg = timing.segment(number)?;
    let utc_start = seg
        .available_at_ms
        .checked_sub(i64::try_from(dur).map_err(|_| Error::Overflow)?)
        .ok_or(Error::Overflow)?;
    let cues = cues::cues(start, dur, utc_start, options.timesubs.cue_ms())?;
    let region = options.timesubs.region.unwrap_or(0);
    let u32_ms = |ms: u64| u32::try_from(ms).map_err(|_| Error::Overflow);
    let samples = match kind {
        Kind::Stpp => vec![mp4::Sample {
            duration: u32_ms(dur)?,
            data: cues::ttml_document(lang, region, number, &cues)?.into_bytes(),
        }],
        Kind::Wvtt => {
            let mut samples = Vec::with_capacity(2 * cues.len() + 1);
            let mut at = start;
            for c in &cues {
                if c.start_ms > at {
                    samples.push(mp4::Sample {
                        duration: u32_ms(c.start_ms - at)?,
                        data: mp4::VTTE.to_vec(),
                    });
                }
                samples.push(mp4::Sample {
                    duration: u32_ms(c.end_ms - c.start_ms)?,
                    data: mp4::vttc(&cues::vtt_text(lang, number, c.utc_s)?, region),
                });
                at = c.end_ms;
            }
            if start + dur > at {
                samples.push(mp4::Sample {
                    duration: u32_ms(start + dur - at)?,
                    data: mp4::VTTE.to_vec(),
                });
            }
            samples
        }
    };
    mp4::media_segment(number, start, &samples, last)
}
