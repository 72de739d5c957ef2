//! The dynamic MPD at an instant (livesim.md §4.1, §4.3): the VoD MPD made `dynamic`, with
//! availabilityStartTime, publishTime, minimumUpdatePeriod, timeShiftBufferDepth,
//! suggestedPresentationDelay, maxSegmentDuration, UTCTiming, one Period `p0` at `PT0S`, and
//! per AdaptationSet one SegmentTemplate: `$Number$` with `@duration` and `@startNumber`, or a
//! SegmentTimeline built from the `.dat` runs across wrap-arounds with `$Time$` (media
//! `t$Time$`, dashlivesim's file names) or `$Number$`.
//!
//! Where dashlivesim writes something invalid the valid form is written instead: durations of a
//! whole number of days are `P1D`, not `P1DT`; the MPD `@id` is left as the VoD MPD has it,
//! not set to dashlivesim's placeholder text; `@presentationTimeOffset` is in the template's
//! timescale, not in seconds.

use crate::mpd::model::{Descriptor, Mpd, Period, SegmentTemplate, SegmentTimeline, S};
use crate::mpd::xs::DurationParts;
use crate::mpd::{XsDateTime, XsDuration};

use super::asset::LiveAsset;
use super::options::{LiveOptions, TimelineMode, UtcMethod};
use super::timing::{Ato, Session, Timing};
use super::Error;

/// Most `S` segments a SegmentTimeline window may span (tsbd / d), a bound on the work.
pub const MAX_TIMELINE_SEGMENTS: u64 = 1_000_000;

/// An xs:duration of whole seconds in dashlivesim's layout (`P<d>D` then `T<h>H<m>M<s>S`,
/// zero parts left out), valid where dashlivesim writes `P1DT`.
///
/// ```
/// use dashkit::live::mpd::duration_s;
/// assert_eq!(duration_s(300).to_string(), "PT5M");
/// assert_eq!(duration_s(66).to_string(), "PT1M6S");
/// assert_eq!(duration_s(0).to_string(), "PT0S");
/// assert_eq!(duration_s(86_400).to_string(), "P1D");
/// assert_eq!(duration_s(90_000).to_string(), "P1DT1H");
/// ```
pub fn duration_s(s: u64) -> XsDuration {
    XsDuration::from_parts(DurationParts {
        days: s / 86_400,
        hours: s / 3600 % 24,
        minutes: s / 60 % 60,
        seconds: s % 60,
        ..DurationParts::default()
    })
}

fn datetime(s: i64) -> Result<XsDateTime, Error> {
    XsDateTime::from_unix(s, 0).ok_or(Error::Overflow)
}

fn utc_timing(m: UtcMethod, now_s: i64) -> Result<Option<Descriptor>, Error> {
    let (scheme, value) = match m {
        UtcMethod::None => return Ok(None),
        UtcMethod::Direct => (
            "urn:mpeg:dash:utc:direct:2014",
            datetime(now_s)?.to_string(),
        ),
        UtcMethod::Head => (
            "urn:mpeg:dash:utc:http-head:2014",
            "http://time.akamai.com/?iso".to_string(),
        ),
        UtcMethod::Ntp => ("urn:mpeg:dash:utc:ntp:2014", "1.de.pool.ntp.org".into()),
        UtcMethod::Sntp => ("urn:mpeg:dash:utc:sntp:2014", "time.kfki.hu".into()),
        UtcMethod::HttpXsdate => (
            "urn:mpeg:dash:utc:http-xsdate:2014",
            "http://time.akamai.com/?iso".into(),
        ),
        UtcMethod::HttpIso => (
            "urn:mpeg:dash:utc:http-iso:2014",
            "http://time.akamai.com/?iso".into(),
        ),
    };
    Ok(Some(Descriptor {
        scheme_id_uri: Some(scheme.into()),
        value: Some(value),
        ..Descriptor::default()
    }))
}

/// One segment of the live SegmentTimeline, in media ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineSegment {
    /// Media start time (the live tfdt).
    pub t: u64,
    /// Duration.
    pub d: u64,
    /// Wrap-arounds before it.
    pub wraps: u64,
    /// Index of its `.dat` run.
    pub run_index: usize,
    /// VoD number.
    pub vod_number: u64,
}

/// The segments of one AdaptationSet's live SegmentTimeline inside the window
/// `[start_ticks, end_ticks]` (livesim.md §4.3): from the segment containing `start` (on an
/// exact boundary inside a run, the one ending there; at a run's first segment, the one
/// starting there) to the last one ending at or before `end`.
pub fn timeline_segments(
    runs: &[crate::analyze::dat::Run],
    looping: &super::timing::LoopSpec,
    timescale: u32,
    start_ticks: u64,
    end_ticks: u64,
) -> Result<Vec<TimelineSegment>, Error> {
    let wrap = looping
        .loop_duration_s()?
        .checked_mul(u64::from(timescale))
        .ok_or(Error::Overflow)?;
    // One loop's segments in VoD order.
    let first = looping.first_segment_in_loop;
    let last = first + looping.nr_segments_in_loop;
    let mut one: Vec<(u64, u64, usize, u64, bool)> = Vec::new();
    for (ri, r) in runs.iter().enumerate() {
        for k in 0..=u64::from(r.repeats) {
            let nr = u64::from(r.start_nr) + k;
            if nr >= first && nr < last {
                let t = u64::from(r.start_time) + k * u64::from(r.duration);
                one.push((t, u64::from(r.duration), ri, nr, k == 0));
            }
        }
    }
    if one.is_empty() || wrap == 0 {
        return Err(Error::NotLiveable {
            reason: "no .dat segment timing runs for a SegmentTimeline",
        });
    }
    let mut out = Vec::new();
    let mut w = (start_ticks / wrap).saturating_sub(1);
    let mut started = false;
    loop {
        let base = w.checked_mul(wrap).ok_or(Error::Overflow)?;
        for (i, &(t0, d, ri, nr, run_start)) in one.iter().enumerate() {
            let t = base.checked_add(t0).ok_or(Error::Overflow)?;
            let end = t + d;
            if !started {
                let contains = t <= start_ticks && start_ticks < end;
                let ends_at = end == start_ticks;
                // The boundary rule: inside a run, the one ending at start; else containing.
                let next_is_run_start = one.get(i + 1).map(|x| x.4).unwrap_or(true);
                if (ends_at && !next_is_run_start) || (contains && (t != start_ticks || run_start))
                {
                    started = true;
                } else {
                    continue;
                }
            }
            if end > end_ticks {
                return Ok(out);
            }
            if out.len() as u64 >= MAX_TIMELINE_SEGMENTS {
                return Err(Error::NotLiveable {
                    reason: "SegmentTimeline window too long",
                });
            }
            out.push(TimelineSegment {
                t,
                d,
                wraps: w,
                run_index: ri,
                vod_number: nr,
            });
        }
        w = w.checked_add(1).ok_or(Error::Overflow)?;
        if w.saturating_mul(wrap) > end_ticks {
            return Ok(out);
        }
    }
}

/// The `S` entries for timeline segments: one per run and wrap, only the first with `@t`,
/// `@r` only when > 0; runs on both sides of a wrap are not merged (as dashlivesim).
pub fn timeline_entries(segs: &[TimelineSegment]) -> Vec<S> {
    let mut out: Vec<S> = Vec::new();
    let mut key = None;
    for (i, s) in segs.iter().enumerate() {
        let k = (s.wraps, s.run_index, s.d);
        if key == Some(k) {
            if let Some(last) = out.last_mut() {
                last.r = Some(last.r.unwrap_or(0) + 1);
            }
        } else {
            out.push(S {
                t: (i == 0).then_some(s.t),
                d: Some(s.d),
                ..S::default()
            });
            key = Some(k);
        }
    }
    out
}

/// The live number of a timeline segment: `S + wraps·N + (vod − first) − mediaTimeAtAST div d`
/// (livesim.md §4.3), the number [`Timing::segment`] maps back to the same VoD segment.
pub fn timeline_number(t: &Timing, seg: &TimelineSegment) -> Result<u64, Error> {
    let l = &t.looping;
    let d = i128::from(l.segment_duration_s.max(1));
    let n = i128::from(t.start_number)
        + i128::from(seg.wraps) * i128::from(l.nr_segments_in_loop)
        + i128::from(seg.vod_number)
        - i128::from(l.first_segment_in_loop)
        - i128::from(t.media_time_at_ast_s).div_euclid(d);
    u64::try_from(n).map_err(|_| Error::Overflow)
}

/// Builds the live MPD of `asset` with `options` at `now_ms` (epoch milliseconds).
///
/// ```
/// # use dashkit::live::{asset::LiveAsset, options::LiveOptions, mpd::live_mpd};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD type="static"><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// // livesim.md §4.1, testpic_2s at now = 1000 s.
/// let m = live_mpd(&asset, &LiveOptions::default(), 1_000_000).unwrap();
/// assert_eq!(m.r#type.as_deref(), Some("dynamic"));
/// assert_eq!(m.availability_start_time.unwrap().to_string(), "1970-01-01T00:00:00Z");
/// assert_eq!(m.publish_time.unwrap().to_string(), "1970-01-01T00:16:40Z");
/// assert_eq!(m.time_shift_buffer_depth.unwrap().to_string(), "PT5M");
/// assert_eq!(m.minimum_update_period.unwrap().to_string(), "P100Y");
/// assert_eq!(m.max_segment_duration.unwrap().to_string(), "PT2S");
/// let t = m.periods[0].adaptation_sets[0].segment_template.as_ref().unwrap();
/// assert_eq!(t.start_number, Some(0));
/// ```
pub fn live_mpd(asset: &LiveAsset, options: &LiveOptions, now_ms: i64) -> Result<Mpd, Error> {
    let session = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?;
    live_mpd_with(asset, options, &session, now_ms)
}

/// [`live_mpd`] with the session already resolved.
pub fn live_mpd_with(
    asset: &LiveAsset,
    options: &LiveOptions,
    session: &Session,
    now_ms: i64,
) -> Result<Mpd, Error> {
    if options.periods_per_hour.is_some() {
        return Err(Error::UnsupportedOption {
            key: "periods".into(),
        });
    }
    if !options.durations_s.is_empty() {
        return Err(Error::UnsupportedOption { key: "dur".into() });
    }
    let t = &session.timing;
    let d = t.looping.segment_duration_s;
    let now_s = now_ms.div_euclid(1000);
    let mut mpd = asset.mpd.clone();
    let stopped = t.stop_s.is_some_and(|stop| now_s > stop);
    mpd.r#type = Some(if stopped { "static" } else { "dynamic" }.into());
    mpd.availability_start_time = Some(datetime(t.ast_s)?);
    mpd.publish_time = Some(datetime(now_s)?);
    mpd.availability_end_time = None;
    mpd.media_presentation_duration = t
        .stop_s
        .map(|stop| duration_s(u64::try_from(stop - t.ast_s).unwrap_or(0)));
    let timeline = options.timeline != TimelineMode::Number;
    mpd.minimum_update_period = if stopped {
        None
    } else if timeline {
        Some(duration_s(0))
    } else if let Some(m) = options.mup_s {
        Some(duration_s(m))
    } else if session.has_start {
        Some(duration_s(10))
    } else {
        Some(XsDuration::parse("P100Y").map_err(|_| Error::Overflow)?)
    };
    mpd.time_shift_buffer_depth = if stopped || mpd.media_presentation_duration.is_some() {
        None
    } else {
        Some(duration_s(t.tsbd_s))
    };
    mpd.suggested_presentation_delay = options.spd_s.map(duration_s);
    mpd.max_segment_duration = (!timeline).then(|| duration_s(d));
    mpd.utc_timings.clear();
    let methods: &[UtcMethod] = if options.utc.is_empty() {
        &[UtcMethod::HttpXsdate]
    } else {
        &options.utc
    };
    for m in methods {
        if let Some(u) = utc_timing(*m, now_s)? {
            mpd.utc_timings.push(u);
        }
    }

    let vod_period = mpd.periods.first().cloned().ok_or(Error::NotLiveable {
        reason: "the VoD MPD has no Period",
    })?;
    let mut period = Period {
        id: Some("p0".into()),
        start: Some(duration_s(0)),
        duration: None,
        segment_template: None,
        ..vod_period
    };
    let ato_text = match t.ato {
        Ato::Zero => None,
        Ato::Millis(ms) => Some(super::options::ms_to_seconds(ms)),
        Ato::Infinite => Some("INF".to_string()),
    };
    // Window for SegmentTimeline, in milliseconds of media time (livesim.md §4.3).
    let now_rel_ms = now_ms - t.ast_s * 1000;
    let mut end_ms = now_rel_ms;
    if let Some(stop) = t.stop_s {
        end_ms = end_ms.min((stop - t.ast_s) * 1000);
    }
    let tsbd_ms = i64::try_from(t.tsbd_s)
        .ok()
        .and_then(|v| v.checked_mul(1000))
        .ok_or(Error::Overflow)?;
    let start_ms = (now_rel_ms - tsbd_ms).max(0);
    let shift_ms = t.media_time_at_ast_s * 1000;

    for las in &asset.adaptation_sets {
        let Some(aset) = period.adaptation_sets.get_mut(las.adaptation_set_index) else {
            continue;
        };
        let vod = aset
            .representations
            .iter()
            .find_map(|r| r.segment_template.clone())
            .or_else(|| aset.segment_template.clone())
            .or_else(|| asset.mpd.periods.first()?.segment_template.clone())
            .unwrap_or_default();
        for r in &mut aset.representations {
            r.segment_template = None;
        }
        let mut tpl = SegmentTemplate {
            media: vod.media.clone(),
            initialization: vod.initialization.clone(),
            extra: vod.extra.clone(),
            ..SegmentTemplate::default()
        };
        tpl.availability_time_offset = ato_text.clone();
        let snr_implicit = options.start_number == Some(-1) && options.timeoffset_s.is_none();
        let start_number = u64::try_from(t.start_number).map_err(|_| Error::Overflow)?;
        if timeline {
            let ts = las.timescale;
            let tick = |ms: i64| -> Result<u64, Error> {
                let v = i128::from(ms + shift_ms) * i128::from(ts) / 1000;
                u64::try_from(v.max(0)).map_err(|_| Error::Overflow)
            };
            let segs =
                timeline_segments(&las.runs, &t.looping, ts, tick(start_ms)?, tick(end_ms)?)?;
            tpl.timescale = Some(ts);
            if t.media_time_at_ast_s != 0 {
                tpl.presentation_time_offset = Some(
                    u64::try_from(t.media_time_at_ast_s)
                        .ok()
                        .and_then(|v| v.checked_mul(u64::from(ts)))
                        .ok_or(Error::Overflow)?,
                );
            }
            if options.timeline == TimelineMode::Time {
                let media = vod.media.as_deref().unwrap_or("");
                if !media.contains("$Number$") {
                    return Err(Error::NotLiveable {
                        reason: "SegmentTimeline with $Time$ needs a plain $Number$ in @media",
                    });
                }
                tpl.media = Some(media.replace("$Number$", "t$Time$"));
            } else if let Some(first) = segs.first() {
                tpl.start_number = Some(timeline_number(t, first)?);
            } else {
                tpl.start_number = Some(start_number);
            }
            tpl.segment_timeline = Some(SegmentTimeline {
                s: timeline_entries(&segs),
                ..SegmentTimeline::default()
            });
        } else {
            tpl.timescale = vod.timescale;
            tpl.duration = vod.duration;
            if !snr_implicit {
                tpl.start_number = Some(start_number);
            }
            if t.media_time_at_ast_s != 0 {
                let ts = u64::from(vod.timescale.unwrap_or(1));
                tpl.presentation_time_offset = Some(
                    u64::try_from(t.media_time_at_ast_s)
                        .ok()
                        .and_then(|v| v.checked_mul(ts))
                        .ok_or(Error::Overflow)?,
                );
            }
        }
        // The writer puts a template added here before the Representations (schema order).
        aset.segment_template = Some(Box::new(tpl));
    }
    mpd.periods = vec![period];
    if let Some(chunk) = options.chunk_duration_ms {
        // livesim.md §4.2/§4.5: low-latency signalling (see `live::lowlatency`).
        let mut ll = super::lowlatency::LowLatency::new(chunk, "http://time.akamai.com/?iso");
        ll.target_latency_ms = options.latency_target_ms;
        // One nominal ato for every template (audio timelines have uneven first entries).
        ll.availability_time_offset_ms =
            super::lowlatency::effective_ato_ms(options, d.saturating_mul(1000));
        super::lowlatency::apply_low_latency(&mut mpd, &ll)?;
    }
    Ok(mpd)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::analyze::dat::Run;
    use crate::live::timing::LoopSpec;

    /// testpic_2s's audio runs (livesim.md §1.6): 4 segments at 48 kHz.
    fn testpic_audio() -> Vec<Run> {
        vec![
            Run {
                start_nr: 1,
                repeats: 2,
                start_time: 0,
                duration: 96_256,
            },
            Run {
                start_nr: 4,
                repeats: 0,
                start_time: 288_768,
                duration: 95_232,
            },
        ]
    }

    #[test]
    fn testpic_audio_timeline_vector() {
        // livesim.md §4.3: audio S t=47424512 d=96256, d=95232, d=96256 r=2, d=95232.
        let segs = timeline_segments(&testpic_audio(), &lp(), 48_000, 990 * 48_000, 1000 * 48_000)
            .unwrap();
        let s: Vec<_> = timeline_entries(&segs)
            .iter()
            .map(|s| (s.t, s.d, s.r))
            .collect();
        assert_eq!(
            s,
            [
                (Some(47_424_512), Some(96_256), None),
                (None, Some(95_232), None),
                (None, Some(96_256), Some(2)),
                (None, Some(95_232), None)
            ]
        );
    }

    fn lp() -> LoopSpec {
        LoopSpec {
            segment_duration_s: 2,
            first_segment_in_loop: 1,
            nr_segments_in_loop: 4,
        }
    }

    #[test]
    fn testpic_timeline_vector() {
        // livesim.md §4.3: testpic_2s, now 1000, tsbd_10: video S t=88920000 d=180000 r=1,
        // d=180000 r=3.
        let video = [Run {
            start_nr: 1,
            repeats: 3,
            start_time: 0,
            duration: 180_000,
        }];
        let segs = timeline_segments(&video, &lp(), 90_000, 990 * 90_000, 1000 * 90_000).unwrap();
        let s = timeline_entries(&segs);
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].t, s[0].d, s[0].r),
            (Some(88_920_000), Some(180_000), Some(1))
        );
        assert_eq!((s[1].t, s[1].d, s[1].r), (None, Some(180_000), Some(3)));
    }
}
