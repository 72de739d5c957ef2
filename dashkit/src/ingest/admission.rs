//! Who may upload, and the refusals an ingest origin answers with. The HTTP status of each
//! refusal follows DASH-IF Live Media Ingest v1.2 §4.3 ("Failure Behaviors"): 403 for
//! authentication, permission or path problems, 404 for an unknown publishing point, 412 for a
//! missing or wrong init segment, 415 for unsupported media, 400 for any other problem of the
//! request; 401 (with a challenge) only when no credentials were sent at all, so that clients
//! which authenticate on a challenge (ffmpeg without `auth_type=basic`) can.

use super::naming::NamingError;

/// The request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `PUT` (the ingest spec treats it as `POST`).
    Put,
    /// `POST`.
    Post,
    /// `DELETE`: drop a file (ffmpeg's dash muxer deletes segments that left its window).
    Delete,
    /// Anything else.
    Other,
}

/// Which encoder an upload comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The encoder with the ingest token.
    Primary,
    /// The encoder with the standby token: stored only while the primary is silent.
    Standby,
}

/// The credentials a request carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    token: Option<String>,
    user: Option<String>,
}

impl Credentials {
    /// No credentials.
    pub fn none() -> Credentials {
        Credentials::default()
    }

    /// A bare token.
    pub fn token(t: impl Into<String>) -> Credentials {
        Credentials {
            token: Some(t.into()),
            user: None,
        }
    }

    /// A token with a user name, as Basic auth carries them (the name names the source).
    ///
    /// ```
    /// use dashkit::ingest::Credentials;
    /// assert_eq!(Credentials::basic("enc-a", "t").user(), Some("enc-a"));
    /// ```
    pub fn basic(user: impl Into<String>, token: impl Into<String>) -> Credentials {
        Credentials {
            token: Some(token.into()),
            user: Some(user.into()),
        }
    }

    /// The Basic-auth user name, when one was sent: it names the source (ffmpeg's
    /// `http://enc-a:TOKEN@host/...`), so that sources sharing a token can be told apart.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// From the request headers: `X-Ingest-Token: T`, `Authorization: Bearer T`, or
    /// `Authorization: Basic` with T as the password (ffmpeg: `http://user:T@host/...`).
    ///
    /// ```
    /// use dashkit::ingest::Credentials;
    /// // "enc:s3cret"
    /// let c = Credentials::from_headers(Some("Basic ZW5jOnMzY3JldA=="), None);
    /// assert_eq!(c.user(), Some("enc"));
    /// assert_eq!(Credentials::from_headers(Some("Bearer"), None), Credentials::none());
    /// ```
    pub fn from_headers(authorization: Option<&str>, x_ingest_token: Option<&str>) -> Credentials {
        if let Some(t) = x_ingest_token {
            return Credentials::token(t);
        }
        let Some(auth) = authorization else {
            return Credentials::none();
        };
        if let Some(t) = auth.strip_prefix("Bearer ") {
            return Credentials::token(t.trim());
        }
        let Some(creds) = auth
            .strip_prefix("Basic ")
            .and_then(|b| base64_decode(b.trim()))
            .and_then(|v| String::from_utf8(v).ok())
        else {
            return Credentials::none();
        };
        match creds.split_once(':') {
            Some((user, password)) => Credentials {
                token: Some(password.to_string()),
                user: (!user.is_empty()).then(|| user.to_string()),
            },
            None => Credentials::token(creds),
        }
    }

    /// Whether any credentials were given.
    pub fn is_empty(&self) -> bool {
        self.token.as_deref().is_none_or(str::is_empty)
    }

    /// The role these credentials grant, if any.
    pub(crate) fn role(&self, token: &str, standby: Option<&str>) -> Option<Role> {
        let given = self.token.as_deref()?;
        if same(token, given) {
            return Some(Role::Primary);
        }
        if standby.is_some_and(|s| same(s, given)) {
            return Some(Role::Standby);
        }
        None
    }
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Constant-time comparison, so a token cannot be guessed byte by byte from timings.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Why an ingest request (upload, delete or read) is refused. [`Refusal::http_status`] is the
/// answer's status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// No ingest token is configured: ingest is off.
    #[error("ingest is off (start with --ingest-token)")]
    IngestOff,
    /// No credentials were sent.
    #[error("missing ingest token")]
    MissingCredentials,
    /// Credentials were sent but match no token.
    #[error("wrong ingest token")]
    WrongCredentials,
    /// The path is malformed or leaves the channel.
    #[error("bad path: {0}")]
    BadPath(NamingError),
    /// The method is not PUT, POST or DELETE.
    #[error("ingest takes PUT, POST, DELETE")]
    Method,
    /// The channel is not a configured publishing point (or, for DELETE and reads, does not
    /// exist).
    #[error("no such publishing point {channel}")]
    UnknownPublishingPoint {
        /// The channel asked for.
        channel: String,
    },
    /// A body sent to the publishing point itself, not to a file or track under it.
    #[error("a file or track path under {channel}/ is needed")]
    NoTarget {
        /// The channel.
        channel: String,
    },
    /// The file does not exist.
    #[error("no such file {path}")]
    NotFound {
        /// The path asked for.
        path: String,
    },
    /// The next segment of a live stream, not published yet: a server may hold the request
    /// up to `hold_ms` for it to appear (opening again when the channel publishes), and
    /// answers 404 if it has not by then. Players asking at the live edge, or across a
    /// failover, then get the segment instead of an error.
    #[error("{path} is not published yet")]
    NotYet {
        /// The path asked for.
        path: String,
        /// How long the request may be held, in milliseconds.
        hold_ms: u64,
    },
    /// A blocking playlist reload (`_HLS_msn`, `_HLS_part`) for a part or segment the
    /// playlist does not hold yet: a server holds the request up to `hold_ms`, opening again
    /// when the channel publishes, and answers 503 if it is still not there (rfc8216bis
    /// §6.2.5.2).
    #[error("{path}: the part asked for is not published yet")]
    PartNotYet {
        /// The playlist asked for.
        path: String,
        /// How long the request may be held, in milliseconds.
        hold_ms: u64,
    },
    /// A blocking playlist reload that cannot be answered: too far ahead of the playlist, or
    /// malformed `_HLS_msn`/`_HLS_part` (400).
    #[error("{path}: {reason}")]
    BadBlockingReload {
        /// The playlist asked for.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file's stream ended (`lmsg`) before this segment.
    #[error("the stream of {path} ended")]
    StreamEnded {
        /// The path asked for.
        path: String,
    },
    /// The upload is larger than the cap.
    #[error("upload larger than {max_bytes} bytes")]
    TooLarge {
        /// The cap.
        max_bytes: u64,
    },
    /// Too many channels exist.
    #[error("too many channels")]
    TooManyChannels,
    /// Another upload of the same path is under way.
    #[error("{path} is being uploaded by another encoder")]
    Busy {
        /// The path.
        path: String,
    },
    /// A numbered segment not after the stream's highest on an active channel, never received:
    /// a second encoder.
    #[error("{path}: segment {number} is not after {highest} on this channel: a second encoder? (configure it with --standby-token)")]
    NotAfter {
        /// The path.
        path: String,
        /// Its number.
        number: u64,
        /// The stream's highest number.
        highest: u64,
    },
    /// The channel has the most (3) sources already.
    #[error("channel {channel} has {} sources already ({}): one active and two standby at most", sources.len(), sources.join(", "))]
    TooManySources {
        /// The channel.
        channel: String,
        /// Its sources' names (empty: the anonymous source).
        sources: Vec<String>,
    },
    /// A standby whose tracks cannot continue the published stream.
    #[error("source {name:?} refused: {reason}")]
    SourceMismatch {
        /// The source's name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Media arrived for a track before its CMAF header (init segment).
    #[error("no init segment (CMAF header) for {target} yet: send it first")]
    MissingInit {
        /// The track or file.
        target: String,
    },
    /// The media's track is not in its init segment.
    #[error("track {track_id} of {target} is not in its init segment")]
    WrongInit {
        /// The track or file.
        target: String,
        /// The moof's track.
        track_id: u32,
    },
    /// The body is not ISO-BMFF/CMAF, or its Content-Type is not a media type.
    #[error("unsupported media: {reason}")]
    UnsupportedMedia {
        /// What was found.
        reason: String,
    },
    /// The body is broken CMAF (a box that cannot be read, a truncated box).
    #[error("malformed CMAF: {0}")]
    Malformed(crate::cmaf::Error),
}

impl Refusal {
    /// The HTTP status that answers this refusal (DASH-IF Live Media Ingest §4.3).
    ///
    /// ```
    /// use dashkit::ingest::Refusal;
    /// assert_eq!(Refusal::WrongCredentials.http_status(), 403);
    /// assert_eq!(Refusal::MissingInit { target: "v".into() }.http_status(), 412);
    /// ```
    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::IngestOff | Refusal::WrongCredentials | Refusal::BadPath(_) => 403,
            Refusal::MissingCredentials => 401,
            Refusal::Method => 405,
            Refusal::UnknownPublishingPoint { .. }
            | Refusal::NotFound { .. }
            | Refusal::NotYet { .. } => 404,
            Refusal::StreamEnded { .. } => 410,
            Refusal::TooLarge { .. } => 413,
            Refusal::TooManyChannels | Refusal::PartNotYet { .. } => 503,
            Refusal::Busy { .. }
            | Refusal::NotAfter { .. }
            | Refusal::TooManySources { .. }
            | Refusal::SourceMismatch { .. } => 409,
            Refusal::MissingInit { .. } | Refusal::WrongInit { .. } => 412,
            Refusal::UnsupportedMedia { .. } => 415,
            Refusal::Malformed(_)
            | Refusal::NoTarget { .. }
            | Refusal::BadBlockingReload { .. } => 400,
        }
    }
}

/// Content types a track upload may declare (absent is fine): ISO-BMFF media.
pub(crate) fn media_content_type(ct: &str) -> bool {
    let t = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    t.starts_with("video/")
        || t.starts_with("audio/")
        || t == "application/mp4"
        || t == "application/octet-stream"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(
            Credentials::from_headers(Some("Bearer s3cret"), None),
            Credentials::token("s3cret")
        );
        let basic = Credentials::from_headers(Some("Basic ZW5jOnMzY3JldA=="), None);
        assert_eq!(basic.role("s3cret", None), Some(Role::Primary));
        assert_eq!(basic.user(), Some("enc"));
        assert_eq!(
            Credentials::from_headers(Some("Bearer x"), Some("y")),
            Credentials::token("y")
        );
        assert!(Credentials::from_headers(Some("Basic !!"), None).is_empty());
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
        let c = Credentials::token("b");
        assert_eq!(c.role("a", Some("b")), Some(Role::Standby));
        assert_eq!(c.role("b", Some("b")), Some(Role::Primary));
        assert_eq!(c.role("a", None), None);
    }

    #[test]
    fn content_types() {
        assert!(media_content_type("video/mp4"));
        assert!(media_content_type("application/mp4; profiles=cmfc"));
        assert!(!media_content_type("text/html"));
        assert!(!media_content_type("application/json"));
    }
}
