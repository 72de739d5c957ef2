//! Reading a VoD asset for analysis: the MPD, each Representation's init segment and media
//! segments, through a caller-supplied [`Source`] (dashkit does no IO).
//!
//! Segment numbers are found as vodanalyzer finds them when the source can list directories
//! (every file matching the media template, which must number contiguously); otherwise from
//! the MPD's own addressing.

use super::{AdaptationSetTimings, Analysis, Error, RepresentationTimings, SegmentTiming};
use crate::bmff::boxes::{defaulted, Mdhd, Tfdt, Tfhd, Trex, Trun};
use crate::bmff::header::BoxHeader;
use crate::bmff::Index;
use crate::limits::MAX_SEGMENT_HEADER_BYTES;
use crate::mpd::listing::{content_type, representation_segments};
use crate::mpd::template::{Identifier, Template, TemplateValues};
use crate::mpd::{inherit, Mpd};
use crate::source::{read_at, Source};

/// Largest non-`mdat` top-level box the analysis reads from a segment (64 MiB).
const MAX_HEADER_BOX: u64 = 64 << 20;

/// Reads a media segment's top-level boxes except `mdat` (styp, sidx, moof, emsg, ...),
/// concatenated in file order: all the timing analysis needs, without reading media data.
/// Returns `None` when the file does not exist.
pub fn fetch_segment_headers(source: &mut dyn Source, url: &str) -> Result<Option<Vec<u8>>, Error> {
    // One page: usually holds styp, sidx, moof and the mdat header (a 2 s segment's moof is a
    // few hundred bytes), so a segment costs one read plus one at the end of its mdat. A larger
    // first read only copies media data nobody looks at (it was 16 KiB: a quarter of the
    // CLI's time on a 1-hour asset went to copying it out of the page cache).
    const CHUNK: u64 = 4 * 1024;
    let mut out = Vec::new();
    let mut offset = 0u64;
    let Some(mut buf) = source.read(url, crate::mpd::segments::ByteRange::new(0, CHUNK - 1)) else {
        return Ok(None);
    };
    // A source that answers a range with more than was asked ignores ranges: it sent the
    // whole file, and the walk reads the rest from that, never from the source again.
    let whole = buf.len() as u64 > CHUNK;
    let mut buf_start = 0u64;
    let mut boxes = 0u64;
    loop {
        boxes += 1;
        if boxes > crate::limits::MAX_SEGMENT_TOP_BOXES || out.len() > MAX_SEGMENT_HEADER_BYTES {
            let (field, count, max) = if boxes > crate::limits::MAX_SEGMENT_TOP_BOXES {
                (
                    "top-level boxes",
                    boxes,
                    crate::limits::MAX_SEGMENT_TOP_BOXES,
                )
            } else {
                (
                    "header bytes",
                    out.len() as u64,
                    MAX_SEGMENT_HEADER_BYTES as u64,
                )
            };
            return Err(Error::Segment {
                url: url.to_string(),
                source: Box::new(crate::bmff::Error::new(
                    offset,
                    "",
                    crate::bmff::ErrorKind::TooMany { field, count, max },
                )),
            });
        }
        // Make sure the next header (up to 32 bytes) is in the buffer.
        let in_buf = |o: u64, n: u64, buf: &Vec<u8>, start: u64| {
            o >= start && o + n <= start + buf.len() as u64
        };
        if !whole && !in_buf(offset, 32, &buf, buf_start) {
            buf = read_at(source, url, offset, CHUNK).unwrap_or_default();
            buf_start = offset;
        }
        let local = (offset - buf_start) as usize;
        let head = buf.get(local..).unwrap_or(&[]);
        if head.is_empty() {
            return Ok(Some(out));
        }
        let bad = |kind| Error::Segment {
            url: url.to_string(),
            source: Box::new(crate::bmff::Error::new(offset, "", kind)),
        };
        let header = BoxHeader::parse(head, offset).map_err(|e| bad(e.error))?;
        let Some(size) = header.size else {
            // Extends to the end: only mdat does this in practice.
            return Ok(Some(out));
        };
        let kind = header.kind.0;
        if &kind != b"mdat" {
            if size > MAX_HEADER_BOX {
                return Err(bad(crate::bmff::ErrorKind::TooMany {
                    field: "box size",
                    count: size,
                    max: MAX_HEADER_BOX,
                }));
            }
            if in_buf(offset, size, &buf, buf_start) {
                out.extend_from_slice(&buf[local..local + size as usize]);
            } else if whole {
                return Err(bad(crate::bmff::ErrorKind::SizePastEnd {
                    size,
                    available: head.len() as u64,
                }));
            } else {
                let body = read_at(source, url, offset, size).unwrap_or_default();
                if (body.len() as u64) < size {
                    return Err(bad(crate::bmff::ErrorKind::SizePastEnd {
                        size,
                        available: body.len() as u64,
                    }));
                }
                out.extend_from_slice(&body);
            }
        }
        offset = offset.checked_add(size).ok_or_else(|| {
            bad(crate::bmff::ErrorKind::Overflow {
                field: "box offset",
                value: size,
            })
        })?;
    }
}

/// What the analysis needs from an init segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitInfo {
    /// `tkhd.track_ID`.
    pub track_id: u32,
    /// `mdhd.timescale` (version 0 or 1).
    pub timescale: u32,
    /// `trex.default_sample_duration`, when there is a trex.
    pub default_sample_duration: Option<u32>,
}

/// Reads an init segment: exactly one track, its timescale and trex default duration.
pub fn read_init(url: &str, bytes: &[u8]) -> Result<InitInfo, Error> {
    let boxed = |source| Error::Init {
        url: url.to_string(),
        source: Box::new(source),
    };
    let index = Index::parse(bytes).map_err(boxed)?;
    let traks: Vec<usize> = index.all(b"trak").collect();
    if traks.len() != 1 {
        return Err(Error::TrackCount {
            url: url.to_string(),
            count: traks.len(),
        });
    }
    let get = |path: &str| {
        index
            .find(path)
            .map(|i| {
                let b = &index.boxes()[i];
                (&bytes[b.range()], b.offset)
            })
            .ok_or_else(|| Error::MissingBox {
                url: url.to_string(),
                path: path.to_string(),
            })
    };
    let (mdhd, off) = get("moov/trak/mdia/mdhd")?;
    let mdhd = Mdhd::parse(mdhd, off).map_err(boxed)?;
    let (tkhd, off) = get("moov/trak/tkhd")?;
    let tkhd = crate::bmff::boxes::Tkhd::parse(tkhd, off).map_err(boxed)?;
    let trex = match get("moov/mvex/trex") {
        Ok((b, off)) => Some(Trex::parse(b, off).map_err(boxed)?),
        Err(_) => None,
    };
    Ok(InitInfo {
        track_id: tkhd.track_id,
        timescale: mdhd.timescale,
        default_sample_duration: trex.map(|t| t.default_sample_duration),
    })
}

/// Reads a media segment's timing as vodanalyzer does: tfdt of the last traf, and the sum of
/// the sample durations of the last trun (per-sample, else the tfhd default, else trex's).
pub fn read_segment_timing(
    url: &str,
    number: u64,
    bytes: &[u8],
    init: &InitInfo,
) -> Result<SegmentTiming, Error> {
    let boxed = |source| Error::Segment {
        url: url.to_string(),
        source: Box::new(source),
    };
    let index =
        Index::parse_with(bytes, 0, crate::bmff::index::Depth::TopAndMoof).map_err(boxed)?;
    let mut tfdt = None;
    let mut duration = None;
    // vodanalyzer keeps the last tfhd default seen, across trafs.
    let mut tfhd_duration = None;
    for traf in index.all(b"traf") {
        for c in index.children(traf) {
            let b = &index.boxes()[c];
            let data = &bytes[b.range()];
            if b.is(b"tfhd") {
                let t = Tfhd::parse(data, b.offset).map_err(boxed)?;
                if let Some(d) = t.default_sample_duration {
                    tfhd_duration = Some(d);
                }
            } else if b.is(b"tfdt") {
                tfdt = Some(
                    Tfdt::parse(data, b.offset)
                        .map_err(boxed)?
                        .base_media_decode_time,
                );
            } else if b.is(b"trun") {
                let t = Trun::parse(data, b.offset).map_err(boxed)?;
                let mut sum: u64 = 0;
                for e in &t.entries {
                    let d = defaulted(e.duration, tfhd_duration, init.default_sample_duration)
                        .ok_or_else(|| Error::MissingBox {
                            url: url.to_string(),
                            path: "sample duration (trun, tfhd or trex)".into(),
                        })?;
                    sum += u64::from(d);
                }
                duration = Some(sum);
            }
        }
    }
    let missing = |what: &str| Error::MissingBox {
        url: url.to_string(),
        path: what.to_string(),
    };
    Ok(SegmentTiming {
        number,
        url: url.to_string(),
        tfdt: tfdt.ok_or_else(|| missing("moof/traf/tfdt"))?,
        duration: duration.ok_or_else(|| missing("moof/traf/trun"))?,
    })
}

/// Finds the segment numbers present in a listing: the file names matching the media
/// template's file part with `$Number$` as digits (vodanalyzer's rule), sorted.
fn numbers_from_listing(
    names: &[String],
    file_template: &Template,
    values: &TemplateValues<'_>,
) -> Vec<u64> {
    // Expand the template with a marker number, then split around it.
    const MARK: u64 = 918_273_645_546_372_819;
    let Ok(probe) = file_template.expand(&TemplateValues {
        number: Some(MARK),
        ..*values
    }) else {
        return Vec::new();
    };
    let mark = MARK.to_string();
    let Some(pos) = probe.find(&mark) else {
        return Vec::new();
    };
    let (prefix, suffix) = (&probe[..pos], &probe[pos + mark.len()..]);
    let width = file_template.width(Identifier::Number).unwrap_or(0) as usize;
    let mut out: Vec<u64> = names
        .iter()
        .filter_map(|n| {
            let digits = n.strip_prefix(prefix)?.strip_suffix(suffix)?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if width > 0 && digits.len() < width {
                return None;
            }
            digits.parse().ok()
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A template's nominal segment duration in its timescale: `@duration`, else the most frequent
/// `S@d` of its SegmentTimeline (ties: the larger); `None` when it has neither.
fn nominal_duration(t: &inherit::EffectiveTemplate<'_>) -> Option<u64> {
    if let Some(d) = t.duration {
        return Some(d);
    }
    let mut counts: Vec<(u64, u64)> = Vec::new();
    for e in &t.segment_timeline?.s {
        let d = e.d?;
        let n = 1 + u64::try_from(e.r.unwrap_or(0).max(0)).unwrap_or(0);
        match counts.iter_mut().find(|(dd, _)| *dd == d) {
            Some(c) => c.1 += n,
            None => counts.push((d, n)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(d, n)| (n, d))
        .map(|(d, _)| d)
}

/// Analyses a VoD asset as vodanalyzer does, reading the MPD text and its files through
/// `source`. `base_name` names the outputs (see [`super::base_name`]).
///
/// ```
/// use dashkit::analyze::analyze;
/// # fn files(url: &str) -> Option<Vec<u8>> {
/// #     macro_rules! files { ($($f:literal)*) => { match url { $($f => include_bytes!(concat!(
/// #         "../../../fixtures/dash/ffmpeg_livesim/", $f)).to_vec(),)* _ => return None } } }
/// #     Some(files!("0/init.mp4" "0/1.m4s" "0/2.m4s" "0/3.m4s" "0/4.m4s" "0/5.m4s"
/// #                 "1/init.mp4" "1/1.m4s" "1/2.m4s" "1/3.m4s" "1/4.m4s" "1/5.m4s"))
/// # }
/// // `files` reads fixtures/dash/ffmpeg_livesim (two Representations, 5 x 2 s) whole.
/// let mut source = dashkit::source::WholeFiles(files);
/// let mpd = include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd");
/// let analysis = analyze(mpd, "ffmpeg_livesim", &mut source).unwrap();
/// let out = analysis.files();
/// let names: Vec<&str> = out.iter().map(|(name, _)| name.as_str()).collect();
/// assert_eq!(names, ["ffmpeg_livesim.cfg", "ffmpeg_livesim_video.dat", "ffmpeg_livesim_audio.dat"]);
/// // Byte for byte what vodanalyzer writes (the golden files).
/// let golden = include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// assert_eq!(out[0].1, golden);
/// ```
pub fn analyze(
    mpd_text: &str,
    base_name: &str,
    source: &mut dyn Source,
) -> Result<Analysis, Error> {
    let mpd = crate::mpd::parse(mpd_text)?;
    analyze_mpd(&mpd, base_name, source)
}

/// [`analyze`] on an already parsed MPD.
///
/// ```
/// use dashkit::analyze::{analyze_mpd, Error};
/// # fn files(url: &str) -> Option<Vec<u8>> {
/// #     macro_rules! files { ($($f:literal)*) => { match url { $($f => include_bytes!(concat!(
/// #         "../../../fixtures/dash/ffmpeg_livesim/", $f)).to_vec(),)* _ => return None } } }
/// #     Some(files!("0/init.mp4" "0/1.m4s" "0/2.m4s" "0/3.m4s" "0/4.m4s" "0/5.m4s"
/// #                 "1/init.mp4" "1/1.m4s" "1/2.m4s" "1/3.m4s" "1/4.m4s" "1/5.m4s"))
/// # }
/// // `files` reads fixtures/dash/ffmpeg_livesim (two Representations, 5 x 2 s) whole.
/// let mut source = dashkit::source::WholeFiles(files);
/// let mpd = include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd");
/// let parsed = dashkit::mpd::parse(mpd).unwrap();
/// let analysis = analyze_mpd(&parsed, "ffmpeg_livesim", &mut source).unwrap();
/// assert_eq!(analysis.adaptation_sets[1].timescale, 48_000); // the audio track's mdhd
/// // Without its audio files the analysis stops at the first one missing.
/// let mut video_only =
///     dashkit::source::WholeFiles(|url: &str| if url.starts_with("1/") { None } else { files(url) });
/// let e = analyze_mpd(&parsed, "x", &mut video_only).unwrap_err();
/// assert!(matches!(e, Error::MissingFile { url, .. } if url == "1/init.mp4"));
/// ```
pub fn analyze_mpd(mpd: &Mpd, base_name: &str, source: &mut dyn Source) -> Result<Analysis, Error> {
    let timings = inherit::period_timings(mpd)?;
    let mut sets = Vec::new();
    let mut as_index = 0usize;
    for (pi, period) in mpd.periods.iter().enumerate() {
        for (ai, aset) in period.adaptation_sets.iter().enumerate() {
            let ct = content_type(aset).ok_or(Error::NoContentType {
                adaptation_set_index: as_index,
            })?;
            as_index += 1;
            let mut reps = Vec::new();
            let mut start_number = None;
            let mut seg_duration = None;
            for (ri, rep) in aset.representations.iter().enumerate() {
                let id = rep.id.clone().unwrap_or_default();
                let t = inherit::effective_template(period, aset, rep).ok_or_else(|| {
                    Error::NotTemplate {
                        representation: id.clone(),
                    }
                })?;
                let path = format!(
                    "MPD/Period[{pi}]/AdaptationSet[{ai}]/Representation[{ri}]/SegmentTemplate"
                );
                let at = crate::mpd::Location {
                    line: 0,
                    column: 0,
                    path,
                };
                let values = TemplateValues {
                    representation_id: Some(&id),
                    bandwidth: rep.bandwidth,
                    ..Default::default()
                };
                let init_text = t.initialization.ok_or_else(|| Error::NotTemplate {
                    representation: id.clone(),
                })?;
                let init_url =
                    Template::parse_at(init_text, &at.child("@initialization"))?.expand(&values)?;
                let media_text = t.media.ok_or_else(|| Error::NotTemplate {
                    representation: id.clone(),
                })?;
                let media = Template::parse_at(media_text, &at.child("@media"))?;
                let ts = u64::from(t.timescale.unwrap_or(1).max(1));
                let nominal = nominal_duration(&t).ok_or_else(|| Error::NotTemplate {
                    representation: id.clone(),
                })?;
                start_number.get_or_insert(t.start_number());
                seg_duration.get_or_insert((nominal, ts));

                let init_bytes =
                    source
                        .read(&init_url, None)
                        .ok_or_else(|| Error::MissingFile {
                            representation: id.clone(),
                            url: init_url.clone(),
                        })?;
                let init = read_init(&init_url, &init_bytes)?;

                // The (number, url) pairs to read.
                let mut numbered: Vec<(u64, String)> = Vec::new();
                let listed = if media.uses(Identifier::Number) && !media.uses(Identifier::Time) {
                    let probe = media.expand(&TemplateValues {
                        number: Some(0),
                        ..values
                    })?;
                    let (dir, _) = probe.rsplit_once('/').unwrap_or(("", &probe));
                    let file_part = media_text.rsplit_once('/').map_or(media_text, |(_, f)| f);
                    match (source.list(dir), Template::parse(file_part)) {
                        (Some(names), Ok(ft)) => {
                            let nums = numbers_from_listing(&names, &ft, &values);
                            for w in nums.windows(2) {
                                if w[1] != w[0] + 1 {
                                    return Err(Error::SegmentGap {
                                        representation: id.clone(),
                                        after: w[0],
                                        before: w[1],
                                    });
                                }
                            }
                            for n in nums {
                                let url = media.expand(&TemplateValues {
                                    number: Some(n),
                                    ..values
                                })?;
                                numbered.push((n, url));
                            }
                            true
                        }
                        _ => false,
                    }
                } else {
                    false
                };
                if !listed {
                    let timing = timings.get(pi).copied();
                    let nanos = |v: Option<i128>| v.and_then(|n| u64::try_from(n).ok());
                    let segs = representation_segments(
                        mpd,
                        "",
                        pi,
                        ai,
                        ri,
                        nanos(timing.and_then(|t| t.start_nanos)).unwrap_or(0),
                        nanos(timing.and_then(|t| t.duration_nanos)),
                        None,
                        &mut |_| None,
                    )?;
                    numbered.extend(segs.segments.into_iter().map(|s| (s.number, s.url)));
                }
                let mut segments = Vec::with_capacity(numbered.len());
                for (n, url) in numbered {
                    let bytes =
                        fetch_segment_headers(source, &url)?.ok_or_else(|| Error::MissingFile {
                            representation: id.clone(),
                            url: url.clone(),
                        })?;
                    segments.push(read_segment_timing(&url, n, &bytes, &init)?);
                }
                reps.push(RepresentationTimings {
                    id,
                    timescale: init.timescale,
                    segments,
                });
            }
            let (duration_ticks, mpd_timescale) = seg_duration.unwrap_or((0, 1));
            sets.push(AdaptationSetTimings {
                content_type: ct,
                start_number: start_number.unwrap_or(1),
                duration_ticks,
                mpd_timescale,
                representations: reps,
            });
        }
    }
    super::analyze_timings(base_name, &sets)
}

/// The MPD in the shape dashlivesim's server and vodanalyzer need: in every AdaptationSet one
/// SegmentTemplate (initialization, media, startNumber, @duration, timescale, merged from every
/// level, a SegmentTimeline replaced by its most frequent duration) and `@contentType` set;
/// Representation- and Period-level templates removed. Everything else is kept.
///
/// ```
/// use dashkit::analyze::dashlivesim_mpd;
/// let mpd = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet mimeType="video/mp4">
///   <Representation id="v"><SegmentTemplate media="$RepresentationID$/$Number$.m4s"
///   initialization="$RepresentationID$/init.mp4" duration="2" startNumber="1"/>
///   </Representation></AdaptationSet></Period></MPD>"#).unwrap();
/// let out = dashlivesim_mpd(&mpd).unwrap();
/// let aset = &out.periods[0].adaptation_sets[0];
/// assert_eq!(aset.content_type.as_deref(), Some("video"));
/// assert_eq!(aset.segment_template.as_ref().unwrap().duration, Some(2));
/// assert!(aset.representations[0].segment_template.is_none());
/// ```
pub fn dashlivesim_mpd(mpd: &Mpd) -> Result<Mpd, Error> {
    let mut out = mpd.clone();
    let mut as_index = 0usize;
    for (pi, period) in mpd.periods.iter().enumerate() {
        for (ai, aset) in period.adaptation_sets.iter().enumerate() {
            let ct = content_type(aset).ok_or(Error::NoContentType {
                adaptation_set_index: as_index,
            })?;
            as_index += 1;
            let Some(rep) = aset.representations.first() else {
                continue;
            };
            let id = rep.id.clone().unwrap_or_default();
            let t = inherit::effective_template(period, aset, rep).ok_or_else(|| {
                Error::NotTemplate {
                    representation: id.clone(),
                }
            })?;
            let duration = nominal_duration(&t).ok_or(Error::NotTemplate { representation: id })?;
            let merged = crate::mpd::SegmentTemplate {
                media: t.media.map(str::to_string),
                initialization: t.initialization.map(str::to_string),
                start_number: Some(t.start_number()),
                duration: Some(duration),
                timescale: Some(t.timescale.unwrap_or(1)),
                presentation_time_offset: t.presentation_time_offset.filter(|&p| p != 0),
                ..Default::default()
            };
            // One AdaptationSet-level template must serve every Representation.
            for other in aset.representations.iter().skip(1) {
                let oid = other.id.clone().unwrap_or_default();
                let ot = inherit::effective_template(period, aset, other).ok_or_else(|| {
                    Error::NotTemplate {
                        representation: oid.clone(),
                    }
                })?;
                if ot.media != t.media || ot.initialization != t.initialization {
                    return Err(Error::TemplatesDiffer {
                        representation: oid,
                        media: ot.media.unwrap_or_default().to_string(),
                        first_media: t.media.unwrap_or_default().to_string(),
                    });
                }
            }
            let oaset = &mut out.periods[pi].adaptation_sets[ai];
            oaset.content_type = Some(ct);
            oaset.segment_template = Some(Box::new(merged));
            for r in &mut oaset.representations {
                r.segment_template = None;
            }
        }
        out.periods[pi].segment_template = None;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpd::segments::ByteRange;

    /// A template added at AdaptationSet level is written where the schema puts it: before
    /// the Representations, not after them.
    #[test]
    fn reshaped_template_is_written_in_schema_order() {
        let mpd = crate::mpd::parse(
            r#"<MPD><Period><AdaptationSet mimeType="audio/mp4"><Role schemeIdUri="r" value="main"/>
            <Representation id="a"><SegmentTemplate media="$Number$.m4s" initialization="i.mp4" duration="2"/>
            </Representation></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let text = crate::mpd::write(&dashlivesim_mpd(&mpd).unwrap());
        let (st, role, rep) = (
            text.find("<SegmentTemplate").unwrap(),
            text.find("<Role").unwrap(),
            text.find("<Representation").unwrap(),
        );
        assert!(role < st && st < rep, "{text}");
        assert_eq!(
            crate::mpd::parse(&text).unwrap(),
            crate::mpd::parse(&text).unwrap()
        );
    }

    /// A source that ignores ranges and answers every read with the whole file: the walk
    /// reads it once and ends with the same boxes as a ranged read (it used to walk the
    /// file's first box again at ever larger offsets, without end).
    #[test]
    fn a_source_that_ignores_ranges_is_read_once() {
        let seg: &[u8] = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/1.m4s");
        assert!(seg.len() > 4096);
        let mut reads = 0;
        let mut careless = |_: &str, _: Option<crate::mpd::segments::ByteRange>| {
            reads += 1;
            Some(seg.to_vec())
        };
        let got = fetch_segment_headers(&mut careless, "1.m4s")
            .unwrap()
            .unwrap();
        assert_eq!(reads, 1);
        let mut ranged = crate::source::WholeFiles(|_: &str| Some(seg.to_vec()));
        let want = fetch_segment_headers(&mut ranged, "1.m4s")
            .unwrap()
            .unwrap();
        assert_eq!(got, want);
        assert!(!want.is_empty());
    }

    /// A source over one in-memory file that records how many bytes it handed out.
    struct OneFile {
        bytes: Vec<u8>,
        served: u64,
        calls: usize,
    }

    impl Source for OneFile {
        fn read(&mut self, _url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
            let r = range.expect("the header reader must read by range, never the whole file");
            let got = crate::source::slice(&self.bytes, Some(r));
            self.served += got.len() as u64;
            self.calls += 1;
            Some(got.to_vec())
        }
    }

    fn boxed(kind: &[u8; 4], body_len: usize, fill: u8) -> Vec<u8> {
        let mut b = ((8 + body_len) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.resize(8 + body_len, fill);
        b
    }

    /// Headers before and after a large mdat are all read; the mdat's media data is not (one
    /// page at the start, one read where the mdat ends).
    #[test]
    fn segment_headers_skip_media_data_but_not_boxes_after_it() {
        let (styp, moof, moof2) = (
            boxed(b"styp", 8, 1),
            boxed(b"moof", 600, 2),
            boxed(b"moof", 40, 3),
        );
        let mdat = boxed(b"mdat", 1 << 20, 0);
        let mut src = OneFile {
            bytes: [styp.clone(), moof.clone(), mdat, moof2.clone()].concat(),
            served: 0,
            calls: 0,
        };
        let got = fetch_segment_headers(&mut src, "1.m4s").unwrap().unwrap();
        assert_eq!(got, [styp, moof, moof2].concat());
        assert_eq!(src.calls, 3, "first page, after the mdat, end of file");
        assert!(src.served < 2 * 4096, "read {} bytes", src.served);
    }

    /// A moof larger than the first read is fetched whole by a second read.
    #[test]
    fn segment_headers_fetch_a_large_moof_whole() {
        let moof = boxed(b"moof", 20_000, 7);
        let mdat = boxed(b"mdat", 100, 0);
        let mut src = OneFile {
            bytes: [moof.clone(), mdat].concat(),
            served: 0,
            calls: 0,
        };
        let got = fetch_segment_headers(&mut src, "1.m4s").unwrap().unwrap();
        assert_eq!(got, moof);
    }

    #[test]
    fn listing_numbers_follow_the_template() {
        let names: Vec<String> = [
            "1.m4s",
            "2.m4s",
            "10.m4s",
            "init.mp4",
            "x1.m4s",
            "3.m4s.tmp",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let t = Template::parse("$Number$.m4s").unwrap();
        assert_eq!(
            numbers_from_listing(&names, &t, &TemplateValues::default()),
            [1, 2, 10]
        );
        let names: Vec<String> = [
            "chunk-0-00001.m4s",
            "chunk-0-00002.m4s",
            "chunk-1-00001.m4s",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let t = Template::parse("chunk-$RepresentationID$-$Number%05d$.m4s").unwrap();
        let v = TemplateValues {
            representation_id: Some("0"),
            ..Default::default()
        };
        assert_eq!(numbers_from_listing(&names, &t, &v), [1, 2]);
    }
}
