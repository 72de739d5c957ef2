//! A VoD asset ready to be served live: the loop (as a vodanalyzer `.cfg` holds it), per
//! AdaptationSet the media timescale and the `.dat` segment timing runs, per Representation the
//! VoD URL templates, and the VoD MPD itself (docs/live-timing.md#vod-analysis).
//!
//! Zero-IO: [`LiveAsset::from_vod`] reads the init and media segments through a caller-supplied
//! fetch closure; [`LiveAsset::from_cfg`] takes the `.cfg` text and the `.dat` bytes the caller
//! read. Both end in the same model.

use crate::analyze::cfg::{parse_cfg, SegmentDuration, VodConfig};
use crate::analyze::dat::{parse_dat, Run};
use crate::analyze::{analyze_timings, AdaptationSetTimings, RepresentationTimings, SegmentTiming};
use crate::bmff::samples::track_samples;
use crate::limits::MAX_LIVE_VOD_SEGMENTS;
use crate::mpd::listing::content_type;
use crate::mpd::template::{Template, TemplateValues};
use crate::mpd::{effective_template, Mpd};
use crate::source::Source;
use crate::timeline::Timescale;

use super::timing::LoopSpec;
use super::Error;

/// One Representation of the asset.
///
/// ```
/// use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// // The vodanalyzer output for fixtures/dash/ffmpeg_livesim (`dat` reads its .dat files).
/// let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// let (_, video) = asset.representation("0").unwrap();
/// assert_eq!((video.id.as_str(), video.bandwidth), ("0", Some(154_600)));
/// assert_eq!(video.media_template.to_string(), "$RepresentationID$/$Number$.m4s");
/// assert_eq!(video.media_url(3).unwrap(), "0/3.m4s");
/// assert_eq!(video.init_url().unwrap().as_deref(), Some("0/init.mp4"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRepresentation {
    /// `Representation@id` (the path component before the segment file name).
    pub id: String,
    /// `Representation@bandwidth`.
    pub bandwidth: Option<u64>,
    /// The VoD `@initialization` template, if any.
    pub init_template: Option<Template>,
    /// The VoD `@media` template (`$Number$` addressing).
    pub media_template: Template,
}

/// One AdaptationSet (one content type) of the asset.
///
/// ```
/// use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// // The vodanalyzer output for fixtures/dash/ffmpeg_livesim (`dat` reads its .dat files).
/// let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// let video = &asset.adaptation_sets[0];
/// assert_eq!((video.content_type.as_str(), video.adaptation_set_index), ("video", 0));
/// assert_eq!(video.timescale.get(), 12_800);
/// assert_eq!(video.runs.len(), 2); // segment 1 is 274 ticks longer than the rest
/// assert_eq!(video.vod_start_ticks(3), Some(25_874 + 25_600));
/// assert_eq!(video.representations[0].id, "0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAdaptationSet {
    /// The content type (`video`, `audio`, ...).
    pub content_type: String,
    /// Index of the AdaptationSet in the VoD MPD's first Period.
    pub adaptation_set_index: usize,
    /// Media timescale (mdhd) of its tracks.
    pub timescale: Timescale,
    /// Segment timing runs of the first Representation (the `.dat` records); empty when the
    /// `.cfg` is version 1.0 and has none.
    pub runs: Vec<Run>,
    /// Its Representations, in MPD order.
    pub representations: Vec<LiveRepresentation>,
}

/// A VoD asset for live simulation.
///
/// ```
/// use dashkit::live::timing::LoopSpec;
/// use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// // The vodanalyzer output for fixtures/dash/ffmpeg_livesim (`dat` reads its .dat files).
/// let cfg = include_str!("../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// let vod = dashkit::mpd::parse(include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// assert_eq!(asset.looping,
///     LoopSpec { segment_duration_s: 2, first_segment_in_loop: 1, nr_segments_in_loop: 5 });
/// assert_eq!(asset.default_tsbd_s, 300);
/// let kinds: Vec<&str> = asset.adaptation_sets.iter().map(|a| a.content_type.as_str()).collect();
/// assert_eq!(kinds, ["video", "audio"]);
/// assert_eq!(asset.mpd.periods.len(), 1); // the VoD MPD, kept for the live one
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAsset {
    /// The loop: whole-second segment duration, first VoD number, segment count.
    pub looping: LoopSpec,
    /// `default_tsbd_secs` (300 from vodanalyzer).
    pub default_tsbd_s: u64,
    /// AdaptationSets, in MPD order.
    pub adaptation_sets: Vec<LiveAdaptationSet>,
    /// The VoD MPD.
    pub mpd: Mpd,
}

/// A track's timescale, which must not be zero.
fn timescale(ticks_per_second: u32) -> Result<Timescale, Error> {
    Timescale::new(ticks_per_second).map_err(|_| Error::NotLiveable {
        reason: "a track's timescale is zero",
    })
}

fn analyze_err(e: crate::analyze::Error) -> Error {
    Error::Analyze(Box::new(e))
}

fn mpd_err(e: crate::mpd::Error) -> Error {
    Error::Mpd(Box::new(e))
}

fn bmff_err(url: &str, e: crate::bmff::Error) -> Error {
    Error::Segment {
        url: url.to_string(),
        source: Box::new(e),
    }
}

/// Representations of the first Period with their templates, per AdaptationSet.
struct MpdSets {
    sets: Vec<(usize, String, Vec<LiveRepresentation>, u64, u64, u64)>,
}

fn mpd_sets(mpd: &Mpd) -> Result<MpdSets, Error> {
    let period = mpd.periods.first().ok_or(Error::NotLiveable {
        reason: "the VoD MPD has no Period",
    })?;
    let mut sets = Vec::new();
    for (ai, aset) in period.adaptation_sets.iter().enumerate() {
        let ct = content_type(aset).ok_or(Error::NotLiveable {
            reason: "an AdaptationSet has no content type",
        })?;
        let mut reps = Vec::new();
        let mut tdur = (0, 1, 1);
        for rep in &aset.representations {
            let id = rep.id.clone().ok_or(Error::NotLiveable {
                reason: "a Representation has no @id",
            })?;
            let t = effective_template(period, aset, rep).ok_or(Error::NotLiveable {
                reason: "a Representation has no SegmentTemplate",
            })?;
            let media = t.media.ok_or(Error::NotLiveable {
                reason: "a SegmentTemplate has no @media",
            })?;
            let media_template = Template::parse(media).map_err(mpd_err)?;
            let init_template = t
                .initialization
                .map(Template::parse)
                .transpose()
                .map_err(mpd_err)?;
            let duration = t.duration.ok_or(Error::NotLiveable {
                reason: "a SegmentTemplate has no @duration ($Number$ addressing needed)",
            })?;
            tdur = (duration, u64::from(t.timescale().get()), t.start_number());
            reps.push(LiveRepresentation {
                id,
                bandwidth: rep.bandwidth,
                init_template,
                media_template,
            });
        }
        sets.push((ai, ct, reps, tdur.0, tdur.1, tdur.2));
    }
    Ok(MpdSets { sets })
}

impl LiveRepresentation {
    /// The VoD URL (relative to the MPD) of media segment `vod_number`.
    ///
    /// ```
    /// use dashkit::live::asset::LiveAsset;
    /// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
    ///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
    ///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
    /// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
    ///   <SegmentTemplate media="$RepresentationID$/$Number%03d$.m4s" initialization="$RepresentationID$/i.mp4"
    ///   duration="2"/><Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
    /// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
    /// let (_, rep) = asset.representation("V300").unwrap();
    /// assert_eq!(rep.media_url(3).unwrap(), "V300/003.m4s");
    /// ```
    pub fn media_url(&self, vod_number: u64) -> Result<String, Error> {
        self.media_template
            .expand(&TemplateValues {
                representation_id: Some(&self.id),
                number: Some(vod_number),
                bandwidth: self.bandwidth,
                ..TemplateValues::default()
            })
            .map_err(mpd_err)
    }

    /// The VoD URL (relative to the MPD) of the init segment, if there is one.
    ///
    /// ```
    /// use dashkit::live::asset::LiveAsset;
    /// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
    ///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
    ///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
    /// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
    ///   <SegmentTemplate media="$RepresentationID$/$Number%03d$.m4s" initialization="$RepresentationID$/i.mp4"
    ///   duration="2"/><Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
    /// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
    /// let (_, rep) = asset.representation("V300").unwrap();
    /// assert_eq!(rep.init_url().unwrap().as_deref(), Some("V300/i.mp4"));
    /// ```
    pub fn init_url(&self) -> Result<Option<String>, Error> {
        self.init_template
            .as_ref()
            .map(|t| {
                t.expand(&TemplateValues {
                    representation_id: Some(&self.id),
                    bandwidth: self.bandwidth,
                    ..TemplateValues::default()
                })
            })
            .transpose()
            .map_err(mpd_err)
    }
}

impl LiveAdaptationSet {
    /// The media start time (ticks of [`LiveAdaptationSet::timescale`]) of VoD segment
    /// `vod_number`, from the `.dat` runs; `None` when the runs do not cover it.
    ///
    /// ```
    /// use dashkit::analyze::Run;
    /// use dashkit::live::asset::LiveAdaptationSet;
    /// let set = LiveAdaptationSet { content_type: "audio".into(), adaptation_set_index: 0,
    ///     timescale: dashkit::timeline::Timescale::new(48_000).unwrap(), representations: vec![],
    ///     runs: vec![Run { start_nr: 1, repeats: 2, start_time: 0, duration: 96_256 }] };
    /// assert_eq!(set.vod_start_ticks(3), Some(192_512));
    /// assert_eq!(set.vod_start_ticks(4), None);
    /// ```
    pub fn vod_start_ticks(&self, vod_number: u64) -> Option<u64> {
        self.runs.iter().find_map(|r| {
            let k = vod_number.checked_sub(u64::from(r.start_nr))?;
            (k <= u64::from(r.repeats)).then(|| u64::from(r.start_time) + k * u64::from(r.duration))
        })
    }
}

impl LiveAsset {
    /// Analyses a VoD MPD and its segments as vodanalyzer does (docs/live-timing.md#vod-analysis):
    /// every Representation's init segment (mdhd timescale) and media segments from `@startNumber`
    /// until `source` has no such file (tfdt and duration). `source` gets URLs relative to the
    /// MPD and is read whole.
    ///
    /// ```
    /// use dashkit::live::asset::LiveAsset;
    /// let mpd = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
    ///   <Representation id="v"><SegmentTemplate media="$Number$.m4s" duration="2"/>
    ///   </Representation></AdaptationSet></Period></MPD>"#).unwrap();
    /// // Nothing can be fetched: no segments, an error rather than an empty loop.
    /// let mut nothing = dashkit::source::WholeFiles(|_: &str| None);
    /// assert!(LiveAsset::from_vod(mpd, &mut nothing).is_err());
    /// ```
    pub fn from_vod(mpd: Mpd, source: &mut dyn Source) -> Result<LiveAsset, Error> {
        let mut fetch = |url: &str| source.read(url, None);
        let sets = mpd_sets(&mpd)?;
        let mut timings = Vec::new();
        for (_, ct, reps, dur, ts, start) in &sets.sets {
            let mut rts = Vec::new();
            for rep in reps {
                let init = match rep.init_url()? {
                    Some(u) => Some(fetch(&u).ok_or(Error::MissingFile { url: u.clone() })?),
                    None => None,
                };
                let mut timescale = None;
                let mut segments = Vec::new();
                let mut n = *start;
                while n - start < MAX_LIVE_VOD_SEGMENTS {
                    let url = rep.media_url(n)?;
                    let Some(bytes) = fetch(&url) else { break };
                    let tracks =
                        track_samples(init.as_deref(), &bytes, 0).map_err(|e| bmff_err(&url, e))?;
                    let track = tracks.first().ok_or(Error::NotLiveable {
                        reason: "a media segment has no track fragment",
                    })?;
                    timescale = timescale.or(track.timescale);
                    let first = track.fragments.first().ok_or(Error::NotLiveable {
                        reason: "a media segment has no track fragment",
                    })?;
                    let duration = track.fragments.iter().map(|f| f.duration).sum();
                    segments.push(SegmentTiming {
                        number: n,
                        url,
                        tfdt: first.decode_time,
                        duration,
                    });
                    n += 1;
                }
                rts.push(RepresentationTimings {
                    id: rep.id.clone(),
                    timescale: timescale.ok_or(Error::NotLiveable {
                        reason: "no media timescale (init segment missing or without mdhd)",
                    })?,
                    segments,
                });
            }
            timings.push(AdaptationSetTimings {
                content_type: ct.clone(),
                start_number: *start,
                duration_ticks: *dur,
                mpd_timescale: *ts,
                representations: rts,
            });
        }
        let a = analyze_timings("live", &timings).map_err(analyze_err)?;
        let looping = LoopSpec {
            segment_duration_s: a.segment_duration_s,
            first_segment_in_loop: a.first_segment_in_loop,
            nr_segments_in_loop: a.nr_segments_in_loop,
        };
        let mut adaptation_sets = Vec::new();
        for ((ai, ct, reps, ..), an) in sets.sets.into_iter().zip(a.adaptation_sets) {
            adaptation_sets.push(LiveAdaptationSet {
                content_type: ct,
                adaptation_set_index: ai,
                timescale: timescale(an.timescale)?,
                runs: an.runs,
                representations: reps,
            });
        }
        Ok(LiveAsset {
            looping,
            default_tsbd_s: crate::analyze::DEFAULT_TSBD_SECS,
            adaptation_sets,
            mpd,
        })
    }

    /// Loads an asset from vodanalyzer's `.cfg` text, its `.dat` files (through `dat`, given
    /// the `dat_file` names) and the VoD MPD. Representations the `.cfg` lists take the
    /// timescale and runs of their section; the MPD gives the URL templates.
    ///
    /// ```
    /// use dashkit::live::asset::LiveAsset;
    /// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
    ///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
    ///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
    /// let mpd = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
    ///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
    ///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
    /// let a = LiveAsset::from_cfg(cfg, mpd, |_| None).unwrap();
    /// assert_eq!(a.looping.nr_segments_in_loop, 4);
    /// assert_eq!(a.representation("V300").unwrap().1.media_url(3).unwrap(), "V300/3.m4s");
    /// ```
    pub fn from_cfg<F>(cfg_text: &str, mpd: Mpd, mut dat: F) -> Result<LiveAsset, Error>
    where
        F: FnMut(&str) -> Option<Vec<u8>>,
    {
        let cfg: VodConfig = parse_cfg(cfg_text).map_err(analyze_err)?;
        let SegmentDuration::Seconds(d) = cfg.segment_duration else {
            return Err(Error::NotLiveable {
                reason: "segment_duration_ms in the .cfg: dashlivesim needs whole seconds",
            });
        };
        let looping = LoopSpec {
            segment_duration_s: d,
            first_segment_in_loop: cfg.first_segment_in_loop,
            nr_segments_in_loop: cfg.nr_segments_in_loop,
        };
        looping.loop_duration_s()?;
        let sets = mpd_sets(&mpd)?;
        let mut adaptation_sets = Vec::new();
        for (ai, ct, reps, ..) in sets.sets {
            let media = cfg
                .media
                .iter()
                .find(|m| reps.iter().any(|r| m.representations.contains(&r.id)));
            let Some(media) = media else { continue };
            let runs = match &media.dat_file {
                Some(name) => {
                    let bytes = dat(name).ok_or(Error::MissingFile { url: name.clone() })?;
                    parse_dat(&bytes).map_err(analyze_err)?
                }
                None => Vec::new(),
            };
            adaptation_sets.push(LiveAdaptationSet {
                content_type: ct,
                adaptation_set_index: ai,
                timescale: timescale(media.timescale)?,
                runs,
                representations: reps,
            });
        }
        Ok(LiveAsset {
            looping,
            default_tsbd_s: cfg.default_tsbd_secs,
            adaptation_sets,
            mpd,
        })
    }

    /// The AdaptationSet and Representation with `id`.
    ///
    /// ```
    /// use dashkit::live::asset::LiveAsset;
    /// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
    ///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
    ///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
    /// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
    ///   <SegmentTemplate media="$RepresentationID$/$Number%03d$.m4s" initialization="$RepresentationID$/i.mp4"
    ///   duration="2"/><Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
    /// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
    /// let (set, rep) = asset.representation("V300").unwrap();
    /// assert_eq!((set.content_type.as_str(), rep.id.as_str()), ("video", "V300"));
    /// assert!(asset.representation("A48").is_none());
    /// ```
    pub fn representation(&self, id: &str) -> Option<(&LiveAdaptationSet, &LiveRepresentation)> {
        self.adaptation_sets.iter().find_map(|a| {
            a.representations
                .iter()
                .find(|r| r.id == id)
                .map(|r| (a, r))
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(crate) fn fixture_asset() -> LiveAsset {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/dash/ffmpeg_livesim"
        );
        let text = std::fs::read_to_string(format!("{dir}/manifest.mpd")).unwrap();
        let mpd = crate::mpd::parse(&text).unwrap();
        LiveAsset::from_vod(
            mpd,
            &mut crate::source::WholeFiles(|u: &str| std::fs::read(format!("{dir}/{u}")).ok()),
        )
        .unwrap()
    }

    #[test]
    fn fixture_loop_and_timescales() {
        let a = fixture_asset();
        assert_eq!(
            a.looping,
            LoopSpec {
                segment_duration_s: 2,
                first_segment_in_loop: 1,
                nr_segments_in_loop: 5
            }
        );
        let ts: Vec<_> = a
            .adaptation_sets
            .iter()
            .map(|s| s.timescale.get())
            .collect();
        assert_eq!(ts, [12_800, 48_000]);
        let (_, r) = a.representation("1").unwrap();
        assert_eq!(r.media_url(3).unwrap(), "1/3.m4s");
        assert_eq!(r.init_url().unwrap().as_deref(), Some("1/init.mp4"));
        // The runs cover the whole loop: they end where the loop ends in ticks.
        for s in &a.adaptation_sets {
            let first = s.runs.first().unwrap();
            let last = s.runs.last().unwrap();
            let count: u64 = s.runs.iter().map(|r| u64::from(r.repeats) + 1).sum();
            assert_eq!(count, 5);
            assert_eq!(first.start_nr, 1);
            assert!(last.end_time() > u64::from(first.start_time));
        }
    }

    #[test]
    fn cfg_round_trip_matches_analysis() {
        let a = fixture_asset();
        // Write the analysis as .cfg/.dat, read it back: same loop and runs.
        let cfg = crate::analyze::cfg::VodConfig {
            version: "1.1".into(),
            default_tsbd_secs: 300,
            segment_duration: SegmentDuration::Seconds(2),
            nr_segments_in_loop: 5,
            first_segment_in_loop: 1,
            media: a
                .adaptation_sets
                .iter()
                .map(|s| crate::analyze::cfg::MediaConfig {
                    content_type: s.content_type.clone(),
                    representations: s.representations.iter().map(|r| r.id.clone()).collect(),
                    timescale: s.timescale.get(),
                    total_duration: Some(1),
                    dat_file: Some(format!("{}.dat", s.content_type)),
                })
                .collect(),
        };
        let text = crate::analyze::cfg::write_cfg(&cfg);
        let b = LiveAsset::from_cfg(&text, a.mpd.clone(), |name| {
            let ct = name.strip_suffix(".dat")?;
            let s = a.adaptation_sets.iter().find(|s| s.content_type == ct)?;
            Some(crate::analyze::dat::write_dat(&s.runs))
        })
        .unwrap();
        assert_eq!(a, b);
    }
}
