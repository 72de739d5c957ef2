//! Files below the served root, and nothing else: URL paths are percent-decoded once, `..`
//! and control characters are refused, and every file is opened only after its canonical path
//! (symlinks followed) is checked to lie inside the canonical root.

use std::path::{Path, PathBuf};

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Malformed: bad percent-encoding, not UTF-8, a NUL or backslash, a `..` component.
    Bad,
    /// No such file (or outside the root, which is answered the same way).
    NotFound,
}

/// Percent-decodes a URL path once and splits it into components, dropping empty ones and
/// `.`; refuses `..`, NUL, backslashes and control characters anywhere.
pub fn decode_components(path: &str) -> Result<Vec<String>, PathError> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(PathError::Bad)?;
            let s = std::str::from_utf8(hex).map_err(|_| PathError::Bad)?;
            out.push(u8::from_str_radix(s, 16).map_err(|_| PathError::Bad)?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    let text = String::from_utf8(out).map_err(|_| PathError::Bad)?;
    if text.chars().any(|c| c.is_control() || c == '\\') {
        return Err(PathError::Bad);
    }
    let mut comps = Vec::new();
    for c in text.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(PathError::Bad),
            _ => comps.push(c.to_string()),
        }
    }
    Ok(comps)
}

/// The served root, canonicalized once.
#[derive(Debug, Clone)]
pub struct Root {
    canonical: PathBuf,
}

impl Root {
    /// Canonicalizes `dir`.
    pub fn new(dir: &Path) -> std::io::Result<Root> {
        Ok(Root {
            canonical: dir.canonicalize()?,
        })
    }

    /// The canonical root directory.
    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// The canonical path of `comps` below the root, if it exists and stays inside.
    pub fn resolve<S: AsRef<str>>(&self, comps: &[S]) -> Result<PathBuf, PathError> {
        let mut p = self.canonical.clone();
        for c in comps {
            let c = c.as_ref();
            if c.is_empty() || c == "." || c == ".." || c.contains(['/', '\\', '\0']) {
                return Err(PathError::Bad);
            }
            p.push(c);
        }
        let real = p.canonicalize().map_err(|_| PathError::NotFound)?;
        if real.starts_with(&self.canonical) {
            Ok(real)
        } else {
            Err(PathError::NotFound)
        }
    }

    /// Resolves a URL found in an MPD (relative to the directory `base`, given as components
    /// below the root): relative references only, no scheme, no absolute path, no escape.
    pub fn resolve_relative(&self, base: &[String], url: &str) -> Result<PathBuf, PathError> {
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
        self.resolve(&comps)
    }
}

/// The `Content-Type` of a static file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
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
pub enum RangeRequest {
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
pub fn parse_range(value: Option<&str>, len: u64) -> RangeRequest {
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

#[cfg(test)]
mod tests {
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
    fn resolve_stays_in_root() {
        let dir = std::env::temp_dir().join(format!("dashkit-root-{}", std::process::id()));
        let inside = dir.join("in");
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::write(inside.join("f.txt"), b"x").unwrap();
        std::fs::write(dir.join("secret.txt"), b"s").unwrap();
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink(dir.join("secret.txt"), inside.join("link"));
        }
        let root = Root::new(&inside).unwrap();
        assert!(root.resolve(&["f.txt"]).is_ok());
        assert_eq!(root.resolve(&[".."]), Err(PathError::Bad));
        assert_eq!(root.resolve(&["nope"]), Err(PathError::NotFound));
        #[cfg(unix)]
        assert_eq!(root.resolve(&["link"]), Err(PathError::NotFound));
        assert_eq!(
            root.resolve_relative(&[], "../secret.txt"),
            Err(PathError::Bad)
        );
        assert_eq!(
            root.resolve_relative(&[], "/etc/passwd"),
            Err(PathError::Bad)
        );
        assert_eq!(
            root.resolve_relative(&[], "file:///etc/passwd"),
            Err(PathError::Bad)
        );
        assert!(root.resolve_relative(&[], "./f.txt").is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
