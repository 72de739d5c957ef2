//! On-the-fly Common Encryption for the live simulator: livesim2's `drm_eccp-cenc` and
//! `drm_eccp-cbcs` (and its older spellings `eccp_cenc`, `eccp_cbcs`), DASH-IF Enhanced
//! ClearKey Content Protection (IOP Part 6) as livesim2 serves it (docs/encryption.md).
//!
//! - The live MPD's video and audio AdaptationSets get two `ContentProtection` elements: the
//!   `urn:mpeg:dash:mp4protection:2011` scheme (`value` `cenc` or `cbcs`) with
//!   `cenc:default_KID`, and ClearKey (`urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e`,
//!   `value="ClearKey1.0"`) with a `dashif:Laurl` (`licenseType="EME-1.0"`) naming the license
//!   URL ([`license_url`]).
//! - Init segments become `encv`/`enca` with `sinf` and a W3C common (ClearKey) `pssh`; media
//!   segments, and each `chunkdur_` chunk on its own, are encrypted with `senc`/`saiz`/`saio`
//!   after the live rewrite, so every offset is the final one ([`crate::cenc::encrypt`]).
//! - Keys: one KID for every asset, livesim2's, and the key derived from the KID alone
//!   ([`key_for_kid`]), so the license answer ([`crate::cenc::clearkey`]) needs no state.
//!
//! Everything here is a function of its inputs: no clock, no randomness.

use crate::bmff::patch::Part;
use crate::cenc::{EncryptOptions, Key, Scheme};
use crate::mpd::model::{Attr, ContentProtection, Element, Node};
use crate::mpd::Mpd;

use super::Error;

/// `@schemeIdUri` of the Common Encryption descriptor (ISO/IEC 23009-1 §5.8.5.2).
pub const MP4PROTECTION_SCHEME: &str = "urn:mpeg:dash:mp4protection:2011";
/// `@schemeIdUri` of the W3C ClearKey descriptor (DASH-IF IOP Part 6).
pub const CLEARKEY_SCHEME: &str = "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e";
/// The namespace of `cenc:default_KID` (ISO/IEC 23001-7 §11.2).
pub const CENC_NS: &str = "urn:mpeg:cenc:2013";
/// The namespace of `dashif:Laurl` (DASH-IF IOP Part 6).
pub const DASHIF_CPS_NS: &str = "https://dashif.org/CPS";
/// The last path component of the license URL (livesim2's).
pub const LICENSE_FILE: &str = "eccp.json";

/// The first three bytes of every KID (livesim2's).
pub const KID_PREFIX: [u8; 3] = [0x28, 0x80, 0xfe];
/// The first three bytes of every key: the key is its KID with these in place of
/// [`KID_PREFIX`] (livesim2's).
pub const KEY_PREFIX: [u8; 3] = [0x28, 0x46, 0x3e];

/// The KID of every `drm_eccp-*` stream: `2880fe36-e44b-f9bf-79d2-752e234818a5`, the value
/// livesim2 writes for every asset (its KID function means to hash the asset name but hashes
/// sixteen zero bytes, MD5 `4ae71336e44bf9bf79d2752e234818a5`, then sets [`KID_PREFIX`]).
/// Players and test pages configured for livesim2 work unchanged.
pub const KID: [u8; 16] = [
    0x28, 0x80, 0xfe, 0x36, 0xe4, 0x4b, 0xf9, 0xbf, 0x79, 0xd2, 0x75, 0x2e, 0x23, 0x48, 0x18, 0xa5,
];

/// The `cbcs` constant IV: livesim2's eight bytes `00 01 … 07`, zero-padded to sixteen
/// (ISO/IEC 23001-7 §9.1: an 8-byte constant IV is so extended).
const CBCS_IV: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0];

/// The content key for `kid`: the KID with [`KEY_PREFIX`] in place of [`KID_PREFIX`];
/// `None` for a KID that does not start with [`KID_PREFIX`] (not one of ours).
///
/// ```
/// use dashkit::live::eccp::{key_for_kid, KID};
/// let key = key_for_kid(&KID).unwrap();
/// assert_eq!(key.kid(), KID);
/// assert!(key_for_kid(&[0; 16]).is_none());
/// ```
pub fn key_for_kid(kid: &[u8; 16]) -> Option<Key> {
    if kid[..3] != KID_PREFIX {
        return None;
    }
    let mut key = *kid;
    key[..3].copy_from_slice(&KEY_PREFIX);
    Some(Key::new(*kid, key))
}

/// The key every `drm_eccp-*` stream is encrypted with.
fn content_key() -> Key {
    let mut key = KID;
    key[..3].copy_from_slice(&KEY_PREFIX);
    Key::new(KID, key)
}

/// Parses the value of a `drm_` (`eccp-cenc`, `eccp-cbcs`) or `eccp_` (`cenc`, `cbcs`)
/// option. Any other value (livesim2's CPIX DRM configurations) is refused.
pub(crate) fn parse_option(key: &str, value: &str) -> Result<Scheme, Error> {
    let scheme = match key {
        "drm" => value.strip_prefix("eccp-"),
        _ => Some(value),
    };
    match scheme {
        Some("cenc") => Ok(Scheme::Cenc),
        Some("cbcs") => Ok(Scheme::Cbcs),
        _ => Err(Error::UnsupportedOption {
            key: key.to_string(),
        }),
    }
}

/// What [`Error::UnsupportedOption`] adds for the `drm_` and `eccp_` keys.
pub(crate) fn unsupported_hint(key: &str) -> &'static str {
    match key {
        "drm" | "eccp" => {
            " with this value: only drm_eccp-cenc and drm_eccp-cbcs (or eccp_cenc, eccp_cbcs) \
             are, livesim2's CPIX DRM configurations are not"
        }
        _ => "",
    }
}

/// The UUID form of a KID (`2880fe36-e44b-f9bf-79d2-752e234818a5`).
///
/// ```
/// assert_eq!(dashkit::live::eccp::uuid(&dashkit::live::eccp::KID),
///            "2880fe36-e44b-f9bf-79d2-752e234818a5");
/// ```
pub fn uuid(kid: &[u8; 16]) -> String {
    let h = crate::cenc::hex(kid);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The license URL the MPD names, livesim2's: the request's URL up to and including the first
/// path component after the live options (the asset's first directory), then `/eccp.json`.
/// `request_url` is the absolute URL of the MPD request (`http://host/livesim/…`); without it
/// (no `Host`), the same path from the root.
///
/// ```
/// use dashkit::live::eccp::license_url;
/// assert_eq!(license_url("http://h:8/livesim/drm_eccp-cenc/testpic_2s/Manifest.mpd?x=1"),
///            "http://h:8/livesim/drm_eccp-cenc/testpic_2s/eccp.json");
/// assert_eq!(license_url("/livesim/eccp_cbcs/chunkdur_1/a/b/m.mpd"),
///            "/livesim/eccp_cbcs/chunkdur_1/a/eccp.json");
/// ```
pub fn license_url(request_url: &str) -> String {
    let cut = request_url.find(['?', '#']).unwrap_or(request_url.len());
    let url = &request_url[..cut];
    // Scheme and host stay as they are; the path starts at the first '/' after them.
    let path_at = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or(url.len(), |p| i + 3 + p),
        None => 0,
    };
    let (origin, path) = url.split_at(path_at);
    let mut out = origin.to_string();
    let comps: Vec<&str> = path.split('/').collect();
    // "", "livesim", options…, first content component.
    let mut i = 2.min(comps.len());
    while i < comps.len().saturating_sub(1) {
        let is_option = comps[i]
            .split_once('_')
            .is_some_and(|(k, _)| super::options::is_option_key(k));
        if !is_option {
            break;
        }
        i += 1;
    }
    let keep = if i + 1 < comps.len() { i + 1 } else { i };
    out.push_str(&comps[..keep].join("/"));
    out.push('/');
    out.push_str(LICENSE_FILE);
    out
}

/// Whether `path` (a request path) is a license request's: below `/livesim/` or
/// `/livesim2/`, ending in `/eccp.json`.
///
/// ```
/// assert!(dashkit::live::eccp::is_license_path("/livesim/drm_eccp-cenc/a/eccp.json"));
/// assert!(!dashkit::live::eccp::is_license_path("/dash/vod/eccp.json"));
/// ```
pub fn is_license_path(path: &str) -> bool {
    (path.starts_with("/livesim/") || path.starts_with("/livesim2/"))
        && path.ends_with(&format!("/{LICENSE_FILE}"))
}

/// Adds the ECCP `ContentProtection` elements to every video and audio AdaptationSet of the
/// live MPD. An asset whose MPD already has a Common Encryption descriptor is encrypted
/// already: an error, as in livesim2.
pub(crate) fn protect_mpd(mpd: &mut Mpd, scheme: Scheme, license_url: &str) -> Result<(), Error> {
    for period in &mut mpd.periods {
        for aset in &mut period.adaptation_sets {
            let kind = crate::mpd::listing::content_type(aset).unwrap_or_default();
            if kind != "video" && kind != "audio" {
                continue;
            }
            if aset
                .content_protections
                .iter()
                .chain(
                    aset.representations
                        .iter()
                        .flat_map(|r| &r.content_protections),
                )
                .any(|cp| cp.scheme_id_uri.as_deref() == Some(MP4PROTECTION_SCHEME))
            {
                return Err(Error::NotLiveable {
                    reason: "drm_eccp-: the asset is encrypted already (its MPD has a \
                             urn:mpeg:dash:mp4protection:2011 ContentProtection)",
                });
            }
            aset.content_protections
                .extend(content_protections(scheme, license_url));
        }
    }
    Ok(())
}

/// The two descriptors, as livesim2 writes them.
fn content_protections(scheme: Scheme, license_url: &str) -> [ContentProtection; 2] {
    let mut cenc = ContentProtection {
        scheme_id_uri: Some(MP4PROTECTION_SCHEME.into()),
        value: Some(scheme.fourcc().to_string()),
        ..Default::default()
    };
    cenc.extra.attrs = vec![
        Attr {
            name: "xmlns:cenc".into(),
            value: CENC_NS.into(),
        },
        Attr {
            name: "cenc:default_KID".into(),
            value: uuid(&KID),
        },
    ];
    let mut clearkey = ContentProtection {
        scheme_id_uri: Some(CLEARKEY_SCHEME.into()),
        value: Some("ClearKey1.0".into()),
        ..Default::default()
    };
    clearkey.extra.nodes = vec![Node::Element(Element {
        name: "dashif:Laurl".into(),
        attrs: vec![
            Attr {
                name: "xmlns:dashif".into(),
                value: DASHIF_CPS_NS.into(),
            },
            Attr {
                name: "licenseType".into(),
                value: "EME-1.0".into(),
            },
        ],
        children: vec![Node::Text(license_url.to_string())],
    })];
    [cenc, clearkey]
}

fn protection_err(scheme: Scheme, e: crate::cenc::Error) -> Error {
    Error::Protection {
        scheme: match scheme {
            Scheme::Cenc => "cenc",
            Scheme::Cbcs => "cbcs",
        },
        source: Box::new(e),
    }
}

/// The encryption options for `scheme`, with the `cenc` IV counter of a fragment of
/// Representation `rep_id` starting at `decode_time` (its first sample's).
///
/// `cenc` (AES-CTR) must never use an IV twice under one key, and every stream shares the
/// key: the 8-byte IV is a 16-bit hash of the Representation id (FNV-1a, folded) then the
/// low 48 bits of the decode time, and sample `i` of the fragment uses that plus `i`. Within
/// a Representation, sample `i` starts at or after `decode_time + i` (durations are at least
/// one tick), so IVs never repeat until decode times wrap 2^48 ticks (99 years at 90 kHz).
fn options(scheme: Scheme, rep_id: &str, decode_time: u64) -> EncryptOptions {
    let iv = match scheme {
        Scheme::Cbcs => CBCS_IV,
        Scheme::Cenc => {
            let mut h: u32 = 0x811c_9dc5;
            for b in rep_id.bytes() {
                h ^= u32::from(b);
                h = h.wrapping_mul(0x0100_0193);
            }
            let tag = u64::from((h >> 16) ^ (h & 0xffff));
            let counter = (tag << 48) | (decode_time & 0xffff_ffff_ffff);
            let mut iv = [0u8; 16];
            iv[..8].copy_from_slice(&counter.to_be_bytes());
            iv
        }
    };
    EncryptOptions::new(scheme, content_key(), iv)
}

/// The init segment, protected: `encv`/`enca` with `sinf` and a ClearKey `pssh`.
pub(crate) fn protect_init(bytes: &[u8], scheme: Scheme) -> Result<Vec<u8>, Error> {
    crate::cenc::encrypt(bytes, None, &options(scheme, "", 0))
        .map_err(|e| protection_err(scheme, e))
}

/// A live media segment (or one chunk of it), encrypted: its clear bytes are `parts`, its
/// track's clear init segment `init`. The IV counter starts from its first `tfdt`.
pub(crate) fn protect_media<'a>(
    parts: Vec<Part<'a>>,
    init: &[u8],
    scheme: Scheme,
    rep_id: &str,
) -> Result<Vec<Part<'a>>, Error> {
    let mut clear = Vec::with_capacity(parts.iter().map(|p| p.as_bytes().len()).sum());
    for p in &parts {
        clear.extend_from_slice(p.as_bytes());
    }
    let decode_time = super::segment::vod_tfdt(&clear)?;
    let out = crate::cenc::encrypt(&clear, Some(init), &options(scheme, rep_id, decode_time))
        .map_err(|e| protection_err(scheme, e))?;
    Ok(vec![Part::Owned(out)])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kid_is_livesim2s_and_key_swaps_the_prefix() {
        assert_eq!(uuid(&KID), "2880fe36-e44b-f9bf-79d2-752e234818a5");
        let key = key_for_kid(&KID).unwrap();
        assert_eq!(
            crate::cenc::hex(key.value()),
            "28463e36e44bf9bf79d2752e234818a5"
        );
        // Any KID of ours has its key, others have none.
        let mut other = KID;
        other[15] ^= 1;
        assert_eq!(key_for_kid(&other).unwrap().value()[15], 0xa5 ^ 1);
        other[0] = 0;
        assert!(key_for_kid(&other).is_none());
    }

    #[test]
    fn options_parse() {
        assert_eq!(parse_option("drm", "eccp-cenc"), Ok(Scheme::Cenc));
        assert_eq!(parse_option("drm", "eccp-cbcs"), Ok(Scheme::Cbcs));
        assert_eq!(parse_option("eccp", "cenc"), Ok(Scheme::Cenc));
        assert_eq!(parse_option("eccp", "cbcs"), Ok(Scheme::Cbcs));
        for (k, v) in [
            ("drm", "EZDRM-1-key-cbcs-test"),
            ("drm", "cenc"),
            ("drm", "eccp-cens"),
            ("eccp", "eccp-cenc"),
        ] {
            let e = parse_option(k, v).unwrap_err();
            assert!(matches!(e, Error::UnsupportedOption { .. }), "{k}_{v}");
            assert!(e.to_string().contains("drm_eccp-cenc"), "{e}");
        }
    }

    #[test]
    fn cenc_ivs_differ_by_representation_and_time() {
        let iv = |r: &str, t: u64| options(Scheme::Cenc, r, t).iv;
        assert_ne!(iv("V300", 0)[..8], iv("A48", 0)[..8]);
        assert_ne!(iv("V300", 0)[..8], iv("V300", 180_000)[..8]);
        assert_eq!(iv("V300", 7)[..8], iv("V300", 7)[..8]);
        assert_eq!(options(Scheme::Cbcs, "x", 9).iv, CBCS_IV);
    }

    #[test]
    fn license_urls() {
        assert_eq!(
            license_url("http://h/livesim2/drm_eccp-cbcs/testpic_2s/Manifest.mpd"),
            "http://h/livesim2/drm_eccp-cbcs/testpic_2s/eccp.json"
        );
        // No options: the asset's first directory.
        assert_eq!(
            license_url("http://h/livesim/a/m.mpd"),
            "http://h/livesim/a/eccp.json"
        );
        // An MPD at the top: no directory.
        assert_eq!(
            license_url("http://h/livesim/eccp_cenc/m.mpd"),
            "http://h/livesim/eccp_cenc/eccp.json"
        );
        assert!(is_license_path(&license_url(
            "/livesim/eccp_cenc/a/b/m.mpd"
        )));
    }
}
