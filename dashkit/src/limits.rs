//! Named caps on hostile input. A count read from the input is checked against the bytes
//! that remain and against one of these before it sizes anything.

/// Deepest box nesting the ISO-BMFF walker descends into.
pub const MAX_BOX_DEPTH: usize = 16;

/// Deepest XML element nesting the MPD parser accepts.
pub const MAX_XML_DEPTH: usize = 64;

/// Largest MPD document accepted, in bytes (64 MiB).
pub const MAX_MPD_BYTES: usize = 64 * 1024 * 1024;

/// Most segments one Representation may enumerate to (e.g. a `@r` expansion); about 11 years
/// of 1 s segments. Larger requests are errors rather than allocations.
pub const MAX_SEGMENTS: u64 = 400_000_000;

/// Most segments one Representation's listing materialises ([`crate::mpd::listing::list_segments`],
/// hence `segments` and `validate`): about 100 bytes each, so at most ~100 MB. Counting a plan
/// is bounded by [`MAX_SEGMENTS`] and allocates nothing; a listing larger than this (say an
/// `@duration` that forgot its timescale, `timescale="90000" duration="2"` over two hours: 324
/// million segments) is an error instead of gigabytes. 11.5 days of 1 s segments.
pub const MAX_LISTED_SEGMENTS: u64 = 1_000_000;

/// Widest `%0[width]d` format tag a URL template may ask for (ISO/IEC 23009-1 §5.3.9.4.4); a
/// u64 has at most 20 digits, so wider only pads.
pub const MAX_TEMPLATE_WIDTH: u32 = 64;

/// Most samples one `trun` may declare when its records carry no bytes (every field from
/// defaults), so the count cannot be checked against the bytes present.
pub const MAX_SAMPLES_PER_RUN: u64 = 1 << 20;

/// Most samples one track may have when the count cannot be checked against bytes (a constant
/// `stsz` sample size).
pub const MAX_SAMPLES_PER_TRACK: u64 = 1 << 24;

/// Most elements one MPD may hold (a 24-hour SegmentTimeline of 1 s segments is ~86,400).
pub const MAX_XML_ELEMENTS: u64 = 4_000_000;

/// Most attributes one XML element may carry.
pub const MAX_XML_ATTRIBUTES: usize = 1024;

/// Most VoD media segments per Representation a live asset reads (`live::asset`).
pub const MAX_LIVE_VOD_SEGMENTS: u64 = 100_000;

/// Most `ftyp`/`styp` brands the validator reads (a real box lists a handful; a hostile one
/// could list millions, and brands are compared one against another).
pub const MAX_BRANDS: usize = 256;

/// Largest non-`mdat` top-level box the incremental CMAF parser (`cmaf::Parser`) buffers
/// whole (16 MiB): a `moof` of a million samples with four trun fields is 16 MB; init
/// segments and event boxes are far smaller.
pub const MAX_CMAF_BOX_BYTES: u64 = 16 * 1024 * 1024;

/// Largest `mdat` payload the incremental CMAF parser accepts (4 GiB). It is counted, never
/// buffered, so this bounds only how far one chunk may run; a server stores the bytes and may
/// cap them lower.
pub const MAX_CMAF_MDAT_BYTES: u64 = 1 << 32;

/// Most bytes an ingest upload keeps of its beginning (up to its first CMAF chunk) to read its
/// init segment's `moov` and its `styp` brands (16 MiB, the largest box the CMAF parser buffers).
pub const MAX_INGEST_HEAD_BYTES: usize = 16 * 1024 * 1024;

/// Most channels an ingest origin holds at once.
pub const MAX_INGEST_CHANNELS: usize = 1000;

/// Largest HLS playlist the parser accepts, in bytes (16 MiB: a media playlist of a 24-hour
/// window of 1 s segments with byte ranges and program dates is about 10 MB).
pub const MAX_HLS_PLAYLIST_BYTES: usize = 16 * 1024 * 1024;

/// Most lines one HLS playlist may have (blank lines and comments included).
pub const MAX_HLS_LINES: usize = 2_000_000;

/// Most tags (`#EXT...` lines) one HLS playlist may have, unknown tags included.
pub const MAX_HLS_TAGS: usize = 1_000_000;

/// Most attributes one HLS attribute list (`NAME=VALUE,...`) may carry.
pub const MAX_HLS_ATTRIBUTES: usize = 256;

/// Most segments one live HLS media playlist lists (`tsbd_` over the segment duration): a
/// day of 1 s segments. A longer timeshift window is refused rather than written.
pub const MAX_HLS_LIVE_WINDOW_SEGMENTS: usize = 86_400;

/// Most CMAF chunks of one ingested segment recorded as low-latency HLS parts (a 64 MiB upload
/// of 100-byte chunks would otherwise record 600,000): 1,000 is a 10 s segment of chunks of a
/// frame at 100 fps. A segment with more is listed whole, without parts.
pub const MAX_INGEST_CHUNKS_PER_SEGMENT: usize = 1_000;

/// Shortest CMAF chunk (but a segment's last) an ingested rendition's low-latency HLS lists as
/// a part, in milliseconds. Chunks of one frame (40 ms of 25 fps video, 21 ms of AAC) would be
/// 25 to 50 parts a second per rendition, each a blocking playlist reload and a part request:
/// hls.js out of low-latency mode aborts its own held reloads against such a playlist (the
/// ffmpeg `-streaming 1` default, measured in `hls_player.rs`). Such a channel keeps the plain
/// playlists until chunks are grouped into parts.
pub const MIN_HLS_PART_MS: u64 = 100;

/// Longest a server holds a blocking playlist reload (`_HLS_msn`, `_HLS_part`, rfc8216bis
/// §6.2.5.2) of an ingested channel before answering 503, when three target durations (the
/// draft's bound) are longer: a client may ask for at most the segment after the next (further
/// is a 400), so with segments up to 4 s this is never the binding bound; it caps what a
/// misconfigured stream can make a connection wait.
pub const MAX_HLS_BLOCKING_RELOAD_MS: u64 = 12_000;

/// Longest a server holds a reader's request for the next segment of an ingested stream
/// before answering 404 ([`crate::ingest::Refusal::NotYet`]): longer than a typical segment
/// (2 s) plus an encoder's upload jitter, short enough that a player's own timeout is not hit.
pub const NEXT_SEGMENT_HOLD_MS: u64 = 4_000;

/// Most languages one `timesubsstpp_` or `timesubswvtt_` live option may list (one generated
/// subtitle AdaptationSet each).
pub const MAX_TIMESUBS_LANGUAGES: usize = 16;

/// Longest a live-simulator media request that comes too early may be held until its segment
/// may be fetched (`live::source::SourceConfig::early_hold_ms`): a player's clock a little
/// ahead, not a request for a segment still being produced.
pub const MAX_EARLY_HOLD_MS: u64 = 1_000;

/// Largest ClearKey license request body accepted, in bytes (64 KiB: a W3C EME request names
/// a few KIDs of 22 characters each).
pub const MAX_LICENSE_REQUEST_BYTES: usize = 64 * 1024;

/// Most KIDs one ClearKey license request may name.
pub const MAX_LICENSE_KIDS: usize = 64;

/// Most top-level boxes the analysis walks in one media segment (a day of one-frame CMAF
/// chunks at 25 fps, moof and mdat each, is 4.3 million): past it the segment is an error, so a
/// [`crate::source::Source`] that ignores the range it is asked for cannot keep the walk going.
pub const MAX_SEGMENT_TOP_BOXES: u64 = 1 << 23;

/// Most bytes of non-`mdat` boxes the analysis gathers from one media segment (256 MiB).
pub const MAX_SEGMENT_HEADER_BYTES: usize = 256 << 20;

/// Most entries one H.264 slice header's `ref_pic_list_modification()` list or
/// `dec_ref_pic_marking()` may hold before its end marker (§7.3.3.1, §7.3.3.3). A real header
/// lists at most one per reference (32) plus a handful; each entry takes at least one bit, so
/// the NAL unit's length bounds the loop too.
pub const MAX_SLICE_HEADER_LOOP: usize = 100;
