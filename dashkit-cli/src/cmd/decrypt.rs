//! `dashkit decrypt`: undoes Common Encryption (`cenc` or `cbcs`, from any packager) of a
//! fragmented MP4, an init segment or a media segment (with `--init`), one call to
//! [`dashkit::cenc::decrypt`]. Key material is never printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dashkit::cenc::decrypt;

use super::encrypt::KeyArg;
use crate::error::{read_file, CliError};

/// Arguments of `dashkit decrypt` (the job of Bento4's mp4decrypt).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The encrypted input: a fragmented MP4, an init segment, or a media segment (with --init).
    pub input: PathBuf,
    /// The clear output.
    pub output: PathBuf,
    /// KID:KEY, 32 hex digits each: every track protected under this KID is decrypted.
    #[arg(long)]
    pub key: KeyArg,
    /// The (encrypted) init segment of a media segment.
    #[arg(long, value_name = "FILE")]
    pub init: Option<PathBuf>,
}

/// Runs `dashkit decrypt`.
pub fn run(a: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let key = a.key.key()?;
    let data = read_file(&a.input)?;
    let init = a.init.as_deref().map(read_file).transpose()?;
    let dec = decrypt(&data, init.as_deref(), &key).map_err(|e| CliError::input(&a.input, e))?;
    std::fs::write(&a.output, &dec).map_err(|source| CliError::Io {
        path: a.output.clone(),
        source,
    })?;
    writeln!(out, "{}: {} bytes", a.output.display(), dec.len())?;
    Ok(ExitCode::SUCCESS)
}
