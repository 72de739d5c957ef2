//! ABR groups with real encoders: three real-time ffmpeg pushes `x_720`, `x_480`, `x_360`
//! (same GOP) and one `x_240` with another GOP, under `--abr '*_abr=*_720,*_480,*_360,*_240'`.
//! `/live/x_abr/manifest.mpd` has the three aligned renditions as video Representations whose
//! URLs resolve; `x_240` is left out and reported in `/live/x_abr/status`.
//! Small pictures and a short run keep it light for CI. Needs ffmpeg (fails, not skips,
//! without it).

mod support;

use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use support::encoder;
use support::server::Server;

const TOKEN: &str = "abr-token";

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/dash"))
}

fn push(addr: &str, channel: &str, size: &str, kbps: u32, gop: u32) -> Child {
    encoder::push(&encoder::Push {
        addr,
        user: channel,
        token: TOKEN,
        channel,
        size,
        kbps,
        gop,
        seconds: 20,
        extra: &[],
    })
}

#[test]
fn three_renditions_are_grouped_and_one_with_another_gop_is_left_out() {
    let server = Server::start(
        &fixtures(),
        &[
            "--ingest-token",
            TOKEN,
            "--abr",
            "*_abr=*_720,*_480,*_360,*_240",
        ],
    );
    let mut encoders = vec![
        push(&server.addr, "x_720", "320x180", 300, 25),
        push(&server.addr, "x_480", "240x136", 200, 25),
        push(&server.addr, "x_360", "160x90", 100, 25),
        push(&server.addr, "x_240", "160x90", 80, 50),
    ];
    // Until every rendition has complete segments (x_240's are 2 s long).
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        std::thread::sleep(Duration::from_millis(500));
        let r = server.get("/live/x_abr/status");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
        let known = v["renditions"]
            .as_array()
            .map(|a| {
                a.len() == 4
                    && a.iter().all(|r| {
                        r["included"] == true
                            || r["reason"].as_str().is_some_and(|s| !s.contains("yet"))
                    })
            })
            .unwrap_or(false);
        if known || Instant::now() > deadline {
            break v;
        }
    };
    let renditions = status["renditions"].as_array().expect("a status").clone();
    let by = |c: &str| {
        renditions
            .iter()
            .find(|r| r["channel"] == c)
            .unwrap_or_else(|| panic!("{c} in {status}"))
            .clone()
    };
    for c in ["x_720", "x_480", "x_360"] {
        assert_eq!(by(c)["included"], true, "{status}");
    }
    let bad = by("x_240");
    assert_eq!(bad["included"], false, "{status}");
    assert!(
        bad["reason"].as_str().unwrap().contains("not aligned"),
        "{status}"
    );
    assert!(
        server.stderr.lock().unwrap().contains("x_240 left out"),
        "the log reports it"
    );

    let r = server.get("/live/x_abr/manifest.mpd");
    assert_eq!(r.status, 200);
    let mpd = dashkit::mpd::parse(&r.text()).unwrap();
    let sets = &mpd.periods[0].adaptation_sets;
    let video = &sets[0];
    let ids: Vec<String> = video
        .representations
        .iter()
        .map(|r| r.id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["x_360", "x_480", "x_720"], "ordered by bandwidth");
    let widths: Vec<u32> = video
        .representations
        .iter()
        .map(|r| r.width.unwrap())
        .collect();
    assert_eq!(widths, [160, 240, 320]);
    assert!(sets.len() == 2, "video and one audio");
    // Every Representation's init and a segment resolve through the group's URLs.
    for rep in video.representations.iter().chain(&sets[1].representations) {
        let t = rep.segment_template.as_deref().unwrap();
        let init = t.initialization.as_deref().unwrap();
        let r = server.get(&format!("/live/{}", init.trim_start_matches("../")));
        assert_eq!(r.status, 200, "{init}");
        let media = t.media.as_deref().unwrap().replace("$Number%05d$", "00002");
        let r = server.get(&format!("/live/{}", media.trim_start_matches("../")));
        assert_eq!(r.status, 200, "{media}");
    }
    for e in &mut encoders {
        let _ = e.kill();
        let _ = e.wait();
    }
}
