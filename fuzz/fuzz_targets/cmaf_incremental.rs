//! The incremental CMAF parser on arbitrary bytes fed in arbitrary pieces: never panics, never
//! buffers more than the box being assembled, and reports the same events (or fails the same
//! way) as when the whole input is fed at once. The first two bytes choose the piece sizes.
#![no_main]

use dashkit::cmaf::{Parser, StreamEvent};
use libfuzzer_sys::fuzz_target;

fn run(data: &[u8], piece: impl Fn(usize) -> usize) -> (Vec<StreamEvent>, bool) {
    let mut p = Parser::new();
    let mut out = Vec::new();
    let mut at = 0;
    let mut k = 0;
    while at < data.len() {
        let n = piece(k).max(1).min(data.len() - at);
        if p.push(&data[at..at + n]).is_err() {
            out.extend(p.drain());
            return (out, false);
        }
        assert!(p.buffered_len() as u64 <= dashkit::limits::MAX_CMAF_BOX_BYTES);
        out.extend(p.drain());
        at += n;
        k += 1;
    }
    let ok = p.finish().is_ok();
    out.extend(p.drain());
    (out, ok)
}

fuzz_target!(|input: &[u8]| {
    let (a, b, data) = match input {
        [a, b, rest @ ..] => (*a as usize, *b as usize, rest),
        _ => return,
    };
    let (whole, whole_ok) = run(data, |_| usize::MAX);
    let (split, split_ok) = run(data, |k| if k % 2 == 0 { a + 1 } else { b + 1 });
    assert_eq!(whole_ok, split_ok);
    assert_eq!(whole, split);
    // Events come in stream order (a box between a moof and its mdat is reported before the
    // chunk that spans it, so ends increase, starts need not).
    let mut end = 0;
    for e in &whole {
        let r = match e {
            StreamEvent::Box(x) => x.range.clone(),
            StreamEvent::Chunk(c) => c.range.clone(),
        };
        assert!(r.end > end && r.end > r.start && r.end <= data.len() as u64);
        end = r.end;
    }
});
