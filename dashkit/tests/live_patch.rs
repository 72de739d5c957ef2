//! `patch_<ttl>` (docs/live-options.md#mpd-patches): the live MPD's PatchLocation, the patch
//! documents served where livesim2 serves them, and the law that the patch, applied to the MPD
//! the client has with the RFC 5261 applier below, gives the current MPD, at any instants within
//! the ttl, in every addressing mode, with Periods, generated subtitles and session ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dashkit::live::options::LiveOptions;
use dashkit::live::patch::tree::{parse, Element};
use dashkit::live::source::{respond, Response, SourceConfig, Unavailable as Refusal};
use proptest::prelude::*;

mod support;
use support::{golden, livesim_asset as asset};

const HOST: &str = "http://localhost:8059";

fn config(url: &str) -> SourceConfig {
    SourceConfig {
        utc_timing_url: Some(format!("{HOST}/time")),
        request_url: Some(url.to_string()),
        ..SourceConfig::default()
    }
}

fn mpd_url(opts: &str) -> String {
    format!("{HOST}/livesim2/{opts}/ffmpeg_livesim/manifest.mpd")
}

fn ask(opts: &str, file: &str, url: &str, now_ms: i64) -> Response<'static> {
    let o = LiveOptions::parse(opts).unwrap();
    respond(&asset(), &o, file, now_ms, &config(url), |_| None).unwrap()
}

fn mpd(opts: &str, now_ms: i64) -> String {
    match ask(opts, "manifest.mpd", &mpd_url(opts), now_ms) {
        Response::Mpd { xml } => xml,
        other => panic!("{other:?}"),
    }
}

/// The patch the client holding `old` (an MPD text) gets at `now_ms` from its PatchLocation.
fn patch_for(opts: &str, old: &str, now_ms: i64) -> Response<'static> {
    let root = parse(old).unwrap();
    let loc = root
        .children
        .iter()
        .find(|c| c.name == "PatchLocation")
        .expect("PatchLocation");
    assert!(loc.text.starts_with("/patch/livesim2/"), "{}", loc.text);
    ask(opts, "manifest.mpp", &format!("{HOST}{}", loc.text), now_ms)
}

// ---- An RFC 5261 applier for the XPath subset MPD patches use. ----

/// Splits an XPath at `/` outside quotes.
fn steps(sel: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quote = None;
    for c in sel.chars() {
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('/', None) => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        out.last_mut().unwrap().push(c);
    }
    assert_eq!(out.remove(0), "", "absolute path {sel}");
    out
}

/// The index of the child matching one step (`Name`, `Name[n]`, `Name[@a='v']`), which must
/// be unique.
fn child(e: &Element, step: &str) -> usize {
    let (name, pred) = match step.split_once('[') {
        Some((n, p)) => (n, Some(p.strip_suffix(']').unwrap())),
        None => (step, None),
    };
    let same: Vec<usize> = (0..e.children.len())
        .filter(|&i| e.children[i].name == name)
        .collect();
    match pred {
        None => {
            assert_eq!(same.len(), 1, "{step} is not unique");
            same[0]
        }
        Some(p) if p.starts_with('@') => {
            let (a, v) = p[1..].split_once('=').unwrap();
            let v = &v[1..v.len() - 1];
            let hits: Vec<usize> = same
                .into_iter()
                .filter(|&i| e.children[i].attr(a) == Some(v))
                .collect();
            assert_eq!(hits.len(), 1, "{step} matches {}", hits.len());
            hits[0]
        }
        Some(n) => same[n.parse::<usize>().unwrap() - 1],
    }
}

/// Resolves `sel`: the index path to the element, and the attribute named by a final `@a`.
fn resolve(root: &Element, sel: &str) -> (Vec<usize>, Option<String>) {
    let st = steps(sel);
    assert_eq!(st[0], root.name);
    let mut path = Vec::new();
    let mut e = root;
    let mut attr = None;
    for s in &st[1..] {
        if let Some(a) = s.strip_prefix('@') {
            attr = Some(a.to_string());
            break;
        }
        let i = child(e, s);
        path.push(i);
        e = &e.children[i];
    }
    (path, attr)
}

fn at<'a>(root: &'a mut Element, path: &[usize]) -> &'a mut Element {
    path.iter().fold(root, |e, &i| &mut e.children[i])
}

fn apply(mpd: &mut Element, patch: &Element) {
    assert_eq!(patch.name, "Patch");
    assert_eq!(patch.attr("mpdId"), mpd.attr("id"));
    assert_eq!(patch.attr("originalPublishTime"), mpd.attr("publishTime"));
    for op in &patch.children {
        let sel = op.attr("sel").unwrap();
        let (path, attr) = resolve(mpd, sel);
        match (op.name.as_str(), attr) {
            ("add", None) => match op.attr("type") {
                Some(t) => {
                    let name = t.strip_prefix('@').expect("attribute add");
                    let e = at(mpd, &path);
                    assert!(e.attr(name).is_none(), "{name} exists");
                    e.attrs.push((name.to_string(), op.text.clone()));
                }
                None => {
                    let new = op.children.clone();
                    match op.attr("pos") {
                        None => at(mpd, &path).children.extend(new),
                        Some("prepend") => {
                            let e = at(mpd, &path);
                            e.children.splice(0..0, new);
                        }
                        Some(pos @ ("after" | "before")) => {
                            let (last, parent) = path.split_last().unwrap();
                            let i = if pos == "after" { last + 1 } else { *last };
                            at(mpd, parent).children.splice(i..i, new);
                        }
                        Some(p) => panic!("pos {p}"),
                    }
                }
            },
            ("replace", Some(a)) => {
                let e = at(mpd, &path);
                assert!(e.attr(&a).is_some(), "replace of absent @{a}");
                e.set_attr(&a, &op.text);
            }
            ("replace", None) => {
                assert_eq!(op.children.len(), 1);
                *at(mpd, &path) = op.children[0].clone();
            }
            ("remove", Some(a)) => {
                let e = at(mpd, &path);
                let before = e.attrs.len();
                e.attrs.retain(|(k, _)| *k != a);
                assert_eq!(e.attrs.len() + 1, before, "remove of absent @{a}");
            }
            ("remove", None) => {
                let (last, parent) = path.split_last().unwrap();
                at(mpd, parent).children.remove(*last);
            }
            (o, _) => panic!("operation {o}"),
        }
    }
}

/// Applies the patch served at `t2` to the MPD of `t1` and compares with the MPD of `t2`.
fn check(opts: &str, t1: i64, t2: i64) -> Result<(), TestCaseError> {
    let old = mpd(opts, t1);
    let new = mpd(opts, t2);
    let xml = match patch_for(opts, &old, t2) {
        Response::MpdPatch { xml, .. } => xml,
        other => return Err(TestCaseError::fail(format!("{opts} {t1} {t2}: {other:?}"))),
    };
    let mut tree = parse(&old).unwrap();
    apply(&mut tree, &parse(&xml).unwrap());
    let want = parse(&new).unwrap();
    prop_assert!(
        tree.same(&want),
        "{opts} {t1}→{t2}\npatch:\n{xml}\nold:\n{old}\nnew:\n{new}"
    );
    Ok(())
}

/// 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000_000;

/// Golden MPD (PatchLocation, ids) and patch across a Period boundary with SegmentTimeline.
#[test]
fn golden_patch() {
    let opts = "segtimeline_1/periods_60/tsbd_70/patch_60";
    let old = mpd(opts, NOW - 6_000);
    golden("live", "patch_60_timeline.mpd", &old);
    let Response::MpdPatch { xml, expires_ms } = patch_for(opts, &old, NOW) else {
        panic!()
    };
    assert_eq!(expires_ms, NOW - 6_000 + 70_000);
    golden("live", "patch_60_timeline.mpp", &xml);
    check(opts, NOW - 6_000, NOW).unwrap();
    // The URL livesim2 uses.
    assert!(old.contains(
        "<PatchLocation ttl=\"60\">/patch/livesim2/segtimeline_1/periods_60/tsbd_70/patch_60/ffmpeg_livesim/manifest.mpp?publishTime=2023-11-14T22%3A13%3A14Z</PatchLocation>"
    ));
    assert!(old.contains("<MPD ") && old.contains(" id=\"auto-patch-id\""));
}

/// livesim2's refusals: 425 while the MPD is the client's, 410 after ttl + 10 s, 400 without
/// a publishTime, 404 without patch_; and patch_ with chunkdur_ is refused.
#[test]
fn refusals() {
    let opts = "patch_10";
    let old = mpd(opts, NOW);
    assert!(matches!(
        patch_for(opts, &old, NOW + 999),
        Response::Refused {
            refusal: Refusal::TooEarly { by_ms: 1 },
            ..
        }
    ));
    assert!(matches!(
        patch_for(opts, &old, NOW + 20_999),
        Response::MpdPatch { .. }
    ));
    assert!(matches!(
        patch_for(opts, &old, NOW + 21_000),
        Response::Refused {
            refusal: Refusal::TooLate { .. },
            ..
        }
    ));
    let o = LiveOptions::parse(opts).unwrap();
    let url = format!("{HOST}/patch/livesim2/patch_10/ffmpeg_livesim/manifest.mpp");
    assert!(matches!(
        respond(&asset(), &o, "manifest.mpp", NOW, &config(&url), |_| None),
        Err(dashkit::live::Error::BadOption { .. })
    ));
    let plain = LiveOptions::parse("tsbd_30").unwrap();
    assert!(matches!(
        respond(&asset(), &plain, "manifest.mpp", NOW, &config(&url), |_| {
            None
        })
        .unwrap(),
        Response::Refused {
            refusal: Refusal::NotFound,
            ..
        }
    ));
    assert!(!mpd("tsbd_30", NOW).contains("PatchLocation"));
    assert!(LiveOptions::parse("patch_10/chunkdur_0.5").is_err());
    // A session that has ended: the static MPD has no PatchLocation.
    let ended = "start_1699999000/stop_1699999100/patch_60";
    assert!(!mpd(ended, NOW).contains("PatchLocation"));
}

/// A relative session (`startrel_`): the PatchLocation names the absolute session its Location
/// gives, whose MPD the patch turns into the current one.
#[test]
fn relative_sessions_patch_their_absolute_form() {
    let rel = "startrel_-60/patch_60";
    let old_rel = mpd(rel, NOW);
    let abs = "start_1699999940/patch_60";
    assert!(
        old_rel.contains(&format!(
            "<Location>{HOST}/livesim2/{abs}/ffmpeg_livesim/manifest.mpd</Location>"
        )),
        "{old_rel}"
    );
    assert!(
        old_rel.contains(&format!(
            "/patch/livesim2/{abs}/ffmpeg_livesim/manifest.mpp?"
        )),
        "{old_rel}"
    );
    check(abs, NOW, NOW + 5_000).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
    #[test]
    fn patch_turns_the_old_mpd_into_the_new(t1 in 0i64..7_200_000, dt in 1_000i64..70_000,
                                           mode in 0usize..3, periods in 0usize..3,
                                           subs in any::<bool>(), stop in any::<bool>()) {
        let mut opts = vec![["tsbd_30", "segtimeline_1/tsbd_30", "segtimelinenr_1/tsbd_30"][mode].to_string()];
        match periods {
            1 => opts.push("periods_60".into()),
            2 => opts.push("periods_60/continuous_1".into()),
            _ => {}
        }
        if subs {
            opts.push("timesubsstpp_en/timesubswvtt_sv".into());
        }
        let t1 = NOW + t1;
        if stop {
            // A session ending between the two instants, now and then: a whole second after
            // t1 (never at or before it, which a dt under 2 s once gave) and by t1 + dt.
            let start = (t1 / 1000) - 100;
            let stop = ((t1 + dt / 2) / 1000).max(t1 / 1000 + 1);
            opts.push(format!("start_{start}/stop_{stop}"));
        }
        opts.push("patch_60".into());
        check(&opts.join("/"), t1, t1 + dt)?;
    }
}
