//! Zero-copy box index (ISO/IEC 14496-12 §4.2): one pass over `&[u8]` that records, for each
//! box, its type, absolute offset, header and payload ranges and parent. It descends only into
//! containers it knows (and into `stsd` sample entries past their fixed preambles), never into
//! `mdat` or other leaf payloads.

use std::fmt;
use std::ops::Range;

use super::header::BoxHeader;
use super::{Error, ErrorKind};
use crate::limits::MAX_BOX_DEPTH;

/// A four-character code (box type, brand, sample entry format).
///
/// ```
/// use dashkit::bmff::FourCc;
/// assert_eq!(FourCc::new(b"moof").to_string(), "moof");
/// assert_eq!(FourCc::new(b"\x00ab\xff").to_string(), "\\x00ab\\xff");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FourCc(pub [u8; 4]);

impl FourCc {
    /// The code from its four bytes.
    pub const fn new(b: &[u8; 4]) -> Self {
        FourCc(*b)
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in &self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FourCc({self})")
    }
}

/// One box found by the [`Index`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxRef {
    /// Box type.
    pub kind: FourCc,
    /// `uuid` boxes: the 16-byte extended type.
    pub usertype: Option<[u8; 16]>,
    /// Absolute offset of the first header byte (the index's base offset plus `start`).
    pub offset: u64,
    /// Position of the first header byte within the indexed slice.
    pub start: usize,
    /// Whole box length in bytes (for size 0, up to the end of the input).
    pub size: u64,
    /// Header length: 8, 16 (largesize), 24 (uuid) or 32 (uuid + largesize).
    pub header_len: usize,
    /// The header used the 64-bit `largesize` form.
    pub large: bool,
    /// The header declared size 0 ("to the end of the file").
    pub to_end: bool,
    /// Nesting depth; top-level boxes are 0.
    pub depth: usize,
    /// Position of the parent in [`Index::boxes`].
    pub parent: Option<usize>,
    /// Index of this box among its siblings of the same type (0-based).
    pub sibling_index: usize,
    /// Where this box's children start, relative to `start`, if the index descended into it.
    pub children_at: Option<usize>,
    /// Position in [`Index::boxes`] one past this box's last descendant.
    pub subtree_end: usize,
}

impl BoxRef {
    /// Header bytes, relative to the indexed slice.
    pub fn header_range(&self) -> Range<usize> {
        self.start..self.start + self.header_len
    }

    /// Payload bytes (after the header), relative to the indexed slice.
    pub fn payload_range(&self) -> Range<usize> {
        self.start + self.header_len..self.end()
    }

    /// Whole box, relative to the indexed slice.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end()
    }

    /// One past the last byte, relative to the indexed slice.
    pub fn end(&self) -> usize {
        // size was checked against the slice length when the box was indexed.
        self.start + self.size as usize
    }

    /// True if the box has this type.
    pub fn is(&self, kind: &[u8; 4]) -> bool {
        self.kind.0 == *kind
    }
}

/// How far the index descends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Every known container, sample entries included.
    Full,
    /// Top-level boxes plus the subtree of each `moof`: what segment rewriting needs.
    TopAndMoof,
}

/// A zero-copy index of the boxes in a byte slice, in file (pre-)order.
///
/// ```
/// use dashkit::bmff::Index;
/// // moof { mfhd } followed by an empty mdat.
/// let data = [
///     0, 0, 0, 24, b'm', b'o', b'o', b'f',
///     0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 0, 0, 0, 7,
///     0, 0, 0, 8, b'm', b'd', b'a', b't',
/// ];
/// let index = Index::parse(&data).unwrap();
/// let mfhd = index.find("moof/mfhd").unwrap();
/// assert_eq!(index.boxes()[mfhd].offset, 8);
/// assert_eq!(index.path(mfhd), "moof/mfhd[0]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    boxes: Vec<BoxRef>,
    base: u64,
}

/// Containers whose payload is nothing but child boxes (ISO/IEC 14496-12, 23001-7, 14496-15).
const PLAIN_CONTAINERS: &[&[u8; 4]] = &[
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"mvex", b"moof", b"traf",
    b"mfra", b"udta", b"sinf", b"schi", b"tref", b"trgr", b"mdia", b"rinf", b"strk", b"strd",
    b"meco", b"gmhd",
];

/// Visual sample entries: children start 78 bytes into the payload (14496-12 §12.1.3).
const VISUAL_ENTRIES: &[&[u8; 4]] = &[
    b"avc1", b"avc2", b"avc3", b"avc4", b"hvc1", b"hev1", b"hvc2", b"hev2", b"encv", b"av01",
    b"vp08", b"vp09", b"dvh1", b"dvhe", b"dva1", b"dvav", b"mp4v", b"resv", b"vvc1", b"vvi1",
    b"dav1",
];

/// Audio sample entries: children start 28 bytes into the payload for version 0 (§12.2.3).
const AUDIO_ENTRIES: &[&[u8; 4]] = &[
    b"mp4a", b"enca", b"ac-3", b"ec-3", b"ac-4", b"Opus", b"fLaC", b"alac", b"mha1", b"mhm1",
    b"dtsc", b"dtse", b"dtsh", b"dtsl", b"ipcm", b"fpcm", b"lpcm", b"mha2", b"mhm2", b"iamf",
];

/// True for the sample entry types whose children the index walks.
fn is_sample_entry(kind: &FourCc) -> bool {
    let k = &kind.0;
    VISUAL_ENTRIES.contains(&k)
        || AUDIO_ENTRIES.contains(&k)
        || matches!(k, b"wvtt" | b"tx3g" | b"stpp")
}

/// True when `window` starts with a box header whose size fits in it (size 0, "to the end",
/// included): what the rest of a sample entry must be to be read as child boxes.
fn fits_a_box(window: &[u8]) -> bool {
    match BoxHeader::parse(window, 0) {
        Ok(h) => h.size_within(window.len() as u64, 0).is_ok(),
        Err(_) => false,
    }
}

/// Where children start inside a payload, or None for a leaf.
pub(crate) fn children_offset(kind: &FourCc, payload: &[u8], depth: usize) -> Option<usize> {
    let k = &kind.0;
    if PLAIN_CONTAINERS.contains(&k) {
        return Some(0);
    }
    match k {
        // FullBox + entry_count.
        b"stsd" => Some(8),
        // FullBox + entry_count (data reference entries are boxes).
        b"dref" => Some(8),
        // ISO meta is a FullBox; QuickTime's is a plain container (first 4 bytes are a size).
        b"meta" => match payload.get(..4) {
            Some([0, 0, 0, 0]) => Some(4),
            _ => Some(0),
        },
        // Sample entries only directly under stsd (depth of stsd + 1).
        _ if depth >= 1 && VISUAL_ENTRIES.contains(&k) => Some(78),
        _ if depth >= 1 && AUDIO_ENTRIES.contains(&k) => {
            // SoundSampleEntry version (QuickTime v1/v2 carry more fields).
            let version = payload
                .get(8..10)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))?;
            match version {
                0 => Some(28),
                1 => Some(44),
                2 => Some(64),
                _ => None,
            }
        }
        b"wvtt" | b"tx3g" if depth >= 1 => Some(if k == b"wvtt" { 8 } else { 38 }),
        b"stpp" if depth >= 1 => {
            // reserved(6) + data_reference_index(2) + three NUL-terminated strings.
            let mut pos = 8usize;
            for _ in 0..3 {
                let rest = payload.get(pos..)?;
                pos += rest.iter().position(|&b| b == 0)? + 1;
            }
            Some(pos)
        }
        _ => None,
    }
}

/// Per-type sibling counters of one container, inline for the usual few types.
#[derive(Default)]
struct Seen {
    inline: [(u32, usize); 8],
    len: usize,
    spill: Vec<(u32, usize)>,
}

impl Seen {
    /// The sibling index of the next box of type `kind`.
    fn next(&mut self, kind: FourCc) -> usize {
        let k = u32::from_be_bytes(kind.0);
        let used = self.inline.get_mut(..self.len).unwrap_or(&mut []);
        if let Some((_, c)) = used
            .iter_mut()
            .chain(self.spill.iter_mut())
            .find(|(t, _)| *t == k)
        {
            *c += 1;
            return *c;
        }
        if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = (k, 0);
            self.len += 1;
        } else {
            self.spill.push((k, 0));
        }
        0
    }
}

struct Walker<'a> {
    data: &'a [u8],
    base: u64,
    mode: Depth,
    boxes: Vec<BoxRef>,
}

impl Index {
    /// Indexes every box in `data` (taken to start at absolute offset 0), descending into known
    /// containers.
    pub fn parse(data: &[u8]) -> Result<Index, Error> {
        Index::parse_with(data, 0, Depth::Full)
    }

    /// Indexes `data`, whose first byte sits at absolute offset `base`, to the given depth.
    pub fn parse_with(data: &[u8], base: u64, mode: Depth) -> Result<Index, Error> {
        let mut w = Walker {
            data,
            base,
            mode,
            boxes: Vec::with_capacity(if mode == Depth::Full { 64 } else { 16 }),
        };
        w.walk(0, data.len(), None, 0)?;
        Ok(Index {
            boxes: w.boxes,
            base,
        })
    }

    /// All boxes in file order (a parent precedes its children).
    pub fn boxes(&self) -> &[BoxRef] {
        &self.boxes
    }

    /// Absolute offset of the indexed slice's first byte.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Top-level boxes, as positions in [`Index::boxes`].
    pub fn top(&self) -> impl Iterator<Item = usize> + '_ {
        self.siblings_from(0, self.boxes.len())
    }

    /// Children of box `i`, as positions in [`Index::boxes`].
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.boxes.get(i).map_or(i, |b| b.subtree_end);
        self.siblings_from(i + 1, end)
    }

    fn siblings_from(&self, mut j: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::from_fn(move || {
            if j >= end {
                return None;
            }
            let cur = j;
            j = self.boxes.get(j).map_or(end, |b| b.subtree_end);
            Some(cur)
        })
    }

    /// The first child of `i` with type `kind`.
    pub fn child(&self, i: usize, kind: &[u8; 4]) -> Option<usize> {
        self.children(i).find(|&c| self.boxes[c].is(kind))
    }

    /// The box path of box `i`, e.g. `moof/traf[0]/trun[1]`. Top-level boxes carry `[n]` only
    /// when they are not the first of their type; nested boxes always carry it.
    pub fn path(&self, i: usize) -> String {
        path_of(&self.boxes, i)
    }

    /// The first box matching a slash-separated path of types, e.g. `moov/trak/mdia/mdhd`
    /// (first match at each level).
    pub fn find(&self, path: &str) -> Option<usize> {
        let mut candidates: Vec<usize> = self.top().collect();
        let mut found = None;
        for part in path.split('/') {
            let bytes = part.as_bytes();
            let kind: [u8; 4] = bytes.try_into().ok()?;
            let hit = candidates
                .iter()
                .copied()
                .find(|&c| self.boxes[c].is(&kind))?;
            found = Some(hit);
            candidates = self.children(hit).collect();
        }
        found
    }

    /// Every box of the given type, anywhere, in file order.
    pub fn all<'s>(&'s self, kind: &'s [u8; 4]) -> impl Iterator<Item = usize> + 's {
        (0..self.boxes.len()).filter(move |&i| self.boxes[i].is(kind))
    }
}

fn path_of(boxes: &[BoxRef], i: usize) -> String {
    let mut parts = Vec::new();
    let mut cur = Some(i);
    while let Some(c) = cur {
        let Some(b) = boxes.get(c) else { break };
        parts.push(segment(b.kind, b.sibling_index, b.depth));
        cur = b.parent;
    }
    parts.reverse();
    parts.join("/")
}

fn segment(kind: FourCc, n: usize, depth: usize) -> String {
    if depth == 0 && n == 0 {
        kind.to_string()
    } else {
        format!("{kind}[{n}]")
    }
}

impl Walker<'_> {
    fn parent_path(&self, parent: Option<usize>) -> String {
        match parent {
            None => String::new(),
            Some(p) => format!("{}/", path_of(&self.boxes, p)),
        }
    }

    fn fail(&self, parent: Option<usize>, pos: usize, seg: String, kind: ErrorKind) -> Error {
        Error::new(
            self.base + pos as u64,
            format!("{}{}", self.parent_path(parent), seg),
            kind,
        )
    }

    /// Indexes the boxes in `data[start..end]`, children of `parent` at `depth`.
    fn walk(
        &mut self,
        start: usize,
        end: usize,
        parent: Option<usize>,
        depth: usize,
    ) -> Result<(), Error> {
        if depth > MAX_BOX_DEPTH {
            let seg = "?".to_string();
            return Err(self.fail(
                parent,
                start,
                seg,
                ErrorKind::TooDeep { max: MAX_BOX_DEPTH },
            ));
        }
        let mut seen = Seen::default();
        let mut pos = start;
        // A sample entry may end with bytes that are not a box (QuickTime's four-byte
        // terminator, padding some muxers write); 14496-12 lets readers skip what they do not
        // understand at the end of a box, and other readers accept these files, so the walk
        // stops there instead of failing the whole file.
        let in_sample_entry = parent
            .and_then(|p| self.boxes.get(p))
            .is_some_and(|b| is_sample_entry(&b.kind));
        while pos < end {
            let avail = end - pos;
            let window = self.data.get(pos..end).unwrap_or(&[]);
            let at = self.base + pos as u64;
            if in_sample_entry && !fits_a_box(window) {
                break;
            }
            let header = match BoxHeader::parse(window, at) {
                Ok(h) => h,
                Err(e) => {
                    let seg = match e.kind {
                        Some(k) => segment(k, seen.next(k), depth),
                        None => "?".to_string(),
                    };
                    return Err(self.fail(parent, pos, seg, e.error));
                }
            };
            let kind = header.kind;
            let n = seen.next(kind);
            let seg = || segment(kind, n, depth);
            if header.size.is_none() && depth > 0 {
                return Err(self.fail(
                    parent,
                    pos,
                    seg(),
                    ErrorKind::SizeZeroNotLast {
                        trailing: (avail - 8) as u64,
                    },
                ));
            }
            let size = header
                .size_within(avail as u64, at)
                .map_err(|e| self.fail(parent, pos, seg(), e.error))?;
            let (header_len, usertype, large) =
                (header.header_len, header.usertype, header.large());
            let box_end = pos + size as usize;
            let me = self.boxes.len();
            self.boxes.push(BoxRef {
                kind,
                usertype,
                offset: self.base + pos as u64,
                start: pos,
                size,
                header_len,
                large,
                to_end: header.size.is_none(),
                depth,
                parent,
                sibling_index: n,
                children_at: None,
                subtree_end: me + 1,
            });
            let descend = match self.mode {
                Depth::Full => true,
                Depth::TopAndMoof => kind.0 == *b"moof" || self.in_moof(parent),
            };
            if descend && kind.0 != *b"mdat" {
                let payload = self.data.get(pos + header_len..box_end).unwrap_or(&[]);
                if let Some(off) = children_offset(&kind, payload, depth) {
                    let cstart = pos + header_len + off;
                    if cstart <= box_end {
                        self.boxes[me].children_at = Some(header_len + off);
                        self.walk(cstart, box_end, Some(me), depth + 1)?;
                    }
                }
            }
            self.boxes[me].subtree_end = self.boxes.len();
            pos = box_end;
        }
        Ok(())
    }

    fn in_moof(&self, parent: Option<usize>) -> bool {
        parent.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bmff::testbox::bx;

    /// issue 19: bytes after a sample entry's last child box (a QuickTime terminator, padding)
    /// are skipped, not an error; the children before them are indexed.
    #[test]
    fn trailing_bytes_after_sample_entry_children_are_skipped() {
        for tail in [
            &[0u8, 0, 0, 0][..],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9][..],
            &[0, 0, 0, 64, 0, 0][..],
        ] {
            let avcc = bx(b"avcC", &[1, 0x64, 0, 0x1f, 0xff, 0xe0, 0]);
            let avc1 = bx(b"avc1", &[&[0u8; 78][..], &avcc, tail].concat());
            let stsd = bx(b"stsd", &[&[0u8, 0, 0, 0, 0, 0, 0, 1][..], &avc1].concat());
            let moov = bx(
                b"moov",
                &bx(b"trak", &bx(b"mdia", &bx(b"minf", &bx(b"stbl", &stsd)))),
            );
            let index = Index::parse(&moov).expect("trailing bytes in a sample entry are skipped");
            assert!(index
                .find("moov/trak/mdia/minf/stbl/stsd/avc1/avcC")
                .is_some());
        }
        // Outside sample entries, bytes that are not a box are still an error.
        let bad = bx(
            b"moov",
            &[&bx(b"trak", &[])[..], &[0, 0, 0, 0][..]].concat(),
        );
        assert!(Index::parse(&bad).is_err());
    }

    #[test]
    fn flat_and_nested_with_paths() {
        let trun0 = bx(b"trun", &[0; 8]);
        let trun1 = bx(b"trun", &[0; 8]);
        let traf = bx(b"traf", &[trun0.clone(), trun1.clone()].concat());
        let moof = bx(b"moof", &traf);
        let data = [bx(b"styp", b"msdh"), moof, bx(b"mdat", b"xyz")].concat();
        let idx = Index::parse(&data).unwrap();
        let kinds: Vec<String> = idx.boxes().iter().map(|b| b.kind.to_string()).collect();
        assert_eq!(kinds, ["styp", "moof", "traf", "trun", "trun", "mdat"]);
        let t1 = idx.all(b"trun").nth(1).unwrap();
        assert_eq!(idx.path(t1), "moof/traf[0]/trun[1]");
        let b = &idx.boxes()[t1];
        assert_eq!(b.offset, 12 + 8 + 8 + 16);
        assert_eq!(b.payload_range(), 52..60);
        let moof = idx.find("moof").unwrap();
        assert_eq!(idx.children(moof).count(), 1);
        assert_eq!(idx.top().count(), 3);
        let mdat = idx.find("mdat").unwrap();
        assert_eq!(idx.children(mdat).count(), 0);
    }

    #[test]
    fn large_size_and_uuid() {
        // largesize mdat: size=1, type, u64 size 20, 4 payload bytes.
        let mut data = vec![0, 0, 0, 1];
        data.extend_from_slice(b"mdat");
        data.extend_from_slice(&20u64.to_be_bytes());
        data.extend_from_slice(b"abcd");
        // uuid box with 16-byte usertype and 2 payload bytes.
        let mut u = 26u32.to_be_bytes().to_vec();
        u.extend_from_slice(b"uuid");
        u.extend_from_slice(&[7u8; 16]);
        u.extend_from_slice(&[1, 2]);
        data.extend_from_slice(&u);
        let idx = Index::parse_with(&data, 1000, Depth::Full).unwrap();
        let b = &idx.boxes()[0];
        assert!(b.large);
        assert_eq!((b.header_len, b.size, b.offset), (16, 20, 1000));
        assert_eq!(&data[b.payload_range()], b"abcd");
        let u = &idx.boxes()[1];
        assert_eq!(u.usertype, Some([7u8; 16]));
        assert_eq!(u.header_len, 24);
        assert_eq!(&data[u.payload_range()], &[1, 2]);
        assert_eq!(u.offset, 1020);
    }

    #[test]
    fn uuid_with_large_size() {
        let mut d = vec![0, 0, 0, 1];
        d.extend_from_slice(b"uuid");
        d.extend_from_slice(&33u64.to_be_bytes());
        d.extend_from_slice(&[9u8; 16]);
        d.push(0xAA);
        let idx = Index::parse(&d).unwrap();
        assert_eq!(idx.boxes()[0].header_len, 32);
        assert_eq!(&d[idx.boxes()[0].payload_range()], &[0xAA]);
    }

    #[test]
    fn size_zero_runs_to_end_at_top_level() {
        let mut data = bx(b"ftyp", b"isom");
        data.extend_from_slice(&[0, 0, 0, 0, b'm', b'd', b'a', b't', 1, 2, 3]);
        let idx = Index::parse(&data).unwrap();
        let m = &idx.boxes()[1];
        assert!(m.to_end);
        assert_eq!(m.size, 11);
    }

    #[test]
    fn size_zero_inside_a_container_is_an_error() {
        let inner = [0, 0, 0, 0, b't', b'f', b'd', b't', 0, 0, 0, 0];
        let traf = bx(b"traf", &[bx(b"tfhd", &[0; 8]), inner.to_vec()].concat());
        let data = bx(b"moof", &traf);
        let e = Index::parse(&data).unwrap_err();
        assert_eq!(e.offset, 8 + 8 + 16);
        assert_eq!(e.path, "moof/traf[0]/tfdt[0]");
        assert_eq!(e.kind, ErrorKind::SizeZeroNotLast { trailing: 4 });
    }

    #[test]
    fn corrupted_size_field_reports_offset_and_path() {
        let trun0 = bx(b"trun", &[0; 8]);
        let mut trun1 = bx(b"trun", &[0; 8]);
        trun1[3] = 200; // corrupt: claims 200 bytes inside a 16-byte slot
        let traf = bx(b"traf", &[bx(b"tfhd", &[0; 8]), trun0, trun1].concat());
        let data = [bx(b"styp", b"msdh"), bx(b"moof", &traf)].concat();
        let e = Index::parse(&data).unwrap_err();
        assert_eq!(e.offset, 12 + 8 + 8 + 16 + 16);
        assert_eq!(e.path, "moof/traf[0]/trun[1]");
        assert_eq!(
            e.kind,
            ErrorKind::SizePastEnd {
                size: 200,
                available: 16
            }
        );
    }

    #[test]
    fn size_smaller_than_header() {
        let data = [0, 0, 0, 4, b'f', b'r', b'e', b'e'];
        let e = Index::parse(&data).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::SizeTooSmall {
                size: 4,
                header_len: 8
            }
        );
        let data = [0, 0, 0, 1, b'f', b'r', b'e', b'e', 0, 0, 0, 0, 0, 0, 0, 9];
        let e = Index::parse(&data).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::SizeTooSmall {
                size: 9,
                header_len: 16
            }
        );
    }

    #[test]
    fn truncated_headers() {
        let e = Index::parse(&[0, 0, 0, 8, b'f']).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 8,
                available: 5
            }
        );
        assert_eq!(e.path, "?");
        let e = Index::parse(&[0, 0, 0, 1, b'm', b'd', b'a', b't', 0]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 16,
                available: 9
            }
        );
        let mut u = 40u32.to_be_bytes().to_vec();
        u.extend_from_slice(b"uuid");
        u.extend_from_slice(&[0; 4]);
        let e = Index::parse(&u).unwrap_err();
        assert_eq!(e.path, "uuid");
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 24, .. }));
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let mut data = bx(b"free", &[]);
        for _ in 0..(MAX_BOX_DEPTH + 2) {
            data = bx(b"moov", &data);
        }
        let e = Index::parse(&data).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep { max: MAX_BOX_DEPTH });
        // One level less is fine.
        let mut ok = bx(b"free", &[]);
        for _ in 0..MAX_BOX_DEPTH {
            ok = bx(b"moov", &ok);
        }
        assert!(Index::parse(&ok).is_ok());
    }

    #[test]
    fn mdat_payload_is_never_walked() {
        // The mdat payload looks like a box with a bad size; it must not be read.
        let data = [bx(b"mdat", &[0, 0, 0, 99, b'm', b'o', b'o', b'v'])].concat();
        let idx = Index::parse(&data).unwrap();
        assert_eq!(idx.boxes().len(), 1);
    }

    #[test]
    fn top_and_moof_skips_moov() {
        let moov = bx(b"moov", &bx(b"trak", &[]));
        let moof = bx(b"moof", &bx(b"mfhd", &[0; 8]));
        let data = [moov, moof].concat();
        let full = Index::parse(&data).unwrap();
        assert_eq!(full.boxes().len(), 4);
        let top = Index::parse_with(&data, 0, Depth::TopAndMoof).unwrap();
        let kinds: Vec<String> = top.boxes().iter().map(|b| b.kind.to_string()).collect();
        assert_eq!(kinds, ["moov", "moof", "mfhd"]);
    }

    #[test]
    fn sample_entries_descend_past_preamble() {
        let avcc = bx(b"avcC", &[1, 0x64, 0, 0x1f]);
        let mut entry_payload = vec![0u8; 78];
        entry_payload.extend_from_slice(&avcc);
        let avc1 = bx(b"avc1", &entry_payload);
        let mut stsd_payload = vec![0, 0, 0, 0, 0, 0, 0, 1];
        stsd_payload.extend_from_slice(&avc1);
        let stsd = bx(b"stsd", &stsd_payload);
        let data = bx(b"moov", &bx(b"trak", &bx(b"stbl", &stsd)));
        let idx = Index::parse(&data).unwrap();
        let a = idx.all(b"avcC").next().unwrap();
        assert_eq!(idx.path(a), "moov/trak[0]/stbl[0]/stsd[0]/avc1[0]/avcC[0]");
        assert_eq!(&data[idx.boxes()[a].payload_range()], &[1, 0x64, 0, 0x1f]);
    }

    #[test]
    fn top_level_path_indexes_repeats() {
        let data = [bx(b"moof", &[]), bx(b"moof", &bx(b"mfhd", &[0; 8]))].concat();
        let idx = Index::parse(&data).unwrap();
        assert_eq!(idx.path(2), "moof[1]/mfhd[0]");
    }

    #[derive(Debug, Clone)]
    enum Tree {
        Leaf([u8; 4], Vec<u8>),
        Node([u8; 4], Vec<Tree>),
    }

    fn arb_tree() -> impl proptest::strategy::Strategy<Value = Tree> {
        use proptest::prelude::*;
        let leaf = (
            prop_oneof![
                Just(*b"free"),
                Just(*b"mdat"),
                Just(*b"tfdt"),
                Just(*b"zzzz")
            ],
            proptest::collection::vec(any::<u8>(), 0..24),
        )
            .prop_map(|(k, p)| Tree::Leaf(k, p));
        leaf.prop_recursive(4, 32, 4, |inner| {
            (
                prop_oneof![
                    Just(*b"moov"),
                    Just(*b"trak"),
                    Just(*b"moof"),
                    Just(*b"traf")
                ],
                proptest::collection::vec(inner, 0..4),
            )
                .prop_map(|(k, c)| Tree::Node(k, c))
        })
    }

    fn encode(t: &Tree) -> Vec<u8> {
        match t {
            Tree::Leaf(k, p) => bx(k, p),
            Tree::Node(k, c) => bx(k, &c.iter().flat_map(encode).collect::<Vec<_>>()),
        }
    }

    /// Pre-order (type, depth, size) of a generated tree.
    fn flatten(t: &Tree, depth: usize, out: &mut Vec<([u8; 4], usize, u64)>) {
        match t {
            Tree::Leaf(k, p) => out.push((*k, depth, p.len() as u64 + 8)),
            Tree::Node(k, c) => {
                out.push((*k, depth, encode(t).len() as u64));
                for x in c {
                    flatten(x, depth + 1, out);
                }
            }
        }
        let _ = k_of(t);
    }

    fn k_of(t: &Tree) -> [u8; 4] {
        match t {
            Tree::Leaf(k, _) | Tree::Node(k, _) => *k,
        }
    }

    proptest::proptest! {
        #[test]
        fn generated_trees_index_back(trees in proptest::collection::vec(arb_tree(), 0..4)) {
            let data: Vec<u8> = trees.iter().flat_map(encode).collect();
            let idx = Index::parse(&data).unwrap();
            let mut expect = Vec::new();
            for t in &trees {
                flatten(t, 0, &mut expect);
            }
            let got: Vec<([u8; 4], usize, u64)> =
                idx.boxes().iter().map(|b| (b.kind.0, b.depth, b.size)).collect();
            proptest::prop_assert_eq!(got, expect);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..128)) {
            if let Ok(idx) = Index::parse(&data) {
                for (i, b) in idx.boxes().iter().enumerate() {
                    proptest::prop_assert!(b.end() <= data.len());
                    let _ = idx.path(i);
                }
            }
        }
    }
}
