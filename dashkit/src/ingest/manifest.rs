//! The ingested MPD as readers get it.

use bytes::Bytes;

/// The ingested MPD with low-latency signalling completed (the server's time endpoint as
/// UTCTiming when it has none, the last chunk's duration as the availabilityTimeOffset
/// basis, 500 ms before any chunk was seen), or as uploaded when it is not an MPD dashkit
/// parses or no time endpoint is known.
pub(crate) fn signal_mpd(bytes: &[u8], chunk_ms: Option<u64>, time_url: Option<&str>) -> Bytes {
    let as_is = || Bytes::copy_from_slice(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return as_is();
    };
    let Ok(mut mpd) = crate::mpd::parse(text) else {
        return as_is();
    };
    let Some(url) = time_url else {
        return as_is();
    };
    let ll = crate::live::lowlatency::LowLatency::new(chunk_ms.unwrap_or(500).max(1), url);
    match crate::live::lowlatency::signal_low_latency(&mut mpd, &ll) {
        Ok(()) => Bytes::from(crate::mpd::write(&mpd)),
        Err(_) => as_is(),
    }
}
