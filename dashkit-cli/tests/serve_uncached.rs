//! `dashkit serve` with no file cache (`--cache-mb 0`): every VoD file a live answer needs is
//! read on a blocking thread when the answer asks for it, and the answers are the same bytes
//! as from the cache.

mod support;

use std::path::PathBuf;

use support::server::Server;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

#[test]
fn uncached_answers_equal_cached_ones() {
    let cached = Server::start(&fixtures(), &[]);
    let uncached = Server::start(&fixtures(), &["--cache-mb", "0"]);
    for target in [
        "/livesim/ffmpeg_livesim/0/499.m4s?nowMS=1000000",
        "/livesim/ffmpeg_livesim/1/498.m4s?nowMS=1000000",
        "/livesim/ffmpeg_livesim/0/init.mp4?nowMS=1000000",
        "/livesim/sidx_1/ffmpeg_livesim/1/499.m4s?nowMS=1000000",
        // chunkdur_: the init segment is read too (trex defaults), all chunks due.
        "/livesim/chunkdur_0.5/ffmpeg_livesim/0/499.m4s?nowMS=1003000",
        // Held: chunks sent as they fall due.
        "/livesim/chunkdur_0.5/ffmpeg_livesim/1/500.m4s?nowMS=1000200",
        "/livesim/ffmpeg_livesim/0/500.m4s?nowMS=1000500",
        "/livesim/ffmpeg_livesim/manifest.mpd?nowMS=1000000",
    ] {
        let a = cached.get(target);
        let b = uncached.get(target);
        assert_eq!(a.status, b.status, "{target}: {}", b.text());
        if target.contains(".m4s") || target.contains(".mp4") {
            assert!(a.body == b.body, "{target}: bodies differ");
        }
        assert_eq!(
            a.header("content-type"),
            b.header("content-type"),
            "{target}"
        );
        assert_eq!(
            a.header("cache-control"),
            b.header("cache-control"),
            "{target}"
        );
    }
    assert_eq!(
        uncached
            .get("/livesim/ffmpeg_livesim/0/499.m4s?nowMS=1000000")
            .status,
        200
    );
}
