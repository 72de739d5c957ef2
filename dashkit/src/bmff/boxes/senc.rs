//! `senc`: sample encryption (ISO/IEC 23001-7 §7.2).

use super::*;

/// `senc` flag: every entry lists its subsamples.
pub const SENC_USE_SUBSAMPLES: u32 = 0x2;

/// One subsample (ISO/IEC 23001-7 §7.2.2): clear bytes, then protected bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Subsample {
    /// `BytesOfClearData`.
    pub clear_bytes: u16,
    /// `BytesOfProtectedData`.
    pub protected_bytes: u32,
}

/// One sample's auxiliary information: its IV (per-sample IV size bytes, none with a constant
/// IV) and its subsamples (empty for full-sample encryption).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SencEntry {
    /// `InitializationVector`.
    pub iv: Vec<u8>,
    /// Subsamples, in sample order.
    pub subsamples: Vec<Subsample>,
}

impl SencEntry {
    /// Size of this entry in `senc` (and so its `saiz` sample_info_size).
    pub fn encoded_len(&self, use_subsamples: bool) -> usize {
        self.iv.len()
            + if use_subsamples {
                2 + 6 * self.subsamples.len()
            } else {
                0
            }
    }
}

/// `senc` (ISO/IEC 23001-7 §7.2): one [`SencEntry`] per sample of the `traf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Senc {
    /// Flags ([`SENC_USE_SUBSAMPLES`]).
    pub flags: u32,
    /// Entries, one per sample.
    pub entries: Vec<SencEntry>,
}

impl Senc {
    /// Decodes a whole `senc` box. The IV size is not in the box: it is the track's
    /// `tenc.default_Per_Sample_IV_Size` (0, 8 or 16).
    ///
    /// ```
    /// use dashkit::bmff::{Senc, SencEntry, Subsample, SENC_USE_SUBSAMPLES};
    /// let s = Senc { flags: SENC_USE_SUBSAMPLES, entries: vec![SencEntry {
    ///     iv: vec![1; 8], subsamples: vec![Subsample { clear_bytes: 5, protected_bytes: 32 }] }] };
    /// let mut b = Vec::new();
    /// s.encode_into(&mut b).unwrap();
    /// assert_eq!(Senc::parse(&b, 0, 8).unwrap(), s);
    /// ```
    pub fn parse(data: &[u8], offset: u64, iv_size: u8) -> Result<Self, Error> {
        let (mut r, _, flags) = full_box(data, offset, b"senc", path!(b"senc"), 0)?;
        let iv = usize::from(iv_size);
        let subs = flags & SENC_USE_SUBSAMPLES != 0;
        let count = r.u32()?;
        let min = iv as u64 + if subs { 2 } else { 0 };
        let n = if min == 0 {
            let max = crate::limits::MAX_SAMPLES_PER_RUN;
            if u64::from(count) > max {
                return Err(r.err(ErrorKind::TooMany {
                    field: "senc.sample_count",
                    count: u64::from(count),
                    max,
                }));
            }
            count as usize
        } else {
            r.check_count("senc.sample_count", u64::from(count), min)?
        };
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let iv = r.bytes(iv)?.to_vec();
            let mut subsamples = Vec::new();
            if subs {
                let k = r.u16()?;
                let k = r.check_count("senc.subsample_count", u64::from(k), 6)?;
                subsamples.reserve(k);
                for _ in 0..k {
                    subsamples.push(Subsample {
                        clear_bytes: r.u16()?,
                        protected_bytes: r.u32()?,
                    });
                }
            }
            entries.push(SencEntry { iv, subsamples });
        }
        if r.remaining() != 0 {
            return Err(r.err(ErrorKind::BadField {
                field: "senc trailing bytes",
                value: r.remaining() as u64,
            }));
        }
        Ok(Senc { flags, entries })
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        let subs = self.flags & SENC_USE_SUBSAMPLES != 0;
        16 + self
            .entries
            .iter()
            .map(|e| e.encoded_len(subs))
            .sum::<usize>()
    }

    /// Appends the encoded box to `out`. The auxiliary data of the first sample starts 16
    /// bytes into the box (where a `saio` points).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"senc", self.encoded_len(), 0, self.flags)?;
        let n = u32::try_from(self.entries.len())
            .map_err(|_| overflow(b"senc", "sample_count", self.entries.len() as u64))?;
        out.extend_from_slice(&n.to_be_bytes());
        let subs = self.flags & SENC_USE_SUBSAMPLES != 0;
        for e in &self.entries {
            out.extend_from_slice(&e.iv);
            if subs {
                let k = u16::try_from(e.subsamples.len())
                    .map_err(|_| overflow(b"senc", "subsample_count", e.subsamples.len() as u64))?;
                out.extend_from_slice(&k.to_be_bytes());
                for s in &e.subsamples {
                    out.extend_from_slice(&s.clear_bytes.to_be_bytes());
                    out.extend_from_slice(&s.protected_bytes.to_be_bytes());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_subsamples() {
        for (flags, iv) in [
            (0, 8u8),
            (SENC_USE_SUBSAMPLES, 0),
            (SENC_USE_SUBSAMPLES, 16),
        ] {
            let s = Senc {
                flags,
                entries: (0..3)
                    .map(|i| SencEntry {
                        iv: vec![i; usize::from(iv)],
                        subsamples: if flags != 0 {
                            vec![Subsample {
                                clear_bytes: 4 + u16::from(i),
                                protected_bytes: 16 * u32::from(i),
                            }]
                        } else {
                            vec![]
                        },
                    })
                    .collect(),
            };
            let mut b = Vec::new();
            s.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), s.encoded_len());
            assert_eq!(Senc::parse(&b, 0, iv).unwrap(), s);
        }
    }

    #[test]
    fn hostile_count_is_an_error() {
        let b = crate::bmff::testbox::full(b"senc", 0, 2, &[0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(matches!(
            Senc::parse(&b, 0, 8).unwrap_err().kind,
            ErrorKind::CountPastEnd { .. }
        ));
        let b = crate::bmff::testbox::full(b"senc", 0, 0, &[0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(matches!(
            Senc::parse(&b, 0, 0).unwrap_err().kind,
            ErrorKind::TooMany { .. }
        ));
    }
}
