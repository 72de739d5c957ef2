//! Low-latency live output (`chunkdur_X`, docs/box-rewrite.md#chunks): one live
//! media segment cut into CMAF chunks of about `X` ms, each a new `moof` + `mdat`, so a server
//! can send the segment progressively as each chunk's media end time passes.
//!
//! The chunks are built straight from the VoD segment's bytes and the live shift (no
//! intermediate rewritten segment): every chunk owns only its `moof` and `mdat` header; the
//! sample bytes are borrowed slices of the VoD input ([`Part::Borrowed`]), contiguous samples
//! in one slice.
//!
//! Each chunk: `mfhd` = the live segment number; one `traf` with `tfhd` flags `0x020000`
//! (default-base-is-moof, plus `0x000002` when the input carried a sample_description_index),
//! `tfdt` version 1 = decode time of the chunk's first sample + the shift; `trun` with
//! data_offset (`moof` size + 8), and per-sample duration, size, flags and, when any is
//! non-zero, composition offset (`trun` version 1 when one is negative). Sample flags are the
//! input's, resolved through the trun/tfhd/trex chain: dashlivesim's sync-flag bug is not
//! reproduced (docs/box-rewrite.md#chunks). The first chunk keeps the input `styp`; `sidx`,
//! `prft` and `emsg` are dropped (their times are VoD times; dashlivesim drops them too).
//!
//! Chunk boundaries: dashlivesim's rule, not livesim2's. A chunk closes before the first sample
//! whose start, relative to the segment's first sample, reaches the next multiple of the chunk
//! duration (grid points that a long sample skips are skipped with it; no chunk is empty).
//! livesim2 instead closes a chunk once it holds at least the chunk duration, measured from the
//! chunk's own start, so its boundaries drift by up to a sample per chunk; the grid keeps chunk
//! `i`'s end within one sample of `(i + 1) · X`, which is what a server schedules by. The two
//! agree when sample durations divide the chunk duration (25 fps video in 200 or 1000 ms
//! chunks).

use crate::bmff::boxes::{
    encode_mdat_header, mdat_header_len, put_header, Mfhd, Tfdt, Tfhd, Trun, TrunEntry,
    TFHD_DEFAULT_BASE_IS_MOOF, TRUN_CTO, TRUN_DURATION, TRUN_FLAGS, TRUN_SIZE,
};
use crate::bmff::index::{Depth, Index};
use crate::bmff::patch::Part;
use crate::cmaf::moof::{moov_defaults, resolve_moof, ResolvedSample};
use crate::timeline::Timescale;

use super::timing::LiveSegment;
use super::Error;

/// One chunk of a live segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveChunk<'a> {
    /// The chunk's bytes in order: (first chunk only) the input `styp`, then the owned `moof`
    /// and `mdat` header, then borrowed sample data.
    pub parts: Vec<Part<'a>>,
    /// `tfdt` of the chunk (live decode time of its first sample), in the track timescale.
    pub decode_time: u64,
    /// Sum of the chunk's sample durations, in the track timescale.
    pub duration_ticks: u64,
    /// Number of samples.
    pub sample_count: u32,
    /// End of the chunk's last sample relative to the segment's first sample, in ticks.
    pub end_offset_ticks: u64,
    /// The same in milliseconds, rounded up: chunk `i` may be sent once the segment's media
    /// start time plus this has passed on the availability clock (its end time, as the
    /// segment's availability is its end time).
    pub end_offset_ms: u64,
    /// Its first sample is a sync sample (a player may start decoding there: HLS
    /// `EXT-X-PART:INDEPENDENT=YES`).
    pub independent: bool,
}

impl LiveChunk<'_> {
    /// Total length in bytes.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.as_bytes().len()).sum()
    }

    /// True for an empty chunk (never produced by [`chunk_segment`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The chunk as one vector (copies; for tests and small outputs).
    pub fn to_vec(&self) -> Vec<u8> {
        self.parts
            .iter()
            .flat_map(|p| p.as_bytes().iter().copied())
            .collect()
    }
}

/// What to cut and how to label it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSpec {
    /// Target chunk duration in milliseconds (> 0).
    pub chunk_duration_ms: u64,
    /// The track timescale (mdhd).
    pub timescale: u32,
    /// mfhd sequence number of every chunk (the live segment number).
    pub sequence_number: u32,
    /// Ticks added to every decode time (the live shift).
    pub tfdt_offset_ticks: u64,
}

/// A sample with its decode time (its bytes were checked to lie inside the input).
struct Timed {
    s: ResolvedSample,
    decode: u64,
}

/// `bytes[a..z]` of a range checked when the sample was collected.
fn slice(bytes: &[u8], (a, z): (u64, u64)) -> &[u8] {
    bytes.get(a as usize..z as usize).unwrap_or(&[])
}

/// Cuts one VoD media segment into live chunks. `init` supplies trex defaults (needed when a
/// fragment's samples take their duration, size or flags from the `trex`, as Shaka Packager's
/// audio does). Single-track segments only (CMAF); one or more moofs are accepted.
///
/// ```
/// use dashkit::live::chunk::{chunk_segment, ChunkSpec};
/// # fn b(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
/// #     let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
/// #     v.extend_from_slice(kind); v.extend_from_slice(payload); v }
/// // 4 samples of 250 ticks (timescale 1000), 1 byte each, cut into 500 ms chunks.
/// let tfhd = b(b"tfhd", &[0, 2, 0, 0x18, 0, 0, 0, 1, 0, 0, 0, 250, 0, 0, 0, 1]);
/// let tfdt = b(b"tfdt", &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
/// let trun = b(b"trun", &[0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0]);
/// let traf = b(b"traf", &[tfhd, tfdt, trun].concat());
/// let mut moof = b(b"moof", &[b(b"mfhd", &[0; 8]), traf].concat());
/// let off = moof.len() as u32 + 8; // trun data_offset
/// let n = moof.len(); moof[n - 4..].copy_from_slice(&off.to_be_bytes());
/// let seg = [moof, b(b"mdat", b"abcd")].concat();
/// let spec = ChunkSpec { chunk_duration_ms: 500, timescale: 1000, sequence_number: 9,
///                        tfdt_offset_ticks: 10_000 };
/// let chunks = chunk_segment(&seg, None, &spec).unwrap();
/// assert_eq!(chunks.len(), 2);
/// assert_eq!((chunks[1].decode_time, chunks[1].end_offset_ms), (10_500, 1000));
/// assert!(chunks[1].to_vec().ends_with(b"cd"));
/// ```
pub fn chunk_segment<'a>(
    vod_bytes: &'a [u8],
    init: Option<&[u8]>,
    spec: &ChunkSpec,
) -> Result<Vec<LiveChunk<'a>>, Error> {
    let berr = |e: crate::bmff::Error| Error::Segment {
        url: String::new(),
        source: Box::new(e),
    };
    if spec.chunk_duration_ms == 0 || spec.timescale == 0 {
        return Err(Error::BadOption {
            key: "chunkdur".into(),
            value: spec.chunk_duration_ms.to_string(),
        });
    }
    let trex = match init {
        Some(i) => {
            let idx = Index::parse_with(i, 0, Depth::TopAndMoof).map_err(berr)?;
            match idx.find("moov") {
                Some(m) => {
                    let b = &idx.boxes()[m];
                    moov_defaults(i.get(b.range()).unwrap_or(&[]), b.offset)
                        .map_err(berr)?
                        .trex
                }
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let idx = Index::parse_with(vod_bytes, 0, Depth::TopAndMoof).map_err(berr)?;
    let boxes = idx.boxes();
    let mut styp: Option<&'a [u8]> = None;
    let mut samples: Vec<Timed> = Vec::new();
    let mut track: Option<(u32, Option<u32>)> = None;
    let mut next_decode: Option<u64> = None;
    for t in idx.top() {
        let b = &boxes[t];
        if b.is(b"styp") && samples.is_empty() {
            styp = vod_bytes.get(b.range());
        }
        if !b.is(b"moof") {
            continue;
        }
        let m = resolve_moof(vod_bytes, &idx, t, &trex).map_err(berr)?;
        for traf in m.trafs {
            match track {
                None => track = Some((traf.track_id, traf.tfhd.sample_description_index)),
                Some((id, _)) if id != traf.track_id => {
                    return Err(Error::NotLiveable {
                        reason: "chunking needs a single-track segment",
                    })
                }
                Some(_) => {}
            }
            if traf.has_aux_info {
                return Err(Error::NotLiveable {
                    reason: "chunking does not carry sample auxiliary information (saio/senc)",
                });
            }
            let mut decode = traf.decode_time.or(next_decode).ok_or(Error::NotLiveable {
                reason: "a VoD media segment has no moof/traf/tfdt",
            })?;
            for (n, s) in traf.samples.into_iter().enumerate() {
                let end = s
                    .offset
                    .checked_add(u64::from(s.size))
                    .ok_or(Error::Overflow)?;
                usize::try_from(s.offset)
                    .ok()
                    .zip(usize::try_from(end).ok())
                    .and_then(|(a, z)| vod_bytes.get(a..z))
                    .ok_or_else(|| {
                        berr(crate::bmff::Error::new(
                            b.offset,
                            idx.path(t),
                            crate::bmff::ErrorKind::SampleDataPastEnd {
                                sample: n as u64,
                                end,
                                available: vod_bytes.len() as u64,
                            },
                        ))
                    })?;
                samples.push(Timed { s, decode });
                decode = decode
                    .checked_add(u64::from(s.duration))
                    .ok_or(Error::Overflow)?;
            }
            next_decode = Some(decode);
        }
    }
    let Some((track_id, sdi)) = track else {
        return Err(Error::NotLiveable {
            reason: "a VoD media segment has no moof",
        });
    };
    let Some(first) = samples.first() else {
        return Ok(Vec::new());
    };
    let seg_start = first.decode;
    // Grid test in exact integers: elapsed_ticks · 1000 >= k · chunk_ms · timescale.
    let grid = i128::from(spec.chunk_duration_ms) * i128::from(spec.timescale);
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0usize;
    let mut next_k: i128 = 1;
    for (i, s) in samples.iter().enumerate() {
        let elapsed = i128::from(s.decode - seg_start) * 1000;
        if i > start && elapsed >= next_k * grid {
            groups.push(start..i);
            start = i;
        }
        if elapsed >= next_k * grid {
            next_k = elapsed / grid + 1;
        }
    }
    groups.push(start..samples.len());

    let mut out = Vec::with_capacity(groups.len());
    for (gi, g) in groups.into_iter().enumerate() {
        let group = samples.get(g).unwrap_or(&[]);
        let chunk = build_chunk(vod_bytes, group, track_id, sdi, spec, seg_start)?;
        let mut parts = Vec::with_capacity(4);
        if gi == 0 {
            if let Some(s) = styp {
                parts.push(Part::Borrowed(s));
            }
        }
        parts.extend(chunk.0);
        out.push(LiveChunk { parts, ..chunk.1 });
    }
    Ok(out)
}

/// moof + mdat header (owned) and the borrowed sample runs of one chunk.
fn build_chunk<'a>(
    vod_bytes: &'a [u8],
    group: &[Timed],
    track_id: u32,
    sdi: Option<u32>,
    spec: &ChunkSpec,
    seg_start: u64,
) -> Result<(Vec<Part<'a>>, LiveChunk<'a>), Error> {
    let n = u32::try_from(group.len()).map_err(|_| Error::Overflow)?;
    let any_cto = group.iter().any(|t| t.s.composition_offset != 0);
    let negative = group.iter().any(|t| t.s.composition_offset < 0);
    let payload: u64 = group.iter().map(|t| u64::from(t.s.size)).sum();
    let first_decode = group.first().map_or(seg_start, |t| t.decode);
    let tfdt = first_decode
        .checked_add(spec.tfdt_offset_ticks)
        .ok_or(Error::Overflow)?;
    let duration: u64 = group.iter().map(|t| u64::from(t.s.duration)).sum();
    let mfhd = Mfhd {
        sequence_number: spec.sequence_number,
    };
    let tfhd = Tfhd {
        flags: TFHD_DEFAULT_BASE_IS_MOOF,
        track_id,
        base_data_offset: None,
        sample_description_index: sdi,
        default_sample_duration: None,
        default_sample_size: None,
        default_sample_flags: None,
    };
    let tfdt_box = Tfdt {
        version: 1,
        base_media_decode_time: tfdt,
    };
    let mut trun = Trun {
        version: u8::from(negative),
        flags: TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | if any_cto { TRUN_CTO } else { 0 },
        data_offset: Some(0),
        first_sample_flags: None,
        entries: group
            .iter()
            .map(|t| TrunEntry {
                duration: Some(t.s.duration),
                size: Some(t.s.size),
                flags: Some(t.s.flags),
                composition_offset: any_cto.then_some(t.s.composition_offset),
            })
            .collect(),
    };
    let moof_len = 8
        + mfhd.encoded_len()
        + 8
        + tfhd.encoded_len()
        + tfdt_box.encoded_len()
        + trun.encoded_len();
    let moof_len32 = u32::try_from(moof_len).map_err(|_| Error::Overflow)?;
    let data_offset = u64::from(moof_len32) + mdat_header_len(payload);
    trun.data_offset = Some(i32::try_from(data_offset).map_err(|_| Error::Overflow)?);
    let cap = usize::try_from(data_offset).map_err(|_| Error::Overflow)?;
    let mut v: Vec<u8> = Vec::with_capacity(cap);
    let traf_len = moof_len - 8 - mfhd.encoded_len();
    let encoded = (|| {
        put_header(&mut v, b"moof", moof_len)?;
        mfhd.encode_into(&mut v)?;
        put_header(&mut v, b"traf", traf_len)?;
        tfhd.encode_into(&mut v)?;
        tfdt_box.encode_into(&mut v)?;
        trun.encode_into(&mut v)?;
        encode_mdat_header(&mut v, payload)
    })();
    encoded.map_err(|_| Error::Overflow)?;
    let mut parts = vec![Part::Owned(v)];
    // Borrowed sample runs, contiguous samples merged into one slice of the input.
    let mut run: Option<(u64, u64)> = None;
    for t in group {
        let (a, z) = (t.s.offset, t.s.offset + u64::from(t.s.size));
        run = match run {
            Some((ra, rz)) if rz == a => Some((ra, z)),
            Some(r) => {
                parts.push(Part::Borrowed(slice(vod_bytes, r)));
                Some((a, z))
            }
            None => Some((a, z)),
        };
    }
    if let Some(r) = run {
        parts.push(Part::Borrowed(slice(vod_bytes, r)));
    }
    let end = first_decode + duration - seg_start;
    let ts = u128::from(spec.timescale);
    let end_ms = (u128::from(end) * 1000).div_ceil(ts);
    Ok((
        parts,
        LiveChunk {
            parts: Vec::new(),
            decode_time: tfdt,
            duration_ticks: duration,
            sample_count: n,
            end_offset_ticks: end,
            end_offset_ms: u64::try_from(end_ms).map_err(|_| Error::Overflow)?,
            independent: group.first().is_some_and(|t| t.s.is_sync()),
        },
    ))
}

/// [`chunk_segment`] for live segment `live` (mfhd = its number, tfdt shifted by
/// `tfdt_offset_ticks`, `lmsg` in the first chunk's styp for a session's last segment), as [`super::segment::shift_segment`] labels it; `url` labels errors.
pub(crate) fn chunk_live_segment<'a>(
    vod_bytes: &'a [u8],
    init: Option<&[u8]>,
    url: &str,
    live: &LiveSegment,
    timescale: Timescale,
    tfdt_offset_ticks: u64,
    chunk_duration_ms: u64,
) -> Result<Vec<LiveChunk<'a>>, Error> {
    let spec = ChunkSpec {
        chunk_duration_ms,
        timescale: timescale.get(),
        sequence_number: u32::try_from(live.number).map_err(|_| Error::Overflow)?,
        tfdt_offset_ticks,
    };
    let mut chunks = chunk_segment(vod_bytes, init, &spec).map_err(|e| match e {
        Error::Segment { source, .. } => Error::Segment {
            url: url.to_string(),
            source,
        },
        other => other,
    })?;
    // The last segment of a session: its first chunk's styp carries `lmsg` (the chunks' moofs
    // count their data from themselves, so a longer styp moves nothing they point at).
    if live.last {
        if let Some(first) = chunks.first_mut() {
            let styp = first
                .parts
                .first()
                .and_then(|p| super::lmsg::styp_with_lmsg(p.as_bytes()));
            if let Some(styp) = styp {
                first.parts[0] = Part::Owned(styp);
            }
        }
    }
    Ok(chunks)
}

/// The fixture agreement tests of chunking (moved here from the integration tests: they read
/// fragments through the internal moof resolver).
#[cfg(test)]
mod fixture_tests;
