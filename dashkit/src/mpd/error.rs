//! Errors of the MPD layer. Each says where: line, column and element path.

use std::fmt;

/// Where in an MPD document something is: 1-based line and column, and the element path
/// (`MPD/Period[0]/AdaptationSet[1]/@duration`; indexes count siblings of the same name,
/// from 0). A location made outside a document (e.g. for a template string given directly)
/// has line 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// 1-based line, or 0 when unknown.
    pub line: u32,
    /// 1-based column (in characters), or 0 when unknown.
    pub column: u32,
    /// Element path, with a trailing `/@attr` when an attribute is meant.
    pub path: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.path.is_empty()) {
            (0, true) => f.write_str("<no location>"),
            (0, false) => f.write_str(&self.path),
            (_, true) => write!(f, "{}:{}", self.line, self.column),
            (_, false) => write!(f, "{}:{} {}", self.line, self.column, self.path),
        }
    }
}

/// Errors of the MPD layer. Every variant says where ([`Location`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not well-formed XML (as reported by the XML reader).
    #[error("{at}: XML syntax: {message}")]
    Xml {
        /// Where.
        at: Location,
        /// The XML reader's description.
        message: String,
    },
    /// An attribute's value does not have the type the schema gives it.
    #[error("{at}: invalid value {value:?}, expected {expected}")]
    InvalidAttribute {
        /// Where (the path ends in `/@name`).
        at: Location,
        /// The value as written (after XML unescaping).
        value: String,
        /// The expected type, e.g. `xs:unsignedLong`, `xs:duration`.
        expected: &'static str,
    },
    /// A required attribute is absent.
    #[error("{at}: missing required attribute")]
    MissingAttribute {
        /// Where (the path ends in `/@name`).
        at: Location,
    },
    /// An element the schema allows at most once appears again.
    #[error("{at}: element may appear only once here")]
    DuplicateElement {
        /// Where (the second occurrence).
        at: Location,
    },
    /// The root element is not a DASH `MPD`.
    #[error("{at}: root element is {found:?}, expected MPD")]
    NotMpd {
        /// Where.
        at: Location,
        /// The root element's qualified name.
        found: String,
    },
    /// A hostile-input cap from [`crate::limits`] was exceeded.
    #[error("{at}: {what} exceeds the limit of {limit}")]
    Limit {
        /// Where.
        at: Location,
        /// What was counted (`document bytes`, `nesting depth`, `elements`).
        what: &'static str,
        /// The cap.
        limit: u64,
    },
    /// A time value could not be turned into an exact length (e.g. a duration in months, or
    /// an overflow), so Period timing could not be computed.
    #[error("{at}: {source}")]
    Time {
        /// Where (element path only; line 0).
        at: Location,
        /// What went wrong.
        source: super::xs::XsError,
    },
}

impl Error {
    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            Error::Xml { at, .. }
            | Error::InvalidAttribute { at, .. }
            | Error::MissingAttribute { at }
            | Error::DuplicateElement { at }
            | Error::NotMpd { at, .. }
            | Error::Limit { at, .. }
            | Error::Time { at, .. } => at,
        }
    }
}
