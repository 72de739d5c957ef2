//! Dolby Vision codec strings (`dvh1`, `dvhe`, `dvav`, `dva1`, `dav1`) from the `dvcC`/`dvvC`/
//! `dvwC` box (Dolby "Dolby Vision Streams Within the ISO Base Media File Format" §3.2
//! DOVIDecoderConfigurationRecord; codec string: Dolby "Dolby Vision Profiles and Levels"
//! §2: `<4cc>.<dv_profile>.<dv_level>`, each two decimal digits). Example and test vector:
//! `dvh1.05.06` (profile 5, level 6).

/// The part after `<4cc>.`: dv_version_major(8), dv_version_minor(8), dv_profile(7),
/// dv_level(6), rpu/el/bl present flags.
pub(super) fn suffix(payload: &[u8]) -> Option<String> {
    let (b2, b3) = (*payload.get(2)?, *payload.get(3)?);
    let profile = b2 >> 1;
    let level = ((b2 & 1) << 5) | (b3 >> 3);
    Some(format!("{profile:02}.{level:02}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn profile_and_level_two_digits() {
        // version 1.0, profile 5, level 6, rpu 1, el 0, bl 1: 0000101 000110 1 0 1
        let rec = [1, 0, 0b0000_1010, 0b0011_0101, 0x00];
        assert_eq!(super::suffix(&rec).as_deref(), Some("05.06"));
        assert_eq!(super::suffix(&rec[..3]), None);
    }
}
