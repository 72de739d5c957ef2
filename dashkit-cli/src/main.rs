//! `dashkit`: the command-line face of the dashkit library. Every subcommand reads its files,
//! makes one library call and formats the result; the logic lives in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
#[allow(dead_code)] // read_file and some variants are used as subcommands land
mod error;
mod http;
mod input;
mod progress;

use error::CliError;

/// MPEG-DASH and fragmented MP4 (CMAF) toolkit.
#[derive(Debug, Parser)]
#[command(name = "dashkit", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write dashlivesim's .cfg and .dat files for a VoD asset (vodanalyzer-compatible).
    Analyze(cmd::analyze::Args),
    /// List every segment of every Representation of an MPD.
    Segments(cmd::segments::Args),
    /// Parse an MPD and write it back (normalized); `--check` only validates syntax.
    Mpd(cmd::mpd::Args),
    /// Print the box tree of an MP4 file with offsets, sizes and decoded fields.
    Dump(cmd::dump::Args),
    /// Print the tracks of an MP4 file: codec strings, timescales, durations, samples, fragments.
    Info(cmd::info::Args),
    /// Check an MPD with its segments (or one fragmented MP4): findings, exit 1 at --fail-on.
    Validate(cmd::validate::Args),
    /// Fragment a progressive MP4 (Bento4 mp4fragment's options), or split it into segments.
    Fragment(cmd::fragment::Args),
    /// Encrypt a fragmented MP4, init or media segment (Common Encryption, cenc or cbcs).
    Encrypt(cmd::encrypt::Args),
    /// Decrypt a Common Encryption fragmented MP4, init or media segment.
    Decrypt(cmd::decrypt::Args),
    /// Write HLS playlists for a static DASH asset, over the same segment files.
    Hls(cmd::hls::Args),
    /// Write the live MPD at an instant and every segment available then (dashlivesim paths).
    LiveShift(cmd::live_shift::Args),
    /// Serve VoD assets as live streams with dashlivesim's URLs (and the VoD files as they are).
    Serve(cmd::serve::Args),
}

/// Runs the tool on parsed arguments, writing results to `out` and diagnostics to `err`.
/// Returns the process exit code: 0 ok, 1 findings, 2 error.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let result = match cli.command {
        Command::Analyze(a) => cmd::analyze::run(a, out, err),
        Command::Segments(a) => cmd::segments::run(a, out, err),
        Command::Mpd(a) => cmd::mpd::run(a, out),
        Command::Dump(a) => cmd::dump::run(a, out),
        Command::Info(a) => cmd::info::run(a, out),
        Command::Validate(a) => cmd::validate::run(a, out),
        Command::Fragment(a) => cmd::fragment::run(a, out),
        Command::Encrypt(a) => cmd::encrypt::run(a, out, err),
        Command::Decrypt(a) => cmd::decrypt::run(a, out),
        Command::Hls(a) => cmd::hls::run(a, out),
        Command::LiveShift(a) => cmd::live_shift::run(a, out),
        Command::Serve(a) => cmd::serve::run(a, out),
    };
    match result {
        Ok(code) => code,
        Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "dashkit: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // Not locked for the whole run: `serve`'s threads write diagnostics to stderr too, and a
    // lock held here would block them forever.
    let mut err = std::io::stderr();
    let code = run(cli, &mut out, &mut err);
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(err, "dashkit: writing output: {e}");
            ExitCode::from(2)
        }
        _ => code,
    }
}
