//! MPD patches (`patch_<ttl>`, ISO/IEC 23009-1 §5.15), as livesim2 serves them
//! (docs/live-options.md#mpd-patches): the live MPD gets an `@id` (`auto-patch-id` when the VoD
//! MPD has none), ids on AdaptationSets that lack one (their position + 1), and a
//! `PatchLocation ttl="<ttl>"` naming `/patch/<the MPD's path with .mpp>?publishTime=<its
//! publishTime>`. A request there gets an RFC 5261 diff (`application/dash-patch+xml`)
//! turning the MPD of that publishTime (regenerated: the live MPD depends on "now" only through
//! whole seconds, and its publishTime is that second) into the MPD of now; 425 while the MPD has
//! not changed, 410 once the ttl (plus livesim2's 10 s margin) has passed.

pub(crate) mod diff;
pub mod tree;

use crate::mpd::model::PatchLocation;
use crate::mpd::{Mpd, XsDateTime};

use super::options::LiveOptions;
use super::source::{SourceConfig, Unavailable as Refusal};
use super::Error;

/// The MPD `@id` livesim2 sets for patching when the VoD MPD has none.
///
/// ```
/// use dashkit::live::patch::AUTO_ID;
/// use dashkit::live::{options::LiveOptions, source::{respond, Response, SourceConfig}};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # let cfg = include_str!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim with its vodanalyzer .cfg and .dat files.
/// let opts = LiveOptions::parse("patch_60").unwrap();
/// let mpd = |now_ms| match respond(&asset, &opts, "manifest.mpd", now_ms, &SourceConfig::default(), |_| None) {
///     Ok(Response::Mpd { xml }) => xml,
///     other => panic!("{other:?}"),
/// };
/// // A patch for the MPD a player got at 1000 s, asked for at 1004 s.
/// let config = SourceConfig {
///     request_url: Some("http://o/a/manifest.mpp?publishTime=1970-01-01T00%3A16%3A40Z".into()),
///     ..SourceConfig::default()
/// };
/// let answer = respond(&asset, &opts, "manifest.mpp", 1_004_000, &config, |_| None).unwrap();
/// let Response::MpdPatch { xml: patch, expires_ms } = answer else { panic!("{answer:?}") };
/// assert!(mpd(1_000_000).contains(&format!(r#"id="{AUTO_ID}""#)));
/// assert!(patch.contains(&format!(r#"mpdId="{AUTO_ID}""#)));
/// ```
pub const AUTO_ID: &str = "auto-patch-id";
/// livesim2's margin after the ttl during which a patch is still answered (ms).
///
/// ```
/// use dashkit::live::patch::EXPIRATION_MARGIN_MS;
/// use dashkit::live::{options::LiveOptions, source::{respond, Response, SourceConfig}};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # let cfg = include_str!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim with its vodanalyzer .cfg and .dat files.
/// let opts = LiveOptions::parse("patch_60").unwrap();
/// let mpd = |now_ms| match respond(&asset, &opts, "manifest.mpd", now_ms, &SourceConfig::default(), |_| None) {
///     Ok(Response::Mpd { xml }) => xml,
///     other => panic!("{other:?}"),
/// };
/// // A patch for the MPD a player got at 1000 s, asked for at 1004 s.
/// let config = SourceConfig {
///     request_url: Some("http://o/a/manifest.mpp?publishTime=1970-01-01T00%3A16%3A40Z".into()),
///     ..SourceConfig::default()
/// };
/// let answer = respond(&asset, &opts, "manifest.mpp", 1_004_000, &config, |_| None).unwrap();
/// let Response::MpdPatch { xml: patch, expires_ms } = answer else { panic!("{answer:?}") };
/// // The MPD of 1000 s said ttl="60": its patches are answered until 60 s + the margin later.
/// assert!(mpd(1_000_000).contains(r#"ttl="60""#));
/// assert_eq!(expires_ms, 1_000_000 + 60_000 + EXPIRATION_MARGIN_MS);
/// ```
pub const EXPIRATION_MARGIN_MS: i64 = 10_000;
/// The patch document's media type.
///
/// ```
/// use dashkit::live::patch::CONTENT_TYPE;
/// use dashkit::live::{options::LiveOptions, source::{respond, Response, SourceConfig}};
/// # use dashkit::live::asset::LiveAsset;
/// # fn dat(name: &str) -> Option<Vec<u8>> {
/// #     Some(match name {
/// #         "ffmpeg_livesim_video.dat" => include_bytes!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_video.dat").to_vec(),
/// #         "ffmpeg_livesim_audio.dat" => include_bytes!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim_audio.dat").to_vec(),
/// #         _ => return None,
/// #     })
/// # }
/// # let cfg = include_str!("../../../../fixtures/golden/analyze/ffmpeg_livesim/ffmpeg_livesim.cfg");
/// # let vod = dashkit::mpd::parse(include_str!("../../../../fixtures/dash/ffmpeg_livesim/manifest.mpd")).unwrap();
/// # let asset = LiveAsset::from_cfg(cfg, vod, dat).unwrap();
/// // `asset`: fixtures/dash/ffmpeg_livesim with its vodanalyzer .cfg and .dat files.
/// let opts = LiveOptions::parse("patch_60").unwrap();
/// let mpd = |now_ms| match respond(&asset, &opts, "manifest.mpd", now_ms, &SourceConfig::default(), |_| None) {
///     Ok(Response::Mpd { xml }) => xml,
///     other => panic!("{other:?}"),
/// };
/// // A patch for the MPD a player got at 1000 s, asked for at 1004 s.
/// let config = SourceConfig {
///     request_url: Some("http://o/a/manifest.mpp?publishTime=1970-01-01T00%3A16%3A40Z".into()),
///     ..SourceConfig::default()
/// };
/// let answer = respond(&asset, &opts, "manifest.mpp", 1_004_000, &config, |_| None).unwrap();
/// let Response::MpdPatch { xml: patch, expires_ms } = answer else { panic!("{answer:?}") };
/// // What a server sends with a `Response::MpdPatch`: a Patch document of this type.
/// assert_eq!(CONTENT_TYPE, "application/dash-patch+xml");
/// assert!(patch.contains(r#"<Patch xmlns="urn:mpeg:dash:schema:mpd-patch:2020""#));
/// assert!(mpd(1_004_000).contains("1970-01-01T00:16:44Z")); // what the patch leads to
/// ```
pub const CONTENT_TYPE: &str = "application/dash-patch+xml";

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The path and query of an absolute URL (`http://h/p?q` → `/p?q`).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// The MPD's own path for a request URL: a patch URL's `/patch` prefix and `.mpp` undone, the
/// query dropped.
fn mpd_path(request: &str) -> String {
    let path = path_of(request);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = path.strip_prefix("/patch").unwrap_or(path);
    match path.strip_suffix(".mpp") {
        Some(p) => format!("{p}.mpd"),
        None => path.to_string(),
    }
}

/// Adds what patching needs to a live MPD about to be sent for `file`: the MPD id, the
/// AdaptationSet ids and, while it is dynamic, the PatchLocation for its publishTime.
pub(crate) fn signal_in_mpd(
    mpd: &mut Mpd,
    options: &LiveOptions,
    file: &str,
    config: &SourceConfig,
) {
    let Some(ttl) = options.patch_ttl_s else {
        return;
    };
    if mpd.id.is_none() {
        mpd.id = Some(AUTO_ID.into());
    }
    for p in &mut mpd.periods {
        for (i, a) in p.adaptation_sets.iter_mut().enumerate() {
            if a.id.is_none() {
                a.id = u32::try_from(i + 1).ok();
            }
        }
    }
    if !mpd.is_dynamic() {
        return;
    }
    let Some(publish) = &mpd.publish_time else {
        return;
    };
    // A relative session (`startrel_`) names its absolute form in a Location, which is the MPD
    // the client fetches next and the session a publishTime regenerates.
    let url = mpd
        .locations
        .first()
        .map(|l| l.url.clone())
        .or_else(|| config.request_url.clone());
    let path = match &url {
        Some(url) => {
            let p = mpd_path(url);
            format!(
                "/patch{}",
                p.strip_suffix(".mpd")
                    .map_or(p.clone(), |s| format!("{s}.mpp"))
            )
        }
        None => {
            let name = file.rsplit('/').next().unwrap_or(file);
            name.strip_suffix(".mpd")
                .map_or(name.to_string(), |s| format!("{s}.mpp"))
        }
    };
    mpd.patch_locations = vec![PatchLocation {
        ttl: Some(ttl.to_string()),
        url: format!("{path}?publishTime={}", query_escape(&publish.to_string())),
        ..PatchLocation::default()
    }];
}

/// What a patch request resolves to.
pub(crate) enum Plan {
    /// Diff the MPD at `old_ms` against the one at now, with this config for both.
    Diff {
        /// The instant of the client's MPD.
        old_ms: i64,
        /// The config the MPD requests had.
        config: SourceConfig,
        /// When the patch expires (ms).
        expires_ms: i64,
    },
    /// Refused.
    Refused(Refusal),
}

/// The `publishTime` of a patch request (from its URL's query) and the plan for it at `now_ms`.
pub(crate) fn plan(
    options: &LiveOptions,
    config: &SourceConfig,
    now_ms: i64,
) -> Result<Plan, Error> {
    let Some(ttl) = options.patch_ttl_s else {
        return Ok(Plan::Refused(Refusal::NotFound));
    };
    let url = config.request_url.as_deref().unwrap_or("");
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let value = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "publishTime")
        .map(|(_, v)| v);
    let bad = |v: &str| Error::BadOption {
        key: "publishTime".into(),
        value: v.into(),
    };
    let v = value.ok_or_else(|| bad(""))?;
    let text = query_unescape(v).ok_or_else(|| bad(v))?;
    let t = XsDateTime::parse(&text)
        .ok()
        .filter(XsDateTime::has_zone)
        .ok_or_else(|| bad(v))?;
    let old_ms = t.unix_millis();
    let now_s_ms = now_ms.div_euclid(1000) * 1000;
    if old_ms >= now_s_ms {
        // Not changed since (or from the future): ask again when the next second starts.
        return Ok(Plan::Refused(Refusal::TooEarly {
            by_ms: old_ms.max(now_s_ms) + 1000 - now_ms,
        }));
    }
    let ttl_ms = i64::try_from(ttl)
        .ok()
        .and_then(|t| t.checked_mul(1000))
        .ok_or(Error::Overflow)?;
    let expires_ms = old_ms
        .checked_add(ttl_ms + EXPIRATION_MARGIN_MS)
        .ok_or(Error::Overflow)?;
    if now_s_ms > expires_ms {
        return Ok(Plan::Refused(Refusal::TooLate {
            by_ms: now_s_ms - expires_ms,
        }));
    }
    let mpd_url = config.request_url.as_deref().map(|u| {
        let host = u
            .split_once("://")
            .map_or("", |(_, r)| r.split('/').next().unwrap_or(""));
        let scheme = u.split_once("://").map_or("http", |(s, _)| s);
        format!("{scheme}://{host}{}", mpd_path(u))
    });
    Ok(Plan::Diff {
        old_ms,
        config: SourceConfig {
            request_url: mpd_url,
            ..config.clone()
        },
        expires_ms,
    })
}

/// The patch document turning MPD text `old` into `new`; `None` when either cannot be read or
/// they are not the same MPD (`@id`).
///
/// ```
/// use dashkit::live::patch::patch;
/// let old = r#"<MPD id="m" publishTime="2024-01-01T00:00:00Z"><Period id="p0"/></MPD>"#;
/// let new = r#"<MPD id="m" publishTime="2024-01-01T00:00:02Z"><Period id="p0"/><Period id="p1"/></MPD>"#;
/// let doc = patch(old, new).unwrap();
/// assert!(doc.contains(r#"mpdId="m""#));
/// assert!(doc.contains(r#"<replace sel="/MPD/@publishTime">2024-01-01T00:00:02Z</replace>"#));
/// assert!(doc.contains(r#"<Period id="p1"/>"#)); // the new Period is added
/// // Different MPDs (@id) cannot be patched into each other.
/// assert!(patch(old, &new.replace(r#"id="m""#, r#"id="n""#)).is_err());
/// ```
pub fn patch(old: &str, new: &str) -> Result<String, Error> {
    let bad = |e: tree::TreeError| Error::NotLiveable {
        reason: if e.offset == 0 {
            "an MPD to patch is not XML"
        } else {
            "an MPD to patch is malformed XML"
        },
    };
    let o = tree::parse(old).map_err(bad)?;
    let n = tree::parse(new).map_err(bad)?;
    let id = o.attr("id").unwrap_or("");
    if id.is_empty() || n.attr("id") != Some(id) {
        return Err(Error::NotLiveable {
            reason: "MPD patches need the same MPD @id",
        });
    }
    let mut ops = Vec::new();
    diff::diff(&o, &n, "/MPD", &mut ops);
    Ok(diff::patch_document(
        id,
        o.attr("publishTime").unwrap_or(""),
        n.attr("publishTime").unwrap_or(""),
        &ops,
    ))
}

/// The answer to a patch request for `file` (`Manifest.mpp`) at `now_ms`.
pub(crate) fn respond<'a>(
    asset: &super::asset::LiveAsset,
    options: &LiveOptions,
    file: &str,
    now_ms: i64,
    config: &SourceConfig,
) -> Result<super::source::Response<'a>, Error> {
    use super::source::{mpd_text, refusal_message, Response};
    use super::timing::Timing;
    let session = Timing::from_options(options, asset.looping, asset.default_tsbd_s, now_ms)?;
    let name = file.rsplit('/').next().unwrap_or(file);
    let refused = |refusal: Refusal| -> Result<Response<'a>, Error> {
        Ok(Response::Refused {
            refusal,
            message: refusal_message(&session.timing, name, None, refusal, now_ms)?,
        })
    };
    let (old_ms, mpd_config, expires_ms) = match plan(options, config, now_ms)? {
        Plan::Refused(r) => return refused(r),
        Plan::Diff {
            old_ms,
            config,
            expires_ms,
        } => (old_ms, config, expires_ms),
    };
    let mpd_file = name
        .strip_suffix(".mpp")
        .map_or(name.to_string(), |s| format!("{s}.mpd"));
    let old_session = Timing::from_options(options, asset.looping, asset.default_tsbd_s, old_ms)?;
    let old = mpd_text(asset, options, &old_session, old_ms, &mpd_config, &mpd_file)?;
    let new = mpd_text(asset, options, &session, now_ms, &mpd_config, &mpd_file)?;
    // The client's MPD was dynamic and named this patch location; one from before the session
    // (or after its end) was not.
    if !old.contains("<PatchLocation") {
        return refused(Refusal::NotFound);
    }
    Ok(Response::MpdPatch {
        xml: patch(&old, &new)?,
        expires_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            query_escape("2023-11-14T22:13:20Z"),
            "2023-11-14T22%3A13%3A20Z"
        );
        assert_eq!(
            query_unescape("2023-11-14T22%3A13%3A20Z").as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            mpd_path("http://h:1/patch/livesim2/patch_60/a/Manifest.mpp?publishTime=x"),
            "/livesim2/patch_60/a/Manifest.mpd"
        );
        assert_eq!(
            mpd_path("http://h/livesim/a/m.mpd?nowMS=1"),
            "/livesim/a/m.mpd"
        );
    }
}
