//! `stts`: decoding time to sample (§8.6.1.2), and the same pair table of `ctts` (§8.6.1.3).

use super::*;

/// Decodes a table of `(u32, u32)` pairs after a FullBox header and entry_count: `stts`
/// (count, delta), `ctts` (count, offset; signed in v1 — returned as the raw u32), `stsc` is
/// three-wide and has its own function.
pub fn parse_pairs(
    data: &[u8],
    offset: u64,
    kind: &'static [u8; 4],
) -> Result<Vec<(u32, u32)>, Error> {
    let (_, raw) = table_entries(data, offset, kind, 1, 8, "entry_count")?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| (be32(c, 0), be32(c, 4)))
        .collect())
}

/// `ctts` version (0: unsigned offsets, 1: signed).
pub fn ctts_version(data: &[u8]) -> u8 {
    data.get(8).copied().unwrap_or(0)
}
