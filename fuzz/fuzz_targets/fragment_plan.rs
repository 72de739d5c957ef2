//! Fragment planning over arbitrary bytes taken as a moov (and as a whole file whose moov is
//! found by `read_input`, as the CLI reads it): errors, never panics; every planned range lies
//! inside the input.
#![no_main]

use dashkit::fragment::{plan_fragments, Input, Options};
use libfuzzer_sys::fuzz_target;

fn check(input: &Input<'_>, options: &Options) {
    if let Ok(plan) = plan_fragments(input, options) {
        let _ = plan.init_segment();
        let _ = plan.sidx();
        for f in plan.fragments().take(1000) {
            if let Ok(f) = f {
                for r in &f.ranges {
                    assert!(r.start <= r.end && r.end <= input.file_len);
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let flags = data.first().copied().unwrap_or(0);
    let options = Options {
        fragment_duration_ms: if flags & 1 != 0 {
            Some(u64::from(flags >> 4) * 250)
        } else {
            None
        },
        timescale: if flags & 2 != 0 { Some(90_000) } else { None },
        index: flags & 4 != 0,
        trim: flags & 8 != 0,
        ..Options::default()
    };
    check(
        &Input {
            ftyp: None,
            moov: data,
            moov_offset: 0,
            file_len: data.len() as u64,
        },
        &options,
    );
    let read = dashkit::fragment::read_input(data.len() as u64, |at, buf: &mut [u8]| {
        let start = usize::try_from(at).map_err(|_| ())?;
        let src = data.get(start..start + buf.len()).ok_or(())?;
        buf.copy_from_slice(src);
        Ok::<(), ()>(())
    });
    if let Ok(boxes) = read {
        if let Some(input) = boxes.input() {
            check(&input, &options);
        }
    }
});
