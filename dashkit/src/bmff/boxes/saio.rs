//! `saio`: sample auxiliary information offsets (§8.7.9).

use super::*;

/// `saio` (§8.7.9): sample auxiliary information offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saio {
    /// 0 (32-bit offsets) or 1 (64-bit).
    pub version: u8,
    /// Flags (0x1: aux_info_type present).
    pub flags: u32,
    /// Offsets (in traf: relative to the traf's data base).
    pub offsets: Vec<u64>,
    /// Position of the first offset within the box.
    pub offsets_at: usize,
}

impl Saio {
    /// Decodes a whole `saio` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"saio", path!(b"saio"), 1)?;
        if flags & 1 != 0 {
            r.skip(8)?;
        }
        let count = r.u32()?;
        let wide = version == 1;
        let n = r.check_count(
            "saio.entry_count",
            u64::from(count),
            if wide { 8 } else { 4 },
        )?;
        let offsets_at = r.pos();
        let mut offsets = Vec::with_capacity(n);
        for _ in 0..n {
            offsets.push(r.u32_or_u64(wide)?);
        }
        Ok(Saio {
            version,
            flags,
            offsets,
            offsets_at,
        })
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        12 + if self.flags & 1 != 0 { 8 } else { 0 }
            + 4
            + self.offsets.len() * if self.version == 1 { 8 } else { 4 }
    }

    /// Appends the encoded box to `out` (flag 0x1 writes `aux_info_type` `cenc`, parameter 0).
    ///
    /// ```
    /// use dashkit::bmff::Saio;
    /// let s = Saio { version: 0, flags: 0, offsets: vec![1234], offsets_at: 16 };
    /// let mut b = Vec::new();
    /// s.encode_into(&mut b).unwrap();
    /// assert_eq!(Saio::parse(&b, 0).unwrap(), s);
    /// ```
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"saio", self.encoded_len(), self.version, self.flags)?;
        if self.flags & 1 != 0 {
            out.extend_from_slice(b"cenc");
            out.extend_from_slice(&0u32.to_be_bytes());
        }
        let n = u32::try_from(self.offsets.len())
            .map_err(|_| overflow(b"saio", "entry_count", self.offsets.len() as u64))?;
        out.extend_from_slice(&n.to_be_bytes());
        for &o in &self.offsets {
            if self.version == 1 {
                out.extend_from_slice(&o.to_be_bytes());
            } else {
                let o = u32::try_from(o).map_err(|_| overflow(b"saio", "offset", o))?;
                out.extend_from_slice(&o.to_be_bytes());
            }
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
            Saio {
                version: 0,
                flags: 1,
                offsets: vec![99],
                offsets_at: 24,
            },
            Saio {
                version: 1,
                flags: 0,
                offsets: vec![1 << 40, 7],
                offsets_at: 16,
            },
        ] {
            let mut b = Vec::new();
            s.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), s.encoded_len());
            assert_eq!(Saio::parse(&b, 0).unwrap(), s);
        }
    }
}
