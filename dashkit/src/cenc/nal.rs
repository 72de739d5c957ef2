//! Subsample layout of AVC and HEVC samples (ISO/IEC 23001-7 §10.2 and §10.4, ISO/IEC 23000-19
//! §9.5): each VCL NAL unit's length prefix, NAL header and slice header stay clear and its
//! slice data is protected (`cenc`: in whole 16-byte blocks); non-VCL NAL units stay clear.

use super::avc::{AvcSlices, SliceHeaderError};
use super::hevc::HevcSlices;
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

/// Where the clear part of each VCL NAL unit of a track ends.
#[derive(Debug, Clone)]
pub(crate) enum SliceHeaders {
    /// After the slice header, read with the track's H.264 parameter sets (from `avcC`, then
    /// from the samples as they come).
    Avc(AvcSlices),
    /// After the slice segment header, read with the track's H.265 parameter sets (from
    /// `hvcC`, then from the samples).
    Hevc(HevcSlices),
    /// After the NAL header only, for the reason given (a configuration record that cannot be
    /// read).
    NalHeaderOnly(SliceHeaderError),
}

impl SliceHeaders {
    /// The rule for a track of `codec` whose configuration record payload is `config`.
    pub(crate) fn for_track(codec: NalCodec, config: &[u8]) -> Self {
        match codec {
            NalCodec::Avc => match AvcSlices::from_avcc(config) {
                Ok(s) => SliceHeaders::Avc(s),
                Err(e) => SliceHeaders::NalHeaderOnly(e),
            },
            NalCodec::Hevc => match HevcSlices::from_hvcc(config) {
                Ok(s) => SliceHeaders::Hevc(s),
                Err(e) => SliceHeaders::NalHeaderOnly(e),
            },
        }
    }
}

/// The subsamples of one length-prefixed sample (`nal_length_size` 1, 2 or 4 bytes, from
/// `avcC`/`hvcC`). Each VCL NAL unit keeps its length prefix, NAL header and slice header
/// clear (ISO/IEC 23001-7 §10.2, §10.4; the slice header from `headers`, which also learns
/// the parameter sets the sample carries); the rest of it is protected: for `cenc` a multiple
/// of 16 bytes (the remainder joins the clear bytes before it, §10.2 and CMAF §9.5), for `cbcs`
/// all of it, its pattern leaving a trailing partial block clear. Non-VCL NAL units, and VCL
/// ones with nothing left to protect, stay clear. A slice header that cannot be read keeps
/// only the NAL header clear, and `fallback` hears where (byte offset in the sample) and why.
pub(crate) fn subsamples(
    codec: NalCodec,
    nal_length_size: usize,
    scheme: Scheme,
    headers: &mut SliceHeaders,
    sample: &[u8],
    fallback: &mut dyn FnMut(usize, SliceHeaderError),
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
        let nal = &sample[nal_at..end];
        if !codec.is_vcl(nal[0]) {
            // A parameter set that cannot be read makes the slices that follow fall back.
            match headers {
                SliceHeaders::Avc(s) => {
                    let _ = s.parameter_set(nal);
                }
                SliceHeaders::Hevc(s) => {
                    let _ = s.parameter_set(nal);
                }
                SliceHeaders::NalHeaderOnly(_) => {}
            }
            clear += end - at;
            at = end;
            continue;
        }
        let head = match headers {
            SliceHeaders::Avc(s) => s.header_len(nal).unwrap_or_else(|e| {
                fallback(at, e);
                codec.header_len()
            }),
            SliceHeaders::Hevc(s) => s.header_len(nal).unwrap_or_else(|e| {
                fallback(at, e);
                codec.header_len()
            }),
            SliceHeaders::NalHeaderOnly(e) => {
                fallback(at, e.clone());
                codec.header_len()
            }
        }
        .min(nal_len);
        let rest = nal_len - head;
        let protected = match scheme {
            Scheme::Cenc => rest - rest % 16,
            Scheme::Cbcs => rest,
        };
        if protected > 0 {
            clear += nal_length_size + head + (rest - protected);
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

    /// The layout with only NAL headers clear (what an unreadable slice header falls back to).
    fn header_only(codec: NalCodec, scheme: Scheme, s: &[u8]) -> Result<Vec<Subsample>, Error> {
        let mut h = SliceHeaders::NalHeaderOnly(SliceHeaderError::Unsupported { what: "test" });
        subsamples(codec, 4, scheme, &mut h, s, &mut |_, _| {})
    }

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
        let cenc = header_only(NalCodec::Avc, Scheme::Cenc, &s).unwrap();
        assert_eq!(
            cenc,
            vec![Subsample {
                clear_bytes: 24 + 5 + 4,
                protected_bytes: 96
            }]
        );
        let cbcs = header_only(NalCodec::Avc, Scheme::Cbcs, &s).unwrap();
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
        let v = header_only(NalCodec::Hevc, Scheme::Cenc, &s).unwrap();
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

    /// The subsamples of the first samples of a real x264 segment (ffmpeg's DASH fixture,
    /// H.264 Main, CABAC, one slice a picture) agree with what Shaka Packager 3.4.2
    /// (`--enable_raw_key_encryption --clear_lead 0`) wrote in its `senc` for the same input;
    /// `dashkit-cli/tests/cenc_shaka.rs` compares every sample with a live run. The clear part
    /// is 4 (length) + 1 (NAL header) + 3 or 4 bytes of slice header, and the SEI and the
    /// parameter sets before the IDR slice; `cenc` adds the remainder of the 16-byte blocks.
    #[test]
    fn real_x264_slices_match_shaka_packager() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/dash/ffmpeg_number/"
        );
        let init = std::fs::read(format!("{dir}init-0.m4s")).unwrap();
        let seg = std::fs::read(format!("{dir}chunk-0-00001.m4s")).unwrap();
        let idx = crate::bmff::Index::parse(&init).unwrap();
        let avcc = &idx.boxes()[idx.all(b"avcC").next().unwrap()];
        let avcc = &init[avcc.payload_range()];
        let track = &crate::bmff::samples::track_samples(Some(&init), &seg, 0).unwrap()[0];
        let samples: Vec<&[u8]> = track
            .samples
            .iter()
            .map(|s| &seg[s.offset as usize..][..s.size as usize])
            .collect();
        let shaka: [(Scheme, [(u16, u32); 6]); 2] = [
            (
                Scheme::Cenc,
                [
                    (664, 1920),
                    (19, 368),
                    (20, 384),
                    (13, 496),
                    (18, 624),
                    (11, 544),
                ],
            ),
            (
                Scheme::Cbcs,
                [
                    (650, 1934),
                    (10, 377),
                    (9, 395),
                    (9, 500),
                    (9, 633),
                    (9, 546),
                ],
            ),
        ];
        for (scheme, want) in shaka {
            let mut h = SliceHeaders::for_track(NalCodec::Avc, avcc);
            let mut fell_back = 0;
            let mut got = Vec::new();
            for s in &samples {
                let v = subsamples(NalCodec::Avc, 4, scheme, &mut h, s, &mut |_, _| {
                    fell_back += 1
                })
                .unwrap();
                got.push(v);
            }
            assert_eq!(fell_back, 0, "{scheme:?}");
            for (g, (c, p)) in got.iter().zip(want) {
                assert_eq!(
                    g,
                    &[Subsample {
                        clear_bytes: c,
                        protected_bytes: p
                    }],
                    "{scheme:?}"
                );
            }
        }
    }

    /// The same for x265 (the HEVC fixture, B-frames, 2 s GOP): slice segment headers of 3 to
    /// 7 bytes after the 2-byte NAL header, as Shaka Packager 3.4.2 wrote for the same samples.
    #[test]
    fn real_x265_slices_match_shaka_packager() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/media/hevc_aac.mp4"
        );
        let data = std::fs::read(path).unwrap();
        let idx = crate::bmff::Index::parse(&data).unwrap();
        let hvcc = &idx.boxes()[idx.all(b"hvcC").next().unwrap()];
        let hvcc = &data[hvcc.payload_range()];
        let tracks = crate::bmff::samples::track_samples(None, &data, 0).unwrap();
        let samples: Vec<&[u8]> = tracks[0]
            .samples
            .iter()
            .map(|s| &data[s.offset as usize..][..s.size as usize])
            .collect();
        let shaka: [(Scheme, [(u16, u32); 6]); 2] = [
            (
                Scheme::Cenc,
                [
                    (15, 2560),
                    (24, 1040),
                    (26, 192),
                    (27, 112),
                    (19, 160),
                    (24, 240),
                ],
            ),
            (
                Scheme::Cbcs,
                [
                    (9, 2566),
                    (13, 1051),
                    (12, 206),
                    (13, 126),
                    (13, 166),
                    (13, 251),
                ],
            ),
        ];
        for (scheme, want) in shaka {
            let mut h = SliceHeaders::for_track(NalCodec::Hevc, hvcc);
            assert!(matches!(h, SliceHeaders::Hevc(_)));
            let mut fell_back = 0;
            for (s, (c, p)) in samples.iter().zip(want) {
                let v = subsamples(NalCodec::Hevc, 4, scheme, &mut h, s, &mut |_, _| {
                    fell_back += 1
                })
                .unwrap();
                let one = Subsample {
                    clear_bytes: c,
                    protected_bytes: p,
                };
                assert_eq!(v, [one], "{scheme:?}");
            }
            assert_eq!(fell_back, 0, "{scheme:?}");
        }
    }

    #[test]
    fn unreadable_slice_header_falls_back_and_says_where() {
        // A slice naming a PPS never seen: NAL header clear only, reported at its offset.
        let mut s = nal(0x06, 10); // SEI
        s.extend(nal(0x41, 1 + 100));
        let mut h = SliceHeaders::Avc(AvcSlices::default());
        let mut seen = Vec::new();
        let v = subsamples(NalCodec::Avc, 4, Scheme::Cbcs, &mut h, &s, &mut |at, e| {
            seen.push((at, e))
        })
        .unwrap();
        assert_eq!(v, header_only(NalCodec::Avc, Scheme::Cbcs, &s).unwrap());
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, 14);
        assert!(matches!(
            seen[0].1,
            SliceHeaderError::MissingParameterSet { what: "PPS", .. }
        ));
    }

    #[test]
    fn bad_length_is_an_error() {
        let mut s = nal(0x65, 40);
        s[3] = 200;
        assert!(matches!(
            header_only(NalCodec::Avc, Scheme::Cenc, &s),
            Err(Error::BadNalLength { at: 0 })
        ));
    }
}
