//! tfdt baseMediaDecodeTime (ISO/IEC 14496-12 §8.8.12): set in place, or grow version 0 to 1.

use super::super::boxes::Tfdt;
use super::super::{Error, ErrorKind, FourCc};
use super::{overflow, Moof, Plan, Shift, TfdtEdit};

/// Plans the tfdt changes; returns the new decode time of each edited traf (by box position).
pub(super) fn plan(
    plan: &mut Plan<'_>,
    moofs: &[Moof],
    edits: &[TfdtEdit],
) -> Result<Vec<(usize, u64)>, Error> {
    let mut out = Vec::new();
    if edits.is_empty() {
        return Ok(out);
    }
    // Per track: difference between the requested and the first traf's old decode time.
    let mut deltas: Vec<(u32, i128)> = Vec::new();
    for m in moofs {
        m.check()?;
        for t in &m.trafs {
            let track = t.tfhd.track_id;
            let Some(edit) = edits
                .iter()
                .find(|e| e.track_id.is_none_or(|id| id == track))
            else {
                continue;
            };
            let Some(ti) = t.tfdt_i else {
                let b = &plan.index.boxes()[t.i];
                return Err(Error::new(
                    b.offset,
                    plan.index.path(t.i),
                    ErrorKind::Missing {
                        fourcc: FourCc(*b"tfdt"),
                    },
                ));
            };
            let b = plan.index.boxes()[ti].clone();
            let old = Tfdt::parse(&plan.data[b.range()], b.offset)
                .map_err(|e| e.in_path(plan.index.path(ti)))?;
            let delta = match deltas.iter().find(|(id, _)| *id == track) {
                Some((_, d)) => *d,
                None => {
                    let d = edit.delta(old.base_media_decode_time);
                    deltas.push((track, d));
                    d
                }
            };
            let new = i128::from(old.base_media_decode_time) + delta;
            let field_at = b.start + b.header_len + 4;
            let value = u64::try_from(new)
                .map_err(|_| plan.err(ti, field_at, overflow("tfdt.baseMediaDecodeTime", new)))?;
            out.push((t.i, value));
            if old.version == 0 && value > u64::from(u32::MAX) {
                // Grow to version 1: the 32-bit field becomes 64 bits. The insertion point is
                // the field start, strictly inside tfdt, traf and moof.
                plan.shifts.push(Shift {
                    at: b.offset + b.header_len as u64 + 4,
                    delta: 4,
                    own_sidx: false,
                });
                plan.set_box_size(ti, i128::from(b.size) + 4)?;
                plan.set_uint(b.start + b.header_len, 1, 1);
                plan.replace(field_at, 4, super::NewBytes::Inline(value.to_be_bytes(), 8));
            } else {
                let w = if old.version == 1 { 8 } else { 4 };
                plan.set_uint(field_at, w, value);
            }
        }
    }
    Ok(out)
}
