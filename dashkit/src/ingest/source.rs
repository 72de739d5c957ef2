//! Several encoders on one channel, and seamless failover between them.
//!
//! An encoder (a *source*) is named by its Basic-auth user name (ffmpeg's
//! `http://enc-a:TOKEN@host/ingest/ch/manifest.mpd`); uploads with a bare token (Bearer,
//! `X-Ingest-Token`) are one anonymous source. The first source of a channel is *active*: its
//! files are published under their own names, as a single encoder's always were. Up to
//! [`MAX_SOURCES`]` - 1` more are *standby*: their uploads are parsed and kept (each numbered
//! stream within the window) in a private space readers cannot reach. A further source is
//! refused ([`Refusal::TooManySources`], 409).
//!
//! **Promotion.** The oldest standby becomes active when the active source disconnects in the
//! middle of a segment ([`Origin::abort`]), ends its stream (`lmsg`), or uploads nothing for
//! [`Config::failover`](super::Config::failover). The former active leaves the channel; when
//! it comes back it joins as a standby like any new source. With no standby waiting nothing
//! changes: a lone encoder keeps its channel as before.
//!
//! **Continuity.** The published timeline is the first active source's. From a switch on, each
//! numbered stream of the new active source is *mapped*: every published `tfdt` is the
//! source's own plus a per-track offset (integer ticks in the track's timescale), `mfhd`
//! sequence numbers and segment numbers (or `$Time$` names) are shifted likewise, so that its
//! first published segment starts exactly where the last complete published one ended. Its
//! segments are rewritten with the zero-copy [`crate::bmff::patch::rewrite_segment`] (the
//! `mdat` payloads are shared, not copied) and published under the publisher's names. An
//! incomplete segment left by the former active is superseded by the standby's.
//!
//! Which standby segment comes first: the one whose upload began nearest to when the next
//! published segment was due (at least half a segment after the last complete one began), and
//! that starts with a sync sample (a segment that does not is skipped: the switch is at
//! segment granularity; ffmpeg's segments all start with one). The standby's segments kept
//! since then are published at once, so the published edge catches up with the encoder.
//!
//! **One MPD.** Two ffmpeg processes each upload their own MPD, with their own
//! availabilityStartTime (each run starts its clock, numbers and decode times afresh). Players
//! need one timeline, so the channel publishes the first active source's MPD only: other
//! sources' MPDs are kept privately, and after a switch the published MPD stays as it was.
//! Its templates stay valid because numbers and times continue. A `SegmentTimeline` MPD is not
//! extended after a switch: encoders meant for failover should use `$Number$` templates with a
//! duration (ffmpeg: `-use_timeline 0`).
//!
//! **New Period.** A standby whose init segments carry another codec configuration (sample
//! entry, codec string or picture size of a track) still continues the timeline, and its
//! init segments are published as `p<N>-<name>` (N: the first published number from it); every
//! published MPD gets a Period from the switch on (a copy of its last one, templates starting
//! at N with the matching presentationTimeOffset, initialization renamed), so players
//! reinitialise their decoders there.
//!
//! **Refusals.** A standby whose init segment has another track set or timescale than the
//! published one for the same stream is refused ([`Refusal::SourceMismatch`], 409) until it
//! sends a matching init segment; nothing published changes.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;

use super::admission::Refusal;
use super::channel::{Channel, File, SegMeta, Status};
use super::naming;
use super::{Instant, Origin};
use crate::bmff::patch::{rewrite_segment, Edits, Part, TfdtEdit, TfdtTarget};
use crate::cmaf::StreamEvent;

/// Most sources per channel: one active and two standby.
pub(crate) const MAX_SOURCES: usize = 3;

/// Most refused sources a channel remembers.
pub(crate) const MAX_REFUSED_SOURCES: usize = 16;

/// Private paths start with this: no upload or read path can (control characters are refused).
pub(crate) const PRIVATE: &str = "\u{1}source-";

/// One encoder of a channel.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// Its name (the Basic-auth user name; empty for the anonymous source).
    pub key: String,
    /// Unique id: names its private space.
    pub id: u64,
    /// When it last uploaded anything.
    pub last_seen: Instant,
    /// Its files are published under their own names (the channel's first source, before any
    /// switch).
    pub direct: bool,
    /// How each of its numbered streams maps onto the published one, by stream key.
    pub maps: HashMap<String, StreamMap>,
    /// It brought another codec configuration and started this Period (`p<number>`).
    pub period: Option<String>,
}

impl Source {
    /// Where its files are kept; `None` when they are published as they are.
    pub fn prefix(&self) -> Option<String> {
        (!self.direct).then(|| format!("{PRIVATE}{}/", self.id))
    }
}

/// How a source's numbered stream continues the published one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StreamMap {
    /// The source's first segment number that is published.
    pub from: u64,
    /// Added to segment numbers.
    pub number: i128,
    /// Added to `mfhd` sequence numbers.
    pub seq: i128,
    /// Added to each track's decode times.
    pub ticks: Vec<(u32, i128)>,
    /// Names carry the decode time (`$Time$`), not a number.
    pub time_named: bool,
}

impl StreamMap {
    fn tick(&self, track: u32) -> i128 {
        self.ticks
            .iter()
            .find(|(t, _)| *t == track)
            .or(self.ticks.first())
            .map_or(0, |(_, d)| *d)
    }

    /// The published number (or `$Time$`) of a source segment.
    fn published_number(&self, meta: &SegMeta) -> Option<u64> {
        if self.time_named {
            let t = meta.tracks.first()?;
            shift(t.start, self.tick(t.track_id))
        } else {
            shift(meta.number, self.number)
        }
    }

    /// The published view of a source segment's timing.
    fn published_meta(&self, meta: &SegMeta) -> SegMeta {
        let mut m = meta.clone();
        m.number = self.published_number(meta).unwrap_or(meta.number);
        m.first_seq = meta
            .first_seq
            .and_then(|s| shift(u64::from(s), self.seq))
            .and_then(|s| u32::try_from(s).ok());
        m.last_seq = meta
            .last_seq
            .and_then(|s| shift(u64::from(s), self.seq))
            .and_then(|s| u32::try_from(s).ok());
        for t in &mut m.tracks {
            t.start = shift(t.start, self.tick(t.track_id)).unwrap_or(t.start);
        }
        m
    }
}

/// `v + d`, when it fits in a `u64`.
fn shift(v: u64, d: i128) -> Option<u64> {
    u64::try_from(i128::from(v).checked_add(d)?).ok()
}

/// A published copy of a source's segment.
#[derive(Debug, Clone)]
pub(crate) struct Mirror {
    pub public: String,
    pub id: u64,
    /// Pieces of the source's file published so far.
    pub done: usize,
    /// Its final status was published (and it joined its stream's window).
    pub ended: bool,
}

/// Where a published stream continues.
#[derive(Debug, Clone)]
struct Continuation {
    number: u64,
    seq: u64,
    /// Per track: where the next segment starts.
    ends: Vec<(u32, u64)>,
    /// The next segment's upload should begin at or after this.
    due: Option<Instant>,
}

/// Whether a segment is named by its decode time.
fn time_named(meta: &SegMeta) -> bool {
    meta.tracks.first().is_some_and(|t| t.start == meta.number)
}

/// The published continuation of stream `key`: after its last complete segment, or at its
/// first incomplete one; `None` when nothing of it was published.
fn continuation(ch: &Channel, key: &str) -> Option<Continuation> {
    let mut complete: Option<&SegMeta> = None;
    let mut other: Option<&SegMeta> = None;
    for (p, f) in &ch.files {
        if p.starts_with(PRIVATE) {
            continue;
        }
        let Some(m) = f.meta.as_deref().filter(|m| !m.tracks.is_empty()) else {
            continue;
        };
        if naming::media_key(p).is_none_or(|(k, _)| k != key) {
            continue;
        }
        let slot = if f.status == Status::Complete {
            &mut complete
        } else {
            &mut other
        };
        let later = |a: &SegMeta| a.tracks[0].start < m.tracks[0].start;
        let earlier = |a: &SegMeta| a.tracks[0].start > m.tracks[0].start;
        let replace = match (f.status == Status::Complete, *slot) {
            (_, None) => true,
            (true, Some(a)) => later(a),
            (false, Some(a)) => earlier(a),
        };
        if replace {
            *slot = Some(m);
        }
    }
    if let Some(l) = complete {
        let ends: Vec<(u32, u64)> = l
            .tracks
            .iter()
            .map(|t| (t.track_id, t.start.saturating_add(t.duration)))
            .collect();
        let number = if time_named(l) {
            ends[0].1
        } else {
            l.number.saturating_add(1)
        };
        let half = Duration::from_millis(l.duration_ms().unwrap_or(0) / 2);
        return Some(Continuation {
            number,
            seq: u64::from(l.last_seq.unwrap_or(0)).saturating_add(1),
            ends,
            due: Some(Instant::from_millis(
                l.started
                    .as_millis()
                    .saturating_add(half.as_millis() as u64),
            )),
        });
    }
    let f = other?;
    Some(Continuation {
        number: f.number,
        seq: u64::from(f.first_seq.unwrap_or(1)),
        ends: f.tracks.iter().map(|t| (t.track_id, t.start)).collect(),
        due: None,
    })
}

/// Replaces the last run of digits of `path` (before its extension) by `n`, padded to the
/// run's width: `chunk-stream0-00003.m4s`, 11 → `chunk-stream0-00011.m4s`.
pub(crate) fn renumber(path: &str, n: u64) -> Option<String> {
    let stem_end = path
        .rfind('.')
        .filter(|d| !path[*d..].contains('/'))
        .unwrap_or(path.len());
    let b = path.as_bytes().get(..stem_end)?;
    let end = b.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = b[..end]
        .iter()
        .rposition(|c| !c.is_ascii_digit())
        .map_or(0, |p| p + 1);
    let width = end - start;
    Some(format!("{}{n:0width$}{}", &path[..start], &path[end..]))
}

/// The published bytes of one piece of a source's segment: chunks rewritten (tfdt, mfhd),
/// other boxes as they are. `None` when the piece cannot be rewritten.
fn map_piece(piece: &Bytes, map: &StreamMap) -> Option<Vec<Bytes>> {
    let events = crate::cmaf::parse_all(piece).ok()?;
    let Some(c) = events.iter().find_map(|e| match e {
        StreamEvent::Chunk(c) => Some(c),
        StreamEvent::Box(_) => None,
    }) else {
        return Some(vec![piece.clone()]);
    };
    let mut tfdt = Vec::new();
    for t in &c.tracks {
        let Some(d) = t.decode_time else { continue };
        tfdt.push(TfdtEdit {
            track_id: Some(t.track_id),
            target: TfdtTarget::Set(shift(d, map.tick(t.track_id))?),
        });
    }
    let edits = Edits {
        tfdt,
        sequence_number: Some(u32::try_from(shift(u64::from(c.sequence_number), map.seq)?).ok()?),
        ..Edits::default()
    };
    let out = rewrite_segment(piece, &edits).ok()?;
    Some(
        out.parts
            .iter()
            .map(|p| match p {
                Part::Borrowed(s) => piece.slice_ref(s),
                Part::Owned(v) => Bytes::copy_from_slice(v),
            })
            .collect(),
    )
}

/// Track ids and timescales of an init segment's `moov`.
fn track_set(moov: &[u8]) -> Option<Vec<(u32, u32)>> {
    let info = crate::bmff::info::describe(moov).ok()?;
    let mut v: Vec<(u32, u32)> = info
        .tracks
        .iter()
        .map(|t| (t.track_id, t.timescale))
        .collect();
    v.sort_unstable();
    Some(v)
}

/// Why a standby's init segment cannot continue the published one, if it cannot.
pub(crate) fn init_mismatch(published: &[u8], standby: &[u8]) -> Option<String> {
    let (a, b) = (track_set(published)?, track_set(standby)?);
    (a != b).then(|| {
        let show = |v: &[(u32, u32)]| {
            v.iter()
                .map(|(id, ts)| format!("track {id} at {ts}/s"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "its tracks ({}) are not the published ones ({})",
            show(&b),
            show(&a)
        )
    })
}

/// Per track: id, sample entry, codec string, picture size.
type CodecConfig = Vec<(u32, String, String, Option<(u32, u32)>)>;

/// What a player must reconfigure its decoder for: each track's sample entry, codec string
/// and picture size.
fn codec_config(moov: &[u8]) -> Option<CodecConfig> {
    let info = crate::bmff::info::describe(moov).ok()?;
    Some(
        info.tracks
            .iter()
            .map(|t| {
                (
                    t.track_id,
                    t.sample_entry.clone(),
                    t.codec.clone(),
                    t.dimensions,
                )
            })
            .collect(),
    )
}

/// The published MPD with a Period from `start_ns` on: a copy of its last Period whose
/// templates start at `number`, at media time `start` (in `timescale`), with init segments
/// renamed `<period>-<name>`.
fn add_period(text: &str, period: &str, number: u64, start: u64, timescale: u32) -> Option<Bytes> {
    let mut mpd = crate::mpd::parse(text).ok()?;
    if mpd.periods.iter().any(|p| p.id.as_deref() == Some(period)) {
        return None;
    }
    let mut p = mpd.periods.last()?.clone();
    p.id = Some(period.to_string());
    let ns = i128::from(start) * 1_000_000_000 / i128::from(timescale.max(1));
    p.start = Some(crate::mpd::XsDuration::from_nanos(ns));
    let fix = |t: &mut crate::mpd::SegmentTemplate| {
        if let Some(i) = &mut t.initialization {
            *i = format!("{period}-{i}");
        }
        let ts = u128::from(t.timescale.unwrap_or(1));
        t.start_number = Some(number);
        t.presentation_time_offset =
            u64::try_from(u128::from(start) * ts / u128::from(timescale.max(1))).ok();
    };
    if let Some(t) = p.segment_template.as_deref_mut() {
        fix(t);
    }
    for a in &mut p.adaptation_sets {
        if let Some(t) = a.segment_template.as_deref_mut() {
            fix(t);
        }
        for r in &mut a.representations {
            if let Some(t) = r.segment_template.as_deref_mut() {
                fix(t);
            }
        }
    }
    mpd.periods.push(p);
    Some(Bytes::from(crate::mpd::write(&mpd)))
}

impl Origin {
    /// The promoted source `prefix` brings another codec configuration: its init segments are
    /// published as `p<number>-<name>`, and the published MPD gets a Period from the switch on
    /// (published number `number`, media time `start` in `timescale`) that uses them.
    fn split_period(
        &mut self,
        channel: &str,
        prefix: &str,
        number: u64,
        start: u64,
        timescale: u32,
    ) {
        let period = format!("p{number}");
        let next_id = &mut self.next_id;
        let mut new_id = || {
            *next_id += 1;
            *next_id
        };
        let Some(ch) = self.channels.get_mut(channel) else {
            return;
        };
        if let Some(s) = ch
            .sources
            .iter_mut()
            .find(|s| s.prefix().as_deref() == Some(prefix))
        {
            s.period = Some(period.clone());
        }
        let inits: Vec<(String, Bytes)> = ch
            .inits
            .iter()
            .filter_map(|(p, m)| Some((p.strip_prefix(prefix)?.to_string(), m.clone())))
            .collect();
        for (rel, moov) in inits {
            let Some(f) = ch.files.get(&format!("{prefix}{rel}")).cloned() else {
                continue;
            };
            let public = format!("{period}-{rel}");
            ch.inits.insert(public.clone(), moov);
            ch.files.insert(public, File { id: new_id(), ..f });
        }
        let mpds: Vec<String> = ch
            .files
            .iter()
            .filter(|(p, f)| {
                !p.starts_with(PRIVATE) && naming::is_mpd_name(p) && f.status == Status::Complete
            })
            .map(|(p, _)| p.clone())
            .collect();
        for p in mpds {
            let Some(f) = ch.files.get_mut(&p) else {
                continue;
            };
            let text = f.pieces.concat();
            let Some(out) = std::str::from_utf8(&text)
                .ok()
                .and_then(|t| add_period(t, &period, number, start, timescale))
            else {
                continue;
            };
            f.pieces = vec![out];
            f.id = new_id();
        }
    }

    /// Finds or joins source `key` on `channel` at `now`: the prefix of its private space
    /// (`None`: its files are published as they are).
    pub(super) fn join_source(
        &mut self,
        channel: &str,
        key: &str,
        path: &str,
        now: Instant,
    ) -> Result<Option<String>, Refusal> {
        self.failover(channel, now);
        let id = self.next_id();
        let Some(ch) = self.channels.get_mut(channel) else {
            return Ok(None);
        };
        if let Some(reason) = ch.refused_sources.get(key) {
            if !naming::is_init_name(path) {
                return Err(Refusal::SourceMismatch {
                    name: key.to_string(),
                    reason: reason.clone(),
                });
            }
        }
        if let Some(s) = ch.sources.iter_mut().find(|s| s.key == key) {
            s.last_seen = now;
            return Ok(s.prefix());
        }
        if ch.sources.len() >= MAX_SOURCES {
            return Err(Refusal::TooManySources {
                channel: channel.to_string(),
                sources: ch.sources.iter().map(|s| s.key.clone()).collect(),
            });
        }
        let direct = ch.sources.is_empty() && !ch.switched;
        let s = Source {
            key: key.to_string(),
            id,
            last_seen: now,
            direct,
            maps: HashMap::new(),
            period: None,
        };
        let prefix = s.prefix();
        ch.sources.push(s);
        if direct {
            ch.active = Some(key.to_string());
        }
        self.failover(channel, now);
        Ok(prefix)
    }

    /// Source `key` of `channel` did something at `now`.
    pub(super) fn source_seen(&mut self, channel: &str, key: &str, now: Instant) {
        if let Some(s) = self
            .channels
            .get_mut(channel)
            .and_then(|c| c.sources.iter_mut().find(|s| s.key == key))
        {
            s.last_seen = now;
        }
    }

    /// The promotion rules at `now`: silent standbys leave; a silent active with a standby
    /// waiting is replaced; a channel without an active source promotes its oldest standby.
    pub(super) fn failover(&mut self, channel: &str, now: Instant) {
        let limit = self.cfg.failover;
        let Some(ch) = self.channels.get_mut(channel) else {
            return;
        };
        let active = ch.active.clone();
        let stale: Vec<String> = ch
            .sources
            .iter()
            .filter(|s| Some(&s.key) != active.as_ref() && !now.within(s.last_seen, limit))
            .map(|s| s.key.clone())
            .collect();
        for k in stale {
            remove_source(ch, &k);
        }
        if let Some(a) = &active {
            let silent = ch
                .sources
                .iter()
                .any(|s| &s.key == a && !now.within(s.last_seen, limit));
            if silent && ch.sources.len() > 1 {
                self.demote(channel, a);
            }
        }
        self.promote_oldest(channel);
    }

    /// The active source `key` went away (disconnected mid-segment, ended its stream): a
    /// waiting standby takes over. A lone source stays.
    pub(super) fn active_left(&mut self, channel: &str, key: &str) {
        let Some(ch) = self.channels.get(channel) else {
            return;
        };
        if ch.active.as_deref() == Some(key) && ch.sources.len() > 1 {
            self.demote(channel, key);
            self.promote_oldest(channel);
        } else if ch.active.as_deref() != Some(key) {
            if let Some(ch) = self.channels.get_mut(channel) {
                remove_source(ch, key);
            }
        }
    }

    /// Removes the active source: its segments still being written end incomplete.
    fn demote(&mut self, channel: &str, key: &str) {
        let window = self.cfg.window;
        let Some(ch) = self.channels.get_mut(channel) else {
            return;
        };
        let writing: Vec<String> = ch
            .files
            .iter()
            .filter(|(p, f)| {
                !p.starts_with(PRIVATE) && f.status == Status::Writing && f.meta.is_some()
            })
            .map(|(p, _)| p.clone())
            .collect();
        for p in writing {
            if let Some(f) = ch.files.get_mut(&p) {
                f.status = Status::Incomplete;
            }
            if let Some((k, _)) = naming::media_key(&p) {
                ch.push_window(&k, &p, window);
            }
        }
        remove_source(ch, key);
    }

    fn promote_oldest(&mut self, channel: &str) {
        let Some(ch) = self.channels.get_mut(channel) else {
            return;
        };
        if ch.active.is_some() {
            return;
        }
        let Some(s) = ch.sources.first() else {
            return;
        };
        let key = s.key.clone();
        let prefix = s.prefix();
        ch.active = Some(key.clone());
        ch.switched = true;
        let Some(prefix) = prefix else { return };
        let mut keys: Vec<String> = ch
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(&prefix))
            .filter_map(|rel| naming::media_key(rel).map(|k| k.0))
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            self.map_stream(channel, &prefix, &k);
        }
    }

    /// A private file of a source changed: if the source is active, publish what is new.
    pub(super) fn private_changed(&mut self, channel: &str, private: &str) {
        let Some(ch) = self.channels.get(channel) else {
            return;
        };
        let Some(s) = ch
            .active
            .as_ref()
            .and_then(|a| ch.sources.iter().find(|s| &s.key == a))
        else {
            return;
        };
        let Some(prefix) = s.prefix().filter(|p| private.starts_with(p.as_str())) else {
            return;
        };
        let Some((key, _)) = naming::media_key(&private[prefix.len()..]) else {
            return;
        };
        if s.maps.contains_key(&key) {
            self.mirror(channel, &prefix, private);
        } else {
            self.map_stream(channel, &prefix, &key);
        }
    }

    /// Establishes how the active source's stream `key` continues the published one (when
    /// its first segment to publish is known), then publishes its segments from there on.
    fn map_stream(&mut self, channel: &str, prefix: &str, key: &str) {
        let Some(ch) = self.channels.get_mut(channel) else {
            return;
        };
        let mut segs: Vec<(u64, String)> = ch
            .files
            .keys()
            .filter_map(|p| {
                let (k, n) = naming::media_key(p.strip_prefix(prefix)?)?;
                (k == key).then(|| (n, p.clone()))
            })
            .collect();
        segs.sort();
        let Some(src) = ch
            .sources
            .iter()
            .position(|s| s.prefix().as_deref() == Some(prefix))
        else {
            return;
        };
        if !ch.sources[src].maps.contains_key(key) {
            let cont = continuation(ch, key);
            let mut chosen = None;
            for (_, p) in &segs {
                let Some(m) = ch.files.get(p).and_then(|f| f.meta.as_deref()) else {
                    continue;
                };
                match m.starts_with_sync {
                    None => break,
                    Some(false) => continue,
                    Some(true) => {}
                }
                if cont
                    .as_ref()
                    .and_then(|c| c.due)
                    .is_some_and(|due| m.started < due)
                {
                    continue;
                }
                chosen = Some(m.clone());
                break;
            }
            let Some(m) = chosen else { return };
            let map = match &cont {
                None => StreamMap {
                    from: m.number,
                    number: 0,
                    seq: 0,
                    ticks: Vec::new(),
                    time_named: time_named(&m),
                },
                Some(c) => StreamMap {
                    from: m.number,
                    number: i128::from(c.number) - i128::from(m.number),
                    seq: i128::from(c.seq) - i128::from(m.first_seq.unwrap_or(1)),
                    ticks: m
                        .tracks
                        .iter()
                        .map(|t| {
                            let end = c
                                .ends
                                .iter()
                                .find(|(id, _)| *id == t.track_id)
                                .or(c.ends.first())
                                .map_or(t.start, |e| e.1);
                            (t.track_id, i128::from(end) - i128::from(t.start))
                        })
                        .collect(),
                    time_named: time_named(&m),
                },
            };
            // What the former active left unfinished from here on is superseded.
            if let Some(c) = &cont {
                let stale: Vec<String> = ch
                    .files
                    .iter()
                    .filter(|(p, f)| {
                        !p.starts_with(PRIVATE)
                            && f.status != Status::Complete
                            && naming::media_key(p).is_some_and(|(k, n)| k == key && n >= c.number)
                    })
                    .map(|(p, _)| p.clone())
                    .collect();
                for p in stale {
                    ch.files.remove(&p);
                    for s in ch.streams.values_mut() {
                        s.window.retain(|w| w != &p);
                    }
                }
            }
            if let Some(s) = ch.streams.get_mut(key) {
                // The former active ended the stream (lmsg); it goes on.
                s.ended = false;
            }
            let split = match (&cont, ch.sources[src].period.is_none()) {
                (Some(c), true) => segs
                    .iter()
                    .find(|(n, _)| *n == map.from)
                    .and_then(|(_, p)| {
                        let theirs = naming::init_for(p, &ch.inits)?;
                        let ours = naming::init_for(&p[prefix.len()..], &ch.inits)?;
                        (codec_config(theirs)? != codec_config(ours)?).then_some(())
                    })
                    .and_then(|()| {
                        let (id, end) = *c.ends.first()?;
                        let m = ch
                            .files
                            .get(&segs.iter().find(|(n, _)| *n == map.from)?.1)?;
                        let ts = m
                            .meta
                            .as_deref()?
                            .tracks
                            .iter()
                            .find(|t| t.track_id == id)?
                            .timescale?;
                        Some((c.number, end, ts))
                    }),
                _ => None,
            };
            ch.sources[src].maps.insert(key.to_string(), map);
            if let Some((number, end, ts)) = split {
                self.split_period(channel, prefix, number, end, ts);
            }
        }

        for (_, p) in segs {
            self.mirror(channel, prefix, &p);
        }
    }

    /// Publishes what is new in the active source's file `private` under its published name.
    fn mirror(&mut self, channel: &str, prefix: &str, private: &str) {
        let id = self.next_id();
        let window = self.cfg.window;
        let Some(ch) = self.channels.get_mut(channel) else {
            return;
        };
        let Some(map) = ch
            .sources
            .iter()
            .find(|s| s.prefix().as_deref() == Some(prefix))
            .and_then(|s| {
                let rel = private.strip_prefix(prefix)?;
                s.maps.get(&naming::media_key(rel)?.0)
            })
            .cloned()
        else {
            return;
        };
        let Some(f) = ch.files.get(private) else {
            return;
        };
        let Some(meta) = f.meta.as_deref().filter(|m| m.number >= map.from) else {
            return;
        };
        if !ch.mirrors.contains_key(private) {
            let Some(n) = map.published_number(meta) else {
                return;
            };
            let Some(public) = renumber(&private[prefix.len()..], n) else {
                return;
            };
            ch.files.insert(
                public.clone(),
                File {
                    id,
                    pieces: Vec::new(),
                    status: Status::Writing,
                    meta: None,
                },
            );
            for s in ch.streams.values_mut() {
                s.window.retain(|w| w != &public);
            }
            ch.mirrors.insert(
                private.to_string(),
                Mirror {
                    public,
                    id,
                    done: 0,
                    ended: false,
                },
            );
        }
        let Some(f) = ch.files.get(private) else {
            return;
        };
        let Some(m) = ch.mirrors.get_mut(private) else {
            return;
        };
        let mut new = Vec::new();
        for piece in f.pieces.iter().skip(m.done) {
            // A piece that cannot be rewritten is not published: a wrong tfdt would break
            // the timeline.
            new.extend(map_piece(piece, &map).unwrap_or_default());
        }
        m.done = f.pieces.len();
        let status = f.status;
        let private_len = f.len();
        let mut meta = f.meta.as_deref().map(|x| Box::new(map.published_meta(x)));
        let end = status != Status::Writing && !m.ended;
        m.ended |= end;
        let (public, pid) = (m.public.clone(), m.id);
        let Some(pf) = ch.files.get_mut(&public).filter(|pf| pf.id == pid) else {
            return;
        };
        pf.pieces.extend(new);
        if pf.len() != private_len {
            // A rewritten tfdt changed the size: the chunks' offsets are not the copy's.
            if let Some(m) = meta.as_mut() {
                m.chunks.clear();
                m.chunks_overflow = true;
            }
        }
        pf.meta = meta;
        if end {
            pf.status = status;
            if let Some((k, _)) = naming::media_key(&public) {
                ch.push_window(&k, &public, window);
            }
        }
    }
}

/// Removes source `key` and its private files.
fn remove_source(ch: &mut Channel, key: &str) {
    let Some(i) = ch.sources.iter().position(|s| s.key == key) else {
        return;
    };
    let s = ch.sources.remove(i);
    if ch.active.as_deref() == Some(key) {
        ch.active = None;
    }
    if let Some(prefix) = s.prefix() {
        ch.files.retain(|p, _| !p.starts_with(&prefix));
        ch.inits.retain(|p, _| !p.starts_with(&prefix));
        ch.mirrors.retain(|p, _| !p.starts_with(&prefix));
        ch.streams.retain(|k, _| !k.starts_with(&prefix));
        ch.signalled.retain(|p, _| !p.starts_with(&prefix));
        ch.forget_chunk_ms(&prefix);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn renumbering_keeps_the_width() {
        assert_eq!(
            renumber("chunk-stream0-00003.m4s", 11).unwrap(),
            "chunk-stream0-00011.m4s"
        );
        assert_eq!(renumber("v/7.m4s", 1234).unwrap(), "v/1234.m4s");
        assert_eq!(renumber("init.mp4", 3), None);
    }

    #[test]
    fn shifts_are_checked() {
        assert_eq!(shift(5, -5), Some(0));
        assert_eq!(shift(5, -6), None);
        assert_eq!(shift(u64::MAX, 1), None);
    }
}
