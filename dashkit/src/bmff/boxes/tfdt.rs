//! `tfdt`: track fragment decode time (§8.8.12).

use super::*;

/// `tfdt` (§8.8.12): decode time of the first sample of the track fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tfdt {
    /// 0 (32-bit) or 1 (64-bit).
    pub version: u8,
    /// `baseMediaDecodeTime`, in the track's mdhd timescale.
    pub base_media_decode_time: u64,
}

impl Tfdt {
    /// Decodes a whole `tfdt` box.
    ///
    /// ```
    /// use dashkit::bmff::Tfdt;
    /// let b = [0, 0, 0, 16, b't', b'f', b'd', b't', 0, 0, 0, 0, 0, 1, 0, 0];
    /// assert_eq!(Tfdt::parse(&b, 0).unwrap().base_media_decode_time, 65536);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"tfdt", path!(b"tfdt"), 1)?;
        Ok(Tfdt {
            version,
            base_media_decode_time: r.u32_or_u64(version == 1)?,
        })
    }

    /// A tfdt for `base_media_decode_time`: version 0 when it fits 32 bits, else version 1.
    pub fn new(base_media_decode_time: u64) -> Self {
        Tfdt {
            version: u8::from(u32::try_from(base_media_decode_time).is_err()),
            base_media_decode_time,
        }
    }

    /// Encoded length in bytes: 16 for version 0, 20 for version 1.
    pub fn encoded_len(&self) -> usize {
        if self.version == 1 {
            20
        } else {
            16
        }
    }

    /// Appends the encoded box to `out`. Fails on a version 0 time above 2^32 - 1.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"tfdt", self.encoded_len(), self.version.min(1), 0)?;
        if self.version >= 1 {
            out.extend_from_slice(&self.base_media_decode_time.to_be_bytes());
        } else {
            let t = u32::try_from(self.base_media_decode_time).map_err(|_| {
                overflow(
                    b"tfdt",
                    "tfdt.baseMediaDecodeTime",
                    self.base_media_decode_time,
                )
            })?;
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
    fn tfdt_v0_v1() {
        let b = full(b"tfdt", 0, 0, &[0, 0, 1, 0]);
        assert_eq!(
            Tfdt::parse(&b, 0).unwrap(),
            Tfdt {
                version: 0,
                base_media_decode_time: 256
            }
        );
        let b = full(b"tfdt", 1, 0, &[0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(
            Tfdt::parse(&b, 0).unwrap().base_media_decode_time,
            (1 << 32) + 2
        );
        let b = full(b"tfdt", 1, 0, &[0, 0, 0, 1]);
        let e = Tfdt::parse(&b, 40).unwrap_err();
        assert_eq!(e.offset, 52);
        assert_eq!(e.path, "tfdt");
        let b = full(b"tfdt", 2, 0, &[0, 0, 0, 1]);
        assert!(matches!(
            Tfdt::parse(&b, 0).unwrap_err().kind,
            ErrorKind::BadField {
                field: "version",
                value: 2
            }
        ));
    }

    #[test]
    fn round_trip_and_growth_to_version_1() {
        for (t, v, len) in [(5u64, 0u8, 16usize), (1 << 33, 1, 20)] {
            let d = Tfdt::new(t);
            assert_eq!(d.version, v);
            let mut b = Vec::new();
            d.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), len);
            assert_eq!(Tfdt::parse(&b, 0).unwrap(), d);
        }
        let wide = Tfdt {
            version: 0,
            base_media_decode_time: 1 << 32,
        };
        assert!(wide.encode_into(&mut Vec::new()).is_err());
    }
}
