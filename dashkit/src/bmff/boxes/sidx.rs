//! `sidx`, the segment index box (ISO/IEC 14496-12 §8.16.3): decode, encode and the byte
//! ranges its references cover.

use super::Reader;
use super::{Error, ErrorKind};

/// One reference of a [`Sidx`] (14496-12 §8.16.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SidxReference {
    /// `reference_type`: true when the reference points at another `sidx`.
    pub reference_type: bool,
    /// `referenced_size` (31 bits): bytes from the first byte of this item to the next item's.
    pub referenced_size: u32,
    /// `subsegment_duration`, in the sidx timescale.
    pub subsegment_duration: u32,
    /// `starts_with_SAP`.
    pub starts_with_sap: bool,
    /// `SAP_type` (3 bits; 0 = unknown).
    pub sap_type: u8,
    /// `SAP_delta_time` (28 bits), in the sidx timescale.
    pub sap_delta_time: u32,
}

/// A decoded `sidx` box.
///
/// ```
/// use dashkit::bmff::{Sidx, SidxReference};
/// let sidx = Sidx {
///     version: 0,
///     flags: 0,
///     reference_id: 1,
///     timescale: 90_000,
///     earliest_presentation_time: 180_000,
///     first_offset: 0,
///     references: vec![SidxReference {
///         reference_type: false,
///         referenced_size: 1234,
///         subsegment_duration: 180_000,
///         starts_with_sap: true,
///         sap_type: 1,
///         sap_delta_time: 0,
///     }],
/// };
/// let bytes = sidx.encode().unwrap();
/// assert_eq!(bytes.len(), 32 + 12);
/// assert_eq!(Sidx::parse(&bytes, 0).unwrap(), sidx);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sidx {
    /// Box version: 0 (32-bit times) or 1 (64-bit times).
    pub version: u8,
    /// Box flags (24 bits; 0 in practice).
    pub flags: u32,
    /// `reference_ID`: the track_ID of the indexed stream.
    pub reference_id: u32,
    /// `timescale` of the durations and times in this box.
    pub timescale: u32,
    /// `earliest_presentation_time`, in `timescale`.
    pub earliest_presentation_time: u64,
    /// `first_offset`: bytes from the first byte after this box to the first referenced byte.
    pub first_offset: u64,
    /// The references, in order.
    pub references: Vec<SidxReference>,
}

/// Largest value of a 31-bit referenced_size.
pub const MAX_REFERENCED_SIZE: u32 = 0x7FFF_FFFF;
/// Largest value of a 28-bit SAP_delta_time.
pub const MAX_SAP_DELTA_TIME: u32 = 0x0FFF_FFFF;

impl Sidx {
    /// Decodes a whole `sidx` box (header included) that starts at absolute offset `offset`.
    /// The reference count is checked against the bytes present before anything is allocated.
    pub fn parse(box_bytes: &[u8], offset: u64) -> Result<Sidx, Error> {
        let mut r = Reader::new(box_bytes, offset, "sidx");
        let (header_len, _) = super::box_header(&mut r, b"sidx")?;
        let _ = header_len;
        let version = r.u8()?;
        let flags = r.u24()?;
        if version > 1 {
            return Err(Error::new(
                offset + 8,
                "sidx",
                ErrorKind::BadField {
                    field: "sidx.version",
                    value: u64::from(version),
                },
            ));
        }
        let reference_id = r.u32()?;
        let timescale = r.u32()?;
        let earliest_presentation_time = r.u32_or_u64(version == 1)?;
        let first_offset = r.u32_or_u64(version == 1)?;
        let _reserved = r.u16()?;
        let count = r.u16()?;
        let n = r.check_count("sidx.reference_count", u64::from(count), 12)?;
        let mut references = Vec::with_capacity(n);
        for _ in 0..n {
            let a = r.u32()?;
            let subsegment_duration = r.u32()?;
            let c = r.u32()?;
            references.push(SidxReference {
                reference_type: a >> 31 == 1,
                referenced_size: a & MAX_REFERENCED_SIZE,
                subsegment_duration,
                starts_with_sap: c >> 31 == 1,
                sap_type: ((c >> 28) & 0x7) as u8,
                sap_delta_time: c & MAX_SAP_DELTA_TIME,
            });
        }
        Ok(Sidx {
            version,
            flags,
            reference_id,
            timescale,
            earliest_presentation_time,
            first_offset,
            references,
        })
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        (if self.version == 1 { 40 } else { 32 }) + 12 * self.references.len()
    }

    /// The smallest version that can hold this box's times (0 unless a value needs 64 bits).
    pub fn needed_version(&self) -> u8 {
        u8::from(
            self.earliest_presentation_time > u64::from(u32::MAX)
                || self.first_offset > u64::from(u32::MAX),
        )
    }

    /// Encodes the box with a 32-bit size header. Fails if a value does not fit its field
    /// (version 0 times above 2^32 - 1, sizes above 2^31 - 1, more than 65535 references).
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let fail = |field: &'static str, value: u64| {
            Error::new(0, "sidx", ErrorKind::Overflow { field, value })
        };
        if self.version > 1 {
            return Err(Error::new(
                0,
                "sidx",
                ErrorKind::BadField {
                    field: "sidx.version",
                    value: u64::from(self.version),
                },
            ));
        }
        let count = u16::try_from(self.references.len())
            .map_err(|_| fail("sidx.reference_count", self.references.len() as u64))?;
        let len = u32::try_from(self.encoded_len())
            .map_err(|_| fail("sidx.size", self.encoded_len() as u64))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(b"sidx");
        out.push(self.version);
        out.extend_from_slice(&(self.flags & 0xFF_FFFF).to_be_bytes()[1..]);
        out.extend_from_slice(&self.reference_id.to_be_bytes());
        out.extend_from_slice(&self.timescale.to_be_bytes());
        if self.version == 1 {
            out.extend_from_slice(&self.earliest_presentation_time.to_be_bytes());
            out.extend_from_slice(&self.first_offset.to_be_bytes());
        } else {
            let ept = u32::try_from(self.earliest_presentation_time).map_err(|_| {
                fail(
                    "sidx.earliest_presentation_time",
                    self.earliest_presentation_time,
                )
            })?;
            let fo = u32::try_from(self.first_offset)
                .map_err(|_| fail("sidx.first_offset", self.first_offset))?;
            out.extend_from_slice(&ept.to_be_bytes());
            out.extend_from_slice(&fo.to_be_bytes());
        }
        out.extend_from_slice(&0u16.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        for r in &self.references {
            if r.referenced_size > MAX_REFERENCED_SIZE {
                return Err(fail("sidx.referenced_size", u64::from(r.referenced_size)));
            }
            if r.sap_delta_time > MAX_SAP_DELTA_TIME {
                return Err(fail("sidx.sap_delta_time", u64::from(r.sap_delta_time)));
            }
            if r.sap_type > 7 {
                return Err(fail("sidx.sap_type", u64::from(r.sap_type)));
            }
            let a = (u32::from(r.reference_type) << 31) | r.referenced_size;
            let c = (u32::from(r.starts_with_sap) << 31)
                | (u32::from(r.sap_type) << 28)
                | r.sap_delta_time;
            out.extend_from_slice(&a.to_be_bytes());
            out.extend_from_slice(&r.subsegment_duration.to_be_bytes());
            out.extend_from_slice(&c.to_be_bytes());
        }
        Ok(())
    }

    /// Absolute byte ranges `(start, end)` of the references, for a sidx box that starts at
    /// absolute offset `box_offset` and is `box_size` bytes long. None on overflow.
    pub fn reference_ranges(&self, box_offset: u64, box_size: u64) -> Option<Vec<(u64, u64)>> {
        let mut start = box_offset
            .checked_add(box_size)?
            .checked_add(self.first_offset)?;
        let mut out = Vec::with_capacity(self.references.len());
        for r in &self.references {
            let end = start.checked_add(u64::from(r.referenced_size))?;
            out.push((start, end));
            start = end;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn v0_from_hex() {
        // Shaka-style v0 sidx: one reference, SAP type 1.
        let b = hex(
            "0000002c 73696478 00000000 00000001 00015f90 00017800 00000000 0000 0001
                     0002 6fae 0002bf20 90000000",
        );
        let s = Sidx::parse(&b, 500).unwrap();
        assert_eq!(s.version, 0);
        assert_eq!(s.reference_id, 1);
        assert_eq!(s.timescale, 90000);
        assert_eq!(s.earliest_presentation_time, 0x17800);
        assert_eq!(s.first_offset, 0);
        assert_eq!(
            s.references,
            vec![SidxReference {
                reference_type: false,
                referenced_size: 0x26fae,
                subsegment_duration: 0x2bf20,
                starts_with_sap: true,
                sap_type: 1,
                sap_delta_time: 0,
            }]
        );
        assert_eq!(s.encode().unwrap(), b);
        assert_eq!(
            s.reference_ranges(500, 44).unwrap(),
            vec![(544, 544 + 0x26fae)]
        );
    }

    #[test]
    fn v1_from_hex() {
        // ffmpeg-style v1 sidx, SAP type 0, reference_type set on purpose, delta time set.
        let b = hex(
            "00000034 73696478 01000000 00000002 0000bb80 00000001 00000000
                     00000000 00000010 0000 0001 80000100 00017700 0123abcd",
        );
        let s = Sidx::parse(&b, 0).unwrap();
        assert_eq!(s.version, 1);
        assert_eq!(s.earliest_presentation_time, 1 << 32);
        assert_eq!(s.first_offset, 16);
        let r = s.references[0];
        assert!(r.reference_type);
        assert_eq!(r.referenced_size, 256);
        assert!(!r.starts_with_sap);
        assert_eq!(r.sap_type, 0);
        assert_eq!(r.sap_delta_time, 0x123abcd);
        assert_eq!(s.encode().unwrap(), b);
    }

    #[test]
    fn reference_count_is_bounded_by_bytes() {
        // reference_count 0xFFFF with no entries present.
        let b = hex("00000020 73696478 00000000 00000001 00015f90 00000000 00000000 0000 ffff");
        let e = Sidx::parse(&b, 100).unwrap_err();
        assert_eq!(e.offset, 132);
        assert_eq!(
            e.kind,
            ErrorKind::CountPastEnd {
                field: "sidx.reference_count",
                count: 0xffff,
                needed: 0xffff * 12,
                available: 0
            }
        );
    }

    #[test]
    fn bad_version_and_type() {
        let b = hex("00000020 73696478 02000000 00000001 00015f90 00000000 00000000 0000 0000");
        assert!(matches!(
            Sidx::parse(&b, 0).unwrap_err().kind,
            ErrorKind::BadField {
                field: "sidx.version",
                value: 2
            }
        ));
        let b = hex("00000020 74666474 00000000 00000001 00015f90 00000000 00000000 0000 0000");
        assert!(Sidx::parse(&b, 0).is_err());
    }

    #[test]
    fn v0_rejects_wide_values() {
        let mut s = Sidx::parse(
            &hex("00000020 73696478 00000000 00000001 00015f90 00000000 00000000 0000 0000"),
            0,
        )
        .unwrap();
        s.earliest_presentation_time = 1 << 32;
        assert!(s.encode().is_err());
        assert_eq!(s.needed_version(), 1);
        s.version = 1;
        assert_eq!(s.encode().unwrap().len(), 40);
    }

    fn arb_ref() -> impl Strategy<Value = SidxReference> {
        (
            any::<bool>(),
            0..=MAX_REFERENCED_SIZE,
            any::<u32>(),
            any::<bool>(),
            0u8..8,
            0..=MAX_SAP_DELTA_TIME,
        )
            .prop_map(|(t, s, d, sap, st, dt)| SidxReference {
                reference_type: t,
                referenced_size: s,
                subsegment_duration: d,
                starts_with_sap: sap,
                sap_type: st,
                sap_delta_time: dt,
            })
    }

    proptest! {
        #[test]
        fn round_trip(
            v1 in any::<bool>(),
            id in any::<u32>(),
            ts in any::<u32>(),
            ept in any::<u64>(),
            fo in any::<u64>(),
            refs in proptest::collection::vec(arb_ref(), 0..20),
        ) {
            let (ept, fo) = if v1 { (ept, fo) } else { (ept & 0xFFFF_FFFF, fo & 0xFFFF_FFFF) };
            let s = Sidx { version: u8::from(v1), flags: 0, reference_id: id, timescale: ts,
                earliest_presentation_time: ept, first_offset: fo, references: refs };
            let b = s.encode().unwrap();
            prop_assert_eq!(b.len(), s.encoded_len());
            prop_assert_eq!(Sidx::parse(&b, 0).unwrap(), s);
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = Sidx::parse(&data, 0);
        }
    }
}
