//! A one-line progress bar on stderr for long runs: drawn only when stderr is a terminal, at
//! most ten times a second, and only once a run has taken longer than a moment.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Nothing is drawn before a run has taken this long (short runs stay silent).
const QUIET_START: Duration = Duration::from_millis(300);
/// Smallest time between two redraws.
const REDRAW: Duration = Duration::from_millis(100);
/// Width of the bar in characters.
const WIDTH: usize = 30;

/// Progress over a known number of bytes.
pub struct Progress {
    total: u64,
    done: u64,
    started: Instant,
    drawn: Option<Instant>,
    enabled: bool,
}

impl Progress {
    /// A bar over `total` bytes; drawn only if `wanted` and stderr is a terminal.
    pub fn new(total: u64, wanted: bool) -> Self {
        Progress {
            total,
            done: 0,
            started: Instant::now(),
            drawn: None,
            enabled: wanted && std::io::stderr().is_terminal(),
        }
    }

    /// `n` more bytes are done.
    pub fn add(&mut self, n: u64) {
        self.done = self.done.saturating_add(n);
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let due = match self.drawn {
            None => now.duration_since(self.started) >= QUIET_START,
            Some(t) => now.duration_since(t) >= REDRAW,
        };
        if due {
            self.drawn = Some(now);
            let line = render(self.done, self.total, now.duration_since(self.started));
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r{line}");
            let _ = e.flush();
        }
    }

    /// Clears the bar, if one was drawn.
    pub fn finish(&mut self) {
        if self.drawn.take().is_some() {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r{:width$}\r", "", width = WIDTH + 48);
            let _ = e.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The bar's text: `[=========>          ]  45%  233.1/518.0 MB  1.2 GB/s`.
fn render(done: u64, total: u64, elapsed: Duration) -> String {
    let done = done.min(total);
    let frac = if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    };
    let filled = ((frac * WIDTH as f64) as usize).min(WIDTH);
    let mut bar = "=".repeat(filled);
    if filled < WIDTH {
        bar.push('>');
        bar.push_str(&" ".repeat(WIDTH - filled - 1));
    }
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let (rate, unit) = if rate >= 1e9 {
        (rate / 1e9, "GB/s")
    } else {
        (rate / 1e6, "MB/s")
    };
    format!(
        "[{bar}] {:3.0}%  {:.1}/{:.1} MB  {rate:.1} {unit}",
        frac * 100.0,
        done as f64 / 1e6,
        total as f64 / 1e6
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_text() {
        let s = render(0, 1000, Duration::ZERO);
        assert!(
            s.starts_with(&format!("[>{}]   0%", " ".repeat(WIDTH - 1))),
            "{s}"
        );
        let s = render(500_000_000, 1_000_000_000, Duration::from_secs(1));
        assert!(s.contains(" 50%  500.0/1000.0 MB  500.0 MB/s"), "{s}");
        assert_eq!(s.matches('=').count(), WIDTH / 2);
        let s = render(2_000_000_000, 2_000_000_000, Duration::from_secs(1));
        assert!(
            s.starts_with(&format!("[{}] 100%", "=".repeat(WIDTH))),
            "{s}"
        );
        assert!(s.ends_with("2.0 GB/s"), "{s}");
        // More done than planned is shown as done; nothing to do is done.
        assert!(render(7, 5, Duration::ZERO).contains("100%"));
        assert!(render(0, 0, Duration::ZERO).contains("100%"));
    }

    #[test]
    fn off_without_a_terminal_or_when_not_wanted() {
        let mut p = Progress::new(10, false);
        p.add(5);
        assert!(p.drawn.is_none() && !p.enabled);
    }
}
