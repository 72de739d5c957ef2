//! `prft`: producer reference time (§8.16.5).

use super::*;

/// `prft` (§8.16.5): producer reference time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prft {
    /// 0 (32-bit media_time) or 1 (64-bit).
    pub version: u8,
    /// Flags: capture point (0 encoder input, 1 encoder output, ... 24 captured).
    pub flags: u32,
    /// `reference_track_ID`.
    pub reference_track_id: u32,
    /// `ntp_timestamp` (NTP 32.32, from 1900).
    pub ntp_timestamp: u64,
    /// `media_time`, in the reference track's mdhd timescale.
    pub media_time: u64,
}

impl Prft {
    /// Decodes a whole `prft` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"prft", path!(b"prft"), 1)?;
        Ok(Prft {
            version,
            flags,
            reference_track_id: r.u32()?,
            ntp_timestamp: r.u64()?,
            media_time: r.u32_or_u64(version == 1)?,
        })
    }

    /// Encoded length in bytes: 28 for version 0, 32 for version 1.
    #[cfg(test)]
    pub fn encoded_len(&self) -> usize {
        if self.version == 1 {
            32
        } else {
            28
        }
    }

    /// Appends the encoded box to `out`. Fails on a version 0 media time above 2^32 - 1.
    #[cfg(test)]
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(
            out,
            b"prft",
            self.encoded_len(),
            self.version.min(1),
            self.flags,
        )?;
        out.extend_from_slice(&self.reference_track_id.to_be_bytes());
        out.extend_from_slice(&self.ntp_timestamp.to_be_bytes());
        if self.version >= 1 {
            out.extend_from_slice(&self.media_time.to_be_bytes());
        } else {
            let t = u32::try_from(self.media_time)
                .map_err(|_| overflow(b"prft", "prft.media_time", self.media_time))?;
            out.extend_from_slice(&t.to_be_bytes());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::testbox::full;

    #[test]
    fn prft_mdhd_elst() {
        let mut body = 1u32.to_be_bytes().to_vec();
        body.extend_from_slice(&0xE000_0000_8000_0000u64.to_be_bytes());
        body.extend_from_slice(&77u64.to_be_bytes());
        let p = Prft::parse(&full(b"prft", 1, 4, &body), 0).unwrap();
        assert_eq!((p.media_time, p.flags, p.reference_track_id), (77, 4, 1));
        let mut body = vec![0u8; 8];
        body.extend_from_slice(&48000u32.to_be_bytes());
        body.extend_from_slice(&96000u32.to_be_bytes());
        body.extend_from_slice(&0x55C4u16.to_be_bytes());
        body.extend_from_slice(&[0, 0]);
        let m = Mdhd::parse(&full(b"mdhd", 0, 0, &body), 0).unwrap();
        assert_eq!(
            (m.timescale, m.duration, &m.language),
            (48000, 96000, b"und")
        );
        let mut body = 1u32.to_be_bytes().to_vec();
        body.extend_from_slice(&0u32.to_be_bytes());
        body.extend_from_slice(&1024i32.to_be_bytes());
        body.extend_from_slice(&[0, 1, 0, 0]);
        let e = parse_elst(&full(b"elst", 0, 0, &body), 0).unwrap();
        assert_eq!(e[0].media_time, 1024);
        let mut body = 9u32.to_be_bytes().to_vec();
        body.extend_from_slice(&[0; 12]);
        assert!(parse_elst(&full(b"elst", 0, 0, &body), 0).is_err());
    }

    #[test]
    fn round_trip() {
        for version in [0u8, 1] {
            let p = Prft {
                version,
                flags: 24,
                reference_track_id: 1,
                ntp_timestamp: 0xE000_0000_8000_0000,
                media_time: 90_000,
            };
            let mut b = Vec::new();
            p.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), p.encoded_len());
            assert_eq!(Prft::parse(&b, 0).unwrap(), p);
        }
    }
}
