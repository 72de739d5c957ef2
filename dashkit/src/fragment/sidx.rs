//! The `sidx` of a plan (`Options::index`): one reference per slot, sized to cover every
//! track's fragment of that slot.

use super::plan::Plan;
use super::Error;

impl<'a> Plan<'a> {
    /// The `sidx` that indexes the whole output (one reference per slot, sized to cover every
    /// track's fragment of that slot), when `options.index` is set.
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options { index: true, ..Options::default() }).unwrap();
    /// let bytes = plan.sidx().unwrap().unwrap();
    /// let sidx = dashkit::bmff::Sidx::parse(&bytes, 0).unwrap();
    /// assert_eq!(sidx.references.len(), plan.slot_count());
    /// ```
    pub fn sidx(&self) -> Result<Option<Vec<u8>>, Error> {
        if !self.options.index {
            return Ok(None);
        }
        let anchor = &self.tracks[self.anchor];
        let mut refs: Vec<crate::bmff::SidxReference> = Vec::new();
        let mut ept: Option<u64> = None;
        for f in self.fragments() {
            let f = f?;
            let size = u32::try_from(f.total_bytes()).map_err(|_| Error::Overflow {
                what: "sidx referenced_size",
            })?;
            if f.track_id == anchor.track_id {
                if ept.is_none() {
                    let b0 = anchor.bounds.first().copied().unwrap_or(0);
                    let b1 = anchor.bounds.get(1).copied().unwrap_or(0);
                    let mut min: Option<i128> = None;
                    let mut samples = anchor.samples();
                    samples.skip_to(b0);
                    for s in samples.take(b1.saturating_sub(b0)) {
                        let ct = anchor.out_time(
                            i128::from(s.decode_time) + i128::from(s.composition_offset),
                        )?;
                        min = Some(min.map_or(ct, |m| m.min(ct)));
                    }
                    let start = self.tfdt_start_ticks(anchor)?;
                    ept = Some(
                        u64::try_from(min.unwrap_or(0).max(0))
                            .unwrap_or(0)
                            .saturating_add(start),
                    );
                }
                refs.push(crate::bmff::SidxReference {
                    reference_type: false,
                    referenced_size: size,
                    subsegment_duration: u32::try_from(f.duration).map_err(|_| {
                        Error::Overflow {
                            what: "sidx subsegment_duration",
                        }
                    })?,
                    starts_with_sap: true,
                    sap_type: 1,
                    sap_delta_time: 0,
                });
            } else if let Some(last) = refs.last_mut() {
                last.referenced_size =
                    last.referenced_size
                        .checked_add(size)
                        .ok_or(Error::Overflow {
                            what: "sidx referenced_size",
                        })?;
            }
        }
        let mut sidx = crate::bmff::Sidx {
            version: 0,
            flags: 0,
            reference_id: anchor.track_id,
            timescale: anchor.timescale,
            earliest_presentation_time: ept.unwrap_or(0),
            first_offset: 0,
            references: refs,
        };
        sidx.version = sidx.needed_version();
        Ok(Some(sidx.encode()?))
    }
}
