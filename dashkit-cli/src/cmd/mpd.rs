//! `dashkit mpd`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::CliError;

/// Arguments of `dashkit mpd`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MPD file.
    pub manifest: PathBuf,
}

/// Runs `dashkit mpd`.
pub fn run(args: Args, _out: &mut dyn Write) -> Result<ExitCode, CliError> {
    Err(CliError::Usage(format!(
        "{}: not implemented yet",
        args.manifest.display()
    )))
}
