//! Errors of the playlist parser: a 1-based line number and what was wrong there.

/// A playlist could not be parsed. `line` is 1-based; 0 when the error concerns the whole
/// text (its size).
///
/// ```
/// use dashkit::hls::{parse, ErrorKind};
/// let e = parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:two,\na.m4s\n").unwrap_err();
/// assert_eq!(e.line, 3);
/// assert!(matches!(e.kind, ErrorKind::InvalidValue { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
#[non_exhaustive]
pub struct Error {
    /// 1-based line number (0: the whole playlist).
    pub line: usize,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong while parsing a playlist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The first line is not `#EXTM3U` (RFC 8216 §4.3.1.1).
    #[error("the first line must be #EXTM3U")]
    MissingHeader,
    /// The playlist is larger than [`crate::limits::MAX_HLS_PLAYLIST_BYTES`].
    #[error("playlist of {bytes} bytes exceeds the limit {max}")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The cap.
        max: usize,
    },
    /// More lines, tags or attributes than a cap in [`crate::limits`] allows.
    #[error("more than {max} {what}")]
    TooMany {
        /// What was counted (`lines`, `tags`, `attributes`).
        what: &'static str,
        /// The cap.
        max: usize,
    },
    /// A tag or attribute value is not of the type RFC 8216 gives it.
    #[error("{tag}{}: invalid value {value:?}, expected {expected}", attribute.map(|a| format!(" {a}")).unwrap_or_default())]
    InvalidValue {
        /// The tag (`EXTINF`, `EXT-X-MAP`, ...).
        tag: &'static str,
        /// The attribute, for attribute lists.
        attribute: Option<&'static str>,
        /// The text found (at most 64 characters of it).
        value: String,
        /// The expected type (`decimal-integer`, `decimal-floating-point`, ...).
        expected: &'static str,
    },
    /// A required attribute is absent.
    #[error("{tag}: missing attribute {attribute}")]
    MissingAttribute {
        /// The tag.
        tag: &'static str,
        /// The attribute.
        attribute: &'static str,
    },
    /// A required tag is absent (`EXT-X-TARGETDURATION` in a media playlist).
    #[error("missing tag {tag}")]
    MissingTag {
        /// The tag.
        tag: &'static str,
    },
    /// Media playlist tags and multivariant playlist tags in one playlist (RFC 8216 §4.3.4
    /// forbids it).
    #[error("media playlist and multivariant playlist tags are mixed")]
    Mixed,
    /// A URI line without the tag that must precede it (`EXTINF` or `EXT-X-STREAM-INF`).
    #[error("URI line without a preceding {tag}")]
    UriWithoutTag {
        /// The tag expected before it.
        tag: &'static str,
    },
    /// A tag that needs a URI line after it is not followed by one before the end (or, for
    /// segment tags, is followed only by parts).
    #[error("{tag} is not followed by a URI line")]
    TagWithoutUri {
        /// The tag.
        tag: &'static str,
    },
}

impl Error {
    pub(crate) fn new(line: usize, kind: ErrorKind) -> Error {
        Error { line, kind }
    }
}

/// At most 64 characters of `s` (for error values).
pub(crate) fn excerpt(s: &str) -> String {
    s.chars().take(64).collect()
}
