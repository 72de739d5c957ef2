//! The MPD (ISO/IEC 23009-1 Media Presentation Description): model, parse, write, xs types,
//! template expansion and segment addressing.

/// Errors of the MPD layer. Each says where: line, column and element path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Placeholder until the parser lands.
    #[error("{0}")]
    Other(String),
}
