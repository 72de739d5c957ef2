//! `dashkit segments`: every segment of every Representation of a static MPD.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dashkit::mpd::listing::{list_segments_each, IndexRequest, RepresentationListing};
use dashkit::mpd::xlink::{resolve_remote_periods, XlinkOutcome};
use dashkit::timeline::seconds_f64;
use serde_json::json;

use crate::error::CliError;
use crate::input::{load_mpd, local_path, read_range};

/// Arguments of `dashkit segments`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MPD file. Relative segment URLs are taken relative to its directory; a
    /// SegmentBase Representation's sidx is read from its media file.
    pub manifest: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `dashkit segments`.
/// Exit 0 when every Representation was listed, 1 when some could not be (they are reported
/// on `err`, the others listed).
pub fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitCode, CliError> {
    let mut mpd = load_mpd(&args.manifest)?;
    // Remote Periods whose href is a local file are resolved; the others are warned about.
    let outcomes = resolve_remote_periods(&mut mpd, |href| {
        std::fs::read_to_string(local_path(&args.manifest, href)?).ok()
    });
    for o in &outcomes {
        if let XlinkOutcome::Unresolved {
            period_index,
            href,
            reason,
        } = o
        {
            writeln!(
                err,
                "dashkit: {}: warning: remote Period {period_index} (xlink:href={href}) not resolved ({reason}): its segments are not listed",
                args.manifest.display()
            )?;
        }
    }
    let mut io_error: Option<CliError> = None;
    let fetch = |req: &IndexRequest| -> Option<Vec<u8>> {
        let path = local_path(&args.manifest, &req.url)?;
        match read_range(&path, req.range.first(), req.range.size_bytes()) {
            Ok(b) => Some(b),
            Err(source) => {
                io_error.get_or_insert(CliError::Io { path, source });
                None
            }
        }
    };
    let listing =
        list_segments_each(&mpd, "", fetch).map_err(|e| CliError::input(&args.manifest, e))?;
    let reps = &listing.representations;
    if args.json {
        let v: Vec<_> = reps.iter().map(rep_json).collect();
        let failed: Vec<_> = listing
            .failures
            .iter()
            .map(|f| {
                json!({
                    "period_index": f.period_index,
                    "adaptation_set_index": f.adaptation_set_index,
                    "representation_index": f.representation_index,
                    "id": f.id,
                    "path": f.path,
                    "error": f.error.to_string(),
                })
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut *out,
            &json!({ "representations": v, "failures": failed }),
        )
        .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        for r in reps {
            write_table(out, r)?;
        }
    }
    // One Representation that cannot be listed (WebM without a sidx, a missing file) does not
    // hide the others: they are listed, it is reported, and the exit code says so.
    if listing.failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for f in &listing.failures {
        let io = io_error
            .as_ref()
            .map_or_else(String::new, |e| format!(" ({e})"));
        writeln!(
            err,
            "dashkit: {}: Representation {:?} ({}) cannot be listed: {}{io}",
            args.manifest.display(),
            f.id,
            f.path,
            f.error
        )?;
    }
    Ok(ExitCode::from(1))
}

fn range_text(r: Option<dashkit::mpd::segments::ByteRange>) -> String {
    r.map(|r| r.to_string()).unwrap_or_default()
}

fn write_table(out: &mut dyn Write, r: &RepresentationListing) -> std::io::Result<()> {
    let s = &r.segments;
    let ts = s.timescale;
    writeln!(
        out,
        "# Period {} AdaptationSet {} Representation {:?} ({}, bandwidth {}, timescale {}): {} segments",
        r.period_index,
        r.adaptation_set_index,
        r.id,
        r.content_type.as_deref().unwrap_or("unknown type"),
        r.bandwidth.map_or("-".to_string(), |b| b.to_string()),
        ts.get(),
        s.segments.len()
    )?;
    if let Some(init) = &s.initialization {
        writeln!(out, "init\t{}\t{}", init.url, range_text(init.byte_range))?;
    }
    if let Some(index) = &s.index {
        writeln!(
            out,
            "index\t{}\t{}",
            index.url,
            range_text(index.byte_range)
        )?;
    }
    writeln!(
        out,
        "number\tstart\tduration\tstart_s\tduration_s\turl\trange"
    )?;
    for seg in &s.segments {
        let pt = s.presentation_time(seg);
        writeln!(
            out,
            "{}\t{}\t{}\t{:.3}\t{:.3}\t{}\t{}",
            seg.number,
            seg.start,
            seg.duration,
            // Presentation time (Period start + start − PTO), for display only.
            pt as f64 / f64::from(ts.get()),
            seconds_f64(i64::try_from(seg.duration).unwrap_or(i64::MAX), ts),
            seg.url,
            range_text(seg.byte_range)
        )?;
    }
    writeln!(out)
}

fn rep_json(r: &RepresentationListing) -> serde_json::Value {
    let s = &r.segments;
    let url_range = |u: &dashkit::mpd::segments::UrlRange| json!({ "url": u.url, "range": u.byte_range.map(|b| b.to_string()) });
    json!({
        "period_index": r.period_index,
        "adaptation_set_index": r.adaptation_set_index,
        "representation_index": r.representation_index,
        "id": r.id,
        "bandwidth": r.bandwidth,
        "content_type": r.content_type,
        "path": r.path,
        "timescale": s.timescale.get(),
        "presentation_time_offset": s.presentation_time_offset,
        "initialization": s.initialization.as_ref().map(url_range),
        "index": s.index.as_ref().map(url_range),
        "segments": s.segments.iter().map(|seg| json!({
            "number": seg.number,
            "start": seg.start,
            "duration": seg.duration,
            "presentation_time": i64::try_from(s.presentation_time(seg)).ok(),
            "url": seg.url,
            "range": seg.byte_range.map(|b| b.to_string()),
        })).collect::<Vec<_>>(),
    })
}
