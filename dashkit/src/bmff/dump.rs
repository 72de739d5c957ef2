//! A box tree with offsets, sizes and the decoded fields of the boxes dashkit decodes, in the
//! spirit of Bento4's `mp4dump`. What `dashkit dump` prints.

use std::fmt::Write as _;

use super::boxes::{
    parse_elst, Emsg, Ftyp, Hdlr, Mdhd, Mfhd, Mvhd, Prft, Saio, Tfdt, Tfhd, Tkhd, Trex, Trun,
};
use super::codec::codec_string;
use super::index::Index;
use super::sidx::Sidx;
use super::Error;

/// A decoded field value.
///
/// ```
/// use dashkit::bmff::dump::{dump, Value};
/// let mfhd = [0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 0, 0, 0, 3];
/// let tree = dump(&mfhd).unwrap();
/// let seq = tree[0].fields.iter().find(|(name, _)| *name == "sequence_number").unwrap();
/// assert_eq!(seq.1, Value::U(3));
/// assert_eq!(seq.1.to_string(), "3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// An unsigned number.
    U(u64),
    /// A signed number.
    I(i64),
    /// Text (4CCs, strings, hex).
    S(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::U(v) => write!(f, "{v}"),
            Value::I(v) => write!(f, "{v}"),
            Value::S(s) => write!(f, "{s}"),
        }
    }
}

/// One box of the dump.
///
/// ```
/// use dashkit::bmff::dump::dump;
/// let seg = include_bytes!("../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// let tree = dump(seg).unwrap();
/// let kinds: Vec<&str> = tree.iter().map(|n| n.kind.as_str()).collect();
/// assert_eq!(kinds, ["styp", "sidx", "moof", "mdat"]);
/// let traf = &tree[2].children[1];
/// assert_eq!((traf.path.as_str(), traf.offset, traf.header_len), ("moof/traf[0]", 100, 8));
/// assert_eq!(traf.children[0].kind, "tfhd");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxNode {
    /// Box type.
    pub kind: String,
    /// Box path (`moof/traf[0]/trun[1]`).
    pub path: String,
    /// Absolute offset.
    pub offset: u64,
    /// Box size.
    pub size: u64,
    /// Header length.
    pub header_len: u64,
    /// Decoded fields, in box order. A box that fails to decode carries an `error` field.
    pub fields: Vec<(&'static str, Value)>,
    /// Child boxes.
    pub children: Vec<BoxNode>,
}

/// Dumps every box of `data`.
///
/// ```
/// use dashkit::bmff::dump::{dump, render_text};
/// let b = [0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 0, 0, 0, 3];
/// let tree = dump(&b).unwrap();
/// assert_eq!(render_text(&tree), "[mfhd] offset=0 size=16 header=8\n  version = 0\n  flags = 0x000000\n  sequence_number = 3\n");
/// ```
pub fn dump(data: &[u8]) -> Result<Vec<BoxNode>, Error> {
    let idx = Index::parse(data)?;
    Ok(idx.top().map(|i| node(data, &idx, i)).collect())
}

fn node(data: &[u8], idx: &Index, i: usize) -> BoxNode {
    let b = &idx.boxes()[i];
    let mut fields = Vec::new();
    if let Err(e) = decode_fields(data, idx, i, &mut fields) {
        fields.push(("error", Value::S(e.to_string())));
    }
    BoxNode {
        kind: b.kind.to_string(),
        path: idx.path(i),
        offset: b.offset,
        size: b.size,
        header_len: b.header_len as u64,
        fields,
        children: idx.children(i).map(|c| node(data, idx, c)).collect(),
    }
}

fn vf(fields: &mut Vec<(&'static str, Value)>, data: &[u8]) {
    if let (Some(&v), Some(f)) = (data.get(8), data.get(9..12)) {
        fields.push(("version", Value::U(u64::from(v))));
        fields.push((
            "flags",
            Value::S(format!("0x{:02x}{:02x}{:02x}", f[0], f[1], f[2])),
        ));
    }
}

fn decode_fields(
    data: &[u8],
    idx: &Index,
    i: usize,
    out: &mut Vec<(&'static str, Value)>,
) -> Result<(), Error> {
    let b = &idx.boxes()[i];
    let bytes = &data[b.range()];
    let o = b.offset;
    let u = |v: u32| Value::U(u64::from(v));
    let opt = |out: &mut Vec<(&'static str, Value)>, k: &'static str, v: Option<u32>| {
        if let Some(v) = v {
            out.push((k, Value::U(u64::from(v))));
        }
    };
    if let Some(ut) = b.usertype {
        out.push((
            "usertype",
            Value::S(ut.iter().map(|x| format!("{x:02x}")).collect()),
        ));
    }
    match &b.kind.0 {
        b"ftyp" | b"styp" => {
            let f = Ftyp::parse_payload(&data[b.payload_range()], o + b.header_len as u64)?;
            out.push(("major_brand", Value::S(f.major_brand.to_string())));
            out.push(("minor_version", u(f.minor_version)));
            let c: Vec<String> = f.compatible_brands.iter().map(|c| c.to_string()).collect();
            out.push(("compatible_brands", Value::S(c.join(","))));
        }
        b"mvhd" => {
            let m = Mvhd::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("timescale", u(m.timescale)));
            out.push(("duration", Value::U(m.duration)));
        }
        b"tkhd" => {
            let t = Tkhd::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("track_id", u(t.track_id)));
            out.push(("duration", Value::U(t.duration)));
            out.push(("width", u(t.width >> 16)));
            out.push(("height", u(t.height >> 16)));
        }
        b"mdhd" => {
            let m = Mdhd::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("timescale", u(m.timescale)));
            out.push(("duration", Value::U(m.duration)));
            out.push((
                "language",
                Value::S(String::from_utf8_lossy(&m.language).into_owned()),
            ));
        }
        b"hdlr" => {
            let h = Hdlr::parse(bytes, o)?;
            out.push(("handler_type", Value::S(h.handler_type.to_string())));
            out.push(("name", Value::S(h.name)));
        }
        b"elst" => {
            let e = parse_elst(bytes, o)?;
            vf(out, bytes);
            out.push(("entry_count", Value::U(e.len() as u64)));
            for x in e.iter().take(8) {
                out.push((
                    "entry",
                    Value::S(format!(
                        "segment_duration={} media_time={} rate={}.{}",
                        x.segment_duration,
                        x.media_time,
                        x.media_rate_integer,
                        x.media_rate_fraction
                    )),
                ));
            }
        }
        b"trex" => {
            let t = Trex::parse(bytes, o)?;
            out.push(("track_id", u(t.track_id)));
            out.push((
                "default_sample_description_index",
                u(t.default_sample_description_index),
            ));
            out.push(("default_sample_duration", u(t.default_sample_duration)));
            out.push(("default_sample_size", u(t.default_sample_size)));
            out.push((
                "default_sample_flags",
                Value::S(format!("0x{:08x}", t.default_sample_flags)),
            ));
        }
        b"mfhd" => {
            vf(out, bytes);
            out.push(("sequence_number", u(Mfhd::parse(bytes, o)?.sequence_number)));
        }
        b"tfhd" => {
            let t = Tfhd::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("track_id", u(t.track_id)));
            if let Some(v) = t.base_data_offset {
                out.push(("base_data_offset", Value::U(v)));
            }
            opt(out, "sample_description_index", t.sample_description_index);
            opt(out, "default_sample_duration", t.default_sample_duration);
            opt(out, "default_sample_size", t.default_sample_size);
            if let Some(v) = t.default_sample_flags {
                out.push(("default_sample_flags", Value::S(format!("0x{v:08x}"))));
            }
        }
        b"tfdt" => {
            vf(out, bytes);
            out.push((
                "base_media_decode_time",
                Value::U(Tfdt::parse(bytes, o)?.base_media_decode_time),
            ));
        }
        b"trun" => {
            let t = Trun::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("sample_count", Value::U(t.entries.len() as u64)));
            if let Some(v) = t.data_offset {
                out.push(("data_offset", Value::I(i64::from(v))));
            }
            if let Some(v) = t.first_sample_flags {
                out.push(("first_sample_flags", Value::S(format!("0x{v:08x}"))));
            }
        }
        b"saio" => {
            let s = Saio::parse(bytes, o)?;
            vf(out, bytes);
            let v: Vec<String> = s.offsets.iter().take(8).map(|x| x.to_string()).collect();
            out.push(("entry_count", Value::U(s.offsets.len() as u64)));
            out.push(("offsets", Value::S(v.join(","))));
        }
        b"sidx" => {
            let s = Sidx::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("reference_id", u(s.reference_id)));
            out.push(("timescale", u(s.timescale)));
            out.push((
                "earliest_presentation_time",
                Value::U(s.earliest_presentation_time),
            ));
            out.push(("first_offset", Value::U(s.first_offset)));
            out.push(("reference_count", Value::U(s.references.len() as u64)));
            for r in &s.references {
                out.push((
                    "reference",
                    Value::S(format!(
                        "type={} size={} duration={} sap={} sap_type={} sap_delta={}",
                        u8::from(r.reference_type),
                        r.referenced_size,
                        r.subsegment_duration,
                        u8::from(r.starts_with_sap),
                        r.sap_type,
                        r.sap_delta_time
                    )),
                ));
            }
        }
        b"emsg" => {
            let e = Emsg::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("scheme_id_uri", Value::S(e.scheme_id_uri)));
            out.push(("value", Value::S(e.value)));
            out.push(("timescale", u(e.timescale)));
            out.push((
                if e.version == 0 {
                    "presentation_time_delta"
                } else {
                    "presentation_time"
                },
                Value::U(e.presentation_time),
            ));
            out.push(("event_duration", u(e.event_duration)));
            out.push(("id", u(e.id)));
            out.push(("message_data_size", Value::U(e.message_data.len() as u64)));
        }
        b"prft" => {
            let p = Prft::parse(bytes, o)?;
            vf(out, bytes);
            out.push(("reference_track_id", u(p.reference_track_id)));
            out.push(("ntp_timestamp", Value::U(p.ntp_timestamp)));
            out.push(("media_time", Value::U(p.media_time)));
        }
        b"stsd" | b"stts" | b"ctts" | b"stss" | b"stco" | b"co64" | b"stsc" | b"dref" => {
            vf(out, bytes);
            if let Some(c) = bytes.get(12..16) {
                out.push((
                    "entry_count",
                    Value::U(u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))),
                ));
            }
        }
        b"stsz" => {
            vf(out, bytes);
            if let Some(c) = bytes.get(12..20) {
                out.push((
                    "sample_size",
                    Value::U(u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))),
                ));
                out.push((
                    "sample_count",
                    Value::U(u64::from(u32::from_be_bytes([c[4], c[5], c[6], c[7]]))),
                ));
            }
        }
        _ if idx.boxes()[i]
            .parent
            .is_some_and(|p| idx.boxes()[p].is(b"stsd")) =>
        {
            let p = &data[b.payload_range()];
            if b.children_at == Some(b.header_len + 78) {
                if let Some(wh) = p.get(24..28) {
                    out.push((
                        "width",
                        Value::U(u64::from(u16::from_be_bytes([wh[0], wh[1]]))),
                    ));
                    out.push((
                        "height",
                        Value::U(u64::from(u16::from_be_bytes([wh[2], wh[3]]))),
                    ));
                }
            } else if b.children_at.is_some_and(|c| c >= b.header_len + 28) {
                if let Some(a) = p.get(16..28) {
                    out.push((
                        "channel_count",
                        Value::U(u64::from(u16::from_be_bytes([a[0], a[1]]))),
                    ));
                    out.push((
                        "sample_size",
                        Value::U(u64::from(u16::from_be_bytes([a[2], a[3]]))),
                    ));
                    out.push((
                        "sample_rate",
                        Value::U(u64::from(u16::from_be_bytes([a[8], a[9]]))),
                    ));
                }
            }
            out.push(("codecs", Value::S(codec_string(data, idx, i)?)));
        }
        _ => {}
    }
    Ok(())
}

/// Renders a dump as indented text: one `[type] offset= size= header=` line per box, then its
/// fields as `name = value`.
///
/// ```
/// use dashkit::bmff::dump::{dump, render_text};
/// let free = [0, 0, 0, 8, b'f', b'r', b'e', b'e'];
/// assert_eq!(render_text(&dump(&free).unwrap()), "[free] offset=0 size=8 header=8\n");
/// ```
pub fn render_text(nodes: &[BoxNode]) -> String {
    let mut s = String::new();
    for n in nodes {
        text(n, 0, &mut s);
    }
    s
}

fn text(n: &BoxNode, depth: usize, s: &mut String) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        s,
        "{pad}[{}] offset={} size={} header={}",
        n.kind, n.offset, n.size, n.header_len
    );
    for (k, v) in &n.fields {
        let _ = writeln!(s, "{pad}  {k} = {v}");
    }
    for c in &n.children {
        text(c, depth + 1, s);
    }
}
