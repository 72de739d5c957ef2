//! Segment rewrite on arbitrary bytes: never panics, and whenever the top-level + moof index
//! succeeds, a rewrite with no edits is the identity.
#![no_main]

use dashkit::bmff::patch::{rewrite_segment, Edits, NewSidx, SidxEdit, TfdtEdit, TfdtTarget};
use dashkit::bmff::{Depth, Index};
use dashkit::timeline::Timescale;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if Index::parse_with(data, 0, Depth::TopAndMoof).is_ok() {
        let out =
            rewrite_segment(data, &Edits::default()).expect("no-op rewrite of an indexable input");
        assert_eq!(out.to_vec(), data);
    }
    let seed = data.first().copied().unwrap_or(0);
    let edits = Edits {
        tfdt: vec![TfdtEdit {
            track_id: None,
            target: TfdtTarget::Set((u64::from(seed) << 31) | 5),
        }],
        sequence_number: Some(u32::from(seed)),
        sidx: match seed % 4 {
            0 => SidxEdit::Keep,
            1 => SidxEdit::Drop,
            2 => SidxEdit::Set {
                earliest_presentation_time: Some(1 << 33),
                first_offset: None,
            },
            _ => SidxEdit::Insert(NewSidx {
                reference_track_id: None,
                timescale: Timescale::new(90_000).unwrap_or(Timescale::ONE),
                earliest_presentation_time: None,
                defaults: Vec::new(),
            }),
        },
        ..Edits::default()
    };
    if let Ok(out) = rewrite_segment(data, &edits) {
        // The output is a well-formed box sequence again.
        let bytes = out.to_vec();
        assert_eq!(bytes.len(), out.len());
    }
});
