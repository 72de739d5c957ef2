//! The `.dat` file of dashlivesim's vodanalyzer: segment timing runs of one content type.
//!
//! A flat array of 12-byte little-endian records, no header and no trailer. Each record is a
//! run of consecutive segments with equal duration, like `SegmentTimeline/S` with `@r`:
//!
//! | offset | size | field | meaning |
//! |---|---|---|---|
//! | 0 | 2 | `start_nr` | VoD number of the run's first segment |
//! | 2 | 2 | `repeats` | how many *more* segments follow with the same duration |
//! | 4 | 4 | `start_time` | tfdt of the run's first segment (media timescale) |
//! | 8 | 4 | `duration` | each segment's duration (media timescale) |

use super::Error;

/// One record of a `.dat` file: a run of `repeats + 1` segments of equal duration.
///
/// ```
/// use dashkit::analyze::Run;
/// // The second run of fixtures/golden/analyze/ffmpeg_livesim's video: segments 2 to 5.
/// let run = Run { start_nr: 2, repeats: 3, start_time: 25_874, duration: 25_600 };
/// assert_eq!(run.end_time(), 25_874 + 4 * 25_600);
/// assert_eq!(Run::SIZE, 12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Run {
    /// VoD segment number of the first segment of the run.
    pub start_nr: u16,
    /// Number of additional segments with the same duration (as `S@r`).
    pub repeats: u16,
    /// Decode time (tfdt) of the first segment, in the track timescale.
    pub start_time: u32,
    /// Duration of each segment of the run, in the track timescale.
    pub duration: u32,
}

impl Run {
    /// Size of one record in bytes.
    pub const SIZE: usize = 12;

    /// End of the run: `start_time + duration × (repeats + 1)`, in 64 bits.
    ///
    /// ```
    /// use dashkit::analyze::Run;
    /// // Segment 1 of ffmpeg_livesim's video: one segment of 25 874 ticks from 0.
    /// assert_eq!(Run { start_nr: 1, repeats: 0, start_time: 0, duration: 25_874 }.end_time(), 25_874);
    /// ```
    pub fn end_time(&self) -> u64 {
        u64::from(self.start_time) + u64::from(self.duration) * (u64::from(self.repeats) + 1)
    }
}

/// Encodes runs as a `.dat` file, byte for byte as vodanalyzer writes it.
pub fn write_dat(runs: &[Run]) -> Vec<u8> {
    let mut out = Vec::with_capacity(runs.len() * Run::SIZE);
    for r in runs {
        out.extend_from_slice(&r.start_nr.to_le_bytes());
        out.extend_from_slice(&r.repeats.to_le_bytes());
        out.extend_from_slice(&r.start_time.to_le_bytes());
        out.extend_from_slice(&r.duration.to_le_bytes());
    }
    out
}

/// Decodes a `.dat` file. Its length must be a multiple of 12.
///
/// The records are returned as they are; [`check_runs`] tests their consistency.
pub fn parse_dat(bytes: &[u8]) -> Result<Vec<Run>, Error> {
    if !bytes.len().is_multiple_of(Run::SIZE) {
        return Err(Error::DatLength { len: bytes.len() });
    }
    Ok(bytes
        .chunks_exact(Run::SIZE)
        .map(|c| Run {
            start_nr: u16::from_le_bytes([c[0], c[1]]),
            repeats: u16::from_le_bytes([c[2], c[3]]),
            start_time: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            duration: u32::from_le_bytes([c[8], c[9], c[10], c[11]]),
        })
        .collect())
}

/// Checks that each run starts where the previous one ended, in time and in numbering, as
/// dashlivesim's `parse_dat_file.py` does for time.
#[cfg(test)]
pub fn check_runs(runs: &[Run]) -> Result<(), Error> {
    for (i, w) in runs.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let next_nr = u64::from(a.start_nr) + u64::from(a.repeats) + 1;
        if a.end_time() != u64::from(b.start_time) || next_nr != u64::from(b.start_nr) {
            return Err(Error::DatInconsistent {
                record_index: i + 1,
                expected_start_nr: next_nr,
                found_start_nr: u64::from(b.start_nr),
                expected_start_time: a.end_time(),
                found_start_time: u64::from(b.start_time),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// dashlivesim's `testpic_audio.dat`, first record (docs/live-timing.md#analysis-examples).
    #[test]
    fn upstream_first_record_hex() {
        let r = Run {
            start_nr: 1,
            repeats: 0,
            start_time: 0,
            duration: 288_768,
        };
        assert_eq!(
            write_dat(&[r]),
            [1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x68, 0x04, 0x00]
        );
    }

    /// vodanalyzer's runs for testpic_2s audio (docs/live-timing.md#analysis-examples).
    #[test]
    fn testpic_2s_audio_hex() {
        let runs = [
            Run {
                start_nr: 1,
                repeats: 2,
                start_time: 0,
                duration: 96_256,
            },
            Run {
                start_nr: 4,
                repeats: 0,
                start_time: 288_768,
                duration: 95_232,
            },
        ];
        let hex: String = write_dat(&runs)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "010002000000000000780100040000000068040000740100");
        assert!(check_runs(&runs).is_ok());
    }

    #[test]
    fn bad_length_and_inconsistency() {
        assert!(matches!(
            parse_dat(&[0; 13]),
            Err(Error::DatLength { len: 13 })
        ));
        let runs = [
            Run {
                start_nr: 1,
                repeats: 0,
                start_time: 0,
                duration: 10,
            },
            Run {
                start_nr: 2,
                repeats: 0,
                start_time: 11,
                duration: 10,
            },
        ];
        assert!(matches!(
            check_runs(&runs),
            Err(Error::DatInconsistent {
                record_index: 1,
                expected_start_time: 10,
                found_start_time: 11,
                ..
            })
        ));
    }

    proptest! {
        #[test]
        fn dat_round_trip(v in proptest::collection::vec(any::<(u16, u16, u32, u32)>(), 0..50)) {
            let runs: Vec<Run> = v.into_iter().map(|(a, b, c, d)| Run { start_nr: a, repeats: b, start_time: c, duration: d }).collect();
            prop_assert_eq!(parse_dat(&write_dat(&runs)).unwrap(), runs);
        }
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn run_dat_round_trip() {
        use crate::analyze::dat::{parse_dat, write_dat, Run};
        let runs = [Run {
            start_nr: 1,
            repeats: 2,
            start_time: 0,
            duration: 96_256,
        }];
        let bytes = write_dat(&runs);
        assert_eq!(bytes.len(), 12);
        assert_eq!(parse_dat(&bytes).unwrap(), runs);
    }
}
