//! Several sources on one channel, at fixed instants: admission, promotion order, the
//! continuity offset, refusals; and a proptest of the published timeline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use proptest::prelude::*;

use super::*;
use crate::bmff::testbox::bx;
use crate::cmaf::tests::{moof, trex_moov};
use crate::cmaf::{parse_all, StreamEvent};

const TOKEN: &str = "t0ken";
/// Ticks per segment (timescale 1000: one second), two chunks of one sample each.
const SEG: u64 = 1000;

fn cfg() -> Config {
    Config {
        token: Some(TOKEN.into()),
        window: 10,
        failover: Duration::from_secs(5),
        ..Config::default()
    }
}

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn init(timescale: u32) -> Vec<u8> {
    [
        bx(b"ftyp", b"iso6\0\0\0\0iso6"),
        trex_moov(1, 500, timescale),
    ]
    .concat()
}

/// An encoder's segment `n` (from 1) on its own timeline: tfdt `(n-1)·SEG`, mfhd `2n-1` (a
/// sync sample first) and `2n`.
fn seg(n: u64) -> Vec<u8> {
    let t = (n - 1) * SEG;
    let s = (2 * n - 1) as u32;
    [
        bx(b"styp", b"msdh\0\0\0\0msdhcmfs"),
        moof(s, 1, t, &[3], None),
        bx(b"mdat", &[n as u8; 3]),
        moof(s + 1, 1, t + SEG / 2, &[3], None),
        bx(b"mdat", &[n as u8; 3]),
    ]
    .concat()
}

fn path(n: u64) -> String {
    format!("ch/chunk-stream0-{n:05}.m4s")
}

fn admit(o: &mut Origin, user: &str, p: &str, now: Instant) -> Result<Box<Upload>, u16> {
    let c = Credentials::basic(user, TOKEN);
    let req = UploadRequest {
        method: Method::Put,
        path: p,
        credentials: &c,
        content_length: None,
        content_type: None,
    };
    match o.admit(&req, now) {
        Admission::Upload(u) => Ok(u),
        Admission::Refused(r) => Err(r.http_status()),
        other => panic!("{other:?}"),
    }
}

fn put(o: &mut Origin, user: &str, p: &str, body: &[u8], now: Instant) -> u16 {
    match admit(o, user, p, now) {
        Ok(mut u) => {
            if let Err(r) = o.feed(&mut u, Bytes::copy_from_slice(body), now) {
                o.abort(*u, now);
                return r.http_status();
            }
            o.finish(*u, now).outcome.http_status()
        }
        Err(s) => s,
    }
}

fn whole(o: &mut Origin, p: &str) -> Option<Vec<u8>> {
    match o.open(p, None, at(0)) {
        Ok(Opened::Whole(v)) => Some(v.concat()),
        _ => None,
    }
}

/// (mfhd, tfdt) of each chunk of a published file.
fn timing(bytes: &[u8]) -> Vec<(u32, u64)> {
    parse_all(bytes)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            StreamEvent::Chunk(c) => Some((c.sequence_number, c.decode_time.unwrap())),
            StreamEvent::Box(_) => None,
        })
        .collect()
}

/// The published segment `n` starts at `tfdt` with sequence numbers `2n-1`, `2n`.
fn assert_published(o: &mut Origin, n: u64, tfdt: u64) {
    let b = whole(o, &path(n)).unwrap_or_else(|| panic!("segment {n} is not published"));
    let s = (2 * n - 1) as u32;
    assert_eq!(
        timing(&b),
        [(s, tfdt), (s + 1, tfdt + SEG / 2)],
        "segment {n}"
    );
}

/// enc-a pushes segments 1..=5 at 1 s, 2 s, ...; enc-b joins at 3.5 s with its own timeline.
fn two_sources() -> Origin {
    let mut o = Origin::new(cfg());
    assert_eq!(
        put(&mut o, "enc-a", "ch/init-stream0.m4s", &init(1000), at(0)),
        201
    );
    assert_eq!(
        put(&mut o, "enc-a", "ch/manifest.mpd", b"<MPD a/>", at(0)),
        201
    );
    for n in 1..=5 {
        assert_eq!(put(&mut o, "enc-a", &path(n), &seg(n), at(n * 1000)), 201);
    }
    o
}

#[test]
fn the_first_source_is_published_two_more_wait_and_a_fourth_is_refused() {
    let mut o = two_sources();
    assert_eq!(
        put(
            &mut o,
            "enc-b",
            "ch/init-stream0.m4s",
            &init(1000),
            at(3500)
        ),
        202
    );
    assert_eq!(
        put(&mut o, "enc-b", "ch/manifest.mpd", b"<MPD b/>", at(3500)),
        202
    );
    assert_eq!(put(&mut o, "enc-b", &path(1), &seg(1), at(3500)), 202);
    assert_eq!(put(&mut o, "enc-c", &path(1), &seg(1), at(3600)), 202);
    // Four sources: refused, with the reason.
    let c = Credentials::basic("enc-d", TOKEN);
    let req = UploadRequest {
        method: Method::Put,
        path: "ch/manifest.mpd",
        credentials: &c,
        content_length: None,
        content_type: None,
    };
    let Admission::Refused(r) = o.admit(&req, at(3700)) else {
        panic!()
    };
    assert_eq!(r.http_status(), 409);
    assert!(r.to_string().contains("enc-a, enc-b, enc-c"), "{r}");
    // The channel's status lists them, the active one first.
    let status = String::from_utf8(whole(&mut o, "ch/status").unwrap()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    let roles: Vec<(String, String)> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap().into(),
                s["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("enc-a", "active"),
        ("enc-b", "standby"),
        ("enc-c", "standby"),
    ];
    assert_eq!(roles, want.map(|(a, b)| (a.to_string(), b.to_string())));
    // Nothing of the standbys is published: the MPD and segment 1 are enc-a's.
    assert_eq!(whole(&mut o, "ch/manifest.mpd").unwrap(), b"<MPD a/>");
    assert_published(&mut o, 1, 0);
    // The anonymous source (a bare token) is a source of its own: the fourth.
    let anon = Credentials::token(TOKEN);
    let req = UploadRequest {
        credentials: &anon,
        ..req
    };
    assert!(matches!(
        o.admit(&req, at(3800)),
        Admission::Refused(Refusal::TooManySources { .. })
    ));
}

#[test]
fn a_disconnect_mid_segment_promotes_the_standby_with_continuous_timestamps() {
    let mut o = two_sources();
    assert_eq!(
        put(
            &mut o,
            "enc-b",
            "ch/init-stream0.m4s",
            &init(1000),
            at(3500)
        ),
        202
    );
    assert_eq!(put(&mut o, "enc-b", &path(1), &seg(1), at(3500)), 202);
    assert_eq!(put(&mut o, "enc-b", &path(2), &seg(2), at(4500)), 202);
    // enc-b's segment 3 is under way (one chunk) ...
    let mut b3 = admit(&mut o, "enc-b", &path(3), at(5500)).unwrap();
    let body = seg(3);
    let first = &body[..24 + (body.len() - 24) / 2]; // styp and the first chunk
    o.feed(&mut b3, Bytes::copy_from_slice(first), at(5600))
        .unwrap();
    // ... when enc-a goes away in the middle of segment 6.
    let mut a6 = admit(&mut o, "enc-a", &path(6), at(6000)).unwrap();
    let a = seg(6);
    o.feed(&mut a6, Bytes::copy_from_slice(&a[..a.len() / 2]), at(6100))
        .unwrap();
    o.abort(*a6, at(6300));
    // enc-b's segment 3 began half a segment after enc-a's last complete one (5 s): it is
    // published as 6, where 5 ended, and relayed as it arrives.
    let Ok(Opened::Streaming(mut r)) = o.open(&path(6)[..], None, at(6300)) else {
        panic!("segment 6 is not being published");
    };
    let Read::Data { pieces, last } = o.read(&mut r) else {
        panic!()
    };
    assert!(!last);
    assert_eq!(timing(&pieces.concat()), [(11, 5000)]);
    o.feed(
        &mut b3,
        Bytes::copy_from_slice(&body[first.len()..]),
        at(6400),
    )
    .unwrap();
    assert_eq!(o.finish(*b3, at(6400)).outcome, Outcome::Created);
    assert_published(&mut o, 6, 5000);
    // A store gets the published copy of what the new active source completes.
    let mut b4 = admit(&mut o, "enc-b", &path(4), at(6500)).unwrap();
    o.feed(&mut b4, Bytes::from(seg(4)), at(6500)).unwrap();
    let f = o.finish(*b4, at(6500));
    assert_eq!(f.outcome, Outcome::Created);
    let stored = f.store.unwrap();
    assert_eq!(stored.path, "chunk-stream0-00007.m4s");
    assert_eq!(timing(&stored.pieces.concat()), [(13, 6000), (14, 6500)]);
    assert_published(&mut o, 7, 6000);
    // The MPD stays enc-a's; enc-b's own segment 4 is not published under its name twice.
    assert_eq!(whole(&mut o, "ch/manifest.mpd").unwrap(), b"<MPD a/>");
    assert_published(&mut o, 4, 3000);
    // The former active comes back: a standby, its uploads kept, not published.
    assert_eq!(put(&mut o, "enc-a", &path(1), &seg(1), at(7000)), 202);
    assert_published(&mut o, 1, 0);
}

#[test]
fn a_silent_active_is_replaced_and_the_standby_catches_up() {
    let mut o = two_sources();
    assert_eq!(
        put(
            &mut o,
            "enc-b",
            "ch/init-stream0.m4s",
            &init(1000),
            at(3500)
        ),
        202
    );
    // enc-a freezes in the middle of segment 6 (its upload stays open).
    let mut a6 = admit(&mut o, "enc-a", &path(6), at(6000)).unwrap();
    let a = seg(6);
    o.feed(&mut a6, Bytes::copy_from_slice(&a[..a.len() / 2]), at(6000))
        .unwrap();
    // enc-b keeps pushing; before 5 s of silence it is a standby.
    for n in 1..=7 {
        let now = 3500 + (n - 1) * 1000;
        assert_eq!(put(&mut o, "enc-b", &path(n), &seg(n), at(now)), 202, "{n}");
    }
    // At 11 s enc-a has been silent for 5 s: enc-b takes over. Its segments kept since the
    // one that began when segment 6 was due (its segment 3, at 5.5 s) are published at once.
    assert_eq!(put(&mut o, "enc-b", &path(8), &seg(8), at(11_000)), 201);
    for n in 6..=11 {
        assert_published(&mut o, n, (n - 1) * SEG);
    }
    // enc-a wakes up: its segment 6 was superseded, what it sends now is a standby's.
    assert!(o
        .feed(
            &mut a6,
            Bytes::copy_from_slice(&a[a.len() / 2..]),
            at(11_500)
        )
        .is_ok());
    o.finish(*a6, at(11_500));
    assert_published(&mut o, 6, 5000);
    assert_eq!(put(&mut o, "enc-a", &path(7), &seg(7), at(11_600)), 202);
    assert_published(&mut o, 7, 6000);
}

#[test]
fn lmsg_from_the_active_promotes_the_oldest_standby() {
    let mut o = two_sources();
    for (user, at_ms) in [("enc-b", 3500), ("enc-c", 3700)] {
        assert_eq!(
            put(&mut o, user, "ch/init-stream0.m4s", &init(1000), at(at_ms)),
            202
        );
    }
    for n in 1..=3 {
        let now = 3500 + (n - 1) * 1000;
        assert_eq!(put(&mut o, "enc-b", &path(n), &seg(n), at(now)), 202);
        assert_eq!(
            put(&mut o, "enc-c", &path(n + 10), &seg(n + 10), at(now + 200)),
            202
        );
    }
    // enc-a's segment 6 carries lmsg: it is the last; enc-b (joined first) continues.
    let mut last = seg(6);
    last[8..12].copy_from_slice(b"lmsg");
    assert_eq!(put(&mut o, "enc-a", &path(6), &last, at(6000)), 201);
    // A store gets the published copy of what the new active source completes.
    let mut b4 = admit(&mut o, "enc-b", &path(4), at(6500)).unwrap();
    o.feed(&mut b4, Bytes::from(seg(4)), at(6500)).unwrap();
    let f = o.finish(*b4, at(6500));
    assert_eq!(f.outcome, Outcome::Created);
    let stored = f.store.unwrap();
    assert_eq!(stored.path, "chunk-stream0-00007.m4s");
    assert_eq!(timing(&stored.pieces.concat()), [(13, 6000), (14, 6500)]);
    assert_published(&mut o, 7, 6000);
    // enc-c's segments stay private.
    assert!(whole(&mut o, &path(13)).is_none());
}

#[test]
fn a_standby_with_other_tracks_is_refused_and_nothing_published_changes() {
    let mut o = two_sources();
    let c = put(
        &mut o,
        "enc-b",
        "ch/init-stream0.m4s",
        &init(90_000),
        at(3500),
    );
    assert_eq!(c, 409);
    assert_eq!(put(&mut o, "enc-b", &path(1), &seg(1), at(3600)), 409);
    // Its init segment, or anything else of it, is not published.
    assert_eq!(whole(&mut o, "ch/init-stream0.m4s").unwrap(), init(1000));
    // With a matching init segment it may join.
    assert_eq!(
        put(
            &mut o,
            "enc-b",
            "ch/init-stream0.m4s",
            &init(1000),
            at(3700)
        ),
        202
    );
    assert_eq!(put(&mut o, "enc-b", &path(1), &seg(1), at(3800)), 202);
}

#[test]
fn a_lone_source_keeps_its_channel_when_it_disconnects() {
    let mut o = two_sources();
    let mut a6 = admit(&mut o, "enc-a", &path(6), at(6000)).unwrap();
    o.feed(&mut a6, Bytes::copy_from_slice(&seg(6)[..40]), at(6000))
        .unwrap();
    o.abort(*a6, at(6100));
    assert_eq!(put(&mut o, "enc-a", &path(6), &seg(6), at(6200)), 201);
    assert_published(&mut o, 6, 5000);
    // Silence with no standby changes nothing either.
    assert_eq!(put(&mut o, "enc-a", &path(7), &seg(7), at(20_000)), 201);
    assert_published(&mut o, 7, 6000);
}

/// A step of the proptest: a source uploads its next segment (whole, or breaking off half
/// way), or time passes.
#[derive(Debug, Clone)]
enum Op {
    Segment {
        source: usize,
        complete: bool,
        last: bool,
    },
    Wait(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..3, prop::bool::weighted(0.85), prop::bool::weighted(0.05))
            .prop_map(|(source, complete, last)| Op::Segment { source, complete, last }),
        1 => (100u64..8000).prop_map(Op::Wait),
    ]
}

/// (start, end, complete) of every published segment of stream 0 by number.
fn published(o: &mut Origin, seen: &mut BTreeMap<u64, (u64, u64, bool)>) {
    let Some(ch) = o.channels.get("ch") else {
        return;
    };
    let files: Vec<String> = ch.files.keys().cloned().collect();
    for f in files {
        let Some((key, n)) = naming::media_key(&f) else {
            continue;
        };
        if key != "chunk-stream0-.m4s" || f.starts_with(source::PRIVATE) {
            continue;
        }
        let Ok(Opened::Whole(p)) = o.open(&format!("ch/{f}"), None, at(0)) else {
            continue;
        };
        let t = timing(&p.concat());
        let Some(&(_, start)) = t.first() else {
            continue;
        };
        let end = start + t.len() as u64 * SEG / 2;
        let complete = t.len() == 2;
        if let Some(old) = seen.get(&n) {
            if old.2 {
                // A complete published segment never changes.
                assert_eq!(*old, (start, end, complete), "segment {n} changed");
                continue;
            }
        }
        seen.insert(n, (start, end, complete));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn published_decode_times_never_decrease_or_jump(ops in prop::collection::vec(op(), 1..80)) {
        let mut o = Origin::new(cfg());
        let users = ["enc-a", "enc-b", "enc-c"];
        let mut next = [1u64; 3];
        let mut now = 0u64;
        let mut seen = BTreeMap::new();
        for op in ops {
            match op {
                Op::Wait(ms) => now += ms,
                Op::Segment { source, complete, last } => {
                    now += 400;
                    let user = users[source];
                    let n = next[source];
                    if n == 1 {
                        put(&mut o, user, "ch/init-stream0.m4s", &init(1000), at(now));
                    }
                    next[source] += 1;
                    let mut body = seg(n);
                    if last {
                        // The encoder ends its stream (lmsg) with this segment.
                        body[8..12].copy_from_slice(b"lmsg");
                    }
                    let Ok(mut up) = admit(&mut o, user, &path(n), at(now)) else { continue };
                    if complete {
                        if o.feed(&mut up, Bytes::from(body), at(now)).is_ok() {
                            o.finish(*up, at(now));
                        }
                    } else {
                        let cut = body.len() - 20;
                        let _ = o.feed(&mut up, Bytes::copy_from_slice(&body[..cut]), at(now));
                        o.abort(*up, at(now));
                    }
                }
            }
            published(&mut o, &mut seen);
        }
        let v: Vec<(u64, (u64, u64, bool))> = seen.into_iter().collect();
        for w in v.windows(2) {
            let ((n0, (s0, e0, c0)), (n1, (s1, _, _))) = (w[0], w[1]);
            prop_assert!(s1 >= s0, "decode time decreased: {n0}@{s0} then {n1}@{s1}");
            prop_assert_eq!(n1, n0 + 1, "a number was skipped");
            if c0 {
                prop_assert_eq!(s1, e0, "segment {} does not continue {}", n1, n0);
            }
        }
    }
}

const FIX_MPD: &[u8] = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd");
const FIX_INIT: &[u8] = include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/init.mp4");
const FIX_SEG: [&[u8]; 3] = [
    include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/1.m4s"),
    include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/2.m4s"),
    include_bytes!("../../../fixtures/dash/ffmpeg_livesim/0/3.m4s"),
];

/// (tfdt, duration) of a published segment of the fixture's video, by its init.
fn span(o: &mut Origin, path: &str) -> (u64, u64) {
    let moov = store::find_moov(FIX_INIT).unwrap().to_vec();
    let mut p = crate::cmaf::Parser::new();
    p.set_init(&moov).unwrap();
    p.push(&whole(o, path).unwrap()).unwrap();
    p.finish().unwrap();
    let chunks: Vec<_> = p
        .drain()
        .filter_map(|e| match e {
            StreamEvent::Chunk(c) => Some(c),
            StreamEvent::Box(_) => None,
        })
        .collect();
    (
        chunks[0].decode_time.unwrap(),
        chunks.iter().map(|c| c.duration).sum(),
    )
}

#[test]
fn a_standby_with_another_codec_configuration_starts_a_new_period() {
    let mut o = Origin::new(cfg());
    // The standby's encoder uses another H.264 profile compatibility: another codec string.
    let mut other = FIX_INIT.to_vec();
    let avcc = other.windows(4).position(|w| w == b"avcC").unwrap();
    other[avcc + 6] ^= 0x40;
    assert_eq!(put(&mut o, "enc-a", "ch/manifest.mpd", FIX_MPD, at(0)), 201);
    assert_eq!(put(&mut o, "enc-a", "ch/0/init.mp4", FIX_INIT, at(0)), 201);
    assert_eq!(put(&mut o, "enc-b", "ch/0/init.mp4", &other, at(500)), 202);
    assert_eq!(
        put(&mut o, "enc-a", "ch/0/1.m4s", FIX_SEG[0], at(2000)),
        201
    );
    assert_eq!(
        put(&mut o, "enc-b", "ch/0/1.m4s", FIX_SEG[0], at(3000)),
        202
    );
    assert_eq!(
        put(&mut o, "enc-a", "ch/0/2.m4s", FIX_SEG[1], at(4000)),
        201
    );
    assert_eq!(
        put(&mut o, "enc-b", "ch/0/2.m4s", FIX_SEG[1], at(5000)),
        202
    );
    let mut a3 = admit(&mut o, "enc-a", "ch/0/3.m4s", at(6000)).unwrap();
    o.feed(
        &mut a3,
        Bytes::copy_from_slice(&FIX_SEG[2][..100]),
        at(6000),
    )
    .unwrap();
    o.abort(*a3, at(6100));
    // enc-b's segment 2 is published as 3, continuing 2 exactly ...
    let (t2, d2) = span(&mut o, "ch/0/2.m4s");
    let (t3, _) = span(&mut o, "ch/0/3.m4s");
    assert_eq!(t3, t2 + d2);
    // ... in a new Period that starts there, with enc-b's init segment.
    let mpd = String::from_utf8(whole(&mut o, "ch/manifest.mpd").unwrap()).unwrap();
    let parsed = crate::mpd::parse(&mpd).unwrap();
    assert_eq!(parsed.periods.len(), 2, "{mpd}");
    let p = &parsed.periods[1];
    assert_eq!(p.id.as_deref(), Some("p3"));
    let t = p.adaptation_sets[0].representations[0]
        .segment_template
        .as_deref()
        .unwrap();
    assert_eq!(t.start_number, Some(3));
    assert_eq!(
        t.initialization.as_deref(),
        Some("p3-$RepresentationID$/init.mp4")
    );
    let ts = u64::from(t.timescale.unwrap());
    let info = crate::bmff::info::describe(FIX_INIT).unwrap();
    let track_ts = u64::from(info.tracks[0].timescale);
    assert_eq!(t.presentation_time_offset, Some(t3 * ts / track_ts));
    assert_eq!(
        crate::mpd::XsDuration::from_nanos(i128::from(t3) * 1_000_000_000 / i128::from(track_ts)),
        *p.start.as_ref().unwrap()
    );
    assert_eq!(whole(&mut o, "ch/p3-0/init.mp4").unwrap(), other);
    // The first Period and its init are unchanged.
    assert_eq!(whole(&mut o, "ch/0/init.mp4").unwrap(), FIX_INIT);
}

#[test]
fn with_a_standby_waiting_players_are_asked_to_refresh_the_mpd_often() {
    let mut o = Origin::new(cfg());
    let mpd = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2026-01-01T00:00:00Z" minimumUpdatePeriod="PT500S" profiles="urn:mpeg:dash:profile:isoff-live:2011"><Period id="0" start="PT0S"/></MPD>"#;
    assert_eq!(
        put(&mut o, "enc-a", "ch/manifest.mpd", mpd.as_bytes(), at(0)),
        201
    );
    let served = |o: &mut Origin| {
        let t = String::from_utf8(whole(o, "ch/manifest.mpd").unwrap()).unwrap();
        crate::mpd::parse(&t)
            .unwrap()
            .minimum_update_period
            .unwrap()
            .to_nanos()
            .unwrap()
    };
    assert_eq!(served(&mut o), 500_000_000_000);
    assert_eq!(
        put(&mut o, "enc-b", "ch/manifest.mpd", mpd.as_bytes(), at(100)),
        202
    );
    assert_eq!(served(&mut o), 2_000_000_000);
}
