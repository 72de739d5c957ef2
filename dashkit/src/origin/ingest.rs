//! The ingest origin's answers over HTTP: a [`Refusal`], an upload's [`Outcome`] or a deletion
//! as a status, headers and a short text, and the headers of a read under `/live/`.

use std::borrow::Cow;

use crate::ingest::{Outcome, Refusal};
use crate::live::http::{HttpBody, HttpResponse};

use super::files::content_type;

/// The answer to a refused ingest request: [`Refusal::http_status`] with its reason, a
/// `WWW-Authenticate` challenge when credentials are missing, `Allow` for a wrong method.
///
/// ```
/// use dashkit::ingest::Refusal;
/// let r = dashkit::origin::ingest::refusal(&Refusal::MissingCredentials);
/// assert_eq!((r.status, r.header("www-authenticate")), (401, Some("Bearer realm=\"dashkit ingest\"")));
/// ```
pub fn refusal(r: &Refusal) -> HttpResponse<'static> {
    let mut resp = HttpResponse::text(r.http_status(), r.to_string());
    match r {
        Refusal::MissingCredentials => resp
            .headers
            .push(("www-authenticate", "Bearer realm=\"dashkit ingest\"".into())),
        Refusal::Method => resp.headers.push(("allow", "PUT, POST, DELETE".into())),
        _ => {}
    }
    resp
}

/// The answer to a finished upload (or a probe).
///
/// ```
/// use dashkit::ingest::Outcome;
/// assert_eq!(dashkit::origin::ingest::outcome(&Outcome::Probe).status, Outcome::Probe.http_status());
/// ```
pub fn outcome(o: &Outcome) -> HttpResponse<'static> {
    let message = match o {
        Outcome::Refused(r) => return refusal(r),
        Outcome::Standby => "standby: not published while another source is active",
        Outcome::AlreadyReceived => "already received",
        Outcome::Probe => "ready",
        _ => "",
    };
    HttpResponse::text(o.http_status(), message)
}

/// The answer to a DELETE that removed a file: 204, no body.
pub fn deleted() -> HttpResponse<'static> {
    HttpResponse {
        status: 204,
        headers: Vec::new(),
        body: HttpBody::Parts(Vec::new()),
    }
}

/// The answer to a broken upload body (the connection failed mid-upload): 400.
pub fn broken(reason: &str) -> HttpResponse<'static> {
    HttpResponse::text(400, format!("upload broken: {reason}"))
}

/// The headers of a file read back under `/live/<path>` (whole or streaming): its content
/// type, and `no-cache` (the file may still grow or be replaced).
///
/// ```
/// let h = dashkit::origin::ingest::read_headers("ch/manifest.mpd");
/// assert_eq!(h[0].1, "application/dash+xml");
/// ```
pub fn read_headers(path: &str) -> Vec<(&'static str, Cow<'static, str>)> {
    vec![
        ("content-type", content_type(path).into()),
        ("cache-control", "no-cache".into()),
    ]
}

/// The headers of a complete media segment read back under `/live/<path>` that a shared
/// cache may keep for `lifetime` ([`crate::ingest::Origin::cache_lifetime`]): its content type
/// and `public, max-age` in whole seconds.
///
/// ```
/// let h = dashkit::origin::ingest::segment_read_headers(
///     "ch/chunk-stream0-00005.m4s",
///     std::time::Duration::from_secs(8),
/// );
/// assert!(h.contains(&("cache-control", "public, max-age=8".into())));
/// ```
pub fn segment_read_headers(
    path: &str,
    lifetime: std::time::Duration,
) -> Vec<(&'static str, Cow<'static, str>)> {
    vec![
        ("content-type", content_type(path).into()),
        (
            "cache-control",
            format!("public, max-age={}", lifetime.as_secs()).into(),
        ),
    ]
}

/// The headers of a file read back while it is still being uploaded (relayed chunk by chunk
/// as they arrive): [`read_headers`] (`no-cache`: no cache serves it as complete without
/// revalidating) and `X-Accel-Buffering: no` (nginx passes the chunks through as they come).
///
/// ```
/// let h = dashkit::origin::ingest::streaming_read_headers("ch/chunk-stream0-00005.m4s");
/// assert!(h.contains(&("cache-control", "no-cache".into())));
/// assert!(h.contains(&("x-accel-buffering", "no".into())));
/// ```
pub fn streaming_read_headers(path: &str) -> Vec<(&'static str, Cow<'static, str>)> {
    let mut h = read_headers(path);
    crate::live::http::in_progress(&mut h);
    h
}

/// A read under `/live/` with the request's `Range` header applied: the file `opened` (or
/// the part of it asked for) and, for a 206, its `Content-Range` value; or the answer to send
/// instead (416).
///
/// A complete file is a static file ([`super::files::file_answer`]'s rules: 206 with
/// `bytes first-last/length`, 416 past its end, 200 for no or a multi-part range). A file still
/// being uploaded (a low-latency HLS part or preload hint of the segment being built, or a DASH
/// client's range) is read as its bytes arrive: `bytes=a-b` gives bytes `a..=b` as they come
/// and ends there; `bytes=a-` gives every byte from `a` until the upload ends. Its length is
/// not known yet, so the answer says `Content-Range: bytes a-b/*` (RFC 9110 §14.4; RFC 8673
/// for a range ending past what exists), where an open range ends at the largest upload the
/// origin accepts (`max_len - 1`: the file cannot grow past it; the body ends with the
/// upload). `bytes=0-` and suffix ranges of a growing file are answered whole, 200, as when
/// no range is asked.
///
/// ```
/// use bytes::Bytes;
/// use dashkit::ingest::Opened;
/// let mut file = Opened::Whole(vec![Bytes::from_static(b"0123"), Bytes::from_static(b"4567")]);
/// let cr = dashkit::origin::ingest::read_range(&mut file, Some("bytes=2-5"), 1 << 20).unwrap();
/// assert_eq!(cr.as_deref(), Some("bytes 2-5/8"));
/// let Opened::Whole(parts) = file else { panic!() };
/// assert_eq!(parts.concat(), b"2345");
/// ```
pub fn read_range(
    opened: &mut crate::ingest::Opened,
    range: Option<&str>,
    max_len: u64,
) -> Result<Option<String>, HttpResponse<'static>> {
    use super::files::{parse_range, RangeRequest};
    use crate::ingest::Opened;
    let Some(range) = range else {
        return Ok(None);
    };
    let unsatisfiable = || HttpResponse::text(416, "range not satisfiable");
    match opened {
        Opened::Whole(parts) => {
            let len: u64 = parts.iter().map(|p| p.len() as u64).sum();
            match parse_range(Some(range), len) {
                RangeRequest::Full => Ok(None),
                RangeRequest::Part { start, end } => {
                    let mut out = Vec::new();
                    let mut at = 0u64;
                    for p in parts.iter() {
                        let (a, b) = (at, at + p.len() as u64);
                        at = b;
                        if b <= start || a > end {
                            continue;
                        }
                        let from = usize::try_from(start.saturating_sub(a)).unwrap_or(0);
                        let to = usize::try_from((end + 1).min(b) - a).unwrap_or(p.len());
                        out.push(p.slice(from..to));
                    }
                    *parts = out;
                    Ok(Some(format!("bytes {start}-{end}/{len}")))
                }
                RangeRequest::Unsatisfiable => {
                    let mut r = unsatisfiable();
                    r.headers
                        .push(("content-range", format!("bytes */{len}").into()));
                    Err(r)
                }
            }
        }
        Opened::Streaming(reader) => {
            let Some((a, b)) = range
                .trim()
                .strip_prefix("bytes=")
                .filter(|s| !s.contains(','))
                .and_then(|s| s.split_once('-'))
                .map(|(a, b)| (a.trim(), b.trim()))
            else {
                return Ok(None);
            };
            if a.is_empty() {
                // A suffix of a file whose end is not known yet: all of it.
                return Ok(None);
            }
            let last_possible = max_len.saturating_sub(1);
            let start = a.parse::<u64>().map_err(|_| unsatisfiable())?;
            let end = if b.is_empty() {
                if start == 0 {
                    return Ok(None);
                }
                last_possible
            } else {
                match b.parse::<u64>() {
                    Ok(e) if e >= start => e.min(last_possible),
                    _ => return Err(unsatisfiable()),
                }
            };
            if start > end {
                return Err(unsatisfiable());
            }
            reader.window(start, Some(end - start + 1));
            Ok(Some(format!("bytes {start}-{end}/*")))
        }
    }
}

/// The request headers ingest needs, read by name (lower case) with `header`, as an
/// [`crate::ingest::UploadRequest`]'s credentials, declared length and type.
pub(crate) fn request_fields<'a>(
    header: impl Fn(&str) -> Option<&'a str>,
) -> (crate::ingest::Credentials, Option<u64>, Option<&'a str>) {
    let credentials =
        crate::ingest::Credentials::from_headers(header("authorization"), header("x-ingest-token"));
    let len = header("content-length").and_then(|v| v.parse().ok());
    (credentials, len, header("content-type"))
}

/// Admits an ingest request from its HTTP head: `method`, the `path` after `/ingest/` (as
/// sent) and its headers, read by lower-case name with `header` (`request_fields`).
///
/// ```
/// use dashkit::ingest::{Admission, Config, Instant, Origin};
/// let mut origin = Origin::new(Config { token: Some("t".into()), ..Config::default() });
/// let header = |n: &str| (n == "authorization").then_some("Bearer t");
/// let now = Instant::from_millis(0);
/// let admitted = dashkit::origin::ingest::admit(&mut origin, "PUT", "ch/a.mpd", header, now);
/// assert!(matches!(admitted, Admission::Upload(_)));
/// ```
pub fn admit<'a>(
    origin: &mut crate::ingest::Origin,
    method_name: &str,
    path: &str,
    header: impl Fn(&str) -> Option<&'a str>,
    now: crate::ingest::Instant,
) -> crate::ingest::Admission {
    let (credentials, content_length, content_type) = request_fields(header);
    let req = crate::ingest::UploadRequest {
        method: method(method_name),
        path,
        credentials: &credentials,
        content_length,
        content_type,
    };
    origin.admit(&req, now)
}

/// The ingest method of an HTTP method name.
pub(crate) fn method(name: &str) -> crate::ingest::Method {
    use crate::ingest::Method;
    match name {
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        _ => Method::Other,
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn request_fields() {
        let h = |n: &str| (n == "x-ingest-token").then_some("t");
        let (creds, len, ctype) = crate::origin::ingest::request_fields(h);
        assert_eq!(
            (creds, len, ctype),
            (crate::ingest::Credentials::token("t"), None, None)
        );
    }

    #[test]
    fn method() {
        use crate::ingest::Method;
        assert_eq!(crate::origin::ingest::method("POST"), Method::Post);
        assert_eq!(crate::origin::ingest::method("GET"), Method::Other);
    }
}
