//! Recognising what a file is from its first bytes, so that input which is not ISO-BMFF is
//! named ("a WebM file") instead of failing as a malformed box ("box size … runs past the
//! end"). Looks at a bounded prefix only; never fails.
//!
//! ```
//! use dashkit::sniff::{sniff, Container};
//! assert_eq!(sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F]), Some(Container::Matroska));
//! assert_eq!(sniff(b"\0\0\0\x18ftypiso6"), Some(Container::IsoBmff));
//! assert_eq!(sniff(b"hello"), None);
//! ```

/// A container or file kind recognised by its signature.
///
/// ```
/// use dashkit::sniff::{sniff, Container};
/// let init = include_bytes!("../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// assert_eq!(sniff(init), Some(Container::IsoBmff));
/// let mpd = include_bytes!("../../fixtures/dash/ffmpeg_number/manifest.mpd");
/// assert_eq!(sniff(mpd), Some(Container::Xml));
/// assert_eq!(sniff(b"#EXTM3U\n#EXT-X-VERSION:7\n"), Some(Container::HlsPlaylist));
/// assert_eq!(sniff(b"fLaC\0\0\0\x22"), Some(Container::Flac));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Container {
    /// ISO-BMFF (MP4, fMP4, CMAF): a known top-level box type in the first header.
    IsoBmff,
    /// WebM (an EBML header whose DocType is `webm`).
    WebM,
    /// Matroska (an EBML header, `1A 45 DF A3`, RFC 8794 §8), DocType not `webm` or not found.
    Matroska,
    /// MPEG-2 transport stream: sync byte `0x47` every 188 bytes (ISO/IEC 13818-1 §2.4.3.2).
    MpegTs,
    /// Raw AAC in ADTS frames: 12-bit syncword `0xFFF`, layer `00` (ISO/IEC 13818-7 §6.2).
    Adts,
    /// MP3: an ID3v2 tag, or an MPEG audio frame sync with layer III.
    Mp3,
    /// FLAC (`fLaC`).
    Flac,
    /// Ogg (`OggS`).
    Ogg,
    /// RIFF (WAV, AVI).
    Riff,
    /// An XML document (an MPD, a TTML file...).
    Xml,
    /// An HLS playlist (`#EXTM3U`).
    HlsPlaylist,
}

impl Container {
    /// A short human name: `WebM`, `MPEG-TS`, ...
    ///
    /// ```
    /// assert_eq!(dashkit::sniff::Container::MpegTs.name(), "MPEG-2 transport stream");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Container::IsoBmff => "ISO-BMFF (MP4)",
            Container::WebM => "WebM",
            Container::Matroska => "Matroska",
            Container::MpegTs => "MPEG-2 transport stream",
            Container::Adts => "raw AAC (ADTS)",
            Container::Mp3 => "MP3",
            Container::Flac => "FLAC",
            Container::Ogg => "Ogg",
            Container::Riff => "RIFF (WAV/AVI)",
            Container::Xml => "XML",
            Container::HlsPlaylist => "HLS playlist",
        }
    }
}

/// Bytes of the EBML header searched for the `webm` DocType.
const EBML_HEADER_SCAN_BYTES: usize = 64;

/// Top-level box types that start an ISO-BMFF file in practice (ISO/IEC 14496-12 §4.2).
const TOP_LEVEL_BOXES: [&[u8; 4]; 12] = [
    b"ftyp", b"styp", b"moov", b"moof", b"mdat", b"free", b"skip", b"sidx", b"emsg", b"prft",
    b"wide", b"uuid",
];

/// What `bytes` is, from its signature; `None` when nothing is recognised.
///
/// ```
/// use dashkit::sniff::{sniff, Container};
/// let mut ts = vec![0u8; 376];
/// ts[0] = 0x47;
/// ts[188] = 0x47;
/// assert_eq!(sniff(&ts), Some(Container::MpegTs));
/// assert_eq!(sniff(&[0xFF, 0xF1, 0x50, 0x80]), Some(Container::Adts));
/// ```
pub fn sniff(bytes: &[u8]) -> Option<Container> {
    if let Some(kind) = bytes.get(4..8) {
        if TOP_LEVEL_BOXES.iter().any(|b| b.as_slice() == kind) {
            return Some(Container::IsoBmff);
        }
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        let head = &bytes[..bytes.len().min(EBML_HEADER_SCAN_BYTES)];
        // DocType element 0x4282, then a one-byte size 0x84 and "webm".
        let webm = head
            .windows(7)
            .any(|w| w == [0x42, 0x82, 0x84, b'w', b'e', b'b', b'm']);
        return Some(if webm {
            Container::WebM
        } else {
            Container::Matroska
        });
    }
    if bytes.first() == Some(&0x47) && (bytes.len() < 189 || bytes[188] == 0x47) {
        return Some(Container::MpegTs);
    }
    if bytes.starts_with(b"fLaC") {
        return Some(Container::Flac);
    }
    if bytes.starts_with(b"OggS") {
        return Some(Container::Ogg);
    }
    if bytes.starts_with(b"RIFF") {
        return Some(Container::Riff);
    }
    if bytes.starts_with(b"ID3") {
        return Some(Container::Mp3);
    }
    if bytes.starts_with(b"#EXTM3U") {
        return Some(Container::HlsPlaylist);
    }
    if let [a, b, ..] = bytes {
        if *a == 0xFF && b & 0xF0 == 0xF0 && b & 0x06 == 0 {
            return Some(Container::Adts);
        }
        // MPEG audio frame sync (11 bits), layer III (`01`).
        if *a == 0xFF && b & 0xE0 == 0xE0 && b & 0x06 == 0x02 {
            return Some(Container::Mp3);
        }
    }
    let text = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .unwrap_or(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if text == Some(&b'<') {
        return Some(Container::Xml);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_signature() {
        // ffmpeg's WebM header: EBML, version fields, then DocType "webm".
        let webm = [
            0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42,
            0xF2, 0x81, 0x04, 0x42, 0xF3, 0x81, 0x08, 0x42, 0x82, 0x84, b'w', b'e', b'b', b'm',
        ];
        assert_eq!(sniff(&webm), Some(Container::WebM));
        assert_eq!(sniff(&webm[..8]), Some(Container::Matroska));
        assert_eq!(sniff(b"fLaC\0\0"), Some(Container::Flac));
        assert_eq!(sniff(b"OggS\0"), Some(Container::Ogg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), Some(Container::Riff));
        assert_eq!(sniff(b"ID3\x04"), Some(Container::Mp3));
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x00]), Some(Container::Mp3));
        assert_eq!(sniff(b"#EXTM3U\n"), Some(Container::HlsPlaylist));
        assert_eq!(sniff(b"\xEF\xBB\xBF  <MPD/>"), Some(Container::Xml));
        assert_eq!(sniff(b"\0\0\0\x08moof"), Some(Container::IsoBmff));
        let mut not_ts = vec![0u8; 376];
        not_ts[0] = 0x47;
        assert_eq!(sniff(&not_ts), None);
        assert_eq!(sniff(&[]), None);
    }
}
