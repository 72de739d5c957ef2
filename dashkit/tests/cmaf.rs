//! The incremental CMAF parser on every packager fixture under `fixtures/dash/`: each init
//! segment followed by each of its media segments (and each on-demand file) is fed whole, at
//! every split position (two pieces), and one byte at a time, and must yield the same events;
//! chunk times and durations agree with the whole-file samples view (`bmff::samples`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use dashkit::bmff::samples::track_samples;
use dashkit::cmaf::{Parser, StreamEvent};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("m4s") | Some("mp4")
        ) {
            out.push(p);
        }
    }
}

/// The init segment that goes with a media segment, if the fixture layout has one.
fn init_for(p: &Path) -> Option<PathBuf> {
    let name = p.file_name()?.to_str()?;
    let dir = p.parent()?;
    if name.starts_with("init") {
        return None;
    }
    if let Some(rest) = name.strip_prefix("chunk-") {
        let rep = rest.split('-').next()?;
        return Some(dir.join(format!("init-{rep}.m4s")));
    }
    let i = dir.join("init.mp4");
    i.exists().then_some(i)
}

/// (name, stream bytes, init length) for every fixture stream.
fn streams() -> Vec<(String, Vec<u8>, usize)> {
    let mut all = Vec::new();
    files(&root(), &mut all);
    all.sort();
    assert!(all.len() > 50, "fixtures missing: {}", all.len());
    all.iter()
        .map(|p| {
            let media = std::fs::read(p).unwrap();
            let init = init_for(p)
                .map(|i| std::fs::read(i).unwrap())
                .unwrap_or_default();
            let name = p.strip_prefix(root()).unwrap().display().to_string();
            (name, [init.clone(), media].concat(), init.len())
        })
        .collect()
}

fn run(data: &[u8], cuts: &[usize]) -> Vec<StreamEvent> {
    let mut p = Parser::new();
    let mut out = Vec::new();
    let mut prev = 0;
    for &c in cuts.iter().chain(std::iter::once(&data.len())) {
        p.push(&data[prev..c]).unwrap();
        out.extend(p.drain());
        prev = c;
    }
    p.finish().unwrap();
    out.extend(p.drain());
    out
}

#[test]
fn chunks_agree_with_the_samples_view() {
    let mut chunks = 0;
    for (name, data, init_len) in streams() {
        let events = run(&data, &[]);
        let init = (init_len > 0).then(|| &data[..init_len]);
        let media = &data[init_len..];
        let tracks = if init.is_some() {
            track_samples(init, media, init_len as u64).unwrap()
        } else {
            track_samples(None, media, 0).unwrap()
        };
        // Every fragment of every track, by moof offset.
        let mut frags: Vec<(u64, u32, u64, u64, usize)> = tracks
            .iter()
            .flat_map(|t| {
                t.fragments.iter().map(move |f| {
                    (
                        f.moof_offset,
                        t.track_id,
                        f.decode_time,
                        f.duration,
                        f.sample_count,
                    )
                })
            })
            .collect();
        frags.sort();
        let mut got = Vec::new();
        let mut end = 0u64;
        for e in &events {
            let r = match e {
                StreamEvent::Box(b) => b.range.clone(),
                StreamEvent::Chunk(c) => {
                    for t in &c.tracks {
                        got.push((
                            c.moof.start,
                            t.track_id,
                            t.decode_time.unwrap(),
                            t.duration,
                            t.sample_count as usize,
                        ));
                        assert!(t.timescale.is_some(), "{name}: timescale from moov");
                    }
                    assert_eq!(c.mdat_payload.end, c.range.end);
                    assert!(
                        c.tracks.iter().map(|t| t.sample_bytes).sum::<u64>()
                            <= c.mdat_payload.end - c.mdat_payload.start
                    );
                    chunks += 1;
                    c.range.clone()
                }
            };
            // Events tile the stream.
            assert_eq!(r.start, end, "{name}");
            end = r.end;
        }
        assert_eq!(end, data.len() as u64, "{name}");
        got.sort();
        assert_eq!(got, frags, "{name}");
    }
    assert!(chunks > 50, "{chunks}");
}

#[test]
fn every_split_and_every_byte_match_whole() {
    let mut seen = std::collections::HashSet::new();
    for (name, data, _) in streams() {
        let whole = run(&data, &[]);
        assert!(!whole.is_empty(), "{name}");
        // Large on-demand files: every 7th position (the rest is covered by the proptest and
        // the segment files, which share their box layouts).
        // Identical streams (ffmpeg_livesim copies ffmpeg_number) are split once.
        if !seen.insert(data.clone()) {
            continue;
        }
        // On-demand files (a whole track each): every 7th position; the segments, which
        // share their box layouts, at every position.
        let step = if data.len() > 60_000 { 7 } else { 1 };
        for cut in (1..data.len()).step_by(step) {
            assert_eq!(run(&data, &[cut]), whole, "{name} split at {cut}");
        }
        let bytes: Vec<usize> = (1..data.len()).collect();
        assert_eq!(run(&data, &bytes), whole, "{name} one byte at a time");
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_multi_splits_match_whole(
            which in 0usize..1000,
            mut cuts in proptest::collection::vec(0.0f64..1.0, 0..40),
        ) {
            let all = streams();
            let (name, data, _) = &all[which % all.len()];
            let mut cuts: Vec<usize> =
                cuts.drain(..).map(|f| (f * data.len() as f64) as usize).collect();
            cuts.sort_unstable();
            prop_assert_eq!(run(data, &cuts), run(data, &[]), "{}", name);
        }
    }
}
