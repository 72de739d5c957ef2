//! Live media segments (livesim.md §3.2): the VoD segment chosen by wrap-around, its tfdt
//! moved by whole loops (`loops × loopDur × timescale` ticks, exactly), mfhd set to the live
//! number, sidx dropped (dashlivesim's default) or replaced by dashlivesim's 52-byte version 1
//! sidx (`sidx_1`), all through [`rewrite_segment`]: a tfdt that outgrows 32 bits becomes
//! version 1 with every offset fixed, and the mdat stays borrowed from the VoD bytes.
//!
//! Init segments are passed through unchanged (dashlivesim zeroes the mvhd/tkhd/mdhd
//! durations, §3.1; fragmented VoD init segments from ffmpeg and Shaka Packager already carry
//! zero durations, so dashkit does not rewrite them).

use crate::bmff::boxes::Tfdt;
use crate::bmff::index::{Depth, Index};
use crate::bmff::patch::{rewrite_segment, Edits, Part, Rewritten, SidxEdit, TfdtEdit, TfdtTarget};
use crate::bmff::samples::track_samples;
use crate::bmff::{Sidx, SidxReference};

use super::asset::LiveAsset;
use super::timing::{Availability, LiveSegment, Timing};
use super::Error;

/// How a live media segment is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentAddress {
    /// `$Number$`: the live segment number.
    Number(u64),
    /// `$Time$` (`t<time>.m4s`): the media time in the track timescale.
    Time(u64),
}

/// What a live segment request resolves to before any bytes are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentPlan {
    /// Serve it: read `vod_url` and rewrite it.
    Ready {
        /// The live segment (number, VoD number, loops, offset, window).
        live: LiveSegment,
        /// The VoD segment's URL relative to the MPD.
        vod_url: String,
        /// The track timescale.
        timescale: u32,
        /// The tfdt shift in ticks.
        tfdt_offset_ticks: u64,
    },
    /// Not yet available: `by_ms` until it is.
    TooEarly {
        /// Milliseconds until it may be fetched.
        by_ms: i64,
    },
    /// Out of the timeshift window by `by_ms`.
    TooLate {
        /// Milliseconds past its window.
        by_ms: i64,
    },
    /// No such Representation, or a number before the start or after the stop.
    NotFound,
}

/// A live segment request's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSegmentResult<'a> {
    /// The rewritten segment: owned headers, borrowed mdat.
    Ready(Rewritten<'a>),
    /// Not yet available.
    TooEarly {
        /// Milliseconds until it may be fetched.
        by_ms: i64,
    },
    /// Out of the timeshift window.
    TooLate {
        /// Milliseconds past its window.
        by_ms: i64,
    },
    /// No such segment.
    NotFound,
}

/// Resolves a live segment request at `now_ms` (dashlivesim's checks, §2.4) without reading
/// any media.
///
/// ```
/// use dashkit::live::{asset::LiveAsset, segment::*, timing::Timing, options::LiveOptions};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// let t = Timing::from_options(&LiveOptions::default(), asset.looping, 300, 1_003_000).unwrap().timing;
/// // livesim.md §3.2: V300/500.m4s at 1003 is VoD 1 with tfdt + 90,000,000.
/// match plan_segment(&asset, &t, "V300", SegmentAddress::Number(500), 1_003_000).unwrap() {
///     SegmentPlan::Ready { vod_url, tfdt_offset_ticks, .. } => {
///         assert_eq!(vod_url, "V300/1.m4s");
///         assert_eq!(tfdt_offset_ticks, 90_000_000);
///     }
///     other => panic!("{other:?}"),
/// }
/// // At 1001.9 s it is 100 ms too early.
/// assert_eq!(plan_segment(&asset, &t, "V300", SegmentAddress::Number(500), 1_001_900).unwrap(),
///            SegmentPlan::TooEarly { by_ms: 100 });
/// ```
pub fn plan_segment(
    asset: &LiveAsset,
    timing: &Timing,
    rep_id: &str,
    address: SegmentAddress,
    now_ms: i64,
) -> Result<SegmentPlan, Error> {
    let Some((aset, rep)) = asset.representation(rep_id) else {
        return Ok(SegmentPlan::NotFound);
    };
    let number = match address {
        SegmentAddress::Number(n) => n,
        SegmentAddress::Time(t) => timing.number_for_time(t, aset.timescale)?,
    };
    match timing.check_media(number, now_ms)? {
        Availability::Available => {}
        Availability::TooEarly { by_ms, .. } => return Ok(SegmentPlan::TooEarly { by_ms }),
        Availability::TooLate { by_ms } => return Ok(SegmentPlan::TooLate { by_ms }),
        Availability::BeforeStart { .. } | Availability::AfterStop { .. } => {
            return Ok(SegmentPlan::NotFound)
        }
    }
    let live = timing.segment(number)?;
    Ok(SegmentPlan::Ready {
        vod_url: rep.media_url(live.vod_number)?,
        tfdt_offset_ticks: live.tfdt_offset_ticks(aset.timescale)?,
        timescale: aset.timescale,
        live,
    })
}

/// Builds live segment `address` of `rep_id` at `now_ms` from the VoD segment's bytes (the
/// caller read [`SegmentPlan::Ready::vod_url`]). `sidx` inserts dashlivesim's sidx.
///
/// The output borrows `vod_bytes`: only the moof (and an inserted sidx) are new bytes.
pub fn live_segment<'a>(
    asset: &LiveAsset,
    timing: &Timing,
    rep_id: &str,
    address: SegmentAddress,
    vod_bytes: &'a [u8],
    now_ms: i64,
    sidx: bool,
) -> Result<LiveSegmentResult<'a>, Error> {
    match plan_segment(asset, timing, rep_id, address, now_ms)? {
        SegmentPlan::Ready {
            live,
            vod_url,
            timescale,
            tfdt_offset_ticks,
        } => shift_segment(
            vod_bytes,
            &vod_url,
            &live,
            timescale,
            tfdt_offset_ticks,
            sidx,
        )
        .map(LiveSegmentResult::Ready),
        SegmentPlan::TooEarly { by_ms } => Ok(LiveSegmentResult::TooEarly { by_ms }),
        SegmentPlan::TooLate { by_ms } => Ok(LiveSegmentResult::TooLate { by_ms }),
        SegmentPlan::NotFound => Ok(LiveSegmentResult::NotFound),
    }
}

/// Rewrites one VoD segment as live segment `live`: tfdt + `tfdt_offset_ticks`, mfhd =
/// `live.number`, sidx dropped or (with `sidx`) dashlivesim's 52-byte sidx inserted before
/// the moof. `url` only labels errors.
pub fn shift_segment<'a>(
    vod_bytes: &'a [u8],
    url: &str,
    live: &LiveSegment,
    timescale: u32,
    tfdt_offset_ticks: u64,
    sidx: bool,
) -> Result<Rewritten<'a>, Error> {
    let berr = |e| Error::Segment {
        url: url.to_string(),
        source: Box::new(e),
    };
    let seq = u32::try_from(live.number).map_err(|_| Error::Overflow)?;
    let edits = Edits {
        tfdt: vec![TfdtEdit {
            track_id: None,
            target: TfdtTarget::Add(tfdt_offset_ticks),
        }],
        sequence_number: Some(seq),
        sidx: SidxEdit::Drop,
        ..Edits::default()
    };
    let mut out = rewrite_segment(vod_bytes, &edits).map_err(berr)?;
    if out.owned_len() == 0 {
        // Nothing was patched: either the shift and number were already there, or the file
        // has no moof/traf/tfdt at all, which is not a media segment (NotLiveable).
        first_tfdt(
            vod_bytes,
            &Index::parse_with(vod_bytes, 0, Depth::TopAndMoof).map_err(berr)?,
            url,
        )?;
    }
    if sidx {
        // Only here is the input indexed: dashlivesim's sidx needs the new tfdt and the bytes
        // before the first moof in the output (the top-level boxes before it, sidx gone).
        let idx = Index::parse_with(vod_bytes, 0, Depth::TopAndMoof).map_err(berr)?;
        let new_tfdt = first_tfdt(vod_bytes, &idx, url)?
            .checked_add(tfdt_offset_ticks)
            .ok_or(Error::Overflow)?;
        let moof_i = idx.find("moof").ok_or(Error::NotLiveable {
            reason: "a VoD media segment has no moof",
        })?;
        let moof_at = idx.boxes()[moof_i].start;
        let prefix: usize = idx
            .top()
            .map(|i| &idx.boxes()[i])
            .filter(|x| x.start < moof_at && !x.is(b"sidx"))
            .map(|x| x.end() - x.start)
            .sum();
        let referenced = out.len().checked_sub(prefix).ok_or(Error::Overflow)?;
        let duration = track_samples(None, vod_bytes, 0)
            .ok()
            .and_then(|t| {
                t.first()
                    .map(|t| t.fragments.iter().map(|f| f.duration).sum())
            })
            .filter(|d: &u64| *d > 0)
            .unwrap_or(0);
        let bytes = dashlivesim_sidx(timescale, new_tfdt, referenced, duration)?;
        insert_at(&mut out, prefix, bytes);
    }
    Ok(out)
}

/// The `baseMediaDecodeTime` of the first `moof/traf/tfdt` of a media segment.
pub fn vod_tfdt(bytes: &[u8]) -> Result<u64, Error> {
    let idx = Index::parse_with(bytes, 0, Depth::TopAndMoof).map_err(|e| Error::Segment {
        url: String::new(),
        source: Box::new(e),
    })?;
    first_tfdt(bytes, &idx, "")
}

/// The first `moof/traf/tfdt` of an indexed segment; `url` labels errors.
fn first_tfdt(bytes: &[u8], idx: &Index, url: &str) -> Result<u64, Error> {
    let i = idx.find("moof/traf/tfdt").ok_or(Error::NotLiveable {
        reason: "a VoD media segment has no moof/traf/tfdt",
    })?;
    let b = &idx.boxes()[i];
    Tfdt::parse(bytes.get(b.range()).unwrap_or(&[]), b.offset)
        .map(|t| t.base_media_decode_time)
        .map_err(|e| Error::Segment {
            url: url.to_string(),
            source: Box::new(e.in_path(idx.path(i))),
        })
}

/// dashlivesim's inserted sidx (livesim.md §3.2 item 6): 52 bytes, version 1, reference_ID 1,
/// one reference of type 0 to `referenced_size` bytes, SAP word `0x90000000`.
///
/// ```
/// let s = dashkit::live::segment::dashlivesim_sidx(90_000, 90_000_000, 25_568, 180_000).unwrap();
/// assert_eq!(s.len(), 52);
/// assert_eq!(&s[4..8], b"sidx");
/// ```
pub fn dashlivesim_sidx(
    timescale: u32,
    earliest_presentation_time: u64,
    referenced_size: usize,
    subsegment_duration: u64,
) -> Result<Vec<u8>, Error> {
    let size = u32::try_from(referenced_size)
        .ok()
        .filter(|s| *s < 1 << 31)
        .ok_or(Error::Overflow)?;
    let dur = u32::try_from(subsegment_duration).map_err(|_| Error::Overflow)?;
    let sidx = Sidx {
        version: 1,
        flags: 0,
        reference_id: 1,
        timescale,
        earliest_presentation_time,
        first_offset: 0,
        references: vec![SidxReference {
            reference_type: false,
            referenced_size: size,
            subsegment_duration: dur,
            starts_with_sap: true,
            sap_type: 1,
            sap_delta_time: 0,
        }],
    };
    sidx.encode().map_err(|_| Error::Overflow)
}

/// Inserts `bytes` at output position `at` of `out`, splitting the part there.
fn insert_at<'a>(out: &mut Rewritten<'a>, at: usize, bytes: Vec<u8>) {
    let mut pos = 0;
    let mut parts = Vec::with_capacity(out.parts.len() + 2);
    let mut pending = Some(bytes);
    for p in std::mem::take(&mut out.parts) {
        let len = p.as_bytes().len();
        if let Some(b) = pending.as_ref() {
            if at == pos {
                parts.push(Part::Owned(b.clone()));
                pending = None;
            } else if at > pos && at < pos + len {
                let cut = at - pos;
                match p {
                    Part::Borrowed(s) => {
                        let (x, y) = s.split_at(cut);
                        parts.push(Part::Borrowed(x));
                        parts.push(Part::Owned(b.clone()));
                        parts.push(Part::Borrowed(y));
                    }
                    Part::Owned(v) => {
                        let (x, y) = v.split_at(cut);
                        parts.push(Part::Owned(x.to_vec()));
                        parts.push(Part::Owned(b.clone()));
                        parts.push(Part::Owned(y.to_vec()));
                    }
                }
                pending = None;
                pos += len;
                continue;
            }
        }
        parts.push(p);
        pos += len;
    }
    if let Some(b) = pending {
        parts.push(Part::Owned(b));
    }
    out.parts = parts;
}
