//! `dashkit fragment` end to end: the packets of every fixture survive fragmenting (ffmpeg's
//! framemd5 on input and output), ffprobe reads the output without a warning, and the
//! `--segments` layout lists exactly the files written. These tests need ffmpeg and fail, not
//! skip, without it (CI installs it in `.ci/run`).

mod support;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: [&str; 4] = ["h264_aac", "hevc_aac", "h264_bframes", "aac_only"];

fn root() -> PathBuf {
    support::cli::repo_root()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dashkit-fragment-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn dashkit(args: &[&str]) -> (i32, String, String) {
    support::cli::dashkit_in(&root(), args)
}

fn tool(name: &str, args: &[&str]) -> std::process::Output {
    Command::new(name)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| {
            panic!("{name} is needed by this test (apt-get install -y ffmpeg): {e}")
        })
}

/// One framemd5 packet: stream, dts, pts, duration, size, hash.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Packet {
    stream: u32,
    dts: i64,
    pts: i64,
    duration: i64,
    size: u64,
    hash: String,
}

fn framemd5(path: &Path) -> Vec<Packet> {
    let out = tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-map",
            "0",
            "-c",
            "copy",
            "-f",
            "framemd5",
            "-",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            Packet {
                stream: f[0].parse().unwrap(),
                dts: f[1].parse().unwrap(),
                pts: f[2].parse().unwrap(),
                duration: f[3].parse().unwrap(),
                size: f[4].parse().unwrap(),
                hash: f[5].to_string(),
            }
        })
        .collect()
}

fn per_stream(p: &[Packet]) -> Vec<Vec<Packet>> {
    let n = p.iter().map(|x| x.stream + 1).max().unwrap_or(0);
    (0..n)
        .map(|s| p.iter().filter(|x| x.stream == s).cloned().collect())
        .collect()
}

/// Same packets, stream by stream: size, hash, duration (except the last) and pts - dts, and
/// dts up to one constant shift per stream.
fn assert_same_packets(name: &str, input: &[Packet], output: &[Packet]) {
    let (a, b) = (per_stream(input), per_stream(output));
    assert_eq!(a.len(), b.len(), "{name}: stream count");
    for (s, (a, b)) in a.iter().zip(&b).enumerate() {
        assert_eq!(a.len(), b.len(), "{name} stream {s}: packet count");
        let shift = b[0].dts - a[0].dts;
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            let at = format!("{name} stream {s} packet {k}");
            assert_eq!((x.size, &x.hash), (y.size, &y.hash), "{at}: data");
            assert_eq!(x.pts - x.dts, y.pts - y.dts, "{at}: composition offset");
            assert_eq!(y.dts - x.dts, shift, "{at}: dts shift");
            if k + 1 < a.len() {
                assert_eq!(x.duration, y.duration, "{at}: duration");
            }
        }
    }
}

fn fragment(name: &str, extra: &[&str]) -> PathBuf {
    let out = scratch(&format!("{name}{}.mp4", extra.join("")));
    let input = format!("fixtures/media/{name}.mp4");
    let mut args = vec!["fragment", "--quiet", input.as_str(), out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, stdout, err) = dashkit(&args);
    assert_eq!(code, 0, "{name}: {err}");
    assert!(stdout.is_empty(), "--quiet printed {stdout:?}");
    out
}

fn assert_probe_clean(path: &Path) {
    let out = tool("ffprobe", &["-v", "warning", path.to_str().unwrap()]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.trim().is_empty(),
        "ffprobe on {}: {err}",
        path.display()
    );
}

#[test]
fn packets_identical_for_every_fixture() {
    for name in FIXTURES {
        let out = fragment(name, &[]);
        let input = root().join(format!("fixtures/media/{name}.mp4"));
        assert_same_packets(name, &framemd5(&input), &framemd5(&out));
        assert_probe_clean(&out);
    }
}

#[test]
fn packets_identical_with_index_and_fragment_duration() {
    for name in ["h264_bframes", "aac_only"] {
        let out = fragment(name, &["--index", "--fragment-duration", "3000"]);
        let input = root().join(format!("fixtures/media/{name}.mp4"));
        assert_same_packets(name, &framemd5(&input), &framemd5(&out));
        assert_probe_clean(&out);
        let data = std::fs::read(&out).unwrap();
        let idx = dashkit::bmff::Index::parse(&data).unwrap();
        let top: Vec<String> = idx.top().map(|i| idx.boxes()[i].kind.to_string()).collect();
        assert_eq!(&top[..4], ["ftyp", "moov", "sidx", "moof"], "{name}");
        // The sidx references cover every byte after it.
        let s = idx.find("sidx").unwrap();
        let b = &idx.boxes()[s];
        let sidx = dashkit::bmff::Sidx::parse(&data[b.range()], b.offset).unwrap();
        let covered: u64 = sidx
            .references
            .iter()
            .map(|r| u64::from(r.referenced_size))
            .sum();
        assert_eq!(b.offset + b.size + covered, data.len() as u64, "{name}");
    }
}

#[test]
fn timescale_option_keeps_packets() {
    let out = fragment("h264_aac", &["--timescale", "90000"]);
    assert_probe_clean(&out);
    let a = framemd5(&root().join("fixtures/media/h264_aac.mp4"));
    let b = framemd5(&out);
    assert_eq!(a.len(), b.len());
    for (x, y) in per_stream(&a).iter().zip(per_stream(&b)) {
        let xs: Vec<_> = x.iter().map(|p| (p.size, &p.hash)).collect();
        let ys: Vec<_> = y.iter().map(|p| (p.size, &p.hash)).collect();
        assert_eq!(xs, ys);
    }
}

#[test]
fn segments_layout_lists_exactly_the_files_written() {
    for name in ["h264_aac", "aac_only"] {
        let dir = scratch(&format!("{name}-segments"));
        let _ = std::fs::remove_dir_all(&dir);
        let input = format!("fixtures/media/{name}.mp4");
        let (code, _, err) = dashkit(&[
            "fragment",
            "--quiet",
            &input,
            "--segments",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
        let mpd = dashkit::mpd::parse(&text).unwrap();
        let reps = dashkit::mpd::listing::list_segments(&mpd, "", |_| None).unwrap();
        let mut listed: Vec<String> = Vec::new();
        for r in &reps {
            listed.extend(r.segments.initialization.iter().map(|s| s.url.clone()));
            listed.extend(r.segments.segments.iter().map(|s| s.url.clone()));
        }
        listed.sort();
        let mut written: Vec<String> = Vec::new();
        for d in std::fs::read_dir(&dir).unwrap() {
            let d = d.unwrap();
            if d.file_type().unwrap().is_dir() {
                for f in std::fs::read_dir(d.path()).unwrap() {
                    let f = f.unwrap();
                    written.push(format!(
                        "{}/{}",
                        d.file_name().to_string_lossy(),
                        f.file_name().to_string_lossy()
                    ));
                }
            }
        }
        written.sort();
        assert_eq!(listed, written, "{name}");
        // Each segment is an init + media pair ffprobe reads cleanly.
        let (code, out, err) = dashkit(&["segments", dir.join("manifest.mpd").to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(!out.is_empty());
    }
}

#[test]
fn already_fragmented_input_is_refused_with_its_reason() {
    let once = fragment("aac_only", &[]);
    let again = scratch("again.mp4");
    let (code, _, err) = dashkit(&["fragment", once.to_str().unwrap(), again.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("already fragmented"), "{err}");
    assert!(!again.exists(), "no output is left behind on error");
}

#[test]
fn zero_fragment_duration_is_an_error_not_a_crash() {
    let out = scratch("zero.mp4");
    let (code, _, err) = dashkit(&[
        "fragment",
        "fixtures/media/h264_aac.mp4",
        out.to_str().unwrap(),
        "--fragment-duration",
        "0",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("at least 1 ms"), "{err}");
}

/// Without `--quiet` a run prints its summary on stdout, and, stderr not being a terminal,
/// no progress bar there.
#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let out = scratch("progress.mp4");
    let (code, stdout, err) = dashkit(&[
        "fragment",
        "fixtures/media/h264_aac.mp4",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "stderr: {err:?}");
    assert!(
        stdout.contains("2 tracks,") && stdout.contains("fragments written"),
        "{stdout}"
    );
}
