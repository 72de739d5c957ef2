//! [`Decimal`]: an exact non-negative rational number of seconds (or frames per second), the
//! value type behind `EXTINF`, `EXT-X-PART:DURATION`, `PART-TARGET`, `HOLD-BACK` and
//! `FRAME-RATE` (RFC 8216 §4.2 `decimal-floating-point`).
//!
//! Media durations enter as integer ticks of a timescale and stay so; text is written from
//! integers (no float formatting), and text is read into a fixed-point value with up to
//! 9 (`MAX_FRACTION_DIGITS`) fractional digits.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};

/// Most fractional digits written, and kept exactly when read (nanoseconds). A value whose
/// decimal expansion is longer (1/3 s, 1024/48000 s) is written rounded half up at this digit.
pub(crate) const MAX_FRACTION_DIGITS: u32 = 9;

/// An exact non-negative rational `ticks / timescale`. Equality and order compare values, so
/// `2000/1000 == 2/1`.
///
/// ```
/// use dashkit::hls::Decimal;
/// let d = Decimal::from_ticks(96_256, 48_000).unwrap();
/// assert_eq!(d.to_string(), "2.005333333"); // rounded at the 9th digit
/// assert_eq!(Decimal::from_ticks(25_874, 12_800).unwrap().to_string(), "2.02140625"); // exact
/// assert_eq!(Decimal::from_ticks(2, 1).unwrap().to_string(), "2.000");
/// assert_eq!(Decimal::parse("2.000").unwrap(), Decimal::from_ticks(2, 1).unwrap());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    ticks: u64,
    timescale: u32,
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = u128::from(self.ticks) * u128::from(other.timescale);
        let b = u128::from(other.ticks) * u128::from(self.timescale);
        a.cmp(&b)
    }
}

impl Decimal {
    /// Zero seconds.
    pub const ZERO: Decimal = Decimal {
        ticks: 0,
        timescale: 1,
    };

    /// `ticks / timescale`; `None` when `timescale` is 0.
    pub fn from_ticks(ticks: u64, timescale: u32) -> Option<Decimal> {
        (timescale > 0).then_some(Decimal { ticks, timescale })
    }

    /// A whole number.
    pub fn from_int(value: u64) -> Decimal {
        Decimal {
            ticks: value,
            timescale: 1,
        }
    }

    /// The numerator.
    pub fn ticks(self) -> u64 {
        self.ticks
    }

    /// The denominator (never 0).
    pub fn timescale(self) -> u32 {
        self.timescale
    }

    /// The value rounded half up to `digits` fractional digits, as a numerator over
    /// `10^digits` (`digits` at most 9). `None` if it does not fit 64 bits.
    fn rounded_to(self, digits: u32) -> Option<u64> {
        let digits = digits.min(MAX_FRACTION_DIGITS);
        // 64-bit fast path (any duration below ~9 s of ticks at 1 Hz, or ~2.5 h at 1 MHz...):
        // the same formula, without 128-bit division.
        let den64 = u64::from(self.timescale);
        if let Some(x) = 10u64
            .pow(digits)
            .checked_mul(2)
            .and_then(|p| self.ticks.checked_mul(p))
            .and_then(|x| x.checked_add(den64))
        {
            return Some(x / (2 * den64));
        }
        let pow = 10u128.pow(digits);
        let den = u128::from(self.timescale);
        let n = (u128::from(self.ticks) * pow * 2 + den) / (2 * den);
        u64::try_from(n).ok()
    }

    /// The fractional digits the writer uses and the value rounded to them: 9, or fewer for
    /// values so large (above 2^64 / 10^9, about 584 years) that 9 would not fit 64 bits; the
    /// parser keeps as many digits as fit the same way, so written text reads back exactly.
    fn written_digits(self) -> (u64, u32) {
        let mut digits = MAX_FRACTION_DIGITS;
        loop {
            if let Some(n) = self.rounded_to(digits) {
                return (n, digits);
            }
            if digits == 0 {
                // Unreachable: rounding ticks/timescale to an integer never exceeds ticks.
                return (self.ticks / u64::from(self.timescale), 0);
            }
            digits -= 1;
        }
    }

    /// The value as written (its `Display`, `to_string`): exact when its decimal expansion ends
    /// within 9 digits, else rounded half up at the 9th.
    ///
    /// ```
    /// use dashkit::hls::Decimal;
    /// let third = Decimal::from_ticks(1, 3).unwrap();
    /// assert_eq!(third.as_written(), Decimal::parse("0.333333333").unwrap());
    /// ```
    pub fn as_written(self) -> Decimal {
        let (n, digits) = self.written_digits();
        Decimal {
            ticks: n,
            timescale: 10u32.pow(digits),
        }
    }

    /// The value rounded half up to `digits` fractional digits (at most 9): what RFC 8216
    /// §4.3.4.2 asks of `FRAME-RATE` with 3.
    ///
    /// ```
    /// use dashkit::hls::Decimal;
    /// let ntsc = Decimal::from_ticks(30_000, 1_001).unwrap();
    /// assert_eq!(ntsc.round_to_digits(3).to_string(), "29.970");
    /// ```
    pub fn round_to_digits(self, digits: u32) -> Decimal {
        let digits = digits.min(MAX_FRACTION_DIGITS);
        match self.rounded_to(digits) {
            Some(n) => Decimal {
                ticks: n,
                timescale: 10u32.pow(digits),
            },
            None => self,
        }
    }

    /// The written value rounded to the nearest whole number, halves up: what RFC 8216
    /// §4.3.3.1 compares with `EXT-X-TARGETDURATION`.
    ///
    /// ```
    /// use dashkit::hls::Decimal;
    /// assert_eq!(Decimal::parse("2.499").unwrap().round_to_integer(), 2);
    /// assert_eq!(Decimal::parse("2.5").unwrap().round_to_integer(), 3);
    /// // 2.4999999995 is written as 2.500, which a client rounds to 3.
    /// assert_eq!(Decimal::from_ticks(4_999_999_999, 2_000_000_000).unwrap().round_to_integer(), 3);
    /// ```
    pub fn round_to_integer(self) -> u64 {
        let w = self.as_written();
        let den = u128::from(w.timescale);
        let n = (u128::from(w.ticks) * 2 + den) / (2 * den);
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// The smallest whole number not below the value.
    pub fn ceil(self) -> u64 {
        self.ticks.div_ceil(u64::from(self.timescale))
    }

    /// The value in ticks of `timescale`, rounded to the nearest tick (halves up); `None` on
    /// overflow or a zero timescale.
    ///
    /// ```
    /// use dashkit::hls::Decimal;
    /// assert_eq!(Decimal::parse("2.005333333").unwrap().to_ticks(48_000), Some(96_256));
    /// ```
    pub fn to_ticks(self, timescale: u32) -> Option<u64> {
        if timescale == 0 {
            return None;
        }
        let den = u128::from(self.timescale);
        let n = (u128::from(self.ticks) * u128::from(timescale) * 2 + den) / (2 * den);
        u64::try_from(n).ok()
    }

    /// Sum of two values, exact; `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        if self.timescale == other.timescale {
            return Some(Decimal {
                ticks: self.ticks.checked_add(other.ticks)?,
                timescale: self.timescale,
            });
        }
        let ts = u64::from(self.timescale).checked_mul(u64::from(other.timescale))?;
        let ts = u32::try_from(ts).ok()?;
        let a = self.ticks.checked_mul(u64::from(other.timescale))?;
        let b = other.ticks.checked_mul(u64::from(self.timescale))?;
        Some(Decimal {
            ticks: a.checked_add(b)?,
            timescale: ts,
        })
    }

    /// Parses RFC 8216 `decimal-floating-point` (`[0-9]+` with an optional `.[0-9]+`; no sign,
    /// no exponent). Up to 9 fractional digits are kept exactly; further digits round the 9th
    /// half up. `None` when the text is not such a number or does not fit.
    ///
    /// ```
    /// use dashkit::hls::Decimal;
    /// assert_eq!(Decimal::parse("10.0053333333333334").unwrap().to_string(), "10.005333333");
    /// assert!(Decimal::parse("-1").is_none() && Decimal::parse("1e3").is_none());
    /// assert!(Decimal::parse(".5").is_none() && Decimal::parse("5.").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<Decimal> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return None;
        }
        let int: u64 = int.parse().ok()?;
        let frac = frac.unwrap_or("");
        // As many digits as fit 64 bits (all of them, up to 9, below ~584 years).
        let mut kept = frac.len().min(MAX_FRACTION_DIGITS as usize);
        loop {
            let (head, tail) = frac.split_at(kept);
            let pow = 10u64.pow(kept as u32);
            let mut f: u64 = if head.is_empty() {
                0
            } else {
                head.parse().ok()?
            };
            if tail.as_bytes().first().is_some_and(|&c| c >= b'5') {
                f += 1; // may carry into the integer part: handled by the sum below
            }
            if let Some(ticks) = int.checked_mul(pow).and_then(|t| t.checked_add(f)) {
                return Some(Decimal {
                    ticks,
                    timescale: u32::try_from(pow).ok()?,
                });
            }
            if kept == 0 {
                return None;
            }
            kept -= 1;
        }
    }

    /// Writes the value with exactly `digits` fractional digits (rounded half up; at most 9).
    /// `FRAME-RATE` uses 3.
    ///
    /// ```
    /// use dashkit::hls::Decimal;
    /// let ntsc = Decimal::from_ticks(30_000, 1_001).unwrap();
    /// let mut s = String::new();
    /// ntsc.write_fixed(&mut s, 3);
    /// assert_eq!(s, "29.970");
    /// ```
    pub fn write_fixed(self, out: &mut String, digits: u32) {
        let digits = digits.min(MAX_FRACTION_DIGITS);
        let pow = 10u64.pow(digits);
        match self.rounded_to(digits) {
            Some(n) => {
                let _ = write!(out, "{}", n / pow);
                if digits > 0 {
                    let _ = write!(out, ".{:0width$}", n % pow, width = digits as usize);
                }
            }
            // Beyond 64 bits of 10^-digits: only the integer part, which always fits.
            None => {
                let _ = write!(out, "{}", self.ticks / u64::from(self.timescale));
            }
        }
    }
}

impl Decimal {
    /// Appends the [`Display`](fmt::Display) text to `out` without an intermediate string:
    /// the value rounded half up at the 9th fractional digit, trailing zeros dropped down to
    /// 3 digits (so exact whenever the expansion ends within 9 digits).
    pub(crate) fn write_to(self, out: &mut String) {
        let (mut n, mut digits) = self.written_digits();
        while digits > 3 && n % 10 == 0 {
            n /= 10;
            digits -= 1;
        }
        let pow = 10u64.pow(digits);
        push_u64(out, n / pow);
        if digits > 0 {
            out.push('.');
            push_padded(out, n % pow, digits as usize);
        }
    }
}

/// Appends the decimal digits of `v` (no formatting machinery: the writer's hot path).
pub(crate) fn push_u64(out: &mut String, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// Appends `v` zero-padded to `width` digits (`width` at most 20; `v` below `10^width`).
fn push_padded(out: &mut String, v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let width = width.min(buf.len());
    let mut v = v;
    for k in (0..width).rev() {
        buf[k] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.push_str(std::str::from_utf8(&buf[..width]).unwrap_or_default());
}

impl fmt::Display for Decimal {
    /// Decimal text: at least 3 fractional digits, exact up to 9, else rounded at the 9th.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(t: u64, ts: u32) -> Decimal {
        Decimal::from_ticks(t, ts).unwrap_or(Decimal::ZERO)
    }

    #[test]
    fn exact_text_from_ticks() {
        assert_eq!(d(25_874, 12_800).to_string(), "2.02140625");
        assert_eq!(d(25_600, 12_800).to_string(), "2.000");
        assert_eq!(d(93_600, 48_000).to_string(), "1.950");
        assert_eq!(d(96_256, 48_000).to_string(), "2.005333333");
        assert_eq!(d(1, 512).to_string(), "0.001953125");
        assert_eq!(d(2, 3).to_string(), "0.666666667");
        assert_eq!(d(1_001, 30_000).to_string(), "0.033366667");
        assert_eq!(d(0, 1).to_string(), "0.000");
        assert_eq!(
            d(u64::MAX, 1).to_string(),
            format!("{}", u64::MAX),
            "too large for any fraction digit: integer part only"
        );
        // Too large for 9 digits: as many as fit, and the text reads back exactly.
        let big = d(6_203_733_332_037_333_333, 100);
        assert_eq!(big.to_string(), "62037333320373333.33");
        assert_eq!(Decimal::parse(&big.to_string()), Some(big));
        assert_eq!(big.as_written(), big);
    }

    #[test]
    fn parse_keeps_nine_digits_and_rounds_the_rest() {
        assert_eq!(Decimal::parse("2.02140625"), Some(d(25_874, 12_800)));
        assert_eq!(Decimal::parse("0.9999999995"), Some(d(1, 1)));
        assert_eq!(Decimal::parse("7"), Some(d(7, 1)));
        for bad in ["", ".", "1.", ".1", "+1", "1,5", "1e3", " 1", "1.2.3", "٣"] {
            assert_eq!(Decimal::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Decimal::parse("99999999999999999999"), None);
        assert_eq!(
            Decimal::parse("18446744073709551615.25"),
            Some(d(u64::MAX, 1)),
            "no room for a fraction digit: rounded to the integer"
        );
        assert_eq!(
            Decimal::parse("18446744073709551615.5"),
            None,
            "rounds past 64 bits"
        );
    }

    #[test]
    fn round_to_integer_uses_the_written_value() {
        assert_eq!(d(5, 2).round_to_integer(), 3);
        assert_eq!(d(249_999, 100_000).round_to_integer(), 2);
        assert_eq!(d(6_006, 1_000).round_to_integer(), 6);
        // 2.4999999996 writes as 2.500: a client reading the text rounds to 3.
        assert_eq!(
            Decimal::parse("2.4999999996")
                .map(|x| x.to_string())
                .as_deref(),
            Some("2.500")
        );
        assert_eq!(d(2_499_999_999, 1_000_000_000).round_to_integer(), 2);
        // 2.4999999995 writes as 2.500: a client reading the text rounds to 3.
        assert_eq!(d(4_999_999_999, 2_000_000_000).round_to_integer(), 3);
    }

    proptest! {
        #[test]
        fn written_text_parses_to_the_written_value(t in 0u64..(1u64 << 40), ts in 1u32..=1_000_000_000) {
            let x = d(t, ts);
            let back = Decimal::parse(&x.to_string()).unwrap();
            prop_assert_eq!(back, x.as_written());
            // Within half a nanosecond of the exact value.
            let diff = i128::from(back.ticks) * i128::from(ts) * 1_000_000_000 / i128::from(back.timescale)
                - i128::from(t) * 1_000_000_000;
            prop_assert!(diff.abs() * 2 <= i128::from(ts), "diff {} for {}/{}", diff, t, ts);
            prop_assert_eq!(back.to_string(), x.to_string());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Decimal::parse(&s);
        }
    }
}
