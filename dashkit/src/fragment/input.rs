//! Reading what the plan needs from a progressive MP4 the caller reads: the top-level box
//! headers are walked with [`crate::bmff::header::scan_top_level`], and only `ftyp` and `moov`
//! are read whole. Sample data is never read.

use super::Input;
use crate::bmff::header::{scan_top_level, ScanError};
use crate::bmff::ErrorKind;

/// Largest ftyp or moov read into memory (1 GiB); a larger one is passed over.
pub const MAX_HEADER_BOX: u64 = 1 << 30;

/// The boxes of a progressive MP4 the plan reads, owned.
///
/// ```
/// use dashkit::fragment::{plan_fragments, read_input, Options};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// // ffmpeg's faststart layout: ftyp (32 bytes), then the moov, then the mdat.
/// assert_eq!(boxes.ftyp.as_deref(), Some(&file[..32]));
/// let (moov_offset, moov) = boxes.moov.as_ref().unwrap();
/// assert_eq!((*moov_offset, &moov[4..8]), (32, &b"moov"[..]));
/// assert_eq!(boxes.file_len, file.len() as u64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputBoxes {
    /// The whole `ftyp` box, if the file has one.
    pub ftyp: Option<Vec<u8>>,
    /// The absolute offset and bytes of the whole `moov` box, if the file has one.
    pub moov: Option<(u64, Vec<u8>)>,
    /// Length of the file in bytes.
    pub file_len: u64,
}

impl InputBoxes {
    /// The planner's [`Input`], or `None` when the file has no moov.
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let input = boxes.input().unwrap();
    /// assert_eq!((input.moov_offset, input.file_len), (32, file.len() as u64));
    /// assert_eq!(input.ftyp, boxes.ftyp.as_deref());
    /// ```
    pub fn input(&self) -> Option<Input<'_>> {
        let (moov_offset, moov) = self.moov.as_ref()?;
        Some(Input {
            ftyp: self.ftyp.as_deref(),
            moov,
            moov_offset: *moov_offset,
            file_len: self.file_len,
        })
    }
}

/// Reads the `ftyp` and `moov` of a file of `file_len` bytes through `read_at(offset, buf)`,
/// which fills `buf` with the file's bytes from `offset` (dashkit does no IO). Fewer than 8
/// bytes after the last box are ignored, as mp4fragment does.
///
/// ```
/// use dashkit::fragment::read_input;
/// let file = [0, 0, 0, 8, b'm', b'o', b'o', b'v', 0, 0, 0, 9, b'm', b'd', b'a', b't', 1];
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..at as usize + buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// assert_eq!(boxes.moov, Some((0, file[..8].to_vec())));
/// assert_eq!(boxes.input().unwrap().file_len, 17);
/// ```
pub fn read_input<E>(
    file_len: u64,
    mut read_at: impl FnMut(u64, &mut [u8]) -> Result<(), E>,
) -> Result<InputBoxes, ScanError<E>> {
    let mut out = InputBoxes {
        ftyp: None,
        moov: None,
        file_len,
    };
    let mut wanted: Vec<(u64, u64, bool)> = Vec::new();
    let scanned = scan_top_level(
        file_len,
        |at, buf| read_at(at, buf),
        |h, at, size| {
            if (h.is(b"moov") || h.is(b"ftyp")) && size <= MAX_HEADER_BOX {
                wanted.push((at, size, h.is(b"moov")));
            }
            Ok(())
        },
    );
    match scanned {
        Err(ScanError::Box(e))
            if file_len.saturating_sub(e.offset) < 8
                && matches!(e.kind, ErrorKind::Truncated { needed: 8, .. }) => {}
        other => other?,
    }
    for (at, size, is_moov) in wanted {
        // size <= MAX_HEADER_BOX, which fits usize on every supported target.
        let mut b = vec![0u8; size as usize];
        read_at(at, &mut b).map_err(ScanError::Read)?;
        if is_moov {
            out.moov = Some((at, b));
        } else {
            out.ftyp = Some(b);
        }
    }
    Ok(out)
}
