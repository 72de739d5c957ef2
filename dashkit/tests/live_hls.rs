//! The live simulator's HLS twin in-process, at fixed instants, on the ffmpeg_livesim fixture
//! (5 × 2 s, video `0`, audio `1`): every media playlist lists exactly segments the live
//! simulator serves at that instant, with the duration and start their bytes have.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use dashkit::bmff::samples::track_samples;
use dashkit::hls::{parse, write_media, MediaPlaylist, Playlist};
use dashkit::live::asset::LiveAsset;
use dashkit::live::availability::Availability;
use dashkit::live::hls::{media_playlist, multivariant, LivePlaylist};
use dashkit::live::http::{http_response, HttpPolicy};
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig, Unavailable as Refusal};
use dashkit::live::timing::Timing;

fn files() -> impl Fn(&str) -> Option<&'static [u8]> {
    let dir = support::livesim_dir();
    move |u: &str| -> Option<&'static [u8]> {
        // Leaked on purpose: a test process reads each file a few times.
        std::fs::read(dir.join(u))
            .ok()
            .map(|v| &*Box::leak(v.into_boxed_slice()))
    }
}

fn playlist(asset: &LiveAsset, opts: &str, rep: &str, now: i64) -> LivePlaylist {
    let o = LiveOptions::parse(opts).unwrap();
    match media_playlist(asset, &o, rep, now).unwrap() {
        Availability::Ready(p) => p,
        other => panic!("{opts} {rep} at {now}: {other:?}"),
    }
}

/// The served segment's media: (tfdt, sum of sample durations) in the track timescale.
fn served(asset: &LiveAsset, opts: &LiveOptions, uri: &str, now: i64) -> (u64, u64) {
    let fetch = files();
    let cfg = SourceConfig::default();
    let rep = uri.split('/').next().unwrap();
    let init = fetch(&format!("{rep}/init.mp4")).unwrap();
    let bytes = match respond(asset, opts, uri, now, &cfg, &fetch).unwrap() {
        Response::Segment { data, .. } => data.to_vec(),
        Response::Chunked { chunks, .. } => chunks.iter().flat_map(|c| c.to_vec()).collect(),
        _ => panic!("{uri} at {now}: not served"),
    };
    let tracks = track_samples(Some(init), &bytes, 0).unwrap();
    let t = &tracks[0];
    let dur = t.samples.iter().map(|s| u64::from(s.duration)).sum();
    (t.fragments[0].decode_time, dur)
}

fn ns_of(p: &dashkit::mpd::XsDateTime) -> i128 {
    let c = p.as_chrono();
    i128::from(c.timestamp()) * 1_000_000_000 + i128::from(c.timestamp_subsec_nanos())
}

/// Checks every listed segment against the live simulator's answer at `now`: served (not
/// refused), EXTINF = its samples' total duration exactly, PROGRAM-DATE-TIME = its tfdt on
/// the availability clock; and the text round-trips through the parser.
fn check_against_respond(asset: &LiveAsset, opts: &str, rep: &str, now: i64) -> MediaPlaylist {
    let o = LiveOptions::parse(opts).unwrap();
    let p = playlist(asset, opts, rep, now).playlist;
    let text = write_media(&p);
    let mut as_written = p.clone();
    for s in &mut as_written.segments {
        s.duration = s.duration.as_written();
    }
    assert!(
        parse(&text).unwrap() == Playlist::Media(as_written),
        "{text}"
    );
    let (las, _) = asset.representation(rep).unwrap();
    let ts = las.timescale.get();
    let timing = Timing::from_options(&o, asset.looping, asset.default_tsbd_s, now)
        .unwrap()
        .timing;
    assert!(!p.segments.is_empty());
    assert!(
        p.segments[0].map.is_some(),
        "EXT-X-MAP on the first segment"
    );
    for s in &p.segments {
        let (tfdt, ticks) = served(asset, &o, &s.uri, now);
        assert_eq!(
            s.duration,
            dashkit::hls::Decimal::from_ticks(ticks, ts).unwrap(),
            "{opts} {}: EXTINF",
            s.uri
        );
        let want_ns = i128::from(timing.ast_s) * 1_000_000_000
            + i128::from(tfdt) * 1_000_000_000 / i128::from(ts)
            - i128::from(timing.media_time_at_ast_s) * 1_000_000_000;
        assert_eq!(
            ns_of(s.program_date_time.as_ref().unwrap()),
            want_ns,
            "{opts} {}: PROGRAM-DATE-TIME",
            s.uri
        );
        assert!(
            s.duration.round_to_integer() <= p.target_duration,
            "{opts} {}: TARGETDURATION",
            s.uri
        );
    }
    // The segment after the newest listed one is not served yet (no ato): 425 for it.
    let next = p.media_sequence + p.segments.len() as u64;
    let next_uri = p.segments[0].uri.replace(
        &format!("/{}.m4s", p.media_sequence),
        &format!("/{next}.m4s"),
    );
    if !p.end_list && o.chunk_duration_ms.is_none() && next_uri != p.segments[0].uri {
        let r = respond(asset, &o, &next_uri, now, &SourceConfig::default(), files()).unwrap();
        assert!(
            matches!(
                r,
                Response::Refused {
                    refusal: Refusal::TooEarly { .. },
                    ..
                }
            ),
            "{next_uri} is served before it is listed"
        );
    }
    p
}

#[test]
fn media_playlists_list_what_the_simulator_serves_exactly() {
    let asset = support::livesim_asset();
    for rep in ["0", "1"] {
        for (opts, now) in [
            ("tsbd_30", 1_004_500),
            ("tsbd_30", 1_000_000),
            ("tsbd_8/timeoffset_0", 1_700_000_123),
            ("segtimeline_1/tsbd_12", 1_234_567),
            ("start_1000/stop_1020/tsbd_60", 1_100_000),
        ] {
            check_against_respond(&asset, opts, rep, now);
        }
    }
}

/// The loop's real length minus its nominal one, in ticks of the track (the media a wrap
/// overlaps, or leaves out when negative): the live segments' tfdt restart on the nominal
/// loop, as on the DASH side.
fn loop_overshoot_ticks(asset: &LiveAsset, rep: &str) -> i128 {
    let (las, _) = asset.representation(rep).unwrap();
    let first = asset.looping.first_segment_in_loop;
    let n = asset.looping.nr_segments_in_loop;
    let start = las.vod_start_ticks(first).unwrap();
    let last = las.vod_start_ticks(first + n - 1).unwrap();
    let last_dur = las
        .runs
        .iter()
        .find(|r| u64::from(r.start_nr) + u64::from(r.repeats) >= first + n - 1)
        .unwrap()
        .duration;
    let real = i128::from(last + u64::from(last_dur) - start);
    real - i128::from(asset.looping.loop_duration_s().unwrap() * u64::from(las.timescale))
}

#[test]
fn the_window_crosses_loop_wraps_without_a_break() {
    // The loop is 10 s; 30 s of window hold three wraps. Numbers run on without a
    // discontinuity; each PDT is the previous plus its EXTINF, except at a wrap, where the
    // media restarts on the nominal loop: earlier by the loop's overshoot (ffmpeg's first
    // video segment is 25874/12800 s, so 10.0214 s of video per 10 s loop; the audio loop
    // is 1376/48000 s short).
    let asset = support::livesim_asset();
    for (rep, overshoot) in [("0", 274), ("1", -1376)] {
        assert_eq!(loop_overshoot_ticks(&asset, rep), overshoot);
        let ts = i128::from(asset.representation(rep).unwrap().0.timescale);
        let p = check_against_respond(&asset, "tsbd_30", rep, 1_004_500);
        assert!(p.segments.len() >= 15, "{}", p.segments.len());
        let mut wraps = 0;
        for w in p.segments.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            assert!(!b.discontinuity);
            let step = ns_of(b.program_date_time.as_ref().unwrap())
                - ns_of(a.program_date_time.as_ref().unwrap());
            let d = a.duration;
            let mut want = i128::from(d.ticks()) * 1_000_000_000 / i128::from(d.timescale());
            let n: u64 = b
                .uri
                .trim_start_matches(&format!("{rep}/"))
                .trim_end_matches(".m4s")
                .parse()
                .unwrap();
            if n.is_multiple_of(asset.looping.nr_segments_in_loop) {
                wraps += 1;
                want -= overshoot * 1_000_000_000 / ts;
            }
            assert!(
                (step - want).abs() <= 1,
                "{} -> {}: {step} vs {want}",
                a.uri,
                b.uri
            );
        }
        assert!(wraps >= 2, "{wraps}");
    }
}

#[test]
fn options_shape_the_window() {
    let asset = support::livesim_asset();
    // tsbd_ is the window: 10 s of 2 s segments ending at now.
    let p = playlist(&asset, "tsbd_10", "0", 1_001_000);
    assert_eq!(p.playlist.media_sequence, 495);
    assert_eq!(p.playlist.segments.len(), 5);
    assert!(!p.playlist.end_list && p.playlist.playlist_type.is_none());
    assert_eq!(
        (p.last_change_ms, p.next_change_ms),
        (1_000_000, Some(1_002_000))
    );

    // start_/stop_: the session's segments, then EXT-X-ENDLIST once the last is complete.
    let running = playlist(&asset, "start_1000/stop_1020/tsbd_60", "0", 1_010_000);
    assert!(!running.playlist.end_list);
    assert_eq!(running.playlist.media_sequence, 0);
    let ended = playlist(&asset, "start_1000/stop_1020/tsbd_60", "0", 1_030_000);
    assert!(ended.playlist.end_list);
    assert_eq!(ended.next_change_ms, None);
    assert_eq!(ended.playlist.segments.len(), 10);
    let text = write_media(&ended.playlist);
    assert!(text.ends_with("0/9.m4s\n#EXT-X-ENDLIST\n"), "{text}");

    // Before the session's first segment is complete: too early, as for its segments (425).
    let o = LiveOptions::parse("start_1000/stop_1020").unwrap();
    let cfg = SourceConfig::default();
    let r = respond(&asset, &o, "manifest_0.m3u8", 1_001_000, &cfg, files()).unwrap();
    let h = http_response(Ok(r), 1_001_000, &HttpPolicy::default());
    assert_eq!((h.status, h.header("retry-after")), (425, Some("1")));

    // timeoffset_: media time 0 at AST; PDT is the availability clock, not the tfdt.
    let opts = "start_999990/timeoffset_999990/tsbd_4";
    let shifted = check_against_respond(&asset, opts, "0", 1_000_000_000);
    assert_eq!(shifted.media_sequence, 2);
    let first = &shifted.segments[0];
    assert_eq!(
        first
            .program_date_time
            .as_ref()
            .unwrap()
            .as_chrono()
            .timestamp(),
        999_994
    );
}

#[test]
fn new_periods_are_discontinuities() {
    // periods_60: a Period every 60 s. At 1_000_030 the 30 s window holds the boundary at
    // 999_960 + 60 = 1_000_020 (segment 500_010).
    let asset = support::livesim_asset();
    let p = playlist(&asset, "periods_60/tsbd_30", "0", 1_000_030_000).playlist;
    let cut: Vec<&str> = p
        .segments
        .iter()
        .filter(|s| s.discontinuity)
        .map(|s| s.uri.as_str())
        .collect();
    assert_eq!(cut, ["0/500010.m4s"]);
    assert!(p.segments.iter().filter(|s| s.map.is_some()).count() == 2);
    assert_eq!(p.discontinuity_sequence, 1_000_000 / 60);
    let later = playlist(&asset, "periods_60/tsbd_30", "0", 1_000_060_000).playlist;
    assert_eq!(later.discontinuity_sequence, p.discontinuity_sequence + 1);
}

#[test]
fn multivariant_names_the_media_playlists_with_an_audio_group() {
    let asset = support::livesim_asset();
    let m = multivariant(&asset, "manifest");
    let text = dashkit::hls::write_multivariant(&m);
    assert!(text.contains(
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"audio 1\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"manifest_1.m3u8\""
    ), "{text}");
    assert!(text.contains(
        "#EXT-X-STREAM-INF:BANDWIDTH=202725,CODECS=\"avc1.4d400c,mp4a.40.2\",RESOLUTION=320x180,FRAME-RATE=25.000,AUDIO=\"audio\"\nmanifest_0.m3u8\n"
    ), "{text}");
    assert_eq!(parse(&text).unwrap(), Playlist::Multivariant(m));
}

#[test]
fn playlist_answers_have_hls_types_and_cache_until_the_next_segment() {
    let asset = support::livesim_asset();
    let o = LiveOptions::parse("tsbd_10").unwrap();
    let cfg = SourceConfig::default();
    let now = 1_000_700;
    let media = respond(&asset, &o, "manifest_1.m3u8", now, &cfg, files()).unwrap();
    let h = http_response(Ok(media), now, &HttpPolicy::default());
    assert_eq!(h.status, 200);
    assert_eq!(
        h.header("content-type"),
        Some("application/vnd.apple.mpegurl")
    );
    // Next segment at 1_002_000: 1.3 s, rounded down.
    assert_eq!(h.header("cache-control"), Some("public, max-age=1"));
    let top = respond(&asset, &o, "manifest.m3u8", now, &cfg, files()).unwrap();
    let h = http_response(Ok(top), now, &HttpPolicy::default());
    assert_eq!(h.header("cache-control"), Some("public, max-age=86400"));
    // A Representation that does not exist is a multivariant playlist's name only if it
    // has no underscore-id suffix; an unknown file is a 404 as for DASH.
    let r = respond(&asset, &o, "0/manifest.m3u8", now, &cfg, files()).unwrap();
    assert_eq!(
        http_response(Ok(r), now, &HttpPolicy::default()).status,
        404
    );
}

/// The fixtures directory as an origin `Source`.
struct Dir(std::path::PathBuf);

impl dashkit::origin::livesim::Source for Dir {
    fn list(&mut self, dir: &[String]) -> Option<Vec<String>> {
        let p = dir.iter().fold(self.0.clone(), |p, c| p.join(c));
        let names = std::fs::read_dir(p).ok()?;
        Some(
            names
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
        )
    }
    fn read(&mut self, path: &[String]) -> Option<Vec<u8>> {
        std::fs::read(path.iter().fold(self.0.clone(), |p, c| p.join(c))).ok()
    }
}

#[test]
fn vod_twins_over_a_source() {
    use dashkit::origin::hls::vod_answer;
    let mut src = Dir(support::fixtures().join("dash"));
    let comps = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
    let top = vod_answer(&mut src, &comps("shaka_live", "manifest.m3u8"), 0).unwrap();
    assert_eq!(top.status, 200);
    assert_eq!(
        top.header("content-type"),
        Some("application/vnd.apple.mpegurl")
    );
    let body = |r: &dashkit::live::http::HttpResponse<'_>| match &r.body {
        dashkit::live::http::HttpBody::Parts(p) => {
            String::from_utf8(dashkit::origin::concat(p)).unwrap()
        }
        dashkit::live::http::HttpBody::Timed(_) => panic!("timed"),
    };
    let Playlist::Multivariant(m) = parse(&body(&top)).unwrap() else {
        panic!()
    };
    for v in &m.variants {
        let r = vod_answer(&mut src, &comps("shaka_live", &v.uri), 0).unwrap();
        let Playlist::Media(p) = parse(&body(&r)).unwrap() else {
            panic!()
        };
        assert!(p.end_list && !p.segments.is_empty());
    }
    // Not a playlist, a file that exists, a name of no MPD: not answered here.
    assert!(vod_answer(&mut src, &comps("shaka_live", "manifest.mpd"), 0).is_none());
    assert!(vod_answer(&mut src, &comps("shaka_live", "nothing.m3u8"), 0).is_none());
}
