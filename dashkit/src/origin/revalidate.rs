//! Conditional requests (RFC 9110 §13): whether a cache revalidating an answer it holds gets
//! 304 Not Modified instead of the body. `If-None-Match` against the answer's `ETag` decides
//! when the request has it; otherwise `If-Modified-Since` against its `Last-Modified`.

use super::Headers;
use crate::live::http::HttpResponse;

/// The answer's headers that a 304 repeats (RFC 9110 §15.4.5).
const KEPT: [&str; 5] = ["cache-control", "expires", "etag", "last-modified", "vary"];

/// Whether a `GET`/`HEAD` with these request headers is answered 304 for an answer of status
/// `status` with these `etag` and `last_modified` values. Only 200 answers revalidate; an
/// unreadable date is ignored (as the RFC says).
///
/// ```
/// use dashkit::origin::revalidate::not_modified;
/// let lm = Some("Thu, 01 Jan 1970 00:16:40 GMT");
/// assert!(not_modified(200, Some("\"a\""), None, Some("\"a\""), lm));
/// assert!(!not_modified(200, Some("\"b\""), lm, Some("\"a\""), lm)); // If-None-Match decides
/// assert!(not_modified(200, None, Some("Thu, 01 Jan 1970 00:16:41 GMT"), None, lm));
/// assert!(!not_modified(200, None, Some("Thu, 01 Jan 1970 00:16:39 GMT"), None, lm));
/// assert!(!not_modified(425, Some("*"), None, Some("\"a\""), None));
/// ```
pub fn not_modified(
    status: u16,
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> bool {
    if status != 200 {
        return false;
    }
    if let Some(inm) = if_none_match {
        let Some(etag) = etag else { return false };
        // Weak comparison (§13.1.2): W/ prefixes do not count.
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return inm.trim() == "*" || inm.split(',').any(|t| bare(t) == bare(etag));
    }
    match (
        if_modified_since.and_then(parse_http_date),
        last_modified.and_then(parse_http_date),
    ) {
        (Some(since), Some(modified)) => modified <= since,
        _ => false,
    }
}

/// The 304 for an answer with headers `headers` (names in lower case): no body, and the
/// validators and cache lifetime it had.
///
/// ```
/// let h = [("content-type", "application/dash+xml"), ("etag", "\"a\"")];
/// let r = dashkit::origin::revalidate::not_modified_response(h);
/// assert_eq!((r.status, r.header("etag"), r.header("content-type")), (304, Some("\"a\""), None));
/// ```
pub fn not_modified_response<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> HttpResponse<'static> {
    let headers: Headers = headers
        .into_iter()
        .filter_map(|(n, v)| {
            let kept = KEPT.into_iter().find(|k| *k == n)?;
            Some((kept, v.to_string().into()))
        })
        .collect();
    HttpResponse {
        status: 304,
        headers,
        body: crate::live::http::HttpBody::Parts(Vec::new()),
    }
}

/// Epoch seconds of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form this origin
/// writes; other forms are `None`.
fn parse_http_date(s: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(s.trim(), "%a, %d %b %Y %H:%M:%S GMT")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::http::http_date;

    #[test]
    fn dates_round_trip_and_compare_by_second() {
        let t = 1_765_000_123_456;
        assert_eq!(parse_http_date(&http_date(t)), Some(t / 1000));
        let lm = http_date(t);
        // The same second as the cache's copy: not modified.
        assert!(not_modified(
            200,
            None,
            Some(&http_date(t + 500)),
            None,
            Some(&lm)
        ));
        assert!(!not_modified(200, None, Some("yesterday"), None, Some(&lm)));
    }

    #[test]
    fn etag_lists_and_star() {
        assert!(not_modified(
            200,
            Some("\"x\", \"a\""),
            None,
            Some("\"a\""),
            None
        ));
        assert!(not_modified(200, Some("*"), None, Some("\"a\""), None));
        assert!(!not_modified(200, Some("\"a\""), None, None, None));
    }
}
