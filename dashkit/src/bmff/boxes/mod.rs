//! Decoders (and encoders where dashkit writes the box) for the boxes dashkit reads itself.
//! Each `parse` takes the whole box (header included) and its absolute offset; errors carry
//! the offset of the failing field and the box type as path (callers that know the full path
//! replace it with [`Error::in_path`]).
//!
//! Layouts: ISO/IEC 14496-12 (§8.8 movie fragments, §8.6 time-to-sample tables, §8.7 sample
//! tables) and ISO/IEC 23009-1 §5.10.3.3 (emsg).

pub(crate) use super::header::BoxHeader;
pub(crate) use super::reader::Reader;
pub(crate) use super::{Error, ErrorKind, FourCc};

/// Reads a box header (through [`BoxHeader::parse`]) and checks its type; returns (header
/// length, box size). The box size must equal the bytes given.
pub(crate) fn box_header(r: &mut Reader<'_>, kind: &[u8; 4]) -> Result<(usize, u64), Error> {
    let start = r.offset();
    let total = r.remaining() as u64;
    let path = || FourCc(*kind).to_string();
    let h = BoxHeader::parse(r.peek(), start).map_err(|e| Error::from(e).in_path(path()))?;
    if h.kind.0 != *kind {
        return Err(Error::new(
            start + 4,
            path(),
            ErrorKind::BadField {
                field: "box type",
                value: u64::from(u32::from_be_bytes(h.kind.0)),
            },
        ));
    }
    let size = h
        .size_within(total, start)
        .map_err(|e| Error::from(e).in_path(path()))?;
    if size != total {
        return Err(Error::new(
            start,
            path(),
            ErrorKind::BadField {
                field: "box size",
                value: size,
            },
        ));
    }
    r.skip(h.header_len)?;
    Ok((h.header_len, size))
}

/// The big-endian u32 at `at` of `b`, 0 past the end (for tables already checked to fit).
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// Appends a box header: the 32-bit size (the whole box, `encoded_len` bytes, computed by the
/// caller from the box's fields) and the type.
pub(crate) fn put_header(
    out: &mut Vec<u8>,
    kind: &[u8; 4],
    encoded_len: usize,
) -> Result<(), Error> {
    let size = u32::try_from(encoded_len).map_err(|_| {
        Error::new(
            0,
            FourCc(*kind).to_string(),
            ErrorKind::Overflow {
                field: "box size",
                value: encoded_len as u64,
            },
        )
    })?;
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(kind);
    Ok(())
}

/// Appends a FullBox header: [`put_header`], then version and 24-bit flags.
pub(crate) fn put_full_header(
    out: &mut Vec<u8>,
    kind: &[u8; 4],
    encoded_len: usize,
    version: u8,
    flags: u32,
) -> Result<(), Error> {
    put_header(out, kind, encoded_len)?;
    out.extend_from_slice(&((u32::from(version) << 24) | (flags & 0x00FF_FFFF)).to_be_bytes());
    Ok(())
}

/// Appends a table box: FullBox header, a 32-bit entry_count, then `entry_len` bytes per
/// entry written by `put` (the size is computed from the count).
pub(crate) fn put_table<T>(
    out: &mut Vec<u8>,
    kind: &[u8; 4],
    version: u8,
    entries: &[T],
    entry_len: usize,
    mut put: impl FnMut(&mut Vec<u8>, &T),
) -> Result<(), Error> {
    let count = u32::try_from(entries.len())
        .map_err(|_| overflow(kind, "entry_count", entries.len() as u64))?;
    let len = entries
        .len()
        .checked_mul(entry_len)
        .and_then(|n| n.checked_add(16))
        .ok_or_else(|| overflow(kind, "box size", entries.len() as u64))?;
    put_full_header(out, kind, len, version, 0)?;
    out.extend_from_slice(&count.to_be_bytes());
    for e in entries {
        put(out, e);
    }
    Ok(())
}

/// An overflow error for a value that does not fit the field it is encoded to.
pub(crate) fn overflow(kind: &[u8; 4], field: &'static str, value: u64) -> Error {
    Error::new(
        0,
        FourCc(*kind).to_string(),
        ErrorKind::Overflow { field, value },
    )
}

/// Reads header, version and flags of a FullBox.
fn full_box<'a>(
    data: &'a [u8],
    offset: u64,
    kind: &'static [u8; 4],
    path: &'a str,
    max_version: u8,
) -> Result<(Reader<'a>, u8, u32), Error> {
    let mut r = Reader::new(data, offset, path);
    box_header(&mut r, kind)?;
    let at = r.offset();
    let version = r.u8()?;
    let flags = r.u24()?;
    if version > max_version {
        return Err(Error::new(
            at,
            path,
            ErrorKind::BadField {
                field: "version",
                value: u64::from(version),
            },
        ));
    }
    Ok((r, version, flags))
}

macro_rules! path {
    ($k:literal) => {
        match std::str::from_utf8($k) {
            Ok(s) => s,
            Err(_) => "?",
        }
    };
}

fn opt<T>(present: bool, f: impl FnOnce() -> Result<T, Error>) -> Result<Option<T>, Error> {
    if present {
        f().map(Some)
    } else {
        Ok(None)
    }
}

/// The entries of a table box left in place: after the FullBox header and a 32-bit
/// entry_count, exactly `entry_count * record_len` bytes (checked against the bytes present).
/// Returns the box version and the entry bytes. Used by [`super::stbl`] to walk `stts`, `ctts`,
/// `stss`, `stsc`, `stco` and `co64` without decoding them into vectors.
pub(crate) fn table_entries<'a>(
    data: &'a [u8],
    offset: u64,
    kind: &'static [u8; 4],
    max_version: u8,
    record_len: u64,
    field: &'static str,
) -> Result<(u8, &'a [u8]), Error> {
    let path = std::str::from_utf8(kind).unwrap_or("?");
    let (mut r, version, _) = full_box(data, offset, kind, path, max_version)?;
    let count = r.u32()?;
    let n = r.check_count(field, u64::from(count), record_len)?;
    let len = n.checked_mul(record_len as usize).ok_or_else(|| {
        r.err(ErrorKind::Overflow {
            field,
            value: u64::from(count),
        })
    })?;
    Ok((version, r.bytes(len)?))
}

mod elst;
mod emsg;
mod frma;
mod ftyp;
mod hdlr;
mod mdat;
mod mdhd;
mod mehd;
mod mfhd;
mod mvhd;
mod prft;
mod pssh;
mod saio;
mod saiz;
mod schm;
mod senc;
pub mod sidx;
mod stco;
mod stsc;
mod stss;
mod stsz;
mod stts;
mod tenc;
mod tfdt;
mod tfhd;
mod tkhd;
mod trex;
mod trun;

pub use elst::*;
pub use emsg::*;
pub use frma::*;
pub use ftyp::*;
pub use hdlr::*;
pub use mdat::*;
pub use mdhd::*;
pub use mehd::*;
pub use mfhd::*;
pub use mvhd::*;
pub use prft::*;
pub use pssh::*;
pub use saio::*;
pub use saiz::*;
pub use schm::*;
pub use senc::*;
pub use stco::*;
pub use stsc::*;
pub use stss::*;
pub use stsz::*;
pub use stts::*;
pub use tenc::*;
pub use tfdt::*;
pub use tfhd::*;
pub use tkhd::*;
pub use trex::*;
pub use trun::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::testbox::full;

    #[test]
    fn wrong_type_and_size() {
        let b = full(b"mfhd", 0, 0, &[0, 0, 0, 1]);
        assert!(Tfdt::parse(&b, 0).is_err());
        let mut b2 = b.clone();
        b2.push(0);
        assert!(matches!(
            Mfhd::parse(&b2, 0).unwrap_err().kind,
            ErrorKind::BadField {
                field: "box size",
                ..
            }
        ));
    }
}
