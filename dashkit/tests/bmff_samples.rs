//! The samples view on real files: the progressive input and the DASH segments ffmpeg copied
//! from it (`fixtures/make.sh`: `-c copy`) must give the same samples.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::PathBuf;

use dashkit::bmff::samples::{track_samples, TrackSamples};

fn fixtures_dir() -> PathBuf {
    std::env::var_os("DASHKIT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures"))
}

fn fixture(rel: &str) -> Vec<u8> {
    let p = fixtures_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// (bytes, is_sync, duration, composition offset) of every sample of a track.
fn described(t: &TrackSamples, data: &[u8]) -> Vec<(Vec<u8>, bool, u32, i64)> {
    t.samples
        .iter()
        .map(|s| {
            let a = s.offset as usize;
            (
                data[a..a + s.size as usize].to_vec(),
                s.is_sync,
                s.duration,
                s.composition_offset,
            )
        })
        .collect()
}

#[test]
fn progressive_and_dash_segments_agree_sample_by_sample() {
    let prog = fixture("media/h264_aac.mp4");
    let tracks = track_samples(None, &prog, 0).unwrap();
    assert_eq!(tracks.len(), 2);
    for (rep, track) in [(0usize, &tracks[0]), (1, &tracks[1])] {
        let init = fixture(&format!("dash/ffmpeg_number/init-{rep}.m4s"));
        let mut frag = Vec::new();
        let mut decode_times = Vec::new();
        for n in 1.. {
            let p = fixtures_dir().join(format!("dash/ffmpeg_number/chunk-{rep}-{n:05}.m4s"));
            let Ok(seg) = std::fs::read(&p) else { break };
            let ts = track_samples(Some(&init), &seg, 0).unwrap();
            assert_eq!(ts.len(), 1);
            assert_eq!(ts[0].fragments.len(), 1);
            assert_eq!(ts[0].timescale, track.timescale);
            decode_times.extend(ts[0].samples.iter().map(|s| s.decode_time));
            frag.extend(described(&ts[0], &seg));
        }
        let whole = described(track, &prog);
        assert_eq!(frag.len(), whole.len(), "track {rep}");
        for (k, (a, b)) in frag.iter().zip(&whole).enumerate() {
            assert_eq!(a.0, b.0, "track {rep} sample {k} bytes");
            assert_eq!(a.1, b.1, "track {rep} sample {k} sync");
        }
        // Decode times continue from segment to segment.
        assert!(decode_times.windows(2).all(|w| w[0] < w[1]));
        assert!(
            whole.iter().any(|s| !s.1) || rep == 1,
            "video has non-sync samples"
        );
    }
}

#[test]
fn whole_fragmented_file_with_sidx() {
    let data = fixture("dash/shaka_ondemand/video_144p.mp4");
    let tracks = track_samples(None, &data, 0).unwrap();
    assert_eq!(tracks.len(), 1);
    let t = &tracks[0];
    assert!(t.fragments.len() >= 2);
    assert!(t
        .samples
        .iter()
        .all(|s| s.offset + u64::from(s.size) <= data.len() as u64));
    // Each fragment starts with a sync sample and continues the previous decode time.
    for w in t.fragments.windows(2) {
        assert_eq!(w[0].decode_time + w[0].duration, w[1].decode_time);
    }
    for f in &t.fragments {
        assert!(t.samples[f.first_sample_index].is_sync);
    }
}
