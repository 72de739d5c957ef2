//! The fragments of a plan: per track and slot, the moof (mfhd, traf with tfhd, tfdt and one
//! trun) and the mdat header as owned bytes, plus the input ranges that hold the samples.

use super::plan::{FragmentOut, Plan, TrackPlan};
use super::write::{self, BoxWriter};
use std::ops::Range;

use super::Error;
use crate::bmff::boxes;
use crate::bmff::samples::Sample;
use crate::bmff::stbl::Samples;

/// Sync sample flags: sample_depends_on = 2 (depends on no other sample), §8.8.3.1.
const SYNC_FLAGS: u32 = 0x0200_0000;
/// Non-sync video: depends_on = 1, sample_is_non_sync_sample = 1.
const NON_SYNC_VIDEO_FLAGS: u32 = 0x0101_0000;
/// Non-sync other: sample_is_non_sync_sample = 1.
const NON_SYNC_FLAGS: u32 = 0x0001_0000;

impl<'a> Plan<'a> {
    /// Every fragment, slot by slot: the anchor's first, then the other tracks in order. Empty
    /// fragments are skipped.
    pub fn fragments(&self) -> Fragments<'_, 'a> {
        let mut order: Vec<usize> = vec![self.anchor];
        order.extend((0..self.tracks.len()).filter(|&i| i != self.anchor));
        Fragments {
            plan: self,
            order,
            slot: 0,
            pos: 0,
            sequence: self.options.sequence_number_start,
            numbers: vec![0; self.tracks.len()],
            cursors: self.tracks.iter().map(TrackPlan::samples).collect(),
        }
    }

    pub(super) fn tfdt_start_ticks(&self, t: &TrackPlan<'a>) -> Result<u64, Error> {
        let v = i128::from(self.options.tfdt_start_ms) * i128::from(t.timescale) / 1000;
        u64::try_from(v).map_err(|_| Error::Overflow { what: "tfdt_start" })
    }

    /// Output duration, composition offset and decode times (start, end) of one sample.
    fn timed(t: &TrackPlan<'a>, s: &Sample) -> Result<(u32, i64, i128, i128), Error> {
        let dts = i128::from(s.decode_time);
        let d0 = t.out_time(dts)?;
        let d1 = t.out_time(dts + i128::from(s.duration))?;
        let duration = u32::try_from(d1 - d0).map_err(|_| Error::Overflow {
            what: "sample duration",
        })?;
        let c = if t.timescale == t.in_timescale {
            i128::from(s.composition_offset)
        } else {
            t.out_time(dts + i128::from(s.composition_offset))? - d0
        };
        let cto = i64::try_from(c).map_err(|_| Error::Overflow {
            what: "composition offset",
        })?;
        Ok((duration, cto, d0, d1))
    }

    /// Builds the fragment of track `ti` in `slot`; `cursor` walks that track's samples and is
    /// left after the fragment's last sample (fragments of a track come in order). Each sample
    /// is read twice, once to choose the box layout and once to write it, so nothing is held
    /// per sample but the output bytes.
    fn fragment(
        &self,
        ti: usize,
        slot: usize,
        cursor: &mut Samples<'a>,
        number: u32,
        sequence: u32,
    ) -> Result<FragmentOut, Error> {
        let t = &self.tracks[ti];
        let (a, b) = match (t.bounds.get(slot), t.bounds.get(slot + 1)) {
            (Some(&a), Some(&b)) if a < b && b <= t.stats.count => (a, b),
            _ => {
                return Err(Error::Overflow {
                    what: "fragment bounds",
                })
            }
        };
        if cursor.index() > a {
            *cursor = t.samples();
        }
        cursor.skip_to(a);
        let n = b - a;
        let count = u32::try_from(n).map_err(|_| Error::Overflow {
            what: "trun sample_count",
        })?;
        let video = t.is_video();
        let flags_of = |s: &Sample| {
            if s.is_sync {
                SYNC_FLAGS
            } else if video {
                NON_SYNC_VIDEO_FLAGS
            } else {
                NON_SYNC_FLAGS
            }
        };
        let short = || Error::Overflow {
            what: "fragment bounds",
        };
        // First walk: what the boxes must carry.
        let mut first_duration = 0u32;
        let mut const_duration = true;
        let (mut f0, mut f1) = (0u32, 0u32);
        let (mut all_same, mut rest_same) = (true, true);
        let (mut any_cto, mut min_cto) = (false, i64::MAX);
        let mut data_bytes: u64 = 0;
        let (mut start, mut end) = (0i128, 0i128);
        let mut scan = cursor.clone();
        for k in 0..n {
            let s = scan.next().ok_or_else(short)?;
            let (d, c, d0, d1) = Self::timed(t, &s)?;
            let f = flags_of(&s);
            if k == 0 {
                first_duration = d;
                f0 = f;
                start = d0;
            } else {
                const_duration &= d == first_duration;
                all_same &= f == f0;
                if k == 1 {
                    f1 = f;
                } else {
                    rest_same &= f == f1;
                }
            }
            end = d1;
            any_cto |= c != 0;
            min_cto = min_cto.min(c);
            data_bytes = data_bytes.saturating_add(u64::from(s.size));
        }
        // Flag mode: all the same -> tfhd default; first differs, rest same -> first_sample_flags.
        let (default_flags, first_flags, per_sample_flags) = if all_same {
            (Some(f0), None, false)
        } else if rest_same {
            (Some(f1), Some(f0), false)
        } else {
            (None, None, true)
        };
        let negative = min_cto < 0;
        let version: u8 = if self.options.trun_version_zero || !negative {
            0
        } else {
            1
        };
        if version == 0 && negative {
            return Err(Error::NegativeCompositionOffset {
                track_id: t.track_id,
                sample_number: (a + 1) as u64,
                offset: min_cto,
            });
        }
        let decode_time = u64::try_from(start).map_err(|_| Error::Overflow {
            what: "decode time",
        })?;
        let duration = u64::try_from(end - start).map_err(|_| Error::Overflow {
            what: "fragment duration",
        })?;

        let mut w = BoxWriter::default();
        let moof = w.open(b"moof");
        write::mfhd(&mut w, sequence)?;
        let traf = w.open(b"traf");
        let mut tfhd_flags = boxes::TFHD_DEFAULT_BASE_IS_MOOF;
        if const_duration {
            tfhd_flags |= boxes::TFHD_DEFAULT_DURATION;
        }
        if default_flags.is_some() {
            tfhd_flags |= boxes::TFHD_DEFAULT_FLAGS;
        }
        let tfhd = w.open_full(b"tfhd", 0, tfhd_flags);
        w.u32(t.track_id);
        if const_duration {
            w.u32(first_duration);
        }
        if let Some(f) = default_flags {
            w.u32(f);
        }
        w.close(tfhd)?;
        if !self.options.no_tfdt {
            write::tfdt(
                &mut w,
                decode_time.saturating_add(self.tfdt_start_ticks(t)?),
            )?;
        }
        let mut trun_flags = boxes::TRUN_DATA_OFFSET | boxes::TRUN_SIZE;
        if !const_duration {
            trun_flags |= boxes::TRUN_DURATION;
        }
        if first_flags.is_some() {
            trun_flags |= boxes::TRUN_FIRST_SAMPLE_FLAGS;
        }
        if per_sample_flags {
            trun_flags |= boxes::TRUN_FLAGS;
        }
        if any_cto {
            trun_flags |= boxes::TRUN_CTO;
        }
        let trun = w.open_full(b"trun", version, trun_flags);
        w.u32(count);
        let data_offset_at = w.len();
        w.u32(0);
        if let Some(f) = first_flags {
            w.u32(f);
        }
        // Second walk: the sample records, and the input ranges to copy.
        let mut ranges: Vec<Range<u64>> = Vec::new();
        for _ in 0..n {
            let s = cursor.next().ok_or_else(short)?;
            let (d, c, _, _) = Self::timed(t, &s)?;
            if !const_duration {
                w.u32(d);
            }
            w.u32(s.size);
            if per_sample_flags {
                w.u32(flags_of(&s));
            }
            if any_cto {
                w.u32(c as u32);
            }
            let end = s.offset.saturating_add(u64::from(s.size));
            match ranges.last_mut() {
                Some(r) if r.end == s.offset => r.end = end,
                _ => ranges.push(s.offset..end),
            }
        }
        w.close(trun)?;
        w.close(traf)?;
        w.close(moof)?;
        let data_offset = (w.len() as u64).saturating_add(write::mdat_header_len(data_bytes));
        w.patch_u32(
            data_offset_at,
            u32::try_from(data_offset).map_err(|_| Error::Overflow {
                what: "trun data_offset",
            })?,
        );
        let mut header = w.into_bytes();
        write::mdat_header(&mut header, data_bytes)?;
        Ok(FragmentOut {
            track_id: t.track_id,
            number,
            sequence_number: sequence,
            decode_time,
            duration,
            header,
            ranges,
        })
    }
}

/// Iterator over a plan's fragments (see [`Plan::fragments`]).
#[derive(Debug)]
pub struct Fragments<'p, 'a> {
    plan: &'p Plan<'a>,
    order: Vec<usize>,
    slot: usize,
    pos: usize,
    sequence: u32,
    numbers: Vec<u32>,
    cursors: Vec<Samples<'a>>,
}

impl Iterator for Fragments<'_, '_> {
    type Item = Result<FragmentOut, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.slot >= self.plan.slot_count() {
                return None;
            }
            let Some(&ti) = self.order.get(self.pos) else {
                self.pos = 0;
                self.slot += 1;
                continue;
            };
            self.pos += 1;
            let t = &self.plan.tracks[ti];
            let empty = match (t.bounds.get(self.slot), t.bounds.get(self.slot + 1)) {
                (Some(a), Some(b)) => a >= b,
                _ => true,
            };
            if empty {
                continue;
            }
            self.numbers[ti] = self.numbers[ti].saturating_add(1);
            let seq = self.sequence;
            self.sequence = self.sequence.wrapping_add(1);
            let cursor = self.cursors.get_mut(ti)?;
            return Some(
                self.plan
                    .fragment(ti, self.slot, cursor, self.numbers[ti], seq),
            );
        }
    }
}
