//! Fuzz the MPD parser: no input may panic it, and whatever parses obeys the round-trip
//! law `parse(write(m)) == m`. Input bytes are read as UTF-8 when they are, and through a
//! lossy conversion otherwise (so byte-level mutations still reach the XML reader).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(m) = dashkit::mpd::parse(&text) {
        let out = dashkit::mpd::write(&m);
        match dashkit::mpd::parse(&out) {
            Ok(back) => assert!(back == m, "round trip changed the model:\n{out}"),
            Err(e) => panic!("written MPD does not parse: {e}\n{out}"),
        }
    }
});
