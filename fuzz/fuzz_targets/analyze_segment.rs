//! The analyzer's segment readers on arbitrary bytes: init (track count, mdhd, trex) and media
//! (tfdt, trun durations) never panic.
#![no_main]

use dashkit::analyze::read::{read_init, read_segment_timing, InitInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_init("init.mp4", data);
    let init = InitInfo {
        track_id: 1,
        timescale: 90_000,
        default_sample_duration: Some(3000),
    };
    let _ = read_segment_timing("1.m4s", 1, data, &init);
});
