//! The RFC 5261 diff between two MPDs (ISO/IEC 23009-1 §5.15 MPD patch): `add`, `replace` and
//! `remove` operations addressed by XPath of the subset the standard names (absolute paths of
//! element names with `[@id='…']`, `[@schemeIdUri='…']` or `[n]` predicates, a final `/@attr`).
//!
//! Children are matched by key: by `@id` where every sibling of that name has a distinct one
//! (MPD, Period, AdaptationSet, Representation carry one), else by `@schemeIdUri` where those
//! are distinct, else by position among same-named siblings. Removals come first, then the
//! changes inside the kept children, then the additions, each placed after its preceding
//! sibling in the new document (or prepended), so every address is valid when it is applied.
//! A SegmentTimeline's `S` list is diffed as a list: the common head and tail stay, the middle
//! is removed and the new middle added in one operation. An element whose text changes, or
//! whose kept children changed order, is replaced whole.

use super::tree::Element;

/// One patch operation, written as an element of the `Patch` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `<add sel=… pos=…>` elements.
    AddElements {
        /// The anchor.
        sel: String,
        /// `prepend` or `after`.
        pos: &'static str,
        /// The new elements.
        elements: Vec<Element>,
    },
    /// `<add sel=… type="@name">value</add>`.
    AddAttr {
        /// The element.
        sel: String,
        /// The attribute name.
        name: String,
        /// Its value.
        value: String,
    },
    /// `<replace sel=…/@name>value</replace>`.
    ReplaceAttr {
        /// The attribute's address.
        sel: String,
        /// Its new value.
        value: String,
    },
    /// `<replace sel=…>element</replace>`.
    ReplaceElement {
        /// The element's address.
        sel: String,
        /// Its new form.
        element: Element,
    },
    /// `<remove sel=…/>` (an element or an attribute).
    Remove {
        /// The address.
        sel: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Id,
    Uri,
    Index,
}

/// A child's key among its siblings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    name: String,
    value: KeyValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyValue {
    Attr(&'static str, String),
    Index(usize),
}

impl Key {
    fn address(&self) -> String {
        match &self.value {
            KeyValue::Attr(a, v) if v.contains('\'') => format!("{}[@{a}=\"{v}\"]", self.name),
            KeyValue::Attr(a, v) => format!("{}[@{a}='{v}']", self.name),
            KeyValue::Index(i) => format!("{}[{}]", self.name, i + 1),
        }
    }
}

/// The key scheme for children named `name`, valid in both lists.
fn scheme(name: &str, old: &[Element], new: &[Element]) -> Scheme {
    let distinct = |attr: &str, list: &[Element]| {
        let vals: Vec<Option<&str>> = list
            .iter()
            .filter(|e| e.name == name)
            .map(|e| e.attr(attr))
            .collect();
        vals.iter().all(Option::is_some)
            && vals.iter().enumerate().all(|(i, v)| !vals[..i].contains(v))
    };
    if distinct("id", old) && distinct("id", new) {
        Scheme::Id
    } else if distinct("schemeIdUri", old) && distinct("schemeIdUri", new) {
        Scheme::Uri
    } else {
        Scheme::Index
    }
}

fn keys(list: &[Element], schemes: &[(String, Scheme)]) -> Vec<Key> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    list.iter()
        .map(|e| {
            let n = match seen.iter_mut().find(|(k, _)| *k == e.name) {
                Some((_, c)) => {
                    *c += 1;
                    *c - 1
                }
                None => {
                    seen.push((&e.name, 1));
                    0
                }
            };
            let s = schemes
                .iter()
                .find(|(k, _)| *k == e.name)
                .map_or(Scheme::Index, |(_, s)| *s);
            let value = match s {
                Scheme::Id => KeyValue::Attr("id", e.attr("id").unwrap_or("").into()),
                Scheme::Uri => {
                    KeyValue::Attr("schemeIdUri", e.attr("schemeIdUri").unwrap_or("").into())
                }
                Scheme::Index => KeyValue::Index(n),
            };
            Key {
                name: e.name.clone(),
                value,
            }
        })
        .collect()
}

/// The operations turning `old` into `new` (both the element at `path`, same name).
pub fn diff(old: &Element, new: &Element, path: &str, out: &mut Vec<Op>) {
    if old.name != new.name || old.text != new.text {
        out.push(Op::ReplaceElement {
            sel: path.to_string(),
            element: new.clone(),
        });
        return;
    }
    attributes(old, new, path, out);
    if old.name == "SegmentTimeline" {
        list(&old.children, &new.children, path, out);
        return;
    }
    let mut schemes: Vec<(String, Scheme)> = Vec::new();
    for e in old.children.iter().chain(&new.children) {
        if !schemes.iter().any(|(n, _)| *n == e.name) {
            schemes.push((
                e.name.clone(),
                scheme(&e.name, &old.children, &new.children),
            ));
        }
    }
    let ok = keys(&old.children, &schemes);
    let nk = keys(&new.children, &schemes);
    let common_old: Vec<&Key> = ok.iter().filter(|k| nk.contains(k)).collect();
    let common_new: Vec<&Key> = nk.iter().filter(|k| ok.contains(k)).collect();
    if common_old != common_new {
        out.push(Op::ReplaceElement {
            sel: path.to_string(),
            element: new.clone(),
        });
        return;
    }
    // Removals, last first (positions before them stay valid).
    for k in ok.iter().rev() {
        if !nk.contains(k) {
            out.push(Op::Remove {
                sel: format!("{path}/{}", k.address()),
            });
        }
    }
    // Changes inside kept children.
    for (i, k) in ok.iter().enumerate() {
        if let Some(j) = nk.iter().position(|x| x == k) {
            let (o, n) = (&old.children[i], &new.children[j]);
            if !o.same(n) {
                diff(o, n, &format!("{path}/{}", k.address()), out);
            }
        }
    }
    // Additions in new order, each after its predecessor in the new document.
    let mut j = 0;
    while j < nk.len() {
        if ok.contains(&nk[j]) {
            j += 1;
            continue;
        }
        let from = j;
        while j < nk.len() && !ok.contains(&nk[j]) {
            j += 1;
        }
        let elements = new.children[from..j].to_vec();
        out.push(match from.checked_sub(1) {
            Some(p) => Op::AddElements {
                sel: format!("{path}/{}", nk[p].address()),
                pos: "after",
                elements,
            },
            None => Op::AddElements {
                sel: path.to_string(),
                pos: "prepend",
                elements,
            },
        });
    }
}

fn attributes(old: &Element, new: &Element, path: &str, out: &mut Vec<Op>) {
    for (k, v) in &new.attrs {
        if k.starts_with("xmlns") {
            continue;
        }
        match old.attr(k) {
            Some(o) if o == v => {}
            Some(_) => out.push(Op::ReplaceAttr {
                sel: format!("{path}/@{k}"),
                value: v.clone(),
            }),
            None => out.push(Op::AddAttr {
                sel: path.to_string(),
                name: k.clone(),
                value: v.clone(),
            }),
        }
    }
    for (k, _) in &old.attrs {
        if !k.starts_with("xmlns") && new.attr(k).is_none() {
            out.push(Op::Remove {
                sel: format!("{path}/@{k}"),
            });
        }
    }
}

/// A list of unkeyed siblings (SegmentTimeline's `S`): keep the common head and tail.
fn list(old: &[Element], new: &[Element], path: &str, out: &mut Vec<Op>) {
    let max = old.len().min(new.len());
    let head = (0..max).take_while(|&i| old[i].same(&new[i])).count();
    let tail = (0..max - head)
        .take_while(|&i| old[old.len() - 1 - i].same(&new[new.len() - 1 - i]))
        .count();
    let name = |e: &Element| e.name.clone();
    for e in &old[head..old.len() - tail] {
        out.push(Op::Remove {
            sel: format!("{path}/{}[{}]", name(e), head + 1),
        });
    }
    let added = new[head..new.len() - tail].to_vec();
    if added.is_empty() {
        return;
    }
    out.push(match head {
        0 => Op::AddElements {
            sel: path.to_string(),
            pos: "prepend",
            elements: added,
        },
        h => Op::AddElements {
            sel: format!("{path}/{}[{h}]", name(&new[h - 1])),
            pos: "after",
            elements: added,
        },
    });
}

/// The `Patch` document (urn:mpeg:dash:schema:mpd-patch:2020) for `ops`.
pub fn patch_document(
    mpd_id: &str,
    original_publish_time: &str,
    publish_time: &str,
    ops: &[Op],
) -> String {
    let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<Patch xmlns=\"urn:mpeg:dash:schema:mpd-patch:2020\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"urn:mpeg:dash:schema:mpd-patch:2020 DASH-MPD-PATCH.xsd\" \
         mpdId=\"{}\" originalPublishTime=\"{}\" publishTime=\"{}\">\n",
        esc(mpd_id),
        esc(original_publish_time),
        esc(publish_time)
    ));
    for op in ops {
        match op {
            Op::AddElements { sel, pos, elements } => {
                out.push_str(&format!("  <add sel=\"{}\" pos=\"{pos}\">\n", esc(sel)));
                for e in elements {
                    e.write(2, &mut out);
                }
                out.push_str("  </add>\n");
            }
            Op::AddAttr { sel, name, value } => out.push_str(&format!(
                "  <add sel=\"{}\" type=\"@{}\">{}</add>\n",
                esc(sel),
                esc(name),
                esc(value)
            )),
            Op::ReplaceAttr { sel, value } => out.push_str(&format!(
                "  <replace sel=\"{}\">{}</replace>\n",
                esc(sel),
                esc(value)
            )),
            Op::ReplaceElement { sel, element } => {
                out.push_str(&format!("  <replace sel=\"{}\">\n", esc(sel)));
                element.write(2, &mut out);
                out.push_str("  </replace>\n");
            }
            Op::Remove { sel } => out.push_str(&format!("  <remove sel=\"{}\"/>\n", esc(sel))),
        }
    }
    out.push_str("</Patch>\n");
    out
}
