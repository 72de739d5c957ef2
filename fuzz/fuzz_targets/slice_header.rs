//! Fuzz target `slice_header`: the H.264 and H.265 slice-header readers that place the
//! protected range of subsample encryption (`dashkit::cenc::AvcSlices`, `HevcSlices`) on
//! arbitrary parameter sets and slices: errors, never panics, and a header length is never
//! shorter than the NAL header nor longer than its NAL unit.
//!
//! Input layout: the first byte's low two bits are how many parameter sets follow (each one
//! length byte, then that many bytes, fed as in-band parameter sets); with its top bit set the
//! first of them is read as a configuration record (`avcC`, `hvcC`) instead; bit 6 picks HEVC.
//! The rest is the slice NAL unit.
#![no_main]

use dashkit::cenc::{AvcSlices, HevcSlices};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let hevc = first & 0x40 != 0;
    let mut avc = AvcSlices::default();
    let mut hev = HevcSlices::default();
    for n in 0..(first & 3) {
        let Some((&len, tail)) = rest.split_first() else {
            return;
        };
        let len = usize::from(len).min(tail.len());
        let (set, tail) = tail.split_at(len);
        rest = tail;
        let record = n == 0 && first & 0x80 != 0;
        match (hevc, record) {
            (false, true) => match AvcSlices::from_avcc(set) {
                Ok(s) => avc = s,
                Err(_) => return,
            },
            (true, true) => match HevcSlices::from_hvcc(set) {
                Ok(s) => hev = s,
                Err(_) => return,
            },
            (false, false) => {
                let _ = avc.parameter_set(set);
            }
            (true, false) => {
                let _ = hev.parameter_set(set);
            }
        }
    }
    let (got, header) = if hevc {
        (hev.header_len(rest), 2)
    } else {
        (avc.header_len(rest), 1)
    };
    if let Ok(n) = got {
        assert!((header..=rest.len()).contains(&n), "{n} of {}", rest.len());
    }
});
