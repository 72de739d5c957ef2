//! Live validation at an instant: the MPD-level rules of a dynamic MPD, and which segments
//! its Representations promise at `now` (ISO/IEC 23009-1 §5.3.9.5.3, segment availability
//! times; DASH-IF IOP §4.3 and §4.7).

use super::{codes, Finding, Severity};
use crate::mpd::listing::RepresentationListing;
use crate::mpd::model::Mpd;
use crate::mpd::XsDuration;

const NS_PER_MS: i128 = 1_000_000;

fn finding(code: &'static str, severity: Severity, location: &str, message: String) -> Finding {
    Finding {
        code,
        severity,
        location: location.to_owned(),
        expected: None,
        found: None,
        message,
        representation: None,
    }
}

fn nanos(d: Option<&XsDuration>) -> Option<i128> {
    d.and_then(|d| d.to_nanos().ok())
}

/// MPD-UTC-TIMING, MPD-PUBLISH-TIME, MPD-UPDATE-PERIOD and (availabilityStartTime after
/// `now`) MPD-LIVE-WINDOW for a dynamic MPD.
pub(super) fn check_live_mpd(mpd: &Mpd, now_ms: i64, out: &mut Vec<Finding>) {
    if mpd.utc_timings.is_empty() {
        out.push(finding(
            codes::MPD_UTC_TIMING,
            Severity::Warning,
            "MPD/UTCTiming",
            "a dynamic MPD without UTCTiming: clients cannot synchronise their clock with \
             the packager's, so their idea of which segments exist may be off (DASH-IF IOP \
             §4.7.2)"
                .to_owned(),
        ));
    }
    match &mpd.publish_time {
        None => out.push(finding(
            codes::MPD_PUBLISH_TIME,
            Severity::Warning,
            "MPD/@publishTime",
            "a dynamic MPD without @publishTime: clients cannot tell a newer MPD from an \
             older one (ISO/IEC 23009-1 §5.3.1.2)"
                .to_owned(),
        )),
        Some(p) if p.unix_millis() > now_ms => {
            let mut f = finding(
                codes::MPD_PUBLISH_TIME,
                Severity::Error,
                "MPD/@publishTime",
                format!(
                    "@publishTime is {} ms after the instant validated: the MPD claims to be \
                     published in the future",
                    p.unix_millis().saturating_sub(now_ms)
                ),
            );
            f.found = Some(p.to_string());
            out.push(f);
        }
        Some(_) => {}
    }
    let mup = nanos(mpd.minimum_update_period.as_ref());
    let tsbd = nanos(mpd.time_shift_buffer_depth.as_ref());
    if let (Some(m), Some(t)) = (mup, tsbd) {
        if m > t {
            let mut f = finding(
                codes::MPD_UPDATE_PERIOD,
                Severity::Warning,
                "MPD/@minimumUpdatePeriod",
                format!(
                    "@minimumUpdatePeriod ({} ms) is longer than @timeShiftBufferDepth ({} \
                     ms): between two reloads segments leave the window",
                    m / NS_PER_MS,
                    t / NS_PER_MS
                ),
            );
            f.expected = Some(format!("<= {} ms", t / NS_PER_MS));
            f.found = Some(format!("{} ms", m / NS_PER_MS));
            out.push(f);
        }
    }
    if let Some(ast) = &mpd.availability_start_time {
        if ast.unix_millis() > now_ms {
            out.push(finding(
                codes::MPD_LIVE_WINDOW,
                Severity::Info,
                "MPD/@availabilityStartTime",
                format!(
                    "availabilityStartTime is {} ms after the instant validated: no segment \
                     is available yet",
                    ast.unix_millis().saturating_sub(now_ms)
                ),
            ));
        }
    }
}

/// The MPD with its open last Period given the duration it has reached at `now` (and a
/// margin, [`OPEN_PERIOD_MARGIN_NS`]), so that
/// `@duration` addressing can be listed (a live Period has no end yet). Unchanged when the
/// last Period has a duration, or the MPD a presentation duration, or no start time.
pub(super) fn grown_to(mpd: &Mpd, now_ms: i64) -> Mpd {
    let mut m = mpd.clone();
    if m.media_presentation_duration.is_some() {
        return m;
    }
    let Some(ast) = mpd.availability_start_time.as_ref() else {
        return m;
    };
    let Ok(timings) = crate::mpd::inherit::period_timings(mpd) else {
        return m;
    };
    let Some((last, t)) = m.periods.last_mut().zip(timings.last()) else {
        return m;
    };
    if last.duration.is_some() {
        return m;
    }
    let start = t.start_nanos.unwrap_or(0);
    let elapsed = (i128::from(now_ms) - i128::from(ast.unix_millis())) * NS_PER_MS - start;
    if elapsed > 0 {
        // Past `now`, so that the segment in progress keeps its nominal duration (and is then
        // left out as incomplete by `available_at`) instead of being cut at `now` and taken
        // for a complete, available one.
        last.duration = Some(XsDuration::from_nanos(elapsed + OPEN_PERIOD_MARGIN_NS));
    }
    m
}

/// How far past `now` [`grown_to`] extends a live Period that has no end yet: longer than
/// any segment.
const OPEN_PERIOD_MARGIN_NS: i128 = 3_600 * 1_000_000_000;

/// The span of presentation time (nanoseconds since the presentation start) worth listing
/// for a dynamic MPD at `now_ms`: from two time-shift buffers and a minute before `now` (the
/// exact availability rule, [`available_at`], is applied afterwards; the margin only keeps a
/// segment longer than the buffer in view) up to `now`. `None` (list everything) when the MPD
/// has no availabilityStartTime or no @timeShiftBufferDepth, whose buffer is unbounded.
pub(super) fn listing_window(mpd: &Mpd, now_ms: i64) -> Option<(u64, u64)> {
    let ast_ms = mpd.availability_start_time.as_ref()?.unix_millis();
    let tsbd = nanos(mpd.time_shift_buffer_depth.as_ref())?;
    let now = (i128::from(now_ms) - i128::from(ast_ms)) * NS_PER_MS;
    let from = now - 2 * tsbd.max(0) - 60_000 * NS_PER_MS;
    let clamp = |v: i128| u64::try_from(v.max(0)).unwrap_or(u64::MAX);
    Some((clamp(from), clamp(now)))
}

/// Keeps, of each listing, the segments available at `now_ms`: complete (their end on the
/// wall clock, availabilityStartTime + Period start + end − presentationTimeOffset, at or
/// before `now`) and still in the time-shift buffer (that end plus @timeShiftBufferDepth
/// plus the segment's duration after `now`). Reports how many were kept (MPD-LIVE-WINDOW).
pub(super) fn available_at(
    mpd: &Mpd,
    reps: Vec<RepresentationListing>,
    now_ms: i64,
    out: &mut Vec<Finding>,
) -> Vec<RepresentationListing> {
    let Some(ast_ns) = mpd.availability_start_time.as_ref().map(|a| a.unix_nanos()) else {
        return reps;
    };
    let now_ns = i128::from(now_ms) * NS_PER_MS;
    let tsbd = nanos(mpd.time_shift_buffer_depth.as_ref());
    reps.into_iter()
        .map(|mut l| {
            let s = &l.segments;
            let ts = i128::from(s.timescale.get());
            let keep: Vec<bool> = s
                .segments
                .iter()
                .map(|seg| {
                    let start_ns = ast_ns + s.presentation_time_ns(seg);
                    let dur_ns = i128::from(seg.duration) * 1_000_000_000 / ts;
                    let end_ns = start_ns + dur_ns;
                    end_ns <= now_ns && tsbd.is_none_or(|t| end_ns + t + dur_ns > now_ns)
                })
                .collect();
            let total = keep.len();
            let mut k = keep.iter();
            l.segments.segments.retain(|_| *k.next().unwrap_or(&false));
            let mut f = finding(
                codes::MPD_LIVE_WINDOW,
                Severity::Info,
                &l.path,
                format!(
                    "{} of the {total} segments the MPD lists are available at the instant \
                     validated; those are checked",
                    l.segments.segments.len()
                ),
            );
            f.representation = Some(l.id.clone());
            out.push(f);
            l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpd::parse;

    fn run(attrs: &str, now_ms: i64) -> Vec<Finding> {
        let mpd = parse(&format!(
            r#"<MPD type="dynamic" minBufferTime="PT2S" {attrs}><Period start="PT0S"/></MPD>"#
        ))
        .unwrap();
        let mut out = Vec::new();
        check_live_mpd(&mpd, now_ms, &mut out);
        out
    }

    #[test]
    fn publish_time_update_period_and_start_at_an_instant() {
        let ok = r#"availabilityStartTime="1970-01-01T00:00:00Z" publishTime="1970-01-01T00:00:10Z"
            minimumUpdatePeriod="PT2S" timeShiftBufferDepth="PT30S""#;
        let out = run(
            &format!("{ok}><UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\" value=\"x\"/"),
            10_000,
        );
        assert!(out.is_empty(), "{out:?}");
        let out = run(ok, 9_000);
        let codes: Vec<_> = out.iter().map(|f| (f.code, f.severity)).collect();
        assert_eq!(
            codes,
            [
                (codes::MPD_UTC_TIMING, Severity::Warning),
                (codes::MPD_PUBLISH_TIME, Severity::Error)
            ]
        );
        let out = run(
            r#"availabilityStartTime="1970-01-01T00:01:00Z" minimumUpdatePeriod="PT60S"
            timeShiftBufferDepth="PT30S""#,
            10_000,
        );
        let codes: Vec<_> = out.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                codes::MPD_UTC_TIMING,
                codes::MPD_PUBLISH_TIME,
                codes::MPD_UPDATE_PERIOD,
                codes::MPD_LIVE_WINDOW
            ]
        );
    }
}
