//! `dashkit fragment --segments` then `dashkit analyze`, compared byte for byte with what
//! dashlivesim's vodanalyzer wrote for the same segments (fixtures/golden/analyze/make.sh).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dashkit(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dashkit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fragment_segments_analyze_like_vodanalyzer() {
    for media in ["h264_aac", "hevc_aac"] {
        let tmp = std::env::temp_dir().join(format!("dashkit-frag-analyze-{}", std::process::id()));
        let seg_dir = tmp.join(media);
        let out_dir = tmp.join("out");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&out_dir).unwrap();
        let input = repo().join("fixtures/media").join(format!("{media}.mp4"));
        dashkit(&[
            "fragment",
            input.to_str().unwrap(),
            "--segments",
            seg_dir.to_str().unwrap(),
            "--quiet",
        ]);
        let mpd = seg_dir.join("manifest.mpd");
        dashkit(&[
            "analyze",
            mpd.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
        ]);
        let golden = repo()
            .join("fixtures/golden/analyze")
            .join(format!("fragment_{media}"));
        for name in [
            format!("{media}.cfg"),
            format!("{media}_video.dat"),
            format!("{media}_audio.dat"),
        ] {
            let ours = std::fs::read(out_dir.join(&name)).unwrap();
            let theirs = std::fs::read(golden.join(&name)).unwrap();
            assert_eq!(ours, theirs, "{media}: {name} differs from vodanalyzer's");
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
