//! H.265 slice segment headers for subsample encryption: how many bytes of a VCL NAL unit its
//! NAL header and slice segment header take (ITU-T H.265 §7.3.6.1, which ends with
//! `byte_alignment()`), read with the SPS and PPS it names (§7.3.2.2.1, §7.3.2.3.1) from `hvcC`
//! (ISO/IEC 14496-15 §8.3.3.1) and from parameter sets met in the samples.
//!
//! Not laid out (reported, so the caller falls back): layers above 0 (SHVC/MV-HEVC) and the
//! screen-content extension's PPS; the SPS is read up to `strong_intra_smoothing_enabled_flag`,
//! so an SCC SPS extension (whose fields the slice header would need) is not seen.

use super::avc::{ceil_log2, SliceHeaderError, R};
use super::rbsp::Rbsp;
use crate::limits::MAX_SLICE_HEADER_LOOP;

/// Highest `sps_seq_parameter_set_id` (§7.4.3.2.1) and `pps_pic_parameter_set_id` (§7.4.3.3.1).
const MAX_SPS_ID: u32 = 15;
const MAX_PPS_ID: u32 = 63;
/// Most pictures one side of a short-term reference picture set may list (§7.4.8: at most
/// sps_max_dec_pic_buffering_minus1, itself below 16).
const MAX_RPS_PICS: u32 = 16;
/// Most short-term RPSs an SPS may hold (§7.4.3.2.1) and long-term pictures it may list.
const MAX_SPS_RPS: u32 = 64;
const MAX_SPS_LT: u32 = 32;

/// A short-term reference picture set (§7.4.8): the POC deltas before and after, each with its
/// used_by_curr_pic flag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rps {
    s0: Vec<(i64, bool)>,
    s1: Vec<(i64, bool)>,
}

impl Rps {
    fn used(&self) -> u32 {
        self.s0.iter().chain(&self.s1).filter(|(_, u)| *u).count() as u32
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Sps {
    separate_colour_plane: bool,
    chroma_array_type: u32,
    log2_max_poc_lsb: u32,
    pic_size_in_ctbs: u64,
    sao: bool,
    rps: Vec<Rps>,
    /// used_by_curr_pic_lt_sps_flag of each long-term picture the SPS lists (`None`: long-term
    /// pictures absent).
    lt_used: Option<Vec<bool>>,
    temporal_mvp: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pps {
    sps_id: u32,
    dependent_slice_segments: bool,
    output_flag_present: bool,
    num_extra_slice_header_bits: u32,
    cabac_init_present: bool,
    num_ref_idx_default: [u32; 2],
    slice_chroma_qp_offsets_present: bool,
    weighted_pred: bool,
    weighted_bipred: bool,
    entry_points: bool,
    loop_filter_across_slices: bool,
    deblocking_override_enabled: bool,
    deblocking_disabled: bool,
    lists_modification_present: bool,
    slice_header_extension_present: bool,
    chroma_qp_offset_list: bool,
}

/// The H.265 parameter sets of one track, as far as slice segment headers need them, and the
/// length of each slice segment's header: the HEVC twin of [`super::AvcSlices`].
///
/// ```
/// use dashkit::cenc::{HevcSlices, SliceHeaderError};
/// let s = HevcSlices::default();
/// // A TRAIL_R slice naming PPS 0, which was never given.
/// assert_eq!(
///     s.header_len(&[0x02, 0x01, 0xE0, 0x00]),
///     Err(SliceHeaderError::MissingParameterSet { what: "PPS", id: 0 })
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct HevcSlices {
    sps: Vec<(u32, Sps)>,
    pps: Vec<(u32, Pps)>,
}

impl HevcSlices {
    /// The parameter sets of an `hvcC` payload (HEVCDecoderConfigurationRecord, ISO/IEC
    /// 14496-15 §8.3.3.1). A record that cannot be walked is an error; a parameter set in it
    /// that cannot be read is left out.
    ///
    /// ```
    /// use dashkit::cenc::{HevcSlices, SliceHeaderError};
    /// assert!(matches!(HevcSlices::from_hvcc(&[1; 10]), Err(SliceHeaderError::Config { .. })));
    /// ```
    pub fn from_hvcc(hvcc: &[u8]) -> Result<Self, SliceHeaderError> {
        let mut s = HevcSlices::default();
        let cut = |at: usize| SliceHeaderError::Config {
            what: "ends inside its NAL unit arrays",
            at: at as u64,
        };
        let mut at = 22usize;
        let arrays = *hvcc.get(at).ok_or(cut(at))?;
        at += 1;
        for _ in 0..arrays {
            let n = hvcc.get(at + 1..at + 3).ok_or(cut(at))?;
            let n = u16::from_be_bytes([n[0], n[1]]);
            at += 3;
            for _ in 0..n {
                let len = hvcc.get(at..at + 2).ok_or(cut(at))?;
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                let nal = hvcc.get(at + 2..at + 2 + len).ok_or(cut(at))?;
                let _ = s.read_parameter_set(nal);
                at += 2 + len;
            }
        }
        Ok(s)
    }

    /// Reads `nal` if it is an SPS (type 33) or PPS (type 34) of layer 0, replacing any earlier
    /// one with the same id; other NAL units are ignored. One that cannot be read drops every
    /// parameter set known so far, so the slices after it are reported rather than measured
    /// with a stale set.
    pub fn parameter_set(&mut self, nal: &[u8]) -> Result<(), SliceHeaderError> {
        self.read_parameter_set(nal).inspect_err(|_| {
            self.sps.clear();
            self.pps.clear();
        })
    }

    fn read_parameter_set(&mut self, nal: &[u8]) -> R<()> {
        let (Some(&h0), Some(&h1)) = (nal.first(), nal.get(1)) else {
            return Ok(());
        };
        if (h0 & 1) != 0 || (h1 >> 3) != 0 {
            return Ok(()); // a layer above 0
        }
        match (h0 >> 1) & 0x3F {
            33 => {
                let (id, sps) = parse_sps(nal)?;
                self.sps.retain(|(i, _)| *i != id);
                self.sps.push((id, sps));
            }
            34 => {
                let (id, pps) = parse_pps(nal)?;
                self.pps.retain(|(i, _)| *i != id);
                self.pps.push((id, pps));
            }
            _ => {}
        }
        Ok(())
    }

    /// The length in bytes of the NAL header and slice segment header of `nal`, a coded slice
    /// segment (types 0 to 9 and 16 to 21) stored with its emulation-prevention bytes.
    pub fn header_len(&self, nal: &[u8]) -> Result<usize, SliceHeaderError> {
        let mut r = Rbsp::new(nal);
        r.flag("forbidden_zero_bit")?;
        let nal_type = r.bits(6, "nal_unit_type")?;
        let layer = r.bits(6, "nuh_layer_id")?;
        r.bits(3, "nuh_temporal_id_plus1")?;
        if !matches!(nal_type, 0..=9 | 16..=21) {
            return Err(SliceHeaderError::Unsupported {
                what: "not a coded slice segment NAL unit",
            });
        }
        if layer != 0 {
            return Err(SliceHeaderError::Unsupported {
                what: "HEVC layers above 0",
            });
        }
        let irap = (16..=23).contains(&nal_type);
        let idr = nal_type == 19 || nal_type == 20;
        let first = r.flag("first_slice_segment_in_pic_flag")?;
        if irap {
            r.flag("no_output_of_prior_pics_flag")?;
        }
        let pps_id = r.ue_max(MAX_PPS_ID, "slice_pic_parameter_set_id")?;
        let pps = find(&self.pps, pps_id).ok_or(SliceHeaderError::MissingParameterSet {
            what: "PPS",
            id: pps_id,
        })?;
        let sps = find(&self.sps, pps.sps_id).ok_or(SliceHeaderError::MissingParameterSet {
            what: "SPS",
            id: pps.sps_id,
        })?;
        let mut dependent = false;
        if !first {
            if pps.dependent_slice_segments {
                dependent = r.flag("dependent_slice_segment_flag")?;
            }
            r.bits(ceil_log2(sps.pic_size_in_ctbs), "slice_segment_address")?;
        }
        if !dependent {
            independent_fields(&mut r, sps, pps, idr)?;
        }
        if pps.entry_points {
            let n = r.ue("num_entry_point_offsets")?;
            if n > 0 {
                let len = r.ue_max(31, "offset_len_minus1")? + 1;
                r.skip(u64::from(n) * u64::from(len), "entry_point_offset_minus1")?;
            }
        }
        if pps.slice_header_extension_present {
            let n = r.ue_max(256, "slice_segment_header_extension_length")?;
            r.skip(u64::from(n) * 8, "slice_segment_header_extension_data_byte")?;
        }
        // byte_alignment(): a one bit, then zero bits to the byte boundary.
        if !r.flag("alignment_bit_equal_to_one")? {
            return Err(SliceHeaderError::OutOfRange {
                what: "alignment_bit_equal_to_one",
                value: 0,
                bit: r.bit() - 1,
            });
        }
        while !r.bit().is_multiple_of(8) {
            r.flag("alignment_bit_equal_to_zero")?;
        }
        Ok(r.raw_len())
    }
}

/// The slice segment header fields of an independent slice segment (§7.3.6.1, inside
/// `if( !dependent_slice_segment_flag )`).
fn independent_fields(r: &mut Rbsp<'_>, sps: &Sps, pps: &Pps, idr: bool) -> R<()> {
    r.skip(
        u64::from(pps.num_extra_slice_header_bits),
        "slice_reserved_flag",
    )?;
    let slice_type = r.ue_max(2, "slice_type")?;
    let (b, p) = (slice_type == 0, slice_type == 1);
    if pps.output_flag_present {
        r.flag("pic_output_flag")?;
    }
    if sps.separate_colour_plane {
        r.bits(2, "colour_plane_id")?;
    }
    let mut used_refs = 0u32;
    let mut temporal_mvp = false;
    if !idr {
        r.bits(sps.log2_max_poc_lsb, "slice_pic_order_cnt_lsb")?;
        let num_rps = sps.rps.len() as u32;
        if !r.flag("short_term_ref_pic_set_sps_flag")? {
            used_refs += st_ref_pic_set(r, &sps.rps, num_rps, num_rps)?.used();
        } else if num_rps > 1 {
            let idx = r.bits(ceil_log2(u64::from(num_rps)), "short_term_ref_pic_set_idx")?;
            let rps = sps
                .rps
                .get(idx as usize)
                .ok_or(SliceHeaderError::OutOfRange {
                    what: "short_term_ref_pic_set_idx",
                    value: u64::from(idx),
                    bit: r.bit(),
                })?;
            used_refs += rps.used();
        } else {
            used_refs += sps.rps.first().map_or(0, Rps::used);
        }
        if let Some(lt_used) = &sps.lt_used {
            let num_lt_sps = lt_used.len() as u32;
            let mut from_sps = 0;
            if num_lt_sps > 0 {
                from_sps = r.ue_max(num_lt_sps, "num_long_term_sps")?;
            }
            let pics = r.ue_max(MAX_SPS_LT, "num_long_term_pics")?;
            for i in 0..from_sps + pics {
                if i < from_sps {
                    let mut idx = 0;
                    if num_lt_sps > 1 {
                        idx = r.bits(ceil_log2(u64::from(num_lt_sps)), "lt_idx_sps")?;
                    }
                    let used = lt_used
                        .get(idx as usize)
                        .ok_or(SliceHeaderError::OutOfRange {
                            what: "lt_idx_sps",
                            value: u64::from(idx),
                            bit: r.bit(),
                        })?;
                    used_refs += u32::from(*used);
                } else {
                    r.bits(sps.log2_max_poc_lsb, "poc_lsb_lt")?;
                    used_refs += u32::from(r.flag("used_by_curr_pic_lt_flag")?);
                }
                if r.flag("delta_poc_msb_present_flag")? {
                    r.ue("delta_poc_msb_cycle_lt")?;
                }
            }
        }
        if sps.temporal_mvp {
            temporal_mvp = r.flag("slice_temporal_mvp_enabled_flag")?;
        }
    }
    let mut sao = false;
    if sps.sao {
        sao |= r.flag("slice_sao_luma_flag")?;
        if sps.chroma_array_type != 0 {
            sao |= r.flag("slice_sao_chroma_flag")?;
        }
    }
    if p || b {
        let mut num_ref_idx = pps.num_ref_idx_default;
        if r.flag("num_ref_idx_active_override_flag")? {
            num_ref_idx[0] = r.ue_max(14, "num_ref_idx_l0_active_minus1")?;
            if b {
                num_ref_idx[1] = r.ue_max(14, "num_ref_idx_l1_active_minus1")?;
            }
        }
        if pps.lists_modification_present && used_refs > 1 {
            let bits = ceil_log2(u64::from(used_refs));
            for (list, &n) in num_ref_idx.iter().enumerate().take(if b { 2 } else { 1 }) {
                let what = [
                    "ref_pic_list_modification_flag_l0",
                    "ref_pic_list_modification_flag_l1",
                ];
                if r.flag(what[list])? {
                    r.skip(u64::from(n + 1) * u64::from(bits), "list_entry")?;
                }
            }
        }
        if b {
            r.flag("mvd_l1_zero_flag")?;
        }
        if pps.cabac_init_present {
            r.flag("cabac_init_flag")?;
        }
        if temporal_mvp {
            let mut from_l0 = true;
            if b {
                from_l0 = r.flag("collocated_from_l0_flag")?;
            }
            if (from_l0 && num_ref_idx[0] > 0) || (!from_l0 && num_ref_idx[1] > 0) {
                r.ue_max(14, "collocated_ref_idx")?;
            }
        }
        if (pps.weighted_pred && p) || (pps.weighted_bipred && b) {
            pred_weight_table(r, sps.chroma_array_type, &num_ref_idx, b)?;
        }
        r.ue_max(4, "five_minus_max_num_merge_cand")?;
    }
    r.se("slice_qp_delta")?;
    if pps.slice_chroma_qp_offsets_present {
        r.se("slice_cb_qp_offset")?;
        r.se("slice_cr_qp_offset")?;
    }
    if pps.chroma_qp_offset_list {
        r.flag("cu_chroma_qp_offset_enabled_flag")?;
    }
    let mut deblocking_disabled = pps.deblocking_disabled;
    if pps.deblocking_override_enabled && r.flag("deblocking_filter_override_flag")? {
        deblocking_disabled = r.flag("slice_deblocking_filter_disabled_flag")?;
        if !deblocking_disabled {
            r.se("slice_beta_offset_div2")?;
            r.se("slice_tc_offset_div2")?;
        }
    }
    if pps.loop_filter_across_slices && (sao || !deblocking_disabled) {
        r.flag("slice_loop_filter_across_slices_enabled_flag")?;
    }
    Ok(())
}

/// `pred_weight_table()` (§7.3.6.3), pictures never referring to themselves (no SCC).
fn pred_weight_table(
    r: &mut Rbsp<'_>,
    chroma_array_type: u32,
    num_ref_idx: &[u32; 2],
    b: bool,
) -> R<()> {
    r.ue_max(7, "luma_log2_weight_denom")?;
    if chroma_array_type != 0 {
        r.se("delta_chroma_log2_weight_denom")?;
    }
    for &n in num_ref_idx.iter().take(if b { 2 } else { 1 }) {
        let n = n as usize + 1;
        let mut luma = [false; 16];
        let mut chroma = [false; 16];
        for f in luma.iter_mut().take(n) {
            *f = r.flag("luma_weight_flag")?;
        }
        if chroma_array_type != 0 {
            for f in chroma.iter_mut().take(n) {
                *f = r.flag("chroma_weight_flag")?;
            }
        }
        for i in 0..n {
            if luma[i] {
                r.se("delta_luma_weight")?;
                r.se("luma_offset")?;
            }
            if chroma[i] {
                for _ in 0..2 {
                    r.se("delta_chroma_weight")?;
                    r.se("delta_chroma_offset")?;
                }
            }
        }
    }
    Ok(())
}

/// `st_ref_pic_set(stRpsIdx)` (§7.3.7) over the sets `before` it (the SPS's, for a slice's own
/// set, whose index is `num_in_sps`), with the derivation of §7.4.8 (7-61, 7-62) when it is
/// predicted from one of them.
fn st_ref_pic_set(r: &mut Rbsp<'_>, before: &[Rps], idx: u32, num_in_sps: u32) -> R<Rps> {
    let mut predicted = false;
    if idx != 0 {
        predicted = r.flag("inter_ref_pic_set_prediction_flag")?;
    }
    if !predicted {
        let neg = r.ue_max(MAX_RPS_PICS, "num_negative_pics")?;
        let pos = r.ue_max(MAX_RPS_PICS, "num_positive_pics")?;
        let mut out = Rps::default();
        let mut poc = 0i64;
        for _ in 0..neg {
            poc -= i64::from(r.ue("delta_poc_s0_minus1")?) + 1;
            out.s0.push((poc, r.flag("used_by_curr_pic_s0_flag")?));
        }
        poc = 0;
        for _ in 0..pos {
            poc += i64::from(r.ue("delta_poc_s1_minus1")?) + 1;
            out.s1.push((poc, r.flag("used_by_curr_pic_s1_flag")?));
        }
        return Ok(out);
    }
    let mut delta_idx = 1;
    if idx == num_in_sps {
        delta_idx = r.ue_max(idx - 1, "delta_idx_minus1")? + 1;
    }
    let bit = r.bit();
    let reference = idx
        .checked_sub(delta_idx)
        .and_then(|i| before.get(i as usize))
        .ok_or(SliceHeaderError::OutOfRange {
            what: "delta_idx_minus1",
            value: u64::from(delta_idx),
            bit,
        })?;
    let sign = r.flag("delta_rps_sign")?;
    let abs = i64::from(r.ue_max(1 << 15, "abs_delta_rps_minus1")?) + 1;
    let delta_rps = if sign { -abs } else { abs };
    let n = reference.s0.len() + reference.s1.len();
    // (used_by_curr_pic_flag, use_delta_flag) for each reference picture and the reference set.
    let mut flags = Vec::with_capacity(n + 1);
    for _ in 0..=n {
        let used = r.flag("used_by_curr_pic_flag")?;
        let use_delta = used || r.flag("use_delta_flag")?;
        flags.push((used, use_delta));
    }
    let (neg, total) = (reference.s0.len(), n);
    let mut out = Rps::default();
    for (j, &(d, _)) in reference.s1.iter().enumerate().rev() {
        let dpoc = d + delta_rps;
        if dpoc < 0 && flags[neg + j].1 {
            out.s0.push((dpoc, flags[neg + j].0));
        }
    }
    if delta_rps < 0 && flags[total].1 {
        out.s0.push((delta_rps, flags[total].0));
    }
    for (j, &(d, _)) in reference.s0.iter().enumerate() {
        let dpoc = d + delta_rps;
        if dpoc < 0 && flags[j].1 {
            out.s0.push((dpoc, flags[j].0));
        }
    }
    for (j, &(d, _)) in reference.s0.iter().enumerate().rev() {
        let dpoc = d + delta_rps;
        if dpoc > 0 && flags[j].1 {
            out.s1.push((dpoc, flags[j].0));
        }
    }
    if delta_rps > 0 && flags[total].1 {
        out.s1.push((delta_rps, flags[total].0));
    }
    for (j, &(d, _)) in reference.s1.iter().enumerate() {
        let dpoc = d + delta_rps;
        if dpoc > 0 && flags[neg + j].1 {
            out.s1.push((dpoc, flags[neg + j].0));
        }
    }
    if out.s0.len() > MAX_RPS_PICS as usize || out.s1.len() > MAX_RPS_PICS as usize {
        return Err(SliceHeaderError::OutOfRange {
            what: "pictures in a predicted short-term reference picture set",
            value: (out.s0.len() + out.s1.len()) as u64,
            bit,
        });
    }
    Ok(out)
}

fn find<T>(sets: &[(u32, T)], id: u32) -> Option<&T> {
    sets.iter().find(|(i, _)| *i == id).map(|(_, s)| s)
}

/// `profile_tier_level(1, max_sub_layers_minus1)` (§7.3.3), skipped.
fn skip_profile_tier_level(r: &mut Rbsp<'_>, max_sub_layers_minus1: u32) -> R<()> {
    r.skip(96, "general_profile_tier_level")?;
    let mut present = [(false, false); 8];
    for p in present.iter_mut().take(max_sub_layers_minus1 as usize) {
        *p = (
            r.flag("sub_layer_profile_present_flag")?,
            r.flag("sub_layer_level_present_flag")?,
        );
    }
    if max_sub_layers_minus1 > 0 {
        r.skip(
            2 * u64::from(8 - max_sub_layers_minus1),
            "reserved_zero_2bits",
        )?;
    }
    for &(profile, level) in present.iter().take(max_sub_layers_minus1 as usize) {
        if profile {
            r.skip(88, "sub_layer_profile")?;
        }
        if level {
            r.skip(8, "sub_layer_level_idc")?;
        }
    }
    Ok(())
}

/// `scaling_list_data()` (§7.3.4), skipped.
fn skip_scaling_list_data(r: &mut Rbsp<'_>) -> R<()> {
    for size_id in 0..4u32 {
        let step = if size_id == 3 { 3 } else { 1 };
        for _ in (0..6).step_by(step) {
            if !r.flag("scaling_list_pred_mode_flag")? {
                r.ue_max(5, "scaling_list_pred_matrix_id_delta")?;
            } else {
                let coefs = 64.min(1u32 << (4 + (size_id << 1)));
                if size_id > 1 {
                    r.se("scaling_list_dc_coef_minus8")?;
                }
                for _ in 0..coefs {
                    r.se("scaling_list_delta_coef")?;
                }
            }
        }
    }
    Ok(())
}

/// `seq_parameter_set_rbsp()` up to `strong_intra_smoothing_enabled_flag` (§7.3.2.2.1).
fn parse_sps(nal: &[u8]) -> R<(u32, Sps)> {
    let mut r = Rbsp::new(nal);
    r.bits(16, "nal_unit_header")?;
    r.bits(4, "sps_video_parameter_set_id")?;
    let max_sub_layers_minus1 = r.bits(3, "sps_max_sub_layers_minus1")?;
    if max_sub_layers_minus1 > 6 {
        return Err(SliceHeaderError::OutOfRange {
            what: "sps_max_sub_layers_minus1",
            value: u64::from(max_sub_layers_minus1),
            bit: r.bit() - 3,
        });
    }
    r.flag("sps_temporal_id_nesting_flag")?;
    skip_profile_tier_level(&mut r, max_sub_layers_minus1)?;
    let id = r.ue_max(MAX_SPS_ID, "sps_seq_parameter_set_id")?;
    let chroma_format_idc = r.ue_max(3, "chroma_format_idc")?;
    let mut separate_colour_plane = false;
    if chroma_format_idc == 3 {
        separate_colour_plane = r.flag("separate_colour_plane_flag")?;
    }
    let width = u64::from(r.ue("pic_width_in_luma_samples")?);
    let height = u64::from(r.ue("pic_height_in_luma_samples")?);
    if r.flag("conformance_window_flag")? {
        for _ in 0..4 {
            r.ue("conf_win_offset")?;
        }
    }
    r.ue_max(8, "bit_depth_luma_minus8")?;
    r.ue_max(8, "bit_depth_chroma_minus8")?;
    let log2_max_poc_lsb = r.ue_max(12, "log2_max_pic_order_cnt_lsb_minus4")? + 4;
    let all_sub_layers = r.flag("sps_sub_layer_ordering_info_present_flag")?;
    let from = if all_sub_layers {
        0
    } else {
        max_sub_layers_minus1
    };
    for _ in from..=max_sub_layers_minus1 {
        r.ue("sps_max_dec_pic_buffering_minus1")?;
        r.ue("sps_max_num_reorder_pics")?;
        r.ue("sps_max_latency_increase_plus1")?;
    }
    let min_cb = r.ue_max(3, "log2_min_luma_coding_block_size_minus3")? + 3;
    let ctb = min_cb + r.ue_max(3, "log2_diff_max_min_luma_coding_block_size")?;
    r.ue("log2_min_luma_transform_block_size_minus2")?;
    r.ue("log2_diff_max_min_luma_transform_block_size")?;
    r.ue("max_transform_hierarchy_depth_inter")?;
    r.ue("max_transform_hierarchy_depth_intra")?;
    if r.flag("scaling_list_enabled_flag")? && r.flag("sps_scaling_list_data_present_flag")? {
        skip_scaling_list_data(&mut r)?;
    }
    r.flag("amp_enabled_flag")?;
    let sao = r.flag("sample_adaptive_offset_enabled_flag")?;
    if r.flag("pcm_enabled_flag")? {
        r.bits(8, "pcm_sample_bit_depths")?;
        r.ue("log2_min_pcm_luma_coding_block_size_minus3")?;
        r.ue("log2_diff_max_min_pcm_luma_coding_block_size")?;
        r.flag("pcm_loop_filter_disabled_flag")?;
    }
    let num_rps = r.ue_max(MAX_SPS_RPS, "num_short_term_ref_pic_sets")?;
    let mut rps = Vec::with_capacity(num_rps as usize);
    for i in 0..num_rps {
        let set = st_ref_pic_set(&mut r, &rps, i, num_rps)?;
        rps.push(set);
    }
    let mut lt_used = None;
    if r.flag("long_term_ref_pics_present_flag")? {
        let n = r.ue_max(MAX_SPS_LT, "num_long_term_ref_pics_sps")?;
        let mut used = Vec::with_capacity(n as usize);
        for _ in 0..n {
            r.bits(log2_max_poc_lsb, "lt_ref_pic_poc_lsb_sps")?;
            used.push(r.flag("used_by_curr_pic_lt_sps_flag")?);
        }
        lt_used = Some(used);
    }
    let temporal_mvp = r.flag("sps_temporal_mvp_enabled_flag")?;
    r.flag("strong_intra_smoothing_enabled_flag")?;
    let ctb_size = 1u64 << ctb;
    let pic_size_in_ctbs = width.div_ceil(ctb_size) * height.div_ceil(ctb_size);
    Ok((
        id,
        Sps {
            separate_colour_plane,
            chroma_array_type: if separate_colour_plane {
                0
            } else {
                chroma_format_idc
            },
            log2_max_poc_lsb,
            pic_size_in_ctbs,
            sao,
            rps,
            lt_used,
            temporal_mvp,
        },
    ))
}

/// `pic_parameter_set_rbsp()` through its range extension (§7.3.2.3.1, §7.3.2.3.2).
fn parse_pps(nal: &[u8]) -> R<(u32, Pps)> {
    let mut r = Rbsp::new(nal);
    r.bits(16, "nal_unit_header")?;
    let id = r.ue_max(MAX_PPS_ID, "pps_pic_parameter_set_id")?;
    let sps_id = r.ue_max(MAX_SPS_ID, "pps_seq_parameter_set_id")?;
    let dependent_slice_segments = r.flag("dependent_slice_segments_enabled_flag")?;
    let output_flag_present = r.flag("output_flag_present_flag")?;
    let num_extra_slice_header_bits = r.bits(3, "num_extra_slice_header_bits")?;
    r.flag("sign_data_hiding_enabled_flag")?;
    let cabac_init_present = r.flag("cabac_init_present_flag")?;
    let l0 = r.ue_max(14, "num_ref_idx_l0_default_active_minus1")?;
    let l1 = r.ue_max(14, "num_ref_idx_l1_default_active_minus1")?;
    r.se("init_qp_minus26")?;
    r.flag("constrained_intra_pred_flag")?;
    let transform_skip = r.flag("transform_skip_enabled_flag")?;
    if r.flag("cu_qp_delta_enabled_flag")? {
        r.ue("diff_cu_qp_delta_depth")?;
    }
    r.se("pps_cb_qp_offset")?;
    r.se("pps_cr_qp_offset")?;
    let slice_chroma_qp_offsets_present = r.flag("pps_slice_chroma_qp_offsets_present_flag")?;
    let weighted_pred = r.flag("weighted_pred_flag")?;
    let weighted_bipred = r.flag("weighted_bipred_flag")?;
    r.flag("transquant_bypass_enabled_flag")?;
    let tiles = r.flag("tiles_enabled_flag")?;
    let wpp = r.flag("entropy_coding_sync_enabled_flag")?;
    if tiles {
        let cols = r.ue_max(MAX_SLICE_HEADER_LOOP as u32, "num_tile_columns_minus1")?;
        let rows = r.ue_max(MAX_SLICE_HEADER_LOOP as u32, "num_tile_rows_minus1")?;
        if !r.flag("uniform_spacing_flag")? {
            for _ in 0..cols + rows {
                r.ue("tile_size_minus1")?;
            }
        }
        r.flag("loop_filter_across_tiles_enabled_flag")?;
    }
    let loop_filter_across_slices = r.flag("pps_loop_filter_across_slices_enabled_flag")?;
    let mut deblocking_override_enabled = false;
    let mut deblocking_disabled = false;
    if r.flag("deblocking_filter_control_present_flag")? {
        deblocking_override_enabled = r.flag("deblocking_filter_override_enabled_flag")?;
        deblocking_disabled = r.flag("pps_deblocking_filter_disabled_flag")?;
        if !deblocking_disabled {
            r.se("pps_beta_offset_div2")?;
            r.se("pps_tc_offset_div2")?;
        }
    }
    if r.flag("pps_scaling_list_data_present_flag")? {
        skip_scaling_list_data(&mut r)?;
    }
    let lists_modification_present = r.flag("lists_modification_present_flag")?;
    r.ue("log2_parallel_merge_level_minus2")?;
    let slice_header_extension_present = r.flag("slice_segment_header_extension_present_flag")?;
    let mut chroma_qp_offset_list = false;
    if r.flag("pps_extension_present_flag")? {
        let range = r.flag("pps_range_extension_flag")?;
        r.flag("pps_multilayer_extension_flag")?;
        r.flag("pps_3d_extension_flag")?;
        if r.flag("pps_scc_extension_flag")? {
            return Err(SliceHeaderError::Unsupported {
                what: "HEVC screen content coding PPS",
            });
        }
        r.bits(4, "pps_extension_4bits")?;
        if range {
            if transform_skip {
                r.ue("log2_max_transform_skip_block_size_minus2")?;
            }
            r.flag("cross_component_prediction_enabled_flag")?;
            chroma_qp_offset_list = r.flag("chroma_qp_offset_list_enabled_flag")?;
        }
    }
    Ok((
        id,
        Pps {
            sps_id,
            dependent_slice_segments,
            output_flag_present,
            num_extra_slice_header_bits,
            cabac_init_present,
            num_ref_idx_default: [l0, l1],
            slice_chroma_qp_offsets_present,
            weighted_pred,
            weighted_bipred,
            entry_points: tiles || wpp,
            loop_filter_across_slices,
            deblocking_override_enabled,
            deblocking_disabled,
            lists_modification_present,
            slice_header_extension_present,
            chroma_qp_offset_list,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::super::avc::tests::Bits;
    use super::*;

    /// SPS 0: 320x180, CTB 64 (15 CTBs), POC lsb 8 bits, SAO, two short-term RPSs (the second
    /// predicted from the first), two long-term pictures, temporal MVP.
    fn sps() -> Vec<u8> {
        let mut b = Bits::default().u(8, 0x01).u(4, 0).u(3, 0).u(1, 1);
        b = b.u(32, 0x0160_0000).u(32, 0x9000_0000).u(32, 0x0000_005D); // profile_tier_level
        b = b
            .ue(0)
            .ue(1)
            .ue(320)
            .ue(180)
            .u(1, 1)
            .ue(0)
            .ue(0)
            .ue(0)
            .ue(2);
        b = b.ue(0).ue(0).ue(4).u(1, 1).ue(4).ue(2).ue(0);
        b = b
            .ue(0)
            .ue(3)
            .ue(0)
            .ue(3)
            .ue(1)
            .ue(1)
            .u(1, 0)
            .u(1, 1)
            .u(1, 1)
            .u(1, 0);
        b = b.ue(2);
        b = b.ue(2).ue(1).ue(0).u(1, 1).ue(1).u(1, 0).ue(0).u(1, 1); // RPS 0: -1 -3 | +1
        b = b.u(1, 1).u(1, 1).ue(0); // RPS 1 from RPS 0, deltaRps -1
        b = b.u(1, 1).u(1, 0).u(1, 0).u(1, 1).u(1, 0).u(1, 1); // -> -1 (unused), -2 (used)
        b = b.u(1, 1).ue(2).u(8, 5).u(1, 1).u(8, 9).u(1, 0); // long-term pictures
        b = b.u(1, 1).u(1, 0);
        b.nal(0x42, &[]).1
    }

    /// PPS 5: dependent slices, output flag, 2 extra bits, CABAC init, tiles (entry points),
    /// weighted P, deblocking override, list modification, header extension, chroma QP
    /// offset lists (range extension).
    fn pps() -> Vec<u8> {
        let mut b = Bits::default()
            .u(8, 0x01)
            .ue(5)
            .ue(0)
            .u(1, 1)
            .u(1, 1)
            .u(3, 2)
            .u(1, 0);
        b = b
            .u(1, 1)
            .ue(0)
            .ue(0)
            .se(0)
            .u(1, 0)
            .u(1, 1)
            .u(1, 1)
            .ue(1)
            .se(0)
            .se(0)
            .u(1, 1);
        b = b
            .u(1, 1)
            .u(1, 0)
            .u(1, 0)
            .u(1, 1)
            .u(1, 0)
            .ue(1)
            .ue(1)
            .u(1, 0)
            .ue(3)
            .ue(1)
            .u(1, 1);
        b = b
            .u(1, 1)
            .u(1, 1)
            .u(1, 1)
            .u(1, 0)
            .se(1)
            .se(-1)
            .u(1, 0)
            .u(1, 1)
            .ue(0)
            .u(1, 1);
        b = b
            .u(1, 1)
            .u(1, 1)
            .u(1, 0)
            .u(1, 0)
            .u(1, 0)
            .u(4, 0)
            .ue(0)
            .u(1, 0)
            .u(1, 1);
        b.nal(0x44, &[]).1
    }

    fn slices() -> HevcSlices {
        let mut s = HevcSlices::default();
        s.parameter_set(&sps()).unwrap();
        s.parameter_set(&pps()).unwrap();
        s
    }

    #[test]
    fn p_slice_segment_with_every_optional_part() {
        // Not the first segment (address 7 of 15), a P slice with its own RPS predicted from
        // the SPS's second (+1 and +2, both used), two long-term pictures (both used): 4
        // pictures, so list entries of 2 bits.
        let mut b = Bits::default().u(8, 0x01).u(1, 0).ue(5).u(1, 0).u(4, 7);
        b = b.u(2, 0).ue(1).u(1, 1).u(8, 0x21);
        b = b
            .u(1, 0)
            .u(1, 1)
            .ue(0)
            .u(1, 0)
            .ue(1)
            .u(1, 1)
            .u(1, 1)
            .u(1, 1); // own RPS
        b = b.ue(1).ue(1).u(1, 0).u(1, 0).u(8, 3).u(1, 1).u(1, 1).ue(2); // long-term
        b = b.u(1, 1).u(1, 1).u(1, 0); // temporal MVP, SAO luma and chroma
        b = b.u(1, 1).ue(1).u(1, 1).u(2, 3).u(2, 1).u(1, 1).ue(1); // refs, lists, cabac, col
        b = b.ue(3).se(-1).u(1, 1).u(1, 0).u(1, 0).u(1, 1).se(2).se(-3); // weights
        b = b.se(1).se(0).se(1).se(0).ue(2);
        b = b
            .se(-3)
            .se(1)
            .se(-1)
            .u(1, 1)
            .u(1, 1)
            .u(1, 0)
            .se(0)
            .se(2)
            .u(1, 1);
        b = b.ue(3).ue(4).u(5, 1).u(5, 30).u(5, 2).ue(2).u(16, 0xBEEF);
        let (want, nal) = b.nal_with(0x02, &[0x55; 30], true);
        assert_eq!(slices().header_len(&nal), Ok(want));
    }

    #[test]
    fn idr_and_dependent_segments() {
        // An IDR_W_RADL first segment: no_output_of_prior_pics, no POC or RPS, an I slice.
        let b = Bits::default()
            .u(8, 0x01)
            .u(1, 1)
            .u(1, 0)
            .ue(5)
            .u(2, 3)
            .ue(2)
            .u(1, 0);
        // SAO luma only, slice_qp_delta, chroma offsets, no CU chroma offsets, no deblocking
        // override, loop filter across slices, no entry points, an empty extension.
        let b = b
            .u(1, 1)
            .u(1, 0)
            .se(4)
            .se(0)
            .se(0)
            .u(1, 0)
            .u(1, 0)
            .u(1, 1)
            .ue(0)
            .ue(0);
        let (want, nal) = b.nal_with(0x26, &[0x11; 9], true);
        assert_eq!(slices().header_len(&nal), Ok(want));
        // A dependent segment: its address, then straight to the entry points.
        let b = Bits::default()
            .u(8, 0x01)
            .u(1, 0)
            .ue(5)
            .u(1, 1)
            .u(4, 9)
            .ue(0)
            .ue(0);
        let (want, nal) = b.nal_with(0x02, &[0x22; 5], true);
        assert_eq!(slices().header_len(&nal), Ok(want));
    }

    #[test]
    fn unreadable_segments_are_typed_errors() {
        let s = slices();
        assert!(matches!(
            s.header_len(&[0x02, 0x09, 0x80]),
            Err(SliceHeaderError::Unsupported { .. })
        ));
        assert!(matches!(
            s.header_len(&[0x40, 0x01, 0x80]),
            Err(SliceHeaderError::Unsupported { .. })
        ));
        let (_, nal) = Bits::default().u(8, 0x01).u(1, 1).ue(7).nal(0x02, &[1; 4]);
        assert_eq!(
            s.header_len(&nal),
            Err(SliceHeaderError::MissingParameterSet { what: "PPS", id: 7 })
        );
        assert!(matches!(
            s.header_len(&[0x02, 0x01]),
            Err(SliceHeaderError::Truncated {
                what: "first_slice_segment_in_pic_flag",
                bit: 16
            })
        ));
        let mut s = slices();
        assert!(s.parameter_set(&[0x42, 0x01, 0x01]).is_err());
        let (_, nal) = Bits::default().u(8, 0x01).u(1, 1).ue(5).nal(0x02, &[1; 4]);
        assert!(matches!(
            s.header_len(&nal),
            Err(SliceHeaderError::MissingParameterSet { .. })
        ));
    }

    #[test]
    fn hvcc_records() {
        let (sps, pps) = (sps(), pps());
        let mut rec = vec![1u8; 22];
        rec.push(2);
        for (kind, nal) in [(33u8, &sps), (34, &pps)] {
            rec.push(0x80 | kind);
            rec.extend(1u16.to_be_bytes());
            rec.extend((nal.len() as u16).to_be_bytes());
            rec.extend(nal.iter());
        }
        let s = HevcSlices::from_hvcc(&rec).unwrap();
        assert_eq!((s.sps.len(), s.pps.len()), (1, 1));
        assert_eq!(s.sps[0].1.rps.len(), 2);
        assert_eq!(s.sps[0].1.pic_size_in_ctbs, 15);
        assert!(HevcSlices::from_hvcc(&rec[..rec.len() - 1]).is_err());
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_stay_inside(
            sets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..4),
            kinds in proptest::collection::vec(any::<bool>(), 4),
            nal in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut s = HevcSlices::default();
            for (mut p, sps) in sets.into_iter().zip(kinds) {
                p.splice(0..0, if sps { [0x42, 0x01] } else { [0x44, 0x01] });
                let _ = s.parameter_set(&p);
            }
            if let Ok(n) = s.header_len(&nal) {
                prop_assert!(n >= 2 && n <= nal.len());
            }
        }
    }
}
