//! The ClearKey license server of the live simulator's `drm_eccp-*` streams: a `POST` to the
//! license URL their MPD names (`…/eccp.json`, [`crate::live::eccp::license_url`]) with a W3C
//! ClearKey license request gets the keys ([`crate::cenc::clearkey::license`], keys from
//! [`crate::live::eccp::key_for_kid`]). The server reads at most
//! [`MAX_LICENSE_REQUEST_BYTES`] of the body (one more to see that it is longer).
//!
//! ```
//! use dashkit::origin::license::answer;
//! let r = answer(br#"{"kids":["KID-not-base64"]}"#);
//! assert_eq!(r.status, 400);
//! let r = answer(br#"{"kids":["KID-NuRL-b950nUuI0gYpQ"],"type":"temporary"}"#);
//! assert_eq!((r.status, r.header("content-type")), (200, Some("application/json")));
//! ```

use crate::cenc::clearkey::{license, LicenseError};
use crate::live::eccp::key_for_kid;
use crate::live::http::{HttpBody, HttpResponse};

pub use crate::limits::MAX_LICENSE_REQUEST_BYTES;

/// The answer to a license request whose body is `body`: 200 with the license JSON, 413 for a
/// body over [`MAX_LICENSE_REQUEST_BYTES`], 404 for a KID without a key, 400 for any other
/// malformed request (the message says what, never a key). Never cached.
pub fn answer(body: &[u8]) -> HttpResponse<'static> {
    match license(body, key_for_kid) {
        Ok(json) => HttpResponse {
            status: 200,
            headers: vec![
                ("content-type", "application/json".into()),
                ("cache-control", "no-store".into()),
            ],
            body: HttpBody::Parts(vec![crate::bmff::patch::Part::Owned(json)]),
        },
        Err(e) => {
            let status = match e {
                LicenseError::TooLarge { .. } => 413,
                LicenseError::UnknownKid { .. } => 404,
                _ => 400,
            };
            let mut r = HttpResponse::text(status, e.to_string());
            r.headers.push(("cache-control", "no-store".into()));
            r
        }
    }
}
