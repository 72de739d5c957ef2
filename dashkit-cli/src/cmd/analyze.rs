//! `dashkit analyze`: the `.cfg` and `.dat` files dashlivesim needs to serve a VoD asset as
//! live, byte for byte as its vodanalyzer writes them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dashkit::analyze::{self, Analysis, AssetSource};
use serde_json::json;

use crate::error::CliError;
use crate::input::{load_mpd, local_path};

/// Arguments of `dashkit analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The VoD MPD. The output files are named after the directory holding it, as
    /// vodanalyzer names them (`<dir>.cfg`, `<dir>_<contentType>.dat`).
    pub manifest: PathBuf,
    /// Directory to write the files into (default: the current directory, as vodanalyzer).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Print the analysis as JSON instead of writing the files.
    #[arg(long)]
    pub json: bool,
    /// Also write the MPD in the shape dashlivesim's server needs (AdaptationSet-level
    /// SegmentTemplate with @duration, contentType set) to this path.
    #[arg(long, value_name = "PATH")]
    pub write_mpd: Option<PathBuf>,
}

/// Files relative to the MPD, with directory listing for vodanalyzer's segment discovery.
struct FsSource<'a> {
    mpd: &'a Path,
    /// The file last read by range, kept open for the next header read.
    open: Option<(String, std::fs::File)>,
}

impl AssetSource for FsSource<'_> {
    fn fetch(&mut self, url: &str) -> Option<Vec<u8>> {
        std::fs::read(local_path(self.mpd, url)?).ok()
    }

    fn fetch_range(&mut self, url: &str, offset: u64, len: u64) -> Option<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        if self.open.as_ref().is_none_or(|(u, _)| u != url) {
            let f = std::fs::File::open(local_path(self.mpd, url)?).ok()?;
            self.open = Some((url.to_string(), f));
        }
        let (_, f) = self.open.as_mut()?;
        f.seek(SeekFrom::Start(offset)).ok()?;
        let mut buf = Vec::with_capacity(usize::try_from(len.min(1 << 20)).unwrap_or(0));
        f.take(len).read_to_end(&mut buf).ok()?;
        Some(buf)
    }

    fn list(&mut self, dir: &str) -> Option<Vec<String>> {
        let path = local_path(self.mpd, if dir.is_empty() { "." } else { dir })?;
        let names = std::fs::read_dir(path)
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        Some(names)
    }
}

/// Runs `dashkit analyze`; warnings go to `err`.
pub fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitCode, CliError> {
    let mpd = load_mpd(&args.manifest)?;
    // vodanalyzer's base-name rule works on the path as given.
    let as_given = args.manifest.to_string_lossy();
    let base = analyze::base_name(&as_given).to_string();
    let mut source = FsSource {
        mpd: &args.manifest,
        open: None,
    };
    let analysis = analyze::analyze_mpd(&mpd, &base, &mut source)
        .map_err(|e| CliError::input(&args.manifest, e))?;
    for w in &analysis.warnings {
        writeln!(err, "dashkit: warning: {}: {w}", args.manifest.display())?;
    }
    if let Some(path) = &args.write_mpd {
        let shaped =
            analyze::dashlivesim_mpd(&mpd).map_err(|e| CliError::input(&args.manifest, e))?;
        write_file(path, dashkit::mpd::write(&shaped).as_bytes())?;
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &analysis_json(&analysis))
            .map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let dir = args.output.clone().unwrap_or_else(|| PathBuf::from("."));
    for (name, bytes) in analysis.files() {
        let path = dir.join(&name);
        write_file(&path, &bytes)?;
        writeln!(out, "wrote {}", path.display())?;
    }
    writeln!(
        out,
        "loop: segments {}-{} ({} × {} s = {} s)",
        analysis.first_segment_in_loop,
        analysis.first_segment_in_loop + analysis.nr_segments_in_loop.saturating_sub(1),
        analysis.nr_segments_in_loop,
        analysis.segment_duration_s,
        analysis.loop_duration_s()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn analysis_json(a: &Analysis) -> serde_json::Value {
    json!({
        "base_name": a.base_name,
        "segment_duration_s": a.segment_duration_s,
        "first_segment_in_loop": a.first_segment_in_loop,
        "nr_segments_in_loop": a.nr_segments_in_loop,
        "loop_duration_s": a.loop_duration_s(),
        "warnings": a.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        "adaptation_sets": a.adaptation_sets.iter().map(|s| json!({
            "content_type": s.content_type,
            "representations": s.representations,
            "timescale": s.timescale,
            "first_number": s.first_number,
            "segment_count": s.segment_count,
            "last_number": s.last_number,
            "total_duration": s.total_duration,
            "dat_file": s.dat_file,
            "duration_runs": s.runs.iter().map(|r| json!({
                "start_nr": r.start_nr, "repeats": r.repeats,
                "start_time": r.start_time, "duration": r.duration,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
