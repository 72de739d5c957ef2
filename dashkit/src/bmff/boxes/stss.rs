//! `stss`: sync samples (§8.6.2).

use super::*;

/// Decodes `stss` sync sample numbers (1-based).
pub fn parse_stss(data: &[u8], offset: u64) -> Result<Vec<u32>, Error> {
    let (_, raw) = table_entries(data, offset, b"stss", 0, 4, "stss.entry_count")?;
    Ok(raw.chunks_exact(4).map(|c| be32(c, 0)).collect())
}

/// Appends an `stss` box listing these sync sample numbers (1-based).
#[cfg(test)]
pub fn encode_stss(numbers: &[u32], out: &mut Vec<u8>) -> Result<(), Error> {
    put_table(out, b"stss", 0, numbers, 4, |o, v| {
        o.extend_from_slice(&v.to_be_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let n = vec![1, 31, 61];
        let mut b = Vec::new();
        encode_stss(&n, &mut b).unwrap();
        assert_eq!(parse_stss(&b, 0).unwrap(), n);
    }
}
