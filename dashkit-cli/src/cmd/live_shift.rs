//! `dashkit live-shift`: the live MPD at an instant and every segment available then, written
//! under dashlivesim's relative paths so the folder can be served as it is. One library call
//! ([`dashkit::live::shift::live_files`]) decides the files and their bytes; this writes them.

use std::collections::HashMap;
use std::io::{IoSlice, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dashkit::live::asset::LiveAsset;
use dashkit::live::options::LiveOptions;
use dashkit::live::shift::live_files;
use dashkit::source::WholeFiles;

use crate::error::CliError;
use crate::input::{load_mpd, local_path};

/// Arguments of `dashkit live-shift`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The VoD asset: a folder holding its MPD, or the MPD file.
    pub asset: PathBuf,
    /// The instant: RFC 3339 (`2024-05-01T12:00:00Z`) or epoch seconds (`1356998460`, `1000.5`).
    #[arg(long)]
    pub now: String,
    /// dashlivesim path options, e.g. `tsbd_30/segtimeline_1`.
    #[arg(long, default_value = "")]
    pub options: String,
    /// Live segment numbers `A..B` (inclusive) instead of the timeshift window.
    #[arg(long)]
    pub numbers: Option<String>,
    /// Output folder.
    #[arg(short = 'o', long = "out")]
    pub out: PathBuf,
}

fn usage(m: impl Into<String>) -> CliError {
    CliError::Usage(m.into())
}

/// `--now` in epoch milliseconds.
fn parse_now(s: &str) -> Result<i64, CliError> {
    if let Ok(dt) = dashkit::mpd::XsDateTime::parse(s) {
        if dt.has_zone() {
            return Ok(dt.unix_millis());
        }
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let bad = || usage(format!("--now {s:?}: neither RFC 3339 nor epoch seconds"));
    let w: i64 = whole.parse().map_err(|_| bad())?;
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<3}").parse().map_err(|_| bad())?
    };
    w.checked_mul(1000)
        .and_then(|v| v.checked_add(if w < 0 { -f } else { f }))
        .ok_or_else(bad)
}

fn find_mpd(asset: &Path) -> Result<PathBuf, CliError> {
    if !asset.is_dir() {
        return Ok(asset.to_path_buf());
    }
    let rd = std::fs::read_dir(asset).map_err(|source| CliError::Io {
        path: asset.to_path_buf(),
        source,
    })?;
    let names: Vec<String> = rd
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    dashkit::live::http::default_mpd(&names)
        .map(|n| asset.join(n))
        .ok_or_else(|| usage(format!("{}: no .mpd file in this folder", asset.display())))
}

/// Writes `parts` with vectored writes.
fn write_parts(path: &Path, parts: &[&[u8]]) -> Result<(), CliError> {
    let io = |source| CliError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut f = std::fs::File::create(path).map_err(io)?;
    let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        let n = f.write_vectored(rest).map_err(io)?;
        if n == 0 {
            return Err(io(std::io::ErrorKind::WriteZero.into()));
        }
        IoSlice::advance_slices(&mut rest, n);
    }
    Ok(())
}

/// Runs `dashkit live-shift`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let now_ms = parse_now(&args.now)?;
    let mpd_path = find_mpd(&args.asset)?;
    let vod = load_mpd(&mpd_path)?;
    // The VoD files, read once while analysing; the live files borrow from them.
    let mut vod_files: HashMap<String, Vec<u8>> = HashMap::new();
    let asset = LiveAsset::from_vod(
        vod,
        &mut WholeFiles(|u: &str| {
            let bytes = local_path(&mpd_path, u).and_then(|p| std::fs::read(p).ok())?;
            vod_files.insert(u.to_string(), bytes.clone());
            Some(bytes)
        }),
    )
    .map_err(|e| CliError::input(&mpd_path, e))?;
    let opts = LiveOptions::parse(&args.options).map_err(|e| usage(format!("--options: {e}")))?;
    let mpd_name = mpd_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("Manifest.mpd")
        .to_string();
    let numbers = match &args.numbers {
        Some(r) => {
            let (a, b) = r
                .split_once("..")
                .ok_or_else(|| usage("--numbers wants A..B"))?;
            let a: u64 = a.parse().map_err(|_| usage("--numbers: bad A"))?;
            let b: u64 = b.parse().map_err(|_| usage("--numbers: bad B"))?;
            if b < a || b - a > 1_000_000 {
                return Err(usage("--numbers: B must be ≥ A and the range at most 1e6"));
            }
            Some(a..=b)
        }
        None => None,
    };
    let shifted = live_files(&asset, &opts, &mpd_name, now_ms, numbers, |u| {
        vod_files.get(u).map(Vec::as_slice)
    })
    .map_err(|e| CliError::input(&mpd_path, e))?;
    for f in &shifted.files {
        let parts: Vec<&[u8]> = f.parts.iter().map(|p| p.as_bytes()).collect();
        write_parts(&args.out.join(&f.path), &parts)?;
    }
    for s in &shifted.skipped {
        writeln!(out, "{}: {}", s.path, s.message)?;
    }
    let written = shifted.files.iter().filter(|f| f.number.is_some()).count();
    writeln!(
        out,
        "wrote {mpd_name} and {written} segments ({} not available) to {}",
        shifted.skipped.len(),
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_forms() {
        assert_eq!(parse_now("1000").unwrap(), 1_000_000);
        assert_eq!(parse_now("1000.5").unwrap(), 1_000_500);
        assert_eq!(parse_now("1970-01-01T00:16:40Z").unwrap(), 1_000_000);
        assert!(parse_now("soon").is_err());
        assert!(parse_now("1.0001").is_err());
    }
}
