//! `dashkit live-shift`: the live MPD at an instant and every segment available then, written
//! under dashlivesim's relative paths so the folder can be served as it is.

use std::io::{IoSlice, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dashkit::live::asset::LiveAsset;
use dashkit::live::mpd::live_mpd_with;
use dashkit::live::options::{LiveOptions, TimelineMode};
use dashkit::live::segment::{plan_segment, shift_segment, vod_tfdt, SegmentAddress, SegmentPlan};
use dashkit::live::timing::{Availability, Timing};
use dashkit::mpd::template::{Template, TemplateValues};

use crate::error::{read_file, CliError};
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
    for name in ["Manifest.mpd", "manifest.mpd"] {
        if asset.join(name).is_file() {
            return Ok(asset.join(name));
        }
    }
    let rd = std::fs::read_dir(asset).map_err(|source| CliError::Io {
        path: asset.to_path_buf(),
        source,
    })?;
    let mut mpds: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mpd"))
        .collect();
    mpds.sort();
    mpds.into_iter()
        .next()
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
    let asset = LiveAsset::from_vod(vod, |u| {
        local_path(&mpd_path, u).and_then(|p| std::fs::read(p).ok())
    })
    .map_err(|e| CliError::input(&mpd_path, e))?;
    let opts = LiveOptions::parse(&args.options).map_err(|e| usage(format!("--options: {e}")))?;
    let session = Timing::from_options(&opts, asset.looping, asset.default_tsbd_s, now_ms)
        .map_err(|e| CliError::input(&mpd_path, e))?;
    let timing = session.timing;
    let live = live_mpd_with(&asset, &opts, &session, now_ms)
        .map_err(|e| CliError::input(&mpd_path, e))?;
    let mpd_name = mpd_path
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("Manifest.mpd"));
    let text = dashkit::mpd::write(&live);
    write_parts(&args.out.join(&mpd_name), &[text.as_bytes()])?;

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
            a..=b
        }
        None => timing
            .available_numbers(now_ms)
            .map_err(|e| CliError::input(&mpd_path, e))?,
    };
    let init_ok = matches!(timing.check_init(now_ms), Ok(Availability::Available));
    let mut written = 0usize;
    let mut skipped = 0usize;
    for las in &asset.adaptation_sets {
        let media = live
            .periods
            .first()
            .and_then(|p| p.adaptation_sets.get(las.adaptation_set_index))
            .and_then(|a| a.segment_template.as_ref())
            .and_then(|t| t.media.clone())
            .ok_or_else(|| usage("live MPD without a media template"))?;
        let media = Template::parse(&media).map_err(|e| CliError::input(&mpd_path, e))?;
        for rep in &las.representations {
            if init_ok {
                if let Some(u) = rep.init_url().map_err(|e| CliError::input(&mpd_path, e))? {
                    let src = local_path(&mpd_path, &u)
                        .ok_or_else(|| usage(format!("{u}: not a local file")))?;
                    let bytes = read_file(&src)?;
                    write_parts(&args.out.join(&u), &[&bytes])?;
                }
            }
            for n in numbers.clone() {
                let plan =
                    plan_segment(&asset, &timing, &rep.id, SegmentAddress::Number(n), now_ms)
                        .map_err(|e| CliError::input(&mpd_path, e))?;
                let SegmentPlan::Ready {
                    live: seg,
                    vod_url,
                    timescale,
                    tfdt_offset_ticks,
                } = plan
                else {
                    writeln!(out, "{}/{n}: {plan:?}", rep.id)?;
                    skipped += 1;
                    continue;
                };
                let src = local_path(&mpd_path, &vod_url)
                    .ok_or_else(|| usage(format!("{vod_url}: not a local file")))?;
                let bytes = read_file(&src)?;
                let rw = shift_segment(
                    &bytes,
                    &vod_url,
                    &seg,
                    timescale,
                    tfdt_offset_ticks,
                    opts.sidx,
                )
                .map_err(|e| CliError::input(&src, e))?;
                let time = if opts.timeline == TimelineMode::Time {
                    let t = vod_tfdt(&bytes).map_err(|e| CliError::input(&src, e))?;
                    Some(t.saturating_add(tfdt_offset_ticks))
                } else {
                    None
                };
                let name = media
                    .expand(&TemplateValues {
                        representation_id: Some(&rep.id),
                        number: Some(n),
                        time,
                        bandwidth: rep.bandwidth,
                        ..TemplateValues::default()
                    })
                    .map_err(|e| CliError::input(&mpd_path, e))?;
                let parts: Vec<&[u8]> = rw.parts.iter().map(|p| p.as_bytes()).collect();
                write_parts(&args.out.join(&name), &parts)?;
                written += 1;
            }
        }
    }
    writeln!(
        out,
        "wrote {} and {written} segments ({skipped} not available) to {}",
        mpd_name.display(),
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
