//! `stco`: chunk offsets, `stco` and `co64` (§8.7.5).

use super::*;

/// Decodes `stco`/`co64` chunk offsets (absolute file offsets).
pub fn parse_chunk_offsets(data: &[u8], offset: u64, wide: bool) -> Result<Vec<u64>, Error> {
    let (kind, len): (&'static [u8; 4], usize) = if wide { (b"co64", 8) } else { (b"stco", 4) };
    let (_, raw) = table_entries(data, offset, kind, 0, len as u64, "entry_count")?;
    Ok(raw
        .chunks_exact(len)
        .map(|c| {
            if wide {
                (u64::from(be32(c, 0)) << 32) | u64::from(be32(c, 4))
            } else {
                u64::from(be32(c, 0))
            }
        })
        .collect())
}
