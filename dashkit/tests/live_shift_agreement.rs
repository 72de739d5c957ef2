//! `live-shift` and `serve` agree at every instant (issue 15): over a sweep of instants and
//! option sets (chunkdur_, $Number$, SegmentTimeline with $Time$ and $Number$, timeoffset_,
//! start_/stop_, snr_), the files `dashkit::live::shift::live_files` returns (what
//! `dashkit live-shift` writes) are exactly what serve's answer function
//! (`respond` then `http::http_response`, in-process) answers with 200 at that instant: the
//! same MPD, and the same set of media segments with the same bytes. And the MPD never leaves
//! out a segment it makes a player expect: every segment a timeline lists, and the newest
//! segment a `$Number$` MPD's availabilityTimeOffset makes available, is among them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};

use dashkit::live::asset::LiveAsset;
use dashkit::live::http::{http_response, HttpBody, HttpPolicy};
use dashkit::live::options::LiveOptions;
use dashkit::live::shift::live_files;
use dashkit::live::source::{respond, segment_url, SourceConfig};

mod support;
use support::{livesim_asset, livesim_dir};

/// Every file of the fixture, by its URL relative to the MPD.
fn vod_files() -> HashMap<String, Vec<u8>> {
    let dir = livesim_dir();
    let mut files = HashMap::new();
    for rep in std::fs::read_dir(&dir).unwrap() {
        let rep = rep.unwrap().path();
        for f in std::fs::read_dir(&rep).into_iter().flatten() {
            let f = f.unwrap().path();
            let url = f.strip_prefix(&dir).unwrap().to_str().unwrap().to_string();
            files.insert(url, std::fs::read(&f).unwrap());
        }
    }
    files
}

/// serve's answer to `file` at `now`: the status and every byte the client gets (a chunked
/// answer's chunks in order, as they fall due).
fn serve(
    asset: &LiveAsset,
    o: &LiveOptions,
    file: &str,
    now: i64,
    files: &HashMap<String, Vec<u8>>,
) -> (u16, Vec<u8>) {
    let answer = respond(asset, o, file, now, &SourceConfig::default(), |u| {
        files.get(u).map(Vec::as_slice)
    });
    let r = http_response(answer, now, &HttpPolicy::default());
    let parts = match r.body {
        HttpBody::Parts(p) => p,
        HttpBody::Timed(chunks) => chunks.into_iter().flat_map(|c| c.parts).collect(),
    };
    let bytes = parts.iter().flat_map(|p| p.as_bytes()).copied().collect();
    (r.status, bytes)
}

/// What `live-shift` writes at `now`.
struct Written {
    /// The MPD's bytes.
    mpd: Vec<u8>,
    /// Init segments: path → bytes.
    inits: BTreeMap<String, Vec<u8>>,
    /// Media segments: (Representation, number) → (path, bytes).
    segments: BTreeMap<(String, u64), (String, Vec<u8>)>,
}

impl Written {
    fn has_path(&self, path: &str) -> bool {
        self.segments.values().any(|(p, _)| p == path) || self.inits.contains_key(path)
    }
}

fn shift(
    asset: &LiveAsset,
    o: &LiveOptions,
    now: i64,
    files: &HashMap<String, Vec<u8>>,
) -> Written {
    let out = live_files(asset, o, "manifest.mpd", now, None, |u| {
        files.get(u).map(Vec::as_slice)
    })
    .unwrap();
    let mut w = Written {
        mpd: Vec::new(),
        inits: BTreeMap::new(),
        segments: BTreeMap::new(),
    };
    for f in &out.files {
        match (&f.representation_id, f.number) {
            (None, _) => {
                assert_eq!(f.path, "manifest.mpd");
                w.mpd = f.to_vec();
            }
            (Some(_), None) => {
                w.inits.insert(f.path.clone(), f.to_vec());
            }
            (Some(rep), Some(n)) => {
                let old = w
                    .segments
                    .insert((rep.clone(), n), (f.path.clone(), f.to_vec()));
                assert!(old.is_none(), "{} written twice", f.path);
            }
        }
    }
    w
}

/// The newest segment number a `$Number$` MPD makes available at `now` (ISO/IEC 23009-1
/// §5.3.9.5: a segment is available once its end minus availabilityTimeOffset has passed).
fn newest_by_mpd(mpd: &dashkit::mpd::Mpd, now: i64) -> Option<u64> {
    let ast = mpd.availability_start_time.as_ref()?.unix_millis();
    let tpl = mpd.periods[0].adaptation_sets[0]
        .segment_template
        .as_ref()?;
    let d_ms = tpl.duration? * 1000 / u64::from(tpl.timescale.unwrap_or(1));
    let ato_ms = tpl
        .availability_time_offset
        .as_deref()
        .map_or(0, |a| (a.parse::<f64>().unwrap() * 1000.0).round() as i64);
    let elapsed = now - ast + ato_ms;
    let ended = elapsed.div_euclid(d_ms as i64);
    (ended >= 1).then(|| tpl.start_number.unwrap_or(1) + ended as u64 - 1)
}

#[test]
fn live_shift_writes_what_serve_serves_at_every_instant() {
    let asset = livesim_asset();
    let files = vod_files();
    let mut checked_segments = 0usize;
    let mut ato_checks = 0usize;
    for opts in [
        "tsbd_20",
        "tsbd_20/chunkdur_0.5",
        "tsbd_20/segtimeline_1",
        "tsbd_20/segtimelinenr_1",
        "tsbd_20/segtimeline_1/chunkdur_0.5",
        "tsbd_20/segtimelinenr_1/chunkdur_0.5",
        "start_60/timeoffset_0/tsbd_20",
        "start_50/timeoffset_20/tsbd_12/segtimeline_1",
        "start_61/stop_95/timeoffset_0",
        "start_61/stop_95/timeoffset_0/segtimelinenr_1",
        "start_60/stop_90/snr_3/chunkdur_0.5",
    ] {
        let o = LiveOptions::parse(opts).unwrap();
        let timeline = o.timeline != dashkit::live::options::TimelineMode::Number;
        // 59 s to 101 s in 1050 ms steps (the phases of a 2 s segment 50 ms apart), plus the
        // instants around segment boundaries.
        let mut instants: Vec<i64> = (0..40).map(|i| 59_000 + i * 1050).collect();
        instants.extend([
            80_000, 80_499, 80_500, 80_501, 81_999, 82_000, 95_000, 96_001,
        ]);
        for now in instants {
            let written = shift(&asset, &o, now, &files);
            // The MPD: the same bytes.
            let (status, mpd_bytes) = serve(&asset, &o, "manifest.mpd", now, &files);
            assert_eq!(status, 200, "{opts} at {now}");
            assert!(written.mpd == mpd_bytes, "{opts} at {now}: MPD differs");
            // Every segment serve answers 200 (any number near the live edge and before it)
            // is written, and no other.
            let mut served_inits = BTreeMap::new();
            let mut served = BTreeMap::new();
            for las in &asset.adaptation_sets {
                for rep in &las.representations {
                    let init = rep.init_url().unwrap().unwrap();
                    let (status, bytes) = serve(&asset, &o, &init, now, &files);
                    if status == 200 {
                        served_inits.insert(init, bytes);
                    }
                    for n in 0..=(now / 2000 + 4) as u64 {
                        let Ok(url) = segment_url(&asset, &o, &rep.id, n, now) else {
                            continue; // before media time zero (timeoffset_)
                        };
                        let (status, bytes) = serve(&asset, &o, &url, now, &files);
                        if status == 200 {
                            served.insert((rep.id.clone(), n), (url, bytes));
                        }
                    }
                }
            }
            assert_eq!(
                written.inits, served_inits,
                "{opts} at {now}: init segments"
            );
            assert_eq!(
                written.segments.keys().collect::<Vec<_>>(),
                served.keys().collect::<Vec<_>>(),
                "{opts} at {now}: the set of segments"
            );
            // The same bytes; a segment written under another name (the one the MPD lists)
            // is served under that name too.
            for (key, (url, bytes)) in &served {
                let (path, wrote) = &written.segments[key];
                if path != url {
                    let (status, by_path) = serve(&asset, &o, path, now, &files);
                    assert_eq!(status, 200, "{opts} at {now}: {path} written but refused");
                    assert!(
                        by_path == *bytes,
                        "{opts} at {now}: {path} and {url} differ"
                    );
                }
                assert!(wrote == bytes, "{opts} at {now}: {path} bytes differ");
            }
            checked_segments += served.len();
            // The MPD names nothing live-shift left out.
            let mpd = dashkit::mpd::parse(std::str::from_utf8(&mpd_bytes).unwrap()).unwrap();
            let is_static = mpd.r#type.as_deref() == Some("static");
            if timeline || is_static {
                for rep in dashkit::mpd::listing::list_segments(&mpd, "", |_| None).unwrap() {
                    for s in &rep.segments.segments {
                        assert!(
                            written.has_path(&s.url),
                            "{opts} at {now}: the MPD lists {} but it is not written",
                            s.url
                        );
                    }
                }
            } else if let Some(newest) = newest_by_mpd(&mpd, now) {
                let stopped = o.stop_s.is_some_and(|s| now >= s * 1000);
                if !stopped {
                    assert!(
                        written.segments.contains_key(&("0".to_string(), newest)),
                        "{opts} at {now}: the MPD makes {newest} available but it is not written"
                    );
                    ato_checks += 1;
                }
            }
        }
    }
    assert!(checked_segments > 4_000, "only {checked_segments} segments");
    assert!(ato_checks > 100, "only {ato_checks} $Number$ MPDs checked");
}

/// The case issue 15 names: `chunkdur_0.5` at 1000.6 s. The MPD announces ato 1.5 s, so
/// segment 500 (1000–1002 s) may be fetched from 1000.5 s: serve answers
/// it, and live-shift writes it.
#[test]
fn chunkdur_at_1000_6_writes_segment_500() {
    let asset = livesim_asset();
    let files = vod_files();
    let o = LiveOptions::parse("chunkdur_0.5").unwrap();
    let now = 1_000_600;
    let written = shift(&asset, &o, now, &files);
    for rep in ["0", "1"] {
        let url = format!("{rep}/500.m4s");
        let (status, bytes) = serve(&asset, &o, &url, now, &files);
        assert_eq!(status, 200);
        assert_eq!(
            written.segments.get(&(rep.to_string(), 500)),
            Some(&(url.clone(), bytes)),
            "{url}"
        );
        assert!(!written.segments.contains_key(&(rep.to_string(), 501)));
        assert_eq!(
            serve(&asset, &o, &format!("{rep}/501.m4s"), now, &files).0,
            425
        );
    }
    let mpd = String::from_utf8(written.mpd).unwrap();
    assert!(mpd.contains(r#"availabilityTimeOffset="1.5""#), "{mpd}");
}
