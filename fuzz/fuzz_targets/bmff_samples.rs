//! Samples view on arbitrary bytes (as a whole file, and split into init + media):
//! errors, never panics, and every sample it returns lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tracks) = dashkit::bmff::samples::track_samples(None, data, 0) {
        for t in tracks {
            for f in &t.fragments {
                assert!(f.first_sample_index + f.sample_count <= t.samples.len());
            }
            for s in t.fragments.iter().flat_map(|f| {
                &t.samples[f.first_sample_index..f.first_sample_index + f.sample_count]
            }) {
                assert!(s.offset + u64::from(s.size) <= data.len() as u64);
            }
        }
    }
    let split = usize::from(data.first().copied().unwrap_or(0)) * 8;
    if split < data.len() {
        let (init, media) = data.split_at(split);
        let _ = dashkit::bmff::samples::track_samples(Some(init), media, 0);
    }
});
