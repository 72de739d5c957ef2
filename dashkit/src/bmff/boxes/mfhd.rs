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
    /// use dashkit::bmff::Mfhd;
    /// let b = [0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 0, 0, 0, 9];
    /// assert_eq!(Mfhd::parse(&b, 0).unwrap().sequence_number, 9);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"mfhd", path!(b"mfhd"), 0)?;
        Ok(Mfhd {
            sequence_number: r.u32()?,
        })
    }

    /// Encoded length in bytes (always 16).
    pub fn encoded_len(&self) -> usize {
        16
    }

    /// Appends the encoded box to `out`.
    ///
    /// ```
    /// use dashkit::bmff::Mfhd;
    /// let mut b = Vec::new();
    /// Mfhd { sequence_number: 9 }.encode_into(&mut b).unwrap();
    /// assert_eq!(Mfhd::parse(&b, 0).unwrap().sequence_number, 9);
    /// ```
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"mfhd", self.encoded_len(), 0, 0)?;
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let m = Mfhd {
            sequence_number: 0xDEAD_BEEF,
        };
        let mut b = Vec::new();
        m.encode_into(&mut b).unwrap();
        assert_eq!(b.len(), m.encoded_len());
        assert_eq!(Mfhd::parse(&b, 0).unwrap(), m);
    }
}
