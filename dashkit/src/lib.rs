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
//! | [`analyze`] | dashlivesim vodanalyzer-compatible `.cfg`/`.dat` analysis | `mpd`, `bmff` |
//! | [`live`] | VoD to live: typed options, timing model, availability | `timeline`, `analyze` |
//! | [`timeline`] | exact integer media time: timescales, ticks, rescaling | nothing |
//! | [`mpd`] | the MPD model, parse, write, xs types, templates, segment addressing | `timeline` |
//! | [`bmff`] | ISO-BMFF: zero-copy box index, samples view, in-place rewriting | `timeline` |
//! | [`cmaf`] | incremental CMAF stream parsing: complete boxes and chunks as bytes arrive | `bmff` |
//! | [`validate`] | checks of an MPD with its segments, or of one fMP4: a report of findings | `mpd`, `bmff` |
//! | [`fragment`] | progressive MP4 to fragmented MP4: plan (cuts), init segment, moof headers + input ranges | `bmff`, `timeline` |
//! | [`ingest`] | the ingest origin as a state machine: admission, uploads, readers, windows, store restore | `cmaf`, `live` (MPD signalling) |
//! | [`sniff`] | what a file is from its first bytes (ISO-BMFF, WebM, MPEG-TS, ADTS, ...) | nothing |
//! | [`limits`] | named caps on hostile input | nothing |
//! | [`error`] | [`Error`], the umbrella over every module's error | all |
//!
//! Dependencies point one way: `timeline` <- `mpd`; `timeline` <- `bmff`. Nothing here
//! imports the command-line tool.
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
pub mod cmaf;
pub mod error;
pub mod fragment;
pub mod ingest;
pub mod limits;
pub mod live;
pub mod mpd;
pub mod sniff;
pub mod timeline;
pub mod validate;

pub use error::Error;
