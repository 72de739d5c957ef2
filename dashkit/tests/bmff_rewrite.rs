//! Corpus tests of the box index and the zero-copy segment rewrite on real packager output
//! (`fixtures/dash/**`, made by `fixtures/make.sh`). `DASHKIT_FIXTURES` may point at another
//! fixtures directory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::PathBuf;

use dashkit::bmff::patch::{rewrite_segment, Edits, NewSidx, Part, SidxEdit, TfdtEdit, TfdtTarget};
use dashkit::bmff::Sidx;
use dashkit::bmff::{Depth, Index};
use dashkit::bmff::{Emsg, Mfhd, Saio, Tfdt, Tfhd, Trun};
use dashkit::timeline::Timescale;
use mp4_atom::{Decode, Moof as AtomMoof};

fn fixtures_dir() -> PathBuf {
    std::env::var_os("DASHKIT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures"))
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("m4s" | "mp4")) {
            out.push(p);
        }
    }
}

/// Every ISO-BMFF file of `fixtures/dash/**`.
fn dash_files() -> Vec<(String, Vec<u8>)> {
    let mut paths = Vec::new();
    walk(&fixtures_dir().join("dash"), &mut paths);
    assert!(
        !paths.is_empty(),
        "no fixtures under {}: merge the fixtures branch or set DASHKIT_FIXTURES",
        fixtures_dir().display()
    );
    paths
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(rel)).unwrap()
}

fn has_moof(data: &[u8]) -> bool {
    let idx = Index::parse(data).unwrap();
    let found = idx.top().any(|i| idx.boxes()[i].is(b"moof"));
    found
}

/// mdat payloads, in order.
fn mdats(data: &[u8]) -> Vec<Vec<u8>> {
    let idx = Index::parse(data).unwrap();
    idx.top()
        .filter(|&i| idx.boxes()[i].is(b"mdat"))
        .map(|i| data[idx.boxes()[i].payload_range()].to_vec())
        .collect()
}

/// Every sample's bytes, per (moof number, track), computed from tfhd + trun alone
/// (default-base-is-moof or the first traf's implicit base).
fn sample_bytes(data: &[u8]) -> Vec<(u32, Vec<Vec<u8>>)> {
    let idx = Index::parse(data).unwrap();
    let mut out = Vec::new();
    for m in idx.top().filter(|&i| idx.boxes()[i].is(b"moof")) {
        let moof_start = idx.boxes()[m].start;
        for t in idx.children(m).filter(|&c| idx.boxes()[c].is(b"traf")) {
            let hb = &idx.boxes()[idx.child(t, b"tfhd").unwrap()];
            let tfhd = Tfhd::parse(&data[hb.range()], hb.offset).unwrap();
            assert!(tfhd.base_data_offset.is_none());
            let mut samples = Vec::new();
            let mut pos = moof_start as i64;
            for r in idx.children(t).filter(|&c| idx.boxes()[c].is(b"trun")) {
                let rb = &idx.boxes()[r];
                let trun = Trun::parse(&data[rb.range()], rb.offset).unwrap();
                if let Some(off) = trun.data_offset {
                    pos = moof_start as i64 + i64::from(off);
                }
                for e in &trun.entries {
                    let size = e.size.or(tfhd.default_sample_size).unwrap() as i64;
                    samples.push(data[pos as usize..(pos + size) as usize].to_vec());
                    pos += size;
                }
            }
            out.push((tfhd.track_id, samples));
        }
    }
    out
}

fn first_of(data: &[u8], kind: &[u8; 4]) -> Option<(usize, dashkit::bmff::BoxRef)> {
    let idx = Index::parse(data).unwrap();
    let i = idx.all(kind).next()?;
    Some((i, idx.boxes()[i].clone()))
}

#[test]
fn every_fixture_indexes_and_reemits_byte_identically() {
    for (name, data) in dash_files() {
        let idx = Index::parse(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Top-level boxes tile the file; children tile their parent's payload.
        let mut pos = 0;
        for i in idx.top() {
            assert_eq!(idx.boxes()[i].start, pos, "{name}");
            pos = idx.boxes()[i].end();
        }
        assert_eq!(pos, data.len(), "{name}");
        for (i, b) in idx.boxes().iter().enumerate() {
            if let Some(at) = b.children_at {
                let mut p = b.start + at;
                for c in idx.children(i) {
                    assert_eq!(idx.boxes()[c].start, p, "{name}: {}", idx.path(c));
                    p = idx.boxes()[c].end();
                }
                assert_eq!(p, b.end(), "{name}: {}", idx.path(i));
            }
        }
        let out = rewrite_segment(&data, &Edits::default()).unwrap();
        assert_eq!(out.to_vec(), data, "{name}");
        assert_eq!(out.owned_len(), 0, "{name}");
    }
}

/// Current values of the fields the rewrite can set.
fn current_edits(data: &[u8]) -> Edits {
    let idx = Index::parse(data).unwrap();
    let mut tfdt = Vec::new();
    for t in idx.all(b"traf") {
        let hb = &idx.boxes()[idx.child(t, b"tfhd").unwrap()];
        let track = Tfhd::parse(&data[hb.range()], hb.offset).unwrap().track_id;
        if tfdt.iter().any(|e: &TfdtEdit| e.track_id == Some(track)) {
            continue;
        }
        let db = &idx.boxes()[idx.child(t, b"tfdt").unwrap()];
        let v = Tfdt::parse(&data[db.range()], db.offset).unwrap();
        tfdt.push(TfdtEdit {
            track_id: Some(track),
            target: TfdtTarget::Set(v.base_media_decode_time),
        });
    }
    let seq = idx.all(b"mfhd").next().map(|i| {
        let b = &idx.boxes()[i];
        Mfhd::parse(&data[b.range()], b.offset)
            .unwrap()
            .sequence_number
    });
    let sidx = match idx.all(b"sidx").next() {
        Some(i) => {
            let b = &idx.boxes()[i];
            let s = Sidx::parse(&data[b.range()], b.offset).unwrap();
            SidxEdit::Set {
                earliest_presentation_time: Some(s.earliest_presentation_time),
                first_offset: Some(s.first_offset),
            }
        }
        None => SidxEdit::Keep,
    };
    Edits {
        tfdt,
        sequence_number: seq,
        sidx,
        ..Edits::default()
    }
}

#[test]
fn writing_current_values_is_byte_identical() {
    let mut n = 0;
    for (name, data) in dash_files().into_iter().filter(|(_, d)| has_moof(d)) {
        let edits = current_edits(&data);
        assert!(!edits.tfdt.is_empty(), "{name}");
        let out = rewrite_segment(&data, &edits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.to_vec(), data, "{name}");
        n += 1;
    }
    assert!(n >= 10, "only {n} media segments");
}

#[test]
fn rewrites_decode_back_with_new_values_and_same_media() {
    for (name, data) in dash_files().into_iter().filter(|(_, d)| has_moof(d)) {
        let mut edits = current_edits(&data);
        for e in &mut edits.tfdt {
            if let TfdtTarget::Set(v) = &mut e.target {
                *v += 90_000;
            }
        }
        edits.sequence_number = Some(4242);
        if let SidxEdit::Set {
            earliest_presentation_time,
            ..
        } = &mut edits.sidx
        {
            *earliest_presentation_time = earliest_presentation_time.map(|v| v + 1000);
        }
        let out = rewrite_segment(&data, &edits).unwrap().to_vec();
        assert_eq!(out.len(), data.len(), "{name}: no growth expected");
        assert_eq!(mdats(&out), mdats(&data), "{name}");
        assert_eq!(sample_bytes(&out), sample_bytes(&data), "{name}");
        let back = current_edits(&out);
        for (a, b) in back.tfdt.iter().zip(&edits.tfdt) {
            assert_eq!(a, b, "{name}");
        }
        assert_eq!(back.sequence_number, Some(4242), "{name}");
        assert_eq!(back.sidx, edits.sidx, "{name}");
        // mp4-atom agrees.
        let (_, mb) = first_of(&out, b"moof").unwrap();
        let moof = AtomMoof::decode(&mut &out[mb.range()]).unwrap();
        assert_eq!(moof.mfhd.sequence_number, 4242, "{name}");
        let tfdt = moof.traf[0].tfdt.as_ref().unwrap().base_media_decode_time;
        assert_eq!(edits.tfdt[0].target, TfdtTarget::Set(tfdt), "{name}");
        // Only the moof and sidx were copied.
        let r = rewrite_segment(&data, &edits).unwrap();
        let owned: usize = r.owned_len();
        let moofs: usize = {
            let idx = Index::parse(&data).unwrap();
            idx.top()
                .filter(|&i| idx.boxes()[i].is(b"moof") || idx.boxes()[i].is(b"sidx"))
                .map(|i| idx.boxes()[i].size as usize)
                .sum()
        };
        assert_eq!(owned, moofs, "{name}");
        for p in &r.parts {
            if let Part::Owned(v) = p {
                assert!(v.len() < data.len() / 4 + 4096, "{name}: large owned part");
            }
        }
    }
}

/// Shaka writes version 0 tfdt: a value of 2^33 grows it to version 1 and moves the media by 4.
#[test]
fn tfdt_v0_to_v1_growth_on_shaka_segment_fixes_sizes_offsets_and_sidx() {
    let data = fixture("dash/shaka_live/video_144p/2.m4s");
    let (_, tb) = first_of(&data, b"tfdt").unwrap();
    assert_eq!(Tfdt::parse(&data[tb.range()], 0).unwrap().version, 0);
    let edits = Edits {
        tfdt: vec![TfdtEdit {
            track_id: None,
            target: TfdtTarget::Set(1 << 33),
        }],
        ..Edits::default()
    };
    let out = rewrite_segment(&data, &edits).unwrap().to_vec();
    assert_eq!(out.len(), data.len() + 4);
    let (_, old_moof) = first_of(&data, b"moof").unwrap();
    let (_, new_moof) = first_of(&out, b"moof").unwrap();
    assert_eq!(new_moof.size, old_moof.size + 4);
    let (_, old_traf) = first_of(&data, b"traf").unwrap();
    let (_, new_traf) = first_of(&out, b"traf").unwrap();
    assert_eq!(new_traf.size, old_traf.size + 4);
    let (_, nt) = first_of(&out, b"tfdt").unwrap();
    let t = Tfdt::parse(&out[nt.range()], 0).unwrap();
    assert_eq!((t.version, t.base_media_decode_time), (1, 1 << 33));
    let (_, r0) = first_of(&data, b"trun").unwrap();
    let (_, r1) = first_of(&out, b"trun").unwrap();
    let d0 = Trun::parse(&data[r0.range()], 0)
        .unwrap()
        .data_offset
        .unwrap();
    let d1 = Trun::parse(&out[r1.range()], 0)
        .unwrap()
        .data_offset
        .unwrap();
    assert_eq!(d1, d0 + 4);
    let (_, s0) = first_of(&data, b"sidx").unwrap();
    let (_, s1) = first_of(&out, b"sidx").unwrap();
    let a = Sidx::parse(&data[s0.range()], 0).unwrap();
    let b = Sidx::parse(&out[s1.range()], 0).unwrap();
    assert_eq!(
        b.references[0].referenced_size,
        a.references[0].referenced_size + 4
    );
    assert_eq!(b.first_offset, a.first_offset);
    assert_eq!(sample_bytes(&out), sample_bytes(&data));
    let moof = AtomMoof::decode(&mut &out[new_moof.range()]).unwrap();
    assert_eq!(moof.traf[0].trun[0].data_offset, Some(d0 + 4));
    // Back to the old value: the v1 box stays v1 (never shrunk), everything else returns.
    let back = rewrite_segment(
        &out,
        &Edits {
            tfdt: vec![TfdtEdit {
                track_id: None,
                target: TfdtTarget::Set(
                    Tfdt::parse(&data[tb.range()], 0)
                        .unwrap()
                        .base_media_decode_time,
                ),
            }],
            ..Edits::default()
        },
    )
    .unwrap()
    .to_vec();
    assert_eq!(back.len(), out.len());
}

fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut p = vec![version];
    p.extend_from_slice(&flags.to_be_bytes()[1..]);
    p.extend_from_slice(body);
    bx(kind, &p)
}

/// Builds one moof holding TWO trafs (Shaka's video segment 2 and audio segment 2, both with
/// version 0 tfdt and default-base-is-moof), each with CENC-style auxiliary information added
/// by hand: `saiz` (8 bytes per sample), `saio` (one offset, relative to the moof, pointing at
/// the first IV in `senc`) and `senc` (8-byte IVs, each filled with a per-track, per-sample
/// pattern). The mdat holds the video samples then the audio samples, and every trun
/// data_offset is recomputed so each sample keeps its original bytes. Returns the segment and
/// the IV pattern per traf.
fn two_traf_moof_with_saio() -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut trafs = Vec::new();
    let mut payloads = Vec::new();
    let mut ivs_all = Vec::new();
    for (k, rel) in [
        "dash/shaka_live/video_144p/2.m4s",
        "dash/shaka_live/audio/2.m4s",
    ]
    .iter()
    .enumerate()
    {
        let seg = fixture(rel);
        let idx = Index::parse(&seg).unwrap();
        let moof = idx.find("moof").unwrap();
        let traf = idx.child(moof, b"traf").unwrap();
        let mdat = idx.find("mdat").unwrap();
        let tb = idx.boxes()[traf].clone();
        let mb = idx.boxes()[moof].clone();
        // trun data_offsets relative to the mdat payload start.
        let mut children = Vec::new();
        let mut rel_offsets = Vec::new();
        let mut n_samples = 0u32;
        for c in idx.children(traf) {
            let cb = &idx.boxes()[c];
            let bytes = seg[cb.range()].to_vec();
            if cb.is(b"trun") {
                let t = Trun::parse(&bytes, 0).unwrap();
                n_samples += t.entries.len() as u32;
                let payload_start = idx.boxes()[mdat].payload_range().start - mb.start;
                rel_offsets.push(i64::from(t.data_offset.unwrap()) - payload_start as i64);
            }
            children.push((cb.kind, bytes));
        }
        let ivs: Vec<u8> = (0..n_samples * 8)
            .map(|i| (i as u8) ^ (0x40 * k as u8 + 7))
            .collect();
        let mut senc_body = n_samples.to_be_bytes().to_vec();
        senc_body.extend_from_slice(&ivs);
        let senc = full(b"senc", 0, 0, &senc_body);
        let mut saiz_body = vec![8u8];
        saiz_body.extend_from_slice(&n_samples.to_be_bytes());
        let saiz = full(b"saiz", 0, 0, &saiz_body);
        payloads.push(seg[idx.boxes()[mdat].payload_range()].to_vec());
        trafs.push((children, rel_offsets, saiz, senc, tb));
        ivs_all.push(ivs);
    }
    // Layout: moof(8) mfhd(16) traf_v traf_a, each traf = original children + saiz + saio + senc.
    let saio_len = 12 + 4 + 4;
    let traf_lens: Vec<usize> = trafs
        .iter()
        .map(|(ch, _, saiz, senc, _)| {
            8 + ch.iter().map(|(_, b)| b.len()).sum::<usize>() + saiz.len() + saio_len + senc.len()
        })
        .collect();
    let moof_len = 8 + 16 + traf_lens.iter().sum::<usize>();
    let mut moof_payload = full(b"mfhd", 0, 0, &2u32.to_be_bytes());
    let mut traf_start = 8 + 16;
    let mut media_start = moof_len + 8;
    for (k, (children, rel_offsets, saiz, senc, _)) in trafs.iter().enumerate() {
        let mut body = Vec::new();
        let mut r = 0;
        for (kind, bytes) in children {
            let mut b = bytes.clone();
            if kind.0 == *b"trun" {
                let off = media_start as i64 + rel_offsets[r];
                b[16..20].copy_from_slice(&(off as i32).to_be_bytes());
                r += 1;
            }
            if kind.0 == *b"tfhd" {
                // Both Shaka files use track_ID 1; the audio traf becomes track 2.
                b[12..16].copy_from_slice(&(k as u32 + 1).to_be_bytes());
            }
            body.extend_from_slice(&b);
        }
        body.extend_from_slice(saiz);
        let senc_at = traf_start + 8 + body.len() + saio_len;
        let mut saio_body = 1u32.to_be_bytes().to_vec();
        saio_body.extend_from_slice(&((senc_at + 16) as u32).to_be_bytes());
        body.extend_from_slice(&full(b"saio", 0, 0, &saio_body));
        body.extend_from_slice(senc);
        let traf = bx(b"traf", &body);
        assert_eq!(traf.len(), traf_lens[k]);
        traf_start += traf.len();
        moof_payload.extend_from_slice(&traf);
        media_start += payloads[k].len();
    }
    let moof = bx(b"moof", &moof_payload);
    assert_eq!(moof.len(), moof_len);
    let seg = [
        bx(b"styp", b"msdh\0\0\0\0msdhmsix"),
        moof,
        bx(b"mdat", &payloads.concat()),
    ]
    .concat();
    (seg, ivs_all)
}

/// For each traf: the bytes its saio offset points at (one IV block, `len` bytes).
fn saio_targets(data: &[u8], len: usize) -> Vec<Vec<u8>> {
    let idx = Index::parse(data).unwrap();
    let moof = idx.find("moof").unwrap();
    let ms = idx.boxes()[moof].start;
    idx.children(moof)
        .filter(|&c| idx.boxes()[c].is(b"traf"))
        .map(|t| {
            let sb = &idx.boxes()[idx.child(t, b"saio").unwrap()];
            let saio = Saio::parse(&data[sb.range()], sb.offset).unwrap();
            let at = ms + saio.offsets[0] as usize;
            data[at..at + len].to_vec()
        })
        .collect()
}

#[test]
fn tfdt_growth_in_two_traf_moof_with_saio_fixes_every_offset() {
    let (seg, ivs) = two_traf_moof_with_saio();
    // The hand-built input is consistent: samples and IVs are where trun and saio say.
    let before = sample_bytes(&seg);
    assert_eq!(before.len(), 2);
    assert_eq!(
        saio_targets(&seg, 16),
        vec![ivs[0][..16].to_vec(), ivs[1][..16].to_vec()]
    );
    let idx = Index::parse(&seg).unwrap();
    let tfdt_of = |data: &[u8], k: usize| {
        let idx = Index::parse(data).unwrap();
        let i = idx.all(b"tfdt").nth(k).unwrap();
        Tfdt::parse(&data[idx.boxes()[i].range()], 0).unwrap()
    };
    assert_eq!(tfdt_of(&seg, 0).version, 0);
    assert_eq!(tfdt_of(&seg, 1).version, 0);
    let tracks_seen: Vec<u32> = sample_bytes(&seg).iter().map(|t| t.0).collect();
    assert_eq!(tracks_seen, vec![1, 2]);
    let tracks: Vec<u32> = idx
        .all(b"tfhd")
        .map(|i| {
            Tfhd::parse(&seg[idx.boxes()[i].range()], 0)
                .unwrap()
                .track_id
        })
        .collect();
    // Grow only the video traf first: the audio saio moves by 4 as well (its senc is after
    // the insertion), the video saio too (its senc follows its own tfdt).
    let only_video = Edits {
        tfdt: vec![TfdtEdit {
            track_id: Some(tracks[0]),
            target: TfdtTarget::Set(5 << 32),
        }],
        ..Edits::default()
    };
    let out1 = rewrite_segment(&seg, &only_video).unwrap().to_vec();
    assert_eq!(out1.len(), seg.len() + 4);
    assert_eq!(sample_bytes(&out1), before);
    assert_eq!(saio_targets(&out1, 16), saio_targets(&seg, 16));
    // Then both (from the original): +8 in all.
    let both = Edits {
        tfdt: vec![TfdtEdit {
            track_id: None,
            target: TfdtTarget::Set((1 << 32) + 17),
        }],
        ..Edits::default()
    };
    let out = rewrite_segment(&seg, &both).unwrap().to_vec();
    assert_eq!(out.len(), seg.len() + 8);
    assert_eq!(tfdt_of(&out, 0).version, 1);
    assert_eq!(tfdt_of(&out, 1).version, 1);
    assert_eq!(tfdt_of(&out, 0).base_media_decode_time, (1 << 32) + 17);
    assert_eq!(tfdt_of(&out, 1).base_media_decode_time, (1 << 32) + 17);
    // Every sample of both tracks, found through the rewritten trun offsets, is unchanged.
    assert_eq!(sample_bytes(&out), before);
    assert_eq!(mdats(&out), mdats(&seg));
    // Both saio offsets still point at their track's first IV.
    assert_eq!(
        saio_targets(&out, 16),
        vec![ivs[0][..16].to_vec(), ivs[1][..16].to_vec()]
    );
    // Sizes: moof +8, each traf +4.
    let oi = Index::parse(&out).unwrap();
    let old_trafs: Vec<u64> = idx.all(b"traf").map(|i| idx.boxes()[i].size).collect();
    let new_trafs: Vec<u64> = oi.all(b"traf").map(|i| oi.boxes()[i].size).collect();
    assert_eq!(new_trafs, vec![old_trafs[0] + 4, old_trafs[1] + 4]);
    // mp4-atom reads the result (it ignores saio/senc placement but checks sizes).
    let mb = &oi.boxes()[oi.find("moof").unwrap()];
    let moof = AtomMoof::decode(&mut &out[mb.range()]).unwrap();
    assert_eq!(moof.traf.len(), 2);
    for t in &moof.traf {
        assert_eq!(
            t.tfdt.as_ref().unwrap().base_media_decode_time,
            (1 << 32) + 17
        );
    }
}

#[test]
fn emsg_insert_grows_sidx_reference_only() {
    let data = fixture("dash/shaka_live/video_144p/2.m4s");
    let e = Emsg {
        version: 1,
        scheme_id_uri: "urn:scte:scte35:2013:bin".into(),
        value: String::new(),
        timescale: 90_000,
        presentation_time: 1_000_000,
        event_duration: 0xFFFF_FFFF,
        id: 1,
        message_data: vec![0xFC, 0x30, 0x11],
    };
    let out = rewrite_segment(
        &data,
        &Edits {
            emsg: vec![e.clone()],
            ..Edits::default()
        },
    )
    .unwrap()
    .to_vec();
    assert_eq!(out.len(), data.len() + 61);
    let idx = Index::parse(&out).unwrap();
    let kinds: Vec<String> = idx.top().map(|i| idx.boxes()[i].kind.to_string()).collect();
    let pos_e = kinds.iter().position(|k| k == "emsg").unwrap();
    assert_eq!(kinds[pos_e + 1], "moof");
    let eb = &idx.boxes()[idx.find("emsg").unwrap()];
    assert_eq!(Emsg::parse(&out[eb.range()], 0).unwrap(), e);
    let (_, s0) = first_of(&data, b"sidx").unwrap();
    let (_, s1) = first_of(&out, b"sidx").unwrap();
    let a = Sidx::parse(&data[s0.range()], 0).unwrap();
    let b = Sidx::parse(&out[s1.range()], 0).unwrap();
    assert_eq!(
        b.references[0].referenced_size,
        a.references[0].referenced_size + 61
    );
    assert_eq!(sample_bytes(&out), sample_bytes(&data));
    // The moof is untouched: trun offsets are relative to it.
    let (_, m0) = first_of(&data, b"moof").unwrap();
    let (_, m1) = first_of(&out, b"moof").unwrap();
    assert_eq!(&data[m0.range()], &out[m1.range()]);
}

#[test]
fn sidx_drop_and_insert_reproduce_the_packagers_sidx() {
    for rel in [
        "dash/shaka_live/video_144p/3.m4s",
        "dash/shaka_live/audio/3.m4s",
        "dash/ffmpeg_number/chunk-0-00002.m4s",
        "dash/ffmpeg_number/chunk-1-00002.m4s",
    ] {
        let data = fixture(rel);
        let (_, sb) = first_of(&data, b"sidx").unwrap();
        let orig = Sidx::parse(&data[sb.range()], sb.offset).unwrap();
        let dropped = rewrite_segment(
            &data,
            &Edits {
                sidx: SidxEdit::Drop,
                ..Edits::default()
            },
        )
        .unwrap()
        .to_vec();
        let mut expect = data.clone();
        expect.drain(sb.range());
        assert_eq!(dropped, expect, "{rel}");
        // Insert into the sidx-less segment.
        let inserted = rewrite_segment(
            &dropped,
            &Edits {
                sidx: SidxEdit::Insert(NewSidx {
                    reference_track_id: None,
                    timescale: Timescale::new(orig.timescale).unwrap(),
                    earliest_presentation_time: Some(orig.earliest_presentation_time),
                    defaults: Vec::new(),
                }),
                ..Edits::default()
            },
        )
        .unwrap()
        .to_vec();
        let (_, nb) = first_of(&inserted, b"sidx").unwrap();
        let new = Sidx::parse(&inserted[nb.range()], nb.offset).unwrap();
        assert_eq!(new.reference_id, orig.reference_id, "{rel}");
        assert_eq!(new.references.len(), orig.references.len(), "{rel}");
        for (a, b) in new.references.iter().zip(&orig.references) {
            assert_eq!(a.referenced_size, b.referenced_size, "{rel}");
            assert_eq!(a.subsegment_duration, b.subsegment_duration, "{rel}");
            assert_eq!(a.starts_with_sap, b.starts_with_sap, "{rel}");
        }
        assert_eq!(sample_bytes(&inserted), sample_bytes(&data), "{rel}");
        // Computed EPT: Shaka's is edit-list adjusted and ffmpeg's is not, so for ffmpeg only,
        // check it is the first presentation time (docs/box-rewrite.md#packager-differences).
        if rel.contains("ffmpeg") {
            let auto = rewrite_segment(
                &dropped,
                &Edits {
                    sidx: SidxEdit::Insert(NewSidx {
                        reference_track_id: None,
                        timescale: Timescale::new(orig.timescale).unwrap(),
                        earliest_presentation_time: None,
                        defaults: Vec::new(),
                    }),
                    ..Edits::default()
                },
            )
            .unwrap()
            .to_vec();
            let (_, ab) = first_of(&auto, b"sidx").unwrap();
            let a = Sidx::parse(&auto[ab.range()], 0).unwrap();
            assert_eq!(
                a.earliest_presentation_time, orig.earliest_presentation_time,
                "{rel}"
            );
        }
    }
}

#[test]
fn sidx_ept_growth_to_v1() {
    let data = fixture("dash/shaka_live/audio/2.m4s");
    let (_, sb) = first_of(&data, b"sidx").unwrap();
    let orig = Sidx::parse(&data[sb.range()], 0).unwrap();
    assert_eq!(orig.version, 0);
    let out = rewrite_segment(
        &data,
        &Edits {
            sidx: SidxEdit::Set {
                earliest_presentation_time: Some(1 << 40),
                first_offset: None,
            },
            ..Edits::default()
        },
    )
    .unwrap()
    .to_vec();
    assert_eq!(out.len(), data.len() + 8);
    let (_, nb) = first_of(&out, b"sidx").unwrap();
    let s = Sidx::parse(&out[nb.range()], 0).unwrap();
    assert_eq!(s.version, 1);
    assert_eq!(s.earliest_presentation_time, 1 << 40);
    assert_eq!(s.references, orig.references);
    assert_eq!(s.first_offset, orig.first_offset);
    // The referenced range still starts right after the sidx and covers moof + mdat.
    let idx = Index::parse(&out).unwrap();
    let moof = &idx.boxes()[idx.find("moof").unwrap()];
    assert_eq!(moof.start, nb.end() + s.first_offset as usize);
    assert_eq!(
        out.len() - moof.start,
        s.references[0].referenced_size as usize
    );
}

#[test]
fn whole_file_with_two_moofs_numbers_sequences_and_shifts_tfdt() {
    // The on-demand Shaka file: one moov, a sidx and several moof/mdat pairs.
    let data = fixture("dash/shaka_ondemand/audio.mp4");
    let idx = Index::parse_with(&data, 0, Depth::TopAndMoof).unwrap();
    let n_moofs = idx.top().filter(|&i| idx.boxes()[i].is(b"moof")).count();
    assert!(n_moofs >= 2);
    let full_idx = Index::parse(&data).unwrap();
    let old: Vec<u64> = full_idx
        .all(b"tfdt")
        .map(|i| {
            let b = &full_idx.boxes()[i];
            Tfdt::parse(&data[b.range()], 0)
                .unwrap()
                .base_media_decode_time
        })
        .collect();
    let out = rewrite_segment(
        &data,
        &Edits {
            tfdt: vec![TfdtEdit {
                track_id: None,
                target: TfdtTarget::Set(old[0] + (1 << 32)),
            }],
            sequence_number: Some(100),
            ..Edits::default()
        },
    )
    .unwrap()
    .to_vec();
    assert_eq!(out.len(), data.len() + 4 * n_moofs);
    let oi = Index::parse(&out).unwrap();
    let new: Vec<u64> = oi
        .all(b"tfdt")
        .map(|i| {
            Tfdt::parse(&out[oi.boxes()[i].range()], 0)
                .unwrap()
                .base_media_decode_time
        })
        .collect();
    let shifted: Vec<u64> = old.iter().map(|v| v + (1 << 32)).collect();
    assert_eq!(new, shifted);
    let seqs: Vec<u32> = oi
        .all(b"mfhd")
        .map(|i| {
            Mfhd::parse(&out[oi.boxes()[i].range()], 0)
                .unwrap()
                .sequence_number
        })
        .collect();
    assert_eq!(seqs, (100..100 + n_moofs as u32).collect::<Vec<_>>());
    assert_eq!(sample_bytes(&out), sample_bytes(&data));
    // The sidx references still tile the moof/mdat pairs.
    let sb = &oi.boxes()[oi.find("sidx").unwrap()];
    let s = Sidx::parse(&out[sb.range()], 0).unwrap();
    let ranges = s.reference_ranges(0, sb.end() as u64).unwrap();
    let moof_starts: Vec<u64> = oi
        .top()
        .filter(|&i| oi.boxes()[i].is(b"moof"))
        .map(|i| oi.boxes()[i].start as u64)
        .collect();
    let starts: Vec<u64> = ranges.iter().map(|r| r.0 - sb.start as u64).collect();
    let _ = starts;
    let abs: Vec<u64> = s
        .reference_ranges(sb.start as u64, sb.size)
        .unwrap()
        .iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(abs, moof_starts);
    assert_eq!(
        s.reference_ranges(sb.start as u64, sb.size)
            .unwrap()
            .last()
            .unwrap()
            .1,
        out.len() as u64
    );
}

/// Fuzz find (bmff_rewrite): a traf whose tfhd is unreadable (here renamed `tfjd`) made even
/// a no-op rewrite fail. A no-op must be the identity; edits that need the traf still fail.
#[test]
fn fuzz_noop_rewrite_with_unreadable_tfhd_is_identity() {
    let mut data = fixture("dash/ffmpeg_number/chunk-0-00002.m4s");
    let (_, tb) = first_of(&data, b"tfhd").unwrap();
    data[tb.start + 6] = b'j';
    let out = rewrite_segment(&data, &Edits::default()).unwrap();
    assert_eq!(out.to_vec(), data);
    let seq = rewrite_segment(
        &data,
        &Edits {
            sequence_number: Some(9),
            ..Edits::default()
        },
    )
    .unwrap()
    .to_vec();
    assert_eq!(seq.len(), data.len());
    let e = rewrite_segment(
        &data,
        &Edits {
            tfdt: vec![TfdtEdit {
                track_id: None,
                target: TfdtTarget::Set(1),
            }],
            ..Edits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.path, "moof/traf[0]");
    assert_eq!(e.offset, tb.offset - 8);
}
