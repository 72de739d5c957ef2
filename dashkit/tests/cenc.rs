//! Common Encryption round trips on real packager output: encrypt then decrypt gives back
//! the input byte for byte (init and media segments, both schemes), and the encrypted bytes
//! differ from the clear ones where they should.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns
use dashkit::bmff::samples::track_samples;
use dashkit::bmff::Index;
use dashkit::cenc::{decrypt, encrypt, EncryptOptions, Error, Key, Scheme};

fn fixture(p: &str) -> Vec<u8> {
    let path = format!("{}/../fixtures/{p}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn key() -> Key {
    "0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210"
        .parse()
        .unwrap()
}

#[test]
fn init_and_media_segments_round_trip_both_schemes() {
    for scheme in [Scheme::Cenc, Scheme::Cbcs] {
        for stream in ["0", "1"] {
            let init = fixture(&format!("dash/ffmpeg_number/init-{stream}.m4s"));
            let seg = fixture(&format!("dash/ffmpeg_number/chunk-{stream}-00002.m4s"));
            let o = EncryptOptions::new(scheme, key(), [7; 16]);
            let enc_init = encrypt(&init, None, &o).unwrap();
            let enc_seg = encrypt(&seg, Some(&init), &o).unwrap();
            assert_ne!(enc_seg, seg);
            assert!(enc_seg.len() > seg.len());
            let idx = Index::parse(&enc_seg).unwrap();
            for b in ["moof/traf/senc", "moof/traf/saiz", "moof/traf/saio"] {
                assert!(idx.find(b).is_some(), "{scheme:?} {stream}: no {b}");
            }
            let enc_idx = Index::parse(&enc_init).unwrap();
            assert!(enc_idx.find("moov/pssh").is_some());
            assert!(enc_idx.all(b"tenc").count() == 1);
            assert_eq!(decrypt(&enc_init, None, &key()).unwrap(), init);
            assert_eq!(
                decrypt(&enc_seg, Some(&enc_init), &key()).unwrap(),
                seg,
                "{scheme:?} {stream}"
            );
            // Sample offsets and sizes are kept: the samples view agrees on the encrypted file.
            let (whole, clear) = (&enc_seg, &seg);
            let a = track_samples(Some(&enc_init), whole, 0).unwrap();
            let c = track_samples(Some(&init), clear, 0).unwrap();
            assert_eq!(a.len(), c.len());
            for (x, y) in a.iter().zip(&c) {
                assert_eq!(x.samples.len(), y.samples.len());
                let differ = x.samples.iter().zip(&y.samples).filter(|(s, t)| {
                    assert_eq!(s.size, t.size);
                    whole[s.offset as usize..][..s.size as usize]
                        != clear[t.offset as usize..][..t.size as usize]
                });
                assert!(differ.count() > 0);
            }
        }
    }
}

#[test]
fn encrypting_twice_and_wrong_keys_are_typed_errors() {
    let init = fixture("dash/ffmpeg_number/init-0.m4s");
    let o = EncryptOptions::new(Scheme::Cenc, key(), [1; 16]);
    let enc = encrypt(&init, None, &o).unwrap();
    assert!(matches!(
        encrypt(&enc, None, &o),
        Err(Error::AlreadyEncrypted { .. })
    ));
    let other = Key::new([9; 16], [9; 16]);
    assert!(matches!(
        decrypt(&enc, None, &other),
        Err(Error::NoTrack { .. })
    ));
    let e = "0123:00".parse::<Key>().unwrap_err();
    assert!(matches!(
        e,
        Error::KeyLength {
            what: "KID",
            hex_digits: 4
        }
    ));
    let e = "0123456789abcdef0123456789abcdef:fedcba98"
        .parse::<Key>()
        .unwrap_err();
    assert!(!e.to_string().contains("fedcba98"));
    assert!(matches!(
        "cens".parse::<Scheme>(),
        Err(Error::UnknownScheme { .. })
    ));
    let mut o2 = o.clone();
    o2.track_id = Some(42);
    assert!(matches!(
        encrypt(&init, None, &o2),
        Err(Error::NoTrack {
            track_id: Some(42),
            ..
        })
    ));
}

#[test]
fn video_that_cannot_be_subsample_encrypted_is_refused() {
    // The same init with its sample entry called av01 (no avcC layout dashkit can use).
    let mut init = fixture("dash/ffmpeg_number/init-0.m4s");
    let at = init.windows(4).position(|w| w == b"avc1").unwrap();
    init[at..at + 4].copy_from_slice(b"av01");
    let o = EncryptOptions::new(Scheme::Cbcs, key(), [1; 16]);
    assert!(matches!(
        encrypt(&init, None, &o),
        Err(Error::UnsupportedCodec { track_id: 1, fourcc }) if fourcc.0 == *b"av01"
    ));
}

/// A slice whose PPS was never seen keeps only its NAL header clear, and the report says which
/// track, how many slices and where the first one is; the output still decrypts to the input.
#[test]
fn unreadable_slice_headers_fall_back_and_are_reported() {
    use dashkit::cenc::{encrypt_with_report, SliceHeaderError};
    let init = fixture("dash/ffmpeg_number/init-0.m4s");
    let seg = fixture("dash/ffmpeg_number/chunk-0-00002.m4s");
    let o = EncryptOptions::new(Scheme::Cbcs, key(), [7; 16]);
    let (_, clean) = encrypt_with_report(&seg, Some(&init), &o).unwrap();
    assert_eq!(clean, vec![]);
    // The same init with an avcC that lists no PPS (numOfPictureParameterSets = 0).
    let idx = Index::parse(&init).unwrap();
    let avcc = &idx.boxes()[idx.all(b"avcC").next().unwrap()];
    let p = avcc.payload_range();
    let sps_len = usize::from(u16::from_be_bytes([init[p.start + 6], init[p.start + 7]]));
    let mut no_pps = init.clone();
    no_pps[p.start + 8 + sps_len] = 0;
    let (enc, fallbacks) = encrypt_with_report(&seg, Some(&no_pps), &o).unwrap();
    let track = &track_samples(Some(&init), &seg, 0).unwrap()[0];
    assert_eq!(fallbacks.len(), 1);
    let f = &fallbacks[0];
    assert_eq!(f.track_id, 1);
    assert_eq!(f.slices, track.samples.len() as u64, "one slice a picture");
    assert!(f.first_offset >= track.samples[0].offset);
    assert!(f.first_offset < track.samples[0].offset + u64::from(track.samples[0].size));
    assert_eq!(
        f.first_error,
        SliceHeaderError::MissingParameterSet { what: "PPS", id: 0 }
    );
    let enc_init = encrypt(&no_pps, None, &o).unwrap();
    assert_eq!(decrypt(&enc, Some(&enc_init), &key()).unwrap(), seg);
}
