//! `schm`: protection scheme type (ISO/IEC 14496-12 §8.12.5).

use super::*;

/// `schm` (§8.12.5): the protection scheme (`cenc`, `cbcs`, ...) and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schm {
    /// `scheme_type`.
    pub scheme_type: FourCc,
    /// `scheme_version` (0x00010000 for Common Encryption).
    pub scheme_version: u32,
    /// `scheme_uri` (flag 0x1), without its NUL.
    pub scheme_uri: Option<String>,
}

impl Schm {
    /// Decodes a whole `schm` box.
    ///
    /// ```
    /// use dashkit::bmff::{FourCc, Schm};
    /// let s = Schm { scheme_type: FourCc(*b"cbcs"), scheme_version: 0x10000, scheme_uri: None };
    /// let mut b = Vec::new();
    /// s.encode_into(&mut b).unwrap();
    /// assert_eq!(Schm::parse(&b, 0).unwrap(), s);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, flags) = full_box(data, offset, b"schm", path!(b"schm"), 0)?;
        let scheme_type = FourCc(r.array()?);
        let scheme_version = r.u32()?;
        let scheme_uri = opt(flags & 1 != 0, || r.cstring())?;
        Ok(Schm {
            scheme_type,
            scheme_version,
            scheme_uri,
        })
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        20 + self.scheme_uri.as_ref().map_or(0, |u| u.len() + 1)
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let flags = u32::from(self.scheme_uri.is_some());
        put_full_header(out, b"schm", self.encoded_len(), 0, flags)?;
        out.extend_from_slice(&self.scheme_type.0);
        out.extend_from_slice(&self.scheme_version.to_be_bytes());
        if let Some(u) = &self.scheme_uri {
            out.extend_from_slice(u.as_bytes());
            out.push(0);
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
            Schm {
                scheme_type: FourCc(*b"cenc"),
                scheme_version: 0x10000,
                scheme_uri: None,
            },
            Schm {
                scheme_type: FourCc(*b"cbcs"),
                scheme_version: 0x10000,
                scheme_uri: Some("urn:x".into()),
            },
        ] {
            let mut b = Vec::new();
            s.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), s.encoded_len());
            assert_eq!(Schm::parse(&b, 0).unwrap(), s);
        }
    }
}
