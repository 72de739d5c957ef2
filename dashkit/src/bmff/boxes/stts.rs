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

/// Appends a table of `(u32, u32)` pairs: `stts` (count, delta) or `ctts` (count, offset;
/// version 1 for signed offsets, given as their u32 bit pattern).
pub fn encode_pairs(
    kind: &[u8; 4],
    version: u8,
    pairs: &[(u32, u32)],
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    put_table(out, kind, version, pairs, 8, |o, &(a, b)| {
        o.extend_from_slice(&a.to_be_bytes());
        o.extend_from_slice(&b.to_be_bytes());
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for pairs in [vec![], vec![(3, 1024), (1, 512)]] {
            let mut b = Vec::new();
            encode_pairs(b"stts", 0, &pairs, &mut b).unwrap();
            assert_eq!(b.len(), 16 + 8 * pairs.len());
            assert_eq!(parse_pairs(&b, 0, b"stts").unwrap(), pairs);
        }
    }
}
