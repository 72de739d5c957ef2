//! Remote Periods (ISO/IEC 23009-1 §5.5: `xlink:href` with `xlink:actuate`): found, and
//! resolved through a fetch the caller supplies (dashkit does no IO). A remote Period that is
//! not resolved has no AdaptationSet in the model; callers warn about it rather than drop it
//! silently.
//!
//! ```
//! use dashkit::mpd::{parse, xlink::{resolve_remote_periods, XlinkOutcome}};
//! let mut mpd = parse(r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"
//!   xmlns:xlink="http://www.w3.org/1999/xlink" type="static" mediaPresentationDuration="PT2S">
//!   <Period xlink:href="p1.xml" xlink:actuate="onLoad"/></MPD>"#).unwrap();
//! let out = resolve_remote_periods(&mut mpd, |href: &str| {
//!     (href == "p1.xml").then(|| r#"<Period id="remote"><AdaptationSet/></Period>"#.to_owned())
//! });
//! assert!(matches!(out[0], XlinkOutcome::Resolved { periods: 1, .. }));
//! assert_eq!(mpd.periods[0].id.as_deref(), Some("remote"));
//! ```

use super::model::{Mpd, Period};

/// The XLink namespace (W3C XLink 1.1 §5).
///
/// ```
/// use dashkit::mpd::xlink::{period_href, XLINK_NS};
/// // Any prefix bound to the XLink namespace marks a remote Period, not only `xlink:`.
/// let mpd = dashkit::mpd::parse(&format!(
///     r#"<MPD xmlns:x="{XLINK_NS}" type="static"><Period x:href="p.xml"/></MPD>"#)).unwrap();
/// assert_eq!(period_href(&mpd, &mpd.periods[0]), Some("p.xml"));
/// ```
pub const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// `xlink:href` value that removes the element (ISO/IEC 23009-1 §5.5.3).
///
/// ```
/// use dashkit::mpd::xlink::{resolve_remote_periods, RESOLVE_TO_ZERO};
/// let mut mpd = dashkit::mpd::parse(&format!(
///     r#"<MPD type="static"><Period id="a"/><Period xlink:href="{RESOLVE_TO_ZERO}"/></MPD>"#))
///     .unwrap();
/// resolve_remote_periods(&mut mpd, |_| None); // nothing is fetched for it
/// assert_eq!(mpd.periods.len(), 1);
/// ```
pub const RESOLVE_TO_ZERO: &str = "urn:mpeg:dash:resolve-to-zero:2013";

/// What happened to one remote Period.
///
/// ```
/// use dashkit::mpd::xlink::{resolve_remote_periods, XlinkOutcome};
/// let text = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xl="http://www.w3.org/1999/xlink"
///   type="static" mediaPresentationDuration="PT4S"><Period id="local"><AdaptationSet/></Period>
///   <Period xl:href="ad.xml" xl:actuate="onLoad"/>
///   <Period xl:href="urn:mpeg:dash:resolve-to-zero:2013"/></MPD>"#;
/// let mut mpd = dashkit::mpd::parse(text).unwrap();
/// let outcomes = resolve_remote_periods(&mut mpd, |_| None); // ad.xml cannot be read
/// assert!(matches!(&outcomes[0], XlinkOutcome::Unresolved { period_index: 1, href, .. }
///     if href == "ad.xml"));
/// assert!(matches!(outcomes[1], XlinkOutcome::Resolved { period_index: 2, periods: 0, .. }));
/// assert_eq!(mpd.periods.len(), 2); // the unresolved Period stays, the zero one is gone
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XlinkOutcome {
    /// Replaced by the `periods` Periods of the remote document (0 for resolve-to-zero).
    Resolved {
        /// 0-based index of the remote Period in the MPD as written.
        period_index: usize,
        /// The `xlink:href`.
        href: String,
        /// How many Periods replaced it.
        periods: usize,
    },
    /// Left as it is (no AdaptationSet): why.
    Unresolved {
        /// 0-based index of the Period in the MPD as written.
        period_index: usize,
        /// The `xlink:href`.
        href: String,
        /// Why it was not resolved.
        reason: String,
    },
}

/// The prefixes the MPD root binds to the XLink namespace (plus `xlink`, the conventional
/// one, which MPDs in the field use without declaring it).
fn xlink_prefixes(mpd: &Mpd) -> Vec<String> {
    let mut out = vec!["xlink".to_owned()];
    for a in &mpd.extra.attrs {
        if let Some(p) = a.name.strip_prefix("xmlns:") {
            if a.value == XLINK_NS && p != "xlink" {
                out.push(p.to_owned());
            }
        }
    }
    out
}

/// The Period's `xlink:href`, if it is a remote element.
///
/// ```
/// use dashkit::mpd::xlink::period_href;
/// let text = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xl="http://www.w3.org/1999/xlink"
///   type="static" mediaPresentationDuration="PT4S"><Period id="local"><AdaptationSet/></Period>
///   <Period xl:href="ad.xml" xl:actuate="onLoad"/>
///   <Period xl:href="urn:mpeg:dash:resolve-to-zero:2013"/></MPD>"#;
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// let hrefs: Vec<_> = mpd.periods.iter().map(|p| period_href(&mpd, p)).collect();
/// assert_eq!(hrefs, [None, Some("ad.xml"), Some("urn:mpeg:dash:resolve-to-zero:2013")]);
/// ```
pub fn period_href<'p>(mpd: &Mpd, period: &'p Period) -> Option<&'p str> {
    let prefixes = xlink_prefixes(mpd);
    period
        .extra
        .attrs
        .iter()
        .find(|a| {
            a.name
                .split_once(':')
                .is_some_and(|(p, l)| l == "href" && prefixes.iter().any(|x| x == p))
        })
        .map(|a| a.value.trim())
}

/// Replaces every remote Period whose document `fetch` returns (the text of one or more
/// `Period` elements, ISO/IEC 23009-1 §5.5.3) by the Periods it holds; `resolve-to-zero`
/// removes the Period. Remote Periods inside fetched text are not followed (one level).
/// Returns one outcome per remote Period, in document order.
///
/// ```
/// use dashkit::mpd::xlink::{resolve_remote_periods, XlinkOutcome};
/// let text = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xl="http://www.w3.org/1999/xlink"
///   type="static" mediaPresentationDuration="PT4S"><Period id="local"><AdaptationSet/></Period>
///   <Period xl:href="ad.xml" xl:actuate="onLoad"/>
///   <Period xl:href="urn:mpeg:dash:resolve-to-zero:2013"/></MPD>"#;
/// let mut mpd = dashkit::mpd::parse(text).unwrap();
/// // The ad document holds two Periods: they take the place of the remote one.
/// let outcomes = resolve_remote_periods(&mut mpd, |href| (href == "ad.xml").then(|| {
///     r#"<Period id="ad1" duration="PT1S"/><Period id="ad2" duration="PT1S"/>"#.to_string()
/// }));
/// assert!(matches!(outcomes[0], XlinkOutcome::Resolved { periods: 2, .. }));
/// let ids: Vec<_> = mpd.periods.iter().map(|p| p.id.as_deref().unwrap()).collect();
/// assert_eq!(ids, ["local", "ad1", "ad2"]);
/// ```
pub fn resolve_remote_periods(
    mpd: &mut Mpd,
    mut fetch: impl FnMut(&str) -> Option<String>,
) -> Vec<XlinkOutcome> {
    let mut outcomes = Vec::new();
    let old = std::mem::take(&mut mpd.periods);
    let mut periods = Vec::with_capacity(old.len());
    for (i, p) in old.into_iter().enumerate() {
        let Some(href) = period_href(mpd, &p).map(str::to_owned) else {
            periods.push(p);
            continue;
        };
        if href == RESOLVE_TO_ZERO {
            outcomes.push(XlinkOutcome::Resolved {
                period_index: i,
                href,
                periods: 0,
            });
            continue;
        }
        let remote = match fetch(&href) {
            None => Err("the remote document could not be read".to_owned()),
            Some(text) => parse_remote(&text),
        };
        match remote {
            Ok(rs) => {
                outcomes.push(XlinkOutcome::Resolved {
                    period_index: i,
                    href,
                    periods: rs.len(),
                });
                periods.extend(rs);
            }
            Err(reason) => {
                outcomes.push(XlinkOutcome::Unresolved {
                    period_index: i,
                    href,
                    reason,
                });
                periods.push(p);
            }
        }
    }
    mpd.periods = periods;
    outcomes
}

/// The Periods of a remote document: its text wrapped in an MPD root in the DASH namespace
/// (the XML declaration dropped), so the one parser reads it.
fn parse_remote(text: &str) -> Result<Vec<Period>, String> {
    let mut body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with("<?xml") {
        body = body.find("?>").map_or("", |e| &body[e + 2..]);
    }
    let wrapped = format!(
        "<MPD xmlns=\"{}\" xmlns:xlink=\"{XLINK_NS}\">{body}</MPD>",
        super::DASH_NS
    );
    let m =
        super::parse(&wrapped).map_err(|e| format!("the remote document does not parse: {e}"))?;
    Ok(m.periods)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpd::parse;

    #[test]
    fn unresolved_and_zero_and_remote_documents() {
        let text = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xl="http://www.w3.org/1999/xlink">
            <Period id="a"/><Period xl:href="urn:mpeg:dash:resolve-to-zero:2013"/>
            <Period xl:href="http://x/p.xml"/><Period xl:href="two.xml"/></MPD>"#;
        let mut mpd = parse(text).unwrap();
        let out = resolve_remote_periods(&mut mpd, |h| {
            (h == "two.xml")
                .then(|| "<?xml version=\"1.0\"?><Period id=\"b\"/><Period id=\"c\"/>".to_owned())
        });
        assert_eq!(out.len(), 3);
        assert!(matches!(out[0], XlinkOutcome::Resolved { periods: 0, .. }));
        assert!(matches!(
            &out[1],
            XlinkOutcome::Unresolved {
                period_index: 2,
                ..
            }
        ));
        assert!(matches!(
            out[2],
            XlinkOutcome::Resolved {
                periods: 2,
                period_index: 3,
                ..
            }
        ));
        let ids: Vec<_> = mpd.periods.iter().map(|p| p.id.clone()).collect();
        assert_eq!(
            ids,
            [Some("a".into()), None, Some("b".into()), Some("c".into())]
        );
        // A broken remote document leaves the Period and says why.
        let mut mpd = parse(text).unwrap();
        let out = resolve_remote_periods(&mut mpd, |_| Some("<Period".to_owned()));
        assert!(
            matches!(&out[1], XlinkOutcome::Unresolved { reason, .. } if reason.contains("does not parse"))
        );
    }
}
