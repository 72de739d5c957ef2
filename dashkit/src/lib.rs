//! # dashkit
//!
//! MPEG-DASH and fragmented MP4 (CMAF) as a library: bytes and structs in, bytes and structs
//! out. dashkit does no IO: no files, sockets, threads, environment or clock. Where a result
//! depends on the wall clock, "now" is a parameter.
//!
//! ## Map of the crate
//!
//! | module | what it holds | depends on |
//! |---|---|---|
//! | [`analyze`] | dashlivesim vodanalyzer-compatible `.cfg`/`.dat` analysis | `mpd`, `bmff`, `source` |
//! | [`live`] | VoD to live: options, timing model, availability, live MPD, shifted segments, low-latency chunks | `analyze`, `mpd`, `bmff`, `cmaf`, `source`, `timeline`, `limits` |
//! | [`timeline`] | exact integer media time: timescales, ticks, rescaling | nothing |
//! | [`mpd`] | the MPD model, parse, write, xs types, templates, segment addressing | `bmff`, `timeline`, `limits` |
//! | [`bmff`] | ISO-BMFF: zero-copy box index, samples view, in-place rewriting | `limits`, `timeline` |
//! | [`cmaf`] | incremental CMAF stream parsing: complete boxes and chunks as bytes arrive | `bmff`, `limits` |
//! | [`validate`] | checks of an MPD with its segments, or of one fMP4: a report of findings | `mpd`, `bmff`, `hls`, `sniff`, `source`, `limits`, `error` |
//! | [`fragment`] | progressive MP4 to fragmented MP4: plan (cuts), init segment, moof headers + input ranges | `bmff`, `timeline`, `limits` |
//! | [`ingest`] | the ingest origin as a state machine: admission, uploads, readers, windows, store restore | `cmaf`, `bmff`, `mpd`, `live` (MPD signalling), `limits` |
//! | [`origin`] | the whole origin as decisions, for any HTTP server to embed: routing, static VoD files (paths, ranges, types), the live simulator over one `Source` trait, ingest answers, CORS, the asset cache's rules | `live`, `ingest`, `mpd`, `bmff` (`Part`), `source` |
//! | [`hls`] | HLS playlists: model, write, parse; playlists of a static MPD | `mpd`, `bmff`, `source` |
//! | [`source`] | the one [`source::Source`] trait for reading an asset's files (whole or a byte range, and listing) | `mpd` (`ByteRange`) |
//! | [`cenc`] | Common Encryption (`cenc`, `cbcs`) of fragmented files: encrypt and decrypt init and media segments | `bmff` |
//! | [`sniff`] | what a file is from its first bytes (ISO-BMFF, WebM, MPEG-TS, ADTS, ...) | nothing |
//! | [`limits`] | named caps on hostile input | nothing |
//! | [`error`] | [`Error`], the umbrella over every module's error | every module with an error type |
//!
//! Dependencies point one way, with no cycle: `live` -> `analyze` -> `source` -> `mpd` ->
//! `bmff` -> `limits`; `cmaf`, `validate` and `fragment` sit on `bmff`; `timeline` is used by
//! `bmff` (`Timescale`), `mpd`, `fragment`, `live` and `error` only. Nothing here imports the command-line tool. The table is
//! measured from the `crate::` paths in the code; `docs/architecture.md#how-to-re-check-the-graph`
//! has the command that re-measures it.
//!
//! ## Errors
//!
//! Every parser returns a typed error that says where: line, column and element path for XML
//! (`MPD/Period[0]/AdaptationSet[1]/@duration`), absolute byte offset and box path for MP4
//! (`moof/traf[0]/trun[1]`). No input makes dashkit panic.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analyze;
pub mod bmff;
pub mod cenc;
pub mod cmaf;
pub mod error;
pub mod fragment;
pub mod hls;
pub mod ingest;
pub mod limits;
pub mod live;
pub mod mpd;
pub mod origin;
pub mod sniff;
pub mod source;
pub mod timeline;
pub mod validate;

pub use error::Error;
