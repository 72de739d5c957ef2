//! Fuzz target `slice_header`: the H.264 slice-header reader that places the protected range
//! of subsample encryption (`dashkit::cenc::AvcSlices`) on arbitrary parameter sets and slices:
//! errors, never panics, and a header length is never longer than its NAL unit.
//!
//! Input layout: the first byte's low two bits are how many parameter sets follow (each one
//! length byte, then that many bytes, fed as in-band SPS or PPS); with its top bit set the first
//! of them is read as an `avcC` payload instead. The rest is the slice NAL unit.
#![no_main]

use dashkit::cenc::AvcSlices;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let mut slices = AvcSlices::default();
    for n in 0..(first & 3) {
        let Some((&len, tail)) = rest.split_first() else {
            return;
        };
        let len = usize::from(len).min(tail.len());
        let (set, tail) = tail.split_at(len);
        rest = tail;
        if n == 0 && first & 0x80 != 0 {
            match AvcSlices::from_avcc(set) {
                Ok(s) => slices = s,
                Err(_) => return,
            }
        } else {
            let _ = slices.parameter_set(set);
        }
    }
    if let Ok(n) = slices.header_len(rest) {
        assert!((1..=rest.len()).contains(&n), "{n} of {}", rest.len());
    }
});
