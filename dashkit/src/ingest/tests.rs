//! In-process tests of every ingest rule at fixed instants (no sleeps, no clock).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use bytes::Bytes;
use proptest::prelude::*;

use super::*;
use crate::bmff::testbox::bx;
use crate::cmaf::tests::{moof, trex_moov};

const TOKEN: &str = "t0ken";

fn cfg() -> Config {
    Config {
        token: Some(TOKEN.into()),
        standby_token: Some("backup".into()),
        window: 3,
        keepalive: Duration::from_secs(60),
        max_upload_bytes: 1 << 20,
        failover: Duration::from_secs(5),
        publishing_points: None,
        max_channels: 4,
        ..Config::default()
    }
}

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn init(track: u32) -> Vec<u8> {
    [
        bx(b"ftyp", b"cmfc\0\0\0\0cmfc"),
        trex_moov(track, 512, 1000),
    ]
    .concat()
}

/// styp (brands), then `chunks` chunks of track `track` starting at `tfdt`, 2 samples each.
fn segment_with(track: u32, tfdt: u64, chunks: u32, brands: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let mut out = bx(b"styp", brands);
    let mut ends = Vec::new();
    for i in 0..chunks {
        out.extend(moof(
            i + 1,
            track,
            tfdt + u64::from(i) * 1024,
            &[3, 4],
            None,
        ));
        out.extend(bx(b"mdat", &[i as u8; 7]));
        ends.push(out.len());
    }
    (out, ends)
}

fn segment(tfdt: u64, chunks: u32) -> (Vec<u8>, Vec<usize>) {
    segment_with(1, tfdt, chunks, b"msdh\0\0\0\0msdhcmfs")
}

fn req<'a>(method: Method, path: &'a str, creds: &'a Credentials) -> UploadRequest<'a> {
    UploadRequest {
        method,
        path,
        credentials: creds,
        content_length: None,
        content_type: None,
    }
}

fn start(o: &mut Origin, path: &str, now: Instant) -> Box<Upload> {
    let c = Credentials::token(TOKEN);
    match o.admit(&req(Method::Put, path, &c), now) {
        Admission::Upload(u) => u,
        other => panic!("{path}: {other:?}"),
    }
}

/// Uploads `body` whole; the answer's status.
fn put_as(o: &mut Origin, token: &str, path: &str, body: &[u8], now: Instant) -> u16 {
    let c = Credentials::token(token);
    match o.admit(&req(Method::Post, path, &c), now) {
        Admission::Upload(mut u) => {
            if let Err(r) = o.feed(&mut u, Bytes::copy_from_slice(body), now) {
                o.abort(*u, now);
                return r.http_status();
            }
            o.finish(*u, now).outcome.http_status()
        }
        Admission::Refused(r) => r.http_status(),
        Admission::Probe => 200,
        Admission::Deleted { .. } => 204,
    }
}

fn put(o: &mut Origin, path: &str, body: &[u8], now: Instant) -> u16 {
    put_as(o, TOKEN, path, body, now)
}

fn whole(o: &mut Origin, path: &str) -> Option<Vec<u8>> {
    match o.open(path, None, at(0)) {
        Ok(Opened::Whole(p)) => Some(p.concat()),
        _ => None,
    }
}

fn status_of(o: &mut Origin, path: &str) -> u16 {
    match o.open(path, None, at(0)) {
        Ok(_) => 200,
        Err(r) => r.http_status(),
    }
}

#[test]
fn credentials_and_paths_decide_admission() {
    let none = Credentials::none();
    let good = Credentials::token(TOKEN);
    let mut off = Origin::new(Config::default());
    let r = off.admit(&req(Method::Put, "ch/a.mpd", &good), at(0));
    assert!(matches!(r, Admission::Refused(Refusal::IngestOff)));
    let mut o = Origin::new(cfg());
    let status = |a: Admission| match a {
        Admission::Refused(r) => r.http_status(),
        _ => 0,
    };
    assert_eq!(
        status(o.admit(&req(Method::Put, "ch/a.mpd", &none), at(0))),
        401
    );
    let wrong = Credentials::token("wrong");
    assert_eq!(
        status(o.admit(&req(Method::Put, "ch/a.mpd", &wrong), at(0))),
        403
    );
    assert_eq!(
        status(o.admit(&req(Method::Other, "ch/a.mpd", &good), at(0))),
        405
    );
    assert_eq!(
        status(o.admit(&req(Method::Put, "bad%20name/x.mpd", &good), at(0))),
        403
    );
    assert_eq!(
        status(o.admit(&req(Method::Put, "ch/../x.mpd", &good), at(0))),
        403
    );
    // Nothing refused created a channel.
    assert!(o.channels().is_empty());
    assert_eq!(put(&mut o, "ch/manifest.mpd", b"<MPD/>", at(0)), 201);
    assert_eq!(whole(&mut o, "ch/manifest.mpd").unwrap(), b"<MPD/>");
}

#[test]
fn unknown_publishing_points_are_404() {
    let mut o = Origin::new(Config {
        publishing_points: Some(vec!["live".into()]),
        ..cfg()
    });
    assert_eq!(put(&mut o, "other/x.mpd", b"<MPD/>", at(0)), 404);
    assert_eq!(put(&mut o, "live/x.mpd", b"<MPD/>", at(0)), 201);
    // DELETE in a channel that does not exist, and reads of one.
    let mut o = Origin::new(cfg());
    let c = Credentials::token(TOKEN);
    let a = o.admit(&req(Method::Delete, "nope/x.m4s", &c), at(0));
    assert!(matches!(
        a,
        Admission::Refused(Refusal::UnknownPublishingPoint { .. })
    ));
    assert_eq!(status_of(&mut o, "nope/x.m4s"), 404);
}

#[test]
fn an_empty_request_is_a_probe() {
    let mut o = Origin::new(cfg());
    let c = Credentials::token(TOKEN);
    let r = UploadRequest {
        content_length: Some(0),
        ..req(Method::Post, "ch", &c)
    };
    assert!(matches!(o.admit(&r, at(0)), Admission::Probe));
    // Chunked and empty, to the publishing point or a track.
    for path in ["ch", "ch/Streams(v)"] {
        let up = start(&mut o, path, at(0));
        let f = o.finish(*up, at(0));
        assert_eq!(f.outcome, Outcome::Probe);
        assert!(f.store.is_none());
    }
    assert_eq!(o.held_bytes(), 0);
    // Bytes to the publishing point itself are not a file.
    assert_eq!(put(&mut o, "ch", b"x", at(0)), 400);
}

#[test]
fn chunks_are_relayed_as_they_complete() {
    let mut o = Origin::new(cfg());
    assert_eq!(put(&mut o, "ll/init-stream0.m4s", &init(1), at(0)), 201);
    let (seg, ends) = segment(0, 3);
    let mut up = start(&mut o, "ll/chunk-stream0-00001.m4s", at(0));
    assert!(o
        .feed(&mut up, Bytes::copy_from_slice(&seg[..ends[0]]), at(10))
        .unwrap());
    let Ok(Opened::Streaming(mut r)) = o.open("ll/chunk-stream0-00001.m4s", None, at(10)) else {
        panic!()
    };
    let Read::Data {
        pieces,
        last: false,
    } = o.read(&mut r)
    else {
        panic!()
    };
    assert_eq!(pieces.concat(), seg[..ends[0]]);
    assert_eq!(o.read(&mut r), Read::Wait);
    // Half a chunk is not relayed.
    let mid = (ends[0] + ends[1]) / 2;
    assert!(!o
        .feed(&mut up, Bytes::copy_from_slice(&seg[ends[0]..mid]), at(20))
        .unwrap());
    assert_eq!(o.read(&mut r), Read::Wait);
    assert!(o
        .feed(&mut up, Bytes::copy_from_slice(&seg[mid..]), at(30))
        .unwrap());
    let Read::Data {
        pieces,
        last: false,
    } = o.read(&mut r)
    else {
        panic!()
    };
    assert_eq!(pieces.concat(), seg[ends[0]..]);
    let f = o.finish(*up, at(40));
    assert_eq!(f.outcome, Outcome::Created);
    assert_eq!(f.store.unwrap().pieces.concat(), seg);
    assert_eq!(o.read(&mut r), Read::End);
    o.close(r, at(40));
    assert_eq!(whole(&mut o, "ll/chunk-stream0-00001.m4s").unwrap(), seg);
    // The chunk duration (2 samples of 512 at 1000/s) is what the MPD will signal.
    assert_eq!(o.channels["ll"].chunk_ms, Some(1024));
}

#[test]
fn a_segment_begun_before_its_init_segment_arrived_learns_its_timescale() {
    let mut o = Origin::new(cfg());
    let (seg, ends) = segment(0, 3);
    let path = "late/chunk-stream0-00001.m4s";
    let mut up = start(&mut o, path, at(0));
    o.feed(&mut up, Bytes::copy_from_slice(&seg[..ends[0]]), at(10))
        .unwrap();
    assert_eq!(put(&mut o, "late/init-stream0.m4s", &init(1), at(20)), 201);
    o.feed(&mut up, Bytes::copy_from_slice(&seg[ends[0]..]), at(30))
        .unwrap();
    assert_eq!(o.finish(*up, at(40)).outcome, Outcome::Created);
    let meta = o.channels["late"].files["chunk-stream0-00001.m4s"]
        .meta
        .clone()
        .unwrap();
    // Three chunks of two 512-tick samples, at the init's 1000 ticks a second.
    assert_eq!(meta.tracks[0].timescale, Some(1000));
    assert_eq!(meta.tracks[0].duration, 3 * 1024);
    // The parts a low-latency playlist lists: where each chunk ends, and its duration.
    let parts: Vec<(u64, u64)> = meta.chunks.iter().map(|c| (c.end, c.duration)).collect();
    let want: Vec<(u64, u64)> = ends.iter().map(|e| (*e as u64, 1024)).collect();
    assert_eq!(parts, want);
}

/// Two streams with other chunk durations (1024 ms and 512 ms), their segments arriving in
/// either order: the MPD is signalled from the same chunk duration, the longest.
#[test]
fn the_signalled_chunk_duration_does_not_depend_on_arrival_order() {
    let mut seen = Vec::new();
    for order in [[0, 1], [1, 0]] {
        let mut o = Origin::new(cfg());
        assert_eq!(put(&mut o, "ll/init-stream0.m4s", &init(1), at(0)), 201);
        let short = [bx(b"ftyp", b"cmfc\0\0\0\0cmfc"), trex_moov(1, 256, 1000)].concat();
        assert_eq!(put(&mut o, "ll/init-stream1.m4s", &short, at(0)), 201);
        let (seg, _) = segment(0, 2);
        for s in order {
            let path = format!("ll/chunk-stream{s}-00001.m4s");
            assert_eq!(put(&mut o, &path, &seg, at(10)), 201, "{path}");
        }
        seen.push(o.channels["ll"].chunk_ms);
    }
    assert_eq!(seen, [Some(1024), Some(1024)]);
}

#[test]
fn a_disconnect_leaves_whole_chunks_and_the_path_reusable() {
    let mut o = Origin::new(cfg());
    let (seg, ends) = segment(0, 3);
    let mut up = start(&mut o, "f/seg-00001.m4s", at(0));
    o.feed(&mut up, Bytes::copy_from_slice(&seg[..ends[1] + 5]), at(0))
        .unwrap();
    let Ok(Opened::Streaming(mut r)) = o.open("f/seg-00001.m4s", None, at(0)) else {
        panic!()
    };
    o.abort(*up, at(1));
    let Read::Data { pieces, last: true } = o.read(&mut r) else {
        panic!()
    };
    assert_eq!(pieces.concat(), seg[..ends[1]]);
    assert_eq!(o.read(&mut r), Read::End);
    assert_eq!(whole(&mut o, "f/seg-00001.m4s").unwrap(), seg[..ends[1]]);
    assert_eq!(put(&mut o, "f/seg-00002.m4s", &seg, at(2)), 201);
    assert_eq!(put(&mut o, "f/seg-00001.m4s", &seg, at(3)), 201);
    assert_eq!(whole(&mut o, "f/seg-00001.m4s").unwrap(), seg);
}

#[test]
fn numbering_concurrency_and_resent_segments() {
    let mut o = Origin::new(cfg());
    let (seg, _) = segment(0, 2);
    assert_eq!(put(&mut o, "c/seg-00005.m4s", &seg, at(0)), 201);
    // Another encoder starting over at 1: refused, nothing stored.
    assert_eq!(put(&mut o, "c/seg-00001.m4s", &seg, at(100)), 409);
    assert_eq!(status_of(&mut o, "c/seg-00001.m4s"), 404);
    // A restarted source re-sending segment 5: tolerated, ignored.
    let other = segment(2048, 2).0;
    assert_eq!(put(&mut o, "c/seg-00005.m4s", &other, at(200)), 200);
    assert_eq!(whole(&mut o, "c/seg-00005.m4s").unwrap(), seg);
    // Two uploads of one path at once.
    let mut a = start(&mut o, "c/seg-00006.m4s", at(300));
    o.feed(&mut a, Bytes::copy_from_slice(&seg[..10]), at(300))
        .unwrap();
    assert_eq!(put(&mut o, "c/seg-00006.m4s", &seg, at(310)), 409);
    o.feed(&mut a, Bytes::copy_from_slice(&seg[10..]), at(320))
        .unwrap();
    assert_eq!(o.finish(*a, at(330)).outcome, Outcome::Created);
    // After the keep-alive without activity the numbering may restart.
    assert_eq!(put(&mut o, "c/seg-00002.m4s", &seg, at(330 + 60_000)), 201);
    // The MPD is replaced, not "already received".
    assert_eq!(put(&mut o, "c/m.mpd", b"<MPD/>", at(0)), 201);
    assert_eq!(put(&mut o, "c/m.mpd", b"<MPD a='1'/>", at(0)), 201);
    assert_eq!(whole(&mut o, "c/m.mpd").unwrap(), b"<MPD a='1'/>");
}

#[test]
fn a_standby_is_stored_only_after_the_primary_falls_silent() {
    let mut o = Origin::new(cfg());
    let (seg, _) = segment(0, 1);
    assert_eq!(put(&mut o, "c/seg-00005.m4s", &seg, at(0)), 201);
    assert_eq!(
        put_as(&mut o, "backup", "c/seg-00001.m4s", &seg, at(4_999)),
        202
    );
    assert_eq!(status_of(&mut o, "c/seg-00001.m4s"), 404);
    // 5 s after the primary's last upload the standby takes over, numbering afresh.
    assert_eq!(
        put_as(&mut o, "backup", "c/seg-00001.m4s", &seg, at(5_000)),
        201
    );
    assert_eq!(whole(&mut o, "c/seg-00001.m4s").unwrap(), seg);
    assert_eq!(
        put_as(&mut o, "backup", "c/seg-00002.m4s", &seg, at(6_000)),
        201
    );
}

#[test]
fn windows_inits_and_delete() {
    let mut o = Origin::new(Config { window: 2, ..cfg() });
    let (seg, _) = segment(0, 1);
    assert_eq!(put(&mut o, "w/init.mp4", &init(1), at(0)), 201);
    assert_eq!(put(&mut o, "w/init-stream1.m4s", &init(1), at(0)), 201);
    assert_eq!(put(&mut o, "w/init-stream0.m4s", &init(1), at(0)), 201);
    for n in 1..=4 {
        assert_eq!(put(&mut o, &format!("w/seg-{n:05}.m4s"), &seg, at(n)), 201);
    }
    assert_eq!(status_of(&mut o, "w/seg-00001.m4s"), 404);
    assert_eq!(status_of(&mut o, "w/seg-00002.m4s"), 404);
    assert_eq!(status_of(&mut o, "w/seg-00003.m4s"), 200);
    assert_eq!(status_of(&mut o, "w/init.mp4"), 200);
    assert_eq!(status_of(&mut o, "w/init-stream0.m4s"), 200);
    let c = Credentials::token(TOKEN);
    let a = o.admit(&req(Method::Delete, "w/seg-00003.m4s", &c), at(10));
    assert!(matches!(a, Admission::Deleted { ref path, .. } if path == "seg-00003.m4s"));
    assert_eq!(status_of(&mut o, "w/seg-00003.m4s"), 404);
    let a = o.admit(&req(Method::Delete, "w/seg-00003.m4s", &c), at(10));
    assert_eq!(
        match a {
            Admission::Refused(r) => r.http_status(),
            _ => 0,
        },
        404
    );
    // Size caps: declared and fed.
    let big = UploadRequest {
        content_length: Some(2 << 20),
        ..req(Method::Put, "w/seg-00009.m4s", &c)
    };
    assert!(matches!(
        o.admit(&big, at(10)),
        Admission::Refused(Refusal::TooLarge { .. })
    ));
    assert_eq!(
        put(&mut o, "w/seg-00009.m4s", &vec![0u8; 2 << 20], at(10)),
        413
    );
}

#[test]
fn channels_live_while_used_and_drop_after_the_keepalive() {
    let mut o = Origin::new(cfg());
    let (seg, ends) = segment(0, 2);
    assert_eq!(put(&mut o, "k/seg-1.m4s", &seg, at(0)), 201);
    assert!(o.sweep(at(59_999)).is_empty());
    let mut up = start(&mut o, "k/seg-2.m4s", at(59_999));
    o.feed(&mut up, Bytes::copy_from_slice(&seg[..ends[0]]), at(59_999))
        .unwrap();
    let Ok(Opened::Streaming(r)) = o.open("k/seg-2.m4s", None, at(60_000)) else {
        panic!()
    };
    // An open reader keeps the channel however long it waits.
    assert!(o.sweep(at(500_000)).is_empty());
    o.close(r, at(500_000));
    assert!(o.sweep(at(559_999)).is_empty());
    assert_eq!(o.sweep(at(560_000)), ["k"]);
    // Too many channels.
    for c in ["a", "b", "c", "d"] {
        assert_eq!(put(&mut o, &format!("{c}/x.mpd"), b"<MPD/>", at(0)), 201);
    }
    assert_eq!(put(&mut o, "e/x.mpd", b"<MPD/>", at(0)), 503);
    drop(up);
}

#[test]
fn tracks_need_their_cmaf_header_first() {
    let mut o = Origin::new(cfg());
    let (seg, _) = segment(2048, 2);
    // Media before the track's init segment: 412.
    assert_eq!(put(&mut o, "ch/Streams(video)", &seg, at(0)), 412);
    assert_eq!(put(&mut o, "ch/Streams(video)", &init(1), at(1)), 201);
    assert_eq!(whole(&mut o, "ch/video/init.mp4").unwrap(), init(1));
    assert_eq!(put(&mut o, "ch/Streams(video)", &seg, at(2)), 201);
    assert_eq!(whole(&mut o, "ch/video/2048.m4s").unwrap(), seg);
    // The next segment of the track at the same URL.
    let (next, _) = segment(4096, 2);
    assert_eq!(put(&mut o, "ch/Streams(video)", &next, at(3)), 201);
    assert_eq!(whole(&mut o, "ch/video/4096.m4s").unwrap(), next);
    // A restarted source re-posting what was received: tolerated.
    assert_eq!(put(&mut o, "ch/Streams(video)", &seg, at(4)), 200);
    assert_eq!(whole(&mut o, "ch/video/2048.m4s").unwrap(), seg);
    // A path per track works the same.
    assert_eq!(put(&mut o, "ch/audio.cmfa", &init(1), at(5)), 201);
    assert_eq!(put(&mut o, "ch/audio.cmfa", &seg, at(6)), 201);
    assert_eq!(whole(&mut o, "ch/audio.cmfa/2048.m4s").unwrap(), seg);
}

#[test]
fn a_wrong_init_is_412() {
    let mut o = Origin::new(cfg());
    assert_eq!(put(&mut o, "ch/Streams(v)", &init(1), at(0)), 201);
    let (seg2, _) = segment_with(2, 0, 1, b"msdh\0\0\0\0");
    assert_eq!(put(&mut o, "ch/Streams(v)", &seg2, at(1)), 412);
    // Named files too, once their init is known.
    assert_eq!(put(&mut o, "ch/init-stream0.m4s", &init(1), at(2)), 201);
    assert_eq!(put(&mut o, "ch/chunk-stream0-00001.m4s", &seg2, at(3)), 412);
}

#[test]
fn unsupported_media_is_415_and_broken_cmaf_400() {
    let mut o = Origin::new(cfg());
    assert_eq!(
        put(&mut o, "ch/Streams(v)", b"\x00\x00\x00\x04nope", at(0)),
        415
    );
    assert_eq!(
        put(&mut o, "ch/Streams(v)", &bx(b"abcd", b"1234"), at(0)),
        415
    );
    let c = Credentials::token(TOKEN);
    let r = UploadRequest {
        content_type: Some("text/html"),
        ..req(Method::Post, "ch/Streams(v)", &c)
    };
    assert!(matches!(
        o.admit(&r, at(0)),
        Admission::Refused(Refusal::UnsupportedMedia { .. })
    ));
    // A moof followed by another moof.
    assert_eq!(put(&mut o, "ch/Streams(v)", &init(1), at(1)), 201);
    let m = moof(1, 1, 0, &[1], None);
    let broken = [bx(b"styp", b"msdh\0\0\0\0"), m.clone(), m].concat();
    assert_eq!(put(&mut o, "ch/Streams(v)", &broken, at(2)), 400);
    // Truncated at the end of the body.
    let (seg, _) = segment(0, 1);
    assert_eq!(
        put(&mut o, "ch/Streams(v)", &seg[..seg.len() - 2], at(3)),
        400
    );
    // Sent again whole, it is taken.
    assert_eq!(put(&mut o, "ch/Streams(v)", &seg, at(3)), 201);
    assert_eq!(whole(&mut o, "ch/v/0.m4s").unwrap(), seg);
    // A named file that is not ISO-BMFF is kept as uploaded (ffmpeg's dash muxer never
    // sends one; other tools' side files are served back).
    assert_eq!(put(&mut o, "ch/notes.m4s", b"plain text", at(4)), 201);
    assert_eq!(whole(&mut o, "ch/notes.m4s").unwrap(), b"plain text");
}

#[test]
fn lmsg_ends_a_stream() {
    let mut o = Origin::new(cfg());
    let (seg, _) = segment(0, 1);
    let (last, _) = segment_with(1, 1024, 1, b"msdh\0\0\0\0msdhlmsg");
    assert_eq!(put(&mut o, "e/seg-7.m4s", &seg, at(0)), 201);
    assert_eq!(put(&mut o, "e/seg-8.m4s", &last, at(1)), 201);
    // After the last segment, later numbers are gone, not "not yet".
    assert_eq!(status_of(&mut o, "e/seg-9.m4s"), 410);
    // A restarted source numbers afresh without a 409.
    assert_eq!(put(&mut o, "e/seg-1.m4s", &seg, at(2)), 201);
    assert_eq!(status_of(&mut o, "e/seg-9.m4s"), 404);
    // On a track: the track's stream ends too.
    assert_eq!(put(&mut o, "e/Streams(v)", &init(1), at(3)), 201);
    assert_eq!(put(&mut o, "e/Streams(v)", &last, at(4)), 201);
    assert_eq!(status_of(&mut o, "e/v/5000.m4s"), 410);
}

/// The segment after the newest one of a live stream is "not yet", to be held by the server
/// for [`crate::limits::NEXT_SEGMENT_HOLD_MS`]; any other missing number is not found; after
/// `lmsg` nothing is expected.
#[test]
fn the_next_segment_is_not_yet_and_may_be_waited_for() {
    let mut o = Origin::new(cfg());
    let (seg, _) = segment(0, 1);
    assert_eq!(put(&mut o, "n/seg-7.m4s", &seg, at(0)), 201);
    match o.open("n/seg-8.m4s", None, at(1)) {
        Err(Refusal::NotYet { path, hold_ms }) => {
            assert_eq!(path, "seg-8.m4s");
            assert_eq!(hold_ms, crate::limits::NEXT_SEGMENT_HOLD_MS);
        }
        other => panic!("expected NotYet, got {other:?}"),
    }
    assert!(matches!(
        o.open("n/seg-9.m4s", None, at(1)),
        Err(Refusal::NotFound { .. })
    ));
    assert!(matches!(
        o.open("n/seg-6.m4s", None, at(1)),
        Err(Refusal::NotFound { .. })
    ));
    assert!(matches!(
        o.open("n/x-8.m4s", None, at(1)),
        Err(Refusal::NotFound { .. })
    ));
    // Once it arrives, the same request opens it.
    assert_eq!(put(&mut o, "n/seg-8.m4s", &seg, at(2)), 201);
    assert!(matches!(
        o.open("n/seg-8.m4s", None, at(2)),
        Ok(Opened::Whole(_))
    ));
    // After the last segment nothing more is expected.
    let (last, _) = segment_with(1, 1024, 1, b"msdh\0\0\0\0msdhlmsg");
    assert_eq!(put(&mut o, "n/seg-9.m4s", &last, at(3)), 201);
    assert_eq!(status_of(&mut o, "n/seg-10.m4s"), 410);
}

#[test]
fn init_segments_are_detected_by_content_and_not_windowed() {
    let mut o = Origin::new(Config { window: 1, ..cfg() });
    // An init whose name has a number: its moov makes it an init.
    assert_eq!(put(&mut o, "i/v1/header7.m4s", &init(1), at(0)), 201);
    let (seg, _) = segment(0, 1);
    assert_eq!(put(&mut o, "i/v1/seg-1.m4s", &seg, at(1)), 201);
    assert_eq!(put(&mut o, "i/v1/seg-2.m4s", &seg, at(2)), 201);
    assert_eq!(status_of(&mut o, "i/v1/header7.m4s"), 200);
    assert_eq!(status_of(&mut o, "i/v1/seg-1.m4s"), 404);
}

#[test]
fn mpds_are_served_as_uploaded_without_a_time_endpoint() {
    let mut o = Origin::new(cfg());
    let mpd =
        b"<?xml version=\"1.0\"?><MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\"/>";
    assert_eq!(put(&mut o, "m/manifest.mpd", mpd, at(0)), 201);
    assert_eq!(whole(&mut o, "m/manifest.mpd").unwrap(), mpd);
}

#[test]
fn restore_reloads_the_window_inits_and_tracks() {
    let mut o = Origin::new(cfg());
    assert_eq!(put(&mut o, "r/Streams(v)", &init(1), at(0)), 201);
    let mut stored = Vec::new();
    for t in [0u64, 1024, 2048, 3072] {
        let (seg, _) = segment(t, 1);
        let c = Credentials::token(TOKEN);
        let Admission::Upload(mut u) = o.admit(&req(Method::Post, "r/Streams(v)", &c), at(t))
        else {
            panic!()
        };
        o.feed(&mut u, Bytes::from(seg), at(t)).unwrap();
        stored.push(o.finish(*u, at(t)).store.unwrap());
    }
    let mut files: Vec<(String, Bytes)> = stored
        .iter()
        .map(|s| (s.path.clone(), Bytes::from(s.pieces.concat())))
        .collect();
    files.push(("v/init.mp4".into(), Bytes::from(init(1))));
    files.push(("manifest.mpd".into(), Bytes::from_static(b"<MPD/>")));
    files.push(("../escape.m4s".into(), Bytes::from_static(b"x")));
    let mut fresh = Origin::new(cfg());
    assert_eq!(fresh.restore("r", files, at(0)).unwrap(), 5);
    assert_eq!(
        status_of(&mut fresh, "r/v/0.m4s"),
        404,
        "outside the window of 3"
    );
    assert_eq!(
        whole(&mut fresh, "r/v/3072.m4s").unwrap(),
        segment(3072, 1).0
    );
    // The track carries on: its init is known and what was received is not taken again.
    assert_eq!(
        put(&mut fresh, "r/Streams(v)", &segment(3072, 1).0, at(1)),
        200
    );
    assert_eq!(
        put(&mut fresh, "r/Streams(v)", &segment(4096, 1).0, at(1)),
        201
    );
    assert!(fresh.restore("bad name", Vec::new(), at(0)).is_err());
}

/// What the property test does.
#[derive(Debug, Clone)]
enum Op {
    /// Start an upload of segment `n` (a path of one stream).
    Start(u8),
    /// Feed the upload in slot `i` its next `len` bytes.
    Feed(u8, u16),
    Finish(u8),
    /// The encoder disconnects.
    Abort(u8),
    /// A reader opens segment `n`.
    Open(u8),
    /// Reader `i` reads, or goes away.
    Read(u8),
    Close(u8),
    /// Time passes; channels are swept.
    Sweep(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..8).prop_map(Op::Start),
        (any::<u8>(), 1u16..200).prop_map(|(i, l)| Op::Feed(i, l)),
        any::<u8>().prop_map(Op::Finish),
        any::<u8>().prop_map(Op::Abort),
        (0u8..8).prop_map(Op::Open),
        any::<u8>().prop_map(Op::Read),
        any::<u8>().prop_map(Op::Close),
        (0u32..120_000).prop_map(Op::Sweep),
    ]
}

proptest! {
    /// Random interleavings of chunked uploads, reads, disconnects and sweeps: every reader
    /// gets a prefix of the uploaded bytes in order, ending with all of them or a clean end at
    /// a chunk boundary; memory stays within the window plus the uploads in flight.
    #[test]
    fn readers_get_uploaded_bytes_in_order(ops in proptest::collection::vec(op(), 1..120)) {
        let window = 2;
        let mut o = Origin::new(Config { window, ..cfg() });
        let segs: Vec<(Vec<u8>, Vec<usize>)> = (0..8).map(|n| segment(n * 4096, 3)).collect();
        let seg_len = segs.iter().map(|s| s.0.len()).max().unwrap() as u64;
        let mut now = 0u64;
        let mut uploads: Vec<(u8, Box<Upload>, usize)> = Vec::new();
        let mut readers: Vec<(u8, Reader, Vec<u8>)> = Vec::new();
        let check = |n: u8, got: &[u8], ended: bool| {
            let (seg, ends) = &segs[n as usize];
            prop_assert_eq!(got, &seg[..got.len()]);
            if ended {
                // Whole boxes: nothing, the styp, whole chunks, or all of it.
                let styp = ends[0] - (ends[1] - ends[0]);
                prop_assert!(got.len() == seg.len() || got.is_empty() || got.len() == styp
                    || ends.contains(&got.len()),
                    "ended at {} of {}", got.len(), seg.len());
            }
            Ok(())
        };
        for op in ops {
            now += 7;
            match op {
                Op::Start(n) => {
                    let path = format!("p/seg-{n}.m4s");
                    let c = Credentials::token(TOKEN);
                    if let Admission::Upload(u) = o.admit(&req(Method::Put, &path, &c), at(now)) {
                        uploads.push((n, u, 0));
                    }
                }
                Op::Feed(i, len) if !uploads.is_empty() => {
                    let k = i as usize % uploads.len();
                    let (n, up, at_byte) = &mut uploads[k];
                    let seg = &segs[*n as usize].0;
                    let end = (*at_byte + len as usize).min(seg.len());
                    let piece = Bytes::copy_from_slice(&seg[*at_byte..end]);
                    *at_byte = end;
                    if o.feed(up, piece, at(now)).is_err() {
                        let (_, up, _) = uploads.remove(k);
                        o.abort(*up, at(now));
                    }
                }
                Op::Finish(i) if !uploads.is_empty() => {
                    let (n, up, at_byte) = uploads.remove(i as usize % uploads.len());
                    let seg = &segs[n as usize].0;
                    let mut up = up;
                    // The rest of the body, then its end.
                    if o.feed(&mut up, Bytes::copy_from_slice(&seg[at_byte..]), at(now)).is_ok() {
                        let f = o.finish(*up, at(now));
                        prop_assert!(f.outcome.http_status() < 300, "{:?}", f.outcome);
                    } else {
                        o.abort(*up, at(now));
                    }
                }
                Op::Abort(i) if !uploads.is_empty() => {
                    let (_, up, _) = uploads.remove(i as usize % uploads.len());
                    o.abort(*up, at(now));
                }
                Op::Open(n) => match o.open(&format!("p/seg-{n}.m4s"), None, at(now)) {
                    Ok(Opened::Whole(p)) => check(n, &p.concat(), true)?,
                    Ok(Opened::Streaming(r)) => readers.push((n, r, Vec::new())),
                    Err(r) => prop_assert!(r.http_status() == 404),
                },
                Op::Read(i) if !readers.is_empty() => {
                    let k = i as usize % readers.len();
                    let (n, r, got) = &mut readers[k];
                    match o.read(r) {
                        Read::Data { pieces, last } => {
                            got.extend(pieces.concat());
                            check(*n, got, last)?;
                        }
                        Read::Wait => check(*n, got, false)?,
                        Read::End => {
                            check(*n, got, true)?;
                            let (_, r, _) = readers.remove(k);
                            o.close(r, at(now));
                        }
                    }
                }
                Op::Close(i) if !readers.is_empty() => {
                    let (_, r, _) = readers.remove(i as usize % readers.len());
                    o.close(r, at(now));
                }
                Op::Sweep(d) => {
                    now += u64::from(d);
                    o.sweep(at(now));
                }
                _ => {}
            }
            // The window's segments, the ones being uploaded, and the incomplete ones in the
            // window: never more.
            let bound = (window as u64 + uploads.len() as u64) * seg_len;
            prop_assert!(o.held_bytes() <= bound, "{} > {}", o.held_bytes(), bound);
            for (_, up, _) in &uploads {
                prop_assert!(up.pending_bytes() <= 2 * seg_len);
            }
        }
    }

    /// Arbitrary bytes as an upload, to a file and to a track, in arbitrary pieces: never a
    /// panic, and the outcome is an answer.
    #[test]
    fn arbitrary_uploads_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400),
                                     cut in 0usize..400) {
        for path in ["x/seg-1.m4s", "x/Streams(v)", "x/init.mp4", "x/m.mpd"] {
            let mut o = Origin::new(cfg());
            let mut up = start(&mut o, path, at(0));
            let cut = cut.min(data.len());
            let ok = o.feed(&mut up, Bytes::copy_from_slice(&data[..cut]), at(0)).is_ok()
                && o.feed(&mut up, Bytes::copy_from_slice(&data[cut..]), at(0)).is_ok();
            if ok {
                let s = o.finish(*up, at(0)).outcome.http_status();
                prop_assert!((200..500).contains(&s));
            }
        }
    }
}

#[test]
fn mpds_get_low_latency_signalling_from_the_last_chunk() {
    let mut o = Origin::new(cfg());
    let mpd = br#"<MPD type="dynamic" availabilityStartTime="1970-01-01T00:00:00Z"><Period><AdaptationSet><SegmentTemplate timescale="1000" duration="2000" media="$Number$.m4s"/><Representation id="v"/></AdaptationSet></Period></MPD>"#;
    assert_eq!(put(&mut o, "m/manifest.mpd", mpd, at(0)), 201);
    let signalled = |o: &mut Origin| match o.open("m/manifest.mpd", Some("http://h/time"), at(0)) {
        Ok(Opened::Whole(p)) => String::from_utf8(p.concat()).unwrap(),
        _ => panic!(),
    };
    // Before any chunk: 500 ms chunks assumed (2000 - 500 ms = 1.5 s early).
    let before = signalled(&mut o);
    assert!(
        before.contains(r#"availabilityTimeOffset="1.5""#),
        "{before}"
    );
    assert!(before.contains("http://h/time"), "{before}");
    assert_eq!(signalled(&mut o), before, "the same answer from the cache");
    // A chunk of 1024 ms (2 samples of 512 at 1000/s) changes the offset.
    assert_eq!(put(&mut o, "m/init-stream0.m4s", &init(1), at(1)), 201);
    assert_eq!(
        put(&mut o, "m/chunk-stream0-1.m4s", &segment(0, 1).0, at(2)),
        201
    );
    let after = signalled(&mut o);
    assert!(
        after.contains(r#"availabilityTimeOffset="0.976""#),
        "{after}"
    );
    // Without a time endpoint it is served as uploaded.
    assert_eq!(whole(&mut o, "m/manifest.mpd").unwrap(), mpd);
}

#[test]
fn an_mpd_written_again_mid_upload_supersedes_the_first() {
    let mut o = Origin::new(cfg());
    let mut first = start(&mut o, "m/manifest.mpd", at(0));
    o.feed(&mut first, Bytes::from_static(b"<MPD a='1'"), at(0))
        .unwrap();
    assert_eq!(put(&mut o, "m/manifest.mpd", b"<MPD a='2'/>", at(1)), 201);
    o.feed(&mut first, Bytes::from_static(b"/>"), at(2))
        .unwrap();
    let f = o.finish(*first, at(2));
    assert_eq!(f.outcome, Outcome::Created);
    assert!(f.store.is_none(), "superseded");
    assert_eq!(whole(&mut o, "m/manifest.mpd").unwrap(), b"<MPD a='2'/>");
}

#[test]
fn a_manifest_being_rewritten_is_served_whole_in_its_previous_version() {
    let mut o = Origin::new(cfg());
    assert_eq!(put(&mut o, "m/manifest.mpd", b"<MPD a='1'/>", at(0)), 201);
    // The second version is arriving: readers get the first, whole, at once.
    let mut second = start(&mut o, "m/manifest.mpd", at(1));
    o.feed(&mut second, Bytes::from_static(b"<MPD a="), at(1))
        .unwrap();
    assert_eq!(whole(&mut o, "m/manifest.mpd").unwrap(), b"<MPD a='1'/>");
    o.feed(&mut second, Bytes::from_static(b"'2'/>"), at(2))
        .unwrap();
    assert_eq!(o.finish(*second, at(2)).outcome, Outcome::Created);
    assert_eq!(whole(&mut o, "m/manifest.mpd").unwrap(), b"<MPD a='2'/>");
    // A third that breaks off leaves the second.
    let mut third = start(&mut o, "m/manifest.mpd", at(3));
    o.feed(&mut third, Bytes::from_static(b"<MPD a='3'"), at(3))
        .unwrap();
    o.abort(*third, at(3));
    assert_eq!(whole(&mut o, "m/manifest.mpd").unwrap(), b"<MPD a='2'/>");
    // Media is not staged: a segment is read as it arrives.
    let mut seg = start(&mut o, "m/chunk-stream0-00001.m4s", at(4));
    let (bytes, _) = segment(0, 2);
    o.feed(&mut seg, Bytes::copy_from_slice(&bytes[..8]), at(4))
        .unwrap();
    assert!(matches!(
        o.open("m/chunk-stream0-00001.m4s", None, at(4)),
        Ok(Opened::Streaming(_))
    ));
}

#[test]
fn complete_segments_may_be_cached_until_they_leave_the_window() {
    let mut o = Origin::new(Config { window: 3, ..cfg() });
    assert_eq!(put(&mut o, "c/init-stream0.m4s", &init(1), at(0)), 201);
    // Two chunks of two 512-tick samples at 1000 Hz: 2.048 s a segment.
    for n in 1..=3u64 {
        let (seg, _) = segment((n - 1) * 2048, 2);
        let p = format!("c/chunk-stream0-{n:05}.m4s");
        assert_eq!(put(&mut o, &p, &seg, at(n * 2000)), 201);
    }
    let life = |o: &Origin, p: &str| o.cache_lifetime(p).map(|d| d.as_secs());
    // The newest has two more places ahead of it: 2 × 2.048 s, in whole seconds; the one
    // before, one; the oldest leaves with the next upload.
    assert_eq!(life(&o, "c/chunk-stream0-00003.m4s"), Some(4));
    assert_eq!(life(&o, "c/chunk-stream0-00002.m4s"), Some(2));
    assert_eq!(life(&o, "c/chunk-stream0-00001.m4s"), None);
    // Not media segments, or not there.
    assert_eq!(life(&o, "c/init-stream0.m4s"), None);
    assert_eq!(life(&o, "c/chunk-stream0-00004.m4s"), None);
    assert_eq!(life(&o, "nope/chunk-stream0-00003.m4s"), None);
    // A segment being uploaded is not complete: no-cache until it is.
    let (seg, ends) = segment(3 * 2048, 2);
    let mut up = start(&mut o, "c/chunk-stream0-00004.m4s", at(8000));
    o.feed(&mut up, Bytes::copy_from_slice(&seg[..ends[0]]), at(8000))
        .unwrap();
    assert_eq!(life(&o, "c/chunk-stream0-00004.m4s"), None);
    o.feed(&mut up, Bytes::copy_from_slice(&seg[ends[0]..]), at(8500))
        .unwrap();
    o.finish(*up, at(8500));
    assert_eq!(life(&o, "c/chunk-stream0-00004.m4s"), Some(4));
    // A stream its source ended may be restarted with the same numbers: never cached.
    let (last, _) = segment_with(1, 4 * 2048, 2, b"msdh\0\0\0\0msdhlmsg");
    assert_eq!(
        put(&mut o, "c/chunk-stream0-00005.m4s", &last, at(10_000)),
        201
    );
    assert_eq!(life(&o, "c/chunk-stream0-00005.m4s"), None);
    assert_eq!(life(&o, "c/chunk-stream0-00004.m4s"), None);
}
