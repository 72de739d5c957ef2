//! The init segment of a plan: ftyp + moov (mvhd, one trak per track with its edit list and
//! sample entry carried over, mvex with one trex per track, udta on request).

use super::plan::{Plan, TrackPlan};
use super::write::{self, BoxWriter};
use super::{Error, TrackSelection};
use crate::bmff::boxes::{encode_elst, ElstEntry, Mehd, Trex};
use crate::timeline::{rescale, Rounding, Timescale};

impl<'a> Plan<'a> {
    /// The init segment with every track: ftyp + moov (mvhd, traks, mvex, udta).
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// let init = plan.init_segment().unwrap();
    /// let info = dashkit::bmff::info::describe(&init).unwrap();
    /// assert!(info.fragmented);
    /// assert_eq!(info.tracks.iter().map(|t| t.handler.as_str()).collect::<Vec<_>>(), ["vide", "soun"]);
    /// ```
    pub fn init_segment(&self) -> Result<Vec<u8>, Error> {
        let all: Vec<usize> = (0..self.tracks.len()).collect();
        self.init_for(&all)
    }

    /// The init segment of one track (for per-track segment files).
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// let audio = dashkit::bmff::info::describe(&plan.init_segment_for(2).unwrap()).unwrap();
    /// assert_eq!(audio.tracks.len(), 1);
    /// assert_eq!((audio.tracks[0].track_id, audio.tracks[0].codec.as_str()), (2, "mp4a.40.2"));
    /// ```
    pub fn init_segment_for(&self, track_id: u32) -> Result<Vec<u8>, Error> {
        let i = self
            .tracks
            .iter()
            .position(|t| t.track_id == track_id)
            .ok_or(Error::NoTrack {
                selection: TrackSelection::Id(track_id),
                tracks: self.tracks.len(),
            })?;
        self.init_for(&[i])
    }

    fn init_for(&self, which: &[usize]) -> Result<Vec<u8>, Error> {
        let mut w = BoxWriter::default();
        write::brands(&mut w, b"ftyp", *b"iso6", &self.compatible)?;
        let moov = w.open(b"moov");
        w.bytes(&self.mvhd);
        for &i in which {
            self.trak(&mut w, &self.tracks[i])?;
        }
        let mvex = w.open(b"mvex");
        w.put(|out| Mehd::new(self.movie_duration).encode_into(out))?;
        for &i in which {
            let trex = Trex {
                track_id: self.tracks[i].track_id,
                default_sample_description_index: 1,
                ..Trex::default()
            };
            w.put(|out| trex.encode_into(out))?;
        }
        w.close(mvex)?;
        if let Some(u) = &self.udta {
            w.bytes(u);
        }
        w.close(moov)?;
        Ok(w.into_bytes())
    }

    fn trak(&self, w: &mut BoxWriter, t: &TrackPlan<'a>) -> Result<(), Error> {
        let trak = w.open(b"trak");
        w.bytes(&t.tkhd);
        self.edts(w, t)?;
        let mdia = w.open(b"mdia");
        // mdhd: timescale (maybe rewritten) and duration 0 (no samples in the moov).
        let mut mdhd = t.mdhd.clone();
        let base = t.mdhd_header_len + 4 + if t.mdhd_version == 1 { 16 } else { 8 };
        if let Some(s) = mdhd.get_mut(base..base + 4) {
            s.copy_from_slice(&t.timescale.to_be_bytes());
        }
        let dlen = if t.mdhd_version == 1 { 8 } else { 4 };
        if let Some(s) = mdhd.get_mut(base + 4..base + 4 + dlen) {
            s.fill(0);
        }
        w.bytes(&mdhd);
        w.bytes(&t.hdlr);
        let minf = w.open(b"minf");
        match &t.media_header {
            Some(h) => w.bytes(h),
            None => {
                let m = w.open_full(b"nmhd", 0, 0);
                w.close(m)?;
            }
        }
        match &t.dinf {
            Some(d) => w.bytes(d),
            None => {
                let dinf = w.open(b"dinf");
                let dref = w.open_full(b"dref", 0, 0);
                w.u32(1);
                let url = w.open_full(b"url ", 0, 1);
                w.close(url)?;
                w.close(dref)?;
                w.close(dinf)?;
            }
        }
        let stbl = w.open(b"stbl");
        w.bytes(&t.stsd);
        write::empty_sample_tables(w)?;
        w.close(stbl)?;
        w.close(minf)?;
        w.close(mdia)?;
        w.close(trak)
    }

    fn edts(&self, w: &mut BoxWriter, t: &TrackPlan<'a>) -> Result<(), Error> {
        let zero_last = self.options.trun_version_zero && !self.options.no_zero_elst;
        let rescaled = t.timescale != t.in_timescale;
        let Some((version, entries)) = &t.elst else {
            if let Some(e) = &t.edts {
                w.bytes(e);
            }
            return Ok(());
        };
        if !zero_last && !rescaled {
            if let Some(e) = &t.edts {
                w.bytes(e);
            }
            return Ok(());
        }
        let edts = w.open(b"edts");
        let mut out_entries = Vec::with_capacity(entries.len());
        for (k, e) in entries.iter().enumerate() {
            let mut seg = e.segment_duration;
            if zero_last && k + 1 == entries.len() && seg == t.tkhd_duration {
                seg = 0;
            }
            let mut mt = e.media_time;
            if rescaled && mt >= 0 {
                mt = rescale(
                    mt,
                    Timescale::new(t.in_timescale)?,
                    Timescale::new(t.timescale)?,
                    Rounding::Nearest,
                )?;
            }
            out_entries.push(ElstEntry {
                segment_duration: seg,
                media_time: mt,
                ..*e
            });
        }
        w.put(|out| encode_elst(*version, &out_entries, out))?;
        w.close(edts)
    }
}
