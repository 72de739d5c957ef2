//! `elst`: edit list (§8.6.6).

use super::*;

/// One `elst` entry (§8.6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElstEntry {
    /// `segment_duration`, in the movie timescale.
    pub segment_duration: u64,
    /// `media_time`, in the media timescale; -1 = empty edit.
    pub media_time: i64,
    /// `media_rate_integer`.
    pub media_rate_integer: i16,
    /// `media_rate_fraction`.
    pub media_rate_fraction: i16,
}

/// Decodes a whole `elst` box (count checked against the bytes present).
pub fn parse_elst(data: &[u8], offset: u64) -> Result<Vec<ElstEntry>, Error> {
    let (mut r, version, _) = full_box(data, offset, b"elst", path!(b"elst"), 1)?;
    let count = r.u32()?;
    let wide = version == 1;
    let n = r.check_count(
        "elst.entry_count",
        u64::from(count),
        if wide { 20 } else { 12 },
    )?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let segment_duration = r.u32_or_u64(wide)?;
        let media_time = if wide { r.i64()? } else { i64::from(r.i32()?) };
        out.push(ElstEntry {
            segment_duration,
            media_time,
            media_rate_integer: r.u16()? as i16,
            media_rate_fraction: r.u16()? as i16,
        });
    }
    Ok(out)
}
