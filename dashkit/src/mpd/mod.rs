//! The MPD (ISO/IEC 23009-1 Media Presentation Description): model, parse, write, xs types,
//! template expansion and segment addressing.
//!
//! | module | what it holds |
//! |---|---|
//! | [`error`] | [`Error`] and [`Location`] (line, column, element path) |

pub mod error;

pub use error::{Error, Location};
