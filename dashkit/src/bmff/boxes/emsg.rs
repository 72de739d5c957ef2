//! `emsg`: event message (ISO/IEC 23009-1 §5.10.3.3).

use super::*;

/// `emsg` (ISO/IEC 23009-1 §5.10.3.3): an event message, v0 or v1.
///
/// ```
/// use dashkit::bmff::Emsg;
/// let e = Emsg {
///     version: 1,
///     scheme_id_uri: "urn:scte:scte35:2013:bin".into(),
///     value: String::new(),
///     timescale: 90_000,
///     presentation_time: 900_000,
///     event_duration: 0xFFFF_FFFF,
///     id: 7,
///     message_data: vec![1, 2, 3],
/// };
/// let b = e.encode().unwrap();
/// assert_eq!(b.len(), 61);
/// assert_eq!(Emsg::parse(&b, 0).unwrap(), e);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emsg {
    /// 0: `presentation_time` is a delta from the segment's earliest presentation time;
    /// 1: it is absolute.
    pub version: u8,
    /// `scheme_id_uri`.
    pub scheme_id_uri: String,
    /// `value`.
    pub value: String,
    /// `timescale` of the times in this box.
    pub timescale: u32,
    /// v1 `presentation_time`, or v0 `presentation_time_delta` (must fit 32 bits for v0).
    pub presentation_time: u64,
    /// `event_duration` (0xFFFFFFFF = unknown).
    pub event_duration: u32,
    /// `id`.
    pub id: u32,
    /// `message_data`.
    pub message_data: Vec<u8>,
}

impl Emsg {
    /// Decodes a whole `emsg` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"emsg", path!(b"emsg"), 1)?;
        let mut e = Emsg {
            version,
            scheme_id_uri: String::new(),
            value: String::new(),
            timescale: 0,
            presentation_time: 0,
            event_duration: 0,
            id: 0,
            message_data: Vec::new(),
        };
        if version == 0 {
            e.scheme_id_uri = r.cstring()?;
            e.value = r.cstring()?;
            e.timescale = r.u32()?;
            e.presentation_time = u64::from(r.u32()?);
            e.event_duration = r.u32()?;
            e.id = r.u32()?;
        } else {
            e.timescale = r.u32()?;
            e.presentation_time = r.u64()?;
            e.event_duration = r.u32()?;
            e.id = r.u32()?;
            e.scheme_id_uri = r.cstring()?;
            e.value = r.cstring()?;
        }
        e.message_data = r.rest().to_vec();
        Ok(e)
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        12 + 16
            + if self.version == 1 { 4 } else { 0 }
            + self.scheme_id_uri.len()
            + 1
            + self.value.len()
            + 1
            + self.message_data.len()
    }

    /// Encodes the box (32-bit size). Fails on a v0 delta above 2^32 - 1, a version above 1,
    /// or a string holding a NUL.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let bad = |field: &'static str, value: u64| {
            Error::new(0, "emsg", ErrorKind::BadField { field, value })
        };
        if self.version > 1 {
            return Err(bad("emsg.version", u64::from(self.version)));
        }
        if self.scheme_id_uri.contains('\0') || self.value.contains('\0') {
            return Err(bad("emsg string with NUL", 0));
        }
        let len = u32::try_from(self.encoded_len()).map_err(|_| {
            Error::new(
                0,
                "emsg",
                ErrorKind::Overflow {
                    field: "emsg.size",
                    value: self.encoded_len() as u64,
                },
            )
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(b"emsg");
        out.extend_from_slice(&[self.version, 0, 0, 0]);
        let strings = |out: &mut Vec<u8>| {
            out.extend_from_slice(self.scheme_id_uri.as_bytes());
            out.push(0);
            out.extend_from_slice(self.value.as_bytes());
            out.push(0);
        };
        if self.version == 0 {
            let delta = u32::try_from(self.presentation_time).map_err(|_| {
                Error::new(
                    0,
                    "emsg",
                    ErrorKind::Overflow {
                        field: "emsg.presentation_time_delta",
                        value: self.presentation_time,
                    },
                )
            })?;
            strings(out);
            out.extend_from_slice(&self.timescale.to_be_bytes());
            out.extend_from_slice(&delta.to_be_bytes());
            out.extend_from_slice(&self.event_duration.to_be_bytes());
            out.extend_from_slice(&self.id.to_be_bytes());
        } else {
            out.extend_from_slice(&self.timescale.to_be_bytes());
            out.extend_from_slice(&self.presentation_time.to_be_bytes());
            out.extend_from_slice(&self.event_duration.to_be_bytes());
            out.extend_from_slice(&self.id.to_be_bytes());
            strings(out);
        }
        out.extend_from_slice(&self.message_data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::testbox::full;

    #[test]
    fn emsg_v0_round_trip() {
        let e = Emsg {
            version: 0,
            scheme_id_uri: "urn:x".into(),
            value: "1".into(),
            timescale: 1000,
            presentation_time: 5,
            event_duration: 10,
            id: 3,
            message_data: b"hi".to_vec(),
        };
        let b = e.encode().unwrap();
        assert_eq!(b.len(), e.encoded_len());
        assert_eq!(Emsg::parse(&b, 0).unwrap(), e);
        let mut big = e.clone();
        big.presentation_time = 1 << 32;
        assert!(big.encode().is_err());
        // Missing NUL terminator.
        let bad = full(b"emsg", 0, 0, b"urn:x");
        assert!(matches!(
            Emsg::parse(&bad, 0).unwrap_err().kind,
            ErrorKind::Truncated { .. }
        ));
    }
}
