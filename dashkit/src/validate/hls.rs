//! HLS validation: a playlist (multivariant or media) against the media it points at.
//!
//! URLs are resolved as RFC 8216 says: a media playlist's URI against the multivariant
//! playlist, segment and `EXT-X-MAP` URIs against their media playlist. The top playlist's
//! own URL is `""`, so a [`Source`] sees URLs relative to it.
//!
//! Tolerances: `EXTINF` and part durations are compared with the media within
//! [`DURATION_TOLERANCE_NS`] (decimal text cannot hold every tick; 1 ms is far above any
//! rounding at 6 to 9 digits and far below a frame).

use super::{codes, Finding, Report, Severity};
use crate::bmff::samples::track_samples;
use crate::hls::{self, Decimal, MediaPlaylist, MultivariantPlaylist, Playlist};
use crate::mpd::segments::ByteRange;
use crate::mpd::url::resolve;
use crate::source::Source;

/// Largest difference between an `EXTINF` (or part) duration and the media's, nanoseconds.
pub const DURATION_TOLERANCE_NS: i128 = 1_000_000;

/// What a media playlist's media says, for the cross-playlist checks.
#[derive(Debug, Clone, Default)]
struct MediaFacts {
    /// Codec string of the first `EXT-X-MAP`'s track.
    codec: Option<String>,
    /// (media sequence number, start in ns from the tfdt, EXTINF in ns) per readable segment.
    starts: Vec<(u64, i128, i128)>,
}

fn finding(
    code: &'static str,
    severity: Severity,
    location: String,
    expected: Option<String>,
    found: Option<String>,
    message: String,
    playlist: &str,
) -> Finding {
    Finding {
        code,
        severity,
        location,
        expected,
        found,
        message,
        // The top playlist itself (named "") is not a rendition of anything.
        representation: (!playlist.is_empty()).then(|| playlist.to_owned()),
    }
}

fn ns(d: Decimal) -> i128 {
    i128::from(d.ticks()) * 1_000_000_000 / i128::from(d.timescale())
}

fn ms_text(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:03} ms", a / 1_000_000, (a / 1_000) % 1_000)
}

/// Validates a playlist and, through `source`, the media playlists, init and media segments
/// it refers to. An `Err` means the playlist itself does not parse; everything else is a
/// [`Finding`].
///
/// ```
/// use dashkit::validate::{codes, validate_playlist};
/// let text = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:2.000,\na.m4s\n#EXT-X-ENDLIST\n";
/// let mut nothing = |_: &str, _| None;
/// let report = validate_playlist(text, &mut nothing).unwrap();
/// assert!(report.has(codes::HLS_TARGETDURATION));
/// assert!(report.has(codes::HLS_MAP));
/// ```
pub fn validate_playlist(text: &str, source: &mut dyn Source) -> Result<Report, crate::hls::Error> {
    let mut out = Vec::new();
    match hls::parse(text)? {
        Playlist::Media(p) => {
            check_media("", "", &p, source, &mut out);
        }
        Playlist::Multivariant(m) => check_multivariant(&m, source, &mut out),
    }
    Ok(Report { findings: out })
}

fn check_multivariant(m: &MultivariantPlaylist, source: &mut dyn Source, out: &mut Vec<Finding>) {
    // Each media playlist once, in order of first mention.
    let mut uris: Vec<&str> = Vec::new();
    for u in m
        .variants
        .iter()
        .map(|v| v.uri.as_str())
        .chain(m.renditions.iter().filter_map(|r| r.uri.as_deref()))
    {
        if !uris.contains(&u) {
            uris.push(u);
        }
    }
    let mut facts: Vec<(&str, Option<MediaFacts>)> = Vec::new();
    for uri in uris {
        let url = resolve("", uri);
        let playlist = source
            .read(&url, None)
            .and_then(|b| String::from_utf8(b).ok());
        let f = match playlist.as_deref().map(hls::parse) {
            None => {
                out.push(finding(
                    codes::HLS_PLAYLIST,
                    Severity::Error,
                    url.clone(),
                    None,
                    None,
                    "media playlist is missing or not UTF-8".to_owned(),
                    uri,
                ));
                None
            }
            Some(Err(e)) => {
                out.push(finding(
                    codes::HLS_PLAYLIST,
                    Severity::Error,
                    format!("{url} line {}", e.line),
                    None,
                    None,
                    format!("media playlist does not parse: {e}"),
                    uri,
                ));
                None
            }
            Some(Ok(Playlist::Multivariant(_))) => {
                out.push(finding(
                    codes::HLS_PLAYLIST,
                    Severity::Error,
                    url.clone(),
                    Some("media playlist".to_owned()),
                    Some("multivariant playlist".to_owned()),
                    "a variant or rendition URI names a multivariant playlist".to_owned(),
                    uri,
                ));
                None
            }
            Some(Ok(Playlist::Media(p))) => Some(check_media(&url, uri, &p, source, out)),
        };
        facts.push((uri, f));
    }
    let facts_of = |uri: &str| {
        facts
            .iter()
            .find(|(u, _)| *u == uri)
            .and_then(|(_, f)| f.as_ref())
    };
    check_codecs(m, &facts_of, out);
    check_media_sequence_alignment(&facts, out);
}

/// HLS-CODECS: every codec the media of a variant (and of its audio and subtitle groups)
/// carries is listed in its `CODECS` (RFC 8216 §4.3.4.2).
fn check_codecs<'a>(
    m: &'a MultivariantPlaylist,
    facts_of: &dyn Fn(&str) -> Option<&'a MediaFacts>,
    out: &mut Vec<Finding>,
) {
    for (i, v) in m.variants.iter().enumerate() {
        let location = format!("EXT-X-STREAM-INF[{i}] CODECS");
        let mut needed: Vec<&str> = Vec::new();
        let mut add = |uri: &str| {
            if let Some(c) = facts_of(uri).and_then(|f| f.codec.as_deref()) {
                if !c.is_empty() && !needed.contains(&c) {
                    needed.push(c);
                }
            }
        };
        add(&v.uri);
        for r in &m.renditions {
            let member =
                Some(&r.group_id) == v.audio.as_ref() || Some(&r.group_id) == v.subtitles.as_ref();
            if member {
                if let Some(u) = &r.uri {
                    add(u);
                }
            }
        }
        let Some(declared) = &v.codecs else {
            if !needed.is_empty() {
                out.push(finding(
                    codes::HLS_CODECS,
                    Severity::Warning,
                    location,
                    Some(needed.join(",")),
                    None,
                    "EXT-X-STREAM-INF has no CODECS attribute".to_owned(),
                    &v.uri,
                ));
            }
            continue;
        };
        let listed: Vec<&str> = declared.split(',').map(str::trim).collect();
        let missing: Vec<&str> = needed
            .iter()
            .copied()
            .filter(|c| !listed.iter().any(|l| l.eq_ignore_ascii_case(c)))
            .collect();
        if !missing.is_empty() {
            out.push(finding(
                codes::HLS_CODECS,
                Severity::Error,
                location,
                Some(needed.join(",")),
                Some(declared.clone()),
                format!(
                    "CODECS lacks {} found in the init segments",
                    missing.join(", ")
                ),
                &v.uri,
            ));
        }
    }
}

/// HLS-MEDIA-SEQUENCE: segments with the same Media Sequence Number in different media
/// playlists of one multivariant playlist hold the same content (RFC 8216 §6.2.4; rfc8216bis
/// relies on it for rendition reports): their media starts differ by less than half of the
/// shorter segment.
fn check_media_sequence_alignment(facts: &[(&str, Option<MediaFacts>)], out: &mut Vec<Finding>) {
    let Some((first_uri, Some(first))) = facts.first() else {
        return;
    };
    for (uri, f) in facts.iter().skip(1) {
        let Some(f) = f else { continue };
        for &(msn, start, dur) in &f.starts {
            let Some(&(_, start0, dur0)) = first.starts.iter().find(|s| s.0 == msn) else {
                continue;
            };
            let diff = start - start0;
            if diff.abs() * 2 > dur.min(dur0) {
                out.push(finding(
                    codes::HLS_MEDIA_SEQUENCE,
                    Severity::Warning,
                    format!("{uri} EXT-X-MEDIA-SEQUENCE"),
                    Some(ms_text(start0)),
                    Some(ms_text(start)),
                    format!(
                        "segment {msn} starts {} away from segment {msn} of {first_uri}: the media sequence numbers are not aligned",
                        ms_text(diff)
                    ),
                    uri,
                ));
                break;
            }
        }
    }
}

/// The bytes of `uri` (a segment or init) with an HLS byte range; an absent offset continues
/// after the previous range of the same URI (RFC 8216 §4.3.2.2).
fn fetch_range(
    source: &mut dyn Source,
    url: &str,
    range: Option<hls::ByteSpan>,
    previous_end: &mut Option<(String, u64)>,
) -> Option<Vec<u8>> {
    let Some(r) = range else {
        *previous_end = None;
        return source.read(url, None);
    };
    let offset = match r.offset {
        Some(o) => o,
        None => match previous_end {
            Some((u, end)) if u == url => *end,
            _ => 0,
        },
    };
    let end = offset.checked_add(r.length)?;
    *previous_end = Some((url.to_owned(), end));
    let range = ByteRange::new(offset, end.checked_sub(1)?)?;
    source
        .read(url, Some(range))
        .filter(|b| b.len() as u64 == r.length)
}

/// Checks one media playlist at `url` (as named by `name`).
fn check_media(
    url: &str,
    name: &str,
    p: &MediaPlaylist,
    source: &mut dyn Source,
    out: &mut Vec<Finding>,
) -> MediaFacts {
    let at = |what: String| {
        if url.is_empty() {
            what
        } else {
            format!("{url} {what}")
        }
    };
    let mut facts = MediaFacts::default();
    check_target_duration(p, &at, name, out);
    check_parts(p, &at, name, out);
    // The init segment in force, as (bytes, track id, timescale).
    let mut init: Option<(Vec<u8>, u32, u32)> = None;
    let mut map_seen = false;
    let mut missing_map_reported = false;
    let mut previous_end = None;
    let mut init_previous_end = None;
    for (i, s) in p.segments.iter().enumerate() {
        let seg_at = at(format!("segment[{i}] {}", s.uri));
        if let Some(m) = &s.map {
            map_seen = true;
            let init_url = resolve(url, &m.uri);
            init = match fetch_range(source, &init_url, m.byte_range, &mut init_previous_end) {
                None => {
                    out.push(finding(
                        codes::INIT_MISSING,
                        Severity::Error,
                        at(format!("EXT-X-MAP {}", m.uri)),
                        None,
                        None,
                        format!("init segment {init_url} is missing"),
                        name,
                    ));
                    None
                }
                Some(bytes) => match crate::bmff::info::describe(&bytes) {
                    Ok(info) => match info.tracks.first() {
                        Some(t) if t.timescale > 0 => {
                            facts.codec.get_or_insert_with(|| t.codec.clone());
                            Some((bytes, t.track_id, t.timescale))
                        }
                        _ => {
                            out.push(finding(
                                codes::INIT_PARSE,
                                Severity::Error,
                                at(format!("EXT-X-MAP {}", m.uri)),
                                None,
                                None,
                                "init segment has no track with a timescale".to_owned(),
                                name,
                            ));
                            None
                        }
                    },
                    Err(e) => {
                        out.push(finding(
                            codes::INIT_PARSE,
                            Severity::Error,
                            at(format!("EXT-X-MAP {}", m.uri)),
                            None,
                            None,
                            format!("init segment does not parse: {e}"),
                            name,
                        ));
                        None
                    }
                },
            };
        }
        if !map_seen && !missing_map_reported {
            missing_map_reported = true;
            out.push(finding(
                codes::HLS_MAP,
                Severity::Error,
                seg_at.clone(),
                Some("EXT-X-MAP before the first segment".to_owned()),
                None,
                "no EXT-X-MAP applies to this segment: fMP4 segments need their init segment (RFC 8216 §3.3)".to_owned(),
                name,
            ));
        }
        let seg_url = resolve(url, &s.uri);
        let Some(bytes) = fetch_range(source, &seg_url, s.byte_range, &mut previous_end) else {
            out.push(finding(
                codes::SEG_MISSING,
                Severity::Error,
                seg_at,
                None,
                None,
                format!("segment {seg_url} is missing"),
                name,
            ));
            continue;
        };
        let Some((init_bytes, track_id, timescale)) = &init else {
            continue;
        };
        let offset = s.byte_range.and_then(|r| r.offset).unwrap_or(0);
        let tracks = match track_samples(Some(init_bytes), &bytes, offset) {
            Ok(t) => t,
            Err(e) => {
                out.push(finding(
                    codes::SEG_PARSE,
                    Severity::Error,
                    seg_at,
                    None,
                    None,
                    format!("segment does not parse: {e}"),
                    name,
                ));
                continue;
            }
        };
        let Some(track) = tracks
            .iter()
            .find(|t| t.track_id == *track_id && !t.samples.is_empty())
        else {
            out.push(finding(
                codes::SEG_PARSE,
                Severity::Error,
                seg_at,
                None,
                None,
                format!("no samples of track {track_id} (the init segment's track)"),
                name,
            ));
            continue;
        };
        let ticks: u64 = track
            .samples
            .iter()
            .fold(0, |a, x| a.saturating_add(u64::from(x.duration)));
        let media = Decimal::from_ticks(ticks, *timescale).unwrap_or(Decimal::ZERO);
        let diff = ns(s.duration) - ns(media);
        if diff.abs() > DURATION_TOLERANCE_NS {
            out.push(finding(
                codes::HLS_EXTINF,
                Severity::Error,
                seg_at,
                Some(media.to_string()),
                Some(s.duration.to_string()),
                format!(
                    "EXTINF differs from the media duration ({ticks} ticks at {timescale}/s) by {}",
                    ms_text(diff)
                ),
                name,
            ));
        }
        let decode = track
            .fragments
            .first()
            .map_or(track.samples[0].decode_time, |f| f.decode_time);
        let start = i128::from(decode) * 1_000_000_000 / i128::from(*timescale);
        let msn = p.media_sequence.saturating_add(i as u64);
        facts.starts.push((msn, start, ns(media)));
    }
    facts
}

/// HLS-TARGETDURATION: every `EXTINF`, rounded to the nearest integer, is at most
/// `EXT-X-TARGETDURATION` (RFC 8216 §4.3.3.1).
fn check_target_duration(
    p: &MediaPlaylist,
    at: &dyn Fn(String) -> String,
    name: &str,
    out: &mut Vec<Finding>,
) {
    let need = p.required_target_duration();
    if need > p.target_duration {
        out.push(finding(
            codes::HLS_TARGETDURATION,
            Severity::Error,
            at("EXT-X-TARGETDURATION".to_owned()),
            Some(need.to_string()),
            Some(p.target_duration.to_string()),
            format!(
                "the longest EXTINF rounds to {need} s, above EXT-X-TARGETDURATION {}",
                p.target_duration
            ),
            name,
        ));
    }
}

/// HLS-PART: with `EXT-X-PART`s, `EXT-X-PART-INF` is present, no part is longer than its
/// `PART-TARGET`, the parts of a complete segment add up to its `EXTINF`
/// (rfc8216bis §4.4.4.9, §4.4.3.7), and a part that is a byte range of the same resource as
/// the part before it starts where that one ended (byte-range parts of a segment being built
/// cover it without a gap or an overlap).
fn check_parts(
    p: &MediaPlaylist,
    at: &dyn Fn(String) -> String,
    name: &str,
    out: &mut Vec<Finding>,
) {
    let any = p.segments.iter().any(|s| !s.parts.is_empty()) || !p.trailing_parts.is_empty();
    if !any {
        return;
    }
    let Some(target) = p.part_target else {
        out.push(finding(
            codes::HLS_PART,
            Severity::Error,
            at("EXT-X-PART-INF".to_owned()),
            None,
            None,
            "EXT-X-PART without EXT-X-PART-INF".to_owned(),
            name,
        ));
        return;
    };
    let long = |part: &hls::PartialSegment, location: String, out: &mut Vec<Finding>| {
        if part.duration > target {
            out.push(finding(
                codes::HLS_PART,
                Severity::Error,
                location,
                Some(format!("<= {target}")),
                Some(part.duration.to_string()),
                "a part is longer than the PART-TARGET".to_owned(),
                name,
            ));
        }
    };
    let contiguous = |parts: &[hls::PartialSegment],
                      at_part: &dyn Fn(usize) -> String,
                      out: &mut Vec<Finding>| {
        for (k, w) in parts.windows(2).enumerate() {
            let (Some(a), Some(b)) = (w[0].byte_range, w[1].byte_range) else {
                continue;
            };
            let (Some(ao), Some(bo)) = (a.offset, b.offset) else {
                continue;
            };
            let end = ao.saturating_add(a.length);
            if w[0].uri == w[1].uri && bo != end {
                out.push(finding(
                    codes::HLS_PART,
                    Severity::Error,
                    at_part(k + 1),
                    Some(end.to_string()),
                    Some(bo.to_string()),
                    "a byte-range part does not start where the part before it ended".to_owned(),
                    name,
                ));
            }
        }
    };
    for (i, s) in p.segments.iter().enumerate() {
        if s.parts.is_empty() {
            continue;
        }
        contiguous(
            &s.parts,
            &|k| at(format!("segment[{i}] part[{k}] {}", s.parts[k].uri)),
            out,
        );
        let mut sum = Decimal::ZERO;
        for (k, part) in s.parts.iter().enumerate() {
            long(
                part,
                at(format!("segment[{i}] part[{k}] {}", part.uri)),
                out,
            );
            sum = sum.checked_add(part.duration).unwrap_or(sum);
        }
        let diff = ns(sum) - ns(s.duration);
        if diff.abs() > DURATION_TOLERANCE_NS {
            out.push(finding(
                codes::HLS_PART,
                Severity::Error,
                at(format!("segment[{i}] {}", s.uri)),
                Some(s.duration.to_string()),
                Some(sum.to_string()),
                format!("the parts add up to {} away from the EXTINF", ms_text(diff)),
                name,
            ));
        }
    }
    for (k, part) in p.trailing_parts.iter().enumerate() {
        long(part, at(format!("part[{k}] {}", part.uri)), out);
    }
    contiguous(
        &p.trailing_parts,
        &|k| at(format!("part[{k}] {}", p.trailing_parts[k].uri)),
        out,
    );
}
