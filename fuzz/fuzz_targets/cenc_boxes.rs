//! The Common Encryption box parsers (`senc`, `saiz`, `saio`, `tenc`, `pssh`) on arbitrary
//! bytes: errors, never panics; whatever parses re-encodes to a box that parses to the same
//! value. The first byte picks the `senc` IV size. Then decrypting the input as a media
//! segment (with itself as init) must error or succeed, never panic.
#![no_main]

use dashkit::bmff::{Pssh, Saio, Saiz, Senc, Tenc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let iv = [0u8, 8, 16][usize::from(first % 3)];
    if let Ok(s) = Senc::parse(rest, 0, iv) {
        let mut b = Vec::new();
        if s.encode_into(&mut b).is_ok() {
            assert_eq!(Senc::parse(&b, 0, iv).ok(), Some(s));
        }
    }
    if let Ok(s) = Saiz::parse(rest, 0) {
        let mut b = Vec::new();
        if s.encode_into(&mut b).is_ok() {
            assert_eq!(Saiz::parse(&b, 0).ok(), Some(s));
        }
    }
    if let Ok(s) = Saio::parse(rest, 0) {
        let mut b = Vec::new();
        if s.encode_into(&mut b).is_ok() {
            assert_eq!(Saio::parse(&b, 0).ok().map(|x| x.offsets), Some(s.offsets));
        }
    }
    if let Ok(t) = Tenc::parse(rest, 0) {
        let mut b = Vec::new();
        if t.encode_into(&mut b).is_ok() {
            assert_eq!(Tenc::parse(&b, 0).ok(), Some(t));
        }
    }
    if let Ok(p) = Pssh::parse(rest, 0) {
        let mut b = Vec::new();
        if p.encode_into(&mut b).is_ok() {
            assert_eq!(Pssh::parse(&b, 0).ok(), Some(p));
        }
    }
    let key = dashkit::cenc::Key::new([0; 16], [0; 16]);
    let _ = dashkit::cenc::decrypt(rest, Some(rest), &key);
});
