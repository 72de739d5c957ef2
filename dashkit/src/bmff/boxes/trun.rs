//! `trun`: track run (§8.8.8), with the sample defaulting chain.

use super::*;

/// `trun` flag: data_offset present.
pub const TRUN_DATA_OFFSET: u32 = 0x001;
/// `trun` flag: first_sample_flags present.
pub const TRUN_FIRST_SAMPLE_FLAGS: u32 = 0x004;
/// `trun` flag: per-sample duration.
pub const TRUN_DURATION: u32 = 0x100;
/// `trun` flag: per-sample size.
pub const TRUN_SIZE: u32 = 0x200;
/// `trun` flag: per-sample flags.
pub const TRUN_FLAGS: u32 = 0x400;
/// `trun` flag: per-sample composition time offset.
pub const TRUN_CTO: u32 = 0x800;

/// One `trun` record; absent fields come from tfhd/trex defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrunEntry {
    /// `sample_duration`.
    pub duration: Option<u32>,
    /// `sample_size`.
    pub size: Option<u32>,
    /// `sample_flags`.
    pub flags: Option<u32>,
    /// `sample_composition_time_offset` (u32 in v0, i32 in v1).
    pub composition_offset: Option<i64>,
}

/// `trun` (§8.8.8): a run of samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trun {
    /// 0 or 1 (v1: signed composition offsets).
    pub version: u8,
    /// tr_flags.
    pub flags: u32,
    /// `data_offset`, relative to the traf's data base.
    pub data_offset: Option<i32>,
    /// `first_sample_flags`.
    pub first_sample_flags: Option<u32>,
    /// One record per sample (`sample_count` of them).
    pub entries: Vec<TrunEntry>,
}

impl Trun {
    /// Decodes a whole `trun` box; `sample_count` is checked against the bytes present.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, version, flags) = full_box(data, offset, b"trun", path!(b"trun"), 1)?;
        let count = r.u32()?;
        let data_offset = opt(flags & TRUN_DATA_OFFSET != 0, || r.i32())?;
        let first_sample_flags = opt(flags & TRUN_FIRST_SAMPLE_FLAGS != 0, || r.u32())?;
        let rec = 4 * (flags & 0xF00).count_ones() as u64;
        let n = if rec == 0 {
            // Records carry no bytes: nothing bounds the count but the cap.
            let max = crate::limits::MAX_SAMPLES_PER_RUN;
            if u64::from(count) > max {
                return Err(r.err(ErrorKind::TooMany {
                    field: "trun.sample_count",
                    count: u64::from(count),
                    max,
                }));
            }
            count as usize
        } else {
            r.check_count("trun.sample_count", u64::from(count), rec)?
        };
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let duration = opt(flags & TRUN_DURATION != 0, || r.u32())?;
            let size = opt(flags & TRUN_SIZE != 0, || r.u32())?;
            let sflags = opt(flags & TRUN_FLAGS != 0, || r.u32())?;
            let composition_offset = opt(flags & TRUN_CTO != 0, || {
                if version == 0 {
                    r.u32().map(i64::from)
                } else {
                    r.i32().map(i64::from)
                }
            })?;
            entries.push(TrunEntry {
                duration,
                size,
                flags: sflags,
                composition_offset,
            });
        }
        Ok(Trun {
            version,
            flags,
            data_offset,
            first_sample_flags,
            entries,
        })
    }

    /// Duration, size and flags of record `n` after the defaulting chain (§8.8.8): the
    /// record's own field, then the tfhd default, then the trex default; `first_sample_flags`
    /// comes first for record 0. `None` when there is no record `n`.
    ///
    /// ```
    /// use dashkit::bmff::{Tfhd, Trex, Trun, TrunEntry};
    /// let trun = Trun { version: 0, flags: 0, data_offset: None, first_sample_flags: Some(0),
    ///     entries: vec![TrunEntry { size: Some(9), ..TrunEntry::default() }; 2] };
    /// let tfhd = Tfhd { flags: 0x08, track_id: 1, base_data_offset: None,
    ///     sample_description_index: None, default_sample_duration: Some(512),
    ///     default_sample_size: None, default_sample_flags: None };
    /// let trex = Trex { default_sample_flags: 0x0001_0000, ..Trex::default() };
    /// assert_eq!(trun.resolved(0, &tfhd, &trex), Some((512, 9, 0)));
    /// assert_eq!(trun.resolved(1, &tfhd, &trex), Some((512, 9, 0x0001_0000)));
    /// ```
    pub fn resolved(&self, n: usize, tfhd: &Tfhd, trex: &Trex) -> Option<(u32, u32, u32)> {
        Some((
            self.sample_duration(n, tfhd, Some(trex))?,
            self.sample_size(n, tfhd, Some(trex))?,
            self.sample_flags(n, tfhd, Some(trex))?,
        ))
    }

    /// Duration of record `n` through the defaulting chain (trun, then tfhd, then trex); `None` when there is no record `n` or
    /// no value anywhere in the chain (no trex given).
    pub fn sample_duration(&self, n: usize, tfhd: &Tfhd, trex: Option<&Trex>) -> Option<u32> {
        let e = self.entries.get(n)?;
        defaulted(
            e.duration,
            tfhd.default_sample_duration,
            trex.map(|t| t.default_sample_duration),
        )
    }

    /// Size of record `n` through the defaulting chain (trun, then tfhd, then trex) (see [`Trun::sample_duration`]).
    pub fn sample_size(&self, n: usize, tfhd: &Tfhd, trex: Option<&Trex>) -> Option<u32> {
        let e = self.entries.get(n)?;
        defaulted(
            e.size,
            tfhd.default_sample_size,
            trex.map(|t| t.default_sample_size),
        )
    }

    /// Flags of record `n`: `first_sample_flags` for record 0, then the defaulting chain (trun, then tfhd, then trex) (see
    /// [`Trun::sample_duration`]).
    pub fn sample_flags(&self, n: usize, tfhd: &Tfhd, trex: Option<&Trex>) -> Option<u32> {
        let e = self.entries.get(n)?;
        let first = if n == 0 {
            self.first_sample_flags
        } else {
            None
        };
        defaulted(
            first.or(e.flags),
            tfhd.default_sample_flags,
            trex.map(|t| t.default_sample_flags),
        )
    }

    /// The tr_flags written: the stored per-sample field flags, with data_offset and
    /// first_sample_flags presence set from the fields.
    pub fn encoded_flags(&self) -> u32 {
        let mut f = self.flags & !(TRUN_DATA_OFFSET | TRUN_FIRST_SAMPLE_FLAGS);
        if self.data_offset.is_some() {
            f |= TRUN_DATA_OFFSET;
        }
        if self.first_sample_flags.is_some() {
            f |= TRUN_FIRST_SAMPLE_FLAGS;
        }
        f
    }

    /// Encoded length in bytes, from the fields present and the per-sample flags.
    pub fn encoded_len(&self) -> usize {
        let rec = 4 * (self.flags & 0xF00).count_ones() as usize;
        16 + self.data_offset.map_or(0, |_| 4)
            + self.first_sample_flags.map_or(0, |_| 4)
            + rec * self.entries.len()
    }

    /// Appends the encoded box to `out` (flags from [`Trun::encoded_flags`]). Every record
    /// must carry each field the flags select; composition offsets must fit u32 (version 0)
    /// or i32 (version 1).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let flags = self.encoded_flags();
        let count = u32::try_from(self.entries.len())
            .map_err(|_| overflow(b"trun", "trun.sample_count", self.entries.len() as u64))?;
        put_full_header(out, b"trun", self.encoded_len(), self.version, flags)?;
        out.extend_from_slice(&count.to_be_bytes());
        if let Some(d) = self.data_offset {
            out.extend_from_slice(&d.to_be_bytes());
        }
        if let Some(f) = self.first_sample_flags {
            out.extend_from_slice(&f.to_be_bytes());
        }
        let absent =
            |field: &'static str| Error::new(0, "trun", ErrorKind::BadField { field, value: 0 });
        for e in &self.entries {
            for (bit, v, field) in [
                (TRUN_DURATION, e.duration, "trun.sample_duration absent"),
                (TRUN_SIZE, e.size, "trun.sample_size absent"),
                (TRUN_FLAGS, e.flags, "trun.sample_flags absent"),
            ] {
                if flags & bit != 0 {
                    out.extend_from_slice(&v.ok_or_else(|| absent(field))?.to_be_bytes());
                }
            }
            if flags & TRUN_CTO != 0 {
                let c = e
                    .composition_offset
                    .ok_or_else(|| absent("trun.sample_composition_time_offset absent"))?;
                let word = if self.version == 0 {
                    u32::try_from(c).ok()
                } else {
                    i32::try_from(c).ok().map(|c| c as u32)
                }
                .ok_or_else(|| {
                    overflow(b"trun", "trun.sample_composition_time_offset", c as u64)
                })?;
                out.extend_from_slice(&word.to_be_bytes());
            }
        }
        Ok(())
    }
}

/// Where a run's first sample starts: the data base plus the trun's signed `data_offset`;
/// `None` below 0 or past 2^64.
pub fn run_start(base: u64, data_offset: i32) -> Option<u64> {
    u64::try_from(i128::from(base) + i128::from(data_offset)).ok()
}

/// The defaulting chain of one sample field (§8.8.8, §8.8.7, §8.8.3): the trun record's own
/// value, else the tfhd default, else the trex default.
pub fn defaulted(record: Option<u32>, tfhd: Option<u32>, trex: Option<u32>) -> Option<u32> {
    record.or(tfhd).or(trex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::testbox::full;

    #[test]
    fn trun_v0_v1_and_bounds() {
        let mut body = 2u32.to_be_bytes().to_vec();
        body.extend_from_slice(&(-8i32).to_be_bytes());
        body.extend_from_slice(&0x0200_0000u32.to_be_bytes());
        for (d, s, c) in [(512u32, 100u32, 0xFFFF_FC00u32), (512, 200, 1024)] {
            body.extend_from_slice(&d.to_be_bytes());
            body.extend_from_slice(&s.to_be_bytes());
            body.extend_from_slice(&c.to_be_bytes());
        }
        let b = full(b"trun", 1, 0xB05, &body);
        let t = Trun::parse(&b, 0).unwrap();
        assert_eq!(t.data_offset, Some(-8));
        assert_eq!(t.first_sample_flags, Some(0x0200_0000));
        assert_eq!(t.entries[0].composition_offset, Some(-1024));
        assert_eq!(t.entries[1].size, Some(200));
        let b0 = full(b"trun", 0, 0xB05, &body);
        assert_eq!(
            Trun::parse(&b0, 0).unwrap().entries[0].composition_offset,
            Some(0xFFFF_FC00)
        );
        // sample_count far beyond the bytes.
        let mut body = 0x1000_0000u32.to_be_bytes().to_vec();
        body.extend_from_slice(&[0; 8]);
        let b = full(b"trun", 0, 0x200, &body);
        let e = Trun::parse(&b, 10).unwrap_err();
        assert_eq!(e.offset, 10 + 16);
        assert!(matches!(
            e.kind,
            ErrorKind::CountPastEnd {
                field: "trun.sample_count",
                ..
            }
        ));
        // No per-sample fields: capped by the limit.
        let b = full(b"trun", 0, 0, &u32::MAX.to_be_bytes());
        assert!(matches!(
            Trun::parse(&b, 0).unwrap_err().kind,
            ErrorKind::TooMany { .. }
        ));
    }

    #[test]
    fn round_trip_v0_and_v1() {
        for version in [0u8, 1] {
            let cto = if version == 1 { -1024 } else { 1024 };
            let t = Trun {
                version,
                flags: TRUN_DURATION | TRUN_SIZE | TRUN_CTO,
                data_offset: Some(120),
                first_sample_flags: Some(0x0200_0000),
                entries: vec![
                    TrunEntry {
                        duration: Some(512),
                        size: Some(9),
                        flags: None,
                        composition_offset: Some(cto),
                    };
                    3
                ],
            };
            let mut b = Vec::new();
            t.encode_into(&mut b).unwrap();
            assert_eq!(b.len(), t.encoded_len());
            let back = Trun::parse(&b, 0).unwrap();
            assert_eq!(back.flags, t.encoded_flags());
            assert_eq!(
                Trun {
                    flags: back.flags,
                    ..t.clone()
                },
                back
            );
        }
    }

    #[test]
    fn a_record_without_a_flagged_field_is_an_error() {
        let t = Trun {
            version: 0,
            flags: TRUN_SIZE,
            data_offset: None,
            first_sample_flags: None,
            entries: vec![TrunEntry::default()],
        };
        assert!(t.encode_into(&mut Vec::new()).is_err());
    }
}
