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

/// Encoded length of an `elst` box of this version with `n` entries.
pub fn elst_encoded_len(version: u8, n: usize) -> usize {
    16 + n * if version == 1 { 20 } else { 12 }
}

/// Appends an `elst` box (version 0: 32-bit segment_duration and media_time; version 1:
/// 64-bit). Fails when a value does not fit the version's fields.
pub fn encode_elst(version: u8, entries: &[ElstEntry], out: &mut Vec<u8>) -> Result<(), Error> {
    let count = u32::try_from(entries.len())
        .map_err(|_| overflow(b"elst", "elst.entry_count", entries.len() as u64))?;
    let wide = version == 1;
    put_full_header(
        out,
        b"elst",
        elst_encoded_len(version, entries.len()),
        u8::from(wide),
        0,
    )?;
    out.extend_from_slice(&count.to_be_bytes());
    for e in entries {
        if wide {
            out.extend_from_slice(&e.segment_duration.to_be_bytes());
            out.extend_from_slice(&e.media_time.to_be_bytes());
        } else {
            let seg = u32::try_from(e.segment_duration)
                .map_err(|_| overflow(b"elst", "elst.segment_duration", e.segment_duration))?;
            let mt = i32::try_from(e.media_time)
                .map_err(|_| overflow(b"elst", "elst.media_time", e.media_time as u64))?;
            out.extend_from_slice(&seg.to_be_bytes());
            out.extend_from_slice(&mt.to_be_bytes());
        }
        out.extend_from_slice(&e.media_rate_integer.to_be_bytes());
        out.extend_from_slice(&e.media_rate_fraction.to_be_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_v0_and_v1() {
        let entries = vec![
            ElstEntry {
                segment_duration: 1000,
                media_time: -1,
                media_rate_integer: 1,
                media_rate_fraction: 0,
            },
            ElstEntry {
                segment_duration: 0,
                media_time: 2048,
                media_rate_integer: 1,
                media_rate_fraction: 0,
            },
        ];
        for v in [0u8, 1] {
            let mut b = Vec::new();
            encode_elst(v, &entries, &mut b).unwrap();
            assert_eq!(b.len(), elst_encoded_len(v, 2));
            assert_eq!(parse_elst(&b, 0).unwrap(), entries);
        }
    }
}
