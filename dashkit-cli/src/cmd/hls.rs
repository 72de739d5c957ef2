//! `dashkit hls`: the HLS playlists of a static DASH asset, over the same segment files
//! (`dashkit::hls::build::from_mpd`), written next to the MPD or into a directory.
//!
//! Names: `manifest.mpd` gives the multivariant playlist `manifest.m3u8` and one media
//! playlist per Representation, `manifest_<Representation@id>.m3u8`. Segment and init URIs are
//! relative to the directory the playlists are written to.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use dashkit::hls::build::{from_mpd, Options};
use dashkit::hls::{write_media, write_multivariant};
use dashkit::mpd::segments::ByteRange;

use crate::error::CliError;
use crate::input::{load_mpd, local_path, read_range};

/// Arguments of `dashkit hls`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A static MPD; its segments are read relative to it.
    pub manifest: PathBuf,
    /// Directory to write the playlists to (created if missing); default: the MPD's directory.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// The path of `file` relative to directory `dir`, with `/` separators (both made absolute
/// first).
fn relative_url(dir: &Path, file: &Path) -> Result<String, CliError> {
    let canon = |p: &Path| {
        p.canonicalize().map_err(|source| CliError::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    let dir = canon(dir)?;
    let file = canon(file)?;
    let d: Vec<Component> = dir.components().collect();
    let f: Vec<Component> = file.components().collect();
    let common = d.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); d.len() - common];
    parts.extend(
        f[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Ok(parts.join("/"))
}

/// Runs `dashkit hls`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let mpd = load_mpd(&args.manifest)?;
    let mpd_dir = match args.manifest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = args.output.clone().unwrap_or_else(|| mpd_dir.clone());
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Io {
        path: dir.clone(),
        source,
    })?;
    let mpd_url = relative_url(&dir, &args.manifest)?;
    let stem = args
        .manifest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "manifest".to_owned());
    // URLs come relative to the output directory: resolve them as if from a file in it.
    let anchor = dir.join(format!("{stem}.m3u8"));
    let mut fetch = |url: &str, range: Option<ByteRange>| -> Option<Vec<u8>> {
        let path = local_path(&anchor, url)?;
        match range {
            None => std::fs::read(path).ok(),
            Some(r) => read_range(&path, r.first(), r.size_bytes())
                .ok()
                .filter(|b| b.len() as u64 == r.size_bytes()),
        }
    };
    let options = Options {
        mpd_url: &mpd_url,
        stem: &stem,
    };
    let playlists =
        from_mpd(&mpd, &options, &mut fetch).map_err(|e| CliError::input(&args.manifest, e))?;
    let save = |name: &str, text: String| -> Result<PathBuf, CliError> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| CliError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    };
    for m in &playlists.media {
        let path = save(&m.name, write_media(&m.playlist))?;
        writeln!(out, "{}", path.display())?;
    }
    let path = save(
        &playlists.multivariant_name,
        write_multivariant(&playlists.multivariant),
    )?;
    writeln!(out, "{}", path.display())?;
    Ok(ExitCode::SUCCESS)
}
