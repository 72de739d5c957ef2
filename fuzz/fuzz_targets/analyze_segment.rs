//! The analyzer's segment readers on arbitrary bytes, driven through the public entry point
//! (`analyze::analyze` over an in-memory source): the input as the init segment, then as the
//! one media segment after a real init (track count, mdhd, trex; tfdt, trun durations).
//! Nothing panics.
#![no_main]

use dashkit::analyze::analyze;
use dashkit::source::WholeFiles;
use libfuzzer_sys::fuzz_target;

/// One video Representation, one 2 s segment: `0/init.mp4` and `0/1.m4s`.
const MPD: &str = r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011"><Period id="p0" start="PT0S"><AdaptationSet contentType="video" mimeType="video/mp4" segmentAlignment="true"><SegmentTemplate timescale="90000" duration="180000" startNumber="1" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/><Representation id="0" bandwidth="100000" codecs="avc1.64001e"/></AdaptationSet></Period></MPD>"#;

/// A real init segment (ffmpeg), so the media run reaches the segment readers.
const INIT: &[u8] = include_bytes!("../../fixtures/dash/ffmpeg_livesim/0/init.mp4");

fuzz_target!(|data: &[u8]| {
    for init in [data, INIT] {
        let mut source = WholeFiles(|url: &str| match url {
            "0/init.mp4" => Some(init.to_vec()),
            "0/1.m4s" => Some(data.to_vec()),
            _ => None,
        });
        let _ = analyze(MPD, "fuzz", &mut source);
    }
});
