//! `ac-4` codec strings from the `dac4` box (ETSI TS 103 190-2 Annex E: E.6 `ac4_dsi_v1`,
//! codec string E.13): `ac-4.<bitstream_version>.<presentation_version>.<mdcompat>`, each two
//! hexadecimal digits, from the first presentation. Example and test vector: `ac-4.02.01.01`
//! (Dolby's "AC-4 in DASH" examples; issue 19).

use super::bits::BitReader;

/// The part after `ac-4.`; `None` when the DSI is too short or has no presentation.
pub(super) fn suffix(dsi: &[u8]) -> Option<String> {
    let mut r = BitReader::new(dsi);
    let _dsi_version = r.bits(3)?;
    let bitstream_version = r.bits(7)?;
    r.skip(1 + 4)?; // fs_index, frame_rate_index
    let n_presentations = r.bits(9)?;
    if bitstream_version > 1 && r.bits(1)? == 1 {
        // b_program_id: short_program_id, b_uuid [, program_uuid]
        r.skip(16)?;
        if r.bits(1)? == 1 {
            r.skip(128)?;
        }
    }
    r.skip(2 + 32 + 32)?; // ac4_bitrate_dsi: bit_rate_mode, bit_rate, bit_rate_precision
    r.align();
    if n_presentations == 0 {
        return None;
    }
    let presentation_version = r.bits(8)?;
    let pres_bytes = r.bits(8)?;
    if pres_bytes == 255 {
        r.skip(16)?; // add_pres_bytes
    }
    // presentation_v0_dsi / presentation_v1_dsi both open with a 5-bit presentation config;
    // mdcompat (3 bits) follows unless the config is 0x06 (EMDF substreams only).
    let config = r.bits(5)?;
    let mdcompat = if config == 0x06 { 0 } else { r.bits(3)? };
    Some(format!(
        "{bitstream_version:02X}.{presentation_version:02X}.{mdcompat:02X}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds an MSB-first bit string.
    fn bits(fields: &[(u64, usize)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut n = 0usize;
        for &(v, w) in fields {
            for i in (0..w).rev() {
                if n.is_multiple_of(8) {
                    out.push(0);
                }
                if (v >> i) & 1 == 1 {
                    *out.last_mut().unwrap() |= 0x80 >> (n % 8);
                }
                n += 1;
            }
        }
        out
    }

    #[test]
    fn first_presentation_gives_the_string() {
        let mut dsi = bits(&[
            (1, 3),  // ac4_dsi_version
            (2, 7),  // bitstream_version
            (1, 1),  // fs_index (48 kHz)
            (2, 4),  // frame_rate_index
            (1, 9),  // n_presentations
            (0, 1),  // b_program_id
            (0, 2),  // bit_rate_mode
            (0, 32), // bit_rate
            (0, 32), // bit_rate_precision
        ]);
        dsi.extend(bits(&[(1, 8), (11, 8), (0, 5), (1, 3)]));
        dsi.extend([0u8; 10]);
        assert_eq!(suffix(&dsi).as_deref(), Some("02.01.01"));
        assert_eq!(suffix(&dsi[..12]), None);
    }
}
