//! `dashkit validate`: an MPD with its segments, an HLS playlist with its media playlists and
//! segments, or one fragmented MP4, checked by
//! `dashkit::validate`; a human report, JSON or JUnit XML; the exit code follows `--fail-on`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dashkit::mpd::segments::ByteRange;
use dashkit::validate::{
    validate_at, validate_fragmented_file, validate_playlist, Finding, Report, Severity,
};
use serde_json::json;

use crate::error::{read_file, CliError};
use crate::input::{local_path, read_range};

/// Threshold for a failing exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on errors only (the default).
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// Arguments of `dashkit validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// An MPD (its segments are read relative to its directory), an `http://` URL of an MPD
    /// (its segments fetched over HTTP), an HLS playlist (`.m3u8`; what it names is read
    /// relative to it) or a fragmented MP4 file.
    pub input: PathBuf,
    /// Print the findings as JSON.
    #[arg(long, conflicts_with = "junit")]
    pub json: bool,
    /// Print JUnit XML: one testcase per check code per Representation.
    #[arg(long)]
    pub junit: bool,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// The instant a dynamic MPD is validated at (RFC 3339, e.g. 2026-01-01T12:00:00.5Z):
    /// the segments it promises then are checked. Defaults to the clock.
    #[arg(long)]
    pub now: Option<String>,
}

/// `--now`, or the clock, as Unix milliseconds.
fn now_ms(arg: Option<&str>) -> Result<i64, CliError> {
    match arg {
        Some(text) => dashkit::mpd::XsDateTime::parse(text)
            .map(|t| t.unix_millis())
            .map_err(|e| CliError::Usage(format!("--now {text}: {e}"))),
        None => {
            let since = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|_| CliError::Usage("the clock is before 1970".to_owned()))?;
            Ok(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
        }
    }
}

fn is_mpd(path: &Path, head: &[u8]) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mpd"))
        || head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

fn is_playlist(path: &Path, head: &[u8]) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("m3u8") || e.eq_ignore_ascii_case("m3u"))
        || head
            .strip_prefix("\u{feff}".as_bytes())
            .unwrap_or(head)
            .starts_with(b"#EXTM3U")
}

/// Reads `url` (relative to the file `base`), all of it or an inclusive range.
fn read_relative(base: &Path, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
    let path = local_path(base, url)?;
    match range {
        None => std::fs::read(path).ok(),
        Some(r) => read_range(&path, r.first(), r.size_bytes())
            .ok()
            .filter(|b| b.len() as u64 == r.size_bytes()),
    }
}

/// Runs `dashkit validate`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    let input = args.input.to_string_lossy().into_owned();
    if crate::http::is_http(&input) {
        let report = validate_url(&input, args.now.as_deref())?;
        return finish(&args, out, &report, "MPD");
    }
    let bytes = read_file(&args.input)?;
    let playlist_input = is_playlist(&args.input, &bytes);
    let mpd_input = !playlist_input && is_mpd(&args.input, &bytes);
    // Findings about no Representation are headed by what was validated: the MPD, the
    // playlist, or the file.
    let top = if playlist_input {
        "Playlist".to_owned()
    } else if mpd_input {
        "MPD".to_owned()
    } else {
        format!(
            "File {}",
            args.input.file_name().map_or_else(
                || args.input.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        )
    };
    let report = if playlist_input {
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            CliError::Usage(format!("{}: playlist is not UTF-8", args.input.display()))
        })?;
        let playlist = args.input.clone();
        let mut source = |url: &str, range: Option<ByteRange>| read_relative(&playlist, url, range);
        validate_playlist(text, &mut source).map_err(|e| CliError::input(&args.input, e))?
    } else if mpd_input {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| CliError::Usage(format!("{}: MPD is not UTF-8", args.input.display())))?;
        let manifest = args.input.clone();
        let mut source = |url: &str, range: Option<ByteRange>| read_relative(&manifest, url, range);
        let now = now_ms(args.now.as_deref())?;
        validate_at(text, &mut source, now).map_err(|e| CliError::input(&args.input, e))?
    } else {
        validate_fragmented_file(&bytes)
    };
    finish(&args, out, &report, &top)
}

/// An MPD at an `http://` URL, its segments fetched relative to it over HTTP (bounded in
/// time and size by [`crate::http`]).
fn validate_url(url: &str, now: Option<&str>) -> Result<Report, CliError> {
    let client = crate::http::Client::new().map_err(|source| CliError::Io {
        path: PathBuf::from(url),
        source,
    })?;
    let bytes = client.get(url, None).map_err(CliError::Usage)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::Usage(format!("{url}: MPD is not UTF-8")))?;
    let now = now_ms(now)?;
    let mut source = |u: &str, range: Option<ByteRange>| -> Option<Vec<u8>> {
        let abs = dashkit::mpd::url::resolve(url, u);
        if !crate::http::is_http(&abs) {
            return None;
        }
        let bytes = client
            .get(&abs, range.map(|r| (r.first(), r.last())))
            .ok()?;
        match range {
            Some(r) if bytes.len() as u64 != r.size_bytes() => None,
            _ => Some(bytes),
        }
    };
    validate_at(text, &mut source, now).map_err(|e| CliError::input(Path::new(url), e))
}

fn finish(
    args: &Args,
    out: &mut dyn Write,
    report: &Report,
    top: &str,
) -> Result<ExitCode, CliError> {
    let report = report.clone();
    if args.json {
        write_json(out, &report)?;
    } else if args.junit {
        write_junit(out, &report, &args.input, top)?;
    } else {
        write_human(out, &report, std::io::stdout().is_terminal(), top)?;
    }
    let failed = report.worst().is_some_and(|w| w >= args.fail_on.severity());
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The group a finding is listed under: its Representation (or, for HLS, its media
/// playlist), else the top input (`MPD` or `Playlist`).
fn group_name(f: &Finding, top: &str) -> String {
    match &f.representation {
        Some(r) if top == "Playlist" => format!("Media playlist {r}"),
        Some(r) => format!("Representation {r}"),
        None => top.to_owned(),
    }
}

/// Findings grouped by Representation (MPD- or file-level first, headed `top`), in run order
/// within a group.
fn groups<'r>(report: &'r Report, top: &str) -> BTreeMap<(bool, String), Vec<&'r Finding>> {
    let mut g: BTreeMap<(bool, String), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        g.entry((f.representation.is_some(), group_name(f, top)))
            .or_default()
            .push(f);
    }
    g
}

fn write_human(
    out: &mut dyn Write,
    report: &Report,
    colour: bool,
    top: &str,
) -> std::io::Result<()> {
    let paint = |s: Severity| -> (&str, &str) {
        if !colour {
            return ("", "");
        }
        match s {
            Severity::Error => ("\x1b[31m", "\x1b[0m"),
            Severity::Warning => ("\x1b[33m", "\x1b[0m"),
            Severity::Info => ("\x1b[36m", "\x1b[0m"),
        }
    };
    for ((_, name), findings) in groups(report, top) {
        writeln!(out, "{name}")?;
        for f in findings {
            let (on, off) = paint(f.severity);
            writeln!(
                out,
                "  {on}{:<7}{off} {}  {}",
                f.severity.as_str(),
                f.code,
                f.location
            )?;
            writeln!(out, "          {}", f.message)?;
            if f.expected.is_some() || f.found.is_some() {
                writeln!(
                    out,
                    "          expected: {}  found: {}",
                    f.expected.as_deref().unwrap_or("-"),
                    f.found.as_deref().unwrap_or("-")
                )?;
            }
        }
    }
    let count = |s| report.findings.iter().filter(|f| f.severity == s).count();
    writeln!(
        out,
        "{} error(s), {} warning(s), {} info",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

fn write_json(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let v: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "code": f.code,
                "severity": f.severity.as_str(),
                "location": f.location,
                "representation": f.representation,
                "expected": f.expected,
                "found": f.found,
                "message": f.message,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &json!({ "findings": v }))?;
    writeln!(out)
}

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML: one testsuite per Representation (plus `MPD`), one testcase per check code
/// that produced findings there; warnings and errors are failures, info a system-out line.
fn write_junit(
    out: &mut dyn Write,
    report: &Report,
    input: &Path,
    top: &str,
) -> std::io::Result<()> {
    let g = groups(report, top);
    let mut suites = String::new();
    let (mut total, mut failures) = (0usize, 0usize);
    for ((_, name), findings) in &g {
        let mut by_code: BTreeMap<&str, Vec<&&Finding>> = BTreeMap::new();
        for f in findings {
            by_code.entry(f.code).or_default().push(f);
        }
        let failing = by_code
            .values()
            .filter(|fs| fs.iter().any(|f| f.severity >= Severity::Warning))
            .count();
        total += by_code.len();
        failures += failing;
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failing}\">\n",
            xml_escape(name),
            by_code.len()
        ));
        for (code, fs) in by_code {
            suites.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\">\n",
                xml_escape(name),
                xml_escape(code)
            ));
            for f in fs {
                let text = format!(
                    "{}: {} (expected {}, found {})",
                    f.location,
                    f.message,
                    f.expected.as_deref().unwrap_or("-"),
                    f.found.as_deref().unwrap_or("-")
                );
                if f.severity >= Severity::Warning {
                    suites.push_str(&format!(
                        "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                        f.severity.as_str(),
                        xml_escape(&f.message),
                        xml_escape(&text)
                    ));
                } else {
                    suites.push_str(&format!(
                        "      <system-out>{}</system-out>\n",
                        xml_escape(&text)
                    ));
                }
            }
            suites.push_str("    </testcase>\n");
        }
        suites.push_str("  </testsuite>\n");
    }
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"dashkit validate {}\" tests=\"{total}\" failures=\"{failures}\">",
        xml_escape(&input.display().to_string())
    )?;
    out.write_all(suites.as_bytes())?;
    writeln!(out, "</testsuites>")
}
