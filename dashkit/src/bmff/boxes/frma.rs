//! `frma`: original format of a protected sample entry (ISO/IEC 14496-12 §8.12.2).

use super::*;

/// `frma` (§8.12.2): the sample entry type before protection (`avc1`, `mp4a`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frma {
    /// `data_format`.
    pub data_format: FourCc,
}

impl Frma {
    /// Decodes a whole `frma` box.
    ///
    /// ```
    /// use dashkit::bmff::{FourCc, Frma};
    /// let f = Frma { data_format: FourCc(*b"avc1") };
    /// let mut b = Vec::new();
    /// f.encode_into(&mut b).unwrap();
    /// assert_eq!(Frma::parse(&b, 0).unwrap(), f);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let mut r = Reader::new(data, offset, "frma");
        box_header(&mut r, b"frma")?;
        Ok(Frma {
            data_format: FourCc(r.array()?),
        })
    }

    /// Encoded length in bytes (always 12).
    pub fn encoded_len(&self) -> usize {
        12
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_header(out, b"frma", 12)?;
        out.extend_from_slice(&self.data_format.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let f = Frma {
            data_format: FourCc(*b"hvc1"),
        };
        let mut b = Vec::new();
        f.encode_into(&mut b).unwrap();
        assert_eq!(b.len(), f.encoded_len());
        assert_eq!(Frma::parse(&b, 0).unwrap(), f);
        assert!(Frma::parse(&b[..11], 0).is_err());
    }
}
