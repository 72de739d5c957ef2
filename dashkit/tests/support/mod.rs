//! Helpers shared by the integration tests; a test binary takes them with `mod support;`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // not every binary uses all

use std::path::PathBuf;

use dashkit::live::asset::LiveAsset;

/// The repository's `fixtures/` directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Compares `text` with the golden file `fixtures/golden/<dir>/<name>`; with `DASHKIT_BLESS`
/// set, (re)writes the golden file instead.
pub fn golden(dir: &str, name: &str, text: &str) {
    let gdir = fixtures().join("golden").join(dir);
    let path = gdir.join(name);
    if std::env::var_os("DASHKIT_BLESS").is_some() {
        std::fs::create_dir_all(&gdir).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with DASHKIT_BLESS=1 to create it)",
            path.display()
        )
    });
    assert!(
        text == expected,
        "{name} differs from {}; if the change is intended, rerun with DASHKIT_BLESS=1",
        path.display()
    );
}

/// The `ffmpeg_livesim` fixture's directory (5 × 2 s, video `0`, audio `1`).
pub fn livesim_dir() -> PathBuf {
    fixtures().join("dash/ffmpeg_livesim")
}

/// The `ffmpeg_livesim` fixture as a live asset.
pub fn livesim_asset() -> LiveAsset {
    let dir = livesim_dir();
    let text = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
    let mpd = dashkit::mpd::parse(&text).unwrap();
    LiveAsset::from_vod(
        mpd,
        &mut dashkit::source::WholeFiles(|u: &str| std::fs::read(dir.join(u)).ok()),
    )
    .unwrap()
}
