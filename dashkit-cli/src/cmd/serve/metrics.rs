//! `/metrics`: the server's counters in the Prometheus text format, kept with the
//! `prometheus-client` crate. The library decides every answer; this counts what was answered
//! (by route and status, how long it took, how many bytes) and samples the ingest origin at
//! each scrape. Names follow livesim2's where they fit (`mpd_requests_total`,
//! `segment_requests_total`, `other_requests_total` by `code`, and their
//! `_request_duration_milliseconds` histograms with livesim2's buckets), all labelled
//! `service="dashkit"`.

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// livesim2's latency buckets, in milliseconds.
const BUCKETS_MS: [f64; 8] = [5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0];

/// A request's labels: the part of the origin that answered it and the status code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteCode {
    /// `livesim`, `live` (ingested), `vod`, `ingest` (uploads), `other`.
    pub route: &'static str,
    /// The HTTP status.
    pub code: u16,
}

/// Latency labels, as livesim2's.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Code {
    code: u16,
}

/// A route's label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: &'static str,
}

type Latency = Family<Code, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    Histogram::new(BUCKETS_MS)
}

/// The ingest origin's state, sampled at each scrape.
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestGauges {
    /// Channels held.
    pub channels: usize,
    /// Streams published across them (`dashkit::ingest::Origin::streams`).
    pub streams: usize,
    /// Bytes of ingested files held in memory.
    pub held_bytes: u64,
}

/// Every counter `serve` keeps.
pub struct Metrics {
    registry: Registry,
    mpd_requests: Family<RouteCode, Counter>,
    segment_requests: Family<RouteCode, Counter>,
    other_requests: Family<RouteCode, Counter>,
    mpd_latency: Latency,
    segment_latency: Latency,
    other_latency: Latency,
    response_bytes: Family<RouteLabel, Counter>,
    too_early: Counter,
    too_late: Counter,
    ingest_channels: Gauge,
    ingest_streams: Gauge,
    ingest_held_bytes: Gauge,
    ingest_received_bytes: Counter,
    ingest_uploads: Counter,
    last_upload_age: Gauge<f64, AtomicU64>,
    waiting_readers: Gauge,
    asset_cache_hits: Counter,
    asset_cache_misses: Counter,
    /// When the last upload completed.
    last_upload: Mutex<Option<Instant>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut root = Registry::default();
        let r = root.sub_registry_with_label(("service".into(), "dashkit".into()));
        let m = Metrics {
            registry: Registry::default(),
            mpd_requests: Family::default(),
            segment_requests: Family::default(),
            other_requests: Family::default(),
            mpd_latency: Latency::new_with_constructor(latency),
            segment_latency: Latency::new_with_constructor(latency),
            other_latency: Latency::new_with_constructor(latency),
            response_bytes: Family::default(),
            too_early: Counter::default(),
            too_late: Counter::default(),
            ingest_channels: Gauge::default(),
            ingest_streams: Gauge::default(),
            ingest_held_bytes: Gauge::default(),
            ingest_received_bytes: Counter::default(),
            ingest_uploads: Counter::default(),
            last_upload_age: Gauge::default(),
            waiting_readers: Gauge::default(),
            asset_cache_hits: Counter::default(),
            asset_cache_misses: Counter::default(),
            last_upload: Mutex::new(None),
        };
        r.register(
            "mpd_requests",
            "MPD requests answered, by route and status code",
            m.mpd_requests.clone(),
        );
        r.register(
            "segment_requests",
            "Segment requests answered, by route and status code",
            m.segment_requests.clone(),
        );
        r.register(
            "other_requests",
            "Other requests answered, by route and status code",
            m.other_requests.clone(),
        );
        r.register(
            "mpd_request_duration_milliseconds",
            "MPD response latency (head ready)",
            m.mpd_latency.clone(),
        );
        r.register(
            "segment_request_duration_milliseconds",
            "Segment response latency (head ready)",
            m.segment_latency.clone(),
        );
        r.register(
            "other_request_duration_milliseconds",
            "Other response latency (head ready)",
            m.other_latency.clone(),
        );
        r.register(
            "response_bytes",
            "Body bytes of answers with a known length, by route",
            m.response_bytes.clone(),
        );
        r.register(
            "refused_too_early",
            "Segment requests refused as too early (425)",
            m.too_early.clone(),
        );
        r.register(
            "refused_too_late",
            "Segment requests refused as too late (410)",
            m.too_late.clone(),
        );
        r.register(
            "ingest_channels",
            "Ingest channels held",
            m.ingest_channels.clone(),
        );
        r.register(
            "ingest_streams",
            "Ingest streams published (numbered streams and CMAF tracks), over all channels",
            m.ingest_streams.clone(),
        );
        r.register(
            "ingest_held_bytes",
            "Bytes of ingested files held in memory",
            m.ingest_held_bytes.clone(),
        );
        r.register(
            "ingest_received_bytes",
            "Upload body bytes received",
            m.ingest_received_bytes.clone(),
        );
        r.register(
            "ingest_uploads",
            "Uploads completed",
            m.ingest_uploads.clone(),
        );
        r.register(
            "ingest_last_upload_age_seconds",
            "Seconds since the last completed upload (-1: none)",
            m.last_upload_age.clone(),
        );
        r.register(
            "ingest_waiting_readers",
            "Readers waiting for a file still being uploaded",
            m.waiting_readers.clone(),
        );
        r.register(
            "asset_cache_hits",
            "Live segment files answered from memory",
            m.asset_cache_hits.clone(),
        );
        r.register(
            "asset_cache_misses",
            "Live segment files read from disk",
            m.asset_cache_misses.clone(),
        );
        Metrics {
            registry: root,
            ..m
        }
    }

    /// Counts one answer: `path` names its kind (by extension, as livesim2), `elapsed_ms` is
    /// the time to its head, `body_len` its length when known.
    pub fn answered(
        &self,
        route: &'static str,
        path: &str,
        code: u16,
        elapsed_ms: f64,
        body_len: Option<u64>,
    ) {
        let labels = RouteCode { route, code };
        let ext = path
            .rsplit_once('.')
            .map_or("", |(_, e)| e)
            .to_ascii_lowercase();
        let (count, time) = match ext.as_str() {
            "mpd" => (&self.mpd_requests, &self.mpd_latency),
            "cmfv" | "cmfa" | "cmft" | "mp4" | "m4s" | "m4a" | "m4t" | "m4v" | "jpg" => {
                (&self.segment_requests, &self.segment_latency)
            }
            _ => (&self.other_requests, &self.other_latency),
        };
        count.get_or_create(&labels).inc();
        time.get_or_create(&Code { code }).observe(elapsed_ms);
        if let Some(n) = body_len {
            self.response_bytes
                .get_or_create(&RouteLabel { route })
                .inc_by(n);
        }
        if matches!(route, "livesim" | "live") {
            match code {
                425 => {
                    self.too_early.inc();
                }
                410 => {
                    self.too_late.inc();
                }
                _ => {}
            }
        }
    }

    /// `n` upload body bytes arrived.
    pub fn received(&self, n: usize) {
        self.ingest_received_bytes.inc_by(n as u64);
    }

    /// An upload completed.
    pub fn uploaded(&self) {
        self.ingest_uploads.inc();
        *self.last_upload.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// A reader starts (`true`) or stops (`false`) waiting for a growing file.
    pub fn waiting(&self, started: bool) {
        if started {
            self.waiting_readers.inc();
        } else {
            self.waiting_readers.dec();
        }
    }

    /// One live answer read `hits` files from memory and `misses` from disk.
    pub fn asset_files(&self, hits: u64, misses: u64) {
        self.asset_cache_hits.inc_by(hits);
        self.asset_cache_misses.inc_by(misses);
    }

    /// The text of `/metrics`, with the ingest origin's gauges sampled now.
    pub fn render(&self, ingest: IngestGauges) -> String {
        self.ingest_channels
            .set(i64::try_from(ingest.channels).unwrap_or(i64::MAX));
        self.ingest_streams
            .set(i64::try_from(ingest.streams).unwrap_or(i64::MAX));
        self.ingest_held_bytes
            .set(i64::try_from(ingest.held_bytes).unwrap_or(i64::MAX));
        let last = *self.last_upload.lock().unwrap_or_else(|e| e.into_inner());
        self.last_upload_age
            .set(last.map_or(-1.0, |t| t.elapsed().as_secs_f64()));
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
