//! dashlivesim's live timing model in exact integers (docs/live-timing.md).
//!
//! Wall-clock instants are milliseconds since the Unix epoch; segment durations and the loop
//! are whole seconds as in the `.cfg`. Live segment `n` covers media time
//! `(n − S)·d + mediaTimeAtAST` seconds and becomes available when it ends, at
//! `AST + (n − S + 1)·d`; it can be fetched from `end − ato` to `end + d + tsbd`. Media time
//! maps onto the VoD loop: `loops = floor(t / loopDur)`, VoD number
//! `first + (t mod loopDur) div d`, and every media timestamp moves by `loops × loopDur`.

use super::availability::Availability;
use super::Error;
use crate::timeline::Timescale;

/// The VoD loop, as the `.cfg` `[Setup]` section describes it.
///
/// ```
/// use dashkit::live::{timing::LoopSpec, Error};
/// // fixtures/golden/analyze/ffmpeg_livesim.cfg: 5 segments of 2 s from number 1.
/// let l = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 5 };
/// assert_eq!(l.loop_duration_s().unwrap(), 10);
/// let empty = LoopSpec { nr_segments_in_loop: 0, ..l };
/// assert!(matches!(empty.loop_duration_s(), Err(Error::EmptyLoop)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopSpec {
    /// Segment duration `d` in whole seconds.
    pub segment_duration_s: u64,
    /// VoD number of the loop's first segment.
    pub first_segment_in_loop: u64,
    /// Segments in the loop.
    pub nr_segments_in_loop: u64,
}

impl LoopSpec {
    /// Loop duration in seconds, checked.
    ///
    /// ```
    /// use dashkit::live::timing::LoopSpec;
    /// let l = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// assert_eq!(l.loop_duration_s().unwrap(), 8);
    /// assert!(LoopSpec { segment_duration_s: u64::MAX, ..l }.loop_duration_s().is_err());
    /// ```
    pub fn loop_duration_s(&self) -> Result<u64, Error> {
        self.segment_duration_s
            .checked_mul(self.nr_segments_in_loop)
            .filter(|v| *v > 0)
            .ok_or(Error::EmptyLoop)
    }
}

/// availabilityTimeOffset: how much earlier than its end a segment may be fetched.
///
/// ```
/// use dashkit::live::options::LiveOptions;
/// use dashkit::live::timing::{Ato, LoopSpec, Timing};
/// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
/// let timing = |opts| Timing::from_options(&LiveOptions::parse(opts).unwrap(), testpic, 300, 0)
///     .unwrap().timing;
/// assert_eq!(timing("").ato, Ato::Zero);
/// let early = timing("ato_1.5");
/// assert_eq!(early.ato, Ato::Millis(1500));
/// let s = early.segment(10).unwrap();
/// assert_eq!(s.fetch_from_ms, Some(s.available_at_ms - 1500));
/// assert_eq!(timing("ato_inf").segment(10).unwrap().fetch_from_ms, None); // always
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ato {
    /// No offset (the default).
    #[default]
    Zero,
    /// A finite offset in milliseconds (> 0).
    Millis(u64),
    /// `INF`: every segment is available from the availability start time.
    Infinite,
}

/// The timing parameters of one live session, resolved from the options and the asset.
///
/// ```
/// use dashkit::live::options::LiveOptions;
/// use dashkit::live::timing::{Ato, LoopSpec, Timing};
/// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
/// let opts = LiveOptions::parse("start_1001/tsbd_30/snr_5").unwrap();
/// let t = Timing::from_options(&opts, testpic, 300, 2_000_000).unwrap().timing;
/// assert_eq!((t.ast_s, t.start_number), (1000, 5)); // AST floored to a multiple of 2 s
/// assert_eq!((t.tsbd_s, t.ato, t.stop_s), (30, Ato::Zero, None));
/// assert_eq!(t.looping, testpic);
/// assert_eq!(t.segment(5).unwrap().available_at_ms, 1_002_000); // the first ends at AST + 2 s
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// availabilityStartTime in epoch seconds (whole: dashlivesim floors it to `d`).
    pub ast_s: i64,
    /// The effective start number `S`.
    pub start_number: i64,
    /// Media time at AST in seconds (0, or `AST − T` with `timeoffset_T`).
    pub media_time_at_ast_s: i64,
    /// timeShiftBufferDepth in seconds.
    pub tsbd_s: u64,
    /// availabilityTimeOffset.
    pub ato: Ato,
    /// Init segments are available this many seconds before AST (`init_X`).
    pub init_offset_s: u64,
    /// A stop time (epoch s) ends the session: no too-late check, and numbers from
    /// `stop_number` on do not exist.
    pub stop_s: Option<i64>,
    /// Low latency (`chunkdur_`, the chunk duration): a media request up to this many
    /// milliseconds before the segment may be fetched is held, not refused, and its chunks are
    /// sent as they fall due (a player's clock a little ahead of the server's). 0 otherwise.
    pub hold_ms: u64,
    /// The loop.
    pub looping: LoopSpec,
}

/// Where a live segment comes from and when it can be fetched.
///
/// ```
/// use dashkit::live::options::LiveOptions;
/// use dashkit::live::timing::{LoopSpec, Timing};
/// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
/// let t = Timing::from_options(&LiveOptions::default(), testpic, 300, 0).unwrap().timing;
/// // Live segment 6 covers media time 12..14 s: the 2nd loop (8 s each), VoD segment 3.
/// let s = t.segment(6).unwrap();
/// assert_eq!((s.number, s.vod_number, s.loops, s.offset_s), (6, 3, 1, 8));
/// assert_eq!((s.media_time_s, s.available_at_ms), (12, 14_000));
/// assert_eq!(s.fetch_from_ms, Some(14_000));
/// assert_eq!(s.fetch_until_ms, Some(14_000 + 2_000 + 300_000)); // + d + tsbd
/// assert!(!s.last);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSegment {
    /// The live segment number (mfhd sequence number of the output).
    pub number: u64,
    /// The VoD segment number to read.
    pub vod_number: u64,
    /// Whole loops before this segment.
    pub loops: u64,
    /// Seconds to add to every media timestamp (`loops × loopDur`).
    pub offset_s: u64,
    /// Media start time of the segment in seconds.
    pub media_time_s: i64,
    /// When it ends and becomes available (epoch ms), before the ato.
    pub available_at_ms: i64,
    /// First instant it may be fetched (epoch ms), `None` when always (ato = INF).
    pub fetch_from_ms: Option<i64>,
    /// Last instant it may be fetched (epoch ms), `None` when never too late.
    pub fetch_until_ms: Option<i64>,
    /// The last segment of a session with an end (`stop_`, `stoprel_` or `dur_`): it carries
    /// the `lmsg` brand (docs/live-options.md#the-last-segment).
    pub last: bool,
}

impl LiveSegment {
    /// The tfdt shift for a track: `offset_s × timescale` ticks, checked.
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timing::{LoopSpec, Timing}};
    /// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// let t = Timing::from_options(&LiveOptions::default(), testpic, 300, 0).unwrap().timing;
    /// // Live segment 6 is in the second 8 s loop: its timestamps move by 8 s.
    /// let s = t.segment(6).unwrap();
    /// let audio = dashkit::timeline::Timescale::new(48_000).unwrap();
    /// assert_eq!(s.tfdt_offset_ticks(audio).unwrap(), 8 * 48_000);
    /// ```
    pub fn tfdt_offset_ticks(&self, timescale: Timescale) -> Result<u64, Error> {
        self.offset_s
            .checked_mul(u64::from(timescale))
            .ok_or(Error::Overflow)
    }
}

/// How a session's start and stop resolve at one instant (docs/live-timing.md#sessions).
///
/// ```
/// use dashkit::live::options::LiveOptions;
/// use dashkit::live::timing::{LoopSpec, Timing};
/// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
/// let opts = LiveOptions::parse("startrel_-21").unwrap();
/// let session = Timing::from_options(&opts, testpic, 300, 1_000_000).unwrap();
/// assert!(session.has_start);
/// assert_eq!(session.start_given_s, Some(979)); // now (1000 s) - 21 s
/// assert_eq!(session.timing.ast_s, 978); // floored to a multiple of 2 s
/// let plain = Timing::from_options(&LiveOptions::default(), testpic, 300, 1_000_000).unwrap();
/// assert!(!plain.has_start && plain.start_given_s.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The timing of the session.
    pub timing: Timing,
    /// The `start_` time as given (or `now + startrel`), before flooring to `d`.
    pub start_given_s: Option<i64>,
    /// Whether a `start_`/`startrel_` option was given (mup defaults to 10 s then).
    pub has_start: bool,
}

impl Timing {
    /// Resolves the options at `now_ms` against the loop (docs/live-timing.md#sessions):
    /// `AST = floor(start / d)·d` (0 by default), stop rounded up to a multiple of `d`,
    /// `S = snr (+ (AST − T) div d with timeoffset_T)`, tsbd from the option or the asset, the
    /// ato the MPD announces (`lowlatency::effective_ato_ms`: with `chunkdur_` and no
    /// `ato_`, the segment duration minus the chunk duration) and the low-latency hold.
    ///
    /// This is the one timing construction: the live MPD, the server's answers and
    /// `live-shift`'s window all start here, so they apply the same availability.
    ///
    /// ```
    /// use dashkit::live::options::LiveOptions;
    /// use dashkit::live::timing::{LoopSpec, Timing};
    /// let l = LoopSpec { segment_duration_s: 6, first_segment_in_loop: 0, nr_segments_in_loop: 600 };
    /// // docs/live-timing.md#sessions: startrel_-20/stoprel_40/timeoffset_0 at 1000: AST 978.
    /// let o = LiveOptions::parse("startrel_-20/stoprel_40/timeoffset_0").unwrap();
    /// let t = Timing::from_options(&o, l, 300, 1_000_000).unwrap().timing;
    /// assert_eq!((t.ast_s, t.start_number, t.media_time_at_ast_s), (978, 163, 978));
    /// assert_eq!(t.stop_s, Some(1044));
    /// ```
    pub fn from_options(
        options: &super::options::LiveOptions,
        looping: LoopSpec,
        default_tsbd_s: u64,
        now_ms: i64,
    ) -> Result<Session, Error> {
        let d = i64::try_from(looping.segment_duration_s).map_err(|_| Error::Overflow)?;
        looping.loop_duration_s()?;
        let now_s = now_ms.div_euclid(1000);
        let start = match (options.start_s, options.startrel_s) {
            (Some(s), _) => Some(s),
            (None, Some(r)) => Some(now_s.checked_add(r).ok_or(Error::Overflow)?),
            (None, None) => None,
        };
        let ast_s = start.map(|s| s.div_euclid(d) * d).unwrap_or(0);
        let stop = match (options.stop_s, options.stoprel_s) {
            (Some(s), _) => Some(s),
            (None, Some(r)) if start.is_some() => {
                Some(now_s.checked_add(r).ok_or(Error::Overflow)?)
            }
            _ => dur_end_s(options, start, d)?,
        };
        let stop_s = match (stop, start) {
            (Some(y), Some(_)) => Some(
                y.checked_add(d - 1)
                    .ok_or(Error::Overflow)?
                    .div_euclid(d)
                    .checked_mul(d)
                    .ok_or(Error::Overflow)?,
            ),
            _ => None,
        };
        let mut start_number = match options.start_number {
            None => 0,
            Some(-1) => 1,
            Some(v) => v,
        };
        let mut media_time_at_ast_s = 0;
        if let Some(t) = options.timeoffset_s {
            let rel = ast_s.checked_sub(t).ok_or(Error::Overflow)?;
            start_number = start_number
                .checked_add(rel.div_euclid(d))
                .ok_or(Error::Overflow)?;
            media_time_at_ast_s = rel;
        }
        let d_ms = looping
            .segment_duration_s
            .checked_mul(1000)
            .ok_or(Error::Overflow)?;
        let ato = match options.ato {
            Some(super::options::AtoOption::Infinite) => Ato::Infinite,
            _ => match super::lowlatency::effective_ato_ms(options, d_ms) {
                Some(ms) => Ato::Millis(ms),
                None => Ato::Zero,
            },
        };
        Ok(Session {
            timing: Timing {
                ast_s,
                start_number,
                media_time_at_ast_s,
                tsbd_s: options.tsbd_s.unwrap_or(default_tsbd_s),
                ato,
                init_offset_s: options.init_offset_s.unwrap_or(0),
                stop_s,
                hold_ms: options.chunk_duration_ms.unwrap_or(0),
                looping,
            },
            start_given_s: start,
            has_start: start.is_some(),
        })
    }
}

/// The end of a `dur_` session (docs/live-options.md#the-last-segment): dashlivesim's last
/// cumulative end `floor((start + ΣD) / d)·d`; `None` without `dur_` or without a start.
fn dur_end_s(
    options: &super::options::LiveOptions,
    start: Option<i64>,
    d: i64,
) -> Result<Option<i64>, Error> {
    let Some(start) = start.filter(|_| !options.durations_s.is_empty()) else {
        return Ok(None);
    };
    let mut end = start;
    for dur in &options.durations_s {
        let dur = i64::try_from(*dur).map_err(|_| Error::Overflow)?;
        end = end.checked_add(dur).ok_or(Error::Overflow)?;
    }
    Ok(Some(end.div_euclid(d.max(1)) * d))
}

fn ms(s: i64) -> Result<i64, Error> {
    s.checked_mul(1000).ok_or(Error::Overflow)
}

impl Timing {
    fn d(&self) -> i64 {
        i64::try_from(self.looping.segment_duration_s).unwrap_or(i64::MAX)
    }

    /// The first number that does not exist when a stop time is set:
    /// `S + (stop − AST) div d`.
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timing::{LoopSpec, Timing}};
    /// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// let o = LiveOptions::parse("start_1000/stop_1010").unwrap();
    /// let t = Timing::from_options(&o, testpic, 300, 0).unwrap().timing;
    /// assert_eq!(t.stop_number(), Some(5)); // 0..=4 cover 1000..1010 s
    /// assert!(t.segment(4).unwrap().last);
    /// let open = Timing::from_options(&LiveOptions::default(), testpic, 300, 0).unwrap().timing;
    /// assert_eq!(open.stop_number(), None);
    /// ```
    pub fn stop_number(&self) -> Option<i64> {
        self.stop_s
            .map(|stop| self.start_number + (stop - self.ast_s).div_euclid(self.d().max(1)))
    }

    /// Maps live segment `number` onto the loop and computes its fetch window.
    ///
    /// ```
    /// use dashkit::live::timing::*;
    /// // docs/live-timing.md#the-loop: testpic_2s (4 × 2 s), AST 0: 500 is VoD 1 after 125 loops.
    /// let t = Timing { ast_s: 0, start_number: 0, media_time_at_ast_s: 0, tsbd_s: 300,
    ///     ato: Ato::Zero, init_offset_s: 0, stop_s: None, hold_ms: 0,
    ///     looping: LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 } };
    /// let s = t.segment(500).unwrap();
    /// assert_eq!((s.vod_number, s.offset_s), (1, 1000));
    /// let video = dashkit::timeline::Timescale::new(90_000).unwrap();
    /// assert_eq!(s.tfdt_offset_ticks(video).unwrap(), 90_000_000);
    /// assert_eq!(s.available_at_ms, 1_002_000);
    /// ```
    pub fn segment(&self, number: u64) -> Result<LiveSegment, Error> {
        let d = self.d();
        if d <= 0 {
            return Err(Error::EmptyLoop);
        }
        let loop_s = i64::try_from(self.looping.loop_duration_s()?).map_err(|_| Error::Overflow)?;
        let n = i64::try_from(number).map_err(|_| Error::Overflow)?;
        let rel = n.checked_sub(self.start_number).ok_or(Error::Overflow)?;
        let media_time_s = rel
            .checked_mul(d)
            .and_then(|v| v.checked_add(self.media_time_at_ast_s))
            .ok_or(Error::Overflow)?;
        if media_time_s < 0 {
            return Err(Error::NegativeMediaTime { number });
        }
        let loops = media_time_s.div_euclid(loop_s);
        let in_loop = media_time_s.rem_euclid(loop_s);
        let vod_number = self.looping.first_segment_in_loop + (in_loop / d) as u64;
        let end_s = rel
            .checked_add(1)
            .and_then(|v| v.checked_mul(d))
            .and_then(|v| v.checked_add(self.ast_s))
            .ok_or(Error::Overflow)?;
        let available_at_ms = ms(end_s)?;
        let fetch_from_ms = match self.ato {
            Ato::Infinite => None,
            Ato::Zero => Some(available_at_ms),
            Ato::Millis(a) => {
                Some(available_at_ms - i64::try_from(a).map_err(|_| Error::Overflow)?)
            }
        };
        let fetch_until_ms = if self.stop_s.is_some() {
            None
        } else {
            let tsbd = i64::try_from(self.tsbd_s).map_err(|_| Error::Overflow)?;
            Some(ms(end_s + d + tsbd)?)
        };
        Ok(LiveSegment {
            number,
            vod_number,
            loops: loops as u64,
            offset_s: (loops * loop_s) as u64,
            media_time_s,
            available_at_ms,
            fetch_from_ms,
            fetch_until_ms,
            last: self
                .stop_number()
                .is_some_and(|stop| Some(stop) == n.checked_add(1)),
        })
    }

    /// The live number whose media time is `media_time` ticks of `timescale` (the `$Time$`
    /// addressing): `round(time / d / timescale)` counted from `S`, as dashlivesim does.
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timing::{LoopSpec, Timing}};
    /// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// let t = Timing::from_options(&LiveOptions::default(), testpic, 300, 0).unwrap().timing;
    /// let ms = dashkit::timeline::Timescale::new(1000).unwrap();
    /// assert_eq!(t.number_for_time(1_000_000, ms).unwrap(), 500); // 1000 s / 2 s
    /// assert_eq!(t.number_for_time(1_000_999, ms).unwrap(), 500); // rounded to the nearest
    /// ```
    pub fn number_for_time(&self, media_time: u64, timescale: Timescale) -> Result<u64, Error> {
        let per_seg = u128::from(self.looping.segment_duration_s) * u128::from(timescale);
        if per_seg == 0 {
            return Err(Error::EmptyLoop);
        }
        let at_ast = i128::from(self.media_time_at_ast_s) * i128::from(timescale);
        let rel = i128::from(media_time) - at_ast;
        let per = per_seg as i128;
        let idx = (2 * rel + per).div_euclid(2 * per); // round half up
        let n = idx + i128::from(self.start_number);
        u64::try_from(n).map_err(|_| Error::Overflow)
    }

    /// The first instant (epoch ms) any media segment may be fetched: the first segment's
    /// end minus the ato (AST itself with `ato = INF`). Earlier requests are refused whatever
    /// their number, and dashlivesim says so ("before first seg AST").
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timing::{LoopSpec, Timing}};
    /// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// let at = |opts| Timing::from_options(&LiveOptions::parse(opts).unwrap(), testpic, 300, 0)
    ///     .unwrap().timing.first_segment_gate_ms().unwrap();
    /// assert_eq!(at("start_1000"), 1_002_000); // the first segment's end
    /// assert_eq!(at("start_1000/ato_inf"), 1_000_000); // AST itself
    /// ```
    pub fn first_segment_gate_ms(&self) -> Result<i64, Error> {
        let d_ms = ms(self.d())?;
        let ast_ms = ms(self.ast_s)?;
        Ok(match self.ato {
            Ato::Infinite => ast_ms,
            Ato::Zero => ast_ms + d_ms,
            Ato::Millis(a) => ast_ms + d_ms - i64::try_from(a).map_err(|_| Error::Overflow)?,
        })
    }

    /// Whether live media segment `number` can be served at `now_ms`, in dashlivesim's order
    /// of rules (§2.4): the first-segment gate, the start number, the stop, then the segment's
    /// own window (from its end minus the ato, less the low-latency hold, to its end plus `d`
    /// plus tsbd). Ready with the segment's mapping onto the loop.
    ///
    /// This is the one availability rule: [`super::source::respond`] answers by it and
    /// [`Timing::available_numbers`] is the set of numbers it makes ready.
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timing::{LoopSpec, Timing}};
    /// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// use dashkit::live::availability::Availability;
    /// let t = Timing::from_options(&LiveOptions::default(), testpic, 300, 0).unwrap().timing;
    /// // Segment 500 ends at 1002 s and stays for d + tsbd = 302 s more.
    /// assert_eq!(t.check_media(500, 1_001_000).unwrap(), Availability::TooEarly { by_ms: 1_000 });
    /// assert!(matches!(t.check_media(500, 1_002_000).unwrap(), Availability::Ready(s) if s.vod_number == 1));
    /// assert_eq!(t.check_media(500, 1_305_000).unwrap(), Availability::TooLate { by_ms: 1_000 });
    /// ```
    pub fn check_media(
        &self,
        number: u64,
        now_ms: i64,
    ) -> Result<Availability<LiveSegment>, Error> {
        let first_gate = self.first_segment_gate_ms()?;
        if now_ms < first_gate {
            return Ok(Availability::TooEarly {
                by_ms: first_gate - now_ms,
            });
        }
        let n = i64::try_from(number).map_err(|_| Error::Overflow)?;
        if n < self.start_number {
            return Ok(Availability::NotFound);
        }
        if let Some(stop_number) = self.stop_number() {
            if n >= stop_number {
                return Ok(Availability::NotFound);
            }
        }
        let seg = self.segment(number)?;
        if let Some(from) = seg.fetch_from_ms {
            let from = from - i64::try_from(self.hold_ms).map_err(|_| Error::Overflow)?;
            if now_ms < from {
                return Ok(Availability::TooEarly {
                    by_ms: from - now_ms,
                });
            }
        }
        if let Some(until) = seg.fetch_until_ms {
            if now_ms > until {
                return Ok(Availability::TooLate {
                    by_ms: now_ms - until,
                });
            }
        }
        Ok(Availability::Ready(seg))
    }

    /// Whether an init segment can be served: from `AST − init_offset`.
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timing::{LoopSpec, Timing}};
    /// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// use dashkit::live::availability::Availability;
    /// let t = Timing::from_options(&LiveOptions::parse("start_1000/init_10").unwrap(), testpic, 300, 0)
    ///     .unwrap().timing;
    /// assert_eq!(t.check_init(990_000).unwrap(), Availability::Ready(())); // AST - 10 s
    /// assert_eq!(t.check_init(989_000).unwrap(), Availability::TooEarly { by_ms: 1_000 });
    /// ```
    pub fn check_init(&self, now_ms: i64) -> Result<Availability<()>, Error> {
        let from =
            ms(self.ast_s - i64::try_from(self.init_offset_s).map_err(|_| Error::Overflow)?)?;
        Ok(if now_ms < from {
            Availability::TooEarly {
                by_ms: from - now_ms,
            }
        } else {
            Availability::Ready(())
        })
    }

    /// The live numbers that can be fetched at `now_ms` (the timeshift window), oldest first;
    /// empty when none: exactly the numbers [`Timing::check_media`] makes ready. With
    /// `ato = INF` the window ends at the segment being produced (the check makes every later
    /// segment ready too).
    ///
    /// ```
    /// use dashkit::live::{options::LiveOptions, timing::{LoopSpec, Timing}};
    /// let testpic = LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 4 };
    /// let o = LiveOptions::parse("tsbd_10").unwrap();
    /// let t = Timing::from_options(&o, testpic, 300, 0).unwrap().timing;
    /// // At 1003 s segment 500 (ending at 1002 s) is the newest; the window reaches 6 back.
    /// let window = t.available_numbers(1_003_000).unwrap();
    /// assert_eq!(*window.end(), 500);
    /// assert!(window.clone().all(|n| t.check_media(n, 1_003_000).unwrap().is_ready()));
    /// ```
    pub fn available_numbers(&self, now_ms: i64) -> Result<std::ops::RangeInclusive<u64>, Error> {
        let d_ms = ms(self.d())?;
        if d_ms <= 0 {
            return Err(Error::EmptyLoop);
        }
        #[allow(clippy::reversed_empty_ranges)]
        if now_ms < self.first_segment_gate_ms()? {
            return Ok(1..=0);
        }
        let ast_ms = ms(self.ast_s)?;
        let hold_ms = i64::try_from(self.hold_ms).map_err(|_| Error::Overflow)?;
        let ato_ms = match self.ato {
            Ato::Zero => hold_ms,
            Ato::Millis(a) => i64::try_from(a)
                .ok()
                .and_then(|a| a.checked_add(hold_ms))
                .ok_or(Error::Overflow)?,
            Ato::Infinite => d_ms,
        };
        // Newest: the segment whose end − ato − hold ≤ now, i.e.
        // (n − S + 1)·d ≤ now − AST + ato + hold.
        let newest_rel = (now_ms - ast_ms + ato_ms).div_euclid(d_ms) - 1;
        let mut newest = newest_rel + self.start_number;
        if let Some(stop) = self.stop_number() {
            newest = newest.min(stop - 1);
        }
        // Oldest: end + d + tsbd ≥ now, i.e. (n − S + 2)·d + tsbd ≥ now − AST.
        let mut oldest = self.start_number;
        if self.stop_s.is_none() {
            let tsbd_ms = ms(i64::try_from(self.tsbd_s).map_err(|_| Error::Overflow)?)?;
            let lower = now_ms - ast_ms - tsbd_ms; // (rel + 2)·d ≥ lower
            let rel = (lower + d_ms - 1).div_euclid(d_ms) - 2; // ceil(lower / d) − 2
            oldest = oldest.max(rel + self.start_number);
        }
        // Media time must not be negative (timeoffset far in the future).
        let min_rel = (-self.media_time_at_ast_s + self.d() - 1).div_euclid(self.d());
        oldest = oldest.max(self.start_number + min_rel.max(0));
        if newest < oldest || newest < 0 {
            #[allow(clippy::reversed_empty_ranges)]
            return Ok(1..=0);
        }
        Ok(oldest.max(0) as u64..=newest as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(ticks_per_second: u32) -> Timescale {
        Timescale::new(ticks_per_second).unwrap()
    }

    fn testpic_2s() -> Timing {
        Timing {
            ast_s: 0,
            start_number: 0,
            media_time_at_ast_s: 0,
            tsbd_s: 300,
            ato: Ato::Zero,
            init_offset_s: 0,
            stop_s: None,
            hold_ms: 0,
            looping: LoopSpec {
                segment_duration_s: 2,
                first_segment_in_loop: 1,
                nr_segments_in_loop: 4,
            },
        }
    }

    /// Observed dashlivesim runs on testpic_2s (docs/box-rewrite.md#live-shift).
    #[test]
    fn observed_segment_mapping() {
        let t = testpic_2s();
        let s = t.segment(500).unwrap();
        assert_eq!(
            (s.vod_number, s.tfdt_offset_ticks(ts(48_000)).unwrap()),
            (1, 48_000_000)
        );
        let s = t.segment(499).unwrap();
        // VoD 4 starts at 288,768 in audio; 47,904,768 - 288,768 = 47,616,000 = 992 s.
        assert_eq!((s.vod_number, s.offset_s), (4, 992));
        let mut snr = testpic_2s();
        snr.start_number = 7;
        assert_eq!(snr.segment(507).unwrap().vod_number, 1);
        assert_eq!(snr.segment(507).unwrap().offset_s, 1000);
        let mut start = testpic_2s();
        start.ast_s = 100;
        let s = start.segment(450).unwrap();
        assert_eq!((s.vod_number, s.offset_s), (3, 896));
        // 3 is at 4 s in the loop, so tfdt = (896 + 4) s = 81,000,000 at 90 kHz.
        assert_eq!(
            s.tfdt_offset_ticks(ts(90_000)).unwrap() + 4 * 90_000,
            81_000_000
        );
        let s = t.segment(678_499_229).unwrap();
        assert_eq!(s.vod_number, 2);
        assert_eq!(
            s.tfdt_offset_ticks(ts(90_000)).unwrap() + 2 * 90_000,
            122_129_861_220_000
        );
    }

    /// dashlivesim's message for a media request refused at `now` (docs/live-timing.md#availability).
    fn message(t: &Timing, number: u64, now: i64) -> String {
        let r = t.check_media(number, now).unwrap().refusal().unwrap();
        let name = format!("{number}.m4s");
        crate::live::source::refusal_message(t, &name, Some(number), r, now).unwrap()
    }

    /// docs/live-timing.md#availability, examples: too-early and too-late amounts on testpic_2s.
    #[test]
    fn observed_availability() {
        let t = testpic_2s();
        assert_eq!(
            t.check_media(500, 1_001_900).unwrap(),
            Availability::TooEarly { by_ms: 100 }
        );
        assert_eq!(
            message(&t, 500, 1_001_900),
            "Request for 500.m4s was 0.1s too early"
        );
        assert_eq!(
            t.check_media(500, 1_400_000).unwrap(),
            Availability::TooLate { by_ms: 96_000 }
        );
        let mut s200 = testpic_2s();
        s200.ast_s = 200;
        assert_eq!(
            s200.check_init(100_000).unwrap(),
            Availability::TooEarly { by_ms: 100_000 }
        );
        assert_eq!(
            s200.check_media(0, 150_000).unwrap(),
            Availability::TooEarly { by_ms: 52_000 }
        );
        assert_eq!(
            message(&s200, 0, 150_000),
            "Request 0.m4s before first seg AST. 52.0s too early"
        );
        assert!(matches!(
            s200.check_media(3, 205_000).unwrap(),
            Availability::TooEarly { by_ms: 3_000 }
        ));
    }

    /// docs/live-timing.md#availability: ato rules on testpic (6 s segments), start_60.
    #[test]
    fn upstream_ato_vectors() {
        let mut t = testpic_2s();
        t.looping = LoopSpec {
            segment_duration_s: 6,
            first_segment_in_loop: 0,
            nr_segments_in_loop: 600,
        };
        t.ast_s = 60;
        t.ato = Ato::Millis(30_000);
        let ok = |t: &Timing, now: i64| t.check_media(0, now).unwrap().is_ready();
        assert!(!ok(&t, 28_000) && ok(&t, 38_000) && ok(&t, 48_000));
        t.ato = Ato::Millis(1_500);
        assert!(!ok(&t, 64_300) && ok(&t, 64_600) && ok(&t, 64_900));
        t.ato = Ato::Infinite;
        assert!(!ok(&t, 59_000) && ok(&t, 60_000) && ok(&t, 61_000));
        // "Request 0.m4s before first seg AST. {1.0, 29.5, 25.0}s too early" at now 35.
        for (ato, expect) in [
            (Ato::Millis(30_000), "1.0"),
            (Ato::Millis(1_500), "29.5"),
            (Ato::Infinite, "25.0"),
        ] {
            t.ato = ato;
            assert_eq!(
                message(&t, 0, 35_000),
                format!("Request 0.m4s before first seg AST. {expect}s too early")
            );
        }
    }

    /// docs/live-timing.md#availability: `start_3540/stop_3660/timeoffset_0` on testpic (6 s,
    /// 600 in the loop): 589, 590, 609, 610 at 3600, 3600, 3670, 3670 → refused, ok, ok, refused.
    #[test]
    fn stop_and_timeoffset_vector() {
        let t = Timing {
            ast_s: 3540,
            // timeoffset_0: S = (AST − 0) div d, media time at AST = AST − 0.
            start_number: 3540 / 6,
            media_time_at_ast_s: 3540,
            tsbd_s: 300,
            ato: Ato::Zero,
            init_offset_s: 0,
            stop_s: Some(3660),
            hold_ms: 0,
            looping: LoopSpec {
                segment_duration_s: 6,
                first_segment_in_loop: 1,
                nr_segments_in_loop: 600,
            },
        };
        assert_eq!(t.stop_number(), Some(610));
        assert_eq!(
            t.check_media(589, 3_600_000).unwrap(),
            Availability::NotFound
        );
        assert_eq!(
            message(&t, 589, 3_600_000),
            "Request for segment 589 before first 590"
        );
        assert!(t.check_media(590, 3_600_000).unwrap().is_ready());
        assert!(t.check_media(609, 3_670_000).unwrap().is_ready());
        assert_eq!(
            t.check_media(610, 3_670_000).unwrap(),
            Availability::NotFound
        );
        assert_eq!(message(&t, 610, 3_670_000), "Beyond last segment 610");
        // Media time continues from epoch 0: 590 × 6 s = 3540 s = VoD 591 of a 3600 s loop.
        assert_eq!(t.segment(590).unwrap().vod_number, 591);
    }

    /// Low latency: a request up to one chunk before the segment may be fetched is held (ready),
    /// one earlier is refused by what is left; the first-segment gate holds nothing.
    #[test]
    fn low_latency_hold() {
        let mut t = testpic_2s();
        t.ato = Ato::Millis(1_500);
        t.hold_ms = 500;
        // Segment 500 ends at 1002 s: fetchable from 1000.5 s, held from 1000 s.
        assert!(t.check_media(500, 1_000_000).unwrap().is_ready());
        assert_eq!(
            t.check_media(500, 999_900).unwrap(),
            Availability::TooEarly { by_ms: 100 }
        );
        assert_eq!(
            message(&t, 500, 999_900),
            "Request for 500.m4s was 2.1s too early"
        );
        // The first segment (0-2 s) is fetchable from 0.5 s and not held before.
        assert_eq!(
            t.check_media(0, 400).unwrap(),
            Availability::TooEarly { by_ms: 100 }
        );
        assert!(t.available_numbers(400).unwrap().is_empty());
        assert_eq!(t.available_numbers(1_000_000).unwrap().end(), &500);
    }

    /// issue 15: with `chunkdur_0.5` (ato 1.5 s) the timing built from the options applies the
    /// ato the MPD announces, so at 1000.6 s segment 500 is ready and in the window.
    #[test]
    fn chunkdur_options_give_the_announced_ato() {
        let o = crate::live::options::LiveOptions::parse("chunkdur_0.5").unwrap();
        let t = Timing::from_options(&o, testpic_2s().looping, 300, 1_000_600)
            .unwrap()
            .timing;
        assert_eq!((t.ato, t.hold_ms), (Ato::Millis(1_500), 500));
        assert!(t.check_media(500, 1_000_600).unwrap().is_ready());
        assert_eq!(*t.available_numbers(1_000_600).unwrap().end(), 500);
        // ato_0 is no ato: chunkdur_ still decides it, as the MPD says.
        let o = crate::live::options::LiveOptions::parse("ato_0/chunkdur_0.5").unwrap();
        let t = Timing::from_options(&o, testpic_2s().looping, 300, 0)
            .unwrap()
            .timing;
        assert_eq!(t.ato, Ato::Millis(1_500));
    }

    #[test]
    fn time_addressing() {
        let t = testpic_2s();
        assert_eq!(t.number_for_time(48_000_000, ts(48_000)).unwrap(), 500);
        // Audio segments do not start on whole seconds; rounding finds the number.
        assert_eq!(t.number_for_time(47_904_768, ts(48_000)).unwrap(), 499);
    }

    proptest! {
        /// Every number in the window is available, its neighbours outside are not.
        #[test]
        fn window_matches_checks(now_s in 10i64..10_000_000, tsbd in 4u64..600, ato_ms in 0u64..1900) {
            let mut t = testpic_2s();
            t.tsbd_s = tsbd;
            t.ato = if ato_ms == 0 { Ato::Zero } else { Ato::Millis(ato_ms) };
            let now = now_s * 1000 + 123;
            let w = t.available_numbers(now).unwrap();
            prop_assert!(!w.is_empty());
            for n in [*w.start(), *w.end()] {
                prop_assert!(t.check_media(n, now).unwrap().is_ready());
            }
            let after = matches!(t.check_media(w.end() + 1, now).unwrap(), Availability::TooEarly { .. });
            prop_assert!(after);
            if *w.start() > 0 {
                let before = matches!(t.check_media(w.start() - 1, now).unwrap(), Availability::TooLate { .. });
                prop_assert!(before);
            }
        }

        /// The same with the low-latency hold and a session start: the window is exactly the
        /// set of numbers the check makes ready.
        #[test]
        fn window_is_the_ready_set(now_ms in 0i64..2_000_000, ato_ms in 0u64..1900,
                                   hold_ms in 0u64..1000, ast in 0i64..200, tsbd in 4u64..60) {
            let mut t = testpic_2s();
            t.ast_s = ast * 2;
            t.tsbd_s = tsbd;
            t.ato = if ato_ms == 0 { Ato::Zero } else { Ato::Millis(ato_ms) };
            t.hold_ms = hold_ms;
            let w = t.available_numbers(now_ms).unwrap();
            let lo = w.start().saturating_sub(3);
            let hi = if w.is_empty() { (now_ms / 2000 + 3) as u64 } else { w.end() + 3 };
            for n in lo..=hi {
                let ready = t.check_media(n, now_ms).unwrap().is_ready();
                prop_assert_eq!(ready, w.contains(&n), "number {} at {}", n, now_ms);
            }
        }

        /// Live tfdt offsets grow strictly with the number, across wrap-arounds: the media
        /// time of n + 1 is d after that of n.
        #[test]
        fn media_time_strictly_increasing(n in 0u64..100_000_000) {
            let t = testpic_2s();
            let a = t.segment(n).unwrap();
            let b = t.segment(n + 1).unwrap();
            let start = |s: &LiveSegment| s.offset_s + (s.vod_number - 1) * 2;
            prop_assert_eq!(start(&b), start(&a) + 2);
            prop_assert_eq!(b.available_at_ms - a.available_at_ms, 2000);
            // Windows of consecutive segments neither overlap nor leave gaps in their ends.
            prop_assert_eq!(a.fetch_until_ms.unwrap() + 2000, b.fetch_until_ms.unwrap());
        }

        /// number → time → number is the identity.
        #[test]
        fn number_time_number(n in 0u64..1_000_000_000, ts in 1u32..200_000) {
            let t = testpic_2s();
            let time = (n as u128 * 2 * u128::from(ts)) as u64;
            prop_assert_eq!(t.number_for_time(time, Timescale::new(ts).unwrap()).unwrap(), n);
        }
    }
}
