//! `dashkit serve` as a user and an attacker meet it: the binary on the packager fixtures,
//! over real sockets.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::server::Server;

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn fixtures() -> PathBuf {
    repo().join("fixtures/dash")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// What `dashkit live-shift` writes for an instant is exactly what `serve` answers at that
/// instant: the MPD (but for the UTCTiming URL, which points at the server) and every segment.
#[test]
fn served_stream_equals_live_shift_output() {
    let server = Server::start(&fixtures(), &[]);
    for options in [
        "",
        "tsbd_20/segtimeline_1",
        "tsbd_20/segtimelinenr_1/sidx_1",
    ] {
        let out = tmp(&format!("ls{}", options.len()));
        let st = Command::new(env!("CARGO_BIN_EXE_dashkit"))
            .args([
                "live-shift",
                "fixtures/dash/ffmpeg_livesim",
                "--now",
                "1000000",
            ])
            .args(["--options", options, "-o"])
            .arg(&out)
            .args(if options.is_empty() {
                vec!["--numbers", "499990..499999"]
            } else {
                vec![]
            })
            .current_dir(repo())
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let prefix = if options.is_empty() {
            "/livesim".to_string()
        } else {
            format!("/livesim/{options}")
        };
        let files = files_under(&out);
        assert!(files.len() > 10, "{files:?}");
        let mut segments = 0;
        for f in &files {
            let want = std::fs::read(out.join(f)).unwrap();
            let r = server.get(&format!("{prefix}/ffmpeg_livesim/{f}?nowMS=1000000000"));
            assert_eq!(r.status, 200, "{options} {f}: {}", r.text());
            if f.ends_with(".mpd") {
                assert_eq!(r.header("content-type"), Some("application/dash+xml"));
                let want = String::from_utf8(want).unwrap().replace(
                    "http://time.akamai.com/?iso",
                    &format!("http://{}/time", server.addr),
                );
                assert_eq!(r.text(), want, "{options}");
            } else {
                let ct = if f.starts_with("1/") {
                    "audio/mp4"
                } else {
                    "video/mp4"
                };
                assert_eq!(r.header("content-type"), Some(ct), "{f}");
                assert_eq!(r.body, want, "{options} {f}");
                segments += 1;
            }
        }
        assert!(segments >= 10);
        let _ = std::fs::remove_dir_all(&out);
    }
}

/// `--early-hold-ms`: a segment asked at most that early is answered when it is available
/// (after the wait), not 425; earlier stays 425, and without the flag 100 ms early is 425.
#[test]
fn early_hold_answers_a_slightly_early_segment_when_it_is_available() {
    // Segment 500 (1000-1002 s) is available from 1002 s.
    let plain = Server::start(&fixtures(), &[]);
    let r = plain.get("/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1001900");
    assert_eq!(r.status, 425, "{}", r.text());
    let held = Server::start(&fixtures(), &["--early-hold-ms", "250"]);
    let asked = std::time::Instant::now();
    let r = held.get("/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1001900");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(asked.elapsed() >= std::time::Duration::from_millis(100));
    let on_time = held.get("/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1002000");
    assert_eq!(r.body, on_time.body);
    let r = held.get("/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1001500");
    assert_eq!(r.status, 425, "{}", r.text());
}

#[test]
fn availability_headers_and_refusals() {
    let server = Server::start(&fixtures(), &[]);
    // At 1000 s, segment 499 (ends at 1000 s) is the newest; tsbd 300 keeps it until 1302 s.
    let r = server.get("/livesim/ffmpeg_livesim/0/499.m4s?nowMS=1000000");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("public, max-age=302"));
    assert_eq!(r.header("expires"), Some("Thu, 01 Jan 1970 00:21:42 GMT"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("content-length")
            .map(|v| v.parse::<usize>().unwrap()),
        Some(r.body.len())
    );

    let r = server.get("/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1000500");
    assert_eq!(r.status, 425);
    assert_eq!(r.text(), "Request for 500.m4s was 1.5s too early\n");
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(r.header("cache-control"), Some("no-store"));

    // chunkdur_0.5: ato 1.5 s, so segment 500 (1000-1002 s) may be fetched from 1000.5 s; a
    // request up to one chunk early is held until its first chunk is due, earlier is 425.
    let r = server.get("/livesim/chunkdur_0.5/ffmpeg_livesim/0/500.m4s?nowMS=1000200");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.len() > 1000);
    let r = server.get("/livesim/chunkdur_0.5/ffmpeg_livesim/0/500.m4s?nowMS=999900");
    assert_eq!(r.status, 425, "{}", r.text());

    let r = server.get("/livesim/ffmpeg_livesim/0/300.m4s?nowMS=1000000");
    assert_eq!(r.status, 410);
    assert_eq!(r.text(), "Request for 300.m4s was 96.0s too late\n");

    let r = server.get("/livesim/ffmpeg_livesim/0/0.m4s?nowMS=1000");
    assert_eq!(r.status, 425);
    assert_eq!(
        r.text(),
        "Request 0.m4s before first seg AST. 1.0s too early\n"
    );

    // start_ and snr_: numbers before the first are not found.
    let r = server.get("/livesim/start_100/snr_10/ffmpeg_livesim/0/5.m4s?nowMS=200000");
    assert_eq!(r.status, 404);
    assert_eq!(r.text(), "Request for segment 5 before first 10\n");

    for bad in [
        "/livesim/tsbd_x/ffmpeg_livesim/manifest.mpd",
        "/livesim/ato_-10/ffmpeg_livesim/manifest.mpd",
        // scte35_ is supported since issue 17: 4 a minute is not a livesim2 cadence, and
        // sgai_ stays refused.
        "/livesim/scte35_4/ffmpeg_livesim/manifest.mpd",
        "/livesim/sgai_1/ffmpeg_livesim/manifest.mpd",
        "/livesim/ffmpeg_livesim/manifest.mpd?nowMS=soon",
    ] {
        let r = server.get(bad);
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
    for missing in [
        "/livesim/no_such_asset/manifest.mpd",
        "/livesim/ffmpeg_livesim/7/10.m4s",
        "/livesim/ffmpeg_livesim/0/ten.m4s",
        "/livesim/ffmpeg_livesim/other.mpd",
        "/nothing",
    ] {
        let r = server.get(missing);
        assert_eq!(r.status, 404, "{missing}: {}", r.text());
    }

    // dashlivesim's own mapping: everything refused is a 404.
    let old = Server::start(&fixtures(), &["--dashlivesim-404"]);
    for t in [
        "/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1000500",
        "/livesim/ffmpeg_livesim/0/300.m4s?nowMS=1000000",
    ] {
        assert_eq!(old.get(t).status, 404, "{t}");
    }
    // Without the testing hook, nowMS is ignored: segment 499 is far in the past.
    let strict = Server::start(&fixtures(), &["--no-now-override"]);
    assert_eq!(
        strict
            .get("/livesim/ffmpeg_livesim/0/499.m4s?nowMS=1000000")
            .status,
        410
    );
}

/// startrel_/stoprel_ MPDs carry a Location naming the absolute session (as dashlivesim's do),
/// and that URL gives the same session back: a player's MPD updates do not start a new one.
#[test]
fn relative_session_mpd_names_its_absolute_url() {
    let server = Server::start(&fixtures(), &[]);
    let r =
        server.get("/livesim/startrel_-20/stoprel_40/ffmpeg_livesim/manifest.mpd?nowMS=1000000");
    assert_eq!(r.status, 200, "{}", r.text());
    let mpd = dashkit::mpd::parse(&r.text()).unwrap();
    let want = format!(
        "http://{}/livesim/start_980/stop_1040/ffmpeg_livesim/manifest.mpd?nowMS=1000000",
        server.addr
    );
    let urls: Vec<&str> = mpd.locations.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls, [want.as_str()]);
    // Ten seconds later, the relative URL would move the session; the Location does not.
    let later = |target: &str| {
        let r = server.get(target);
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        dashkit::mpd::parse(&r.text()).unwrap()
    };
    let moved = later("/livesim/startrel_-20/stoprel_40/ffmpeg_livesim/manifest.mpd?nowMS=1010000");
    let kept = later("/livesim/start_980/stop_1040/ffmpeg_livesim/manifest.mpd?nowMS=1010000");
    assert_eq!(kept.availability_start_time, mpd.availability_start_time);
    assert_ne!(moved.availability_start_time, mpd.availability_start_time);
    assert!(
        kept.locations.is_empty(),
        "an absolute session needs no Location"
    );
    // No relative option, no Location.
    assert!(later("/livesim/ffmpeg_livesim/manifest.mpd?nowMS=1000000")
        .locations
        .is_empty());
}

#[test]
fn vod_files_heads_and_ranges() {
    let server = Server::start(&fixtures(), &[]);
    let path = "/dash/vod/shaka_ondemand/video_180p.mp4";
    let whole = std::fs::read(fixtures().join("shaka_ondemand/video_180p.mp4")).unwrap();
    let r = server.get(path);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, whole);
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    assert_eq!(r.header("content-type"), Some("video/mp4"));

    let r = server.request("HEAD", path, &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(
        r.header("content-length"),
        Some(whole.len().to_string().as_str())
    );

    let r = server.request("GET", path, &["Range: bytes=100-199"]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body, &whole[100..200]);
    let cr = format!("bytes 100-199/{}", whole.len());
    assert_eq!(r.header("content-range"), Some(cr.as_str()));

    let r = server.request("GET", path, &["Range: bytes=-10"]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body, &whole[whole.len() - 10..]);

    let r = server.request("GET", path, &[&format!("Range: bytes={}-", whole.len())]);
    assert_eq!(r.status, 416);
    let cr = format!("bytes */{}", whole.len());
    assert_eq!(r.header("content-range"), Some(cr.as_str()));

    let r = server.get("/dash/vod/shaka_ondemand/manifest.mpd");
    assert_eq!(r.header("content-type"), Some("application/dash+xml"));
    // A directory is not a file.
    assert_eq!(server.get("/dash/vod/shaka_ondemand").status, 404);
    // CORS preflight.
    let r = server.request(
        "OPTIONS",
        path,
        &[
            "Origin: http://example.org",
            "Access-Control-Request-Headers: range",
        ],
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-headers"), Some("range"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(server.get("/healthz").text(), "ok\n");
    let t = server.get("/time").text();
    assert!(t.starts_with("20") && t.trim_end().ends_with('Z'), "{t}");
}

/// Traversal attempts, malformed and oversized requests: each gets a clean refusal and
/// nothing outside the root is ever sent.
#[test]
fn security_suite() {
    let base = tmp("sec");
    let root = base.join("root");
    copy_dir(&fixtures().join("ffmpeg_livesim"), &root.join("asset"));
    std::fs::write(base.join("secret.txt"), b"TOP SECRET").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), root.join("asset/link.mp4")).unwrap();
    std::os::unix::fs::symlink(&base, root.join("escape")).unwrap();
    // An MPD whose templates point outside the root must not read there either.
    std::fs::create_dir_all(root.join("evil")).unwrap();
    std::fs::write(
        root.join("evil/manifest.mpd"),
        r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"><Period><AdaptationSet contentType="video"><SegmentTemplate media="../../$Number$/secret.txt" initialization="../../secret.txt" duration="2"/><Representation id="v"/></AdaptationSet></Period></MPD>"#,
    )
    .unwrap();
    let server = Server::start(&root, &[]);
    let secret = b"TOP SECRET";
    let leaks = |r: &support::server::Reply| r.body.windows(secret.len()).any(|w| w == secret);

    for target in [
        "/dash/vod/../secret.txt",
        "/dash/vod/asset/../../secret.txt",
        "/dash/vod/%2e%2e/secret.txt",
        "/dash/vod/%2E%2E%2Fsecret.txt",
        "/dash/vod/asset%2f..%2f..%2fsecret.txt",
        "/dash/vod/..%5csecret.txt",
        "/dash/vod/%c0%ae%c0%ae/secret.txt",
        "/dash/vod/asset/link.mp4",
        "/dash/vod/escape/secret.txt",
        "/dash/vod//etc/passwd",
        "/dash/vod/%00",
        "/livesim/../secret.txt",
        "/livesim/asset/../../secret.txt",
        "/livesim/escape/secret.txt",
        "/livesim/evil/manifest.mpd",
        "/livesim/evil/v/1.m4s",
        "/livesim/evil/v/init.mp4",
        "//etc/passwd",
        "/etc/passwd",
        "/dash/vod/%zz",
    ] {
        let r = server.get(target);
        assert!(
            [400, 404, 500].contains(&r.status),
            "{target}: {} {}",
            r.status,
            r.text()
        );
        assert!(!leaks(&r), "{target} leaked the secret");
    }
    // Absolute-form and asterisk targets, and a request line that is not HTTP.
    for raw in [
        "GET http://evil.example/../../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GARBAGE\r\n\r\n",
        "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /dash/vod/a b HTTP/1.1\r\nHost: x\r\n\r\n",
    ] {
        let r = server.raw(raw.as_bytes());
        assert!(
            r.status == 400 || r.status == 404 || r.status == 505,
            "{raw:?}: {}",
            r.status
        );
        assert!(!leaks(&r));
    }
    // Methods other than GET, HEAD and OPTIONS.
    for m in ["POST", "PUT", "DELETE", "TRACE"] {
        let r = server.request(m, "/dash/vod/asset/manifest.mpd", &[]);
        assert_eq!(r.status, 405, "{m}");
        assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    }
    // Oversized URL and oversized headers.
    let long = format!("/dash/vod/{}", "a".repeat(5000));
    assert_eq!(server.get(&long).status, 414);
    let huge = format!("X-Fill: {}", "b".repeat(40_000));
    let r = server.request("GET", "/healthz", &[&huge]);
    assert!(r.status == 431 || r.status == 400, "{}", r.status);
    let many: Vec<String> = (0..200).map(|i| format!("X-H{i}: v")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let r = server.request("GET", "/healthz", &many);
    assert!(
        r.status == 431 || r.status == 400 || r.status == 200,
        "{}",
        r.status
    );
    // After all that the server still answers.
    assert_eq!(server.get("/dash/vod/asset/manifest.mpd").status, 200);
    assert_eq!(server.get("/healthz").status, 200);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn graceful_shutdown_on_sigterm() {
    let mut server = Server::start(&fixtures(), &[]);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(st) = server.child.try_wait().unwrap() {
            assert!(st.success(), "{st:?}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn watch_picks_up_a_changed_asset() {
    let root = tmp("watch");
    copy_dir(&fixtures().join("ffmpeg_livesim"), &root.join("a"));
    let server = Server::start(&root, &["--watch"]);
    let mpd = "/livesim/a/manifest.mpd?nowMS=1000000";
    assert!(server.get(mpd).text().contains(r#"bandwidth="154600""#));
    let p = root.join("a/manifest.mpd");
    let text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("154600", "999999");
    // A different mtime even on coarse clocks.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&p, text).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !server.get(mpd).text().contains(r#"bandwidth="999999""#) {
        assert!(
            Instant::now() < deadline,
            "change not picked up; server said: {}",
            server.stderr.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// A VoD file is answered from memory once read, and a change on disk is seen within the
/// revalidation second (size and modification time, as nginx's open_file_cache); a deleted
/// file becomes a 404.
#[test]
fn vod_file_changes_are_seen_after_revalidation() {
    let root = tmp("vod-change");
    let p = root.join("a.m4s");
    let write = |bytes: &[u8], age_s: u64| {
        std::fs::write(&p, bytes).unwrap();
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(std::time::SystemTime::now() - Duration::from_secs(age_s))
            .unwrap();
    };
    write(b"one", 10);
    let server = Server::start(&root, &[]);
    assert_eq!(server.get("/dash/vod/a.m4s").body, b"one");
    assert_eq!(server.get("/dash/vod/a.m4s").body, b"one");
    let r = server.request("GET", "/dash/vod/a.m4s", &["Range: bytes=1-"]);
    assert_eq!((r.status, r.body.as_slice()), (206, &b"ne"[..]));
    write(b"two!", 5);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(server.get("/dash/vod/a.m4s").body, b"two!");
    std::fs::remove_file(&p).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(server.get("/dash/vod/a.m4s").status, 404);
}

/// docs/caching.md through the server: at 1000.5 s the newest segment (2 s) was listed at
/// 1000 s and the next is at 1002 s, so the MPD is kept 1 s, with validators a cache revalidates
/// with (304), and a too-early segment is never stored.
#[test]
fn live_mpd_revalidates_and_refusals_are_not_stored() {
    let server = Server::start(&fixtures(), &[]);
    let mpd = "/livesim/ffmpeg_livesim/manifest.mpd?nowMS=1000500";
    let r = server.get(mpd);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("public, max-age=1"));
    assert_eq!(
        r.header("last-modified"),
        Some("Thu, 01 Jan 1970 00:16:40 GMT")
    );
    let etag = r.header("etag").expect("etag").to_string();
    let again = server.request("GET", mpd, &[&format!("If-None-Match: {etag}")]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let since = server.request(
        "GET",
        mpd,
        &["If-Modified-Since: Thu, 01 Jan 1970 00:16:40 GMT"],
    );
    assert_eq!(since.status, 304);
    let other = server.request("GET", mpd, &["If-None-Match: \"other\""]);
    assert_eq!(other.status, 200);
    let early = server.get("/livesim/ffmpeg_livesim/0/600.m4s?nowMS=1000000");
    assert_eq!(early.status, 425);
    assert_eq!(early.header("cache-control"), Some("no-store"));
}
