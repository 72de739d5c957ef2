//! The cues of one generated subtitle segment (docs/live-options.md#generated-subtitles): one
//! cue per wall-clock second (or per `ceil(dur / 1 s)` seconds when `timesubsdur_` exceeds a
//! second), starting on that second, lasting `timesubsdur_` milliseconds (900 by default),
//! clipped to the segment, its text the UTC time of its second, the language and the segment
//! number. All times are integer milliseconds (the subtitle track's timescale is 1000).

use crate::mpd::XsDateTime;

use super::super::Error;

/// One cue: media times in ms (the subtitle track's timeline) and the wall-clock second it
/// shows.
///
/// ```
/// use dashkit::live::timesubs::cues::cues;
/// // A 2 s segment at media time 0 whose start is wall-clock 1000.5 s: the cue of second
/// // 1000 is clipped to the segment, then come those of 1001 and 1002.
/// let c = cues(0, 2_000, 1_000_500, 900).unwrap();
/// let first = c[0];
/// assert_eq!((first.start_ms, first.end_ms, first.utc_s), (0, 400, 1000));
/// assert_eq!(c.iter().map(|c| c.utc_s).collect::<Vec<_>>(), [1000, 1001, 1002]);
/// assert!(c.iter().all(|c| c.end_ms > c.start_ms));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    /// Media start (ms).
    pub start_ms: u64,
    /// Media end (ms), after `start_ms`.
    pub end_ms: u64,
    /// The UTC second it shows (epoch seconds).
    pub utc_s: i64,
}

/// The cues of a segment starting at media time `seg_start_ms` lasting `seg_dur_ms`, whose start
/// is the wall-clock instant `utc_start_ms`, with cues of `cue_dur_ms` (> 0).
///
/// livesim2 computes the same intervals, except that for a cue longer than a second it starts
/// counting at `utc_start / (cue seconds · 1000)` seconds instead of the cue period containing
/// `utc_start`, which puts every cue before the segment; here the first cue is the one whose
/// period holds the segment start.
///
/// ```
/// use dashkit::live::timesubs::cues::{cues, Cue};
/// // A 2 s segment at media time 10 s, wall clock 1000 s, 900 ms cues.
/// assert_eq!(cues(10_000, 2_000, 1_000_000, 900).unwrap(), [
///     Cue { start_ms: 10_000, end_ms: 10_900, utc_s: 1000 },
///     Cue { start_ms: 11_000, end_ms: 11_900, utc_s: 1001 },
/// ]);
/// ```
pub fn cues(
    seg_start_ms: u64,
    seg_dur_ms: u64,
    utc_start_ms: i64,
    cue_dur_ms: u64,
) -> Result<Vec<Cue>, Error> {
    if cue_dur_ms == 0 {
        return Err(Error::OptionConflict {
            message: "timesubsdur_ must be > 0".into(),
        });
    }
    let period_s = i64::try_from(cue_dur_ms.div_ceil(1000)).map_err(|_| Error::Overflow)?;
    let period_ms = period_s * 1000;
    let dur = i64::try_from(seg_dur_ms).map_err(|_| Error::Overflow)?;
    let utc_end_ms = utc_start_ms.checked_add(dur).ok_or(Error::Overflow)?;
    let start = i64::try_from(seg_start_ms).map_err(|_| Error::Overflow)?;
    // media = utc + shift
    let shift = start.checked_sub(utc_start_ms).ok_or(Error::Overflow)?;
    let cue_dur = i64::try_from(cue_dur_ms).map_err(|_| Error::Overflow)?;
    let mut out = Vec::new();
    let mut utc_s = utc_start_ms.div_euclid(period_ms) * period_s;
    // At most seg_dur / 1 s + 1 cues; the segment duration is bounded by the loop.
    loop {
        let cue_start = utc_s.checked_mul(1000).ok_or(Error::Overflow)?;
        if cue_start >= utc_end_ms {
            break;
        }
        let from = cue_start.max(utc_start_ms);
        let to = (cue_start + cue_dur).min(utc_end_ms);
        if to > from {
            out.push(Cue {
                start_ms: u64::try_from(from + shift).map_err(|_| Error::Overflow)?,
                end_ms: u64::try_from(to + shift).map_err(|_| Error::Overflow)?,
                utc_s,
            });
        }
        utc_s = utc_s.checked_add(period_s).ok_or(Error::Overflow)?;
    }
    Ok(out)
}

/// The UTC time of `utc_s` as livesim2 writes it (RFC 3339, `2015-07-10T11:00:00Z`).
///
/// ```
/// use dashkit::live::timesubs::cues::utc_text;
/// assert_eq!(utc_text(1_436_526_000).unwrap(), "2015-07-10T11:00:00Z");
/// assert_eq!(utc_text(0).unwrap(), "1970-01-01T00:00:00Z");
/// ```
pub fn utc_text(utc_s: i64) -> Result<String, Error> {
    Ok(XsDateTime::from_unix(utc_s, 0)
        .ok_or(Error::Overflow)?
        .to_string())
}

/// A TTML clock time `hh:mm:ss.mmm` (hours not wrapped at 24, as livesim2).
///
/// ```
/// assert_eq!(dashkit::live::timesubs::cues::ttml_time(3_723_004), "01:02:03.004");
/// ```
pub fn ttml_time(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// The TTML document of an `stpp` segment: livesim2's document (EBU-TT-D styling, regions
/// `r0` at the bottom and `r1` at the top, `timesubsreg_` choosing), one `p` per cue with the
/// text `<UTC><br/><lang> # <number>`.
///
/// ```
/// use dashkit::live::timesubs::cues::{ttml_document, Cue};
/// let cue = Cue { start_ms: 10_000, end_ms: 10_900, utc_s: 1000 };
/// let doc = ttml_document("sv", 1, 5, &[cue]).unwrap();
/// assert!(doc.contains(r#"xml:lang="sv""#));
/// assert!(doc.contains(r#"<div region="r1">"#)); // region 1: the top of the picture
/// assert!(doc.contains(r#"<p xml:id="5-0" begin="00:00:10.000" end="00:00:10.900">"#));
/// assert!(doc.contains("1970-01-01T00:16:40Z<br/>sv # 5"));
/// ```
pub fn ttml_document(lang: &str, region: u8, number: u64, cues: &[Cue]) -> Result<String, Error> {
    let mut body = String::new();
    for (i, c) in cues.iter().enumerate() {
        body.push_str(&format!(
            "\n<p xml:id=\"{number}-{i}\" begin=\"{}\" end=\"{}\"><span style=\"s1\">{}<br/>{lang} # {number}</span></p>",
            ttml_time(c.start_ms),
            ttml_time(c.end_ms),
            utc_text(c.utc_s)?
        ));
    }
    Ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xmlns="http://www.w3.org/ns/ttml"
    xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"
    xmlns:ebuttm="urn:ebu:tt:metadata" xmlns:ebutts="urn:ebu:tt:style"
    xml:lang="{lang}" xml:space="default"
    ttp:timeBase="media"
    ttp:cellResolution="32 15">
  <head>
    <metadata>
      <ttm:title>DASH-IF Live Simulator 2</ttm:title>
      <ebuttm:documentMetadata>
        <ebuttm:conformsToStandard>urn:ebu:distribution:2014-01</ebuttm:conformsToStandard>
        <ebuttm:authoredFrameRate>30</ebuttm:authoredFrameRate>
      </ebuttm:documentMetadata>
    </metadata>
    <styling>
      <style xml:id="s0" tts:fontStyle="normal" tts:fontFamily="sansSerif" tts:fontSize="100%" tts:lineHeight="normal"
      tts:color="white" tts:wrapOption="noWrap" tts:textAlign="center" ebutts:linePadding="0.5c"/>
      <style xml:id="s1" tts:color="yellow" tts:backgroundColor="black"/>
      <style xml:id="s2" tts:color="green" tts:backgroundColor="black"/>
    </styling>
    <layout>
      <region xml:id="r0" tts:origin="15% 80%" tts:extent="70% 20%" tts:overflow="visible"/>
      <region xml:id="r1" tts:origin="15% 20%" tts:extent="70% 20%" tts:overflow="visible"/>
    </layout>
  </head>
  <body style="s0">
<div region="r{region}">{body}
</div>
  </body>
</tt>
"#
    ))
}

/// The text of a WebVTT cue: `<UTC>\n<lang> # <number>`.
///
/// ```
/// use dashkit::live::timesubs::cues::vtt_text;
/// assert_eq!(vtt_text("en", 500, 1000).unwrap(), "1970-01-01T00:16:40Z\nen # 500");
/// ```
pub fn vtt_text(lang: &str, number: u64, utc_s: i64) -> Result<String, Error> {
    Ok(format!("{}\n{lang} # {number}", utc_text(utc_s)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn long_cues_start_in_the_segment() {
        // 1.5 s cues: one every 2 s, on even seconds.
        let c = cues(0, 6_000, 1_000_000, 1_500).unwrap();
        assert_eq!(
            c.iter()
                .map(|c| (c.start_ms, c.end_ms, c.utc_s))
                .collect::<Vec<_>>(),
            [(0, 1_500, 1000), (2_000, 3_500, 1002), (4_000, 5_500, 1004)]
        );
        // A segment starting mid-period: the running cue, clipped.
        let c = cues(1_000, 2_000, 1_001_000, 1_500).unwrap();
        assert_eq!(
            c.iter()
                .map(|c| (c.start_ms, c.end_ms, c.utc_s))
                .collect::<Vec<_>>(),
            [(1_000, 1_500, 1000), (2_000, 3_000, 1002)]
        );
        assert!(cues(0, 1, 0, 0).is_err());
    }

    proptest! {
        /// Cues lie in the segment, in order, without overlap; with 1000 ms cues they tile it;
        /// each starts on its wall-clock second (or at the segment start) and shows it.
        #[test]
        fn cues_follow_the_wall_clock(start_s in 0u64..10_000_000, d_s in 1u64..30,
                                      utc_s in 0i64..4_000_000_000, dur in 1u64..5_000) {
            let (seg_start, seg_dur, utc) = (start_s * 1000, d_s * 1000, utc_s * 1000);
            let c = cues(seg_start, seg_dur, utc, dur).unwrap();
            prop_assert!(!c.is_empty());
            let mut at = seg_start;
            for x in &c {
                prop_assert!(x.start_ms >= at && x.end_ms > x.start_ms);
                prop_assert!(x.end_ms <= seg_start + seg_dur);
                let wall = x.start_ms as i64 - seg_start as i64 + utc;
                prop_assert!(wall == x.utc_s * 1000 || (x.start_ms == seg_start && wall > x.utc_s * 1000));
                prop_assert!(wall - x.utc_s * 1000 < dur as i64);
                at = x.end_ms;
            }
            if dur == 1000 {
                let covered: u64 = c.iter().map(|x| x.end_ms - x.start_ms).sum();
                prop_assert_eq!(covered, seg_dur);
            }
        }
    }
}
