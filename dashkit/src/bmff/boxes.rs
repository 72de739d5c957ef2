//! Decoders (and encoders where dashkit writes the box) for the boxes dashkit reads itself.
//! Each `parse` takes the whole box (header included) and its absolute offset; errors carry
//! the offset of the failing field and the box type as path (callers that know the full path
//! replace it with [`Error::in_path`]).
//!
//! Layouts: ISO/IEC 14496-12 (§8.8 movie fragments, §8.6 time-to-sample tables, §8.7 sample
//! tables) and ISO/IEC 23009-1 §5.10.3.3 (emsg).

use super::header::BoxHeader;
use super::reader::Reader;
use super::{Error, ErrorKind, FourCc};

/// Reads a box header (through [`BoxHeader::parse`]) and checks its type; returns (header
/// length, box size). The box size must equal the bytes given.
pub(crate) fn box_header(r: &mut Reader<'_>, kind: &[u8; 4]) -> Result<(usize, u64), Error> {
    let start = r.offset();
    let total = r.remaining() as u64;
    let path = || FourCc(*kind).to_string();
    let h = BoxHeader::parse(r.peek(), start).map_err(|e| Error::from(e).in_path(path()))?;
    if h.kind.0 != *kind {
        return Err(Error::new(
            start + 4,
            path(),
            ErrorKind::BadField {
                field: "box type",
                value: u64::from(u32::from_be_bytes(h.kind.0)),
            },
        ));
    }
    let size = h
        .size_within(total, start)
        .map_err(|e| Error::from(e).in_path(path()))?;
    if size != total {
        return Err(Error::new(
            start,
            path(),
            ErrorKind::BadField {
                field: "box size",
                value: size,
            },
        ));
    }
    r.skip(h.header_len)?;
    Ok((h.header_len, size))
}

/// Reads header, version and flags of a FullBox.
fn full_box<'a>(
    data: &'a [u8],
    offset: u64,
    kind: &'static [u8; 4],
    path: &'a str,
    max_version: u8,
) -> Result<(Reader<'a>, u8, u32), Error> {
    let mut r = Reader::new(data, offset, path);
    box_header(&mut r, kind)?;
    let at = r.offset();
    let version = r.u8()?;
    let flags = r.u24()?;
    if version > max_version {
        return Err(Error::new(
            at,
            path,
            ErrorKind::BadField {
                field: "version",
                value: u64::from(version),
            },
        ));
    }
    Ok((r, version, flags))
}

macro_rules! path {
    ($k:literal) => {
        match std::str::from_utf8($k) {
            Ok(s) => s,
            Err(_) => "?",
        }
    };
}

/// `mfhd` (§8.8.5): the fragment's sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mfhd {
    /// `sequence_number` (1-based in practice).
    pub sequence_number: u32,
}

impl Mfhd {
    /// Decodes a whole `mfhd` box.
    ///
    /// ```
    /// use dashkit::bmff::boxes::Mfhd;
    /// let b = [0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 0, 0, 0, 9];
    /// assert_eq!(Mfhd::parse(&b, 0).unwrap().sequence_number, 9);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"mfhd", path!(b"mfhd"), 0)?;
        Ok(Mfhd {
            sequence_number: r.u32()?,
        })
    }
}

/// `tfhd` flag: base_data_offset present.
pub const TFHD_BASE_DATA_OFFSET: u32 = 0x000001;
/// `tfhd` flag: sample_description_index present.
pub const TFHD_SAMPLE_DESCRIPTION_INDEX: u32 = 0x000002;
/// `tfhd` flag: default_sample_duration present.
pub const TFHD_DEFAULT_DURATION: u32 = 0x000008;
/// `tfhd` flag: default_sample_size present.
pub const TFHD_DEFAULT_SIZE: u32 = 0x000010;
/// `tfhd` flag: default_sample_flags present.
pub const TFHD_DEFAULT_FLAGS: u32 = 0x000020;
/// `tfhd` flag: duration-is-empty.
pub const TFHD_DURATION_IS_EMPTY: u32 = 0x010000;
/// `tfhd` flag: default-base-is-moof.
pub const TFHD_DEFAULT_BASE_IS_MOOF: u32 = 0x020000;

/// `tfhd` (§8.8.7): track fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tfhd {
    /// tf_flags.
    pub flags: u32,
    /// `track_ID`.
    pub track_id: u32,
    /// `base_data_offset` (absolute file offset), flag 0x000001.
    pub base_data_offset: Option<u64>,
    /// `sample_description_index`, flag 0x000002.
    pub sample_description_index: Option<u32>,
    /// `default_sample_duration`, flag 0x000008.
    pub default_sample_duration: Option<u32>,
    /// `default_sample_size`, flag 0x000010.
    pub default_sample_size: Option<u32>,
    /// `default_sample_flags`, flag 0x000020.
    pub default_sample_flags: Option<u32>,
}

impl Tfhd {
    /// Decodes a whole `tfhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, flags) = full_box(data, offset, b"tfhd", path!(b"tfhd"), 0)?;
        let track_id = r.u32()?;
        let base_data_offset = opt(flags & TFHD_BASE_DATA_OFFSET != 0, || r.u64())?;
        let sample_description_index = opt(flags & TFHD_SAMPLE_DESCRIPTION_INDEX != 0, || r.u32())?;
        let default_sample_duration = opt(flags & TFHD_DEFAULT_DURATION != 0, || r.u32())?;
        let default_sample_size = opt(flags & TFHD_DEFAULT_SIZE != 0, || r.u32())?;
        let default_sample_flags = opt(flags & TFHD_DEFAULT_FLAGS != 0, || r.u32())?;
        Ok(Tfhd {
            flags,
            track_id,
            base_data_offset,
            sample_description_index,
            default_sample_duration,
            default_sample_size,
            default_sample_flags,
        })
    }

    /// True when the data base is the moof start (default-base-is-moof and no explicit base).
    pub fn base_is_moof(&self) -> bool {
        self.base_data_offset.is_none() && self.flags & TFHD_DEFAULT_BASE_IS_MOOF != 0
    }

    /// Where the data of this track fragment is counted from (§8.8.7.1), for the traf at
    /// position `traf_index` among its moof's trafs: `base_data_offset` when present, else
    /// the moof's first byte when default-base-is-moof is set or this is the moof's first
    /// traf, else the end of the previous traf's data.
    ///
    /// ```
    /// use dashkit::bmff::boxes::{DataBase, Tfhd};
    /// let tfhd = Tfhd { flags: 0, track_id: 1, base_data_offset: None,
    ///     sample_description_index: None, default_sample_duration: None,
    ///     default_sample_size: None, default_sample_flags: None };
    /// assert_eq!(tfhd.data_base(0), DataBase::Moof);
    /// assert_eq!(tfhd.data_base(1), DataBase::AfterPrevious);
    /// assert_eq!(DataBase::AfterPrevious.offset(100, Some(180)), 180);
    /// ```
    pub fn data_base(&self, traf_index: usize) -> DataBase {
        match self.base_data_offset {
            Some(b) => DataBase::Explicit(b),
            None if self.flags & TFHD_DEFAULT_BASE_IS_MOOF != 0 || traf_index == 0 => {
                DataBase::Moof
            }
            None => DataBase::AfterPrevious,
        }
    }
}

/// The base a traf's trun `data_offset` values count from (§8.8.7.1); see [`Tfhd::data_base`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataBase {
    /// `base_data_offset`: an absolute offset.
    Explicit(u64),
    /// The first byte of the enclosing moof.
    Moof,
    /// The end of the previous traf's data (a later traf without base flags).
    AfterPrevious,
}

impl DataBase {
    /// The absolute base, given the moof's offset and where the previous traf's data ended
    /// (the moof's offset when unknown).
    pub fn offset(self, moof_offset: u64, previous_end: Option<u64>) -> u64 {
        match self {
            DataBase::Explicit(b) => b,
            DataBase::Moof => moof_offset,
            DataBase::AfterPrevious => previous_end.unwrap_or(moof_offset),
        }
    }
}

/// Where a run's first sample starts: the data base plus the trun's signed `data_offset`;
/// `None` below 0 or past 2^64.
pub fn run_start(base: u64, data_offset: i32) -> Option<u64> {
    u64::try_from(i128::from(base) + i128::from(data_offset)).ok()
}

/// The defaulting chain of one sample field (§8.8.8, §8.8.7, §8.8.3): the trun record's own
/// value, else the tfhd default, else the trex default.
pub fn defaulted(record: Option<u32>, tfhd: Option<u32>, trex: Option<u32>) -> Option<u32> {
    record.or(tfhd).or(trex)
}

fn opt<T>(present: bool, f: impl FnOnce() -> Result<T, Error>) -> Result<Option<T>, Error> {
    if present {
        f().map(Some)
    } else {
        Ok(None)
    }
}

/// `tfdt` (§8.8.12): decode time of the first sample of the track fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tfdt {
    /// 0 (32-bit) or 1 (64-bit).
    pub version: u8,
    /// `baseMediaDecodeTime`, in the track's mdhd timescale.
    pub base_media_decode_time: u64,
}

impl Tfdt {
    /// Decodes a whole `tfdt` box.
    ///
    /// ```
    /// use dashkit::bmff::boxes::Tfdt;
    /// let b = [0, 0, 0, 16, b't', b'f', b'd', b't', 0, 0, 0, 0, 0, 1, 0, 0];
    /// assert_eq!(Tfdt::parse(&b, 0).unwrap().base_media_decode_time, 65536);
    /// ```
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"tfdt", path!(b"tfdt"), 1)?;
        Ok(Tfdt {
            version,
            base_media_decode_time: r.u32_or_u64(version == 1)?,
        })
    }
}

/// `trun` flag: data_offset present.
pub const TRUN_DATA_OFFSET: u32 = 0x001;
/// `trun` flag: first_sample_flags present.
pub const TRUN_FIRST_SAMPLE_FLAGS: u32 = 0x004;
/// `trun` flag: per-sample duration.
pub const TRUN_DURATION: u32 = 0x100;
/// `trun` flag: per-sample size.
pub const TRUN_SIZE: u32 = 0x200;
/// `trun` flag: per-sample flags.
pub const TRUN_FLAGS: u32 = 0x400;
/// `trun` flag: per-sample composition time offset.
pub const TRUN_CTO: u32 = 0x800;

/// One `trun` record; absent fields come from tfhd/trex defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrunEntry {
    /// `sample_duration`.
    pub duration: Option<u32>,
    /// `sample_size`.
    pub size: Option<u32>,
    /// `sample_flags`.
    pub flags: Option<u32>,
    /// `sample_composition_time_offset` (u32 in v0, i32 in v1).
    pub composition_offset: Option<i64>,
}

/// `trun` (§8.8.8): a run of samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trun {
    /// 0 or 1 (v1: signed composition offsets).
    pub version: u8,
    /// tr_flags.
    pub flags: u32,
    /// `data_offset`, relative to the traf's data base.
    pub data_offset: Option<i32>,
    /// `first_sample_flags`.
    pub first_sample_flags: Option<u32>,
    /// One record per sample (`sample_count` of them).
    pub entries: Vec<TrunEntry>,
}

impl Trun {
    /// Decodes a whole `trun` box; `sample_count` is checked against the bytes present.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"trun", path!(b"trun"), 1)?;
        let count = r.u32()?;
        let data_offset = opt(flags & TRUN_DATA_OFFSET != 0, || r.i32())?;
        let first_sample_flags = opt(flags & TRUN_FIRST_SAMPLE_FLAGS != 0, || r.u32())?;
        let rec = 4 * (flags & 0xF00).count_ones() as u64;
        let n = if rec == 0 {
            // Records carry no bytes: nothing bounds the count but the cap.
            let max = crate::limits::MAX_SAMPLES_PER_RUN;
            if u64::from(count) > max {
                return Err(r.err(ErrorKind::TooMany {
                    field: "trun.sample_count",
                    count: u64::from(count),
                    max,
                }));
            }
            count as usize
        } else {
            r.check_count("trun.sample_count", u64::from(count), rec)?
        };
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let duration = opt(flags & TRUN_DURATION != 0, || r.u32())?;
            let size = opt(flags & TRUN_SIZE != 0, || r.u32())?;
            let sflags = opt(flags & TRUN_FLAGS != 0, || r.u32())?;
            let composition_offset = opt(flags & TRUN_CTO != 0, || {
                if version == 0 {
                    r.u32().map(i64::from)
                } else {
                    r.i32().map(i64::from)
                }
            })?;
            entries.push(TrunEntry {
                duration,
                size,
                flags: sflags,
                composition_offset,
            });
        }
        Ok(Trun {
            version,
            flags,
            data_offset,
            first_sample_flags,
            entries,
        })
    }

    /// Duration, size and flags of record `n` after the defaulting chain (§8.8.8): the
    /// record's own field, then the tfhd default, then the trex default; `first_sample_flags`
    /// comes first for record 0. `None` when there is no record `n`.
    ///
    /// ```
    /// use dashkit::bmff::boxes::{Tfhd, Trex, Trun, TrunEntry};
    /// let trun = Trun { version: 0, flags: 0, data_offset: None, first_sample_flags: Some(0),
    ///     entries: vec![TrunEntry { size: Some(9), ..TrunEntry::default() }; 2] };
    /// let tfhd = Tfhd { flags: 0x08, track_id: 1, base_data_offset: None,
    ///     sample_description_index: None, default_sample_duration: Some(512),
    ///     default_sample_size: None, default_sample_flags: None };
    /// let trex = Trex { default_sample_flags: 0x0001_0000, ..Trex::default() };
    /// assert_eq!(trun.resolved(0, &tfhd, &trex), Some((512, 9, 0)));
    /// assert_eq!(trun.resolved(1, &tfhd, &trex), Some((512, 9, 0x0001_0000)));
    /// ```
    pub fn resolved(&self, n: usize, tfhd: &Tfhd, trex: &Trex) -> Option<(u32, u32, u32)> {
        Some((
            self.sample_duration(n, tfhd, Some(trex))?,
            self.sample_size(n, tfhd, Some(trex))?,
            self.sample_flags(n, tfhd, Some(trex))?,
        ))
    }

    /// Duration of record `n` through [`defaulted`]; `None` when there is no record `n` or
    /// no value anywhere in the chain (no trex given).
    pub fn sample_duration(&self, n: usize, tfhd: &Tfhd, trex: Option<&Trex>) -> Option<u32> {
        let e = self.entries.get(n)?;
        defaulted(
            e.duration,
            tfhd.default_sample_duration,
            trex.map(|t| t.default_sample_duration),
        )
    }

    /// Size of record `n` through [`defaulted`] (see [`Trun::sample_duration`]).
    pub fn sample_size(&self, n: usize, tfhd: &Tfhd, trex: Option<&Trex>) -> Option<u32> {
        let e = self.entries.get(n)?;
        defaulted(
            e.size,
            tfhd.default_sample_size,
            trex.map(|t| t.default_sample_size),
        )
    }

    /// Flags of record `n`: `first_sample_flags` for record 0, then [`defaulted`] (see
    /// [`Trun::sample_duration`]).
    pub fn sample_flags(&self, n: usize, tfhd: &Tfhd, trex: Option<&Trex>) -> Option<u32> {
        let e = self.entries.get(n)?;
        let first = if n == 0 {
            self.first_sample_flags
        } else {
            None
        };
        defaulted(
            first.or(e.flags),
            tfhd.default_sample_flags,
            trex.map(|t| t.default_sample_flags),
        )
    }
}

/// `trex` (§8.8.3): per-track fragment defaults from the init segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trex {
    /// `track_ID`.
    pub track_id: u32,
    /// `default_sample_description_index`.
    pub default_sample_description_index: u32,
    /// `default_sample_duration`.
    pub default_sample_duration: u32,
    /// `default_sample_size`.
    pub default_sample_size: u32,
    /// `default_sample_flags`.
    pub default_sample_flags: u32,
}

impl Trex {
    /// Decodes a whole `trex` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"trex", path!(b"trex"), 0)?;
        Ok(Trex {
            track_id: r.u32()?,
            default_sample_description_index: r.u32()?,
            default_sample_duration: r.u32()?,
            default_sample_size: r.u32()?,
            default_sample_flags: r.u32()?,
        })
    }
}

/// `emsg` (ISO/IEC 23009-1 §5.10.3.3): an event message, v0 or v1.
///
/// ```
/// use dashkit::bmff::boxes::Emsg;
/// let e = Emsg {
///     version: 1,
///     scheme_id_uri: "urn:scte:scte35:2013:bin".into(),
///     value: String::new(),
///     timescale: 90_000,
///     presentation_time: 900_000,
///     event_duration: 0xFFFF_FFFF,
///     id: 7,
///     message_data: vec![1, 2, 3],
/// };
/// let b = e.encode().unwrap();
/// assert_eq!(b.len(), 61);
/// assert_eq!(Emsg::parse(&b, 0).unwrap(), e);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emsg {
    /// 0: `presentation_time` is a delta from the segment's earliest presentation time;
    /// 1: it is absolute.
    pub version: u8,
    /// `scheme_id_uri`.
    pub scheme_id_uri: String,
    /// `value`.
    pub value: String,
    /// `timescale` of the times in this box.
    pub timescale: u32,
    /// v1 `presentation_time`, or v0 `presentation_time_delta` (must fit 32 bits for v0).
    pub presentation_time: u64,
    /// `event_duration` (0xFFFFFFFF = unknown).
    pub event_duration: u32,
    /// `id`.
    pub id: u32,
    /// `message_data`.
    pub message_data: Vec<u8>,
}

impl Emsg {
    /// Decodes a whole `emsg` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"emsg", path!(b"emsg"), 1)?;
        let mut e = Emsg {
            version,
            scheme_id_uri: String::new(),
            value: String::new(),
            timescale: 0,
            presentation_time: 0,
            event_duration: 0,
            id: 0,
            message_data: Vec::new(),
        };
        if version == 0 {
            e.scheme_id_uri = r.cstring()?;
            e.value = r.cstring()?;
            e.timescale = r.u32()?;
            e.presentation_time = u64::from(r.u32()?);
            e.event_duration = r.u32()?;
            e.id = r.u32()?;
        } else {
            e.timescale = r.u32()?;
            e.presentation_time = r.u64()?;
            e.event_duration = r.u32()?;
            e.id = r.u32()?;
            e.scheme_id_uri = r.cstring()?;
            e.value = r.cstring()?;
        }
        e.message_data = r.rest().to_vec();
        Ok(e)
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        12 + 16
            + if self.version == 1 { 4 } else { 0 }
            + self.scheme_id_uri.len()
            + 1
            + self.value.len()
            + 1
            + self.message_data.len()
    }

    /// Encodes the box (32-bit size). Fails on a v0 delta above 2^32 - 1, a version above 1,
    /// or a string holding a NUL.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the encoded box to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let bad = |field: &'static str, value: u64| {
            Error::new(0, "emsg", ErrorKind::BadField { field, value })
        };
        if self.version > 1 {
            return Err(bad("emsg.version", u64::from(self.version)));
        }
        if self.scheme_id_uri.contains('\0') || self.value.contains('\0') {
            return Err(bad("emsg string with NUL", 0));
        }
        let len = u32::try_from(self.encoded_len()).map_err(|_| {
            Error::new(
                0,
                "emsg",
                ErrorKind::Overflow {
                    field: "emsg.size",
                    value: self.encoded_len() as u64,
                },
            )
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(b"emsg");
        out.extend_from_slice(&[self.version, 0, 0, 0]);
        let strings = |out: &mut Vec<u8>| {
            out.extend_from_slice(self.scheme_id_uri.as_bytes());
            out.push(0);
            out.extend_from_slice(self.value.as_bytes());
            out.push(0);
        };
        if self.version == 0 {
            let delta = u32::try_from(self.presentation_time).map_err(|_| {
                Error::new(
                    0,
                    "emsg",
                    ErrorKind::Overflow {
                        field: "emsg.presentation_time_delta",
                        value: self.presentation_time,
                    },
                )
            })?;
            strings(out);
            out.extend_from_slice(&self.timescale.to_be_bytes());
            out.extend_from_slice(&delta.to_be_bytes());
            out.extend_from_slice(&self.event_duration.to_be_bytes());
            out.extend_from_slice(&self.id.to_be_bytes());
        } else {
            out.extend_from_slice(&self.timescale.to_be_bytes());
            out.extend_from_slice(&self.presentation_time.to_be_bytes());
            out.extend_from_slice(&self.event_duration.to_be_bytes());
            out.extend_from_slice(&self.id.to_be_bytes());
            strings(out);
        }
        out.extend_from_slice(&self.message_data);
        Ok(())
    }
}

/// `prft` (§8.16.5): producer reference time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prft {
    /// 0 (32-bit media_time) or 1 (64-bit).
    pub version: u8,
    /// Flags: capture point (0 encoder input, 1 encoder output, ... 24 captured).
    pub flags: u32,
    /// `reference_track_ID`.
    pub reference_track_id: u32,
    /// `ntp_timestamp` (NTP 32.32, from 1900).
    pub ntp_timestamp: u64,
    /// `media_time`, in the reference track's mdhd timescale.
    pub media_time: u64,
}

impl Prft {
    /// Decodes a whole `prft` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"prft", path!(b"prft"), 1)?;
        Ok(Prft {
            version,
            flags,
            reference_track_id: r.u32()?,
            ntp_timestamp: r.u64()?,
            media_time: r.u32_or_u64(version == 1)?,
        })
    }
}

/// `mdhd` (§8.4.2): media header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mdhd {
    /// 0 or 1.
    pub version: u8,
    /// Media timescale (ticks per second).
    pub timescale: u32,
    /// Media duration in `timescale` (0 or all ones for fragmented files).
    pub duration: u64,
    /// ISO-639-2/T language code ("und" if unset).
    pub language: [u8; 3],
}

impl Mdhd {
    /// Decodes a whole `mdhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"mdhd", path!(b"mdhd"), 1)?;
        let wide = version == 1;
        r.u32_or_u64(wide)?;
        r.u32_or_u64(wide)?;
        let timescale = r.u32()?;
        let duration = r.u32_or_u64(wide)?;
        let l = r.u16()?;
        let c = |s: u16| (((l >> s) & 0x1F) as u8).wrapping_add(0x60);
        Ok(Mdhd {
            version,
            timescale,
            duration,
            language: [c(10), c(5), c(0)],
        })
    }
}

/// `mvhd` (§8.2.2): movie header (the fields dashkit uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mvhd {
    /// 0 or 1.
    pub version: u8,
    /// Movie timescale.
    pub timescale: u32,
    /// Movie duration in `timescale`.
    pub duration: u64,
}

impl Mvhd {
    /// Decodes a whole `mvhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, _) = full_box(data, offset, b"mvhd", path!(b"mvhd"), 1)?;
        let wide = version == 1;
        r.u32_or_u64(wide)?;
        r.u32_or_u64(wide)?;
        Ok(Mvhd {
            version,
            timescale: r.u32()?,
            duration: r.u32_or_u64(wide)?,
        })
    }
}

/// `tkhd` (§8.3.2): track header (the fields dashkit uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tkhd {
    /// 0 or 1.
    pub version: u8,
    /// Flags (0x1 enabled, 0x2 in movie, 0x4 in preview).
    pub flags: u32,
    /// `track_ID`.
    pub track_id: u32,
    /// Duration in the movie timescale.
    pub duration: u64,
    /// Width, 16.16 fixed point.
    pub width: u32,
    /// Height, 16.16 fixed point.
    pub height: u32,
}

impl Tkhd {
    /// Decodes a whole `tkhd` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"tkhd", path!(b"tkhd"), 1)?;
        let wide = version == 1;
        r.u32_or_u64(wide)?;
        r.u32_or_u64(wide)?;
        let track_id = r.u32()?;
        r.skip(4)?;
        let duration = r.u32_or_u64(wide)?;
        r.skip(8 + 2 + 2 + 2 + 2 + 36)?;
        Ok(Tkhd {
            version,
            flags,
            track_id,
            duration,
            width: r.u32()?,
            height: r.u32()?,
        })
    }
}

/// `hdlr` (§8.4.3): handler type (`vide`, `soun`, `text`, `subt`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hdlr {
    /// `handler_type`.
    pub handler_type: FourCc,
    /// `name` (lossy UTF-8, up to the first NUL).
    pub name: String,
}

impl Hdlr {
    /// Decodes a whole `hdlr` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"hdlr", path!(b"hdlr"), 0)?;
        r.skip(4)?;
        let handler_type = FourCc(r.array()?);
        r.skip(12)?;
        let rest = r.rest();
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        Ok(Hdlr {
            handler_type,
            name: String::from_utf8_lossy(rest.get(..end).unwrap_or(&[])).into_owned(),
        })
    }
}

/// One `elst` entry (§8.6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElstEntry {
    /// `segment_duration`, in the movie timescale.
    pub segment_duration: u64,
    /// `media_time`, in the media timescale; -1 = empty edit.
    pub media_time: i64,
    /// `media_rate_integer`.
    pub media_rate_integer: i16,
    /// `media_rate_fraction`.
    pub media_rate_fraction: i16,
}

/// Decodes a whole `elst` box (count checked against the bytes present).
pub fn parse_elst(data: &[u8], offset: u64) -> Result<Vec<ElstEntry>, Error> {
    let (mut r, version, _) = full_box(data, offset, b"elst", path!(b"elst"), 1)?;
    let count = r.u32()?;
    let wide = version == 1;
    let n = r.check_count(
        "elst.entry_count",
        u64::from(count),
        if wide { 20 } else { 12 },
    )?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let segment_duration = r.u32_or_u64(wide)?;
        let media_time = if wide { r.i64()? } else { i64::from(r.i32()?) };
        out.push(ElstEntry {
            segment_duration,
            media_time,
            media_rate_integer: r.u16()? as i16,
            media_rate_fraction: r.u16()? as i16,
        });
    }
    Ok(out)
}

/// Decodes a table of `(u32, u32)` pairs after a FullBox header and entry_count: `stts`
/// (count, delta), `ctts` (count, offset; signed in v1 — returned as the raw u32), `stsc` is
/// three-wide and has its own function.
pub fn parse_pairs(
    data: &[u8],
    offset: u64,
    kind: &'static [u8; 4],
) -> Result<Vec<(u32, u32)>, Error> {
    let path = std::str::from_utf8(kind).unwrap_or("?");
    let (mut r, _, _) = full_box(data, offset, kind, path, 1)?;
    let count = r.u32()?;
    let n = r.check_count("entry_count", u64::from(count), 8)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push((r.u32()?, r.u32()?));
    }
    Ok(out)
}

/// `ctts` version (0: unsigned offsets, 1: signed).
pub fn ctts_version(data: &[u8]) -> u8 {
    data.get(8).copied().unwrap_or(0)
}

/// One `stsc` entry (§8.7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StscEntry {
    /// `first_chunk` (1-based).
    pub first_chunk: u32,
    /// `samples_per_chunk`.
    pub samples_per_chunk: u32,
    /// `sample_description_index`.
    pub sample_description_index: u32,
}

/// Decodes a whole `stsc` box.
pub fn parse_stsc(data: &[u8], offset: u64) -> Result<Vec<StscEntry>, Error> {
    let (mut r, _, _) = full_box(data, offset, b"stsc", path!(b"stsc"), 0)?;
    let count = r.u32()?;
    let n = r.check_count("stsc.entry_count", u64::from(count), 12)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(StscEntry {
            first_chunk: r.u32()?,
            samples_per_chunk: r.u32()?,
            sample_description_index: r.u32()?,
        });
    }
    Ok(out)
}

/// Decodes `stco`/`co64` chunk offsets (absolute file offsets).
pub fn parse_chunk_offsets(data: &[u8], offset: u64, wide: bool) -> Result<Vec<u64>, Error> {
    let (kind, path): (&'static [u8; 4], &str) = if wide {
        (b"co64", "co64")
    } else {
        (b"stco", "stco")
    };
    let (mut r, _, _) = full_box(data, offset, kind, path, 0)?;
    let count = r.u32()?;
    let n = r.check_count("entry_count", u64::from(count), if wide { 8 } else { 4 })?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(r.u32_or_u64(wide)?);
    }
    Ok(out)
}

/// Decodes `stss` sync sample numbers (1-based).
pub fn parse_stss(data: &[u8], offset: u64) -> Result<Vec<u32>, Error> {
    let (mut r, _, _) = full_box(data, offset, b"stss", path!(b"stss"), 0)?;
    let count = r.u32()?;
    let n = r.check_count("stss.entry_count", u64::from(count), 4)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(r.u32()?);
    }
    Ok(out)
}

/// Sample sizes from `stsz` or `stz2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleSizes {
    /// Every sample has this size.
    Constant {
        /// The size.
        size: u32,
        /// Number of samples.
        count: u32,
    },
    /// One size per sample.
    Table(Vec<u32>),
}

impl SampleSizes {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            SampleSizes::Constant { count, .. } => *count as usize,
            SampleSizes::Table(t) => t.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Size of sample `i` (0-based).
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            SampleSizes::Constant { size, count } => (i < *count as usize).then_some(*size),
            SampleSizes::Table(t) => t.get(i).copied(),
        }
    }
}

/// Decodes `stsz` (§8.7.3.2) or `stz2` (§8.7.3.3).
pub fn parse_sample_sizes(data: &[u8], offset: u64, compact: bool) -> Result<SampleSizes, Error> {
    if !compact {
        let (mut r, _, _) = full_box(data, offset, b"stsz", path!(b"stsz"), 0)?;
        let size = r.u32()?;
        let count = r.u32()?;
        if size != 0 {
            let max = crate::limits::MAX_SAMPLES_PER_TRACK;
            if u64::from(count) > max {
                return Err(r.err(ErrorKind::TooMany {
                    field: "stsz.sample_count",
                    count: u64::from(count),
                    max,
                }));
            }
            return Ok(SampleSizes::Constant { size, count });
        }
        let n = r.check_count("stsz.sample_count", u64::from(count), 4)?;
        let mut t = Vec::with_capacity(n);
        for _ in 0..n {
            t.push(r.u32()?);
        }
        return Ok(SampleSizes::Table(t));
    }
    let (mut r, _, _) = full_box(data, offset, b"stz2", path!(b"stz2"), 0)?;
    r.skip(3)?;
    let at = r.offset();
    let field_size = r.u8()?;
    let count = r.u32()?;
    let bits = u64::from(field_size);
    if ![4, 8, 16].contains(&field_size) {
        return Err(Error::new(
            at,
            "stz2",
            ErrorKind::BadField {
                field: "stz2.field_size",
                value: bits,
            },
        ));
    }
    let needed = (u64::from(count) * bits).div_ceil(8);
    let n = r
        .check_count("stz2.sample_count", needed, 1)
        .map(|_| count as usize)?;
    let raw = r.rest();
    let mut t = Vec::with_capacity(n);
    for i in 0..n {
        let v = match field_size {
            4 => {
                let b = raw.get(i / 2).copied().unwrap_or(0);
                u32::from(if i % 2 == 0 { b >> 4 } else { b & 0xF })
            }
            8 => u32::from(raw.get(i).copied().unwrap_or(0)),
            _ => {
                let hi = raw.get(2 * i).copied().unwrap_or(0);
                let lo = raw.get(2 * i + 1).copied().unwrap_or(0);
                u32::from(u16::from_be_bytes([hi, lo]))
            }
        };
        t.push(v);
    }
    Ok(SampleSizes::Table(t))
}

/// The entries of a table box left in place: after the FullBox header and a 32-bit
/// entry_count, exactly `entry_count * record_len` bytes (checked against the bytes present).
/// Returns the box version and the entry bytes. Used by [`super::stbl`] to walk `stts`, `ctts`,
/// `stss`, `stsc`, `stco` and `co64` without decoding them into vectors.
pub(crate) fn table_entries<'a>(
    data: &'a [u8],
    offset: u64,
    kind: &'static [u8; 4],
    max_version: u8,
    record_len: u64,
) -> Result<(u8, &'a [u8]), Error> {
    let path = std::str::from_utf8(kind).unwrap_or("?");
    let (mut r, version, _) = full_box(data, offset, kind, path, max_version)?;
    let count = r.u32()?;
    let n = r.check_count("entry_count", u64::from(count), record_len)?;
    let len = n.checked_mul(record_len as usize).ok_or_else(|| {
        r.err(ErrorKind::Overflow {
            field: "entry_count",
            value: u64::from(count),
        })
    })?;
    Ok((version, r.bytes(len)?))
}

/// `stsz`/`stz2` sample sizes left in place (see [`table_entries`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawSizes<'a> {
    /// `stsz` with a non-zero sample_size: every sample has this size.
    Constant {
        /// The size.
        size: u32,
        /// Number of samples.
        count: u32,
    },
    /// One field of `bits` (4, 8, 16 or 32) per sample, `count` samples.
    Table {
        /// The packed fields, exactly `ceil(count * bits / 8)` bytes.
        raw: &'a [u8],
        /// Field width.
        bits: u8,
        /// Number of samples.
        count: u32,
    },
}

/// Decodes the header of `stsz` (§8.7.3.2) or `stz2` (§8.7.3.3) and leaves the sizes in place;
/// same checks as [`parse_sample_sizes`].
pub(crate) fn raw_sample_sizes(
    data: &[u8],
    offset: u64,
    compact: bool,
) -> Result<RawSizes<'_>, Error> {
    if !compact {
        let (mut r, _, _) = full_box(data, offset, b"stsz", path!(b"stsz"), 0)?;
        let size = r.u32()?;
        let count = r.u32()?;
        if size != 0 {
            let max = crate::limits::MAX_SAMPLES_PER_TRACK;
            if u64::from(count) > max {
                return Err(r.err(ErrorKind::TooMany {
                    field: "stsz.sample_count",
                    count: u64::from(count),
                    max,
                }));
            }
            return Ok(RawSizes::Constant { size, count });
        }
        let n = r.check_count("stsz.sample_count", u64::from(count), 4)?;
        let raw = r.bytes(n.saturating_mul(4))?;
        return Ok(RawSizes::Table {
            raw,
            bits: 32,
            count,
        });
    }
    let (mut r, _, _) = full_box(data, offset, b"stz2", path!(b"stz2"), 0)?;
    r.skip(3)?;
    let at = r.offset();
    let field_size = r.u8()?;
    let count = r.u32()?;
    let bits = u64::from(field_size);
    if ![4, 8, 16].contains(&field_size) {
        return Err(Error::new(
            at,
            "stz2",
            ErrorKind::BadField {
                field: "stz2.field_size",
                value: bits,
            },
        ));
    }
    let needed = (u64::from(count) * bits).div_ceil(8);
    let len = r.check_count("stz2.sample_count", needed, 1)?;
    Ok(RawSizes::Table {
        raw: r.bytes(len)?,
        bits: field_size,
        count,
    })
}

/// `saio` (§8.7.9): sample auxiliary information offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saio {
    /// 0 (32-bit offsets) or 1 (64-bit).
    pub version: u8,
    /// Flags (0x1: aux_info_type present).
    pub flags: u32,
    /// Offsets (in traf: relative to the traf's data base).
    pub offsets: Vec<u64>,
    /// Position of the first offset within the box.
    pub offsets_at: usize,
}

impl Saio {
    /// Decodes a whole `saio` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"saio", path!(b"saio"), 1)?;
        if flags & 1 != 0 {
            r.skip(8)?;
        }
        let count = r.u32()?;
        let wide = version == 1;
        let n = r.check_count(
            "saio.entry_count",
            u64::from(count),
            if wide { 8 } else { 4 },
        )?;
        let offsets_at = r.pos();
        let mut offsets = Vec::with_capacity(n);
        for _ in 0..n {
            offsets.push(r.u32_or_u64(wide)?);
        }
        Ok(Saio {
            version,
            flags,
            offsets,
            offsets_at,
        })
    }
}

/// `ftyp`/`styp` (§4.3): brands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ftyp {
    /// `major_brand`.
    pub major_brand: FourCc,
    /// `minor_version`.
    pub minor_version: u32,
    /// `compatible_brands`.
    pub compatible_brands: Vec<FourCc>,
}

impl Ftyp {
    /// Decodes the payload of an `ftyp` or `styp` box (after its header).
    pub fn parse_payload(payload: &[u8], offset: u64) -> Result<Self, Error> {
        let mut r = Reader::new(payload, offset, "ftyp");
        let major_brand = FourCc(r.array()?);
        let minor_version = r.u32()?;
        let rest = r.rest();
        Ok(Ftyp {
            major_brand,
            minor_version,
            compatible_brands: rest
                .chunks_exact(4)
                .map(|c| FourCc([c[0], c[1], c[2], c[3]]))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bmff::testbox::full;

    #[test]
    fn tfdt_v0_v1() {
        let b = full(b"tfdt", 0, 0, &[0, 0, 1, 0]);
        assert_eq!(
            Tfdt::parse(&b, 0).unwrap(),
            Tfdt {
                version: 0,
                base_media_decode_time: 256
            }
        );
        let b = full(b"tfdt", 1, 0, &[0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(
            Tfdt::parse(&b, 0).unwrap().base_media_decode_time,
            (1 << 32) + 2
        );
        let b = full(b"tfdt", 1, 0, &[0, 0, 0, 1]);
        let e = Tfdt::parse(&b, 40).unwrap_err();
        assert_eq!(e.offset, 52);
        assert_eq!(e.path, "tfdt");
        let b = full(b"tfdt", 2, 0, &[0, 0, 0, 1]);
        assert!(matches!(
            Tfdt::parse(&b, 0).unwrap_err().kind,
            ErrorKind::BadField {
                field: "version",
                value: 2
            }
        ));
    }

    #[test]
    fn tfhd_all_flags() {
        let mut body = 3u32.to_be_bytes().to_vec();
        body.extend_from_slice(&1000u64.to_be_bytes());
        for v in [2u32, 1024, 500, 0x0101_0000] {
            body.extend_from_slice(&v.to_be_bytes());
        }
        let b = full(b"tfhd", 0, 0x3B, &body);
        let t = Tfhd::parse(&b, 0).unwrap();
        assert_eq!(t.track_id, 3);
        assert_eq!(t.base_data_offset, Some(1000));
        assert_eq!(t.sample_description_index, Some(2));
        assert_eq!(t.default_sample_duration, Some(1024));
        assert_eq!(t.default_sample_size, Some(500));
        assert_eq!(t.default_sample_flags, Some(0x0101_0000));
        assert!(!t.base_is_moof());
        let b = full(b"tfhd", 0, 0x020000, &1u32.to_be_bytes());
        assert!(Tfhd::parse(&b, 0).unwrap().base_is_moof());
        // Flag says a field is there but the bytes are not.
        let b = full(b"tfhd", 0, 0x08, &1u32.to_be_bytes());
        assert!(matches!(
            Tfhd::parse(&b, 0).unwrap_err().kind,
            ErrorKind::Truncated { .. }
        ));
    }

    #[test]
    fn trun_v0_v1_and_bounds() {
        let mut body = 2u32.to_be_bytes().to_vec();
        body.extend_from_slice(&(-8i32).to_be_bytes());
        body.extend_from_slice(&0x0200_0000u32.to_be_bytes());
        for (d, s, c) in [(512u32, 100u32, 0xFFFF_FC00u32), (512, 200, 1024)] {
            body.extend_from_slice(&d.to_be_bytes());
            body.extend_from_slice(&s.to_be_bytes());
            body.extend_from_slice(&c.to_be_bytes());
        }
        let b = full(b"trun", 1, 0xB05, &body);
        let t = Trun::parse(&b, 0).unwrap();
        assert_eq!(t.data_offset, Some(-8));
        assert_eq!(t.first_sample_flags, Some(0x0200_0000));
        assert_eq!(t.entries[0].composition_offset, Some(-1024));
        assert_eq!(t.entries[1].size, Some(200));
        let b0 = full(b"trun", 0, 0xB05, &body);
        assert_eq!(
            Trun::parse(&b0, 0).unwrap().entries[0].composition_offset,
            Some(0xFFFF_FC00)
        );
        // sample_count far beyond the bytes.
        let mut body = 0x1000_0000u32.to_be_bytes().to_vec();
        body.extend_from_slice(&[0; 8]);
        let b = full(b"trun", 0, 0x200, &body);
        let e = Trun::parse(&b, 10).unwrap_err();
        assert_eq!(e.offset, 10 + 16);
        assert!(matches!(
            e.kind,
            ErrorKind::CountPastEnd {
                field: "trun.sample_count",
                ..
            }
        ));
        // No per-sample fields: capped by the limit.
        let b = full(b"trun", 0, 0, &u32::MAX.to_be_bytes());
        assert!(matches!(
            Trun::parse(&b, 0).unwrap_err().kind,
            ErrorKind::TooMany { .. }
        ));
    }

    #[test]
    fn emsg_v0_round_trip() {
        let e = Emsg {
            version: 0,
            scheme_id_uri: "urn:x".into(),
            value: "1".into(),
            timescale: 1000,
            presentation_time: 5,
            event_duration: 10,
            id: 3,
            message_data: b"hi".to_vec(),
        };
        let b = e.encode().unwrap();
        assert_eq!(b.len(), e.encoded_len());
        assert_eq!(Emsg::parse(&b, 0).unwrap(), e);
        let mut big = e.clone();
        big.presentation_time = 1 << 32;
        assert!(big.encode().is_err());
        // Missing NUL terminator.
        let bad = full(b"emsg", 0, 0, b"urn:x");
        assert!(matches!(
            Emsg::parse(&bad, 0).unwrap_err().kind,
            ErrorKind::Truncated { .. }
        ));
    }

    #[test]
    fn prft_mdhd_elst() {
        let mut body = 1u32.to_be_bytes().to_vec();
        body.extend_from_slice(&0xE000_0000_8000_0000u64.to_be_bytes());
        body.extend_from_slice(&77u64.to_be_bytes());
        let p = Prft::parse(&full(b"prft", 1, 4, &body), 0).unwrap();
        assert_eq!((p.media_time, p.flags, p.reference_track_id), (77, 4, 1));
        let mut body = vec![0u8; 8];
        body.extend_from_slice(&48000u32.to_be_bytes());
        body.extend_from_slice(&96000u32.to_be_bytes());
        body.extend_from_slice(&0x55C4u16.to_be_bytes());
        body.extend_from_slice(&[0, 0]);
        let m = Mdhd::parse(&full(b"mdhd", 0, 0, &body), 0).unwrap();
        assert_eq!(
            (m.timescale, m.duration, &m.language),
            (48000, 96000, b"und")
        );
        let mut body = 1u32.to_be_bytes().to_vec();
        body.extend_from_slice(&0u32.to_be_bytes());
        body.extend_from_slice(&1024i32.to_be_bytes());
        body.extend_from_slice(&[0, 1, 0, 0]);
        let e = parse_elst(&full(b"elst", 0, 0, &body), 0).unwrap();
        assert_eq!(e[0].media_time, 1024);
        let mut body = 9u32.to_be_bytes().to_vec();
        body.extend_from_slice(&[0; 12]);
        assert!(parse_elst(&full(b"elst", 0, 0, &body), 0).is_err());
    }

    #[test]
    fn stz2_nibbles() {
        let mut body = vec![0, 0, 0, 4];
        body.extend_from_slice(&3u32.to_be_bytes());
        body.extend_from_slice(&[0x12, 0x30]);
        let s = parse_sample_sizes(&full(b"stz2", 0, 0, &body), 0, true).unwrap();
        assert_eq!(s, SampleSizes::Table(vec![1, 2, 3]));
        let mut body = vec![0, 0, 0, 16];
        body.extend_from_slice(&3u32.to_be_bytes());
        body.extend_from_slice(&[0, 1]);
        assert!(parse_sample_sizes(&full(b"stz2", 0, 0, &body), 0, true).is_err());
    }

    #[test]
    fn wrong_type_and_size() {
        let b = full(b"mfhd", 0, 0, &[0, 0, 0, 1]);
        assert!(Tfdt::parse(&b, 0).is_err());
        let mut b2 = b.clone();
        b2.push(0);
        assert!(matches!(
            Mfhd::parse(&b2, 0).unwrap_err().kind,
            ErrorKind::BadField {
                field: "box size",
                ..
            }
        ));
    }
}
