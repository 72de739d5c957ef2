//! Live media segments (docs/box-rewrite.md#live-shift): the VoD segment the loop picks, its tfdt
//! moved by whole loops (`loops × loopDur × timescale` ticks, exactly), mfhd set to the live
//! number, sidx dropped (dashlivesim's default) or replaced by dashlivesim's 52-byte version 1
//! sidx (`sidx_1`), all through [`rewrite_segment`]: a tfdt that outgrows 32 bits becomes
//! version 1 with every offset fixed, and the mdat stays borrowed from the VoD bytes.
//!
//! Init segments are passed through unchanged (dashlivesim zeroes the mvhd/tkhd/mdhd
//! durations; fragmented VoD init segments from ffmpeg and Shaka Packager already carry zero
//! durations, so dashkit does not rewrite them: docs/box-rewrite.md#live-shift).

use crate::bmff::boxes::Tfdt;
use crate::bmff::index::{Depth, Index};
use crate::bmff::patch::{rewrite_segment, Edits, Part, Rewritten, SidxEdit, TfdtEdit, TfdtTarget};
use crate::bmff::samples::track_samples;
use crate::bmff::{Sidx, SidxReference};
use crate::timeline::Timescale;

use super::asset::LiveAsset;
use super::availability::Availability;
use super::timing::{LiveSegment, Timing};
use super::Error;

/// How a live media segment is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentAddress {
    /// `$Number$`: the live segment number.
    Number(u64),
    /// `$Time$` (`t<time>.m4s`): the media time in the track timescale.
    Time(u64),
}

/// A live segment request's outcome: the rewritten segment (owned headers, borrowed mdat),
/// or the refusal.
pub type LiveSegmentResult<'a> = Availability<Rewritten<'a>>;

/// Builds live segment `address` of `rep_id` at `now_ms` from the VoD segment's bytes (the
/// caller read the VoD segment [`Timing::segment`] maps the number to), whole (no
/// `chunkdur_` chunks). `sidx` inserts dashlivesim's sidx. Availability is
/// [`Timing::check_media`], the rule [`super::source::respond`] answers by.
///
/// The output borrows `vod_bytes`: only the moof (and an inserted sidx) are new bytes.
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
/// // Segment 500 ends at 1002 s: at 1001.9 s it is 100 ms too early (no bytes are read).
/// assert_eq!(live_segment(&asset, &t, "V300", SegmentAddress::Number(500), &[], 1_001_900, false)
///            .unwrap(), LiveSegmentResult::TooEarly { by_ms: 100 });
/// ```
pub fn live_segment<'a>(
    asset: &LiveAsset,
    timing: &Timing,
    rep_id: &str,
    address: SegmentAddress,
    vod_bytes: &'a [u8],
    now_ms: i64,
    sidx: bool,
) -> Result<LiveSegmentResult<'a>, Error> {
    let Some((aset, rep)) = asset.representation(rep_id) else {
        return Ok(Availability::NotFound);
    };
    let number = match address {
        SegmentAddress::Number(n) => n,
        SegmentAddress::Time(t) => timing.number_for_time(t, aset.timescale)?,
    };
    let live = match timing.check_media(number, now_ms)?.into_result() {
        Ok(live) => live,
        Err(r) => return Ok(Availability::refused(r)),
    };
    let vod_url = rep.media_url(live.vod_number)?;
    let offset = live.tfdt_offset_ticks(aset.timescale)?;
    shift_segment(vod_bytes, &vod_url, &live, aset.timescale, offset, sidx).map(Availability::Ready)
}

/// Rewrites one VoD segment as live segment `live`: tfdt + `tfdt_offset_ticks`, mfhd =
/// `live.number`, sidx dropped or (with `sidx`) dashlivesim's 52-byte sidx inserted before
/// the moof, and the `lmsg` brand when `live` is the session's last segment
/// ([`super::lmsg::mark_last_segment`]). `url` only labels errors.
pub(crate) fn shift_segment<'a>(
    vod_bytes: &'a [u8],
    url: &str,
    live: &LiveSegment,
    timescale: Timescale,
    tfdt_offset_ticks: u64,
    sidx: bool,
) -> Result<Rewritten<'a>, Error> {
    shift_segment_with_events(
        vod_bytes,
        url,
        live,
        timescale,
        tfdt_offset_ticks,
        sidx,
        Vec::new(),
    )
}

/// [`shift_segment`] with `emsg` boxes inserted before the moof (after styp, sidx and prft):
/// the live simulator's in-band events (`scte35_`, [`super::scte35`]).
pub(crate) fn shift_segment_with_events<'a>(
    vod_bytes: &'a [u8],
    url: &str,
    live: &LiveSegment,
    timescale: Timescale,
    tfdt_offset_ticks: u64,
    sidx: bool,
    emsg: Vec<crate::bmff::boxes::Emsg>,
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
        emsg,
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
        let bytes = dashlivesim_sidx(timescale.get(), new_tfdt, referenced, duration)?;
        insert_at(&mut out, prefix, bytes);
    }
    if live.last {
        super::lmsg::mark_last_segment(&mut out, vod_bytes).map_err(|e| match e {
            Error::Segment { source, .. } => berr(*source),
            other => other,
        })?;
    }
    Ok(out)
}

/// The `baseMediaDecodeTime` of the first `moof/traf/tfdt` of a media segment.
pub(crate) fn vod_tfdt(bytes: &[u8]) -> Result<u64, Error> {
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

/// dashlivesim's sidx (docs/box-rewrite.md#live-shift): 52 bytes, version 1, reference_ID 1,
/// one reference of type 0 to `referenced_size` bytes, SAP word `0x90000000`.
pub(crate) fn dashlivesim_sidx(
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

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn dashlivesim_sidx_example() {
        let s =
            crate::live::segment::dashlivesim_sidx(90_000, 90_000_000, 25_568, 180_000).unwrap();
        assert_eq!(s.len(), 52);
        assert_eq!(&s[4..8], b"sidx");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod fixture_tests {
    use super::*;
    use crate::live::options::LiveOptions;

    /// A file with no moof/traf/tfdt (here an init segment) is not a media segment: refused,
    /// whether or not the shift would change anything.
    #[test]
    fn a_file_without_tfdt_is_not_liveable() {
        let a = crate::live::asset::tests::fixture_asset();
        let o = LiveOptions::parse("").unwrap();
        let t = Timing::from_options(&o, a.looping, a.default_tsbd_s, 100_000)
            .unwrap()
            .timing;
        let init = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/dash/ffmpeg_livesim/0/init.mp4"
        ))
        .unwrap();
        for (n, offset) in [(2, 0), (7, 128_000)] {
            let seg = t.segment(n).unwrap();
            let video = Timescale::new(12_800).unwrap();
            let r = shift_segment(&init, "0/init.mp4", &seg, video, offset, false);
            assert!(
                matches!(r, Err(Error::NotLiveable { .. })),
                "{n}: {:?}",
                r.map(|o| o.len())
            );
        }
    }
}
