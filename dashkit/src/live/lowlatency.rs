//! Low-latency DASH signalling (docs/live-timing.md#low-latency; DASH-IF IOP low-latency, ISO/IEC
//! 23009-1 Annex K): the profile `http://www.dashif.org/guidelines/low-latency-live-v5`, a
//! `ServiceDescription` with a `Latency` target and `PlaybackRate`, a `ProducerReferenceTime`
//! per AdaptationSet, `availabilityTimeOffset` + `availabilityTimeComplete="false"` on every
//! SegmentTemplate, a `UTCTiming` when the MPD has none, and `S@k` (chunks per segment) in
//! SegmentTimelines.
//!
//! Two entry points: `apply_low_latency` (internal; [`crate::live::mpd::live_mpd`] calls it) for the VoD-as-live MPD (`chunkdur_` option, with
//! livesim2's values: target `ltgt` or 3500 ms, min 3/4 and max 2× the target, playback rate
//! 0.96–1.04), and [`signal_low_latency`] for an MPD that an encoder produced (an ingest origin
//! receiving ffmpeg `-ldash 1` output): what is already there is kept, what is missing is
//! added consistently.

use crate::mpd::model::{
    Descriptor, Latency, Mpd, PlaybackRate, ProducerReferenceTime, SegmentTemplate,
    ServiceDescription,
};

use super::options::ms_to_seconds;
use super::Error;

/// The DASH-IF low-latency profile (IOP low-latency, v5).
pub const LOW_LATENCY_PROFILE: &str = "http://www.dashif.org/guidelines/low-latency-live-v5";

/// livesim2's default latency target when `ltgt_` is not given (ms).
pub const DEFAULT_TARGET_LATENCY_MS: u64 = 3500;

/// What the low-latency signalling says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowLatency {
    /// Chunk duration in milliseconds (> 0).
    pub chunk_duration_ms: u64,
    /// Latency target in milliseconds (None: [`DEFAULT_TARGET_LATENCY_MS`]).
    pub target_latency_ms: Option<u64>,
    /// availabilityTimeOffset in milliseconds for templates that have none. None: the segment
    /// duration minus the chunk duration (the first chunk is complete one chunk duration after
    /// the segment starts), when the template's segment duration is known.
    pub availability_time_offset_ms: Option<u64>,
    /// The UTCTiming to add when the MPD has none.
    pub utc_timing: Descriptor,
}

impl LowLatency {
    /// Low-latency settings with livesim2's defaults and an `http-xsdate` UTCTiming at `url`.
    pub fn new(chunk_duration_ms: u64, url: &str) -> Self {
        LowLatency {
            chunk_duration_ms,
            target_latency_ms: None,
            availability_time_offset_ms: None,
            utc_timing: Descriptor {
                scheme_id_uri: Some("urn:mpeg:dash:utc:http-xsdate:2014".into()),
                value: Some(url.into()),
                ..Descriptor::default()
            },
        }
    }
}

/// The availabilityTimeOffset (ms) a VoD-as-live MPD with `chunkdur_` announces, which the
/// server's availability check must use too: `ato_` when given (None for `ato_inf`), else the
/// segment duration minus the chunk duration (None without `chunkdur_`, or when that is 0).
pub(crate) fn effective_ato_ms(
    options: &super::options::LiveOptions,
    segment_duration_ms: u64,
) -> Option<u64> {
    match options.ato {
        Some(super::options::AtoOption::Millis(ms)) if ms > 0 => Some(ms),
        Some(super::options::AtoOption::Infinite) => None,
        _ => options
            .chunk_duration_ms
            .and_then(|c| segment_duration_ms.checked_sub(c))
            .filter(|ms| *ms > 0),
    }
}

fn add_profile(mpd: &mut Mpd) {
    let p = mpd.profiles.get_or_insert_with(String::new);
    if !p.split(',').any(|x| x.trim() == LOW_LATENCY_PROFILE) {
        if !p.is_empty() {
            p.push(',');
        }
        p.push_str(LOW_LATENCY_PROFILE);
    }
}

fn latency(target: u64) -> Latency {
    Latency {
        reference_id: Some(0),
        target: Some(target),
        max: Some(target.saturating_mul(2)),
        min: Some(target.saturating_mul(3) / 4),
        ..Latency::default()
    }
}

fn playback_rate() -> PlaybackRate {
    PlaybackRate {
        max: Some("1.04".into()),
        min: Some("0.96".into()),
        ..PlaybackRate::default()
    }
}

/// Segment duration of a template in ms (from `@duration`, else the first `S@d`), if known.
fn segment_ms(t: &SegmentTemplate) -> Option<u64> {
    let ts = u128::from(t.timescale.unwrap_or(1).max(1));
    let d = t.duration.or_else(|| {
        t.segment_timeline
            .as_ref()
            .and_then(|tl| tl.s.first())
            .and_then(|s| s.d)
    })?;
    u64::try_from(u128::from(d) * 1000 / ts).ok()
}

/// Puts ato/atc and S@k on one template; only fills what is absent.
fn template(t: &mut SegmentTemplate, ll: &LowLatency) -> Result<(), Error> {
    let seg_ms = segment_ms(t);
    if let Some(s) = seg_ms {
        if ll.chunk_duration_ms > s {
            return Err(Error::OptionConflict {
                message: format!(
                    "chunk duration {} ms exceeds segment duration {s} ms",
                    ll.chunk_duration_ms
                ),
            });
        }
    }
    if t.availability_time_offset.is_none() {
        let ato = ll
            .availability_time_offset_ms
            .or_else(|| seg_ms.map(|s| s - ll.chunk_duration_ms));
        if let Some(ms) = ato.filter(|ms| *ms > 0) {
            t.availability_time_offset = Some(ms_to_seconds(ms));
        }
    }
    if t.availability_time_offset.is_some() && t.availability_time_complete.is_none() {
        t.availability_time_complete = Some(false);
    }
    let ts = u128::from(t.timescale.unwrap_or(1).max(1));
    if let Some(tl) = t.segment_timeline.as_mut() {
        for s in &mut tl.s {
            if s.k.is_none() {
                if let Some(d) = s.d {
                    // k = round(segment duration / chunk duration), at least 1 (livesim2).
                    let chunk_ticks = u128::from(ll.chunk_duration_ms) * ts;
                    let k = (u128::from(d) * 1000 * 2 + chunk_ticks) / (2 * chunk_ticks.max(1));
                    s.k = Some(u64::try_from(k.max(1)).map_err(|_| Error::Overflow)?);
                }
            }
        }
    }
    Ok(())
}

/// Every SegmentTemplate of the MPD (Period, AdaptationSet and Representation level).
fn templates(
    mpd: &mut Mpd,
    mut f: impl FnMut(&mut SegmentTemplate) -> Result<(), Error>,
) -> Result<(), Error> {
    for p in &mut mpd.periods {
        if let Some(t) = p.segment_template.as_deref_mut() {
            f(t)?;
        }
        for a in &mut p.adaptation_sets {
            if let Some(t) = a.segment_template.as_deref_mut() {
                f(t)?;
            }
            for r in &mut a.representations {
                if let Some(t) = r.segment_template.as_deref_mut() {
                    f(t)?;
                }
            }
        }
    }
    Ok(())
}

/// Adds low-latency signalling to the VoD-as-live MPD that [`super::mpd::live_mpd_with`]
/// built (livesim2's values, docs/live-timing.md#low-latency-signalling): profile,
/// `ServiceDescription id=0` (replacing any from the VoD MPD), one `ProducerReferenceTime
/// id=0 type=encoder` per AdaptationSet tying `presentationTime` = the template's
/// presentationTimeOffset (media time at the availabilityStartTime) to `wallClockTime` =
/// availabilityStartTime, ato/atc on every template, `S@k`, and a UTCTiming when there is none.
pub(crate) fn apply_low_latency(mpd: &mut Mpd, ll: &LowLatency) -> Result<(), Error> {
    if ll.chunk_duration_ms == 0 {
        return Err(Error::BadOption {
            key: "chunkdur".into(),
            value: "0".into(),
        });
    }
    add_profile(mpd);
    let target = ll.target_latency_ms.unwrap_or(DEFAULT_TARGET_LATENCY_MS);
    mpd.service_descriptions = vec![ServiceDescription {
        id: Some(0),
        latencies: vec![latency(target)],
        playback_rates: vec![playback_rate()],
        ..ServiceDescription::default()
    }];
    let ast = mpd
        .availability_start_time
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    for p in &mut mpd.periods {
        for a in &mut p.adaptation_sets {
            let pto = a
                .segment_template
                .as_ref()
                .and_then(|t| t.presentation_time_offset)
                .unwrap_or(0);
            a.producer_reference_times = vec![ProducerReferenceTime {
                id: Some(0),
                r#type: Some("encoder".into()),
                wall_clock_time: Some(ast.clone()),
                presentation_time: Some(pto),
                utc_timing: Some(ll.utc_timing.clone()),
                ..ProducerReferenceTime::default()
            }];
        }
    }
    templates(mpd, |t| template(t, ll))?;
    if mpd.utc_timings.is_empty() {
        mpd.utc_timings.push(ll.utc_timing.clone());
    }
    Ok(())
}

/// Makes an encoder's dynamic MPD signal low latency consistently, keeping what it already
/// says: the profile is added if absent; a `ServiceDescription` is added if there is none, and
/// a `Latency` (target from `ll`, or [`DEFAULT_TARGET_LATENCY_MS`]) to the first one that lacks
/// it; templates without `availabilityTimeOffset` get one (see [`LowLatency`]) and templates
/// with one get `availabilityTimeComplete="false"` unless they say otherwise; `S@k` is added
/// where absent; `ll.utc_timing` is added when the MPD has no UTCTiming.
///
/// ```
/// use dashkit::live::lowlatency::{signal_low_latency, LowLatency};
/// let mut mpd = dashkit::mpd::parse(r#"<MPD type="dynamic" availabilityStartTime="1970-01-01T00:00:00Z">
///   <Period><AdaptationSet><SegmentTemplate timescale="1000" duration="2000"
///   media="$Number$.m4s"/><Representation id="v"/></AdaptationSet></Period></MPD>"#).unwrap();
/// signal_low_latency(&mut mpd, &LowLatency::new(500, "https://time.example/iso")).unwrap();
/// let xml = dashkit::mpd::write(&mpd);
/// assert!(xml.contains(r#"availabilityTimeOffset="1.5""#), "{xml}");
/// assert!(xml.contains(r#"availabilityTimeComplete="false""#));
/// assert!(xml.contains("<ServiceDescription"));
/// assert!(xml.contains("<UTCTiming"));
/// ```
pub fn signal_low_latency(mpd: &mut Mpd, ll: &LowLatency) -> Result<(), Error> {
    if mpd.r#type.as_deref() != Some("dynamic") {
        return Err(Error::NotLiveable {
            reason: "low-latency signalling needs a dynamic MPD",
        });
    }
    if ll.chunk_duration_ms == 0 {
        return Err(Error::BadOption {
            key: "chunkdur".into(),
            value: "0".into(),
        });
    }
    add_profile(mpd);
    let target = ll.target_latency_ms.unwrap_or(DEFAULT_TARGET_LATENCY_MS);
    if mpd.service_descriptions.is_empty() {
        mpd.service_descriptions.push(ServiceDescription {
            id: Some(0),
            ..ServiceDescription::default()
        });
    }
    if !mpd
        .service_descriptions
        .iter()
        .any(|s| !s.latencies.is_empty())
    {
        if let Some(sd) = mpd.service_descriptions.first_mut() {
            sd.latencies.push(latency(target));
            if sd.playback_rates.is_empty() {
                sd.playback_rates.push(playback_rate());
            }
        }
    }
    templates(mpd, |t| template(t, ll))?;
    if mpd.utc_timings.is_empty() {
        mpd.utc_timings.push(ll.utc_timing.clone());
    }
    Ok(())
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn effective_ato_ms_example() {
        use crate::live::{lowlatency::effective_ato_ms, options::LiveOptions};
        assert_eq!(
            effective_ato_ms(&LiveOptions::parse("chunkdur_0.5").unwrap(), 2000),
            Some(1500)
        );
        assert_eq!(
            effective_ato_ms(&LiveOptions::parse("ato_1/chunkdur_0.5").unwrap(), 2000),
            Some(1000)
        );
        assert_eq!(effective_ato_ms(&LiveOptions::default(), 2000), None);
    }
}
