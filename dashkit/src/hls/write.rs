//! [`write_media`], [`write_multivariant`], [`write`]: model -> playlist text.
//!
//! Tag order in a media playlist: `EXTM3U`, `EXT-X-VERSION`, `EXT-X-TARGETDURATION`,
//! `EXT-X-MEDIA-SEQUENCE`, `EXT-X-DISCONTINUITY-SEQUENCE`, `EXT-X-PLAYLIST-TYPE`,
//! `EXT-X-INDEPENDENT-SEGMENTS`, `EXT-X-SERVER-CONTROL`, `EXT-X-PART-INF`, unknown header
//! tags, `EXT-X-SKIP`; per segment `EXT-X-DISCONTINUITY`, `EXT-X-PROGRAM-DATE-TIME`,
//! `EXT-X-MAP`, `EXT-X-PART`s, `EXT-X-BYTERANGE`, `EXTINF`, unknown tags, the URI; then the
//! parts of the segment being built, `EXT-X-PRELOAD-HINT`s, `EXT-X-RENDITION-REPORT`s,
//! trailing unknown tags and `EXT-X-ENDLIST`.
//!
//! The writer trusts the model's strings: a URI or quoted value holding `"`, CR or LF, an
//! unknown tag line not starting with `#EXT`, or a URI, title or unknown tag with whitespace at
//! its ends (the parser drops it), makes text the parser reads differently.

use std::fmt::Write as _;

use super::model::*;

/// Writes a playlist.
///
/// ```
/// use dashkit::hls::{parse, write};
/// let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000,\na.m4s\n\
///             #EXT-X-ENDLIST\n";
/// assert_eq!(write(&parse(text)?), text);
/// # Ok::<(), dashkit::hls::Error>(())
/// ```
pub fn write(playlist: &Playlist) -> String {
    match playlist {
        Playlist::Multivariant(m) => write_multivariant(m),
        Playlist::Media(m) => write_media(m),
    }
}

use super::decimal::push_u64;

fn quoted(out: &mut String, name: &str, v: &str) {
    out.push_str(name);
    out.push_str("=\"");
    out.push_str(v);
    out.push('"');
}

fn byte_range(out: &mut String, r: ByteSpan) {
    push_u64(out, r.length);
    if let Some(o) = r.offset {
        out.push('@');
        push_u64(out, o);
    }
}

fn yes(out: &mut String, name: &str, v: bool) {
    if v {
        out.push(',');
        out.push_str(name);
        out.push_str("=YES");
    }
}

/// Writes a media playlist.
///
/// ```
/// use dashkit::hls::{write_media, Decimal, Map, MediaPlaylist, MediaSegment, PlaylistType};
/// let mut s = MediaSegment::new("1.m4s", Decimal::from_ticks(25_874, 12_800).unwrap());
/// s.map = Some(Map { uri: "init.mp4".into(), byte_range: None });
/// let p = MediaPlaylist {
///     version: Some(6), target_duration: 2, playlist_type: Some(PlaylistType::Vod),
///     segments: vec![s], end_list: true, ..MediaPlaylist::default()
/// };
/// assert_eq!(write_media(&p), "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n\
///     #EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n\
///     #EXTINF:2.02140625,\n1.m4s\n#EXT-X-ENDLIST\n");
/// ```
pub fn write_media(p: &MediaPlaylist) -> String {
    let mut out = String::with_capacity(256 + p.segments.len() * 64);
    out.push_str("#EXTM3U\n");
    if let Some(v) = p.version {
        out.push_str("#EXT-X-VERSION:");
        push_u64(&mut out, u64::from(v));
        out.push('\n');
    }
    out.push_str("#EXT-X-TARGETDURATION:");
    push_u64(&mut out, p.target_duration);
    out.push_str("\n#EXT-X-MEDIA-SEQUENCE:");
    push_u64(&mut out, p.media_sequence);
    out.push('\n');
    if p.discontinuity_sequence != 0 {
        out.push_str("#EXT-X-DISCONTINUITY-SEQUENCE:");
        push_u64(&mut out, p.discontinuity_sequence);
        out.push('\n');
    }
    match p.playlist_type {
        Some(PlaylistType::Vod) => out.push_str("#EXT-X-PLAYLIST-TYPE:VOD\n"),
        Some(PlaylistType::Event) => out.push_str("#EXT-X-PLAYLIST-TYPE:EVENT\n"),
        None => {}
    }
    if p.independent_segments {
        out.push_str("#EXT-X-INDEPENDENT-SEGMENTS\n");
    }
    if let Some(sc) = &p.server_control {
        let mut a = String::new();
        if let Some(d) = sc.can_skip_until {
            let _ = write!(a, ",CAN-SKIP-UNTIL={d}");
        }
        yes(&mut a, "CAN-SKIP-DATERANGES", sc.can_skip_dateranges);
        if let Some(d) = sc.hold_back {
            let _ = write!(a, ",HOLD-BACK={d}");
        }
        if let Some(d) = sc.part_hold_back {
            let _ = write!(a, ",PART-HOLD-BACK={d}");
        }
        yes(&mut a, "CAN-BLOCK-RELOAD", sc.can_block_reload);
        out.push_str("#EXT-X-SERVER-CONTROL:");
        out.push_str(a.strip_prefix(',').unwrap_or(&a));
        out.push('\n');
    }
    if let Some(t) = p.part_target {
        let _ = writeln!(out, "#EXT-X-PART-INF:PART-TARGET={t}");
    }
    for t in &p.unknown_tags {
        out.push_str(t);
        out.push('\n');
    }
    if let Some(s) = &p.skip {
        let _ = write!(out, "#EXT-X-SKIP:SKIPPED-SEGMENTS={}", s.skipped_segments);
        if let Some(r) = &s.recently_removed_dateranges {
            out.push(',');
            quoted(&mut out, "RECENTLY-REMOVED-DATERANGES", r);
        }
        out.push('\n');
    }
    for s in &p.segments {
        if s.discontinuity {
            out.push_str("#EXT-X-DISCONTINUITY\n");
        }
        if let Some(t) = &s.program_date_time {
            out.push_str("#EXT-X-PROGRAM-DATE-TIME:");
            out.push_str(t.as_str());
            out.push('\n');
        }
        if let Some(m) = &s.map {
            out.push_str("#EXT-X-MAP:");
            quoted(&mut out, "URI", &m.uri);
            if let Some(r) = m.byte_range {
                out.push_str(",BYTERANGE=\"");
                byte_range(&mut out, r);
                out.push('"');
            }
            out.push('\n');
        }
        for part in &s.parts {
            write_part(&mut out, part);
        }
        if let Some(r) = s.byte_range {
            out.push_str("#EXT-X-BYTERANGE:");
            byte_range(&mut out, r);
            out.push('\n');
        }
        out.push_str("#EXTINF:");
        s.duration.write_to(&mut out);
        out.push(',');
        out.push_str(&s.title);
        out.push('\n');
        for t in &s.unknown_tags {
            out.push_str(t);
            out.push('\n');
        }
        out.push_str(&s.uri);
        out.push('\n');
    }
    for part in &p.trailing_parts {
        write_part(&mut out, part);
    }
    for h in &p.preload_hints {
        out.push_str("#EXT-X-PRELOAD-HINT:TYPE=");
        out.push_str(match h.hint_type {
            PreloadHintType::Part => "PART",
            PreloadHintType::Map => "MAP",
        });
        out.push(',');
        quoted(&mut out, "URI", &h.uri);
        if let Some(v) = h.byte_range_start {
            let _ = write!(out, ",BYTERANGE-START={v}");
        }
        if let Some(v) = h.byte_range_length {
            let _ = write!(out, ",BYTERANGE-LENGTH={v}");
        }
        out.push('\n');
    }
    for r in &p.rendition_reports {
        out.push_str("#EXT-X-RENDITION-REPORT:");
        quoted(&mut out, "URI", &r.uri);
        if let Some(v) = r.last_msn {
            let _ = write!(out, ",LAST-MSN={v}");
        }
        if let Some(v) = r.last_part {
            let _ = write!(out, ",LAST-PART={v}");
        }
        out.push('\n');
    }
    for t in &p.trailing_tags {
        out.push_str(t);
        out.push('\n');
    }
    if p.end_list {
        out.push_str("#EXT-X-ENDLIST\n");
    }
    out
}

fn write_part(out: &mut String, part: &PartialSegment) {
    out.push_str("#EXT-X-PART:DURATION=");
    part.duration.write_to(out);
    out.push(',');
    quoted(out, "URI", &part.uri);
    yes(out, "INDEPENDENT", part.independent);
    if let Some(r) = part.byte_range {
        out.push_str(",BYTERANGE=\"");
        byte_range(out, r);
        out.push('"');
    }
    yes(out, "GAP", part.gap);
    out.push('\n');
}

fn others(out: &mut String, other: &[(String, String)]) {
    for (n, v) in other {
        out.push(',');
        out.push_str(n);
        out.push('=');
        out.push_str(v);
    }
}

/// Writes a multivariant playlist: header tags, unknown tags, renditions, then variants.
///
/// ```
/// use dashkit::hls::{write_multivariant, MediaType, MultivariantPlaylist, Rendition, Variant};
/// let p = MultivariantPlaylist {
///     renditions: vec![Rendition {
///         media_type: MediaType::Audio, uri: Some("a.m3u8".into()), group_id: "aud".into(),
///         language: None, name: "audio".into(), default: true, autoselect: true,
///         forced: false, channels: Some("2".into()), other: vec![],
///     }],
///     variants: vec![Variant {
///         uri: "v.m3u8".into(), bandwidth: 200_000, codecs: Some("avc1.4d400c,mp4a.40.2".into()),
///         resolution: Some((320, 180)), audio: Some("aud".into()), ..Variant::default()
///     }],
///     ..MultivariantPlaylist::default()
/// };
/// assert_eq!(write_multivariant(&p), "#EXTM3U\n\
///     #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"audio\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"a.m3u8\"\n\
///     #EXT-X-STREAM-INF:BANDWIDTH=200000,CODECS=\"avc1.4d400c,mp4a.40.2\",RESOLUTION=320x180,AUDIO=\"aud\"\n\
///     v.m3u8\n");
/// ```
pub fn write_multivariant(p: &MultivariantPlaylist) -> String {
    let mut out = String::with_capacity(256 + (p.renditions.len() + p.variants.len()) * 160);
    out.push_str("#EXTM3U\n");
    if let Some(v) = p.version {
        let _ = writeln!(out, "#EXT-X-VERSION:{v}");
    }
    if p.independent_segments {
        out.push_str("#EXT-X-INDEPENDENT-SEGMENTS\n");
    }
    for t in &p.unknown_tags {
        out.push_str(t);
        out.push('\n');
    }
    for r in &p.renditions {
        out.push_str("#EXT-X-MEDIA:TYPE=");
        out.push_str(r.media_type.as_str());
        out.push(',');
        quoted(&mut out, "GROUP-ID", &r.group_id);
        if let Some(l) = &r.language {
            out.push(',');
            quoted(&mut out, "LANGUAGE", l);
        }
        out.push(',');
        quoted(&mut out, "NAME", &r.name);
        yes(&mut out, "DEFAULT", r.default);
        yes(&mut out, "AUTOSELECT", r.autoselect);
        yes(&mut out, "FORCED", r.forced);
        if let Some(c) = &r.channels {
            out.push(',');
            quoted(&mut out, "CHANNELS", c);
        }
        others(&mut out, &r.other);
        if let Some(u) = &r.uri {
            out.push(',');
            quoted(&mut out, "URI", u);
        }
        out.push('\n');
    }
    for v in &p.variants {
        let _ = write!(out, "#EXT-X-STREAM-INF:BANDWIDTH={}", v.bandwidth);
        if let Some(a) = v.average_bandwidth {
            let _ = write!(out, ",AVERAGE-BANDWIDTH={a}");
        }
        if let Some(c) = &v.codecs {
            out.push(',');
            quoted(&mut out, "CODECS", c);
        }
        if let Some((w, h)) = v.resolution {
            let _ = write!(out, ",RESOLUTION={w}x{h}");
        }
        if let Some(f) = v.frame_rate {
            out.push_str(",FRAME-RATE=");
            f.write_to(&mut out);
        }
        if let Some(a) = &v.audio {
            out.push(',');
            quoted(&mut out, "AUDIO", a);
        }
        if let Some(s) = &v.subtitles {
            out.push(',');
            quoted(&mut out, "SUBTITLES", s);
        }
        others(&mut out, &v.other);
        out.push('\n');
        out.push_str(&v.uri);
        out.push('\n');
    }
    out
}
