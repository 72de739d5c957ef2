//! `ftyp`: file and segment type brands, `ftyp` and `styp` (§4.3, §8.16.2).

use super::*;

/// `ftyp`/`styp` (§4.3): brands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ftyp {
    /// `major_brand`.
    pub major_brand: FourCc,
    /// `minor_version`.
    pub minor_version: u32,
    /// `compatible_brands`.
    pub compatible_brands: Vec<FourCc>,
}

impl Ftyp {
    /// Decodes the payload of an `ftyp` or `styp` box (after its header).
    pub fn parse_payload(payload: &[u8], offset: u64) -> Result<Self, Error> {
        let mut r = Reader::new(payload, offset, "ftyp");
        let major_brand = FourCc(r.array()?);
        let minor_version = r.u32()?;
        let rest = r.rest();
        Ok(Ftyp {
            major_brand,
            minor_version,
            compatible_brands: rest
                .chunks_exact(4)
                .map(|c| FourCc([c[0], c[1], c[2], c[3]]))
                .collect(),
        })
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        16 + 4 * self.compatible_brands.len()
    }

    /// Appends the encoded box to `out` as type `kind` (`ftyp` or `styp`).
    ///
    /// ```
    /// use dashkit::bmff::{FourCc, Ftyp};
    /// let f = Ftyp { major_brand: FourCc(*b"msdh"), minor_version: 0,
    ///     compatible_brands: vec![FourCc(*b"msdh"), FourCc(*b"msix")] };
    /// let mut b = Vec::new();
    /// f.encode_into(b"styp", &mut b).unwrap();
    /// assert_eq!(&b[..8], &[0, 0, 0, 24, b's', b't', b'y', b'p']);
    /// ```
    pub fn encode_into(&self, kind: &[u8; 4], out: &mut Vec<u8>) -> Result<(), Error> {
        put_header(out, kind, self.encoded_len())?;
        out.extend_from_slice(&self.major_brand.0);
        out.extend_from_slice(&self.minor_version.to_be_bytes());
        for b in &self.compatible_brands {
            out.extend_from_slice(&b.0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let f = Ftyp {
            major_brand: FourCc(*b"iso6"),
            minor_version: 1,
            compatible_brands: vec![FourCc(*b"iso6"), FourCc(*b"cmfc")],
        };
        let mut b = Vec::new();
        f.encode_into(b"ftyp", &mut b).unwrap();
        assert_eq!(b.len(), f.encoded_len());
        assert_eq!(Ftyp::parse_payload(&b[8..], 8).unwrap(), f);
    }
}
