//! `trex`: track extends defaults (§8.8.3).

use super::*;

/// `trex` (§8.8.3): per-track fragment defaults from the init segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trex {
    /// `track_ID`.
    pub track_id: u32,
    /// `default_sample_description_index`.
    pub default_sample_description_index: u32,
    /// `default_sample_duration`.
    pub default_sample_duration: u32,
    /// `default_sample_size`.
    pub default_sample_size: u32,
    /// `default_sample_flags`.
    pub default_sample_flags: u32,
}

impl Trex {
    /// Decodes a whole `trex` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"trex", path!(b"trex"), 0)?;
        Ok(Trex {
            track_id: r.u32()?,
            default_sample_description_index: r.u32()?,
            default_sample_duration: r.u32()?,
            default_sample_size: r.u32()?,
            default_sample_flags: r.u32()?,
        })
    }
}
