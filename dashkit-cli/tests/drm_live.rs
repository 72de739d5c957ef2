//! `dashkit serve` with on-the-fly encryption (`drm_eccp-cenc`, `drm_eccp-cbcs`) and with a
//! pre-encrypted Shaka Packager asset served as live (docs/encryption.md), over real sockets:
//! the MPD's ContentProtection, the ClearKey license at the URL the MPD names, and segments
//! that `dashkit decrypt` and Shaka Packager 3.4.2 (`.ci/install-packager`, needs npm) both
//! decrypt to the clear samples.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use dashkit::bmff::samples::track_samples;
use support::server::{Reply, Server};

const KID: &str = "2880fe36e44bf9bf79d2752e234818a5";
const KEY: &str = "28463e36e44bf9bf79d2752e234818a5";
/// An instant at which live segment 499_999 (2 s) of the ffmpeg fixture is available.
const NOW_MS: i64 = 1_000_000_000;

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-drm-live-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what} is needed by this test: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn packager() -> PathBuf {
    let out = Command::new("bash")
        .arg(repo().join(".ci/install-packager"))
        .output()
        .expect("bash .ci/install-packager");
    assert!(
        out.status.success(),
        "installing Shaka Packager failed (needs npm): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn ok(r: Reply, what: &str) -> Vec<u8> {
    assert_eq!(r.status, 200, "{what}: {}", r.text());
    r.body
}

/// The sample bytes of the first track of a file, in decode order.
fn samples(data: &[u8]) -> Vec<Vec<u8>> {
    let t = track_samples(None, data, 0).unwrap();
    t[0].samples
        .iter()
        .map(|s| data[s.offset as usize..][..s.size as usize].to_vec())
        .collect()
}

/// Decrypts `init + segment` with `dashkit decrypt` and with Shaka Packager (`stream`):
/// the samples of both.
fn decrypt_both(dir: &Path, tag: &str, init: &[u8], seg: &[u8], stream: &str) -> [Vec<Vec<u8>>; 2] {
    let enc = dir.join(format!("{tag}.mp4"));
    std::fs::write(&enc, [init, seg].concat()).unwrap();
    let ours = dir.join(format!("{tag}.dashkit.mp4"));
    run(
        Command::new(env!("CARGO_BIN_EXE_dashkit")).args([
            "decrypt",
            enc.to_str().unwrap(),
            ours.to_str().unwrap(),
            "--key",
            &format!("{KID}:{KEY}"),
        ]),
        "dashkit decrypt",
    );
    let shaka = dir.join(format!("{tag}.shaka.mp4"));
    run(
        Command::new(packager()).args([
            &format!(
                "in={},stream={stream},output={}",
                enc.display(),
                shaka.display()
            ),
            "--quiet",
            "--enable_raw_key_decryption",
            "--keys",
            &format!("key_id={KID}:key={KEY}"),
        ]),
        "Shaka Packager",
    );
    [
        samples(&std::fs::read(ours).unwrap()),
        samples(&std::fs::read(shaka).unwrap()),
    ]
}

/// Every `saio` offset (from its `moof`, the default) points at its `senc`'s first sample entry.
fn assert_saio_points_into_senc(seg: &[u8], what: &str) {
    let idx = dashkit::bmff::Index::parse(seg).unwrap();
    let b = idx.boxes();
    let mut seen = 0;
    for moof in idx.top().filter(|&i| b[i].is(b"moof")) {
        for traf in idx.children(moof).filter(|&c| b[c].is(b"traf")) {
            let saio = idx.child(traf, b"saio").expect("saio");
            let senc = idx.child(traf, b"senc").expect("senc");
            let saio = dashkit::bmff::Saio::parse(&seg[b[saio].range()], b[saio].offset).unwrap();
            // senc: header, version and flags, sample_count, then the entries.
            let first_entry = (b[senc].start + b[senc].header_len + 8 - b[moof].start) as u64;
            assert_eq!(saio.offsets, vec![first_entry], "{what}");
            seen += 1;
        }
    }
    assert!(seen > 0, "{what}: no protected traf");
}

/// The text of the first `<dashif:Laurl …>…</dashif:Laurl>` of an MPD.
fn laurl(mpd: &str) -> String {
    let start = mpd.find("<dashif:Laurl").expect("a dashif:Laurl");
    let text = &mpd[start..];
    let open = text.find('>').unwrap() + 1;
    let close = text.find("</dashif:Laurl>").unwrap();
    text[open..close].to_string()
}

fn post(server: &Server, target: &str, body: &str) -> Reply {
    let req = format!(
        "POST {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    server.raw(req.as_bytes())
}

#[test]
fn eccp_streams_name_their_license_and_decrypt_to_the_clear_live_samples() {
    let server = Server::start(&repo().join("fixtures/dash"), &[]);
    let dir = scratch("eccp");
    for scheme in ["cenc", "cbcs"] {
        for extra in ["", "chunkdur_0.5/"] {
            let live = format!("/livesim/drm_eccp-{scheme}/{extra}ffmpeg_livesim");
            let clear = format!("/livesim/{extra}ffmpeg_livesim");
            let mpd = String::from_utf8(ok(
                server.get(&format!("{live}/manifest.mpd?nowMS={NOW_MS}")),
                "MPD",
            ))
            .unwrap();
            assert_eq!(
                mpd.matches(r#"schemeIdUri="urn:mpeg:dash:mp4protection:2011""#)
                    .count(),
                2
            );
            assert!(mpd.contains(&format!(r#"value="{scheme}""#)), "{mpd}");
            assert!(mpd.contains(r#"cenc:default_KID="2880fe36-e44b-f9bf-79d2-752e234818a5""#));
            assert_eq!(
                mpd.matches(r#"schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0""#)
                    .count(),
                2
            );
            // The license URL is livesim2's: options and the asset's first directory.
            let url = laurl(&mpd);
            let want = format!(
                "http://{}/livesim/drm_eccp-{scheme}/{extra}ffmpeg_livesim/eccp.json",
                server.addr
            );
            assert_eq!(url, want);
            let target = url.split_once(&server.addr).unwrap().1;
            let lic = post(
                &server,
                target,
                r#"{"kids":["KID-NuRL-b950nUuI0gYpQ"],"type":"temporary"}"#,
            );
            assert_eq!(lic.status, 200, "{}", lic.text());
            assert_eq!(lic.header("content-type"), Some("application/json"));
            assert_eq!(lic.header("access-control-allow-origin"), Some("*"));
            let json: serde_json::Value = serde_json::from_slice(&lic.body).unwrap();
            assert_eq!(
                json,
                serde_json::json!({"keys":[{"kty":"oct","kid":"KID-NuRL-b950nUuI0gYpQ","k":"KEY-NuRL-b950nUuI0gYpQ"}],"type":"temporary"})
            );
            for (rep, stream) in [("0", "video"), ("1", "audio")] {
                let init = ok(server.get(&format!("{live}/{rep}/init.mp4")), "init");
                let seg = ok(
                    server.get(&format!("{live}/{rep}/499999.m4s?nowMS={NOW_MS}")),
                    "segment",
                );
                let cinit = ok(server.get(&format!("{clear}/{rep}/init.mp4")), "clear init");
                let cseg = ok(
                    server.get(&format!("{clear}/{rep}/499999.m4s?nowMS={NOW_MS}")),
                    "clear segment",
                );
                let want = samples(&[cinit, cseg].concat());
                assert!(!want.is_empty());
                let tag = format!("{scheme}-{}{rep}", extra.replace('/', "-"));
                assert_saio_points_into_senc(&seg, &tag);
                assert_ne!(
                    samples(&[init.clone(), seg.clone()].concat()),
                    want,
                    "{tag}: clear"
                );
                let [ours, shaka] = decrypt_both(&dir, &tag, &init, &seg, stream);
                assert_eq!(ours, want, "{tag}: dashkit decrypt");
                assert_eq!(shaka, want, "{tag}: Shaka Packager");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn license_requests_are_bounded_and_refused_with_reasons() {
    let server = Server::start(&repo().join("fixtures/dash"), &[]);
    let at = "/livesim/drm_eccp-cenc/ffmpeg_livesim/eccp.json";
    // CORS preflight of a browser's JSON POST.
    let pre = server.request(
        "OPTIONS",
        at,
        &[
            "Origin: http://player",
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type",
        ],
    );
    assert_eq!(pre.status, 204);
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    for (body, status) in [
        ("not json", 400),
        (r#"{"kids":[]}"#, 400),
        (r#"{"kids":["AAAA"]}"#, 400),
        (r#"{"kids":["AAAAAAAAAAAAAAAAAAAAAA"]}"#, 404),
    ] {
        let r = post(&server, at, body);
        assert_eq!(r.status, status, "{body}: {}", r.text());
        assert!(!r.text().contains("KEY-"), "no key in a refusal");
    }
    // livesim2's CPIX DRM configurations are refused with a 400 naming what is supported.
    let r = server.get("/livesim/drm_EZDRM-1-key-cbcs-test/ffmpeg_livesim/manifest.mpd");
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("drm_eccp-cenc and drm_eccp-cbcs"),
        "{}",
        r.text()
    );
    let big = format!(r#"{{"kids":["{}"]}}"#, "A".repeat(70_000));
    assert_eq!(post(&server, at, &big).status, 413);
    // A GET of the license URL is not a license request.
    assert_ne!(server.get(at).status, 200);
}

/// A pre-encrypted asset: Shaka Packager with a raw key (the ECCP KID and key, `cbcs` for
/// video and audio) from the H.264 + AAC fixture, in the test's scratch directory. Shaka
/// writes video with `SegmentTemplate@duration`; its audio segments vary around 2 s (AAC
/// frames), so its SegmentTimeline is replaced with the nominal `@duration="96000"`
/// (dashkit's live simulator, like dashlivesim, needs `$Number$` with `@duration`). The
/// segments are Shaka's, untouched.
pub fn shaka_encrypted_asset(root: &Path, scheme: &str) -> PathBuf {
    shaka_asset(root, "shaka_enc", Some(scheme))
}

/// [`shaka_encrypted_asset`] in `root/name`, clear when `scheme` is `None`.
fn shaka_asset(root: &Path, name: &str, scheme: Option<&str>) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let input = repo().join("fixtures/media/h264_aac.mp4");
    let keys = format!("label=:key_id={KID}:key={KEY}");
    let protect: Vec<&str> = match scheme {
        Some(s) => vec![
            "--enable_raw_key_encryption",
            "--keys",
            &keys,
            "--protection_scheme",
            s,
            "--protection_systems",
            "CommonSystem",
            "--clear_lead",
            "0",
        ],
        None => vec![],
    };
    run(
        Command::new(packager())
            .current_dir(&dir)
            .args(protect)
            .args([
                &format!(
                    "in={},stream=video,init_segment=v/init.mp4,segment_template=v/$Number$.m4s",
                    input.display()
                ),
                &format!(
                    "in={},stream=audio,init_segment=a/init.mp4,segment_template=a/$Number$.m4s",
                    input.display()
                ),
                "--quiet",
                "--segment_duration",
                "2",
                "--segment_template_constant_duration",
                "--generate_static_live_mpd",
                "--use_fake_clock_for_muxer",
                "--single_threaded",
                "--mpd_output",
                "manifest.mpd",
            ]),
        "Shaka Packager",
    );
    let path = dir.join("manifest.mpd");
    let mut mpd = dashkit::mpd::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for aset in &mut mpd.periods[0].adaptation_sets {
        for rep in &mut aset.representations {
            let t = rep.segment_template.as_mut().unwrap();
            if t.segment_timeline.take().is_some() {
                t.duration = Some(2 * u64::from(t.timescale.unwrap()));
            }
        }
    }
    std::fs::write(&path, dashkit::mpd::write(&mpd)).unwrap();
    dir
}

#[test]
fn shaka_pre_encrypted_asset_served_live_across_tfdt_growth_decrypts() {
    let root = scratch("pre");
    for scheme in ["cenc", "cbcs"] {
        let _ = std::fs::remove_dir_all(root.join("shaka_enc"));
        let dir = shaka_encrypted_asset(&root, scheme);
        let server = Server::start(&root, &[]);
        // At 335 550 s, video segment 167 772 ([335 544, 335 546) s at 12 800 ticks/s) has a
        // tfdt below 2^32 (version 0 stays), 167 773 one above (grows to version 1, 4 bytes).
        let now = 335_550_000;
        let base = "/livesim/shaka_enc";
        let mpd = String::from_utf8(ok(
            server.get(&format!("{base}/manifest.mpd?nowMS={now}")),
            "MPD",
        ))
        .unwrap();
        assert_eq!(
            mpd.matches(&format!(r#"value="{scheme}""#)).count(),
            2,
            "{mpd}"
        );
        assert_eq!(
            mpd.matches("2880fe36-e44b-f9bf-79d2-752e234818a5").count(),
            2
        );
        assert_eq!(
            mpd.matches("urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b")
                .count(),
            2
        );
        // Each VoD segment decrypted by Shaka Packager: what every live segment must hold.
        let vod_init = std::fs::read(dir.join("v/init.mp4")).unwrap();
        let vod: Vec<Vec<Vec<u8>>> = (1..=5)
            .map(|n| {
                let seg = std::fs::read(dir.join(format!("v/{n}.m4s"))).unwrap();
                decrypt_both(&root, &format!("{scheme}-vod{n}"), &vod_init, &seg, "video")[1]
                    .clone()
            })
            .collect();
        let init = ok(server.get(&format!("{base}/v/init.mp4")), "init");
        for (n, version) in [(167_772u64, 0u8), (167_773, 1)] {
            let seg = ok(
                server.get(&format!("{base}/v/{n}.m4s?nowMS={now}")),
                "segment",
            );
            let idx = dashkit::bmff::Index::parse(&seg).unwrap();
            let tfdt = &idx.boxes()[idx.find("moof/traf/tfdt").unwrap()];
            assert_eq!(seg[tfdt.start + 8], version, "tfdt version of {n}");
            assert_saio_points_into_senc(&seg, &format!("{scheme} live {n}"));
            let tag = format!("{scheme}-live{n}");
            let [ours, shaka] = decrypt_both(&root, &tag, &init, &seg, "video");
            assert!(
                vod.contains(&shaka),
                "{tag}: Shaka Packager's samples are no VoD segment's"
            );
            assert_eq!(ours, shaka, "{tag}: dashkit decrypt");
        }
        // Encrypting it again is refused, for the MPD and for its segments.
        let again = server.get(&format!(
            "/livesim/drm_eccp-cenc/shaka_enc/manifest.mpd?nowMS={now}"
        ));
        assert_eq!(again.status, 500, "{}", again.text());
        assert!(
            again.text().contains("encrypted already"),
            "{}",
            again.text()
        );
        let again = server.get("/livesim/drm_eccp-cbcs/shaka_enc/v/init.mp4");
        assert_eq!(again.status, 500, "{}", again.text());
        assert!(
            again.text().contains("already encrypted"),
            "{}",
            again.text()
        );
        // Audio (full-sample): its tfdt is far beyond 2^32 at 48 kHz; it decrypts too.
        let ainit = ok(server.get(&format!("{base}/a/init.mp4")), "audio init");
        let aseg = ok(
            server.get(&format!("{base}/a/167773.m4s?nowMS={now}")),
            "audio segment",
        );
        let [ours, shaka] = decrypt_both(&root, &format!("{scheme}-audio"), &ainit, &aseg, "audio");
        assert!(!shaka.is_empty());
        assert_eq!(ours, shaka, "{scheme} audio");
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn eccp_on_a_version_0_tfdt_asset_encrypts_after_the_tfdt_growth() {
    // A clear Shaka Packager asset (version 0 tfdt), encrypted on the fly at the instant its
    // video tfdt grows to version 1: the encryption comes after the rewrite, so every offset is
    // the final one.
    let root = scratch("clear");
    shaka_asset(&root, "shaka_clear", None);
    let server = Server::start(&root, &[]);
    let now = 335_550_000;
    let dir = scratch("clear-out");
    for scheme in ["cenc", "cbcs"] {
        let base = format!("/livesim/drm_eccp-{scheme}/shaka_clear");
        let init = ok(server.get(&format!("{base}/v/init.mp4")), "init");
        let cinit = ok(server.get("/livesim/shaka_clear/v/init.mp4"), "clear init");
        for (n, version) in [(167_772u64, 0u8), (167_773, 1)] {
            let seg = ok(
                server.get(&format!("{base}/v/{n}.m4s?nowMS={now}")),
                "segment",
            );
            let cseg = ok(
                server.get(&format!("/livesim/shaka_clear/v/{n}.m4s?nowMS={now}")),
                "clear segment",
            );
            let idx = dashkit::bmff::Index::parse(&seg).unwrap();
            let tfdt = &idx.boxes()[idx.find("moof/traf/tfdt").unwrap()];
            assert_eq!(seg[tfdt.start + 8], version, "tfdt version of {n}");
            let tag = format!("{scheme}-clear{n}");
            assert_saio_points_into_senc(&seg, &tag);
            let want = samples(&[cinit.clone(), cseg].concat());
            let [ours, shaka] = decrypt_both(&dir, &tag, &init, &seg, "video");
            assert_eq!(ours, want, "{tag}: dashkit decrypt");
            assert_eq!(shaka, want, "{tag}: Shaka Packager");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&dir);
}
