//! Shared helpers for dashkit's criterion benches: loading fixtures from `fixtures/`.

use std::path::PathBuf;

/// Absolute path of a file under the repository's `fixtures/` directory.
pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("fixtures")
        .join(rel)
}

/// Reads a fixture file, panicking with its path if it is missing (benches only).
pub fn fixture(rel: &str) -> Vec<u8> {
    let p = fixture_path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading fixture {}: {e}", p.display()))
}
