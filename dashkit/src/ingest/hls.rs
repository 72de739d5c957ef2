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
//! `EXT-X-ENDLIST` once the encoder ended the stream (`lmsg`). Segments still being uploaded
//! are not listed (a low-latency twin would list them as parts: not done yet).

use crate::hls::build::media_name;
use crate::hls::{Decimal, Map, MediaPlaylist, MediaSegment};
use crate::mpd::model::{Mpd, Period};
use crate::mpd::template::{Template, TemplateValues};

use super::channel::{Channel, Status};

/// The playlist `name` of channel `ch` as text, or `None` when the channel has no MPD it
/// belongs to (then the name is just a file that is not there).
pub(crate) fn playlist(ch: &Channel, name: &str) -> Option<String> {
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
            return Some(crate::hls::write_multivariant(
                &crate::live::hls::multivariant_of(period, &sets, &stem),
            ));
        }
        for (ai, _) in &sets {
            let a = &period.adaptation_sets[*ai];
            for r in &a.representations {
                let Some(id) = r.id.as_deref() else { continue };
                if media_name(&stem, id) == name {
                    return media(ch, &mpd, period, *ai, id).map(|p| crate::hls::write_media(&p));
                }
            }
        }
    }
    None
}

/// The media playlist of Representation `id` of AdaptationSet `ai` in `period`.
fn media(ch: &Channel, mpd: &Mpd, period: &Period, ai: usize, id: &str) -> Option<MediaPlaylist> {
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
    Some(p)
}
