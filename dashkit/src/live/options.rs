//! Live options in dashlivesim's URL path grammar (docs/live-timing.md#urls-and-options): one
//! `key_value` path component per option, between the server prefix and the asset path, e.g.
//! `/livesim/start_1200/tsbd_30/segtimeline_1/testpic_2s/Manifest.mpd`.
//!
//! Every option is typed. A known key with a malformed value is an error; a key that
//! dashlivesim or livesim2 knows but dashkit does not implement is an error that says so,
//! never silently ignored. In a URL, the first component that is not `known_key + '_'` ends
//! the options and starts the asset path ([`split_path`]); in a bare options string every
//! component must be an option ([`LiveOptions::parse`]).

use super::Error;

/// How segments are addressed in the live MPD.
///
/// ```
/// use dashkit::live::options::{LiveOptions, TimelineMode};
/// let mode = |opts| LiveOptions::parse(opts).unwrap().timeline;
/// assert_eq!(mode(""), TimelineMode::Number);
/// assert_eq!(mode("segtimeline_1"), TimelineMode::Time);
/// assert_eq!(mode("segtimelinenr_1"), TimelineMode::TimelineNumber);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimelineMode {
    /// SegmentTemplate with `@duration` and `$Number$` (the default).
    #[default]
    Number,
    /// SegmentTimeline with `$Time$` (`segtimeline_1`).
    Time,
    /// SegmentTimeline with `$Number$` (`segtimelinenr_1`).
    TimelineNumber,
}

/// A UTCTiming method (`utc_direct-head-…`).
///
/// ```
/// use dashkit::live::options::{LiveOptions, UtcMethod};
/// let o = LiveOptions::parse("utc_direct-httpiso").unwrap();
/// assert_eq!(o.utc, [UtcMethod::Direct, UtcMethod::HttpIso]);
/// assert_eq!(o.utc[1].name(), "httpiso");
/// assert!(LiveOptions::parse("utc_sundial").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UtcMethod {
    /// `urn:mpeg:dash:utc:direct:2014`, the value being the time itself.
    Direct,
    /// `urn:mpeg:dash:utc:http-head:2014`.
    Head,
    /// `urn:mpeg:dash:utc:ntp:2014`.
    Ntp,
    /// `urn:mpeg:dash:utc:sntp:2014`.
    Sntp,
    /// `urn:mpeg:dash:utc:http-xsdate:2014`.
    HttpXsdate,
    /// `urn:mpeg:dash:utc:http-iso:2014`.
    HttpIso,
    /// No UTCTiming at all (livesim2's `none`).
    None,
}

impl UtcMethod {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "direct" => UtcMethod::Direct,
            "head" => UtcMethod::Head,
            "ntp" => UtcMethod::Ntp,
            "sntp" => UtcMethod::Sntp,
            "httpxsdate" => UtcMethod::HttpXsdate,
            "httpiso" => UtcMethod::HttpIso,
            "none" => UtcMethod::None,
            _ => return None,
        })
    }

    /// The option's spelling.
    ///
    /// ```
    /// use dashkit::live::options::{LiveOptions, UtcMethod};
    /// assert_eq!(UtcMethod::HttpXsdate.name(), "httpxsdate");
    /// let o = LiveOptions::parse("utc_httpxsdate").unwrap();
    /// assert_eq!(o.utc, [UtcMethod::HttpXsdate]);
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            UtcMethod::Direct => "direct",
            UtcMethod::Head => "head",
            UtcMethod::Ntp => "ntp",
            UtcMethod::Sntp => "sntp",
            UtcMethod::HttpXsdate => "httpxsdate",
            UtcMethod::HttpIso => "httpiso",
            UtcMethod::None => "none",
        }
    }
}

/// availabilityTimeOffset as given (`ato_30`, `ato_2.5`, `ato_inf`).
///
/// ```
/// use dashkit::live::options::{AtoOption, LiveOptions};
/// assert_eq!(LiveOptions::parse("ato_2.5").unwrap().ato, Some(AtoOption::Millis(2500)));
/// assert_eq!(LiveOptions::parse("ato_inf").unwrap().ato, Some(AtoOption::Infinite));
/// assert_eq!(LiveOptions::parse("").unwrap().ato, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtoOption {
    /// A finite offset in milliseconds.
    Millis(u64),
    /// `inf`.
    Infinite,
}

/// All live options, typed. `None`/empty means "not given" (the default applies).
///
/// ```
/// use dashkit::live::options::{LiveOptions, TimelineMode};
/// let o = LiveOptions::parse("start_1200/tsbd_30/segtimeline_1/ato_2.5").unwrap();
/// assert_eq!(o.start_s, Some(1200));
/// assert_eq!(o.tsbd_s, Some(30));
/// assert_eq!(o.timeline, TimelineMode::Time);
/// assert!(LiveOptions::parse("tsbd_x").is_err());
/// assert!(LiveOptions::parse("frobnicate_1").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiveOptions {
    /// `start_<s>` / `ast_<s>`: availabilityStartTime in epoch seconds.
    pub start_s: Option<i64>,
    /// `stop_<s>`: the session's end in epoch seconds (needs a start).
    pub stop_s: Option<i64>,
    /// `startrel_<s>`: start relative to now.
    pub startrel_s: Option<i64>,
    /// `stoprel_<s>`: stop relative to now.
    pub stoprel_s: Option<i64>,
    /// `dur_<s>` (repeatable): session durations.
    pub durations_s: Vec<u64>,
    /// `timeoffset_<s>`: media time and numbering counted from this epoch second.
    pub timeoffset_s: Option<i64>,
    /// `init_<s>`: init segments available this long before AST.
    pub init_offset_s: Option<u64>,
    /// `tsbd_<s>`: timeShiftBufferDepth.
    pub tsbd_s: Option<u64>,
    /// `mup_<s>`: minimumUpdatePeriod.
    pub mup_s: Option<u64>,
    /// `snr_<n>`: startNumber (`-1`: 1, left implicit in the MPD).
    pub start_number: Option<i64>,
    /// `ato_<s>`: availabilityTimeOffset.
    pub ato: Option<AtoOption>,
    /// `spd_<s>`: suggestedPresentationDelay.
    pub spd_s: Option<u64>,
    /// `sidx_1`: insert a sidx in every segment.
    pub sidx: bool,
    /// `segtimeline_1` / `segtimelinenr_1`.
    pub timeline: TimelineMode,
    /// `periods_<n>`: periods per hour.
    pub periods_per_hour: Option<u32>,
    /// `continuous_1`: period continuity signalling.
    pub continuous: bool,
    /// `scte35_<n>`: SCTE-35 splice_insert cues, 1, 2 or 3 a minute (livesim2's cadence).
    pub scte35_per_minute: Option<u8>,
    /// `statuscode_[{cycle:C,rsq:R,code:X,rep:…},…]`: cyclic error statuses for media segments.
    pub status_codes: Vec<super::inject::StatusCodeRule>,
    /// `traffic_<pattern>,…`: one BaseURL per pattern with up/down/slow/hang intervals.
    pub traffic: Vec<super::inject::TrafficPattern>,
    /// `utc_<m1>-<m2>…`: UTCTiming methods, in order.
    pub utc: Vec<UtcMethod>,
    /// `chunkdur_<s>`: low-latency chunk duration in milliseconds.
    pub chunk_duration_ms: Option<u64>,
    /// `ltgt_<ms>`: low-latency target latency in milliseconds.
    pub latency_target_ms: Option<u64>,
    /// `timesubsstpp_`, `timesubswvtt_`, `timesubsdur_`, `timesubsreg_`: generated subtitles
    /// showing the wall clock ([`super::timesubs`]).
    pub timesubs: super::timesubs::TimeSubsOptions,
    /// `patch_<ttl>`: MPD patches with this PatchLocation ttl in seconds ([`super::patch`];
    /// `patch_0` is no patching, as in livesim2).
    pub patch_ttl_s: Option<u64>,
    /// `drm_eccp-cenc` / `drm_eccp-cbcs` (or livesim2's older `eccp_cenc` / `eccp_cbcs`):
    /// on-the-fly Common Encryption with DASH-IF Enhanced ClearKey (docs/encryption.md).
    pub drm: Option<crate::cenc::Scheme>,
}

/// Keys dashlivesim or livesim2 accept that dashkit does not implement (yet).
const UNSUPPORTED: &[&str] = &[
    "modulo",
    "tfdt",
    "cont",
    "xlink",
    "etp",
    "etpDuration",
    "insertad",
    "mpdcallback",
    "segtimelineloss",
    "baseurl",
    "peroff",
    "sts",
    "sid",
    "timecc608",
    "annexI",
    "ssras",
    "chunkdurssr",
    "sgai",
    "steer",
    "cdn",
    "csid",
];

const SUPPORTED: &[&str] = &[
    "start",
    "ast",
    "stop",
    "startrel",
    "stoprel",
    "dur",
    "timeoffset",
    "init",
    "tsbd",
    "mup",
    "snr",
    "ato",
    "spd",
    "sidx",
    "segtimeline",
    "segtimelinenr",
    "periods",
    "continuous",
    "scte35",
    "statuscode",
    "traffic",
    "utc",
    "chunkdur",
    "ltgt",
    "timesubsstpp",
    "timesubswvtt",
    "timesubsdur",
    "timesubsreg",
    "patch",
    "drm",
    "eccp",
];

/// Whether `key` is an option key dashlivesim or livesim2 knows.
pub(crate) fn is_option_key(key: &str) -> bool {
    SUPPORTED.contains(&key) || UNSUPPORTED.contains(&key)
}

/// Parses a decimal number of seconds (`2`, `2.5`, `0.25`) into milliseconds, exactly:
/// more than three decimals is an error rather than a rounding.
fn seconds_to_ms(v: &str) -> Option<u64> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    let mut f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..3 {
        f *= 10;
    }
    whole.checked_mul(1000)?.checked_add(f)
}

impl LiveOptions {
    /// Parses a `/`-separated options string where every component must be an option.
    ///
    /// ```
    /// use dashkit::live::options::LiveOptions;
    /// let o = LiveOptions::parse("tsbd_30/segtimeline_1").unwrap();
    /// assert_eq!(o.tsbd_s, Some(30));
    /// assert!(LiveOptions::parse("testpic_2s").is_err()); // an asset name, not an option
    /// ```
    pub fn parse(options: &str) -> Result<LiveOptions, Error> {
        let mut o = LiveOptions::default();
        for comp in options.split('/').filter(|c| !c.is_empty()) {
            o.apply(comp)?;
        }
        o.validate()?;
        Ok(o)
    }

    /// Applies one `key_value` component.
    ///
    /// ```
    /// use dashkit::live::options::LiveOptions;
    /// let mut o = LiveOptions::default();
    /// o.apply("tsbd_30").unwrap();
    /// o.apply("snr_5").unwrap();
    /// assert_eq!((o.tsbd_s, o.start_number), (Some(30), Some(5)));
    /// assert!(o.apply("tsbd_thirty").is_err());
    /// ```
    pub fn apply(&mut self, component: &str) -> Result<(), Error> {
        let (key, value) = component
            .split_once('_')
            .ok_or_else(|| Error::UnknownOption {
                component: component.to_string(),
            })?;
        if UNSUPPORTED.contains(&key) {
            return Err(Error::UnsupportedOption {
                key: key.to_string(),
            });
        }
        let bad = || Error::BadOption {
            key: key.to_string(),
            value: value.to_string(),
        };
        let int = || value.parse::<i64>().map_err(|_| bad());
        let uint = || value.parse::<u64>().map_err(|_| bad());
        let flag = || match value {
            "1" => Ok(true),
            "0" => Ok(false),
            _ => Err(bad()),
        };
        match key {
            "start" | "ast" => self.start_s = Some(int()?),
            "stop" => self.stop_s = Some(int()?),
            "startrel" => self.startrel_s = Some(int()?),
            "stoprel" => self.stoprel_s = Some(int()?),
            "dur" => self.durations_s.push(uint()?),
            "timeoffset" => self.timeoffset_s = Some(int()?),
            "init" => self.init_offset_s = Some(uint()?),
            "tsbd" => self.tsbd_s = Some(uint()?),
            "mup" => {
                let v = uint()?;
                if v == 0 {
                    return Err(bad());
                }
                self.mup_s = Some(v)
            }
            "snr" => {
                let v = int()?;
                if v < -1 {
                    return Err(bad());
                }
                self.start_number = Some(v)
            }
            "ato" => {
                self.ato = Some(if value == "inf" {
                    AtoOption::Infinite
                } else {
                    AtoOption::Millis(seconds_to_ms(value).ok_or_else(bad)?)
                })
            }
            "spd" => self.spd_s = Some(uint()?),
            "sidx" => self.sidx = flag()?,
            "segtimeline" => {
                if flag()? {
                    self.timeline = TimelineMode::Time
                }
            }
            "segtimelinenr" => {
                if flag()? {
                    self.timeline = TimelineMode::TimelineNumber
                }
            }
            "periods" => {
                let v: u32 = value.parse().map_err(|_| bad())?;
                if v == 0 || 3600 % v.min(60) != 0 {
                    return Err(bad());
                }
                self.periods_per_hour = Some(v.min(60))
            }
            "continuous" => self.continuous = flag()?,
            "statuscode" => self.status_codes = super::inject::parse_status_codes(value)?,
            "traffic" => self.traffic = super::inject::parse_traffic(value)?,
            "scte35" => {
                let v: u8 = value.parse().map_err(|_| bad())?;
                if !super::scte35::is_valid_per_minute(v) {
                    return Err(bad());
                }
                self.scte35_per_minute = Some(v)
            }
            "utc" => {
                self.utc = value
                    .split('-')
                    .map(|m| UtcMethod::parse(m).ok_or_else(bad))
                    .collect::<Result<_, _>>()?
            }
            "chunkdur" => {
                let v = seconds_to_ms(value).ok_or_else(bad)?;
                if v == 0 {
                    return Err(bad());
                }
                self.chunk_duration_ms = Some(v)
            }
            "ltgt" => self.latency_target_ms = Some(uint()?),
            "patch" => self.patch_ttl_s = Some(uint()?).filter(|&t| t > 0),
            k if super::timesubs::TimeSubsOptions::is_key(k) => {
                self.timesubs.apply(k, value).ok_or_else(bad)?
            }
            "drm" | "eccp" => self.drm = Some(super::eccp::parse_option(key, value)?),
            _ => {
                return Err(Error::UnknownOption {
                    component: component.to_string(),
                })
            }
        }
        Ok(())
    }

    /// Checks combinations: stop needs a start; dur needs a start.
    ///
    /// ```
    /// use dashkit::live::options::LiveOptions;
    /// let mut o = LiveOptions::default();
    /// o.apply("stop_2000").unwrap();
    /// assert!(o.validate().is_err()); // a stop needs a start
    /// o.apply("start_1000").unwrap();
    /// assert!(o.validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if self.stop_s.is_some() && self.start_s.is_none() && self.startrel_s.is_none() {
            return Err(Error::OptionConflict {
                message: "stop_ needs start_ or startrel_".into(),
            });
        }
        if !self.durations_s.is_empty() && self.start_s.is_none() {
            return Err(Error::OptionConflict {
                message: "dur_ needs start_".into(),
            });
        }
        if self.patch_ttl_s.is_some() && self.chunk_duration_ms.is_some() {
            // A low-latency MPD changes within a second, so the MPD a patch starts from cannot
            // be named by its (whole-second) publishTime.
            return Err(Error::OptionConflict {
                message: "patch_ cannot be combined with chunkdur_".into(),
            });
        }
        if self.continuous && self.periods_per_hour.is_none() {
            return Err(Error::OptionConflict {
                message: "continuous_1 needs periods_".into(),
            });
        }
        Ok(())
    }

    /// Writes the options back as path components, in a canonical order.
    ///
    /// ```
    /// use dashkit::live::options::LiveOptions;
    /// let o = LiveOptions::parse("segtimeline_1/tsbd_30").unwrap();
    /// let path = o.to_path();
    /// assert_eq!(LiveOptions::parse(&path).unwrap(), o); // round trip
    /// ```
    pub fn to_path(&self) -> String {
        let mut c: Vec<String> = Vec::new();
        let mut push = |k: &str, v: String| c.push(format!("{k}_{v}"));
        if let Some(v) = self.start_s {
            push("start", v.to_string());
        }
        if let Some(v) = self.stop_s {
            push("stop", v.to_string());
        }
        if let Some(v) = self.startrel_s {
            push("startrel", v.to_string());
        }
        if let Some(v) = self.stoprel_s {
            push("stoprel", v.to_string());
        }
        for d in &self.durations_s {
            push("dur", d.to_string());
        }
        if let Some(v) = self.timeoffset_s {
            push("timeoffset", v.to_string());
        }
        if let Some(v) = self.init_offset_s {
            push("init", v.to_string());
        }
        if let Some(v) = self.tsbd_s {
            push("tsbd", v.to_string());
        }
        if let Some(v) = self.mup_s {
            push("mup", v.to_string());
        }
        if let Some(v) = self.start_number {
            push("snr", v.to_string());
        }
        match self.ato {
            Some(AtoOption::Infinite) => push("ato", "inf".into()),
            Some(AtoOption::Millis(ms)) => push("ato", ms_to_seconds(ms)),
            None => {}
        }
        if let Some(v) = self.spd_s {
            push("spd", v.to_string());
        }
        if self.sidx {
            push("sidx", "1".into());
        }
        match self.timeline {
            TimelineMode::Number => {}
            TimelineMode::Time => push("segtimeline", "1".into()),
            TimelineMode::TimelineNumber => push("segtimelinenr", "1".into()),
        }
        if let Some(v) = self.periods_per_hour {
            push("periods", v.to_string());
        }
        if self.continuous {
            push("continuous", "1".into());
        }
        if let Some(v) = self.scte35_per_minute {
            push("scte35", v.to_string());
        }
        if !self.status_codes.is_empty() {
            push(
                "statuscode",
                super::inject::status_codes_to_string(&self.status_codes),
            );
        }
        if !self.traffic.is_empty() {
            push("traffic", super::inject::traffic_to_string(&self.traffic));
        }
        if !self.utc.is_empty() {
            let m: Vec<&str> = self.utc.iter().map(|m| m.name()).collect();
            push("utc", m.join("-"));
        }
        if let Some(v) = self.chunk_duration_ms {
            push("chunkdur", ms_to_seconds(v));
        }
        if let Some(v) = self.latency_target_ms {
            push("ltgt", v.to_string());
        }
        for (k, v) in self.timesubs.components() {
            push(k, v);
        }
        if let Some(v) = self.patch_ttl_s {
            push("patch", v.to_string());
        }
        if let Some(s) = self.drm {
            push("drm", format!("eccp-{}", s.fourcc()));
        }
        c.join("/")
    }
}

/// Milliseconds as the shortest decimal seconds (`2500` → `2.5`).
pub(crate) fn ms_to_seconds(ms: u64) -> String {
    let (s, f) = (ms / 1000, ms % 1000);
    if f == 0 {
        s.to_string()
    } else {
        let frac = format!("{f:03}");
        format!("{s}.{}", frac.trim_end_matches('0'))
    }
}

/// Splits a URL path below the server prefix into its options and the rest (asset path and
/// file), dashlivesim's way: leading components `key_value` with a known key are options; the
/// first other component starts the asset path.
///
/// ```
/// use dashkit::live::options::split_path;
/// let (o, rest) = split_path("start_60/ato_1.5/testpic_2s/V300/5.m4s").unwrap();
/// assert_eq!(o.start_s, Some(60));
/// assert_eq!(rest, "testpic_2s/V300/5.m4s");
/// ```
pub fn split_path(path: &str) -> Result<(LiveOptions, &str), Error> {
    let mut o = LiveOptions::default();
    let mut rest = path.trim_start_matches('/');
    while let Some((comp, tail)) = rest.split_once('/') {
        let is_option = comp.split_once('_').is_some_and(|(k, _)| is_option_key(k));
        if !is_option {
            break;
        }
        o.apply(comp)?;
        rest = tail;
    }
    o.validate()?;
    Ok((o, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Issue 17: these livesim2 options stay refused, never ignored
    /// (docs/live-options.md#every-livesim2-option).
    #[test]
    fn out_of_scope_livesim2_options_stay_refused() {
        for key in [
            "annexI",
            "sgai",
            "steer",
            "ssras",
            "chunkdurssr",
            "timecc608",
            "drm",
            "eccp",
        ] {
            assert!(
                matches!(
                    LiveOptions::parse(&format!("{key}_1")),
                    Err(Error::UnsupportedOption { .. })
                ),
                "{key}"
            );
        }
    }

    #[test]
    fn malformed_and_unsupported_are_errors() {
        for bad in [
            "tsbd_a",
            "mup_0",
            "ato_aa",
            "ato_-10",
            "snr_-2",
            "utc_unknown",
            "sidx_2",
            "periods_7",
            "chunkdur_0",
        ] {
            assert!(
                matches!(LiveOptions::parse(bad), Err(Error::BadOption { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            LiveOptions::parse("annexI_a=1"),
            Err(Error::UnsupportedOption { .. })
        ));
        assert!(matches!(
            LiveOptions::parse("scte35_4"),
            Err(Error::BadOption { .. })
        ));
        assert!(matches!(
            LiveOptions::parse("testpic_2s"),
            Err(Error::UnknownOption { .. })
        ));
        assert!(matches!(
            LiveOptions::parse("stop_100"),
            Err(Error::OptionConflict { .. })
        ));
    }

    #[test]
    fn values() {
        let o =
            LiveOptions::parse("ato_1.5/chunkdur_0.25/utc_direct-head/snr_-1/periods_120").unwrap();
        assert_eq!(o.ato, Some(AtoOption::Millis(1500)));
        assert_eq!(o.chunk_duration_ms, Some(250));
        assert_eq!(o.utc, [UtcMethod::Direct, UtcMethod::Head]);
        assert_eq!(o.start_number, Some(-1));
        assert_eq!(o.periods_per_hour, Some(60));
        assert_eq!(
            LiveOptions::parse("ato_inf").unwrap().ato,
            Some(AtoOption::Infinite)
        );
    }

    #[test]
    fn split_keeps_asset_names_with_underscores() {
        let (o, rest) = split_path("/tsbd_30/segtimeline_1/my_asset/Manifest.mpd").unwrap();
        assert_eq!(o.tsbd_s, Some(30));
        assert_eq!(rest, "my_asset/Manifest.mpd");
        // A known key with a bad value is an error, not an asset name.
        assert!(split_path("tsbd_a/asset/Manifest.mpd").is_err());
        let (o, rest) = split_path("Manifest.mpd").unwrap();
        assert_eq!((o, rest), (LiveOptions::default(), "Manifest.mpd"));
    }

    proptest! {
        #[test]
        fn to_path_round_trips(start in proptest::option::of(0i64..4_000_000_000), tsbd in proptest::option::of(0u64..100_000),
                               ato in proptest::option::of(1u64..100_000), tl in 0u8..3, sidx in any::<bool>()) {
            let o = LiveOptions {
                start_s: start, tsbd_s: tsbd, ato: ato.map(AtoOption::Millis), sidx,
                timeline: [TimelineMode::Number, TimelineMode::Time, TimelineMode::TimelineNumber][tl as usize],
                ..Default::default()
            };
            prop_assert_eq!(LiveOptions::parse(&o.to_path()).unwrap(), o);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,64}") {
            let _ = LiveOptions::parse(&s);
            let _ = split_path(&s);
        }
    }
}
