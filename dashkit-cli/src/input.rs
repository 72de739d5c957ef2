//! Reading input files: MPDs (with their errors located) and files relative to an MPD.

use std::path::{Path, PathBuf};

use crate::error::{read_file, CliError};

/// Reads and parses an MPD file. Invalid UTF-8 is reported as an XML error at its line and
/// column; parse errors carry the MPD's own location.
pub fn load_mpd(path: &Path) -> Result<dashkit::mpd::Mpd, CliError> {
    let bytes = read_file(path)?;
    let input = |source: dashkit::Error| CliError::input(path, source);
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
        let line = valid.bytes().filter(|&b| b == b'\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        input(dashkit::Error::Mpd(dashkit::mpd::Error::Xml {
            at: dashkit::mpd::ErrorLocation {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                path: String::new(),
            },
            message: "invalid UTF-8".to_owned(),
        }))
    })?;
    dashkit::mpd::parse(text).map_err(|e| input(e.into()))
}

/// The local file a URL from an MPD names: relative URLs are resolved against the MPD's
/// directory; `file://` URLs are taken as paths; other schemes (http, https) are not files.
pub fn local_path(mpd_path: &Path, url: &str) -> Option<PathBuf> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    if let Some(p) = url.strip_prefix("file://") {
        return Some(PathBuf::from(p));
    }
    if url.contains("://") {
        return None;
    }
    let dir = mpd_path.parent().unwrap_or(Path::new(""));
    Some(dir.join(url))
}

/// Reads `len` bytes at `offset` of a file (for byte ranges such as a sidx).
pub fn read_range(path: &Path, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::new();
    f.take(len).read_to_end(&mut buf)?;
    Ok(buf)
}
