//! Sample resolution inside one `moof` (ISO/IEC 14496-12 §8.8): per `traf`, the track, its
//! tfdt and every sample's duration, size, flags and composition offset after the defaults
//! chain (trun record, then tfhd default, then trex default; first_sample_flags for sample 0),
//! plus each sample's byte offset from the traf's data base (§8.8.7: base_data_offset,
//! default-base-is-moof, or the implicit base after the previous traf's data).

use crate::bmff::boxes::{Mfhd, Trex};
use crate::bmff::index::{Depth, Index};
use crate::bmff::traf::{missing, resolve_traf, TrafAt};
use crate::bmff::Error;

pub use crate::bmff::traf::{ResolvedSample, TrafSamples};

/// A resolved `moof`: mfhd sequence number and its trafs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoofSamples {
    /// `mfhd.sequence_number` (0 when the moof has no mfhd).
    pub sequence_number: u32,
    /// The trafs in file order.
    pub trafs: Vec<TrafSamples>,
}

/// Resolves the moof at position `moof` of `idx` (an index over `data`). `defaults` are the
/// trex boxes of the init segment (empty when unknown: missing defaults count as 0).
pub fn resolve_moof(
    data: &[u8],
    idx: &Index,
    moof: usize,
    defaults: &[Trex],
) -> Result<MoofSamples, Error> {
    let boxes = idx.boxes();
    let Some(mb) = boxes.get(moof) else {
        return Err(missing(idx.base(), String::new(), b"moof"));
    };
    let moof_offset = mb.offset;
    let body = |i: usize| data.get(boxes[i].range()).unwrap_or(&[]);
    let sequence_number = match idx.child(moof, b"mfhd") {
        Some(m) => {
            Mfhd::parse(body(m), boxes[m].offset)
                .map_err(|e| e.in_path(idx.path(m)))?
                .sequence_number
        }
        None => 0,
    };
    let mut trafs = Vec::new();
    let mut previous_end: Option<u64> = None;
    for (index, t) in idx
        .children(moof)
        .filter(|&c| boxes[c].is(b"traf"))
        .enumerate()
    {
        let at = TrafAt {
            moof_offset,
            index,
            previous_end,
            within_data: false,
        };
        let (traf, end) = resolve_traf(data, idx, t, at, defaults)?;
        previous_end = Some(end);
        trafs.push(traf);
    }
    Ok(MoofSamples {
        sequence_number,
        trafs,
    })
}

/// What fragments need from an init segment's `moov`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitDefaults {
    /// The `trex` boxes (per-track fragment defaults).
    pub trex: Vec<Trex>,
    /// `(track_ID, mdhd timescale)` of each trak.
    pub timescales: Vec<(u32, u32)>,
}

/// The trex boxes of a `moov` (whole box bytes, first byte at absolute `offset`), with the
/// mdhd timescale of each trak.
pub fn moov_defaults(moov: &[u8], offset: u64) -> Result<InitDefaults, Error> {
    let idx = Index::parse_with(moov, offset, Depth::Full)?;
    let boxes = idx.boxes();
    let body = |i: usize| moov.get(boxes[i].range()).unwrap_or(&[]);
    let mut trex = Vec::new();
    let mut timescales = Vec::new();
    let Some(m) = idx.find("moov") else {
        return Ok(InitDefaults { trex, timescales });
    };
    for c in idx.children(m) {
        if boxes[c].is(b"mvex") {
            for t in idx.children(c).filter(|&t| boxes[t].is(b"trex")) {
                trex.push(
                    Trex::parse(body(t), boxes[t].offset).map_err(|e| e.in_path(idx.path(t)))?,
                );
            }
        } else if boxes[c].is(b"trak") {
            let tkhd = idx.child(c, b"tkhd");
            let mdhd = idx.child(c, b"mdia").and_then(|m| idx.child(m, b"mdhd"));
            if let (Some(tk), Some(md)) = (tkhd, mdhd) {
                let tk = crate::bmff::boxes::Tkhd::parse(body(tk), boxes[tk].offset)
                    .map_err(|e| e.in_path(idx.path(tk)))?;
                let md = crate::bmff::boxes::Mdhd::parse(body(md), boxes[md].offset)
                    .map_err(|e| e.in_path(idx.path(md)))?;
                timescales.push((tk.track_id, md.timescale));
            }
        }
    }
    Ok(InitDefaults { trex, timescales })
}
