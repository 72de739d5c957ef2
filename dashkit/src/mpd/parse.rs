//! MPD text -> [`Mpd`]: one pass over quick-xml's namespace-resolving event reader, straight
//! into the typed model (no intermediate tree), keeping everything the model does not type.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use quick_xml::XmlVersion;

use super::model::{
    s_fast_attrs, Attr, AttrOutcome, Element, Mpd, Node, SegmentTimeline, XmlElement, DASH_NS,
    MISC, S,
};
use super::{Error, Location};
use crate::limits::{MAX_MPD_BYTES, MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS};

/// Parses an MPD document.
///
/// The root must be `MPD` in the DASH namespace (any prefix) or in no namespace. Unknown
/// elements, attributes, comments and processing instructions are kept in place; see
/// [`crate::mpd::model`]. Errors carry line, column and element path.
///
/// ```
/// use dashkit::mpd::parse;
/// let mpd = parse(r#"<?xml version="1.0"?>
/// <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static">
///   <Period duration="PT30S">
///     <AdaptationSet mimeType="video/mp4" segmentAlignment="true">
///       <SegmentTemplate media="$Number$.m4s" duration="2" startNumber="1"/>
///       <Representation id="v1" bandwidth="800000"/>
///     </AdaptationSet>
///   </Period>
/// </MPD>"#).unwrap();
/// let aset = &mpd.periods[0].adaptation_sets[0];
/// assert_eq!(aset.representations[0].bandwidth, Some(800_000));
///
/// let err = parse("<MPD><Period start=\"soon\"/></MPD>").unwrap_err();
/// assert_eq!(err.location().path, "MPD/Period[0]/@start");
/// assert_eq!((err.location().line, err.location().column), (1, 14));
/// ```
pub fn parse(text: &str) -> Result<Mpd, Error> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser::new(body);
    if text.len() > MAX_MPD_BYTES {
        return Err(Error::Limit {
            at: p.location_at(0, None),
            what: "document bytes",
            limit: MAX_MPD_BYTES as u64,
        });
    }
    let mut prolog = Vec::new();
    let mut mpd: Option<Mpd> = None;
    let mut epilog = Vec::new();
    loop {
        let pos = p.pos();
        let ev = p.next_event()?;
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) if mpd.is_none() => {
                let empty = matches!(ev, Event::Empty(_));
                let is_dash = p.enter(s, pos)?;
                let local = s.local_name().into_inner();
                if !is_dash || local != "MPD" {
                    return Err(Error::NotMpd {
                        at: p.location_at(pos, None),
                        found: s.name().0.to_owned(),
                    });
                }
                p.path.push((Cow::Borrowed("MPD"), None));
                p.count_element(pos)?;
                let mut m: Mpd = parse_element(&mut p, s, empty)?;
                p.path.pop();
                m.prolog = std::mem::take(&mut prolog);
                mpd = Some(m);
            }
            Event::Start(_) | Event::Empty(_) | Event::End(_) => {
                return Err(p.xml_error(pos, "unexpected element after the root element"));
            }
            Event::Text(t) => {
                let raw = t.into_inner();
                if !is_blank(&raw) {
                    return Err(p.xml_error(pos, "text outside the root element"));
                }
            }
            Event::GeneralRef(_) | Event::CData(_) => {
                return Err(p.xml_error(pos, "text outside the root element"));
            }
            Event::Comment(c) => {
                let n = Node::Comment(c.into_inner().into_owned());
                if mpd.is_some() {
                    &mut epilog
                } else {
                    &mut prolog
                }
                .push(n);
            }
            Event::PI(pi) => {
                let n = Node::Pi(pi.into_inner().into_owned());
                if mpd.is_some() {
                    &mut epilog
                } else {
                    &mut prolog
                }
                .push(n);
            }
            Event::Decl(d) => prolog.push(Node::Decl((*d).to_owned())),
            Event::DocType(d) => prolog.push(Node::DocType(d.into_inner().into_owned())),
            Event::Eof => break,
        }
    }
    match mpd {
        Some(mut m) => {
            m.epilog = epilog;
            Ok(m)
        }
        None => Err(p.xml_error(body.len(), "no root element")),
    }
}

/// Whether `uri` names the MPD namespace: [`DASH_NS`], or the upper-case spelling of the
/// first edition's drafts, `urn:mpeg:DASH:schema:MPD:2011`, which ffmpeg's
/// `webm_dash_manifest` muxer still writes (WebM DASH manifests in the field use it).
pub(crate) fn is_dash_ns(uri: &str) -> bool {
    uri == DASH_NS || uri == "urn:mpeg:DASH:schema:MPD:2011"
}

/// Reader state: the event reader, the element path for error locations, and counters for
/// the limits.
pub(crate) struct Parser<'i> {
    reader: Reader<&'i [u8]>,
    /// Namespace declarations in scope: prefix (`None` for the default namespace) and URI
    /// (empty for an undeclared default).
    ns: Vec<(Option<String>, String)>,
    input: &'i str,
    /// Path segments: local name and sibling index (None for the root).
    path: Vec<(Cow<'i, str>, Option<u32>)>,
    elements: u64,
    /// Input bytes consumed by [`scan_s_run`] behind the event reader's back (its own
    /// position does not count them).
    skipped: usize,
}

impl<'i> Parser<'i> {
    fn new(input: &'i str) -> Self {
        let mut reader = Reader::from_str(input);
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.expand_empty_elements = false;
        Parser {
            reader,
            input,
            ns: Vec::new(),
            path: Vec::new(),
            elements: 0,
            skipped: 0,
        }
    }

    fn pos(&self) -> usize {
        usize::try_from(self.reader.buffer_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.skipped)
    }

    /// Brings the namespace declarations of `start` into scope (the caller truncates
    /// [`Parser::ns`] back when the element ends) and says whether its name is in the DASH
    /// namespace or in none (XML Namespaces §6.2; unbound prefixes are not DASH).
    pub(crate) fn enter(&mut self, start: &BytesStart<'_>, pos: usize) -> Result<bool, Error> {
        self.check_name(start, pos)?;
        if start.attributes_raw().contains("xmlns") {
            for attr in start.attributes().with_checks(false) {
                let attr = attr.map_err(|e| self.xml_error(pos, &e.to_string()))?;
                let key = attr.key.0;
                let prefix = if key == "xmlns" {
                    None
                } else if let Some(p) = key.strip_prefix("xmlns:") {
                    Some(p)
                } else {
                    continue;
                };
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.xml_error(pos, &e.to_string()))?;
                self.ns
                    .push((prefix.map(str::to_owned), value.into_owned()));
            }
        }
        let prefix = start.name().prefix().map(|p| p.into_inner());
        let uri = self
            .ns
            .iter()
            .rev()
            .find(|(p, _)| p.as_deref() == prefix)
            .map(|(_, u)| u.as_str());
        Ok(match (prefix, uri) {
            (None, None) => true,
            (None, Some(u)) => u.is_empty() || is_dash_ns(u),
            (Some(_), Some(u)) => is_dash_ns(u),
            (Some(_), None) => false,
        })
    }

    /// Steps over white space up to a `<` (nothing else) without the event reader, which
    /// would return it as a text event. Only where the reader expects text, i.e. not right
    /// after a text event (then it has already read the `<`).
    fn skip_blank_before_markup(&mut self) {
        let rest: &[u8] = self.reader.get_ref();
        let n = rest
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        if n > 0 && rest.get(n) == Some(&b'<') {
            if let Some(left) = rest.get(n..) {
                *self.reader.get_mut() = left;
                self.skipped += n;
            }
        }
    }

    /// The next event.
    fn next_event(&mut self) -> Result<Event<'i>, Error> {
        let pos = self.pos();
        match self.reader.read_event() {
            Ok(ev) => Ok(ev),
            Err(e) => {
                let at = usize::try_from(self.reader.error_position())
                    .map_or(pos, |e| e.saturating_add(self.skipped));
                Err(Error::Xml {
                    at: self.location_at(at.max(pos), None),
                    message: e.to_string(),
                })
            }
        }
    }

    /// An element name must be an XML name: not empty, no white space, and not starting with
    /// a digit, `-`, `.` or `:` (quick-xml lets `< />` through as an element with no name).
    fn check_name(&self, start: &BytesStart<'_>, pos: usize) -> Result<(), Error> {
        let name = start.name().0;
        let ok = name.chars().next().is_some_and(|c| {
            !c.is_ascii_digit() && !matches!(c, '-' | '.' | ':') && !c.is_whitespace()
        }) && !name.chars().any(char::is_whitespace);
        if ok {
            Ok(())
        } else {
            Err(self.xml_error(pos, &format!("invalid element name {name:?}")))
        }
    }

    fn xml_error(&self, offset: usize, message: &str) -> Error {
        Error::Xml {
            at: self.location_at(offset, None),
            message: message.to_owned(),
        }
    }

    fn count_element(&mut self, pos: usize) -> Result<(), Error> {
        self.elements += 1;
        if self.elements > MAX_XML_ELEMENTS {
            return Err(Error::Limit {
                at: self.location_at(pos, None),
                what: "elements",
                limit: MAX_XML_ELEMENTS,
            });
        }
        if self.path.len() > MAX_XML_DEPTH {
            return Err(Error::Limit {
                at: self.location_at(pos, None),
                what: "nesting depth",
                limit: MAX_XML_DEPTH as u64,
            });
        }
        Ok(())
    }

    /// Byte offset of a slice borrowed from the input, if it is one.
    fn offset_of(&self, s: &str) -> Option<usize> {
        let base = self.input.as_ptr() as usize;
        let p = s.as_ptr() as usize;
        (p >= base && p <= base + self.input.len()).then(|| p - base)
    }

    /// A location at byte `offset`, with the current path (plus `/@attr`).
    pub(crate) fn location_at(&self, offset: usize, attr: Option<&str>) -> Location {
        let offset = offset.min(self.input.len());
        let before = self.input.get(..offset).unwrap_or("");
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        let mut path = String::new();
        for (i, (name, idx)) in self.path.iter().enumerate() {
            if i > 0 {
                path.push('/');
            }
            path.push_str(name);
            if let Some(idx) = idx {
                path.push_str(&format!("[{idx}]"));
            }
        }
        if let Some(a) = attr {
            path.push_str("/@");
            path.push_str(a);
        }
        Location {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            path,
        }
    }
}

/// Text collected between non-text events of one element.
#[derive(Default)]
struct PendingText<'i> {
    text: String,
    pos: usize,
    /// White space seen while `text` was empty: kept aside without copying, and put in
    /// front of `text` only if non-blank text or a character reference follows.
    blank: Cow<'i, str>,
}

impl PendingText<'_> {
    fn start(&mut self, pos: usize) {
        if self.text.is_empty() {
            self.pos = pos;
            self.text.push_str(&self.blank);
        }
    }
}

fn resolve_ref(
    p: &Parser<'_>,
    pos: usize,
    name: &str,
    is_char: Option<char>,
) -> Result<char, Error> {
    if let Some(c) = is_char {
        return Ok(c);
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(p.xml_error(pos, "unknown entity reference")),
    }
}

/// Reads the attributes of `start` into `el`.
fn read_attrs<T: XmlElement>(
    p: &Parser<'_>,
    start: &BytesStart<'_>,
    el: &mut T,
    pos: usize,
) -> Result<(), Error> {
    let raw = start.attributes_raw();
    if el.fast_attrs(raw) {
        return check_required(p, el, pos);
    }
    if simple_attrs(p, raw, el, pos)? {
        return check_required(p, el, pos);
    }
    // Something unusual (entities, white space around `=`, odd syntax): start over with
    // quick-xml's attribute reader, which also reports syntax errors.
    *el = T::default();
    general_attrs(p, start, el, pos)?;
    check_required(p, el, pos)
}

/// All attributes through quick-xml's reader (normalization, entities, syntax errors).
fn general_attrs<T: XmlElement>(
    p: &Parser<'_>,
    start: &BytesStart<'_>,
    el: &mut T,
    pos: usize,
) -> Result<(), Error> {
    // quick-xml's duplicate check allocates per element; `apply_attr` checks instead.
    for (n, attr) in start.attributes().with_checks(false).enumerate() {
        if n >= MAX_XML_ATTRIBUTES {
            return Err(attr_limit(p, pos));
        }
        let attr = attr.map_err(|e| p.xml_error(pos, &e.to_string()))?;
        let key = attr.key.0;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| p.xml_error(p.offset_of(key).unwrap_or(pos), &e.to_string()))?;
        apply_attr(p, el, key, value, pos)?;
    }
    Ok(())
}

fn attr_limit(p: &Parser<'_>, pos: usize) -> Error {
    Error::Limit {
        at: p.location_at(pos, None),
        what: "attributes of one element",
        limit: MAX_XML_ATTRIBUTES as u64,
    }
}

/// Reads attributes of the common simple form `name="value"` (single spaces or other white
/// space between them, no entity or white-space character inside values, which would need
/// normalization). Returns false as soon as something else appears; the caller then starts
/// over on the general path.
fn simple_attrs<T: XmlElement>(
    p: &Parser<'_>,
    raw: &str,
    el: &mut T,
    pos: usize,
) -> Result<bool, Error> {
    let b = raw.as_bytes();
    let mut i = 0;
    let mut n = 0;
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if i >= b.len() {
            return Ok(true);
        }
        let name_start = i;
        while i < b.len()
            && !matches!(
                b[i],
                b'=' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'<' | b'>' | b'&'
            )
        {
            i += 1;
        }
        if i == name_start || b.get(i) != Some(&b'=') {
            return Ok(false);
        }
        let quote = match b.get(i + 1) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Ok(false),
        };
        let value_start = i + 2;
        let Some(len) = b
            .get(value_start..)
            .and_then(|rest| rest.iter().position(|&c| c == quote))
        else {
            return Ok(false);
        };
        let value_end = value_start + len;
        let (Some(key), Some(value)) = (raw.get(name_start..i), raw.get(value_start..value_end))
        else {
            return Ok(false);
        };
        if value
            .bytes()
            .any(|c| matches!(c, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
        {
            return Ok(false);
        }
        n += 1;
        if n > MAX_XML_ATTRIBUTES {
            return Err(attr_limit(p, pos));
        }
        apply_attr(p, el, key, Cow::Borrowed(value), pos)?;
        i = value_end + 1;
        // Attributes must be separated by white space.
        if i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            return Ok(false);
        }
    }
}

/// Stores one attribute: typed when the element knows it, kept otherwise.
fn apply_attr<T: XmlElement>(
    p: &Parser<'_>,
    el: &mut T,
    key: &str,
    value: Cow<'_, str>,
    pos: usize,
) -> Result<(), Error> {
    let at_offset = || p.offset_of(key).unwrap_or(pos);
    let duplicate = || p.xml_error(at_offset(), "duplicate attribute");
    if key.contains(':') || key == "xmlns" {
        if el.extra().attrs.iter().any(|a| a.name == key) {
            return Err(duplicate());
        }
        el.extra_mut().attrs.push(Attr {
            name: key.to_owned(),
            value: value.into_owned(),
        });
        return Ok(());
    }
    if el.has_attr(key) {
        return Err(duplicate());
    }
    match el.set_attr(key, &value) {
        AttrOutcome::Set => {}
        AttrOutcome::Unknown if el.extra().attrs.iter().any(|a| a.name == key) => {
            return Err(duplicate());
        }
        AttrOutcome::Unknown => el.extra_mut().attrs.push(Attr {
            name: key.to_owned(),
            value: value.into_owned(),
        }),
        AttrOutcome::SetNonCanonical => {
            // Kept sorted by name: typed attributes are written in a fixed order, so the
            // source order of their lexical forms must not be part of the model.
            let lexical = &mut el.extra_mut().lexical;
            let at = lexical.partition_point(|a| a.name.as_str() < key);
            lexical.insert(
                at,
                Attr {
                    name: key.to_owned(),
                    value: value.into_owned(),
                },
            );
        }
        AttrOutcome::Invalid(expected) => {
            return Err(Error::InvalidAttribute {
                at: p.location_at(at_offset(), Some(key)),
                value: value.into_owned(),
                expected,
            })
        }
    }
    Ok(())
}

fn check_required<T: XmlElement>(p: &Parser<'_>, el: &T, pos: usize) -> Result<(), Error> {
    for req in T::REQUIRED {
        if !el.has_attr(req) {
            return Err(Error::MissingAttribute {
                at: p.location_at(pos, Some(req)),
            });
        }
    }
    Ok(())
}

/// Parses the element whose start tag is `start` (already read) into a typed `T`, reading
/// through its end tag. The caller has pushed its path segment.
pub(crate) fn parse_element<T: XmlElement>(
    p: &mut Parser<'_>,
    start: &BytesStart<'_>,
    empty: bool,
) -> Result<T, Error> {
    let mut el = T::default();
    parse_element_into(p, start, empty, &mut el)?;
    Ok(el)
}

/// [`parse_element`] into a default-made `el` in place (no move of large structs).
pub(crate) fn parse_element_into<'i, T: XmlElement>(
    p: &mut Parser<'i>,
    start: &BytesStart<'_>,
    empty: bool,
    el: &mut T,
) -> Result<(), Error> {
    let tag_pos = p
        .offset_of(start.name().0)
        .map_or(0, |o| o.saturating_sub(1));
    read_attrs(p, start, el, tag_pos)?;
    if let Some(prefix) = start.name().prefix() {
        el.extra_mut().prefix = Some(prefix.into_inner().to_owned());
    }
    if empty {
        return Ok(());
    }
    el.fast_children(p);
    let mut pending = PendingText::default();
    let mut unknown_counts: Option<HashMap<String, u32>> = None;
    let mut last_kind = 0u8;
    let mut after_text = false;
    loop {
        // White space between tags is dropped here anyway: step over it without an event.
        if after_text {
            after_text = false;
        } else if pending.text.is_empty() && el.text().is_none() {
            p.skip_blank_before_markup();
        }
        let pos = p.pos();
        let ev = p.next_event()?;
        let flush = |el: &mut T, pending: &mut PendingText<'i>| {
            pending.blank = Cow::Borrowed("");
            if !pending.text.is_empty() {
                let t = std::mem::take(&mut pending.text);
                if !is_blank(&t) {
                    el.extra_mut().nodes.push(Node::Text(t));
                    push_misc(el);
                }
            }
        };
        match ev {
            Event::Text(t) => {
                let raw = t.xml10_content();
                if let Some(text) = el.text_mut() {
                    text.push_str(&raw);
                } else if pending.text.is_empty() && is_blank(&raw) {
                    pending.blank = raw;
                } else {
                    pending.start(pos);
                    pending.text.push_str(&raw);
                }
                after_text = true;
                continue;
            }
            Event::GeneralRef(r) => {
                let c = resolve_ref(
                    p,
                    pos,
                    &r.xml10_content(),
                    r.resolve_char_ref()
                        .map_err(|e| p.xml_error(pos, &e.to_string()))?,
                )?;
                if let Some(text) = el.text_mut() {
                    text.push(c);
                } else {
                    pending.start(pos);
                    pending.text.push(c);
                }
                continue;
            }
            Event::CData(c) => {
                flush(el, &mut pending);
                let c = c.into_inner().into_owned();
                if let Some(text) = el.text_mut() {
                    text.push_str(&c);
                } else {
                    el.extra_mut().nodes.push(Node::CData(c));
                    push_misc(el);
                }
            }
            Event::Start(ref s) | Event::Empty(ref s) => {
                flush(el, &mut pending);
                let child_empty = matches!(ev, Event::Empty(_));
                let local = s.local_name().into_inner();
                let ns_mark = p.ns.len();
                let is_dash = p.enter(s, pos)?;
                let kind = if is_dash {
                    T::CHILD_TAGS.iter().position(|&t| t == local)
                } else {
                    None
                };
                match kind.and_then(|k| u8::try_from(k).ok()) {
                    Some(kind) => {
                        let idx = el.child_count(kind);
                        let name = T::CHILD_TAGS.get(usize::from(kind)).copied().unwrap_or("");
                        let single = T::CHILD_SINGLE
                            .get(usize::from(kind))
                            .copied()
                            .unwrap_or(false);
                        let idx = (!single).then(|| u32::try_from(idx).unwrap_or(u32::MAX));
                        p.path.push((Cow::Borrowed(name), idx));
                        p.count_element(pos)?;
                        // Children in schema order leave `order` empty (the writer's
                        // default); the first one out of order writes it out in full.
                        if !el.extra().order.is_empty() || kind < last_kind {
                            spell_out_order(el);
                        }
                        last_kind = kind;
                        if !el.parse_child(kind, p, s, child_empty)? {
                            return Err(Error::DuplicateElement {
                                at: p.location_at(pos, None),
                            });
                        }
                        p.path.pop();
                        if !el.extra().order.is_empty() {
                            el.extra_mut().order.push(kind);
                        }
                    }
                    None => {
                        let counts = unknown_counts.get_or_insert_with(HashMap::new);
                        let qname = s.name().0;
                        let idx = match counts.get_mut(qname) {
                            Some(c) => {
                                *c += 1;
                                *c
                            }
                            None => {
                                counts.insert(qname.to_owned(), 0);
                                0
                            }
                        };
                        p.path.push((Cow::Owned(qname.to_owned()), Some(idx)));
                        p.count_element(pos)?;
                        let node = parse_generic(p, s, child_empty, pos)?;
                        p.path.pop();
                        el.extra_mut().nodes.push(Node::Element(node));
                        push_misc(el);
                    }
                }
                p.ns.truncate(ns_mark);
            }
            Event::End(_) => {
                flush(el, &mut pending);
                return Ok(());
            }
            Event::Comment(c) => {
                flush(el, &mut pending);
                el.extra_mut()
                    .nodes
                    .push(Node::Comment(c.into_inner().into_owned()));
                push_misc(el);
            }
            Event::PI(pi) => {
                flush(el, &mut pending);
                el.extra_mut()
                    .nodes
                    .push(Node::Pi(pi.into_inner().into_owned()));
                push_misc(el);
            }
            Event::Decl(_) | Event::DocType(_) => {
                return Err(p.xml_error(pos, "declaration inside an element"));
            }
            Event::Eof => {
                return Err(p.xml_error(pos, "unexpected end of document: element not closed"));
            }
        }
    }
}

/// Reads the leading run of plain `<S .../>` children of a `SegmentTimeline` straight from
/// the input, without the event reader: the hot path of long timelines. Called right after
/// the start tag, while the reader expects text. Each entry must be white space, `<S`, white
/// space, attributes that [`s_fast_attrs`] takes (which includes `@d`), and `/>`; the default
/// namespace must be the DASH one or none; the element and depth limits must not be reached.
/// The run ends before the first thing that is anything else, which the event reader then
/// reads as usual, so results and errors are the same as without this scan (a test compares
/// the two).
pub(crate) fn scan_s_run(tl: &mut SegmentTimeline, p: &mut Parser<'_>) {
    if !tl.s.is_empty() || !tl.extra.order.is_empty() || p.path.len() >= MAX_XML_DEPTH {
        return;
    }
    let default_ns =
        p.ns.iter()
            .rev()
            .find(|(prefix, _)| prefix.is_none())
            .map(|(_, uri)| uri.as_str());
    if !default_ns.is_none_or(|u| u.is_empty() || is_dash_ns(u)) {
        return;
    }
    let base = p.pos();
    let Some(rest) = p.input.get(base..) else {
        return;
    };
    // Only where the reader stands (it has not read ahead).
    if p.reader.get_ref().len() != rest.len() {
        return;
    }
    let b = rest.as_bytes();
    let mut i = 0usize;
    let mut done = 0usize;
    loop {
        while b
            .get(i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            i += 1;
        }
        if b.get(i..i + 2) != Some(b"<S")
            || !b
                .get(i + 2)
                .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            break;
        }
        let attrs = i + 2;
        let Some(close) = b
            .get(attrs..)
            .and_then(|t| t.iter().position(|&c| c == b'>'))
            .map(|k| attrs + k)
        else {
            break;
        };
        if close == attrs || b.get(close - 1) != Some(&b'/') {
            break;
        }
        let Some(raw) = rest.get(attrs..close - 1) else {
            break;
        };
        let mut s = S::default();
        if !s_fast_attrs(&mut s, raw) || s.d.is_none() || p.elements >= MAX_XML_ELEMENTS {
            break;
        }
        p.elements += 1;
        tl.s.push(s);
        i = close + 1;
        done = i;
    }
    if let Some(left) = p.reader.get_ref().get(done..) {
        *p.reader.get_mut() = left;
        p.skipped += done;
    }
}

/// Records a kept node in the child order (writing out the order first if it was implied).
fn push_misc<T: XmlElement>(el: &mut T) {
    spell_out_order(el);
    el.extra_mut().order.push(MISC);
}

/// While an element's children come in schema order with no kept node among them, its
/// [`super::model::ExtraData::order`] stays empty (the writer then uses schema order, which is
/// the same). Before the first child that breaks that, the implied order is written out:
/// every child read so far, kind by kind.
fn spell_out_order<T: XmlElement>(el: &mut T) {
    if !el.extra().order.is_empty() {
        return;
    }
    for kind in 0..T::CHILD_TAGS.len() {
        let Ok(k) = u8::try_from(kind) else {
            break;
        };
        let n = el.child_count(k);
        let order = &mut el.extra_mut().order;
        order.extend(std::iter::repeat_n(k, n));
    }
}

/// Parses an element the model does not know into a generic tree.
fn parse_generic<'i>(
    p: &mut Parser<'i>,
    start: &BytesStart<'_>,
    empty: bool,
    tag_pos: usize,
) -> Result<Element, Error> {
    p.check_name(start, tag_pos)?;
    let mut el = Element {
        name: start.name().0.to_owned(),
        ..Element::default()
    };
    for (n, attr) in start.attributes().with_checks(false).enumerate() {
        if n >= MAX_XML_ATTRIBUTES {
            return Err(Error::Limit {
                at: p.location_at(tag_pos, None),
                what: "attributes of one element",
                limit: MAX_XML_ATTRIBUTES as u64,
            });
        }
        let attr = attr.map_err(|e| p.xml_error(tag_pos, &e.to_string()))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| p.xml_error(tag_pos, &e.to_string()))?;
        if el.attrs.iter().any(|a| a.name == attr.key.0) {
            return Err(p.xml_error(tag_pos, "duplicate attribute"));
        }
        el.attrs.push(Attr {
            name: attr.key.0.to_owned(),
            value: value.into_owned(),
        });
    }
    if empty {
        return Ok(el);
    }
    let mut pending = PendingText::default();
    let flush = |el: &mut Element, pending: &mut PendingText<'i>| {
        pending.blank = Cow::Borrowed("");
        if !pending.text.is_empty() {
            let t = std::mem::take(&mut pending.text);
            if !is_blank(&t) {
                el.children.push(Node::Text(t));
            }
        }
    };
    let mut counts: HashMap<String, u32> = HashMap::new();
    loop {
        let pos = p.pos();
        let ev = p.next_event()?;
        match ev {
            Event::Text(t) => {
                let raw = t.xml10_content();
                if pending.text.is_empty() && is_blank(&raw) {
                    pending.blank = raw;
                } else {
                    pending.start(pos);
                    pending.text.push_str(&raw);
                }
            }
            Event::GeneralRef(r) => {
                let c = resolve_ref(
                    p,
                    pos,
                    &r.xml10_content(),
                    r.resolve_char_ref()
                        .map_err(|e| p.xml_error(pos, &e.to_string()))?,
                )?;
                pending.start(pos);
                pending.text.push(c);
            }
            Event::CData(c) => {
                flush(&mut el, &mut pending);
                el.children.push(Node::CData(c.into_inner().into_owned()));
            }
            Event::Start(ref s) | Event::Empty(ref s) => {
                flush(&mut el, &mut pending);
                let child_empty = matches!(ev, Event::Empty(_));
                let qname = s.name().0;
                let idx = match counts.get_mut(qname) {
                    Some(c) => {
                        *c += 1;
                        *c
                    }
                    None => {
                        counts.insert(qname.to_owned(), 0);
                        0
                    }
                };
                p.path.push((Cow::Owned(qname.to_owned()), Some(idx)));
                p.count_element(pos)?;
                let child = parse_generic(p, s, child_empty, pos)?;
                p.path.pop();
                el.children.push(Node::Element(child));
            }
            Event::End(_) => {
                flush(&mut el, &mut pending);
                return Ok(el);
            }
            Event::Comment(c) => {
                flush(&mut el, &mut pending);
                el.children.push(Node::Comment(c.into_inner().into_owned()));
            }
            Event::PI(pi) => {
                flush(&mut el, &mut pending);
                el.children.push(Node::Pi(pi.into_inner().into_owned()));
            }
            Event::Decl(_) | Event::DocType(_) => {
                return Err(p.xml_error(pos, "declaration inside an element"));
            }
            Event::Eof => {
                return Err(p.xml_error(pos, "unexpected end of document: element not closed"));
            }
        }
    }
}

/// Whether `s` is only XML white space (space, tab, CR, LF).
fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpd::model::AdaptationSet;
    use proptest::prelude::*;

    fn attr() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            Just("id"),
            Just("lang"),
            Just("width"),
            Just("segmentAlignment"),
            Just("v:x"),
            Just("xmlns:v"),
            Just("unknown"),
        ];
        let value = prop_oneof![
            "[a-z0-9 :/.]{0,6}",
            Just("1&amp;2".to_owned()),
            Just("a\tb".to_owned()),
            Just("007".to_owned()),
            Just("true".to_owned()),
        ];
        let sep = prop_oneof![Just(" "), Just("\n  "), Just(" = ")];
        (name, value, sep).prop_map(|(n, v, s)| {
            let s = if s == " = " {
                s.to_owned()
            } else {
                "=".to_owned()
            };
            format!(" {n}{s}\"{v}\"")
        })
    }

    /// Issue 19: ffmpeg's WebM DASH manifests use the drafts' upper-case namespace.
    #[test]
    fn the_drafts_upper_case_namespace_is_the_mpd_namespace() {
        let m = parse(
            r#"<MPD xmlns="urn:mpeg:DASH:schema:MPD:2011" type="static"><Period id="0"/></MPD>"#,
        )
        .unwrap();
        assert_eq!(m.periods[0].id.as_deref(), Some("0"));
        assert!(crate::mpd::write(&m).contains("urn:mpeg:DASH:schema:MPD:2011"));
    }

    #[test]
    fn child_order_is_kept_only_when_it_is_not_schema_order() {
        let canonical = parse("<MPD><BaseURL>a/</BaseURL><Period/><Period/></MPD>").unwrap();
        assert!(canonical.extra.order.is_empty());
        assert!(canonical.extra.is_unallocated());
        let src = "<MPD><Period id=\"1\"/><BaseURL>a/</BaseURL><!--c--><Period id=\"2\"/></MPD>";
        let m = parse(src).unwrap();
        // Child kinds by declaration index: BaseURL 1, Period 6 (after PatchLocation).
        assert_eq!(m.extra.order, [6, 1, MISC, 6]);
        let out = crate::mpd::write(&m);
        let at = |needle: &str| out.find(needle).unwrap();
        assert!(at("id=\"1\"") < at("<BaseURL>") && at("<BaseURL>") < at("<!--c-->"));
        assert!(at("<!--c-->") < at("id=\"2\""));
        assert_eq!(parse(&out).unwrap(), m);
        // A kept node after children in schema order spells the order out from there.
        let m = parse("<MPD><BaseURL>a/</BaseURL><Period/><!--c--></MPD>").unwrap();
        assert_eq!(m.extra.order, [1, 6, MISC]);
    }

    #[test]
    fn white_space_stepped_over_only_between_tags() {
        let m = parse("<MPD>a&amp; <BaseURL>  b/\n </BaseURL>\n  <Period/> c \n</MPD>").unwrap();
        assert_eq!(m.base_urls[0].url, "  b/\n ");
        assert_eq!(
            m.extra.nodes,
            [Node::Text("a& ".to_owned()), Node::Text(" c \n".to_owned())]
        );
        let err = parse("<MPD>\n   \n  <Period>\n    </MPD>").unwrap_err();
        assert_eq!(
            (err.location().line, err.location().column),
            (4, 5),
            "{err}"
        );
    }

    fn timeline_doc(head: &str, body: &str) -> String {
        format!(
            "<MPD><Period><AdaptationSet><SegmentTemplate><SegmentTimeline>{head}\n{body}\n\
             </SegmentTimeline></SegmentTemplate></AdaptationSet></Period></MPD>"
        )
    }

    fn timeline(m: &Mpd) -> &crate::mpd::SegmentTimeline {
        let a = &m.periods[0].adaptation_sets[0];
        a.segment_template
            .as_ref()
            .unwrap()
            .segment_timeline
            .as_ref()
            .unwrap()
    }

    #[test]
    fn s_run_scan_reads_plain_entries_and_stops_at_anything_else() {
        let body = "<S t=\"0\" d=\"2\" r=\"1\"/>\n  <S d=\"3\" />\n<S d=\"04\"/><S d=\"5\"/>";
        let m = parse(&timeline_doc("", body)).unwrap();
        let s = &timeline(&m).s;
        assert_eq!(s.len(), 4);
        assert_eq!(
            (s[0].t, s[0].d, s[0].r, s[1].d, s[2].d),
            (Some(0), Some(2), Some(1), Some(3), Some(4))
        );
        assert_eq!(s[2].extra.lexical[0].value, "04");
        assert!(timeline(&m).extra.order.is_empty());
        // An error after the scanned run is located as the event reader would locate it.
        let err = parse(&timeline_doc("", "<S d=\"1\"/>\n  <S d=\"x\"/>")).unwrap_err();
        assert_eq!(
            err.location().path,
            "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate/SegmentTimeline/S[1]/@d"
        );
        assert_eq!((err.location().line, err.location().column), (3, 6));
        // So is an error of the event reader itself, and a missing attribute.
        let doc = timeline_doc("", "<S d=\"1\"/>\n  <S d=\"2\"/>\n  </S>");
        let err = parse(&doc).unwrap_err();
        let general = parse(&timeline_doc(
            "<!--x-->",
            "<S d=\"1\"/>\n  <S d=\"2\"/>\n  </S>",
        ));
        assert_eq!(Err(err.clone()), general.map(|_| ()));
        assert_eq!(err.location().line, 4, "{err}");
        let err = parse(&timeline_doc("", "<S d=\"1\"/>\n  <S/>")).unwrap_err();
        assert_eq!(
            (err.location().line, err.location().column),
            (3, 3),
            "{err}"
        );
    }

    fn s_entry() -> impl Strategy<Value = String> {
        prop_oneof![
            (any::<u32>(), 1u32..).prop_map(|(t, d)| format!("<S t=\"{t}\" d=\"{d}\"/>")),
            (1u32.., -1i64..3).prop_map(|(d, r)| format!("<S d=\"{d}\" r=\"{r}\"/>")),
            Just("<S d=\"01\"/>".to_owned()),
            Just("<S d=\"1\" x=\"2\"/>".to_owned()),
            Just("<S d=\"1\"></S>".to_owned()),
            Just("<S d='7' />".to_owned()),
            Just("<S\td=\"1\"/>".to_owned()),
            Just("<S/>".to_owned()),
            Just("<S d=\"a\"/>".to_owned()),
            Just("<S d=\"1&#51;\"/>".to_owned()),
            Just("<S d=\"1\" d=\"2\"/>".to_owned()),
            Just("<S d=\"1\"/".to_owned()),
            Just("<Sx d=\"1\"/>".to_owned()),
            Just("<!-- c -->".to_owned()),
            Just("</S>".to_owned()),
            Just("<v:S xmlns:v=\"urn:mpeg:dash:schema:mpd:2011\" d=\"3\"/>".to_owned()),
        ]
    }

    proptest! {
        /// The `S` run scanner gives what the event reader gives: the same entries, or the
        /// same error (the reference document starts with a comment, which disables the scan).
        #[test]
        fn s_run_scan_agrees_with_the_event_reader(
            entries in proptest::collection::vec((s_entry(), prop_oneof![Just(""), Just("\n    "), Just(" ")]), 0..12),
        ) {
            let body: String = entries.iter().map(|(e, sep)| format!("{sep}{e}")).collect();
            let fast = parse(&timeline_doc("", &body));
            let general = parse(&timeline_doc("<!--x-->", &body));
            match (fast, general) {
                (Ok(a), Ok(b)) => prop_assert_eq!(&timeline(&a).s, &timeline(&b).s),
                (a, b) => prop_assert_eq!(a.map(|_| ()), b.map(|_| ())),
            }
        }
    }

    proptest! {
        /// The simple attribute scanner and quick-xml's reader agree whenever the simple
        /// one accepts the tag.
        #[test]
        fn simple_and_general_attribute_paths_agree(attrs in proptest::collection::vec(attr(), 0..5)) {
            let doc = format!("<AdaptationSet{}/>", attrs.concat());
            let mut p = Parser::new(&doc);
            let Ok(Event::Empty(start)) = p.reader.read_event() else {
                return Ok(()); // not well-formed at all: nothing to compare
            };
            let mut simple = AdaptationSet::default();
            let mut general = AdaptationSet::default();
            let a = simple_attrs(&p, start.attributes_raw(), &mut simple, 0);
            let b = general_attrs(&p, &start, &mut general, 0);
            if let Ok(true) = a {
                prop_assert!(b.is_ok(), "{doc}: {b:?}");
                prop_assert_eq!(simple, general);
            } else if let Err(e) = a {
                prop_assert_eq!(Err(e), b.map(|_| ()));
            }
        }
    }
}
