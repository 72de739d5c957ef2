//! The fragments of a plan: per track and slot, the moof (mfhd, traf with tfhd, tfdt and one
//! trun) and the mdat header as owned bytes, plus the input ranges that hold the samples.

use super::plan::{FragmentOut, Plan, TrackPlan};
use super::write::{self, BoxWriter};
use std::ops::Range;

use super::Error;
use crate::bmff::boxes::{self, Mfhd, Tfdt, Tfhd, Trun, TrunEntry};
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
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// let numbers: Vec<u32> = plan.fragments().map(|f| f.unwrap().sequence_number).collect();
    /// assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
    /// ```
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
    /// is read twice, once to choose the box layout and once for its trun record, so nothing
    /// is held per sample but that record.
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
        u32::try_from(n).map_err(|_| Error::Overflow {
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

        let tfhd = Tfhd {
            flags: boxes::TFHD_DEFAULT_BASE_IS_MOOF,
            track_id: t.track_id,
            base_data_offset: None,
            sample_description_index: None,
            default_sample_duration: const_duration.then_some(first_duration),
            default_sample_size: None,
            default_sample_flags: default_flags,
        };
        let tfdt = if self.options.no_tfdt {
            None
        } else {
            Some(Tfdt::new(
                decode_time.saturating_add(self.tfdt_start_ticks(t)?),
            ))
        };
        let mut trun_flags = boxes::TRUN_SIZE;
        if !const_duration {
            trun_flags |= boxes::TRUN_DURATION;
        }
        if per_sample_flags {
            trun_flags |= boxes::TRUN_FLAGS;
        }
        if any_cto {
            trun_flags |= boxes::TRUN_CTO;
        }
        // Second walk: the sample records, and the input ranges to copy.
        let mut entries: Vec<TrunEntry> = Vec::with_capacity(n);
        let mut ranges: Vec<Range<u64>> = Vec::new();
        for _ in 0..n {
            let s = cursor.next().ok_or_else(short)?;
            let (d, c, _, _) = Self::timed(t, &s)?;
            entries.push(TrunEntry {
                duration: (!const_duration).then_some(d),
                size: Some(s.size),
                flags: per_sample_flags.then(|| flags_of(&s)),
                composition_offset: any_cto.then_some(c),
            });
            let end = s.offset.saturating_add(u64::from(s.size));
            match ranges.last_mut() {
                Some(r) if r.end == s.offset => r.end = end,
                _ => ranges.push(s.offset..end),
            }
        }
        let mut trun = Trun {
            version,
            flags: trun_flags,
            data_offset: Some(0),
            first_sample_flags: first_flags,
            entries,
        };
        let mfhd = Mfhd {
            sequence_number: sequence,
        };
        // Every size is known from the fields: the data offset (moof + mdat header) too.
        let traf_len =
            8 + tfhd.encoded_len() + tfdt.map_or(0, |d| d.encoded_len()) + trun.encoded_len();
        let moof_len = 8 + mfhd.encoded_len() + traf_len;
        let data_offset = (moof_len as u64).saturating_add(write::mdat_header_len(data_bytes));
        let data_offset = u32::try_from(data_offset).map_err(|_| Error::Overflow {
            what: "trun data_offset",
        })?;
        // The field holds the 32-bit pattern (signed in the spec, never negative here).
        trun.data_offset = Some(data_offset as i32);
        let mut w = BoxWriter::default();
        let moof = w.open(b"moof");
        w.put(|out| mfhd.encode_into(out))?;
        let traf = w.open(b"traf");
        w.put(|out| tfhd.encode_into(out))?;
        if let Some(d) = tfdt {
            w.put(|out| d.encode_into(out))?;
        }
        w.put(|out| trun.encode_into(out))?;
        w.close(traf)?;
        w.close(moof)?;
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
///
/// ```
/// use dashkit::fragment::{plan_fragments, read_input, Options};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
/// // Cut by cut, each track's fragment, with consecutive sequence numbers.
/// let order: Vec<(u32, u32, u32)> = plan.fragments()
///     .map(|f| f.map(|f| (f.track_id, f.number, f.sequence_number)))
///     .take(4)
///     .collect::<Result<_, _>>()
///     .unwrap();
/// assert_eq!(order, [(1, 1, 1), (2, 1, 2), (1, 2, 3), (2, 2, 4)]);
/// ```
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
