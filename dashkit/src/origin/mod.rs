//! The whole origin as decisions: what `dashkit serve` answers, in a form any Rust HTTP
//! server can embed. No socket, file or clock here: a server passes a request's head and
//! `now`, and gets back a decision to carry out.
//!
//! - [`route`]: a request head (method, path, query) at `now` becomes a [`Route`]: an answer
//!   ready to send (health, `/time`, CORS preflight, 404, 405, 414, a malformed path), or the
//!   part of the origin that answers it:
//!   - [`Route::Livesim`]: the live simulator over the VoD assets below the root
//!     (`/livesim/<options>/<asset>/<file>`); [`livesim::Livesim::answer`] gives the answer,
//!     asking a [`livesim::Source`] for the directory listings and files it needs (or a server
//!     makes the same library calls itself, as `serve` does with its shared cache);
//!   - [`Route::VodFile`]: a static file below the root (`/dash/vod/`, `/vod/`): the server
//!     stats it (the components were checked by [`files::decode_components`]; a canonical
//!     path must be [`files::confined`] in the root) and [`files::file_answer`] says what to
//!     send (whole, a range, or 416) with which headers;
//!   - [`Route::Ingest`]: an upload for [`crate::ingest::Origin::admit`], answered with
//!     [`ingest::refusal`], [`ingest::outcome`] or [`ingest::deleted`];
//!   - [`Route::Live`]: a read of an ingested file, [`crate::ingest::Origin::open`], sent with
//!     [`ingest::read_headers`];
//!   - [`Route::License`]: a ClearKey license request of a `drm_eccp-*` stream (a `POST` to
//!     `/livesim/…/eccp.json`), answered from its body by [`license::answer`].
//! - [`cache`]: which files a server keeps in memory and how it sees that an asset changed.
//! - [`revalidate`]: 304 Not Modified for a cache revalidating an answer (ETag,
//!   Last-Modified); docs/caching.md has every answer's cache lifetime.
//! - [`finish`]: what every answer carries (CORS, `Date`, `Content-Length`) and whether the
//!   body is sent (not for HEAD).
//!
//! The answers are [`HttpResponse`]s: a status, lower-case header names and values, and a body
//! of parts (or, for low-latency segments, chunks each due at its own delay). A server maps
//! them onto its own types.
//!
//! ## Embedding
//!
//! A server's handler, in outline (`dashkit/examples/axum_origin.rs` is a complete one, on
//! axum):
//!
//! ```
//! use dashkit::origin::{finish, route, Config, RequestHead, Route};
//! use dashkit::live::http::HttpBody;
//!
//! let config = Config::default();
//! let head = RequestHead { method: "GET", path: "/healthz", query: None,
//!     access_control_request_headers: None };
//! let now_ms = 1_700_000_000_000; // the server reads its clock
//! let answer = match route(&head, now_ms, &config) {
//!     Route::Answer(r) => r,
//!     Route::Livesim { .. } => todo!("Livesim::answer over a Source, on a blocking thread"),
//!     Route::VodFile(_) => todo!("stat the file, then files::file_answer, then read the span"),
//!     Route::Ingest(_) => todo!("ingest::Origin::admit, feed the body, finish"),
//!     Route::Live(_) => todo!("ingest::Origin::open, then read until End"),
//!     Route::License => todo!("read the body (bounded), then license::answer"),
//! };
//! let HttpBody::Parts(parts) = &answer.body else { unreachable!() };
//! let len: usize = parts.iter().map(|p| p.as_bytes().len()).sum();
//! let done = finish(head.method, answer.status, Some(len as u64), now_ms);
//! assert_eq!(answer.status, 200);
//! assert!(done.send_body);
//! assert!(done.set.contains(&("access-control-allow-origin", "*".into())));
//! ```
//!
//! [`HttpResponse`]: crate::live::http::HttpResponse

pub mod cache;
pub mod files;
pub mod ingest;
pub mod license;
pub mod livesim;
pub mod revalidate;
mod route;

pub use route::{finish, iso_time, route, Config, Finish, RequestHead, Route, MAX_TARGET_LEN};

use std::borrow::Cow;

use crate::bmff::patch::Part;

/// Header names (lower case) and values, as every answer here carries them.
pub type Headers = Vec<(&'static str, Cow<'static, str>)>;

/// The bytes of `parts`, in order, in one buffer (for a server that does not send parts
/// with vectored writes).
///
/// ```
/// use dashkit::bmff::patch::Part;
/// assert_eq!(dashkit::origin::concat(&[Part::Owned(b"ab".to_vec()), Part::Borrowed(b"c")]), b"abc");
/// ```
pub fn concat(parts: &[Part<'_>]) -> Vec<u8> {
    parts.iter().flat_map(Part::as_bytes).copied().collect()
}
