//! Live MPD answers (and the live simulator's HLS playlists, [`super::hls`]) kept for the
//! instant they stay the same: the live MPD depends on `now`
//! only through whole seconds (publishTime, the SegmentTimeline window and a `direct`
//! UTCTiming all count in seconds, docs/live-timing.md#the-live-mpd), except with `chunkdur_`,
//! whose timeline counts milliseconds. So a server answering many players at once writes each
//! MPD once per second instead of once per request. A playlist answer says itself when it
//! next changes (its next segment, [`Response::Playlist`]`::next_change_ms`): it is kept from
//! the instant it was built until then.
//!
//! A plain value the caller owns (one per asset; behind a lock when its server is
//! multi-threaded): no clock, no global state. [`MpdCache::get`] returns the very text
//! [`respond`](super::source::respond) writes for that request at that instant.

use std::sync::Arc;

use super::options::LiveOptions;
use super::source::{Response, SourceConfig};

/// Entries kept (distinct MPD file, options and host combinations); the oldest goes first.
pub(crate) const MAX_MPD_CACHE_ENTRIES: usize = 64;

/// The instant, in the unit the live MPD depends on: epoch seconds, or milliseconds with
/// `chunkdur_` (whose SegmentTimeline lists a segment once `now − ato` passes its end).
pub(crate) fn mpd_instant(options: &LiveOptions, now_ms: i64) -> i64 {
    if options.chunk_duration_ms.is_some() {
        now_ms
    } else {
        now_ms.div_euclid(1000)
    }
}

#[derive(Debug)]
struct Entry {
    file: String,
    options: LiveOptions,
    config: SourceConfig,
    instant: i64,
    xml: Arc<str>,
    /// For a playlist: its ETag, when it last and next changes (`None` for an MPD).
    playlist: Option<(Arc<str>, Option<i64>, Option<i64>)>,
}

impl Entry {
    /// Whether this entry is the answer at `now_ms`.
    fn holds_at(&self, options: &LiveOptions, now_ms: i64) -> bool {
        match self.playlist {
            None => self.instant == mpd_instant(options, now_ms),
            Some((_, _, next)) => self.instant <= now_ms && next.is_none_or(|n| now_ms < n),
        }
    }
}

impl Entry {
    fn is(&self, options: &LiveOptions, file: &str, config: &SourceConfig) -> bool {
        self.file == file && self.options == *options && self.config == *config
    }
}

/// The live MPDs of one asset at their latest instant.
///
/// ```
/// use dashkit::live::{asset::LiveAsset, options::LiveOptions, mpd_cache::MpdCache, source::*};
/// let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
///     segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
///     [video]\nrepresentations = V300\ntimescale = 90000\n\n";
/// let vod = dashkit::mpd::parse(r#"<MPD><Period><AdaptationSet contentType="video">
///   <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
///   <Representation id="V300"/></AdaptationSet></Period></MPD>"#).unwrap();
/// let asset = LiveAsset::from_cfg(cfg, vod, |_| None).unwrap();
/// let (opts, cfg) = (LiveOptions::default(), SourceConfig::default());
/// let mut cache = MpdCache::default();
/// assert!(cache.get(&opts, "Manifest.mpd", &cfg, 1_001_000).is_none());
/// let r = respond(&asset, &opts, "Manifest.mpd", 1_001_000, &cfg, |_| None).unwrap();
/// cache.insert(&opts, "Manifest.mpd", &cfg, 1_001_000, &r);
/// // Later in the same second: the same text, without building it again.
/// assert_eq!(cache.get(&opts, "Manifest.mpd", &cfg, 1_001_700), Some(r));
/// assert!(cache.get(&opts, "Manifest.mpd", &cfg, 1_002_000).is_none());
/// ```
#[derive(Debug, Default)]
pub struct MpdCache {
    entries: Vec<Entry>,
}

impl MpdCache {
    /// The answer [`respond`](super::source::respond) gives for MPD `file` with `options` and
    /// `config` at `now_ms`, if it was [inserted](Self::insert) for the same instant.
    pub fn get(
        &self,
        options: &LiveOptions,
        file: &str,
        config: &SourceConfig,
        now_ms: i64,
    ) -> Option<Response<'static>> {
        self.entries
            .iter()
            .find(|e| e.is(options, file, config) && e.holds_at(options, now_ms))
            .map(|e| match &e.playlist {
                None => Response::Mpd {
                    xml: e.xml.to_string(),
                },
                Some((etag, last_change_ms, next_change_ms)) => Response::Playlist {
                    text: e.xml.to_string(),
                    etag: etag.to_string(),
                    last_change_ms: *last_change_ms,
                    next_change_ms: *next_change_ms,
                },
            })
    }

    /// Keeps `answer` (when it is an MPD) as the answer for `file`, `options` and `config`
    /// at `now_ms`'s instant, replacing that request's earlier one.
    pub fn insert(
        &mut self,
        options: &LiveOptions,
        file: &str,
        config: &SourceConfig,
        now_ms: i64,
        answer: &Response<'_>,
    ) {
        let (xml, playlist, instant) = match answer {
            Response::Mpd { xml } => (xml, None, mpd_instant(options, now_ms)),
            // startrel_/stoprel_ sessions move with now: their playlists are not kept.
            Response::Playlist {
                text,
                etag,
                last_change_ms,
                next_change_ms,
            } if options.startrel_s.is_none() && options.stoprel_s.is_none() => (
                text,
                Some((Arc::from(etag.as_str()), *last_change_ms, *next_change_ms)),
                now_ms,
            ),
            _ => return,
        };
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| e.is(options, file, config))
        {
            let e = self.entries.remove(i);
            if e.instant > instant {
                // A slower request for an earlier instant: keep the newer one.
                self.entries.push(e);
                return;
            }
        }
        if self.entries.len() >= MAX_MPD_CACHE_ENTRIES {
            self.entries.remove(0);
        }
        self.entries.push(Entry {
            file: file.to_string(),
            options: options.clone(),
            config: config.clone(),
            instant,
            xml: Arc::from(xml.as_str()),
            playlist,
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::live::asset::LiveAsset;
    use crate::live::source::respond;
    use proptest::prelude::*;

    fn asset() -> LiveAsset {
        let cfg = "[General]\nversion = 1.0\n\n[Setup]\ndefault_tsbd_secs = 300\n\
            segment_duration_s = 2\nnr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n\
            [video]\nrepresentations = V300\ntimescale = 90000\n\n";
        let vod = crate::mpd::parse(
            r#"<MPD><Period><AdaptationSet contentType="video">
            <SegmentTemplate media="$RepresentationID$/$Number$.m4s" duration="2"/>
            <Representation id="V300"/></AdaptationSet></Period></MPD>"#,
        )
        .unwrap();
        LiveAsset::from_cfg(cfg, vod, |_| None).unwrap()
    }

    const OPTIONS: [&str; 8] = [
        "",
        "tsbd_30",
        "utc_direct",
        "startrel_-20/stoprel_40/timeoffset_0",
        "start_1000/stop_1100/timeoffset_0/mup_3",
        "chunkdur_0.5",
        "ato_1.5/spd_4",
        "snr_-1/init_2",
    ];

    proptest! {
        /// The cached answer is the one `respond` builds at that instant, for any two
        /// instants (the later one asking what the earlier one stored).
        #[test]
        fn cached_answer_is_respond_at_the_instant(
            first in 900_000i64..1_200_000,
            later in 0i64..2500,
            which in 0usize..OPTIONS.len(),
            host in proptest::option::of("[a-z]{1,3}"),
        ) {
            let a = asset();
            let o = LiveOptions::parse(OPTIONS[which]).unwrap();
            let cfg = SourceConfig {
                utc_timing_url: host.as_ref().map(|h| format!("http://{h}/time")),
                request_url: host.as_ref().map(|h| format!("http://{h}/x/Manifest.mpd")),
                ..SourceConfig::default()
            };
            let mut c = MpdCache::default();
            let r = respond(&a, &o, "Manifest.mpd", first, &cfg, |_| None);
            if let Ok(r) = &r {
                c.insert(&o, "Manifest.mpd", &cfg, first, r);
            }
            let now = first + later;
            let fresh = respond(&a, &o, "Manifest.mpd", now, &cfg, |_| None).ok();
            if let Some(hit) = c.get(&o, "Manifest.mpd", &cfg, now) {
                prop_assert_eq!(Some(hit), fresh);
            }
            // Other files, options and hosts never see it.
            prop_assert!(c.get(&o, "other.mpd", &cfg, now).is_none());
            prop_assert!(c.get(&LiveOptions::parse("tsbd_7").unwrap(), "Manifest.mpd", &cfg, now).is_none());
            let elsewhere = SourceConfig {
                utc_timing_url: Some("http://elsewhere/time".into()),
                request_url: None,
                ..SourceConfig::default()
            };
            prop_assert!(c.get(&o, "Manifest.mpd", &elsewhere, now).is_none());
        }
    }

    proptest! {
        /// A kept playlist is the one `respond` builds at any later instant it is returned
        /// for, and it is returned until the playlist changes.
        #[test]
        fn cached_playlist_is_respond_at_the_instant(
            first in 900_000i64..1_200_000,
            later in 0i64..5000,
            which in 0usize..OPTIONS.len(),
            media in proptest::bool::ANY,
        ) {
            let a = asset();
            let o = LiveOptions::parse(OPTIONS[which]).unwrap();
            let cfg = SourceConfig::default();
            let file = if media { "m_V300.m3u8" } else { "m.m3u8" };
            let mut c = MpdCache::default();
            if let Ok(r) = respond(&a, &o, file, first, &cfg, |_| None) {
                c.insert(&o, file, &cfg, first, &r);
            }
            let now = first + later;
            let fresh = respond(&a, &o, file, now, &cfg, |_| None).ok();
            match c.get(&o, file, &cfg, now) {
                Some(hit) => prop_assert_eq!(Some(hit), fresh),
                None => {
                    // Missed only when it changed (or was never kept).
                    if let (Some(Response::Playlist { next_change_ms: Some(n), .. }), false) =
                        (respond(&a, &o, file, first, &cfg, |_| None).ok(), o.startrel_s.is_some())
                    {
                        prop_assert!(now >= n);
                    }
                }
            }
            prop_assert!(c.get(&o, file, &cfg, first - 1).is_none());
        }
    }

    #[test]
    fn hits_within_the_second_only_and_newest_wins() {
        let a = asset();
        let o = LiveOptions::default();
        let cfg = SourceConfig::default();
        let mut c = MpdCache::default();
        let at = |ms| respond(&a, &o, "m.mpd", ms, &cfg, |_| None).unwrap();
        c.insert(&o, "m.mpd", &cfg, 5_000_100, &at(5_000_100));
        assert_eq!(c.get(&o, "m.mpd", &cfg, 5_000_999), Some(at(5_000_999)));
        assert!(c.get(&o, "m.mpd", &cfg, 5_001_000).is_none());
        // An answer for an earlier second arriving late does not replace the newer one.
        c.insert(&o, "m.mpd", &cfg, 4_999_000, &at(4_999_000));
        assert!(c.get(&o, "m.mpd", &cfg, 5_000_500).is_some());
        assert!(c.get(&o, "m.mpd", &cfg, 4_999_000).is_none());
        // Bounded.
        for i in 0..(MAX_MPD_CACHE_ENTRIES + 10) {
            let f = format!("{i}.mpd");
            c.insert(&o, &f, &cfg, 5_000_000, &at(5_000_000));
        }
        assert_eq!(c.entries.len(), MAX_MPD_CACHE_ENTRIES);
        // Segments and refusals are not kept.
        let refused = respond(&a, &o, "V300/9999.m4s", 5_000_000, &cfg, |_| None).unwrap();
        c.insert(&o, "V300/9999.m4s", &cfg, 5_000_000, &refused);
        assert!(c.get(&o, "V300/9999.m4s", &cfg, 5_000_000).is_none());
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn mpd_instant() {
        use crate::live::{mpd_cache::mpd_instant, options::LiveOptions};
        let plain = LiveOptions::parse("segtimeline_1").unwrap();
        assert_eq!(
            mpd_instant(&plain, 1_000_999),
            mpd_instant(&plain, 1_000_000)
        );
        let ll = LiveOptions::parse("chunkdur_0.5/segtimeline_1").unwrap();
        assert_ne!(mpd_instant(&ll, 1_000_999), mpd_instant(&ll, 1_000_000));
    }
}
