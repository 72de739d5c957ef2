//! `trex`: track extends defaults (§8.8.3).

use super::*;

/// `trex` (§8.8.3): per-track fragment defaults from the init segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trex {
    /// `track_ID`.
    pub track_id: u32,
    /// `default_sample_description_index`.
    pub default_sample_description_index: u32,
    /// `default_sample_duration`.
    pub default_sample_duration: u32,
    /// `default_sample_size`.
    pub default_sample_size: u32,
    /// `default_sample_flags`.
    pub default_sample_flags: u32,
}

impl Trex {
    /// Decodes a whole `trex` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"trex", path!(b"trex"), 0)?;
        Ok(Trex {
            track_id: r.u32()?,
            default_sample_description_index: r.u32()?,
            default_sample_duration: r.u32()?,
            default_sample_size: r.u32()?,
            default_sample_flags: r.u32()?,
        })
    }

    /// Encoded length in bytes (always 32).
    pub fn encoded_len(&self) -> usize {
        32
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"trex", self.encoded_len(), 0, 0)?;
        for v in [
            self.track_id,
            self.default_sample_description_index,
            self.default_sample_duration,
            self.default_sample_size,
            self.default_sample_flags,
        ] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = Trex {
            track_id: 2,
            default_sample_description_index: 1,
            default_sample_duration: 1024,
            default_sample_size: 7,
            default_sample_flags: 0x0101_0000,
        };
        let mut b = Vec::new();
        t.encode_into(&mut b).unwrap();
        assert_eq!(b.len(), t.encoded_len());
        assert_eq!(Trex::parse(&b, 0).unwrap(), t);
    }
}
