//! Error injection (`statuscode_`, `traffic_`), livesim2's test options for a player's error
//! handling (docs/live-options.md#error-injection). Both are functions of the request and its
//! `now` only, with no random or stored state, so a test can pin every answer.
//!
//! - `statuscode_[{cycle:C,rsq:R,code:X,rep:A,B}, …]`: the media time is cut into cycles of `C`
//!   seconds; in every cycle, the media segment at position `R` among those starting in it
//!   (0 = the first) is answered with status `X` (400–599) instead of its bytes, for the
//!   Representations listed in `rep` (ids or content types; `*` or none: all).
//! - `traffic_<pattern>,<pattern>,…`: one BaseURL per pattern (`bu0/`, `bu1/`, … in the MPD's
//!   Period). A pattern is a cycle of wall-clock intervals, each a state letter and seconds:
//!   `u` up, `d` down (404), `s` slow (the answer 2 s late), `h` hang (503 after 10 s);
//!   `u50d10` is up 50 s, down 10 s, repeating from the epoch.

use crate::mpd::model::{BaseUrl, Mpd};

use super::Error;

/// How late a `slow` answer is, in milliseconds (livesim2: 2 s).
pub(crate) const SLOW_MS: u64 = 2_000;
/// How long a `hang` lasts before its 503, in milliseconds (livesim2: 10 s).
pub(crate) const HANG_MS: u64 = 10_000;
/// Most rules or patterns one option may hold, a bound on the work per request.
pub(crate) const MAX_RULES: usize = 16;

/// One `statuscode_` rule.
///
/// ```
/// use dashkit::live::{inject::StatusCodeRule, options::LiveOptions};
/// let o = LiveOptions::parse("statuscode_[{cycle:30,rsq:1,code:503,rep:video,a1}]").unwrap();
/// assert_eq!(o.status_codes, [StatusCodeRule {
///     cycle_s: 30, rsq: 1, code: 503, reps: vec!["video".into(), "a1".into()] }]);
/// // Only 400-599 can be injected.
/// assert!(LiveOptions::parse("statuscode_[{cycle:30,rsq:1,code:200}]").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCodeRule {
    /// Cycle length in seconds of media time (`cycle`).
    pub cycle_s: u64,
    /// Position in the cycle of the segment to fail (`rsq`), 0-based.
    pub rsq: u64,
    /// The status (`code`), 400–599.
    pub code: u16,
    /// Representation ids or content types it applies to (`rep`); empty: all.
    pub reps: Vec<String>,
}

/// The state of a BaseURL during one interval of a `traffic_` pattern.
///
/// ```
/// use dashkit::live::{inject::LinkState, options::LiveOptions};
/// let o = LiveOptions::parse("traffic_u20s10h10d20").unwrap();
/// let states: Vec<LinkState> = o.traffic[0].intervals.iter().map(|&(_, s)| s).collect();
/// assert_eq!(states, [LinkState::Up, LinkState::Slow, LinkState::Hang, LinkState::Down]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Answers normally (`u`).
    Up,
    /// 404 (`d`).
    Down,
    /// Answers 2 s late (`s`).
    Slow,
    /// 503 after 10 s (`h`).
    Hang,
}

/// One BaseURL's `traffic_` pattern: intervals of (seconds, state), repeating.
///
/// ```
/// use dashkit::live::{inject::LinkState, options::LiveOptions};
/// // Two BaseURLs: bu0/ up 50 s then down 10 s; bu1/ always up.
/// let o = LiveOptions::parse("traffic_u50d10,u60").unwrap();
/// let bu0 = &o.traffic[0];
/// assert_eq!(bu0.intervals, [(50, LinkState::Up), (10, LinkState::Down)]);
/// // The cycle repeats from the epoch: second 1 000 075 is 55 s into a 60 s cycle.
/// assert_eq!(bu0.state_at(1_000_075), LinkState::Down);
/// assert_eq!(bu0.state_at(1_000_040), LinkState::Up);
/// assert_eq!(o.traffic[1].state_at(1_000_075), LinkState::Up);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficPattern {
    /// The intervals in order.
    pub intervals: Vec<(u64, LinkState)>,
}

fn bad(key: &str, value: &str) -> Error {
    Error::BadOption {
        key: key.into(),
        value: value.into(),
    }
}

/// Parses a `statuscode_` value: `[{cycle:30,rsq:0,code:404,rep:video}]`, several rules
/// separated by `},{`; spaces are ignored.
pub(crate) fn parse_status_codes(value: &str) -> Result<Vec<StatusCodeRule>, Error> {
    let err = || bad("statuscode", value);
    let v: String = value.chars().filter(|c| *c != ' ').collect();
    let inner = v
        .strip_prefix("[{")
        .and_then(|x| x.strip_suffix("}]"))
        .ok_or_else(err)?;
    let mut rules = Vec::new();
    for part in inner.split("},{") {
        if rules.len() == MAX_RULES {
            return Err(err());
        }
        let (mut cycle, mut rsq, mut code, mut reps) = (None, 0u64, None, Vec::new());
        let mut key = "";
        // `rep` takes a comma-separated list: a piece without `:` continues it.
        for piece in part.split(',') {
            let (k, val) = match piece.split_once(':') {
                Some((k, val)) => (k, val),
                None if key == "rep" => ("rep", piece),
                None => return Err(err()),
            };
            key = k;
            match k {
                "cycle" => cycle = Some(val.parse::<u64>().map_err(|_| err())?),
                "rsq" => rsq = val.parse().map_err(|_| err())?,
                "code" => code = Some(val.parse::<u16>().map_err(|_| err())?),
                "rep" if val == "*" || val.is_empty() => {}
                "rep" => {
                    if reps.len() == MAX_RULES {
                        return Err(err());
                    }
                    reps.push(val.to_string())
                }
                _ => return Err(err()),
            }
        }
        let cycle_s = cycle.filter(|c| *c > 0).ok_or_else(err)?;
        let code = code.filter(|c| (400..=599).contains(c)).ok_or_else(err)?;
        rules.push(StatusCodeRule {
            cycle_s,
            rsq,
            code,
            reps,
        });
    }
    Ok(rules)
}

/// Writes rules back in the option's grammar.
pub(crate) fn status_codes_to_string(rules: &[StatusCodeRule]) -> String {
    let r: Vec<String> = rules
        .iter()
        .map(|r| {
            let mut s = format!("{{cycle:{},rsq:{},code:{}", r.cycle_s, r.rsq, r.code);
            if !r.reps.is_empty() {
                s.push_str(&format!(",rep:{}", r.reps.join(",")));
            }
            s.push('}');
            s
        })
        .collect();
    format!("[{}]", r.join(","))
}

/// Parses a `traffic_` value: comma-separated patterns such as `u50d10` or `u20s5h5d10`.
pub(crate) fn parse_traffic(value: &str) -> Result<Vec<TrafficPattern>, Error> {
    let err = || bad("traffic", value);
    let mut out = Vec::new();
    for pat in value.split(',') {
        if out.len() == MAX_RULES {
            return Err(err());
        }
        let mut intervals = Vec::new();
        let mut state: Option<LinkState> = None;
        let mut secs: u64 = 0;
        let push = |state: Option<LinkState>, secs: u64, intervals: &mut Vec<_>| match state {
            Some(s) if secs > 0 && intervals.len() < MAX_RULES => {
                intervals.push((secs, s));
                Ok(())
            }
            None => Ok(()),
            _ => Err(err()),
        };
        for c in pat.chars() {
            let next = match c {
                'u' => Some(LinkState::Up),
                'd' => Some(LinkState::Down),
                's' => Some(LinkState::Slow),
                'h' => Some(LinkState::Hang),
                _ => None,
            };
            match (next, c.to_digit(10)) {
                (Some(n), _) => {
                    push(state, secs, &mut intervals)?;
                    state = Some(n);
                    secs = 0;
                }
                (None, Some(digit)) if state.is_some() => {
                    secs = secs
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(u64::from(digit)))
                        .filter(|s| *s <= 86_400)
                        .ok_or_else(err)?;
                }
                _ => return Err(err()),
            }
        }
        push(state, secs, &mut intervals)?;
        if intervals.is_empty() {
            return Err(err());
        }
        out.push(TrafficPattern { intervals });
    }
    Ok(out)
}

/// Writes patterns back in the option's grammar.
pub(crate) fn traffic_to_string(patterns: &[TrafficPattern]) -> String {
    let p: Vec<String> = patterns
        .iter()
        .map(|p| {
            p.intervals
                .iter()
                .map(|(s, st)| {
                    let c = match st {
                        LinkState::Up => 'u',
                        LinkState::Down => 'd',
                        LinkState::Slow => 's',
                        LinkState::Hang => 'h',
                    };
                    format!("{c}{s}")
                })
                .collect()
        })
        .collect();
    p.join(",")
}

impl TrafficPattern {
    /// The state at wall-clock second `now_s` (epoch): the cycle repeats from the epoch.
    ///
    /// ```
    /// use dashkit::live::{inject::LinkState, options::LiveOptions};
    /// let p = &LiveOptions::parse("traffic_u5d5").unwrap().traffic[0];
    /// assert_eq!(p.state_at(0), LinkState::Up);
    /// assert_eq!(p.state_at(7), LinkState::Down);
    /// assert_eq!(p.state_at(-3), LinkState::Down); // before the epoch too: 7 s into its cycle
    /// ```
    pub fn state_at(&self, now_s: i64) -> LinkState {
        let cycle: u64 = self.intervals.iter().map(|(s, _)| s).sum();
        if cycle == 0 {
            return LinkState::Up;
        }
        let mut rest = now_s.rem_euclid(i64::try_from(cycle).unwrap_or(i64::MAX)) as u64;
        for (s, st) in &self.intervals {
            if rest < *s {
                return *st;
            }
            rest -= s;
        }
        LinkState::Up
    }
}

/// The BaseURL of pattern `i`: `bu<i>/`.
pub(crate) fn base_url(i: usize) -> String {
    format!("bu{i}/")
}

/// Splits a leading `bu<i>/` off a file path: `(Some(i), rest)`, or `(None, file)`.
pub(crate) fn split_base_url(file: &str) -> (Option<usize>, &str) {
    if let Some((first, rest)) = file.split_once('/') {
        if let Some(n) = first.strip_prefix("bu") {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(i) = n.parse() {
                    return (Some(i), rest);
                }
            }
        }
    }
    (None, file)
}

/// The status `rules` give live segment `number` of a Representation (`rep_id`, of
/// `content_type`), or `None`. The segment's place in its cycle comes from its nominal media
/// start `m = (number − S)·d + mediaTimeAtAST` seconds: cycle `c = m div C`, position
/// `(number − first)` where `first` is the first segment starting at or after `c·C`.
pub(crate) fn status_code_for(
    rules: &[StatusCodeRule],
    rep_id: &str,
    content_type: &str,
    number: u64,
    start_number: i64,
    media_time_at_ast_s: i64,
    d: u64,
) -> Option<u16> {
    let d = i128::from(d.max(1));
    let i = i128::from(number) - i128::from(start_number);
    let m = i * d + i128::from(media_time_at_ast_s);
    for r in rules {
        if !r.reps.is_empty() && !r.reps.iter().any(|x| x == rep_id || x == content_type) {
            continue;
        }
        let cycle = i128::from(r.cycle_s);
        let c = m.div_euclid(cycle);
        // The first segment index whose start m_j = j·d + mtAST is at or after c·C.
        let first = (c * cycle - i128::from(media_time_at_ast_s) + d - 1).div_euclid(d);
        if i - first == i128::from(r.rsq) {
            return Some(r.code);
        }
    }
    None
}

/// What error injection does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injection {
    /// Answer with this status (and a short text) instead, after `delay_ms`.
    Status {
        /// The status.
        status: u16,
        /// Milliseconds before the answer.
        delay_ms: u64,
    },
    /// Answer normally, `delay_ms` late.
    Slow {
        /// Milliseconds.
        delay_ms: u64,
    },
}

/// The `traffic_` state of a media request through BaseURL `bu` at `now_ms`.
pub(crate) fn traffic_injection(
    patterns: &[TrafficPattern],
    bu: Option<usize>,
    now_ms: i64,
) -> Option<Injection> {
    let p = patterns.get(bu?)?;
    match p.state_at(now_ms.div_euclid(1000)) {
        LinkState::Up => None,
        LinkState::Down => Some(Injection::Status {
            status: 404,
            delay_ms: 0,
        }),
        LinkState::Slow => Some(Injection::Slow { delay_ms: SLOW_MS }),
        LinkState::Hang => Some(Injection::Status {
            status: 503,
            delay_ms: HANG_MS,
        }),
    }
}

/// One BaseURL per `traffic_` pattern in every Period of the live MPD (livesim2: `bu0/`, …).
pub(crate) fn signal_in_mpd(mpd: &mut Mpd, patterns: &[TrafficPattern]) {
    for p in &mut mpd.periods {
        for i in 0..patterns.len() {
            p.base_urls.push(BaseUrl {
                url: base_url(i),
                ..BaseUrl::default()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn grammar_round_trips() {
        for v in [
            "[{cycle:30,rsq:0,code:404,rep:video}]",
            "[{cycle:10,rsq:3,code:503},{cycle:60,rsq:0,code:410,rep:0,1}]",
        ] {
            assert_eq!(status_codes_to_string(&parse_status_codes(v).unwrap()), v);
        }
        for v in ["u50d10", "u20s5h5d10,d10u50"] {
            assert_eq!(traffic_to_string(&parse_traffic(v).unwrap()), v);
        }
        for bad in [
            "[{cycle:10,rsq:0,code:200}]",
            "[{cycle:10,code:404,foo:1}]",
            "[cycle:1]",
        ] {
            assert!(parse_status_codes(bad).is_err(), "{bad}");
        }
        for bad in ["", "x10", "10u", "u10d", "u10,", "u99999999999"] {
            assert!(parse_traffic(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn traffic_states_over_a_cycle() {
        let p = &parse_traffic("u20s5h5d10").unwrap()[0];
        let states: Vec<LinkState> = [0, 19, 20, 24, 25, 29, 30, 39, 40]
            .iter()
            .map(|s| p.state_at(*s))
            .collect();
        use LinkState::*;
        assert_eq!(states, [Up, Up, Slow, Slow, Hang, Hang, Down, Down, Up]);
        assert_eq!(p.state_at(-1), Down);
    }

    /// With a media time offset that is not a multiple of d, the first segment of a cycle is the
    /// first starting at or after the cycle start.
    #[test]
    fn status_cycle_with_offset() {
        let rules = parse_status_codes("[{cycle:10,rsq:0,code:404,rep:audio}]").unwrap();
        // Segment i starts at 2i + 1 s: cycle 0 starts with i = 0 (1 s), cycle 1 with i = 5 (11 s).
        let failing: Vec<u64> = (0..12)
            .filter(|n| status_code_for(&rules, "1", "audio", *n, 0, 1, 2).is_some())
            .collect();
        assert_eq!(failing, [0, 5, 10]);
        assert_eq!(status_code_for(&rules, "0", "video", 0, 0, 1, 2), None);
    }
}

/// The examples of this file's internal items, as unit tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod doc_examples {
    #[test]
    fn parse_status_codes() {
        use crate::live::inject::parse_status_codes;
        let r = parse_status_codes("[{cycle:30,rsq:2,code:503,rep:0,1},{cycle:10,rsq:0,code:404}]")
            .unwrap();
        assert_eq!((r[0].cycle_s, r[0].rsq, r[0].code), (30, 2, 503));
        assert_eq!(r[0].reps, ["0", "1"]);
        assert!(r[1].reps.is_empty());
        assert!(parse_status_codes("[{cycle:0,rsq:0,code:404}]").is_err());
    }

    #[test]
    fn parse_traffic() {
        use crate::live::inject::{parse_traffic, LinkState};
        let p = parse_traffic("u50d10,d10u50").unwrap();
        assert_eq!(p[0].intervals, [(50, LinkState::Up), (10, LinkState::Down)]);
        assert_eq!(p[0].state_at(55), LinkState::Down);
        assert_eq!(p[1].state_at(55), LinkState::Up);
        assert!(parse_traffic("u0d10").is_err());
    }

    #[test]
    fn split_base_url() {
        use crate::live::inject::split_base_url;
        assert_eq!(split_base_url("bu1/0/5.m4s"), (Some(1), "0/5.m4s"));
        assert_eq!(split_base_url("0/5.m4s"), (None, "0/5.m4s"));
    }

    #[test]
    fn status_code_for() {
        use crate::live::inject::{parse_status_codes, status_code_for};
        let rules = parse_status_codes("[{cycle:10,rsq:1,code:503}]").unwrap();
        // 2 s segments from media time 0: segments 1, 6, 11, … (2nd of each 10 s) fail.
        let failing: Vec<u64> = (0..12)
            .filter(|n| status_code_for(&rules, "0", "video", *n, 0, 0, 2).is_some())
            .collect();
        assert_eq!(failing, [1, 6, 11]);
    }
}
