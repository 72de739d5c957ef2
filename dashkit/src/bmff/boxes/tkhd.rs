//! `tkhd`: track header (§8.3.2).

use super::*;

/// `tkhd` (§8.3.2): track header (the fields dashkit uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tkhd {
    /// 0 or 1.
    pub version: u8,
    /// Flags (0x1 enabled, 0x2 in movie, 0x4 in preview).
    pub flags: u32,
    /// `track_ID`.
    pub track_id: u32,
    /// Duration in the movie timescale.
    pub duration: u64,
    /// Width, 16.16 fixed point.
    pub width: u32,
    /// Height, 16.16 fixed point.
    pub height: u32,
}

impl Tkhd {
    /// Decodes a whole `tkhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"tkhd", path!(b"tkhd"), 1)?;
        let wide = version == 1;
        r.u32_or_u64(wide)?;
        r.u32_or_u64(wide)?;
        let track_id = r.u32()?;
        r.skip(4)?;
        let duration = r.u32_or_u64(wide)?;
        r.skip(8 + 2 + 2 + 2 + 2 + 36)?;
        Ok(Tkhd {
            version,
            flags,
            track_id,
            duration,
            width: r.u32()?,
            height: r.u32()?,
        })
    }
}
