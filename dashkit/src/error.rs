//! [`Error`]: the umbrella over each module's own error type, for callers who do not care
//! which layer failed.

/// Any dashkit error. Each variant wraps one module's error, which carries the location.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An MPD could not be parsed, written or addressed.
    #[error(transparent)]
    Mpd(#[from] crate::mpd::Error),
    /// An ISO-BMFF structure could not be read or rewritten.
    #[error(transparent)]
    Bmff(#[from] crate::bmff::Error),
    /// A file could not be encrypted or decrypted (Common Encryption).
    #[error(transparent)]
    Cenc(#[from] crate::cenc::Error),
    /// An incremental CMAF stream could not be parsed.
    #[error(transparent)]
    Cmaf(#[from] crate::cmaf::Error),
    /// A VoD asset could not be analysed for live simulation.
    #[error(transparent)]
    Analyze(#[from] crate::analyze::Error),
    /// Live options or live timing failed.
    #[error(transparent)]
    Live(#[from] crate::live::Error),
    /// A progressive file could not be fragmented.
    #[error(transparent)]
    Fragment(#[from] crate::fragment::Error),
    /// An HLS playlist could not be parsed.
    #[error(transparent)]
    Hls(#[from] crate::hls::Error),
    /// HLS playlists could not be built from an MPD.
    #[error(transparent)]
    HlsBuild(#[from] crate::hls::build::Error),
    /// Media time arithmetic failed (overflow, zero timescale, ...).
    #[error(transparent)]
    Timeline(#[from] crate::timeline::Error),
}
