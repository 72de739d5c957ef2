//! `dashkit encrypt`: Common Encryption of a fragmented MP4, an init segment or a media
//! segment (with `--init`), one call to [`dashkit::cenc::encrypt`]. Key material is never
//! printed.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use dashkit::cenc::{encrypt_with_report, EncryptOptions, Key, Scheme};

use crate::error::{read_file, CliError};

/// Arguments of `dashkit encrypt` (the job of Bento4's mp4encrypt and Shaka Packager's
/// raw-key mode).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The clear input: a fragmented MP4, an init segment, or a media segment (with --init).
    pub input: PathBuf,
    /// The encrypted output.
    pub output: PathBuf,
    /// `cenc` (AES-128 CTR) or `cbcs` (AES-128 CBC, 1:9 pattern).
    #[arg(long, value_parser = parse_scheme)]
    pub scheme: Scheme,
    /// KID:KEY, 32 hex digits each.
    #[arg(long)]
    pub key: KeyArg,
    /// Encrypt this track only (default: every audio and video track).
    #[arg(long, value_name = "ID")]
    pub track: Option<u32>,
    /// The clear init segment of a media segment.
    #[arg(long, value_name = "FILE")]
    pub init: Option<PathBuf>,
    /// 16 bytes of IV as 32 hex digits (cbcs: the constant IV; cenc: the first sample's IV
    /// from its first 8 bytes). Default: random.
    #[arg(long, value_parser = parse_iv)]
    pub iv: Option<[u8; 16]>,
}

/// A scheme name, or the library's typed error as text.
pub fn parse_scheme(s: &str) -> Result<Scheme, String> {
    s.parse().map_err(|e: dashkit::cenc::Error| e.to_string())
}

/// The `--key` text as given. Parsed in `run`, not by clap: clap's error for a bad value
/// quotes the value, and key digits must never be printed. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct KeyArg(String);

impl std::str::FromStr for KeyArg {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(KeyArg(s.to_owned()))
    }
}

impl std::fmt::Debug for KeyArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyArg(<redacted>)")
    }
}

impl KeyArg {
    /// The key, or the library's typed error as a usage error (which never holds the digits).
    pub fn key(&self) -> Result<Key, CliError> {
        self.0
            .parse()
            .map_err(|e: dashkit::cenc::Error| CliError::Usage(format!("--key: {e}")))
    }
}

fn parse_iv(s: &str) -> Result<[u8; 16], String> {
    let k: Key = format!("{s}:{s}")
        .parse()
        .map_err(|_| format!("--iv must be 32 hex digits, got {} characters", s.len()))?;
    Ok(k.kid())
}

fn random_iv() -> Result<[u8; 16], CliError> {
    let mut iv = [0u8; 16];
    let path = PathBuf::from("/dev/urandom");
    std::fs::File::open(&path)
        .and_then(|mut f| f.read_exact(&mut iv))
        .map_err(|source| CliError::Io { path, source })?;
    Ok(iv)
}

/// Runs `dashkit encrypt`; slices that kept only their NAL header clear (a slice header
/// dashkit could not read) are warnings on `err`.
pub fn run(a: Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitCode, CliError> {
    let key = a.key.key()?;
    let data = read_file(&a.input)?;
    let init = a.init.as_deref().map(read_file).transpose()?;
    let iv = match a.iv {
        Some(iv) => iv,
        None => random_iv()?,
    };
    let mut opts = EncryptOptions::new(a.scheme, key, iv);
    opts.track_id = a.track;
    let (enc, fallbacks) = encrypt_with_report(&data, init.as_deref(), &opts)
        .map_err(|e| CliError::input(&a.input, e))?;
    for f in &fallbacks {
        writeln!(err, "dashkit: warning: {}: {f}", a.input.display())?;
    }
    std::fs::write(&a.output, &enc).map_err(|source| CliError::Io {
        path: a.output.clone(),
        source,
    })?;
    writeln!(out, "{}: {} bytes", a.output.display(), enc.len())?;
    Ok(ExitCode::SUCCESS)
}
