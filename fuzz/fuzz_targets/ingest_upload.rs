//! The ingest origin on arbitrary bytes as an upload, fed in arbitrary pieces, to a media
//! file, a CMAF track, an init segment or an MPD, with a reader following along: never panics,
//! the answer is a status the spec allows, the reader gets a prefix of what was uploaded in
//! order, and the origin holds no more than five copies of the input. The first byte picks
//! the path, the second the piece size.
#![no_main]

use bytes::Bytes;
use dashkit::ingest::{
    Admission, Config, Credentials, Instant, Method, Opened, Origin, Read, UploadRequest,
};
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 5] = [
    "ch/chunk-stream0-00001.m4s",
    "ch/Streams(video)",
    "ch/init-stream0.m4s",
    "ch/manifest.mpd",
    "ch/audio.cmfa",
];

fuzz_target!(|input: &[u8]| {
    let (which, piece, data) = match input {
        [a, b, rest @ ..] => (*a as usize % PATHS.len(), *b as usize + 1, rest),
        _ => return,
    };
    let mut o = Origin::new(Config {
        token: Some("t".into()),
        ..Config::default()
    });
    let now = Instant::from_millis(0);
    let creds = Credentials::token("t");
    // A track gets a header first when the input asks for it (the same bytes, so the fuzzer
    // can reach the media path with a valid one).
    if which == 1 && data.first().is_some_and(|b| b & 1 == 1) {
        let req = UploadRequest {
            method: Method::Post,
            path: PATHS[1],
            credentials: &creds,
            content_length: None,
            content_type: None,
        };
        if let Admission::Upload(mut up) = o.admit(&req, now) {
            if o.feed(&mut up, Bytes::copy_from_slice(data), now).is_ok() {
                o.finish(*up, now);
            }
        }
    }
    let req = UploadRequest {
        method: Method::Put,
        path: PATHS[which],
        credentials: &creds,
        content_length: None,
        content_type: None,
    };
    let Admission::Upload(mut up) = o.admit(&req, now) else {
        panic!("admitted uploads only");
    };
    let mut reader = None;
    let mut got = Vec::new();
    let mut ok = true;
    for chunk in data.chunks(piece) {
        if o.feed(&mut up, Bytes::copy_from_slice(chunk), now).is_err() {
            ok = false;
            break;
        }
        if reader.is_none() && which == 0 {
            if let Ok(Opened::Streaming(r)) = o.open(PATHS[0], None, now) {
                reader = Some(r);
            }
        }
        if let Some(r) = reader.as_mut() {
            if let Read::Data { pieces, .. } = o.read(r) {
                got.extend(pieces.concat());
            }
        }
        assert!(o.held_bytes() <= 5 * data.len() as u64);
    }
    if ok {
        let status = o.finish(*up, now).outcome.http_status();
        assert!(
            matches!(status, 200 | 201 | 400 | 409 | 412 | 415),
            "{status}"
        );
    } else {
        o.abort(*up, now);
    }
    if let Some(mut r) = reader {
        while let Read::Data { pieces, .. } = o.read(&mut r) {
            got.extend(pieces.concat());
        }
        assert_eq!(o.read(&mut r), Read::End);
        o.close(r, now);
    }
    assert_eq!(&data[..got.len()], &got[..]);
});
