//! Sample resolution inside one `moof` (ISO/IEC 14496-12 §8.8): per `traf`, the track, its
//! tfdt and every sample's duration, size, flags and composition offset after the defaults
//! chain (trun record, then tfhd default, then trex default; first_sample_flags for sample 0),
//! plus each sample's byte offset from the traf's data base (§8.8.7: base_data_offset,
//! default-base-is-moof, or the implicit base after the previous traf's data).

use crate::bmff::boxes::{Mfhd, Tfdt, Tfhd, Trex, Trun, TFHD_DEFAULT_BASE_IS_MOOF};
use crate::bmff::index::{Depth, Index};
use crate::bmff::{Error, ErrorKind, FourCc};

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

/// A resolved `moof`: mfhd sequence number and its trafs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoofSamples {
    /// `mfhd.sequence_number` (0 when the moof has no mfhd).
    pub sequence_number: u32,
    /// The trafs in file order.
    pub trafs: Vec<TrafSamples>,
}

fn missing(offset: u64, path: String, fourcc: &[u8; 4]) -> Error {
    Error::new(
        offset,
        path,
        ErrorKind::Missing {
            fourcc: FourCc(*fourcc),
        },
    )
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
    let mut prev_end: Option<u64> = None;
    for (k, t) in idx
        .children(moof)
        .filter(|&c| boxes[c].is(b"traf"))
        .enumerate()
    {
        let tfhd_i = idx
            .child(t, b"tfhd")
            .ok_or_else(|| missing(boxes[t].offset, idx.path(t), b"tfhd"))?;
        let tfhd = Tfhd::parse(body(tfhd_i), boxes[tfhd_i].offset)
            .map_err(|e| e.in_path(idx.path(tfhd_i)))?;
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
        let base = if let Some(b) = tfhd.base_data_offset {
            b
        } else if tfhd.flags & TFHD_DEFAULT_BASE_IS_MOOF != 0 || k == 0 {
            moof_offset
        } else {
            prev_end.unwrap_or(moof_offset)
        };
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
                cursor = u64::try_from(i128::from(base) + i128::from(off)).map_err(|_| {
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
                samples.push(ResolvedSample {
                    duration,
                    size,
                    flags,
                    composition_offset: e.composition_offset.unwrap_or(0),
                    offset: cursor,
                });
                cursor = cursor.saturating_add(u64::from(size));
            }
        }
        prev_end = Some(cursor);
        trafs.push(TrafSamples {
            track_id: tfhd.track_id,
            tfhd,
            decode_time,
            samples,
            has_aux_info,
        });
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
