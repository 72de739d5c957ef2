//! Low-latency chunking (`live::chunk`) on the ffmpeg (`ffmpeg_livesim/<rep>/<n>.m4s`) and
//! Shaka Packager (`shaka_live/<rep>/<n>.m4s`) fixtures: the chunks, concatenated, hold the
//! same samples as the VoD segment (durations, sizes, flags, composition offsets, bytes), with
//! contiguous shifted tfdts; each chunk indexes on its own and the incremental parser sees
//! them as chunks; boundaries follow the grid rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use crate::bmff::samples::track_samples;
use crate::bmff::Index;
use crate::cmaf::moof::resolve_moof;
use crate::cmaf::{Parser, StreamEvent};
use crate::live::chunk::{chunk_segment, ChunkSpec};

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/dash")
            .join(p),
    )
    .unwrap()
}

/// (init, segment paths) of every chunkable fixture representation.
fn reps() -> Vec<(String, Vec<String>)> {
    let mut v = Vec::new();
    for rep in ["ffmpeg_livesim/0", "ffmpeg_livesim/1"] {
        v.push((
            format!("{rep}/init.mp4"),
            (1..=5).map(|n| format!("{rep}/{n}.m4s")).collect(),
        ));
    }
    for rep in [
        "shaka_live/audio",
        "shaka_live/video_144p",
        "shaka_live/video_180p",
    ] {
        v.push((
            format!("{rep}/init.mp4"),
            (1..=5).map(|n| format!("{rep}/{n}.m4s")).collect(),
        ));
    }
    v
}

/// Raw sample flags of every moof in `data`, resolved with the init's trex.
fn raw_flags(init: &[u8], data: &[u8]) -> Vec<u32> {
    let iidx = Index::parse(init).unwrap();
    let moov = &iidx.boxes()[iidx.find("moov").unwrap()];
    let d = crate::cmaf::moof::moov_defaults(&init[moov.range()], 0).unwrap();
    let idx = Index::parse(data).unwrap();
    idx.top()
        .filter(|&i| idx.boxes()[i].is(b"moof"))
        .flat_map(|m| {
            resolve_moof(data, &idx, m, &d.trex)
                .unwrap()
                .trafs
                .into_iter()
                .flat_map(|t| t.samples.into_iter().map(|s| s.flags))
        })
        .collect()
}

#[test]
fn chunks_hold_the_segments_samples() {
    let shift = (1u64 << 33) + 12_345;
    let mut total_chunks = 0;
    for (init_p, segs) in reps() {
        let init = fixture(&init_p);
        let ts = track_samples(Some(&init), &[], 0).unwrap()[0]
            .timescale
            .unwrap();
        for seg_p in segs {
            let vod = fixture(&seg_p);
            for chunk_ms in [200u64, 500, 1000, 3000] {
                let spec = ChunkSpec {
                    chunk_duration_ms: chunk_ms,
                    timescale: ts,
                    sequence_number: 777,
                    tfdt_offset_ticks: shift,
                };
                let chunks = chunk_segment(&vod, Some(&init), &spec).unwrap();
                let name = format!("{seg_p} @{chunk_ms}ms");
                let out: Vec<u8> = chunks.iter().flat_map(|c| c.to_vec()).collect();
                // Each chunk stands alone as boxes, with mfhd = the live number.
                for c in &chunks {
                    let b = c.to_vec();
                    let idx = Index::parse(&b).unwrap();
                    let m = idx.find("moof/mfhd").unwrap();
                    let mfhd = crate::bmff::Mfhd::parse(&b[idx.boxes()[m].range()], 0).unwrap();
                    assert_eq!(mfhd.sequence_number, 777, "{name}");
                    assert!(c.sample_count > 0);
                }
                // Same samples (independent reader: bmff::samples).
                let a = &track_samples(Some(&init), &vod, 0).unwrap()[0].samples;
                let b = &track_samples(Some(&init), &out, 0).unwrap()[0].samples;
                assert_eq!(a.len(), b.len(), "{name}");
                for (x, y) in a.iter().zip(b) {
                    assert_eq!(x.decode_time + shift, y.decode_time, "{name}");
                    assert_eq!(
                        (x.duration, x.size, x.composition_offset, x.is_sync),
                        (y.duration, y.size, y.composition_offset, y.is_sync),
                        "{name}"
                    );
                    let xb = &vod[x.offset as usize..x.offset as usize + x.size as usize];
                    let yb = &out[y.offset as usize..y.offset as usize + y.size as usize];
                    assert_eq!(xb, yb, "{name}");
                }
                assert_eq!(raw_flags(&init, &vod), raw_flags(&init, &out), "{name}");
                // Contiguous tfdts; the last chunk ends where the segment does.
                for w in chunks.windows(2) {
                    assert_eq!(w[0].decode_time + w[0].duration_ticks, w[1].decode_time);
                }
                let seg_dur: u64 = a.iter().map(|s| u64::from(s.duration)).sum();
                assert_eq!(chunks.last().unwrap().end_offset_ticks, seg_dur, "{name}");
                // Grid rule: chunk k > 0 starts at the first sample at or after a multiple
                // of the chunk duration, and the sample before it starts before that multiple.
                let grid = |t: u64| u128::from(t) * 1000 / (u128::from(chunk_ms) * u128::from(ts));
                let start = a[0].decode_time;
                let mut i = 0usize;
                for c in &chunks {
                    if i > 0 {
                        assert!(
                            grid(a[i].decode_time - start) > grid(a[i - 1].decode_time - start),
                            "{name}: chunk boundary off the grid at sample {i}"
                        );
                    }
                    i += c.sample_count as usize;
                }
                // Within a chunk no grid point is crossed (except inside one long sample).
                let mut i = 0usize;
                for c in &chunks {
                    let g0 = grid(a[i].decode_time - start);
                    for s in &a[i..i + c.sample_count as usize] {
                        assert_eq!(grid(s.decode_time - start), g0, "{name}");
                    }
                    i += c.sample_count as usize;
                }
                // The first chunk keeps the styp; the incremental parser finds the chunks.
                assert_eq!(&out[4..8], &vod[4..8], "{name}");
                let mut p = Parser::new();
                p.set_init(
                    &init[Index::parse(&init).unwrap().boxes()
                        [Index::parse(&init).unwrap().find("moov").unwrap()]
                    .range()],
                )
                .unwrap();
                p.push(&out).unwrap();
                p.finish().unwrap();
                let parsed: Vec<(u64, u64)> = p
                    .drain()
                    .filter_map(|e| match e {
                        StreamEvent::Chunk(c) => Some((c.decode_time.unwrap(), c.duration)),
                        StreamEvent::Box(_) => None,
                    })
                    .collect();
                let made: Vec<(u64, u64)> = chunks
                    .iter()
                    .map(|c| (c.decode_time, c.duration_ticks))
                    .collect();
                assert_eq!(parsed, made, "{name}");
                total_chunks += chunks.len();
            }
        }
    }
    assert!(total_chunks > 200, "{total_chunks}");
}

#[test]
fn ffmpeg_video_in_500ms_chunks_is_four_chunks_with_end_times() {
    // 25 fps (40 ms frames): the first frame at or after 500 ms starts at 520 ms.
    let init = fixture("ffmpeg_livesim/0/init.mp4");
    let vod = fixture("ffmpeg_livesim/0/2.m4s");
    let spec = ChunkSpec {
        chunk_duration_ms: 500,
        timescale: 12_800,
        sequence_number: 1,
        tfdt_offset_ticks: 0,
    };
    let chunks = chunk_segment(&vod, Some(&init), &spec).unwrap();
    let ends: Vec<u64> = chunks.iter().map(|c| c.end_offset_ms).collect();
    assert_eq!(ends, [520, 1000, 1520, 2000]);
    // Only sample data is borrowed: owned bytes are the moof + mdat header per chunk.
    for c in &chunks {
        let owned: usize = c
            .parts
            .iter()
            .filter_map(|p| match p {
                crate::bmff::patch::Part::Owned(v) => Some(v.len()),
                crate::bmff::patch::Part::Borrowed(_) => None,
            })
            .sum();
        assert!(owned < 2000, "{owned}");
    }
}

#[test]
fn zero_chunk_duration_and_non_segments_are_errors() {
    let vod = fixture("ffmpeg_livesim/0/2.m4s");
    let spec = ChunkSpec {
        chunk_duration_ms: 0,
        timescale: 12_800,
        sequence_number: 1,
        tfdt_offset_ticks: 0,
    };
    assert!(chunk_segment(&vod, None, &spec).is_err());
    let init = fixture("ffmpeg_livesim/0/init.mp4");
    let spec = ChunkSpec {
        chunk_duration_ms: 500,
        ..spec
    };
    assert!(matches!(
        chunk_segment(&init, None, &spec),
        Err(crate::live::Error::NotLiveable { .. })
    ));
    // A truncated segment: the samples run past the end.
    let e = chunk_segment(&vod[..vod.len() - 100], None, &spec).unwrap_err();
    assert!(matches!(e, crate::live::Error::Segment { .. }), "{e:?}");
}
