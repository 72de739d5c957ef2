//! A plain XML element tree (names, attributes in order, child elements, text), what the MPD
//! patch diff compares: the live MPD is written by [`crate::mpd::write`] and read back here, so
//! the diff sees exactly the text a player got. Comments, processing instructions and blank text
//! are dropped; the depth and element count are bounded.

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use quick_xml::XmlVersion;

use crate::limits::MAX_MPD_BYTES;

/// Deepest nesting [`parse`] accepts (an MPD is about seven levels deep).
pub(crate) const MAX_DEPTH: usize = 64;
/// Most elements [`parse`] accepts.
pub(crate) const MAX_ELEMENTS: usize = 1_000_000;

/// An XML element.
///
/// ```
/// use dashkit::live::patch::tree::parse;
/// let mut mpd = parse(r#"<MPD id="a"><Period id="p0"><BaseURL> v/ </BaseURL></Period></MPD>"#).unwrap();
/// assert_eq!(mpd.name, "MPD");
/// assert_eq!(mpd.attrs, [("id".to_string(), "a".to_string())]);
/// assert_eq!(mpd.children[0].children[0].text, "v/"); // trimmed
/// let before = mpd.clone();
/// mpd.set_attr("id", "b");
/// assert_eq!(mpd.attr("id"), Some("b"));
/// assert!(!mpd.same(&before));
/// let mut out = String::new();
/// mpd.children[0].write(0, &mut out);
/// assert!(out.starts_with(r#"<Period id="p0">"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The qualified name as written (`MPD`, `S`).
    pub name: String,
    /// Attributes in document order: qualified name and value (unescaped).
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// The element's own text, concatenated and trimmed.
    pub text: String,
}

/// Why a document could not be read.
///
/// ```
/// use dashkit::live::patch::tree::parse;
/// let e = parse("<MPD><Period></MPD>").unwrap_err();
/// assert_eq!(e.offset, 13); // the `</MPD>` that closes nothing open
/// assert!(e.to_string().starts_with("XML at byte 13: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("XML at byte {offset}: {message}")]
pub struct TreeError {
    /// Where.
    pub offset: u64,
    /// What.
    pub message: String,
}

impl Element {
    /// The value of attribute `name`.
    ///
    /// ```
    /// let e = dashkit::live::patch::tree::parse(r#"<MPD id="a" type="dynamic"/>"#).unwrap();
    /// assert_eq!((e.attr("type"), e.attr("profiles")), (Some("dynamic"), None));
    /// ```
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets attribute `name` (replacing, or appending).
    ///
    /// ```
    /// let mut e = dashkit::live::patch::tree::parse(r#"<MPD id="a"/>"#).unwrap();
    /// e.set_attr("id", "b");
    /// e.set_attr("type", "static");
    /// assert_eq!(e.attrs, [("id".into(), "b".into()), ("type".into(), "static".into())]);
    /// ```
    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some(a) => a.1 = value.to_string(),
            None => self.attrs.push((name.to_string(), value.to_string())),
        }
    }

    /// Equal as XML (attribute order aside).
    ///
    /// ```
    /// use dashkit::live::patch::tree::parse;
    /// let a = parse(r#"<S t="0" d="2"/>"#).unwrap();
    /// assert!(a.same(&parse(r#"<S d="2" t="0"/>"#).unwrap())); // attribute order aside
    /// assert!(!a.same(&parse(r#"<S t="0" d="3"/>"#).unwrap()));
    /// ```
    pub fn same(&self, other: &Element) -> bool {
        self.name == other.name
            && self.text == other.text
            && self.attrs.len() == other.attrs.len()
            && self
                .attrs
                .iter()
                .all(|(k, v)| other.attr(k) == Some(v.as_str()))
            && self.children.len() == other.children.len()
            && self
                .children
                .iter()
                .zip(&other.children)
                .all(|(a, b)| a.same(b))
    }

    /// Writes the element as XML, indented by `indent` levels of two spaces.
    ///
    /// ```
    /// let e = dashkit::live::patch::tree::parse(r#"<Period id="p"><BaseURL>v/</BaseURL></Period>"#).unwrap();
    /// let mut out = String::new();
    /// e.write(1, &mut out);
    /// assert!(out.starts_with(r#"  <Period id="p">"#)); // one level: two spaces
    /// assert!(out.contains("<BaseURL>v/</BaseURL>"));
    /// ```
    pub fn write(&self, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        out.push_str(&pad);
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push_str(&format!(
                " {k}=\"{}\"",
                quick_xml::escape::escape(v.as_str())
            ));
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>\n");
            return;
        }
        out.push('>');
        if self.children.is_empty() {
            out.push_str(&quick_xml::escape::escape(self.text.as_str()));
        } else {
            out.push('\n');
            if !self.text.is_empty() {
                out.push_str(&pad);
                out.push_str("  ");
                out.push_str(&quick_xml::escape::escape(self.text.as_str()));
                out.push('\n');
            }
            for c in &self.children {
                c.write(indent + 1, out);
            }
            out.push_str(&pad);
        }
        out.push_str(&format!("</{}>\n", self.name));
    }
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix('x') {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// Reads the root element of `text`.
///
/// ```
/// use dashkit::live::patch::tree::parse;
/// let e = parse(r#"<MPD id="a"><Period id="p0"/><Location>x&amp;y</Location></MPD>"#).unwrap();
/// assert_eq!(e.attr("id"), Some("a"));
/// assert_eq!(e.children[1].text, "x&y");
/// ```
pub fn parse(text: &str) -> Result<Element, TreeError> {
    let err = |offset: u64, message: &str| TreeError {
        offset,
        message: message.to_string(),
    };
    if text.len() > MAX_MPD_BYTES {
        return Err(err(0, "document too long"));
    }
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    let mut root = None;
    loop {
        let at = reader.buffer_position();
        let ev = reader.read_event().map_err(|e| err(at, &e.to_string()))?;
        let start = |s: &quick_xml::events::BytesStart<'_>| -> Result<Element, TreeError> {
            let mut e = Element {
                name: s.name().into_inner().to_string(),
                ..Element::default()
            };
            for a in s.attributes() {
                let a = a.map_err(|x| err(at, &x.to_string()))?;
                let v = a
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|x| err(at, &x.to_string()))?;
                e.attrs
                    .push((a.key.into_inner().to_string(), v.into_owned()));
            }
            Ok(e)
        };
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(err(at, "too many or too deeply nested elements"));
                }
                if root.is_some() {
                    return Err(err(at, "element after the root"));
                }
                let e = start(s)?;
                if matches!(ev, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(p) => p.children.push(e),
                        None => root = Some(e),
                    }
                } else {
                    stack.push(e);
                }
            }
            Event::End(_) => {
                let mut e = stack.pop().ok_or_else(|| err(at, "unbalanced end tag"))?;
                e.text = e.text.trim().to_string();
                match stack.last_mut() {
                    Some(p) => p.children.push(e),
                    None => root = Some(e),
                }
            }
            Event::Text(t) => {
                if let Some(e) = stack.last_mut() {
                    // Entity references arrive as their own events.
                    e.text.push_str(&t.into_inner());
                }
            }
            Event::CData(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let name = r.into_inner().into_owned();
                let c = entity(&name).ok_or_else(|| err(at, "unknown entity"))?;
                if let Some(e) = stack.last_mut() {
                    e.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(err(text.len() as u64, "unclosed element"));
    }
    root.ok_or_else(|| err(0, "no root element"))
}
