//! Checks on ISO-BMFF bytes: the init segment's facts, and the per-segment (per-fragment)
//! checks shared by MPD validation and single-file validation.

use super::{codes, ms, Finding, Report, Severity};
use crate::bmff::boxes::{parse_elst, Mfhd};
use crate::bmff::codec::{aac_sbr_signalling, codec_string, SbrSignalling};
use crate::bmff::index::Depth;
use crate::bmff::info::describe;
use crate::bmff::samples::{track_samples, TrackSamples};
use crate::bmff::{Index, Sidx};
use crate::sniff::{sniff, Container};

/// What the init segment says about the (one) track a Representation carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InitFacts {
    pub track_id: u32,
    pub timescale: u32,
    pub handler: String,
    pub codec: String,
    pub dimensions: Option<(u32, u32)>,
    pub sample_rate: Option<u32>,
    /// `elst` media_time of the first non-empty edit (0 when there is none).
    pub elst_media_time: i64,
    /// How an AAC entry's AudioSpecificConfig signals SBR/PS (`None` for other codecs).
    pub aac_sbr: Option<SbrSignalling>,
    /// Major and compatible brands of the `ftyp`, if there is one.
    pub brands: Vec<[u8; 4]>,
}

/// Reads the first track of an init segment (or of a whole fragmented file).
pub(crate) fn init_facts(data: &[u8]) -> Result<InitFacts, String> {
    let info = describe(data).map_err(|e| e.to_string())?;
    let track = info
        .tracks
        .first()
        .ok_or_else(|| "no track in moov".to_owned())?;
    if track.timescale == 0 {
        return Err(format!("track {} has mdhd timescale 0", track.track_id));
    }
    let idx = Index::parse(data).map_err(|e| e.to_string())?;
    let mut elst_media_time = 0;
    if let Some(e) = idx.all(b"elst").next() {
        let b = &idx.boxes()[e];
        let entries = parse_elst(&data[b.range()], b.offset).map_err(|e| e.to_string())?;
        if let Some(first) = entries.iter().find(|x| x.media_time >= 0) {
            elst_media_time = first.media_time;
        }
    }
    let mut sample_rate = None;
    let mut aac_sbr = None;
    let mut codec = track.codec.clone();
    if let Some(stsd) = idx.all(b"stsd").next() {
        if let Some(entry) = idx.children(stsd).next() {
            let b = &idx.boxes()[entry];
            if track.handler == "soun" {
                // AudioSampleEntry: samplerate 16.16 at +32 (ISO/IEC 14496-12 §12.2.3).
                sample_rate = data
                    .get(b.start + 32..b.start + 36)
                    .and_then(|s| <[u8; 4]>::try_from(s).ok())
                    .map(|s| u32::from_be_bytes(s) >> 16);
            }
            if codec.is_empty() {
                codec = codec_string(data, &idx, entry).unwrap_or_default();
            }
            aac_sbr = aac_sbr_signalling(data, &idx, entry);
        }
    }
    Ok(InitFacts {
        track_id: track.track_id,
        timescale: track.timescale,
        handler: track.handler.clone(),
        codec,
        dimensions: track.dimensions,
        sample_rate,
        elst_media_time,
        aac_sbr,
        brands: brands(data, &idx, b"ftyp"),
    })
}

/// Major brand and compatible brands of the first top-level `kind` box (`ftyp` or `styp`,
/// ISO/IEC 14496-12 §4.3: major_brand, minor_version, compatible_brands to the end).
pub(crate) fn brands(data: &[u8], idx: &Index, kind: &[u8; 4]) -> Vec<[u8; 4]> {
    let Some(i) = idx.top().find(|&i| idx.boxes()[i].is(kind)) else {
        return Vec::new();
    };
    let Some(p) = data.get(idx.boxes()[i].payload_range()) else {
        return Vec::new();
    };
    // Bounded by the box's own bytes, not by a count. The major brand is usually repeated
    // among the compatible ones: each brand is kept once, in order.
    let mut out: Vec<[u8; 4]> = Vec::new();
    for (k, c) in p
        .chunks_exact(4)
        .take(crate::limits::MAX_BRANDS)
        .enumerate()
    {
        if k == 1 {
            continue; // minor_version
        }
        if let Ok(b) = <[u8; 4]>::try_from(c) {
            if !out.contains(&b) {
                out.push(b);
            }
        }
    }
    out
}

/// What one media segment holds for the Representation's track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SegmentFacts {
    /// tfdt of the first fragment, media ticks.
    pub decode_start: u64,
    /// Earliest presentation time: min(decode + composition offset) − elst media_time.
    pub ept: i128,
    /// Sum of sample durations, media ticks.
    pub duration: u64,
    /// Duration of the first sample (for tolerances).
    pub first_sample_duration: u32,
    /// Bytes of the segment.
    pub size_bytes: u64,
}

/// The earliest presentation time of media whose earliest composition time is `pts`: the
/// edit list maps media time `elst` to presentation time 0, and media before it is not
/// presented, so a segment the edit cuts into starts at 0 (ISO/IEC 14496-12 §8.6.6).
fn presented_start(pts: i128, elst: i64) -> i128 {
    let t = pts - i128::from(elst);
    if elst > 0 {
        t.max(0)
    } else {
        t
    }
}

/// Context for the per-segment checks.
pub(crate) struct SegmentCheck<'a> {
    pub init: Option<&'a [u8]>,
    pub facts: &'a InitFacts,
    /// Name used in locations (URL or file name).
    pub name: &'a str,
    pub representation: Option<&'a str>,
    /// Require a sync sample at the start of the segment (video, or startWithSAP claimed).
    pub require_sap_at_start: bool,
    /// Require a sync sample at the start of every fragment (single-file video).
    pub require_sap_per_fragment: bool,
}

fn finding(
    code: &'static str,
    severity: Severity,
    location: String,
    expected: Option<String>,
    found: Option<String>,
    message: String,
    representation: Option<&str>,
) -> Finding {
    Finding {
        code,
        severity,
        location,
        expected,
        found,
        message,
        representation: representation.map(str::to_owned),
    }
}

/// Runs the per-segment checks (parse, SAP, mfhd sequence, trun data offsets, sidx) on one
/// media segment, and returns its timing facts when it parsed.
pub(crate) fn check_segment(
    ctx: &SegmentCheck<'_>,
    bytes: &[u8],
    offset: u64,
    last_sequence: &mut Option<u32>,
    sample_durations: &mut Vec<(u32, u64)>,
    delivery: &mut Vec<(u64, u64)>,
    out: &mut Vec<Finding>,
) -> Option<SegmentFacts> {
    let rep = ctx.representation;
    let parse_err = |msg: String| {
        finding(
            codes::SEG_PARSE,
            Severity::Error,
            ctx.name.to_owned(),
            None,
            None,
            msg,
            rep,
        )
    };
    let tracks = match track_samples(ctx.init, bytes, offset) {
        Ok(t) => t,
        Err(e) => {
            out.push(parse_err(format!("segment does not parse: {e}")));
            return None;
        }
    };
    let Some(track) = tracks.iter().find(|t| t.track_id == ctx.facts.track_id) else {
        out.push(parse_err(format!(
            "no samples for track {} (the init segment's track)",
            ctx.facts.track_id
        )));
        return None;
    };
    let Some(first) = track.samples.first() else {
        out.push(parse_err(format!(
            "no samples for track {}",
            ctx.facts.track_id
        )));
        return None;
    };
    let idx = match Index::parse_with(bytes, offset, Depth::TopAndMoof) {
        Ok(i) => i,
        Err(e) => {
            out.push(parse_err(format!("segment does not parse: {e}")));
            return None;
        }
    };
    check_sap(ctx, track, bytes, &idx, out);
    check_sequence(ctx, bytes, &idx, last_sequence, out);
    check_data_offsets(ctx, track, &idx, out);
    check_sidx(ctx, &tracks, track, bytes, &idx, out);
    let mut duration: u64 = 0;
    let mut earliest: Option<i128> = None;
    // Bytes that are not sample data (styp, sidx, moof, headers) travel with the first sample.
    let sample_bytes: u64 = track.samples.iter().map(|s| u64::from(s.size)).sum();
    let overhead = (bytes.len() as u64).saturating_sub(sample_bytes);
    for (k, s) in track.samples.iter().enumerate() {
        let extra = if k == 0 { overhead } else { 0 };
        delivery.push((s.decode_time, u64::from(s.size) + extra));
        duration = duration.saturating_add(u64::from(s.duration));
        let pts = i128::from(s.decode_time) + i128::from(s.composition_offset);
        earliest = Some(earliest.map_or(pts, |e| e.min(pts)));
        if let Some((_, n)) = sample_durations.iter_mut().find(|(d, _)| *d == s.duration) {
            *n += 1;
        } else if sample_durations.len() < 64 {
            sample_durations.push((s.duration, 1));
        }
    }
    let decode_start = track
        .fragments
        .first()
        .map_or(first.decode_time, |f| f.decode_time);
    Some(SegmentFacts {
        decode_start,
        ept: presented_start(earliest.unwrap_or(0), ctx.facts.elst_media_time),
        duration,
        first_sample_duration: first.duration,
        size_bytes: bytes.len() as u64,
    })
}

/// SEG-SAP: a segment starts with a sync sample (ISO/IEC 23009-1 §5.3.3.2 `@startWithSAP`;
/// sync iff sample_is_non_sync_sample is clear).
///
/// In a single file ([`SegmentCheck::require_sap_per_fragment`]) a segment starts where the
/// file says one does, not at every moof: at each type-0 sidx reference that claims
/// `starts_with_SAP` (§8.16.3), else at each `styp` (§8.16.2: a styp begins a segment), else
/// at the first fragment only. Chunked CMAF (one frame per moof) thus needs no sync sample
/// inside a segment.
fn check_sap(
    ctx: &SegmentCheck<'_>,
    track: &TrackSamples,
    bytes: &[u8],
    idx: &Index,
    out: &mut Vec<Finding>,
) {
    let starts: Vec<usize> = if ctx.require_sap_per_fragment {
        let offsets = segment_start_offsets(bytes, idx, track.track_id);
        track
            .fragments
            .iter()
            .enumerate()
            .filter(|(k, f)| {
                if offsets.is_empty() {
                    *k == 0
                } else {
                    offsets.contains(&f.moof_offset)
                }
            })
            .map(|(_, f)| f.first_sample_index)
            .collect()
    } else if ctx.require_sap_at_start {
        vec![0]
    } else {
        return;
    };
    for &i in &starts {
        let fi = track
            .fragments
            .iter()
            .position(|f| f.first_sample_index == i)
            .unwrap_or(0);
        if let Some(s) = track.samples.get(i) {
            if !s.is_sync {
                out.push(finding(
                    codes::SEG_SAP,
                    Severity::Error,
                    format!("{} moof[{fi}]/traf/trun sample 1", ctx.name),
                    Some("sync sample".to_owned()),
                    Some("non-sync sample".to_owned()),
                    format!(
                        "the first sample (decode time {}) is not a sync sample: a player \
                         switching or seeking here cannot decode it",
                        s.decode_time
                    ),
                    ctx.representation,
                ));
            }
        }
    }
}

/// Absolute offsets where a segment (subsegment) of `track_id` starts inside one file: the
/// starts of the type-0 references with `starts_with_SAP` of the sidx boxes indexing that
/// track, else the first moof after each `styp`. Empty when the file marks none.
fn segment_start_offsets(bytes: &[u8], idx: &Index, track_id: u32) -> Vec<u64> {
    let base = idx.base();
    let mut from_sidx = Vec::new();
    let mut any_sidx = false;
    for i in idx.top().filter(|&i| idx.boxes()[i].is(b"sidx")) {
        let b = &idx.boxes()[i];
        let Some(sidx) = bytes
            .get(b.range())
            .and_then(|s| Sidx::parse(s, base + b.start as u64).ok())
        else {
            continue;
        };
        if sidx.reference_id != track_id {
            continue;
        }
        any_sidx = true;
        let Some(ranges) = sidx.reference_ranges(base + b.start as u64, b.size) else {
            continue;
        };
        for (r, &(start, _)) in sidx.references.iter().zip(&ranges) {
            if !r.reference_type && r.starts_with_sap {
                from_sidx.push(start);
            }
        }
    }
    if any_sidx {
        // A reference may start at a styp or emsg before its moof: its segment begins at the
        // first moof at or after the reference start.
        let moofs: Vec<u64> = idx
            .top()
            .map(|i| &idx.boxes()[i])
            .filter(|b| b.is(b"moof"))
            .map(|b| base + b.start as u64)
            .collect();
        return from_sidx
            .iter()
            .filter_map(|&s| moofs.iter().copied().find(|&m| m >= s))
            .collect();
    }
    let mut out = Vec::new();
    let mut after_styp = false;
    for i in idx.top() {
        let b = &idx.boxes()[i];
        if b.is(b"styp") {
            after_styp = true;
        } else if b.is(b"moof") && after_styp {
            out.push(base + b.start as u64);
            after_styp = false;
        }
    }
    out
}

/// SEG-SEQUENCE: mfhd sequence_number increases from fragment to fragment (§8.8.5).
fn check_sequence(
    ctx: &SegmentCheck<'_>,
    bytes: &[u8],
    idx: &Index,
    last: &mut Option<u32>,
    out: &mut Vec<Finding>,
) {
    let base = idx.base();
    for (mi, moof) in idx
        .top()
        .filter(|&i| idx.boxes()[i].is(b"moof"))
        .enumerate()
    {
        let Some(m) = idx.child(moof, b"mfhd") else {
            continue;
        };
        let b = &idx.boxes()[m];
        let Some(slice) = bytes.get(b.range()) else {
            continue;
        };
        let Ok(mfhd) = Mfhd::parse(slice, base + b.start as u64) else {
            continue;
        };
        if let Some(prev) = *last {
            if mfhd.sequence_number <= prev {
                out.push(finding(
                    codes::SEG_SEQUENCE,
                    Severity::Warning,
                    format!("{} moof[{mi}]/mfhd", ctx.name),
                    Some(format!("> {prev}")),
                    Some(mfhd.sequence_number.to_string()),
                    format!(
                        "mfhd sequence_number {} does not increase (previous fragment: {prev})",
                        mfhd.sequence_number
                    ),
                    ctx.representation,
                ));
            }
        }
        *last = Some(mfhd.sequence_number);
    }
}

/// SEG-DATA-OFFSET: every sample's bytes lie inside an mdat payload (trun data_offset and
/// sizes, §8.8.8).
fn check_data_offsets(
    ctx: &SegmentCheck<'_>,
    track: &TrackSamples,
    idx: &Index,
    out: &mut Vec<Finding>,
) {
    let base = idx.base();
    let mdats: Vec<(u64, u64)> = idx
        .top()
        .map(|i| &idx.boxes()[i])
        .filter(|b| b.is(b"mdat"))
        .map(|b| {
            let r = b.payload_range();
            (base + r.start as u64, base + r.end as u64)
        })
        .collect();
    for (n, s) in track.samples.iter().enumerate() {
        let end = s.offset.saturating_add(u64::from(s.size));
        if !mdats.iter().any(|&(a, b)| s.offset >= a && end <= b) {
            let fi = track
                .fragments
                .iter()
                .rposition(|f| f.first_sample_index <= n)
                .unwrap_or(0);
            out.push(finding(
                codes::SEG_DATA_OFFSET,
                Severity::Error,
                format!("{} moof[{fi}]/traf/trun", ctx.name),
                Some(format!(
                    "inside mdat payload {}",
                    mdats
                        .iter()
                        .map(|(a, b)| format!("{a}..{b}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                Some(format!("{}..{end}", s.offset)),
                format!(
                    "sample {} ({} bytes at offset {}) lies outside every mdat",
                    n + 1,
                    s.size,
                    s.offset
                ),
                ctx.representation,
            ));
            return; // one finding per segment: the rest follow from the same offset
        }
    }
}

/// SIDX-MISMATCH: each type-0 reference of a top-level sidx covers exactly whole top-level
/// boxes and lasts as long as the fragments it covers (ISO/IEC 14496-12 §8.16.3).
fn check_sidx(
    ctx: &SegmentCheck<'_>,
    tracks: &[TrackSamples],
    init_track: &TrackSamples,
    bytes: &[u8],
    idx: &Index,
    out: &mut Vec<Finding>,
) {
    let base = idx.base();
    let tops: Vec<(u64, u64)> = idx
        .top()
        .map(|i| {
            let b = &idx.boxes()[i];
            (base + b.start as u64, base + b.end() as u64)
        })
        .collect();
    for (si, i) in idx
        .top()
        .filter(|&i| idx.boxes()[i].is(b"sidx"))
        .enumerate()
    {
        let b = &idx.boxes()[i];
        let Some(slice) = bytes.get(b.range()) else {
            continue;
        };
        let loc = format!("{} sidx[{si}]", ctx.name);
        let sidx = match Sidx::parse(slice, base + b.start as u64) {
            Ok(s) => s,
            Err(e) => {
                out.push(finding(
                    codes::SIDX_MISMATCH,
                    Severity::Error,
                    loc,
                    None,
                    None,
                    format!("sidx does not parse: {e}"),
                    ctx.representation,
                ));
                continue;
            }
        };
        let Some(ranges) = sidx.reference_ranges(base + b.start as u64, b.size) else {
            continue;
        };
        // One sidx per track: each indexes the track its reference_ID names (§8.16.3). A
        // reference_ID naming no track of the file is read as the init segment's track.
        let track = tracks
            .iter()
            .find(|t| t.track_id == sidx.reference_id)
            .unwrap_or(init_track);
        let track_ts = track.timescale.unwrap_or(ctx.facts.timescale);
        for (ri, (r, &(start, end))) in sidx.references.iter().zip(&ranges).enumerate() {
            if r.reference_type {
                continue;
            }
            let loc = format!("{loc} reference[{ri}]");
            let starts_ok = tops.iter().any(|&(a, _)| a == start);
            let ends_ok = tops.iter().any(|&(_, e)| e == end);
            if !starts_ok || !ends_ok {
                let covered_end = tops
                    .iter()
                    .filter(|&&(a, _)| a >= start)
                    .take_while(|&&(a, _)| a < end)
                    .map(|&(_, e)| e)
                    .last()
                    .unwrap_or(start);
                out.push(finding(
                    codes::SIDX_MISMATCH,
                    Severity::Error,
                    loc.clone(),
                    Some(format!(
                        "referenced_size {}",
                        covered_end.saturating_sub(start)
                    )),
                    Some(format!("referenced_size {}", r.referenced_size)),
                    format!(
                        "the reference covers bytes {start}..{end}, which do not match whole \
                         boxes (moof+mdat end at {covered_end})"
                    ),
                    ctx.representation,
                ));
                continue;
            }
            let media: u64 = track
                .fragments
                .iter()
                .filter(|f| f.moof_offset >= start && f.moof_offset < end)
                .map(|f| f.duration)
                .sum();
            let media_ts = u128::from(track_ts);
            let sidx_ts = u128::from(sidx.timescale);
            // The presented part: an edit list that starts inside this subsegment cuts it.
            let first_decode = track
                .fragments
                .iter()
                .find(|f| f.moof_offset >= start && f.moof_offset < end)
                .map_or(0, |f| f.decode_time);
            let elst = if track.track_id == ctx.facts.track_id {
                u64::try_from(ctx.facts.elst_media_time).unwrap_or(0)
            } else {
                0
            };
            let cut = elst.saturating_sub(first_decode).min(media);
            let presented = media - cut;
            // Equal as rational numbers of seconds.
            let same =
                |m: u64| u128::from(m) * sidx_ts == u128::from(r.subsegment_duration) * media_ts;
            if sidx_ts == 0 || !(same(media) || same(presented)) {
                out.push(finding(
                    codes::SIDX_MISMATCH,
                    Severity::Error,
                    loc,
                    Some(format!(
                        "subsegment_duration {} ({} ticks of {})",
                        (u128::from(media) * sidx_ts)
                            .checked_div(media_ts)
                            .unwrap_or(0),
                        media,
                        track_ts
                    )),
                    Some(format!("subsegment_duration {}", r.subsegment_duration)),
                    format!(
                        "the reference lasts {} but the fragments it covers last {}",
                        ms(i128::from(r.subsegment_duration), sidx.timescale),
                        ms(i128::from(media), track_ts)
                    ),
                    ctx.representation,
                ));
            }
        }
    }
}

/// SEG-GAP / SEG-OVERLAP between consecutive pieces of media (`prev_end` is where the
/// previous piece's media ends, `start` where the next one's begins, both media ticks).
pub(crate) fn check_continuity(
    location: String,
    representation: Option<&str>,
    prev_end: u64,
    start: u64,
    timescale: u32,
    sample_duration: u32,
    out: &mut Vec<Finding>,
) {
    let diff = i128::from(start) - i128::from(prev_end);
    if diff == 0 {
        return;
    }
    let (code, what) = if diff > 0 {
        (codes::SEG_GAP, "gap")
    } else {
        (codes::SEG_OVERLAP, "overlap")
    };
    let severity = if diff.unsigned_abs() >= u128::from(sample_duration.max(1)) {
        Severity::Error
    } else {
        Severity::Warning
    };
    out.push(finding(
        code,
        severity,
        location,
        Some(format!("tfdt {prev_end}")),
        Some(format!("tfdt {start}")),
        format!(
            "{what} of {} ticks ({}) between the previous segment's media end and this \
             segment's tfdt",
            diff.unsigned_abs(),
            ms(diff.abs(), timescale)
        ),
        representation,
    ));
}

/// Validates a single fragmented MP4 (moov + moof/mdat pairs): init facts, then the
/// per-fragment checks without an MPD (SAP at each video fragment, mfhd order, trun data
/// offsets, sidx, tfdt continuity).
///
/// ```
/// use dashkit::validate::{validate_fragmented_file, codes};
/// let report = validate_fragmented_file(b"not an mp4");
/// assert!(report.has(codes::INIT_PARSE));
/// ```
pub fn validate_fragmented_file(bytes: &[u8]) -> Report {
    let mut out = Vec::new();
    if let Some(kind) = sniff(bytes).filter(|k| *k != Container::IsoBmff) {
        out.push(finding(
            codes::NOT_ISOBMFF,
            Severity::Error,
            String::new(),
            Some("ISO-BMFF (MP4)".to_owned()),
            Some(kind.name().to_owned()),
            format!(
                "the file is {} by its signature, not ISO-BMFF: no MP4 check applies",
                kind.name()
            ),
            None,
        ));
        return Report { findings: out };
    }
    if let Some(report) = validate_partial_file(bytes) {
        return report;
    }
    let facts = match init_facts(bytes) {
        Ok(f) => f,
        Err(e) => {
            out.push(finding(
                codes::INIT_PARSE,
                Severity::Error,
                "moov".to_owned(),
                None,
                None,
                format!("no usable moov: {e}"),
                None,
            ));
            return Report { findings: out };
        }
    };
    let ctx = SegmentCheck {
        init: None,
        facts: &facts,
        name: "",
        representation: None,
        require_sap_at_start: false,
        require_sap_per_fragment: facts.handler == "vide",
    };
    let mut seq = None;
    let mut durations = Vec::new();
    let mut delivery = Vec::new();
    check_segment(
        &ctx,
        bytes,
        0,
        &mut seq,
        &mut durations,
        &mut delivery,
        &mut out,
    );
    if let Ok(tracks) = track_samples(None, bytes, 0) {
        for t in &tracks {
            let ts = t.timescale.unwrap_or(0);
            for (i, w) in t.fragments.windows(2).enumerate() {
                let (a, b) = (&w[0], &w[1]);
                let sample = t
                    .samples
                    .get(a.first_sample_index)
                    .map_or(1, |s| s.duration);
                check_continuity(
                    format!("moof[{}]/traf/tfdt (track {})", i + 1, t.track_id),
                    None,
                    a.decode_time.saturating_add(a.duration),
                    b.decode_time,
                    ts,
                    sample,
                    &mut out,
                );
            }
        }
    }
    for f in &mut out {
        f.location = f.location.trim_start().to_owned();
    }
    Report { findings: out }
}

/// A file that is not a whole fragmented MP4: an init segment alone (moov, no fragment), a
/// progressive MP4 (moov with samples, no fragment) or a media segment alone (fragments, no
/// moov). Says what it is and which checks ran; `None` for a whole fragmented file (or one
/// whose top level does not parse, left to the full path's errors).
fn validate_partial_file(bytes: &[u8]) -> Option<Report> {
    let idx = Index::parse_with(bytes, 0, Depth::TopAndMoof).ok()?;
    let has_moov = idx.top().any(|i| idx.boxes()[i].is(b"moov"));
    let moofs = idx.top().filter(|&i| idx.boxes()[i].is(b"moof")).count();
    let mut out = Vec::new();
    let kind = |message: String| {
        finding(
            codes::FILE_KIND,
            Severity::Info,
            String::new(),
            None,
            None,
            message,
            None,
        )
    };
    match (has_moov, moofs) {
        (true, 0) => {
            let facts = match init_facts(bytes) {
                Ok(f) => f,
                Err(e) => {
                    out.push(finding(
                        codes::INIT_PARSE,
                        Severity::Error,
                        "moov".to_owned(),
                        None,
                        None,
                        format!("no usable moov: {e}"),
                        None,
                    ));
                    return Some(Report { findings: out });
                }
            };
            let progressive = track_samples(None, bytes, 0)
                .is_ok_and(|t| t.iter().any(|t| !t.samples.is_empty()));
            let track = format!(
                "track {} ({}, codec {}, timescale {})",
                facts.track_id,
                facts.handler,
                if facts.codec.is_empty() {
                    "unknown"
                } else {
                    &facts.codec
                },
                facts.timescale
            );
            out.push(kind(if progressive {
                format!(
                    "a progressive (unfragmented) MP4: its moov was read ({track}); the \
                     fragment checks (SAP, mfhd order, trun data offsets, sidx, tfdt \
                     continuity) apply to fragmented files and were not run"
                )
            } else {
                format!(
                    "an initialization segment (moov without media): checked that the moov \
                     parses ({track}); not checked: media timing, SAP, sample data (validate \
                     an MPD, or the init segment followed by its media segments)"
                )
            }));
        }
        (false, n) if n > 0 => {
            out.push(kind(format!(
                "a media segment without its initialization segment ({n} fragment(s)): \
                 checked: mfhd order, trun data offsets against the mdat; not checked: codec, \
                 timescale, durations, SAP and sidx (they need the init segment's moov)"
            )));
            let mut last = None;
            let facts = InitFacts {
                track_id: 0,
                timescale: 0,
                handler: String::new(),
                codec: String::new(),
                dimensions: None,
                sample_rate: None,
                elst_media_time: 0,
                aac_sbr: None,
                brands: Vec::new(),
            };
            let ctx = SegmentCheck {
                init: None,
                facts: &facts,
                name: "",
                representation: None,
                require_sap_at_start: false,
                require_sap_per_fragment: false,
            };
            check_sequence(&ctx, bytes, &idx, &mut last, &mut out);
            match track_samples(None, bytes, 0) {
                Ok(tracks) => {
                    for t in &tracks {
                        check_data_offsets(&ctx, t, &idx, &mut out);
                    }
                }
                Err(e) => out.push(finding(
                    codes::SEG_PARSE,
                    Severity::Error,
                    String::new(),
                    None,
                    None,
                    format!("segment does not parse: {e}"),
                    None,
                )),
            }
        }
        _ => return None,
    }
    for f in &mut out {
        f.location = f.location.trim_start().to_owned();
    }
    Some(Report { findings: out })
}
