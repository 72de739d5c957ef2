//! Which part of the origin a request is for, and the answers that need nothing else: the
//! health check, `/time`, CORS preflight, refused methods, over-long targets, malformed paths.

use std::borrow::Cow;

use crate::live::http::{now_from_query, parse_live_path, HttpBody, HttpResponse, LivePath};

use super::files::decode_components;

/// Longest request target (path and query) accepted; longer ones get 414.
pub(crate) const MAX_TARGET_LEN: usize = 4096;

/// Settings that change how requests are routed and answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Answer too-early and too-late live requests with 404, as dashlivesim does, instead of
    /// 425 and 410 (livesim2).
    pub dashlivesim_404: bool,
    /// Honour livesim2's `?nowMS=` / `?nowDate=` testing hook.
    pub allow_now_override: bool,
    /// Hold a live segment request that is at most this early (milliseconds, capped at
    /// [`crate::limits::MAX_EARLY_HOLD_MS`]) and answer it when the segment is available,
    /// instead of 425 ([`crate::live::source::SourceConfig::early_hold_ms`]). 0 (the default)
    /// answers 425 as livesim2 does, so a player's clock error stays visible; a server for real
    /// players, whose clocks are off by some milliseconds, may set a few hundred.
    pub early_hold_ms: u64,
}

impl Default for Config {
    /// livesim2's statuses, with the `now` override honoured.
    fn default() -> Config {
        Config {
            dashlivesim_404: false,
            allow_now_override: true,
            early_hold_ms: 0,
        }
    }
}

/// What routing needs of a request: its head, never its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// The method, as sent (`GET`, `PUT`, ...).
    pub method: &'a str,
    /// The path, percent-encoded as sent.
    pub path: &'a str,
    /// The query, without `?`.
    pub query: Option<&'a str>,
    /// The `Access-Control-Request-Headers` header (CORS preflight).
    pub access_control_request_headers: Option<&'a str>,
}

impl<'a> RequestHead<'a> {
    /// A request head from its method, path, query and `Access-Control-Request-Headers`.
    ///
    /// ```
    /// let head = dashkit::origin::RequestHead::new("GET", "/time", None, None);
    /// assert_eq!(head.target_len(), 5);
    /// ```
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: Option<&'a str>,
        access_control_request_headers: Option<&'a str>,
    ) -> RequestHead<'a> {
        RequestHead {
            method,
            path,
            query,
            access_control_request_headers,
        }
    }

    /// The length of the request target (path, `?` and query).
    pub fn target_len(&self) -> usize {
        self.path.len() + self.query.map_or(0, |q| q.len() + 1)
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Answer with this; nothing else is needed.
    Answer(HttpResponse<'static>),
    /// The live simulator, `/livesim/<options>/<asset>/<file>` asked at `now_ms` (the
    /// request's own instant, or the one its query asked for): see
    /// [`livesim`](super::livesim).
    Livesim {
        /// The options and the components after them.
        path: Box<LivePath>,
        /// The instant the answer is for.
        now_ms: i64,
    },
    /// A static VoD file under `/dash/vod/` or `/vod/`: these components below the root (read
    /// it, then ask [`file_answer`](super::files::file_answer)).
    VodFile(Vec<String>),
    /// An ingest request (any method): the path after `/ingest/`, percent-encoded as sent,
    /// for [`crate::ingest::Origin::admit`].
    Ingest(String),
    /// A read of an ingested file, `/live/<channel>/<file>`: the decoded path for
    /// [`crate::ingest::Origin::open`].
    Live(String),
    /// A ClearKey license request (`POST /livesim/…/eccp.json`, the license URL of a
    /// `drm_eccp-*` MPD): read the body, at most
    /// [`MAX_LICENSE_REQUEST_BYTES`](super::license::MAX_LICENSE_REQUEST_BYTES) (and one byte
    /// more), and answer with [`super::license::answer`].
    License,
}

/// Routes a request arriving at `now_ms` (epoch milliseconds).
///
/// ```
/// use dashkit::origin::{route, Config, RequestHead, Route};
/// let head = |method, path| RequestHead { method, path, query: None, access_control_request_headers: None };
/// let Route::Answer(r) = route(&head("GET", "/healthz"), 0, &Config::default()) else { panic!() };
/// assert_eq!(r.status, 200);
/// assert_eq!(route(&head("GET", "/dash/vod/a/b.mpd"), 0, &Config::default()),
///            Route::VodFile(vec!["a".into(), "b.mpd".into()]));
/// assert_eq!(route(&head("PUT", "/ingest/ch/x.m4s"), 0, &Config::default()),
///            Route::Ingest("ch/x.m4s".into()));
/// let Route::Answer(r) = route(&head("PUT", "/live/ch/x.m4s"), 0, &Config::default()) else { panic!() };
/// assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD, OPTIONS")));
/// ```
pub fn route(req: &RequestHead<'_>, now_ms: i64, config: &Config) -> Route {
    if req.target_len() > MAX_TARGET_LEN {
        return Route::Answer(HttpResponse::text(414, "URI too long"));
    }
    if let Some(rest) = req.path.strip_prefix("/ingest/") {
        return Route::Ingest(rest.to_string());
    }
    let license = crate::live::eccp::is_license_path(req.path);
    match req.method {
        "GET" | "HEAD" => {}
        "POST" if license => return Route::License,
        "OPTIONS" if license => {
            let mut r = preflight(req.access_control_request_headers.or(Some("Content-Type")));
            r.headers[0].1 = "POST, OPTIONS".into();
            return Route::Answer(r);
        }
        "OPTIONS" => return Route::Answer(preflight(req.access_control_request_headers)),
        _ => {
            let mut r = HttpResponse::text(405, "method not allowed");
            r.headers.push(("allow", "GET, HEAD, OPTIONS".into()));
            return Route::Answer(r);
        }
    }
    match req.path {
        "/healthz" => return Route::Answer(HttpResponse::text(200, "ok")),
        "/time" => return Route::Answer(HttpResponse::text(200, iso_time(now_ms))),
        _ => {}
    }
    let comps = match decode_components(req.path) {
        Ok(c) => c,
        Err(e) => return Route::Answer(e.answer()),
    };
    match comps.first().map(String::as_str) {
        Some("livesim") | Some("livesim2") => {
            let now_ms = if config.allow_now_override {
                match now_from_query(req.query) {
                    Ok(n) => n.unwrap_or(now_ms),
                    Err(r) => return Route::Answer(r),
                }
            } else {
                now_ms
            };
            match parse_live_path(&comps[1..]) {
                Ok(path) => Route::Livesim {
                    path: Box::new(path),
                    now_ms,
                },
                Err(r) => Route::Answer(r),
            }
        }
        // MPD patches (patch_), where livesim2 serves them: /patch/livesim2/<options>/<asset>/x.mpp.
        Some("patch")
            if matches!(
                comps.get(1).map(String::as_str),
                Some("livesim" | "livesim2")
            ) =>
        {
            livesim_route(req, &comps[2..], now_ms, config)
        }
        Some("dash") if comps.get(1).map(String::as_str) == Some("vod") => {
            Route::VodFile(comps[2..].to_vec())
        }
        Some("vod") => Route::VodFile(comps[1..].to_vec()),
        Some("live") => Route::Live(comps[1..].join("/")),
        None => Route::Answer(HttpResponse::text(
            200,
            "dashkit serve: /livesim/<options>/<asset>/<mpd or segment>, /dash/vod/<file>, \
             /time, /healthz",
        )),
        _ => Route::Answer(HttpResponse::text(404, "not found")),
    }
}

/// The live simulator's route for the components after its prefix (`/patch/livesim2/` for
/// MPD patches, which the live source answers for `.mpp` files).
fn livesim_route(req: &RequestHead<'_>, comps: &[String], now_ms: i64, config: &Config) -> Route {
    let now_ms = if config.allow_now_override {
        match now_from_query(req.query) {
            Ok(n) => n.unwrap_or(now_ms),
            Err(r) => return Route::Answer(r),
        }
    } else {
        now_ms
    };
    match parse_live_path(comps) {
        Ok(path) => Route::Livesim {
            path: Box::new(path),
            now_ms,
        },
        Err(r) => Route::Answer(r),
    }
}

/// The answer to a CORS preflight: every origin may GET and HEAD, with the headers it asked
/// for (`Range` when it named none), for a day.
fn preflight(asked: Option<&str>) -> HttpResponse<'static> {
    HttpResponse {
        status: 204,
        headers: vec![
            ("access-control-allow-methods", "GET, HEAD, OPTIONS".into()),
            (
                "access-control-allow-headers",
                asked.unwrap_or("Range").to_string().into(),
            ),
            ("access-control-max-age", "86400".into()),
        ],
        body: HttpBody::Parts(Vec::new()),
    }
}

/// `/time`'s body: `now` as an xs:dateTime in UTC with milliseconds (what UTCTiming
/// `http-iso` expects).
pub(crate) fn iso_time(now_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// Headers every answer carries, added once the answer is known: CORS for every origin, a
/// `Date`, and `Content-Length` when the body's length is known and the status has a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// Headers to set, replacing any of the same name.
    pub set: Vec<(&'static str, Cow<'static, str>)>,
    /// Headers to set only when the answer has none of that name.
    pub set_if_absent: Vec<(&'static str, Cow<'static, str>)>,
    /// Whether the body is sent (not for HEAD).
    pub send_body: bool,
}

/// What to add to an answer of `status` whose body is `body_len` bytes (when known), to a
/// request with `method`, at `now_ms`.
///
/// ```
/// let f = dashkit::origin::finish("HEAD", 200, Some(5), 1_302_000);
/// assert!(!f.send_body);
/// assert!(f.set_if_absent.contains(&("content-length", "5".into())));
/// assert!(f.set.contains(&("access-control-allow-origin", "*".into())));
/// assert!(dashkit::origin::finish("GET", 204, Some(0), 0).set_if_absent.iter().all(|(n, _)| *n != "content-length"));
/// ```
pub fn finish(method: &str, status: u16, body_len: Option<u64>, now_ms: i64) -> Finish {
    let mut set_if_absent: Vec<(&'static str, Cow<'static, str>)> =
        vec![("date", crate::live::http::http_date(now_ms).into())];
    if let Some(len) = body_len.filter(|_| !matches!(status, 204 | 304)) {
        set_if_absent.push(("content-length", len.to_string().into()));
    }
    Finish {
        set: vec![
            ("access-control-allow-origin", "*".into()),
            (
                "access-control-expose-headers",
                "Content-Length, Content-Range, Date, Expires, Retry-After".into(),
            ),
        ],
        set_if_absent,
        send_body: method != "HEAD",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn get(path: &str, query: Option<&str>) -> Route {
        let head = RequestHead {
            method: "GET",
            path,
            query,
            access_control_request_headers: None,
        };
        route(&head, 5_000, &Config::default())
    }

    #[test]
    fn routes() {
        assert_eq!(
            get("/vod/a.mp4", None),
            Route::VodFile(vec!["a.mp4".into()])
        );
        assert_eq!(
            get("/live/ch/a%20b.m4s", None),
            Route::Live("ch/a b.m4s".into())
        );
        let Route::Livesim { path, now_ms } = get("/livesim/tsbd_30/a/m.mpd", Some("nowMS=7"))
        else {
            panic!()
        };
        assert_eq!((path.rest.len(), now_ms), (2, 7));
        let Route::Livesim { now_ms, .. } = get("/livesim2/a/m.mpd", None) else {
            panic!()
        };
        assert_eq!(now_ms, 5_000);
        let no_override = Config {
            allow_now_override: false,
            ..Config::default()
        };
        let head = RequestHead {
            method: "GET",
            path: "/livesim/a/m.mpd",
            query: Some("nowMS=soon"),
            access_control_request_headers: None,
        };
        assert!(matches!(
            route(&head, 5, &no_override),
            Route::Livesim { now_ms: 5, .. }
        ));
        for (path, status) in [
            ("/a/../b", 400),
            ("/other", 404),
            ("/", 200),
            ("/time", 200),
        ] {
            let Route::Answer(r) = get(path, None) else {
                panic!("{path}")
            };
            assert_eq!(r.status, status, "{path}");
        }
        let long = format!("/{}", "a".repeat(MAX_TARGET_LEN));
        let Route::Answer(r) = get(&long, None) else {
            panic!()
        };
        assert_eq!(r.status, 414);
    }

    #[test]
    fn preflight_echoes_the_asked_headers() {
        let head = RequestHead {
            method: "OPTIONS",
            path: "/x",
            query: None,
            access_control_request_headers: Some("Range, X-Y"),
        };
        let Route::Answer(r) = route(&head, 0, &Config::default()) else {
            panic!()
        };
        assert_eq!(r.status, 204);
        assert_eq!(r.header("access-control-allow-headers"), Some("Range, X-Y"));
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn iso_time() {
        assert_eq!(
            crate::origin::route::iso_time(1_000_500),
            "1970-01-01T00:16:40.500Z"
        );
    }
}
