//! The HLS playlists of a static MPD, over the very same segment files: [`from_mpd`].
//!
//! What comes from where:
//! - segment URIs, byte ranges, init segments: the MPD's segment listing
//!   ([`crate::mpd::listing::list_segments`]) for every addressing mode, resolved against
//!   [`Options::mpd_url`] so they are relative to where the playlists are;
//! - `EXTINF`: each segment's media duration, the sum of its track's sample durations (trun)
//!   in the track timescale (mdhd), read from the segment bytes. This is the duration players
//!   get from the media. It equals the MPD's `SegmentTimeline`/`sidx` duration when the
//!   packager was exact, and replaces the nominal `@duration` of number-addressed templates
//!   (whose last segment, or audio segments cut at frame boundaries, differ from it);
//! - `CODECS`, `RESOLUTION`, `CHANNELS`: the init segment (RFC 6381 strings from
//!   [`crate::bmff::info`]), falling back to the MPD's `@codecs` and `AudioChannelConfiguration`;
//!   `FRAME-RATE` from `@frameRate`;
//! - `BANDWIDTH` / `AVERAGE-BANDWIDTH`: measured on the segments (peak and mean bit rate of
//!   each media playlist, RFC 8216 §4.3.4.2), plus the largest rendition of the audio group;
//! - `EXT-X-INDEPENDENT-SEGMENTS`: only when every segment of every playlist starts with a
//!   sync sample.
//!
//! One media playlist per `Representation@id`; a Representation that appears in several
//! Periods continues in the same playlist after an `EXT-X-DISCONTINUITY` and a new
//! `EXT-X-MAP`. SegmentBase (one file indexed by a `sidx`) becomes `EXT-X-BYTERANGE`s and an
//! `EXT-X-MAP` with a `BYTERANGE`.
//!
//! Renditions: video Representations are variants; audio Representations are `EXT-X-MEDIA`
//! renditions in one group per codec string (`audio`, `audio-2`, ...); text Representations
//! (WebVTT or TTML in MP4) are `SUBTITLES` renditions in group `subs`. Without video, each
//! audio Representation is a variant of its own.
//!
//! The library reads nothing itself: a [`Source`] returns the bytes of a URL (all of
//! them, or the inclusive range).

use super::model::{
    ByteSpan as HlsRange, Map, MediaPlaylist, MediaSegment, MediaType, MultivariantPlaylist,
    PlaylistType, Rendition, Variant,
};
use super::Decimal;
use crate::bmff::samples::track_samples;
use crate::mpd::listing::{list_segments, IndexRequest, RepresentationListing};
use crate::mpd::model::{AdaptationSet, Mpd, Representation};
use crate::mpd::segments::{ByteRange, UrlRange};
use crate::source::Source;

/// What went wrong building playlists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The MPD's segments could not be listed.
    #[error(transparent)]
    Mpd(#[from] crate::mpd::Error),
    /// The MPD is dynamic: its playlists change with time (the live origin builds those).
    #[error("the MPD is dynamic; only static MPDs have static playlists")]
    Dynamic,
    /// A Representation has no initialization segment (fMP4 needs `EXT-X-MAP`).
    #[error("{path}: no initialization segment")]
    NoInitialization {
        /// Element path of the Representation.
        path: String,
    },
    /// `fetch` returned nothing for a URL.
    #[error("{url}: not available")]
    Missing {
        /// The URL.
        url: String,
    },
    /// A segment's bytes do not parse, or hold no sample of the init segment's track.
    #[error("{url}: {message}")]
    Media {
        /// The URL.
        url: String,
        /// What failed, with its byte offset and box path.
        message: String,
    },
}

/// Where the playlists go and how they are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options<'a> {
    /// The MPD's URL as seen from the playlists' location: `""` or `"manifest.mpd"` when they
    /// sit next to it, `"../dash/manifest.mpd"` or an absolute URL otherwise. Segment URIs are
    /// resolved against it, so they are relative to the playlists.
    pub mpd_url: &'a str,
    /// File stem: the multivariant playlist is `<stem>.m3u8`, each media playlist
    /// `<stem>_<Representation@id>.m3u8` (characters other than `A-Za-z0-9._-` in the id
    /// become `_`).
    pub stem: &'a str,
}

/// One media playlist and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPlaylistFile {
    /// File name (`<stem>_<id>.m3u8`), also its URI in the multivariant playlist.
    pub name: String,
    /// `Representation@id`.
    pub representation_id: String,
    /// `video`, `audio`, `text` (or whatever the MPD says).
    pub content_type: Option<String>,
    /// The playlist.
    pub playlist: MediaPlaylist,
}

/// The playlists of one MPD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playlists {
    /// File name of the multivariant playlist (`<stem>.m3u8`).
    pub multivariant_name: String,
    /// The multivariant playlist.
    pub multivariant: MultivariantPlaylist,
    /// The media playlists, in order of first appearance in the MPD.
    pub media: Vec<MediaPlaylistFile>,
}

/// What one media playlist's segments measured.
#[derive(Debug, Clone, Default)]
struct Measure {
    codec: String,
    dimensions: Option<(u32, u32)>,
    channels: Option<u16>,
    peak_bps: u64,
    total_bits: u128,
    total_seconds: Option<Decimal>,
    independent: bool,
}

/// The playlist file name for a Representation id.
pub(crate) fn media_name(stem: &str, id: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}_{id}.m3u8")
}

fn hls_range(r: Option<ByteRange>) -> Option<HlsRange> {
    r.map(|r| HlsRange {
        length: r.size_bytes(),
        offset: Some(r.first()),
    })
}

fn ceil_div(a: u128, b: u128) -> u128 {
    if b == 0 {
        0
    } else {
        a.div_ceil(b)
    }
}

/// The track facts of an init segment: (track id, timescale, codec, dimensions, channels).
struct Init {
    track_id: u32,
    timescale: u32,
    codec: String,
    dimensions: Option<(u32, u32)>,
    channels: Option<u16>,
}

fn read_init(url: &str, bytes: &[u8]) -> Result<Init, Error> {
    let media = |message: String| Error::Media {
        url: url.to_owned(),
        message,
    };
    let info = crate::bmff::info::describe(bytes).map_err(|e| media(e.to_string()))?;
    let t = info
        .tracks
        .first()
        .ok_or_else(|| media("no track in the init segment".to_owned()))?;
    if t.timescale == 0 {
        return Err(media("mdhd timescale 0".to_owned()));
    }
    // AudioSampleEntry: channelcount at +24 from the box start (ISO/IEC 14496-12 §12.2.3).
    let mut channels = None;
    if t.handler == "soun" {
        if let Ok(idx) = crate::bmff::Index::parse(bytes) {
            if let Some(entry) = idx.all(b"stsd").next().and_then(|s| idx.children(s).next()) {
                let b = &idx.boxes()[entry];
                channels = bytes
                    .get(b.start + 24..b.start + 26)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .filter(|&c| c > 0);
            }
        }
    }
    Ok(Init {
        track_id: t.track_id,
        timescale: t.timescale,
        codec: t.codec.clone(),
        dimensions: t.dimensions,
        channels,
    })
}

fn fetch_url(source: &mut dyn Source, u: &UrlRange) -> Result<Vec<u8>, Error> {
    source
        .read(&u.url, u.byte_range)
        .ok_or_else(|| Error::Missing { url: u.url.clone() })
}

/// Builds the multivariant playlist and one media playlist per Representation of a static
/// MPD. `source` supplies the init and media segment bytes (and sidx bytes for SegmentBase),
/// with URLs as resolved against [`Options::mpd_url`].
///
/// ```no_run
/// use dashkit::hls::build::{from_mpd, Options};
/// use dashkit::mpd::segments::ByteRange;
/// let mpd = dashkit::mpd::parse(&std::fs::read_to_string("dash/manifest.mpd")?)?;
/// let opts = Options { mpd_url: "manifest.mpd", stem: "manifest" };
/// let out = from_mpd(&mpd, &opts, &mut |url: &str, range: Option<ByteRange>| {
///     let bytes = std::fs::read(format!("dash/{url}")).ok()?;
///     match range {
///         None => Some(bytes),
///         Some(r) => bytes.get(r.first() as usize..=r.last() as usize).map(<[u8]>::to_vec),
///     }
/// })?;
/// println!("{}", dashkit::hls::write_multivariant(&out.multivariant));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn from_mpd(
    mpd: &Mpd,
    options: &Options<'_>,
    source: &mut dyn Source,
) -> Result<Playlists, Error> {
    if mpd.is_dynamic() {
        return Err(Error::Dynamic);
    }
    let listings = list_segments(mpd, options.mpd_url, |req: &IndexRequest| {
        source.read(&req.url, Some(req.range))
    })?;
    // Group by Representation@id, in order of first appearance.
    let mut ids: Vec<&str> = Vec::new();
    for l in &listings {
        if !ids.contains(&l.id.as_str()) {
            ids.push(&l.id);
        }
    }
    let mut media = Vec::with_capacity(ids.len());
    let mut measures = Vec::with_capacity(ids.len());
    for id in ids {
        let parts: Vec<&RepresentationListing> = listings.iter().filter(|l| l.id == id).collect();
        let (playlist, measure) = media_playlist(mpd, &parts, source)?;
        media.push(MediaPlaylistFile {
            name: media_name(options.stem, id),
            representation_id: id.to_owned(),
            content_type: parts.first().and_then(|l| l.content_type.clone()),
            playlist,
        });
        measures.push((measure, parts[0]));
    }
    let multivariant = multivariant(mpd, &media, &measures);
    Ok(Playlists {
        multivariant_name: format!("{}.m3u8", options.stem),
        multivariant,
        media,
    })
}

fn rep_of<'m>(mpd: &'m Mpd, l: &RepresentationListing) -> (&'m AdaptationSet, &'m Representation) {
    let a = &mpd.periods[l.period_index].adaptation_sets[l.adaptation_set_index];
    (a, &a.representations[l.representation_index])
}

fn media_playlist(
    mpd: &Mpd,
    periods: &[&RepresentationListing],
    fetch: &mut dyn Source,
) -> Result<(MediaPlaylist, Measure), Error> {
    let mut p = MediaPlaylist {
        playlist_type: Some(PlaylistType::Vod),
        end_list: true,
        media_sequence: periods
            .first()
            .and_then(|l| l.segments.segments.first())
            .map_or(0, |s| s.number),
        ..MediaPlaylist::default()
    };
    let mut m = Measure {
        independent: true,
        ..Measure::default()
    };
    let mut total = Decimal::ZERO;
    for (k, l) in periods.iter().enumerate() {
        let init_ref =
            l.segments
                .initialization
                .as_ref()
                .ok_or_else(|| Error::NoInitialization {
                    path: l.path.clone(),
                })?;
        let init_bytes = fetch_url(fetch, init_ref)?;
        let init = read_init(&init_ref.url, &init_bytes)?;
        if m.codec.is_empty() {
            m.codec = if init.codec.is_empty() {
                let (a, r) = rep_of(mpd, l);
                r.codecs
                    .clone()
                    .or_else(|| a.codecs.clone())
                    .unwrap_or_default()
            } else {
                init.codec.clone()
            };
            m.dimensions = init.dimensions;
            m.channels = init.channels;
        }
        for (i, s) in l.segments.segments.iter().enumerate() {
            let url = UrlRange {
                url: s.url.clone(),
                byte_range: s.byte_range,
            };
            let bytes = fetch_url(fetch, &url)?;
            let bad = |message: String| Error::Media {
                url: s.url.clone(),
                message,
            };
            let offset = s.byte_range.map_or(0, |r| r.first());
            let tracks =
                track_samples(Some(&init_bytes), &bytes, offset).map_err(|e| bad(e.to_string()))?;
            let track = tracks
                .iter()
                .find(|t| t.track_id == init.track_id && !t.samples.is_empty())
                .ok_or_else(|| bad(format!("no samples of track {}", init.track_id)))?;
            let ticks: u64 = track
                .samples
                .iter()
                .fold(0u64, |a, x| a.saturating_add(u64::from(x.duration)));
            if ticks == 0 {
                return Err(bad("samples of zero total duration".to_owned()));
            }
            m.independent &= track.samples.first().is_some_and(|x| x.is_sync);
            let duration = Decimal::from_ticks(ticks, init.timescale)
                .ok_or_else(|| bad("mdhd timescale 0".to_owned()))?;
            let bits = (bytes.len() as u128) * 8;
            m.total_bits += bits;
            let bps = ceil_div(bits * u128::from(init.timescale), u128::from(ticks));
            m.peak_bps = m.peak_bps.max(u64::try_from(bps).unwrap_or(u64::MAX));
            total = total.checked_add(duration).unwrap_or(total);
            let mut seg = MediaSegment::new(s.url.clone(), duration);
            seg.byte_range = hls_range(s.byte_range);
            if i == 0 {
                seg.discontinuity = k > 0;
                seg.map = Some(Map {
                    uri: init_ref.url.clone(),
                    byte_range: hls_range(init_ref.byte_range),
                });
            }
            p.segments.push(seg);
        }
    }
    m.total_seconds = Some(total);
    p.target_duration = p.required_target_duration();
    p.version = Some(p.required_version());
    Ok((p, m))
}

fn average_bps(m: &Measure) -> Option<u64> {
    let d = m.total_seconds?;
    if d.ticks() == 0 {
        return None;
    }
    u64::try_from(ceil_div(
        m.total_bits * u128::from(d.timescale()),
        u128::from(d.ticks()),
    ))
    .ok()
}

/// `CHANNELS` from `AudioChannelConfiguration` (ISO/IEC 23003-3 scheme: a decimal count),
/// else from the init segment's sample entry.
pub(crate) fn channels(a: &AdaptationSet, r: &Representation, init: Option<u16>) -> Option<String> {
    let scheme = "urn:mpeg:dash:23003:3:audio_channel_configuration:2011";
    r.audio_channel_configurations
        .iter()
        .chain(a.audio_channel_configurations.iter())
        .find(|d| d.scheme_id_uri.as_deref() == Some(scheme))
        .and_then(|d| d.value.as_deref())
        .and_then(|v| v.parse::<u16>().ok())
        .or(init)
        .map(|c| c.to_string())
}

/// An `EXT-X-MEDIA` audio group: its id, the codec its renditions share, and the largest
/// peak and average bit rates among them.
struct AudioGroup {
    id: String,
    codec: String,
    peak_bps: u64,
    average_bps: Option<u64>,
}

fn multivariant(
    mpd: &Mpd,
    media: &[MediaPlaylistFile],
    measures: &[(Measure, &RepresentationListing)],
) -> MultivariantPlaylist {
    fn kind(f: &MediaPlaylistFile) -> &str {
        f.content_type.as_deref().unwrap_or("")
    }
    let mut out = MultivariantPlaylist {
        independent_segments: measures.iter().all(|(m, _)| m.independent),
        ..MultivariantPlaylist::default()
    };
    // Audio groups: one per codec string.
    let mut groups: Vec<AudioGroup> = Vec::new();
    let mut subs_codec: Option<String> = None;
    for (f, (m, l)) in media.iter().zip(measures) {
        let (a, r) = rep_of(mpd, l);
        let lang = a.lang.clone();
        match kind(f) {
            "audio" => {
                let gi = match groups.iter().position(|g| g.codec == m.codec) {
                    Some(i) => i,
                    None => {
                        let id = if groups.is_empty() {
                            "audio".to_owned()
                        } else {
                            format!("audio-{}", groups.len() + 1)
                        };
                        groups.push(AudioGroup {
                            id,
                            codec: m.codec.clone(),
                            peak_bps: 0,
                            average_bps: None,
                        });
                        groups.len() - 1
                    }
                };
                let g = &mut groups[gi];
                let first = g.peak_bps == 0;
                g.peak_bps = g.peak_bps.max(m.peak_bps);
                g.average_bps = g.average_bps.max(average_bps(m));
                out.renditions.push(Rendition {
                    media_type: MediaType::Audio,
                    uri: Some(f.name.clone()),
                    group_id: g.id.clone(),
                    name: match &lang {
                        Some(l) => format!("{l} {}", f.representation_id),
                        None => format!("audio {}", f.representation_id),
                    },
                    language: lang,
                    default: first,
                    autoselect: true,
                    forced: false,
                    channels: channels(a, r, m.channels),
                    other: Vec::new(),
                });
            }
            "text" => {
                subs_codec.get_or_insert_with(|| m.codec.clone());
                out.renditions.push(Rendition {
                    media_type: MediaType::Subtitles,
                    uri: Some(f.name.clone()),
                    group_id: "subs".to_owned(),
                    name: match &lang {
                        Some(l) => format!("{l} {}", f.representation_id),
                        None => format!("subtitles {}", f.representation_id),
                    },
                    language: lang,
                    default: false,
                    autoselect: true,
                    forced: false,
                    channels: None,
                    other: Vec::new(),
                });
            }
            _ => {}
        }
    }
    let has_video = media.iter().any(|f| kind(f) == "video");
    let subtitles = subs_codec.as_ref().map(|_| "subs".to_owned());
    for (f, (m, l)) in media.iter().zip(measures) {
        let (a, r) = rep_of(mpd, l);
        let is_variant = if has_video {
            kind(f) == "video"
        } else {
            kind(f) == "audio"
        };
        if !is_variant {
            continue;
        }
        let frame_rate = r
            .frame_rate
            .or(a.frame_rate)
            .and_then(|fr| Decimal::from_ticks(u64::from(fr.num), fr.den))
            .map(|d| d.round_to_digits(3));
        let avg = average_bps(m);
        let audio_groups: Vec<Option<&AudioGroup>> = if has_video && !groups.is_empty() {
            groups.iter().map(Some).collect()
        } else {
            vec![None]
        };
        for g in audio_groups {
            let mut codecs = vec![m.codec.clone()];
            if let Some(g) = g {
                codecs.push(g.codec.clone());
            }
            if let Some(s) = &subs_codec {
                codecs.push(s.clone());
            }
            codecs.retain(|c| !c.is_empty());
            out.variants.push(Variant {
                uri: f.name.clone(),
                bandwidth: m.peak_bps.saturating_add(g.map_or(0, |g| g.peak_bps)),
                average_bandwidth: match (avg, g.map(|g| g.average_bps)) {
                    (Some(v), Some(Some(a))) => Some(v.saturating_add(a)),
                    (Some(v), None) => Some(v),
                    _ => None,
                },
                codecs: (!codecs.is_empty()).then(|| codecs.join(",")),
                resolution: m.dimensions,
                frame_rate: if kind(f) == "video" { frame_rate } else { None },
                audio: g.map(|g| g.id.clone()),
                subtitles: subtitles.clone(),
                other: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_names_are_file_safe() {
        assert_eq!(
            media_name("manifest", "video_144p"),
            "manifest_video_144p.m3u8"
        );
        assert_eq!(media_name("m", "a/b c"), "m_a_b_c.m3u8");
    }

    #[test]
    fn dynamic_mpds_are_refused() {
        let mpd = crate::mpd::parse(
            r#"<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z"><Period/></MPD>"#,
        )
        .unwrap_or_default();
        let opts = Options {
            mpd_url: "",
            stem: "m",
        };
        assert_eq!(
            from_mpd(&mpd, &opts, &mut crate::source::WholeFiles(|_: &str| None)).map(|_| ()),
            Err(Error::Dynamic)
        );
    }

    #[test]
    fn a_missing_segment_is_named() {
        let mpd = crate::mpd::parse(
            r#"<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet contentType="video">
            <SegmentTemplate media="$Number$.m4s" initialization="init.mp4" duration="2"/>
            <Representation id="v" bandwidth="1"/></AdaptationSet></Period></MPD>"#,
        )
        .unwrap_or_default();
        let opts = Options {
            mpd_url: "",
            stem: "m",
        };
        assert_eq!(
            from_mpd(&mpd, &opts, &mut crate::source::WholeFiles(|_: &str| None)).map(|_| ()),
            Err(Error::Missing {
                url: "init.mp4".into()
            })
        );
    }
}
