//! XML Schema value types used by the MPD: `xs:duration` ([`XsDuration`]) and `xs:dateTime`
//! ([`XsDateTime`]), both exact (integers, no floats) and both keeping their original text so
//! an untouched value is written back exactly as it was read.
//!
//! Grammar: XML Schema Part 2 §3.2.6 (duration) and §3.2.7 (dateTime), as referenced by
//! ISO/IEC 23009-1 §5.3.1.3.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, TimeZone, Utc};

use crate::timeline::{Rounding, Timescale};

/// Errors of the xs value types.
///
/// ```
/// use dashkit::mpd::{XsDuration, XsError};
/// assert_eq!(XsDuration::parse("PT2X"), Err(XsError::Syntax { expected: "xs:duration", position: 3 }));
/// assert!(matches!(XsDuration::parse("PT99999999999999999999S"), Err(XsError::Overflow { .. })));
/// // A month has no fixed length.
/// assert_eq!(XsDuration::parse("P1M").unwrap().to_nanos(), Err(XsError::NeedsAnchor));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XsError {
    /// The text does not follow the grammar; `position` is the byte offset of the first
    /// character that does not fit.
    #[error("not a valid {expected} at byte {position}")]
    Syntax {
        /// What was expected (`xs:duration`, `xs:dateTime`).
        expected: &'static str,
        /// Byte offset in the text.
        position: usize,
    },
    /// A number does not fit in 64 bits.
    #[error("number too large in {expected}")]
    Overflow {
        /// What was being parsed or computed.
        expected: &'static str,
    },
    /// More than 9 significant fraction digits of a second (below a nanosecond).
    #[error("fraction of a second more precise than 1 ns ({digits} digits)")]
    TooPrecise {
        /// Number of fraction digits in the text.
        digits: usize,
    },
    /// The duration has years or months, whose length depends on a start date.
    #[error("duration with years or months needs an anchor date to become an exact length")]
    NeedsAnchor,
}

/// The parts of an [`XsDuration`]: each field as written (not normalized), plus the sign.
///
/// ```
/// use dashkit::mpd::{xs::DurationParts, XsDuration};
/// let p = XsDuration::parse("PT0H0M10.500S").unwrap().parts();
/// assert_eq!(p, DurationParts { seconds: 10, nanos: 500_000_000, ..Default::default() });
/// let back = XsDuration::from_parts(DurationParts { minutes: 90, ..Default::default() });
/// assert_eq!(back.to_nanos().unwrap(), 5_400_000_000_000); // 90 minutes, not normalized
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct DurationParts {
    /// A leading `-`.
    pub negative: bool,
    /// `nY`.
    pub years: u64,
    /// `nM` before `T`.
    pub months: u64,
    /// `nD`.
    pub days: u64,
    /// `nH`.
    pub hours: u64,
    /// `nM` after `T`.
    pub minutes: u64,
    /// Whole seconds of `n.fS`.
    pub seconds: u64,
    /// Fraction of `n.fS` in nanoseconds (0..1e9).
    pub nanos: u32,
}

/// An `xs:duration` value (XML Schema Part 2 §3.2.6), exact to the nanosecond, with its
/// original lexical form.
///
/// Equality compares the parts *and* the text, so `PT2S` and `PT0H0M2S` are different
/// values; compare [`XsDuration::to_nanos`] for lengths.
///
/// ```
/// use dashkit::mpd::XsDuration;
/// let d = XsDuration::parse("PT0H0M9.600S").unwrap();
/// assert_eq!(d.to_nanos().unwrap(), 9_600_000_000);
/// assert_eq!(d.to_string(), "PT0H0M9.600S"); // written back unchanged
/// assert_eq!(XsDuration::from_nanos(90_500_000_000).to_string(), "PT1M30.5S");
/// assert!(XsDuration::parse("PT").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XsDuration {
    parts: DurationParts,
    text: String,
}

const NANOS_PER_SEC: i128 = 1_000_000_000;

impl XsDuration {
    /// Parses the strict `xs:duration` grammar:
    /// `-?P(nY)?(nM)?(nD)?(T(nH)?(nM)?(n(.n+)?S)?)?` with at least one component and at
    /// least one after `T`. Week (`P1W`), comma decimals and fractions other than on seconds
    /// are rejected.
    ///
    /// Fractions of a second finer than the model's 1 ns precision (packagers write
    /// `PT10.166666984558105S`) are accepted and rounded to the nearest nanosecond, halves
    /// up (a carry reaches the seconds); the original text is kept and written back unchanged,
    /// only [`XsDuration::to_nanos`] and the parts see the rounded value.
    ///
    /// ```
    /// use dashkit::mpd::{XsDuration, XsError};
    /// let d = XsDuration::parse("P0Y0M0DT0H2M0.00S").unwrap();
    /// assert_eq!(d.to_nanos(), Ok(120_000_000_000));
    /// assert_eq!(XsDuration::parse("-PT5S").unwrap().to_nanos(), Ok(-5_000_000_000));
    /// assert!(XsDuration::parse("P1W").is_err());
    /// let long = XsDuration::parse("PT10.166666984558105S").unwrap();
    /// assert_eq!(long.to_nanos(), Ok(10_166_666_985));
    /// assert_eq!(long.to_string(), "PT10.166666984558105S");
    /// ```
    pub fn parse(text: &str) -> Result<Self, XsError> {
        let parts = parse_duration_parts(text)?;
        Ok(XsDuration {
            parts,
            text: text.to_owned(),
        })
    }

    /// A duration from its parts, with canonical text (`PT2S`, `P1DT2H`, `PT0S`).
    ///
    /// ```
    /// use dashkit::mpd::{xs::DurationParts, XsDuration};
    /// let d = XsDuration::from_parts(DurationParts { days: 1, hours: 2, ..Default::default() });
    /// assert_eq!(d.as_str(), "P1DT2H");
    /// assert_eq!(XsDuration::from_parts(DurationParts::default()).as_str(), "PT0S");
    /// ```
    pub fn from_parts(parts: DurationParts) -> Self {
        let mut d = XsDuration {
            parts,
            text: String::new(),
        };
        d.text = d.canonical_text();
        d
    }

    /// A duration of `nanos` nanoseconds, split into hours, minutes and seconds
    /// (`PT1M30.5S`), with canonical text.
    ///
    /// ```
    /// use dashkit::mpd::XsDuration;
    /// assert_eq!(XsDuration::from_nanos(90_500_000_000).as_str(), "PT1M30.5S");
    /// assert_eq!(XsDuration::from_nanos(-2_000_000_000).as_str(), "-PT2S");
    /// ```
    pub fn from_nanos(nanos: i128) -> Self {
        let negative = nanos < 0;
        let abs = nanos.unsigned_abs();
        let total_secs = abs / 1_000_000_000;
        let frac = (abs % 1_000_000_000) as u32;
        let sat = |v: u128| u64::try_from(v).unwrap_or(u64::MAX);
        XsDuration::from_parts(DurationParts {
            negative,
            hours: sat(total_secs / 3600),
            minutes: sat(total_secs / 60 % 60),
            seconds: sat(total_secs % 60),
            nanos: frac,
            ..DurationParts::default()
        })
    }

    /// The parts as written.
    ///
    /// ```
    /// use dashkit::mpd::XsDuration;
    /// let p = XsDuration::parse("PT90M").unwrap().parts(); // as written, not normalised to hours
    /// assert_eq!((p.hours, p.minutes, p.negative), (0, 90, false));
    /// ```
    pub fn parts(&self) -> DurationParts {
        self.parts
    }

    /// The lexical form (original text, or canonical for a value made in code).
    ///
    /// ```
    /// use dashkit::mpd::XsDuration;
    /// // The text is kept as read, so an untouched MPD is written back unchanged.
    /// assert_eq!(XsDuration::parse("PT0H0M10.000S").unwrap().as_str(), "PT0H0M10.000S");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The canonical text of these parts (zero fields omitted, fraction without trailing
    /// zeros), whatever the original text was.
    ///
    /// ```
    /// use dashkit::mpd::XsDuration;
    /// assert_eq!(XsDuration::parse("PT0H0M10.500S").unwrap().canonical_text(), "PT10.5S");
    /// ```
    pub fn canonical_text(&self) -> String {
        let p = &self.parts;
        let mut s = String::with_capacity(16);
        if p.negative {
            s.push('-');
        }
        s.push('P');
        for (v, c) in [(p.years, 'Y'), (p.months, 'M'), (p.days, 'D')] {
            if v != 0 {
                s.push_str(&v.to_string());
                s.push(c);
            }
        }
        let has_time = p.hours != 0 || p.minutes != 0 || p.seconds != 0 || p.nanos != 0;
        if has_time || s.ends_with('P') {
            s.push('T');
            if p.hours != 0 {
                s.push_str(&p.hours.to_string());
                s.push('H');
            }
            if p.minutes != 0 {
                s.push_str(&p.minutes.to_string());
                s.push('M');
            }
            if p.seconds != 0 || p.nanos != 0 || !has_time {
                s.push_str(&p.seconds.to_string());
                if p.nanos != 0 {
                    let f = format!("{:09}", p.nanos);
                    s.push('.');
                    s.push_str(f.trim_end_matches('0'));
                }
                s.push('S');
            }
        }
        s
    }

    /// The exact length in nanoseconds (negative for a negative duration). Durations with
    /// years or months have no fixed length: [`XsError::NeedsAnchor`].
    ///
    /// ```
    /// use dashkit::mpd::XsDuration;
    /// assert_eq!(XsDuration::parse("PT1M2.5S").unwrap().to_nanos().unwrap(), 62_500_000_000);
    /// assert_eq!(XsDuration::parse("-P1D").unwrap().to_nanos().unwrap(), -86_400_000_000_000);
    /// ```
    pub fn to_nanos(&self) -> Result<i128, XsError> {
        let p = &self.parts;
        if p.years != 0 || p.months != 0 {
            return Err(XsError::NeedsAnchor);
        }
        // u64 fields times at most 86400e9 stay far below i128::MAX; checked anyway.
        let secs = i128::from(p.days)
            .checked_mul(86_400)
            .and_then(|v| v.checked_add(i128::from(p.hours).checked_mul(3600)?))
            .and_then(|v| v.checked_add(i128::from(p.minutes).checked_mul(60)?))
            .and_then(|v| v.checked_add(i128::from(p.seconds)))
            .and_then(|v| v.checked_mul(NANOS_PER_SEC))
            .and_then(|v| v.checked_add(i128::from(p.nanos)))
            .ok_or(XsError::Overflow {
                expected: "xs:duration",
            })?;
        Ok(if p.negative { -secs } else { secs })
    }

    /// The length in ticks of `timescale`, rounded as asked when not a whole number of ticks
    /// (`Floor` and `Ceil` are exact integer math).
    ///
    /// ```
    /// use dashkit::mpd::XsDuration;
    /// use dashkit::timeline::{Rounding, Timescale};
    /// let d = XsDuration::parse("PT1.0001S").unwrap();
    /// let ts = Timescale::new(1000).unwrap();
    /// assert_eq!(d.to_ticks(ts, Rounding::Floor).unwrap(), 1000);
    /// assert_eq!(d.to_ticks(ts, Rounding::Ceil).unwrap(), 1001);
    /// ```
    pub fn to_ticks(&self, timescale: Timescale, rounding: Rounding) -> Result<i64, XsError> {
        let overflow = XsError::Overflow { expected: "ticks" };
        let num = self
            .to_nanos()?
            .checked_mul(i128::from(timescale.get()))
            .ok_or(overflow.clone())?;
        let q = num.div_euclid(NANOS_PER_SEC);
        let r = num.rem_euclid(NANOS_PER_SEC);
        let q = match rounding {
            Rounding::Floor => q,
            Rounding::Ceil => q + i128::from(r > 0),
            Rounding::Nearest => {
                q + i128::from(2 * r > NANOS_PER_SEC || (2 * r == NANOS_PER_SEC && num >= 0))
            }
        };
        i64::try_from(q).map_err(|_| overflow)
    }
}

impl fmt::Display for XsDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for XsDuration {
    type Err = XsError;
    fn from_str(s: &str) -> Result<Self, XsError> {
        XsDuration::parse(s)
    }
}

fn parse_duration_parts(text: &str) -> Result<DurationParts, XsError> {
    const EXP: &str = "xs:duration";
    let b = text.as_bytes();
    let syntax = |position: usize| XsError::Syntax {
        expected: EXP,
        position,
    };
    let mut i = 0;
    let mut p = DurationParts::default();
    if b.first() == Some(&b'-') {
        p.negative = true;
        i += 1;
    }
    if b.get(i) != Some(&b'P') {
        return Err(syntax(i));
    }
    i += 1;
    // Designators in the order they may appear; each at most once.
    let mut in_time = false;
    let mut any = false;
    let mut any_after_t = false;
    let mut next_slot = 0usize; // date: 0=Y 1=M 2=D; time: 3=H 4=M 5=S
    while i < b.len() {
        if b[i] == b'T' {
            if in_time {
                return Err(syntax(i));
            }
            in_time = true;
            next_slot = 3;
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(syntax(i));
        }
        let mut int = parse_u64(&text[start..i]).ok_or(XsError::Overflow { expected: EXP })?;
        let mut nanos = 0u32;
        let mut has_frac = false;
        if b.get(i) == Some(&b'.') {
            has_frac = true;
            i += 1;
            let fs = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == fs {
                return Err(syntax(i));
            }
            let (n, carry) = parse_fraction(&text[fs..i]);
            nanos = n;
            if carry {
                int = int
                    .checked_add(1)
                    .ok_or(XsError::Overflow { expected: EXP })?;
            }
        }
        let Some(&designator) = b.get(i) else {
            return Err(syntax(i));
        };
        let slot = match (in_time, designator) {
            (false, b'Y') => 0,
            (false, b'M') => 1,
            (false, b'D') => 2,
            (true, b'H') => 3,
            (true, b'M') => 4,
            (true, b'S') => 5,
            _ => return Err(syntax(i)),
        };
        if slot < next_slot || (has_frac && slot != 5) {
            return Err(syntax(i));
        }
        match slot {
            0 => p.years = int,
            1 => p.months = int,
            2 => p.days = int,
            3 => p.hours = int,
            4 => p.minutes = int,
            _ => {
                p.seconds = int;
                p.nanos = nanos;
            }
        }
        next_slot = slot + 1;
        any = true;
        any_after_t |= in_time;
        i += 1;
    }
    if !any || (in_time && !any_after_t) {
        return Err(syntax(b.len()));
    }
    Ok(p)
}

/// Parses ASCII digits into a u64 (no sign, no whitespace); `None` on overflow or empty.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s.as_bytes() {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// The fraction digits after `.` as nanoseconds, rounded to the nearest (halves up) when
/// there are more than nine; `true` when the rounding carries into the next second.
fn parse_fraction(digits: &str) -> (u32, bool) {
    let b = digits.as_bytes();
    let mut v: u32 = 0;
    for i in 0..9 {
        let d = b.get(i).map_or(0, |&c| u32::from(c - b'0'));
        v = v * 10 + d;
    }
    if b.get(9).is_some_and(|&c| c >= b'5') {
        v += 1;
    }
    if v == 1_000_000_000 {
        (0, true)
    } else {
        (v, false)
    }
}

/// An `xs:dateTime` value (XML Schema Part 2 §3.2.7) as used by `@availabilityStartTime`,
/// `@publishTime` and friends: RFC 3339 with `Z` or an offset and up to 9 fraction digits,
/// or without a time zone, which is read as UTC (what players do) and remembered. The
/// original text is kept and written back unchanged.
///
/// ```
/// use dashkit::mpd::XsDateTime;
/// let t = XsDateTime::parse("1970-01-01T00:01:00.5+00:00").unwrap();
/// assert_eq!(t.unix_seconds_nanos(), (60, 500_000_000));
/// assert_eq!(t.unix_millis(), 60_500);
/// let local = XsDateTime::parse("2015-08-19T03:33:52").unwrap();
/// assert!(!local.has_zone());
/// assert_eq!(local.to_string(), "2015-08-19T03:33:52");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XsDateTime {
    value: DateTime<FixedOffset>,
    has_zone: bool,
    text: String,
}

impl XsDateTime {
    /// Parses an `xs:dateTime`: RFC 3339 (`Z` or `±hh:mm`, up to 9 fraction digits), or
    /// the same without a time zone, read as UTC.
    ///
    /// ```
    /// use dashkit::mpd::XsDateTime;
    /// let t = XsDateTime::parse("2023-01-01T01:00:00+01:00").unwrap();
    /// assert_eq!(t.unix_seconds_nanos(), (1_672_531_200, 0));
    /// assert!(XsDateTime::parse("2023-01-01 00:00:00Z").is_err()); // space is not xs
    /// ```
    pub fn parse(text: &str) -> Result<Self, XsError> {
        let syntax = XsError::Syntax {
            expected: "xs:dateTime",
            position: 0,
        };
        // chrono also accepts a space or lowercase `t` as separator; xs:dateTime does not.
        if text.as_bytes().get(10) != Some(&b'T') {
            return Err(syntax);
        }
        if let Ok(value) = DateTime::parse_from_rfc3339(text) {
            return Ok(XsDateTime {
                value,
                has_zone: true,
                text: text.to_owned(),
            });
        }
        let naive =
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| syntax)?;
        Ok(XsDateTime {
            value: Utc.from_utc_datetime(&naive).fixed_offset(),
            has_zone: false,
            text: text.to_owned(),
        })
    }

    /// The instant `seconds` + `nanos` after 1970-01-01T00:00:00Z, with canonical text
    /// (`Z`, fraction only when non-zero). `None` when out of chrono's range or
    /// `nanos >= 1e9`.
    ///
    /// ```
    /// use dashkit::mpd::XsDateTime;
    /// assert_eq!(XsDateTime::from_unix(1_000, 0).unwrap().as_str(), "1970-01-01T00:16:40Z");
    /// assert_eq!(XsDateTime::from_unix(0, 250_000_000).unwrap().as_str(), "1970-01-01T00:00:00.250Z");
    /// assert!(XsDateTime::from_unix(0, 1_000_000_000).is_none());
    /// ```
    pub fn from_unix(seconds: i64, nanos: u32) -> Option<Self> {
        if nanos >= 1_000_000_000 {
            return None;
        }
        let utc = DateTime::<Utc>::from_timestamp(seconds, nanos)?;
        Some(XsDateTime {
            value: utc.fixed_offset(),
            has_zone: true,
            text: utc.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        })
    }

    /// The value as a chrono date-time with its offset (UTC when the text had no zone).
    ///
    /// ```
    /// use chrono::Timelike;
    /// let t = dashkit::mpd::XsDateTime::parse("2024-01-01T06:00:01+02:00").unwrap();
    /// assert_eq!(t.as_chrono().hour(), 6);
    /// assert_eq!(t.as_chrono().offset().local_minus_utc(), 7_200);
    /// ```
    pub fn as_chrono(&self) -> DateTime<FixedOffset> {
        self.value
    }

    /// Whether the text carried a time zone (`Z` or an offset).
    ///
    /// ```
    /// use dashkit::mpd::XsDateTime;
    /// assert!(XsDateTime::parse("2024-01-01T00:00:00Z").unwrap().has_zone());
    /// assert!(!XsDateTime::parse("2024-01-01T00:00:00").unwrap().has_zone()); // read as UTC
    /// ```
    pub fn has_zone(&self) -> bool {
        self.has_zone
    }

    /// The lexical form.
    ///
    /// ```
    /// let t = dashkit::mpd::XsDateTime::parse("2024-01-01T06:00:01.250Z").unwrap();
    /// assert_eq!(t.as_str(), "2024-01-01T06:00:01.250Z"); // as written, trailing zero kept
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Seconds since the Unix epoch (floor) and the nanoseconds within that second.
    ///
    /// ```
    /// let t = dashkit::mpd::XsDateTime::parse("1969-12-31T23:59:59.5Z").unwrap();
    /// assert_eq!(t.unix_seconds_nanos(), (-1, 500_000_000)); // the second floors
    /// ```
    pub fn unix_seconds_nanos(&self) -> (i64, u32) {
        (self.value.timestamp(), self.value.timestamp_subsec_nanos())
    }

    /// Milliseconds since the Unix epoch, rounded toward negative infinity.
    ///
    /// ```
    /// let t = dashkit::mpd::XsDateTime::parse("2024-01-01T06:00:01.250Z").unwrap();
    /// assert_eq!(t.unix_millis(), 1_704_088_801_250);
    /// ```
    pub fn unix_millis(&self) -> i64 {
        self.value.timestamp_millis()
    }

    /// Nanoseconds since the Unix epoch, exactly.
    ///
    /// ```
    /// let t = dashkit::mpd::XsDateTime::parse("1970-01-01T00:00:01.000000001Z").unwrap();
    /// assert_eq!(t.unix_nanos(), 1_000_000_001);
    /// ```
    pub fn unix_nanos(&self) -> i128 {
        let (s, n) = self.unix_seconds_nanos();
        i128::from(s) * NANOS_PER_SEC + i128::from(n)
    }
}

impl fmt::Display for XsDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for XsDateTime {
    type Err = XsError;
    fn from_str(s: &str) -> Result<Self, XsError> {
        XsDateTime::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nanos(s: &str) -> i128 {
        XsDuration::parse(s).unwrap().to_nanos().unwrap()
    }

    #[test]
    fn packager_styles() {
        assert_eq!(nanos("PT0H0M30.000S"), 30_000_000_000);
        assert_eq!(nanos("P0Y0M0DT0H2M0.00S"), 120_000_000_000);
        assert_eq!(nanos("PT2S"), 2_000_000_000);
        assert_eq!(nanos("-PT5S"), -5_000_000_000);
        assert_eq!(nanos("PT0.000001S"), 1_000);
        assert_eq!(nanos("PT95725984.571S"), 95_725_984_571_000_000);
        assert_eq!(nanos("PT5000000000S"), 5_000_000_000_000_000_000);
        assert_eq!(nanos("P1DT1H"), (86_400 + 3600) * 1_000_000_000);
        assert_eq!(nanos("PT1.0000000000S"), 1_000_000_000);
        for s in ["PT0H0M30.000S", "P0Y0M0DT0H2M0.00S", "PT95725984.571S"] {
            assert_eq!(XsDuration::parse(s).unwrap().to_string(), s);
        }
    }

    /// Issue 19: more than nine fraction digits are rounded to the nanosecond, not refused.
    #[test]
    fn fractions_finer_than_a_nanosecond_round_to_nearest() {
        let ns = |s: &str| XsDuration::parse(s).unwrap().to_nanos().unwrap();
        assert_eq!(ns("PT10.166666984558105S"), 10_166_666_985);
        assert_eq!(ns("PT0.0000000001S"), 0);
        assert_eq!(ns("PT0.0000000005S"), 1);
        assert_eq!(ns("PT1.99999999999S"), 2_000_000_000);
        assert_eq!(ns("PT1M59.9999999999S"), 120_000_000_000);
        assert_eq!(ns("-PT0.1234567894S"), -123_456_789);
        let d = XsDuration::parse("PT1.99999999999S").unwrap();
        assert_eq!(d.to_string(), "PT1.99999999999S");
    }

    #[test]
    fn rejects_non_xs_forms() {
        for s in [
            "PT", "P", "P1W", "PT1,5S", "PT2.3H", "", "T1S", "P1S", "PT1S2M", "P1M1Y", "1S",
            "PT1.S", "PT.5S", "P-1D", "PT1SX", "--PT1S", "PT1H1H", "P1DT",
        ] {
            assert!(XsDuration::parse(s).is_err(), "{s:?} accepted");
        }
        assert!(matches!(
            XsDuration::parse("PT99999999999999999999S"),
            Err(XsError::Overflow { .. })
        ));
    }

    #[test]
    fn years_and_months_need_an_anchor() {
        let d = XsDuration::parse("P1Y2M").unwrap();
        assert_eq!(d.to_nanos(), Err(XsError::NeedsAnchor));
        assert_eq!(d.parts().years, 1);
        assert_eq!(d.parts().months, 2);
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(XsDuration::from_nanos(2_000_000_000).to_string(), "PT2S");
        assert_eq!(XsDuration::from_nanos(0).to_string(), "PT0S");
        assert_eq!(
            XsDuration::from_nanos(-90_500_000_000).to_string(),
            "-PT1M30.5S"
        );
        assert_eq!(
            XsDuration::from_nanos(3_600_000_000_000).to_string(),
            "PT1H"
        );
        let p = XsDuration::parse("P0Y0M0DT0H2M0.00S").unwrap();
        assert_eq!(p.canonical_text(), "PT2M");
    }

    #[test]
    fn ticks_floor_and_ceil() {
        let d = XsDuration::parse("PT0.5S").unwrap();
        let ts = Timescale::new(3).unwrap();
        assert_eq!(d.to_ticks(ts, Rounding::Floor), Ok(1));
        assert_eq!(d.to_ticks(ts, Rounding::Ceil), Ok(2));
        let n = XsDuration::parse("-PT0.5S").unwrap();
        assert_eq!(n.to_ticks(ts, Rounding::Floor), Ok(-2));
        assert_eq!(n.to_ticks(ts, Rounding::Ceil), Ok(-1));
        let big = XsDuration::parse("PT500000000000000S").unwrap();
        assert!(big
            .to_ticks(Timescale::new(90_000).unwrap(), Rounding::Floor)
            .is_err());
    }

    #[test]
    fn date_times() {
        let z = XsDateTime::parse("2023-01-01T00:00:00Z").unwrap();
        assert_eq!(z.unix_seconds_nanos(), (1_672_531_200, 0));
        let off = XsDateTime::parse("2023-01-01T02:00:00.250+02:00").unwrap();
        assert_eq!(off.unix_seconds_nanos(), (1_672_531_200, 250_000_000));
        assert_eq!(off.to_string(), "2023-01-01T02:00:00.250+02:00");
        let naive = XsDateTime::parse("2023-01-01T00:00:00.123456789").unwrap();
        assert!(!naive.has_zone());
        assert_eq!(naive.unix_nanos(), 1_672_531_200_123_456_789);
        let before = XsDateTime::parse("1969-12-31T23:59:59.5Z").unwrap();
        assert_eq!(before.unix_millis(), -500);
        for bad in [
            "2023-01-01 00:00:00Z",
            "2023-01-01",
            "yesterday",
            "2023-13-01T00:00:00Z",
        ] {
            assert!(XsDateTime::parse(bad).is_err(), "{bad:?} accepted");
        }
        let made = XsDateTime::from_unix(1_672_531_200, 500_000_000).unwrap();
        assert_eq!(made.to_string(), "2023-01-01T00:00:00.500Z");
        assert_eq!(XsDateTime::parse(made.as_str()).unwrap(), made);
    }

    proptest! {
        #[test]
        fn duration_format_parse_round_trip(
            negative: bool,
            years in 0u64..3, months in 0u64..15, days in 0u64..400,
            hours in 0u64..50, minutes in 0u64..100, seconds in 0u64..u64::MAX / 2,
            nanos in 0u32..1_000_000_000,
        ) {
            let d = XsDuration::from_parts(DurationParts {
                negative, years, months, days, hours, minutes, seconds, nanos,
            });
            let back = XsDuration::parse(d.as_str()).unwrap();
            prop_assert_eq!(&back, &d);
        }

        #[test]
        fn duration_from_nanos_is_exact(n in -(1i128 << 100)..(1i128 << 100)) {
            let d = XsDuration::from_nanos(n);
            prop_assert_eq!(XsDuration::parse(d.as_str()).unwrap().to_nanos().unwrap(), n);
        }

        #[test]
        fn datetime_format_parse_round_trip(s in -62_000_000_000i64..200_000_000_000, ns in 0u32..1_000_000_000) {
            let t = XsDateTime::from_unix(s, ns).unwrap();
            let back = XsDateTime::parse(t.as_str()).unwrap();
            prop_assert_eq!(back.unix_seconds_nanos(), (s, ns));
            prop_assert_eq!(back, t);
        }
    }
}
