//! `mvhd`: movie header (§8.2.2).

use super::*;

/// `mvhd` (§8.2.2): movie header (the fields dashkit uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mvhd {
    /// 0 or 1.
    pub version: u8,
    /// Movie timescale.
    pub timescale: u32,
    /// Movie duration in `timescale`.
    pub duration: u64,
}

impl Mvhd {
    /// Decodes a whole `mvhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"mvhd", path!(b"mvhd"), 1)?;
        let wide = version == 1;
        r.u32_or_u64(wide)?;
        r.u32_or_u64(wide)?;
        Ok(Mvhd {
            version,
            timescale: r.u32()?,
            duration: r.u32_or_u64(wide)?,
        })
    }
}
