//! Fuzz the HLS playlist parser: no input may panic it, and whatever parses obeys the
//! round-trip law `parse(write(p)) == p` (parsed durations are fixed-point decimals, which the
//! writer reproduces exactly), with `write` a fixed point. Bytes are read as UTF-8 when they
//! are, and through a lossy conversion otherwise.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = dashkit::hls::parse(&text) {
        let out = dashkit::hls::write(&p);
        match dashkit::hls::parse(&out) {
            Ok(back) => {
                assert!(back == p, "round trip changed the model:\n{out}");
                assert_eq!(
                    dashkit::hls::write(&back),
                    out,
                    "write is not a fixed point"
                );
            }
            Err(e) => panic!("written playlist does not parse: {e}\n{out}"),
        }
    }
});
