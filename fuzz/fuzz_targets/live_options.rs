//! Live options: `LiveOptions::parse` and `split_path` on arbitrary text error, never panic,
//! and what parses writes back to a path that parses to the same options.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(o) = dashkit::live::options::LiveOptions::parse(text) {
        let again = dashkit::live::options::LiveOptions::parse(&o.to_path());
        assert_eq!(again.as_ref(), Ok(&o));
    }
    if let Ok((o, rest)) = dashkit::live::options::split_path(text) {
        let _ = rest;
        let _ = o.to_path();
    }
});
