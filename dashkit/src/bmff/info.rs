//! A summary of an ISO-BMFF file: brands, tracks with codec strings, timescales, durations,
//! sample counts and fragments. What `dashkit info` prints.

use super::boxes::{Ftyp, Hdlr, Mdhd, Mvhd, Tkhd};
use super::codec::codec_string;
use super::index::Index;
use super::samples::track_samples;
use super::Error;

/// One track.
///
/// ```
/// use dashkit::bmff::info::describe;
/// let init = include_bytes!("../../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// let video = &describe(init).unwrap().tracks[0];
/// assert_eq!((video.track_id, video.handler.as_str()), (1, "vide"));
/// assert_eq!((video.sample_entry.as_str(), video.codec.as_str()), ("avc1", "avc1.4d400c"));
/// assert_eq!((video.timescale, video.dimensions), (12800, Some((320, 180))));
/// assert_eq!(video.sample_count, 0); // an init segment holds no samples
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackInfo {
    /// `track_ID`.
    pub track_id: u32,
    /// Handler type (`vide`, `soun`, `text`, ...).
    pub handler: String,
    /// Sample entry type of the first entry (`avc1`, `mp4a`, `encv`, ...).
    pub sample_entry: String,
    /// RFC 6381 codec string of the first sample entry.
    pub codec: String,
    /// mdhd timescale.
    pub timescale: u32,
    /// mdhd duration, in `timescale` (0 for fragmented files).
    pub duration: u64,
    /// ISO-639-2/T language.
    pub language: String,
    /// Width and height in pixels (tkhd, integer part), for visual tracks.
    pub dimensions: Option<(u32, u32)>,
    /// Samples present in this file (sample tables plus fragments).
    pub sample_count: usize,
    /// Sum of the sample durations present, in `timescale`.
    pub sample_duration: u64,
    /// Duration of each fragment of this track, in `timescale`.
    pub fragment_durations: Vec<u64>,
}

/// The whole file.
///
/// ```
/// use dashkit::bmff::info::describe;
/// let seg = include_bytes!("../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// let info = describe(seg).unwrap();
/// assert!(info.fragmented && info.movie.is_none());
/// assert_eq!(info.fragment_count, 1);
/// assert_eq!(info.tracks[0].sample_count, 50); // 2 s at 25 fps
/// assert!(info.samples_error.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// `ftyp` (or `styp`) brands, if present.
    pub brands: Option<Ftyp>,
    /// mvhd timescale and duration, if there is a moov.
    pub movie: Option<(u32, u64)>,
    /// True when the file has an `mvex` or any `moof`.
    pub fragmented: bool,
    /// Number of top-level `moof` boxes.
    pub fragment_count: usize,
    /// Tracks, from the moov (or, without one, from the fragments' tfhd track IDs).
    pub tracks: Vec<TrackInfo>,
    /// Why the samples could not be resolved (a trun whose data runs past the file, a broken
    /// sample table), when they could not: the boxes were still read, so everything else
    /// above is shown, and sample counts and durations are zero.
    pub samples_error: Option<Error>,
}

/// Summarizes a file (init segment, media segment, fragmented or progressive file).
///
/// ```
/// use dashkit::bmff::info::describe;
/// let ftyp = [0, 0, 0, 16, b'f', b't', b'y', b'p', b'i', b's', b'o', b'6', 0, 0, 0, 0];
/// let info = describe(&ftyp).unwrap();
/// assert_eq!(info.brands.unwrap().major_brand.to_string(), "iso6");
/// assert!(info.tracks.is_empty());
/// ```
pub fn describe(data: &[u8]) -> Result<FileInfo, Error> {
    let idx = Index::parse(data)?;
    let brands = match idx.find("ftyp").or_else(|| idx.find("styp")) {
        Some(i) => {
            let b = &idx.boxes()[i];
            Some(Ftyp::parse_payload(
                &data[b.payload_range()],
                b.offset + b.header_len as u64,
            )?)
        }
        None => None,
    };
    let moov = idx.find("moov");
    let movie = match moov.and_then(|m| idx.child(m, b"mvhd")) {
        Some(i) => {
            let b = &idx.boxes()[i];
            let m = Mvhd::parse(&data[b.range()], b.offset).map_err(|e| e.in_path(idx.path(i)))?;
            Some((m.timescale, m.duration))
        }
        None => None,
    };
    let fragment_count = idx.top().filter(|&i| idx.boxes()[i].is(b"moof")).count();
    let fragmented = fragment_count > 0 || moov.and_then(|m| idx.child(m, b"mvex")).is_some();
    let (samples, samples_error) = match track_samples(None, data, 0) {
        Ok(s) => (s, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let mut tracks = Vec::new();
    let parse = |i: usize| (&data[idx.boxes()[i].range()], idx.boxes()[i].offset);
    if let Some(moov) = moov {
        for trak in idx.children(moov).filter(|&c| idx.boxes()[c].is(b"trak")) {
            let mut t = TrackInfo {
                track_id: 0,
                handler: String::new(),
                sample_entry: String::new(),
                codec: String::new(),
                timescale: 0,
                duration: 0,
                language: String::new(),
                dimensions: None,
                sample_count: 0,
                sample_duration: 0,
                fragment_durations: Vec::new(),
            };
            if let Some(i) = idx.child(trak, b"tkhd") {
                let (d, o) = parse(i);
                let k = Tkhd::parse(d, o).map_err(|e| e.in_path(idx.path(i)))?;
                t.track_id = k.track_id;
                if k.width > 0 || k.height > 0 {
                    t.dimensions = Some((k.width >> 16, k.height >> 16));
                }
            }
            let mdia = idx.child(trak, b"mdia");
            if let Some(i) = mdia.and_then(|m| idx.child(m, b"mdhd")) {
                let (d, o) = parse(i);
                let m = Mdhd::parse(d, o).map_err(|e| e.in_path(idx.path(i)))?;
                t.timescale = m.timescale;
                t.duration = m.duration;
                t.language = String::from_utf8_lossy(&m.language).into_owned();
            }
            if let Some(i) = mdia.and_then(|m| idx.child(m, b"hdlr")) {
                let (d, o) = parse(i);
                t.handler = Hdlr::parse(d, o)
                    .map_err(|e| e.in_path(idx.path(i)))?
                    .handler_type
                    .to_string();
            }
            let stsd = mdia
                .and_then(|m| idx.child(m, b"minf"))
                .and_then(|m| idx.child(m, b"stbl"))
                .and_then(|s| idx.child(s, b"stsd"));
            if let Some(entry) = stsd.and_then(|s| idx.children(s).next()) {
                t.sample_entry = idx.boxes()[entry].kind.to_string();
                t.codec = codec_string(data, &idx, entry)?;
            }
            if t.handler != "vide" {
                t.dimensions = None;
            }
            tracks.push(t);
        }
    }
    for s in &samples {
        let t = match tracks.iter_mut().find(|t| t.track_id == s.track_id) {
            Some(t) => t,
            None => {
                tracks.push(TrackInfo {
                    track_id: s.track_id,
                    handler: String::new(),
                    sample_entry: String::new(),
                    codec: String::new(),
                    timescale: s.timescale.unwrap_or(0),
                    duration: 0,
                    language: String::new(),
                    dimensions: None,
                    sample_count: 0,
                    sample_duration: 0,
                    fragment_durations: Vec::new(),
                });
                let n = tracks.len() - 1;
                &mut tracks[n]
            }
        };
        t.sample_count = s.samples.len();
        t.sample_duration = s
            .samples
            .iter()
            .fold(0u64, |a, x| a.saturating_add(u64::from(x.duration)));
        t.fragment_durations = s.fragments.iter().map(|f| f.duration).collect();
    }
    Ok(FileInfo {
        brands,
        movie,
        fragmented,
        fragment_count,
        tracks,
        samples_error,
    })
}
