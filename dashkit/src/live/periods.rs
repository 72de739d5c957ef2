//! Several Periods per hour (`periods_N`, `continuous_1`), as livesim2 makes them
//! (docs/live-options.md#periods): the live MPD's one Period is cut on the wall-clock grid of
//! `P = 3600 / N` seconds, a multiple of the segment duration, so every cut is a segment
//! boundary. Period `k` covers the wall-clock interval `[k·P, (k+1)·P)` (epoch seconds),
//! clipped to the session's start; it is named `P<k>`, starts at `k·P − AST`, and its templates
//! carry the media time of that instant as `@presentationTimeOffset` and, where numbers
//! address segments, the number of the segment starting there as `@startNumber`.
//!
//! Segment numbers and media times stay those of the session (the server's answers do not
//! change): a segment belongs to the Period whose interval holds its nominal start
//! `AST + (n − S)·d`.

use crate::mpd::model::{Descriptor, Mpd, Period, SegmentTemplate, SegmentTimeline, S};

use super::mpd::duration_s;
use super::options::{LiveOptions, TimelineMode};
use super::timing::Timing;
use super::Error;

/// The scheme of the period-continuity descriptor (ISO/IEC 23009-1 §5.3.2.4, DASH-IF IOP
/// 4.3.3.3.2).
pub(crate) const PERIOD_CONTINUITY: &str = "urn:mpeg:dash:period-continuity:2015";

/// The length of one Period in seconds for `periods_<per_hour>`, checked against the segment
/// duration `d` (livesim2 refuses a Period that is not a whole number of segments).
pub(crate) fn period_duration_s(per_hour: u32, d: u64) -> Result<u64, Error> {
    let p = 3600 / u64::from(per_hour.clamp(1, 60));
    if d == 0 || p % d != 0 {
        return Err(Error::OptionConflict {
            message: format!(
                "periods_{per_hour}: a {p} s Period is not a whole number of {d} s segments"
            ),
        });
    }
    Ok(p)
}

/// One Period of the split: its grid index and its start relative to AST (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    k: i64,
    start_rel_s: i64,
}

/// The Period a segment starting `rel_s` seconds after AST belongs to.
fn period_of(ast_s: i64, rel_s: i64, p: i64) -> i64 {
    (ast_s + rel_s).div_euclid(p)
}

/// One segment of a SegmentTimeline, expanded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    t: u64,
    d: u64,
    pub(crate) number: u64,
}

/// The segments of a timeline template, with their live numbers: consecutive from the first
/// one's, which is `@startNumber` or (`$Time$`) the number of the first `@t`. Only the first
/// time is taken from the timeline: the listed times of a loop whose real length differs from
/// the nominal one drift from the grid a little more with every wrap, the numbers do not.
pub(crate) fn expand(
    tpl: &SegmentTemplate,
    mode: TimelineMode,
    timing: &Timing,
) -> Result<Vec<Seg>, Error> {
    let ts = tpl.timescale.unwrap_or(1);
    let mut out = Vec::new();
    let mut t = 0u64;
    let mut next_nr = tpl.start_number.unwrap_or(1);
    for (i, s) in tpl
        .segment_timeline
        .iter()
        .flat_map(|x| x.s.iter())
        .enumerate()
    {
        if let Some(st) = s.t {
            t = st;
        }
        if i == 0 && mode == TimelineMode::Time {
            let ts = crate::timeline::Timescale::new(ts).map_err(|_| Error::EmptyLoop)?;
            next_nr = timing.number_for_time(t, ts)?;
        }
        let d = s.d.unwrap_or(0);
        let repeats = u64::try_from(s.r.unwrap_or(0)).map_err(|_| Error::Overflow)?;
        for _ in 0..=repeats {
            let number = next_nr;
            out.push(Seg { t, d, number });
            t = t.checked_add(d).ok_or(Error::Overflow)?;
            next_nr += 1;
        }
    }
    Ok(out)
}

/// `S` entries for consecutive segments: the first with `@t`, equal durations merged into `@r`.
fn compress(segs: &[Seg]) -> Vec<S> {
    let mut out: Vec<S> = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.d == Some(s.d) => last.r = Some(last.r.unwrap_or(0) + 1),
            _ => out.push(S {
                t: (i == 0).then_some(s.t),
                d: Some(s.d),
                ..S::default()
            }),
        }
    }
    out
}

/// Splits the one Period of the live MPD `mpd` (as [`super::mpd::live_mpd_with`] built it at
/// `now_ms`) into the Periods of `periods_N`; with `continuous_1` every AdaptationSet of a
/// Period whose predecessor is listed signals continuity with it.
pub(crate) fn split_periods(
    mpd: &mut Mpd,
    options: &LiveOptions,
    timing: &Timing,
    now_ms: i64,
) -> Result<(), Error> {
    let Some(per_hour) = options.periods_per_hour else {
        return Ok(());
    };
    let d = timing.looping.segment_duration_s;
    let p = i64::try_from(period_duration_s(per_hour, d)?).map_err(|_| Error::Overflow)?;
    let d = i64::try_from(d).map_err(|_| Error::Overflow)?;
    let ast = timing.ast_s;
    let base = match mpd.periods.as_slice() {
        [one] => one.clone(),
        _ => {
            return Err(Error::NotLiveable {
                reason: "periods_ needs a single-Period live MPD",
            })
        }
    };
    // The window of wall-clock time the MPD covers, in seconds relative to AST.
    let stop_rel = timing.stop_s.map(|s| s - ast);
    let now_rel = now_ms.div_euclid(1000) - ast;
    let end_rel = stop_rel.map_or(now_rel, |s| now_rel.min(s));
    let tsbd = i64::try_from(timing.tsbd_s).map_err(|_| Error::Overflow)?;
    let start_rel = if stop_rel.is_some() {
        0
    } else {
        (end_rel - tsbd).max(0)
    };
    let timeline = options.timeline != TimelineMode::Number;
    let first_k = period_of(ast, start_rel, p);
    let last_k = period_of(ast, end_rel.max(start_rel), p);
    let mut cuts: Vec<Cut> = Vec::new();
    for k in first_k..=last_k {
        // The grid point, but never before the session's start.
        let start = (k.checked_mul(p).ok_or(Error::Overflow)? - ast).max(0);
        if stop_rel.is_some_and(|s| start >= s && start > 0) {
            break;
        }
        cuts.push(Cut {
            k,
            start_rel_s: start,
        });
    }
    let snr = timing.start_number;
    let mut periods: Vec<Period> = Vec::with_capacity(cuts.len());
    for cut in &cuts {
        let mut period = base.clone();
        period.id = Some(format!("P{}", cut.k));
        period.start = Some(duration_s(
            u64::try_from(cut.start_rel_s).map_err(|_| Error::Overflow)?,
        ));
        let mut empty = false;
        for aset in &mut period.adaptation_sets {
            let Some(tpl) = aset.segment_template.as_deref_mut() else {
                continue;
            };
            let ts = i64::from(tpl.timescale.unwrap_or(1));
            let media_s = cut
                .start_rel_s
                .checked_add(timing.media_time_at_ast_s)
                .ok_or(Error::Overflow)?;
            tpl.presentation_time_offset = Some(
                u64::try_from(media_s.checked_mul(ts).ok_or(Error::Overflow)?)
                    .map_err(|_| Error::Overflow)?,
            );
            if timeline {
                let segs = expand(tpl, options.timeline, timing)?;
                let mine: Vec<Seg> = segs
                    .into_iter()
                    .filter(|s| {
                        let rel = (i64::try_from(s.number).unwrap_or(i64::MAX) - snr) * d;
                        period_of(ast, rel, p) == cut.k
                    })
                    .collect();
                empty |= mine.is_empty();
                if options.timeline == TimelineMode::TimelineNumber {
                    tpl.start_number = mine.first().map(|s| s.number).or(tpl.start_number);
                }
                tpl.segment_timeline = Some(SegmentTimeline {
                    s: compress(&mine),
                    ..SegmentTimeline::default()
                });
            } else {
                let n = snr
                    .checked_add(cut.start_rel_s / d)
                    .ok_or(Error::Overflow)?;
                tpl.start_number = Some(u64::try_from(n).map_err(|_| Error::Overflow)?);
            }
        }
        // A SegmentTimeline needs at least one S: a Period none of whose segments is listed
        // yet (or any more) is left out.
        if timeline && empty {
            continue;
        }
        if options.continuous {
            if let Some(prev) = periods.last() {
                let prev_id = prev.id.clone();
                let prev_k = cut.k - 1;
                if prev_id.as_deref() == Some(format!("P{prev_k}").as_str()) {
                    for aset in &mut period.adaptation_sets {
                        aset.supplemental_properties.push(Descriptor {
                            scheme_id_uri: Some(PERIOD_CONTINUITY.into()),
                            value: prev_id.clone(),
                            ..Descriptor::default()
                        });
                    }
                }
            }
        }
        periods.push(period);
    }
    mpd.periods = periods;
    // A new Period appears every P seconds: without mup_, a $Number$ MPD is fetched again every
    // segment duration (livesim2's default) instead of never (P100Y) or every 10 s.
    if !timeline && options.mup_s.is_none() && mpd.minimum_update_period.is_some() {
        mpd.minimum_update_period = Some(duration_s(timing.looping.segment_duration_s));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn compress_merges_equal_durations() {
        let segs = [
            Seg {
                t: 10,
                d: 2,
                number: 0,
            },
            Seg {
                t: 12,
                d: 2,
                number: 1,
            },
            Seg {
                t: 14,
                d: 3,
                number: 2,
            },
        ];
        let s: Vec<_> = compress(&segs).iter().map(|s| (s.t, s.d, s.r)).collect();
        assert_eq!(s, [(Some(10), Some(2), Some(1)), (None, Some(3), None)]);
    }

    #[test]
    fn periods_per_hour_must_fit_the_segments() {
        assert_eq!(period_duration_s(60, 2).unwrap(), 60);
        assert_eq!(period_duration_s(1, 2).unwrap(), 3600);
        assert!(period_duration_s(60, 8).is_err());
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn period_duration_s() {
        use crate::live::periods::period_duration_s;
        assert_eq!(period_duration_s(60, 2).unwrap(), 60);
        assert_eq!(period_duration_s(6, 6).unwrap(), 600);
        assert!(period_duration_s(60, 7).is_err());
    }
}
