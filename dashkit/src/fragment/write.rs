//! Writing fragmented output: a small writer for the containers the fragmenter builds (moov,
//! trak, moof, traf, ...) that patches each container's size when it closes, so no size is
//! ever stored apart from its content. The leaf boxes are written by their own encoders in
//! `bmff::boxes` (one file per box); the functions here are the fragmenter's
//! shorthands for them.

use super::Error;
use crate::bmff::boxes::{self, Ftyp, SampleSizes};
#[cfg(test)]
use crate::bmff::boxes::{Mfhd, Tfdt};
use crate::bmff::FourCc;

/// Appends boxes to a byte vector; [`BoxWriter::open`] returns a mark that
/// [`BoxWriter::close`] turns into the box size.
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

    /// Appends a box written by one of the encoders of `bmff::boxes`.
    pub fn put(
        &mut self,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), crate::bmff::Error>,
    ) -> Result<(), Error> {
        encode(&mut self.buf).map_err(Error::from)
    }

    /// Appends raw bytes (e.g. a box copied from the input).
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// How many bytes are written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// The bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// `ftyp` or `styp` (§4.3, §8.16.2), minor version 0: [`Ftyp::encode_into`].
pub fn brands(
    w: &mut BoxWriter,
    kind: &[u8; 4],
    major: [u8; 4],
    compatible: &[[u8; 4]],
) -> Result<(), Error> {
    let ftyp = Ftyp {
        major_brand: FourCc(major),
        minor_version: 0,
        compatible_brands: compatible.iter().copied().map(FourCc).collect(),
    };
    w.put(|out| ftyp.encode_into(kind, out))
}

/// The `styp` that opens each media segment file: major `msdh`, compatible `msdh`, `msix`
/// (ISO/IEC 23009-1 §6.3.4.2-3).
///
/// ```
/// use dashkit::fragment::segment_styp;
/// // The same 24 bytes ffmpeg's dash muxer opens its segments with.
/// let seg = include_bytes!("../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// assert_eq!(segment_styp().unwrap(), seg[..24]);
/// ```
pub fn segment_styp() -> Result<Vec<u8>, Error> {
    let mut w = BoxWriter::default();
    brands(&mut w, b"styp", *b"msdh", &[*b"msdh", *b"msix"])?;
    Ok(w.into_bytes())
}

/// Empty `stts`, `stsc`, `stco` and `stsz` (a fragmented file's moov holds no samples).
pub fn empty_sample_tables(w: &mut BoxWriter) -> Result<(), Error> {
    w.put(|out| boxes::encode_pairs(b"stts", 0, &[], out))?;
    w.put(|out| boxes::encode_stsc(&[], out))?;
    w.put(|out| boxes::encode_chunk_offsets(&[], false, out))?;
    w.put(|out| SampleSizes::Table(Vec::new()).encode_into(out))
}

/// `mfhd` (§8.8.5): [`Mfhd::encode_into`].
#[cfg(test)]
pub fn mfhd(w: &mut BoxWriter, sequence_number: u32) -> Result<(), Error> {
    w.put(|out| Mfhd { sequence_number }.encode_into(out))
}

/// `tfdt` (§8.8.12): version 0 when the time fits 32 bits, else version 1 ([`Tfdt::new`]).
#[cfg(test)]
pub fn tfdt(w: &mut BoxWriter, base_media_decode_time: u64) -> Result<(), Error> {
    w.put(|out| Tfdt::new(base_media_decode_time).encode_into(out))
}

/// The header of an `mdat` holding `payload_bytes` bytes: 8 bytes, or 16 with a 64-bit size
/// when the payload does not fit a 32-bit box size (`bmff::boxes::encode_mdat_header`).
pub fn mdat_header(out: &mut Vec<u8>, payload_bytes: u64) -> Result<(), Error> {
    boxes::encode_mdat_header(out, payload_bytes).map_err(Error::from)
}

/// Length of the mdat header [`mdat_header`] writes.
pub fn mdat_header_len(payload_bytes: u64) -> u64 {
    boxes::mdat_header_len(payload_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_get_their_size_on_close() {
        let mut w = BoxWriter::default();
        let moof = w.open(b"moof");
        mfhd(&mut w, 3).unwrap();
        tfdt(&mut w, 1 << 33).unwrap();
        w.close(moof).unwrap();
        let b = w.into_bytes();
        assert_eq!(b.len(), 8 + 16 + 20);
        assert_eq!(&b[..4], &(b.len() as u32).to_be_bytes());
    }

    #[test]
    fn empty_tables_are_the_four_boxes() {
        let mut w = BoxWriter::default();
        empty_sample_tables(&mut w).unwrap();
        let b = w.into_bytes();
        let kinds: Vec<String> = crate::bmff::header::top_level(&b, 0)
            .map(|t| t.unwrap().header.kind.to_string())
            .collect();
        assert_eq!(kinds, ["stts", "stsc", "stco", "stsz"]);
        assert_eq!(b.len(), 16 * 3 + 20);
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn box_writer_example() {
        use crate::fragment::write::BoxWriter;
        let mut w = BoxWriter::default();
        let m = w.open(b"free");
        w.u32(7);
        w.close(m).unwrap();
        assert_eq!(
            w.into_bytes(),
            [0, 0, 0, 12, b'f', b'r', b'e', b'e', 0, 0, 0, 7]
        );
    }

    #[test]
    fn box_writer_put_example() {
        use crate::bmff::Mfhd;
        use crate::fragment::write::BoxWriter;
        let mut w = BoxWriter::default();
        w.put(|out| Mfhd { sequence_number: 1 }.encode_into(out))
            .unwrap();
        assert_eq!(w.buf.len(), 16);
    }
}
