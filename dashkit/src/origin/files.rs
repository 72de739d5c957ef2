//! Static files below a served root, as rules: a URL path percent-decoded once into
//! components (`..`, NUL, backslashes and control characters refused), relative URLs from an
//! MPD resolved against its directory without leaving the root, the confinement check a server
//! makes once it has the canonical path, content types by extension, and a `Range` header
//! (RFC 9110 §14.1.2) turned into the answer's status, headers and byte span.

use std::borrow::Cow;
use std::path::Path;

use crate::bmff::patch::Part;
use crate::live::http::{http_date, HttpBody, HttpResponse};

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Malformed: bad percent-encoding, not UTF-8, a NUL or backslash, a `..` component
    /// (answered 400).
    Bad,
    /// No such file, or outside the root, which is answered the same way (404).
    NotFound,
}

impl PathError {
    /// The plain-text answer: 400 `malformed path` or 404 `not found`.
    ///
    /// ```
    /// use dashkit::origin::files::PathError;
    /// assert_eq!(PathError::Bad.answer().status, 400);
    /// assert_eq!(PathError::NotFound.answer().status, 404);
    /// ```
    pub fn answer(self) -> HttpResponse<'static> {
        match self {
            PathError::Bad => HttpResponse::text(400, "malformed path"),
            PathError::NotFound => HttpResponse::text(404, "not found"),
        }
    }
}

/// Percent-decodes a URL path once and splits it into components, dropping empty ones and
/// `.`; refuses `..`, NUL, backslashes and control characters anywhere.
pub(crate) fn decode_components(path: &str) -> Result<Vec<String>, PathError> {
    // The length of a request target is bounded before routing (MAX_TARGET_LEN).
    crate::ingest::naming::decode_path(path, usize::MAX).map_err(|_| PathError::Bad)
}

/// Checks components before they are joined onto the root: none empty, `.`, `..`, or holding
/// a separator or NUL.
///
/// ```
/// use dashkit::origin::files::check_components;
/// assert!(check_components(&["a", "b.mp4"]).is_ok());
/// assert!(check_components(&["a/b"]).is_err());
/// ```
pub fn check_components<S: AsRef<str>>(comps: &[S]) -> Result<(), PathError> {
    for c in comps {
        let c = c.as_ref();
        if c.is_empty() || c == "." || c == ".." || c.contains(['/', '\\', '\0']) {
            return Err(PathError::Bad);
        }
    }
    Ok(())
}

/// Whether a file's canonical path (symlinks followed, as the server found it) lies inside the
/// canonical root; a file outside is answered as [`PathError::NotFound`].
///
/// ```
/// use std::path::Path;
/// use dashkit::origin::files::confined;
/// assert!(confined(Path::new("/srv/root"), Path::new("/srv/root/a/b.m4s")));
/// assert!(!confined(Path::new("/srv/root"), Path::new("/srv/rootx/b.m4s")));
/// ```
pub fn confined(canonical_root: &Path, canonical_file: &Path) -> bool {
    canonical_file.starts_with(canonical_root)
}

/// The components below the root of a URL found in an MPD, relative to its directory `base`:
/// relative references only (no scheme, no absolute path), never above the root.
///
/// ```
/// use dashkit::origin::files::{relative_components, PathError};
/// let base = vec!["asset".to_string()];
/// assert_eq!(relative_components(&base, "0/1.m4s?x").unwrap(), ["asset", "0", "1.m4s"]);
/// assert_eq!(relative_components(&base, "../../x"), Err(PathError::Bad));
/// assert_eq!(relative_components(&base, "file:///etc/passwd"), Err(PathError::Bad));
/// ```
pub fn relative_components(base: &[String], url: &str) -> Result<Vec<String>, PathError> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    if url.starts_with('/') || url.contains("://") || url.starts_with("file:") {
        return Err(PathError::Bad);
    }
    let mut comps: Vec<String> = base.to_vec();
    for c in url.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                comps.pop().ok_or(PathError::Bad)?;
            }
            _ => comps.push(c.to_string()),
        }
    }
    check_components(&comps)?;
    Ok(comps)
}

/// The `Content-Type` of a file, by the extension of its name.
pub(crate) fn content_type(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "mpd" => "application/dash+xml",
        "m4a" | "cmfa" => "audio/mp4",
        "mp4" | "m4s" | "m4v" | "cmfv" | "cmfi" | "mov" => "video/mp4",
        "m3u8" => "application/vnd.apple.mpegurl",
        "vtt" => "text/vtt",
        "ttml" | "xml" => "application/xml",
        "json" => "application/json",
        "html" | "htm" => "text/html; charset=utf-8",
        "txt" | "cfg" => "text/plain; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

/// A parsed single `Range: bytes=...` header against a file of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// No usable Range header (absent, multi-range or another unit): send it all.
    Full,
    /// Bytes `start..=end`.
    Part {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
    /// Not satisfiable (416).
    Unsatisfiable,
}

/// Interprets a `Range` header value (RFC 9110 §14.1.2) for a representation of `len` bytes.
pub(crate) fn parse_range(value: Option<&str>, len: u64) -> RangeRequest {
    let Some(v) = value else {
        return RangeRequest::Full;
    };
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return RangeRequest::Full;
    };
    if spec.contains(',') {
        return RangeRequest::Full; // multipart ranges: answered with the whole file
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeRequest::Unsatisfiable;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        // Suffix: the last b bytes.
        let Ok(n) = b.parse::<u64>() else {
            return RangeRequest::Unsatisfiable;
        };
        if n == 0 || len == 0 {
            return RangeRequest::Unsatisfiable;
        }
        return RangeRequest::Part {
            start: len.saturating_sub(n),
            end: len - 1,
        };
    }
    let Ok(start) = a.parse::<u64>() else {
        return RangeRequest::Unsatisfiable;
    };
    if start >= len {
        return RangeRequest::Unsatisfiable;
    }
    let end = if b.is_empty() {
        len - 1
    } else {
        match b.parse::<u64>() {
            Ok(e) if e >= start => e.min(len - 1),
            _ => return RangeRequest::Unsatisfiable,
        }
    };
    RangeRequest::Part { start, end }
}

/// What a server found at a static file's path: its name, size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta<'a> {
    /// The file's name (or path): its extension gives the content type.
    pub name: &'a str,
    /// Its length in bytes.
    pub len: u64,
    /// Its modification time in epoch milliseconds, when known.
    pub modified_ms: Option<i64>,
}

impl<'a> FileMeta<'a> {
    /// A file named `name` of `len` bytes, modification time unknown.
    pub fn new(name: &'a str, len: u64) -> FileMeta<'a> {
        FileMeta {
            name,
            len,
            modified_ms: None,
        }
    }
}

/// The answer to a static file request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAnswer {
    /// Send bytes `start..start + count` of the file with this status and these headers.
    Send {
        /// 200 or 206.
        status: u16,
        /// Content type, ranges, caching, `Content-Range`, `Last-Modified`.
        headers: Vec<(&'static str, Cow<'static, str>)>,
        /// First byte to send.
        start: u64,
        /// Bytes to send.
        count: u64,
    },
    /// Answer with this instead of the file (416).
    Answer(HttpResponse<'static>),
}

/// The answer to a static file request (GET or HEAD) for the file `meta` describes, given the
/// request's `Range` header: the whole file (200), a range (206 with `Content-Range`) or 416.
/// Files are cached for an hour.
///
/// ```
/// use dashkit::origin::files::{file_answer, FileAnswer, FileMeta};
/// let meta = FileMeta { name: "0/1.m4s", len: 10, modified_ms: None };
/// let FileAnswer::Send { status, start, count, headers } = file_answer(&meta, Some("bytes=2-5"))
///     else { panic!() };
/// assert_eq!((status, start, count), (206, 2, 4));
/// assert!(headers.contains(&("content-range", "bytes 2-5/10".into())));
/// let FileAnswer::Answer(r) = file_answer(&meta, Some("bytes=20-")) else { panic!() };
/// assert_eq!((r.status, r.header("content-range")), (416, Some("bytes */10")));
/// ```
pub fn file_answer(meta: &FileMeta<'_>, range: Option<&str>) -> FileAnswer {
    let len = meta.len;
    let (status, start, end) = match parse_range(range, len) {
        RangeRequest::Full => (200, 0, len),
        RangeRequest::Part { start, end } => (206, start, end + 1),
        RangeRequest::Unsatisfiable => {
            let mut r = HttpResponse::text(416, "range not satisfiable");
            r.headers
                .push(("content-range", format!("bytes */{len}").into()));
            return FileAnswer::Answer(r);
        }
    };
    let mut headers: Vec<(&'static str, Cow<'static, str>)> = vec![
        ("content-type", content_type(meta.name).into()),
        ("accept-ranges", "bytes".into()),
        ("cache-control", "public, max-age=3600".into()),
    ];
    if status == 206 {
        headers.push((
            "content-range",
            format!("bytes {start}-{}/{len}", end - 1).into(),
        ));
    }
    if let Some(ms) = meta.modified_ms {
        // Whole seconds, as an HTTP-date has no finer unit.
        headers.push((
            "last-modified",
            http_date(ms.div_euclid(1000) * 1000).into(),
        ));
    }
    FileAnswer::Send {
        status,
        headers,
        start,
        count: end - start,
    }
}

impl FileAnswer {
    /// The whole answer, for a server that reads the span into memory: `read(start, count)`
    /// gives the bytes to send (`None`: the read failed, answered 500).
    ///
    /// ```
    /// use dashkit::origin::files::{file_answer, FileMeta};
    /// let file = b"0123456789";
    /// let meta = FileMeta { name: "a.m4s", len: 10, modified_ms: None };
    /// let r = file_answer(&meta, Some("bytes=-3"))
    ///     .respond(|start, count| Some(file[start as usize..][..count as usize].to_vec()));
    /// assert_eq!((r.status, r.header("content-range")), (206, Some("bytes 7-9/10")));
    /// ```
    pub fn respond(self, read: impl FnOnce(u64, u64) -> Option<Vec<u8>>) -> HttpResponse<'static> {
        match self {
            FileAnswer::Answer(r) => r,
            FileAnswer::Send {
                status,
                headers,
                start,
                count,
            } => match read(start, count) {
                Some(bytes) => HttpResponse {
                    status,
                    headers,
                    body: HttpBody::Parts(vec![Part::Owned(bytes)]),
                },
                None => HttpResponse::text(500, "read failed"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn decoding_refuses_traversal_in_every_spelling() {
        for bad in [
            "/a/../b",
            "/..",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc",
            "/a%2f..%2fb",
            "/a/%00",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/%zz",
            "/%",
            "/%c0%ae%c0%ae/",
            "/a/%0a",
        ] {
            assert_eq!(decode_components(bad), Err(PathError::Bad), "{bad}");
        }
        assert_eq!(
            decode_components("/a//b/./c%20d").unwrap(),
            vec!["a", "b", "c d"]
        );
        // Decoded once: a double-encoded dot-dot is a literal name, not a parent.
        assert_eq!(decode_components("/%252e%252e").unwrap(), vec!["%2e%2e"]);
    }

    #[test]
    fn ranges() {
        use RangeRequest::*;
        assert_eq!(parse_range(None, 10), Full);
        assert_eq!(
            parse_range(Some("bytes=0-3"), 10),
            Part { start: 0, end: 3 }
        );
        assert_eq!(parse_range(Some("bytes=5-"), 10), Part { start: 5, end: 9 });
        assert_eq!(parse_range(Some("bytes=-4"), 10), Part { start: 6, end: 9 });
        assert_eq!(
            parse_range(Some("bytes=-40"), 10),
            Part { start: 0, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=8-100"), 10),
            Part { start: 8, end: 9 }
        );
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=4-2"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=x-2"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Full);
        assert_eq!(parse_range(Some("items=0-1"), 10), Full);
    }

    #[test]
    fn relative_urls_stay_below_the_root() {
        assert_eq!(
            relative_components(&[], "../secret.txt"),
            Err(PathError::Bad)
        );
        assert_eq!(relative_components(&[], "/etc/passwd"), Err(PathError::Bad));
        assert_eq!(
            relative_components(&[], "file:///etc/passwd"),
            Err(PathError::Bad)
        );
        assert_eq!(relative_components(&[], "./f.txt").unwrap(), ["f.txt"]);
        let base = vec!["a".to_string(), "b".to_string()];
        assert_eq!(relative_components(&base, "../c").unwrap(), ["a", "c"]);
    }

    #[test]
    fn whole_file_and_last_modified() {
        let meta = FileMeta {
            name: "a.mpd",
            len: 3,
            modified_ms: Some(1_302_999),
        };
        let FileAnswer::Send {
            status,
            headers,
            start,
            count,
        } = file_answer(&meta, None)
        else {
            panic!()
        };
        assert_eq!((status, start, count), (200, 0, 3));
        assert_eq!(headers[0].1, "application/dash+xml");
        assert!(headers.contains(&("last-modified", "Thu, 01 Jan 1970 00:21:42 GMT".into())));
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn decode_components() {
        use crate::origin::files::{decode_components, PathError};
        assert_eq!(
            decode_components("/a//b/./c%20d").unwrap(),
            ["a", "b", "c d"]
        );
        assert_eq!(decode_components("/%2e%2e/etc"), Err(PathError::Bad));
    }

    #[test]
    fn content_type() {
        assert_eq!(
            crate::origin::files::content_type("a/Manifest.MPD"),
            "application/dash+xml"
        );
        assert_eq!(
            crate::origin::files::content_type("x"),
            "application/octet-stream"
        );
    }

    #[test]
    fn parse_range() {
        use crate::origin::files::{parse_range, RangeRequest};
        assert_eq!(
            parse_range(Some("bytes=-4"), 10),
            RangeRequest::Part { start: 6, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=10-"), 10),
            RangeRequest::Unsatisfiable
        );
    }
}
