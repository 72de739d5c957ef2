//! `dashkit analyze`: the `.cfg` and `.dat` files dashlivesim needs to serve a VoD asset as
//! live, byte for byte as its vodanalyzer writes them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dashkit::analyze::{self, Analysis};
use dashkit::mpd::segments::ByteRange;
use dashkit::source::Source;
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

impl Source for FsSource<'_> {
    fn read(&mut self, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
        let Some(range) = range else {
            return std::fs::read(local_path(self.mpd, url)?).ok();
        };
        let (offset, len) = (range.first(), range.size_bytes());
        if self.open.as_ref().is_none_or(|(u, _)| u != url) {
            let f = std::fs::File::open(local_path(self.mpd, url)?).ok()?;
            self.open = Some((url.to_string(), f));
        }
        let (_, f) = self.open.as_ref()?;
        read_at_most(f, offset, len).ok()
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

/// Up to `len` bytes of `f` from `offset` (fewer at the end of the file), with positioned reads:
/// one system call per read where seek + read took two or three.
fn read_at_most(f: &std::fs::File, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    // The library asks for a page or for one header box; 1 MiB caps what a bad size allocates
    // up front (a larger box still reads, growing the buffer).
    let want = usize::try_from(len).unwrap_or(usize::MAX);
    let mut buf = vec![0u8; want.min(1 << 20)];
    let mut filled = 0usize;
    loop {
        if filled == buf.len() {
            if filled >= want {
                break;
            }
            buf.resize(want.min(filled.saturating_mul(2)), 0);
        }
        let at = offset.saturating_add(filled as u64);
        match f.read_at(&mut buf[filled..], at) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
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

#[cfg(test)]
mod tests {
    use super::read_at_most;

    /// Short at the end of the file, exact in the middle, and past the 1 MiB first buffer.
    #[test]
    fn read_at_most_reads_what_is_there() {
        let path =
            std::env::temp_dir().join(format!("dashkit-read-at-most-{}", std::process::id()));
        let data: Vec<u8> = (0..3u32 << 20).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let f = std::fs::File::open(&path).unwrap();
        assert_eq!(read_at_most(&f, 10, 100).unwrap(), &data[10..110]);
        let len = data.len() as u64;
        assert_eq!(
            read_at_most(&f, len - 5, 4096).unwrap(),
            &data[data.len() - 5..]
        );
        assert!(read_at_most(&f, len + 1, 4096).unwrap().is_empty());
        assert_eq!(read_at_most(&f, 1, len).unwrap(), &data[1..]);
        let _ = std::fs::remove_file(&path);
    }
}
