//! `dashkit::origin` in-process, at fixed instants: routing and the live simulator over an
//! in-memory `Source` holding a real fixture (files loaded once by the test, none by the
//! library), checked against the live simulator called directly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;

use dashkit::live::asset::LiveAsset;
use dashkit::live::http::{http_response, HttpBody, HttpPolicy, HttpResponse};
use dashkit::live::source::{respond, SourceConfig};
use dashkit::origin::livesim::{LiveRequest, Livesim, Source};
use dashkit::origin::{concat, route, Config, RequestHead, Route};

/// Files by components below the root, and how often each was read.
#[derive(Default)]
struct Memory {
    files: HashMap<Vec<String>, Vec<u8>>,
    reads: HashMap<Vec<String>, usize>,
    listings: usize,
}

impl Memory {
    fn load(root: &Path, dir: &str) -> Memory {
        let mut m = Memory::default();
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap();
                    let comps = rel
                        .iter()
                        .map(|c| c.to_string_lossy().into_owned())
                        .collect();
                    m.files.insert(comps, std::fs::read(&p).unwrap());
                }
            }
        }
        m
    }
}

impl Source for Memory {
    fn list(&mut self, dir: &[String]) -> Option<Vec<String>> {
        self.listings += 1;
        let inside: Vec<&Vec<String>> = self
            .files
            .keys()
            .filter(|k| k.len() > dir.len() && k.starts_with(dir))
            .collect();
        if inside.is_empty() {
            return None;
        }
        Some(
            inside
                .into_iter()
                .filter(|k| k.len() == dir.len() + 1)
                .map(|k| k[dir.len()].clone())
                .collect(),
        )
    }
    fn read(&mut self, path: &[String]) -> Option<Vec<u8>> {
        *self.reads.entry(path.to_vec()).or_default() += 1;
        self.files.get(path).cloned()
    }
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash")
}

fn get(
    live: &mut Livesim,
    src: &mut Memory,
    path: &str,
    query: Option<&str>,
    range: Option<&str>,
) -> HttpResponse<'static> {
    let head = RequestHead::new("GET", path, query, None);
    let routed = route(&head, 0, &Config::default());
    let req = LiveRequest::new(Some("origin.test"), path);
    match live.answer_route(src, routed, &req, range, &Config::default()) {
        Ok(r) => r,
        Err(other) => panic!("not a file route: {other:?}"),
    }
}

fn body(r: &HttpResponse<'_>) -> Vec<u8> {
    match &r.body {
        HttpBody::Parts(p) => concat(p),
        HttpBody::Timed(_) => panic!("timed body"),
    }
}

#[test]
fn livesim_over_a_source_answers_as_respond_does_and_keeps_the_asset() {
    let mut src = Memory::load(&fixtures(), "ffmpeg_livesim");
    let mut live = Livesim::new();
    let now = 1_004_000;

    let mpd = get(
        &mut live,
        &mut src,
        "/livesim/ffmpeg_livesim/manifest.mpd",
        Some("nowMS=1004000"),
        None,
    );
    assert_eq!(
        mpd.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&body(&mpd))
    );
    assert_eq!(mpd.header("content-type"), Some("application/dash+xml"));
    assert!(String::from_utf8(body(&mpd))
        .unwrap()
        .contains("http://origin.test/time"));

    // The same segment from the live simulator called directly on the same files.
    let dir = vec!["ffmpeg_livesim".to_string()];
    let text =
        String::from_utf8(src.files[&vec!["ffmpeg_livesim".into(), "manifest.mpd".into()]].clone())
            .unwrap();
    let files = src.files.clone();
    let file = |url: &str| {
        let mut k = dir.clone();
        k.extend(url.split('/').map(String::from));
        files.get(&k)
    };
    let asset = LiveAsset::from_vod(
        dashkit::mpd::parse(&text).unwrap(),
        &mut dashkit::source::WholeFiles(|u: &str| file(u).cloned()),
    )
    .unwrap();
    let options = dashkit::live::http::parse_live_path(&[
        "ffmpeg_livesim".into(),
        "0".into(),
        "500.m4s".into(),
    ])
    .unwrap()
    .options;
    let direct = respond(
        &asset,
        &options,
        "0/500.m4s",
        now,
        &SourceConfig::default(),
        |u| file(u).map(Vec::as_slice),
    );
    let direct = http_response(direct, now, &HttpPolicy::default());

    let seg = get(
        &mut live,
        &mut src,
        "/livesim/ffmpeg_livesim/0/500.m4s",
        Some("nowMS=1004000"),
        None,
    );
    assert_eq!(seg.status, 200);
    assert_eq!(body(&seg), body(&direct), "segment bytes");
    assert_eq!(seg.headers, direct.headers);

    // Too early: 425 with Retry-After, and 404 with dashlivesim's statuses.
    let early = get(
        &mut live,
        &mut src,
        "/livesim/ffmpeg_livesim/0/900.m4s",
        Some("nowMS=1004000"),
        None,
    );
    assert_eq!(early.status, 425);
    assert!(early.header("retry-after").is_some());

    // The asset was analysed once: the MPD read once across the three requests.
    let mpd_key = vec!["ffmpeg_livesim".to_string(), "manifest.mpd".to_string()];
    assert_eq!(src.reads[&mpd_key], 1);
    let listings = src.listings;
    get(
        &mut live,
        &mut src,
        "/livesim/ffmpeg_livesim/0/501.m4s",
        Some("nowMS=1004000"),
        None,
    );
    assert_eq!(src.listings, listings, "directory listing kept");

    // Unknown asset and not-a-directory paths: 404, nothing kept for them.
    assert_eq!(
        get(&mut live, &mut src, "/livesim/nope/x/1.m4s", None, None).status,
        404
    );
}

#[test]
fn vod_files_through_a_source() {
    let mut src = Memory::load(&fixtures(), "ffmpeg_livesim");
    let mut live = Livesim::new();
    let init = src.files[&vec!["ffmpeg_livesim".into(), "0".into(), "init.mp4".into()]].clone();
    let whole = get(
        &mut live,
        &mut src,
        "/dash/vod/ffmpeg_livesim/0/init.mp4",
        None,
        None,
    );
    assert_eq!((whole.status, body(&whole)), (200, init.clone()));
    assert_eq!(whole.header("content-type"), Some("video/mp4"));
    let part = get(
        &mut live,
        &mut src,
        "/vod/ffmpeg_livesim/0/init.mp4",
        None,
        Some("bytes=-8"),
    );
    assert_eq!(part.status, 206);
    assert_eq!(body(&part), init[init.len() - 8..]);
    let bad = get(
        &mut live,
        &mut src,
        "/vod/ffmpeg_livesim/0/init.mp4",
        None,
        Some("bytes=999999-"),
    );
    assert_eq!(bad.status, 416);
    assert_eq!(
        get(
            &mut live,
            &mut src,
            "/vod/ffmpeg_livesim/none.mp4",
            None,
            None
        )
        .status,
        404
    );
    // Ingest routes are not file routes: given back.
    let head = RequestHead::new("PUT", "/ingest/ch/a.mpd", None, None);
    let routed = route(&head, 0, &Config::default());
    let req = LiveRequest::new(None, "/ingest/ch/a.mpd");
    let back = live.answer_route(&mut src, routed, &req, None, &Config::default());
    assert_eq!(back.unwrap_err(), Route::Ingest("ch/a.mpd".into()));
}

#[test]
fn a_source_seen_from_a_directory_is_an_asset_source() {
    use dashkit::origin::livesim::AssetDir;
    use dashkit::source::Source;
    let mut src = Memory::load(&fixtures(), "ffmpeg_livesim");
    let dir = vec!["ffmpeg_livesim".to_string()];
    let mpd = src.files[&vec!["ffmpeg_livesim".into(), "manifest.mpd".into()]].clone();
    let mut files = AssetDir {
        source: &mut src,
        dir: &dir,
    };
    assert_eq!(files.read("manifest.mpd", None), Some(mpd.clone()));
    assert_eq!(
        files.read("../../etc/passwd", None),
        None,
        "never above the root"
    );
    let mut listed = files.list("0").unwrap();
    listed.sort();
    assert!(listed.contains(&"init.mp4".to_string()), "{listed:?}");
    // The vodanalyzer-compatible analysis reads the asset through it.
    let analysis = dashkit::analyze::analyze(
        std::str::from_utf8(&mpd).unwrap(),
        "ffmpeg_livesim",
        &mut files,
    )
    .unwrap();
    // The fixture: 5 segments of 2 s, video and audio (fixtures/dash/ffmpeg_livesim).
    assert_eq!(analysis.segment_duration_s, 2);
    assert_eq!(analysis.nr_segments_in_loop, 5);
    assert_eq!(analysis.adaptation_sets.len(), 2);
}

/// ClearKey license requests of `drm_eccp-*` streams (docs/encryption.md): a POST to a
/// `/livesim/…/eccp.json` URL is routed to the license; its preflight allows POST; any other
/// POST is still refused.
#[test]
fn license_requests_are_routed() {
    let at = "/livesim/drm_eccp-cenc/asset/eccp.json";
    let head = |method, path| RequestHead::new(method, path, None, None);
    assert_eq!(
        route(&head("POST", at), 0, &Config::default()),
        Route::License
    );
    assert_eq!(
        route(
            &head("POST", "/livesim2/eccp_cbcs/a/b/eccp.json"),
            0,
            &Config::default()
        ),
        Route::License
    );
    let Route::Answer(r) = route(
        &head("POST", "/livesim/asset/x.json"),
        0,
        &Config::default(),
    ) else {
        panic!("not an answer")
    };
    assert_eq!(r.status, 405);
    let Route::Answer(r) = route(
        &RequestHead::new("OPTIONS", at, None, Some("content-type")),
        0,
        &Config::default(),
    ) else {
        panic!("not an answer")
    };
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("POST, OPTIONS")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type")
    );
    // The license answers by itself, from the body.
    let ok = dashkit::origin::license::answer(br#"{"kids":["KID-NuRL-b950nUuI0gYpQ"]}"#);
    assert_eq!(ok.status, 200);
    assert_eq!(dashkit::origin::license::answer(b"{}").status, 400);
}

#[test]
fn livesim_segment_ranges_over_a_source_as_serve_answers_them() {
    let mut src = Memory::load(&fixtures(), "ffmpeg_livesim");
    let mut live = Livesim::new();
    let path = "/livesim/chunkdur_0.5/ffmpeg_livesim/0/500.m4s";
    let q = Some("nowMS=1004000");
    let whole = get(&mut live, &mut src, path, q, None);
    assert_eq!(whole.status, 200);
    let whole = body(&whole);
    let r = get(&mut live, &mut src, path, q, Some("bytes=10-19"));
    assert_eq!(r.status, 206);
    let cr = format!("bytes 10-19/{}", whole.len());
    assert_eq!(r.header("content-range"), Some(cr.as_str()));
    assert_eq!(body(&r), whole[10..20]);
    let past = format!("bytes={}-", whole.len());
    assert_eq!(get(&mut live, &mut src, path, q, Some(&past)).status, 416);
}
