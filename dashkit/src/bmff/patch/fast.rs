//! Allocation-light fast path of [`super::rewrite_segment`] for the live-shift case: set tfdt
//! and mfhd values in place when no box changes size, with no sidx or emsg edit.
//!
//! It walks only the top level and the `moof` subtrees, keeps everything in fixed arrays on the
//! stack, and gives up (returns `None`) on anything unusual: a header form other than a plain
//! 32-bit size (top-level size 0 excepted), a container inside `moof` other than `traf`, a
//! missing or unreadable tfhd/tfdt, a tfdt that must grow, an overflow, or more boxes than the
//! arrays hold. The general path then redoes the work and reports any error with its offset and
//! box path, so results (errors included) are the same either way.

use super::super::boxes::{
    TFHD_BASE_DATA_OFFSET, TFHD_DEFAULT_DURATION, TFHD_DEFAULT_FLAGS, TFHD_DEFAULT_SIZE,
    TFHD_SAMPLE_DESCRIPTION_INDEX,
};
use super::super::header::BoxHeader;
use super::super::index::children_offset;
use super::super::FourCc;
use super::{Edits, Part, Rewritten, SidxEdit};

/// Most top-level boxes handled on the fast path.
const MAX_TOPS: usize = 16;
/// Most in-place field changes handled on the fast path.
const MAX_PATCHES: usize = 8;
/// Most distinct tracks with a tfdt edit.
const MAX_TRACKS: usize = 8;

/// A box header read on the fast path: start, end, header length (always 8 here).
#[derive(Clone, Copy)]
struct Hdr {
    kind: [u8; 4],
    start: usize,
    end: usize,
}

/// Reads a plain box header at `pos` inside `[pos, end)` (through [`BoxHeader::parse`]);
/// `None` for any other form (largesize, uuid, size 0 below the top level) or a bad size.
fn header(data: &[u8], pos: usize, end: usize, top: bool) -> Option<Hdr> {
    let w = data.get(pos..end)?;
    let h = BoxHeader::parse(w, 0).ok()?;
    if h.header_len != 8 || (h.size.is_none() && !top) {
        return None;
    }
    let size = usize::try_from(h.size_within(w.len() as u64, 0).ok()?).ok()?;
    Some(Hdr {
        kind: h.kind.0,
        start: pos,
        end: pos + size,
    })
}

/// Leaf boxes common in `moof`, known without asking [`children_offset`].
fn is_leaf(kind: &[u8; 4]) -> bool {
    matches!(
        kind,
        b"mfhd"
            | b"tfhd"
            | b"tfdt"
            | b"trun"
            | b"sdtp"
            | b"sbgp"
            | b"sgpd"
            | b"saiz"
            | b"saio"
            | b"senc"
            | b"subs"
            | b"pssh"
    )
}

/// Fixed-capacity list.
struct Fixed<T: Copy, const N: usize> {
    items: [Option<T>; N],
    len: usize,
}

impl<T: Copy, const N: usize> Fixed<T, N> {
    fn new() -> Self {
        Fixed {
            items: [None; N],
            len: 0,
        }
    }

    fn push(&mut self, v: T) -> Option<()> {
        *self.items.get_mut(self.len)? = Some(v);
        self.len += 1;
        Some(())
    }

    fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.items.iter().take(self.len).flatten().copied()
    }
}

/// Small in-place patch: position, width, new bytes (right-aligned in 8).
#[derive(Clone, Copy)]
struct Small {
    at: usize,
    len: usize,
    bytes: [u8; 8],
}

struct State<'d> {
    data: &'d [u8],
    patches: Fixed<Small, MAX_PATCHES>,
}

impl State<'_> {
    /// Like `Plan::set_uint` (`len` is 4 or 8 here): records a change unless the bytes
    /// already hold `value` (compared as a number: no slice comparison).
    fn set_uint(&mut self, at: usize, len: usize, value: u64) -> Option<()> {
        let cur = match len {
            4 => u64::from(be_u32(self.data, at)?),
            8 => be_u64(self.data, at)?,
            _ => return None,
        };
        let value = if len == 4 {
            value & u64::from(u32::MAX)
        } else {
            value
        };
        if cur == value {
            return Some(());
        }
        let mut buf = [0u8; 8];
        buf.get_mut(..len)?
            .copy_from_slice(value.to_be_bytes().get(8 - len..)?);
        self.patches.push(Small {
            at,
            len,
            bytes: buf,
        })
    }
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(data.get(at..at + 8)?.try_into().ok()?))
}

/// `track_ID` of the whole `tfhd` box `b` (plain 8-byte header), read in place; `None`
/// exactly where [`crate::bmff::boxes::Tfhd::parse`] fails (version other than 0, optional fields past the end).
fn tfhd_track_id(b: &[u8]) -> Option<u32> {
    let head = be_u32(b, 8)?;
    let (version, flags) = (head >> 24, head & 0x00FF_FFFF);
    if version != 0 {
        return None;
    }
    let mut need = 16;
    if flags & TFHD_BASE_DATA_OFFSET != 0 {
        need += 8;
    }
    for f in [
        TFHD_SAMPLE_DESCRIPTION_INDEX,
        TFHD_DEFAULT_DURATION,
        TFHD_DEFAULT_SIZE,
        TFHD_DEFAULT_FLAGS,
    ] {
        if flags & f != 0 {
            need += 4;
        }
    }
    if b.len() < need {
        return None;
    }
    be_u32(b, 12)
}

/// Version and `baseMediaDecodeTime` of the whole `tfdt` box `b` (plain 8-byte header), read
/// in place; `None` exactly where [`crate::bmff::boxes::Tfdt::parse`] fails.
fn tfdt_read(b: &[u8]) -> Option<(u8, u64)> {
    match b.get(8)? {
        0 => Some((0, u64::from(be_u32(b, 12)?))),
        1 => Some((1, be_u64(b, 12)?)),
        _ => None,
    }
}

/// The fast path; `None` means "use the general path".
pub(super) fn try_rewrite<'a>(data: &'a [u8], edits: &Edits) -> Option<Rewritten<'a>> {
    if edits.sidx != SidxEdit::Keep || !edits.emsg.is_empty() {
        return None;
    }
    let mut st = State {
        data,
        patches: Fixed::new(),
    };
    let mut tops: Fixed<(usize, usize), MAX_TOPS> = Fixed::new();
    let mut deltas: Fixed<(u32, i128), MAX_TRACKS> = Fixed::new();
    let mut moof_no: u32 = 0;
    let mut pos = 0usize;
    while pos < data.len() {
        let b = header(data, pos, data.len(), true)?;
        tops.push((b.start, b.end))?;
        if b.kind == *b"moof" {
            moof(&mut st, b, edits, moof_no, &mut deltas)?;
            moof_no = moof_no.wrapping_add(1);
        }
        pos = b.end;
    }
    emit(data, &tops, &st.patches)
}

/// Builds the output as [`super::emit_parts`] would for these in-place patches (the fast-path
/// test checks that the parts are equal): runs of unchanged top-level boxes become one borrowed
/// part, runs of changed ones one owned copy with the new bytes written over it. No sorting
/// and no patch list is built.
fn emit<'a>(
    data: &'a [u8],
    tops: &Fixed<(usize, usize), MAX_TOPS>,
    patches: &Fixed<Small, MAX_PATCHES>,
) -> Option<Rewritten<'a>> {
    // Overlapping changes cannot come from distinct mfhd/tfdt fields; leave them to the
    // general path all the same.
    for (i, a) in patches.iter().enumerate() {
        if patches
            .iter()
            .skip(i + 1)
            .any(|b| a.at < b.at + b.len && b.at < a.at + a.len)
        {
            return None;
        }
    }
    let mut parts = Vec::with_capacity(4);
    let mut owned: Vec<u8> = Vec::new();
    let mut borrowed: Option<(usize, usize)> = None;
    for (s, e) in tops.iter() {
        let inside = |p: &Small| s <= p.at && p.at < e;
        if !patches.iter().any(|p| inside(&p)) {
            if !owned.is_empty() {
                parts.push(Part::Owned(std::mem::take(&mut owned)));
            }
            borrowed = match borrowed {
                Some((bs, be)) if be == s => Some((bs, e)),
                Some((bs, be)) => {
                    parts.push(Part::Borrowed(data.get(bs..be)?));
                    Some((s, e))
                }
                None => Some((s, e)),
            };
            continue;
        }
        if let Some((bs, be)) = borrowed.take() {
            parts.push(Part::Borrowed(data.get(bs..be)?));
        }
        let base = owned.len();
        owned.extend_from_slice(data.get(s..e)?);
        for p in patches.iter().filter(|p| inside(p)) {
            let at = base + (p.at - s);
            owned
                .get_mut(at..at + p.len)?
                .copy_from_slice(p.bytes.get(..p.len)?);
        }
    }
    if let Some((bs, be)) = borrowed {
        parts.push(Part::Borrowed(data.get(bs..be)?));
    }
    if !owned.is_empty() {
        parts.push(Part::Owned(owned));
    }
    Some(Rewritten { parts })
}

/// One top-level moof: records mfhd and tfdt changes.
fn moof(
    st: &mut State<'_>,
    m: Hdr,
    edits: &Edits,
    moof_no: u32,
    deltas: &mut Fixed<(u32, i128), MAX_TRACKS>,
) -> Option<()> {
    let data = st.data;
    let mut mfhd: Option<Hdr> = None;
    let mut pos = m.start + 8;
    // (traf, first tfhd, first tfdt) per traf.
    let mut trafs: Fixed<(Hdr, Option<Hdr>, Option<Hdr>), 8> = Fixed::new();
    while pos < m.end {
        let c = header(data, pos, m.end, false)?;
        if c.kind == *b"traf" {
            let mut tfhd = None;
            let mut tfdt = None;
            let mut q = c.start + 8;
            while q < c.end {
                let g = header(data, q, c.end, false)?;
                let payload = data.get(g.start + 8..g.end)?;
                if !is_leaf(&g.kind) && children_offset(&FourCc(g.kind), payload, 2).is_some() {
                    return None;
                }
                if g.kind == *b"tfhd" && tfhd.is_none() {
                    tfhd = Some(g);
                } else if g.kind == *b"tfdt" && tfdt.is_none() {
                    tfdt = Some(g);
                }
                q = g.end;
            }
            trafs.push((c, tfhd, tfdt))?;
        } else {
            let payload = data.get(c.start + 8..c.end)?;
            if !is_leaf(&c.kind) && children_offset(&FourCc(c.kind), payload, 1).is_some() {
                return None;
            }
            if c.kind == *b"mfhd" && mfhd.is_none() {
                mfhd = Some(c);
            }
        }
        pos = c.end;
    }
    if !edits.tfdt.is_empty() {
        for (_, tfhd, tfdt) in trafs.iter() {
            let h = tfhd?;
            let track = tfhd_track_id(data.get(h.start..h.end)?)?;
            let Some(edit) = edits
                .tfdt
                .iter()
                .find(|e| e.track_id.is_none_or(|id| id == track))
            else {
                continue;
            };
            let d = tfdt?;
            let (old_version, old_time) = tfdt_read(data.get(d.start..d.end)?)?;
            let known = deltas.iter().find(|(id, _)| *id == track);
            let delta = match known {
                Some((_, delta)) => delta,
                None => {
                    let delta = edit.delta(old_time);
                    deltas.push((track, delta))?;
                    delta
                }
            };
            let value = u64::try_from(i128::from(old_time) + delta).ok()?;
            if old_version == 0 && value > u64::from(u32::MAX) {
                return None;
            }
            let w = if old_version == 1 { 8 } else { 4 };
            st.set_uint(d.start + 12, w, value)?;
        }
    }
    if let (Some(first), Some(b)) = (edits.sequence_number, mfhd) {
        if b.end - b.start >= 16 {
            st.set_uint(b.start + 12, 4, u64::from(first.wrapping_add(moof_no)))?;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::super::{rewrite_general, TfdtEdit, TfdtTarget};
    use super::*;
    use crate::bmff::boxes::{Tfdt, Tfhd};
    use proptest::prelude::*;

    fn full_box(kind: &[u8; 4], version: u8, flags: u32, rest: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(12 + rest.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend_from_slice(kind);
        b.push(version);
        b.extend_from_slice(&flags.to_be_bytes()[1..]);
        b.extend_from_slice(rest);
        b
    }

    proptest! {
        /// The in-place tfhd/tfdt readers give what the box decoders give, and fail where
        /// they fail.
        #[test]
        fn in_place_readers_agree_with_the_decoders(
            version in 0u8..3,
            flags in prop_oneof![Just(0x02_0000u32), 0u32..0x40, any::<u32>().prop_map(|f| f & 0xFF_FFFF)],
            rest in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let b = full_box(b"tfhd", version, flags, &rest);
            prop_assert_eq!(tfhd_track_id(&b), Tfhd::parse(&b, 0).ok().map(|t| t.track_id));
            let b = full_box(b"tfdt", version, flags, &rest);
            prop_assert_eq!(
                tfdt_read(&b),
                Tfdt::parse(&b, 0).ok().map(|t| (t.version, t.base_media_decode_time))
            );
        }
    }

    fn fixture_segments() -> Vec<(String, Vec<u8>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash");
        let mut out = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "m4s" || x == "mp4") {
                    out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out
    }

    /// The fast path gives exactly the parts of the general path whenever it answers, and
    /// answers for the plain live-shift edits on every fixture media segment.
    #[test]
    fn fast_path_matches_general_path_on_fixtures() {
        let segs = fixture_segments();
        assert!(segs.len() > 10, "fixtures missing: {}", segs.len());
        let mut fast_hits = 0;
        for (name, data) in &segs {
            for (tfdt, seq, track) in [
                (0u64, 1u32, None),
                (123_456_789, 42, None),
                (7, 9, Some(1)),
                (u64::from(u32::MAX), 3, None),
                (1 << 40, 3, None),
            ] {
                let edits = Edits {
                    tfdt: vec![TfdtEdit {
                        track_id: track,
                        target: TfdtTarget::Set(tfdt),
                    }],
                    sequence_number: Some(seq),
                    ..Edits::default()
                };
                let general = rewrite_general(data, &edits);
                if let Some(fast) = try_rewrite(data, &edits) {
                    fast_hits += 1;
                    assert_eq!(Ok(fast), general, "{name} tfdt={tfdt} seq={seq}");
                }
            }
            // Current values: no change at all, one borrowed part.
            let idx = crate::bmff::Index::parse(data).unwrap();
            let first_tfdt = idx.all(b"tfdt").next();
            if let Some(t) = first_tfdt {
                let b = &idx.boxes()[t];
                let v = Tfdt::parse(&data[b.range()], 0).unwrap();
                let edits = Edits {
                    tfdt: vec![TfdtEdit {
                        track_id: None,
                        target: TfdtTarget::Set(v.base_media_decode_time),
                    }],
                    ..Edits::default()
                };
                if let Some(fast) = try_rewrite(data, &edits) {
                    assert_eq!(fast.to_vec(), *data, "{name}");
                    assert_eq!(fast.owned_len(), 0, "{name}");
                }
            }
        }
        assert!(fast_hits >= segs.len(), "fast path used {fast_hits} times");
    }
}
