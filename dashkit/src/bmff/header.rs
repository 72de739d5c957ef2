//! The one box header reader (ISO/IEC 14496-12 §4.2): 32-bit size and type, `size == 1` with
//! the 64-bit `largesize`, `size == 0` for "to the end", and the 16-byte extended type of
//! `uuid` boxes. Every place in dashkit that reads a box header reads it here: the [`Index`]
//! walker, the box decoders, the rewrite fast path, the incremental CMAF parser, the analysis
//! header fetcher and the fragmenter's input scan.
//!
//! [`Index`]: super::Index

use std::ops::Range;

use super::{Error, ErrorKind, FourCc};

/// A box header as read by [`BoxHeader::parse`].
///
/// ```
/// use dashkit::bmff::header::BoxHeader;
/// let h = BoxHeader::parse(&[0, 0, 0, 16, b'f', b'r', b'e', b'e'], 0).unwrap();
/// assert_eq!((h.kind.to_string(), h.size, h.header_len), ("free".into(), Some(16), 8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    /// Box type.
    pub kind: FourCc,
    /// `uuid` boxes: the 16-byte extended type.
    pub usertype: Option<[u8; 16]>,
    /// Declared size of the whole box, header included; `None` for size 0 ("to the end" of
    /// the enclosing range, file or stream).
    pub size: Option<u64>,
    /// Header length: 8, 16 (largesize), 24 (uuid) or 32 (uuid + largesize).
    pub header_len: usize,
}

/// A header that could not be read: where, the box type when it was read, and what.
///
/// ```
/// use dashkit::bmff::{header::BoxHeader, ErrorKind};
/// // A `free` box at offset 40 that claims 4 bytes, less than its own 8-byte header.
/// let e = BoxHeader::parse(&[0, 0, 0, 4, b'f', b'r', b'e', b'e'], 40).unwrap_err();
/// assert_eq!(e.offset, 40);
/// assert_eq!(e.kind.unwrap().to_string(), "free");
/// assert!(matches!(e.error, ErrorKind::SizeTooSmall { size: 4, header_len: 8 }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError {
    /// Absolute offset of the box's first byte.
    pub offset: u64,
    /// The box type, when the first 8 bytes were present.
    pub kind: Option<FourCc>,
    /// What went wrong.
    pub error: ErrorKind,
}

impl From<HeaderError> for Error {
    /// Path: the box type, or `?` when it was not read.
    fn from(e: HeaderError) -> Self {
        let path = e.kind.map_or_else(|| "?".to_string(), |k| k.to_string());
        Error::new(e.offset, path, e.error)
    }
}

impl BoxHeader {
    /// How many header bytes a box needs, given its first bytes: 8 until those are known,
    /// then 8, 16, 24 or 32.
    ///
    /// ```
    /// use dashkit::bmff::header::BoxHeader;
    /// assert_eq!(BoxHeader::needed(&[0, 0]), 8);
    /// assert_eq!(BoxHeader::needed(&[0, 0, 0, 1, b'u', b'u', b'i', b'd']), 32);
    /// ```
    pub fn needed(first: &[u8]) -> usize {
        match first.get(..8) {
            None => 8,
            Some(h) => {
                let large = h.get(..4) == Some(&[0, 0, 0, 1][..]);
                let uuid = h.get(4..8) == Some(&b"uuid"[..]);
                8 + if large { 8 } else { 0 } + if uuid { 16 } else { 0 }
            }
        }
    }

    /// Reads the header at the start of `bytes`, whose first byte sits at absolute `offset`.
    /// Fails when `bytes` is shorter than the header, or when the declared size is smaller
    /// than the header. The size is not checked against `bytes` (see
    /// [`BoxHeader::size_within`]).
    ///
    /// ```
    /// use dashkit::bmff::header::BoxHeader;
    /// let init = include_bytes!("../../../fixtures/dash/ffmpeg_number/init-0.m4s");
    /// let moov = BoxHeader::parse(&init[28..], 28).unwrap();
    /// assert!(moov.is(b"moov"));
    /// assert_eq!((moov.size, moov.header_len), (Some(762), 8));
    /// assert!(BoxHeader::parse(&init[28..33], 28).is_err()); // cut inside the header
    /// ```
    pub fn parse(bytes: &[u8], offset: u64) -> Result<BoxHeader, HeaderError> {
        let fail = |kind, error| HeaderError {
            offset,
            kind,
            error,
        };
        let truncated = |kind, needed: usize| {
            fail(
                kind,
                ErrorKind::Truncated {
                    needed: needed as u64,
                    available: bytes.len() as u64,
                },
            )
        };
        let Some(&[s0, s1, s2, s3, t0, t1, t2, t3]) = bytes.get(..8) else {
            return Err(truncated(None, 8));
        };
        let kind = FourCc([t0, t1, t2, t3]);
        let mut header_len = 8usize;
        let size = match u32::from_be_bytes([s0, s1, s2, s3]) {
            0 => None,
            1 => {
                let large: [u8; 8] = bytes
                    .get(8..16)
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| truncated(Some(kind), 16))?;
                header_len = 16;
                Some(u64::from_be_bytes(large))
            }
            s => Some(u64::from(s)),
        };
        let mut usertype = None;
        if kind.0 == *b"uuid" {
            let u: [u8; 16] = bytes
                .get(header_len..header_len + 16)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| truncated(Some(kind), header_len + 16))?;
            usertype = Some(u);
            header_len += 16;
        }
        if let Some(size) = size {
            if size < header_len as u64 {
                return Err(fail(
                    Some(kind),
                    ErrorKind::SizeTooSmall {
                        size,
                        header_len: header_len as u64,
                    },
                ));
            }
        }
        Ok(BoxHeader {
            kind,
            usertype,
            size,
            header_len,
        })
    }

    /// The whole box length when `available` bytes remain from the box's first byte to the
    /// end of its enclosing range: the declared size (an error if it runs past the end), or
    /// `available` for size 0. `offset` is the box's absolute offset, for the error.
    ///
    /// ```
    /// use dashkit::bmff::header::BoxHeader;
    /// let mdat_to_end = BoxHeader::parse(&[0, 0, 0, 0, b'm', b'd', b'a', b't'], 0).unwrap();
    /// assert_eq!(mdat_to_end.size_within(1000, 0), Ok(1000)); // size 0: to the end
    /// let free = BoxHeader::parse(&[0, 0, 0, 16, b'f', b'r', b'e', b'e'], 0).unwrap();
    /// assert_eq!(free.size_within(100, 0), Ok(16));
    /// assert!(free.size_within(10, 0).is_err()); // runs past the end
    /// ```
    pub fn size_within(&self, available: u64, offset: u64) -> Result<u64, HeaderError> {
        match self.size {
            None => Ok(available),
            Some(size) if size > available => Err(HeaderError {
                offset,
                kind: Some(self.kind),
                error: ErrorKind::SizePastEnd { size, available },
            }),
            Some(size) => Ok(size),
        }
    }

    /// The header used the 64-bit `largesize` form.
    ///
    /// ```
    /// use dashkit::bmff::header::BoxHeader;
    /// let mut h = vec![0, 0, 0, 1, b'm', b'd', b'a', b't'];
    /// h.extend_from_slice(&(1u64 << 33).to_be_bytes());
    /// let big = BoxHeader::parse(&h, 0).unwrap();
    /// assert!(big.large() && big.size == Some(1 << 33));
    /// assert!(!BoxHeader::parse(&[0, 0, 0, 8, b'f', b'r', b'e', b'e'], 0).unwrap().large());
    /// ```
    pub fn large(&self) -> bool {
        self.header_len == 16 || self.header_len == 32
    }

    /// True if the box has this type.
    ///
    /// ```
    /// let h = dashkit::bmff::header::BoxHeader::parse(&[0, 0, 0, 8, b'f', b'r', b'e', b'e'], 0).unwrap();
    /// assert!(h.is(b"free") && !h.is(b"skip"));
    /// ```
    pub fn is(&self, kind: &[u8; 4]) -> bool {
        self.kind.0 == *kind
    }
}

/// One top-level box found by [`top_level`].
///
/// ```
/// use dashkit::bmff::header::top_level;
/// let init = include_bytes!("../../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// let first = top_level(init, 0).next().unwrap().unwrap();
/// assert!(first.header.is(b"ftyp"));
/// assert_eq!(first.range.start, 0);
/// assert_eq!(first.range.len() as u64, first.header.size.unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopLevelBox {
    /// Its header.
    pub header: BoxHeader,
    /// The whole box, relative to the walked bytes.
    pub range: Range<usize>,
}

/// The top-level boxes of `data` (whose first byte sits at absolute `offset`), in order, each
/// checked to fit; size 0 runs to the end of `data`.
///
/// ```
/// use dashkit::bmff::header::top_level;
/// let data = [0, 0, 0, 8, b'f', b'r', b'e', b'e', 0, 0, 0, 8, b'm', b'o', b'o', b'v'];
/// let kinds: Vec<String> =
///     top_level(&data, 0).map(|b| b.unwrap().header.kind.to_string()).collect();
/// assert_eq!(kinds, ["free", "moov"]);
/// ```
pub fn top_level(
    data: &[u8],
    offset: u64,
) -> impl Iterator<Item = Result<TopLevelBox, Error>> + '_ {
    let mut pos = 0usize;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || pos >= data.len() {
            return None;
        }
        let at = offset + pos as u64;
        let rest = data.get(pos..).unwrap_or(&[]);
        let found = BoxHeader::parse(rest, at).and_then(|header| {
            let size = header.size_within(rest.len() as u64, at)?;
            Ok(TopLevelBox {
                header,
                range: pos..pos + size as usize,
            })
        });
        match found {
            Ok(b) => {
                pos = b.range.end;
                Some(Ok(b))
            }
            Err(e) => {
                failed = true;
                Some(Err(e.into()))
            }
        }
    })
}

/// The first top-level box of type `kind` in `data`, whole (header included); `None` when
/// there is none before the end or before a malformed header.
///
/// ```
/// use dashkit::bmff::header::find_top_level;
/// let data = [0, 0, 0, 8, b'f', b'r', b'e', b'e', 0, 0, 0, 9, b'm', b'o', b'o', b'v', 7];
/// assert_eq!(find_top_level(&data, b"moov"), Some(&data[8..]));
/// assert_eq!(find_top_level(&data, b"moof"), None);
/// ```
pub fn find_top_level<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    top_level(data, 0)
        .map_while(Result::ok)
        .find(|b| b.header.is(kind))
        .and_then(|b| data.get(b.range))
}

/// Walks the top-level boxes of a file of `len` bytes that the caller reads (dashkit does no
/// IO): `read_at(offset, buf)` must fill `buf` with the file's bytes from `offset`. Only the
/// headers are read; `visit` is called with each box's header and absolute offset (its
/// payload is left to the caller). A header past the end of the file, or a size that runs
/// past it, is a [`ScanError::Box`].
///
/// ```
/// use dashkit::bmff::header::scan_top_level;
/// let file = [0, 0, 0, 8, b'f', b'r', b'e', b'e', 0, 0, 0, 0, b'm', b'd', b'a', b't', 1];
/// let mut seen = Vec::new();
/// scan_top_level(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..at as usize + buf.len()]);
///     Ok::<(), ()>(())
/// }, |h, at, size| { seen.push((h.kind.to_string(), at, size)); Ok(()) }).unwrap();
/// assert_eq!(seen, [("free".into(), 0, 8), ("mdat".into(), 8, 9)]);
/// ```
pub fn scan_top_level<E>(
    len: u64,
    mut read_at: impl FnMut(u64, &mut [u8]) -> Result<(), E>,
    mut visit: impl FnMut(&BoxHeader, u64, u64) -> Result<(), E>,
) -> Result<(), ScanError<E>> {
    let mut pos = 0u64;
    while pos < len {
        let mut head = [0u8; 32];
        let mut have = 0usize;
        let header = loop {
            let need = BoxHeader::needed(head.get(..have).unwrap_or(&[]));
            if have >= need {
                break BoxHeader::parse(head.get(..have).unwrap_or(&[]), pos)?;
            }
            let left = len - pos;
            if (need as u64) > left {
                // Read what there is, so the error says what was available.
                let n = left as usize;
                let part = head.get_mut(have..n).unwrap_or(&mut []);
                read_at(pos + have as u64, part).map_err(ScanError::Read)?;
                break BoxHeader::parse(head.get(..n).unwrap_or(&[]), pos)?;
            }
            let part = head.get_mut(have..need).unwrap_or(&mut []);
            read_at(pos + have as u64, part).map_err(ScanError::Read)?;
            have = need;
        };
        let size = header.size_within(len - pos, pos)?;
        visit(&header, pos, size).map_err(ScanError::Read)?;
        pos += size;
    }
    Ok(())
}

/// What [`scan_top_level`] met: a malformed box, or an error of the caller's reader.
///
/// ```
/// use dashkit::bmff::header::{scan_top_level, ScanError};
/// // The reader fails: the error comes back as `Read`.
/// let r = scan_top_level(16, |_, _| Err("disk gone"), |_, _, _| Ok(()));
/// assert!(matches!(r, Err(ScanError::Read("disk gone"))));
/// // A box that runs past the 12-byte file: `Box`, with the offset.
/// let file = [0, 0, 0, 20, b'f', b'r', b'e', b'e', 0, 0, 0, 0];
/// let r = scan_top_level(12, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..at as usize + buf.len()]);
///     Ok::<(), ()>(())
/// }, |_, _, _| Ok(()));
/// assert!(matches!(r, Err(ScanError::Box(e)) if e.offset == 0 && e.path == "free"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ScanError<E> {
    /// A header that is cut short or declares an impossible size.
    #[error(transparent)]
    Box(#[from] Error),
    /// The caller's `read_at` or `visit` failed.
    #[error("reading the input failed")]
    Read(E),
}

impl<E> From<HeaderError> for ScanError<E> {
    fn from(e: HeaderError) -> Self {
        ScanError::Box(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form() {
        let h = BoxHeader::parse(&[0, 0, 0, 0, b'm', b'd', b'a', b't'], 5).unwrap();
        assert_eq!((h.size, h.header_len), (None, 8));
        assert_eq!(h.size_within(100, 5), Ok(100));
        let mut l = vec![0, 0, 0, 1, b'm', b'd', b'a', b't'];
        l.extend_from_slice(&20u64.to_be_bytes());
        let h = BoxHeader::parse(&l, 0).unwrap();
        assert_eq!((h.size, h.header_len, h.large()), (Some(20), 16, true));
        let mut u = vec![0, 0, 0, 1, b'u', b'u', b'i', b'd'];
        u.extend_from_slice(&40u64.to_be_bytes());
        u.extend_from_slice(&[3; 16]);
        assert_eq!(BoxHeader::needed(&u), 32);
        let h = BoxHeader::parse(&u, 0).unwrap();
        assert_eq!((h.header_len, h.usertype), (32, Some([3; 16])));
    }

    #[test]
    fn errors_carry_offset_and_type() {
        let e = BoxHeader::parse(&[0, 0, 0], 7).unwrap_err();
        assert_eq!((e.offset, e.kind), (7, None));
        assert_eq!(
            e.error,
            ErrorKind::Truncated {
                needed: 8,
                available: 3
            }
        );
        let e = BoxHeader::parse(&[0, 0, 0, 4, b'f', b'r', b'e', b'e'], 9).unwrap_err();
        assert_eq!(Error::from(e.clone()).path, "free");
        assert_eq!(
            e.error,
            ErrorKind::SizeTooSmall {
                size: 4,
                header_len: 8
            }
        );
        let h = BoxHeader::parse(&[0, 0, 0, 80, b'f', b'r', b'e', b'e'], 0).unwrap();
        assert!(matches!(
            h.size_within(10, 0).unwrap_err().error,
            ErrorKind::SizePastEnd {
                size: 80,
                available: 10
            }
        ));
    }

    #[test]
    fn scan_reports_a_box_past_the_end() {
        let file = [
            0, 0, 0, 8, b'f', b'r', b'e', b'e', 0, 0, 0, 99, b'm', b'o', b'o', b'v',
        ];
        let r = scan_top_level(
            file.len() as u64,
            |at, buf: &mut [u8]| {
                buf.copy_from_slice(&file[at as usize..at as usize + buf.len()]);
                Ok::<(), ()>(())
            },
            |_, _, _| Ok(()),
        );
        let Err(ScanError::Box(e)) = r else { panic!() };
        assert_eq!((e.offset, e.path.as_str()), (8, "moov"));
    }

    proptest::proptest! {
        /// The top-level walk, the streaming scan and the index read the same boxes.
        #[test]
        fn walks_agree_with_the_index(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96)) {
            let walked: Result<Vec<_>, _> = top_level(&data, 0).map(|b| b.map(|b| b.range)).collect();
            let mut scanned = Vec::new();
            let scan = scan_top_level(
                data.len() as u64,
                |at, buf: &mut [u8]| {
                    buf.copy_from_slice(&data[at as usize..at as usize + buf.len()]);
                    Ok::<(), ()>(())
                },
                |_, at, size| {
                    scanned.push(at as usize..(at + size) as usize);
                    Ok(())
                },
            );
            match (walked, scan) {
                (Ok(w), Ok(())) => proptest::prop_assert_eq!(&w, &scanned),
                (Err(a), Err(ScanError::Box(b))) => proptest::prop_assert_eq!(a, b),
                (w, s) => proptest::prop_assert!(false, "walk {:?}, scan {:?}", w, s),
            }
            if let Ok(idx) = crate::bmff::Index::parse(&data) {
                let indexed: Vec<_> = idx.top().map(|i| idx.boxes()[i].range()).collect();
                proptest::prop_assert_eq!(indexed, scanned);
            }
        }
    }
}
