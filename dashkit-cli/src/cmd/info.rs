//! `dashkit info`: tracks, codec strings, timescales, durations, sample and fragment counts.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dashkit::bmff::info::{describe, FileInfo};
use dashkit::sniff::{sniff, Container};

use crate::error::{read_file, CliError};

/// Arguments of `dashkit info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MP4 file (init segment, media segment, fragmented or progressive file).
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `dashkit info`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let data = read_file(&args.file)?;
    if let Some(kind) = sniff(&data).filter(|k| *k != Container::IsoBmff) {
        return Err(CliError::Usage(format!(
            "{}: the file is {} by its signature, not ISO-BMFF (MP4); dashkit info reads MP4 files",
            args.file.display(),
            kind.name()
        )));
    }
    let info = describe(&data).map_err(|e| CliError::input(&args.file, e))?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &json(&info)).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        text(&info, out)?;
    }
    // What could be shown was; a file whose samples cannot be resolved is still a finding.
    Ok(if info.samples_error.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn seconds(ticks: u64, timescale: u32) -> String {
    if timescale == 0 {
        return "?".into();
    }
    // Display only: exact integer ticks are printed beside it.
    format!("{:.3}", ticks as f64 / f64::from(timescale))
}

fn text(info: &FileInfo, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some(b) = &info.brands {
        let c: Vec<String> = b.compatible_brands.iter().map(|c| c.to_string()).collect();
        writeln!(
            out,
            "brands: major={} minor={} compatible={}",
            b.major_brand,
            b.minor_version,
            c.join(",")
        )?;
    }
    if let Some((ts, d)) = info.movie {
        writeln!(
            out,
            "movie: timescale={ts} duration={d} ({} s)",
            seconds(d, ts)
        )?;
    }
    writeln!(
        out,
        "fragmented: {} ({} fragments)",
        if info.fragmented { "yes" } else { "no" },
        info.fragment_count
    )?;
    for t in &info.tracks {
        writeln!(out, "track {}:", t.track_id)?;
        writeln!(out, "  handler: {}", t.handler)?;
        writeln!(out, "  sample entry: {}", t.sample_entry)?;
        writeln!(out, "  codecs: {}", t.codec)?;
        writeln!(out, "  timescale: {}", t.timescale)?;
        writeln!(
            out,
            "  duration: {} ({} s)",
            t.duration,
            seconds(t.duration, t.timescale)
        )?;
        if !t.language.is_empty() {
            writeln!(out, "  language: {}", t.language)?;
        }
        if let Some((w, h)) = t.dimensions {
            writeln!(out, "  dimensions: {w}x{h}")?;
        }
        writeln!(
            out,
            "  samples: {} (duration {} = {} s)",
            t.sample_count,
            t.sample_duration,
            seconds(t.sample_duration, t.timescale)
        )?;
        if !t.fragment_durations.is_empty() {
            let d: Vec<String> = t.fragment_durations.iter().map(|d| d.to_string()).collect();
            writeln!(out, "  fragments: {} [{}]", d.len(), d.join(", "))?;
        }
    }
    if let Some(e) = &info.samples_error {
        writeln!(out, "samples: not readable: {e}")?;
    }
    Ok(())
}

fn json(info: &FileInfo) -> serde_json::Value {
    serde_json::json!({
        "brands": info.brands.as_ref().map(|b| serde_json::json!({
            "major": b.major_brand.to_string(),
            "minor_version": b.minor_version,
            "compatible": b.compatible_brands.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        })),
        "movie": info.movie.map(|(ts, d)| serde_json::json!({"timescale": ts, "duration": d})),
        "fragmented": info.fragmented,
        "fragment_count": info.fragment_count,
        "tracks": info.tracks.iter().map(|t| serde_json::json!({
            "track_id": t.track_id,
            "handler": t.handler,
            "sample_entry": t.sample_entry,
            "codecs": t.codec,
            "timescale": t.timescale,
            "duration": t.duration,
            "language": t.language,
            "width": t.dimensions.map(|d| d.0),
            "height": t.dimensions.map(|d| d.1),
            "sample_count": t.sample_count,
            "sample_duration": t.sample_duration,
            "fragment_durations": t.fragment_durations,
        })).collect::<Vec<_>>(),
        "samples_error": info.samples_error.as_ref().map(ToString::to_string),
    })
}
