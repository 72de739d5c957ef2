//! Encrypting and decrypting one sample's bytes (ISO/IEC 23001-7 §9.4 `cenc`, §9.6 `cbcs`),
//! with AES-128 from RustCrypto (`aes`, `ctr`, `cbc`).

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyIvInit, StreamCipher};

use super::{Error, Scheme};
use crate::bmff::boxes::Subsample;

type Ctr = ctr::Ctr64BE<aes::Aes128>;
type CbcEnc = cbc::Encryptor<aes::Aes128>;
type CbcDec = cbc::Decryptor<aes::Aes128>;

/// The `cbcs` pattern: `crypt` encrypted 16-byte blocks, then `skip` clear ones (1:9 for
/// video; a `skip` of 0 encrypts every whole block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// Encrypted blocks per pattern.
    pub crypt: u8,
    /// Clear blocks per pattern.
    pub skip: u8,
}

/// The protected byte ranges of a sample of `len` bytes: the whole sample when `subsamples`
/// is empty, else each subsample's protected part. Errors when the subsamples do not add up
/// to the sample.
fn protected_ranges(
    len: usize,
    subsamples: &[Subsample],
) -> Result<Vec<std::ops::Range<usize>>, Error> {
    if subsamples.is_empty() {
        return Ok(std::iter::once(0..len).collect());
    }
    let mut at = 0usize;
    let mut out = Vec::with_capacity(subsamples.len());
    for s in subsamples {
        at = at.saturating_add(usize::from(s.clear_bytes));
        let end = at.saturating_add(s.protected_bytes as usize);
        if end > len {
            break;
        }
        out.push(at..end);
        at = end;
    }
    if at != len {
        return Err(Error::SubsampleMismatch {
            sample_bytes: len as u64,
            subsample_bytes: subsamples
                .iter()
                .map(|s| u64::from(s.clear_bytes) + u64::from(s.protected_bytes))
                .sum(),
        });
    }
    Ok(out)
}

/// The 16-byte CTR counter block of an 8- or 16-byte IV (an 8-byte IV is followed by a
/// 64-bit block counter starting at 0, §9.4.2).
fn ctr_iv(iv: &[u8]) -> [u8; 16] {
    let mut b = [0u8; 16];
    let n = iv.len().min(16);
    b[..n].copy_from_slice(&iv[..n]);
    b
}

/// Applies `scheme` to `buf` (a whole sample) in place: `encrypt` or decrypt.
pub(crate) fn crypt_sample(
    scheme: Scheme,
    key: &[u8; 16],
    iv: &[u8],
    pattern: Pattern,
    subsamples: &[Subsample],
    buf: &mut [u8],
    encrypt: bool,
) -> Result<(), Error> {
    let ranges = protected_ranges(buf.len(), subsamples)?;
    match scheme {
        Scheme::Cenc => {
            // One keystream over the concatenated protected ranges (§9.4.2).
            let mut c = Ctr::new(key.into(), (&ctr_iv(iv)).into());
            for r in ranges {
                if let Some(b) = buf.get_mut(r) {
                    c.apply_keystream(b);
                }
            }
        }
        Scheme::Cbcs => {
            // Each protected range restarts the chain at the constant IV (§9.6); within it the
            // pattern applies to whole 16-byte blocks, a trailing partial block stays clear.
            let iv16 = ctr_iv(iv);
            let (crypt, skip) = if pattern.crypt == 0 || pattern.skip == 0 {
                (1usize, 0usize)
            } else {
                (usize::from(pattern.crypt), usize::from(pattern.skip))
            };
            // One key schedule for the sample; each range gets a fresh chain from it.
            let cipher = <aes::Aes128 as aes::cipher::KeyInit>::new(key.into());
            for r in ranges {
                let Some(b) = buf.get_mut(r) else { continue };
                let blocks = b
                    .chunks_exact_mut(16)
                    .enumerate()
                    .filter(|(i, _)| i % (crypt + skip) < crypt)
                    .filter_map(|(_, block)| <&mut aes::Block>::try_from(block).ok());
                if encrypt {
                    let mut enc = CbcEnc::inner_iv_init(cipher.clone(), (&iv16).into());
                    blocks.for_each(|block| enc.encrypt_block(block));
                } else {
                    let mut dec = CbcDec::inner_iv_init(cipher.clone(), (&iv16).into());
                    blocks.for_each(|block| dec.decrypt_block(block));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P19: Pattern = Pattern { crypt: 1, skip: 9 };

    #[test]
    fn cenc_full_sample_matches_aes_ctr_vector() {
        // NIST SP 800-38A F.5.1 (CTR-AES128), first block, with the IV split as 8 + 8.
        let key = [
            0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
            0x4f, 0x3c,
        ];
        let iv = [
            0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
            0xfe, 0xff,
        ];
        let mut b = [
            0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93,
            0x17, 0x2a,
        ];
        crypt_sample(Scheme::Cenc, &key, &iv, P19, &[], &mut b, true).unwrap();
        assert_eq!(
            b,
            [
                0x87, 0x4d, 0x61, 0x91, 0xb6, 0x20, 0xe3, 0x26, 0x1b, 0xef, 0x68, 0x64, 0x99, 0x0d,
                0xb6, 0xce
            ]
        );
    }

    #[test]
    fn cbcs_pattern_leaves_skipped_and_partial_blocks_clear() {
        let key = [5u8; 16];
        let orig: Vec<u8> = (0..(16 * 12 + 7)).map(|i| i as u8).collect();
        let mut b = orig.clone();
        crypt_sample(Scheme::Cbcs, &key, &[9; 16], P19, &[], &mut b, true).unwrap();
        assert_ne!(b[..16], orig[..16]);
        assert_eq!(b[16..160], orig[16..160]);
        assert_ne!(b[160..176], orig[160..176]);
        assert_eq!(b[176..], orig[176..]);
        crypt_sample(Scheme::Cbcs, &key, &[9; 16], P19, &[], &mut b, false).unwrap();
        assert_eq!(b, orig);
    }

    #[test]
    fn subsamples_must_cover_the_sample() {
        let mut b = [0u8; 40];
        let s = [Subsample {
            clear_bytes: 8,
            protected_bytes: 16,
        }];
        assert!(matches!(
            crypt_sample(Scheme::Cenc, &[0; 16], &[0; 8], P19, &s, &mut b, true),
            Err(Error::SubsampleMismatch {
                sample_bytes: 40,
                subsample_bytes: 24
            })
        ));
    }
}

#[cfg(test)]
mod props {
    use super::super::nal;
    use super::*;
    use proptest::prelude::*;

    /// A sample and a subsample layout that covers it exactly (empty: full-sample).
    fn layout() -> impl Strategy<Value = (Vec<u8>, Vec<Subsample>)> {
        proptest::collection::vec((0u16..300, 0u32..700), 0..6)
            .prop_flat_map(|runs| {
                let total: usize = runs.iter().map(|&(c, p)| usize::from(c) + p as usize).sum();
                let len = if runs.is_empty() {
                    0..2000usize
                } else {
                    total..total + 1
                };
                (proptest::collection::vec(any::<u8>(), len), Just(runs))
            })
            .prop_map(|(bytes, runs)| {
                let subs = runs
                    .into_iter()
                    .map(|(c, p)| Subsample {
                        clear_bytes: c,
                        protected_bytes: p,
                    })
                    .collect();
                (bytes, subs)
            })
    }

    proptest! {
        #[test]
        fn encrypt_then_decrypt_is_identity(
            (sample, subs) in layout(),
            key in any::<[u8; 16]>(),
            iv in any::<[u8; 16]>(),
            cbcs in any::<bool>(),
            crypt in 0u8..3,
            skip in 0u8..10,
        ) {
            let scheme = if cbcs { Scheme::Cbcs } else { Scheme::Cenc };
            let iv: &[u8] = if cbcs { &iv } else { &iv[..8] };
            let pattern = Pattern { crypt, skip };
            let mut b = sample.clone();
            crypt_sample(scheme, &key, iv, pattern, &subs, &mut b, true).unwrap();
            // Clear bytes are untouched.
            let mut at = 0usize;
            for s in &subs {
                let c = usize::from(s.clear_bytes);
                prop_assert_eq!(&b[at..at + c], &sample[at..at + c]);
                at += c + s.protected_bytes as usize;
            }
            crypt_sample(scheme, &key, iv, pattern, &subs, &mut b, false).unwrap();
            prop_assert_eq!(b, sample);
        }

        #[test]
        fn nal_layouts_cover_the_sample_and_round_trip(
            nals in proptest::collection::vec((any::<u8>(), 1usize..600), 1..8),
            hevc in any::<bool>(),
            cbcs in any::<bool>(),
            key in any::<[u8; 16]>(),
        ) {
            let codec = if hevc { nal::NalCodec::Hevc } else { nal::NalCodec::Avc };
            let scheme = if cbcs { Scheme::Cbcs } else { Scheme::Cenc };
            let mut sample = Vec::new();
            for (i, &(head, len)) in nals.iter().enumerate() {
                sample.extend_from_slice(&(len as u32 + 1).to_be_bytes());
                sample.push(head);
                sample.extend((0..len).map(|j| (i + j) as u8));
            }
            let mut headers = match codec {
                nal::NalCodec::Avc => nal::SliceHeaders::Avc(Default::default()),
                nal::NalCodec::Hevc => nal::SliceHeaders::for_track(codec, &[]),
            };
            let subs = nal::subsamples(codec, 4, scheme, &mut headers, &sample, &mut |_, _| {}).unwrap();
            let total: usize = subs.iter().map(|s| usize::from(s.clear_bytes) + s.protected_bytes as usize).sum();
            prop_assert_eq!(total, sample.len());
            if scheme == Scheme::Cenc {
                prop_assert!(subs.iter().all(|s| s.protected_bytes % 16 == 0));
            }
            let mut b = sample.clone();
            let p = Pattern { crypt: 1, skip: 9 };
            crypt_sample(scheme, &key, &[3; 16], p, &subs, &mut b, true).unwrap();
            crypt_sample(scheme, &key, &[3; 16], p, &subs, &mut b, false).unwrap();
            prop_assert_eq!(b, sample);
        }
    }
}
