//! `mehd`: movie extends header (§8.8.2).

use super::*;

/// `mehd` (§8.8.2): the duration of the whole fragmented movie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mehd {
    /// 0 (32-bit) or 1 (64-bit).
    pub version: u8,
    /// `fragment_duration`, in the movie timescale.
    pub fragment_duration: u64,
}

impl Mehd {
    /// A mehd for `fragment_duration`: version 0 when it fits 32 bits, else version 1.
    pub fn new(fragment_duration: u64) -> Self {
        Mehd {
            version: u8::from(u32::try_from(fragment_duration).is_err()),
            fragment_duration,
        }
    }

    /// Decodes a whole `mehd` box (only the round-trip test reads one back).
    #[cfg(test)]
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"mehd", path!(b"mehd"), 1)?;
        Ok(Mehd {
            version,
            fragment_duration: r.u32_or_u64(version == 1)?,
        })
    }

    /// Encoded length in bytes: 16 for version 0, 20 for version 1.
    pub fn encoded_len(&self) -> usize {
        if self.version == 1 {
            20
        } else {
            16
        }
    }

    /// Appends the encoded box to `out`. Fails on a version 0 duration above 2^32 - 1.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"mehd", self.encoded_len(), self.version.min(1), 0)?;
        if self.version >= 1 {
            out.extend_from_slice(&self.fragment_duration.to_be_bytes());
        } else {
            let d = u32::try_from(self.fragment_duration)
                .map_err(|_| overflow(b"mehd", "mehd.fragment_duration", self.fragment_duration))?;
            out.extend_from_slice(&d.to_be_bytes());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for d in [90_000u64, 1 << 40] {
            let m = Mehd::new(d);
            let mut b = Vec::new();
            m.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), m.encoded_len());
            assert_eq!(Mehd::parse(&b, 0).unwrap(), m);
        }
    }
}
