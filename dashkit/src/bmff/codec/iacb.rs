//! `iamf` codec strings from the `iacb` box (AOMedia "Immersive Audio Model and Formats"
//! v1.0 §6.2 IACB box with the configOBUs; codec string §6.3:
//! `iamf.<primary_profile>.<additional_profile>.<codec>`, profiles as three decimal digits,
//! codec `Opus`, `mp4a.40.2`, `fLaC` or `ipcm` from the first Codec Config OBU). Example and
//! test vector: `iamf.001.001.Opus` (issue 19).

use super::bits::leb128;

/// OBU types (IAMF §3.2).
const OBU_IA_CODEC_CONFIG: u8 = 0;
const OBU_IA_SEQUENCE_HEADER: u8 = 31;

/// The whole string (it starts with `iamf`); `None` when the OBUs are too short or lack the
/// sequence header or a codec config.
pub(super) fn codec_string(payload: &[u8]) -> Option<String> {
    // configurationVersion(8), configOBUs_size leb128, configOBUs.
    let (size, n) = leb128(payload.get(1..)?)?;
    let start = 1 + n;
    let end = start
        .checked_add(usize::try_from(size).ok()?)?
        .min(payload.len());
    let mut obus = payload.get(start..end)?;
    let mut profiles = None;
    let mut codec = None;
    // Each iteration consumes at least two bytes, so the loop is bounded by the box.
    while !obus.is_empty() && (profiles.is_none() || codec.is_none()) {
        let header = obus[0];
        let obu_type = header >> 3;
        let trimming = header & 0b10 != 0;
        let extension = header & 0b1 != 0;
        let (len, k) = leb128(obus.get(1..)?)?;
        let body_start = 1 + k;
        let body_end = body_start.checked_add(usize::try_from(len).ok()?)?;
        let mut body = obus.get(body_start..body_end)?;
        obus = &obus[body_end..];
        if trimming {
            for _ in 0..2 {
                let (_, k) = leb128(body)?;
                body = body.get(k..)?;
            }
        }
        if extension {
            let (ext, k) = leb128(body)?;
            body = body.get(k.checked_add(usize::try_from(ext).ok()?)?..)?;
        }
        match obu_type {
            OBU_IA_SEQUENCE_HEADER => {
                if body.get(..4)? != b"iamf" {
                    return None;
                }
                profiles = Some((*body.get(4)?, *body.get(5)?));
            }
            OBU_IA_CODEC_CONFIG if codec.is_none() => {
                let (_, k) = leb128(body)?; // codec_config_id
                codec = Some(match body.get(k..k + 4)? {
                    b"Opus" => "Opus",
                    b"mp4a" => "mp4a.40.2",
                    b"fLaC" => "fLaC",
                    b"ipcm" => "ipcm",
                    _ => return None,
                });
            }
            _ => {}
        }
    }
    let (p, a) = profiles?;
    Some(format!("iamf.{p:03}.{a:03}.{}", codec?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_header_and_opus_codec_config() {
        let mut obus = vec![OBU_IA_SEQUENCE_HEADER << 3, 6];
        obus.extend(b"iamf");
        obus.extend([1, 1]);
        obus.extend([OBU_IA_CODEC_CONFIG << 3, 7, 0]);
        obus.extend(b"Opus");
        obus.extend([0x80, 0x07]); // num_samples_per_frame 960 (leb128), truncated rest
        let mut iacb = vec![1, u8::try_from(obus.len()).unwrap()];
        iacb.extend(&obus);
        assert_eq!(codec_string(&iacb).as_deref(), Some("iamf.001.001.Opus"));
        // Without the codec config OBU: no string.
        let mut short = vec![1, 8];
        short.extend(&obus[..8]);
        assert_eq!(codec_string(&short), None);
    }
}
