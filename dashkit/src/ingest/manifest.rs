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

/// Longest `minimumUpdatePeriod` of a channel with several sources: a switch to a standby
/// with another codec configuration adds a Period, which players learn of by refreshing
/// (ffmpeg writes `PT500S` for `$Number$` templates).
pub(crate) const REFRESH_NS: i128 = 2_000_000_000;

/// The MPD with its `minimumUpdatePeriod` cut to [`REFRESH_NS`] when it is dynamic and longer
/// (or absent); as it is otherwise, or when dashkit does not parse it.
pub(crate) fn refresh_often(bytes: &[u8]) -> Bytes {
    let as_is = || Bytes::copy_from_slice(bytes);
    let Some(mut mpd) = std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| crate::mpd::parse(t).ok())
    else {
        return as_is();
    };
    if !mpd.is_dynamic() {
        return as_is();
    }
    let long = mpd
        .minimum_update_period
        .as_ref()
        .is_none_or(|d| d.to_nanos().map_or(true, |n| n > REFRESH_NS));
    if !long {
        return as_is();
    }
    mpd.minimum_update_period = Some(crate::mpd::XsDuration::from_nanos(REFRESH_NS));
    Bytes::from(crate::mpd::write(&mpd))
}
