//! What a store keeps, and restoring a channel from it. The server does the file IO: it writes
//! each [`StoredFile`] that [`super::Origin::finish`] hands it under `<store>/<channel>/<path>`
//! and, on start, passes each channel's files to [`super::Origin::restore`]. A finished
//! channel's folder is then a plain DASH asset: the encoder's MPD, init segments and every
//! media segment received.

use std::collections::HashMap;

use bytes::Bytes;

use super::admission::Refusal;
use super::channel::{File, Status};
use super::{naming, Instant, Origin};
use crate::cmaf::StreamEvent;

/// A completed file for a store to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// The channel.
    pub channel: String,
    /// The path inside it (`/`-separated, no `..`).
    pub path: String,
    /// Its bytes, in order (shared with the readers' copy).
    pub pieces: Vec<Bytes>,
}

/// A path an upload could have made (no `..`, no empty components, no escapes).
fn restorable(path: &str) -> bool {
    !path.contains('%')
        && naming::decode_components(path)
            .map(|c| c.join("/"))
            .as_deref()
            == Ok(path)
}

/// The `moov` box of an init segment, read with the CMAF parser's top-level walk.
pub(crate) fn find_moov(bytes: &[u8]) -> Option<&[u8]> {
    let events = crate::cmaf::parse_all(bytes).ok()?;
    events.into_iter().find_map(|e| match e {
        StreamEvent::Box(b) if &b.kind.0 == b"moov" => {
            bytes.get(b.range.start as usize..b.range.end as usize)
        }
        _ => None,
    })
}

impl Origin {
    /// Which of a channel's stored paths [`Origin::restore`] keeps (a server reads only
    /// these): every path that is not a numbered media segment, and the last `window` of each
    /// numbered stream.
    ///
    /// ```
    /// use dashkit::ingest::{Config, Origin};
    /// let o = Origin::new(Config { window: 1, ..Config::default() });
    /// let paths = ["m.mpd", "init.mp4", "seg-1.m4s", "seg-2.m4s"].map(String::from);
    /// assert_eq!(o.restore_plan(&paths), ["init.mp4", "m.mpd", "seg-2.m4s"]);
    /// ```
    pub fn restore_plan(&self, paths: &[String]) -> Vec<String> {
        let window = self.cfg.window.max(1);
        let mut numbered: HashMap<String, Vec<(u64, &String)>> = HashMap::new();
        let mut keep = Vec::new();
        for p in paths {
            if !restorable(p) {
                continue;
            }
            match naming::media_key(p) {
                Some((key, n)) => numbered.entry(key).or_default().push((n, p)),
                None => keep.push(p.clone()),
            }
        }
        for (_, mut segs) in numbered {
            segs.sort();
            let from = segs.len().saturating_sub(window);
            keep.extend(segs[from..].iter().map(|(_, p)| (*p).clone()));
        }
        keep.sort();
        keep
    }

    /// Restores `channel` from stored files (path inside the channel, bytes) at `now`: the
    /// MPD and init segments, and the last `window` segments of each numbered stream, as if
    /// just uploaded. Returns how many files were restored.
    ///
    /// ```
    /// use dashkit::ingest::{Config, Instant, Opened, Origin};
    /// use bytes::Bytes;
    /// let mut o = Origin::new(Config { window: 2, ..Config::default() });
    /// let files = (1..=3).map(|n| (format!("seg-{n}.m4s"), Bytes::from(vec![n as u8])));
    /// assert_eq!(o.restore("ch", files.collect(), Instant::from_millis(0)).unwrap(), 2);
    /// assert!(o.open("ch/seg-1.m4s", None, Instant::from_millis(0)).is_err());
    /// let Ok(Opened::Whole(b)) = o.open("ch/seg-3.m4s", None, Instant::from_millis(0)) else { panic!() };
    /// assert_eq!(b.concat(), [3]);
    /// ```
    pub fn restore(
        &mut self,
        channel: &str,
        files: Vec<(String, Bytes)>,
        now: Instant,
    ) -> Result<usize, Refusal> {
        if !naming::valid_channel(channel) {
            return Err(Refusal::BadPath(naming::NamingError::Channel));
        }
        if !self.channels.contains_key(channel) && self.channels.len() >= self.cfg.max_channels {
            return Err(Refusal::TooManyChannels);
        }
        let window = self.cfg.window.max(1);
        let mut numbered: HashMap<String, Vec<(u64, String, Bytes)>> = HashMap::new();
        let mut plain = Vec::new();
        for (path, bytes) in files {
            if naming::decode_components(&path)
                .map(|c| c.join("/"))
                .as_deref()
                != Ok(path.as_str())
            {
                continue; // not a path an upload could have made
            }
            match naming::media_key(&path) {
                Some((key, n)) if find_moov(&bytes).is_none() => {
                    numbered.entry(key).or_default().push((n, path, bytes))
                }
                _ => plain.push((path, bytes)),
            }
        }
        let mut ids = Vec::new();
        for _ in 0..plain.len()
            + numbered
                .values()
                .map(|v| v.len().min(window))
                .sum::<usize>()
        {
            ids.push(self.next_id());
        }
        let mut ids = ids.into_iter();
        let ch = self.channels.entry(channel.to_string()).or_default();
        let mut count = 0;
        for (path, bytes) in plain {
            if naming::is_media_name(&path) {
                if let Some(moov) = find_moov(&bytes) {
                    let moov = Bytes::copy_from_slice(moov);
                    if let Some(track) = path.strip_suffix("/init.mp4") {
                        ch.tracks.entry(track.to_string()).or_default().init_moov =
                            Some(moov.clone());
                    }
                    ch.inits.insert(path.clone(), moov);
                }
            }
            let id = ids.next().unwrap_or_default();
            ch.files.insert(
                path,
                File {
                    id,
                    pieces: vec![bytes],
                    status: Status::Complete,
                    meta: None,
                },
            );
            count += 1;
        }
        for (key, mut segs) in numbered {
            segs.sort_by_key(|s| s.0);
            let highest = segs.last().map(|s| s.0);
            let keep = segs.split_off(segs.len().saturating_sub(window));
            for (_, path, bytes) in keep {
                if let Some(moov) = find_moov(&bytes) {
                    ch.inits.insert(path.clone(), Bytes::copy_from_slice(moov));
                }
                let id = ids.next().unwrap_or_default();
                ch.files.insert(
                    path.clone(),
                    File {
                        id,
                        pieces: vec![bytes],
                        status: Status::Complete,
                        meta: None,
                    },
                );
                ch.push_window(&key, &path, window);
                count += 1;
            }
            let s = ch.streams.entry(key.clone()).or_default();
            s.highest = highest;
            if let Some(track) = key.strip_suffix("/.m4s") {
                if let Some(t) = ch.tracks.get_mut(track) {
                    t.last_time = highest;
                }
            }
        }
        ch.last_activity = Some(now);
        Ok(count)
    }
}
