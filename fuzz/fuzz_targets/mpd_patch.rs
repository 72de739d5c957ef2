//! Fuzz the MPD patch path (`live::patch`): the XML tree reader and the diff of two documents.
//! No input may panic them. The input is split at its first NUL byte into the old and the new
//! document (all of it is both when there is none), read as UTF-8 lossily.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&x| x == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    let (old, new) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let _ = dashkit::live::patch::tree::parse(&old);
    let _ = dashkit::live::patch::patch(&old, &new);
});
