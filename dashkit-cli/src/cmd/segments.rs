//! `dashkit segments`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::CliError;

/// Arguments of `dashkit segments`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MPD file.
    pub manifest: PathBuf,
}

/// Runs `dashkit segments`.
pub fn run(args: Args, _out: &mut dyn Write) -> Result<ExitCode, CliError> {
    Err(CliError::Usage(format!(
        "{}: not implemented yet",
        args.manifest.display()
    )))
}
