//! Running the `dashkit` binary and making scratch folders, shared by the CLI tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (where `fixtures/` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Runs `dashkit ARGS` in the test's working directory: (exit code, stdout, stderr).
pub fn dashkit(args: &[&str]) -> (i32, String, String) {
    output(Command::new(env!("CARGO_BIN_EXE_dashkit")).args(args))
}

/// Runs `dashkit ARGS` in `dir`: (exit code, stdout, stderr).
pub fn dashkit_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    output(
        Command::new(env!("CARGO_BIN_EXE_dashkit"))
            .args(args)
            .current_dir(dir),
    )
}

fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run the dashkit binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An empty folder `dashkit-<suite>-<pid>-<tag>` under the temporary directory, emptied first.
pub fn scratch(suite: &str, tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-{suite}-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a scratch folder");
    d
}
