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

/// Appends an `stco` (32-bit) or, with `wide`, a `co64` box. Fails on an `stco` offset above
/// 2^32 - 1.
pub fn encode_chunk_offsets(offsets: &[u64], wide: bool, out: &mut Vec<u8>) -> Result<(), Error> {
    if wide {
        return put_table(out, b"co64", 0, offsets, 8, |o, v| {
            o.extend_from_slice(&v.to_be_bytes())
        });
    }
    if let Some(&v) = offsets.iter().find(|&&v| u32::try_from(v).is_err()) {
        return Err(overflow(b"stco", "stco.chunk_offset", v));
    }
    put_table(out, b"stco", 0, offsets, 4, |o, &v| {
        o.extend_from_slice(&(v as u32).to_be_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for wide in [false, true] {
            let offsets = vec![48, 1 << 20];
            let mut b = Vec::new();
            encode_chunk_offsets(&offsets, wide, &mut b).unwrap();
            assert_eq!(parse_chunk_offsets(&b, 0, wide).unwrap(), offsets);
        }
        assert!(encode_chunk_offsets(&[1 << 32], false, &mut Vec::new()).is_err());
    }
}
