//! `dashkit encrypt` / `decrypt` refusals: typed errors, exit 2, and never a digit of the key
//! in what is printed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::Path;
use std::process::Command;

const KEY: &str = "0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210";

fn dashkit(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dashkit"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn refusals_are_typed_and_keep_the_key_secret() {
    let dir = std::env::temp_dir().join(format!("dashkit-cenc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let init =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dash/ffmpeg_number/init-0.m4s");
    let seg = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
    let (i, s) = (init.to_str().unwrap(), seg.to_str().unwrap());
    let enc = dir.join("enc.m4s");
    let e = enc.to_str().unwrap();

    let (code, text) = dashkit(&["encrypt", i, e, "--scheme", "cens", "--key", KEY]);
    assert_eq!(code, 2);
    assert!(
        text.contains("unknown protection scheme \"cens\""),
        "{text}"
    );

    let short = "0123456789abcdef0123456789abcdef:fedcba98765432";
    let (code, text) = dashkit(&["encrypt", i, e, "--scheme", "cenc", "--key", short]);
    assert_eq!(code, 2);
    assert!(
        text.contains("key must be 32 hex digits, got 14 characters"),
        "{text}"
    );
    assert!(!text.contains("fedcba98765432"), "{text}");

    let (code, text) = dashkit(&["encrypt", s, e, "--scheme", "cenc", "--key", KEY]);
    assert_eq!(code, 2);
    assert!(text.contains("needs its init segment"), "{text}");

    let (code, _) = dashkit(&["encrypt", i, e, "--scheme", "cbcs", "--key", KEY]);
    assert_eq!(code, 0);
    let again = dir.join("again.m4s");
    let (code, text) = dashkit(&[
        "encrypt",
        e,
        again.to_str().unwrap(),
        "--scheme",
        "cenc",
        "--key",
        KEY,
    ]);
    assert_eq!(code, 2);
    assert!(text.contains("track 1 is already encrypted"), "{text}");
    assert!(!text.contains("fedcba9876543210"), "{text}");

    let other = "00000000000000000000000000000000:fedcba9876543210fedcba9876543210";
    let (code, text) = dashkit(&["decrypt", e, again.to_str().unwrap(), "--key", other]);
    assert_eq!(code, 2);
    assert!(text.contains("no track to decrypt"), "{text}");
    assert!(!text.contains("fedcba9876543210"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
