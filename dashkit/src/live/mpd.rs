//! The dynamic MPD.
