#![allow(clippy::unwrap_used)]
use super::*;
use proptest::prelude::*;

use crate::bmff::testbox::bx;

/// moof { mfhd(seq), traf { tfhd(track, base-is-moof [+ default duration]), tfdt v1, trun } }.
/// trun carries sizes (and flags on the first sample) only; durations come from the tfhd
/// default when `tfhd_dur` is set, else from trex.
pub(crate) fn moof(
    seq: u32,
    track: u32,
    tfdt: u64,
    sizes: &[u32],
    tfhd_dur: Option<u32>,
) -> Vec<u8> {
    let mfhd = bx(b"mfhd", &[&[0u8, 0, 0, 0][..], &seq.to_be_bytes()].concat());
    let mut tfhd = vec![0u8, 2, 0, if tfhd_dur.is_some() { 8 } else { 0 }];
    tfhd.extend_from_slice(&track.to_be_bytes());
    if let Some(d) = tfhd_dur {
        tfhd.extend_from_slice(&d.to_be_bytes());
    }
    let tfhd = bx(b"tfhd", &tfhd);
    let tfdt = bx(
        b"tfdt",
        &[&[1u8, 0, 0, 0][..], &tfdt.to_be_bytes()].concat(),
    );
    // flags: first-sample-flags (0x004) + size (0x200); first sample non-sync when seq is even.
    let mut trun = vec![0u8, 0, 2, 4];
    trun.extend_from_slice(&(sizes.len() as u32).to_be_bytes());
    let first = if seq.is_multiple_of(2) {
        0x0001_0000u32
    } else {
        0x0200_0000
    };
    trun.extend_from_slice(&first.to_be_bytes());
    for s in sizes {
        trun.extend_from_slice(&s.to_be_bytes());
    }
    let trun = bx(b"trun", &trun);
    bx(
        b"moof",
        &[mfhd, bx(b"traf", &[tfhd, tfdt, trun].concat())].concat(),
    )
}

pub(crate) fn trex_moov(track: u32, duration: u32, timescale: u32) -> Vec<u8> {
    let mut trex = vec![0u8; 4];
    for v in [track, 1, duration, 0, 0x0101_0000] {
        trex.extend_from_slice(&v.to_be_bytes());
    }
    let mut tkhd = vec![0u8; 12];
    tkhd.extend_from_slice(&track.to_be_bytes());
    tkhd.resize(84, 0);
    let mut mdhd = vec![0u8; 12];
    mdhd.extend_from_slice(&timescale.to_be_bytes());
    mdhd.extend_from_slice(&[0u8; 8]);
    let trak = bx(
        b"trak",
        &[bx(b"tkhd", &tkhd), bx(b"mdia", &bx(b"mdhd", &mdhd))].concat(),
    );
    bx(b"moov", &[trak, bx(b"mvex", &bx(b"trex", &trex))].concat())
}

/// A stream: ftyp, moov (trex default duration 512), styp, two chunks, an emsg.
fn stream() -> Vec<u8> {
    let m1 = moof(1, 1, 0, &[3, 4], None);
    let m2 = moof(2, 1, 1024, &[5], Some(100));
    [
        bx(b"ftyp", b"cmfc\0\0\0\0"),
        trex_moov(1, 512, 48_000),
        bx(b"styp", b"cmfs"),
        m1,
        bx(b"mdat", &[1; 7]),
        bx(b"emsg", &[0; 20]),
        m2,
        bx(b"mdat", &[2; 5]),
    ]
    .concat()
}

fn events_of(data: &[u8], cuts: &[usize]) -> Result<Vec<StreamEvent>, Error> {
    let mut p = Parser::new();
    let mut out = Vec::new();
    let mut prev = 0;
    for &c in cuts.iter().chain(std::iter::once(&data.len())) {
        let c = c.clamp(prev, data.len());
        p.push(&data[prev..c])?;
        out.extend(p.drain());
        prev = c;
    }
    p.finish()?;
    out.extend(p.drain());
    Ok(out)
}

#[test]
fn chunks_carry_times_defaults_and_ranges() {
    let data = stream();
    let ev = events_of(&data, &[]).unwrap();
    let kinds: Vec<String> = ev
        .iter()
        .map(|e| match e {
            StreamEvent::Box(b) => b.kind.to_string(),
            StreamEvent::Chunk(_) => "chunk".into(),
        })
        .collect();
    assert_eq!(kinds, ["ftyp", "moov", "styp", "chunk", "emsg", "chunk"]);
    let StreamEvent::Chunk(c1) = &ev[3] else {
        panic!()
    };
    // trex default 512 × 2 samples.
    assert_eq!(c1.duration, 1024);
    assert_eq!(c1.decode_time, Some(0));
    assert_eq!(c1.sequence_number, 1);
    assert_eq!(c1.sample_count, 2);
    assert!(c1.starts_with_sync);
    assert_eq!(c1.tracks[0].timescale, Some(48_000));
    assert_eq!(c1.tracks[0].sample_bytes, 7);
    let StreamEvent::Box(styp) = &ev[2] else {
        panic!()
    };
    assert_eq!(c1.range.start, styp.range.end);
    assert_eq!(c1.mdat_payload.end - c1.mdat_payload.start, 7);
    assert_eq!(
        &data[c1.mdat_payload.start as usize..c1.mdat_payload.end as usize],
        &[1; 7]
    );
    let StreamEvent::Chunk(c2) = &ev[5] else {
        panic!()
    };
    // tfhd default 100 overrides trex.
    assert_eq!(c2.duration, 100);
    assert!(!c2.starts_with_sync);
    assert_eq!(c2.range.end, data.len() as u64);
}

#[test]
fn one_byte_at_a_time_matches_whole() {
    let data = stream();
    let whole = events_of(&data, &[]).unwrap();
    let cuts: Vec<usize> = (1..data.len()).collect();
    assert_eq!(events_of(&data, &cuts).unwrap(), whole);
}

#[test]
fn events_arrive_when_the_last_byte_does() {
    let data = stream();
    let mut p = Parser::new();
    let whole = events_of(&data, &[]).unwrap();
    let mut seen = 0;
    for (i, b) in data.iter().enumerate() {
        p.push(std::slice::from_ref(b)).unwrap();
        while let Some(e) = p.next_event() {
            let end = match &e {
                StreamEvent::Box(b) => b.range.end,
                StreamEvent::Chunk(c) => c.range.end,
            };
            assert_eq!(end, i as u64 + 1, "event {e:?} reported late or early");
            assert_eq!(e, whole[seen]);
            seen += 1;
        }
    }
    assert_eq!(seen, whole.len());
}

#[test]
fn mdat_payload_is_never_buffered() {
    let m = moof(1, 1, 0, &[1 << 20], Some(1));
    let mut p = Parser::new();
    p.push(&m).unwrap();
    p.push(&((1u32 << 20) + 8).to_be_bytes()).unwrap();
    p.push(b"mdat").unwrap();
    let piece = vec![0u8; 4096];
    for _ in 0..256 {
        p.push(&piece).unwrap();
        assert_eq!(p.buffered_len(), 0);
    }
    let Some(StreamEvent::Chunk(c)) = p.next_event() else {
        panic!()
    };
    assert_eq!(c.mdat_payload.end - c.mdat_payload.start, 1 << 20);
}

#[test]
fn largesize_and_uuid_headers() {
    let mut data = vec![0, 0, 0, 1];
    data.extend_from_slice(b"free");
    data.extend_from_slice(&20u64.to_be_bytes());
    data.extend_from_slice(b"abcd");
    let mut u = vec![0, 0, 0, 1];
    u.extend_from_slice(b"uuid");
    u.extend_from_slice(&34u64.to_be_bytes());
    u.extend_from_slice(&[7; 16]);
    u.extend_from_slice(&[1, 2]);
    data.extend_from_slice(&u);
    let cuts: Vec<usize> = (1..data.len()).collect();
    let ev = events_of(&data, &cuts).unwrap();
    assert_eq!(
        ev,
        [
            StreamEvent::Box(TopBox {
                kind: FourCc(*b"free"),
                range: 0..20,
                header_len: 16,
                to_end: false
            }),
            StreamEvent::Box(TopBox {
                kind: FourCc(*b"uuid"),
                range: 20..54,
                header_len: 32,
                to_end: false
            })
        ]
    );
}

#[test]
fn size_zero_runs_until_finish() {
    let mut data = moof(3, 1, 0, &[2], Some(5));
    let moof_len = data.len() as u64;
    data.extend_from_slice(&[0, 0, 0, 0, b'm', b'd', b'a', b't', 9, 9, 9]);
    let mut p = Parser::new();
    p.push(&data).unwrap();
    assert!(p.next_event().is_none());
    p.push(&[9; 10]).unwrap();
    assert!(p.next_event().is_none());
    p.finish().unwrap();
    let Some(StreamEvent::Chunk(c)) = p.next_event() else {
        panic!()
    };
    assert_eq!(c.range, 0..data.len() as u64 + 10);
    assert_eq!(c.mdat_payload, moof_len + 8..data.len() as u64 + 10);
}

#[test]
fn size_smaller_than_header_is_an_error_with_offset() {
    let data = [
        bx(b"styp", b"cmfs"),
        vec![0, 0, 0, 4, b'f', b'r', b'e', b'e'],
    ]
    .concat();
    let e = events_of(&data, &[3, 13]).unwrap_err();
    assert_eq!(e.offset, 12);
    assert_eq!(e.path, "free");
    assert_eq!(
        e.kind,
        ErrorKind::SizeTooSmall {
            size: 4,
            header_len: 8
        }
    );
    // largesize below 16.
    let mut l = vec![0, 0, 0, 1];
    l.extend_from_slice(b"mdat");
    l.extend_from_slice(&15u64.to_be_bytes());
    let e = events_of(&l, &[]).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::SizeTooSmall {
            size: 15,
            header_len: 16
        }
    );
}

#[test]
fn oversized_boxes_are_errors_before_any_buffering() {
    let mut p = Parser::new();
    p.push(&[0, 0, 0, 8, b'f', b'r', b'e', b'e']).unwrap();
    let big = (crate::limits::MAX_CMAF_BOX_BYTES + 1) as u32;
    let mut h = big.to_be_bytes().to_vec();
    h.extend_from_slice(b"moov");
    let e = p.push(&h).unwrap_err();
    assert_eq!(e.offset, 8);
    assert_eq!(e.path, "moov");
    assert_eq!(
        e.kind,
        ErrorKind::TooLarge {
            size: u64::from(big),
            max: crate::limits::MAX_CMAF_BOX_BYTES
        }
    );
    // The parser stays failed.
    assert!(matches!(
        p.push(&[0]).unwrap_err().kind,
        ErrorKind::Failed { first_offset: 8 }
    ));
    // An mdat past its own cap, with a small custom limit.
    let mut p = Parser::with_limits(Limits {
        max_box_bytes: 64,
        max_mdat_bytes: 10,
    });
    let e = p.push(&[0, 0, 0, 19, b'm', b'd', b'a', b't']).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge { size: 11, max: 10 });
    // A size-0 mdat is cut off at its cap as bytes arrive.
    let mut p = Parser::with_limits(Limits {
        max_box_bytes: 64,
        max_mdat_bytes: 10,
    });
    p.push(&[0, 0, 0, 0, b'm', b'd', b'a', b't']).unwrap();
    p.push(&[0; 10]).unwrap();
    let e = p.push(&[0]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge { size: 11, max: 10 });
}

#[test]
fn truncated_streams_are_errors_at_finish() {
    let data = stream();
    let e = events_of(&data[..data.len() - 2], &[]).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e:?}");
    let e = events_of(&data[..data.len() - 15], &[]).unwrap_err();
    // Cut inside the last moof's mdat header or body.
    assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e:?}");
    let e = events_of(&[0, 0, 0], &[]).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 8,
            available: 3
        }
    );
}

#[test]
fn moof_without_mdat_is_an_error() {
    let m = moof(1, 1, 0, &[1], Some(1));
    let data = [m.clone(), m.clone(), bx(b"mdat", &[0])].concat();
    let e = events_of(&data, &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MoofWithoutMdat { moof_offset: 0 });
    let e = events_of(&m, &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MoofWithoutMdat { moof_offset: 0 });
}

#[test]
fn bad_box_inside_moof_has_offset_and_path() {
    let mut m = moof(1, 1, 0, &[1, 2], Some(1));
    // trun sample_count claims 1000 samples: offset of the trun inside the moof.
    let trun_at = m.windows(4).position(|w| w == b"trun").unwrap() - 4;
    m[trun_at + 12..trun_at + 16].copy_from_slice(&1000u32.to_be_bytes());
    let data = [bx(b"styp", b"cmfs"), m, bx(b"mdat", &[0; 3])].concat();
    let e = events_of(&data, &[]).unwrap_err();
    assert_eq!(e.path, "moof/traf[0]/trun[0]");
    assert!(e.offset >= 12 + trun_at as u64);
    assert!(matches!(
        e.kind,
        ErrorKind::Box(crate::bmff::ErrorKind::CountPastEnd { .. })
    ));
}

proptest! {
    #[test]
    fn random_splits_match_whole(mut cuts in proptest::collection::vec(0usize..400, 0..24)) {
        let data = stream();
        cuts.sort_unstable();
        prop_assert_eq!(events_of(&data, &cuts).unwrap(), events_of(&data, &[]).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..256),
                                   cut in 0usize..256) {
        let whole = events_of(&data, &[]);
        let split = events_of(&data, &[cut]);
        // Same outcome either way (errors included, apart from the report's position).
        prop_assert_eq!(whole.is_ok(), split.is_ok());
        if let (Ok(a), Ok(b)) = (whole, split) {
            prop_assert_eq!(a, b);
        }
    }
}
