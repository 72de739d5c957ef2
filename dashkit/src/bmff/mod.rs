//! ISO-BMFF (ISO/IEC 14496-12) and CMAF: zero-copy box index, samples view and in-place
//! rewriting of tfdt, mfhd, sidx and emsg.

/// Errors of the ISO-BMFF layer. Each carries the absolute byte offset and box path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Placeholder until the box index lands.
    #[error("{0}")]
    Other(String),
}
