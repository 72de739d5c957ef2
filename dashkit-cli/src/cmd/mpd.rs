//! `dashkit mpd`: parse an MPD and write it back (normalized), or only check it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::{read_file, CliError};

/// Arguments of `dashkit mpd`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MPD file.
    pub manifest: PathBuf,
    /// Only check that the MPD parses; print `ok`, or the error's line:column and element
    /// path (exit 2).
    #[arg(long)]
    pub check: bool,
}

/// Runs `dashkit mpd`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let bytes = read_file(&args.manifest)?;
    let input = |source: dashkit::Error| CliError::Input {
        path: args.manifest.clone(),
        source,
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        // Report invalid UTF-8 as an XML error at its line and column.
        let valid = &bytes[..e.valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or("");
        let line = valid.bytes().filter(|&b| b == b'\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        input(dashkit::Error::Mpd(dashkit::mpd::Error::Xml {
            at: dashkit::mpd::Location {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                path: String::new(),
            },
            message: "invalid UTF-8".to_owned(),
        }))
    })?;
    let mpd = dashkit::mpd::parse(text).map_err(|e| input(e.into()))?;
    if args.check {
        writeln!(out, "ok")?;
    } else {
        out.write_all(dashkit::mpd::write(&mpd).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(text: &str, check: bool) -> (Result<ExitCode, CliError>, String) {
        let dir = std::env::temp_dir().join(format!("dashkit-mpd-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("m{}.mpd", text.len()));
        std::fs::write(&path, text).unwrap();
        let mut out = Vec::new();
        let r = run(
            Args {
                manifest: path,
                check,
            },
            &mut out,
        );
        (r, String::from_utf8(out).unwrap())
    }

    #[test]
    fn writes_the_normalized_mpd() {
        let (r, out) = run_on("<MPD><Period   id=\"a\"/></MPD>", false);
        assert!(r.is_ok());
        assert_eq!(out, "<MPD>\n  <Period id=\"a\"/>\n</MPD>\n");
    }

    #[test]
    fn check_reports_file_line_column_and_path() {
        let (r, out) = run_on("<MPD>\n<Period duration=\"PT1,5S\"/></MPD>", true);
        assert_eq!(out, "");
        let e = r.unwrap_err();
        assert!(matches!(e, CliError::Input { .. }));
        let msg = e.to_string();
        assert!(msg.contains(".mpd: 2:9 MPD/Period[0]/@duration"), "{msg}");
        let (r, out) = run_on("<MPD/>", true);
        assert!(r.is_ok());
        assert_eq!(out, "ok\n");
    }
}
