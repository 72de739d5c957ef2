//! An axum app with a route of its own (`GET /hello`) that mounts dashkit's whole origin under
//! `/`: the live simulator (`/livesim/...`), VoD files (`/dash/vod/`, `/vod/`), ingest
//! (`/ingest/<channel>/...`), ingested channels (`/live/<channel>/...`), `/time`, `/healthz`.
//! Every decision is a `dashkit::origin` or `dashkit::ingest` call; this file is the IO.
//!
//! `cargo run -p dashkit --example axum_origin -- --bind 127.0.0.1:8080 --root fixtures/dash --ingest-token T`
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use bytes::Bytes;
use dashkit::ingest::{self, Admission, Instant, Opened, Read, UploadRequest};
use dashkit::live::http::{HttpBody, HttpResponse};
use dashkit::origin::livesim::{LiveRequest, Livesim, Source};
use dashkit::origin::{self, files, ingest as answers, RequestHead, Route};
use http_body::{Body as _, Frame};
use tokio::sync::{mpsc, Notify};

/// The origin's state: the live simulator's kept assets and the ingest channels.
struct App {
    disk: Disk,
    config: origin::Config,
    livesim: Mutex<Livesim>,
    ingest: Mutex<ingest::Origin>,
    published: Notify,
    epoch: std::time::Instant,
}

impl App {
    fn now(&self) -> Instant {
        Instant::from_millis(self.epoch.elapsed().as_millis() as u64)
    }
    fn ingest(&self) -> MutexGuard<'_, ingest::Origin> {
        self.ingest.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The files below `--root`, confined to it: the `Source` assets are read through.
#[derive(Clone)]
struct Disk(PathBuf);

impl Source for Disk {
    fn mpd_names(&mut self, dir: &[String]) -> Option<Vec<String>> {
        let names = std::fs::read_dir(self.resolve(dir)?).ok()?;
        let names = names.filter_map(|e| e.ok()?.file_name().into_string().ok());
        Some(names.filter(|n| n.ends_with(".mpd")).collect())
    }
    fn read(&mut self, path: &[String]) -> Option<Vec<u8>> {
        std::fs::read(self.resolve(path)?).ok()
    }
}

impl Disk {
    fn resolve(&self, comps: &[String]) -> Option<PathBuf> {
        files::check_components(comps).ok()?;
        let path = comps.iter().fold(self.0.clone(), |p, c| p.join(c));
        let real = path.canonicalize().ok()?;
        files::confined(&self.0, &real).then_some(real)
    }
}

/// A body fed by a task (timed low-latency chunks, a segment still being ingested).
struct Chan(mpsc::Receiver<Bytes>);

impl http_body::Body for Chan {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.0.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b))))
    }
}

/// A library answer as an axum response; timed chunks are sent as each falls due.
fn respond(r: HttpResponse<'static>) -> Response<Body> {
    let join = |parts: Vec<dashkit::bmff::patch::Part>| {
        parts
            .iter()
            .flat_map(|p| p.as_bytes().to_vec())
            .collect::<Vec<u8>>()
    };
    let body = match r.body {
        HttpBody::Parts(parts) => Body::from(join(parts)),
        HttpBody::Timed(chunks) => {
            let (tx, rx) = mpsc::channel(8);
            let t0 = tokio::time::Instant::now();
            tokio::spawn(async move {
                for c in chunks {
                    tokio::time::sleep_until(t0 + Duration::from_millis(c.delay_ms)).await;
                    if tx.send(Bytes::from(join(c.parts))).await.is_err() {
                        return;
                    }
                }
            });
            Body::new(Chan(rx))
        }
    };
    let mut resp = Response::new(body);
    *resp.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    set(&mut resp, r.headers, false);
    resp
}

/// Sets `headers` on `resp` (only those it lacks, when `if_absent`).
fn set(
    resp: &mut Response<Body>,
    headers: Vec<(&'static str, std::borrow::Cow<str>)>,
    if_absent: bool,
) {
    for (name, value) in headers {
        let Ok(v) = HeaderValue::from_str(&value) else {
            continue;
        };
        if !(if_absent && resp.headers().contains_key(name)) {
            resp.headers_mut().insert(HeaderName::from_static(name), v);
        }
    }
}

/// Every request the app does not route itself.
async fn origin(State(app): State<Arc<App>>, req: Request) -> Response<Body> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    // Owned copies: the body is not `Sync`, so no borrow of the request may cross an await.
    let header = |n: &str| Some(req.headers().get(n)?.to_str().ok()?.to_string());
    let [host, range, cors] = ["host", "range", "access-control-request-headers"].map(header);
    let (method, uri) = (req.method().to_string(), req.uri().clone());
    let (path, query) = (uri.path(), uri.query());
    let head = RequestHead {
        method: &method,
        path,
        query,
        access_control_request_headers: cors.as_deref(),
    };
    let (app2, mut disk) = (Arc::clone(&app), app.disk.clone());
    let mut resp = match origin::route(&head, now, &app.config) {
        Route::Answer(r) => respond(r),
        Route::Livesim { path, now_ms } => {
            let pq = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
            respond(
                blocking(move || {
                    let live = LiveRequest {
                        host: host.as_deref(),
                        path_and_query: &pq,
                    };
                    let mut livesim = app2.livesim.lock().unwrap_or_else(|e| e.into_inner());
                    livesim.answer(&mut disk, &path, now_ms, &live, &app2.config)
                })
                .await,
            )
        }
        Route::VodFile(comps) => respond(
            blocking(move || {
                let Some(path) = disk.resolve(&comps).filter(|p| p.is_file()) else {
                    return files::PathError::NotFound.answer();
                };
                let bytes = std::fs::read(&path).unwrap_or_default(); // whole files: a sketch
                let meta = files::FileMeta {
                    name: &path.to_string_lossy(),
                    len: bytes.len() as u64,
                    modified_ms: None,
                };
                let answer = files::file_answer(&meta, range.as_deref());
                answer.respond(|start, count| {
                    bytes
                        .get(start as usize..(start + count) as usize)
                        .map(<[u8]>::to_vec)
                })
            })
            .await,
        ),
        Route::Ingest(path) => upload(&app, req, &path).await,
        Route::Live(path) => read_live(&app, &path, host.as_deref()),
    };
    // What every answer carries (CORS, Date, Content-Length); no body for HEAD.
    let done = origin::finish(
        &method,
        resp.status().as_u16(),
        resp.body().size_hint().exact(),
        now,
    );
    set(&mut resp, done.set, false);
    set(&mut resp, done.set_if_absent, true);
    if !done.send_body {
        *resp.body_mut() = Body::empty();
    }
    resp
}

/// Runs `f` (file IO) on a blocking thread.
async fn blocking(
    f: impl FnOnce() -> HttpResponse<'static> + Send + 'static,
) -> HttpResponse<'static> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| HttpResponse::text(500, "failed"))
}

/// `/ingest/<path>`: admitted, then fed as the body arrives (readers woken on each chunk).
async fn upload(app: &App, req: Request, path: &str) -> Response<Body> {
    let admission = {
        let (creds, content_length, content_type) =
            answers::request_fields(|n| req.headers().get(n)?.to_str().ok());
        let method = answers::method(req.method().as_str());
        let ask = UploadRequest {
            method,
            path,
            credentials: &creds,
            content_length,
            content_type,
        };
        app.ingest().admit(&ask, app.now())
    };
    let mut up = match admission {
        Admission::Refused(r) => return respond(answers::refusal(&r)),
        Admission::Probe => return respond(answers::outcome(&ingest::Outcome::Probe)),
        Admission::Deleted { .. } => {
            app.published.notify_waiters();
            return respond(answers::deleted());
        }
        Admission::Upload(up) => up,
    };
    let mut body = req.into_body();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let fed = match frame.map(|f| f.into_data()) {
            Ok(Ok(data)) => app
                .ingest()
                .feed(&mut up, data, app.now())
                .map_err(|r| answers::refusal(&r)),
            Ok(Err(_trailers)) => continue,
            Err(e) => Err(answers::broken(&e.to_string())),
        };
        match fed {
            Ok(true) => app.published.notify_waiters(),
            Ok(false) => {}
            Err(answer) => {
                app.ingest().abort(*up, app.now()); // its readers end cleanly
                app.published.notify_waiters();
                return respond(answer);
            }
        }
    }
    let finished = app.ingest().finish(*up, app.now());
    app.published.notify_waiters();
    respond(answers::outcome(&finished.outcome))
}

/// `/live/<path>`: a complete file at once, one being uploaded as its chunks arrive.
fn read_live(app: &Arc<App>, path: &str, host: Option<&str>) -> Response<Body> {
    let time_url = dashkit::live::http::time_url(host);
    let opened = app.ingest().open(path, time_url.as_deref(), app.now());
    let body = match opened {
        Err(r) => return respond(answers::refusal(&r)),
        Ok(Opened::Whole(parts)) => Body::from(parts.concat()),
        Ok(Opened::Streaming(mut reader)) => {
            let (tx, rx) = mpsc::channel(8);
            let app = Arc::clone(app);
            tokio::spawn(async move {
                loop {
                    let woken = app.published.notified();
                    tokio::pin!(woken);
                    woken.as_mut().enable(); // registered before reading: no wake-up is lost
                    let read = app.ingest().read(&mut reader);
                    match read {
                        Read::Data { pieces, last } => {
                            for p in pieces {
                                let _ = tx.send(p).await;
                            }
                            if last || tx.is_closed() {
                                break;
                            }
                        }
                        Read::Wait => {
                            tokio::select! { _ = &mut woken => {}, _ = tx.closed() => break }
                        }
                        Read::End => break,
                    }
                }
                let now = app.now();
                app.ingest().close(reader, now);
            });
            Body::new(Chan(rx))
        }
    };
    let mut resp = Response::new(body);
    set(&mut resp, answers::read_headers(path), false);
    resp
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut bind, mut root, mut token) = ("127.0.0.1:8080".to_string(), ".".to_string(), None);
    let mut args = std::env::args().skip(1);
    while let (Some(flag), Some(value)) = (args.next(), args.next()) {
        match flag.as_str() {
            "--bind" => bind = value,
            "--root" => root = value,
            "--ingest-token" => token = Some(value),
            _ => {
                return Err("usage: axum_origin --bind ADDR --root DIR --ingest-token TOKEN".into())
            }
        }
    }
    let app = Arc::new(App {
        disk: Disk(PathBuf::from(root).canonicalize()?),
        config: origin::Config::default(),
        livesim: Mutex::new(Livesim::new()),
        ingest: Mutex::new(ingest::Origin::new(ingest::Config {
            token,
            ..Default::default()
        })),
        published: Notify::new(),
        epoch: std::time::Instant::now(),
    });
    let sweeper = Arc::clone(&app);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            let now = sweeper.now();
            sweeper.ingest().sweep(now); // channels without uploads or readers
        }
    });
    let router = axum::Router::new().route("/hello", axum::routing::get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router.fallback(origin).with_state(app)).await?;
    Ok(())
}
