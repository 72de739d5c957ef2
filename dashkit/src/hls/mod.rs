//! HTTP Live Streaming playlists (RFC 8216, and the low-latency tags of its successor draft
//! rfc8216bis): model, writer, parser, and playlists built from an MPD over the same CMAF
//! segments.
//!
//! | module | what it holds |
//! |---|---|
//! | [`decimal`] | [`Decimal`]: exact durations, written from integers, read as fixed point |
//! | [`model`] | [`Playlist`], [`MultivariantPlaylist`], [`MediaPlaylist`] and their tags |
//! | `parse` | [`parse()`]: text -> [`Playlist`], errors with their line |
//! | `write` | [`write()`], [`write_media`], [`write_multivariant`]: model -> text |
//! | [`build`] | [`build::from_mpd`]: the playlists of a static MPD, segment for segment |
//! | [`error`] | [`Error`] and [`ErrorKind`] |
//!
//! The round-trip law: for every playlist `p` the writer produces, `parse(&write(&p)) == p`
//! once each duration is replaced by its written value ([`Decimal::as_written`]): exact
//! whenever the duration's decimal expansion ends within 9 digits.
//!
//! ```
//! use dashkit::hls::{parse, write, Playlist};
//! let text = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n\
//!             #EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\n1.m4s\n#EXT-X-ENDLIST\n";
//! let p = parse(text)?;
//! assert!(matches!(p, Playlist::Media(_)));
//! assert_eq!(write(&p), text);
//! # Ok::<(), dashkit::hls::Error>(())
//! ```

mod attr;
pub mod build;
pub mod decimal;
pub mod error;
pub mod model;
mod parse;
mod write;

pub use decimal::Decimal;
pub use error::{Error, ErrorKind};
pub use model::{
    ByteSpan, Map, MediaPlaylist, MediaSegment, MediaType, MultivariantPlaylist, PartialSegment,
    Playlist, PlaylistType, PreloadHint, PreloadHintType, Rendition, RenditionReport,
    ServerControl, Skip, Variant,
};
pub use parse::parse;
pub use write::{write, write_media, write_multivariant};
