//! `saiz`: sample auxiliary information sizes (ISO/IEC 14496-12 §8.7.8).

use super::*;

/// `saiz` (§8.7.8): the size of each sample's auxiliary information (for CENC, its `senc`
/// entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saiz {
    /// `aux_info_type` and `aux_info_type_parameter` (flag 0x1).
    pub aux_info_type: Option<(FourCc, u32)>,
    /// `default_sample_info_size` (0: sizes listed per sample).
    pub default_sample_info_size: u8,
    /// `sample_count`.
    pub sample_count: u32,
    /// Per-sample sizes (only when the default is 0).
    pub sizes: Vec<u8>,
}

impl Saiz {
    /// Decodes a whole `saiz` box.
    ///
    /// ```
    /// use dashkit::bmff::Saiz;
    /// let s = Saiz { aux_info_type: None, default_sample_info_size: 0, sample_count: 2, sizes: vec![16, 22] };
    /// let mut b = Vec::new();
    /// s.encode_into(&mut b).unwrap();
    /// assert_eq!(Saiz::parse(&b, 0).unwrap(), s);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, flags) = full_box(data, offset, b"saiz", path!(b"saiz"), 0)?;
        let aux_info_type = opt(flags & 1 != 0, || Ok((FourCc(r.array()?), r.u32()?)))?;
        let default_sample_info_size = r.u8()?;
        let sample_count = r.u32()?;
        let sizes = if default_sample_info_size == 0 {
            let n = r.check_count("saiz.sample_count", u64::from(sample_count), 1)?;
            r.bytes(n)?.to_vec()
        } else {
            Vec::new()
        };
        Ok(Saiz {
            aux_info_type,
            default_sample_info_size,
            sample_count,
            sizes,
        })
    }

    /// The info size of sample `i` (0-based).
    pub fn size_of(&self, i: usize) -> u8 {
        if self.default_sample_info_size != 0 {
            self.default_sample_info_size
        } else {
            self.sizes.get(i).copied().unwrap_or(0)
        }
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        12 + if self.aux_info_type.is_some() { 8 } else { 0 }
            + 5
            + if self.default_sample_info_size == 0 {
                self.sizes.len()
            } else {
                0
            }
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let flags = u32::from(self.aux_info_type.is_some());
        put_full_header(out, b"saiz", self.encoded_len(), 0, flags)?;
        if let Some((t, p)) = self.aux_info_type {
            out.extend_from_slice(&t.0);
            out.extend_from_slice(&p.to_be_bytes());
        }
        out.push(self.default_sample_info_size);
        out.extend_from_slice(&self.sample_count.to_be_bytes());
        if self.default_sample_info_size == 0 {
            out.extend_from_slice(&self.sizes);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for s in [
            Saiz {
                aux_info_type: Some((FourCc(*b"cenc"), 0)),
                default_sample_info_size: 8,
                sample_count: 40,
                sizes: vec![],
            },
            Saiz {
                aux_info_type: None,
                default_sample_info_size: 0,
                sample_count: 3,
                sizes: vec![16, 22, 28],
            },
        ] {
            let mut b = Vec::new();
            s.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), s.encoded_len());
            assert_eq!(Saiz::parse(&b, 0).unwrap(), s);
        }
        let b = crate::bmff::testbox::full(b"saiz", 0, 0, &[0, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(Saiz::parse(&b, 0).is_err());
    }
}
