//! Box index, dump and info on arbitrary bytes: errors, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = dashkit::bmff::Index::parse(data) {
        for (i, b) in index.boxes().iter().enumerate() {
            assert!(b.end() <= data.len());
            let _ = index.path(i);
        }
    }
    let _ = dashkit::bmff::dump::dump(data);
    let _ = dashkit::bmff::info::describe(data);
    let _ = dashkit::bmff::Sidx::parse(data, 0);
});
