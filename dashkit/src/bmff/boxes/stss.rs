//! `stss`: sync samples (§8.6.2).

use super::*;

/// Decodes `stss` sync sample numbers (1-based).
pub fn parse_stss(data: &[u8], offset: u64) -> Result<Vec<u32>, Error> {
    let (_, raw) = table_entries(data, offset, b"stss", 0, 4, "stss.entry_count")?;
    Ok(raw.chunks_exact(4).map(|c| be32(c, 0)).collect())
}
