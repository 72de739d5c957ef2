//! Admitting an upload, feeding its bytes, and finishing it.

use std::collections::VecDeque;

use bytes::Bytes;

use super::admission::{media_content_type, Method, Refusal, Role};
use super::channel::{File, SegMeta, Status};
use super::naming::{self, Target};
use super::store::StoredFile;
use super::{Credentials, Instant, Origin};
use crate::bmff::boxes::Ftyp;
use crate::bmff::FourCc;
use crate::cmaf::{Chunk, Parser, StreamEvent, TopBox};

/// An upload or DELETE request, as the server received its head.
#[derive(Debug, Clone, Copy)]
pub struct UploadRequest<'a> {
    /// The method.
    pub method: Method,
    /// The path after `/ingest/`, percent-encoded as received.
    pub path: &'a str,
    /// The credentials the request carries.
    pub credentials: &'a Credentials,
    /// `Content-Length`, when the request declares one (chunked uploads do not).
    pub content_length: Option<u64>,
    /// `Content-Type`, when present.
    pub content_type: Option<&'a str>,
}

/// What to do with an upload or DELETE request.
#[derive(Debug)]
pub enum Admission {
    /// Read the body and feed it ([`Origin::feed`]), then [`Origin::finish`] it.
    Upload(Box<Upload>),
    /// An empty request: the source checks the publishing point and its credentials (DASH-IF
    /// ingest §6.2 item 1). Answer 200; nothing is stored.
    Probe,
    /// The file was deleted (answer 204); a store should delete its copy.
    Deleted {
        /// The channel.
        channel: String,
        /// The path inside it.
        path: String,
    },
    /// Refused; read (a bounded part of) the body and answer [`Refusal::http_status`].
    Refused(Refusal),
}

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored and published (201).
    Created,
    /// A standby's upload: parsed and kept (a `--standby-token` one: not kept) while another
    /// source is published (202).
    Standby,
    /// A media segment already received (a restarted source re-sending): ignored (200).
    AlreadyReceived,
    /// No bytes: the source's probe (200).
    Probe,
    /// A track request with no media (an `lmsg` or `mfra` end signal): taken (200).
    Taken,
    /// Refused part way; what was published stays, marked incomplete.
    Refused(Refusal),
}

impl Outcome {
    /// The HTTP status of the answer.
    pub fn http_status(&self) -> u16 {
        match self {
            Outcome::Created => 201,
            Outcome::Standby => 202,
            Outcome::AlreadyReceived | Outcome::Probe | Outcome::Taken => 200,
            Outcome::Refused(r) => r.http_status(),
        }
    }
}

/// What [`Origin::finish`] returns.
#[derive(Debug)]
pub struct Finished {
    /// The answer.
    pub outcome: Outcome,
    /// The file to keep in a store, if one was completed (its pieces are shared, not copied).
    pub store: Option<StoredFile>,
}

/// How the body is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// CMAF so far: boxes and chunks are published as they complete.
    Cmaf,
    /// Not ISO-BMFF, or not media: kept whole and published at the end.
    Whole,
}

/// Which file the upload writes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Claim {
    /// Not yet (no bytes, or a track segment before its first moof).
    None,
    /// This path, this version.
    File { path: String, id: u64 },
    /// A segment already received: the rest of the body is dropped.
    Duplicate,
    /// Not stored (a standby while the primary is live).
    Dropped,
}

/// An upload in progress: the state a server keeps for one request body.
#[derive(Debug)]
pub struct Upload {
    channel: String,
    target: Option<Target>,
    role: Role,
    /// Whether the channel had activity within the keep-alive before this upload.
    channel_was_active: bool,
    mode: Mode,
    parser: Parser,
    /// Bytes from the start of the body up to its first chunk (moov, styp brands).
    head: Vec<u8>,
    seen_event: bool,
    seen_chunk: bool,
    /// Bytes received but not yet published.
    pending: VecDeque<Bytes>,
    pending_len: u64,
    total: u64,
    claim: Claim,
    /// The source signalled the end of its stream (`lmsg` brand, or an `mfra`).
    last: bool,
    moov: Option<std::ops::Range<u64>>,
    init_set: bool,
    /// An init segment from an earlier upload was given to the parser.
    init_loaded: bool,
    /// A track segment's decode time (its name), recorded as received once complete.
    track_time: Option<u64>,
    /// The source (encoder) it comes from, when it takes part in failover.
    source: Option<String>,
    /// Where the source's files are kept when they are not published as they are.
    prefix: Option<String>,
    /// When it was admitted.
    started: Instant,
}

impl Upload {
    /// The channel.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Bytes received so far.
    pub fn received_bytes(&self) -> u64 {
        self.total
    }

    /// Where a file of this upload's source is kept.
    fn stored_path(&self, rel: &str) -> String {
        match &self.prefix {
            Some(p) => format!("{p}{rel}"),
            None => rel.to_string(),
        }
    }

    /// Bytes the upload holds that are not yet published.
    pub fn pending_bytes(&self) -> u64 {
        self.pending_len + self.head.len() as u64 + self.parser.buffered_len() as u64
    }
}

const TRACK_FIRST_BOXES: [&[u8; 4]; 11] = [
    b"ftyp", b"styp", b"moov", b"moof", b"sidx", b"prft", b"emsg", b"free", b"skip", b"uuid",
    b"mfra",
];

impl Origin {
    /// Decides what to do with an upload or DELETE at `now`.
    pub fn admit(&mut self, req: &UploadRequest<'_>, now: Instant) -> Admission {
        match self.admit_inner(req, now) {
            Ok(a) => a,
            Err(r) => Admission::Refused(r),
        }
    }

    fn admit_inner(&mut self, req: &UploadRequest<'_>, now: Instant) -> Result<Admission, Refusal> {
        if req.method == Method::Other {
            return Err(Refusal::Method);
        }
        let token = self.cfg.token.as_deref().ok_or(Refusal::IngestOff)?;
        if req.credentials.is_empty() {
            return Err(Refusal::MissingCredentials);
        }
        let role = req
            .credentials
            .role(token, self.cfg.standby_token.as_deref())
            .ok_or(Refusal::WrongCredentials)?;
        let p = naming::parse_ingest_path(req.path).map_err(Refusal::BadPath)?;
        if let Some(points) = &self.cfg.publishing_points {
            if !points.contains(&p.channel) {
                return Err(Refusal::UnknownPublishingPoint { channel: p.channel });
            }
        }
        if req.method == Method::Delete {
            let path = match &p.target {
                Some(Target::File(f)) | Some(Target::Track(f)) => f.clone(),
                None => String::new(),
            };
            let ch = self.channels.get_mut(&p.channel).ok_or_else(|| {
                Refusal::UnknownPublishingPoint {
                    channel: p.channel.clone(),
                }
            })?;
            let key = req.credentials.user().unwrap_or("");
            if ch
                .sources
                .iter()
                .any(|s| s.key == key && s.prefix().is_some())
            {
                // A standby's own window bounds its files; its deletes are taken, not applied.
                return Ok(Admission::Probe);
            }
            if ch.files.remove(&path).is_none() {
                return Err(Refusal::NotFound { path });
            }
            for s in ch.streams.values_mut() {
                s.window.retain(|w| w != &path);
            }
            ch.inits.remove(&path);
            ch.signalled.remove(&path);
            return Ok(Admission::Deleted {
                channel: p.channel,
                path,
            });
        }
        if let Some(len) = req.content_length {
            if len > self.cfg.max_upload_bytes {
                return Err(Refusal::TooLarge {
                    max_bytes: self.cfg.max_upload_bytes,
                });
            }
        }
        if req.content_length == Some(0) {
            return Ok(Admission::Probe);
        }
        if let (Some(Target::Track(_)), Some(ct)) = (&p.target, req.content_type) {
            if !media_content_type(ct) {
                return Err(Refusal::UnsupportedMedia {
                    reason: format!("Content-Type {ct}"),
                });
            }
        }
        if !self.channels.contains_key(&p.channel) && self.channels.len() >= self.cfg.max_channels {
            return Err(Refusal::TooManyChannels);
        }
        let failover = self.cfg.failover;
        let keepalive = self.cfg.keepalive;
        let ch = self.channels.entry(p.channel.clone()).or_default();
        let primary_live = ch.last_primary.is_some_and(|t| now.within(t, failover));
        let channel_was_active = ch.last_activity.is_some_and(|t| now.within(t, keepalive));
        ch.last_activity = Some(now);
        if role == Role::Primary {
            ch.last_primary = Some(now);
        }
        let media = match &p.target {
            Some(Target::Track(_)) => true,
            Some(Target::File(f)) => naming::is_media_name(f),
            None => false,
        };
        let (mut source, mut prefix) = (None, None);
        if let (Role::Primary, Some(Target::File(f))) = (role, &p.target) {
            let key = req.credentials.user().unwrap_or("").to_string();
            prefix = self.join_source(&p.channel, &key, f, now)?;
            source = Some(key);
        }
        Ok(Admission::Upload(Box::new(Upload {
            channel: p.channel,
            target: p.target,
            role,
            channel_was_active,
            mode: if media { Mode::Cmaf } else { Mode::Whole },
            parser: Parser::new(),
            head: Vec::new(),
            seen_event: false,
            seen_chunk: false,
            pending: VecDeque::new(),
            pending_len: 0,
            total: 0,
            claim: if role == Role::Standby && primary_live {
                Claim::Dropped
            } else {
                Claim::None
            },
            last: false,
            moov: None,
            init_set: false,
            init_loaded: false,
            track_time: None,
            source,
            prefix,
            started: now,
        })))
    }

    /// Feeds the next bytes of an upload at `now`. `Ok(true)` when something new was
    /// published (wake the channel's readers). On `Err` the upload is over: what was published
    /// stays, marked incomplete; answer the refusal (and call [`Origin::abort`] or drop it).
    pub fn feed(&mut self, up: &mut Upload, data: Bytes, now: Instant) -> Result<bool, Refusal> {
        let r = self.feed_inner(up, data, now);
        if r.is_err() {
            self.end_file(up, Status::Incomplete);
        }
        r
    }

    fn feed_inner(&mut self, up: &mut Upload, data: Bytes, now: Instant) -> Result<bool, Refusal> {
        if data.is_empty() {
            return Ok(false);
        }
        up.total = up.total.saturating_add(data.len() as u64);
        if up.total > self.cfg.max_upload_bytes {
            return Err(Refusal::TooLarge {
                max_bytes: self.cfg.max_upload_bytes,
            });
        }
        let Some(target) = up.target.clone() else {
            return Err(Refusal::NoTarget {
                channel: up.channel.clone(),
            });
        };
        if let Some(ch) = self.channels.get_mut(&up.channel) {
            ch.last_activity = Some(now);
            if up.role == Role::Primary {
                ch.last_primary = Some(now);
            }
        }
        if let Some(k) = up.source.clone() {
            self.source_seen(&up.channel, &k, now);
            self.failover(&up.channel, now);
        }
        if up.claim == Claim::Duplicate {
            return Ok(false);
        }
        if up.claim == Claim::None {
            if let Target::File(path) = &target {
                self.claim_file(up, path)?;
            }
        }
        if up.mode == Mode::Cmaf
            && !up.seen_chunk
            && up.head.len() < crate::limits::MAX_INGEST_HEAD_BYTES
        {
            up.head.extend_from_slice(&data);
        }
        up.pending_len += data.len() as u64;
        up.pending.push_back(data.clone());
        if up.mode == Mode::Whole {
            return Ok(false);
        }
        // An encoder uploads its init segment and first media segment at once: the init may
        // complete after this upload began, so a file upload looks again until it has one.
        let file_without_init =
            !up.init_loaded && up.moov.is_none() && matches!(target, Target::File(_));
        if !up.init_set || file_without_init {
            let first = !up.init_set;
            up.init_set = true;
            if let Target::File(path) = &target {
                // A standby without an init segment of its own yet: the published one.
                let stored = up.stored_path(path);
                if let Some(m) = self.channels.get(&up.channel).and_then(|ch| {
                    naming::init_for(&stored, &ch.inits)
                        .or_else(|| naming::init_for(path, &ch.inits))
                        .cloned()
                }) {
                    up.init_loaded = up.parser.set_init(&m).is_ok();
                    if up.init_loaded && !first {
                        self.fill_timescales(up, &m);
                    }
                }
            } else if let Some(m) = self
                .channels
                .get(&up.channel)
                .and_then(|ch| ch.tracks.get(track_name(&target)))
                .and_then(|t| t.init_moov.as_ref())
            {
                up.init_loaded = up.parser.set_init(m).is_ok();
            }
        }
        if let Err(e) = up.parser.push(&data) {
            return self.parse_failed(up, &target, e);
        }
        let mut publish_to = None;
        while let Some(ev) = up.parser.next_event() {
            match ev {
                StreamEvent::Box(b) => {
                    self.on_box(up, &target, &b)?;
                    publish_to = Some(b.range.end);
                }
                StreamEvent::Chunk(c) => {
                    self.on_chunk(up, &target, &c)?;
                    if up.claim == Claim::Duplicate {
                        up.pending.clear();
                        up.pending_len = 0;
                        return Ok(false);
                    }
                    publish_to = Some(c.range.end);
                }
            }
        }
        match publish_to {
            // A track's boxes before its first chunk wait for the chunk (its name is its tfdt).
            Some(end) if matches!(up.claim, Claim::File { .. }) => {
                let piece = take_pending(up, end);
                Ok(self.publish(up, piece))
            }
            _ => Ok(false),
        }
    }

    fn parse_failed(
        &mut self,
        up: &mut Upload,
        target: &Target,
        e: crate::cmaf::Error,
    ) -> Result<bool, Refusal> {
        // Boxes completed by these bytes before the error count: the body was ISO-BMFF.
        if up.parser.drain().next().is_some() {
            up.seen_event = true;
        }
        if up.seen_event {
            return Err(Refusal::Malformed(e));
        }
        match target {
            Target::Track(_) => Err(Refusal::UnsupportedMedia {
                reason: format!("not ISO-BMFF: {e}"),
            }),
            // A file named like media that is not ISO-BMFF: kept whole, as uploaded.
            Target::File(_) => {
                up.mode = Mode::Whole;
                Ok(false)
            }
        }
    }

    fn on_box(&mut self, up: &mut Upload, target: &Target, b: &TopBox) -> Result<(), Refusal> {
        let first = !up.seen_event;
        up.seen_event = true;
        if first
            && matches!(target, Target::Track(_))
            && !TRACK_FIRST_BOXES.iter().any(|k| b.kind == FourCc(**k))
        {
            return Err(Refusal::UnsupportedMedia {
                reason: format!("a track starts with {}", b.kind),
            });
        }
        let kind = &b.kind.0;
        if kind == b"mfra" {
            up.last = true;
        }
        if kind == b"styp" || kind == b"ftyp" {
            let start = b.range.start as usize + usize::from(b.header_len);
            if let Some(payload) = up.head.get(start..b.range.end as usize) {
                if let Ok(f) = Ftyp::parse_payload(payload, start as u64) {
                    let lmsg = FourCc(*b"lmsg");
                    if f.major_brand == lmsg || f.compatible_brands.contains(&lmsg) {
                        up.last = true;
                    }
                }
            }
        }
        if kind == b"moov" {
            up.moov = Some(b.range.clone());
            if let Target::Track(name) = target {
                // A CMAF header: the track's init segment from now on.
                let moov = up
                    .head
                    .get(b.range.start as usize..b.range.end as usize)
                    .map(Bytes::copy_from_slice);
                let init = take_pending(up, b.range.end);
                if up.claim != Claim::Dropped {
                    let id = self.next_id();
                    if let Some(ch) = self.channels.get_mut(&up.channel) {
                        let path = naming::track_init_path(name);
                        ch.files.insert(
                            path.clone(),
                            File {
                                id,
                                pieces: vec![init],
                                status: Status::Complete,
                                meta: None,
                            },
                        );
                        if let Some(m) = &moov {
                            ch.inits.insert(path, m.clone());
                        }
                        let t = ch.tracks.entry(name.clone()).or_default();
                        t.init_moov = moov;
                    }
                }
            }
        }
        Ok(())
    }

    fn on_chunk(&mut self, up: &mut Upload, target: &Target, c: &Chunk) -> Result<(), Refusal> {
        up.seen_event = true;
        let first_chunk = !up.seen_chunk;
        up.seen_chunk = true;
        let ch = self.channels.entry(up.channel.clone()).or_default();
        if let Some(ts) = c
            .tracks
            .first()
            .and_then(|t| t.timescale)
            .filter(|t| *t > 0)
        {
            let stream = match target {
                Target::Track(n) => n.clone(),
                Target::File(p) => naming::stream_key(p).map_or_else(|| p.clone(), |(k, _)| k),
            };
            ch.record_chunk_ms(&stream, c.duration.saturating_mul(1000) / u64::from(ts));
        }
        let has_init = up.moov.is_some() || up.init_loaded;
        let what = || match target {
            Target::Track(n) | Target::File(n) => n.clone(),
        };
        if !has_init && matches!(target, Target::Track(_)) {
            return Err(Refusal::MissingInit { target: what() });
        }
        if has_init {
            if let Some(t) = c.tracks.iter().find(|t| t.timescale.is_none()) {
                return Err(Refusal::WrongInit {
                    target: what(),
                    track_id: t.track_id,
                });
            }
        }
        if let (Target::Track(name), true, Claim::None) = (target, first_chunk, &up.claim) {
            let time = c.tracks.first().and_then(|t| t.decode_time).unwrap_or(0);
            let track = ch.tracks.entry(name.clone()).or_default();
            if track.last_time.is_some_and(|l| time <= l) {
                up.claim = Claim::Duplicate;
                return Ok(());
            }
            let path = naming::track_segment_path(name, time);
            self.claim_file(up, &path)?;
            up.track_time = Some(time);
        }
        // Where the chunk ends in the file: after what is published, by the bytes still
        // pending up to its end (the pending bytes are the file's next bytes).
        let watermark = up.total - up.pending_len;
        if let Some(f) = self.file_mut(up) {
            let end = f.len() + c.range.end.saturating_sub(watermark);
            if let Some(m) = f.meta.as_mut() {
                m.add_chunk(c, end);
            }
        }
        Ok(())
    }

    /// Takes `path` for this upload: the numbering rule, a concurrent upload, a re-sent
    /// segment, a standby taking over.
    fn claim_file(&mut self, up: &mut Upload, rel: &str) -> Result<(), Refusal> {
        if up.claim == Claim::Dropped {
            return Ok(());
        }
        let path = &up.stored_path(rel);
        let meta = naming::media_key(rel).map(|(_, number)| {
            Box::new(SegMeta {
                started: up.started,
                number,
                ..SegMeta::default()
            })
        });
        let id = self.next_id();
        let ch = self.channels.entry(up.channel.clone()).or_default();
        let old = ch.files.get(path).map(|f| f.status);
        // Two uploads of one segment at once are two encoders; an MPD or playlist written again
        // while the previous write is still arriving (ffmpeg rewrites its MPD with every
        // segment) is superseded: the newer one wins.
        if old == Some(Status::Writing) && naming::is_media_name(path) {
            return Err(Refusal::Busy {
                path: path.to_string(),
            });
        }
        if let Some((key, n)) = naming::media_key(path) {
            if old == Some(Status::Complete) {
                // A restarted source re-sending what was received (DASH-IF ingest §6.7 item 6).
                up.claim = Claim::Duplicate;
                return Ok(());
            }
            let stream = ch.streams.entry(key).or_default();
            if stream.ended {
                // The source ended this stream (lmsg): a restart numbers afresh.
                stream.ended = false;
                stream.highest = None;
            }
            if let (Role::Primary, true, None, Some(h)) =
                (up.role, up.channel_was_active, old, stream.highest)
            {
                if n <= h {
                    return Err(Refusal::NotAfter {
                        path: path.to_string(),
                        number: n,
                        highest: h,
                    });
                }
            }
            stream.highest = Some(stream.highest.map_or(n, |h| h.max(n)));
        }
        if up.role == Role::Standby {
            // Taking over: numbering restarts with the standby's.
            for s in ch.streams.values_mut() {
                s.highest = None;
            }
            if let Some((key, n)) = naming::media_key(path) {
                ch.streams.entry(key).or_default().highest = Some(n);
            }
        }
        ch.stage_or_replace(
            path,
            File {
                id,
                pieces: Vec::new(),
                status: Status::Writing,
                meta,
            },
            naming::is_media_name(path),
        );
        up.claim = Claim::File {
            path: path.to_string(),
            id,
        };
        Ok(())
    }

    /// Reads again, with the init segment that arrived since, the chunks published before it
    /// was known (their timescales, and durations that come from its `trex` defaults). They
    /// are what the upload already parsed, so the work is bounded by it.
    fn fill_timescales(&mut self, up: &Upload, moov: &[u8]) {
        let Some(f) = self.file_mut(up) else {
            return;
        };
        let Some(old) = f.meta.as_deref() else {
            return;
        };
        let mut parser = Parser::new();
        if parser.set_init(moov).is_err() {
            return;
        }
        let mut meta = SegMeta {
            started: old.started,
            number: old.number,
            ..SegMeta::default()
        };
        for piece in &f.pieces {
            if parser.push(piece).is_err() {
                return;
            }
            while let Some(ev) = parser.next_event() {
                if let StreamEvent::Chunk(c) = ev {
                    meta.add_chunk(&c, c.range.end);
                }
            }
        }
        f.meta = Some(Box::new(meta));
    }

    fn file_mut(&mut self, up: &Upload) -> Option<&mut File> {
        let Claim::File { path, id } = &up.claim else {
            return None;
        };
        self.channels
            .get_mut(&up.channel)?
            .file_of_upload(path, *id)
    }

    fn publish(&mut self, up: &Upload, piece: Bytes) -> bool {
        if piece.is_empty() {
            return false;
        }
        match self.file_mut(up) {
            Some(f) => {
                f.pieces.push(piece);
                self.private_changed_by(up);
                true
            }
            None => false,
        }
    }

    /// A standby's (or promoted source's) file changed: publish what the failover rules say.
    fn private_changed_by(&mut self, up: &Upload) {
        if let (Some(_), Claim::File { path, .. }) = (&up.prefix, &up.claim) {
            self.private_changed(&up.channel, path);
        }
    }

    /// Ends the upload's file. An incomplete media segment joins its stream's window, so that
    /// it is evicted in turn (aborted uploads cannot pile up).
    fn end_file(&mut self, up: &Upload, status: Status) {
        let Some(f) = self.file_mut(up) else {
            return;
        };
        if f.status != Status::Writing {
            return;
        }
        f.status = status;
        if let (Claim::File { path, id }, Some(ch)) =
            (&up.claim, self.channels.get_mut(&up.channel))
        {
            if ch.end_staged(path, *id, status) {
                self.private_changed_by(up);
                return;
            }
        }
        let window = self.cfg.window;
        if let (Status::Incomplete, Claim::File { path, .. }) = (status, &up.claim) {
            if let (Some((key, _)), Some(ch)) =
                (naming::media_key(path), self.channels.get_mut(&up.channel))
            {
                ch.push_window(&key, path, window);
            }
        }
        self.private_changed_by(up);
    }

    /// The encoder went away mid-upload: what was published is all there is (readers end
    /// cleanly; the path may be uploaded again).
    pub fn abort(&mut self, up: Upload, now: Instant) {
        self.end_file(&up, Status::Incomplete);
        if let Some(ch) = self.channels.get_mut(&up.channel) {
            ch.last_activity = Some(now);
        }
        // An encoder that goes away in the middle of a segment: a standby takes over.
        if let (Some(k), Claim::File { path, .. }) = (&up.source, &up.claim) {
            if naming::media_key(path).is_some() {
                self.active_left(&up.channel, k);
            }
        }
    }

    /// The body ended cleanly at `now`: publishes the rest, records init segments, applies the
    /// window, and says what to answer and what a store should keep.
    pub fn finish(&mut self, mut up: Upload, now: Instant) -> Finished {
        let refused = |o: &mut Origin, up: &Upload, r: Refusal| {
            o.end_file(up, Status::Incomplete);
            Finished {
                outcome: Outcome::Refused(r),
                store: None,
            }
        };
        if let Some(ch) = self.channels.get_mut(&up.channel) {
            ch.last_activity = Some(now);
            if up.role == Role::Primary {
                ch.last_primary = Some(now);
            }
        }
        if let Some(k) = up.source.clone() {
            self.source_seen(&up.channel, &k, now);
        }
        if up.total == 0 {
            return Finished {
                outcome: Outcome::Probe,
                store: None,
            };
        }
        let Some(target) = up.target.clone() else {
            return refused(
                self,
                &up,
                Refusal::NoTarget {
                    channel: up.channel.clone(),
                },
            );
        };
        if up.claim == Claim::Duplicate {
            return Finished {
                outcome: Outcome::AlreadyReceived,
                store: None,
            };
        }
        if up.mode == Mode::Cmaf {
            // Boxes that end with the stream (size 0) complete now; their bytes are pending.
            let r = up.parser.finish();
            while up.parser.next_event().is_some() {}
            if let Err(e) = r {
                if up.seen_event {
                    return refused(self, &up, Refusal::Malformed(e));
                }
                match target {
                    Target::Track(_) => {
                        return refused(
                            self,
                            &up,
                            Refusal::UnsupportedMedia {
                                reason: format!("not ISO-BMFF: {e}"),
                            },
                        )
                    }
                    Target::File(_) => up.mode = Mode::Whole,
                }
            }
        }
        let last = up.last;
        if let Target::Track(name) = &target {
            if let Some(ch) = self.channels.get_mut(&up.channel) {
                if last {
                    let key = naming::media_key(&naming::track_segment_path(name, 0))
                        .map(|k| k.0)
                        .unwrap_or_default();
                    ch.streams.entry(key).or_default().ended = true;
                }
            }
            if !up.seen_chunk {
                let outcome = match (&up.claim, up.moov.is_some()) {
                    (Claim::Dropped, _) => Outcome::Standby,
                    (_, true) => Outcome::Created,
                    (_, false) => Outcome::Taken,
                };
                let store = (outcome == Outcome::Created)
                    .then(|| self.stored(&up.channel, &naming::track_init_path(name)))
                    .flatten();
                return Finished { outcome, store };
            }
        }
        if up.claim == Claim::Dropped {
            return Finished {
                outcome: Outcome::Standby,
                store: None,
            };
        }
        let rest = take_pending(&mut up, u64::MAX);
        self.publish(&up, rest);
        self.end_file(&up, Status::Complete);
        let Claim::File { path, .. } = up.claim.clone() else {
            return Finished {
                outcome: Outcome::Created,
                store: None,
            };
        };
        if self.file_mut(&up).is_none() {
            // Superseded while it was arriving (a newer MPD; a standby took over; its source
            // left): nothing more to record.
            return Finished {
                outcome: Outcome::Created,
                store: None,
            };
        }
        if let (Some(prefix), Some(m)) = (&up.prefix, &up.moov) {
            let rel = &path[prefix.len()..];
            let moov = up.head.get(m.start as usize..m.end as usize);
            let published = self
                .channels
                .get(&up.channel)
                .and_then(|c| c.inits.get(rel));
            let mismatch = published
                .zip(moov)
                .and_then(|(a, b)| super::source::init_mismatch(a, b));
            if let (Some(reason), Some(key), Some(ch)) =
                (mismatch, &up.source, self.channels.get_mut(&up.channel))
            {
                ch.files.remove(&path);
                if ch.refused_sources.len() >= super::source::MAX_REFUSED_SOURCES {
                    // Bounded: a source forgotten here is refused again by its next init.
                    ch.refused_sources.clear();
                }
                ch.refused_sources.insert(key.clone(), reason.clone());
                let key = key.clone();
                self.active_left(&up.channel, &key);
                return Finished {
                    outcome: Outcome::Refused(Refusal::SourceMismatch { name: key, reason }),
                    store: None,
                };
            }
            if let (Some(key), Some(ch)) = (&up.source, self.channels.get_mut(&up.channel)) {
                ch.refused_sources.remove(key);
            }
        }
        let window = self.cfg.window;
        if let Some(ch) = self.channels.get_mut(&up.channel) {
            if let (Target::Track(name), Some(time)) = (&target, up.track_time) {
                let t = ch.tracks.entry(name.clone()).or_default();
                t.last_time = Some(t.last_time.map_or(time, |l| l.max(time)));
            }
            if let (Target::File(_), Some(m)) = (&target, &up.moov) {
                if let Some(moov) = up.head.get(m.start as usize..m.end as usize) {
                    ch.inits.insert(path.clone(), Bytes::copy_from_slice(moov));
                }
            }
            if let Some((key, _)) = naming::media_key(&path) {
                if !ch.inits.contains_key(&path) {
                    ch.push_window(&key, &path, window);
                    if last {
                        ch.streams.entry(key).or_default().ended = true;
                    }
                }
            }
        }
        if let (true, Some(k)) = (last, &up.source) {
            // The active source ended its stream: a standby takes over.
            let k = k.clone();
            self.active_left(&up.channel, &k);
        }
        // A superseded upload (a newer one of the same MPD) leaves nothing to store; a
        // standby's files are not stored.
        let current = self.file_mut(&up).is_some() && up.prefix.is_none();
        let standby = up.prefix.is_some()
            && up.source.as_deref().is_some_and(|k| {
                self.channels
                    .get(&up.channel)
                    .is_none_or(|c| c.active.as_deref() != Some(k))
            });
        Finished {
            outcome: if standby {
                Outcome::Standby
            } else {
                Outcome::Created
            },
            store: if current {
                self.stored(&up.channel, &path)
            } else {
                // A promoted source's segment: its published copy, once complete.
                self.channels
                    .get(&up.channel)
                    .and_then(|c| c.mirrors.get(&path))
                    .filter(|m| m.ended)
                    .map(|m| m.public.clone())
                    .and_then(|public| self.stored(&up.channel, &public))
            },
        }
    }

    fn stored(&self, channel: &str, path: &str) -> Option<StoredFile> {
        let f = self.channels.get(channel)?.files.get(path)?;
        Some(StoredFile {
            channel: channel.to_string(),
            path: path.to_string(),
            pieces: f.pieces.clone(),
        })
    }
}

fn track_name(t: &Target) -> &str {
    match t {
        Target::Track(n) | Target::File(n) => n,
    }
}

/// Takes the pending bytes up to absolute body offset `end` as one piece (no copy when they
/// are one received buffer).
fn take_pending(up: &mut Upload, end: u64) -> Bytes {
    let published = up.total - up.pending_len;
    let mut want = end.saturating_sub(published).min(up.pending_len);
    let mut out: Vec<Bytes> = Vec::new();
    while want > 0 {
        let Some(first) = up.pending.front_mut() else {
            break;
        };
        let take = (first.len() as u64).min(want) as usize;
        out.push(first.split_to(take));
        if first.is_empty() {
            up.pending.pop_front();
        }
        want -= take as u64;
        up.pending_len -= take as u64;
    }
    if out.len() == 1 {
        return out.pop().unwrap_or_default();
    }
    let mut v = Vec::with_capacity(out.iter().map(Bytes::len).sum());
    for b in out {
        v.extend_from_slice(&b);
    }
    Bytes::from(v)
}
