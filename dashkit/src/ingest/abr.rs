//! ABR channels grouped by name patterns.
//!
//! Renditions of one programme pushed as separate channels (`x_720`, `x_480`, `x_360`) are
//! grouped by rules registered beforehand: `*_abr=*_720,*_480,*_360` ([`AbrRule::parse`]).
//! `*` matches any run of characters, and the part it matched names the group (`x_abr`). Each
//! rendition stays a channel of its own; the group is published as a channel too, whose MPD
//! ([`Origin::open`] on `<group>/<name>.mpd`) holds one video AdaptationSet with every
//! switchable rendition as a Representation (ordered by bandwidth; codecs and sizes read from
//! each init segment) and the audio of the first rendition (in pattern order) that has audio.
//! Its segment URLs point into the renditions' channels (`../x_720/...`), so a rendition's
//! failover (the `source` rules) carries on inside the group.
//!
//! **Switchable** means segment boundaries aligned in time: the same template duration and the
//! same measured duration of the last complete video segment (a different GOP cuts ffmpeg's
//! segments at other points) as the first rendition. One that is not, or whose MPD or init
//! segment is missing, is left out with a reason: in `<group>/status` (JSON) and in a note
//! for the server's log ([`Origin::take_notes`]). The grouped MPD is built from what is
//! published at the time of each request, so renditions that join or leave update it.
//!
//! The group's availabilityStartTime is the latest of its renditions' (each encoder run has
//! its own), so every segment a player computes exists in every rendition.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::channel::{Channel, Status};
use super::naming;
use super::Origin;
use crate::mpd::{AdaptationSet, Mpd, Representation, SegmentTemplate};

/// A grouping rule: `NAME=PATTERN[,PATTERN...]`, each with one `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbrRule {
    name: String,
    patterns: Vec<String>,
}

/// Why a rule cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ABR rule {rule:?}: {reason} (expected NAME=PATTERN[,PATTERN...], each with one `*`)")]
pub struct AbrRuleError {
    rule: String,
    reason: &'static str,
}

impl AbrRule {
    /// Reads `NAME=PATTERN[,PATTERN...]`.
    ///
    /// ```
    /// use dashkit::ingest::abr::AbrRule;
    /// let r = AbrRule::parse("*_abr=*_720,*_480").unwrap();
    /// assert_eq!(r.group_of("show_480"), Some(("show_abr".to_string(), 1)));
    /// assert_eq!(r.group_of("show_1080"), None);
    /// assert!(AbrRule::parse("abr=x_720").is_err());
    /// ```
    pub fn parse(spec: &str) -> Result<AbrRule, AbrRuleError> {
        let err = |reason| AbrRuleError {
            rule: spec.to_string(),
            reason,
        };
        let (name, pats) = spec.split_once('=').ok_or_else(|| err("no `=`"))?;
        let one_star = |p: &str| p.matches('*').count() == 1;
        if !one_star(name) {
            return Err(err("the name needs one `*`"));
        }
        let patterns: Vec<String> = pats.split(',').map(str::trim).map(str::to_string).collect();
        if patterns.iter().any(|p| !one_star(p)) {
            return Err(err("each pattern needs one `*`"));
        }
        let valid = |p: &str| naming::valid_channel(&p.replace('*', "x"));
        if !valid(name) || patterns.iter().any(|p| !valid(p)) {
            return Err(err("names are [A-Za-z0-9._-] besides the `*`"));
        }
        Ok(AbrRule {
            name: name.to_string(),
            patterns,
        })
    }

    /// The group `channel` belongs to by this rule, and the index of the pattern it matched.
    pub fn group_of(&self, channel: &str) -> Option<(String, usize)> {
        self.patterns.iter().enumerate().find_map(|(i, p)| {
            let stem = capture(p, channel)?;
            Some((self.name.replacen('*', stem, 1), i))
        })
    }
}

/// What `*` matched when `s` matches `pattern` (a non-empty run).
fn capture<'a>(pattern: &str, s: &'a str) -> Option<&'a str> {
    let (pre, post) = pattern.split_once('*')?;
    let rest = s.strip_prefix(pre)?.strip_suffix(post)?;
    (!rest.is_empty()).then_some(rest)
}

/// The groups formed by `channels` under `rules`: group name → (pattern index, channel),
/// ordered. A channel joins the first rule that matches it; a group never contains itself.
pub(crate) fn groups(
    rules: &[AbrRule],
    channels: &[String],
) -> BTreeMap<String, Vec<(usize, String)>> {
    let mut out: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    for c in channels {
        if let Some((g, i)) = rules.iter().find_map(|r| r.group_of(c)) {
            if &g != c {
                out.entry(g).or_default().push((i, c.clone()));
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// A rendition of a group as its status shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendition {
    /// Its channel.
    pub channel: String,
    /// Why it is left out of the grouped MPD (`None`: it is in).
    pub left_out: Option<String>,
    /// `@bandwidth`, codec string and size of its video, when known.
    pub bandwidth: Option<u64>,
    /// RFC 6381 codec string, from its init segment.
    pub codecs: Option<String>,
    /// Width and height, from its init segment.
    pub size: Option<(u32, u32)>,
}

/// What a rendition's channel offers the group.
struct Member {
    channel: String,
    mpd: Mpd,
    video: (AdaptationSet, Representation, SegmentTemplate),
    /// Template duration and timescale; the last complete video segment's duration and
    /// timescale.
    template: (u64, u32),
    measured: Option<(u64, u32)>,
    codecs: Option<String>,
    size: Option<(u32, u32)>,
}

fn is_kind(a: &AdaptationSet, kind: &str) -> bool {
    let mime = |m: &Option<String>| m.as_deref().is_some_and(|m| m.starts_with(kind));
    a.content_type.as_deref() == Some(kind)
        || mime(&a.mime_type)
        || a.representations.iter().any(|r| mime(&r.mime_type))
}

/// The template of a Representation (its own, else its AdaptationSet's), with
/// `$RepresentationID$` filled in and URLs pointing into `channel`.
fn template_for(a: &AdaptationSet, r: &Representation, channel: &str) -> Option<SegmentTemplate> {
    let mut t = r
        .segment_template
        .as_deref()
        .or(a.segment_template.as_deref())?
        .clone();
    let id = r.id.clone().unwrap_or_default();
    let fix = |s: &mut Option<String>| {
        if let Some(v) = s {
            *v = format!("../{channel}/{}", v.replace("$RepresentationID$", &id));
        }
    };
    fix(&mut t.media);
    fix(&mut t.initialization);
    Some(t)
}

/// The stream key of a `$Number$` media template (`chunk-stream0-$Number%05d$.m4s` →
/// `chunk-stream0-.m4s`).
fn template_key(media: &str) -> Option<String> {
    let start = media.find("$Number")?;
    let end = start + 1 + media[start + 1..].find('$')?;
    Some(format!("{}{}", &media[..start], &media[end + 1..]))
}

fn member(name: &str, ch: &Channel) -> Result<Member, String> {
    let mut mpds: Vec<&String> = ch
        .files
        .iter()
        .filter(|(p, f)| naming::is_mpd_name(p) && f.status == Status::Complete)
        .map(|(p, _)| p)
        .collect();
    mpds.sort();
    let path = mpds.first().ok_or("no MPD yet")?;
    let bytes = ch.files[*path].pieces.concat();
    let text = std::str::from_utf8(&bytes).map_err(|_| "its MPD is not UTF-8".to_string())?;
    let mpd = crate::mpd::parse(text).map_err(|e| format!("its MPD does not parse: {e}"))?;
    let period = mpd.periods.first().ok_or("its MPD has no Period")?;
    let a = period
        .adaptation_sets
        .iter()
        .find(|a| is_kind(a, "video"))
        .ok_or("its MPD has no video")?;
    let r = a.representations.first().ok_or("its MPD has no video")?;
    let raw = r
        .segment_template
        .as_deref()
        .or(a.segment_template.as_deref())
        .ok_or("its video has no SegmentTemplate")?;
    let template = (
        raw.duration
            .ok_or("its video has no SegmentTemplate@duration")?,
        raw.timescale.unwrap_or(1),
    );
    let id = r.id.clone().unwrap_or_default();
    let media = raw
        .media
        .as_deref()
        .unwrap_or("")
        .replace("$RepresentationID$", &id);
    let init = raw
        .initialization
        .as_deref()
        .unwrap_or("")
        .replace("$RepresentationID$", &id);
    let info = ch
        .inits
        .get(&init)
        .and_then(|m| crate::bmff::info::describe(m).ok())
        .ok_or("no init segment yet")?;
    let track = info
        .tracks
        .iter()
        .find(|t| t.handler == "vide")
        .ok_or("its init segment has no video track")?;
    let key = template_key(&media);
    let measured = ch
        .files
        .iter()
        .filter(|(p, f)| {
            f.status == Status::Complete
                && naming::media_key(p).is_some_and(|(k, _)| Some(&k) == key.as_ref())
        })
        .filter_map(|(_, f)| f.meta.as_deref())
        .filter(|m| !m.tracks.is_empty())
        .max_by_key(|m| m.tracks[0].start)
        .and_then(|m| Some((m.tracks[0].duration, m.tracks[0].timescale?)));
    let video = (
        a.clone(),
        r.clone(),
        template_for(a, r, name).ok_or("its video has no SegmentTemplate")?,
    );
    Ok(Member {
        channel: name.to_string(),
        mpd,
        video,
        template,
        measured,
        codecs: Some(track.codec.clone()),
        size: track.dimensions,
    })
}

/// `a/b == c/d`, exactly.
fn same_ratio(a: (u64, u32), b: (u64, u32)) -> bool {
    u128::from(a.0) * u128::from(b.1) == u128::from(b.0) * u128::from(a.1)
}

fn seconds(d: (u64, u32)) -> String {
    format!("{:.3} s", d.0 as f64 / f64::from(d.1.max(1)))
}

impl Origin {
    /// The channels of group `group`, in pattern order (empty when it is not a group).
    pub fn group_members(&self, group: &str) -> Vec<String> {
        groups(&self.cfg.abr, &self.channels())
            .remove(group)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// The grouped MPD (when at least one rendition can be published) and every rendition's
    /// status.
    pub(super) fn group_view(&mut self, group: &str) -> (Option<Bytes>, Vec<Rendition>) {
        let mut members = Vec::new();
        let mut status = Vec::new();
        for name in self.group_members(group) {
            let Some(ch) = self.channels.get(&name) else {
                continue;
            };
            match member(&name, ch) {
                Ok(m) => members.push(m),
                Err(reason) => status.push(Rendition {
                    channel: name,
                    left_out: Some(reason),
                    bandwidth: None,
                    codecs: None,
                    size: None,
                }),
            }
        }
        let reference = members
            .iter()
            .find(|m| m.measured.is_some())
            .map(|m| (m.template, m.measured));
        let mut included = Vec::new();
        for m in members {
            let reason = match (reference, m.measured) {
                (None, _) | (_, None) => Some("no complete video segment yet".to_string()),
                (Some((t, _)), _) if !same_ratio(t, m.template) => Some(format!(
                    "segment duration {} is not the group's {}",
                    seconds(m.template),
                    seconds(t)
                )),
                (Some((_, Some(r))), Some(d)) if !same_ratio(r, d) => Some(format!(
                    "segments of {} (another GOP?) are not aligned with the group's {}",
                    seconds(d),
                    seconds(r)
                )),
                _ => None,
            };
            status.push(Rendition {
                channel: m.channel.clone(),
                left_out: reason.clone(),
                bandwidth: m.video.1.bandwidth,
                codecs: m.codecs.clone(),
                size: m.size,
            });
            if reason.is_none() {
                included.push(m);
            }
        }
        status.sort_by(|a, b| a.channel.cmp(&b.channel));
        for r in &status {
            let note = r.left_out.clone();
            if self.abr_reasons.get(&r.channel) != Some(&note) {
                if let Some(why) = &note {
                    self.notes
                        .push(format!("ABR {group}: {} left out: {why}", r.channel));
                } else if self.abr_reasons.contains_key(&r.channel) {
                    self.notes.push(format!("ABR {group}: {} is in", r.channel));
                }
                self.abr_reasons.insert(r.channel.clone(), note);
            }
        }
        (build(&included), status)
    }

    /// Messages for the server's log (renditions left out of a group, and back in), oldest
    /// first; taking them empties the list.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }
}

/// The grouped MPD of the renditions (in pattern order).
fn build(members: &[Member]) -> Option<Bytes> {
    let first = members.first()?;
    let mut mpd = first.mpd.clone();
    let latest = members
        .iter()
        .filter_map(|m| m.mpd.availability_start_time.clone())
        .max_by_key(crate::mpd::XsDateTime::unix_nanos);
    if latest.is_some() {
        mpd.availability_start_time = latest;
    }
    let mut video = first.video.0.clone();
    video.segment_template = None;
    video.codecs = None;
    video.width = None;
    video.height = None;
    video.id = Some(0);
    let mut reps: Vec<Representation> = members
        .iter()
        .map(|m| {
            let mut r = m.video.1.clone();
            r.id = Some(m.channel.clone());
            r.segment_template = Some(Box::new(m.video.2.clone()));
            if m.codecs.is_some() {
                r.codecs = m.codecs.clone();
            }
            if let Some((w, h)) = m.size {
                r.width = Some(w);
                r.height = Some(h);
            }
            r
        })
        .collect();
    reps.sort_by_key(|r| r.bandwidth.unwrap_or(0));
    video.representations = reps;
    let mut sets = vec![video];
    let audio = members.iter().find_map(|m| {
        let a = m
            .mpd
            .periods
            .first()?
            .adaptation_sets
            .iter()
            .find(|a| is_kind(a, "audio"))?;
        let original = a.clone();
        let mut a = a.clone();
        for r in &mut a.representations {
            r.segment_template = template_for(&original, r, &m.channel).map(Box::new);
        }
        a.segment_template = None;
        a.id = Some(1);
        Some(a)
    });
    sets.extend(audio);
    let period = mpd.periods.first_mut()?;
    period.adaptation_sets = sets;
    period.segment_template = None;
    mpd.periods.truncate(1);
    // Renditions join and leave the group: players learn of it by refreshing (ffmpeg's own
    // MPD asks for a refresh every 500 s).
    super::manifest::cap_refresh(&mut mpd);
    Some(Bytes::from(crate::mpd::write(&mpd)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The issue's table: `*_abr=*_720,*_480,*_360` and the streams pushed.
    #[test]
    fn the_name_table() {
        let rules = [AbrRule::parse("*_abr=*_720,*_480,*_360").unwrap()];
        let pushed = [
            "myLiveStream_720",
            "myLiveStream_480",
            "myLiveStream_360",
            "AliceLive_720",
            "AliceLive_360",
            "JamesLive_720_clips",
            "JamesLive_360_clips",
            "JohnLive_1080",
            "JohnLive_720",
            "cctv",
        ]
        .map(String::from);
        let g = groups(&rules, &pushed);
        let names = |v: &[(usize, String)]| v.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>();
        assert_eq!(
            g.keys().cloned().collect::<Vec<_>>(),
            ["AliceLive_abr", "JohnLive_abr", "myLiveStream_abr"]
        );
        assert_eq!(
            names(&g["myLiveStream_abr"]),
            ["myLiveStream_720", "myLiveStream_480", "myLiveStream_360"]
        );
        assert_eq!(
            names(&g["AliceLive_abr"]),
            ["AliceLive_720", "AliceLive_360"]
        );
        assert_eq!(names(&g["JohnLive_abr"]), ["JohnLive_720"]);
    }

    use crate::ingest::{Admission, Config, Credentials, Instant, Method, Opened, UploadRequest};

    const MPD: &str = include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd");
    const VIDEO_INIT: &[u8] = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/init.mp4");
    const AUDIO_INIT: &[u8] = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/1/init.mp4");
    const VIDEO_1: &[u8] = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/1.m4s");

    fn put(o: &mut Origin, path: &str, body: &[u8], ms: u64) {
        let c = Credentials::token("t");
        let req = UploadRequest {
            method: Method::Put,
            path,
            credentials: &c,
            content_length: None,
            content_type: None,
        };
        let now = Instant::from_millis(ms);
        let Admission::Upload(mut up) = o.admit(&req, now) else {
            panic!("{path}")
        };
        o.feed(&mut up, Bytes::copy_from_slice(body), now).unwrap();
        assert_eq!(o.finish(*up, now).outcome.http_status(), 201, "{path}");
    }

    fn push(o: &mut Origin, channel: &str, mpd: &str, ms: u64) {
        put(o, &format!("{channel}/manifest.mpd"), mpd.as_bytes(), ms);
        put(o, &format!("{channel}/0/init.mp4"), VIDEO_INIT, ms);
        put(o, &format!("{channel}/1/init.mp4"), AUDIO_INIT, ms);
        put(o, &format!("{channel}/0/1.m4s"), VIDEO_1, ms);
    }

    fn read(o: &mut Origin, path: &str, ms: u64) -> Option<String> {
        match o.open(path, None, Instant::from_millis(ms)) {
            Ok(Opened::Whole(p)) => Some(String::from_utf8(p.concat()).unwrap()),
            _ => None,
        }
    }

    #[test]
    fn a_group_publishes_its_aligned_renditions_and_reports_the_others() {
        let mut o = Origin::new(Config {
            token: Some("t".into()),
            abr: vec![AbrRule::parse("*_abr=*_720,*_480,*_360").unwrap()],
            keepalive: std::time::Duration::from_secs(60),
            ..Config::default()
        });
        assert_eq!(read(&mut o, "x_abr/manifest.mpd", 0), None);
        push(&mut o, "x_720", MPD, 0);
        push(
            &mut o,
            "x_360",
            &MPD.replace("bandwidth=\"154600\"", "bandwidth=\"54600\""),
            0,
        );
        // Another segment duration: not switchable.
        push(
            &mut o,
            "x_480",
            &MPD.replace("duration=\"2000000\"", "duration=\"4000000\""),
            0,
        );
        push(&mut o, "cctv", MPD, 0);
        let mpd = read(&mut o, "x_abr/manifest.mpd", 1000).unwrap();
        let parsed = crate::mpd::parse(&mpd).unwrap();
        let sets = &parsed.periods[0].adaptation_sets;
        assert_eq!(sets.len(), 2, "{mpd}");
        let ids: Vec<_> = sets[0]
            .representations
            .iter()
            .map(|r| r.id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["x_360", "x_720"], "ordered by bandwidth");
        assert_eq!(parsed.minimum_update_period, None, "static: {mpd}");
        let r = &sets[0].representations[1];
        assert_eq!(r.codecs.as_deref(), Some("avc1.4d400c"));
        assert_eq!((r.width, r.height), (Some(320), Some(180)));
        let t = r.segment_template.as_deref().unwrap();
        assert_eq!(t.media.as_deref(), Some("../x_720/0/$Number$.m4s"));
        assert_eq!(t.initialization.as_deref(), Some("../x_720/0/init.mp4"));
        let audio = &sets[1].representations[0];
        assert_eq!(
            audio.segment_template.as_deref().unwrap().media.as_deref(),
            Some("../x_720/1/$Number$.m4s")
        );
        let status = read(&mut o, "x_abr/status", 1000).unwrap();
        let v: serde_json::Value = serde_json::from_str(&status).unwrap();
        let r = &v["renditions"];
        assert_eq!(r[0]["channel"], "x_360");
        assert_eq!(r[1]["channel"], "x_480");
        assert_eq!(r[1]["included"], false);
        assert_eq!(
            r[1]["reason"],
            "segment duration 4.000 s is not the group's 2.000 s"
        );
        assert_eq!(r[2]["included"], true);
        assert_eq!(r[2]["width"], 320);
        let notes = o.take_notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("x_480 left out"), "{notes:?}");
        // Readers of the group keep its renditions alive; once they are dropped it is gone.
        assert!(read(&mut o, "x_abr/status", 59_000).is_some());
        assert_eq!(o.sweep(Instant::from_millis(100_000)), ["cctv"]);
        assert_eq!(
            o.sweep(Instant::from_millis(119_000)),
            ["x_360", "x_480", "x_720"]
        );
        assert_eq!(read(&mut o, "x_abr/manifest.mpd", 119_000), None);
    }

    #[test]
    fn a_rendition_whose_mpd_is_being_rewritten_stays_in_the_group() {
        let mut o = Origin::new(Config {
            token: Some("t".into()),
            abr: vec![AbrRule::parse("*_abr=*_720,*_480,*_360").unwrap()],
            ..Config::default()
        });
        let live = MPD.replace("type=\"static\"", "type=\"dynamic\"");
        push(&mut o, "x_720", &live, 0);
        push(&mut o, "x_480", &live, 0);
        // ffmpeg writes its MPD again after each segment: half of the new one has arrived.
        let c = Credentials::token("t");
        let req = UploadRequest {
            method: Method::Put,
            path: "x_720/manifest.mpd",
            credentials: &c,
            content_length: None,
            content_type: None,
        };
        let now = Instant::from_millis(1000);
        let Admission::Upload(mut up) = o.admit(&req, now) else {
            panic!("admit")
        };
        let half = &live.as_bytes()[..live.len() / 2];
        o.feed(&mut up, Bytes::copy_from_slice(half), now).unwrap();
        let mpd = read(&mut o, "x_abr/manifest.mpd", 1000).unwrap();
        let parsed = crate::mpd::parse(&mpd).unwrap();
        assert_eq!(
            parsed.periods[0].adaptation_sets[0].representations.len(),
            2,
            "{mpd}"
        );
        // Renditions join and leave: players are asked to refresh often.
        assert_eq!(
            parsed
                .minimum_update_period
                .as_ref()
                .and_then(|d| d.to_nanos().ok()),
            Some(2_000_000_000),
            "{mpd}"
        );
        o.abort(*up, now);
        assert!(read(&mut o, "x_720/manifest.mpd", 1000).is_some());
    }

    #[test]
    fn channels_are_dropped_a_keepalive_after_their_last_participant() {
        let mut o = Origin::new(Config {
            token: Some("t".into()),
            abr: vec![AbrRule::parse("*_abr=*_720").unwrap()],
            keepalive: std::time::Duration::from_secs(60),
            ..Config::default()
        });
        push(&mut o, "y_720", MPD, 0);
        assert!(o.sweep(Instant::from_millis(59_999)).is_empty());
        // A reader of the group at 50 s is a participant: the rendition lives until 110 s.
        assert!(read(&mut o, "y_abr/manifest.mpd", 50_000).is_some());
        assert!(o.sweep(Instant::from_millis(109_999)).is_empty());
        assert_eq!(o.sweep(Instant::from_millis(110_000)), ["y_720"]);
    }

    #[test]
    fn rules_are_checked() {
        assert!(AbrRule::parse("x=*_720").is_err());
        assert!(AbrRule::parse("*_abr=*_7*").is_err());
        assert!(AbrRule::parse("*_abr").is_err());
        assert!(AbrRule::parse("*/abr=*_720").is_err());
        assert_eq!(capture("*_720", "_720"), None);
        assert_eq!(
            template_key("chunk-stream0-$Number%05d$.m4s").unwrap(),
            "chunk-stream0-.m4s"
        );
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn groups() {
        use crate::ingest::abr::{groups, AbrRule};
        let rules = [AbrRule::parse("*_abr=*_720,*_360").unwrap()];
        let g = groups(&rules, &["a_360".into(), "a_720".into(), "cctv".into()]);
        assert_eq!(
            g["a_abr"],
            [(0, "a_720".to_string()), (1, "a_360".to_string())]
        );
    }
}
