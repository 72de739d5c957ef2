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

/// Errors of the MPD layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Placeholder: replaced by the parser's variants.
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: Location,
        /// What.
        message: String,
    },
}
