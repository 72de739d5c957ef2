//! The last segment of a session (docs/live-options.md#the-last-segment): a session with an
//! end (`stop_`, `stoprel_`, `dur_`) marks its last media segment with the `lmsg` compatible
//! brand in the segment's `styp` (ISO/IEC 23009-1 §7.3.1, "last media segment"), so a player
//! knows the stream ends there without fetching the next MPD.
//!
//! The `styp` is rebuilt as dashlivesim rebuilds it: every 4-byte word after the box header
//! except an `lmsg` already there is kept (the major brand, the minor version and the other
//! compatible brands), then `lmsg` is appended. A segment without a `styp` at its start gets no
//! brand (there is nowhere to put it; livesim2 and dashlivesim do the same).

use crate::bmff::index::{Depth, Index};
use crate::bmff::patch::{Part, Rewritten};

use super::Error;

/// The brand that marks the last media segment of a presentation.
pub(crate) const LMSG: [u8; 4] = *b"lmsg";

/// `styp` bytes with `lmsg` appended as a compatible brand (an `lmsg` already present is
/// dropped first, so the brand appears once, last). `None` when `styp` is not a well-formed
/// 32-bit-size `styp` box.
pub(crate) fn styp_with_lmsg(styp: &[u8]) -> Option<Vec<u8>> {
    let size = usize::try_from(u32::from_be_bytes(styp.get(..4)?.try_into().ok()?)).ok()?;
    if styp.get(4..8)? != b"styp" || size != styp.len() || size < 8 || (size - 8) % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(size + 4);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(b"styp");
    for word in styp[8..].chunks_exact(4) {
        if word != LMSG {
            out.extend_from_slice(word);
        }
    }
    out.extend_from_slice(&LMSG);
    let len = u32::try_from(out.len()).ok()?;
    out[..4].copy_from_slice(&len.to_be_bytes());
    Some(out)
}

/// The size of the `styp` box at the start of `head` (`None` when it does not start with one).
fn leading_styp_len(head: &[u8]) -> Option<usize> {
    if head.get(4..8)? != b"styp" {
        return None;
    }
    usize::try_from(u32::from_be_bytes(head.get(..4)?.try_into().ok()?)).ok()
}

/// Whether any `traf` of the segment counts its data from an absolute `base_data_offset`
/// (tfhd flag 0x000001, docs/box-rewrite.md#data-base-modes): a `styp` that grows would move
/// the samples away from those positions.
fn has_absolute_base(vod_bytes: &[u8]) -> Result<bool, Error> {
    let idx = Index::parse_with(vod_bytes, 0, Depth::TopAndMoof).map_err(|e| Error::Segment {
        url: String::new(),
        source: Box::new(e),
    })?;
    let absolute = idx.all(b"tfhd").any(|i| {
        let p = idx.boxes()[i].payload_range();
        vod_bytes
            .get(p.start + 3)
            .is_some_and(|flags_low| flags_low & 1 == 1)
    });
    Ok(absolute)
}

/// Marks a rewritten live segment as the last one: its leading `styp` gets the `lmsg` brand
/// ([`styp_with_lmsg`]). Returns whether the brand was added: `false` when the output does not
/// start with a `styp`, or when a `traf` of `vod_bytes` (the segment before the rewrite) uses an
/// absolute `base_data_offset`, which four more bytes in front of it would break
/// (docs/live-options.md#the-last-segment).
pub(crate) fn mark_last_segment(out: &mut Rewritten<'_>, vod_bytes: &[u8]) -> Result<bool, Error> {
    let mut head = [0u8; 8];
    let mut got = 0;
    for p in &out.parts {
        let b = p.as_bytes();
        let n = b.len().min(8 - got);
        head[got..got + n].copy_from_slice(&b[..n]);
        got += n;
        if got == 8 {
            break;
        }
    }
    let Some(len) = leading_styp_len(&head[..got]) else {
        return Ok(false);
    };
    if len > out.len() || has_absolute_base(vod_bytes)? {
        return Ok(false);
    }
    let old = out.to_vec_prefix(len);
    let Some(new) = styp_with_lmsg(&old) else {
        return Ok(false);
    };
    replace_prefix(out, len, new);
    Ok(true)
}

/// Replaces the first `len` output bytes of `out` by `new`, keeping the rest of the parts.
fn replace_prefix<'a>(out: &mut Rewritten<'a>, len: usize, new: Vec<u8>) {
    let mut parts = Vec::with_capacity(out.parts.len() + 1);
    parts.push(Part::Owned(new));
    let mut skip = len;
    for p in std::mem::take(&mut out.parts) {
        let n = p.as_bytes().len();
        if skip >= n {
            skip -= n;
            continue;
        }
        match p {
            Part::Borrowed(s) => parts.push(Part::Borrowed(&s[skip..])),
            Part::Owned(v) => parts.push(Part::Owned(v[skip..].to_vec())),
        }
        skip = 0;
    }
    out.parts = parts;
}

/// The first bytes of a [`Rewritten`], copied.
trait Prefix {
    fn to_vec_prefix(&self, len: usize) -> Vec<u8>;
}

impl Prefix for Rewritten<'_> {
    fn to_vec_prefix(&self, len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len);
        for p in &self.parts {
            let b = p.as_bytes();
            let n = b.len().min(len - v.len());
            v.extend_from_slice(&b[..n]);
            if v.len() == len {
                break;
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn b(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = u32::try_from(payload.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(payload);
        v
    }

    /// styp + one moof (tfhd with `tf_flags`, tfdt v0, trun with data_offset) + mdat.
    fn segment(tf_flags: u32) -> Vec<u8> {
        let styp = b(
            b"styp",
            &[b"msdh".as_slice(), &[0; 4], b"msdh", b"msix"].concat(),
        );
        let mut tfhd_payload = tf_flags.to_be_bytes().to_vec();
        tfhd_payload.extend_from_slice(&1u32.to_be_bytes());
        if tf_flags & 1 == 1 {
            tfhd_payload.extend_from_slice(&0u64.to_be_bytes());
        }
        let tfhd = b(b"tfhd", &tfhd_payload);
        let tfdt = b(b"tfdt", &[0; 8]);
        let trun = b(b"trun", &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let moof = b(
            b"moof",
            &[
                b(b"mfhd", &[0; 8]),
                b(b"traf", &[tfhd, tfdt, trun].concat()),
            ]
            .concat(),
        );
        [styp, moof, b(b"mdat", b"x")].concat()
    }

    #[test]
    fn lmsg_is_appended_and_the_rest_is_unchanged() {
        let seg = segment(0x02_0000);
        let styp_len = 24;
        // The output as a rewrite gives it: a borrowed slice spanning styp and moof.
        let mut out = Rewritten {
            parts: vec![Part::Borrowed(&seg[..40]), Part::Borrowed(&seg[40..])],
        };
        assert!(mark_last_segment(&mut out, &seg).unwrap());
        let v = out.to_vec();
        assert_eq!(&v[..4], &28u32.to_be_bytes());
        assert_eq!(
            &v[8..28],
            [b"msdh".as_slice(), &[0; 4], b"msdh", b"msix", b"lmsg"].concat()
        );
        assert_eq!(&v[28..], &seg[styp_len..]);
        // The media bytes stay borrowed.
        assert_eq!(out.owned_len(), 28);
    }

    #[test]
    fn absolute_base_data_offset_or_no_styp_gets_no_brand() {
        let seg = segment(0x00_0001);
        let mut out = Rewritten {
            parts: vec![Part::Borrowed(&seg)],
        };
        assert!(!mark_last_segment(&mut out, &seg).unwrap());
        assert_eq!(out.to_vec(), seg);
        let seg = segment(0x02_0000);
        let no_styp = &seg[24..];
        let mut out = Rewritten {
            parts: vec![Part::Borrowed(no_styp)],
        };
        assert!(!mark_last_segment(&mut out, no_styp).unwrap());
        assert_eq!(out.to_vec(), no_styp);
    }

    #[test]
    fn malformed_styp_is_left_alone() {
        assert_eq!(styp_with_lmsg(b"\0\0\0\x0bstypabc"), None);
        assert_eq!(styp_with_lmsg(b"\0\0\0\x08ftyp"), None);
        assert_eq!(styp_with_lmsg(b"\0\0\0\x09styp"), None);
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn styp_with_lmsg() {
        use crate::live::lmsg::styp_with_lmsg;
        let styp = [&[0, 0, 0, 16][..], b"styp", b"msdh", &[0, 0, 0, 0]].concat();
        let out = styp_with_lmsg(&styp).unwrap();
        assert_eq!(
            out,
            [&[0, 0, 0, 20][..], b"styp", b"msdh", &[0, 0, 0, 0], b"lmsg"].concat()
        );
        assert_eq!(styp_with_lmsg(&out).unwrap(), out);
    }
}
