//! mfhd sequence_number (ISO/IEC 14496-12 §8.8.5), set in place.

use super::{Moof, Plan};

/// Sets the first moof's sequence number to `first` and numbers later moofs consecutively
/// (wrapping at 2^32, as the 32-bit field does).
pub(super) fn plan(plan: &mut Plan<'_>, moofs: &[Moof], first: Option<u32>) {
    let Some(first) = first else { return };
    for (k, m) in moofs.iter().enumerate() {
        let Some(i) = m.mfhd_i else { continue };
        let b = &plan.index.boxes()[i];
        if b.size < b.header_len as u64 + 8 {
            continue;
        }
        let at = b.start + b.header_len + 4;
        let seq = first.wrapping_add(k as u32);
        plan.set_uint(at, 4, u64::from(seq));
    }
}
