//! An axum app with a route of its own (`GET /hello`) that mounts dashkit's whole origin under
//! `/`: the live simulator (`/livesim/...`), VoD files (`/dash/vod/`, `/vod/`), ingest
//! (`/ingest/<channel>/...`), ingested channels (`/live/<channel>/...`), `/time`, `/healthz`.
//! Every decision is a `dashkit::origin` or `dashkit::ingest` call; this file is the IO. Run:
//! `cargo run -p dashkit --example axum_origin -- --bind 127.0.0.1:8080 --root fixtures/dash --ingest-token T`
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::{path::PathBuf, pin::Pin, sync::Arc, sync::Mutex, sync::MutexGuard};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use bytes::Bytes;
use dashkit::ingest::{self, Admission, Instant, Opened, Read};
use dashkit::live::http::{time_url, HttpBody, HttpResponse};
use dashkit::origin::livesim::{LiveRequest, Livesim, Source};
use dashkit::origin::{self, files, ingest as answers, RequestHead, Route};
use http_body::{Body as _, Frame};
use tokio::sync::{mpsc, Notify};

/// The origin's state: the live simulator's kept assets and the ingest channels.
struct App {
    disk: Disk,
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
struct Disk(PathBuf);

impl Source for &Disk {
    fn list(&mut self, dir: &[String]) -> Option<Vec<String>> {
        let entries = std::fs::read_dir(self.resolve(dir)?).ok()?;
        let names = entries.filter_map(|e| e.ok()?.file_name().into_string().ok());
        Some(names.collect())
    }
    fn read(&mut self, path: &[String]) -> Option<Vec<u8>> {
        std::fs::read(self.resolve(path)?).ok()
    }
}

impl Disk {
    fn resolve(&self, comps: &[String]) -> Option<PathBuf> {
        // Checked components joined onto the canonical root; the real path must stay inside.
        files::check_components(comps).ok()?;
        let path = comps.iter().fold(self.0.clone(), |p, c| p.join(c));
        let real = path.canonicalize().ok()?;
        files::confined(&self.0, &real).then_some(real)
    }
}

type Polled = Poll<Option<Result<Frame<Bytes>, std::convert::Infallible>>>;

/// A body fed by a task (timed low-latency chunks, a segment still being ingested).
struct Chan(mpsc::Receiver<Bytes>);

impl http_body::Body for Chan {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context) -> Polled {
        self.0.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b))))
    }
}

/// A library answer as an axum response; timed chunks are sent as each falls due.
fn respond(r: HttpResponse<'static>) -> Response<Body> {
    let body = match r.body {
        HttpBody::Parts(parts) => Body::from(origin::concat(&parts)),
        HttpBody::Timed(chunks) => {
            let (tx, rx) = mpsc::channel(8);
            let t0 = tokio::time::Instant::now();
            tokio::spawn(async move {
                for c in chunks {
                    tokio::time::sleep_until(t0 + Duration::from_millis(c.delay_ms)).await;
                    let chunk = Bytes::from(origin::concat(&c.parts));
                    if tx.send(chunk).await.is_err() {
                        return; // the client went away
                    }
                }
            });
            Body::new(Chan(rx))
        }
    };
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    set((status, body).into_response(), r.headers, false)
}

/// Sets `headers` on `resp` (only those it lacks, when `if_absent`).
fn set(mut resp: Response<Body>, headers: origin::Headers, if_absent: bool) -> Response<Body> {
    for (name, value) in headers {
        let skip = if_absent && resp.headers().contains_key(name);
        if let (Ok(v), false) = (HeaderValue::from_str(&value), skip) {
            resp.headers_mut().insert(HeaderName::from_static(name), v);
        }
    }
    resp
}

/// Every request the app does not route itself.
async fn origin(State(app): State<Arc<App>>, req: Request) -> Response<Body> {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH);
    let now = since_epoch.map_or(0, |d| d.as_millis() as i64);
    // Owned copies: the body is not `Sync`, so no borrow of the request may cross an await.
    let header = |n: &str| Some(req.headers().get(n)?.to_str().ok()?.to_string());
    let [host, range, cors] = ["host", "range", "access-control-request-headers"].map(header);
    let (method, uri) = (req.method().to_string(), req.uri().clone());
    let config = origin::Config::default(); // livesim2's statuses, `?nowMS=` honoured
    let head = RequestHead::new(&method, uri.path(), uri.query(), cors.as_deref());
    let resp = match origin::route(&head, now, &config) {
        Route::Ingest(path) => upload(&app, req, &path).await,
        Route::Live(path) => read_live(&app, &path, host.as_deref()),
        Route::License => {
            // A ClearKey license request of a drm_eccp-* stream: the body, bounded.
            let limit = origin::license::MAX_LICENSE_REQUEST_BYTES;
            match axum::body::to_bytes(req.into_body(), limit).await {
                Ok(body) => respond(origin::license::answer(&body)),
                Err(_) => respond(HttpResponse::text(413, "license request too large")),
            }
        }
        route => {
            // The rest may read files: on a blocking thread.
            let (app, pq) = (Arc::clone(&app), uri.to_string()); // origin-form: path?query
            let answer = tokio::task::spawn_blocking(move || {
                let live = LiveRequest::new(host.as_deref(), &pq);
                let mut livesim = app.livesim.lock().unwrap_or_else(|e| e.into_inner());
                let (disk, range) = (&mut &app.disk, range.as_deref());
                let answer = livesim.answer_route(disk, route, &live, range, &config);
                answer.unwrap_or(HttpResponse::text(500, "an ingest route"))
            });
            respond(answer.await.unwrap_or(HttpResponse::text(500, "failed")))
        }
    };
    // What every answer carries (CORS, Date, Content-Length); no body for HEAD.
    let (status, len) = (resp.status().as_u16(), resp.body().size_hint().exact());
    let done = origin::finish(&method, status, len, now);
    let mut resp = set(set(resp, done.set, false), done.set_if_absent, true);
    if !done.send_body {
        *resp.body_mut() = Body::empty();
    }
    resp
}

/// `/ingest/<path>`: admitted, then fed as the body arrives (readers woken on each chunk).
async fn upload(app: &App, req: Request, path: &str) -> Response<Body> {
    let (method, now) = (req.method().to_string(), app.now());
    app.ingest().sweep(now); // channels idle past their keep-alive go as uploads arrive
    let header = |n: &str| req.headers().get(n)?.to_str().ok();
    let admission = answers::admit(&mut app.ingest(), &method, path, header, now);
    let mut up = match admission {
        Admission::Upload(up) => up,
        Admission::Refused(r) => return respond(answers::refusal(&r)),
        Admission::Probe => return respond(answers::outcome(&ingest::Outcome::Probe)),
        Admission::Deleted { .. } => {
            app.published.notify_waiters();
            return respond(answers::deleted());
        }
    };
    let (mut body, refused) = (req.into_body(), |r: ingest::Refusal| answers::refusal(&r));
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let fed = match frame.map(|f| f.into_data()) {
            Ok(Ok(data)) => app.ingest().feed(&mut up, data, app.now()).map_err(refused),
            Ok(Err(_trailers)) => continue,
            Err(e) => Err(answers::broken(&e.to_string())),
        };
        match fed {
            Ok(published) if published => app.published.notify_waiters(),
            Ok(_) => {}
            Err(r) => {
                app.ingest().abort(*up, app.now()); // its readers end cleanly
                app.published.notify_waiters();
                return respond(r);
            }
        }
    }
    let finished = app.ingest().finish(*up, app.now());
    app.published.notify_waiters();
    respond(answers::outcome(&finished.outcome))
}

/// `/live/<path>`: a complete file at once, one being uploaded as its chunks arrive.
fn read_live(app: &Arc<App>, path: &str, host: Option<&str>) -> Response<Body> {
    let (url, now, mut headers) = (time_url(host), app.now(), answers::read_headers(path));
    let opened = app.ingest().open(path, url.as_deref(), now);
    let body = match opened {
        Err(r) => return respond(answers::refusal(&r)),
        Ok(Opened::Whole(parts)) => Body::from(parts.concat()),
        Ok(Opened::Streaming(mut reader)) => {
            headers = answers::streaming_read_headers(path); // no-cache, unbuffered
            let (tx, rx) = mpsc::channel(8);
            let app = Arc::clone(app);
            tokio::spawn(async move {
                loop {
                    let w = app.published.notified();
                    tokio::pin!(w);
                    w.as_mut().enable(); // registered before reading: no wake-up is lost
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
                        Read::Wait => tokio::select! { _ = &mut w => {}, _ = tx.closed() => break },
                        Read::End => break,
                    }
                }
                app.ingest().close(reader, app.now());
            });
            Body::new(Chan(rx))
        }
    };
    set(body.into_response(), headers, false)
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
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let app = Arc::new(App {
        disk: Disk(PathBuf::from(root).canonicalize()?),
        livesim: Mutex::new(Livesim::new()),
        ingest: Mutex::new(ingest::Origin::new(ingest::Config {
            token,
            ..Default::default()
        })),
        published: Notify::new(),
        epoch: std::time::Instant::now(),
    });
    let router = axum::Router::new().route("/hello", axum::routing::get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router.fallback(origin).with_state(app)).await?;
    Ok(())
}
