//! Every segment of every Representation of a static MPD: the glue from the parsed model
//! ([`super::model`], with inheritance resolved) to segment addressing
//! ([`super::segments`]).
//!
//! SegmentBase Representations are indexed by a `sidx` inside the media file; the caller
//! supplies those bytes through a closure (dashkit does no IO), which is asked once per such
//! Representation with the file's URL and `@indexRange`.

use super::error::{Error, ErrorLocation as Location};
use super::inherit::{self, EffectiveAddressing as Effective};
use super::model::{AdaptationSet, Mpd, Representation, Url};
use super::segments::{
    self, Addressing, BaseAddressing, ByteRange, ListAddressing, RepresentationContext,
    RepresentationSegments, SegmentDurations, SidxInput, SubsegmentRef, TemplateAddressing,
    UrlType,
};
use super::template::Template;
use super::url::resolve_chain;
use crate::timeline::Timescale;

/// The segments of one Representation, with where it sits in the MPD.
///
/// ```
/// use dashkit::mpd::listing::list_segments;
/// let text = include_str!("../../../fixtures/dash/ffmpeg_number/manifest.mpd");
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// let reps = list_segments(&mpd, "https://cdn.example/a/manifest.mpd", |_| None).unwrap();
/// let audio = &reps[1];
/// assert_eq!((audio.period_index, audio.adaptation_set_index, audio.representation_index), (0, 1, 0));
/// assert_eq!((audio.id.as_str(), audio.bandwidth), ("1", Some(48_125)));
/// assert_eq!(audio.content_type.as_deref(), Some("audio"));
/// assert_eq!(audio.path, "MPD/Period[0]/AdaptationSet[1]/Representation[0]");
/// assert_eq!(audio.segments.segments[0].url, "https://cdn.example/a/chunk-1-00001.m4s");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepresentationListing {
    /// 0-based index of the Period.
    pub period_index: usize,
    /// 0-based index of the AdaptationSet in its Period.
    pub adaptation_set_index: usize,
    /// 0-based index of the Representation in its AdaptationSet.
    pub representation_index: usize,
    /// `Representation@id` (empty when absent).
    pub id: String,
    /// `Representation@bandwidth`.
    pub bandwidth: Option<u64>,
    /// The content type: `@contentType`, or inferred from `@mimeType` or `@codecs`.
    pub content_type: Option<String>,
    /// Element path of the Representation (`MPD/Period[0]/AdaptationSet[1]/Representation[0]`).
    pub path: String,
    /// Its segments.
    pub segments: RepresentationSegments,
}

/// A request for the bytes of a SegmentBase index (the `sidx`).
///
/// ```
/// use dashkit::mpd::listing::{list_segments_each, IndexRequest};
/// let text = include_str!("../../../fixtures/dash/shaka_ondemand/manifest.mpd");
/// let video = include_bytes!("../../../fixtures/dash/shaka_ondemand/video_144p.mp4");
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// let mut asked: Vec<IndexRequest> = Vec::new();
/// let listing = list_segments_each(&mpd, "", |req: &IndexRequest| {
///     asked.push(req.clone());
///     (req.url == "video_144p.mp4").then(|| dashkit::source::slice(video, Some(req.range)).to_vec())
/// }).unwrap();
/// // One request per Representation: its `@indexRange` in its BaseURL.
/// assert_eq!(asked.len(), 3);
/// assert_eq!((asked[0].url.as_str(), asked[0].range.first(), asked[0].range.last()),
///            ("video_144p.mp4", 832, 887));
/// // The sidx of video_144p.mp4 lists its segments as byte ranges after the index.
/// let low = &listing.representations[0].segments;
/// assert_eq!(low.segments[0].byte_range.unwrap().first(), 888);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRequest {
    /// URL of the file holding the index (resolved against the BaseURLs).
    pub url: String,
    /// `@indexRange` (or `RepresentationIndex@range`).
    pub range: ByteRange,
}

/// The content type of an AdaptationSet: `@contentType`, else from `@mimeType` (of the set or
/// its first Representation), else from `@codecs` (`avc1`, `hvc1`, `mp4a`, `stpp`, ...).
pub(crate) fn content_type(aset: &AdaptationSet) -> Option<String> {
    if let Some(ct) = &aset.content_type {
        return Some(ct.clone());
    }
    let first = aset.representations.first();
    let mime = aset
        .mime_type
        .as_deref()
        .or_else(|| first.and_then(|r| r.mime_type.as_deref()));
    if let Some(m) = mime {
        let major = m.split('/').next().unwrap_or("");
        match (major, m) {
            ("video", _) => return Some("video".into()),
            ("audio", _) => return Some("audio".into()),
            // application/mp4 carries subtitles (stpp, wvtt) in DASH practice: codecs decide.
            ("text", _) | (_, "application/ttml+xml") => return Some("text".into()),
            ("image", _) => return Some("image".into()),
            _ => {}
        }
    }
    let codecs = aset
        .codecs
        .as_deref()
        .or_else(|| first.and_then(|r| r.codecs.as_deref()))?;
    codec_content_type(codecs).map(str::to_string)
}

/// The content type implied by an RFC 6381 codecs string's first entry.
pub(crate) fn codec_content_type(codecs: &str) -> Option<&'static str> {
    let fourcc = codecs.split([',', '.']).next()?.trim();
    Some(match fourcc {
        "avc1" | "avc3" | "hvc1" | "hev1" | "av01" | "vp08" | "vp09" | "dvh1" | "dvhe" | "vvc1"
        | "vvi1" | "mp4v" => "video",
        "mp4a" | "ac-3" | "ec-3" | "ac-4" | "opus" | "Opus" | "fLaC" | "mhm1" | "mhm2" | "dtsc"
        | "dtse" | "dtsx" => "audio",
        "stpp" | "wvtt" | "tx3g" => "text",
        _ => return None,
    })
}

/// Whether a Representation's media is WebM or Matroska by its `@mimeType` (its own or its
/// AdaptationSet's): `video/webm`, `audio/webm`, `video/x-matroska`, ...
pub(crate) fn is_webm(aset: &AdaptationSet, rep: &Representation) -> bool {
    rep.mime_type
        .as_deref()
        .or(aset.mime_type.as_deref())
        .is_some_and(|m| {
            let sub = m.split(';').next().unwrap_or("").trim();
            sub.ends_with("/webm") || sub.ends_with("/x-matroska")
        })
}

fn at(path: &str) -> Location {
    Location {
        line: 0,
        column: 0,
        path: path.to_string(),
    }
}

fn url_type(u: Option<&Url>, path: &Location) -> Result<Option<UrlType>, Error> {
    let Some(u) = u else { return Ok(None) };
    let range = match &u.range {
        Some(r) => Some(ByteRange::parse(r, &path.child("@range"))?),
        None => None,
    };
    Ok(Some(UrlType {
        source_url: u.source_url.clone(),
        range,
    }))
}

fn timescale(ts: Option<u32>, path: &Location) -> Result<Timescale, Error> {
    match ts {
        None => Ok(Timescale::ONE),
        Some(v) => Timescale::new(v).map_err(|_| Error::Zero {
            at: path.child("@timescale"),
        }),
    }
}

fn timeline(
    tl: Option<&super::model::SegmentTimeline>,
    path: &Location,
) -> Result<Option<Vec<segments::TimelineEntry>>, Error> {
    let Some(tl) = tl else { return Ok(None) };
    tl.s.iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(segments::TimelineEntry {
                t: s.t,
                n: s.n,
                d: s.d.ok_or_else(|| Error::MissingAttribute {
                    at: path.child(&format!("SegmentTimeline/S[{i}]/@d")),
                })?,
                r: s.r.unwrap_or(0),
                k: s.k,
            })
        })
        .collect::<Result<Vec<_>, Error>>()
        .map(Some)
}

/// Decodes the sidx found in the bytes of an index range starting at `range.first()`.
fn sidx_input(bytes: &[u8], range: ByteRange, path: &Location) -> Result<SidxInput, Error> {
    let wrap = |source: crate::bmff::Error| Error::Index {
        at: path.clone(),
        source: Box::new(source),
    };
    let index = crate::bmff::index::Index::parse_with(
        bytes,
        range.first(),
        crate::bmff::index::Depth::TopAndMoof,
    )
    .map_err(wrap)?;
    let i = index
        .top()
        .find(|&i| index.boxes()[i].is(b"sidx"))
        .ok_or_else(|| Error::SidxRequired { at: path.clone() })?;
    let b = &index.boxes()[i];
    let local = b.range();
    let box_bytes = bytes
        .get(local.clone())
        .ok_or_else(|| Error::SidxRequired { at: path.clone() })?;
    let sidx = crate::bmff::sidx::Sidx::parse(box_bytes, b.offset).map_err(wrap)?;
    Ok(SidxInput {
        timescale: Timescale::new(sidx.timescale).map_err(|_| Error::Zero {
            at: path.child("sidx/@timescale"),
        })?,
        earliest_presentation_time: sidx.earliest_presentation_time,
        first_offset: sidx.first_offset,
        anchor_offset: b.offset + b.size,
        references: sidx
            .references
            .iter()
            .map(|r| SubsegmentRef {
                reference_type_is_index: r.reference_type,
                referenced_size: r.referenced_size,
                subsegment_duration: r.subsegment_duration,
            })
            .collect(),
    })
}

/// Lists the segments of one Representation. `fetch_index` is asked for the sidx bytes of
/// SegmentBase addressing. `mpd_url` is where the MPD was loaded from (`""` when relative
/// URLs should stay relative to it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn representation_segments<F>(
    mpd: &Mpd,
    mpd_url: &str,
    period_index: usize,
    adaptation_set_index: usize,
    representation_index: usize,
    period_start_ns: u64,
    period_duration_ns: Option<u64>,
    window_ns: Option<(u64, u64)>,
    fetch_index: &mut F,
) -> Result<RepresentationSegments, Error>
where
    F: FnMut(&IndexRequest) -> Option<Vec<u8>>,
{
    let period = &mpd.periods[period_index];
    let aset = &period.adaptation_sets[adaptation_set_index];
    let rep: &Representation = &aset.representations[representation_index];
    let rep_path = format!(
        "MPD/Period[{period_index}]/AdaptationSet[{adaptation_set_index}]/Representation[{representation_index}]"
    );
    let mut chain: Vec<&str> = vec![mpd_url];
    chain.extend(
        inherit::base_urls(mpd, period, aset, rep)
            .iter()
            // The element's text may carry white space around the URL (`<BaseURL>
            // http://cdn/a/ </BaseURL>`): an xs:anyURI is whitespace-collapsed (XML Schema
            // Part 2 §3.2.17), so it is trimmed before resolving.
            .map(|b| b.url.trim()),
    );
    let base_url = resolve_chain(&chain);
    let mut ctx = RepresentationContext {
        representation_id: rep.id.clone().unwrap_or_default(),
        bandwidth: rep.bandwidth,
        base_url,
        period_start_ns,
        period_duration_ns,
        at: at(&rep_path),
        window_ns,
    };
    match inherit::effective_addressing(period, aset, rep) {
        Effective::Template(t) => {
            let path = ctx.at.child("SegmentTemplate");
            ctx.at = path.clone();
            let media_text = t.media.ok_or_else(|| Error::MissingAttribute {
                at: path.child("@media"),
            })?;
            let media = Template::parse_at(media_text, &path.child("@media"))?;
            let init = t
                .initialization
                .map(|s| Template::parse_at(s, &path.child("@initialization")))
                .transpose()?;
            let index = t
                .index
                .map(|s| Template::parse_at(s, &path.child("@index")))
                .transpose()?;
            let tl = timeline(t.segment_timeline, &path)?;
            let timing = match (&tl, t.duration) {
                (Some(s), _) => SegmentDurations::Timeline(s),
                (None, Some(d)) => SegmentDurations::Duration(d),
                (None, None) => {
                    return Err(Error::MissingAttribute {
                        at: path.child("@duration"),
                    })
                }
            };
            let addressing = Addressing::Template(TemplateAddressing {
                timescale: timescale(t.timescale, &path)?,
                presentation_time_offset: t.presentation_time_offset(),
                start_number: t.start_number(),
                end_number: t.end_number,
                timing,
                media: &media,
                initialization: init.as_ref(),
                index: index.as_ref(),
            });
            segments::enumerate(&addressing, &ctx)
        }
        Effective::List(l) => {
            let path = ctx.at.child("SegmentList");
            ctx.at = path.clone();
            let tl = timeline(l.segment_timeline, &path)?;
            let timing = match (&tl, l.duration) {
                (Some(s), _) => Some(SegmentDurations::Timeline(s)),
                (None, Some(d)) => Some(SegmentDurations::Duration(d)),
                (None, None) => None,
            };
            let urls = l
                .segment_urls
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let media_range = u
                        .media_range
                        .as_deref()
                        .map(|r| {
                            ByteRange::parse(
                                r,
                                &path.child(&format!("SegmentURL[{i}]/@mediaRange")),
                            )
                        })
                        .transpose()?;
                    Ok(segments::ListEntry {
                        media: u.media.clone(),
                        media_range,
                    })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let init = url_type(l.initialization, &path.child("Initialization"))?;
            let ri = url_type(l.representation_index, &path.child("RepresentationIndex"))?;
            let addressing = Addressing::List(ListAddressing {
                timescale: timescale(l.timescale, &path)?,
                presentation_time_offset: l.presentation_time_offset.unwrap_or(0),
                start_number: l.start_number.unwrap_or(1),
                timing,
                segment_urls: &urls,
                initialization: init.as_ref(),
                representation_index: ri.as_ref(),
            });
            segments::enumerate(&addressing, &ctx)
        }
        Effective::Base(b) => {
            let path = ctx.at.child("SegmentBase");
            ctx.at = path.clone();
            let init = url_type(b.initialization, &path.child("Initialization"))?;
            let ri = url_type(b.representation_index, &path.child("RepresentationIndex"))?;
            let index_range = match b.index_range {
                Some(r) => Some(ByteRange::parse(r, &path.child("@indexRange"))?),
                None => ri.as_ref().and_then(|u| u.range),
            };
            // WebM DASH (ffmpeg's webm_dash_manifest, the WebM on-demand profile): the index
            // range holds Matroska Cues, not a sidx. The file is listed as one segment
            // spanning the Period; the Cues are not read.
            let webm = is_webm(aset, rep);
            let index_range = index_range.filter(|_| !webm);
            let sidx = match index_range {
                None => None,
                Some(range) => {
                    let file = ri
                        .as_ref()
                        .and_then(|u| u.source_url.as_deref())
                        .map(|s| super::url::resolve(&ctx.base_url, s))
                        .unwrap_or_else(|| ctx.base_url.clone());
                    let req = IndexRequest { url: file, range };
                    let bytes = fetch_index(&req)
                        .ok_or_else(|| Error::SidxRequired { at: path.clone() })?;
                    Some(sidx_input(&bytes, range, &path)?)
                }
            };
            let addressing = Addressing::Base(BaseAddressing {
                timescale: timescale(b.timescale, &path)?,
                presentation_time_offset: b.presentation_time_offset.unwrap_or(0),
                index_range,
                initialization: init.as_ref(),
                representation_index: ri.as_ref(),
                sidx: sidx.as_ref(),
            });
            segments::enumerate(&addressing, &ctx)
        }
        Effective::Single => {
            // One media segment: the Representation's BaseURL, lasting the whole Period.
            let addressing = Addressing::Base(BaseAddressing {
                timescale: Timescale::ONE,
                presentation_time_offset: 0,
                index_range: None,
                initialization: None,
                representation_index: None,
                sidx: None,
            });
            segments::enumerate(&addressing, &ctx)
        }
    }
}

/// Lists the segments of every Representation of `mpd`, in document order.
///
/// ```
/// use dashkit::mpd::{listing::list_segments, parse};
/// let mpd = parse(r#"<MPD type="static" mediaPresentationDuration="PT5S"><Period>
///   <AdaptationSet contentType="video"><SegmentTemplate media="v/$Number%03d$.m4s"
///   initialization="v/init.mp4" duration="2" startNumber="1"/>
///   <Representation id="v" bandwidth="1000"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let reps = list_segments(&mpd, "", |_| None).unwrap();
/// let urls: Vec<&str> = reps[0].segments.segments.iter().map(|s| s.url.as_str()).collect();
/// assert_eq!(urls, ["v/001.m4s", "v/002.m4s", "v/003.m4s"]);
/// ```
pub fn list_segments<F>(
    mpd: &Mpd,
    mpd_url: &str,
    fetch_index: F,
) -> Result<Vec<RepresentationListing>, Error>
where
    F: FnMut(&IndexRequest) -> Option<Vec<u8>>,
{
    let listing = list_segments_each(mpd, mpd_url, fetch_index)?;
    match listing.failures.into_iter().next() {
        Some(f) => Err(f.error),
        None => Ok(listing.representations),
    }
}

/// A Representation whose segments could not be listed, and why.
///
/// ```
/// use dashkit::mpd::listing::list_segments_each;
/// let text = include_str!("../../../fixtures/dash/shaka_ondemand/manifest.mpd");
/// let video = include_bytes!("../../../fixtures/dash/shaka_ondemand/video_144p.mp4");
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// // Only video_144p.mp4 can be read: the other two Representations fail, each on its own.
/// let listing = list_segments_each(&mpd, "", |req| {
///     (req.url == "video_144p.mp4").then(|| dashkit::source::slice(video, Some(req.range)).to_vec())
/// }).unwrap();
/// let f = &listing.failures[0];
/// assert_eq!((f.id.as_str(), f.period_index, f.adaptation_set_index, f.representation_index),
///            ("1", 0, 0, 1));
/// assert_eq!(f.path, "MPD/Period[0]/AdaptationSet[0]/Representation[1]");
/// // Its index could not be read: SegmentBase addressing needs the sidx.
/// assert!(matches!(f.error, dashkit::mpd::Error::SidxRequired { .. }));
/// ```
#[derive(Debug)]
pub struct ListingFailure {
    /// 0-based index of the Period.
    pub period_index: usize,
    /// 0-based index of the AdaptationSet in its Period.
    pub adaptation_set_index: usize,
    /// 0-based index of the Representation in its AdaptationSet.
    pub representation_index: usize,
    /// `Representation@id` (empty when absent).
    pub id: String,
    /// Element path of the Representation.
    pub path: String,
    /// What went wrong (with its location).
    pub error: Error,
}

/// Every Representation's segments that could be listed, and the ones that could not.
///
/// ```
/// use dashkit::mpd::listing::list_segments_each;
/// let text = include_str!("../../../fixtures/dash/shaka_ondemand/manifest.mpd");
/// let video = include_bytes!("../../../fixtures/dash/shaka_ondemand/video_144p.mp4");
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// let listing = list_segments_each(&mpd, "", |req| {
///     (req.url == "video_144p.mp4").then(|| dashkit::source::slice(video, Some(req.range)).to_vec())
/// }).unwrap();
/// let listed: Vec<&str> = listing.representations.iter().map(|r| r.id.as_str()).collect();
/// let failed: Vec<&str> = listing.failures.iter().map(|f| f.id.as_str()).collect();
/// assert_eq!((listed, failed), (vec!["0"], vec!["1", "2"]));
/// ```
#[derive(Debug, Default)]
pub struct Listing {
    /// The Representations listed, in document order.
    pub representations: Vec<RepresentationListing>,
    /// The Representations that could not be listed (a missing index, WebM media without a
    /// sidx, bad addressing), in document order.
    pub failures: Vec<ListingFailure>,
}

/// Lists the segments of every Representation of `mpd` that can be listed, and reports the
/// others, so that one Representation (a missing file, WebM) does not hide the rest. Only a
/// problem of the whole MPD (Period timing) is an `Err`.
///
/// ```
/// use dashkit::mpd::{listing::list_segments_each, parse};
/// let mpd = parse(r#"<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet>
///   <Representation id="a"><BaseURL>a.webm</BaseURL><SegmentBase indexRange="10-99"/></Representation>
///   <Representation id="b"><SegmentTemplate media="b$Number$.m4s" duration="2"/></Representation>
///   </AdaptationSet></Period></MPD>"#).unwrap();
/// let l = list_segments_each(&mpd, "", |_| None).unwrap();
/// assert_eq!(l.representations.len(), 1);
/// assert_eq!(l.failures[0].id, "a");
/// ```
pub fn list_segments_each<F>(mpd: &Mpd, mpd_url: &str, fetch_index: F) -> Result<Listing, Error>
where
    F: FnMut(&IndexRequest) -> Option<Vec<u8>>,
{
    list_segments_in_window(mpd, mpd_url, None, fetch_index)
}

/// [`list_segments_each`], keeping only the segments that overlap `window_ns` (`[from, to)`,
/// nanoseconds since the presentation start) when it is given: a live MPD's segments around
/// an instant, found by arithmetic on the addressing, so an MPD whose availabilityStartTime
/// is decades back costs no more than one made a minute ago.
pub(crate) fn list_segments_in_window<F>(
    mpd: &Mpd,
    mpd_url: &str,
    window_ns: Option<(u64, u64)>,
    mut fetch_index: F,
) -> Result<Listing, Error>
where
    F: FnMut(&IndexRequest) -> Option<Vec<u8>>,
{
    let timings = inherit::period_timings(mpd)?;
    let mut out = Listing::default();
    for (pi, period) in mpd.periods.iter().enumerate() {
        let timing = timings.get(pi).copied();
        let to_u64 = |v: Option<i128>, what: &'static str| -> Result<Option<u64>, Error> {
            v.map(|n| {
                u64::try_from(n).map_err(|_| Error::Overflow {
                    at: at(&format!("MPD/Period[{pi}]")),
                    what,
                })
            })
            .transpose()
        };
        let start = to_u64(timing.and_then(|t| t.start_nanos), "Period start")?.unwrap_or(0);
        let duration = to_u64(timing.and_then(|t| t.duration_nanos), "Period duration")?;
        for (ai, aset) in period.adaptation_sets.iter().enumerate() {
            let ct = content_type(aset);
            for (ri, rep) in aset.representations.iter().enumerate() {
                let path = format!("MPD/Period[{pi}]/AdaptationSet[{ai}]/Representation[{ri}]");
                let id = rep.id.clone().unwrap_or_default();
                match representation_segments(
                    mpd,
                    mpd_url,
                    pi,
                    ai,
                    ri,
                    start,
                    duration,
                    window_ns,
                    &mut fetch_index,
                ) {
                    Ok(segments) => out.representations.push(RepresentationListing {
                        period_index: pi,
                        adaptation_set_index: ai,
                        representation_index: ri,
                        id,
                        bandwidth: rep.bandwidth,
                        content_type: ct.clone(),
                        path,
                        segments,
                    }),
                    Err(error) => out.failures.push(ListingFailure {
                        period_index: pi,
                        adaptation_set_index: ai,
                        representation_index: ri,
                        id,
                        path,
                        error,
                    }),
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpd::parse;

    /// Issue 19: WebM DASH (ffmpeg's webm_dash_manifest): the index range holds Cues, so the
    /// file is listed as one segment instead of failing for want of a sidx.
    #[test]
    fn webm_segment_base_is_one_segment_not_a_sidx_request() {
        let mpd = parse(
            r#"<MPD xmlns="urn:mpeg:DASH:schema:MPD:2011" type="static" mediaPresentationDuration="PT4S">
            <Period id="0" start="PT0S" duration="PT4S"><AdaptationSet mimeType="video/webm" codecs="vp8">
            <Representation id="0" bandwidth="133001"><BaseURL>v.webm</BaseURL>
            <SegmentBase indexRange="87445-87484"><Initialization range="0-463"/></SegmentBase>
            </Representation></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let reps = list_segments(&mpd, "", |_| panic!("no sidx is asked for")).unwrap();
        let s = &reps[0].segments;
        assert_eq!(s.segments.len(), 1);
        assert_eq!(s.segments[0].url, "v.webm");
        assert_eq!(
            s.initialization
                .as_ref()
                .and_then(|i| i.byte_range)
                .map(|r| r.last()),
            Some(463)
        );
    }

    /// Issue 19: white space around a BaseURL's text is not part of the URL.
    #[test]
    fn base_url_text_is_trimmed() {
        let mpd = parse(
            r#"<MPD type="static" mediaPresentationDuration="PT2S"><BaseURL> http://example.com/
            </BaseURL><Period><AdaptationSet><SegmentTemplate media="$Number$.m4s" duration="2"/>
            <Representation id="a"/></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let reps = list_segments(&mpd, "", |_| None).unwrap();
        assert_eq!(reps[0].segments.segments[0].url, "http://example.com/1.m4s");
    }

    #[test]
    fn content_type_inference() {
        assert_eq!(codec_content_type("hvc1.1.6.L93.B0"), Some("video"));
        assert_eq!(codec_content_type("mp4a.40.2"), Some("audio"));
        assert_eq!(codec_content_type("stpp"), Some("text"));
        assert_eq!(codec_content_type("xyz1"), None);
        let mpd = parse(
            r#"<MPD><Period><AdaptationSet><Representation id="a" codecs="ec-3"/></AdaptationSet>
               <AdaptationSet mimeType="application/mp4" codecs="wvtt"/></Period></MPD>"#,
        )
        .unwrap();
        let sets = &mpd.periods[0].adaptation_sets;
        assert_eq!(content_type(&sets[0]).as_deref(), Some("audio"));
        assert_eq!(content_type(&sets[1]).as_deref(), Some("text"));
    }

    #[test]
    fn representation_template_overrides_and_base_urls_resolve() {
        let mpd = parse(
            r#"<MPD type="static" mediaPresentationDuration="PT4S"><BaseURL>https://cdn.example/a/</BaseURL>
            <Period><AdaptationSet><BaseURL>video/</BaseURL>
            <SegmentTemplate timescale="1000" duration="2000" media="$RepresentationID$_$Number$.m4s"/>
            <Representation id="hi" bandwidth="9"><SegmentTemplate startNumber="7"/></Representation>
            </AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let reps = list_segments(&mpd, "", |_| None).unwrap();
        let s = &reps[0].segments.segments;
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].url, "https://cdn.example/a/video/hi_7.m4s");
        assert_eq!((s[1].number, s[1].start, s[1].duration), (8, 2000, 2000));
    }

    #[test]
    fn segment_base_without_index_bytes_is_an_error_with_its_path() {
        let mpd = parse(
            r#"<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet>
            <Representation id="a"><BaseURL>a.mp4</BaseURL><SegmentBase indexRange="100-199"/>
            </Representation></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        let mut asked = Vec::new();
        let err = list_segments(&mpd, "", |r| {
            asked.push(r.clone());
            None
        })
        .unwrap_err();
        assert_eq!(asked[0].url, "a.mp4");
        assert_eq!((asked[0].range.first(), asked[0].range.last()), (100, 199));
        assert_eq!(
            err.location().path,
            "MPD/Period[0]/AdaptationSet[0]/Representation[0]/SegmentBase"
        );
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn content_type_example() {
        use crate::mpd::{listing::content_type, parse};
        let mpd =
            parse(r#"<MPD><Period><AdaptationSet mimeType="audio/mp4"/></Period></MPD>"#).unwrap();
        assert_eq!(
            content_type(&mpd.periods[0].adaptation_sets[0]).as_deref(),
            Some("audio")
        );
    }
}
