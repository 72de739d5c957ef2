//! Whether something the live simulator is asked for can be had at `now`: the one definition of
//! "too early", "too late" and "not found" for the whole live layer (docs/live-timing.md#availability).
//!
//! [`Availability<T>`] is what every live decision returns: the thing (`Ready(T)`: a
//! [`super::timing::LiveSegment`] from the timing check, a rewritten segment from
//! [`super::segment::live_segment`]) or why not. An [`Unavailable`] is the same type with nothing to
//! be ready ([`Infallible`]), so a refusal carries exactly what an availability check says,
//! whichever layer made it, and a `match` on it needs no arm for `Ready`.

use std::convert::Infallible;

/// The answer to "can I have it now?": the thing, or why not.
///
/// ```
/// use dashkit::live::availability::{Availability, Unavailable};
/// let early: Availability<u32> = Availability::TooEarly { by_ms: 1500 };
/// assert_eq!(early.refusal(), Some(Unavailable::TooEarly { by_ms: 1500 }));
/// assert_eq!(Availability::Ready(7).map(|n| n + 1).ready(), Some(8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability<T> {
    /// Here it is.
    Ready(T),
    /// Not available yet; it will be in `by_ms` milliseconds.
    TooEarly {
        /// Milliseconds until it may be requested.
        by_ms: i64,
    },
    /// Out of the timeshift window by `by_ms` milliseconds.
    TooLate {
        /// Milliseconds past the window's end.
        by_ms: i64,
    },
    /// No such file, Representation or segment number (before the session's first number,
    /// at or after its stop).
    NotFound,
}

/// Why a request is refused: an [`Availability`] that cannot be `Ready`.
pub type Unavailable = Availability<Infallible>;

impl<T> Availability<T> {
    /// Applies `f` to the ready value; refusals pass through unchanged.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Availability<U> {
        match self {
            Availability::Ready(t) => Availability::Ready(f(t)),
            Availability::TooEarly { by_ms } => Availability::TooEarly { by_ms },
            Availability::TooLate { by_ms } => Availability::TooLate { by_ms },
            Availability::NotFound => Availability::NotFound,
        }
    }

    /// The ready value, if any.
    pub fn ready(self) -> Option<T> {
        self.into_result().ok()
    }

    /// The refusal, if this is one.
    pub fn refusal(self) -> Option<Unavailable> {
        self.into_result().err()
    }

    /// `Ok` with the ready value, or `Err` with the refusal.
    pub fn into_result(self) -> Result<T, Unavailable> {
        match self {
            Availability::Ready(t) => Ok(t),
            Availability::TooEarly { by_ms } => Err(Availability::TooEarly { by_ms }),
            Availability::TooLate { by_ms } => Err(Availability::TooLate { by_ms }),
            Availability::NotFound => Err(Availability::NotFound),
        }
    }

    /// True when ready.
    pub fn is_ready(&self) -> bool {
        matches!(self, Availability::Ready(_))
    }
}

impl<T> Availability<T> {
    /// A refusal as an availability of any `T`.
    pub fn refused(r: Unavailable) -> Self {
        match r {
            Availability::TooEarly { by_ms } => Availability::TooEarly { by_ms },
            Availability::TooLate { by_ms } => Availability::TooLate { by_ms },
            Availability::NotFound => Availability::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_pass_through_map_and_back() {
        for r in [
            Unavailable::TooEarly { by_ms: 5 },
            Unavailable::TooLate { by_ms: 7 },
            Unavailable::NotFound,
        ] {
            let a = Availability::<u8>::refused(r);
            assert_eq!(a.map(u16::from).refusal(), Some(r));
            assert!(!a.is_ready());
        }
        assert_eq!(Availability::Ready(3u8).into_result(), Ok(3));
    }
}
