//! The ingest origin as a sans-IO state machine: encoders upload an MPD, init and media
//! segments (ffmpeg's dash muxer) or CMAF tracks (DASH-IF Live Media Ingest interface 1) into
//! channels, and readers get them back, a segment still being uploaded chunk by chunk.
//!
//! [`Origin`] is plain data. A server drives it: it reads the clock and passes `now` (an
//! [`Instant`]), reads request bodies and feeds their bytes, and wakes waiting readers when a
//! call says something was published. Every rule is a call here:
//!
//! - [`Origin::admit`]: an upload or DELETE (method, path, credentials, declared length and
//!   type) becomes an [`Admission`]: an [`Upload`] to feed, a probe, a deletion or a
//!   [`Refusal`] (with its HTTP status, [`Refusal::http_status`]).
//! - [`Origin::feed`]: the next bytes of an upload go through [`crate::cmaf::Parser`]; whole
//!   boxes and CMAF chunks are published as they complete. [`Origin::finish`] ends it (window
//!   eviction, init detection, `lmsg`) and says what a store should keep; [`Origin::abort`]
//!   marks it incomplete (the encoder went away).
//! - [`Origin::open`] and [`Origin::read`]: a reader gets a whole file, or a [`Reader`] cursor
//!   that yields new pieces, [`Read::Wait`] or [`Read::End`]; [`Origin::close`] ends it.
//! - [`Origin::sweep`] drops channels idle for the keep-alive; the standby rule and the
//!   numbering rule are decided at `now`; [`Origin::restore`] reloads a channel from stored
//!   files.
//!
//! ## Time
//! [`Instant`] is milliseconds on a monotonic clock from an epoch the caller chooses (its start,
//! say); only differences matter. Tests pin it.
//!
//! ## Bytes
//! Published pieces are [`bytes::Bytes`]: readers and a store share one copy of each chunk
//! (a reference count, no copy), and a server built on hyper sends them as they are. The
//! crate is small and has no dependencies of its own, so it costs the library nothing.
//!
//! ```
//! use dashkit::ingest::{Admission, Config, Credentials, Instant, Method, Opened, Origin, UploadRequest};
//! use bytes::Bytes;
//! let mut origin = Origin::new(Config { token: Some("t".into()), ..Config::default() });
//! let now = Instant::from_millis(0);
//! let creds = Credentials::token("t");
//! let req = UploadRequest { method: Method::Put, path: "ch/manifest.mpd", credentials: &creds,
//!     content_length: None, content_type: None };
//! let Admission::Upload(mut up) = origin.admit(&req, now) else { panic!() };
//! origin.feed(&mut up, Bytes::from_static(b"<MPD/>"), now).unwrap();
//! assert_eq!(origin.finish(*up, now).outcome.http_status(), 201);
//! let Ok(Opened::Whole(parts)) = origin.open("ch/manifest.mpd", None, now) else { panic!() };
//! assert_eq!(parts.concat(), b"<MPD/>");
//! ```

pub mod abr;
pub mod admission;
mod channel;
pub(crate) mod hls;
mod manifest;
pub(crate) mod naming;
mod reader;
pub(crate) mod source;
#[cfg(test)]
mod source_tests;
mod store;
#[cfg(test)]
mod tests;
mod upload;

use std::collections::HashMap;
use std::time::Duration;

pub use admission::{Credentials, Method, Refusal};
pub use channel::Status;
pub use naming::NamingError;
pub use reader::{Opened, Read, Reader};
pub use store::StoredFile;
pub use upload::{Admission, Finished, Outcome, Upload, UploadRequest};

use channel::Channel;

/// A monotonic instant: milliseconds since an epoch the caller chooses.
///
/// ```
/// use dashkit::ingest::Instant;
/// use std::time::Duration;
/// let t = Instant::from_millis(1500);
/// assert_eq!(t.since(Instant::from_millis(500)), Duration::from_secs(1));
/// assert_eq!(Instant::from_millis(0).since(t), Duration::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The instant `ms` milliseconds after the epoch.
    pub const fn from_millis(ms: u64) -> Instant {
        Instant(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// Whether `self` is less than `d` after `earlier`.
    fn within(self, earlier: Instant, d: Duration) -> bool {
        self.since(earlier) < d
    }
}

/// Ingest settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The encoder's token; `None` turns ingest off.
    pub token: Option<String>,
    /// A standby encoder's token: its uploads are stored only while the primary is silent.
    pub standby_token: Option<String>,
    /// Segments kept per stream of a channel.
    pub window: usize,
    /// A channel without uploads or readers for this long is dropped.
    pub keepalive: Duration,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// The primary counts as silent after this long without an upload (standby takes over).
    pub failover: Duration,
    /// The channels that may be published to; `None`: any valid name (created on first upload).
    pub publishing_points: Option<Vec<String>>,
    /// Most channels at once.
    pub max_channels: usize,
    /// ABR grouping rules ([`abr`]).
    pub abr: Vec<abr::AbrRule>,
    /// Redundant origins: a grid for the times an encoder's MPD takes from the encoder's own
    /// clock. Published MPDs carry `availabilityStartTime` rounded up and `publishTime` rounded
    /// down to a multiple of it, so two origins fed by one encoder through ffmpeg's `tee`
    /// muxer (one dash muxer per output, each reading the clock, a few milliseconds apart)
    /// publish the same MPD. Rounding up makes segments available no earlier than the encoder
    /// said (a player is at most this much further behind live); `None` (the default)
    /// publishes both times as uploaded.
    pub mpd_time_step: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: None,
            standby_token: None,
            window: 30,
            keepalive: Duration::from_secs(60),
            max_upload_bytes: 64 << 20,
            failover: Duration::from_secs(5),
            publishing_points: None,
            max_channels: crate::limits::MAX_INGEST_CHANNELS,
            abr: Vec::new(),
            mpd_time_step: None,
        }
    }
}

/// All channels. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Origin {
    cfg: Config,
    channels: HashMap<String, Channel>,
    next_id: u64,
    /// Messages for the server's log ([`Origin::take_notes`]).
    notes: Vec<String>,
    /// The last reason each ABR rendition was left out for (`None`: it was in).
    abr_reasons: HashMap<String, Option<String>>,
}

impl Origin {
    /// An empty origin.
    pub fn new(cfg: Config) -> Origin {
        Origin {
            cfg,
            channels: HashMap::new(),
            next_id: 1,
            notes: Vec::new(),
            abr_reasons: HashMap::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Whether uploads are accepted at all.
    pub fn enabled(&self) -> bool {
        self.cfg.token.is_some()
    }

    /// The channels that exist, sorted.
    pub fn channels(&self) -> Vec<String> {
        let mut v: Vec<String> = self.channels.keys().cloned().collect();
        v.sort();
        v
    }

    /// Drops channels idle for the keep-alive at `now` (no upload or reader activity, no open
    /// reader); returns their names.
    pub fn sweep(&mut self, now: Instant) -> Vec<String> {
        for name in self.channels() {
            self.failover(&name, now);
        }
        let keep = self.cfg.keepalive;
        let mut dropped = Vec::new();
        self.channels.retain(|name, c| {
            let alive = c.readers > 0 || c.last_activity.is_some_and(|t| now.within(t, keep));
            if !alive {
                dropped.push(name.clone());
            }
            alive
        });
        dropped.sort();
        let channels = &self.channels;
        self.abr_reasons.retain(|c, _| channels.contains_key(c));
        dropped
    }

    /// The streams published across all channels: each numbered stream (one per
    /// Representation of an ffmpeg-style channel) and each interface-1 CMAF track. A
    /// standby source's private copies are not counted.
    ///
    /// ```
    /// use dashkit::ingest::{Admission, Config, Credentials, Instant, Method, Origin, UploadRequest};
    /// use bytes::Bytes;
    /// let mut origin = Origin::new(Config { token: Some("t".into()), ..Config::default() });
    /// assert_eq!(origin.streams(), 0);
    /// let now = Instant::from_millis(0);
    /// let creds = Credentials::token("t");
    /// let req = UploadRequest { method: Method::Put, path: "ch/chunk-stream0-00001.m4s",
    ///     credentials: &creds, content_length: None, content_type: None };
    /// let Admission::Upload(mut up) = origin.admit(&req, now) else { panic!() };
    /// // Its first bytes (a box header) make the segment, and its stream, exist.
    /// origin.feed(&mut up, Bytes::from_static(&[0, 0, 0, 24]), now).unwrap();
    /// assert_eq!(origin.streams(), 1);
    /// ```
    pub fn streams(&self) -> usize {
        self.channels
            .values()
            .map(|c| {
                c.streams
                    .keys()
                    .filter(|k| !k.starts_with(source::PRIVATE))
                    .count()
                    + c.tracks.len()
            })
            .sum()
    }

    /// Bytes held by every channel's files and inits (not counting uploads' unpublished
    /// bytes, which each [`Upload`] holds).
    pub fn held_bytes(&self) -> u64 {
        self.channels.values().map(Channel::held_bytes).sum()
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}
