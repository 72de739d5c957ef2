//! Encrypting and decrypting whole files, init segments and media segments: the sample
//! bytes are transformed in place in a copy of the input, then boxes are inserted (`sinf`,
//! `pssh`, `saiz`/`saio`/`senc`) or removed, with every enclosing size, `trun.data_offset` and
//! `saio` offset fixed in the same pass.

use super::avc::SliceHeaderError;
use super::nal::{self, NalCodec, SliceHeaders};
use super::sample::{crypt_sample, Pattern};
use super::{Error, Key, Scheme};
use crate::bmff::boxes::{DataBase, Trun, TRUN_DATA_OFFSET};
use crate::bmff::boxes::{
    Frma, Hdlr, Pssh, Saio, Saiz, Schm, Senc, SencEntry, Tenc, Tkhd, Trex, COMMON_SYSTEM_ID,
    SENC_USE_SUBSAMPLES,
};
use crate::bmff::traf::{resolve_traf, TrafAt};
use crate::bmff::{FourCc, Index};

/// What [`encrypt`] does.
///
/// ```
/// use dashkit::cenc::{EncryptOptions, Key, Scheme};
/// let o = EncryptOptions::new(Scheme::Cenc, Key::new([1; 16], [2; 16]), [3; 16]);
/// assert_eq!(o.track_id, None);
/// ```
#[derive(Debug, Clone)]
pub struct EncryptOptions {
    /// `cenc` or `cbcs`.
    pub scheme: Scheme,
    /// The content key.
    pub key: Key,
    /// Only this track (default: every audio and video track).
    pub track_id: Option<u32>,
    /// `cbcs`: the constant IV. `cenc`: its first 8 bytes are the first sample's IV, each
    /// later sample's is one more (a media segment alone should get a fresh value).
    pub iv: [u8; 16],
}

impl EncryptOptions {
    /// Options for every audio and video track.
    pub fn new(scheme: Scheme, key: Key, iv: [u8; 16]) -> Self {
        EncryptOptions {
            scheme,
            key,
            track_id: None,
            iv,
        }
    }
}

/// Slices of one track whose slice header [`encrypt_with_report`] could not read: their clear
/// part is only the NAL length and NAL header (the protected range starts right after it, still
/// in whole blocks for `cenc`), where ISO/IEC 23001-7 §10.4 (`cbcs`) wants the slice header
/// clear too. Players decrypt it all the same; a packager that must follow the standard to the
/// letter should not ship it.
///
/// ```
/// use dashkit::cenc::{ClearHeaderFallback, SliceHeaderError};
/// let f = ClearHeaderFallback {
///     track_id: 1,
///     slices: 3,
///     first_offset: 1234,
///     first_error: SliceHeaderError::MissingParameterSet { what: "PPS", id: 2 },
/// };
/// assert!(f.to_string().starts_with("track 1: 3 slices keep only their NAL header clear"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearHeaderFallback {
    /// The track's track_ID.
    pub track_id: u32,
    /// How many slices.
    pub slices: u64,
    /// Byte offset in the input of the first such slice's NAL unit (its length field).
    pub first_offset: u64,
    /// Why its header could not be read.
    pub first_error: SliceHeaderError,
}

impl std::fmt::Display for ClearHeaderFallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "track {}: {} slices keep only their NAL header clear (first at byte {}: {})",
            self.track_id, self.slices, self.first_offset, self.first_error
        )
    }
}

/// How a track's samples are laid out for encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Full-sample (audio).
    Full,
    /// Subsamples from NAL units.
    Nal(NalCodec, usize),
    /// Not encryptable (its sample entry type).
    Other(FourCc),
}

/// A track's protection, read from its `sinf`.
#[derive(Debug, Clone)]
struct Protection {
    scheme: Scheme,
    tenc: Tenc,
    /// Index of the `sinf` in the init index.
    sinf: usize,
    original: FourCc,
}

#[derive(Debug, Clone)]
struct Track {
    id: u32,
    /// Index of the sample entry in the init index.
    entry: usize,
    layout: Layout,
    protection: Option<Protection>,
}

/// Reads every track of a `moov` (within `idx` over `data`).
fn tracks(data: &[u8], idx: &Index) -> Result<Vec<Track>, Error> {
    let b = idx.boxes();
    let body = |i: usize| data.get(b[i].range()).unwrap_or(&[]);
    let mut out = Vec::new();
    let Some(moov) = idx.find("moov") else {
        return Ok(out);
    };
    for trak in idx.children(moov).filter(|&c| b[c].is(b"trak")) {
        let Some(tkhd) = idx.child(trak, b"tkhd") else {
            continue;
        };
        let id = Tkhd::parse(body(tkhd), b[tkhd].offset)?.track_id;
        let mdia = idx.child(trak, b"mdia");
        let handler = match mdia.and_then(|m| idx.child(m, b"hdlr")) {
            Some(h) => Hdlr::parse(body(h), b[h].offset)?.handler_type,
            None => FourCc(*b"    "),
        };
        let stsd = mdia
            .and_then(|m| idx.child(m, b"minf"))
            .and_then(|m| idx.child(m, b"stbl"))
            .and_then(|s| idx.child(s, b"stsd"));
        let Some(entry) = stsd.and_then(|s| idx.children(s).next()) else {
            continue;
        };
        let mut protection = None;
        let mut format = b[entry].kind;
        if let Some(sinf) = idx.child(entry, b"sinf") {
            let frma = idx.child(sinf, b"frma").ok_or(Error::Unsupported {
                what: "sinf without frma",
                offset: b[sinf].offset,
            })?;
            format = Frma::parse(body(frma), b[frma].offset)?.data_format;
            let schm = idx.child(sinf, b"schm").ok_or(Error::Unsupported {
                what: "sinf without schm",
                offset: b[sinf].offset,
            })?;
            let schm = Schm::parse(body(schm), b[schm].offset)?;
            let scheme = match &schm.scheme_type.0 {
                b"cenc" => Scheme::Cenc,
                b"cbcs" => Scheme::Cbcs,
                _ => {
                    return Err(Error::UnknownScheme {
                        scheme: schm.scheme_type.to_string(),
                    })
                }
            };
            let tenc = idx
                .child(sinf, b"schi")
                .and_then(|s| idx.child(s, b"tenc"))
                .ok_or(Error::Unsupported {
                    what: "sinf without schi/tenc",
                    offset: b[sinf].offset,
                })?;
            let tenc = Tenc::parse(body(tenc), b[tenc].offset)?;
            protection = Some(Protection {
                scheme,
                tenc,
                sinf,
                original: format,
            });
        }
        let config = |kind: &[u8; 4], at: usize| {
            idx.child(entry, kind)
                .and_then(|c| body(c).get(b[c].header_len + at).copied())
                .map(|v| usize::from(v & 3) + 1)
        };
        let layout = match (&handler.0, &format.0) {
            (b"soun", _) => Layout::Full,
            (_, b"avc1" | b"avc3") => match config(b"avcC", 4) {
                Some(n) => Layout::Nal(NalCodec::Avc, n),
                None => Layout::Other(format),
            },
            (_, b"hvc1" | b"hev1") => match config(b"hvcC", 21) {
                Some(n) => Layout::Nal(NalCodec::Hevc, n),
                None => Layout::Other(format),
            },
            _ => Layout::Other(format),
        };
        out.push(Track {
            id,
            entry,
            layout,
            protection,
        });
    }
    Ok(out)
}

/// A change in the box tree: `remove` bytes at `at` replaced by `insert`, inside box
/// `parent` (which grows or shrinks with all its ancestors).
struct Splice {
    parent: usize,
    at: usize,
    remove: usize,
    insert: Vec<u8>,
}

/// Applies `splices` (over `idx` of `buf`) and returns the new bytes: every enclosing box's
/// size is fixed in the form its header uses.
fn apply(mut buf: Vec<u8>, idx: &Index, mut splices: Vec<Splice>) -> Result<Vec<u8>, Error> {
    let b = idx.boxes();
    let mut delta = vec![0i64; b.len()];
    for s in &splices {
        let d = s.insert.len() as i64 - s.remove as i64;
        let mut p = Some(s.parent);
        while let Some(i) = p {
            delta[i] += d;
            p = b[i].parent;
        }
    }
    for (i, d) in delta.iter().enumerate().filter(|(_, d)| **d != 0) {
        let bx = &b[i];
        let new = (bx.size as i64 + d) as u64;
        let at = bx.start;
        if bx.to_end {
            continue;
        }
        if bx.large {
            buf[at + 8..at + 16].copy_from_slice(&new.to_be_bytes());
        } else {
            let v = u32::try_from(new).map_err(|_| Error::Unsupported {
                what: "box larger than 4 GiB after the change",
                offset: bx.offset,
            })?;
            buf[at..at + 4].copy_from_slice(&v.to_be_bytes());
        }
    }
    fix_sidx(&mut buf, idx, &delta)?;
    splices.sort_by_key(|s| s.at);
    let grow: usize = splices.iter().map(|s| s.insert.len()).sum();
    let mut out = Vec::with_capacity(buf.len() + grow);
    let mut from = 0;
    for s in splices {
        out.extend_from_slice(&buf[from..s.at]);
        out.extend_from_slice(&s.insert);
        from = s.at + s.remove;
    }
    out.extend_from_slice(&buf[from.min(buf.len())..]);
    Ok(out)
}

/// Every top-level `sidx` (ISO/IEC 14496-12 §8.16.3): each reference's `referenced_size`
/// follows the size changes of the top-level boxes it covers.
fn fix_sidx(buf: &mut [u8], idx: &Index, delta: &[i64]) -> Result<(), Error> {
    let b = idx.boxes();
    for s in idx.top().filter(|&i| b[i].is(b"sidx")) {
        let body = b[s].start + b[s].header_len;
        let wide = buf.get(body).copied().unwrap_or(0) == 1;
        let w = if wide { 8 } else { 4 };
        let first_offset = match buf.get(body + 12 + w..body + 12 + 2 * w) {
            Some(x) => x.iter().fold(0u64, |a, &v| (a << 8) | u64::from(v)),
            None => continue,
        };
        let count_at = body + 12 + 2 * w + 2;
        let count = match buf.get(count_at..count_at + 2) {
            Some(&[h, l]) => usize::from(u16::from_be_bytes([h, l])),
            _ => continue,
        };
        let mut start = b[s].end() as u64 + first_offset;
        for k in 0..count {
            let at = count_at + 2 + 12 * k;
            let Some(&[w0, w1, w2, w3]) = buf.get(at..at + 4) else {
                break;
            };
            let word = u32::from_be_bytes([w0, w1, w2, w3]);
            let size = u64::from(word & 0x7FFF_FFFF);
            let end = start + size;
            let d: i64 = idx
                .top()
                .filter(|&i| (b[i].start as u64) >= start && (b[i].start as u64) < end)
                .map(|i| delta[i])
                .sum();
            if d != 0 {
                let new = u32::try_from(size as i64 + d)
                    .ok()
                    .filter(|&v| v <= 0x7FFF_FFFF)
                    .ok_or(Error::Unsupported {
                        what: "sidx referenced_size out of range after the change",
                        offset: b[s].offset,
                    })?;
                buf[at..at + 4].copy_from_slice(&((word & 0x8000_0000) | new).to_be_bytes());
            }
            start = end;
        }
    }
    Ok(())
}

fn trex_defaults(data: &[u8], idx: &Index) -> Result<Vec<Trex>, Error> {
    let b = idx.boxes();
    idx.all(b"trex")
        .map(|i| Ok(Trex::parse(&data[b[i].range()], b[i].offset)?))
        .collect()
}

fn sinf_bytes(
    scheme: Scheme,
    key: &Key,
    iv: &[u8; 16],
    original: FourCc,
    video: bool,
) -> Result<Vec<u8>, Error> {
    let tenc = match scheme {
        Scheme::Cenc => Tenc {
            version: 0,
            crypt_byte_block: 0,
            skip_byte_block: 0,
            is_protected: 1,
            per_sample_iv_size: 8,
            kid: key.kid(),
            constant_iv: vec![],
        },
        Scheme::Cbcs => Tenc {
            version: 1,
            crypt_byte_block: if video { 1 } else { 0 },
            skip_byte_block: if video { 9 } else { 0 },
            is_protected: 1,
            per_sample_iv_size: 0,
            kid: key.kid(),
            constant_iv: iv.to_vec(),
        },
    };
    let mut schi = Vec::new();
    tenc.encode_into(&mut schi)?;
    let mut body = Vec::new();
    Frma {
        data_format: original,
    }
    .encode_into(&mut body)?;
    Schm {
        scheme_type: scheme.fourcc(),
        scheme_version: 0x0001_0000,
        scheme_uri: None,
    }
    .encode_into(&mut body)?;
    body.extend_from_slice(&((schi.len() + 8) as u32).to_be_bytes());
    body.extend_from_slice(b"schi");
    body.extend_from_slice(&schi);
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(b"sinf");
    out.extend_from_slice(&body);
    Ok(out)
}

/// Per-moof state: where its trafs' `trun.data_offset` fields are, and how much it grew.
fn patch_data_offsets(buf: &mut [u8], idx: &Index, moof: usize, growth: i64) -> Result<(), Error> {
    let b = idx.boxes();
    for (n, traf) in idx.children(moof).filter(|&c| b[c].is(b"traf")).enumerate() {
        let tfhd = idx.child(traf, b"tfhd").ok_or(Error::Unsupported {
            what: "traf without tfhd",
            offset: b[traf].offset,
        })?;
        let tfhd = crate::bmff::boxes::Tfhd::parse(&buf[b[tfhd].range()], b[tfhd].offset)?;
        match tfhd.data_base(n) {
            DataBase::Moof => {}
            DataBase::AfterPrevious => continue,
            DataBase::Explicit(_) => {
                return Err(Error::Unsupported {
                    what: "tfhd.base_data_offset (absolute data offsets)",
                    offset: b[traf].offset,
                })
            }
        }
        for t in idx.children(traf).filter(|&c| b[c].is(b"trun")) {
            let trun = Trun::parse(&buf[b[t].range()], b[t].offset)?;
            if trun.flags & TRUN_DATA_OFFSET == 0 {
                continue;
            }
            let at = b[t].start + b[t].header_len + 8;
            let old = i64::from(trun.data_offset.unwrap_or(0));
            let new = i32::try_from(old + growth).map_err(|_| Error::Unsupported {
                what: "trun.data_offset out of range after the change",
                offset: b[t].offset,
            })?;
            buf[at..at + 4].copy_from_slice(&new.to_be_bytes());
        }
    }
    Ok(())
}

/// Encrypts `data` (a fragmented file, an init segment or a media segment; a media segment
/// needs `init`). Returns the new bytes. [`encrypt_with_report`] also says which slices kept
/// only their NAL header clear.
///
/// ```
/// use dashkit::cenc::{encrypt, EncryptOptions, Error, Key, Scheme};
/// let o = EncryptOptions::new(Scheme::Cenc, Key::new([1; 16], [2; 16]), [3; 16]);
/// // A lone moof without its init segment.
/// let seg = [0, 0, 0, 8, b'm', b'o', b'o', b'f'];
/// assert_eq!(encrypt(&seg, None, &o), Err(Error::MissingInit));
/// ```
pub fn encrypt(data: &[u8], init: Option<&[u8]>, opts: &EncryptOptions) -> Result<Vec<u8>, Error> {
    encrypt_with_report(data, init, opts).map(|(bytes, _)| bytes)
}

/// [`encrypt`], and for each video track whose slice headers could not all be read (a slice
/// naming a parameter set never seen, a configuration record that cannot be read, a stream
/// feature dashkit does not lay out) a [`ClearHeaderFallback`].
///
/// ```
/// use dashkit::cenc::{encrypt_with_report, EncryptOptions, Key, Scheme};
/// let o = EncryptOptions::new(Scheme::Cbcs, Key::new([1; 16], [2; 16]), [3; 16]);
/// let ftyp = [0, 0, 0, 16, b'f', b't', b'y', b'p', b'i', b's', b'o', b'6', 0, 0, 0, 0];
/// // Nothing to encrypt in a file with neither moov nor moof: the bytes come back as they are.
/// let (bytes, fallbacks) = encrypt_with_report(&ftyp, None, &o).unwrap();
/// assert_eq!((bytes.as_slice(), fallbacks.len()), (&ftyp[..], 0));
/// ```
pub fn encrypt_with_report(
    data: &[u8],
    init: Option<&[u8]>,
    opts: &EncryptOptions,
) -> Result<(Vec<u8>, Vec<ClearHeaderFallback>), Error> {
    let idx = Index::parse(data)?;
    let has_moov = idx.find("moov").is_some();
    let (init_data, init_idx) = match (has_moov, init) {
        (true, _) => (data, idx.clone()),
        (false, Some(i)) => (i, Index::parse(i)?),
        (false, None) => {
            if idx.find("moof").is_none() {
                return Ok((data.to_vec(), vec![]));
            }
            return Err(Error::MissingInit);
        }
    };
    let all = tracks(init_data, &init_idx)?;
    let mut chosen = Vec::new();
    for t in &all {
        if opts.track_id.is_some_and(|id| id != t.id) {
            continue;
        }
        if t.protection.is_some() {
            return Err(Error::AlreadyEncrypted { track_id: t.id });
        }
        match t.layout {
            Layout::Other(fourcc) => {
                // A track named by --track, or a video track, that cannot be laid out is an
                // error (a clear video track in a "protected" file would be worse); other
                // tracks (text, metadata) stay clear.
                if opts.track_id.is_some() || is_video(init_data, &init_idx, t) {
                    return Err(Error::UnsupportedCodec {
                        track_id: t.id,
                        fourcc,
                    });
                }
            }
            _ => chosen.push(t.clone()),
        }
    }
    if chosen.is_empty() {
        return Err(Error::NoTrack {
            action: "encrypt",
            track_id: opts.track_id,
        });
    }
    let b = idx.boxes();
    let mut buf = data.to_vec();
    let mut splices = Vec::new();
    if has_moov {
        for t in &chosen {
            let e = &b[t.entry];
            let video = matches!(t.layout, Layout::Nal(..));
            buf[e.start + 4..e.start + 8].copy_from_slice(if video { b"encv" } else { b"enca" });
            splices.push(Splice {
                parent: t.entry,
                at: e.end(),
                remove: 0,
                insert: sinf_bytes(opts.scheme, &opts.key, &opts.iv, e.kind, video)?,
            });
        }
        let mut pssh = Vec::new();
        Pssh {
            version: 1,
            system_id: COMMON_SYSTEM_ID,
            kids: vec![opts.key.kid()],
            data: vec![],
        }
        .encode_into(&mut pssh)?;
        if let Some(moov) = idx.find("moov") {
            splices.push(Splice {
                parent: moov,
                at: b[moov].end(),
                remove: 0,
                insert: pssh,
            });
        }
    }
    let defaults = trex_defaults(init_data, &init_idx)?;
    // Each video track's slice-header reader, in the order of `chosen`, and what fell back.
    let mut headers: Vec<Option<SliceHeaders>> = chosen
        .iter()
        .map(|t| match t.layout {
            Layout::Nal(codec, _) => {
                let kind = match codec {
                    NalCodec::Avc => b"avcC",
                    NalCodec::Hevc => b"hvcC",
                };
                let ib = init_idx.boxes();
                let config = init_idx
                    .child(t.entry, kind)
                    .and_then(|c| init_data.get(ib[c].payload_range()))
                    .unwrap_or(&[]);
                Some(SliceHeaders::for_track(codec, config))
            }
            _ => None,
        })
        .collect();
    let mut fallbacks: Vec<ClearHeaderFallback> = Vec::new();
    let mut counter = u64::from_be_bytes(opts.iv[..8].try_into().unwrap_or([0; 8]));
    for moof in idx.top().filter(|&i| b[i].is(b"moof")) {
        let mut previous_end = None;
        let mut growth = 0i64;
        for (n, traf) in idx.children(moof).filter(|&c| b[c].is(b"traf")).enumerate() {
            let at = TrafAt {
                moof_offset: b[moof].offset,
                index: n,
                previous_end,
                within_data: true,
            };
            let (ts, end) = resolve_traf(data, &idx, traf, at, &defaults)?;
            previous_end = Some(end);
            let Some(ti) = chosen.iter().position(|t| t.id == ts.track_id) else {
                continue;
            };
            let t = &chosen[ti];
            if ts.tfhd.data_base(n) != DataBase::Moof {
                return Err(Error::Unsupported {
                    what: "a protected traf whose data is not counted from its moof",
                    offset: b[traf].offset,
                });
            }
            let subs_flag = matches!(t.layout, Layout::Nal(..));
            let mut entries = Vec::with_capacity(ts.samples.len());
            for s in &ts.samples {
                let start = (s.offset - idx.base()) as usize;
                let bytes = &mut buf[start..start + s.size as usize];
                let subsamples = match (t.layout, headers[ti].as_mut()) {
                    (Layout::Nal(codec, len), Some(h)) => {
                        let mut note = |at: usize, e: SliceHeaderError| {
                            note_fallback(&mut fallbacks, t.id, s.offset + at as u64, e)
                        };
                        nal::subsamples(codec, len, opts.scheme, h, bytes, &mut note)?
                    }
                    _ => vec![],
                };
                let (iv, civ): (Vec<u8>, Vec<u8>) = match opts.scheme {
                    Scheme::Cenc => {
                        let iv = counter.to_be_bytes().to_vec();
                        counter = counter.wrapping_add(1);
                        (iv.clone(), iv)
                    }
                    Scheme::Cbcs => (vec![], opts.iv.to_vec()),
                };
                let pattern = if subs_flag {
                    Pattern { crypt: 1, skip: 9 }
                } else {
                    Pattern { crypt: 0, skip: 0 }
                };
                crypt_sample(
                    opts.scheme,
                    opts.key.value(),
                    &civ,
                    pattern,
                    &subsamples,
                    bytes,
                    true,
                )?;
                entries.push(SencEntry { iv, subsamples });
            }
            let senc = Senc {
                flags: if subs_flag { SENC_USE_SUBSAMPLES } else { 0 },
                entries,
            };
            let sizes: Vec<u8> = senc
                .entries
                .iter()
                .map(|e| u8::try_from(e.encoded_len(subs_flag)).unwrap_or(u8::MAX))
                .collect();
            // A default of 0 means "listed per sample", so a uniform 0 (cbcs full-sample:
            // constant IV, no subsamples) is listed too.
            let uniform =
                sizes.windows(2).all(|w| w[0] == w[1]) && sizes.first().is_some_and(|&s| s != 0);
            let saiz = Saiz {
                aux_info_type: None,
                default_sample_info_size: if uniform { sizes[0] } else { 0 },
                sample_count: sizes.len() as u32,
                sizes: if uniform { vec![] } else { sizes },
            };
            let mut saio = Saio {
                version: 0,
                flags: 0,
                offsets: vec![0],
                offsets_at: 16,
            };
            let senc_at = (b[traf].end() - b[moof].start) as i64
                + growth
                + (saiz.encoded_len() + saio.encoded_len()) as i64
                + 16;
            saio.offsets = vec![senc_at as u64];
            let mut insert = Vec::new();
            saiz.encode_into(&mut insert)?;
            saio.encode_into(&mut insert)?;
            senc.encode_into(&mut insert)?;
            growth += insert.len() as i64;
            splices.push(Splice {
                parent: traf,
                at: b[traf].end(),
                remove: 0,
                insert,
            });
        }
        if growth != 0 {
            patch_data_offsets(&mut buf, &idx, moof, growth)?;
        }
    }
    Ok((apply(buf, &idx, splices)?, fallbacks))
}

/// Counts one slice of `track_id` that kept only its NAL header clear (the first one's place
/// and reason are kept).
fn note_fallback(
    fallbacks: &mut Vec<ClearHeaderFallback>,
    track_id: u32,
    offset: u64,
    error: SliceHeaderError,
) {
    match fallbacks.iter_mut().find(|f| f.track_id == track_id) {
        Some(f) => f.slices += 1,
        None => fallbacks.push(ClearHeaderFallback {
            track_id,
            slices: 1,
            first_offset: offset,
            first_error: error,
        }),
    }
}

fn is_video(data: &[u8], idx: &Index, t: &Track) -> bool {
    let b = idx.boxes();
    let mut p = b[t.entry].parent;
    while let Some(i) = p {
        if b[i].is(b"mdia") {
            if let Some(h) = idx.child(i, b"hdlr") {
                if let Ok(h) = Hdlr::parse(&data[b[h].range()], b[h].offset) {
                    return h.handler_type.0 == *b"vide";
                }
            }
        }
        p = b[i].parent;
    }
    false
}

/// Decrypts `data` (a fragmented file, an init segment or a media segment; a media segment
/// needs `init`) with `key`: every track protected under `key`'s KID gets its samples
/// decrypted, its original sample entry back (no `sinf`), and loses `senc`, `saiz` and
/// `saio`; `pssh` boxes are removed.
///
/// ```
/// use dashkit::cenc::{decrypt, Error, Key};
/// let seg = [0, 0, 0, 8, b'm', b'o', b'o', b'f'];
/// assert_eq!(decrypt(&seg, None, &Key::new([1; 16], [2; 16])), Err(Error::MissingInit));
/// ```
pub fn decrypt(data: &[u8], init: Option<&[u8]>, key: &Key) -> Result<Vec<u8>, Error> {
    let idx = Index::parse(data)?;
    let has_moov = idx.find("moov").is_some();
    let (init_data, init_idx) = match (has_moov, init) {
        (true, _) => (data, idx.clone()),
        (false, Some(i)) => (i, Index::parse(i)?),
        (false, None) => {
            if idx.find("moof").is_none() {
                return Ok(data.to_vec());
            }
            return Err(Error::MissingInit);
        }
    };
    let chosen: Vec<Track> = tracks(init_data, &init_idx)?
        .into_iter()
        .filter(|t| {
            t.protection
                .as_ref()
                .is_some_and(|p| p.tenc.kid == key.kid())
        })
        .collect();
    if chosen.is_empty() {
        return Err(Error::NoTrack {
            action: "decrypt",
            track_id: None,
        });
    }
    let b = idx.boxes();
    let mut buf = data.to_vec();
    let mut splices = Vec::new();
    if has_moov {
        for t in &chosen {
            let Some(p) = &t.protection else { continue };
            let e = &b[t.entry];
            buf[e.start + 4..e.start + 8].copy_from_slice(&p.original.0);
            let s = &b[p.sinf];
            splices.push(Splice {
                parent: t.entry,
                at: s.start,
                remove: s.size as usize,
                insert: vec![],
            });
        }
        for i in idx.all(b"pssh") {
            if let Some(parent) = b[i].parent.filter(|&m| b[m].is(b"moov")) {
                splices.push(Splice {
                    parent,
                    at: b[i].start,
                    remove: b[i].size as usize,
                    insert: vec![],
                });
            }
        }
    }
    let defaults = trex_defaults(init_data, &init_idx)?;
    for moof in idx.top().filter(|&i| b[i].is(b"moof")) {
        let mut previous_end = None;
        let mut growth = 0i64;
        for (n, traf) in idx.children(moof).filter(|&c| b[c].is(b"traf")).enumerate() {
            let at = TrafAt {
                moof_offset: b[moof].offset,
                index: n,
                previous_end,
                within_data: true,
            };
            let (ts, end) = resolve_traf(data, &idx, traf, at, &defaults)?;
            previous_end = Some(end);
            let Some(t) = chosen.iter().find(|t| t.id == ts.track_id) else {
                continue;
            };
            let Some(p) = &t.protection else { continue };
            let senc_i = idx.child(traf, b"senc").ok_or(Error::Unsupported {
                what: "protected traf without senc",
                offset: b[traf].offset,
            })?;
            let senc = Senc::parse(
                &data[b[senc_i].range()],
                b[senc_i].offset,
                p.tenc.per_sample_iv_size,
            )
            .map_err(|e| e.in_path(idx.path(senc_i)))?;
            if senc.entries.len() != ts.samples.len() {
                return Err(Error::Unsupported {
                    what: "senc sample_count differs from the traf's samples",
                    offset: b[senc_i].offset,
                });
            }
            if ts.tfhd.data_base(n) == DataBase::AfterPrevious {
                return Err(Error::Unsupported {
                    what: "a protected traf whose data follows the previous traf's",
                    offset: b[traf].offset,
                });
            }
            let pattern = Pattern {
                crypt: p.tenc.crypt_byte_block,
                skip: p.tenc.skip_byte_block,
            };
            for (s, e) in ts.samples.iter().zip(&senc.entries) {
                let start = (s.offset - idx.base()) as usize;
                let bytes = &mut buf[start..start + s.size as usize];
                let iv = if p.tenc.per_sample_iv_size == 0 {
                    &p.tenc.constant_iv
                } else {
                    &e.iv
                };
                crypt_sample(
                    p.scheme,
                    key.value(),
                    iv,
                    pattern,
                    &e.subsamples,
                    bytes,
                    false,
                )?;
            }
            for c in idx.children(traf) {
                let cb = &b[c];
                if cb.is(b"senc") || cb.is(b"saiz") || cb.is(b"saio") {
                    growth -= cb.size as i64;
                    splices.push(Splice {
                        parent: traf,
                        at: cb.start,
                        remove: cb.size as usize,
                        insert: vec![],
                    });
                }
            }
        }
        if growth != 0 {
            patch_data_offsets(&mut buf, &idx, moof, growth)?;
        }
    }
    apply(buf, &idx, splices)
}
