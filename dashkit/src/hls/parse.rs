//! [`parse`]: playlist text -> [`Playlist`]. One pass over the lines, bounded by
//! [`MAX_HLS_PLAYLIST_BYTES`], [`MAX_HLS_LINES`], [`MAX_HLS_TAGS`] and
//! [`crate::limits::MAX_HLS_ATTRIBUTES`]; every error carries its 1-based line.
//!
//! Placement of tags the model does not know: before the first segment tag or URI they are
//! header tags; after that they belong to the next segment (or, at the end, to
//! [`MediaPlaylist::trailing_tags`]). Comments (`#` not followed by `EXT`) and blank lines are
//! dropped (RFC 8216 §4.1).

use super::attr::{self, parse_byte_range, parse_integer, Attrs};
use super::error::{excerpt, Error, ErrorKind};
use super::model::*;
use super::Decimal;
use crate::limits::{MAX_HLS_LINES, MAX_HLS_PLAYLIST_BYTES, MAX_HLS_TAGS};
use crate::mpd::XsDateTime;

/// Tags that only a multivariant playlist may hold (RFC 8216 §4.3.4), besides `EXT-X-MEDIA`
/// and `EXT-X-STREAM-INF` which the model reads.
const MULTIVARIANT_ONLY: &[&str] = &[
    "EXT-X-I-FRAME-STREAM-INF",
    "EXT-X-SESSION-DATA",
    "EXT-X-SESSION-KEY",
    "EXT-X-CONTENT-STEERING",
];

/// Tags that only a media playlist may hold and the model keeps raw.
const MEDIA_ONLY: &[&str] = &[
    "EXT-X-KEY",
    "EXT-X-DATERANGE",
    "EXT-X-GAP",
    "EXT-X-BITRATE",
    "EXT-X-I-FRAMES-ONLY",
];

#[derive(Default)]
struct PendingSegment {
    extinf: Option<(Decimal, String, usize)>,
    byte_range: Option<(ByteSpan, usize)>,
    discontinuity: Option<usize>,
    program_date_time: Option<(XsDateTime, usize)>,
    map: Option<(Map, usize)>,
    parts: Vec<PartialSegment>,
    unknown_tags: Vec<String>,
}

impl PendingSegment {
    fn has_segment_tags(&self) -> bool {
        self.extinf.is_some()
            || self.byte_range.is_some()
            || self.discontinuity.is_some()
            || self.program_date_time.is_some()
            || self.map.is_some()
            || !self.parts.is_empty()
            || !self.unknown_tags.is_empty()
    }
}

#[derive(Default)]
struct State {
    media: MediaPlaylist,
    target_duration: Option<u64>,
    multivariant: MultivariantPlaylist,
    pending: PendingSegment,
    pending_variant: Option<(Variant, usize)>,
    seen_uri: bool,
    /// First line of a media-only and a multivariant-only construct.
    media_line: Option<usize>,
    multivariant_line: Option<usize>,
}

fn invalid(tag: &'static str, value: &str, expected: &'static str) -> ErrorKind {
    ErrorKind::InvalidValue {
        tag,
        attribute: None,
        value: excerpt(value),
        expected,
    }
}

fn integer(tag: &'static str, v: &str) -> Result<u64, ErrorKind> {
    parse_integer(v).ok_or_else(|| invalid(tag, v, "decimal-integer"))
}

/// Parses a playlist (multivariant or media).
///
/// ```
/// use dashkit::hls::{parse, Playlist};
/// let text = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n\
///             #EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.005333333,\n1.m4s\n#EXT-X-ENDLIST\n";
/// let Playlist::Media(p) = parse(text)? else { panic!("a media playlist") };
/// assert_eq!(p.segments[0].duration.to_ticks(48_000), Some(96_256));
/// assert_eq!(p.segments[0].map.as_ref().map(|m| m.uri.as_str()), Some("init.mp4"));
/// assert!(p.end_list);
/// # Ok::<(), dashkit::hls::Error>(())
/// ```
pub fn parse(text: &str) -> Result<Playlist, Error> {
    if text.len() > MAX_HLS_PLAYLIST_BYTES {
        return Err(Error::new(
            0,
            ErrorKind::TooLarge {
                bytes: text.len(),
                max: MAX_HLS_PLAYLIST_BYTES,
            },
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut st = State::default();
    let mut tags = 0usize;
    let mut last_line = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        last_line = line_no;
        if line_no > MAX_HLS_LINES {
            return Err(Error::new(
                line_no,
                ErrorKind::TooMany {
                    what: "lines",
                    max: MAX_HLS_LINES,
                },
            ));
        }
        // Whitespace around a line (CR of CR LF line ends included) is not part of it: a URI
        // line indented before a `#` would otherwise be written back as a tag.
        let line = raw.trim();
        if line_no == 1 {
            if line != "#EXTM3U" {
                return Err(Error::new(1, ErrorKind::MissingHeader));
            }
            continue;
        }
        if line.starts_with("#EXT") {
            tags += 1;
            if tags > MAX_HLS_TAGS {
                return Err(Error::new(
                    line_no,
                    ErrorKind::TooMany {
                        what: "tags",
                        max: MAX_HLS_TAGS,
                    },
                ));
            }
            st.tag(line, line_no)
                .map_err(|kind| Error::new(line_no, kind))?;
        } else if line.starts_with('#') {
            // A comment.
        } else if !line.is_empty() {
            st.uri(line, line_no)
                .map_err(|kind| Error::new(line_no, kind))?;
        }
    }
    st.finish(last_line)
}

impl State {
    fn media_tag(&mut self, line: usize) {
        self.media_line.get_or_insert(line);
    }

    fn multivariant_tag(&mut self, line: usize) {
        self.multivariant_line.get_or_insert(line);
    }

    fn tag(&mut self, line: &str, n: usize) -> Result<(), ErrorKind> {
        let (name, value) = match line.split_once(':') {
            Some((a, b)) => (&a[1..], b),
            None => (&line[1..], ""),
        };
        match name {
            "EXT-X-VERSION" => {
                let v = u32::try_from(integer("EXT-X-VERSION", value)?)
                    .map_err(|_| invalid("EXT-X-VERSION", value, "u32"))?;
                self.media.version = Some(v);
                self.multivariant.version = Some(v);
            }
            "EXT-X-INDEPENDENT-SEGMENTS" => {
                self.media.independent_segments = true;
                self.multivariant.independent_segments = true;
            }
            "EXT-X-TARGETDURATION" => {
                self.media_tag(n);
                self.target_duration = Some(integer("EXT-X-TARGETDURATION", value)?);
            }
            "EXT-X-MEDIA-SEQUENCE" => {
                self.media_tag(n);
                self.media.media_sequence = integer("EXT-X-MEDIA-SEQUENCE", value)?;
            }
            "EXT-X-DISCONTINUITY-SEQUENCE" => {
                self.media_tag(n);
                self.media.discontinuity_sequence = integer("EXT-X-DISCONTINUITY-SEQUENCE", value)?;
            }
            "EXT-X-PLAYLIST-TYPE" => {
                self.media_tag(n);
                self.media.playlist_type = Some(match value {
                    "VOD" => PlaylistType::Vod,
                    "EVENT" => PlaylistType::Event,
                    _ => return Err(invalid("EXT-X-PLAYLIST-TYPE", value, "VOD or EVENT")),
                });
            }
            "EXT-X-ENDLIST" => {
                self.media_tag(n);
                self.media.end_list = true;
            }
            "EXTINF" => {
                self.media_tag(n);
                let (d, title) = value.split_once(',').unwrap_or((value, ""));
                let d = Decimal::parse(d)
                    .ok_or_else(|| invalid("EXTINF", d, "decimal-floating-point"))?;
                self.pending.extinf = Some((d, title.to_owned(), n));
            }
            "EXT-X-BYTERANGE" => {
                self.media_tag(n);
                let r = parse_byte_range(value)
                    .ok_or_else(|| invalid("EXT-X-BYTERANGE", value, "n[@o]"))?;
                self.pending.byte_range = Some((r, n));
            }
            "EXT-X-DISCONTINUITY" => {
                self.media_tag(n);
                self.pending.discontinuity = Some(n);
            }
            "EXT-X-PROGRAM-DATE-TIME" => {
                self.media_tag(n);
                let t = XsDateTime::parse(value)
                    .map_err(|_| invalid("EXT-X-PROGRAM-DATE-TIME", value, "date-time"))?;
                self.pending.program_date_time = Some((t, n));
            }
            "EXT-X-MAP" => {
                self.media_tag(n);
                let a = attr::parse("EXT-X-MAP", value)?;
                let map = Map {
                    uri: a.required_string("URI")?.to_owned(),
                    byte_range: a.byte_range("BYTERANGE")?,
                };
                self.pending.map = Some((map, n));
            }
            "EXT-X-PART" => {
                self.media_tag(n);
                let a = attr::parse("EXT-X-PART", value)?;
                self.pending.parts.push(part(&a)?);
            }
            "EXT-X-PART-INF" => {
                self.media_tag(n);
                let a = attr::parse("EXT-X-PART-INF", value)?;
                let t = a.required("PART-TARGET")?;
                self.media.part_target = Some(
                    Decimal::parse(t)
                        .ok_or_else(|| invalid("EXT-X-PART-INF", t, "decimal-floating-point"))?,
                );
            }
            "EXT-X-SERVER-CONTROL" => {
                self.media_tag(n);
                let a = attr::parse("EXT-X-SERVER-CONTROL", value)?;
                self.media.server_control = Some(ServerControl {
                    can_skip_until: a.decimal("CAN-SKIP-UNTIL")?,
                    can_skip_dateranges: a.yes("CAN-SKIP-DATERANGES")?,
                    hold_back: a.decimal("HOLD-BACK")?,
                    part_hold_back: a.decimal("PART-HOLD-BACK")?,
                    can_block_reload: a.yes("CAN-BLOCK-RELOAD")?,
                });
            }
            "EXT-X-SKIP" => {
                self.media_tag(n);
                let a = attr::parse("EXT-X-SKIP", value)?;
                self.media.skip = Some(Skip {
                    skipped_segments: a.integer("SKIPPED-SEGMENTS")?.ok_or(
                        ErrorKind::MissingAttribute {
                            tag: "EXT-X-SKIP",
                            attribute: "SKIPPED-SEGMENTS",
                        },
                    )?,
                    recently_removed_dateranges: a
                        .string("RECENTLY-REMOVED-DATERANGES")?
                        .map(str::to_owned),
                });
            }
            "EXT-X-PRELOAD-HINT" => {
                self.media_tag(n);
                let a = attr::parse("EXT-X-PRELOAD-HINT", value)?;
                let t = a.required("TYPE")?;
                self.media.preload_hints.push(PreloadHint {
                    hint_type: match t {
                        "PART" => PreloadHintType::Part,
                        "MAP" => PreloadHintType::Map,
                        _ => {
                            return Err(ErrorKind::InvalidValue {
                                tag: "EXT-X-PRELOAD-HINT",
                                attribute: Some("TYPE"),
                                value: excerpt(t),
                                expected: "PART or MAP",
                            })
                        }
                    },
                    uri: a.required_string("URI")?.to_owned(),
                    byte_range_start: a.integer("BYTERANGE-START")?,
                    byte_range_length: a.integer("BYTERANGE-LENGTH")?,
                });
            }
            "EXT-X-RENDITION-REPORT" => {
                self.media_tag(n);
                let a = attr::parse("EXT-X-RENDITION-REPORT", value)?;
                self.media.rendition_reports.push(RenditionReport {
                    uri: a.required_string("URI")?.to_owned(),
                    last_msn: a.integer("LAST-MSN")?,
                    last_part: a.integer("LAST-PART")?,
                });
            }
            "EXT-X-MEDIA" => {
                self.multivariant_tag(n);
                let a = attr::parse("EXT-X-MEDIA", value)?;
                self.multivariant.renditions.push(rendition(&a)?);
            }
            "EXT-X-STREAM-INF" => {
                self.multivariant_tag(n);
                if self.pending_variant.is_some() {
                    return Err(ErrorKind::TagWithoutUri {
                        tag: "EXT-X-STREAM-INF",
                    });
                }
                let a = attr::parse("EXT-X-STREAM-INF", value)?;
                self.pending_variant = Some((variant(&a)?, n));
            }
            _ => {
                if MULTIVARIANT_ONLY.contains(&name) {
                    self.multivariant_tag(n);
                } else if MEDIA_ONLY.contains(&name) {
                    self.media_tag(n);
                }
                if self.seen_uri || self.pending.has_segment_tags() {
                    self.pending.unknown_tags.push(line.to_owned());
                } else {
                    self.media.unknown_tags.push(line.to_owned());
                }
                if self.multivariant_line.is_some() || self.media_line.is_none() {
                    // In a multivariant playlist every unknown tag is a header tag.
                    self.multivariant.unknown_tags.push(line.to_owned());
                }
            }
        }
        Ok(())
    }

    fn uri(&mut self, uri: &str, n: usize) -> Result<(), ErrorKind> {
        self.seen_uri = true;
        if let Some((mut v, _)) = self.pending_variant.take() {
            v.uri = uri.to_owned();
            self.multivariant.variants.push(v);
            return Ok(());
        }
        if self.multivariant_line.is_some() {
            return Err(ErrorKind::UriWithoutTag {
                tag: "EXT-X-STREAM-INF",
            });
        }
        self.media_tag(n);
        let p = std::mem::take(&mut self.pending);
        let Some((duration, title, _)) = p.extinf else {
            return Err(ErrorKind::UriWithoutTag { tag: "EXTINF" });
        };
        self.media.segments.push(MediaSegment {
            uri: uri.to_owned(),
            duration,
            title,
            byte_range: p.byte_range.map(|(r, _)| r),
            discontinuity: p.discontinuity.is_some(),
            program_date_time: p.program_date_time.map(|(t, _)| t),
            map: p.map.map(|(m, _)| m),
            parts: p.parts,
            unknown_tags: p.unknown_tags,
        });
        Ok(())
    }

    fn finish(mut self, last_line: usize) -> Result<Playlist, Error> {
        match (self.media_line, self.multivariant_line) {
            (Some(a), Some(b)) => return Err(Error::new(a.max(b), ErrorKind::Mixed)),
            (None, Some(_)) => {
                if let Some((_, n)) = self.pending_variant {
                    return Err(Error::new(
                        n,
                        ErrorKind::TagWithoutUri {
                            tag: "EXT-X-STREAM-INF",
                        },
                    ));
                }
                return Ok(Playlist::Multivariant(self.multivariant));
            }
            _ => {}
        }
        let p = std::mem::take(&mut self.pending);
        let dangling = [
            p.extinf.as_ref().map(|e| (e.2, "EXTINF")),
            p.byte_range.as_ref().map(|e| (e.1, "EXT-X-BYTERANGE")),
            p.discontinuity.map(|l| (l, "EXT-X-DISCONTINUITY")),
            p.program_date_time
                .as_ref()
                .map(|e| (e.1, "EXT-X-PROGRAM-DATE-TIME")),
            p.map.as_ref().map(|e| (e.1, "EXT-X-MAP")),
        ];
        if let Some((line, tag)) = dangling.into_iter().flatten().min() {
            return Err(Error::new(line, ErrorKind::TagWithoutUri { tag }));
        }
        self.media.trailing_parts = p.parts;
        self.media.trailing_tags = p.unknown_tags;
        self.media.target_duration = self.target_duration.ok_or(Error::new(
            last_line,
            ErrorKind::MissingTag {
                tag: "EXT-X-TARGETDURATION",
            },
        ))?;
        Ok(Playlist::Media(self.media))
    }
}

fn part(a: &Attrs<'_>) -> Result<PartialSegment, ErrorKind> {
    let d = a.required("DURATION")?;
    Ok(PartialSegment {
        uri: a.required_string("URI")?.to_owned(),
        duration: Decimal::parse(d).ok_or_else(|| ErrorKind::InvalidValue {
            tag: "EXT-X-PART",
            attribute: Some("DURATION"),
            value: excerpt(d),
            expected: "decimal-floating-point",
        })?,
        independent: a.yes("INDEPENDENT")?,
        byte_range: a.byte_range("BYTERANGE")?,
        gap: a.yes("GAP")?,
    })
}

const RENDITION_KNOWN: &[&str] = &[
    "TYPE",
    "URI",
    "GROUP-ID",
    "LANGUAGE",
    "NAME",
    "DEFAULT",
    "AUTOSELECT",
    "FORCED",
    "CHANNELS",
];

fn rendition(a: &Attrs<'_>) -> Result<Rendition, ErrorKind> {
    let t = a.required("TYPE")?;
    Ok(Rendition {
        media_type: MediaType::from_attr(t).ok_or_else(|| ErrorKind::InvalidValue {
            tag: "EXT-X-MEDIA",
            attribute: Some("TYPE"),
            value: excerpt(t),
            expected: "AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS",
        })?,
        uri: a.string("URI")?.map(str::to_owned),
        group_id: a.required_string("GROUP-ID")?.to_owned(),
        language: a.string("LANGUAGE")?.map(str::to_owned),
        name: a.required_string("NAME")?.to_owned(),
        default: a.yes("DEFAULT")?,
        autoselect: a.yes("AUTOSELECT")?,
        forced: a.yes("FORCED")?,
        channels: a.string("CHANNELS")?.map(str::to_owned),
        other: a.others(RENDITION_KNOWN),
    })
}

const VARIANT_KNOWN: &[&str] = &[
    "BANDWIDTH",
    "AVERAGE-BANDWIDTH",
    "CODECS",
    "RESOLUTION",
    "FRAME-RATE",
    "AUDIO",
    "SUBTITLES",
];

fn variant(a: &Attrs<'_>) -> Result<Variant, ErrorKind> {
    Ok(Variant {
        uri: String::new(),
        bandwidth: a.integer("BANDWIDTH")?.ok_or(ErrorKind::MissingAttribute {
            tag: "EXT-X-STREAM-INF",
            attribute: "BANDWIDTH",
        })?,
        average_bandwidth: a.integer("AVERAGE-BANDWIDTH")?,
        codecs: a.string("CODECS")?.map(str::to_owned),
        resolution: a.resolution("RESOLUTION")?,
        frame_rate: a.decimal("FRAME-RATE")?,
        audio: a.string("AUDIO")?.map(str::to_owned),
        subtitles: a.string("SUBTITLES")?.map(str::to_owned),
        other: a.others(VARIANT_KNOWN),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(text: &str) -> MediaPlaylist {
        match parse(text) {
            Ok(Playlist::Media(p)) => p,
            other => panic!("not a media playlist: {other:?}"),
        }
    }

    fn err(text: &str) -> Error {
        match parse(text) {
            Err(e) => e,
            Ok(p) => panic!("parsed: {p:?}"),
        }
    }

    #[test]
    fn errors_carry_their_line() {
        let e = err("#EXTM3U\n#EXT-X-TARGETDURATION:2\n\n#EXT-X-BYTERANGE:x\n");
        assert_eq!(e.line, 4);
        assert_eq!(err("#EXTM3\n").kind, ErrorKind::MissingHeader);
        let e = err("#EXTM3U\n#EXT-X-TARGETDURATION:2\na.m4s\n");
        assert_eq!(
            (e.line, e.kind),
            (3, ErrorKind::UriWithoutTag { tag: "EXTINF" })
        );
        let e = err("#EXTM3U\n#EXTINF:2,\na.m4s\n");
        assert!(matches!(e.kind, ErrorKind::MissingTag { .. }), "{e}");
        let e = err("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n");
        assert_eq!((e.line, e.kind), (3, ErrorKind::Mixed));
        let e = err("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n");
        assert_eq!(
            (e.line, e.kind),
            (3, ErrorKind::TagWithoutUri { tag: "EXTINF" })
        );
        let e = err("#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"a\"\nv.m3u8\n");
        assert_eq!(
            e.kind,
            ErrorKind::MissingAttribute {
                tag: "EXT-X-STREAM-INF",
                attribute: "BANDWIDTH"
            }
        );
        let e = err("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=init.mp4\n");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn limits_are_errors_not_work() {
        let big = "#EXTM3U\n".to_owned() + &"#\n".repeat(MAX_HLS_PLAYLIST_BYTES / 2);
        assert!(matches!(err(&big).kind, ErrorKind::TooLarge { .. }));
        let lines = "#EXTM3U\n".to_owned() + &"\n".repeat(MAX_HLS_LINES);
        assert!(matches!(
            err(&lines).kind,
            ErrorKind::TooMany { what: "lines", .. }
        ));
        let tags = "#EXTM3U\n".to_owned() + &"#EXT\n".repeat(MAX_HLS_TAGS + 1);
        assert!(matches!(
            err(&tags).kind,
            ErrorKind::TooMany { what: "tags", .. }
        ));
    }

    #[test]
    fn unknown_tags_stay_where_they_were() {
        let p = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-FOO:1\n#EXTINF:2,\n#EXT-X-BAR\na.m4s\n\
             #EXT-X-BAZ:\"q\"\n#EXTINF:2,t\nb.m4s\n#EXT-X-END-THING\n",
        );
        assert_eq!(p.unknown_tags, ["#EXT-X-FOO:1"]);
        assert_eq!(p.segments[0].unknown_tags, ["#EXT-X-BAR"]);
        assert_eq!(p.segments[1].unknown_tags, ["#EXT-X-BAZ:\"q\""]);
        assert_eq!(p.segments[1].title, "t");
        assert_eq!(p.trailing_tags, ["#EXT-X-END-THING"]);
    }

    #[test]
    fn crlf_bom_comments_and_blank_lines() {
        let p = media("\u{feff}#EXTM3U\r\n# a comment\r\n\r\n#EXT-X-TARGETDURATION:4\r\n#EXTINF:3.5,\r\na.m4s\r\n");
        assert_eq!(p.target_duration, 4);
        assert_eq!(p.segments[0].uri, "a.m4s");
        assert_eq!(p.segments[0].duration, Decimal::from_ticks(7, 2).unwrap());
    }

    #[test]
    fn low_latency_tags() {
        let p = media(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n\
             #EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:7\n\
             #EXT-X-PART:DURATION=0.5,URI=\"s7.m4s\",BYTERANGE=\"100@0\",INDEPENDENT=YES\n\
             #EXTINF:0.5,\ns7.m4s\n#EXT-X-PART:DURATION=0.5,URI=\"s8.m4s\",BYTERANGE=\"90@0\"\n\
             #EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s8.m4s\",BYTERANGE-START=90\n\
             #EXT-X-RENDITION-REPORT:URI=\"a.m3u8\",LAST-MSN=7,LAST-PART=1\n",
        );
        assert_eq!(p.media_sequence, 7);
        let sc = p.server_control.clone().unwrap_or_default();
        assert!(sc.can_block_reload);
        assert_eq!(sc.part_hold_back, Decimal::parse("1.5"));
        assert_eq!(p.part_target, Decimal::parse("0.5"));
        assert!(p.segments[0].parts[0].independent);
        assert_eq!(p.trailing_parts.len(), 1);
        assert_eq!(p.preload_hints[0].byte_range_start, Some(90));
        assert_eq!(p.rendition_reports[0].last_part, Some(1));
    }

    /// Found by the hls_parse fuzz target: an EXTINF too large for 9 fractional digits in 64
    /// bits was written without its fraction, so the round trip changed it.
    #[test]
    fn issue_16_huge_extinf_keeps_its_fraction() {
        let text = include_str!("../../../fixtures/regress/issue-16-hls_parse-huge-extinf.m3u8");
        let p = media(text);
        assert_eq!(
            p.segments[1].duration,
            Decimal::from_ticks(6_203_733_332_037_333_333, 100).unwrap()
        );
        let out = super::super::write_media(&p);
        assert!(out.contains("#EXTINF:62037333320373333.33,\n"), "{out}");
        assert_eq!(parse(&out), Ok(Playlist::Media(p)));
    }

    /// Found by the hls_parse fuzz target: a URI line indented before a `#` was read as a URI
    /// starting with `#`, which the writer then wrote as a tag.
    #[test]
    fn issue_16_indented_hash_line_is_not_a_uri() {
        let p = media(include_str!(
            "../../../fixtures/regress/issue-16-hls_parse-indented-hash.m3u8"
        ));
        assert_eq!(p.segments[0].uri, "a.m4s");
        assert_eq!(p.segments[0].unknown_tags, ["#EXT-X-FOO"]);
        let p = media("#EXTM3U\n#EXT-X-TARGETDURATION:2 \n#EXTINF:2,t \r\n  a.m4s \n");
        assert_eq!(
            (p.segments[0].uri.as_str(), p.segments[0].title.as_str()),
            ("a.m4s", "t")
        );
    }

    #[test]
    fn multivariant() {
        let text = "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n\
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"en\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"a.m3u8\"\n\
            #EXT-X-STREAM-INF:BANDWIDTH=200000,AVERAGE-BANDWIDTH=150000,CODECS=\"avc1.4d400c,mp4a.40.2\",RESOLUTION=320x180,FRAME-RATE=25.000,AUDIO=\"aud\",CLOSED-CAPTIONS=NONE\n\
            v.m3u8\n";
        let Ok(Playlist::Multivariant(m)) = parse(text) else {
            panic!("multivariant expected")
        };
        assert!(m.independent_segments);
        assert_eq!(m.renditions[0].channels.as_deref(), Some("2"));
        let v = &m.variants[0];
        assert_eq!((v.bandwidth, v.average_bandwidth), (200_000, Some(150_000)));
        assert_eq!(v.resolution, Some((320, 180)));
        assert_eq!(v.frame_rate, Some(Decimal::from_int(25)));
        assert_eq!(v.other, [("CLOSED-CAPTIONS".to_owned(), "NONE".to_owned())]);
        assert_eq!(v.uri, "v.m3u8");
    }
}
