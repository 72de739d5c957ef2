//! URI reference resolution (RFC 3986 §5.2), for the BaseURL chain of an MPD
//! (ISO/IEC 23009-1 §5.6: MPD location, then MPD, Period, AdaptationSet and Representation
//! BaseURLs, then the segment's own URL).
//!
//! Strings in, string out: no percent-decoding, no normalisation beyond the standard's
//! dot-segment removal. One extension of the RFC, for local files: when the base has no
//! scheme, no authority and a relative path (`video/`, `dash/manifest.mpd`), a result stays
//! relative and keeps the leading `..` segments it cannot remove
//! (`resolve("a/", "../../x") == "../x"`), where RFC 3986 (which assumes an absolute base)
//! would drop them.

/// The five components of RFC 3986 §3 (Appendix B split), borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
fn is_scheme(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

fn split(s: &str) -> Parts<'_> {
    let (rest, fragment) = match s.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let (scheme, rest) = match rest.split_once(':') {
        Some((sch, r)) if is_scheme(sch) => (Some(sch), r),
        _ => (None, rest),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => match r.find('/') {
            Some(i) => (r.get(..i), r.get(i..).unwrap_or("")),
            None => (Some(r), ""),
        },
        None => (None, rest),
    };
    Parts {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

/// RFC 3986 §5.2.4 (remove_dot_segments), written over a segment stack. For a relative path
/// (no leading `/`), `..` that cannot remove a segment is kept.
fn remove_dot_segments(path: &str) -> String {
    let absolute = path.starts_with('/');
    let body = if absolute {
        path.get(1..).unwrap_or("")
    } else {
        path
    };
    let mut out: Vec<&str> = Vec::new();
    let mut iter = body.split('/').peekable();
    while let Some(seg) = iter.next() {
        let last = iter.peek().is_none();
        match seg {
            "." => {}
            ".." => match out.last() {
                Some(&top) if absolute || top != ".." => {
                    out.pop();
                }
                _ if !absolute => out.push(".."),
                _ => {}
            },
            s => {
                out.push(s);
                continue;
            }
        }
        // "." and ".." at the end leave a trailing slash (an empty last segment).
        if last {
            out.push("");
        }
    }
    let mut s = String::with_capacity(path.len());
    if absolute {
        s.push('/');
    }
    for (i, seg) in out.iter().enumerate() {
        if i > 0 {
            s.push('/');
        }
        s.push_str(seg);
    }
    s
}

/// RFC 3986 §5.2.3 (merge paths).
fn merge(base: &Parts<'_>, reference_path: &str) -> String {
    if base.authority.is_some() && base.path.is_empty() {
        return format!("/{reference_path}");
    }
    match base.path.rfind('/') {
        Some(i) => format!("{}{}", base.path.get(..=i).unwrap_or(""), reference_path),
        None => reference_path.to_owned(),
    }
}

/// Resolves `reference` against `base` (RFC 3986 §5.2.2, strict: a reference with a scheme is
/// absolute even if it is the base's scheme), and recomposes the result (§5.3).
///
/// ```
/// use dashkit::mpd::url::resolve;
/// assert_eq!(resolve("http://cdn.example/live/manifest.mpd", "video/seg-1.m4s"),
///            "http://cdn.example/live/video/seg-1.m4s");
/// assert_eq!(resolve("http://a/b/c/d;p?q", "../g"), "http://a/b/g");
/// assert_eq!(resolve("http://a/b/c/d;p?q", "//other/x"), "http://other/x");
/// // Local files: relative bases stay relative.
/// assert_eq!(resolve("dash/manifest.mpd", "../media/init.mp4"), "media/init.mp4");
/// ```
pub fn resolve(base: &str, reference: &str) -> String {
    let b = split(base);
    let r = split(reference);
    let (scheme, authority, path, query);
    if r.scheme.is_some() {
        scheme = r.scheme;
        authority = r.authority;
        path = remove_dot_segments(r.path);
        query = r.query;
    } else {
        scheme = b.scheme;
        if r.authority.is_some() {
            authority = r.authority;
            path = remove_dot_segments(r.path);
            query = r.query;
        } else {
            authority = b.authority;
            if r.path.is_empty() {
                path = b.path.to_owned();
                query = r.query.or(b.query);
            } else {
                path = if r.path.starts_with('/') {
                    remove_dot_segments(r.path)
                } else {
                    remove_dot_segments(&merge(&b, r.path))
                };
                query = r.query;
            }
        }
    }
    let mut out = String::with_capacity(base.len() + reference.len());
    if let Some(s) = scheme {
        out.push_str(s);
        out.push(':');
    }
    if let Some(a) = authority {
        out.push_str("//");
        out.push_str(a);
    }
    out.push_str(&path);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = r.fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Resolves a BaseURL chain, outermost first: each element is resolved against the result of
/// the ones before it. Put the MPD's own location first when it is known, then the BaseURLs
/// of MPD, Period, AdaptationSet and Representation (ISO/IEC 23009-1 §5.6.4), leaving out
/// levels that have none. An empty chain gives `""`.
///
/// ```
/// use dashkit::mpd::url::resolve_chain;
/// assert_eq!(resolve_chain(&["", "video/", "seg.m4s"]), "video/seg.m4s");
/// assert_eq!(resolve_chain(&["https://h/p/manifest.mpd", "https://cdn/x/", "v/"]), "https://cdn/x/v/");
/// ```
pub fn resolve_chain(chain: &[&str]) -> String {
    let mut iter = chain.iter();
    let mut acc = match iter.next() {
        Some(first) => (*first).to_owned(),
        None => return String::new(),
    };
    for r in iter {
        acc = resolve(&acc, r);
    }
    acc
}

/// A base URL prepared once for resolving many references against it (every segment of a
/// Representation). Gives exactly what [`resolve`] gives; for the common reference, a plain
/// relative path without dot segments, query or fragment, it only concatenates.
///
/// ```
/// use dashkit::mpd::url::{resolve, Resolver};
/// let r = Resolver::new("https://cdn/v/manifest.mpd?tok=1");
/// assert_eq!(r.resolve("seg-1.m4s"), "https://cdn/v/seg-1.m4s");
/// assert_eq!(r.resolve("../a.m4s"), resolve("https://cdn/v/manifest.mpd?tok=1", "../a.m4s"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolver {
    base: String,
    /// scheme + authority + directory of the base path, when the base path is already free
    /// of dot segments (so merging a plain path needs no removal pass).
    dir_prefix: Option<String>,
}

impl Resolver {
    /// Prepares `base`.
    ///
    /// ```
    /// use dashkit::mpd::url::Resolver;
    /// let r = Resolver::new("https://cdn.example/a/b/manifest.mpd");
    /// assert_eq!(r.resolve("v1/1.m4s"), "https://cdn.example/a/b/v1/1.m4s");
    /// ```
    pub fn new(base: &str) -> Resolver {
        let b = split(base);
        let has_dots = b.path.split('/').any(|seg| seg == "." || seg == "..");
        let dir_prefix = (!has_dots).then(|| {
            let mut p = String::with_capacity(base.len());
            if let Some(s) = b.scheme {
                p.push_str(s);
                p.push(':');
            }
            if let Some(a) = b.authority {
                p.push_str("//");
                p.push_str(a);
            }
            if b.authority.is_some() && b.path.is_empty() {
                p.push('/');
            } else if let Some(i) = b.path.rfind('/') {
                p.push_str(b.path.get(..=i).unwrap_or(""));
            }
            p
        });
        Resolver {
            base: base.to_owned(),
            dir_prefix,
        }
    }

    /// The base as given.
    ///
    /// ```
    /// let r = dashkit::mpd::url::Resolver::new("https://cdn.example/a/manifest.mpd");
    /// assert_eq!(r.base(), "https://cdn.example/a/manifest.mpd");
    /// ```
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `resolve(self.base(), reference)`.
    ///
    /// ```
    /// let r = dashkit::mpd::url::Resolver::new("https://cdn.example/a/b/manifest.mpd");
    /// assert_eq!(r.resolve("../v/1.m4s"), "https://cdn.example/a/v/1.m4s");
    /// assert_eq!(r.resolve("/root.m4s"), "https://cdn.example/root.m4s");
    /// assert_eq!(r.resolve("https://other.example/x"), "https://other.example/x");
    /// ```
    pub fn resolve(&self, reference: &str) -> String {
        match &self.dir_prefix {
            Some(prefix) if is_plain_relative_path(reference) => {
                let mut out = String::with_capacity(prefix.len() + reference.len());
                out.push_str(prefix);
                out.push_str(reference);
                out
            }
            _ => resolve(&self.base, reference),
        }
    }
}

/// A non-empty relative path with no scheme, query, fragment or dot segment: merging it is
/// concatenation (RFC 3986 §5.2.3) and dot-segment removal leaves it unchanged.
fn is_plain_relative_path(r: &str) -> bool {
    !r.is_empty()
        && !r.starts_with('/')
        && !r.bytes().any(|b| matches!(b, b':' | b'?' | b'#'))
        && !r.split('/').any(|seg| seg == "." || seg == "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BASE: &str = "http://a/b/c/d;p?q";

    /// RFC 3986 §5.4.1.
    #[test]
    fn rfc3986_normal_examples() {
        for (r, want) in [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
        ] {
            assert_eq!(resolve(BASE, r), want, "reference {r:?}");
        }
    }

    /// RFC 3986 §5.4.2 (strict parser for "http:g").
    #[test]
    fn rfc3986_abnormal_examples() {
        for (r, want) in [
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g#s/./x"),
            ("g#s/../x", "http://a/b/c/g#s/../x"),
            ("http:g", "http:g"),
        ] {
            assert_eq!(resolve(BASE, r), want, "reference {r:?}");
        }
    }

    /// RFC 3986 §5.2.4's own worked examples.
    #[test]
    fn rfc3986_remove_dot_segments_examples() {
        assert_eq!(remove_dot_segments("/a/b/c/./../../g"), "/a/g");
        assert_eq!(remove_dot_segments("mid/content=5/../6"), "mid/6");
    }

    #[test]
    fn authority_with_empty_path_merges_with_a_slash() {
        assert_eq!(resolve("http://host", "seg.m4s"), "http://host/seg.m4s");
        assert_eq!(resolve("http://host?q", "?r"), "http://host?r");
    }

    #[test]
    fn relative_only_chains() {
        assert_eq!(resolve_chain(&["", "video/", "seg.m4s"]), "video/seg.m4s");
        assert_eq!(
            resolve_chain(&["manifest.mpd", "", "video/", "seg.m4s"]),
            "video/seg.m4s"
        );
        assert_eq!(
            resolve_chain(&["dash/manifest.mpd", "video/", "1/", "seg.m4s"]),
            "dash/video/1/seg.m4s"
        );
        assert_eq!(resolve_chain(&[]), "");
        assert_eq!(resolve_chain(&["x"]), "x");
    }

    #[test]
    fn relative_bases_keep_leading_dotdot() {
        assert_eq!(resolve("a/", "../../x"), "../x");
        assert_eq!(resolve("manifest.mpd", "../media/x.m4s"), "../media/x.m4s");
        // As in the RFC's `".." -> "http://a/b/"`, a final dot segment names a directory.
        assert_eq!(resolve("", ".."), "../");
        assert_eq!(resolve("a/b/c", "../.."), "");
        assert_eq!(resolve("", "../"), "../");
        assert_eq!(resolve("../", "../a"), "../../a");
        assert_eq!(resolve("a/b", "."), "a/");
        assert_eq!(resolve("", "."), "");
    }

    #[test]
    fn absolute_path_on_relative_base() {
        assert_eq!(resolve("dash/m.mpd", "/abs/seg.m4s"), "/abs/seg.m4s");
        assert_eq!(resolve("/srv/dash/m.mpd", "seg.m4s"), "/srv/dash/seg.m4s");
    }

    #[test]
    fn absolute_baseurl_resets_the_chain() {
        assert_eq!(
            resolve_chain(&[
                "https://origin/a/manifest.mpd",
                "https://cdn1.example/dash/",
                "video/",
                "seg-$Number$.m4s"
            ]),
            "https://cdn1.example/dash/video/seg-$Number$.m4s"
        );
    }

    #[test]
    fn colon_in_first_segment_is_not_a_scheme_unless_valid() {
        // "1a" is not a scheme (must start with a letter).
        assert_eq!(resolve("http://h/p/", "1a:b"), "http://h/p/1a:b");
    }

    proptest! {
        #[test]
        fn resolver_agrees_with_resolve(base in "(https?://[a-z]{1,3})?[a-z./?#:]{0,20}", r in "[a-z./?#:]{0,20}") {
            prop_assert_eq!(Resolver::new(&base).resolve(&r), resolve(&base, &r));
        }

        #[test]
        fn resolve_never_panics(base in "\\PC{0,40}", r in "\\PC{0,40}") {
            let _ = resolve(&base, &r);
        }

        #[test]
        fn absolute_reference_ignores_base(base in "[a-z/.:?#]{0,30}", p in "(/[a-z]{1,5}){0,4}") {
            let r = format!("https://h{p}");
            prop_assert_eq!(resolve(&base, &r), r);
        }

        #[test]
        fn resolution_result_has_no_dot_segments(r in "((\\.|\\.\\.|[a-z]{1,3})/){0,6}[a-z]{0,3}") {
            let out = resolve("http://a/b/c/d", &r);
            let path = out.strip_prefix("http://a").unwrap();
            prop_assert!(path.starts_with('/'));
            prop_assert!(!path.split('/').any(|s| s == "." || s == ".."), "{}", out);
        }
    }
}
