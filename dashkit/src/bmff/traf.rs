//! The one fragment-sample resolver (ISO/IEC 14496-12 §8.8): a `traf`'s samples with every
//! field through the defaulting chain ([`Trun::sample_duration`], [`Trun::sample_size`],
//! [`Trun::sample_flags`]) and every byte offset from the traf's data base
//! ([`Tfhd::data_base`], [`run_start`]). The samples view ([`super::samples`]) and the CMAF
//! parser ([`crate::cmaf::moof`]) both resolve through `resolve_traf`.

use super::boxes::{run_start, Tfdt, Tfhd, Trex, Trun};
use super::index::Index;
use super::{Error, ErrorKind, FourCc};

/// One sample of a track fragment with every default resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedSample {
    /// Duration in the track timescale.
    pub duration: u32,
    /// Size in bytes.
    pub size: u32,
    /// The sample_flags word (§8.8.3.1); sync iff bit 16 (`0x00010000`) is clear.
    pub flags: u32,
    /// Composition time offset (v0 unsigned, v1 signed).
    pub composition_offset: i64,
    /// Absolute offset of the sample's first byte (base + data_offset + preceding sizes).
    pub offset: u64,
}

impl ResolvedSample {
    /// Sync sample (`sample_is_non_sync_sample` clear).
    pub fn is_sync(&self) -> bool {
        self.flags & 0x0001_0000 == 0
    }
}

/// One `traf`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafSamples {
    /// `tfhd.track_ID`.
    pub track_id: u32,
    /// The tfhd as read.
    pub tfhd: Tfhd,
    /// `tfdt.baseMediaDecodeTime`, when the traf has a tfdt.
    pub decode_time: Option<u64>,
    /// The samples in decode order, over every trun of the traf.
    pub samples: Vec<ResolvedSample>,
    /// The traf holds boxes that point into sample data by offset (`saio`, `senc`), which a
    /// re-chunker cannot carry over.
    pub has_aux_info: bool,
}

impl TrafSamples {
    /// Sum of the sample durations (in the track timescale).
    pub fn duration(&self) -> u64 {
        self.samples.iter().map(|s| u64::from(s.duration)).sum()
    }
}

/// Where a traf sits: what its data base depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TrafAt {
    /// Absolute offset of the enclosing moof.
    pub(crate) moof_offset: u64,
    /// Position of the traf among the moof's trafs.
    pub(crate) index: usize,
    /// Where the previous traf's data ended (None for the first traf).
    pub(crate) previous_end: Option<u64>,
    /// Every sample must end inside the indexed bytes (false when only the moof is at hand).
    pub(crate) within_data: bool,
}

pub(crate) fn missing(offset: u64, path: String, fourcc: &[u8; 4]) -> Error {
    Error::new(
        offset,
        path,
        ErrorKind::Missing {
            fourcc: FourCc(*fourcc),
        },
    )
}

/// Resolves the traf at position `t` of `idx` (an index over `data`); `defaults` are the
/// init segment's trex boxes (a track without one takes 0 for every default). Returns the
/// traf and where its data ended (the implicit base of the next traf).
pub(crate) fn resolve_traf(
    data: &[u8],
    idx: &Index,
    t: usize,
    at: TrafAt,
    defaults: &[Trex],
) -> Result<(TrafSamples, u64), Error> {
    let boxes = idx.boxes();
    let body = |i: usize| data.get(boxes[i].range()).unwrap_or(&[]);
    let tfhd_i = idx
        .child(t, b"tfhd")
        .ok_or_else(|| missing(boxes[t].offset, idx.path(t), b"tfhd"))?;
    let tfhd =
        Tfhd::parse(body(tfhd_i), boxes[tfhd_i].offset).map_err(|e| e.in_path(idx.path(tfhd_i)))?;
    let decode_time = match idx.child(t, b"tfdt") {
        Some(d) => Some(
            Tfdt::parse(body(d), boxes[d].offset)
                .map_err(|e| e.in_path(idx.path(d)))?
                .base_media_decode_time,
        ),
        None => None,
    };
    let trex = defaults
        .iter()
        .find(|x| x.track_id == tfhd.track_id)
        .copied()
        .unwrap_or_default();
    let base = tfhd
        .data_base(at.index)
        .offset(at.moof_offset, at.previous_end);
    let data_end = idx.base() + data.len() as u64;
    let mut cursor = base;
    let mut samples: Vec<ResolvedSample> = Vec::new();
    let mut has_aux_info = false;
    for c in idx.children(t) {
        let cb = &boxes[c];
        if cb.is(b"saio") || cb.is(b"senc") || cb.is(b"saiz") {
            has_aux_info = true;
        }
        if !cb.is(b"trun") {
            continue;
        }
        let trun = Trun::parse(body(c), cb.offset).map_err(|e| e.in_path(idx.path(c)))?;
        if let Some(off) = trun.data_offset {
            cursor = run_start(base, off).ok_or_else(|| {
                Error::new(
                    cb.offset,
                    idx.path(c),
                    ErrorKind::BadField {
                        field: "trun.data_offset",
                        value: off as u32 as u64,
                    },
                )
            })?;
        }
        let total = samples.len() as u64 + trun.entries.len() as u64;
        let max = crate::limits::MAX_SAMPLES_PER_TRACK;
        if total > max {
            return Err(Error::new(
                cb.offset,
                idx.path(c),
                ErrorKind::TooMany {
                    field: "samples in traf",
                    count: total,
                    max,
                },
            ));
        }
        samples.reserve(trun.entries.len());
        for (n, e) in trun.entries.iter().enumerate() {
            let (duration, size, flags) = trun.resolved(n, &tfhd, &trex).unwrap_or_default();
            let end = cursor.saturating_add(u64::from(size));
            if at.within_data && end > data_end {
                return Err(Error::new(
                    cb.offset,
                    idx.path(c),
                    ErrorKind::SampleDataPastEnd {
                        sample: n as u64,
                        end,
                        available: idx.base().saturating_add(data.len() as u64),
                    },
                ));
            }
            samples.push(ResolvedSample {
                duration,
                size,
                flags,
                composition_offset: e.composition_offset.unwrap_or(0),
                offset: cursor,
            });
            cursor = end;
        }
    }
    let traf = TrafSamples {
        track_id: tfhd.track_id,
        tfhd,
        decode_time,
        samples,
        has_aux_info,
    };
    Ok((traf, cursor))
}
