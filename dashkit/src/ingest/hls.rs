//! The HLS twin of an ingested channel (`/live/<channel>/<stem>.m3u8`): the multivariant
//! playlist of the channel's MPD `<stem>.mpd` and a media playlist
//! `<stem>_<Representation@id>.m3u8` per Representation, listing the channel's complete
//! segments of that Representation (its window), as [`super::Origin::open`] serves them.
//!
//! What comes from where: segment names and the init segment from the MPD's `SegmentTemplate`
//! (the names the encoder uploaded); `EXTINF` from the segment's own chunks as they were
//! parsed on upload (the summed sample durations of its first track, in its timescale);
//! `EXT-X-PROGRAM-DATE-TIME` from its first decode time on the MPD's clock
//! (`availabilityStartTime + Period@start + (tfdt − presentationTimeOffset) / timescale`);
//! `EXT-X-ENDLIST` once the encoder ended the stream (`lmsg`).
//!
//! A low-latency rendition (its newest complete segment was uploaded as more than one CMAF
//! chunk, each but the last at least [`crate::limits::MIN_HLS_PART_MS`] long) gets low-latency HLS (rfc8216bis): each chunk is an `EXT-X-PART`, a byte range of its
//! segment's own URL (the DASH segment), `INDEPENDENT=YES` when it starts with a sync sample;
//! the segment being uploaded is listed by the parts it has so far, then an
//! `EXT-X-PRELOAD-HINT` for the next part (`BYTERANGE-START` where the last one ended);
//! `EXT-X-PART-INF`, `EXT-X-SERVER-CONTROL` (`CAN-BLOCK-RELOAD`, `PART-HOLD-BACK` three part
//! targets) and an `EXT-X-RENDITION-REPORT` for every other rendition. A blocking reload
//! (`_HLS_msn`, `_HLS_part`) is answered by [`decide`]: now, held, or refused as too far ahead.

use crate::hls::build::media_name;
use crate::hls::{
    ByteSpan, Decimal, Map, MediaPlaylist, MediaSegment, PartialSegment, PreloadHint,
    PreloadHintType, RenditionReport, ServerControl,
};
use crate::mpd::model::{Mpd, Period};
use crate::mpd::template::{Template, TemplateValues};

use super::channel::{Channel, ChunkSpan, SegMeta, Status};

/// A blocking playlist reload: `_HLS_msn` and `_HLS_part` of the request (rfc8216bis
/// §6.2.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Blocking {
    /// `_HLS_msn`: the Media Sequence Number asked for.
    pub msn: u64,
    /// `_HLS_part`: the part index in that segment, when asked.
    pub part: Option<u64>,
}

/// Reads the blocking-reload directives of a playlist request's query: `Ok(None)` without
/// `_HLS_msn` (and `_HLS_part`); an error (a 400) for an `_HLS_part` alone or a value that is
/// not a decimal integer. Other parameters (`_HLS_skip`, anything else) are ignored.
pub(crate) fn blocking_request(query: Option<&str>) -> Result<Option<Blocking>, String> {
    let (mut msn, mut part) = (None, None);
    for pair in query.unwrap_or("").split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match k {
            "_HLS_msn" => &mut msn,
            "_HLS_part" => &mut part,
            _ => continue,
        };
        let n = (!v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| format!("{k}={v} is not a decimal integer"))?;
        *slot = Some(n);
    }
    match (msn, part) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err("_HLS_part without _HLS_msn".to_string()),
        (Some(msn), part) => Ok(Some(Blocking { msn, part })),
    }
}

/// What a playlist request gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The playlist, now.
    Text(String),
    /// A blocking reload for a part or segment that does not exist yet: hold the request (up
    /// to `hold_ms`) and ask again when the channel publishes.
    Hold {
        /// How long it may be held, in milliseconds.
        hold_ms: u64,
    },
    /// A blocking reload too far ahead of the playlist (400).
    TooFar(String),
}

/// The answer to playlist `name` of channel `ch` with the blocking request `blocking`, or
/// `None` when the channel has no MPD it belongs to.
pub(crate) fn answer(ch: &Channel, name: &str, blocking: Option<Blocking>) -> Option<Answer> {
    for (mpd_name, stem) in crate::origin::hls::vod_mpd_candidates(name) {
        let Some(f) = ch
            .files
            .get(&mpd_name)
            .filter(|f| f.status == Status::Complete)
        else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&f.pieces.concat()).map(str::to_owned) else {
            continue;
        };
        let Ok(mpd) = crate::mpd::parse(&text) else {
            continue;
        };
        // The newest Period is the one being pushed.
        let Some(period) = mpd.periods.last() else {
            continue;
        };
        let sets: Vec<(usize, String)> = period
            .adaptation_sets
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((i, crate::mpd::listing::content_type(a)?)))
            .collect();
        if name == format!("{stem}.m3u8") {
            let sets: Vec<(usize, &str)> = sets.iter().map(|(i, c)| (*i, c.as_str())).collect();
            return Some(Answer::Text(crate::hls::write_multivariant(
                &crate::live::hls::multivariant_of(period, &sets, &stem),
            )));
        }
        let renditions: Vec<(usize, &str)> = sets
            .iter()
            .flat_map(|(ai, _)| {
                period.adaptation_sets[*ai]
                    .representations
                    .iter()
                    .filter_map(move |r| Some((*ai, r.id.as_deref()?)))
            })
            .collect();
        let Some(&(ai, id)) = renditions
            .iter()
            .find(|(_, id)| media_name(&stem, id) == name)
        else {
            continue;
        };
        let mut built = media(ch, &mpd, period, ai, id)?;
        if built.low_latency() {
            if let Some(b) = blocking {
                match decide(&built, b) {
                    Answer::Text(_) => {}
                    other => return Some(other),
                }
            }
            // The other renditions' newest parts, read at the same instant.
            for &(oai, oid) in renditions.iter().filter(|(_, o)| *o != id) {
                let Some(other) = media(ch, &mpd, period, oai, oid) else {
                    continue;
                };
                if let Some((msn, part)) = other.last_position() {
                    built.playlist.rendition_reports.push(RenditionReport {
                        uri: media_name(&stem, oid),
                        last_msn: Some(msn),
                        last_part: part,
                    });
                }
            }
        }
        return Some(Answer::Text(crate::hls::write_media(&built.playlist)));
    }
    None
}

/// A media playlist and what blocking reloads need to know of it.
#[derive(Debug, Clone)]
struct Built {
    playlist: MediaPlaylist,
    /// Media Sequence Number of the newest complete segment, with its chunk count.
    last_complete: Option<(u64, usize)>,
    /// Media Sequence Number of the segment being uploaded, with its parts so far.
    building: Option<(u64, usize)>,
}

impl Built {
    fn low_latency(&self) -> bool {
        self.playlist.part_target.is_some()
    }

    /// The newest part: (Media Sequence Number, part index), or the newest complete segment
    /// with no part index when it is not low-latency.
    fn last_position(&self) -> Option<(u64, Option<u64>)> {
        if let Some((msn, parts)) = self.building.filter(|(_, n)| *n > 0) {
            return Some((msn, Some(parts as u64 - 1)));
        }
        let (msn, chunks) = self.last_complete?;
        Some((
            msn,
            (self.low_latency() && chunks > 0).then(|| chunks as u64 - 1),
        ))
    }
}

/// The decision on a blocking reload of a low-latency playlist `built` (rfc8216bis §6.2.5.2):
/// answered now once the playlist holds part `_HLS_part` of segment `_HLS_msn` or anything
/// later (without `_HLS_part`: once segment `_HLS_msn` is complete); a part index past the end
/// of a complete segment asks for the first part of the next one. Refused (400) when
/// `_HLS_msn` is more than two segments after the newest complete one, or `_HLS_part` more
/// than the Advance Part Limit (3 s of parts, at least 3) after the newest part; held
/// otherwise, for three target durations at most ([`crate::limits::MAX_HLS_BLOCKING_RELOAD_MS`]).
fn decide(built: &Built, b: Blocking) -> Answer {
    let hold_ms = built
        .playlist
        .target_duration
        .saturating_mul(3000)
        .min(crate::limits::MAX_HLS_BLOCKING_RELOAD_MS);
    let text = || Answer::Text(String::new());
    let Some((complete, chunks)) = built.last_complete else {
        return Answer::Hold { hold_ms };
    };
    if b.msn > complete.saturating_add(2) {
        return Answer::TooFar(format!(
            "_HLS_msn={} is more than two segments after the last one ({complete})",
            b.msn
        ));
    }
    let Some(part) = b.part else {
        return if b.msn <= complete {
            text()
        } else {
            Answer::Hold { hold_ms }
        };
    };
    // A part index past a complete segment's last part is the next segment's first part.
    let (msn, part) = if b.msn <= complete {
        if b.msn < complete || part < chunks as u64 {
            return text();
        }
        (complete + 1, 0)
    } else {
        (b.msn, part)
    };
    let (last_msn, last_part) = match built.building.filter(|(_, n)| *n > 0) {
        Some((m, n)) => (m, n as u64 - 1),
        None => (complete, (chunks as u64).saturating_sub(1)),
    };
    if (last_msn, last_part) >= (msn, part) {
        return text();
    }
    let ahead = if msn == last_msn {
        part - last_part
    } else {
        part.saturating_add(1)
    };
    let limit = built.playlist.part_target.map_or(3, |t| {
        // 3 s of parts, at least 3: ceil(3 / PART-TARGET).
        let ms = t.ticks().saturating_mul(1000) / u64::from(t.timescale()).max(1);
        3000u64.div_ceil(ms.max(1)).max(3)
    });
    if ahead > limit {
        return Answer::TooFar(format!(
            "_HLS_part={part} of segment {msn} is {ahead} parts after the last one \
             ({last_msn}.{last_part}); at most {limit}"
        ));
    }
    Answer::Hold { hold_ms }
}

/// The chunks of a segment as parts: `DURATION` from the first track, `BYTERANGE` from the
/// end of the previous chunk (0 for the first) to its own end; `None` when a chunk was not
/// recorded or its duration is not exact.
fn parts(uri: &str, meta: &SegMeta, ts: u32) -> Option<Vec<PartialSegment>> {
    if meta.chunks_overflow {
        return None;
    }
    let mut start = 0;
    meta.chunks
        .iter()
        .map(|c: &ChunkSpan| {
            let length = c.end.checked_sub(start)?;
            let p = PartialSegment {
                uri: uri.to_string(),
                duration: Decimal::from_ticks(c.duration, ts)?,
                independent: c.independent,
                byte_range: Some(ByteSpan {
                    length,
                    offset: Some(start),
                }),
                gap: false,
            };
            start = c.end;
            Some(p)
        })
        .collect()
}

/// The media playlist of Representation `id` of AdaptationSet `ai` in `period`, low-latency
/// when its newest complete segment's chunks make parts ([`chunked_for_parts`]).
fn media(ch: &Channel, mpd: &Mpd, period: &Period, ai: usize, id: &str) -> Option<Built> {
    let a = period.adaptation_sets.get(ai)?;
    let r = a
        .representations
        .iter()
        .find(|r| r.id.as_deref() == Some(id))?;
    let t = crate::mpd::effective_template(period, a, r)?;
    let media = Template::parse(t.media?).ok()?;
    let known = TemplateValues {
        representation_id: Some(id),
        bandwidth: r.bandwidth,
        ..TemplateValues::default()
    };
    let template_ts = t.timescale().get();
    let pto = t.presentation_time_offset();
    let mut listed: Vec<(u64, &str, &super::channel::SegMeta)> = ch
        .files
        .iter()
        .filter(|(_, f)| f.status == Status::Complete)
        .filter_map(|(path, f)| {
            let n = media.match_url(path, &known)?.number?;
            Some((n, path.as_str(), f.meta.as_deref()?))
        })
        .collect();
    listed.sort_by_key(|(n, ..)| *n);
    if listed.len() > crate::limits::MAX_HLS_LIVE_WINDOW_SEGMENTS {
        listed.drain(..listed.len() - crate::limits::MAX_HLS_LIVE_WINDOW_SEGMENTS);
    }
    let base_ns = mpd
        .availability_start_time
        .as_ref()
        .map(|t| {
            let c = t.as_chrono();
            i128::from(c.timestamp()) * 1_000_000_000 + i128::from(c.timestamp_subsec_nanos())
        })
        .map(|ast| {
            ast + period
                .start
                .as_ref()
                .and_then(|s| s.to_nanos().ok())
                .unwrap_or(0)
        });
    let init = t
        .initialization
        .and_then(|i| Template::parse(i).ok())
        .and_then(|i| i.expand(&known).ok());
    let mut p = MediaPlaylist {
        independent_segments: true,
        media_sequence: listed.first().map_or(0, |(n, ..)| *n),
        ..MediaPlaylist::default()
    };
    for (n, path, meta) in &listed {
        let track = meta.tracks.first()?;
        let ts = track.timescale.filter(|t| *t > 0).unwrap_or(template_ts);
        let duration = Decimal::from_ticks(track.duration, ts)?;
        let mut seg = MediaSegment::new(*path, duration);
        if let Some(base) = base_ns {
            let rel = (i128::from(track.start) - i128::from(pto)) * 1_000_000_000 / i128::from(ts);
            let ns = base + rel;
            seg.program_date_time = crate::mpd::XsDateTime::from_unix(
                i64::try_from(ns.div_euclid(1_000_000_000)).ok()?,
                u32::try_from(ns.rem_euclid(1_000_000_000)).ok()?,
            );
        }
        if *n == p.media_sequence {
            seg.map = init.clone().map(|uri| Map {
                uri,
                byte_range: None,
            });
        }
        p.segments.push(seg);
    }
    // The target may not change while the window moves: the template's nominal duration,
    // or the longest listed segment when one is longer.
    let nominal = t
        .duration
        .and_then(|d| Decimal::from_ticks(d, template_ts))
        .map_or(0, Decimal::round_to_integer);
    p.target_duration = p.required_target_duration().max(nominal).max(1);
    p.end_list = !listed.is_empty()
        && ch.streams.values().any(|s| {
            s.ended
                && s.window
                    .back()
                    .is_some_and(|last| listed.last().is_some_and(|(_, path, _)| path == last))
        });
    p.version = Some(p.required_version());
    let last_complete = listed.last().map(|(n, _, m)| (*n, m.chunks.len()));
    let mut built = Built {
        playlist: p,
        last_complete,
        building: None,
    };
    let low_latency = listed.last().is_some_and(|(_, _, m)| {
        let ts = m
            .tracks
            .first()
            .and_then(|t| t.timescale)
            .filter(|t| *t > 0)
            .unwrap_or(template_ts);
        chunked_for_parts(m, ts)
    });
    if low_latency && !built.playlist.end_list {
        low_latency_parts(ch, &mut built, &listed, &media, &known, template_ts);
    }
    Some(built)
}

/// Whether a segment's chunks make parts: more than one, all recorded, and each but the last
/// at least [`crate::limits::MIN_HLS_PART_MS`] long (`ts` is the first track's timescale).
fn chunked_for_parts(m: &SegMeta, ts: u32) -> bool {
    let min = crate::limits::MIN_HLS_PART_MS.saturating_mul(u64::from(ts)) / 1000;
    m.chunks.len() > 1
        && !m.chunks_overflow
        && m.chunks[..m.chunks.len() - 1]
            .iter()
            .all(|c| c.duration >= min)
}

/// Makes `built` low-latency: parts for its segments within three target durations of the
/// end, the segment being uploaded (the one after the newest complete) by its parts so far, a
/// preload hint for the next part, `EXT-X-PART-INF` and `EXT-X-SERVER-CONTROL`. A listed
/// segment whose chunks are not all known is listed without parts; the playlist is left as it
/// is when the segment being uploaded's are not.
fn low_latency_parts(
    ch: &Channel,
    built: &mut Built,
    listed: &[(u64, &str, &SegMeta)],
    media: &Template,
    known: &TemplateValues<'_>,
    template_ts: u32,
) {
    let Some(&(last, ..)) = listed.last() else {
        return;
    };
    let ts_of = |m: &SegMeta| {
        m.tracks
            .first()
            .and_then(|t| t.timescale)
            .filter(|t| *t > 0)
            .unwrap_or(template_ts)
    };
    let mut all: Vec<Vec<PartialSegment>> = Vec::with_capacity(listed.len());
    for (_, path, meta) in listed {
        // A segment whose chunks are not all known (a failover copy of another size) is
        // listed without parts.
        all.push(parts(path, meta, ts_of(meta)).unwrap_or_default());
    }
    // The segment being uploaded: the next number, still being written.
    let next = last.saturating_add(1);
    let next_values = TemplateValues {
        number: Some(next),
        ..*known
    };
    let building = ch
        .files
        .iter()
        .filter(|(_, f)| f.status == Status::Writing)
        .find_map(|(path, f)| {
            let n = media.match_url(path, known)?.number?;
            (n == next).then_some((path.as_str(), f.meta.as_deref()?))
        });
    let (next_uri, trailing) = match building {
        Some((path, meta)) => match parts(path, meta, ts_of(meta)) {
            Some(p) => (path.to_string(), p),
            None => return,
        },
        None => match media.expand(&next_values) {
            Ok(uri) => (uri, Vec::new()),
            Err(_) => return,
        },
    };
    // PART-TARGET: the longest part in the window, rounded up to the millisecond, so that it
    // does not move while the encoder keeps its chunk duration.
    let Some(longest) = all
        .iter()
        .flatten()
        .chain(&trailing)
        .map(|p| p.duration)
        .max()
    else {
        return;
    };
    let ms = longest
        .ticks()
        .saturating_mul(1000)
        .div_ceil(u64::from(longest.timescale()).max(1))
        .max(1);
    let (Some(part_target), Some(part_hold_back)) = (
        Decimal::from_ticks(ms, 1000),
        Decimal::from_ticks(ms.saturating_mul(3), 1000),
    ) else {
        return;
    };
    // Parts of complete segments are listed within three target durations of the end.
    let keep_ms = built.playlist.target_duration.saturating_mul(3000);
    let mut from_end_ms = trailing
        .iter()
        .map(|p| p.duration.ticks().saturating_mul(1000) / u64::from(p.duration.timescale()))
        .sum::<u64>();
    let p = &mut built.playlist;
    for (seg, seg_parts) in p.segments.iter_mut().zip(all).rev() {
        if from_end_ms >= keep_ms {
            break;
        }
        from_end_ms = from_end_ms.saturating_add(
            seg.duration.ticks().saturating_mul(1000) / u64::from(seg.duration.timescale()),
        );
        seg.parts = seg_parts;
    }
    let hint_start = trailing
        .last()
        .and_then(|t| t.byte_range)
        .map_or(0, |r| r.offset.unwrap_or(0) + r.length);
    built.building = Some((next, trailing.len()));
    p.trailing_parts = trailing;
    p.preload_hints = vec![PreloadHint {
        hint_type: PreloadHintType::Part,
        uri: next_uri,
        byte_range_start: Some(hint_start),
        byte_range_length: None,
    }];
    p.part_target = Some(part_target);
    p.server_control = Some(ServerControl {
        can_block_reload: true,
        part_hold_back: Some(part_hold_back),
        ..ServerControl::default()
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use bytes::Bytes;

    use super::super::channel::{ChunkSpan, SegMeta};
    use super::super::{Admission, Config, Credentials, Instant, Method, Opened, Origin, Refusal};
    use super::super::{Read, Upload, UploadRequest};
    use super::chunked_for_parts;
    use crate::bmff::testbox::bx;
    use crate::cmaf::tests::{moof, trex_moov};
    use crate::hls::{parse, write, Playlist};

    const MPD: &str = r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" profiles="urn:mpeg:dash:profile:isoff-live:2011"
     availabilityStartTime="2026-12-08T00:00:00Z" minimumUpdatePeriod="PT500S" minBufferTime="PT2S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" mimeType="video/mp4" contentType="video">
      <Representation id="0" codecs="avc1.64001e" bandwidth="300000" width="320" height="180">
        <SegmentTemplate timescale="1000" duration="3072" startNumber="1"
          initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
    <AdaptationSet id="1" mimeType="audio/mp4" contentType="audio">
      <Representation id="1" codecs="mp4a.40.2" bandwidth="48000">
        <SegmentTemplate timescale="1000" duration="3072" startNumber="1"
          initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>"#;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn origin() -> Origin {
        Origin::new(Config {
            token: Some("t".into()),
            ..Config::default()
        })
    }

    fn at_ms(ms: u64) -> Instant {
        at(ms)
    }

    fn start_upload(o: &mut Origin, path: &str) -> Box<Upload> {
        start(o, path)
    }

    fn start(o: &mut Origin, path: &str) -> Box<Upload> {
        let c = Credentials::token("t");
        let req = UploadRequest {
            method: Method::Put,
            path,
            credentials: &c,
            content_length: None,
            content_type: None,
        };
        match o.admit(&req, at(0)) {
            Admission::Upload(u) => u,
            other => panic!("{path}: {other:?}"),
        }
    }

    fn put(o: &mut Origin, path: &str, body: &[u8]) {
        let mut up = start(o, path);
        o.feed(&mut up, Bytes::copy_from_slice(body), at(0))
            .unwrap();
        assert_eq!(o.finish(*up, at(0)).outcome.http_status(), 201, "{path}");
    }

    /// A segment of `chunks` chunks (2 samples of 512 ms each; odd `mfhd` sequence numbers
    /// start with a sync sample), and where each chunk ends.
    fn segment(number: u64, chunks: u32) -> (Vec<u8>, Vec<usize>) {
        let mut out = bx(b"styp", b"msdh\0\0\0\0msdhcmfs");
        let mut ends = Vec::new();
        let tfdt = (number - 1) * u64::from(chunks) * 1024;
        for i in 0..chunks {
            out.extend(moof(i + 1, 1, tfdt + u64::from(i) * 1024, &[3, 4], None));
            out.extend(bx(b"mdat", &[i as u8; 7]));
            ends.push(out.len());
        }
        (out, ends)
    }

    /// A channel `ch` with the MPD, both inits and `segments` complete segments of `chunks`
    /// chunks in both renditions.
    fn channel(segments: u64, chunks: u32) -> Origin {
        let mut o = origin();
        put(&mut o, "ch/manifest.mpd", MPD.as_bytes());
        for r in 0..2 {
            let init = [bx(b"ftyp", b"cmfc\0\0\0\0cmfc"), trex_moov(1, 512, 1000)].concat();
            put(&mut o, &format!("ch/init-stream{r}.m4s"), &init);
            for n in 1..=segments {
                put(
                    &mut o,
                    &format!("ch/chunk-stream{r}-{n:05}.m4s"),
                    &segment(n, chunks).0,
                );
            }
        }
        o
    }

    fn text(o: &mut Origin, name: &str, query: Option<&str>) -> Result<String, Refusal> {
        match o.open_request(&format!("ch/{name}"), query, None, at(0))? {
            Opened::Whole(p) => Ok(String::from_utf8(p.concat()).unwrap()),
            Opened::Streaming(_) => panic!("a playlist is whole"),
        }
    }

    /// The playlist reads back through dashkit's parser to the same text.
    fn round_trip(t: &str) -> crate::hls::MediaPlaylist {
        let p = parse(t).unwrap();
        assert_eq!(write(&p), t);
        match p {
            Playlist::Media(m) => m,
            Playlist::Multivariant(_) => panic!("media playlist expected"),
        }
    }

    #[test]
    fn a_normal_channel_has_no_parts_and_ignores_blocking_directives() {
        let mut o = channel(2, 1);
        let t = text(&mut o, "manifest_0.m3u8", None).unwrap();
        assert_eq!(
            t,
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:1\n\
             #EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-PROGRAM-DATE-TIME:2026-12-08T00:00:00Z\n\
             #EXT-X-MAP:URI=\"init-stream0.m4s\"\n#EXTINF:1.024,\nchunk-stream0-00001.m4s\n\
             #EXT-X-PROGRAM-DATE-TIME:2026-12-08T00:00:01.024Z\n#EXTINF:1.024,\n\
             chunk-stream0-00002.m4s\n"
        );
        round_trip(&t);
        // No CAN-BLOCK-RELOAD: a directive is not a reason to wait.
        assert_eq!(text(&mut o, "manifest_0.m3u8", Some("_HLS_msn=9")), Ok(t));
    }

    #[test]
    fn parts_appear_as_chunks_complete_with_a_hint_and_reports() {
        let mut o = channel(1, 3);
        let (seg1, ends1) = segment(1, 3);
        let t = text(&mut o, "manifest_0.m3u8", None).unwrap();
        assert_eq!(
            t,
            format!(
                "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:1\n\
                 #EXT-X-INDEPENDENT-SEGMENTS\n\
                 #EXT-X-SERVER-CONTROL:PART-HOLD-BACK=3.072,CAN-BLOCK-RELOAD=YES\n\
                 #EXT-X-PART-INF:PART-TARGET=1.024\n\
                 #EXT-X-PROGRAM-DATE-TIME:2026-12-08T00:00:00Z\n\
                 #EXT-X-MAP:URI=\"init-stream0.m4s\"\n\
                 #EXT-X-PART:DURATION=1.024,URI=\"chunk-stream0-00001.m4s\",INDEPENDENT=YES,BYTERANGE=\"{}@0\"\n\
                 #EXT-X-PART:DURATION=1.024,URI=\"chunk-stream0-00001.m4s\",BYTERANGE=\"{}@{}\"\n\
                 #EXT-X-PART:DURATION=1.024,URI=\"chunk-stream0-00001.m4s\",INDEPENDENT=YES,BYTERANGE=\"{}@{}\"\n\
                 #EXTINF:3.072,\nchunk-stream0-00001.m4s\n\
                 #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"chunk-stream0-00002.m4s\",BYTERANGE-START=0\n\
                 #EXT-X-RENDITION-REPORT:URI=\"manifest_1.m3u8\",LAST-MSN=1,LAST-PART=2\n",
                ends1[0],
                ends1[1] - ends1[0],
                ends1[0],
                ends1[2] - ends1[1],
                ends1[1],
            )
        );
        // The byte ranges cover the segment, in order, without a gap.
        let m = round_trip(&t);
        let total: u64 = m.segments[0]
            .parts
            .iter()
            .map(|p| p.byte_range.unwrap().length)
            .sum();
        assert_eq!(total, seg1.len() as u64);
        // The next segment, chunk by chunk: each complete chunk is a part, the hint moves on.
        let (seg2, ends2) = segment(2, 3);
        let mut up = start(&mut o, "ch/chunk-stream0-00002.m4s");
        o.feed(
            &mut up,
            Bytes::copy_from_slice(&seg2[..ends2[0] - 3]),
            at(10),
        )
        .unwrap();
        let t = text(&mut o, "manifest_0.m3u8", None).unwrap();
        assert!(
            !t.contains("URI=\"chunk-stream0-00002.m4s\",INDEPENDENT"),
            "{t}"
        );
        o.feed(
            &mut up,
            Bytes::copy_from_slice(&seg2[ends2[0] - 3..ends2[1]]),
            at(20),
        )
        .unwrap();
        let t = text(&mut o, "manifest_0.m3u8", None).unwrap();
        let m = round_trip(&t);
        assert_eq!(m.trailing_parts.len(), 2, "{t}");
        assert_eq!(
            m.trailing_parts[1].byte_range,
            Some(crate::hls::ByteSpan {
                length: (ends2[1] - ends2[0]) as u64,
                offset: Some(ends2[0] as u64)
            })
        );
        assert!(m.trailing_parts[0].independent && !m.trailing_parts[1].independent);
        assert_eq!(m.preload_hints[0].uri, "chunk-stream0-00002.m4s");
        assert_eq!(m.preload_hints[0].byte_range_start, Some(ends2[1] as u64));
        // The audio rendition reports the video's newest part.
        let a = round_trip(&text(&mut o, "manifest_1.m3u8", None).unwrap());
        assert_eq!(a.rendition_reports.len(), 1);
        assert_eq!(
            (
                a.rendition_reports[0].last_msn,
                a.rendition_reports[0].last_part
            ),
            (Some(2), Some(1))
        );
        // Complete: listed with its parts, which add up to its EXTINF.
        o.feed(&mut up, Bytes::copy_from_slice(&seg2[ends2[1]..]), at(30))
            .unwrap();
        o.finish(*up, at(30));
        let m = round_trip(&text(&mut o, "manifest_0.m3u8", None).unwrap());
        assert_eq!(m.segments.len(), 2);
        assert!(m.trailing_parts.is_empty());
        let sum = m.segments[1]
            .parts
            .iter()
            .try_fold(crate::hls::Decimal::from_int(0), |a, p| {
                a.checked_add(p.duration)
            })
            .unwrap();
        assert_eq!(sum, m.segments[1].duration);
        assert_eq!(m.preload_hints[0].uri, "chunk-stream0-00003.m4s");
    }

    #[test]
    fn chunks_of_a_frame_are_not_parts() {
        // 3 chunks of 2 samples of 512 ms in a 1000 timescale are parts; of 40 ms (samples of
        // 20 ticks, as a 25 fps frame per chunk) they are not: the playlist stays plain.
        let m = |sample: u32| {
            let mut c = SegMeta::default();
            for i in 0..3u64 {
                c.chunks.push(ChunkSpan {
                    end: (i + 1) * 100,
                    duration: u64::from(sample) * 2,
                    independent: i == 0,
                });
            }
            c
        };
        assert!(chunked_for_parts(&m(512), 1000));
        assert!(!chunked_for_parts(&m(20), 1000));
        let mut last_short = m(512);
        last_short.chunks[2].duration = 10;
        assert!(chunked_for_parts(&last_short, 1000));
    }

    #[test]
    fn parts_of_older_segments_leave_the_playlist() {
        // 3.072 s segments, target 3: parts within 9 s of the end, so of the last three.
        let m = round_trip(&text(&mut channel(5, 3), "manifest_0.m3u8", None).unwrap());
        let with_parts: Vec<usize> = m.segments.iter().map(|s| s.parts.len()).collect();
        assert_eq!(with_parts, [0, 0, 3, 3, 3]);
    }

    #[test]
    fn blocking_reloads_are_answered_held_or_refused() {
        let mut o = channel(1, 3);
        let name = "manifest_0.m3u8";
        let hold = Err(Refusal::PartNotYet {
            path: name.into(),
            hold_ms: 9_000, // three target durations
        });
        let bad = |q| {
            matches!(
                text(&mut channel(1, 3), name, Some(q)),
                Err(Refusal::BadBlockingReload { .. })
            )
        };
        // What the playlist holds is answered now.
        assert!(text(&mut o, name, Some("_HLS_msn=1")).is_ok());
        assert!(text(&mut o, name, Some("_HLS_msn=1&_HLS_part=2")).is_ok());
        assert!(text(&mut o, name, Some("_HLS_msn=0&_HLS_part=7")).is_ok());
        // The next part: held until it exists; past segment 1's last part means segment 2's first.
        assert_eq!(text(&mut o, name, Some("_HLS_msn=2&_HLS_part=0")), hold);
        assert_eq!(text(&mut o, name, Some("_HLS_msn=1&_HLS_part=3")), hold);
        assert_eq!(text(&mut o, name, Some("_HLS_msn=2")), hold);
        // Too far ahead: more than two segments after the last, or more than 3 parts ahead.
        assert!(bad("_HLS_msn=4"));
        assert!(bad("_HLS_msn=2&_HLS_part=3"));
        assert_eq!(text(&mut o, name, Some("_HLS_msn=2&_HLS_part=2")), hold);
        // Malformed.
        assert!(bad("_HLS_part=1"));
        assert!(bad("_HLS_msn=x"));
        assert!(bad("_HLS_msn=-1"));
        // The part arrives: the held request, asked again, is answered.
        let (seg2, ends2) = segment(2, 3);
        let mut up = start(&mut o, "ch/chunk-stream0-00002.m4s");
        o.feed(&mut up, Bytes::copy_from_slice(&seg2[..ends2[0]]), at(10))
            .unwrap();
        let t = text(&mut o, name, Some("_HLS_msn=2&_HLS_part=0")).unwrap();
        assert_eq!(round_trip(&t).trailing_parts.len(), 1);
        assert!(text(&mut o, name, Some("_HLS_msn=1&_HLS_part=3")).is_ok());
        assert_eq!(text(&mut o, name, Some("_HLS_msn=2&_HLS_part=1")), hold);
        // A whole segment asked for waits for it to be complete.
        assert_eq!(text(&mut o, name, Some("_HLS_msn=2")), hold);
        o.feed(&mut up, Bytes::copy_from_slice(&seg2[ends2[0]..]), at(20))
            .unwrap();
        o.finish(*up, at(20));
        assert!(text(&mut o, name, Some("_HLS_msn=2")).is_ok());
    }

    #[test]
    fn a_range_of_a_segment_being_uploaded_is_read_as_it_arrives() {
        let mut o = channel(1, 3);
        let (seg2, ends2) = segment(2, 3);
        let mut up = start(&mut o, "ch/chunk-stream0-00002.m4s");
        o.feed(&mut up, Bytes::copy_from_slice(&seg2[..ends2[0]]), at(10))
            .unwrap();
        let open = |o: &mut Origin, range: &str| {
            let mut opened = o.open("ch/chunk-stream0-00002.m4s", None, at(10)).unwrap();
            let cr = crate::origin::ingest::read_range(&mut opened, Some(range), 1 << 20).unwrap();
            let Opened::Streaming(r) = opened else {
                panic!("streaming expected")
            };
            (r, cr)
        };
        let read_all = |o: &Origin, r: &mut super::super::Reader| {
            let mut got = Vec::new();
            loop {
                match o.read(r) {
                    Read::Data { pieces, last } => {
                        got.extend(pieces.concat());
                        if last {
                            return (got, true);
                        }
                    }
                    Read::Wait => return (got, false),
                    Read::End => return (got, true),
                }
            }
        };
        // The first part, as listed: there, and the read ends with it.
        let (mut first, cr) = open(&mut o, &format!("bytes=0-{}", ends2[0] - 1));
        assert_eq!(cr, Some(format!("bytes 0-{}/*", ends2[0] - 1)));
        assert_eq!(read_all(&o, &mut first), (seg2[..ends2[0]].to_vec(), true));
        // The preload hint: from the end of the last part, open-ended, until the upload ends.
        let (mut hint, cr) = open(&mut o, &format!("bytes={}-", ends2[0]));
        assert_eq!(cr, Some(format!("bytes {}-{}/*", ends2[0], (1 << 20) - 1)));
        // The second part, bounded, asked for before it exists.
        let (mut second, _) = open(&mut o, &format!("bytes={}-{}", ends2[0], ends2[1] - 1));
        assert_eq!(read_all(&o, &mut hint), (Vec::new(), false));
        o.feed(
            &mut up,
            Bytes::copy_from_slice(&seg2[ends2[0]..ends2[1] + 5]),
            at(20),
        )
        .unwrap();
        let (got, done) = read_all(&o, &mut hint);
        assert_eq!((got.as_slice(), done), (&seg2[ends2[0]..ends2[1]], false));
        assert_eq!(
            read_all(&o, &mut second),
            (seg2[ends2[0]..ends2[1]].to_vec(), true)
        );
        o.feed(
            &mut up,
            Bytes::copy_from_slice(&seg2[ends2[1] + 5..]),
            at(30),
        )
        .unwrap();
        o.finish(*up, at(30));
        let (got, done) = read_all(&o, &mut hint);
        assert_eq!((got.as_slice(), done), (&seg2[ends2[1]..], true));
        // Complete now: a range is a static file's.
        let mut whole = o.open("ch/chunk-stream0-00002.m4s", None, at(40)).unwrap();
        let cr = crate::origin::ingest::read_range(&mut whole, Some("bytes=2-"), 1 << 20).unwrap();
        assert_eq!(
            cr,
            Some(format!("bytes 2-{}/{}", seg2.len() - 1, seg2.len()))
        );
        let Opened::Whole(p) = whole else { panic!() };
        assert_eq!(p.concat(), seg2[2..]);
    }

    proptest::proptest! {
        /// Whatever the upload's split into reads and whatever the range, a reader of a
        /// segment being uploaded gets exactly the range's bytes that exist, in order, and ends
        /// with the upload.
        #[test]
        fn a_range_of_a_growing_segment_is_its_bytes(
            cuts in proptest::collection::vec(1usize..200, 1..8),
            start in 1u64..400,
            len in proptest::option::of(1u64..400),
        ) {
            let mut o = channel(1, 3);
            let (seg, _) = segment(2, 3);
            let mut up = start_upload(&mut o, "ch/chunk-stream0-00002.m4s");
            let mut at = 0;
            let mut feed = |o: &mut Origin, up: &mut Upload, n: usize| {
                let end = (at + n).min(seg.len());
                if end > at {
                    o.feed(up, Bytes::copy_from_slice(&seg[at..end]), at_ms(10)).unwrap();
                }
                at = end;
            };
            feed(&mut o, &mut up, cuts[0]);
            let mut opened = o.open("ch/chunk-stream0-00002.m4s", None, at_ms(10)).unwrap();
            let range = match len {
                Some(n) => format!("bytes={start}-{}", start + n - 1),
                None => format!("bytes={start}-"),
            };
            crate::origin::ingest::read_range(&mut opened, Some(&range), 1 << 20).unwrap();
            let Opened::Streaming(mut r) = opened else { panic!("streaming expected") };
            let mut got = Vec::new();
            let mut ended = false;
            let drain = |o: &Origin, r: &mut super::super::Reader, got: &mut Vec<u8>| loop {
                match o.read(r) {
                    Read::Data { pieces, last } => {
                        got.extend(pieces.concat());
                        if last {
                            return true;
                        }
                    }
                    Read::Wait => return false,
                    Read::End => return true,
                }
            };
            for &n in &cuts[1..] {
                ended |= drain(&o, &mut r, &mut got);
                feed(&mut o, &mut up, n);
            }
            feed(&mut o, &mut up, seg.len());
            o.finish(*up, at_ms(20));
            ended |= drain(&o, &mut r, &mut got);
            proptest::prop_assert!(ended);
            let from = (start as usize).min(seg.len());
            let to = match len {
                Some(n) => ((start + n) as usize).min(seg.len()),
                None => seg.len(),
            };
            proptest::prop_assert_eq!(got, seg[from..to].to_vec());
        }
    }
}
