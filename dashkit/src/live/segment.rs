//! Live segments.
