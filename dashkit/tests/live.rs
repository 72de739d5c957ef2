//! Live simulation on the `ffmpeg_livesim` fixture (5 × 2 s, video `0` at 12 800 Hz, audio
//! `1` at 48 000 Hz): golden live MPDs at fixed instants (`fixtures/golden/live/`,
//! `DASHKIT_BLESS=1 cargo test -p dashkit --test live` rewrites them), shifted segments decoded
//! back, and laws over wrap-arounds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dashkit::bmff::Index;
use dashkit::bmff::{Mfhd, Tfdt};
use dashkit::live::asset::LiveAsset;
use dashkit::live::mpd::live_mpd;
use dashkit::live::options::LiveOptions;
use dashkit::live::segment::{live_segment, LiveSegmentResult, SegmentAddress};
use dashkit::live::timing::Timing;
use proptest::prelude::*;

mod support;
use support::{golden, livesim_asset as asset, livesim_dir as dir};

fn mpd_at(opts: &str, now_s: i64) -> dashkit::mpd::Mpd {
    live_mpd(&asset(), &LiveOptions::parse(opts).unwrap(), now_s * 1000).unwrap()
}

#[test]
fn golden_mpds() {
    for (name, opts, now) in [
        ("number_first_loop.mpd", "", 7),
        ("number_after_wrap.mpd", "tsbd_8", 25),
        ("number_far.mpd", "", 1_356_998_460),
        ("timeline_first_loop.mpd", "segtimeline_1", 7),
        ("timeline_after_wrap.mpd", "segtimeline_1/tsbd_12", 25),
        ("timeline_far.mpd", "segtimeline_1/tsbd_30", 1_356_998_460),
        (
            "timelinenr_far.mpd",
            "segtimelinenr_1/tsbd_30",
            1_356_998_460,
        ),
        (
            "start_snr_spd.mpd",
            "start_100/snr_7/spd_4/utc_direct-head",
            130,
        ),
    ] {
        golden("live", name, &dashkit::mpd::write(&mpd_at(opts, now)));
    }
}

/// The timeline's entries, expanded, cover the window contiguously and end at or before now
/// (docs/live-timing.md#timeline-window), and the `$Time$` values are the segments' live tfdts.
#[test]
fn timeline_after_wrap_is_contiguous() {
    let m = mpd_at("segtimeline_1/tsbd_12", 25);
    for aset in &m.periods[0].adaptation_sets {
        let tpl = aset.segment_template.as_ref().unwrap();
        let ts = u64::from(tpl.timescale.unwrap());
        assert!(tpl.media.as_deref().unwrap().contains("t$Time$"));
        assert!(tpl.start_number.is_none() && tpl.duration.is_none());
        let s = &tpl.segment_timeline.as_ref().unwrap().s;
        let mut t = s[0].t.unwrap();
        let first = t;
        for e in s {
            t += e.d.unwrap() * (e.r.unwrap_or(0) as u64 + 1);
        }
        assert!(t <= 25 * ts && t + 3 * ts > 25 * ts, "end {t} vs now");
        assert!(
            first <= 13 * ts && 13 * ts < first + 3 * ts,
            "start {first}"
        );
    }
}

fn decode(bytes: &[u8]) -> (u32, Tfdt, Vec<u8>) {
    let idx = Index::parse(bytes).unwrap();
    let m = &idx.boxes()[idx.find("moof/mfhd").unwrap()];
    let t = &idx.boxes()[idx.find("moof/traf/tfdt").unwrap()];
    let d = &idx.boxes()[idx.find("mdat").unwrap()];
    (
        Mfhd::parse(&bytes[m.range()], 0).unwrap().sequence_number,
        Tfdt::parse(&bytes[t.range()], 0).unwrap(),
        bytes[d.payload_range()].to_vec(),
    )
}

struct Built {
    out: Vec<u8>,
    vod: Vec<u8>,
    vod_number: u64,
}

fn build(a: &LiveAsset, opts: &str, rep: &str, n: u64, now_s: i64) -> Result<Built, String> {
    let o = LiveOptions::parse(opts).unwrap();
    let t = Timing::from_options(&o, a.looping, a.default_tsbd_s, now_s * 1000)
        .unwrap()
        .timing;
    let seg = t.segment(n).unwrap();
    let (_, r) = a.representation(rep).unwrap();
    let vod = std::fs::read(dir().join(r.media_url(seg.vod_number).unwrap())).unwrap();
    match live_segment(
        a,
        &t,
        rep,
        SegmentAddress::Number(n),
        &vod,
        now_s * 1000,
        o.sidx,
    )
    .unwrap()
    {
        LiveSegmentResult::Ready(rw) => Ok(Built {
            out: rw.to_vec(),
            vod: vod.clone(),
            vod_number: seg.vod_number,
        }),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn first_loop_segment_keeps_tfdt() {
    let a = asset();
    // Segment 2 ends at 6 s: VoD 3, no loop yet.
    let b = build(&a, "", "0", 2, 7).unwrap();
    assert_eq!(b.vod_number, 3);
    let (seq, tfdt, mdat) = decode(&b.out);
    let (_, vtfdt, vmdat) = decode(&b.vod);
    assert_eq!(seq, 2);
    assert_eq!(tfdt, vtfdt);
    assert_eq!(mdat, vmdat);
    // ffmpeg's segments carry a sidx, which dashlivesim (and dashkit by default) drops.
    let idx = Index::parse(&b.vod).unwrap();
    let sidx = idx
        .find("sidx")
        .map(|i| idx.boxes()[i].range().len())
        .unwrap_or(0);
    assert_eq!(b.out.len(), b.vod.len() - sidx);
}

#[test]
fn after_wrap_segment_shifts_by_loop() {
    let a = asset();
    // Segment 11 covers media 22..24 s: loop 2 (20 s), VoD 2; tfdt + 20 s × timescale.
    for (rep, ts) in [("0", 12_800u64), ("1", 48_000)] {
        let b = build(&a, "", rep, 11, 25).unwrap();
        assert_eq!(b.vod_number, 2);
        let (seq, tfdt, mdat) = decode(&b.out);
        let (_, vtfdt, vmdat) = decode(&b.vod);
        assert_eq!(seq, 11);
        assert_eq!(
            tfdt.base_media_decode_time,
            vtfdt.base_media_decode_time + 20 * ts
        );
        assert_eq!(mdat, vmdat);
    }
}

#[test]
fn far_future_tfdt_grows_to_version_1() {
    let a = asset();
    let now = 1_356_998_460i64;
    let t = Timing::from_options(&LiveOptions::default(), a.looping, 300, now * 1000)
        .unwrap()
        .timing;
    let window = t.available_numbers(now * 1000).unwrap();
    let n = *window.end();
    // Newest: (n + 1)·2 ≤ now.
    assert_eq!(n, (now as u64) / 2 - 1);
    let seg = t.segment(n).unwrap();
    let b = build(&a, "", "0", n, now).unwrap();
    let (seq, tfdt, mdat) = decode(&b.out);
    let (_, vtfdt, vmdat) = decode(&b.vod);
    assert_eq!(u64::from(seq), n);
    assert_eq!(tfdt.version, 1);
    let expected = vtfdt.base_media_decode_time + seg.loops * 10 * 12_800;
    assert!(expected > u64::from(u32::MAX));
    assert_eq!(tfdt.base_media_decode_time, expected);
    // ffmpeg already writes version 1 tfdt boxes; a version 0 one grows by 4 bytes (the
    // growth itself is covered on hand-built segments in tests/bmff_rewrite.rs).
    let idx = Index::parse(&b.vod).unwrap();
    let sidx = idx
        .find("sidx")
        .map(|i| idx.boxes()[i].range().len())
        .unwrap_or(0);
    let growth = if vtfdt.version == 0 { 4 } else { 0 };
    assert_eq!(b.out.len(), b.vod.len() - sidx + growth);
    assert_eq!(mdat, vmdat);
}

#[test]
fn sidx_1_inserts_dashlivesim_sidx() {
    let a = asset();
    let plain = build(&a, "", "0", 11, 25).unwrap();
    let b = build(&a, "sidx_1", "0", 11, 25).unwrap();
    assert_eq!(b.out.len(), plain.out.len() + 52);
    let idx = Index::parse(&b.out).unwrap();
    let s = &idx.boxes()[idx.find("sidx").unwrap()];
    let moof = &idx.boxes()[idx.find("moof").unwrap()];
    assert_eq!(s.end(), moof.start);
    let sb = &b.out[s.range()];
    assert_eq!(sb[8], 1); // version 1
    let (_, tfdt, _) = decode(&b.out);
    assert_eq!(
        u64::from_be_bytes(sb[20..28].try_into().unwrap()),
        tfdt.base_media_decode_time
    );
    let referenced = u32::from_be_bytes(sb[40..44].try_into().unwrap()) as usize;
    assert_eq!(referenced, b.out.len() - moof.start);
    assert_eq!(&sb[48..52], &[0x90, 0, 0, 0]);
}

#[test]
fn too_early_and_too_late() {
    let a = asset();
    // Segment 11 ends at 24 s: at 23.5 s too early by 500 ms.
    let t = Timing::from_options(&LiveOptions::default(), a.looping, 300, 23_500)
        .unwrap()
        .timing;
    let vod = std::fs::read(dir().join("0/2.m4s")).unwrap();
    let r = live_segment(&a, &t, "0", SegmentAddress::Number(11), &vod, 23_500, false).unwrap();
    assert_eq!(r, LiveSegmentResult::TooEarly { by_ms: 500 });
    // Window end: 24 + 2 + 300 = 326 s; at 327 s too late by 1000 ms.
    let r = live_segment(
        &a,
        &t,
        "0",
        SegmentAddress::Number(11),
        &vod,
        327_000,
        false,
    )
    .unwrap();
    assert_eq!(r, LiveSegmentResult::TooLate { by_ms: 1000 });
    let r = live_segment(&a, &t, "9", SegmentAddress::Number(11), &vod, 30_000, false).unwrap();
    assert_eq!(r, LiveSegmentResult::NotFound);
}

#[test]
fn time_address_matches_number() {
    let a = asset();
    let t = Timing::from_options(&LiveOptions::default(), a.looping, 300, 25_000)
        .unwrap()
        .timing;
    let vod = std::fs::read(dir().join("1/2.m4s")).unwrap();
    let by_n = live_segment(&a, &t, "1", SegmentAddress::Number(11), &vod, 25_000, false).unwrap();
    let (_, tfdt, _) = decode(&vod);
    let time = tfdt.base_media_decode_time + 20 * 48_000;
    let by_t = live_segment(&a, &t, "1", SegmentAddress::Time(time), &vod, 25_000, false).unwrap();
    assert_eq!(by_n, by_t);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Live tfdt strictly increases from one number to the next, across wrap-arounds.
    #[test]
    fn tfdt_strictly_increasing(n in 0u64..2_000_000_000) {
        let a = asset();
        let now = (n as i64 + 3) * 2;
        let b0 = build(&a, "", "1", n, now).unwrap();
        let b1 = build(&a, "", "1", n + 1, now).unwrap();
        let (s0, t0, _) = decode(&b0.out);
        let (s1, t1, _) = decode(&b1.out);
        prop_assert_eq!(u64::from(s0) + 1, u64::from(s1));
        prop_assert!(t1.base_media_decode_time > t0.base_media_decode_time);
    }
}
