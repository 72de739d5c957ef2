//! Exact integer media time.
//!
//! Media time is counted in ticks of a track's timescale (ticks per second), as
//! ISO/IEC 14496-12 `mdhd@timescale` and ISO/IEC 23009-1 `@timescale` define it. All arithmetic
//! here is integer and checked: a result that does not fit is an [`Error`], never a wrapped or
//! rounded value. Floating point appears only in `Display`-style helpers.

use std::num::NonZeroU32;

/// Errors of media time arithmetic.
///
/// ```
/// use dashkit::timeline::{rescale, Error, Rounding, Timescale};
/// assert_eq!(Timescale::new(0), Err(Error::ZeroTimescale));
/// // i64::MAX seconds do not fit in milliseconds.
/// let r = rescale(i64::MAX, Timescale::ONE, Timescale::new(1000).unwrap(), Rounding::Floor);
/// assert!(matches!(r, Err(Error::Overflow { what: "rescale" })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A timescale of zero was given where ticks per second are required.
    #[error("timescale must be greater than zero")]
    ZeroTimescale,
    /// A computation left the 64-bit range.
    #[error("media time overflow: {what}")]
    Overflow {
        /// What was being computed.
        what: &'static str,
    },
}

/// Ticks per second of a media timeline (`@timescale`, `mdhd.timescale`). Never zero.
///
/// ```
/// use dashkit::timeline::Timescale;
/// let ts = Timescale::new(90_000).unwrap();
/// assert_eq!(ts.get(), 90_000);
/// assert!(Timescale::new(0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timescale(NonZeroU32);

impl Timescale {
    /// One tick per second, the DASH default for `@timescale`.
    pub const ONE: Timescale = Timescale(NonZeroU32::MIN);

    /// A timescale of `ticks_per_second`; zero is an error.
    ///
    /// ```
    /// use dashkit::timeline::{Error, Timescale};
    /// assert_eq!(Timescale::new(48_000).unwrap().get(), 48_000);
    /// assert_eq!(Timescale::new(0), Err(Error::ZeroTimescale));
    /// ```
    pub fn new(ticks_per_second: u32) -> Result<Self, Error> {
        NonZeroU32::new(ticks_per_second)
            .map(Timescale)
            .ok_or(Error::ZeroTimescale)
    }

    /// Ticks per second.
    ///
    /// ```
    /// let ts = dashkit::timeline::Timescale::new(12_800).unwrap();
    /// assert_eq!(ts.get(), 12_800);
    /// assert_eq!(u64::from(ts), 12_800);
    /// ```
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl From<Timescale> for u32 {
    /// Ticks per second, as a `u32` for arithmetic in it.
    fn from(ts: Timescale) -> u32 {
        ts.get()
    }
}

impl From<Timescale> for u64 {
    /// Ticks per second, as a `u64` for arithmetic in it.
    fn from(ts: Timescale) -> u64 {
        u64::from(ts.get())
    }
}

impl From<Timescale> for i64 {
    /// Ticks per second, as a `i64` for arithmetic in it.
    fn from(ts: Timescale) -> i64 {
        i64::from(ts.get())
    }
}

impl From<Timescale> for u128 {
    /// Ticks per second, as a `u128` for arithmetic in it.
    fn from(ts: Timescale) -> u128 {
        u128::from(ts.get())
    }
}

impl From<Timescale> for i128 {
    /// Ticks per second, as a `i128` for arithmetic in it.
    fn from(ts: Timescale) -> i128 {
        i128::from(ts.get())
    }
}

/// How [`rescale`] rounds when the result is not a whole number of ticks.
///
/// ```
/// use dashkit::timeline::{rescale, Rounding, Timescale};
/// let (three, two) = (Timescale::new(3).unwrap(), Timescale::new(2).unwrap());
/// // 1 tick of 1/3 s is 2/3 of a tick of 1/2 s.
/// assert_eq!(rescale(1, three, two, Rounding::Floor).unwrap(), 0);
/// assert_eq!(rescale(1, three, two, Rounding::Ceil).unwrap(), 1);
/// assert_eq!(rescale(1, three, two, Rounding::Nearest).unwrap(), 1);
/// // Negative values round toward negative infinity with Floor.
/// assert_eq!(rescale(-1, three, two, Rounding::Floor).unwrap(), -1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceil,
    /// To the nearest tick, halves away from zero.
    Nearest,
}

/// Converts `value` ticks of timescale `from` into ticks of timescale `to`, exactly when
/// possible and otherwise rounded as asked. Intermediate math is 128-bit; a result outside
/// `i64` is an overflow error.
///
/// ```
/// use dashkit::timeline::{rescale, Rounding, Timescale};
/// let ms = Timescale::new(1000).unwrap();
/// let video = Timescale::new(90_000).unwrap();
/// assert_eq!(rescale(2_000, ms, video, Rounding::Floor).unwrap(), 180_000);
/// assert_eq!(rescale(1, video, ms, Rounding::Floor).unwrap(), 0);
/// assert_eq!(rescale(1, video, ms, Rounding::Ceil).unwrap(), 1);
/// ```
pub fn rescale(
    value: i64,
    from: Timescale,
    to: Timescale,
    rounding: Rounding,
) -> Result<i64, Error> {
    let num = i128::from(value) * i128::from(to.get());
    let den = i128::from(from.get());
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    let q = match rounding {
        Rounding::Floor => q,
        Rounding::Ceil => {
            if r > 0 {
                q + 1
            } else {
                q
            }
        }
        Rounding::Nearest => {
            // Halves away from zero: for negative values, a remainder of exactly half rounds down.
            if 2 * r > den || (2 * r == den && num >= 0) {
                q + 1
            } else {
                q
            }
        }
    };
    i64::try_from(q).map_err(|_| Error::Overflow { what: "rescale" })
}

/// Ticks as seconds for display only (never for arithmetic).
///
/// ```
/// use dashkit::timeline::{seconds_f64, Timescale};
/// assert_eq!(seconds_f64(48_000, Timescale::new(48_000).unwrap()), 1.0);
/// ```
pub fn seconds_f64(ticks: i64, ts: Timescale) -> f64 {
    ticks as f64 / f64::from(ts.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(n: u32) -> Timescale {
        Timescale::new(n).unwrap_or(Timescale::ONE)
    }

    #[test]
    fn rescale_rounding_modes() {
        let a = ts(3);
        let b = ts(2);
        // 1/3 s in halves: 0.666.. ticks
        assert_eq!(rescale(1, a, b, Rounding::Floor), Ok(0));
        assert_eq!(rescale(1, a, b, Rounding::Ceil), Ok(1));
        assert_eq!(rescale(1, a, b, Rounding::Nearest), Ok(1));
        assert_eq!(rescale(-1, a, b, Rounding::Floor), Ok(-1));
        assert_eq!(rescale(-1, a, b, Rounding::Ceil), Ok(0));
    }

    #[test]
    fn rescale_overflow_is_an_error() {
        assert!(rescale(i64::MAX, ts(1), ts(90_000), Rounding::Floor).is_err());
    }

    proptest! {
        #[test]
        fn rescale_there_and_back_within_one_tick(v in -(1i64<<40)..(1i64<<40), a in 1u32..200_000, b in 1u32..200_000) {
            let (a, b) = (ts(a), ts(b));
            let there = rescale(v, a, b, Rounding::Floor).unwrap();
            let back = rescale(there, b, a, Rounding::Floor).unwrap();
            // Going through a coarser scale loses at most one of its ticks.
            let loss = rescale(1, b, a, Rounding::Ceil).unwrap().max(1);
            prop_assert!(back <= v && v - back <= loss, "v={v} there={there} back={back}");
        }
    }
}
