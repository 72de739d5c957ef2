//! `dashkit serve`: a live source server with dashlivesim's URLs
//! (`/livesim/<options>/<asset>/<file>`) over the VoD assets below `--root`, plus the VoD files
//! themselves under `/dash/vod/`, and the ingest origin (`/ingest/`, `/live/`). Every decision
//! is a library call: [`dashkit::origin`] routes each request and answers files, CORS, `/time`
//! and ingest outcomes; [`dashkit::live::source::respond`] and [`dashkit::live::http`] answer
//! live requests; [`dashkit::ingest::Origin`] decides every ingest rule. This module is flags,
//! configuration and the IO around them (hyper on tokio, file reads on blocking threads).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::error::CliError;

pub mod assets;
pub mod body;
pub mod file_cache;
pub mod files;
pub mod handler;
pub mod hls;
pub mod ingest;
mod license;
mod log;
pub mod metrics;

use assets::Assets;
use files::Root;
use handler::State;

/// Arguments of `dashkit serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder whose VoD assets (folders holding an MPD) are served.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8059")]
    pub bind: SocketAddr,
    /// Answer too-early and too-late requests with 404 as dashlivesim does (default: 425 Too
    /// Early and 410 Gone, as livesim2 does).
    #[arg(long)]
    pub dashlivesim_404: bool,
    /// Ignore livesim2's `?nowMS=`/`?nowDate=` testing hook.
    #[arg(long)]
    pub no_now_override: bool,
    /// Hold a live segment request that is at most this many milliseconds early (up to 1000)
    /// and answer it when the segment is available, instead of 425 Too Early (default 0: 425,
    /// as livesim2, so player clock errors stay visible).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1000))]
    pub early_hold_ms: u64,
    /// Check loaded assets every 2 s and reload those whose files changed (SIGHUP reloads all).
    #[arg(long)]
    pub watch: bool,
    /// Access log: a file path, `-` for stderr (default), or `off`.
    #[arg(long, default_value = "-")]
    pub access_log: String,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Megabytes of VoD segment bytes kept in memory across assets.
    #[arg(long, default_value_t = 1024)]
    pub cache_mb: u64,
    /// Turns on the low-latency ingest (`PUT`/`POST`/`DELETE /ingest/<channel>/...`, read back
    /// under `/live/<channel>/...`); encoders send it as `Authorization: Bearer <token>`, as the
    /// password of Basic auth, or as `X-Ingest-Token`.
    #[arg(long)]
    pub ingest_token: Option<String>,
    /// Reads the ingest token from a file (first line).
    #[arg(long, conflicts_with = "ingest_token")]
    pub ingest_token_file: Option<PathBuf>,
    /// A standby encoder's token: accepted, but stored only while the primary is silent.
    #[arg(long)]
    pub standby_token: Option<String>,
    /// Segments each ingested stream keeps (older ones are dropped).
    #[arg(long, default_value_t = 30)]
    pub window: usize,
    /// Seconds a channel lives without uploads or readers.
    #[arg(long, default_value_t = 60)]
    pub channel_keepalive_s: u64,
    /// Megabytes one upload may hold.
    #[arg(long, default_value_t = 64)]
    pub ingest_max_mb: u64,
    /// Seconds without an upload after which the active encoder counts as gone: the oldest
    /// standby (another Basic-auth user name on the same token, or the --standby-token one)
    /// takes over.
    #[arg(long, default_value_t = 5)]
    pub failover_s: u64,
    /// Keeps ingested files (segments, inits, MPDs) under DIR/<channel>/ as they complete and
    /// reloads each channel's window from it at start; a finished channel's folder is a DASH
    /// asset.
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The only channels encoders may publish to (repeatable); others get 404. Default: any
    /// channel name, created on first upload.
    #[arg(long = "ingest-channel", value_name = "NAME")]
    pub ingest_channels: Vec<String>,
    /// An ABR group (repeatable): `NAME=PATTERN[,PATTERN...]`, `*` matching any run of
    /// characters and naming the group, e.g. `*_abr=*_720,*_480,*_360`: channels `x_720`,
    /// `x_480`, `x_360` are also published together as `/live/x_abr/manifest.mpd`, with their
    /// status at `/live/x_abr/status`.
    #[arg(long = "abr", value_name = "RULE")]
    pub abr: Vec<String>,
    /// Redundant origins fed by one encoder (ffmpeg's `tee` muxer): milliseconds of a grid on
    /// which ingested MPDs get their `availabilityStartTime` (rounded up) and `publishTime`
    /// (rounded down), so that every origin publishes the same MPD although each of the
    /// encoder's muxers read its own clock. Give every such origin the same value (1000 is
    /// plenty for muxers a few milliseconds apart). 0: the times as uploaded.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub mpd_time_step_ms: u64,
    /// Seconds to let open requests finish after SIGINT/SIGTERM.
    #[arg(long, default_value_t = 5)]
    pub grace_s: u64,
}

/// Largest request head (request line plus headers) hyper buffers; larger heads get 431.
const MAX_HEAD: usize = 16 << 10;
/// A client must send its request head within this time.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `dashkit serve` until SIGINT or SIGTERM.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let root = Root::new(&args.root).map_err(|source| CliError::Io {
        path: args.root.clone(),
        source,
    })?;
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.enable_all().build()?;
    let listener = rt
        .block_on(TcpListener::bind(args.bind))
        .map_err(|source| CliError::Io {
            path: PathBuf::from(args.bind.to_string()),
            source,
        })?;
    let local = listener.local_addr()?;
    let assets = Arc::new(Assets::new(root, args.cache_mb.saturating_mul(1 << 20)));
    print_banner(out, &local, &assets)?;
    out.flush()?;
    let token = match (&args.ingest_token, &args.ingest_token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(f)) => Some(
            std::fs::read_to_string(f)
                .map_err(|source| CliError::Io {
                    path: f.clone(),
                    source,
                })?
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string(),
        ),
        (None, None) => None,
    };
    if token.as_deref() == Some("") {
        return Err(CliError::Usage("the ingest token is empty".into()));
    }
    if token.is_some() {
        writeln!(
            out,
            "  ingest: PUT http://{local}/ingest/<channel>/<file>, play http://{local}/live/<channel>/<mpd>"
        )?;
    }
    let abr = args
        .abr
        .iter()
        .map(|r| dashkit::ingest::abr::AbrRule::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let metrics = Arc::new(metrics::Metrics::new());
    let ingest = ingest::Ingest::new(
        dashkit::ingest::Config {
            token,
            standby_token: args.standby_token.clone(),
            window: args.window.max(1),
            keepalive: Duration::from_secs(args.channel_keepalive_s),
            max_upload_bytes: args.ingest_max_mb.saturating_mul(1 << 20),
            failover: Duration::from_secs(args.failover_s),
            publishing_points: (!args.ingest_channels.is_empty())
                .then(|| args.ingest_channels.clone()),
            max_channels: dashkit::limits::MAX_INGEST_CHANNELS,
            abr,
            mpd_time_step: (args.mpd_time_step_ms > 0)
                .then(|| Duration::from_millis(args.mpd_time_step_ms)),
        },
        args.store.clone(),
        Arc::clone(&metrics),
    )
    .map_err(|source| CliError::Io {
        path: args.store.clone().unwrap_or_default(),
        source,
    })?;
    let ingest = Arc::new(ingest);
    out.flush()?;
    let state = Arc::new(State {
        ingest,
        assets,
        metrics,
        config: dashkit::origin::Config {
            dashlivesim_404: args.dashlivesim_404,
            allow_now_override: !args.no_now_override,
            early_hold_ms: args.early_hold_ms,
        },
    });
    let logger = log::AccessLog::open(&args.access_log)?;
    let ingest = Arc::clone(&state.ingest);
    rt.block_on(serve(listener, state, logger, args.watch, args.grace_s));
    ingest.close_store();
    let store_errors = ingest.store_errors();
    if store_errors > 0 {
        writeln!(
            out,
            "dashkit serve: {store_errors} ingest store writes failed"
        )?;
    }
    writeln!(out, "dashkit serve: stopped")?;
    Ok(ExitCode::SUCCESS)
}

fn print_banner(out: &mut dyn Write, local: &SocketAddr, assets: &Assets) -> std::io::Result<()> {
    writeln!(
        out,
        "dashkit serve: {} on http://{local}",
        assets.root().path().display()
    )?;
    let mut found = Vec::new();
    find_assets(assets.root().path(), &mut Vec::new(), &mut found);
    found.sort();
    for (dir, mpd) in found.iter().take(20) {
        writeln!(out, "  live: http://{local}/livesim/{dir}/{mpd}")?;
        writeln!(out, "  vod:  http://{local}/dash/vod/{dir}/{mpd}")?;
    }
    if found.len() > 20 {
        writeln!(out, "  ... and {} more assets", found.len() - 20)?;
    }
    if found.is_empty() {
        writeln!(
            out,
            "  no MPD found below the root (assets are folders holding an MPD)"
        )?;
    }
    writeln!(
        out,
        "  options go before the asset: /livesim/tsbd_30/segtimeline_1/<asset>/<mpd>; \
         GET /healthz, /time"
    )
}

/// Folders (up to 4 deep) holding an MPD, with the MPD they serve by default.
fn find_assets(dir: &std::path::Path, rel: &mut Vec<String>, found: &mut Vec<(String, String)>) {
    if rel.len() > 4 || found.len() > 1000 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    let mut mpds: Vec<String> = Vec::new();
    for e in &entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && !name.starts_with('.') {
            rel.push(name);
            find_assets(&e.path(), rel, found);
            rel.pop();
        } else if name.ends_with(".mpd") {
            mpds.push(name);
        }
    }
    if !rel.is_empty() {
        if let Some(m) = dashkit::live::http::default_mpd(&mpds).map(str::to_string) {
            found.push((rel.join("/"), m));
        }
    }
}

async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    logger: log::AccessLog,
    watch: bool,
    grace_s: u64,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_HEAD)
        // Encoders (ffmpeg's PUT) send the last chunk and shut their write side while they
        // wait for the answer: without half-close support hyper would drop the upload.
        .half_close(true)
        .keep_alive(true);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    spawn_reloader(Arc::clone(&state.assets), watch);
    let sweeper = Arc::clone(&state.ingest);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            for c in sweeper.sweep() {
                eprintln!("dashkit serve: channel {c} dropped (no uploads or readers)");
            }
        }
    });
    loop {
        tokio::select! {
            conn = listener.accept() => {
                let (stream, peer) = match conn {
                    Ok(c) => c,
                    Err(_) => {
                        // Out of file descriptors and the like: back off briefly.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                let logger = logger.clone();
                let svc = service_fn(move |req: Request<Incoming>| {
                    let state = Arc::clone(&state);
                    let logger = logger.clone();
                    async move {
                        let started = Instant::now();
                        let line = logger.enabled().then(|| log::RequestLine::of(&req, peer));
                        let resp = handler::handle(state, req).await;
                        if let Some(line) = line {
                            logger.log(line, resp.status().as_u16(), &resp, started.elapsed());
                        }
                        Ok::<_, std::convert::Infallible>(resp)
                    }
                });
                let conn = http.serve_connection(TokioIo::new(stream), svc);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    eprintln!("dashkit serve: shutting down, letting open requests finish");
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(grace_s)) => {
            eprintln!("dashkit serve: grace period over, closing the remaining connections");
        }
    }
}

fn spawn_reloader(assets: Arc<Assets>, watch: bool) {
    #[cfg(unix)]
    {
        let a = Arc::clone(&assets);
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                a.clear();
                eprintln!("dashkit serve: SIGHUP, assets reload on their next request");
            }
        });
    }
    if watch {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            loop {
                tick.tick().await;
                let a = Arc::clone(&assets);
                if let Ok(dropped) = tokio::task::spawn_blocking(move || a.drop_changed()).await {
                    for p in dropped {
                        eprintln!("dashkit serve: {} changed, reloading", p.display());
                    }
                }
            }
        });
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        match (term, int) {
            (Ok(mut t), Ok(mut i)) => {
                tokio::select! {
                    _ = t.recv() => {}
                    _ = i.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
