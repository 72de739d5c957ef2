//! sidx rewriting (ISO/IEC 14496-12 §8.16.3): keep (sizes follow), set EPT / first_offset
//! (growing version 0 to 1 when needed), drop, or insert one computed from the moofs.

use super::super::boxes::Trun;
use super::super::sidx::{Sidx, SidxReference};
use super::super::{Error, ErrorKind, FourCc};
use super::{overflow, Moof, NewBytes, NewSidx, Plan, Shift, SidxEdit};

/// What the structural pass decided.
pub(super) enum SidxPlan {
    /// Existing sidx boxes stay; `set` holds the requested values.
    Keep {
        ept: Option<u64>,
        first_offset: Option<u64>,
        /// (box position, decoded, new version)
        boxes: Vec<(usize, Sidx, u8)>,
    },
    /// Existing sidx boxes are gone.
    Dropped,
    /// A new sidx goes at `patch` (a placeholder in `plan.patches`).
    Insert {
        patch: usize,
        sidx: Sidx,
        /// Reference ranges in input positions (relative to the slice).
        ranges: Vec<(usize, usize)>,
    },
}

fn top_sidx(plan: &Plan<'_>) -> Vec<usize> {
    plan.index
        .top()
        .filter(|&i| plan.index.boxes()[i].is(b"sidx"))
        .collect()
}

fn parse_at(plan: &Plan<'_>, i: usize) -> Result<Sidx, Error> {
    let b = &plan.index.boxes()[i];
    Sidx::parse(&plan.data[b.range()], b.offset).map_err(|e| e.in_path(plan.index.path(i)))
}

fn drop_all(plan: &mut Plan<'_>) {
    for i in top_sidx(plan) {
        let b = plan.index.boxes()[i].clone();
        plan.shifts.push(Shift {
            at: b.offset,
            delta: -(b.size as i64),
            own_sidx: false,
        });
        plan.replace(b.start, b.size as usize, NewBytes::Heap(Vec::new()));
    }
}

pub(super) fn plan_structure(
    plan: &mut Plan<'_>,
    moofs: &[Moof],
    edit: &SidxEdit,
    new_tfdts: &[(usize, u64)],
) -> Result<SidxPlan, Error> {
    match edit {
        SidxEdit::Keep => Ok(SidxPlan::Keep {
            ept: None,
            first_offset: None,
            boxes: Vec::new(),
        }),
        SidxEdit::Set {
            earliest_presentation_time,
            first_offset,
        } => {
            let mut boxes = Vec::new();
            for i in top_sidx(plan) {
                let s = parse_at(plan, i)?;
                let mut probe = s.clone();
                if let Some(v) = earliest_presentation_time {
                    probe.earliest_presentation_time = *v;
                }
                if let Some(v) = first_offset {
                    probe.first_offset = *v;
                }
                let version = s.version.max(probe.needed_version());
                if version != s.version {
                    let b = plan.index.boxes()[i].clone();
                    probe.version = version;
                    let grow = probe.encoded_len() as i64 - b.size as i64;
                    // Inside the box (at the EPT field), before its end and its references.
                    plan.shifts.push(Shift {
                        at: b.offset + b.header_len as u64 + 12,
                        delta: grow,
                        own_sidx: false,
                    });
                }
                boxes.push((i, s, version));
            }
            Ok(SidxPlan::Keep {
                ept: *earliest_presentation_time,
                first_offset: *first_offset,
                boxes,
            })
        }
        SidxEdit::Drop => {
            drop_all(plan);
            Ok(SidxPlan::Dropped)
        }
        SidxEdit::Insert(p) => {
            drop_all(plan);
            insert_structure(plan, moofs, p, new_tfdts)
        }
    }
}

fn insert_structure(
    plan: &mut Plan<'_>,
    moofs: &[Moof],
    p: &NewSidx,
    new_tfdts: &[(usize, u64)],
) -> Result<SidxPlan, Error> {
    let missing = |plan: &Plan<'_>, fourcc: &[u8; 4]| {
        Error::new(
            plan.index.base(),
            "",
            ErrorKind::Missing {
                fourcc: FourCc(*fourcc),
            },
        )
    };
    let first_moof = moofs.first().ok_or_else(|| missing(plan, b"moof"))?;
    for m in moofs {
        m.check()?;
    }
    let track = match p.reference_track_id {
        Some(t) => t,
        None => first_moof
            .trafs
            .first()
            .map(|t| t.tfhd.track_id)
            .ok_or_else(|| missing(plan, b"traf"))?,
    };
    let trex = p.defaults.iter().find(|t| t.track_id == track);
    // Where the sidx goes: before the first prft, emsg or moof.
    let q = plan
        .index
        .top()
        .find(|&i| {
            let b = &plan.index.boxes()[i];
            b.is(b"prft") || b.is(b"emsg") || b.is(b"moof")
        })
        .map(|i| plan.index.boxes()[i].start)
        .unwrap_or(plan.data.len());
    let mut references = Vec::with_capacity(moofs.len());
    let mut ranges = Vec::with_capacity(moofs.len());
    let mut ept: Option<i128> = None;
    for (k, m) in moofs.iter().enumerate() {
        let start = if k == 0 {
            q
        } else {
            plan.index.boxes()[m.i].start
        };
        let end = moofs
            .get(k + 1)
            .map_or(plan.data.len(), |n| plan.index.boxes()[n.i].start);
        ranges.push((start, end));
        let mut duration: u64 = 0;
        let mut sap = false;
        if let Some(t) = m.trafs.iter().find(|t| t.tfhd.track_id == track) {
            let mut decode: i128 = match new_tfdts.iter().find(|(i, _)| *i == t.i) {
                Some((_, v)) => i128::from(*v),
                None => match t.tfdt_i {
                    Some(ti) => {
                        let b = &plan.index.boxes()[ti];
                        i128::from(
                            super::super::boxes::Tfdt::parse(&plan.data[b.range()], b.offset)
                                .map_err(|e| e.in_path(plan.index.path(ti)))?
                                .base_media_decode_time,
                        )
                    }
                    None => 0,
                },
            };
            let mut first = true;
            let truns: Vec<usize> = plan
                .index
                .children(t.i)
                .filter(|&c| plan.index.boxes()[c].is(b"trun"))
                .collect();
            for &r in &truns {
                let b = &plan.index.boxes()[r];
                let trun = Trun::parse(&plan.data[b.range()], b.offset)
                    .map_err(|e| e.in_path(plan.index.path(r)))?;
                for (n, e) in trun.entries.iter().enumerate() {
                    let d = trun.sample_duration(n, &t.tfhd, trex).ok_or_else(|| {
                        Error::new(
                            b.offset,
                            plan.index.path(r),
                            ErrorKind::Missing {
                                fourcc: FourCc(*b"trex"),
                            },
                        )
                    })?;
                    if first {
                        let flags = trun.sample_flags(n, &t.tfhd, trex).unwrap_or(0);
                        sap = flags & 0x0001_0000 == 0;
                        first = false;
                    }
                    if k == 0 {
                        let pts = decode + i128::from(e.composition_offset.unwrap_or(0));
                        ept = Some(ept.map_or(pts, |v| v.min(pts)));
                    }
                    decode += i128::from(d);
                    duration = duration.saturating_add(u64::from(d));
                }
            }
        }
        let subsegment_duration = u32::try_from(duration).map_err(|_| {
            Error::new(
                plan.abs(start),
                "sidx",
                overflow("sidx.subsegment_duration", i128::from(duration)),
            )
        })?;
        references.push(SidxReference {
            reference_type: false,
            referenced_size: 0,
            subsegment_duration,
            starts_with_sap: sap,
            sap_type: if sap { 1 } else { 0 },
            sap_delta_time: 0,
        });
    }
    let ept = match p.earliest_presentation_time {
        Some(v) => v,
        None => {
            let v = ept.unwrap_or(0).max(0);
            u64::try_from(v).map_err(|_| {
                Error::new(
                    plan.abs(q),
                    "sidx",
                    overflow("sidx.earliest_presentation_time", v),
                )
            })?
        }
    };
    let mut sidx = Sidx {
        version: 0,
        flags: 0,
        reference_id: track,
        timescale: p.timescale.get(),
        earliest_presentation_time: ept,
        first_offset: 0,
        references,
    };
    sidx.version = sidx.needed_version();
    plan.shifts.push(Shift {
        at: plan.abs(q),
        delta: sidx.encoded_len() as i64,
        own_sidx: true,
    });
    let patch = plan.patches.len();
    plan.replace(q, 0, NewBytes::Heap(Vec::new()));
    Ok(SidxPlan::Insert {
        patch,
        sidx,
        ranges,
    })
}

fn size31(plan: &Plan<'_>, i_at: u64, v: i128) -> Result<u32, Error> {
    u32::try_from(v)
        .ok()
        .filter(|&s| s <= super::super::sidx::MAX_REFERENCED_SIZE)
        .ok_or_else(|| Error::new(i_at, "sidx", overflow("sidx.referenced_size", v)))
        .map_err(|e| e.in_path(plan.index.path(0)))
}

pub(super) fn fix(plan: &mut Plan<'_>, _moofs: &[Moof], sp: SidxPlan) -> Result<(), Error> {
    match sp {
        SidxPlan::Dropped => Ok(()),
        SidxPlan::Insert {
            patch,
            mut sidx,
            ranges,
        } => {
            for (r, &(s, e)) in sidx.references.iter_mut().zip(&ranges) {
                let n = plan.shift_boundary(plan.abs(e), false)
                    - plan.shift_boundary(plan.abs(s), false);
                r.referenced_size = size31(plan, plan.abs(s), n)?;
            }
            let bytes = sidx.encode()?;
            if let Some(p) = plan.patches.get_mut(patch) {
                p.new = NewBytes::Heap(bytes);
            }
            Ok(())
        }
        SidxPlan::Keep {
            ept,
            first_offset,
            boxes,
        } => {
            let boxes = if boxes.is_empty() {
                if plan.shifts.is_empty() {
                    return Ok(());
                }
                let mut v = Vec::new();
                for i in top_sidx(plan) {
                    let s = parse_at(plan, i)?;
                    let ver = s.version;
                    v.push((i, s, ver));
                }
                v
            } else {
                boxes
            };
            for (i, old, version) in boxes {
                let b = plan.index.boxes()[i].clone();
                let ranges = old.reference_ranges(b.offset, b.size).ok_or_else(|| {
                    Error::new(
                        b.offset,
                        plan.index.path(i),
                        overflow("sidx.first_offset", 0),
                    )
                })?;
                let mut new = old.clone();
                new.version = version;
                if let Some(v) = ept {
                    new.earliest_presentation_time = v;
                }
                let sidx_end = b.offset + b.size;
                new.first_offset = match first_offset {
                    Some(v) => v,
                    None => {
                        let s0 = ranges.first().map_or(sidx_end + old.first_offset, |r| r.0);
                        let v = plan.shift_boundary(s0, true) - plan.shift_boundary(sidx_end, true);
                        u64::try_from(v).map_err(|_| {
                            Error::new(
                                b.offset,
                                plan.index.path(i),
                                overflow("sidx.first_offset", v),
                            )
                        })?
                    }
                };
                for (r, &(s, e)) in new.references.iter_mut().zip(&ranges) {
                    let n = plan.shift_boundary(e, true) - plan.shift_boundary(s, true);
                    r.referenced_size =
                        size31(plan, s, n)?.min(super::super::sidx::MAX_REFERENCED_SIZE);
                }
                let hl = b.header_len;
                if version != old.version {
                    let bytes = new.encode().map_err(|e| e.in_path(plan.index.path(i)))?;
                    plan.replace(b.start, b.size as usize, NewBytes::Heap(bytes));
                    continue;
                }
                let wide = version == 1;
                let w = if wide { 8 } else { 4 };
                let ept_at = b.start + hl + 12;
                if !wide
                    && (new.earliest_presentation_time > u64::from(u32::MAX)
                        || new.first_offset > u64::from(u32::MAX))
                {
                    return Err(plan.err(
                        i,
                        ept_at,
                        overflow("sidx.first_offset", i128::from(new.first_offset)),
                    ));
                }
                plan.set_uint(ept_at, w, new.earliest_presentation_time);
                plan.set_uint(ept_at + w, w, new.first_offset);
                let refs_at = ept_at + 2 * w + 4;
                for (k, (r, o)) in new.references.iter().zip(&old.references).enumerate() {
                    if r.referenced_size != o.referenced_size {
                        let v = (u32::from(r.reference_type) << 31) | r.referenced_size;
                        plan.set_uint(refs_at + 12 * k, 4, u64::from(v));
                    }
                }
            }
            Ok(())
        }
    }
}
