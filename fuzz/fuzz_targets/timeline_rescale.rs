//! Fuzzes `dashkit::timeline::rescale` with arbitrary values and timescales in every rounding
//! mode: it must never panic, an `Ok` result must be the exact quotient rounded as asked, and an
//! `Err` must only happen when that rounded quotient does not fit in `i64`.
#![no_main]

use dashkit::timeline::{rescale, Rounding, Timescale};
use libfuzzer_sys::fuzz_target;

/// The rounded quotient of `value * to / from`, computed independently of the library in i128
/// (|value * to| < 2^95, so nothing here can overflow).
fn expected(value: i64, from: u32, to: u32, rounding: Rounding) -> i128 {
    let num = i128::from(value) * i128::from(to);
    let den = i128::from(from);
    let floor = num.div_euclid(den);
    let rem = num - floor * den; // 0 <= rem < den
    match rounding {
        Rounding::Floor => floor,
        Rounding::Ceil => floor + i128::from(rem != 0),
        Rounding::Nearest => {
            // Nearest, halves away from zero.
            if 2 * rem > den || (2 * rem == den && num > 0) {
                floor + 1
            } else {
                floor
            }
        }
    }
}

fuzz_target!(|input: (i64, u32, u32)| {
    let (value, from, to) = input;
    let (Ok(from_ts), Ok(to_ts)) = (Timescale::new(from), Timescale::new(to)) else {
        // Zero is the only invalid timescale.
        assert!(from == 0 || to == 0);
        return;
    };
    for rounding in [Rounding::Floor, Rounding::Ceil, Rounding::Nearest] {
        let want = expected(value, from, to, rounding);
        match rescale(value, from_ts, to_ts, rounding) {
            Ok(got) => {
                assert_eq!(i128::from(got), want, "{value} {from}->{to} {rounding:?}");
                // The documented bound: within one tick of the exact value, on the right side.
                let num = i128::from(value) * i128::from(to);
                let den = i128::from(from);
                let scaled = i128::from(got) * den;
                match rounding {
                    Rounding::Floor => assert!(scaled <= num && num - scaled < den),
                    Rounding::Ceil => assert!(scaled >= num && scaled - num < den),
                    Rounding::Nearest => assert!(2 * (scaled - num).abs() <= den),
                }
            }
            Err(_) => assert!(
                i64::try_from(want).is_err(),
                "{value} {from}->{to} {rounding:?}: error although {want} fits in i64"
            ),
        }
    }
});
