//! The MPD (ISO/IEC 23009-1 Media Presentation Description): model, parse, write, xs types,
//! template expansion and segment addressing.
//!
//! | module | what it holds |
//! |---|---|
//! | [`error`] | [`Error`] and [`Location`] (line, column, element path) |
//! | [`template`] | URL templates (`$Number%05d$`, §5.3.9.4.4): parse once, expand many |
//! | [`url`] | RFC 3986 reference resolution for the BaseURL chain |
//! | [`segments`] | segment enumeration for every addressing mode (§5.3.9) |

pub mod error;
pub mod segments;
pub mod template;
pub mod url;

pub use error::{Error, Location};
