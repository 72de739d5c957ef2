//! Box encoders for fragmented output: a small writer that patches each box size when the box
//! closes (so no size is ever stored apart from its content), plus the boxes the fragmenter
//! creates: ftyp/styp (§4.3, §8.16.2), mvex/mehd/trex (§8.8.1-3), empty sample tables
//! (§8.6.1.2, §8.7.3-5), mfhd/tfhd/tfdt/trun (§8.8.5-8, §8.8.12) and the mdat header (§8.1.1).
//! Section numbers are ISO/IEC 14496-12.

use super::Error;

/// Appends boxes to a byte vector; [`BoxWriter::open`] returns a mark that
/// [`BoxWriter::close`] turns into the box size.
///
/// ```
/// use dashkit::fragment::write::BoxWriter;
/// let mut w = BoxWriter::default();
/// let m = w.open(b"free");
/// w.u32(7);
/// w.close(m).unwrap();
/// assert_eq!(w.into_bytes(), [0, 0, 0, 12, b'f', b'r', b'e', b'e', 0, 0, 0, 7]);
/// ```
#[derive(Debug, Default, Clone)]
pub struct BoxWriter {
    buf: Vec<u8>,
}

/// An open box: where its size field sits.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct Mark(usize);

impl BoxWriter {
    /// Opens a box of type `kind` (32-bit size, patched on close).
    pub fn open(&mut self, kind: &[u8; 4]) -> Mark {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0, 0, 0]);
        self.buf.extend_from_slice(kind);
        Mark(at)
    }

    /// Opens a full box (version and 24-bit flags follow the header).
    pub fn open_full(&mut self, kind: &[u8; 4], version: u8, flags: u32) -> Mark {
        let m = self.open(kind);
        self.u32((u32::from(version) << 24) | (flags & 0x00FF_FFFF));
        m
    }

    /// Closes a box: writes its size.
    pub fn close(&mut self, m: Mark) -> Result<(), Error> {
        let size = u32::try_from(self.buf.len() - m.0)
            .map_err(|_| Error::Overflow { what: "box size" })?;
        if let Some(s) = self.buf.get_mut(m.0..m.0 + 4) {
            s.copy_from_slice(&size.to_be_bytes());
        }
        Ok(())
    }

    /// Appends a big-endian u32.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Appends a big-endian u64.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Appends a big-endian u16.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Appends raw bytes (e.g. a box copied from the input).
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Overwrites a big-endian u32 at `at` (for fields known only later, like trun data_offset).
    pub fn patch_u32(&mut self, at: usize, v: u32) {
        if let Some(s) = self.buf.get_mut(at..at + 4) {
            s.copy_from_slice(&v.to_be_bytes());
        }
    }

    /// The bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// `ftyp` or `styp` (§4.3, §8.16.2).
pub fn brands(
    w: &mut BoxWriter,
    kind: &[u8; 4],
    major: [u8; 4],
    compatible: &[[u8; 4]],
) -> Result<(), Error> {
    let m = w.open(kind);
    w.bytes(&major);
    w.u32(0);
    for b in compatible {
        w.bytes(b);
    }
    w.close(m)
}

/// The `styp` that opens each media segment file: major `msdh`, compatible `msdh`, `msix`
/// (ISO/IEC 23009-1 §6.3.4.2-3).
pub fn segment_styp() -> Result<Vec<u8>, Error> {
    let mut w = BoxWriter::default();
    brands(&mut w, b"styp", *b"msdh", &[*b"msdh", *b"msix"])?;
    Ok(w.into_bytes())
}

/// Empty `stts`, `stsc`, `stsz` and `stco` (a fragmented file's moov holds no samples).
pub fn empty_sample_tables(w: &mut BoxWriter) -> Result<(), Error> {
    for kind in [b"stts", b"stsc", b"stco"] {
        let m = w.open_full(kind, 0, 0);
        w.u32(0);
        w.close(m)?;
    }
    let m = w.open_full(b"stsz", 0, 0);
    w.u32(0);
    w.u32(0);
    w.close(m)
}

/// `mfhd` (§8.8.5).
pub fn mfhd(w: &mut BoxWriter, sequence_number: u32) -> Result<(), Error> {
    let m = w.open_full(b"mfhd", 0, 0);
    w.u32(sequence_number);
    w.close(m)
}

/// `tfdt` (§8.8.12): version 0 when the time fits 32 bits, else version 1.
pub fn tfdt(w: &mut BoxWriter, base_media_decode_time: u64) -> Result<(), Error> {
    match u32::try_from(base_media_decode_time) {
        Ok(v) => {
            let m = w.open_full(b"tfdt", 0, 0);
            w.u32(v);
            w.close(m)
        }
        Err(_) => {
            let m = w.open_full(b"tfdt", 1, 0);
            w.u64(base_media_decode_time);
            w.close(m)
        }
    }
}

/// The header of an `mdat` holding `payload_bytes` bytes: 8 bytes, or 16 with a 64-bit size
/// when the payload does not fit a 32-bit box size.
pub fn mdat_header(out: &mut Vec<u8>, payload_bytes: u64) -> Result<(), Error> {
    match u32::try_from(payload_bytes.saturating_add(8)) {
        Ok(size) => {
            out.extend_from_slice(&size.to_be_bytes());
            out.extend_from_slice(b"mdat");
        }
        Err(_) => {
            let size = payload_bytes
                .checked_add(16)
                .ok_or(Error::Overflow { what: "mdat size" })?;
            out.extend_from_slice(&1u32.to_be_bytes());
            out.extend_from_slice(b"mdat");
            out.extend_from_slice(&size.to_be_bytes());
        }
    }
    Ok(())
}

/// Length of the mdat header [`mdat_header`] writes.
pub fn mdat_header_len(payload_bytes: u64) -> u64 {
    if payload_bytes.saturating_add(8) > u64::from(u32::MAX) {
        16
    } else {
        8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::boxes::Tfdt;

    #[test]
    fn tfdt_grows_to_version_1() {
        for (t, v, len) in [(5u64, 0u8, 16usize), (1 << 33, 1, 20)] {
            let mut w = BoxWriter::default();
            tfdt(&mut w, t).unwrap();
            let b = w.into_bytes();
            assert_eq!(b.len(), len);
            let d = Tfdt::parse(&b, 0).unwrap();
            assert_eq!((d.version, d.base_media_decode_time), (v, t));
        }
    }

    #[test]
    fn large_mdat_header() {
        let mut h = Vec::new();
        mdat_header(&mut h, 1 << 32).unwrap();
        assert_eq!(h.len(), 16);
        assert_eq!(mdat_header_len(1 << 32), 16);
        assert_eq!(&h[8..], &((1u64 << 32) + 16).to_be_bytes());
        let mut h = Vec::new();
        mdat_header(&mut h, 10).unwrap();
        assert_eq!(h, [0, 0, 0, 18, b'm', b'd', b'a', b't']);
    }
}
