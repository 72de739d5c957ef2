//! H.264 slice headers for subsample encryption: how many bytes of a VCL NAL unit its NAL
//! header and slice header take (ITU-T H.264 §7.3.3), so that the protected range starts in
//! the slice data as ISO/IEC 23001-7 §10.4 (`cbcs`, required) and §10.2 (`cenc`, recommended)
//! ask. The slice header's length depends on the SPS and PPS it names (§7.3.2.1.1, §7.3.2.2),
//! read from `avcC` (ISO/IEC 14496-15 §5.3.3.1) and from parameter sets met in the samples.
//!
//! The length is the slice header's bits rounded up to whole bytes, counted in the stored NAL
//! unit (emulation-prevention bytes included). With CABAC the bits up to that byte boundary are
//! `cabac_alignment_one_bit`s (§7.3.4), so the clear part ends exactly where the slice data's
//! first byte starts; with CAVLC the first few bits of the slice data stay clear with the header.

use super::rbsp::Rbsp;
use crate::limits::MAX_SLICE_HEADER_LOOP;

/// Why a slice header (or the parameter set it needs) could not be read. Every variant says
/// where: the syntax element and its bit position in the stored NAL unit, or the parameter set
/// id that is missing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SliceHeaderError {
    /// The NAL unit ends inside an element.
    #[error("{what}: the NAL unit ends at bit {bit}")]
    Truncated {
        /// The syntax element being read.
        what: &'static str,
        /// Bit position in the stored NAL unit (NAL header included).
        bit: u64,
    },
    /// An element outside the range the standard allows.
    #[error("{what} = {value} at bit {bit} is out of range")]
    OutOfRange {
        /// The syntax element.
        what: &'static str,
        /// Its value (or, for an over-long exp-Golomb code, its leading zeros).
        value: u64,
        /// Bit position in the stored NAL unit where the element starts.
        bit: u64,
    },
    /// The slice names a PPS, or its PPS an SPS, that has not been seen.
    #[error("slice needs {what} id {id}, which was not in the sample entry nor in the samples before it")]
    MissingParameterSet {
        /// `SPS` or `PPS`.
        what: &'static str,
        /// Its id.
        id: u32,
    },
    /// A stream feature whose slice header this reader does not lay out.
    #[error("unsupported: {what}")]
    Unsupported {
        /// Which.
        what: &'static str,
    },
    /// An `avcC` or `hvcC` record that cannot be read.
    #[error("decoder configuration record at byte {at}: {what}")]
    Config {
        /// What is wrong.
        what: &'static str,
        /// Byte offset in the record's payload.
        at: u64,
    },
}

pub(crate) type R<T> = Result<T, SliceHeaderError>;

/// What a slice header needs of its SPS (§7.3.2.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sps {
    /// ChromaArrayType (§7.4.2.1.1): 0 with separate colour planes, else chroma_format_idc.
    chroma_array_type: u32,
    separate_colour_plane: bool,
    log2_max_frame_num: u32,
    poc_type: u32,
    log2_max_poc_lsb: u32,
    delta_pic_order_always_zero: bool,
    frame_mbs_only: bool,
    /// PicSizeInMapUnits (§7.4.2.1.1).
    pic_size_in_map_units: u64,
}

/// What a slice header needs of its PPS (§7.3.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pps {
    sps_id: u32,
    cabac: bool,
    bottom_field_pic_order_in_frame_present: bool,
    num_slice_groups_minus1: u32,
    slice_group_map_type: u32,
    slice_group_change_rate: u64,
    num_ref_idx_default: [u32; 2],
    weighted_pred: bool,
    weighted_bipred_idc: u32,
    deblocking_filter_control_present: bool,
    redundant_pic_cnt_present: bool,
}

/// The H.264 parameter sets of one track, as far as slice headers need them, and the length
/// of each slice's header. Start from the track's `avcC` ([`AvcSlices::from_avcc`]), feed it
/// every SPS and PPS met in the samples in decode order ([`AvcSlices::parameter_set`]), and
/// ask [`AvcSlices::header_len`] for each coded slice.
///
/// ```
/// use dashkit::cenc::AvcSlices;
/// // SPS 0 (Baseline, 320x176, frame_num and POC lsb of 4 bits) and PPS 0 (CAVLC,
/// // deblocking control present).
/// let sps = [0x67, 0x42, 0xC0, 0x0D, 0xF4, 0x0A, 0x0B, 0xC8];
/// let pps = [0x68, 0xCE, 0x3C, 0x80];
/// let mut s = AvcSlices::default();
/// s.parameter_set(&sps).unwrap();
/// s.parameter_set(&pps).unwrap();
/// // An IDR I slice: first_mb 0, slice_type 7, pps 0, frame_num 0, idr_pic_id 0, poc lsb 0,
/// // two marking flags, slice_qp_delta 0, three deblocking fields: 24 bits after the NAL
/// // header, then slice data.
/// let idr = [0x65, 0x88, 0x84, 0x0F, 0xAA, 0xBB];
/// assert_eq!(s.header_len(&idr).unwrap(), 4);
/// ```
#[derive(Debug, Clone, Default)]
pub struct AvcSlices {
    sps: Vec<(u32, Sps)>,
    pps: Vec<(u32, Pps)>,
}

/// Highest `seq_parameter_set_id` (§7.4.2.1.1) and `pic_parameter_set_id` (§7.4.2.2).
const MAX_SPS_ID: u32 = 31;
const MAX_PPS_ID: u32 = 255;

/// profile_idc values whose SPS carries chroma_format_idc and the bit depths (§7.3.2.1.1).
const HIGH_PROFILES: [u32; 13] = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

impl AvcSlices {
    /// The parameter sets of an `avcC` payload (AVCDecoderConfigurationRecord, ISO/IEC
    /// 14496-15 §5.3.3.1). A record that cannot be walked is an error; a parameter set in it
    /// that cannot be read is left out (slices that name it then report it missing).
    ///
    /// ```
    /// use dashkit::cenc::{AvcSlices, SliceHeaderError};
    /// assert!(matches!(AvcSlices::from_avcc(&[1, 0x42]), Err(SliceHeaderError::Config { .. })));
    /// ```
    pub fn from_avcc(avcc: &[u8]) -> Result<Self, SliceHeaderError> {
        let mut s = AvcSlices::default();
        let cut = |at: usize| SliceHeaderError::Config {
            what: "ends inside its parameter sets",
            at: at as u64,
        };
        let mut at = 5usize;
        for count_mask in [0x1Fu8, 0xFF] {
            let n = avcc.get(at).ok_or(cut(at))? & count_mask;
            at += 1;
            for _ in 0..n {
                let len = avcc.get(at..at + 2).ok_or(cut(at))?;
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                let nal = avcc.get(at + 2..at + 2 + len).ok_or(cut(at))?;
                // A parameter set dashkit cannot read only matters if a slice names it.
                let _ = s.read_parameter_set(nal);
                at += 2 + len;
            }
        }
        Ok(s)
    }

    /// Reads `nal` if it is an SPS (type 7) or PPS (type 8), replacing any earlier one with the
    /// same id; other NAL units are ignored. One that cannot be read drops every parameter set
    /// known so far (it may have replaced any of them), so the slices after it are reported
    /// rather than measured with a stale set.
    pub fn parameter_set(&mut self, nal: &[u8]) -> Result<(), SliceHeaderError> {
        self.read_parameter_set(nal).inspect_err(|_| {
            self.sps.clear();
            self.pps.clear();
        })
    }

    fn read_parameter_set(&mut self, nal: &[u8]) -> Result<(), SliceHeaderError> {
        match nal.first().map(|h| h & 0x1F) {
            Some(7) => {
                let (id, sps) = parse_sps(nal)?;
                self.sps.retain(|(i, _)| *i != id);
                self.sps.push((id, sps));
            }
            Some(8) => {
                let (id, pps) = parse_pps(nal)?;
                self.pps.retain(|(i, _)| *i != id);
                self.pps.push((id, pps));
            }
            _ => {}
        }
        Ok(())
    }

    /// The length in bytes of the NAL header and slice header of `nal`, a coded slice
    /// (type 1 or 5) stored with its emulation-prevention bytes, rounded up to a whole byte.
    pub fn header_len(&self, nal: &[u8]) -> Result<usize, SliceHeaderError> {
        let mut r = Rbsp::new(nal);
        let nal_ref_idc = r.bits(3, "nal_ref_idc")? & 3;
        let nal_unit_type = r.bits(5, "nal_unit_type")?;
        let idr = match nal_unit_type {
            1 => false,
            5 => true,
            2..=4 => {
                return Err(SliceHeaderError::Unsupported {
                    what: "slice data partitioning (NAL unit types 2 to 4)",
                })
            }
            _ => {
                return Err(SliceHeaderError::Unsupported {
                    what: "not a coded slice NAL unit",
                })
            }
        };
        r.ue("first_mb_in_slice")?;
        let slice_type = r.ue_max(9, "slice_type")? % 5;
        let (p, b, i, sp, si) = (
            slice_type == 0,
            slice_type == 1,
            slice_type == 2,
            slice_type == 3,
            slice_type == 4,
        );
        let pps_id = r.ue_max(MAX_PPS_ID, "pic_parameter_set_id")?;
        let pps = find(&self.pps, pps_id).ok_or(SliceHeaderError::MissingParameterSet {
            what: "PPS",
            id: pps_id,
        })?;
        let sps = find(&self.sps, pps.sps_id).ok_or(SliceHeaderError::MissingParameterSet {
            what: "SPS",
            id: pps.sps_id,
        })?;
        if sps.separate_colour_plane {
            r.bits(2, "colour_plane_id")?;
        }
        r.bits(sps.log2_max_frame_num, "frame_num")?;
        let mut field_pic = false;
        if !sps.frame_mbs_only {
            field_pic = r.flag("field_pic_flag")?;
            if field_pic {
                r.flag("bottom_field_flag")?;
            }
        }
        if idr {
            r.ue("idr_pic_id")?;
        }
        if sps.poc_type == 0 {
            r.bits(sps.log2_max_poc_lsb, "pic_order_cnt_lsb")?;
            if pps.bottom_field_pic_order_in_frame_present && !field_pic {
                r.se("delta_pic_order_cnt_bottom")?;
            }
        }
        if sps.poc_type == 1 && !sps.delta_pic_order_always_zero {
            r.se("delta_pic_order_cnt[0]")?;
            if pps.bottom_field_pic_order_in_frame_present && !field_pic {
                r.se("delta_pic_order_cnt[1]")?;
            }
        }
        if pps.redundant_pic_cnt_present {
            r.ue("redundant_pic_cnt")?;
        }
        if b {
            r.flag("direct_spatial_mv_pred_flag")?;
        }
        let mut num_ref_idx = pps.num_ref_idx_default;
        if (p || sp || b) && r.flag("num_ref_idx_active_override_flag")? {
            // §7.4.3: at most 31 (32 references) for field decoding.
            num_ref_idx[0] = r.ue_max(31, "num_ref_idx_l0_active_minus1")?;
            if b {
                num_ref_idx[1] = r.ue_max(31, "num_ref_idx_l1_active_minus1")?;
            }
        }
        // ref_pic_list_modification() (§7.3.3.1); types 20 and 21 (MVC) never get here.
        if !i && !si {
            ref_pic_list_modification(&mut r, "ref_pic_list_modification_flag_l0")?;
            if b {
                ref_pic_list_modification(&mut r, "ref_pic_list_modification_flag_l1")?;
            }
        }
        if (pps.weighted_pred && (p || sp)) || (pps.weighted_bipred_idc == 1 && b) {
            pred_weight_table(&mut r, sps.chroma_array_type, &num_ref_idx, b)?;
        }
        if nal_ref_idc != 0 {
            dec_ref_pic_marking(&mut r, idr)?;
        }
        if pps.cabac && !i && !si {
            r.ue_max(2, "cabac_init_idc")?;
        }
        r.se("slice_qp_delta")?;
        if sp || si {
            if sp {
                r.flag("sp_for_switch_flag")?;
            }
            r.se("slice_qs_delta")?;
        }
        if pps.deblocking_filter_control_present {
            let idc = r.ue_max(2, "disable_deblocking_filter_idc")?;
            if idc != 1 {
                r.se("slice_alpha_c0_offset_div2")?;
                r.se("slice_beta_offset_div2")?;
            }
        }
        if pps.num_slice_groups_minus1 > 0 && (3..=5).contains(&pps.slice_group_map_type) {
            // Ceil(Log2(PicSizeInMapUnits ÷ SliceGroupChangeRate + 1)) bits (§7.4.3).
            let n = (sps.pic_size_in_map_units / pps.slice_group_change_rate).saturating_add(1);
            r.bits(ceil_log2(n), "slice_group_change_cycle")?;
        }
        Ok(r.raw_len())
    }
}

fn find<T>(sets: &[(u32, T)], id: u32) -> Option<&T> {
    sets.iter().find(|(i, _)| *i == id).map(|(_, s)| s)
}

/// Ceil(Log2(n)) for n ≥ 1.
pub(crate) fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// `ref_pic_list_modification()` for one list (§7.3.3.1).
fn ref_pic_list_modification(r: &mut Rbsp<'_>, flag: &'static str) -> R<()> {
    if !r.flag(flag)? {
        return Ok(());
    }
    for _ in 0..MAX_SLICE_HEADER_LOOP {
        match r.ue_max(5, "modification_of_pic_nums_idc")? {
            0 | 1 => {
                r.ue("abs_diff_pic_num_minus1")?;
            }
            2 => {
                r.ue("long_term_pic_num")?;
            }
            3 => return Ok(()),
            // 4 and 5 are MVC's (§H.7.3.3.1.1), not allowed here.
            v => {
                return Err(SliceHeaderError::OutOfRange {
                    what: "modification_of_pic_nums_idc",
                    value: u64::from(v),
                    bit: r.bit(),
                })
            }
        }
    }
    Err(SliceHeaderError::OutOfRange {
        what: "ref_pic_list_modification entries",
        value: MAX_SLICE_HEADER_LOOP as u64,
        bit: r.bit(),
    })
}

/// `pred_weight_table()` (§7.3.3.2).
fn pred_weight_table(
    r: &mut Rbsp<'_>,
    chroma_array_type: u32,
    num_ref_idx: &[u32; 2],
    b: bool,
) -> R<()> {
    r.ue_max(7, "luma_log2_weight_denom")?;
    if chroma_array_type != 0 {
        r.ue_max(7, "chroma_log2_weight_denom")?;
    }
    let lists: &[u32] = if b { num_ref_idx } else { &num_ref_idx[..1] };
    for &n in lists {
        for _ in 0..=n {
            if r.flag("luma_weight_flag")? {
                r.se("luma_weight")?;
                r.se("luma_offset")?;
            }
            if chroma_array_type != 0 && r.flag("chroma_weight_flag")? {
                for _ in 0..2 {
                    r.se("chroma_weight")?;
                    r.se("chroma_offset")?;
                }
            }
        }
    }
    Ok(())
}

/// `dec_ref_pic_marking()` (§7.3.3.3).
fn dec_ref_pic_marking(r: &mut Rbsp<'_>, idr: bool) -> R<()> {
    if idr {
        r.flag("no_output_of_prior_pics_flag")?;
        r.flag("long_term_reference_flag")?;
        return Ok(());
    }
    if !r.flag("adaptive_ref_pic_marking_mode_flag")? {
        return Ok(());
    }
    for _ in 0..MAX_SLICE_HEADER_LOOP {
        let op = r.ue_max(6, "memory_management_control_operation")?;
        if op == 0 {
            return Ok(());
        }
        if op == 1 || op == 3 {
            r.ue("difference_of_pic_nums_minus1")?;
        }
        if op == 2 {
            r.ue("long_term_pic_num")?;
        }
        if op == 3 || op == 6 {
            r.ue("long_term_frame_idx")?;
        }
        if op == 4 {
            r.ue("max_long_term_frame_idx_plus1")?;
        }
    }
    Err(SliceHeaderError::OutOfRange {
        what: "memory_management_control_operation entries",
        value: MAX_SLICE_HEADER_LOOP as u64,
        bit: r.bit(),
    })
}

/// `scaling_list()` (§7.3.2.1.1.1), read and dropped.
fn skip_scaling_list(r: &mut Rbsp<'_>, size: usize) -> R<()> {
    let (mut last, mut next) = (8i64, 8i64);
    for _ in 0..size {
        if next != 0 {
            let delta = r.se("delta_scale")?;
            if !(-128..=127).contains(&delta) {
                return Err(SliceHeaderError::OutOfRange {
                    what: "delta_scale",
                    value: delta.unsigned_abs(),
                    bit: r.bit(),
                });
            }
            next = (last + delta + 256) % 256;
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// `seq_parameter_set_rbsp()` up to `frame_mbs_only_flag` (§7.3.2.1.1).
fn parse_sps(nal: &[u8]) -> R<(u32, Sps)> {
    let mut r = Rbsp::new(nal);
    r.bits(8, "nal_unit_header")?;
    let profile_idc = r.bits(8, "profile_idc")?;
    r.bits(16, "constraint_flags and level_idc")?;
    let id = r.ue_max(MAX_SPS_ID, "seq_parameter_set_id")?;
    let mut chroma_format_idc = 1;
    let mut separate_colour_plane = false;
    if HIGH_PROFILES.contains(&profile_idc) {
        chroma_format_idc = r.ue_max(3, "chroma_format_idc")?;
        if chroma_format_idc == 3 {
            separate_colour_plane = r.flag("separate_colour_plane_flag")?;
        }
        r.ue_max(6, "bit_depth_luma_minus8")?;
        r.ue_max(6, "bit_depth_chroma_minus8")?;
        r.flag("qpprime_y_zero_transform_bypass_flag")?;
        if r.flag("seq_scaling_matrix_present_flag")? {
            let lists = if chroma_format_idc != 3 { 8 } else { 12 };
            for k in 0..lists {
                if r.flag("seq_scaling_list_present_flag")? {
                    skip_scaling_list(&mut r, if k < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    let log2_max_frame_num = r.ue_max(12, "log2_max_frame_num_minus4")? + 4;
    let poc_type = r.ue_max(2, "pic_order_cnt_type")?;
    let mut log2_max_poc_lsb = 0;
    let mut delta_pic_order_always_zero = false;
    if poc_type == 0 {
        log2_max_poc_lsb = r.ue_max(12, "log2_max_pic_order_cnt_lsb_minus4")? + 4;
    } else if poc_type == 1 {
        delta_pic_order_always_zero = r.flag("delta_pic_order_always_zero_flag")?;
        r.se("offset_for_non_ref_pic")?;
        r.se("offset_for_top_to_bottom_field")?;
        let n = r.ue_max(255, "num_ref_frames_in_pic_order_cnt_cycle")?;
        for _ in 0..n {
            r.se("offset_for_ref_frame")?;
        }
    }
    r.ue("max_num_ref_frames")?;
    r.flag("gaps_in_frame_num_value_allowed_flag")?;
    let width = u64::from(r.ue("pic_width_in_mbs_minus1")?) + 1;
    let height = u64::from(r.ue("pic_height_in_map_units_minus1")?) + 1;
    let frame_mbs_only = r.flag("frame_mbs_only_flag")?;
    Ok((
        id,
        Sps {
            chroma_array_type: if separate_colour_plane {
                0
            } else {
                chroma_format_idc
            },
            separate_colour_plane,
            log2_max_frame_num,
            poc_type,
            log2_max_poc_lsb,
            delta_pic_order_always_zero,
            frame_mbs_only,
            pic_size_in_map_units: width * height,
        },
    ))
}

/// `pic_parameter_set_rbsp()` up to `redundant_pic_cnt_present_flag` (§7.3.2.2).
fn parse_pps(nal: &[u8]) -> R<(u32, Pps)> {
    let mut r = Rbsp::new(nal);
    r.bits(8, "nal_unit_header")?;
    let id = r.ue_max(MAX_PPS_ID, "pic_parameter_set_id")?;
    let sps_id = r.ue_max(MAX_SPS_ID, "seq_parameter_set_id")?;
    let cabac = r.flag("entropy_coding_mode_flag")?;
    let bottom_field_pic_order_in_frame_present =
        r.flag("bottom_field_pic_order_in_frame_present_flag")?;
    let num_slice_groups_minus1 = r.ue_max(7, "num_slice_groups_minus1")?;
    let mut slice_group_map_type = 0;
    let mut slice_group_change_rate = 1;
    if num_slice_groups_minus1 > 0 {
        slice_group_map_type = r.ue_max(6, "slice_group_map_type")?;
        match slice_group_map_type {
            0 => {
                for _ in 0..=num_slice_groups_minus1 {
                    r.ue("run_length_minus1")?;
                }
            }
            2 => {
                for _ in 0..num_slice_groups_minus1 {
                    r.ue("top_left")?;
                    r.ue("bottom_right")?;
                }
            }
            3..=5 => {
                r.flag("slice_group_change_direction_flag")?;
                slice_group_change_rate = u64::from(r.ue("slice_group_change_rate_minus1")?) + 1;
            }
            6 => {
                let n = u64::from(r.ue("pic_size_in_map_units_minus1")?) + 1;
                let bits = u64::from(ceil_log2(u64::from(num_slice_groups_minus1) + 1));
                // Checked against the bits left before anything is read.
                r.skip(n * bits, "slice_group_id")?;
            }
            _ => {}
        }
    }
    let l0 = r.ue_max(31, "num_ref_idx_l0_default_active_minus1")?;
    let l1 = r.ue_max(31, "num_ref_idx_l1_default_active_minus1")?;
    let weighted_pred = r.flag("weighted_pred_flag")?;
    let weighted_bipred_idc = r.bits(2, "weighted_bipred_idc")?;
    r.se("pic_init_qp_minus26")?;
    r.se("pic_init_qs_minus26")?;
    r.se("chroma_qp_index_offset")?;
    let deblocking_filter_control_present = r.flag("deblocking_filter_control_present_flag")?;
    r.flag("constrained_intra_pred_flag")?;
    let redundant_pic_cnt_present = r.flag("redundant_pic_cnt_present_flag")?;
    Ok((
        id,
        Pps {
            sps_id,
            cabac,
            bottom_field_pic_order_in_frame_present,
            num_slice_groups_minus1,
            slice_group_map_type,
            slice_group_change_rate,
            num_ref_idx_default: [l0, l1],
            weighted_pred,
            weighted_bipred_idc,
            deblocking_filter_control_present,
            redundant_pic_cnt_present,
        },
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes RBSP bits; [`Bits::nal`] adds the NAL header and the emulation-prevention bytes.
    #[derive(Default)]
    pub(crate) struct Bits(Vec<bool>);

    impl Bits {
        pub(crate) fn u(mut self, n: u32, v: u64) -> Self {
            for i in (0..n).rev() {
                self.0.push((v >> i) & 1 == 1);
            }
            self
        }
        pub(crate) fn ue(self, v: u64) -> Self {
            let n = 64 - (v + 1).leading_zeros();
            self.u(n - 1, 0).u(n, v + 1)
        }
        pub(crate) fn se(self, v: i64) -> Self {
            let k = if v > 0 { 2 * v - 1 } else { -2 * v };
            self.ue(k as u64)
        }
        /// The header bits so far in stored bytes (escapes included, rounded up), and the NAL
        /// unit with `tail` bytes of slice data after a stop bit.
        pub(crate) fn nal(self, header: u8, tail: &[u8]) -> (usize, Vec<u8>) {
            self.nal_with(header, tail, false)
        }

        /// [`Bits::nal`]; with `aligned` the stop bit and its zeros are the header's last bits
        /// (H.265's `byte_alignment()`).
        pub(crate) fn nal_with(self, header: u8, tail: &[u8], aligned: bool) -> (usize, Vec<u8>) {
            let head_bits = self.0.len() + usize::from(aligned);
            let mut bits = self.0;
            bits.push(true);
            while !bits.len().is_multiple_of(8) {
                bits.push(false);
            }
            let mut rbsp: Vec<u8> = bits
                .chunks(8)
                .map(|c| c.iter().fold(0u8, |a, &b| (a << 1) | u8::from(b)))
                .collect();
            let head_rbsp_bytes = head_bits.div_ceil(8);
            rbsp.extend_from_slice(tail);
            let mut out = vec![header];
            let mut zeros = 0;
            let mut head_len = 1;
            for (i, &b) in rbsp.iter().enumerate() {
                if zeros >= 2 && b <= 3 {
                    out.push(3);
                    zeros = 0;
                }
                out.push(b);
                zeros = if b == 0 { zeros + 1 } else { 0 };
                if i + 1 == head_rbsp_bytes {
                    head_len = out.len();
                }
            }
            (head_len, out)
        }
    }

    /// SPS 0, High profile (chroma 4:2:0, a scaling matrix), frame_num 6 bits, POC type 0 with
    /// 5-bit lsb, interlaced allowed (frame_mbs_only 0).
    fn high_sps() -> Vec<u8> {
        let mut b = Bits::default().u(8, 100).u(8, 0).u(8, 40).ue(0);
        b = b.ue(1).ue(0).ue(0).u(1, 0).u(1, 1); // chroma 1, depths, bypass, scaling matrix
        b = b.u(1, 1); // list 0 present: a delta of -8 then 0 ends it
        b = b.se(-8);
        for _ in 1..8 {
            b = b.u(1, 0);
        }
        b = b
            .ue(2)
            .ue(0)
            .ue(1)
            .ue(4)
            .u(1, 0)
            .ue(19)
            .ue(10)
            .u(1, 0)
            .u(1, 1);
        b.nal(0x67, &[]).1
    }

    /// PPS 3 over SPS 0: CABAC, bottom-field POC, weighted P and explicit weighted B,
    /// 2 and 1 default references, deblocking control, redundant_pic_cnt present.
    fn high_pps() -> Vec<u8> {
        let b = Bits::default()
            .ue(3)
            .ue(0)
            .u(1, 1)
            .u(1, 1)
            .ue(0)
            .ue(1)
            .ue(0)
            .u(1, 1)
            .u(2, 1);
        b.se(0)
            .se(0)
            .se(-2)
            .u(1, 1)
            .u(1, 0)
            .u(1, 1)
            .nal(0x68, &[])
            .1
    }

    fn high() -> AvcSlices {
        let mut s = AvcSlices::default();
        s.parameter_set(&high_sps()).unwrap();
        s.parameter_set(&high_pps()).unwrap();
        s
    }

    #[test]
    fn b_slice_with_every_optional_part() {
        // A B slice (type 6), frame (field_pic 0), override to 3 and 2 references, list
        // modifications on both lists, a weight table, adaptive marking, CABAC init, deblocking.
        let mut b = Bits::default().ue(5).ue(6).ue(3).u(6, 9).u(1, 0);
        b = b.u(5, 17).se(-3).ue(0).u(1, 1); // poc lsb, bottom delta, redundant, direct
        b = b.u(1, 1).ue(2).ue(1); // override
        b = b.u(1, 1).ue(0).ue(4).ue(2).ue(7).ue(3); // l0 modification
        b = b.u(1, 1).ue(1).ue(0).ue(3); // l1 modification
        b = b.ue(5).ue(4); // denominators
        for i in 0..(3 + 2) {
            b = b.u(1, i % 2);
            if i % 2 == 1 {
                b = b.se(3).se(-1);
            }
            b = b.u(1, 1).se(1).se(0).se(-1).se(2);
        }
        b = b.u(1, 1).ue(1).ue(0).ue(3).ue(2).ue(1).ue(6).ue(0).ue(0); // marking
        b = b.ue(2).se(-4).ue(0).se(1).se(-1);
        let (want, nal) = b.nal(0x21, &[0xAB; 40]);
        assert_eq!(high().header_len(&nal), Ok(want));
    }

    #[test]
    fn emulation_prevention_bytes_count_in_the_header() {
        // first_mb_in_slice with a 25-zero prefix puts 00 00 00 in the header: the escape byte
        // before the third is part of the stored header.
        let b = Bits::default()
            .ue((1 << 25) - 1)
            .ue(0)
            .ue(3)
            .u(6, 0)
            .u(1, 0)
            .u(5, 0);
        // bottom delta, redundant_pic_cnt, no override, no modification, a weight table of two
        // unweighted references, cabac_init_idc, slice_qp_delta, deblocking off.
        let b = b
            .se(0)
            .ue(0)
            .u(1, 0)
            .u(1, 0)
            .ue(0)
            .ue(0)
            .u(4, 0)
            .ue(0)
            .se(0)
            .ue(1);
        let (want, nal) = b.nal(0x01, &[0x00, 0x00, 0x01, 0xFF]);
        assert!(nal[..want].windows(3).any(|w| w == [0, 0, 3]), "{nal:02x?}");
        assert_eq!(high().header_len(&nal), Ok(want));
    }

    #[test]
    fn field_and_idr_slices() {
        // An IDR I slice of a bottom field: field_pic and bottom_field flags, idr_pic_id, no
        // delta_pic_order_cnt_bottom (field), no cabac_init_idc (I), IDR marking flags.
        let b = Bits::default()
            .ue(0)
            .ue(7)
            .ue(3)
            .u(6, 0)
            .u(1, 1)
            .u(1, 1)
            .ue(2)
            .u(5, 1);
        let b = b.ue(0).u(1, 0).u(1, 1).se(5).ue(1);
        let (want, nal) = b.nal(0x65, &[0x80; 20]);
        assert_eq!(high().header_len(&nal), Ok(want));
    }

    #[test]
    fn unreadable_slices_are_typed_errors() {
        let s = high();
        let (_, nal) = Bits::default().ue(0).ue(5).ue(9).nal(0x01, &[1; 8]);
        assert_eq!(
            s.header_len(&nal),
            Err(SliceHeaderError::MissingParameterSet { what: "PPS", id: 9 })
        );
        assert!(matches!(
            s.header_len(&[0x01, 0x88]),
            Err(SliceHeaderError::Truncated { .. })
        ));
        let (_, nal) = Bits::default().ue(0).ue(12).nal(0x01, &[]);
        assert!(matches!(
            s.header_len(&nal),
            Err(SliceHeaderError::OutOfRange {
                what: "slice_type",
                value: 12,
                bit: 9
            })
        ));
        assert!(matches!(
            s.header_len(&[0x02, 0xFF]),
            Err(SliceHeaderError::Unsupported { .. })
        ));
        assert!(matches!(
            s.header_len(&[]),
            Err(SliceHeaderError::Truncated {
                what: "nal_ref_idc",
                bit: 0
            })
        ));
        // A broken in-band SPS drops what was known: later slices report, never guess.
        let mut s = high();
        assert!(s.parameter_set(&[0x67, 0x64]).is_err());
        let (_, nal) = Bits::default().ue(0).ue(5).ue(3).nal(0x01, &[1; 8]);
        assert!(matches!(
            s.header_len(&nal),
            Err(SliceHeaderError::MissingParameterSet { .. })
        ));
    }

    #[test]
    fn avcc_records() {
        let sps = high_sps();
        let pps = high_pps();
        let mut rec = vec![1, 100, 0, 40, 0xFF, 0xE1];
        rec.extend((sps.len() as u16).to_be_bytes());
        rec.extend(&sps);
        rec.push(1);
        rec.extend((pps.len() as u16).to_be_bytes());
        rec.extend(&pps);
        let s = AvcSlices::from_avcc(&rec).unwrap();
        assert_eq!((s.sps.len(), s.pps.len()), (1, 1));
        assert_eq!(s.pps[0].0, 3);
        for cut in 0..rec.len() - 1 {
            if cut != 6 + 2 + sps.len() {
                assert!(AvcSlices::from_avcc(&rec[..cut]).is_err(), "{cut}");
            }
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_stay_inside(
            sets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..4),
            kinds in proptest::collection::vec(any::<bool>(), 4),
            nal in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut s = AvcSlices::default();
            for (mut p, sps) in sets.into_iter().zip(kinds) {
                p.insert(0, if sps { 0x67 } else { 0x68 });
                let _ = s.parameter_set(&p);
            }
            if let Ok(n) = s.header_len(&nal) {
                prop_assert!(n <= nal.len());
            }
        }
    }
}
