//! Attribute lists (RFC 8216 §4.2): `NAME=VALUE` pairs separated by commas, values raw (a
//! quoted-string keeps its quotes), and typed reads of one attribute.

use super::error::{excerpt, ErrorKind};
use super::model::ByteSpan;
use super::Decimal;
use crate::limits::MAX_HLS_ATTRIBUTES;

/// The attributes of one tag, borrowed from its line.
pub(crate) struct Attrs<'a> {
    pub tag: &'static str,
    pub list: Vec<(&'a str, &'a str)>,
}

/// Splits an attribute list. Names are `[A-Z0-9-]+`; a value is a quoted string (no `"`,
/// CR or LF inside) or anything up to the next comma.
pub(crate) fn parse<'a>(tag: &'static str, text: &'a str) -> Result<Attrs<'a>, ErrorKind> {
    let bad = |v: &str| ErrorKind::InvalidValue {
        tag,
        attribute: None,
        value: excerpt(v),
        expected: "attribute-list",
    };
    let mut list = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if list.len() >= MAX_HLS_ATTRIBUTES {
            return Err(ErrorKind::TooMany {
                what: "attributes",
                max: MAX_HLS_ATTRIBUTES,
            });
        }
        let (name, after) = rest.split_once('=').ok_or_else(|| bad(rest))?;
        if name.is_empty()
            || !name
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-')
        {
            return Err(bad(name));
        }
        // RFC 8216 §4.2 allows no whitespace outside quoted strings: it is dropped, so a value
        // reads the same wherever on the line the writer puts it.
        let after = after.trim_start();
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').ok_or_else(|| bad(after))?;
            let (v, tail) = after.split_at(end + 2);
            (v, tail.trim_start())
        } else {
            let (v, tail) = match after.find(',') {
                Some(i) => after.split_at(i),
                None => (after, ""),
            };
            let v = v.trim_end();
            // A quote may only open a quoted string.
            if v.contains('"') {
                return Err(bad(v));
            }
            (v, tail)
        };
        list.push((name, value));
        rest = match next.strip_prefix(',') {
            Some(r) => r,
            None if next.is_empty() => "",
            None => return Err(bad(next)),
        };
    }
    Ok(Attrs { tag, list })
}

impl<'a> Attrs<'a> {
    /// The raw value of `name`.
    pub fn raw(&self, name: &str) -> Option<&'a str> {
        self.list.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    fn invalid(&self, name: &'static str, v: &str, expected: &'static str) -> ErrorKind {
        ErrorKind::InvalidValue {
            tag: self.tag,
            attribute: Some(name),
            value: excerpt(v),
            expected,
        }
    }

    /// A required attribute's raw value.
    pub fn required(&self, name: &'static str) -> Result<&'a str, ErrorKind> {
        self.raw(name).ok_or(ErrorKind::MissingAttribute {
            tag: self.tag,
            attribute: name,
        })
    }

    /// A quoted-string, without its quotes.
    pub fn string(&self, name: &'static str) -> Result<Option<&'a str>, ErrorKind> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => v
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .map(Some)
                .ok_or_else(|| self.invalid(name, v, "quoted-string")),
        }
    }

    /// A required quoted-string.
    pub fn required_string(&self, name: &'static str) -> Result<&'a str, ErrorKind> {
        self.string(name)?.ok_or(ErrorKind::MissingAttribute {
            tag: self.tag,
            attribute: name,
        })
    }

    /// A decimal-integer.
    pub fn integer(&self, name: &'static str) -> Result<Option<u64>, ErrorKind> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => parse_integer(v)
                .map(Some)
                .ok_or_else(|| self.invalid(name, v, "decimal-integer")),
        }
    }

    /// A decimal-floating-point.
    pub fn decimal(&self, name: &'static str) -> Result<Option<Decimal>, ErrorKind> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => Decimal::parse(v)
                .map(Some)
                .ok_or_else(|| self.invalid(name, v, "decimal-floating-point")),
        }
    }

    /// `YES`/`NO` (absent is `NO`).
    pub fn yes(&self, name: &'static str) -> Result<bool, ErrorKind> {
        match self.raw(name) {
            None | Some("NO") => Ok(false),
            Some("YES") => Ok(true),
            Some(v) => Err(self.invalid(name, v, "YES or NO")),
        }
    }

    /// A quoted `n[@o]` byte range.
    pub fn byte_range(&self, name: &'static str) -> Result<Option<ByteSpan>, ErrorKind> {
        match self.string(name)? {
            None => Ok(None),
            Some(v) => parse_byte_range(v)
                .map(Some)
                .ok_or_else(|| self.invalid(name, v, "n[@o]")),
        }
    }

    /// `WIDTHxHEIGHT`.
    pub fn resolution(&self, name: &'static str) -> Result<Option<(u32, u32)>, ErrorKind> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => v
                .split_once('x')
                .and_then(|(w, h)| {
                    let w = u32::try_from(parse_integer(w)?).ok()?;
                    let h = u32::try_from(parse_integer(h)?).ok()?;
                    Some((w, h))
                })
                .map(Some)
                .ok_or_else(|| self.invalid(name, v, "decimal-resolution")),
        }
    }

    /// The attributes not in `known`, as owned raw pairs.
    pub fn others(&self, known: &[&str]) -> Vec<(String, String)> {
        self.list
            .iter()
            .filter(|(n, _)| !known.contains(n))
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }
}

/// RFC 8216 decimal-integer: 1 to 20 digits, at most 2^64 - 1.
pub(crate) fn parse_integer(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `n[@o]`.
pub(crate) fn parse_byte_range(s: &str) -> Option<ByteSpan> {
    let (n, o) = match s.split_once('@') {
        Some((n, o)) => (n, Some(o)),
        None => (s, None),
    };
    Some(ByteSpan {
        length: parse_integer(n)?,
        offset: match o {
            Some(o) => Some(parse_integer(o)?),
            None => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_may_hold_commas() {
        let a = parse(
            "X",
            r#"CODECS="avc1.4d400c,mp4a.40.2",BANDWIDTH=1,RESOLUTION=320x180"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.string("CODECS"), Ok(Some("avc1.4d400c,mp4a.40.2")));
        assert_eq!(a.integer("BANDWIDTH"), Ok(Some(1)));
        assert_eq!(a.resolution("RESOLUTION"), Ok(Some((320, 180))));
        assert!(a.string("BANDWIDTH").is_err());
    }

    #[test]
    fn malformed_lists_are_errors() {
        for bad in ["A", "a=1", "A=\"x", "A=\"x\"B=1", "=1", "A=1,,B=2"] {
            assert!(parse("X", bad).is_err(), "{bad:?}");
        }
        assert!(parse("X", "").map(|a| a.list.is_empty()).unwrap_or(false));
        let many = vec!["A=1"; MAX_HLS_ATTRIBUTES + 1].join(",");
        assert!(matches!(parse("X", &many), Err(ErrorKind::TooMany { .. })));
    }

    /// Found by the hls_parse fuzz target: an unknown attribute's value ending in whitespace
    /// mid-line was written last on its line, where line trimming dropped the whitespace.
    #[test]
    fn issue_16_unquoted_values_are_trimmed() {
        let a = parse("X", "X-A=1\u{b} ,B= 2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.list, [("X-A", "1"), ("B", "2")]);
        let a = parse("X", "A= \"x,y\" ,B=1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.list, [("A", "\"x,y\""), ("B", "1")]);
        // A quote inside an unquoted value would open a string when written back.
        assert!(parse("X", "A=a\"b").is_err());
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(
            parse_byte_range("100@5"),
            Some(ByteSpan {
                length: 100,
                offset: Some(5)
            })
        );
        assert_eq!(parse_byte_range("7").map(|r| r.offset), Some(None));
        assert_eq!(parse_byte_range("7@"), None);
        assert_eq!(parse_byte_range("-1"), None);
    }
}
