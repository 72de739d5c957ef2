//! The ClearKey license exchange (`dashkit::cenc::clearkey::license`, the answer of a
//! `drm_eccp-*` license URL) on arbitrary request bytes: a typed error or a license, never a
//! panic; a license is JSON whose every key answers a KID of ours, and no refusal names a key.
#![no_main]

use dashkit::cenc::clearkey::license;
use dashkit::live::eccp::key_for_kid;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match license(data, key_for_kid) {
        Ok(json) => {
            let v: serde_json::Value = serde_json::from_slice(&json).expect("the license is JSON");
            assert_eq!(v["type"], "temporary");
            assert!(!v["keys"].as_array().expect("keys").is_empty());
        }
        Err(e) => assert!(!e.to_string().contains("KEY-")),
    }
});
