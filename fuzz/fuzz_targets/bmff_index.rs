//! Box header reader, top-level walk, index, dump and info on arbitrary bytes: errors, never
//! panics; the top-level walk agrees with the index.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = dashkit::bmff::Index::parse(data) {
        for (i, b) in index.boxes().iter().enumerate() {
            assert!(b.end() <= data.len());
            let _ = index.path(i);
        }
    }
    let _ = dashkit::bmff::header::BoxHeader::parse(data, 0);
    let tops: Vec<_> = dashkit::bmff::header::top_level(data, 0).collect();
    if let Ok(index) = dashkit::bmff::Index::parse(data) {
        let walked: Vec<_> = tops
            .iter()
            .filter_map(|t| t.as_ref().ok())
            .map(|t| t.range.clone())
            .collect();
        let indexed: Vec<_> = index.top().map(|i| index.boxes()[i].range()).collect();
        assert_eq!(walked, indexed);
    }
    let _ = dashkit::bmff::header::find_top_level(data, b"moov");
    let _ = dashkit::bmff::dump::dump(data);
    let _ = dashkit::bmff::info::describe(data);
    let _ = dashkit::bmff::Sidx::parse(data, 0);
});
