//! The ingested MPD as readers get it.

use std::time::Duration;

use bytes::Bytes;

/// The ingested MPD as readers get it: its clock-read times on the `time_step` grid when one
/// is set ([`align_times`]), and low-latency signalling completed (the server's time endpoint
/// as UTCTiming when it has none, the channel's chunk duration as the availabilityTimeOffset
/// basis, 500 ms before any chunk was seen). As uploaded when it is not an MPD dashkit parses,
/// or when neither applies (no step, and no time endpoint known or signalling refused).
pub(crate) fn signal_mpd(
    bytes: &[u8],
    chunk_ms: Option<u64>,
    time_url: Option<&str>,
    time_step: Option<Duration>,
) -> Bytes {
    let as_is = || Bytes::copy_from_slice(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return as_is();
    };
    let Ok(mut mpd) = crate::mpd::parse(text) else {
        return as_is();
    };
    let mut changed = time_step.is_some_and(|step| align_times(&mut mpd, step));
    if let Some(url) = time_url {
        let ll = crate::live::lowlatency::LowLatency::new(chunk_ms.unwrap_or(500).max(1), url);
        let mut signalled = mpd.clone();
        if crate::live::lowlatency::signal_low_latency(&mut signalled, &ll).is_ok() {
            mpd = signalled;
            changed = true;
        }
    }
    if changed {
        Bytes::from(crate::mpd::write(&mpd))
    } else {
        as_is()
    }
}

/// Puts the MPD's times read from the encoder's clock on a grid of `step`:
/// `availabilityStartTime` rounded up (segments become available no earlier than the encoder
/// said), `publishTime` rounded down (it never passes the instant the encoder wrote). Two dash
/// muxers fed the same stream (ffmpeg's `tee`) read their clocks milliseconds apart; on the
/// grid their MPDs agree, unless a grid line falls between the two readings. Whether anything
/// changed; a zero step changes nothing.
pub(crate) fn align_times(mpd: &mut crate::mpd::Mpd, step: Duration) -> bool {
    let step_ns = i128::try_from(step.as_nanos()).unwrap_or(i128::MAX);
    if step_ns == 0 {
        return false;
    }
    let on_grid = |t: &crate::mpd::XsDateTime, up: bool| {
        let n = t.unix_nanos();
        let below = n.div_euclid(step_ns) * step_ns;
        let aligned = if up && below != n {
            below.checked_add(step_ns)?
        } else {
            below
        };
        (aligned != n).then(|| {
            let secs = i64::try_from(aligned.div_euclid(1_000_000_000)).ok()?;
            let nanos = u32::try_from(aligned.rem_euclid(1_000_000_000)).ok()?;
            crate::mpd::XsDateTime::from_unix(secs, nanos)
        })?
    };
    let mut changed = false;
    if let Some(t) = mpd
        .availability_start_time
        .as_ref()
        .and_then(|t| on_grid(t, true))
    {
        mpd.availability_start_time = Some(t);
        changed = true;
    }
    if let Some(t) = mpd.publish_time.as_ref().and_then(|t| on_grid(t, false)) {
        mpd.publish_time = Some(t);
        changed = true;
    }
    changed
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
    if !cap_refresh(&mut mpd) {
        return as_is();
    }
    Bytes::from(crate::mpd::write(&mpd))
}

/// Cuts a dynamic MPD's `minimumUpdatePeriod` to [`REFRESH_NS`] when it is longer or absent;
/// whether it changed.
pub(crate) fn cap_refresh(mpd: &mut crate::mpd::Mpd) -> bool {
    let long = mpd
        .minimum_update_period
        .as_ref()
        .is_none_or(|d| d.to_nanos().map_or(true, |n| n > REFRESH_NS));
    if !mpd.is_dynamic() || !long {
        return false;
    }
    mpd.minimum_update_period = Some(crate::mpd::XsDuration::from_nanos(REFRESH_NS));
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// ffmpeg's MPD head as two `tee` outputs wrote it, 2 ms and 1 ms apart.
    fn mpd(ast: &str, publish: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="{ast}" publishTime="{publish}" minimumUpdatePeriod="PT500S" minBufferTime="PT1.0S">
  <Period id="0" start="PT0.0S">
    <AdaptationSet id="0" contentType="video">
      <Representation id="0" bandwidth="300000" mimeType="video/mp4" codecs="avc1">
        <SegmentTemplate media="chunk-stream$RepresentationID$-$Number%05d$.m4s" initialization="init-stream$RepresentationID$.m4s" duration="1000000" startNumber="1" timescale="1000000"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
"#
        )
        .into_bytes()
    }

    fn times(b: &[u8]) -> (String, String) {
        let m = crate::mpd::parse(std::str::from_utf8(b).unwrap()).unwrap();
        (
            m.availability_start_time.unwrap().as_str().to_string(),
            m.publish_time.unwrap().as_str().to_string(),
        )
    }

    const SECOND: Option<Duration> = Some(Duration::from_secs(1));

    #[test]
    fn tee_outputs_publish_the_same_mpd_on_the_grid() {
        let a = mpd("2026-12-07T21:13:52.508Z", "2026-12-07T21:14:08.548Z");
        let b = mpd("2026-12-07T21:13:52.510Z", "2026-12-07T21:14:08.549Z");
        let url = Some("http://edge/time");
        // As uploaded they differ; on the grid they are the same bytes.
        assert_ne!(
            signal_mpd(&a, Some(40), url, None),
            signal_mpd(&b, Some(40), url, None)
        );
        let (sa, sb) = (
            signal_mpd(&a, Some(40), url, SECOND),
            signal_mpd(&b, Some(40), url, SECOND),
        );
        assert_eq!(sa, sb);
        // availabilityStartTime up (never earlier than the encoder's), publishTime down.
        assert_eq!(
            times(&sa),
            (
                "2026-12-07T21:13:53Z".to_string(),
                "2026-12-07T21:14:08Z".to_string()
            )
        );
        // Without a time endpoint, the times are still aligned.
        assert_eq!(times(&signal_mpd(&a, None, None, SECOND)), times(&sa));
    }

    #[test]
    fn times_already_on_the_grid_and_no_step_leave_the_mpd_as_uploaded() {
        let on = mpd("2026-12-07T21:13:53Z", "2026-12-07T21:14:08Z");
        assert_eq!(&signal_mpd(&on, None, None, SECOND)[..], &on[..]);
        let off = mpd("2026-12-07T21:13:52.508Z", "2026-12-07T21:14:08.548Z");
        assert_eq!(&signal_mpd(&off, None, None, None)[..], &off[..]);
        assert_eq!(
            &signal_mpd(&off, None, None, Some(Duration::ZERO))[..],
            &off[..]
        );
        // A finer grid: 100 ms.
        let mut m = crate::mpd::parse(std::str::from_utf8(&off).unwrap()).unwrap();
        assert!(align_times(&mut m, Duration::from_millis(100)));
        assert_eq!(
            m.availability_start_time.unwrap().as_str(),
            "2026-12-07T21:13:52.600Z"
        );
        assert_eq!(m.publish_time.unwrap().as_str(), "2026-12-07T21:14:08.500Z");
    }
}
