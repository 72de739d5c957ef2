//! `dashkit mpd`: parse an MPD and write it back (normalized), or only check it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dashkit::mpd::wellformed::check_well_formed;

use crate::error::CliError;
use crate::input::load_mpd;

/// Arguments of `dashkit mpd`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MPD file.
    pub manifest: PathBuf,
    /// Only check that the MPD parses and is well-formed XML; print `ok`, or the error's
    /// line:column and element path (exit 2), or each well-formedness problem the lenient
    /// parser let through (attributes without white space between them, an undeclared
    /// namespace prefix, a repeated attribute) as `line:column: problem` (exit 1).
    #[arg(long)]
    pub check: bool,
}

/// Runs `dashkit mpd`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let mpd = load_mpd(&args.manifest)?;
    if args.check {
        // load_mpd has read the file as UTF-8 already.
        let bytes = crate::error::read_file(&args.manifest)?;
        let text = String::from_utf8_lossy(&bytes);
        let issues = check_well_formed(text.strip_prefix('\u{feff}').unwrap_or(&text));
        if !issues.is_empty() {
            for i in &issues {
                writeln!(
                    out,
                    "{}:{}:{}: {}",
                    args.manifest.display(),
                    i.line,
                    i.column,
                    i.problem
                )?;
            }
            return Ok(ExitCode::from(1));
        }
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

    /// Issue 19: `--check` said "ok" on XML that is not well-formed.
    #[test]
    fn check_reports_xml_that_is_not_well_formed() {
        let (r, out) = run_on(
            "<MPD>\n<Period id=\"1\"start=\"PT0S\"><x:y/></Period></MPD>",
            true,
        );
        assert_eq!(r.unwrap(), ExitCode::from(1));
        assert!(
            out.contains(":2:1: attributes without white space"),
            "{out}"
        );
        assert!(out.contains("prefix `x` is not declared"), "{out}");
        assert!(!out.contains("ok"), "{out}");
    }
}
