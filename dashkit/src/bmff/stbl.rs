//! The sample tables of one progressive track, walked in place: a [`SampleTable`] borrows the
//! entry bytes of `stsz`/`stz2`, `stts`, `ctts`, `stss`, `stsc` and `stco`/`co64` from the moov,
//! and [`Samples`] yields one [`Sample`] after another with a cursor in each table. Nothing is
//! sized by the sample count, so memory is the moov itself whatever the number of samples
//! (the fragmenter's bounded-memory promise rests on this).
//!
//! It yields exactly what [`super::samples::track_samples`] builds for a progressive file
//! (ISO/IEC 14496-12 §8.6.1.2 stts, §8.6.1.3 ctts, §8.7.3 stsz/stz2, §8.7.4 stsc, §8.7.5
//! stco/co64, §8.6.2 stss): samples past the end of stts get duration 0, past ctts offset 0,
//! past the last chunk offset 0. One difference: `stss` must list its sample numbers in
//! increasing order (§8.6.2.1 requires it), since the cursor never looks back.

use super::boxes::{self, be32, RawSizes};
use super::index::Index;
use super::samples::Sample;
use super::{Error, ErrorKind, FourCc};

/// One table box's entries, left in the moov.
type Entries<'a> = &'a [u8];

fn be64(b: &[u8], at: usize) -> u64 {
    match b.get(at..at.saturating_add(8)) {
        Some(s) => s.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x)),
        None => 0,
    }
}

/// The sample tables of one track, borrowed from the moov bytes.
#[derive(Debug, Clone, Copy)]
pub struct SampleTable<'a> {
    count: usize,
    sizes: RawSizes<'a>,
    stts: Entries<'a>,
    ctts: Option<(Entries<'a>, u8)>,
    stss: Option<Entries<'a>>,
    stsc: Entries<'a>,
    chunks: Entries<'a>,
    wide_chunks: bool,
}

impl<'a> SampleTable<'a> {
    /// Reads the table headers of the `stbl` box `stbl` of `idx` (an index over `data`) and
    /// checks every entry count against the bytes present. A track without `stsz`/`stz2`, or
    /// with no samples, is an empty table; otherwise `stts`, `stsc` and `stco`/`co64` are
    /// required.
    pub fn parse(data: &'a [u8], idx: &Index, stbl: usize) -> Result<Self, Error> {
        let empty = SampleTable {
            count: 0,
            sizes: RawSizes::Constant { size: 0, count: 0 },
            stts: &[],
            ctts: None,
            stss: None,
            stsc: &[],
            chunks: &[],
            wide_chunks: false,
        };
        let child = |kind: &[u8; 4]| -> Option<(&'a [u8], u64, usize)> {
            let c = idx.child(stbl, kind)?;
            let b = idx.boxes().get(c)?;
            Some((data.get(b.range()).unwrap_or(&[]), b.offset, c))
        };
        let at = |c: usize| move |e: Error| e.in_path(idx.path(c));
        let sizes = match child(b"stsz") {
            Some((d, o, c)) => boxes::raw_sample_sizes(d, o, false).map_err(at(c))?,
            None => match child(b"stz2") {
                Some((d, o, c)) => boxes::raw_sample_sizes(d, o, true).map_err(at(c))?,
                None => return Ok(empty),
            },
        };
        let count = match sizes {
            RawSizes::Constant { count, .. } | RawSizes::Table { count, .. } => count as usize,
        };
        if count == 0 {
            return Ok(empty);
        }
        let stbl_box = idx.boxes().get(stbl).map_or(0, |b| b.offset);
        let missing = |kind: &[u8; 4]| {
            Error::new(
                stbl_box,
                idx.path(stbl),
                ErrorKind::Missing {
                    fourcc: FourCc(*kind),
                },
            )
        };
        let table = |kind: &'static [u8; 4], max_version: u8, record_len: u64| match child(kind) {
            Some((d, o, c)) => {
                boxes::table_entries(d, o, kind, max_version, record_len, "entry_count")
                    .map(Some)
                    .map_err(at(c))
            }
            None => Ok(None),
        };
        let (_, stts) = table(b"stts", 1, 8)?.ok_or_else(|| missing(b"stts"))?;
        let ctts = table(b"ctts", 1, 8)?.map(|(v, e)| (e, v));
        let stss = match table(b"stss", 0, 4)? {
            Some((_, e)) => {
                let mut prev = 0u32;
                for k in 0..e.len() / 4 {
                    let n = be32(e, 4 * k);
                    if n < prev {
                        let (_, o, c) = child(b"stss").unwrap_or((&[], 0, stbl));
                        return Err(Error::new(
                            o + 16 + 4 * k as u64,
                            idx.path(c),
                            ErrorKind::BadField {
                                field: "stss.sample_number (not increasing)",
                                value: u64::from(n),
                            },
                        ));
                    }
                    prev = n;
                }
                Some(e)
            }
            None => None,
        };
        let (_, stsc) = table(b"stsc", 0, 12)?.ok_or_else(|| missing(b"stsc"))?;
        let (chunks, wide_chunks) = match table(b"stco", 0, 4)? {
            Some((_, e)) => (e, false),
            None => match table(b"co64", 0, 8)? {
                Some((_, e)) => (e, true),
                None => return Err(missing(b"stco")),
            },
        };
        Ok(SampleTable {
            count,
            sizes,
            stts,
            ctts,
            stss,
            stsc,
            chunks,
            wide_chunks,
        })
    }

    /// True when the track has no samples.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The `sample_description_index` of each `stsc` entry.
    pub fn sample_description_indexes(&self) -> impl Iterator<Item = u32> + 'a {
        let stsc = self.stsc;
        (0..stsc.len() / 12).map(move |k| be32(stsc, 12 * k + 8))
    }

    /// Size of sample `i` (0-based), 0 past the end.
    pub fn size(&self, i: usize) -> u32 {
        self.sizes.get(i)
    }

    fn chunk_offset(&self, chunk_index: usize) -> u64 {
        if self.wide_chunks {
            be64(self.chunks, 8 * chunk_index)
        } else {
            u64::from(be32(self.chunks, 4 * chunk_index))
        }
    }

    fn chunk_count(&self) -> u64 {
        (self.chunks.len() / if self.wide_chunks { 8 } else { 4 }) as u64
    }

    /// Every sample in decode order, from the first.
    pub fn samples(&self) -> Samples<'a> {
        Samples {
            table: *self,
            index: 0,
            decode: 0,
            stts_next: 0,
            stts_left: 0,
            delta: 0,
            ctts_next: 0,
            ctts_left: 0,
            cto: 0,
            stss_next: 0,
            stsc_next: 0,
            next_chunk: 1,
            end_chunk: 0,
            per_chunk: 0,
            chunk_left: 0,
            offset: 0,
        }
    }
}

/// A cursor over a [`SampleTable`]: yields samples in decode order. Cloning it is cheap (a few
/// words), so a caller can look ahead with a clone and then walk again.
#[derive(Debug, Clone)]
pub struct Samples<'a> {
    table: SampleTable<'a>,
    index: usize,
    decode: u64,
    stts_next: usize,
    stts_left: u32,
    delta: u32,
    ctts_next: usize,
    ctts_left: u32,
    cto: i64,
    stss_next: usize,
    stsc_next: usize,
    next_chunk: u64,
    end_chunk: u64,
    per_chunk: u32,
    chunk_left: u32,
    offset: u64,
}

impl Samples<'_> {
    /// 0-based index of the sample the next call to `next` yields.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Skips samples until [`Samples::index`] is `i` (or the end); never goes back.
    pub fn skip_to(&mut self, i: usize) {
        while self.index < i && self.next().is_some() {}
    }

    fn next_delta(&mut self) -> u32 {
        while self.stts_left == 0 {
            let at = 8 * self.stts_next;
            if at >= self.table.stts.len() {
                return 0;
            }
            self.stts_left = be32(self.table.stts, at);
            self.delta = be32(self.table.stts, at + 4);
            self.stts_next += 1;
        }
        self.stts_left -= 1;
        self.delta
    }

    fn next_cto(&mut self) -> i64 {
        let Some((ctts, version)) = self.table.ctts else {
            return 0;
        };
        while self.ctts_left == 0 {
            let at = 8 * self.ctts_next;
            if at >= ctts.len() {
                return 0;
            }
            self.ctts_left = be32(ctts, at);
            let raw = be32(ctts, at + 4);
            self.cto = if version == 1 {
                i64::from(raw as i32)
            } else {
                i64::from(raw)
            };
            self.ctts_next += 1;
        }
        self.ctts_left -= 1;
        self.cto
    }

    fn next_sync(&mut self) -> bool {
        let Some(stss) = self.table.stss else {
            return true;
        };
        let number = self.index as u64 + 1;
        loop {
            let at = 4 * self.stss_next;
            if at >= stss.len() {
                return false;
            }
            let n = u64::from(be32(stss, at));
            if n >= number {
                return n == number;
            }
            self.stss_next += 1;
        }
    }

    /// Offset of the next sample (whose size is `size`): chunks in stsc order, samples packed
    /// inside each chunk; 0 once the chunks run out.
    fn next_offset(&mut self, size: u32) -> u64 {
        loop {
            if self.chunk_left > 0 {
                self.chunk_left -= 1;
                let at = self.offset;
                self.offset = at.saturating_add(u64::from(size));
                return at;
            }
            if self.next_chunk <= self.end_chunk {
                let chunk = self.next_chunk;
                self.next_chunk += 1;
                if chunk == 0 {
                    continue;
                }
                self.offset = self.table.chunk_offset((chunk - 1) as usize);
                self.chunk_left = self.per_chunk;
                continue;
            }
            let at = 12 * self.stsc_next;
            if at >= self.table.stsc.len() {
                return 0;
            }
            let first = u64::from(be32(self.table.stsc, at));
            let chunks = self.table.chunk_count();
            let last = if at + 12 < self.table.stsc.len() {
                u64::from(be32(self.table.stsc, at + 12)).saturating_sub(1)
            } else {
                chunks
            };
            self.next_chunk = first;
            self.end_chunk = last.min(chunks);
            self.per_chunk = be32(self.table.stsc, at + 4);
            self.stsc_next += 1;
        }
    }
}

impl Iterator for Samples<'_> {
    type Item = Sample;

    fn next(&mut self) -> Option<Sample> {
        if self.index >= self.table.count {
            return None;
        }
        let size = self.table.size(self.index);
        let duration = self.next_delta();
        let s = Sample {
            decode_time: self.decode,
            duration,
            size,
            composition_offset: self.next_cto(),
            is_sync: self.next_sync(),
            offset: self.next_offset(size),
        };
        self.decode = self.decode.saturating_add(u64::from(duration));
        self.index += 1;
        Some(s)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.table.count.saturating_sub(self.index);
        (n, Some(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::samples::track_samples;

    const FIXTURES: [&[u8]; 4] = [
        include_bytes!("../../../fixtures/media/h264_aac.mp4"),
        include_bytes!("../../../fixtures/media/hevc_aac.mp4"),
        include_bytes!("../../../fixtures/media/h264_bframes.mp4"),
        include_bytes!("../../../fixtures/media/aac_only.mp4"),
    ];

    fn tables(data: &[u8]) -> Vec<Vec<Sample>> {
        let idx = Index::parse_with(data, 0, crate::bmff::index::Depth::Full).unwrap();
        idx.all(b"stbl")
            .map(|s| {
                SampleTable::parse(data, &idx, s)
                    .unwrap()
                    .samples()
                    .collect()
            })
            .collect()
    }

    /// The cursor and the materialized samples view agree on every fixture.
    #[test]
    fn cursor_matches_the_samples_view() {
        for data in FIXTURES {
            let want: Vec<Vec<Sample>> = track_samples(None, data, 0)
                .unwrap()
                .into_iter()
                .map(|t| t.samples)
                .collect();
            assert_eq!(tables(data), want);
        }
    }

    use crate::bmff::testbox::{bx, u32s};

    /// A full box with flags 0 and a body of 32-bit words.
    fn full(kind: &[u8; 4], version: u8, body: &[u32]) -> Vec<u8> {
        crate::bmff::testbox::full(kind, version, 0, &u32s(body))
    }

    fn moov(stbl_children: &[Vec<u8>]) -> Vec<u8> {
        let stbl = bx(b"stbl", &stbl_children.concat());
        let minf = bx(b"minf", &stbl);
        let mdia = bx(
            b"mdia",
            &[full(b"mdhd", 0, &[0, 0, 1000, 0, 0]), minf].concat(),
        );
        let tkhd = full(
            b"tkhd",
            0,
            &[0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        bx(b"moov", &bx(b"trak", &[tkhd, mdia].concat()))
    }

    /// Odd tables (stts and ctts shorter than the samples, an stsc entry with chunk 0, a
    /// constant stsz, co64, v1 ctts with a negative offset, chunks run out) agree with the
    /// samples view too.
    #[test]
    fn odd_tables_match_the_samples_view() {
        let cases: Vec<Vec<Vec<u8>>> = vec![
            vec![
                full(b"stsz", 0, &[0, 5, 1, 2, 3, 4, 5]),
                full(b"stts", 0, &[2, 0, 10, 1, 1, 7]),
                full(b"ctts", 1, &[1, 3, 20, 1, (-5i32) as u32]),
                full(b"stss", 0, &[2, 1, 4]),
                full(b"stsc", 0, &[2, 0, 2, 1, 3, 1, 1]),
                full(b"stco", 0, &[3, 100, 200, 300]),
            ],
            vec![
                full(b"stsz", 0, &[9, 4]),
                full(b"stts", 0, &[1, 4, 3]),
                full(b"stsc", 0, &[1, 1, 3, 1]),
                full(b"co64", 0, &[1, 1, 5]),
            ],
        ];
        for children in cases {
            let data = moov(&children);
            let want: Vec<Vec<Sample>> = track_samples(None, &data, 0)
                .unwrap()
                .into_iter()
                .map(|t| t.samples)
                .collect();
            assert!(!want[0].is_empty());
            assert_eq!(tables(&data), want);
        }
    }

    proptest::proptest! {
        /// Random tables (short or long stts/ctts, v0/v1 ctts, sorted stss or none, any stsc
        /// runs including chunk 0 and gaps, stco or co64, stsz or a constant size): the cursor
        /// yields exactly the samples view's samples.
        #[test]
        fn random_tables_match_the_samples_view(
            sizes in proptest::collection::vec(0u32..50, 1..40),
            constant in proptest::option::of(1u32..5),
            stts in proptest::collection::vec((0u32..6, 0u32..5), 0..8),
            ctts in proptest::option::of((0u8..2, proptest::collection::vec((0u32..6, -3i32..4), 0..8))),
            stss in proptest::option::of(proptest::collection::btree_set(0u32..45, 0..10)),
            stsc in proptest::collection::vec((0u32..12, 0u32..5), 1..5),
            chunks in proptest::collection::vec(0u64..1000, 0..12),
            wide in proptest::bool::ANY,
        ) {
            let mut children = Vec::new();
            match constant {
                Some(c) => children.push(full(b"stsz", 0, &[c, sizes.len() as u32])),
                None => {
                    let mut b = vec![0, sizes.len() as u32];
                    b.extend(&sizes);
                    children.push(full(b"stsz", 0, &b));
                }
            }
            let mut b = vec![stts.len() as u32];
            b.extend(stts.iter().flat_map(|&(c, d)| [c, d]));
            children.push(full(b"stts", 0, &b));
            if let Some((v, e)) = &ctts {
                let mut b = vec![e.len() as u32];
                b.extend(e.iter().flat_map(|&(c, o)| [c, o as u32]));
                children.push(full(b"ctts", *v, &b));
            }
            if let Some(set) = &stss {
                let mut b = vec![set.len() as u32];
                b.extend(set.iter().copied());
                children.push(full(b"stss", 0, &b));
            }
            let mut b = vec![stsc.len() as u32];
            b.extend(stsc.iter().flat_map(|&(f, n)| [f, n, 1]));
            children.push(full(b"stsc", 0, &b));
            if wide {
                let mut b = vec![chunks.len() as u32];
                b.extend(chunks.iter().flat_map(|&o| [(o >> 32) as u32, o as u32]));
                children.push(full(b"co64", 0, &b));
            } else {
                let mut b = vec![chunks.len() as u32];
                b.extend(chunks.iter().map(|&o| o as u32));
                children.push(full(b"stco", 0, &b));
            }
            let data = moov(&children);
            let want: Vec<Vec<Sample>> = track_samples(None, &data, 0)
                .unwrap()
                .into_iter()
                .map(|t| t.samples)
                .collect();
            proptest::prop_assert_eq!(tables(&data), want);
        }
    }

    #[test]
    fn decreasing_stss_is_refused_with_its_place() {
        let data = moov(&[
            full(b"stsz", 0, &[1, 3]),
            full(b"stts", 0, &[1, 3, 1]),
            full(b"stss", 0, &[2, 3, 1]),
            full(b"stsc", 0, &[1, 1, 3, 1]),
            full(b"stco", 0, &[1, 0]),
        ]);
        let idx = Index::parse_with(&data, 0, crate::bmff::index::Depth::Full).unwrap();
        let stbl = idx.all(b"stbl").next().unwrap();
        let e = SampleTable::parse(&data, &idx, stbl).unwrap_err();
        assert_eq!(e.path, "moov/trak[0]/mdia[0]/minf[0]/stbl[0]/stss[0]");
        let stss = idx.all(b"stss").next().unwrap();
        assert_eq!(e.offset, idx.boxes()[stss].offset + 20);
    }

    #[test]
    fn count_past_the_bytes_is_refused() {
        let data = moov(&[
            full(b"stsz", 0, &[1, 3]),
            full(b"stts", 0, &[1000, 3, 1]),
            full(b"stsc", 0, &[1, 1, 3, 1]),
            full(b"stco", 0, &[1, 0]),
        ]);
        let idx = Index::parse_with(&data, 0, crate::bmff::index::Depth::Full).unwrap();
        let stbl = idx.all(b"stbl").next().unwrap();
        let e = SampleTable::parse(&data, &idx, stbl).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::CountPastEnd { count: 1000, .. }),
            "{e:?}"
        );
        assert_eq!(e.path, "moov/trak[0]/mdia[0]/minf[0]/stbl[0]/stts[0]");
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn sample_table_example() -> Result<(), Box<dyn std::error::Error>> {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/media/aac_only.mp4"
        ))?;
        use crate::bmff::{stbl::SampleTable, Index};
        let idx = Index::parse(&data)?;
        let stbl = idx.find("moov/trak/mdia/minf/stbl").unwrap();
        let table = SampleTable::parse(&data, &idx, stbl)?;
        let total: u64 = table.samples().map(|s| u64::from(s.size)).sum();
        assert_eq!(table.samples().count(), table.count);
        assert!(total > 0);
        Ok(())
    }
}
