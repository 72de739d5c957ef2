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
    /// use dashkit::bmff::boxes::Tfdt;
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
}
