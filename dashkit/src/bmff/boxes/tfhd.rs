//! `tfhd`: track fragment header (§8.8.7).

use super::*;

/// `tfhd` flag: base_data_offset present.
pub const TFHD_BASE_DATA_OFFSET: u32 = 0x000001;
/// `tfhd` flag: sample_description_index present.
pub const TFHD_SAMPLE_DESCRIPTION_INDEX: u32 = 0x000002;
/// `tfhd` flag: default_sample_duration present.
pub const TFHD_DEFAULT_DURATION: u32 = 0x000008;
/// `tfhd` flag: default_sample_size present.
pub const TFHD_DEFAULT_SIZE: u32 = 0x000010;
/// `tfhd` flag: default_sample_flags present.
pub const TFHD_DEFAULT_FLAGS: u32 = 0x000020;
/// `tfhd` flag: default-base-is-moof.
pub const TFHD_DEFAULT_BASE_IS_MOOF: u32 = 0x020000;

/// `tfhd` (§8.8.7): track fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tfhd {
    /// tf_flags.
    pub flags: u32,
    /// `track_ID`.
    pub track_id: u32,
    /// `base_data_offset` (absolute file offset), flag 0x000001.
    pub base_data_offset: Option<u64>,
    /// `sample_description_index`, flag 0x000002.
    pub sample_description_index: Option<u32>,
    /// `default_sample_duration`, flag 0x000008.
    pub default_sample_duration: Option<u32>,
    /// `default_sample_size`, flag 0x000010.
    pub default_sample_size: Option<u32>,
    /// `default_sample_flags`, flag 0x000020.
    pub default_sample_flags: Option<u32>,
}

impl Tfhd {
    /// Decodes a whole `tfhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, flags) = full_box(data, offset, b"tfhd", path!(b"tfhd"), 0)?;
        let track_id = r.u32()?;
        let base_data_offset = opt(flags & TFHD_BASE_DATA_OFFSET != 0, || r.u64())?;
        let sample_description_index = opt(flags & TFHD_SAMPLE_DESCRIPTION_INDEX != 0, || r.u32())?;
        let default_sample_duration = opt(flags & TFHD_DEFAULT_DURATION != 0, || r.u32())?;
        let default_sample_size = opt(flags & TFHD_DEFAULT_SIZE != 0, || r.u32())?;
        let default_sample_flags = opt(flags & TFHD_DEFAULT_FLAGS != 0, || r.u32())?;
        Ok(Tfhd {
            flags,
            track_id,
            base_data_offset,
            sample_description_index,
            default_sample_duration,
            default_sample_size,
            default_sample_flags,
        })
    }

    /// True when the data base is the moof start (default-base-is-moof and no explicit base).
    pub fn base_is_moof(&self) -> bool {
        self.base_data_offset.is_none() && self.flags & TFHD_DEFAULT_BASE_IS_MOOF != 0
    }

    /// Where the data of this track fragment is counted from (§8.8.7.1), for the traf at
    /// position `traf_index` among its moof's trafs: `base_data_offset` when present, else
    /// the moof's first byte when default-base-is-moof is set or this is the moof's first
    /// traf, else the end of the previous traf's data.
    ///
    /// ```
    /// use dashkit::bmff::{DataBase, Tfhd};
    /// let tfhd = Tfhd { flags: 0, track_id: 1, base_data_offset: None,
    ///     sample_description_index: None, default_sample_duration: None,
    ///     default_sample_size: None, default_sample_flags: None };
    /// assert_eq!(tfhd.data_base(0), DataBase::Moof);
    /// assert_eq!(tfhd.data_base(1), DataBase::AfterPrevious);
    /// assert_eq!(DataBase::AfterPrevious.offset(100, Some(180)), 180);
    /// ```
    pub fn data_base(&self, traf_index: usize) -> DataBase {
        match self.base_data_offset {
            Some(b) => DataBase::Explicit(b),
            None if self.flags & TFHD_DEFAULT_BASE_IS_MOOF != 0 || traf_index == 0 => {
                DataBase::Moof
            }
            None => DataBase::AfterPrevious,
        }
    }

    /// The tf_flags written: the stored flags with the presence bits of the optional fields
    /// set from the fields themselves.
    pub fn encoded_flags(&self) -> u32 {
        let presence = [
            (self.base_data_offset.is_some(), TFHD_BASE_DATA_OFFSET),
            (
                self.sample_description_index.is_some(),
                TFHD_SAMPLE_DESCRIPTION_INDEX,
            ),
            (
                self.default_sample_duration.is_some(),
                TFHD_DEFAULT_DURATION,
            ),
            (self.default_sample_size.is_some(), TFHD_DEFAULT_SIZE),
            (self.default_sample_flags.is_some(), TFHD_DEFAULT_FLAGS),
        ];
        presence.iter().fold(
            self.flags,
            |f, &(on, bit)| if on { f | bit } else { f & !bit },
        )
    }

    /// Encoded length in bytes, from the fields present.
    pub fn encoded_len(&self) -> usize {
        16 + self.base_data_offset.map_or(0, |_| 8)
            + 4 * [
                self.sample_description_index,
                self.default_sample_duration,
                self.default_sample_size,
                self.default_sample_flags,
            ]
            .iter()
            .filter(|v| v.is_some())
            .count()
    }

    /// Appends the encoded box to `out` (flags from [`Tfhd::encoded_flags`]).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"tfhd", self.encoded_len(), 0, self.encoded_flags())?;
        out.extend_from_slice(&self.track_id.to_be_bytes());
        if let Some(b) = self.base_data_offset {
            out.extend_from_slice(&b.to_be_bytes());
        }
        for v in [
            self.sample_description_index,
            self.default_sample_duration,
            self.default_sample_size,
            self.default_sample_flags,
        ]
        .into_iter()
        .flatten()
        {
            out.extend_from_slice(&v.to_be_bytes());
        }
        Ok(())
    }
}

/// The base a traf's trun `data_offset` values count from (§8.8.7.1); see [`Tfhd::data_base`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataBase {
    /// `base_data_offset`: an absolute offset.
    Explicit(u64),
    /// The first byte of the enclosing moof.
    Moof,
    /// The end of the previous traf's data (a later traf without base flags).
    AfterPrevious,
}

impl DataBase {
    /// The absolute base, given the moof's offset and where the previous traf's data ended
    /// (the moof's offset when unknown).
    pub fn offset(self, moof_offset: u64, previous_end: Option<u64>) -> u64 {
        match self {
            DataBase::Explicit(b) => b,
            DataBase::Moof => moof_offset,
            DataBase::AfterPrevious => previous_end.unwrap_or(moof_offset),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::testbox::full;

    #[test]
    fn tfhd_all_flags() {
        let mut body = 3u32.to_be_bytes().to_vec();
        body.extend_from_slice(&1000u64.to_be_bytes());
        for v in [2u32, 1024, 500, 0x0101_0000] {
            body.extend_from_slice(&v.to_be_bytes());
        }
        let b = full(b"tfhd", 0, 0x3B, &body);
        let t = Tfhd::parse(&b, 0).unwrap();
        assert_eq!(t.track_id, 3);
        assert_eq!(t.base_data_offset, Some(1000));
        assert_eq!(t.sample_description_index, Some(2));
        assert_eq!(t.default_sample_duration, Some(1024));
        assert_eq!(t.default_sample_size, Some(500));
        assert_eq!(t.default_sample_flags, Some(0x0101_0000));
        assert!(!t.base_is_moof());
        let b = full(b"tfhd", 0, 0x020000, &1u32.to_be_bytes());
        assert!(Tfhd::parse(&b, 0).unwrap().base_is_moof());
        // Flag says a field is there but the bytes are not.
        let b = full(b"tfhd", 0, 0x08, &1u32.to_be_bytes());
        assert!(matches!(
            Tfhd::parse(&b, 0).unwrap_err().kind,
            ErrorKind::Truncated { .. }
        ));
    }

    #[test]
    fn round_trip_sets_presence_flags_from_fields() {
        let t = Tfhd {
            flags: TFHD_DEFAULT_BASE_IS_MOOF | TFHD_DEFAULT_SIZE,
            track_id: 3,
            base_data_offset: None,
            sample_description_index: Some(1),
            default_sample_duration: Some(512),
            default_sample_size: None,
            default_sample_flags: Some(0x0101_0000),
        };
        let mut b = Vec::new();
        t.encode_into(&mut b).unwrap();
        assert_eq!(b.len(), t.encoded_len());
        let back = Tfhd::parse(&b, 0).unwrap();
        assert_eq!(back.flags, 0x02_002A);
        assert_eq!(
            Tfhd {
                flags: back.flags,
                ..t
            },
            back
        );
    }
}
