//! `mdhd`: media header (§8.4.2).

use super::*;

/// `mdhd` (§8.4.2): media header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mdhd {
    /// 0 or 1.
    pub version: u8,
    /// Media timescale (ticks per second).
    pub timescale: u32,
    /// Media duration in `timescale` (0 or all ones for fragmented files).
    pub duration: u64,
    /// ISO-639-2/T language code ("und" if unset).
    pub language: [u8; 3],
}

impl Mdhd {
    /// Decodes a whole `mdhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"mdhd", path!(b"mdhd"), 1)?;
        let wide = version == 1;
        r.u32_or_u64(wide)?;
        r.u32_or_u64(wide)?;
        let timescale = r.u32()?;
        let duration = r.u32_or_u64(wide)?;
        let l = r.u16()?;
        let c = |s: u16| (((l >> s) & 0x1F) as u8).wrapping_add(0x60);
        Ok(Mdhd {
            version,
            timescale,
            duration,
            language: [c(10), c(5), c(0)],
        })
    }
}
