//! Inheritance across Period > AdaptationSet > Representation, resolved at use (the model
//! keeps each level as written).
//!
//! ISO/IEC 23009-1 §5.3.9.1: segment information (`SegmentBase`, `SegmentList`,
//! `SegmentTemplate`) may sit at Period, AdaptationSet and Representation level; a lower
//! level's attributes and child elements override the higher level's, absent ones are
//! inherited. The merge is attribute by attribute, and child element by child element
//! (e.g. `media` at Representation, `timescale` and `SegmentTimeline` at AdaptationSet).
//! `BaseURL`s chain from MPD to Representation (§5.6.4).
//!
//! The merged views borrow from the model: nothing is copied but a few integers.

use super::model::{
    AdaptationSet, BaseUrl, Mpd, Period, Representation, SegmentBase, SegmentList, SegmentTemplate,
    SegmentTimeline, SegmentUrl, Url,
};
use super::xs::XsDuration;
use super::{Error, Location};
use crate::timeline::Timescale;

/// Innermost level's value of a field.
macro_rules! pick {
    ($levels:expr, $($field:tt)+) => {
        $levels.iter().rev().flatten().find_map(|l| l.$($field)+.as_ref())
    };
}

/// Innermost level's value of a `Copy` field.
macro_rules! pick_copy {
    ($levels:expr, $($field:tt)+) => {
        $levels.iter().rev().flatten().find_map(|l| l.$($field)+)
    };
}

/// The `SegmentTemplate` in effect for one Representation: each attribute and child from
/// the innermost level that has it (§5.3.9.1). Defaults of the schema are not filled into
/// the fields; [`EffectiveTemplate::timescale`] and [`EffectiveTemplate::start_number`]
/// apply them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EffectiveTemplate<'a> {
    /// `@media`.
    pub media: Option<&'a str>,
    /// `@index`.
    pub index: Option<&'a str>,
    /// `@initialization`.
    pub initialization: Option<&'a str>,
    /// `@bitstreamSwitching`.
    pub bitstream_switching: Option<&'a str>,
    /// `@duration` in ticks.
    pub duration: Option<u64>,
    /// `@startNumber`.
    pub start_number: Option<u64>,
    /// `@endNumber`.
    pub end_number: Option<u64>,
    /// `@timescale`.
    pub timescale: Option<u32>,
    /// `@presentationTimeOffset` in ticks.
    pub presentation_time_offset: Option<u64>,
    /// `@eptDelta`.
    pub ept_delta: Option<i64>,
    /// `@pdDelta`.
    pub pd_delta: Option<i64>,
    /// `@presentationDuration`.
    pub presentation_duration: Option<u64>,
    /// `@timeShiftBufferDepth`.
    pub time_shift_buffer_depth: Option<&'a XsDuration>,
    /// `@indexRange`.
    pub index_range: Option<&'a str>,
    /// `@indexRangeExact`.
    pub index_range_exact: Option<bool>,
    /// `@availabilityTimeOffset` (xs:double as text).
    pub availability_time_offset: Option<&'a str>,
    /// `@availabilityTimeComplete`.
    pub availability_time_complete: Option<bool>,
    /// `Initialization` element.
    pub initialization_element: Option<&'a Url>,
    /// `RepresentationIndex` element.
    pub representation_index: Option<&'a Url>,
    /// `SegmentTimeline` element.
    pub segment_timeline: Option<&'a SegmentTimeline>,
    /// `BitstreamSwitching` element.
    pub bitstream_switching_element: Option<&'a Url>,
}

impl EffectiveTemplate<'_> {
    /// `@timescale`, or 1 when absent or 0 (§5.3.9.2 default).
    pub fn timescale(&self) -> Timescale {
        self.timescale
            .and_then(|t| Timescale::new(t).ok())
            .unwrap_or(Timescale::ONE)
    }

    /// `@startNumber`, or 1 when absent (§5.3.9.2.2 default).
    pub fn start_number(&self) -> u64 {
        self.start_number.unwrap_or(1)
    }

    /// `@presentationTimeOffset`, or 0 when absent.
    pub fn presentation_time_offset(&self) -> u64 {
        self.presentation_time_offset.unwrap_or(0)
    }
}

/// The effective `SegmentTemplate` of `rep` in `aset` in `period`, or `None` when no level
/// has one. See [`EffectiveTemplate`].
pub fn effective_template<'a>(
    period: &'a Period,
    aset: &'a AdaptationSet,
    rep: &'a Representation,
) -> Option<EffectiveTemplate<'a>> {
    // Outermost first.
    let l: [Option<&'a SegmentTemplate>; 3] = [
        period.segment_template.as_deref(),
        aset.segment_template.as_deref(),
        rep.segment_template.as_deref(),
    ];
    if l.iter().all(Option::is_none) {
        return None;
    }
    Some(EffectiveTemplate {
        media: pick!(l, media).map(String::as_str),
        index: pick!(l, index).map(String::as_str),
        initialization: pick!(l, initialization).map(String::as_str),
        bitstream_switching: pick!(l, bitstream_switching).map(String::as_str),
        duration: pick_copy!(l, duration),
        start_number: pick_copy!(l, start_number),
        end_number: pick_copy!(l, end_number),
        timescale: pick_copy!(l, timescale),
        presentation_time_offset: pick_copy!(l, presentation_time_offset),
        ept_delta: pick_copy!(l, ept_delta),
        pd_delta: pick_copy!(l, pd_delta),
        presentation_duration: pick_copy!(l, presentation_duration),
        time_shift_buffer_depth: pick!(l, time_shift_buffer_depth),
        index_range: pick!(l, index_range).map(String::as_str),
        index_range_exact: pick_copy!(l, index_range_exact),
        availability_time_offset: pick!(l, availability_time_offset).map(String::as_str),
        availability_time_complete: pick_copy!(l, availability_time_complete),
        initialization_element: pick!(l, initialization_element),
        representation_index: pick!(l, representation_index),
        segment_timeline: pick!(l, segment_timeline),
        bitstream_switching_element: pick!(l, bitstream_switching_element),
    })
}

/// The `SegmentBase` in effect for one Representation (§5.3.9.1, §5.3.9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EffectiveSegmentBase<'a> {
    /// `@timescale`.
    pub timescale: Option<u32>,
    /// `@presentationTimeOffset`.
    pub presentation_time_offset: Option<u64>,
    /// `@eptDelta`.
    pub ept_delta: Option<i64>,
    /// `@pdDelta`.
    pub pd_delta: Option<i64>,
    /// `@presentationDuration`.
    pub presentation_duration: Option<u64>,
    /// `@timeShiftBufferDepth`.
    pub time_shift_buffer_depth: Option<&'a XsDuration>,
    /// `@indexRange`, e.g. `832-1023`.
    pub index_range: Option<&'a str>,
    /// `@indexRangeExact`.
    pub index_range_exact: Option<bool>,
    /// `@availabilityTimeOffset` (text).
    pub availability_time_offset: Option<&'a str>,
    /// `@availabilityTimeComplete`.
    pub availability_time_complete: Option<bool>,
    /// `Initialization`.
    pub initialization: Option<&'a Url>,
    /// `RepresentationIndex`.
    pub representation_index: Option<&'a Url>,
}

/// The effective `SegmentBase` of `rep`, or `None` when no level has one.
pub fn effective_segment_base<'a>(
    period: &'a Period,
    aset: &'a AdaptationSet,
    rep: &'a Representation,
) -> Option<EffectiveSegmentBase<'a>> {
    let l: [Option<&'a SegmentBase>; 3] = [
        period.segment_base.as_deref(),
        aset.segment_base.as_deref(),
        rep.segment_base.as_deref(),
    ];
    if l.iter().all(Option::is_none) {
        return None;
    }
    Some(EffectiveSegmentBase {
        timescale: pick_copy!(l, timescale),
        presentation_time_offset: pick_copy!(l, presentation_time_offset),
        ept_delta: pick_copy!(l, ept_delta),
        pd_delta: pick_copy!(l, pd_delta),
        presentation_duration: pick_copy!(l, presentation_duration),
        time_shift_buffer_depth: pick!(l, time_shift_buffer_depth),
        index_range: pick!(l, index_range).map(String::as_str),
        index_range_exact: pick_copy!(l, index_range_exact),
        availability_time_offset: pick!(l, availability_time_offset).map(String::as_str),
        availability_time_complete: pick_copy!(l, availability_time_complete),
        initialization: pick!(l, initialization),
        representation_index: pick!(l, representation_index),
    })
}

/// The `SegmentList` in effect for one Representation (§5.3.9.1, §5.3.9.3). The
/// `SegmentURL`s come from the innermost level that has any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EffectiveSegmentList<'a> {
    /// `@duration` in ticks.
    pub duration: Option<u64>,
    /// `@startNumber`.
    pub start_number: Option<u64>,
    /// `@endNumber`.
    pub end_number: Option<u64>,
    /// `@timescale`.
    pub timescale: Option<u32>,
    /// `@presentationTimeOffset`.
    pub presentation_time_offset: Option<u64>,
    /// `@indexRange`.
    pub index_range: Option<&'a str>,
    /// `@availabilityTimeOffset` (text).
    pub availability_time_offset: Option<&'a str>,
    /// `@availabilityTimeComplete`.
    pub availability_time_complete: Option<bool>,
    /// `Initialization`.
    pub initialization: Option<&'a Url>,
    /// `RepresentationIndex`.
    pub representation_index: Option<&'a Url>,
    /// `SegmentTimeline`.
    pub segment_timeline: Option<&'a SegmentTimeline>,
    /// `BitstreamSwitching`.
    pub bitstream_switching: Option<&'a Url>,
    /// `SegmentURL`s (empty when no level has any).
    pub segment_urls: &'a [SegmentUrl],
}

/// The effective `SegmentList` of `rep`, or `None` when no level has one.
pub fn effective_segment_list<'a>(
    period: &'a Period,
    aset: &'a AdaptationSet,
    rep: &'a Representation,
) -> Option<EffectiveSegmentList<'a>> {
    let l: [Option<&'a SegmentList>; 3] = [
        period.segment_list.as_deref(),
        aset.segment_list.as_deref(),
        rep.segment_list.as_deref(),
    ];
    if l.iter().all(Option::is_none) {
        return None;
    }
    let segment_urls = l
        .iter()
        .rev()
        .flatten()
        .map(|s| s.segment_urls.as_slice())
        .find(|u| !u.is_empty())
        .unwrap_or(&[]);
    Some(EffectiveSegmentList {
        duration: pick_copy!(l, duration),
        start_number: pick_copy!(l, start_number),
        end_number: pick_copy!(l, end_number),
        timescale: pick_copy!(l, timescale),
        presentation_time_offset: pick_copy!(l, presentation_time_offset),
        index_range: pick!(l, index_range).map(String::as_str),
        availability_time_offset: pick!(l, availability_time_offset).map(String::as_str),
        availability_time_complete: pick_copy!(l, availability_time_complete),
        initialization: pick!(l, initialization),
        representation_index: pick!(l, representation_index),
        segment_timeline: pick!(l, segment_timeline),
        bitstream_switching: pick!(l, bitstream_switching),
        segment_urls,
    })
}

/// Which addressing mode a Representation uses, with its merged parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectiveAddressing<'a> {
    /// `SegmentTemplate` (number or time based, with or without a timeline).
    Template(EffectiveTemplate<'a>),
    /// `SegmentList`.
    List(EffectiveSegmentList<'a>),
    /// `SegmentBase` (one segment indexed by a sidx).
    Base(EffectiveSegmentBase<'a>),
    /// No segment information at any level: the Representation is one media segment at
    /// its BaseURL (§5.3.9.1).
    Single,
}

/// The addressing mode of `rep`: the kind present at the innermost level that has segment
/// information (Template before List before Base when one level has several), merged across
/// levels.
pub fn effective_addressing<'a>(
    period: &'a Period,
    aset: &'a AdaptationSet,
    rep: &'a Representation,
) -> EffectiveAddressing<'a> {
    let kinds = |t: bool, l: bool, b: bool| (t, l, b);
    let lv = [
        kinds(
            rep.segment_template.is_some(),
            rep.segment_list.is_some(),
            rep.segment_base.is_some(),
        ),
        kinds(
            aset.segment_template.is_some(),
            aset.segment_list.is_some(),
            aset.segment_base.is_some(),
        ),
        kinds(
            period.segment_template.is_some(),
            period.segment_list.is_some(),
            period.segment_base.is_some(),
        ),
    ];
    for (t, l, b) in lv {
        if t {
            if let Some(e) = effective_template(period, aset, rep) {
                return EffectiveAddressing::Template(e);
            }
        }
        if l {
            if let Some(e) = effective_segment_list(period, aset, rep) {
                return EffectiveAddressing::List(e);
            }
        }
        if b {
            if let Some(e) = effective_segment_base(period, aset, rep) {
                return EffectiveAddressing::Base(e);
            }
        }
    }
    EffectiveAddressing::Single
}

/// The BaseURL chain of a Representation, outermost first: the first `BaseURL` of the MPD,
/// the Period, the AdaptationSet and the Representation, for each level that has one
/// (§5.6.4). Resolve them in this order, each against the result so far, starting from the
/// MPD's own URL.
pub fn base_urls<'a>(
    mpd: &'a Mpd,
    period: &'a Period,
    aset: &'a AdaptationSet,
    rep: &'a Representation,
) -> Vec<&'a BaseUrl> {
    [
        mpd.base_urls.first(),
        period.base_urls.first(),
        aset.base_urls.first(),
        rep.base_urls.first(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Start and duration of one Period on the presentation timeline, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodTiming {
    /// `PeriodStart` (§5.3.2.1): `@start`, or the previous Period's start plus its
    /// `@duration`, or 0 for the first Period of a static MPD. `None` when none applies (an
    /// early available Period of a dynamic MPD).
    pub start_nanos: Option<i128>,
    /// The Period's length: `@duration`, or the next Period's start minus this start, or for
    /// the last Period `MPD@mediaPresentationDuration` minus this start. `None` when unknown
    /// (e.g. the last Period of a live MPD).
    pub duration_nanos: Option<i128>,
}

/// The start and duration of every Period, in document order (§5.3.2.1).
pub fn period_timings(mpd: &Mpd) -> Result<Vec<PeriodTiming>, Error> {
    let nanos = |d: Option<&XsDuration>, path: String| -> Result<Option<i128>, Error> {
        d.map(|d| {
            d.to_nanos().map_err(|source| Error::Time {
                at: Location {
                    line: 0,
                    column: 0,
                    path,
                },
                source,
            })
        })
        .transpose()
    };
    let mut starts = Vec::with_capacity(mpd.periods.len());
    let mut durations = Vec::with_capacity(mpd.periods.len());
    for (i, p) in mpd.periods.iter().enumerate() {
        let start = nanos(p.start.as_ref(), format!("MPD/Period[{i}]/@start"))?;
        let duration = nanos(p.duration.as_ref(), format!("MPD/Period[{i}]/@duration"))?;
        let start = match start {
            Some(s) => Some(s),
            None if i == 0 => (!mpd.is_dynamic()).then_some(0),
            None => match (
                starts.last().copied().flatten(),
                durations.last().copied().flatten(),
            ) {
                (Some(s), Some(d)) => Some(s + d),
                _ => None,
            },
        };
        starts.push(start);
        durations.push(duration);
    }
    let total = nanos(
        mpd.media_presentation_duration.as_ref(),
        "MPD/@mediaPresentationDuration".to_owned(),
    )?;
    let mut out = Vec::with_capacity(starts.len());
    for i in 0..starts.len() {
        let start = starts[i];
        let end = match starts.get(i + 1) {
            Some(next) => *next,
            None => total,
        };
        let duration = durations[i].or(match (start, end) {
            (Some(s), Some(e)) => Some(e - s),
            _ => None,
        });
        out.push(PeriodTiming {
            start_nanos: start,
            duration_nanos: duration,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpd::parse;

    const MPD: &str = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"
        mediaPresentationDuration="PT60S">
      <BaseURL>http://a/</BaseURL>
      <Period id="p0" duration="PT20S">
        <BaseURL>p0/</BaseURL>
        <SegmentTemplate timescale="1000" duration="2000" media="period-$Number$.m4s"/>
        <AdaptationSet>
          <SegmentTemplate timescale="48000" startNumber="3">
            <SegmentTimeline><S t="0" d="96000" r="-1"/></SegmentTimeline>
          </SegmentTemplate>
          <Representation id="a">
            <SegmentTemplate media="$RepresentationID$/$Time$.m4s"/>
          </Representation>
          <Representation id="b"><BaseURL>b/</BaseURL></Representation>
        </AdaptationSet>
        <AdaptationSet>
          <SegmentList duration="4"><SegmentURL media="s1.m4s"/></SegmentList>
          <Representation id="c"><SegmentList timescale="2"/></Representation>
        </AdaptationSet>
      </Period>
      <Period start="PT30S"/>
      <Period/>
    </MPD>"#;

    #[test]
    fn template_attributes_merge_level_by_level() {
        let mpd = parse(MPD).unwrap();
        let p = &mpd.periods[0];
        let a = &p.adaptation_sets[0];
        let t = effective_template(p, a, &a.representations[0]).unwrap();
        assert_eq!(t.media, Some("$RepresentationID$/$Time$.m4s"));
        assert_eq!(t.timescale, Some(48000));
        assert_eq!(t.duration, Some(2000)); // from the Period
        assert_eq!(t.start_number(), 3);
        assert_eq!(t.segment_timeline.map(|s| s.s.len()), Some(1));
        let tb = effective_template(p, a, &a.representations[1]).unwrap();
        assert_eq!(tb.media, Some("period-$Number$.m4s"));
        assert!(matches!(
            effective_addressing(p, a, &a.representations[1]),
            EffectiveAddressing::Template(_)
        ));
    }

    #[test]
    fn segment_list_merges_and_keeps_urls() {
        let mpd = parse(MPD).unwrap();
        let p = &mpd.periods[0];
        let a = &p.adaptation_sets[1];
        match effective_addressing(p, a, &a.representations[0]) {
            EffectiveAddressing::List(l) => {
                assert_eq!(l.timescale, Some(2));
                assert_eq!(l.duration, Some(4));
                assert_eq!(l.segment_urls.len(), 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn base_url_chain_is_outermost_first() {
        let mpd = parse(MPD).unwrap();
        let p = &mpd.periods[0];
        let a = &p.adaptation_sets[0];
        let urls: Vec<&str> = base_urls(&mpd, p, a, &a.representations[1])
            .iter()
            .map(|b| b.url.as_str())
            .collect();
        assert_eq!(urls, ["http://a/", "p0/", "b/"]);
    }

    #[test]
    fn period_starts_and_durations() {
        let mpd = parse(MPD).unwrap();
        let t = period_timings(&mpd).unwrap();
        let s = 1_000_000_000i128;
        assert_eq!(
            t[0],
            PeriodTiming {
                start_nanos: Some(0),
                duration_nanos: Some(20 * s)
            }
        );
        assert_eq!(
            t[1],
            PeriodTiming {
                start_nanos: Some(30 * s),
                duration_nanos: None
            }
        );
        // Period 1 has no @duration, so Period 2's start is unknown.
        assert_eq!(
            t[2],
            PeriodTiming {
                start_nanos: None,
                duration_nanos: None
            }
        );
    }

    #[test]
    fn period_duration_in_months_is_an_error_with_a_path() {
        let mpd = parse(r#"<MPD><Period duration="P1M"/></MPD>"#).unwrap();
        let e = period_timings(&mpd).unwrap_err();
        assert_eq!(e.location().path, "MPD/Period[0]/@duration");
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn effective_template_example() {
        use crate::mpd::{effective_template, parse};
        let mpd = parse(
            r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><Period>
          <AdaptationSet>
            <SegmentTemplate timescale="90000" startNumber="5">
              <SegmentTimeline><S t="0" d="180000" r="2"/></SegmentTimeline>
            </SegmentTemplate>
            <Representation id="v1" bandwidth="1000">
              <SegmentTemplate media="v1/$Time$.m4s" initialization="v1/init.mp4"/>
            </Representation>
          </AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let p = &mpd.periods[0];
        let a = &p.adaptation_sets[0];
        let t = effective_template(p, a, &a.representations[0]).unwrap();
        assert_eq!(t.media, Some("v1/$Time$.m4s"));
        assert_eq!(t.timescale().get(), 90_000);
        assert_eq!(t.start_number(), 5);
        assert_eq!(t.segment_timeline.unwrap().s[0].r, Some(2));
    }

    #[test]
    fn effective_template_fn_example() {
        use crate::mpd::{effective_template, parse};
        let mpd = parse(
            r#"<MPD><Period><SegmentTemplate timescale="1000" duration="2000"/>
          <AdaptationSet><Representation id="a">
            <SegmentTemplate media="a/$Number%05d$.m4s" startNumber="0"/>
          </Representation></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let (p, a) = (&mpd.periods[0], &mpd.periods[0].adaptation_sets[0]);
        let t = effective_template(p, a, &a.representations[0]).unwrap();
        assert_eq!(
            (t.media, t.duration, t.start_number()),
            (Some("a/$Number%05d$.m4s"), Some(2000), 0)
        );
        assert_eq!(t.timescale().get(), 1000);
    }

    #[test]
    fn effective_addressing_example() {
        use crate::mpd::inherit::{effective_addressing, EffectiveAddressing};
        use crate::mpd::parse;
        let mpd = parse(
            r#"<MPD><Period><AdaptationSet><Representation id="a">
          <BaseURL>a.mp4</BaseURL><SegmentBase indexRange="800-999"/>
          </Representation></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let (p, a) = (&mpd.periods[0], &mpd.periods[0].adaptation_sets[0]);
        match effective_addressing(p, a, &a.representations[0]) {
            EffectiveAddressing::Base(b) => assert_eq!(b.index_range, Some("800-999")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn base_urls_example() {
        use crate::mpd::{inherit::base_urls, parse};
        let mpd = parse(
            r#"<MPD><BaseURL>http://cdn/</BaseURL><Period><AdaptationSet>
          <BaseURL>video/</BaseURL><Representation id="v"/></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let (p, a) = (&mpd.periods[0], &mpd.periods[0].adaptation_sets[0]);
        let chain: Vec<&str> = base_urls(&mpd, p, a, &a.representations[0])
            .iter()
            .map(|b| b.url.as_str())
            .collect();
        assert_eq!(chain, ["http://cdn/", "video/"]);
    }

    #[test]
    fn period_timings_example() {
        use crate::mpd::{inherit::period_timings, parse};
        let mpd = parse(
            r#"<MPD mediaPresentationDuration="PT25S">
          <Period duration="PT10S"/><Period/></MPD>"#,
        )
        .unwrap();
        let t = period_timings(&mpd).unwrap();
        assert_eq!(t[1].start_nanos, Some(10_000_000_000));
        assert_eq!(t[1].duration_nanos, Some(15_000_000_000));
    }
}
