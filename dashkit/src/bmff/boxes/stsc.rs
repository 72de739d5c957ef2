//! `stsc`: sample to chunk (§8.7.4).

use super::*;

/// One `stsc` entry (§8.7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StscEntry {
    /// `first_chunk` (1-based).
    pub first_chunk: u32,
    /// `samples_per_chunk`.
    pub samples_per_chunk: u32,
    /// `sample_description_index`.
    pub sample_description_index: u32,
}

/// Decodes a whole `stsc` box.
pub fn parse_stsc(data: &[u8], offset: u64) -> Result<Vec<StscEntry>, Error> {
    let (_, raw) = table_entries(data, offset, b"stsc", 0, 12, "stsc.entry_count")?;
    Ok(raw
        .chunks_exact(12)
        .map(|c| StscEntry {
            first_chunk: be32(c, 0),
            samples_per_chunk: be32(c, 4),
            sample_description_index: be32(c, 8),
        })
        .collect())
}

/// Appends an `stsc` box.
pub fn encode_stsc(entries: &[StscEntry], out: &mut Vec<u8>) -> Result<(), Error> {
    put_table(out, b"stsc", 0, entries, 12, |o, e| {
        for v in [
            e.first_chunk,
            e.samples_per_chunk,
            e.sample_description_index,
        ] {
            o.extend_from_slice(&v.to_be_bytes());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = vec![StscEntry {
            first_chunk: 1,
            samples_per_chunk: 5,
            sample_description_index: 1,
        }];
        let mut b = Vec::new();
        encode_stsc(&e, &mut b).unwrap();
        assert_eq!(parse_stsc(&b, 0).unwrap(), e);
    }
}
