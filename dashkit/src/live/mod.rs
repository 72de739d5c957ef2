//! VoD to live, dashlivesim's job in exact integer time: typed live options parsed from the
//! URL path grammar ([`options`]), the timing model mapping live segment numbers onto the VoD
//! loop with availability windows ([`timing`]), whether a request can be had ([`availability`]),
//! the answer to one request ([`source::respond`]) and its HTTP form ([`http`]), and every file
//! of a session at an instant ([`shift`]). "Now" is always a parameter.

pub mod asset;
pub mod availability;
pub mod chunk;
pub mod eccp;
pub mod hls;
pub mod http;
pub mod inject;
pub(crate) mod lmsg;
pub mod lowlatency;
pub mod mpd;
pub mod mpd_cache;
pub mod options;
pub mod patch;
pub(crate) mod periods;
pub(crate) mod scte35;
pub mod segment;
pub mod shift;
pub mod source;
pub mod timesubs;
pub mod timing;

/// Errors of the live layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path component is not a live option.
    #[error("unknown live option {component:?}")]
    UnknownOption {
        /// The component.
        component: String,
    },
    /// A known option with a malformed value.
    #[error("malformed live option {key}_{value}")]
    BadOption {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// An option dashlivesim or livesim2 knows that dashkit does not implement.
    #[error(
        "live option {key}_ is not supported by dashkit{}",
        eccp::unsupported_hint(key)
    )]
    UnsupportedOption {
        /// The key.
        key: String,
    },
    /// Options that do not go together.
    #[error("live options: {message}")]
    OptionConflict {
        /// What is wrong.
        message: String,
    },
    /// The loop has no duration (zero segments or zero segment duration).
    #[error("the VoD loop is empty (zero segments or zero segment duration)")]
    EmptyLoop,
    /// The segment's media time would be negative (before the media timeline's origin).
    #[error("live segment {number} lies before media time zero")]
    NegativeMediaTime {
        /// The live number.
        number: u64,
    },
    /// Time arithmetic overflowed 64 bits.
    #[error("live time arithmetic overflow")]
    Overflow,
    /// The VoD asset cannot be served live.
    #[error("VoD asset not liveable: {reason}")]
    NotLiveable {
        /// Why.
        reason: &'static str,
    },
    /// A file the asset needs could not be read (the fetch closure returned nothing).
    #[error("missing file {url}")]
    MissingFile {
        /// Its URL relative to the MPD.
        url: String,
    },
    /// A VoD segment could not be read or rewritten.
    #[error("segment {url}: {source}")]
    Segment {
        /// The segment's URL (or live path).
        url: String,
        /// The ISO-BMFF error (offset and box path).
        source: Box<crate::bmff::Error>,
    },
    /// The VoD MPD could not be read or a template expanded.
    #[error(transparent)]
    Mpd(Box<crate::mpd::Error>),
    /// The `.cfg`/`.dat` files or the VoD analysis failed.
    #[error(transparent)]
    Analyze(Box<crate::analyze::Error>),
    /// On-the-fly encryption (`drm_eccp-*`) of a segment failed, or the asset cannot be
    /// encrypted (already encrypted, a codec that cannot be subsample-encrypted). Never
    /// carries key material.
    #[error("drm_eccp-{scheme}: {source}")]
    Protection {
        /// The scheme asked for (`cenc` or `cbcs`).
        scheme: &'static str,
        /// Why.
        source: Box<crate::cenc::Error>,
    },
}
