//! `stpp` codec strings for TTML in ISO-BMFF (ISO/IEC 14496-30 §5.2 XMLSubtitleSampleEntry:
//! `namespace`, `schema_location`, `auxiliary_mime_types`, NUL-terminated) with the TTML
//! profile short names of the W3C "TTML Media Type Definition and Profile Registry":
//! `stpp.ttml.<code>` (e.g. `stpp.ttml.im1t`), as DASH-IF IOP §6.4.3 and DVB DASH use them.
//! Without a registered profile among the fields, plain `stpp`.

/// Registered processor profile designators and their short codes (W3C TTML profile
/// registry).
const PROFILES: [(&str, &str); 6] = [
    ("http://www.w3.org/ns/ttml/profile/imsc1/text", "im1t"),
    ("http://www.w3.org/ns/ttml/profile/imsc1/image", "im1i"),
    ("http://www.w3.org/ns/ttml/profile/imsc1.1/text", "im2t"),
    ("http://www.w3.org/ns/ttml/profile/imsc1.1/image", "im2i"),
    ("urn:ebu:tt:distribution:2014", "etd1"),
    ("urn:ebu:tt:distribution:2018", "etd1"),
];

/// The codec string of an `stpp` sample entry's payload (after the box header).
pub(super) fn codec_string(payload: &[u8]) -> String {
    // reserved(6) + data_reference_index(2), then namespace and schema_location.
    let fields = payload.get(8..).unwrap_or(&[]);
    let mut parts = fields.split(|&b| b == 0);
    let namespace = parts.next().unwrap_or(&[]);
    let schema = parts.next().unwrap_or(&[]);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (namespace, schema) = (text(namespace), text(schema));
    let code = namespace
        .split_whitespace()
        .chain(schema.split_whitespace())
        .find_map(|t| PROFILES.iter().find(|(uri, _)| *uri == t).map(|(_, c)| *c));
    match code {
        Some(c) => format!("stpp.ttml.{c}"),
        None => "stpp".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_from_namespace_or_schema_location() {
        let entry = |ns: &str, schema: &str| {
            let mut p = vec![0u8; 8];
            p.extend(ns.as_bytes());
            p.push(0);
            p.extend(schema.as_bytes());
            p.push(0);
            p.push(0);
            p
        };
        let ttml = "http://www.w3.org/ns/ttml";
        assert_eq!(
            codec_string(&entry(
                &format!("{ttml} http://www.w3.org/ns/ttml/profile/imsc1/text"),
                ""
            )),
            "stpp.ttml.im1t"
        );
        assert_eq!(
            codec_string(&entry(ttml, "urn:ebu:tt:distribution:2014")),
            "stpp.ttml.etd1"
        );
        assert_eq!(codec_string(&entry(ttml, "")), "stpp");
        assert_eq!(codec_string(&[0, 0]), "stpp");
    }
}
