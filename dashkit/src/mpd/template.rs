//! URL templates of `SegmentTemplate@media`, `@initialization`, `@index` and
//! `@bitstreamSwitching` (ISO/IEC 23009-1 §5.3.9.4.4).
//!
//! A template is parsed once into tokens ([`Template::parse`]) and then expanded many times
//! ([`Template::expand_into`]) into a buffer the caller reuses: no regex, no allocation per
//! segment beyond the growth of that buffer.
//!
//! Identifiers (case-sensitive, §5.3.9.4.4 Table 16): `$RepresentationID$`, `$Number$`,
//! `$Time$`, `$Bandwidth$`, `$SubNumber$`, and `$$` for a literal `$`. Every identifier but
//! `$RepresentationID$` may carry a format tag `%0[width]d` (`$Number%05d$`): the decimal value
//! left-padded with zeros to at least `width` digits, never truncated.

use std::fmt;

use super::error::{Error, ErrorLocation as Location, TemplateErrorKind};
use crate::limits::MAX_TEMPLATE_WIDTH;

/// One identifier of ISO/IEC 23009-1 §5.3.9.4.4 (the literal `$$` is not one).
///
/// ```
/// use dashkit::mpd::template::{Identifier, Template};
/// let t = Template::parse("chunk-$RepresentationID$-$Number%05d$.m4s").unwrap();
/// let used: Vec<Identifier> = Identifier::ALL.into_iter().filter(|&id| t.uses(id)).collect();
/// assert_eq!(used, [Identifier::RepresentationId, Identifier::Number]);
/// assert_eq!(Identifier::Time.to_string(), "$Time$");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// `$RepresentationID$`: the Representation's `@id`. Takes no format tag.
    RepresentationId,
    /// `$Number$`: the segment number.
    Number,
    /// `$Time$`: the segment's start time in the media timeline (`S@t` and its successors),
    /// in timescale ticks.
    Time,
    /// `$Bandwidth$`: the Representation's `@bandwidth`.
    Bandwidth,
    /// `$SubNumber$`: the number of a sub-segment within a segment (`S@k`).
    SubNumber,
}

impl Identifier {
    /// All identifiers, in the order of the standard's table.
    pub const ALL: [Identifier; 5] = [
        Identifier::RepresentationId,
        Identifier::Number,
        Identifier::Time,
        Identifier::Bandwidth,
        Identifier::SubNumber,
    ];

    /// The name as written between the `$` signs (`RepresentationID`).
    ///
    /// ```
    /// use dashkit::mpd::template::Identifier;
    /// assert_eq!(Identifier::RepresentationId.name(), "RepresentationID");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Identifier::RepresentationId => "RepresentationID",
            Identifier::Number => "Number",
            Identifier::Time => "Time",
            Identifier::Bandwidth => "Bandwidth",
            Identifier::SubNumber => "SubNumber",
        }
    }

    fn from_name(name: &str) -> Option<Identifier> {
        Identifier::ALL.into_iter().find(|id| id.name() == name)
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}$", self.name())
    }
}

/// One parsed piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Bytes `start..end` of the source, copied as they are.
    Literal { start: usize, end: usize },
    /// `$$`.
    Dollar,
    /// An identifier with its minimum width (0 when there is no format tag) and the byte
    /// offset of its opening `$` (for errors at expansion).
    Ident {
        id: Identifier,
        width: u32,
        offset: usize,
    },
}

/// A parsed URL template (ISO/IEC 23009-1 §5.3.9.4.4). `Display` writes back the original
/// text.
///
/// ```
/// use dashkit::mpd::template::{Template, TemplateValues};
/// // The media template of fixtures/dash/ffmpeg_number: parsed once, expanded per segment.
/// let t = Template::parse("chunk-$RepresentationID$-$Number%05d$.m4s").unwrap();
/// let mut values = TemplateValues { representation_id: Some("0"), ..Default::default() };
/// let urls: Vec<String> = (1..=2)
///     .map(|n| { values.number = Some(n); t.expand(&values).unwrap() })
///     .collect();
/// assert_eq!(urls, ["chunk-0-00001.m4s", "chunk-0-00002.m4s"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    tokens: Vec<Token>,
}

/// The values an expansion substitutes. An identifier whose value is `None` makes
/// [`Template::expand_into`] fail with [`TemplateErrorKind::MissingValue`].
///
/// ```
/// use dashkit::mpd::template::{Identifier, Template, TemplateValues};
/// use dashkit::mpd::{Error, TemplateErrorKind};
/// let t = Template::parse("$Bandwidth$/$Time$.m4s").unwrap();
/// let values = TemplateValues { bandwidth: Some(48_125), time: Some(96_000), ..Default::default() };
/// assert_eq!(t.expand(&values).unwrap(), "48125/96000.m4s");
/// // Without `time`, the expansion says which value it lacked.
/// let e = t.expand(&TemplateValues { time: None, ..values }).unwrap_err();
/// assert!(matches!(e, Error::Template {
///     kind: TemplateErrorKind::MissingValue { identifier: Identifier::Time }, .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TemplateValues<'a> {
    /// `$RepresentationID$`: the Representation's `@id`.
    pub representation_id: Option<&'a str>,
    /// `$Number$`.
    pub number: Option<u64>,
    /// `$Time$`, in timescale ticks.
    pub time: Option<u64>,
    /// `$Bandwidth$`, in bits per second.
    pub bandwidth: Option<u64>,
    /// `$SubNumber$`.
    pub sub_number: Option<u64>,
}

impl Template {
    /// Parses `text` into a template. Errors are [`Error::Template`] with the byte offset of
    /// the fault in `text` and an empty [`Location`]; [`Template::parse_at`] fills the location.
    ///
    /// ```
    /// use dashkit::mpd::template::{Identifier, Template};
    /// let t = Template::parse("$RepresentationID$/seg-$Number%05d$.m4s")?;
    /// assert!(t.uses(Identifier::Number));
    /// assert!(!t.uses(Identifier::Time));
    /// assert_eq!(t.to_string(), "$RepresentationID$/seg-$Number%05d$.m4s");
    ///
    /// let err = Template::parse("seg-$Nummer$.m4s").unwrap_err();
    /// assert!(matches!(err, dashkit::mpd::Error::Template { offset: 4, .. }));
    /// # Ok::<(), dashkit::mpd::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Template, Error> {
        Template::parse_at(text, &Location::default())
    }

    /// Like [`Template::parse`], with `at` (the attribute's location, e.g.
    /// `MPD/Period[0]/AdaptationSet[0]/SegmentTemplate/@media`) put into any error.
    ///
    /// ```
    /// use dashkit::mpd::{template::Template, Error, ErrorLocation};
    /// let at = ErrorLocation { line: 7, column: 5, path: "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate/@media".into() };
    /// let Err(Error::Template { at: where_, offset, .. }) = Template::parse_at("seg-$Nummer$.m4s", &at)
    /// else { panic!() };
    /// assert_eq!((where_, offset), (at, 4));
    /// ```
    pub fn parse_at(text: &str, at: &Location) -> Result<Template, Error> {
        let err = |offset: usize, kind: TemplateErrorKind| Error::Template {
            at: at.clone(),
            offset,
            kind,
        };
        let bytes = text.as_bytes();
        let mut tokens = Vec::new();
        let mut lit_start = 0;
        let mut i = 0;
        while let Some(rel) = find_dollar(bytes, i) {
            let open = i + rel;
            if open > lit_start {
                tokens.push(Token::Literal {
                    start: lit_start,
                    end: open,
                });
            }
            let close = match find_dollar(bytes, open + 1) {
                Some(rel) => open + 1 + rel,
                None => return Err(err(open, TemplateErrorKind::Unterminated)),
            };
            // '$' is ASCII, so both offsets are char boundaries.
            let inner = text.get(open + 1..close).unwrap_or("");
            if inner.is_empty() {
                tokens.push(Token::Dollar);
            } else {
                let (name, format) = match inner.find('%') {
                    Some(p) => (inner.get(..p).unwrap_or(""), inner.get(p..)),
                    None => (inner, None),
                };
                let id = Identifier::from_name(name).ok_or_else(|| {
                    err(
                        open,
                        TemplateErrorKind::UnknownIdentifier {
                            name: name.to_owned(),
                        },
                    )
                })?;
                let format_offset = open + 1 + name.len();
                let width = match format {
                    None => 0,
                    Some(_) if id == Identifier::RepresentationId => {
                        return Err(err(
                            format_offset,
                            TemplateErrorKind::FormatOnRepresentationId,
                        ))
                    }
                    Some(f) => parse_width(f).ok_or_else(|| {
                        err(
                            format_offset,
                            TemplateErrorKind::MalformedFormat {
                                format: f.to_owned(),
                            },
                        )
                    })?,
                };
                tokens.push(Token::Ident {
                    id,
                    width,
                    offset: open,
                });
            }
            i = close + 1;
            lit_start = i;
        }
        if bytes.len() > lit_start {
            tokens.push(Token::Literal {
                start: lit_start,
                end: bytes.len(),
            });
        }
        Ok(Template {
            source: text.to_owned(),
            tokens,
        })
    }

    /// The original template text.
    ///
    /// ```
    /// let t = dashkit::mpd::template::Template::parse("$RepresentationID$/$Time$.m4s").unwrap();
    /// assert_eq!(t.as_str(), "$RepresentationID$/$Time$.m4s");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the template contains `id` (with or without a format tag).
    ///
    /// ```
    /// use dashkit::mpd::template::{Identifier, Template};
    /// let t = Template::parse("$RepresentationID$/$Time%08d$.m4s").unwrap();
    /// assert!(t.uses(Identifier::Time) && !t.uses(Identifier::Number));
    /// ```
    pub fn uses(&self, id: Identifier) -> bool {
        self.tokens
            .iter()
            .any(|t| matches!(t, Token::Ident { id: i, .. } if *i == id))
    }

    /// The format-tag width of the first occurrence of `id`: `Some(0)` when it has no format
    /// tag, `None` when the template does not use `id`.
    ///
    /// ```
    /// use dashkit::mpd::template::{Identifier, Template};
    /// let t = Template::parse("$Time$_$Number%08d$")?;
    /// assert_eq!(t.width(Identifier::Number), Some(8));
    /// assert_eq!(t.width(Identifier::Time), Some(0));
    /// assert_eq!(t.width(Identifier::Bandwidth), None);
    /// # Ok::<(), dashkit::mpd::Error>(())
    /// ```
    pub fn width(&self, id: Identifier) -> Option<u32> {
        self.tokens.iter().find_map(|t| match t {
            Token::Ident { id: i, width, .. } if *i == id => Some(*width),
            _ => None,
        })
    }

    /// Checks that every identifier the template uses has a value in `values`, without
    /// expanding. The error is the one [`Template::expand_into`] would return.
    ///
    /// ```
    /// use dashkit::mpd::template::{Template, TemplateValues};
    /// let t = Template::parse("$RepresentationID$/$Number$.m4s").unwrap();
    /// let with_id = TemplateValues { representation_id: Some("v1"), ..Default::default() };
    /// assert!(t.check_values(&with_id).is_err()); // no number
    /// assert!(t.check_values(&TemplateValues { number: Some(1), ..with_id }).is_ok());
    /// ```
    pub fn check_values(&self, values: &TemplateValues<'_>) -> Result<(), Error> {
        for t in &self.tokens {
            if let Token::Ident { id, offset, .. } = t {
                let present = match id {
                    Identifier::RepresentationId => values.representation_id.is_some(),
                    Identifier::Number => values.number.is_some(),
                    Identifier::Time => values.time.is_some(),
                    Identifier::Bandwidth => values.bandwidth.is_some(),
                    Identifier::SubNumber => values.sub_number.is_some(),
                };
                if !present {
                    return Err(self.missing(*id, *offset));
                }
            }
        }
        Ok(())
    }

    fn missing(&self, identifier: Identifier, offset: usize) -> Error {
        Error::Template {
            at: Location::default(),
            offset,
            kind: TemplateErrorKind::MissingValue { identifier },
        }
    }

    /// Appends the expansion to `out` (it does not clear `out` first, so one buffer can be
    /// reused across segments). On error, `out` may hold a partial expansion.
    ///
    /// ```
    /// use dashkit::mpd::template::{Template, TemplateValues};
    /// let t = Template::parse("$RepresentationID$/$Number%05d$.m4s?a=$$1")?;
    /// let mut buf = String::new();
    /// let values = TemplateValues { representation_id: Some("v1"), number: Some(42), ..Default::default() };
    /// t.expand_into(&values, &mut buf)?;
    /// assert_eq!(buf, "v1/00042.m4s?a=$1");
    ///
    /// // `$Time$` with no time is an error naming the identifier and its offset.
    /// let t = Template::parse("t$Time$.m4s")?;
    /// assert!(t.expand(&values).is_err());
    /// # Ok::<(), dashkit::mpd::Error>(())
    /// ```
    pub fn expand_into(&self, values: &TemplateValues<'_>, out: &mut String) -> Result<(), Error> {
        for t in &self.tokens {
            match *t {
                Token::Literal { start, end } => {
                    out.push_str(self.source.get(start..end).unwrap_or(""));
                }
                Token::Dollar => out.push('$'),
                Token::Ident { id, width, offset } => {
                    let value = match id {
                        Identifier::RepresentationId => {
                            match values.representation_id {
                                Some(s) => out.push_str(s),
                                None => return Err(self.missing(id, offset)),
                            }
                            continue;
                        }
                        Identifier::Number => values.number,
                        Identifier::Time => values.time,
                        Identifier::Bandwidth => values.bandwidth,
                        Identifier::SubNumber => values.sub_number,
                    };
                    match value {
                        Some(v) => push_padded(out, v, width),
                        None => return Err(self.missing(id, offset)),
                    }
                }
            }
        }
        Ok(())
    }

    /// Matches `url` against the template, the reverse of [`Template::expand`]: the
    /// identifiers set in `known` (typically `$RepresentationID$` and `$Bandwidth$`) must
    /// appear as they would expand, and the numeric identifiers not set there are read from
    /// `url` (decimal digits, at least the format's width, at most 20). Returns the values
    /// with the read ones filled in, or `None` when `url` is not an expansion of the template.
    ///
    /// ```
    /// use dashkit::mpd::template::{Template, TemplateValues};
    /// let t = Template::parse("$RepresentationID$/seg-$Number%05d$.m4s")?;
    /// let known = TemplateValues { representation_id: Some("v1"), ..Default::default() };
    /// let m = t.match_url("v1/seg-00042.m4s", &known).unwrap();
    /// assert_eq!(m.number, Some(42));
    /// assert!(t.match_url("v2/seg-00042.m4s", &known).is_none());
    /// assert!(t.match_url("v1/seg-42.m4s", &known).is_none()); // narrower than %05d
    /// # Ok::<(), dashkit::mpd::Error>(())
    /// ```
    pub fn match_url<'v>(
        &self,
        url: &str,
        known: &TemplateValues<'v>,
    ) -> Option<TemplateValues<'v>> {
        let mut found = *known;
        if self.match_from(0, url.as_bytes(), known, &mut found) {
            Some(found)
        } else {
            None
        }
    }

    /// Backtracking matcher over `self.tokens[ti..]` and `rest`; bounded by the token count
    /// times 20 digits per numeric identifier.
    fn match_from(
        &self,
        ti: usize,
        rest: &[u8],
        known: &TemplateValues<'_>,
        found: &mut TemplateValues<'_>,
    ) -> bool {
        let Some(token) = self.tokens.get(ti) else {
            return rest.is_empty();
        };
        let lit = |text: &[u8], found: &mut TemplateValues<'_>| -> bool {
            rest.starts_with(text)
                && self.match_from(ti + 1, rest.get(text.len()..).unwrap_or(&[]), known, found)
        };
        match *token {
            Token::Literal { start, end } => {
                lit(self.source.as_bytes().get(start..end).unwrap_or(&[]), found)
            }
            Token::Dollar => lit(b"$", found),
            Token::Ident { id, width, .. } => {
                let given = match id {
                    Identifier::RepresentationId => match known.representation_id {
                        Some(s) => return lit(s.as_bytes(), found),
                        None => return false,
                    },
                    // A value given by the caller, or read at an earlier occurrence of the
                    // same identifier: every occurrence must then spell that same value.
                    Identifier::Number => found.number,
                    Identifier::Time => found.time,
                    Identifier::Bandwidth => found.bandwidth,
                    Identifier::SubNumber => found.sub_number,
                };
                if let Some(v) = given {
                    let mut text = String::new();
                    push_padded(&mut text, v, width);
                    return lit(text.as_bytes(), found);
                }
                let max = (width as usize).max(20);
                let digits = rest
                    .iter()
                    .take(max)
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let min = (width as usize).max(1);
                // Longest first; an unpadded number has no leading zero beyond the width.
                for n in (min..=digits).rev() {
                    let Some(text) = rest.get(..n) else { continue };
                    if n > min && text.first() == Some(&b'0') {
                        continue;
                    }
                    let Some(v) = std::str::from_utf8(text).ok().and_then(|t| t.parse().ok())
                    else {
                        continue;
                    };
                    let slot = match id {
                        Identifier::Number => &mut found.number,
                        Identifier::Time => &mut found.time,
                        Identifier::Bandwidth => &mut found.bandwidth,
                        _ => &mut found.sub_number,
                    };
                    let before = *slot;
                    *slot = Some(v);
                    if self.match_from(ti + 1, rest.get(n..).unwrap_or(&[]), known, found) {
                        return true;
                    }
                    let slot = match id {
                        Identifier::Number => &mut found.number,
                        Identifier::Time => &mut found.time,
                        Identifier::Bandwidth => &mut found.bandwidth,
                        _ => &mut found.sub_number,
                    };
                    *slot = before;
                }
                false
            }
        }
    }

    /// The expansion as a new `String`; see [`Template::expand_into`].
    ///
    /// ```
    /// use dashkit::mpd::template::{Template, TemplateValues};
    /// let t = Template::parse("$RepresentationID$/$Number%03d$.m4s").unwrap();
    /// let v = TemplateValues { representation_id: Some("v1"), number: Some(7), ..Default::default() };
    /// assert_eq!(t.expand(&v).unwrap(), "v1/007.m4s");
    /// // A width is a minimum: longer numbers are never cut.
    /// assert_eq!(t.expand(&TemplateValues { number: Some(12345), ..v }).unwrap(), "v1/12345.m4s");
    /// ```
    pub fn expand(&self, values: &TemplateValues<'_>) -> Result<String, Error> {
        let mut out = String::with_capacity(self.source.len() + 16);
        self.expand_into(values, &mut out)?;
        Ok(out)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for Template {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::parse(s)
    }
}

fn find_dollar(bytes: &[u8], from: usize) -> Option<usize> {
    bytes.get(from..)?.iter().position(|&b| b == b'$')
}

/// `%0[width]d` -> width. At least one digit; at most [`MAX_TEMPLATE_WIDTH`].
fn parse_width(format: &str) -> Option<u32> {
    let digits = format.strip_prefix("%0")?.strip_suffix('d')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let width: u32 = digits.parse().ok()?;
    (width <= MAX_TEMPLATE_WIDTH).then_some(width)
}

/// Appends `v` in decimal, left-padded with zeros to `width` digits.
fn push_padded(out: &mut String, v: u64, width: u32) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut v = v;
    loop {
        pos -= 1;
        // pos stays in 0..20: a u64 has at most 20 decimal digits.
        if let Some(slot) = buf.get_mut(pos) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || pos == 0 {
            break;
        }
    }
    let digits = buf.len() - pos;
    for _ in digits..width as usize {
        out.push('0');
    }
    for &b in buf.get(pos..).unwrap_or(&[]) {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values() -> TemplateValues<'static> {
        TemplateValues {
            representation_id: Some("video-1"),
            number: Some(7),
            time: Some(180_000),
            bandwidth: Some(2_500_000),
            sub_number: Some(3),
        }
    }

    fn kind_of(e: Error) -> (usize, TemplateErrorKind) {
        match e {
            Error::Template { offset, kind, .. } => (offset, kind),
            other => panic!("not a template error: {other:?}"),
        }
    }

    #[test]
    fn every_identifier_expands() {
        let t = Template::parse(
            "$RepresentationID$_$Number$_$Time$_$Bandwidth$_$SubNumber$_$Number%03d$_$$",
        )
        .unwrap();
        assert_eq!(
            t.expand(&values()).unwrap(),
            "video-1_7_180000_2500000_3_007_$"
        );
    }

    #[test]
    fn width_pads_but_never_truncates() {
        let t = Template::parse("$Number%05d$|$Time%02d$|$Bandwidth%00d$").unwrap();
        assert_eq!(t.expand(&values()).unwrap(), "00007|180000|2500000");
    }

    #[test]
    fn u64_max_and_zero() {
        let t = Template::parse("$Number%022d$/$Time$").unwrap();
        let v = TemplateValues {
            number: Some(u64::MAX),
            time: Some(0),
            ..Default::default()
        };
        assert_eq!(t.expand(&v).unwrap(), "0018446744073709551615/0");
    }

    #[test]
    fn unknown_identifier_is_case_sensitive() {
        // dashlivesim writes `$bandwidth$`; the standard's name is `$Bandwidth$`.
        let (offset, kind) = kind_of(Template::parse("a/$bandwidth$.m4s").unwrap_err());
        assert_eq!(offset, 2);
        assert_eq!(
            kind,
            TemplateErrorKind::UnknownIdentifier {
                name: "bandwidth".into()
            }
        );
    }

    #[test]
    fn unterminated_points_at_the_open_dollar() {
        let (offset, kind) = kind_of(Template::parse("$Number$/x$Time").unwrap_err());
        assert_eq!((offset, kind), (10, TemplateErrorKind::Unterminated));
    }

    #[test]
    fn malformed_formats() {
        for (text, offset) in [
            ("$Number%5d$", 7),
            ("$Number%0d$", 7),
            ("$Number%05x$", 7),
            ("$Number%05$", 7),
            ("x$Time%0-5d$", 6),
            ("$Number%0999d$", 7),
            ("$Number%$", 7),
        ] {
            let (o, kind) = kind_of(Template::parse(text).unwrap_err());
            assert_eq!(o, offset, "{text}");
            assert!(
                matches!(kind, TemplateErrorKind::MalformedFormat { .. }),
                "{text}: {kind:?}"
            );
        }
    }

    #[test]
    fn format_on_representation_id_is_refused() {
        let (o, kind) = kind_of(Template::parse("$RepresentationID%05d$").unwrap_err());
        assert_eq!((o, kind), (17, TemplateErrorKind::FormatOnRepresentationId));
    }

    #[test]
    fn missing_value_names_identifier_and_offset() {
        let t = Template::parse("seg-$Time$.m4s").unwrap();
        let v = TemplateValues {
            number: Some(1),
            ..Default::default()
        };
        let (o, kind) = kind_of(t.expand(&v).unwrap_err());
        assert_eq!(o, 4);
        assert_eq!(
            kind,
            TemplateErrorKind::MissingValue {
                identifier: Identifier::Time
            }
        );
        assert_eq!(t.check_values(&v), t.expand(&v).map(|_| ()));
    }

    #[test]
    fn parse_at_puts_the_location_in_the_error() {
        let at = Location {
            line: 3,
            column: 5,
            path: "MPD/Period[0]/SegmentTemplate/@media".into(),
        };
        match Template::parse_at("$Foo$", &at).unwrap_err() {
            Error::Template { at: a, .. } => assert_eq!(a, at),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn expand_into_appends() {
        let t = Template::parse("$Number$").unwrap();
        let mut buf = String::from("x");
        t.expand_into(&values(), &mut buf).unwrap();
        assert_eq!(buf, "x7");
    }

    #[test]
    fn multibyte_literals_survive() {
        let t = Template::parse("é/$Number$/ü$$").unwrap();
        assert_eq!(t.expand(&values()).unwrap(), "é/7/ü$");
    }

    proptest! {
        #[test]
        fn without_identifiers_expansion_is_identity(s in "[^$]{0,40}(\\$\\$[^$]{0,10}){0,4}") {
            let t = Template::parse(&s).unwrap();
            prop_assert_eq!(t.expand(&TemplateValues::default()).unwrap(), s.replace("$$", "$"));
            prop_assert_eq!(t.to_string(), s);
        }

        #[test]
        fn padded_number_has_width_and_value(v in any::<u64>(), w in 0u32..=MAX_TEMPLATE_WIDTH) {
            let t = Template::parse(&format!("$Number%0{w}d$")).unwrap();
            prop_assert_eq!(t.width(Identifier::Number), Some(w));
            let out = t.expand(&TemplateValues { number: Some(v), ..Default::default() }).unwrap();
            prop_assert!(out.len() >= w as usize);
            prop_assert_eq!(out.len(), (w as usize).max(v.to_string().len()));
            prop_assert_eq!(out.parse::<u64>().unwrap(), v);
            prop_assert_eq!(out, format!("{v:0width$}", width = w as usize));
        }

        #[test]
        fn parse_never_panics_and_display_round_trips(s in "\\PC{0,60}") {
            if let Ok(t) = Template::parse(&s) {
                prop_assert_eq!(t.to_string(), s.clone());
                prop_assert_eq!(Template::parse(&t.to_string()).unwrap(), t);
            }
        }

        #[test]
        fn match_url_inverts_expand(
            n in any::<u64>(), t in any::<u64>(), w in 0u32..=MAX_TEMPLATE_WIDTH,
            sep in "[a-z./_-]{0,3}", id in "[a-zA-Z0-9_]{1,8}",
        ) {
            let tpl = Template::parse(&format!("$RepresentationID${sep}$Number%0{w}d${sep}$Time$.m4s")).unwrap();
            let known = TemplateValues { representation_id: Some(&id), ..Default::default() };
            let url = tpl.expand(&TemplateValues { number: Some(n), time: Some(t), ..known }).unwrap();
            let m = tpl.match_url(&url, &known).unwrap();
            // Without a separator two adjacent numbers are ambiguous: the match must still
            // expand back to the same URL.
            prop_assert_eq!(tpl.expand(&m).unwrap(), url.clone());
            if !sep.is_empty() && !sep.chars().all(|c| c.is_ascii_digit()) {
                prop_assert_eq!((m.number, m.time), (Some(n), Some(t)));
            }
            let longer = format!("{}x", url);
            prop_assert!(tpl.match_url(&longer, &known).is_none());
        }

        #[test]
        fn repeated_identifiers_match_one_value(
            n in any::<u64>(), w in 0u32..=MAX_TEMPLATE_WIDTH, sep in "[a-z/.]{0,2}",
        ) {
            // The fuzz target found `$Number$` read as two different values when it occurs
            // twice; the match must bind one value that every occurrence spells.
            let tpl = Template::parse(&format!("$Number%0{w}d${sep}$Number$/$Number$.m4s")).unwrap();
            let url = tpl.expand(&TemplateValues { number: Some(n), ..Default::default() }).unwrap();
            let m = tpl.match_url(&url, &TemplateValues::default()).unwrap();
            prop_assert_eq!(m.number, Some(n));
            prop_assert_eq!(tpl.expand(&m).unwrap(), url);
            let other = format!("{n}{sep}{}/{n}.m4s", n.wrapping_add(1));
            if w == 0 {
                prop_assert!(tpl.match_url(&other, &TemplateValues::default()).is_none());
            }
        }

        #[test]
        fn dollar_heavy_strings_never_panic(s in "[$%0-9dNumberTime]{0,40}") {
            if let Ok(t) = Template::parse(&s) {
                let _ = t.expand(&values());
            }
        }
    }
}
