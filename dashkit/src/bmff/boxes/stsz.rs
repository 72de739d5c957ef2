//! `stsz`: sample sizes, `stsz` and `stz2` (§8.7.3).

use super::*;

/// Sample sizes from `stsz` or `stz2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleSizes {
    /// Every sample has this size.
    Constant {
        /// The size.
        size: u32,
        /// Number of samples.
        count: u32,
    },
    /// One size per sample.
    Table(Vec<u32>),
}

impl SampleSizes {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            SampleSizes::Constant { count, .. } => *count as usize,
            SampleSizes::Table(t) => t.len(),
        }
    }

    /// Size of sample `i` (0-based).
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            SampleSizes::Constant { size, count } => (i < *count as usize).then_some(*size),
            SampleSizes::Table(t) => t.get(i).copied(),
        }
    }

    /// Appends an `stsz` box (§8.7.3.2) holding these sizes.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let (size, table): (u32, &[u32]) = match self {
            SampleSizes::Constant { size, .. } => (*size, &[]),
            SampleSizes::Table(t) => (0, t),
        };
        let count = u32::try_from(self.len())
            .map_err(|_| overflow(b"stsz", "stsz.sample_count", self.len() as u64))?;
        let len = table
            .len()
            .checked_mul(4)
            .and_then(|n| n.checked_add(20))
            .ok_or_else(|| overflow(b"stsz", "box size", table.len() as u64))?;
        put_full_header(out, b"stsz", len, 0, 0)?;
        out.extend_from_slice(&size.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        for v in table {
            out.extend_from_slice(&v.to_be_bytes());
        }
        Ok(())
    }
}

/// Decodes `stsz` (§8.7.3.2) or `stz2` (§8.7.3.3): the sizes left in place, expanded.
pub fn parse_sample_sizes(data: &[u8], offset: u64, compact: bool) -> Result<SampleSizes, Error> {
    Ok(match raw_sample_sizes(data, offset, compact)? {
        RawSizes::Constant { size, count } => SampleSizes::Constant { size, count },
        raw @ RawSizes::Table { count, .. } => {
            SampleSizes::Table((0..count as usize).map(|i| raw.get(i)).collect())
        }
    })
}

/// `stsz`/`stz2` sample sizes left in place (see [`table_entries`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawSizes<'a> {
    /// `stsz` with a non-zero sample_size: every sample has this size.
    Constant {
        /// The size.
        size: u32,
        /// Number of samples.
        count: u32,
    },
    /// One field of `bits` (4, 8, 16 or 32) per sample, `count` samples.
    Table {
        /// The packed fields, exactly `ceil(count * bits / 8)` bytes.
        raw: &'a [u8],
        /// Field width.
        bits: u8,
        /// Number of samples.
        count: u32,
    },
}

impl RawSizes<'_> {
    /// Size of sample `i` (0-based), 0 past the end.
    pub(crate) fn get(&self, i: usize) -> u32 {
        match *self {
            RawSizes::Constant { size, count } => {
                if i < count as usize {
                    size
                } else {
                    0
                }
            }
            RawSizes::Table { raw, bits, count } => {
                if i >= count as usize {
                    return 0;
                }
                match bits {
                    32 => be32(raw, 4 * i),
                    16 => {
                        let at = 2 * i;
                        match raw.get(at..at + 2) {
                            Some(&[h, l]) => u32::from(u16::from_be_bytes([h, l])),
                            _ => 0,
                        }
                    }
                    8 => raw.get(i).map_or(0, |&b| u32::from(b)),
                    _ => {
                        let b = raw.get(i / 2).copied().unwrap_or(0);
                        u32::from(if i.is_multiple_of(2) { b >> 4 } else { b & 0xF })
                    }
                }
            }
        }
    }
}

/// Decodes the header of `stsz` (§8.7.3.2) or `stz2` (§8.7.3.3) and leaves the sizes in place;
/// same checks as [`parse_sample_sizes`].
pub(crate) fn raw_sample_sizes(
    data: &[u8],
    offset: u64,
    compact: bool,
) -> Result<RawSizes<'_>, Error> {
    if !compact {
        let (mut r, _, _) = full_box(data, offset, b"stsz", path!(b"stsz"), 0)?;
        let size = r.u32()?;
        let count = r.u32()?;
        if size != 0 {
            let max = crate::limits::MAX_SAMPLES_PER_TRACK;
            if u64::from(count) > max {
                return Err(r.err(ErrorKind::TooMany {
                    field: "stsz.sample_count",
                    count: u64::from(count),
                    max,
                }));
            }
            return Ok(RawSizes::Constant { size, count });
        }
        let n = r.check_count("stsz.sample_count", u64::from(count), 4)?;
        let raw = r.bytes(n.saturating_mul(4))?;
        return Ok(RawSizes::Table {
            raw,
            bits: 32,
            count,
        });
    }
    let (mut r, _, _) = full_box(data, offset, b"stz2", path!(b"stz2"), 0)?;
    r.skip(3)?;
    let at = r.offset();
    let field_size = r.u8()?;
    let count = r.u32()?;
    let bits = u64::from(field_size);
    if ![4, 8, 16].contains(&field_size) {
        return Err(Error::new(
            at,
            "stz2",
            ErrorKind::BadField {
                field: "stz2.field_size",
                value: bits,
            },
        ));
    }
    let needed = (u64::from(count) * bits).div_ceil(8);
    let len = r.check_count("stz2.sample_count", needed, 1)?;
    Ok(RawSizes::Table {
        raw: r.bytes(len)?,
        bits: field_size,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::testbox::full;

    #[test]
    fn stz2_nibbles() {
        let mut body = vec![0, 0, 0, 4];
        body.extend_from_slice(&3u32.to_be_bytes());
        body.extend_from_slice(&[0x12, 0x30]);
        let s = parse_sample_sizes(&full(b"stz2", 0, 0, &body), 0, true).unwrap();
        assert_eq!(s, SampleSizes::Table(vec![1, 2, 3]));
        let mut body = vec![0, 0, 0, 16];
        body.extend_from_slice(&3u32.to_be_bytes());
        body.extend_from_slice(&[0, 1]);
        assert!(parse_sample_sizes(&full(b"stz2", 0, 0, &body), 0, true).is_err());
    }

    #[test]
    fn round_trip() {
        for sizes in [
            SampleSizes::Table(vec![]),
            SampleSizes::Table(vec![7, 9, 1]),
            SampleSizes::Constant { size: 4, count: 3 },
        ] {
            let mut b = Vec::new();
            sizes.encode_into(&mut b).unwrap();
            assert_eq!(parse_sample_sizes(&b, 0, false).unwrap(), sizes);
        }
    }
}
