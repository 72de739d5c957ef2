//! Errors of the MPD layer. Each says where: line, column and element path.

use std::fmt;

/// Where in an MPD document something is: 1-based line and column, and the element path
/// (`MPD/Period[0]/AdaptationSet[1]/@duration`; indexes count siblings of the same name,
/// from 0). A location made outside a document (e.g. for a template string given directly)
/// has line 0.
///
/// ```
/// use dashkit::mpd::Error;
/// let e = dashkit::mpd::parse("<MPD type=\"static\">\n  <Period duration=\"soon\"/>\n</MPD>").unwrap_err();
/// let Error::InvalidAttribute { at, .. } = e else { panic!("{e}") };
/// assert_eq!((at.line, at.path.as_str()), (2, "MPD/Period[0]/@duration"));
/// assert_eq!(at.to_string(), format!("2:{} MPD/Period[0]/@duration", at.column));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorLocation {
    /// 1-based line, or 0 when unknown.
    pub line: u32,
    /// 1-based column (in characters), or 0 when unknown.
    pub column: u32,
    /// Element path, with a trailing `/@attr` when an attribute is meant.
    pub path: String,
}

impl fmt::Display for ErrorLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.path.is_empty()) {
            (0, true) => f.write_str("<no location>"),
            (0, false) => f.write_str(&self.path),
            (_, true) => write!(f, "{}:{}", self.line, self.column),
            (_, false) => write!(f, "{}:{} {}", self.line, self.column, self.path),
        }
    }
}

/// Errors of the MPD layer. Every variant says where ([`ErrorLocation`]).
///
/// ```
/// use dashkit::mpd::Error;
/// let e = dashkit::mpd::parse(r#"<MPD type="static"><Period duration="soon"/></MPD>"#).unwrap_err();
/// assert!(matches!(&e, Error::InvalidAttribute { value, expected: "xs:duration", .. } if value == "soon"));
/// assert!(matches!(dashkit::mpd::parse("<MPD><Period></MPD>"), Err(Error::Xml { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not well-formed XML (as reported by the XML reader).
    #[error("{at}: XML syntax: {message}")]
    Xml {
        /// Where.
        at: ErrorLocation,
        /// The XML reader's description.
        message: String,
    },

    /// An attribute's value does not have the type the schema gives it.
    #[error("{at}: invalid value {value:?}, expected {expected}")]
    InvalidAttribute {
        /// Where (the path ends in `/@name`).
        at: ErrorLocation,
        /// The value as written (after XML unescaping).
        value: String,
        /// The expected type, e.g. `xs:unsignedLong`, `xs:duration`.
        expected: &'static str,
    },
    /// A required attribute is absent.
    #[error("{at}: missing required attribute")]
    MissingAttribute {
        /// Where (the path ends in `/@name`).
        at: ErrorLocation,
    },
    /// An element the schema allows at most once appears again.
    #[error("{at}: element may appear only once here")]
    DuplicateElement {
        /// Where (the second occurrence).
        at: ErrorLocation,
    },
    /// The root element is not a DASH `MPD`.
    #[error("{at}: root element is {found:?}, expected MPD")]
    NotMpd {
        /// Where.
        at: ErrorLocation,
        /// The root element's qualified name.
        found: String,
    },
    /// A hostile-input cap from [`crate::limits`] was exceeded.
    #[error("{at}: {what} exceeds the limit of {limit}")]
    Limit {
        /// Where.
        at: ErrorLocation,
        /// What was counted (`document bytes`, `nesting depth`, `elements`).
        what: &'static str,
        /// The cap.
        limit: u64,
    },
    /// A time value could not be turned into an exact length (e.g. a duration in months, or
    /// an overflow), so Period timing could not be computed.
    #[error("{at}: {source}")]
    Time {
        /// Where (element path only; line 0).
        at: ErrorLocation,
        /// What went wrong.
        source: super::xs::XsError,
    },

    /// A SegmentBase index (sidx) could not be read.
    #[error("{at}: index: {source}")]
    Index {
        /// The SegmentBase element.
        at: ErrorLocation,
        /// The box-level error, with its byte offset in the file.
        source: Box<crate::bmff::Error>,
    },

    // --- addressing errors (template.rs, url.rs, segments.rs) ---
    /// A URL template (ISO/IEC 23009-1 §5.3.9.4.4) could not be parsed or expanded.
    #[error("{at}: template, byte {offset}: {kind}")]
    Template {
        /// The attribute holding the template (empty when parsed outside a document).
        at: ErrorLocation,
        /// Byte offset of the fault in the template text.
        offset: usize,
        /// What is wrong.
        kind: TemplateErrorKind,
    },
    /// A segment duration (`@duration`, `S@d`) or a sidx `referenced_size` is zero.
    #[error("{at}: must not be zero")]
    Zero {
        /// The attribute.
        at: ErrorLocation,
    },
    /// `S@r` below -1.
    #[error("{at}: repeat count {r} is below -1")]
    InvalidRepeat {
        /// The `S@r` attribute.
        at: ErrorLocation,
        /// Its value.
        r: i64,
    },
    /// `S@r="-1"` with nothing to stop it: the next `S` has no `@t`, or it is the last `S` and
    /// the Period's end is unknown.
    #[error("{at}: r=\"-1\" has no end (no following S@t and no Period end)")]
    OpenRepeat {
        /// The `S@r` attribute.
        at: ErrorLocation,
    },
    /// `S@r="-1"` whose end (next `S@t` or Period end, in ticks) is not after its start.
    #[error("{at}: r=\"-1\" from t={start} to {end} covers no segment")]
    EmptyRepeat {
        /// The `S@r` attribute.
        at: ErrorLocation,
        /// Start time of the `S`, ticks.
        start: u64,
        /// The end it runs to, ticks (rounded up).
        end: u64,
    },
    /// Segment count unbounded: `@duration` addressing with neither a Period duration nor an
    /// `@endNumber`.
    #[error("{at}: segment count unknown: no Period duration and no @endNumber")]
    UnknownPeriodEnd {
        /// The element whose segments were asked for.
        at: ErrorLocation,
    },
    /// The enumeration would exceed `limit`: [`crate::limits::MAX_SEGMENTS`] to count, or
    /// [`crate::limits::MAX_LISTED_SEGMENTS`] to list one by one.
    #[error("{at}: more than {limit} segments")]
    TooManySegments {
        /// Where the count overflowed.
        at: ErrorLocation,
        /// The cap.
        limit: u64,
    },
    /// An integer computation left its range.
    #[error("{at}: arithmetic overflow computing {what}")]
    Overflow {
        /// Where.
        at: ErrorLocation,
        /// What was being computed.
        what: &'static str,
    },
    /// A SegmentList's SegmentURL count differs from the count its timing describes.
    #[error("{at}: {urls} SegmentURL elements but the timing describes {timed} segments")]
    SegmentCountMismatch {
        /// The SegmentList.
        at: ErrorLocation,
        /// Number of SegmentURL elements.
        urls: u64,
        /// Number of segments from `@duration`/SegmentTimeline.
        timed: u64,
    },
    /// A SegmentList with more than one SegmentURL but no `@duration` and no SegmentTimeline.
    #[error("{at}: {urls} segments but no @duration or SegmentTimeline")]
    MissingTiming {
        /// The SegmentList.
        at: ErrorLocation,
        /// Number of SegmentURL elements.
        urls: u64,
    },
    /// SegmentBase with `@indexRange` but no sidx given to decode it.
    #[error("{at}: SegmentBase needs the sidx at its indexRange")]
    SidxRequired {
        /// The SegmentBase.
        at: ErrorLocation,
    },
    /// A sidx reference points at another sidx (reference_type 1); hierarchical indexes are
    /// not followed yet.
    #[error("{at}: sidx reference {reference_index} is hierarchical (reference_type=1)")]
    HierarchicalSidx {
        /// The SegmentBase.
        at: ErrorLocation,
        /// 0-based index of the reference in the sidx.
        reference_index: usize,
    },
    /// A value in one timescale has no exact equivalent in another.
    #[error("{at}: {value} ticks at {from}/s is not a whole number of ticks at {to}/s")]
    InexactTimescale {
        /// Where.
        at: ErrorLocation,
        /// The value, in `from` ticks.
        value: u64,
        /// Its timescale.
        from: u32,
        /// The timescale it had to be expressed in.
        to: u32,
    },
    /// A byte range (`@mediaRange`, `@range`, `@indexRange`) that is not `first-last` with
    /// `first <= last`.
    #[error("{at}: invalid byte range {text:?}")]
    InvalidByteRange {
        /// The attribute.
        at: ErrorLocation,
        /// The text as found.
        text: String,
    },
}

/// What is wrong with a URL template (ISO/IEC 23009-1 §5.3.9.4.4).
///
/// ```
/// use dashkit::mpd::{template::Template, Error, TemplateErrorKind};
/// let kind = |text| match Template::parse(text) {
///     Err(Error::Template { kind, .. }) => kind,
///     other => panic!("{other:?}"),
/// };
/// assert_eq!(kind("$Number"), TemplateErrorKind::Unterminated);
/// assert_eq!(kind("$RepresentationID%05d$"), TemplateErrorKind::FormatOnRepresentationId);
/// assert_eq!(kind("$number$"), TemplateErrorKind::UnknownIdentifier { name: "number".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateErrorKind {
    /// `$Name$` where Name is not one of the standard's identifiers (names are
    /// case-sensitive).
    #[error("unknown identifier ${name}$")]
    UnknownIdentifier {
        /// The name between the `$` signs (without any format tag).
        name: String,
    },
    /// A `$` with no closing `$`.
    #[error("unterminated $")]
    Unterminated,
    /// A format tag that is not `%0[width]d` with a width up to
    /// [`crate::limits::MAX_TEMPLATE_WIDTH`].
    #[error("malformed format tag {format:?} (expected %0<width>d)")]
    MalformedFormat {
        /// The format tag as found.
        format: String,
    },
    /// `$RepresentationID%..$`: the standard forbids a format tag there.
    #[error("$RepresentationID$ takes no format tag")]
    FormatOnRepresentationId,
    /// The template uses an identifier the expansion had no value for.
    #[error("no value for {identifier}")]
    MissingValue {
        /// The identifier.
        identifier: crate::mpd::template::Identifier,
    },
}

impl ErrorLocation {
    /// This location with `/child` appended to its path (`child` may be `@attr` or
    /// `S[3]/@r`); line and column stay those of the located element.
    ///
    /// ```
    /// use dashkit::mpd::ErrorLocation;
    /// let at = ErrorLocation { line: 4, column: 3, path: "MPD/Period[0]/SegmentTemplate".into() };
    /// assert_eq!(at.child("SegmentTimeline/S[2]/@r").path, "MPD/Period[0]/SegmentTemplate/SegmentTimeline/S[2]/@r");
    /// ```
    pub fn child(&self, child: &str) -> ErrorLocation {
        let path = if self.path.is_empty() {
            child.to_owned()
        } else {
            format!("{}/{}", self.path, child)
        };
        ErrorLocation {
            line: self.line,
            column: self.column,
            path,
        }
    }
}

impl Error {
    /// Where the error is.
    ///
    /// ```
    /// let e = dashkit::mpd::parse(r#"<MPD type="static"><Period start="later"/></MPD>"#).unwrap_err();
    /// assert_eq!(e.location().path, "MPD/Period[0]/@start");
    /// ```
    pub fn location(&self) -> &ErrorLocation {
        match self {
            Error::Xml { at, .. }
            | Error::InvalidAttribute { at, .. }
            | Error::MissingAttribute { at }
            | Error::DuplicateElement { at }
            | Error::NotMpd { at, .. }
            | Error::Limit { at, .. }
            | Error::Time { at, .. }
            | Error::Template { at, .. }
            | Error::Zero { at }
            | Error::InvalidRepeat { at, .. }
            | Error::OpenRepeat { at }
            | Error::EmptyRepeat { at, .. }
            | Error::UnknownPeriodEnd { at }
            | Error::TooManySegments { at, .. }
            | Error::Overflow { at, .. }
            | Error::SegmentCountMismatch { at, .. }
            | Error::MissingTiming { at, .. }
            | Error::SidxRequired { at }
            | Error::HierarchicalSidx { at, .. }
            | Error::InexactTimescale { at, .. }
            | Error::InvalidByteRange { at, .. }
            | Error::Index { at, .. } => at,
        }
    }
}
