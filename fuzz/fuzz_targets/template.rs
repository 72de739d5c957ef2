//! Fuzz target `template`: any string parses without panic as a URL template
//! (ISO/IEC 23009-1 §5.3.9.4.4), and any parsed template expands with any values without
//! panic; the expansion is then resolved against a base URL (RFC 3986), also without panic.
//!
//! Input layout: 40 bytes of values (number, time, bandwidth, sub_number as u64 LE, then 8
//! flag bytes saying which are present), then the template text (lossy UTF-8).
#![no_main]

use dashkit::mpd::template::{Template, TemplateValues};
use dashkit::mpd::url::{resolve, Resolver};
use libfuzzer_sys::fuzz_target;

fn u64_at(data: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = data.get(i * 8..i * 8 + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let (head, text) = data.split_at(data.len().min(40));
    let flags = head.get(32).copied().unwrap_or(0xff);
    let pick = |bit: u8, v: u64| (flags & (1 << bit) != 0).then_some(v);
    let text = String::from_utf8_lossy(text);
    let Ok(template) = Template::parse(&text) else {
        return;
    };
    assert_eq!(template.to_string(), text);
    let values = TemplateValues {
        representation_id: (flags & 16 != 0).then_some("rep$1%05d"),
        number: pick(0, u64_at(head, 0)),
        time: pick(1, u64_at(head, 1)),
        bandwidth: pick(2, u64_at(head, 2)),
        sub_number: pick(3, u64_at(head, 3)),
    };
    let mut out = String::new();
    // Matching is the reverse of expansion: it never panics on any text, and what it reads
    // from an expansion expands back to that same text.
    let known = TemplateValues {
        representation_id: values.representation_id,
        ..TemplateValues::default()
    };
    let _ = template.match_url(&text, &known);
    if template.expand_into(&values, &mut out).is_ok() {
        if let Some(m) = template.match_url(&out, &known) {
            assert_eq!(template.expand(&m).ok().as_deref(), Some(out.as_str()));
        }
        // The prepared base must agree with plain resolution.
        for base in [
            "http://h/a/b/manifest.mpd?x#y",
            "dash/m.mpd",
            "http://h",
            "../x/",
        ] {
            assert_eq!(Resolver::new(base).resolve(&out), resolve(base, &out));
        }
        let _ = resolve("", &out);
        let _ = resolve(&out, "../seg.m4s");
    }
});
