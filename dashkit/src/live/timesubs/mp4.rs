//! The ISO-BMFF files of generated subtitles (ISO/IEC 14496-30): an init segment with one
//! track at timescale 1000 (`stpp`: handler `subt`, `sthd`, XMLSubtitleSampleEntry for the
//! TTML namespace; `wvtt`: handler `text`, `nmhd`, WVTTSampleEntry with a `vttC` of `WEBVTT`),
//! and media segments of one fragment (styp, moof with mfhd/tfhd/tfdt/trun, mdat).

use crate::bmff::boxes::{Mfhd, Tfdt, Tfhd, Trex, Trun, TrunEntry};
use crate::fragment::write::{self, BoxWriter};

use super::super::Error;
use super::Kind;

/// The subtitle track's timescale (ms), as livesim2's.
pub const TIMESCALE: u32 = 1000;

/// [`TIMESCALE`] as a [`crate::timeline::Timescale`].
pub(crate) fn timescale() -> crate::timeline::Timescale {
    crate::timeline::Timescale::new(TIMESCALE).unwrap_or(crate::timeline::Timescale::ONE)
}
/// Its track id.
const TRACK_ID: u32 = 1;
/// `sample_depends_on = 2` (a sync sample), as every subtitle sample is.
const SYNC_SAMPLE_FLAGS: u32 = 0x0200_0000;
/// tfhd `default-base-is-moof`.
const DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;

fn err(_: crate::fragment::Error) -> Error {
    Error::Overflow
}

/// `lang` packed as mdhd's ISO-639-2/T code when it is three lower-case letters, else `und`
/// (an `elng` box then carries the BCP 47 tag, as mp4ff does).
fn mdhd_language(lang: &str) -> Option<u16> {
    let b = lang.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    Some(
        b.iter()
            .fold(0u16, |acc, &c| (acc << 5) | u16::from(c - 0x60)),
    )
}

/// The init segment of a generated subtitle track of `kind` in `lang`.
pub fn init_segment(kind: Kind, lang: &str) -> Result<Vec<u8>, Error> {
    let mut w = BoxWriter::default();
    write::brands(&mut w, b"ftyp", *b"iso6", &[*b"iso6", *b"cmfc", *b"dash"]).map_err(err)?;
    let moov = w.open(b"moov");
    // mvhd v0: times 0, timescale, duration 0, rate 1.0, volume 1.0, matrix, next track 2.
    let mvhd = w.open_full(b"mvhd", 0, 0);
    w.bytes(&[0; 8]);
    w.u32(TIMESCALE);
    w.u32(0);
    w.u32(0x0001_0000);
    w.bytes(&[0x01, 0x00, 0, 0]);
    w.bytes(&[0; 8]);
    matrix(&mut w);
    w.bytes(&[0; 24]);
    w.u32(TRACK_ID + 1);
    w.close(mvhd).map_err(err)?;
    let trak = w.open(b"trak");
    // tkhd v0, enabled + in movie: times 0, track id, duration 0, layer/group/volume 0.
    let tkhd = w.open_full(b"tkhd", 0, 3);
    w.bytes(&[0; 8]);
    w.u32(TRACK_ID);
    w.bytes(&[0; 4]);
    w.u32(0);
    w.bytes(&[0; 8]);
    w.bytes(&[0; 8]);
    matrix(&mut w);
    w.u32(0);
    w.u32(0);
    w.close(tkhd).map_err(err)?;
    let mdia = w.open(b"mdia");
    let mdhd = w.open_full(b"mdhd", 0, 0);
    w.bytes(&[0; 8]);
    w.u32(TIMESCALE);
    w.u32(0);
    let code = mdhd_language(lang);
    // "und" packed.
    let packed = code.unwrap_or((21 << 10) | (14 << 5) | 4);
    w.bytes(&packed.to_be_bytes());
    w.bytes(&[0, 0]);
    w.close(mdhd).map_err(err)?;
    if code.is_none() {
        let elng = w.open_full(b"elng", 0, 0);
        w.bytes(lang.as_bytes());
        w.bytes(&[0]);
        w.close(elng).map_err(err)?;
    }
    let (handler, name) = match kind {
        Kind::Stpp => (b"subt", "dashkit time subtitles (TTML)"),
        Kind::Wvtt => (b"text", "dashkit time subtitles (WebVTT)"),
    };
    let hdlr = w.open_full(b"hdlr", 0, 0);
    w.u32(0);
    w.bytes(handler);
    w.bytes(&[0; 12]);
    w.bytes(name.as_bytes());
    w.bytes(&[0]);
    w.close(hdlr).map_err(err)?;
    let minf = w.open(b"minf");
    let mh = match kind {
        Kind::Stpp => w.open_full(b"sthd", 0, 0),
        Kind::Wvtt => w.open_full(b"nmhd", 0, 0),
    };
    w.close(mh).map_err(err)?;
    let dinf = w.open(b"dinf");
    let dref = w.open_full(b"dref", 0, 0);
    w.u32(1);
    let url = w.open_full(b"url ", 0, 1);
    w.close(url).map_err(err)?;
    w.close(dref).map_err(err)?;
    w.close(dinf).map_err(err)?;
    let stbl = w.open(b"stbl");
    let stsd = w.open_full(b"stsd", 0, 0);
    w.u32(1);
    match kind {
        Kind::Stpp => {
            let e = w.open(b"stpp");
            w.bytes(&[0, 0, 0, 0, 0, 0, 0, 1]);
            // namespace, schema_location (none), auxiliary_mime_types (none).
            w.bytes(b"http://www.w3.org/ns/ttml\0\0\0");
            w.close(e).map_err(err)?;
        }
        Kind::Wvtt => {
            let e = w.open(b"wvtt");
            w.bytes(&[0, 0, 0, 0, 0, 0, 0, 1]);
            let c = w.open(b"vttC");
            w.bytes(b"WEBVTT");
            w.close(c).map_err(err)?;
            w.close(e).map_err(err)?;
        }
    }
    w.close(stsd).map_err(err)?;
    write::empty_sample_tables(&mut w).map_err(err)?;
    w.close(stbl).map_err(err)?;
    w.close(minf).map_err(err)?;
    w.close(mdia).map_err(err)?;
    w.close(trak).map_err(err)?;
    let mvex = w.open(b"mvex");
    let trex = Trex {
        track_id: TRACK_ID,
        default_sample_description_index: 1,
        ..Trex::default()
    };
    w.put(|out| trex.encode_into(out)).map_err(err)?;
    w.close(mvex).map_err(err)?;
    w.close(moov).map_err(err)?;
    Ok(w.into_bytes())
}

/// The unity matrix of mvhd and tkhd.
fn matrix(w: &mut BoxWriter) {
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        w.u32(v);
    }
}

/// One sample of a media segment: its duration (ms) and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sample {
    /// Duration in ms.
    pub duration: u32,
    /// The sample's bytes (a TTML document, or `vttc`/`vtte` boxes).
    pub data: Vec<u8>,
}

/// A media segment: styp (with `lmsg` when `last`), one moof (sequence `number` mod 2^32,
/// tfdt `decode_time_ms`) with one trun of `samples`, and the mdat.
pub(crate) fn media_segment(
    number: u64,
    decode_time_ms: u64,
    samples: &[Sample],
    last: bool,
) -> Result<Vec<u8>, Error> {
    let mut w = BoxWriter::default();
    let mut brands = vec![*b"msdh", *b"msix"];
    if last {
        brands.push(*b"lmsg");
    }
    write::brands(&mut w, b"styp", *b"msdh", &brands).map_err(err)?;
    let moof_at = w.len();
    let moof = w.open(b"moof");
    // livesim2 writes the segment number as the sequence number; it is 32 bits.
    let sequence_number = (number & 0xFFFF_FFFF) as u32;
    w.put(|out| Mfhd { sequence_number }.encode_into(out))
        .map_err(err)?;
    let traf = w.open(b"traf");
    let tfhd = Tfhd {
        flags: DEFAULT_BASE_IS_MOOF,
        track_id: TRACK_ID,
        base_data_offset: None,
        sample_description_index: None,
        default_sample_duration: None,
        default_sample_size: None,
        default_sample_flags: Some(SYNC_SAMPLE_FLAGS),
    };
    w.put(|out| tfhd.encode_into(out)).map_err(err)?;
    w.put(|out| Tfdt::new(decode_time_ms).encode_into(out))
        .map_err(err)?;
    let entries = samples
        .iter()
        .map(|s| {
            Ok(TrunEntry {
                duration: Some(s.duration),
                size: Some(u32::try_from(s.data.len()).map_err(|_| Error::Overflow)?),
                ..TrunEntry::default()
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let mut trun = Trun {
        version: 0,
        flags: 0x300,
        data_offset: Some(0),
        first_sample_flags: None,
        entries,
    };
    // The data offset counts from the moof's first byte to the mdat payload: moof so far,
    // the trun, the closing of traf and moof (no more bytes), and the mdat header.
    let payload: usize = samples.iter().map(|s| s.data.len()).sum();
    let payload = u64::try_from(payload).map_err(|_| Error::Overflow)?;
    let header = usize::try_from(write::mdat_header_len(payload)).map_err(|_| Error::Overflow)?;
    let offset = w.len() - moof_at + trun.encoded_len() + header;
    trun.data_offset = Some(i32::try_from(offset).map_err(|_| Error::Overflow)?);
    w.put(|out| trun.encode_into(out)).map_err(err)?;
    w.close(traf).map_err(err)?;
    w.close(moof).map_err(err)?;
    let mut out = w.into_bytes();
    write::mdat_header(&mut out, payload).map_err(err)?;
    for s in samples {
        out.extend_from_slice(&s.data);
    }
    Ok(out)
}

/// A WebVTT cue sample: a `vttc` with, for `timesubsreg_1`, `sttg` settings `line:2`, and a
/// `payl` of `text`.
pub fn vttc(text: &str, region: u8) -> Vec<u8> {
    let mut w = BoxWriter::default();
    let vttc = w.open(b"vttc");
    if region == 1 {
        let s = w.open(b"sttg");
        w.bytes(b"line:2");
        let _ = w.close(s);
    }
    let p = w.open(b"payl");
    w.bytes(text.as_bytes());
    let _ = w.close(p);
    let _ = w.close(vttc);
    w.into_bytes()
}

/// An empty WebVTT sample (`vtte`): the gaps between cues.
pub const VTTE: [u8; 8] = [0, 0, 0, 8, b'v', b't', b't', b'e'];
