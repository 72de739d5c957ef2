//! `mdat`: media data (§8.1.1). dashkit never decodes its payload (it is counted or copied
//! by range); only its header is written here, and read by [`super::super::header`].

use super::*;

/// Length of the `mdat` header [`encode_mdat_header`] writes for `payload_bytes`: 8, or 16
/// when the box does not fit a 32-bit size.
pub fn mdat_header_len(payload_bytes: u64) -> u64 {
    if payload_bytes.saturating_add(8) > u64::from(u32::MAX) {
        16
    } else {
        8
    }
}

/// Appends the header of an `mdat` holding `payload_bytes` bytes (32-bit size, or size 1
/// with the 64-bit largesize when needed).
pub fn encode_mdat_header(out: &mut Vec<u8>, payload_bytes: u64) -> Result<(), Error> {
    if mdat_header_len(payload_bytes) == 8 {
        // The length check above makes this fit.
        put_header(out, b"mdat", (payload_bytes + 8) as usize)
    } else {
        let size = payload_bytes
            .checked_add(16)
            .ok_or_else(|| overflow(b"mdat", "mdat.largesize", payload_bytes))?;
        out.extend_from_slice(&1u32.to_be_bytes());
        out.extend_from_slice(b"mdat");
        out.extend_from_slice(&size.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::header::BoxHeader;

    #[test]
    fn round_trip_through_the_header_reader() {
        for payload in [0u64, 10, 1 << 32] {
            let mut h = Vec::new();
            encode_mdat_header(&mut h, payload).unwrap();
            assert_eq!(h.len() as u64, mdat_header_len(payload));
            let back = BoxHeader::parse(&h, 0).unwrap();
            assert!(back.is(b"mdat"));
            assert_eq!(back.size, Some(payload + h.len() as u64));
        }
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn encode_mdat_header_example() {
        use crate::bmff::boxes::encode_mdat_header;
        let mut h = Vec::new();
        encode_mdat_header(&mut h, 10).unwrap();
        assert_eq!(h, [0, 0, 0, 18, b'm', b'd', b'a', b't']);
    }
}
