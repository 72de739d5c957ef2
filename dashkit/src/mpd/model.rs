//! The typed MPD model (ISO/IEC 23009-1, 5th edition, as used in practice).
//!
//! Types keep the spec's element names; fields are the snake_case of the attribute, each
//! doc comment naming `@attr` and the clause. Known attributes are typed (`Option<T>`:
//! absent stays absent, no XSD defaults are filled in). Everything else in the source is
//! kept in each element's [`Extra`]: unknown attributes (including `xmlns*` declarations and
//! foreign-namespace attributes, with their prefixes), unknown child elements as generic
//! [`Element`] trees, comments, processing instructions and text, all in their original
//! position among the known children; and the original text of any known attribute whose
//! lexical form is not the canonical one (`segmentAlignment="0"`), so it is written back
//! unchanged while its value is untouched.
//!
//! Children added in code (pushed to a `Vec` or set in an `Option`) are written after the
//! ones that were read, in schema order.

use super::parse::Parser;
use super::write::Writer;
use super::xs::{parse_u64, XsDateTime, XsDuration};
use quick_xml::events::BytesStart;

/// The MPD namespace, `urn:mpeg:dash:schema:mpd:2011` (§5.3.1.1). Elements bound to it with
/// any prefix, or to no namespace, are read as DASH elements.
///
/// ```
/// use dashkit::mpd::DASH_NS;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// // The default namespace declaration is kept among the MPD's untyped attributes.
/// assert!(mpd.extra.attrs.iter().any(|a| a.name == "xmlns" && a.value == DASH_NS));
/// ```
pub const DASH_NS: &str = "urn:mpeg:dash:schema:mpd:2011";

/// One attribute kept as written: qualified name (with prefix) and unescaped value.
///
/// ```
/// use dashkit::mpd::Attr;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// let build = mpd.extra.attrs.iter().find(|a| a.name == "acme:build").unwrap();
/// assert_eq!(build, &Attr { name: "acme:build".into(), value: "7.3.1-ee".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Attr {
    /// Qualified name, e.g. `xmlns:cenc`, `cenc:default_KID`, `vendorFlag`.
    pub name: String,
    /// Value after XML unescaping.
    pub value: String,
}

/// A node the model does not interpret, kept in place.
///
/// ```
/// use dashkit::mpd::Node;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// let nodes = &mpd.extra.nodes;
/// assert!(nodes.iter().any(|n| matches!(n, Node::Element(e) if e.name == "acme:Session")));
/// assert!(nodes.contains(&Node::Comment(" Comment after the last Period. ".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    /// An element the model does not know (vendor extensions, `cenc:pssh`, ...).
    Element(Element),
    /// Text that is not whitespace only (unescaped).
    Text(String),
    /// A `<![CDATA[...]]>` section (content as is).
    CData(String),
    /// A comment (content between `<!--` and `-->`).
    Comment(String),
    /// A processing instruction (content between `<?` and `?>`).
    Pi(String),
    /// The XML declaration (content between `<?xml` and `?>`), in a document prolog only.
    Decl(String),
    /// A `<!DOCTYPE ...>` (content), in a document prolog only.
    DocType(String),
}

/// A generic element: qualified name, attributes in source order, children in order.
///
/// ```
/// use dashkit::mpd::{Element, Node};
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// let session: &Element = mpd.extra.nodes.iter().find_map(|n| match n {
///     Node::Element(e) if e.name == "acme:Session" => Some(e),
///     _ => None,
/// }).unwrap();
/// assert_eq!((session.attrs[0].name.as_str(), session.attrs[0].value.as_str()), ("id", "a1b2c3"));
/// assert_eq!(session.children.len(), 3); // two acme:Tracking, one acme:Notes
/// let Node::Element(notes) = &session.children[2] else { panic!() };
/// assert_eq!(notes.children, [Node::CData(r#"Raw <text> & "quotes" kept as CDATA"#.into())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Element {
    /// Qualified name with its source prefix (`cenc:pssh`).
    pub name: String,
    /// Attributes in source order, namespace declarations included.
    pub attrs: Vec<Attr>,
    /// Children in source order (whitespace-only text is not kept).
    pub children: Vec<Node>,
}

/// What a typed element keeps besides its typed fields, so nothing from the source is lost:
/// an [`ExtraData`], allocated only when there is something to keep (most `S` entries have
/// nothing), and reached through `Deref`/`DerefMut` (`el.extra.attrs`). An empty `Extra`
/// equals one that was never allocated.
///
/// ```
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// let [video, audio] = &mpd.periods[0].adaptation_sets[..] else { panic!() };
/// // `ext:layer`, a vendor element and comments: kept, so allocated.
/// assert!(!video.extra.is_unallocated());
/// assert!(video.extra.attrs.iter().any(|a| a.name == "ext:layer"));
/// // Typed attributes and children only, in schema order: nothing to keep.
/// assert!(audio.extra.is_unallocated());
/// assert!(audio.extra.attrs.is_empty()); // reads as empty all the same
/// ```
#[derive(Debug, Clone, Default)]
pub struct Extra(Option<Box<ExtraData>>);

impl Extra {
    /// Whether nothing was ever kept (no allocation made).
    ///
    /// ```
    /// let mpd = dashkit::mpd::parse(r#"<MPD type="static"><Period acme:x="1"/><Period/></MPD>"#).unwrap();
    /// assert!(!mpd.periods[0].extra.is_unallocated()); // keeps `acme:x`
    /// assert!(mpd.periods[1].extra.is_unallocated());
    /// ```
    pub fn is_unallocated(&self) -> bool {
        self.0.is_none()
    }
}

static EMPTY_EXTRA: ExtraData = ExtraData {
    prefix: None,
    attrs: Vec::new(),
    lexical: Vec::new(),
    nodes: Vec::new(),
    order: Vec::new(),
};

impl std::ops::Deref for Extra {
    type Target = ExtraData;
    fn deref(&self) -> &ExtraData {
        self.0.as_deref().unwrap_or(&EMPTY_EXTRA)
    }
}

impl std::ops::DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut ExtraData {
        self.0.get_or_insert_with(Box::default)
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Extra {}

impl std::hash::Hash for Extra {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

/// The content of an [`Extra`].
///
/// ```
/// use dashkit::mpd::Node;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// let v1 = &mpd.periods[0].adaptation_sets[0].representations[0];
/// let extra = &*v1.extra; // an `ExtraData`
/// assert_eq!(extra.prefix, None);
/// assert_eq!(extra.attrs[0].name, "acme:tier");
/// assert!(matches!(&extra.nodes[0], Node::Element(e) if e.name == "acme:Encoder"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct ExtraData {
    /// The element's namespace prefix in the source (`None` for unprefixed).
    pub prefix: Option<String>,
    /// Attributes the model does not type, in source order: `xmlns*`, foreign-namespace and
    /// unknown ones.
    pub attrs: Vec<Attr>,
    /// Original text of typed attributes whose lexical form is not canonical, sorted by name (e.g.
    /// `segmentAlignment="0"`, `startNumber="01"`). Used on output while it still parses to
    /// the typed value.
    pub lexical: Vec<Attr>,
    /// Unknown child elements, comments, processing instructions and text, in order.
    pub nodes: Vec<Node>,
    /// Source order of the children: an index into the element's child kinds (schema order
    /// of its typed children) or [`MISC`] for the next entry of `nodes`. Children beyond
    /// those listed (added in code) are written after, in schema order. Empty when the source
    /// had its typed children in schema order and no kept node among them (the common case,
    /// and the same output), so such elements allocate no `ExtraData` at all.
    pub order: Vec<u8>,
}

/// The [`ExtraData::order`] entry standing for the next entry of [`ExtraData::nodes`].
///
/// ```
/// use dashkit::mpd::MISC;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// // The video AdaptationSet has kept nodes between its typed children: `order` places them.
/// let video = &mpd.periods[0].adaptation_sets[0];
/// let misc = video.extra.order.iter().filter(|&&o| o == MISC).count();
/// assert_eq!(misc, video.extra.nodes.len());
/// ```
pub const MISC: u8 = u8::MAX;

/// Result of offering an attribute to a typed element.
pub(crate) enum AttrOutcome {
    Unknown,
    Set,
    SetNonCanonical,
    Invalid(&'static str),
}

/// A typed value of an attribute (xs type), with its canonical lexical form.
pub(crate) trait XsValue: Sized + PartialEq {
    /// Name of the expected type, for errors.
    const EXPECTED: &'static str;
    /// Parses; the flag says whether `s` is the canonical form of the value.
    fn parse_xs(s: &str) -> Option<(Self, bool)>;
    /// Writes the canonical (or kept) lexical form, escaped for an attribute value.
    fn write_xs(&self, w: &mut Writer);
}

impl XsValue for String {
    const EXPECTED: &'static str = "xs:string";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        Some((s.to_owned(), true))
    }
    fn write_xs(&self, w: &mut Writer) {
        w.escaped_attr(self);
    }
}

fn parse_unsigned(s: &str) -> Option<(u64, bool)> {
    if let Some(v) = parse_u64(s) {
        let canonical = s.len() == 1 || !s.starts_with('0');
        return Some((v, canonical));
    }
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    parse_u64(t).map(|v| (v, false))
}

impl XsValue for u64 {
    const EXPECTED: &'static str = "xs:unsignedLong";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        parse_unsigned(s)
    }
    fn write_xs(&self, w: &mut Writer) {
        w.push_u64(*self);
    }
}

impl XsValue for u32 {
    const EXPECTED: &'static str = "xs:unsignedInt";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        let (v, c) = parse_unsigned(s)?;
        Some((u32::try_from(v).ok()?, c))
    }
    fn write_xs(&self, w: &mut Writer) {
        w.push_u64(u64::from(*self));
    }
}

impl XsValue for i64 {
    const EXPECTED: &'static str = "xs:long";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        let (neg, digits) = match s.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, s),
        };
        let (mag, canonical) = parse_unsigned(digits)?;
        let v = if neg {
            0i64.checked_sub_unsigned(mag)?
        } else {
            i64::try_from(mag).ok()?
        };
        Some((v, canonical && !(neg && mag == 0)))
    }
    fn write_xs(&self, w: &mut Writer) {
        if *self < 0 {
            w.push_str("-");
        }
        w.push_u64(self.unsigned_abs());
    }
}

impl XsValue for bool {
    const EXPECTED: &'static str = "xs:boolean";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        match s {
            "true" => Some((true, true)),
            "false" => Some((false, true)),
            "1" => Some((true, false)),
            "0" => Some((false, false)),
            _ => match s.trim() {
                "true" | "1" => Some((true, false)),
                "false" | "0" => Some((false, false)),
                _ => None,
            },
        }
    }
    fn write_xs(&self, w: &mut Writer) {
        w.push_str(if *self { "true" } else { "false" });
    }
}

impl XsValue for XsDuration {
    const EXPECTED: &'static str = "xs:duration";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        XsDuration::parse(s).ok().map(|d| (d, true))
    }
    fn write_xs(&self, w: &mut Writer) {
        w.escaped_attr(self.as_str());
    }
}

impl XsValue for XsDateTime {
    const EXPECTED: &'static str = "xs:dateTime";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        XsDateTime::parse(s).ok().map(|d| (d, true))
    }
    fn write_xs(&self, w: &mut Writer) {
        w.escaped_attr(self.as_str());
    }
}

/// A frame rate, `FrameRateType` (§5.3.7.2 Table 11): `num` or `num/den`.
///
/// ```
/// use dashkit::mpd::FrameRate;
/// let r: FrameRate = "30000/1001".parse().unwrap();
/// assert_eq!((r.num, r.den), (30000, 1001));
/// assert_eq!(r.to_string(), "30000/1001");
/// assert_eq!("25".parse::<FrameRate>().unwrap().to_string(), "25");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameRate {
    /// Numerator (frames).
    pub num: u32,
    /// Denominator (seconds), 1 when written without `/`. Never zero.
    pub den: u32,
}

impl std::str::FromStr for FrameRate {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        <FrameRate as XsValue>::parse_xs(s).map(|v| v.0).ok_or(())
    }
}

impl std::fmt::Display for FrameRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl XsValue for FrameRate {
    const EXPECTED: &'static str = "FrameRateType (n or n/d)";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        let (n, d) = match s.split_once('/') {
            Some((n, d)) => (n, Some(d)),
            None => (s, None),
        };
        let (num, c1) = <u32 as XsValue>::parse_xs(n)?;
        let (den, c2) = match d {
            Some(d) => <u32 as XsValue>::parse_xs(d)?,
            None => (1, true),
        };
        if den == 0 {
            return None;
        }
        Some((
            FrameRate { num, den },
            c1 && c2 && !(d.is_some() && den == 1),
        ))
    }
    fn write_xs(&self, w: &mut Writer) {
        w.push_u64(u64::from(self.num));
        if self.den != 1 {
            w.push_str("/");
            w.push_u64(u64::from(self.den));
        }
    }
}

/// `ConditionalUintType` (§5.3.3.2): a boolean or an unsigned integer, as used by
/// `@segmentAlignment`, `@subsegmentAlignment` and `@bitstreamSwitching` of a Subset.
///
/// ```
/// use dashkit::mpd::ConditionalUint;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/vendor_extensions.mpd")).unwrap();
/// let video = &mpd.periods[0].adaptation_sets[0];
/// assert_eq!(video.segment_alignment, Some(ConditionalUint::Bool(true)));
/// assert!(ConditionalUint::Uint(2).is_set() && !ConditionalUint::Uint(0).is_set());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConditionalUint {
    /// `true` / `false`.
    Bool(bool),
    /// A number (e.g. `0` or `1`).
    Uint(u32),
}

impl ConditionalUint {
    /// Whether the property holds: `true` or a non-zero number.
    ///
    /// ```
    /// use dashkit::mpd::ConditionalUint;
    /// assert!(ConditionalUint::Bool(true).is_set() && ConditionalUint::Uint(1).is_set());
    /// assert!(!ConditionalUint::Bool(false).is_set() && !ConditionalUint::Uint(0).is_set());
    /// ```
    pub fn is_set(self) -> bool {
        match self {
            ConditionalUint::Bool(b) => b,
            ConditionalUint::Uint(n) => n != 0,
        }
    }
}

impl XsValue for ConditionalUint {
    const EXPECTED: &'static str = "ConditionalUintType (boolean or unsigned int)";
    fn parse_xs(s: &str) -> Option<(Self, bool)> {
        match s {
            "true" => Some((ConditionalUint::Bool(true), true)),
            "false" => Some((ConditionalUint::Bool(false), true)),
            _ => <u32 as XsValue>::parse_xs(s).map(|(v, c)| (ConditionalUint::Uint(v), c)),
        }
    }
    fn write_xs(&self, w: &mut Writer) {
        match self {
            ConditionalUint::Bool(b) => b.write_xs(w),
            ConditionalUint::Uint(n) => n.write_xs(w),
        }
    }
}

/// A child container: `Vec<T>` (any number) or `Option<T>` (at most one).
pub(crate) trait Slot<T> {
    /// At most one child of this kind (paths then carry no `[index]`).
    const SINGLE: bool;
    /// Makes room for a new child and returns it; `None` when the slot is already full.
    fn new_child(&mut self) -> Option<&mut T>;
    fn count(&self) -> usize;
    fn at(&self, i: usize) -> Option<&T>;
}

impl<T: Default> Slot<T> for Vec<T> {
    const SINGLE: bool = false;
    fn new_child(&mut self) -> Option<&mut T> {
        self.push(T::default());
        self.last_mut()
    }
    fn count(&self) -> usize {
        self.len()
    }
    fn at(&self, i: usize) -> Option<&T> {
        self.get(i)
    }
}

impl<T: Default> Slot<T> for Option<T> {
    const SINGLE: bool = true;
    fn new_child(&mut self) -> Option<&mut T> {
        if self.is_some() {
            return None;
        }
        Some(self.insert(T::default()))
    }
    fn count(&self) -> usize {
        usize::from(self.is_some())
    }
    fn at(&self, i: usize) -> Option<&T> {
        if i == 0 {
            self.as_ref()
        } else {
            None
        }
    }
}

/// The glue between a typed element and the generic parser and writer.
pub(crate) trait XmlElement: Default {
    /// Local names of the typed child kinds, in schema order.
    const CHILD_TAGS: &'static [&'static str];
    /// Attributes that must be present.
    const REQUIRED: &'static [&'static str];
    /// Per child kind: at most one.
    const CHILD_SINGLE: &'static [bool];
    fn set_attr(&mut self, local: &str, value: &str) -> AttrOutcome;
    /// Reads all attributes straight from the raw attribute text when they are simple;
    /// false (and nothing changed) when the general path must run.
    fn fast_attrs(&mut self, raw: &str) -> bool;
    /// Writes the whole element in one step when it is simple; false when the general
    /// writer must run.
    fn fast_write(&self, w: &mut Writer) -> bool;
    /// Called once right after the start tag of a non-empty element: may read a leading run
    /// of simple children straight from the input (see [`super::parse::scan_s_run`]),
    /// leaving anything else to the general reader.
    fn fast_children(&mut self, p: &mut Parser<'_>);
    fn has_attr(&self, local: &str) -> bool;
    /// Parses a child of kind `kind` and stores it; `Ok(false)` when the slot was full.
    fn parse_child(
        &mut self,
        kind: u8,
        p: &mut Parser<'_>,
        start: &BytesStart<'_>,
        empty: bool,
    ) -> Result<bool, super::Error>;
    fn write_attrs(&self, w: &mut Writer);
    fn child_count(&self, kind: u8) -> usize;
    fn write_child(&self, kind: u8, index: usize, w: &mut Writer);
    fn extra(&self) -> &Extra;
    fn extra_mut(&mut self) -> &mut Extra;
    fn text(&self) -> Option<&String>;
    fn text_mut(&mut self) -> Option<&mut String>;
}

/// Large, optional children are boxed (`Option<Box<SegmentTemplate>>`) to keep
/// `Representation` small; the box is transparent to the parser and writer.
impl<T: XmlElement> XmlElement for Box<T> {
    const CHILD_TAGS: &'static [&'static str] = T::CHILD_TAGS;
    const REQUIRED: &'static [&'static str] = T::REQUIRED;
    const CHILD_SINGLE: &'static [bool] = T::CHILD_SINGLE;
    fn set_attr(&mut self, local: &str, value: &str) -> AttrOutcome {
        (**self).set_attr(local, value)
    }
    fn fast_attrs(&mut self, raw: &str) -> bool {
        (**self).fast_attrs(raw)
    }
    fn fast_write(&self, w: &mut Writer) -> bool {
        (**self).fast_write(w)
    }
    fn fast_children(&mut self, p: &mut Parser<'_>) {
        (**self).fast_children(p)
    }
    fn has_attr(&self, local: &str) -> bool {
        (**self).has_attr(local)
    }
    fn parse_child(
        &mut self,
        kind: u8,
        p: &mut Parser<'_>,
        start: &BytesStart<'_>,
        empty: bool,
    ) -> Result<bool, super::Error> {
        (**self).parse_child(kind, p, start, empty)
    }
    fn write_attrs(&self, w: &mut Writer) {
        (**self).write_attrs(w)
    }
    fn child_count(&self, kind: u8) -> usize {
        (**self).child_count(kind)
    }
    fn write_child(&self, kind: u8, index: usize, w: &mut Writer) {
        (**self).write_child(kind, index, w)
    }
    fn extra(&self) -> &Extra {
        (**self).extra()
    }
    fn extra_mut(&mut self) -> &mut Extra {
        (**self).extra_mut()
    }
    fn text(&self) -> Option<&String> {
        (**self).text()
    }
    fn text_mut(&mut self) -> Option<&mut String> {
        (**self).text_mut()
    }
}

macro_rules! element {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            attrs { $( $(#[$am:meta])* $af:ident : $at:ty = $an:literal, )* }
            children { $( $(#[$cm:meta])* $cf:ident : $cw:ident<$ct:ty> = $cn:literal, )* }
            $( text { $(#[$tm:meta])* $tf:ident } )?
            $( required [ $($req:literal),* ] )?
            $( fast $fast:path; )?
            $( fast_write $fast_write:path; )?
            $( fast_children $fast_children:path; )?
            $( fields { $( $(#[$fm:meta])* $ff:ident : $ft:ty, )* } )?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
        pub struct $name {
            $( $(#[$am])* pub $af: Option<$at>, )*
            $( $(#[$cm])* pub $cf: $cw<$ct>, )*
            $( $(#[$tm])* pub $tf: String, )?
            $( $( $(#[$fm])* pub $ff: $ft, )* )?
            /// Everything from the source the typed fields do not hold (see [`Extra`]).
            pub extra: Extra,
        }

        impl XmlElement for $name {
            const CHILD_TAGS: &'static [&'static str] = &[$($cn),*];
            const REQUIRED: &'static [&'static str] = &[$($($req),*)?];
            const CHILD_SINGLE: &'static [bool] = &[$(<$cw<$ct> as Slot<$ct>>::SINGLE),*];

            #[allow(unused_variables)]
            fn set_attr(&mut self, local: &str, value: &str) -> AttrOutcome {
                match local {
                    $( $an => match <$at as XsValue>::parse_xs(value) {
                        Some((v, canonical)) => {
                            self.$af = Some(v);
                            if canonical { AttrOutcome::Set } else { AttrOutcome::SetNonCanonical }
                        }
                        None => AttrOutcome::Invalid(<$at as XsValue>::EXPECTED),
                    }, )*
                    _ => AttrOutcome::Unknown,
                }
            }

            #[allow(unused_variables, unreachable_code)]
            fn fast_attrs(&mut self, raw: &str) -> bool {
                $( return $fast(self, raw); )?
                false
            }

            #[allow(unused_variables, unreachable_code)]
            fn fast_write(&self, w: &mut Writer) -> bool {
                $( return $fast_write(self, w); )?
                false
            }

            #[allow(unused_variables)]
            fn fast_children(&mut self, p: &mut Parser<'_>) {
                $( $fast_children(self, p); )?
            }

            #[allow(unused_variables)]
            fn has_attr(&self, local: &str) -> bool {
                match local {
                    $( $an => self.$af.is_some(), )*
                    _ => false,
                }
            }

            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn parse_child(
                &mut self,
                kind: u8,
                p: &mut Parser<'_>,
                start: &BytesStart<'_>,
                empty: bool,
            ) -> Result<bool, super::Error> {
                let mut i = 0u8;
                $(
                    if kind == i {
                        return match Slot::new_child(&mut self.$cf) {
                            Some(c) => {
                                super::parse::parse_element_into::<$ct>(p, start, empty, c)?;
                                Ok(true)
                            }
                            None => Ok(false),
                        };
                    }
                    i += 1;
                )*
                Ok(true)
            }

            #[allow(unused_variables)]
            fn write_attrs(&self, w: &mut Writer) {
                $( if let Some(v) = &self.$af { w.known_attr($an, v, &self.extra.lexical); } )*
            }

            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn child_count(&self, kind: u8) -> usize {
                let mut i = 0u8;
                $(
                    if kind == i {
                        return Slot::count(&self.$cf);
                    }
                    i += 1;
                )*
                0
            }

            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn write_child(&self, kind: u8, index: usize, w: &mut Writer) {
                let mut i = 0u8;
                $(
                    if kind == i {
                        if let Some(c) = Slot::at(&self.$cf, index) {
                            super::write::write_element(w, $cn, c);
                        }
                        return;
                    }
                    i += 1;
                )*
            }

            fn extra(&self) -> &Extra {
                &self.extra
            }
            fn extra_mut(&mut self) -> &mut Extra {
                &mut self.extra
            }
            fn text(&self) -> Option<&String> {
                None $( .or(Some(&self.$tf)) )?
            }
            fn text_mut(&mut self) -> Option<&mut String> {
                None $( .or(Some(&mut self.$tf)) )?
            }
        }
    };
}

element! {
    /// `MPD`, the root (§5.3.1.2, Table 3).
    ///
    /// ```
    /// let mpd = dashkit::mpd::parse(r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"
    ///     type="static" mediaPresentationDuration="PT10S"><Period/></MPD>"#).unwrap();
    /// assert_eq!(mpd.r#type.as_deref(), Some("static"));
    /// assert_eq!(mpd.periods.len(), 1);
    /// ```
    pub struct Mpd {
        attrs {
            /// `@id` (§5.3.1.2).
            id: String = "id",
            /// `@profiles` (§5.3.1.2).
            profiles: String = "profiles",
            /// `@type`: `static` or `dynamic` (§5.3.1.2).
            r#type: String = "type",
            /// `@availabilityStartTime` (§5.3.1.2).
            availability_start_time: XsDateTime = "availabilityStartTime",
            /// `@publishTime` (§5.3.1.2).
            publish_time: XsDateTime = "publishTime",
            /// `@availabilityEndTime` (§5.3.1.2).
            availability_end_time: XsDateTime = "availabilityEndTime",
            /// `@mediaPresentationDuration` (§5.3.1.2).
            media_presentation_duration: XsDuration = "mediaPresentationDuration",
            /// `@minimumUpdatePeriod` (§5.3.1.2).
            minimum_update_period: XsDuration = "minimumUpdatePeriod",
            /// `@minBufferTime` (§5.3.1.2).
            min_buffer_time: XsDuration = "minBufferTime",
            /// `@timeShiftBufferDepth` (§5.3.1.2).
            time_shift_buffer_depth: XsDuration = "timeShiftBufferDepth",
            /// `@suggestedPresentationDelay` (§5.3.1.2).
            suggested_presentation_delay: XsDuration = "suggestedPresentationDelay",
            /// `@maxSegmentDuration` (§5.3.1.2).
            max_segment_duration: XsDuration = "maxSegmentDuration",
            /// `@maxSubsegmentDuration` (§5.3.1.2).
            max_subsegment_duration: XsDuration = "maxSubsegmentDuration",
        }
        children {
            /// `ProgramInformation` (§5.7).
            program_informations: Vec<ProgramInformation> = "ProgramInformation",
            /// `BaseURL` (§5.6).
            base_urls: Vec<BaseUrl> = "BaseURL",
            /// `Location` (§5.3.1.2).
            locations: Vec<Location> = "Location",
            /// `PatchLocation` (§5.15.2): where MPD patches for this MPD are.
            patch_locations: Vec<PatchLocation> = "PatchLocation",
            /// `ServiceDescription` (Annex K).
            service_descriptions: Vec<ServiceDescription> = "ServiceDescription",
            /// `ContentProtection` at MPD level (§5.8.4.1).
            content_protections: Vec<ContentProtection> = "ContentProtection",
            /// `Period` (§5.3.2).
            periods: Vec<Period> = "Period",
            /// `EssentialProperty` (§5.8.4.8).
            essential_properties: Vec<Descriptor> = "EssentialProperty",
            /// `SupplementalProperty` (§5.8.4.9).
            supplemental_properties: Vec<Descriptor> = "SupplementalProperty",
            /// `UTCTiming` (§5.8.4.11).
            utc_timings: Vec<Descriptor> = "UTCTiming",
        }
        fields {
            /// Nodes before the root element: XML declaration, comments, processing
            /// instructions, DOCTYPE.
            prolog: Vec<Node>,
            /// Comments and processing instructions after the root element.
            epilog: Vec<Node>,
        }
    }
}

impl Mpd {
    /// Whether `@type` is `dynamic` (absent means `static`, §5.3.1.2).
    ///
    /// ```
    /// use dashkit::mpd::parse;
    /// assert!(parse(r#"<MPD type="dynamic"/>"#).unwrap().is_dynamic());
    /// assert!(!parse("<MPD/>").unwrap().is_dynamic()); // absent: static
    /// ```
    pub fn is_dynamic(&self) -> bool {
        self.r#type.as_deref() == Some("dynamic")
    }
}

element! {
    /// `Period` (§5.3.2.2, Table 4).
    pub struct Period {
        attrs {
            /// `@id` (§5.3.2.2).
            id: String = "id",
            /// `@start` (§5.3.2.2).
            start: XsDuration = "start",
            /// `@duration` (§5.3.2.2).
            duration: XsDuration = "duration",
            /// `@bitstreamSwitching` (§5.3.2.2).
            bitstream_switching: bool = "bitstreamSwitching",
        }
        children {
            /// `BaseURL` (§5.6).
            base_urls: Vec<BaseUrl> = "BaseURL",
            /// `SegmentBase` (§5.3.9.2).
            segment_base: Option<Box<SegmentBase>> = "SegmentBase",
            /// `SegmentList` (§5.3.9.3).
            segment_list: Option<Box<SegmentList>> = "SegmentList",
            /// `SegmentTemplate` (§5.3.9.4).
            segment_template: Option<Box<SegmentTemplate>> = "SegmentTemplate",
            /// `AssetIdentifier` (§5.8.4.10).
            asset_identifier: Option<Descriptor> = "AssetIdentifier",
            /// `EventStream` (§5.10.2).
            event_streams: Vec<EventStream> = "EventStream",
            /// `ServiceDescription` (Annex K).
            service_descriptions: Vec<ServiceDescription> = "ServiceDescription",
            /// `ContentProtection` (§5.8.4.1).
            content_protections: Vec<ContentProtection> = "ContentProtection",
            /// `AdaptationSet` (§5.3.3).
            adaptation_sets: Vec<AdaptationSet> = "AdaptationSet",
            /// `SupplementalProperty` (§5.8.4.9).
            supplemental_properties: Vec<Descriptor> = "SupplementalProperty",
        }
    }
}

element! {
    /// `AdaptationSet` (§5.3.3.2, Table 5), with the common attributes and elements of
    /// §5.3.7 (Table 11).
    pub struct AdaptationSet {
        attrs {
            /// `@id` (§5.3.3.2).
            id: u32 = "id",
            /// `@group` (§5.3.3.2).
            group: u32 = "group",
            /// `@lang` (§5.3.3.2).
            lang: String = "lang",
            /// `@contentType` (§5.3.3.2).
            content_type: String = "contentType",
            /// `@par` (§5.3.3.2).
            par: String = "par",
            /// `@minBandwidth` (§5.3.3.2).
            min_bandwidth: u64 = "minBandwidth",
            /// `@maxBandwidth` (§5.3.3.2).
            max_bandwidth: u64 = "maxBandwidth",
            /// `@minWidth` (§5.3.3.2).
            min_width: u32 = "minWidth",
            /// `@maxWidth` (§5.3.3.2).
            max_width: u32 = "maxWidth",
            /// `@minHeight` (§5.3.3.2).
            min_height: u32 = "minHeight",
            /// `@maxHeight` (§5.3.3.2).
            max_height: u32 = "maxHeight",
            /// `@minFrameRate` (§5.3.3.2).
            min_frame_rate: FrameRate = "minFrameRate",
            /// `@maxFrameRate` (§5.3.3.2).
            max_frame_rate: FrameRate = "maxFrameRate",
            /// `@segmentAlignment` (§5.3.3.2).
            segment_alignment: ConditionalUint = "segmentAlignment",
            /// `@subsegmentAlignment` (§5.3.3.2).
            subsegment_alignment: ConditionalUint = "subsegmentAlignment",
            /// `@subsegmentStartsWithSAP` (§5.3.3.2).
            subsegment_starts_with_sap: u32 = "subsegmentStartsWithSAP",
            /// `@bitstreamSwitching` (§5.3.3.2).
            bitstream_switching: bool = "bitstreamSwitching",
            /// `@profiles` (§5.3.7.2).
            profiles: String = "profiles",
            /// `@width` (§5.3.7.2).
            width: u32 = "width",
            /// `@height` (§5.3.7.2).
            height: u32 = "height",
            /// `@sar` (§5.3.7.2), e.g. `1:1`.
            sar: String = "sar",
            /// `@frameRate` (§5.3.7.2).
            frame_rate: FrameRate = "frameRate",
            /// `@audioSamplingRate` (§5.3.7.2): one or two numbers.
            audio_sampling_rate: String = "audioSamplingRate",
            /// `@mimeType` (§5.3.7.2).
            mime_type: String = "mimeType",
            /// `@segmentProfiles` (§5.3.7.2).
            segment_profiles: String = "segmentProfiles",
            /// `@codecs` (§5.3.7.2).
            codecs: String = "codecs",
            /// `@maximumSAPPeriod` (§5.3.7.2), an xs:double kept as text.
            maximum_sap_period: String = "maximumSAPPeriod",
            /// `@startWithSAP` (§5.3.7.2).
            start_with_sap: u32 = "startWithSAP",
            /// `@maxPlayoutRate` (§5.3.7.2), an xs:double kept as text.
            max_playout_rate: String = "maxPlayoutRate",
            /// `@codingDependency` (§5.3.7.2).
            coding_dependency: bool = "codingDependency",
            /// `@scanType` (§5.3.7.2).
            scan_type: String = "scanType",
            /// `@selectionPriority` (§5.3.7.2).
            selection_priority: u32 = "selectionPriority",
            /// `@tag` (§5.3.7.2).
            tag: String = "tag",
        }
        children {
            /// `FramePacking` (§5.8.4.6).
            frame_packings: Vec<Descriptor> = "FramePacking",
            /// `AudioChannelConfiguration` (§5.8.4.7).
            audio_channel_configurations: Vec<Descriptor> = "AudioChannelConfiguration",
            /// `ContentProtection` (§5.8.4.1).
            content_protections: Vec<ContentProtection> = "ContentProtection",
            /// `EssentialProperty` (§5.8.4.8).
            essential_properties: Vec<Descriptor> = "EssentialProperty",
            /// `SupplementalProperty` (§5.8.4.9).
            supplemental_properties: Vec<Descriptor> = "SupplementalProperty",
            /// `InbandEventStream` (§5.10.3).
            inband_event_streams: Vec<Descriptor> = "InbandEventStream",
            /// `Label` (§5.3.10).
            labels: Vec<Label> = "Label",
            /// `ProducerReferenceTime` (§5.12).
            producer_reference_times: Vec<ProducerReferenceTime> = "ProducerReferenceTime",
            /// `Accessibility` (§5.8.4.3).
            accessibilities: Vec<Descriptor> = "Accessibility",
            /// `Role` (§5.8.4.2).
            roles: Vec<Descriptor> = "Role",
            /// `Rating` (§5.8.4.4).
            ratings: Vec<Descriptor> = "Rating",
            /// `Viewpoint` (§5.8.4.5).
            viewpoints: Vec<Descriptor> = "Viewpoint",
            /// `BaseURL` (§5.6).
            base_urls: Vec<BaseUrl> = "BaseURL",
            /// `SegmentBase` (§5.3.9.2).
            segment_base: Option<Box<SegmentBase>> = "SegmentBase",
            /// `SegmentList` (§5.3.9.3).
            segment_list: Option<Box<SegmentList>> = "SegmentList",
            /// `SegmentTemplate` (§5.3.9.4).
            segment_template: Option<Box<SegmentTemplate>> = "SegmentTemplate",
            /// `Representation` (§5.3.5).
            representations: Vec<Representation> = "Representation",
        }
    }
}

element! {
    /// `Representation` (§5.3.5.2, Table 9), with the common attributes and elements of
    /// §5.3.7 (Table 11).
    pub struct Representation {
        attrs {
            /// `@id` (§5.3.5.2), required by the schema.
            id: String = "id",
            /// `@bandwidth` in bits per second (§5.3.5.2).
            bandwidth: u64 = "bandwidth",
            /// `@qualityRanking` (§5.3.5.2).
            quality_ranking: u32 = "qualityRanking",
            /// `@dependencyId` (§5.3.5.2).
            dependency_id: String = "dependencyId",
            /// `@associationId` (§5.3.5.2).
            association_id: String = "associationId",
            /// `@associationType` (§5.3.5.2).
            association_type: String = "associationType",
            /// `@mediaStreamStructureId` (§5.3.5.2).
            media_stream_structure_id: String = "mediaStreamStructureId",
            /// `@profiles` (§5.3.7.2).
            profiles: String = "profiles",
            /// `@width` (§5.3.7.2).
            width: u32 = "width",
            /// `@height` (§5.3.7.2).
            height: u32 = "height",
            /// `@sar` (§5.3.7.2).
            sar: String = "sar",
            /// `@frameRate` (§5.3.7.2).
            frame_rate: FrameRate = "frameRate",
            /// `@audioSamplingRate` (§5.3.7.2).
            audio_sampling_rate: String = "audioSamplingRate",
            /// `@mimeType` (§5.3.7.2).
            mime_type: String = "mimeType",
            /// `@segmentProfiles` (§5.3.7.2).
            segment_profiles: String = "segmentProfiles",
            /// `@codecs` (§5.3.7.2).
            codecs: String = "codecs",
            /// `@maximumSAPPeriod` (§5.3.7.2), kept as text.
            maximum_sap_period: String = "maximumSAPPeriod",
            /// `@startWithSAP` (§5.3.7.2).
            start_with_sap: u32 = "startWithSAP",
            /// `@maxPlayoutRate` (§5.3.7.2), kept as text.
            max_playout_rate: String = "maxPlayoutRate",
            /// `@codingDependency` (§5.3.7.2).
            coding_dependency: bool = "codingDependency",
            /// `@scanType` (§5.3.7.2).
            scan_type: String = "scanType",
            /// `@selectionPriority` (§5.3.7.2).
            selection_priority: u32 = "selectionPriority",
            /// `@tag` (§5.3.7.2).
            tag: String = "tag",
        }
        children {
            /// `FramePacking` (§5.8.4.6).
            frame_packings: Vec<Descriptor> = "FramePacking",
            /// `AudioChannelConfiguration` (§5.8.4.7).
            audio_channel_configurations: Vec<Descriptor> = "AudioChannelConfiguration",
            /// `ContentProtection` (§5.8.4.1).
            content_protections: Vec<ContentProtection> = "ContentProtection",
            /// `EssentialProperty` (§5.8.4.8).
            essential_properties: Vec<Descriptor> = "EssentialProperty",
            /// `SupplementalProperty` (§5.8.4.9).
            supplemental_properties: Vec<Descriptor> = "SupplementalProperty",
            /// `InbandEventStream` (§5.10.3).
            inband_event_streams: Vec<Descriptor> = "InbandEventStream",
            /// `Label` (§5.3.10).
            labels: Vec<Label> = "Label",
            /// `ProducerReferenceTime` (§5.12).
            producer_reference_times: Vec<ProducerReferenceTime> = "ProducerReferenceTime",
            /// `BaseURL` (§5.6).
            base_urls: Vec<BaseUrl> = "BaseURL",
            /// `SubRepresentation` (§5.3.6).
            sub_representations: Vec<SubRepresentation> = "SubRepresentation",
            /// `SegmentBase` (§5.3.9.2).
            segment_base: Option<Box<SegmentBase>> = "SegmentBase",
            /// `SegmentList` (§5.3.9.3).
            segment_list: Option<Box<SegmentList>> = "SegmentList",
            /// `SegmentTemplate` (§5.3.9.4).
            segment_template: Option<Box<SegmentTemplate>> = "SegmentTemplate",
        }
    }
}

element! {
    /// `SubRepresentation` (§5.3.6.2, Table 10), with the common attributes of §5.3.7.
    pub struct SubRepresentation {
        attrs {
            /// `@level` (§5.3.6.2).
            level: u32 = "level",
            /// `@dependencyLevel` (§5.3.6.2).
            dependency_level: String = "dependencyLevel",
            /// `@bandwidth` (§5.3.6.2).
            bandwidth: u64 = "bandwidth",
            /// `@contentComponent` (§5.3.6.2).
            content_component: String = "contentComponent",
            /// `@profiles` (§5.3.7.2).
            profiles: String = "profiles",
            /// `@width` (§5.3.7.2).
            width: u32 = "width",
            /// `@height` (§5.3.7.2).
            height: u32 = "height",
            /// `@sar` (§5.3.7.2).
            sar: String = "sar",
            /// `@frameRate` (§5.3.7.2).
            frame_rate: FrameRate = "frameRate",
            /// `@audioSamplingRate` (§5.3.7.2).
            audio_sampling_rate: String = "audioSamplingRate",
            /// `@mimeType` (§5.3.7.2).
            mime_type: String = "mimeType",
            /// `@codecs` (§5.3.7.2).
            codecs: String = "codecs",
            /// `@startWithSAP` (§5.3.7.2).
            start_with_sap: u32 = "startWithSAP",
        }
        children {
            /// `AudioChannelConfiguration` (§5.8.4.7).
            audio_channel_configurations: Vec<Descriptor> = "AudioChannelConfiguration",
            /// `ContentProtection` (§5.8.4.1).
            content_protections: Vec<ContentProtection> = "ContentProtection",
            /// `EssentialProperty` (§5.8.4.8).
            essential_properties: Vec<Descriptor> = "EssentialProperty",
            /// `SupplementalProperty` (§5.8.4.9).
            supplemental_properties: Vec<Descriptor> = "SupplementalProperty",
        }
    }
}

element! {
    /// `SegmentBase` (§5.3.9.2, Table 16).
    pub struct SegmentBase {
        attrs {
            /// `@timescale` (§5.3.9.2).
            timescale: u32 = "timescale",
            /// `@presentationTimeOffset` (§5.3.9.2).
            presentation_time_offset: u64 = "presentationTimeOffset",
            /// `@eptDelta` (§5.3.9.2).
            ept_delta: i64 = "eptDelta",
            /// `@pdDelta` (§5.3.9.2).
            pd_delta: i64 = "pdDelta",
            /// `@presentationDuration` (§5.3.9.2).
            presentation_duration: u64 = "presentationDuration",
            /// `@timeShiftBufferDepth` (§5.3.9.2).
            time_shift_buffer_depth: XsDuration = "timeShiftBufferDepth",
            /// `@indexRange`, e.g. `800-1123` (§5.3.9.2).
            index_range: String = "indexRange",
            /// `@indexRangeExact` (§5.3.9.2).
            index_range_exact: bool = "indexRangeExact",
            /// `@availabilityTimeOffset` (§5.3.9.2), an xs:double kept as text (`INF`).
            availability_time_offset: String = "availabilityTimeOffset",
            /// `@availabilityTimeComplete` (§5.3.9.2).
            availability_time_complete: bool = "availabilityTimeComplete",
        }
        children {
            /// `Initialization` (§5.3.9.2).
            initialization: Option<Url> = "Initialization",
            /// `RepresentationIndex` (§5.3.9.2).
            representation_index: Option<Url> = "RepresentationIndex",
        }
    }
}

element! {
    /// `SegmentList` (§5.3.9.3, Tables 17 and 18): `MultipleSegmentBaseType` plus
    /// `SegmentURL`s.
    pub struct SegmentList {
        attrs {
            /// `@duration` in ticks of `@timescale` (§5.3.9.2.2).
            duration: u64 = "duration",
            /// `@startNumber` (§5.3.9.2.2).
            start_number: u64 = "startNumber",
            /// `@endNumber` (§5.3.9.2.2).
            end_number: u64 = "endNumber",
            /// `@timescale` (§5.3.9.2).
            timescale: u32 = "timescale",
            /// `@presentationTimeOffset` (§5.3.9.2).
            presentation_time_offset: u64 = "presentationTimeOffset",
            /// `@eptDelta` (§5.3.9.2).
            ept_delta: i64 = "eptDelta",
            /// `@pdDelta` (§5.3.9.2).
            pd_delta: i64 = "pdDelta",
            /// `@presentationDuration` (§5.3.9.2).
            presentation_duration: u64 = "presentationDuration",
            /// `@timeShiftBufferDepth` (§5.3.9.2).
            time_shift_buffer_depth: XsDuration = "timeShiftBufferDepth",
            /// `@indexRange` (§5.3.9.2).
            index_range: String = "indexRange",
            /// `@indexRangeExact` (§5.3.9.2).
            index_range_exact: bool = "indexRangeExact",
            /// `@availabilityTimeOffset` (§5.3.9.2), kept as text.
            availability_time_offset: String = "availabilityTimeOffset",
            /// `@availabilityTimeComplete` (§5.3.9.2).
            availability_time_complete: bool = "availabilityTimeComplete",
        }
        children {
            /// `Initialization` (§5.3.9.2).
            initialization: Option<Url> = "Initialization",
            /// `RepresentationIndex` (§5.3.9.2).
            representation_index: Option<Url> = "RepresentationIndex",
            /// `SegmentTimeline` (§5.3.9.6).
            segment_timeline: Option<SegmentTimeline> = "SegmentTimeline",
            /// `BitstreamSwitching` (§5.3.9.2.2).
            bitstream_switching: Option<Url> = "BitstreamSwitching",
            /// `SegmentURL` (§5.3.9.3.2).
            segment_urls: Vec<SegmentUrl> = "SegmentURL",
        }
    }
}

element! {
    /// `SegmentTemplate` (§5.3.9.4, Table 20): `MultipleSegmentBaseType` plus templates.
    pub struct SegmentTemplate {
        attrs {
            /// `@media` template (§5.3.9.4.2).
            media: String = "media",
            /// `@index` template (§5.3.9.4.2).
            index: String = "index",
            /// `@initialization` template (§5.3.9.4.2).
            initialization: String = "initialization",
            /// `@bitstreamSwitching` template (§5.3.9.4.2).
            bitstream_switching: String = "bitstreamSwitching",
            /// `@duration` in ticks of `@timescale` (§5.3.9.2.2).
            duration: u64 = "duration",
            /// `@startNumber` (§5.3.9.2.2).
            start_number: u64 = "startNumber",
            /// `@endNumber` (§5.3.9.2.2).
            end_number: u64 = "endNumber",
            /// `@timescale` (§5.3.9.2).
            timescale: u32 = "timescale",
            /// `@presentationTimeOffset` (§5.3.9.2).
            presentation_time_offset: u64 = "presentationTimeOffset",
            /// `@eptDelta` (§5.3.9.2).
            ept_delta: i64 = "eptDelta",
            /// `@pdDelta` (§5.3.9.2).
            pd_delta: i64 = "pdDelta",
            /// `@presentationDuration` (§5.3.9.2).
            presentation_duration: u64 = "presentationDuration",
            /// `@timeShiftBufferDepth` (§5.3.9.2).
            time_shift_buffer_depth: XsDuration = "timeShiftBufferDepth",
            /// `@indexRange` (§5.3.9.2).
            index_range: String = "indexRange",
            /// `@indexRangeExact` (§5.3.9.2).
            index_range_exact: bool = "indexRangeExact",
            /// `@availabilityTimeOffset` (§5.3.9.2), kept as text.
            availability_time_offset: String = "availabilityTimeOffset",
            /// `@availabilityTimeComplete` (§5.3.9.2).
            availability_time_complete: bool = "availabilityTimeComplete",
        }
        children {
            /// `Initialization` (§5.3.9.2).
            initialization_element: Option<Url> = "Initialization",
            /// `RepresentationIndex` (§5.3.9.2).
            representation_index: Option<Url> = "RepresentationIndex",
            /// `SegmentTimeline` (§5.3.9.6).
            segment_timeline: Option<SegmentTimeline> = "SegmentTimeline",
            /// `BitstreamSwitching` (§5.3.9.2.2).
            bitstream_switching_element: Option<Url> = "BitstreamSwitching",
        }
    }
}

element! {
    /// `SegmentTimeline` (§5.3.9.6, Table 21).
    pub struct SegmentTimeline {
        attrs {}
        children {
            /// `S` entries in order.
            s: Vec<S> = "S",
        }
        fast_children super::parse::scan_s_run;
    }
}

element! {
    /// `S`, one run of segments in a `SegmentTimeline` (§5.3.9.6, Table 21).
    pub struct S {
        attrs {
            /// `@t`: start time in ticks (§5.3.9.6).
            t: u64 = "t",
            /// `@n`: number of the first segment of the run (§5.3.9.6).
            n: u64 = "n",
            /// `@d`: duration in ticks, required (§5.3.9.6).
            d: u64 = "d",
            /// `@r`: repeat count; `-1` repeats to the next `S@t` or the Period end.
            r: i64 = "r",
            /// `@k`: segments per sequence (§5.3.9.6).
            k: u64 = "k",
        }
        children {}
        required ["d"]
        fast s_fast_attrs;
        fast_write super::write::write_s;
    }
}

/// Fast path for the hot `S` element: attributes of the form `x="digits"` (x in t, n, d,
/// r, k; canonical numbers, no entities) are parsed without building attribute values.
/// Anything else (unknown or repeated attributes, leading zeros, entities) returns false
/// with `s` untouched, and the general path runs.
pub(crate) fn s_fast_attrs(s: &mut S, raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    let mut out = S::default();
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let name = b[i];
        if b.get(i + 1) != Some(&b'=') {
            return false;
        }
        let quote = match b.get(i + 2) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return false,
        };
        i += 3;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        let start = i;
        let mut v: u64 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            match v
                .checked_mul(10)
                .and_then(|x| x.checked_add(u64::from(b[i] - b'0')))
            {
                Some(x) => v = x,
                None => return false,
            }
            i += 1;
        }
        let len = i - start;
        if len == 0 || (len > 1 && b[start] == b'0') || b.get(i) != Some(&quote) {
            return false;
        }
        i += 1;
        if neg && (name != b'r' || v == 0) {
            return false;
        }
        let slot = match name {
            b't' => &mut out.t,
            b'n' => &mut out.n,
            b'd' => &mut out.d,
            b'k' => &mut out.k,
            b'r' => {
                if out.r.is_some() {
                    return false;
                }
                let Ok(m) = i64::try_from(v) else {
                    return false;
                };
                out.r = Some(if neg { -m } else { m });
                continue;
            }
            _ => return false,
        };
        if slot.is_some() {
            return false;
        }
        *slot = Some(v);
    }
    *s = out;
    true
}

element! {
    /// `URLType` (§5.3.9.2.2): `Initialization`, `RepresentationIndex`,
    /// `BitstreamSwitching`.
    pub struct Url {
        attrs {
            /// `@sourceURL`.
            source_url: String = "sourceURL",
            /// `@range`, e.g. `0-799`.
            range: String = "range",
        }
        children {}
    }
}

element! {
    /// `SegmentURL` (§5.3.9.3.2, Table 19).
    pub struct SegmentUrl {
        attrs {
            /// `@media`.
            media: String = "media",
            /// `@mediaRange`.
            media_range: String = "mediaRange",
            /// `@index`.
            index: String = "index",
            /// `@indexRange`.
            index_range: String = "indexRange",
        }
        children {}
    }
}

element! {
    /// `BaseURL` (§5.6, Table 29): a URL as text plus attributes.
    pub struct BaseUrl {
        attrs {
            /// `@serviceLocation`.
            service_location: String = "serviceLocation",
            /// `@byteRange`.
            byte_range: String = "byteRange",
            /// `@availabilityTimeOffset`, an xs:double kept as text.
            availability_time_offset: String = "availabilityTimeOffset",
            /// `@availabilityTimeComplete`.
            availability_time_complete: bool = "availabilityTimeComplete",
            /// `@timeShiftBufferDepth`.
            time_shift_buffer_depth: XsDuration = "timeShiftBufferDepth",
            /// `@rangeAccess`.
            range_access: bool = "rangeAccess",
        }
        children {}
        text {
            /// The URL, as written (unescaped, not trimmed).
            url
        }
    }
}

element! {
    /// `DescriptorType` (§5.8.2, Table 32), used for `Role`, `Accessibility`, `Rating`,
    /// `Viewpoint`, `EssentialProperty`, `SupplementalProperty`, `AudioChannelConfiguration`,
    /// `FramePacking`, `AssetIdentifier`, `InbandEventStream` and `UTCTiming`. Children
    /// (any namespace) are kept in [`ExtraData::nodes`].
    pub struct Descriptor {
        attrs {
            /// `@schemeIdUri`, required by the schema.
            scheme_id_uri: String = "schemeIdUri",
            /// `@value`.
            value: String = "value",
            /// `@id`.
            id: String = "id",
        }
        children {}
    }
}

element! {
    /// `ContentProtection` (§5.8.4.1, §5.8.5.2): a descriptor whose children (`cenc:pssh`,
    /// `mspr:pro`, license URLs) are kept in [`ExtraData::nodes`].
    ///
    /// ```
    /// let mpd = dashkit::mpd::parse(r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"
    ///   xmlns:cenc="urn:mpeg:cenc:2013"><Period><AdaptationSet>
    ///   <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc"
    ///     cenc:default_KID="10000000-1000-1000-1000-100000000001"/>
    ///   </AdaptationSet></Period></MPD>"#).unwrap();
    /// let cp = &mpd.periods[0].adaptation_sets[0].content_protections[0];
    /// assert_eq!(cp.default_kid(), Some("10000000-1000-1000-1000-100000000001"));
    /// ```
    pub struct ContentProtection {
        attrs {
            /// `@schemeIdUri`.
            scheme_id_uri: String = "schemeIdUri",
            /// `@value`.
            value: String = "value",
            /// `@id`.
            id: String = "id",
            /// `@ref`.
            r#ref: String = "ref",
            /// `@refId`.
            ref_id: String = "refId",
            /// `@robustness`.
            robustness: String = "robustness",
        }
        children {}
    }
}

impl ContentProtection {
    /// The `default_KID` attribute (ISO/IEC 23001-7 `cenc:default_KID`), found by local
    /// name among the kept attributes whatever prefix it was written with.
    ///
    /// ```
    /// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/content_protection.mpd")).unwrap();
    /// let cp = &mpd.periods[0].adaptation_sets[0].content_protections[0];
    /// assert_eq!(cp.default_kid(), Some("5a5b3c6e-8e2f-4d1b-9a7c-0f3e2d1c4b5a"));
    /// ```
    pub fn default_kid(&self) -> Option<&str> {
        self.extra
            .attrs
            .iter()
            .find(|a| a.name.rsplit(':').next() == Some("default_KID"))
            .map(|a| a.value.as_str())
    }
}

element! {
    /// `EventStream` (§5.10.2, Table 35).
    pub struct EventStream {
        attrs {
            /// `@schemeIdUri`.
            scheme_id_uri: String = "schemeIdUri",
            /// `@value`.
            value: String = "value",
            /// `@timescale`.
            timescale: u32 = "timescale",
            /// `@presentationTimeOffset`.
            presentation_time_offset: u64 = "presentationTimeOffset",
        }
        children {
            /// `Event` entries.
            events: Vec<Event> = "Event",
        }
    }
}

element! {
    /// `Event` (§5.10.2, Table 36). Its content (text or elements, e.g. SCTE-35) is kept in
    /// [`ExtraData::nodes`].
    pub struct Event {
        attrs {
            /// `@presentationTime` in ticks of the stream's timescale.
            presentation_time: u64 = "presentationTime",
            /// `@duration` in ticks.
            duration: u64 = "duration",
            /// `@id`.
            id: u64 = "id",
            /// `@contentEncoding`.
            content_encoding: String = "contentEncoding",
            /// `@messageData`.
            message_data: String = "messageData",
        }
        children {}
    }
}

element! {
    /// `Label` / `GroupLabel` (§5.3.10).
    pub struct Label {
        attrs {
            /// `@id`.
            id: u32 = "id",
            /// `@lang`.
            lang: String = "lang",
        }
        children {}
        text {
            /// The label text.
            text
        }
    }
}

element! {
    /// `Location` (§5.3.1.2): where the MPD is available.
    pub struct Location {
        attrs {
            /// `@serviceLocation`.
            service_location: String = "serviceLocation",
        }
        children {}
        text {
            /// The URL.
            url
        }
    }
}

element! {
    /// `PatchLocation` (ISO/IEC 23009-1 §5.15.2): where a patch for this MPD is, for `@ttl`
    /// seconds after its publishTime.
    pub struct PatchLocation {
        attrs {
            /// `@serviceLocation`.
            service_location: String = "serviceLocation",
            /// `@ttl` in seconds (xs:double, kept as text).
            ttl: String = "ttl",
        }
        children {}
        text {
            /// The URL.
            url
        }
    }
}

element! {
    /// A text-only element (`Title`, `Source`, `Copyright` of `ProgramInformation`).
    pub struct TextElement {
        attrs {}
        children {}
        text {
            /// The text.
            text
        }
    }
}

element! {
    /// `ProgramInformation` (§5.7, Table 27).
    pub struct ProgramInformation {
        attrs {
            /// `@lang`.
            lang: String = "lang",
            /// `@moreInformationURL`.
            more_information_url: String = "moreInformationURL",
        }
        children {
            /// `Title`.
            title: Option<TextElement> = "Title",
            /// `Source`.
            source: Option<TextElement> = "Source",
            /// `Copyright`.
            copyright: Option<TextElement> = "Copyright",
        }
    }
}

element! {
    /// `ServiceDescription` (Annex K): `Latency` and `PlaybackRate` are typed; `Scope`,
    /// `OperatingQuality` and others are kept in [`ExtraData::nodes`].
    pub struct ServiceDescription {
        attrs {
            /// `@id`.
            id: u32 = "id",
        }
        children {
            /// `Latency` (K.4.2.2).
            latencies: Vec<Latency> = "Latency",
            /// `PlaybackRate` (K.4.2.3).
            playback_rates: Vec<PlaybackRate> = "PlaybackRate",
        }
    }
}

element! {
    /// `Latency` of a `ServiceDescription` (Annex K), in milliseconds.
    pub struct Latency {
        attrs {
            /// `@referenceId`.
            reference_id: u32 = "referenceId",
            /// `@target` (ms).
            target: u64 = "target",
            /// `@max` (ms).
            max: u64 = "max",
            /// `@min` (ms).
            min: u64 = "min",
        }
        children {}
    }
}

element! {
    /// `PlaybackRate` of a `ServiceDescription` (Annex K); rates are xs:double, kept as text.
    pub struct PlaybackRate {
        attrs {
            /// `@max`.
            max: String = "max",
            /// `@min`.
            min: String = "min",
        }
        children {}
    }
}

element! {
    /// `ProducerReferenceTime` (§5.12, Table 40).
    pub struct ProducerReferenceTime {
        attrs {
            /// `@id`.
            id: u32 = "id",
            /// `@inband`.
            inband: bool = "inband",
            /// `@type` (`encoder`, `captured`, `application`).
            r#type: String = "type",
            /// `@applicationScheme`.
            application_scheme: String = "applicationScheme",
            /// `@wallClockTime`, in the format of the UTCTiming scheme, kept as text.
            wall_clock_time: String = "wallClockTime",
            /// `@presentationTime` in ticks.
            presentation_time: u64 = "presentationTime",
        }
        children {
            /// `UTCTiming`.
            utc_timing: Option<Descriptor> = "UTCTiming",
        }
    }
}

/// `UTCTiming` (§5.8.4.11) is a [`Descriptor`].
///
/// ```
/// use dashkit::mpd::UtcTiming;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/utc_timing.mpd")).unwrap();
/// let first: &UtcTiming = &mpd.utc_timings[0];
/// assert_eq!(first.scheme_id_uri.as_deref(), Some("urn:mpeg:dash:utc:http-xsdate:2014"));
/// assert_eq!(first.value.as_deref(), Some("https://time.example.com/xsdate"));
/// assert_eq!(mpd.utc_timings.len(), 7);
/// ```
pub type UtcTiming = Descriptor;
/// `InbandEventStream` (§5.10.3) is a [`Descriptor`].
///
/// ```
/// use dashkit::mpd::InbandEventStream;
/// let mpd = dashkit::mpd::parse(include_str!("../../../fixtures/mpd/event_stream.mpd")).unwrap();
/// let streams: &[InbandEventStream] = &mpd.periods[0].adaptation_sets[0].inband_event_streams;
/// let schemes: Vec<_> = streams.iter().map(|s| s.scheme_id_uri.as_deref().unwrap()).collect();
/// assert_eq!(schemes, ["urn:mpeg:dash:event:2012", "https://aomedia.org/emsg/ID3"]);
/// ```
pub type InbandEventStream = Descriptor;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..u64::MAX).prop_map(|v| v.to_string()),
            (-3i64..3).prop_map(|v| v.to_string()),
            Just("007".to_owned()),
            Just("-0".to_owned()),
            Just("1&amp;".to_owned()),
            Just("99999999999999999999".to_owned()),
            Just(String::new()),
        ]
    }

    proptest! {
        /// The `S` fast path agrees with the general attribute path whenever it is taken,
        /// and is not taken for repeated attributes.
        #[test]
        fn s_fast_path_agrees_with_the_general_path(
            entries in proptest::collection::vec(
                (prop_oneof![Just("t"), Just("n"), Just("d"), Just("r"), Just("k"), Just("x")], value()),
                0..6,
            ),
            single_quote: bool,
        ) {
            let q = if single_quote { '\'' } else { '"' };
            let raw: String = entries.iter().map(|(n, v)| format!(" {n}={q}{v}{q}")).collect();
            let mut fast = S::default();
            if s_fast_attrs(&mut fast, &raw) {
                let mut names: Vec<&str> = entries.iter().map(|e| e.0).collect();
                names.sort_unstable();
                names.dedup();
                prop_assert_eq!(names.len(), entries.len(), "repeated attribute taken: {}", raw);
                let mut slow = S::default();
                for (n, v) in &entries {
                    prop_assert!(matches!(slow.set_attr(n, v), AttrOutcome::Set), "{}", raw);
                }
                prop_assert_eq!(fast, slow);
            } else {
                prop_assert_eq!(fast, S::default());
            }
        }
    }

    #[test]
    fn s_fast_path_is_taken_for_packager_output() {
        let mut s = S::default();
        assert!(s_fast_attrs(&mut s, r#" t="0" d="180000" r="-1""#));
        assert_eq!((s.t, s.d, s.r), (Some(0), Some(180_000), Some(-1)));
        assert!(!s_fast_attrs(&mut S::default(), r#" d="01""#));
        assert!(!s_fast_attrs(&mut S::default(), r#" d="1" d="2""#));
    }
}
