//! `tenc`: track encryption defaults (ISO/IEC 23001-7 §8.2).

use super::*;

/// `tenc` (ISO/IEC 23001-7 §8.2): the track's default protection. Version 1 carries the
/// `cbcs` pattern (`default_crypt_byte_block`, `default_skip_byte_block`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenc {
    /// 0, or 1 when a pattern is carried.
    pub version: u8,
    /// Encrypted 16-byte blocks per pattern (version 1; 0 in version 0).
    pub crypt_byte_block: u8,
    /// Clear 16-byte blocks per pattern (version 1; 0 in version 0).
    pub skip_byte_block: u8,
    /// `default_isProtected`: 1 when samples are encrypted.
    pub is_protected: u8,
    /// `default_Per_Sample_IV_Size`: 0 (constant IV), 8 or 16.
    pub per_sample_iv_size: u8,
    /// `default_KID`.
    pub kid: [u8; 16],
    /// `default_constant_IV` (present when `per_sample_iv_size` is 0 and the track is
    /// protected): 8 or 16 bytes.
    pub constant_iv: Vec<u8>,
}

impl Tenc {
    /// Decodes a whole `tenc` box.
    ///
    /// ```
    /// use dashkit::bmff::Tenc;
    /// let t = Tenc { version: 0, crypt_byte_block: 0, skip_byte_block: 0, is_protected: 1,
    ///     per_sample_iv_size: 8, kid: [7; 16], constant_iv: vec![] };
    /// let mut b = Vec::new();
    /// t.encode_into(&mut b).unwrap();
    /// assert_eq!(Tenc::parse(&b, 0).unwrap(), t);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"tenc", path!(b"tenc"), 1)?;
        r.skip(1)?;
        let pattern = r.u8()?;
        let (crypt_byte_block, skip_byte_block) = if version == 0 {
            (0, 0)
        } else {
            (pattern >> 4, pattern & 0x0F)
        };
        let is_protected = r.u8()?;
        let at = r.offset();
        let per_sample_iv_size = r.u8()?;
        if !matches!(per_sample_iv_size, 0 | 8 | 16) {
            return Err(Error::new(
                at,
                "tenc",
                ErrorKind::BadField {
                    field: "tenc.default_Per_Sample_IV_Size",
                    value: u64::from(per_sample_iv_size),
                },
            ));
        }
        let kid = r.array::<16>()?;
        let mut constant_iv = Vec::new();
        if is_protected == 1 && per_sample_iv_size == 0 {
            let at = r.offset();
            let n = r.u8()?;
            if !matches!(n, 8 | 16) {
                return Err(Error::new(
                    at,
                    "tenc",
                    ErrorKind::BadField {
                        field: "tenc.default_constant_IV_size",
                        value: u64::from(n),
                    },
                ));
            }
            constant_iv = r.bytes(usize::from(n))?.to_vec();
        }
        Ok(Tenc {
            version,
            crypt_byte_block,
            skip_byte_block,
            is_protected,
            per_sample_iv_size,
            kid,
            constant_iv,
        })
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        let civ = if self.is_protected == 1 && self.per_sample_iv_size == 0 {
            1 + self.constant_iv.len()
        } else {
            0
        };
        12 + 4 + 16 + civ
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"tenc", self.encoded_len(), self.version, 0)?;
        out.push(0);
        out.push(if self.version == 0 {
            0
        } else {
            (self.crypt_byte_block << 4) | (self.skip_byte_block & 0x0F)
        });
        out.push(self.is_protected);
        out.push(self.per_sample_iv_size);
        out.extend_from_slice(&self.kid);
        if self.is_protected == 1 && self.per_sample_iv_size == 0 {
            let n = u8::try_from(self.constant_iv.len()).map_err(|_| {
                overflow(b"tenc", "constant_IV_size", self.constant_iv.len() as u64)
            })?;
            out.push(n);
            out.extend_from_slice(&self.constant_iv);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_both_versions() {
        for t in [
            Tenc {
                version: 0,
                crypt_byte_block: 0,
                skip_byte_block: 0,
                is_protected: 1,
                per_sample_iv_size: 8,
                kid: [1; 16],
                constant_iv: vec![],
            },
            Tenc {
                version: 1,
                crypt_byte_block: 1,
                skip_byte_block: 9,
                is_protected: 1,
                per_sample_iv_size: 0,
                kid: [2; 16],
                constant_iv: vec![3; 16],
            },
        ] {
            let mut b = Vec::new();
            t.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), t.encoded_len());
            assert_eq!(Tenc::parse(&b, 0).unwrap(), t);
        }
    }

    #[test]
    fn bad_iv_size_says_where() {
        let mut b = Vec::new();
        Tenc {
            version: 0,
            crypt_byte_block: 0,
            skip_byte_block: 0,
            is_protected: 1,
            per_sample_iv_size: 8,
            kid: [1; 16],
            constant_iv: vec![],
        }
        .encode_into(&mut b)
        .unwrap();
        b[15] = 7;
        let e = Tenc::parse(&b, 100).unwrap_err();
        assert_eq!(e.offset, 115);
    }
}
