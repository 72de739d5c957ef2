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
}
