//! [`Mpd`] -> MPD text. A hand-rolled writer into one `String`: two-space indentation,
//! children in their source order (see [`ExtraData::order`](super::model::ExtraData::order)),
//! kept attributes and nodes in place. Elements with text content are written inline so their
//! text is not changed.

use super::model::{Attr, Element, Extra, Mpd, Node, XmlElement, XsValue, MISC, S};

/// Writes an MPD document.
///
/// Children are written in the order they were read; children added in code follow, in
/// schema order. Known attributes come in a fixed order after namespace declarations, then
/// the unknown ones in source order. Whitespace between elements is normalized to two-space
/// indentation; everything else reads back equal: `parse(&write(&m)) == Ok(m)`.
///
/// ```
/// use dashkit::mpd::{parse, write};
/// let src = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:v="urn:vendor"
///   minBufferTime="PT0H0M1.500S"><!-- kept --><v:hint level="3"/><Period/></MPD>"#;
/// let mpd = parse(src).unwrap();
/// let out = write(&mpd);
/// assert!(out.contains(r#"minBufferTime="PT0H0M1.500S""#));
/// assert!(out.contains("<!-- kept -->\n  <v:hint level=\"3\"/>\n  <Period/>"));
/// assert_eq!(parse(&out).unwrap(), mpd);
/// ```
pub fn write(mpd: &Mpd) -> String {
    let mut w = Writer {
        out: Out(Vec::with_capacity(estimate_len(mpd))),
        depth: 0,
        inline: 0,
        scratch: [0; S_SCRATCH],
    };
    for n in &mpd.prolog {
        w.node(n);
    }
    write_element(&mut w, "MPD", mpd);
    for n in &mpd.epilog {
        w.node(n);
    }
    w.out.push('\n');
    // Everything appended was a `str` or ASCII, so this cannot fail.
    String::from_utf8(w.out.0)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A generous guess of the output size, so long timelines are not copied while the
/// buffer grows.
fn estimate_len(mpd: &Mpd) -> usize {
    fn timeline(t: Option<&super::model::SegmentTimeline>) -> usize {
        t.map_or(0, |t| t.s.len() * 48)
    }
    let mut n = 4096usize;
    for p in &mpd.periods {
        n = n.saturating_add(1024);
        let pt = p
            .segment_template
            .as_deref()
            .and_then(|t| t.segment_timeline.as_ref());
        n = n.saturating_add(timeline(pt));
        for a in &p.adaptation_sets {
            n = n.saturating_add(1024 + 512 * a.representations.len());
            let at = a
                .segment_template
                .as_deref()
                .and_then(|t| t.segment_timeline.as_ref());
            n = n.saturating_add(timeline(at));
            for r in &a.representations {
                let rt = r
                    .segment_template
                    .as_deref()
                    .and_then(|t| t.segment_timeline.as_ref());
                n = n.saturating_add(timeline(rt));
            }
        }
    }
    n.min(crate::limits::MAX_MPD_BYTES)
}

/// The output bytes; only `str`s and ASCII are appended, so they stay UTF-8 (checked once
/// at the end, which is cheaper than a check per piece).
pub(crate) struct Out(Vec<u8>);

impl Out {
    #[inline]
    fn push_str(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }
    #[inline]
    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.0.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

const INDENT: &str = "                                                                ";

/// Output buffer and layout state.
pub(crate) struct Writer {
    out: Out,
    depth: usize,
    /// > 0 inside an element with text content: no indentation is added there.
    inline: usize,
    /// Scratch for the `<S>` fast path: newline, indentation and the entry are built here and
    /// appended with one copy (no per-entry zeroing of a stack buffer).
    scratch: [u8; S_SCRATCH],
}

/// Room for a newline, the deepest indentation (`INDENT`) and the longest `<S>`: `<S`, five
/// ` x="-digits"` (27 bytes each) and `/>`, 139 bytes.
const S_SCRATCH: usize = 1 + INDENT.len() + 139;

impl Writer {
    pub(crate) fn push_str(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub(crate) fn push_u64(&mut self, mut v: u64) {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.out.0.extend_from_slice(&buf[i..]);
    }

    /// Appends `s` escaped for a double-quoted attribute value. Tabs and line breaks become
    /// character references so they survive attribute-value normalization.
    pub(crate) fn escaped_attr(&mut self, s: &str) {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\t' => "&#9;",
                b'\n' => "&#10;",
                b'\r' => "&#13;",
                _ => continue,
            };
            self.out.push_str(&s[last..i]);
            self.out.push_str(rep);
            last = i + 1;
        }
        self.out.push_str(&s[last..]);
    }

    fn escaped_text(&mut self, s: &str) {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'\r' => "&#13;",
                _ => continue,
            };
            self.out.push_str(&s[last..i]);
            self.out.push_str(rep);
            last = i + 1;
        }
        self.out.push_str(&s[last..]);
    }

    /// Writes a typed attribute, using the kept lexical form while it still means `v`.
    pub(crate) fn known_attr<V: XsValue>(&mut self, name: &str, v: &V, lexical: &[Attr]) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        match lexical.iter().find(|a| a.name == name) {
            Some(a) if V::parse_xs(&a.value).is_some_and(|(x, _)| x == *v) => {
                self.escaped_attr(&a.value)
            }
            _ => v.write_xs(self),
        }
        self.out.push('"');
    }

    fn attr(&mut self, a: &Attr) {
        self.out.push(' ');
        self.out.push_str(&a.name);
        self.out.push_str("=\"");
        self.escaped_attr(&a.value);
        self.out.push('"');
    }

    fn newline(&mut self) {
        if self.inline == 0 && !self.out.is_empty() {
            self.out.push('\n');
            let mut n = self.depth * 2;
            while n > 0 {
                let k = n.min(INDENT.len());
                self.out.push_str(&INDENT[..k]);
                n -= k;
            }
        }
    }

    fn node(&mut self, n: &Node) {
        match n {
            Node::Element(e) => self.generic(e),
            Node::Text(t) => self.escaped_text(t),
            Node::CData(t) => {
                // A `]]>` inside cannot be written in one section: split it.
                self.out.push_str("<![CDATA[");
                self.out.push_str(&t.replace("]]>", "]]]]><![CDATA[>"));
                self.out.push_str("]]>");
            }
            Node::Comment(c) => {
                self.newline();
                self.out.push_str("<!--");
                self.out.push_str(c);
                self.out.push_str("-->");
            }
            Node::Pi(c) => {
                self.newline();
                self.out.push_str("<?");
                self.out.push_str(c);
                self.out.push_str("?>");
            }
            Node::Decl(c) => {
                self.newline();
                self.out.push_str("<?");
                self.out.push_str(c);
                self.out.push_str("?>");
            }
            Node::DocType(c) => {
                self.newline();
                self.out.push_str("<!DOCTYPE ");
                self.out.push_str(c);
                self.out.push('>');
            }
        }
    }

    fn generic(&mut self, e: &Element) {
        self.newline();
        self.out.push('<');
        self.out.push_str(&e.name);
        for a in &e.attrs {
            self.attr(a);
        }
        if e.children.is_empty() {
            self.out.push_str("/>");
            return;
        }
        self.out.push('>');
        let inline = e
            .children
            .iter()
            .any(|n| matches!(n, Node::Text(_) | Node::CData(_)));
        if inline {
            self.inline += 1;
        }
        self.depth += 1;
        for n in &e.children {
            self.node(n);
        }
        self.depth -= 1;
        if inline {
            self.inline -= 1;
        } else {
            self.newline();
        }
        self.out.push_str("</");
        self.out.push_str(&e.name);
        self.out.push('>');
    }
}

fn is_inline(extra: &Extra, text: Option<&String>) -> bool {
    // An element with a text field reads every character between its tags as text.
    text.is_some()
        || extra
            .nodes
            .iter()
            .any(|n| matches!(n, Node::Text(_) | Node::CData(_)))
}

fn open_tag(w: &mut Writer, prefix: Option<&str>, tag: &str) {
    w.out.push('<');
    if let Some(p) = prefix {
        w.out.push_str(p);
        w.out.push(':');
    }
    w.out.push_str(tag);
}

/// Writes an `S` with nothing kept besides its numbers in one append (the hot element of
/// long timelines). False when the general writer must run.
pub(crate) fn write_s(s: &S, w: &mut Writer) -> bool {
    if !s.extra.is_unallocated() || w.depth * 2 > INDENT.len() {
        return false;
    }
    let indent = (w.inline == 0 && !w.out.is_empty()).then_some(w.depth * 2);
    let fields = [
        s.t.is_some(),
        s.n.is_some(),
        s.d.is_some(),
        s.r.is_some(),
        s.k.is_some(),
    ]
    .iter()
    .filter(|&&f| f)
    .count();
    // Longest possible: newline, indentation, `<S`, ` x="-20 digits"` per field, `/>`.
    let bound = indent.map_or(0, |i| 1 + i) + 4 + 26 * fields;
    let out = &mut w.out.0;
    let start = out.len();
    if bound <= S_CHUNK {
        // Straight into the output: room of a fixed size (a few vector stores), filled
        // byte by byte and cut to length. Building the entry in a scratch buffer and copying
        // it reads bytes just written one at a time, which stalls on store forwarding.
        out.extend_from_slice(&[0u8; S_CHUNK]);
        if let Some(buf) = out
            .get_mut(start..)
            .and_then(|b| <&mut [u8; S_CHUNK]>::try_from(b).ok())
        {
            let n = fill_s(buf, s, indent);
            out.truncate(start + n);
            return true;
        }
        out.truncate(start);
    }
    let n = fill_s(&mut w.scratch, s, indent);
    w.out.0.extend_from_slice(&w.scratch[..n]);
    true
}

/// Writes ` x="v"` (with `-` before `v` when `neg`) at `buf[n..]` (room for 26 bytes);
/// returns the new end. A plain function, so `n` stays in a register.
#[inline(always)]
fn put_attr<const N: usize>(buf: &mut [u8; N], n: usize, name: u8, v: u64, neg: bool) -> usize {
    buf[n] = b' ';
    buf[n + 1] = name;
    buf[n + 2] = b'=';
    buf[n + 3] = b'"';
    let mut n = n + 4;
    if neg {
        buf[n] = b'-';
        n += 1;
    }
    n = put_u64(buf, n, v);
    buf[n] = b'"';
    n + 1
}

/// Room for most `<S>` entries written straight into the output (see [`write_s`]).
const S_CHUNK: usize = 128;

/// Writes newline and indentation (when `indent` says so) and the `S` entry at the start of
/// `buf`, which must have room for them (`N` >= 1 + indent + 139); returns the length.
fn fill_s<const N: usize>(buf: &mut [u8; N], s: &S, indent: Option<usize>) -> usize {
    let mut n = 0;
    if let Some(indent) = indent {
        buf[0] = b'\n';
        buf[1..=indent].copy_from_slice(&INDENT.as_bytes()[..indent]);
        n = 1 + indent;
    }
    buf[n] = b'<';
    buf[n + 1] = b'S';
    n += 2;
    if let Some(v) = s.t {
        n = put_attr(buf, n, b't', v, false);
    }
    if let Some(v) = s.n {
        n = put_attr(buf, n, b'n', v, false);
    }
    if let Some(v) = s.d {
        n = put_attr(buf, n, b'd', v, false);
    }
    if let Some(v) = s.r {
        n = put_attr(buf, n, b'r', v.unsigned_abs(), v < 0);
    }
    if let Some(v) = s.k {
        n = put_attr(buf, n, b'k', v, false);
    }
    buf[n] = b'/';
    buf[n + 1] = b'>';
    n + 2
}

const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `v` in decimal at `buf[n..]` (which has room for 20 digits), two digits per
/// division; returns the new end.
#[inline(always)]
fn put_u64<const N: usize>(buf: &mut [u8; N], n: usize, mut v: u64) -> usize {
    let len = v.checked_ilog10().unwrap_or(0) as usize + 1;
    let mut i = n + len;
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        buf[i - 1] = DIGIT_PAIRS[d + 1];
        buf[i - 2] = DIGIT_PAIRS[d];
        i -= 2;
    }
    if v >= 10 {
        let d = v as usize * 2;
        buf[i - 1] = DIGIT_PAIRS[d + 1];
        buf[i - 2] = DIGIT_PAIRS[d];
    } else {
        buf[i - 1] = b'0' + v as u8;
    }
    n + len
}

/// Writes a typed element named `tag` (its source prefix is added).
pub(crate) fn write_element<T: XmlElement>(w: &mut Writer, tag: &str, el: &T) {
    if el.fast_write(w) {
        return;
    }
    let extra = el.extra();
    let prefix = extra.prefix.as_deref();
    w.newline();
    open_tag(w, prefix, tag);
    // Kept attributes stay in source order: those up to the last namespace declaration
    // first (as sources have them), then the typed ones, then the rest.
    let split = extra
        .attrs
        .iter()
        .rposition(|a| is_xmlns(&a.name))
        .map_or(0, |i| i + 1);
    let (head, tail) = extra.attrs.split_at(split);
    for a in head {
        w.attr(a);
    }
    el.write_attrs(w);
    for a in tail {
        w.attr(a);
    }
    let text = el.text();
    let kinds = T::CHILD_TAGS.len();
    let has_children = !extra.nodes.is_empty() || (0..kinds).any(|k| el.child_count(k as u8) > 0);
    if !has_children && text.is_none_or(|t| t.is_empty()) {
        w.out.push_str("/>");
        return;
    }
    w.out.push('>');
    let inline = is_inline(extra, text);
    if inline {
        w.inline += 1;
    }
    if let Some(t) = text {
        w.escaped_text(t);
    }
    w.depth += 1;
    // Source order first; a child added in code goes before the first source child of a
    // later schema kind (so it lands where the schema puts it), else at the end. Children
    // beyond their kind's count in `order` are the added ones.
    let kinds = kinds.min(64);
    let mut next = [0usize; 64];
    let mut in_source = [0usize; 64];
    for &k in &extra.order {
        if let Some(c) = in_source.get_mut(usize::from(k)) {
            *c += 1;
        }
    }
    // Added children of every kind below this one are written; it only grows (`upto` is never
    // below it).
    let mut added_written = 0usize;
    let write_added = |el: &T, upto: usize, added_written: &mut usize, w: &mut Writer| {
        for (j, &first_added) in in_source.iter().enumerate().take(upto).skip(*added_written) {
            for i in first_added..el.child_count(j as u8) {
                el.write_child(j as u8, i, w);
            }
        }
        *added_written = upto;
    };
    let mut misc = 0usize;
    for &k in &extra.order {
        if k == MISC {
            if let Some(n) = extra.nodes.get(misc) {
                w.node(n);
            }
            misc += 1;
        } else if let Some(i) = next.get_mut(usize::from(k)) {
            let upto = usize::from(k).min(kinds);
            if upto > added_written {
                write_added(el, upto, &mut added_written, w);
            }
            if *i < el.child_count(k) {
                el.write_child(k, *i, w);
                *i += 1;
            }
        }
    }
    write_added(el, kinds, &mut added_written, w);
    for n in extra.nodes.iter().skip(misc) {
        w.node(n);
    }
    w.depth -= 1;
    if inline {
        w.inline -= 1;
    } else {
        w.newline();
    }
    w.out.push_str("</");
    if let Some(p) = prefix {
        w.out.push_str(p);
        w.out.push(':');
    }
    w.out.push_str(tag);
    w.out.push('>');
}

fn is_xmlns(name: &str) -> bool {
    name == "xmlns" || name.starts_with("xmlns:")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn put_u64_matches_display(v: u64, at in 0usize..100) {
            let mut buf = [b'x'; S_SCRATCH];
            let end = put_u64(&mut buf, at, v);
            let expected = v.to_string();
            prop_assert_eq!(&buf[at..end], expected.as_bytes());
            prop_assert!(buf[..at].iter().all(|&b| b == b'x'));
        }

        #[test]
        fn fast_s_writer_matches_the_general_writer(
            t in proptest::option::of(any::<u64>()),
            n in proptest::option::of(any::<u64>()),
            d in any::<u64>(),
            r in proptest::option::of(any::<i64>()),
            k in proptest::option::of(any::<u64>()),
            depth in 0usize..=32,
        ) {
            let s = S { t, n, d: Some(d), r, k, ..S::default() };
            let mut fast = Writer { out: Out(b"<x>".to_vec()), depth, inline: 0, scratch: [0; S_SCRATCH] };
            prop_assert!(write_s(&s, &mut fast));
            // Allocating an empty Extra disables the fast path but changes nothing else.
            let mut slow_s = s.clone();
            let _ = &mut slow_s.extra.attrs;
            let mut slow = Writer { out: Out(b"<x>".to_vec()), depth, inline: 0, scratch: [0; S_SCRATCH] };
            write_element(&mut slow, "S", &slow_s);
            prop_assert_eq!(fast.out.0, slow.out.0);
        }
    }
}
