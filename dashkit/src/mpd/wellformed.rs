//! XML well-formedness checks the MPD parser leaves to a separate pass, because MPDs in the
//! field break them and players still read those MPDs: attributes not separated by white
//! space (`a="1"b="2"`, XML 1.0 §3.1 production \[40\] requires `S` between attributes),
//! prefixes bound by no namespace declaration in scope (Namespaces in XML 1.0 §5, "Namespace
//! constraint: Prefix Declared") and an attribute given twice (XML 1.0 §3.1, "Unique Att
//! Spec"). [`check_well_formed`] reports them with line and column; [`super::parse()`] stays
//! lenient.
//!
//! ```
//! use dashkit::mpd::wellformed::{check_well_formed, Problem};
//! let issues = check_well_formed(r#"<MPD a="1"b="2"><cenc:pssh/></MPD>"#);
//! assert_eq!(issues.len(), 2);
//! assert!(matches!(issues[0].problem, Problem::NoSpaceBetweenAttributes));
//! assert!(matches!(&issues[1].problem, Problem::UndeclaredPrefix { prefix } if prefix == "cenc"));
//! ```

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::limits::{MAX_MPD_BYTES, MAX_XML_ATTRIBUTES, MAX_XML_DEPTH};

/// One way the text is not well-formed XML.
///
/// ```
/// use dashkit::mpd::wellformed::{check_well_formed, Problem};
/// let issues = check_well_formed(r#"<MPD type="static" type="dynamic"/>"#);
/// assert_eq!(issues[0].problem, Problem::DuplicateAttribute { name: "type".into() });
/// assert_eq!(issues[0].problem.to_string(), "attribute `type` given twice (XML 1.0 §3.1)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Two attributes with no white space between them.
    NoSpaceBetweenAttributes,
    /// An element or attribute name uses a prefix no `xmlns:prefix` in scope declares.
    UndeclaredPrefix {
        /// The prefix.
        prefix: String,
    },
    /// The same attribute twice on one element.
    DuplicateAttribute {
        /// The attribute's name.
        name: String,
    },
    /// The reader stopped: a syntax error, or a limit (size, depth, attributes) reached.
    Syntax {
        /// What the reader said.
        message: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NoSpaceBetweenAttributes => {
                f.write_str("attributes without white space between them (XML 1.0 §3.1)")
            }
            Problem::UndeclaredPrefix { prefix } => write!(
                f,
                "namespace prefix `{prefix}` is not declared (Namespaces in XML 1.0 §5)"
            ),
            Problem::DuplicateAttribute { name } => {
                write!(f, "attribute `{name}` given twice (XML 1.0 §3.1)")
            }
            Problem::Syntax { message } => write!(f, "not well-formed: {message}"),
        }
    }
}

/// A [`Problem`] and where it is (1-based line and column of the element's `<`).
///
/// ```
/// use dashkit::mpd::wellformed::{check_well_formed, Problem};
/// let issues = check_well_formed("<MPD>\n  <Period a=\"1\"b=\"2\"/>\n</MPD>");
/// assert_eq!((issues[0].line, issues[0].column), (2, 3));
/// assert_eq!(issues[0].problem, Problem::NoSpaceBetweenAttributes);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub problem: Problem,
}

/// Most issues reported for one document (the rest are the same mistake repeated).
const MAX_ISSUES: usize = 100;

/// The well-formedness problems of `text`, in document order (at most 100). An empty result
/// does not mean the MPD is valid, only that these checks found nothing.
///
/// ```
/// use dashkit::mpd::wellformed::check_well_formed;
/// // Packager output with its namespaces declared: nothing to report.
/// assert!(check_well_formed(include_str!("../../../fixtures/dash/shaka_ondemand/manifest.mpd")).is_empty());
/// let issues = check_well_formed("<MPD><Period></MPD>");
/// assert_eq!(issues.len(), 1); // the reader stops at the mismatched end tag
/// ```
pub fn check_well_formed(text: &str) -> Vec<Issue> {
    let mut out = Vec::new();
    let at = |offset: usize, problem: Problem| {
        let before = text.get(..offset.min(text.len())).unwrap_or("");
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(start..).map_or(0, |s| s.chars().count()) + 1;
        Issue {
            line,
            column,
            problem,
        }
    };
    if text.len() > MAX_MPD_BYTES {
        out.push(at(
            0,
            Problem::Syntax {
                message: format!("larger than {MAX_MPD_BYTES} bytes"),
            },
        ));
        return out;
    }
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Prefixes declared per open element.
    let mut scopes: Vec<Vec<String>> = Vec::new();
    loop {
        if out.len() >= MAX_ISSUES {
            break;
        }
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Start(s)) => {
                if scopes.len() >= MAX_XML_DEPTH {
                    out.push(at(
                        pos,
                        Problem::Syntax {
                            message: format!("nested deeper than {MAX_XML_DEPTH} elements"),
                        },
                    ));
                    break;
                }
                let declared = element(&s, &scopes, |p| out.push(at(pos, p)));
                scopes.push(declared);
            }
            Ok(Event::Empty(s)) => {
                element(&s, &scopes, |p| out.push(at(pos, p)));
            }
            Ok(Event::End(_)) => {
                scopes.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let p = usize::try_from(reader.error_position()).unwrap_or(pos);
                out.push(at(
                    p,
                    Problem::Syntax {
                        message: e.to_string(),
                    },
                ));
                break;
            }
        }
    }
    out
}

/// Checks one start tag against the prefixes in scope; returns the prefixes it declares.
fn element(
    s: &BytesStart<'_>,
    scopes: &[Vec<String>],
    mut report: impl FnMut(Problem),
) -> Vec<String> {
    let raw: &str = s.attributes_raw();
    let mut names: Vec<&str> = Vec::new();
    let mut declared: Vec<String> = Vec::new();
    let mut missing_space = false;
    // Walk `name = "value"` pairs by hand: quick-xml accepts `a="1"b="2"`.
    let mut i = 0;
    let b = raw.as_bytes();
    let mut after_value = false;
    while i < b.len() && names.len() < MAX_XML_ATTRIBUTES {
        let c = b[i];
        if c.is_ascii_whitespace() {
            after_value = false;
            i += 1;
            continue;
        }
        if c == b'/' {
            break;
        }
        if after_value {
            missing_space = true;
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        // Split at ASCII bytes only, so at character boundaries.
        let name = raw.get(start..i).unwrap_or("");
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'=') {
            i += 1;
        }
        let Some(&q) = b.get(i) else { break };
        if q != b'"' && q != b'\'' {
            break; // quick-xml reports unquoted values itself
        }
        i += 1;
        while i < b.len() && b[i] != q {
            i += 1;
        }
        i += 1;
        after_value = true;
        if names.contains(&name) {
            report(Problem::DuplicateAttribute {
                name: name.to_owned(),
            });
        }
        if let Some(p) = name.strip_prefix("xmlns:") {
            declared.push(p.to_owned());
        }
        names.push(name);
    }
    if missing_space {
        report(Problem::NoSpaceBetweenAttributes);
    }
    let in_scope = |p: &str| {
        p == "xml"
            || p == "xmlns"
            || declared.iter().any(|d| d == p)
            || scopes.iter().any(|s| s.iter().any(|d| d == p))
    };
    let element_name = s.name();
    let mut prefixes: Vec<&str> = Vec::new();
    if let Some(p) = element_name.prefix() {
        prefixes.push(p.into_inner());
    }
    for n in &names {
        if let Some((p, _)) = n.split_once(':') {
            prefixes.push(p);
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for p in prefixes {
        if !in_scope(p) && !seen.contains(&p) {
            seen.push(p);
            report(Problem::UndeclaredPrefix {
                prefix: p.to_owned(),
            });
        }
    }
    declared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_problem_with_its_line() {
        let text = "<MPD xmlns:cenc=\"urn:mpeg:cenc:2013\">\n<Period id=\"1\"start=\"PT0S\">\n\
                    <AdaptationSet><cenc:pssh/><mspr:pro/></AdaptationSet></Period></MPD>";
        let issues = check_well_formed(text);
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert_eq!((issues[0].line, issues[0].column), (2, 1));
        assert_eq!(issues[0].problem, Problem::NoSpaceBetweenAttributes);
        assert_eq!(
            issues[1].problem,
            Problem::UndeclaredPrefix {
                prefix: "mspr".into()
            }
        );
        assert!(check_well_formed("<MPD a='1' b = \"2\" xml:lang=\"en\"/>").is_empty());
        let dup = check_well_formed("<MPD a=\"1\" a=\"2\"/>");
        assert_eq!(
            dup[0].problem,
            Problem::DuplicateAttribute { name: "a".into() }
        );
        // A prefix declared on an ancestor is in scope; out of scope after it closes.
        assert!(check_well_formed("<a xmlns:x=\"u\"><x:b/></a>").is_empty());
        assert_eq!(
            check_well_formed("<r><a xmlns:x=\"u\"/><x:b/></r>").len(),
            1
        );
        assert!(matches!(
            check_well_formed("<MPD><Period></MPD>")[0].problem,
            Problem::Syntax { .. }
        ));
    }
}
