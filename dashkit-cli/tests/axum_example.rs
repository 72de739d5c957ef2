//! `dashkit/examples/axum_origin.rs`, built and run as its own process: its own route answers,
//! and the origin it mounts answers as `dashkit serve` does (the same live segment bytes, the
//! same VoD file range, the same health and ingest statuses); an init and a media segment
//! uploaded to it are read back byte for byte.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::server::Server;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

const TOKEN: &str = "s3cret";

/// Builds the example and starts it on a free port (killed when the `Server` drops).
fn start_example() -> Server {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "-q", "-p", "dashkit", "--example", "axum_origin"])
        .status()
        .expect("run cargo build");
    assert!(built.success(), "cargo build --example axum_origin failed");
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")),
        PathBuf::from,
    );
    let exe = target.join("debug/examples/axum_origin");
    let mut child = Command::new(&exe)
        .args(["--bind", "127.0.0.1:0", "--ingest-token", TOKEN, "--root"])
        .arg(fixtures())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .trim()
        .to_string();
    Server {
        child,
        addr,
        banner: first,
        stderr: Default::default(),
    }
}

fn put(server: &Server, path: &str, body: &[u8]) -> u16 {
    let mut req = format!(
        "PUT /ingest/{path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    server.raw(&req).status
}

#[test]
fn the_axum_example_mounts_the_whole_origin() {
    let app = start_example();
    let serve = Server::start(&fixtures(), &["--ingest-token", TOKEN]);

    // The app's own route.
    let hello = app.get("/hello");
    assert_eq!((hello.status, hello.text().as_str()), (200, "hello"));
    assert_eq!(app.get("/healthz").status, 200);
    assert!(app.get("/time").text().starts_with("20"));

    // A live MPD and a live segment, as `dashkit serve` answers them.
    let mpd = app.get("/livesim/ffmpeg_livesim/manifest.mpd?nowMS=1004000");
    assert_eq!(mpd.status, 200, "{}", mpd.text());
    assert_eq!(mpd.header("content-type"), Some("application/dash+xml"));
    assert!(mpd.text().contains("type=\"dynamic\""), "{}", mpd.text());
    let segment = "/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1004000";
    let (got, want) = (app.get(segment), serve.get(segment));
    assert_eq!((got.status, want.status), (200, 200), "{}", got.text());
    assert!(got.body.len() > 1000);
    assert_eq!(got.body, want.body, "live segment bytes");
    assert_eq!(got.header("cache-control"), want.header("cache-control"));
    let early = "/livesim/ffmpeg_livesim/0/900.m4s?nowMS=1004000";
    let (got_early, want_early) = (app.get(early), serve.get(early));
    assert_eq!(got_early.status, 425);
    assert_eq!(got_early.status, want_early.status);
    assert_eq!(
        got_early.header("retry-after"),
        want_early.header("retry-after")
    );

    // A VoD file range, HEAD and CORS, as `dashkit serve` answers them.
    let file = std::fs::read(fixtures().join("ffmpeg_livesim/0/init.mp4")).unwrap();
    let target = "/dash/vod/ffmpeg_livesim/0/init.mp4";
    let range = app.request("GET", target, &["Range: bytes=4-11"]);
    assert_eq!(range.status, 206);
    assert_eq!(range.body, file[4..12]);
    let want = serve.request("GET", target, &["Range: bytes=4-11"]);
    assert_eq!(range.header("content-range"), want.header("content-range"));
    assert_eq!(range.header("access-control-allow-origin"), Some("*"));
    let head = app.request("HEAD", target, &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(app.get("/dash/vod/%2e%2e/Cargo.toml").status, 400);

    // Ingest: an init and a media segment uploaded with the token, read back.
    let init = file;
    let media = got.body;
    assert_eq!(put(&app, "ch/init-stream0.m4s", &init), 201);
    assert_eq!(put(&app, "ch/chunk-stream0-00001.m4s", &media), 201);
    let back = app.get("/live/ch/init-stream0.m4s");
    assert_eq!((back.status, &back.body), (200, &init));
    let back = app.get("/live/ch/chunk-stream0-00001.m4s");
    assert_eq!(back.status, 200, "{}", back.text());
    assert_eq!(back.body, media, "ingested segment read back");
    // Without the token: refused, as `dashkit serve` refuses it.
    let anon = app.request("PUT", "/ingest/ch/x.mpd", &["Content-Length: 0"]);
    let want = serve.request("PUT", "/ingest/ch/x.mpd", &["Content-Length: 0"]);
    assert_eq!(anon.status, 401);
    assert_eq!(anon.status, want.status);
    assert_eq!(
        anon.header("www-authenticate"),
        want.header("www-authenticate")
    );
}
