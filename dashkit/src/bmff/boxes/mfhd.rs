//! `mfhd`: movie fragment header (§8.8.5).

use super::*;

/// `mfhd` (§8.8.5): the fragment's sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mfhd {
    /// `sequence_number` (1-based in practice).
    pub sequence_number: u32,
}

impl Mfhd {
    /// Decodes a whole `mfhd` box.
    ///
    /// ```
    /// use dashkit::bmff::boxes::Mfhd;
    /// let b = [0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 0, 0, 0, 9];
    /// assert_eq!(Mfhd::parse(&b, 0).unwrap().sequence_number, 9);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"mfhd", path!(b"mfhd"), 0)?;
        Ok(Mfhd {
            sequence_number: r.u32()?,
        })
    }
}
