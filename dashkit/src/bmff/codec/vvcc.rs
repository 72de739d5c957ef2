//! `vvc1`/`vvi1` codec strings from the `vvcC` box (ISO/IEC 14496-15:2022 §11.2.4.2,
//! VvcDecoderConfigurationRecord and VvcPTLRecord; string layout Annex E.6):
//! `<4cc>.<general_profile_idc>.<L|H><general_level_idc>[.C<constraints>][.S<sub-profiles>]`,
//! where `constraints` are the PTL record's constraint bytes (ptl_frame_only_constraint_flag,
//! ptl_multilayer_enabled_flag, general_constraint_info) with trailing zero bytes dropped, in
//! RFC 4648 base32 without padding, and each sub-profile is 8 hex digits, joined by `+`.
//! Cross-checked against GPAC's `gf_media_get_rfc_6381_codec_name` and Paul Higgs's
//! codec-string decoder (decode-vvc.js), whose example `vvc1.1.L51.CQA` is the test vector.

use super::bits::BitReader;

/// Most sub-profiles written into the string (the field is 8 bits; real streams have 0-1).
const MAX_SUB_PROFILES: usize = 8;

/// The part after `<4cc>.`; `None` when the record is too short or has no PTL.
pub(super) fn suffix(payload: &[u8]) -> Option<String> {
    // vvcC is a FullBox: version(8) flags(24), then the record.
    let rec = payload.get(4..)?;
    let mut r = BitReader::new(rec);
    r.skip(5)?; // reserved '11111'b
    r.skip(2)?; // LengthSizeMinusOne
    if r.bits(1)? == 0 {
        return None; // ptl_present_flag: no profile, tier or level to name
    }
    r.skip(9)?; // ols_idx
    let num_sublayers = r.bits(3)? as usize;
    r.skip(2 + 2 + 3 + 5)?; // constant_frame_rate, chroma_format_idc, bit_depth_minus8, reserved
                            // VvcPTLRecord(num_sublayers)
    r.skip(2)?;
    let n_constraint = r.bits(6)? as usize;
    let profile = r.bits(7)?;
    let tier = if r.bits(1)? == 1 { 'H' } else { 'L' };
    let level = r.bits(8)?;
    let start = r.byte_pos();
    let constraint = rec.get(start..start.checked_add(n_constraint)?)?;
    r.skip(8 * n_constraint)?;
    let mut present = 0usize;
    if num_sublayers > 1 {
        // ptl_sublayer_level_present_flag[num_sublayers-2..=0], then reserved bits to 8.
        for _ in 0..num_sublayers - 1 {
            present += r.bits(1)? as usize;
        }
        r.skip(9 - num_sublayers)?;
    }
    r.skip(8 * present)?; // sublayer_level_idc
    let n_sub = r.bits(8)? as usize;
    let mut s = format!("{profile}.{tier}{level}");
    let keep = constraint
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |i| i + 1);
    if keep > 0 {
        s.push_str(".C");
        s.push_str(&base32(&constraint[..keep]));
    }
    let mut subs = Vec::new();
    for _ in 0..n_sub.min(MAX_SUB_PROFILES) {
        subs.push(format!("{:08X}", r.bits(32)?));
    }
    if !subs.is_empty() {
        s.push_str(".S");
        s.push_str(&subs.join("+"));
    }
    Some(s)
}

/// RFC 4648 §6 base32 without padding, the last group filled with zero bits.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut r = BitReader::new(bytes);
    let mut left = bytes.len() * 8;
    while left > 0 {
        let n = left.min(5);
        let v = r.bits(n).unwrap_or(0) << (5 - n);
        out.push(char::from(ALPHABET[v as usize]));
        left -= n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vvcC for Main 10 (profile 1), Main tier, general_level_idc 51 (level 3.1),
    /// ptl_frame_only_constraint_flag 1, one sub-layer, no sub-profiles: `vvc1.1.L51.CQA`, the
    /// example of issue 19 and of the codec-string decoder's documentation.
    #[test]
    fn main10_level51_frame_only() {
        let payload = [
            0, 0, 0, 0,    // FullBox
            0xFF, // reserved 11111, LengthSizeMinusOne 3, ptl_present_flag 1
            0x00, 0x1F, // ols_idx 0 (9 bits), num_sublayers 1, cfr 3, chroma 3
            0x5F, // bit_depth_minus8 2, reserved 11111
            0x01, // reserved 00, num_bytes_constraint_info 1
            0x02, // general_profile_idc 1, tier 0
            51,   // general_level_idc
            0x80, // frame_only 1, multilayer 0, gci 000000
            0x00, // ptl_num_sub_profiles
        ];
        assert_eq!(suffix(&payload).as_deref(), Some("1.L51.CQA"));
        assert_eq!(base32(&[0xFF]), "74");
        assert_eq!(suffix(&payload[..10]), None);
    }

    #[test]
    fn high_tier_sub_profiles_and_sublayers() {
        let payload = [
            0, 0, 0, 0, 0xFF, 0x00, 0x2F, // ols_idx 0, num_sublayers 2, cfr 3, chroma 3
            0x5F, 0x01, 0x03, 83, 0x00, // profile 1 tier H level 83, constraints 0
            0x80, // sublayer_level_present_flag[0] 1, reserved 7 bits
            80,   // sublayer_level_idc[0]
            0x01, 0x12, 0x34, 0x56, 0x78, // one sub-profile
        ];
        assert_eq!(suffix(&payload).as_deref(), Some("1.H83.S12345678"));
    }
}
