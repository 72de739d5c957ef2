//! The W3C Encrypted Media Extensions ClearKey license exchange (EME §9.1.3 and §9.1.4): a
//! license request names KIDs, `{"kids":["<base64url KID>",…],"type":"temporary"}`; the
//! license answers each with its key as a JSON Web Key,
//! `{"keys":[{"kty":"oct","k":"<base64url key>","kid":"<base64url KID>"}],"type":"temporary"}`.
//! Base64url without padding (RFC 7515 appendix C); padded input and the standard alphabet
//! are accepted too, as livesim2 accepts them.
//!
//! [`license`] is the whole rule, bytes in and bytes out: the caller says which keys it has.
//! Errors say what was wrong with the request and never carry a key.
//!
//! ```
//! use dashkit::cenc::{clearkey::{license, LicenseError}, Key};
//! let key = Key::new([0x9e; 16], [0x11; 16]);
//! let lookup = |kid: &[u8; 16]| (*kid == key.kid()).then(|| key.clone());
//! let req = br#"{"kids":["np6enp6enp6enp6enp6eng"],"type":"temporary"}"#;
//! let answer = String::from_utf8(license(req, lookup).unwrap()).unwrap();
//! assert_eq!(answer, r#"{"keys":[{"k":"EREREREREREREREREREREQ","kid":"np6enp6enp6enp6enp6eng","kty":"oct"}],"type":"temporary"}"#);
//! assert!(matches!(license(b"{}", lookup), Err(LicenseError::NoKids)));
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::Key;
use crate::limits::{MAX_LICENSE_KIDS, MAX_LICENSE_REQUEST_BYTES};

/// Why a license request was refused. No variant carries key material (a KID is not secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LicenseError {
    /// The body is larger than [`MAX_LICENSE_REQUEST_BYTES`].
    #[error("license request of {bytes} bytes (at most {max})")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The bound.
        max: usize,
    },
    /// The body is not JSON.
    #[error("license request is not JSON (line {line}, column {column})")]
    BadJson {
        /// Where (1-based).
        line: usize,
        /// Where (1-based).
        column: usize,
    },
    /// The JSON is not an object with a `kids` array of strings (and an optional string
    /// `type`).
    #[error("license request: {what}")]
    BadRequest {
        /// What is wrong.
        what: &'static str,
    },
    /// `kids` is empty.
    #[error("license request names no KID")]
    NoKids,
    /// More KIDs than [`MAX_LICENSE_KIDS`].
    #[error("license request names {count} KIDs (at most {max})")]
    TooManyKids {
        /// How many.
        count: usize,
        /// The bound.
        max: usize,
    },
    /// A KID that is not base64url of 16 bytes.
    #[error("license request: KID {index} is not base64url of 16 bytes")]
    BadKid {
        /// Its index in `kids`.
        index: usize,
    },
    /// A KID the server has no key for.
    #[error("no key for KID {kid}")]
    UnknownKid {
        /// The KID, lowercase hex.
        kid: String,
    },
}

/// Decodes one KID: base64url (or standard base64), padded or not, of exactly 16 bytes.
fn decode_kid(s: &str) -> Option<[u8; 16]> {
    if s.len() > 24 {
        return None;
    }
    let url: String = s
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(url).ok()?.try_into().ok()
}

/// The license for `request` (a W3C ClearKey license request's body): every KID it names
/// with its key from `key_for`, in request order, duplicates once. Any KID without a key
/// refuses the whole request.
pub fn license(
    request: &[u8],
    key_for: impl Fn(&[u8; 16]) -> Option<Key>,
) -> Result<Vec<u8>, LicenseError> {
    if request.len() > MAX_LICENSE_REQUEST_BYTES {
        return Err(LicenseError::TooLarge {
            bytes: request.len(),
            max: MAX_LICENSE_REQUEST_BYTES,
        });
    }
    let v: serde_json::Value =
        serde_json::from_slice(request).map_err(|e| LicenseError::BadJson {
            line: e.line(),
            column: e.column(),
        })?;
    let obj = v.as_object().ok_or(LicenseError::BadRequest {
        what: "not a JSON object",
    })?;
    if obj.get("type").is_some_and(|t| !t.is_string()) {
        return Err(LicenseError::BadRequest {
            what: "\"type\" is not a string",
        });
    }
    let kids = match obj.get("kids") {
        None => return Err(LicenseError::NoKids),
        Some(k) => k.as_array().ok_or(LicenseError::BadRequest {
            what: "\"kids\" is not an array",
        })?,
    };
    if kids.is_empty() {
        return Err(LicenseError::NoKids);
    }
    if kids.len() > MAX_LICENSE_KIDS {
        return Err(LicenseError::TooManyKids {
            count: kids.len(),
            max: MAX_LICENSE_KIDS,
        });
    }
    let mut keys: Vec<serde_json::Value> = Vec::with_capacity(kids.len());
    let mut seen: Vec<[u8; 16]> = Vec::with_capacity(kids.len());
    for (index, k) in kids.iter().enumerate() {
        let kid = k
            .as_str()
            .and_then(decode_kid)
            .ok_or(LicenseError::BadKid { index })?;
        if seen.contains(&kid) {
            continue;
        }
        seen.push(kid);
        let key = key_for(&kid).ok_or_else(|| LicenseError::UnknownKid {
            kid: super::hex(&kid),
        })?;
        keys.push(serde_json::json!({
            "kty": "oct",
            "k": URL_SAFE_NO_PAD.encode(key.value()),
            "kid": URL_SAFE_NO_PAD.encode(kid),
        }));
    }
    let answer = serde_json::json!({ "keys": keys, "type": "temporary" });
    serde_json::to_vec(&answer).map_err(|_| LicenseError::BadRequest {
        what: "the answer could not be written",
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ours(kid: &[u8; 16]) -> Option<Key> {
        crate::live::eccp::key_for_kid(kid)
    }

    #[test]
    fn dashif_example_kid_decodes() {
        // livesim2's test vector: nrQFDeRLSAKTLifXUIPiZg is 9eb4050de44b4802932e27d75083e266.
        assert_eq!(
            crate::cenc::hex(&decode_kid("nrQFDeRLSAKTLifXUIPiZg").unwrap()),
            "9eb4050de44b4802932e27d75083e266"
        );
        // Padded and standard-alphabet forms of the same KID.
        assert!(decode_kid("nrQFDeRLSAKTLifXUIPiZg==").is_some());
        let std = base64::engine::general_purpose::STANDARD.encode([0xfb; 16]);
        assert_eq!(decode_kid(&std), Some([0xfb; 16]));
    }

    #[test]
    fn eccp_license_answers_every_kid_with_its_key() {
        let kid = URL_SAFE_NO_PAD.encode(crate::live::eccp::KID);
        let req = format!(r#"{{"kids":["{kid}","{kid}"],"type":"temporary"}}"#);
        let out: serde_json::Value =
            serde_json::from_slice(&license(req.as_bytes(), ours).unwrap()).unwrap();
        assert_eq!(out["type"], "temporary");
        let keys = out["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1, "a duplicate KID is answered once");
        assert_eq!(keys[0]["kty"], "oct");
        assert_eq!(keys[0]["kid"], kid.as_str());
        let k = URL_SAFE_NO_PAD
            .decode(keys[0]["k"].as_str().unwrap())
            .unwrap();
        assert_eq!(crate::cenc::hex(&k), "28463e36e44bf9bf79d2752e234818a5");
    }

    #[test]
    fn bad_requests_are_typed_and_carry_no_key() {
        let cases: Vec<(Vec<u8>, LicenseError)> = vec![
            (
                b"not json".to_vec(),
                LicenseError::BadJson { line: 1, column: 1 },
            ),
            (
                b"[]".to_vec(),
                LicenseError::BadRequest {
                    what: "not a JSON object",
                },
            ),
            (
                br#"{"kids":"x"}"#.to_vec(),
                LicenseError::BadRequest {
                    what: "\"kids\" is not an array",
                },
            ),
            (
                br#"{"kids":[],"type":"temporary"}"#.to_vec(),
                LicenseError::NoKids,
            ),
            (
                br#"{"kids":["AAAA"]}"#.to_vec(),
                LicenseError::BadKid { index: 0 },
            ),
            (
                br#"{"kids":[1]}"#.to_vec(),
                LicenseError::BadKid { index: 0 },
            ),
            (
                br#"{"kids":["AAAAAAAAAAAAAAAAAAAAAA"]}"#.to_vec(),
                LicenseError::UnknownKid {
                    kid: "0".repeat(32),
                },
            ),
            (
                br#"{"kids":["KID"],"type":7}"#.to_vec(),
                LicenseError::BadRequest {
                    what: "\"type\" is not a string",
                },
            ),
        ];
        for (req, want) in cases {
            let got = license(&req, ours).unwrap_err();
            let got = match got {
                LicenseError::BadJson { .. } => LicenseError::BadJson { line: 1, column: 1 },
                g => g,
            };
            assert_eq!(got, want, "{}", String::from_utf8_lossy(&req));
            assert!(!got.to_string().contains("28463e"));
        }
        let big = vec![b' '; MAX_LICENSE_REQUEST_BYTES + 1];
        assert!(matches!(
            license(&big, ours),
            Err(LicenseError::TooLarge { .. })
        ));
        let many = format!(
            r#"{{"kids":[{}]}}"#,
            vec![r#""AAAAAAAAAAAAAAAAAAAAAA""#; MAX_LICENSE_KIDS + 1].join(",")
        );
        assert!(matches!(
            license(many.as_bytes(), ours),
            Err(LicenseError::TooManyKids { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = license(&body, ours);
        }
    }
}
