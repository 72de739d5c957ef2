//! Readers: a whole file, or a cursor over a file still being uploaded.

use bytes::Bytes;

use super::admission::Refusal;
use super::channel::{Signalled, Status};
use super::naming;
use super::{Instant, Origin};

/// What [`Origin::open`] gives a reader.
#[derive(Debug)]
pub enum Opened {
    /// The file is complete (or was left incomplete): all of it, with a known length. An MPD
    /// comes with its low-latency signalling completed.
    Whole(Vec<Bytes>),
    /// The file is being uploaded: read it with [`Origin::read`] as it grows, then
    /// [`Origin::close`] the cursor.
    Streaming(Reader),
}

/// A reader's cursor in a file being uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    channel: String,
    path: String,
    file_id: u64,
    next_piece: usize,
    /// Bytes still to pass over before the first one given (a range's start).
    skip: u64,
    /// Bytes still to give, when the read is a bounded range.
    left: Option<u64>,
}

impl Reader {
    /// The channel it reads from.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Limits the reader to the file's bytes from offset `start` on, `len` of them at most
    /// (all that come, to the end of the upload, when `None`): a range request on a file
    /// still being uploaded. Call before the first [`Origin::read`].
    pub(crate) fn window(&mut self, start: u64, len: Option<u64>) {
        self.skip = start;
        self.left = len;
    }
}

/// What [`Origin::read`] gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// New pieces, in order; `last` when the file will not grow any more.
    Data {
        /// The pieces.
        pieces: Vec<Bytes>,
        /// No more will come.
        last: bool,
    },
    /// Nothing new yet: wait until the channel publishes something (or the upload ends).
    Wait,
    /// The file is complete, was left incomplete, was evicted or replaced: nothing more.
    End,
}

impl Origin {
    /// Opens `path` (`<channel>/<file>`, decoded) for reading at `now`. `time_url` is the
    /// server's time endpoint, given to players in an MPD's UTCTiming when it has none.
    /// The same as [`Origin::open_request`] without a query.
    pub fn open(
        &mut self,
        path: &str,
        time_url: Option<&str>,
        now: Instant,
    ) -> Result<Opened, Refusal> {
        self.open_request(path, None, time_url, now)
    }

    /// Opens `path` (`<channel>/<file>`, decoded) for reading at `now`, with the request's
    /// `query` (without `?`): a low-latency HLS playlist of the channel (docs/hls.md) reads
    /// its blocking-reload directives `_HLS_msn` and `_HLS_part`, and is refused with
    /// [`Refusal::PartNotYet`] (hold the request, open again when the channel publishes) until
    /// it holds the part asked for, or with [`Refusal::BadBlockingReload`] (400) when that is
    /// too far ahead. Other files ignore the query.
    ///
    /// ```
    /// use dashkit::ingest::{Config, Instant, Origin, Refusal};
    /// let mut origin = Origin::new(Config { token: Some("t".into()), ..Config::default() });
    /// let r = origin.open_request("ch/manifest_0.m3u8", Some("_HLS_msn=1"), None, Instant::from_millis(0));
    /// assert!(matches!(r, Err(Refusal::UnknownPublishingPoint { .. })));
    /// ```
    pub fn open_request(
        &mut self,
        path: &str,
        query: Option<&str>,
        time_url: Option<&str>,
        now: Instant,
    ) -> Result<Opened, Refusal> {
        let (channel, file) = path.split_once('/').unwrap_or((path, ""));
        if !self.channels.contains_key(channel) {
            let members = self.group_members(channel);
            if !members.is_empty() {
                return self.open_group(channel, &members, file, time_url, now);
            }
        }
        if file == "status"
            && self
                .channels
                .get(channel)
                .is_some_and(|c| !c.files.contains_key(file))
        {
            let json = self.channel_status(channel);
            return Ok(Opened::Whole(vec![Bytes::from(json)]));
        }
        let ch = self
            .channels
            .get_mut(channel)
            .ok_or_else(|| Refusal::UnknownPublishingPoint {
                channel: channel.to_string(),
            })?;
        let private = file.starts_with(super::source::PRIVATE);
        let Some(f) = ch.files.get(file).filter(|_| !private) else {
            // The HLS twin of the channel's MPD (docs/hls.md#ingested-channels).
            if file.ends_with(".m3u8") && !private {
                let blocking = super::hls::blocking_request(query).map_err(|reason| {
                    Refusal::BadBlockingReload {
                        path: file.to_string(),
                        reason,
                    }
                })?;
                if let Some(answer) = super::hls::answer(ch, file, blocking) {
                    ch.last_activity = Some(now);
                    return match answer {
                        super::hls::Answer::Text(text) => {
                            Ok(Opened::Whole(vec![Bytes::from(text)]))
                        }
                        super::hls::Answer::Hold { hold_ms } => Err(Refusal::PartNotYet {
                            path: file.to_string(),
                            hold_ms,
                        }),
                        super::hls::Answer::TooFar(reason) => Err(Refusal::BadBlockingReload {
                            path: file.to_string(),
                            reason,
                        }),
                    };
                }
            }
            if let Some((key, n)) = naming::media_key(file) {
                if let Some(s) = ch.streams.get(&key) {
                    if s.ended && s.highest.is_some_and(|h| n > h) {
                        return Err(Refusal::StreamEnded {
                            path: file.to_string(),
                        });
                    }
                    // The number right after the newest one received is the next to come.
                    if !s.ended && s.highest.and_then(|h| h.checked_add(1)) == Some(n) {
                        return Err(Refusal::NotYet {
                            path: file.to_string(),
                            hold_ms: crate::limits::NEXT_SEGMENT_HOLD_MS,
                        });
                    }
                }
            }
            return Err(Refusal::NotFound {
                path: file.to_string(),
            });
        };
        if naming::is_mpd_name(file) && f.status == Status::Complete {
            let refresh = ch.sources.len() > 1 || ch.switched;
            let fresh = ch.signalled.get(file).is_some_and(|s| {
                s.file_id == f.id
                    && s.chunk_ms == ch.chunk_ms
                    && s.time_url.as_deref() == time_url
                    && s.refresh == refresh
            });
            if !fresh {
                let mut bytes = super::manifest::signal_mpd(
                    &f.pieces.concat(),
                    ch.chunk_ms,
                    time_url,
                    self.cfg.mpd_time_step,
                );
                if refresh {
                    bytes = super::manifest::refresh_often(&bytes);
                }
                let s = Signalled {
                    file_id: f.id,
                    chunk_ms: ch.chunk_ms,
                    time_url: time_url.map(str::to_string),
                    refresh,
                    bytes,
                };
                ch.signalled.insert(file.to_string(), s);
            }
            let bytes = ch.signalled.get(file).map(|s| s.bytes.clone());
            return Ok(Opened::Whole(bytes.into_iter().collect()));
        }
        if f.status != Status::Writing {
            return Ok(Opened::Whole(f.pieces.clone()));
        }
        let r = Reader {
            channel: channel.to_string(),
            path: file.to_string(),
            file_id: f.id,
            next_piece: 0,
            skip: 0,
            left: None,
        };
        ch.readers += 1;
        ch.last_activity = Some(now);
        Ok(Opened::Streaming(r))
    }

    /// What is new for `reader`.
    pub fn read(&self, reader: &mut Reader) -> Read {
        let Some(f) = self
            .channels
            .get(&reader.channel)
            .and_then(|c| c.files.get(&reader.path))
            .filter(|f| f.id == reader.file_id)
        else {
            return Read::End;
        };
        if reader.left == Some(0) {
            return Read::End;
        }
        let new = f.pieces.get(reader.next_piece..).unwrap_or(&[]);
        let mut last = f.status != Status::Writing;
        reader.next_piece += new.len();
        let mut pieces = Vec::with_capacity(new.len());
        for p in new {
            let len = p.len() as u64;
            if reader.skip >= len {
                reader.skip -= len;
                continue;
            }
            let mut p = p.slice(usize::try_from(reader.skip).unwrap_or(p.len())..);
            reader.skip = 0;
            if let Some(left) = reader.left.as_mut() {
                let take = (p.len() as u64).min(*left);
                p.truncate(usize::try_from(take).unwrap_or(p.len()));
                *left -= take;
            }
            pieces.push(p);
            if reader.left == Some(0) {
                last = true;
                break;
            }
        }
        if pieces.is_empty() {
            return if last { Read::End } else { Read::Wait };
        }
        Read::Data { pieces, last }
    }

    /// The reader went away (or read to the end) at `now`.
    pub fn close(&mut self, reader: Reader, now: Instant) {
        if let Some(ch) = self.channels.get_mut(&reader.channel) {
            ch.readers = ch.readers.saturating_sub(1);
            ch.last_activity = Some(now);
        }
    }
}

/// A JSON string.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Origin {
    /// How long a shared cache may keep the answer to `path` (`<channel>/<file>`) as it is.
    /// A complete, numbered media segment of a stream still going never changes while it is
    /// in the window (a re-sent copy is dropped, a failover publishes new numbers), so it may be
    /// kept until it leaves: one segment fewer than the window's places still ahead of it
    /// ([`super::Config::window`], counted from the newest), each as long as it is itself
    /// (its shortest track), in whole seconds. `None` for everything else: MPDs and playlists,
    /// init segments, a segment being uploaded or left incomplete (a standby's copy may
    /// supersede it), a stream ended with `lmsg` (a restart numbers afresh), a segment whose
    /// duration is unknown (no CMAF header yet); those are answered `no-cache`.
    ///
    /// ```
    /// use dashkit::ingest::{Config, Instant, Origin};
    /// let origin = Origin::new(Config::default());
    /// assert_eq!(origin.cache_lifetime("ch/chunk-stream0-00001.m4s"), None);
    /// ```
    pub fn cache_lifetime(&self, path: &str) -> Option<std::time::Duration> {
        let (channel, file) = path.split_once('/')?;
        if file.starts_with(super::source::PRIVATE) {
            return None;
        }
        let ch = self.channels.get(channel)?;
        let f = ch
            .files
            .get(file)
            .filter(|f| f.status == Status::Complete)?;
        let (key, n) = naming::media_key(file)?;
        let stream = ch.streams.get(&key).filter(|s| !s.ended)?;
        let behind = stream.highest?.checked_sub(n)?;
        let left = u64::try_from(self.cfg.window)
            .ok()?
            .checked_sub(behind)?
            .checked_sub(1)?;
        let ms = f
            .meta
            .as_deref()?
            .tracks
            .iter()
            .filter_map(|t| {
                let ts = u64::from(t.timescale?);
                (ts > 0).then(|| t.duration.saturating_mul(1000) / ts)
            })
            .min()?;
        let secs = left.saturating_mul(ms) / 1000;
        (secs > 0).then(|| std::time::Duration::from_secs(secs))
    }

    /// A grouped channel's MPD or status; a read of it keeps its renditions alive.
    fn open_group(
        &mut self,
        group: &str,
        members: &[String],
        file: &str,
        time_url: Option<&str>,
        now: Instant,
    ) -> Result<Opened, Refusal> {
        for m in members {
            if let Some(ch) = self.channels.get_mut(m) {
                ch.last_activity = Some(now);
            }
        }
        let (mpd, renditions) = self.group_view(group);
        if file == "status" {
            let list: Vec<String> = renditions
                .iter()
                .map(|r| {
                    let mut o = format!("{{\"channel\":{}", json_str(&r.channel));
                    o.push_str(&format!(",\"included\":{}", r.left_out.is_none()));
                    if let Some(why) = &r.left_out {
                        o.push_str(&format!(",\"reason\":{}", json_str(why)));
                    }
                    if let Some(b) = r.bandwidth {
                        o.push_str(&format!(",\"bandwidth\":{b}"));
                    }
                    if let Some(c) = &r.codecs {
                        o.push_str(&format!(",\"codecs\":{}", json_str(c)));
                    }
                    if let Some((w, h)) = r.size {
                        o.push_str(&format!(",\"width\":{w},\"height\":{h}"));
                    }
                    o.push('}');
                    o
                })
                .collect();
            let json = format!(
                "{{\"channel\":{},\"group\":true,\"renditions\":[{}]}}",
                json_str(group),
                list.join(",")
            );
            return Ok(Opened::Whole(vec![Bytes::from(json)]));
        }
        let not_found = || Refusal::NotFound {
            path: file.to_string(),
        };
        if !naming::is_mpd_name(file) {
            return Err(not_found());
        }
        let mpd = mpd.ok_or_else(not_found)?;
        let chunk_ms = members
            .iter()
            .find_map(|m| self.channels.get(m).and_then(|c| c.chunk_ms));
        Ok(Opened::Whole(vec![super::manifest::signal_mpd(
            &mpd,
            chunk_ms,
            time_url,
            self.cfg.mpd_time_step,
        )]))
    }

    /// A channel's status: its sources, the active one first.
    fn channel_status(&self, channel: &str) -> String {
        let Some(ch) = self.channels.get(channel) else {
            return String::new();
        };
        let sources: Vec<String> = ch
            .sources
            .iter()
            .map(|s| {
                let role = if ch.active.as_deref() == Some(s.key.as_str()) {
                    "active"
                } else {
                    "standby"
                };
                format!("{{\"source\":{},\"role\":\"{role}\"}}", json_str(&s.key))
            })
            .collect();
        let refused: Vec<String> = ch
            .refused_sources
            .iter()
            .map(|(k, why)| {
                format!(
                    "{{\"source\":{},\"reason\":{}}}",
                    json_str(k),
                    json_str(why)
                )
            })
            .collect();
        format!(
            "{{\"channel\":{},\"sources\":[{}],\"refused\":[{}]}}",
            json_str(channel),
            sources.join(","),
            refused.join(",")
        )
    }
}
