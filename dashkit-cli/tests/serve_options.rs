//! `dashkit serve` with livesim2's generated subtitles and MPD patches over real sockets
//! (docs/live-options.md#generated-subtitles, #mpd-patches): the MPD's text AdaptationSets and
//! their init and media segments, and a patch fetched from the MPD's PatchLocation under
//! `/patch/livesim2/` (`?nowMS=` pins the instants).

mod support;

use std::path::PathBuf;

use support::server::Server;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

#[test]
fn subtitles_and_patches_over_http() {
    let server = Server::start(&fixtures(), &[]);
    let opts = "timesubsstpp_en/timesubswvtt_sv";
    let mpd = server.get(&format!(
        "/livesim2/{opts}/ffmpeg_livesim/manifest.mpd?nowMS=1000000"
    ));
    assert_eq!(mpd.status, 200);
    let text = mpd.text();
    assert!(
        text.contains(r#"<Representation id="timestpp-en""#),
        "{text}"
    );
    assert!(
        text.contains(r#"<Representation id="timewvtt-sv""#),
        "{text}"
    );
    for (file, has) in [
        ("timestpp-en/init.mp4", &b"stpp"[..]),
        ("timewvtt-sv/init.mp4", &b"vttC"[..]),
        (
            "timestpp-en/498.m4s",
            &b"1970-01-01T00:16:36Z<br/>en # 498"[..],
        ),
        (
            "timewvtt-sv/498.m4s",
            &b"1970-01-01T00:16:37Z\nsv # 498"[..],
        ),
    ] {
        let r = server.get(&format!(
            "/livesim2/{opts}/ffmpeg_livesim/{file}?nowMS=1000000"
        ));
        assert_eq!(r.status, 200, "{file}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/mp4"), "{file}");
        assert!(r.body.windows(has.len()).any(|w| w == has), "{file}");
    }
    // Segment 500 ends at 1002 s: too early at 1000 s.
    let r = server.get(&format!(
        "/livesim2/{opts}/ffmpeg_livesim/timestpp-en/500.m4s?nowMS=1000000"
    ));
    assert_eq!(r.status, 425);

    let opts = "segtimeline_1/patch_60";
    let mpd = server.get(&format!(
        "/livesim2/{opts}/ffmpeg_livesim/manifest.mpd?nowMS=1000000"
    ));
    let text = mpd.text();
    let from = text
        .find("<PatchLocation ttl=\"60\">")
        .expect("PatchLocation")
        + 24;
    let url = &text[from..from + text[from..].find('<').unwrap()];
    assert!(
        url.starts_with(
            "/patch/livesim2/segtimeline_1/patch_60/ffmpeg_livesim/manifest.mpp?publishTime="
        ),
        "{url}"
    );
    let patch = server.get(&format!("{url}&nowMS=1004000"));
    assert_eq!(patch.status, 200, "{}", patch.text());
    assert_eq!(
        patch.header("content-type"),
        Some("application/dash-patch+xml")
    );
    let p = patch.text();
    assert!(
        p.contains(
            r#"originalPublishTime="1970-01-01T00:16:40Z" publishTime="1970-01-01T00:16:44Z""#
        ),
        "{p}"
    );
    assert_eq!(server.get(&format!("{url}&nowMS=1000500")).status, 425);
    assert_eq!(server.get(&format!("{url}&nowMS=1071000")).status, 410);
}
