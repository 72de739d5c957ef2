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
}
