//! One samples view for fragmented files (init + segments, or a whole fragmented file) and
//! progressive files: per track, each sample's decode time, duration, size, composition offset,
//! sync flag and absolute byte range.
//!
//! Fragments: ISO/IEC 14496-12 §8.8 (defaults resolve trun, then tfhd, then trex; data bases
//! per §8.8.7: base_data_offset, default-base-is-moof, or the implicit base where a later traf
//! starts after the previous traf's data). Progressive: §8.6.1.2 stts, §8.6.1.3 ctts, §8.7.3
//! stsz/stz2, §8.7.4 stsc, §8.7.5 stco/co64, §8.6.2 stss. Every count is checked against the
//! bytes present (or a cap in [`crate::limits`]) before it sizes anything.

use super::boxes::{self, Mdhd, SampleSizes, Tkhd, Trex};
use super::index::Index;
use super::traf::{missing, resolve_traf, TrafAt};
use super::{Error, ErrorKind};

/// One sample.
///
/// ```
/// use dashkit::bmff::samples::track_samples;
/// let init = include_bytes!("../../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// let seg = include_bytes!("../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// let video = &track_samples(Some(init), seg, 0).unwrap()[0];
/// let (first, second) = (video.samples[0], video.samples[1]);
/// assert!(first.is_sync && !second.is_sync); // one 2 s GOP per segment
/// assert_eq!(first.decode_time, 0);
/// assert_eq!(second.decode_time, u64::from(first.duration));
/// assert_eq!(second.offset, first.offset + u64::from(first.size));
/// assert!(first.offset >= 588); // in the mdat (at 580, 8-byte header)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Decode time, in the track timescale.
    pub decode_time: u64,
    /// Duration, in the track timescale.
    pub duration: u32,
    /// Size in bytes.
    pub size: u32,
    /// Composition offset (presentation = decode + this), in the track timescale.
    pub composition_offset: i64,
    /// Sync sample (sample_is_non_sync_sample clear, or listed in stss).
    pub is_sync: bool,
    /// Absolute offset of the first byte (in the coordinates of the media slice).
    pub offset: u64,
}

/// A fragment of one track: the part of one `moof` that belongs to it.
///
/// ```
/// use dashkit::bmff::samples::track_samples;
/// let init = include_bytes!("../../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// let seg = include_bytes!("../../../fixtures/dash/ffmpeg_number/chunk-0-00002.m4s");
/// let video = &track_samples(Some(init), seg, 0).unwrap()[0];
/// let f = video.fragments[0];
/// assert_eq!((f.moof_offset, f.decode_time), (76, 25874)); // the moof after styp and sidx
/// assert_eq!((f.first_sample_index, f.sample_count), (0, 50));
/// let sum: u64 = video.samples.iter().map(|s| u64::from(s.duration)).sum();
/// assert_eq!(f.duration, sum);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    /// Absolute offset of the moof.
    pub moof_offset: u64,
    /// Decode time of the first sample.
    pub decode_time: u64,
    /// Sum of the sample durations.
    pub duration: u64,
    /// Index of the first sample in [`TrackSamples::samples`].
    pub first_sample_index: usize,
    /// Number of samples.
    pub sample_count: usize,
}

/// The samples of one track.
///
/// ```
/// use dashkit::bmff::samples::track_samples;
/// let init = include_bytes!("../../../fixtures/dash/ffmpeg_number/init-1.m4s");
/// let seg = include_bytes!("../../../fixtures/dash/ffmpeg_number/chunk-1-00001.m4s");
/// let tracks = track_samples(Some(init), seg, 0).unwrap();
/// assert_eq!(tracks.len(), 1);
/// let audio = &tracks[0];
/// assert_eq!(audio.timescale, Some(48000));
/// assert_eq!(audio.fragments.len(), 1);
/// assert_eq!(audio.samples.len(), audio.fragments[0].sample_count);
/// assert!(audio.samples.iter().all(|s| s.is_sync)); // AAC: every frame is a sync sample
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackSamples {
    /// `track_ID`.
    pub track_id: u32,
    /// mdhd timescale, when the moov was available.
    pub timescale: Option<u32>,
    /// Samples in decode order.
    pub samples: Vec<Sample>,
    /// Fragments (empty for progressive files).
    pub fragments: Vec<Fragment>,
}

/// What the moov says about one track.
#[derive(Debug, Clone, Copy, Default)]
struct TrackInfo {
    track_id: u32,
    timescale: Option<u32>,
    trex: Option<Trex>,
}

fn decode_child<T>(
    data: &[u8],
    idx: &Index,
    parent: usize,
    kind: &[u8; 4],
    f: impl Fn(&[u8], u64) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    match idx.child(parent, kind) {
        None => Ok(None),
        Some(c) => {
            let b = &idx.boxes()[c];
            f(&data[b.range()], b.offset)
                .map(Some)
                .map_err(|e| e.in_path(idx.path(c)))
        }
    }
}

/// Samples of every track of a file. `init` is a separate init segment (or None when `media`
/// holds its own moov); `media_offset` is the absolute offset of `media`'s first byte, used
/// for the sample byte offsets and for absolute base_data_offset values.
///
/// ```
/// use dashkit::bmff::samples::track_samples;
/// // No moov and no moof: no tracks.
/// assert!(track_samples(None, &[0, 0, 0, 8, b'f', b'r', b'e', b'e'], 0).unwrap().is_empty());
/// ```
pub fn track_samples(
    init: Option<&[u8]>,
    media: &[u8],
    media_offset: u64,
) -> Result<Vec<TrackSamples>, Error> {
    let midx = Index::parse_with(media, media_offset, super::index::Depth::Full)?;
    let mut out: Vec<TrackSamples> = Vec::new();
    let mut infos: Vec<TrackInfo> = Vec::new();
    let init_idx;
    let (moov_data, moov_idx): (&[u8], &Index) = match init {
        Some(d) => {
            init_idx = Index::parse(d)?;
            (d, &init_idx)
        }
        None => (media, &midx),
    };
    if let Some(moov) = moov_idx.find("moov") {
        for trak in moov_idx
            .children(moov)
            .filter(|&c| moov_idx.boxes()[c].is(b"trak"))
        {
            let tkhd = decode_child(moov_data, moov_idx, trak, b"tkhd", Tkhd::parse)?.ok_or_else(
                || missing(moov_idx.boxes()[trak].offset, moov_idx.path(trak), b"tkhd"),
            )?;
            let mdia = moov_idx.child(trak, b"mdia");
            let mdhd = match mdia {
                Some(m) => decode_child(moov_data, moov_idx, m, b"mdhd", Mdhd::parse)?,
                None => None,
            };
            let mut info = TrackInfo {
                track_id: tkhd.track_id,
                timescale: mdhd.map(|m| m.timescale),
                trex: None,
            };
            if let Some(mvex) = moov_idx.child(moov, b"mvex") {
                for t in moov_idx
                    .children(mvex)
                    .filter(|&c| moov_idx.boxes()[c].is(b"trex"))
                {
                    let b = &moov_idx.boxes()[t];
                    let trex = Trex::parse(&moov_data[b.range()], b.offset)
                        .map_err(|e| e.in_path(moov_idx.path(t)))?;
                    if trex.track_id == info.track_id {
                        info.trex = Some(trex);
                    }
                }
            }
            infos.push(info);
            // Progressive sample tables live in the same file as the media only.
            if init.is_none() {
                let stbl = mdia
                    .and_then(|m| moov_idx.child(m, b"minf"))
                    .and_then(|m| moov_idx.child(m, b"stbl"));
                let samples = match stbl {
                    Some(s) => progressive(moov_data, moov_idx, s)?,
                    None => Vec::new(),
                };
                out.push(TrackSamples {
                    track_id: info.track_id,
                    timescale: info.timescale,
                    samples,
                    fragments: Vec::new(),
                });
            } else {
                out.push(TrackSamples {
                    track_id: info.track_id,
                    timescale: info.timescale,
                    samples: Vec::new(),
                    fragments: Vec::new(),
                });
            }
        }
    }
    fragments(media, &midx, &infos, &mut out)?;
    Ok(out)
}

fn fragments(
    data: &[u8],
    idx: &Index,
    infos: &[TrackInfo],
    out: &mut Vec<TrackSamples>,
) -> Result<(), Error> {
    let defaults: Vec<Trex> = infos.iter().filter_map(|i| i.trex).collect();
    for m in idx.top().filter(|&i| idx.boxes()[i].is(b"moof")) {
        let moof_offset = idx.boxes()[m].offset;
        let mut previous_end: Option<u64> = None;
        for (index, t) in idx
            .children(m)
            .filter(|&c| idx.boxes()[c].is(b"traf"))
            .enumerate()
        {
            let at = TrafAt {
                moof_offset,
                index,
                previous_end,
                within_data: true,
            };
            let (traf, end) = resolve_traf(data, idx, t, at, &defaults)?;
            previous_end = Some(end);
            let pos = match out.iter().position(|o| o.track_id == traf.track_id) {
                Some(p) => p,
                None => {
                    let timescale = infos
                        .iter()
                        .find(|i| i.track_id == traf.track_id)
                        .and_then(|i| i.timescale);
                    out.push(TrackSamples {
                        track_id: traf.track_id,
                        timescale,
                        samples: Vec::new(),
                        fragments: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let track = &mut out[pos];
            let total = track.samples.len() as u64 + traf.samples.len() as u64;
            let max = crate::limits::MAX_SAMPLES_PER_TRACK;
            if total > max {
                return Err(Error::new(
                    idx.boxes()[t].offset,
                    idx.path(t),
                    ErrorKind::TooMany {
                        field: "samples in track",
                        count: total,
                        max,
                    },
                ));
            }
            let start_decode = traf.decode_time.unwrap_or_else(|| {
                track
                    .samples
                    .last()
                    .map_or(0, |s| s.decode_time.saturating_add(u64::from(s.duration)))
            });
            let first_index = track.samples.len();
            let mut decode = start_decode;
            track.samples.reserve(traf.samples.len());
            for s in &traf.samples {
                track.samples.push(Sample {
                    decode_time: decode,
                    duration: s.duration,
                    size: s.size,
                    composition_offset: s.composition_offset,
                    is_sync: s.is_sync(),
                    offset: s.offset,
                });
                decode = decode.saturating_add(u64::from(s.duration));
            }
            track.fragments.push(Fragment {
                moof_offset,
                decode_time: start_decode,
                duration: traf.duration(),
                first_sample_index: first_index,
                sample_count: traf.samples.len(),
            });
        }
    }
    Ok(())
}

/// Samples from a progressive `stbl`.
fn progressive(data: &[u8], idx: &Index, stbl: usize) -> Result<Vec<Sample>, Error> {
    let stbl_box = &idx.boxes()[stbl];
    let sizes = match decode_child(data, idx, stbl, b"stsz", |d, o| {
        boxes::parse_sample_sizes(d, o, false)
    })? {
        Some(s) => s,
        None => match decode_child(data, idx, stbl, b"stz2", |d, o| {
            boxes::parse_sample_sizes(d, o, true)
        })? {
            Some(s) => s,
            None => return Ok(Vec::new()),
        },
    };
    let n = sizes.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    if let SampleSizes::Constant { size, count } = sizes {
        // Constant-size samples must fit in the file.
        let needed = u64::from(size).saturating_mul(u64::from(count));
        if needed > data.len() as u64 {
            return Err(Error::new(
                stbl_box.offset,
                idx.path(stbl),
                ErrorKind::CountPastEnd {
                    field: "stsz.sample_count",
                    count: u64::from(count),
                    needed,
                    available: data.len() as u64,
                },
            ));
        }
    }
    let stts = decode_child(data, idx, stbl, b"stts", |d, o| {
        boxes::parse_pairs(d, o, b"stts")
    })?
    .ok_or_else(|| missing(stbl_box.offset, idx.path(stbl), b"stts"))?;
    let ctts = decode_child(data, idx, stbl, b"ctts", |d, o| {
        boxes::parse_pairs(d, o, b"ctts").map(|p| (p, boxes::ctts_version(d)))
    })?;
    let stss = decode_child(data, idx, stbl, b"stss", boxes::parse_stss)?;
    let stsc = decode_child(data, idx, stbl, b"stsc", boxes::parse_stsc)?
        .ok_or_else(|| missing(stbl_box.offset, idx.path(stbl), b"stsc"))?;
    let chunks = match decode_child(data, idx, stbl, b"stco", |d, o| {
        boxes::parse_chunk_offsets(d, o, false)
    })? {
        Some(c) => c,
        None => decode_child(data, idx, stbl, b"co64", |d, o| {
            boxes::parse_chunk_offsets(d, o, true)
        })?
        .ok_or_else(|| missing(stbl_box.offset, idx.path(stbl), b"stco"))?,
    };
    let mut samples = Vec::with_capacity(n);
    // Durations (stts).
    let mut decode: u64 = 0;
    'outer: for &(count, delta) in &stts {
        for _ in 0..count {
            if samples.len() == n {
                break 'outer;
            }
            let i = samples.len();
            samples.push(Sample {
                decode_time: decode,
                duration: delta,
                size: sizes.get(i).unwrap_or(0),
                composition_offset: 0,
                is_sync: stss.is_none(),
                offset: 0,
            });
            decode = decode.saturating_add(u64::from(delta));
        }
    }
    // Samples stts does not cover get duration 0.
    while samples.len() < n {
        let i = samples.len();
        samples.push(Sample {
            decode_time: decode,
            duration: 0,
            size: sizes.get(i).unwrap_or(0),
            composition_offset: 0,
            is_sync: stss.is_none(),
            offset: 0,
        });
    }
    if let Some((ctts, version)) = ctts {
        let mut i = 0usize;
        'c: for (count, off) in ctts {
            for _ in 0..count {
                let Some(s) = samples.get_mut(i) else {
                    break 'c;
                };
                s.composition_offset = if version == 1 {
                    i64::from(off as i32)
                } else {
                    i64::from(off)
                };
                i += 1;
            }
        }
    }
    if let Some(stss) = stss {
        for number in stss {
            if let Some(s) = (number as usize)
                .checked_sub(1)
                .and_then(|i| samples.get_mut(i))
            {
                s.is_sync = true;
            }
        }
    }
    // Offsets (stsc + stco/co64).
    let mut i = 0usize;
    for (e, entry) in stsc.iter().enumerate() {
        let first = entry.first_chunk as usize;
        let last = stsc
            .get(e + 1)
            .map_or(chunks.len(), |n| (n.first_chunk as usize).saturating_sub(1));
        for chunk in first..=last.min(chunks.len()) {
            let Some(&chunk_offset) = chunk.checked_sub(1).and_then(|c| chunks.get(c)) else {
                continue;
            };
            let mut off = chunk_offset;
            for _ in 0..entry.samples_per_chunk {
                let Some(s) = samples.get_mut(i) else { break };
                s.offset = off;
                off = off.saturating_add(u64::from(s.size));
                i += 1;
            }
            if i >= n {
                break;
            }
        }
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bmff::testbox::{bx, full, u32s};

    /// moof with two trafs and no base flags (implicit base): the second traf's data starts
    /// where the first traf's data ends, so its data_offset of 0 means "right after".
    #[test]
    fn implicit_base_of_later_traf() {
        let traf1 = bx(
            b"traf",
            &[
                full(b"tfhd", 0, 0x10, &u32s(&[1, 3])), // default size 3
                full(b"tfdt", 0, 0, &u32s(&[100])),
                full(b"trun", 0, 0x001, &u32s(&[2, 0])), // 2 samples, data_offset patched below
            ]
            .concat(),
        );
        let traf2 = bx(
            b"traf",
            &[
                full(b"tfhd", 0, 0x18, &u32s(&[2, 7, 5])), // duration 7, size 5
                full(b"trun", 0, 0x000, &u32s(&[1])),
            ]
            .concat(),
        );
        let mfhd = full(b"mfhd", 0, 0, &u32s(&[1]));
        let moof_len = 8 + mfhd.len() + traf1.len() + traf2.len();
        let mut moof = bx(b"moof", &[mfhd, traf1, traf2].concat());
        // trun#1 data_offset = moof_len + 8 (first mdat payload byte).
        let idx = Index::parse(&moof).unwrap();
        let r = idx.all(b"trun").next().unwrap();
        let at = idx.boxes()[r].start + 16;
        moof[at..at + 4].copy_from_slice(&((moof_len + 8) as u32).to_be_bytes());
        let data = [moof, bx(b"mdat", b"aaabbbccccc")].concat();
        let tracks = track_samples(None, &data, 1000).unwrap();
        assert_eq!(tracks.len(), 2);
        let t1 = &tracks[0].samples;
        assert_eq!(t1[0].offset, 1000 + moof_len as u64 + 8);
        assert_eq!(t1[1].offset, t1[0].offset + 3);
        let t2 = &tracks[1].samples;
        assert_eq!(t2[0].offset, t1[1].offset + 3);
        assert_eq!((t2[0].size, t2[0].duration), (5, 7));
        assert_eq!(tracks[0].fragments[0].decode_time, 100);
    }

    #[test]
    fn sample_past_the_end_is_an_error() {
        let traf = bx(
            b"traf",
            &[
                full(b"tfhd", 0, 0x020010, &u32s(&[1, 1000])),
                full(b"trun", 0, 0x001, &u32s(&[1, 0])),
            ]
            .concat(),
        );
        let data = [bx(b"moof", &traf), bx(b"mdat", b"x")].concat();
        let e = track_samples(None, &data, 0).unwrap_err();
        assert_eq!(e.path, "moof/traf[0]/trun[0]");
    }
}
