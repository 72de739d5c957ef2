//! Fuzz target `codec_config`: arbitrary bytes as the configuration box of each codec whose
//! string is derived from one (vvcC, dac4, mhaC, dvcC/dvvC, iacb, and the stpp entry's own
//! namespace/schema fields), read through the box index as `info` and `validate` read them:
//! no panic, and the string starts with the sample entry's 4CC. The same bytes go through the
//! not-ISO sniffing (`dashkit::sniff`) and, as text, the MPD well-formedness checks.
//!
//! Input layout: the first byte picks the sample entry, the rest is the box payload.
#![no_main]

use dashkit::bmff::codec::codec_string;
use dashkit::bmff::Index;
use libfuzzer_sys::fuzz_target;

fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = u32::try_from(payload.len() + 8)
        .unwrap_or(u32::MAX)
        .to_be_bytes()
        .to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

/// (sample entry, bytes before its children, configuration box)
const ENTRIES: [(&[u8; 4], usize, &[u8; 4]); 9] = [
    (b"vvc1", 78, b"vvcC"),
    (b"vvi1", 78, b"vvcC"),
    (b"ac-4", 28, b"dac4"),
    (b"mhm1", 28, b"mhaC"),
    (b"mha1", 28, b"mhaC"),
    (b"dvh1", 78, b"dvcC"),
    (b"dvav", 78, b"dvvC"),
    (b"iamf", 28, b"iacb"),
    (b"stpp", 0, b"stpp"),
];

fuzz_target!(|data: &[u8]| {
    let _ = dashkit::sniff::sniff(data);
    let _ = dashkit::mpd::wellformed::check_well_formed(&String::from_utf8_lossy(data));
    let Some((&pick, payload)) = data.split_first() else {
        return;
    };
    let (kind, fixed, config) = ENTRIES[usize::from(pick) % ENTRIES.len()];
    let entry = if kind == config {
        // stpp: the fuzz bytes are the entry's own fields.
        payload.to_vec()
    } else {
        let mut e = vec![0u8; fixed];
        e.extend(bx(config, payload));
        e
    };
    let stsd = bx(
        b"stsd",
        &[&[0u8, 0, 0, 0, 0, 0, 0, 1][..], &bx(kind, &entry)].concat(),
    );
    let data = bx(b"stbl", &stsd);
    let Ok(index) = Index::parse(&data) else {
        return;
    };
    let Some(e) = index.all(kind).next() else {
        return;
    };
    if let Ok(s) = codec_string(&data, &index, e) {
        let want = if kind == b"ac-4" {
            "ac-4"
        } else {
            std::str::from_utf8(kind).unwrap_or("")
        };
        assert!(s.starts_with(want), "{s}");
    }
});
