//! ISO-BMFF (ISO/IEC 14496-12) and CMAF: zero-copy box index, box decoders, samples view and
//! in-place rewriting of tfdt, mfhd, sidx and emsg.
//!
//! | module | what it holds |
//! |---|---|
//! | `index` | [`Index`]: a zero-copy walk over `&[u8]` (type, offset, header and payload ranges, path) |
//! | [`header`] | the one box header reader, and top-level box walks built on it |
//! | `boxes` (internal) | one file per box: decode, encode where dashkit writes it, and a round-trip test; the decoders an embedder needs are re-exported here ([`Sidx`], [`Emsg`], [`Tfdt`], ...) |
//! | `traf` (internal) | the one fragment-sample resolver (defaults chain and data offsets) |
//! | [`patch`] | zero-copy segment rewriting: [`patch::rewrite_segment`] returns [`patch::Rewritten`] |
//! | [`samples`] | one samples view for fragmented and progressive files |
//! | `stbl` (internal) | a progressive track's sample tables walked in place, sample by sample |
//! | [`codec`] | RFC 6381 codec strings from sample entries |
//! | [`info`] | track summary of a file (what `dashkit info` prints) |
//! | [`dump`] | box tree with decoded fields (what `dashkit dump` prints) |
//!
//! Every error is an [`Error`]: absolute byte offset, box path (`moof/traf[0]/trun[1]`) and an
//! [`ErrorKind`] with numbers. No input panics, and no count read from the input sizes an
//! allocation before it is checked against the bytes present.

pub(crate) mod boxes;
pub mod codec;
pub mod dump;
pub mod header;
pub(crate) mod index;
pub mod info;
pub mod patch;
mod reader;
pub mod samples;
pub(crate) mod stbl;
#[cfg(test)]
pub(crate) mod testbox;
pub(crate) mod traf;

pub(crate) use boxes::sidx;
/// The box decoders an embedder meets: in public signatures (`Emsg`, `Ftyp`, `Trex`, `Sidx`)
/// or needed to read a media segment's fragment headers (`Mfhd`, `Tfhd`, `Tfdt`, `Trun`,
/// `Saio`). The other boxes' decoders are internal.
pub use boxes::{
    DataBase, Emsg, Frma, Ftyp, Mfhd, Pssh, Saio, Saiz, Schm, Senc, SencEntry, Subsample, Tenc,
    Tfdt, Tfhd, Trex, Trun, TrunEntry, COMMON_SYSTEM_ID, SENC_USE_SUBSAMPLES,
};
pub use index::{BoxRef, Depth, FourCc, Index};
pub use sidx::{Sidx, SidxReference};

/// An ISO-BMFF error: where (absolute byte offset and box path) and what.
///
/// ```
/// use dashkit::bmff::{Index, ErrorKind};
/// // A box claiming 100 bytes in a 16-byte input.
/// let data = [0, 0, 0, 100, b'f', b'r', b'e', b'e', 0, 0, 0, 0, 0, 0, 0, 0];
/// let e = Index::parse(&data).unwrap_err();
/// assert_eq!(e.offset, 0);
/// assert_eq!(e.path, "free");
/// assert!(matches!(e.kind, ErrorKind::SizePastEnd { size: 100, available: 16 }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset} in {path}: {kind}")]
#[non_exhaustive]
pub struct Error {
    /// Absolute byte offset of the offending field or box header.
    pub offset: u64,
    /// Box path, e.g. `moof/traf[0]/trun[1]` (sibling index among boxes of the same type).
    pub path: String,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl Error {
    /// An error at `offset` in `path`.
    pub fn new(offset: u64, path: impl Into<String>, kind: ErrorKind) -> Self {
        Error {
            offset,
            path: path.into(),
            kind,
        }
    }

    /// Replaces the path (used by callers that know the full path of a box whose decoder only
    /// knew its type).
    pub fn in_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }
}

/// What went wrong while reading or rewriting ISO-BMFF bytes.
///
/// ```
/// use dashkit::bmff::{ErrorKind, Index};
/// let init = include_bytes!("../../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// // The moov (at 28, 762 bytes) cut after 100 bytes.
/// let e = Index::parse(&init[..128]).unwrap_err();
/// assert_eq!(e.kind, ErrorKind::SizePastEnd { size: 762, available: 100 });
/// assert_eq!(e.kind.to_string(), "box size 762 runs past the end (100 bytes available)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Fewer bytes remain than the structure needs.
    #[error("truncated: needed {needed} bytes, {available} available")]
    Truncated {
        /// Bytes needed.
        needed: u64,
        /// Bytes available.
        available: u64,
    },
    /// A box size is smaller than its own header.
    #[error("box size {size} is smaller than its header ({header_len} bytes)")]
    SizeTooSmall {
        /// Declared size.
        size: u64,
        /// Header length.
        header_len: u64,
    },
    /// A box runs past the end of its parent (or of the input).
    #[error("box size {size} runs past the end ({available} bytes available)")]
    SizePastEnd {
        /// Declared size.
        size: u64,
        /// Bytes available from the box start to the end of the enclosing range.
        available: u64,
    },
    /// A run's sample data (trun, resolved through tfhd/trex and the data offset) ends past
    /// the bytes present: a truncated or inconsistent fragment.
    #[error("sample {sample} of this run ends at byte {end}, past the end of the data ({available} bytes)")]
    SampleDataPastEnd {
        /// Index of the first sample that does not fit, within its trun.
        sample: u64,
        /// Where its data would end (absolute byte offset).
        end: u64,
        /// Bytes present.
        available: u64,
    },
    /// A size of 0 ("to the end") on a box that is not the last one at its level.
    #[error("box size 0 (to the end) on a box followed by {trailing} more bytes at its level")]
    SizeZeroNotLast {
        /// Bytes after the box that would have been swallowed.
        trailing: u64,
    },
    /// Nesting deeper than [`crate::limits::MAX_BOX_DEPTH`].
    #[error("boxes nested deeper than {max}")]
    TooDeep {
        /// The cap.
        max: usize,
    },
    /// A field holds a value the format does not allow (or dashkit does not support).
    #[error("field {field} has unsupported value {value}")]
    BadField {
        /// Field name.
        field: &'static str,
        /// Its value.
        value: u64,
    },
    /// A count read from the input would need more bytes than are present.
    #[error("{field} = {count} needs {needed} bytes, {available} available")]
    CountPastEnd {
        /// Field name.
        field: &'static str,
        /// The count.
        count: u64,
        /// Bytes the count implies.
        needed: u64,
        /// Bytes present.
        available: u64,
    },
    /// A required box is missing.
    #[error("missing box {fourcc}")]
    Missing {
        /// Its type.
        fourcc: FourCc,
    },
    /// A value does not fit the field it must be written to.
    #[error("{field} value {value} does not fit its field")]
    Overflow {
        /// Field name.
        field: &'static str,
        /// The value (saturated to u64 if it was larger still).
        value: u64,
    },
    /// A count exceeds one of the caps in [`crate::limits`].
    #[error("{field} = {count} exceeds the limit {max}")]
    TooMany {
        /// Field name.
        field: &'static str,
        /// The count.
        count: u64,
        /// The cap.
        max: u64,
    },
}
