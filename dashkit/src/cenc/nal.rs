//! Subsample layout of AVC and HEVC samples (ISO/IEC 23001-7 §10.2 and §10.4, ISO/IEC 23000-19
//! §9.5): each NAL unit's length prefix and header stay clear, VCL slice data is protected in
//! whole 16-byte blocks, non-VCL NAL units stay clear.

use super::{Error, Scheme};
use crate::bmff::boxes::Subsample;

/// The video codecs whose samples can be subsample-encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NalCodec {
    /// H.264 (ISO/IEC 14496-15 §5): 1-byte NAL header, VCL types 1 to 5.
    Avc,
    /// H.265 (ISO/IEC 14496-15 §8): 2-byte NAL header, VCL types 0 to 31.
    Hevc,
}

impl NalCodec {
    fn header_len(self) -> usize {
        match self {
            NalCodec::Avc => 1,
            NalCodec::Hevc => 2,
        }
    }

    fn is_vcl(self, first: u8) -> bool {
        match self {
            NalCodec::Avc => matches!(first & 0x1F, 1..=5),
            NalCodec::Hevc => (first >> 1) & 0x3F < 32,
        }
    }
}

/// Appends `clear` clear bytes and `protected` protected bytes, splitting clear runs at the
/// 16-bit field's maximum.
fn push(out: &mut Vec<Subsample>, mut clear: usize, protected: u32) {
    while clear > usize::from(u16::MAX) {
        out.push(Subsample {
            clear_bytes: u16::MAX,
            protected_bytes: 0,
        });
        clear -= usize::from(u16::MAX);
    }
    out.push(Subsample {
        clear_bytes: clear as u16,
        protected_bytes: protected,
    });
}

/// The subsamples of one length-prefixed sample (`nal_length_size` 1, 2 or 4 bytes, from
/// `avcC`/`hvcC`). `cenc` protects a multiple of 16 bytes per NAL unit (the remainder joins
/// the clear bytes before it); `cbcs` protects the rest of the NAL unit, its pattern leaving
/// a trailing partial block clear.
pub(crate) fn subsamples(
    codec: NalCodec,
    nal_length_size: usize,
    scheme: Scheme,
    sample: &[u8],
) -> Result<Vec<Subsample>, Error> {
    let mut out = Vec::new();
    let mut clear = 0usize;
    let mut at = 0usize;
    while at < sample.len() {
        let len_bytes = sample
            .get(at..at + nal_length_size)
            .ok_or(Error::BadNalLength { at: at as u64 })?;
        let nal_len = len_bytes
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        let nal_at = at + nal_length_size;
        let end = nal_at
            .checked_add(nal_len)
            .filter(|&e| e <= sample.len() && nal_len > 0)
            .ok_or(Error::BadNalLength { at: at as u64 })?;
        let head = nal_length_size + codec.header_len();
        let rest = nal_len.saturating_sub(codec.header_len());
        let protected = match scheme {
            Scheme::Cenc => rest - rest % 16,
            Scheme::Cbcs => rest,
        };
        if codec.is_vcl(sample[nal_at]) && protected >= 16 {
            clear += head + (rest - protected);
            push(&mut out, clear, protected as u32);
            clear = 0;
        } else {
            clear += end - at;
        }
        at = end;
    }
    if clear > 0 || out.is_empty() {
        push(&mut out, clear, 0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nal(kind: u8, len: usize) -> Vec<u8> {
        let mut v = (len as u32).to_be_bytes().to_vec();
        v.push(kind);
        v.extend(std::iter::repeat_n(0xAB, len - 1));
        v
    }

    #[test]
    fn avc_sps_clear_slice_protected_in_blocks() {
        let mut s = nal(0x67, 20); // SPS
        s.extend(nal(0x65, 1 + 100)); // IDR slice, 100 bytes of slice data
        let cenc = subsamples(NalCodec::Avc, 4, Scheme::Cenc, &s).unwrap();
        assert_eq!(
            cenc,
            vec![Subsample {
                clear_bytes: 24 + 5 + 4,
                protected_bytes: 96
            }]
        );
        let cbcs = subsamples(NalCodec::Avc, 4, Scheme::Cbcs, &s).unwrap();
        assert_eq!(
            cbcs,
            vec![Subsample {
                clear_bytes: 24 + 5,
                protected_bytes: 100
            }]
        );
    }

    #[test]
    fn hevc_header_is_two_bytes_and_short_slices_stay_clear() {
        let mut s = nal(0x26, 2 + 40); // IDR_W_RADL
        s.extend(nal(0x02, 2 + 10)); // TRAIL_R, too short to protect
        let v = subsamples(NalCodec::Hevc, 4, Scheme::Cenc, &s).unwrap();
        assert_eq!(
            v,
            vec![
                Subsample {
                    clear_bytes: 4 + 2 + 8,
                    protected_bytes: 32
                },
                Subsample {
                    clear_bytes: 16,
                    protected_bytes: 0
                }
            ]
        );
    }

    #[test]
    fn bad_length_is_an_error() {
        let mut s = nal(0x65, 40);
        s[3] = 200;
        assert!(matches!(
            subsamples(NalCodec::Avc, 4, Scheme::Cenc, &s),
            Err(Error::BadNalLength { at: 0 })
        ));
    }
}
