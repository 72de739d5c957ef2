//! `mhm1`/`mha1` (and `mhm2`/`mha2`) codec strings from the `mhaC` box (ISO/IEC 23008-3
//! §20.5 MHADecoderConfigurationRecord; codec string §21: `<4cc>.0x<profile-level>`, the
//! mpegh3daProfileLevelIndication as two upper-case hex digits). Example: `mhm1.0x0D`
//! (Low Complexity profile level 3); issue 19's `mhm1.0x10` is the test vector.

/// The part after `<4cc>.`: configurationVersion(8), then mpegh3daProfileLevelIndication(8).
pub(super) fn suffix(payload: &[u8]) -> Option<String> {
    let pl = *payload.get(1)?;
    Some(format!("0x{pl:02X}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn profile_level_as_hex() {
        // configurationVersion 1, profile-level 0x10, referenceChannelLayout 6, config length 0
        assert_eq!(super::suffix(&[1, 0x10, 6, 0, 0]).as_deref(), Some("0x10"));
        assert_eq!(super::suffix(&[1]), None);
    }
}
