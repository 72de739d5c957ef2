//! MPD validation: MPD-level checks, then each Representation's init and media segments
//! against what the MPD says about them, then cross-Representation checks.

use super::media::{
    brands, check_continuity, check_segment, init_facts, InitFacts, SegmentCheck, SegmentFacts,
};
use super::{codes, ms, profile, Finding, Report, SegmentSource, Severity};
use crate::bmff::codec::SbrSignalling;
use crate::bmff::index::{Depth, Index};
use crate::mpd::inherit::{self, EffectiveAddressing as Addressing};
use crate::mpd::listing::{list_segments_in_window, IndexRequest, RepresentationListing};
use crate::mpd::model::{AdaptationSet, Mpd, Representation};
use crate::sniff::{sniff, Container};

/// How far (in buffer lengths, plus one segment) a bandwidth window reaches from its start,
/// besides the whole run from the first sample: keeps the check linear on long assets.
const BANDWIDTH_HORIZON_BUFFERS: u128 = 4;

/// Validates an MPD and the segments it addresses, read through `source`.
///
/// Relative URLs are resolved against the MPD's BaseURLs only (the MPD's own location is
/// unknown here), so a source typically maps them onto the MPD's directory.
///
/// ```
/// use dashkit::validate::{validate, codes};
/// let mpd = r#"<MPD type="static" mediaPresentationDuration="PT2S" minBufferTime="PT2S">
///   <Period><AdaptationSet contentType="audio">
///   <SegmentTemplate media="a$Number$.m4s" initialization="init.mp4" duration="2"/>
///   <Representation id="a" bandwidth="64000"/></AdaptationSet></Period></MPD>"#;
/// let mut nothing = |_: &str, _| None;
/// let report = validate(mpd, &mut nothing).unwrap();
/// assert!(report.has(codes::INIT_MISSING));
/// ```
pub fn validate(mpd_text: &str, source: &mut dyn SegmentSource) -> Result<Report, crate::Error> {
    let mut mpd = crate::mpd::parse(mpd_text)?;
    let mut out = Vec::new();
    check_remote_periods(&mut mpd, source, &mut out);
    validate_model(&mpd, source, None, out)
}

/// Validates a dynamic MPD as a player sees it at `now_ms` (Unix epoch milliseconds): the
/// MPD-level live checks (`validate::live`: UTCTiming, publishTime, minimumUpdatePeriod,
/// availabilityStartTime), then the segments the MPD promises at that instant (complete,
/// and not yet out of the time-shift buffer, ISO/IEC 23009-1 §5.3.9.5.3) with the same
/// per-segment checks as [`validate`], the timeline against the media included. A static
/// MPD is validated as by [`validate`].
///
/// ```
/// use dashkit::validate::{codes, validate_at};
/// let mpd = r#"<MPD type="dynamic" availabilityStartTime="1970-01-01T00:00:00Z"
///   publishTime="1970-01-01T00:00:10Z" minimumUpdatePeriod="PT2S" minBufferTime="PT2S"
///   timeShiftBufferDepth="PT4S"><Period start="PT0S"><AdaptationSet contentType="audio">
///   <SegmentTemplate media="a$Number$.m4s" initialization="i.mp4" duration="2"/>
///   <Representation id="a" bandwidth="1"/></AdaptationSet></Period></MPD>"#;
/// let mut asked = Vec::new();
/// let mut source = |url: &str, _| { asked.push(url.to_owned()); None };
/// let report = validate_at(mpd, &mut source, 10_500).unwrap();
/// assert!(report.has(codes::MPD_UTC_TIMING));
/// // At 10.5 s: segments 3 (4-6 s), 4 (6-8 s) and 5 (8-10 s) are promised; 2 (2-4 s) left
/// // the 4 s buffer at 10 s, 6 is not complete.
/// assert!(report.has(codes::INIT_MISSING) && asked == ["i.mp4"]);
/// ```
pub fn validate_at(
    mpd_text: &str,
    source: &mut dyn SegmentSource,
    now_ms: i64,
) -> Result<Report, crate::Error> {
    let mut mpd = crate::mpd::parse(mpd_text)?;
    let mut out = Vec::new();
    check_remote_periods(&mut mpd, source, &mut out);
    if !mpd.is_dynamic() {
        return validate_model(&mpd, source, None, out);
    }
    super::live::check_live_mpd(&mpd, now_ms, &mut out);
    let listed = super::live::grown_to(&mpd, now_ms);
    validate_model(&listed, source, Some(now_ms), out)
}

/// The checks of [`validate`] on a parsed model; `live_now_ms` restricts the segments
/// checked to those available at that instant (dynamic MPDs).
fn validate_model(
    mpd: &Mpd,
    source: &mut dyn SegmentSource,
    live_now_ms: Option<i64>,
    mut out: Vec<Finding>,
) -> Result<Report, crate::Error> {
    check_presentation_type(mpd, &mut out);
    profile::check_profiles(mpd, &mut out);
    let window = live_now_ms.and_then(|now| super::live::listing_window(mpd, now));
    let listed = list_segments_in_window(mpd, "", window, |req: &IndexRequest| {
        source.fetch(&req.url, Some(req.range))
    })
    .and_then(|l| match l.failures.into_iter().next() {
        Some(f) => Err(f.error),
        None => Ok(l.representations),
    });
    let reps = match listed {
        Ok(r) => r,
        Err(e) => {
            out.push(Finding {
                code: codes::MPD_ADDRESSING,
                severity: Severity::Error,
                location: e.location().path.clone(),
                expected: None,
                found: None,
                message: format!("segments cannot be listed: {e}"),
                representation: None,
            });
            return Ok(Report { findings: out });
        }
    };
    let reps = match live_now_ms {
        None => reps,
        Some(now) => super::live::available_at(mpd, reps, now, &mut out),
    };
    let min_buffer_ns = mpd
        .min_buffer_time
        .as_ref()
        .and_then(|d| d.to_nanos().ok())
        .and_then(|n| u64::try_from(n).ok());
    let max_segment_ns = mpd
        .max_segment_duration
        .as_ref()
        .and_then(|d| d.to_nanos().ok())
        .and_then(|n| u64::try_from(n).ok());
    let mut summaries = Vec::with_capacity(reps.len());
    for listing in &reps {
        let summary = check_representation(
            mpd,
            listing,
            source,
            min_buffer_ns,
            max_segment_ns,
            live_now_ms.is_some(),
            &mut out,
        );
        summaries.push(summary);
    }
    check_segment_alignment(mpd, &reps, &mut out);
    check_av_drift(&reps, &summaries, &mut out);
    Ok(Report { findings: out })
}

/// MPD-XLINK: remote Periods are resolved through `source` (the href as a URL, the whole
/// resource, UTF-8); one that cannot be is a warning, since its content goes unchecked.
fn check_remote_periods(mpd: &mut Mpd, source: &mut dyn SegmentSource, out: &mut Vec<Finding>) {
    use crate::mpd::xlink::{resolve_remote_periods, XlinkOutcome};
    let outcomes = resolve_remote_periods(mpd, |href| {
        source
            .fetch(href, None)
            .and_then(|b| String::from_utf8(b).ok())
    });
    for o in outcomes {
        let (severity, i, href, message) = match o {
            XlinkOutcome::Resolved {
                period_index,
                href,
                periods,
            } => (
                Severity::Info,
                period_index,
                href,
                format!("remote Period resolved into {periods} Period(s)"),
            ),
            XlinkOutcome::Unresolved {
                period_index,
                href,
                reason,
            } => (
                Severity::Warning,
                period_index,
                href,
                format!("remote Period not resolved ({reason}): its content is not checked"),
            ),
        };
        out.push(Finding {
            code: codes::MPD_XLINK,
            severity,
            location: format!("MPD/Period[{i}]/@xlink:href"),
            expected: None,
            found: Some(href),
            message,
            representation: None,
        });
    }
}

/// MPD-STATIC-DURATION, MPD-DYNAMIC-AST, MPD-DYNAMIC-MUP, MPD-MIN-BUFFER-TIME
/// (ISO/IEC 23009-1 §5.3.1.2, §5.3.2.1).
fn check_presentation_type(mpd: &Mpd, out: &mut Vec<Finding>) {
    let mut push = |code, severity, location: &str, message: &str| {
        out.push(Finding {
            code,
            severity,
            location: location.to_owned(),
            expected: None,
            found: None,
            message: message.to_owned(),
            representation: None,
        })
    };
    if mpd.min_buffer_time.is_none() {
        push(
            codes::MPD_MIN_BUFFER_TIME,
            Severity::Error,
            "MPD/@minBufferTime",
            "@minBufferTime is mandatory",
        );
    }
    if mpd.is_dynamic() {
        if mpd.availability_start_time.is_none() {
            push(
                codes::MPD_DYNAMIC_AST,
                Severity::Error,
                "MPD/@availabilityStartTime",
                "a dynamic MPD needs @availabilityStartTime to place segments in time",
            );
        }
        if mpd.minimum_update_period.is_none() && mpd.media_presentation_duration.is_none() {
            push(
                codes::MPD_DYNAMIC_MUP,
                Severity::Warning,
                "MPD/@minimumUpdatePeriod",
                "a dynamic MPD without @minimumUpdatePeriod is never reloaded, yet it does not \
                 announce its end (@mediaPresentationDuration)",
            );
        }
    } else if mpd.media_presentation_duration.is_none()
        && mpd.periods.last().is_none_or(|p| p.duration.is_none())
    {
        push(
            codes::MPD_STATIC_DURATION,
            Severity::Error,
            "MPD/@mediaPresentationDuration",
            "a static MPD needs @mediaPresentationDuration (or a duration on its last Period)",
        );
    }
}

/// What a Representation's segments showed, for the cross-Representation checks.
#[derive(Debug, Default)]
struct Summary {
    media_timescale: u32,
    /// (MPD start in media ticks, EPT) of the first and last segment that parsed.
    first: Option<(i128, i128)>,
    last: Option<(i128, i128)>,
}

fn rep_model<'a>(
    mpd: &'a Mpd,
    l: &RepresentationListing,
) -> Option<(&'a AdaptationSet, &'a Representation)> {
    let aset = mpd
        .periods
        .get(l.period_index)?
        .adaptation_sets
        .get(l.adaptation_set_index)?;
    Some((aset, aset.representations.get(l.representation_index)?))
}

/// `a` ticks of `from` as ticks of `to`, nearest.
fn rescale(a: i128, from: u32, to: u32) -> i128 {
    if from == 0 {
        return 0;
    }
    let num = a * i128::from(to);
    let den = i128::from(from);
    (2 * num + den).div_euclid(2 * den)
}

#[allow(clippy::too_many_lines)]
fn check_representation(
    mpd: &Mpd,
    listing: &RepresentationListing,
    source: &mut dyn SegmentSource,
    min_buffer_ns: Option<u64>,
    max_segment_ns: Option<u64>,
    live: bool,
    out: &mut Vec<Finding>,
) -> Summary {
    let mut summary = Summary::default();
    let Some((aset, rep)) = rep_model(mpd, listing) else {
        return summary;
    };
    let rep_id = listing.id.as_str();
    let path = listing.path.as_str();
    let segs = &listing.segments;
    let mpd_ts = segs.timescale.get();
    check_timeline_continuity(listing, out);
    if let Some(max) = max_segment_ns {
        check_max_segment_duration(listing, max, out);
    }

    if crate::mpd::listing::is_webm(aset, rep) {
        out.push(Finding {
            code: codes::SEG_NOT_APPLICABLE,
            severity: Severity::Info,
            location: path.to_owned(),
            expected: None,
            found: rep.mime_type.clone().or_else(|| aset.mime_type.clone()),
            message: "WebM media: the MPD checks ran; the segment checks (ISO-BMFF init and \
                      media segments) do not apply"
                .to_owned(),
            representation: Some(rep_id.to_owned()),
        });
        return summary;
    }

    // The init segment (or, without one, the first media segment, self-initialising).
    let init_ref = segs
        .initialization
        .as_ref()
        .map(|u| (u.url.as_str(), u.byte_range))
        .or_else(|| segs.segments.first().map(|s| (s.url.as_str(), None)));
    let Some((init_url, init_range)) = init_ref else {
        return summary;
    };
    let Some(init) = source.fetch(init_url, init_range) else {
        out.push(Finding {
            code: codes::INIT_MISSING,
            severity: Severity::Error,
            location: init_url.to_owned(),
            expected: None,
            found: None,
            message: "the initialization segment cannot be read".to_owned(),
            representation: Some(rep_id.to_owned()),
        });
        return summary;
    };
    if let Some(kind) = sniff(&init).filter(|k| *k != Container::IsoBmff) {
        out.push(Finding {
            code: codes::NOT_ISOBMFF,
            severity: Severity::Error,
            location: init_url.to_owned(),
            expected: Some("ISO-BMFF (MP4)".to_owned()),
            found: Some(kind.name().to_owned()),
            message: format!(
                "the initialization segment is {} by its signature, not ISO-BMFF, while \
                 @mimeType does not say so: the segment checks do not apply",
                kind.name()
            ),
            representation: Some(rep_id.to_owned()),
        });
        return summary;
    }
    let facts = match init_facts(&init) {
        Ok(f) => f,
        Err(e) => {
            out.push(Finding {
                code: codes::INIT_PARSE,
                severity: Severity::Error,
                location: init_url.to_owned(),
                expected: None,
                found: None,
                message: format!("the initialization segment is unusable: {e}"),
                representation: Some(rep_id.to_owned()),
            });
            return summary;
        }
    };
    let media_ts = facts.timescale;
    summary.media_timescale = media_ts;
    check_codecs(path, rep_id, aset, rep, &facts, out);
    check_dimensions(path, rep_id, aset, rep, &facts, out);
    check_sampling_rate(path, rep_id, aset, rep, &facts, out);
    check_timescale(mpd, listing, rep_id, aset, rep, &facts, out);
    let cmaf = profile::claims(mpd, profile::CMAF);
    if cmaf {
        profile::check_cmaf_header(init_url, rep_id, &facts.brands, out);
    }
    let mut cmaf_segment_reported = !cmaf;

    let rule = timing_rule(mpd, listing, aset, rep, media_ts);
    let is_video = facts.handler == "vide" || listing.content_type.as_deref() == Some("video");
    let sap_claim = rep.start_with_sap.or(aset.start_with_sap).unwrap_or(0);
    let ctx_require_sap = is_video || (1..=2).contains(&sap_claim);
    let mut last_seq = None;
    let mut durations: Vec<(u32, u64)> = Vec::new();
    let mut prev: Option<(usize, SegmentFacts, bool)> = None;
    let mut delivery: Vec<(u64, u64)> = Vec::new();
    let mut sap_starts: Vec<usize> = Vec::with_capacity(segs.segments.len());
    let mut all_present = true;
    let n = segs.segments.len();
    for (i, seg) in segs.segments.iter().enumerate() {
        let Some(bytes) = source.fetch(&seg.url, seg.byte_range) else {
            all_present = false;
            out.push(Finding {
                code: codes::SEG_MISSING,
                severity: Severity::Error,
                location: seg.url.clone(),
                expected: Some(format!("segment {} at t={}", seg.number, seg.start)),
                found: None,
                message: format!(
                    "segment {} (t={} d={}) cannot be read",
                    seg.number, seg.start, seg.duration
                ),
                representation: Some(rep_id.to_owned()),
            });
            prev = None;
            continue;
        };
        if !cmaf_segment_reported {
            let styp = Index::parse_with(&bytes, 0, Depth::TopAndMoof)
                .ok()
                .filter(|idx| idx.top().any(|i| idx.boxes()[i].is(b"styp")))
                .map(|idx| brands(&bytes, &idx, b"styp"));
            cmaf_segment_reported =
                profile::check_cmaf_segment(&seg.url, rep_id, styp.as_deref(), out);
        }
        let ctx = SegmentCheck {
            init: Some(&init),
            facts: &facts,
            name: &seg.url,
            representation: Some(rep_id),
            require_sap_at_start: ctx_require_sap,
            require_sap_per_fragment: false,
        };
        let offset = seg.byte_range.map_or(0, |r| r.first());
        let first_sample = delivery.len();
        let Some(f) = check_segment(
            &ctx,
            &bytes,
            offset,
            &mut last_seq,
            &mut durations,
            &mut delivery,
            out,
        ) else {
            all_present = false;
            prev = None;
            continue;
        };
        sap_starts.push(first_sample);
        let expected = rescale(i128::from(seg.start), mpd_ts, media_ts);
        let matched = check_tfdt(
            &seg.url, rep_id, expected, &f, &facts, seg.start, mpd_ts, &rule, out,
        );
        if summary.first.is_none() {
            summary.first = Some((expected, f.ept));
        }
        summary.last = Some((expected, f.ept));
        if let Some((pi, p, p_matched)) = prev {
            if pi + 1 == i && p_matched && matched {
                check_continuity(
                    format!("{} moof[0]/traf/tfdt", seg.url),
                    Some(rep_id),
                    p.decode_start.saturating_add(p.duration),
                    f.decode_start,
                    media_ts,
                    p.first_sample_duration,
                    out,
                );
            }
        }
        // A live window's last segment is the live edge, not the presentation's end.
        if i + 1 == n && matched && !live {
            let mpd_end = rescale(
                i128::from(seg.start) + i128::from(seg.duration),
                mpd_ts,
                media_ts,
            );
            check_last_duration(&seg.url, rep_id, mpd_end, &f, media_ts, &rule, out);
        }
        prev = Some((i, f, matched));
    }
    check_frame_rate(path, rep_id, aset, rep, &durations, media_ts, is_video, out);
    if all_present {
        if let (Some(buf), Some(bw)) = (min_buffer_ns, rep.bandwidth) {
            check_bandwidth(path, rep_id, bw, buf, &delivery, &sap_starts, media_ts, out);
        }
    }
    summary
}

/// MPD-TIMELINE-GAP: each listed segment starts where the previous one ends (§5.3.9.6).
fn check_timeline_continuity(l: &RepresentationListing, out: &mut Vec<Finding>) {
    let ts = l.segments.timescale.get();
    for (i, w) in l.segments.segments.windows(2).enumerate() {
        let end = i128::from(w[0].start) + i128::from(w[0].duration);
        let diff = i128::from(w[1].start) - end;
        if diff != 0 {
            let what = if diff > 0 { "hole" } else { "overlap" };
            out.push(Finding {
                code: codes::MPD_TIMELINE_GAP,
                severity: Severity::Error,
                location: format!("{}/segment[{}]", l.path, i + 1),
                expected: Some(format!("t={end}")),
                found: Some(format!("t={}", w[1].start)),
                message: format!(
                    "{what} of {} ticks ({}) in the MPD timeline before segment {}",
                    diff.unsigned_abs(),
                    ms(diff.abs(), ts),
                    w[1].number
                ),
                representation: Some(l.id.clone()),
            });
        }
    }
}

/// MPD-MAX-SEGMENT-DURATION: no segment is longer than `MPD@maxSegmentDuration` (§5.3.1.2).
fn check_max_segment_duration(l: &RepresentationListing, max_ns: u64, out: &mut Vec<Finding>) {
    let ts = u128::from(l.segments.timescale.get());
    for s in &l.segments.segments {
        // duration / ts > max_ns / 1e9, exactly.
        if u128::from(s.duration) * 1_000_000_000 > u128::from(max_ns) * ts {
            let max_ticks = u128::from(max_ns) * ts / 1_000_000_000;
            out.push(Finding {
                code: codes::MPD_MAX_SEGMENT_DURATION,
                severity: Severity::Warning,
                location: format!("{} segment {} ({})", l.path, s.number, s.url),
                expected: Some(format!("d <= {max_ticks}")),
                found: Some(format!("d={}", s.duration)),
                message: format!(
                    "segment lasts {} ticks ({}), longer than MPD@maxSegmentDuration by {} ticks ({})",
                    s.duration,
                    ms(i128::from(s.duration), l.segments.timescale.get()),
                    u128::from(s.duration).saturating_sub(max_ticks),
                    ms(
                        i128::try_from(u128::from(s.duration).saturating_sub(max_ticks)).unwrap_or(0),
                        l.segments.timescale.get()
                    )
                ),
                representation: Some(l.id.clone()),
            });
        }
    }
}

/// The timing rule of a Representation's addressing mode, in media ticks.
///
/// Simple addressing (`@duration` without a SegmentTimeline) places segment `k` at the
/// nominal time `k · @duration`, and each segment edge may deviate from it by up to half a
/// segment duration, not accumulating from segment to segment (ISO/IEC 23009-1 §7.2.1;
/// DASH-IF "Timing Model" guidelines, "Inaccuracy in media segment timing when using simple
/// addressing"). Explicit addressing (SegmentTimeline, SegmentBase's sidx) states each
/// segment's time, so no such allowance applies.
#[derive(Debug, Clone, Copy, Default)]
struct TimingRule {
    /// Half the nominal segment duration under simple addressing; `None` for explicit
    /// addressing.
    simple_tolerance: Option<i128>,
    /// The Period end on the MPD timeline of this Representation, in media ticks (same
    /// origin as the rescaled segment starts), when the Period's duration is known.
    period_end: Option<i128>,
}

fn timing_rule(
    mpd: &Mpd,
    l: &RepresentationListing,
    aset: &AdaptationSet,
    rep: &Representation,
    media_ts: u32,
) -> TimingRule {
    let mpd_ts = l.segments.timescale.get();
    let Some(period) = mpd.periods.get(l.period_index) else {
        return TimingRule::default();
    };
    let nominal = match inherit::effective_addressing(period, aset, rep) {
        Addressing::Template(t) if t.segment_timeline.is_none() => t.duration,
        Addressing::List(t) if t.segment_timeline.is_none() => t.duration,
        _ => None,
    };
    let simple_tolerance = nominal.map(|d| rescale(i128::from(d), mpd_ts, media_ts) / 2);
    let period_end = inherit::period_timings(mpd)
        .ok()
        .and_then(|t| t.get(l.period_index).and_then(|t| t.duration_nanos))
        .map(|ns| {
            let pto = rescale(
                i128::from(l.segments.presentation_time_offset),
                mpd_ts,
                media_ts,
            );
            pto + ns.saturating_mul(i128::from(media_ts)) / 1_000_000_000
        });
    TimingRule {
        simple_tolerance,
        period_end,
    }
}

/// SEG-TFDT: the segment's earliest presentation time (tfdt + composition offset − elst)
/// equals its MPD-addressed start. Small offsets (up to two samples or 50 ms, such as AAC
/// priming) are warnings with the amount; under simple addressing so is anything within
/// half a segment duration of the nominal start (§7.2.1, see [`TimingRule`]); larger ones
/// are errors. Returns whether the segment is close enough for the continuity checks to be
/// meaningful.
#[allow(clippy::too_many_arguments)]
fn check_tfdt(
    url: &str,
    rep_id: &str,
    expected: i128,
    f: &SegmentFacts,
    facts: &InitFacts,
    mpd_start: u64,
    mpd_ts: u32,
    rule: &TimingRule,
    out: &mut Vec<Finding>,
) -> bool {
    let diff = f.ept - expected;
    if diff == 0 {
        return true;
    }
    let tol = small_tolerance(f, facts.timescale).max(rule.simple_tolerance.unwrap_or(0));
    let small = diff.abs() <= tol;
    let allowance = if rule.simple_tolerance.is_some() {
        " (simple addressing allows each segment edge up to half a segment duration from \
         its nominal time, ISO/IEC 23009-1 §7.2.1)"
    } else {
        ""
    };
    out.push(Finding {
        code: codes::SEG_TFDT,
        severity: if small {
            Severity::Warning
        } else {
            Severity::Error
        },
        location: format!("{url} moof[0]/traf/tfdt"),
        expected: Some(format!("EPT {expected}")),
        found: Some(format!("EPT {} (tfdt {})", f.ept, f.decode_start)),
        message: format!(
            "media starts {} ticks ({}) {} the MPD start t={mpd_start} (timescale {mpd_ts}); \
             EPT = tfdt {} + composition offset - elst {}{allowance}",
            diff.unsigned_abs(),
            ms(diff.abs(), facts.timescale),
            if diff > 0 { "after" } else { "before" },
            f.decode_start,
            facts.elst_media_time
        ),
        representation: Some(rep_id.to_owned()),
    });
    small
}

/// Two samples or 50 ms: the offset any addressing mode tolerates as a warning (AAC
/// priming, a stretched first frame).
fn small_tolerance(f: &SegmentFacts, media_ts: u32) -> i128 {
    (2 * i128::from(f.first_sample_duration)).max(i128::from(media_ts) / 20)
}

/// SEG-DURATION: the last segment's media ends where the MPD says it ends. Media running
/// past the Period end is clipped by the player (ISO/IEC 23009-1 §7.2.1: media outside the
/// Period is not presented), so it is a warning, as is an end within the simple-addressing
/// allowance ([`TimingRule`]).
fn check_last_duration(
    url: &str,
    rep_id: &str,
    mpd_end: i128,
    f: &SegmentFacts,
    media_ts: u32,
    rule: &TimingRule,
    out: &mut Vec<Finding>,
) {
    let media_end = f.ept + i128::from(f.duration);
    let diff = media_end - mpd_end;
    if diff == 0 {
        return;
    }
    let tol = small_tolerance(f, media_ts).max(rule.simple_tolerance.unwrap_or(0));
    // The MPD's last segment ends at the Period end (clipped there): media beyond it is cut.
    let past_period_end = diff > 0 && rule.period_end.is_some_and(|e| mpd_end >= e);
    let severity = if diff.abs() > tol && !past_period_end {
        Severity::Error
    } else {
        Severity::Warning
    };
    let why = if past_period_end {
        "; the Period ends there and players clip the rest"
    } else {
        ""
    };
    out.push(Finding {
        code: codes::SEG_DURATION,
        severity,
        location: url.to_owned(),
        expected: Some(format!("media end {mpd_end}")),
        found: Some(format!("media end {media_end}")),
        message: format!(
            "the last segment's media ends {} ticks ({}) {} its MPD end{why}",
            diff.unsigned_abs(),
            ms(diff.abs(), media_ts),
            if diff > 0 { "after" } else { "before" }
        ),
        representation: Some(rep_id.to_owned()),
    });
}

/// Split a codec string into its 4CC and dot-separated fields, hex-case-insensitively
/// comparable (docs/codec-strings.md: 4CC case-sensitive, hex fields not). HEVC hex fields
/// (compatibility flags, constraint bytes) compare as numbers, so `0` equals `00`, and
/// trailing zero constraint bytes are dropped (ISO/IEC 14496-15 E.3).
fn codec_fields(s: &str) -> (String, Vec<String>) {
    let mut parts = s.trim().split('.');
    let fourcc = parts.next().unwrap_or("").to_owned();
    let mut fields: Vec<String> = parts.map(str::to_ascii_lowercase).collect();
    if matches!(fourcc.as_str(), "hvc1" | "hev1" | "hvc2" | "hev2") {
        for (i, f) in fields.iter_mut().enumerate() {
            if i == 1 || i >= 3 {
                let t = f.trim_start_matches('0');
                *f = if t.is_empty() {
                    "0".to_owned()
                } else {
                    t.to_owned()
                };
            }
        }
        while fields.len() > 3 && fields.last().is_some_and(|f| f == "0") {
            fields.pop();
        }
    }
    (fourcc, fields)
}

/// How a declared `@codecs` relates to the string derived from the init segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodecMatch {
    /// The same codec string (up to hex case and HEVC zero padding).
    Same,
    /// Different strings that players treat as the same decoder configuration.
    Equivalent(&'static str),
    /// A different codec, profile or level.
    Different,
}

/// Compares codec strings by field (docs/codec-strings.md#comparison-policy): `avc1`/`avc3`
/// and `hvc1`/`hev1` with equal parameters differ only in where parameter sets live;
/// `mp4a.40.2` against `mp4a.40.5`/`.29` is tolerated when the AudioSpecificConfig signals
/// SBR/PS (an LC decoder plays the core) or does not say (implicit signalling), never when
/// it states sbrPresentFlag 0.
fn compare_codecs(declared: &str, derived: &str, sbr: Option<SbrSignalling>) -> CodecMatch {
    let (d4, df) = codec_fields(declared);
    let (e4, ef) = codec_fields(derived);
    if d4 == e4 && df == ef {
        return CodecMatch::Same;
    }
    let family = |f: &str| match f {
        "avc1" | "avc3" => "avc",
        "hvc1" | "hev1" => "hevc",
        _ => "",
    };
    if d4 != e4 && !family(&d4).is_empty() && family(&d4) == family(&e4) && df == ef {
        return CodecMatch::Equivalent(
            "the sample entries differ only in whether parameter sets may also travel in-band \
             (avc1/avc3, hvc1/hev1); players accept either",
        );
    }
    // Codecs whose parameters dashkit derives only since issue 19: an MPD naming the bare
    // 4CC (as their packagers long wrote, RFC 6381 leaves parameters optional) is less
    // specific, not wrong.
    let parameters_optional = matches!(
        d4.as_str(),
        "vvc1"
            | "vvi1"
            | "ac-4"
            | "mhm1"
            | "mha1"
            | "mhm2"
            | "mha2"
            | "stpp"
            | "dvh1"
            | "dvhe"
            | "dvav"
            | "dva1"
            | "dav1"
            | "iamf"
    );
    if d4 == e4 && df.is_empty() && !ef.is_empty() && parameters_optional {
        return CodecMatch::Equivalent(
            "@codecs names the codec without the parameters its configuration box gives \
             (RFC 6381 §3.3); players that check support cannot see profile and level",
        );
    }
    if d4 == "mp4a" && e4 == "mp4a" {
        if let ([o1, a], [o2, b]) = (df.as_slice(), ef.as_slice()) {
            let he = |x: &str| x == "5" || x == "29";
            if o1 == "40" && o2 == "40" {
                match sbr {
                    Some(SbrSignalling::Present) if a == "2" || he(a) => {
                        return CodecMatch::Equivalent(
                            "the AudioSpecificConfig signals SBR/PS (HE-AAC): players decode \
                             it whichever of mp4a.40.2/.5/.29 is declared",
                        )
                    }
                    Some(SbrSignalling::Implicit) if he(a) && b == "2" => {
                        return CodecMatch::Equivalent(
                            "a plain AAC AudioSpecificConfig may carry SBR/PS implicitly: the \
                             init segment cannot confirm or refute HE-AAC",
                        )
                    }
                    _ => {}
                }
            }
        }
    }
    CodecMatch::Different
}

/// MPD-CODECS and MPD-CODECS-EQUIVALENT: `@codecs` equals the codec string derived from
/// the init segment, or at least names a configuration players treat as the same.
fn check_codecs(
    path: &str,
    rep_id: &str,
    aset: &AdaptationSet,
    rep: &Representation,
    facts: &InitFacts,
    out: &mut Vec<Finding>,
) {
    let (declared, at) = match (&rep.codecs, &aset.codecs) {
        (Some(c), _) => (c.as_str(), format!("{path}/@codecs")),
        (None, Some(c)) => (c.as_str(), format!("{}/@codecs", parent(path))),
        (None, None) => {
            out.push(Finding {
                code: codes::MPD_CODECS,
                severity: Severity::Warning,
                location: format!("{path}/@codecs"),
                expected: Some(facts.codec.clone()),
                found: None,
                message: "@codecs is absent; players cannot check support before loading"
                    .to_owned(),
                representation: Some(rep_id.to_owned()),
            });
            return;
        }
    };
    if facts.codec.is_empty() {
        return;
    }
    let (code, severity, why) = match compare_codecs(declared, &facts.codec, facts.aac_sbr) {
        CodecMatch::Same => return,
        CodecMatch::Equivalent(why) => (codes::MPD_CODECS_EQUIVALENT, Severity::Warning, why),
        CodecMatch::Different => (
            codes::MPD_CODECS,
            Severity::Error,
            "a different codec configuration",
        ),
    };
    out.push(Finding {
        code,
        severity,
        location: at,
        expected: Some(facts.codec.clone()),
        found: Some(declared.to_owned()),
        message: format!(
            "@codecs=\"{declared}\" but the init segment's sample entry gives \"{}\": {why}",
            facts.codec
        ),
        representation: Some(rep_id.to_owned()),
    });
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(p, _)| p)
}

/// `@sar` as `(horizontal, vertical)`, both non-zero (ISO/IEC 23009-1 §5.3.7.2: `x:y`).
fn parse_sar(s: &str) -> Option<(u64, u64)> {
    let (a, b) = s.trim().split_once(':')?;
    let (a, b) = (a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?);
    (a > 0 && b > 0).then_some((a, b))
}

/// Whether the MPD's `@width` (coded samples, §5.3.7.2) describes the tkhd display width:
/// equal, or equal once stretched by `@sar` (the display width `@width · sar_x / sar_y`,
/// rounded either way: packagers truncate or round, e.g. `width="256" sar="110:109"` for a
/// tkhd width of 258).
fn width_matches(mpd_width: u32, tkhd_width: u32, sar: Option<(u64, u64)>) -> bool {
    if mpd_width == tkhd_width {
        return true;
    }
    let Some((x, y)) = sar else {
        return false;
    };
    let scaled = u64::from(mpd_width) * x;
    let t = u64::from(tkhd_width);
    t == scaled / y || t == scaled.div_ceil(y)
}

/// MPD-DIMENSIONS: `@width`/`@height` equal the track's (tkhd) dimensions, `@width` on the
/// `@sar` grid.
fn check_dimensions(
    path: &str,
    rep_id: &str,
    aset: &AdaptationSet,
    rep: &Representation,
    facts: &InitFacts,
    out: &mut Vec<Finding>,
) {
    let Some((w, h)) = facts.dimensions else {
        return;
    };
    let mw = rep.width.or(aset.width);
    let mh = rep.height.or(aset.height);
    let sar = rep
        .sar
        .as_deref()
        .or(aset.sar.as_deref())
        .and_then(parse_sar);
    if mw.is_some_and(|x| !width_matches(x, w, sar)) || mh.is_some_and(|x| x != h) {
        out.push(Finding {
            code: codes::MPD_DIMENSIONS,
            severity: Severity::Error,
            location: format!("{path}/@width"),
            expected: Some(format!("{w}x{h}")),
            found: Some(format!(
                "{}x{}",
                mw.map_or("?".to_owned(), |x| x.to_string()),
                mh.map_or("?".to_owned(), |x| x.to_string())
            )),
            message: "@width/@height differ from the init segment's track dimensions".to_owned(),
            representation: Some(rep_id.to_owned()),
        });
    }
}

/// MPD-SAMPLING-RATE: `@audioSamplingRate` equals the audio sample entry's rate.
fn check_sampling_rate(
    path: &str,
    rep_id: &str,
    aset: &AdaptationSet,
    rep: &Representation,
    facts: &InitFacts,
    out: &mut Vec<Finding>,
) {
    let (Some(rate), Some(declared)) = (
        facts.sample_rate,
        rep.audio_sampling_rate
            .as_deref()
            .or(aset.audio_sampling_rate.as_deref()),
    ) else {
        return;
    };
    let first = declared.split_whitespace().next().unwrap_or("");
    if first.parse::<u32>().ok() != Some(rate) {
        out.push(Finding {
            code: codes::MPD_SAMPLING_RATE,
            severity: Severity::Error,
            location: format!("{path}/@audioSamplingRate"),
            expected: Some(rate.to_string()),
            found: Some(declared.to_owned()),
            message: "@audioSamplingRate differs from the init segment's sample entry".to_owned(),
            representation: Some(rep_id.to_owned()),
        });
    }
}

/// MPD-TIMESCALE: where the MPD timescale names media time (`$Time$` in the media template,
/// whose values must be the tfdt-based times), it should equal the mdhd timescale. Elsewhere
/// any timescale is fine (times are rescaled), so no finding.
fn check_timescale(
    mpd: &Mpd,
    l: &RepresentationListing,
    rep_id: &str,
    aset: &AdaptationSet,
    rep: &Representation,
    facts: &InitFacts,
    out: &mut Vec<Finding>,
) {
    let Some(period) = mpd.periods.get(l.period_index) else {
        return;
    };
    let Addressing::Template(t) = inherit::effective_addressing(period, aset, rep) else {
        return;
    };
    let uses_time = t.media.is_some_and(|m| m.contains("$Time"));
    let ts = l.segments.timescale.get();
    if uses_time && ts != facts.timescale {
        out.push(Finding {
            code: codes::MPD_TIMESCALE,
            severity: Severity::Warning,
            location: format!("{}/SegmentTemplate/@timescale", l.path),
            expected: Some(facts.timescale.to_string()),
            found: Some(ts.to_string()),
            message: "a $Time$ template's timescale differs from the track's mdhd timescale, \
                      so segment names cannot equal media times"
                .to_owned(),
            representation: Some(rep_id.to_owned()),
        });
    }
}

/// MPD-FRAME-RATE: `@frameRate` equals timescale / (most common sample duration).
#[allow(clippy::too_many_arguments)]
fn check_frame_rate(
    path: &str,
    rep_id: &str,
    aset: &AdaptationSet,
    rep: &Representation,
    durations: &[(u32, u64)],
    media_ts: u32,
    is_video: bool,
    out: &mut Vec<Finding>,
) {
    if !is_video {
        return;
    }
    let Some(fr) = rep.frame_rate.or(aset.frame_rate) else {
        return;
    };
    let Some(&(d, _)) = durations.iter().max_by_key(|(_, n)| *n) else {
        return;
    };
    if d == 0 || fr.den == 0 {
        return;
    }
    // num/den == ts/d  <=>  num * d == ts * den
    if u64::from(fr.num) * u64::from(d) != u64::from(media_ts) * u64::from(fr.den) {
        out.push(Finding {
            code: codes::MPD_FRAME_RATE,
            severity: Severity::Error,
            location: format!("{path}/@frameRate"),
            expected: Some(format!("{media_ts}/{d}")),
            found: Some(format!("{}/{}", fr.num, fr.den)),
            message: format!(
                "@frameRate {}/{} but most samples last {d} ticks of {media_ts}",
                fr.num, fr.den
            ),
            representation: Some(rep_id.to_owned()),
        });
    }
}

/// MPD-BANDWIDTH (ISO/IEC 23009-1 §5.3.5.2): delivered at `@bandwidth` bits/s from any
/// segment start (a SAP) on, playout beginning `@minBufferTime` after the first bit, every
/// sample must have arrived by its decode time. The least such bandwidth is
/// `max over segment starts j, samples k >= j of 8 · bytes(j..=k) / (minBufferTime + t_k − t_j)`.
/// Below it is an error; more than twice it is worth an info.
#[allow(clippy::too_many_arguments)]
fn check_bandwidth(
    path: &str,
    rep_id: &str,
    declared: u64,
    min_buffer_ns: u64,
    delivery: &[(u64, u64)],
    starts: &[usize],
    ts: u32,
    out: &mut Vec<Finding>,
) {
    let Some(need) = min_bandwidth(min_buffer_ns, delivery, starts, ts) else {
        return;
    };
    let (severity, what) = if declared < need {
        (Severity::Error, "below")
    } else if declared / 2 > need {
        (Severity::Info, "more than twice")
    } else {
        return;
    };
    out.push(Finding {
        code: codes::MPD_BANDWIDTH,
        severity,
        location: format!("{path}/@bandwidth"),
        expected: Some(format!(">= {need}")),
        found: Some(declared.to_string()),
        message: format!(
            "@bandwidth {declared} bit/s is {what} the {need} bit/s the segments need with \
             minBufferTime {} ms",
            min_buffer_ns / 1_000_000
        ),
        representation: Some(rep_id.to_owned()),
    });
}

/// The least bandwidth (bits/s, rounded up) under the buffer model. `delivery` holds
/// (decode time ticks, bytes) per sample in order, `starts` the index of each segment's first
/// sample. Windows reach at most [`BANDWIDTH_HORIZON_BUFFERS`] buffer lengths plus one
/// segment past their start (longer windows tend to the average rate), except the one from
/// the very first sample, which runs to the end. `None` when there is no time to deliver in.
pub(crate) fn min_bandwidth(
    min_buffer_ns: u64,
    delivery: &[(u64, u64)],
    starts: &[usize],
    ts: u32,
) -> Option<u64> {
    let ts128 = u128::from(ts);
    // minBufferTime in ticks, rounded down (the stricter side).
    let buf = u128::from(min_buffer_ns) * ts128 / 1_000_000_000;
    let mut best: Option<(u128, u128)> = None; // bits·ts / ticks
    let longest_segment = starts
        .windows(2)
        .filter_map(|w| {
            let a = delivery.get(w[0])?.0;
            let b = delivery.get(w[1])?.0;
            Some(u128::from(b.saturating_sub(a)))
        })
        .max()
        .unwrap_or(0);
    let horizon = buf * BANDWIDTH_HORIZON_BUFFERS + longest_segment;
    for (si, &j) in starts.iter().enumerate() {
        let Some(&(t0, _)) = delivery.get(j) else {
            continue;
        };
        let mut bytes: u128 = 0;
        for &(t, b) in delivery.get(j..).unwrap_or(&[]) {
            let span = u128::from(t.saturating_sub(t0));
            if si > 0 && span > horizon {
                break;
            }
            bytes += u128::from(b);
            let den = buf + span;
            if den == 0 {
                continue;
            }
            let num = bytes * 8 * ts128;
            if best.is_none_or(|(bn, bd)| num * bd > bn * den) {
                best = Some((num, den));
            }
        }
    }
    let (n, d) = best?;
    u64::try_from(n.div_ceil(d)).ok()
}

/// MPD-SEGMENT-ALIGNMENT: with `segmentAlignment` set, the Representations of an
/// AdaptationSet start their segments at the same times (§5.3.3.2).
fn check_segment_alignment(mpd: &Mpd, reps: &[RepresentationListing], out: &mut Vec<Finding>) {
    for (pi, period) in mpd.periods.iter().enumerate() {
        for (ai, aset) in period.adaptation_sets.iter().enumerate() {
            if !aset.segment_alignment.is_some_and(|s| s.is_set()) {
                continue;
            }
            let members: Vec<&RepresentationListing> = reps
                .iter()
                .filter(|r| r.period_index == pi && r.adaptation_set_index == ai)
                .collect();
            let Some((first, rest)) = members.split_first() else {
                continue;
            };
            let fts = u128::from(first.segments.timescale.get());
            for other in rest {
                let ots = u128::from(other.segments.timescale.get());
                let a = &first.segments.segments;
                let b = &other.segments.segments;
                let mismatch = a
                    .iter()
                    .zip(b.iter())
                    .position(|(x, y)| u128::from(x.start) * ots != u128::from(y.start) * fts);
                if let Some(k) = mismatch {
                    out.push(Finding {
                        code: codes::MPD_SEGMENT_ALIGNMENT,
                        severity: Severity::Error,
                        location: format!("{}/segment[{k}]", other.path),
                        expected: Some(format!(
                            "t={} (timescale {fts}, as Representation {})",
                            a[k].start, first.id
                        )),
                        found: Some(format!("t={} (timescale {ots})", b[k].start)),
                        message: "segmentAlignment is claimed but segment starts differ".to_owned(),
                        representation: Some(other.id.clone()),
                    });
                }
            }
        }
    }
}

/// AV-DRIFT: within a Period, the offset of audio media against the MPD timeline changes
/// differently from the video's between the first and the last segment by more than 40 ms.
fn check_av_drift(reps: &[RepresentationListing], summaries: &[Summary], out: &mut Vec<Finding>) {
    // Offset change over the presentation, in nanoseconds: (ept - expected) at last minus at first.
    let change = |s: &Summary| -> Option<i128> {
        let (e0, p0) = s.first?;
        let (e1, p1) = s.last?;
        if s.media_timescale == 0 {
            return None;
        }
        Some(((p1 - e1) - (p0 - e0)) * 1_000_000_000 / i128::from(s.media_timescale))
    };
    let pick = |period: usize, kind: &str| {
        reps.iter()
            .zip(summaries)
            .find(|(r, _)| r.period_index == period && r.content_type.as_deref() == Some(kind))
    };
    let periods = reps
        .iter()
        .map(|r| r.period_index)
        .max()
        .map_or(0, |m| m + 1);
    for p in 0..periods {
        let (Some((vr, vs)), Some((ar, asum))) = (pick(p, "video"), pick(p, "audio")) else {
            continue;
        };
        let (Some(v), Some(a)) = (change(vs), change(asum)) else {
            continue;
        };
        let drift = a - v;
        if drift.abs() > 40_000_000 {
            out.push(Finding {
                code: codes::AV_DRIFT,
                severity: Severity::Warning,
                location: format!("MPD/Period[{p}]"),
                expected: Some("|drift| <= 40 ms".to_owned()),
                found: Some(format!("{} ms", drift / 1_000_000)),
                message: format!(
                    "audio (Representation {}) drifts {} ms against video (Representation {}) \
                     between the first and the last segment",
                    ar.id,
                    drift / 1_000_000,
                    vr.id
                ),
                representation: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19: an xlink Period was dropped silently.
    #[test]
    fn remote_periods_are_warned_about_or_resolved_through_the_source() {
        let mpd = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xlink="http://www.w3.org/1999/xlink"
            type="static" mediaPresentationDuration="PT2S" minBufferTime="PT2S">
            <Period xlink:href="remote.xml" xlink:actuate="onLoad"/></MPD>"#;
        let mut none = |_: &str, _: Option<crate::mpd::segments::ByteRange>| None;
        let r = validate(mpd, &mut none).unwrap();
        let f = r
            .findings
            .iter()
            .find(|f| f.code == codes::MPD_XLINK)
            .unwrap();
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.found.as_deref(), Some("remote.xml"));
        let mut asked = Vec::new();
        let mut remote = |url: &str, _: Option<crate::mpd::segments::ByteRange>| {
            asked.push(url.to_owned());
            (url == "remote.xml").then(|| {
                br#"<Period><AdaptationSet><SegmentTemplate media="a$Number$.m4s" initialization="i.mp4" duration="2"/>
                <Representation id="a" bandwidth="1"/></AdaptationSet></Period>"#
                    .to_vec()
            })
        };
        let r = validate(mpd, &mut remote).unwrap();
        assert!(r
            .findings
            .iter()
            .any(|f| f.code == codes::MPD_XLINK && f.severity == Severity::Info));
        // The remote Period's Representation was checked: its init segment was asked for.
        assert!(r.has(codes::INIT_MISSING), "{:?}", r.findings);
        assert!(asked.iter().any(|u| u == "i.mp4"), "{asked:?}");
    }

    #[test]
    fn min_bandwidth_is_the_worst_window() {
        // Two segments of one sample each (ts 1): 1000 bytes at t=0, 3000 at t=2; 2 s buffer.
        // From 0: 8000/2 = 4000, then 32000/(2+2) = 8000. From 1: 24000/2 = 12000.
        let samples = [(0, 1000), (2, 3000)];
        assert_eq!(
            min_bandwidth(2_000_000_000, &samples, &[0, 1], 1),
            Some(12_000)
        );
        // Spread over samples, a big segment needs only its rate: 4 samples of 1000 bytes at
        // t=0..3 with a 1 s buffer: worst is 8000·k/(1+k-1) = 8000.
        let even = [(0, 1000), (1, 1000), (2, 1000), (3, 1000)];
        assert_eq!(min_bandwidth(1_000_000_000, &even, &[0], 1), Some(8_000));
        assert_eq!(min_bandwidth(0, &[(0, 5)], &[0], 1), None);
    }

    #[test]
    fn codec_equivalences_follow_bmff_md_policy() {
        use CodecMatch::*;
        use SbrSignalling::*;
        let cmp = |a, b, s| match compare_codecs(a, b, s) {
            Equivalent(_) => "equivalent",
            Same => "same",
            Different => "different",
        };
        assert_eq!(cmp("avc1.4D400C", "avc1.4d400c", None), "same");
        assert_eq!(cmp("avc3.4d400c", "avc1.4d400c", None), "equivalent");
        assert_eq!(cmp("avc3.64001f", "avc1.4d400c", None), "different");
        assert_eq!(
            cmp("hev1.1.6.L93.90", "hvc1.1.6.L93.90", None),
            "equivalent"
        );
        assert_eq!(cmp("hvc1.2.4.L63.90", "hev1.1.6.L93.90", None), "different");
        assert_eq!(cmp("avc1.4d400c", "hvc1.1.6.L93.90", None), "different");
        // Shaka's and Bento4's forms of the same HEVC constraint bytes.
        assert_eq!(
            cmp(
                "hvc1.2.4.L63.b0.0.0.0.0.1",
                "hvc1.2.4.L63.B0.00.00.00.00.01",
                None
            ),
            "same"
        );
        assert_eq!(cmp("hvc1.1.06.L93.90.00", "hvc1.1.6.L93.90", None), "same");
        assert_eq!(cmp("mp4a.40.2", "mp4a.40.5", Some(Present)), "equivalent");
        assert_eq!(cmp("mp4a.40.29", "mp4a.40.5", Some(Present)), "equivalent");
        assert_eq!(cmp("mp4a.40.5", "mp4a.40.2", Some(Implicit)), "equivalent");
        assert_eq!(cmp("mp4a.40.29", "mp4a.40.2", Some(Implicit)), "equivalent");
        assert_eq!(cmp("mp4a.40.5", "mp4a.40.2", Some(Absent)), "different");
        assert_eq!(cmp("mp4a.40.1", "mp4a.40.2", Some(Implicit)), "different");
        assert_eq!(cmp("mp4a.40.2", "mp4a.40.42", Some(Implicit)), "different");
        assert_eq!(cmp("mp4a.6B", "mp4a.40.2", Some(Implicit)), "different");
        // Issue 19: the new full strings; a bare 4CC declared for them is only less specific.
        assert_eq!(cmp("stpp", "stpp.ttml.im1t", None), "equivalent");
        assert_eq!(cmp("ac-4.02.01.01", "ac-4.02.01.01", None), "same");
        assert_eq!(cmp("ac-4.02.01.02", "ac-4.02.01.01", None), "different");
        assert_eq!(cmp("dvh1.05.06", "dvh1.05.06", None), "same");
        assert_eq!(cmp("avc1", "avc1.4d400c", None), "different");
    }

    #[test]
    fn codec_fields_ignore_hex_case_only() {
        assert_eq!(codec_fields("avc1.64001E"), codec_fields("avc1.64001e"));
        assert_ne!(codec_fields("Opus"), codec_fields("opus"));
    }

    fn facts(timescale: u32) -> InitFacts {
        InitFacts {
            track_id: 1,
            timescale,
            handler: "soun".to_owned(),
            codec: "mp4a.40.2".to_owned(),
            dimensions: None,
            sample_rate: Some(timescale),
            elst_media_time: 0,
            aac_sbr: None,
            brands: Vec::new(),
        }
    }

    fn segment(ept: i128, duration: u64) -> SegmentFacts {
        SegmentFacts {
            decode_start: u64::try_from(ept).unwrap_or(0),
            ept,
            duration,
            first_sample_duration: 1024,
            size_bytes: 0,
        }
    }

    /// Issue 19: ffmpeg's `@duration` output has AAC segments starting ~55 ms before their
    /// nominal time; simple addressing allows up to half a segment, a SegmentTimeline none.
    #[test]
    fn simple_addressing_allows_half_a_segment_per_edge_timeline_does_not() {
        let f = facts(48_000);
        let early = segment(96_000 - 2_640, 96_256); // 55 ms early, 2 s segments
        let simple = TimingRule {
            simple_tolerance: Some(48_000),
            period_end: None,
        };
        let mut out = Vec::new();
        assert!(check_tfdt(
            "a", "1", 96_000, &early, &f, 96_000, 48_000, &simple, &mut out
        ));
        assert_eq!(out[0].severity, Severity::Warning);
        assert!(out[0].message.contains("§7.2.1"), "{}", out[0].message);
        let mut out = Vec::new();
        let explicit = TimingRule::default();
        assert!(!check_tfdt(
            "a", "1", 96_000, &early, &f, 96_000, 48_000, &explicit, &mut out
        ));
        assert_eq!(out[0].severity, Severity::Error);
        // Beyond half a segment is an error under simple addressing too.
        let far = segment(96_000 - 48_001, 96_256);
        let mut out = Vec::new();
        assert!(!check_tfdt(
            "a", "1", 96_000, &far, &f, 96_000, 48_000, &simple, &mut out
        ));
        assert_eq!(out[0].severity, Severity::Error);
    }

    /// Issue 19: a last segment ending ~95 ms after the Period end is clipped by the player.
    #[test]
    fn last_segment_past_the_period_end_is_not_an_error() {
        let f = segment(0, 96_000 + 4_560);
        let at_end = TimingRule {
            simple_tolerance: None,
            period_end: Some(96_000),
        };
        let mut out = Vec::new();
        check_last_duration("a", "1", 96_000, &f, 48_000, &at_end, &mut out);
        assert_eq!(out[0].severity, Severity::Warning);
        // The same overrun where the MPD's segment ends before the Period end is an error.
        let before_end = TimingRule {
            simple_tolerance: None,
            period_end: Some(192_000),
        };
        let mut out = Vec::new();
        check_last_duration("a", "1", 96_000, &f, 48_000, &before_end, &mut out);
        assert_eq!(out[0].severity, Severity::Error);
    }

    #[test]
    fn width_on_the_sar_grid_matches_the_display_width() {
        assert!(width_matches(256, 258, parse_sar("110:109")));
        assert!(width_matches(640, 640, None));
        assert!(!width_matches(256, 258, None));
        assert!(!width_matches(256, 258, parse_sar("1:1")));
        assert!(width_matches(720, 853, parse_sar("32:27")));
        assert_eq!(parse_sar("0:1"), None);
    }

    #[test]
    fn rescale_rounds_to_nearest() {
        assert_eq!(rescale(1, 3, 2), 1); // 0.666 -> 1
        assert_eq!(rescale(1, 4, 2), 1); // 0.5 -> 1
        assert_eq!(rescale(96_256, 48_000, 48_000), 96_256);
    }
}
