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
