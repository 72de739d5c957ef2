//! `dashkit serve` with livesim2's error injection over real sockets
//! (docs/live-options.md#error-injection): `statuscode_` answers follow the documented cycle,
//! `traffic_` BaseURLs go down and slow at the instants their pattern says (`?nowMS=` pins the
//! instant), and the MPD lists the BaseURLs.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::server::Server;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

#[test]
fn status_codes_and_traffic_over_http() {
    let server = Server::start(&fixtures(), &[]);
    // The second video segment of every 10 s is 503; the rest is served.
    let opts = "statuscode_[{cycle:10,rsq:1,code:503,rep:video}]";
    for n in 40..52u64 {
        let r = server.get(&format!(
            "/livesim/{opts}/ffmpeg_livesim/0/{n}.m4s?nowMS=200000"
        ));
        let want = if n % 5 == 1 { 503 } else { 200 };
        assert_eq!(r.status, want, "segment {n}: {}", r.text());
    }
    let r = server.get(&format!(
        "/livesim/{opts}/ffmpeg_livesim/1/41.m4s?nowMS=200000"
    ));
    assert_eq!(r.status, 200, "audio is not in rep:video");

    // traffic_: BaseURL 0 up 20 s, slow 5 s, down 15 s; BaseURL 1 always up.
    let opts = "traffic_u20s5d15,u40";
    let mpd = server.get(&format!(
        "/livesim/{opts}/ffmpeg_livesim/manifest.mpd?nowMS=1000000"
    ));
    assert_eq!(mpd.status, 200);
    let text = mpd.text();
    assert!(
        text.contains("<BaseURL>bu0/</BaseURL>") && text.contains("<BaseURL>bu1/</BaseURL>"),
        "{text}"
    );
    let seg = |base: &str, s: i64| {
        server.get(&format!(
            "/livesim/{opts}/ffmpeg_livesim/{base}0/490.m4s?nowMS={}",
            s * 1000
        ))
    };
    assert_eq!(seg("bu0/", 1000).status, 200);
    assert_eq!(seg("bu0/", 1030).status, 404);
    assert_eq!(seg("bu1/", 1030).status, 200);
    assert_eq!(seg("", 1030).status, 200);
    // Slow: the same bytes, at least 2 s late.
    let t0 = Instant::now();
    let slow = seg("bu0/", 1021);
    assert!(
        t0.elapsed() >= Duration::from_millis(1_900),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(slow.status, 200);
    assert_eq!(slow.body, seg("bu1/", 1021).body);
}
