//! The live MPD at an instant (docs/live-timing.md#the-live-mpd): the VoD MPD made `dynamic`, with
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
use crate::timeline::Timescale;

use super::asset::LiveAsset;
use super::options::{LiveOptions, TimelineMode, UtcMethod};
use super::timing::{Ato, Session, Timing};
use super::Error;

/// Most `S` segments a SegmentTimeline window may span (tsbd / d), a bound on the work.
pub(crate) const MAX_TIMELINE_SEGMENTS: u64 = 1_000_000;

/// An xs:duration of whole seconds in dashlivesim's layout (`P<d>D` then `T<h>H<m>M<s>S`,
/// zero parts left out), valid where dashlivesim writes `P1DT`.
pub(crate) fn duration_s(s: u64) -> XsDuration {
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
pub(crate) struct TimelineSegment {
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

/// The segments of one AdaptationSet's live SegmentTimeline inside the window `[start_ticks,
/// end_ticks]` (docs/live-timing.md#timeline-window): from the segment containing `start` (on an
/// exact boundary inside a run, the one ending there; at a run's first segment, the one
/// starting there), looked up in the wrap that `start` falls in by nominal loop duration, to
/// the last one ending at or before `end`.
pub(crate) fn timeline_segments(
    runs: &[crate::analyze::dat::Run],
    looping: &super::timing::LoopSpec,
    timescale: Timescale,
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
    // The first segment, found as dashlivesim does: the wrap by nominal division, then in that
    // wrap the latest segment starting at or before the remainder, except that an exact end
    // inside a run picks the segment ending there. Deciding the wrap first matters when the
    // real loop is longer than the nominal one (the last segment of a wrap then overlaps the
    // next wrap's start) or shorter (a remainder in the gap after the last segment).
    let w0 = start_ticks / wrap;
    let rel = start_ticks % wrap;
    let mut first_index = 0;
    for (i, &(t0, d, _, _, _)) in one.iter().enumerate() {
        if t0 <= rel {
            first_index = i;
        }
        let next_in_run = one.get(i + 1).is_some_and(|x| !x.4);
        if t0 + d == rel && next_in_run {
            first_index = i;
            break;
        }
    }
    let mut out = Vec::new();
    let mut w = w0;
    let mut from = first_index;
    loop {
        let base = w.checked_mul(wrap).ok_or(Error::Overflow)?;
        for &(t0, d, ri, nr, _) in one.iter().skip(from) {
            let t = base.checked_add(t0).ok_or(Error::Overflow)?;
            let end = t + d;
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
        from = 0;
        w = w.checked_add(1).ok_or(Error::Overflow)?;
        if w.saturating_mul(wrap) > end_ticks {
            return Ok(out);
        }
    }
}

/// The `S` entries for timeline segments: one per run and wrap, only the first with `@t`,
/// `@r` only when > 0; runs on both sides of a wrap are not merged (as dashlivesim).
pub(crate) fn timeline_entries(segs: &[TimelineSegment]) -> Vec<S> {
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
/// (docs/live-timing.md#timeline-numbers): [`Timing::segment`] maps it back to that VoD segment.
pub(crate) fn timeline_number(t: &Timing, seg: &TimelineSegment) -> Result<u64, Error> {
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
/// // docs/live-timing.md#the-live-mpd: testpic_2s at now = 1000 s.
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

/// How far a media segment end may be from the nominal grid (the analyzer's drift rule).
const MAX_DRIFT_MS: i64 = 100;

/// [`live_mpd`] with the session already resolved.
pub(crate) fn live_mpd_with(
    asset: &LiveAsset,
    options: &LiveOptions,
    session: &Session,
    now_ms: i64,
) -> Result<Mpd, Error> {
    let t = &session.timing;
    let d = t.looping.segment_duration_s;
    let now_s = now_ms.div_euclid(1000);
    let mut mpd = asset.mpd.clone();
    // livesim2's rule: static once now is past the stop (docs/live-options.md#the-last-segment).
    let stopped = t.stop_s.is_some_and(|stop| {
        stop.checked_mul(1000)
            .is_some_and(|stop_ms| now_ms > stop_ms)
    });
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
    } else if timeline && options.chunk_duration_ms.is_some() {
        // livesim2 (whose option chunkdur_ is): one segment duration, or mup_.
        Some(duration_s(options.mup_s.unwrap_or(d)))
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
    mpd.suggested_presentation_delay = options.spd_s.filter(|_| !stopped).map(duration_s);
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
    // SegmentTimeline window, in ms of media time (docs/live-timing.md#timeline-window). As in
    // dashlivesim, "now" counts in whole seconds here: a segment is listed once its media end
    // has passed, and a loop shorter than nominal (by less than the analyzer's 100 ms) would
    // otherwise list its last segment before the server makes it available.
    let now_rel_ms = now_s * 1000 - t.ast_s * 1000;
    // Low latency (`chunkdur_`, livesim2's option) follows livesim2: the timeline also lists
    // the segment being produced once it can be fetched (end − ato ≤ now), so a player at the
    // live edge sees the segment whose chunks are coming. The server's rule is on the nominal
    // grid; a media end is within the analyzer's 100 ms of it, so listing by media end + 100 ms
    // never names a segment the server still refuses, and is late by at most 100 ms (whole
    // seconds, as for the plain timeline, would be up to a second late).
    // The ato a low-latency MPD announces (also written by the signalling below).
    // It is the session's ato (`Timing::from_options` derives it from `chunkdur_`).
    let ll_ato_ms = options.chunk_duration_ms.and(match t.ato {
        Ato::Millis(ms) => Some(ms),
        Ato::Zero | Ato::Infinite => None,
    });
    let mut end_ms = match ll_ato_ms.and_then(|a| i64::try_from(a).ok()) {
        Some(a) => (now_ms - t.ast_s * 1000)
            .checked_add(a - MAX_DRIFT_MS)
            .ok_or(Error::Overflow)?,
        None => now_rel_ms,
    };
    if let Some(stop) = t.stop_s {
        end_ms = end_ms.min((stop - t.ast_s) * 1000);
    }
    // A session with a stop time keeps all of itself (dashlivesim sets its timeshift buffer
    // to stop - start; the MPD then has no timeShiftBufferDepth).
    let window_s = match t.stop_s {
        Some(stop) => u64::try_from(stop - t.ast_s).unwrap_or(0),
        None => t.tsbd_s,
    };
    let tsbd_ms = i64::try_from(window_s)
        .ok()
        .and_then(|v| v.checked_mul(1000))
        .ok_or(Error::Overflow)?;
    // After the stop the window ends at the stop (as livesim2's): a static MPD lists the whole
    // session its mediaPresentationDuration announces.
    let window_end_ms = match t.stop_s {
        Some(stop) => now_rel_ms.min((stop - t.ast_s) * 1000),
        None => now_rel_ms,
    };
    let start_ms = (window_end_ms - tsbd_ms).max(0);
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
            let mut segs =
                timeline_segments(&las.runs, &t.looping, ts, tick(start_ms)?, tick(end_ms)?)?;
            // Never list a segment the server refuses as before the first number (a session
            // start between segment boundaries, with timeoffset_).
            let mut before = 0;
            for seg in &segs {
                if i128::from(timeline_number(t, seg)?) >= i128::from(t.start_number) {
                    break;
                }
                before += 1;
            }
            segs.drain(..before);
            tpl.timescale = Some(ts.get());
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
        // Low-latency signalling: docs/live-timing.md#low-latency-signalling, `live::lowlatency`.
        let mut ll = super::lowlatency::LowLatency::new(chunk, "http://time.akamai.com/?iso");
        ll.target_latency_ms = options.latency_target_ms;
        // One nominal ato for every template (audio timelines have uneven first entries).
        ll.availability_time_offset_ms = ll_ato_ms;
        super::lowlatency::apply_low_latency(&mut mpd, &ll)?;
    }
    // scte35_: the InbandEventStream of the cues (docs/live-options.md#scte-35).
    super::scte35::signal_in_mpd(&mut mpd, asset, options);
    // traffic_: one BaseURL per pattern (docs/live-options.md#error-injection).
    super::inject::signal_in_mpd(&mut mpd, &options.traffic);
    // timesubs*_: generated subtitle AdaptationSets (docs/live-options.md#generated-subtitles).
    super::timesubs::signal_in_mpd(&mut mpd, asset, options, t)?;
    // periods_N: the one Period cut on the wall-clock grid (docs/live-options.md#periods).
    super::periods::split_periods(&mut mpd, options, t, now_ms)?;
    Ok(mpd)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::analyze::dat::Run;

    fn ts(ticks_per_second: u32) -> Timescale {
        Timescale::new(ticks_per_second).unwrap()
    }
    use crate::live::asset::LiveAsset;
    use crate::live::timing::LoopSpec;

    /// testpic_2s's audio runs (docs/live-timing.md#analysis-examples): 4 segments at 48 kHz.
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
        // docs/live-timing.md#timeline-numbers:
        // audio S t=47424512 d=96256, d=95232, d=96256 r=2, d=95232.
        let segs = timeline_segments(
            &testpic_audio(),
            &lp(),
            ts(48_000),
            990 * 48_000,
            1000 * 48_000,
        )
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

    /// ffmpeg_livesim's runs (fixtures/golden/analyze): 5 × 2 s, video 10.02 s long (longer
    /// than the nominal 10 s loop), audio 9.971 s (shorter).
    fn ffmpeg_livesim_runs() -> (Vec<Run>, Vec<Run>) {
        let run = |start_nr, repeats, start_time, duration| Run {
            start_nr,
            repeats,
            start_time,
            duration,
        };
        (
            vec![run(1, 0, 0, 25_874), run(2, 3, 25_874, 25_600)],
            vec![
                run(1, 2, 0, 96_256),
                run(4, 0, 288_768, 95_232),
                run(5, 0, 384_000, 94_624),
            ],
        )
    }

    fn lp5() -> LoopSpec {
        LoopSpec {
            segment_duration_s: 2,
            first_segment_in_loop: 1,
            nr_segments_in_loop: 5,
        }
    }

    /// Agreement with dashlivesim (tests/live_agreement.rs, `tl_far_mpd`): a window starting
    /// exactly at a wrap starts with the new wrap's first segment, even though the previous
    /// wrap's last segment, 274 ticks longer than nominal, also covers that instant. It was
    /// listed first before, and with `start_`/`timeoffset_` that segment lies before the
    /// session's first number, which the server refuses.
    #[test]
    fn window_at_wrap_starts_with_the_new_wrap() {
        let (video, _) = ffmpeg_livesim_runs();
        let segs = timeline_segments(&video, &lp5(), ts(12_800), 128_000 * 3, 128_000 * 4).unwrap();
        assert_eq!(
            (segs[0].t, segs[0].wraps, segs[0].vod_number),
            (384_000, 3, 1)
        );
        // Exact end in a run: the segment ending there (docs/live-timing.md#timeline-window).
        let segs = timeline_segments(&video, &lp5(), ts(12_800), 25_874 + 25_600, 128_000).unwrap();
        assert_eq!(segs[0].t, 25_874);
    }

    /// A window starting in the gap after a wrap's last segment (audio shorter than the
    /// nominal loop: 478 624 of 480 000 ticks) used to match no segment at all, so the whole
    /// SegmentTimeline came out empty; it now starts with that wrap's last segment.
    #[test]
    fn window_starting_in_the_loop_gap_is_not_empty() {
        let (_, audio) = ffmpeg_livesim_runs();
        let segs = timeline_segments(&audio, &lp5(), ts(48_000), 479_000, 480_000 * 3).unwrap();
        assert_eq!((segs[0].t, segs[0].vod_number), (384_000, 5));
        assert_eq!(segs.len(), 1 + 5 + 5);
    }

    /// A live asset with ffmpeg_livesim's audio runs (cfg 1.1 and .dat, as dashlivesim reads).
    fn audio_asset() -> LiveAsset {
        let cfg = "[General]\nversion = 1.1\n\n[Setup]\ndefault_tsbd_secs = 300\n\
            segment_duration_s = 2\nnr_segments_in_loop = 5\nfirst_segment_in_loop = 1\n\n\
            [audio]\nrepresentations = 1\ntimescale = 48000\ntotal_duration = 478624\n\
            dat_file = a.dat\n\n";
        let mut dat = Vec::new();
        for r in ffmpeg_livesim_runs().1 {
            dat.extend_from_slice(&r.start_nr.to_le_bytes());
            dat.extend_from_slice(&r.repeats.to_le_bytes());
            dat.extend_from_slice(&r.start_time.to_le_bytes());
            dat.extend_from_slice(&r.duration.to_le_bytes());
        }
        let vod = crate::mpd::parse(
            r#"<MPD type="static"><Period><AdaptationSet contentType="audio">
            <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
            <Representation id="1"/></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        LiveAsset::from_cfg(cfg, vod, |_| Some(dat.clone())).unwrap()
    }

    /// (first `S@t`, number of segments) of the audio timeline.
    fn audio_timeline(opts: &str, now_ms: i64) -> (Option<u64>, i64) {
        let m = live_mpd(&audio_asset(), &LiveOptions::parse(opts).unwrap(), now_ms).unwrap();
        let tpl = m.periods[0].adaptation_sets[0]
            .segment_template
            .clone()
            .unwrap();
        let s = tpl.segment_timeline.unwrap().s;
        (s[0].t, s.iter().map(|e| 1 + e.r.unwrap_or(0)).sum())
    }

    /// Agreement with dashlivesim (`tl_gap_mpd`): the window counts "now" in whole seconds, so
    /// an audio segment whose media end (459.971 s) precedes its availability (460 s) is not
    /// listed at 459.980 s, when the server still refuses it.
    #[test]
    fn timeline_window_counts_whole_seconds() {
        let at = |ms| audio_timeline("segtimeline_1/tsbd_30", ms);
        assert_eq!(at(1_356_998_459_980), at(1_356_998_459_000));
        assert_ne!(at(1_356_998_460_000), at(1_356_998_459_000));
    }

    /// Agreement with dashlivesim (`toff_tl_offgrid_mpd`, `toff_tl_tsbd_mpd`): a session with a
    /// stop time lists all of itself whatever tsbd_ says, and never a segment before its first
    /// number (start 1004 s: the segment at 1002 s is number 501 < 502).
    #[test]
    fn stopped_session_timeline_starts_at_its_first_segment() {
        let (t, _) = audio_timeline(
            "segtimeline_1/start_1000/stop_2000/timeoffset_0/tsbd_30",
            1_100_000,
        );
        assert_eq!(t, Some(1000 * 48_000));
        let (t, _) = audio_timeline("segtimeline_1/start_1004/stop_1200/timeoffset_0", 1_100_000);
        assert_eq!(t, Some(100 * 480_000 + 192_512));
    }

    /// chunkdur_0.5 on 2 s segments: ato 1.5 s. Over 10 s of instants, a low-latency
    /// timeline lists only segments whose media end − ato is past (with the 100 ms drift
    /// margin), and most of the time one more than the plain timeline, which lists only ended
    /// segments. (`tests/live_lowlatency.rs` checks the listed segments against the server.)
    #[test]
    fn low_latency_timeline_lists_the_segment_in_progress() {
        let end_of_last = |opts: &str, now_ms: i64| -> i64 {
            let m = live_mpd(&audio_asset(), &LiveOptions::parse(opts).unwrap(), now_ms).unwrap();
            let tpl = m.periods[0].adaptation_sets[0]
                .segment_template
                .clone()
                .unwrap();
            let mut t = 0u64;
            for e in &tpl.segment_timeline.unwrap().s {
                t = e.t.unwrap_or(t) + e.d.unwrap_or(0) * (1 + e.r.unwrap_or(0) as u64);
            }
            // Media time (48 kHz) to wall-clock ms: AST 0, no time offset.
            (i128::from(t) * 1000 / 48_000) as i64
        };
        let base = 1_356_998_400_000; // a multiple of the 10 s loop
        let mut ahead = 0;
        for step in 0..100 {
            let now = base + step * 100;
            let ll = end_of_last("chunkdur_0.5/segtimeline_1", now);
            let plain = end_of_last("segtimeline_1", now);
            assert!(plain <= now, "plain lists the future at {now}: {plain}");
            assert!(ll - 1_400 <= now, "not yet fetchable at {now}: {ll}");
            assert!(ll >= plain, "{now}: {ll} < {plain}");
            ahead += usize::from(ll > plain);
        }
        // Listed 1.4 s (ato − 100 ms) before the plain timeline lists it, of each 2 s.
        assert!(ahead >= 60, "listed ahead at only {ahead} of 100 instants");
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
        // docs/live-timing.md#timeline-numbers: testpic_2s, now 1000, tsbd_10:
        // video S t=88920000 d=180000 r=1, d=180000 r=3.
        let video = [Run {
            start_nr: 1,
            repeats: 3,
            start_time: 0,
            duration: 180_000,
        }];
        let segs =
            timeline_segments(&video, &lp(), ts(90_000), 990 * 90_000, 1000 * 90_000).unwrap();
        let s = timeline_entries(&segs);
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].t, s[0].d, s[0].r),
            (Some(88_920_000), Some(180_000), Some(1))
        );
        assert_eq!((s[1].t, s[1].d, s[1].r), (None, Some(180_000), Some(3)));
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn duration_s() {
        use crate::live::mpd::duration_s;
        assert_eq!(duration_s(300).to_string(), "PT5M");
        assert_eq!(duration_s(66).to_string(), "PT1M6S");
        assert_eq!(duration_s(0).to_string(), "PT0S");
        assert_eq!(duration_s(86_400).to_string(), "P1D");
        assert_eq!(duration_s(90_000).to_string(), "P1DT1H");
    }
}

/// Laws of [`timeline_segments`] on the `ffmpeg_livesim` fixture (5 × 2 s, video at 12 800 Hz,
/// audio at 48 000 Hz).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod timeline_laws {
    use super::*;
    use proptest::prelude::*;

    /// The SegmentTimeline window from `start` s for `len` s has no gaps or overlaps inside a
    /// loop; at a wrap the step is exactly the nominal loop minus the VoD's real length
    /// (ffmpeg's first video segment is 274 ticks long, its last audio one 1376 ticks short),
    /// as dashlivesim shifts by whole nominal loops.
    fn check_contiguous(start: u64, len: u64) -> Result<(), TestCaseError> {
        let a = crate::live::asset::tests::fixture_asset();
        for s in &a.adaptation_sets {
            let ts = u64::from(s.timescale);
            let segs = timeline_segments(
                &s.runs,
                &a.looping,
                s.timescale,
                start * ts,
                (start + len) * ts,
            )
            .unwrap();
            let first = s.runs.first().unwrap().start_time as i128;
            let real = s.runs.last().unwrap().end_time() as i128 - first;
            let wrap = (a.looping.loop_duration_s().unwrap() * ts) as i128;
            for w in segs.windows(2) {
                let step = w[1].t as i128 - (w[0].t + w[0].d) as i128;
                if w[0].wraps == w[1].wraps {
                    prop_assert_eq!(step, 0);
                } else {
                    prop_assert_eq!(step, wrap - real);
                }
            }
            if let Some(l) = segs.last() {
                prop_assert!(l.t + l.d <= (start + len) * ts);
            }
        }
        Ok(())
    }

    /// The case proptest once shrank a failure to.
    #[test]
    fn timeline_contiguous_from_zero() {
        check_contiguous(0, 13).unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn timeline_contiguous(start in 0u64..10_000_000, len in 0u64..200) {
            check_contiguous(start, len)?;
        }
    }
}
