//! The CLI's one error type: a library error or an IO error, with the file path it concerns.

use std::path::PathBuf;

/// What went wrong in a subcommand. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The library rejected an input file.
    #[error("{}: {source}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// The library error, which carries the location inside the file.
        source: Box<dashkit::Error>,
    },
    /// A usage problem the argument parser could not catch.
    #[error("{0}")]
    Usage(String),
    /// stdout was closed (e.g. piped into `head`): not an error for the user.
    #[error("broken pipe")]
    BrokenPipe,
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Io {
                path: PathBuf::from("<stdout>"),
                source: e,
            }
        }
    }
}

impl CliError {
    /// A library error about the input file `path`.
    pub fn input(path: &std::path::Path, source: impl Into<dashkit::Error>) -> Self {
        CliError::Input {
            path: path.to_path_buf(),
            source: Box::new(source.into()),
        }
    }
}

/// Reads a whole file, naming it in the error.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })
}
