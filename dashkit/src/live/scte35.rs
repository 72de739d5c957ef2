//! SCTE-35 ad cues in the video segments (`scte35_1|2|3`), as livesim2 sends them
//! (docs/live-options.md#scte-35): a `splice_insert` `splice_info_section` (ANSI/SCTE 35 §9.6,
//! §9.7.3) in an `emsg` version 1 box (scheme `urn:scte:scte35:2013:bin`, SCTE 214-1 §6.8) in
//! the segment whose media interval holds the instant 7 s before the splice, and an
//! `InbandEventStream` on the video AdaptationSet.
//!
//! Splices fall on the media-time minute grid: `scte35_1` at 10 s past each minute (a 20 s
//! break), `scte35_2` at 10 s and 40 s, `scte35_3` at 10 s, 36 s and 46 s (10 s breaks).

use crate::bmff::boxes::Emsg;
use crate::bmff::patch::Part;
use crate::mpd::model::{Descriptor, Mpd};
use crate::timeline::Timescale;

use super::options::LiveOptions;
use super::Error;

/// The `emsg` scheme of binary SCTE-35 (SCTE 214-1 §6.8.1).
pub(crate) const SCHEME_ID_URI: &str = "urn:scte:scte35:2013:bin";

/// How long before the splice the cue is sent, in seconds (livesim2).
pub(crate) const ANNOUNCE_AHEAD_S: u64 = 7;

/// The MPEG-2 systems clock SCTE-35 times count in.
const PTS_HZ: u64 = 90_000;

/// A `splice_insert()` command (ANSI/SCTE 35 §9.7.3) in a `splice_info_section` (§9.6),
/// program splice mode, no component loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpliceInsert {
    /// `splice_event_id`.
    pub splice_event_id: u32,
    /// `out_of_network_indicator`: true at the start of a break.
    pub out_of_network: bool,
    /// `splice_immediate_flag`.
    pub splice_immediate: bool,
    /// `splice_time()`'s `pts_time` (33 bits, 90 kHz); `None`: time_specified_flag 0.
    pub pts_time: Option<u64>,
    /// `break_duration()`: (`auto_return`, `duration` in 90 kHz, 33 bits).
    pub break_duration: Option<(bool, u64)>,
    /// `unique_program_id`.
    pub unique_program_id: u16,
    /// `avail_num`.
    pub avail_num: u8,
    /// `avails_expected`.
    pub avails_expected: u8,
    /// `tier` (12 bits; 0xFFF: no tier).
    pub tier: u16,
    /// `cw_index` (unused without encryption; livesim2 writes 0, the standard's example 0xFF).
    pub cw_index: u8,
    /// The `splice_descriptor()`s, encoded (tag, length, body each), in order.
    pub descriptors: Vec<u8>,
}

/// The MPEG-2 CRC-32 (ISO/IEC 13818-1 Annex A: polynomial 0x04C11DB7, initial value
/// 0xFFFFFFFF, no reflection, no final XOR) that ends a `splice_info_section`.
pub(crate) fn crc32_mpeg2(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// A 33-bit time field after 7 bits: the flag bit(s) `top` and reserved 1s, then the time.
fn time_field(out: &mut Vec<u8>, top: u8, t: u64) {
    out.push(top | 0x7E | ((t >> 32) & 1) as u8);
    out.extend_from_slice(&((t & 0xFFFF_FFFF) as u32).to_be_bytes());
}

impl SpliceInsert {
    /// The `splice_insert()` command bytes (§9.7.3).
    fn command(&self) -> Vec<u8> {
        let mut c = Vec::with_capacity(20);
        c.extend_from_slice(&self.splice_event_id.to_be_bytes());
        c.push(0x7F); // splice_event_cancel_indicator 0, reserved
        let flags = (u8::from(self.out_of_network) << 7)
            | (1 << 6) // program_splice_flag
            | (u8::from(self.break_duration.is_some()) << 5)
            | (u8::from(self.splice_immediate) << 4)
            | 0x0F;
        c.push(flags);
        if !self.splice_immediate {
            match self.pts_time {
                Some(t) => time_field(&mut c, 0x80, t),
                None => c.push(0x7F),
            }
        }
        if let Some((auto_return, d)) = self.break_duration {
            time_field(&mut c, u8::from(auto_return) << 7, d);
        }
        c.extend_from_slice(&self.unique_program_id.to_be_bytes());
        c.push(self.avail_num);
        c.push(self.avails_expected);
        c
    }

    /// The whole `splice_info_section` (§9.6): table_id 0xFC, no encryption, pts_adjustment 0,
    /// this command, the descriptors, and the CRC-32.
    pub fn section(&self) -> Result<Vec<u8>, Error> {
        let cmd = self.command();
        let too_long = || Error::OptionConflict {
            message: "SCTE-35 section too long".into(),
        };
        let cmd_len = u16::try_from(cmd.len())
            .ok()
            .filter(|l| *l < 0x1000)
            .ok_or_else(too_long)?;
        let desc_len = u16::try_from(self.descriptors.len()).map_err(|_| too_long())?;
        // From protocol_version to the end of the CRC.
        let section_len = 11 + cmd.len() + 2 + self.descriptors.len() + 4;
        let section_len = u16::try_from(section_len)
            .ok()
            .filter(|l| *l < 0x1000)
            .ok_or_else(too_long)?;
        let mut s = Vec::with_capacity(3 + usize::from(section_len));
        s.push(0xFC);
        // section_syntax_indicator 0, private_indicator 0, sap_type 3 (unspecified).
        s.push(0x30 | (section_len >> 8) as u8);
        s.push(section_len as u8);
        s.push(0); // protocol_version
        s.extend_from_slice(&[0; 5]); // encrypted_packet 0, algorithm 0, pts_adjustment 0
        s.push(self.cw_index);
        let tier = self.tier & 0xFFF;
        s.push((tier >> 4) as u8);
        s.push(((tier & 0xF) << 4) as u8 | (cmd_len >> 8) as u8);
        s.push(cmd_len as u8);
        s.push(0x05); // splice_command_type: splice_insert
        s.extend_from_slice(&cmd);
        s.extend_from_slice(&desc_len.to_be_bytes());
        s.extend_from_slice(&self.descriptors);
        let crc = crc32_mpeg2(&s);
        s.extend_from_slice(&crc.to_be_bytes());
        Ok(s)
    }
}

/// The splices of one minute for `scte35_<per_minute>`: (seconds past the minute, break
/// seconds), as livesim2 schedules them.
fn schedule(per_minute: u8) -> Option<&'static [(u64, u64)]> {
    match per_minute {
        1 => Some(&[(10, 20)]),
        2 => Some(&[(10, 10), (40, 10)]),
        3 => Some(&[(10, 10), (36, 10), (46, 10)]),
        _ => None,
    }
}

/// Whether `scte35_<n>` is a cadence livesim2 has (1, 2 or 3 splices a minute).
pub(crate) fn is_valid_per_minute(n: u8) -> bool {
    schedule(n).is_some()
}

/// The cue a video segment covering media time `[start, end]` (ticks of `timescale`) carries for
/// `scte35_<per_minute>`: an `emsg` for the splice whose announcement (7 s before it) lies in
/// `(start, end]`, or `None`. Its id and `splice_event_id` are the splice time in seconds, its
/// presentation time the splice time, its duration the break.
pub(crate) fn cue_for_segment(
    start: u64,
    end: u64,
    timescale: u32,
    per_minute: u8,
) -> Result<Option<Emsg>, Error> {
    let Some(splices) = schedule(per_minute) else {
        return Err(Error::BadOption {
            key: "scte35".into(),
            value: per_minute.to_string(),
        });
    };
    let ts = u64::from(timescale);
    if ts == 0 {
        return Err(Error::Overflow);
    }
    let minute = 60 * ts;
    let minute_start = start - start % minute;
    for &(at_s, break_s) in splices {
        let splice = minute_start.checked_add(at_s * ts).ok_or(Error::Overflow)?;
        let announce = splice - ANNOUNCE_AHEAD_S * ts;
        if start < announce && announce <= end {
            let id = u32::try_from(splice / ts).map_err(|_| Error::Overflow)?;
            let pts = u64::try_from(u128::from(splice) * u128::from(PTS_HZ) / u128::from(ts))
                .map_err(|_| Error::Overflow)?
                % (1 << 33);
            let section = SpliceInsert {
                splice_event_id: id,
                out_of_network: true,
                splice_immediate: false,
                pts_time: Some(pts),
                break_duration: Some((true, break_s * PTS_HZ)),
                unique_program_id: 0,
                avail_num: 0,
                avails_expected: 0,
                tier: 0xFFF,
                cw_index: 0,
                descriptors: Vec::new(),
            }
            .section()?;
            return Ok(Some(Emsg {
                version: 1,
                scheme_id_uri: SCHEME_ID_URI.into(),
                value: String::new(),
                timescale,
                presentation_time: splice,
                event_duration: u32::try_from(break_s * ts).map_err(|_| Error::Overflow)?,
                id,
                message_data: section,
            }));
        }
    }
    Ok(None)
}

/// The events live segment bytes `vod_bytes` (tfdt shifted by `tfdt_offset_ticks`) carry with
/// `options`: the SCTE-35 cue of a video segment that announces a splice ([`cue_for_segment`]
/// over the segment's live media interval, from its tfdt and sample durations).
pub(crate) fn segment_events(
    options: &LiveOptions,
    content_type: &str,
    vod_bytes: &[u8],
    timescale: Timescale,
    tfdt_offset_ticks: u64,
) -> Result<Vec<Emsg>, Error> {
    let Some(per_minute) = options.scte35_per_minute else {
        return Ok(Vec::new());
    };
    if content_type != "video" {
        return Ok(Vec::new());
    }
    let start = super::segment::vod_tfdt(vod_bytes)?
        .checked_add(tfdt_offset_ticks)
        .ok_or(Error::Overflow)?;
    let duration: u64 = crate::bmff::samples::track_samples(None, vod_bytes, 0)
        .ok()
        .and_then(|t| {
            t.first()
                .map(|t| t.fragments.iter().map(|f| f.duration).sum())
        })
        .unwrap_or(0);
    let end = start.checked_add(duration).ok_or(Error::Overflow)?;
    Ok(cue_for_segment(start, end, timescale.get(), per_minute)?
        .into_iter()
        .collect())
}

/// Puts `events` into the first chunk of a chunked segment, after its `styp` (before the
/// first `moof`).
pub(crate) fn insert_in_first_chunk(
    chunks: &mut [super::chunk::LiveChunk<'_>],
    events: &[Emsg],
) -> Result<(), Error> {
    let Some(first) = chunks.first_mut() else {
        return Ok(());
    };
    let at = usize::from(
        first
            .parts
            .first()
            .is_some_and(|p| p.as_bytes().get(4..8) == Some(b"styp")),
    );
    for (i, e) in events.iter().enumerate() {
        let bytes = e.encode().map_err(|err| Error::Segment {
            url: String::new(),
            source: Box::new(err),
        })?;
        first.parts.insert(at + i, Part::Owned(bytes));
    }
    Ok(())
}

/// Signals the cues in the MPD: an `InbandEventStream` with the scheme (and no value, as
/// livesim2) on every video AdaptationSet of the live MPD's Period (the asset's content
/// types, which also cover a VoD MPD without `@contentType`).
pub(crate) fn signal_in_mpd(mpd: &mut Mpd, asset: &super::asset::LiveAsset, options: &LiveOptions) {
    if options.scte35_per_minute.is_none() {
        return;
    }
    for las in asset
        .adaptation_sets
        .iter()
        .filter(|a| a.content_type == "video")
    {
        for p in &mut mpd.periods {
            if let Some(a) = p.adaptation_sets.get_mut(las.adaptation_set_index) {
                a.inband_event_streams.push(Descriptor {
                    scheme_id_uri: Some(SCHEME_ID_URI.into()),
                    ..Descriptor::default()
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn b64(s: &str) -> Vec<u8> {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = Vec::new();
        let mut acc = 0u32;
        let mut bits = 0;
        for c in s.bytes().filter(|c| *c != b'=') {
            let v = A.iter().position(|x| *x == c).unwrap() as u32;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out
    }

    /// The `splice_insert` example of ANSI/SCTE 35 (2019) §14.2, also the first vector of the
    /// threefive project's and Comcast/scte35-go's tests: event 0x4800008F, out of network,
    /// pts_time 0x07369C02E, a 0x00052CCF5 break with auto-return, cw_index 0xFF and an
    /// avail_descriptor (provider_avail_id 0x135). The CRC is 0x62DBA30A.
    #[test]
    fn standard_example_14_2() {
        let want = b64("/DAvAAAAAAAA///wFAVIAACPf+/+c2nALv4AUsz1AAAAAAAKAAhDVUVJAAABNWLbowo=");
        let s = SpliceInsert {
            splice_event_id: 0x4800_008F,
            out_of_network: true,
            splice_immediate: false,
            pts_time: Some(0x0_7369_C02E),
            break_duration: Some((true, 0x0_0052_CCF5)),
            unique_program_id: 0,
            avail_num: 0,
            avails_expected: 0,
            tier: 0xFFF,
            cw_index: 0xFF,
            descriptors: [&[0x00, 0x08][..], b"CUEI", &[0, 0, 0x01, 0x35]].concat(),
        };
        assert_eq!(s.section().unwrap(), want);
        assert_eq!(crc32_mpeg2(&want[..want.len() - 4]), 0x62DB_A30A);
    }

    /// Two more splice_insert sections from the threefive project's examples (as collected in
    /// kixelated/moq's SCTE-35 fixture generator): a splice without break_duration
    /// (out_of_network 0, unique_program_id 1, avail 0x12 of 0xFF), and an out-of-network
    /// splice with a break of 0x0F7314000 ticks and avail 1 of 0xFF.
    #[test]
    fn threefive_vectors() {
        let want = b64("/DAqAAAAAAAA///wDwUAAAASf0/+dihKegABEv8ACgAIQ1VFSQAAABIe1kvb");
        let s = SpliceInsert {
            splice_event_id: 0x12,
            out_of_network: false,
            splice_immediate: false,
            pts_time: Some(0x0_7628_4A7A),
            break_duration: None,
            unique_program_id: 1,
            avail_num: 0x12,
            avails_expected: 0xFF,
            tier: 0xFFF,
            cw_index: 0xFF,
            descriptors: [&[0x00, 0x08][..], b"CUEI", &[0, 0, 0, 0x12]].concat(),
        };
        assert_eq!(s.section().unwrap(), want);
        let want = b64("/DAvAAAAAAAA///wFAVAAAT2f+/+eMpEWX4A9zFAAAEL/wAKAAhDVUVJAAAACwRZmfY=");
        let s = SpliceInsert {
            splice_event_id: 0x4000_04F6,
            out_of_network: true,
            splice_immediate: false,
            pts_time: Some(0x0_78CA_4459),
            break_duration: Some((false, 0x0_00F7_3140)),
            unique_program_id: 1,
            avail_num: 0x0B,
            avails_expected: 0xFF,
            tier: 0xFFF,
            cw_index: 0xFF,
            descriptors: [&[0x00, 0x08][..], b"CUEI", &[0, 0, 0, 0x0B]].concat(),
        };
        assert_eq!(s.section().unwrap(), want);
    }

    /// livesim2's cadence (pkg/scte35 tests): with 1 kHz, the 2–4 s segment announces 10 s.
    #[test]
    fn livesim2_cadence_vectors() {
        let e = cue_for_segment(2000, 4000, 1000, 1).unwrap().unwrap();
        assert_eq!((e.timescale, e.presentation_time), (1000, 10_000));
        assert!(cue_for_segment(0, 1, 1000, 4).is_err());
        // scte35_3 at 90 kHz: splices at 10, 36, 46 s, announced at 3, 29, 39 s.
        let announced: Vec<u32> = (0..30)
            .filter_map(|i| cue_for_segment(i * 180_000, (i + 1) * 180_000, 90_000, 3).unwrap())
            .map(|e| e.id)
            .collect();
        assert_eq!(announced, [10, 36, 46]);
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn crc32_mpeg2() {
        // The CRC of a section including its own CRC is 0.
        let s = crate::live::scte35::SpliceInsert {
            splice_event_id: 1,
            out_of_network: true,
            splice_immediate: false,
            pts_time: Some(0),
            break_duration: None,
            unique_program_id: 0,
            avail_num: 0,
            avails_expected: 0,
            tier: 0xFFF,
            cw_index: 0,
            descriptors: vec![],
        }
        .section()
        .unwrap();
        assert_eq!(crate::live::scte35::crc32_mpeg2(&s), 0);
    }

    #[test]
    fn cue_for_segment() {
        use crate::live::scte35::cue_for_segment;
        // livesim2's test vectors: the 2–4 s segment (ts 90 kHz) announces the splice at 10 s.
        let e = cue_for_segment(180_000, 360_000, 90_000, 1)
            .unwrap()
            .unwrap();
        assert_eq!(
            (e.presentation_time, e.id, e.event_duration),
            (900_000, 10, 1_800_000)
        );
        assert!(cue_for_segment(0, 180_000, 90_000, 1).unwrap().is_none());
        assert!(cue_for_segment(360_000, 540_000, 90_000, 1)
            .unwrap()
            .is_none());
    }

    #[test]
    fn section() {
        // livesim2's cue for the splice at 70 s with scte35_1 (a 20 s break).
        let s = crate::live::scte35::SpliceInsert {
            splice_event_id: 70,
            out_of_network: true,
            splice_immediate: false,
            pts_time: Some(70 * 90_000),
            break_duration: Some((true, 20 * 90_000)),
            unique_program_id: 0,
            avail_num: 0,
            avails_expected: 0,
            tier: 0xFFF,
            cw_index: 0,
            descriptors: vec![],
        }
        .section()
        .unwrap();
        assert_eq!(s.len(), 40);
        assert_eq!(&s[..3], &[0xFC, 0x30, 0x25]);
    }
}
