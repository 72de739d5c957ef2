//! emsg insertion (ISO/IEC 23009-1 §5.10.3.3): before the first moof, after styp/sidx/prft.

use super::super::boxes::Emsg;
use super::super::{Error, ErrorKind, FourCc};
use super::{NewBytes, Plan, Shift};

/// Plans the insertion of `emsgs` (in order) right before the first top-level moof.
pub(super) fn plan(plan: &mut Plan<'_>, emsgs: &[Emsg]) -> Result<(), Error> {
    if emsgs.is_empty() {
        return Ok(());
    }
    let Some(m) = plan
        .index
        .top()
        .find(|&i| plan.index.boxes()[i].is(b"moof"))
    else {
        return Err(Error::new(
            plan.index.base(),
            "",
            ErrorKind::Missing {
                fourcc: FourCc(*b"moof"),
            },
        ));
    };
    let at = plan.index.boxes()[m].start;
    let mut bytes = Vec::new();
    for e in emsgs {
        e.encode_into(&mut bytes)
            .map_err(|err| Error::new(plan.abs(at), "emsg", err.kind))?;
    }
    plan.shifts.push(Shift {
        at: plan.abs(at),
        delta: bytes.len() as i64,
        own_sidx: false,
    });
    plan.replace(at, 0, NewBytes::Heap(bytes));
    Ok(())
}
