//! `pssh`: protection system specific header (ISO/IEC 23001-7 §8.1).

use super::*;

/// The W3C common (ClearKey) system id, `1077efec-c0b2-4d02-ace3-3c1e52e2fb4b`.
pub const COMMON_SYSTEM_ID: [u8; 16] = [
    0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b,
];

/// `pssh` (ISO/IEC 23001-7 §8.1): one DRM system's data. Version 1 lists key ids; the data of
/// other systems is carried as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pssh {
    /// 0 or 1 (key ids listed).
    pub version: u8,
    /// `SystemID`.
    pub system_id: [u8; 16],
    /// `KID`s (version 1).
    pub kids: Vec<[u8; 16]>,
    /// `Data`.
    pub data: Vec<u8>,
}

impl Pssh {
    /// Decodes a whole `pssh` box.
    ///
    /// ```
    /// use dashkit::bmff::{Pssh, COMMON_SYSTEM_ID};
    /// let p = Pssh { version: 1, system_id: COMMON_SYSTEM_ID, kids: vec![[1; 16]], data: vec![] };
    /// let mut b = Vec::new();
    /// p.encode_into(&mut b).unwrap();
    /// assert_eq!(Pssh::parse(&b, 0).unwrap(), p);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"pssh", path!(b"pssh"), 1)?;
        let system_id = r.array::<16>()?;
        let mut kids = Vec::new();
        if version == 1 {
            let count = r.u32()?;
            let n = r.check_count("pssh.KID_count", u64::from(count), 16)?;
            kids.reserve(n);
            for _ in 0..n {
                kids.push(r.array::<16>()?);
            }
        }
        let size = r.u32()?;
        let n = r.check_count("pssh.DataSize", u64::from(size), 1)?;
        let data = r.bytes(n)?.to_vec();
        Ok(Pssh {
            version,
            system_id,
            kids,
            data,
        })
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        let kids = if self.version == 1 {
            4 + 16 * self.kids.len()
        } else {
            0
        };
        12 + 16 + kids + 4 + self.data.len()
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_full_header(out, b"pssh", self.encoded_len(), self.version, 0)?;
        out.extend_from_slice(&self.system_id);
        if self.version == 1 {
            let n = u32::try_from(self.kids.len())
                .map_err(|_| overflow(b"pssh", "KID_count", self.kids.len() as u64))?;
            out.extend_from_slice(&n.to_be_bytes());
            for k in &self.kids {
                out.extend_from_slice(k);
            }
        }
        let n = u32::try_from(self.data.len())
            .map_err(|_| overflow(b"pssh", "DataSize", self.data.len() as u64))?;
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_hostile_count() {
        let p = Pssh {
            version: 0,
            system_id: [9; 16],
            kids: vec![],
            data: vec![1, 2, 3],
        };
        let mut b = Vec::new();
        p.encode_into(&mut b).unwrap();
        assert_eq!(b.len(), p.encoded_len());
        assert_eq!(Pssh::parse(&b, 0).unwrap(), p);
        b[28..32].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            Pssh::parse(&b, 0).unwrap_err().kind,
            ErrorKind::CountPastEnd { .. }
        ));
    }
}
