//! On-the-fly encryption of the live simulator (`drm_eccp-cenc`, `drm_eccp-cbcs`, the older
//! `eccp_cenc`/`eccp_cbcs`; docs/encryption.md), in process at fixed instants: the MPD's
//! ContentProtection elements, the protected init segment, media segments and `chunkdur_`
//! chunks that decrypt to the clear live answer byte for byte, and the typed refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use dashkit::bmff::Index;
use dashkit::cenc::{decrypt, Key};
use dashkit::live::asset::LiveAsset;
use dashkit::live::eccp::{key_for_kid, KID};
use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig};

mod support;
use support::{livesim_asset, livesim_dir};

/// Every file of the ffmpeg_livesim fixture, by its URL relative to the MPD.
fn files() -> HashMap<String, Vec<u8>> {
    let dir = livesim_dir();
    let mut out = HashMap::new();
    for rep in ["0", "1"] {
        for f in std::fs::read_dir(dir.join(rep)).unwrap() {
            let f = f.unwrap();
            let name = format!("{rep}/{}", f.file_name().to_string_lossy());
            out.insert(name, std::fs::read(f.path()).unwrap());
        }
    }
    out
}

fn config() -> SourceConfig {
    SourceConfig {
        utc_timing_url: None,
        request_url: Some(
            "http://example.org:8080/livesim/drm_eccp-cbcs/ffmpeg_livesim/manifest.mpd".into(),
        ),
        ..SourceConfig::default()
    }
}

/// The bytes of an answer (init, segment, chunked segment).
fn body(r: Response<'_>) -> Vec<u8> {
    match r {
        Response::Init { bytes, .. } => bytes.to_vec(),
        Response::ProtectedInit { bytes, .. } => bytes,
        Response::Segment { data, .. } => data.to_vec(),
        Response::Chunked { chunks, .. } => chunks.iter().flat_map(|c| c.to_vec()).collect(),
        other => panic!("not bytes: {other:?}"),
    }
}

fn get(asset: &LiveAsset, opts: &str, file: &str, now_ms: i64) -> Vec<u8> {
    let files = files();
    let o = LiveOptions::parse(opts).unwrap();
    body(
        respond(asset, &o, file, now_ms, &config(), |u| {
            files.get(u).map(Vec::as_slice)
        })
        .unwrap(),
    )
}

fn key() -> Key {
    key_for_kid(&KID).unwrap()
}

/// Counts the boxes of `kind` anywhere in `data`.
fn count(data: &[u8], kind: &str) -> usize {
    let idx = Index::parse(data).unwrap();
    idx.boxes()
        .iter()
        .filter(|b| b.is(kind.as_bytes().try_into().unwrap()))
        .count()
}

const NOW: i64 = 1_000_000_000; // segment 499_999 of 2 s is available

#[test]
fn mpd_gets_the_eccp_content_protection() {
    let asset = livesim_asset();
    let files = files();
    for (opts, value) in [
        ("drm_eccp-cbcs", "cbcs"),
        ("drm_eccp-cenc", "cenc"),
        ("eccp_cenc", "cenc"),
        ("eccp_cbcs", "cbcs"),
    ] {
        let o = LiveOptions::parse(opts).unwrap();
        let Response::Mpd { xml } = respond(&asset, &o, "manifest.mpd", NOW, &config(), |u| {
            files.get(u).map(Vec::as_slice)
        })
        .unwrap() else {
            panic!("not an MPD")
        };
        let mpd = dashkit::mpd::parse(&xml).unwrap();
        for aset in &mpd.periods[0].adaptation_sets {
            let cps = &aset.content_protections;
            assert_eq!(cps.len(), 2, "{opts}: {xml}");
            assert_eq!(
                cps[0].scheme_id_uri.as_deref(),
                Some("urn:mpeg:dash:mp4protection:2011")
            );
            assert_eq!(cps[0].value.as_deref(), Some(value));
            assert_eq!(
                cps[0].default_kid(),
                Some("2880fe36-e44b-f9bf-79d2-752e234818a5")
            );
            assert_eq!(
                cps[1].scheme_id_uri.as_deref(),
                Some("urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e")
            );
            assert_eq!(cps[1].value.as_deref(), Some("ClearKey1.0"));
        }
        // livesim2's form of the license URL element.
        assert!(
            xml.contains(
                r#"<dashif:Laurl xmlns:dashif="https://dashif.org/CPS" licenseType="EME-1.0">http://example.org:8080/livesim/drm_eccp-cbcs/ffmpeg_livesim/eccp.json</dashif:Laurl>"#
            ),
            "{xml}"
        );
    }
}

#[test]
fn init_segments_are_protected_and_decrypt_to_the_clear_ones() {
    let asset = livesim_asset();
    for opts in ["drm_eccp-cenc", "drm_eccp-cbcs"] {
        for rep in ["0", "1"] {
            let file = format!("{rep}/init.mp4");
            let clear = get(&asset, "", &file, NOW);
            let enc = get(&asset, opts, &file, NOW);
            assert_eq!(count(&enc, "sinf"), 1, "{opts} {file}");
            assert_eq!(count(&enc, "pssh"), 1, "{opts} {file}");
            assert_eq!(count(&enc, if rep == "0" { "encv" } else { "enca" }), 1);
            assert_eq!(decrypt(&enc, None, &key()).unwrap(), clear, "{opts} {file}");
        }
    }
}

#[test]
fn media_segments_decrypt_to_the_clear_live_segment() {
    let asset = livesim_asset();
    for opts in ["drm_eccp-cenc", "drm_eccp-cbcs", "eccp_cenc"] {
        for rep in ["0", "1"] {
            let init = get(&asset, opts, &format!("{rep}/init.mp4"), NOW);
            let file = format!("{rep}/499999.m4s");
            let clear = get(&asset, "", &file, NOW);
            let enc = get(&asset, opts, &file, NOW);
            assert_ne!(enc, clear);
            assert_eq!(count(&enc, "senc"), count(&enc, "moof"), "{opts} {file}");
            assert_eq!(count(&enc, "saio"), count(&enc, "moof"));
            assert_eq!(
                decrypt(&enc, Some(&init), &key()).unwrap(),
                clear,
                "{opts} {file}"
            );
        }
    }
}

#[test]
fn each_low_latency_chunk_has_its_own_senc() {
    let asset = livesim_asset();
    for scheme in ["cenc", "cbcs"] {
        let opts = format!("drm_eccp-{scheme}/chunkdur_0.5");
        let init = get(&asset, &opts, "0/init.mp4", NOW);
        let clear = get(&asset, "chunkdur_0.5", "0/499999.m4s", NOW);
        let enc = get(&asset, &opts, "0/499999.m4s", NOW);
        assert_eq!(count(&enc, "moof"), 4, "2 s in 0.5 s chunks");
        assert_eq!(count(&enc, "senc"), 4);
        assert_eq!(decrypt(&enc, Some(&init), &key()).unwrap(), clear, "{opts}");
    }
}

#[test]
fn cenc_ivs_never_repeat_across_segments() {
    // The first sample IV of consecutive segments differs (AES-CTR under one key).
    let asset = livesim_asset();
    let ivs: Vec<Vec<u8>> = (499_997u64..=499_999)
        .map(|n| {
            let enc = get(&asset, "drm_eccp-cenc", &format!("0/{n}.m4s"), NOW);
            let idx = Index::parse(&enc).unwrap();
            let senc = idx.find("moof/traf/senc").unwrap();
            let b = &idx.boxes()[senc];
            // full box header (12) + sample_count (4), then the first 8-byte IV.
            enc[b.start + 16..b.start + 24].to_vec()
        })
        .collect();
    assert_ne!(ivs[0], ivs[1]);
    assert_ne!(ivs[1], ivs[2]);
}

#[test]
fn other_drm_forms_are_refused_with_a_clear_message() {
    for bad in ["drm_EZDRM-1-key-cbcs-test", "drm_eccp-cens", "eccp_aes"] {
        let e = LiveOptions::parse(bad).unwrap_err();
        assert!(
            matches!(e, dashkit::live::Error::UnsupportedOption { .. }),
            "{bad}"
        );
        assert!(e.to_string().contains("drm_eccp-cenc"), "{e}");
    }
}

#[test]
fn an_encrypted_asset_is_not_encrypted_again() {
    let asset = livesim_asset();
    let files = files();
    // The init segment is already protected: encrypting it again is a typed error.
    let enc = get(&asset, "drm_eccp-cenc", "0/init.mp4", NOW);
    let mut f = files.clone();
    f.insert("0/init.mp4".into(), enc);
    let o = LiveOptions::parse("drm_eccp-cbcs").unwrap();
    let e = respond(&asset, &o, "0/init.mp4", NOW, &config(), |u| {
        f.get(u).map(Vec::as_slice)
    })
    .unwrap_err();
    assert!(
        matches!(&e, dashkit::live::Error::Protection { source, .. }
            if matches!(**source, dashkit::cenc::Error::AlreadyEncrypted { track_id: 1 })),
        "{e:?}"
    );
    assert!(!e.to_string().contains("28463e"));
}

#[test]
fn a_codec_that_cannot_be_subsample_encrypted_is_a_typed_error() {
    let asset = livesim_asset();
    let mut f = files();
    // The video sample entry renamed to AV1's: dashkit lays out AVC and HEVC subsamples only.
    let init = f.get_mut("0/init.mp4").unwrap();
    let at = init.windows(4).position(|w| w == b"avc1").unwrap();
    init[at..at + 4].copy_from_slice(b"av01");
    for file in ["0/init.mp4", "0/499999.m4s"] {
        let o = LiveOptions::parse("drm_eccp-cenc").unwrap();
        let e = respond(&asset, &o, file, NOW, &config(), |u| {
            f.get(u).map(Vec::as_slice)
        })
        .unwrap_err();
        assert!(
            matches!(&e, dashkit::live::Error::Protection { source, .. }
                if matches!(**source, dashkit::cenc::Error::UnsupportedCodec { track_id: 1, .. })),
            "{file}: {e:?}"
        );
        assert!(e.to_string().contains("av01"), "{e}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Law: for any available segment, scheme, Representation and chunking, the protected
    /// answer decrypts to the clear one, byte for byte.
    #[test]
    fn protected_answers_decrypt_to_the_clear_ones(back in 0u64..100, cbcs in proptest::bool::ANY,
                                                   audio in proptest::bool::ANY, chunk in 0usize..3) {
        let asset = livesim_asset();
        let scheme = if cbcs { "cbcs" } else { "cenc" };
        let rep = if audio { "1" } else { "0" };
        let chunking = ["", "chunkdur_0.5/", "chunkdur_1/"][chunk];
        let file = format!("{rep}/{}.m4s", 499_999 - back);
        let clear = get(&asset, chunking.trim_end_matches('/'), &file, NOW);
        let opts = format!("{chunking}drm_eccp-{scheme}");
        let init = get(&asset, &opts, &format!("{rep}/init.mp4"), NOW);
        let enc = get(&asset, &opts, &file, NOW);
        proptest::prop_assert_eq!(decrypt(&enc, Some(&init), &key()).unwrap(), clear);
    }
}
