//! `dashkit fragment`: progressive MP4 to fragmented MP4, streaming. The library finds the moov
//! by reading the top-level box headers through this file's seeks and reads; the plan is made from it alone, and each fragment's
//! sample bytes are copied straight from the input (by the kernel for all but short ranges), so memory
//! stays the moov plus one fragment's headers whatever the file size.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dashkit::bmff::header::ScanError;
use dashkit::fragment::{
    manifest, plan_fragments, read_input, segment_styp, ForceIFrameSync, FragmentOut, InputBoxes,
    Options, TrackSelection,
};

use crate::error::CliError;
use crate::progress::Progress;

/// Arguments of `dashkit fragment` (flag names follow Bento4's mp4fragment).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The progressive MP4 input.
    pub input: PathBuf,
    /// The fragmented MP4 to write (optional with --segments).
    pub output: Option<PathBuf>,
    /// Also (or instead) write per-track `<track_ID>/init.mp4` and `<track_ID>/<n>.m4s` files
    /// and a static `manifest.mpd` into this directory.
    #[arg(long, value_name = "DIR")]
    pub segments: Option<PathBuf>,
    /// Target fragment duration in ms (default: one GOP a fragment; 2000 for audio only).
    #[arg(long, value_name = "MS")]
    pub fragment_duration: Option<u64>,
    /// Rewrite every track's media timescale to this value.
    #[arg(long)]
    pub timescale: Option<u32>,
    /// Keep one track only: a track ID, `audio`, `video` or `subtitles`.
    #[arg(long, value_parser = parse_track)]
    pub track: Option<TrackSelection>,
    /// Write a sidx after the moov (the file then plays through SegmentBase).
    #[arg(long)]
    pub index: bool,
    /// Drop what the other tracks have left when the anchor track ends.
    #[arg(long)]
    pub trim: bool,
    /// Leave tfdt out of every traf.
    #[arg(long)]
    pub no_tfdt: bool,
    /// Add this many seconds (up to 3 decimals) to every tfdt.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds_ms)]
    pub tfdt_start: Option<u64>,
    /// mfhd sequence number of the first moof.
    #[arg(long, default_value_t = 1)]
    pub sequence_number_start: u32,
    /// `auto` or `all`: mark I frames of AVC video as sync samples.
    #[arg(long, value_parser = parse_force)]
    pub force_i_frame_sync: Option<ForceIFrameSync>,
    /// Copy the moov-level udta.
    #[arg(long)]
    pub copy_udta: bool,
    /// With --trun-version-zero, keep the last edit's duration.
    #[arg(long)]
    pub no_zero_elst: bool,
    /// trun version 0 (unsigned composition offsets).
    #[arg(long)]
    pub trun_version_zero: bool,
    /// Print nothing on success, and draw no progress bar (drawn only when stderr is a
    /// terminal).
    #[arg(long)]
    pub quiet: bool,
}

fn parse_track(s: &str) -> Result<TrackSelection, String> {
    match s {
        "audio" => Ok(TrackSelection::Audio),
        "video" => Ok(TrackSelection::Video),
        "subtitles" => Ok(TrackSelection::Subtitles),
        _ => s
            .parse::<u32>()
            .map(TrackSelection::Id)
            .map_err(|_| format!("expected a track ID, audio, video or subtitles, got {s:?}")),
    }
}

fn parse_force(s: &str) -> Result<ForceIFrameSync, String> {
    match s {
        "auto" => Ok(ForceIFrameSync::Auto),
        "all" => Ok(ForceIFrameSync::All),
        _ => Err(format!("expected auto or all, got {s:?}")),
    }
}

/// Decimal seconds to whole milliseconds, exactly (more than 3 decimals is refused).
fn parse_seconds_ms(s: &str) -> Result<u64, String> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let bad = || format!("expected seconds with at most 3 decimals, got {s:?}");
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let w: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let f: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<3}").parse().map_err(|_| bad())?
    };
    w.checked_mul(1000)
        .and_then(|v| v.checked_add(f))
        .ok_or_else(bad)
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The input's ftyp and moov, read by the library through seeks and reads of this file.
fn scan(path: &Path, file: &mut File) -> Result<InputBoxes, CliError> {
    let len = file.metadata().map_err(io_err(path))?.len();
    read_input(len, |at, buf| {
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(buf)
    })
    .map_err(|e| match e {
        ScanError::Box(e) => CliError::input(path, e),
        ScanError::Read(source) => io_err(path)(source),
    })
}

/// Ranges at least this long are copied by the kernel (`copy_file_range` on Linux, through
/// `std::io::copy`): the bytes never pass through this process.
const KERNEL_COPY_MIN_BYTES: u64 = 4 * 1024;
/// Shorter ranges closer than this are read together (the gap is read and dropped): progressive
/// files interleave audio and video sample by sample, so one read replaces many tiny ones.
const MAX_GAP_BYTES: u64 = 4 * 1024;
/// Largest span read at once: small enough that what was read is still in the CPU cache when
/// it is written (measured: 8 MiB spans cost a third more system time than 64 KiB ones).
const MAX_SPAN_BYTES: u64 = 64 * 1024;

/// Copies one fragment: its header, then its sample bytes. Long ranges go through the kernel's
/// copy; short ranges near each other are gathered into one read of at most [`MAX_SPAN_BYTES`]
/// into the reusable `buf`, and written through `out`'s buffer.
fn copy_fragment(
    f: &FragmentOut,
    input: &mut File,
    in_path: &Path,
    buf: &mut Vec<u8>,
    out: &mut BufWriter<File>,
    out_path: &Path,
) -> Result<(), CliError> {
    out.write_all(&f.header).map_err(io_err(out_path))?;
    let short = |r: &std::ops::Range<u64>| r.end - r.start < KERNEL_COPY_MIN_BYTES;
    let mut i = 0;
    while i < f.ranges.len() {
        let first = &f.ranges[i];
        if !short(first) {
            let len = first.end - first.start;
            input
                .seek(SeekFrom::Start(first.start))
                .map_err(io_err(in_path))?;
            // io::copy flushes `out`'s buffer, then hands File -> File to the kernel.
            let n =
                std::io::copy(&mut Read::by_ref(input).take(len), out).map_err(io_err(out_path))?;
            if n != len {
                return Err(io_err(in_path)(std::io::Error::from(
                    std::io::ErrorKind::UnexpectedEof,
                )));
            }
            i += 1;
            continue;
        }
        let start = first.start;
        let mut j = i + 1;
        while j < f.ranges.len()
            && short(&f.ranges[j])
            && f.ranges[j].start >= f.ranges[j - 1].end
            && f.ranges[j].start - f.ranges[j - 1].end <= MAX_GAP_BYTES
            && f.ranges[j].end - start <= MAX_SPAN_BYTES
        {
            j += 1;
        }
        let end = f.ranges[j - 1].end;
        // At most MAX_SPAN_BYTES, or one short range: always fits.
        let span = (end - start) as usize;
        buf.resize(span, 0);
        input
            .seek(SeekFrom::Start(start))
            .map_err(io_err(in_path))?;
        input.read_exact(buf).map_err(io_err(in_path))?;
        for r in &f.ranges[i..j] {
            let a = (r.start - start) as usize;
            let b = (r.end - start) as usize;
            out.write_all(&buf[a..b]).map_err(io_err(out_path))?;
        }
        i = j;
    }
    Ok(())
}

fn create(path: &Path) -> Result<File, CliError> {
    File::create(path).map_err(io_err(path))
}

/// Runs `dashkit fragment`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<ExitCode, CliError> {
    if args.output.is_none() && args.segments.is_none() {
        return Err(CliError::Usage(
            "dashkit fragment needs an output file, --segments DIR, or both".into(),
        ));
    }
    let options = Options {
        fragment_duration_ms: args.fragment_duration,
        timescale: args.timescale,
        track: args.track.unwrap_or_default(),
        index: args.index,
        trim: args.trim,
        no_tfdt: args.no_tfdt,
        tfdt_start_ms: args.tfdt_start.unwrap_or(0),
        sequence_number_start: args.sequence_number_start,
        force_i_frame_sync: args.force_i_frame_sync,
        copy_udta: args.copy_udta,
        no_zero_elst: args.no_zero_elst,
        trun_version_zero: args.trun_version_zero,
    };
    let in_path = args.input.as_path();
    let mut input = File::open(in_path).map_err(io_err(in_path))?;
    let top = scan(in_path, &mut input)?;
    let Some(input_boxes) = top.input() else {
        return Err(CliError::Usage(format!(
            "{}: no moov box",
            in_path.display()
        )));
    };
    let plan = plan_fragments(&input_boxes, &options).map_err(|e| CliError::input(in_path, e))?;
    let mut count = 0usize;
    let mut buf: Vec<u8> = Vec::new();
    let passes = u64::from(args.output.is_some()) + u64::from(args.segments.is_some());
    let total = plan
        .tracks()
        .iter()
        .map(|t| t.sample_bytes())
        .fold(0u64, u64::saturating_add)
        .saturating_mul(passes);
    let mut progress = Progress::new(total, !args.quiet);
    let copied = |f: &FragmentOut| f.ranges.iter().map(|r| r.end - r.start).sum::<u64>();
    if let Some(out_path) = &args.output {
        // Everything that can fail on the input has failed by now: only then create the output.
        let init = plan
            .init_segment()
            .map_err(|e| CliError::input(in_path, e))?;
        let sidx = plan.sidx().map_err(|e| CliError::input(in_path, e))?;
        let mut o = BufWriter::with_capacity(1 << 20, create(out_path)?);
        o.write_all(&init).map_err(io_err(out_path))?;
        if let Some(s) = sidx {
            o.write_all(&s).map_err(io_err(out_path))?;
        }
        for f in plan.fragments() {
            let f = f.map_err(|e| CliError::input(in_path, e))?;
            copy_fragment(&f, &mut input, in_path, &mut buf, &mut o, out_path)?;
            progress.add(copied(&f));
            count += 1;
        }
        o.flush().map_err(io_err(out_path))?;
    }
    if let Some(dir) = &args.segments {
        let styp = segment_styp().map_err(|e| CliError::input(in_path, e))?;
        for t in plan.tracks() {
            let d = dir.join(manifest::track_dir(t.track_id));
            std::fs::create_dir_all(&d).map_err(io_err(&d))?;
            let p = d.join("init.mp4");
            let init = plan
                .init_segment_for(t.track_id)
                .map_err(|e| CliError::input(in_path, e))?;
            std::fs::write(&p, init).map_err(io_err(&p))?;
        }
        for f in plan.fragments() {
            let f = f.map_err(|e| CliError::input(in_path, e))?;
            let p = dir
                .join(manifest::track_dir(f.track_id))
                .join(format!("{}.m4s", f.number));
            let mut o = BufWriter::with_capacity(1 << 20, create(&p)?);
            o.write_all(&styp).map_err(io_err(&p))?;
            copy_fragment(&f, &mut input, in_path, &mut buf, &mut o, &p)?;
            o.flush().map_err(io_err(&p))?;
            progress.add(copied(&f));
            count += 1;
        }
        let mpd = manifest::segments_mpd(&plan).map_err(|e| CliError::input(in_path, e))?;
        let p = dir.join("manifest.mpd");
        std::fs::write(&p, mpd).map_err(io_err(&p))?;
    }
    progress.finish();
    if !args.quiet {
        writeln!(
            out,
            "{}: {} tracks, {} fragments written",
            in_path.display(),
            plan.tracks().len(),
            count
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_to_ms() {
        assert_eq!(parse_seconds_ms("10"), Ok(10_000));
        assert_eq!(parse_seconds_ms("1.5"), Ok(1_500));
        assert_eq!(parse_seconds_ms("0.001"), Ok(1));
        assert!(parse_seconds_ms("0.0001").is_err());
        assert!(parse_seconds_ms("x").is_err());
    }
}
