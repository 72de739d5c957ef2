//! A static MPD for the per-track segment layout `<track_ID>/init.mp4`, `<track_ID>/<n>.m4s`:
//! one AdaptationSet per track, `$Number$` SegmentTemplate with @duration at AdaptationSet
//! level (ISO/IEC 23009-1 §5.3.9.4), startNumber 1.

use std::fmt::Write as _;

use super::{Error, Plan};

/// Directory name of a track in the segment layout.
///
/// ```
/// use dashkit::fragment::manifest::track_dir;
/// // Track 2's files are `2/init.mp4`, `2/1.m4s`, ...
/// assert_eq!(format!("{}/init.mp4", track_dir(2)), "2/init.mp4");
/// ```
pub fn track_dir(track_id: u32) -> String {
    track_id.to_string()
}

/// The MPD for the layout written by `dashkit fragment --segments`. Every AdaptationSet uses
/// the anchor's first fragment duration (in the anchor timescale) as the nominal @duration;
/// the other tracks are cut at the same instants, so every track has the same segment count.
/// `mediaPresentationDuration` is the anchor's duration, floored to the microsecond.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let data = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/media/aac_only.mp4"))?;
/// # let idx = dashkit::bmff::Index::parse(&data)?;
/// # let m = &idx.boxes()[idx.find("moov").unwrap()];
/// use dashkit::fragment::{manifest::segments_mpd, plan_fragments, Input, Options};
/// let input = Input { ftyp: None, moov: &data[m.range()], moov_offset: m.offset, file_len: data.len() as u64 };
/// let plan = plan_fragments(&input, &Options::default())?;
/// let mpd = dashkit::mpd::parse(&segments_mpd(&plan)?)?;
/// assert_eq!(mpd.periods[0].adaptation_sets.len(), 1);
/// # Ok(()) }
/// ```
pub fn segments_mpd(plan: &Plan<'_>) -> Result<String, Error> {
    let anchor = plan.anchor();
    let ts = u64::from(anchor.timescale.max(1));
    let mut first_duration = None;
    let mut total: u64 = 0;
    let mut bytes: Vec<(u32, u64, u64)> = Vec::new(); // track, bytes, duration
    for f in plan.fragments() {
        let f = f?;
        if f.track_id == anchor.track_id {
            first_duration.get_or_insert(f.duration);
            total = total.saturating_add(f.duration);
        }
        match bytes.iter_mut().find(|b| b.0 == f.track_id) {
            Some(b) => {
                b.1 = b.1.saturating_add(f.total_bytes());
                b.2 = b.2.saturating_add(f.duration);
            }
            None => bytes.push((f.track_id, f.total_bytes(), f.duration)),
        }
    }
    let seg = first_duration.unwrap_or(1).max(1);
    let micros = u128::from(total) * 1_000_000 / u128::from(ts);
    let dur = format!("PT{}.{:06}S", micros / 1_000_000, micros % 1_000_000);
    let max_seg = u128::from(seg) * 1_000_000 / u128::from(ts);
    let mut s = String::new();
    let _ = writeln!(s, r#"<?xml version="1.0" encoding="utf-8"?>"#);
    let _ = writeln!(
        s,
        r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="{dur}" maxSegmentDuration="PT{}.{:06}S" minBufferTime="PT2S">"#,
        max_seg / 1_000_000,
        max_seg % 1_000_000
    );
    let _ = writeln!(s, r#"  <Period id="0" start="PT0S">"#);
    for (k, t) in plan.tracks().iter().enumerate() {
        let (content, mime) = match &t.handler.0 {
            b"vide" => ("video", "video/mp4"),
            b"soun" => ("audio", "audio/mp4"),
            b"subt" | b"sbtl" | b"text" => ("text", "application/mp4"),
            _ => ("application", "application/mp4"),
        };
        let (_, tb, td) = bytes
            .iter()
            .find(|b| b.0 == t.track_id)
            .copied()
            .unwrap_or((t.track_id, 0, 0));
        let bandwidth = if td == 0 {
            0
        } else {
            (u128::from(tb) * 8 * u128::from(t.timescale)).div_ceil(u128::from(td))
        };
        let _ = writeln!(
            s,
            r#"    <AdaptationSet id="{k}" contentType="{content}" mimeType="{mime}" segmentAlignment="true" startWithSAP="1">"#
        );
        let _ = writeln!(
            s,
            r#"      <SegmentTemplate timescale="{ts}" duration="{seg}" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s" startNumber="1"/>"#
        );
        let mut attrs = format!(r#"id="{}" bandwidth="{bandwidth}""#, track_dir(t.track_id));
        if let Some(c) = &t.codec {
            let _ = write!(attrs, r#" codecs="{c}""#);
        }
        if content == "video" {
            let _ = write!(attrs, r#" width="{}" height="{}""#, t.width, t.height);
        }
        if content == "audio" && t.sample_rate > 0 {
            let _ = write!(attrs, r#" audioSamplingRate="{}""#, t.sample_rate);
        }
        let _ = writeln!(s, r#"      <Representation {attrs}/>"#);
        let _ = writeln!(s, "    </AdaptationSet>");
    }
    let _ = writeln!(s, "  </Period>");
    let _ = writeln!(s, "</MPD>");
    Ok(s)
}
